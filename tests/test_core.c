/* Unit tests of the small core modules: strbuf, json_int, jsonw. */
#include <check.h>
#include <math.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_fast.h"
#include "json_int.h"
#include "dec.h"
#include "jsonw.h"
#include "lru.h"
#include "strbuf.h"

START_TEST(strbuf_cap_refuses_without_truncating)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	ck_assert_int_eq(strbuf_addstr(&sb, "abcd"), 0);
	ck_assert_int_eq(strbuf_addstr(&sb, "efghi"), -1);
	ck_assert_int_eq(sb.overflow, 1);
	ck_assert_str_eq(strbuf_str(&sb), "abcd");
	ck_assert_int_eq(strbuf_addf(&sb, "%d", 123456), -1);
	ck_assert_str_eq(strbuf_str(&sb), "abcd");
	ck_assert_int_eq(strbuf_addf(&sb, "%d", 1234), 0);
	ck_assert_str_eq(strbuf_str(&sb), "abcd1234");
	ck_assert_int_eq(strbuf_addch(&sb, 'x'), -1);
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_grows_and_formats)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *s;
	int i;

	ck_assert_str_eq(strbuf_str(&sb), "");
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(strbuf_addf(&sb, "%d,", i % 10), 0);
	ck_assert_uint_eq(sb.len, 20000);
	ck_assert_int_eq(memcmp(sb.buf + 19996, "8,9,", 4), 0);
	s = strbuf_detach(&sb, &len);
	ck_assert_uint_eq(len, 20000);
	ck_assert_ptr_null(sb.buf);
	free(s);
}
END_TEST

/* The caches' index: finding, recency order, bytes of the listed nodes. */
START_TEST(lru_orders_counts_and_forgets)
{
	struct lru l;
	struct lru_node a, b, c;
	const char *names[3];
	struct lru_node *n;
	size_t i = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(lru_init(&l, 2), 0);     /* 2 buckets: chains are used */
	lru_node_key(&a, "a", 1);
	lru_node_key(&b, "bb", 2);
	lru_node_key(&c, "ccc", 3);
	lru_add(&l, &a);                          /* findable, not listed (being fetched) */
	ck_assert_ptr_eq(lru_find(&l, "a", 1, a.hash), &a);
	ck_assert_uint_eq(l.entries, 0);
	ck_assert_uint_eq(l.bytes, 0);
	lru_list(&l, &a, 10);
	lru_list(&l, &b, 20);
	lru_list(&l, &c, 30);
	ck_assert_uint_eq(l.entries, 3);
	ck_assert_uint_eq(l.bytes, 60);
	lru_touch(&l, &a);                        /* a is the newest now: b is the oldest */
	for (n = l.oldest; n; n = n->newer)
		names[i++] = n->key;
	ck_assert_uint_eq(i, 3);
	ck_assert_str_eq(names[0], "bb");
	ck_assert_str_eq(names[1], "ccc");
	ck_assert_str_eq(names[2], "a");
	lru_grow(&l, &c, 5);
	ck_assert_uint_eq(l.bytes, 65);
	lru_remove(&l, &c);
	ck_assert_ptr_null(lru_find(&l, "ccc", 3, c.hash));
	ck_assert_ptr_eq(lru_find(&l, "bb", 2, b.hash), &b);
	ck_assert_uint_eq(l.entries, 2);
	ck_assert_uint_eq(l.bytes, 30);
	lru_remove(&l, &c);                       /* twice: nothing */
	lru_remove(&l, &b);
	lru_remove(&l, &a);
	ck_assert_ptr_null(l.oldest);
	ck_assert_ptr_null(l.newest);
	ck_assert_uint_eq(l.bytes, 0);
	lru_release(&l);
}
END_TEST

Suite *strbuf_suite(void)
{
	Suite *s = suite_create("strbuf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, strbuf_cap_refuses_without_truncating);
	tcase_add_test(tc, strbuf_grows_and_formats);
	tcase_add_test(tc, lru_orders_counts_and_forgets);
	suite_add_tcase(s, tc);
	return s;
}

static cJSON *parse(const char *text)
{
	char err[128];
	cJSON *j = json_parse_exact(text, strlen(text), err, sizeof(err));

	ck_assert_msg(j != NULL, "parse failed: %s", err);
	return j;
}

START_TEST(json_int_keeps_every_bit)
{
	cJSON *j = parse("{\"a\":1700000000123456789,\"b\":-9223372036854775808,"
			 "\"c\":9223372036854775807,\"d\":-1,\"e\":9007199254740993,"
			 "\"s\":\"1700000000123456789\",\"f\":1.5e300}");
	int64_t v;
	double d;

	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "a"), &v), JSON_OK);
	ck_assert(v == INT64_C(1700000000123456789));
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "b"), &v), JSON_OK);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "c"), &v), JSON_OK);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "d"), &v), JSON_OK);
	ck_assert(v == -1);
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "e"), &v), JSON_OK);
	ck_assert(v == INT64_C(9007199254740993));
	/* A real string is not a number, a number is not a string. */
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "s"), &v), JSON_ETYPE);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItem(j, "s")), "1700000000123456789");
	ck_assert_ptr_null(json_get_string(cJSON_GetObjectItem(j, "a")));
	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItem(j, "f"), &v), JSON_ERANGE);
	ck_assert_int_eq(json_get_double(cJSON_GetObjectItem(j, "a"), &d), JSON_OK);
	ck_assert(d == 1700000000123456789.0);
	cJSON_Delete(j);
}
END_TEST

START_TEST(json_int_rejects_out_of_range)
{
	cJSON *j = parse("[9876543210987654321,-9223372036854775809,1.5,12.0,\"x\",null]");
	char buf[32];
	int64_t v;

	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 0), &v), JSON_ERANGE);
	ck_assert_str_eq(json_number_text(cJSON_GetArrayItem(j, 0), buf, sizeof(buf)),
			 "9876543210987654321");
	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 1), &v), JSON_ERANGE);
	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 2), &v), JSON_EFRAC);
	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 3), &v), JSON_OK);
	ck_assert(v == 12);
	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 4), &v), JSON_ETYPE);
	ck_assert_int_eq(json_get_int64(cJSON_GetArrayItem(j, 5), &v), JSON_ETYPE);
	cJSON_Delete(j);
}
END_TEST

START_TEST(json_int_quote_leaves_strings_alone)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = "{\"k\\\"12345678901234567\":[\"12345678901234567\",12345678901234567,1.2345678901234567e5]}";

	ck_assert_int_eq(json_int_quote(in, strlen(in), &sb), 0);
	ck_assert_str_eq(strbuf_str(&sb),
			 "{\"k\\\"12345678901234567\":[\"12345678901234567\",\"\x01" "12345678901234567\",1.2345678901234567e5]}");
	strbuf_release(&sb);
}
END_TEST

START_TEST(json_parse_exact_reports_bad_json)
{
	char err[128] = "";

	ck_assert_ptr_null(json_parse_exact("{\"a\":", 5, err, sizeof(err)));
	ck_assert_msg(strstr(err, "invalid JSON") != NULL, "%s", err);
	ck_assert_ptr_null(json_parse_exact("{} x", 4, err, sizeof(err)));
}
END_TEST

/* Fuzzing found these (fuzz/README.md): a string that starts like a marked number. */
START_TEST(json_parse_exact_refuses_forged_marks)
{
	static const char *const bad[] = {
		"{\"limit\":\"\\u0002abcdefgh\"}", "[\"\\u000112345678901234567\"]",
		"\"\x02\"", "{\"\x01k\":1}",
	};
	struct json_doc doc;
	char err[128] = "";
	cJSON *j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(json_parse_exact(bad[i], strlen(bad[i]), err, sizeof(err)) == NULL, "%s", bad[i]);
		ck_assert_msg(strstr(err, "U+0001") != NULL, "%s", err);
		json_doc_init(&doc);
		ck_assert_msg(json_doc_parse(&doc, bad[i], strlen(bad[i]), NULL, 0) == NULL, "%s", bad[i]);
		json_doc_release(&doc);
	}
	/* Elsewhere in a string they are plain characters. */
	j = json_parse_exact("[\"a\\u0002\"]", 11, err, sizeof(err));
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_get_string(cJSON_GetArrayItem(j, 0)), "a\x02");
	cJSON_Delete(j);
}
END_TEST

Suite *json_int_suite(void)
{
	Suite *s = suite_create("json_int");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, json_int_keeps_every_bit);
	tcase_add_test(tc, json_int_rejects_out_of_range);
	tcase_add_test(tc, json_int_quote_leaves_strings_alone);
	tcase_add_test(tc, json_parse_exact_reports_bad_json);
	tcase_add_test(tc, json_parse_exact_refuses_forged_marks);
	suite_add_tcase(s, tc);
	return s;
}

START_TEST(jsonw_writes_exact_json)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &sb);
	jsonw_obj_begin(&w);
	jsonw_kint64(&w, "t", INT64_C(1700000000123456789));
	jsonw_kint64(&w, "min", INT64_MIN);
	jsonw_kdouble(&w, "d", 0.1);
	jsonw_kdouble(&w, "nan", 0.0 / 0.0);
	jsonw_kstr(&w, "s", "a\"b\\c\n\x01");
	jsonw_key(&w, "arr");
	jsonw_arr_begin(&w);
	jsonw_int64(&w, 1);
	jsonw_bool(&w, 1);
	jsonw_null(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	ck_assert_str_eq(strbuf_str(&sb),
			 "{\"t\":1700000000123456789,\"min\":-9223372036854775808,\"d\":0.1,"
			 "\"nan\":null,\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"arr\":[1,true,null]}");
	strbuf_release(&sb);
}
END_TEST

/*
 * Reference UTF-8 reading, written from the code point side: decode what
 * the lead byte announces, then judge the value (overlong, surrogate, too
 * large). Returns the sequence length, or 0 with *bad = how many bytes one
 * U+FFFD stands for (the lead, plus continuations that could still have
 * made a valid sequence).
 */
static size_t ref_utf8(const unsigned char *s, size_t n, size_t *bad)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] >= 0xf0 && s[0] < 0xf8 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 :
		     s[0] >= 0xc0 && s[0] < 0xe0 ? 2 : 0;
	size_t k;

	*bad = 1;
	if (!len)
		return 0;
	for (k = 1; k < len; k++) {
		uint32_t lo, hi, cp_lo, cp_hi;
		size_t j;

		if (k >= n || (s[k] & 0xc0) != 0x80)
			return 0;
		/* The smallest and largest code point these k+1 bytes can still lead to. */
		cp_lo = s[0] & (0x7f >> len);
		for (j = 1; j <= k; j++)
			cp_lo = (cp_lo << 6) | (s[j] & 0x3f);
		cp_hi = cp_lo;
		for (; j < len; j++) {
			cp_lo <<= 6;
			cp_hi = (cp_hi << 6) | 0x3f;
		}
		lo = cp_lo > min_cp[len] ? cp_lo : min_cp[len];
		hi = cp_hi < 0x10ffff ? cp_hi : 0x10ffff;
		/* Every value left is overlong, too large or a surrogate: invalid already. */
		if (lo > hi || (lo >= 0xd800 && hi <= 0xdfff))
			return 0;
		*bad = k + 1;
	}
	return len;
}

/* The escaper against a byte-by-byte reference, fast path (nothing to escape) and slow. */
static void ref_escape(const char *s, size_t n, char *out)
{
	size_t i;

	*out++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t len, bad;

		if (c >= 0x80) {
			len = ref_utf8((const unsigned char *)s + i, n - i, &bad);
			if (len) {
				memcpy(out, s + i, len);
				out += len;
				i += len - 1;
			} else {
				out += sprintf(out, "\\ufffd");
				i += bad - 1;
			}
		} else if (c == '"' || c == '\\') {
			*out++ = '\\';
			*out++ = (char)c;
		} else if (c == '\n') {
			out += sprintf(out, "\\n");
		} else if (c == '\r') {
			out += sprintf(out, "\\r");
		} else if (c == '\t') {
			out += sprintf(out, "\\t");
		} else if (c == '\b') {
			out += sprintf(out, "\\b");
		} else if (c == '\f') {
			out += sprintf(out, "\\f");
		} else if (c < 0x20) {
			out += sprintf(out, "\\u%04x", c);
		} else {
			*out++ = (char)c;
		}
	}
	*out++ = '"';
	*out = '\0';
}

START_TEST(json_escape_matches_reference)
{
	static const char specials[] = "\"\\\n\r\t\b\f\x01\x1f";
	char in[64], want[512];
	size_t n, at, k;

	for (n = 0; n < 48; n++)
		for (at = 0; at <= n; at++)
			for (k = 0; k <= sizeof(specials) - 1; k++) {
				struct strbuf sb = STRBUF_INIT;
				size_t i;

				for (i = 0; i < n; i++)
					in[i] = (char)('a' + i % 26 + (i % 7 == 3 ? 0x80 - 'a' : 0));
				/* k == last: no special byte at all (the fast path) */
				if (k < sizeof(specials) - 1 && at < n)
					in[at] = specials[k];
				ck_assert_int_eq(strbuf_addstr(&sb, "x"), 0);
				ck_assert_int_eq(json_escape(&sb, in, n), 0);
				want[0] = 'x';
				ref_escape(in, n, want + 1);
				ck_assert_uint_eq(sb.len, strlen(want));
				ck_assert_msg(!memcmp(sb.buf, want, sb.len + 1), "n %zu at %zu k %zu: %s vs %s",
					      n, at, k, sb.buf, want);
				strbuf_release(&sb);
			}
}
END_TEST

/*
 * Every class of invalid UTF-8 becomes U+FFFD, one per maximal invalid
 * subpart, and what comes out is valid UTF-8 to iconv; valid sequences of
 * every length pass as they are.
 */
START_TEST(json_escape_replaces_invalid_utf8)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "a\x80" "b", "\"a\\ufffdb\"" },                          /* stray continuation */
		{ "\xbf\xbf", "\"\\ufffd\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },                  /* overlong '/' */
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80x", "\"\\ufffd\\ufffd\\ufffdx\"" },      /* UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* above U+10FFFF */
		{ "\xf5\xff\xfe", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82x", "\"\\ufffdx\"" },                      /* cut short: one U+FFFD */
		{ "\xf0\x9f\x98", "\"\\ufffd\"" },                    /* cut short at the end */
		{ "12345678\xc3", "\"12345678\\ufffd\"" },              /* after the 8-byte scan */
		{ "\xf4\x8f\xbf\xbf\xef\xbf\xbf", "\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\"" }, /* U+10FFFF, U+FFFF */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		ck_assert_int_eq(json_escape(&sb, cases[i].in, strlen(cases[i].in)), 0);
		ck_assert_msg(!strcmp(sb.buf, cases[i].want), "case %zu: %s", i, sb.buf);
		ck_assert_msg(utf8_valid_iconv(sb.buf, sb.len), "case %zu: invalid UTF-8 out", i);
		strbuf_release(&sb);
	}
}
END_TEST

/* Random bytes in, valid UTF-8 out, the same as the reference's. */
START_TEST(json_escape_random_bytes_are_valid_utf8)
{
	unsigned seed = 7;
	int round;

	for (round = 0; round < 20000; round++) {
		struct strbuf sb = STRBUF_INIT;
		char in[40], want[40 * 6 + 8];
		size_t n = (size_t)(round % 40), i;

		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly high bytes, so sequences are tried in every shape. */
			in[i] = (char)((seed >> 16) % 3 ? 0x80 | ((seed >> 8) & 0x7f) : (seed >> 8) & 0xff);
		}
		ck_assert_int_eq(json_escape(&sb, in, n), 0);
		ref_escape(in, n, want);
		ck_assert_msg(!strcmp(sb.buf, want), "round %d: %s vs %s", round, sb.buf, want);
		ck_assert_msg(utf8_valid_iconv(sb.buf, sb.len), "round %d: invalid UTF-8 out", round);
		strbuf_release(&sb);
	}
}
END_TEST

/* The buffers' fast paths stop at the cap exactly, leaving the contents as they were. */
START_TEST(strbuf_fast_paths_keep_the_cap)
{
	struct strbuf sb;

	strbuf_init(&sb, 12);
	ck_assert_int_eq(json_escape(&sb, "0123456789", 10), 0);       /* 12 bytes: fits */
	ck_assert_str_eq(strbuf_str(&sb), "\"0123456789\"");
	strbuf_reset(&sb);
	ck_assert_int_eq(json_escape(&sb, "01234567890", 11), -1);
	ck_assert_int_eq(sb.overflow, 1);
	ck_assert_uint_eq(sb.len, 0);
	strbuf_release(&sb);

	strbuf_init(&sb, 10);
	ck_assert_int_eq(strbuf_add(&sb, "abc", 3), 0);
	ck_assert_uint_gt(sb.alloc, 11);                        /* room past the cap */
	ck_assert_int_eq(strbuf_add(&sb, "defghij", 7), 0);     /* exactly the cap */
	ck_assert_int_eq(strbuf_add(&sb, "k", 1), -1);
	ck_assert_int_eq(strbuf_addch(&sb, 'k'), -1);
	ck_assert_int_eq(strbuf_add(&sb, "", 0), 0);
	ck_assert_str_eq(strbuf_str(&sb), "abcdefghij");
	ck_assert_int_eq(sb.overflow, 1);
	strbuf_release(&sb);
}
END_TEST

START_TEST(jsonw_latches_cap_and_nesting_errors)
{
	struct strbuf sb;
	struct jsonw w;

	strbuf_init(&sb, 10);
	jsonw_init(&w, &sb);
	jsonw_arr_begin(&w);
	jsonw_str(&w, "0123456789");
	jsonw_arr_end(&w);
	ck_assert_int_eq(jsonw_finish(&w), -1);
	strbuf_release(&sb);

	/* Numbers written in place: right up to the cap exactly, and not a byte past it. */
	{
		static const char want[] = "[123456789,-7,0.5,12.25]";
		size_t cap;

		for (cap = 1; cap <= sizeof(want) + 2; cap++) {
			strbuf_init(&sb, cap);
			jsonw_init(&w, &sb);
			jsonw_arr_begin(&w);
			jsonw_int64(&w, 123456789);
			jsonw_int64(&w, -7);
			jsonw_double(&w, 0.5);
			jsonw_dec(&w, dec_code(0, 1225, -2));
			jsonw_arr_end(&w);
			if (cap >= sizeof(want) - 1) {
				ck_assert_int_eq(jsonw_finish(&w), 0);
				ck_assert_str_eq(sb.buf, want);
			} else {
				ck_assert_int_eq(jsonw_finish(&w), -1);
				ck_assert_uint_le(sb.len, cap);
			}
			strbuf_release(&sb);
		}
	}

	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_obj_begin(&w);
	ck_assert_int_eq(jsonw_finish(&w), -1); /* unclosed */
	jsonw_arr_end(&w);                       /* mismatched but depth ok */
	jsonw_arr_end(&w);                       /* underflow */
	ck_assert_int_eq(jsonw_finish(&w), -1);
	strbuf_release(&sb);
}
END_TEST

START_TEST(jsonw_round_trips_doubles)
{
	const double vals[] = { 0.0, -0.0, 1.0 / 3.0, 1e-300, 123456.789, 1.7976931348623157e308 };
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct jsonw w;

		jsonw_init(&w, &sb);
		jsonw_double(&w, vals[i]);
		ck_assert(strtod(strbuf_str(&sb), NULL) == vals[i]);
		strbuf_release(&sb);
	}
}
END_TEST

/* The reference: what jsonw_double wrote with snprintf alone. */
static void slow_format(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(jsonw_fast_doubles_match_printf)
{
	/* Edges of the fast path, ties, decade boundaries, carries. */
	const double edges[] = {
		1e-4, 0.000099999999999999991, 0.00010000000000000001, 1e-3, 0.1, 0.5, 1, 9.5,
		0.3, 2.675, 1.0000000000000002, 0.99999999999999989, 999999999999999.9,
		99999999999999.99, 9007199254740991.0, 9007199254740992.0, 4503599627370496.5,
		1e15, 123456789012345.6, 72.07660935660918, 0.1 + 0.2, 1.0 / 3, 2.0 / 3,
		-72.07660935660918, -0.5, -1e-4, 0.000030517578125, 1.125, 0.0001220703125,
		5e-324, 2.2250738585072014e-308, 1e300, -0.0,
		/* six places: the micro path's edges */
		0.0001, 0.00011, 0.000999999, 0.441838, -0.441838, 999999999.999999, 1e9 - 1e-6,
		1e9, 123456789.000001, 0.000099, 1.5, 0.0000995, 3e-4, 7e-5,
		/* integers: the int64 path below 10^15, %g's exponent form from there */
		1, -1, 7, 42, 5000, -123456, 999999999999999.0, -999999999999999.0, 1e15 + 2,
		-1e15, 1e14, 4294967296.0, 1e16, -9007199254740993.0, 9.2233720368547758e18,
	};
	static const double pow10s[8] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7 };
	char fast[64], slow[64];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		jsonw_format_double(edges[i], fast, sizeof(fast));
		slow_format(edges[i], slow, sizeof(slow));
		ck_assert_msg(!strcmp(fast, slow), "%.17g: fast %s, printf %s", edges[i], fast, slow);
	}
	for (i = 0; i < 350000; i++) {
		uint64_t r = rng_next(&seed);
		double v;

		switch (i % 7) {
		case 6:         /* decimals of a few places: ms durations from ns, and others */
			v = (double)(int64_t)(r % 2000000000000000ULL - 1000000000000000LL) /
			    pow10s[(r >> 56) % 8];
			if ((r >> 52) & 1)
				v = (double)(int64_t)((r >> 20) % 100000) / pow10s[(r >> 56) % 8];
			break;
		case 5:         /* integers of every size around 10^15 */
			v = (double)(int64_t)(r % 4000000000000000ULL) - 2e15;
			if (r & 1)
				v = trunc(v / (double)(1ULL << (r >> 58)));
			break;
		case 0:         /* any bit pattern */
			memcpy(&v, &r, sizeof(v));
			if (!isfinite(v))
				continue;
			break;
		case 1:         /* the usual data: 0..1000 with all bits */
			v = (double)(r >> 11) / 9007199254740992.0 * 1000.0;
			break;
		case 2:         /* short decimals, as written by people */
			v = (double)(int64_t)(r % 2000000 - 1000000) / 1000.0;
			break;
		case 3:         /* dyadic fractions: exact ties for printf */
			v = (double)(r % 100000) / (double)(1u << (r >> 60));
			break;
		default:        /* across the fast path's range */
			v = ldexp((double)(r >> 11), (int)(r % 80) - 120);
			break;
		}
		jsonw_format_double(v, fast, sizeof(fast));
		slow_format(v, slow, sizeof(slow));
		ck_assert_msg(!strcmp(fast, slow), "%.17g: fast %s, printf %s", v, fast, slow);
	}
}
END_TEST

START_TEST(jsonw_int64_extremes)
{
	const int64_t vals[] = { 0, 1, -1, 9, 10, -10, 1700000000123456789LL, INT64_MAX, INT64_MIN };
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct jsonw w;

		jsonw_init(&w, &sb);
		jsonw_int64(&w, vals[i]);
		snprintf(want, sizeof(want), "%" PRId64, vals[i]);
		ck_assert_str_eq(strbuf_str(&sb), want);
		strbuf_release(&sb);
	}
	/* Every digit-count boundary, both signs: 10^k - 1, 10^k, 10^k + 1. */
	{
		uint64_t p = 1;
		char got[32];
		int k, d, sign;

		for (k = 0; k <= 19; k++, p *= 10)
			for (d = -1; d <= 1; d++)
				for (sign = 1; sign >= -1; sign -= 2) {
					uint64_t u = p + (uint64_t)(int64_t)d;
					int64_t v;

					if (u > (uint64_t)INT64_MAX)
						continue;
					v = sign * (int64_t)u;
					ck_assert_int_eq(jsonw_format_int64(v, got),
							 snprintf(want, sizeof(want), "%" PRId64, v));
					ck_assert_str_eq(got, want);
				}
	}
}
END_TEST

Suite *jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("core");

	/* Hundreds of thousands of printf comparisons: seconds under the sanitizers. */
	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);

	tcase_add_test(tc, jsonw_writes_exact_json);
	tcase_add_test(tc, jsonw_latches_cap_and_nesting_errors);
	tcase_add_test(tc, json_escape_matches_reference);
	tcase_add_test(tc, json_escape_replaces_invalid_utf8);
	tcase_add_test(tc, json_escape_random_bytes_are_valid_utf8);
	tcase_add_test(tc, strbuf_fast_paths_keep_the_cap);
	tcase_add_test(tc, jsonw_round_trips_doubles);
	tcase_add_test(tc, jsonw_fast_doubles_match_printf);
	tcase_add_test(tc, jsonw_int64_extremes);
	suite_add_tcase(s, tc);
	return s;
}
