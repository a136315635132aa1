/*
 * json_parse_exact() / json_get_int64() (json_int.h), and json_doc_parse()
 * (json_fast.h) against it.
 *
 * Checks, on every node of an accepted document:
 *  - a long integer read back exactly prints (PRId64) to the digits that
 *    were written, and those digits occur in the input; one reported out
 *    of range really is outside int64;
 *  - a short number read as int64 is that double exactly, within 2^53;
 *  - a marked number is never a string to json_get_string();
 *  - when json_doc_parse() accepts the text, json_parse_exact() accepts it
 *    too (the arena parser is the stricter one) and both trees are the
 *    same: shapes, keys, strings, doubles bit for bit, int64 reads.
 */
#define _GNU_SOURCE     /* memmem */
#include <inttypes.h>
#include <math.h>

#include "fuzz_common.h"
#include "json_fast.h"
#include "json_int.h"

static const uint8_t *g_in;
static size_t g_len;

static int is_marked(const cJSON *n)
{
	return cJSON_IsString(n) && n->valuestring &&
	       (n->valuestring[0] == JSON_INT_MARK || n->valuestring[0] == JSON_INT_MARK_PARSED);
}

/* The literal without sign and leading zeros ("0" for zero); neg set for '-'. */
static const char *digits_of(const char *lit, int *neg)
{
	*neg = *lit == '-';
	if (*neg)
		lit++;
	while (lit[0] == '0' && lit[1])
		lit++;
	return lit;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Whether the decimal digits d (no sign) with sign neg fit int64. */
static int fits_int64(const char *d, int neg)
{
	const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
	size_t n = strlen(d);

	return n < 19 || (n == 19 && strcmp(d, lim) <= 0);
}

static void check_int(const cJSON *n)
{
	int64_t v = 0;
	int rc = json_get_int64(n, &v);
	char buf[32], want[32];

	if (is_marked(n)) {
		const char *lit = n->valuestring + 1, *d;
		int neg;

		FUZZ_CHECK(json_get_string(n) == NULL, "marked number read as a string");
		/* Only the quote pass and json_doc_parse() mark, and only long integers. */
		FUZZ_CHECK(all_digits(lit + (lit[0] == '-')) &&
			   strlen(lit + (lit[0] == '-')) > JSON_INT_EXACT_DIGITS,
			   "marked string \"%s\" is not a long integer literal", lit);
		FUZZ_CHECK(json_is_number(n), "marked number not a number");
		if (n->valuestring[0] == JSON_INT_MARK_PARSED) {
			/* Only json_doc_parse() makes these, after checking the range. */
			FUZZ_CHECK(rc == JSON_OK, "pre-read int64 refused: %d", rc);
		}
		d = digits_of(lit, &neg);
		if (rc == JSON_OK) {
			snprintf(buf, sizeof(buf), "%" PRId64, v);
			snprintf(want, sizeof(want), "%s%s", neg && strcmp(d, "0") ? "-" : "", d);
			FUZZ_CHECK(!strcmp(buf, want), "literal %s read back as %s", lit, buf);
			FUZZ_CHECK(memmem(g_in, g_len, d, strlen(d)) != NULL,
				   "digits %s are not in the input", d);
		} else {
			FUZZ_CHECK(rc == JSON_ERANGE, "long literal %s: rc %d", lit, rc);
			FUZZ_CHECK(!fits_int64(d, neg), "literal %s fits int64 but was refused", lit);
		}
		return;
	}
	if (cJSON_IsNumber(n)) {
		FUZZ_CHECK(json_is_number(n), "number not a number");
		if (rc == JSON_OK) {
			FUZZ_CHECK((double)v == n->valuedouble, "%" PRId64 " != %.17g", v, n->valuedouble);
			FUZZ_CHECK(v <= (1LL << 53) && v >= -(1LL << 53), "%" PRId64 " past 2^53", v);
		} else {
			FUZZ_CHECK(rc == JSON_ERANGE || rc == JSON_EFRAC, "number rc %d", rc);
		}
		return;
	}
	FUZZ_CHECK(rc == JSON_ETYPE, "a non-number read as int64 (rc %d)", rc);
	if (cJSON_IsString(n))
		FUZZ_CHECK(json_get_string(n) == n->valuestring, "string not read as string");
}

static void walk(const cJSON *n, int depth)
{
	FUZZ_CHECK(depth <= 1100, "tree deeper than the nesting limit");
	for (; n; n = n->next) {
		check_int(n);
		if (n->child)
			walk(n->child, depth + 1);
	}
}

static void same_number(const cJSON *a, const cJSON *b)
{
	int64_t va = 0, vb = 0;
	int ra = json_get_int64(a, &va), rb = json_get_int64(b, &vb);

	FUZZ_CHECK(ra == rb, "int64 rc %d vs %d", ra, rb);
	FUZZ_CHECK(ra != JSON_OK || va == vb, "%" PRId64 " vs %" PRId64, va, vb);
}

/* a from json_parse_exact(), b from json_doc_parse(). */
static void same_tree(const cJSON *a, const cJSON *b)
{
	for (; a || b; a = a->next, b = b->next) {
		FUZZ_CHECK(a && b, "one tree has more siblings");
		FUZZ_CHECK((a->string == NULL) == (b->string == NULL), "key presence differs");
		FUZZ_CHECK(!a->string || !strcmp(a->string, b->string), "key \"%s\" vs \"%s\"",
			   a->string, b->string);
		FUZZ_CHECK(is_marked(a) == is_marked(b), "one long integer is marked, one not");
		if (is_marked(a)) {
			FUZZ_CHECK(!strcmp(a->valuestring + 1, b->valuestring + 1),
				   "long literal %s vs %s", a->valuestring + 1, b->valuestring + 1);
			same_number(a, b);
			continue;
		}
		FUZZ_CHECK((a->type & 0xff) == (b->type & 0xff), "type %d vs %d", a->type & 0xff,
			   b->type & 0xff);
		if (cJSON_IsNumber(a)) {
			FUZZ_CHECK(!memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) ||
				   (isnan(a->valuedouble) && isnan(b->valuedouble)),
				   "%.17g vs %.17g", a->valuedouble, b->valuedouble);
			FUZZ_CHECK(a->valueint == b->valueint, "valueint %d vs %d", a->valueint,
				   b->valueint);
			same_number(a, b);
		} else if (cJSON_IsString(a)) {
			FUZZ_CHECK(!strcmp(a->valuestring, b->valuestring), "string differs");
		}
		same_tree(a->child, b->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128] = "", ferr[128] = "";
	struct json_doc doc;
	cJSON *exact, *fast;

	g_in = data;
	g_len = size;
	exact = json_parse_exact((const char *)data, size, err, sizeof(err));
	FUZZ_CHECK(exact || fuzz_terminated(err, sizeof(err)), "error not terminated");
	if (exact)
		walk(exact, 0);

	json_doc_init(&doc);
	fast = json_doc_parse(&doc, (const char *)data, size, ferr, sizeof(ferr));
	if (fast) {
		walk(fast, 0);
		FUZZ_CHECK(exact != NULL, "json_doc_parse accepts what json_parse_exact refuses (%s)",
			   err);
		if (!fuzz_has_nul_escape(data, size))
			same_tree(exact, fast);
	} else {
		FUZZ_CHECK(ferr[0] && fuzz_terminated(ferr, sizeof(ferr)), "no error message");
		FUZZ_CHECK(doc.root == NULL, "root left after a failure");
	}
	json_doc_release(&doc);
	cJSON_Delete(exact);
	return 0;
}
