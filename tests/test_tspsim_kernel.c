/*
 * tspsim's kernel analyses (docs/kernel-analyses.md), model by model, against
 * what the workload says when read independently: syscall segments paired
 * from the events here, the thread on a CPU from the thread intervals, the
 * wake-ups from the workload's arrows. No network: the spec walk of every
 * endpoint is tests/spec/validate-tspsim.mjs (tspsim suite).
 *
 * tspsim's modules are compiled into test_tspsim.c; this file uses them
 * through their headers.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"
#include "jsonw.h"
#include "kernel.h"
#include "models.h"
#include "strbuf.h"
#include "workload.h"

/* ---- helpers (k_) ---- */

struct k_env {
	struct workload wl;
	const struct workload *wls[1];
	struct model_view v;
	struct strbuf sb;
	cJSON *last;
};

static void k_init(struct k_env *e)
{
	struct wl_params p;

	wl_params_default(&p);
	p.threads = 12;
	p.events = 6000;
	p.duration_ns = INT64_C(2000000000);
	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(workload_generate(&e->wl, &p, "kernel"), 0);
	e->wls[0] = &e->wl;
	e->v.wl = e->wls;
	e->v.n = 1;
	strbuf_init(&e->sb, (size_t)1 << 28);   /* a cap, not a size */
}

static void k_done(struct k_env *e)
{
	cJSON_Delete(e->last);
	strbuf_release(&e->sb);
	workload_release(&e->wl);
}

/* Runs writer fn with parameters `params` (JSON text); answers its parsed model. */
static const cJSON *k_run(struct k_env *e, model_fn fn, const char *params, unsigned need)
{
	char err[256];
	cJSON *pj = json_parse_exact(params, strlen(params), err, sizeof(err));
	struct query q;
	struct jsonw w;

	ck_assert_msg(pj != NULL, "%s: %s", params, err);
	query_init(&q);
	ck_assert_msg(query_parse(&q, pj, need, err, sizeof(err)) == 0, "%s: %s", params, err);
	cJSON_Delete(pj);
	strbuf_reset(&e->sb);
	jsonw_init(&w, &e->sb);
	ck_assert_msg(fn(&w, &e->v, &q, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	query_release(&q);
	cJSON_Delete(e->last);
	e->last = json_parse_exact(strbuf_str(&e->sb), e->sb.len, err, sizeof(err));
	ck_assert_msg(e->last != NULL, "not JSON (%s): %.200s", err, strbuf_str(&e->sb));
	return e->last;
}

static const cJSON *k_get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	ck_assert_msg(v != NULL, "member '%s' missing", k);
	return v;
}

static int64_t k_int(const cJSON *o, const char *k)
{
	int64_t v = 0;

	ck_assert_int_eq(json_get_int64(k_get(o, k), &v), JSON_OK);
	return v;
}

static int64_t k_item(const cJSON *a, int i)
{
	int64_t v = 0;

	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(a, i), &v), JSON_OK);
	return v;
}

static const char *k_label(const cJSON *entry, int i)
{
	return cJSON_GetArrayItem(k_get(entry, "labels"), i)->valuestring;
}

/* "12.346 ms" -> ns (as a double). */
static double k_duration(const char *s)
{
	char unit[8] = "";
	double v = 0;

	ck_assert_msg(sscanf(s, "%lf %7s", &v, unit) >= 1, "duration '%s'", s);
	if (!strcmp(unit, "s"))
		return v * 1e9;
	if (!strcmp(unit, "ms"))
		return v * 1e6;
	if (!strcmp(unit, "\xc2\xb5s"))
		return v * 1e3;
	return v;
}

/* Syscall segments paired here from the events: counts per syscall, and the list. */
struct k_seg {
	int64_t start, end;
	int32_t thread;
	int sc;
};

static size_t k_segments(const struct workload *wl, struct k_seg *out, size_t cap, int64_t *count)
{
	int64_t open[256];
	int sc_open[256];
	size_t i, n = 0;

	ck_assert(wl->n_threads <= 256);
	for (i = 0; i < wl->n_threads; i++)
		open[i] = -1;
	memset(count, 0, WL_N_SYSCALLS * sizeof(*count));
	for (i = 0; i < wl->n_events; i++) {
		const struct wl_event *ev = &wl->events[i];

		if (ev->type == WL_EV_SYSCALL_ENTRY) {
			open[ev->thread] = ev->ts;
			sc_open[ev->thread] = ev->aux;
		} else if (ev->type == WL_EV_SYSCALL_EXIT && open[ev->thread] >= 0) {
			ck_assert_int_eq(sc_open[ev->thread], ev->aux);
			count[ev->aux]++;
			if (out && n < cap)
				out[n] = (struct k_seg){ open[ev->thread], ev->ts, ev->thread, ev->aux };
			n++;
			open[ev->thread] = -1;
		}
	}
	return n;
}

static int k_sc_index(const char *name)
{
	int i;

	for (i = 0; i < WL_N_SYSCALLS; i++)
		if (!strcmp(wl_syscall_name(i), name))
			return i;
	return -1;
}

/* ---- the output list ---- */

START_TEST(kernel_outputs_are_listed)
{
	static const struct {
		int out;
		const char *type;
	} want[] = {
		{ OUT_RESOURCES, "TIME_GRAPH" }, { OUT_LAT_SCATTER, "TREE_TIME_XY" },
		{ OUT_LAT_STATS, "DATA_TREE" }, { OUT_LAT_DENSITY, "TREE_GENERIC_XY" },
		{ OUT_DISK_IO, "TREE_TIME_XY" }, { OUT_MEMORY, "TREE_TIME_XY" },
		{ OUT_CRITICAL_PATH, "TIME_GRAPH" }, { OUT_LAT_TABLE, "TABLE" },
	};
	size_t i;

	ck_assert_int_eq(OUT_COUNT, 13);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct out_desc *d = model_output(want[i].out);

		ck_assert_str_eq(d->type, want[i].type);
		ck_assert_int_eq(model_output_find(d->id), want[i].out);
		ck_assert((d->tree || !strcmp(d->type, "TABLE")) && (d->data || !strcmp(d->type, "DATA_TREE")));
		ck_assert(strcmp(d->type, "TABLE") || d->columns);
		ck_assert(strcmp(d->type, "TIME_GRAPH") || (d->arrows && d->tooltip));
	}
	ck_assert_str_eq(model_output(OUT_LAT_STATS)->id,
			 "org.eclipse.tracecompass.analysis.timing.core.segmentstore."
			 "SegmentStoreStatisticsDataProvider:org.eclipse.tracecompass.analysis.os.linux.latency.syscall");
	ck_assert_str_eq(model_output(OUT_RESOURCES)->name, "Resources Status");
}
END_TEST

/* ---- System Call Latency ---- */

START_TEST(latency_statistics_follow_the_segments)
{
	struct k_env e;
	const cJSON *m, *ent;
	int64_t count[WL_N_SYSCALLS], total;
	int seen = 0, sc;
	char params[256];

	k_init(&e);
	total = (int64_t)k_segments(&e.wl, NULL, 0, count);
	ck_assert(total > 100);
	snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		 "},\"isFiltered\":true}", e.wl.start, e.wl.start + (e.wl.end - e.wl.start) / 4);
	m = k_run(&e, lat_stats_tree, params, 0);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "headers")), 9);
	cJSON_ArrayForEach(ent, k_get(m, "entries")) {
		int64_t parent = k_int(ent, "parentId");
		double mn, mx, avg;

		if (parent == -1 || !strcmp(k_label(ent, 0), "Total")) {
			ck_assert_int_eq(atoll(k_label(ent, 5)), total);
			continue;
		}
		if (!strcmp(k_label(ent, 0), "Selection") || parent != 1)
			continue;       /* the Selection's own entries are checked below */
		sc = k_sc_index(k_label(ent, 0));
		ck_assert_int_ge(sc, 0);
		ck_assert_int_eq(atoll(k_label(ent, 5)), count[sc]);
		mn = k_duration(k_label(ent, 1));
		mx = k_duration(k_label(ent, 2));
		avg = k_duration(k_label(ent, 3));
		ck_assert_msg(mn <= avg * 1.001 && avg <= mx * 1.001, "%s: %g %g %g", k_label(ent, 0), mn, avg, mx);
		/* The min time range is a segment of the min's duration. */
		{
			int64_t s = 0, t = 0;

			ck_assert(sscanf(k_label(ent, 7), "[%" SCNd64 ",%" SCNd64 "]", &s, &t) == 2);
			ck_assert_msg(fabs((double)(t - s) - mn) <= mn * 0.001 + 1, "%g vs %" PRId64, mn, t - s);
		}
		seen++;
	}
	for (sc = 0; sc < WL_N_SYSCALLS; sc++)
		seen -= count[sc] > 0;
	ck_assert_int_eq(seen, 0);      /* one entry per syscall that has segments */
	/* The Selection counts the segments intersecting the range. */
	{
		int64_t a = e.wl.start, b = e.wl.start + (e.wl.end - e.wl.start) / 4, in = 0;
		struct k_seg *segs = calloc((size_t)total, sizeof(*segs));
		size_t i, n = k_segments(&e.wl, segs, (size_t)total, count);

		for (i = 0; i < n; i++)
			in += segs[i].start <= b && segs[i].end >= a;
		cJSON_ArrayForEach(ent, k_get(m, "entries"))
			if (!strcmp(k_label(ent, 0), "Selection"))
				ck_assert_int_eq(atoll(k_label(ent, 5)), in);
		free(segs);
	}
	k_done(&e);
}
END_TEST

START_TEST(latency_scatter_points_are_segments)
{
	struct k_env e;
	const cJSON *m, *s;
	int64_t count[WL_N_SYSCALLS];
	size_t total, i;
	struct k_seg *segs;
	char params[256];
	int checked = 0;

	k_init(&e);
	total = k_segments(&e.wl, NULL, 0, count);
	segs = calloc(total, sizeof(*segs));
	k_segments(&e.wl, segs, total, count);
	/* Leaves: local ids KX_LAT_LEAF + syscall. */
	snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		 ",\"nbTimes\":65536},\"requested_items\":[0,1,%d,%d]}", e.wl.start, e.wl.end,
		 KX_LAT_LEAF + 0, KX_LAT_LEAF + 1);
	m = k_run(&e, lat_scatter_xy, params, Q_RANGE | Q_ITEMS);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "series")), 3);       /* no series for the root */
	cJSON_ArrayForEach(s, k_get(m, "series")) {
		const cJSON *x = k_get(s, "xValues"), *y = k_get(s, "yValues");
		int sc = (int)k_int(s, "seriesId") - KX_LAT_LEAF, n = cJSON_GetArraySize(x), p;

		ck_assert_str_eq(k_get(k_get(k_get(s, "style"), "values"), "series-type")->valuestring, "scatter");
		if (sc < 0) {
			ck_assert_int_eq(n, 0);         /* a component group: no segment of that name */
			continue;
		}
		ck_assert(n > 0 && n <= count[sc]);
		for (p = 0; p < n; p++) {
			int64_t x0 = k_item(x, p), d = (int64_t)cJSON_GetArrayItem(y, p)->valuedouble;
			int found = 0;

			for (i = 0; i < total && !found; i++)
				found = segs[i].sc == sc && segs[i].start == x0 && segs[i].end - segs[i].start == d;
			ck_assert_msg(found, "point (%" PRId64 ", %" PRId64 ") is no %s segment", x0, d, wl_syscall_name(sc));
			checked++;
		}
	}
	ck_assert(checked > 10);
	free(segs);
	k_done(&e);
}
END_TEST

START_TEST(latency_density_bins_every_segment_once)
{
	struct k_env e;
	const cJSON *m, *s;
	int64_t count[WL_N_SYSCALLS];
	char params[256];

	k_init(&e);
	k_segments(&e.wl, NULL, 0, count);
	snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		 ",\"nbSamples\":17},\"requested_items\":[%d,%d,%d]}", e.wl.start, e.wl.end,
		 KX_LAT_LEAF + 4, KX_LAT_LEAF + 7, KX_LAT_LEAF + 9);
	m = k_run(&e, lat_density_xy, params, Q_RANGE | Q_ITEMS);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "series")), 3);
	cJSON_ArrayForEach(s, k_get(m, "series")) {
		const cJSON *r = k_get(s, "xRanges"), *y = k_get(s, "yValues");
		int sc = (int)k_int(s, "seriesId") - KX_LAT_LEAF, i;
		double sum = 0;

		ck_assert_str_eq(k_get(s, "seriesName")->valuestring, wl_syscall_name(sc));
		ck_assert_int_eq(cJSON_GetArraySize(r), 17);
		ck_assert_int_eq(k_int(cJSON_GetArrayItem(r, 0), "start"), 0);
		for (i = 0; i < 17; i++) {
			sum += cJSON_GetArrayItem(y, i)->valuedouble;
			if (i)  /* contiguous bins */
				ck_assert(k_int(cJSON_GetArrayItem(r, i), "start") ==
					  k_int(cJSON_GetArrayItem(r, i - 1), "end") + 1);
		}
		ck_assert_msg((int64_t)sum == count[sc], "%s: %g vs %" PRId64, wl_syscall_name(sc), sum, count[sc]);
	}
	k_done(&e);
}
END_TEST

START_TEST(latency_table_lists_every_segment_by_start)
{
	struct k_env e;
	const cJSON *m, *line;
	int64_t count[WL_N_SYSCALLS], prev = INT64_MIN;
	struct k_seg *segs;
	size_t total, i;
	char params[256];
	int n = 0;

	k_init(&e);
	total = k_segments(&e.wl, NULL, 0, count);
	segs = calloc(total, sizeof(*segs));
	k_segments(&e.wl, segs, total, count);
	snprintf(params, sizeof(params), "{\"requested_table_index\":5,\"requested_table_count\":%zu,"
		 "\"requested_table_column_ids\":[8,3,4,2]}", total);
	m = k_run(&e, lat_table_lines, params, Q_COUNT);
	ck_assert_int_eq(k_int(m, "size"), (int64_t)total);
	ck_assert_int_eq(k_int(m, "lowIndex"), 5);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "lines")), (int)total - 5);
	cJSON_ArrayForEach(line, k_get(m, "lines")) {
		const cJSON *c = k_get(line, "cells");
		int64_t start = atoll(k_get(cJSON_GetArrayItem(c, 0), "content")->valuestring), dur = 0;
		const char *d = k_get(cJSON_GetArrayItem(c, 3), "content")->valuestring;
		int found = 0;

		for (; *d; d++)         /* "1,234,567" */
			if (*d != ',')
				dur = dur * 10 + (*d - '0');
		ck_assert(start >= prev);       /* start order */
		prev = start;
		for (i = 0; i < total && !found; i++)
			found = segs[i].start == start && segs[i].end - segs[i].start == dur &&
				!strcmp(wl_syscall_name(segs[i].sc), k_get(cJSON_GetArrayItem(c, 1), "content")->valuestring) &&
				e.wl.threads[segs[i].thread].tid == atoi(k_get(cJSON_GetArrayItem(c, 2), "content")->valuestring);
		ck_assert_msg(found, "line %d is no segment", n);
		n++;
	}
	/* A time search starts at the first segment starting at or after the time. */
	{
		int64_t t = segs[total / 2].start + 1, before = 0;

		for (i = 0; i < total; i++)
			before += segs[i].start < t;
		snprintf(params, sizeof(params), "{\"requested_times\":[%" PRId64 "],\"requested_table_count\":1}", t);
		m = k_run(&e, lat_table_lines, params, Q_COUNT);
		ck_assert_int_eq(k_int(m, "lowIndex"), before);
		line = cJSON_GetArrayItem(k_get(m, "lines"), 0);
		ck_assert_int_ge(atoll(k_get(cJSON_GetArrayItem(k_get(line, "cells"), 8), "content")->valuestring), t);
	}
	free(segs);
	k_done(&e);
}
END_TEST

/* ---- Resources Status ---- */

/* The thread of CPU c on the CPU at ts by a plain scan, and its interval; -1 idle. */
static int k_on_cpu(const struct workload *wl, int c, int64_t ts, const struct wl_interval **ivp)
{
	size_t j, k;

	for (j = 0; j < wl->n_threads; j++) {
		const struct wl_thread *t = &wl->threads[j];

		if (t->cpu != c)
			continue;
		for (k = 0; k < t->n_iv; k++) {
			int64_t end = k + 1 < t->n_iv ? t->iv[k + 1].start : wl->end;
			int st = t->iv[k].state;

			if (t->iv[k].start <= ts && ts < end &&
			    (st == WL_ST_USERMODE || st == WL_ST_SYSCALL || st == WL_ST_INTERRUPTED)) {
				*ivp = &t->iv[k];
				return (int)j;
			}
		}
	}
	return -1;
}

START_TEST(resources_rows_show_the_thread_on_the_cpu)
{
	struct k_env e;
	const cJSON *m, *row, *st;
	char params[512], buf[96];
	int c, checked = 0, idle = 0;

	k_init(&e);
	for (c = 0; c < e.wl.params.cpus; c++) {
		/* Local ids: 1 + 3c "CPU c Threads", 2 + 3c "CPU c States". */
		snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
			 ",\"nbTimes\":300},\"requested_items\":[%d,%d]}", e.wl.start, e.wl.end, 1 + 3 * c, 2 + 3 * c);
		m = k_run(&e, res_states, params, Q_RANGE | Q_ITEMS);
		ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "rows")), 2);
		cJSON_ArrayForEach(row, k_get(m, "rows")) {
			int threads = k_int(row, "entryId") == 1 + 3 * c;

			cJSON_ArrayForEach(st, k_get(row, "states")) {
				int64_t a = k_int(st, "start"), b = k_int(st, "end"), mid = a + (b - a) / 2;
				const cJSON *lab = cJSON_GetObjectItemCaseSensitive(st, "label");
				const struct wl_interval *iv = NULL;
				int j = k_on_cpu(&e.wl, c, mid, &iv);

				ck_assert(a < b || b == e.wl.end);
				if (j < 0) {
					ck_assert(!lab);
					idle++;
					continue;
				}
				if (threads) {
					snprintf(buf, sizeof(buf), "%s (%d)", e.wl.threads[j].comm, e.wl.threads[j].tid);
					ck_assert_str_eq(lab->valuestring, buf);
				} else if (iv->state == WL_ST_USERMODE) {
					ck_assert_str_eq(lab->valuestring, e.wl.threads[j].comm);
				} else if (iv->state == WL_ST_SYSCALL) {
					ck_assert_str_eq(lab->valuestring, wl_syscall_name(iv->aux));
				} else {
					ck_assert(!lab);
					ck_assert_str_eq(k_get(k_get(st, "style"), "parentKey")->valuestring, "Interrupt");
				}
				checked++;
			}
		}
	}
	ck_assert(checked > 50 && idle > 0);
	k_done(&e);
}
END_TEST

START_TEST(resources_tooltip_and_irq_rows)
{
	struct k_env e;
	const cJSON *m, *row, *st, *ent;
	cJSON *tree;
	const struct wl_interval *iv = NULL;
	char params[512];
	int64_t ts = 0;
	int c = 0, j = -1, irq_rows = 0, active = 0;
	size_t i;

	k_init(&e);
	/* A time when CPU c runs a thread in user mode. */
	for (i = 0; i < e.wl.n_events && j < 0; i++) {
		ts = e.wl.events[i].ts + 1;
		c = e.wl.events[i].cpu;
		j = k_on_cpu(&e.wl, c, ts, &iv);
		if (j >= 0 && iv->state != WL_ST_USERMODE)
			j = -1;
	}
	ck_assert_int_ge(j, 0);
	snprintf(params, sizeof(params), "{\"requested_items\":[%d],\"requested_times\":[%" PRId64
		 "],\"requested_element\":{\"elementType\":\"STATE\",\"time\":%" PRId64 ",\"duration\":0}}",
		 2 + 3 * c, ts, ts);
	m = k_run(&e, res_tooltip, params, Q_ITEMS | Q_TIMES | Q_ELEMENT);
	ck_assert_int_eq(atoi(k_get(m, "TID")->valuestring), e.wl.threads[j].tid);
	ck_assert_str_eq(k_get(m, "Process")->valuestring, e.wl.threads[j].comm);
	/* IRQ rows: under their CPU's States row; active exactly between entry and exit events. */
	tree = cJSON_Duplicate(k_run(&e, res_tree, "{}", 0), 1);
	m = tree;
	cJSON_ArrayForEach(ent, k_get(m, "entries")) {
		int cpu = -1, irq;
		int64_t id = k_int(ent, "id");

		if (strncmp(k_label(ent, 0), "IRQ ", 4) || k_int(ent, "parentId") == 0)
			continue;
		cpu = (int)(k_int(ent, "parentId") - 2) / 3;
		snprintf(params, sizeof(params), "CPU %d States", cpu);
		/* Ids 0 .. 3 * CPUs are the first entries, in id order. */
		ck_assert_str_eq(k_label(cJSON_GetArrayItem(k_get(m, "entries"), (int)k_int(ent, "parentId")), 0), params);
		irq_rows++;
		for (irq = 0; irq < WL_N_IRQS && wl_irq_number(irq) != atoi(k_label(ent, 0) + 4); irq++)
			;
		snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
			 ",\"nbTimes\":2000},\"requested_items\":[%" PRId64 "]}", e.wl.start, e.wl.end, id);
		row = cJSON_GetArrayItem(k_get(k_run(&e, res_states, params, Q_RANGE | Q_ITEMS), "rows"), 0);
		cJSON_ArrayForEach(st, k_get(row, "states")) {
			int64_t a = k_int(st, "start"), b = k_int(st, "end");
			int in = 0;

			if (!cJSON_GetObjectItemCaseSensitive(st, "style"))
				continue;
			for (i = 0; i < e.wl.n_events; i++) {
				const struct wl_event *ev = &e.wl.events[i];

				if (ev->cpu == cpu && ev->aux == irq && ev->type == WL_EV_IRQ_ENTRY && ev->ts == a)
					in |= 1;
				if (ev->cpu == cpu && ev->aux == irq && ev->type == WL_EV_IRQ_EXIT && ev->ts == b)
					in |= 2;
			}
			ck_assert_int_eq(in, 3);
			active++;
		}
	}
	ck_assert(irq_rows > 0 && active > 0);
	cJSON_Delete(tree);
	k_done(&e);
}
END_TEST

/* ---- Disk I/O and Memory ---- */

START_TEST(disk_throughput_integrates_to_the_sectors)
{
	struct k_env e;
	const cJSON *m, *s;
	int64_t count[WL_N_SYSCALLS], want[2][2] = { { 0 } }, seen[256][WL_N_SYSCALLS];
	struct k_seg *segs;
	size_t n, i;
	char params[256];

	k_init(&e);
	n = k_segments(&e.wl, NULL, 0, count);
	segs = calloc(n, sizeof(*segs));
	k_segments(&e.wl, segs, n, count);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		int32_t tid = e.wl.threads[segs[i].thread].tid;
		int64_t k = seen[segs[i].thread][segs[i].sc]++;

		if (segs[i].sc == 0 || segs[i].sc == 1)   /* read, write */
			want[tid % 2 ? 0 : 1][segs[i].sc] += 8 * (1 + (tid + k) % 32);
	}
	snprintf(params, sizeof(params), "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		 ",\"nbTimes\":50},\"requested_items\":[2,3,5,6]}", e.wl.start, e.wl.end);
	m = k_run(&e, disk_xy, params, Q_RANGE | Q_ITEMS);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "series")), 4);
	cJSON_ArrayForEach(s, k_get(m, "series")) {
		const cJSON *x = k_get(s, "xValues"), *y = k_get(s, "yValues");
		int64_t id = k_int(s, "seriesId");
		double bytes = 0;
		int p;

		ck_assert(cJSON_GetArrayItem(y, 0)->valuedouble == 0);
		for (p = 1; p < 50; p++)
			bytes += cJSON_GetArrayItem(y, p)->valuedouble * (double)(k_item(x, p) - k_item(x, p - 1)) / 1e9;
		ck_assert_msg(fabs(bytes - 512.0 * (double)want[(id - 1) / 3][(id - 2) % 3]) < 1.0,
			      "series %" PRId64 ": %g bytes", id, bytes);
		ck_assert_str_eq(k_get(k_get(s, "yValuesDescription"), "unit")->valuestring, "B/s");
	}
	free(segs);
	k_done(&e);
}
END_TEST

START_TEST(memory_total_is_the_sum_of_threads)
{
	struct k_env e;
	const cJSON *m, *s, *total = NULL;
	struct strbuf items = STRBUF_INIT;
	char *params;
	double sum[40] = { 0 };
	size_t j;
	int p, n = 0;

	k_init(&e);
	for (j = 0; j < e.wl.n_threads; j++)
		strbuf_addf(&items, "%s%zu", j ? "," : "", j + 1);
	params = malloc(512 + items.len);
	sprintf(params, "{\"requested_timerange\":{\"start\":%" PRId64 ",\"end\":%" PRId64
		",\"nbTimes\":40},\"requested_items\":[%s]}", e.wl.start, e.wl.end, strbuf_str(&items));
	m = k_run(&e, mem_xy, params, Q_RANGE | Q_ITEMS);
	cJSON_ArrayForEach(s, k_get(m, "series")) {
		const cJSON *y = k_get(s, "yValues");

		if (k_int(s, "seriesId") == 0) {
			total = s;
			continue;
		}
		n++;
		for (p = 0; p < 40; p++) {
			ck_assert(cJSON_GetArrayItem(y, p)->valuedouble >= 0);  /* shifted by its lowest value */
			sum[p] += cJSON_GetArrayItem(y, p)->valuedouble;
		}
	}
	ck_assert_ptr_nonnull(total);
	ck_assert(n > 0);
	ck_assert_str_eq(k_get(total, "seriesName")->valuestring, "kernel:total");
	for (p = 0; p < 40; p++)
		ck_assert(cJSON_GetArrayItem(k_get(total, "yValues"), p)->valuedouble == sum[p]);
	ck_assert(sum[39] > 0);
	free(params);
	strbuf_release(&items);
	k_done(&e);
}
END_TEST

/* ---- Critical Path ---- */

START_TEST(critical_path_follows_the_wakeups)
{
	struct k_env e;
	const cJSON *m, *ent, *a, *row, *st;
	char params[1024];
	int32_t tid = -1;
	int ids[64] = { 0 }, arrows = 0, rows = 0;
	size_t i, j;

	k_init(&e);
	/* A thread that was woken up by another one. */
	for (i = 0; i < e.wl.n_arrows && tid < 0; i++)
		if (e.wl.arrows[i].kind == WL_ARROW_WAKEUP)
			tid = e.wl.threads[e.wl.arrows[i].dst].tid;
	ck_assert_int_ge(tid, 0);
	m = k_run(&e, cp_tree, "{}", 0);
	ck_assert_int_eq(cJSON_GetArraySize(k_get(m, "entries")), 0);  /* no tid, no path */
	snprintf(params, sizeof(params), "{\"tid\":%d}", tid);
	m = k_run(&e, cp_tree, params, 0);
	cJSON_ArrayForEach(ent, k_get(m, "entries")) {
		int64_t id = k_int(ent, "id");

		ck_assert(id >= 0 && id < 64);
		ck_assert_int_eq(ids[id], 0);   /* each thread once */
		ids[id] = 1;
		if (id)
			ck_assert_int_eq(k_item(k_get(k_get(ent, "metadata"), "TID"), 0), e.wl.threads[id - 1].tid);
	}
	ck_assert(ids[0] && cJSON_GetArraySize(k_get(m, "entries")) > 2);
	snprintf(params, sizeof(params), "{\"tid\":%d,\"requested_timerange\":{\"start\":%" PRId64
		 ",\"end\":%" PRId64 "}}", tid, e.wl.start, e.wl.end);
	m = k_run(&e, cp_arrows, params, Q_RANGE);
	cJSON_ArrayForEach(a, m) {
		int64_t src = k_int(a, "sourceId"), dst = k_int(a, "targetId"), t = k_int(a, "start");
		int wake = 0;

		ck_assert(src > 0 && src < 64 && ids[src] && dst > 0 && dst < 64 && ids[dst]);
		/* Back-arrows are the workload's wake-ups; forward ones start a blocked interval of src. */
		for (j = 0; j < e.wl.n_arrows; j++)
			wake |= e.wl.arrows[j].kind == WL_ARROW_WAKEUP && e.wl.arrows[j].start == t &&
				e.wl.arrows[j].src == src - 1 && e.wl.arrows[j].dst == dst - 1;
		if (!wake) {
			const struct wl_thread *th = &e.wl.threads[src - 1];
			ptrdiff_t at = wl_interval_at(&e.wl, th, t);

			ck_assert(at >= 0 && th->iv[at].state == WL_ST_WAIT_BLOCKED);
		}
		arrows++;
	}
	ck_assert(arrows > 0);
	/* The states of the chosen thread's row: RUNNING only where it ran. */
	snprintf(params, sizeof(params), "{\"tid\":%d,\"requested_timerange\":{\"start\":%" PRId64
		 ",\"end\":%" PRId64 ",\"nbTimes\":5000},\"requested_items\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
		 tid, e.wl.start, e.wl.end);
	m = k_run(&e, cp_states, params, Q_RANGE | Q_ITEMS);
	cJSON_ArrayForEach(row, k_get(m, "rows")) {
		const struct wl_thread *th = &e.wl.threads[k_int(row, "entryId") - 1];

		cJSON_ArrayForEach(st, k_get(row, "states")) {
			int64_t s0 = k_int(st, "start"), s1 = k_int(st, "end");
			ptrdiff_t at = wl_interval_at(&e.wl, th, s0 + (s1 - s0) / 2);

			if (strcmp(k_get(k_get(st, "style"), "parentKey")->valuestring, "RUNNING"))
				continue;
			ck_assert(at >= 0 && wl_is_busy_state(th->iv[at].state));
		}
		rows++;
	}
	for (j = 1; j <= 12; j++)
		rows -= ids[j];
	ck_assert_int_eq(rows, 0);      /* a row for each requested thread of the path */
	k_done(&e);
}
END_TEST

Suite *tspsim_kernel_suite(void)
{
	Suite *s = suite_create("tspsim_kernel");
	TCase *tc = tcase_create("models");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kernel_outputs_are_listed);
	tcase_add_test(tc, latency_statistics_follow_the_segments);
	tcase_add_test(tc, latency_scatter_points_are_segments);
	tcase_add_test(tc, latency_density_bins_every_segment_once);
	tcase_add_test(tc, latency_table_lists_every_segment_by_start);
	tcase_add_test(tc, resources_rows_show_the_thread_on_the_cpu);
	tcase_add_test(tc, resources_tooltip_and_irq_rows);
	tcase_add_test(tc, disk_throughput_integrates_to_the_sectors);
	tcase_add_test(tc, memory_total_is_the_sum_of_threads);
	tcase_add_test(tc, critical_path_follows_the_wakeups);
	suite_add_tcase(s, tc);
	return s;
}
