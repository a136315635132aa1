/*
 * The pure pieces of the Grafana API: targets and patterns, request
 * parsing and Grafana times, frames and their JSON shapes, and the
 * translation of TSP models into frames. No network.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gf_frame.h"
#include "gf_request.h"
#include "gf_target.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tsp_model.h"

/* ---- targets ---- */

static void target_ok(struct gf_target *t, const char *s, const char *fields_json)
{
	char err[256] = "";
	cJSON *f = fields_json ? json_parse_exact(fields_json, strlen(fields_json), NULL, 0) : NULL;

	gf_target_init(t);
	ck_assert_msg(gf_target_parse(t, s, f, err, sizeof(err)) == 0, "%s: %s", s, err);
	cJSON_Delete(f);
}

static void target_err(const char *s, const char *fields_json, const char *want)
{
	struct gf_target t;
	char err[256] = "";
	cJSON *f = fields_json ? json_parse_exact(fields_json, strlen(fields_json), NULL, 0) : NULL;

	gf_target_init(&t);
	ck_assert_msg(gf_target_parse(&t, s, f, err, sizeof(err)) < 0, "%s parsed", s);
	ck_assert_msg(strstr(err, want), "%s: '%s' lacks '%s'", s, err, want);
	gf_target_release(&t);
	cJSON_Delete(f);
}

/* Entries fields as Grafana interpolates multi-value variables (regex and glob formats). */
START_TEST(entries_in_grafana_variable_formats)
{
	struct gf_target t;

	target_ok(&t, "", "{\"experiment\":\"k\",\"output\":\"o\",\"entries\":\"(bash|kworker\\\\/0:1|a\\\\.b)\"}");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_LIST);
	ck_assert_uint_eq(t.entries.n_list, 3);
	ck_assert_str_eq(t.entries.list[1], "kworker/0:1");
	ck_assert(name_pattern_match(&t.entries, "a.b", NULL) && name_pattern_match(&t.entries, "bash", NULL));
	ck_assert(!name_pattern_match(&t.entries, "axb", NULL) && !name_pattern_match(&t.entries, "bas", NULL));
	ck_assert_int_eq(t.has_entries, 1);
	gf_target_release(&t);
	target_ok(&t, "k/o", "{\"entries\":\"{bash,sshd}\"}");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_LIST);
	ck_assert_uint_eq(t.entries.n_list, 2);
	ck_assert_str_eq(t.entries.list[1], "sshd");
	gf_target_release(&t);
	/* An array: each element may be one variable's value, regex-escaped or in the list format. */
	target_ok(&t, "k/o", "{\"entries\":[\"kworker\\\\/0:1\",\"(bash|sshd)\",\"Total\"]}");
	ck_assert_uint_eq(t.entries.n_list, 4);
	ck_assert(name_pattern_match(&t.entries, "kworker/0:1", NULL) && name_pattern_match(&t.entries, "sshd", NULL) &&
		  name_pattern_match(&t.entries, "Total", NULL));
	gf_target_release(&t);
	/* A single regex-escaped value is the name. */
	target_ok(&t, "k/o", "{\"entries\":\"kworker\\\\/0:1\"}");
	ck_assert(name_pattern_match(&t.entries, "kworker/0:1", NULL));
	gf_target_release(&t);
	/* Not the formats: a regex stays one, unescaped specials and "(x)" are the user's own. */
	target_ok(&t, "k/o", "{\"entries\":\"~^(bash|sshd)$\"}");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_REGEX);
	gf_target_release(&t);
	target_ok(&t, "k/o", "{\"entries\":\"(sd-pam)\"}");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_EXACT);
	ck_assert(name_pattern_match(&t.entries, "(sd-pam)", NULL));
	gf_target_release(&t);
	target_ok(&t, "k/o", "{\"entries\":\"(ba.h|sshd)\"}");
	ck_assert_int_ne(t.entries.kind, NAME_PAT_LIST);
	gf_target_release(&t);
}
END_TEST

START_TEST(target_parts_and_options)
{
	struct gf_target t;

	target_ok(&t, "kernel/CPU Usage", NULL);
	ck_assert_int_eq(t.experiment.kind, NAME_PAT_EXACT);
	ck_assert_str_eq(t.experiment.text, "kernel");
	ck_assert_str_eq(t.output.text, "CPU Usage");
	ck_assert_int_eq(t.has_entries, 0);
	ck_assert_int_eq(t.limit, GF_LIMIT_DEFAULT);
	ck_assert_int_eq(t.view, GF_VIEW_DEFAULT);
	gf_target_release(&t);

	/* Entries are the rest up to '?', slashes included; blanks trimmed. */
	target_ok(&t, " kernel / CPU Usage / kworker/0:1 ?view=series&limit=5&markers=frames&category=Frames&format=frame", NULL);
	ck_assert_str_eq(t.output.text, "CPU Usage");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_EXACT);
	ck_assert_str_eq(t.entries.text, "kworker/0:1");
	ck_assert_int_eq(t.view, GF_VIEW_SERIES);
	ck_assert_int_eq(t.limit, 5);
	ck_assert_str_eq(t.markers, "frames");
	ck_assert_str_eq(t.category, "Frames");
	ck_assert_int_eq(t.format, GF_FORMAT_FRAME);
	gf_target_release(&t);

	/* Escapes: a '/' and a '?' inside names. */
	target_ok(&t, "a\\/b/what\\?/x", NULL);
	ck_assert_str_eq(t.experiment.text, "a/b");
	ck_assert_str_eq(t.output.text, "what?");
	ck_assert_str_eq(t.entries.text, "x");
	gf_target_release(&t);

	/* Fields win over the string; an entries array is a list. */
	target_ok(&t, "kernel/CPU Usage/foo", "{\"output\":\"Thread Status\",\"entries\":[\"a\",\"b\"],\"limit\":\"7\",\"other\":1}");
	ck_assert_str_eq(t.output.text, "Thread Status");
	ck_assert_int_eq(t.entries.kind, NAME_PAT_LIST);
	ck_assert_uint_eq(t.entries.n_list, 2);
	ck_assert_int_eq(t.limit, 7);
	ck_assert(name_pattern_match(&t.entries, "b", NULL));
	ck_assert(!name_pattern_match(&t.entries, "c", NULL));
	gf_target_release(&t);
	target_ok(&t, "", "{\"experiment\":\"kernel\",\"output\":\"CPU Usage\",\"entries\":\"\"}");
	ck_assert_int_eq(t.has_entries, 0);
	gf_target_release(&t);
	/* A blank field (an editor's empty box) leaves the target's name alone. */
	target_ok(&t, "kernel/CPU Usage", "{\"output\":\" \\n \",\"experiment\":\"\"}");
	ck_assert_str_eq(t.experiment.text, "kernel");
	ck_assert_str_eq(t.output.text, "CPU Usage");
	gf_target_release(&t);
	target_err("", "{\"experiment\":\"kernel\",\"output\":\"  \"}", "no output");

	target_err("kernel", NULL, "expected experiment/output");
	target_err("/CPU Usage", NULL, "expected experiment/output");
	target_err("kernel/CPU Usage?view=pie", NULL, "unknown view \"pie\"");
	target_err("kernel/CPU Usage?limit=0", NULL, "limit must be 1..");
	target_err("kernel/CPU Usage?limit=abc", NULL, "limit must be 1..");
	target_err("kernel/CPU Usage?colour=red", NULL, "unknown option \"colour\"");
	target_err("kernel/CPU Usage?view", NULL, "needs a value");
	target_err("kernel/CPU Usage/~(", NULL, "bad regex \"~(\"");
	/* Found by fuzzing: glibc's regcomp takes minutes and gigabytes for these. */
	target_err("kernel/CPU Usage/~a*+++++++++++++", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~(a*){19000}", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~((a{100}){100}){100}", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~^x***************+*************", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~^(a*)+(b*)+(c*)+(d*)+(e*)+$", NULL, "too many repetitions");
	/* Found by fuzzing: empty alternatives under stacked repetitions (39 s to compile). */
	target_err("kernel/CPU Usage/~^(sys||||||||)+++sh$", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~^(s||||||||||||||||||||||||||||||||)++$", NULL, "too many repetitions");
	/* Found by fuzzing: a bound copies the repetitions of "" inside it (over a minute to compile). */
	target_err("kernel/CPU Usage/~y(.||)++{21}", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~((a|)+){5}", NULL, "too many repetitions");
	target_err("kernel/CPU Usage/~(.||){20}", NULL, "too many repetitions");
	/* Copies without such repetitions inside are not counted. */
	target_ok(&t, "kernel/CPU Usage/~^((ab|c)+){3}$", NULL);
	ck_assert(name_pattern_match(&t.entries, "abcab", NULL));
	gf_target_release(&t);
	/*
	 * Back-references: glibc backtracks with no bound (seconds at 48-80
	 * bytes against one name), so none is compiled; target escapes come
	 * first: the target text ~(a)\\1 is the regex (a)\1.
	 */
	target_err("kernel/CPU Usage/~(a)\\\\1", NULL, "back-references");
	target_err("kernel/CPU Usage/~^(((((((((a*)*)*)*)*)*)*)*)*)\\\\9\\\\8\\\\7\\\\6\\\\5\\\\4\\\\3\\\\2\\\\1$", NULL,
		   "back-references");
	target_err("kernel/CPU Usage/~[x](b)\\\\1", NULL, "back-references");
	/* A backslash inside brackets and an escaped backslash are no back-references. */
	target_ok(&t, "kernel/CPU Usage/~^[\\\\1]+$", NULL);
	ck_assert(name_pattern_match(&t.entries, "\\1\\", NULL));
	gf_target_release(&t);
	target_ok(&t, "kernel/CPU Usage/~^a\\\\\\\\1$", NULL);
	ck_assert(name_pattern_match(&t.entries, "a\\1", NULL));
	gf_target_release(&t);
	target_ok(&t, "kernel/CPU Usage/~^(systemd|kworker/[0-9]+:[[:digit:]]{1,3}|(ab+c*)+)$", NULL);
	ck_assert(name_pattern_match(&t.entries, "kworker/0:1", NULL));
	gf_target_release(&t);
	target_err("kernel/CPU Usage/#x", NULL, "not an entry id");
	target_err("", "{\"experiment\":5,\"output\":\"x\"}", "experiment must be a string");
	target_err("", "{\"experiment\":\"k\",\"output\":\"x\",\"entries\":[1]}", "entries must be");
	target_err("", "{\"experiment\":\"k\",\"output\":\"x\",\"limit\":2000000}", "limit must be");
}
END_TEST

START_TEST(pattern_kinds_match)
{
	struct gf_target t;

	target_ok(&t, "kern*/CPU*/~^kworker/[0-9]+", NULL);
	ck_assert_int_eq(t.experiment.kind, NAME_PAT_GLOB);
	ck_assert(name_pattern_match(&t.experiment, "kernel", NULL));
	ck_assert(!name_pattern_match(&t.experiment, "ukernel", NULL));
	ck_assert_int_eq(t.entries.kind, NAME_PAT_REGEX);
	ck_assert(name_pattern_match_entry(&t.entries, 3, "kworker/1:1"));
	ck_assert(!name_pattern_match_entry(&t.entries, 3, "bash"));
	gf_target_release(&t);

	/* Globs: only '*' is special, '?' and '[' are literal. */
	target_ok(&t, "a[1]*/o", NULL);
	ck_assert(name_pattern_match(&t.experiment, "a[1]x", NULL));
	ck_assert(!name_pattern_match(&t.experiment, "a1x", NULL));
	gf_target_release(&t);

	/* Exact matches a name or the alternative (UUID / id). */
	target_ok(&t, "6a4f-uuid/o/#42", NULL);
	ck_assert(name_pattern_match(&t.experiment, "kernel", "6a4f-uuid"));
	ck_assert(!name_pattern_match(&t.experiment, "kernel", "other"));
	ck_assert_int_eq(t.entries.kind, NAME_PAT_ID);
	ck_assert(name_pattern_match_entry(&t.entries, 42, "x"));
	ck_assert(!name_pattern_match_entry(&t.entries, 41, "x"));
	gf_target_release(&t);

	/* "*" alone is any; an escaped star is a literal name. */
	target_ok(&t, "*/\\*", NULL);
	ck_assert_int_eq(t.experiment.kind, NAME_PAT_ANY);
	ck_assert_int_eq(t.output.kind, NAME_PAT_EXACT);
	ck_assert(name_pattern_match(&t.output, "*", NULL));
	ck_assert(!name_pattern_match(&t.output, "x", NULL));
	gf_target_release(&t);
}
END_TEST

START_TEST(discovery_queries)
{
	struct gf_discover d;
	char err[256];

	ck_assert_int_eq(gf_discover_parse(&d, "experiments()", err, sizeof(err)), 0);
	ck_assert_int_eq(d.kind, GF_DISC_EXPERIMENTS);
	gf_discover_release(&d);
	ck_assert_int_eq(gf_discover_parse(&d, " outputs( kernel , xy ) ", err, sizeof(err)), 0);
	ck_assert_int_eq(d.kind, GF_DISC_OUTPUTS);
	ck_assert_str_eq(d.experiment.text, "kernel");
	ck_assert_str_eq(d.type, "TREE_TIME_XY");
	gf_discover_release(&d);
	ck_assert_int_eq(gf_discover_parse(&d, "entries(kernel/Thread Status)", err, sizeof(err)), 0);
	ck_assert_int_eq(d.kind, GF_DISC_ENTRIES);
	ck_assert_str_eq(d.output.text, "Thread Status");
	gf_discover_release(&d);
	ck_assert_int_eq(gf_discover_parse(&d, "markers(k*)", err, sizeof(err)), 0);
	ck_assert_int_eq(d.experiment.kind, NAME_PAT_GLOB);
	gf_discover_release(&d);
	ck_assert_int_eq(gf_discover_parse(&d, "cpu", err, sizeof(err)), 0);
	ck_assert_int_eq(d.kind, GF_DISC_TARGETS);
	ck_assert_str_eq(d.text, "cpu");
	gf_discover_release(&d);

	ck_assert_int_eq(gf_discover_parse(&d, "outputs(kernel", err, sizeof(err)), -1);
	ck_assert(strstr(err, "missing ')'"));
	ck_assert_int_eq(gf_discover_parse(&d, "outputs(kernel, PIE)", err, sizeof(err)), -1);
	ck_assert(strstr(err, "unknown type \"PIE\""));
	ck_assert_int_eq(gf_discover_parse(&d, "entries(kernel)", err, sizeof(err)), -1);
	ck_assert(strstr(err, "experiment/output"));
}
END_TEST

/* ---- requests and times ---- */

static int64_t iso(const char *s)
{
	int64_t ns = 0;

	ck_assert_msg(nstime_parse_iso(s, &ns) == 0, "%s", s);
	return ns;
}

START_TEST(iso_times_are_exact)
{
	int64_t ns;

	ck_assert(iso("1970-01-01T00:00:00Z") == 0);
	ck_assert(iso("2023-11-14T22:13:20Z") == INT64_C(1700000000000000000));
	ck_assert(iso("2023-11-14T22:13:20.5Z") == INT64_C(1700000000500000000));
	ck_assert(iso("2023-11-14T22:13:20.500Z") == INT64_C(1700000000500000000));
	ck_assert(iso("2023-11-14T22:13:20.123456789Z") == INT64_C(1700000000123456789));
	ck_assert(iso("2023-11-15T00:13:20.123+02:00") == INT64_C(1700000000123000000));
	ck_assert(iso("2023-11-14T17:13:20-0500") == INT64_C(1700000000000000000));
	ck_assert(iso("2024-02-29") == INT64_C(1709164800000000000));
	ck_assert(iso("1969-12-31T23:59:59.999Z") == INT64_C(-1000000));
	ck_assert_int_eq(nstime_parse_iso("2023-02-29T00:00:00Z", &ns), -1);
	ck_assert_int_eq(nstime_parse_iso("2023-11-14T22:13:20", &ns), -1);   /* no zone */
	ck_assert_int_eq(nstime_parse_iso("2023-11-14T22:13:20.1234567891Z", &ns), -1);
	ck_assert_int_eq(nstime_parse_iso("2023-11-14T25:13:20Z", &ns), -1);
	ck_assert_int_eq(nstime_parse_iso("now-6h", &ns), -1);
	ck_assert_int_eq(nstime_parse_iso("2023-11-14T22:13:20Zjunk", &ns), -1);
	ck_assert_int_eq(nstime_parse_iso("2263-01-01T00:00:00Z", &ns), -2);
	ck_assert_int_eq(nstime_parse_iso("1600-01-01T00:00:00Z", &ns), -2);
}
END_TEST

START_TEST(query_requests)
{
	static const char simplejson[] =
		"{\"panelId\":1,\"range\":{\"from\":\"2016-10-31T06:33:44.866Z\",\"to\":\"2016-10-31T12:33:44.866Z\","
		"\"raw\":{\"from\":\"now-6h\",\"to\":\"now\"}},\"rangeRaw\":{\"from\":\"now-6h\",\"to\":\"now\"},"
		"\"interval\":\"30s\",\"intervalMs\":30000,\"targets\":[{\"target\":\"upper_50\",\"refId\":\"A\","
		"\"type\":\"timeserie\"},{\"target\":\"upper_75\",\"refId\":\"B\",\"type\":\"table\",\"data\":{\"x\":1}}],"
		"\"adhocFilters\":[{\"key\":\"City\",\"operator\":\"=\",\"value\":\"Berlin\"}],\"format\":\"json\","
		"\"maxDataPoints\":550}";
	static const char json_ds[] =
		"{\"range\":{\"from\":1700000000500,\"to\":1700000010500.25},\"targets\":[{\"target\":\"series\","
		"\"refId\":\"A\",\"payload\":{\"experiment\":\"kernel\"}},{\"target\":\"x\",\"payload\":"
		"\"{\\\"output\\\": \\\"CPU\\\"}\",\"hide\":true}],\"filters\":[{\"key\":\"experiment\","
		"\"operator\":\"=~\",\"value\":\"k.*\"}]}";
	struct gf_query_req r;
	char err[256];

	ck_assert_msg(gf_query_req_parse(&r, simplejson, strlen(simplejson), err, sizeof(err)) == 0, "%s", err);
	ck_assert(r.from_ns == INT64_C(1477895624866000000));
	ck_assert(r.to_ns == INT64_C(1477917224866000000));
	ck_assert_int_eq(r.max_data_points, 550);
	ck_assert_int_eq(r.interval_ms, 30000);
	ck_assert_uint_eq(r.n_targets, 2);
	ck_assert_str_eq(r.targets[0].target, "upper_50");
	ck_assert_int_eq(r.targets[0].type, GF_TT_TIMESERIE);
	ck_assert_int_eq(r.targets[1].type, GF_TT_TABLE);
	ck_assert_ptr_nonnull(r.targets[1].fields);
	ck_assert_int_eq(r.targets[1].has_payload, 0);
	ck_assert_uint_eq(r.n_filters, 1);
	ck_assert_str_eq(r.filters[0].value, "Berlin");
	gf_query_req_release(&r);

	ck_assert_msg(gf_query_req_parse(&r, json_ds, strlen(json_ds), err, sizeof(err)) == 0, "%s", err);
	ck_assert(r.from_ns == INT64_C(1700000000500000000));
	ck_assert(r.to_ns == INT64_C(1700000010500250000));
	ck_assert_int_eq(r.targets[0].has_payload, 1);
	ck_assert_int_eq(r.targets[0].type, GF_TT_NONE);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(r.targets[1].fields, "output")), "CPU");
	ck_assert_int_eq(r.targets[1].hide, 1);
	ck_assert_str_eq(r.filters[0].op, "=~");
	gf_query_req_release(&r);
}
END_TEST

static void query_err(const char *body, const char *want)
{
	struct gf_query_req r;
	char err[256] = "";

	ck_assert_msg(gf_query_req_parse(&r, body, strlen(body), err, sizeof(err)) < 0, "%s parsed", body);
	ck_assert_msg(strstr(err, want), "%s: '%s' lacks '%s'", body, err, want);
}

#define RANGE "\"range\":{\"from\":\"2023-01-01T00:00:00Z\",\"to\":\"2023-01-02T00:00:00Z\"}"

START_TEST(query_request_errors)
{
	query_err("", "empty");
	query_err("{", "not JSON");
	query_err("[1]", "JSON object");
	query_err("{\"targets\":[]}", "range is missing");
	query_err("{\"range\":5,\"targets\":[]}", "range must be an object");
	query_err("{\"range\":{\"from\":\"x\",\"to\":\"2023-01-01T00:00:00Z\"},\"targets\":[]}", "range.from: not a date");
	query_err("{\"range\":{\"from\":\"2023-01-02T00:00:00Z\",\"to\":\"2023-01-01T00:00:00Z\"},\"targets\":[]}",
		  "after range.to");
	query_err("{\"range\":{\"from\":1e300,\"to\":2},\"targets\":[]}", "range.from");
	query_err("{" RANGE "}", "targets must be an array");
	query_err("{" RANGE ",\"targets\":[5]}", "targets[0] must be an object");
	query_err("{" RANGE ",\"targets\":[{\"target\":1}]}", "targets[0].target must be a string");
	query_err("{" RANGE ",\"targets\":[{},{\"refId\":[]}]}", "targets[1].refId must be a string");
	query_err("{" RANGE ",\"targets\":[{\"type\":\"pie\"}]}", "type \"pie\"");
	query_err("{" RANGE ",\"targets\":[{\"payload\":\"{nope\"}]}", "payload is not a JSON object");
	query_err("{" RANGE ",\"targets\":[{\"data\":[1]}]}", "data must be an object");
	query_err("{" RANGE ",\"targets\":[],\"maxDataPoints\":\"x\"}", "maxDataPoints must be a number");
	query_err("{" RANGE ",\"targets\":[],\"maxDataPoints\":0}", "maxDataPoints must be at least 1");
	query_err("{" RANGE ",\"targets\":[],\"adhocFilters\":[{\"key\":\"a\",\"operator\":\"<\",\"value\":\"b\"}]}",
		  "operator \"<\"");
}
END_TEST

START_TEST(small_requests)
{
	struct gf_small_req r;
	struct gf_annotation_req a;
	char err[256];
	static const char ann[] = "{" RANGE ",\"annotation\":{\"name\":\"F\",\"query\":\"kernel/X\"}}";

	ck_assert_int_eq(gf_small_req_parse(&r, GF_REQ_SEARCH, "", 0, err, sizeof(err)), 0);
	ck_assert_str_eq(r.target, "");
	gf_small_req_release(&r);
	ck_assert_int_eq(gf_small_req_parse(&r, GF_REQ_VARIABLE, "{\"payload\":{\"target\":\"experiments()\"}}", 38,
					    err, sizeof(err)), 0);
	ck_assert_str_eq(r.target, "experiments()");
	gf_small_req_release(&r);
	ck_assert_int_eq(gf_small_req_parse(&r, GF_REQ_PAYLOAD_OPTIONS, "{\"metric\":\"m\"}", 14, err, sizeof(err)), -1);
	ck_assert(strstr(err, "required"));
	ck_assert_int_eq(gf_small_req_parse(&r, GF_REQ_TAG_VALUES, "{\"key\":3}", 9, err, sizeof(err)), -1);
	ck_assert(strstr(err, "key must be a string"));
	ck_assert_int_eq(gf_annotation_req_parse(&a, ann, strlen(ann), err, sizeof(err)), 0);
	ck_assert_str_eq(a.query, "kernel/X");
	ck_assert_str_eq(a.name, "F");
	gf_annotation_req_release(&a);
	ck_assert_int_eq(gf_annotation_req_parse(&a, "{" RANGE "}", strlen("{" RANGE "}"), err, sizeof(err)), -1);
	ck_assert(strstr(err, "annotation must be an object"));
}
END_TEST

/* ---- frames ---- */

static char *write_with(void (*fn)(struct jsonw *, const struct gf_frame *), const struct gf_frame *f)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &sb);
	fn(&w, f);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	return strbuf_detach(&sb, NULL);
}

START_TEST(frame_shapes)
{
	struct gf_frame f;
	struct gf_mapping m = { "Running", NULL, "#00c800" };
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	char *s;

	ck_assert(ns_to_ms(INT64_C(1700000000500644597)) == INT64_C(1700000000500));
	ck_assert(ns_to_ms(-1) == -1);
	ck_assert(ns_to_ms(-1000000) == -1);
	ck_assert(ns_to_ms(-1000001) == -2);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_frame_set_name(&f, "Total"), 0);
	ck_assert_int_eq(gf_frame_set_ref_id(&f, "A"), 0);
	ck_assert_int_eq(gf_frame_add_field(&f, "time", GF_TIME), 0);
	ck_assert_int_eq(gf_frame_add_field(&f, "v", GF_NUMBER), 1);
	ck_assert_int_eq(gf_frame_add_row(&f), 0);
	ck_assert_int_eq(gf_frame_add_row(&f), 1);
	gf_set_time(&f, 0, 0, INT64_C(1700000000500));
	gf_set_time(&f, 0, 1, INT64_C(1700000000600));
	gf_set_num(&f, 1, 0, 0.25);             /* row 1 stays null */
	f.is_series = 1;

	jsonw_init(&w, &sb);
	ck_assert_int_eq(gf_write_timeseries(&w, &f, 1), 0);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_str_eq(sb.buf, "{\"target\":\"Total\",\"refId\":\"A\",\"datapoints\":[[0.25,1700000000500],[null,1700000000600]]}");
	strbuf_release(&sb);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(gf_write_timeseries(&w, &f, 0), -1);  /* field 0 is the time */
	strbuf_release(&sb);

	/* A string field added later starts with nulls; mappings and notices. */
	ck_assert_int_eq(gf_frame_add_field(&f, "state", GF_STRING), 2);
	ck_assert_int_eq(gf_set_str(&f, 2, 1, "Running"), 0);
	ck_assert_int_eq(gf_field_set_mappings(&f, 2, &m, 1), 0);
	ck_assert_int_eq(gf_frame_notice(&f, "partial %d", 1), 0);
	s = write_with(gf_write_table, &f);
	ck_assert_str_eq(s, "{\"type\":\"table\",\"refId\":\"A\",\"name\":\"Total\",\"columns\":[{\"text\":\"time\","
			 "\"type\":\"time\"},{\"text\":\"v\",\"type\":\"number\"},{\"text\":\"state\",\"type\":\"string\","
			 "\"mappings\":[{\"type\":\"value\",\"options\":{\"Running\":{\"text\":\"Running\",\"color\":\"#00c800\","
			 "\"index\":0}}}]}],"
			 "\"rows\":[[1700000000500,0.25,null],[1700000000600,null,\"Running\"]],\"meta\":{\"notices\":"
			 "[{\"severity\":\"warning\",\"text\":\"partial 1\"}]}}");
	free(s);
	s = write_with(gf_write_dataframe, &f);
	ck_assert_msg(strstr(s, "{\"name\":\"state\",\"type\":\"string\",\"values\":[null,\"Running\"],\"config\":"
			     "{\"mappings\":[{\"type\":\"value\",\"options\":{\"Running\":{\"text\":\"Running\","
			     "\"color\":\"#00c800\",\"index\":0}}}]}}"), "%s", s);
	ck_assert_msg(strstr(s, "{\"name\":\"time\",\"type\":\"time\",\"values\":[1700000000500,1700000000600],\"config\":{}}"),
		      "%s", s);
	free(s);
	gf_frame_release(&f);
}
END_TEST

/* ---- translation ---- */

static void model(struct tsp_model *m, enum tsp_model_kind kind, const char *json)
{
	struct tsp_error e;

	tsp_model_init(m);
	tsp_error_clear(&e);
	ck_assert_msg(tsp_model_parse(m, kind, json, strlen(json), &e) == 0, "%s: %s", json, e.msg);
}

static const char tg_tree[] =
	"{\"model\":{\"entries\":[{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\"]},"
	"{\"id\":1,\"parentId\":0,\"labels\":[\"bash\",\"316\"],\"hasData\":true},"
	"{\"id\":2,\"parentId\":0,\"labels\":[\"sshd\",\"400\"],\"hasData\":true},"
	"{\"id\":3,\"parentId\":0,\"labels\":[\"sshd\",\"401\"],\"hasData\":true}]},\"status\":\"COMPLETED\"}";
static const char tg_styles[] =
	"{\"model\":{\"styles\":{\"STATE\":{\"values\":{\"opacity\":1}},"
	"\"USERMODE\":{\"parentKey\":\"STATE\",\"values\":{\"style-name\":\"Running\",\"background-color\":\"#00c800\"}},"
	"\"WAIT\":{\"parentKey\":\"STATE\",\"values\":{\"style-name\":\"Wait blocked\",\"background-color\":\"#c8c800\"}}}},"
	"\"status\":\"COMPLETED\"}";
static const char tg_states[] =
	"{\"model\":{\"rows\":[{\"entryId\":1,\"states\":["
	"{\"start\":1700000000500644597,\"end\":1700000000700000000,\"style\":{\"parentKey\":\"USERMODE\"}},"
	"{\"start\":1700000000700000000,\"end\":1700000000900000000},"
	"{\"start\":1700000000900000000,\"end\":1700000001000000000,\"style\":{\"parentKey\":\"WAIT\"}}]},"
	"{\"entryId\":2,\"states\":[{\"start\":1700000000600000000,\"end\":1700000000800000000,\"label\":\"custom\"}]},"
	"{\"entryId\":9,\"states\":[{\"start\":1700000000600000000,\"end\":1700000000650000000,\"style\":{\"parentKey\":\"WAIT\"}}]}"
	"]},\"status\":\"COMPLETED\"}";

/* One expected interval row, fully ordered by (start, entry id, row, state). */
struct want_iv {
	int64_t start, end, id;
	size_t row, st;
	char name[16], label[16];
};

static int cmp_want_iv(const void *a, const void *b)
{
	const struct want_iv *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->st < y->st ? -1 : x->st > y->st;
}

/*
 * Interval order and content against a plain reference: rows with repeated
 * entry ids, states out of order, equal starts, times across the whole
 * int64 range, more distinct styles and labels than the memo tables hold,
 * gaps; through both parse paths (interned strings or not), clipped or not.
 */
START_TEST(intervals_order_and_names)
{
	static const int64_t picks[] = { INT64_MIN, -5, 0, 7, 7, 1000, INT64_MAX - 1, INT64_MAX };
	struct strbuf sb = STRBUF_INIT;
	struct want_iv *want = calloc(4000, sizeof(*want)), *cur = calloc(4000, sizeof(*cur));
	uint64_t seed = 12345;
	size_t r, k, n = 0, pass;
	int64_t ids[60];

	ck_assert(want && cur);
	ck_assert_int_eq(strbuf_addstr(&sb, "{\"model\":{\"rows\":["), 0);
	for (r = 0; r < 60; r++) {
		size_t ns = r % 7 == 3 ? 0 : 1 + r % 23;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		ids[r] = (int64_t)(seed >> 60) - 3;       /* repeats, negatives */
		ck_assert_int_eq(strbuf_addf(&sb, "%s{\"entryId\":%" PRId64 ",\"states\":[", r ? "," : "",
					     ids[r]), 0);
		for (k = 0; k < ns; k++) {
			int64_t a, b;
			unsigned kind;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			kind = (unsigned)(seed >> 33) % 5;
			a = (seed >> 40) % 3 ? (int64_t)(seed >> 44) % 2000 - 300 : picks[(seed >> 20) % 8];
			b = a > INT64_MAX - 50 ? INT64_MAX : a + (int64_t)((seed >> 12) % 50);
			ck_assert_int_eq(strbuf_addf(&sb, "%s{\"start\":%" PRId64 ",\"end\":%" PRId64,
						     k ? "," : "", a, b), 0);
			if (kind == 1 || kind == 3)
				ck_assert_int_eq(strbuf_addf(&sb, ",\"label\":\"l%u\"", (unsigned)(seed % 400)), 0);
			if (kind >= 2)
				ck_assert_int_eq(strbuf_addf(&sb, ",\"style\":{\"parentKey\":\"s%u\",\"values\":{}}",
							     (unsigned)((seed >> 8) % 300)), 0);
			ck_assert_int_eq(strbuf_addstr(&sb, "}"), 0);
			if (kind == 0)
				continue;       /* a gap: neither label nor style */
			want[n].start = a;
			want[n].end = b;
			want[n].id = ids[r];
			want[n].row = r;
			want[n].st = k;
			snprintf(want[n].label, sizeof(want[n].label), "l%u", (unsigned)(seed % 400));
			/* No style-name (no styles model): the label, else the style's key. */
			if (kind == 1 || kind == 3)
				strcpy(want[n].name, want[n].label);
			else
				snprintf(want[n].name, sizeof(want[n].name), "s%u", (unsigned)((seed >> 8) % 300));
			if (kind == 2 || kind == 4)
				want[n].label[0] = '\0';
			n++;
		}
		ck_assert_int_eq(strbuf_addstr(&sb, "]}"), 0);
	}
	ck_assert_int_eq(strbuf_addstr(&sb, "]},\"status\":\"COMPLETED\"}"), 0);
	qsort(want, n, sizeof(*want), cmp_want_iv);
	ck_assert_uint_gt(n, 400);

	for (pass = 0; pass < 4; pass++) {
		struct tsp_model tree, states;
		struct tsp_error e;
		struct gf_frame f;
		char err[256], buf[32];
		int64_t from = pass & 2 ? 0 : INT64_MIN, to = pass & 2 ? 1000 : INT64_MAX;
		size_t i = 0, w, m;

		model(&tree, TSP_M_TREE, tg_tree);
		tsp_model_init(&states);
		ck_assert_int_eq((pass & 1 ? tsp_model_parse_generic : tsp_model_parse)(
					 &states, TSP_M_TG_STATES, sb.buf, sb.len, &e), 0);
		gf_frame_init(&f);
		ck_assert_int_eq(gf_tr_intervals(&f, &tree.u.tree, &states.u.states, NULL, from, to, 0,
						 err, sizeof(err)), 0);
		/* Clipping moves starts to `from`: ties there go in (entry id, row, state) order. */
		for (w = 0, m = 0; w < n; w++) {
			if (want[w].end < from || want[w].start > to)
				continue;
			cur[m] = want[w];
			cur[m].start = want[w].start < from ? from : want[w].start;
			cur[m].end = want[w].end > to ? to : want[w].end;
			m++;
		}
		qsort(cur, m, sizeof(*cur), cmp_want_iv);
		for (w = 0; w < m; w++) {
			const struct want_iv *x = &cur[w];

			ck_assert_msg(i < f.length, "pass %zu: only %zu intervals", pass, f.length);
			snprintf(buf, sizeof(buf), "%" PRId64, x->start);
			ck_assert_msg(!strcmp(f.fields[6].strs[i], buf), "pass %zu: interval %zu starts %s, want %s",
				      pass, i, f.fields[6].strs[i], buf);
			snprintf(buf, sizeof(buf), "%" PRId64, x->end);
			ck_assert_str_eq(f.fields[7].strs[i], buf);
			ck_assert_msg(f.fields[8].nums[i] == (double)x->id, "pass %zu: interval %zu row %g, want %" PRId64,
				      pass, i, f.fields[8].nums[i], x->id);
			ck_assert_str_eq(f.fields[3].strs[i], x->name);
			if (x->label[0])
				ck_assert_str_eq(f.fields[4].strs[i], x->label);
			else
				ck_assert_ptr_null(f.fields[4].strs[i]);
			i++;
		}
		ck_assert_uint_eq(f.length, i);
		gf_frame_release(&f);
		tsp_model_release(&tree);
		tsp_model_release(&states);
	}
	free(want);
	free(cur);
	strbuf_release(&sb);
}
END_TEST

START_TEST(translate_intervals_and_timeline)
{
	struct tsp_model tree, styles, states;
	struct gf_frame f;
	char err[256];

	model(&tree, TSP_M_TREE, tg_tree);
	model(&styles, TSP_M_STYLES, tg_styles);
	model(&states, TSP_M_TG_STATES, tg_states);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_intervals(&f, &tree.u.tree, &states.u.states, &styles.u.styles,
					 INT64_C(1700000000000000000), INT64_C(1700000000950000000), 100,
					 err, sizeof(err)), 0);
	/* The gap (no style, no label) is not an interval; the last state is clipped. */
	ck_assert_uint_eq(f.length, 4);
	ck_assert_str_eq(f.fields[0].strs[0], "bash");
	ck_assert_str_eq(f.fields[3].strs[0], "Running");
	ck_assert(f.fields[1].times[0] == INT64_C(1700000000500));
	ck_assert_str_eq(f.fields[6].strs[0], "1700000000500644597");
	ck_assert_str_eq(f.fields[0].strs[1], "sshd");
	ck_assert_str_eq(f.fields[3].strs[1], "custom");
	ck_assert_str_eq(f.fields[0].strs[2], "#9");       /* a row the tree does not know */
	ck_assert_str_eq(f.fields[3].strs[3], "Wait blocked");
	ck_assert_str_eq(f.fields[7].strs[3], "1700000000950000000");
	ck_assert(fabs(f.fields[5].nums[3] - 50.0) < 1e-9);
	ck_assert_uint_eq(f.n_notices, 0);
	gf_frame_release(&f);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_intervals(&f, &tree.u.tree, &states.u.states, &styles.u.styles,
					 0, INT64_MAX, 2, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 2);
	ck_assert_uint_eq(f.n_notices, 1);
	ck_assert(strstr(f.notices[0], "first 2 of 4"));
	gf_frame_release(&f);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_timeline(&f, &tree.u.tree, &states.u.states, &styles.u.styles,
					0, INT64_MAX, 100, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.n_fields, 4);
	ck_assert_str_eq(f.fields[1].name, "bash");
	ck_assert_str_eq(f.fields[2].name, "sshd (2)");   /* two threads are named sshd */
	ck_assert_str_eq(f.fields[3].name, "#9");
	/* times: 500 600 650 700(bash ends, gap) 800 900 1000 */
	ck_assert_uint_eq(f.length, 7);
	ck_assert(f.fields[0].times[0] == INT64_C(1700000000500));
	ck_assert_str_eq(f.fields[1].strs[0], "Running");
	ck_assert_str_eq(f.fields[1].strs[1], "Running");
	ck_assert_ptr_null(f.fields[1].strs[3]);           /* the gap */
	ck_assert_str_eq(f.fields[1].strs[5], "Wait blocked");
	ck_assert_ptr_null(f.fields[1].strs[6]);           /* after the last state */
	ck_assert_ptr_null(f.fields[2].strs[0]);           /* sshd starts at 600 */
	ck_assert_str_eq(f.fields[2].strs[1], "custom");
	ck_assert_uint_eq(f.fields[1].n_mappings, 2);
	ck_assert_str_eq(f.fields[1].mappings[0].color, "#00c800");
	gf_frame_release(&f);

	tsp_model_release(&tree);
	tsp_model_release(&styles);
	tsp_model_release(&states);
}
END_TEST

/* A series goes out with the server's own digits, in both shapes, with the same doubles. */
START_TEST(series_values_keep_the_servers_digits)
{
	struct tsp_model xy;
	struct gf_frame f;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	char err[256];

	model(&xy, TSP_M_XY, "{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"Total\","
	      "\"xValues\":[1700000000500644597,1700000000600644597,1700000000700644597,1700000000800644597],"
	      "\"yValues\":[1.50,0.10000000000000001,7,1.5e-40]}]},\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_series(&f, &xy.u.xy.series[0], NULL, err, sizeof(err)), 0);
	ck_assert(f.fields[1].nums[0] == 1.5 && f.fields[1].nums[1] == 0.1 && f.fields[1].nums[3] == 1.5e-40);
	jsonw_init(&w, &sb);
	gf_write_dataframe(&w, &f);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_msg(strstr(sb.buf, "\"values\":[1.50,0.10000000000000001,7,1.5e-40]"), "%s", sb.buf);
	strbuf_reset(&sb);
	jsonw_init(&w, &sb);
	ck_assert_int_eq(gf_write_timeseries(&w, &f, 1), 0);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_msg(strstr(sb.buf, "[[1.50,1700000000500],[0.10000000000000001,1700000000600],[7,1700000000700]"),
		      "%s", sb.buf);
	gf_frame_release(&f);
	tsp_model_release(&xy);
	/* All integers: no codes, the doubles are written. */
	model(&xy, TSP_M_XY, "{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"Total\","
	      "\"xValues\":[1700000000500644597,1700000000600644597],\"yValues\":[3,40]}]},\"status\":\"COMPLETED\"}");
	ck_assert_ptr_null(xy.u.xy.series[0].y_dec);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_series(&f, &xy.u.xy.series[0], NULL, err, sizeof(err)), 0);
	strbuf_reset(&sb);
	jsonw_init(&w, &sb);
	gf_write_dataframe(&w, &f);
	ck_assert_msg(strstr(sb.buf, "\"values\":[3,40]"), "%s", sb.buf);
	gf_frame_release(&f);
	tsp_model_release(&xy);
	strbuf_release(&sb);
}
END_TEST

/* A name twice in a frame would be one key twice in /flat's objects: one value lost. */
START_TEST(field_names_are_unique)
{
	struct tsp_model cols, lines;
	struct gf_frame f;
	char err[256], name[32], longname[400];
	int i;

	gf_frame_init(&f);
	ck_assert_int_eq(gf_frame_add_field(&f, "a", GF_NUMBER), 0);
	ck_assert_int_eq(gf_frame_add_field(&f, "a", GF_NUMBER), 1);
	ck_assert_int_eq(gf_frame_add_field(&f, "a", GF_NUMBER), 2);
	ck_assert_int_eq(gf_frame_add_field(&f, "a (2)", GF_NUMBER), 3);
	ck_assert_int_eq(gf_frame_add_field(&f, NULL, GF_NUMBER), 4);
	ck_assert_int_eq(gf_frame_add_field(&f, NULL, GF_NUMBER), 5);
	ck_assert_str_eq(f.fields[0].name, "a");
	ck_assert_str_eq(f.fields[1].name, "a (2)");
	ck_assert_str_eq(f.fields[2].name, "a (3)");
	ck_assert_str_eq(f.fields[3].name, "a (2) (2)");
	ck_assert_ptr_null(f.fields[5].name);
	/* Many fields (a timeline's threads) keep their names, and stay distinct past the index's growth. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		ck_assert_int_eq(gf_frame_add_field(&f, name, GF_STRING), 6 + i);
	}
	ck_assert_str_eq(f.fields[6 + 4999].name, "t4999");
	ck_assert_int_eq(gf_frame_add_field(&f, "t17", GF_STRING), 5006);
	ck_assert_str_eq(f.fields[5006].name, "t17 (2)");
	/* A long name is cut before its number, so each try is a new name. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(gf_frame_add_field(&f, longname, GF_STRING), 5007);
	ck_assert_int_eq(gf_frame_add_field(&f, longname, GF_STRING), 5008);
	ck_assert_int_eq(gf_frame_add_field(&f, longname, GF_STRING), 5009);
	ck_assert(strstr(f.fields[5009].name, " (3)"));
	ck_assert_str_ne(f.fields[5008].name, f.fields[5009].name);
	gf_frame_release(&f);

	/* A table with two columns of one name, and one named like the time field. */
	model(&cols, TSP_M_TABLE_COLUMNS, "{\"model\":[{\"id\":0,\"name\":\"Timestamp\",\"type\":\"TIMESTAMP\"},"
	      "{\"id\":1,\"name\":\"CPU\",\"type\":\"NUMBER\"},{\"id\":2,\"name\":\"CPU\",\"type\":\"NUMBER\"},"
	      "{\"id\":3,\"name\":\"time\",\"type\":\"STRING\"}],\"status\":\"COMPLETED\"}");
	model(&lines, TSP_M_TABLE_LINES, "{\"model\":{\"size\":1,\"lowIndex\":0,\"columnIds\":[0,1,2,3],\"lines\":["
	      "{\"index\":0,\"cells\":[{\"content\":\"1700000000.501 862 836\"},{\"content\":\"1\"},"
	      "{\"content\":\"2\"},{\"content\":\"x\"}]}]},\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_events(&f, &cols.u.columns, &lines.u.lines, INT64_C(1700000002000000000), 1, 1,
				      err, sizeof(err)), 0);
	ck_assert_uint_eq(f.n_fields, 5);
	ck_assert_str_eq(f.fields[0].name, "time");
	ck_assert_str_eq(f.fields[2].name, "CPU");
	ck_assert_str_eq(f.fields[3].name, "CPU (2)");
	ck_assert(f.fields[2].nums[0] == 1 && f.fields[3].nums[0] == 2);
	ck_assert_str_eq(f.fields[4].name, "time (2)");
	gf_frame_release(&f);
	tsp_model_release(&cols);
	tsp_model_release(&lines);
}
END_TEST

START_TEST(translate_series_events_tree_annotations)
{
	struct tsp_model xy, cols, lines, dt, an;
	struct gf_frame f;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	char err[256];
	int64_t ns;

	model(&xy, TSP_M_XY, "{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"Total\","
	      "\"xValues\":[1700000000500644597,1700000000600644597],\"yValues\":[1.5,2.5]},"
	      "{\"seriesId\":2,\"seriesName\":\"cats\",\"xCategories\":[\"a\"],\"yValues\":[1]}]},"
	      "\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_series(&f, &xy.u.xy.series[0], "kernel/CPU", err, sizeof(err)), 0);
	ck_assert_str_eq(f.name, "kernel/CPU: Total");
	ck_assert(f.fields[0].times[1] == INT64_C(1700000000600));
	ck_assert(f.fields[1].nums[1] == 2.5);
	gf_frame_release(&f);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_series(&f, &xy.u.xy.series[1], NULL, err, sizeof(err)), -1);
	ck_assert(strstr(err, "no xValues"));
	gf_frame_release(&f);

	ck_assert_int_eq(nstime_parse_epoch_s("1700000000.501 862 836", &ns), 0);
	ck_assert(ns == INT64_C(1700000000501862836));
	ck_assert_int_eq(nstime_parse_epoch_s("22:13:20.501 862 836", &ns), -1);
	/* Found by fuzzing: ten digits of seconds overflowed int64 ns. */
	ck_assert_int_eq(nstime_parse_epoch_s("9862184356", &ns), -1);
	ck_assert_int_eq(nstime_parse_epoch_s("9223372035.999999999", &ns), 0);
	ck_assert(ns == INT64_C(9223372035999999999));
	/* Found by fuzzing: end - start of an arrow or state overflowed int64. */
	ck_assert(ns_span_ms(INT64_MIN, INT64_MAX) > 1.8e13);
	ck_assert(ns_span_ms(INT64_C(1700000000000000000), INT64_C(1700000000000001500)) == 1500 / 1e6);
	model(&cols, TSP_M_TABLE_COLUMNS, "{\"model\":[{\"id\":0,\"name\":\"Timestamp\",\"type\":\"TIMESTAMP\"},"
	      "{\"id\":1,\"name\":\"CPU\",\"type\":\"NUMBER\"},{\"id\":2,\"name\":\"Event type\",\"type\":\"STRING\"}],"
	      "\"status\":\"COMPLETED\"}");
	model(&lines, TSP_M_TABLE_LINES, "{\"model\":{\"size\":9,\"lowIndex\":3,\"columnIds\":[0,1,2],\"lines\":["
	      "{\"index\":3,\"cells\":[{\"content\":\"1700000000.501 862 836\"},{\"content\":\"1\"},{\"content\":\"sched_switch\"}]},"
	      "{\"index\":4,\"cells\":[{\"content\":\"1700000002.000 000 001\"},{\"content\":\"2\"},{\"content\":\"irq\"}]}]},"
	      "\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_events(&f, &cols.u.columns, &lines.u.lines, INT64_C(1700000002000000000), 7, 2,
				      err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 1);                    /* the second line is after `to` */
	ck_assert_str_eq(f.fields[0].name, "time");
	ck_assert(f.fields[0].times[0] == INT64_C(1700000000501));
	ck_assert_int_eq(f.fields[2].type, GF_NUMBER);
	ck_assert(f.fields[2].nums[0] == 1);
	ck_assert_str_eq(f.fields[3].strs[0], "sched_switch");
	ck_assert(strstr(f.notices[0], "of 7 events"));
	gf_frame_release(&f);

	model(&dt, TSP_M_TREE, "{\"model\":{\"headers\":[{\"name\":\"Name\"},{\"name\":\"Count\"},{\"name\":\"Share\"}],"
	      "\"entries\":[{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\",\"10\",\"100 %\"]},"
	      "{\"id\":1,\"parentId\":0,\"labels\":[\"sched_switch\",\"7\",\"70 %\"]},"
	      "{\"id\":2,\"parentId\":0,\"labels\":[\"irq\",\"3\",\"30 %\"]}]},\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	{
		int64_t ids[] = { 1 };

		ck_assert_int_eq(gf_tr_data_tree(&f, &dt.u.tree, ids, 1, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(f.length, 1);
	ck_assert_str_eq(f.fields[1].strs[0], "kernel / sched_switch");
	ck_assert_str_eq(f.fields[2].name, "Count");
	ck_assert_int_eq(f.fields[2].type, GF_NUMBER);
	ck_assert(f.fields[2].nums[0] == 7);
	/* "70 %" cells: a number field in percent, not text. */
	ck_assert_int_eq(f.fields[3].type, GF_NUMBER);
	ck_assert_str_eq(f.fields[3].unit, "percent");
	ck_assert(f.fields[3].nums[0] == 70);
	gf_frame_release(&f);
	tsp_model_release(&dt);
	/* Headed "%": numbers with or without the sign, anything else null; a text column stays text. */
	model(&dt, TSP_M_TREE, "{\"model\":{\"headers\":[{\"name\":\"Name\"},{\"name\":\"%\"},{\"name\":\"Note\"}],"
	      "\"entries\":[{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\",\"12.5 %\",\"50%\"]},"
	      "{\"id\":1,\"parentId\":0,\"labels\":[\"a\",\"n/a\",\"x\"]},"
	      "{\"id\":2,\"parentId\":0,\"labels\":[\"b\",\"7.25\",\"\"]},"
	      "{\"id\":3,\"parentId\":0,\"labels\":[\"c\",\"3%\"]}]},\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_data_tree(&f, &dt.u.tree, NULL, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 4);
	ck_assert_int_eq(f.fields[2].type, GF_NUMBER);
	ck_assert_str_eq(f.fields[2].unit, "percent");
	ck_assert(f.fields[2].nums[0] == 12.5 && isnan(f.fields[2].nums[1]) && f.fields[2].nums[2] == 7.25 &&
		  f.fields[2].nums[3] == 3);
	ck_assert_int_eq(f.fields[3].type, GF_STRING);
	ck_assert_ptr_null(f.fields[3].unit);
	jsonw_init(&w, &sb);
	gf_write_table(&w, &f);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_msg(strstr(sb.buf, "{\"text\":\"%\",\"type\":\"number\",\"unit\":\"percent\"}"), "%s", sb.buf);
	ck_assert_msg(strstr(sb.buf, "[\"a\",\"kernel / a\",null,\"x\"]"), "%s", sb.buf);
	strbuf_reset(&sb);
	gf_frame_release(&f);

	model(&an, TSP_M_ANNOTATIONS, "{\"model\":{\"annotations\":{\"Frames\":[{\"time\":1700000000500644597,"
	      "\"duration\":100000000,\"entryId\":-1,\"type\":\"CHART\",\"label\":\"frame 1\"}]}},"
	      "\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_annotations(&f, &an.u.annotations, err, sizeof(err)), 0);
	jsonw_init(&w, &sb);
	jsonw_arr_begin(&w);
	gf_write_annotations(&w, &f, "{\"name\":\"F\"}");
	jsonw_arr_end(&w);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_str_eq(sb.buf, "[{\"annotation\":{\"name\":\"F\"},\"time\":1700000000500,\"timeEnd\":1700000000600,"
			 "\"title\":\"Frames\",\"text\":\"frame 1\",\"tags\":[\"Frames\"]}]");
	strbuf_release(&sb);
	gf_frame_release(&f);

	tsp_model_release(&xy);
	tsp_model_release(&cols);
	tsp_model_release(&lines);
	tsp_model_release(&dt);
	tsp_model_release(&an);
}
END_TEST

Suite *gf_target_suite(void)
{
	Suite *s = suite_create("gf_target");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, target_parts_and_options);
	tcase_add_test(tc, entries_in_grafana_variable_formats);
	tcase_add_test(tc, pattern_kinds_match);
	tcase_add_test(tc, discovery_queries);
	suite_add_tcase(s, tc);
	return s;
}

Suite *gf_request_suite(void)
{
	Suite *s = suite_create("gf_request");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, iso_times_are_exact);
	tcase_add_test(tc, query_requests);
	tcase_add_test(tc, query_request_errors);
	tcase_add_test(tc, small_requests);
	suite_add_tcase(s, tc);
	return s;
}

Suite *gf_frame_suite(void)
{
	Suite *s = suite_create("gf_frame");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, frame_shapes);
	suite_add_tcase(s, tc);
	return s;
}

Suite *gf_translate_suite(void)
{
	Suite *s = suite_create("gf_translate");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, translate_intervals_and_timeline);
	tcase_add_test(tc, intervals_order_and_names);
	tcase_add_test(tc, translate_series_events_tree_annotations);
	tcase_add_test(tc, series_values_keep_the_servers_digits);
	tcase_add_test(tc, field_names_are_unique);
	suite_add_tcase(s, tc);
	return s;
}
