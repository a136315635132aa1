/* Nanosecond times and their text forms (nstime.h). */
#include "nstime.h"

#include <ctype.h>

int64_t ns_to_ms(int64_t ns)
{
	int64_t q = ns / 1000000;

	return (ns % 1000000 < 0) ? q - 1 : q;
}

double ns_span_ms(int64_t start, int64_t end)
{
	int64_t d;

	/* A trace server's times can be anything: no signed overflow. */
	if (__builtin_sub_overflow(end, start, &d))
		return ((double)end - (double)start) / 1e6;
	return (double)d / 1e6;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int nstime_parse_iso(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, secs;
	int nfrac = 0;
	const char *p = s;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p)) {
					if (nfrac == 9)
						return -1;      /* below the nanosecond */
					frac = frac * 10 + (*p++ - '0');
					nfrac++;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				return -1;
		} else {
			return -1;      /* a local time would depend on the bridge's zone */
		}
	}
	if (*p)
		return -1;
	while (nfrac++ < 9)
		frac *= 10;
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	/* int64 ns spans 1677-09-21 .. 2262-04-11. */
	if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
		return -2;
	*ns = secs * 1000000000 + frac;
	return 0;
}

int nstime_parse_ms(const char *t, int64_t *ns)
{
	int64_t ms = 0, frac = 0;
	int neg = 0, nfrac = 0;

	if (*t == '-') {
		neg = 1;
		t++;
	}
	if (!isdigit((unsigned char)*t))
		return -1;
	while (isdigit((unsigned char)*t)) {
		if (ms > (INT64_MAX / 1000000 - 9) / 10)
			return -2;
		ms = ms * 10 + (*t++ - '0');
	}
	if (*t == '.') {
		t++;
		while (isdigit((unsigned char)*t)) {
			if (nfrac == 6)
				return -1;
			frac = frac * 10 + (*t++ - '0');
			nfrac++;
		}
	}
	if (*t)
		return -1;      /* exponents and the like: not a ms timestamp we can keep exact */
	while (nfrac++ < 6)
		frac *= 10;
	*ns = ms * 1000000 + frac;
	if (neg)
		*ns = -*ns;
	return 0;
}

int nstime_parse_epoch_s(const char *s, int64_t *ns)
{
	int64_t secs = 0, frac = 0;
	int nsec = 0, nfrac = 0, in_frac = 0;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (*s == '.' && !in_frac) {
			in_frac = 1;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (in_frac) {
			if (++nfrac > 9)
				return -1;
			frac = frac * 10 + (*s - '0');
		} else {
			if (++nsec > 10)
				return -1;      /* beyond year 2286 */
			secs = secs * 10 + (*s - '0');
		}
	}
	if (!nsec)
		return -1;
	/* Ten digits reach 9999999999 s, but int64 ns stop in 2262. */
	if (secs > INT64_MAX / 1000000000 - 1)
		return -1;
	while (nfrac++ < 9)
		frac *= 10;
	*ns = secs * 1000000000 + frac;
	return 0;
}
