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

struct cJSON;

/*
 * A Grafana time: an ISO 8601 string ("2023-11-14T22:13:20.500Z": date,
 * 'T' or ' ', hh:mm[:ss[.fraction up to 9 digits]], then 'Z' or ±hh[:]mm; a
 * bare date is midnight UTC) or a number of epoch milliseconds (an integer,
 * or a decimal with up to 6 fraction digits). Exact: "....500Z" is
 * ...500000000 ns. Returns 0, or -1 with err ("range.from: not a date:
 * \"...\"", "out of range"). `what` names the field in messages.
 */
int gf_time_parse(const struct cJSON *v, const char *what, int64_t *ns, char *err, size_t errlen);
int gf_time_parse_iso(const char *s, int64_t *ns);
/*
 * A time given as a query-string argument: ns_v (an integer of ns, exact)
 * when not NULL, else ms_v: epoch ms (integer or with a fraction, read
 * exactly) or ISO 8601. The names are for the error message.
 */
int gf_time_arg(const char *ms_v, const char *ms_name, const char *ns_v, const char *ns_name,
		int64_t *ns, char *err, size_t errlen);
/*
 * A range given as query-string arguments from / to (or from_ns / to_ns),
 * each by gf_time_arg's rules, from not after to.
 */
int gf_range_args(const char *from, const char *from_ns, const char *to, const char *to_ns,
		  int64_t *from_out, int64_t *to_out, char *err, size_t errlen);
/* A TSP nbTimes given as text (1..65536) into *out; *out is kept when v is NULL. */
int gf_nb_times_arg(const char *v, const char *name, int32_t *out, char *err, size_t errlen);

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
