#ifndef TSP_CACHE_H
#define TSP_CACHE_H

/*
 * Upstream answer cache with request coalescing, shared by every thread.
 *
 * Keyed by the whole TSP request (base URL, method, path, body). What is
 * kept is the parsed model, so a hit costs neither a round trip nor a
 * parse. Only answers that can no longer change are stored: 2xx, parsed,
 * status COMPLETED. RUNNING, FAILED and errors are never stored.
 *
 * Coalescing: while one thread (the leader) fetches a key, other threads
 * asking for the same key wait for it and get the leader's outcome, error
 * or partial RUNNING model included, instead of asking upstream again.
 *
 * Memory: entries are evicted least recently used first so that the sum of
 * their sizes (model arena + key + bookkeeping) stays under max_bytes; an
 * answer bigger than a quarter of max_bytes is not stored (it would flush
 * everything else) but is still coalesced. A ttl_ms > 0 expires entries
 * that old (for live traces, whose COMPLETED answers may grow).
 *
 * Ownership: models handed out are read-only shared views (see
 * tsp_model.drop); the caller releases them with tsp_model_release() as
 * usual, which drops a reference. An entry is freed when evicted and no
 * view of it is left, so eviction never pulls a model from under a reader.
 * tsp_cache_free() must run after every view has been released.
 */

#include <stddef.h>
#include <stdint.h>

#include "tsp_error.h"
#include "tsp_model.h"

struct tsp_cache;

struct tsp_cache *tsp_cache_new(size_t max_bytes, long ttl_ms);
void tsp_cache_free(struct tsp_cache *cache);
/* Drops every stored entry (views in use stay valid). */
void tsp_cache_clear(struct tsp_cache *cache);

struct tsp_cache_stats {
	uint64_t hits;          /* answered from a stored entry */
	uint64_t misses;        /* went upstream (as leader) */
	uint64_t coalesced;     /* waited for a leader instead of going upstream */
	uint64_t stores;        /* answers stored */
	uint64_t evictions;     /* entries dropped for room or age */
	uint64_t too_big;       /* answers not stored for their size */
	size_t entries, bytes, max_bytes;
};
void tsp_cache_get_stats(struct tsp_cache *cache, struct tsp_cache_stats *st);

/* The fetch the cache runs on a miss; same contract as tsp_client_fetch(). */
typedef int (*tsp_cache_fetch_fn)(void *ctx, struct tsp_model *out, struct tsp_error *err);

/*
 * Answers key from the cache, from a leader in flight, or by calling
 * fetch(ctx, ...) as the leader. out (released first) gets a shared view,
 * err and the return value are the fetch's. A NULL cache just calls fetch.
 */
int tsp_cache_fetch(struct tsp_cache *cache, const char *key, size_t key_len,
		    tsp_cache_fetch_fn fetch, void *ctx,
		    struct tsp_model *out, struct tsp_error *err);

#endif
