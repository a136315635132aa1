#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: the caches' key hash. Keys are the whole request, so chains stay correct whatever collides. */
static inline uint64_t hash_fnv1a64(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*k++;
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
