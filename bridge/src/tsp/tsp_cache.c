#include "tsp_cache.h"

#include "hash.h"
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
	struct tsp_cache *cache;
	char *key;
	size_t key_len;
	uint64_t hash;
	struct entry *chain;            /* hash bucket */
	struct entry *newer, *older;    /* LRU list, while stored */
	enum entry_state state;
	int in_table;                   /* findable: pending, or stored */
	int stored;                     /* counted in bytes, on the LRU list */
	unsigned refs;                  /* views + leader + waiters + table */
	int rc;
	struct tsp_error err;
	struct tsp_model model;         /* owns its arena */
	size_t bytes;
	struct timespec born;
};

struct tsp_cache {
	pthread_mutex_t mu;
	pthread_cond_t done;            /* broadcast when any pending entry completes */
	struct entry **buckets;
	size_t n_buckets, n_entries;    /* n_entries: in the table */
	struct entry *newest, *oldest;
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
	c->buckets = calloc(N_BUCKETS, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->n_buckets = N_BUCKETS;
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

static void lru_unlink(struct tsp_cache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push_newest(struct tsp_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

/* Under the lock: makes e unfindable and drops the table's reference. */
static void table_remove(struct tsp_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[e->hash % c->n_buckets];

	while (*pp && *pp != e)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = e->chain;
	e->chain = NULL;
	e->in_table = 0;
	c->n_entries--;
	if (e->stored) {
		lru_unlink(c, e);
		c->st.bytes -= e->bytes;
		c->st.entries--;
		e->stored = 0;
	}
	entry_unref(e);
}

static struct entry *table_find(struct tsp_cache *c, const char *key, size_t n, uint64_t h)
{
	struct entry *e;

	for (e = c->buckets[h % c->n_buckets]; e; e = e->chain)
		if (e->hash == h && e->key_len == n && !memcmp(e->key, key, n))
			return e;
	return NULL;
}

void tsp_cache_clear(struct tsp_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while (c->oldest)
		table_remove(c, c->oldest);
	pthread_mutex_unlock(&c->mu);
}

void tsp_cache_free(struct tsp_cache *c)
{
	size_t i;

	if (!c)
		return;
	tsp_cache_clear(c);
	/* Pending entries cannot exist here: their leaders hold the server open. */
	for (i = 0; i < c->n_buckets; i++)
		while (c->buckets[i])
			table_remove(c, c->buckets[i]);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->mu);
	free(c->buckets);
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
	e->bytes = sizeof(*e) + e->key_len + arena_bytes(&e->model.arena);
	if (e->bytes > c->max_bytes / 4) {
		c->st.too_big++;
		table_remove(c, e);
		return;
	}
	while (c->oldest && c->st.bytes + e->bytes > c->max_bytes) {
		c->st.evictions++;
		table_remove(c, c->oldest);
	}
	e->born = mono_now();
	e->stored = 1;
	c->st.bytes += e->bytes;
	c->st.entries++;
	c->st.stores++;
	lru_push_newest(c, e);
}

int tsp_cache_fetch(struct tsp_cache *c, const char *key, size_t key_len,
		    tsp_cache_fetch_fn fetch, void *ctx,
		    struct tsp_model *out, struct tsp_error *err)
{
	struct tsp_error local;
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
	e = table_find(c, key, key_len, h);
	if (e && e->state == E_DONE && c->ttl_ms && mono_ms_since(&e->born) >= c->ttl_ms) {
		c->st.evictions++;
		table_remove(c, e);
		e = NULL;
	}
	if (e && e->state == E_DONE) {
		c->st.hits++;
		lru_unlink(c, e);
		lru_push_newest(c, e);
		rc = view_of(e, out, err);
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	if (e) {
		/* Someone is fetching it: wait for that outcome, whatever it is. */
		c->st.coalesced++;
		e->refs++;
		while (e->state == E_PENDING)
			pthread_cond_wait(&c->done, &c->mu);
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
	e->key_len = key_len;
	e->hash = h;
	e->cache = c;
	e->state = E_PENDING;
	e->refs = 2;    /* table + leader */
	e->in_table = 1;
	tsp_model_init(&e->model);
	e->chain = c->buckets[h % c->n_buckets];
	c->buckets[h % c->n_buckets] = e;
	c->n_entries++;
	pthread_mutex_unlock(&c->mu);

	e->rc = fetch(ctx, &e->model, &e->err);

	pthread_mutex_lock(&c->mu);
	e->state = E_DONE;
	if (e->rc == 0 && e->model.status == TSP_STATUS_COMPLETED && !e->model.drop)
		store(c, e);
	else
		table_remove(c, e);     /* waiters still hold it */
	pthread_cond_broadcast(&c->done);
	rc = view_of(e, out, err);
	entry_unref(e);                 /* the leader's */
	pthread_mutex_unlock(&c->mu);
	return rc;
}
