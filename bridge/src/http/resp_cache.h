#ifndef RESP_CACHE_H
#define RESP_CACHE_H

/*
 * Finished answers to Grafana, kept for a short time: when a dashboard is
 * refreshed by many viewers, or shows one query in several panels, the
 * same request comes again and again; answering it from here skips the
 * catalog, the translation and the JSON writing.
 *
 * Only answers built from COMPLETED upstream data are stored (the HTTP
 * server asks the application, see http_server_config.settled). They
 * live ttl_ms (the catalog's list lifetime: a new experiment shows up in
 * answers no later than without this cache), in LRU order under
 * max_bytes. The gzip form is made once, on the first client asking.
 *
 * Ownership: entries are refcounted and read-only once stored; a getter
 * owns one reference until resp_entry_unref(). Thread-safe.
 */

#include <stddef.h>
#include <stdint.h>

struct resp_cache;

struct resp_entry {
	int status;
	const char *content_type;       /* a static string */
	const char *body;
	size_t len;
	const char *gz;                 /* gzip of body; NULL until made: read with resp_entry_gz() */
	size_t gz_len;
};

struct resp_cache_stats {
	uint64_t hits, misses, stores, evictions;
	size_t entries, bytes, max_bytes;
};

struct resp_cache *resp_cache_new(size_t max_bytes, long ttl_ms);
void resp_cache_free(struct resp_cache *rc);

/* A live entry for key with a reference taken, or NULL (counted as a miss). */
const struct resp_entry *resp_cache_get(struct resp_cache *rc, const char *key, size_t key_len);
/* Copies body; replaces an entry of the same key. 0, or -1 when not kept (size, memory). */
int resp_cache_put(struct resp_cache *rc, const char *key, size_t key_len, int status,
		   const char *content_type, const char *body, size_t len);
/*
 * Attaches gz (malloc'd; ownership passes) unless the entry already has
 * one, in which case gz is freed. Either way e->gz is then set.
 */
void resp_entry_set_gz(struct resp_cache *rc, const struct resp_entry *e, char *gz, size_t gz_len);
/* e->gz read under the lock (another thread may be attaching it); NULL if none yet. */
const char *resp_entry_gz(struct resp_cache *rc, const struct resp_entry *e, size_t *gz_len);
void resp_entry_unref(struct resp_cache *rc, const struct resp_entry *e);

void resp_cache_get_stats(struct resp_cache *rc, struct resp_cache_stats *st);

#endif
