#ifndef TSP_STYLE_H
#define TSP_STYLE_H

/*
 * TSP styles (OutputElementStyle): a style by its key, a value through the
 * parentKey chain, and what a time graph state is called and coloured.
 * Every writer of states (grafana/ frames, timeline/ documents) asks here,
 * so that they name and colour the same state alike.
 *
 * Ownership: nothing is allocated but the index (in the model's arena);
 * returned pointers point into the styles and states passed, and live as
 * long as their models. Read-only use is safe from several threads.
 */

#include <stddef.h>

#include "arena.h"
#include "tsp_model.h"

/*
 * Parent chains are followed this far: a server's chain may loop, or
 * name a style that names it back.
 */
#define TSP_STYLE_CHAIN_MAX 16

/*
 * The style named key (the first of equal keys), or NULL: through the
 * index when the parser built one, else by a scan. *probes, when not NULL,
 * gets the number of keys compared (for tests of the index).
 */
const struct tsp_style *tsp_styles_find(const struct tsp_styles *ss, const char *key, size_t *probes);
/* Builds ss->slots in arena a; -1 when out of memory (the scan still works then). */
int tsp_styles_index(struct tsp_styles *ss, struct arena *a);

/* Looks up a style value by key in this style only (no parent chain). */
const struct tsp_style_value *tsp_style_get(const struct tsp_style *s, const char *key);

/* The style of a key; NULL for a NULL key or styles. */
const struct tsp_style *tsp_style_by_key(const struct tsp_styles *ss, const char *key);
/* A string value of s or, failing that, of its parents (through ss); NULL if none. */
const char *tsp_style_str(const struct tsp_styles *ss, const struct tsp_style *s, const char *key);
/* A number value of s or of its parents, as tsp_style_str() finds strings; NULL if none. */
const struct tsp_style_value *tsp_style_num(const struct tsp_styles *ss, const struct tsp_style *s,
					    const char *key);

/*
 * A state's name: its style's "style-name" (through the chain), else its
 * label, else its style's key; NULL for a "no state" gap.
 */
const char *tsp_state_name(const struct tsp_styles *ss, const struct tsp_tg_state *st);
/* A state's own colour: "background-color" in its style's own values (not its parent's), or NULL. */
const char *tsp_state_own_color(const struct tsp_tg_state *st);

/*
 * The notice for an answer made without the output's styles (an older
 * trace server answers /style with 404 or 405; styles only colour states,
 * so the data is served all the same).
 */
void tsp_styles_notice(char *buf, size_t len, const char *why);

#endif
