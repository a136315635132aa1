/* The index of the bridge's caches (lru.h). */
#include "lru.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "monotime.h"

int lru_init(struct lru *l, size_t n_buckets)
{
	memset(l, 0, sizeof(*l));
	l->buckets = calloc(n_buckets, sizeof(*l->buckets));
	if (!l->buckets)
		return -1;
	l->n_buckets = n_buckets;
	return 0;
}

void lru_release(struct lru *l)
{
	free(l->buckets);
	memset(l, 0, sizeof(*l));
}

void lru_node_key(struct lru_node *n, const char *key, size_t key_len)
{
	n->key = key;
	n->key_len = key_len;
	n->hash = hash_fnv1a64(key, key_len);
}

struct lru_node *lru_find(const struct lru *l, const char *key, size_t key_len, uint64_t hash)
{
	struct lru_node *n;

	for (n = l->buckets[hash % l->n_buckets]; n; n = n->chain)
		if (n->hash == hash && n->key_len == key_len && !memcmp(n->key, key, key_len))
			return n;
	return NULL;
}

void lru_add(struct lru *l, struct lru_node *n)
{
	struct lru_node **b = &l->buckets[n->hash % l->n_buckets];

	if (n->in_table)
		return;
	n->chain = *b;
	*b = n;
	n->in_table = 1;
}

static void unlink_list(struct lru *l, struct lru_node *n)
{
	if (n->newer)
		n->newer->older = n->older;
	else
		l->newest = n->older;
	if (n->older)
		n->older->newer = n->newer;
	else
		l->oldest = n->newer;
	n->newer = n->older = NULL;
}

static void push_newest(struct lru *l, struct lru_node *n)
{
	n->older = l->newest;
	n->newer = NULL;
	if (l->newest)
		l->newest->newer = n;
	l->newest = n;
	if (!l->oldest)
		l->oldest = n;
}

void lru_list(struct lru *l, struct lru_node *n, size_t bytes)
{
	lru_add(l, n);
	if (n->listed) {
		unlink_list(l, n);
		l->bytes -= n->bytes;
		l->entries--;
	}
	n->bytes = bytes;
	n->born = mono_now();
	n->listed = 1;
	l->bytes += bytes;
	l->entries++;
	push_newest(l, n);
}

void lru_touch(struct lru *l, struct lru_node *n)
{
	if (!n->listed || l->newest == n)
		return;
	unlink_list(l, n);
	push_newest(l, n);
}

void lru_grow(struct lru *l, struct lru_node *n, size_t bytes)
{
	if (!n->listed)
		return;
	n->bytes += bytes;
	l->bytes += bytes;
}

void lru_remove(struct lru *l, struct lru_node *n)
{
	if (n->in_table) {
		struct lru_node **pp = &l->buckets[n->hash % l->n_buckets];

		while (*pp && *pp != n)
			pp = &(*pp)->chain;
		if (*pp)
			*pp = n->chain;
		n->chain = NULL;
		n->in_table = 0;
	}
	if (n->listed) {
		unlink_list(l, n);
		l->bytes -= n->bytes;
		l->entries--;
		n->listed = 0;
	}
}
