/*
 * The kernel analyses through the bridge, against tspsim: what a Grafana
 * panel gets for System Call Latency (scatter, density, statistics), Disk
 * I/O, Resources Status and the Critical Path of a thread, on every
 * contract (/frames, /query, /flat, /timeline, /metrics).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "json_int.h"

Suite *kernel_live_suite(void);

/* Around tspsim's default trace (2023-11-14T22:13:20.5Z, 10 s): every segment is in. */
#define RANGE "\"range\":{\"from\":\"2023-11-14T22:13:19.000Z\",\"to\":\"2023-11-14T22:13:32.000Z\"}"
#define FROM_MS "1700000000000"
#define TO_MS "1700000010000"
#define LAT "System Call Latency - Latency"

struct stack {
	struct proc sim, br;
};

static void stack_start(struct stack *s)
{
	char url[128];

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(start_tspsim(&s->sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", s->sim.port);
	ck_assert_int_eq(start_bridge(&s->br, "--upstream", url, NULL), 0);
}

static void stack_stop(struct stack *s)
{
	ck_assert_int_eq(proc_stop(&s->br), 0);
	ck_assert_int_eq(proc_stop(&s->sim), 0);
}

/* One exchange with the stack's bridge; the answer parsed (caller frees), its status checked. */
static cJSON *ask(const struct stack *s, const char *method, const char *path, const char *body, long want)
{
	return bridge_ask(s->br.port, method, path, body, want);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The frames of refId A of a one-target /frames request with this payload (caller frees *root). */
static const cJSON *frames_of(const struct stack *s, const char *payload, cJSON **root)
{
	char body[2048];
	const cJSON *a;

	snprintf(body, sizeof(body), "{" RANGE ",\"maxDataPoints\":800,\"targets\":[{\"refId\":\"A\","
		 "\"payload\":%s}]}", payload);
	*root = ask(s, "POST", "/frames", body, 200);
	a = get(get(*root, "results"), "A");
	ck_assert_msg(json_get_string(get(a, "error")) == NULL, "%s: %s", payload,
		      json_get_string(get(a, "error")));
	return get(a, "frames");
}

/* The field named name of frame f, or NULL. */
static const cJSON *field(const cJSON *f, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, get(f, "fields"))
		if (!strcmp(json_get_string(get(it, "name")), name))
			return it;
	return NULL;
}

static const char *config_str(const cJSON *fl, const char *a, const char *b)
{
	const cJSON *c = get(get(fl, "config"), a);

	return json_get_string(b ? get(c, b) : c);
}

/* The sum of a number field's values. */
static double sum(const cJSON *fl)
{
	const cJSON *v;
	double t = 0, d;

	cJSON_ArrayForEach(v, get(fl, "values"))
		if (json_get_double(v, &d) == JSON_OK)
			t += d;
	return t;
}

START_TEST(latency_scatter_density_and_statistics)
{
	struct stack s;
	cJSON *j, *j2;
	const cJSON *fs, *f, *fl, *it, *rows;
	double count_read = -1, d;
	size_t i;

	stack_start(&s);
	/* Scatter: one frame per syscall, named by the tree, points in ns; no group series. */
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"" LAT " vs Time\"}", &j);
	ck_assert_int_ge(cJSON_GetArraySize(fs), 4);
	cJSON_ArrayForEach(f, fs) {
		const char *name = json_get_string(get(f, "name"));

		ck_assert_msg(strcmp(name, "fs") && strcmp(name, "kernel") && strspn(name, "0123456789") == 0,
			      "frame %s", name);
		fl = cJSON_GetArrayItem(get(f, "fields"), 1);
		ck_assert_str_eq(config_str(fl, "unit", NULL), "ns");
		ck_assert_str_eq(config_str(fl, "custom", "drawStyle"), "points");
		ck_assert_str_eq(config_str(fl, "custom", "showPoints"), "always");
		ck_assert_str_eq(json_get_string(get(cJSON_GetArrayItem(get(f, "fields"), 0), "type")), "time");
	}
	cJSON_Delete(j);

	/* Statistics: numbers, durations in ns. */
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"" LAT " Statistics\"}", &j);
	f = cJSON_GetArrayItem(fs, 0);
	fl = field(f, "Minimum");
	ck_assert_str_eq(json_get_string(get(fl, "type")), "number");
	ck_assert_str_eq(config_str(fl, "unit", NULL), "ns");
	ck_assert_str_eq(json_get_string(get(field(f, "Count"), "type")), "number");
	ck_assert_str_eq(json_get_string(get(field(f, "Total"), "type")), "number");
	rows = get(field(f, "name"), "values");
	for (i = 0; i < (size_t)cJSON_GetArraySize(rows); i++)
		if (!strcmp(json_get_string(cJSON_GetArrayItem(rows, (int)i)), "read") &&
		    json_get_double(cJSON_GetArrayItem(get(field(f, "Count"), "values"), (int)i), &d) == JSON_OK)
			count_read = d;
	ck_assert(count_read > 0);

	/* Density: bins as numbers (never times), bars; every read segment in one bin. */
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"" LAT " Density\",\"bins\":7}", &j2);
	ck_assert_int_eq(cJSON_GetArraySize(fs), 1);
	f = cJSON_GetArrayItem(fs, 0);
	cJSON_ArrayForEach(it, get(f, "fields"))
		ck_assert_str_ne(json_get_string(get(it, "type")), "time");
	ck_assert_str_eq(config_str(field(f, "start"), "unit", NULL), "ns");
	ck_assert_int_eq(cJSON_GetArraySize(get(field(f, "start"), "values")), 7);
	fl = field(f, "read");
	ck_assert_ptr_nonnull(fl);
	ck_assert_str_eq(config_str(fl, "custom", "drawStyle"), "bars");
	ck_assert_msg(sum(fl) == count_read, "density %g, statistics %g", sum(fl), count_read);
	ck_assert_ptr_null(field(f, "Unknown"));
	cJSON_Delete(j2);
	cJSON_Delete(j);

	/* Infinity: the density's rows. */
	j = ask(&s, "GET", "/flat?experiment=kernel&output=System%20Call%20Latency%20-%20Latency%20Density"
		"&bins=3&from=" FROM_MS "&to=" TO_MS, NULL, 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	ck_assert_ptr_nonnull(get(cJSON_GetArrayItem(j, 0), "start"));
	cJSON_Delete(j);
	j = ask(&s, "GET", "/flat?experiment=kernel&output=System%20Call%20Latency%20-%20Latency%20Density"
		"&bins=0&from=" FROM_MS "&to=" TO_MS, NULL, 400);
	ck_assert(strstr(json_get_string(get(j, "error")), "bins"));
	cJSON_Delete(j);
	stack_stop(&s);
}
END_TEST

START_TEST(disk_resources_and_critical_path)
{
	struct stack s;
	cJSON *j, *rows;
	const cJSON *fs, *f, *it;
	char path[512];
	int qualified = 0, tid = -1, k;

	stack_start(&s);
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"Disk I/O View\"}", &j);
	ck_assert_int_ge(cJSON_GetArraySize(fs), 2);
	cJSON_ArrayForEach(f, fs) {
		const cJSON *fl = cJSON_GetArrayItem(get(f, "fields"), 1);

		ck_assert_str_eq(config_str(fl, "unit", NULL), "Bps");
		ck_assert_str_eq(config_str(fl, "color", "mode"), "fixed");
	}
	cJSON_Delete(j);

	/* Resources Status: CPU rows, and the IRQ rows named by where they are. */
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"Resources Status\",\"view\":\"timeline\"}", &j);
	f = cJSON_GetArrayItem(fs, 0);
	ck_assert_ptr_nonnull(field(f, "CPU 0 States"));
	ck_assert_ptr_nonnull(field(f, "CPU 0 Threads"));
	cJSON_ArrayForEach(it, get(f, "fields"))
		qualified += strstr(json_get_string(get(it, "name")), "IRQ") &&
			     strstr(json_get_string(get(it, "name")), " / ");
	ck_assert_int_gt(qualified, 0);
	cJSON_Delete(j);

	/* Critical Path: without a thread, a notice says how to name one. */
	fs = frames_of(&s, "{\"experiment\":\"kernel\",\"output\":\"Critical Path\",\"view\":\"arrows\"}", &j);
	ck_assert(has_notice(cJSON_GetArrayItem(fs, 0), "tid="));
	cJSON_Delete(j);
	/* A thread of Thread Status whose path has arrows. */
	rows = ask(&s, "GET", "/timeline/rows?experiment=kernel&output=Thread%20Status&from=" FROM_MS
		   "&to=" TO_MS, NULL, 200);
	for (k = 0; k < cJSON_GetArraySize(rows) && tid < 0; k++) {
		int64_t t;
		cJSON *doc;

		if (json_get_int64(get(cJSON_GetArrayItem(rows, k), "tid"), &t) != JSON_OK)
			continue;
		snprintf(path, sizeof(path), "/timeline?experiment=kernel&output=Critical%%20Path&from=" FROM_MS
			 "&to=" TO_MS "&tid=%lld", (long long)t);
		doc = ask(&s, "GET", path, NULL, 200);
		if (cJSON_GetArraySize(get(doc, "links")) > 0 && cJSON_GetArraySize(get(doc, "rows")) > 1)
			tid = (int)t;
		cJSON_Delete(doc);
	}
	cJSON_Delete(rows);
	ck_assert_int_ge(tid, 0);
	snprintf(path, sizeof(path), "{\"experiment\":\"kernel\",\"output\":\"Critical Path\",\"view\":\"arrows\","
		 "\"tid\":%d}", tid);
	fs = frames_of(&s, path, &j);
	f = cJSON_GetArrayItem(fs, 0);
	ck_assert_int_gt(cJSON_GetArraySize(get(field(f, "source"), "values")), 0);
	ck_assert(!has_notice(f, "tid="));
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "{\"experiment\":\"kernel\",\"output\":\"Critical Path\",\"view\":\"timeline\","
		 "\"tid\":\"%d\"}", tid);
	fs = frames_of(&s, path, &j);
	ck_assert_int_gt(cJSON_GetArraySize(get(cJSON_GetArrayItem(fs, 0), "fields")), 1);
	cJSON_Delete(j);
	/* A tid that is no thread id: 400, saying so, on each contract. */
	j = ask(&s, "GET", "/timeline?experiment=kernel&output=Critical%20Path&from=" FROM_MS "&to=" TO_MS
		"&tid=abc", NULL, 400);
	ck_assert(strstr(json_get_string(get(j, "error")), "tid"));
	cJSON_Delete(j);
	j = ask(&s, "POST", "/query", "{" RANGE ",\"targets\":[{\"refId\":\"A\","
		"\"target\":\"kernel/Critical Path?tid=-4\"}]}", 400);
	ck_assert(strstr(json_get_string(get(j, "error")), "tid"));
	cJSON_Delete(j);
	stack_stop(&s);
}
END_TEST

START_TEST(metrics_list_density_and_its_fields)
{
	struct stack s;
	cJSON *j;
	const cJSON *it, *p;
	int density = 0, tid_fields = 0;

	stack_start(&s);
	j = ask(&s, "POST", "/metrics", "{}", 200);
	cJSON_ArrayForEach(it, j) {
		const char *v = json_get_string(get(it, "value"));

		cJSON_ArrayForEach(p, get(it, "payloads")) {
			tid_fields += !strcmp(json_get_string(get(p, "name")), "tid");
			if (!strcmp(v, "density") && !strcmp(json_get_string(get(p, "name")), "bins"))
				density = 1;
		}
		if (!strcmp(v, "density"))
			ck_assert_str_eq(json_get_string(cJSON_GetArrayItem(get(it, "types"), 0)), "TREE_GENERIC_XY");
	}
	ck_assert(density);
	ck_assert_int_ge(tid_fields, 3);
	cJSON_Delete(j);
	/* The density output's entries are listed like any output's. */
	j = ask(&s, "POST", "/search", "{\"target\":\"entries(kernel/" LAT " Density)\"}", 200);
	ck_assert_int_ge(cJSON_GetArraySize(j), 4);
	cJSON_Delete(j);
	stack_stop(&s);
}
END_TEST

Suite *kernel_live_suite(void)
{
	Suite *s = suite_create("kernel_live");
	TCase *tc = tcase_create("tspsim");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, latency_scatter_density_and_statistics);
	tcase_add_test(tc, disk_resources_and_critical_path);
	tcase_add_test(tc, metrics_list_density_and_its_fields);
	suite_add_tcase(s, tc);
	return s;
}
