#include "json_int.h"
#include "strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether string text s (after its quote) decodes to a first byte of U+0001 or U+0002. */
static int forges_mark(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == JSON_INT_MARK || s[0] == JSON_INT_MARK_PARSED))
		return 1;
	return n >= 6 && !memcmp(s, "\\u000", 5) && (s[5] == '1' || s[5] == '2');
}

int json_int_quote(const char *in, size_t len, struct strbuf *out)
{
	size_t i = 0, copied = 0;

	if (strbuf_grow(out, len + 16) < 0)
		return -1;
	while (i < len) {
		char c = in[i];

		if (c == '"') {
			/* A string may not start like a marked number: cJSON would keep it so. */
			if (forges_mark(in + i + 1, len - i - 1))
				return -2;
			/* Skip the string, honouring escapes. */
			for (i++; i < len && in[i] != '"'; i++)
				if (in[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (c == '-' || is_digit(c)) {
			size_t start = i, digits = 0;
			int integer = 1;

			if (in[i] == '-')
				i++;
			while (i < len && is_digit(in[i])) {
				i++;
				digits++;
			}
			while (i < len && (is_digit(in[i]) || in[i] == '.' || in[i] == 'e' ||
					   in[i] == 'E' || in[i] == '+' || in[i] == '-')) {
				integer = 0;
				i++;
			}
			if (integer && digits > JSON_INT_EXACT_DIGITS) {
				if (strbuf_add(out, in + copied, start - copied) < 0 ||
				    strbuf_addch(out, '"') < 0 ||
				    strbuf_addch(out, JSON_INT_MARK) < 0 ||
				    strbuf_add(out, in + start, i - start) < 0 ||
				    strbuf_addch(out, '"') < 0)
					return -1;
				copied = i;
			}
			continue;
		}
		i++;
	}
	if (copied < len && strbuf_add(out, in + copied, len - copied) < 0)
		return -1;
	return 0;
}

cJSON *json_parse_exact(const char *text, size_t len, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	const char *end = NULL;
	cJSON *root = NULL;
	int rc;

	rc = json_int_quote(text, len, &sb);
	if (rc < 0) {
		if (err)
			snprintf(err, errlen, rc == -2 ? "a string starts with U+0001 or U+0002 "
				 "(not accepted)" : "out of memory");
		goto out;
	}
	/* +1: cJSON wants the NUL inside the length to prove nothing trails. */
	root = cJSON_ParseWithLengthOpts(strbuf_str(&sb), sb.len + 1, &end, 1);
	if (!root && err) {
		size_t off = end ? (size_t)(end - strbuf_str(&sb)) : 0;

		snprintf(err, errlen, "invalid JSON near byte %zu", off);
	}
out:
	strbuf_release(&sb);
	return root;
}

static int is_marked(const cJSON *item)
{
	return cJSON_IsString(item) && item->valuestring &&
	       (item->valuestring[0] == JSON_INT_MARK || item->valuestring[0] == JSON_INT_MARK_PARSED);
}

int json_get_int64(const cJSON *item, int64_t *out)
{
	if (is_marked(item) && item->valuestring[0] == JSON_INT_MARK_PARSED) {
		memcpy(out, item->valuestring - sizeof(*out), sizeof(*out));
		return JSON_OK;
	}
	if (is_marked(item)) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(item->valuestring + 1, &end, 10);
		if (errno == ERANGE)
			return JSON_ERANGE;
		if (*end)
			return JSON_ETYPE;
		*out = (int64_t)v;
		return JSON_OK;
	}
	if (cJSON_IsNumber(item)) {
		double d = item->valuedouble;

		if (!isfinite(d))
			return JSON_ERANGE;
		if (d != floor(d))
			return JSON_EFRAC;
		/* Beyond 2^53 a double can't prove which integer was written. */
		if (fabs(d) > 9007199254740992.0)
			return fabs(d) >= 9223372036854775808.0 ? JSON_ERANGE : JSON_EFRAC;
		*out = (int64_t)d;
		return JSON_OK;
	}
	return JSON_ETYPE;
}

int json_get_double(const cJSON *item, double *out)
{
	if (is_marked(item)) {
		*out = strtod(item->valuestring + 1, NULL);
		return JSON_OK;
	}
	if (cJSON_IsNumber(item)) {
		*out = item->valuedouble;
		return JSON_OK;
	}
	return JSON_ETYPE;
}

const char *json_get_string(const cJSON *item)
{
	if (!cJSON_IsString(item) || !item->valuestring || is_marked(item))
		return NULL;
	return item->valuestring;
}

int json_is_number(const cJSON *item)
{
	return cJSON_IsNumber(item) || is_marked(item);
}

const char *json_number_text(const cJSON *item, char *buf, size_t buflen)
{
	if (is_marked(item))
		return item->valuestring + 1;
	if (cJSON_IsNumber(item)) {
		snprintf(buf, buflen, "%.17g", item->valuedouble);
		return buf;
	}
	return "(not a number)";
}

const char *json_int_strerror(int rc)
{
	switch (rc) {
	case JSON_OK:
		return "ok";
	case JSON_ETYPE:
		return "wrong type";
	case JSON_ERANGE:
		return "out of int64 range";
	case JSON_EFRAC:
		return "not an exact integer";
	}
	return "unknown error";
}
