#ifndef TSP_QUERY_ARGS_H
#define TSP_QUERY_ARGS_H

/*
 * The time range and resolution of a TSP data query (struct tsp_query's
 * start, end and nb_times) as clients give them in a query string
 * (/timeline, /flat): from / to in epoch ms or ISO 8601, from_ns / to_ns
 * exact, nbTimes as text. Pure; the strings are the caller's, and each
 * error message names the argument.
 */

#include <stddef.h>
#include <stdint.h>

/*
 * A time given as a query-string argument: ns_v (an integer of ns, exact)
 * when not NULL, else ms_v: epoch ms (integer or with a fraction, read
 * exactly, as json_time_parse() reads a JSON number) or ISO 8601. The
 * names are for the error message.
 */
int tsp_time_arg(const char *ms_v, const char *ms_name, const char *ns_v, const char *ns_name,
		 int64_t *ns, char *err, size_t errlen);
/*
 * A range given as query-string arguments from / to (or from_ns / to_ns),
 * each by tsp_time_arg's rules, from not after to.
 */
int tsp_range_args(const char *from, const char *from_ns, const char *to, const char *to_ns,
		   int64_t *from_out, int64_t *to_out, char *err, size_t errlen);
/* A TSP nbTimes given as text (1..TSP_NB_TIMES_MAX) into *out; *out is kept when v is NULL. */
int tsp_nb_times_arg(const char *v, const char *name, int32_t *out, char *err, size_t errlen);

#endif
