/*
 * Time parsing: nstime_parse_iso() (nstime.h) and json_time_parse()
 * (json_time.h), the path /timeline's from/to take (tsp_query_args.c: epoch
 * ms text read through json_parse_exact(), else ISO 8601), and
 * nstime_parse_epoch_s() (nstime.h, TSP event table timestamps).
 *
 * Checks: an accepted ISO time prints back through gmtime_r() and parses
 * again to the same nanosecond (days_from_civil against glibc); an
 * integer of epoch ms reads as exactly ms * 10^6; epoch seconds text
 * without a fraction reads as exactly secs * 10^9; no signed overflow
 * (UBSan) anywhere.
 */
#include <inttypes.h>
#include <time.h>

#include "fuzz_common.h"
#include "json_int.h"
#include "json_time.h"
#include "nstime.h"

static void check_iso(const char *text)
{
	int64_t ns = 0, again = 0, secs, frac;
	struct tm tm;
	time_t t;
	char buf[80];
	int rc = nstime_parse_iso(text, &ns);

	FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2, "rc %d", rc);
	if (rc)
		return;
	secs = ns / 1000000000;
	frac = ns % 1000000000;
	if (frac < 0) {
		secs--;
		frac += 1000000000;
	}
	t = (time_t)secs;
	FUZZ_CHECK(gmtime_r(&t, &tm) != NULL, "gmtime");
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	FUZZ_CHECK(nstime_parse_iso(buf, &again) == 0, "%s (from \"%s\") does not parse", buf, text);
	FUZZ_CHECK(again == ns, "\"%s\" -> %" PRId64 " -> %s -> %" PRId64, text, ns, buf, again);
}

/* As timeline_api.c's time_arg() reads an epoch ms argument. */
static void check_ms_arg(const char *text)
{
	char err[256] = "";
	int64_t ns = 0;
	cJSON *j;
	int rc;

	if (!*text || strspn(text, "-0123456789.") != strlen(text) || strlen(text) >= 63)
		return;
	j = json_parse_exact(text, strlen(text), NULL, 0);
	if (!j)
		return;
	rc = json_time_parse(j, "from", &ns, err, sizeof(err));
	if (rc < 0) {
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "no message");
	} else if (strspn(text, "-0123456789") == strlen(text)) {
		/* An integer of ms: exactly ms * 10^6 (or refused as out of range). */
		long long ms = strtoll(text, NULL, 10);

		FUZZ_CHECK(ns / 1000000 == ms && ns % 1000000 == 0, "%s ms -> %" PRId64 " ns", text, ns);
	}
	cJSON_Delete(j);
}

static void check_epoch_seconds(const char *text)
{
	int64_t ns = 0;

	if (nstime_parse_epoch_s(text, &ns) < 0)
		return;
	if (!strchr(text, '.')) {
		char digits[32];
		size_t n = 0;
		const char *p;

		for (p = text; *p && n < sizeof(digits) - 1; p++)
			if (*p != ' ')
				digits[n++] = *p;
		digits[n] = '\0';
		FUZZ_CHECK(ns % 1000000000 == 0 && ns / 1000000000 == strtoll(digits, NULL, 10),
			   "\"%s\" -> %" PRId64, text, ns);
	}
	FUZZ_CHECK(ns >= 0, "\"%s\" -> negative %" PRId64, text, ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), err[256] = "";
	int64_t ns;
	cJSON *j;

	check_iso(text);
	check_ms_arg(text);
	check_epoch_seconds(text);
	/* A Grafana range value as JSON: "2023-...Z" or 1700000000000. */
	j = json_parse_exact((const char *)data, size, NULL, 0);
	if (j) {
		if (json_time_parse(j, "range.from", &ns, err, sizeof(err)) < 0)
			FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "no message");
		cJSON_Delete(j);
	}
	free(text);
	return 0;
}
