/*
 * The endpoints the Grafana app plugin and Infinity read: POST /frames (an
 * answer per refId, each target failing alone) and GET /flat (rows of flat
 * objects), against tspsim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "json_int.h"

Suite *plugin_api_suite(void);

/* tspsim's default trace: 2023-11-14T22:13:20Z for 10 s. */
#define RANGE "\"range\":{\"from\":\"2023-11-14T22:13:20.000Z\",\"to\":\"2023-11-14T22:13:30.000Z\"}"
#define FROM_MS "1700000000000"
#define TO_MS "1700000010000"

struct stack {
	struct proc sim, br;
};

static void stack_start(struct stack *s, const char *max_targets)
{
	char url[128];

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(start_tspsim(&s->sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", s->sim.port);
	ck_assert_int_eq(start_bridge(&s->br, "--upstream", url, "--max-targets", max_targets, NULL), 0);
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

static void assert_error(const cJSON *j, const char *want)
{
	const char *msg = json_get_string(get(j, "error"));

	ck_assert_msg(msg && strstr(msg, want), "error '%s' lacks '%s'", msg ? msg : "(none)", want);
}

START_TEST(frames_answer_each_ref_id)
{
	struct stack s;
	cJSON *j, *r, *f;
	const cJSON *it;

	stack_start(&s, "4");
	j = ask(&s, "POST", "/frames", "{" RANGE ",\"maxDataPoints\":50,\"targets\":["
		"{\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\",\"output\":\"CPU Usage\"}},"
		"{\"refId\":\"B\",\"payload\":{\"experiment\":\"kernel\",\"output\":\"Nope\"}},"
		"{\"refId\":\"C\",\"target\":\"kernel/Thread Status?view=styles\"},"
		"{\"refId\":\"H\",\"hide\":true,\"target\":\"kernel/Histogram\"}]}", 200);
	r = (cJSON *)get(j, "results");
	ck_assert(cJSON_IsObject(r));
	ck_assert_int_eq(cJSON_GetArraySize(r), 3);
	ck_assert_ptr_null(get(r, "H"));
	/* A: data frames, refId kept, no error. */
	ck_assert_int_eq(get(get(r, "A"), "status")->valueint, 200);
	ck_assert_ptr_null(get(get(r, "A"), "error"));
	f = cJSON_GetArrayItem(get(get(r, "A"), "frames"), 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_get_string(get(f, "refId")), "A");
	ck_assert(cJSON_IsArray(get(f, "fields")));
	/* B fails alone, with the bridge's message and status. */
	ck_assert_int_eq(get(get(r, "B"), "status")->valueint, 400);
	ck_assert_ptr_null(get(get(r, "B"), "frames"));
	assert_error(get(r, "B"), "Nope");
	/* C is a table frame, not a SimpleJSON table. */
	f = cJSON_GetArrayItem(get(get(r, "C"), "frames"), 0);
	ck_assert_ptr_null(get(f, "columns"));
	ck_assert_int_ge(cJSON_GetArraySize(get(f, "fields")), 3);
	cJSON_ArrayForEach(it, get(f, "fields"))
		ck_assert_ptr_nonnull(get(it, "values"));
	cJSON_Delete(j);

	/* Requests that cannot be answered per refId fail whole. */
	j = ask(&s, "POST", "/frames", "{" RANGE ",\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/Histogram\"},"
		"{\"refId\":\"A\",\"target\":\"kernel/CPU Usage\"}]}", 400);
	assert_error(j, "two targets have refId \"A\"");
	cJSON_Delete(j);
	j = ask(&s, "POST", "/frames", "{" RANGE ",\"targets\":[{\"target\":\"kernel/Histogram\"}]}", 400);
	assert_error(j, "no refId");
	cJSON_Delete(j);
	j = ask(&s, "POST", "/frames", "{" RANGE ",\"targets\":[{\"refId\":\"A\"},{\"refId\":\"B\"},"
		"{\"refId\":\"C\"},{\"refId\":\"D\"},{\"refId\":\"E\"}]}", 413);
	assert_error(j, "--max-targets");
	cJSON_Delete(j);
	j = ask(&s, "POST", "/frames", "{\"targets\":[]}", 400);
	cJSON_Delete(j);
	stack_stop(&s);
}
END_TEST

/* The value of key k in every row equals the /frames series named k. */
static void assert_wide_matches(const cJSON *rows, const cJSON *frames)
{
	const cJSON *fr;
	int n_rows = cJSON_GetArraySize(rows);

	ck_assert_int_gt(n_rows, 0);
	cJSON_ArrayForEach(fr, frames) {
		const char *name = json_get_string(get(fr, "name"));
		const cJSON *times = get(cJSON_GetArrayItem(get(fr, "fields"), 0), "values");
		const cJSON *vals = get(cJSON_GetArrayItem(get(fr, "fields"), 1), "values");
		int i;

		ck_assert_int_eq(cJSON_GetArraySize(vals), n_rows);
		for (i = 0; i < n_rows; i++) {
			const cJSON *row = cJSON_GetArrayItem(rows, i), *v = get(row, name);
			int64_t a, b;

			ck_assert_int_eq(json_get_int64(get(row, "time"), &a), JSON_OK);
			ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(times, i), &b), JSON_OK);
			ck_assert(a == b);
			ck_assert_msg(v != NULL, "row %d has no '%s'", i, name);
			ck_assert(cJSON_IsNull(v) == cJSON_IsNull(cJSON_GetArrayItem(vals, i)));
			if (!cJSON_IsNull(v))
				ck_assert(v->valuedouble == cJSON_GetArrayItem(vals, i)->valuedouble);
		}
	}
}

START_TEST(flat_rows_for_infinity)
{
	struct stack s;
	cJSON *j, *k, *row;
	const cJSON *it;

	stack_start(&s, "200");
	/* Series: one row per time, a column per entry, the same values as the frames. */
	j = ask(&s, "GET", "/flat?experiment=kernel&output=CPU%20Usage&entries=*&from=" FROM_MS "&to=" TO_MS
		"&points=20", NULL, 200);
	k = ask(&s, "POST", "/frames", "{" RANGE ",\"maxDataPoints\":20,\"targets\":[{\"refId\":\"A\","
		"\"payload\":{\"experiment\":\"kernel\",\"output\":\"CPU Usage\",\"entries\":\"*\"}}]}", 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 20);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetArrayItem(j, 0)), 3);
	assert_wide_matches(j, get(get(get(k, "results"), "A"), "frames"));
	cJSON_Delete(j);
	cJSON_Delete(k);

	/* The target syntax and ISO times work too; a time graph's default is its intervals. */
	j = ask(&s, "GET", "/flat?target=kernel/Thread%20Status/bash&from=2023-11-14T22:13:20Z"
		"&to=2023-11-14T22:13:30Z&points=500", NULL, 200);
	ck_assert_int_gt(cJSON_GetArraySize(j), 0);
	cJSON_ArrayForEach(it, j) {
		ck_assert_str_eq(json_get_string(get(it, "row")), "bash");
		ck_assert_ptr_nonnull(get(it, "start_ns"));
		ck_assert_ptr_null(get(it, "frame"));
	}
	cJSON_Delete(j);

	/* Tables: arrows with their columns, a limit honoured. */
	j = ask(&s, "GET", "/flat?experiment=kernel&output=Thread%20Status&view=arrows&limit=7&from=" FROM_MS
		"&to=" TO_MS, NULL, 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 7);
	row = cJSON_GetArrayItem(j, 0);
	ck_assert(get(row, "source") && get(row, "target") && get(row, "start") && get(row, "type"));
	cJSON_Delete(j);

	/* Bad input: named, with a status. */
	j = ask(&s, "GET", "/flat?from=" FROM_MS "&to=" TO_MS, NULL, 400);
	assert_error(j, "target=");
	cJSON_Delete(j);
	j = ask(&s, "GET", "/flat?target=kernel/CPU%20Usage&from=yesterday&to=" TO_MS, NULL, 400);
	assert_error(j, "from");
	cJSON_Delete(j);
	j = ask(&s, "GET", "/flat?target=kernel/CPU%20Usage&from=" TO_MS "&to=" FROM_MS, NULL, 400);
	assert_error(j, "after");
	cJSON_Delete(j);
	j = ask(&s, "GET", "/flat?target=kernel/CPU%20Usage&from=" FROM_MS "&to=" TO_MS "&points=0", NULL, 400);
	assert_error(j, "points");
	cJSON_Delete(j);
	j = ask(&s, "GET", "/flat?experiment=kernel&output=Nope&from=" FROM_MS "&to=" TO_MS, NULL, 400);
	assert_error(j, "Nope");
	cJSON_Delete(j);
	stack_stop(&s);
}
END_TEST

Suite *plugin_api_suite(void)
{
	Suite *s = suite_create("plugin_api");
	TCase *tc = tcase_create("frames+flat");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, frames_answer_each_ref_id);
	tcase_add_test(tc, flat_rows_for_infinity);
	suite_add_tcase(s, tc);
	return s;
}
