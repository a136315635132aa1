/* The per-request context of the Grafana endpoints (gf_api.h). */
#include "gf_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"

void gctx_init(struct gctx *x, const struct http_request *req)
{
	memset(x, 0, sizeof(*x));
	x->b = req->app;
	x->own.cap = x->b->cfg->max_answer_bytes;
	x->budget = &x->own;
}

int gctx_fail(struct gctx *x, int status, const char *fmt, ...)
{
	va_list ap;

	if (x->status)          /* the first failure is the one to report */
		return -1;
	x->status = status;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int gctx_budget_or(struct gctx *x, int status, const char *msg)
{
	if (__atomic_load_n(&x->budget->over, __ATOMIC_RELAXED))
		return gctx_fail(x, 413, "the answer would hold more than %zu MiB (--max-answer-mb): "
			    "narrow the time range, the entries, the targets or the limit",
			    x->budget->cap >> 20);
	return gctx_fail(x, status, "%s", msg);
}

int gctx_fail_upstream(struct gctx *x, const struct tsp_error *e)
{
	return gctx_fail(x, tsp_error_bridge_status(e), "trace server: %s", e->msg);
}

void gctx_answer_error(struct http_response *res, const struct gctx *x)
{
	http_response_error(res, x->status ? x->status : 500, "%s", x->msg[0] ? x->msg : "internal error");
}

void gctx_answer_json(struct http_response *res, const struct jsonw *w)
{
	if (jsonw_finish(w) == 0)
		return;
	if (res->body.overflow)
		http_response_error(res, 413, "the answer would be larger than %zu MiB "
				    "(--max-answer-mb): narrow the time range, the entries or the limit",
				    res->body.cap >> 20);
	else
		http_response_error(res, 500, "the answer could not be written");
}

