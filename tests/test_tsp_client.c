/*
 * The TSP client: pure query/error helpers, then the transport against a
 * fake upstream (libmicrohttpd in this process) with one canned behaviour
 * per path, then (when tspsim is there) every typed call against tspsim.
 */
#include <arpa/inet.h>
#include <check.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"
#include "monotime.h"
#include "tsp_client.h"
#include "upstream.h"

/* ---- helpers ---- */

static cJSON *parse_json(const char *text)
{
	char msg[128];
	cJSON *j = json_parse_exact(text, strlen(text), msg, sizeof(msg));

	ck_assert_msg(j != NULL, "not JSON (%s): %s", msg, text);
	return j;
}

static const cJSON *jget(const cJSON *o, const char *a, const char *b, const char *c)
{
	o = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	if (c)
		o = cJSON_GetObjectItemCaseSensitive(o, c);
	return o;
}

static int64_t jint(const cJSON *o)
{
	int64_t v = 0;

	ck_assert_msg(o != NULL, "missing number");
	ck_assert_int_eq(json_get_int64(o, &v), JSON_OK);
	return v;
}

#define assert_msg_has(err, s) \
	ck_assert_msg(strstr((err)->msg, (s)) != NULL, "'%s' not in '%s'", (s), (err)->msg)

/* ---- tsp_query_to_json ---- */

START_TEST(query_range_items_exact_int64)
{
	const int64_t items[] = { 1, INT64_C(1700000000123456789), -1, INT64_MAX };
	struct tsp_query q = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct tsp_error err;
	const cJSON *p, *arr;
	cJSON *j;

	q.has_range = 1;
	q.start = INT64_C(1700000000123456789);
	q.end = INT64_C(1700000000987654321);
	q.nb_times = 1920;
	q.has_items = 1;
	q.items = items;
	q.n_items = 4;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	ck_assert_str_eq(strbuf_str(&sb),
			 "{\"parameters\":{\"requested_timerange\":{\"start\":1700000000123456789,"
			 "\"end\":1700000000987654321,\"nbTimes\":1920},\"requested_items\":"
			 "[1,1700000000123456789,-1,9223372036854775807]}}");
	j = parse_json(strbuf_str(&sb));
	p = jget(j, "parameters", NULL, NULL);
	ck_assert(jint(jget(p, "requested_timerange", "start", NULL)) == INT64_C(1700000000123456789));
	ck_assert(jint(jget(p, "requested_timerange", "end", NULL)) == INT64_C(1700000000987654321));
	ck_assert(jint(jget(p, "requested_timerange", "nbTimes", NULL)) == 1920);
	arr = jget(p, "requested_items", NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 4);
	ck_assert(jint(cJSON_GetArrayItem(arr, 1)) == INT64_C(1700000000123456789));
	ck_assert(jint(cJSON_GetArrayItem(arr, 3)) == INT64_MAX);
	cJSON_Delete(j);

	/* nbTimes 0 is left out; items with no entries is still an array. */
	q.nb_times = 0;
	q.n_items = 0;
	q.items = NULL;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	j = parse_json(strbuf_str(&sb));
	ck_assert_ptr_null(jget(j, "parameters", "requested_timerange", "nbTimes"));
	ck_assert(cJSON_IsArray(jget(j, "parameters", "requested_items", NULL)));
	ck_assert_int_eq(cJSON_GetArraySize(jget(j, "parameters", "requested_items", NULL)), 0);
	cJSON_Delete(j);

	/* No query at all: empty parameters (table columns, styles). */
	ck_assert_int_eq(tsp_query_to_json(NULL, &sb, &err), 0);
	ck_assert_str_eq(strbuf_str(&sb), "{\"parameters\":{}}");
	strbuf_release(&sb);
}
END_TEST

START_TEST(query_bounds_are_invalid)
{
	struct tsp_query q = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct tsp_error err;

	q.has_range = 1;
	q.start = 10;
	q.end = 20;
	q.nb_times = 1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	q.nb_times = TSP_NB_TIMES_MAX;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	q.nb_times = TSP_NB_TIMES_MAX + 1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_msg_has(&err, "nbTimes 65537");
	ck_assert_uint_eq(sb.len, 0);
	q.nb_times = -1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	q.nb_times = 10;
	q.end = 9;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_msg_has(&err, "before start");
	q.end = 20;
	q.has_items = 1;
	q.n_items = 2;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	q.has_items = 0;
	q.table_count = -5;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	q.table_count = 0;
	q.n_times = 1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	strbuf_release(&sb);
}
END_TEST

START_TEST(query_table_params)
{
	const int64_t cols[] = { 0, 1, INT64_C(4294967296) };
	const int64_t times[] = { INT64_C(1700000000000000001) };
	struct tsp_query q = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct tsp_error err;
	const cJSON *p, *arr;
	cJSON *j;

	q.has_table_index = 1;
	q.table_index = INT64_C(5000000000);
	q.table_count = 100;
	q.column_ids = cols;
	q.n_column_ids = 3;
	q.times = times;
	q.n_times = 1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	j = parse_json(strbuf_str(&sb));
	p = jget(j, "parameters", NULL, NULL);
	ck_assert(jint(jget(p, "requested_table_index", NULL, NULL)) == INT64_C(5000000000));
	ck_assert(jint(jget(p, "requested_table_count", NULL, NULL)) == 100);
	arr = jget(p, "requested_table_column_ids", NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 3);
	ck_assert(jint(cJSON_GetArrayItem(arr, 2)) == INT64_C(4294967296));
	arr = jget(p, "requested_times", NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 1);
	ck_assert(jint(cJSON_GetArrayItem(arr, 0)) == INT64_C(1700000000000000001));
	ck_assert_ptr_null(jget(p, "requested_timerange", NULL, NULL));
	ck_assert_ptr_null(jget(p, "requested_items", NULL, NULL));
	cJSON_Delete(j);

	/* Index 0 is a real index; count 0 means "leave it out". */
	memset(&q, 0, sizeof(q));
	q.has_table_index = 1;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	ck_assert_str_eq(strbuf_str(&sb), "{\"parameters\":{\"requested_table_index\":0}}");
	strbuf_release(&sb);
}
END_TEST

START_TEST(query_annotation_params)
{
	const char *const cats[] = { "Frames", "cat \"two\"" };
	const char *const bad[] = { "ok", NULL };
	struct tsp_query q = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct tsp_error err;
	const cJSON *p, *arr;
	cJSON *j;

	q.has_range = 1;
	q.start = 0;
	q.end = INT64_C(1700000000123456789);
	q.nb_times = 10;
	q.marker_set = "marker.set/id";
	q.categories = cats;
	q.n_categories = 2;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	j = parse_json(strbuf_str(&sb));
	p = jget(j, "parameters", NULL, NULL);
	ck_assert_str_eq(json_get_string(jget(p, "requested_marker_set", NULL, NULL)), "marker.set/id");
	arr = jget(p, "requested_marker_categories", NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
	ck_assert_str_eq(json_get_string(cJSON_GetArrayItem(arr, 1)), "cat \"two\"");
	ck_assert(jint(jget(p, "requested_timerange", "end", NULL)) == INT64_C(1700000000123456789));
	cJSON_Delete(j);

	q.categories = bad;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_msg_has(&err, "requested_marker_categories[1]");
	strbuf_release(&sb);
}
END_TEST

START_TEST(query_element)
{
	const int64_t times[] = { INT64_C(1700000000123456789) };
	const int64_t items[] = { 42 };
	struct tsp_query q = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct tsp_error err;
	const cJSON *e;
	cJSON *j;

	q.times = times;
	q.n_times = 1;
	q.has_items = 1;
	q.items = items;
	q.n_items = 1;
	q.element_type = "state";
	q.element_time = INT64_C(1700000000123456000);
	q.element_duration = 789;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	j = parse_json(strbuf_str(&sb));
	e = jget(j, "parameters", "requested_element", NULL);
	ck_assert_str_eq(json_get_string(jget(e, "elementType", NULL, NULL)), "STATE");
	ck_assert(jint(jget(e, "time", NULL, NULL)) == INT64_C(1700000000123456000));
	ck_assert(jint(jget(e, "duration", NULL, NULL)) == 789);
	ck_assert_ptr_null(jget(e, "entryId", NULL, NULL));
	ck_assert_ptr_null(jget(e, "destinationId", NULL, NULL));
	ck_assert(jint(cJSON_GetArrayItem(jget(j, "parameters", "requested_times", NULL), 0)) ==
		  INT64_C(1700000000123456789));
	cJSON_Delete(j);

	q.element_type = "ARROW";
	q.has_element_entry = 1;
	q.element_entry_id = INT64_C(1700000000000000007);
	q.has_element_destination = 1;
	q.element_destination_id = 8;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), 0);
	j = parse_json(strbuf_str(&sb));
	e = jget(j, "parameters", "requested_element", NULL);
	ck_assert_str_eq(json_get_string(jget(e, "elementType", NULL, NULL)), "ARROW");
	ck_assert(jint(jget(e, "entryId", NULL, NULL)) == INT64_C(1700000000000000007));
	ck_assert(jint(jget(e, "destinationId", NULL, NULL)) == 8);
	cJSON_Delete(j);

	q.element_type = "BLOB";
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	assert_msg_has(&err, "BLOB");
	strbuf_release(&sb);
}
END_TEST

START_TEST(url_escape_segments)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_int_eq(tsp_url_escape(&sb, "a b/c?d=\xc3\xa9~._-Z9%"), 0);
	ck_assert_str_eq(strbuf_str(&sb), "a%20b%2Fc%3Fd%3D%C3%A9~._-Z9%25");
	strbuf_release(&sb);
}
END_TEST

/* ---- tsp_error_from_http ---- */

START_TEST(http_error_response_json)
{
	const char *full = "{\"title\":\"No such experiment\",\"detail\":\"uuid 1234 is unknown\"}";
	const char *title = "  {\"title\":\"Missing parameter outputId\"}\n";
	const char *conflict = "{\"title\":\"Experiment exists\",\"experiment\":{\"name\":\"x\"}}";
	const char *other = "{\"foo\": 1}";
	const char *multi = "{\"title\":\"Boom\",\"detail\":\"java.lang.NPE\\n\\tat Foo.bar(Foo.java:1)\"}";
	struct tsp_error err;

	tsp_error_from_http(&err, 404, full, strlen(full));
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.msg, "HTTP 404: No such experiment: uuid 1234 is unknown");
	tsp_error_from_http(&err, 400, title, strlen(title));
	ck_assert_str_eq(err.msg, "HTTP 400: Missing parameter outputId");
	tsp_error_from_http(&err, 409, conflict, strlen(conflict));
	ck_assert_str_eq(err.msg, "HTTP 409: Experiment exists");
	/* JSON that is no ErrorResponse is shown as text. */
	tsp_error_from_http(&err, 500, other, strlen(other));
	ck_assert_str_eq(err.msg, "HTTP 500: {\"foo\": 1}");
	/* A stack trace in detail stays on one line. */
	tsp_error_from_http(&err, 500, multi, strlen(multi));
	ck_assert_str_eq(err.msg, "HTTP 500: Boom: java.lang.NPE at Foo.bar(Foo.java:1)");
}
END_TEST

START_TEST(http_error_text_empty_html)
{
	const char *text = "  something\r\n\tbroke\x01\x02 badly  \n";
	const char *html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
			   "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
			   "</body>\r\n</html>\r\n";
	const char *utf8 = "caf\xc3\xa9 \xff\xfe ok \xe2\x82";
	struct tsp_error err;

	tsp_error_from_http(&err, 500, text, strlen(text));
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_str_eq(err.msg, "HTTP 500: something broke badly");
	tsp_error_from_http(&err, 502, html, strlen(html));
	ck_assert_int_eq(err.http_status, 502);
	ck_assert_str_eq(err.msg, "HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx");
	tsp_error_from_http(&err, 503, "", 0);
	ck_assert_str_eq(err.msg, "HTTP 503: Service Unavailable");
	tsp_error_from_http(&err, 404, NULL, 0);
	ck_assert_str_eq(err.msg, "HTTP 404: Not Found");
	tsp_error_from_http(&err, 500, " \r\n ", 4);
	ck_assert_str_eq(err.msg, "HTTP 500: Internal Server Error");
	tsp_error_from_http(&err, 599, "", 0);
	ck_assert_str_eq(err.msg, "HTTP 599: no message");
	/* Invalid UTF-8 becomes '?', valid sequences stay. */
	tsp_error_from_http(&err, 500, utf8, strlen(utf8));
	ck_assert_str_eq(err.msg, "HTTP 500: caf\xc3\xa9 ?? ok ??");
}
END_TEST

START_TEST(http_error_huge_body_is_capped)
{
	size_t n = 10u << 20, i, len;
	char *big = malloc(n);
	struct tsp_error err;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', n);
	tsp_error_from_http(&err, 500, big, n);
	len = strlen(err.msg);
	ck_assert_msg(len > 250 && len < 330, "len %zu", len);
	ck_assert_str_eq(err.msg + len - 3, "...");
	/* Two-byte characters are never cut in half. */
	for (i = 0; i + 1 < n; i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	tsp_error_from_http(&err, 500, big, n);
	len = strlen(err.msg);
	ck_assert_str_eq(err.msg + len - 3, "...");
	ck_assert_msg((len - 3 - strlen("HTTP 500: ")) % 2 == 0, "cut inside a character: %s", err.msg);
	/* A huge JSON body is not parsed, just shown. */
	memcpy(big, "{\"title\":\"", 10);
	tsp_error_from_http(&err, 500, big, n);
	ck_assert(!strncmp(err.msg, "HTTP 500: {\"title\":\"", 20));
	free(big);
}
END_TEST


/* ---- the fake upstream ---- */

#define HUGE_BYTES (1u << 20)

struct fake_count {
	char path[96];
	int n;
};

static struct fake {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	int connections;        /* TCP connections accepted */
	int requests;
	struct fake_count counts[32];
	char method[16];
	char url[512];
	char content_type[64];
	char accept[64];
	char marker_arg[128];
	struct strbuf body;
	volatile int stopping;
} F;

static int fake_count(const char *path)
{
	int i, n = 0;

	pthread_mutex_lock(&F.lock);
	for (i = 0; i < 32; i++)
		if (!strcmp(F.counts[i].path, path))
			n = F.counts[i].n;
	pthread_mutex_unlock(&F.lock);
	return n;
}

/* Counts the call and records what was asked; returns the path's call number. */
static int fake_record(struct MHD_Connection *conn, const char *url, const char *method,
		       const struct strbuf *body)
{
	const char *v;
	int i, n = 0;

	pthread_mutex_lock(&F.lock);
	F.requests++;
	for (i = 0; i < 32; i++) {
		if (!F.counts[i].path[0])
			snprintf(F.counts[i].path, sizeof(F.counts[i].path), "%s", url);
		if (!strcmp(F.counts[i].path, url)) {
			n = ++F.counts[i].n;
			break;
		}
	}
	snprintf(F.method, sizeof(F.method), "%s", method);
	snprintf(F.url, sizeof(F.url), "%s", url);
	v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	snprintf(F.content_type, sizeof(F.content_type), "%s", v ? v : "");
	v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
	snprintf(F.accept, sizeof(F.accept), "%s", v ? v : "");
	v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "markerSetId");
	snprintf(F.marker_arg, sizeof(F.marker_arg), "%s", v ? v : "");
	strbuf_reset(&F.body);
	strbuf_add(&F.body, strbuf_str(body), body->len);
	pthread_mutex_unlock(&F.lock);
	return n;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *ctype, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *conn, const char *body)
{
	return reply(conn, MHD_HTTP_OK, "application/json", body);
}

static ssize_t read_spaces(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t n;

	(void)cls;
	if (pos >= HUGE_BYTES)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = HUGE_BYTES - pos < max ? HUGE_BYTES - pos : max;
	memset(buf, ' ', n);
	return (ssize_t)n;
}

static ssize_t read_partial(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)max;
	if (pos == 0) {
		memcpy(buf, "{\"model\":", 9);
		return 9;
	}
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

static enum MHD_Result reply_stream(struct MHD_Connection *conn, unsigned int status,
				    uint64_t size, MHD_ContentReaderCallback cb)
{
	struct MHD_Response *r = MHD_create_response_from_callback(size, 16384, cb, NULL, NULL);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define XY_DONE "{\"model\":{\"title\":\"done\",\"series\":[{\"seriesId\":7,\"seriesName\":\"cpu\"," \
	"\"xValues\":[1700000000123456789,1700000000123456790],\"yValues\":[1.5,2.5]}]}," \
	"\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\"}"
#define XY_PARTIAL "{\"model\":{\"title\":\"partial\",\"series\":[]}," \
	"\"status\":\"RUNNING\",\"statusMessage\":\"Computing 42%\"}"

static enum MHD_Result fake_answer(struct MHD_Connection *conn, const char *path, const char *method,
				   int n)
{
	struct timespec ts = { 0, 10 * 1000000L };
	int i;

	if (!strcmp(path, "/tsp/api/health"))
		return reply_json(conn, "{\"status\":\"UP\"}");
	if (!strcmp(path, "/down/health"))
		return reply(conn, 503, "application/json",
			     "{\"title\":\"Server unavailable\",\"detail\":\"maintenance\"}");
	if (!strcmp(path, "/tsp/api/ok-xy"))
		return reply_json(conn, XY_DONE);
	if (!strcmp(path, "/tsp/api/running-then-completed"))
		return reply_json(conn, n <= 2 ? XY_PARTIAL : XY_DONE);
	if (!strcmp(path, "/tsp/api/running-forever"))
		return reply_json(conn, XY_PARTIAL);
	if (!strcmp(path, "/tsp/api/running-then-failed"))
		return reply_json(conn, n <= 1 ? XY_PARTIAL :
				  "{\"model\":null,\"status\":\"FAILED\",\"statusMessage\":\"analysis exploded\"}");
	if (!strcmp(path, "/tsp/api/failed"))
		return reply_json(conn, "{\"model\":null,\"status\":\"FAILED\",\"statusMessage\":\"analysis exploded\"}");
	if (!strcmp(path, "/tsp/api/cancelled"))
		return reply_json(conn, "{\"status\":\"CANCELLED\",\"statusMessage\":\"cancelled by user\"}");
	if (!strcmp(path, "/tsp/api/http500-json"))
		return reply(conn, 500, "application/json",
			     "{\"title\":\"Internal error\",\"detail\":\"NullPointerException\"}");
	if (!strcmp(path, "/tsp/api/http500-text"))
		return reply(conn, 500, "text/plain", "something\nbroke\n");
	if (!strcmp(path, "/tsp/api/http502-html"))
		return reply(conn, 502, "text/html",
			     "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
	if (!strcmp(path, "/tsp/api/http404-empty"))
		return reply(conn, 404, "application/json", "");
	if (!strcmp(path, "/tsp/api/http500-huge"))
		return reply_stream(conn, 500, MHD_SIZE_UNKNOWN, read_spaces);
	if (!strcmp(path, "/tsp/api/malformed"))
		return reply(conn, 200, "text/html", "<html><body>Please log in</body></html>");
	if (!strcmp(path, "/tsp/api/truncated"))
		return reply_json(conn, "{\"model\":{\"title\":\"x\",\"series\":[{\"seriesId\":1,");
	if (!strcmp(path, "/tsp/api/empty"))
		return reply_json(conn, "");
	if (!strcmp(path, "/tsp/api/schema"))
		return reply_json(conn, "{\"model\":{\"title\":5,\"series\":\"no\"},\"status\":\"COMPLETED\","
				  "\"statusMessage\":\"\"}");
	if (!strcmp(path, "/tsp/api/huge"))
		return reply_stream(conn, 200, MHD_SIZE_UNKNOWN, read_spaces);
	if (!strcmp(path, "/tsp/api/huge-length"))
		return reply_stream(conn, 200, HUGE_BYTES, read_spaces);
	if (!strcmp(path, "/tsp/api/partial"))
		return reply_stream(conn, 200, 1000, read_partial);
	if (!strcmp(path, "/tsp/api/running-then-slow") && n == 1)
		return reply_json(conn, XY_PARTIAL);
	if (!strcmp(path, "/tsp/api/slow") || !strcmp(path, "/tsp/api/running-then-slow")) {
		for (i = 0; i < 150 && !F.stopping; i++)
			nanosleep(&ts, NULL);
		return reply_json(conn, XY_DONE);
	}
	if (!strcmp(path, "/tsp/api/drop"))
		return MHD_NO;
	/* Typed calls: answer by the endpoint's last segment (experiment e/1 only records). */
	if (!strncmp(path, "/tsp/api/experiments/", 21) && strncmp(path + 21, "e%2F1", 5)) {
		size_t len = strlen(path);

		if (len > 3 && !strcmp(path + len - 3, "/xy") && !strcmp(method, "POST"))
			return reply_json(conn, XY_DONE);
		if (len > 12 && !strcmp(path + len - 12, "/annotations") && !strcmp(method, "GET"))
			return reply_json(conn, "{\"model\":{\"annotationCategories\":[\"Frames\"]},"
					  "\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\"}");
	}
	return reply(conn, 404, "application/json", "{\"title\":\"No such endpoint\"}");
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct strbuf *body = *req_cls;
	int n;

	(void)cls;
	(void)version;
	if (!body) {
		body = calloc(1, sizeof(*body));
		if (!body)
			return MHD_NO;
		strbuf_init(body, 0);
		*req_cls = body;
		return MHD_YES;
	}
	if (*upload_size) {
		strbuf_add(body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	n = fake_record(conn, url, method, body);
	return fake_answer(conn, url, method, n);
}

static void fake_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct strbuf *body = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (body) {
		strbuf_release(body);
		free(body);
		*req_cls = NULL;
	}
}

static void fake_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&F.lock);
		F.connections++;
		pthread_mutex_unlock(&F.lock);
	}
}

/* Keeps %XX in the path as sent, so tests see the client's escaping. */
static size_t no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void fake_start(void)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	memset(&F, 0, sizeof(F));
	pthread_mutex_init(&F.lock, NULL);
	strbuf_init(&F.body, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	F.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
			       0, NULL, NULL, fake_handler, NULL,
			       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			       MHD_OPTION_NOTIFY_COMPLETED, fake_completed, NULL,
			       MHD_OPTION_NOTIFY_CONNECTION, fake_connection, NULL,
			       MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
			       MHD_OPTION_END);
	ck_assert_ptr_nonnull(F.d);
	info = MHD_get_daemon_info(F.d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	F.port = info->port;
	ck_assert_int_gt(F.port, 0);
}

static void fake_stop(void)
{
	F.stopping = 1;
	if (F.d)
		MHD_stop_daemon(F.d);
	F.d = NULL;
	strbuf_release(&F.body);
	pthread_mutex_destroy(&F.lock);
}

/* A client of the fake upstream with small limits so failures are quick. */
static struct tsp_client *fake_client(const char *prefix)
{
	struct tsp_client_config cfg;
	char url[128];
	struct tsp_client *c;

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", F.port, prefix);
	cfg.base_url = url;
	cfg.timeout_ms = 5000;
	cfg.max_response_bytes = 64 * 1024;
	cfg.poll_deadline_ms = 3000;
	cfg.poll_initial_ms = 10;
	cfg.poll_max_ms = 100;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* After any error the same client must still work. */
static void assert_still_works(struct tsp_client *c)
{
	struct tsp_model m;
	struct tsp_error err;

	tsp_model_init(&m);
	ck_assert_msg(tsp_client_fetch(c, "POST", "/ok-xy", "{\"parameters\":{}}", TSP_M_XY, &m, &err) == 0,
		      "client unusable after an error: %s", err.msg);
	ck_assert_str_eq(m.u.xy.title, "done");
	tsp_model_release(&m);
}

/* ---- transport against the fake ---- */

START_TEST(fake_ok_body_headers_and_keepalive)
{
	const int64_t items[] = { 1, 2, INT64_MAX };
	struct tsp_client *c = fake_client("/tsp/api/");   /* trailing '/' tolerated */
	struct tsp_query q = { 0 };
	struct strbuf body = STRBUF_INIT, out = STRBUF_INIT;
	struct tsp_model m;
	struct tsp_error err;
	long status;
	int i;

	tsp_model_init(&m);
	q.has_range = 1;
	q.start = INT64_C(1700000000123456789);
	q.end = INT64_C(1700000000987654321);
	q.nb_times = 500;
	q.has_items = 1;
	q.items = items;
	q.n_items = 3;
	ck_assert_int_eq(tsp_query_to_json(&q, &body, &err), 0);
	ck_assert_msg(tsp_client_fetch(c, "POST", "/ok-xy", body.buf, TSP_M_XY, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m.status, TSP_STATUS_COMPLETED);
	ck_assert_uint_eq(m.u.xy.n_series, 1);
	ck_assert_uint_eq(m.u.xy.series[0].n_x, 2);
	ck_assert(m.u.xy.series[0].x[0] == INT64_C(1700000000123456789));
	ck_assert(m.u.xy.series[0].x[1] == INT64_C(1700000000123456790));
	/* What went over the wire. */
	ck_assert_str_eq(F.method, "POST");
	ck_assert_str_eq(F.url, "/tsp/api/ok-xy");
	ck_assert_str_eq(F.content_type, "application/json");
	ck_assert_str_eq(F.accept, "application/json");
	ck_assert_str_eq(strbuf_str(&F.body),
			 "{\"parameters\":{\"requested_timerange\":{\"start\":1700000000123456789,"
			 "\"end\":1700000000987654321,\"nbTimes\":500},\"requested_items\":"
			 "[1,2,9223372036854775807]}}");

	/* GET after POST: the method and body of the last request are gone. */
	ck_assert_int_eq(tsp_client_request(c, "GET", "/ok-xy", NULL, &status, &out, &err), 0);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(F.method, "GET");
	ck_assert_uint_eq(F.body.len, 0);
	ck_assert_str_eq(F.accept, "application/json");
	ck_assert(strstr(strbuf_str(&out), "1700000000123456789") != NULL);
	/* DELETE without a body, then a POST without a body. */
	ck_assert_int_eq(tsp_client_request(c, "DELETE", "/ok-xy", NULL, &status, &out, &err), 0);
	ck_assert_str_eq(F.method, "DELETE");
	ck_assert_int_eq(tsp_client_request(c, "POST", "/ok-xy", NULL, &status, &out, &err), 0);
	ck_assert_str_eq(F.method, "POST");
	ck_assert_uint_eq(F.body.len, 0);

	/* Keep-alive: everything so far and more ran over one connection. */
	for (i = 0; i < 5; i++)
		assert_still_works(c);
	pthread_mutex_lock(&F.lock);
	ck_assert_int_eq(F.requests, 9);
	ck_assert_int_eq(F.connections, 1);
	pthread_mutex_unlock(&F.lock);

	tsp_model_release(&m);
	strbuf_release(&body);
	strbuf_release(&out);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_running_then_completed)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct tsp_model m;
	struct tsp_error err;

	tsp_model_init(&m);
	ck_assert_msg(tsp_client_fetch(c, "POST", "/running-then-completed", "{\"parameters\":{}}",
				       TSP_M_XY, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(fake_count("/tsp/api/running-then-completed"), 3);
	ck_assert_int_eq(m.status, TSP_STATUS_COMPLETED);
	ck_assert_str_eq(m.u.xy.title, "done");
	ck_assert_uint_eq(m.u.xy.n_series, 1);
	/* Every poll re-sent the same body. */
	ck_assert_str_eq(strbuf_str(&F.body), "{\"parameters\":{}}");
	tsp_model_release(&m);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_running_forever_hits_deadline)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct tsp_model m;
	struct tsp_error err;
	struct timespec t0;
	char url[128];
	long elapsed;
	int calls;

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", F.port);
	cfg.base_url = url;
	cfg.poll_deadline_ms = 700;
	cfg.poll_initial_ms = 20;
	cfg.poll_max_ms = 100;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	tsp_model_init(&m);
	t0 = mono_now();
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/running-forever", "{\"parameters\":{}}",
					  TSP_M_XY, &m, &err), -1);
	elapsed = mono_ms_since(&t0);
	ck_assert_int_eq(err.kind, TSP_ERR_RUNNING);
	ck_assert_msg(elapsed >= 700 && elapsed < 700 + 2000, "elapsed %ld ms", elapsed);
	assert_msg_has(&err, "POST /running-forever: analysis still running after ");
	assert_msg_has(&err, " ms: Computing 42%");
	/* 20+40+80+100+100+... ms of backoff within 700 ms: several polls, not hundreds. */
	calls = fake_count("/tsp/api/running-forever");
	ck_assert_msg(calls >= 4 && calls <= 12, "%d calls", calls);
	/* The partial answer is kept for the caller. */
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_int_eq(m.has_model, 1);
	ck_assert_str_eq(m.u.xy.title, "partial");
	ck_assert_str_eq(m.status_message, "Computing 42%");
	ck_assert_int_eq(tsp_error_bridge_status(&err), 504);
	tsp_model_release(&m);
	assert_still_works(c);
	tsp_client_free(c);
}
END_TEST

/* A re-poll that would outlive the deadline is cut at it; the partial answer stands. */
START_TEST(fake_slow_repoll_cut_at_deadline)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct tsp_model m;
	struct tsp_error err;
	struct timespec t0;
	char url[128];
	long elapsed;

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", F.port);
	cfg.base_url = url;
	cfg.timeout_ms = 5000;
	cfg.poll_deadline_ms = 400;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	tsp_model_init(&m);
	t0 = mono_now();
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/running-then-slow", "{}", TSP_M_XY, &m, &err), -1);
	elapsed = mono_ms_since(&t0);
	ck_assert_msg(err.kind == TSP_ERR_RUNNING, "%s", err.msg);
	ck_assert_msg(elapsed >= 400 && elapsed < 1400, "elapsed %ld ms", elapsed);
	ck_assert_int_eq(fake_count("/tsp/api/running-then-slow"), 2);
	ck_assert_int_eq(m.status, TSP_STATUS_RUNNING);
	ck_assert_str_eq(m.u.xy.title, "partial");
	tsp_model_release(&m);
	assert_still_works(c);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_failed_and_cancelled)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct tsp_model m;
	struct tsp_error err;

	tsp_model_init(&m);
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/failed", "{\"parameters\":{}}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_FAILED);
	ck_assert_str_eq(err.msg, "POST /failed: analysis failed: analysis exploded");
	ck_assert_int_eq(m.status, TSP_STATUS_FAILED);
	ck_assert_int_eq(fake_count("/tsp/api/failed"), 1);
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/cancelled", "{\"parameters\":{}}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_CANCELLED);
	ck_assert_str_eq(err.msg, "POST /cancelled: analysis cancelled: cancelled by user");
	assert_still_works(c);

	/* RUNNING first, then FAILED: the failure wins, after one re-poll. */
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/running-then-failed", "{\"parameters\":{}}",
					  TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_FAILED);
	ck_assert_int_eq(fake_count("/tsp/api/running-then-failed"), 2);
	tsp_model_release(&m);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_http_errors)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct strbuf out = STRBUF_INIT;
	struct tsp_model m;
	struct tsp_error err;
	long status;

	tsp_model_init(&m);
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/http500-json", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(err.http_status, 500);
	ck_assert_str_eq(err.msg, "POST /http500-json: HTTP 500: Internal error: NullPointerException");
	ck_assert_int_eq(tsp_error_bridge_status(&err), 502);
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_request(c, "GET", "/http500-text", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(status, 500);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_str_eq(err.msg, "GET /http500-text: HTTP 500: something broke");
	ck_assert_str_eq(strbuf_str(&out), "something\nbroke\n");
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_request(c, "GET", "/http502-html", NULL, &status, &out, &err), -1);
	ck_assert_str_eq(err.msg, "GET /http502-html: HTTP 502: 502 Bad Gateway nginx");

	ck_assert_int_eq(tsp_client_request(c, "GET", "/http404-empty", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.msg, "GET /http404-empty: HTTP 404: Not Found");

	/* A 1 MiB error page under a 64 KiB cap: still the HTTP error, body cut. */
	ck_assert_int_eq(tsp_client_request(c, "GET", "/http500-huge", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(err.http_status, 500);
	ck_assert_uint_le(out.len, 64 * 1024);
	assert_still_works(c);

	tsp_model_release(&m);
	strbuf_release(&out);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_bad_answers)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct tsp_model m;
	struct tsp_error err;

	tsp_model_init(&m);
	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/malformed", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	assert_msg_has(&err, "POST /malformed: ");
	assert_msg_has(&err, "the answer starts: <html><body>Please log in");
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/truncated", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	assert_msg_has(&err, "POST /truncated: ");
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/empty", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_BAD_JSON);
	assert_msg_has(&err, "empty answer");

	ck_assert_int_eq(tsp_client_fetch(c, "POST", "/schema", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_SCHEMA);
	assert_msg_has(&err, "POST /schema: ");
	ck_assert_int_eq(m.has_model, 0);
	assert_still_works(c);
	tsp_model_release(&m);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_too_large)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct strbuf out = STRBUF_INIT;
	struct tsp_model m;
	struct tsp_error err;
	long status;

	tsp_model_init(&m);
	ck_assert_int_eq(tsp_client_fetch(c, "GET", "/huge", NULL, TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_TOO_LARGE);
	ck_assert_str_eq(err.msg, "GET /huge: response exceeds 65536 bytes");
	assert_still_works(c);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/huge-length", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_TOO_LARGE);
	ck_assert_uint_le(out.len, 64 * 1024);
	assert_still_works(c);
	/* The caller's own strbuf cap counts too. */
	strbuf_release(&out);
	strbuf_init(&out, 100);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/ok-xy", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_TOO_LARGE);
	assert_msg_has(&err, "exceeds 100 bytes");
	/* ...and an error page is cut to it, still reported as the HTTP error. */
	ck_assert_int_eq(tsp_client_request(c, "GET", "/http500-json", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_uint_le(out.len, 100);
	strbuf_reset(&out);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/http500-huge", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(status, 500);
	ck_assert_uint_eq(out.len, 100);
	assert_still_works(c);
	tsp_model_release(&m);
	strbuf_release(&out);
	tsp_client_free(c);
}
END_TEST

START_TEST(fake_timeout_and_drops)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct strbuf out = STRBUF_INIT;
	struct tsp_error err;
	struct timespec t0;
	char url[128];
	long status, elapsed;

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", F.port);
	cfg.base_url = url;
	cfg.timeout_ms = 300;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);

	t0 = mono_now();
	ck_assert_int_eq(tsp_client_request(c, "GET", "/slow", NULL, &status, &out, &err), -1);
	elapsed = mono_ms_since(&t0);
	ck_assert_int_eq(err.kind, TSP_ERR_TIMEOUT);
	ck_assert_int_eq(status, 0);
	assert_msg_has(&err, "GET /slow: no complete answer from http://127.0.0.1:");
	assert_msg_has(&err, "within the request timeout of 300 ms");
	ck_assert_msg(elapsed >= 290 && elapsed < 1400, "elapsed %ld", elapsed);
	ck_assert_int_eq(tsp_error_bridge_status(&err), 504);
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_request(c, "GET", "/drop", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_CONNECT);
	assert_msg_has(&err, "connection dropped");
	assert_msg_has(&err, "/tsp/api/drop");
	assert_still_works(c);

	ck_assert_int_eq(tsp_client_request(c, "GET", "/partial", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_CONNECT);
	assert_msg_has(&err, "connection dropped mid-answer");
	assert_still_works(c);

	strbuf_release(&out);
	tsp_client_free(c);
}
END_TEST

START_TEST(connect_refused_and_bad_args)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct strbuf out = STRBUF_INIT;
	struct tsp_model m;
	struct tsp_error err;
	char url[128];
	long status = 99;

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", free_port());
	cfg.base_url = url;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	tsp_model_init(&m);
	ck_assert_int_eq(tsp_get_health(c, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_CONNECT);
	assert_msg_has(&err, "GET /health: connection refused");
	assert_msg_has(&err, url);
	ck_assert_int_eq(tsp_error_bridge_status(&err), 502);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/health", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(tsp_client_request(c, "GET", "health", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	ck_assert_int_eq(tsp_get_experiment(c, NULL, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	tsp_client_free(c);

	/* Not a URL curl can use. */
	cfg.base_url = "gopher://127.0.0.1:1/x";
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/health", NULL, &status, &out, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	tsp_model_release(&m);
	strbuf_release(&out);
	tsp_client_free(c);
}
END_TEST

/*
 * A listener that never accepts, its backlog filled: further SYNs are
 * dropped and connecting hangs until the connect timeout.
 */
START_TEST(connect_timeout)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct strbuf out = STRBUF_INIT;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct tsp_error err;
	char url[128];
	long status;
	int lfd, fill[4], i;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	for (i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(100000);

	tsp_client_config_defaults(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", ntohs(sa.sin_port));
	cfg.base_url = url;
	cfg.connect_timeout_ms = 300;
	cfg.timeout_ms = 5000;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tsp_client_request(c, "GET", "/health", NULL, &status, &out, &err), -1);
	ck_assert_msg(err.kind == TSP_ERR_TIMEOUT, "%s", err.msg);
	assert_msg_has(&err, "within the connect timeout of 300 ms");
	tsp_client_free(c);
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
	strbuf_release(&out);
}
END_TEST

START_TEST(fake_typed_calls_escape_and_health)
{
	struct tsp_client *c = fake_client("/tsp/api");
	struct tsp_client *down = fake_client("/down");
	struct tsp_query q = { 0 };
	struct tsp_model m;
	struct tsp_error err;

	tsp_model_init(&m);
	ck_assert_msg(tsp_get_health(c, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m.u.health.status, "UP");
	ck_assert_str_eq(F.method, "GET");

	/* A 503 from /health is an HTTP error with the server's words. */
	ck_assert_int_eq(tsp_get_health(down, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(err.http_status, 503);
	ck_assert_str_eq(err.msg, "GET /health: HTTP 503: Server unavailable: maintenance");

	q.has_range = 1;
	q.start = 1;
	q.end = 2;
	ck_assert_msg(tsp_xy(c, "exp 1/2", "org.eclipse.cpu?x", &q, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(F.url, "/tsp/api/experiments/exp%201%2F2/outputs/XY/org.eclipse.cpu%3Fx/xy");
	ck_assert_str_eq(strbuf_str(&F.body),
			 "{\"parameters\":{\"requested_timerange\":{\"start\":1,\"end\":2}}}");

	ck_assert_msg(tsp_annotation_categories(c, "e", "o", "marker set&1", &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(F.url, "/tsp/api/experiments/e/outputs/o/annotations");
	ck_assert_str_eq(F.marker_arg, "marker%20set%261");
	ck_assert_uint_eq(m.u.categories.n, 1);
	ck_assert_str_eq(m.u.categories.items[0], "Frames");
	ck_assert_msg(tsp_annotation_categories(c, "e", "o", NULL, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(F.marker_arg, "");

	/* A bad query never reaches the server. */
	q.nb_times = 70000;
	ck_assert_int_eq(tsp_xy(c, "e", "o", &q, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	ck_assert_int_eq(tsp_error_bridge_status(&err), 400);

	tsp_model_release(&m);
	tsp_client_free(c);
	tsp_client_free(down);
}
END_TEST

/* Every typed call hits the path of API.yaml with the right method and body (the fake answers 404). */
START_TEST(fake_typed_call_paths)
{
	const char *const traces[] = { "t-1", "t \"2\"" };
	struct tsp_client *c = fake_client("/tsp/api");
	struct tsp_query q = { 0 };
	struct tsp_model m;
	struct tsp_error err;
	const char *e = "e/1", *o = "o.p";
	const char *pre = "/tsp/api/experiments/e%2F1/outputs";
	char want[256];
	size_t i;

	struct {
		int (*fn)(struct tsp_client *, const char *, const char *, const struct tsp_query *,
			  struct tsp_model *, struct tsp_error *);
		const char *tail;
	} posts[] = {
		{ tsp_xy_tree, "/XY/o.p/tree" },
		{ tsp_xy, "/XY/o.p/xy" },
		{ tsp_tg_tree, "/timeGraph/o.p/tree" },
		{ tsp_tg_states, "/timeGraph/o.p/states" },
		{ tsp_tg_arrows, "/timeGraph/o.p/arrows" },
		{ tsp_tg_tooltip, "/timeGraph/o.p/tooltip" },
		{ tsp_table_columns, "/table/o.p/columns" },
		{ tsp_table_lines, "/table/o.p/lines" },
		{ tsp_data_tree, "/data/o.p/tree" },
		{ tsp_styles, "/o.p/style" },
		{ tsp_annotations, "/o.p/annotations" },
	};

	tsp_model_init(&m);
	q.has_range = 1;
	q.start = INT64_C(1700000000000000000);
	q.end = INT64_C(1700000000000000001);
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		ck_assert_int_eq(posts[i].fn(c, e, o, &q, &m, &err), -1);
		ck_assert_int_eq(err.http_status, 404);
		snprintf(want, sizeof(want), "%s%s", pre, posts[i].tail);
		ck_assert_str_eq(F.url, want);
		ck_assert_str_eq(F.method, "POST");
		ck_assert_str_eq(strbuf_str(&F.body),
				 "{\"parameters\":{\"requested_timerange\":{\"start\":1700000000000000000,"
				 "\"end\":1700000000000000001}}}");
	}
	/* No query: empty parameters. */
	ck_assert_int_eq(tsp_table_columns(c, e, o, NULL, &m, &err), -1);
	ck_assert_str_eq(strbuf_str(&F.body), "{\"parameters\":{}}");

	ck_assert_int_eq(tsp_get_identifier(c, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/identifier");
	ck_assert_int_eq(tsp_list_traces(c, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/traces");
	ck_assert_str_eq(F.method, "GET");
	ck_assert_int_eq(tsp_list_experiments(c, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/experiments");
	ck_assert_int_eq(tsp_get_experiment(c, e, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/experiments/e%2F1");
	ck_assert_int_eq(tsp_list_outputs(c, e, &m, &err), -1);
	ck_assert_str_eq(F.url, pre);
	ck_assert_int_eq(tsp_get_output(c, e, o, &m, &err), -1);
	snprintf(want, sizeof(want), "%s/o.p", pre);
	ck_assert_str_eq(F.url, want);
	ck_assert_int_eq(tsp_marker_sets(c, e, &m, &err), -1);
	snprintf(want, sizeof(want), "%s/markerSets", pre);
	ck_assert_str_eq(F.url, want);
	ck_assert_str_eq(F.method, "GET");
	ck_assert_uint_eq(F.body.len, 0);

	ck_assert_int_eq(tsp_open_trace(c, "/traces/kernel", "kernel", NULL, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/traces");
	ck_assert_str_eq(F.method, "POST");
	ck_assert_str_eq(strbuf_str(&F.body), "{\"parameters\":{\"uri\":\"/traces/kernel\",\"name\":\"kernel\"}}");
	ck_assert_int_eq(tsp_open_trace(c, "/t", NULL, "org.lttng", &m, &err), -1);
	ck_assert_str_eq(strbuf_str(&F.body), "{\"parameters\":{\"uri\":\"/t\",\"typeID\":\"org.lttng\"}}");
	ck_assert_int_eq(tsp_create_experiment(c, "exp", traces, 2, &m, &err), -1);
	ck_assert_str_eq(F.url, "/tsp/api/experiments");
	ck_assert_str_eq(F.method, "POST");
	ck_assert_str_eq(strbuf_str(&F.body),
			 "{\"parameters\":{\"name\":\"exp\",\"traces\":[\"t-1\",\"t \\\"2\\\"\"]}}");
	ck_assert_int_eq(tsp_open_trace(c, NULL, NULL, NULL, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	ck_assert_int_eq(tsp_create_experiment(c, NULL, traces, 2, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	tsp_model_release(&m);
	tsp_client_free(c);
}
END_TEST

/* ---- clients of an upstream, and what each thread fetched unsettled ---- */

static struct upstream pool_up;
static pthread_barrier_t thread_barrier;

struct pool_slot {
	struct tsp_client *c;
	unsigned long unsettled;
};

static void *thread_main(void *arg)
{
	struct pool_slot *slot = arg;
	struct tsp_client *c = upstream_client(&pool_up);
	struct tsp_model m;
	struct tsp_error err;
	int ok;

	tsp_model_init(&m);
	ok = c && tsp_client_fetch(c, "POST", "/ok-xy", "{}", TSP_M_XY, &m, &err) == 0;
	tsp_model_release(&m);
	slot->c = ok ? c : NULL;
	slot->unsettled = tsp_unsettled_thread();
	/* Both clients are taken here, so they must be two. */
	pthread_barrier_wait(&thread_barrier);
	upstream_client_put(&pool_up, c);
	return NULL;
}

START_TEST(upstream_clients_and_unsettled_per_thread)
{
	struct tsp_client_config cfg;
	struct catalog_config cat = { 0 };
	struct pool_slot a = { 0 }, b = { 0 };
	struct tsp_client *again;
	struct tsp_model m;
	struct tsp_error err;
	pthread_t ta, tb;
	unsigned long before;
	char url[128];

	tsp_client_config_defaults(&cfg);
	cfg.poll_deadline_ms = 100;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", F.port);
	ck_assert_int_eq(upstream_init(&pool_up, "a", url, &cfg, &cat), 0);
	ck_assert_str_eq(pool_up.tsp.base_url, url);

	pthread_barrier_init(&thread_barrier, NULL, 2);
	ck_assert_int_eq(pthread_create(&ta, NULL, thread_main, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thread_main, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&thread_barrier);
	ck_assert_ptr_nonnull(a.c);
	ck_assert_ptr_nonnull(b.c);
	ck_assert_ptr_ne(a.c, b.c);
	/* COMPLETED answers: nothing unsettled on either thread. */
	ck_assert_uint_eq(a.unsettled, 0);
	ck_assert_uint_eq(b.unsettled, 0);
	/* Given back, they are taken again rather than made anew. */
	again = upstream_client(&pool_up);
	ck_assert_msg(again == a.c || again == b.c, "an idle client was not reused");
	assert_still_works(again);

	/* A RUNNING answer at the deadline counts for this thread only. */
	before = tsp_unsettled_thread();
	tsp_model_init(&m);
	ck_assert_int_eq(tsp_client_fetch(again, "POST", "/running-forever", "{}", TSP_M_XY, &m, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_RUNNING);
	tsp_model_release(&m);
	ck_assert_uint_eq(tsp_unsettled_thread(), before + 1);
	upstream_client_put(&pool_up, again);
	upstream_release(&pool_up);
}
END_TEST

START_TEST(credentials_in_the_url_stay_out_of_messages)
{
	struct tsp_client_config cfg;
	struct tsp_client *c;
	struct tsp_model m;
	struct tsp_error e;

	tsp_client_config_defaults(&cfg);
	/* Port 1 on loopback: refused at once. */
	cfg.base_url = "http://admin:s3cret-pw@127.0.0.1:1/tsp/api";
	cfg.connect_timeout_ms = 1000;
	c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(c);
	tsp_model_init(&m);
	ck_assert_int_eq(tsp_list_experiments(c, &m, &e), -1);
	ck_assert_int_eq(e.kind, TSP_ERR_CONNECT);
	ck_assert_ptr_null(strstr(e.msg, "s3cret-pw"));
	ck_assert_ptr_null(strstr(e.msg, "admin"));
	ck_assert_ptr_nonnull(strstr(e.msg, "127.0.0.1:1/tsp/api/experiments"));
	tsp_model_release(&m);
	tsp_client_free(c);
}
END_TEST

Suite *tsp_client_suite(void)
{
	Suite *s = suite_create("tsp_client");
	TCase *pure = tcase_create("pure");
	TCase *fake = tcase_create("fake_upstream");
	TCase *net = tcase_create("no_upstream");

	tcase_add_test(pure, query_range_items_exact_int64);
	tcase_add_test(pure, query_bounds_are_invalid);
	tcase_add_test(pure, query_table_params);
	tcase_add_test(pure, query_annotation_params);
	tcase_add_test(pure, query_element);
	tcase_add_test(pure, url_escape_segments);
	tcase_add_test(pure, http_error_response_json);
	tcase_add_test(pure, http_error_text_empty_html);
	tcase_add_test(pure, http_error_huge_body_is_capped);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(fake, fake_start, fake_stop);
	tcase_set_timeout(fake, 120);
	tcase_add_test(fake, fake_ok_body_headers_and_keepalive);
	tcase_add_test(fake, fake_running_then_completed);
	tcase_add_test(fake, fake_running_forever_hits_deadline);
	tcase_add_test(fake, fake_slow_repoll_cut_at_deadline);
	tcase_add_test(fake, fake_failed_and_cancelled);
	tcase_add_test(fake, fake_http_errors);
	tcase_add_test(fake, fake_bad_answers);
	tcase_add_test(fake, fake_too_large);
	tcase_add_test(fake, fake_timeout_and_drops);
	tcase_add_test(fake, fake_typed_calls_escape_and_health);
	tcase_add_test(fake, fake_typed_call_paths);
	tcase_add_test(fake, upstream_clients_and_unsettled_per_thread);
	suite_add_tcase(s, fake);

	tcase_set_timeout(net, 60);
	tcase_add_test(net, connect_refused_and_bad_args);
	tcase_add_test(net, connect_timeout);
	tcase_add_test(net, credentials_in_the_url_stay_out_of_messages);
	suite_add_tcase(s, net);
	return s;
}
