#include "json_fast.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "json_int.h"

struct ps {
	const char *start, *p, *end;
	const char *const *pack_keys;
	enum json_member (*member)(const char *key, size_t len);
	int keep_all;
	size_t str_len;                 /* length of the last string() read */                   /* inside a JSON_KEEP_ALL member: no skipping */
	size_t max_bytes, used;         /* the tree's budget (0: none) and what it took */
	struct arena *a;
	int depth;
	int nomem;
	int too_deep;
	int too_big;
};

/* Takes n bytes of the tree's budget; 0, or -1 (too_big) when over. */
static inline int take(struct ps *s, size_t n)
{
	s->used += n;
	if (s->max_bytes && s->used > s->max_bytes) {
		s->too_big = 1;
		return -1;
	}
	return 0;
}

void json_doc_init(struct json_doc *d)
{
	arena_init(&d->arena);
	d->root = NULL;
}

void json_doc_release(struct json_doc *d)
{
	arena_release(&d->arena);
	d->root = NULL;
}

static inline cJSON *node(struct ps *s, int type)
{
	cJSON *n;

	if (take(s, sizeof(*n)) < 0)
		return NULL;
	n = arena_alloc_raw(s->a, sizeof(*n));

	if (!n) {
		s->nomem = 1;
		return NULL;
	}
	/* Plain stores: cheaper than a memset call per node. */
	*n = (cJSON){ .type = type };
	return n;
}

static void skip_ws(struct ps *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * The \uXXXX escape at q (a surrogate pair is one): its code point in *cp,
 * U+FFFD for U+0000; what follows it, or NULL when it is not a valid one.
 */
static const char *u_escape(const char *q, const char *e, unsigned *cp)
{
	unsigned lo;

	if (e - q < 6 || hex4(q + 2, cp) < 0)
		return NULL;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return NULL;
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (e - q < 12 || q[6] != '\\' || q[7] != 'u' || hex4(q + 8, &lo) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return NULL;
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		q += 6;
	}
	/* A NUL would silently cut the C string (a name, a label) short. */
	if (*cp == 0)
		*cp = 0xfffd;
	return q + 6;
}

/* At the opening quote. The decoded string, in the arena; NULL on error. */
static char *string(struct ps *s)
{
	const char *q = ++s->p, *e = s->end;
	char *out, *o;

	/* Common case: no escapes, copied in one go. */
	while (q < e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < e && *q == '"') {
		if (take(s, (size_t)(q - s->p) + 1) < 0)
			return NULL;
		out = arena_strndup(s->a, s->p, (size_t)(q - s->p));
		if (!out)
			s->nomem = 1;
		s->str_len = (size_t)(q - s->p);
		s->p = q + 1;
		return out;
	}
	/* Escapes never decode longer than they are written. */
	while (q < e && *q != '"') {
		if ((unsigned char)*q < 0x20) {
			s->p = q;
			return NULL;
		}
		q += *q == '\\' ? 2 : 1;
	}
	if (q >= e) {
		s->p = e;
		return NULL;
	}
	if (take(s, (size_t)(q - s->p) + 1) < 0)
		return NULL;
	out = o = arena_alloc_raw(s->a, (size_t)(q - s->p) + 1);
	if (!out) {
		s->nomem = 1;
		return NULL;
	}
	q = s->p;
	while (*q != '"') {
		const char *next;
		unsigned cp;

		if (*q != '\\') {
			*o++ = *q++;
			continue;
		}
		switch (q[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (!(next = u_escape(q, e, &cp))) {
				s->p = q;
				return NULL;
			}
			o = put_utf8(o, cp);
			q = next;
			continue;
		default:
			s->p = q;
			return NULL;
		}
		q += 2;
	}
	*o = '\0';
	s->str_len = (size_t)(o - out);
	/* "\u0001..." / "\u0002..." would pass for a marked long integer (json_int.h). */
	if (out[0] == JSON_INT_MARK || out[0] == JSON_INT_MARK_PARSED) {
		s->p = s->p - 1;
		return NULL;
	}
	s->p = q + 1;
	return out;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

typedef dec_u128 u128;

static int bit_length(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);

	if (hi)
		return 128 - __builtin_clzll(hi);
	return v ? 64 - __builtin_clzll((uint64_t)v) : 0;
}

/*
 * m * 10^e correctly rounded (to nearest, ties to even) for 0 < m < 2^64
 * and -21 <= e <= 19, with 128-bit integers: the quotient (or product)
 * keeps at least 55 bits, the rest and the division remainder decide the
 * rounding. Covers the 16-17 digit decimals the fast path cannot.
 */
/* mant * 2^e2 for 2^52 <= mant < 2^53 and a normal result: the bits, no ldexp call. */
static double make_double(uint64_t mant, int e2)
{
	uint64_t bits = ((uint64_t)(e2 + 52 + 1023) << 52) | (mant & ((1ULL << 52) - 1));
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/*
 * floor(2^(63 + bits(10^k)) / 10^k), in [2^63, 2^64): dividing by 10^k
 * becomes a multiply, off by at most two, which one remainder check fixes
 * (a hardware division cost as much as reading the whole number).
 */
#define INV10(p) ((uint64_t)(((u128)1 << (63 + (64 - __builtin_clzll(p)))) / (p)))
static const uint64_t inv_pow10[20] = {
	0, INV10(10ULL), INV10(100ULL), INV10(1000ULL), INV10(10000ULL), INV10(100000ULL),
	INV10(1000000ULL), INV10(10000000ULL), INV10(100000000ULL), INV10(1000000000ULL),
	INV10(10000000000ULL), INV10(100000000000ULL), INV10(1000000000000ULL),
	INV10(10000000000000ULL), INV10(100000000000000ULL), INV10(1000000000000000ULL),
	INV10(10000000000000000ULL), INV10(100000000000000000ULL),
	INV10(1000000000000000000ULL), INV10(10000000000000000000ULL),
};

/*
 * num / 10^k and its remainder for num < 2^(63 + bits(10^k)), 1 <= k <= 19
 * (the quotient fits 64 bits). num >> (bits - 1) and the inverse are each
 * short of the truth by under one, so the estimate is q, q - 1 or q - 2.
 */
static uint64_t div_pow10(u128 num, int k, uint64_t *rem)
{
	uint64_t d = (uint64_t)dec_pow10(k);
	int ld = bit_length(d);
	uint64_t q = (uint64_t)(((u128)(uint64_t)(num >> (ld - 1)) * inv_pow10[k]) >> 64);
	u128 r = num - (u128)q * d;

	while (r >= d) {
		q++;
		r -= d;
	}
	*rem = (uint64_t)r;
	return q;
}

static double decimal_to_double(uint64_t m, int e)
{
	u128 q;
	int sticky = 0, t = 0, nb, shift;
	uint64_t mant;

	if (e < 0 && e >= -19) {
		/*
		 * The common 16-17 digit decimal: scale m so the quotient by
		 * 10^-e lands in [2^62, 2^64), one hardware division, and the
		 * remainder as the sticky bit. (m * 2^t < 2^(63 + bits(d)) <=
		 * 2^64 * d, so the high half is below d.)
		 */
		uint64_t d = (uint64_t)dec_pow10(-e), rem, q64;
		u128 num;

		t = 63 + bit_length(d) - bit_length(m);
		num = (u128)m << t;
		q64 = div_pow10(num, -e, &rem);
		nb = 64 - __builtin_clzll(q64);
		shift = nb - 53;
		mant = q64 >> shift;
		{
			uint64_t rest = q64 & ((1ULL << shift) - 1), half = 1ULL << (shift - 1);

			if (rest > half || (rest == half && (rem || (mant & 1))))
				mant++;
		}
		if (mant == (1ULL << 53)) {
			mant >>= 1;
			shift++;
		}
		return make_double(mant, shift - t);
	}
	if (e >= 0) {
		q = (u128)m * dec_pow10(e);
	} else {
		u128 d = dec_pow10(-e), num;

		t = 128 - bit_length(m);
		num = (u128)m << t;
		q = num / d;
		sticky = num % d != 0;
	}
	nb = bit_length(q);
	if (nb <= 53)
		return ldexp((double)(uint64_t)q, -t);     /* exact */
	shift = nb - 53;
	mant = (uint64_t)(q >> shift);
	{
		u128 rest = q & (((u128)1 << shift) - 1), half = (u128)1 << (shift - 1);

		if (rest > half || (rest == half && (sticky || (mant & 1))))
			mant++;
	}
	if (mant == (1ULL << 53)) {
		mant >>= 1;
		shift++;
	}
	return ldexp((double)mant, shift - t);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Eight bytes at a time where it pays (SWAR): on a number-heavy answer
 * reading digits one by one was the largest cost of the parse.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
static const uint64_t B01 = 0x0101010101010101ULL;

/* Whether p[0..8) are all digits; if so *v is their value. */
static inline int eight_digits(const char *p, uint64_t *v)
{
	uint64_t x, t;

	memcpy(&x, p, 8);
	/* A digit byte is 0x3_ and stays 0x3_ when 6 is added (0x39 + 6 = 0x3f). */
	if ((x & (0xf0 * B01)) != 0x30 * B01 || ((x + 6 * B01) & (0xf0 * B01)) != 0x30 * B01)
		return 0;
	t = x - 0x30 * B01;
	/* Byte 2i becomes the two-digit value of digits 2i, 2i+1 (first digit lowest). */
	t = t * 10 + (t >> 8);
	*v = (t & 0xff) * 1000000 + ((t >> 16) & 0xff) * 10000 + ((t >> 32) & 0xff) * 100 +
	     ((t >> 48) & 0xff);
	return 1;
}
#else
#define SWAR 0
#endif

/* How many bytes of [p, e) are c. */
static size_t count_byte(const char *p, const char *e, char c)
{
	size_t n = 0;
#if SWAR
	const uint64_t lo7 = 0x7f * B01, pat = (uint64_t)(unsigned char)c * B01;

	for (; e - p >= 8; p += 8) {
		uint64_t x, z;

		memcpy(&x, p, 8);
		x ^= pat;
		/* 0x80 in each byte that was c, exactly (no borrow between bytes). */
		z = ~(((x & lo7) + lo7) | x | lo7);
		n += ((z >> 7) * B01) >> 56;
	}
#endif
	for (; p < e; p++)
		n += *p == c;
	return n;
}

/* A number literal as read: its text, and enough to convert it exactly. */
struct numlit {
	const char *lit;
	size_t len;
	uint64_t m;             /* the first 19 significant digits */
	long exp;               /* value = m * 10^exp when exact */
	int neg, digits, is_int, exact;
};

/*
 * Reads one RFC 8259 number at s->p; -1 (s->p at the fault) if it is not one.
 * Long on purpose: one pass with its state in registers, where large answers spend their parse time.
 */
static int scan_number(struct ps *s, struct numlit *nl)
{
	const char *p = s->p, *e = s->end;
	uint64_t m = 0;
	int neg = 0, digits = 0, sig = 0, frac = 0, exact = 1, is_int = 1;
	long exp = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p >= e || !is_digit(*p))
		goto bad;
	if (*p == '0') {
		p++;
		digits = 1;
	} else {
#if SWAR
		uint64_t v8;

		while (e - p >= 8 && sig <= 11 && eight_digits(p, &v8)) {
			m = m * 100000000 + v8;
			sig += 8;
			digits += 8;
			p += 8;
		}
#endif
		while (p < e && is_digit(*p)) {
			if (sig < 19)
				m = m * 10 + (uint64_t)(*p - '0');
			else
				exact = 0;
			sig++;
			digits++;
			p++;
		}
	}
	if (p < e && *p == '.') {
		is_int = 0;
		p++;
		if (p >= e || !is_digit(*p))
			goto bad;
#if SWAR
		{
			uint64_t v8;

			while (sig == 0 && p < e && *p == '0') {
				frac++;
				p++;
			}
			/* Now at a significant digit (or past the fraction). */
			while (e - p >= 8 && sig <= 11 && eight_digits(p, &v8)) {
				m = m * 100000000 + v8;
				sig += 8;
				frac += 8;
				p += 8;
			}
		}
#endif
		while (p < e && is_digit(*p)) {
			/* Leading zeros of a fraction are not significant digits. */
			if (sig == 0 && *p == '0') {
				frac++;
			} else if (sig < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				sig++;
				frac++;
			} else {
				exact = 0;
			}
			p++;
		}
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		int eneg = 0;

		is_int = 0;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= e || !is_digit(*p))
			goto bad;
		while (p < e && is_digit(*p)) {
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
			p++;
		}
		if (eneg)
			exp = -exp;
	}
	nl->lit = s->p;
	nl->len = (size_t)(p - s->p);
	nl->m = m;
	nl->exp = exp - frac;
	nl->neg = neg;
	nl->digits = digits;
	nl->is_int = is_int;
	nl->exact = exact;
	s->p = p;
	return 0;
bad:
	s->p = p;
	return -1;
}

/* An integer literal within int64: its value. No leading zeros, so 19 digits fit m. */
static int numlit_int64(const struct numlit *nl, int64_t *v)
{
	uint64_t lim = nl->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

	if (!nl->is_int || nl->digits > 19 || nl->m > lim)
		return -1;
	*v = nl->neg ? (int64_t)(0 - nl->m) : (int64_t)nl->m;
	return 0;
}

/* The literal as the nearest double, as strtod would round it. */
static int numlit_double(struct ps *s, const struct numlit *nl, double *out)
{
	double d;

	if (nl->exact && nl->m <= (1ULL << 53) && nl->exp >= -22 && nl->exp <= 22) {
		/* Clinger's fast path: one correctly rounded operation. */
		d = (double)nl->m;
		d = nl->exp < 0 ? d / pow10_exact[-nl->exp] : d * pow10_exact[nl->exp];
	} else if (nl->exact && nl->m && nl->exp >= -21 && nl->exp <= 19) {
		d = decimal_to_double(nl->m, (int)nl->exp);
	} else {
		char buf[128], *tmp = buf;

		if (nl->len >= sizeof(buf) && !(tmp = malloc(nl->len + 1))) {
			s->nomem = 1;
			return -1;
		}
		memcpy(tmp, nl->lit, nl->len);
		tmp[nl->len] = '\0';
		d = strtod(tmp, NULL);
		if (tmp != buf)
			free(tmp);
		*out = d;
		return 0;
	}
	*out = nl->neg ? -d : d;
	return 0;
}

int json_fast_number(const char **p, const char *end, double *out)
{
	struct ps s;
	struct numlit nl;

	memset(&s, 0, sizeof(s));
	s.start = s.p = *p;
	s.end = end;
	if (s.p >= end || scan_number(&s, &nl) < 0 ||
	    (nl.is_int && nl.digits > JSON_INT_EXACT_DIGITS) || numlit_double(&s, &nl, out) < 0)
		return -1;
	*p = s.p;
	return 0;
}

static cJSON *number(struct ps *s)
{
	struct numlit nl;
	int64_t iv = 0;
	cJSON *n;

	if (scan_number(s, &nl) < 0)
		return NULL;
	if (nl.is_int && nl.digits > JSON_INT_EXACT_DIGITS) {
		/*
		 * As json_int_quote() does, a marked string keeps every digit;
		 * in int64 range the value is read here once and stored in
		 * front of the marker (JSON_INT_MARK_PARSED).
		 */
		int in_range = numlit_int64(&nl, &iv) == 0;
		char *v;

		n = node(s, cJSON_String);
		if (!n || take(s, 8 + nl.len + 2) < 0)
			return NULL;
		v = arena_alloc(s->a, 8 + nl.len + 2);
		if (!v) {
			s->nomem = 1;
			return NULL;
		}
		memcpy(v, &iv, sizeof(iv));
		v += 8;
		v[0] = in_range ? JSON_INT_MARK_PARSED : JSON_INT_MARK;
		memcpy(v + 1, nl.lit, nl.len);
		n->valuestring = v;
		return n;
	}
	n = node(s, cJSON_Number);
	if (!n || numlit_double(s, &nl, &n->valuedouble) < 0)
		return NULL;
	/* cJSON's valueint: saturated. */
	if (n->valuedouble >= (double)INT_MAX)
		n->valueint = INT_MAX;
	else if (n->valuedouble <= (double)INT_MIN)
		n->valueint = INT_MIN;
	else
		n->valueint = (int)n->valuedouble;
	return n;
}

/*
 * At '[' of an array under a packed key: the whole array as a packed node,
 * or NULL with s->p back at '[' when it does not qualify (empty, an element
 * that is not a number, a long integer mixed with decimals, an integer
 * beyond int64): the caller then parses it the ordinary way.
 */
static cJSON *packed_array(struct ps *s)
{
	const char *start = s->p, *close;
	struct json_packed *pk;
	struct numlit nl;
	size_t n = 1, k, j;
	int all_int = 1, long_int = 0;
	cJSON *node_;

	/*
	 * Count the commas up to the first ']' (memchr and a branch-free loop:
	 * this pass used to cost as much as reading the numbers). A string or
	 * a nested container in there fails the element parse below, which
	 * then refuses.
	 */
	if (!(close = memchr(start + 1, ']', (size_t)(s->end - start - 1))))
		return NULL;
	n += count_byte(start + 1, close, ',');
	if (n > SIZE_MAX / 32 || take(s, sizeof(*pk) + n * 16) < 0)
		return NULL;
	pk = arena_alloc(s->a, sizeof(*pk));
	if (pk) {
		pk->d = arena_alloc_raw(s->a, n * sizeof(*pk->d));
		pk->i = arena_alloc_raw(s->a, n * sizeof(*pk->i));
	}
	if (!pk || !pk->d || !pk->i) {
		s->nomem = 1;
		return NULL;
	}
	s->p = start + 1;
	for (k = 0; k < n; k++) {
		skip_ws(s);
		if (s->p >= s->end || scan_number(s, &nl) < 0)
			goto refuse;
		if (nl.is_int) {
			if (numlit_int64(&nl, &pk->i[k]) < 0)
				goto refuse;
			long_int |= nl.digits > JSON_INT_EXACT_DIGITS;
			pk->d[k] = (double)pk->i[k];    /* correctly rounded, like strtod */
			if (!all_int)
				pk->i[k] = dec_code(nl.neg, nl.m, 0);
		} else {
			if (all_int) {
				/* From here on i[] holds decimal codes: recode the integers so far. */
				for (j = 0; j < k; j++)
					pk->i[j] = (int64_t)dec_code(pk->i[j] < 0, pk->i[j] < 0 ?
								     0 - (uint64_t)pk->i[j] : (uint64_t)pk->i[j], 0);
				all_int = 0;
			}
			if (numlit_double(s, &nl, &pk->d[k]) < 0)
				return NULL;
			pk->i[k] = nl.exact ? (int64_t)dec_code(nl.neg, nl.m, nl.exp) : 0;
		}
		skip_ws(s);
		if (k + 1 < n && (s->p >= s->end || *s->p++ != ','))
			goto refuse;
	}
	if (s->p >= s->end || *s->p != ']' || (long_int && !all_int))
		goto refuse;
	s->p++;
	pk->n = n;
	pk->all_int = all_int;
	node_ = node(s, cJSON_Array | JSON_FAST_PACKED);
	if (!node_)
		return NULL;
	node_->valuestring = (char *)pk;
	return node_;
refuse:
	s->p = start;
	return NULL;
}

const struct json_packed *json_packed(const cJSON *v)
{
	return v && (v->type & JSON_FAST_PACKED) ? (const struct json_packed *)v->valuestring : NULL;
}

static int is_pack_key(const struct ps *s, const char *key)
{
	const char *const *k;

	for (k = s->pack_keys; k && *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int literal(struct ps *s, const char *word, size_t len)
{
	if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len))
		return -1;
	s->p += len;
	return 0;
}

static cJSON *value(struct ps *s);

/* Past a string at '"', checked as string() checks it, nothing kept; -1 (s->p at the fault). */
static int skip_string(struct ps *s)
{
	const char *q = s->p + 1, *e = s->end;
	unsigned cp, lo;

	for (;;) {
		/* Plain bytes first, a run at a time. */
		while (q < e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (q >= e || (unsigned char)*q < 0x20)
			goto bad;
		if (*q == '"')
			break;
		if (e - q < 2)
			goto bad;
		switch (q[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			q += 2;
			continue;
		case 'u':
			if (e - q < 6 || hex4(q + 2, &cp) < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (e - q < 12 || q[6] != '\\' || q[7] != 'u' || hex4(q + 8, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				q += 6;
			}
			q += 6;
			continue;
		default:
			goto bad;
		}
	}
	s->p = q + 1;
	return 0;
bad:
	s->p = q;
	return -1;
}

/*
 * Past one value, checked as value() checks it but with nothing built: a
 * member no reader reads costs no memory, however large (an unread array
 * of numbers was 32 times its text as nodes).
 */
static int skip_value(struct ps *s)
{
	struct numlit nl;
	char close;

	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '"':
		return skip_string(s);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	case '{':
	case '[':
		break;
	default:
		return scan_number(s, &nl);
	}
	close = *s->p == '{' ? '}' : ']';
	if (++s->depth > JSON_FAST_MAX_DEPTH) {
		s->too_deep = 1;
		return -1;
	}
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			skip_ws(s);
			if (s->p >= s->end || *s->p != '"' || skip_string(s) < 0)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
		}
		if (skip_value(s) < 0)
			return -1;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return -1;
	}
}

/* Appends child to parent's list: cJSON keeps the last child in child->prev. */
static void append(cJSON *parent, cJSON *child)
{
	if (!parent->child) {
		parent->child = child;
		child->prev = child;
		return;
	}
	child->prev = parent->child->prev;
	parent->child->prev->next = child;
	parent->child->prev = child;
}

static cJSON *container(struct ps *s, int is_obj)
{
	char close = is_obj ? '}' : ']';
	cJSON *n = node(s, is_obj ? cJSON_Object : cJSON_Array), *v;
	char *key = NULL;

	if (!n)
		return NULL;
	if (++s->depth > JSON_FAST_MAX_DEPTH) {
		s->too_deep = 1;
		return NULL;
	}
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return n;
	}
	for (;;) {
		if (is_obj) {
			skip_ws(s);
			if (s->p >= s->end || *s->p != '"' || !(key = string(s)))
				return NULL;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return NULL;
			s->p++;
		}
		v = NULL;
		if (is_obj && s->member && !s->keep_all) {
			enum json_member m = s->member(key, s->str_len);

			if (m == JSON_SKIP) {
				if (skip_value(s) < 0)
					return NULL;
				goto next;
			}
			if (m == JSON_KEEP_ALL) {
				s->keep_all = 1;
				v = value(s);
				s->keep_all = 0;
				if (!v)
					return NULL;
			}
		}
		if (!v && is_obj && s->pack_keys && is_pack_key(s, key)) {
			skip_ws(s);
			if (s->p < s->end && *s->p == '[')
				v = packed_array(s);
			if (!v && (s->nomem || s->too_big))
				return NULL;
		}
		if (!v)
			v = value(s);
		if (!v)
			return NULL;
		if (is_obj)
			v->string = key;
		append(n, v);
next:
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return n;
		}
		return NULL;
	}
}

static cJSON *value(struct ps *s)
{
	cJSON *n;

	skip_ws(s);
	if (s->p >= s->end)
		return NULL;
	switch (*s->p) {
	case '{':
		return container(s, 1);
	case '[':
		return container(s, 0);
	case '"':
		n = node(s, cJSON_String);
		if (n && !(n->valuestring = string(s)))
			return NULL;
		return n;
	case 't':
		if (literal(s, "true", 4) < 0)
			return NULL;
		n = node(s, cJSON_True);
		if (n)
			n->valueint = 1;
		return n;
	case 'f':
		return literal(s, "false", 5) < 0 ? NULL : node(s, cJSON_False);
	case 'n':
		return literal(s, "null", 4) < 0 ? NULL : node(s, cJSON_NULL);
	default:
		return number(s);
	}
}

cJSON *json_doc_parse(struct json_doc *d, const char *text, size_t len, char *err, size_t errlen)
{
	return json_doc_parse_opts(d, text, len, NULL, err, errlen);
}

cJSON *json_doc_parse_packed(struct json_doc *d, const char *text, size_t len,
			     const char *const *pack_keys, char *err, size_t errlen)
{
	struct json_fast_opts o = { pack_keys, NULL, 0 };

	return json_doc_parse_opts(d, text, len, &o, err, errlen);
}

cJSON *json_doc_parse_opts(struct json_doc *d, const char *text, size_t len,
			   const struct json_fast_opts *o, char *err, size_t errlen)
{
	struct ps s;

	json_doc_release(d);
	memset(&s, 0, sizeof(s));
	if (o) {
		s.pack_keys = o->pack_keys;
		s.member = o->member;
		s.max_bytes = o->max_bytes;
	}
	s.start = s.p = text;
	s.end = text + len;
	s.a = &d->arena;
	d->root = text ? value(&s) : NULL;
	if (d->root) {
		skip_ws(&s);
		if (s.p != s.end)
			d->root = NULL;
	}
	if (d->root)
		return d->root;
	if (err) {
		if (s.nomem)
			snprintf(err, errlen, "out of memory");
		else if (s.too_big)
			snprintf(err, errlen, "too large to read: more than %zu bytes of memory",
				 s.max_bytes);
		else if (s.too_deep)
			snprintf(err, errlen, "nesting deeper than %d", JSON_FAST_MAX_DEPTH);
		else
			snprintf(err, errlen, "invalid JSON near byte %zu", (size_t)(s.p - s.start));
	}
	json_doc_release(d);
	return NULL;
}
