/* Configuration parsing and the route table, without a network. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http_server.h"

static const char *fake_env[][2] = {
	{ NULL, NULL }, { NULL, NULL }, { NULL, NULL }, { NULL, NULL },
};

static const char *env_from_table(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fake_env) / sizeof(fake_env[0]); i++)
		if (fake_env[i][0] && !strcmp(fake_env[i][0], name))
			return fake_env[i][1];
	return NULL;
}

static void set_env(size_t slot, const char *name, const char *value)
{
	fake_env[slot][0] = name;
	fake_env[slot][1] = value;
}

static void clear_env(void)
{
	memset(fake_env, 0, sizeof(fake_env));
}

static enum config_result parse(struct bridge_config *cfg, char *err, size_t len,
				int argc, char **argv)
{
	bridge_config_init(cfg);
	return bridge_config_parse(cfg, argc, argv, env_from_table, err, len);
}

START_TEST(config_defaults)
{
	struct bridge_config cfg;
	char err[256];
	char *argv[] = { "tsp-bridge", NULL };

	clear_env();
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 1, argv), CONFIG_OK);
	ck_assert_str_eq(cfg.upstream, "http://127.0.0.1:8080/tsp/api");
	ck_assert_str_eq(cfg.listen_addr, "127.0.0.1");
	ck_assert_int_eq(cfg.port, 8090);
	ck_assert_ptr_null(cfg.port_file);
	ck_assert_int_eq(cfg.log_level, LOG_INFO);
	ck_assert_uint_eq(cfg.max_body_bytes, 1u << 20);
	bridge_config_release(&cfg);
}
END_TEST

START_TEST(config_env_then_flags_win)
{
	struct bridge_config cfg;
	char err[256];
	char *argv[] = { "tsp-bridge", "--port", "9999", "--log-level=debug",
			 "--max-body-kb", "4", NULL };

	clear_env();
	set_env(0, "TSPB_PORT", "7000");
	set_env(1, "TSPB_UPSTREAM", "http://trace-server:8080/tsp/api");
	set_env(2, "TSPB_POLL_DEADLINE_MS", "1234");
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 6, argv), CONFIG_OK);
	ck_assert_int_eq(cfg.port, 9999);
	ck_assert_str_eq(cfg.upstream, "http://trace-server:8080/tsp/api");
	ck_assert_int_eq(cfg.poll_deadline_ms, 1234);
	ck_assert_int_eq(cfg.log_level, LOG_DEBUG);
	ck_assert_uint_eq(cfg.max_body_bytes, 4096);
	bridge_config_release(&cfg);
	clear_env();
}
END_TEST

START_TEST(config_rejects_bad_values)
{
	static const struct {
		const char *flag, *value, *expect;
	} cases[] = {
		{ "--port", "70000", "--port: '70000' is not a whole number from 0 to 65535" },
		{ "--port", "12ab", "not a whole number" },
		{ "--threads", "0", "from 1 to 256" },
		{ "--log-level", "loud", "not one of error, warn, info, debug" },
		{ "--upstream", "ftp://x", "must start with http:// or https://" },
		{ "--listen", "", "empty value" },
		{ "--bogus", "1", "unknown option '--bogus'" },
	};
	size_t i;

	clear_env();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bridge_config cfg;
		char err[256] = "";
		char *argv[] = { "tsp-bridge", (char *)cases[i].flag, (char *)cases[i].value, NULL };

		ck_assert_int_eq(parse(&cfg, err, sizeof(err), 3, argv), CONFIG_ERROR);
		ck_assert_msg(strstr(err, cases[i].expect), "case %zu: '%s'", i, err);
		bridge_config_release(&cfg);
	}
}
END_TEST

START_TEST(config_missing_value_help_version)
{
	struct bridge_config cfg;
	char err[256] = "";
	char *a1[] = { "tsp-bridge", "--port", NULL };
	char *a2[] = { "tsp-bridge", "--help", NULL };
	char *a3[] = { "tsp-bridge", "--port", "1", "--version", NULL };

	clear_env();
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 2, a1), CONFIG_ERROR);
	ck_assert_msg(strstr(err, "--port needs a value"), "%s", err);
	bridge_config_release(&cfg);
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 2, a2), CONFIG_HELP);
	bridge_config_release(&cfg);
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 4, a3), CONFIG_VERSION);
	bridge_config_release(&cfg);
}
END_TEST

START_TEST(config_bad_env_is_named)
{
	struct bridge_config cfg;
	char err[256] = "";
	char *argv[] = { "tsp-bridge", NULL };

	clear_env();
	set_env(0, "TSPB_MAX_CONNECTIONS", "-5");
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 1, argv), CONFIG_ERROR);
	ck_assert_msg(strstr(err, "TSPB_MAX_CONNECTIONS"), "%s", err);
	bridge_config_release(&cfg);
	clear_env();
}
END_TEST

START_TEST(usage_lists_every_env_variable)
{
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	bridge_config_usage(f, "tsp-bridge");
	fclose(f);
	ck_assert(strstr(buf, "--upstream") && strstr(buf, "TSPB_UPSTREAM"));
	ck_assert(strstr(buf, "TSPB_LOG_LEVEL") && strstr(buf, "TSPB_CLIENT_TIMEOUT_S"));
	ck_assert(strstr(buf, "/health"));
}
END_TEST

static void dummy(const struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
}

START_TEST(config_upstreams)
{
	static const struct {
		const char *flag, *value, *expect;
	} bad[] = {
		{ "--upstreams", "http://a:1/tsp/api,http://b:1/tsp/api", "several upstreams without a name" },
		{ "--upstreams", "a=http://x/tsp/api,a=http://y/tsp/api", "two upstreams are named 'a'" },
		{ "--upstream", "my server=http://x/tsp/api", "'my server' is not an upstream name" },
		{ "--upstream", "a=ftp://x", "must start with http:// or https://" },
		{ "--upstreams", " , ", "empty value" },
	};
	struct bridge_config cfg;
	const char *path;
	char err[256];
	char *a1[] = { "tsp-bridge", "--upstream", "a=http://x:1/tsp/api", "--upstream=http://y:2/tsp/api",
		       "--open-trace", "a=/t/1", "--open-trace", "/t/2", NULL };
	char *a2[] = { "tsp-bridge", NULL };
	char *a3[] = { "tsp-bridge", "--upstream", "http://z/?q=a=b", NULL };
	char *a4[] = { "tsp-bridge", "--upstreams", "a=http://x/tsp/api,b=http://y/tsp/api",
		       "--open-trace", "c=/t/1", NULL };
	size_t i;

	clear_env();
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 8, a1), CONFIG_OK);
	ck_assert_uint_eq(cfg.n_upstreams, 2);
	ck_assert_str_eq(cfg.upstreams[0].name, "a");
	ck_assert_str_eq(cfg.upstreams[0].url, "http://x:1/tsp/api");
	/* The one given bare is the default, and the first URL stays cfg.upstream. */
	ck_assert_str_eq(cfg.upstreams[1].name, "default");
	ck_assert_str_eq(cfg.upstreams[1].url, "http://y:2/tsp/api");
	ck_assert_str_eq(cfg.upstream, "http://x:1/tsp/api");
	ck_assert_ptr_eq(open_trace_target(&cfg, cfg.open_traces[0], &path), &cfg.upstreams[0]);
	ck_assert_str_eq(path, "/t/1");
	ck_assert_ptr_null(open_trace_target(&cfg, cfg.open_traces[1], &path));
	ck_assert_str_eq(path, "/t/2");
	bridge_config_release(&cfg);

	/* The environment's list, then a flag replacing it. */
	set_env(0, "TSPB_UPSTREAMS", "a=http://x/tsp/api, b=https://y/tsp/api");
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 1, a2), CONFIG_OK);
	ck_assert_uint_eq(cfg.n_upstreams, 2);
	ck_assert_str_eq(cfg.upstreams[1].name, "b");
	ck_assert_str_eq(cfg.upstreams[1].url, "https://y/tsp/api");
	bridge_config_release(&cfg);
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 3, a3), CONFIG_OK);
	ck_assert_uint_eq(cfg.n_upstreams, 1);
	/* '=' inside a URL does not make a name. */
	ck_assert_str_eq(cfg.upstreams[0].name, "default");
	ck_assert_str_eq(cfg.upstreams[0].url, "http://z/?q=a=b");
	bridge_config_release(&cfg);
	clear_env();

	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 5, a4), CONFIG_ERROR);
	ck_assert_msg(strstr(err, "no upstream is named 'c'"), "%s", err);
	bridge_config_release(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "tsp-bridge", (char *)bad[i].flag, (char *)bad[i].value, NULL };

		err[0] = '\0';
		ck_assert_int_eq(parse(&cfg, err, sizeof(err), 3, argv), CONFIG_ERROR);
		ck_assert_msg(strstr(err, bad[i].expect), "case %zu: '%s'", i, err);
		bridge_config_release(&cfg);
	}
}
END_TEST

START_TEST(config_open_traces_env_then_flags)
{
	struct bridge_config cfg;
	char err[256] = "";
	char *argv[] = { "tsp-bridge", "--open-trace", "/t/a", "--open-trace=/t/b", "--experiment", "demo" };

	clear_env();
	set_env(0, "TSPB_OPEN_TRACE", "/env/1,,/env/2,");
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 1, argv), CONFIG_OK);
	ck_assert_uint_eq(cfg.n_open_traces, 2);
	ck_assert_str_eq(cfg.open_traces[0], "/env/1");
	ck_assert_str_eq(cfg.open_traces[1], "/env/2");
	ck_assert_ptr_null(cfg.experiment);
	bridge_config_release(&cfg);

	/* Flags replace the environment's list and add up. */
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 6, argv), CONFIG_OK);
	ck_assert_uint_eq(cfg.n_open_traces, 2);
	ck_assert_str_eq(cfg.open_traces[0], "/t/a");
	ck_assert_str_eq(cfg.open_traces[1], "/t/b");
	ck_assert_str_eq(cfg.experiment, "demo");
	bridge_config_release(&cfg);

	set_env(0, "TSPB_OPEN_TRACE", ",");
	ck_assert_int_eq(parse(&cfg, err, sizeof(err), 1, argv), CONFIG_ERROR);
	ck_assert_msg(strstr(err, "TSPB_OPEN_TRACE: empty value"), "%s", err);
	bridge_config_release(&cfg);
	clear_env();
}
END_TEST

START_TEST(route_table_404_405)
{
	static const struct http_route routes[] = {
		{ "GET", "/health", dummy },
		{ "POST", "/query", dummy },
		{ "GET", "/query", dummy },
	};
	int status = 0;

	ck_assert_ptr_eq(http_route_find(routes, 3, "GET", "/health", &status), &routes[0]);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_eq(http_route_find(routes, 3, "GET", "/query", &status), &routes[2]);
	ck_assert_ptr_null(http_route_find(routes, 3, "DELETE", "/health", &status));
	ck_assert_int_eq(status, 405);
	ck_assert_ptr_null(http_route_find(routes, 3, "GET", "/nope", &status));
	ck_assert_int_eq(status, 404);
	ck_assert_ptr_null(http_route_find(routes, 3, "GET", "/health/", &status));
	ck_assert_int_eq(status, 404);
}
END_TEST

START_TEST(error_response_is_json)
{
	struct http_response res;

	strbuf_init(&res.body, 0);
	strbuf_addstr(&res.body, "partial output");
	http_response_error(&res, 400, "bad \"target\" %d", 7);
	ck_assert_int_eq(res.status, 400);
	ck_assert_str_eq(strbuf_str(&res.body), "{\"error\":\"bad \\\"target\\\" 7\"}");
	strbuf_release(&res.body);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, config_defaults);
	tcase_add_test(tc, config_env_then_flags_win);
	tcase_add_test(tc, config_rejects_bad_values);
	tcase_add_test(tc, config_missing_value_help_version);
	tcase_add_test(tc, config_bad_env_is_named);
	tcase_add_test(tc, usage_lists_every_env_variable);
	tcase_add_test(tc, config_open_traces_env_then_flags);
	tcase_add_test(tc, config_upstreams);
	tcase_add_test(tc, route_table_404_405);
	tcase_add_test(tc, error_response_is_json);
	suite_add_tcase(s, tc);
	return s;
}
