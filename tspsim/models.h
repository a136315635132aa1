#ifndef TSPSIM_MODELS_H
#define TSPSIM_MODELS_H

/*
 * TSP output models computed from workloads: pure functions that parse a
 * request's "parameters" and write the "model" value of the answer with
 * jsonw. No network, no locks, no global state: the server wraps them in
 * {"model": ..., "statusMessage": ..., "status": ...}.
 *
 * Entry ids: every trace of an experiment owns a block of ids, in trace
 * order, per output:
 *   CPU Usage     block = 2 + threads: trace root, "Total", one per thread
 *   Thread Status block = 1 + threads: trace root, one per thread
 *   Statistics    block = 1 + WL_N_EVENT_TYPES: trace root, one per type
 */

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "workload.h"

struct jsonw;

enum sim_output {
	OUT_CPU_USAGE = 0,
	OUT_THREAD_STATUS,
	OUT_EVENTS,
	OUT_STATISTICS,
	OUT_HISTOGRAM,          /* events per time bucket: the event rate */
	/* The kernel analyses (kernel.h, docs/kernel-analyses.md). */
	OUT_RESOURCES,          /* Resources Status */
	OUT_LAT_SCATTER,        /* System Call Latency - Latency vs Time */
	OUT_LAT_STATS,          /* System Call Latency - Latency Statistics */
	OUT_LAT_DENSITY,        /* System Call Latency - Latency Density */
	OUT_DISK_IO,            /* Disk I/O View */
	OUT_MEMORY,             /* Memory Usage */
	OUT_CRITICAL_PATH,      /* Critical Path (the thread: parameter "tid") */
	OUT_LAT_TABLE,          /* System Call Latency - Latency Table */
	OUT_COUNT
};

struct jsonw;
struct model_view;
struct query;

/* A model writer: writes the "model" value; 0, or -1 with err for a 400. */
typedef int (*model_fn)(struct jsonw *w, const struct model_view *v, const struct query *q,
			char *err, size_t errlen);

struct out_desc {
	const char *id, *name, *description, *type;
	/* tree; data = xy / states / lines; arrows and tooltip for time graphs */
	model_fn tree, data, arrows, tooltip;
	void (*columns)(struct jsonw *w);       /* tables */
};

const struct out_desc *model_output(int idx);
/* Index of the output with that id, or -1. */
int model_output_find(const char *id);

/* Marker set served by every experiment. */
#define MODEL_MARKER_SET_ID "frames"
#define MODEL_FRAME_NS INT64_C(100000000)

/* One event of a multi-trace experiment, in time order. */
struct wl_ref {
	uint32_t trace;
	uint32_t index;
};

/* What a model is computed over: an experiment's traces and its progress. */
struct model_view {
	const struct workload *const *wl;
	size_t n;
	const struct wl_ref *merged;    /* all events by time; NULL for one trace */
	size_t n_merged;
	/* A RUNNING analysis has seen num/den of each trace; den 0 = all of it. */
	int64_t progress_num, progress_den;
};

/* k-way merge of the traces' events by (ts, trace). 0, or -1 out of memory. */
int model_merge_events(const struct workload *const *wl, size_t n,
		       struct wl_ref **out, size_t *n_out);

/* Which parameters an endpoint requires (query_parse answers 400 without them). */
enum {
	Q_RANGE = 1 << 0,       /* requested_timerange */
	Q_ITEMS = 1 << 1,       /* requested_items */
	Q_TIMES = 1 << 2,       /* requested_times */
	Q_ELEMENT = 1 << 3,     /* requested_element */
	Q_COUNT = 1 << 4,       /* requested_table_count */
};

enum { ELEM_STATE = 0, ELEM_ANNOTATION, ELEM_ARROW };

#define Q_DEFAULT_NB_TIMES 400
#define Q_MAX_NB_TIMES 65536

struct query {
	unsigned present;               /* Q_* bits of what was sent */
	int64_t start, end;             /* requested_timerange */
	int nb_times;                   /* Q_DEFAULT_NB_TIMES when absent */
	int64_t *items;
	size_t n_items;
	int64_t *times;
	size_t n_times;
	int elem_type;
	int64_t elem_time, elem_duration, elem_entry, elem_dest;
	int has_elem_entry, has_elem_dest;
	int has_index;
	int64_t index;                  /* requested_table_index */
	int64_t count;                  /* requested_table_count */
	int has_columns;
	int64_t *columns;
	size_t n_columns;
	const char *marker_set;         /* NULL if absent */
	int has_categories;
	const char **categories;
	size_t n_categories;
	int has_tid;                    /* "tid": the Critical Path's thread */
	int64_t tid;
	int is_filtered;                /* "isFiltered": true */
	struct arena arena;
};

void query_init(struct query *q);
void query_release(struct query *q);
/*
 * Reads `params` (the "parameters" object). Wrong types, out-of-range
 * values and missing `need` members give -1 and a message for a 400.
 */
int query_parse(struct query *q, const cJSON *params, unsigned need, char *err, size_t errlen);

/*
 * Model writers. Each writes one JSON value (the "model"); they return 0, or
 * -1 with a message in err for a 400 (nothing usable was written then).
 */
void model_outputs(struct jsonw *w);
void model_output_desc(struct jsonw *w, int out);
int model_xy_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen);
/* The Histogram output (an XY tree and series of event counts per sample step). */
int model_hist_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen);
int model_hist_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen);
int model_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
	     char *err, size_t errlen);
int model_tg_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen);
int model_tg_states(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen);
int model_tg_arrows(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen);
int model_tg_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen);
/* A TABLE output's column, as its columns request lists it (id = index). */
struct table_col {
	const char *name, *description, *type;
};

/* The columns request's model: [{id, name, description, type}] of cols[0..n). */
void mw_table_columns(struct jsonw *w, const struct table_col *cols, int n);
void model_table_columns(struct jsonw *w);
int model_table_lines(struct jsonw *w, const struct model_view *v, const struct query *q,
		      char *err, size_t errlen);
int model_stats_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen);
void model_styles(struct jsonw *w, int out);
void model_marker_sets(struct jsonw *w);
/* marker_set may be NULL. */
void model_annotation_categories(struct jsonw *w, int out, const char *marker_set);
int model_annotations(struct jsonw *w, const struct model_view *v, int out,
		      const struct query *q, char *err, size_t errlen);

/* Time up to which a (possibly RUNNING) analysis has data for trace wl. */
int64_t model_known_end(const struct model_view *v, const struct workload *wl);

/* First entry id of trace k's block in output `out`. */
int64_t model_entry_base(const struct model_view *v, int out, size_t k);
/* Which trace owns entry `id` of output `out`; *local is the id within its block. -1 if none. */
int model_find_entry(const struct model_view *v, int out, int64_t id, size_t *k, int64_t *local);

/*
 * Writers shared by models.c and the kernel_*.c analyses, so that each
 * piece of the wire format is written in one place.
 */
/* A tree header {"name", "tooltip"[, "dataType"]} (type NULL: none). */
void mw_header(struct jsonw *w, const char *name, const char *tooltip, const char *type);
/* "style": {"parentKey": parent, "values": {}}. */
void mw_style_ref(struct jsonw *w, const char *parent);
/* An integer as a JSON string (labels and tooltips are strings). */
void mw_label_int(struct jsonw *w, int64_t v);
void mw_kv_int(struct jsonw *w, const char *key, int64_t value);
/* An XY axis description {"label", "unit", "dataType"} under key. */
void mw_axis(struct jsonw *w, const char *key, const char *label, const char *unit,
	     const char *type);
/* Tree model: begin opens "entries", headers closes them and opens "headers", end closes. */
void mw_tree_begin(struct jsonw *w, int expand);
void mw_tree_headers(struct jsonw *w);
void mw_tree_end(struct jsonw *w);
/* First sample index of q in [from, nb_times) whose time is >= ts (nb_times if none). */
int model_first_sample_from(const struct query *q, int from, int64_t ts);
/* The requested range, or the trace's whole range; clipped to what is known. */
void model_range(const struct model_view *v, const struct workload *wl, const struct query *q,
		 int64_t *a, int64_t *b);

#endif
