/* Grafana frames and their three JSON shapes (gf_frame.h). */
#include "gf_frame.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "jsonw.h"
#include "strbuf.h"

void gf_frame_init(struct gf_frame *f)
{
	memset(f, 0, sizeof(*f));
	arena_init(&f->arena);
}

void gf_frame_release(struct gf_frame *f)
{
	size_t i;

	for (i = 0; i < f->n_fields; i++) {
		free(f->fields[i].times);
		free(f->fields[i].nums);
		free(f->fields[i].decs);
		free(f->fields[i].strs);
	}
	free(f->fields);
	free(f->name_ix);
	arena_release(&f->arena);
	gf_frame_init(f);
}

/* Takes n bytes of the request's budget; -1 (and over) when they do not fit. */
static int charge(struct gf_frame *f, size_t n)
{
	struct gf_budget *b = f->budget;

	size_t used;

	if (!b || !b->cap)
		return 0;
	/* The targets of one request build their frames at the same time. */
	used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);
	do {
		if (__atomic_load_n(&b->over, __ATOMIC_RELAXED) || n > b->cap - used) {
			__atomic_store_n(&b->over, 1, __ATOMIC_RELAXED);
			return -1;
		}
	} while (!__atomic_compare_exchange_n(&b->used, &used, used + n, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

int gf_frame_settle(struct gf_frame *f)
{
	size_t now;

	if (!f->budget)
		return 0;
	now = arena_bytes(&f->arena);
	if (now <= f->arena_charged)
		return 0;
	if (charge(f, now - f->arena_charged) < 0)
		return -1;
	f->arena_charged = now;
	return 0;
}

static int copy_str(struct gf_frame *f, const char **dst, const char *s)
{
	size_t len;

	if (!s) {
		*dst = NULL;
		return 0;
	}
	len = strlen(s);
	if (charge(f, len + 1) < 0)
		return -1;
	*dst = arena_strndup(&f->arena, s, len);
	return *dst ? 0 : -1;
}

int gf_frame_set_name(struct gf_frame *f, const char *name)
{
	return copy_str(f, &f->name, name);
}

int gf_frame_set_ref_id(struct gf_frame *f, const char *ref_id)
{
	return copy_str(f, &f->ref_id, ref_id);
}

/* Grows one field's value array from `from` to `to` slots, nulls in the new ones. */
static int field_grow(struct gf_frame *f, struct gf_field *fl, size_t from, size_t to)
{
	size_t i;

	/* Every value type is 8 bytes; decimal codes 8 more. */
	if (charge(f, (to - from) * (fl->decs ? 16 : 8)) < 0)
		return -1;
	switch (fl->type) {
	case GF_TIME: {
		int64_t *v = realloc(fl->times, to * sizeof(*v));

		if (!v)
			return -1;
		memset(v + from, 0, (to - from) * sizeof(*v));
		fl->times = v;
		break;
	}
	case GF_NUMBER: {
		double *v = realloc(fl->nums, to * sizeof(*v));

		if (!v)
			return -1;
		for (i = from; i < to; i++)
			v[i] = NAN;
		fl->nums = v;
		if (fl->decs) {
			uint64_t *d = realloc(fl->decs, to * sizeof(*d));

			if (!d)
				return -1;
			memset(d + from, 0, (to - from) * sizeof(*d));
			fl->decs = d;
		}
		break;
	}
	case GF_STRING: {
		const char **v = realloc(fl->strs, to * sizeof(*v));

		if (!v)
			return -1;
		memset(v + from, 0, (to - from) * sizeof(*v));
		fl->strs = v;
		break;
	}
	}
	return 0;
}

int gf_frame_reserve(struct gf_frame *f, size_t n)
{
	size_t i;

	if (n <= f->cap)
		return 0;
	if (n > GF_FRAME_MAX_ROWS)
		return -1;
	for (i = 0; i < f->n_fields; i++)
		if (field_grow(f, &f->fields[i], f->cap, n) < 0)
			return -1;
	f->cap = n;
	/* Strings copied since the last growth are counted here too. */
	return gf_frame_settle(f);
}

/* ---- field names ---- */

/* The slot of name in the index: where it is (*found), or where it would go. */
static size_t name_slot(const struct gf_frame *f, const char *name, int *found)
{
	size_t mask = f->name_cap - 1, k = (size_t)hash_fnv1a64_str(name) & mask;

	for (; f->name_ix[k]; k = (k + 1) & mask)
		if (!strcmp(f->fields[f->name_ix[k] - 1].name, name)) {
			*found = 1;
			return k;
		}
	*found = 0;
	return k;
}

/* Room in the index for one more name, at most half full. */
static int name_index_grow(struct gf_frame *f)
{
	uint32_t *old = f->name_ix;
	size_t cap = f->name_cap ? f->name_cap : 16, i, k;
	int found;

	if ((f->n_fields + 1) * 2 <= f->name_cap)
		return 0;
	while (cap < (f->n_fields + 1) * 2)
		cap *= 2;
	if (f->n_fields >= UINT32_MAX || !(f->name_ix = calloc(cap, sizeof(*f->name_ix)))) {
		f->name_ix = old;
		return -1;
	}
	f->name_cap = cap;
	for (i = 0; i < f->n_fields; i++)
		if (f->fields[i].name) {
			k = name_slot(f, f->fields[i].name, &found);
			f->name_ix[k] = (uint32_t)i + 1;
		}
	free(old);
	return 0;
}

int gf_frame_has_field(const struct gf_frame *f, const char *name)
{
	int found = 0;

	if (name && f->name_cap)
		name_slot(f, name, &found);
	return found;
}

int gf_frame_add_field(struct gf_frame *f, const char *name, enum gf_field_type type)
{
	struct gf_field *fl;
	char alt[300];
	size_t slot = 0, n;
	int found = 0;

	if (name) {
		if (name_index_grow(f) < 0)
			return -1;
		slot = name_slot(f, name, &found);
		/* The name is cut so that the number always fits: each try is a new name. */
		for (n = 2; found; n++) {
			snprintf(alt, sizeof(alt), "%.256s (%zu)", name, n);
			slot = name_slot(f, alt, &found);
		}
		if (n > 2)
			name = alt;
	}

	if (f->n_fields == f->cap_fields) {
		size_t cap = f->cap_fields ? f->cap_fields * 2 : 8;
		struct gf_field *v = realloc(f->fields, cap * sizeof(*v));

		if (!v)
			return -1;
		f->fields = v;
		f->cap_fields = cap;
	}
	fl = &f->fields[f->n_fields];
	memset(fl, 0, sizeof(*fl));
	fl->type = type;
	if (copy_str(f, &fl->name, name) < 0)
		return -1;
	if (f->cap && field_grow(f, fl, 0, f->cap) < 0) {
		free(fl->times);
		free(fl->nums);
		free(fl->strs);
		return -1;
	}
	if (fl->name)
		f->name_ix[slot] = (uint32_t)f->n_fields + 1;
	return (int)f->n_fields++;
}

long gf_frame_add_row(struct gf_frame *f)
{
	if (f->length == f->cap &&
	    gf_frame_reserve(f, f->cap ? f->cap * 2 : 64) < 0 &&
	    gf_frame_reserve(f, f->cap + 1) < 0)
		return -1;
	return (long)f->length++;
}

void gf_set_time(struct gf_frame *f, size_t fi, size_t i, int64_t ms)
{
	f->fields[fi].times[i] = ms;
}

void gf_set_num(struct gf_frame *f, size_t fi, size_t i, double v)
{
	f->fields[fi].nums[i] = v;
}

int gf_field_keep_decimals(struct gf_frame *f, size_t fi)
{
	struct gf_field *fl = &f->fields[fi];

	if (fl->type != GF_NUMBER)
		return -1;
	if (!fl->decs && (charge(f, (f->cap ? f->cap : 1) * sizeof(*fl->decs)) < 0 ||
			  !(fl->decs = calloc(f->cap ? f->cap : 1, sizeof(*fl->decs)))))
		return -1;
	return 0;
}

void gf_set_num_dec(struct gf_frame *f, size_t fi, size_t i, double v, uint64_t code)
{
	f->fields[fi].nums[i] = v;
	f->fields[fi].decs[i] = code;
}

int gf_set_str(struct gf_frame *f, size_t fi, size_t i, const char *s)
{
	return copy_str(f, &f->fields[fi].strs[i], s);
}

void gf_set_str_ref(struct gf_frame *f, size_t fi, size_t i, const char *s)
{
	f->fields[fi].strs[i] = s;
}

int gf_field_set_unit(struct gf_frame *f, size_t fi, const char *unit)
{
	return copy_str(f, &f->fields[fi].unit, unit);
}

int gf_field_set_display_name(struct gf_frame *f, size_t fi, const char *name)
{
	return copy_str(f, &f->fields[fi].display_name, name);
}

int gf_field_set_display_name_ds(struct gf_frame *f, size_t fi, const char *name)
{
	return copy_str(f, &f->fields[fi].display_name_ds, name);
}

int gf_field_set_fixed_color(struct gf_frame *f, size_t fi, const char *color)
{
	return copy_str(f, &f->fields[fi].fixed_color, color);
}

int gf_field_set_custom(struct gf_frame *f, size_t fi, const struct gf_custom *c)
{
	struct gf_custom *d = &f->fields[fi].custom;

	*d = *c;
	return copy_str(f, &d->draw_style, c->draw_style) < 0 ||
	       copy_str(f, &d->show_points, c->show_points) < 0 ? -1 : 0;
}

int gf_field_set_mappings(struct gf_frame *f, size_t fi, const struct gf_mapping *m, size_t n)
{
	struct gf_mapping *v = arena_calloc(&f->arena, n ? n : 1, sizeof(*v));
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < n; i++)
		if (copy_str(f, &v[i].value, m[i].value) < 0 || copy_str(f, &v[i].text, m[i].text) < 0 ||
		    copy_str(f, &v[i].color, m[i].color) < 0)
			return -1;
	f->fields[fi].mappings = v;
	f->fields[fi].n_mappings = n;
	return 0;
}

int gf_frame_notice(struct gf_frame *f, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (f->n_notices == GF_MAX_NOTICES)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (copy_str(f, &f->notices[f->n_notices], buf) < 0)
		return -1;
	f->n_notices++;
	return 0;
}

/* ---- writers ---- */

static void write_meta(struct jsonw *w, const struct gf_frame *f)
{
	size_t i;

	if (!f->n_notices)
		return;
	jsonw_key(w, "meta");
	jsonw_obj_begin(w);
	jsonw_key(w, "notices");
	jsonw_arr_begin(w);
	for (i = 0; i < f->n_notices; i++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "severity", "warning");
		jsonw_kstr(w, "text", f->notices[i]);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void write_num(struct jsonw *w, const struct gf_field *fl, size_t i)
{
	if (fl->decs && fl->decs[i])
		jsonw_dec(w, fl->decs[i]);
	else
		jsonw_double(w, fl->nums[i]);   /* NaN is written as null */
}

static void write_value(struct jsonw *w, const struct gf_field *fl, size_t i)
{
	switch (fl->type) {
	case GF_TIME:
		jsonw_int64(w, fl->times[i]);
		break;
	case GF_NUMBER:
		write_num(w, fl, i);
		break;
	case GF_STRING:
		jsonw_str(w, fl->strs[i]);
		break;
	}
}

static void write_config_members(struct jsonw *w, const struct gf_field *fl);

static const char *type_name(enum gf_field_type t)
{
	return t == GF_TIME ? "time" : t == GF_NUMBER ? "number" : "string";
}

int gf_write_timeseries(struct jsonw *w, const struct gf_frame *f, size_t value_field)
{
	const struct gf_field *t, *v;
	size_t i;

	if (f->n_fields <= value_field || value_field == 0 || f->fields[0].type != GF_TIME ||
	    f->fields[value_field].type != GF_NUMBER)
		return -1;
	t = &f->fields[0];
	v = &f->fields[value_field];
	jsonw_obj_begin(w);
	jsonw_kstr(w, "target", v->display_name ? v->display_name : f->name ? f->name : v->name);
	if (f->ref_id)
		jsonw_kstr(w, "refId", f->ref_id);
	jsonw_key(w, "datapoints");
	jsonw_arr_begin(w);
	for (i = 0; i < f->length; i++) {
		jsonw_arr_begin(w);
		write_num(w, v, i);
		jsonw_int64(w, t->times[i]);
		jsonw_arr_end(w);
	}
	jsonw_arr_end(w);
	write_meta(w, f);
	jsonw_obj_end(w);
	return 0;
}

void gf_write_table(struct jsonw *w, const struct gf_frame *f)
{
	size_t i, k;

	jsonw_obj_begin(w);
	jsonw_kstr(w, "type", "table");
	if (f->ref_id)
		jsonw_kstr(w, "refId", f->ref_id);
	if (f->name)
		jsonw_kstr(w, "name", f->name);
	jsonw_key(w, "columns");
	jsonw_arr_begin(w);
	for (k = 0; k < f->n_fields; k++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "text", f->fields[k].name);
		jsonw_kstr(w, "type", type_name(f->fields[k].type));
		/* toDataFrame makes a column's other members its field config. */
		write_config_members(w, &f->fields[k]);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (i = 0; i < f->length && !w->err; i++) {
		jsonw_arr_begin(w);
		for (k = 0; k < f->n_fields; k++)
			write_value(w, &f->fields[k], i);
		jsonw_arr_end(w);
	}
	jsonw_arr_end(w);
	write_meta(w, f);
	jsonw_obj_end(w);
}

void gf_write_rows(struct jsonw *w, const struct gf_frame *f, const char *extra_key, const char *extra_val)
{
	size_t i, k;

	for (i = 0; i < f->length && !w->err; i++) {
		jsonw_obj_begin(w);
		if (extra_key)
			jsonw_kstr(w, extra_key, extra_val);
		for (k = 0; k < f->n_fields; k++) {
			jsonw_key(w, f->fields[k].name);
			write_value(w, &f->fields[k], i);
		}
		jsonw_obj_end(w);
	}
}

/* A series frame's name as a column: the entry's name. */
static const char *series_name(const struct gf_frame *f)
{
	const struct gf_field *v = &f->fields[1];

	return f->name ? f->name : v->display_name ? v->display_name : v->name;
}

static int is_series_frame(const struct gf_frame *f)
{
	return f->is_series && f->n_fields == 2 && f->fields[0].type == GF_TIME &&
	       f->fields[1].type == GF_NUMBER;
}

int gf_write_wide(struct jsonw *w, struct gf_frame *const *fs, size_t n)
{
	size_t i, k;

	if (!n)
		return -1;
	for (k = 0; k < n; k++) {
		if (!is_series_frame(fs[k]) || fs[k]->length != fs[0]->length)
			return -1;
		if (k && memcmp(fs[k]->fields[0].times, fs[0]->fields[0].times,
				fs[0]->length * sizeof(int64_t)))
			return -1;
		/* Two series of one name would make one key twice. */
		for (i = 0; i < k; i++)
			if (!strcmp(series_name(fs[i]), series_name(fs[k])))
				return -1;
	}
	for (i = 0; i < fs[0]->length && !w->err; i++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "time", fs[0]->fields[0].times[i]);
		for (k = 0; k < n; k++) {
			jsonw_key(w, series_name(fs[k]));
			write_num(w, &fs[k]->fields[1], i);
		}
		jsonw_obj_end(w);
	}
	return 0;
}

void gf_write_long(struct jsonw *w, const struct gf_frame *f)
{
	size_t i;

	if (!is_series_frame(f)) {
		gf_write_rows(w, f, f->name ? "frame" : NULL, f->name);
		return;
	}
	for (i = 0; i < f->length && !w->err; i++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "time", f->fields[0].times[i]);
		jsonw_kstr(w, "series", series_name(f));
		jsonw_key(w, "value");
		write_num(w, &f->fields[1], i);
		jsonw_obj_end(w);
	}
}

/* config.custom: the time series panel's draw options, when set. */
static void write_custom(struct jsonw *w, const struct gf_custom *c)
{
	if (!c->draw_style && !c->hide_from_viz)
		return;
	jsonw_key(w, "custom");
	jsonw_obj_begin(w);
	if (c->draw_style)
		jsonw_kstr(w, "drawStyle", c->draw_style);
	if (c->show_points)
		jsonw_kstr(w, "showPoints", c->show_points);
	if (c->line_width >= 0)
		jsonw_kint64(w, "lineWidth", c->line_width);
	if (c->fill_opacity >= 0)
		jsonw_kint64(w, "fillOpacity", c->fill_opacity);
	if (c->point_size >= 0)
		jsonw_kint64(w, "pointSize", c->point_size);
	if (c->hide_from_viz) {
		jsonw_key(w, "hideFrom");
		jsonw_obj_begin(w);
		jsonw_kbool(w, "viz", 1);
		jsonw_kbool(w, "legend", 1);
		jsonw_kbool(w, "tooltip", 0);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
}

/* unit, displayName, displayNameFromDS, mappings, custom: the members of a field's config that are set. */
static void write_config_members(struct jsonw *w, const struct gf_field *fl)
{
	size_t i;

	if (fl->unit)
		jsonw_kstr(w, "unit", fl->unit);
	if (fl->display_name)
		jsonw_kstr(w, "displayName", fl->display_name);
	if (fl->display_name_ds)
		jsonw_kstr(w, "displayNameFromDS", fl->display_name_ds);
	if (fl->n_mappings) {
		jsonw_key(w, "mappings");
		jsonw_arr_begin(w);
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", "value");
		jsonw_key(w, "options");
		jsonw_obj_begin(w);
		for (i = 0; i < fl->n_mappings; i++) {
			const struct gf_mapping *m = &fl->mappings[i];

			jsonw_key(w, m->value);
			jsonw_obj_begin(w);
			jsonw_kstr(w, "text", m->text ? m->text : m->value);
			if (m->color)
				jsonw_kstr(w, "color", m->color);
			jsonw_kint64(w, "index", (int64_t)i);
			jsonw_obj_end(w);
		}
		jsonw_obj_end(w);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	if (fl->fixed_color) {
		jsonw_key(w, "color");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "mode", "fixed");
		jsonw_kstr(w, "fixedColor", fl->fixed_color);
		jsonw_obj_end(w);
	}
	write_custom(w, &fl->custom);
}

static void write_config(struct jsonw *w, const struct gf_field *fl)
{
	jsonw_key(w, "config");
	jsonw_obj_begin(w);
	write_config_members(w, fl);
	jsonw_obj_end(w);
}

void gf_write_dataframe(struct jsonw *w, const struct gf_frame *f)
{
	size_t i, k;

	jsonw_obj_begin(w);
	if (f->name)
		jsonw_kstr(w, "name", f->name);
	if (f->ref_id)
		jsonw_kstr(w, "refId", f->ref_id);
	jsonw_key(w, "fields");
	jsonw_arr_begin(w);
	for (k = 0; k < f->n_fields && !w->err; k++) {
		const struct gf_field *fl = &f->fields[k];

		jsonw_obj_begin(w);
		jsonw_kstr(w, "name", fl->name);
		jsonw_kstr(w, "type", type_name(fl->type));
		jsonw_key(w, "values");
		jsonw_arr_begin(w);
		for (i = 0; i < f->length && !w->err; i++)
			write_value(w, fl, i);
		jsonw_arr_end(w);
		write_config(w, fl);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	write_meta(w, f);
	jsonw_obj_end(w);
}
