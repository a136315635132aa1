#ifndef CATALOG_H
#define CATALOG_H

/*
 * What the trace server has: experiments, their outputs, and the trees of
 * outputs, fetched through tsp_client and cached briefly so that a
 * dashboard's panels do not each list experiments and fetch the same tree.
 * It also resolves name patterns (name_pattern.h) to (experiment, output)
 * pairs. Issue 6 brings the general response cache; this one only holds
 * the few small models name resolution needs.
 *
 * Ownership and threads: one catalog for the process, shared by the HTTP
 * worker threads (a mutex guards it; upstream calls run outside the lock).
 * Cached models are reference counted: a `struct cat_ref` handed out keeps
 * its model alive until cat_ref_put(), even if the cache dropped it.
 * Callers pass their thread's tsp_client.
 */

#include <stddef.h>
#include <stdint.h>

#include "name_pattern.h"
#include "tsp_client.h"
#include "tsp_model.h"

struct catalog;

struct catalog_config {
	long list_ttl_ms;       /* experiments and outputs lists; default 2000 */
	long tree_ttl_ms;       /* COMPLETED trees; default 30000 */
	size_t max_trees;       /* cached trees, oldest dropped first; default 256 */
	/*
	 * Bytes the cached models may hold (their arenas), oldest dropped
	 * first; a model larger than this is used but not kept. Default 32 MiB.
	 */
	size_t max_bytes;
};

struct catalog_stats {
	size_t entries, bytes, max_bytes;
	uint64_t evictions, too_big;
};

/* NULL cfg = defaults; fields <= 0 take their defaults. NULL when out of memory. */
struct catalog *catalog_new(const struct catalog_config *cfg);
void catalog_free(struct catalog *cat);
/* Drops everything cached (tests; a trace server restart). */
void catalog_clear(struct catalog *cat);
void catalog_get_stats(struct catalog *cat, struct catalog_stats *st);

struct cat_ref;         /* a held reference to a cached model */
const struct tsp_model *cat_ref_model(const struct cat_ref *r);
void cat_ref_put(struct cat_ref *r);    /* NULL is fine */

/* The experiments list (TSP_M_EXPERIMENTS). 0 or -1 with err. */
int catalog_experiments(struct catalog *cat, struct tsp_client *c, struct cat_ref **out,
			struct tsp_error *err);
/* The outputs of an experiment by UUID (TSP_M_OUTPUTS). */
int catalog_outputs(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		    struct cat_ref **out, struct tsp_error *err);
/*
 * The tree of an output (TSP_M_TREE), by output type: XY tree, time graph
 * tree or data tree. Only COMPLETED trees are cached; a tree still RUNNING
 * at the poll deadline is returned (0, model status RUNNING) but not kept,
 * so the next call asks again. Other types: TSP_ERR_INVALID.
 */
int catalog_tree(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		 const char *output_id, enum tsp_output_type type,
		 struct cat_ref **out, struct tsp_error *err);
/*
 * The same with a provider parameter sent along (param_key NULL: none),
 * cached per value: the Critical Path's tree is that of the thread "tid".
 */
int catalog_tree_param(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		       const char *output_id, enum tsp_output_type type, const char *param_key,
		       int64_t param_value, struct cat_ref **out, struct tsp_error *err);
/*
 * The same with the query sent as it is (q may be NULL): its parameter
 * keys the cache as above, its range does not (a tree asked over the
 * whole experiment, for providers that refuse a tree request without one).
 */
int catalog_tree_query(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		       const char *output_id, enum tsp_output_type type, const struct tsp_query *q,
		       struct cat_ref **out, struct tsp_error *err);

struct upstream;

/* One resolved (experiment, output) pair; strings owned by the match list. */
struct cat_match {
	struct upstream *up;            /* its trace server (upstreams_resolve), else NULL */
	const char *exp_label;          /* how answers name the experiment: exp_name, or "server:name" */
	const char *exp_uuid, *exp_name;
	int64_t exp_start, exp_end;
	const char *output_id, *output_name;
	enum tsp_output_type type;
};

#define CAT_MAX_NOTES 4

/*
 * notes: what was left out while resolving (malformed experiments or
 * outputs in the server's lists, experiments whose outputs could not be
 * read), for the answer's notices; owned by the arena.
 */
struct cat_matches {
	struct cat_match *items;
	size_t n, cap;
	const char *notes[CAT_MAX_NOTES];
	size_t n_notes;
	struct arena arena;
};
void cat_matches_init(struct cat_matches *m);
void cat_matches_release(struct cat_matches *m);
/* Adds a note (printf-style; dropped past CAT_MAX_NOTES); -1 when out of memory. */
int cat_matches_note(struct cat_matches *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a copy of x (strings copied; exp_label NULL: exp_name). -1 when out of memory. */
int cat_matches_add(struct cat_matches *m, const struct cat_match *x);

/*
 * Every (experiment, output) whose experiment matches exp (name or UUID, or
 * "server:name" / "server:uuid" when server is not NULL)
 * and whose output matches out (name or id), in the trace server's order.
 * out may be NULL (all outputs). No match is not an error: n = 0 (the
 * caller says what was not found). -1 with err on upstream failure: the
 * experiments list failed, or the outputs of every matched experiment did.
 * One matched experiment whose outputs fail while others answer is left
 * out with a note, so a wildcard still serves the healthy ones.
 */
int catalog_resolve(struct catalog *cat, struct tsp_client *c, const char *server,
		    const struct name_pattern *exp, const struct name_pattern *out, struct cat_matches *m,
		    struct tsp_error *err);

#endif
