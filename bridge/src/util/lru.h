#ifndef LRU_H
#define LRU_H

/*
 * The index every cache of the bridge keeps its entries in: a hash table by
 * key, and a list from most to least recently used with the bytes the
 * listed entries hold. An entry embeds a struct lru_node; the cache around
 * it keeps its own lock, references and policy (what is kept, for how
 * long, what a lookup of an expired entry does), and uses this for the
 * finding, the ordering and the counting, which were the same in each.
 *
 * Ownership: the index owns neither nodes nor keys; a node's key must stay
 * valid while it is in the table. Not thread-safe: callers lock.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct lru_node {
	const char *key;
	size_t key_len;
	uint64_t hash;
	struct lru_node *chain;         /* hash bucket */
	struct lru_node *newer, *older; /* the list, while listed */
	size_t bytes;                   /* counted while listed */
	struct timespec born;           /* when listed (CLOCK_MONOTONIC) */
	int in_table, listed;
};

struct lru {
	struct lru_node **buckets;
	size_t n_buckets;
	struct lru_node *newest, *oldest;
	size_t entries, bytes;          /* of the listed nodes */
};

/* 0, or -1 when out of memory. n_buckets > 0. */
int lru_init(struct lru *l, size_t n_buckets);
/* Frees the table; the nodes are the caller's. */
void lru_release(struct lru *l);

/* Sets a node's key (not copied) and its hash. */
void lru_node_key(struct lru_node *n, const char *key, size_t key_len);
/* The node of key in the table, or NULL. */
struct lru_node *lru_find(const struct lru *l, const char *key, size_t key_len, uint64_t hash);
/* Into the table: findable, not yet listed (an answer being fetched). */
void lru_add(struct lru *l, struct lru_node *n);
/* Onto the list as the newest, holding bytes, born now; into the table if not there. */
void lru_list(struct lru *l, struct lru_node *n, size_t bytes);
/* The newest again (a hit). */
void lru_touch(struct lru *l, struct lru_node *n);
/* More bytes for a listed node (what it grew by). */
void lru_grow(struct lru *l, struct lru_node *n, size_t bytes);
/* Out of the table and the list; nothing else is done to it. */
void lru_remove(struct lru *l, struct lru_node *n);

#define lru_entry(node, type, member) \
	((type *)((char *)(node) - offsetof(type, member)))

#endif
