/* What the kernel analyses share: ids, syscall segments, writers. */
#include "kernel.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

int64_t kernel_block_size(int out, const struct workload *wl)
{
	int64_t c = wl->params.cpus;

	switch (out) {
	case OUT_RESOURCES:
		return 1 + 3 * c + WL_N_IRQS + 2 * c * WL_N_IRQS;
	case OUT_LAT_SCATTER:
	case OUT_LAT_DENSITY:
		return KX_LAT_LEAF + WL_N_SYSCALLS;
	case OUT_LAT_STATS:
		return KX_STAT_SEL + 1 + WL_N_SYSCALLS;
	case OUT_DISK_IO:
		return 1 + 3 * KX_N_DISKS;
	case OUT_LAT_TABLE:
		return 1;       /* no entries */
	default:        /* Memory, Critical Path */
		return 1 + (int64_t)wl->n_threads;
	}
}

void kernel_styles(struct jsonw *w, int out)
{
	if (out == OUT_RESOURCES)
		res_styles(w);
	else if (out == OUT_CRITICAL_PATH)
		cp_styles(w);
	else if (out == OUT_DISK_IO) {
		/* DisksIODataProvider's one style: what its tree entries' styles extend. */
		jsonw_key(w, "base");
		jsonw_obj_begin(w);
		jsonw_key(w, "values");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "series-type", "area");
		jsonw_kdouble(w, "width", 1.0);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
}

/* ---- syscall segments ---- */

static int seg_cmp(const void *a, const void *b)
{
	const struct ks_seg *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->thread > y->thread) - (x->thread < y->thread);
}

int ks_segments(const struct workload *wl, int64_t limit, struct ks_seg **out, size_t *n)
{
	int64_t *open = malloc((wl->n_threads + 1) * sizeof(*open));
	struct ks_seg *segs = NULL;
	size_t i, len = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!open)
		return -1;
	for (i = 0; i < wl->n_threads; i++)
		open[i] = -1;
	for (i = 0; i < wl->n_events && wl->events[i].ts <= limit; i++) {
		const struct wl_event *e = &wl->events[i];

		if (e->thread < 0 || (size_t)e->thread >= wl->n_threads)
			continue;
		if (e->type == WL_EV_SYSCALL_ENTRY) {
			open[e->thread] = e->ts;
		} else if (e->type == WL_EV_SYSCALL_EXIT && open[e->thread] >= 0) {
			if (len == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct ks_seg *ns = realloc(segs, nc * sizeof(*ns));

				if (!ns) {
					free(segs);
					free(open);
					return -1;
				}
				segs = ns;
				cap = nc;
			}
			segs[len].start = open[e->thread];
			segs[len].end = e->ts;
			segs[len].thread = e->thread;
			segs[len].sc = e->aux;
			segs[len].exit_ev = i;
			len++;
			open[e->thread] = -1;
		}
	}
	free(open);
	if (len)
		qsort(segs, len, sizeof(*segs), seg_cmp);
	*out = segs;
	*n = len;
	return 0;
}

/* os.linux.core/res/syscalls.tsv, for the workload's syscalls (workload.c order). */
static const uint8_t sc_component[WL_N_SYSCALLS] = {
	0, 0, 0, 0, 1, 0,       /* read write openat close futex epoll_wait */
	0, 2, 2, 3, 1, 0,       /* poll recvfrom sendto mmap nanosleep ioctl */
};

int ks_component(int sc)
{
	return sc >= 0 && sc < WL_N_SYSCALLS ? sc_component[sc] : 0;
}

const char *ks_component_name(int c)
{
	static const char *const names[KX_N_COMPONENTS] = { "fs", "kernel", "net", "arch" };

	return c >= 0 && c < KX_N_COMPONENTS ? names[c] : "";
}

void ks_format_duration(double ns, char *buf, size_t len)
{
	const char *unit = "ns";
	double a = fabs(ns), v = ns;
	size_t n;

	if (isnan(ns)) {
		snprintf(buf, len, "---");
		return;
	}
	if (a >= 1e9)
		unit = "s", v = ns / 1e9;
	else if (a >= 1e6)
		unit = "ms", v = ns / 1e6;
	else if (a >= 1e3)
		unit = "\xc2\xb5s", v = ns / 1e3;
	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (!strcmp(unit, "ns")) {
		snprintf(buf, len, "%" PRId64 " ns", (int64_t)v);
		return;
	}
	snprintf(buf, len, "%.3f", v);
	/* DecimalFormat "#.###": no trailing zeros, no lone point. */
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	snprintf(buf + n, len > n ? len - n : 0, " %s", unit);
}

/* ---- writers ---- */

void kx_series_style(struct jsonw *w, const char *type)
{
	jsonw_key(w, "style");
	jsonw_obj_begin(w);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "series-type", type);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void kx_entry_begin(struct jsonw *w, int64_t id, int64_t parent, const char *label)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "id", id);
	jsonw_kint64(w, "parentId", parent);
	jsonw_key(w, "labels");
	jsonw_arr_begin(w);
	jsonw_str(w, label);
	jsonw_arr_end(w);
}

int kx_item_requested(const struct query *q, int64_t id)
{
	size_t i;

	for (i = 0; i < q->n_items; i++)
		if (q->items[i] == id)
			return 1;
	return 0;
}

