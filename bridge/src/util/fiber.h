#ifndef FIBER_H
#define FIBER_H

/*
 * Fibers: functions that run on a stack of their own and can give the
 * thread back in the middle (fiber_yield) to be entered again later where
 * they left off. They let a request handler written as plain blocking code
 * wait for its trace server without holding a thread (loop.h schedules
 * them). On x86-64 a switch is a few register moves (ucontext's also
 * costs two sigprocmask system calls, which fibers never change); other
 * machines use ucontext. The switches are told to AddressSanitizer and the
 * stacks to valgrind, so both keep working across them.
 *
 * Ownership: a fiber owns its stack (mmap'd, a guard page below it so an
 * overflow faults instead of corrupting a neighbour); the host is the
 * thread's own context, owned by whoever runs the fibers.
 *
 * Threads: a fiber is entered by one thread at a time; it may be entered
 * by another thread after it yielded.
 */

#include <stddef.h>
#include <ucontext.h>

/* A saved place to switch to. */
struct fiber_ctx {
#if defined(__x86_64__)
	void *sp;                       /* registers are saved on the stack it points into */
#else
	ucontext_t uc;
#endif
};

/* The thread that enters fibers: where a yield returns to. */
struct fiber_host {
	struct fiber_ctx ctx;
	const void *stack_bottom;       /* for AddressSanitizer's switch notes */
	size_t stack_size;
};

typedef void (*fiber_fn)(void *arg);

struct fiber {
	struct fiber_ctx ctx;
	struct fiber_host *host;        /* the host of the current entry */
	void *map;                      /* guard page + stack */
	size_t map_size;
	unsigned stack_id;              /* valgrind's */
	void *fake_stack;               /* AddressSanitizer's */
	fiber_fn fn;
	void *arg;
	int finished;
};

/*
 * A stack of stack_size bytes (rounded up to pages) for f; 0, or -1 when
 * the memory cannot be had. The stack may be used by many fibers in turn:
 * see fiber_start().
 */
int fiber_init(struct fiber *f, size_t stack_size);
void fiber_release(struct fiber *f);

/* Makes f run fn(arg) from the top of its stack at its next fiber_enter(); f must not be running. */
void fiber_start(struct fiber *f, fiber_fn fn, void *arg);

/* Runs f on this thread until it yields or fn returns (then fiber_finished()). */
void fiber_enter(struct fiber_host *h, struct fiber *f);

/* From inside f: back to the thread that entered it. */
void fiber_yield(struct fiber *f);

static inline int fiber_finished(const struct fiber *f)
{
	return f->finished;
}

#endif
