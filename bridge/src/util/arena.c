#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	/* keeps data[] 16-byte aligned */
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_CHUNK 4096
#define ARENA_MAX_CHUNK (1024 * 1024)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->chunk_size = ARENA_MIN_CHUNK;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	arena_init(a);
}

void *arena_alloc_raw(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (need < size)
		return NULL;
	if (!need)
		need = 16;
	if (!c || c->size - c->used < need) {
		size_t csize;

		if (!a->chunk_size)
			a->chunk_size = ARENA_MIN_CHUNK;
		csize = a->chunk_size;
		/* Double the chunk size so big models need few mallocs. */
		if (a->chunk_size < ARENA_MAX_CHUNK)
			a->chunk_size *= 2;
		if (csize < need)
			csize = need;
		if (csize > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		/* A big one-off block goes behind the head so the head keeps its room. */
		if (a->head && need > a->head->size - a->head->used &&
		    csize == need && a->head->size - a->head->used > 256) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
	void *p = arena_alloc_raw(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc_raw(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

size_t arena_bytes(const struct arena *a)
{
	const struct arena_chunk *c;
	size_t n = 0;

	for (c = a->head; c; c = c->next)
		n += sizeof(*c) + c->size;
	return n;
}
