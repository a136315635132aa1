#include "resp_cache.h"

#include "hash.h"
#include "monotime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rentry {
	struct resp_entry pub;          /* first: the public view is the entry */
	char *key;
	size_t key_len;
	uint64_t hash;
	struct rentry *chain;
	struct rentry *newer, *older;
	unsigned refs;                  /* table + readers */
	int stored;
	size_t bytes;
	struct timespec born;
};

struct resp_cache {
	pthread_mutex_t mu;
	struct rentry **buckets;
	size_t n_buckets;
	struct rentry *newest, *oldest;
	long ttl_ms;
	struct resp_cache_stats st;
};

#define N_BUCKETS 1024

struct resp_cache *resp_cache_new(size_t max_bytes, long ttl_ms)
{
	struct resp_cache *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return NULL;
	rc->buckets = calloc(N_BUCKETS, sizeof(*rc->buckets));
	if (!rc->buckets) {
		free(rc);
		return NULL;
	}
	rc->n_buckets = N_BUCKETS;
	rc->ttl_ms = ttl_ms;
	rc->st.max_bytes = max_bytes;
	pthread_mutex_init(&rc->mu, NULL);
	return rc;
}

static void entry_free(struct rentry *e)
{
	free((char *)e->pub.body);
	free((char *)e->pub.gz);
	free(e->key);
	free(e);
}

/* Under the lock. */
static void unref_locked(struct rentry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

/* Under the lock: unlinks e from table and LRU, dropping the table's reference. */
static void remove_locked(struct resp_cache *rc, struct rentry *e)
{
	struct rentry **pp = &rc->buckets[e->hash % rc->n_buckets];

	while (*pp && *pp != e)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = e->chain;
	if (e->newer)
		e->newer->older = e->older;
	else
		rc->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		rc->oldest = e->newer;
	e->chain = e->newer = e->older = NULL;
	e->stored = 0;
	rc->st.bytes -= e->bytes;
	rc->st.entries--;
	unref_locked(e);
}

void resp_cache_free(struct resp_cache *rc)
{
	if (!rc)
		return;
	pthread_mutex_lock(&rc->mu);
	while (rc->oldest)
		remove_locked(rc, rc->oldest);
	pthread_mutex_unlock(&rc->mu);
	pthread_mutex_destroy(&rc->mu);
	free(rc->buckets);
	free(rc);
}

static struct rentry *find_locked(struct resp_cache *rc, const char *key, size_t n, uint64_t h)
{
	struct rentry *e;

	for (e = rc->buckets[h % rc->n_buckets]; e; e = e->chain)
		if (e->hash == h && e->key_len == n && !memcmp(e->key, key, n))
			return e;
	return NULL;
}

const struct resp_entry *resp_cache_get(struct resp_cache *rc, const char *key, size_t key_len)
{
	uint64_t h = hash_fnv1a64(key, key_len);
	struct rentry *e;

	pthread_mutex_lock(&rc->mu);
	e = find_locked(rc, key, key_len, h);
	if (e && mono_ms_since(&e->born) >= rc->ttl_ms) {
		rc->st.evictions++;
		remove_locked(rc, e);
		e = NULL;
	}
	if (!e) {
		rc->st.misses++;
		pthread_mutex_unlock(&rc->mu);
		return NULL;
	}
	rc->st.hits++;
	e->refs++;
	pthread_mutex_unlock(&rc->mu);
	return &e->pub;
}

int resp_cache_put(struct resp_cache *rc, const char *key, size_t key_len, int status,
		   const char *content_type, const char *body, size_t len)
{
	struct rentry *e, *old;
	size_t bytes = sizeof(*e) + key_len + len;
	char *b;

	/* One answer may not push out more than a quarter of the others. */
	if (bytes > rc->st.max_bytes / 4)
		return -1;
	e = calloc(1, sizeof(*e));
	b = malloc(len + 1);
	if (e)
		e->key = malloc(key_len ? key_len : 1);
	if (!e || !b || !e->key) {
		if (e)
			free(e->key);
		free(e);
		free(b);
		return -1;
	}
	memcpy(b, body, len);
	b[len] = '\0';
	memcpy(e->key, key, key_len);
	e->key_len = key_len;
	e->hash = hash_fnv1a64(key, key_len);
	e->pub.status = status;
	e->pub.content_type = content_type;
	e->pub.body = b;
	e->pub.len = len;
	e->bytes = bytes;
	e->refs = 1;
	e->born = mono_now();

	pthread_mutex_lock(&rc->mu);
	old = find_locked(rc, key, key_len, e->hash);
	if (old)
		remove_locked(rc, old);
	while (rc->oldest && rc->st.bytes + bytes > rc->st.max_bytes) {
		rc->st.evictions++;
		remove_locked(rc, rc->oldest);
	}
	e->chain = rc->buckets[e->hash % rc->n_buckets];
	rc->buckets[e->hash % rc->n_buckets] = e;
	e->older = rc->newest;
	if (rc->newest)
		rc->newest->newer = e;
	rc->newest = e;
	if (!rc->oldest)
		rc->oldest = e;
	e->stored = 1;
	rc->st.bytes += bytes;
	rc->st.entries++;
	rc->st.stores++;
	pthread_mutex_unlock(&rc->mu);
	return 0;
}

void resp_entry_set_gz(struct resp_cache *rc, const struct resp_entry *pub, char *gz, size_t gz_len)
{
	struct rentry *e = (struct rentry *)pub;

	pthread_mutex_lock(&rc->mu);
	if (e->pub.gz) {
		free(gz);
	} else {
		e->pub.gz = gz;
		e->pub.gz_len = gz_len;
		/* Counted against the budget from now on; eviction catches up on the next store. */
		if (e->stored) {
			e->bytes += gz_len;
			rc->st.bytes += gz_len;
		}
	}
	pthread_mutex_unlock(&rc->mu);
}

const char *resp_entry_gz(struct resp_cache *rc, const struct resp_entry *e, size_t *gz_len)
{
	const char *gz;

	pthread_mutex_lock(&rc->mu);
	gz = e->gz;
	*gz_len = e->gz_len;
	pthread_mutex_unlock(&rc->mu);
	return gz;
}

void resp_entry_unref(struct resp_cache *rc, const struct resp_entry *pub)
{
	pthread_mutex_lock(&rc->mu);
	unref_locked((struct rentry *)pub);
	pthread_mutex_unlock(&rc->mu);
}

void resp_cache_get_stats(struct resp_cache *rc, struct resp_cache_stats *st)
{
	pthread_mutex_lock(&rc->mu);
	*st = rc->st;
	pthread_mutex_unlock(&rc->mu);
}
