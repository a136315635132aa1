#include "tsp_cache.h"

#include "hash.h"
#include "loop.h"
#include "lru.h"
#include "monotime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * One mutex guards the table, the LRU list and every entry's state and
 * reference count; models are immutable once published, so views read
 * them without it. Fetches run outside the lock.
 */

enum entry_state { E_PENDING, E_DONE };

struct entry {
	struct lru_node node;           /* in the table while pending or stored; listed while stored */
	struct tsp_cache *cache;
	char *key;
	enum entry_state state;
	unsigned refs;                  /* views + leader + waiters + table */
	int rc;
	struct tsp_error err;
	struct tsp_model model;         /* owns its arena */
	struct loop_waiters fibers;     /* waiters that are fibers; threads wait on cache.done */
};

struct tsp_cache {
	pthread_mutex_t mu;
	pthread_cond_t done;            /* broadcast when any pending entry completes */
	struct lru index;
	size_t max_bytes;
	long ttl_ms;
	struct tsp_cache_stats st;
};

#define N_BUCKETS 4096

struct tsp_cache *tsp_cache_new(size_t max_bytes, long ttl_ms)
{
	struct tsp_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (lru_init(&c->index, N_BUCKETS) < 0) {
		free(c);
		return NULL;
	}
	c->max_bytes = max_bytes;
	c->st.max_bytes = max_bytes;
	c->ttl_ms = ttl_ms > 0 ? ttl_ms : 0;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->done, NULL);
	return c;
}

static void entry_free(struct entry *e)
{
	tsp_model_release(&e->model);
	free(e->key);
	free(e);
}

/* Under the lock. Frees e when its last reference goes. */
static void entry_unref(struct entry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

/* Under the lock: makes e unfindable and drops the table's reference. */
static void table_remove(struct tsp_cache *c, struct entry *e)
{
	lru_remove(&c->index, &e->node);
	c->st.bytes = c->index.bytes;
	c->st.entries = c->index.entries;
	entry_unref(e);
}

static struct entry *oldest(struct tsp_cache *c)
{
	return c->index.oldest ? lru_entry(c->index.oldest, struct entry, node) : NULL;
}

void tsp_cache_clear(struct tsp_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while (c->index.oldest)
		table_remove(c, oldest(c));
	pthread_mutex_unlock(&c->mu);
}

void tsp_cache_free(struct tsp_cache *c)
{
	size_t i;

	if (!c)
		return;
	tsp_cache_clear(c);
	/* Pending entries cannot exist here: their leaders hold the server open. */
	for (i = 0; i < c->index.n_buckets; i++)
		while (c->index.buckets[i])
			table_remove(c, lru_entry(c->index.buckets[i], struct entry, node));
	lru_release(&c->index);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void tsp_cache_get_stats(struct tsp_cache *c, struct tsp_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	*st = c->st;
	pthread_mutex_unlock(&c->mu);
}

/* tsp_model.drop of a view. */
static void view_drop(void *ctx)
{
	struct entry *e = ctx;
	struct tsp_cache *c = e->cache;

	pthread_mutex_lock(&c->mu);
	entry_unref(e);
	pthread_mutex_unlock(&c->mu);
}

/* Under the lock: a read-only view of e's outcome into out, taking a reference. */
static int view_of(struct entry *e, struct tsp_model *out, struct tsp_error *err)
{
	*out = e->model;
	out->drop = view_drop;
	out->drop_ctx = e;
	e->refs++;
	if (err)
		*err = e->err;
	return e->rc;
}

/* Under the lock: stores a finished entry, evicting the oldest for room. */
static void store(struct tsp_cache *c, struct entry *e)
{
	size_t bytes = sizeof(*e) + e->node.key_len + arena_bytes(&e->model.arena);

	if (bytes > c->max_bytes / 4) {
		c->st.too_big++;
		table_remove(c, e);
		return;
	}
	while (c->index.oldest && c->index.bytes + bytes > c->max_bytes) {
		c->st.evictions++;
		table_remove(c, oldest(c));
	}
	lru_list(&c->index, &e->node, bytes);
	c->st.bytes = c->index.bytes;
	c->st.entries = c->index.entries;
	c->st.stores++;
}

int tsp_cache_fetch(struct tsp_cache *c, const char *key, size_t key_len,
		    tsp_cache_fetch_fn fetch, void *ctx,
		    struct tsp_model *out, struct tsp_error *err)
{
	struct tsp_error local;
	struct lru_node *n;
	struct entry *e;
	uint64_t h;
	int rc;

	if (!err)
		err = &local;
	if (!c)
		return fetch(ctx, out, err);
	tsp_model_release(out);
	h = hash_fnv1a64(key, key_len);
	pthread_mutex_lock(&c->mu);
	n = lru_find(&c->index, key, key_len, h);
	e = n ? lru_entry(n, struct entry, node) : NULL;
	if (e && e->state == E_DONE && c->ttl_ms && mono_ms_since(&e->node.born) >= c->ttl_ms) {
		c->st.evictions++;
		table_remove(c, e);
		e = NULL;
	}
	if (e && e->state == E_DONE) {
		c->st.hits++;
		lru_touch(&c->index, &e->node);
		rc = view_of(e, out, err);
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	if (e) {
		/* Someone is fetching it: wait for that outcome, whatever it is. */
		c->st.coalesced++;
		e->refs++;
		while (e->state == E_PENDING) {
			/* A fiber must not hold its thread: others of the loop may be the leader. */
			if (loop_in_fiber())
				loop_wait(&e->fibers, &c->mu);
			else
				pthread_cond_wait(&c->done, &c->mu);
		}
		rc = view_of(e, out, err);
		entry_unref(e);
		pthread_mutex_unlock(&c->mu);
		return rc;
	}

	c->st.misses++;
	e = calloc(1, sizeof(*e));
	if (e)
		e->key = malloc(key_len);
	if (!e || !e->key) {
		free(e);
		pthread_mutex_unlock(&c->mu);
		/* No room to coalesce; the fetch itself may still work. */
		return fetch(ctx, out, err);
	}
	memcpy(e->key, key, key_len);
	lru_node_key(&e->node, e->key, key_len);
	e->cache = c;
	e->state = E_PENDING;
	e->refs = 2;    /* table + leader */
	tsp_model_init(&e->model);
	lru_add(&c->index, &e->node);
	pthread_mutex_unlock(&c->mu);

	e->rc = fetch(ctx, &e->model, &e->err);

	pthread_mutex_lock(&c->mu);
	e->state = E_DONE;
	if (e->rc == 0 && e->model.status == TSP_STATUS_COMPLETED && !e->model.drop)
		store(c, e);
	else
		table_remove(c, e);     /* waiters still hold it */
	pthread_cond_broadcast(&c->done);
	loop_wake_all(&e->fibers);
	rc = view_of(e, out, err);
	entry_unref(e);                 /* the leader's */
	pthread_mutex_unlock(&c->mu);
	return rc;
}
