/*
 * Fault injection from Grafana's side: every upstream fault tspsim can play,
 * plus a refusing, a killed, a silent and an oversized trace server, asked
 * the three ways Grafana asks (JSON datasource POST /query with a payload,
 * SimpleJSON POST /query, GET /timeline for Infinity). Each gives the status
 * docs/grafana-api.md defines (502 upstream failure, 504 timeout, 200 with a
 * "still running" notice at the poll deadline) and a JSON {"error"} naming
 * the cause; once the fault is gone the next request is answered with real
 * data by the same bridge process. Every request asks a time range no
 * request asked before, so neither the upstream cache nor the finished
 * answers can answer for the trace server.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"

/* tspsim's trace: 1700000000.5 s + 10 s. */
#define TRACE_FROM_MS 1700000000500LL
#define POINTS 100

/* The three ways Grafana asks for data. */
enum kind { K_JSON, K_SIMPLE, K_TIMELINE, K_N };
static const char *const kind_name[K_N] = {
	"JSON datasource POST /query", "SimpleJSON POST /query", "GET /timeline",
};
/* tspsim's fault_path for each: the data request only (trees, lists and styles stay good). */
static const char *const kind_path[K_N] = { "/xy", "/xy", "/states" };

struct fenv {
	struct proc sim, br;
	int n;                  /* requests so far: each gets its own range */
	const char *what;       /* the fault under test, for messages */
};

/* Timeouts: short so faults are quick, stretched under valgrind (everything ~20x slower). */
static int scaled(int normal, int valgrind)
{
	return under_valgrind() ? valgrind : normal;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* tspsim, on `port` when > 0 (the harness's "--port 0" comes first; the last --port wins). */
static void sim_start(struct proc *p, int port)
{
	char pbuf[16];

	snprintf(pbuf, sizeof(pbuf), "%d", port);
	if (port > 0)
		ck_assert_int_eq(start_tspsim(p, "--quiet", "--running-polls", "0", "--port", pbuf, NULL), 0);
	else
		ck_assert_int_eq(start_tspsim(p, "--quiet", "--running-polls", "0", NULL), 0);
}

/* A bridge with the short test timeouts, pointed at port, plus extra args. */
static void bridge_start(struct proc *p, int port, const char *const *extra)
{
	char url[128], tmo[16], dl[16], ct[16];
	const char *args[24] = { "--upstream", url, "--upstream-timeout", tmo, "--poll-deadline", dl,
				 "--connect-timeout", ct };
	size_t n = 8;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", port);
	snprintf(tmo, sizeof(tmo), "%d", scaled(600, 4000));
	snprintf(dl, sizeof(dl), "%d", scaled(300, 1500));
	snprintf(ct, sizeof(ct), "%d", scaled(500, 3000));
	while (extra && *extra && n < 23)
		args[n++] = *extra++;
	args[n] = NULL;
	ck_assert_int_eq(proc_start(p, "TSPB_BRIDGE", args), 0);
}

static void fenv_start(struct fenv *e, const char *const *br_args)
{
	memset(e, 0, sizeof(*e));
	e->what = "no fault";
	sim_start(&e->sim, 0);
	bridge_start(&e->br, e->sim.port, br_args);
}

static void fenv_stop(struct fenv *e)
{
	ck_assert_int_eq(proc_stop(&e->br), 0);
	if (e->sim.pid > 0)
		ck_assert_int_eq(proc_stop(&e->sim), 0);
}

/* Sets tspsim's faults (POST /_sim/faults), or clears them all when json is NULL. */
static void sim_faults(struct fenv *e, const char *json)
{
	sim_set_faults(e->sim.port, json);
}

/* fault (a JSON object) with "path_filter" set to path. */
static void sim_fault_on(struct fenv *e, const char *fault, const char *path)
{
	char json[256];

	snprintf(json, sizeof(json), "%.*s,\"path_filter\":\"%s\"}", (int)strlen(fault) - 1, fault, path);
	sim_faults(e, json);
}

static void iso_ms(char *buf, size_t len, long long ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/*
 * One Grafana request of kind k for kernel/CPU Usage (kernel/Thread Status
 * for the timeline) over a range no request asked before; points is
 * maxDataPoints, or the timeline's width. Returns the HTTP status.
 */
static long ask(struct fenv *e, enum kind k, long points, struct strbuf *out)
{
	char req[768], from[96], to[96];
	long long f, t;
	long st = 0;

	e->n++;
	f = TRACE_FROM_MS + e->n;
	t = TRACE_FROM_MS + 9000 + e->n;
	switch (k) {
	case K_JSON:
		snprintf(req, sizeof(req),
			 "{\"range\":{\"from\":%lld,\"to\":%lld},\"maxDataPoints\":%ld,"
			 "\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage\",\"payload\":{}}]}",
			 f, t, points);
		ck_assert_int_eq(http_post(e->br.port, "/query", req, &st, out), 0);
		break;
	case K_SIMPLE:
		iso_ms(from, sizeof(from), f);
		iso_ms(to, sizeof(to), t);
		snprintf(req, sizeof(req),
			 "{\"panelId\":1,\"range\":{\"from\":\"%s\",\"to\":\"%s\",\"raw\":{\"from\":\"now-6h\","
			 "\"to\":\"now\"}},\"interval\":\"1s\",\"intervalMs\":1000,\"maxDataPoints\":%ld,"
			 "\"targets\":[{\"refId\":\"B\",\"target\":\"kernel/CPU Usage\",\"type\":\"timeserie\"}]}",
			 from, to, points);
		ck_assert_int_eq(http_post(e->br.port, "/query", req, &st, out), 0);
		break;
	default:
		snprintf(req, sizeof(req), "/timeline?experiment=kernel&output=Thread%%20Status"
			 "&from=%lld&to=%lld&width=%ld", f, t, points);
		ck_assert_int_eq(http_get(e->br.port, req, &st, out), 0);
		break;
	}
	return st;
}

static cJSON *parse_answer(const struct fenv *e, enum kind k, long st, const struct strbuf *out)
{
	char err[128] = "";
	cJSON *j = json_parse_exact(strbuf_str(out), out->len, err, sizeof(err));

	ck_assert_msg(j != NULL, "%s, %s: answer %ld is not JSON (%s): %.300s", e->what, kind_name[k],
		      st, err, strbuf_str(out));
	return j;
}

/* The answer to a request of kind k is `want` with {"error": "trace server: ..."} holding w1 and w2. */
static void expect_error(struct fenv *e, enum kind k, long points, long want, const char *w1,
			 const char *w2)
{
	struct strbuf out = STRBUF_INIT;
	long st = ask(e, k, points, &out);
	cJSON *j = parse_answer(e, k, st, &out);
	const char *msg = json_get_string(get(j, "error"));

	ck_assert_msg(st == want, "%s, %s: %ld, not %ld: %.400s", e->what, kind_name[k], st, want,
		      strbuf_str(&out));
	ck_assert_msg(msg != NULL, "%s, %s: no error member: %.400s", e->what, kind_name[k],
		      strbuf_str(&out));
	/* Whose fault it was, then what happened. */
	ck_assert_msg(!strncmp(msg, "trace server: ", 14), "%s, %s: '%s'", e->what, kind_name[k], msg);
	ck_assert_msg(strstr(msg, w1), "%s, %s: '%s' lacks '%s'", e->what, kind_name[k], msg, w1);
	ck_assert_msg(!w2 || strstr(msg, w2), "%s, %s: '%s' lacks '%s'", e->what, kind_name[k], msg, w2);
	cJSON_Delete(j);
	strbuf_release(&out);
}

static void expect_error_all(struct fenv *e, long want, const char *w1, const char *w2)
{
	int k;

	for (k = 0; k < K_N; k++)
		expect_error(e, (enum kind)k, POINTS, want, w1, w2);
}

/*
 * A request of kind k answers 200 with real data: POINTS samples of the
 * Total series, or a timeline with rows and states. running: the analysis
 * is stuck RUNNING, so the data is flagged partial ("still running");
 * otherwise it must not be.
 */
static void expect_data_k(struct fenv *e, enum kind k, int running)
{
	struct strbuf out = STRBUF_INIT;
	long st = ask(e, k, POINTS, &out);
	cJSON *j = parse_answer(e, k, st, &out);
	const cJSON *x, *fields;
	const char *status;

	ck_assert_msg(st == 200, "%s, %s: %ld, not 200: %.400s", e->what, kind_name[k], st,
		      strbuf_str(&out));
	switch (k) {
	case K_JSON:
		ck_assert_int_eq(cJSON_GetArraySize(j), 1);
		x = cJSON_GetArrayItem(j, 0);
		ck_assert_str_eq(json_get_string(get(x, "refId")), "A");
		fields = get(x, "fields");
		ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(fields, 0), "name")), "time");
		ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(fields, 0), "values")), POINTS);
		ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(fields, 1), "name")), "Total");
		ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(fields, 1), "values")), POINTS);
		ck_assert_msg(has_notice(x, "still running") == running, "%s, %s: notice: %.400s",
			      e->what, kind_name[k], strbuf_str(&out));
		break;
	case K_SIMPLE:
		ck_assert_int_eq(cJSON_GetArraySize(j), 1);
		x = cJSON_GetArrayItem(j, 0);
		ck_assert_str_eq(json_get_string(get(x, "refId")), "B");
		ck_assert_str_eq(json_get_string(get(x, "target")), "Total");
		ck_assert_int_eq(cJSON_GetArraySize(get(x, "datapoints")), POINTS);
		ck_assert_msg(has_notice(x, "still running") == running, "%s, %s: notice: %.400s",
			      e->what, kind_name[k], strbuf_str(&out));
		break;
	default:
		status = json_get_string(get(get(j, "source"), "status"));
		ck_assert_str_eq(status ? status : "(none)", running ? "RUNNING" : "COMPLETED");
		if (running)
			ck_assert_ptr_nonnull(strstr(json_get_string(get(get(j, "source"), "statusMessage")),
						     "still running"));
		ck_assert_int_ge(cJSON_GetArraySize(get(j, "rows")), 24);
		/* A stuck analysis still shows its partial states; a finished one all of them. */
		ck_assert_int_gt(cJSON_GetArraySize(get(j, "states")), 0);
		break;
	}
	cJSON_Delete(j);
	strbuf_release(&out);
}

static void expect_data(struct fenv *e)
{
	int k;

	for (k = 0; k < K_N; k++)
		expect_data_k(e, (enum kind)k, 0);
}

/* The bridge process itself is fine: /health answers 200 and says what upstream is. */
static void expect_health(struct fenv *e, const char *upstream_status)
{
	struct strbuf out = STRBUF_INIT;
	char want[32];
	long st = 0;

	ck_assert_int_eq(http_get(e->br.port, "/health", &st, &out), 0);
	ck_assert_msg(st == 200, "%s: /health %ld: %s", e->what, st, strbuf_str(&out));
	snprintf(want, sizeof(want), "\"status\":\"%s\"", upstream_status);
	ck_assert_msg(strstr(strbuf_str(&out), want), "%s: /health lacks %s: %s", e->what, want,
		      strbuf_str(&out));
	strbuf_release(&out);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(each_upstream_fault_is_named_then_recovered)
{
	static const struct {
		const char *fault;      /* POST /_sim/faults, path_filter added per request kind */
		long status;
		const char *w1, *w2;
	} cases[] = {
		{ "{\"http_500\":true}", 502, "HTTP 500", "fault injected by tspsim" },
		{ "{\"malformed_json\":true}", 502, "not JSON", "the answer starts" },
		{ "{\"truncate\":true}", 502, "not JSON", "the answer is truncated" },
		{ "{\"drop_connection\":true}", 502, "connection dropped", "without an answer" },
		{ "{\"analysis_failed\":true}", 502, "analysis failed", "simulated fault" },
		{ NULL /* latency over --upstream-timeout */, 504, "request timeout", NULL },
	};
	struct fenv e;
	char slow[64];
	size_t i;
	int k;

	snprintf(slow, sizeof(slow), "{\"latency_ms\":%d}", scaled(1500, 7000));
	fenv_start(&e, NULL);
	expect_data(&e);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.what = cases[i].fault ? cases[i].fault : slow;
		/* Only the data requests fail: discovery and trees still work, as on a real server. */
		for (k = 0; k < K_N; k++) {
			sim_fault_on(&e, e.what, kind_path[k]);
			expect_error(&e, (enum kind)k, POINTS, cases[i].status, cases[i].w1, cases[i].w2);
		}
		expect_health(&e, "up");
		sim_faults(&e, NULL);
		expect_data(&e);
	}
	fenv_stop(&e);
}
END_TEST

/* Faults on every path, before the bridge knows anything: the catalog's own requests fail. */
START_TEST(catalog_faults_are_named_then_recovered)
{
	struct strbuf out = STRBUF_INIT;
	char slow[64];
	struct fenv e;
	long st;

	fenv_start(&e, NULL);
	e.what = "http_500 on every path";
	sim_faults(&e, "{\"http_500\":true}");
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_int_eq(st, 502);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "{\"error\":\"trace server: GET /experiments: HTTP 500"));
	ck_assert_int_eq(http_post(e.br.port, "/variable", "{\"payload\":{\"target\":\"experiments()\"}}",
				   &st, &out), 0);
	ck_assert_int_eq(st, 502);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "HTTP 500"));
	expect_error_all(&e, 502, "HTTP 500", "/experiments");
	/* /health asks the trace server too, and reports it as an HTTP error, still answering 200. */
	ck_assert_int_eq(http_get(e.br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"error_kind\":\"http\""));
	/* Failures are not kept: the first request after the fault is served. */
	sim_faults(&e, NULL);
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"kernel/CPU Usage\""));
	expect_data(&e);

	/* Slower than --upstream-timeout everywhere, once the catalog's lists (2 s) are stale. */
	snprintf(slow, sizeof(slow), "{\"latency_ms\":%d}", scaled(1500, 7000));
	e.what = slow;
	sleep_ms(2200);
	sim_faults(&e, slow);
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_int_eq(st, 504);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "{\"error\":\"trace server: GET /experiments: "));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "request timeout"));
	expect_error(&e, K_JSON, POINTS, 504, "request timeout", NULL);
	sim_faults(&e, NULL);
	expect_data(&e);
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

START_TEST(running_forever_answers_partial_data_with_a_notice)
{
	struct fenv e;
	int k;

	fenv_start(&e, NULL);
	expect_data(&e);
	e.what = "running_forever";
	/* At the poll deadline: 200, the partial data, and a notice (timeline: status RUNNING). */
	for (k = 0; k < K_N; k++) {
		sim_fault_on(&e, "{\"running_forever\":true}", kind_path[k]);
		expect_data_k(&e, (enum kind)k, 1);
	}
	sim_faults(&e, NULL);
	e.what = "running_forever cleared";
	expect_data(&e);
	fenv_stop(&e);
}
END_TEST

START_TEST(huge_answer_over_the_cap_is_refused)
{
	/*
	 * 65536 samples of one XY series are ~2.5 MB of TSP JSON, the states of
	 * every thread at that width well over 1 MB: over a 1 MiB cap. 100
	 * samples are a few KB.
	 */
	const char *bargs[] = { "--max-upstream-mb", "1", NULL };
	struct fenv e;
	int k;

	fenv_start(&e, bargs);
	e.what = "--max-upstream-mb 1";
	expect_data(&e);
	for (k = 0; k < K_N; k++)
		expect_error(&e, (enum kind)k, 65536, 502, "response exceeds 1048576 bytes", NULL);
	expect_health(&e, "up");
	expect_data(&e);
	fenv_stop(&e);
}
END_TEST

START_TEST(refused_then_the_server_appears)
{
	struct strbuf out = STRBUF_INIT;
	struct fenv e;
	long st;

	memset(&e, 0, sizeof(e));
	e.what = "nothing listening";
	e.sim.port = free_port();
	bridge_start(&e.br, e.sim.port, NULL);
	expect_error_all(&e, 502, "connection refused", NULL);
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_int_eq(st, 502);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "connection refused"));
	expect_health(&e, "down");
	/* The trace server starts on that port: served without restarting the bridge. */
	sim_start(&e.sim, e.sim.port);
	e.what = "the server started";
	expect_data(&e);
	expect_health(&e, "up");
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

START_TEST(killed_then_back_on_the_same_port)
{
	struct fenv e;
	int port;

	fenv_start(&e, NULL);
	expect_data(&e);
	port = e.sim.port;
	e.what = "tspsim killed";
	proc_kill(&e.sim);
	/* Its keep-alive connections are gone too: a new one is refused. */
	expect_error_all(&e, 502, "connection", NULL);
	expect_error(&e, K_JSON, POINTS, 502, "connection refused", NULL);
	expect_health(&e, "down");
	sim_start(&e.sim, port);
	e.what = "tspsim restarted";
	expect_data(&e);
	expect_health(&e, "up");
	fenv_stop(&e);
}
END_TEST

/* A trace server that accepts connections and never answers (hung JVM): 504, then fine again. */
START_TEST(silent_server_times_out)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct fenv e;
	int lfd, one = 1;

	memset(&e, 0, sizeof(e));
	e.what = "accepting, never answering";
	/* Not inherited by the bridge, so that closing it here frees the port. */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(lfd, 0);
	/* So tspsim can take the port over while the unanswered connections linger. */
	ck_assert_int_eq(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	/* Connections complete in the backlog; nobody accept()s or reads them. */
	ck_assert_int_eq(listen(lfd, 64), 0);
	e.sim.port = ntohs(sa.sin_port);
	bridge_start(&e.br, e.sim.port, NULL);
	expect_error(&e, K_JSON, POINTS, 504, "request timeout", NULL);
	expect_error(&e, K_TIMELINE, POINTS, 504, "request timeout", NULL);
	expect_health(&e, "down");
	close(lfd);
	sim_start(&e.sim, e.sim.port);
	e.what = "a real server in its place";
	expect_data(&e);
	fenv_stop(&e);
}
END_TEST

/* JSON datasource /query of one target over a range no request asked before. */
static long query_target(struct fenv *e, const char *target, struct strbuf *out)
{
	char req[768];
	long st = 0;

	e->n++;
	snprintf(req, sizeof(req),
		 "{\"range\":{\"from\":%lld,\"to\":%lld},\"maxDataPoints\":%d,"
		 "\"targets\":[{\"refId\":\"A\",\"target\":\"%s\",\"payload\":{}}]}",
		 TRACE_FROM_MS + e->n, TRACE_FROM_MS + 9000 + e->n, POINTS, target);
	ck_assert_int_eq(http_post(e->br.port, "/query", req, &st, out), 0);
	return st;
}

/* The frames of a 200 answer whose every frame comes from experiment `exp` and carries `notice`. */
static int frames_from(struct fenv *e, const struct strbuf *out, const char *exp, const char *notice)
{
	cJSON *j = parse_answer(e, K_JSON, 200, out);
	const cJSON *f;
	int n = 0;

	cJSON_ArrayForEach(f, j) {
		const char *name = json_get_string(get(f, "name"));

		ck_assert_msg(name && !strncmp(name, exp, strlen(exp)), "%s: frame %s: %.300s",
			      e->what, name ? name : "(unnamed)", strbuf_str(out));
		ck_assert_msg(has_notice(f, notice), "%s: no notice '%s': %.600s", e->what, notice,
			      strbuf_str(out));
		n++;
	}
	cJSON_Delete(j);
	return n;
}

/* A second experiment of tspsim's trace, named name; its UUID into uuid. */
static void sim_second_experiment(struct fenv *e, const char *name, char *uuid, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	char url[128], body[256];
	const char *s;
	cJSON *j;
	long st;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api/traces", e->sim.port);
	ck_assert_int_eq(http_do("GET", url, NULL, &st, &out), 0);
	j = json_parse_exact(strbuf_str(&out), out.len, NULL, 0);
	ck_assert_ptr_nonnull(j);
	snprintf(body, sizeof(body), "{\"parameters\":{\"name\":\"%s\",\"traces\":[\"%s\"]}}", name,
		 json_get_string(get(cJSON_GetArrayItem(j, 0), "UUID")));
	cJSON_Delete(j);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api/experiments", e->sim.port);
	ck_assert_int_eq(http_do("POST", url, body, &st, &out), 0);
	ck_assert_msg(st == 200, "POST /experiments %ld: %s", st, strbuf_str(&out));
	j = json_parse_exact(strbuf_str(&out), out.len, NULL, 0);
	s = json_get_string(get(j, "UUID"));
	ck_assert_ptr_nonnull(s);
	snprintf(uuid, len, "%s", s);
	cJSON_Delete(j);
	strbuf_release(&out);
}

/*
 * A wildcard over two experiments, one of which fails upstream: the healthy
 * one is served with a notice naming the other, in /query and /search; the
 * failing one asked alone is still a 502.
 */
START_TEST(one_broken_experiment_leaves_wildcards_served)
{
	struct strbuf out = STRBUF_INIT;
	char uuid[64], path[128];
	struct fenv e;
	long st;

	fenv_start(&e, NULL);
	sim_second_experiment(&e, "second", uuid, sizeof(uuid));

	/* Its outputs list fails. */
	e.what = "outputs of one experiment fail";
	snprintf(path, sizeof(path), "/experiments/%s/outputs", uuid);
	sim_fault_on(&e, "{\"http_500\":true}", path);
	st = query_target(&e, "*/CPU Usage", &out);
	ck_assert_msg(st == 200, "%s: %ld: %s", e.what, st, strbuf_str(&out));
	/* Only one output matched now: its frame is named for its series alone. */
	ck_assert_int_eq(frames_from(&e, &out, "Total", "experiment second left out"), 1);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "HTTP 500"));
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_msg(st == 200, "%s: /search %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"kernel/CPU Usage\""));
	ck_assert_ptr_null(strstr(strbuf_str(&out), "second/"));
	st = query_target(&e, "second/CPU Usage", &out);
	ck_assert_msg(st == 502 && strstr(strbuf_str(&out), "HTTP 500"), "%s: %ld: %s", e.what, st,
		      strbuf_str(&out));

	/* Its outputs list is fine, its XY data fails. */
	e.what = "data of one experiment fails";
	snprintf(path, sizeof(path), "/experiments/%s/outputs/XY", uuid);
	sim_fault_on(&e, "{\"http_500\":true}", path);
	st = query_target(&e, "*/CPU Usage", &out);
	ck_assert_msg(st == 200, "%s: %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_int_eq(frames_from(&e, &out, "kernel", "second/CPU Usage left out"), 1);
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"entries(*/CPU Usage)\"}",
				   &st, &out), 0);
	ck_assert_msg(st == 200, "%s: entries() %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"Total\""));
	st = query_target(&e, "second/CPU Usage", &out);
	ck_assert_msg(st == 502, "%s: %ld: %s", e.what, st, strbuf_str(&out));

	/* Both failing: the failure answers. */
	e.what = "data of every experiment fails";
	sim_fault_on(&e, "{\"http_500\":true}", "/outputs/XY");
	st = query_target(&e, "*/CPU Usage", &out);
	ck_assert_msg(st == 502 && strstr(strbuf_str(&out), "HTTP 500"), "%s: %ld: %s", e.what, st,
		      strbuf_str(&out));
	sim_faults(&e, NULL);
	st = query_target(&e, "*/CPU Usage", &out);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

/*
 * The trace server lists an experiment with an empty UUID and one without
 * its start: both are left out with a notice, every other query is served,
 * and asking for one of them is the server's fault (502), not the client's.
 */
START_TEST(malformed_experiments_are_left_out)
{
	struct strbuf out = STRBUF_INIT;
	struct fenv e;
	long st;

	fenv_start(&e, NULL);
	e.what = "bad_experiments";
	sim_faults(&e, "{\"bad_experiments\":true}");
	st = query_target(&e, "kernel/CPU Usage", &out);
	ck_assert_msg(st == 200, "%s: %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_int_eq(frames_from(&e, &out, "Total", "2 malformed experiment(s)"), 1);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "UUID: empty"));
	st = query_target(&e, "*/CPU Usage", &out);
	ck_assert_msg(st == 200, "%s: %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_int_eq(frames_from(&e, &out, "Total", "malformed experiment"), 1);
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"\"}", &st, &out), 0);
	ck_assert_msg(st == 200, "%s: /search %ld: %s", e.what, st, strbuf_str(&out));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"kernel/CPU Usage\""));
	ck_assert_ptr_null(strstr(strbuf_str(&out), "blank-uuid"));
	expect_data(&e);
	st = query_target(&e, "blank-uuid/CPU Usage", &out);
	ck_assert_msg(st == 502 && strstr(strbuf_str(&out), "malformed"), "%s: %ld: %s", e.what, st,
		      strbuf_str(&out));
	ck_assert_int_eq(http_get(e.br.port, "/timeline?experiment=no-start&output=Thread%20Status"
				  "&from=1700000000500&to=1700000001500", &st, &out), 0);
	ck_assert_msg(st == 502 && strstr(strbuf_str(&out), "malformed"), "%s: /timeline %ld: %s",
		      e.what, st, strbuf_str(&out));
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

/*
 * A thread name from the trace server holding a byte that is no UTF-8 and
 * a \u0000: every answer stays valid UTF-8 (the byte becomes U+FFFD) and
 * the name is not cut at the NUL. A client's NUL, in a JSON body or as
 * %00 in a query argument, is refused with 400.
 */
START_TEST(invalid_text_never_reaches_grafana)
{
	struct strbuf out = STRBUF_INIT;
	char path[256];
	struct fenv e;
	long st;

	fenv_start(&e, NULL);
	e.what = "bad_utf8";
	sim_faults(&e, "{\"bad_utf8\":true}");
	snprintf(path, sizeof(path), "/timeline/rows?experiment=kernel&output=Thread%%20Status"
		 "&from=%lld&to=%lld", TRACE_FROM_MS, TRACE_FROM_MS + 9000);
	ck_assert_int_eq(http_get(e.br.port, path, &st, &out), 0);
	ck_assert_msg(st == 200, "%ld: %s", st, strbuf_str(&out));
	ck_assert_msg(utf8_valid_iconv(out.buf, out.len), "/timeline/rows is not UTF-8");
	/* The bad byte escaped, the NUL become U+FFFD itself as the parser read it. */
	ck_assert_ptr_nonnull(strstr(out.buf, "\"ngi\\ufffdnx\xef\xbf\xbd" "tail\""));
	ck_assert_int_eq(http_post(e.br.port, "/search", "{\"target\":\"entries(kernel/Thread Status)\"}",
				   &st, &out), 0);
	ck_assert_msg(st == 200, "%ld: %s", st, strbuf_str(&out));
	ck_assert_msg(utf8_valid_iconv(out.buf, out.len), "/search is not UTF-8");
	ck_assert_ptr_nonnull(strstr(out.buf, "\xef\xbf\xbd" "tail\""));
	st = query_target(&e, "kernel/Thread Status?view=timeline", &out);
	ck_assert_msg(st == 200, "%ld: %s", st, strbuf_str(&out));
	ck_assert_msg(utf8_valid_iconv(out.buf, out.len), "/query is not UTF-8");
	ck_assert_ptr_nonnull(strstr(out.buf, "\xef\xbf\xbd" "tail"));

	st = query_target(&e, "kernel/CPU\\u0000 Usage", &out);
	ck_assert_msg(st == 400 && strstr(strbuf_str(&out), "NUL"), "%ld: %s", st, strbuf_str(&out));
	ck_assert_int_eq(http_get(e.br.port, "/timeline?experiment=kernel%00x&output=Thread%20Status"
				  "&from=1&to=2", &st, &out), 0);
	ck_assert_msg(st == 400 && strstr(strbuf_str(&out), "experiment\\\" holds a NUL"), "%ld: %s",
		      st, strbuf_str(&out));
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

/*
 * Every answer of the trace server carries 16 MiB of numbers the bridge
 * never reads: the data is served as without them, and the bridge's peak
 * memory stays near the answers' own size (as nodes they were 32 times it).
 */
START_TEST(unread_members_cost_no_memory)
{
	const int vg = under_valgrind();
	struct strbuf out = STRBUF_INIT;
	const char *max_args[] = { "--max-upstream-mb", "64", NULL };
	char fault[64];
	struct fenv e;
	long peak;

	fenv_start(&e, max_args);
	snprintf(fault, sizeof(fault), "{\"junk_kb\":%d}", vg ? 1024 : 16384);
	e.what = fault;
	sim_faults(&e, fault);
	expect_data(&e);
	peak = proc_status_kb(e.br.pid, "VmHWM");
	fprintf(stderr, "faults: bridge peak RSS %ld KiB with %s on every answer\n", peak, fault);
#ifndef __SANITIZE_ADDRESS__
	if (!vg)
		ck_assert_msg(peak < 200 * 1024, "peak RSS %ld KiB", peak);
#endif
	strbuf_release(&out);
	fenv_stop(&e);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("bridge+tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 900 : 60);
	tcase_add_test(tc, each_upstream_fault_is_named_then_recovered);
	tcase_add_test(tc, catalog_faults_are_named_then_recovered);
	tcase_add_test(tc, running_forever_answers_partial_data_with_a_notice);
	tcase_add_test(tc, huge_answer_over_the_cap_is_refused);
	tcase_add_test(tc, refused_then_the_server_appears);
	tcase_add_test(tc, killed_then_back_on_the_same_port);
	tcase_add_test(tc, silent_server_times_out);
	tcase_add_test(tc, one_broken_experiment_leaves_wildcards_served);
	tcase_add_test(tc, malformed_experiments_are_left_out);
	tcase_add_test(tc, invalid_text_never_reaches_grafana);
	tcase_add_test(tc, unread_members_cost_no_memory);
	suite_add_tcase(s, tc);
	return s;
}
