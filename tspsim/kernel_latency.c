/*
 * System Call Latency: the segment store's scatter (Latency vs Time),
 * statistics (DATA_TREE) and density (generic XY), as Trace Compass's
 * SegmentStore{Scatter,Statistics,Density}DataProvider answer them.
 */
#include "kernel.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

/* ---- the tree shared by the scatter and the density ---- */

static void lat_tree_trace(struct jsonw *w, const struct model_view *v, const struct query *q,
			   int out, size_t k, const struct ks_seg *segs, size_t n)
{
	const struct workload *wl = v->wl[k];
	int64_t base = model_entry_base(v, out, k), a, b;
	int present[WL_N_SYSCALLS] = { 0 }, comp_done[KX_N_COMPONENTS] = { 0 };
	size_t i;
	int sc;

	model_range(v, wl, q, &a, &b);
	for (i = 0; i < n; i++)
		if (segs[i].start >= a && segs[i].start <= b)
			present[segs[i].sc] = 1;
	kx_entry_begin(w, base, -1, wl->name);
	jsonw_kbool(w, "hasData", 1);
	jsonw_obj_end(w);
	/* As TC: a type's group (its Component) comes with its first type. */
	for (sc = 0; sc < WL_N_SYSCALLS; sc++) {
		int c = ks_component(sc);

		if (!present[sc])
			continue;
		if (!comp_done[c]) {
			comp_done[c] = 1;
			kx_entry_begin(w, base + 1 + c, base, ks_component_name(c));
			jsonw_kbool(w, "hasData", 1);
			jsonw_obj_end(w);
		}
		kx_entry_begin(w, base + KX_LAT_LEAF + sc, base + 1 + c, wl_syscall_name(sc));
		jsonw_kbool(w, "hasData", 1);
		jsonw_obj_end(w);
	}
}

static int lat_tree(struct jsonw *w, const struct model_view *v, const struct query *q, int out,
		    char *err, size_t errlen)
{
	size_t k;

	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++) {
		struct ks_seg *segs;
		size_t n;

		if (ks_segments(v->wl[k], model_known_end(v, v->wl[k]), &segs, &n) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		lat_tree_trace(w, v, q, out, k, segs, n);
		free(segs);
	}
	mw_tree_headers(w);
	mw_tree_end(w);
	return 0;
}

int lat_scatter_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen)
{
	return lat_tree(w, v, q, OUT_LAT_SCATTER, err, errlen);
}

int lat_density_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen)
{
	return lat_tree(w, v, q, OUT_LAT_DENSITY, err, errlen);
}

/* Segments of each trace, computed once per request. */
struct seg_cache {
	struct ks_seg **segs;
	size_t *n;
	size_t count;
};

static int seg_cache_init(struct seg_cache *c, const struct model_view *v)
{
	size_t k;

	c->count = v->n;
	c->segs = calloc(v->n + 1, sizeof(*c->segs));
	c->n = calloc(v->n + 1, sizeof(*c->n));
	if (!c->segs || !c->n)
		return -1;
	for (k = 0; k < v->n; k++)
		if (ks_segments(v->wl[k], model_known_end(v, v->wl[k]), &c->segs[k], &c->n[k]) < 0)
			return -1;
	return 0;
}

static void seg_cache_free(struct seg_cache *c)
{
	size_t k;

	for (k = 0; c->segs && k < c->count; k++)
		free(c->segs[k]);
	free(c->segs);
	free(c->n);
}

/* ---- scatter ---- */

/* TC's SegmentStoreIterator: next is hidden by last when both fall in one pixel of start and length. */
static int scatter_hidden(const struct ks_seg *last, const struct ks_seg *next, int64_t t0, int64_t pix)
{
	int64_t l, lo;

	if (!last)
		return 0;
	l = (last->start - t0) / pix * pix + t0;
	if (next->start < l || next->start > l + pix)
		return 0;
	lo = (last->end - last->start) / pix * pix;
	return next->end - next->start >= lo && next->end - next->start <= lo + pix;
}

static void scatter_series(struct jsonw *w, const struct query *q, int64_t id, int sc,
			   const struct ks_seg *segs, size_t n, size_t *keep)
{
	int64_t pix = (q->end - q->start) / q->nb_times;
	const struct ks_seg *last = NULL;
	size_t i, m = 0;
	char name[24];

	if (pix < 1)
		pix = 1;
	for (i = 0; sc >= 0 && i < n && segs[i].start <= q->end; i++) {
		if (segs[i].sc != sc || segs[i].start < q->start || scatter_hidden(last, &segs[i], q->start, pix))
			continue;
		last = &segs[i];
		keep[m++] = i;
	}
	snprintf(name, sizeof(name), "%" PRId64, id);
	jsonw_obj_begin(w);
	jsonw_kint64(w, "seriesId", id);
	jsonw_kstr(w, "seriesName", name);
	jsonw_key(w, "xValues");
	jsonw_arr_begin(w);
	for (i = 0; i < m; i++)
		jsonw_int64(w, segs[keep[i]].start);
	jsonw_arr_end(w);
	jsonw_key(w, "yValues");
	jsonw_arr_begin(w);
	for (i = 0; i < m; i++)
		jsonw_double(w, (double)(segs[keep[i]].end - segs[keep[i]].start));
	jsonw_arr_end(w);
	kx_series_style(w, "scatter");
	mw_axis(w, "xValuesDescription", "X Axis", "", "NUMBER");
	mw_axis(w, "yValuesDescription", "Y Axis", "", "NUMBER");
	jsonw_obj_end(w);
}

int lat_scatter_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
		   char *err, size_t errlen)
{
	struct seg_cache c;
	size_t it, k, maxn = 0, *keep = NULL;
	int ret = -1;

	if (seg_cache_init(&c, v) < 0)
		goto out;
	for (k = 0; k < v->n; k++)
		maxn = c.n[k] > maxn ? c.n[k] : maxn;
	if (!(keep = malloc((maxn + 1) * sizeof(*keep))))
		goto out;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "Latency vs Time");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		int64_t local;

		/* Trace roots have no series; a group is a type no segment has (empty). */
		if (model_find_entry(v, OUT_LAT_SCATTER, q->items[it], &k, &local) < 0 || local == 0)
			continue;
		scatter_series(w, q, q->items[it], local >= KX_LAT_LEAF ? (int)(local - KX_LAT_LEAF) : -1,
			       c.segs[k], c.n[k], keep);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	free(keep);
	seg_cache_free(&c);
	return ret;
}

/* ---- density ---- */

static void density_series(struct jsonw *w, const struct query *q, int64_t id, int sc,
			   const struct ks_seg *segs, size_t n, int64_t maxlen, double *bins)
{
	int nb = q->nb_times, i;
	int64_t span = maxlen, step = span / nb, rem = span % nb, cur = 0;
	int64_t bstep = (maxlen + 1) / nb;
	size_t j;

	memset(bins, 0, (size_t)nb * sizeof(*bins));
	for (j = 0; sc >= 0 && bstep > 0 && j < n && segs[j].start <= q->end; j++) {
		int64_t d = segs[j].end - segs[j].start;
		int64_t idx = d / bstep;

		if (segs[j].sc != sc || segs[j].end < q->start || d > maxlen)
			continue;
		bins[idx >= nb ? nb - 1 : idx]++;
	}
	jsonw_obj_begin(w);
	jsonw_kint64(w, "seriesId", id);
	jsonw_kstr(w, "seriesName", sc >= 0 ? wl_syscall_name(sc) : "Unknown");
	jsonw_key(w, "xRanges");
	jsonw_arr_begin(w);
	/* TC's createEvenlyDistributedRanges over [0, max duration]. */
	for (i = 0; i < nb; i++) {
		int64_t end = cur + step - 1;

		if (rem > 0)
			end++, rem--;
		if (end >= span || i == nb - 1)
			end = span;
		jsonw_obj_begin(w);
		jsonw_kint64(w, "start", cur);
		jsonw_kint64(w, "end", end);
		jsonw_obj_end(w);
		cur = end + 1;
	}
	jsonw_arr_end(w);
	jsonw_key(w, "yValues");
	jsonw_arr_begin(w);
	for (i = 0; i < nb; i++)
		jsonw_double(w, bins[i]);
	jsonw_arr_end(w);
	kx_series_style(w, "bar");
	mw_axis(w, "xValuesDescription", "Duration", "ns", "DURATION");
	mw_axis(w, "yValuesDescription", "Count", "", "NUMBER");
	jsonw_obj_end(w);
}

int lat_density_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
		   char *err, size_t errlen)
{
	struct seg_cache c;
	double *bins = malloc((size_t)q->nb_times * sizeof(*bins));
	size_t it, k, j;
	int ret = -1;

	if (seg_cache_init(&c, v) < 0 || !bins)
		goto out;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "{0} - Latency Density");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		int64_t local = 0, maxlen = 1;

		if (model_find_entry(v, OUT_LAT_DENSITY, q->items[it], &k, &local) < 0)
			k = 0, local = 0;       /* TC bins every requested id */
		for (j = 0; j < c.n[k]; j++)
			if (c.segs[k][j].end - c.segs[k][j].start > maxlen)
				maxlen = c.segs[k][j].end - c.segs[k][j].start;
		density_series(w, q, q->items[it], local >= KX_LAT_LEAF ? (int)(local - KX_LAT_LEAF) : -1,
			       c.segs[k], c.n[k], maxlen, bins);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	free(bins);
	seg_cache_free(&c);
	return ret;
}

/* ---- statistics ---- */

struct lat_stats {
	int64_t n, min, max, total;
	int64_t min_s, min_e, max_s, max_e;
	double mean, m2;
};

static void stats_add(struct lat_stats *s, const struct ks_seg *g)
{
	int64_t d = g->end - g->start;
	double delta;

	if (!s->n || d < s->min)
		s->min = d, s->min_s = g->start, s->min_e = g->end;
	if (!s->n || d > s->max)
		s->max = d, s->max_s = g->start, s->max_e = g->end;
	s->n++;
	s->total += d;
	delta = (double)d - s->mean;
	s->mean += delta / (double)s->n;
	s->m2 += delta * ((double)d - s->mean);
}

static void stats_entry(struct jsonw *w, int64_t id, int64_t parent, const char *label,
			const struct lat_stats *s)
{
	char buf[64];

	jsonw_obj_begin(w);
	jsonw_kint64(w, "id", id);
	jsonw_kint64(w, "parentId", parent);
	jsonw_key(w, "labels");
	jsonw_arr_begin(w);
	jsonw_str(w, label);
	if (s->n) {
		ks_format_duration((double)s->min, buf, sizeof(buf));
		jsonw_str(w, buf);
		ks_format_duration((double)s->max, buf, sizeof(buf));
		jsonw_str(w, buf);
		ks_format_duration(s->mean, buf, sizeof(buf));
		jsonw_str(w, buf);
		ks_format_duration(s->n > 2 ? sqrt(s->m2 / (double)(s->n - 1)) : NAN, buf, sizeof(buf));
		jsonw_str(w, buf);
	} else {
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_str(w, "");
	}
	snprintf(buf, sizeof(buf), "%" PRId64, s->n);
	jsonw_str(w, buf);
	if (s->n) {
		ks_format_duration((double)s->total, buf, sizeof(buf));
		jsonw_str(w, buf);
		snprintf(buf, sizeof(buf), "[%" PRId64 ",%" PRId64 "]", s->min_s, s->min_e);
		jsonw_str(w, buf);
		snprintf(buf, sizeof(buf), "[%" PRId64 ",%" PRId64 "]", s->max_s, s->max_e);
		jsonw_str(w, buf);
	} else {
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_str(w, "");
	}
	jsonw_arr_end(w);
	jsonw_kbool(w, "hasData", 1);
	jsonw_obj_end(w);
}

/* The segments of segs[0..n) kept by [a, b] (a > b: all), overall and per syscall. */
static void stats_of(const struct ks_seg *segs, size_t n, int64_t a, int64_t b,
		     struct lat_stats *all, struct lat_stats *per)
{
	size_t i;

	memset(all, 0, sizeof(*all));
	memset(per, 0, WL_N_SYSCALLS * sizeof(*per));
	for (i = 0; i < n; i++) {
		if (a <= b && (segs[i].start > b || segs[i].end < a))
			continue;
		stats_add(all, &segs[i]);
		stats_add(&per[segs[i].sc], &segs[i]);
	}
}

static void stats_trace(struct jsonw *w, const struct model_view *v, const struct query *q, size_t k,
			const struct ks_seg *segs, size_t n)
{
	int64_t base = model_entry_base(v, OUT_LAT_STATS, k);
	struct lat_stats all, per[WL_N_SYSCALLS];
	int sc;

	stats_of(segs, n, 1, 0, &all, per);
	stats_entry(w, base, -1, v->wl[k]->name, &all);
	stats_entry(w, base + 1, base, "Total", &all);
	for (sc = 0; sc < WL_N_SYSCALLS; sc++)
		if (per[sc].n)
			stats_entry(w, base + 2 + sc, base + 1, wl_syscall_name(sc), &per[sc]);
	if (!q->is_filtered || !(q->present & Q_RANGE))
		return;
	stats_of(segs, n, q->start, q->end, &all, per);
	if (!all.n)
		return;
	stats_entry(w, base + KX_STAT_SEL, base, "Selection", &all);
	for (sc = 0; sc < WL_N_SYSCALLS; sc++)
		if (per[sc].n)
			stats_entry(w, base + KX_STAT_SEL + 1 + sc, base + KX_STAT_SEL,
				    wl_syscall_name(sc), &per[sc]);
}

int lat_stats_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		   char *err, size_t errlen)
{
	static const char *const heads[] = {
		"Label", "Minimum", "Maximum", "Average", "Std Dev", "Count", "Total",
	};
	size_t k, i;

	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++) {
		struct ks_seg *segs;
		size_t n;

		if (ks_segments(v->wl[k], model_known_end(v, v->wl[k]), &segs, &n) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		stats_trace(w, v, q, k, segs, n);
		free(segs);
	}
	mw_tree_headers(w);
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		mw_header(w, heads[i], "", NULL);
	mw_header(w, "Min Time Range", "", "TIME_RANGE");
	mw_header(w, "Max Time Range", "", "TIME_RANGE");
	mw_tree_end(w);
	return 0;
}
