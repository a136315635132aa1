#ifndef GF_TARGET_H
#define GF_TARGET_H

/*
 * Grafana targets: "experiment/output[/entries][?key=value&...]", their
 * patterns, and the discovery queries of /search and /variable
 * ("experiments()", "outputs(EXP[, TYPE])", ...). Pure functions; see
 * docs/grafana-api.md for the syntax.
 *
 * Ownership: a parsed target owns its strings and compiled regexes;
 * gf_target_release() frees them. Patterns are immutable once parsed and
 * may be matched from several threads.
 */

#include <stddef.h>
#include <stdint.h>

#include "name_pattern.h"

struct cJSON;

enum gf_view {
	GF_VIEW_DEFAULT = 0,    /* chosen by output type and target type */
	GF_VIEW_SERIES,
	GF_VIEW_INTERVALS,
	GF_VIEW_TIMELINE,
	GF_VIEW_ARROWS,
	GF_VIEW_STYLES,
	GF_VIEW_EVENTS,
	GF_VIEW_TREE,
	GF_VIEW_ANNOTATIONS,
	GF_VIEW_NODES,          /* node graph: rows that links join */
	GF_VIEW_EDGES,          /* node graph: links per (source, target) */
	GF_VIEW_DENSITY,        /* generic XY: bins / categories as bars */
};
/* "series", ...; NULL for an unknown value (the names are gf_views.h's table). */
const char *gf_view_name(enum gf_view v);
/* -1 for an unknown name. */
int gf_view_parse(const char *name);

enum gf_format {
	GF_FORMAT_DEFAULT = 0,  /* by the target's SimpleJSON type / payload presence */
	GF_FORMAT_TIMESERIES,
	GF_FORMAT_TABLE,
	GF_FORMAT_FRAME,
};

#define GF_LIMIT_DEFAULT 10000
#define GF_LIMIT_MAX 1000000
#define GF_BINS_DEFAULT 50
#define GF_BINS_MAX 65536
#define GF_TID_MAX 2147483647

struct gf_target {
	struct name_pattern experiment, output, entries;
	int has_entries;        /* an entries part or payload field was given */
	enum gf_view view;
	enum gf_format format;
	long limit;             /* GF_LIMIT_DEFAULT unless given */
	char *markers;          /* marker set id, NULL if none */
	char *category;         /* annotation category, NULL = all */
	int has_tid;            /* the thread of a Critical Path, sent upstream as "tid" */
	int64_t tid;
	int bins;               /* generic XY: bins asked (nbSamples), GF_BINS_DEFAULT unless given */
};

void gf_target_init(struct gf_target *t);
void gf_target_release(struct gf_target *t);

/*
 * Parses a target string and then applies the fields of `fields` (a JSON
 * object: SimpleJSON's `data` or the JSON datasource's `payload`; NULL or
 * non-object ignored) over it: experiment, output, entries (string pattern
 * or array of exact names), view, limit (number or numeric string), markers,
 * category, format, tid (0..2147483647) and bins (1..65536), numbers or
 * numeric strings. Empty strings in fields count as absent. The string may
 * be empty when fields name experiment and output.
 * Returns 0, or -1 with a message naming the problem in err (e.g.
 * "target \"kernel\": expected experiment/output", "unknown view \"foo\"",
 * "bad regex \"~(\": ...", "limit must be 1..1000000").
 */
int gf_target_parse(struct gf_target *t, const char *s, const struct cJSON *fields,
		    char *err, size_t errlen);

/* Discovery queries of /search and /variable. */
enum gf_discover_kind {
	GF_DISC_TARGETS = 0,    /* anything else: experiment/output targets containing `text` */
	GF_DISC_EXPERIMENTS,    /* experiments([SERVER]) */
	GF_DISC_OUTPUTS,        /* outputs(EXP[, TYPE]) */
	GF_DISC_ENTRIES,        /* entries(EXP/OUTPUT) */
	GF_DISC_MARKERS,        /* markers(EXP) */
	GF_DISC_SERVERS,        /* servers() */
};

struct gf_discover {
	enum gf_discover_kind kind;
	char *text;             /* GF_DISC_TARGETS: the substring ("" = all) */
	struct name_pattern experiment;   /* OUTPUTS, ENTRIES, MARKERS */
	struct name_pattern server;       /* EXPERIMENTS: which servers, when has_server */
	int has_server;                   /* experiments(SERVER): names always "server:experiment" */
	struct name_pattern output;       /* ENTRIES */
	char *type;             /* OUTPUTS: TSP type name, normalised ("TREE_TIME_XY", ...), NULL = any */
};

void gf_discover_release(struct gf_discover *d);
/*
 * Parses a discovery query; "XY" and "TIMEGRAPH"/"TIME_GRAPH" are accepted
 * for TYPE, case-insensitive. -1 with err for a malformed call
 * ("outputs(" without ')', an unknown type, entries() without an output).
 */
int gf_discover_parse(struct gf_discover *d, const char *q, char *err, size_t errlen);

#endif
