/*
 * XY series -> frames that draw as the trace server means them
 * (gf_translate.h): the series' style says points, bars or lines, the
 * axis descriptions say units, and a generic XY's x (duration bins,
 * categories) stays a number or a string, never a time.
 */
#include "gf_translate.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- units ---- */

static const struct {
	const char *tsp, *grafana;
} unit_map[] = {
	{ "ns", "ns" }, { "µs", "µs" }, { "μs", "µs" }, { "us", "µs" }, { "ms", "ms" }, { "s", "s" },
	{ "B", "bytes" }, { "bytes", "bytes" }, { "B/s", "Bps" }, { "bytes/s", "Bps" },
	{ "%", "percent" }, { "Hz", "hertz" },
};

const char *gf_unit_of(const char *unit, const char *data_type, char *buf, size_t len)
{
	size_t i;

	if (!unit || !*unit)
		return data_type && !strcmp(data_type, "DURATION") ? "ns" : NULL;
	for (i = 0; i < sizeof(unit_map) / sizeof(unit_map[0]); i++)
		if (!strcmp(unit, unit_map[i].tsp))
			return unit_map[i].grafana;
	/* Grafana shows an unknown unit as a suffix of the value. */
	snprintf(buf, len, "suffix: %s", unit);
	return buf;
}

/*
 * Outputs whose real trace server leaves the y axis at its defaults
 * ("Y Axis", no unit) though what the values are is fixed by the
 * analysis: the segment store scatter plots durations, kernel memory
 * usage is bytes, disk I/O bytes per second.
 */
static const struct {
	const char *id_prefix, *y_unit;
} output_units[] = {
	{ "org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.scatter.dataprovider", "ns" },
	{ "org.eclipse.tracecompass.analysis.os.linux.core.kernelmemoryusage", "bytes" },
	{ "org.eclipse.tracecompass.analysis.os.linux.core.inputoutput.DisksIODataProvider", "Bps" },
};

void gf_xy_hints_for(struct gf_xy_hints *h, const char *output_id, const struct tsp_tree *tree)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->tree = tree;
	for (i = 0; output_id && i < sizeof(output_units) / sizeof(output_units[0]); i++)
		if (!strncmp(output_id, output_units[i].id_prefix, strlen(output_units[i].id_prefix)))
			h->y_unit = output_units[i].y_unit;
}

/*
 * Segment store outputs group their series (trace > component > syscall)
 * and mark every entry as having data: the groups' own series are empty
 * (scatter) or "Unknown" zeros (density), so by default only leaves are
 * drawn, as Trace Compass's views check them.
 */
int gf_xy_leaves_only(const char *output_id, enum tsp_output_type type)
{
	static const char segstore[] = "org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.";

	return type == TSP_OUTPUT_TREE_GENERIC_XY ||
	       (output_id && !strncmp(output_id, segstore, sizeof(segstore) - 1));
}

/* The y unit of s: its axis description's, else the output's hint. */
static const char *y_unit(const struct tsp_xy_series *s, const struct gf_xy_hints *h, char *buf, size_t len)
{
	const char *u = s->y_desc ? gf_unit_of(s->y_desc->unit, s->y_desc->data_type, buf, len) : NULL;

	return u ? u : h ? h->y_unit : NULL;
}

/* ---- style ---- */

/* The draw options a series-type asks for; 0 when it asks for Grafana's default (lines). */
static int draw_of(const char *type, struct gf_custom *c)
{
	memset(c, 0, sizeof(*c));
	c->line_width = c->fill_opacity = c->point_size = -1;
	if (!type)
		return 0;
	if (!strcmp(type, "scatter")) {
		c->draw_style = "points";
		c->show_points = "always";
		c->line_width = 0;
		c->point_size = 4;
	} else if (!strcmp(type, "bar")) {
		c->draw_style = "bars";
		c->line_width = 1;
		c->fill_opacity = 80;
	} else if (!strcmp(type, "area")) {
		c->draw_style = "line";
		c->fill_opacity = 30;
	} else {
		return 0;
	}
	return 1;
}

static const char *series_type(const struct tsp_xy_series *s)
{
	const struct tsp_style_value *v = s->style ? tsp_style_get(s->style, "series-type") : NULL;

	return v && !v->is_number ? v->str : NULL;
}

/* ---- names ---- */

/*
 * How a series is named: Trace Compass's scatter names each series by
 * its entry id ("12"), its density a group entry "Unknown"; the tree's
 * label for that id ("read", "fs") says it.
 */
static const char *series_label(const struct tsp_xy_series *s, const struct gf_xy_hints *h)
{
	const char *name = s->name ? s->name : "";
	char id[32];
	size_t i;

	snprintf(id, sizeof(id), "%" PRId64, s->id);
	if (!h || !h->tree || (strcmp(name, id) && strcmp(name, "Unknown")))
		return name;
	for (i = 0; i < h->tree->n_entries; i++) {
		const struct tsp_tree_entry *e = &h->tree->entries[i];

		if (e->id == s->id && e->n_labels && e->labels[0] && *e->labels[0])
			return e->labels[0];
	}
	return name;
}

static void full_name(char *buf, size_t len, const char *prefix, const char *name)
{
	if (prefix)
		snprintf(buf, len, "%s: %s", prefix, name);
	else
		snprintf(buf, len, "%s", name);
}

/*
 * The colour the server gives a series: its own style's "color", else
 * that of its tree entry (Disk I/O colours each disk's read and write).
 */
static const char *series_color(const struct tsp_xy_series *s, const struct gf_xy_hints *h)
{
	const struct tsp_style_value *v = s->style ? tsp_style_get(s->style, "color") : NULL;
	size_t i;

	if (v && !v->is_number)
		return v->str;
	for (i = 0; h && h->tree && i < h->tree->n_entries; i++) {
		const struct tsp_tree_entry *e = &h->tree->entries[i];

		if (e->id == s->id && e->style && (v = tsp_style_get(e->style, "color")) && !v->is_number)
			return v->str;
	}
	return NULL;
}

/* Unit and draw options of the value field fi for series s. */
static int value_config(struct gf_frame *f, size_t fi, const struct tsp_xy_series *s,
			const struct gf_xy_hints *h, const char *default_type)
{
	struct gf_custom c;
	char buf[128];
	const char *type = series_type(s), *u = y_unit(s, h, buf, sizeof(buf));
	const char *color = series_color(s, h);

	if ((u && gf_field_set_unit(f, fi, u) < 0) || (color && gf_field_set_fixed_color(f, fi, color) < 0))
		return -1;
	if (draw_of(type ? type : default_type, &c) && gf_field_set_custom(f, fi, &c) < 0)
		return -1;
	return 0;
}

/* ---- time XY ---- */

int gf_tr_xy_series(struct gf_frame *f, const struct tsp_xy_series *s, const char *prefix,
		    const struct gf_xy_hints *h, char *err, size_t errlen)
{
	char name[1024];
	size_t i;

	if (!s->x) {
		snprintf(err, errlen, "series \"%s\" has no xValues: only time series can be shown",
			 s->name ? s->name : "");
		return -1;
	}
	full_name(name, sizeof(name), prefix, series_label(s, h));
	/* The frame and its value share the name: Grafana is told to show it once. */
	if (gf_frame_set_name(f, name) < 0 || gf_frame_add_field(f, "time", GF_TIME) < 0 ||
	    gf_frame_add_field(f, name, GF_NUMBER) < 0 || gf_field_set_display_name_ds(f, 1, name) < 0 ||
	    value_config(f, 1, s, h, NULL) < 0 || gf_frame_reserve(f, s->n_x) < 0 ||
	    (s->y_dec && gf_field_keep_decimals(f, 1) < 0))
		return nomem(err, errlen);
	/* The server's digits go out as they came (dec.h): the same doubles, cheaper. */
	for (i = 0; i < s->n_x && i < s->n_y; i++) {
		gf_set_time(f, 0, i, ns_to_ms(s->x[i]));
		if (s->y_dec)
			gf_set_num_dec(f, 1, i, s->y[i], s->y_dec[i]);
		else
			gf_set_num(f, 1, i, s->y[i]);
	}
	f->length = i;
	f->is_series = 1;
	return 0;
}

int gf_tr_series(struct gf_frame *f, const struct tsp_xy_series *s, const char *prefix,
		 char *err, size_t errlen)
{
	return gf_tr_xy_series(f, s, prefix, NULL, err, errlen);
}

/* ---- generic XY ---- */

static int same_strings(const char **a, const char **b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i] ? a[i] : "", b[i] ? b[i] : ""))
			return 0;
	return 1;
}

/* Whether b has the same x as a (same bins, categories or values), so both fit one frame. */
static int same_x(const struct tsp_xy_series *a, const struct tsp_xy_series *b)
{
	if (a->n_y != b->n_y)
		return 0;
	if (a->x_ranges)
		return b->x_ranges && !memcmp(a->x_ranges, b->x_ranges, a->n_y * sizeof(*a->x_ranges));
	if (a->x_categories)
		return b->x_categories && same_strings(a->x_categories, b->x_categories, a->n_y);
	if (a->x)
		return b->x && !memcmp(a->x, b->x, a->n_y * sizeof(*a->x));
	return !b->x_ranges && !b->x_categories && !b->x;
}

/* The x fields of s; how many (0 when s has no x, -1 when out of memory). */
static int add_x_fields(struct gf_frame *f, const struct tsp_xy_series *s)
{
	const struct tsp_axis_description *d = s->x_desc;
	struct gf_custom hide;
	char buf[128];
	const char *u = d ? gf_unit_of(d->unit, d->data_type, buf, sizeof(buf)) : NULL;
	const char *label = d && d->label && *d->label ? d->label : NULL;

	if (s->x_categories)
		return gf_frame_add_field(f, label ? label : "category", GF_STRING) < 0 ? -1 : 1;
	if (!s->x_ranges && !s->x)
		return 0;
	if (gf_frame_add_field(f, s->x_ranges ? "start" : "x", GF_NUMBER) < 0 ||
	    (u && gf_field_set_unit(f, 0, u) < 0) || (label && gf_field_set_display_name(f, 0, label) < 0))
		return -1;
	if (!s->x_ranges)
		return 1;
	/* A bin's end is there to read (tooltip, table), not to draw as one more bar. */
	memset(&hide, 0, sizeof(hide));
	hide.line_width = hide.fill_opacity = hide.point_size = -1;
	hide.hide_from_viz = 1;
	if (gf_frame_add_field(f, "end", GF_NUMBER) < 0 || (u && gf_field_set_unit(f, 1, u) < 0) ||
	    gf_field_set_custom(f, 1, &hide) < 0)
		return -1;
	return 2;
}

static void set_x(struct gf_frame *f, const struct tsp_xy_series *s, size_t i)
{
	if (s->x_ranges) {
		gf_set_num(f, 0, i, (double)s->x_ranges[i].start);
		gf_set_num(f, 1, i, (double)s->x_ranges[i].end);
	} else if (s->x) {
		gf_set_num(f, 0, i, (double)s->x[i]);
	}
}

int gf_tr_generic_xy(struct gf_frame *f, const struct tsp_xy_series *s, size_t n, const char *prefix,
		     const struct gf_xy_hints *h, size_t *used, char *err, size_t errlen)
{
	const struct tsp_xy_series *a = &s[0];
	size_t i, k, nx;
	int rc;
	char name[1024];

	*used = 0;
	if (!n)
		return 0;
	if ((rc = add_x_fields(f, a)) < 0)
		return nomem(err, errlen);
	nx = (size_t)rc;
	if (gf_frame_reserve(f, a->n_y) < 0)
		return nomem(err, errlen);
	for (i = 0; i < a->n_y; i++) {
		set_x(f, a, i);
		if (a->x_categories && gf_set_str(f, 0, i, a->x_categories[i]) < 0)
			return nomem(err, errlen);
	}
	/* Series with the same x are one frame: grouped bars, one x. */
	for (k = 0; k < n && (k == 0 || same_x(a, &s[k])); k++) {
		size_t fi = nx + k;

		full_name(name, sizeof(name), prefix, series_label(&s[k], h));
		/* Fields of one frame are columns of one row (/flat keys): two of a name say their id. */
		if (gf_frame_has_field(f, name))
			snprintf(name + strlen(name), sizeof(name) - strlen(name), " (%" PRId64 ")", s[k].id);
		/* Bins and categories are bars unless the series says otherwise. */
		if (gf_frame_add_field(f, name, GF_NUMBER) < 0 ||
		    value_config(f, fi, &s[k], h, nx != 1 || a->x_categories ? "bar" : NULL) < 0)
			return nomem(err, errlen);
		for (i = 0; i < a->n_y; i++)
			gf_set_num(f, fi, i, s[k].y[i]);
	}
	f->length = a->n_y;
	*used = k;
	return 0;
}

/* ---- durations as trace servers write them ---- */

static const struct {
	const char *name;
	int64_t ns;
} dur_units[] = {
	{ "ns", 1 }, { "µs", 1000 }, { "μs", 1000 }, { "us", 1000 }, { "ms", 1000000 },
	{ "s", 1000000000 }, { "min", 60000000000 }, { "h", 3600000000000 },
};

/* The ns per unit of the text u; 0 when it is not one. */
static int64_t unit_ns(const char *u)
{
	size_t i;

	for (i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
		if (!strcmp(u, dur_units[i].name))
			return dur_units[i].ns;
	return 0;
}

/*
 * Up to max decimal digits at *p into *v (and 10^count into *scale when
 * not NULL); how many, or -1 past max.
 */
static int read_digits(const char **p, int max, int64_t *v, int64_t *scale)
{
	int n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++, n++) {
		if (n >= max)
			return -1;
		*v = *v * 10 + (**p - '0');
		if (scale)
			*scale *= 10;
	}
	return n;
}

/* The ns per unit of the text at p (trailing blanks allowed); 1 for none, 0 for no unit known. */
static int64_t unit_at(const char *p)
{
	char u[8];
	size_t len;

	while (*p == ' ')
		p++;
	len = strlen(p);
	while (len && p[len - 1] == ' ')
		len--;
	if (!len)
		return 1;
	if (len >= sizeof(u))
		return 0;
	memcpy(u, p, len);
	u[len] = '\0';
	return unit_ns(u);
}

/*
 * Integer ns with thousands grouping ("281,903", Trace Compass's tables):
 * 1 to 3 digits, then groups of ",ddd", then nothing or " ns". *ns and 1
 * with the unit, 0 without; -1 when s is not that.
 */
static int grouped_ns(const char *s, double *ns)
{
	int64_t v = 0;
	int n = 0, groups = 0;

	for (; *s >= '0' && *s <= '9' && n < 3; s++, n++)
		v = v * 10 + (*s - '0');
	if (!n)
		return -1;
	while (*s == ',' && groups < 6) {
		for (s++, n = 0; *s >= '0' && *s <= '9' && n < 3; s++, n++)
			v = v * 10 + (*s - '0');
		if (n != 3)
			return -1;
		groups++;
	}
	if (!groups || (*s >= '0' && *s <= '9') || (*s && strcmp(s, " ns")))
		return -1;
	*ns = (double)v;
	return *s ? 1 : 0;
}

/*
 * "1.234 µs" -> 1234: the digits are read as integers and scaled, so a
 * duration written to the ns reads back exactly (no binary fraction in
 * between); what is finer than a ns stays a fraction.
 */
int gf_parse_duration_ns(const char *s, double *ns)
{
	int64_t ip = 0, frac = 0, pow10 = 1, mult, num;
	int neg = 0, digits, fd = 0, grouped;
	const char *p = s;

	if (!s)
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	/* A comma then three digits and no unit groups thousands of ns; it is no decimal point. */
	if ((grouped = grouped_ns(p, ns)) >= 0) {
		if (neg)
			*ns = -*ns;
		return grouped;
	}
	/* 18 digits and 9 decimals: ip * 10^9 * ns per unit is checked below to fit int64. */
	if ((digits = read_digits(&p, 18, &ip, NULL)) < 0)
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		if ((fd = read_digits(&p, 9, &frac, &pow10)) < 0)
			return -1;
	}
	if ((!digits && !fd) || !(mult = unit_at(p)))
		return -1;
	if (ip + 1 > INT64_MAX / mult / pow10)
		return -1;
	num = ip * pow10 + frac;
	/* Whole ns are exact; a finer fraction is the quotient of two exact integers. */
	if ((num * mult) % pow10 == 0)
		*ns = (double)(num * mult / pow10);
	else
		*ns = (double)(num * mult) / (double)pow10;
	if (neg)
		*ns = -*ns;
	while (*p == ' ')
		p++;
	return *p ? 1 : 0;
}
