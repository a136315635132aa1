#ifndef GF_API_H
#define GF_API_H

/*
 * What the Grafana endpoints share (gf_discovery.c, gf_query.c): the
 * per-request context that carries the first failure, and how an answer or
 * an error is written. Internal to grafana/.
 */

#include "gf_frame.h"
#include "http_server.h"
#include "jsonw.h"
#include "tsp_error.h"

struct bridge;

struct gctx {
	const struct bridge *b;
	int status;             /* HTTP status of the failure, 0 while fine */
	char msg[1024];
	struct gf_budget *budget;       /* what this request's frames may hold, shared by its targets */
	struct gf_budget own;           /* the request's budget, in the request's context */
};

/* The context of req (its bridge is req->app). */
void gctx_init(struct gctx *x, const struct http_request *req);
/* Records the first failure (later ones are dropped); always -1. */
int gctx_fail(struct gctx *x, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failure to build frames: 413 naming the limit when the budget ran out, else status/msg. */
int gctx_budget_or(struct gctx *x, int status, const char *msg);
/* An upstream failure: 502/504 (or 400/500) with the trace server's words. */
int gctx_fail_upstream(struct gctx *x, const struct tsp_error *e);
/* The recorded failure as the answer ({"error"}), 500 when none was. */
void gctx_answer_error(struct http_response *res, const struct gctx *x);
/* Finishes a JSON answer: an over-large or broken answer is an error, never a cut one. */
void gctx_answer_json(struct http_response *res, const struct jsonw *w);

#endif
