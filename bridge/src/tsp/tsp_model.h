#ifndef TSP_MODEL_H
#define TSP_MODEL_H

/*
 * TSP response models as C structs, and the pure functions that parse them
 * from JSON text (no network, no global state).
 *
 * Ownership: a `struct tsp_model` owns everything it points to through its
 * arena. Every `const char *` and array inside `u` lives until
 * tsp_model_release(). Strings are never NULL unless the field says
 * "NULL if absent".
 *
 * Modules: the structs' life and the names of their enums are tsp_model.c,
 * which depends on nothing above the arena; parsing is tsp_model_parse.c,
 * which first hands states answers to the direct reader
 * (tg_states_reader.h) and parses the rest, and whatever it declines,
 * as a tree. Styles are looked up through tsp_style.h.
 *
 * Tolerance: the parser accepts what real trace servers send even when it
 * strays from API.yaml: `style: null` or missing, `parentKey: null` or a
 * parentKey with no `values`, `model: null` (or missing) whatever the
 * status (has_model says), `type: null`/`description: null` in table
 * columns, `"required": "True"` in parameter descriptors, trace without
 * `properties`, unknown extra fields. JSON null in an optional field means
 * absent.
 * Strictness: a field of the wrong JSON type, a missing required field, or an
 * integer outside int64 is a TSP_ERR_SCHEMA error naming the JSON path
 * (e.g. "model.series[0].xValues[2]: 9876543210987654321 is out of int64
 * range"); non-JSON is TSP_ERR_BAD_JSON. Never a crash, never a wrapped value.
 */

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "tsp_error.h"

struct cJSON;

enum tsp_status {
	TSP_STATUS_UNKNOWN = 0,
	TSP_STATUS_RUNNING,
	TSP_STATUS_COMPLETED,
	TSP_STATUS_FAILED,
	TSP_STATUS_CANCELLED,
};

/* "RUNNING", ... ; "UNKNOWN" for TSP_STATUS_UNKNOWN. */
const char *tsp_status_name(enum tsp_status s);
/* The status named s[0..n) exactly; TSP_STATUS_UNKNOWN for any other text. */
enum tsp_status tsp_status_parse(const char *s, size_t n);

struct tsp_kv {
	const char *key;
	const char *value;
};

/* A style value is a string or a number (StyleValue in API.yaml). */
struct tsp_style_value {
	const char *key;
	int is_number;
	const char *str;        /* when !is_number */
	double num;             /* when is_number */
};

struct tsp_style {
	const char *parent_key;                 /* NULL if absent or null */
	struct tsp_style_value *values;
	size_t n_values;
};

struct tsp_trace {
	const char *uuid, *name, *path;
	int64_t start, end, nb_events;
	const char *indexing_status;            /* RUNNING | COMPLETED | CLOSED */
	struct tsp_kv *properties;              /* string values (null as ""); none if absent */
	size_t n_properties;
};

struct tsp_experiment {
	const char *uuid, *name;
	int64_t start, end, nb_events;
	const char *indexing_status;
	struct tsp_trace *traces;
	size_t n_traces;
};

enum tsp_output_type {
	TSP_OUTPUT_UNKNOWN = 0,  /* a type string this bridge does not know */
	TSP_OUTPUT_TABLE,
	TSP_OUTPUT_TREE_TIME_XY,
	TSP_OUTPUT_TIME_GRAPH,
	TSP_OUTPUT_DATA_TREE,
	TSP_OUTPUT_NONE,
	TSP_OUTPUT_GANTT_CHART,
	TSP_OUTPUT_TREE_GENERIC_XY,
};

const char *tsp_output_type_name(enum tsp_output_type t);
/* TSP_OUTPUT_UNKNOWN for an unknown name. */
enum tsp_output_type tsp_output_type_parse(const char *name);

/* Configuration */
struct tsp_configuration {
	const char *id, *name, *source_type_id;
	const char *description;                /* NULL if absent */
	/*
	 * The `parameters` object re-emitted as compact JSON text (integer
	 * literals kept exactly as sent); NULL if absent or null.
	 */
	const char *parameters;
};

struct tsp_configurations {
	struct tsp_configuration *items;
	size_t n;
};

/* ConfigurationParameterDescriptor */
struct tsp_config_param {
	const char *key_name;
	const char *description;                /* NULL if absent */
	const char *data_type;                  /* NULL if absent (means STRING) */
	int required;                           /* also accepts "true"/"True" strings */
};

/* ConfigurationSourceType */
struct tsp_config_source_type {
	const char *id, *name;
	const char *description;                /* NULL if absent */
	struct tsp_config_param *params;        /* parameterDescriptors */
	size_t n_params;
	const char *schema;                     /* compact JSON text; NULL if absent */
};

struct tsp_config_source_types {
	struct tsp_config_source_type *items;
	size_t n;
};

/* DataProvider */
struct tsp_output {
	const char *id, *name, *description;
	const char *parent_id;                  /* NULL if absent */
	enum tsp_output_type type;
	const char *type_name;                  /* as sent, even when unknown */
	struct tsp_configuration *configuration;/* NULL if absent */
	int can_create, can_delete;             /* capabilities; 0 if absent */
};

struct tsp_tree_header {
	const char *name, *tooltip;
	const char *data_type;                  /* NULL if absent (means STRING) */
};

struct tsp_meta_value {
	int is_number;
	const char *str;
	double num;
};

struct tsp_metadata {
	const char *key;
	struct tsp_meta_value *values;
	size_t n_values;
};

/* TreeDataModel, XYTreeEntry, TimeGraphEntry and DataTreeEntry in one. */
struct tsp_tree_entry {
	int64_t id;
	int64_t parent_id;                      /* -1 if absent */
	const char **labels;
	size_t n_labels;
	int has_data;
	int is_default;                         /* XY trees */
	int has_range;                          /* time graph entries: start/end set */
	int64_t start, end;
	struct tsp_style *style;                /* NULL if absent or null */
	struct tsp_metadata *metadata;
	size_t n_metadata;
};

struct tsp_tree {
	int auto_expand_level;                  /* -1 if absent */
	struct tsp_tree_header *headers;
	size_t n_headers;
	struct tsp_tree_entry *entries;
	size_t n_entries;
};

/* Range: a closed interval (generic XY bins). */
struct tsp_range {
	int64_t start, end;
};

/* XYAxisDescription */
struct tsp_axis_description {
	const char *label, *unit, *data_type;   /* each NULL if absent */
	/* axisDomain: NULL type if absent or null */
	const char *domain_type;                /* "range" | "categorical" | ... */
	int has_domain_range;                   /* start/end set */
	int64_t domain_start, domain_end;
	const char **domain_categories;         /* NULL if absent */
	size_t n_domain_categories;
};

/*
 * SeriesModel. At most one of x / x_categories / x_ranges is usually set
 * (each NULL if absent); whichever are present have exactly n_y elements
 * (the parser rejects a length mismatch). A null yValues element is NaN.
 */
struct tsp_xy_series {
	int64_t id;
	const char *name;
	int64_t *x;                             /* xValues; NULL if absent */
	size_t n_x;
	double *y;
	size_t n_y;
	/*
	 * NULL, or per y its decimal code (dec.h): the digits the server
	 * wrote, for writers to pass on; 0 where there is none.
	 */
	uint64_t *y_dec;
	struct tsp_style *style;                /* NULL if absent or null */
	const char **x_categories;              /* xCategories; NULL if absent */
	size_t n_x_categories;
	struct tsp_range *x_ranges;             /* xRanges; NULL if absent */
	size_t n_x_ranges;
	struct tsp_axis_description *x_desc;    /* xValuesDescription; NULL if absent */
	struct tsp_axis_description *y_desc;    /* yValuesDescription; NULL if absent */
};

struct tsp_xy {
	const char *title;
	struct tsp_xy_series *series;
	size_t n_series;
};

struct tsp_tg_state {
	int64_t start, end;
	const char *label;                      /* NULL if absent */
	int32_t tags;
	struct tsp_style *style;                /* NULL if absent or null */
};

struct tsp_tg_row {
	int64_t entry_id;
	struct tsp_tg_state *states;
	size_t n_states;
};

struct tsp_tg_states {
	struct tsp_tg_row *rows;
	size_t n_rows;
};

struct tsp_tg_arrow {
	int64_t source_id, target_id, start, end;
	struct tsp_style *style;
};

struct tsp_tg_arrows {
	struct tsp_tg_arrow *items;
	size_t n;
};

struct tsp_tooltip {
	struct tsp_kv *items;
	size_t n;
};

struct tsp_table_column {
	int64_t id;
	const char *name;
	const char *description;                /* NULL if absent or null */
	const char *type;                       /* NULL if absent or null */
};

struct tsp_table_columns {
	struct tsp_table_column *items;
	size_t n;
};

struct tsp_table_cell {
	const char *content;
	int32_t tags;
};

struct tsp_table_line {
	int64_t index;
	int32_t tags;
	struct tsp_table_cell *cells;
	size_t n_cells;
};

struct tsp_table_lines {
	int64_t size, low_index;
	int64_t *column_ids;
	size_t n_column_ids;
	struct tsp_table_line *lines;
	size_t n_lines;
};

struct tsp_named_style {
	const char *key;
	struct tsp_style style;
};

/*
 * slots indexes items by key (open addressing, item index + 1, 0 = empty;
 * n_slots a power of two, 0 when not built): states name their style by
 * key, and an output may have tens of thousands of styles.
 */
struct tsp_styles {
	struct tsp_named_style *items;
	size_t n;
	uint32_t *slots;
	size_t n_slots;
};

struct tsp_strings {
	const char **items;
	size_t n;
};

struct tsp_annotation {
	int64_t time, duration, entry_id;
	const char *type;                       /* CHART | TREE */
	const char *label;                      /* NULL if absent */
	struct tsp_style *style;                /* NULL if absent or null */
};

struct tsp_annotation_category {
	const char *name;
	struct tsp_annotation *items;
	size_t n;
};

struct tsp_annotations {
	struct tsp_annotation_category *categories;
	size_t n;
};

struct tsp_marker_set {
	const char *id, *name;
};

struct tsp_marker_sets {
	struct tsp_marker_set *items;
	size_t n;
};

struct tsp_health {
	const char *status;                     /* "UP" */
};

/*
 * ServerInfoResponse (GET /identifier). Only `version` is required (real
 * servers omit tspVersion); every other field is NULL / -1 if absent.
 */
struct tsp_identifier {
	const char *version, *product_id, *tsp_version, *os;
	const char *os_arch, *os_version, *build_time, *launcher_name;
	int64_t cpu_count, max_memory;
};

struct tsp_traces {
	struct tsp_trace *items;
	size_t n;
};

/*
 * Lists of experiments and outputs keep the elements that parse: one
 * malformed element (a missing field, an empty id) is left out rather than
 * making the whole server unusable; n_skipped counts them and skipped says
 * why the first one was (NULL when none).
 */
struct tsp_experiments {
	struct tsp_experiment *items;
	size_t n;
	size_t n_skipped;
	const char *skipped;
};

struct tsp_outputs {
	struct tsp_output *items;
	size_t n;
	size_t n_skipped;
	const char *skipped;
};

/* What a response body holds; selects the member of `u`. */
enum tsp_model_kind {
	/* bare bodies */
	TSP_M_HEALTH,               /* u.health */
	TSP_M_IDENTIFIER,           /* u.identifier */
	TSP_M_TRACES,               /* u.traces */
	TSP_M_TRACE,                /* u.trace */
	TSP_M_EXPERIMENTS,          /* u.experiments */
	TSP_M_EXPERIMENT,           /* u.experiment */
	TSP_M_OUTPUTS,              /* u.outputs */
	TSP_M_OUTPUT,               /* u.output */
	/* {model, status, statusMessage} bodies */
	TSP_M_TREE,                 /* u.tree: XY, time graph and data trees */
	TSP_M_XY,                   /* u.xy */
	TSP_M_TG_STATES,            /* u.states */
	TSP_M_TG_ARROWS,            /* u.arrows */
	TSP_M_TOOLTIP,              /* u.tooltip */
	TSP_M_TABLE_COLUMNS,        /* u.columns */
	TSP_M_TABLE_LINES,          /* u.lines */
	TSP_M_STYLES,               /* u.styles */
	TSP_M_ANNOTATION_CATEGORIES,/* u.categories */
	TSP_M_ANNOTATIONS,          /* u.annotations */
	TSP_M_MARKER_SETS,          /* u.marker_sets */
	/* bare bodies, appended later */
	TSP_M_CONFIGURATION,        /* u.configuration */
	TSP_M_CONFIGURATIONS,       /* u.configurations */
	TSP_M_CONFIG_SOURCE_TYPES,  /* u.source_types */
};

/* True for kinds answered as {model, status, statusMessage}. */
int tsp_model_kind_wrapped(enum tsp_model_kind kind);
const char *tsp_model_kind_name(enum tsp_model_kind kind);

struct tsp_model {
	enum tsp_model_kind kind;
	struct arena arena;             /* owns everything below */
	/*
	 * Wrapped kinds: the answer's status and statusMessage ("" if absent),
	 * and whether a model was present (it may be null or absent, usually
	 * while RUNNING or FAILED; then `u` is zeroed and the caller judges).
	 * A FAILED or CANCELLED answer whose model does not validate is kept
	 * as such, with has_model = 0: the status is the news, not the schema.
	 * Bare kinds: COMPLETED, "", has_model = 1.
	 */
	enum tsp_status status;
	const char *status_message;
	int has_model;
	union {
		struct tsp_health health;
		struct tsp_identifier identifier;
		struct tsp_traces traces;
		struct tsp_trace trace;
		struct tsp_experiments experiments;
		struct tsp_experiment experiment;
		struct tsp_outputs outputs;
		struct tsp_output output;
		struct tsp_tree tree;
		struct tsp_xy xy;
		struct tsp_tg_states states;
		struct tsp_tg_arrows arrows;
		struct tsp_tooltip tooltip;
		struct tsp_table_columns columns;
		struct tsp_table_lines lines;
		struct tsp_styles styles;
		struct tsp_strings categories;
		struct tsp_annotations annotations;
		struct tsp_marker_sets marker_sets;
		struct tsp_configuration configuration;
		struct tsp_configurations configurations;
		struct tsp_config_source_types source_types;
	} u;
	/*
	 * A shared view: the arena belongs to someone else (the upstream cache,
	 * tsp_cache.h) and release calls drop(drop_ctx) instead of freeing it.
	 * Such a model is read-only. NULL for a model that owns its arena.
	 */
	void (*drop)(void *drop_ctx);
	void *drop_ctx;
};

void tsp_model_init(struct tsp_model *m);
/*
 * Frees everything the model owns (or drops a shared view); it may be
 * parsed into again afterwards.
 */
void tsp_model_release(struct tsp_model *m);

/*
 * Parses a response body of the given kind into m (released first).
 * Returns 0, or -1 with err set (TSP_ERR_BAD_JSON / TSP_ERR_SCHEMA /
 * TSP_ERR_NOMEM); on error m holds nothing. A FAILED or CANCELLED status is
 * not a parse error: it is reported in m->status for the caller to judge.
 */
int tsp_model_parse(struct tsp_model *m, enum tsp_model_kind kind,
		    const char *json, size_t len, struct tsp_error *err);
/*
 * Same, with the memory the JSON tree may take while the answer is read
 * bounded (0: no bound); above it TSP_ERR_TOO_LARGE. Members no reader
 * reads are never kept, whatever the bound.
 */
int tsp_model_parse_max(struct tsp_model *m, enum tsp_model_kind kind, const char *json,
			size_t len, size_t max_tree_bytes, struct tsp_error *err);
/*
 * Same, always through the generic tree parser: what tsp_model_parse()
 * does for anything its direct readers (tg_states_reader.h) decline. For
 * tests and fuzzers that compare the two.
 */
int tsp_model_parse_generic(struct tsp_model *m, enum tsp_model_kind kind,
			    const char *json, size_t len, struct tsp_error *err);
/* Same, from a tree made by json_parse_exact(); root is not modified. */
int tsp_model_parse_json(struct tsp_model *m, enum tsp_model_kind kind,
			 const struct cJSON *root, struct tsp_error *err);

#endif
