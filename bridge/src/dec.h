#ifndef DEC_H
#define DEC_H

/*
 * Exact decimal arithmetic shared by the JSON reader (json_fast.c) and
 * writer (jsonw.c): powers of ten as 128-bit integers, so a decimal
 * mantissa times a power of ten, or a double's mantissa shifted, is exact.
 */

typedef unsigned __int128 dec_u128;

/* 10^0 .. 10^38 */
extern const dec_u128 dec_pow10_tab[39];

static inline dec_u128 dec_pow10(int k)
{
	return dec_pow10_tab[k];
}

#endif
