#include "http_gzip.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

/* q=0 (0, 0.0, 0.000) refuses a coding; anything else accepts it. */
static int q_is_zero(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '0')
		return 0;
	for (p++; p < end && *p != ' ' && *p != '\t'; p++)
		if (*p != '.' && *p != '0')
			return 0;
	return 1;
}

int http_accepts_gzip(const char *v)
{
	int gzip = -1, star = -1;

	if (!v)
		return 0;
	while (*v) {
		const char *item = v, *end = v + strcspn(v, ","), *name_end, *q;
		size_t n;
		int ok = 1;

		while (item < end && (*item == ' ' || *item == '\t'))
			item++;
		name_end = item;
		while (name_end < end && *name_end != ';' && *name_end != ' ' && *name_end != '\t')
			name_end++;
		n = (size_t)(name_end - item);
		/* Parameters: only q matters. */
		for (q = name_end; q < end; q++) {
			const char *pend;

			if (*q != ';')
				continue;
			q++;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			pend = q;
			while (pend < end && *pend != ';')
				pend++;
			if (pend - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
				ok = !q_is_zero(q + 2, pend);
			q = pend - 1;
		}
		if ((n == 4 && !strncasecmp(item, "gzip", 4)) || (n == 6 && !strncasecmp(item, "x-gzip", 6)))
			gzip = ok;
		else if (n == 1 && *item == '*')
			star = ok;
		v = *end ? end + 1 : end;
	}
	/* An explicit gzip entry wins over "*". */
	return gzip >= 0 ? gzip : star > 0;
}

int http_gzip(const void *in, size_t len, int level, struct strbuf *out)
{
	z_stream z;
	int ret = -1, zr;

	strbuf_reset(out);
	memset(&z, 0, sizeof(z));
	if (level < 1 || level > 9)
		level = Z_DEFAULT_COMPRESSION;
	/* 15 + 16: the largest window, with a gzip header and trailer. */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (strbuf_grow(out, deflateBound(&z, (uLong)len)) < 0)
		goto out;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->buf;
	z.avail_out = (uInt)(out->alloc - 1);
	/* One call: avail sizes fit uInt for bodies under 4 GiB, and the bound holds it all. */
	if (len > 0xffffffffu || out->alloc - 1 > 0xffffffffu)
		goto out;
	zr = deflate(&z, Z_FINISH);
	if (zr != Z_STREAM_END)
		goto out;
	out->len = z.total_out;
	out->buf[out->len] = '\0';
	ret = 0;
out:
	deflateEnd(&z);
	if (ret)
		strbuf_reset(out);
	return ret;
}
