/*
 * Disk I/O View and Memory Usage, as Trace Compass's DisksIODataProvider
 * and KernelMemoryUsageDataProvider, from the syscall segments: read/write
 * syscalls move sectors on a disk, mmap/close allocate/free kernel memory
 * (docs/kernel-analyses.md says how much).
 */
#include "kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define SC_READ 0
#define SC_WRITE 1
#define SC_CLOSE 3
#define SC_MMAP 9

static const char *const disk_names[KX_N_DISKS] = { "sda", "nvme0n1" };
/* TC's IODataPalette: (read, write) per disk. */
static const char *const disk_colors[KX_N_DISKS][2] = {
	{ "#6baed6", "#fb6a4a" }, { "#08519c", "#a50f15" },
};

/* One change of a counter at a time. */
struct kchange {
	int64_t t, delta;
};

static int kchange_cmp(const void *a, const void *b)
{
	const struct kchange *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/*
 * The changes of one counter, by time: disk d's reads (dir 0) or writes
 * (dir 1) in sectors, or thread j's memory in bytes (d < 0, dir = j).
 * For each segment, k = how many of the same syscall its thread made before.
 */
static struct kchange *kchanges(const struct workload *wl, const struct ks_seg *segs, size_t n,
				int d, int dir, size_t *out_n)
{
	struct kchange *c = malloc((n + 1) * sizeof(*c));
	int64_t *cnt = calloc(wl->n_threads * WL_N_SYSCALLS + 1, sizeof(*cnt));
	size_t i, m = 0;

	if (!c || !cnt) {
		free(c);
		free(cnt);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct ks_seg *g = &segs[i];
		int32_t tid = wl->threads[g->thread].tid;
		int64_t k = cnt[(size_t)g->thread * WL_N_SYSCALLS + g->sc]++;

		if (d >= 0 && g->sc == (dir ? SC_WRITE : SC_READ) && (tid % 2 ? 0 : 1) == d)
			c[m++] = (struct kchange){ g->end, 8 * (1 + (tid + k) % 32) };
		else if (d < 0 && g->thread == dir && g->sc == SC_MMAP)
			c[m++] = (struct kchange){ g->end, 4096 * (1 + (tid + k) % 16) };
		else if (d < 0 && g->thread == dir && g->sc == SC_CLOSE)
			c[m++] = (struct kchange){ g->end, -4096 * (1 + (tid + k) % 8) };
	}
	free(cnt);
	qsort(c, m, sizeof(*c), kchange_cmp);
	*out_n = m;
	return c;
}

/* Sum of the changes at or before each of the sorted times x[0..nx). */
static void kchange_values(const struct kchange *c, size_t n, const int64_t *x, size_t nx,
			   int64_t limit, int64_t *out)
{
	size_t i, j = 0;
	int64_t acc = 0;

	for (i = 0; i < nx; i++) {
		int64_t t = x[i] < limit ? x[i] : limit;

		while (j < n && c[j].t <= t)
			acc += c[j++].delta;
		out[i] = acc;
	}
}

static int64_t *sample_times(const struct query *q)
{
	int64_t *x = malloc((size_t)q->nb_times * sizeof(*x));
	int i;

	for (i = 0; x && i < q->nb_times; i++)
		x[i] = wl_sample_time(q->start, q->end, q->nb_times, i);
	return x;
}

static void write_x(struct jsonw *w, const int64_t *x, int n)
{
	int i;

	jsonw_key(w, "xValues");
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_int64(w, x[i]);
	jsonw_arr_end(w);
}

/* ---- Disk I/O ---- */

static int disk_tree_trace(struct jsonw *w, const struct model_view *v, size_t k)
{
	const struct workload *wl = v->wl[k];
	int64_t base = model_entry_base(v, OUT_DISK_IO, k);
	struct ks_seg *segs;
	size_t n, m[KX_N_DISKS][2];
	char style[48];
	int d, dir;

	if (ks_segments(wl, model_known_end(v, wl), &segs, &n) < 0)
		return -1;
	for (d = 0; d < KX_N_DISKS; d++)
		for (dir = 0; dir < 2; dir++) {
			struct kchange *c = kchanges(wl, segs, n, d, dir, &m[d][dir]);

			if (!c) {
				free(segs);
				return -1;
			}
			free(c);
		}
	free(segs);
	kx_entry_begin(w, base, -1, wl->name);
	jsonw_kbool(w, "hasData", 0);
	jsonw_obj_end(w);
	for (d = 0; d < KX_N_DISKS; d++) {
		if (!m[d][0] && !m[d][1])
			continue;
		kx_entry_begin(w, base + 1 + 3 * d, base, disk_names[d]);
		jsonw_kbool(w, "hasData", 0);
		jsonw_obj_end(w);
		for (dir = 0; dir < 2; dir++) {
			if (!m[d][dir])
				continue;
			kx_entry_begin(w, base + 2 + 3 * d + dir, base + 1 + 3 * d, dir ? "write" : "read");
			jsonw_kbool(w, "hasData", 1);
			jsonw_key(w, "style");
			jsonw_obj_begin(w);
			jsonw_kstr(w, "parentKey", "base");
			jsonw_key(w, "values");
			jsonw_obj_begin(w);
			jsonw_kstr(w, "color", disk_colors[d][dir]);
			jsonw_kstr(w, "series-style", "solid");
			snprintf(style, sizeof(style), "%s/%s", disk_names[d], dir ? "write" : "read");
			jsonw_kstr(w, "style-name", style);
			jsonw_obj_end(w);
			jsonw_obj_end(w);
			jsonw_obj_end(w);
		}
	}
	return 0;
}

int disk_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
	      char *err, size_t errlen)
{
	size_t k;

	(void)q;
	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++)
		if (disk_tree_trace(w, v, k) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	mw_tree_headers(w);
	mw_tree_end(w);
	return 0;
}

/* One read/write series: B/s between consecutive samples, 0 for the first. */
static int disk_series(struct jsonw *w, const struct model_view *v, size_t k, int64_t id, int d,
		       int dir, const struct query *q, const int64_t *x, int64_t *acc)
{
	const struct workload *wl = v->wl[k];
	int64_t ke = model_known_end(v, wl);
	struct ks_seg *segs;
	struct kchange *c;
	size_t n, m;
	char name[160];
	int i;

	if (ks_segments(wl, ke, &segs, &n) < 0)
		return -1;
	c = kchanges(wl, segs, n, d, dir, &m);
	free(segs);
	if (!c)
		return -1;
	kchange_values(c, m, x, (size_t)q->nb_times, ke, acc);
	free(c);
	snprintf(name, sizeof(name), "%s/%s/%s", wl->name, disk_names[d], dir ? "write" : "read");
	jsonw_obj_begin(w);
	jsonw_kint64(w, "seriesId", id);
	jsonw_kstr(w, "seriesName", name);
	write_x(w, x, q->nb_times);
	jsonw_key(w, "yValues");
	jsonw_arr_begin(w);
	for (i = 0; i < q->nb_times; i++) {
		int64_t dt = i ? x[i] - x[i - 1] : 0;

		jsonw_double(w, dt > 0 && x[i] <= ke && x[i] >= wl->start ?
			     (double)(acc[i] - acc[i - 1]) * 512.0 * 1e9 / (double)dt : 0.0);
	}
	jsonw_arr_end(w);
	kx_series_style(w, "line");
	mw_axis(w, "xValuesDescription", "X Axis", "", "NUMBER");
	mw_axis(w, "yValuesDescription", "Throughput", "B/s", "BINARY_NUMBER");
	jsonw_obj_end(w);
	return 0;
}

int disk_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
	    char *err, size_t errlen)
{
	int64_t *x = sample_times(q), *acc = malloc((size_t)q->nb_times * sizeof(*acc));
	size_t it, k;
	int ret = -1;

	if (!x || !acc)
		goto out;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "Disk I/O View");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		int64_t local;

		/* Only the read/write entries have series. */
		if (model_find_entry(v, OUT_DISK_IO, q->items[it], &k, &local) < 0 || local == 0 ||
		    (local - 1) % 3 == 0)
			continue;
		if (disk_series(w, v, k, q->items[it], (int)((local - 1) / 3), (int)((local - 2) % 3),
				q, x, acc) < 0)
			goto out;
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	free(x);
	free(acc);
	return ret;
}

/* ---- Memory Usage ---- */

/* Thread j's memory at each x (bytes, shifted by its lowest value up to `upto`), in out. */
static int mem_thread(const struct workload *wl, const struct ks_seg *segs, size_t n, size_t j,
		      const int64_t *x, size_t nx, int64_t limit, int64_t upto, int64_t *out, size_t *changes)
{
	struct kchange *c = kchanges(wl, segs, n, -1, (int)j, changes);
	int64_t acc = 0, low = 0;
	size_t i;

	if (!c)
		return -1;
	for (i = 0; i < *changes && c[i].t <= upto; i++) {
		acc += c[i].delta;
		low = acc < low ? acc : low;
	}
	if (out) {
		kchange_values(c, *changes, x, nx, limit, out);
		for (i = 0; i < nx; i++)
			out[i] -= low;
	}
	free(c);
	return 0;
}

int mem_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
	     char *err, size_t errlen)
{
	size_t k, j, ch;

	(void)q;
	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t base = model_entry_base(v, OUT_MEMORY, k), ke = model_known_end(v, wl);
		struct ks_seg *segs;
		size_t n;

		if (ks_segments(wl, ke, &segs, &n) < 0)
			goto oom;
		kx_entry_begin(w, base, -1, wl->name);
		jsonw_kbool(w, "hasData", 1);
		jsonw_obj_end(w);
		for (j = 0; j < wl->n_threads; j++) {
			if (mem_thread(wl, segs, n, j, NULL, 0, ke, ke, NULL, &ch) < 0) {
				free(segs);
				goto oom;
			}
			if (!ch)
				continue;       /* no memory attribute in TC's state system */
			kx_entry_begin(w, base + 1 + (int64_t)j, base, wl->threads[j].comm);
			jsonw_kbool(w, "hasData", 1);
			jsonw_obj_end(w);
		}
		free(segs);
	}
	mw_tree_headers(w);
	mw_tree_end(w);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void mem_series(struct jsonw *w, int64_t id, const char *name, const int64_t *x,
		       const int64_t *y, int n)
{
	int i;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "seriesId", id);
	jsonw_kstr(w, "seriesName", name);
	write_x(w, x, n);
	jsonw_key(w, "yValues");
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_double(w, (double)y[i]);
	jsonw_arr_end(w);
	kx_series_style(w, "line");
	mw_axis(w, "xValuesDescription", "X Axis", "", "NUMBER");
	mw_axis(w, "yValuesDescription", "Y Axis", "", "NUMBER");
	jsonw_obj_end(w);
}

/* Trace k's total (always) and its requested threads. */
static int mem_trace(struct jsonw *w, const struct model_view *v, const struct query *q, size_t k,
		     const int64_t *x, int64_t *tot, int64_t *one)
{
	const struct workload *wl = v->wl[k];
	int64_t base = model_entry_base(v, OUT_MEMORY, k), ke = model_known_end(v, wl);
	int64_t upto = q->end < ke ? q->end : ke;
	size_t n, nx = (size_t)q->nb_times, j, i, ch;
	struct ks_seg *segs;
	char name[160];

	if (ks_segments(wl, ke, &segs, &n) < 0)
		return -1;
	memset(tot, 0, nx * sizeof(*tot));
	for (j = 0; j < wl->n_threads; j++) {
		if (mem_thread(wl, segs, n, j, x, nx, ke, upto, one, &ch) < 0)
			goto fail;
		for (i = 0; ch && i < nx; i++)
			tot[i] += one[i];
	}
	snprintf(name, sizeof(name), "%s:total", wl->name);
	mem_series(w, base, name, x, tot, q->nb_times);
	for (j = 0; j < wl->n_threads; j++) {
		if (!kx_item_requested(q, base + 1 + (int64_t)j))
			continue;
		if (mem_thread(wl, segs, n, j, x, nx, ke, upto, one, &ch) < 0)
			goto fail;
		if (!ch)
			continue;
		snprintf(name, sizeof(name), "%s:%" PRId32, wl->name, wl->threads[j].tid);
		mem_series(w, base + 1 + (int64_t)j, name, x, one, q->nb_times);
	}
	free(segs);
	return 0;
fail:
	free(segs);
	return -1;
}

int mem_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
	   char *err, size_t errlen)
{
	int64_t *x = sample_times(q), *tot = malloc((size_t)q->nb_times * sizeof(*tot));
	int64_t *one = malloc((size_t)q->nb_times * sizeof(*one));
	size_t k;
	int ret = -1;

	if (!x || !tot || !one)
		goto out;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "Memory Usage");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (k = 0; k < v->n; k++)
		if (mem_trace(w, v, q, k, x, tot, one) < 0)
			goto out;
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	free(x);
	free(tot);
	free(one);
	return ret;
}
