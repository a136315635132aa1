/*
 * Shared by the libFuzzer harnesses (fuzz/fuzz_*.c): a check that aborts,
 * so the fuzzer reports the input, and a NUL-terminated copy of the input.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz check failed at %s:%d: %s: ",    \
				__FILE__, __LINE__, #cond);                     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* A malloc'd NUL-terminated copy of data (embedded NULs stay). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Whether JSON text may hold a \u0000 escape. cJSON cuts a string there,
 * the bridge's parser reads U+FFFD: trees of such text are not compared.
 */
static inline int fuzz_has_nul_escape(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i + 6 <= size; i++)
		if (data[i] == '\\' && !memcmp(data + i + 1, "u0000", 5))
			return 1;
	return 0;
}

/* Whether s is NUL-terminated within n bytes (an error message was written). */
static inline int fuzz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

#endif
