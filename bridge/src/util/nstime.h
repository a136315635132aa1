#ifndef NSTIME_H
#define NSTIME_H

/*
 * Nanosecond times, as TSP gives them (int64 ns since the epoch), and the
 * text forms they arrive in: ISO 8601 and epoch milliseconds from clients,
 * epoch seconds in TSP table cells. Exact: no double on the way in. Pure
 * functions, for any layer and any thread; nothing is owned.
 */

#include <stdint.h>

/* Nanoseconds to milliseconds (Grafana's times): floor(ns / 1e6), exact for negative ns too. */
int64_t ns_to_ms(int64_t ns);
/* (end - start) ns in ms; exact ns difference unless it overflows int64. */
double ns_span_ms(int64_t start, int64_t end);

/*
 * ISO 8601 ("2023-11-14T22:13:20.500Z": date, 'T' or ' ', hh:mm[:ss[.fraction
 * up to 9 digits]], then 'Z' or ±hh[:]mm; a bare date is midnight UTC) to
 * ns. 0, -1 when s is not one, -2 when it is out of int64 ns
 * (1677-09-21 .. 2262-04-11).
 */
int nstime_parse_iso(const char *s, int64_t *ns);
/*
 * Epoch milliseconds as written ("1700000000500", "-5", "1700000000500.25":
 * up to 6 fraction digits) to ns, exactly. 0, -1 when s is not one (an
 * exponent, a seventh fraction digit), -2 out of range.
 */
int nstime_parse_ms(const char *s, int64_t *ns);
/* Epoch-seconds text ("1700000000.501 862 836", blanks ignored) to ns; -1 if it is not one. */
int nstime_parse_epoch_s(const char *s, int64_t *ns);

#endif
