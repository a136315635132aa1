/*
 * Several trace servers behind one bridge: three tspsim instances with
 * different seeds (so their data differs), each with an experiment
 * "kernel", and one with an experiment of its own made at start-up by a
 * per-server --open-trace. Discovery, qualified names, fan-out, a server
 * killed mid-test (partial answers with a notice, then recovery), and the
 * same answers as a bridge with that one server.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"
#include "workpool.h"

#define RANGE "\"range\":{\"from\":\"2023-11-14T22:13:20Z\",\"to\":\"2023-11-14T22:13:30Z\"}"

static struct proc sim[3], br, single;

static void url_of(char *buf, size_t len, const char *name, int port)
{
	snprintf(buf, len, "%s%shttp://127.0.0.1:%d/tsp/api", name ? name : "", name ? "=" : "", port);
}

static cJSON *parse_ok(const struct strbuf *out, const char *what)
{
	char err[128];
	cJSON *j = json_parse_exact(out->buf, out->len, err, sizeof(err));

	ck_assert_msg(j != NULL, "%s: not JSON (%s): %s", what, err, strbuf_str(out));
	return j;
}

static cJSON *post(int port, const char *path, const char *body, long want)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *j;
	long st;

	ck_assert_int_eq(http_post(port, path, body, &st, &out), 0);
	ck_assert_msg(st == want, "%s %s: HTTP %ld, not %ld: %s", path, body, st, want, strbuf_str(&out));
	j = parse_ok(&out, path);
	strbuf_release(&out);
	return j;
}

static cJSON *get(int port, const char *path, long want)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *j;
	long st;

	ck_assert_int_eq(http_get(port, path, &st, &out), 0);
	ck_assert_msg(st == want, "%s: HTTP %ld, not %ld: %s", path, st, want, strbuf_str(&out));
	j = parse_ok(&out, path);
	strbuf_release(&out);
	return j;
}

/* The /variable answer for a discovery query, as one "a,b,c" string. */
static void names_of(char *buf, size_t len, const char *query)
{
	char body[256];
	const cJSON *x;
	cJSON *j;
	size_t n = 0;

	snprintf(body, sizeof(body), "{\"payload\":{\"target\":\"%s\"}}", query);
	j = post(br.port, "/variable", body, 200);
	buf[0] = '\0';
	cJSON_ArrayForEach(x, j)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
				      json_get_string(cJSON_GetObjectItemCaseSensitive(x, "__value")));
	cJSON_Delete(j);
}

/* /frames for one target: its result object (status, frames | error), detached; free it. */
static cJSON *frames_of(int port, const char *target)
{
	char body[512];
	cJSON *j, *r;

	snprintf(body, sizeof(body), "{" RANGE ",\"maxDataPoints\":20,\"targets\":[{\"refId\":\"A\","
		 "\"target\":\"%s\"}]}", target);
	j = post(port, "/frames", body, 200);
	r = cJSON_DetachItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "results"), "A");
	cJSON_Delete(j);
	ck_assert_ptr_nonnull(r);
	return r;
}

static const cJSON *frames(const cJSON *r)
{
	return cJSON_GetObjectItemCaseSensitive(r, "frames");
}

static const char *frame_name(const cJSON *f)
{
	return json_get_string(cJSON_GetObjectItemCaseSensitive(f, "name"));
}

/* The values of a frame's second field, as JSON text (caller frees). */
static char *values_of(const cJSON *f)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(f, "fields");

	return cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(fields, 1),
									 "values"));
}

/* Polls fn until it is true, for up to secs seconds (stretched under valgrind). */
static int eventually(int (*fn)(void), int secs)
{
	int i, n = (under_valgrind() ? 6 : 1) * secs * 10;

	for (i = 0; i < n; i++) {
		if (fn())
			return 1;
		usleep(100000);
	}
	return 0;
}

static int solo_is_listed(void)
{
	char names[512];

	names_of(names, sizeof(names), "experiments(c)");
	return strstr(names, "c:solo") != NULL;
}

/* The fan-out over every server answers n frames. */
static int fan_out_has(size_t n)
{
	cJSON *r = frames_of(br.port, "kernel/CPU Usage/Total");
	int ok = (size_t)cJSON_GetArraySize(frames(r)) == n;

	cJSON_Delete(r);
	return ok;
}

static int two_frames(void)
{
	return fan_out_has(2);
}

static int three_frames(void)
{
	return fan_out_has(3);
}

START_TEST(three_servers_behind_one_bridge)
{
	char a[96], b[96], c[96], names[512], port_b[16];
	const cJSON *f, *u;
	char *va, *vb, *vs;
	cJSON *r, *r2, *j;
	int i;

	ck_assert_int_eq(start_tspsim(&sim[0], "--quiet", "--running-polls", "0", "--seed", "1", NULL), 0);
	ck_assert_int_eq(start_tspsim(&sim[1], "--quiet", "--running-polls", "0", "--seed", "2", NULL), 0);
	ck_assert_int_eq(start_tspsim(&sim[2], "--quiet", "--running-polls", "0", "--seed", "3", NULL), 0);
	url_of(a, sizeof(a), "a", sim[0].port);
	url_of(b, sizeof(b), "b", sim[1].port);
	url_of(c, sizeof(c), "c", sim[2].port);
	/* An experiment of c's own, made at start-up on c only. */
	ck_assert_int_eq(start_bridge(&br, "--upstream", a, "--upstream", b, "--upstream", c,
				      "--open-trace", "c=/data/solo-01", "--experiment", "solo",
				      "--log-level", "warn", NULL), 0);
	url_of(a, sizeof(a), NULL, sim[0].port);
	ck_assert_int_eq(start_bridge(&single, "--upstream", a, "--log-level", "warn", NULL), 0);
	ck_assert_msg(eventually(solo_is_listed, 10), "experiment solo never showed on c");

	/* Discovery: servers, experiments qualified where a name is on two servers. */
	names_of(names, sizeof(names), "servers()");
	ck_assert_str_eq(names, "a,b,c");
	names_of(names, sizeof(names), "experiments()");
	ck_assert_str_eq(names, "a:kernel,b:kernel,c:kernel,solo");
	names_of(names, sizeof(names), "experiments(c)");
	ck_assert_str_eq(names, "c:kernel,c:solo");
	names_of(names, sizeof(names), "experiments(~^[ab]$)");
	ck_assert_str_eq(names, "a:kernel,b:kernel");
	names_of(names, sizeof(names), "outputs(solo)");
	ck_assert_msg(strstr(names, "CPU Usage") && strstr(names, "Thread Status"), "%s", names);
	/* --open-trace c=...: only c made it. */
	for (i = 0; i < 2; i++) {
		j = get(sim[i].port, "/tsp/api/experiments", 200);
		ck_assert_int_eq(cJSON_GetArraySize(j), 1);
		cJSON_Delete(j);
	}

	/* A qualified target reads that server only, as a bridge of that server alone does. */
	r = frames_of(br.port, "a:kernel/CPU Usage/Total");
	r2 = frames_of(single.port, "kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetArraySize(frames(r)), 1);
	f = cJSON_GetArrayItem(frames(r), 0);
	ck_assert_str_eq(frame_name(f), "Total");
	va = values_of(f);
	vs = values_of(cJSON_GetArrayItem(frames(r2), 0));
	ck_assert_str_eq(va, vs);
	cJSON_Delete(r);
	cJSON_Delete(r2);
	free(vs);
	r = frames_of(br.port, "b:kernel/CPU Usage/Total");
	vb = values_of(cJSON_GetArrayItem(frames(r), 0));
	ck_assert_msg(strcmp(va, vb), "servers a and b (seeds 1 and 2) answered the same: %s", va);
	cJSON_Delete(r);

	/* The same name on three servers fans out, each frame named for its server. */
	r = frames_of(br.port, "kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetArraySize(frames(r)), 3);
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 0)), "a:kernel/CPU Usage: Total");
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 1)), "b:kernel/CPU Usage: Total");
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 2)), "c:kernel/CPU Usage: Total");
	vs = values_of(cJSON_GetArrayItem(frames(r), 0));
	ck_assert_str_eq(vs, va);
	free(vs);
	vs = values_of(cJSON_GetArrayItem(frames(r), 1));
	ck_assert_str_eq(vs, vb);
	free(vs);
	cJSON_Delete(r);
	free(va);
	free(vb);
	/* A name on one server needs no qualifier; qualified, it is the same. */
	r = frames_of(br.port, "solo/CPU Usage/Total");
	r2 = frames_of(br.port, "c:solo/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetArraySize(frames(r)), 1);
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 0)), "Total");
	va = values_of(cJSON_GetArrayItem(frames(r), 0));
	vb = values_of(cJSON_GetArrayItem(frames(r2), 0));
	ck_assert_str_eq(va, vb);
	free(va);
	free(vb);
	cJSON_Delete(r);
	cJSON_Delete(r2);
	/* A server that does not exist is a name that matches nothing. */
	r = frames_of(br.port, "x:kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")), 400);
	cJSON_Delete(r);

	/* Ad hoc filters know the server. */
	j = post(br.port, "/tag-keys", "{}", 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 2), "text")),
			 "server");
	cJSON_Delete(j);
	j = post(br.port, "/tag-values", "{\"key\":\"server\"}", 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	j = post(br.port, "/frames", "{" RANGE ",\"maxDataPoints\":20,\"adhocFilters\":[{\"key\":\"server\","
		 "\"operator\":\"!=\",\"value\":\"b\"}],\"targets\":[{\"refId\":\"A\",\"target\":"
		 "\"kernel/CPU Usage/Total\"}]}", 200);
	f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "results"), "A");
	ck_assert_int_eq(cJSON_GetArraySize(frames(f)), 2);
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(f), 1)), "c:kernel/CPU Usage: Total");
	cJSON_Delete(j);

	/* /timeline is one output of one server: an ambiguous name says so. */
	j = get(br.port, "/timeline?experiment=kernel&output=Thread%20Status&from=1700000000000"
		"&to=1700000010000&width=100", 400);
	ck_assert_msg(strstr(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "error")),
			     "several trace servers"), "%s", cJSON_PrintUnformatted(j));
	cJSON_Delete(j);
	j = get(br.port, "/timeline/rows?experiment=b:kernel&output=Thread%20Status&from=1700000000000"
		"&to=1700000010000&width=100", 200);
	ck_assert_int_gt(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);

	/* /health: one line per server. */
	j = get(br.port, "/health", 200);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "status")), "ok");
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "upstream"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "upstreams")), 3);
	cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(j, "upstreams"))
		ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(u, "status")), "up");
	cJSON_Delete(j);

	/* b goes away: its part is left out with a notice naming it, the panel still draws. */
	snprintf(port_b, sizeof(port_b), "%d", sim[1].port);
	proc_kill(&sim[1]);
	ck_assert_msg(eventually(two_frames, 10), "the fan-out never left b out");
	r = frames_of(br.port, "kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")), 200);
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 0)), "a:kernel/CPU Usage: Total");
	ck_assert_str_eq(frame_name(cJSON_GetArrayItem(frames(r), 1)), "c:kernel/CPU Usage: Total");
	/* Named either way: b's lists failing, or (its lists still served) its data call. */
	cJSON_ArrayForEach(u, frames(r))
		ck_assert_msg(has_notice(u, "trace server b left out") || has_notice(u, "b:kernel/CPU Usage left out"),
			      "%s", cJSON_PrintUnformatted(u));
	cJSON_Delete(r);
	r = frames_of(br.port, "b:kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")), 502);
	ck_assert_msg(strstr(json_get_string(cJSON_GetObjectItemCaseSensitive(r, "error")), "b: "),
		      "%s", cJSON_PrintUnformatted(r));
	cJSON_Delete(r);
	j = get(br.port, "/health?strict=1", 200);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "status")), "degraded");
	u = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "upstreams"), 1);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(u, "name")), "b");
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(u, "status")), "down");
	cJSON_Delete(j);
	names_of(names, sizeof(names), "servers()");
	ck_assert_str_eq(names, "a,b,c");
	/* ?local=1, for load balancers: the bridge alone, no server asked, so no server down. */
	j = get(br.port, "/health?local=1", 200);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "status")), "ok");
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "upstreams"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(j, "bridge"));
	cJSON_Delete(j);

	/* b comes back on its port: the next lists have it again. */
	ck_assert_int_eq(start_tspsim(&sim[1], "--quiet", "--running-polls", "0", "--seed", "2",
				      "--port", port_b, NULL), 0);
	ck_assert_msg(eventually(three_frames, 10), "b never came back into the fan-out");
	r = frames_of(br.port, "kernel/CPU Usage/Total");
	cJSON_ArrayForEach(u, frames(r))
		ck_assert_msg(!has_notice(u, "left out"), "%s", cJSON_PrintUnformatted(u));
	cJSON_Delete(r);
	j = get(br.port, "/health?strict=1", 200);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "status")), "ok");
	cJSON_Delete(j);

	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&single), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(proc_stop(&sim[i]), 0);
}
END_TEST

/* Every server down: the answer is the first server's failure, and strict health is 503. */
START_TEST(all_servers_down)
{
	struct proc b2;
	cJSON *r, *j;

	ck_assert_int_eq(start_bridge(&b2, "--upstream", "a=http://127.0.0.1:9/tsp/api",
				      "--upstream", "b=http://127.0.0.1:9/tsp/api", NULL), 0);
	r = frames_of(b2.port, "kernel/CPU Usage");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")), 502);
	ck_assert_msg(strstr(json_get_string(cJSON_GetObjectItemCaseSensitive(r, "error")),
			     "trace server: a: "), "%s", cJSON_PrintUnformatted(r));
	cJSON_Delete(r);
	j = get(b2.port, "/health?strict=1", 503);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "status")), "degraded");
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&b2), 0);
}
END_TEST

/* A request to a slow server, in the background. */
struct slow_ask {
	int port;
	long status;
	int done;
};

static void *ask_slow(void *arg)
{
	struct slow_ask *q = arg;
	struct strbuf out = STRBUF_INIT;
	char body[512];

	snprintf(body, sizeof(body), "{" RANGE ",\"maxDataPoints\":20,\"targets\":[{\"refId\":\"A\","
		 "\"target\":\"slow:kernel/CPU Usage/Total\"}]}");
	http_post(q->port, "/query", body, &q->status, &out);
	strbuf_release(&out);
	__atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * One HTTP thread, a request waiting on a slow server: another request, to
 * another server, is answered meanwhile (an ordering, not a timing: the slow
 * one is still in flight when the fast one is done).
 */
/* _i: the fetch loops (the default), then a thread per request (--fetch-loops 0). */
START_TEST(a_slow_server_holds_up_no_other_request)
{
	static const char *const loops[] = { "2", "0" };
	struct proc slow, fast, b1;
	struct slow_ask q = { 0 };
	char s_url[96], f_url[96];
	pthread_t th;
	cJSON *r;

	ck_assert_int_eq(start_tspsim(&slow, "--quiet", "--running-polls", "0", NULL), 0);
	ck_assert_int_eq(start_tspsim(&fast, "--quiet", "--running-polls", "0", NULL), 0);
	url_of(s_url, sizeof(s_url), "slow", slow.port);
	url_of(f_url, sizeof(f_url), "fast", fast.port);
	ck_assert_int_eq(start_bridge(&b1, "--upstream", s_url, "--upstream", f_url, "--threads", "1",
				      "--fetch-loops", loops[_i], "--upstream-timeout", "60000",
				      "--log-level", "warn", NULL), 0);
	/* Names resolved once while both are quick, then the slow one slows down. */
	r = frames_of(b1.port, "kernel/Statistics");
	cJSON_Delete(r);
	sim_set_faults(slow.port, under_valgrind() ? "{\"latency_ms\":20000}" : "{\"latency_ms\":4000}");
	q.port = b1.port;
	ck_assert_int_eq(pthread_create(&th, NULL, ask_slow, &q), 0);
	usleep(under_valgrind() ? 2000000 : 300000);
	r = frames_of(b1.port, "fast:kernel/CPU Usage/Total");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")), 200);
	ck_assert_int_eq(cJSON_GetArraySize(frames(r)), 1);
	cJSON_Delete(r);
	ck_assert_msg(!__atomic_load_n(&q.done, __ATOMIC_ACQUIRE),
		      "the slow request ended first: the fast one waited behind it");
	pthread_join(th, NULL);
	ck_assert_int_eq(q.status, 200);
	ck_assert_int_eq(proc_stop(&b1), 0);
	ck_assert_int_eq(proc_stop(&slow), 0);
	ck_assert_int_eq(proc_stop(&fast), 0);
}
END_TEST

/* ---- the pool the fan-out runs on ---- */

static pthread_barrier_t together;
static struct workpool *pool;
static int order[64], n_order, sums[8];

/* Returns only when four pieces run at once: a pool that serialised them would hang. */
static void meet(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	pthread_barrier_wait(&together);
}

static void add_one(void *arg, size_t i)
{
	__atomic_add_fetch((int *)arg + i % 2, 1, __ATOMIC_RELAXED);
}

/* Pieces that run work of their own on the same pool: nesting must not deadlock. */
static void nested(void *arg, size_t i)
{
	(void)arg;
	workpool_run(pool, 50, add_one, &sums[2 * (i % 4)]);
}

static void record(void *arg, size_t i)
{
	(void)arg;
	order[n_order++] = (int)i;
}

START_TEST(workpool_runs_pieces_at_once_and_nests)
{
	int i;

	pool = workpool_new(3);
	ck_assert_ptr_nonnull(pool);
	pthread_barrier_init(&together, NULL, 4);
	workpool_run(pool, 4, meet, NULL);
	pthread_barrier_destroy(&together);
	memset(sums, 0, sizeof(sums));
	workpool_run(pool, 8, nested, NULL);
	/* 8 pieces x 50 sub-pieces, each counted once. */
	ck_assert_int_eq(sums[0] + sums[1] + sums[2] + sums[3] + sums[4] + sums[5] + sums[6] + sums[7], 400);
	workpool_free(pool);

	/* No threads: everything on the caller, in order. */
	pool = workpool_new(0);
	ck_assert_ptr_nonnull(pool);
	n_order = 0;
	workpool_run(pool, 10, record, NULL);
	ck_assert_int_eq(n_order, 10);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(order[i], i);
	workpool_free(pool);
	workpool_run(NULL, 0, record, NULL);
	ck_assert_int_eq(n_order, 10);
}
END_TEST

Suite *federation_suite(void)
{
	Suite *s = suite_create("federation");
	TCase *tc = tcase_create("servers");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 90);
	tcase_add_test(tc, three_servers_behind_one_bridge);
	tcase_add_test(tc, all_servers_down);
	tcase_add_loop_test(tc, a_slow_server_holds_up_no_other_request, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("pool");
	tcase_set_timeout(tc, under_valgrind() ? 120 : 20);
	tcase_add_test(tc, workpool_runs_pieces_at_once_and_nests);
	suite_add_tcase(s, tc);
	return s;
}
