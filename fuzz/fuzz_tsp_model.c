/*
 * TSP response models (tsp_model.h): the first byte picks the enum
 * tsp_model_kind, the rest is the response body.
 *
 * Checks:
 *  - an error has a kind and a terminated message, and leaves no model;
 *  - tsp_model_parse() (arena parser) and json_parse_exact() +
 *    tsp_model_parse_json() (cJSON) agree: same result, same error kind
 *    and message, whenever both read the JSON;
 *  - states bodies: the direct reader (tg_states_reader.h) accepts only
 *    what the generic path accepts, with the same model field for field,
 *    and tsp_model_parse() answers exactly as tsp_model_parse_generic();
 *  - an accepted model holds what the header promises: strings non-NULL
 *    unless "NULL if absent", arrays of the stated length (every element
 *    is read, so ASan sees a short one), XY x arrays as long as y;
 *  - an XY value's decimal code (dec.h) writes text that reads back as
 *    the value itself;
 *  - accepted models go on through the translations that need only one
 *    model (gf_translate.h) and the frame writers, and what they write is
 *    JSON that json_parse_exact() reads.
 */
#include "fuzz_common.h"
#include "fuzz_frame.h"
#include "gf_frame.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tg_states_reader.h"
#include "tsp_model.h"

#define N_KINDS ((int)TSP_M_CONFIG_SOURCE_TYPES + 1)

static volatile size_t sink;
static const struct tsp_table_columns no_columns;

static void str(const char *s)
{
	FUZZ_CHECK(s != NULL, "NULL string where one is promised");
	sink += strlen(s);
}

static void opt(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void style(const struct tsp_style *s)
{
	size_t i;

	if (!s)
		return;
	opt(s->parent_key);
	FUZZ_CHECK(!s->n_values || s->values, "style values");
	for (i = 0; i < s->n_values; i++) {
		str(s->values[i].key);
		if (!s->values[i].is_number)
			str(s->values[i].str);
	}
}

static void trace(const struct tsp_trace *t)
{
	size_t i;

	str(t->uuid);
	str(t->name);
	str(t->path);
	str(t->indexing_status);
	for (i = 0; i < t->n_properties; i++) {
		str(t->properties[i].key);
		str(t->properties[i].value);
	}
}

static void experiment(const struct tsp_experiment *e)
{
	size_t i;

	str(e->uuid);
	str(e->name);
	str(e->indexing_status);
	for (i = 0; i < e->n_traces; i++)
		trace(&e->traces[i]);
}

static void configuration(const struct tsp_configuration *c)
{
	str(c->id);
	str(c->name);
	str(c->source_type_id);
	opt(c->description);
	opt(c->parameters);
	/* The parameters are re-emitted JSON: they must read back. */
	if (c->parameters) {
		cJSON *j = json_parse_exact(c->parameters, strlen(c->parameters), NULL, 0);

		FUZZ_CHECK(j != NULL, "parameters are not JSON: %s", c->parameters);
		cJSON_Delete(j);
	}
}

static void output(const struct tsp_output *o)
{
	str(o->id);
	str(o->name);
	str(o->description);
	opt(o->parent_id);
	str(o->type_name);
	FUZZ_CHECK(o->type == tsp_output_type_parse(o->type_name), "type vs type_name");
	if (o->configuration)
		configuration(o->configuration);
}

static void tree(const struct tsp_tree *t)
{
	size_t i, j, k;

	for (i = 0; i < t->n_headers; i++) {
		str(t->headers[i].name);
		str(t->headers[i].tooltip);
		opt(t->headers[i].data_type);
	}
	for (i = 0; i < t->n_entries; i++) {
		const struct tsp_tree_entry *e = &t->entries[i];

		for (j = 0; j < e->n_labels; j++)
			str(e->labels[j]);
		style(e->style);
		for (j = 0; j < e->n_metadata; j++) {
			str(e->metadata[j].key);
			for (k = 0; k < e->metadata[j].n_values; k++)
				if (!e->metadata[j].values[k].is_number)
					str(e->metadata[j].values[k].str);
		}
	}
}

static void axis(const struct tsp_axis_description *a)
{
	size_t i;

	if (!a)
		return;
	opt(a->label);
	opt(a->unit);
	opt(a->data_type);
	opt(a->domain_type);
	for (i = 0; i < a->n_domain_categories; i++)
		str(a->domain_categories[i]);
}

static void xy(const struct tsp_xy *x)
{
	size_t i, j;

	opt(x->title);
	for (i = 0; i < x->n_series; i++) {
		const struct tsp_xy_series *s = &x->series[i];

		str(s->name);
		FUZZ_CHECK(!s->x || s->n_x == s->n_y, "n_x %zu vs n_y %zu", s->n_x, s->n_y);
		FUZZ_CHECK(!s->x_categories || s->n_x_categories == s->n_y, "categories");
		FUZZ_CHECK(!s->x_ranges || s->n_x_ranges == s->n_y, "ranges");
		for (j = 0; j < s->n_y; j++) {
			sink += (size_t)(s->y[j] == s->y[j]);
			/* The server's digits, as the writers pass them on, read as the same double. */
			if (s->y_dec && s->y_dec[j]) {
				char text[64];
				double back;

				jsonw_format_dec(s->y_dec[j], text);
				back = strtod(text, NULL);
				FUZZ_CHECK(memcmp(&back, &s->y[j], sizeof(back)) == 0,
					   "decimal code writes %s for %.17g", text, s->y[j]);
			}
			if (s->x)
				sink += (size_t)s->x[j];
			if (s->x_categories)
				str(s->x_categories[j]);
			if (s->x_ranges)
				sink += (size_t)s->x_ranges[j].start;
		}
		style(s->style);
		axis(s->x_desc);
		axis(s->y_desc);
	}
}

static void check_model(const struct tsp_model *m)
{
	size_t i, j;

	str(m->status_message);
	switch (m->kind) {
	case TSP_M_HEALTH:
		str(m->u.health.status);
		break;
	case TSP_M_IDENTIFIER:
		str(m->u.identifier.version);
		opt(m->u.identifier.product_id);
		opt(m->u.identifier.tsp_version);
		opt(m->u.identifier.os);
		opt(m->u.identifier.os_arch);
		opt(m->u.identifier.os_version);
		opt(m->u.identifier.build_time);
		opt(m->u.identifier.launcher_name);
		break;
	case TSP_M_TRACES:
		for (i = 0; i < m->u.traces.n; i++)
			trace(&m->u.traces.items[i]);
		break;
	case TSP_M_TRACE:
		trace(&m->u.trace);
		break;
	case TSP_M_EXPERIMENTS:
		for (i = 0; i < m->u.experiments.n; i++)
			experiment(&m->u.experiments.items[i]);
		break;
	case TSP_M_EXPERIMENT:
		experiment(&m->u.experiment);
		break;
	case TSP_M_OUTPUTS:
		for (i = 0; i < m->u.outputs.n; i++)
			output(&m->u.outputs.items[i]);
		break;
	case TSP_M_OUTPUT:
		output(&m->u.output);
		break;
	case TSP_M_TREE:
		tree(&m->u.tree);
		break;
	case TSP_M_XY:
		xy(&m->u.xy);
		break;
	case TSP_M_TG_STATES:
		for (i = 0; i < m->u.states.n_rows; i++)
			for (j = 0; j < m->u.states.rows[i].n_states; j++) {
				opt(m->u.states.rows[i].states[j].label);
				style(m->u.states.rows[i].states[j].style);
			}
		break;
	case TSP_M_TG_ARROWS:
		for (i = 0; i < m->u.arrows.n; i++)
			style(m->u.arrows.items[i].style);
		break;
	case TSP_M_TOOLTIP:
		for (i = 0; i < m->u.tooltip.n; i++) {
			str(m->u.tooltip.items[i].key);
			str(m->u.tooltip.items[i].value);
		}
		break;
	case TSP_M_TABLE_COLUMNS:
		for (i = 0; i < m->u.columns.n; i++) {
			str(m->u.columns.items[i].name);
			opt(m->u.columns.items[i].description);
			opt(m->u.columns.items[i].type);
		}
		break;
	case TSP_M_TABLE_LINES:
		for (i = 0; i < m->u.lines.n_column_ids; i++)
			sink += (size_t)m->u.lines.column_ids[i];
		for (i = 0; i < m->u.lines.n_lines; i++)
			for (j = 0; j < m->u.lines.lines[i].n_cells; j++)
				str(m->u.lines.lines[i].cells[j].content);
		break;
	case TSP_M_STYLES:
		for (i = 0; i < m->u.styles.n; i++) {
			str(m->u.styles.items[i].key);
			style(&m->u.styles.items[i].style);
		}
		break;
	case TSP_M_ANNOTATION_CATEGORIES:
		for (i = 0; i < m->u.categories.n; i++)
			str(m->u.categories.items[i]);
		break;
	case TSP_M_ANNOTATIONS:
		for (i = 0; i < m->u.annotations.n; i++) {
			str(m->u.annotations.categories[i].name);
			for (j = 0; j < m->u.annotations.categories[i].n; j++) {
				str(m->u.annotations.categories[i].items[j].type);
				opt(m->u.annotations.categories[i].items[j].label);
				style(m->u.annotations.categories[i].items[j].style);
			}
		}
		break;
	case TSP_M_MARKER_SETS:
		for (i = 0; i < m->u.marker_sets.n; i++) {
			str(m->u.marker_sets.items[i].id);
			str(m->u.marker_sets.items[i].name);
		}
		break;
	case TSP_M_CONFIGURATION:
		configuration(&m->u.configuration);
		break;
	case TSP_M_CONFIGURATIONS:
		for (i = 0; i < m->u.configurations.n; i++)
			configuration(&m->u.configurations.items[i]);
		break;
	case TSP_M_CONFIG_SOURCE_TYPES:
		for (i = 0; i < m->u.source_types.n; i++) {
			const struct tsp_config_source_type *t = &m->u.source_types.items[i];

			str(t->id);
			str(t->name);
			opt(t->description);
			opt(t->schema);
			for (j = 0; j < t->n_params; j++) {
				str(t->params[j].key_name);
				opt(t->params[j].description);
				opt(t->params[j].data_type);
			}
		}
		break;
	}
}

static void translate(const struct tsp_model *m)
{
	struct gf_xy_hints h;
	struct gf_frame f;
	char err[256];
	size_t i, used;
	int rc = 0;

	if (!m->has_model)
		return;
	gf_frame_init(&f);
	switch (m->kind) {
	case TSP_M_XY:
		/* Time series, with the hints of an output the bridge knows (units, names). */
		gf_xy_hints_for(&h, "org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore."
				"scatter.dataprovider:x", NULL);
		for (i = 0; i < m->u.xy.n_series && i < 4; i++) {
			gf_frame_release(&f);
			gf_frame_init(&f);
			if (gf_tr_xy_series(&f, &m->u.xy.series[i], i ? "p" : NULL, i & 1 ? &h : NULL, err,
					    sizeof(err)) == 0)
				fuzz_write_frame(&f);
		}
		/* Generic XY: runs of series sharing their x, each a frame. */
		for (i = 0; i < m->u.xy.n_series; i += used) {
			gf_frame_release(&f);
			gf_frame_init(&f);
			if (gf_tr_generic_xy(&f, &m->u.xy.series[i], m->u.xy.n_series - i, i ? "p" : NULL, &h,
					     &used, err, sizeof(err)) < 0)
				break;
			FUZZ_CHECK(used >= 1 && used <= m->u.xy.n_series - i, "generic XY used %zu of %zu",
				   used, m->u.xy.n_series - i);
			fuzz_write_frame(&f);
		}
		rc = 1;
		break;
	case TSP_M_TREE:
		rc = gf_tr_data_tree(&f, &m->u.tree, NULL, 0, err, sizeof(err));
		break;
	case TSP_M_STYLES:
		rc = gf_tr_styles(&f, &m->u.styles, err, sizeof(err));
		break;
	case TSP_M_ANNOTATIONS:
		rc = gf_tr_annotations(&f, &m->u.annotations, err, sizeof(err));
		if (rc == 0) {
			struct strbuf sb = STRBUF_INIT;
			struct jsonw w;
			cJSON *j;

			jsonw_init(&w, &sb);
			jsonw_arr_begin(&w);
			gf_write_annotations(&w, &f, "{\"name\":\"a\"}");
			jsonw_arr_end(&w);
			j = json_parse_exact(strbuf_str(&sb), sb.len, NULL, 0);
			FUZZ_CHECK(j != NULL, "annotations JSON does not parse: %.300s", strbuf_str(&sb));
			cJSON_Delete(j);
			strbuf_release(&sb);
		}
		break;
	case TSP_M_TABLE_LINES:
		rc = gf_tr_events(&f, &no_columns, &m->u.lines, INT64_MAX, m->u.lines.size, 100, err,
				  sizeof(err));
		break;
	default:
		rc = 1;
		break;
	}
	if (rc == 0)
		fuzz_write_frame(&f);
	gf_frame_release(&f);
}

static void same_str(const char *a, const char *b, const char *field)
{
	FUZZ_CHECK((a == NULL) == (b == NULL), "%s: NULL vs not", field);
	if (a)
		FUZZ_CHECK(!strcmp(a, b), "%s: \"%s\" vs \"%s\"", field, a, b);
}

static void same_style(const struct tsp_style *a, const struct tsp_style *b)
{
	size_t i;

	FUZZ_CHECK((a == NULL) == (b == NULL), "style NULL vs not");
	if (!a)
		return;
	same_str(a->parent_key, b->parent_key, "parentKey");
	FUZZ_CHECK(a->n_values == b->n_values && (a->values == NULL) == (b->values == NULL),
		   "style values %zu vs %zu", a->n_values, b->n_values);
	for (i = 0; i < a->n_values; i++) {
		same_str(a->values[i].key, b->values[i].key, "value key");
		FUZZ_CHECK(a->values[i].is_number == b->values[i].is_number, "value type");
		if (a->values[i].is_number)
			FUZZ_CHECK(!memcmp(&a->values[i].num, &b->values[i].num, sizeof(double)),
				   "value %.17g vs %.17g", a->values[i].num, b->values[i].num);
		else
			same_str(a->values[i].str, b->values[i].str, "value string");
	}
}

/* Generic model g and direct model d of one states body: equal in every field. */
static void same_states(const struct tsp_model *g, const struct tsp_model *d)
{
	size_t i, j;

	FUZZ_CHECK(g->status == d->status && g->has_model == d->has_model, "status / has_model");
	same_str(g->status_message, d->status_message, "statusMessage");
	FUZZ_CHECK(g->u.states.n_rows == d->u.states.n_rows, "rows %zu vs %zu", g->u.states.n_rows,
		   d->u.states.n_rows);
	for (i = 0; i < g->u.states.n_rows; i++) {
		const struct tsp_tg_row *x = &g->u.states.rows[i], *y = &d->u.states.rows[i];

		FUZZ_CHECK(x->entry_id == y->entry_id && x->n_states == y->n_states, "row %zu", i);
		for (j = 0; j < x->n_states; j++) {
			const struct tsp_tg_state *s = &x->states[j], *t = &y->states[j];

			FUZZ_CHECK(s->start == t->start && s->end == t->end && s->tags == t->tags,
				   "row %zu state %zu", i, j);
			same_str(s->label, t->label, "label");
			same_style(s->style, t->style);
		}
	}
}

static void states_differential(const char *body, size_t len)
{
	struct tsp_model g, d, c;
	struct tsp_error eg, ec;
	int rg, rd, rc;

	tsp_model_init(&g);
	tsp_model_init(&d);
	tsp_model_init(&c);
	rg = tsp_model_parse_generic(&g, TSP_M_TG_STATES, body, len, &eg);
	rd = tg_states_read(&d, body, len);
	rc = tsp_model_parse(&c, TSP_M_TG_STATES, body, len, &ec);
	FUZZ_CHECK(rd == 0 || rd == 1, "rd %d", rd);
	if (rd == 0) {
		FUZZ_CHECK(rg == 0, "the direct reader accepts what the generic path refuses: %s", eg.msg);
		same_states(&g, &d);
	} else {
		FUZZ_CHECK(!d.arena.head && !d.has_model, "a declined read left something");
	}
	FUZZ_CHECK(rc == rg, "tsp_model_parse %d, generic %d", rc, rg);
	if (rc)
		FUZZ_CHECK(ec.kind == eg.kind && !strcmp(ec.msg, eg.msg), "\"%s\" vs \"%s\"", ec.msg,
			   eg.msg);
	else
		same_states(&g, &c);
	tsp_model_release(&g);
	tsp_model_release(&d);
	tsp_model_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsp_model m, m2;
	struct tsp_error err, err2;
	enum tsp_model_kind kind;
	const char *body;
	size_t len;
	cJSON *root;
	int rc, rc2;

	if (size < 1)
		return 0;
	kind = (enum tsp_model_kind)(data[0] % N_KINDS);
	len = size - 1;
	/* Its own allocation (no NUL needed): ASan sees any read past the body. */
	body = len ? memcpy(malloc(len), data + 1, len) : NULL;
	tsp_model_init(&m);
	rc = tsp_model_parse(&m, kind, body, len, &err);
	if (rc < 0) {
		FUZZ_CHECK(err.kind != TSP_OK, "error without a kind");
		FUZZ_CHECK(err.msg[0] && fuzz_terminated(err.msg, sizeof(err.msg)), "no message");
		FUZZ_CHECK(!m.has_model, "half a model kept");
	} else {
		FUZZ_CHECK(rc == 0, "rc %d", rc);
		FUZZ_CHECK(m.kind == kind, "kind");
		if (!tsp_model_kind_wrapped(kind))
			FUZZ_CHECK(m.has_model && m.status == TSP_STATUS_COMPLETED, "bare model");
		if (m.has_model)
			check_model(&m);
		translate(&m);
	}

	if (kind == TSP_M_TG_STATES)
		states_differential(body, len);

	/* The same body through cJSON. */
	root = len && !fuzz_has_nul_escape((const uint8_t *)body, len) ?
	       json_parse_exact(body, len, NULL, 0) : NULL;
	if (root && (rc == 0 || err.kind != TSP_ERR_BAD_JSON)) {
		tsp_model_init(&m2);
		rc2 = tsp_model_parse_json(&m2, kind, root, &err2);
		FUZZ_CHECK(rc == rc2, "arena parser %d, cJSON tree %d (%s)", rc, rc2,
			   rc ? err.msg : err2.msg);
		if (rc) {
			FUZZ_CHECK(err.kind == err2.kind, "error kinds %d vs %d", err.kind, err2.kind);
			FUZZ_CHECK(!strcmp(err.msg, err2.msg), "\"%s\" vs \"%s\"", err.msg, err2.msg);
		} else {
			FUZZ_CHECK(m.status == m2.status && m.has_model == m2.has_model, "status");
		}
		tsp_model_release(&m2);
	}
	cJSON_Delete(root);
	tsp_model_release(&m);
	free((void *)body);
	return 0;
}
