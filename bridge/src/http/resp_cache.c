#include "resp_cache.h"

#include "hash.h"
#include "lru.h"
#include "monotime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rentry {
	struct resp_entry pub;          /* first: the public view is the entry */
	struct lru_node node;           /* in the table and listed while stored */
	char *key;
	unsigned refs;                  /* table + readers */
};

struct resp_cache {
	pthread_mutex_t mu;
	struct lru index;
	long ttl_ms;
	struct resp_cache_stats st;
};

#define N_BUCKETS 1024

struct resp_cache *resp_cache_new(size_t max_bytes, long ttl_ms)
{
	struct resp_cache *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return NULL;
	if (lru_init(&rc->index, N_BUCKETS) < 0) {
		free(rc);
		return NULL;
	}
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

/* Under the lock: unlinks e from table and list, dropping the table's reference. */
static void remove_locked(struct resp_cache *rc, struct rentry *e)
{
	lru_remove(&rc->index, &e->node);
	rc->st.bytes = rc->index.bytes;
	rc->st.entries = rc->index.entries;
	unref_locked(e);
}

static struct rentry *oldest(struct resp_cache *rc)
{
	return rc->index.oldest ? lru_entry(rc->index.oldest, struct rentry, node) : NULL;
}

void resp_cache_free(struct resp_cache *rc)
{
	if (!rc)
		return;
	pthread_mutex_lock(&rc->mu);
	while (rc->index.oldest)
		remove_locked(rc, oldest(rc));
	pthread_mutex_unlock(&rc->mu);
	pthread_mutex_destroy(&rc->mu);
	lru_release(&rc->index);
	free(rc);
}

static struct rentry *find_locked(struct resp_cache *rc, const char *key, size_t n, uint64_t h)
{
	struct lru_node *node = lru_find(&rc->index, key, n, h);

	return node ? lru_entry(node, struct rentry, node) : NULL;
}

const struct resp_entry *resp_cache_get(struct resp_cache *rc, const char *key, size_t key_len)
{
	uint64_t h = hash_fnv1a64(key, key_len);
	struct rentry *e;

	pthread_mutex_lock(&rc->mu);
	e = find_locked(rc, key, key_len, h);
	if (e && mono_ms_since(&e->node.born) >= rc->ttl_ms) {
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
	lru_node_key(&e->node, e->key, key_len);
	e->pub.status = status;
	e->pub.content_type = content_type;
	e->pub.body = b;
	e->pub.len = len;
	e->refs = 1;

	pthread_mutex_lock(&rc->mu);
	old = find_locked(rc, key, key_len, e->node.hash);
	if (old)
		remove_locked(rc, old);
	while (rc->index.oldest && rc->index.bytes + bytes > rc->st.max_bytes) {
		rc->st.evictions++;
		remove_locked(rc, oldest(rc));
	}
	lru_list(&rc->index, &e->node, bytes);
	rc->st.bytes = rc->index.bytes;
	rc->st.entries = rc->index.entries;
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
		lru_grow(&rc->index, &e->node, gz_len);
		rc->st.bytes = rc->index.bytes;
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
