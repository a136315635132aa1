/* Times in JSON values (json_time.h). */
#include "json_time.h"

#include <stdarg.h>
#include <stdio.h>

#include "json_int.h"
#include "nstime.h"

static int err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int json_time_parse(const cJSON *v, const char *what, int64_t *ns, char *err, size_t errlen)
{
	const char *s = json_get_string(v);
	char num[64];
	int rc;

	if (s) {
		rc = nstime_parse_iso(s, ns);
		if (rc == -2)
			return err_set(err, errlen, "%s: \"%s\" is out of range", what, s);
		if (rc < 0)
			return err_set(err, errlen, "%s: not a date: \"%s\" (ISO 8601 UTC expected, "
				       "e.g. 2023-11-14T22:13:20.500Z)", what, s);
		return 0;
	}
	if (json_is_number(v)) {
		const char *t = json_number_text(v, num, sizeof(num));

		/* cJSON keeps the literal only for long integers; others print with %.17g. */
		rc = nstime_parse_ms(t, ns);
		if (rc == -2)
			return err_set(err, errlen, "%s: %s ms is out of range", what, t);
		if (rc < 0)
			return err_set(err, errlen, "%s: %s is not a time in epoch ms", what, t);
		return 0;
	}
	return err_set(err, errlen, "%s: a date string or epoch ms is expected", what);
}
