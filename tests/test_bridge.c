/* tsp-bridge as a process: flags, /health against tspsim, upstream failures, HTTP limits. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"

static int run_capture(const char *args, struct strbuf *out)
{
	char cmd[1024], buf[4096];
	const char *exe = getenv("TSPB_BRIDGE");
	FILE *p;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", exe, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(flags_help_version_errors)
{
	struct strbuf out = STRBUF_INIT;

	ck_assert_int_eq(run_capture("--help", &out), 0);
	ck_assert_msg(strstr(strbuf_str(&out), "TSPB_UPSTREAM"), "%s", strbuf_str(&out));
	strbuf_reset(&out);
	ck_assert_int_eq(run_capture("--version", &out), 0);
	ck_assert_msg(!strncmp(strbuf_str(&out), "tsp-bridge " TSPB_VERSION, 11 + strlen(TSPB_VERSION)),
		      "%s", strbuf_str(&out));
	strbuf_reset(&out);
	ck_assert_int_eq(run_capture("--port nope", &out), 2);
	ck_assert_msg(strstr(strbuf_str(&out), "--port: 'nope'"), "%s", strbuf_str(&out));
	strbuf_reset(&out);
	ck_assert_int_eq(run_capture("--listen 999.1.1.1 --port 0", &out), 1);
	ck_assert_msg(strstr(strbuf_str(&out), "not an IPv4 or IPv6 address"), "%s", strbuf_str(&out));
	strbuf_release(&out);
}
END_TEST

/* GETs path and parses the JSON answer; the caller frees it. */
static cJSON *get_json(int port, const char *path, long *status)
{
	struct strbuf out = STRBUF_INIT;
	char err[128];
	cJSON *j;

	ck_assert_int_eq(http_get(port, path, status, &out), 0);
	j = json_parse_exact(out.buf, out.len, err, sizeof(err));
	ck_assert_msg(j != NULL, "%s: not JSON (%s): %s", path, err, strbuf_str(&out));
	strbuf_release(&out);
	return j;
}

static const char *jstr(const cJSON *obj, const char *path1, const char *path2)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, path1);

	if (path2)
		o = cJSON_GetObjectItemCaseSensitive(o, path2);
	return json_get_string(o);
}

static void upstream_url(char *buf, size_t len, int port)
{
	snprintf(buf, len, "http://127.0.0.1:%d/tsp/api", port);
}

START_TEST(health_up_then_down_then_up)
{
	struct proc sim, br, sim2;
	char url[128], portarg[16];
	double latency;
	cJSON *j;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", NULL), 0);
	upstream_url(url, sizeof(url), sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, NULL), 0);

	j = get_json(br.port, "/health", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(jstr(j, "status", NULL), "ok");
	ck_assert_str_eq(jstr(j, "upstream", "status"), "up");
	ck_assert_str_eq(jstr(j, "upstream", "url"), url);
	ck_assert_str_eq(jstr(j, "upstream", "server_status"), "UP");
	ck_assert_str_eq(jstr(j, "bridge", "version"), TSPB_VERSION);
	ck_assert_int_eq(json_get_double(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "upstream"),
							     "latency_ms"), &latency), JSON_OK);
	ck_assert(latency >= 0 && latency < 60000);
	cJSON_Delete(j);

	/* The trace server goes away: the bridge says so and keeps serving. */
	proc_kill(&sim);
	j = get_json(br.port, "/health", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(jstr(j, "status", NULL), "degraded");
	ck_assert_str_eq(jstr(j, "upstream", "status"), "down");
	ck_assert_str_eq(jstr(j, "upstream", "error_kind"), "connect");
	ck_assert_msg(strstr(jstr(j, "upstream", "error"), "127.0.0.1"), "%s",
		      jstr(j, "upstream", "error"));
	cJSON_Delete(j);
	j = get_json(br.port, "/health?strict=1", &st);
	ck_assert_int_eq(st, 503);
	cJSON_Delete(j);
	j = get_json(br.port, "/", &st);
	ck_assert_int_eq(st, 200);
	cJSON_Delete(j);

	/* It comes back on the same port: the bridge sees it again. */
	snprintf(portarg, sizeof(portarg), "%d", sim.port);
	ck_assert_int_eq(start_tspsim(&sim2, "--quiet", "--port", portarg, NULL), 0);
	ck_assert_int_eq(sim2.port, sim.port);
	j = get_json(br.port, "/health", &st);
	ck_assert_str_eq(jstr(j, "upstream", "status"), "up");
	cJSON_Delete(j);

	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim2), 0);
}
END_TEST

START_TEST(health_reports_upstream_http_error_and_timeout)
{
	struct proc sim, br;
	char url[128];
	cJSON *j;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--fail-500", NULL), 0);
	upstream_url(url, sizeof(url), sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--upstream-timeout", "300", NULL), 0);
	j = get_json(br.port, "/health", &st);
	ck_assert_str_eq(jstr(j, "upstream", "status"), "down");
	ck_assert_str_eq(jstr(j, "upstream", "error_kind"), "http");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "upstream"), "http_status")->valueint, 500);
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);

	/* Slower than the upstream timeout: a timeout, answered promptly. */
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--latency-ms", "3000", NULL), 0);
	upstream_url(url, sizeof(url), sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--upstream-timeout", "300", NULL), 0);
	j = get_json(br.port, "/health", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_str_eq(jstr(j, "upstream", "error_kind"), "timeout");
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

START_TEST(http_errors_are_json)
{
	struct strbuf out = STRBUF_INIT, big = STRBUF_INIT;
	struct proc br;
	char url[128];
	cJSON *j;
	long st;
	int i;

	/* Nothing listens upstream; these answers must not depend on it. */
	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--max-body-kb", "1", NULL), 0);
	j = get_json(br.port, "/no/such/thing", &st);
	ck_assert_int_eq(st, 404);
	ck_assert_msg(strstr(jstr(j, "error", NULL), "/no/such/thing"), "%s", jstr(j, "error", NULL));
	cJSON_Delete(j);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/health", br.port);
	ck_assert_int_eq(http_do("DELETE", url, NULL, &st, &out), 0);
	ck_assert_int_eq(st, 405);
	ck_assert_msg(strstr(strbuf_str(&out), "\"error\"") && strstr(strbuf_str(&out), "GET"),
		      "%s", strbuf_str(&out));

	for (i = 0; i < 3000; i++)
		strbuf_addch(&big, 'x');
	ck_assert_int_eq(http_post(br.port, "/", strbuf_str(&big), &st, &out), 0);
	ck_assert_int_eq(st, 413);
	ck_assert_msg(strstr(strbuf_str(&out), "exceeds 1024 bytes"), "%s", strbuf_str(&out));

	/* Still serving after all that. */
	ck_assert_int_eq(http_get(br.port, "/", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
	strbuf_release(&big);
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

START_TEST(idle_client_is_disconnected)
{
	struct sockaddr_in sa;
	struct proc br;
	struct timespec t0, t1;
	char buf[16];
	double secs;
	int fd;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--client-timeout", "1", NULL), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)br.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* A slow client that never finishes its request gets closed (read returns 0). */
	ck_assert_int_eq(write(fd, "GET / HTTP/1.1\r\n", 16), 16);
	ck_assert_int_eq((int)read(fd, buf, sizeof(buf)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs >= 0.5 && secs < 30, "closed after %.2f s", secs);
	close(fd);
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

/* The README's run command, in its one-shot form: tspsim + bridge + /health. */
START_TEST(quick_start_run_command)
{
	struct strbuf out = STRBUF_INIT;
	char cmd[1024], bdir[512], script[512], buf[4096];
	const char *exe = getenv("TSPB_BRIDGE");
	FILE *p;
	size_t n;
	int status;

	snprintf(bdir, sizeof(bdir), "%s", exe);
	*strrchr(bdir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "DEMO_ONESHOT=1 BRIDGE_PORT=0 sh %s %s 2>&1",
		 src_path(script, sizeof(script), "scripts/demo.sh"), bdir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", strbuf_str(&out));
	ck_assert_msg(strstr(strbuf_str(&out), "\"upstream\":{") &&
		      strstr(strbuf_str(&out), "\"status\":\"up\""), "%s", strbuf_str(&out));
	strbuf_release(&out);
}
END_TEST


/* --open-trace: the experiment exists soon after start, made of the traces given. */
START_TEST(opens_traces_at_startup)
{
	struct proc sim, br;
	struct strbuf out = STRBUF_INIT;
	char url[128];
	long st;
	int i, found = 0;
	cJSON *j = NULL;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	upstream_url(url, sizeof(url), sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--open-trace", "/data/web-01",
				      "--open-trace", "/data/db-01", "--experiment", "demo", NULL), 0);
	for (i = 0; i < 100 && !found; i++) {
		const cJSON *x;

		cJSON_Delete(j);
		j = get_json(sim.port, "/tsp/api/experiments", &st);
		cJSON_ArrayForEach(x, j)
			if (jstr(x, "name", NULL) && !strcmp(jstr(x, "name", NULL), "demo")) {
				found = 1;
				ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(x, "traces")), 2);
			}
		if (!found)
			usleep(100000);
	}
	cJSON_Delete(j);
	ck_assert_msg(found, "no experiment 'demo' after 10 s");
	/* The bridge sees it at once: the opener cleared its catalog. */
	ck_assert_int_eq(http_post(br.port, "/search", "{\"target\":\"experiments()\"}", &st, &out), 0);
	ck_assert_msg(strstr(strbuf_str(&out), "\"demo\""), "%s", strbuf_str(&out));
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);

	/* A second bridge finds it there and leaves it alone. */
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--open-trace", "/data/web-01",
				      "--experiment", "demo", NULL), 0);
	usleep(300000);
	j = get_json(sim.port, "/tsp/api/experiments", &st);
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);     /* kernel + demo, no second demo */
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* With no trace server the opener keeps retrying; the bridge serves and stops cleanly. */
START_TEST(opener_retries_without_blocking)
{
	struct proc br;
	long st;
	cJSON *j;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--open-trace", "/data/x", NULL), 0);
	usleep(1500000);
	j = get_json(br.port, "/health", &st);
	ck_assert_int_eq(st, 200);
	cJSON_Delete(j);
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

Suite *bridge_suite(void)
{
	Suite *s = suite_create("bridge");
	TCase *tc = tcase_create("process");

	tcase_set_timeout(tc, under_valgrind() ? 300 : 60);
	tcase_add_test(tc, flags_help_version_errors);
	tcase_add_test(tc, health_up_then_down_then_up);
	tcase_add_test(tc, health_reports_upstream_http_error_and_timeout);
	tcase_add_test(tc, http_errors_are_json);
	tcase_add_test(tc, idle_client_is_disconnected);
	tcase_add_test(tc, quick_start_run_command);
	tcase_add_test(tc, opens_traces_at_startup);
	tcase_add_test(tc, opener_retries_without_blocking);
	suite_add_tcase(s, tc);
	return s;
}
