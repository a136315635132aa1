#ifndef GF_REQUEST_H
#define GF_REQUEST_H

/*
 * Grafana request bodies (SimpleJSON and JSON datasource) parsed into
 * structs: pure functions, strict about types, with a message naming the
 * problem. See docs/grafana-api.md.
 *
 * Ownership: each request struct owns the parsed JSON tree (`root`); the
 * strings and cJSON pointers inside point into it and live until the
 * matching *_release().
 */

#include <stddef.h>
#include <stdint.h>

/* range.from / range.to are read by json_time_parse()'s rules. */
#include "json_time.h"

struct cJSON;

enum gf_target_type {
	GF_TT_NONE = 0,         /* no "type" (JSON datasource) */
	GF_TT_TIMESERIE,        /* "timeserie" (also "timeseries") */
	GF_TT_TABLE,            /* "table" */
};

struct gf_query_target {
	const char *target;             /* "" if absent or null */
	const char *ref_id;             /* NULL if absent */
	enum gf_target_type type;
	const struct cJSON *fields;     /* `payload` (JSON datasource) or `data` (SimpleJSON) object, else NULL */
	int has_payload;                /* a `payload` member was present (object, or a JSON string holding one) */
	int hide;                       /* "hide": true: skip it */
};

struct gf_filter {
	const char *key, *op, *value;   /* op one of "=", "!=", "=~", "!~" */
};

struct gf_query_req {
	struct cJSON *root;
	int64_t from_ns, to_ns;         /* range.from / range.to, required, from <= to */
	int64_t interval_ms;            /* 0 if absent */
	long max_data_points;           /* 0 if absent; else 1.. (capped by the caller) */
	struct gf_query_target *targets;/* malloc'd, n_targets */
	size_t n_targets;
	struct gf_filter *filters;      /* adhocFilters or filters; malloc'd */
	size_t n_filters;
};

/*
 * POST /query. Errors: not JSON, not an object, missing/bad range,
 * "targets" missing or not an array, a target not an object, wrong member
 * types ("targets[1].target must be a string"), a `payload` string that is
 * not a JSON object, an unknown filter operator.
 */
int gf_query_req_parse(struct gf_query_req *r, const char *body, size_t len,
		       char *err, size_t errlen);
void gf_query_req_release(struct gf_query_req *r);

/* POST /annotations (SimpleJSON). */
struct gf_annotation_req {
	struct cJSON *root;
	int64_t from_ns, to_ns;
	const char *query;              /* annotation.query, "" if absent */
	const char *name;               /* annotation.name, NULL if absent */
	const struct cJSON *annotation; /* the request's `annotation` object, echoed in answers */
};
int gf_annotation_req_parse(struct gf_annotation_req *r, const char *body, size_t len,
			    char *err, size_t errlen);
void gf_annotation_req_release(struct gf_annotation_req *r);

/*
 * The small ones, in one struct: /search {target}, /variable {payload:
 * {target}, range?}, /metrics {metric?, payload?}, /metric-payload-options
 * {metric, payload, name}, /tag-values {key}. Members absent from a kind
 * are NULL. An empty body counts as {}.
 */
enum gf_small_kind {
	GF_REQ_SEARCH,
	GF_REQ_VARIABLE,
	GF_REQ_METRICS,
	GF_REQ_PAYLOAD_OPTIONS,
	GF_REQ_TAG_KEYS,
	GF_REQ_TAG_VALUES,
};
struct gf_small_req {
	struct cJSON *root;
	const char *target;             /* SEARCH, VARIABLE: "" if absent */
	const char *metric;             /* METRICS (NULL if absent), PAYLOAD_OPTIONS (required) */
	const struct cJSON *payload;    /* METRICS, PAYLOAD_OPTIONS: object or NULL */
	const char *name;               /* PAYLOAD_OPTIONS: required */
	const char *key;                /* TAG_VALUES: required */
};
int gf_small_req_parse(struct gf_small_req *r, enum gf_small_kind kind, const char *body,
		       size_t len, char *err, size_t errlen);
void gf_small_req_release(struct gf_small_req *r);

#endif
