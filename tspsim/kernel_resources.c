/*
 * Resources Status: per CPU a "Threads" and a "States" row, and the IRQs
 * that occurred on it, as Trace Compass's ResourcesStatusDataProvider.
 * A CPU runs the one thread of its own (threads do not migrate) whose
 * interval is USERMODE, SYSCALL or INTERRUPTED; otherwise it is idle.
 * IRQ rows come from the irq_handler_entry/exit events.
 */
#include "kernel.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define NI WL_N_IRQS

/* Local ids (block layout in kernel.h). */
enum { R_ROOT, R_THREADS, R_STATES, R_SEP, R_AGG, R_IRQ, R_TWIN };

static int64_t rid(const struct workload *wl, int kind, int cpu, int irq)
{
	int64_t c = wl->params.cpus;

	switch (kind) {
	case R_THREADS:
	case R_STATES:
	case R_SEP:
		return 1 + 3 * (int64_t)cpu + (kind - R_THREADS);
	case R_AGG:
		return 1 + 3 * c + irq;
	case R_IRQ:
	case R_TWIN:
		return 1 + 3 * c + NI + 2 * ((int64_t)cpu * NI + irq) + (kind - R_IRQ);
	default:
		return 0;
	}
}

/* Decodes a local id; -1 when it is none of them. */
static int rkind(const struct workload *wl, int64_t local, int *cpu, int *irq)
{
	int64_t c = wl->params.cpus, x;

	*cpu = *irq = 0;
	if (local == 0)
		return R_ROOT;
	if (local <= 3 * c) {
		*cpu = (int)((local - 1) / 3);
		return R_THREADS + (int)((local - 1) % 3);
	}
	x = local - 1 - 3 * c;
	if (x < NI) {
		*irq = (int)x;
		return R_AGG;
	}
	x -= NI;
	if (x >= 2 * c * NI)
		return -1;
	*cpu = (int)(x / 2 / NI);
	*irq = (int)(x / 2 % NI);
	return R_IRQ + (int)(x % 2);
}

/* seen[cpu * NI + irq]: that IRQ fired on that CPU before `limit`. */
static uint8_t *irqs_seen(const struct workload *wl, int64_t limit)
{
	uint8_t *seen = calloc((size_t)wl->params.cpus * NI + 1, 1);
	size_t i;

	for (i = 0; seen && i < wl->n_events && wl->events[i].ts <= limit; i++)
		if (wl->events[i].type == WL_EV_IRQ_ENTRY && wl->events[i].cpu < wl->params.cpus &&
		    wl->events[i].aux < NI)
			seen[wl->events[i].cpu * NI + wl->events[i].aux] = 1;
	return seen;
}

static int agg_seen(const struct workload *wl, const uint8_t *seen, int irq)
{
	int c;

	for (c = 0; c < wl->params.cpus; c++)
		if (seen[c * NI + irq])
			return 1;
	return 0;
}

/* ---- tree ---- */

struct rentry {
	int64_t id, parent, res;        /* res: TC's resource id (sort key) */
	int kind, cpu, irq;
};

static void rentry_write(struct jsonw *w, const struct workload *wl, const struct rentry *e,
			 int64_t base, int64_t ke)
{
	char label[64];

	switch (e->kind) {
	case R_ROOT: snprintf(label, sizeof(label), "%s", wl->name); break;
	case R_THREADS: snprintf(label, sizeof(label), "CPU %d Threads", e->cpu); break;
	case R_STATES:
	case R_TWIN: snprintf(label, sizeof(label), "CPU %d States", e->cpu); break;
	case R_SEP: label[0] = '\0'; break;
	default: snprintf(label, sizeof(label), "IRQ %d", wl_irq_number(e->irq)); break;
	}
	kx_entry_begin(w, base + e->id, e->parent < 0 ? -1 : base + e->parent, label);
	jsonw_kint64(w, "start", wl->start);
	jsonw_kint64(w, "end", ke);
	jsonw_kbool(w, "hasData", e->kind != R_ROOT && e->kind != R_SEP);
	if (e->kind == R_THREADS || e->kind == R_STATES) {
		jsonw_key(w, "metadata");
		jsonw_obj_begin(w);
		jsonw_key(w, "CPU");
		jsonw_arr_begin(w);
		jsonw_int64(w, e->cpu);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
}

static size_t rentry_add(struct rentry *list, size_t n, const struct workload *wl, int kind,
			 int cpu, int irq, int64_t parent)
{
	struct rentry *e = &list[n];

	e->id = rid(wl, kind, cpu, irq);
	e->parent = parent;
	e->kind = kind;
	e->cpu = cpu;
	e->irq = irq;
	e->res = kind == R_IRQ || kind == R_AGG ? wl_irq_number(irq) : kind == R_ROOT ? -1 : cpu;
	return n + 1;
}

/* TC's order: the trace and the CPU groups first, then IRQ entries by resource id (stable). */
static void rentry_sort_irqs(struct rentry *l, size_t from, size_t n)
{
	size_t i, j;

	for (i = from + 1; i < n; i++) {
		struct rentry x = l[i];

		for (j = i; j > from && l[j - 1].res > x.res; j--)
			l[j] = l[j - 1];
		l[j] = x;
	}
}

static int res_tree_trace(struct jsonw *w, const struct model_view *v, size_t k)
{
	const struct workload *wl = v->wl[k];
	int64_t base = model_entry_base(v, OUT_RESOURCES, k), ke = model_known_end(v, wl);
	uint8_t *seen = irqs_seen(wl, ke), agg[NI] = { 0 };
	struct rentry *l = calloc((size_t)kernel_block_size(OUT_RESOURCES, wl), sizeof(*l));
	size_t n = 0, ncpu, i;
	int c, q;

	if (!seen || !l) {
		free(seen);
		free(l);
		return -1;
	}
	n = rentry_add(l, n, wl, R_ROOT, 0, 0, -1);
	for (c = 0; c < wl->params.cpus; c++) {
		n = rentry_add(l, n, wl, R_THREADS, c, 0, 0);
		n = rentry_add(l, n, wl, R_STATES, c, 0, 0);
		n = rentry_add(l, n, wl, R_SEP, c, 0, 0);
	}
	ncpu = n;
	for (c = 0; c < wl->params.cpus; c++) {
		for (q = 0; q < NI; q++) {
			if (!seen[c * NI + q])
				continue;
			n = rentry_add(l, n, wl, R_IRQ, c, q, rid(wl, R_STATES, c, 0));
			if (!agg[q]++)
				n = rentry_add(l, n, wl, R_AGG, c, q, 0);
			n = rentry_add(l, n, wl, R_TWIN, c, q, rid(wl, R_AGG, 0, q));
		}
	}
	rentry_sort_irqs(l, ncpu, n);
	for (i = 0; i < n; i++)
		rentry_write(w, wl, &l[i], base, ke);
	free(seen);
	free(l);
	return 0;
}

int res_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
	     char *err, size_t errlen)
{
	size_t k;

	(void)q;
	mw_tree_begin(w, 1);
	for (k = 0; k < v->n; k++) {
		if (res_tree_trace(w, v, k) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	mw_tree_headers(w);
	mw_tree_end(w);
	return 0;
}

/* ---- what a CPU does at a time ---- */

static int on_cpu_state(int st)
{
	return wl_is_busy_state(st) || st == WL_ST_INTERRUPTED;
}

/* A state of a row: [start, end), the thread (-1 none) and its interval index. */
struct rstate {
	int64_t start, end;
	int32_t thread;
	size_t iv;
	int active;             /* IRQ rows: in the IRQ */
};

/* The thread on CPU c at ts, or the idle stretch around ts. */
static void cpu_at(const struct workload *wl, int c, int64_t ts, int64_t ke, struct rstate *s)
{
	size_t j;

	s->thread = -1;
	s->start = wl->start;
	s->end = ke;
	for (j = 0; j < wl->n_threads; j++) {
		const struct wl_thread *t = &wl->threads[j];
		ptrdiff_t at = t->cpu == c ? wl_interval_at(wl, t, ts) : -1;
		size_t b;

		if (t->cpu != c || !t->n_iv)
			continue;
		if (at >= 0 && on_cpu_state(t->iv[at].state)) {
			s->thread = (int32_t)j;
			s->iv = (size_t)at;
			s->start = t->iv[at].start;
			s->end = wl_interval_end(wl, t, (size_t)at);
			return;
		}
		/* Idle for this thread: from its last on-CPU interval to its next one. */
		for (b = at < 0 ? 0 : (size_t)at; at >= 0 && b > 0 && !on_cpu_state(t->iv[b - 1].state); b--)
			;
		if (at >= 0 && b > 0 && t->iv[b].start > s->start)
			s->start = t->iv[b].start;
		for (b = at < 0 ? 0 : (size_t)at + 1; b < t->n_iv && !on_cpu_state(t->iv[b].state); b++)
			;
		if (b < t->n_iv && t->iv[b].start < s->end)
			s->end = t->iv[b].start;
	}
}

/* The run of on-CPU intervals of one thread around interval s->iv (the Threads row). */
static void thread_run(const struct workload *wl, struct rstate *s)
{
	const struct wl_thread *t = &wl->threads[s->thread];
	size_t a = s->iv, b = s->iv;

	while (a > 0 && on_cpu_state(t->iv[a - 1].state))
		a--;
	while (b + 1 < t->n_iv && on_cpu_state(t->iv[b + 1].state))
		b++;
	s->start = t->iv[a].start;
	s->end = wl_interval_end(wl, t, b);
}

/* IRQ q on CPU c at ts, from the irq events: in it, or the gap between two. */
static void irq_at(const struct workload *wl, int c, int q, int64_t ts, int64_t ke, struct rstate *s)
{
	size_t i = wl_first_event_at(wl, ts + 1), j;

	s->active = 0;
	s->start = wl->start;
	s->end = ke;
	s->thread = -1;
	for (j = i; j > 0; j--) {
		const struct wl_event *e = &wl->events[j - 1];

		if (e->cpu == c && e->aux == q && (e->type == WL_EV_IRQ_ENTRY || e->type == WL_EV_IRQ_EXIT)) {
			s->start = e->ts;
			s->active = e->type == WL_EV_IRQ_ENTRY;
			break;
		}
	}
	for (j = i; j < wl->n_events && wl->events[j].ts < ke; j++) {
		const struct wl_event *e = &wl->events[j];

		if (e->cpu == c && e->aux == q &&
		    e->type == (s->active ? WL_EV_IRQ_EXIT : WL_EV_IRQ_ENTRY)) {
			s->end = e->ts;
			break;
		}
	}
}

/* The aggregate IRQ q: active on the lowest CPU in it, else the common gap. */
static void agg_at(const struct workload *wl, const uint8_t *seen, int q, int64_t ts, int64_t ke,
		   struct rstate *s, char *cpus, size_t len)
{
	struct rstate one;
	int c, found = 0;
	size_t n = 0;

	s->active = 0;
	s->start = wl->start;
	s->end = ke;
	if (cpus && len)
		cpus[0] = '\0';
	for (c = 0; c < wl->params.cpus; c++) {
		if (!seen[c * NI + q])
			continue;
		irq_at(wl, c, q, ts, ke, &one);
		if (one.active && cpus && n < len)
			n += (size_t)snprintf(cpus + n, len - n, "%s%d", n ? ", " : "", c);
		if (one.active && !found) {
			*s = one;
			found = 1;
		} else if (!found) {
			s->start = one.start > s->start ? one.start : s->start;
			s->end = one.end < s->end ? one.end : s->end;
		}
	}
}

/* ---- states ---- */

/* TC's thread palette: 25 hues at 0.8 saturation and brightness, index (tid + 14) mod 25. */
static void thread_color(int32_t tid, char *buf, size_t len)
{
	int k = (int)(((tid + 14) % 25 + 25) % 25);
	double h = (double)(k + 1) * 6.0 / 26.0, f = h - floor(h), v = 0.8, s = 0.8;
	double p = v * (1 - s), qq = v * (1 - s * f), t = v * (1 - s * (1 - f)), r, g, b;

	switch ((int)h) {
	case 0: r = v, g = t, b = p; break;
	case 1: r = qq, g = v, b = p; break;
	case 2: r = p, g = v, b = t; break;
	case 3: r = p, g = qq, b = v; break;
	case 4: r = t, g = p, b = v; break;
	default: r = v, g = p, b = qq; break;
	}
	snprintf(buf, len, "#%02x%02x%02x", (int)(r * 255 + 0.5), (int)(g * 255 + 0.5), (int)(b * 255 + 0.5));
}

static void state_begin(struct jsonw *w, const struct rstate *s, int64_t ke)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "start", s->start);
	jsonw_kint64(w, "end", s->end < ke ? s->end : ke);
}

static void write_cpu_state(struct jsonw *w, const struct workload *wl, const struct rstate *s, int64_t ke)
{
	const struct wl_interval *iv;

	state_begin(w, s, ke);
	if (s->thread < 0) {
		mw_style_ref(w, "Idle");
	} else {
		iv = &wl->threads[s->thread].iv[s->iv];
		if (iv->state == WL_ST_INTERRUPTED) {
			mw_style_ref(w, "Interrupt");
		} else if (iv->state == WL_ST_SYSCALL) {
			jsonw_kstr(w, "label", wl_syscall_name(iv->aux));
			mw_style_ref(w, "System call");
		} else {
			jsonw_kstr(w, "label", wl->threads[s->thread].comm);
			mw_style_ref(w, "Usermode");
		}
	}
	jsonw_obj_end(w);
}

static void write_thread_state(struct jsonw *w, const struct workload *wl, const struct rstate *s, int64_t ke)
{
	const struct wl_thread *t;
	char buf[96];

	state_begin(w, s, ke);
	if (s->thread >= 0) {
		t = &wl->threads[s->thread];
		snprintf(buf, sizeof(buf), "%s (%" PRId32 ")", t->comm, t->tid);
		jsonw_kstr(w, "label", buf);
		jsonw_key(w, "style");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "parentKey", "thread");
		jsonw_key(w, "values");
		jsonw_obj_begin(w);
		thread_color(t->tid, buf, sizeof(buf));
		jsonw_kstr(w, "background-color", buf);
		snprintf(buf, sizeof(buf), "%" PRId32, t->tid);
		jsonw_kstr(w, "style-name", buf);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
}

/* The state of row (kind, cpu, irq) at ts, written; its end in *end. */
static void row_state_at(struct jsonw *w, const struct workload *wl, const uint8_t *seen,
			 int kind, int c, int q, int64_t ts, int64_t ke, int64_t *end)
{
	struct rstate s;

	if (kind == R_STATES || kind == R_THREADS) {
		cpu_at(wl, c, ts, ke, &s);
		if (kind == R_THREADS && s.thread >= 0)
			thread_run(wl, &s);
		(kind == R_STATES ? write_cpu_state : write_thread_state)(w, wl, &s, ke);
	} else {
		if (kind == R_AGG)
			agg_at(wl, seen, q, ts, ke, &s, NULL, 0);
		else
			irq_at(wl, c, q, ts, ke, &s);
		state_begin(w, &s, ke);
		if (s.active)
			mw_style_ref(w, "Interrupt");
		jsonw_obj_end(w);
	}
	*end = s.end;
}

static void res_row(struct jsonw *w, const struct workload *wl, const uint8_t *seen, int64_t id,
		    int kind, int c, int q, const struct query *qq, int64_t ke)
{
	int i = model_first_sample_from(qq, 0, wl->start);

	jsonw_obj_begin(w);
	jsonw_kint64(w, "entryId", id);
	jsonw_key(w, "states");
	jsonw_arr_begin(w);
	/* Every distinct state holding a sample time, sample by sample. */
	while (i < qq->nb_times) {
		int64_t ts = wl_sample_time(qq->start, qq->end, qq->nb_times, i), end;

		if (ts > ke)
			break;
		row_state_at(w, wl, seen, kind, c, q, ts, ke, &end);
		if (end >= ke)
			break;
		i = model_first_sample_from(qq, i + 1, end);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

int res_states(struct jsonw *w, const struct model_view *v, const struct query *q,
	       char *err, size_t errlen)
{
	uint8_t *seen = NULL;
	size_t it, k, seen_k = SIZE_MAX;

	jsonw_obj_begin(w);
	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		const struct workload *wl;
		int64_t local, ke;
		int kind, c, irq;

		if (model_find_entry(v, OUT_RESOURCES, q->items[it], &k, &local) < 0)
			continue;
		wl = v->wl[k];
		kind = rkind(wl, local, &c, &irq);
		if (kind < 0 || kind == R_ROOT || kind == R_SEP)
			continue;
		ke = model_known_end(v, wl);
		if (k != seen_k) {      /* which IRQs fired where: once per trace */
			free(seen);
			seen_k = k;
			if (!(seen = irqs_seen(wl, ke))) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		if (kind < R_AGG || (kind == R_AGG ? agg_seen(wl, seen, irq) : seen[c * NI + irq]))
			res_row(w, wl, seen, q->items[it], kind == R_TWIN ? R_IRQ : kind, c, irq, q, ke);
	}
	free(seen);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	return 0;
}

int res_arrows(struct jsonw *w, const struct model_view *v, const struct query *q,
	       char *err, size_t errlen)
{
	(void)v;
	(void)q;
	(void)err;
	(void)errlen;
	jsonw_arr_begin(w);     /* TC's ResourcesStatusDataProvider has no arrows */
	jsonw_arr_end(w);
	return 0;
}

/* ---- tooltip ---- */

static void cpu_tooltip(struct jsonw *w, const struct workload *wl, int kind, int c, int64_t ts, int64_t ke)
{
	struct rstate s;
	const struct wl_thread *t;
	const struct wl_interval *iv;

	cpu_at(wl, c, ts, ke, &s);
	if (s.thread < 0) {
		if (kind == R_THREADS)
			jsonw_kstr(w, "TID", "0");
		return;
	}
	t = &wl->threads[s.thread];
	iv = &t->iv[s.iv];
	if (kind == R_STATES && iv->state == WL_ST_INTERRUPTED) {
		mw_kv_int(w, "IRQ", wl_irq_number(iv->aux));
		return;
	}
	mw_kv_int(w, "TID", t->tid);
	jsonw_kstr(w, kind == R_THREADS ? "Exec_Name" : "Process", t->comm);
	if (kind == R_STATES && iv->state == WL_ST_SYSCALL)
		jsonw_kstr(w, "System_call", wl_syscall_name(iv->aux));
}

int res_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q,
		char *err, size_t errlen)
{
	const struct workload *wl;
	int64_t local, ke, ts = q->times[0];
	struct rstate s;
	uint8_t *seen = NULL;
	char cpus[256];
	int kind, c, irq;
	size_t k;

	jsonw_obj_begin(w);
	if (!q->n_items || model_find_entry(v, OUT_RESOURCES, q->items[0], &k, &local) < 0)
		goto done;
	wl = v->wl[k];
	ke = model_known_end(v, wl);
	kind = rkind(wl, local, &c, &irq);
	if (ts < wl->start || ts > ke || kind < 0 || kind == R_ROOT || kind == R_SEP)
		goto done;
	if (kind == R_STATES || kind == R_THREADS) {
		cpu_tooltip(w, wl, kind, c, ts, ke);
		goto done;
	}
	if (!(seen = irqs_seen(wl, ke))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kind == R_AGG) {
		agg_at(wl, seen, irq, ts, ke, &s, cpus, sizeof(cpus));
		if (s.active)
			jsonw_kstr(w, "CPU", cpus);
	} else if (seen[c * NI + irq]) {
		irq_at(wl, c, irq, ts, ke, &s);
		if (s.active && kind == R_TWIN)
			mw_kv_int(w, "IRQ", wl_irq_number(irq));
		else if (s.active)
			mw_kv_int(w, "CPU", c);
	}
done:
	free(seen);
	jsonw_obj_end(w);
	return 0;
}

/* ---- styles ---- */

static void linux_style(struct jsonw *w, const char *key, const char *name, const char *color,
			double height, const char *group)
{
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "style-name", name);
	jsonw_kstr(w, "background-color", color);
	jsonw_kdouble(w, "height", height);
	jsonw_kdouble(w, "opacity", 1.0);
	jsonw_kstr(w, "style-group", group);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void res_styles(struct jsonw *w)
{
	/* LinuxStyle's values; TC's "frequency" and "thread" carry each other's name. */
	linux_style(w, "Idle", "Idle", "#c8c8c8", 0.66, "CPU states");
	linux_style(w, "Usermode", "Usermode", "#00c800", 1.0, "CPU states");
	linux_style(w, "System call", "System call", "#0000c8", 1.0, "CPU states");
	linux_style(w, "Interrupt", "Interrupt", "#c80064", 0.75, "CPU states");
	linux_style(w, "Soft Irq", "Soft Irq", "#c89664", 1.0, "CPU states");
	linux_style(w, "Soft Irq raised", "Soft Irq raised", "#c8c800", 1.0, "CPU states");
	linux_style(w, "frequency", "Thread", "#00c800", 1.0, "Other");
	linux_style(w, "thread", "Frequency", "#00c800", 1.0, "Other");
}
