#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a hard size cap.
 *
 * The buffer owns `buf`; it is always NUL-terminated once anything was added
 * (len excludes the NUL). Every add either fits under `cap` or fails with -1
 * and sets `overflow`, leaving the contents as they were: callers never see a
 * silently truncated value.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;      /* max len; 0 means SIZE_MAX/2 */
	int overflow;    /* set once an add was refused */
};

#define STRBUF_INIT { NULL, 0, 0, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t cap);
/* Frees the storage; the strbuf may be reused after strbuf_init. */
void strbuf_release(struct strbuf *sb);
/* Keeps the storage, empties the contents and clears overflow. */
void strbuf_reset(struct strbuf *sb);
/* Hands the storage to the caller (free() it); the strbuf is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

int strbuf_grow(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Writing in place, for small pieces in hot loops (numbers): a pointer
 * with room for n bytes and the NUL, growing if needed, or NULL when the
 * cap would refuse n (nothing is set: retry with the exact size through
 * strbuf_add). strbuf_tail_done() then accounts for the m <= n bytes written.
 */
static inline char *strbuf_tail(struct strbuf *sb, size_t n)
{
	size_t cap = sb->cap ? sb->cap : (size_t)-1 / 2;

	if (sb->overflow || n > cap - sb->len)
		return NULL;
	if (sb->alloc <= sb->len + n && strbuf_grow(sb, n) < 0)
		return NULL;
	return sb->buf + sb->len;
}

static inline void strbuf_tail_done(struct strbuf *sb, size_t m)
{
	sb->len += m;
	sb->buf[sb->len] = '\0';
}

/* NUL-terminated view; "" for an empty buffer, never NULL. */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

#endif
