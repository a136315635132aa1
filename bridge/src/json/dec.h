#ifndef DEC_H
#define DEC_H

/*
 * Exact decimal arithmetic shared by the JSON reader (json_fast.c) and
 * writer (jsonw.c): powers of ten as 128-bit integers, so a decimal
 * mantissa times a power of ten, or a double's mantissa shifted, is exact.
 */

#include <stdint.h>

typedef unsigned __int128 dec_u128;

/* 10^0 .. 10^38 */
extern const dec_u128 dec_pow10_tab[39];

static inline dec_u128 dec_pow10(int k)
{
	return dec_pow10_tab[k];
}

/*
 * A decimal literal as the server wrote it, in 64 bits: value = +-m * 10^e,
 * bit 63 the sign, bits 57..62 e + 32, bits 0..56 m (up to 17 digits).
 * Why: written back with its own digits it reads as the same double the
 * bridge parsed (both are the correctly rounded value of the same decimal),
 * and copying digits costs a tenth of formatting a double. 0 is "none":
 * write the double. dec_code() gives 0 for what does not fit (m == 0 too).
 */
#define DEC_CODE_M_LIMIT ((uint64_t)1 << 57)

static inline uint64_t dec_code(int neg, uint64_t m, long e)
{
	if (m == 0 || m >= DEC_CODE_M_LIMIT || e < -32 || e > 31)
		return 0;
	return (uint64_t)(neg != 0) << 63 | (uint64_t)(e + 32) << 57 | m;
}

#endif
