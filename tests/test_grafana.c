/*
 * The Grafana API end to end: tspsim <- tsp-bridge <- HTTP requests shaped
 * like the SimpleJSON and JSON datasource plugins send them. Answers are
 * checked against what tspsim says directly (exact ns -> ms), and against
 * docs/grafana-api.md.
 */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"

#define XY_ID "org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider"

struct env {
	struct proc sim, br;
	char exp_uuid[64];
	int64_t start, end;             /* experiment range, ns */
	char from[96], to[96];          /* the same as Grafana sends it (ms, ISO) */
	int64_t from_ms, to_ms;
};

static int64_t floor_ms(int64_t ns)
{
	return ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);
}

static void iso_ms(char *buf, size_t len, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static cJSON *parse(const struct strbuf *sb, const char *what)
{
	char err[128];
	cJSON *j = json_parse_exact(sb->buf ? sb->buf : "", sb->len, err, sizeof(err));

	ck_assert_msg(j != NULL, "%s: not JSON (%s): %s", what, err, strbuf_str(sb));
	return j;
}

/* POSTs body to the bridge; returns the parsed answer (caller frees) and its status. */
static cJSON *post(const struct env *e, const char *path, const char *body, long *status)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *j;

	ck_assert_int_eq(http_post(e->br.port, path, body, status, &out), 0);
	j = parse(&out, path);
	strbuf_release(&out);
	return j;
}

/* POSTs and asserts a 200. */
static cJSON *post_ok(const struct env *e, const char *path, const char *body)
{
	struct strbuf out = STRBUF_INIT;
	long st;
	cJSON *j;

	ck_assert_int_eq(http_post(e->br.port, path, body, &st, &out), 0);
	ck_assert_msg(st == 200, "%s %s -> %ld: %s", path, body, st, strbuf_str(&out));
	j = parse(&out, path);
	strbuf_release(&out);
	return j;
}

/* POSTs and asserts the status and that {"error"} contains want. */
static void post_err(const struct env *e, const char *path, const char *body, long want_status,
		     const char *want)
{
	long st;
	cJSON *j = post(e, path, body, &st);
	const char *msg = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "error"));

	ck_assert_msg(st == want_status, "%s %s -> %ld, not %ld", path, body, st, want_status);
	ck_assert_msg(msg && strstr(msg, want), "%s %s: error '%s' lacks '%s'", path, body,
		      msg ? msg : "(none)", want);
	cJSON_Delete(j);
}

static void env_start(struct env *e, const char *const *sim_args, const char *const *br_args)
{
	const char *sargs[16] = { "--quiet", "--running-polls", "0" };
	const char *bargs[16] = { "--upstream" };
	char url[128], path[128];
	struct strbuf out = STRBUF_INIT;
	size_t n = 3, m = 2;
	long st;
	cJSON *j, *x;

	memset(e, 0, sizeof(*e));
	while (sim_args && *sim_args && n < 15)
		sargs[n++] = *sim_args++;
	sargs[n] = NULL;
	ck_assert_int_eq(proc_start(&e->sim, "TSPB_TSPSIM", sargs), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", e->sim.port);
	bargs[1] = url;
	while (br_args && *br_args && m < 15)
		bargs[m++] = *br_args++;
	bargs[m] = NULL;
	ck_assert_int_eq(proc_start(&e->br, "TSPB_BRIDGE", bargs), 0);

	/* The experiment as tspsim states it. */
	snprintf(path, sizeof(path), "/tsp/api/experiments");
	ck_assert_int_eq(http_get(e->sim.port, path, &st, &out), 0);
	j = parse(&out, path);
	x = cJSON_GetArrayItem(j, 0);
	snprintf(e->exp_uuid, sizeof(e->exp_uuid), "%s",
		 json_get_string(cJSON_GetObjectItemCaseSensitive(x, "UUID")));
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItemCaseSensitive(x, "start"), &e->start), JSON_OK);
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItemCaseSensitive(x, "end"), &e->end), JSON_OK);
	cJSON_Delete(j);
	strbuf_release(&out);
	/* Grafana's range covering the trace: ms, rounded outwards. */
	e->from_ms = floor_ms(e->start);
	e->to_ms = floor_ms(e->end) + 1;
	iso_ms(e->from, sizeof(e->from), e->from_ms);
	iso_ms(e->to, sizeof(e->to), e->to_ms);
}

static void env_stop(struct env *e)
{
	ck_assert_int_eq(proc_stop(&e->br), 0);
	if (e->sim.pid)
		ck_assert_int_eq(proc_stop(&e->sim), 0);
}

/* A /query body with one target. */
static char *query_body(const struct env *e, const char *target_json, long max_points)
{
	char *b = NULL;

	ck_assert_int_ge(asprintf(&b, "{\"panelId\":1,\"range\":{\"from\":\"%s\",\"to\":\"%s\","
				  "\"raw\":{\"from\":\"now-6h\",\"to\":\"now\"}},\"interval\":\"1s\","
				  "\"intervalMs\":1000,\"maxDataPoints\":%ld,\"targets\":[%s]}",
				  e->from, e->to, max_points, target_json), 0);
	return b;
}

static cJSON *query_ok(const struct env *e, const char *target_json, long max_points)
{
	char *b = query_body(e, target_json, max_points);
	cJSON *j = post_ok(e, "/query", b);

	free(b);
	ck_assert(cJSON_IsArray(j));
	return j;
}

static int list_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const char *v = json_get_string(it);

		if (v && !strcmp(v, s))
			return 1;
	}
	return 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Whether a list of {label, value} options has value s. */
static int list_has_value(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const char *v = json_get_string(get(it, "value"));

		if (v && !strcmp(v, s))
			return 1;
	}
	return 0;
}

static int64_t jint(const cJSON *v)
{
	int64_t x = 0;

	ck_assert_msg(json_get_int64(v, &x) == JSON_OK, "not an integer");
	return x;
}

/* Index of the column named name in a SimpleJSON table, -1 if none. */
static int column(const cJSON *table, const char *name)
{
	const cJSON *c;
	int i = 0;

	cJSON_ArrayForEach(c, get(table, "columns")) {
		const char *t = json_get_string(get(c, "text"));

		if (t && !strcmp(t, name))
			return i;
		i++;
	}
	return -1;
}

START_TEST(discovery_search_variable_tags)
{
	struct env e;
	cJSON *j, *it;

	env_start(&e, NULL, NULL);
	j = post_ok(&e, "/search", "{\"target\":\"\"}");
	ck_assert(list_has(j, "kernel/CPU Usage"));
	ck_assert(list_has(j, "kernel/Thread Status"));
	ck_assert(list_has(j, "kernel/Events Table"));
	ck_assert(list_has(j, "kernel/Statistics"));
	cJSON_Delete(j);
	j = post_ok(&e, "/search", "{\"target\":\"thread\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert(list_has(j, "kernel/Thread Status"));
	cJSON_Delete(j);

	j = post_ok(&e, "/search", "{\"target\":\"experiments()\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert(list_has(j, "kernel"));
	cJSON_Delete(j);
	j = post_ok(&e, "/search", "{\"target\":\"outputs(kernel)\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 13);    /* 5 + the 8 kernel analyses */
	cJSON_Delete(j);
	j = post_ok(&e, "/search", "{\"target\":\"outputs(kernel, XY)\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 5);
	ck_assert(list_has(j, "CPU Usage") && list_has(j, "Histogram") && list_has(j, "Disk I/O View") &&
		  list_has(j, "Memory Usage") && list_has(j, "System Call Latency - Latency vs Time"));
	cJSON_Delete(j);
	j = post_ok(&e, "/search", "{\"target\":\"entries(kernel/CPU Usage)\"}");
	ck_assert(list_has(j, "Total"));
	ck_assert(list_has(j, "kworker/0:1"));
	ck_assert(!list_has(j, "kernel"));     /* the root has no data */
	cJSON_Delete(j);
	j = post_ok(&e, "/search", "{\"target\":\"markers(kernel)\"}");
	ck_assert(list_has(j, "frames"));
	cJSON_Delete(j);
	post_err(&e, "/search", "{\"target\":\"outputs(kernel\"}", 400, "outputs(");
	post_err(&e, "/search", "{\"target\":5}", 400, "target");
	post_err(&e, "/search", "{nope", 400, "JSON");

	j = post_ok(&e, "/variable", "{\"payload\":{\"target\":\"experiments()\"},"
		    "\"range\":{\"from\":\"2023-01-01T00:00:00Z\",\"to\":\"2023-01-02T00:00:00Z\"}}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	it = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(json_get_string(get(it, "__text")), "kernel");
	ck_assert_str_eq(json_get_string(get(it, "__value")), "kernel");
	cJSON_Delete(j);

	j = post_ok(&e, "/tag-keys", "{}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "text")), "experiment");
	cJSON_Delete(j);
	j = post_ok(&e, "/tag-values", "{\"key\":\"experiment\"}");
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "text")), "kernel");
	cJSON_Delete(j);
	post_err(&e, "/tag-values", "{\"key\":\"colour\"}", 400, "colour");
	env_stop(&e);
}
END_TEST

START_TEST(json_datasource_metrics_and_options)
{
	struct env e;
	cJSON *j, *it;
	int found = 0;

	env_start(&e, NULL, NULL);
	j = post_ok(&e, "/metrics", "{\"metric\":\"\",\"payload\":{}}");
	cJSON_ArrayForEach(it, j) {
		const char *v = json_get_string(get(it, "value"));

		ck_assert(cJSON_IsArray(get(it, "payloads")));
		if (v && !strcmp(v, "series")) {
			found = 1;
			ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(get(it, "payloads"), 0), "name")),
					 "experiment");
		}
	}
	ck_assert(found);
	cJSON_Delete(j);

	j = post_ok(&e, "/metric-payload-options",
		    "{\"metric\":\"series\",\"payload\":{},\"name\":\"experiment\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "value")), "kernel");
	cJSON_Delete(j);
	/* Outputs are filtered to those that have the metric's view. */
	j = post_ok(&e, "/metric-payload-options",
		    "{\"metric\":\"series\",\"payload\":{\"experiment\":\"kernel\"},\"name\":\"output\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 5);
	ck_assert(list_has_value(j, "CPU Usage") && list_has_value(j, "Histogram") &&
		  list_has_value(j, "Disk I/O View") && list_has_value(j, "Memory Usage"));
	cJSON_Delete(j);
	j = post_ok(&e, "/metric-payload-options",
		    "{\"metric\":\"timeline\",\"payload\":{\"experiment\":\"kernel\"},\"name\":\"output\"}");
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);     /* the time graphs */
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "value")), "Thread Status");
	ck_assert(list_has_value(j, "Resources Status") && list_has_value(j, "Critical Path"));
	cJSON_Delete(j);
	j = post_ok(&e, "/metric-payload-options", "{\"metric\":\"series\",\"payload\":"
		    "{\"experiment\":\"kernel\",\"output\":\"CPU Usage\"},\"name\":\"entries\"}");
	ck_assert(list_has_value(j, "Total"));
	ck_assert(list_has_value(j, "systemd"));
	cJSON_Delete(j);
	post_err(&e, "/metric-payload-options", "{\"metric\":\"series\",\"payload\":{},\"name\":\"colour\"}",
		 400, "colour");
	post_err(&e, "/metric-payload-options", "{\"metric\":\"series\",\"payload\":{}}", 400, "name");
	env_stop(&e);
}
END_TEST

/* The XY series through the bridge equal tspsim's own answer, ns floored to ms. */
START_TEST(xy_series_match_upstream_exactly)
{
	struct env e;
	struct strbuf out = STRBUF_INIT;
	char path[512], body[512];
	cJSON *j, *up, *s, *series;
	const cJSON *xv, *yv, *dp;
	long st;
	int n;

	env_start(&e, NULL, NULL);
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage\",\"refId\":\"A\",\"type\":\"timeserie\"}", 100);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);   /* the default entry: Total */
	s = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(json_get_string(get(s, "target")), "Total");
	ck_assert_str_eq(json_get_string(get(s, "refId")), "A");
	dp = get(s, "datapoints");
	ck_assert_int_eq(cJSON_GetArraySize(dp), 100);

	/* Ask tspsim the same: range in ns from Grafana's ms, nbTimes = maxDataPoints. */
	snprintf(path, sizeof(path), "/tsp/api/experiments/%s/outputs/XY/%s/xy", e.exp_uuid, XY_ID);
	snprintf(body, sizeof(body), "{\"parameters\":{\"requested_timerange\":{\"start\":%" PRId64
		 "000000,\"end\":%" PRId64 "000000,\"nbTimes\":100},\"requested_items\":[1]}}",
		 e.from_ms, e.to_ms);
	ck_assert_int_eq(http_post(e.sim.port, path, body, &st, &out), 0);
	ck_assert_int_eq(st, 200);
	up = parse(&out, path);
	series = cJSON_GetArrayItem(get(get(up, "model"), "series"), 0);
	xv = get(series, "xValues");
	yv = get(series, "yValues");
	ck_assert_int_eq(cJSON_GetArraySize(xv), 100);
	for (n = 0; n < 100; n++) {
		const cJSON *p = cJSON_GetArrayItem(dp, n);
		double y = cJSON_GetArrayItem(yv, n)->valuedouble;

		ck_assert(jint(cJSON_GetArrayItem(p, 1)) == floor_ms(jint(cJSON_GetArrayItem(xv, n))));
		ck_assert(jint(cJSON_GetArrayItem(p, 1)) >= e.from_ms &&
			  jint(cJSON_GetArrayItem(p, 1)) <= e.to_ms);
		ck_assert_msg(fabs(cJSON_GetArrayItem(p, 0)->valuedouble - y) <= 1e-9 * fabs(y),
			      "point %d: %g != %g", n, cJSON_GetArrayItem(p, 0)->valuedouble, y);
	}
	cJSON_Delete(up);
	cJSON_Delete(j);

	/* maxDataPoints above the server's 65536 is capped, not refused. */
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage\",\"refId\":\"A\",\"type\":\"timeserie\"}", 100000);
	ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(j, 0), "datapoints")), 65536);
	cJSON_Delete(j);
	strbuf_release(&out);
	env_stop(&e);
}
END_TEST

START_TEST(xy_entry_patterns)
{
	struct env e;
	cJSON *j, *s;
	int n;

	env_start(&e, NULL, NULL);
	/* '*': every entry with data (Total + 24 threads). */
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage/*\",\"refId\":\"A\",\"type\":\"timeserie\"}", 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 25);
	cJSON_Delete(j);
	/* A name with '/' in it, after the second '/'. */
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage/kworker/0:1\",\"refId\":\"A\",\"type\":\"timeserie\"}", 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	/* tspsim names thread series "name (tid)" */
	ck_assert_msg(!strncmp(json_get_string(get(cJSON_GetArrayItem(j, 0), "target")), "kworker/0:1", 11),
		      "%s", json_get_string(get(cJSON_GetArrayItem(j, 0), "target")));
	cJSON_Delete(j);
	/* A regex, and the same through SimpleJSON's data object. */
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage/~^kworker\",\"refId\":\"A\",\"type\":\"timeserie\"}", 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	j = query_ok(&e, "{\"target\":\"\",\"refId\":\"B\",\"type\":\"timeserie\",\"data\":"
		     "{\"experiment\":\"kernel\",\"output\":\"CPU*\",\"entries\":[\"systemd\",\"Total\"]}}", 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);
	cJSON_ArrayForEach(s, j) {
		const char *name = json_get_string(get(s, "target"));

		ck_assert_msg(!strncmp(name, "systemd", 7) || !strcmp(name, "Total"), "%s", name);
		ck_assert_str_eq(json_get_string(get(s, "refId")), "B");
		n = cJSON_GetArraySize(get(s, "datapoints"));
		ck_assert_int_eq(n, 10);
	}
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

/*
 * Series as frames: a frame X holds a value field X, which Grafana would
 * show as "X X" among frames of other names unless the field names itself
 * (displayNameFromDS).
 */
START_TEST(series_frames_show_each_name_once)
{
	struct env e;
	cJSON *j, *f;
	int n = 0;

	env_start(&e, NULL, NULL);
	j = query_ok(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
		     "{\"experiment\":\"kernel\",\"output\":\"CPU Usage\",\"entries\":\"*\"}}", 10);
	cJSON_ArrayForEach(f, j) {
		const char *name = json_get_string(get(f, "name"));
		const cJSON *v = cJSON_GetArrayItem(get(f, "fields"), 1);
		const char *ds = json_get_string(get(get(v, "config"), "displayNameFromDS"));

		ck_assert_ptr_nonnull(name);
		ck_assert_msg(ds && !strcmp(ds, name), "frame %s: displayNameFromDS %s", name, ds ? ds : "(none)");
		n++;
	}
	ck_assert_int_eq(n, 25);
	cJSON_Delete(j);
	/* SimpleJSON's time series keep their plain target names. */
	j = query_ok(&e, "{\"target\":\"kernel/CPU Usage\",\"refId\":\"A\",\"type\":\"timeserie\"}", 10);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "target")), "Total");
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

/* The Histogram output: every event of the trace counted once over the samples. */
START_TEST(event_rate_counts_every_event)
{
	struct env e;
	struct strbuf out = STRBUF_INIT;
	cJSON *j, *x, *p;
	int64_t nb = 0;
	double sum = 0;
	long st;

	env_start(&e, NULL, NULL);
	ck_assert_int_eq(http_get(e.sim.port, "/tsp/api/experiments", &st, &out), 0);
	x = parse(&out, "experiments");
	nb = jint(get(cJSON_GetArrayItem(x, 0), "nbEvents"));
	cJSON_Delete(x);
	ck_assert(nb > 1000);
	j = query_ok(&e, "{\"target\":\"kernel/Histogram\",\"refId\":\"H\",\"type\":\"timeserie\"}", 50);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(j, 0), "target")), "Total");
	cJSON_ArrayForEach(p, get(cJSON_GetArrayItem(j, 0), "datapoints"))
		sum += cJSON_GetArrayItem(p, 0)->valuedouble;
	ck_assert_msg((int64_t)sum == nb, "%.0f events counted, the trace has %" PRId64, sum, nb);
	cJSON_Delete(j);
	strbuf_release(&out);
	env_stop(&e);
}
END_TEST

START_TEST(time_graph_intervals_table)
{
	struct env e;
	cJSON *j, *t, *row;
	int c_row, c_start, c_end, c_state, c_sns, c_ens, rows = 0;

	env_start(&e, NULL, NULL);
	j = query_ok(&e, "{\"target\":\"kernel/Thread Status\",\"refId\":\"T\",\"type\":\"table\"}", 500);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	t = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(json_get_string(get(t, "type")), "table");
	c_row = column(t, "row");
	c_start = column(t, "start");
	c_end = column(t, "end");
	c_state = column(t, "state");
	c_sns = column(t, "start_ns");
	c_ens = column(t, "end_ns");
	ck_assert(c_row >= 0 && c_start >= 0 && c_end >= 0 && c_state >= 0 && c_sns >= 0 && c_ens >= 0);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(get(t, "columns"), c_start), "type")), "time");
	cJSON_ArrayForEach(row, get(t, "rows")) {
		int64_t s = jint(cJSON_GetArrayItem(row, c_start)), en = jint(cJSON_GetArrayItem(row, c_end));
		int64_t sns = strtoll(json_get_string(cJSON_GetArrayItem(row, c_sns)), NULL, 10);
		int64_t ens = strtoll(json_get_string(cJSON_GetArrayItem(row, c_ens)), NULL, 10);

		ck_assert(s == floor_ms(sns) && en == floor_ms(ens));
		ck_assert(sns <= ens);
		ck_assert(s >= e.from_ms && en <= e.to_ms);
		ck_assert(json_get_string(cJSON_GetArrayItem(row, c_row)) != NULL);
		ck_assert(json_get_string(cJSON_GetArrayItem(row, c_state)) != NULL);
		rows++;
	}
	ck_assert_int_gt(rows, 24);
	cJSON_Delete(j);

	/* The limit cuts and says so. */
	j = query_ok(&e, "{\"target\":\"kernel/Thread Status?limit=7\",\"refId\":\"T\",\"type\":\"table\"}", 500);
	t = cJSON_GetArrayItem(j, 0);
	ck_assert_int_eq(cJSON_GetArraySize(get(t, "rows")), 7);
	ck_assert(has_notice(t, "7"));
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

START_TEST(time_graph_timeline_frames_with_colours)
{
	struct env e;
	cJSON *j, *f, *fl;
	const cJSON *fields;
	int n_strings = 0, with_colour = 0;

	env_start(&e, NULL, NULL);
	/* JSON datasource: the view as the metric, the rest in the payload. */
	j = query_ok(&e, "{\"target\":\"timeline\",\"refId\":\"S\",\"payload\":"
		     "{\"experiment\":\"kernel\",\"output\":\"Thread Status\",\"entries\":\"~^(systemd|bash)$\"}}", 300);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	f = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(json_get_string(get(f, "refId")), "S");
	fields = get(f, "fields");
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(fields, 0), "name")), "time");
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(fields, 0), "type")), "time");
	cJSON_ArrayForEach(fl, fields) {
		const cJSON *maps = get(get(fl, "config"), "mappings");
		const cJSON *m, *opt;

		const char *name = json_get_string(get(fl, "name"));

		if (strcmp(json_get_string(get(fl, "type")), "string"))
			continue;
		n_strings++;
		ck_assert_msg(!strncmp(name, "systemd", 7) || !strncmp(name, "bash", 4), "row %s", name);
		ck_assert_int_eq(cJSON_GetArraySize(get(fl, "values")),
				 cJSON_GetArraySize(get(cJSON_GetArrayItem(fields, 0), "values")));
		cJSON_ArrayForEach(m, maps)
			cJSON_ArrayForEach(opt, get(m, "options")) {
				const char *c = json_get_string(get(opt, "color"));

				if (c && c[0] == '#' && strlen(c) == 7)
					with_colour++;
			}
	}
	ck_assert_int_ge(n_strings, 2);          /* systemd and the bash threads */
	ck_assert_int_gt(with_colour, 0);
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

START_TEST(events_statistics_arrows_styles)
{
	struct env e;
	cJSON *j, *t, *row;
	int c_type, c_name, found = 0;

	env_start(&e, NULL, NULL);
	j = query_ok(&e, "{\"target\":\"kernel/Events Table?limit=5\",\"refId\":\"E\",\"type\":\"table\"}", 100);
	t = cJSON_GetArrayItem(j, 0);
	ck_assert_int_eq(cJSON_GetArraySize(get(t, "rows")), 5);
	ck_assert(column(t, "Event type") >= 0);
	ck_assert(column(t, "time") >= 0);
	ck_assert(has_notice(t, "5"));
	cJSON_ArrayForEach(row, get(t, "rows")) {
		int64_t ms = jint(cJSON_GetArrayItem(row, column(t, "time")));

		ck_assert(ms >= e.from_ms && ms <= e.to_ms);
	}
	cJSON_Delete(j);

	j = query_ok(&e, "{\"target\":\"kernel/Statistics\",\"refId\":\"D\",\"type\":\"table\"}", 100);
	t = cJSON_GetArrayItem(j, 0);
	c_name = column(t, "name");
	ck_assert_int_ge(c_name, 0);
	cJSON_ArrayForEach(row, get(t, "rows"))
		found |= !strcmp(json_get_string(cJSON_GetArrayItem(row, c_name)), "sched_switch");
	ck_assert(found);
	/* The "%" column ("22.128 %" upstream) is a number in percent. */
	c_type = column(t, "%");
	ck_assert_int_ge(c_type, 0);
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(get(t, "columns"), c_type), "type")), "number");
	ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(get(t, "columns"), c_type), "unit")), "percent");
	cJSON_ArrayForEach(row, get(t, "rows")) {
		const cJSON *v = cJSON_GetArrayItem(row, c_type);

		ck_assert(cJSON_IsNull(v) || (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 100));
	}
	cJSON_Delete(j);
	j = query_ok(&e, "{\"target\":\"tree\",\"refId\":\"D\",\"payload\":{\"experiment\":\"kernel\","
		     "\"output\":\"Statistics\"}}", 100);
	t = cJSON_GetArrayItem(get(cJSON_GetArrayItem(j, 0), "fields"), 3);
	ck_assert_str_eq(json_get_string(get(t, "name")), "%");
	ck_assert_str_eq(json_get_string(get(t, "type")), "number");
	ck_assert_str_eq(json_get_string(get(get(t, "config"), "unit")), "percent");
	ck_assert(cJSON_IsNumber(cJSON_GetArrayItem(get(t, "values"), 1)));
	cJSON_Delete(j);

	j = query_ok(&e, "{\"target\":\"kernel/Thread Status?view=arrows\",\"refId\":\"R\",\"type\":\"table\"}", 100);
	t = cJSON_GetArrayItem(j, 0);
	ck_assert(column(t, "source") >= 0 && column(t, "target") >= 0);
	ck_assert_int_gt(cJSON_GetArraySize(get(t, "rows")), 0);
	cJSON_Delete(j);

	j = query_ok(&e, "{\"target\":\"kernel/Thread Status?view=styles\",\"refId\":\"Y\",\"type\":\"table\"}", 100);
	t = cJSON_GetArrayItem(j, 0);
	c_type = column(t, "color");
	ck_assert_int_ge(c_type, 0);
	ck_assert_int_ge(cJSON_GetArraySize(get(t, "rows")), 5);
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

START_TEST(annotations_from_markers)
{
	struct env e;
	char *b = NULL;
	cJSON *j, *a;
	int n = 0;

	env_start(&e, NULL, NULL);
	ck_assert_int_ge(asprintf(&b, "{\"range\":{\"from\":\"%s\",\"to\":\"%s\"},\"annotation\":"
				  "{\"name\":\"Frames\",\"enable\":true,\"iconColor\":\"red\","
				  "\"query\":\"kernel/Thread Status?markers=frames\"}}", e.from, e.to), 0);
	j = post_ok(&e, "/annotations", b);
	cJSON_ArrayForEach(a, j) {
		int64_t t = jint(get(a, "time")), te = jint(get(a, "timeEnd"));

		ck_assert(t <= te && t >= e.from_ms && t <= e.to_ms);
		ck_assert_str_eq(json_get_string(get(get(a, "annotation"), "name")), "Frames");
		ck_assert(json_get_string(get(a, "title")) != NULL);
		n++;
	}
	ck_assert_int_gt(n, 0);
	cJSON_Delete(j);
	free(b);
	env_stop(&e);
}
END_TEST

START_TEST(bad_requests_are_named)
{
	struct env e;
	char *b;

	env_start(&e, NULL, NULL);
	post_err(&e, "/query", "{\"targets\":[", 400, "JSON");
	post_err(&e, "/query", "{\"targets\":[{\"target\":\"kernel/CPU Usage\"}]}", 400, "range");
	post_err(&e, "/query", "{\"range\":{\"from\":\"yesterday\",\"to\":\"now\"},\"targets\":[]}", 400,
		 "yesterday");
	b = query_body(&e, "{\"target\":\"nosuch/CPU Usage\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "nosuch");
	free(b);
	b = query_body(&e, "{\"target\":\"kernel/No Such Output\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "No Such Output");
	free(b);
	b = query_body(&e, "{\"target\":\"kernel/CPU Usage?view=timeline\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "timeline");
	free(b);
	b = query_body(&e, "{\"target\":\"kernel/CPU Usage/~(\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "~(");
	free(b);
	/* Back-references have no time bound in glibc: refused wherever a regex is taken. */
	b = query_body(&e, "{\"target\":\"kernel/CPU Usage/~^(a|ab)+(b)\\\\\\\\2\\\\\\\\1$\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "back-references");
	free(b);
	b = query_body(&e, "{\"target\":\"*/CPU Usage\",\"refId\":\"A\"}],\"adhocFilters\":"
		       "[{\"key\":\"output\",\"operator\":\"=~\",\"value\":\"(C)\\\\1\"}", 10);
	post_err(&e, "/query", b, 400, "back-references");
	free(b);
	b = query_body(&e, "{\"target\":7,\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "target");
	free(b);
	post_err(&e, "/annotations", "{\"range\":{\"from\":\"2023-01-01T00:00:00Z\",\"to\":"
		 "\"2023-01-02T00:00:00Z\"},\"annotation\":{\"query\":\"kernel\"}}", 400, "kernel");
	env_stop(&e);
}
END_TEST

/*
 * Entries from a Grafana multi-value variable, as the JSON datasource
 * interpolates them: regex format, glob format, a single escaped value.
 */
START_TEST(entries_from_template_variables)
{
	static const char *const forms[] = {
		"\"(bash|sshd)\"", "\"{bash,sshd}\"", "[\"(bash|sshd)\"]", "[\"bash\",\"sshd\"]",
	};
	struct env e;
	char body[512], *b;
	cJSON *j, *f;
	size_t i;
	int n;

	env_start(&e, NULL, NULL);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(body, sizeof(body), "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
			 "{\"experiment\":\"kernel\",\"output\":\"CPU Usage\",\"entries\":%s}}", forms[i]);
		j = query_ok(&e, body, 5);
		n = 0;
		cJSON_ArrayForEach(f, j) {
			const char *name = json_get_string(get(f, "name"));

			ck_assert_msg(!strncmp(name, "bash (", 6) || !strncmp(name, "sshd (", 6), "%s: %s", forms[i], name);
			n++;
		}
		ck_assert_msg(n == 10, "%s: %d series", forms[i], n);
		cJSON_Delete(j);
	}
	j = query_ok(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\","
		     "\"output\":\"CPU Usage\",\"entries\":\"kworker\\\\/0:1\"}}", 5);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);
	/* The same on a time graph, as the thread view's $thread gives it. */
	j = query_ok(&e, "{\"target\":\"timeline\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\","
		     "\"output\":\"Thread Status\",\"entries\":\"(systemd|kworker\\\\/0:1)\"}}", 50);
	ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(j, 0), "fields")), 3);
	cJSON_Delete(j);
	/* Nothing matched: the error names every value. */
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\","
		       "\"output\":\"CPU Usage\",\"entries\":\"(nope|nada\\\\.x)\"}}", 5);
	post_err(&e, "/query", b, 400, "matches \"nope\", \"nada.x\"");
	free(b);
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\","
		       "\"output\":\"CPU Usage\",\"entries\":[\"nope\",\"nada\"]}}", 5);
	post_err(&e, "/query", b, 400, "matches \"nope\", \"nada\"");
	free(b);
	env_stop(&e);
}
END_TEST

/* Field names of a data frame, comma-separated, in buf. */
static const char *field_names(const cJSON *frame, char *buf, size_t len)
{
	const cJSON *fl;
	size_t n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(fl, get(frame, "fields"))
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
				      json_get_string(get(fl, "name")));
	return buf;
}

/*
 * The node graph views: frames that keep their fields without a link (the
 * node graph throws without an id field), subtitles that tell threads of
 * one name apart, and links that follow the entries asked for.
 */
START_TEST(node_graph_views)
{
	struct env e;
	char *b = NULL, names[256];
	cJSON *j, *f, *v;
	const cJSON *ids, *subs, *src, *dst;
	int i, n;

	env_start(&e, NULL, NULL);
	/* A range without links: empty frames, every field there. */
	ck_assert_int_ge(asprintf(&b, "{\"range\":{\"from\":\"2023-11-14T22:13:00Z\",\"to\":\"2023-11-14T22:13:01Z\"},"
				  "\"targets\":[{\"target\":\"nodes\",\"refId\":\"N\",\"payload\":{\"experiment\":\"kernel\","
				  "\"output\":\"Thread Status\"}},{\"target\":\"edges\",\"refId\":\"E\",\"payload\":"
				  "{\"experiment\":\"kernel\",\"output\":\"Thread Status\"}}]}"), 0);
	j = post_ok(&e, "/query", b);
	free(b);
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);
	f = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(json_get_string(get(f, "name")), "nodes");
	ck_assert_str_eq(field_names(f, names, sizeof(names)), "id,title,subtitle,mainstat,secondarystat");
	ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(f, "fields"), 0), "values")), 0);
	f = cJSON_GetArrayItem(j, 1);
	ck_assert_str_eq(json_get_string(get(f, "name")), "edges");
	ck_assert_str_eq(field_names(f, names, sizeof(names)), "id,source,target,mainstat");
	cJSON_Delete(j);

	/* The bash threads' links: every edge touches one; threads of one name have their own subtitles. */
	j = query_ok(&e, "{\"target\":\"nodes\",\"refId\":\"N\",\"payload\":{\"experiment\":\"kernel\","
		     "\"output\":\"Thread Status\",\"entries\":\"bash\"}},{\"target\":\"edges\",\"refId\":\"E\","
		     "\"payload\":{\"experiment\":\"kernel\",\"output\":\"Thread Status\",\"entries\":\"bash\"}}", 10);
	f = cJSON_GetArrayItem(j, 0);
	ids = get(cJSON_GetArrayItem(get(f, "fields"), 0), "values");
	subs = get(cJSON_GetArrayItem(get(f, "fields"), 2), "values");
	n = cJSON_GetArraySize(ids);
	ck_assert_int_gt(n, 5);
	for (i = 0; i < n; i++) {
		const char *title = json_get_string(cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(f, "fields"), 1),
									   "values"), i));
		const char *sub = json_get_string(cJSON_GetArrayItem(subs, i));
		int k;

		ck_assert_msg(sub && !strncmp(sub, "tid ", 4), "%s: subtitle %s", title, sub ? sub : "(null)");
		for (k = 0; k < i; k++)
			ck_assert_str_ne(json_get_string(cJSON_GetArrayItem(subs, k)), sub);
	}
	v = cJSON_GetArrayItem(j, 1);
	src = get(cJSON_GetArrayItem(get(v, "fields"), 1), "values");
	dst = get(cJSON_GetArrayItem(get(v, "fields"), 2), "values");
	ck_assert_int_gt(cJSON_GetArraySize(src), 0);
	for (i = 0; i < cJSON_GetArraySize(src); i++) {
		/* tspsim's bash threads are rows 4..8 */
		long s = strtol(json_get_string(cJSON_GetArrayItem(src, i)), NULL, 10);
		long d = strtol(json_get_string(cJSON_GetArrayItem(dst, i)), NULL, 10);

		ck_assert_msg((s >= 4 && s <= 8) || (d >= 4 && d <= 8), "edge %ld -> %ld", s, d);
	}
	cJSON_Delete(j);

	/* The links table follows the entries too. */
	j = query_ok(&e, "{\"target\":\"arrows\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\","
		     "\"output\":\"Thread Status\",\"entries\":\"(systemd|sshd)\"}}", 10);
	f = cJSON_GetArrayItem(j, 0);
	src = get(cJSON_GetArrayItem(get(f, "fields"), 0), "values");
	dst = get(cJSON_GetArrayItem(get(f, "fields"), 1), "values");
	ck_assert_int_gt(cJSON_GetArraySize(src), 0);
	for (i = 0; i < cJSON_GetArraySize(src); i++) {
		const char *s = json_get_string(cJSON_GetArrayItem(src, i)), *d = json_get_string(cJSON_GetArrayItem(dst, i));

		ck_assert_msg(!strncmp(s, "systemd", 7) || !strncmp(s, "sshd", 4) || !strncmp(d, "systemd", 7) ||
			      !strncmp(d, "sshd", 4), "link %s -> %s", s, d);
	}
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

/* A payload query (no target text) is named by its fields in errors. */
START_TEST(payload_errors_name_the_fields)
{
	struct env e;
	long st;
	char *b;
	cJSON *j;
	const char *msg;

	env_start(&e, NULL, NULL);
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
		       "{\"experiment\":\"kernel\",\"output\":\"Nope\"}}", 10);
	j = post(&e, "/query", b, &st);
	msg = json_get_string(get(j, "error"));
	ck_assert_int_eq(st, 400);
	ck_assert_msg(msg && strstr(msg, "experiment \"kernel\", output \"Nope\"") && !strstr(msg, "target \"\""),
		      "%s", msg ? msg : "(none)");
	cJSON_Delete(j);
	free(b);
	b = query_body(&e, "{\"target\":\"\",\"refId\":\"A\",\"payload\":{\"experiment\":\"nosuch\","
		       "\"output\":\"CPU Usage\"}}", 10);
	post_err(&e, "/query", b, 400, "experiment \"nosuch\", output \"CPU Usage\": no experiment matches");
	free(b);
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\"}}", 10);
	post_err(&e, "/query", b, 400, "experiment \"kernel\", no output");
	free(b);
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
		       "{\"experiment\":\"kernel\",\"output\":\"Thread Status\"}}", 10);
	post_err(&e, "/query", b, 400, "experiment \"kernel\", output \"Thread Status\": kernel/Thread Status is a TIME_GRAPH");
	free(b);
	/* A target string is still named as one. */
	b = query_body(&e, "{\"target\":\"kernel/Nope\",\"refId\":\"A\"}", 10);
	post_err(&e, "/query", b, 400, "target \"kernel/Nope\"");
	free(b);
	env_stop(&e);
}
END_TEST

/*
 * A pattern over several outputs with an explicit view: the outputs
 * without that view are skipped and named in a notice; a 400 only when
 * none has it.
 */
START_TEST(wide_pattern_skips_outputs_without_the_view)
{
	struct env e;
	cJSON *j, *f;
	char *b;
	int n = 0;

	env_start(&e, NULL, NULL);
	j = query_ok(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
		     "{\"experiment\":\"kernel\",\"output\":\"*\"}}", 10);
	cJSON_ArrayForEach(f, j) {
		const char *name = json_get_string(get(f, "name"));

		/* The 5 XY outputs: CPU Usage, Histogram, latency scatter, Disk I/O, Memory Usage. */
		ck_assert_msg(!strcmp(name, "kernel/CPU Usage: Total") || !strcmp(name, "kernel/Histogram: Total") ||
			      !strncmp(name, "kernel/System Call Latency - Latency vs Time: ", 46) ||
			      !strncmp(name, "kernel/Disk I/O View: ", 22) || !strncmp(name, "kernel/Memory Usage: ", 21),
			      "%s", name);
		n += !strcmp(name, "kernel/CPU Usage: Total") || !strcmp(name, "kernel/Histogram: Total");
		ck_assert(has_notice(f, "skipped 8 outputs"));
		ck_assert(has_notice(f, "kernel/Thread Status"));
		ck_assert(has_notice(f, "kernel/Statistics"));
		ck_assert(has_notice(f, "kernel/Resources Status"));
		ck_assert(has_notice(f, "kernel/Critical Path"));
	}
	ck_assert_int_eq(n, 2);
	cJSON_Delete(j);
	j = query_ok(&e, "{\"target\":\"kernel/*?view=styles\",\"refId\":\"A\",\"type\":\"table\"}", 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);     /* the time graphs: Thread Status, Resources, Critical Path */
	ck_assert(has_notice(cJSON_GetArrayItem(j, 0), "skipped 10 outputs"));
	ck_assert(has_notice(cJSON_GetArrayItem(j, 0), "kernel/CPU Usage"));
	cJSON_Delete(j);
	/* No matched output has the view: 400 naming them. */
	b = query_body(&e, "{\"target\":\"series\",\"refId\":\"A\",\"payload\":"
		       "{\"experiment\":\"kernel\",\"output\":\"*Stat*\"}}", 10);
	post_err(&e, "/query", b, 400, "none of the 4 matched is one: kernel/Thread Status, kernel/Statistics, "
		 "kernel/Resources Status, kernel/System Call Latency - Latency Statistics");
	free(b);
	/* Without an explicit view each output gets its own, as before. */
	j = query_ok(&e, "{\"target\":\"kernel/*\",\"refId\":\"A\",\"type\":\"table\"}", 10);
	ck_assert_int_ge(cJSON_GetArraySize(j), 5);
	ck_assert(!has_notice(cJSON_GetArrayItem(j, 0), "skipped"));
	cJSON_Delete(j);
	env_stop(&e);
}
END_TEST

START_TEST(upstream_running_failed_down_slow)
{
	struct env e;
	struct strbuf out = STRBUF_INIT;
	const char *bargs[] = { "--poll-deadline", "300", "--upstream-timeout", "1500", NULL };
	char *b;
	cJSON *j;
	long st;

	env_start(&e, NULL, bargs);
	b = query_body(&e, "{\"target\":\"kernel/CPU Usage\",\"refId\":\"A\",\"type\":\"timeserie\"}", 20);

	/* Still RUNNING at the deadline: 200, the partial answer, and a notice. */
	ck_assert_int_eq(http_post(e.sim.port, "/_sim/faults", "{\"running_forever\":true,"
				   "\"path_filter\":\"/xy\"}", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	j = post_ok(&e, "/query", b);
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert(has_notice(cJSON_GetArrayItem(j, 0), "still running"));
	cJSON_Delete(j);

	/* FAILED: 502 with the trace server's message. */
	ck_assert_int_eq(http_post(e.sim.port, "/_sim/faults", "{\"running_forever\":false,"
				   "\"analysis_failed\":true}", &st, &out), 0);
	post_err(&e, "/query", b, 502, "Analysis failed: simulated fault");

	/* HTTP 500 upstream: 502 with its words. */
	ck_assert_int_eq(http_post(e.sim.port, "/_sim/faults", "{\"analysis_failed\":false,"
				   "\"http_500\":true,\"path_filter\":\"\"}", &st, &out), 0);
	post_err(&e, "/search", "{\"target\":\"markers(kernel)\"}", 502, "500");

	/* Slower than the upstream timeout: 504. */
	ck_assert_int_eq(http_post(e.sim.port, "/_sim/faults", "{\"http_500\":false,"
				   "\"latency_ms\":3000,\"path_filter\":\"/xy\"}", &st, &out), 0);
	post_err(&e, "/query", b, 504, "");

	/* Down: 502, and the bridge keeps serving. */
	proc_kill(&e.sim);
	e.sim.pid = 0;
	post_err(&e, "/query", b, 502, "trace server");
	ck_assert_int_eq(http_get(e.br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	free(b);
	strbuf_release(&out);
	env_stop(&e);
}
END_TEST

Suite *grafana_suite(void)
{
	Suite *s = suite_create("grafana");
	TCase *tc = tcase_create("bridge+tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, discovery_search_variable_tags);
	tcase_add_test(tc, json_datasource_metrics_and_options);
	tcase_add_test(tc, xy_series_match_upstream_exactly);
	tcase_add_test(tc, xy_entry_patterns);
	tcase_add_test(tc, series_frames_show_each_name_once);
	tcase_add_test(tc, event_rate_counts_every_event);
	tcase_add_test(tc, time_graph_intervals_table);
	tcase_add_test(tc, time_graph_timeline_frames_with_colours);
	tcase_add_test(tc, events_statistics_arrows_styles);
	tcase_add_test(tc, annotations_from_markers);
	tcase_add_test(tc, bad_requests_are_named);
	tcase_add_test(tc, payload_errors_name_the_fields);
	tcase_add_test(tc, entries_from_template_variables);
	tcase_add_test(tc, node_graph_views);
	tcase_add_test(tc, wide_pattern_skips_outputs_without_the_view);
	tcase_add_test(tc, upstream_running_failed_down_slow);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- Grafana's own conversion (@grafana/data toDataFrame), in Node ---- */

static int run_checker(const char *args, struct strbuf *log)
{
	return run_node("tests/grafana/check-frames.cjs", args, log);
}

static int count_lines(const struct strbuf *log, const char *prefix)
{
	const char *p = strbuf_str(log);
	int n = 0;

	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

START_TEST(checker_rejects_wrong_frames)
{
	struct strbuf log = STRBUF_INIT;
	int rc = run_checker("--self-test", &log);

	ck_assert_msg(rc == 0, "self-test failed:\n%s", strbuf_str(&log));
	ck_assert_int_ge(count_lines(&log, "ok - rejects"), 8);
	ck_assert_int_eq(count_lines(&log, "not ok"), 0);
	strbuf_release(&log);
}
END_TEST

START_TEST(grafana_data_converts_every_answer)
{
	struct env e;
	struct strbuf log = STRBUF_INIT;
	char args[512];
	int rc;

	env_start(&e, NULL, NULL);
	snprintf(args, sizeof(args), "--base http://127.0.0.1:%d --from %s --to %s", e.br.port, e.from, e.to);
	rc = run_checker(args, &log);
	ck_assert_msg(rc == 0, "@grafana/data checks failed:\n%s", strbuf_str(&log));
	ck_assert_int_ge(count_lines(&log, "ok - "), 14);
	strbuf_release(&log);
	env_stop(&e);
}
END_TEST

/* The case-file checker (check-frames.mjs): its self-test, then examples/kernel.json. */
START_TEST(case_checker_and_kernel_cases)
{
	struct env e;
	struct strbuf log = STRBUF_INIT;
	char cases[512], args[1024];
	int rc;

	rc = run_node("tests/grafana/check-frames.mjs", "--self-test", &log);
	ck_assert_msg(rc == 0, "check-frames.mjs --self-test:\n%s", strbuf_str(&log));
	ck_assert_msg(strstr(log.buf, " 0 failed"), "%s", strbuf_str(&log));
	strbuf_reset(&log);
	env_start(&e, NULL, NULL);
	src_path(cases, sizeof(cases), "tests/grafana/examples/kernel.json");
	snprintf(args, sizeof(args), "--base http://127.0.0.1:%d --case '%s'", e.br.port, cases);
	rc = run_node("tests/grafana/check-frames.mjs", args, &log);
	ck_assert_msg(rc == 0, "kernel cases:\n%s", strbuf_str(&log));
	ck_assert_int_ge(count_lines(&log, "ok - "), 20);
	strbuf_release(&log);
	env_stop(&e);
}
END_TEST

/*
 * check-dashboards.cjs over one folder of dashboards and the provisioning
 * they are made for. (The plugin's dashboards, the JSON files of dashboards/, run
 * through the datasource code in grafana/plugin/tests/.)
 */
static void check_dashboards(const struct env *e, const char *dir_rel, const char *prov_rel)
{
	struct strbuf log = STRBUF_INIT;
	char dir[512], prov[512], args[1400];
	int rc;

	src_path(dir, sizeof(dir), dir_rel);
	src_path(prov, sizeof(prov), prov_rel);
	snprintf(args, sizeof(args), "--base http://127.0.0.1:%d --dir '%s' --provisioning '%s'",
		 e->br.port, dir, prov);
	rc = run_node("tests/grafana/check-dashboards.cjs", args, &log);
	ck_assert_msg(rc == 0, "%s:\n%s", dir_rel, strbuf_str(&log));
	ck_assert_int_ge(count_lines(&log, "ok - "), 15);
	ck_assert_msg(strstr(log.buf, "all checks passed"), "%s", strbuf_str(&log));
	strbuf_release(&log);
}

/* Every panel and annotation of every dashboard template answers, as Grafana would ask. */
START_TEST(dashboards_every_panel_answers)
{
	struct env e;

	env_start(&e, NULL, NULL);
	check_dashboards(&e, "dashboards/infinity", "grafana/provisioning/datasources");
	check_dashboards(&e, "grafana/legacy/dashboards", "grafana/legacy/datasources");
	env_stop(&e);
}
END_TEST

/*
 * The compose stacks and provisioning parse and fit together (no Docker
 * engine here): the demo stack, and the replicas stack with its haproxy.cfg.
 */
START_TEST(demo_stack_files_fit_together)
{
	struct strbuf log = STRBUF_INIT;
	char root[512], args[600];
	int rc;

	src_path(root, sizeof(root), ".");
	snprintf(args, sizeof(args), "--root '%s'", root);
	rc = run_node("tests/spec/check-stack.mjs", args, &log);
	ck_assert_msg(rc == 0, "stack:\n%s", strbuf_str(&log));
	ck_assert_int_ge(count_lines(&log, "ok - "), 20);
	ck_assert_int_ge(count_lines(&log, "ok - replicas: "), 40);
	strbuf_release(&log);
}
END_TEST

Suite *grafana_clients_suite(void)
{
	Suite *s = suite_create("grafana_clients");
	TCase *tc = tcase_create("toDataFrame");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 120);
	tcase_add_test(tc, checker_rejects_wrong_frames);
	tcase_add_test(tc, grafana_data_converts_every_answer);
	tcase_add_test(tc, case_checker_and_kernel_cases);
	tcase_add_test(tc, dashboards_every_panel_answers);
	tcase_add_test(tc, demo_stack_files_fit_together);
	suite_add_tcase(s, tc);
	return s;
}
