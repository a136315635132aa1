/*
 * Unit tests of the TSP model parser: one small inline body per kind, the
 * tolerance rules, the strictness rules (error kind and JSON path), and the
 * model's lifetime (release, reuse, nothing left behind on error).
 *
 * Bodies are written with single quotes for readability; J() swaps them
 * for double quotes.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"

#include "json_int.h"
#include "strbuf.h"
#include "tsp_model.h"
#include "tsp_style.h"

static struct tsp_model m;
static struct tsp_error err;

static void setup(void)
{
	tsp_model_init(&m);
	tsp_error_clear(&err);
}

static void teardown(void)
{
	tsp_model_release(&m);
}

#define J json_quotes

static void parse_ok_at(enum tsp_model_kind kind, const char *json, int line)
{
	char *j = J(json);
	int rc = tsp_model_parse(&m, kind, j, strlen(j), &err);

	free(j);
	ck_assert_msg(rc == 0, "line %d: parse failed: %s", line, err.msg);
	ck_assert_int_eq(err.kind, TSP_OK);
	ck_assert_int_eq(m.kind, kind);
}
#define OK(kind, json) parse_ok_at((kind), (json), __LINE__)

/* After a failed parse the model must hold nothing at all. */
static void assert_empty(int line)
{
	static const unsigned char zero[sizeof(m.u)];

	ck_assert_msg(m.arena.head == NULL, "line %d: arena not released", line);
	ck_assert_msg(m.has_model == 0, "line %d: has_model set", line);
	ck_assert_msg(m.status == TSP_STATUS_UNKNOWN, "line %d: status set", line);
	ck_assert_msg(memcmp(&m.u, zero, sizeof(zero)) == 0, "line %d: u not zeroed", line);
}

/*
 * Parses and expects error kind ek whose message starts with `path` + ": "
 * and contains each of the other strings.
 */
static void parse_bad_at(enum tsp_model_kind kind, const char *json, int raw,
			 enum tsp_err_kind ek, int line, const char *path,
			 const char *const *subs)
{
	char *j = raw ? strdup(json) : J(json);
	size_t plen = path ? strlen(path) : 0;
	int rc = tsp_model_parse(&m, kind, j, strlen(j), &err);

	free(j);
	ck_assert_msg(rc == -1, "line %d: parse succeeded", line);
	ck_assert_msg(err.kind == ek, "line %d: error kind %s, want %s (%s)", line,
		      tsp_err_kind_name(err.kind), tsp_err_kind_name(ek), err.msg);
	if (path)
		ck_assert_msg(!strncmp(err.msg, path, plen) && !strncmp(err.msg + plen, ": ", 2),
			      "line %d: message '%s' does not start with path '%s'", line,
			      err.msg, path);
	for (; subs && *subs; subs++)
		ck_assert_msg(strstr(err.msg, *subs), "line %d: message '%s' lacks '%s'",
			      line, err.msg, *subs);
	assert_empty(line);
}
#define BAD(kind, json, path, ...)                                              \
	parse_bad_at((kind), (json), 0, TSP_ERR_SCHEMA, __LINE__, (path),       \
		     (const char *const[]){ __VA_ARGS__, NULL })
#define BAD_JSON(kind, json)                                                    \
	parse_bad_at((kind), (json), 1, TSP_ERR_BAD_JSON, __LINE__, NULL, NULL)

static const char *i64s(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, v);
	return buf;
}

/* Exact int64 comparison, as printed text: PRId64 printing is one-to-one. */
#define ck_i64(v, lit)                                                          \
	do {                                                                    \
		char b_[32];                                                    \
		ck_assert_msg(!strcmp(i64s((v), b_, sizeof(b_)), #lit),         \
			      "%s = %s, want %s", #v, b_, #lit);                \
	} while (0)

/* ---------- envelope ---------- */

START_TEST(envelope_status_values)
{
	OK(TSP_M_MARKER_SETS, "{'model':[],'status':'COMPLETED','statusMessage':'Done'}");
	ck_assert_int_eq(m.status, TSP_STATUS_COMPLETED);
	ck_assert_str_eq(m.status_message, "Done");
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_uint_eq(m.u.marker_sets.n, 0);

	/* FAILED and CANCELLED are answers, not parse errors. */
	OK(TSP_M_XY, "{'model':null,'status':'FAILED','statusMessage':'Analysis failed'}");
	ck_assert_int_eq(m.status, TSP_STATUS_FAILED);
	ck_assert_str_eq(m.status_message, "Analysis failed");
	ck_assert_int_eq(m.has_model, 0);

	OK(TSP_M_TREE, "{'status':'CANCELLED','statusMessage':'Cancelled'}");
	ck_assert_int_eq(m.status, TSP_STATUS_CANCELLED);
	ck_assert_int_eq(m.has_model, 0);

	/* A FAILED answer may still carry a model; it is parsed. */
	OK(TSP_M_TG_ARROWS, "{'model':[{'sourceId':1,'targetId':2,'start':3,'end':4}],"
	   "'status':'FAILED','statusMessage':'partial'}");
	ck_assert_int_eq(m.status, TSP_STATUS_FAILED);
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_uint_eq(m.u.arrows.n, 1);
}
END_TEST

/* FAILED/CANCELLED win over a malformed leftover model; RUNNING does not. */
START_TEST(envelope_failed_with_bad_model)
{
	static const unsigned char zero[sizeof(m.u)];

	OK(TSP_M_XY, "{'model':{'title':'t','series':[{'seriesId':'x'}]},'status':'FAILED',"
	   "'statusMessage':'Trace is gone'}");
	ck_assert_int_eq(m.status, TSP_STATUS_FAILED);
	ck_assert_str_eq(m.status_message, "Trace is gone");
	ck_assert_int_eq(m.has_model, 0);
	ck_assert_int_eq(memcmp(&m.u, zero, sizeof(zero)), 0);
	ck_assert_str_eq(err.msg, "");

	OK(TSP_M_TG_ARROWS, "{'model':{},'status':'CANCELLED','statusMessage':'Stopped'}");
	ck_assert_int_eq(m.status, TSP_STATUS_CANCELLED);
	ck_assert_int_eq(m.has_model, 0);

	/* Same without an error struct to look at. */
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_TG_ARROWS,
					 "{\"model\":7,\"status\":\"FAILED\"}", 29, NULL), 0);
	ck_assert_int_eq(m.has_model, 0);

	BAD(TSP_M_XY, "{'model':{'title':'t','series':[{'seriesId':'x'}]},'status':'RUNNING'}",
	    "model.series[0].seriesId", "expected an integer");
	BAD(TSP_M_XY, "{'model':{'title':'t','series':[{'seriesId':'x'}]},'status':'COMPLETED'}",
	    "model.series[0].seriesId", "expected an integer");
}
END_TEST

START_TEST(envelope_running_without_model)
{
	static const unsigned char zero[sizeof(m.u)];

	OK(TSP_M_TREE, "{'model':null,'status':'RUNNING','statusMessage':'Running'}");
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_str_eq(m.status_message, "Running");
	ck_assert_int_eq(m.has_model, 0);
	ck_assert_int_eq(memcmp(&m.u, zero, sizeof(zero)), 0);

	OK(TSP_M_XY, "{'status':'RUNNING'}");
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_str_eq(m.status_message, "");
	ck_assert_int_eq(m.has_model, 0);

	OK(TSP_M_TG_STATES, "{'status':'RUNNING','statusMessage':null}");
	ck_assert_str_eq(m.status_message, "");
}
END_TEST

START_TEST(envelope_strict)
{
	BAD(TSP_M_XY, "{'model':null,'status':'DONE','statusMessage':''}", "status",
	    "\"DONE\"", "RUNNING, COMPLETED, FAILED, CANCELLED");
	BAD(TSP_M_XY, "{'model':null,'status':'running'}", "status", "\"running\"");
	BAD(TSP_M_XY, "{'model':null,'statusMessage':'x'}", "status", "missing");
	BAD(TSP_M_XY, "{'model':null,'status':1}", "status", "expected a string, got a number");
	BAD(TSP_M_XY, "{'model':null,'status':null}", "status", "expected a string, got null");
	BAD(TSP_M_XY, "{'status':'COMPLETED','statusMessage':5}", "statusMessage",
	    "expected a string");
	BAD(TSP_M_XY, "[]", "root", "expected an object, got an array");
	BAD(TSP_M_XY, "'x'", "root", "expected an object, got a string");
	BAD(TSP_M_XY, "42", "root", "expected an object, got a number");
	BAD(TSP_M_XY, "null", "root", "expected an object, got null");
	/* A model of the wrong shape. */
	BAD(TSP_M_XY, "{'model':[],'status':'COMPLETED'}", "model",
	    "expected an object, got an array");
	BAD(TSP_M_TG_ARROWS, "{'model':{},'status':'COMPLETED'}", "model",
	    "expected an array, got an object");
	BAD(TSP_M_TABLE_COLUMNS, "{'model':'x','status':'COMPLETED'}", "model",
	    "expected an array, got a string");
	BAD(TSP_M_MARKER_SETS, "{'model':true,'status':'COMPLETED'}", "model",
	    "expected an array, got a boolean");
}
END_TEST

START_TEST(bad_json)
{
	BAD_JSON(TSP_M_XY, "not json");
	BAD_JSON(TSP_M_XY, "{");
	BAD_JSON(TSP_M_XY, "{'a':1}");             /* raw: single quotes are not JSON */
	BAD_JSON(TSP_M_XY, "{\"status\":\"RUNNING\"} x");
	BAD_JSON(TSP_M_XY, "{\"status\":\"RUNNING\",}");
	BAD_JSON(TSP_M_HEALTH, "<html>502 Bad Gateway</html>");
	BAD_JSON(TSP_M_HEALTH, "");
	BAD_JSON(TSP_M_HEALTH, "   ");
	/* A document cut short is named truncated; one broken elsewhere is not. */
	parse_bad_at(TSP_M_XY, " {\"status\":\"RUNNING\",\"model\":{\"series\":[{\"xValues\":[17", 1,
		     TSP_ERR_BAD_JSON, __LINE__, NULL, (const char *const[]){ "truncated", NULL });
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_XY, "{\"status\":\"RUNNING\",}", 21, &err), -1);
	ck_assert_ptr_null(strstr(err.msg, "truncated"));
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, "<html>502", 9, &err), -1);
	ck_assert_ptr_null(strstr(err.msg, "truncated"));

	/* Embedded NUL: the length is the truth, not strlen. */
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, "{\"status\":\"UP\"}\0x", 17, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	assert_empty(__LINE__);
	/* A NULL body is an error too, not a crash. */
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, NULL, 0, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	/* Only the first len bytes count. */
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, "{\"status\":\"UP\"}garbage", 15, &err), 0);
	ck_assert_str_eq(m.u.health.status, "UP");
}
END_TEST

START_TEST(unknown_fields_ignored)
{
	OK(TSP_M_TG_ARROWS,
	   "{'future':{'a':[1,{'b':null}]},'model':[{'sourceId':1,'targetId':2,'start':3,"
	   "'end':4,'weight':9876543210987654321,'x':[true,'s']}],'status':'COMPLETED',"
	   "'statusMessage':'','zz':9876543210987654321}");
	ck_assert_uint_eq(m.u.arrows.n, 1);
	ck_i64(m.u.arrows.items[0].end, 4);
}
END_TEST

START_TEST(duplicate_keys_first_wins)
{
	OK(TSP_M_HEALTH, "{'status':'UP','status':'DOWN'}");
	ck_assert_str_eq(m.u.health.status, "UP");
}
END_TEST

/* ---------- bare kinds ---------- */

START_TEST(health)
{
	OK(TSP_M_HEALTH, "{'status':'UP'}");
	ck_assert_int_eq(m.status, TSP_STATUS_COMPLETED);
	ck_assert_str_eq(m.status_message, "");
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_str_eq(m.u.health.status, "UP");
	BAD(TSP_M_HEALTH, "{}", "status", "required field is missing");
	BAD(TSP_M_HEALTH, "{'status':true}", "status", "expected a string, got a boolean");
	BAD(TSP_M_HEALTH, "[{'status':'UP'}]", "root", "expected an object");
}
END_TEST

START_TEST(identifier)
{
	struct tsp_identifier *id = &m.u.identifier;

	OK(TSP_M_IDENTIFIER, "{'version':'0.9.1','productId':'p','tspVersion':'0.6.0','os':'Linux',"
	   "'osArch':'amd64','osVersion':'6.1','buildTime':'2024','launcherName':'l',"
	   "'cpuCount':8,'maxMemory':9223372036854775807}");
	ck_assert_str_eq(id->version, "0.9.1");
	ck_assert_str_eq(id->product_id, "p");
	ck_assert_str_eq(id->tsp_version, "0.6.0");
	ck_assert_str_eq(id->os, "Linux");
	ck_assert_str_eq(id->os_arch, "amd64");
	ck_assert_str_eq(id->os_version, "6.1");
	ck_assert_str_eq(id->build_time, "2024");
	ck_assert_str_eq(id->launcher_name, "l");
	ck_i64(id->cpu_count, 8);
	ck_i64(id->max_memory, 9223372036854775807);

	/* Only version is required; the rest is NULL / -1. */
	OK(TSP_M_IDENTIFIER, "{'version':'1'}");
	ck_assert_ptr_null(id->product_id);
	ck_assert_ptr_null(id->tsp_version);
	ck_assert_ptr_null(id->launcher_name);
	ck_i64(id->cpu_count, -1);
	ck_i64(id->max_memory, -1);

	BAD(TSP_M_IDENTIFIER, "{'os':'Linux'}", "version", "missing");
	BAD(TSP_M_IDENTIFIER, "{'version':'1','cpuCount':'8'}", "cpuCount",
	    "expected an integer, got a string");
	BAD(TSP_M_IDENTIFIER, "{'version':'1','maxMemory':1.5}", "maxMemory",
	    "1.5 is not an exact integer");
	BAD(TSP_M_IDENTIFIER, "{'version':'1','maxMemory':18446744073709551616}", "maxMemory",
	    "18446744073709551616 is out of int64 range");
}
END_TEST

#define TRACE_JSON(start, end, extra)                                           \
	"{'name':'kernel','path':'/p/k','UUID':'u-1','nbEvents':42,'start':" start   \
	",'end':" end ",'indexingStatus':'COMPLETED'" extra "}"

START_TEST(trace)
{
	struct tsp_trace *t = &m.u.trace;

	OK(TSP_M_TRACE, TRACE_JSON("1700000000123456789", "1700000000987654321",
				   ",'properties':{'hostname':'qemu1','clock_offset':'145'}"));
	ck_assert_str_eq(t->name, "kernel");
	ck_assert_str_eq(t->path, "/p/k");
	ck_assert_str_eq(t->uuid, "u-1");
	ck_assert_str_eq(t->indexing_status, "COMPLETED");
	ck_i64(t->nb_events, 42);
	ck_i64(t->start, 1700000000123456789);
	ck_i64(t->end, 1700000000987654321);
	ck_assert_uint_eq(t->n_properties, 2);
	ck_assert_str_eq(t->properties[0].key, "hostname");
	ck_assert_str_eq(t->properties[0].value, "qemu1");
	ck_assert_str_eq(t->properties[1].key, "clock_offset");
	ck_assert_str_eq(t->properties[1].value, "145");

	/* The int64 extremes, both ways. */
	OK(TSP_M_TRACE, TRACE_JSON("-9223372036854775808", "9223372036854775807", ""));
	ck_assert(t->start == INT64_MIN);
	ck_assert(t->end == INT64_MAX);
	ck_i64(t->end, 9223372036854775807);
	/* properties is required by API.yaml but servers omit it. */
	ck_assert_uint_eq(t->n_properties, 0);
	/* Exponent notation that is an exact small integer is fine. */
	OK(TSP_M_TRACE, TRACE_JSON("1e3", "0", ",'properties':null"));
	ck_i64(t->start, 1000);

	BAD(TSP_M_TRACE, TRACE_JSON("'abc'", "0", ""), "start", "expected an integer, got a string");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "9223372036854775808", ""), "end",
	    "9223372036854775808 is out of int64 range");
	BAD(TSP_M_TRACE, TRACE_JSON("-9223372036854775809", "0", ""), "start",
	    "-9223372036854775809 is out of int64 range");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "9876543210987654321", ""), "end",
	    "9876543210987654321 is out of int64 range");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "1.5", ""), "end", "not an exact integer");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "null", ""), "end", "expected an integer, got null");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "0", ",'properties':[]"), "properties",
	    "expected an object, got an array");
	BAD(TSP_M_TRACE, TRACE_JSON("0", "0", ",'properties':{'cpus':4}"), "properties.cpus",
	    "expected a string, got a number");
	BAD(TSP_M_TRACE, "{'name':'kernel','path':'/p','nbEvents':1,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED'}", "UUID", "required field is missing");
	BAD(TSP_M_TRACE, "{'name':'kernel','UUID':'u','nbEvents':1,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED'}", "path", "missing");
	BAD(TSP_M_TRACE, "{'name':'kernel','UUID':'u','path':'p','start':0,'end':0,"
	    "'indexingStatus':'CLOSED'}", "nbEvents", "missing");
	BAD(TSP_M_TRACE, "{'name':'kernel','UUID':'u','path':'p','nbEvents':0,'end':0,"
	    "'indexingStatus':'CLOSED'}", "start", "missing");
}
END_TEST

START_TEST(traces_array)
{
	OK(TSP_M_TRACES, "[" TRACE_JSON("1", "2", "") "," TRACE_JSON("3", "4", "") "]");
	ck_assert_uint_eq(m.u.traces.n, 2);
	ck_i64(m.u.traces.items[1].start, 3);
	OK(TSP_M_TRACES, "[]");
	ck_assert_uint_eq(m.u.traces.n, 0);
	BAD(TSP_M_TRACES, "{}", "root", "expected an array, got an object");
	BAD(TSP_M_TRACES, "[" TRACE_JSON("1", "2", "") ",7]", "[1]",
	    "expected an object, got a number");
	BAD(TSP_M_TRACES, "[" TRACE_JSON("1", "2", "") "," TRACE_JSON("1", "2.5", "") "]",
	    "[1].end", "2.5 is not an exact integer");
}
END_TEST

START_TEST(experiment)
{
	struct tsp_experiment *e = &m.u.experiment;

	OK(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'e-1','nbEvents':999999,"
	   "'start':1234567890123456789,'end':2234567890123456789,'indexingStatus':'RUNNING',"
	   "'traces':[" TRACE_JSON("1234567890123456789", "-1", "") "]}");
	ck_assert_str_eq(e->name, "exp");
	ck_assert_str_eq(e->uuid, "e-1");
	ck_assert_str_eq(e->indexing_status, "RUNNING");
	ck_i64(e->nb_events, 999999);
	ck_i64(e->start, 1234567890123456789);
	ck_i64(e->end, 2234567890123456789);
	ck_assert_uint_eq(e->n_traces, 1);
	ck_i64(e->traces[0].start, 1234567890123456789);
	ck_i64(e->traces[0].end, -1);
	ck_assert_str_eq(e->traces[0].name, "kernel");

	BAD(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'e','nbEvents':0,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED'}", "traces", "required field is missing");
	BAD(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'e','nbEvents':0,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED','traces':{}}", "traces", "expected an array, got an object");
	BAD(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'e','nbEvents':0,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED','traces':[" TRACE_JSON("0", "9876543210987654321", "") "]}",
	    "traces[0].end", "9876543210987654321 is out of int64 range");
	/* In a list, a malformed experiment is left out and the others kept. */
	OK(TSP_M_EXPERIMENTS, "[{'name':'exp','UUID':'e','nbEvents':0,'start':0,'end':0,"
	   "'indexingStatus':'CLOSED','traces':[" TRACE_JSON("0", "0", ",'properties':{'a':[]}") "]},"
	   "{'name':'good','UUID':'g','nbEvents':0,'start':0,'end':0,'indexingStatus':'CLOSED','traces':[]},"
	   "{'name':'blank','UUID':'','nbEvents':0,'start':0,'end':0,'indexingStatus':'CLOSED','traces':[]}]");
	ck_assert_uint_eq(m.u.experiments.n, 1);
	ck_assert_str_eq(m.u.experiments.items[0].name, "good");
	ck_assert_uint_eq(m.u.experiments.n_skipped, 2);
	ck_assert_str_eq(m.u.experiments.skipped,
			 "[0].traces[0].properties.a: expected a string, got an array");
	BAD(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'','nbEvents':0,'start':0,'end':0,"
	    "'indexingStatus':'CLOSED','traces':[]}", "UUID", "empty");
	BAD(TSP_M_EXPERIMENTS, "{}", NULL, "expected an array");
	BAD(TSP_M_EXPERIMENT, "{'name':'exp','UUID':'e','nbEvents':0,'start':0,'end':0,"
	    "'indexingStatus':7,'traces':[]}", "indexingStatus", "expected a string");
}
END_TEST

START_TEST(outputs)
{
	struct tsp_output *o;

	OK(TSP_M_OUTPUTS, "[{'id':'a','name':'A','description':'d','type':'TIME_GRAPH'},"
	   "{'id':'b','name':'B','description':'','type':'FANCY_NEW','parentId':'a',"
	   "'capabilities':{'canCreate':true}},"
	   "{'id':'c','name':'C','description':'','type':'TREE_GENERIC_XY','parentId':null,"
	   "'capabilities':null,'configuration':{'id':'ci','name':'cn','sourceTypeId':'st',"
	   "'parameters':{'n':9876543210987654321,'s':[1,2.5,'x'],'o':{}}}}]");
	ck_assert_uint_eq(m.u.outputs.n, 3);
	o = &m.u.outputs.items[0];
	ck_assert_str_eq(o->id, "a");
	ck_assert_int_eq(o->type, TSP_OUTPUT_TIME_GRAPH);
	ck_assert_str_eq(o->type_name, "TIME_GRAPH");
	ck_assert_ptr_null(o->parent_id);
	ck_assert_ptr_null(o->configuration);
	ck_assert_int_eq(o->can_create, 0);
	ck_assert_int_eq(o->can_delete, 0);
	o = &m.u.outputs.items[1];
	/* An unknown type is kept by name, not rejected. */
	ck_assert_int_eq(o->type, TSP_OUTPUT_UNKNOWN);
	ck_assert_str_eq(o->type_name, "FANCY_NEW");
	ck_assert_str_eq(o->parent_id, "a");
	ck_assert_int_eq(o->can_create, 1);
	ck_assert_int_eq(o->can_delete, 0);
	o = &m.u.outputs.items[2];
	ck_assert_int_eq(o->type, TSP_OUTPUT_TREE_GENERIC_XY);
	ck_assert_ptr_null(o->parent_id);
	ck_assert_ptr_nonnull(o->configuration);
	ck_assert_str_eq(o->configuration->id, "ci");
	ck_assert_str_eq(o->configuration->source_type_id, "st");
	ck_assert_ptr_null(o->configuration->description);
	/* Raw parameters keep even integers beyond int64 exactly. */
	ck_assert_str_eq(o->configuration->parameters,
			 "{\"n\":9876543210987654321,\"s\":[1,2.5,\"x\"],\"o\":{}}");

	OK(TSP_M_OUTPUT, "{'id':'a','name':'A','description':'d','type':'NONE',"
	   "'capabilities':{'canCreate':false,'canDelete':true}}");
	ck_assert_int_eq(m.u.output.type, TSP_OUTPUT_NONE);
	ck_assert_int_eq(m.u.output.can_delete, 1);

	/* Malformed outputs are left out of the list, the first one's reason kept. */
	OK(TSP_M_OUTPUTS, "[{'id':'a','name':'A','description':'d'},"
	   "{'id':'a','name':'A','type':'TABLE'},"
	   "{'id':1,'name':'A','description':'d','type':'TABLE'},"
	   "{'id':'','name':'E','description':'d','type':'TABLE'},"
	   "{'id':'ok','name':'OK','description':'d','type':'TABLE'}]");
	ck_assert_uint_eq(m.u.outputs.n, 1);
	ck_assert_str_eq(m.u.outputs.items[0].id, "ok");
	ck_assert_uint_eq(m.u.outputs.n_skipped, 4);
	ck_assert_str_eq(m.u.outputs.skipped, "[0].type: required field is missing");
	BAD(TSP_M_OUTPUT, "{'id':'','name':'A','description':'d','type':'TABLE'}", "id", "empty");
	BAD(TSP_M_OUTPUT, "{'id':1,'name':'A','description':'d','type':'TABLE'}", "id",
	    "expected a string, got a number");
	BAD(TSP_M_OUTPUT, "{'id':'a','name':'A','description':'d','type':'TABLE',"
	    "'capabilities':{'canCreate':'yes'}}", "capabilities.canCreate",
	    "expected a boolean, got a string");
	BAD(TSP_M_OUTPUT, "{'id':'a','name':'A','description':'d','type':'TABLE',"
	    "'capabilities':[]}", "capabilities", "expected an object, got an array");
	BAD(TSP_M_OUTPUT, "{'id':'a','name':'A','description':'d','type':'TABLE',"
	    "'configuration':{'id':'c','name':'n'}}", "configuration.sourceTypeId", "missing");
	BAD(TSP_M_OUTPUT, "{'id':'a','name':'A','description':'d','type':'TABLE',"
	    "'configuration':{'id':'c','name':'n','sourceTypeId':'s','parameters':[1]}}",
	    "configuration.parameters", "expected an object, got an array");
}
END_TEST

START_TEST(configurations)
{
	struct tsp_configuration *cf = &m.u.configuration;

	OK(TSP_M_CONFIGURATION, "{'id':'i','name':'n','description':'d','sourceTypeId':'s',"
	   "'parameters':{'path':'/tmp/\\u00e9\\n','big':-9223372036854775808,'f':0.1,"
	   "'deep':[[[{'t':true,'f':false,'z':null}]]],'e':1e300}}");
	ck_assert_str_eq(cf->id, "i");
	ck_assert_str_eq(cf->name, "n");
	ck_assert_str_eq(cf->description, "d");
	ck_assert_str_eq(cf->source_type_id, "s");
	ck_assert_str_eq(cf->parameters,
			 "{\"path\":\"/tmp/\xc3\xa9\\n\",\"big\":-9223372036854775808,\"f\":0.1,"
			 "\"deep\":[[[{\"t\":true,\"f\":false,\"z\":null}]]],\"e\":1e+300}");
	/* The copy is valid JSON that reads back to the same tree. */
	{
		cJSON *a = cJSON_Parse(cf->parameters);

		ck_assert_ptr_nonnull(a);
		cJSON_Delete(a);
	}

	OK(TSP_M_CONFIGURATION, "{'id':'i','name':'n','sourceTypeId':'s','parameters':null}");
	ck_assert_ptr_null(cf->description);
	ck_assert_ptr_null(cf->parameters);

	OK(TSP_M_CONFIGURATIONS, "[{'id':'a','name':'A','sourceTypeId':'s'},"
	   "{'id':'b','name':'B','sourceTypeId':'s','parameters':{}}]");
	ck_assert_uint_eq(m.u.configurations.n, 2);
	ck_assert_str_eq(m.u.configurations.items[1].parameters, "{}");

	BAD(TSP_M_CONFIGURATION, "{'id':'i','name':'n'}", "sourceTypeId", "missing");
	BAD(TSP_M_CONFIGURATIONS, "[{'id':'i','name':'n','sourceTypeId':'s'},{'name':'n',"
	    "'sourceTypeId':'s'}]", "[1].id", "missing");
	BAD(TSP_M_CONFIGURATIONS, "{}", "root", "expected an array");
}
END_TEST

START_TEST(config_source_types)
{
	struct tsp_config_source_type *st;

	OK(TSP_M_CONFIG_SOURCE_TYPES,
	   "[{'id':'s1','name':'S1','description':'d','parameterDescriptors':["
	   "{'keyName':'path','description':'pd','dataType':'STRING','required':'True'},"
	   "{'keyName':'a','required':true},{'keyName':'b','required':'false'},"
	   "{'keyName':'c','required':false},{'keyName':'d','required':'TRUE'},"
	   "{'keyName':'e','required':null},{'keyName':'f'}]},"
	   "{'id':'s2','name':'S2','schema':{'type':'object','required':['cpus'],"
	   "'pattern':'^(\\\\([0-9]{3}\\\\))?$'}}]");
	ck_assert_uint_eq(m.u.source_types.n, 2);
	st = &m.u.source_types.items[0];
	ck_assert_str_eq(st->id, "s1");
	ck_assert_str_eq(st->description, "d");
	ck_assert_ptr_null(st->schema);
	ck_assert_uint_eq(st->n_params, 7);
	ck_assert_str_eq(st->params[0].key_name, "path");
	ck_assert_str_eq(st->params[0].description, "pd");
	ck_assert_str_eq(st->params[0].data_type, "STRING");
	ck_assert_int_eq(st->params[0].required, 1);
	ck_assert_int_eq(st->params[1].required, 1);
	ck_assert_int_eq(st->params[2].required, 0);
	ck_assert_int_eq(st->params[3].required, 0);
	ck_assert_int_eq(st->params[4].required, 1);
	ck_assert_int_eq(st->params[5].required, 0);
	ck_assert_int_eq(st->params[6].required, 0);
	ck_assert_ptr_null(st->params[6].description);
	ck_assert_ptr_null(st->params[6].data_type);
	st = &m.u.source_types.items[1];
	ck_assert_ptr_null(st->description);
	ck_assert_uint_eq(st->n_params, 0);
	ck_assert_ptr_null(st->params);
	ck_assert_str_eq(st->schema, "{\"type\":\"object\",\"required\":[\"cpus\"],"
			 "\"pattern\":\"^(\\\\([0-9]{3}\\\\))?$\"}");

	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'id':'s','name':'S','parameterDescriptors':"
	    "[{'keyName':'a'},{'required':true}]}]", "[0].parameterDescriptors[1].keyName",
	    "missing");
	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'id':'s','name':'S','parameterDescriptors':"
	    "[{'keyName':'a','required':'maybe'}]}]", "[0].parameterDescriptors[0].required",
	    "\"maybe\"");
	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'id':'s','name':'S','parameterDescriptors':"
	    "[{'keyName':'a','required':1}]}]", "[0].parameterDescriptors[0].required",
	    "expected a boolean, got a number");
	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'id':'s','name':'S','parameterDescriptors':{}}]",
	    "[0].parameterDescriptors", "expected an array");
	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'id':'s','name':'S','schema':'x'}]", "[0].schema",
	    "expected an object, got a string");
	BAD(TSP_M_CONFIG_SOURCE_TYPES, "[{'name':'S'}]", "[0].id", "missing");
}
END_TEST

/* Raw copies are bounded: a hostile, deeply nested object is refused. */
START_TEST(raw_json_depth_bounded)
{
	struct strbuf sb = STRBUF_INIT;
	int i, rc;

	strbuf_addstr(&sb, "{\"id\":\"i\",\"name\":\"n\",\"sourceTypeId\":\"s\",\"parameters\":{\"a\":");
	for (i = 0; i < 600; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 600; i++)
		strbuf_addch(&sb, ']');
	strbuf_addstr(&sb, "}}");
	rc = tsp_model_parse(&m, TSP_M_CONFIGURATION, sb.buf, sb.len, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.kind, TSP_ERR_SCHEMA);
	ck_assert_msg(strstr(err.msg, "parameters: nested deeper than"), "%s", err.msg);
	assert_empty(__LINE__);
	strbuf_release(&sb);
	strbuf_init(&sb, 0);

	/* Beyond cJSON's own nesting limit it is not even JSON to us. */
	for (i = 0; i < 5000; i++)
		strbuf_addch(&sb, '[');
	rc = tsp_model_parse(&m, TSP_M_TRACES, sb.buf, sb.len, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	strbuf_release(&sb);
}
END_TEST

/* ---------- wrapped kinds ---------- */

START_TEST(tree)
{
	struct tsp_tree *t = &m.u.tree;
	struct tsp_tree_entry *e;

	OK(TSP_M_TREE, "{'model':{'autoExpandLevel':2,'entries':["
	   "{'id':1700000000123456789,'parentId':-1,'labels':['a','b'],'hasData':true,'style':null},"
	   "{'id':9223372036854775807,'labels':[],'isDefault':true,'hasData':null},"
	   "{'id':-9223372036854775808,'parentId':null,'labels':['x'],'style':{'parentKey':'k'},"
	   "'start':1700000000000000001,'end':1700000000999999999,"
	   "'metadata':{'pid':[1234,7777],'exec':['ls'],'f':[1.5],'none':[]}},"
	   "{'id':5,'parentId':1700000000123456789,'labels':['y'],'metadata':null,"
	   "'style':{'parentKey':null,'values':{'color':'#fff','h':2}}}],"
	   "'headers':[{'name':'Label','tooltip':''},{'name':'Range','tooltip':'t',"
	   "'dataType':'TIME_RANGE'},{'name':'NoTip'}],'extra':{'unknown':[1,2]}},"
	   "'status':'COMPLETED','statusMessage':'Completed','future':42}");
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_int_eq(t->auto_expand_level, 2);
	ck_assert_uint_eq(t->n_entries, 4);
	e = &t->entries[0];
	ck_i64(e->id, 1700000000123456789);
	ck_i64(e->parent_id, -1);
	ck_assert_uint_eq(e->n_labels, 2);
	ck_assert_str_eq(e->labels[0], "a");
	ck_assert_str_eq(e->labels[1], "b");
	ck_assert_int_eq(e->has_data, 1);
	ck_assert_int_eq(e->is_default, 0);
	ck_assert_int_eq(e->has_range, 0);
	ck_assert_ptr_null(e->style);
	ck_assert_uint_eq(e->n_metadata, 0);
	e = &t->entries[1];
	ck_i64(e->id, 9223372036854775807);
	ck_i64(e->parent_id, -1);              /* absent */
	ck_assert_uint_eq(e->n_labels, 0);
	ck_assert_int_eq(e->has_data, 0);
	ck_assert_int_eq(e->is_default, 1);
	ck_assert_ptr_null(e->style);          /* missing */
	e = &t->entries[2];
	ck_i64(e->id, -9223372036854775808);
	ck_i64(e->parent_id, -1);              /* null */
	ck_assert_int_eq(e->has_range, 1);
	ck_i64(e->start, 1700000000000000001);
	ck_i64(e->end, 1700000000999999999);
	/* parentKey without values */
	ck_assert_ptr_nonnull(e->style);
	ck_assert_str_eq(e->style->parent_key, "k");
	ck_assert_uint_eq(e->style->n_values, 0);
	ck_assert_uint_eq(e->n_metadata, 4);
	ck_assert_str_eq(e->metadata[0].key, "pid");
	ck_assert_uint_eq(e->metadata[0].n_values, 2);
	ck_assert_int_eq(e->metadata[0].values[1].is_number, 1);
	ck_assert_double_eq(e->metadata[0].values[1].num, 7777);
	ck_assert_int_eq(e->metadata[1].values[0].is_number, 0);
	ck_assert_str_eq(e->metadata[1].values[0].str, "ls");
	ck_assert_double_eq(e->metadata[2].values[0].num, 1.5);
	ck_assert_uint_eq(e->metadata[3].n_values, 0);
	e = &t->entries[3];
	ck_i64(e->parent_id, 1700000000123456789);
	ck_assert_ptr_null(e->style->parent_key);
	ck_assert_uint_eq(e->style->n_values, 2);
	ck_assert_str_eq(tsp_style_get(e->style, "color")->str, "#fff");
	ck_assert_double_eq(tsp_style_get(e->style, "h")->num, 2);

	ck_assert_uint_eq(t->n_headers, 3);
	ck_assert_str_eq(t->headers[0].name, "Label");
	ck_assert_str_eq(t->headers[0].tooltip, "");
	ck_assert_ptr_null(t->headers[0].data_type);
	ck_assert_str_eq(t->headers[1].data_type, "TIME_RANGE");
	ck_assert_str_eq(t->headers[2].tooltip, "");

	/* autoExpandLevel and headers may be absent. */
	OK(TSP_M_TREE, "{'model':{'entries':[]},'status':'COMPLETED','statusMessage':''}");
	ck_assert_int_eq(t->auto_expand_level, -1);
	ck_assert_uint_eq(t->n_headers, 0);
	ck_assert_uint_eq(t->n_entries, 0);
}
END_TEST

#define TREE(entries) "{'model':{'entries':[" entries "],'headers':[]},'status':'COMPLETED'}"

START_TEST(tree_strict)
{
	BAD(TSP_M_TREE, "{'model':{'entries':{}},'status':'COMPLETED'}", "model.entries",
	    "expected an array, got an object");
	BAD(TSP_M_TREE, "{'model':{'headers':[]},'status':'COMPLETED'}", "model.entries",
	    "required field is missing");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[1]}"), "model.entries[0].labels[0]",
	    "expected a string, got a number");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':['a',null]}"), "model.entries[0].labels[1]",
	    "expected a string, got null");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':'a'}"), "model.entries[0].labels",
	    "expected an array, got a string");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':['a']},{'labels':['b']}"), "model.entries[1].id",
	    "required field is missing");
	BAD(TSP_M_TREE, TREE("{'id':1}"), "model.entries[0].labels", "missing");
	BAD(TSP_M_TREE, TREE("{'id':'1','labels':[]}"), "model.entries[0].id",
	    "expected an integer, got a string");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'parentId':'0'}"), "model.entries[0].parentId",
	    "expected an integer");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'hasData':1}"), "model.entries[0].hasData",
	    "expected a boolean, got a number");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'start':5}"), "model.entries[0].end",
	    "missing");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'end':5}"), "model.entries[0].start",
	    "missing");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'start':1,'end':9876543210987654321}"),
	    "model.entries[0].end", "9876543210987654321 is out of int64 range");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'style':'red'}"), "model.entries[0].style",
	    "expected an object, got a string");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'style':{'values':[]}}"),
	    "model.entries[0].style.values", "expected an object, got an array");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'style':{'parentKey':3,'values':{}}}"),
	    "model.entries[0].style.parentKey", "expected a string");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'style':{'values':{'c':[1]}}}"),
	    "model.entries[0].style.values.c", "expected a string or a number, got an array");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'metadata':{'pid':[true]}}"),
	    "model.entries[0].metadata.pid[0]", "expected a string or a number, got a boolean");
	BAD(TSP_M_TREE, TREE("{'id':1,'labels':[],'metadata':{'pid':3}}"),
	    "model.entries[0].metadata.pid", "expected an array, got a number");
	BAD(TSP_M_TREE, "{'model':{'entries':[],'headers':[{'tooltip':''}]},'status':'COMPLETED'}",
	    "model.headers[0].name", "missing");
	BAD(TSP_M_TREE, "{'model':{'entries':[],'headers':{}},'status':'COMPLETED'}",
	    "model.headers", "expected an array");
	BAD(TSP_M_TREE, "{'model':{'entries':[],'autoExpandLevel':4294967296},'status':'COMPLETED'}",
	    "model.autoExpandLevel", "4294967296 is out of int32 range");
	BAD(TSP_M_TREE, "{'model':{'entries':[],'autoExpandLevel':'1'},'status':'COMPLETED'}",
	    "model.autoExpandLevel", "expected an integer");
}
END_TEST

START_TEST(xy)
{
	struct tsp_xy_series *s;

	OK(TSP_M_XY, "{'model':{'title':'Chart','series':[{'seriesId':111,'seriesName':'cpu',"
	   "'xValues':[1700000000123456789,9223372036854775807,-9223372036854775808,0],"
	   "'yValues':[1.25,-2,1e308,null],'style':{'parentKey':'p','values':{'series-type':'line',"
	   "'width':2,'opacity':0.5}}},"
	   "{'seriesId':9223372036854775807,'seriesName':'empty','xValues':[],'yValues':[]}]},"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_str_eq(m.u.xy.title, "Chart");
	ck_assert_uint_eq(m.u.xy.n_series, 2);
	s = &m.u.xy.series[0];
	ck_i64(s->id, 111);
	ck_assert_str_eq(s->name, "cpu");
	ck_assert_uint_eq(s->n_x, 4);
	ck_i64(s->x[0], 1700000000123456789);
	ck_i64(s->x[1], 9223372036854775807);
	ck_i64(s->x[2], -9223372036854775808);
	ck_i64(s->x[3], 0);
	ck_assert_uint_eq(s->n_y, 4);
	ck_assert_double_eq(s->y[0], 1.25);
	ck_assert_double_eq(s->y[1], -2);
	ck_assert_double_eq(s->y[2], 1e308);
	ck_assert(isnan(s->y[3]));
	ck_assert_str_eq(s->style->parent_key, "p");
	ck_assert_str_eq(tsp_style_get(s->style, "series-type")->str, "line");
	ck_assert_int_eq(tsp_style_get(s->style, "width")->is_number, 1);
	ck_assert_double_eq(tsp_style_get(s->style, "width")->num, 2);
	ck_assert_double_eq(tsp_style_get(s->style, "opacity")->num, 0.5);
	ck_assert_ptr_null(tsp_style_get(s->style, "nope"));
	ck_assert_ptr_null(s->x_categories);
	ck_assert_ptr_null(s->x_ranges);
	ck_assert_ptr_null(s->x_desc);
	ck_assert_ptr_null(s->y_desc);
	s = &m.u.xy.series[1];
	ck_i64(s->id, 9223372036854775807);
	ck_assert_uint_eq(s->n_x, 0);
	ck_assert_uint_eq(s->n_y, 0);
	ck_assert_ptr_null(s->style);

	/* Integral y values with many digits still read as doubles. */
	OK(TSP_M_XY, "{'model':{'title':'t','series':[{'seriesId':1,'seriesName':'n',"
	   "'yValues':[12345678901234567890123]}]},'status':'COMPLETED'}");
	ck_assert_double_eq_tol(m.u.xy.series[0].y[0], 1.2345678901234568e22, 1e7);
	ck_assert_ptr_null(m.u.xy.series[0].x);
}
END_TEST

START_TEST(xy_generic)
{
	struct tsp_xy_series *s;
	struct tsp_axis_description *ax;

	OK(TSP_M_XY, "{'model':{'title':'Density','series':[{'seriesId':3,'seriesName':'15652',"
	   "'xRanges':[{'start':0,'end':604229397},{'start':604229398,'end':9223372036854775807}],"
	   "'yValues':[3.0,1.0],'style':{'parentKey':null,'values':{'series-type':'bar'}},"
	   "'xValuesDescription':{'dataType':'DURATION','unit':'ns','axisDomain':{'type':'range',"
	   "'start':0,'end':3021146988},'label':'Execution Time'},"
	   "'yValuesDescription':{'dataType':'NUMBER','unit':'','axisDomain':null,'label':'N'}},"
	   "{'seriesId':4,'seriesName':'cat','xCategories':['red','blue'],'yValues':[1,2],"
	   "'xValuesDescription':{'dataType':'STRING','unit':'','label':'Colour',"
	   "'axisDomain':{'type':'categorical','categories':['red','blue']}}}]},"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	s = &m.u.xy.series[0];
	ck_assert_ptr_null(s->x);
	ck_assert_uint_eq(s->n_x_ranges, 2);
	ck_i64(s->x_ranges[0].start, 0);
	ck_i64(s->x_ranges[0].end, 604229397);
	ck_i64(s->x_ranges[1].start, 604229398);
	ck_i64(s->x_ranges[1].end, 9223372036854775807);
	ck_assert_ptr_null(s->style->parent_key);
	ck_assert_str_eq(tsp_style_get(s->style, "series-type")->str, "bar");
	ax = s->x_desc;
	ck_assert_ptr_nonnull(ax);
	ck_assert_str_eq(ax->data_type, "DURATION");
	ck_assert_str_eq(ax->unit, "ns");
	ck_assert_str_eq(ax->label, "Execution Time");
	ck_assert_str_eq(ax->domain_type, "range");
	ck_assert_int_eq(ax->has_domain_range, 1);
	ck_i64(ax->domain_start, 0);
	ck_i64(ax->domain_end, 3021146988);
	ck_assert_ptr_null(ax->domain_categories);
	ax = s->y_desc;
	ck_assert_str_eq(ax->data_type, "NUMBER");
	ck_assert_str_eq(ax->unit, "");
	ck_assert_ptr_null(ax->domain_type);
	ck_assert_int_eq(ax->has_domain_range, 0);

	s = &m.u.xy.series[1];
	ck_assert_uint_eq(s->n_x_categories, 2);
	ck_assert_str_eq(s->x_categories[0], "red");
	ck_assert_str_eq(s->x_categories[1], "blue");
	ck_assert_ptr_null(s->x_ranges);
	ck_assert_str_eq(s->x_desc->domain_type, "categorical");
	ck_assert_uint_eq(s->x_desc->n_domain_categories, 2);
	ck_assert_str_eq(s->x_desc->domain_categories[1], "blue");
	ck_assert_ptr_null(s->y_desc);
	ck_assert_ptr_null(s->style);
}
END_TEST

#define SERIES(body) "{'model':{'title':'t','series':[{'seriesId':1,'seriesName':'a'," \
	"'yValues':[1]},{" body "}]},'status':'COMPLETED'}"

START_TEST(xy_strict)
{
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1,2,9876543210987654321],"
			     "'yValues':[1,2,3]"),
	    "model.series[1].xValues[2]", "9876543210987654321 is out of int64 range");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1,2.5],'yValues':[1,2]"),
	    "model.series[1].xValues[1]", "2.5 is not an exact integer");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1,'2'],'yValues':[1,2]"),
	    "model.series[1].xValues[1]", "expected an integer, got a string");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1,2],'yValues':[1,'x']"),
	    "model.series[1].yValues[1]", "expected a number, got a string");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1,2,3],'yValues':[1,2]"),
	    "model.series[1].xValues", "3 elements, but yValues has 2");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xCategories':['a'],'yValues':[1,2]"),
	    "model.series[1].xCategories", "1 elements, but yValues has 2");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xCategories':['a',3],'yValues':[1,2]"),
	    "model.series[1].xCategories[1]", "expected a string");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xRanges':[{'start':1}],'yValues':[1]"),
	    "model.series[1].xRanges[0].end", "missing");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xRanges':[[1,2]],'yValues':[1]"),
	    "model.series[1].xRanges[0]", "expected an object, got an array");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xRanges':[],'yValues':[1]"),
	    "model.series[1].xRanges", "0 elements, but yValues has 1");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'xValues':[],'yValues':[]"),
	    "model.series[1].seriesName", "missing");
	BAD(TSP_M_XY, SERIES("'seriesName':'b','yValues':[]"), "model.series[1].seriesId",
	    "missing");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[]"),
	    "model.series[1].yValues", "missing");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','yValues':{}"),
	    "model.series[1].yValues", "expected an array, got an object");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','yValues':[],'xValuesDescription':"
			     "{'label':1}"), "model.series[1].xValuesDescription.label",
	    "expected a string");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','yValues':[],'yValuesDescription':"
			     "{'axisDomain':{'type':'range','start':0,'end':'9'}}"),
	    "model.series[1].yValuesDescription.axisDomain.end", "expected an integer");
	BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','yValues':[],'yValuesDescription':"
			     "{'axisDomain':{'start':0,'end':9}}"),
	    "model.series[1].yValuesDescription.axisDomain.type", "missing");
	BAD(TSP_M_XY, "{'model':{'series':[]},'status':'COMPLETED'}", "model.title", "missing");
	BAD(TSP_M_XY, "{'model':{'title':'t'},'status':'COMPLETED'}", "model.series", "missing");
	BAD(TSP_M_XY, "{'model':{'title':'t','series':[1]},'status':'COMPLETED'}",
	    "model.series[0]", "expected an object, got a number");
}
END_TEST

START_TEST(tg_states)
{
	struct tsp_tg_row *r;

	OK(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1234,'states':["
	   "{'start':1111111111111111111,'end':1111111111111111112},"
	   "{'start':2222222222222222222,'end':2222222222222222223,'style':{'parentKey':'Style key',"
	   "'values':{}},'label':'run','tags':8},"
	   "{'start':3,'end':4,'style':{'parentKey':'k','values':{'background-color':'#646464',"
	   "'height':0.33,'n':-7}},'label':null,'tags':null},"
	   "{'start':5,'end':6,'style':null}]},"
	   "{'entryId':-9223372036854775808,'states':[]}]},'status':'COMPLETED','statusMessage':''}");
	ck_assert_uint_eq(m.u.states.n_rows, 2);
	r = &m.u.states.rows[0];
	ck_i64(r->entry_id, 1234);
	ck_assert_uint_eq(r->n_states, 4);
	ck_i64(r->states[0].start, 1111111111111111111);
	ck_i64(r->states[0].end, 1111111111111111112);
	ck_assert_ptr_null(r->states[0].style);
	ck_assert_ptr_null(r->states[0].label);
	ck_assert_int_eq(r->states[0].tags, 0);
	ck_i64(r->states[1].start, 2222222222222222222);
	ck_assert_str_eq(r->states[1].label, "run");
	ck_assert_int_eq(r->states[1].tags, 8);
	ck_assert_str_eq(r->states[1].style->parent_key, "Style key");
	ck_assert_uint_eq(r->states[1].style->n_values, 0);
	ck_assert_ptr_null(tsp_style_get(r->states[1].style, "background-color"));
	ck_assert_str_eq(tsp_style_get(r->states[2].style, "background-color")->str, "#646464");
	ck_assert_int_eq(tsp_style_get(r->states[2].style, "background-color")->is_number, 0);
	ck_assert_double_eq(tsp_style_get(r->states[2].style, "height")->num, 0.33);
	ck_assert_double_eq(tsp_style_get(r->states[2].style, "n")->num, -7);
	ck_assert_ptr_null(r->states[2].label);
	ck_assert_ptr_null(r->states[3].style);
	r = &m.u.states.rows[1];
	ck_i64(r->entry_id, -9223372036854775808);
	ck_assert_uint_eq(r->n_states, 0);

	BAD(TSP_M_TG_STATES, "{'model':{},'status':'COMPLETED'}", "model.rows", "missing");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'states':[]}]},'status':'COMPLETED'}",
	    "model.rows[0].entryId", "missing");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1}]},'status':'COMPLETED'}",
	    "model.rows[0].states", "missing");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2},"
	    "{'start':1}]}]},'status':'COMPLETED'}", "model.rows[0].states[1].end", "missing");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1,'states':[{'start':'abc','end':2}]}]},"
	    "'status':'COMPLETED'}", "model.rows[0].states[0].start",
	    "expected an integer, got a string");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,"
	    "'tags':2147483648}]}]},'status':'COMPLETED'}", "model.rows[0].states[0].tags",
	    "2147483648 is out of int32 range");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,"
	    "'label':5}]}]},'status':'COMPLETED'}", "model.rows[0].states[0].label",
	    "expected a string, got a number");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,"
	    "'style':{'values':{'a':true}}}]}]},'status':'COMPLETED'}",
	    "model.rows[0].states[0].style.values.a", "expected a string or a number, got a boolean");
	BAD(TSP_M_TG_STATES, "{'model':{'rows':{}},'status':'COMPLETED'}", "model.rows",
	    "expected an array");
}
END_TEST

START_TEST(tg_arrows)
{
	struct tsp_tg_arrow *a;

	OK(TSP_M_TG_ARROWS, "{'model':[{'start':1111111111111111111,'end':2222222222222222222,"
	   "'sourceId':1111,'targetId':2222,'style':{'parentKey':'Style key','values':{}}},"
	   "{'start':1,'end':2,'sourceId':-1,'targetId':9223372036854775807}],"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_uint_eq(m.u.arrows.n, 2);
	a = &m.u.arrows.items[0];
	ck_i64(a->start, 1111111111111111111);
	ck_i64(a->end, 2222222222222222222);
	ck_i64(a->source_id, 1111);
	ck_i64(a->target_id, 2222);
	ck_assert_str_eq(a->style->parent_key, "Style key");
	a = &m.u.arrows.items[1];
	ck_i64(a->source_id, -1);
	ck_i64(a->target_id, 9223372036854775807);
	ck_assert_ptr_null(a->style);

	BAD(TSP_M_TG_ARROWS, "{'model':[{'start':1,'end':2,'sourceId':1}],'status':'COMPLETED'}",
	    "model[0].targetId", "missing");
	BAD(TSP_M_TG_ARROWS, "{'model':[{'start':1,'end':2,'sourceId':1,'targetId':[]}],"
	    "'status':'COMPLETED'}", "model[0].targetId", "expected an integer, got an array");
}
END_TEST

START_TEST(tooltip)
{
	OK(TSP_M_TOOLTIP, "{'model':{'key':'value','Start':'1.000 s','empty':null},"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_uint_eq(m.u.tooltip.n, 3);
	ck_assert_str_eq(m.u.tooltip.items[0].key, "key");
	ck_assert_str_eq(m.u.tooltip.items[0].value, "value");
	ck_assert_str_eq(m.u.tooltip.items[1].value, "1.000 s");
	ck_assert_str_eq(m.u.tooltip.items[2].value, "");
	OK(TSP_M_TOOLTIP, "{'model':{},'status':'COMPLETED'}");
	ck_assert_uint_eq(m.u.tooltip.n, 0);

	BAD(TSP_M_TOOLTIP, "{'model':{'cpu':3},'status':'COMPLETED'}", "model.cpu",
	    "expected a string, got a number");
	BAD(TSP_M_TOOLTIP, "{'model':{'Some key':{}},'status':'COMPLETED'}",
	    "model[\"Some key\"]", "expected a string, got an object");
	BAD(TSP_M_TOOLTIP, "{'model':['a'],'status':'COMPLETED'}", "model",
	    "expected an object, got an array");
}
END_TEST

START_TEST(table_columns)
{
	struct tsp_table_column *c;

	OK(TSP_M_TABLE_COLUMNS, "{'model':[{'name':'Trace','id':0,'type':null,'description':null},"
	   "{'name':'Timestamp','id':1700000000123456789,'type':'TIMESTAMP','description':'ts'},"
	   "{'name':'Content','id':2}],'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_uint_eq(m.u.columns.n, 3);
	c = m.u.columns.items;
	ck_assert_str_eq(c[0].name, "Trace");
	ck_i64(c[0].id, 0);
	ck_assert_ptr_null(c[0].type);
	ck_assert_ptr_null(c[0].description);
	ck_i64(c[1].id, 1700000000123456789);
	ck_assert_str_eq(c[1].type, "TIMESTAMP");
	ck_assert_str_eq(c[1].description, "ts");
	ck_assert_ptr_null(c[2].type);

	BAD(TSP_M_TABLE_COLUMNS, "{'model':[{'name':'Trace'}],'status':'COMPLETED'}",
	    "model[0].id", "missing");
	BAD(TSP_M_TABLE_COLUMNS, "{'model':[{'id':0}],'status':'COMPLETED'}",
	    "model[0].name", "missing");
	BAD(TSP_M_TABLE_COLUMNS, "{'model':[{'id':0,'name':'a','type':1}],'status':'COMPLETED'}",
	    "model[0].type", "expected a string, got a number");
}
END_TEST

START_TEST(table_lines)
{
	struct tsp_table_lines *t = &m.u.lines;

	OK(TSP_M_TABLE_LINES, "{'model':{'size':9223372036854775807,'lowIndex':1700000000123456789,"
	   "'columnIds':[0,1,9223372036854775807],'lines':[{'index':1700000000123456789,'tags':4,"
	   "'cells':[{'content':'kernel','tags':8},{'content':''}]},{'index':1,'cells':[]}]},"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_i64(t->size, 9223372036854775807);
	ck_i64(t->low_index, 1700000000123456789);
	ck_assert_uint_eq(t->n_column_ids, 3);
	ck_i64(t->column_ids[2], 9223372036854775807);
	ck_assert_uint_eq(t->n_lines, 2);
	ck_i64(t->lines[0].index, 1700000000123456789);
	ck_assert_int_eq(t->lines[0].tags, 4);
	ck_assert_uint_eq(t->lines[0].n_cells, 2);
	ck_assert_str_eq(t->lines[0].cells[0].content, "kernel");
	ck_assert_int_eq(t->lines[0].cells[0].tags, 8);
	ck_assert_str_eq(t->lines[0].cells[1].content, "");
	ck_assert_int_eq(t->lines[0].cells[1].tags, 0);
	ck_assert_int_eq(t->lines[1].tags, 0);
	ck_assert_uint_eq(t->lines[1].n_cells, 0);

	BAD(TSP_M_TABLE_LINES, "{'model':{'size':1,'lowIndex':0,'columnIds':[0],'lines':[{'index':0,"
	    "'cells':[{'content':'a'}]},{'index':1,'cells':[{}]}]},'status':'COMPLETED'}",
	    "model.lines[1].cells[0].content", "missing");
	BAD(TSP_M_TABLE_LINES, "{'model':{'size':1,'lowIndex':0,'columnIds':[0,'1'],'lines':[]},"
	    "'status':'COMPLETED'}", "model.columnIds[1]", "expected an integer, got a string");
	BAD(TSP_M_TABLE_LINES, "{'model':{'lowIndex':0,'columnIds':[],'lines':[]},"
	    "'status':'COMPLETED'}", "model.size", "missing");
	BAD(TSP_M_TABLE_LINES, "{'model':{'size':0,'lowIndex':0,'columnIds':[]},"
	    "'status':'COMPLETED'}", "model.lines", "missing");
	BAD(TSP_M_TABLE_LINES, "{'model':{'size':0,'lowIndex':0,'columnIds':[],'lines':[{'cells':[]}]},"
	    "'status':'COMPLETED'}", "model.lines[0].index", "missing");
	BAD(TSP_M_TABLE_LINES, "{'model':{'size':0,'lowIndex':0,'columnIds':[],'lines':[{'index':0}]},"
	    "'status':'COMPLETED'}", "model.lines[0].cells", "missing");
	BAD(TSP_M_TABLE_LINES, "{'model':{'size':0,'lowIndex':0,'columnIds':[],'lines':[{'index':0,"
	    "'cells':[{'content':1}]}]},'status':'COMPLETED'}", "model.lines[0].cells[0].content",
	    "expected a string, got a number");
}
END_TEST

START_TEST(styles)
{
	struct tsp_styles *s = &m.u.styles;

	OK(TSP_M_STYLES, "{'model':{'styles':{'Style key':{'parentKey':null,'values':{"
	   "'style-name':'Style name','height':0.33,'opacity':1.0,'count':3}},"
	   "'child':{'parentKey':'Style key'},'nullstyle':null}},'status':'COMPLETED'}");
	ck_assert_uint_eq(s->n, 3);
	ck_assert_str_eq(s->items[0].key, "Style key");
	ck_assert_ptr_null(s->items[0].style.parent_key);
	ck_assert_uint_eq(s->items[0].style.n_values, 4);
	ck_assert_str_eq(tsp_style_get(&s->items[0].style, "style-name")->str, "Style name");
	ck_assert_double_eq(tsp_style_get(&s->items[0].style, "height")->num, 0.33);
	ck_assert_double_eq(tsp_style_get(&s->items[0].style, "opacity")->num, 1.0);
	ck_assert_double_eq(tsp_style_get(&s->items[0].style, "count")->num, 3);
	ck_assert_str_eq(s->items[1].style.parent_key, "Style key");
	ck_assert_uint_eq(s->items[1].style.n_values, 0);
	ck_assert_str_eq(s->items[2].key, "nullstyle");
	ck_assert_uint_eq(s->items[2].style.n_values, 0);

	BAD(TSP_M_STYLES, "{'model':{},'status':'COMPLETED'}", "model.styles", "missing");
	BAD(TSP_M_STYLES, "{'model':{'styles':[]},'status':'COMPLETED'}", "model.styles",
	    "expected an object, got an array");
	BAD(TSP_M_STYLES, "{'model':{'styles':{'k':{'values':{'v':null}}}},'status':'COMPLETED'}",
	    "model.styles.k.values.v", "expected a string or a number, got null");
	BAD(TSP_M_STYLES, "{'model':{'styles':{'A b':1}},'status':'COMPLETED'}",
	    "model.styles[\"A b\"]", "expected an object, got a number");
}
END_TEST

START_TEST(annotation_categories)
{
	OK(TSP_M_ANNOTATION_CATEGORIES, "{'model':{'annotationCategories':['A','B c']},"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_uint_eq(m.u.categories.n, 2);
	ck_assert_str_eq(m.u.categories.items[1], "B c");

	BAD(TSP_M_ANNOTATION_CATEGORIES, "{'model':{'annotationCategories':[1]},'status':'COMPLETED'}",
	    "model.annotationCategories[0]", "expected a string, got a number");
	BAD(TSP_M_ANNOTATION_CATEGORIES, "{'model':{},'status':'COMPLETED'}",
	    "model.annotationCategories", "missing");
}
END_TEST

START_TEST(annotations)
{
	struct tsp_annotation *a;

	OK(TSP_M_ANNOTATIONS, "{'model':{'annotations':{'Annotation category':[{"
	   "'time':1111111111111111111,'duration':1111111,'entryId':-1,'type':'CHART',"
	   "'label':'label','style':{'parentKey':'Style key','values':{'color':'#FF0000',"
	   "'opacity':0.2}}},{'time':9223372036854775807,'duration':0,'entryId':5,'type':'TREE'}],"
	   "'empty':[]}},'status':'RUNNING','statusMessage':'Running'}");
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_uint_eq(m.u.annotations.n, 2);
	ck_assert_str_eq(m.u.annotations.categories[0].name, "Annotation category");
	ck_assert_uint_eq(m.u.annotations.categories[0].n, 2);
	a = &m.u.annotations.categories[0].items[0];
	ck_i64(a->time, 1111111111111111111);
	ck_i64(a->duration, 1111111);
	ck_i64(a->entry_id, -1);
	ck_assert_str_eq(a->type, "CHART");
	ck_assert_str_eq(a->label, "label");
	ck_assert_str_eq(tsp_style_get(a->style, "color")->str, "#FF0000");
	ck_assert_double_eq(tsp_style_get(a->style, "opacity")->num, 0.2);
	a = &m.u.annotations.categories[0].items[1];
	ck_i64(a->time, 9223372036854775807);
	ck_assert_ptr_null(a->label);
	ck_assert_ptr_null(a->style);
	ck_assert_uint_eq(m.u.annotations.categories[1].n, 0);

	/* AnnotationModel has no required field. */
	OK(TSP_M_ANNOTATIONS, "{'model':{},'status':'COMPLETED'}");
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_uint_eq(m.u.annotations.n, 0);

	BAD(TSP_M_ANNOTATIONS, "{'model':{'annotations':{'Annotation category':[{'time':1,"
	    "'duration':2,'entryId':3,'type':'CHART'},{'duration':2,'entryId':3,'type':'CHART'}]}},"
	    "'status':'COMPLETED'}", "model.annotations[\"Annotation category\"][1].time", "missing");
	BAD(TSP_M_ANNOTATIONS, "{'model':{'annotations':{'cat':[{'time':1,'duration':2,'entryId':3,"
	    "'type':'CHART','style':{'values':{'w':[]}}}]}},'status':'COMPLETED'}",
	    "model.annotations.cat[0].style.values.w", "got an array");
	BAD(TSP_M_ANNOTATIONS, "{'model':{'annotations':{'cat':{}}},'status':'COMPLETED'}",
	    "model.annotations.cat", "expected an array, got an object");
	BAD(TSP_M_ANNOTATIONS, "{'model':{'annotations':[]},'status':'COMPLETED'}",
	    "model.annotations", "expected an object, got an array");
	BAD(TSP_M_ANNOTATIONS, "{'model':{'annotations':{'cat':[{'time':1,'duration':2,"
	    "'entryId':9876543210987654321,'type':'CHART'}]}},'status':'COMPLETED'}",
	    "model.annotations.cat[0].entryId", "9876543210987654321 is out of int64 range");
}
END_TEST

START_TEST(marker_sets)
{
	OK(TSP_M_MARKER_SETS, "{'model':[{'name':'Marker Set name','id':'marker.set.id'}],"
	   "'status':'COMPLETED','statusMessage':'Completed'}");
	ck_assert_uint_eq(m.u.marker_sets.n, 1);
	ck_assert_str_eq(m.u.marker_sets.items[0].id, "marker.set.id");
	ck_assert_str_eq(m.u.marker_sets.items[0].name, "Marker Set name");
	BAD(TSP_M_MARKER_SETS, "{'model':[{'name':'n'}],'status':'COMPLETED'}", "model[0].id",
	    "missing");
}
END_TEST

/* ---------- lifetime ---------- */

START_TEST(release_and_reuse)
{
	int i;

	/* Release without a parse, twice, is harmless. */
	tsp_model_release(&m);
	tsp_model_release(&m);
	ck_assert_str_eq(m.status_message, "");

	OK(TSP_M_HEALTH, "{'status':'UP'}");
	ck_assert_ptr_nonnull(m.arena.head);
	/* A new parse replaces the old model. */
	OK(TSP_M_MARKER_SETS, "{'model':[{'name':'n','id':'i'}],'status':'COMPLETED'}");
	ck_assert_int_eq(m.kind, TSP_M_MARKER_SETS);
	ck_assert_str_eq(m.u.marker_sets.items[0].id, "i");
	/* A failed parse leaves nothing of the previous model. */
	BAD(TSP_M_MARKER_SETS, "{'model':[{'name':'n'}],'status':'COMPLETED'}", "model[0].id",
	    "missing");
	ck_assert_str_eq(m.status_message, "");
	/* And it is usable again right after. */
	OK(TSP_M_TRACE, TRACE_JSON("5", "6", ""));
	ck_i64(m.u.trace.end, 6);
	tsp_model_release(&m);
	ck_assert_ptr_null(m.arena.head);
	ck_assert_int_eq(m.has_model, 0);

	/* Many rounds in one model: valgrind sees any leak here. */
	for (i = 0; i < 200; i++) {
		if (i % 3 == 2)
			BAD(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1],'yValues':[]"),
			    "model.series[1].xValues", "1 elements");
		else
			OK(TSP_M_XY, SERIES("'seriesId':2,'seriesName':'b','xValues':[1],'yValues':[2]"));
	}
}
END_TEST

START_TEST(parse_json_entry)
{
	char e[64];
	cJSON *root = json_parse_exact("{\"status\":\"UP\"}", 15, e, sizeof(e));

	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(tsp_model_parse_json(&m, TSP_M_HEALTH, root, &err), 0);
	cJSON_Delete(root);
	/* The model owns its strings: the tree is gone, the value stays. */
	ck_assert_str_eq(m.u.health.status, "UP");

	ck_assert_int_eq(tsp_model_parse_json(&m, TSP_M_HEALTH, NULL, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_empty(__LINE__);

	/* A kind outside the enum is our bug, reported as such. */
	ck_assert_int_eq(tsp_model_parse(&m, (enum tsp_model_kind)999, "{}", 2, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_empty(__LINE__);

	/* err may be NULL. */
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, "{}", 2, NULL), -1);
	ck_assert_int_eq(tsp_model_parse(&m, TSP_M_HEALTH, "{\"status\":\"UP\"}", 15, NULL), 0);
}
END_TEST

START_TEST(names)
{
	static const enum tsp_model_kind wrapped[] = {
		TSP_M_TREE, TSP_M_XY, TSP_M_TG_STATES, TSP_M_TG_ARROWS, TSP_M_TOOLTIP,
		TSP_M_TABLE_COLUMNS, TSP_M_TABLE_LINES, TSP_M_STYLES,
		TSP_M_ANNOTATION_CATEGORIES, TSP_M_ANNOTATIONS, TSP_M_MARKER_SETS,
	};
	static const enum tsp_model_kind bare[] = {
		TSP_M_HEALTH, TSP_M_IDENTIFIER, TSP_M_TRACES, TSP_M_TRACE, TSP_M_EXPERIMENTS,
		TSP_M_EXPERIMENT, TSP_M_OUTPUTS, TSP_M_OUTPUT, TSP_M_CONFIGURATION,
		TSP_M_CONFIGURATIONS, TSP_M_CONFIG_SOURCE_TYPES,
	};
	size_t i;
	int t;

	for (i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++) {
		ck_assert_int_eq(tsp_model_kind_wrapped(wrapped[i]), 1);
		ck_assert_str_ne(tsp_model_kind_name(wrapped[i]), "unknown");
	}
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		ck_assert_int_eq(tsp_model_kind_wrapped(bare[i]), 0);
		ck_assert_str_ne(tsp_model_kind_name(bare[i]), "unknown");
	}
	ck_assert_str_eq(tsp_model_kind_name((enum tsp_model_kind)999), "unknown");
	ck_assert_int_eq(tsp_model_kind_wrapped((enum tsp_model_kind)999), 0);

	ck_assert_str_eq(tsp_status_name(TSP_STATUS_RUNNING), "RUNNING");
	ck_assert_str_eq(tsp_status_name(TSP_STATUS_COMPLETED), "COMPLETED");
	ck_assert_str_eq(tsp_status_name(TSP_STATUS_FAILED), "FAILED");
	ck_assert_str_eq(tsp_status_name(TSP_STATUS_CANCELLED), "CANCELLED");
	ck_assert_str_eq(tsp_status_name(TSP_STATUS_UNKNOWN), "UNKNOWN");
	ck_assert_str_eq(tsp_status_name((enum tsp_status)99), "UNKNOWN");

	for (t = TSP_OUTPUT_TABLE; t <= TSP_OUTPUT_TREE_GENERIC_XY; t++)
		ck_assert_int_eq(tsp_output_type_parse(tsp_output_type_name(t)), t);
	ck_assert_str_eq(tsp_output_type_name(TSP_OUTPUT_TREE_TIME_XY), "TREE_TIME_XY");
	ck_assert_str_eq(tsp_output_type_name(TSP_OUTPUT_UNKNOWN), "UNKNOWN");
	ck_assert_str_eq(tsp_output_type_name((enum tsp_output_type)99), "UNKNOWN");
	ck_assert_int_eq(tsp_output_type_parse("UNKNOWN"), TSP_OUTPUT_UNKNOWN);
	ck_assert_int_eq(tsp_output_type_parse("table"), TSP_OUTPUT_UNKNOWN);
	ck_assert_int_eq(tsp_output_type_parse(""), TSP_OUTPUT_UNKNOWN);
	ck_assert_int_eq(tsp_output_type_parse(NULL), TSP_OUTPUT_UNKNOWN);

	ck_assert_ptr_null(tsp_style_get(NULL, "a"));
}
END_TEST

/* A big answer parses in one go; also a coarse speed sanity check. */
/*
 * Styles are found through an index: every one of 50k styles in a few
 * probes (a scan would compare 25k keys on average), the first of two equal
 * keys as a scan would, and a state's colour through a long parent chain.
 */
START_TEST(styles_index)
{
	struct strbuf sb = STRBUF_INIT;
	const struct tsp_styles *ss;
	const struct tsp_style *s;
	size_t i, n = 50000, probes, total = 0, worst = 0;
	char key[32];
	int rc;

	strbuf_addstr(&sb, "{\"model\":{\"styles\":{");
	for (i = 0; i < n; i++) {
		if (i)
			snprintf(key, sizeof(key), "\"S%zu\"", i - 1);
		strbuf_addf(&sb, "%s\"S%zu\":{\"parentKey\":%s,\"values\":{\"background-color\":\"#%06zx\"}}",
			    i ? "," : "", i, i ? key : "null", i);
	}
	/* JSON allows a repeated key; the first is the one a scan finds. */
	strbuf_addstr(&sb, ",\"S7\":{\"values\":{\"background-color\":\"#ffffff\"}}");
	strbuf_addstr(&sb, "}},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}");
	rc = tsp_model_parse(&m, TSP_M_STYLES, sb.buf, sb.len, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ss = &m.u.styles;
	ck_assert_uint_eq(ss->n, n + 1);
	ck_assert_uint_ge(ss->n_slots, 2 * ss->n);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "S%zu", i);
		s = tsp_styles_find(ss, key, &probes);
		ck_assert_ptr_eq(s, &ss->items[i].style);
		total += probes;
		if (probes > worst)
			worst = probes;
	}
	ck_assert_msg(total <= 3 * n && worst <= 64, "%zu probes in all, %zu at worst", total, worst);
	ck_assert_ptr_eq(tsp_styles_find(ss, "S7", NULL), &ss->items[7].style);
	ck_assert_ptr_null(tsp_styles_find(ss, "nope", &probes));
	ck_assert_uint_le(probes, 64);
	ck_assert_ptr_null(tsp_styles_find(ss, NULL, NULL));
	/* Without the index (a model built by hand) the scan gives the same answers. */
	{
		struct tsp_styles bare = *ss;

		bare.n_slots = 0;
		ck_assert_ptr_eq(tsp_styles_find(&bare, "S7", &probes), &ss->items[7].style);
		ck_assert_uint_eq(probes, 8);
	}
	strbuf_release(&sb);
}
END_TEST

/* n one-digit numbers as an unread member, then a comma. */
static void junk(struct strbuf *sb, size_t n)
{
	size_t i;

	strbuf_addstr(sb, "\"serverExtra\":[");
	for (i = 0; i < n; i++)
		strbuf_addstr(sb, i ? ",1" : "1");
	strbuf_addstr(sb, "],");
}

/*
 * Members the readers do not read are skipped wherever they are: the model
 * is the same with or without them, and a tree budget far below what they
 * would cost as nodes still reads the answer. An answer whose read members
 * alone outgrow the budget is refused as too large, not read.
 */
START_TEST(unread_members_and_tree_budget)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct tsp_model plain;
	struct tsp_error e2;
	size_t i, n = 100000;
	int rc;

	strbuf_addstr(&a, "{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"s\","
		      "\"xValues\":[1700000000000000001,1700000000000000002],\"yValues\":[1.5,2.25]}]},"
		      "\"status\":\"COMPLETED\",\"statusMessage\":\"\"}");
	strbuf_addch(&b, '{');
	junk(&b, n);
	strbuf_addstr(&b, "\"model\":{");
	junk(&b, n);
	strbuf_addstr(&b, "\"title\":\"t\",\"series\":[{");
	junk(&b, n);
	strbuf_addstr(&b, "\"seriesId\":1,\"seriesName\":\"s\",\"xValues\":[1700000000000000001,"
		      "1700000000000000002],\"yValues\":[1.5,2.25]}]},\"status\":\"COMPLETED\","
		      "\"statusMessage\":\"\"}");
	tsp_model_init(&plain);
	ck_assert_int_eq(tsp_model_parse(&plain, TSP_M_XY, a.buf, a.len, &e2), 0);
	/* 300k unread numbers would be 19 MB of nodes: 1 MiB is plenty without them. */
	rc = tsp_model_parse_max(&m, TSP_M_XY, b.buf, b.len, (size_t)1 << 20, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_uint_eq(m.u.xy.n_series, 1);
	ck_assert_str_eq(m.u.xy.series[0].name, plain.u.xy.series[0].name);
	ck_assert_uint_eq(m.u.xy.series[0].n_x, 2);
	for (i = 0; i < 2; i++) {
		ck_assert(m.u.xy.series[0].x[i] == plain.u.xy.series[0].x[i]);
		ck_assert(m.u.xy.series[0].y[i] == plain.u.xy.series[0].y[i]);
	}
	tsp_model_release(&plain);

	/* A tree of 20k read entries needs more than 1 MiB of nodes. */
	strbuf_reset(&b);
	strbuf_addstr(&b, "{\"model\":{\"entries\":[");
	for (i = 0; i < 20000; i++)
		strbuf_addf(&b, "%s{\"id\":%zu,\"parentId\":-1,\"labels\":[\"t%zu\"],\"hasData\":true}",
			    i ? "," : "", i, i);
	strbuf_addstr(&b, "],\"headers\":[]},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}");
	rc = tsp_model_parse_max(&m, TSP_M_TREE, b.buf, b.len, (size_t)1 << 20, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.kind, TSP_ERR_TOO_LARGE);
	ck_assert_msg(strstr(err.msg, "too large to read"), "%s", err.msg);
	ck_assert_int_eq(tsp_model_parse_max(&m, TSP_M_TREE, b.buf, b.len, 0, &err), 0);
	ck_assert_uint_eq(m.u.tree.n_entries, 20000);
	strbuf_release(&a);
	strbuf_release(&b);
}
END_TEST

START_TEST(large_states)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = 200000;
	int rc;

	strbuf_addstr(&sb, "{\"model\":{\"rows\":[{\"entryId\":1,\"states\":[");
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s{\"start\":%zu,\"end\":%zu,\"label\":\"s\"}",
			    i ? "," : "", (size_t)1700000000000000000u + 2 * i,
			    (size_t)1700000000000000001u + 2 * i);
	strbuf_addstr(&sb, "]}]},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}");
	rc = tsp_model_parse(&m, TSP_M_TG_STATES, sb.buf, sb.len, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_uint_eq(m.u.states.rows[0].n_states, n);
	ck_i64(m.u.states.rows[0].states[n - 1].end, 1700000000000399999);
	strbuf_release(&sb);
}
END_TEST

Suite *tsp_model_suite(void)
{
	Suite *s = suite_create("tsp_model");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, envelope_status_values);
	tcase_add_test(tc, envelope_failed_with_bad_model);
	tcase_add_test(tc, envelope_running_without_model);
	tcase_add_test(tc, envelope_strict);
	tcase_add_test(tc, bad_json);
	tcase_add_test(tc, unknown_fields_ignored);
	tcase_add_test(tc, duplicate_keys_first_wins);
	tcase_add_test(tc, health);
	tcase_add_test(tc, identifier);
	tcase_add_test(tc, trace);
	tcase_add_test(tc, traces_array);
	tcase_add_test(tc, experiment);
	tcase_add_test(tc, outputs);
	tcase_add_test(tc, configurations);
	tcase_add_test(tc, config_source_types);
	tcase_add_test(tc, raw_json_depth_bounded);
	tcase_add_test(tc, tree);
	tcase_add_test(tc, tree_strict);
	tcase_add_test(tc, xy);
	tcase_add_test(tc, xy_generic);
	tcase_add_test(tc, xy_strict);
	tcase_add_test(tc, tg_states);
	tcase_add_test(tc, tg_arrows);
	tcase_add_test(tc, tooltip);
	tcase_add_test(tc, table_columns);
	tcase_add_test(tc, table_lines);
	tcase_add_test(tc, styles);
	tcase_add_test(tc, annotation_categories);
	tcase_add_test(tc, annotations);
	tcase_add_test(tc, marker_sets);
	tcase_add_test(tc, release_and_reuse);
	tcase_add_test(tc, parse_json_entry);
	tcase_add_test(tc, names);
	tcase_add_test(tc, large_states);
	tcase_add_test(tc, styles_index);
	tcase_add_test(tc, unread_members_and_tree_budget);
	suite_add_tcase(s, tc);
	return s;
}
