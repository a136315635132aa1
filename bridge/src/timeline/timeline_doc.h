#ifndef TIMELINE_DOC_H
#define TIMELINE_DOC_H

/*
 * The timeline document (spec/timeline/timeline-v1.schema.json) and its
 * flat forms, from a TIME_GRAPH output's TSP models. Pure: the caller
 * fetched the models and owns them; the writers only read them.
 *
 * One normalisation serves every form, so they cannot disagree: states of
 * zero duration become events, gaps (no style, no label) are dropped,
 * states and links are clipped to the range, rows are the requested ones.
 */

#include <stddef.h>
#include <stdint.h>

#include "tsp_model.h"

struct jsonw;

#define TIMELINE_SCHEMA_VERSION 1

struct tl_source {
	const char *exp_uuid, *exp_name;
	const char *output_id, *output_name;
	int64_t from_ns, to_ns;
	int32_t width;                  /* TSP nbTimes asked */
	enum tsp_status status;         /* COMPLETED or RUNNING */
	const char *status_message;
	const char *const *notices;     /* what the document lacks and why; may be NULL */
	size_t n_notices;
};

struct tl_input {
	const struct tsp_tree *tree;    /* the output's tree */
	const int64_t *row_ids;         /* the rows asked for, NULL = every entry */
	size_t n_row_ids;
	const struct tsp_tg_states *states;     /* may be NULL */
	const struct tsp_tg_arrows *arrows;     /* may be NULL */
	const struct tsp_styles *styles;        /* may be NULL */
};

enum tl_form {
	TL_DOCUMENT,    /* the whole document */
	TL_ROWS,        /* [{id, parentId, name, labels, <metadata key>: first value, ...}] */
	TL_STATES,      /* [{row, row_name, start, end, start_ns, end_ns, duration_ms, value, label, style, color}] */
	TL_EVENTS,      /* [{row, row_name, time, time_ns, type, label}] */
	TL_LINKS,       /* [{source, source_name, target, target_name, start, end, start_ns, end_ns, duration_ms, type, style}] */
	TL_NODES,       /* node graph nodes: [{id, title, subtitle, mainstat, secondarystat}] (links out / in) */
	TL_EDGES,       /* node graph edges: [{id, source, target, mainstat}] (links per pair) */
};

/* "document", "rows", ...; -1 for an unknown name. */
int tl_form_parse(const char *name);

/*
 * Writes one form. Returns 0, or -1 when out of memory (w may then hold a
 * partial value: the caller discards it).
 */
int tl_write(struct jsonw *w, enum tl_form form, const struct tl_source *src,
	     const struct tl_input *in);

#endif
