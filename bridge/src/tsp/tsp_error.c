#include "tsp_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tsp_error_clear(struct tsp_error *e)
{
	if (!e)
		return;
	e->kind = TSP_OK;
	e->http_status = 0;
	e->msg[0] = '\0';
}

int tsp_error_set(struct tsp_error *e, enum tsp_err_kind kind, long http_status,
		  const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->kind = kind;
	e->http_status = http_status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void tsp_error_prefix(struct tsp_error *e, const char *fmt, ...)
{
	char old[TSP_ERROR_MSG_MAX];
	size_t n, left;
	va_list ap;

	if (!e)
		return;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* A message longer than the buffer is cut, never overrun. */
	n = strlen(e->msg);
	left = sizeof(e->msg) - n;
	if (left > 2) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		left -= 2;
		strncpy(e->msg + n, old, left - 1);
		e->msg[sizeof(e->msg) - 1] = '\0';
	}
}

const char *tsp_err_kind_name(enum tsp_err_kind kind)
{
	switch (kind) {
	case TSP_OK: return "ok";
	case TSP_ERR_INVALID: return "invalid";
	case TSP_ERR_NOMEM: return "out_of_memory";
	case TSP_ERR_CONNECT: return "connect";
	case TSP_ERR_TIMEOUT: return "timeout";
	case TSP_ERR_TOO_LARGE: return "too_large";
	case TSP_ERR_HTTP: return "http";
	case TSP_ERR_BAD_JSON: return "bad_json";
	case TSP_ERR_SCHEMA: return "schema";
	case TSP_ERR_FAILED: return "failed";
	case TSP_ERR_CANCELLED: return "cancelled";
	case TSP_ERR_RUNNING: return "running";
	}
	return "unknown";
}

int tsp_error_bridge_status(const struct tsp_error *e)
{
	switch (e->kind) {
	case TSP_OK: return 200;
	case TSP_ERR_INVALID: return 400;
	case TSP_ERR_NOMEM: return 500;
	case TSP_ERR_TIMEOUT:
	case TSP_ERR_RUNNING: return 504;
	default: return 502;
	}
}
