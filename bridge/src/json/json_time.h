#ifndef JSON_TIME_H
#define JSON_TIME_H

/*
 * A time as clients write it in JSON (Grafana's range.from / range.to): an
 * ISO 8601 string (nstime_parse_iso's forms) or a number of epoch
 * milliseconds (an integer, or a decimal with up to 6 fraction digits),
 * read exactly: "....500Z" is ...500000000 ns. Pure; the caller owns the
 * JSON tree, which should come from json_parse_exact() so that long
 * integers keep every digit.
 */

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/*
 * 0, or -1 with err ("range.from: not a date: \"...\"", "... is out of
 * range"). `what` names the field in messages.
 */
int json_time_parse(const struct cJSON *v, const char *what, int64_t *ns, char *err, size_t errlen);

#endif
