/*
 * tspsim: the workload and model functions directly (no network), then the
 * simulator as a process: the spec validator, sampling, RUNNING, determinism,
 * faults and their control endpoint, errors and shutdown.
 *
 * The Makefile links only the library into run-tests, not tspsim's objects,
 * so the pure modules (workload, models, kernel_*) are compiled into this file (tspsim/ is on the
 * include path for tests); define TSPSIM_LINKED when linking them instead.
 * Their static names do not clash with ours: every helper here starts with t_.
 */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tg_states_diff.h"

#ifdef TSPSIM_LINKED
#include "models.h"
#include "workload.h"
#else
#include "workload.c"
#include "models.c"
#include "kernel_common.c"
#include "kernel_latency.c"
#include "kernel_resources.c"
#include "kernel_io.c"
#include "kernel_critpath.c"
#include "kernel_table.c"
#endif

#define T_CPU "org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider"
#define T_TG "org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ThreadStatusDataProvider"
#define T_TABLE "org.eclipse.tracecompass.internal.provisional.tmf.core.model.events.TmfEventTableDataProvider"
#define T_STATS "org.eclipse.tracecompass.internal.tmf.core.statistics.provider.TmfStatisticsDataProvider"

/* ---- helpers ---- */

static cJSON *t_parse(const char *text, size_t len)
{
	char err[128];
	cJSON *j = json_parse_exact(text, len, err, sizeof(err));

	ck_assert_msg(j != NULL, "not JSON (%s): %.300s", err, text);
	return j;
}

static const cJSON *t_get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	ck_assert_msg(v != NULL, "member '%s' missing", k);
	return v;
}

static int64_t t_int(const cJSON *o, const char *k)
{
	int64_t v = 0;

	ck_assert_int_eq(json_get_int64(t_get(o, k), &v), JSON_OK);
	return v;
}

static int64_t t_item_int(const cJSON *item)
{
	int64_t v = 0;

	ck_assert_int_eq(json_get_int64(item, &v), JSON_OK);
	return v;
}

static const char *t_str(const cJSON *o, const char *k)
{
	const char *s = json_get_string(t_get(o, k));

	ck_assert_msg(s != NULL, "member '%s' is not a string", k);
	return s;
}

/* Runs a model writer's output through the exact parser. */
static cJSON *t_model(struct strbuf *sb)
{
	return t_parse(strbuf_str(sb), sb->len);
}

static void t_params_small(struct wl_params *p)
{
	wl_params_default(p);
	p->threads = 12;
	p->events = 4000;
	p->duration_ns = INT64_C(2000000000);
}

static cJSON *t_post(int port, const char *path, const char *body, long *st)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *j;

	ck_assert_msg(http_post(port, path, body, st, &out) == 0, "POST %s: transport error", path);
	j = t_parse(strbuf_str(&out), out.len);
	strbuf_release(&out);
	return j;
}

static cJSON *t_getj(int port, const char *path, long *st)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *j;

	ck_assert_msg(http_get(port, path, st, &out) == 0, "GET %s: transport error", path);
	j = t_parse(strbuf_str(&out), out.len);
	strbuf_release(&out);
	return j;
}

struct t_exp {
	char uuid[64];
	int64_t start, end;
};

/* The start-up experiment "kernel". */
static void t_exp_fetch(int port, struct t_exp *e)
{
	long st;
	cJSON *j = t_getj(port, "/tsp/api/experiments", &st), *x;

	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	x = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(t_str(x, "name"), "kernel");
	snprintf(e->uuid, sizeof(e->uuid), "%s", t_str(x, "UUID"));
	e->start = t_int(x, "start");
	e->end = t_int(x, "end");
	cJSON_Delete(j);
}

static const char *t_path(char *buf, size_t len, const struct t_exp *e, const char *rest)
{
	snprintf(buf, len, "/tsp/api/experiments/%s/outputs/%s", e->uuid, rest);
	return buf;
}

static const char *t_status(const cJSON *j)
{
	return t_str(j, "status");
}

static double t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- pure functions ---- */

START_TEST(sample_times_are_exact_and_even)
{
	int64_t s = INT64_C(1700000000000000001);
	int i;

	ck_assert(wl_sample_time(5, 9, 1, 0) == 5);
	ck_assert(wl_sample_time(5, 9, 2, 0) == 5 && wl_sample_time(5, 9, 2, 1) == 9);
	for (i = 0; i < 5; i++)
		ck_assert(wl_sample_time(0, 100, 5, i) == 25 * i);
	/* One ns apart near 1.7e18: a double would merge neighbours. */
	for (i = 0; i < 10; i++)
		ck_assert(wl_sample_time(s, s + 9, 10, i) == s + i);
	/* The full int64 span does not overflow: its midpoint is -1. */
	ck_assert(wl_sample_time(INT64_MIN, INT64_MAX, 3, 1) == -1);
	ck_assert(wl_sample_time(INT64_MIN, INT64_MAX, 3, 2) == INT64_MAX);
	/* Past the midpoint the offset from start exceeds INT64_MAX: still exact (and no UB). */
	ck_assert(wl_sample_time(INT64_MIN, INT64_MAX, 65536, 32768) > 0);
	/* 2^64 - 1 = 65535 * 65537 * 4294967297, so the step is exactly 281479271743489. */
	ck_assert(wl_sample_time(INT64_MIN, INT64_MAX, 65536, 65534) ==
		  INT64_MAX - INT64_C(281479271743489));
}
END_TEST

START_TEST(formats_and_uuids)
{
	char buf[64], a[37], b[37], c[37];
	int i;

	wl_format_ts(INT64_C(1700000000123456789), buf, sizeof(buf));
	ck_assert_str_eq(buf, "1700000000.123 456 789");
	wl_format_ts(INT64_C(1700000000000000007), buf, sizeof(buf));
	ck_assert_str_eq(buf, "1700000000.000 000 007");
	wl_format_duration(999, buf, sizeof(buf));
	ck_assert_str_eq(buf, "999 ns");
	wl_format_duration(1500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.500 µs");
	wl_format_duration(12345678, buf, sizeof(buf));
	ck_assert_str_eq(buf, "12.345 ms");
	wl_format_duration(INT64_C(61500000000), buf, sizeof(buf));
	ck_assert_str_eq(buf, "61.500 s");

	wl_uuid("trace", "kernel", a);
	wl_uuid("trace", "kernel", b);
	wl_uuid("experiment", "kernel", c);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	wl_uuid("trace", "kernel2", b);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(a[i], '-');
		else
			ck_assert_msg(strchr("0123456789abcdef", a[i]), "%s", a);
	}
	ck_assert_int_eq(a[14], '5');
	ck_assert_msg(strchr("89ab", a[19]), "%s", a);
}
END_TEST

START_TEST(workload_is_deterministic)
{
	struct wl_params p;
	struct workload a, b, c;
	size_t i;

	t_params_small(&p);
	ck_assert_int_eq(workload_generate(&a, &p, "kernel"), 0);
	ck_assert_int_eq(workload_generate(&b, &p, "kernel"), 0);
	ck_assert(a.start == b.start && a.end == b.end);
	ck_assert_uint_eq(a.n_events, b.n_events);
	ck_assert_uint_eq(a.n_arrows, b.n_arrows);
	for (i = 0; i < a.n_events; i++)
		ck_assert(!memcmp(&a.events[i], &b.events[i], offsetof(struct wl_event, aux) + 1));
	for (i = 0; i < a.n_threads; i++) {
		size_t k;

		ck_assert_uint_eq(a.threads[i].n_iv, b.threads[i].n_iv);
		for (k = 0; k < a.threads[i].n_iv; k++)
			ck_assert(a.threads[i].iv[k].start == b.threads[i].iv[k].start &&
				  a.threads[i].iv[k].state == b.threads[i].iv[k].state);
	}
	/* Another seed, or another trace name, is another workload. */
	p.seed = 2;
	ck_assert_int_eq(workload_generate(&c, &p, "kernel"), 0);
	ck_assert(c.start != a.start || c.n_events != a.n_events || c.events[1].ts != a.events[1].ts);
	workload_release(&c);
	p.seed = 1;
	ck_assert_int_eq(workload_generate(&c, &p, "other"), 0);
	ck_assert(c.start != a.start);
	workload_release(&c);
	workload_release(&a);
	workload_release(&b);
}
END_TEST

struct t_span {
	int64_t start, end;
	size_t thread;
};

static int t_span_cmp(const void *x, const void *y)
{
	const struct t_span *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

START_TEST(workload_is_consistent)
{
	struct wl_params p;
	struct workload wl;
	struct t_span *spans;
	size_t i, k, n = 0, total_iv = 0;
	int c, tids_ok = 1;

	wl_params_default(&p);
	ck_assert_int_eq(workload_generate(&wl, &p, "kernel"), 0);
	/* 19 significant digits: 1.7e18 and a sub-second part with a non-zero lead. */
	ck_assert(wl.start >= INT64_C(1700000000000000000) && wl.start % 1000000000 >= 100000000);
	ck_assert(wl.end - wl.start == p.duration_ns);
	ck_assert_uint_eq(wl.n_threads, 24);
	/* Near the requested event count (the simulation is calibrated, not exact). */
	ck_assert_msg(wl.n_events > 10000 && wl.n_events < 30000, "%zu events", wl.n_events);
	for (i = 1; i < wl.n_events; i++)
		ck_assert(wl.events[i - 1].ts <= wl.events[i].ts);
	ck_assert(wl.events[0].ts >= wl.start && wl.events[wl.n_events - 1].ts <= wl.end);

	for (i = 0; i < wl.n_threads; i++) {
		const struct wl_thread *t = &wl.threads[i];
		int64_t busy = 0;

		ck_assert(t->n_iv > 0 && t->iv[0].start == wl.start);
		for (k = 0; k < t->n_iv; k++) {
			int64_t end = k + 1 < t->n_iv ? t->iv[k + 1].start : wl.end;

			ck_assert(end > t->iv[k].start || (k + 1 == t->n_iv && end == t->iv[k].start));
			if (k)
				ck_assert(t->iv[k].state != t->iv[k - 1].state || t->iv[k].aux != t->iv[k - 1].aux);
			if (t->iv[k].state == WL_ST_USERMODE || t->iv[k].state == WL_ST_SYSCALL)
				busy += end - t->iv[k].start;
		}
		/* The prefix sums agree with a plain sum. */
		ck_assert(wl_busy_until(&wl, t, wl.end) == busy);
		total_iv += t->n_iv;
		for (k = 0; k < i; k++)
			if (wl.threads[k].tid == t->tid)
				tids_ok = 0;
	}
	ck_assert_msg(tids_ok, "duplicate tids");

	/* No CPU ever runs two threads at once. */
	spans = calloc(total_iv, sizeof(*spans));
	ck_assert_ptr_nonnull(spans);
	for (c = 0; c < p.cpus; c++) {
		n = 0;
		for (i = 0; i < wl.n_threads; i++) {
			const struct wl_thread *t = &wl.threads[i];

			if (t->cpu != c)
				continue;
			for (k = 0; k < t->n_iv; k++) {
				int st = t->iv[k].state;

				if (st == WL_ST_USERMODE || st == WL_ST_SYSCALL || st == WL_ST_INTERRUPTED) {
					spans[n].start = t->iv[k].start;
					spans[n].end = k + 1 < t->n_iv ? t->iv[k + 1].start : wl.end;
					spans[n++].thread = i;
				}
			}
		}
		qsort(spans, n, sizeof(*spans), t_span_cmp);
		for (i = 1; i < n; i++)
			ck_assert_msg(spans[i].start >= spans[i - 1].end || spans[i].thread == spans[i - 1].thread,
				      "cpu %d: threads %zu and %zu overlap", c, spans[i - 1].thread, spans[i].thread);
	}
	free(spans);

	ck_assert(wl.n_arrows > 0);
	for (i = 0; i < wl.n_arrows; i++) {
		const struct wl_arrow *a = &wl.arrows[i];

		ck_assert(a->start <= a->end && a->start >= wl.start && a->end <= wl.end);
		ck_assert(a->end - a->start <= wl.max_arrow_len);
		if (i)
			ck_assert(wl.arrows[i - 1].start <= a->start);
		if (a->kind == WL_ARROW_HANDOFF)
			ck_assert_int_eq(wl.threads[a->src].cpu, wl.threads[a->dst].cpu);
	}
	workload_release(&wl);
}
END_TEST

START_TEST(workload_scales)
{
	struct wl_params p;
	struct workload wl;
	double t0 = t_now_ms();

	wl_params_default(&p);
	p.threads = under_valgrind() ? 500 : 5000;
	p.events = under_valgrind() ? 50000 : 2000000;
	ck_assert_int_eq(workload_generate(&wl, &p, "big"), 0);
	ck_assert_uint_eq(wl.n_threads, (size_t)p.threads);
	ck_assert_msg(wl.n_events > (size_t)p.events / 2 && wl.n_events < (size_t)p.events * 2,
		      "%zu events", wl.n_events);
	if (!under_valgrind())
		ck_assert_msg(t_now_ms() - t0 < 10000, "generation took %.0f ms", t_now_ms() - t0);
	workload_release(&wl);
}
END_TEST

START_TEST(query_parsing)
{
	struct query q;
	char err[256];
	cJSON *j;

	query_init(&q);
	{
		static const char ok[] = "{\"requested_timerange\":{\"start\":1700000000000000001,"
					 "\"end\":1700000000000000003,\"nbTimes\":3},"
					 "\"requested_items\":[1,2,9007199254740993]}";

		j = t_parse(ok, strlen(ok));
	}
	ck_assert_int_eq(query_parse(&q, j, Q_RANGE | Q_ITEMS, err, sizeof(err)), 0);
	ck_assert(q.start == INT64_C(1700000000000000001) && q.end == INT64_C(1700000000000000003));
	ck_assert_int_eq(q.nb_times, 3);
	ck_assert_uint_eq(q.n_items, 3);
	ck_assert(q.items[2] == INT64_C(9007199254740993));
	cJSON_Delete(j);
	query_release(&q);

	/* Required members, types and ranges are checked with a message naming the field. */
	{
		static const struct {
			const char *json;
			unsigned need;
			const char *msg;
		} bad[] = {
			{ "{}", Q_RANGE, "requested_timerange is required" },
			{ "{\"requested_timerange\":{\"start\":1}}", Q_RANGE, "'start' and 'end'" },
			{ "{\"requested_timerange\":{\"start\":\"1\",\"end\":2}}", 0, "requested_timerange.start" },
			{ "{\"requested_timerange\":{\"start\":1.5,\"end\":2}}", 0, "not an exact integer" },
			{ "{\"requested_timerange\":{\"start\":3,\"end\":2}}", 0, "after end" },
			{ "{\"requested_timerange\":{\"start\":1,\"end\":2,\"nbTimes\":0}}", 0, "nbTimes" },
			{ "{\"requested_timerange\":{\"start\":1,\"end\":2,\"nbTimes\":65537}}", 0, "nbTimes" },
			{ "{\"requested_items\":[1,\"x\"]}", 0, "requested_items[1]" },
			{ "{\"requested_items\":5}", 0, "requested_items" },
			{ "{\"requested_table_index\":-1}", 0, "negative" },
			{ "{\"requested_times\":[]}", Q_TIMES, "must not be empty" },
			{ "{\"requested_element\":{\"elementType\":\"BOX\",\"time\":1,\"duration\":0}}", 0, "BOX" },
			{ "{\"requested_timerange\":{\"start\":98765432109876543210,\"end\":2}}", 0, "int64" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			query_init(&q);
			j = t_parse(bad[i].json, strlen(bad[i].json));
			err[0] = '\0';
			ck_assert_msg(query_parse(&q, j, bad[i].need, err, sizeof(err)) < 0, "%s accepted", bad[i].json);
			ck_assert_msg(strstr(err, bad[i].msg), "%s: message '%s'", bad[i].json, err);
			cJSON_Delete(j);
			query_release(&q);
		}
	}
	/* Absent nbTimes: the default. The element type is case-insensitive (the spec's example says "state"). */
	query_init(&q);
	{
		static const char el[] = "{\"requested_timerange\":{\"start\":1,\"end\":2},\"requested_element\":"
					 "{\"elementType\":\"state\",\"time\":1,\"duration\":0}}";

		j = t_parse(el, strlen(el));
	}
	ck_assert_int_eq(query_parse(&q, j, Q_RANGE | Q_ELEMENT, err, sizeof(err)), 0);
	ck_assert_int_eq(q.nb_times, Q_DEFAULT_NB_TIMES);
	ck_assert_int_eq(q.elem_type, ELEM_STATE);
	cJSON_Delete(j);
	query_release(&q);
}
END_TEST

struct t_view {
	struct workload wl;
	const struct workload *wls[1];
	struct model_view v;
};

static void t_view_init(struct t_view *tv)
{
	struct wl_params p;

	t_params_small(&p);
	ck_assert_int_eq(workload_generate(&tv->wl, &p, "kernel"), 0);
	tv->wls[0] = &tv->wl;
	memset(&tv->v, 0, sizeof(tv->v));
	tv->v.wl = tv->wls;
	tv->v.n = 1;
}

static void t_query(struct query *q, const char *json, unsigned need)
{
	char err[256];
	cJSON *j = t_parse(json, strlen(json));

	query_init(q);
	ck_assert_msg(query_parse(q, j, need, err, sizeof(err)) == 0, "%s: %s", json, err);
	cJSON_Delete(j);
}

/* State of thread t at ts by a plain scan (independent of the binary search). */
static int t_state_index(const struct workload *wl, const struct wl_thread *t, int64_t ts)
{
	size_t k;
	int found = -1;

	if (ts > wl->end)
		return -1;
	for (k = 0; k < t->n_iv; k++)
		if (t->iv[k].start <= ts)
			found = (int)k;
	return found;
}

START_TEST(model_states_follow_samples)
{
	static const int nbs[] = { 1, 2, 7, 100, 5000 };
	struct t_view tv;
	size_t ni;

	t_view_init(&tv);
	for (ni = 0; ni < sizeof(nbs) / sizeof(nbs[0]); ni++) {
		struct strbuf sb = STRBUF_INIT;
		struct jsonw w;
		struct query q;
		char json[256], err[128];
		int64_t a = tv.wl.start + 12345, b = tv.wl.start + 400000000;
		const cJSON *rows, *row;
		cJSON *m;
		int r;

		snprintf(json, sizeof(json), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
			 ",\"nbTimes\":%d},\"requested_items\":[0,3,7,424242]}", a, b, nbs[ni]);
		t_query(&q, json, Q_RANGE | Q_ITEMS);
		jsonw_init(&w, &sb);
		ck_assert_int_eq(model_tg_states(&w, &tv.v, &q, err, sizeof(err)), 0);
		ck_assert_int_eq(jsonw_finish(&w), 0);
		m = t_model(&sb);
		rows = t_get(m, "rows");
		/* The trace root (0) and an unknown id have no row. */
		ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
		r = 0;
		cJSON_ArrayForEach(row, rows) {
			int64_t id = t_int(row, "entryId");
			const struct wl_thread *t = &tv.wl.threads[id - 1];
			const cJSON *states = t_get(row, "states"), *s;
			int64_t prev_end = INT64_MIN;
			int i, n = cJSON_GetArraySize(states), *hit = calloc((size_t)n + 1, sizeof(int));

			ck_assert(id == (r ? 7 : 3));
			/* Distinct, in order, each the thread's real interval holding a sample. */
			cJSON_ArrayForEach(s, states) {
				int64_t st = t_int(s, "start"), en = t_int(s, "end");
				int k = t_state_index(&tv.wl, t, st);

				ck_assert(st >= prev_end && en > st);
				ck_assert(k >= 0 && t->iv[k].start == st);
				ck_assert(en == (k + 1 < (int)t->n_iv ? t->iv[k + 1].start : tv.wl.end));
				ck_assert_str_eq(t_str(t_get(s, "style"), "parentKey"), wl_state_key(t->iv[k].state));
				prev_end = en;
			}
			for (i = 0; i < nbs[ni]; i++) {
				int64_t ts = nbs[ni] == 1 ? a : a + (int64_t)((__int128)(b - a) * i / (nbs[ni] - 1));
				int k = t_state_index(&tv.wl, t, ts), j = 0, found = 0;

				cJSON_ArrayForEach(s, states) {
					if (t_int(s, "start") == t->iv[k].start) {
						found = 1;
						hit[j] = 1;
					}
					j++;
				}
				ck_assert_msg(found, "nbTimes %d: sample %d's state missing", nbs[ni], i);
			}
			for (i = 0; i < n; i++)
				ck_assert_msg(hit[i], "nbTimes %d: state %d holds no sample", nbs[ni], i);
			free(hit);
			r++;
		}
		cJSON_Delete(m);
		query_release(&q);
		strbuf_release(&sb);
	}
	workload_release(&tv.wl);
}
END_TEST

/* tspsim's states answers go through the direct reader, and it makes what the generic path makes. */
START_TEST(model_states_direct_reader)
{
	static const int nbs[] = { 1, 7, 300, 5000 };
	struct t_view tv;
	size_t ni;

	t_view_init(&tv);
	for (ni = 0; ni < sizeof(nbs) / sizeof(nbs[0]); ni++) {
		struct strbuf sb = STRBUF_INIT, body = STRBUF_INIT;
		struct jsonw w;
		struct query q;
		char json[256], err[128], what[64];

		snprintf(json, sizeof(json), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
			 ",\"nbTimes\":%d},\"requested_items\":[0,1,2,3,4,5,6,7,8,9,10,11,12,99]}",
			 tv.wl.start, tv.wl.end, nbs[ni]);
		t_query(&q, json, Q_RANGE | Q_ITEMS);
		jsonw_init(&w, &sb);
		ck_assert_int_eq(model_tg_states(&w, &tv.v, &q, err, sizeof(err)), 0);
		ck_assert_int_eq(jsonw_finish(&w), 0);
		/* Wrapped as tspsim's handlers send it. */
		ck_assert_int_eq(strbuf_addf(&body, "{\"model\":%s,\"statusMessage\":\"Completed\","
					     "\"status\":\"COMPLETED\"}", strbuf_str(&sb)), 0);
		snprintf(what, sizeof(what), "tspsim states, nbTimes %d", nbs[ni]);
		tg_states_differential(strbuf_str(&body), body.len, 1, what);
		query_release(&q);
		strbuf_release(&sb);
		strbuf_release(&body);
	}
	workload_release(&tv.wl);
}
END_TEST

START_TEST(model_xy_total_is_the_sum)
{
	struct t_view tv;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	struct query q;
	struct strbuf json = STRBUF_INIT;
	char err[128];
	const cJSON *series, *s, *total = NULL;
	double *sum;
	cJSON *m;
	size_t i;
	int n = 37, k;

	t_view_init(&tv);
	strbuf_addf(&json, "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		    ",\"nbTimes\":%d},\"requested_items\":[1", tv.wl.start - 1000, tv.wl.end + 1000, n);
	for (i = 0; i < tv.wl.n_threads; i++)
		strbuf_addf(&json, ",%zu", i + 2);
	strbuf_addstr(&json, "]}");
	t_query(&q, strbuf_str(&json), Q_RANGE | Q_ITEMS);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(model_xy(&w, &tv.v, &q, err, sizeof(err)), 0);
	m = t_model(&sb);
	series = t_get(m, "series");
	ck_assert_int_eq(cJSON_GetArraySize(series), (int)tv.wl.n_threads + 1);
	sum = calloc((size_t)n, sizeof(*sum));
	cJSON_ArrayForEach(s, series) {
		const cJSON *x = t_get(s, "xValues"), *y = t_get(s, "yValues");

		ck_assert_int_eq(cJSON_GetArraySize(x), n);
		ck_assert_int_eq(cJSON_GetArraySize(y), n);
		ck_assert(t_item_int(cJSON_GetArrayItem(x, 0)) == tv.wl.start - 1000);
		ck_assert(t_item_int(cJSON_GetArrayItem(x, n - 1)) == tv.wl.end + 1000);
		for (k = 0; k < n; k++) {
			double v = cJSON_GetArrayItem(y, k)->valuedouble;

			ck_assert_msg(v >= 0 && v <= 100.0 + 1e-9, "y=%g", v);
			if (t_int(s, "seriesId") == 1)
				total = s;
			else
				sum[k] += v;
		}
	}
	ck_assert_ptr_nonnull(total);
	ck_assert_str_eq(t_str(total, "seriesName"), "Total");
	for (k = 0; k < n; k++) {
		double tv_ = cJSON_GetArrayItem(t_get(total, "yValues"), k)->valuedouble;

		ck_assert_msg(tv_ - sum[k] < 1e-6 && sum[k] - tv_ < 1e-6, "sample %d: total %g, sum %g", k, tv_, sum[k]);
	}
	/* The load is real: the simulation keeps the CPUs busy some of the time. */
	ck_assert(cJSON_GetArrayItem(t_get(total, "yValues"), n / 2)->valuedouble > 1.0);
	free(sum);
	cJSON_Delete(m);
	query_release(&q);
	strbuf_release(&sb);
	strbuf_release(&json);
	workload_release(&tv.wl);
}
END_TEST

START_TEST(model_running_is_partial)
{
	struct t_view tv;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	struct query q;
	char json[256], err[128];
	const cJSON *e;
	int64_t known, full, part;
	cJSON *m;

	t_view_init(&tv);
	tv.v.progress_num = 1;
	tv.v.progress_den = 3;
	known = model_known_end(&tv.v, &tv.wl);
	ck_assert(known == tv.wl.start + (tv.wl.end - tv.wl.start) / 3);
	t_query(&q, "{}", 0);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(model_tg_tree(&w, &tv.v, &q, err, sizeof(err)), 0);
	m = t_model(&sb);
	cJSON_ArrayForEach(e, t_get(m, "entries"))
		ck_assert(t_int(e, "end") == known);
	cJSON_Delete(m);
	query_release(&q);

	snprintf(json, sizeof(json), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		 ",\"nbTimes\":500},\"requested_items\":[1,2,3]}", tv.wl.start, tv.wl.end);
	t_query(&q, json, Q_RANGE | Q_ITEMS);
	strbuf_reset(&sb);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(model_tg_states(&w, &tv.v, &q, err, sizeof(err)), 0);
	m = t_model(&sb);
	cJSON_ArrayForEach(e, t_get(m, "rows")) {
		const cJSON *s;

		cJSON_ArrayForEach(s, t_get(e, "states"))
			ck_assert(t_int(s, "end") <= known);
	}
	cJSON_Delete(m);
	query_release(&q);

	t_query(&q, "{\"requested_table_count\":1}", Q_COUNT);
	strbuf_reset(&sb);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(model_table_lines(&w, &tv.v, &q, err, sizeof(err)), 0);
	m = t_model(&sb);
	part = t_int(m, "size");
	cJSON_Delete(m);
	tv.v.progress_den = 0;
	strbuf_reset(&sb);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(model_table_lines(&w, &tv.v, &q, err, sizeof(err)), 0);
	m = t_model(&sb);
	full = t_int(m, "size");
	ck_assert(full == (int64_t)tv.wl.n_events);
	ck_assert_msg(part > 0 && part < full, "part %" PRId64 " full %" PRId64, part, full);
	cJSON_Delete(m);
	query_release(&q);
	strbuf_release(&sb);
	workload_release(&tv.wl);
}
END_TEST

START_TEST(model_merge_orders_traces)
{
	struct wl_params p;
	struct workload a, b;
	const struct workload *wls[2] = { &a, &b };
	struct wl_ref *m;
	size_t n, i, na = 0;

	t_params_small(&p);
	ck_assert_int_eq(workload_generate(&a, &p, "a"), 0);
	ck_assert_int_eq(workload_generate(&b, &p, "b"), 0);
	ck_assert_int_eq(model_merge_events(wls, 2, &m, &n), 0);
	ck_assert_uint_eq(n, a.n_events + b.n_events);
	for (i = 0; i < n; i++) {
		const struct wl_event *e = &wls[m[i].trace]->events[m[i].index];

		if (i) {
			const struct wl_event *pe = &wls[m[i - 1].trace]->events[m[i - 1].index];

			ck_assert(pe->ts <= e->ts);
		}
		na += m[i].trace == 0;
	}
	ck_assert_uint_eq(na, a.n_events);
	free(m);
	workload_release(&a);
	workload_release(&b);
}
END_TEST

/* ---- the process ---- */

/* The spec validator (Node + ajv) against a running tspsim; its exit status. */
static int t_run_validator(int port, const char *extra, struct strbuf *log)
{
	char spec[512], args[1024];

	src_path(spec, sizeof(spec), "spec/tsp/API.yaml");
	snprintf(args, sizeof(args), "--spec '%s' %s --base http://127.0.0.1:%d/tsp/api", spec, extra, port);
	return run_node("tests/spec/validate-tspsim.mjs", args, log);
}

/* The last line of the validator's log ("N passed, M failed"). */
static const char *t_last_line(const struct strbuf *log)
{
	const char *s = strbuf_str(log), *end = s + log->len, *p;

	while (end > s && end[-1] == '\n')
		end--;
	for (p = end; p > s && p[-1] != '\n'; p--)
		;
	return p;
}

/* Check's messages are short: the failed checks go to stderr, the count to the message. */
static void t_print_failures(const struct strbuf *log)
{
	const char *p = strbuf_str(log);

	while ((p = strstr(p, "not ok "))) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(stderr, "validator: %.*s\n", n > 2000 ? 2000 : n, p);
		p += n;
	}
}

START_TEST(spec_validator_passes)
{
	struct strbuf log = STRBUF_INIT;
	struct proc sim;
	int rc;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "2", NULL), 0);
	rc = t_run_validator(sim.port, "--running-polls 2", &log);
	if (rc)
		t_print_failures(&log);
	ck_assert_msg(rc == 0, "validator exit %d (failed checks above): %.200s", rc, t_last_line(&log));
	/* It really ran: many checks, none failed. */
	ck_assert_msg(strstr(strbuf_str(&log), " passed, 0 failed"), "%s", t_last_line(&log));
	ck_assert_msg(atoi(t_last_line(&log)) > 200, "%s", t_last_line(&log));
	ck_assert_int_eq(proc_stop(&sim), 0);
	strbuf_release(&log);
}
END_TEST

START_TEST(spec_validator_catches_a_broken_server)
{
	struct strbuf log = STRBUF_INIT;
	struct proc sim;
	int rc;

	/* Broken answers on the time graph only: everything else still passes. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--truncate", "--fault-path", "/states", NULL), 0);
	rc = t_run_validator(sim.port, "--running-polls 2", &log);
	ck_assert_msg(rc == 1, "validator exit %d: %.200s", rc, t_last_line(&log));
	ck_assert_msg(strstr(strbuf_str(&log), "not ok") && strstr(strbuf_str(&log), "states"), "%.200s",
		      t_last_line(&log));
	ck_assert_int_eq(proc_stop(&sim), 0);
	strbuf_release(&log);
}
END_TEST

START_TEST(xy_honours_nbtimes_and_items)
{
	struct proc sim;
	struct t_exp e;
	char path[512], body[512];
	const cJSON *series, *x;
	int64_t a, b;
	cJSON *j;
	long st;
	int i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	t_exp_fetch(sim.port, &e);
	a = e.start + 1;
	b = e.end - 3;
	snprintf(body, sizeof(body), "{\"parameters\":{\"requested_timerange\":{\"start\":%" PRId64
		 ",\"end\":%" PRId64 ",\"nbTimes\":7},\"requested_items\":[5,1,999999,0]}}", a, b);
	j = t_post(sim.port, t_path(path, sizeof(path), &e, "XY/" T_CPU "/xy"), body, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(t_status(j), "COMPLETED");
	series = t_get(t_get(j, "model"), "series");
	/* Only known series, in the requested order: 999999 is unknown, 0 is the trace root. */
	ck_assert_int_eq(cJSON_GetArraySize(series), 2);
	ck_assert(t_int(cJSON_GetArrayItem(series, 0), "seriesId") == 5);
	ck_assert(t_int(cJSON_GetArrayItem(series, 1), "seriesId") == 1);
	x = t_get(cJSON_GetArrayItem(series, 0), "xValues");
	ck_assert_int_eq(cJSON_GetArraySize(x), 7);
	for (i = 0; i < 7; i++)
		ck_assert(t_item_int(cJSON_GetArrayItem(x, i)) == a + (int64_t)((__int128)(b - a) * i / 6));
	ck_assert(t_item_int(cJSON_GetArrayItem(x, 0)) == a);
	ck_assert(t_item_int(cJSON_GetArrayItem(x, 6)) == b);
	ck_assert_int_eq(cJSON_GetArraySize(t_get(cJSON_GetArrayItem(series, 0), "yValues")), 7);
	cJSON_Delete(j);

	/* Without nbTimes: the default resolution. */
	snprintf(body, sizeof(body), "{\"parameters\":{\"requested_timerange\":{\"start\":%" PRId64
		 ",\"end\":%" PRId64 "},\"requested_items\":[1]}}", a, b);
	j = t_post(sim.port, path, body, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(cJSON_GetArraySize(t_get(cJSON_GetArrayItem(t_get(t_get(j, "model"), "series"), 0),
						   "xValues")), 400);
	cJSON_Delete(j);

	/* Table lines from a time: the first event at or after it. */
	snprintf(body, sizeof(body), "{\"parameters\":{\"requested_times\":[%" PRId64 "],"
		 "\"requested_table_count\":3,\"requested_table_column_ids\":[0,3]}}", e.start + 1234567890);
	j = t_post(sim.port, t_path(path, sizeof(path), &e, "table/" T_TABLE "/lines"), body, &st);
	ck_assert_int_eq(st, 200);
	{
		const cJSON *lines = t_get(t_get(j, "model"), "lines"), *cells;
		long long s0;
		int ns1, ns2, ns3;
		int64_t ts;

		ck_assert_int_eq(cJSON_GetArraySize(lines), 3);
		cells = t_get(cJSON_GetArrayItem(lines, 0), "cells");
		ck_assert_int_eq(cJSON_GetArraySize(cells), 2);
		ck_assert_int_eq(sscanf(t_str(cJSON_GetArrayItem(cells, 0), "content"), "%lld.%d %d %d",
					&s0, &ns1, &ns2, &ns3), 4);
		ts = (int64_t)s0 * 1000000000 + ns1 * 1000000 + ns2 * 1000 + ns3;
		ck_assert(ts >= e.start + 1234567890);
		ck_assert(t_int(t_get(j, "model"), "lowIndex") == t_int(cJSON_GetArrayItem(lines, 0), "index"));
	}
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* The widest int64 ranges are valid requests: answered, no overflow (UBSan watches). */
START_TEST(extreme_ranges)
{
	static const char *const rests[] = {
		"XY/" T_CPU "/xy", "timeGraph/" T_TG "/states", "timeGraph/" T_TG "/arrows",
		"XY/" T_CPU "/tree", "data/" T_STATS "/tree", T_TG "/annotations",
		"timeGraph/" T_TG "/tooltip", "table/" T_TABLE "/lines",
	};
	static const char *const ranges[] = {
		"\"start\":-9223372036854775808,\"end\":9223372036854775807",
		"\"start\":-9223372036854775808,\"end\":-9223372036854775808",
		"\"start\":9223372036854775807,\"end\":9223372036854775807",
	};
	struct proc sim;
	struct t_exp e;
	char path[512], body[768];
	size_t i, k;
	cJSON *j;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "1", NULL), 0);
	t_exp_fetch(sim.port, &e);
	for (k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		for (i = 0; i < sizeof(rests) / sizeof(rests[0]); i++) {
			snprintf(body, sizeof(body), "{\"parameters\":{\"requested_timerange\":{%s,\"nbTimes\":%d},"
				 "\"requested_items\":[1,2,3],\"requested_times\":[-9223372036854775808],"
				 "\"requested_element\":{\"elementType\":\"ARROW\",\"time\":9223372036854775807,"
				 "\"duration\":0},\"requested_marker_set\":\"frames\",\"requested_table_count\":2,"
				 "\"requested_table_index\":9223372036854775807}}", ranges[k], k ? 1 : 65536);
			j = t_post(sim.port, t_path(path, sizeof(path), &e, rests[i]), body, &st);
			ck_assert_msg(st == 200, "%s %s: %ld", rests[i], ranges[k], st);
			cJSON_Delete(j);
		}
	}
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

START_TEST(running_then_completed)
{
	struct proc sim;
	struct t_exp e;
	char xy[512], tg[512];
	const char *tree = "{\"parameters\":{}}";
	struct strbuf out = STRBUF_INIT;
	int64_t end_running, end_done;
	cJSON *j;
	long st;
	int i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "3", NULL), 0);
	t_exp_fetch(sim.port, &e);
	t_path(xy, sizeof(xy), &e, "XY/" T_CPU "/tree");
	t_path(tg, sizeof(tg), &e, "timeGraph/" T_TG "/tree");
	for (i = 0; i < 3; i++) {
		j = t_post(sim.port, xy, tree, &st);
		ck_assert_int_eq(st, 200);
		ck_assert_msg(!strcmp(t_status(j), "RUNNING"), "poll %d: %s", i, t_status(j));
		ck_assert_str_eq(t_str(j, "statusMessage"), "Running");
		cJSON_Delete(j);
	}
	j = t_post(sim.port, xy, tree, &st);
	ck_assert_str_eq(t_status(j), "COMPLETED");
	ck_assert_str_eq(t_str(j, "statusMessage"), "Completed");
	cJSON_Delete(j);

	/* Per output: the time graph starts its own count, with a partial model. */
	j = t_post(sim.port, tg, tree, &st);
	ck_assert_str_eq(t_status(j), "RUNNING");
	end_running = t_int(cJSON_GetArrayItem(t_get(t_get(j, "model"), "entries"), 1), "end");
	cJSON_Delete(j);
	for (i = 0; i < 2; i++) {
		j = t_post(sim.port, tg, tree, &st);
		ck_assert_str_eq(t_status(j), "RUNNING");
		cJSON_Delete(j);
	}
	j = t_post(sim.port, tg, tree, &st);
	ck_assert_str_eq(t_status(j), "COMPLETED");
	end_done = t_int(cJSON_GetArrayItem(t_get(t_get(j, "model"), "entries"), 1), "end");
	cJSON_Delete(j);
	ck_assert(end_done == e.end);
	ck_assert(end_running > e.start && end_running < e.end);

	/* A 400 does not consume a poll; /_sim/reset restarts every count. */
	ck_assert_int_eq(http_post(sim.port, "/_sim/reset", "", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	j = t_post(sim.port, xy, "{}", &st);
	ck_assert_int_eq(st, 400);
	cJSON_Delete(j);
	for (i = 0; i < 4; i++) {
		j = t_post(sim.port, xy, tree, &st);
		ck_assert_str_eq(t_status(j), i < 3 ? "RUNNING" : "COMPLETED");
		cJSON_Delete(j);
	}
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&sim), 0);

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	j = t_post(sim.port, xy, tree, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(t_status(j), "COMPLETED");
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* The answers a client sees for a fixed set of requests, concatenated. */
static void t_snapshot(int port, struct strbuf *all)
{
	struct strbuf out = STRBUF_INIT;
	struct t_exp e;
	char path[512], body[512];
	long st;
	size_t i;
	static const struct {
		const char *rest, *body;
	} reqs[] = {
		{ "XY/" T_CPU "/tree", "{\"parameters\":{}}" },
		{ "XY/" T_CPU "/xy", "{\"parameters\":{\"requested_timerange\":{\"start\":%s,\"end\":%s,\"nbTimes\":40},\"requested_items\":[1,2,3,4]}}" },
		{ "timeGraph/" T_TG "/tree", "{\"parameters\":{}}" },
		{ "timeGraph/" T_TG "/states", "{\"parameters\":{\"requested_timerange\":{\"start\":%s,\"end\":%s,\"nbTimes\":300},\"requested_items\":[1,2,3,4,5,6,7,8]}}" },
		{ "timeGraph/" T_TG "/arrows", "{\"parameters\":{\"requested_timerange\":{\"start\":%s,\"end\":%s}}}" },
		{ "table/" T_TABLE "/lines", "{\"parameters\":{\"requested_table_index\":100,\"requested_table_count\":50}}" },
		{ "data/" T_STATS "/tree", "{\"parameters\":{}}" },
		{ T_TG "/annotations", "{\"parameters\":{\"requested_timerange\":{\"start\":%s,\"end\":%s},\"requested_marker_set\":\"frames\"}}" },
	};
	char s[32], en[32];

	t_exp_fetch(port, &e);
	snprintf(s, sizeof(s), "%" PRId64, e.start);
	snprintf(en, sizeof(en), "%" PRId64, e.end);
	ck_assert_int_eq(http_get(port, "/tsp/api/experiments", &st, &out), 0);
	strbuf_add(all, out.buf, out.len);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		snprintf(body, sizeof(body), reqs[i].body, s, en);
		ck_assert_int_eq(http_post(port, t_path(path, sizeof(path), &e, reqs[i].rest), body, &st, &out), 0);
		ck_assert_msg(st == 200, "%s: %ld %s", reqs[i].rest, st, strbuf_str(&out));
		strbuf_add(all, out.buf, out.len);
		strbuf_addch(all, '\n');
	}
	strbuf_release(&out);
}

START_TEST(same_flags_same_bytes)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
	struct proc p1, p2, p3;

	ck_assert_int_eq(start_tspsim(&p1, "--quiet", "--running-polls", "0", "--seed", "7",
				      "--threads", "30", "--events", "6000", NULL), 0);
	ck_assert_int_eq(start_tspsim(&p2, "--quiet", "--running-polls", "0", "--seed", "7",
				      "--threads", "30", "--events", "6000", NULL), 0);
	ck_assert_int_eq(start_tspsim(&p3, "--quiet", "--running-polls", "0", "--seed", "8",
				      "--threads", "30", "--events", "6000", NULL), 0);
	t_snapshot(p1.port, &a);
	t_snapshot(p2.port, &b);
	t_snapshot(p3.port, &c);
	ck_assert_uint_gt(a.len, 10000);
	ck_assert_msg(a.len == b.len && !memcmp(a.buf, b.buf, a.len), "two runs differ");
	ck_assert_msg(a.len != c.len || memcmp(a.buf, c.buf, a.len), "another seed gives the same answers");
	ck_assert_int_eq(proc_stop(&p1), 0);
	ck_assert_int_eq(proc_stop(&p2), 0);
	ck_assert_int_eq(proc_stop(&p3), 0);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
}
END_TEST

START_TEST(fault_flags)
{
	struct strbuf out = STRBUF_INIT;
	struct proc sim;
	char err[128];
	double t0;
	cJSON *j;
	long st;

	/* 500: an ErrorResponse body. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--fail-500", NULL), 0);
	j = t_getj(sim.port, "/tsp/api/health", &st);
	ck_assert_int_eq(st, 500);
	ck_assert(strlen(t_str(j, "title")) > 0);
	cJSON_Delete(j);
	/* The control endpoint is never faulty and reports the flag. */
	j = t_getj(sim.port, "/_sim/faults", &st);
	ck_assert_int_eq(st, 200);
	ck_assert(cJSON_IsTrue(t_get(j, "http_500")));
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* Malformed: 200, and not JSON. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--malformed-json", NULL), 0);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/experiments", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	j = json_parse_exact(out.buf, out.len, err, sizeof(err));
	ck_assert_msg(j == NULL, "parsed: %s", strbuf_str(&out));
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* Dropped: a transport error, no status. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--drop-connection", NULL), 0);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), -1);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* Latency: the answer comes, late. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--latency-ms", "400", NULL), 0);
	t0 = t_now_ms();
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_msg(t_now_ms() - t0 >= 400, "answered after %.0f ms", t_now_ms() - t0);
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* Running forever, even with no RUNNING polls configured. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-forever", "--running-polls", "0", NULL), 0);
	{
		struct t_exp e;
		char path[512];
		int i;

		t_exp_fetch(sim.port, &e);
		for (i = 0; i < 6; i++) {
			j = t_post(sim.port, t_path(path, sizeof(path), &e, "data/" T_STATS "/tree"),
				   "{\"parameters\":{}}", &st);
			ck_assert_int_eq(st, 200);
			ck_assert_str_eq(t_status(j), "RUNNING");
			cJSON_Delete(j);
		}
	}
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* A path filter: faults only where the path matches. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--fail-500", "--fault-path", "/traces", NULL), 0);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/traces", &st, &out), 0);
	ck_assert_int_eq(st, 500);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(proc_stop(&sim), 0);
	strbuf_release(&out);
}
END_TEST

START_TEST(faults_change_at_run_time)
{
	struct strbuf normal = STRBUF_INIT, out = STRBUF_INIT;
	struct proc sim;
	char err[128];
	cJSON *j;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", NULL), 0);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/experiments", &st, &normal), 0);
	ck_assert_int_eq(st, 200);

	/* Truncate: the same answer, cut in half. */
	ck_assert_int_eq(http_post(sim.port, "/_sim/faults", "{\"truncate\":true}", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/experiments", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_uint_eq(out.len, normal.len / 2);
	ck_assert(!memcmp(out.buf, normal.buf, out.len));
	j = json_parse_exact(out.buf, out.len, err, sizeof(err));
	ck_assert_ptr_null(j);

	/* 500 on, with a filter; then everything off. */
	ck_assert_int_eq(http_post(sim.port, "/_sim/faults",
				   "{\"truncate\":false,\"http_500\":true,\"path_filter\":\"/health\"}", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	j = t_parse(out.buf, out.len);
	ck_assert_str_eq(t_str(j, "path_filter"), "/health");
	ck_assert(cJSON_IsFalse(t_get(j, "truncate")));
	cJSON_Delete(j);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), 0);
	ck_assert_int_eq(st, 500);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/experiments", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert(out.len == normal.len && !memcmp(out.buf, normal.buf, out.len));
	{
		char url[128];

		snprintf(url, sizeof(url), "http://127.0.0.1:%d/_sim/faults", sim.port);
		ck_assert_int_eq(http_do("DELETE", url, NULL, &st, &out), 0);
		ck_assert_int_eq(st, 200);
	}
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);

	/* Bad updates are refused and change nothing. */
	ck_assert_int_eq(http_post(sim.port, "/_sim/faults", "{\"nope\":true}", &st, &out), 0);
	ck_assert_int_eq(st, 400);
	ck_assert_int_eq(http_post(sim.port, "/_sim/faults", "{\"http_500\":true,\"latency_ms\":-1}", &st, &out), 0);
	ck_assert_int_eq(st, 400);
	ck_assert_int_eq(http_get(sim.port, "/tsp/api/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(http_get(sim.port, "/_sim/nothing", &st, &out), 0);
	ck_assert_int_eq(st, 404);
	ck_assert_int_eq(proc_stop(&sim), 0);
	strbuf_release(&normal);
	strbuf_release(&out);
}
END_TEST

START_TEST(errors_404_400_405)
{
	struct strbuf out = STRBUF_INIT;
	struct proc sim;
	struct t_exp e;
	char path[512], url[600];
	static const char *const nil = "00000000-0000-4000-8000-000000000000";
	cJSON *j;
	long st;
	static const struct {
		const char *method, *path;
		const char *body;
		long status;
	} cases[] = {
		{ "GET", "/tsp/api/nosuch", NULL, 404 },
		{ "GET", "/nosuch", NULL, 404 },
		{ "GET", "/tsp/api/experiments/%s", NULL, 404 },      /* nil uuid */
		{ "POST", "/tsp/api/experiments/%s/outputs/XY/" T_CPU "/tree", "{\"parameters\":{}}", 404 },
		{ "PUT", "/tsp/api/health", "{}", 405 },
		{ "GET", "/tsp/api/experiments/%s/outputs/XY/" T_CPU "/xy", NULL, 405 },
	};
	size_t i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	t_exp_fetch(sim.port, &e);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[512];

		snprintf(p, sizeof(p), cases[i].path, i == 5 ? e.uuid : nil);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", sim.port, p);
		ck_assert_int_eq(http_do(cases[i].method, url, cases[i].body, &st, &out), 0);
		ck_assert_msg(st == cases[i].status, "%s %s: %ld %s", cases[i].method, p, st, strbuf_str(&out));
		j = t_parse(out.buf, out.len);
		ck_assert(strlen(t_str(j, "title")) > 0);
		cJSON_Delete(j);
	}
	/* Unknown output, output of the wrong kind, bad body, missing parameter. */
	j = t_post(sim.port, t_path(path, sizeof(path), &e, "XY/no.such/tree"), "{\"parameters\":{}}", &st);
	ck_assert_int_eq(st, 404);
	cJSON_Delete(j);
	j = t_post(sim.port, t_path(path, sizeof(path), &e, "XY/" T_TG "/tree"), "{\"parameters\":{}}", &st);
	ck_assert_int_eq(st, 404);
	cJSON_Delete(j);
	j = t_post(sim.port, t_path(path, sizeof(path), &e, "timeGraph/" T_TG "/states"), "{\"parameters\":", &st);
	ck_assert_int_eq(st, 400);
	cJSON_Delete(j);
	j = t_post(sim.port, path, "{\"parameters\":{\"requested_items\":[1]}}", &st);
	ck_assert_int_eq(st, 400);
	ck_assert_msg(strstr(t_str(j, "detail"), "requested_timerange"), "%s", t_str(j, "detail"));
	cJSON_Delete(j);
	j = t_post(sim.port, path, "{\"parameters\":{\"requested_timerange\":{\"start\":1,\"end\":2,"
		   "\"nbTimes\":70000},\"requested_items\":[1]}}", &st);
	ck_assert_int_eq(st, 400);
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&sim), 0);
	strbuf_release(&out);
}
END_TEST

START_TEST(traces_and_experiments)
{
	struct proc sim;
	char body[512], path[512], uuid_other[64], uuid_kernel[64];
	struct t_exp both;
	int64_t later;
	cJSON *j;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	j = t_getj(sim.port, "/tsp/api/traces", &st);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	snprintf(uuid_kernel, sizeof(uuid_kernel), "%s", t_str(cJSON_GetArrayItem(j, 0), "UUID"));
	ck_assert_str_eq(t_str(cJSON_GetArrayItem(j, 0), "path"), "/traces/kernel");
	cJSON_Delete(j);

	/* The name defaults to the uri's last component. */
	j = t_post(sim.port, "/tsp/api/traces", "{\"parameters\":{\"uri\":\"/data/web-01/\"}}", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(t_str(j, "name"), "web-01");
	snprintf(uuid_other, sizeof(uuid_other), "%s", t_str(j, "UUID"));
	cJSON_Delete(j);

	snprintf(body, sizeof(body), "{\"parameters\":{\"name\":\"both\",\"traces\":[\"%s\",\"%s\"]}}",
		 uuid_kernel, uuid_other);
	j = t_post(sim.port, "/tsp/api/experiments", body, &st);
	ck_assert_int_eq(st, 200);
	snprintf(both.uuid, sizeof(both.uuid), "%s", t_str(j, "UUID"));
	both.start = t_int(j, "start");
	both.end = t_int(j, "end");
	ck_assert_int_eq(cJSON_GetArraySize(t_get(j, "traces")), 2);
	/* From where both traces have started, their events interleave. */
	later = t_int(cJSON_GetArrayItem(t_get(j, "traces"), 0), "start");
	if (t_int(cJSON_GetArrayItem(t_get(j, "traces"), 1), "start") > later)
		later = t_int(cJSON_GetArrayItem(t_get(j, "traces"), 1), "start");
	ck_assert(both.start < later);
	cJSON_Delete(j);

	/* Two traces: two roots in the trees, events of both in time order. */
	j = t_post(sim.port, t_path(path, sizeof(path), &both, "timeGraph/" T_TG "/tree"), "{\"parameters\":{}}", &st);
	{
		const cJSON *en;
		int roots = 0;

		cJSON_ArrayForEach(en, t_get(t_get(j, "model"), "entries"))
			roots += t_int(en, "parentId") == -1;
		ck_assert_int_eq(roots, 2);
	}
	cJSON_Delete(j);
	snprintf(body, sizeof(body), "{\"parameters\":{\"requested_times\":[%" PRId64 "],"
		 "\"requested_table_count\":400,\"requested_table_column_ids\":[0,1]}}", later);
	j = t_post(sim.port, t_path(path, sizeof(path), &both, "table/" T_TABLE "/lines"), body, &st);
	{
		const cJSON *line;
		char prev[64] = "";
		int traces_seen = 0;

		cJSON_ArrayForEach(line, t_get(t_get(j, "model"), "lines")) {
			const cJSON *cells = t_get(line, "cells");
			const char *ts = t_str(cJSON_GetArrayItem(cells, 0), "content");

			/* Fixed-width seconds and ns groups: text order is time order. */
			ck_assert_msg(strcmp(prev, ts) <= 0, "%s after %s", ts, prev);
			snprintf(prev, sizeof(prev), "%s", ts);
			traces_seen |= !strcmp(t_str(cJSON_GetArrayItem(cells, 1), "content"), "kernel") ? 1 : 2;
		}
		ck_assert_int_eq(traces_seen, 3);
	}
	cJSON_Delete(j);

	/* In use: the trace cannot go; the experiment can, then the trace. */
	snprintf(path, sizeof(path), "http://127.0.0.1:%d/tsp/api/traces/%s", sim.port, uuid_other);
	{
		struct strbuf out = STRBUF_INIT;
		char url[256];

		ck_assert_int_eq(http_do("DELETE", path, NULL, &st, &out), 0);
		ck_assert_int_eq(st, 409);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api/experiments/%s", sim.port, both.uuid);
		ck_assert_int_eq(http_do("DELETE", url, NULL, &st, &out), 0);
		ck_assert_int_eq(st, 200);
		j = t_parse(out.buf, out.len);
		ck_assert_str_eq(t_str(j, "indexingStatus"), "CLOSED");
		cJSON_Delete(j);
		ck_assert_int_eq(http_do("DELETE", path, NULL, &st, &out), 0);
		ck_assert_int_eq(st, 200);
		strbuf_release(&out);
	}
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

struct t_inflight {
	int port;
	int rc;
	long status;
};

static void *t_slow_request(void *arg)
{
	struct t_inflight *r = arg;
	struct strbuf out = STRBUF_INIT;

	r->rc = http_get(r->port, "/tsp/api/health", &r->status, &out);
	strbuf_release(&out);
	return NULL;
}

START_TEST(stops_cleanly_with_a_delayed_answer_in_flight)
{
	struct t_inflight r = { 0, 0, 0 };
	struct proc sim;
	pthread_t th;
	double t0;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--latency-ms", "30000", NULL), 0);
	r.port = sim.port;
	ck_assert_int_eq(pthread_create(&th, NULL, t_slow_request, &r), 0);
	usleep(under_valgrind() ? 1000000 : 200000);
	t0 = t_now_ms();
	/* SIGTERM wakes the delayed answer: exit 0, long before the 30 s delay. */
	ck_assert_int_eq(proc_stop(&sim), 0);
	ck_assert_msg(t_now_ms() - t0 < (under_valgrind() ? 20000 : 5000), "stop took %.0f ms", t_now_ms() - t0);
	pthread_join(th, NULL);
}
END_TEST

START_TEST(help_and_bad_flags)
{
	const char *exe = getenv("TSPB_TSPSIM");
	char cmd[1024], buf[8192];
	struct {
		const char *args;
		int rc;
		const char *text;
	} cases[] = {
		{ "--help", 0, "--running-polls K" },
		{ "--version", 0, "tspsim " TSPB_VERSION },
		{ "--port nope", 2, "--port: 'nope'" },
		{ "--cpus 0", 2, "--cpus" },
		{ "--bogus", 2, "unknown option" },
		{ "--listen 999.1.1.1 --port 0", 1, "not an IPv4 or IPv6 address" },
	};
	size_t i, n;

	ck_assert_ptr_nonnull(exe);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *p;
		int status;

		snprintf(cmd, sizeof(cmd), "%s %s 2>&1", exe, cases[i].args);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		n = fread(buf, 1, sizeof(buf) - 1, p);
		buf[n] = '\0';
		status = pclose(p);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == cases[i].rc, "%s: status %d\n%s",
			      cases[i].args, status, buf);
		ck_assert_msg(strstr(buf, cases[i].text), "%s:\n%s", cases[i].args, buf);
	}
}
END_TEST

Suite *tspsim_suite(void)
{
	Suite *s = suite_create("tspsim");
	TCase *unit = tcase_create("models");
	TCase *proc = tcase_create("process");

	tcase_set_timeout(unit, under_valgrind() ? 600 : 60);
	tcase_add_test(unit, sample_times_are_exact_and_even);
	tcase_add_test(unit, formats_and_uuids);
	tcase_add_test(unit, workload_is_deterministic);
	tcase_add_test(unit, workload_is_consistent);
	tcase_add_test(unit, workload_scales);
	tcase_add_test(unit, query_parsing);
	tcase_add_test(unit, model_states_follow_samples);
	tcase_add_test(unit, model_states_direct_reader);
	tcase_add_test(unit, model_xy_total_is_the_sum);
	tcase_add_test(unit, model_running_is_partial);
	tcase_add_test(unit, model_merge_orders_traces);
	suite_add_tcase(s, unit);

	tcase_set_timeout(proc, under_valgrind() ? 900 : 120);
	tcase_add_test(proc, spec_validator_passes);
	tcase_add_test(proc, spec_validator_catches_a_broken_server);
	tcase_add_test(proc, xy_honours_nbtimes_and_items);
	tcase_add_test(proc, extreme_ranges);
	tcase_add_test(proc, running_then_completed);
	tcase_add_test(proc, same_flags_same_bytes);
	tcase_add_test(proc, fault_flags);
	tcase_add_test(proc, faults_change_at_run_time);
	tcase_add_test(proc, errors_404_400_405);
	tcase_add_test(proc, traces_and_experiments);
	tcase_add_test(proc, stops_cleanly_with_a_delayed_answer_in_flight);
	tcase_add_test(proc, help_and_bad_flags);
	suite_add_tcase(s, proc);
	return s;
}
