#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "cors.h"
#include "http_gzip.h"
#include "jsonw.h"
#include "resp_cache.h"
#include "log.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_config cfg;
	int port;
};

/* Per-connection request state, alive from the first callback to completion. */
struct request_ctx {
	struct strbuf body;
	struct timespec started;
	int restricted;                 /* see http_request.restricted */
};

const char *http_request_arg(const struct http_request *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void http_response_error(struct http_response *res, int status, const char *fmt, ...)
{
	char msg[1024];
	struct jsonw w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res->status = status;
	res->content_type = "application/json";
	strbuf_reset(&res->body);
	jsonw_init(&w, &res->body);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "error", msg);
	jsonw_obj_end(&w);
}

const struct http_route *http_route_find(const struct http_route *routes, size_t n,
					 const char *method, const char *path, int *status)
{
	int path_known = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(routes[i].path, path))
			continue;
		path_known = 1;
		if (!strcmp(routes[i].method, method)) {
			*status = 200;
			return &routes[i];
		}
	}
	*status = path_known ? 405 : 404;
	return NULL;
}

static void allowed_methods(const struct http_route *routes, size_t n, const char *path,
			    char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		if (!strcmp(routes[i].path, path))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? ", " : "", routes[i].method);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* gzip when asked and worth it; on any failure the body goes out as it is. */
static void maybe_gzip(const struct http_server *s, struct MHD_Connection *conn,
		       struct http_response *res, int *gzipped)
{
	struct strbuf z;

	*gzipped = 0;
	if (s->cfg.gzip_level <= 0 || res->body.len < HTTP_GZIP_MIN_BYTES ||
	    !http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							   MHD_HTTP_HEADER_ACCEPT_ENCODING)))
		return;
	strbuf_init(&z, 0);
	if (http_gzip(res->body.buf, res->body.len, s->cfg.gzip_level, &z) == 0) {
		strbuf_release(&res->body);
		res->body = z;
		*gzipped = 1;
		return;
	}
	strbuf_release(&z);
}

/* CORS headers for an allowed Origin, and the challenges of a 401. */
static void add_access_headers(const struct http_server *s, struct MHD_Connection *conn,
			       struct MHD_Response *r, int status)
{
	const char *challenges[2];
	size_t i, n;

	if (s->cfg.cors_origins) {
		const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");

		/* Whether the header is there depends on Origin: caches must know. */
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
		if (cors_origin_allowed(s->cfg.cors_origins, origin))
			MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, origin);
	}
	if (status == 401) {
		n = auth_challenges(s->cfg.auth, challenges);
		for (i = 0; i < n; i++)
			MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenges[i]);
	}
}

/* Headers every answer gets, and queues it. */
static enum MHD_Result queue(const struct http_server *s, struct MHD_Connection *conn,
			     struct MHD_Response *r, int status, const char *content_type,
			     int gzipped, const char *allow)
{
	enum MHD_Result ret;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				content_type ? content_type : "application/json");
	if (s->cfg.gzip_level > 0)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gzipped)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	add_access_headers(s, conn, r, status);
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_response(const struct http_server *s, struct MHD_Connection *conn,
				     struct http_response *res, const char *allow)
{
	struct MHD_Response *r;
	size_t len;
	char *data;
	int gzipped;

	maybe_gzip(s, conn, res, &gzipped);
	data = strbuf_detach(&res->body, &len);
	if (!data)
		data = strdup("");
	if (!data)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	return queue(s, conn, r, res->status, res->content_type, gzipped, allow);
}

/* ---- stored answers ---- */

struct held {
	struct resp_cache *rc;
	const struct resp_entry *e;
};

/* MHD is done with a stored answer's bytes: drop our reference. */
static void held_done(void *cls)
{
	struct held *h = cls;

	resp_entry_unref(h->rc, h->e);
	free(h);
}

/* Sends e without copying it (gzip made once per entry); takes over the reference. */
static enum MHD_Result send_stored(const struct http_server *s, struct MHD_Connection *conn,
				   const struct resp_entry *e)
{
	struct resp_cache *rc = s->cfg.resp_cache;
	struct held *h = malloc(sizeof(*h));
	struct MHD_Response *r;
	const char *data = e->body;
	size_t len = e->len, gz_len;
	const char *gz;
	int gzipped = 0;

	if (!h) {
		resp_entry_unref(rc, e);
		return MHD_NO;
	}
	h->rc = rc;
	h->e = e;
	if (s->cfg.gzip_level > 0 && e->len >= HTTP_GZIP_MIN_BYTES &&
	    http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
		gz = resp_entry_gz(rc, e, &gz_len);
		if (!gz) {
			struct strbuf z;

			strbuf_init(&z, 0);
			if (http_gzip(e->body, e->len, s->cfg.gzip_level, &z) == 0) {
				char *zb = strbuf_detach(&z, &gz_len);

				resp_entry_set_gz(rc, e, zb, gz_len);
				gz = resp_entry_gz(rc, e, &gz_len);
			}
			strbuf_release(&z);
		}
		if (gz) {
			data = gz;
			len = gz_len;
			gzipped = 1;
		}
	}
	r = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)data, held_done, h);
	if (!r) {
		held_done(h);
		return MHD_NO;
	}
	return queue(s, conn, r, e->status, e->content_type, gzipped, NULL);
}

/* One field of a cache key: its length, then its bytes, so no content can forge a boundary. */
static void key_field(struct strbuf *k, const char *s, size_t n)
{
	strbuf_addf(k, "%zu:", n);
	strbuf_add(k, s, n);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct strbuf *k = cls;

	(void)kind;
	key_field(k, key, strlen(key));
	/* An argument without '=' and one with an empty value are different requests. */
	if (value)
		key_field(k, value, strlen(value));
	else
		strbuf_addch(k, '-');
	return MHD_YES;
}

/*
 * Method, path, every query argument in order, body: what the answer
 * depends on. Arguments arrive decoded ("a%26b=c" is one argument "a&b"),
 * so each part is length-prefixed rather than joined with separators.
 */
static int http_cache_key(struct MHD_Connection *conn, const char *method, const char *url,
		   const char *body, size_t body_len, struct strbuf *key)
{
	key_field(key, method, strlen(method));
	key_field(key, url, strlen(url));
	if (conn)
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, key);
	strbuf_addch(key, '\n');
	key_field(key, body ? body : "", body ? body_len : 0);
	return key->overflow ? -1 : 0;
}

struct nul_arg {
	const char *key;        /* the first argument holding a NUL, or NULL */
};

static enum MHD_Result find_nul_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				    size_t key_size, const char *value, size_t value_size)
{
	struct nul_arg *na = cls;

	(void)kind;
	if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
		na->key = key;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * OPTIONS on a known path: 204 with Allow, plus the CORS preflight headers
 * when the Origin is allowed. No credentials needed: browsers send none on
 * a preflight, and the answer only tells which methods the path has.
 */
static enum MHD_Result send_options(const struct http_server *s, struct MHD_Connection *conn,
				    const char *methods)
{
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	struct MHD_Response *r;
	enum MHD_Result ret;
	char allow[160];

	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	snprintf(allow, sizeof(allow), "%s, OPTIONS", methods);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (s->cfg.cors_origins && cors_origin_allowed(s->cfg.cors_origins, origin)) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_METHODS, methods);
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_HEADERS,
					CORS_ALLOW_HEADERS);
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_MAX_AGE, CORS_MAX_AGE_S);
	}
	add_access_headers(s, conn, r, 204);
	ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Before the route and before any body is read: OPTIONS, then credentials.
 * Returns 1 when it answered the request (*ret set), 0 to go on.
 */
static int access_gate(const struct http_server *s, struct MHD_Connection *conn,
		       const char *method, const char *url, struct request_ctx *ctx,
		       enum MHD_Result *ret)
{
	const struct http_route *route;
	struct http_response res;
	enum auth_result ar;
	char methods[128];
	int status;

	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS)) {
		allowed_methods(s->cfg.routes, s->cfg.n_routes, url, methods, sizeof(methods));
		if (methods[0]) {
			log_debug("%s %s -> 204", method, url);
			*ret = send_options(s, conn, methods);
			return 1;
		}
	}
	if (!auth_enabled(s->cfg.auth))
		return 0;
	/* The header is read here only; it is never logged. */
	ar = auth_check(s->cfg.auth, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								 MHD_HTTP_HEADER_AUTHORIZATION));
	if (ar == AUTH_OK)
		return 0;
	route = http_route_find(s->cfg.routes, s->cfg.n_routes, method, url, &status);
	if (route && (route->flags & HTTP_ROUTE_PUBLIC)) {
		ctx->restricted = 1;
		return 0;
	}
	strbuf_init(&res.body, 0);
	http_response_error(&res, 401, "%s", auth_result_message(ar));
	log_debug("%s %s -> 401 (%s)", method, url, auth_result_message(ar));
	*ret = send_response(s, conn, &res, NULL);
	strbuf_release(&res.body);
	return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *s = cls;
	struct request_ctx *ctx = *con_cls;
	struct http_response res;
	const struct http_route *route;
	char allow[128];
	enum MHD_Result ret;
	int status;

	(void)version;
	if (!ctx) {
		const char *clen;

		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		strbuf_init(&ctx->body, s->cfg.max_body);
		clock_gettime(CLOCK_MONOTONIC, &ctx->started);
		*con_cls = ctx;
		if (access_gate(s, conn, method, url, ctx, &ret))
			return ret;
		/* %00 would cut an argument short without a word: refused, naming it. */
		{
			struct nul_arg na = { NULL };

			MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, find_nul_arg, &na);
			if (na.key) {
				strbuf_init(&res.body, 0);
				http_response_error(&res, 400, "query argument \"%s\" holds a NUL "
						    "character (%%00)", na.key);
				ret = send_response(s, conn, &res, NULL);
				strbuf_release(&res.body);
				return ret;
			}
		}
		/* A declared oversized body is refused before it is read. */
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						   MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen && strtoull(clen, NULL, 10) > s->cfg.max_body) {
			strbuf_init(&res.body, 0);
			http_response_error(&res, 413, "request body exceeds %zu bytes",
					    s->cfg.max_body);
			log_debug("%s %s -> 413 (Content-Length %s)", method, url, clen);
			ret = send_response(s, conn, &res, NULL);
			strbuf_release(&res.body);
			return ret;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Keep reading an oversized body but drop it: the answer is 413. */
		if (!ctx->body.overflow)
			strbuf_add(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	res.status = 200;
	res.content_type = "application/json";
	strbuf_init(&res.body, s->cfg.max_response);
	allow[0] = '\0';
	route = http_route_find(s->cfg.routes, s->cfg.n_routes, method, url, &status);
	if (ctx->body.overflow) {
		http_response_error(&res, 413, "request body exceeds %zu bytes", s->cfg.max_body);
	} else if (!route && status == 405) {
		allowed_methods(s->cfg.routes, s->cfg.n_routes, url, allow, sizeof(allow));
		http_response_error(&res, 405, "method %s not allowed on %s (allowed: %s)",
				    method, url, allow);
	} else if (!route) {
		http_response_error(&res, 404, "no such endpoint: %s %s", method, url);
	} else {
		struct http_request req = {
			.method = method,
			.path = url,
			.body = strbuf_str(&ctx->body),
			.body_len = ctx->body.len,
			.conn = conn,
			.app = s->cfg.app,
			.restricted = ctx->restricted,
		};

		struct strbuf key = STRBUF_INIT;
		int cacheable = (route->flags & HTTP_ROUTE_CACHE) && s->cfg.resp_cache &&
				!ctx->restricted && http_cache_key(conn, method, url, ctx->body.buf, ctx->body.len, &key) == 0;
		unsigned long mark = 0;

		if (cacheable) {
			const struct resp_entry *e = resp_cache_get(s->cfg.resp_cache, key.buf, key.len);

			if (e) {
				log_debug("%s %s -> %d stored (%.2f ms)", method, url, e->status,
					  ms_since(&ctx->started));
				strbuf_release(&key);
				strbuf_release(&res.body);
				return send_stored(s, conn, e);
			}
			mark = s->cfg.settled ? s->cfg.settled(s->cfg.app) : 0;
		}
		route->fn(&req, &res);
		if (res.body.overflow)
			http_response_error(&res, 500, "response exceeds %zu bytes", s->cfg.max_response);
		else if (cacheable && res.status == 200 && s->cfg.settled &&
			 s->cfg.settled(s->cfg.app) == mark)
			resp_cache_put(s->cfg.resp_cache, key.buf, key.len, res.status,
				       res.content_type, res.body.buf ? res.body.buf : "", res.body.len);
		strbuf_release(&key);
	}
	log_debug("%s %s -> %d (%.2f ms)", method, url, res.status, ms_since(&ctx->started));
	ret = send_response(s, conn, &res, allow[0] ? allow : NULL);
	strbuf_release(&res.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	strbuf_release(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

struct http_server *http_server_start(const struct http_server_config *cfg, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in6 sa6;
	struct sockaddr_in sa4;
	struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, cfg->listen_addr, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen address '%s' is not an IPv4 or IPv6 address",
			 cfg->listen_addr);
		free(s);
		return NULL;
	}
	s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
				     /* first, or MHD logs the options before it itself */
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
				     MHD_OPTION_SOCK_ADDR, sa,
				     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
				     /* bounds the request line and headers: 431 from libmicrohttpd above */
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				     cfg->max_header ? cfg->max_header : (size_t)32 << 10,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s port %d (in use, or not permitted?)",
			 cfg->listen_addr, cfg->port);
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	return s;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
