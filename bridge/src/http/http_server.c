#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "cors.h"
#include "http_gzip.h"
#include "jsonw.h"
#include "resp_cache.h"
#include "workpool.h"
#include "log.h"
#include "monotime.h"

/*
 * What a connection waits for. libmicrohttpd's timeout counts idle time
 * only, so a client sending a byte a second would hold its connection
 * forever; the reaper cuts one whose head or body takes longer than
 * request_timeout_s, counted from when that phase began.
 */
enum conn_phase {
	PH_HEAD,        /* a request head (or the next one, on a kept-alive connection) */
	PH_BODY,        /* the body of a request whose head is in */
	PH_BUSY,        /* being answered: bounded by the handlers' own deadlines */
};

struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	enum conn_phase phase;
	struct timespec since;          /* CLOCK_MONOTONIC, when the phase began */
	int cut;                        /* shut down by the reaper */
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_config cfg;
	int port;
	/* Guards the tracks, in_flight and the flags; the fd of a track stays open while held. */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct conn_track tracks;       /* list head */
	size_t in_flight;               /* requests whose head is in and answer not yet sent */
	size_t handlers;                /* handlers running on the pool (their connections suspended) */
	int draining, stopping;
	pthread_t reaper;
	int reaper_started;
};

/* Query arguments of one request: libmicrohttpd 0.9.75 gives no answer at all past its pool. */
#define HTTP_MAX_ARGS 128

/*
 * Per-request state, from the request line (uri_logger) to completion.
 * Made before the head is parsed, so its first on_request call is marked
 * by `began`, not by a NULL context.
 */
struct pending;

struct request_ctx {
	struct strbuf body;
	struct pending *job;            /* a handler run on the pool, and then its answer */
	struct timespec started;
	int restricted;                 /* see http_request.restricted */
	int began;                      /* on_request has seen the head */
	int counted;                    /* counted in in_flight */
	size_t n_args;                  /* query arguments in the request line */
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
static enum MHD_Result queue(struct http_server *s, struct MHD_Connection *conn,
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
	/* Stopping: the client should not send another request on this connection. */
	if (s->draining)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	add_access_headers(s, conn, r, status);
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_response(struct http_server *s, struct MHD_Connection *conn,
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
static enum MHD_Result send_stored(struct http_server *s, struct MHD_Connection *conn,
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
static int access_gate(struct http_server *s, struct MHD_Connection *conn,
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

/* ---- connection tracking: deadlines, in-flight requests ---- */

static struct conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
								     MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void set_phase(struct http_server *s, struct MHD_Connection *conn, enum conn_phase ph)
{
	struct conn_track *t = track_of(conn);

	if (!t)
		return;
	pthread_mutex_lock(&s->lock);
	t->phase = ph;
	t->since = mono_now();
	pthread_mutex_unlock(&s->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
									     MHD_CONNECTION_INFO_CONNECTION_FD);

		t = calloc(1, sizeof(*t));
		if (!t || !ci) {
			free(t);
			return;         /* untracked: only its idle timeout bounds it */
		}
		t->fd = ci->connect_fd;
		t->phase = PH_HEAD;
		t->since = mono_now();
		pthread_mutex_lock(&s->lock);
		t->next = s->tracks.next;
		t->prev = &s->tracks;
		s->tracks.next->prev = t;
		s->tracks.next = t;
		pthread_mutex_unlock(&s->lock);
		*socket_context = t;
		return;
	}
	/* Closed: libmicrohttpd closes the fd after this returns, so no shutdown() can hit a reused fd. */
	if (!t)
		return;
	pthread_mutex_lock(&s->lock);
	t->prev->next = t->next;
	t->next->prev = t->prev;
	pthread_mutex_unlock(&s->lock);
	free(t);
	*socket_context = NULL;
}

static double seconds_since(const struct timespec *t0, const struct timespec *now)
{
	return (double)(now->tv_sec - t0->tv_sec) + (double)(now->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Cuts connections past their head or body deadline (all idle ones while draining). */
static void *reaper_main(void *arg)
{
	struct http_server *s = arg;
	struct timespec now, wake;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		struct conn_track *t;

		now = mono_now();
		for (t = s->tracks.next; t != &s->tracks; t = t->next) {
			int late = t->phase != PH_BUSY &&
				   seconds_since(&t->since, &now) > (double)s->cfg.request_timeout_s;

			/* Draining: a connection between requests has nothing to finish. */
			if (!t->cut && (late || (s->draining && t->phase == PH_HEAD))) {
				shutdown(t->fd, SHUT_RDWR);
				t->cut = 1;
				if (late)
					log_debug("http: connection cut: request %s not in after %ld s",
						  t->phase == PH_HEAD ? "head" : "body", s->cfg.request_timeout_s);
			}
		}
		clock_gettime(CLOCK_REALTIME, &wake);
		wake.tv_nsec += 200 * 1000000L;
		if (wake.tv_nsec >= 1000000000L) {
			wake.tv_sec++;
			wake.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->changed, &s->lock, &wake);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- request framing ---- */

/*
 * The request line, before libmicrohttpd parses its arguments: makes the
 * request's context, and counts the arguments. Past HTTP_MAX_ARGS the
 * arguments are cut off here (libmicrohttpd 0.9.75 runs out of its pool on
 * them and then answers nothing until the timeout) and the request is
 * answered 400 by on_request.
 */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *s = cls;
	struct request_ctx *ctx = calloc(1, sizeof(*ctx));
	char *q = strchr(uri, '?');
	const char *p;

	(void)conn;
	if (!ctx)
		return NULL;
	strbuf_init(&ctx->body, s->cfg.max_body);
	ctx->started = mono_now();
	if (q) {
		ctx->n_args = 1;
		for (p = q; (p = strchr(p + 1, '&')); )
			ctx->n_args++;
		/*
		 * The URI is libmicrohttpd's own buffer, parsed in place right
		 * after this returns: an empty string leaves no argument to store.
		 */
		if (ctx->n_args > HTTP_MAX_ARGS)
			q[1] = '\0';
	}
	return ctx;
}

struct header_count {
	const char *name;
	size_t n;
	const char *value;              /* the first one */
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct header_count *hc = cls;

	(void)kind;
	if (!strcasecmp(key, hc->name) && !hc->n++)
		hc->value = value;
	return MHD_YES;
}

/*
 * What the bridge refuses in a head before any body is read: framing that
 * libmicrohttpd 0.9.75 would read one way and a proxy in front another
 * (request smuggling), or would hang on. NULL when the head is fine.
 */
static const char *framing_error(struct MHD_Connection *conn, const struct request_ctx *ctx,
				 char *buf, size_t len)
{
	struct header_count cl = { MHD_HTTP_HEADER_CONTENT_LENGTH, 0, NULL };
	struct header_count te = { MHD_HTTP_HEADER_TRANSFER_ENCODING, 0, NULL };

	if (ctx->n_args > HTTP_MAX_ARGS) {
		snprintf(buf, len, "too many query arguments (%zu; at most %d)", ctx->n_args,
			 HTTP_MAX_ARGS);
		return buf;
	}
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &cl);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &te);
	if (cl.n > 1)
		return "more than one Content-Length header";
	if (te.n > 1)
		return "more than one Transfer-Encoding header";
	if (te.n && cl.n)
		return "both Transfer-Encoding and Content-Length";
	if (te.n && strcasecmp(te.value, "chunked")) {
		snprintf(buf, len, "Transfer-Encoding \"%.64s\" is not supported (only chunked)", te.value);
		return buf;
	}
	return NULL;
}

/* One request's handler, run on the pool or here, and its answer. */
struct pending {
	struct http_server *s;
	struct MHD_Connection *conn;
	const struct http_route *route;
	struct http_request req;
	struct http_response res;
	struct strbuf key;              /* the answer cache's key, when cacheable */
	int cacheable;
};

static void pending_free(struct pending *p)
{
	if (!p)
		return;
	strbuf_release(&p->res.body);
	strbuf_release(&p->key);
	free(p);
}

/*
 * Runs the handler and keeps its answer when it may be: a 200 built from
 * final upstream data only (settled() unchanged on the thread that ran it).
 */
static void run_handler(struct pending *p)
{
	struct http_server *s = p->s;
	unsigned long mark = p->cacheable && s->cfg.settled ? s->cfg.settled(s->cfg.app) : 0;

	p->route->fn(&p->req, &p->res);
	if (p->res.body.overflow)
		http_response_error(&p->res, 413, "the answer would be larger than %zu MiB "
				    "(--max-answer-mb)", s->cfg.max_response >> 20);
	else if (p->cacheable && p->res.status == 200 && s->cfg.settled &&
		 s->cfg.settled(s->cfg.app) == mark)
		resp_cache_put(s->cfg.resp_cache, p->key.buf, p->key.len, p->res.status,
			       p->res.content_type, p->res.body.buf ? p->res.body.buf : "", p->res.body.len);
}

/* On the pool: the handler, then the connection resumed to send its answer. */
static void run_pending(void *arg, size_t i)
{
	struct pending *p = arg;
	struct http_server *s = p->s;

	(void)i;
	run_handler(p);
	/* From here the connection's thread owns p (it may free it at once). */
	MHD_resume_connection(p->conn);
	pthread_mutex_lock(&s->lock);
	s->handlers--;
	/* Only a stop waits on the count: waking the reaper per request costs a scan of every connection. */
	if (s->draining)
		pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

/* A 400 for a head the bridge will not read on: the connection is closed after it. */
static enum MHD_Result refuse_head(struct http_server *s, struct MHD_Connection *conn,
				   const char *method, const char *url, const char *why)
{
	struct http_response res;
	struct MHD_Response *r;
	size_t len;
	char *data;

	strbuf_init(&res.body, 0);
	http_response_error(&res, 400, "%s", why);
	log_debug("%s %s -> 400 (%s)", method, url, why);
	data = strbuf_detach(&res.body, &len);
	r = data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
	if (!r) {
		free(data);
		return MHD_NO;
	}
	/* What follows the head cannot be trusted to be a body or a next request. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return queue(s, conn, r, 400, "application/json", 0, NULL);
}

/*
 * The head is in: count the request, refuse what cannot be served (framing,
 * credentials, a NUL in an argument, a declared body over the limit) before
 * any body is read. MHD_YES with nothing queued: go on reading.
 */
static enum MHD_Result begin_request(struct http_server *s, struct MHD_Connection *conn,
				     const char *url, const char *method, struct request_ctx *ctx)
{
	struct http_response res;
	enum MHD_Result ret;
	const char *clen, *bad;
	char why[160];

	ctx->began = 1;
	ctx->counted = 1;
	pthread_mutex_lock(&s->lock);
	s->in_flight++;
	pthread_mutex_unlock(&s->lock);
	set_phase(s, conn, PH_BODY);
	bad = framing_error(conn, ctx, why, sizeof(why));
	if (bad) {
		set_phase(s, conn, PH_BUSY);
		return refuse_head(s, conn, method, url, bad);
	}
	if (access_gate(s, conn, method, url, ctx, &ret)) {
		set_phase(s, conn, PH_BUSY);
		return ret;
	}
	/* %00 would cut an argument short without a word: refused, naming it. */
	{
		struct nul_arg na = { NULL };

		MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, find_nul_arg, &na);
		if (na.key) {
			strbuf_init(&res.body, 0);
			http_response_error(&res, 400, "query argument \"%s\" holds a NUL "
					    "character (%%00)", na.key);
			set_phase(s, conn, PH_BUSY);
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
		set_phase(s, conn, PH_BUSY);
		ret = send_response(s, conn, &res, NULL);
		strbuf_release(&res.body);
		return ret;
	}
	return MHD_YES;
}

/*
 * A routed request: its stored answer when the cache has one, else its
 * handler, on the pool (the connection suspended until it is done) or here.
 * res (its body buffer) is consumed.
 */
static enum MHD_Result run_route(struct http_server *s, struct MHD_Connection *conn, const char *url,
				 const char *method, struct request_ctx *ctx,
				 const struct http_route *route, struct http_response *res)
{
	enum MHD_Result ret;
	struct pending *p = calloc(1, sizeof(*p));
	const struct resp_entry *e;

	if (!p) {
		http_response_error(res, 500, "out of memory");
		goto answer;
	}
	p->s = s;
	p->conn = conn;
	p->route = route;
	p->req = (struct http_request){
		.method = method,
		.path = url,
		.body = strbuf_str(&ctx->body),
		.body_len = ctx->body.len,
		.conn = conn,
		.app = s->cfg.app,
		.restricted = ctx->restricted,
	};
	p->res = *res;          /* its body buffer passes to the job */
	strbuf_init(&res->body, 0);
	strbuf_init(&p->key, 0);
	p->cacheable = (route->flags & HTTP_ROUTE_CACHE) && s->cfg.resp_cache && !ctx->restricted &&
		       http_cache_key(conn, method, url, ctx->body.buf, ctx->body.len, &p->key) == 0;
	if (p->cacheable && (e = resp_cache_get(s->cfg.resp_cache, p->key.buf, p->key.len))) {
		log_debug("%s %s -> %d stored (%.2f ms)", method, url, e->status,
			  mono_elapsed_ms(&ctx->started));
		pending_free(p);
		strbuf_release(&res->body);
		return send_stored(s, conn, e);
	}
	/*
	 * Anything that may wait on a trace server runs on the pool, the
	 * connection suspended meanwhile: this thread goes on serving its
	 * other connections (and answers from the cache).
	 */
	if (s->cfg.pool) {
		ctx->job = p;
		pthread_mutex_lock(&s->lock);
		s->handlers++;
		pthread_mutex_unlock(&s->lock);
		MHD_suspend_connection(conn);
		if (workpool_submit(s->cfg.pool, run_pending, p) == 0) {
			strbuf_release(&res->body);
			return MHD_YES;
		}
		/* Not queued: run here, and be resumed at once. */
		run_pending(p, 0);
		strbuf_release(&res->body);
		return MHD_YES;
	}
	run_handler(p);
	strbuf_release(&res->body);
	*res = p->res;
	strbuf_init(&p->res.body, 0);
	pending_free(p);
answer:
	log_debug("%s %s -> %d (%.2f ms)", method, url, res->status, mono_elapsed_ms(&ctx->started));
	ret = send_response(s, conn, res, NULL);
	strbuf_release(&res->body);
	return ret;
}

/* The whole request is in: route it, answer from the cache, or run its handler (on the pool). */
static enum MHD_Result dispatch(struct http_server *s, struct MHD_Connection *conn, const char *url,
				const char *method, struct request_ctx *ctx)
{
	struct http_response res;
	const struct http_route *route;
	char allow[128];
	enum MHD_Result ret;
	int status;

	if (ctx->job) {
		/* Back from the pool: the handler's answer is ready. */
		struct pending *p = ctx->job;

		ctx->job = NULL;
		log_debug("%s %s -> %d (%.2f ms)", method, url, p->res.status, mono_elapsed_ms(&ctx->started));
		ret = send_response(s, conn, &p->res, NULL);
		pending_free(p);
		return ret;
	}
	set_phase(s, conn, PH_BUSY);
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
		/* res's body buffer passes to the handler's answer. */
		return run_route(s, conn, url, method, ctx, route, &res);
	}
	log_debug("%s %s -> %d (%.2f ms)", method, url, res.status, mono_elapsed_ms(&ctx->started));
	ret = send_response(s, conn, &res, allow[0] ? allow : NULL);
	strbuf_release(&res.body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *s = cls;
	struct request_ctx *ctx = *con_cls;

	(void)version;
	if (!ctx)
		return MHD_NO;          /* uri_logger could not allocate it */
	if (!ctx->began)
		return begin_request(s, conn, url, method, ctx);
	if (*upload_data_size) {
		/* Keep reading an oversized body but drop it: the answer is 413. */
		if (!ctx->body.overflow)
			strbuf_add(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(s, conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct request_ctx *ctx = *con_cls;

	(void)toe;
	/* Kept alive: the next request's head is due from now. */
	set_phase(s, conn, PH_HEAD);
	if (!ctx)
		return;
	if (ctx->counted) {
		pthread_mutex_lock(&s->lock);
		s->in_flight--;
		if (s->draining)
			pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->lock);
	}
	pending_free(ctx->job);
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
	/* ITC: MHD_quiesce_daemon() needs it to stop accepting while requests drain. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
			     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (s->cfg.request_timeout_s <= 0)
		s->cfg.request_timeout_s = 30;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->tracks.next = s->tracks.prev = &s->tracks;
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
		goto fail;
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
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				     MHD_OPTION_URI_LOG_CALLBACK, uri_logger, s,
				     /* one address cannot take every connection (0: no limit) */
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->max_per_ip,
				     MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s port %d (in use, or not permitted?)",
			 cfg->listen_addr, cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
		snprintf(err, errlen, "cannot start a thread");
		MHD_stop_daemon(s->daemon);
		goto fail;
	}
	s->reaper_started = 1;
	return s;
fail:
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return NULL;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s, long drain_s)
{
	MHD_socket lfd;
	struct timespec until;
	size_t left;

	if (!s)
		return;
	/*
	 * Drain: no new connection, idle ones closed (the reaper), answers in
	 * flight finished and sent, for at most drain_s; then everything stops.
	 */
	lfd = MHD_quiesce_daemon(s->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += drain_s;
	pthread_mutex_lock(&s->lock);
	s->draining = 1;
	pthread_cond_broadcast(&s->changed);
	while (s->in_flight && pthread_cond_timedwait(&s->changed, &s->lock, &until) != ETIMEDOUT)
		;
	left = s->in_flight;
	s->stopping = 1;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	if (left)
		log_warn("http: %zu request(s) still in flight after %ld s: closing them", left, drain_s);
	if (s->reaper_started)
		pthread_join(s->reaper, NULL);
	/*
	 * A handler on the pool holds its suspended connection: it ends when its
	 * trace server calls do (--upstream-timeout, --poll-deadline), and its
	 * connection must still exist then.
	 */
	pthread_mutex_lock(&s->lock);
	if (s->handlers)
		log_warn("http: waiting for %zu handler(s) to finish their trace server calls", s->handlers);
	while (s->handlers)
		pthread_cond_wait(&s->changed, &s->lock);
	pthread_mutex_unlock(&s->lock);
	MHD_stop_daemon(s->daemon);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
