#ifndef HASH_H
#define HASH_H

/*
 * The hashes of the bridge's tables, in one place: FNV-1a 64 over bytes
 * (keys of the caches, interned strings, style keys) and a multiplicative
 * hash of pointers (memos keyed by a model's pointers). Tables keep whole
 * keys and compare them, so chains stay correct whatever collides; these
 * only spread the keys. Pure, header-only.
 */

#include <stddef.h>
#include <stdint.h>

/*
 * The start value the bridge's tables have always used. It is not FNV's
 * published offset basis (0xcbf29ce484222325, which tspsim seeds its
 * workload with): any such constant spreads keys as well.
 */
#define HASH_FNV1A64_INIT 1469598103934665603ULL

/* FNV-1a, 64 bits, of k[0..n) continued from h (a previous hash, or a start value). */
static inline uint64_t hash_fnv1a64_more(uint64_t h, const char *k, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*k++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* FNV-1a, 64 bits, of k[0..n): the caches' key hash. */
static inline uint64_t hash_fnv1a64(const char *k, size_t n)
{
	return hash_fnv1a64_more(HASH_FNV1A64_INIT, k, n);
}

/* The same of a C string. */
static inline uint64_t hash_fnv1a64_str(const char *s)
{
	uint64_t h = HASH_FNV1A64_INIT;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/*
 * A pointer times 2^64 / golden ratio (Fibonacci hashing): its high bits
 * are well spread even though pointers share their low ones; callers take
 * the bits they need from the top.
 */
static inline uint64_t hash_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL;
}

#endif
