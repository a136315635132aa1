#ifndef WORKPOOL_H
#define WORKPOOL_H

/*
 * A fixed set of threads that run the pieces of one caller's work at the
 * same time: the targets of one /query, the trace servers of a fan-out.
 * The calling thread runs pieces too, and a piece may itself call
 * workpool_run(): a caller never waits on pieces nobody can take, so
 * nesting cannot deadlock, and a pool of 0 threads runs everything on the
 * caller, one after the other.
 *
 * A pool may instead be a set of event loops (loop.h): its work runs as
 * fibers, and a piece waiting on a trace server parks instead of holding
 * a thread. workpool_run() from such a fiber runs the pieces as fibers of
 * its loop.
 *
 * Ownership: the pool owns its threads; workpool_free() stops them after
 * the work queued has run. Thread-safe: any thread may call workpool_run().
 */

#include <stddef.h>

struct workpool;

/* A pool of n threads (0: none); NULL when they cannot be made. */
struct workpool *workpool_new(int n);
/*
 * A pool of n event loops running at most max_jobs submitted pieces at
 * once (the rest wait their turn); NULL when they cannot be made.
 */
struct workpool *workpool_new_loops(int n, int max_jobs);
void workpool_free(struct workpool *p);

typedef void (*workpool_fn)(void *arg, size_t i);

/* Runs fn(arg, i) for each i in 0..n-1 and returns when every one has returned. */
void workpool_run(struct workpool *p, size_t n, workpool_fn fn, void *arg);

/*
 * Queues fn(arg, 0) to run on one of the pool's threads and returns at
 * once. -1 (nothing queued) when the pool has no threads or memory ran
 * out: the caller runs it itself.
 */
int workpool_submit(struct workpool *p, workpool_fn fn, void *arg);

#endif
