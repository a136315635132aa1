/*
 * Event loops and fibers (util/loop.h, util/fiber.h): jobs that wait hold
 * no thread, transfers of one loop run at once and keep their connections
 * between bursts, pieces nest, a waiter for another job's answer parks
 * instead of blocking the loop, a deep stack fits, and a stop runs what
 * was queued.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "json_fast.h"
#include "loop.h"
#include "tsp_cache.h"
#include "tsp_client.h"
#include "workpool.h"

/* How many jobs are inside their wait at once, and the most ever. */
struct meter {
	pthread_mutex_t mu;
	int inside, most, done, failed;
	pthread_t threads[4];
	int n_threads;
};

static void meter_in(struct meter *m)
{
	pthread_t self = pthread_self();
	int i;

	pthread_mutex_lock(&m->mu);
	if (++m->inside > m->most)
		m->most = m->inside;
	for (i = 0; i < m->n_threads && !pthread_equal(m->threads[i], self); i++)
		;
	if (i == m->n_threads && m->n_threads < 4)
		m->threads[m->n_threads++] = self;
	pthread_mutex_unlock(&m->mu);
}

static void meter_out(struct meter *m, int ok)
{
	pthread_mutex_lock(&m->mu);
	m->inside--;
	m->done++;
	m->failed += !ok;
	pthread_mutex_unlock(&m->mu);
}

static void meter_wait_done(struct meter *m, int n)
{
	int tries;

	for (tries = 0; tries < 6000; tries++) {
		pthread_mutex_lock(&m->mu);
		if (m->done >= n) {
			pthread_mutex_unlock(&m->mu);
			return;
		}
		pthread_mutex_unlock(&m->mu);
		usleep(5000);
	}
	ck_abort_msg("jobs did not finish: %d of %d", m->done, n);
}

static struct meter meter = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void meter_reset(void)
{
	pthread_mutex_lock(&meter.mu);
	meter.inside = meter.most = meter.done = meter.failed = meter.n_threads = 0;
	pthread_mutex_unlock(&meter.mu);
}

/* Queues n jobs fn(NULL, 0) on p. */
static void submit_n(struct workpool *p, workpool_fn fn, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(workpool_submit(p, fn, NULL), 0);
}

static void sleeper(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	meter_in(&meter);
	loop_sleep_ms(under_valgrind() ? 1500 : 400);
	meter_out(&meter, loop_in_fiber());
}

START_TEST(sleeping_jobs_share_one_thread)
{
	struct workpool *p = workpool_new_loops(1, 16);

	ck_assert_ptr_nonnull(p);
	meter_reset();
	submit_n(p, sleeper, 16);
	meter_wait_done(&meter, 16);
	/* One thread, sixteen jobs asleep at the same time: none held the thread. */
	ck_assert_int_eq(meter.n_threads, 1);
	ck_assert_int_eq(meter.most, 16);
	ck_assert_int_eq(meter.failed, 0);

	/* At most max_jobs at once: the rest wait their turn, and all run. */
	meter_reset();
	workpool_free(p);
	p = workpool_new_loops(2, 3);
	ck_assert_ptr_nonnull(p);
	submit_n(p, sleeper, 9);
	meter_wait_done(&meter, 9);
	ck_assert_int_eq(meter.most, 3);
	workpool_free(p);
}
END_TEST

/* ---- transfers on the loop's multi handle ---- */

static char sim_url[128];

static void ask_health(void *arg, size_t i)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct tsp_model m;
	struct tsp_error err;
	int rc;

	(void)arg;
	(void)i;
	tsp_client_config_defaults(&cfg);
	cfg.base_url = sim_url;
	cfg.timeout_ms = 60000;
	c = tsp_client_new(&cfg);
	tsp_model_init(&m);
	meter_in(&meter);
	rc = c ? tsp_list_experiments(c, &m, &err) : -1;
	meter_out(&meter, rc == 0 && m.u.experiments.n > 0);
	tsp_model_release(&m);
	tsp_client_free(c);
}

START_TEST(transfers_of_one_loop_run_at_once)
{
	struct proc sim;
	struct workpool *p;

	/* Each answer takes 500 ms: eight in a row would take four seconds. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--threads", "16",
				      "--latency-ms", "500", NULL), 0);
	snprintf(sim_url, sizeof(sim_url), "http://127.0.0.1:%d/tsp/api", sim.port);
	p = workpool_new_loops(1, 8);
	ck_assert_ptr_nonnull(p);
	meter_reset();
	submit_n(p, ask_health, 8);
	meter_wait_done(&meter, 8);
	ck_assert_int_eq(meter.failed, 0);
	ck_assert_int_eq(meter.n_threads, 1);
	ck_assert_int_eq(meter.most, 8);
	workpool_free(p);

	/* The same client code outside a fiber blocks as it always did. */
	meter_reset();
	ask_health(NULL, 0);
	ck_assert_int_eq(meter.failed, 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* Bodies are not needed: only how the transfer went. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static long new_connections;

/* One exchange with the trace server on the loop; counts the connections it had to open. */
static void ask_counting(void *arg, size_t i)
{
	CURL *h = curl_easy_init();
	char url[192];
	long opened = 0;
	CURLcode rc;

	(void)arg;
	(void)i;
	snprintf(url, sizeof(url), "%s/health", sim_url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	meter_in(&meter);
	rc = loop_perform(h);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &opened);
	__atomic_add_fetch(&new_connections, opened, __ATOMIC_RELAXED);
	curl_easy_cleanup(h);
	meter_out(&meter, rc == CURLE_OK);
}

/* n exchanges at once on p; the connections they opened. */
static long burst(struct workpool *p, int n)
{
	meter_reset();
	__atomic_store_n(&new_connections, 0, __ATOMIC_RELAXED);
	submit_n(p, ask_counting, n);
	meter_wait_done(&meter, n);
	ck_assert_int_eq(meter.failed, 0);
	return __atomic_load_n(&new_connections, __ATOMIC_RELAXED);
}

/*
 * Connections to the trace server outlive a lull: after a burst, a few
 * lone requests must not close the connections the next burst needs
 * (curl's own cap shrinks with the transfers in flight).
 */
START_TEST(connections_outlive_a_lull)
{
	struct proc sim;
	struct workpool *p;
	long first, again;
	int i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--threads", "16",
				      "--latency-ms", "300", NULL), 0);
	snprintf(sim_url, sizeof(sim_url), "http://127.0.0.1:%d/tsp/api", sim.port);
	p = workpool_new_loops(1, 16);
	ck_assert_ptr_nonnull(p);
	first = burst(p, 16);
	ck_assert_int_eq(meter.most, 16);
	ck_assert_int_eq(first, 16);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(burst(p, 1), 0);
	again = burst(p, 16);
	ck_assert_int_eq(meter.most, 16);
	ck_assert_msg(again == 0, "the second burst opened %ld new connections", again);
	workpool_free(p);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* ---- pieces of a job ---- */

static int sums[8];
static struct workpool *pool;

static void count_piece(void *arg, size_t i)
{
	(void)i;
	loop_sleep_ms(20);
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
}

static void nest_piece(void *arg, size_t i)
{
	(void)arg;
	meter_in(&meter);
	loop_sleep_ms(under_valgrind() ? 1000 : 200);
	/* Pieces of pieces: fibers of the same loop too. */
	workpool_run(pool, 10, count_piece, &sums[i]);
	meter_out(&meter, loop_in_fiber());
}

static void nest_job(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	workpool_run(pool, 8, nest_piece, NULL);
}

/*
 * Runs nest_job on a pool of n_loops loops taking max_jobs; returns the
 * most pieces inside at once, after checking they ran on every loop.
 */
static int nest_on(int n_loops, int max_jobs)
{
	int i, total = 0;

	pool = workpool_new_loops(n_loops, max_jobs);
	ck_assert_ptr_nonnull(pool);
	memset(sums, 0, sizeof(sums));
	meter_reset();
	ck_assert_int_eq(workpool_submit(pool, nest_job, NULL), 0);
	meter_wait_done(&meter, 8);
	ck_assert_int_eq(meter.n_threads, n_loops);
	ck_assert_int_eq(meter.failed, 0);
	workpool_free(pool);
	pool = NULL;
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(sums[i], 10);
		total += sums[i];
	}
	ck_assert_int_eq(total, 80);
	return meter.most;
}

START_TEST(pieces_wait_together_and_nest)
{
	/* The eight pieces of one job slept at once on the job's one thread... */
	ck_assert_int_eq(nest_on(1, 16), 8);
	/* ...but never more than max_jobs helpers besides the caller: each piece still ran once. */
	ck_assert_int_eq(nest_on(1, 4), 5);
	/* With two loops the pieces use both (their work then uses two cores). */
	ck_assert_int_eq(nest_on(2, 16), 8);
}
END_TEST

/* ---- waiting for another job's answer ---- */

struct shared {
	struct tsp_cache *cache;
	int calls;
	int sleep_in_fiber;
};

static struct shared shared;

static int slow_answer(void *ctx, struct tsp_model *out, struct tsp_error *err)
{
	static const char answer[] = "{\"model\":{\"title\":\"t\",\"series\":[]},\"status\":\"COMPLETED\","
				     "\"statusMessage\":\"\"}";
	struct shared *s = ctx;

	__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
	/* Long enough for every other job to join this fetch. */
	if (s->sleep_in_fiber)
		loop_sleep_ms(under_valgrind() ? 1500 : 400);
	else
		usleep(under_valgrind() ? 1500000 : 400000);
	return tsp_model_parse(out, TSP_M_XY, answer, sizeof(answer) - 1, err);
}

static void cached_job(void *arg, size_t i)
{
	struct tsp_model m;
	struct tsp_error err;
	int rc;

	(void)arg;
	(void)i;
	tsp_model_init(&m);
	meter_in(&meter);
	rc = tsp_cache_fetch(shared.cache, "k", 1, slow_answer, &shared, &m, &err);
	meter_out(&meter, rc == 0 && m.status == TSP_STATUS_COMPLETED);
	tsp_model_release(&m);
}

static void *thread_leader(void *arg)
{
	(void)arg;
	cached_job(NULL, 0);
	return NULL;
}

START_TEST(waiters_park_instead_of_blocking_the_loop)
{
	struct tsp_cache_stats st;
	struct workpool *p = workpool_new_loops(1, 8);
	pthread_t th;

	ck_assert_ptr_nonnull(p);
	/* Leader and waiters on one loop thread: a waiter that blocked it would never see the answer. */
	shared.cache = tsp_cache_new(1 << 20, 0);
	shared.calls = 0;
	shared.sleep_in_fiber = 1;
	meter_reset();
	submit_n(p, cached_job, 6);
	meter_wait_done(&meter, 6);
	ck_assert_int_eq(meter.failed, 0);
	ck_assert_int_eq(shared.calls, 1);
	tsp_cache_get_stats(shared.cache, &st);
	ck_assert_uint_eq(st.coalesced, 5);
	tsp_cache_free(shared.cache);

	/* A plain thread leads, fibers wait: its answer wakes them across threads. */
	shared.cache = tsp_cache_new(1 << 20, 0);
	shared.calls = 0;
	shared.sleep_in_fiber = 0;
	meter_reset();
	ck_assert_int_eq(pthread_create(&th, NULL, thread_leader, NULL), 0);
	usleep(under_valgrind() ? 500000 : 50000);
	submit_n(p, cached_job, 4);
	meter_wait_done(&meter, 5);
	pthread_join(th, NULL);
	ck_assert_int_eq(meter.failed, 0);
	ck_assert_int_eq(shared.calls, 1);
	workpool_free(p);
	tsp_cache_free(shared.cache);
}
END_TEST

/* ---- the stack, and the stop ---- */

static void deep_json(void *arg, size_t i)
{
	enum { DEPTH = JSON_FAST_MAX_DEPTH };
	static char text[2 * DEPTH + 1];
	struct json_doc d;
	char err[128];
	cJSON *v;

	(void)arg;
	(void)i;
	memset(text, '[', DEPTH);
	memset(text + DEPTH, ']', DEPTH);
	json_doc_init(&d);
	meter_in(&meter);
	v = json_doc_parse(&d, text, 2 * DEPTH, err, sizeof(err));
	meter_out(&meter, v != NULL);
	json_doc_release(&d);
}

static void quick(void *arg, size_t i)
{
	(void)i;
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
}

START_TEST(deep_parses_fit_and_a_stop_runs_the_queue)
{
	struct workpool *p = workpool_new_loops(2, 2);
	int ran = 0, i;

	ck_assert_ptr_nonnull(p);
	meter_reset();
	/* JSON nested as deep as the parser allows is parsed by recursion, in a fiber. */
	ck_assert_int_eq(workpool_submit(p, deep_json, NULL), 0);
	meter_wait_done(&meter, 1);
	ck_assert_int_eq(meter.failed, 0);
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(workpool_submit(p, quick, &ran), 0);
	workpool_free(p);
	ck_assert_int_eq(ran, 200);
}
END_TEST

Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loops");

	tcase_set_timeout(tc, under_valgrind() ? 300 : 60);
	tcase_add_test(tc, sleeping_jobs_share_one_thread);
	tcase_add_test(tc, transfers_of_one_loop_run_at_once);
	tcase_add_test(tc, connections_outlive_a_lull);
	tcase_add_test(tc, pieces_wait_together_and_nest);
	tcase_add_test(tc, waiters_park_instead_of_blocking_the_loop);
	tcase_add_test(tc, deep_parses_fit_and_a_stop_runs_the_queue);
	suite_add_tcase(s, tc);
	return s;
}
