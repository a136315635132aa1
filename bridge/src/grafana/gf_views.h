#ifndef GF_VIEWS_H
#define GF_VIEWS_H

/*
 * The views of the Grafana endpoints, listed once: what a target names,
 * what the JSON datasource's metric list shows, which output types have
 * the view, which it is the default of, which payload fields it takes, and
 * the code that runs it (gf_query.c holds the table).
 */

#include <stddef.h>

#include "gf_request.h"
#include "gf_target.h"
#include "tsp_model.h"

struct gf_job;

/* Payload fields a view takes besides experiment and output. */
enum {
	GF_FIELD_ENTRIES = 1 << 0,
	GF_FIELD_MARKERS = 1 << 1,
	GF_FIELD_LIMIT = 1 << 2,
	GF_FIELD_TID = 1 << 3,          /* the thread of a Critical Path */
	GF_FIELD_BINS = 1 << 4,         /* generic XY bins */
};

#define GF_TYPE(t) (1u << (t))
#define GF_TT_ANY (-1)

struct gf_view_def {
	enum gf_view view;
	const char *name;               /* as targets and metrics write it: "series", ... */
	const char *label;              /* the JSON datasource's metric list */
	unsigned types;                 /* GF_TYPE(output type) of the outputs that have it */
	unsigned default_of;            /* the output types it is the default view of ... */
	int default_tt;                 /* ... for this target type (GF_TT_ANY: any other) */
	unsigned fields;                /* GF_FIELD_* */
	int (*run)(struct gf_job *j);
};

/* Every view, in the order the metric list shows them. */
const struct gf_view_def *gf_views(size_t *n);
/* The view's entry; NULL for GF_VIEW_DEFAULT or an unknown value. */
const struct gf_view_def *gf_view_def(enum gf_view v);
/* The view a target of type tt gets on an output of type t when it names none. */
enum gf_view gf_view_default(enum tsp_output_type t, enum gf_target_type tt);
/* "series, intervals, ... or edges": the names, for messages. */
const char *gf_view_names(void);

#endif
