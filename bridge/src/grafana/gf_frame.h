#ifndef GF_FRAME_H
#define GF_FRAME_H

/*
 * A Grafana data frame, built from TSP models (gf_translate.c) and written
 * out in the shape the client asked for (this module): SimpleJSON time
 * series, SimpleJSON table, or a data frame that @grafana/data's
 * toDataFrame() takes as it is. See docs/grafana-api.md.
 *
 * Ownership: a frame owns everything it points to: value arrays (malloc'd,
 * they grow with the rows) and strings (copied into its arena, except those
 * given to gf_set_str_ref). gf_frame_release() frees it all. A frame is
 * built by one thread.
 */

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
/* Frames hold ms (GF_TIME); their builders convert TSP's ns with ns_to_ms(). */
#include "nstime.h"

struct jsonw;

enum gf_field_type {
	GF_TIME,        /* epoch milliseconds, int64 (`times`) */
	GF_NUMBER,      /* double (`nums`); NaN is null */
	GF_STRING,      /* `strs`; NULL is null */
};

/*
 * config.custom of a number field: how Grafana's time series panel draws
 * it (points for a scatter, bars for a histogram), and hideFrom.viz for
 * a field to read but not draw. Nothing is written unless draw_style or
 * hide_from_viz is set; a negative number is left unset.
 */
struct gf_custom {
	const char *draw_style;         /* "line", "points", "bars"; NULL unset */
	const char *show_points;        /* "always", "never", "auto"; NULL unset */
	int line_width, fill_opacity, point_size;
	int hide_from_viz;              /* hideFrom {viz: true, legend: true, tooltip: false} */
};

/* One value mapping: field value `value` shown as `text` in `color`. */
struct gf_mapping {
	const char *value;
	const char *text;       /* NULL: the value itself */
	const char *color;      /* "#rrggbb" or NULL */
};

struct gf_field {
	const char *name;
	enum gf_field_type type;
	int64_t *times;         /* GF_TIME: length values */
	double *nums;           /* GF_NUMBER */
	/*
	 * GF_NUMBER, optional: per value the server's decimal code (dec.h),
	 * written instead of formatting nums[i] when not 0. NULL unless
	 * gf_field_keep_decimals() was called.
	 */
	uint64_t *decs;
	const char **strs;      /* GF_STRING */
	/* config, each NULL / 0 if unset */
	const char *unit;
	const char *display_name;
	/*
	 * config.displayNameFromDS: the name Grafana shows as it is, where a
	 * frame named like its value field would otherwise read "X X".
	 */
	const char *display_name_ds;
	struct gf_mapping *mappings;
	size_t n_mappings;
	struct gf_custom custom;        /* zeroed: none */
	const char *fixed_color;        /* config.color {mode: fixed, fixedColor}; NULL none */
};

#define GF_MAX_NOTICES 8

/*
 * What the frames of one request may hold, shared by them: value arrays
 * are charged before they grow, strings as they are copied. Past cap an
 * allocation fails as if memory ran out and `over` is set, so one request
 * cannot take the machine's memory however many targets or rows it asks.
 * Charged atomically: frames of several targets may be built at once.
 */
struct gf_budget {
	size_t cap;             /* 0 = no limit */
	size_t used;
	int over;
};

struct gf_frame {
	const char *name;       /* series / table name; NULL if none */
	const char *ref_id;     /* refId of the target; NULL if none */
	size_t length;          /* values per field */
	size_t cap;             /* values allocated per field */
	struct gf_field *fields;
	size_t n_fields, cap_fields;
	uint32_t *name_ix;      /* open addressing over field names: index + 1, 0 empty */
	size_t name_cap;        /* slots, a power of two */
	/* meta.notices, severity "warning"; meta.custom carries nothing else yet */
	const char *notices[GF_MAX_NOTICES];
	size_t n_notices;
	/*
	 * Which shape this frame takes in a SimpleJSON answer by default:
	 * a series frame (one time + one number field) is a time series,
	 * everything else a table. Set by gf_translate.
	 */
	int is_series;
	struct arena arena;     /* owns the strings; the value arrays are malloc'd */
	struct gf_budget *budget;       /* NULL: unbounded; not owned */
	size_t arena_charged;           /* of arena_bytes(), what the budget was charged */
};

void gf_frame_init(struct gf_frame *f);
/*
 * Charges the budget for what the frame's arena grew by since the last
 * call (strings copied in by translators); -1 when that goes over.
 */
int gf_frame_settle(struct gf_frame *f);
void gf_frame_release(struct gf_frame *f);

/* Copies name / ref_id; either may be NULL. -1 when out of memory. */
int gf_frame_set_name(struct gf_frame *f, const char *name);
int gf_frame_set_ref_id(struct gf_frame *f, const char *ref_id);

/*
 * Adds a field with room for the frame's current capacity; returns its
 * index, or -1 when out of memory. Fields added later start with `length`
 * null values (NaN / NULL / 0). Names are unique in a frame: a name the
 * frame has already gets " (2)", " (3)", ... (fields are the keys of the
 * objects /flat writes, where a name twice would lose one of them).
 */
int gf_frame_add_field(struct gf_frame *f, const char *name, enum gf_field_type type);
/* Whether the frame has a field of that name (through the names' index). */
int gf_frame_has_field(const struct gf_frame *f, const char *name);

/*
 * Makes room for n values per field (all fields). Values past `length` are
 * null. -1 when out of memory or n is beyond GF_FRAME_MAX_ROWS.
 */
#define GF_FRAME_MAX_ROWS ((size_t)1 << 24)
int gf_frame_reserve(struct gf_frame *f, size_t n);

/*
 * Appends one row: grows the capacity as needed and bumps `length`; the new
 * row's values are null until set. Returns the row index or -1.
 */
long gf_frame_add_row(struct gf_frame *f);

/* Setters for row i (< length) of field fi; strings are copied (NULL = null). */
void gf_set_time(struct gf_frame *f, size_t fi, size_t i, int64_t ms);
void gf_set_num(struct gf_frame *f, size_t fi, size_t i, double v);
/*
 * Gives number field fi room for decimal codes (all 0); -1 when out of
 * memory. Then gf_set_num_dec() sets a value and the digits to write for
 * it: code must be v's own decimal (dec.h) or 0.
 */
int gf_field_keep_decimals(struct gf_frame *f, size_t fi);
void gf_set_num_dec(struct gf_frame *f, size_t fi, size_t i, double v, uint64_t code);
int gf_set_str(struct gf_frame *f, size_t fi, size_t i, const char *s);
/* Sets a string without copying: s must live as long as the frame (a literal, or arena memory). */
void gf_set_str_ref(struct gf_frame *f, size_t fi, size_t i, const char *s);

int gf_field_set_unit(struct gf_frame *f, size_t fi, const char *unit);
int gf_field_set_display_name(struct gf_frame *f, size_t fi, const char *name);
int gf_field_set_display_name_ds(struct gf_frame *f, size_t fi, const char *name);
/* Copies the colour ("#rrggbb"). */
int gf_field_set_fixed_color(struct gf_frame *f, size_t fi, const char *color);
/* Copies c (its strings too). */
int gf_field_set_custom(struct gf_frame *f, size_t fi, const struct gf_custom *c);
/* Copies the mappings. */
int gf_field_set_mappings(struct gf_frame *f, size_t fi, const struct gf_mapping *m, size_t n);

/* Adds a warning notice (copied, printf-style); extra notices past GF_MAX_NOTICES are dropped. */
int gf_frame_notice(struct gf_frame *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Writers: each writes one JSON value (an object) for the frame.
 *
 * gf_write_timeseries: {"target": name, "refId", "datapoints": [[value, ms],
 *   ...], "meta"?}: needs a frame whose field 0 is GF_TIME and field
 *   `value_field` is GF_NUMBER; returns -1 otherwise (nothing written).
 * gf_write_table: {"type": "table", "refId", "name"?, "columns": [{"text",
 *   "type"}], "rows": [[...]], "meta"?}; times as int ms, nulls as null.
 * gf_write_dataframe: {"name"?, "refId", "fields": [{"name", "type",
 *   "values", "config": {unit, displayName, displayNameFromDS,
 *   mappings, custom}}], "meta"?}.
 * "meta" is {"notices": [{"severity": "warning", "text"}]} when there are
 * notices, absent otherwise.
 */
int gf_write_timeseries(struct jsonw *w, const struct gf_frame *f, size_t value_field);
void gf_write_table(struct jsonw *w, const struct gf_frame *f);
void gf_write_dataframe(struct jsonw *w, const struct gf_frame *f);

/*
 * Flat writers, for clients that read rows of JSON objects (Infinity): each
 * appends objects to an array the caller opened.
 *
 * gf_write_rows: one object per row, {field name: value}; extra_key, when
 *   not NULL, comes first with extra_val.
 * gf_write_wide: series frames joined on their time: {"time": ms, name1:
 *   v1, name2: v2, ...}; -1 and nothing written unless every frame is a
 *   series with the same times and the names differ.
 * gf_write_long: a series as {"time", "series", "value"} rows; any other
 *   frame as gf_write_rows with "frame": its name.
 */
void gf_write_rows(struct jsonw *w, const struct gf_frame *f, const char *extra_key, const char *extra_val);
int gf_write_wide(struct jsonw *w, struct gf_frame *const *fs, size_t n);
void gf_write_long(struct jsonw *w, const struct gf_frame *f);

#endif
