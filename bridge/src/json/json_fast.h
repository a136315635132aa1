#ifndef JSON_FAST_H
#define JSON_FAST_H

/*
 * A fast, strict JSON parser for large TSP answers, producing cJSON nodes
 * in an arena.
 *
 * Why: cJSON mallocs every node and string and reads every number with
 * strtod; on a 5 MB XY answer that was three quarters of the bridge's
 * translation time. This parser makes one pass, bump-allocates nodes, reads
 * integers exactly and most decimals with an exact fast path (falling back
 * to strtod only where the fast path could round differently).
 *
 * The tree is cJSON-shaped (next/prev/child/type/string/valuestring/
 * valuedouble), so every reader of json_parse_exact() trees works on it,
 * json_int.h helpers included: integer literals with more than
 * JSON_INT_EXACT_DIGITS digits become marked strings exactly as there.
 * It is NOT made by cJSON's allocator: never cJSON_Delete() it; release
 * the document instead.
 *
 * Strictness matches cJSON's: RFC 8259 values, no trailing commas, no
 * comments, nothing but whitespace after the value; nesting is limited to
 * JSON_FAST_MAX_DEPTH. Strings may hold any valid \u escape (surrogate
 * pairs become one UTF-8 sequence; a lone surrogate is refused, and so is a
 * string starting with U+0001 or U+0002, the bytes of json_int.h's markers).
 */

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"

#define JSON_FAST_MAX_DEPTH 1000

struct json_doc {
	struct arena arena;     /* owns every node and string */
	cJSON *root;            /* NULL until parsed */
};

void json_doc_init(struct json_doc *d);
void json_doc_release(struct json_doc *d);

/*
 * Parses text[0..len) (NUL not needed) into d, released first. Returns the
 * root, or NULL with "invalid JSON near byte N" (or "out of memory", or
 * "nesting deeper than N") in err, which may be NULL; d is then empty.
 */
cJSON *json_doc_parse(struct json_doc *d, const char *text, size_t len, char *err, size_t errlen);

/*
 * Packed arrays: the same, but an array of numbers that is the value of an
 * object member named in pack_keys (NULL-terminated) becomes ONE node,
 * type cJSON_Array | JSON_FAST_PACKED, with no children: 16 bytes an
 * element instead of a node each (a 2000-series XY answer went from 260 MB
 * of nodes to 35 MB). Only a caller that reads those members with
 * json_packed() may ask for this. An array is packed when every element is
 * a number and, if some are decimals, no integer has more than
 * JSON_INT_EXACT_DIGITS digits; integers beyond int64, nulls or anything
 * else leave it an ordinary array.
 */
#define JSON_FAST_PACKED (1 << 12)

struct json_packed {
	size_t n;
	int all_int;            /* every element an integer literal: i[] exact */
	double *d;              /* each element as strtod would read it */
	/*
	 * all_int: each element exactly. Otherwise each element's decimal
	 * code (dec.h), the digits as written, 0 where they do not fit one.
	 */
	int64_t *i;
};

cJSON *json_doc_parse_packed(struct json_doc *d, const char *text, size_t len,
			     const char *const *pack_keys, char *err, size_t errlen);

/*
 * What to do with an object member, by its name (json_fast_opts.member):
 * skip its value (checked as strictly as the rest, but no node made: the
 * tree simply lacks the member), keep it, or keep it and everything under
 * it (a map whose keys are data, such as metadata or style values).
 */
enum json_member { JSON_SKIP, JSON_KEEP, JSON_KEEP_ALL };

struct json_fast_opts {
	const char *const *pack_keys;           /* as json_doc_parse_packed(); may be NULL */
	/* NULL: keep every member; len is strlen(key) (a key may hold U+0000 no more). */
	enum json_member (*member)(const char *key, size_t len);
	/*
	 * What the tree may take (nodes, strings, packed arrays), 0 for no
	 * limit; past it the parse fails with "too large to read: ..." in err.
	 */
	size_t max_bytes;
};

/* The most general form: json_doc_parse() and _packed() are it with fewer options. */
cJSON *json_doc_parse_opts(struct json_doc *d, const char *text, size_t len,
			   const struct json_fast_opts *o, char *err, size_t errlen);
/* The packed contents of v, or NULL when v is not a packed array. */
const struct json_packed *json_packed(const cJSON *v);

/*
 * One number literal at *p (before end), read exactly as json_doc_parse()
 * reads it into a cJSON number's valuedouble. Returns 0 and moves *p past
 * it; -1 (*p untouched) when the text there is not a number, or is an
 * integer literal of more than JSON_INT_EXACT_DIGITS digits (the parser
 * makes those marked strings), or memory ran out. What follows the literal
 * is the caller's to check. For readers that skip the tree (tg_states_reader.c).
 */
int json_fast_number(const char **p, const char *end, double *out);

#endif
