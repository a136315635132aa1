#ifndef TSPSIM_WORKLOAD_H
#define TSPSIM_WORKLOAD_H

/*
 * A deterministic synthetic kernel workload: threads of a few processes
 * scheduled on N CPUs by a small discrete-event simulation (seeded PRNG,
 * integer arithmetic only, so the same parameters give the same bytes).
 *
 * Generation is done once; a `struct workload` is then immutable and may be
 * read from any number of threads. Every query helper here is a pure
 * function of the workload and its arguments.
 *
 * Time is int64 nanoseconds since the epoch everywhere; nothing goes through
 * a double except CPU usage ratios.
 */

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct strbuf;

/* Thread states, in the Linux Thread Status view's terms. */
enum wl_state {
	WL_ST_UNKNOWN = 0,
	WL_ST_USERMODE,
	WL_ST_SYSCALL,
	WL_ST_WAIT_CPU,
	WL_ST_WAIT_BLOCKED,
	WL_ST_INTERRUPTED,
	WL_ST_COUNT
};

enum wl_event_type {
	WL_EV_SCHED_SWITCH = 0,
	WL_EV_SCHED_WAKEUP,
	WL_EV_IRQ_ENTRY,
	WL_EV_IRQ_EXIT,
	WL_EV_SYSCALL_ENTRY,
	WL_EV_SYSCALL_EXIT,
};

enum wl_arrow_kind {
	WL_ARROW_HANDOFF = 0,   /* prev -> next on a sched_switch, same CPU */
	WL_ARROW_WAKEUP,        /* waker -> wakee, until the wakee runs */
};

#define WL_N_SYSCALLS 12
#define WL_N_IRQS 4
/* sched_switch, sched_wakeup, irq entry/exit, syscall entry/exit per syscall */
#define WL_N_EVENT_TYPES (4 + 2 * WL_N_SYSCALLS)
#define WL_N_LOST 3

#define WL_DEFAULT_START_NS INT64_C(1700000000000000000)

struct wl_params {
	uint64_t seed;
	int cpus;
	int threads;
	int64_t duration_ns;
	int64_t events;         /* target; the result lands near it */
	int64_t start_ns;       /* trace start before the per-trace offset */
};

/* One state interval; it ends where the next one starts (or at the trace end). */
struct wl_interval {
	int64_t start;
	uint8_t state;          /* enum wl_state */
	uint8_t aux;            /* syscall index (SYSCALL), irq index (INTERRUPTED) */
	uint16_t cpu;
};

struct wl_thread {
	int32_t tid, pid, ppid;
	int32_t main;           /* index of its process's main thread (itself if tid == pid) */
	uint16_t cpu;           /* home CPU: threads do not migrate */
	int prio;
	const char *comm;
	struct wl_interval *iv;
	int64_t *busy;          /* busy[k]: on-CPU ns before interval k (n_iv + 1 entries) */
	size_t n_iv, alloc_iv;
};

struct wl_event {
	int64_t ts;
	int32_t thread;         /* thread on the CPU (waker for wakeups); -1 = idle */
	int32_t other;          /* switch: next thread (-1 idle); wakeup: wakee */
	uint16_t cpu;
	uint8_t type;           /* enum wl_event_type */
	uint8_t aux;            /* syscall/irq index; switch: prev_state; wakeup: target cpu */
};

struct wl_arrow {
	int64_t start, end;
	int32_t src, dst;       /* thread indices */
	uint8_t kind;           /* enum wl_arrow_kind */
};

struct wl_lost {
	int64_t time, duration;
	int64_t count;
};

struct workload {
	struct wl_params params;
	const char *name;
	int64_t start, end;
	int64_t timeslice;      /* preemption slice; long waits are measured against it */
	struct wl_thread *threads;
	size_t n_threads;
	struct wl_event *events;        /* sorted by ts */
	size_t n_events;
	struct wl_arrow *arrows;        /* sorted by start */
	size_t n_arrows;
	int64_t max_arrow_len;
	struct wl_lost lost[WL_N_LOST];
	struct arena arena;             /* names */
};

/* Defaults: seed 1, 4 CPUs, 24 threads, 10 s, ~20000 events. */
void wl_params_default(struct wl_params *p);

/*
 * Simulates the workload of trace `name` (the name is mixed into the seed).
 * Returns 0, or -1 when out of memory (wl is then released).
 */
int workload_generate(struct workload *wl, const struct wl_params *p, const char *name);
void workload_release(struct workload *wl);

/* Index of the interval holding ts (last one starting at or before it), or -1. */
ptrdiff_t wl_interval_at(const struct workload *wl, const struct wl_thread *t, int64_t ts);
int64_t wl_interval_end(const struct workload *wl, const struct wl_thread *t, size_t k);
/* On-CPU (usermode + syscall) ns of thread t in [wl->start, ts), ts clamped to the trace. */
int64_t wl_busy_until(const struct workload *wl, const struct wl_thread *t, int64_t ts);
/* First event index with ts >= t (n_events if none). */
size_t wl_first_event_at(const struct workload *wl, int64_t ts);
/* First arrow index that may overlap [ts, ...). */
size_t wl_first_arrow_from(const struct workload *wl, int64_t ts);

int wl_is_busy_state(int state);
/* "USERMODE" style keys, used in styles. */
const char *wl_state_key(int state);
/* "Running", "System call", ... */
const char *wl_state_label(int state);
const char *wl_syscall_name(int idx);
const char *wl_irq_name(int idx);
int wl_irq_number(int idx);

/* Event type as a dense index [0, WL_N_EVENT_TYPES) and its name. */
int wl_event_type_index(const struct wl_event *e);
/* Writes the name of a type index into buf ("syscall_entry_read"). */
const char *wl_event_type_name(int idx, char *buf, size_t len);
/* The event's payload as "field=value, ..." text. */
int wl_event_contents(const struct workload *wl, const struct wl_event *e, struct strbuf *sb);
/* comm of thread index i, or "swapper/CPU" for -1. */
const char *wl_comm(const struct workload *wl, int32_t thread, int cpu, char *buf, size_t len);
int32_t wl_tid(const struct workload *wl, int32_t thread);

/* Deterministic name-based UUID ("trace", "kernel") -> 8-4-4-4-12 lower-case hex. */
void wl_uuid(const char *kind, const char *name, char out[37]);

/* "1700000000.123 456 789" (seconds since the epoch, ns in groups of three). */
void wl_format_ts(int64_t ts, char *buf, size_t len);
/* "12.345 ms", "3 ns", "1.500 s". */
void wl_format_duration(int64_t ns, char *buf, size_t len);

/* i-th of n sample times spread evenly over [start, end]: first = start, last = end. */
int64_t wl_sample_time(int64_t start, int64_t end, int n, int i);

#endif
