/* The upstream answer cache: storing, not storing, coalescing, eviction, views. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tsp_cache.h"

/* A fake upstream: counts calls, answers an XY model of `points` points. */
struct fake {
	pthread_mutex_t mu;
	int calls;
	enum tsp_status status;
	int fail;                       /* answer -1 with TSP_ERR_HTTP */
	size_t points;
	int64_t stamp;                  /* xValues[0]; tells answers apart */
	struct tsp_cache *cache;        /* to wait for coalesced followers */
	uint64_t wait_coalesced;        /* leader waits until this many followers */
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	f->status = TSP_STATUS_COMPLETED;
	f->points = 4;
}

static int fake_fetch(void *ctx, struct tsp_model *out, struct tsp_error *err)
{
	struct fake *f = ctx;
	struct tsp_xy_series *s;
	int64_t stamp;
	size_t i;
	int n;

	pthread_mutex_lock(&f->mu);
	n = ++f->calls;
	stamp = f->stamp + n;
	pthread_mutex_unlock(&f->mu);
	if (f->wait_coalesced) {
		struct tsp_cache_stats st;
		int tries;

		/* Hold the fetch open until the others have joined it (bounded). */
		for (tries = 0; tries < 2000; tries++) {
			tsp_cache_get_stats(f->cache, &st);
			if (st.coalesced >= f->wait_coalesced)
				break;
			usleep(5000);
		}
	}
	tsp_model_release(out);
	if (f->fail)
		return tsp_error_set(err, TSP_ERR_HTTP, 500, "POST /x: HTTP 500: boom %d", n);
	out->kind = TSP_M_XY;
	out->status = f->status;
	out->has_model = 1;
	out->status_message = arena_strdup(&out->arena, "done");
	s = arena_calloc(&out->arena, 1, sizeof(*s));
	s->x = arena_calloc(&out->arena, f->points, sizeof(*s->x));
	s->y = arena_calloc(&out->arena, f->points, sizeof(*s->y));
	for (i = 0; i < f->points; i++) {
		s->x[i] = stamp + (int64_t)i;
		s->y[i] = (double)i;
	}
	s->n_x = s->n_y = f->points;
	out->u.xy.series = s;
	out->u.xy.n_series = 1;
	tsp_error_clear(err);
	return f->status == TSP_STATUS_RUNNING ? tsp_error_set(err, TSP_ERR_RUNNING, 200, "still running") : 0;
}

static int get(struct tsp_cache *c, const char *key, struct fake *f, struct tsp_model *m,
	       struct tsp_error *e)
{
	return tsp_cache_fetch(c, key, strlen(key), fake_fetch, f, m, e);
}

START_TEST(completed_answers_are_kept_and_shared)
{
	struct tsp_cache *c = tsp_cache_new(1 << 20, 0);
	struct tsp_model a, b;
	struct tsp_error e;
	struct tsp_cache_stats st;
	struct fake f;

	fake_init(&f);
	f.stamp = 1700000000123456789LL;
	tsp_model_init(&a);
	tsp_model_init(&b);
	ck_assert_int_eq(get(c, "POST /xy {1}", &f, &a, &e), 0);
	ck_assert_int_eq(get(c, "POST /xy {1}", &f, &b, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	/* Same model, exact int64, both views read-only shares. */
	ck_assert_ptr_eq(a.u.xy.series, b.u.xy.series);
	ck_assert(b.u.xy.series[0].x[0] == 1700000000123456790LL);
	ck_assert_ptr_nonnull(a.drop);
	/* Another key is another fetch. */
	tsp_model_release(&b);
	ck_assert_int_eq(get(c, "POST /xy {2}", &f, &b, &e), 0);
	ck_assert_int_eq(f.calls, 2);
	ck_assert(b.u.xy.series[0].x[0] == 1700000000123456791LL);
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.misses, 2);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_gt(st.bytes, 2 * 4 * sizeof(int64_t));
	/* A view outlives the cache's own entry. */
	tsp_cache_clear(c);
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.bytes, 0);
	ck_assert(a.u.xy.series[0].x[3] == 1700000000123456793LL);
	tsp_model_release(&a);
	tsp_model_release(&b);
	ck_assert_ptr_null(a.drop);
	tsp_cache_free(c);
}
END_TEST

START_TEST(running_failed_and_errors_are_not_kept)
{
	struct tsp_cache *c = tsp_cache_new(1 << 20, 0);
	struct tsp_model m;
	struct tsp_error e;
	struct tsp_cache_stats st;
	struct fake f;

	fake_init(&f);
	tsp_model_init(&m);
	f.status = TSP_STATUS_RUNNING;
	ck_assert_int_eq(get(c, "k", &f, &m, &e), -1);
	ck_assert_int_eq(e.kind, TSP_ERR_RUNNING);
	/* The partial model still reaches the caller. */
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_uint_eq(m.u.xy.n_series, 1);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), -1);
	ck_assert_int_eq(f.calls, 2);

	f.status = TSP_STATUS_FAILED;
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, 4);

	f.status = TSP_STATUS_COMPLETED;
	f.fail = 1;
	ck_assert_int_eq(get(c, "k", &f, &m, &e), -1);
	ck_assert_int_eq(e.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(e.http_status, 500);
	ck_assert_ptr_nonnull(strstr(e.msg, "boom 5"));
	ck_assert_int_eq(get(c, "k", &f, &m, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "boom 6"));

	f.fail = 0;
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, 7);
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.stores, 1);
	tsp_model_release(&m);
	tsp_cache_free(c);
}
END_TEST

struct follower {
	pthread_t t;
	struct tsp_cache *c;
	struct fake *f;
	const char *key;
	int rc;
	int64_t first;
	struct tsp_error e;
};

static void *follow(void *p)
{
	struct follower *w = p;
	struct tsp_model m;

	tsp_model_init(&m);
	w->rc = get(w->c, w->key, w->f, &m, &w->e);
	w->first = m.has_model ? m.u.xy.series[0].x[0] : -1;
	tsp_model_release(&m);
	return NULL;
}

/* Runs n identical calls at once; the first to arrive leads and waits for the rest. */
static void coalesce_run(struct tsp_cache *c, struct fake *f, struct follower *w, int n)
{
	int i;

	f->cache = c;
	f->wait_coalesced = (uint64_t)n - 1;
	for (i = 0; i < n; i++) {
		w[i].c = c;
		w[i].f = f;
		w[i].key = "POST /states {same}";
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, follow, &w[i]), 0);
	}
	for (i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
}

START_TEST(concurrent_identical_requests_fetch_once)
{
	enum { N = 8 };
	struct tsp_cache *c = tsp_cache_new(1 << 20, 0);
	struct follower w[N];
	struct tsp_cache_stats st;
	struct fake f;
	int i;

	memset(w, 0, sizeof(w));
	fake_init(&f);
	f.stamp = 100;
	coalesce_run(c, &f, w, N);
	ck_assert_int_eq(f.calls, 1);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(w[i].rc, 0);
		ck_assert(w[i].first == 101);
	}
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.coalesced, N - 1);
	tsp_cache_free(c);

	/* An error is shared the same way, and not kept. */
	c = tsp_cache_new(1 << 20, 0);
	memset(w, 0, sizeof(w));
	fake_init(&f);
	f.fail = 1;
	coalesce_run(c, &f, w, N);
	ck_assert_int_eq(f.calls, 1);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(w[i].rc, -1);
		ck_assert_str_eq(w[i].e.msg, "POST /x: HTTP 500: boom 1");
	}
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0);
	tsp_cache_free(c);
}
END_TEST

START_TEST(memory_stays_under_budget_oldest_go_first)
{
	const size_t budget = 64 << 10;
	struct tsp_cache *c = tsp_cache_new(budget, 0);
	struct tsp_model m, held;
	struct tsp_error e;
	struct tsp_cache_stats st;
	struct fake f;
	char key[32];
	int i, calls;

	fake_init(&f);
	f.points = 200;     /* a few KiB per answer */
	tsp_model_init(&m);
	tsp_model_init(&held);
	ck_assert_int_eq(get(c, "key 0", &f, &held, &e), 0);
	for (i = 1; i < 200; i++) {
		snprintf(key, sizeof(key), "key %d", i);
		ck_assert_int_eq(get(c, key, &f, &m, &e), 0);
		tsp_cache_get_stats(c, &st);
		ck_assert_uint_le(st.bytes, budget);
	}
	ck_assert_uint_gt(st.evictions, 100);
	ck_assert_uint_gt(st.entries, 2);
	/* The newest is still there, the oldest is not. */
	calls = f.calls;
	ck_assert_int_eq(get(c, "key 199", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, calls);
	ck_assert_int_eq(get(c, "key 1", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, calls + 1);
	/* An evicted entry still backs the view taken before. */
	ck_assert(held.u.xy.series[0].x[199] == 1 + 199);
	tsp_model_release(&held);

	/* Over a quarter of the budget: answered, not kept. */
	f.points = 4000;
	ck_assert_int_eq(get(c, "big", &f, &m, &e), 0);
	ck_assert_uint_eq(m.u.xy.series[0].n_x, 4000);
	tsp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.too_big, 1);
	calls = f.calls;
	ck_assert_int_eq(get(c, "big", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, calls + 1);
	tsp_model_release(&m);
	tsp_cache_free(c);
}
END_TEST

START_TEST(ttl_expires_entries)
{
	struct tsp_cache *c = tsp_cache_new(1 << 20, 50);
	struct tsp_model m;
	struct tsp_error e;
	struct fake f;

	fake_init(&f);
	tsp_model_init(&m);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	usleep(80 * 1000);
	ck_assert_int_eq(get(c, "k", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, 2);
	tsp_model_release(&m);
	tsp_cache_free(c);
}
END_TEST

START_TEST(no_cache_calls_through)
{
	struct tsp_model m;
	struct tsp_error e;
	struct fake f;

	fake_init(&f);
	tsp_model_init(&m);
	ck_assert_int_eq(get(NULL, "k", &f, &m, &e), 0);
	ck_assert_int_eq(get(NULL, "k", &f, &m, &e), 0);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_ptr_null(m.drop);
	tsp_model_release(&m);
}
END_TEST

/* ---- through the bridge, against tspsim ---- */

/* A counter of /health's bridge.cache (upstream answers) or bridge.responses object. */
static long health_stat(int port, const char *obj, const char *field)
{
	struct strbuf b;
	long status = 0, v = -1;
	char pat[64];
	const char *p;

	strbuf_init(&b, 0);
	ck_assert_int_eq(http_get(port, "/health", &status, &b), 0);
	ck_assert_int_eq(status, 200);
	snprintf(pat, sizeof(pat), "\"%s\":{", obj);
	p = strstr(strbuf_str(&b), pat);
	ck_assert_msg(p != NULL, "no %s in %s", obj, strbuf_str(&b));
	snprintf(pat, sizeof(pat), "\"%s\":", field);
	p = strstr(p, pat);
	ck_assert_ptr_nonnull(p);
	v = strtol(p + strlen(pat), NULL, 10);
	strbuf_release(&b);
	return v;
}

static long health_cache(int port, const char *field)
{
	return health_stat(port, "cache", field);
}

struct poster {
	pthread_t t;
	int port;
	const char *body;
	long status;
	struct strbuf out;
};

static void *post_query(void *p)
{
	struct poster *q = p;

	http_post(q->port, "/query", q->body, &q->status, &q->out);
	return NULL;
}

START_TEST(bridge_asks_upstream_once_per_question)
{
	enum { N = 6 };
	static const char *body =
		"{\"range\":{\"from\":\"1970-01-01T00:00:01Z\",\"to\":\"1970-01-01T00:00:09Z\"},"
		"\"maxDataPoints\":50,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage/*\",\"payload\":{}}]}";
	static const char *other =
		"{\"range\":{\"from\":\"1970-01-01T00:00:02Z\",\"to\":\"1970-01-01T00:00:09Z\"},"
		"\"maxDataPoints\":50,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage/*\",\"payload\":{}}]}";
	struct proc sim, br;
	struct poster q[N];
	struct strbuf first;
	char url[128];
	long misses, hits;
	int i;

	/* Slow upstream, so the concurrent queries overlap. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--latency-ms", "300", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--threads", "8", NULL), 0);

	memset(q, 0, sizeof(q));
	for (i = 0; i < N; i++) {
		q[i].port = br.port;
		q[i].body = body;
		strbuf_init(&q[i].out, 0);
		ck_assert_int_eq(pthread_create(&q[i].t, NULL, post_query, &q[i]), 0);
	}
	for (i = 0; i < N; i++)
		pthread_join(q[i].t, NULL);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(q[i].status, 200);
		ck_assert_str_eq(strbuf_str(&q[i].out), strbuf_str(&q[0].out));
	}
	ck_assert_ptr_nonnull(strstr(strbuf_str(&q[0].out), "\"values\""));
	/* One tree and one xy fetch for six panels (the catalog may share the tree itself). */
	misses = health_cache(br.port, "misses");
	ck_assert_int_eq(misses, 2);
	ck_assert_int_ge(health_cache(br.port, "coalesced") + health_cache(br.port, "hits") +
			 health_stat(br.port, "responses", "hits"), N - 1);

	/* Asked again: same bytes, from the finished answers, no upstream. */
	strbuf_init(&first, 0);
	strbuf_addstr(&first, strbuf_str(&q[0].out));
	hits = health_stat(br.port, "responses", "hits");
	post_query(&q[0]);
	ck_assert_int_eq(q[0].status, 200);
	ck_assert_str_eq(strbuf_str(&q[0].out), strbuf_str(&first));
	ck_assert_int_eq(health_cache(br.port, "misses"), misses);
	ck_assert_int_eq(health_stat(br.port, "responses", "hits"), hits + 1);

	/* Another range is another question (the tree is shared). */
	q[0].body = other;
	post_query(&q[0]);
	ck_assert_int_eq(q[0].status, 200);
	ck_assert_int_eq(health_cache(br.port, "misses"), misses + 1);

	/* Finished answers expire with the catalog's lists; the upstream answers stay. */
	usleep(2200 * 1000);
	hits = health_cache(br.port, "hits");
	q[0].body = body;
	post_query(&q[0]);
	ck_assert_int_eq(q[0].status, 200);
	ck_assert_str_eq(strbuf_str(&q[0].out), strbuf_str(&first));
	ck_assert_int_eq(health_cache(br.port, "misses"), misses + 1);
	ck_assert_int_eq(health_cache(br.port, "hits"), hits + 1);

	for (i = 0; i < N; i++)
		strbuf_release(&q[i].out);
	strbuf_release(&first);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

START_TEST(partial_answers_are_not_kept)
{
	static const char *body =
		"{\"range\":{\"from\":\"1970-01-01T00:00:01Z\",\"to\":\"1970-01-01T00:00:09Z\"},"
		"\"maxDataPoints\":50,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage/*\",\"payload\":{}}]}";
	struct proc sim, br;
	struct strbuf out;
	char url[128];
	long status = 0;
	int i;

	/* Data stays RUNNING: every answer is partial, with a notice. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-forever", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--poll-deadline", "100", NULL), 0);
	strbuf_init(&out, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(http_post(br.port, "/query", body, &status, &out), 0);
		ck_assert_int_eq(status, 200);
		ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "still running"));
	}
	ck_assert_int_eq(health_stat(br.port, "responses", "stores"), 0);
	ck_assert_int_eq(health_stat(br.port, "responses", "hits"), 0);
	/* Every xy went upstream again. */
	ck_assert_int_ge(health_cache(br.port, "misses"), 3);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/*
 * --cache-mb is one budget: the upstream answers, the finished ones and the
 * catalog's trees share it, /health says each part's use and limit, and the
 * catalog keeps under its part however many trees it is asked for.
 */
START_TEST(one_budget_for_everything_cached)
{
	static const char *const asks[] = {
		"{\"target\":\"entries(kernel/Thread Status)\"}",
		"{\"target\":\"entries(kernel/CPU Usage)\"}",
		"{\"target\":\"entries(kernel/Statistics)\"}",
		"{\"target\":\"entries(kernel/Histogram)\"}",
	};
	struct proc sim, br;
	struct strbuf out = STRBUF_INIT;
	char url[128];
	long st, sum;
	size_t i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--threads",
				      under_valgrind() ? "300" : "1500", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--cache-mb", "2", NULL), 0);
	sum = health_stat(br.port, "cache", "max_bytes") + health_stat(br.port, "responses", "max_bytes") +
	      health_stat(br.port, "catalog", "max_bytes");
	ck_assert_int_eq(sum, 2 << 20);
	ck_assert_int_eq(health_stat(br.port, "catalog", "max_bytes"), 256 << 10);
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		ck_assert_int_eq(http_post(br.port, "/search", asks[i], &st, &out), 0);
		ck_assert_msg(st == 200, "%s: %ld %.200s", asks[i], st, strbuf_str(&out));
		ck_assert_int_le(health_stat(br.port, "catalog", "bytes"),
				 health_stat(br.port, "catalog", "max_bytes"));
	}
	/* 1500 threads' trees are larger than the catalog's part: some went or were never kept. */
	if (!under_valgrind())
		ck_assert_int_gt(health_stat(br.port, "catalog", "evictions") +
				 health_stat(br.port, "catalog", "too_big"), 0);
	ck_assert_int_gt(health_stat(br.port, "catalog", "entries"), 0);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("unit");
	TCase *tb = tcase_create("bridge");

	tcase_set_timeout(tc, under_valgrind() ? 300 : 30);
	tcase_add_test(tc, completed_answers_are_kept_and_shared);
	tcase_add_test(tc, running_failed_and_errors_are_not_kept);
	tcase_add_test(tc, concurrent_identical_requests_fetch_once);
	tcase_add_test(tc, memory_stays_under_budget_oldest_go_first);
	tcase_add_test(tc, ttl_expires_entries);
	tcase_add_test(tc, no_cache_calls_through);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tb, under_valgrind() ? 600 : 60);
	tcase_add_test(tb, bridge_asks_upstream_once_per_question);
	tcase_add_test(tb, partial_answers_are_not_kept);
	tcase_add_test(tb, one_budget_for_everything_cached);
	suite_add_tcase(s, tb);
	return s;
}
