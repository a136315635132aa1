#ifndef JSON_INT_H
#define JSON_INT_H

/*
 * Exact int64 on top of cJSON.
 *
 * cJSON keeps every number as a double, which cannot hold TSP's nanosecond
 * timestamps (~1.7e18). json_parse_exact() first makes one linear pass over
 * the text and turns each integer literal too long for a double into a
 * string carrying a private marker byte; json_get_int64() reads either form
 * back exactly with strtoll, and rejects values outside int64 instead of
 * wrapping. The marker keeps types strict: a marked number is not a string
 * to json_get_string(), and a real JSON string is not a number.
 */

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct strbuf;

/* Integer literals with more digits than this are quoted (2^53 has 16). */
#define JSON_INT_EXACT_DIGITS 15
#define JSON_INT_MARK '\x01'
/*
 * json_doc_parse() (json_fast.h) marks with this instead when it has read
 * the value already: the int64 sits in the 8 bytes just before the marker,
 * so json_get_int64() needs no strtoll. Out-of-range literals keep
 * JSON_INT_MARK.
 */
#define JSON_INT_MARK_PARSED '\x02'

enum json_int_rc {
	JSON_OK = 0,
	JSON_ETYPE = -1,   /* not a number (or not a string, for strings) */
	JSON_ERANGE = -2,  /* integer outside int64 */
	JSON_EFRAC = -3,   /* a number that is not an exact integer */
};

/*
 * Appends `in` to `out` with long integer literals marked. Pure text pass;
 * returns -1 when `out` refuses to grow (its cap), -2 for a string starting
 * with U+0001 or U+0002 (it would pass for a marked number), 0 otherwise.
 * Malformed JSON is passed through for cJSON to reject.
 */
int json_int_quote(const char *in, size_t len, struct strbuf *out);

/*
 * Parses JSON text exactly. Returns a tree the caller frees with
 * cJSON_Delete(), or NULL with a message in err (which may be NULL).
 */
cJSON *json_parse_exact(const char *text, size_t len, char *err, size_t errlen);

int json_get_int64(const cJSON *item, int64_t *out);
/* Any number, including marked long integers (then rounded to double). */
int json_get_double(const cJSON *item, double *out);
/* A real JSON string; NULL for anything else, including marked numbers. */
const char *json_get_string(const cJSON *item);
/* True for numbers and marked long integers. */
int json_is_number(const cJSON *item);
/*
 * The number as it was written, for error messages: the literal of a marked
 * integer, or a %.17g rendering into buf.
 */
const char *json_number_text(const cJSON *item, char *buf, size_t buflen);

const char *json_int_strerror(int rc);

#endif
