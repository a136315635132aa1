#ifndef GF_TRANSLATE_H
#define GF_TRANSLATE_H

/*
 * TSP models -> Grafana frames, one function per view of
 * docs/grafana-api.md. Pure: no network, no globals; the caller fetched the
 * models and owns them, and owns the (initialised, empty) frame it passes;
 * the frame copies what it keeps. Each returns 0, or -1 with a message in
 * err (out of memory, or a model that cannot be shown such as an XY series
 * without x values). Times: ns in, ms out (ns_to_ms), exact ns kept as
 * decimal strings where a view has *_ns fields.
 */

#include <stddef.h>
#include <stdint.h>

#include "gf_frame.h"
#include "tsp_model.h"
/* Rows, links and states are named, counted and coloured alike for every caller. */
#include "tsp_graph.h"
#include "tsp_style.h"

struct jsonw;

/* One XY series: fields "time", then the value named "prefix: name" (or name). */
int gf_tr_series(struct gf_frame *f, const struct tsp_xy_series *s, const char *prefix,
		 char *err, size_t errlen);

/*
 * Time graph state intervals in [from_ns, to_ns], clipped to it, sorted by
 * start then row: row, start, end, state, label, duration_ms, start_ns,
 * end_ns, row_id. At most `limit` rows, with a notice when cut. styles may
 * be NULL (state names then come from labels and style keys).
 */
int gf_tr_intervals(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_states *st,
		    const struct tsp_styles *styles, int64_t from_ns, int64_t to_ns, long limit,
		    char *err, size_t errlen);

/*
 * The state-timeline form: "time" (every state change, ms) and one string
 * field per row holding the state in force, with value mappings state ->
 * colour from the styles. At most `limit` rows, with a notice when cut.
 */
int gf_tr_timeline(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_states *st,
		   const struct tsp_styles *styles, int64_t from_ns, int64_t to_ns, long limit,
		   char *err, size_t errlen);

/* Arrows: source, target, start, end, duration_ms, type, source_id, target_id, start_ns, end_ns. */
int gf_tr_arrows(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_arrows *a,
		 const struct tsp_styles *styles, long limit, char *err, size_t errlen);

/*
 * Grafana's node graph from a time graph's links (pass only the links to
 * show): nodes (frame "nodes": id, title, subtitle, mainstat = links out,
 * secondarystat = links in; the rows links join) or edges (frame "edges":
 * id, source, target, mainstat = links per pair). The fields are there
 * even without a link, as the node graph needs them.
 */
int gf_tr_node_graph(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_arrows *a,
		     int edges, char *err, size_t errlen);
/* The output's state styles that have a colour: state, name, color. */
int gf_tr_styles(struct gf_frame *f, const struct tsp_styles *styles, char *err, size_t errlen);

/*
 * Events: "time" (when the first TIMESTAMP column holds epoch seconds)
 * then every TSP column (NUMBER columns as numbers when every cell is one).
 * lines may be NULL (no event in range). Lines after to_ns are dropped;
 * `total` is how many events the range holds, for the notice when `limit`
 * cut them.
 */
int gf_tr_events(struct gf_frame *f, const struct tsp_table_columns *cols,
		 const struct tsp_table_lines *lines, int64_t to_ns, int64_t total, long limit,
		 char *err, size_t errlen);

/*
 * A data tree (statistics): name, path, then one field per header after the
 * first. ids (n of them, NULL = all) selects the entries shown.
 */
int gf_tr_data_tree(struct gf_frame *f, const struct tsp_tree *tree, const int64_t *ids, size_t n,
		    char *err, size_t errlen);

/* Annotations: time, timeEnd, title (category), text (label or category), tags (category). */
int gf_tr_annotations(struct gf_frame *f, const struct tsp_annotations *a, char *err, size_t errlen);

/*
 * SimpleJSON /annotations items for an annotations frame, written as
 * elements of an array the caller has opened: {"annotation": <echo, raw
 * JSON, omitted if NULL>, "time", "timeEnd", "title", "text", "tags": [..]}.
 */
void gf_write_annotations(struct jsonw *w, const struct gf_frame *f, const char *annotation_json);

#endif
