#ifndef UPSTREAM_H
#define UPSTREAM_H

/*
 * One trace server as a value: its name, its URL, the client settings to
 * reach it, the catalog of what it has, idle clients. And the set of them a bridge serves (the federation): resolving a
 * target over every server, with experiment names qualified as
 * "server:experiment" where two servers have the same name.
 *
 * Ownership: a struct upstream owns its name, URL, catalog and clients.
 * Clients taken with upstream_client() belong to the caller until
 * upstream_client_put(). The set does not own the pool it runs on.
 *
 * Threads: everything here may be called from any thread.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "tsp_client.h"
#include "workpool.h"

struct upstream {
	char *name;                     /* "default" for a single URL given bare */
	char *url;
	struct tsp_client_config tsp;   /* base_url points at url */
	struct catalog *cat;
	pthread_mutex_t mu;             /* idle clients */
	struct tsp_client **idle;
	size_t n_idle, cap_idle;
};

/* 0, or -1 when out of memory. tsp is copied; its base_url is replaced by url. */
int upstream_init(struct upstream *u, const char *name, const char *url,
		  const struct tsp_client_config *tsp, const struct catalog_config *cat);
void upstream_release(struct upstream *u);

/* An idle client, or a new one (NULL when out of memory); give it back with _put. */
struct tsp_client *upstream_client(struct upstream *u);
void upstream_client_put(struct upstream *u, struct tsp_client *c);

/* The set of trace servers one bridge serves. */
struct upstreams {
	struct upstream *v;
	size_t n;
	struct workpool *pool;          /* not owned; NULL: one server after the other */
};

/*
 * workpool_run() on the set's pool, where what the pieces fetched that was
 * not final (tsp_unsettled_thread()) counts for the calling thread.
 */
void upstreams_run(const struct upstreams *s, size_t n, workpool_fn fn, void *arg);

/* The upstream named name (len bytes), or NULL. */
struct upstream *upstreams_find(const struct upstreams *s, const char *name, size_t len);

/*
 * catalog_resolve() over every server, at the same time on the pool. An
 * experiment matches exp by its name or UUID, or, with several servers, by
 * "server:name" / "server:uuid"; an exact "server:..." asks that server
 * only. Each match names its server (cat_match.up) and is labelled with its
 * experiment's name, or "server:name" when another server has an
 * experiment of that name (or the pattern named the server).
 * A server that fails while others answer is left out with a note naming
 * it; when all fail, -1 with the first server's error. One server: exactly
 * catalog_resolve().
 */
int upstreams_resolve(const struct upstreams *s, const struct name_pattern *exp,
		      const struct name_pattern *out, struct cat_matches *m, struct tsp_error *err);

/* Clears every server's catalog (traces were opened: their lists changed). */
void upstreams_clear(const struct upstreams *s);

#endif
