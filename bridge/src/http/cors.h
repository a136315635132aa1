#ifndef CORS_H
#define CORS_H

/*
 * CORS for browser clients: off unless an allow-list of origins is
 * configured. The list is a comma-separated string of exact origins
 * ("https://grafana.example:3000") or "*" for any origin. Pure functions.
 */

#include <stddef.h>

/* What a preflight answer allows besides the route's methods. */
#define CORS_ALLOW_HEADERS "Authorization, Content-Type"
#define CORS_MAX_AGE_S "600"

/* 1 when origin (the request's Origin header, may be NULL) is in list (may be NULL). */
int cors_origin_allowed(const char *list, const char *origin);

/*
 * Checks a configured list: every entry is "*" or scheme://host[:port]
 * with http or https and nothing after the authority (browsers send no
 * path, so "https://grafana/" would never match). 0, or -1 with a message.
 */
int cors_list_check(const char *list, char *err, size_t errlen);

#endif
