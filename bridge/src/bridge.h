#ifndef BRIDGE_H
#define BRIDGE_H

/*
 * The bridge application: what every request handler can reach through
 * http_request.app. Built once in main() and read-only while serving.
 */

#include <stddef.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "http_server.h"
#include "resp_cache.h"
#include "tsp_client.h"
#include "upstream.h"
#include "workpool.h"

struct bridge {
	const struct bridge_config *cfg;        /* not owned */
	struct upstreams ups;                   /* owned: one per --upstream, in order, and the pool */
	struct timespec started;                /* CLOCK_MONOTONIC */
	struct tsp_cache *cache;                /* owned; NULL when --cache-mb 0; shared by the upstreams */
	struct resp_cache *responses;           /* owned; finished answers; NULL when --cache-mb 0 */
};

/* 0, or -1 when out of memory (nothing to release then). */
int bridge_init(struct bridge *b, const struct bridge_config *cfg);
void bridge_release(struct bridge *b);

/* The catalog's share of --cache-mb never goes below this (the lists names are resolved in). */
#define CATALOG_MIN_BYTES ((size_t)256 << 10)

/* Finished answers live as long as the catalog's lists: no staler than without them. */
#define RESP_TTL_MS 2000

/* http_server_config.settled: the calling thread's tsp_unsettled_thread(). */
unsigned long bridge_settled(void *app);

/* The route table served by tsp-bridge. */
extern const struct http_route bridge_routes[];
extern const size_t bridge_n_routes;

#endif
