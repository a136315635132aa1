#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int auth_enabled(const struct auth_config *a)
{
	return a && (a->token || a->basic_user);
}

int auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *x = a, *y = b;
	size_t n = alen > blen ? alen : blen, i;
	/* volatile: keep the compiler from turning the loop into an early exit */
	volatile unsigned long diff = 0;

	/* A length difference counts as a difference; the loop still runs. */
	diff |= (unsigned long)(alen ^ blen);
	for (i = 0; i < n; i++) {
		unsigned char cx = i < alen ? x[i] : 0;
		unsigned char cy = i < blen ? y[i] : 0;

		diff |= (unsigned long)(cx ^ cy);
	}
	return diff == 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long auth_base64_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap)
{
	unsigned long acc = 0;
	size_t i, pad = 0, n = 0;
	int bits = 0;

	while (pad < 2 && inlen > 0 && in[inlen - 1] == '=') {
		inlen--;
		pad++;
	}
	/* One leftover character carries 6 bits: never a whole byte. */
	if (inlen % 4 == 1 || (pad && (inlen + pad) % 4))
		return -1;
	for (i = 0; i < inlen; i++) {
		int v = b64_value((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outcap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return (long)n;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

enum auth_scheme auth_parse_header(const char *value, const char **cred, size_t *credlen)
{
	const char *p = value, *scheme, *end;
	size_t slen;

	*cred = "";
	*credlen = 0;
	if (!p)
		return AUTH_SCHEME_NONE;
	while (is_space(*p))
		p++;
	scheme = p;
	while (*p && !is_space(*p))
		p++;
	slen = (size_t)(p - scheme);
	if (!slen)
		return AUTH_SCHEME_NONE;
	while (is_space(*p))
		p++;
	end = p + strlen(p);
	while (end > p && (is_space(end[-1]) || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*cred = p;
	*credlen = (size_t)(end - p);
	if (slen == 6 && !strncasecmp(scheme, "Bearer", 6))
		return AUTH_SCHEME_BEARER;
	if (slen == 5 && !strncasecmp(scheme, "Basic", 5))
		return AUTH_SCHEME_BASIC;
	return AUTH_SCHEME_OTHER;
}

/* Basic credentials: base64("user:password"), both parts compared. */
static enum auth_result check_basic(const struct auth_config *a, const char *cred, size_t len)
{
	const char *pass = a->basic_password ? a->basic_password : "";
	unsigned char *buf = NULL, *colon;
	enum auth_result ret = AUTH_INVALID;
	long n;
	int ok;

	buf = malloc(len / 4 * 3 + 3);
	if (!buf)
		goto out;
	n = auth_base64_decode(cred, len, buf, len / 4 * 3 + 3);
	if (n < 0)
		goto out;
	/* RFC 7617: the user name ends at the first colon. */
	colon = memchr(buf, ':', (size_t)n);
	if (!colon)
		goto out;
	/* & rather than &&: both comparisons always run. */
	ok = auth_ct_equal(buf, (size_t)(colon - buf), a->basic_user, strlen(a->basic_user)) &
	     auth_ct_equal(colon + 1, (size_t)(buf + n - colon - 1), pass, strlen(pass));
	if (ok)
		ret = AUTH_OK;
out:
	if (buf)
		memset(buf, 0, len / 4 * 3 + 3);   /* decoded password: do not leave it around */
	free(buf);
	return ret;
}

enum auth_result auth_check(const struct auth_config *a, const char *authorization)
{
	const char *cred;
	size_t len;

	if (!auth_enabled(a))
		return AUTH_OK;
	switch (auth_parse_header(authorization, &cred, &len)) {
	case AUTH_SCHEME_NONE:
		return AUTH_MISSING;
	case AUTH_SCHEME_BEARER:
		if (a->token && len && auth_ct_equal(cred, len, a->token, strlen(a->token)))
			return AUTH_OK;
		return AUTH_INVALID;
	case AUTH_SCHEME_BASIC:
		if (a->basic_user && len)
			return check_basic(a, cred, len);
		return AUTH_INVALID;
	case AUTH_SCHEME_OTHER:
		break;
	}
	return AUTH_INVALID;
}

const char *auth_result_message(enum auth_result res)
{
	switch (res) {
	case AUTH_OK:
		return "ok";
	case AUTH_MISSING:
		return "authentication required";
	case AUTH_INVALID:
		break;
	}
	return "invalid credentials";
}

size_t auth_challenges(const struct auth_config *a, const char *out[2])
{
	size_t n = 0;

	if (a && a->token)
		out[n++] = "Bearer realm=\"tsp-bridge\"";
	if (a && a->basic_user)
		out[n++] = "Basic realm=\"tsp-bridge\"";
	return n;
}

void auth_redact_url(const char *url, char *buf, size_t len)
{
	const char *host, *end, *at = NULL, *p;

	if (!len)
		return;
	host = strstr(url, "://");
	if (!host) {
		snprintf(buf, len, "%s", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at) {
		snprintf(buf, len, "%s", url);
		return;
	}
	snprintf(buf, len, "%.*s***%s", (int)(host - url), url, at);
}
