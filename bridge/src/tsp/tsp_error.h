#ifndef TSP_ERROR_H
#define TSP_ERROR_H

/*
 * One error type for everything between the bridge and the trace server:
 * transport failures, HTTP errors, unparsable or ill-typed answers, and
 * analyses that FAILED, were CANCELLED or are still RUNNING at the deadline.
 * Plain value type: no allocation, copy freely.
 */

enum tsp_err_kind {
	TSP_OK = 0,
	TSP_ERR_INVALID,    /* bad argument from our side (bridge bug or bad request) */
	TSP_ERR_NOMEM,
	TSP_ERR_CONNECT,    /* refused, unreachable, DNS, connection dropped */
	TSP_ERR_TIMEOUT,    /* connect or total timeout */
	TSP_ERR_TOO_LARGE,  /* response over the configured cap */
	TSP_ERR_HTTP,       /* non-2xx answer; http_status and upstream message set */
	TSP_ERR_BAD_JSON,   /* body is not JSON */
	TSP_ERR_SCHEMA,     /* JSON, but not the TSP model: wrong type, missing field, int64 overflow */
	TSP_ERR_FAILED,     /* status FAILED */
	TSP_ERR_CANCELLED,  /* status CANCELLED */
	TSP_ERR_RUNNING,    /* still RUNNING at the poll deadline; a partial model may be there */
};

#define TSP_ERROR_MSG_MAX 512

struct tsp_error {
	enum tsp_err_kind kind;
	long http_status;              /* upstream HTTP status, 0 if none */
	char msg[TSP_ERROR_MSG_MAX];   /* human readable, includes upstream's words */
};

void tsp_error_clear(struct tsp_error *e);
/* Sets kind/status/message; e may be NULL. Always returns -1 for `return tsp_error_set(...)`. */
int tsp_error_set(struct tsp_error *e, enum tsp_err_kind kind, long http_status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prefixes the existing message with context ("fetching XY: ..."). */
void tsp_error_prefix(struct tsp_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Stable lower-case name of the kind, for JSON and logs ("timeout", ...). */
const char *tsp_err_kind_name(enum tsp_err_kind kind);

/*
 * The HTTP status the bridge should answer its own client with:
 * 504 for timeouts and analyses still running, 502 for other upstream
 * failures, 400 for TSP_ERR_INVALID, 500 for NOMEM.
 */
int tsp_error_bridge_status(const struct tsp_error *e);

#endif
