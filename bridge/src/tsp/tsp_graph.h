#ifndef TSP_GRAPH_H
#define TSP_GRAPH_H

/*
 * A time graph's rows (tree entries) and the links (arrows) between them,
 * as a graph: rows sorted by id, the words that tell a row from others of
 * its name, and links counted per (source, target) pair and per row. What
 * Grafana's node graph draws, from /query (grafana/) and /timeline/nodes|edges
 * (timeline/) alike. Pure: callers own every array; nothing is kept.
 */

#include <stddef.h>
#include <stdint.h>

#include "tsp_model.h"

/* Links counted per (source, target) row pair: what a node graph draws. */
struct tsp_link_pair {
	int64_t source, target;
	long count;
};
/*
 * Sorts n pairs by source then target and merges the equal ones, adding
 * their counts; returns how many remain.
 */
size_t tsp_link_pairs_merge(struct tsp_link_pair *p, size_t n);
/*
 * The links out of and into each row of rows (sorted by id, as
 * tsp_entries_by_id leaves them): out[i], in[i], zeroed first.
 */
void tsp_link_degrees(const struct tsp_link_pair *p, size_t n, const struct tsp_tree_entry *const *rows,
		      size_t n_rows, long *out, long *in);
/* Sorts tree entry pointers by id. */
void tsp_entries_by_id(const struct tsp_tree_entry **rows, size_t n);
/*
 * What tells a row from others of its name ("tid 317, pid 316"): its tid and
 * pid metadata, else its other labels; "" when it has none.
 */
void tsp_entry_subtitle(const struct tsp_tree_entry *e, char *buf, size_t len);

#endif
