/* json_fast: the arena parser agrees with cJSON + json_int on every tree, and is strict. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_fast.h"
#include "json_int.h"
#include "jsonw.h"
#include "tsp_model.h"

/* Same shape, same strings, same numbers (bit for bit), same exact integers. */
static void same_tree(const cJSON *a, const cJSON *b, const char *where)
{
	const cJSON *x, *y;
	int64_t ia, ib;
	int ra, rb;

	ck_assert_msg((a->type & 0xff) == (b->type & 0xff), "%s: type %d vs %d", where, a->type, b->type);
	ck_assert_msg((a->string == NULL) == (b->string == NULL), "%s: key presence", where);
	if (a->string)
		ck_assert_str_eq(a->string, b->string);
	if (json_is_number(a)) {
		ck_assert_msg(json_is_number(b), "%s: number vs not", where);
		ra = json_get_int64(a, &ia);
		rb = json_get_int64(b, &ib);
		ck_assert_int_eq(ra, rb);
		if (ra == JSON_OK)
			ck_assert_msg(ia == ib, "%s: %" PRId64 " vs %" PRId64, where, ia, ib);
		if (cJSON_IsNumber(a))
			ck_assert_msg(memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) == 0,
				      "%s: %.17g vs %.17g", where, a->valuedouble, b->valuedouble);
		else
			ck_assert_str_eq(a->valuestring + 1, b->valuestring + 1);
	} else if (cJSON_IsString(a)) {
		ck_assert_str_eq(a->valuestring, b->valuestring);
	}
	for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
		same_tree(x, y, where);
	ck_assert_msg(!x && !y, "%s: child counts differ", where);
}

static void agree(const char *text, size_t len, const char *where)
{
	struct json_doc d;
	cJSON *ref, *fast;
	char e1[128], e2[128];

	json_doc_init(&d);
	ref = json_parse_exact(text, len, e1, sizeof(e1));
	fast = json_doc_parse(&d, text, len, e2, sizeof(e2));
	ck_assert_msg((ref == NULL) == (fast == NULL), "%s: cJSON %s, json_fast %s", where,
		      ref ? "accepts" : e1, fast ? "accepts" : e2);
	if (ref)
		same_tree(ref, fast, where);
	cJSON_Delete(ref);
	json_doc_release(&d);
}

START_TEST(agrees_with_cjson_on_every_fixture)
{
	char dirbuf[512];
	const char *dir = src_path(dirbuf, sizeof(dirbuf), "tests/fixtures/tsp");
	struct dirent *de;
	DIR *dp = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp))) {
		char path[1024];
		size_t len;
		char *text;

		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = read_file(path, &len);
		ck_assert_ptr_nonnull(text);
		agree(text, len, de->d_name);
		free(text);
		n++;
	}
	closedir(dp);
	ck_assert_int_gt(n, 20);
}
END_TEST

START_TEST(agrees_on_values_and_refuses_mistakes)
{
	static const char *docs[] = {
		"{}", "[]", "[1,2,3]", " {\"a\" : [ true , false , null ] } ", "\"x\"", "0", "-0",
		"123", "-123", "1.5", "-1.5e3", "1E+2", "1e-2", "0.000001", "[1e400]", "[-1e-400]",
		"[123456789012345]", "[1234567890123456]", "[-1234567890123456789]",
		"[9223372036854775807]", "[-9223372036854775808]", "[9223372036854775808]",
		"[99999999999999999999999]", "[12345678901234567890.5]", "[0.1234567890123456789012]",
		"[72.07660935660918]", "[1700000000500644597]", "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
		"\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\"", "{\"dup\":1,\"dup\":2}",
	};
	/* RFC 8259 says no to each (cJSON lets some through, e.g. "[1.]"). */
	static const char *bad[] = {
		"", " ", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[1e+]",
		"[+1]", "\"abc", "[\"a\\x\"]", "{a:1}", "{\"a\" 1}", "[1 2]", "tru", "nul",
		"[true false]", "[1]x", "{\"a\":1}}", "[[1]", "[\"\\u12\"]", "[NaN]", "[Infinity]",
		"[0x10]", "[-01]", "[1.e5]",
	};
	struct json_doc d;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		agree(docs[i], strlen(docs[i]), docs[i]);
	json_doc_init(&d);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(json_doc_parse(&d, bad[i], strlen(bad[i]), err, sizeof(err)) == NULL,
			      "accepted %s", bad[i]);
	json_doc_release(&d);
}
END_TEST

START_TEST(strict_where_cjson_is_lenient)
{
	static const char *bad[] = {
		"[\"a\tb\"]",                   /* raw control character */
		"[\"\\udc00\"]",                /* lone low surrogate */
		"[\"\\ud800\"]",                /* high surrogate alone */
		"[\"\\ud800\\u0041\"]",         /* high surrogate + not a low one */
		"[\"\\u0001123\"]",          /* would pass for a marked number */
		"{\"\\u0002\":1}",             /* in a key too */
	};
	struct json_doc d;
	char err[128];
	size_t i;

	json_doc_init(&d);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(json_doc_parse(&d, bad[i], strlen(bad[i]), err, sizeof(err)) == NULL,
			      "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "invalid JSON near byte"));
	}
	/* The error names where it went wrong. */
	ck_assert_ptr_null(json_doc_parse(&d, "[1, 2, x]", 9, err, sizeof(err)));
	ck_assert_str_eq(err, "invalid JSON near byte 7");
	json_doc_release(&d);
}
END_TEST

START_TEST(exact_integers_and_decoded_strings)
{
	const char *t = "{\"t\":[1700000000500644597,-9223372036854775808,9223372036854775807,"
			"9223372036854775808,12],\"s\":\"\\u00e9\\ud83d\\ude00\"}";
	struct json_doc d;
	cJSON *r, *v;
	int64_t x;

	json_doc_init(&d);
	r = json_doc_parse(&d, t, strlen(t), NULL, 0);
	ck_assert_ptr_nonnull(r);
	v = cJSON_GetObjectItemCaseSensitive(r, "t")->child;
	ck_assert_int_eq(json_get_int64(v, &x), JSON_OK);
	ck_assert(x == 1700000000500644597LL);
	v = v->next;
	ck_assert_int_eq(json_get_int64(v, &x), JSON_OK);
	ck_assert(x == INT64_MIN);
	v = v->next;
	ck_assert_int_eq(json_get_int64(v, &x), JSON_OK);
	ck_assert(x == INT64_MAX);
	v = v->next;
	ck_assert_int_eq(json_get_int64(v, &x), JSON_ERANGE);
	ck_assert_str_eq(json_number_text(v, NULL, 0), "9223372036854775808");
	v = v->next;
	ck_assert_int_eq(json_get_int64(v, &x), JSON_OK);
	ck_assert(x == 12);
	/* A marked number is not a string. */
	ck_assert_ptr_null(json_get_string(cJSON_GetObjectItemCaseSensitive(r, "t")->child));
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(r, "s")),
			 "\xc3\xa9\xf0\x9f\x98\x80");
	json_doc_release(&d);
}
END_TEST

START_TEST(nesting_is_bounded)
{
	size_t n = JSON_FAST_MAX_DEPTH + 1, i;
	char *t = malloc(2 * n + 1);
	struct json_doc d;
	char err[128];

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++) {
		t[i] = '[';
		t[2 * n - 1 - i] = ']';
	}
	json_doc_init(&d);
	ck_assert_ptr_null(json_doc_parse(&d, t, 2 * n, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "nesting deeper than"));
	/* One level less is fine. */
	ck_assert_ptr_nonnull(json_doc_parse(&d, t + 1, 2 * n - 2, err, sizeof(err)));
	json_doc_release(&d);
	free(t);
}
END_TEST

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(decimals_round_like_strtod)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	struct json_doc d;
	char text[96];
	size_t i;

	json_doc_init(&d);
	for (i = 0; i < 400000; i++) {
		uint64_t r = rng(&seed), r2 = rng(&seed);
		int digits = 1 + (int)(r2 % 20), point = (int)((r2 >> 8) % (unsigned)(digits + 1));
		int exp = (int)((r2 >> 16) % 61) - 30, k, n = 0;
		cJSON *root;

		/* digits significant digits, a point somewhere, sometimes an exponent */
		if (r & 1)
			text[n++] = '-';
		for (k = 0; k < digits; k++) {
			if (k == point && k)
				text[n++] = '.';
			text[n++] = (char)('0' + (k == 0 ? 1 + (rng(&seed) % 9) : rng(&seed) % 10));
		}
		if (r & 2)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "e%d", exp);
		text[n] = '\0';
		root = json_doc_parse(&d, text, (size_t)n, NULL, 0);
		ck_assert_msg(root != NULL, "rejected %s", text);
		if (cJSON_IsNumber(root)) {
			double want = strtod(text, NULL);

			ck_assert_msg(memcmp(&want, &root->valuedouble, sizeof(want)) == 0,
				      "%s: %.17g, strtod %.17g", text, root->valuedouble, want);
		}
	}
	json_doc_release(&d);
}
END_TEST

static const char *const pack[] = { "x", "y", NULL };

static const struct json_packed *packed_of(struct json_doc *d, const char *text, const char *key)
{
	cJSON *r = json_doc_parse_packed(d, text, strlen(text), pack, NULL, 0);

	ck_assert_msg(r != NULL, "rejected %s", text);
	return json_packed(cJSON_GetObjectItemCaseSensitive(r, key));
}

START_TEST(packed_arrays_only_when_exact)
{
	struct json_doc d;
	const struct json_packed *p;
	cJSON *r;

	json_doc_init(&d);
	p = packed_of(&d, "{\"x\":[1700000000500644597, -9223372036854775808 ,3]}", "x");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->n, 3);
	ck_assert_int_eq(p->all_int, 1);
	ck_assert(p->i[0] == 1700000000500644597LL && p->i[1] == INT64_MIN && p->i[2] == 3);
	ck_assert(p->d[0] == 1700000000500644597.0);
	p = packed_of(&d, "{\"y\":[0, 72.07660935660918, -1.5e-3, 12]}", "y");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->all_int, 0);
	ck_assert(p->d[1] == 72.07660935660918 && p->d[2] == -1.5e-3 && p->d[3] == 12);
	/* Not packed: a null, a long integer among decimals, beyond int64, empty, other keys. */
	ck_assert_ptr_null(packed_of(&d, "{\"y\":[1.5,null,2]}", "y"));
	ck_assert_ptr_null(packed_of(&d, "{\"y\":[1.5,1700000000500644597]}", "y"));
	ck_assert_ptr_null(packed_of(&d, "{\"x\":[1,9223372036854775808]}", "x"));
	ck_assert_ptr_null(packed_of(&d, "{\"x\":[ ]}", "x"));
	ck_assert_ptr_null(packed_of(&d, "{\"z\":[1,2,3]}", "z"));
	/* The ordinary array left behind is whole. */
	r = json_doc_parse_packed(&d, "{\"y\":[1.5,null,2]}", 18, pack, NULL, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "y")), 3);
	/* Mistakes inside a would-be packed array are still mistakes. */
	ck_assert_ptr_null(json_doc_parse_packed(&d, "{\"x\":[1,,2]}", strlen("{\"x\":[1,,2]}"), pack, NULL, 0));
	ck_assert_ptr_null(json_doc_parse_packed(&d, "{\"x\":[1,2,]}", strlen("{\"x\":[1,2,]}"), pack, NULL, 0));
	ck_assert_ptr_null(json_doc_parse_packed(&d, "{\"x\":[1 2]}", strlen("{\"x\":[1 2]}"), pack, NULL, 0));
	ck_assert_ptr_null(json_doc_parse_packed(&d, "{\"x\":[01]}", strlen("{\"x\":[01]}"), pack, NULL, 0));
	ck_assert_ptr_null(json_doc_parse_packed(&d, "{\"x\":[1,2", strlen("{\"x\":[1,2"), pack, NULL, 0));
	json_doc_release(&d);
}
END_TEST

/* One literal in a packed mixed array: its double, and its decimal code written back. */
static void dec_case(struct json_doc *d, const char *lit, const char *want_text)
{
	char text[128], out[64];
	const struct json_packed *p;
	uint64_t code;
	double want = strtod(lit, NULL), back;

	snprintf(text, sizeof(text), "{\"y\":[0.5, %s]}", lit);
	p = packed_of(d, text, "y");
	ck_assert_msg(p && p->n == 2 && !p->all_int, "%s: not packed", lit);
	ck_assert_msg(memcmp(&p->d[1], &want, sizeof(want)) == 0, "%s: %.17g", lit, p->d[1]);
	code = (uint64_t)p->i[1];
	if (!want_text) {
		ck_assert_msg(code == 0, "%s: has a code", lit);
		return;
	}
	ck_assert_msg(code != 0, "%s: no code", lit);
	jsonw_format_dec(code, out);
	ck_assert_str_eq(out, want_text);
	back = strtod(out, NULL);
	ck_assert_msg(memcmp(&back, &want, sizeof(want)) == 0, "%s: %s reads as %.17g", lit, out, back);
}

START_TEST(packed_decimals_keep_their_digits)
{
	uint64_t seed = 0x51afd6c3b2e1f0a9ULL;
	struct json_doc d;
	size_t i;

	json_doc_init(&d);
	dec_case(&d, "41.277885067261941", "41.277885067261941");
	dec_case(&d, "1.50", "1.50");
	dec_case(&d, "-0.000123", "-0.000123");
	dec_case(&d, "0.0", NULL);                      /* zero: the double is written */
	dec_case(&d, "12", "12");                       /* an integer among decimals */
	dec_case(&d, "-7", "-7");
	dec_case(&d, "1e5", "1e5");
	dec_case(&d, "2.5E+3", "25e2");
	dec_case(&d, "12345678901234567e-20", "0.00012345678901234567");
	dec_case(&d, "1.5e-40", NULL);                  /* exponent out of the code's range */
	dec_case(&d, "123456789012345678.5", NULL);     /* more digits than a code holds */
	dec_case(&d, "0.1234567890123456789012", NULL); /* digits beyond 19 were dropped */
	/* Random literals: whatever has a code writes text that reads back as the same double. */
	for (i = 0; i < 200000; i++) {
		uint64_t r = rng(&seed), r2 = rng(&seed);
		int digits = 1 + (int)(r2 % 19), lead = (int)((r2 >> 8) % 4), point = (int)((r2 >> 16) % (unsigned)(digits + 1));
		char lit[80], text[128], out[64];
		const struct json_packed *p;
		int k, n = 0;
		double want, back;

		if (r & 1)
			lit[n++] = '-';
		if (r & 2) {            /* 0.000ddd: zeros that are not significant */
			lit[n++] = '0';
			lit[n++] = '.';
			for (k = 0; k < lead; k++)
				lit[n++] = '0';
			point = -1;
		}
		for (k = 0; k < digits; k++) {
			if (k == point && k)
				lit[n++] = '.';
			lit[n++] = (char)('0' + (k == 0 ? 1 + (rng(&seed) % 9) : rng(&seed) % 10));
		}
		if (r & 4)
			n += snprintf(lit + n, sizeof(lit) - (size_t)n, "e%d", (int)((r >> 8) % 50) - 25);
		lit[n] = '\0';
		snprintf(text, sizeof(text), "{\"y\":[%s,0.5]}", lit);
		p = packed_of(&d, text, "y");
		if (!p && !strpbrk(lit, ".e") && digits > JSON_INT_EXACT_DIGITS)
			continue;       /* a long integer among decimals: never packed */
		ck_assert_msg(p && p->n == 2 && !p->all_int, "%s: not packed", lit);
		want = strtod(lit, NULL);
		ck_assert_msg(memcmp(&p->d[0], &want, sizeof(want)) == 0, "%s: %.17g", lit, p->d[0]);
		if (!p->i[0])
			continue;
		jsonw_format_dec((uint64_t)p->i[0], out);
		back = strtod(out, NULL);
		ck_assert_msg(memcmp(&back, &want, sizeof(want)) == 0, "%s: %s reads as %.17g", lit, out, back);
	}
	json_doc_release(&d);
}
END_TEST

/* Element counts across the 8-byte steps of the comma count, with blanks anywhere. */
START_TEST(packed_counts_every_element)
{
	static const char *const blanks[] = { "", " ", "\n\t ", "\r\n        " };
	struct json_doc d;
	char text[4096];
	size_t n, k, len;

	json_doc_init(&d);
	for (n = 1; n < 70; n++) {
		len = (size_t)snprintf(text, sizeof(text), "{\"x\":[%s", blanks[n % 4]);
		for (k = 0; k < n; k++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%zu%s%s", k ? "," : "",
						k * 7919 % (n + 3), blanks[(k + n) % 4], blanks[k % 3]);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "]}");
		{
			const struct json_packed *p = packed_of(&d, text, "x");

			ck_assert_msg(p != NULL, "%s: not packed", text);
			ck_assert_uint_eq(p->n, n);
			for (k = 0; k < n; k++)
				ck_assert(p->i[k] == (int64_t)(k * 7919 % (n + 3)));
		}
	}
	/* A string or a nested array holding ']' or ',' is not a packed array, and stays whole. */
	{
		static const char t1[] = "{\"x\":[1,\"a],b\",2]}", t2[] = "{\"x\":[[1,2],[3]]}";
		cJSON *r = json_doc_parse_packed(&d, t1, strlen(t1), pack, NULL, 0);

		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "x")), 3);
		r = json_doc_parse_packed(&d, t2, strlen(t2), pack, NULL, 0);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "x")), 2);
	}
	json_doc_release(&d);
}
END_TEST

/* tsp_model_parse (packed) and the cJSON path give the same XY model, errors included. */
START_TEST(packed_xy_models_match_cjson)
{
	static const char *docs[] = {
		"{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"a\","
		"\"xValues\":[1700000000500644597,1700000000505647098],\"yValues\":[0.1,72.07660935660918]}]},"
		"\"status\":\"COMPLETED\",\"statusMessage\":\"\"}",
		"{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"a\","
		"\"xValues\":[1,2.5],\"yValues\":[1,2]}]},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}",
		"{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"a\","
		"\"xValues\":[1,2,3],\"yValues\":[1,2]}]},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}",
		"{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":1,\"seriesName\":\"a\","
		"\"xValues\":[1e300,2],\"yValues\":[1,null]}]},\"status\":\"COMPLETED\",\"statusMessage\":\"\"}",
	};
	size_t i, k;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct tsp_model a, b;
		struct tsp_error ea, eb;
		cJSON *root = json_parse_exact(docs[i], strlen(docs[i]), NULL, 0);
		int ra, rb;

		ck_assert_ptr_nonnull(root);
		tsp_model_init(&a);
		tsp_model_init(&b);
		ra = tsp_model_parse(&a, TSP_M_XY, docs[i], strlen(docs[i]), &ea);
		rb = tsp_model_parse_json(&b, TSP_M_XY, root, &eb);
		ck_assert_int_eq(ra, rb);
		if (ra) {
			ck_assert_str_eq(ea.msg, eb.msg);
		} else {
			const struct tsp_xy_series *sa = a.u.xy.series, *sb = b.u.xy.series;

			ck_assert_uint_eq(sa->n_x, sb->n_x);
			ck_assert_uint_eq(sa->n_y, sb->n_y);
			for (k = 0; k < sa->n_x; k++)
				ck_assert(sa->x[k] == sb->x[k]);
			for (k = 0; k < sa->n_y; k++)
				ck_assert(memcmp(&sa->y[k], &sb->y[k], sizeof(double)) == 0);
		}
		tsp_model_release(&a);
		tsp_model_release(&b);
		cJSON_Delete(root);
	}
}
END_TEST

static enum json_member skip_junk(const char *key, size_t len)
{
	ck_assert_uint_eq(len, strlen(key));
	if (!strcmp(key, "map"))
		return JSON_KEEP_ALL;
	return strcmp(key, "junk") ? JSON_KEEP : JSON_SKIP;
}

/*
 * A member no reader reads is checked but not kept: 200k numbers under it
 * cost nothing, where a tree of them is tens of MB; its text must still be
 * JSON; under a KEEP_ALL member nothing is skipped; the budget refuses a
 * tree that would outgrow it.
 */
START_TEST(unread_members_cost_nothing)
{
	static const struct json_fast_opts skip = { NULL, skip_junk, 0 }, small = { NULL, NULL, 64 << 10 };
	static const char *const bad[] = {
		"{\"junk\":[1,2,]}", "{\"junk\":[01]}", "{\"junk\":\"\\u12\"}", "{\"junk\":\"\\udc00\"}",
		"{\"junk\":\"a\x01\"}", "{\"junk\":{\"a\" 1}}", "{\"junk\":tru}", "{\"junk\":[1}", "{\"junk\":",
		"{\"junk\":\"\\x\"}", "{\"junk\":{\"a\":1,}}", "{\"junk\":1 2}",
	};
	struct strbuf sb = STRBUF_INIT;
	struct json_doc d;
	char err[128];
	cJSON *root;
	size_t i, full;

	strbuf_addstr(&sb, "{\"a\":1,\"junk\":[");
	for (i = 0; i < 200000; i++)
		strbuf_addstr(&sb, i ? ",1" : "1");
	strbuf_addstr(&sb, "],\"b\":{\"junk\":{\"x\":[{\"y\":\"\\ud83d\\ude00\"},true,null,-1.5e3]},\"c\":\"s\"},"
		      "\"map\":{\"junk\":7}}");
	json_doc_init(&d);
	root = json_doc_parse(&d, sb.buf, sb.len, err, sizeof(err));
	ck_assert_ptr_nonnull(root);
	full = arena_bytes(&d.arena);
	root = json_doc_parse_opts(&d, sb.buf, sb.len, &skip, err, sizeof(err));
	ck_assert_msg(root != NULL, "%s", err);
	ck_assert_msg(arena_bytes(&d.arena) < 64 << 10, "%zu bytes kept (%zu without skipping)",
		      arena_bytes(&d.arena), full);
	ck_assert_uint_gt(full, (size_t)10 << 20);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "a")->valueint, 1);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(root, "junk"));
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "b"), "c")->valuestring, "s");
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "b"), "junk"));
	/* Under a map everything is data. */
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "map"),
							  "junk")->valueint, 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!json_doc_parse_opts(&d, bad[i], strlen(bad[i]), &skip, err, sizeof(err)),
			      "accepted: %s", bad[i]);
	/* Nesting is bounded where nothing is kept, too. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "{\"junk\":");
	for (i = 0; i < JSON_FAST_MAX_DEPTH + 5; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < JSON_FAST_MAX_DEPTH + 5; i++)
		strbuf_addch(&sb, ']');
	strbuf_addch(&sb, '}');
	ck_assert_ptr_null(json_doc_parse_opts(&d, sb.buf, sb.len, &skip, err, sizeof(err)));
	ck_assert_str_eq(err, "nesting deeper than 1000");
	/* The budget: 10k numbers as nodes do not fit in 64 KiB. */
	strbuf_reset(&sb);
	strbuf_addch(&sb, '[');
	for (i = 0; i < 10000; i++)
		strbuf_addstr(&sb, i ? ",1" : "1");
	strbuf_addch(&sb, ']');
	ck_assert_ptr_null(json_doc_parse_opts(&d, sb.buf, sb.len, &small, err, sizeof(err)));
	ck_assert_msg(!strncmp(err, "too large to read", 17), "%s", err);
	ck_assert_ptr_nonnull(json_doc_parse_opts(&d, sb.buf, sb.len, NULL, err, sizeof(err)));
	json_doc_release(&d);
	strbuf_release(&sb);
}
END_TEST

Suite *json_fast_suite(void)
{
	Suite *s = suite_create("json_fast");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, agrees_with_cjson_on_every_fixture);
	tcase_add_test(tc, agrees_on_values_and_refuses_mistakes);
	tcase_add_test(tc, strict_where_cjson_is_lenient);
	tcase_add_test(tc, exact_integers_and_decoded_strings);
	tcase_add_test(tc, nesting_is_bounded);
	tcase_add_test(tc, decimals_round_like_strtod);
	tcase_add_test(tc, packed_arrays_only_when_exact);
	tcase_add_test(tc, packed_xy_models_match_cjson);
	tcase_add_test(tc, unread_members_cost_nothing);
	tcase_add_test(tc, packed_decimals_keep_their_digits);
	tcase_add_test(tc, packed_counts_every_element);
	suite_add_tcase(s, tc);
	return s;
}
