#ifndef LOOP_H
#define LOOP_H

/*
 * Event loops that run many waiting jobs on few threads. Each loop is a
 * thread with one libcurl multi handle: a job runs as a fiber (fiber.h),
 * and where it would block (an HTTP exchange with a trace server, a
 * backoff sleep, waiting for another job's answer) it parks, and the loop
 * runs the others meanwhile. So a request waiting on its trace server
 * costs a parked fiber, not a thread, and its transfer shares one poll()
 * with every other transfer of the loop.
 *
 * The waiting calls (loop_perform, loop_sleep_ms, loop_wait) work on any
 * thread: outside a fiber they block the thread as usual.
 *
 * Fibers must not hold a mutex across a waiting call (another fiber of
 * the same thread may want it); loop_wait() releases its own.
 *
 * Ownership: a set of loops owns its threads, fibers and multi handles;
 * loops_free() stops them after the queued jobs have run.
 */

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>

struct loops;
struct loop_fiber;

typedef void (*loop_fn)(void *arg, size_t i);

/*
 * n threads (n > 0) that run at most max_jobs jobs at once (more wait in a
 * queue), each on a stack of stack_bytes (0: a default). NULL when they
 * cannot be made.
 */
struct loops *loops_new(int n, int max_jobs, size_t stack_bytes);
void loops_free(struct loops *s);

/* Queues fn(arg, 0) as a job and returns at once; -1 when out of memory. */
int loops_submit(struct loops *s, loop_fn fn, void *arg);

/*
 * From inside a job: runs fn(arg, i) for i in 0..n-1 and returns when all
 * have returned. The caller takes pieces in order, and so do helper fibers
 * on every loop (at most max_jobs in all, shared by every caller, oldest
 * caller first): the pieces wait at the same time. Outside a fiber the
 * pieces run one after the other on the caller.
 */
void loop_run(size_t n, loop_fn fn, void *arg);

/* Whether the caller runs in a fiber of a loop. */
int loop_in_fiber(void);

/*
 * A counter of the running fiber, or NULL outside one: what a thread-local
 * counter is for code that fibers interleave on one thread. Starts at 0.
 */
unsigned long *loop_counter(void);

/* curl_easy_perform(h); in a fiber, h runs on the loop's multi handle while the fiber waits. */
CURLcode loop_perform(CURL *h);

/* Sleeps ms on the monotonic clock; in a fiber, only the fiber sleeps. */
void loop_sleep_ms(long ms);

/* Fibers waiting for something that a lock of the caller guards (zero-initialised). */
struct loop_waiters {
	struct loop_fiber *head;
};

/*
 * From a fiber, mu held: parks the fiber on w, unlocks mu while it waits
 * and locks it again before returning. It returns after a loop_wake_all()
 * on w, or (rarely) sooner: re-check the condition in a loop.
 */
void loop_wait(struct loop_waiters *w, pthread_mutex_t *mu);

/* Wakes every fiber parked on w; the lock loop_wait() was given must be held. */
void loop_wake_all(struct loop_waiters *w);

#endif
