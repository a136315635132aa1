#include "tsp_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "jsonw.h"
#include "loop.h"
#include "monotime.h"

#ifndef TSPB_VERSION
#define TSPB_VERSION "dev"
#endif

#define DEFAULT_CONNECT_TIMEOUT_MS 2000L
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)
#define DEFAULT_POLL_DEADLINE_MS 5000L
#define DEFAULT_POLL_INITIAL_MS 25L
#define DEFAULT_POLL_MAX_MS 500L

/* Of a non-2xx body only the start matters: it becomes a one-line message. */
#define ERROR_BODY_KEEP ((size_t)64 << 10)
/* Upstream words in an HTTP error message, and the snippet of a non-JSON answer. */
#define HTTP_WORDS_MAX 300
#define SNIPPET_MAX 80

struct tsp_client {
	struct tsp_client_config cfg;   /* cfg.base_url points at base_url */
	char *base_url;                 /* owned, no trailing '/' */
	CURL *curl;
	struct curl_slist *hdr_get;     /* Accept */
	struct curl_slist *hdr_body;    /* Accept, Content-Type, no Expect */
	struct strbuf url;              /* scratch: base_url + path */
	struct strbuf answer;           /* scratch: the body tsp_client_fetch parses */
	struct strbuf key;              /* scratch: cache key */
	char curl_err[CURL_ERROR_SIZE];
};

void tsp_client_config_defaults(struct tsp_client_config *cfg)
{
	cfg->base_url = TSP_CLIENT_DEFAULT_URL;
	cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	cfg->timeout_ms = DEFAULT_TIMEOUT_MS;
	cfg->max_response_bytes = DEFAULT_MAX_RESPONSE;
	cfg->poll_deadline_ms = DEFAULT_POLL_DEADLINE_MS;
	cfg->poll_initial_ms = DEFAULT_POLL_INITIAL_MS;
	cfg->poll_max_ms = DEFAULT_POLL_MAX_MS;
	cfg->cache = NULL;
}

struct tsp_client *tsp_client_new(const struct tsp_client_config *cfg)
{
	struct tsp_client *c = calloc(1, sizeof(*c));
	const char *base;
	size_t n;

	if (!c)
		return NULL;
	tsp_client_config_defaults(&c->cfg);
	if (cfg) {
		if (cfg->connect_timeout_ms > 0)
			c->cfg.connect_timeout_ms = cfg->connect_timeout_ms;
		if (cfg->timeout_ms > 0)
			c->cfg.timeout_ms = cfg->timeout_ms;
		if (cfg->max_response_bytes > 0)
			c->cfg.max_response_bytes = cfg->max_response_bytes;
		if (cfg->poll_deadline_ms > 0)
			c->cfg.poll_deadline_ms = cfg->poll_deadline_ms;
		if (cfg->poll_initial_ms > 0)
			c->cfg.poll_initial_ms = cfg->poll_initial_ms;
		if (cfg->poll_max_ms > 0)
			c->cfg.poll_max_ms = cfg->poll_max_ms;
		c->cfg.cache = cfg->cache;
	}
	if (c->cfg.poll_initial_ms > c->cfg.poll_max_ms)
		c->cfg.poll_initial_ms = c->cfg.poll_max_ms;
	base = cfg && cfg->base_url ? cfg->base_url : TSP_CLIENT_DEFAULT_URL;
	/* Paths start with '/', so the base must not end with one. */
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	c->base_url = strndup(base, n);
	c->cfg.base_url = c->base_url;
	strbuf_init(&c->url, 0);
	strbuf_init(&c->answer, 0);
	strbuf_init(&c->key, 0);
	c->curl = curl_easy_init();
	c->hdr_get = curl_slist_append(NULL, "Accept: application/json");
	c->hdr_body = curl_slist_append(NULL, "Accept: application/json");
	if (c->hdr_body)
		c->hdr_body = curl_slist_append(c->hdr_body, "Content-Type: application/json");
	/* No 100-continue round trip before POST bodies. */
	if (c->hdr_body)
		c->hdr_body = curl_slist_append(c->hdr_body, "Expect:");
	if (!c->base_url || !c->curl || !c->hdr_get || !c->hdr_body) {
		tsp_client_free(c);
		return NULL;
	}
	return c;
}

void tsp_client_free(struct tsp_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->hdr_get);
	curl_slist_free_all(c->hdr_body);
	strbuf_release(&c->url);
	strbuf_release(&c->answer);
	strbuf_release(&c->key);
	free(c->base_url);
	free(c);
}

/* ---- what this thread (or fiber) fetched that was not final ---- */

static __thread unsigned long thread_unsettled;

unsigned long *tsp_unsettled_slot(void)
{
	unsigned long *f = loop_counter();

	/* Fibers interleave on a thread: each request counts in its own. */
	return f ? f : &thread_unsettled;
}

unsigned long tsp_unsettled_thread(void)
{
	return *tsp_unsettled_slot();
}

void tsp_unsettled_add(unsigned long n)
{
	*tsp_unsettled_slot() += n;
}

/* ---- text helpers ---- */

int tsp_url_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char enc[3];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			if (strbuf_addch(sb, (char)ch) < 0)
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[ch >> 4];
		enc[2] = hex[ch & 15];
		if (strbuf_add(sb, enc, 3) < 0)
			return -1;
	}
	return 0;
}

/*
 * Writes a one-line, printable, valid UTF-8 rendering of in[0..len) into
 * out (size outsz > 4): whitespace runs and control characters become one
 * space, ends trimmed, tags dropped when strip_tags, cut with "..." when
 * longer. Reads at most ERROR_BODY_KEEP input bytes whatever len is.
 */
static void one_line(const char *in, size_t len, int strip_tags, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, room = outsz - 4, k, bad;
	int in_tag = 0, space = 0, cut = 0;

	if (len > ERROR_BODY_KEEP) {
		len = ERROR_BODY_KEEP;
		cut = 1;
	}
	while (i < len) {
		unsigned char ch = s[i];

		if (strip_tags && (ch == '<' || in_tag)) {
			/* A tag separates words like a space does. */
			in_tag = ch != '>';
			space = o > 0;
			i++;
			continue;
		}
		if (ch <= 0x20 || ch == 0x7f) {
			space = o > 0;
			i++;
			continue;
		}
		k = ch < 0x80 ? 1 : (size_t)utf8_valid_len(s + i, len - i, &bad);
		if (o + space + (k ? k : 1) > room) {
			cut = 1;
			break;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		if (!k) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static const char *reason_phrase(long status)
{
	switch (status) {
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "no message";
}

/* "title: detail" of an ErrorResponse (or a bare "message"/"error" string); 0 if not such JSON. */
static int error_response_words(const char *body, size_t len, char *out, size_t outsz)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *title, *detail;
	cJSON *root;
	int ok = 0;

	if (len > ERROR_BODY_KEEP)
		return 0;
	root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root))
		goto out;
	title = cJSON_GetObjectItemCaseSensitive(root, "title");
	if (!cJSON_IsString(title))
		title = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (!cJSON_IsString(title))
		title = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!cJSON_IsString(title))
		goto out;
	detail = cJSON_GetObjectItemCaseSensitive(root, "detail");
	if (strbuf_addstr(&sb, title->valuestring) < 0)
		goto out;
	if (cJSON_IsString(detail) && detail->valuestring[0] &&
	    strbuf_addf(&sb, ": %s", detail->valuestring) < 0)
		goto out;
	one_line(sb.buf, sb.len, 0, out, outsz);
	ok = out[0] != '\0';
out:
	strbuf_release(&sb);
	cJSON_Delete(root);
	return ok;
}

void tsp_error_from_http(struct tsp_error *err, long status, const char *body, size_t len)
{
	char words[HTTP_WORDS_MAX + 4];
	size_t i = 0;

	words[0] = '\0';
	if (!body)
		len = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && !error_response_words(body, len, words, sizeof(words)))
		one_line(body + i, len - i, body[i] == '<', words, sizeof(words));
	if (!words[0])
		snprintf(words, sizeof(words), "%s", reason_phrase(status));
	tsp_error_set(err, TSP_ERR_HTTP, status, "HTTP %ld: %s", status, words);
}

/* ---- query bodies ---- */

static void write_int64_array(struct jsonw *w, const char *key, const int64_t *v, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_int64(w, v[i]);
	jsonw_arr_end(w);
}

static const char *element_type_name(const char *t)
{
	static const char *const names[] = { "STATE", "ANNOTATION", "ARROW" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(t, names[i]))
			return names[i];
	return NULL;
}

static int query_check(const struct tsp_query *q, struct tsp_error *err)
{
	size_t i;

	if (q->has_range && q->end < q->start)
		return tsp_error_set(err, TSP_ERR_INVALID, 0,
				     "requested_timerange: end %lld is before start %lld",
				     (long long)q->end, (long long)q->start);
	if (q->has_range && (q->nb_times < 0 || q->nb_times > TSP_NB_TIMES_MAX))
		return tsp_error_set(err, TSP_ERR_INVALID, 0,
				     "requested_timerange: nbTimes %ld is outside 1..%d",
				     (long)q->nb_times, TSP_NB_TIMES_MAX);
	if (q->has_items && q->n_items && !q->items)
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "requested_items: NULL array");
	if (q->table_count < 0)
		return tsp_error_set(err, TSP_ERR_INVALID, 0,
				     "requested_table_count: %ld is negative", (long)q->table_count);
	if (q->n_column_ids && !q->column_ids)
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "requested_table_column_ids: NULL array");
	if (q->n_times && !q->times)
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "requested_times: NULL array");
	if (q->n_categories && !q->categories)
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "requested_marker_categories: NULL array");
	for (i = 0; i < q->n_categories; i++)
		if (!q->categories[i])
			return tsp_error_set(err, TSP_ERR_INVALID, 0,
					     "requested_marker_categories[%zu]: NULL", i);
	if (q->param_key && (!*q->param_key || !strncmp(q->param_key, "requested_", 10)))
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "parameter name '%.40s' is not allowed",
				     q->param_key);
	if (q->element_type && !element_type_name(q->element_type))
		return tsp_error_set(err, TSP_ERR_INVALID, 0,
				     "requested_element: type '%.40s' is not STATE, ANNOTATION or ARROW",
				     q->element_type);
	return 0;
}

int tsp_query_to_json(const struct tsp_query *q, struct strbuf *out, struct tsp_error *err)
{
	struct jsonw w;
	size_t i;

	strbuf_reset(out);
	if (q && query_check(q, err) < 0)
		return -1;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "parameters");
	jsonw_obj_begin(&w);
	if (q && q->has_range) {
		jsonw_key(&w, "requested_timerange");
		jsonw_obj_begin(&w);
		jsonw_kint64(&w, "start", q->start);
		jsonw_kint64(&w, "end", q->end);
		if (q->nb_times)
			jsonw_kint64(&w, q->nb_samples ? "nbSamples" : "nbTimes", q->nb_times);
		jsonw_obj_end(&w);
	}
	if (q && q->param_key)
		jsonw_kint64(&w, q->param_key, q->param_value);
	if (q && q->has_items)
		write_int64_array(&w, "requested_items", q->items, q->n_items);
	if (q && q->has_table_index)
		jsonw_kint64(&w, "requested_table_index", q->table_index);
	if (q && q->table_count)
		jsonw_kint64(&w, "requested_table_count", q->table_count);
	if (q && q->n_column_ids)
		write_int64_array(&w, "requested_table_column_ids", q->column_ids, q->n_column_ids);
	if (q && q->n_times)
		write_int64_array(&w, "requested_times", q->times, q->n_times);
	if (q && q->marker_set)
		jsonw_kstr(&w, "requested_marker_set", q->marker_set);
	if (q && q->n_categories) {
		jsonw_key(&w, "requested_marker_categories");
		jsonw_arr_begin(&w);
		for (i = 0; i < q->n_categories; i++)
			jsonw_str(&w, q->categories[i]);
		jsonw_arr_end(&w);
	}
	if (q && q->element_type) {
		jsonw_key(&w, "requested_element");
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "elementType", element_type_name(q->element_type));
		jsonw_kint64(&w, "time", q->element_time);
		jsonw_kint64(&w, "duration", q->element_duration);
		if (q->has_element_entry)
			jsonw_kint64(&w, "entryId", q->element_entry_id);
		if (q->has_element_destination)
			jsonw_kint64(&w, "destinationId", q->element_destination_id);
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	if (jsonw_finish(&w) < 0) {
		strbuf_reset(out);
		return tsp_error_set(err, TSP_ERR_NOMEM, 0,
				     "cannot build the request body (out of memory or over the buffer cap)");
	}
	return 0;
}

/* ---- transport ---- */

/* What the write callback needs; lives on do_request()'s stack. */
struct sink {
	CURL *curl;
	struct strbuf *out;
	size_t cap;             /* for 2xx answers */
	int status_known;
	int error_answer;       /* non-2xx: keep the start, drain the rest */
	int too_large;
	int nomem;
	size_t error_bytes;     /* all bytes of a non-2xx body seen so far */
	int error_cut;          /* non-2xx body over cap: aborted, status is still valid */
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb, keep;

	if (!s->status_known) {
		long code = 0;
		curl_off_t clen = -1;

		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		s->error_answer = code < 200 || code > 299;
		s->status_known = 1;
		/* A big answer announced: one allocation instead of doubling copies. */
		curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
		if (!s->error_answer && clen > 0 && (size_t)clen <= s->cap)
			strbuf_grow(s->out, (size_t)clen);
	}
	if (s->error_answer) {
		/* Draining keeps the connection reusable; a monster error page is still cut off. */
		keep = ERROR_BODY_KEEP < s->cap ? ERROR_BODY_KEEP : s->cap;
		keep = s->out->len < keep ? keep - s->out->len : 0;
		if (keep > n)
			keep = n;
		if (keep && strbuf_add(s->out, data, keep) < 0) {
			s->nomem = 1;
			return 0;
		}
		s->error_bytes += n;
		if (s->error_bytes > s->cap) {
			s->error_cut = 1;
			return 0;
		}
		return n;
	}
	if (n > s->cap - s->out->len) {
		s->too_large = 1;
		return 0;
	}
	if (strbuf_add(s->out, data, n) < 0) {
		s->nomem = 1;
		return 0;
	}
	return n;
}

static int map_curl_error(struct tsp_client *c, CURLcode rc, const struct sink *s,
			  const char *method, const char *path, long timeout_ms,
			  struct tsp_error *err)
{
	char url[1024];
	const char *why = c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc);
	curl_off_t pretransfer = 0;

	/* Messages reach logs and Grafana: never the URL's user:password. */
	auth_redact_url(strbuf_str(&c->url), url, sizeof(url));
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: connection refused or unreachable at %s (%s)",
				     method, path, url, why);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: cannot resolve the host of %s (%s)", method, path, url, why);
	case CURLE_GOT_NOTHING:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: connection dropped by %s without an answer",
				     method, path, url);
	case CURLE_SEND_ERROR:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: connection dropped while sending to %s (%s)",
				     method, path, url, why);
	case CURLE_RECV_ERROR:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: connection dropped while receiving from %s (%s)",
				     method, path, url, why);
	case CURLE_PARTIAL_FILE:
		return tsp_error_set(err, TSP_ERR_CONNECT, 0,
				     "%s %s: connection dropped mid-answer from %s (%s)",
				     method, path, url, why);
	case CURLE_OPERATION_TIMEDOUT:
		/* Nothing was sent yet: it was the connect phase that ran out. */
		curl_easy_getinfo(c->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
		if (pretransfer == 0)
			return tsp_error_set(err, TSP_ERR_TIMEOUT, 0,
					     "%s %s: no connection to %s within the connect timeout of %ld ms",
					     method, path, url,
					     c->cfg.connect_timeout_ms < timeout_ms ?
					     c->cfg.connect_timeout_ms : timeout_ms);
		return tsp_error_set(err, TSP_ERR_TIMEOUT, 0,
				     "%s %s: no complete answer from %s within the request timeout of %ld ms",
				     method, path, url, timeout_ms);
	case CURLE_WRITE_ERROR:
		if (s->too_large)
			return tsp_error_set(err, TSP_ERR_TOO_LARGE, 0,
					     "%s %s: response exceeds %zu bytes", method, path, s->cap);
		if (s->nomem)
			return tsp_error_set(err, TSP_ERR_NOMEM, 0,
					     "%s %s: out of memory reading the answer", method, path);
		break;
	case CURLE_OUT_OF_MEMORY:
		return tsp_error_set(err, TSP_ERR_NOMEM, 0, "%s %s: out of memory in libcurl",
				     method, path);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "%s %s: bad trace server URL %s (%s)",
				     method, path, url, why);
	default:
		break;
	}
	return tsp_error_set(err, TSP_ERR_CONNECT, 0, "%s %s: cannot talk to %s (%s)",
			     method, path, url, why);
}

/* The options of one exchange on c's handle, its URL already in c->url; the answer goes to sink. */
static void set_options(struct tsp_client *c, const char *method, const char *body, long timeout_ms,
			struct sink *sink)
{
	CURL *h = c->curl;

	/* Forget the previous request's options; live connections survive a reset. */
	curl_easy_reset(h);
	c->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, c->url.buf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 c->cfg.connect_timeout_ms < timeout_ms ? c->cfg.connect_timeout_ms : timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tsp-bridge/" TSPB_VERSION);
	/* Large JSON compresses well; the cap applies to the decoded bytes. */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, body ? c->hdr_body : c->hdr_get);
	if (!body && !strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body || !strcmp(method, "POST")) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)(body ? strlen(body) : 0));
		}
	}
}

/* tsp_client_request() with the total timeout given (re-polls cut it to the deadline). */
static int do_request(struct tsp_client *c, const char *method, const char *path,
		      const char *body, long timeout_ms, long *status, struct strbuf *out,
		      struct tsp_error *err)
{
	CURL *h;
	struct sink sink;
	CURLcode rc;
	long code = 0;
	int ret = -1;

	tsp_error_clear(err);
	if (status)
		*status = 0;
	if (out)
		strbuf_reset(out);
	if (!c || !out || !method || !*method || !path || path[0] != '/') {
		tsp_error_set(err, TSP_ERR_INVALID, 0, "bad request: %s %s", method ? method : "(null)",
			      path ? path : "(null)");
		goto out;
	}
	h = c->curl;
	strbuf_reset(&c->url);
	if (strbuf_addstr(&c->url, c->base_url) < 0 || strbuf_addstr(&c->url, path) < 0) {
		tsp_error_set(err, TSP_ERR_NOMEM, 0, "%s %s: out of memory building the URL",
			      method, path);
		goto out;
	}
	memset(&sink, 0, sizeof(sink));
	sink.curl = h;
	sink.out = out;
	sink.cap = c->cfg.max_response_bytes;
	if (out->cap && out->cap < sink.cap)
		sink.cap = out->cap;

	set_options(c, method, body, timeout_ms, &sink);
	rc = loop_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (status)
		*status = code;
	/* An error page cut at the cap still carries its status and first words. */
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && sink.error_cut)) {
		map_curl_error(c, rc, &sink, method, path, timeout_ms, err);
		goto out;
	}
	if (code < 200 || code > 299) {
		tsp_error_from_http(err, code, out->buf, out->len);
		tsp_error_prefix(err, "%s %s", method, path);
		goto out;
	}
	ret = 0;
out:
	return ret;
}

int tsp_client_request(struct tsp_client *c, const char *method, const char *path,
		       const char *body, long *status, struct strbuf *out,
		       struct tsp_error *err)
{
	return do_request(c, method, path, body, c ? c->cfg.timeout_ms : 0, status, out, err);
}

/* ---- fetch and poll ---- */

/* Parses the answer into m, with errors naming the endpoint and showing a non-JSON body's start. */
static int parse_answer(struct tsp_client *c, const char *method, const char *path, long status,
			enum tsp_model_kind kind, struct tsp_model *m, struct tsp_error *err)
{
	char snippet[SNIPPET_MAX + 4], why[TSP_ERROR_MSG_MAX];
	const struct strbuf *a = &c->answer;

	if (a->len == 0)
		return tsp_error_set(err, TSP_ERR_BAD_JSON, status,
				     "%s %s: empty answer (HTTP %ld), expected %s JSON",
				     method, path, status, tsp_model_kind_name(kind));
	if (tsp_model_parse_max(m, kind, a->buf, a->len, TSP_TREE_FACTOR * c->cfg.max_response_bytes,
				err) == 0)
		return 0;
	err->http_status = status;
	if (err->kind == TSP_ERR_BAD_JSON) {
		/* Showing the start tells a proxy's HTML page from a broken server. */
		one_line(a->buf, a->len < 4 * SNIPPET_MAX ? a->len : 4 * SNIPPET_MAX, 0,
			 snippet, sizeof(snippet));
		memcpy(why, err->msg, sizeof(why));
		tsp_error_set(err, TSP_ERR_BAD_JSON, status, "%s %s: %s; the answer starts: %s",
			      method, path, why, snippet);
	} else {
		tsp_error_prefix(err, "%s %s", method, path);
	}
	return -1;
}

/* The RUNNING-at-deadline error; out keeps the last partial answer. */
static void still_running(struct tsp_error *err, const char *method, const char *path,
			  long status, const struct timespec *t0, const struct tsp_model *out)
{
	tsp_error_set(err, TSP_ERR_RUNNING, status, "%s %s: analysis still running after %ld ms: %s",
		      method, path, mono_ms_since(t0), out->status_message ? out->status_message : "");
}

static int fetch_polled(struct tsp_client *c, const char *method, const char *path,
			const char *body, enum tsp_model_kind kind, struct tsp_model *out,
			struct tsp_error *err)
{
	struct tsp_model next;
	struct tsp_error local;
	struct timespec t0 = mono_now();
	long status = 0, backoff, timeout, left;
	int ret = -1, repoll = 0;

	if (!err)
		err = &local;
	tsp_model_init(&next);
	tsp_model_release(out);
	if (!c) {
		tsp_error_set(err, TSP_ERR_INVALID, 0, "no client");
		goto out;
	}
	backoff = c->cfg.poll_initial_ms;
	for (;;) {
		timeout = c->cfg.timeout_ms;
		if (repoll) {
			left = c->cfg.poll_deadline_ms - mono_ms_since(&t0);
			if (left <= 0) {
				still_running(err, method, path, status, &t0, out);
				goto out;
			}
			if (left < timeout)
				timeout = left;
		}
		if (do_request(c, method, path, body, timeout, &status, &c->answer, err) < 0) {
			/* A re-poll cut short by the deadline: the partial answer stands. */
			if (repoll && err->kind == TSP_ERR_TIMEOUT && timeout < c->cfg.timeout_ms)
				still_running(err, method, path, 200, &t0, out);
			else
				tsp_model_release(out);
			goto out;
		}
		if (parse_answer(c, method, path, status, kind, &next, err) < 0) {
			tsp_model_release(out);
			goto out;
		}
		/* Only a parsed answer replaces the previous (partial) one. */
		tsp_model_release(out);
		*out = next;
		tsp_model_init(&next);
		if (!tsp_model_kind_wrapped(kind) || out->status == TSP_STATUS_COMPLETED)
			break;
		if (out->status == TSP_STATUS_FAILED) {
			tsp_error_set(err, TSP_ERR_FAILED, status, "%s %s: analysis failed: %s",
				      method, path, out->status_message ? out->status_message : "");
			goto out;
		}
		if (out->status == TSP_STATUS_CANCELLED) {
			tsp_error_set(err, TSP_ERR_CANCELLED, status, "%s %s: analysis cancelled: %s",
				      method, path, out->status_message ? out->status_message : "");
			goto out;
		}
		if (out->status != TSP_STATUS_RUNNING) {
			tsp_error_set(err, TSP_ERR_SCHEMA, status, "%s %s: answer has no known status",
				      method, path);
			tsp_model_release(out);
			goto out;
		}
		/* RUNNING: back off, but never sleep past the deadline. */
		left = c->cfg.poll_deadline_ms - mono_ms_since(&t0);
		if (left <= 0) {
			still_running(err, method, path, status, &t0, out);
			goto out;
		}
		loop_sleep_ms(backoff < left ? backoff : left);
		backoff = backoff * 2 < c->cfg.poll_max_ms ? backoff * 2 : c->cfg.poll_max_ms;
		repoll = 1;
	}
	ret = 0;
out:
	tsp_model_release(&next);
	return ret;
}

/* A cache miss's arguments, for tsp_cache_fetch(). */
struct miss {
	struct tsp_client *c;
	const char *method, *path, *body;
	enum tsp_model_kind kind;
};

static int fetch_miss(void *ctx, struct tsp_model *out, struct tsp_error *err)
{
	struct miss *m = ctx;

	return fetch_polled(m->c, m->method, m->path, m->body, m->kind, out, err);
}

int tsp_client_fetch(struct tsp_client *c, const char *method, const char *path,
		     const char *body, enum tsp_model_kind kind, struct tsp_model *out,
		     struct tsp_error *err)
{
	struct miss m = { c, method, path, body, kind };
	struct strbuf *k;
	int rc;

	/* Lists and health change over time: only {model, status} answers can be final. */
	if (!c || !c->cfg.cache || !method || !path || !tsp_model_kind_wrapped(kind)) {
		rc = fetch_polled(c, method, path, body, kind, out, err);
		goto out;
	}
	k = &c->key;
	strbuf_reset(k);
	if (strbuf_addstr(k, method) < 0 || strbuf_addch(k, ' ') < 0 ||
	    strbuf_addstr(k, c->base_url) < 0 || strbuf_addstr(k, path) < 0 ||
	    strbuf_addch(k, '\n') < 0 || (body && strbuf_addstr(k, body) < 0))
		rc = fetch_polled(c, method, path, body, kind, out, err);
	else
		rc = tsp_cache_fetch(c->cfg.cache, k->buf, k->len, fetch_miss, &m, out, err);
out:
	if (c && (rc < 0 || out->status != TSP_STATUS_COMPLETED))
		(*tsp_unsettled_slot())++;
	return rc;
}

/* ---- typed calls ---- */

/* Appends fmt to sb with each '%' replaced by the next string argument, URL-escaped. */
static int vpath(struct strbuf *sb, struct tsp_error *err, const char *fmt, va_list ap)
{
	const char *p, *arg;
	int rc = 0;

	for (p = fmt; *p && rc == 0; p++) {
		if (*p != '%') {
			rc = strbuf_addch(sb, *p);
			continue;
		}
		arg = va_arg(ap, const char *);
		if (!arg || !*arg)
			return tsp_error_set(err, TSP_ERR_INVALID, 0, "%s: missing id", fmt);
		rc = tsp_url_escape(sb, arg);
	}
	if (rc < 0)
		return tsp_error_set(err, TSP_ERR_NOMEM, 0, "%s: out of memory building the path", fmt);
	return 0;
}

/* Fetches kind from the path fmt (see vpath) with method and body. */
static int call(struct tsp_client *c, const char *method, const char *body,
		enum tsp_model_kind kind, struct tsp_model *out, struct tsp_error *err,
		const char *fmt, ...)
{
	struct strbuf path = STRBUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vpath(&path, err, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		tsp_model_release(out);
		goto out;
	}
	ret = tsp_client_fetch(c, method, path.buf, body, kind, out, err);
out:
	strbuf_release(&path);
	return ret;
}

/* POST to an output endpoint fmt ("/experiments/%/outputs/.../%/...") with q as body. */
static int output_query(struct tsp_client *c, const char *fmt, const char *exp,
			const char *output, const struct tsp_query *q, enum tsp_model_kind kind,
			struct tsp_model *out, struct tsp_error *err)
{
	struct strbuf body = STRBUF_INIT;
	int ret = -1;

	if (tsp_query_to_json(q, &body, err) < 0) {
		tsp_model_release(out);
		goto out;
	}
	ret = call(c, "POST", body.buf, kind, out, err, fmt, exp, output);
out:
	strbuf_release(&body);
	return ret;
}

int tsp_get_health(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_HEALTH, out, err, "/health");
}

int tsp_get_identifier(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_IDENTIFIER, out, err, "/identifier");
}

int tsp_list_traces(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_TRACES, out, err, "/traces");
}

int tsp_open_trace(struct tsp_client *c, const char *uri, const char *name, const char *type_id,
		   struct tsp_model *out, struct tsp_error *err)
{
	struct strbuf body = STRBUF_INIT;
	struct jsonw w;
	int ret = -1;

	if (!uri || !*uri) {
		tsp_model_release(out);
		tsp_error_set(err, TSP_ERR_INVALID, 0, "POST /traces: missing trace URI");
		goto out;
	}
	jsonw_init(&w, &body);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "parameters");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "uri", uri);
	if (name)
		jsonw_kstr(&w, "name", name);
	if (type_id)
		jsonw_kstr(&w, "typeID", type_id);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	if (jsonw_finish(&w) < 0) {
		tsp_model_release(out);
		tsp_error_set(err, TSP_ERR_NOMEM, 0, "POST /traces: out of memory building the body");
		goto out;
	}
	ret = call(c, "POST", body.buf, TSP_M_TRACE, out, err, "/traces");
out:
	strbuf_release(&body);
	return ret;
}

int tsp_list_experiments(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_EXPERIMENTS, out, err, "/experiments");
}

int tsp_get_experiment(struct tsp_client *c, const char *uuid,
		       struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_EXPERIMENT, out, err, "/experiments/%", uuid);
}

int tsp_create_experiment(struct tsp_client *c, const char *name,
			  const char *const *trace_uuids, size_t n,
			  struct tsp_model *out, struct tsp_error *err)
{
	struct strbuf body = STRBUF_INIT;
	struct jsonw w;
	size_t i;
	int ret = -1;

	if (!name || (n && !trace_uuids)) {
		tsp_model_release(out);
		tsp_error_set(err, TSP_ERR_INVALID, 0, "POST /experiments: missing name or trace list");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!trace_uuids[i]) {
			tsp_model_release(out);
			tsp_error_set(err, TSP_ERR_INVALID, 0, "POST /experiments: trace %zu is NULL", i);
			goto out;
		}
	}
	jsonw_init(&w, &body);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "parameters");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", name);
	jsonw_key(&w, "traces");
	jsonw_arr_begin(&w);
	for (i = 0; i < n; i++)
		jsonw_str(&w, trace_uuids[i]);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	if (jsonw_finish(&w) < 0) {
		tsp_model_release(out);
		tsp_error_set(err, TSP_ERR_NOMEM, 0, "POST /experiments: out of memory building the body");
		goto out;
	}
	ret = call(c, "POST", body.buf, TSP_M_EXPERIMENT, out, err, "/experiments");
out:
	strbuf_release(&body);
	return ret;
}

int tsp_list_outputs(struct tsp_client *c, const char *exp,
		     struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_OUTPUTS, out, err, "/experiments/%/outputs", exp);
}

int tsp_get_output(struct tsp_client *c, const char *exp, const char *output_id,
		   struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_OUTPUT, out, err, "/experiments/%/outputs/%",
		    exp, output_id);
}

int tsp_xy_tree(struct tsp_client *c, const char *exp, const char *output,
		const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/XY/%/tree", exp, output, q,
			    TSP_M_TREE, out, err);
}

int tsp_xy(struct tsp_client *c, const char *exp, const char *output,
	   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/XY/%/xy", exp, output, q,
			    TSP_M_XY, out, err);
}

int tsp_generic_xy_tree(struct tsp_client *c, const char *exp, const char *output,
			const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/genericXY/%/tree", exp, output, q,
			    TSP_M_TREE, out, err);
}

int tsp_generic_xy(struct tsp_client *c, const char *exp, const char *output,
		   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/genericXY/%/xy", exp, output, q,
			    TSP_M_XY, out, err);
}

int tsp_tg_tree(struct tsp_client *c, const char *exp, const char *output,
		const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/timeGraph/%/tree", exp, output, q,
			    TSP_M_TREE, out, err);
}

int tsp_tg_states(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/timeGraph/%/states", exp, output, q,
			    TSP_M_TG_STATES, out, err);
}

int tsp_tg_arrows(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/timeGraph/%/arrows", exp, output, q,
			    TSP_M_TG_ARROWS, out, err);
}

int tsp_tg_tooltip(struct tsp_client *c, const char *exp, const char *output,
		   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/timeGraph/%/tooltip", exp, output, q,
			    TSP_M_TOOLTIP, out, err);
}

int tsp_table_columns(struct tsp_client *c, const char *exp, const char *output,
		      const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/table/%/columns", exp, output, q,
			    TSP_M_TABLE_COLUMNS, out, err);
}

int tsp_table_lines(struct tsp_client *c, const char *exp, const char *output,
		    const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/table/%/lines", exp, output, q,
			    TSP_M_TABLE_LINES, out, err);
}

int tsp_data_tree(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/data/%/tree", exp, output, q,
			    TSP_M_TREE, out, err);
}

int tsp_styles(struct tsp_client *c, const char *exp, const char *output,
	       const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/%/style", exp, output, q,
			    TSP_M_STYLES, out, err);
}

int tsp_annotations(struct tsp_client *c, const char *exp, const char *output,
		    const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err)
{
	return output_query(c, "/experiments/%/outputs/%/annotations", exp, output, q,
			    TSP_M_ANNOTATIONS, out, err);
}

int tsp_annotation_categories(struct tsp_client *c, const char *exp, const char *output,
			      const char *marker_set, struct tsp_model *out, struct tsp_error *err)
{
	if (marker_set && *marker_set)
		return call(c, "GET", NULL, TSP_M_ANNOTATION_CATEGORIES, out, err,
			    "/experiments/%/outputs/%/annotations?markerSetId=%",
			    exp, output, marker_set);
	return call(c, "GET", NULL, TSP_M_ANNOTATION_CATEGORIES, out, err,
		    "/experiments/%/outputs/%/annotations", exp, output);
}

int tsp_marker_sets(struct tsp_client *c, const char *exp,
		    struct tsp_model *out, struct tsp_error *err)
{
	return call(c, "GET", NULL, TSP_M_MARKER_SETS, out, err,
		    "/experiments/%/outputs/markerSets", exp);
}
