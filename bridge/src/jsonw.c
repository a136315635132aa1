#include "jsonw.h"
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

/* Comma before every value but the first of its container. */
static void value_prefix(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = 0;
}

static void open_(struct jsonw *w, char c)
{
	value_prefix(w);
	if (w->depth + 1 >= JSONW_MAX_DEPTH) {
		w->err = 1;
		return;
	}
	put(w, &c, 1);
	w->first[++w->depth] = 1;
}

static void close_(struct jsonw *w, char c)
{
	if (w->depth <= 0 || w->after_key) {
		w->err = 1;
		return;
	}
	w->depth--;
	put(w, &c, 1);
}

void jsonw_obj_begin(struct jsonw *w) { open_(w, '{'); }
void jsonw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jsonw_arr_begin(struct jsonw *w) { open_(w, '['); }
void jsonw_arr_end(struct jsonw *w) { close_(w, ']'); }

int json_escape(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	if (strbuf_addch(sb, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* Flush the plain run before this character. */
		if (strbuf_add(sb, s + run, i - run) < 0)
			return -1;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
			esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
			elen = 6;
		}
		if (strbuf_add(sb, esc, elen) < 0)
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
	put(w, ":", 1);
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

void jsonw_int64(struct jsonw *w, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	value_prefix(w);
	put(w, buf, (size_t)n);
}

void jsonw_double(struct jsonw *w, double v)
{
	char buf[32];
	int n;

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	/* Shortest of %.15g/%.17g that reads back as the same double. */
	n = snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		n = snprintf(buf, sizeof(buf), "%.17g", v);
	value_prefix(w);
	put(w, buf, (size_t)n);
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
