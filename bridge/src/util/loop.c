/* Event loops running jobs as fibers over one libcurl multi each (loop.h). */
#include "loop.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "fiber.h"
#include "monotime.h"

/*
 * JSON nested a thousand deep is parsed by recursion: a stack that holds
 * it with room to spare (only the pages touched are ever backed).
 * AddressSanitizer's frames are several times larger.
 */
#if defined(__SANITIZE_ADDRESS__)
#define STACK_DEFAULT (8u << 20)
#else
#define STACK_DEFAULT (2u << 20)
#endif
#define SPARE_MAX 64            /* finished fibers kept per loop, stacks warm */
#define IDLE_POLL_MS 1000
#define EVENTS_MAX 64

struct loop_fiber {
	struct fiber fb;
	struct loop *loop;
	loop_fn fn;
	void *arg;
	size_t i;
	int admitted;                   /* a job: counted in loops.running */
	unsigned long counter;
	int parked, wake_pending;       /* loop->mu */
	int sleeping, xfer_done;
	CURLcode xfer_rc;
	int64_t wake_at;
	struct loop_fiber *next;        /* incoming, ready or spare list */
	struct loop_fiber *wnext;       /* loop_waiters list */
	struct loop_fiber *snext;       /* sleepers */
};

/*
 * One loop_run(): its pieces are taken in order by the caller and by the
 * set's helper fibers, which serve the oldest queued group first (as a
 * thread pool's threads would) and run on every loop, so the pieces' own
 * work uses every core.
 */
struct group {
	loop_fn fn;
	void *arg;
	size_t n, next;                 /* next: loops.mu */
	size_t done;                    /* the caller's loop lock */
	struct loop_fiber *parent;
	struct group *qnext;            /* loops.g_head list */
};

struct fq {
	struct loop_fiber *head, *tail;
};

struct loop {
	struct loops *set;
	pthread_t thread;
	int started;
	CURLM *multi;
	/*
	 * curl tells which sockets to watch and when its next timer is due
	 * (curl_multi_socket_action): epoll then costs per socket that is
	 * ready, not per transfer in flight.
	 */
	int epfd, evfd;                 /* evfd: wake-ups from other threads */
	int idle;                       /* in (or about to enter) epoll_wait: a waker must write evfd */
	int64_t timer_at;               /* curl's next timer, monotonic ms; -1: none */
	struct fiber_host host;
	pthread_mutex_t mu;
	struct fq incoming;             /* woken fibers, from any thread (mu) */
	int to_spawn;                   /* helpers to make, asked from any thread (mu) */
	/* The rest is the loop thread's alone. */
	struct fq ready;
	struct loop_fiber *sleepers;
	struct loop_fiber *spare;
	size_t n_spare, n_fibers;
};

struct job {
	loop_fn fn;
	void *arg;
	struct job *next;
};

struct loops {
	pthread_mutex_t mu;
	struct job *q_head, *q_tail;    /* jobs not yet admitted */
	int running, max_jobs;
	struct group *g_head, *g_tail;  /* loop_run() groups with pieces nobody took */
	int helpers;                    /* helper fibers alive, at most max_jobs in all */
	int stop;
	size_t stack_bytes;
	unsigned next_wake;
	struct loop *v;
	int n;
};

static __thread struct loop *cur_loop;
static __thread struct loop_fiber *cur_fiber;

static void fq_push(struct fq *q, struct loop_fiber *f)
{
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
}

static struct loop_fiber *fq_pop(struct fq *q)
{
	struct loop_fiber *f = q->head;

	if (f && !(q->head = f->next))
		q->tail = NULL;
	return f;
}

/*
 * Makes the loop's epoll_wait() return, after the caller made the work
 * visible. A busy loop looks for work before it waits again: only an idle
 * one is worth a system call and a thread wake-up.
 */
static void loop_wake(struct loop *l)
{
	uint64_t one = 1;

	if (!__atomic_exchange_n(&l->idle, 0, __ATOMIC_SEQ_CST))
		return;
	/* A full counter already wakes it: nothing is lost when this write fails. */
	if (write(l->evfd, &one, sizeof(one)) < 0)
		return;
}

/* ---- parking ---- */

/* Gives the thread back until unpark(f); at once when an unpark came first. */
static void park(struct loop_fiber *f)
{
	struct loop *l = f->loop;

	pthread_mutex_lock(&l->mu);
	if (f->wake_pending) {
		f->wake_pending = 0;
		pthread_mutex_unlock(&l->mu);
		return;
	}
	f->parked = 1;
	pthread_mutex_unlock(&l->mu);
	fiber_yield(&f->fb);
}

/* f's loop lock held: f is to run again. Returns whether its loop must be woken (after the unlock). */
static int unpark_locked(struct loop_fiber *f)
{
	if (!f->parked) {
		f->wake_pending = 1;
		return 0;
	}
	f->parked = 0;
	fq_push(&f->loop->incoming, f);
	return cur_loop != f->loop;
}

/* Any thread: f runs again at its loop's next turn. */
static void unpark(struct loop_fiber *f)
{
	struct loop *l = f->loop;
	int wake;

	pthread_mutex_lock(&l->mu);
	wake = unpark_locked(f);
	pthread_mutex_unlock(&l->mu);
	if (wake)
		loop_wake(l);
}

int loop_in_fiber(void)
{
	return cur_fiber != NULL;
}

unsigned long *loop_counter(void)
{
	return cur_fiber ? &cur_fiber->counter : NULL;
}

void loop_wait(struct loop_waiters *w, pthread_mutex_t *mu)
{
	struct loop_fiber *f = cur_fiber;

	f->wnext = w->head;
	w->head = f;
	pthread_mutex_unlock(mu);
	park(f);
	pthread_mutex_lock(mu);
}

void loop_wake_all(struct loop_waiters *w)
{
	struct loop_fiber *f = w->head, *next;

	w->head = NULL;
	for (; f; f = next) {
		next = f->wnext;
		f->wnext = NULL;
		unpark(f);
	}
}

/* ---- waiting calls ---- */

CURLcode loop_perform(CURL *h)
{
	struct loop_fiber *f = cur_fiber;
	CURLMcode mc;

	if (!f)
		return curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)f);
	f->xfer_done = 0;
	mc = curl_multi_add_handle(f->loop->multi, h);
	if (mc != CURLM_OK)
		return mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
	while (!f->xfer_done)
		park(f);
	return f->xfer_rc;
}

void loop_sleep_ms(long ms)
{
	struct loop_fiber *f = cur_fiber;
	struct timespec t;

	if (ms <= 0)
		return;
	if (!f) {
		/* An absolute target makes EINTR harmless. */
		t = mono_after_ms(ms);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
		return;
	}
	f->wake_at = mono_now_ms() + ms;
	f->sleeping = 1;
	f->snext = f->loop->sleepers;
	f->loop->sleepers = f;
	while (f->sleeping)
		park(f);
}

/* ---- fibers of a loop ---- */

static void fiber_main(void *arg)
{
	struct loop_fiber *f = arg;

	f->fn(f->arg, f->i);
}

/* A fiber ready to start fn(arg, i), its stack reused when one is spare; NULL when none can be had. */
static struct loop_fiber *fiber_get(struct loop *l, loop_fn fn, void *arg, size_t i)
{
	struct loop_fiber *f = l->spare;

	if (f) {
		l->spare = f->next;
		l->n_spare--;
	} else {
		if (!(f = calloc(1, sizeof(*f))))
			return NULL;
		if (fiber_init(&f->fb, l->set->stack_bytes) < 0) {
			free(f);
			return NULL;
		}
		f->loop = l;
	}
	f->fn = fn;
	f->arg = arg;
	f->i = i;
	f->admitted = 0;
	f->counter = 0;
	f->parked = f->wake_pending = f->sleeping = 0;
	fiber_start(&f->fb, fiber_main, f);
	l->n_fibers++;
	return f;
}

static void fiber_put(struct loop *l, struct loop_fiber *f)
{
	l->n_fibers--;
	if (l->n_spare < SPARE_MAX) {
		f->next = l->spare;
		l->spare = f;
		l->n_spare++;
		return;
	}
	fiber_release(&f->fb);
	free(f);
}

/* A fiber returned: count it where it was counted, keep its stack. */
static void finished(struct loop *l, struct loop_fiber *f)
{
	if (f->admitted) {
		pthread_mutex_lock(&l->set->mu);
		l->set->running--;
		pthread_mutex_unlock(&l->set->mu);
	}
	fiber_put(l, f);
}

/* The next piece of g, or of the oldest queued group when g is NULL; NULL when none. loops.mu held. */
static struct group *next_piece_locked(struct loops *s, struct group *g, size_t *i)
{
	struct group **pp;

	if (!g)
		g = s->g_head;
	if (!g || g->next >= g->n)
		return NULL;
	*i = g->next++;
	if (g->next == g->n) {
		for (pp = &s->g_head; *pp != g; pp = &(*pp)->qnext)
			;
		*pp = g->qnext;
		if (s->g_tail == g)
			for (s->g_tail = s->g_head; s->g_tail && s->g_tail->qnext; s->g_tail = s->g_tail->qnext)
				;
	}
	return g;
}

/*
 * A piece of g is over: the last one wakes the caller, which may run on
 * another loop. Counted under the caller's loop lock, which the caller
 * takes to read the count: once it sees the last one, nothing touches g
 * or the caller's fiber again.
 */
static void piece_done(struct group *g)
{
	struct loop_fiber *p = g->parent;
	struct loop *l = p->loop;
	int wake = 0;

	pthread_mutex_lock(&l->mu);
	if (++g->done == g->n && cur_fiber != p)
		wake = unpark_locked(p);
	pthread_mutex_unlock(&l->mu);
	if (wake)
		loop_wake(l);
}

static int group_over(struct group *g)
{
	struct loop *l = g->parent->loop;
	int yes;

	pthread_mutex_lock(&l->mu);
	yes = g->done == g->n;
	pthread_mutex_unlock(&l->mu);
	return yes;
}

/* A helper fiber: runs queued pieces, oldest group first, and ends when none is left. */
static void helper_main(void *arg, size_t unused)
{
	struct loops *s = arg;
	struct group *g;
	size_t i;

	(void)unused;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		if (!(g = next_piece_locked(s, NULL, &i))) {
			s->helpers--;
			pthread_mutex_unlock(&s->mu);
			return;
		}
		pthread_mutex_unlock(&s->mu);
		g->fn(g->arg, i);
		piece_done(g);
	}
}

/* Makes a helper fiber on l (its thread); one that cannot be made leaves its pieces to the others. */
static void spawn_helper(struct loop *l)
{
	struct loop_fiber *c = fiber_get(l, helper_main, l->set, 0);

	if (c) {
		fq_push(&l->ready, c);
		return;
	}
	pthread_mutex_lock(&l->set->mu);
	l->set->helpers--;
	pthread_mutex_unlock(&l->set->mu);
}

void loop_run(size_t n, loop_fn fn, void *arg)
{
	struct loop_fiber *self = cur_fiber;
	struct group g = { fn, arg, n, 0, 0, self, NULL };
	struct loops *s;
	struct loop *l;
	size_t i, k, home;
	int spawn;

	if (!self || n < 2) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	s = self->loop->set;
	pthread_mutex_lock(&s->mu);
	if (s->g_tail)
		s->g_tail->qnext = &g;
	else
		s->g_head = &g;
	s->g_tail = &g;
	/* Helpers are shared by all: max_jobs transfers at once, as many as a pool's threads. */
	spawn = s->max_jobs - s->helpers;
	if (spawn > (int)(n - 1))
		spawn = (int)(n - 1);
	if (spawn < 0)
		spawn = 0;
	s->helpers += spawn;
	pthread_mutex_unlock(&s->mu);
	home = (size_t)(self->loop - s->v);
	for (k = 0; k < (size_t)spawn; k++) {
		/* Round the loops, this one first. */
		l = &s->v[(home + k) % (size_t)s->n];
		if (l == self->loop) {
			spawn_helper(l);
			continue;
		}
		pthread_mutex_lock(&l->mu);
		l->to_spawn++;
		pthread_mutex_unlock(&l->mu);
		loop_wake(l);
	}
	/* The caller takes its own pieces too: with no helper free it runs them all, in order. */
	for (;;) {
		pthread_mutex_lock(&s->mu);
		if (!next_piece_locked(s, &g, &i)) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		pthread_mutex_unlock(&s->mu);
		fn(arg, i);
		piece_done(&g);
	}
	while (!group_over(&g))
		park(self);
}

/* ---- the loop ---- */

/* Woken fibers join the ready ones; queued jobs are admitted while there is room. */
static void take_work(struct loop *l)
{
	struct loops *s = l->set;
	struct loop_fiber *f;
	struct job *j;
	int spawns;

	pthread_mutex_lock(&l->mu);
	while ((f = fq_pop(&l->incoming)))
		fq_push(&l->ready, f);
	spawns = l->to_spawn;
	l->to_spawn = 0;
	pthread_mutex_unlock(&l->mu);
	while (spawns-- > 0)
		spawn_helper(l);

	pthread_mutex_lock(&s->mu);
	while (s->q_head && s->running < s->max_jobs) {
		j = s->q_head;
		if (!(s->q_head = j->next))
			s->q_tail = NULL;
		s->running++;
		pthread_mutex_unlock(&s->mu);
		if ((f = fiber_get(l, j->fn, j->arg, 0))) {
			f->admitted = 1;
			fq_push(&l->ready, f);
		} else {
			/* No stack to be had: the job runs here, holding up this loop. */
			j->fn(j->arg, 0);
			pthread_mutex_lock(&s->mu);
			s->running--;
			pthread_mutex_unlock(&s->mu);
		}
		free(j);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
}

static void run_ready(struct loop *l)
{
	struct loop_fiber *f;

	while ((f = fq_pop(&l->ready))) {
		cur_fiber = f;
		fiber_enter(&l->host, &f->fb);
		cur_fiber = NULL;
		if (fiber_finished(&f->fb))
			finished(l, f);
	}
}

/* Transfers that ended wake their fibers. */
static void reap_transfers(struct loop *l)
{
	struct loop_fiber *f;
	CURLMsg *m;
	CURLcode rc;
	CURL *h;
	int left;

	while ((m = curl_multi_info_read(l->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		h = m->easy_handle;
		rc = m->data.result;
		f = NULL;
		curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&f);
		curl_multi_remove_handle(l->multi, h);
		if (!f)
			continue;
		f->xfer_rc = rc;
		f->xfer_done = 1;
		unpark(f);
	}
}

/* Sleepers whose time came are woken; the ms until the next one (IDLE_POLL_MS at most). */
static long wake_sleepers(struct loop *l)
{
	struct loop_fiber **pp = &l->sleepers, *f;
	int64_t now = mono_now_ms(), next = now + IDLE_POLL_MS;

	while ((f = *pp)) {
		if (f->wake_at <= now) {
			*pp = f->snext;
			f->sleeping = 0;
			unpark(f);
			continue;
		}
		if (f->wake_at < next)
			next = f->wake_at;
		pp = &f->snext;
	}
	return (long)(next - now);
}

/* Whether anything is to run now: woken fibers, jobs there is room for, or the end. */
static int has_work(struct loop *l)
{
	struct loops *s = l->set;
	int yes;

	if (l->ready.head)
		return 1;
	pthread_mutex_lock(&l->mu);
	yes = l->incoming.head || l->to_spawn;
	pthread_mutex_unlock(&l->mu);
	if (yes)
		return 1;
	pthread_mutex_lock(&s->mu);
	yes = (s->q_head && s->running < s->max_jobs) || (s->stop && !l->n_fibers);
	pthread_mutex_unlock(&s->mu);
	return yes;
}

static int finished_all(struct loop *l)
{
	struct loops *s = l->set;
	int yes;

	if (l->n_fibers)
		return 0;
	pthread_mutex_lock(&s->mu);
	yes = s->stop && !s->q_head;
	pthread_mutex_unlock(&s->mu);
	return yes;
}

/* curl's socket callback: what to watch on s, in the loop's epoll set. */
static int on_socket(CURL *e, curl_socket_t sock, int what, void *userp, void *socketp)
{
	struct loop *l = userp;
	struct epoll_event ev;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, sock, NULL);
		curl_multi_assign(l->multi, sock, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = sock;
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	/* socketp: set once the socket is in the epoll set. */
	if (socketp) {
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, sock, &ev) == 0 || errno != ENOENT)
			return 0;
	}
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, sock, &ev) < 0 && errno == EEXIST)
		epoll_ctl(l->epfd, EPOLL_CTL_MOD, sock, &ev);
	curl_multi_assign(l->multi, sock, l);
	return 0;
}

/* curl's timer callback: when to call it with CURL_SOCKET_TIMEOUT. */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct loop *l = userp;

	(void)m;
	l->timer_at = timeout_ms < 0 ? -1 : mono_now_ms() + timeout_ms;
	return 0;
}

/* Waits for sockets, timers or a wake-up (not when work is ready), and moves the transfers on. */
static void drive(struct loop *l)
{
	struct epoll_event ev[EVENTS_MAX];
	long timeout = wake_sleepers(l);
	int n, i, running, mask;
	uint64_t count;

	if (l->timer_at >= 0 && l->timer_at - mono_now_ms() < timeout)
		timeout = (long)(l->timer_at - mono_now_ms());
	/* Idle first, then look: a waker either sees idle set, or its work is seen here. */
	__atomic_store_n(&l->idle, 1, __ATOMIC_SEQ_CST);
	if (timeout < 0 || has_work(l))
		timeout = 0;
	n = epoll_wait(l->epfd, ev, EVENTS_MAX, (int)timeout);
	__atomic_store_n(&l->idle, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == l->evfd) {
			if (read(l->evfd, &count, sizeof(count)) < 0)
				continue;
			continue;
		}
		mask = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
		       (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
		       (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(l->multi, ev[i].data.fd, mask, &running);
	}
	if (l->timer_at >= 0 && l->timer_at <= mono_now_ms()) {
		l->timer_at = -1;
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	reap_transfers(l);
	wake_sleepers(l);
}

static void *loop_main(void *arg)
{
	struct loop *l = arg;

	cur_loop = l;
	for (;;) {
		take_work(l);
		run_ready(l);
		if (finished_all(l))
			break;
		drive(l);
	}
	cur_loop = NULL;
	return NULL;
}

/* ---- the set ---- */

struct loops *loops_new(int n, int max_jobs, size_t stack_bytes)
{
	struct epoll_event ev;
	struct loops *s;
	int i;

	if (n < 1 || max_jobs < 1 || !(s = calloc(1, sizeof(*s))))
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	s->max_jobs = max_jobs;
	s->stack_bytes = stack_bytes ? stack_bytes : STACK_DEFAULT;
	if (!(s->v = calloc((size_t)n, sizeof(*s->v))))
		goto fail;
	s->n = n;
	for (i = 0; i < n; i++)
		s->v[i].epfd = s->v[i].evfd = -1;
	for (i = 0; i < n; i++) {
		struct loop *l = &s->v[i];

		l->set = s;
		pthread_mutex_init(&l->mu, NULL);
		l->timer_at = -1;
		l->epfd = epoll_create1(EPOLL_CLOEXEC);
		l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (l->epfd < 0 || l->evfd < 0 || !(l->multi = curl_multi_init()))
			goto fail;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = l->evfd;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev) < 0)
			goto fail;
		curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
		curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
		curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
		curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
		/*
		 * curl's own cap is 4 connections per transfer in flight at the
		 * moment: as a burst ends it closes the connections the next
		 * burst needs (2 % of requests opened one at 64 clients). A loop
		 * has at most max_jobs jobs and max_jobs helpers in flight.
		 */
		curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, (long)max_jobs * 2 + 8);
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&s->v[i].thread, NULL, loop_main, &s->v[i]) != 0)
			goto fail;
		s->v[i].started = 1;
	}
	return s;
fail:
	loops_free(s);
	return NULL;
}

void loops_free(struct loops *s)
{
	struct loop_fiber *f;
	struct job *j;
	int i;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->n; i++)
		if (s->v[i].started)
			loop_wake(&s->v[i]);
	for (i = 0; i < s->n; i++)
		if (s->v[i].started)
			pthread_join(s->v[i].thread, NULL);
	/* No loop ran (they could not all start): the queue's jobs are dropped with it. */
	while ((j = s->q_head)) {
		s->q_head = j->next;
		free(j);
	}
	for (i = 0; i < s->n; i++) {
		struct loop *l = &s->v[i];

		while ((f = l->spare)) {
			l->spare = f->next;
			fiber_release(&f->fb);
			free(f);
		}
		if (l->multi)
			curl_multi_cleanup(l->multi);
		if (l->epfd >= 0)
			close(l->epfd);
		if (l->evfd >= 0)
			close(l->evfd);
		pthread_mutex_destroy(&l->mu);
	}
	free(s->v);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int loops_submit(struct loops *s, loop_fn fn, void *arg)
{
	struct job *j = malloc(sizeof(*j));
	struct loop *l;

	if (!s || !j) {
		free(j);
		return -1;
	}
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->q_tail)
		s->q_tail->next = j;
	else
		s->q_head = j;
	s->q_tail = j;
	l = &s->v[s->next_wake++ % (unsigned)s->n];
	pthread_mutex_unlock(&s->mu);
	/* The loop called takes it at its next turn, or another that is up first. */
	if (cur_loop != l)
		loop_wake(l);
	return 0;
}
