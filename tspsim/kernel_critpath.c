/*
 * Critical Path of one thread (request parameter "tid"), as Trace Compass's
 * OSCriticalPathDataProvider shows it: what the thread ran and waited for,
 * and, while it was blocked, the path of the thread that woke it up.
 */
#include "kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define CP_MAX_DEPTH 8

/* TC's OSEdgeContextEnum names used here. */
enum { CP_RUNNING, CP_PREEMPTED, CP_INTERRUPTED, CP_TIMER, CP_NETWORK, CP_BLOCK_DEVICE,
       CP_BLOCKED, CP_UNKNOWN, CP_N_CTX };

static const char *const ctx_names[CP_N_CTX] = {
	"RUNNING", "PREEMPTED", "INTERRUPTED", "TIMER", "NETWORK", "BLOCK_DEVICE", "BLOCKED", "UNKNOWN",
};

struct cp_seg {
	int64_t start, end;
	int32_t thread;
	int ctx;
};

struct cp_arrow {
	int64_t t;
	int32_t src, dst;
};

struct cpath {
	struct cp_seg *seg;
	size_t n_seg, cap_seg;
	struct cp_arrow *arr;
	size_t n_arr, cap_arr;
	int oom;
};

static void cp_push_seg(struct cpath *p, int32_t j, int64_t s, int64_t e, int ctx)
{
	if (p->n_seg == p->cap_seg) {
		size_t nc = p->cap_seg ? p->cap_seg * 2 : 256;
		struct cp_seg *ns = realloc(p->seg, nc * sizeof(*ns));

		if (!ns) {
			p->oom = 1;
			return;
		}
		p->seg = ns;
		p->cap_seg = nc;
	}
	p->seg[p->n_seg++] = (struct cp_seg){ s, e, j, ctx };
}

static void cp_push_arrow(struct cpath *p, int64_t t, int32_t src, int32_t dst)
{
	if (p->n_arr == p->cap_arr) {
		size_t nc = p->cap_arr ? p->cap_arr * 2 : 64;
		struct cp_arrow *na = realloc(p->arr, nc * sizeof(*na));

		if (!na) {
			p->oom = 1;
			return;
		}
		p->arr = na;
		p->cap_arr = nc;
	}
	p->arr[p->n_arr++] = (struct cp_arrow){ t, src, dst };
}

/* The thread whose wake-up arrow to j starts at ts, or -1. */
static int32_t cp_waker(const struct workload *wl, int32_t j, int64_t ts)
{
	size_t i;

	for (i = wl_first_arrow_from(wl, ts); i < wl->n_arrows && wl->arrows[i].start <= ts; i++) {
		const struct wl_arrow *a = &wl->arrows[i];

		if (a->kind == WL_ARROW_WAKEUP && a->dst == j && a->start == ts && a->src != j)
			return a->src;
	}
	return -1;
}

/* Why a thread blocked with nobody to wake it waits: by the syscall it blocked in. */
static int cp_blocked_ctx(const struct wl_thread *t, size_t i)
{
	const char *sc;

	if (i == 0 || t->iv[i - 1].state != WL_ST_SYSCALL)
		return CP_BLOCKED;
	sc = wl_syscall_name(t->iv[i - 1].aux);
	if (!strcmp(sc, "nanosleep") || !strcmp(sc, "epoll_wait") || !strcmp(sc, "poll"))
		return CP_TIMER;
	if (!strcmp(sc, "recvfrom") || !strcmp(sc, "sendto"))
		return CP_NETWORK;
	if (!strcmp(sc, "read") || !strcmp(sc, "write") || !strcmp(sc, "openat"))
		return CP_BLOCK_DEVICE;
	return CP_BLOCKED;
}

static int cp_ctx(int state)
{
	switch (state) {
	case WL_ST_USERMODE:
	case WL_ST_SYSCALL:
		return CP_RUNNING;
	case WL_ST_WAIT_CPU:
		return CP_PREEMPTED;
	case WL_ST_INTERRUPTED:
		return CP_INTERRUPTED;
	default:
		return CP_UNKNOWN;
	}
}

/* The path of thread j over [a, b): its own states, or its waker's while it is blocked. */
static void cp_walk(const struct workload *wl, struct cpath *p, int32_t j, int64_t a, int64_t b, int depth)
{
	const struct wl_thread *t = &wl->threads[j];
	ptrdiff_t at = wl_interval_at(wl, t, a);
	size_t i;

	for (i = at < 0 ? 0 : (size_t)at; i < t->n_iv && t->iv[i].start < b && !p->oom; i++) {
		int64_t end = wl_interval_end(wl, t, i);
		int64_t s = t->iv[i].start > a ? t->iv[i].start : a, e = end < b ? end : b;
		int32_t w;

		if (s >= e)
			continue;
		if (t->iv[i].state != WL_ST_WAIT_BLOCKED) {
			cp_push_seg(p, j, s, e, cp_ctx(t->iv[i].state));
			continue;
		}
		w = depth < CP_MAX_DEPTH ? cp_waker(wl, j, end) : -1;
		if (w < 0) {
			cp_push_seg(p, j, s, e, cp_blocked_ctx(t, i));
			continue;
		}
		/* TC's vertical edges: to the waker when blocking, back at the wake-up. */
		cp_push_arrow(p, s, j, w);
		cp_walk(wl, p, w, s, e, depth + 1);
		if (e == end)
			cp_push_arrow(p, e, w, j);
	}
}

static void cp_free(struct cpath *p)
{
	free(p->seg);
	free(p->arr);
}

/*
 * The trace with the requested thread, its index and the path: 0, or 1
 * when no thread is asked for or known. -1 with err set when out of
 * memory, p then freed.
 */
static int cp_compute(const struct model_view *v, const struct query *q, size_t *k, int32_t *j,
		      struct cpath *p, char *err, size_t errlen)
{
	size_t i, t;

	memset(p, 0, sizeof(*p));
	*k = 0;
	*j = 0;
	if (!q->has_tid)
		return 1;
	for (i = 0; i < v->n; i++)
		for (t = 0; t < v->wl[i]->n_threads; t++)
			if (v->wl[i]->threads[t].tid == q->tid) {
				*k = i;
				*j = (int32_t)t;
				cp_walk(v->wl[i], p, *j, v->wl[i]->start, model_known_end(v, v->wl[i]), 0);
				if (!p->oom)
					return 0;
				cp_free(p);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
	return 1;
}

static void cp_worker_entry(struct jsonw *w, const struct workload *wl, int64_t base, int32_t j,
			    int64_t ke)
{
	const struct wl_thread *t = &wl->threads[j];
	char label[96];

	snprintf(label, sizeof(label), "[%s,%" PRId32 "]", t->comm, t->tid);
	kx_entry_begin(w, base + 1 + j, base, label);
	jsonw_kint64(w, "start", wl->start);
	jsonw_kint64(w, "end", ke);
	jsonw_kbool(w, "hasData", 1);
	jsonw_key(w, "metadata");
	jsonw_obj_begin(w);
	jsonw_key(w, "hostId");
	jsonw_arr_begin(w);
	jsonw_str(w, wl->name);
	jsonw_arr_end(w);
	jsonw_key(w, "TID");
	jsonw_arr_begin(w);
	jsonw_int64(w, t->tid);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

int cp_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
	    char *err, size_t errlen)
{
	struct cpath p;
	size_t k, i;
	int32_t j;
	int rc = cp_compute(v, q, &k, &j, &p, err, errlen);

	if (rc < 0)
		return -1;
	mw_tree_begin(w, -1);
	if (rc == 0) {
		const struct workload *wl = v->wl[k];
		int64_t base = model_entry_base(v, OUT_CRITICAL_PATH, k), ke = model_known_end(v, wl);
		uint8_t *done = calloc(wl->n_threads + 1, 1);

		kx_entry_begin(w, base, -1, wl->name);
		jsonw_kint64(w, "start", wl->start);
		jsonw_kint64(w, "end", ke);
		jsonw_kbool(w, "hasData", 0);
		jsonw_obj_end(w);
		/* Threads in the order the path meets them (the chosen one first). */
		for (i = 0; done && i < p.n_seg; i++) {
			if (done[p.seg[i].thread])
				continue;
			done[p.seg[i].thread] = 1;
			cp_worker_entry(w, wl, base, p.seg[i].thread, ke);
		}
		if (done && !done[j])
			cp_worker_entry(w, wl, base, j, ke);
		free(done);
	}
	mw_tree_headers(w);
	mw_tree_end(w);
	cp_free(&p);
	return 0;
}

/* Whether a requested sample time falls in [s, e] (TC's overlaps()). */
static int cp_sampled(const struct query *q, int64_t s, int64_t e)
{
	int i = model_first_sample_from(q, 0, s);

	return i < q->nb_times && wl_sample_time(q->start, q->end, q->nb_times, i) <= e;
}

int cp_states(struct jsonw *w, const struct model_view *v, const struct query *q,
	      char *err, size_t errlen)
{
	struct cpath p;
	size_t k, it, i;
	int32_t j;
	int rc = cp_compute(v, q, &k, &j, &p, err, errlen);

	if (rc < 0)
		return -1;
	jsonw_obj_begin(w);
	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (it = 0; rc == 0 && it < q->n_items; it++) {
		int64_t base = model_entry_base(v, OUT_CRITICAL_PATH, k), local = q->items[it] - base;

		if (local < 1 || local > (int64_t)v->wl[k]->n_threads)
			continue;
		for (i = 0; i < p.n_seg && p.seg[i].thread != local - 1; i++)
			;
		if (i == p.n_seg)
			continue;       /* TC: rows only for the threads on the path */
		jsonw_obj_begin(w);
		jsonw_kint64(w, "entryId", q->items[it]);
		jsonw_key(w, "states");
		jsonw_arr_begin(w);
		for (i = 0; i < p.n_seg; i++) {
			const struct cp_seg *g = &p.seg[i];

			if (g->thread != local - 1 || !cp_sampled(q, g->start, g->end))
				continue;
			jsonw_obj_begin(w);
			jsonw_kint64(w, "start", g->start);
			jsonw_kint64(w, "end", g->end);
			mw_style_ref(w, ctx_names[g->ctx]);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	cp_free(&p);
	return 0;
}

int cp_arrows(struct jsonw *w, const struct model_view *v, const struct query *q,
	      char *err, size_t errlen)
{
	struct cpath p;
	size_t k, i;
	int32_t j;
	int rc = cp_compute(v, q, &k, &j, &p, err, errlen);

	if (rc < 0)
		return -1;
	jsonw_arr_begin(w);
	for (i = 0; rc == 0 && i < p.n_arr; i++) {
		int64_t base = model_entry_base(v, OUT_CRITICAL_PATH, k);

		if (p.arr[i].t < q->start || p.arr[i].t > q->end)
			continue;
		jsonw_obj_begin(w);
		jsonw_kint64(w, "sourceId", base + 1 + p.arr[i].src);
		jsonw_kint64(w, "targetId", base + 1 + p.arr[i].dst);
		jsonw_kint64(w, "start", p.arr[i].t);
		jsonw_kint64(w, "end", p.arr[i].t);
		/* TC's getMatchingState drops the "arrow" suffix it computes. */
		mw_style_ref(w, "DEFAULT");
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	cp_free(&p);
	return 0;
}

int cp_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q,
	       char *err, size_t errlen)
{
	int64_t local;
	size_t k;

	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	/* OsWorker.getWorkerInformation(t): the thread, whatever the time. */
	if (q->n_items && model_find_entry(v, OUT_CRITICAL_PATH, q->items[0], &k, &local) == 0 &&
	    local > 0) {
		const struct wl_thread *t = &v->wl[k]->threads[local - 1];

		mw_kv_int(w, "TID", t->tid);
		mw_kv_int(w, "Priority", t->prio);
		jsonw_kstr(w, "Exec_Name", t->comm);
	}
	jsonw_obj_end(w);
	return 0;
}

static void cp_style(struct jsonw *w, const char *key, const char *parent, const char *name,
		     const char *color, const char *group)
{
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	if (parent)
		jsonw_kstr(w, "parentKey", parent);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "style-name", name);
	if (color) {
		jsonw_kstr(w, "background-color", color);
		jsonw_kdouble(w, "height", 1.0);
		jsonw_kdouble(w, "opacity", 1.0);
	}
	jsonw_kstr(w, "style-group", group);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void cp_styles(struct jsonw *w)
{
	cp_style(w, "RUNNING", NULL, "Running", "#339900", "Blocked");
	cp_style(w, "INTERRUPTED", NULL, "Interrupted", "#ffdc00", "Blocked");
	cp_style(w, "PREEMPTED", NULL, "Preempted", "#c86400", "Blocked");
	cp_style(w, "TIMER", NULL, "Timer", "#336699", "Blocked");
	cp_style(w, "BLOCK_DEVICE", NULL, "Block Device", "#6600cc", "Blocked");
	cp_style(w, "NETWORK", NULL, "Network", "#ff9bff", "Blocked");
	cp_style(w, "USER_INPUT", NULL, "User Input", "#5a0101", "Blocked");
	cp_style(w, "IPI", NULL, "IPI", "#6666cc", "Blocked");
	cp_style(w, "BLOCKED", NULL, "Unknown Blocked", "#dc143c", "Blocked");
	cp_style(w, "UNKNOWN", NULL, "Unknown", "#403b33", "Blocked");
	cp_style(w, "DEFAULTarrow", "UNKNOWN", "Unknown Arrow", NULL, "Arrows");
	cp_style(w, "NETWORKarrow", "NETWORK", "Network Arrow", NULL, "Arrows");
}
