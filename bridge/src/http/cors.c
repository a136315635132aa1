#include "cors.h"

#include <stdio.h>
#include <string.h>

/* Next entry of a comma-separated list, spaces around it trimmed; 0 at the end. */
static int next_entry(const char **p, const char **start, size_t *len)
{
	const char *s = *p, *e;

	while (*s == ',' || *s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return 0;
	e = s + strcspn(s, ",");
	*p = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*start = s;
	*len = (size_t)(e - s);
	return 1;
}

int cors_origin_allowed(const char *list, const char *origin)
{
	const char *p = list, *s;
	size_t len;

	if (!list || !origin || !*origin)
		return 0;
	while (next_entry(&p, &s, &len)) {
		if (len == 1 && *s == '*')
			return 1;
		if (len == strlen(origin) && !memcmp(s, origin, len))
			return 1;
	}
	return 0;
}

int cors_list_check(const char *list, char *err, size_t errlen)
{
	const char *p = list, *s, *host;
	size_t len, n = 0;

	while (next_entry(&p, &s, &len)) {
		n++;
		if (len == 1 && *s == '*')
			continue;
		if (len > 7 && !strncmp(s, "http://", 7))
			host = s + 7;
		else if (len > 8 && !strncmp(s, "https://", 8))
			host = s + 8;
		else
			host = NULL;
		if (!host || memchr(host, '/', len - (size_t)(host - s)) ||
		    memchr(host, '?', len - (size_t)(host - s)) ||
		    memchr(host, '#', len - (size_t)(host - s))) {
			snprintf(err, errlen,
				 "CORS origin '%.*s' is not * or scheme://host[:port] (http or https, "
				 "no path or trailing /)", (int)len, s);
			return -1;
		}
	}
	if (!n) {
		snprintf(err, errlen, "CORS origin list is empty");
		return -1;
	}
	return 0;
}
