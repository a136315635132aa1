#ifndef AUTH_H
#define AUTH_H

/*
 * Client authentication: an optional bearer token and/or HTTP basic
 * credentials, checked against the Authorization header. Pure functions,
 * no I/O; the HTTP server only asks auth_check() and auth_challenge().
 * Secrets are compared in constant time and never copied into messages.
 */

#include <stddef.h>

struct auth_config {
	const char *token;              /* Bearer token; NULL: not accepted */
	const char *basic_user;         /* Basic credentials; NULL: not accepted */
	const char *basic_password;
};

enum auth_scheme {
	AUTH_SCHEME_NONE = 0,           /* no header, or an empty one */
	AUTH_SCHEME_BEARER,
	AUTH_SCHEME_BASIC,
	AUTH_SCHEME_OTHER,              /* a scheme we do not accept (Digest, ...) */
};

enum auth_result {
	AUTH_OK = 0,
	AUTH_MISSING,                   /* no credentials: "authentication required" */
	AUTH_INVALID,                   /* credentials that do not match: "invalid credentials" */
};

/* Whether any credential is configured (authentication is then required). */
int auth_enabled(const struct auth_config *a);

/*
 * 1 when a[0..alen) equals b[0..blen), else 0. Reads every byte of both
 * (up to the longer length) and never returns early, so its time depends
 * only on the lengths, not on where the first difference is.
 */
int auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/*
 * Standard base64 (RFC 4648, '=' padding optional) of in[0..inlen) into
 * out (at most outcap bytes). Returns the decoded length, or -1 on a
 * character outside the alphabet, bad padding or too small a buffer.
 */
long auth_base64_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap);

/*
 * Splits an Authorization header value into its scheme (case-insensitive)
 * and credentials (surrounding whitespace trimmed). cred and credlen point
 * into value; they are empty for AUTH_SCHEME_NONE.
 */
enum auth_scheme auth_parse_header(const char *value, const char **cred, size_t *credlen);

/* The decision for one request's Authorization header (NULL when absent). */
enum auth_result auth_check(const struct auth_config *a, const char *authorization);

/* The message of a 401 answer for res. */
const char *auth_result_message(enum auth_result res);

/*
 * Values of the WWW-Authenticate headers of a 401, one per configured
 * scheme: Bearer first, then Basic. Returns how many were written (0..2).
 */
size_t auth_challenges(const struct auth_config *a, const char *out[2]);

/*
 * Copies url to buf with any "user:password@" of its authority replaced by
 * "***@", for logs and status pages. buf is always NUL-terminated.
 */
void auth_redact_url(const char *url, char *buf, size_t len);

#endif
