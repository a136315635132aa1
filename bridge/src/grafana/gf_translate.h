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

/* What the bridge knows of an XY output besides its series (gf_xy.c). */
struct gf_xy_hints {
	/* Grafana unit of y when the series' axis names none: known outputs (durations, bytes) */
	const char *y_unit;
	/* the output's tree: names series that the server named by their id; NULL none */
	const struct tsp_tree *tree;
};

/* The hints for an output by its id (Trace Compass's analyses), with its tree (may be NULL). */
void gf_xy_hints_for(struct gf_xy_hints *h, const char *output_id, const struct tsp_tree *tree);

/*
 * Whether an XY output's default series are its tree's leaves only (segment
 * store outputs and generic XY: their group entries say hasData but hold
 * no series of their own).
 */
int gf_xy_leaves_only(const char *output_id, enum tsp_output_type type);

/*
 * Grafana's unit for a TSP axis unit and dataType ("ns" -> "ns", "B/s" ->
 * "Bps", "B" -> "bytes", "%" -> "percent", none with DURATION -> "ns", an
 * unknown one -> "suffix: <unit>" written into buf); NULL for none.
 */
const char *gf_unit_of(const char *unit, const char *data_type, char *buf, size_t len);

/*
 * gf_tr_series with hints (NULL: none): the value field gets the y unit
 * (axis description, else the hint) and, from the series' style
 * "series-type", config.custom: scatter -> points (showPoints always,
 * lineWidth 0), bar -> bars, area -> filled lines; line -> Grafana's default.
 */
int gf_tr_xy_series(struct gf_frame *f, const struct tsp_xy_series *s, const char *prefix,
		    const struct gf_xy_hints *h, char *err, size_t errlen);

/*
 * Generic XY (x not a time): s[0] and the series after it that share its
 * x, into one frame (*used says how many): x as "start" + "end" numbers
 * for xRanges (unit from the x axis, ns for durations; "end" hidden from
 * drawing), a string field (the axis label, or "category") for
 * xCategories, "x" for plain xValues; then one number field per series
 * with its y unit, drawn as bars for bins and categories.
 */
int gf_tr_generic_xy(struct gf_frame *f, const struct tsp_xy_series *s, size_t n, const char *prefix,
		     const struct gf_xy_hints *h, size_t *used, char *err, size_t errlen);

/*
 * A duration as trace servers write it: "532 ns", "1.5 µs", "12.346 ms",
 * "1.022 s" (also us, μs, min, h; ',' as decimal point), or a bare number
 * (ns, thousands grouped or not: "281,903"), into ns, exactly to the ns. 1 with a unit, 0 bare, -1 not one.
 */
int gf_parse_duration_ns(const char *s, double *ns);

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
 * first. ids (n of them, NULL = all) selects the entries shown. Columns
 * are numbers wherever the cells allow: a header's dataType DURATION, or
 * cells written as durations ("1.234 µs"), give numbers in ns (unit "ns");
 * NUMBER / BINARY_NUMBER numbers; TIMESTAMP with ns cells a time field;
 * percentages unit "percent"; empty and "---" cells are null.
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
