#ifndef HTTP_GZIP_H
#define HTTP_GZIP_H

/*
 * gzip Content-Encoding of response bodies (zlib), and the Accept-Encoding
 * test that decides it. Pure functions: no connection, no globals.
 */

#include <stddef.h>

#include "strbuf.h"

/* Bodies smaller than this are sent as they are: the header costs more. */
#define HTTP_GZIP_MIN_BYTES 1024

/*
 * True when an Accept-Encoding value allows gzip: a "gzip" (or "x-gzip",
 * or "*") coding whose q is not 0. Case-insensitive; NULL is false.
 */
int http_accepts_gzip(const char *accept_encoding);

/*
 * Compresses in[0..len) as one gzip member at level (1..9) into out, which
 * is reset first and keeps its cap. 0, or -1 (out of memory, over the cap,
 * zlib error) with out empty.
 */
int http_gzip(const void *in, size_t len, int level, struct strbuf *out);

#endif
