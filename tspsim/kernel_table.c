/*
 * System Call Latency - Latency Table, as Trace Compass's
 * SegmentStoreTableDataProvider: one line per syscall segment, in start
 * order, with the base segment aspects, the syscall analysis's aspects and
 * the start in ns.
 */
#include "kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "strbuf.h"

enum { TC_START, TC_END, TC_DURATION, TC_SYSCALL, TC_TID, TC_RET, TC_COMPONENT, TC_FILE, TC_NS, TC_COUNT };

static const struct table_col tcols[TC_COUNT] = {
	{ "Start Time", "Start time of the segment", "TIMESTAMP" },
	{ "End Time", "End time of the segment", "TIMESTAMP" },
	{ "Duration", "Segment duration", "DURATION" },
	{ "System Call", "The name of the system call.", "STRING" },
	{ "TID", "The tid running this syscall", "NUMBER" },
	{ "Return value", "The return value of the system call", "STRING" },
	{ "Component", "Code Component that this system call belongs to", "STRING" },
	{ "File", "File that implements the system call", "STRING" },
	{ "Timestamp ns", "Start time of the segment in nano seconds", "NUMBER" },
};

/* os.linux.core/res/syscalls.tsv's file column, for the workload's syscalls. */
static const char *const sc_files[WL_N_SYSCALLS] = {
	"fs/read_write.c", "fs/read_write.c", "fs/open.c", "fs/open.c", "kernel/futex.c",
	"fs/eventpoll.c", "fs/select.c", "net/socket.c", "net/socket.c", "arch/x86/kernel",
	"kernel/hrtimer.c", "fs/ioctl.c",
};

void lat_table_columns(struct jsonw *w)
{
	mw_table_columns(w, tcols, TC_COUNT);
}

/* TmfTimestamp's default format, UTC: "22:13:20.500 644 597". */
static void tc_time(int64_t ns, struct strbuf *sb)
{
	int64_t s = ns / 1000000000, f = ns % 1000000000, d = s % 86400;

	strbuf_addf(sb, "%02d:%02d:%02d.%03d %03d %03d", (int)(d / 3600), (int)(d / 60 % 60),
		    (int)(d % 60), (int)(f / 1000000), (int)(f / 1000 % 1000), (int)(f % 1000));
}

/* DecimalFormat("###,###.##") of a whole number: "1,234,567". */
static void tc_grouped(int64_t v, struct strbuf *sb)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v), i;

	for (i = 0; i < n; i++) {
		strbuf_addf(sb, "%c", buf[i]);
		if (buf[i] != '-' && (n - i - 1) % 3 == 0 && i + 1 < n)
			strbuf_addstr(sb, ",");
	}
}

static void tc_cell(struct jsonw *w, const struct workload *wl, const struct ks_seg *g, int col,
		    struct strbuf *sb)
{
	const char *ret;

	strbuf_reset(sb);
	switch (col) {
	case TC_START: tc_time(g->start, sb); break;
	case TC_END: tc_time(g->end, sb); break;
	case TC_DURATION: tc_grouped(g->end - g->start, sb); break;
	case TC_SYSCALL: strbuf_addstr(sb, wl_syscall_name(g->sc)); break;
	case TC_TID: strbuf_addf(sb, "%" PRId32, wl->threads[g->thread].tid); break;
	case TC_RET:
		/* The exit event's "ret=N", as the Events Table shows it. */
		wl_event_contents(wl, &wl->events[g->exit_ev], sb);
		ret = strstr(strbuf_str(sb), "ret=");
		if (ret) {
			char v[24];

			snprintf(v, sizeof(v), "%s", ret + 4);
			strbuf_reset(sb);
			strbuf_addstr(sb, v);
		}
		break;
	case TC_COMPONENT: strbuf_addstr(sb, ks_component_name(ks_component(g->sc))); break;
	case TC_FILE: strbuf_addstr(sb, sc_files[g->sc]); break;
	default: strbuf_addf(sb, "%" PRId64, g->start); break;
	}
	jsonw_obj_begin(w);
	jsonw_key(w, "content");
	jsonw_strn(w, strbuf_str(sb), sb->len);
	jsonw_obj_end(w);
}

/* The segments of every trace, in (start, trace) order; *k_of gets each one's trace. */
static struct ks_seg *all_segments(const struct model_view *v, size_t **k_of, size_t *n)
{
	struct ks_seg *all = NULL;
	size_t k, i, j;

	*n = 0;
	*k_of = NULL;
	for (k = 0; k < v->n; k++) {
		struct ks_seg *segs, *na;
		size_t m, m0, *nk;

		if (ks_segments(v->wl[k], model_known_end(v, v->wl[k]), &segs, &m) < 0)
			goto oom;
		na = realloc(all, (*n + m + 1) * sizeof(*na));
		if (na)
			all = na;
		nk = na ? realloc(*k_of, (*n + m + 1) * sizeof(*nk)) : NULL;
		if (nk)
			*k_of = nk;
		if (!na || !nk) {
			free(segs);
			goto oom;
		}
		/* Merge by start from the back: earlier traces first on equal starts. */
		for (m0 = m, i = *n + m, j = *n; m > 0;) {
			if (j > 0 && all[j - 1].start > segs[m - 1].start) {
				all[--i] = all[--j];
				(*k_of)[i] = (*k_of)[j];
			} else {
				all[--i] = segs[--m];
				(*k_of)[i] = k;
			}
		}
		*n += m0;
		free(segs);
	}
	return all;
oom:
	free(all);
	free(*k_of);
	*k_of = NULL;
	return NULL;
}

/* The first segment starting at or after t: a time search, as for the events table. */
static size_t first_seg_from(const struct ks_seg *segs, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (segs[mid].start < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int lat_table_lines(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen)
{
	int cols[TC_COUNT * 4];
	size_t ncols = 0, i, n, low, end, *k_of;
	struct ks_seg *segs = all_segments(v, &k_of, &n);
	struct strbuf sb = STRBUF_INIT;

	if (!segs && v->n) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; q->has_columns && i < q->n_columns && ncols < sizeof(cols) / sizeof(cols[0]); i++)
		if (q->columns[i] >= 0 && q->columns[i] < TC_COUNT)
			cols[ncols++] = (int)q->columns[i];
	for (i = 0; !(q->has_columns && q->n_columns) && i < TC_COUNT; i++)
		cols[ncols++] = (int)i;
	if ((q->present & Q_TIMES) && q->n_times)
		low = first_seg_from(segs, n, q->times[0]);
	else
		low = q->has_index && (uint64_t)q->index < n ? (size_t)q->index : q->has_index ? n : 0;
	end = low + ((size_t)q->count < n - low ? (size_t)q->count : n - low);
	jsonw_obj_begin(w);
	jsonw_kint64(w, "size", (int64_t)n);
	jsonw_kint64(w, "lowIndex", (int64_t)low);
	jsonw_key(w, "columnIds");
	jsonw_arr_begin(w);
	for (i = 0; i < ncols; i++)
		jsonw_int64(w, cols[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "lines");
	jsonw_arr_begin(w);
	for (i = low; i < end; i++) {
		size_t c;

		jsonw_obj_begin(w);
		jsonw_kint64(w, "index", (int64_t)i);
		jsonw_key(w, "cells");
		jsonw_arr_begin(w);
		for (c = 0; c < ncols; c++)
			tc_cell(w, v->wl[k_of[i]], &segs[i], cols[c], &sb);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	strbuf_release(&sb);
	free(segs);
	free(k_of);
	return 0;
}
