/*
 * The official TSP client's fixtures (real server answers) through the
 * model parser: each file parses with the kind its name says, and every
 * integer the fixture holds comes back bit-exact.
 *
 * Exactness is checked independently of the parser: scan_ints() collects
 * each integer literal of the fixture text with its JSON path; the parsed
 * model is re-emitted as TSP-shaped JSON with jsonw (int64 printed with
 * PRId64) and scanned the same way; every literal of the fixture must be
 * found, as the same text, at the same path of the re-emission.
 */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tsp_model.h"
#include "tsp_style.h"

#define OUT_OF_RANGE "9876543210987654321"

static const struct {
	const char *prefix;
	enum tsp_model_kind kind;
} kind_map[] = {
	{ "check-health", TSP_M_HEALTH },
	{ "fetch-identifier", TSP_M_IDENTIFIER },
	{ "open-trace", TSP_M_TRACE },
	{ "delete-trace", TSP_M_TRACE },
	{ "fetch-experiments", TSP_M_EXPERIMENTS },
	{ "fetch-experiment", TSP_M_EXPERIMENT },
	{ "create-experiment", TSP_M_EXPERIMENT },
	{ "delete-experiment", TSP_M_EXPERIMENT },
	{ "experiment-outputs", TSP_M_OUTPUTS },
	{ "output-configuration", TSP_M_OUTPUT },
	{ "fetch-xy-tree", TSP_M_TREE },
	{ "fetch-timegraph-tree", TSP_M_TREE },
	{ "fetch-data-tree", TSP_M_TREE },
	{ "fetch-generic-xy-tree", TSP_M_TREE },
	{ "fetch-xy", TSP_M_XY },
	{ "fetch-generic-xy", TSP_M_XY },
	{ "fetch-timegraph-states", TSP_M_TG_STATES },
	{ "fetch-timegraph-arrows", TSP_M_TG_ARROWS },
	{ "fetch-timegraph-tooltip", TSP_M_TOOLTIP },
	{ "fetch-table-columns", TSP_M_TABLE_COLUMNS },
	{ "fetch-table-lines", TSP_M_TABLE_LINES },
	{ "fetch-styles", TSP_M_STYLES },
	{ "fetch-annotation-categories", TSP_M_ANNOTATION_CATEGORIES },
	{ "fetch-annotations", TSP_M_ANNOTATIONS },
	{ "fetch-marker-sets", TSP_M_MARKER_SETS },
	{ "configuration", TSP_M_CONFIGURATION },
	{ "fetch-configurations", TSP_M_CONFIGURATIONS },
	{ "fetch-configuration-sources", TSP_M_CONFIG_SOURCE_TYPES },
};

/* "<prefix>-<digits>.json" to a kind; -1 if no prefix matches exactly. */
static int kind_for_file(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kind_map) / sizeof(kind_map[0]); i++) {
		size_t l = strlen(kind_map[i].prefix);
		const char *p = name + l;

		if (strncmp(name, kind_map[i].prefix, l) || *p != '-')
			continue;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		if (p > name + l + 1 && !strcmp(p, ".json"))
			return (int)kind_map[i].kind;
	}
	return -1;
}

/*
 * Every fixture, in a fixed order for tcase_add_loop_test. `bad_path` is
 * set for those holding 9876543210987654321: the path the error names.
 */
static const struct {
	const char *file;
	const char *bad_path;
} fixtures[] = {
	{ "check-health-0.json", NULL },
	{ "configuration-0.json", NULL },
	{ "create-experiment-0.json", "end" },
	{ "delete-experiment-0.json", NULL },
	{ "delete-trace-0.json", NULL },
	{ "experiment-outputs-0.json", NULL },
	{ "fetch-annotation-categories-0.json", NULL },
	{ "fetch-annotations-0.json", NULL },
	{ "fetch-configuration-sources-0.json", NULL },
	{ "fetch-configurations-0.json", NULL },
	{ "fetch-data-tree-0.json", NULL },
	{ "fetch-experiment-0.json", "end" },
	{ "fetch-experiments-0.json", "[0].end" },
	{ "fetch-generic-xy-0.json", NULL },
	{ "fetch-generic-xy-1.json", NULL },
	{ "fetch-generic-xy-tree-0.json", NULL },
	{ "fetch-identifier-0.json", NULL },
	{ "fetch-marker-sets-0.json", NULL },
	{ "fetch-styles-0.json", NULL },
	{ "fetch-table-columns-0.json", NULL },
	{ "fetch-table-lines-0.json", NULL },
	{ "fetch-timegraph-arrows-0.json", NULL },
	{ "fetch-timegraph-states-0.json", NULL },
	{ "fetch-timegraph-tooltip-0.json", NULL },
	{ "fetch-timegraph-tree-0.json", "model.entries[0].end" },
	{ "fetch-xy-0.json", NULL },
	{ "fetch-xy-tree-0.json", NULL },
	{ "open-trace-0.json", NULL },
	{ "output-configuration-0.json", NULL },
};
#define N_FIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

static char *load(const char *file, size_t *len)
{
	char rel[256], path[1024];
	char *text;

	snprintf(rel, sizeof(rel), "tests/fixtures/tsp/%s", file);
	text = read_file(src_path(path, sizeof(path), rel), len);
	ck_assert_msg(text != NULL, "cannot read %s (set TSPB_SRCDIR)", path);
	return text;
}

/* ---------- integer literals with their paths ---------- */

struct lit {
	char path[200];
	char text[32];
};

struct lits {
	struct lit *v;
	size_t n, alloc;
};

#define SCAN_DEPTH 32

struct frame {
	int arr;
	size_t idx;
	const char *key;
	size_t klen;
};

static void lits_add(struct lits *l, const struct frame *st, int d, const char *num, size_t n)
{
	struct lit *x;
	size_t off = 0;
	int k;

	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = realloc(l->v, l->alloc * sizeof(*l->v));
		ck_assert_ptr_nonnull(l->v);
	}
	x = &l->v[l->n++];
	x->path[0] = '\0';
	for (k = 0; k <= d && off < sizeof(x->path); k++) {
		if (st[k].arr)
			off += snprintf(x->path + off, sizeof(x->path) - off, "[%zu]", st[k].idx);
		else
			off += snprintf(x->path + off, sizeof(x->path) - off, "%s%.*s",
					off ? "." : "", (int)st[k].klen, st[k].key);
	}
	ck_assert_uint_lt(n, sizeof(x->text));
	memcpy(x->text, num, n);
	x->text[n] = '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A deliberately naive JSON walk: valid input only, integers only. */
static void scan_ints(const char *s, size_t len, struct lits *out)
{
	struct frame st[SCAN_DEPTH];
	int d = -1, want_key = 0;
	size_t i = 0;

	while (i < len) {
		char c = s[i];

		if (c == '{' || c == '[') {
			d++;
			ck_assert_int_lt(d, SCAN_DEPTH);
			st[d].arr = c == '[';
			st[d].idx = 0;
			st[d].key = "";
			st[d].klen = 0;
			want_key = c == '{';
			i++;
		} else if (c == '}' || c == ']') {
			d--;
			i++;
		} else if (c == ',') {
			if (st[d].arr)
				st[d].idx++;
			else
				want_key = 1;
			i++;
		} else if (c == ':') {
			want_key = 0;
			i++;
		} else if (c == '"') {
			size_t b = ++i;

			while (i < len && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			if (want_key) {
				st[d].key = s + b;
				st[d].klen = i - b;
			}
			i++;
		} else if (c == '-' || is_digit(c)) {
			size_t b = i;
			int integer = 1;

			for (i++; i < len && (is_digit(s[i]) || strchr(".eE+-", s[i])); i++)
				if (!is_digit(s[i]))
					integer = 0;
			if (integer)
				lits_add(out, st, d, s + b, i - b);
		} else {
			i++;
		}
	}
}

/* ---------- the model, re-emitted in TSP's shape ---------- */

static void w_style(struct jsonw *w, const char *key, const struct tsp_style *s)
{
	size_t i;

	jsonw_key(w, key);
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_obj_begin(w);
	jsonw_kstr(w, "parentKey", s->parent_key);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	for (i = 0; i < s->n_values; i++) {
		if (s->values[i].is_number)
			jsonw_kdouble(w, s->values[i].key, s->values[i].num);
		else
			jsonw_kstr(w, s->values[i].key, s->values[i].str);
	}
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void w_raw(struct jsonw *w, const char *key, const char *json)
{
	if (!json)
		return;
	jsonw_key(w, key);
	jsonw_raw(w, json, strlen(json));
}

static void w_strs(struct jsonw *w, const char *key, const char *const *v, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_str(w, v[i]);
	jsonw_arr_end(w);
}

static void w_kv(struct jsonw *w, const struct tsp_kv *kv, size_t n)
{
	size_t i;

	jsonw_obj_begin(w);
	for (i = 0; i < n; i++)
		jsonw_kstr(w, kv[i].key, kv[i].value);
	jsonw_obj_end(w);
}

static void w_trace(struct jsonw *w, const struct tsp_trace *t)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", t->name);
	jsonw_kstr(w, "path", t->path);
	jsonw_kstr(w, "UUID", t->uuid);
	jsonw_kint64(w, "nbEvents", t->nb_events);
	jsonw_kint64(w, "start", t->start);
	jsonw_kint64(w, "end", t->end);
	jsonw_key(w, "properties");
	w_kv(w, t->properties, t->n_properties);
	jsonw_kstr(w, "indexingStatus", t->indexing_status);
	jsonw_obj_end(w);
}

static void w_experiment(struct jsonw *w, const struct tsp_experiment *e)
{
	size_t i;

	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", e->name);
	jsonw_kstr(w, "UUID", e->uuid);
	jsonw_kint64(w, "nbEvents", e->nb_events);
	jsonw_kint64(w, "start", e->start);
	jsonw_kint64(w, "end", e->end);
	jsonw_kstr(w, "indexingStatus", e->indexing_status);
	jsonw_key(w, "traces");
	jsonw_arr_begin(w);
	for (i = 0; i < e->n_traces; i++)
		w_trace(w, &e->traces[i]);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void w_configuration(struct jsonw *w, const struct tsp_configuration *c)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", c->id);
	jsonw_kstr(w, "name", c->name);
	if (c->description)
		jsonw_kstr(w, "description", c->description);
	jsonw_kstr(w, "sourceTypeId", c->source_type_id);
	w_raw(w, "parameters", c->parameters);
	jsonw_obj_end(w);
}

static void w_output(struct jsonw *w, const struct tsp_output *o)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", o->id);
	jsonw_kstr(w, "name", o->name);
	jsonw_kstr(w, "description", o->description);
	jsonw_kstr(w, "type", o->type_name);
	if (o->parent_id)
		jsonw_kstr(w, "parentId", o->parent_id);
	if (o->configuration) {
		jsonw_key(w, "configuration");
		w_configuration(w, o->configuration);
	}
	jsonw_key(w, "capabilities");
	jsonw_obj_begin(w);
	jsonw_kbool(w, "canCreate", o->can_create);
	jsonw_kbool(w, "canDelete", o->can_delete);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void w_source_type(struct jsonw *w, const struct tsp_config_source_type *st)
{
	size_t i;

	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", st->id);
	jsonw_kstr(w, "name", st->name);
	jsonw_kstr(w, "description", st->description);
	jsonw_key(w, "parameterDescriptors");
	jsonw_arr_begin(w);
	for (i = 0; i < st->n_params; i++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "keyName", st->params[i].key_name);
		jsonw_kstr(w, "description", st->params[i].description);
		jsonw_kstr(w, "dataType", st->params[i].data_type);
		jsonw_kbool(w, "required", st->params[i].required);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	w_raw(w, "schema", st->schema);
	jsonw_obj_end(w);
}

static void w_tree(struct jsonw *w, const struct tsp_tree *t)
{
	size_t i, j, k;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "autoExpandLevel", t->auto_expand_level);
	jsonw_key(w, "entries");
	jsonw_arr_begin(w);
	for (i = 0; i < t->n_entries; i++) {
		const struct tsp_tree_entry *e = &t->entries[i];

		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", e->id);
		jsonw_kint64(w, "parentId", e->parent_id);
		w_style(w, "style", e->style);
		w_strs(w, "labels", e->labels, e->n_labels);
		if (e->has_range) {
			jsonw_kint64(w, "start", e->start);
			jsonw_kint64(w, "end", e->end);
		}
		jsonw_kbool(w, "hasData", e->has_data);
		jsonw_kbool(w, "isDefault", e->is_default);
		jsonw_key(w, "metadata");
		jsonw_obj_begin(w);
		for (j = 0; j < e->n_metadata; j++) {
			jsonw_key(w, e->metadata[j].key);
			jsonw_arr_begin(w);
			for (k = 0; k < e->metadata[j].n_values; k++) {
				const struct tsp_meta_value *v = &e->metadata[j].values[k];

				if (v->is_number)
					jsonw_double(w, v->num);
				else
					jsonw_str(w, v->str);
			}
			jsonw_arr_end(w);
		}
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "headers");
	jsonw_arr_begin(w);
	for (i = 0; i < t->n_headers; i++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "name", t->headers[i].name);
		jsonw_kstr(w, "tooltip", t->headers[i].tooltip);
		if (t->headers[i].data_type)
			jsonw_kstr(w, "dataType", t->headers[i].data_type);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void w_axis(struct jsonw *w, const char *key, const struct tsp_axis_description *a)
{
	if (!a)
		return;
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "dataType", a->data_type);
	jsonw_kstr(w, "unit", a->unit);
	jsonw_key(w, "axisDomain");
	if (!a->domain_type) {
		jsonw_null(w);
	} else {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", a->domain_type);
		if (a->has_domain_range) {
			jsonw_kint64(w, "start", a->domain_start);
			jsonw_kint64(w, "end", a->domain_end);
		}
		if (a->domain_categories)
			w_strs(w, "categories", a->domain_categories, a->n_domain_categories);
		jsonw_obj_end(w);
	}
	jsonw_kstr(w, "label", a->label);
	jsonw_obj_end(w);
}

static void w_xy(struct jsonw *w, const struct tsp_xy *xy)
{
	size_t i, j;

	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", xy->title);
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (i = 0; i < xy->n_series; i++) {
		const struct tsp_xy_series *s = &xy->series[i];

		jsonw_obj_begin(w);
		jsonw_kint64(w, "seriesId", s->id);
		jsonw_kstr(w, "seriesName", s->name);
		if (s->x) {
			jsonw_key(w, "xValues");
			jsonw_arr_begin(w);
			for (j = 0; j < s->n_x; j++)
				jsonw_int64(w, s->x[j]);
			jsonw_arr_end(w);
		}
		if (s->x_categories)
			w_strs(w, "xCategories", s->x_categories, s->n_x_categories);
		if (s->x_ranges) {
			jsonw_key(w, "xRanges");
			jsonw_arr_begin(w);
			for (j = 0; j < s->n_x_ranges; j++) {
				jsonw_obj_begin(w);
				jsonw_kint64(w, "start", s->x_ranges[j].start);
				jsonw_kint64(w, "end", s->x_ranges[j].end);
				jsonw_obj_end(w);
			}
			jsonw_arr_end(w);
		}
		jsonw_key(w, "yValues");
		jsonw_arr_begin(w);
		for (j = 0; j < s->n_y; j++)
			jsonw_double(w, s->y[j]);
		jsonw_arr_end(w);
		w_style(w, "style", s->style);
		w_axis(w, "xValuesDescription", s->x_desc);
		w_axis(w, "yValuesDescription", s->y_desc);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void w_states(struct jsonw *w, const struct tsp_tg_states *ts)
{
	size_t i, j;

	jsonw_obj_begin(w);
	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (i = 0; i < ts->n_rows; i++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "entryId", ts->rows[i].entry_id);
		jsonw_key(w, "states");
		jsonw_arr_begin(w);
		for (j = 0; j < ts->rows[i].n_states; j++) {
			const struct tsp_tg_state *st = &ts->rows[i].states[j];

			jsonw_obj_begin(w);
			jsonw_kint64(w, "start", st->start);
			jsonw_kint64(w, "end", st->end);
			if (st->label)
				jsonw_kstr(w, "label", st->label);
			jsonw_kint64(w, "tags", st->tags);
			w_style(w, "style", st->style);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void w_annotations(struct jsonw *w, const struct tsp_annotations *as)
{
	size_t i, j;

	jsonw_obj_begin(w);
	jsonw_key(w, "annotations");
	jsonw_obj_begin(w);
	for (i = 0; i < as->n; i++) {
		jsonw_key(w, as->categories[i].name);
		jsonw_arr_begin(w);
		for (j = 0; j < as->categories[i].n; j++) {
			const struct tsp_annotation *a = &as->categories[i].items[j];

			jsonw_obj_begin(w);
			jsonw_kint64(w, "time", a->time);
			jsonw_kint64(w, "duration", a->duration);
			jsonw_kint64(w, "entryId", a->entry_id);
			jsonw_kstr(w, "type", a->type);
			jsonw_kstr(w, "label", a->label);
			w_style(w, "style", a->style);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void w_lines(struct jsonw *w, const struct tsp_table_lines *t)
{
	size_t i, j;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "size", t->size);
	jsonw_kint64(w, "lowIndex", t->low_index);
	jsonw_key(w, "columnIds");
	jsonw_arr_begin(w);
	for (i = 0; i < t->n_column_ids; i++)
		jsonw_int64(w, t->column_ids[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "lines");
	jsonw_arr_begin(w);
	for (i = 0; i < t->n_lines; i++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "index", t->lines[i].index);
		jsonw_kint64(w, "tags", t->lines[i].tags);
		jsonw_key(w, "cells");
		jsonw_arr_begin(w);
		for (j = 0; j < t->lines[i].n_cells; j++) {
			jsonw_obj_begin(w);
			jsonw_kstr(w, "content", t->lines[i].cells[j].content);
			jsonw_kint64(w, "tags", t->lines[i].cells[j].tags);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void w_model(struct jsonw *w, const struct tsp_model *m)
{
	size_t i;

	switch (m->kind) {
	case TSP_M_HEALTH:
		jsonw_obj_begin(w);
		jsonw_kstr(w, "status", m->u.health.status);
		jsonw_obj_end(w);
		break;
	case TSP_M_IDENTIFIER: {
		const struct tsp_identifier *id = &m->u.identifier;

		jsonw_obj_begin(w);
		jsonw_kstr(w, "version", id->version);
		jsonw_kstr(w, "buildTime", id->build_time);
		jsonw_kstr(w, "os", id->os);
		jsonw_kstr(w, "osArch", id->os_arch);
		jsonw_kstr(w, "osVersion", id->os_version);
		jsonw_kint64(w, "cpuCount", id->cpu_count);
		jsonw_kint64(w, "maxMemory", id->max_memory);
		jsonw_kstr(w, "launcherName", id->launcher_name);
		jsonw_kstr(w, "productId", id->product_id);
		jsonw_kstr(w, "tspVersion", id->tsp_version);
		jsonw_obj_end(w);
		break;
	}
	case TSP_M_TRACES:
		jsonw_arr_begin(w);
		for (i = 0; i < m->u.traces.n; i++)
			w_trace(w, &m->u.traces.items[i]);
		jsonw_arr_end(w);
		break;
	case TSP_M_TRACE:
		w_trace(w, &m->u.trace);
		break;
	case TSP_M_EXPERIMENTS:
		jsonw_arr_begin(w);
		for (i = 0; i < m->u.experiments.n; i++)
			w_experiment(w, &m->u.experiments.items[i]);
		jsonw_arr_end(w);
		break;
	case TSP_M_EXPERIMENT:
		w_experiment(w, &m->u.experiment);
		break;
	case TSP_M_OUTPUTS:
		jsonw_arr_begin(w);
		for (i = 0; i < m->u.outputs.n; i++)
			w_output(w, &m->u.outputs.items[i]);
		jsonw_arr_end(w);
		break;
	case TSP_M_OUTPUT:
		w_output(w, &m->u.output);
		break;
	case TSP_M_CONFIGURATION:
		w_configuration(w, &m->u.configuration);
		break;
	case TSP_M_CONFIGURATIONS:
		jsonw_arr_begin(w);
		for (i = 0; i < m->u.configurations.n; i++)
			w_configuration(w, &m->u.configurations.items[i]);
		jsonw_arr_end(w);
		break;
	case TSP_M_CONFIG_SOURCE_TYPES:
		jsonw_arr_begin(w);
		for (i = 0; i < m->u.source_types.n; i++)
			w_source_type(w, &m->u.source_types.items[i]);
		jsonw_arr_end(w);
		break;
	default:
		/* Wrapped kinds. */
		jsonw_obj_begin(w);
		jsonw_key(w, "model");
		if (!m->has_model) {
			jsonw_null(w);
		} else if (m->kind == TSP_M_TREE) {
			w_tree(w, &m->u.tree);
		} else if (m->kind == TSP_M_XY) {
			w_xy(w, &m->u.xy);
		} else if (m->kind == TSP_M_TG_STATES) {
			w_states(w, &m->u.states);
		} else if (m->kind == TSP_M_TG_ARROWS) {
			jsonw_arr_begin(w);
			for (i = 0; i < m->u.arrows.n; i++) {
				const struct tsp_tg_arrow *a = &m->u.arrows.items[i];

				jsonw_obj_begin(w);
				jsonw_kint64(w, "start", a->start);
				jsonw_kint64(w, "end", a->end);
				jsonw_kint64(w, "sourceId", a->source_id);
				jsonw_kint64(w, "targetId", a->target_id);
				w_style(w, "style", a->style);
				jsonw_obj_end(w);
			}
			jsonw_arr_end(w);
		} else if (m->kind == TSP_M_TOOLTIP) {
			w_kv(w, m->u.tooltip.items, m->u.tooltip.n);
		} else if (m->kind == TSP_M_TABLE_COLUMNS) {
			jsonw_arr_begin(w);
			for (i = 0; i < m->u.columns.n; i++) {
				const struct tsp_table_column *c = &m->u.columns.items[i];

				jsonw_obj_begin(w);
				jsonw_kstr(w, "name", c->name);
				jsonw_kint64(w, "id", c->id);
				jsonw_kstr(w, "type", c->type);
				jsonw_kstr(w, "description", c->description);
				jsonw_obj_end(w);
			}
			jsonw_arr_end(w);
		} else if (m->kind == TSP_M_TABLE_LINES) {
			w_lines(w, &m->u.lines);
		} else if (m->kind == TSP_M_STYLES) {
			jsonw_obj_begin(w);
			jsonw_key(w, "styles");
			jsonw_obj_begin(w);
			for (i = 0; i < m->u.styles.n; i++)
				w_style(w, m->u.styles.items[i].key, &m->u.styles.items[i].style);
			jsonw_obj_end(w);
			jsonw_obj_end(w);
		} else if (m->kind == TSP_M_ANNOTATION_CATEGORIES) {
			jsonw_obj_begin(w);
			w_strs(w, "annotationCategories", m->u.categories.items, m->u.categories.n);
			jsonw_obj_end(w);
		} else if (m->kind == TSP_M_ANNOTATIONS) {
			w_annotations(w, &m->u.annotations);
		} else if (m->kind == TSP_M_MARKER_SETS) {
			jsonw_arr_begin(w);
			for (i = 0; i < m->u.marker_sets.n; i++) {
				jsonw_obj_begin(w);
				jsonw_kstr(w, "name", m->u.marker_sets.items[i].name);
				jsonw_kstr(w, "id", m->u.marker_sets.items[i].id);
				jsonw_obj_end(w);
			}
			jsonw_arr_end(w);
		} else {
			ck_abort_msg("no writer for kind %d", (int)m->kind);
		}
		jsonw_kstr(w, "statusMessage", m->status_message);
		jsonw_kstr(w, "status", tsp_status_name(m->status));
		jsonw_obj_end(w);
	}
}

/*
 * Every integer literal of `text` must be found, as the same text, at the
 * same path in the model's re-emission. Returns how many were checked.
 */
static size_t check_round_trip(const char *name, const char *text, size_t len,
			       const struct tsp_model *m)
{
	struct lits in = { 0 }, out = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	size_t i, j, n;

	jsonw_init(&w, &sb);
	w_model(&w, m);
	ck_assert_msg(jsonw_finish(&w) == 0, "%s: re-emission failed", name);
	scan_ints(text, len, &in);
	scan_ints(sb.buf, sb.len, &out);
	for (i = 0; i < in.n; i++) {
		for (j = 0; j < out.n; j++)
			if (!strcmp(in.v[i].path, out.v[j].path))
				break;
		ck_assert_msg(j < out.n, "%s: %s = %s is not in the parsed model:\n%s", name,
			      in.v[i].path, in.v[i].text, sb.buf);
		ck_assert_msg(!strcmp(in.v[i].text, out.v[j].text), "%s: %s is %s, parsed as %s",
			      name, in.v[i].path, in.v[i].text, out.v[j].text);
	}
	n = in.n;
	free(in.v);
	free(out.v);
	strbuf_release(&sb);
	return n;
}

/* ---------- known values, fixture by fixture ---------- */

static const char *i64s(int64_t v)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return buf;
}

#define ck_i64(v, lit) ck_assert_str_eq(i64s(v), #lit)

static void check_known(const char *file, const struct tsp_model *m)
{
	if (!strcmp(file, "check-health-0.json")) {
		ck_assert_str_eq(m->u.health.status, "UP");
	} else if (!strcmp(file, "fetch-identifier-0.json")) {
		ck_assert_str_eq(m->u.identifier.version, "0.9.1");
		ck_assert_ptr_null(m->u.identifier.tsp_version);
		ck_i64(m->u.identifier.max_memory, 8552185856);
		ck_i64(m->u.identifier.cpu_count, 8);
	} else if (!strcmp(file, "open-trace-0.json") || !strcmp(file, "delete-trace-0.json")) {
		ck_i64(m->u.trace.start, 0);
		ck_assert_uint_eq(m->u.trace.n_properties, 2);
		/* A string that looks like a number stays a string. */
		ck_assert_str_eq(m->u.trace.properties[1].value, "1450192743562703624");
		ck_assert_str_eq(m->u.trace.indexing_status, "CLOSED");
	} else if (!strcmp(file, "delete-experiment-0.json")) {
		ck_assert_uint_eq(m->u.experiment.n_traces, 1);
		ck_assert_str_eq(m->u.experiment.traces[0].uuid,
				 "11111111-1111-1111-1111-111111111111");
	} else if (!strcmp(file, "experiment-outputs-0.json")) {
		const struct tsp_output *o = m->u.outputs.items;

		ck_assert_uint_eq(m->u.outputs.n, 6);
		ck_assert_int_eq(o[0].type, TSP_OUTPUT_TREE_TIME_XY);
		ck_assert_int_eq(o[1].type, TSP_OUTPUT_TABLE);
		ck_assert_int_eq(o[2].type, TSP_OUTPUT_DATA_TREE);
		ck_assert_int_eq(o[3].type, TSP_OUTPUT_TIME_GRAPH);
		ck_assert_int_eq(o[4].can_create, 1);
		ck_assert_int_eq(o[4].can_delete, 0);
		ck_assert_str_eq(o[5].parent_id, "timegraph.output.id1");
		ck_assert_int_eq(o[5].can_delete, 1);
		ck_assert_str_eq(o[5].configuration->source_type_id, "my-source-type-1-id");
		ck_assert_str_eq(o[5].configuration->parameters, "{\"path\":\"/home/user/tmp\"}");
	} else if (!strcmp(file, "output-configuration-0.json")) {
		ck_assert_int_eq(m->u.output.type, TSP_OUTPUT_NONE);
		ck_assert_str_eq(m->u.output.configuration->parameters,
				 "{\"specifiers\":[{\"label\":\"latency\",\"inRegex\":\"(\\\\S*)_entry\","
				 "\"outRegex\":\"(\\\\S*)_exit\",\"contextInRegex\":\"(\\\\S*)_entry\","
				 "\"contextOutRegex\":\"(\\\\S*)_exit\",\"classifier\":\"CPU\"}]}");
	} else if (!strcmp(file, "configuration-0.json")) {
		ck_assert_str_eq(m->u.configuration.id, "my-config-1-id");
		ck_assert_str_eq(m->u.configuration.parameters, "{\"path\":\"/home/user/tmp\"}");
	} else if (!strcmp(file, "fetch-configurations-0.json")) {
		ck_assert_uint_eq(m->u.configurations.n, 2);
		ck_assert_ptr_null(m->u.configurations.items[1].description);
		ck_assert_ptr_null(m->u.configurations.items[1].parameters);
	} else if (!strcmp(file, "fetch-configuration-sources-0.json")) {
		const struct tsp_config_source_type *st = m->u.source_types.items;

		ck_assert_uint_eq(m->u.source_types.n, 2);
		ck_assert_uint_eq(st[0].n_params, 2);
		ck_assert_int_eq(st[0].params[0].required, 1);     /* "True" */
		ck_assert_int_eq(st[0].params[1].required, 0);
		ck_assert_ptr_null(st[0].schema);
		ck_assert_ptr_nonnull(strstr(st[1].schema, "\"required\":[\"cpus\"]"));
		ck_assert_ptr_nonnull(strstr(st[1].schema,
					     "\"pattern\":\"^(\\\\([0-9]{3}\\\\))?[0-9]{3}-[0-9]{4}$\""));
	} else if (!strcmp(file, "fetch-xy-0.json")) {
		const struct tsp_xy_series *s = &m->u.xy.series[0];

		ck_i64(s->id, 111);
		ck_assert_uint_eq(s->n_x, 3);
		ck_i64(s->x[0], 1111111111111111111);
		ck_i64(s->x[1], 2222222222222222222);
		ck_i64(s->x[2], 3333333333333333333);
		ck_assert_double_eq(s->y[1], 2.22222222222222);
	} else if (!strcmp(file, "fetch-generic-xy-0.json")) {
		const struct tsp_xy_series *s = &m->u.xy.series[0];

		ck_assert_uint_eq(m->u.xy.n_series, 4);
		ck_assert_uint_eq(s->n_x_ranges, 5);
		ck_i64(s->x_ranges[4].start, 2416917591);
		ck_i64(s->x_ranges[4].end, 3021146988);
		ck_i64(s->x_desc->domain_end, 3021146988);
		ck_assert_str_eq(s->x_desc->unit, "ns");
		ck_assert_str_eq(s->y_desc->label, "Number of Executions");
	} else if (!strcmp(file, "fetch-generic-xy-1.json")) {
		const struct tsp_xy_series *s = &m->u.xy.series[0];

		ck_assert_uint_eq(s->n_x_categories, 5);
		ck_assert_str_eq(s->x_categories[4], "black");
		ck_assert_uint_eq(s->x_desc->n_domain_categories, 5);
	} else if (!strcmp(file, "fetch-timegraph-states-0.json")) {
		const struct tsp_tg_row *r = &m->u.states.rows[0];

		ck_i64(r->entry_id, 1234);
		ck_i64(r->states[0].start, 1111111111111111111);
		ck_i64(r->states[1].end, 2222222222222222222);
		ck_i64(r->states[2].start, 3333333333333333333);
		ck_assert_ptr_null(r->states[0].style);
		ck_assert_uint_eq(r->states[1].style->n_values, 0);
		ck_assert_str_eq(tsp_style_get(r->states[2].style, "background-color")->str, "#646464");
	} else if (!strcmp(file, "fetch-timegraph-arrows-0.json")) {
		ck_i64(m->u.arrows.items[0].start, 1111111111111111111);
		ck_i64(m->u.arrows.items[0].end, 2222222222222222222);
		ck_i64(m->u.arrows.items[0].target_id, 2222);
	} else if (!strcmp(file, "fetch-annotations-0.json")) {
		const struct tsp_annotation *a = &m->u.annotations.categories[0].items[0];

		ck_assert_int_eq(m->status, TSP_STATUS_RUNNING);
		ck_i64(a->time, 1111111111111111111);
		ck_i64(a->duration, 1111111);
		ck_i64(a->entry_id, -1);
		ck_assert_double_eq(tsp_style_get(a->style, "opacity")->num, 0.2);
	} else if (!strcmp(file, "fetch-xy-tree-0.json")) {
		ck_assert_int_eq(m->status, TSP_STATUS_RUNNING);
		ck_assert_int_eq(m->has_model, 1);
		ck_i64(m->u.tree.entries[0].id, 111);
		ck_i64(m->u.tree.entries[0].parent_id, -1);
		ck_assert_int_eq(m->u.tree.auto_expand_level, -1);
	} else if (!strcmp(file, "fetch-data-tree-0.json")) {
		ck_assert_uint_eq(m->u.tree.n_entries, 4);
		ck_i64(m->u.tree.entries[3].parent_id, 1);
		ck_assert_str_eq(m->u.tree.entries[2].labels[2], "65.302 \xc2\xb5s");
		ck_assert_str_eq(m->u.tree.headers[8].data_type, "TIME_RANGE");
	} else if (!strcmp(file, "fetch-table-columns-0.json")) {
		ck_assert_ptr_null(m->u.columns.items[1].type);
		ck_assert_ptr_null(m->u.columns.items[1].description);
		ck_i64(m->u.columns.items[2].id, 2);
	} else if (!strcmp(file, "fetch-table-lines-0.json")) {
		ck_i64(m->u.lines.size, 999999);
		ck_assert_str_eq(m->u.lines.lines[1].cells[1].content, "2222222222.222 222 222");
	} else if (!strcmp(file, "fetch-styles-0.json")) {
		ck_assert_str_eq(m->u.styles.items[0].key, "Style key");
		ck_assert_double_eq(tsp_style_get(&m->u.styles.items[0].style, "height")->num, 0.33);
	} else if (!strcmp(file, "fetch-timegraph-tooltip-0.json")) {
		ck_assert_str_eq(m->u.tooltip.items[0].value, "value");
	} else if (!strcmp(file, "fetch-marker-sets-0.json")) {
		ck_assert_str_eq(m->u.marker_sets.items[0].id, "marker.set.id");
	} else if (!strcmp(file, "fetch-annotation-categories-0.json")) {
		ck_assert_str_eq(m->u.categories.items[0], "Annotation category");
	}
}

/* Copy of text with every occurrence of from replaced by to (same length). */
static char *replace_all(const char *text, size_t len, const char *from, const char *to)
{
	char *copy = malloc(len + 1), *p;
	size_t n = strlen(from);

	ck_assert_ptr_nonnull(copy);
	ck_assert_uint_eq(n, strlen(to));
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = strstr(copy, from); p; p = strstr(p + n, from))
		memcpy(p, to, n);
	return copy;
}

/* ---------- tests ---------- */

START_TEST(every_fixture_has_a_kind)
{
	char path[1024];
	DIR *dir = opendir(src_path(path, sizeof(path), "tests/fixtures/tsp"));
	struct dirent *de;
	int seen = 0, i;

	ck_assert_msg(dir != NULL, "cannot open %s", path);
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		ck_assert_msg(kind_for_file(de->d_name) >= 0, "no kind for %s", de->d_name);
		for (i = 0; i < N_FIXTURES; i++)
			if (!strcmp(fixtures[i].file, de->d_name))
				break;
		ck_assert_msg(i < N_FIXTURES, "%s is not in the fixture table", de->d_name);
		seen++;
	}
	closedir(dir);
	ck_assert_int_eq(seen, N_FIXTURES);
	ck_assert_int_eq(kind_for_file("fetch-xy-0.json"), TSP_M_XY);
	ck_assert_int_eq(kind_for_file("fetch-xy-tree-0.json"), TSP_M_TREE);
	ck_assert_int_eq(kind_for_file("fetch-experiments-0.json"), TSP_M_EXPERIMENTS);
	ck_assert_int_eq(kind_for_file("fetch-generic-xy-12.json"), TSP_M_XY);
	ck_assert_int_eq(kind_for_file("fetch-xy.json"), -1);
}
END_TEST

/* One fixture per iteration: parses exactly, or fails on the range only. */
START_TEST(fixture_parses)
{
	const char *file = fixtures[_i].file, *bad = fixtures[_i].bad_path;
	int kind = kind_for_file(file);
	struct tsp_model m;
	struct tsp_error err;
	size_t len, checked;
	char *text = load(file, &len);
	int rc;

	ck_assert_int_ge(kind, 0);
	tsp_model_init(&m);
	rc = tsp_model_parse(&m, (enum tsp_model_kind)kind, text, len, &err);
	if (!bad) {
		ck_assert_ptr_null(strstr(text, OUT_OF_RANGE));
		ck_assert_msg(rc == 0, "%s: %s", file, err.msg);
		ck_assert_int_eq(m.has_model, 1);
		checked = check_round_trip(file, text, len, &m);
		check_known(file, &m);
		/* The scanner itself is checked on a few known counts. */
		if (!strcmp(file, "fetch-xy-0.json"))
			ck_assert_uint_eq(checked, 4);
		else if (!strcmp(file, "fetch-timegraph-states-0.json"))
			ck_assert_uint_eq(checked, 7);
		else if (!strcmp(file, "fetch-generic-xy-0.json"))
			ck_assert_uint_eq(checked, 4 * (1 + 10 + 2));
		else if (!strcmp(file, "fetch-identifier-0.json"))
			ck_assert_uint_eq(checked, 2);
	} else {
		char want[128];
		char *fixed, *over;

		ck_assert_ptr_nonnull(strstr(text, OUT_OF_RANGE));
		snprintf(want, sizeof(want), "%s: " OUT_OF_RANGE " is out of int64 range", bad);
		if (kind == TSP_M_EXPERIMENTS) {
			/* A list leaves the bad experiment out, saying why. */
			ck_assert_msg(rc == 0, "%s: %s", file, err.msg);
			ck_assert_uint_eq(m.u.experiments.n, 0);
			ck_assert_uint_eq(m.u.experiments.n_skipped, 1);
			ck_assert_str_eq(m.u.experiments.skipped, want);
			tsp_model_release(&m);
		} else {
			ck_assert_msg(rc == -1, "%s parsed despite " OUT_OF_RANGE, file);
			ck_assert_int_eq(err.kind, TSP_ERR_SCHEMA);
			ck_assert_str_eq(err.msg, want);
			ck_assert_ptr_null(m.arena.head);
			ck_assert_int_eq(m.has_model, 0);
		}

		/* Only the range is at fault: INT64_MAX in its place parses... */
		fixed = replace_all(text, len, OUT_OF_RANGE, "9223372036854775807");
		rc = tsp_model_parse(&m, (enum tsp_model_kind)kind, fixed, len, &err);
		ck_assert_msg(rc == 0, "%s (fixed): %s", file, err.msg);
		checked = check_round_trip(file, fixed, len, &m);
		ck_assert_uint_gt(checked, 3);
		if (kind == TSP_M_TREE) {
			ck_i64(m.u.tree.entries[0].start, 1234567890123456789);
			ck_i64(m.u.tree.entries[0].end, 9223372036854775807);
			ck_assert_int_eq(m.u.tree.entries[0].has_range, 1);
			ck_assert_uint_eq(m.u.tree.entries[0].n_metadata, 3);
			ck_assert_double_eq(m.u.tree.entries[0].metadata[0].values[1].num, 7777);
		} else {
			const struct tsp_experiment *e = kind == TSP_M_EXPERIMENTS ?
				&m.u.experiments.items[0] : &m.u.experiment;

			ck_assert(e->end == INT64_MAX);
			ck_i64(e->end, 9223372036854775807);
			ck_i64(e->start, 1234567890123456789);
			ck_i64(e->nb_events, 999999);
			ck_i64(e->traces[0].end, 9223372036854775807);
			ck_i64(e->traces[0].start, 1234567890123456789);
		}
		/* ...and one past it does not. */
		over = replace_all(text, len, OUT_OF_RANGE, "9223372036854775808");
		rc = tsp_model_parse(&m, (enum tsp_model_kind)kind, over, len, &err);
		snprintf(want, sizeof(want), "%s: 9223372036854775808 is out of int64 range", bad);
		if (kind == TSP_M_EXPERIMENTS) {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(m.u.experiments.n_skipped, 1);
			ck_assert_str_eq(m.u.experiments.skipped, want);
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_int_eq(err.kind, TSP_ERR_SCHEMA);
			ck_assert_str_eq(err.msg, want);
		}
		free(fixed);
		free(over);
	}
	tsp_model_release(&m);
	free(text);
}
END_TEST

/* Any body with any kind: a model or a clean schema error, never a crash. */
START_TEST(fixture_with_every_kind)
{
	const char *file = fixtures[_i].file;
	struct tsp_model m;
	struct tsp_error err;
	size_t len;
	char *text = load(file, &len);
	int k;

	tsp_model_init(&m);
	for (k = TSP_M_HEALTH; k <= TSP_M_CONFIG_SOURCE_TYPES; k++) {
		int rc = tsp_model_parse(&m, (enum tsp_model_kind)k, text, len, &err);

		if (rc) {
			ck_assert_msg(err.kind == TSP_ERR_SCHEMA, "%s as %s: %s", file,
				      tsp_model_kind_name(k), err.msg);
			ck_assert_ptr_null(m.arena.head);
		}
	}
	tsp_model_release(&m);
	free(text);
}
END_TEST

/* Truncated and mutated bodies: a crash or leak here is what a fuzzer finds. */
START_TEST(fixture_damaged)
{
	static const char subst[] = { '"', '1', '[', '}', 'x', '\0' };
	const char *file = fixtures[_i].file;
	int kind = kind_for_file(file);
	size_t len, i, step = under_valgrind() ? 7 : 1;
	char *text = load(file, &len);
	char *buf = malloc(len + 1);
	struct tsp_model m;
	struct tsp_error err;
	size_t s;

	ck_assert_ptr_nonnull(buf);
	tsp_model_init(&m);
	for (i = 0; i < len; i += step) {
		int rc = tsp_model_parse(&m, (enum tsp_model_kind)kind, text, i, &err);

		/* The whole text minus trailing blanks is the fixture itself. */
		ck_assert_msg(rc == 0 || err.kind == TSP_ERR_BAD_JSON ||
			      (fixtures[_i].bad_path && err.kind == TSP_ERR_SCHEMA),
			      "%s[:%zu]: %s", file, i, err.msg);
	}
	for (i = 0; i < len; i += step) {
		for (s = 0; s < sizeof(subst); s++) {
			int rc;

			memcpy(buf, text, len);
			buf[i] = subst[s];
			rc = tsp_model_parse(&m, (enum tsp_model_kind)kind, buf, len, &err);
			if (rc) {
				ck_assert_msg(err.kind == TSP_ERR_BAD_JSON || err.kind == TSP_ERR_SCHEMA,
					      "%s[%zu]='%c': %s", file, i, subst[s], err.msg);
				ck_assert_ptr_null(m.arena.head);
			}
		}
	}
	tsp_model_release(&m);
	free(buf);
	free(text);
}
END_TEST

Suite *fixtures_suite(void)
{
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("tsp");
	TCase *fz = tcase_create("damaged");

	tcase_add_test(tc, every_fixture_has_a_kind);
	tcase_add_loop_test(tc, fixture_parses, 0, N_FIXTURES);
	tcase_add_loop_test(tc, fixture_with_every_kind, 0, N_FIXTURES);
	suite_add_tcase(s, tc);
	tcase_set_timeout(fz, under_valgrind() ? 600 : 120);
	tcase_add_loop_test(fz, fixture_damaged, 0, N_FIXTURES);
	suite_add_tcase(s, fz);
	return s;
}
