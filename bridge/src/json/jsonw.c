#include "jsonw.h"
#include "dec.h"
#include "strbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->first[0] = 1;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!w->err && strbuf_add(w->sb, s, n) < 0)
		w->err = 1;
}

/* One byte: commas and brackets, the most frequent writes. */
static void put1(struct jsonw *w, char c)
{
	if (!w->err && strbuf_addch(w->sb, c) < 0)
		w->err = 1;
}

/* Whether the next value needs a comma (every one but the first of its container, none after a key). */
static int take_comma(struct jsonw *w)
{
	int comma;

	if (w->after_key) {
		w->after_key = 0;
		return 0;
	}
	comma = !w->first[w->depth];
	w->first[w->depth] = 0;
	return comma;
}

static void value_prefix(struct jsonw *w)
{
	if (take_comma(w))
		put1(w, ',');
}

static void open_(struct jsonw *w, char c)
{
	value_prefix(w);
	if (w->depth + 1 >= JSONW_MAX_DEPTH) {
		w->err = 1;
		return;
	}
	put1(w, c);
	w->first[++w->depth] = 1;
}

static void close_(struct jsonw *w, char c)
{
	if (w->depth <= 0 || w->after_key) {
		w->err = 1;
		return;
	}
	w->depth--;
	put1(w, c);
}

void jsonw_obj_begin(struct jsonw *w) { open_(w, '{'); }
void jsonw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jsonw_arr_begin(struct jsonw *w) { open_(w, '['); }
void jsonw_arr_end(struct jsonw *w) { close_(w, ']'); }

/*
 * Whether any of the 8 bytes of x is below 0x20, '"', '\\' or not ASCII
 * (the exact answer for "any"; which byte is left to the byte loop).
 */
static int word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t lt = (x - ones * 0x20) & ~x;   /* some byte < 0x20 */
	uint64_t hq = (q - ones) & ~q;          /* some byte == '"' */
	uint64_t hb = (b - ones) & ~b;          /* some byte == '\\' */

	return ((lt | hq | hb | x) & highs) != 0;
}

int utf8_valid_len(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;              /* overlong */
		else if (c == 0xed)
			hi = 0x9f;              /* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;              /* overlong */
		else if (c == 0xf4)
			hi = 0x8f;              /* above U+10FFFF */
	} else {
		return 0;                       /* a continuation byte, C0, C1, F5..FF */
	}
	for (i = 1; i <= need; i++) {
		unsigned char x = i < n ? s[i] : 0;

		if (x < lo || x > hi)
			return 0;
		/* The maximal invalid prefix grows with each byte that still fit. */
		*bad = i + 1;
		lo = 0x80;
		hi = 0xbf;
	}
	return (int)need + 1;
}

/* The escape of c, a control character, '"' or '\\', into esc; its length. */
static size_t escape_char(unsigned char c, char esc[7])
{
	static const char hex[] = "0123456789abcdef";

	esc[0] = '\\';
	switch (c) {
	case '"': esc[1] = '"'; return 2;
	case '\\': esc[1] = '\\'; return 2;
	case '\n': esc[1] = 'n'; return 2;
	case '\r': esc[1] = 'r'; return 2;
	case '\t': esc[1] = 't'; return 2;
	case '\b': esc[1] = 'b'; return 2;
	case '\f': esc[1] = 'f'; return 2;
	}
	esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
	esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
	return 6;
}

int json_escape(struct strbuf *sb, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	/* Common case: ASCII with nothing to escape, one copy between the quotes. Eight bytes a step first. */
	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, sizeof(x));
		if (word_needs_escape(x))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
			break;
	}
	if (i == n) {
		char *o;

		if (strbuf_grow(sb, n + 2) < 0)
			return -1;
		o = sb->buf + sb->len;
		o[0] = '"';
		memcpy(o + 1, s, n);
		o[n + 1] = '"';
		o[n + 2] = '\0';
		sb->len += n + 2;
		return 0;
	}
	if (strbuf_addch(sb, '"') < 0)
		return -1;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];

		if (c >= 0x80) {
			size_t bad;
			int len = utf8_valid_len((const unsigned char *)s + i, n - i, &bad);

			if (len) {
				i += (size_t)len - 1;
				continue;
			}
			/* Invalid UTF-8 would make strict readers refuse the whole answer. */
			if (strbuf_add(sb, s + run, i - run) < 0 || strbuf_add(sb, "\\ufffd", 6) < 0)
				return -1;
			i += bad - 1;
			run = i + 1;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* Flush the plain run before this character. */
		if (strbuf_add(sb, s + run, i - run) < 0)
			return -1;
		run = i + 1;
		if (strbuf_add(sb, esc, escape_char(c, esc)) < 0)
			return -1;
	}
	if (strbuf_add(sb, s + run, n - run) < 0)
		return -1;
	return strbuf_addch(sb, '"');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->after_key) {
		w->err = 1;
		return;
	}
	value_prefix(w);
	if (!w->err && json_escape(w->sb, key, strlen(key)) < 0)
		w->err = 1;
	put1(w, ':');
	w->after_key = 1;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	value_prefix(w);
	if (!w->err && json_escape(w->sb, s, n) < 0)
		w->err = 1;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_strn(w, s, strlen(s));
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Exactly 8 digits of v < 10^8 at o, in 32-bit arithmetic. */
static void fmt_8(uint32_t v, char *o)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	memcpy(o, digit_pairs + 2 * (hi / 100), 2);
	memcpy(o + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(o + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(o + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* Decimal digits of v into the end of buf[24]; returns where they start. */
static char *fmt_u64(uint64_t v, char *end)
{
	/* Eight digits a round: one 64-bit division instead of four (ns times have 19). */
	while (v >= 100000000) {
		end -= 8;
		fmt_8((uint32_t)(v % 100000000), end);
		v /= 100000000;
	}
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		end -= 2;
		memcpy(end, digit_pairs + 2 * d, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* Exactly n digits of v (zero-padded) at out. */
static void fmt_u64_width(uint64_t v, char *out, int n)
{
	while (n >= 2) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		n -= 2;
		memcpy(out + n, digit_pairs + 2 * d, 2);
	}
	if (n)
		out[0] = (char)('0' + v % 10);
}

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* How many decimal digits v has: from its bit length (log10(2) ~ 1233/4096), then one compare. */
static int u64_digits(uint64_t v)
{
	int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	/* v | 1: 0 has one digit; no power of ten above 1 is odd, so nothing else moves. */
	return t + ((v | 1) >= pow10_u64[t]);
}

int jsonw_format_int64(int64_t v, char *buf)
{
	/* The unsigned negation is defined for INT64_MIN too. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int neg = v < 0, n = neg + u64_digits(u);

	if (neg)
		buf[0] = '-';
	/* Straight into place: no staging buffer. */
	fmt_u64(u, buf + n);
	buf[n] = '\0';
	return n;
}

/*
 * Numbers go straight into the buffer with their comma (the per-value
 * calls and copies cost as much as the digits); `max` bounds the text.
 */
#define NUM_MAX 48

static char *num_begin(struct jsonw *w, int *comma)
{
	char *p;

	if (w->err)
		return NULL;
	*comma = take_comma(w);
	p = strbuf_tail(w->sb, 1 + NUM_MAX);
	if (p && *comma)
		*p++ = ',';
	return p;
}

/* The slow way, when the tail had no room for NUM_MAX: exact sizes through the cap. */
static void num_put(struct jsonw *w, int comma, const char *text, int n)
{
	if (comma)
		put(w, ",", 1);
	put(w, text, (size_t)n);
}

void jsonw_int64(struct jsonw *w, int64_t v)
{
	char buf[24], *p;
	int comma, n;

	if ((p = num_begin(w, &comma))) {
		strbuf_tail_done(w->sb, (size_t)(comma + jsonw_format_int64(v, p)));
		return;
	}
	if (w->err)
		return;
	n = jsonw_format_int64(v, buf);
	num_put(w, comma, buf, n);
}

typedef dec_u128 u128;

static u128 pow10_u128(int k)
{
	return dec_pow10(k);
}

/* a >= 10^j, exactly, for a = m / 2^s and -4 <= j <= 16. */
static int at_least_pow10(uint64_t m, int s, int j)
{
	return j >= 0 ? (u128)m >= (pow10_u128(j) << s) : ((u128)m * pow10_u128(-j)) >= ((u128)1 << s);
}

/*
 * printf's "%.<P>g" of v, in fixed notation only, with exact integer
 * arithmetic: v = m / 2^s with s >= 0, so v * 10^k rounds (half to even,
 * as glibc does) from a 128-bit product. Covers 1e-4 <= |v| < 2^53, where
 * %g stays fixed for P 15 and 17; returns 0 elsewhere (the caller falls
 * back to snprintf). *exact_rt tells whether the digits read back as v.
 */
static const double pow10_dbl[21] = {
	1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
};

/*
 * q = round(m / 2^s * 10^k), half to even as glibc's printf does, and
 * whether q / 10^k reads back as m / 2^s: 1 yes, 0 no, -1 a tie at a
 * power-of-two boundary (left to printf). 0 on return when q carried past
 * P digits.
 */
static int round_digits(uint64_t m, int s, int k, int P, u128 *qo, int *rt)
{
	u128 p10k = pow10_u128(k), num = (u128)m * p10k, q = num >> s, r, half, diff;

	r = num - (q << s);
	half = s ? (u128)1 << (s - 1) : 0;
	if (s && (r > half || (r == half && (q & 1))))
		q++;
	if (q >= pow10_u128(P))
		return 0;
	/* Reads back as v iff |q/10^k - m/2^s| is under half an ulp (2^-s / 2). */
	diff = (q << s) > num ? (q << s) - num : num - (q << s);
	if (m == (1ULL << 52) && (q << s) < num)
		*rt = 4 * diff < p10k ? 1 : (4 * diff == p10k ? -1 : 0);
	else
		*rt = 2 * diff < p10k ? 1 : (2 * diff == p10k ? ((m & 1) == 0) : 0);
	*qo = q;
	return 1;
}

/* [-]ipart[.fpart as k digits, trailing zeros dropped], NUL-terminated; returns the length. */
static int put_fixed(char *buf, int neg, uint64_t ipart, uint64_t fpart, int k)
{
	char ib[24], frac[40], *ip = fmt_u64(ipart, ib + sizeof(ib));
	int n = 0;

	if (neg)
		buf[n++] = '-';
	memcpy(buf + n, ip, (size_t)(ib + sizeof(ib) - ip));
	n += (int)(ib + sizeof(ib) - ip);
	fmt_u64_width(fpart, frac, k);
	while (k > 0 && frac[k - 1] == '0')
		k--;
	if (k) {
		buf[n++] = '.';
		memcpy(buf + n, frac, (size_t)k);
		n += k;
	}
	buf[n] = '\0';
	return n;
}

/*
 * printf's "%.15g" when that reads back as v, else "%.17g", in fixed
 * notation only, with exact integer arithmetic: v = m / 2^s with s >= 0.
 * Covers 1e-4 <= |v| < 10^15, where %g stays fixed for both; returns 0
 * elsewhere, and in the rare ties, for the caller to ask snprintf.
 */
static int fmt_g_fixed(double v, char *buf)
{
	uint64_t bits, m;
	int s, x10, k, P = 15, rt = 0, neg = v < 0;
	double a = neg ? -v : v;
	u128 q;

	if (!(a >= 1e-4) || a >= 1e15)
		return 0;
	memcpy(&bits, &a, sizeof(bits));
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	s = 1075 - (int)(bits >> 52);
	if (s < 0 || s > 70)
		return 0;
	/* x10 = floor(log10(a)): a double guess, made exact (a >= 10^j <=> m * 10^-j >= 2^s). */
	x10 = a >= 1 ? (a >= 1e8 ? 8 : 0) : -4;
	while (x10 < 14 && a >= pow10_dbl[x10 + 5])
		x10++;
	while (x10 > -4 && !at_least_pow10(m, s, x10))
		x10--;
	while (x10 < 14 && at_least_pow10(m, s, x10 + 1))
		x10++;
	if (!round_digits(m, s, P - 1 - x10, P, &q, &rt))
		return 0;       /* carried into another decade: leave it to printf */
	if (rt == 0) {
		P = 17;
		if (!round_digits(m, s, P - 1 - x10, P, &q, &rt))
			return 0;
	} else if (rt < 0) {
		return 0;
	}
	k = P - 1 - x10;
	{
		/* q < 10^P <= 10^17 fits 64 bits: digits without 128-bit division. */
		uint64_t q64 = (uint64_t)q, ipart = 0, fpart = q64;

		if (k <= 19) {
			uint64_t p = (uint64_t)pow10_u128(k);

			ipart = q64 / p;
			fpart = q64 % p;
		}
		return put_fixed(buf, neg, ipart, fpart, k);
	}
}

/*
 * Decimals of at most six places (durations in ms made from ns): when v is
 * the double nearest d / 10^6 for an integer d with 10^2 <= |d| < 10^15,
 * %.15g writes exactly the digits of d / 10^6 (15 digits hold them, any
 * double within half an ulp rounds back to them, and from 10^-4 on %g is
 * fixed), and they read back as v. 0 when v is not such a decimal.
 */
static int fmt_micro(double v, char *buf)
{
	double a = v < 0 ? -v : v;
	uint64_t d;

	if (!(a >= 1e-4 && a < 1e9))
		return 0;
	d = (uint64_t)(a * 1e6 + 0.5);
	if ((double)d / 1e6 != a)
		return 0;
	return put_fixed(buf, v < 0, d / 1000000, d % 1000000, 6);
}

/* What the snprintf path gives: the shorter of %.15g/%.17g that reads back. */
static int fmt_double_slow(double v, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%.15g", v);

	if (strtod(buf, NULL) != v)
		n = snprintf(buf, len, "%.17g", v);
	return n;
}

int jsonw_format_double(double v, char *buf, size_t len)
{
	int n;

	if (len < 32)
		return -1;
	if (v == 0 && !signbit(v)) {
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	/* Integers under 10^15 (ids, counts): %.15g writes them as they are; -0 is not one. */
	if (v != 0 && v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
		return jsonw_format_int64((int64_t)v, buf);
	n = fmt_micro(v, buf);
	if (n)
		return n;
	/* Shortest of %.15g/%.17g that reads back as the same double. */
	n = fmt_g_fixed(v, buf);
	if (n)
		return n;
	return fmt_double_slow(v, buf, len);
}

void jsonw_double(struct jsonw *w, double v)
{
	char buf[NUM_MAX], *p;
	int comma, n;

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	if ((p = num_begin(w, &comma))) {
		strbuf_tail_done(w->sb, (size_t)(comma + jsonw_format_double(v, p, NUM_MAX)));
		return;
	}
	if (w->err)
		return;
	n = jsonw_format_double(v, buf, sizeof(buf));
	num_put(w, comma, buf, n);
}

int jsonw_format_dec(uint64_t code, char *buf)
{
	uint64_t m = code & (DEC_CODE_M_LIMIT - 1);
	int e = (int)((code >> 57) & 63) - 32, nd, n = 0;
	char tmp[24], *d = fmt_u64(m, tmp + sizeof(tmp));

	nd = (int)(tmp + sizeof(tmp) - d);
	if (code >> 63)
		buf[n++] = '-';
	if (e >= 0) {
		memcpy(buf + n, d, (size_t)nd);
		n += nd;
		if (e) {
			buf[n++] = 'e';
			n += jsonw_format_int64(e, buf + n);
		}
	} else if (nd > -e) {
		memcpy(buf + n, d, (size_t)(nd + e));
		n += nd + e;
		buf[n++] = '.';
		memcpy(buf + n, d + nd + e, (size_t)-e);
		n += -e;
	} else {
		buf[n++] = '0';
		buf[n++] = '.';
		memset(buf + n, '0', (size_t)(-e - nd));
		n += -e - nd;
		memcpy(buf + n, d, (size_t)nd);
		n += nd;
	}
	buf[n] = '\0';
	return n;
}

void jsonw_dec(struct jsonw *w, uint64_t code)
{
	char buf[NUM_MAX], *p;
	int comma, n;

	if (!code) {
		jsonw_null(w);
		return;
	}
	if ((p = num_begin(w, &comma))) {
		strbuf_tail_done(w->sb, (size_t)(comma + jsonw_format_dec(code, p)));
		return;
	}
	if (w->err)
		return;
	n = jsonw_format_dec(code, buf);
	num_put(w, comma, buf, n);
}

void jsonw_bool(struct jsonw *w, int v)
{
	value_prefix(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
	value_prefix(w);
	put(w, "null", 4);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
	value_prefix(w);
	put(w, json, n);
}

void jsonw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);
}

void jsonw_kint64(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int64(w, v);
}

void jsonw_kdouble(struct jsonw *w, const char *key, double v)
{
	jsonw_key(w, key);
	jsonw_double(w, v);
}

void jsonw_kbool(struct jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

int jsonw_finish(const struct jsonw *w)
{
	return (w->err || w->depth != 0 || w->after_key) ? -1 : 0;
}
