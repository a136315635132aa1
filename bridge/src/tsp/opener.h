#ifndef OPENER_H
#define OPENER_H

/*
 * Opens the configured traces on each trace server and makes one
 * experiment of them there (--open-trace, --experiment), so a demo stack
 * needs no manual step. Each server gets its own thread, because servers
 * may start after the bridge and one that is late must not hold up the
 * others: connection failures and 5xx answers are retried every second
 * until it answers; a 4xx (a bad path) is logged and ends that server's
 * attempt. An experiment of that name that already exists is left as it
 * is, so replicas of the bridge opening the same traces make one.
 *
 * Ownership: the opener keeps pointers to the bridge (and its config),
 * which must outlive opener_stop(); each thread has its own tsp_client.
 */

struct bridge;
struct opener;

/* NULL when there is nothing to open, or on failure (logged). */
struct opener *opener_start(struct bridge *b);
/* Stops retrying, joins the thread, frees it. NULL is fine. */
void opener_stop(struct opener *o);

#endif
