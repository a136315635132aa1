/* The timeline document and its flat forms (timeline_doc.h). */
#include "timeline_doc.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "nstime.h"
#include "tsp_graph.h"
#include "tsp_style.h"

/* ---- normalised data ---- */

struct tl_row {
	const struct tsp_tree_entry *e;
};

struct tl_state {
	int64_t row, start, end;
	const struct tsp_tg_state *st;
};

struct tl_link {
	int64_t start, end;
	const struct tsp_tg_arrow *a;
};

struct tl_data {
	const struct tsp_tree_entry **rows;     /* the requested rows, tree order */
	size_t n_rows;
	const struct tsp_tree_entry **by_id;    /* every tree entry sorted by id */
	size_t n_by_id;
	struct tl_state *states, *events;
	size_t n_states, n_events;
	struct tl_link *links;
	size_t n_links;
};

static const struct tsp_tree_entry *entry_of(const struct tl_data *d, int64_t id)
{
	size_t lo = 0, hi = d->n_by_id;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n_by_id && d->by_id[lo]->id == id ? d->by_id[lo] : NULL;
}

static const char *name_of(const struct tl_data *d, int64_t id)
{
	const struct tsp_tree_entry *e = entry_of(d, id);

	return e && e->n_labels ? e->labels[0] : NULL;
}

static int wanted(const struct tl_input *in, int64_t id)
{
	size_t i;

	if (!in->row_ids)
		return 1;
	for (i = 0; i < in->n_row_ids; i++)
		if (in->row_ids[i] == id)
			return 1;
	return 0;
}

static void data_release(struct tl_data *d)
{
	free(d->rows);
	free(d->by_id);
	free(d->states);
	free(d->events);
	free(d->links);
	memset(d, 0, sizeof(*d));
}

/* Rows in tree order; states split into intervals and events, clipped; links clipped. */
static int data_init(struct tl_data *d, const struct tl_source *src, const struct tl_input *in)
{
	const struct tsp_tree *t = in->tree;
	size_t i, j, total = 0, n_entries = t ? t->n_entries : 0;

	memset(d, 0, sizeof(*d));
	d->rows = calloc(n_entries + 1, sizeof(*d->rows));
	d->by_id = calloc(n_entries + 1, sizeof(*d->by_id));
	for (i = 0; in->states && i < in->states->n_rows; i++)
		total += in->states->rows[i].n_states;
	d->states = calloc(total + 1, sizeof(*d->states));
	d->events = calloc(total + 1, sizeof(*d->events));
	d->links = calloc((in->arrows ? in->arrows->n : 0) + 1, sizeof(*d->links));
	if (!d->rows || !d->by_id || !d->states || !d->events || !d->links)
		goto fail;
	for (i = 0; i < n_entries; i++) {
		d->by_id[d->n_by_id++] = &t->entries[i];
		if (wanted(in, t->entries[i].id))
			d->rows[d->n_rows++] = &t->entries[i];
	}
	tsp_entries_by_id(d->by_id, d->n_by_id);
	for (i = 0; in->states && i < in->states->n_rows; i++) {
		const struct tsp_tg_row *r = &in->states->rows[i];

		for (j = 0; j < r->n_states; j++) {
			const struct tsp_tg_state *s = &r->states[j];
			struct tl_state *o;

			if (s->end < src->from_ns || s->start > src->to_ns || !tsp_state_name(in->styles, s))
				continue;       /* outside, or a gap */
			o = s->start == s->end ? &d->events[d->n_events++] : &d->states[d->n_states++];
			o->row = r->entry_id;
			o->start = s->start < src->from_ns ? src->from_ns : s->start;
			o->end = s->end > src->to_ns ? src->to_ns : s->end;
			o->st = s;
		}
	}
	for (i = 0; in->arrows && i < in->arrows->n; i++) {
		const struct tsp_tg_arrow *a = &in->arrows->items[i];
		struct tl_link *l;

		if (a->end < src->from_ns || a->start > src->to_ns)
			continue;
		/* With a row filter, the links that touch the rows asked for. */
		if (in->row_ids && !wanted(in, a->source_id) && !wanted(in, a->target_id))
			continue;
		l = &d->links[d->n_links++];
		l->start = a->start < src->from_ns ? src->from_ns : a->start;
		l->end = a->end > src->to_ns ? src->to_ns : a->end;
		l->a = a;
	}
	return 0;
fail:
	data_release(d);
	return -1;
}

/* ---- shared writers ---- */

static void kns(struct jsonw *w, const char *key, int64_t ns)
{
	char buf[32];

	jsonw_format_int64(ns, buf);
	jsonw_kstr(w, key, buf);
}

static void kms(struct jsonw *w, const char *key, int64_t ns)
{
	jsonw_kint64(w, key, ns_to_ms(ns));
}

static void kstr_or_null(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);        /* NULL writes null */
}

/* #rrggbb: anything else would not be usable as a colour by the panels. */
static int is_rgb(const char *c)
{
	size_t i;

	if (c[0] != '#' || strlen(c) != 7)
		return 0;
	for (i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)c[i]))
			return 0;
	return 1;
}

static const char *style_key(const struct tsp_style *s)
{
	return s ? s->parent_key : NULL;
}

static const char *link_type(const struct tl_input *in, const struct tsp_tg_arrow *a)
{
	const char *n = tsp_style_str(in->styles, a->style, "style-name");

	return n ? n : style_key(a->style) ? style_key(a->style) : "link";
}

static const char *event_type(const struct tl_input *in, const struct tsp_tg_state *s)
{
	const char *n = tsp_style_str(in->styles, s->style, "style-name");

	return n ? n : style_key(s->style) ? style_key(s->style) : "event";
}

static void write_row(struct jsonw *w, const struct tsp_tree_entry *e, int flat)
{
	size_t i, k;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "id", e->id);
	jsonw_key(w, "parentId");
	if (e->parent_id < 0)
		jsonw_null(w);
	else
		jsonw_int64(w, e->parent_id);
	jsonw_kstr(w, "name", e->n_labels ? e->labels[0] : "");
	jsonw_key(w, "labels");
	jsonw_arr_begin(w);
	for (i = 0; i < e->n_labels; i++)
		jsonw_str(w, e->labels[i]);
	jsonw_arr_end(w);
	if (!flat)
		jsonw_key(w, "metadata");
	if (!flat)
		jsonw_obj_begin(w);
	for (i = 0; i < e->n_metadata; i++) {
		const struct tsp_metadata *m = &e->metadata[i];

		if (flat && (!m->n_values || !strcmp(m->key, "id") || !strcmp(m->key, "name") ||
			     !strcmp(m->key, "parentId") || !strcmp(m->key, "labels")))
			continue;
		jsonw_key(w, m->key);
		if (!flat)
			jsonw_arr_begin(w);
		for (k = 0; k < m->n_values && (!flat || k < 1); k++) {
			if (m->values[k].is_number)
				jsonw_double(w, m->values[k].num);
			else
				jsonw_str(w, m->values[k].str);
		}
		if (!flat)
			jsonw_arr_end(w);
	}
	if (!flat)
		jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void write_state(struct jsonw *w, const struct tl_data *d, const struct tl_input *in,
			const struct tl_state *s, int flat)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "row", s->row);
	if (flat)
		kstr_or_null(w, "row_name", name_of(d, s->row));
	if (flat) {
		kms(w, "start", s->start);
		kms(w, "end", s->end);
	}
	kns(w, "start_ns", s->start);
	kns(w, "end_ns", s->end);
	if (!flat) {
		kms(w, "start_ms", s->start);
		kms(w, "end_ms", s->end);
	} else {
		jsonw_kdouble(w, "duration_ms", ns_span_ms(s->start, s->end));
	}
	jsonw_kstr(w, "value", tsp_state_name(in->styles, s->st));
	kstr_or_null(w, "label", s->st->label);
	kstr_or_null(w, "style", style_key(s->st->style));
	if (flat) {
		kstr_or_null(w, "color", tsp_style_str(in->styles, s->st->style, "background-color"));
	} else {
		/* A colour of the state's own wins over its style's: said only where there is one. */
		const char *own = tsp_state_own_color(s->st);

		if (own && is_rgb(own))
			jsonw_kstr(w, "color", own);
	}
	jsonw_obj_end(w);
}

static void write_event(struct jsonw *w, const struct tl_data *d, const struct tl_input *in,
			const struct tl_state *s, int flat)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "row", s->row);
	if (flat) {
		kstr_or_null(w, "row_name", name_of(d, s->row));
		kms(w, "time", s->start);
	}
	kns(w, "time_ns", s->start);
	if (!flat)
		kms(w, "time_ms", s->start);
	jsonw_kstr(w, "type", event_type(in, s->st));
	kstr_or_null(w, "label", s->st->label);
	jsonw_obj_end(w);
}

static void write_link(struct jsonw *w, const struct tl_data *d, const struct tl_input *in,
		       const struct tl_link *l, int flat)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "source", l->a->source_id);
	if (flat)
		kstr_or_null(w, "source_name", name_of(d, l->a->source_id));
	jsonw_kint64(w, "target", l->a->target_id);
	if (flat) {
		kstr_or_null(w, "target_name", name_of(d, l->a->target_id));
		kms(w, "start", l->start);
		kms(w, "end", l->end);
	}
	kns(w, "start_ns", l->start);
	kns(w, "end_ns", l->end);
	if (!flat) {
		kms(w, "start_ms", l->start);
		kms(w, "end_ms", l->end);
	} else {
		jsonw_kdouble(w, "duration_ms", ns_span_ms(l->start, l->end));
	}
	jsonw_kstr(w, "type", link_type(in, l->a));
	kstr_or_null(w, "style", style_key(l->a->style));
	jsonw_obj_end(w);
}

static void write_styles(struct jsonw *w, const struct tsp_styles *ss)
{
	size_t i;

	jsonw_obj_begin(w);
	for (i = 0; ss && i < ss->n; i++) {
		const struct tsp_style *s = &ss->items[i].style;
		const struct tsp_style_value *h = tsp_style_num(ss, s, "height");
		const char *color = tsp_style_str(ss, s, "background-color");

		jsonw_key(w, ss->items[i].key);
		jsonw_obj_begin(w);
		kstr_or_null(w, "name", tsp_style_str(ss, s, "style-name"));
		/* Only #rrggbb colours: anything else would not be usable as one. */
		kstr_or_null(w, "color", color && is_rgb(color) ? color : NULL);
		jsonw_key(w, "height");
		if (h)
			jsonw_double(w, h->num);
		else
			jsonw_null(w);
		kstr_or_null(w, "parent", s->parent_key);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
}

static void write_document(struct jsonw *w, const struct tl_source *src, const struct tl_input *in,
			   const struct tl_data *d)
{
	size_t i;

	jsonw_obj_begin(w);
	jsonw_kstr(w, "schema", "tsp-bridge/timeline");
	jsonw_kint64(w, "version", TIMELINE_SCHEMA_VERSION);
	jsonw_key(w, "source");
	jsonw_obj_begin(w);
	jsonw_key(w, "experiment");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "uuid", src->exp_uuid);
	jsonw_kstr(w, "name", src->exp_name);
	jsonw_obj_end(w);
	jsonw_key(w, "output");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", src->output_id);
	jsonw_kstr(w, "name", src->output_name);
	jsonw_kstr(w, "type", "TIME_GRAPH");
	jsonw_obj_end(w);
	jsonw_key(w, "range");
	jsonw_obj_begin(w);
	kns(w, "start_ns", src->from_ns);
	kns(w, "end_ns", src->to_ns);
	kms(w, "start_ms", src->from_ns);
	kms(w, "end_ms", src->to_ns);
	jsonw_obj_end(w);
	jsonw_kint64(w, "width", src->width);
	jsonw_kstr(w, "status", src->status == TSP_STATUS_RUNNING ? "RUNNING" : "COMPLETED");
	jsonw_kstr(w, "statusMessage", src->status_message ? src->status_message : "");
	if (src->n_notices) {
		jsonw_key(w, "notices");
		jsonw_arr_begin(w);
		for (i = 0; i < src->n_notices; i++)
			jsonw_str(w, src->notices[i]);
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);

	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (i = 0; i < d->n_rows; i++)
		write_row(w, d->rows[i], 0);
	jsonw_arr_end(w);
	jsonw_key(w, "states");
	jsonw_arr_begin(w);
	for (i = 0; i < d->n_states && !w->err; i++)
		write_state(w, d, in, &d->states[i], 0);
	jsonw_arr_end(w);
	jsonw_key(w, "events");
	jsonw_arr_begin(w);
	for (i = 0; i < d->n_events; i++)
		write_event(w, d, in, &d->events[i], 0);
	jsonw_arr_end(w);
	jsonw_key(w, "links");
	jsonw_arr_begin(w);
	for (i = 0; i < d->n_links; i++)
		write_link(w, d, in, &d->links[i], 0);
	jsonw_arr_end(w);
	jsonw_key(w, "styles");
	write_styles(w, in->styles);
	jsonw_obj_end(w);
}

/* ---- node graph ---- */

/* Links counted per (source, target) pair, sorted. */
static struct tsp_link_pair *edges_of(const struct tl_data *d, size_t *n)
{
	struct tsp_link_pair *e = calloc(d->n_links + 1, sizeof(*e));
	size_t i;

	if (!e)
		return NULL;
	for (i = 0; i < d->n_links; i++) {
		e[i].source = d->links[i].a->source_id;
		e[i].target = d->links[i].a->target_id;
		e[i].count = 1;
	}
	*n = tsp_link_pairs_merge(e, d->n_links);
	return e;
}

static void write_id(struct jsonw *w, const char *key, int64_t id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, id);
	jsonw_kstr(w, key, buf);
}

static int write_nodes_edges(struct jsonw *w, const struct tl_data *d, int nodes)
{
	size_t n = 0, i, k;
	struct tsp_link_pair *e = edges_of(d, &n);
	long *outs = calloc(d->n_by_id + 1, sizeof(*outs)), *ins = calloc(d->n_by_id + 1, sizeof(*ins));
	char sub[256];

	if (!e || !outs || !ins) {
		free(e);
		free(outs);
		free(ins);
		return -1;
	}
	jsonw_arr_begin(w);
	if (!nodes) {
		for (i = 0; i < n; i++) {
			char id[64];

			jsonw_obj_begin(w);
			snprintf(id, sizeof(id), "%" PRId64 "-%" PRId64, e[i].source, e[i].target);
			jsonw_kstr(w, "id", id);
			write_id(w, "source", e[i].source);
			write_id(w, "target", e[i].target);
			jsonw_kint64(w, "mainstat", e[i].count);
			jsonw_obj_end(w);
		}
	} else {
		/* Every row a link touches, with its links out and in. */
		tsp_link_degrees(e, n, d->by_id, d->n_by_id, outs, ins);
		for (k = 0; k < d->n_by_id; k++) {
			int64_t id = d->by_id[k]->id;

			if (!outs[k] && !ins[k])
				continue;
			/* Many threads share a name: the subtitle tells them apart. */
			tsp_entry_subtitle(d->by_id[k], sub, sizeof(sub));
			jsonw_obj_begin(w);
			write_id(w, "id", id);
			jsonw_kstr(w, "title", name_of(d, id) ? name_of(d, id) : "");
			jsonw_kstr(w, "subtitle", sub);
			jsonw_kint64(w, "mainstat", outs[k]);
			jsonw_kint64(w, "secondarystat", ins[k]);
			jsonw_obj_end(w);
		}
	}
	jsonw_arr_end(w);
	free(e);
	free(outs);
	free(ins);
	return 0;
}

/* ---- entry point ---- */

int tl_form_parse(const char *name)
{
	static const char *const names[] = {
		[TL_DOCUMENT] = "document", [TL_ROWS] = "rows", [TL_STATES] = "states",
		[TL_EVENTS] = "events", [TL_LINKS] = "links", [TL_NODES] = "nodes", [TL_EDGES] = "edges",
	};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

int tl_write(struct jsonw *w, enum tl_form form, const struct tl_source *src, const struct tl_input *in)
{
	struct tl_data d;
	size_t i;
	int ret = 0;

	if (data_init(&d, src, in) < 0)
		return -1;
	switch (form) {
	case TL_DOCUMENT:
		write_document(w, src, in, &d);
		break;
	case TL_ROWS:
		jsonw_arr_begin(w);
		for (i = 0; i < d.n_rows; i++)
			write_row(w, d.rows[i], 1);
		jsonw_arr_end(w);
		break;
	case TL_STATES:
		jsonw_arr_begin(w);
		for (i = 0; i < d.n_states && !w->err; i++)
			write_state(w, &d, in, &d.states[i], 1);
		jsonw_arr_end(w);
		break;
	case TL_EVENTS:
		jsonw_arr_begin(w);
		for (i = 0; i < d.n_events; i++)
			write_event(w, &d, in, &d.events[i], 1);
		jsonw_arr_end(w);
		break;
	case TL_LINKS:
		jsonw_arr_begin(w);
		for (i = 0; i < d.n_links; i++)
			write_link(w, &d, in, &d.links[i], 1);
		jsonw_arr_end(w);
		break;
	case TL_NODES:
	case TL_EDGES:
		ret = write_nodes_edges(w, &d, form == TL_NODES);
		break;
	}
	data_release(&d);
	return ret;
}
