/* TSP styles: look-up, parent chains, state names and colours (tsp_style.h). */
#include "tsp_style.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

/* ---- the index ---- */

static size_t style_slot(const char *key, size_t mask)
{
	return (size_t)hash_fnv1a64(key, strlen(key)) & mask;
}

int tsp_styles_index(struct tsp_styles *ss, struct arena *a)
{
	size_t cap = 16, i, k;

	if (ss->n > UINT32_MAX / 4)
		return -1;
	while (cap < ss->n * 2)
		cap *= 2;
	ss->slots = arena_calloc(a, cap, sizeof(*ss->slots));
	if (!ss->slots) {
		ss->n_slots = 0;
		return -1;
	}
	ss->n_slots = cap;
	for (i = 0; i < ss->n; i++) {
		for (k = style_slot(ss->items[i].key, cap - 1); ss->slots[k];
		     k = (k + 1) & (cap - 1))
			if (!strcmp(ss->items[ss->slots[k] - 1].key, ss->items[i].key))
				break;
		if (!ss->slots[k])
			ss->slots[k] = (uint32_t)i + 1;
	}
	return 0;
}

const struct tsp_style *tsp_styles_find(const struct tsp_styles *ss, const char *key, size_t *probes)
{
	size_t i, n = 0;
	const struct tsp_style *found = NULL;

	if (!ss || !key)
		goto out;
	if (ss->n_slots) {
		for (i = style_slot(key, ss->n_slots - 1); ss->slots[i];
		     i = (i + 1) & (ss->n_slots - 1)) {
			n++;
			if (!strcmp(ss->items[ss->slots[i] - 1].key, key)) {
				found = &ss->items[ss->slots[i] - 1].style;
				break;
			}
		}
		goto out;
	}
	for (i = 0; i < ss->n; i++) {
		n++;
		if (!strcmp(ss->items[i].key, key)) {
			found = &ss->items[i].style;
			break;
		}
	}
out:
	if (probes)
		*probes = n;
	return found;
}

const struct tsp_style_value *tsp_style_get(const struct tsp_style *s, const char *key)
{
	size_t i;

	if (!s || !key)
		return NULL;
	for (i = 0; i < s->n_values; i++)
		if (!strcmp(s->values[i].key, key))
			return &s->values[i];
	return NULL;
}

/* ---- parent chains ---- */

const struct tsp_style *tsp_style_by_key(const struct tsp_styles *ss, const char *key)
{
	return tsp_styles_find(ss, key, NULL);
}

/* A string style value, looked up through the parentKey chain (bounded: chains may loop). */
const char *tsp_style_str(const struct tsp_styles *ss, const struct tsp_style *s, const char *key)
{
	int depth;

	for (depth = 0; s && depth < TSP_STYLE_CHAIN_MAX; depth++) {
		const struct tsp_style_value *v = tsp_style_get(s, key);

		if (v && !v->is_number && v->str)
			return v->str;
		s = tsp_style_by_key(ss, s->parent_key);
	}
	return NULL;
}

const struct tsp_style_value *tsp_style_num(const struct tsp_styles *ss, const struct tsp_style *s,
					    const char *key)
{
	int depth;

	for (depth = 0; s && depth < TSP_STYLE_CHAIN_MAX; depth++) {
		const struct tsp_style_value *v = tsp_style_get(s, key);

		if (v && v->is_number)
			return v;
		s = tsp_style_by_key(ss, s->parent_key);
	}
	return NULL;
}

/*
 * The name of a state: its style's "style-name" (through the chain), else
 * its label, else its style's key. NULL for a state with neither style nor
 * label: Trace Compass sends those for "no state" gaps, not a state.
 */
const char *tsp_state_name(const struct tsp_styles *ss, const struct tsp_tg_state *st)
{
	const char *n = tsp_style_str(ss, st->style, "style-name");

	if (n)
		return n;
	if (st->label)
		return st->label;
	return st->style ? st->style->parent_key : NULL;
}

void tsp_styles_notice(char *buf, size_t len, const char *why)
{
	snprintf(buf, len, "states are shown without their colours: the trace server gave no "
		 "styles (%s)", why);
}

const char *tsp_state_own_color(const struct tsp_tg_state *st)
{
	const struct tsp_style_value *v = st->style ? tsp_style_get(st->style, "background-color") : NULL;

	return v && !v->is_number ? v->str : NULL;
}
