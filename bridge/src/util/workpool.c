/* Pieces of one caller's work run at the same time (workpool.h). */
#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "loop.h"

/* One workpool_run() call: its pieces are taken in order, by index. */
struct batch {
	workpool_fn fn;
	void *arg;
	size_t n, next, done;
	int detached;                   /* workpool_submit(): nobody waits, the worker frees it */
	pthread_cond_t done_cv;
	struct batch *qnext;
};

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;              /* a batch was queued, or stop */
	struct batch *head, *tail;      /* batches with pieces nobody took yet */
	int stop;
	pthread_t *threads;
	int n_threads;
	struct loops *loops;            /* instead of threads: event loops */
};

static void unqueue(struct workpool *p, struct batch *b)
{
	struct batch **pp = &p->head, *prev = NULL;

	while (*pp && *pp != b) {
		prev = *pp;
		pp = &(*pp)->qnext;
	}
	if (!*pp)
		return;
	*pp = b->qnext;
	if (p->tail == b)
		p->tail = prev;
	b->qnext = NULL;
}

/* Takes the next piece of b (lock held); the batch leaves the queue with its last one. */
static size_t take(struct workpool *p, struct batch *b)
{
	size_t i = b->next++;

	if (b->next == b->n)
		unqueue(p, b);
	return i;
}

/* Runs piece i of b outside the lock, then counts it done (lock held on return). */
static void run_piece(struct workpool *p, struct batch *b, size_t i)
{
	pthread_mutex_unlock(&p->mu);
	b->fn(b->arg, i);
	if (b->detached) {
		free(b);
		pthread_mutex_lock(&p->mu);
		return;
	}
	pthread_mutex_lock(&p->mu);
	if (++b->done == b->n)
		pthread_cond_broadcast(&b->done_cv);
}

static void *worker(void *arg)
{
	struct workpool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct batch *b;

		while (!p->stop && !p->head)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->head)
			break;
		b = p->head;
		run_piece(p, b, take(p, b));
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct workpool *workpool_new(int n)
{
	struct workpool *p = calloc(1, sizeof(*p));
	int i;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (n > 0 && !(p->threads = calloc((size_t)n, sizeof(*p->threads))))
		goto fail;
	for (i = 0; i < n; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			goto fail;
		p->n_threads++;
	}
	return p;
fail:
	workpool_free(p);
	return NULL;
}

struct workpool *workpool_new_loops(int n, int max_jobs)
{
	struct workpool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (!(p->loops = loops_new(n, max_jobs, 0))) {
		workpool_free(p);
		return NULL;
	}
	return p;
}

void workpool_free(struct workpool *p)
{
	int i;

	if (!p)
		return;
	loops_free(p->loops);
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void workpool_run(struct workpool *p, size_t n, workpool_fn fn, void *arg)
{
	struct batch b = { .fn = fn, .arg = arg, .n = n };
	size_t i;

	if (!n)
		return;
	/* A fiber's pieces are fibers of its loop, whatever pool it came from. */
	if (loop_in_fiber()) {
		loop_run(n, fn, arg);
		return;
	}
	if (!p || !p->n_threads || n == 1) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	pthread_cond_init(&b.done_cv, NULL);
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->qnext = &b;
	else
		p->head = &b;
	p->tail = &b;
	pthread_cond_broadcast(&p->cv);
	/* The caller works too: its batch ends even when every thread is busy. */
	while (b.next < b.n)
		run_piece(p, &b, take(p, &b));
	while (b.done < b.n)
		pthread_cond_wait(&b.done_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	pthread_cond_destroy(&b.done_cv);
}

int workpool_submit(struct workpool *p, workpool_fn fn, void *arg)
{
	struct batch *b;

	if (p && p->loops)
		return loops_submit(p->loops, fn, arg);
	if (!p || !p->n_threads || !(b = calloc(1, sizeof(*b))))
		return -1;
	b->fn = fn;
	b->arg = arg;
	b->n = 1;
	b->detached = 1;
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->qnext = b;
	else
		p->head = b;
	p->tail = b;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}
