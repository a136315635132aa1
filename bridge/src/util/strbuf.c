#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t effective_cap(const struct strbuf *sb)
{
	return sb->cap ? sb->cap : SIZE_MAX / 2;
}

void strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap;
	sb->overflow = 0;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb, sb->cap);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->overflow = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *ret = sb->buf;

	if (!ret)
		ret = calloc(1, 1);
	if (len)
		*len = sb->len;
	strbuf_init(sb, sb->cap);
	return ret;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want, nalloc;
	char *nbuf;

	if (extra > effective_cap(sb) - sb->len) {
		sb->overflow = 1;
		return -1;
	}
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	/* Grow geometrically so appends stay amortised O(1). */
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < want)
		nalloc = nalloc < SIZE_MAX / 4 ? nalloc * 2 : want;
	nbuf = realloc(sb->buf, nalloc);
	if (!nbuf) {
		sb->overflow = 1;
		return -1;
	}
	nbuf[sb->len] = '\0';
	sb->buf = nbuf;
	sb->alloc = nalloc;
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	/* Common case: the room is there (alloc > len whenever buf is), no call to grow. */
	if (!(n < sb->alloc - sb->len && n <= effective_cap(sb) - sb->len) && strbuf_grow(sb, n) < 0)
		return -1;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, char c)
{
	if (sb->len + 1 < sb->alloc && sb->len < effective_cap(sb)) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
		return 0;
	}
	return strbuf_add(sb, &c, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL,
		      sb->buf ? sb->alloc - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (sb->buf && (size_t)n < sb->alloc - sb->len) {
		if ((size_t)n > effective_cap(sb) - sb->len) {
			sb->buf[sb->len] = '\0';
			sb->overflow = 1;
			return -1;
		}
		sb->len += (size_t)n;
		return 0;
	}
	if (strbuf_grow(sb, (size_t)n) < 0) {
		if (sb->buf)
			sb->buf[sb->len] = '\0';
		return -1;
	}
	vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return ret;
}
