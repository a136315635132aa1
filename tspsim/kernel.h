#ifndef TSPSIM_KERNEL_H
#define TSPSIM_KERNEL_H

/*
 * The kernel analyses of Trace Compass, computed from the workload:
 * Resources Status, System Call Latency (scatter, statistics, density),
 * Disk I/O, Memory Usage and Critical Path. The contract (ids, shapes,
 * derivations) is docs/kernel-analyses.md. Pure model writers, as models.h.
 *
 * Entry ids: per trace block (models.h), local ids:
 *   Resources     see res_* in kernel_resources.c (fixed layout per CPU/IRQ)
 *   Latency trees 0 trace, 1 + component, KX_LAT_LEAF + syscall index
 *   Statistics    0 trace, 1 Total, 2 + syscall, KX_STAT_SEL Selection, KX_STAT_SEL + 1 + syscall
 *   Disk I/O      0 trace, 1 + 3 * disk, + 1 read, + 2 write
 *   Memory        0 trace (the total), 1 + thread index
 *   Critical Path 0 host (the trace), 1 + thread index
 */

#include <stddef.h>
#include <stdint.h>

#include "models.h"

#define KERNEL_SYSCALL_ANALYSIS "org.eclipse.tracecompass.analysis.os.linux.latency.syscall"

#define KX_N_COMPONENTS 4
#define KX_LAT_LEAF (1 + KX_N_COMPONENTS)
#define KX_STAT_SEL (2 + WL_N_SYSCALLS)
#define KX_N_DISKS 2

int64_t kernel_block_size(int out, const struct workload *wl);
/* The style entries of a kernel output (inside the "styles" object). */
void kernel_styles(struct jsonw *w, int out);

int res_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int res_states(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int res_arrows(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int res_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
void res_styles(struct jsonw *w);

int lat_scatter_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int lat_scatter_xy(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int lat_stats_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int lat_density_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int lat_density_xy(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);

int disk_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int disk_xy(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int mem_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int mem_xy(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);

/* The latency table (TABLE): its columns, and lines by index in start order. */
void lat_table_columns(struct jsonw *w);
int lat_table_lines(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);

int cp_tree(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int cp_states(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int cp_arrows(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
int cp_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q, char *err, size_t errlen);
void cp_styles(struct jsonw *w);

/* ---- shared by the kernel_*.c files ---- */

/* One system call of one thread, entry to exit (a segment of the segment store). */
struct ks_seg {
	int64_t start, end;
	int32_t thread;
	uint8_t sc;             /* syscall index */
	size_t exit_ev;         /* index of its syscall_exit event */
};

/*
 * The syscall segments of wl that end at or before `limit`, sorted by
 * (start, thread). *out is malloc'ed (NULL when none). 0, or -1 out of memory.
 */
int ks_segments(const struct workload *wl, int64_t limit, struct ks_seg **out, size_t *n);
/* Component (grouping aspect) index of a syscall, and the components' names. */
int ks_component(int sc);
const char *ks_component_name(int c);
/* A duration as TC's SubSecondTimeWithUnitFormat: "532 ns", "1.5 µs", "12.346 ms". */
void ks_format_duration(double ns, char *buf, size_t len);

/* Writers. */
/* "style": {"values": {"series-type": type}}: the trace server writes "parentKey": null, which API.yaml does not allow (a string), so it is left out. */
void kx_series_style(struct jsonw *w, const char *type);
/* {"id", "parentId", "labels": [label]: begins the object, the caller ends it. */
void kx_entry_begin(struct jsonw *w, int64_t id, int64_t parent, const char *label);
/* Whether id is in q's requested_items. */
int kx_item_requested(const struct query *q, int64_t id);

#endif
