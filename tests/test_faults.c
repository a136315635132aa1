/*
 * Fault injection from Grafana's side: every upstream fault tspsim can
 * play gives a defined status and message, and the next good request is
 * answered normally. Each request asks a new time range, so neither cache
 * answers for the trace server.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_int.h"

/* tspsim's trace: 1700000000.5 s + 10 s. */
#define TRACE_FROM_MS 1700000000500LL

struct fenv {
	struct proc sim, br;
	int n;                  /* requests so far: each gets its own range */
};

static void fenv_start(struct fenv *e, const char *const *br_args)
{
	const char *args[16] = { "--upstream" };
	char url[128];
	size_t n = 2;

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(start_tspsim(&e->sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", e->sim.port);
	args[1] = url;
	while (br_args && *br_args && n < 15)
		args[n++] = *br_args++;
	args[n] = NULL;
	ck_assert_int_eq(proc_start(&e->br, "TSPB_BRIDGE", args), 0);
}

static void fenv_stop(struct fenv *e)
{
	ck_assert_int_eq(proc_stop(&e->br), 0);
	if (e->sim.pid)
		ck_assert_int_eq(proc_stop(&e->sim), 0);
}

/* Sets tspsim's faults (POST /_sim/faults), or clears them all when json is NULL. */
static void sim_faults(struct fenv *e, const char *json)
{
	struct strbuf out = STRBUF_INIT;
	char url[128];
	long st = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_sim/faults", e->sim.port);
	ck_assert_int_eq(http_do(json ? "POST" : "DELETE", url, json, &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
}

/* POSTs a JSON-datasource /query of target over a range no request asked before. */
static long query(struct fenv *e, const char *target, long points, struct strbuf *out)
{
	char body[512];
	long st = 0;

	e->n++;
	snprintf(body, sizeof(body),
		 "{\"range\":{\"from\":%lld,\"to\":%lld},\"maxDataPoints\":%ld,"
		 "\"targets\":[{\"refId\":\"A\",\"target\":\"%s\",\"payload\":{}}]}",
		 TRACE_FROM_MS + e->n, TRACE_FROM_MS + 9000 + e->n, points, target);
	ck_assert_int_eq(http_post(e->br.port, "/query", body, &st, out), 0);
	return st;
}

/* The answer is status `want` with {"error": "..."} holding each of the words. */
static void expect_error(struct fenv *e, const char *target, long points, long want,
			 const char *w1, const char *w2)
{
	struct strbuf out = STRBUF_INIT;
	long st = query(e, target, points, &out);
	cJSON *j = cJSON_Parse(strbuf_str(&out));
	const char *msg = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "error"));

	ck_assert_msg(st == want, "%s: %ld, not %ld: %s", target, st, want, strbuf_str(&out));
	ck_assert_msg(msg != NULL, "no error member: %s", strbuf_str(&out));
	ck_assert_msg(strstr(msg, w1), "'%s' lacks '%s'", msg, w1);
	ck_assert_msg(!w2 || strstr(msg, w2), "'%s' lacks '%s'", msg, w2);
	cJSON_Delete(j);
	strbuf_release(&out);
}

/* A normal answer: 200 and a frame with values. */
static void expect_data(struct fenv *e)
{
	struct strbuf out = STRBUF_INIT;
	long st = query(e, "kernel/CPU Usage", 100, &out);

	ck_assert_msg(st == 200, "%ld: %s", st, strbuf_str(&out));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"values\":[1700000000"));
	ck_assert_ptr_null(strstr(strbuf_str(&out), "\"error\""));
	strbuf_release(&out);
}

START_TEST(each_upstream_fault_is_named_then_recovered)
{
	static const struct {
		const char *fault;      /* POST /_sim/faults */
		long status;
		const char *w1, *w2;
	} cases[] = {
		{ "{\"http_500\":true}", 502, "HTTP 500", "fault injected by tspsim" },
		{ "{\"malformed_json\":true}", 502, "not JSON", NULL },
		{ "{\"truncate\":true}", 502, "not JSON", NULL },
		{ "{\"drop_connection\":true}", 502, "dropped", NULL },
		{ "{\"analysis_failed\":true}", 502, "nalysis failed", NULL },
		{ "{\"latency_ms\":1500}", 504, "within the request timeout", NULL },
	};
	const char *bargs[] = { "--upstream-timeout", "600", "--poll-deadline", "300", NULL };
	struct fenv e;
	size_t i;

	fenv_start(&e, bargs);
	expect_data(&e);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Only the data requests fail: discovery still works, as on a real server. */
		char fault[256];

		snprintf(fault, sizeof(fault), "%.*s,\"path_filter\":\"/xy\"}",
			 (int)strlen(cases[i].fault) - 1, cases[i].fault);
		sim_faults(&e, fault);
		expect_error(&e, "kernel/CPU Usage", 100, cases[i].status, cases[i].w1, cases[i].w2);
		sim_faults(&e, NULL);
		expect_data(&e);
	}
	fenv_stop(&e);
}
END_TEST

START_TEST(running_forever_answers_partial_data_with_a_notice)
{
	const char *bargs[] = { "--poll-deadline", "200", NULL };
	struct strbuf out = STRBUF_INIT;
	struct fenv e;
	long st;

	fenv_start(&e, bargs);
	sim_faults(&e, "{\"running_forever\":true,\"path_filter\":\"/xy\"}");
	st = query(&e, "kernel/CPU Usage", 100, &out);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "still running"));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"notices\""));
	sim_faults(&e, NULL);
	expect_data(&e);
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

START_TEST(huge_answer_over_the_cap_is_refused)
{
	/* 25 series x 60000 points of TSP JSON is about 60 MB: over a 4 MiB cap. */
	const char *bargs[] = { "--max-upstream-mb", "4", NULL };
	struct fenv e;

	fenv_start(&e, bargs);
	expect_data(&e);
	expect_error(&e, "kernel/CPU Usage/*", 60000, 502, "exceeds", "bytes");
	expect_data(&e);
	fenv_stop(&e);
}
END_TEST

START_TEST(refused_and_down_upstreams)
{
	const char *bargs[] = { "--connect-timeout", "500", NULL };
	const char *args[] = { "--upstream", "http://127.0.0.1:1/tsp/api", NULL };
	struct strbuf out = STRBUF_INIT;
	struct proc br;
	struct fenv e;
	long st;

	/* Refusing: nothing listens on port 1. */
	ck_assert_int_eq(proc_start(&br, "TSPB_BRIDGE", args), 0);
	ck_assert_int_eq(http_post(br.port, "/query",
				   "{\"range\":{\"from\":1700000000500,\"to\":1700000009500},"
				   "\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage\",\"payload\":{}}]}",
				   &st, &out), 0);
	ck_assert_int_eq(st, 502);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "connection refused"));
	ck_assert_int_eq(http_get(br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"down\""));
	ck_assert_int_eq(proc_stop(&br), 0);

	/* Down: it was there, then it is gone, then it is back on the same port. */
	fenv_start(&e, bargs);
	expect_data(&e);
	proc_kill(&e.sim);
	e.sim.pid = 0;
	expect_error(&e, "kernel/CPU Usage", 100, 502, "trace server", NULL);
	ck_assert_int_eq(http_get(e.br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("bridge+tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 900 : 90);
	tcase_add_test(tc, each_upstream_fault_is_named_then_recovered);
	tcase_add_test(tc, running_forever_answers_partial_data_with_a_notice);
	tcase_add_test(tc, huge_answer_over_the_cap_is_refused);
	tcase_add_test(tc, refused_and_down_upstreams);
	suite_add_tcase(s, tc);
	return s;
}
