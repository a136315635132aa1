/*
 * tsp_error_from_http() (tsp_client.h): an upstream HTTP error body
 * (ErrorResponse JSON, plain text, an HTML page, anything) to the words of
 * one error message. The first two bytes pick the HTTP status.
 *
 * Checks: the message is terminated, starts with "HTTP <status>: ", has
 * no control characters and is valid UTF-8 (it goes into JSON answers and
 * logs), and the kind and status are set.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "tsp_client.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsp_error err;
	char prefix[48];
	long status;
	const char *body;
	size_t len, i, n, k;

	if (size < 2)
		return 0;
	status = 100 + (long)((data[0] << 8 | data[1]) % 500);
	len = size - 2;
	body = len ? memcpy(malloc(len), data + 2, len) : NULL;
	memset(&err, 0x55, sizeof(err));
	tsp_error_from_http(&err, status, body, len);
	FUZZ_CHECK(err.kind == TSP_ERR_HTTP, "kind %d", err.kind);
	FUZZ_CHECK(err.http_status == status, "status %ld", err.http_status);
	FUZZ_CHECK(fuzz_terminated(err.msg, sizeof(err.msg)), "message not terminated");
	n = strlen(err.msg);
	snprintf(prefix, sizeof(prefix), "HTTP %ld: ", status);
	FUZZ_CHECK(!strncmp(err.msg, prefix, strlen(prefix)), "prefix: %s", err.msg);
	FUZZ_CHECK(n > strlen(prefix), "no words: %s", err.msg);
	for (i = 0; i < n; i += k) {
		const unsigned char *s = (const unsigned char *)err.msg + i;

		FUZZ_CHECK(*s >= 0x20 && *s != 0x7f, "control byte 0x%02x at %zu", *s, i);
		k = utf8_len(s, n - i);
		FUZZ_CHECK(k > 0, "invalid UTF-8 at byte %zu of \"%s\"", i, err.msg);
	}
	/* The NULL body path, as a transport that kept nothing. */
	tsp_error_from_http(&err, status, NULL, len);
	FUZZ_CHECK(err.msg[0], "no message for a NULL body");
	free((void *)body);
	return 0;
}
