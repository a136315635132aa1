#ifndef JSONW_H
#define JSONW_H

/*
 * A small streaming JSON writer into a capped strbuf. It writes as it goes
 * (no tree), prints int64 exactly and handles commas itself. Any failure
 * (buffer cap, nesting too deep) latches `err`; check it once at the end.
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define JSONW_MAX_DEPTH 64

struct jsonw {
	struct strbuf *sb;        /* not owned */
	int depth;
	int err;
	int after_key;
	unsigned char first[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, struct strbuf *sb);

void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);

void jsonw_str(struct jsonw *w, const char *s);       /* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int64(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v);         /* NaN/Inf write null */
/* A decimal code (dec.h) with its own digits; code 0 writes null. */
void jsonw_dec(struct jsonw *w, uint64_t code);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/*
 * How jsonw_double() writes a finite v: the shorter of printf's %.15g and
 * %.17g that reads back as v, computed without printf for the common
 * range. len >= 32. Returns the length.
 */
int jsonw_format_double(double v, char *buf, size_t len);
/* A non-zero decimal code (dec.h) as JSON number text, NUL-terminated, into buf (>= 48 bytes). */
int jsonw_format_dec(uint64_t code, char *buf);
/* v in decimal, NUL-terminated, into buf (>= 21 bytes); returns the length. printf-free. */
int jsonw_format_int64(int64_t v, char *buf);
/* Inserts already-valid JSON text as one value. */
void jsonw_raw(struct jsonw *w, const char *json, size_t n);

/* key + value shorthands */
void jsonw_kstr(struct jsonw *w, const char *key, const char *s);
void jsonw_kint64(struct jsonw *w, const char *key, int64_t v);
void jsonw_kdouble(struct jsonw *w, const char *key, double v);
void jsonw_kbool(struct jsonw *w, const char *key, int v);

/*
 * Appends s as a JSON string literal (with quotes) to sb. The output is
 * always valid UTF-8: each maximal invalid sequence of s (a stray
 * continuation byte, an overlong form, a UTF-16 surrogate, a code point
 * above U+10FFFF, a sequence cut short) becomes \ufffd, as Unicode
 * recommends, so one bad name cannot make a strict reader refuse an answer.
 */
int json_escape(struct strbuf *sb, const char *s, size_t n);
/*
 * The length (1-4) of the valid UTF-8 sequence at s[0..n), n >= 1, or 0
 * when it is not one; then *bad is the length of its maximal invalid
 * prefix (what one U+FFFD replaces).
 */
int utf8_valid_len(const unsigned char *s, size_t n, size_t *bad);

/* 0 when everything was written and every container closed. */
int jsonw_finish(const struct jsonw *w);

#endif
