/* A TSP query's range and nbTimes from query-string arguments (tsp_query_args.h). */
#include "tsp_query_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"
#include "json_time.h"
#include "nstime.h"
#include "tsp_client.h"

int tsp_time_arg(const char *ms_v, const char *ms_name, const char *ns_v, const char *ns_name,
		 int64_t *ns, char *err, size_t errlen)
{
	const char *v = ns_v;
	char *end;

	if (v) {
		errno = 0;
		*ns = strtoll(v, &end, 10);
		if (!*v || *end || errno) {
			snprintf(err, errlen, "%s: \"%s\" is not an integer of ns", ns_name, v);
			return -1;
		}
		return 0;
	}
	v = ms_v;
	if (!v) {
		snprintf(err, errlen, "%s is required (epoch ms, as Grafana's ${__%s}, or ISO 8601)",
			 ms_name, ms_name);
		return -1;
	}
	if (*v && strspn(v, "-0123456789.") == strlen(v)) {
		char json[64];
		cJSON *j;
		int rc;

		/* Through the same exact reader as Grafana's JSON bodies. */
		if (strlen(v) >= sizeof(json) - 1)
			goto bad;
		snprintf(json, sizeof(json), "%s", v);
		j = json_parse_exact(json, strlen(json), NULL, 0);
		if (!j)
			goto bad;
		rc = json_time_parse(j, ms_name, ns, err, errlen);
		cJSON_Delete(j);
		return rc;
	}
	if (nstime_parse_iso(v, ns) == 0)
		return 0;
bad:
	snprintf(err, errlen, "%s: \"%s\" is not epoch ms or an ISO 8601 time", ms_name, v);
	return -1;
}

int tsp_range_args(const char *from, const char *from_ns, const char *to, const char *to_ns,
		   int64_t *from_out, int64_t *to_out, char *err, size_t errlen)
{
	if (tsp_time_arg(from, "from", from_ns, "from_ns", from_out, err, errlen) < 0 ||
	    tsp_time_arg(to, "to", to_ns, "to_ns", to_out, err, errlen) < 0)
		return -1;
	if (*from_out > *to_out) {
		snprintf(err, errlen, "from is after to");
		return -1;
	}
	return 0;
}

int tsp_nb_times_arg(const char *v, const char *name, int32_t *out, char *err, size_t errlen)
{
	char *end;
	long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > TSP_NB_TIMES_MAX) {
		snprintf(err, errlen, "%s must be 1..%d, not \"%s\"", name, TSP_NB_TIMES_MAX, v);
		return -1;
	}
	*out = (int32_t)n;
	return 0;
}
