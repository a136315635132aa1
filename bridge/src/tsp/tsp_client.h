#ifndef TSP_CLIENT_H
#define TSP_CLIENT_H

/*
 * HTTP client of the Trace Server Protocol (TSP, spec/tsp/API.yaml) on top
 * of one reused libcurl easy handle.
 *
 * Layers, bottom up:
 *   tsp_client_request()  one HTTP exchange, errors mapped to tsp_error;
 *   tsp_client_fetch()    request + parse into a tsp_model + re-poll while
 *                         the answer says RUNNING, bounded by a deadline;
 *   tsp_get_health() ...  one typed call per TSP endpoint the bridge uses.
 *
 * Ownership: a client owns its curl handle and a copy of its config
 * (base_url included). Callers own every tsp_model, strbuf and tsp_error
 * they pass in; the client never keeps pointers to them after a call.
 *
 * Threads: a client is used by one thread at a time (upstream.h keeps a
 * pool of them per trace server). curl_global_init() is the program's job
 * and must have run before the first client is made.
 */

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "tsp_cache.h"
#include "tsp_error.h"
#include "tsp_model.h"

#define TSP_CLIENT_DEFAULT_URL "http://127.0.0.1:8080/tsp/api"

/*
 * Reading an answer of up to max_response_bytes may take at most this many
 * times that for its JSON tree; members no reader reads take nothing. The
 * typed model made from the tree is smaller than the tree, so one answer
 * never costs more than about TSP_TREE_FACTOR + 1 times the cap.
 */
#define TSP_TREE_FACTOR 3

/* The most samples a query may ask for (requested_timerange.nbTimes): trace servers refuse more. */
#define TSP_NB_TIMES_MAX 65536

struct tsp_client_config {
	const char *base_url;        /* e.g. "http://127.0.0.1:8080/tsp/api"; trailing '/' tolerated */
	long connect_timeout_ms;     /* default 2000 */
	long timeout_ms;             /* total per HTTP request, default 10000 */
	size_t max_response_bytes;   /* default 256 MiB */
	long poll_deadline_ms;       /* RUNNING is re-polled until this much time has passed, default 5000 */
	long poll_initial_ms;        /* first backoff sleep, default 25; doubles */
	long poll_max_ms;            /* backoff cap, default 500 */
	/*
	 * Upstream answer cache shared by all clients (tsp_cache.h), not
	 * owned; NULL: none. Used by tsp_client_fetch() for the {model,
	 * status} kinds (data, trees, styles, annotations, marker sets).
	 */
	struct tsp_cache *cache;
};

/* Fills every field with its default (base_url = TSP_CLIENT_DEFAULT_URL). */
void tsp_client_config_defaults(struct tsp_client_config *cfg);

struct tsp_client;

/*
 * Copies cfg, base_url included. A NULL base_url and fields <= 0 take
 * their defaults, so a zeroed config works. NULL when out of memory.
 */
struct tsp_client *tsp_client_new(const struct tsp_client_config *cfg);
void tsp_client_free(struct tsp_client *c);

/*
 * One HTTP exchange, no polling. path starts with '/' and is appended to
 * base_url as is (escape ids yourself, see tsp_url_escape()). body NULL
 * sends no body. *status gets the HTTP status (0 when there was none) and
 * out the response body (reset first; for non-2xx answers only the first
 * 64 KiB are kept).
 * Returns 0 on a 2xx answer. Otherwise -1 with err:
 *   non-2xx        TSP_ERR_HTTP, http_status, "METHOD path: HTTP 404: <upstream words>"
 *   transport      TSP_ERR_CONNECT / TSP_ERR_TIMEOUT / TSP_ERR_TOO_LARGE / TSP_ERR_NOMEM
 *   bad arguments  TSP_ERR_INVALID
 */
int tsp_client_request(struct tsp_client *c, const char *method, const char *path,
		       const char *body, long *status, struct strbuf *out,
		       struct tsp_error *err);

/*
 * Request + parse as `kind`. For kinds answered as {model, status,
 * statusMessage}, a RUNNING answer is asked again (same method and body)
 * after a doubling backoff until poll_deadline_ms after the call started.
 * The deadline is a wall-clock bound on polling: no sleep runs past it, no
 * new poll starts after it, and each re-poll's timeout is cut to the time
 * left (the first request gets the full timeout_ms).
 * out must have been through tsp_model_init(); what it held is released.
 * With a cache in the config, cacheable kinds are answered from it when
 * they can be, and concurrent identical calls share one upstream fetch;
 * out may then be a read-only shared view (release it as usual).
 * Returns 0 with out holding a COMPLETED (or bare) model; a COMPLETED answer
 * may still carry no model (has_model 0, `u` zeroed): callers check. Otherwise -1 and
 * err prefixed with "METHOD path: ":
 *   still RUNNING    TSP_ERR_RUNNING "analysis still running after N ms: <statusMessage>";
 *                    out keeps the last partial answer (status RUNNING)
 *   FAILED/CANCELLED TSP_ERR_FAILED / TSP_ERR_CANCELLED with the statusMessage;
 *                    out keeps that answer
 *   not JSON         TSP_ERR_BAD_JSON (also an empty or truncated body)
 *   not the model    TSP_ERR_SCHEMA
 *   anything else    as tsp_client_request(); out holds nothing
 */
int tsp_client_fetch(struct tsp_client *c, const char *method, const char *path,
		     const char *body, enum tsp_model_kind kind, struct tsp_model *out,
		     struct tsp_error *err);

/*
 * How many tsp_client_fetch() calls on the calling thread (or fiber) ended other than
 * with a COMPLETED answer (errors, RUNNING at the deadline, FAILED), whatever
 * client made them; work done for a request on other threads is added with
 * tsp_unsettled_add(). Unchanged across a request means everything it read
 * upstream was final, so its answer can be kept (resp_cache.h).
 */
unsigned long tsp_unsettled_thread(void);
void tsp_unsettled_add(unsigned long n);
/* Where the calling thread counts them: its fiber's counter when it runs one (loop.h). */
unsigned long *tsp_unsettled_slot(void);

/* Query parameters of the data endpoints. Zero-initialise; set what you need. */
struct tsp_query {
	/* requested_timerange {start, end, nbTimes}; nb_times 0 = omit, else 1..65536 */
	int has_range;
	int64_t start, end;
	int32_t nb_times;
	/* generic XY: nb_times is written as nbSamples (GenericTimeRange: the number of bins) */
	int nb_samples;
	/*
	 * A provider's own integer parameter, next to the requested_* ones
	 * (the Critical Path's thread, "tid"); written when param_key is set.
	 */
	const char *param_key;
	int64_t param_value;
	/* requested_items (written even when n_items is 0) */
	int has_items;
	const int64_t *items;
	size_t n_items;
	/* tables: requested_table_index, requested_table_count (0 = omit), requested_table_column_ids */
	int has_table_index;
	int64_t table_index;
	int32_t table_count;
	const int64_t *column_ids;
	size_t n_column_ids;
	/* requested_times (table lines, tooltip); written when n_times > 0 */
	const int64_t *times;
	size_t n_times;
	/* annotations: requested_marker_set (NULL = omit), requested_marker_categories (n > 0) */
	const char *marker_set;
	const char *const *categories;
	size_t n_categories;
	/* requested_element: written when element_type is STATE, ANNOTATION or ARROW */
	const char *element_type;
	int64_t element_time, element_duration;
	int has_element_entry;
	int64_t element_entry_id;
	int has_element_destination;
	int64_t element_destination_id;
};

/*
 * Writes {"parameters":{...}} for q (NULL: empty parameters) into out, which
 * is reset first. Returns 0, or -1 with TSP_ERR_INVALID for a bad query
 * (nbTimes outside 1..65536, end < start, NULL arrays with a count, unknown
 * element type) or TSP_ERR_NOMEM; out is then empty.
 */
int tsp_query_to_json(const struct tsp_query *q, struct strbuf *out, struct tsp_error *err);

/*
 * Turns a non-2xx answer into err: TSP_ERR_HTTP, http_status = status, and
 * "HTTP <status>: <words>" where the words are "title: detail" of an
 * ErrorResponse body, else the body as text (trimmed, HTML tags dropped,
 * control characters and invalid UTF-8 replaced, cut to ~300 bytes), else
 * the status's reason phrase when the body is empty.
 */
void tsp_error_from_http(struct tsp_error *err, long status, const char *body, size_t len);

/* Appends s percent-encoded for one URL path segment or query value (all but A-Za-z0-9-._~). */
int tsp_url_escape(struct strbuf *sb, const char *s);

/*
 * Typed calls, paths as in API.yaml; ids are escaped into the path. Each
 * returns 0 or -1 as tsp_client_fetch(), into a model of the named kind.
 * A NULL query sends {"parameters":{}}.
 */
int tsp_get_health(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err);            /* HEALTH; a 503 is TSP_ERR_HTTP */
int tsp_get_identifier(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err);        /* IDENTIFIER */
int tsp_list_traces(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err);           /* TRACES */
int tsp_open_trace(struct tsp_client *c, const char *uri, const char *name, const char *type_id,
		   struct tsp_model *out, struct tsp_error *err);                                  /* TRACE; name, type_id may be NULL */
int tsp_list_experiments(struct tsp_client *c, struct tsp_model *out, struct tsp_error *err);      /* EXPERIMENTS */
int tsp_get_experiment(struct tsp_client *c, const char *uuid,
		       struct tsp_model *out, struct tsp_error *err);                              /* EXPERIMENT */
int tsp_create_experiment(struct tsp_client *c, const char *name,
			  const char *const *trace_uuids, size_t n,
			  struct tsp_model *out, struct tsp_error *err);                           /* EXPERIMENT */
int tsp_list_outputs(struct tsp_client *c, const char *exp,
		     struct tsp_model *out, struct tsp_error *err);                                /* OUTPUTS */
int tsp_get_output(struct tsp_client *c, const char *exp, const char *output_id,
		   struct tsp_model *out, struct tsp_error *err);                                  /* OUTPUT */

/* POST /experiments/{exp}/outputs/... with tsp_query_to_json(q). */
int tsp_xy_tree(struct tsp_client *c, const char *exp, const char *output,
		const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);          /* XY/{o}/tree: TREE */
int tsp_xy(struct tsp_client *c, const char *exp, const char *output,
	   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);               /* XY/{o}/xy: XY */
int tsp_generic_xy_tree(struct tsp_client *c, const char *exp, const char *output,
			const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);  /* genericXY/{o}/tree: TREE */
int tsp_generic_xy(struct tsp_client *c, const char *exp, const char *output,
		   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);       /* genericXY/{o}/xy: XY */
int tsp_tg_tree(struct tsp_client *c, const char *exp, const char *output,
		const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);          /* timeGraph/{o}/tree: TREE */
int tsp_tg_states(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);        /* timeGraph/{o}/states: TG_STATES */
int tsp_tg_arrows(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);        /* timeGraph/{o}/arrows: TG_ARROWS */
int tsp_tg_tooltip(struct tsp_client *c, const char *exp, const char *output,
		   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);       /* timeGraph/{o}/tooltip: TOOLTIP */
int tsp_table_columns(struct tsp_client *c, const char *exp, const char *output,
		      const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);    /* table/{o}/columns: TABLE_COLUMNS */
int tsp_table_lines(struct tsp_client *c, const char *exp, const char *output,
		    const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);      /* table/{o}/lines: TABLE_LINES */
int tsp_data_tree(struct tsp_client *c, const char *exp, const char *output,
		  const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);        /* data/{o}/tree: TREE */
int tsp_styles(struct tsp_client *c, const char *exp, const char *output,
	       const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);           /* {o}/style: STYLES */
int tsp_annotations(struct tsp_client *c, const char *exp, const char *output,
		    const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);      /* {o}/annotations: ANNOTATIONS */

/* GET /experiments/{exp}/outputs/{o}/annotations[?markerSetId=]: ANNOTATION_CATEGORIES. */
int tsp_annotation_categories(struct tsp_client *c, const char *exp, const char *output,
			      const char *marker_set, struct tsp_model *out, struct tsp_error *err);
/* GET /experiments/{exp}/outputs/markerSets: MARKER_SETS. */
int tsp_marker_sets(struct tsp_client *c, const char *exp,
		    struct tsp_model *out, struct tsp_error *err);

#endif
