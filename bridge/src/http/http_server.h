#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

/*
 * The bridge's HTTP front: libmicrohttpd with an internal thread pool,
 * explicit connection timeout and connection limit, a capped request body,
 * and a static route table. Handlers are plain functions from a parsed
 * request to a response; they never touch libmicrohttpd themselves except
 * through the accessors below.
 */

#include <stddef.h>

#include "strbuf.h"
#include "workpool.h"

struct MHD_Connection;
struct auth_config;

struct http_request {
	const char *method;
	const char *path;               /* without the query string */
	const char *body;               /* NUL-terminated; "" when none */
	size_t body_len;
	struct MHD_Connection *conn;    /* for the accessors; NULL in unit tests */
	void *app;                      /* http_server_config.app */
	int restricted;                 /* public route, caller without valid credentials:
					   answer nothing that could be secret */
};

/* Query-string argument or request header; NULL when absent. */
const char *http_request_arg(const struct http_request *req, const char *name);
const char *http_request_header(const struct http_request *req, const char *name);

struct http_response {
	int status;                     /* 200 unless a handler says otherwise */
	struct strbuf body;             /* owned by the server; handlers append */
	const char *content_type;       /* static string; JSON by default */
};

/* Replaces the body with {"error": "<message>"} and sets the status. */
void http_response_error(struct http_response *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

typedef void (*http_handler)(const struct http_request *req, struct http_response *res);

struct http_route {
	const char *method;             /* "GET", "POST", ... */
	const char *path;               /* exact path */
	http_handler fn;
	unsigned flags;                 /* HTTP_ROUTE_* */
};

/* Served without authentication (health checks); handlers see req->restricted. */
#define HTTP_ROUTE_PUBLIC 1u
/*
 * Answers may be kept in http_server_config.resp_cache: the same method,
 * path, query string and body get the same bytes for the cache's TTL.
 */
#define HTTP_ROUTE_CACHE 2u

struct http_server_config {
	const char *listen_addr;        /* IPv4 or IPv6 literal */
	int port;                       /* 0 = any free port */
	int threads;
	int max_connections;
	long timeout_s;                 /* idle client connection timeout */
	long request_timeout_s;         /* a request's head, and then its body, must be in
					   within this many seconds (0 = 30) */
	int max_per_ip;                 /* connections from one client address; 0 = no limit */
	size_t max_body;                /* larger bodies get 413 */
	size_t max_response;            /* cap of a handler's body buffer */
	int gzip_level;                 /* 1..9: gzip bodies for clients that accept it; 0 = never */
	size_t max_header;              /* per-connection memory for request line and headers
					   (libmicrohttpd answers 431 above); 0 = 32 KiB */
	const struct auth_config *auth; /* NULL or nothing set: no authentication */
	const char *cors_origins;       /* CORS allow-list (cors.h); NULL: no CORS headers */
	/*
	 * Answers of HTTP_ROUTE_CACHE routes (resp_cache.h; not owned, NULL:
	 * none). One is stored only when it is a 200 and settled(app) gives
	 * the same value after the handler as before: the application counts
	 * there what it read that may still change (RUNNING, errors).
	 */
	struct resp_cache *resp_cache;
	unsigned long (*settled)(void *app);
	/*
	 * Handlers run here (not owned; NULL: on the HTTP threads), their
	 * connections suspended meanwhile, so a request waiting on a trace
	 * server never holds up the others of its HTTP thread.
	 */
	struct workpool *pool;
	const struct http_route *routes;
	size_t n_routes;
	void *app;                      /* handed to handlers in http_request.app */
};

struct http_server;

/* Starts listening; NULL with a message in err on failure. cfg->routes must outlive the server. */
struct http_server *http_server_start(const struct http_server_config *cfg, char *err, size_t errlen);
/* The bound port (useful with port 0). */
int http_server_port(const struct http_server *s);
/*
 * Stops accepting and closes idle connections at once, lets requests in
 * flight finish and send their answers (with Connection: close) for at
 * most drain_s seconds, then closes everything and frees the server.
 */
void http_server_stop(struct http_server *s, long drain_s);

/*
 * Routes one request through the table exactly as the server does (404 for
 * unknown paths, 405 with the allowed methods for a known path), for tests.
 * Returns the route used or NULL.
 */
const struct http_route *http_route_find(const struct http_route *routes, size_t n,
					 const char *method, const char *path, int *status);

#endif
