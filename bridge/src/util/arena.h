#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

/*
 * A bump allocator: many small allocations, one release. Parsed TSP models
 * keep every string and array they hold in their own arena, so freeing a
 * model is one call and error paths never leak half-built structures.
 */
struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t chunk_size;
};

#define ARENA_INIT { NULL, 0 }

void arena_init(struct arena *a);
/* Frees every allocation made from the arena. */
void arena_release(struct arena *a);

/* Zeroed, 16-byte aligned memory; NULL only when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* Same, not zeroed: for memory the caller fills at once. */
void *arena_alloc_raw(struct arena *a, size_t size);
/* arena_alloc(n * size) with overflow check. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Bytes the arena holds from malloc (chunks and their headers), for memory budgets. */
size_t arena_bytes(const struct arena *a);

#endif
