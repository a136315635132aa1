#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strbuf.h"

/* ---- PRNG: splitmix64, integer only so every platform gives the same run ---- */

struct wl_rng {
	uint64_t s;
};

static uint64_t rng_next(struct wl_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rng_below(struct wl_rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* Around `mean` (mean/4 .. 7*mean/4), with an occasional 4x tail. */
static int64_t rng_dur(struct wl_rng *r, int64_t mean)
{
	int64_t d;

	if (mean < 1)
		mean = 1;
	d = mean / 4 + (int64_t)rng_below(r, (uint64_t)(mean / 2 * 3) + 1);
	if (rng_below(r, 32) == 0)
		d *= 4;
	return d > 0 ? d : 1;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	return hash_fnv1a64_more(h, s, strlen(s));
}

/* ---- catalogues ---- */

static const char *const syscall_names[WL_N_SYSCALLS] = {
	"read", "write", "openat", "close", "futex", "epoll_wait",
	"poll", "recvfrom", "sendto", "mmap", "nanosleep", "ioctl",
};

static const struct {
	int irq;
	const char *name;
} irqs[WL_N_IRQS] = {
	{ 19, "eth0" }, { 16, "ehci_hcd:usb1" }, { 29, "i915" }, { 33, "nvme0q1" },
};

static const char *const proc_names[] = {
	"systemd", "bash", "nginx", "postgres", "sshd", "python3", "java",
	"redis-server", "node", "containerd", "cron", "rsyslogd", "Xorg",
	"chrome", "gcc", "make",
};
#define N_PROC_NAMES (sizeof(proc_names) / sizeof(proc_names[0]))

static const char *const state_keys[WL_ST_COUNT] = {
	"UNKNOWN", "USERMODE", "SYSCALL", "WAIT_FOR_CPU", "WAIT_BLOCKED", "INTERRUPTED",
};
static const char *const state_labels[WL_ST_COUNT] = {
	"Unknown", "Running", "System call", "Wait for CPU", "Wait blocked", "Interrupted",
};

const char *wl_state_key(int state)
{
	return state >= 0 && state < WL_ST_COUNT ? state_keys[state] : "UNKNOWN";
}

const char *wl_state_label(int state)
{
	return state >= 0 && state < WL_ST_COUNT ? state_labels[state] : "Unknown";
}

int wl_is_busy_state(int state)
{
	return state == WL_ST_USERMODE || state == WL_ST_SYSCALL;
}

const char *wl_syscall_name(int idx)
{
	return idx >= 0 && idx < WL_N_SYSCALLS ? syscall_names[idx] : "unknown";
}

const char *wl_irq_name(int idx)
{
	return idx >= 0 && idx < WL_N_IRQS ? irqs[idx].name : "unknown";
}

int wl_irq_number(int idx)
{
	return idx >= 0 && idx < WL_N_IRQS ? irqs[idx].irq : -1;
}

void wl_params_default(struct wl_params *p)
{
	p->seed = 1;
	p->cpus = 4;
	p->threads = 24;
	p->duration_ns = INT64_C(10000000000);
	p->events = 20000;
	p->start_ns = WL_DEFAULT_START_NS;
}

/* ---- the simulation ---- */

enum { CPU_IDLE, CPU_SWITCH, CPU_RUN, CPU_IRQ };

struct sim_cpu {
	int phase;
	int32_t cur, next;
	int64_t slice_start;
	int32_t *rq;            /* ring of runnable threads homed here */
	size_t rq_head, rq_len, rq_cap;
	uint8_t irq;
};

struct sim_thr {
	uint8_t resume;         /* state to resume in when scheduled again */
	uint8_t sc;             /* current syscall */
	uint8_t fav[2];         /* favourite syscalls */
	int32_t wake_arrow;     /* open wake-up arrow, -1 if none */
};

struct heap_item {
	int64_t t;
	uint32_t key;           /* < cpus: a CPU's next transition; else cpus + thread wake-up */
};

struct gen {
	struct workload *wl;
	struct wl_rng rng;
	struct sim_cpu *cpu;
	struct sim_thr *thr;
	struct heap_item *heap;
	size_t heap_len;
	size_t alloc_events, alloc_arrows;
	int64_t now;
	int64_t mean_user, mean_sys, mean_block, mean_irq, lat;
	size_t event_cap;
	int oom;
};

static int heap_less(const struct heap_item *a, const struct heap_item *b)
{
	return a->t < b->t || (a->t == b->t && a->key < b->key);
}

/* Capacity is cpus + threads: every entity has at most one pending item. */
static void heap_push(struct gen *g, int64_t t, uint32_t key)
{
	size_t i = g->heap_len++;

	g->heap[i].t = t;
	g->heap[i].key = key;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct heap_item tmp;

		if (!heap_less(&g->heap[i], &g->heap[p]))
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[p];
		g->heap[p] = tmp;
		i = p;
	}
}

static struct heap_item heap_pop(struct gen *g)
{
	struct heap_item top = g->heap[0];
	size_t i = 0;

	g->heap[0] = g->heap[--g->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct heap_item tmp;

		if (l < g->heap_len && heap_less(&g->heap[l], &g->heap[m]))
			m = l;
		if (r < g->heap_len && heap_less(&g->heap[r], &g->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = tmp;
		i = m;
	}
	return top;
}

static void emit(struct gen *g, int type, int cpu, int32_t thread, int32_t other, int aux)
{
	struct workload *wl = g->wl;
	struct wl_event *e;

	if (wl->n_events == g->alloc_events) {
		size_t n = g->alloc_events ? g->alloc_events * 2 : 1024;
		struct wl_event *ne = realloc(wl->events, n * sizeof(*ne));

		if (!ne) {
			g->oom = 1;
			return;
		}
		wl->events = ne;
		g->alloc_events = n;
	}
	e = &wl->events[wl->n_events++];
	e->ts = g->now;
	e->thread = thread;
	e->other = other;
	e->cpu = (uint16_t)cpu;
	e->type = (uint8_t)type;
	e->aux = (uint8_t)aux;
}

static int32_t add_arrow(struct gen *g, int kind, int32_t src, int32_t dst, int64_t end)
{
	struct workload *wl = g->wl;
	struct wl_arrow *a;

	if (wl->n_arrows == g->alloc_arrows) {
		size_t n = g->alloc_arrows ? g->alloc_arrows * 2 : 1024;
		struct wl_arrow *na = realloc(wl->arrows, n * sizeof(*na));

		if (!na) {
			g->oom = 1;
			return -1;
		}
		wl->arrows = na;
		g->alloc_arrows = n;
	}
	a = &wl->arrows[wl->n_arrows];
	a->start = g->now;
	a->end = end;
	a->src = src;
	a->dst = dst;
	a->kind = (uint8_t)kind;
	return (int32_t)wl->n_arrows++;
}

/* Records that thread j is in `state` from now on (merging no-op changes). */
static void set_state(struct gen *g, int32_t j, int state, int aux)
{
	struct wl_thread *t = &g->wl->threads[j];
	struct wl_interval *last = t->n_iv ? &t->iv[t->n_iv - 1] : NULL;

	if (last && last->start == g->now) {
		/* A zero-length interval is replaced, and may then merge backwards. */
		struct wl_interval *prev = t->n_iv > 1 ? &t->iv[t->n_iv - 2] : NULL;

		if (prev && prev->state == state && prev->aux == aux) {
			t->n_iv--;
			return;
		}
		last->state = (uint8_t)state;
		last->aux = (uint8_t)aux;
		return;
	}
	if (last && last->state == state && last->aux == aux)
		return;
	if (t->n_iv == t->alloc_iv) {
		size_t n = t->alloc_iv ? t->alloc_iv * 2 : 16;
		struct wl_interval *ni = realloc(t->iv, n * sizeof(*ni));

		if (!ni) {
			g->oom = 1;
			return;
		}
		t->iv = ni;
		t->alloc_iv = n;
	}
	last = &t->iv[t->n_iv++];
	last->start = g->now;
	last->state = (uint8_t)state;
	last->aux = (uint8_t)aux;
	last->cpu = t->cpu;
}

static void rq_push(struct sim_cpu *c, int32_t j)
{
	c->rq[(c->rq_head + c->rq_len) % c->rq_cap] = j;
	c->rq_len++;
}

static int32_t rq_pop(struct sim_cpu *c)
{
	int32_t j;

	if (!c->rq_len)
		return -1;
	j = c->rq[c->rq_head];
	c->rq_head = (c->rq_head + 1) % c->rq_cap;
	c->rq_len--;
	return j;
}

/* The CPU starts handing itself to `next`; it runs after the switch latency. */
static void start_switch(struct gen *g, int c, int32_t prev, int32_t next)
{
	struct sim_cpu *cpu = &g->cpu[c];
	int64_t lat = rng_dur(&g->rng, g->lat);

	cpu->phase = CPU_SWITCH;
	cpu->cur = -1;
	cpu->next = next;
	if (prev >= 0)
		add_arrow(g, WL_ARROW_HANDOFF, prev, next, g->now + lat);
	heap_push(g, g->now + lat, (uint32_t)c);
}

/* prev leaves CPU c (already in its new state); the next runnable one, if any, follows. */
static void switch_out(struct gen *g, int c, int32_t prev, int prev_state)
{
	int32_t next = rq_pop(&g->cpu[c]);

	emit(g, WL_EV_SCHED_SWITCH, c, prev, next, prev_state);
	if (next >= 0) {
		start_switch(g, c, prev, next);
	} else {
		g->cpu[c].phase = CPU_IDLE;
		g->cpu[c].cur = -1;
	}
}

static int pick_syscall(struct gen *g, int32_t j)
{
	uint64_t r = rng_below(&g->rng, 10);

	if (r < 7)
		return g->thr[j].fav[r & 1];
	return (int)rng_below(&g->rng, WL_N_SYSCALLS);
}

static void cpu_event(struct gen *g, int c)
{
	struct sim_cpu *cpu = &g->cpu[c];
	int32_t j;

	switch (cpu->phase) {
	case CPU_SWITCH:
		j = cpu->next;
		cpu->cur = j;
		cpu->phase = CPU_RUN;
		cpu->slice_start = g->now;
		if (g->thr[j].wake_arrow >= 0) {
			g->wl->arrows[g->thr[j].wake_arrow].end = g->now;
			g->thr[j].wake_arrow = -1;
		}
		if (g->thr[j].resume == WL_ST_SYSCALL) {
			set_state(g, j, WL_ST_SYSCALL, g->thr[j].sc);
			heap_push(g, g->now + rng_dur(&g->rng, g->mean_sys / 2), (uint32_t)c);
		} else {
			set_state(g, j, WL_ST_USERMODE, 0);
			heap_push(g, g->now + rng_dur(&g->rng, g->mean_user), (uint32_t)c);
		}
		break;
	case CPU_RUN:
		j = cpu->cur;
		if (g->wl->threads[j].iv[g->wl->threads[j].n_iv - 1].state == WL_ST_USERMODE) {
			if (cpu->rq_len && g->now - cpu->slice_start >= g->wl->timeslice) {
				/* Preempted: back to the run queue's tail, prev_state R. */
				g->thr[j].resume = WL_ST_USERMODE;
				set_state(g, j, WL_ST_WAIT_CPU, 0);
				rq_push(cpu, j);
				switch_out(g, c, j, 0);
			} else if (rng_below(&g->rng, 10) == 0) {
				cpu->irq = (uint8_t)rng_below(&g->rng, WL_N_IRQS);
				emit(g, WL_EV_IRQ_ENTRY, c, j, -1, cpu->irq);
				set_state(g, j, WL_ST_INTERRUPTED, cpu->irq);
				cpu->phase = CPU_IRQ;
				heap_push(g, g->now + rng_dur(&g->rng, g->mean_irq), (uint32_t)c);
			} else {
				int sc = pick_syscall(g, j);

				g->thr[j].sc = (uint8_t)sc;
				emit(g, WL_EV_SYSCALL_ENTRY, c, j, -1, sc);
				set_state(g, j, WL_ST_SYSCALL, sc);
				heap_push(g, g->now + rng_dur(&g->rng, g->mean_sys), (uint32_t)c);
			}
		} else if (rng_below(&g->rng, 4) == 0) {
			/* Blocks inside the syscall: prev_state S, woken later. */
			g->thr[j].resume = WL_ST_SYSCALL;
			set_state(g, j, WL_ST_WAIT_BLOCKED, 0);
			heap_push(g, g->now + rng_dur(&g->rng, g->mean_block),
				  (uint32_t)(g->wl->params.cpus + j));
			switch_out(g, c, j, 1);
		} else {
			emit(g, WL_EV_SYSCALL_EXIT, c, j, -1, g->thr[j].sc);
			set_state(g, j, WL_ST_USERMODE, 0);
			heap_push(g, g->now + rng_dur(&g->rng, g->mean_user), (uint32_t)c);
		}
		break;
	case CPU_IRQ:
		j = cpu->cur;
		emit(g, WL_EV_IRQ_EXIT, c, j, -1, cpu->irq);
		cpu->phase = CPU_RUN;
		set_state(g, j, WL_ST_USERMODE, 0);
		heap_push(g, g->now + rng_dur(&g->rng, g->mean_user), (uint32_t)c);
		break;
	}
}

static void thread_wake(struct gen *g, int32_t j)
{
	int ncpu = g->wl->params.cpus;
	int c = g->wl->threads[j].cpu;
	int w = (int)rng_below(&g->rng, (uint64_t)ncpu);
	int32_t waker = -1;

	/* Whoever runs on a random CPU did the wake-up (idle: nobody). */
	if (g->cpu[w].phase == CPU_RUN || g->cpu[w].phase == CPU_IRQ)
		waker = g->cpu[w].cur;
	else
		w = c;
	emit(g, WL_EV_SCHED_WAKEUP, w, waker, j, c);
	set_state(g, j, WL_ST_WAIT_CPU, 0);
	if (waker >= 0 && waker != j)
		g->thr[j].wake_arrow = add_arrow(g, WL_ARROW_WAKEUP, waker, j, -1);
	if (g->cpu[c].phase == CPU_IDLE) {
		emit(g, WL_EV_SCHED_SWITCH, c, -1, j, 0);
		start_switch(g, c, -1, j);
	} else {
		rq_push(&g->cpu[c], j);
	}
}

/* ---- building the thread table ---- */

static int build_threads(struct workload *wl, struct wl_rng *rng)
{
	int T = wl->params.threads, C = wl->params.cpus;
	int P = (T + 2) / 3, nk, i, k, idx = 0, rr = 0;
	int *count = NULL, *first = NULL;
	int32_t next_id;
	int ret = -1;

	if (P < 1)
		P = 1;
	nk = P / 4 < C ? P / 4 : C;
	count = calloc((size_t)P, sizeof(*count));
	first = calloc((size_t)P, sizeof(*first));
	wl->threads = calloc((size_t)T, sizeof(*wl->threads));
	if (!count || !first || !wl->threads)
		goto out;
	wl->n_threads = (size_t)T;
	for (i = 0; i < P; i++)
		count[i] = 1;
	/* Extra threads go to user processes; kernel workers and systemd stay single. */
	for (i = P; i < T; i++) {
		int first_mt = P - nk > 1 ? nk + 1 : nk;

		count[first_mt + (int)rng_below(rng, (uint64_t)(P - first_mt))]++;
	}

	/* pids: systemd is 1, kworkers low, the rest from 300 up with gaps. */
	next_id = 1;
	if (nk < P)
		first[nk] = next_id, next_id += count[nk];
	if (next_id < 10)
		next_id = 10;
	for (i = 0; i < nk; i++)
		first[i] = next_id, next_id += 1 + (int32_t)rng_below(rng, 6);
	next_id += 300;
	for (i = nk + 1; i < P; i++) {
		first[i] = next_id;
		next_id += count[i] + 1 + (int32_t)rng_below(rng, 40);
	}

	for (i = 0; i < P; i++) {
		const char *comm;
		char buf[32];
		int32_t main_idx = idx;

		if (i < nk) {
			snprintf(buf, sizeof(buf), "kworker/%d:1", i);
			comm = arena_strdup(&wl->arena, buf);
			if (!comm)
				goto out;
		} else {
			comm = proc_names[(size_t)(i - nk) % N_PROC_NAMES];
		}
		for (k = 0; k < count[i]; k++, idx++) {
			struct wl_thread *t = &wl->threads[idx];

			t->pid = first[i];
			t->tid = first[i] + k;
			t->ppid = i < nk ? 2 : (i == nk ? 0 : 1);
			t->main = main_idx;
			t->prio = 20;
			t->comm = comm;
			t->cpu = (uint16_t)(i < nk ? i % C : rr++ % C);
		}
	}
	ret = 0;
out:
	free(count);
	free(first);
	return ret;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Burst lengths chosen so ~params.events events fill the duration at ~60% load. */
static void calibrate(struct gen *g)
{
	const struct wl_params *p = &g->wl->params;
	int64_t rho = 600;      /* target load, per mille of all CPUs */
	int64_t x, r;

	if ((int64_t)p->threads * 800 / p->cpus < rho)
		rho = (int64_t)p->threads * 800 / p->cpus;
	if (rho < 1)
		rho = 1;
	/* ~2.1 events per user burst + syscall (measured), at rho * cpus busy CPUs. */
	x = (int64_t)((__int128)rho * p->cpus * 21 * p->duration_ns / ((__int128)p->events * 10000));
	x = clamp64(x, 200, INT64_C(1000000000));
	g->mean_user = x * 4 / 5;
	g->mean_sys = x / 5;
	g->mean_irq = clamp64(x / 20, 50, 5000);
	g->lat = clamp64(x / 50, 20, 2000);
	g->wl->timeslice = clamp64(10 * x, 100000, 6000000);
	/* Blocked long enough that each thread gets its share of the load. */
	r = 4 * x;
	g->mean_block = (int64_t)((__int128)r * ((int64_t)p->threads * 1000 - rho * p->cpus) /
				  (rho * p->cpus));
	g->mean_block = clamp64(g->mean_block, 1000, p->duration_ns / 4 > 1000 ? p->duration_ns / 4 : 1000);
}

static int finish(struct workload *wl)
{
	size_t i, k, n = 0;

	/* Wake-ups still waiting for a CPU at the end have no end: dropped. */
	wl->max_arrow_len = 0;
	for (i = 0; i < wl->n_arrows; i++) {
		if (wl->arrows[i].end < 0)
			continue;
		if (wl->arrows[i].end - wl->arrows[i].start > wl->max_arrow_len)
			wl->max_arrow_len = wl->arrows[i].end - wl->arrows[i].start;
		wl->arrows[n++] = wl->arrows[i];
	}
	wl->n_arrows = n;
	for (i = 0; i < wl->n_threads; i++) {
		struct wl_thread *t = &wl->threads[i];

		t->busy = malloc((t->n_iv + 1) * sizeof(*t->busy));
		if (!t->busy)
			return -1;
		t->busy[0] = 0;
		for (k = 0; k < t->n_iv; k++) {
			int64_t len = wl_interval_end(wl, t, k) - t->iv[k].start;

			t->busy[k + 1] = t->busy[k] + (wl_is_busy_state(t->iv[k].state) ? len : 0);
		}
	}
	return 0;
}

/* The CPUs' run queues and the threads' own state, for wl's threads on C CPUs; -1 when out of memory. */
static int gen_alloc(struct gen *g, int C)
{
	struct workload *wl = g->wl;
	size_t i, nkeys = (size_t)C + wl->n_threads;

	g->cpu = calloc((size_t)C, sizeof(*g->cpu));
	g->thr = calloc(wl->n_threads, sizeof(*g->thr));
	g->heap = calloc(nkeys, sizeof(*g->heap));
	if (!g->cpu || !g->thr || !g->heap)
		return -1;
	for (i = 0; i < wl->n_threads; i++) {
		struct sim_cpu *c = &g->cpu[wl->threads[i].cpu];

		c->rq_cap++;
		g->thr[i].fav[0] = (uint8_t)rng_below(&g->rng, WL_N_SYSCALLS);
		g->thr[i].fav[1] = (uint8_t)rng_below(&g->rng, WL_N_SYSCALLS);
		g->thr[i].wake_arrow = -1;
	}
	for (i = 0; i < (size_t)C; i++) {
		g->cpu[i].cur = g->cpu[i].next = -1;
		if (!g->cpu[i].rq_cap)
			g->cpu[i].rq_cap = 1;
		g->cpu[i].rq = calloc(g->cpu[i].rq_cap, sizeof(int32_t));
		if (!g->cpu[i].rq)
			return -1;
	}
	return 0;
}

/* Runs the C CPUs and the threads from the trace's start to its end (or the event cap). */
static void simulate(struct gen *g, int C)
{
	struct workload *wl = g->wl;
	size_t i;

	/* Every thread is unknown until its first wake-up. */
	g->now = wl->start;
	for (i = 0; i < wl->n_threads; i++) {
		int64_t first = g->mean_block < wl->params.duration_ns / 2 ? g->mean_block
									   : wl->params.duration_ns / 2;

		set_state(g, (int32_t)i, WL_ST_UNKNOWN, 0);
		heap_push(g, wl->start + 1 + (int64_t)rng_below(&g->rng, (uint64_t)first),
			  (uint32_t)(C + (int)i));
	}
	g->event_cap = (size_t)wl->params.events * 4 + 10000;
	while (g->heap_len && !g->oom) {
		struct heap_item it = heap_pop(g);

		if (it.t > wl->end)
			break;
		g->now = it.t;
		if (it.key < (uint32_t)C)
			cpu_event(g, (int)it.key);
		else
			thread_wake(g, (int32_t)(it.key - (uint32_t)C));
		if (wl->n_events >= g->event_cap) {
			/* Far over the target: the trace simply ends here. */
			wl->end = g->now + 1;
			break;
		}
	}
}

/* The lost-events records, at fixed fractions of the trace give or take a little. */
static void place_lost(struct workload *wl, struct wl_rng *rng)
{
	size_t i;

	for (i = 0; i < WL_N_LOST; i++) {
		static const int at_pm[WL_N_LOST] = { 210, 530, 870 };
		int64_t d = wl->end - wl->start;

		wl->lost[i].time = wl->start + d / 1000 * at_pm[i] +
				   (int64_t)rng_below(rng, (uint64_t)(d / 100 + 1));
		wl->lost[i].duration = d / 2000 > 1000 ? d / 2000 : 1000;
		wl->lost[i].count = 10 + (int64_t)rng_below(rng, 500);
	}
}

int workload_generate(struct workload *wl, const struct wl_params *p, const char *name)
{
	struct gen g;
	size_t i;
	int C, ret = -1;
	char *nm;

	memset(wl, 0, sizeof(*wl));
	memset(&g, 0, sizeof(g));
	arena_init(&wl->arena);
	wl->params = *p;
	if (wl->params.cpus < 1)
		wl->params.cpus = 1;
	if (wl->params.threads < 1)
		wl->params.threads = 1;
	if (wl->params.duration_ns < 1000)
		wl->params.duration_ns = 1000;
	if (wl->params.events < 1)
		wl->params.events = 1;
	C = wl->params.cpus;
	nm = arena_strdup(&wl->arena, name);
	if (!nm)
		goto out;
	wl->name = nm;
	g.wl = wl;
	g.rng.s = fnv1a(UINT64_C(0xcbf29ce484222325), name) ^ (p->seed * UINT64_C(0x9e3779b97f4a7c15));
	rng_next(&g.rng);
	/* A sub-second offset with a non-zero leading digit: all 19 digits vary. */
	wl->start = wl->params.start_ns + 100000000 + (int64_t)rng_below(&g.rng, 900000000);
	wl->end = wl->start + wl->params.duration_ns;

	if (build_threads(wl, &g.rng) < 0)
		goto out;
	calibrate(&g);
	if (gen_alloc(&g, C) < 0)
		goto out;
	simulate(&g, C);
	if (g.oom || finish(wl) < 0)
		goto out;
	place_lost(wl, &g.rng);
	ret = 0;
out:
	if (g.cpu)
		for (i = 0; i < (size_t)C; i++)
			free(g.cpu[i].rq);
	free(g.cpu);
	free(g.thr);
	free(g.heap);
	if (ret < 0)
		workload_release(wl);
	return ret;
}

void workload_release(struct workload *wl)
{
	size_t i;

	if (wl->threads)
		for (i = 0; i < wl->n_threads; i++) {
			free(wl->threads[i].iv);
			free(wl->threads[i].busy);
		}
	free(wl->threads);
	free(wl->events);
	free(wl->arrows);
	arena_release(&wl->arena);
	memset(wl, 0, sizeof(*wl));
}

/* ---- queries ---- */

ptrdiff_t wl_interval_at(const struct workload *wl, const struct wl_thread *t, int64_t ts)
{
	size_t lo = 0, hi = t->n_iv;

	if (!t->n_iv || ts < t->iv[0].start || ts > wl->end)
		return -1;
	/* Last interval starting at or before ts. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->iv[mid].start <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo;
}

int64_t wl_interval_end(const struct workload *wl, const struct wl_thread *t, size_t k)
{
	return k + 1 < t->n_iv ? t->iv[k + 1].start : wl->end;
}

int64_t wl_busy_until(const struct workload *wl, const struct wl_thread *t, int64_t ts)
{
	ptrdiff_t k;

	if (ts > wl->end)
		ts = wl->end;
	k = wl_interval_at(wl, t, ts);
	if (k < 0)
		return 0;
	return t->busy[k] + (wl_is_busy_state(t->iv[k].state) ? ts - t->iv[k].start : 0);
}

size_t wl_first_event_at(const struct workload *wl, int64_t ts)
{
	size_t lo = 0, hi = wl->n_events;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wl->events[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t wl_first_arrow_from(const struct workload *wl, int64_t ts)
{
	size_t lo = 0, hi = wl->n_arrows;
	/* Arrows are sorted by start and none is longer than max_arrow_len. */
	int64_t from = ts < INT64_MIN + wl->max_arrow_len ? INT64_MIN : ts - wl->max_arrow_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wl->arrows[mid].start < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int wl_event_type_index(const struct wl_event *e)
{
	switch (e->type) {
	case WL_EV_SYSCALL_ENTRY:
		return 4 + e->aux;
	case WL_EV_SYSCALL_EXIT:
		return 4 + WL_N_SYSCALLS + e->aux;
	default:
		return e->type;
	}
}

const char *wl_event_type_name(int idx, char *buf, size_t len)
{
	static const char *const fixed[4] = {
		"sched_switch", "sched_wakeup", "irq_handler_entry", "irq_handler_exit",
	};

	if (idx >= 0 && idx < 4)
		snprintf(buf, len, "%s", fixed[idx]);
	else if (idx >= 4 && idx < 4 + WL_N_SYSCALLS)
		snprintf(buf, len, "syscall_entry_%s", syscall_names[idx - 4]);
	else if (idx >= 4 + WL_N_SYSCALLS && idx < WL_N_EVENT_TYPES)
		snprintf(buf, len, "syscall_exit_%s", syscall_names[idx - 4 - WL_N_SYSCALLS]);
	else
		snprintf(buf, len, "unknown");
	return buf;
}

const char *wl_comm(const struct workload *wl, int32_t thread, int cpu, char *buf, size_t len)
{
	if (thread >= 0 && (size_t)thread < wl->n_threads)
		return wl->threads[thread].comm;
	snprintf(buf, len, "swapper/%d", cpu);
	return buf;
}

int32_t wl_tid(const struct workload *wl, int32_t thread)
{
	return thread >= 0 && (size_t)thread < wl->n_threads ? wl->threads[thread].tid : 0;
}

/* Stable pseudo-random argument values derived from the event itself. */
static uint64_t event_hash(const struct wl_event *e)
{
	uint64_t h = (uint64_t)e->ts * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)(uint32_t)e->thread;

	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return h ^ (h >> 32);
}

int wl_event_contents(const struct workload *wl, const struct wl_event *e, struct strbuf *sb)
{
	char b1[32], b2[32];
	uint64_t h = event_hash(e);

	switch (e->type) {
	case WL_EV_SCHED_SWITCH:
		return strbuf_addf(sb, "prev_comm=%s, prev_tid=%" PRId32 ", prev_prio=20, prev_state=%d, "
				   "next_comm=%s, next_tid=%" PRId32 ", next_prio=20",
				   wl_comm(wl, e->thread, e->cpu, b1, sizeof(b1)), wl_tid(wl, e->thread),
				   e->aux, wl_comm(wl, e->other, e->cpu, b2, sizeof(b2)),
				   wl_tid(wl, e->other));
	case WL_EV_SCHED_WAKEUP:
		return strbuf_addf(sb, "comm=%s, tid=%" PRId32 ", prio=20, target_cpu=%d",
				   wl_comm(wl, e->other, e->cpu, b1, sizeof(b1)), wl_tid(wl, e->other),
				   e->aux);
	case WL_EV_IRQ_ENTRY:
		return strbuf_addf(sb, "irq=%d, name=%s", wl_irq_number(e->aux), wl_irq_name(e->aux));
	case WL_EV_IRQ_EXIT:
		return strbuf_addf(sb, "irq=%d, ret=1", wl_irq_number(e->aux));
	case WL_EV_SYSCALL_ENTRY:
		return strbuf_addf(sb, "fd=%u, count=%u", (unsigned)(3 + h % 29),
				   (unsigned)(512u << (h >> 8) % 5));
	case WL_EV_SYSCALL_EXIT:
		return strbuf_addf(sb, "ret=%d", h % 13 == 0 ? -11 : (int)(h % 4097));
	}
	return strbuf_addstr(sb, "");
}

void wl_uuid(const char *kind, const char *name, char out[37])
{
	uint64_t a = fnv1a(fnv1a(UINT64_C(0xcbf29ce484222325), kind), "/");
	uint64_t b;

	a = fnv1a(a, name);
	b = fnv1a(a ^ UINT64_C(0x5bd1e9955bd1e995), name);
	/* Shaped like a name-based (version 5, RFC 4122 variant) UUID. */
	a = (a & ~UINT64_C(0xf000)) | UINT64_C(0x5000);
	b = (b & ~(UINT64_C(0xc) << 60)) | (UINT64_C(0x8) << 60);
	snprintf(out, 37, "%08" PRIx32 "-%04" PRIx32 "-%04" PRIx32 "-%04" PRIx32 "-%012" PRIx64,
		 (uint32_t)(a >> 32), (uint32_t)(a >> 16) & 0xffff, (uint32_t)a & 0xffff,
		 (uint32_t)(b >> 48), b & UINT64_C(0xffffffffffff));
}

void wl_format_ts(int64_t ts, char *buf, size_t len)
{
	int64_t s = ts / 1000000000, ns = ts % 1000000000;

	if (ns < 0) {
		ns += 1000000000;
		s--;
	}
	snprintf(buf, len, "%" PRId64 ".%03d %03d %03d", s, (int)(ns / 1000000),
		 (int)(ns / 1000 % 1000), (int)(ns % 1000));
}

void wl_format_duration(int64_t ns, char *buf, size_t len)
{
	/* Integer arithmetic keeps the digits exact. */
	if (ns < 1000 && ns > -1000)
		snprintf(buf, len, "%" PRId64 " ns", ns);
	else if (ns < 1000000 && ns > -1000000)
		snprintf(buf, len, "%" PRId64 ".%03d µs", ns / 1000, (int)(ns % 1000 < 0 ? -(ns % 1000) : ns % 1000));
	else if (ns < 1000000000 && ns > -1000000000)
		snprintf(buf, len, "%" PRId64 ".%03d ms", ns / 1000000,
			 (int)((ns < 0 ? -ns : ns) / 1000 % 1000));
	else
		snprintf(buf, len, "%" PRId64 ".%03d s", ns / 1000000000,
			 (int)((ns < 0 ? -ns : ns) / 1000000 % 1000));
}

int64_t wl_sample_time(int64_t start, int64_t end, int n, int i)
{
	if (n <= 1 || i <= 0)
		return start;
	if (i >= n - 1)
		return end;
	/* 128-bit throughout: a full int64 span times 65535 samples does not fit 64 bits. */
	return (int64_t)((__int128)start + ((__int128)end - start) * i / (n - 1));
}
