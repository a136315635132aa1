/*
 * The Grafana discovery endpoints (docs/grafana-api.md): /search,
 * /variable, /tag-keys, /tag-values, /metrics and /metric-payload-options
 * answer lists of names, resolved over every trace server.
 */
#include "grafana_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "catalog.h"
#include "gf_api.h"
#include "gf_request.h"
#include "gf_target.h"
#include "gf_views.h"
#include "hash.h"
#include "json_int.h"
#include "jsonw.h"
#include "log.h"
#include "tsp_client.h"

/* ---- a set of names, kept in first-seen order ---- */

struct names {
	char **v;
	size_t n, cap;
	size_t *hash;           /* open addressing over v indexes + 1; 0 = empty */
	size_t hcap;
};

static void names_release(struct names *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

static int names_rehash(struct names *s, size_t hcap)
{
	size_t *h = calloc(hcap, sizeof(*h)), i;

	if (!h)
		return -1;
	for (i = 0; i < s->n; i++) {
		size_t j = (size_t)hash_fnv1a64_str(s->v[i]) & (hcap - 1);

		while (h[j])
			j = (j + 1) & (hcap - 1);
		h[j] = i + 1;
	}
	free(s->hash);
	s->hash = h;
	s->hcap = hcap;
	return 0;
}

/* Adds a copy of name unless present. 0, or -1 when out of memory. */
static int names_add(struct names *s, const char *name)
{
	size_t j;

	if (!name)
		return 0;
	if ((s->n + 1) * 2 > s->hcap && names_rehash(s, s->hcap ? s->hcap * 2 : 64) < 0)
		return -1;
	for (j = (size_t)hash_fnv1a64_str(name) & (s->hcap - 1); s->hash[j]; j = (j + 1) & (s->hcap - 1))
		if (!strcmp(s->v[s->hash[j] - 1], name))
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = strdup(name);
	if (!s->v[s->n])
		return -1;
	s->hash[j] = ++s->n;
	return 0;
}

/* Writes the names as SimpleJSON wants them, or as /variable or payload-option objects. */
enum names_shape { NAMES_STRINGS, NAMES_VARIABLE, NAMES_OPTIONS, NAMES_TAGS };

static void write_names(struct jsonw *w, const struct names *s, enum names_shape shape)
{
	size_t i;

	jsonw_arr_begin(w);
	for (i = 0; i < s->n; i++) {
		switch (shape) {
		case NAMES_STRINGS:
			jsonw_str(w, s->v[i]);
			break;
		case NAMES_VARIABLE:
			jsonw_obj_begin(w);
			jsonw_kstr(w, "__text", s->v[i]);
			jsonw_kstr(w, "__value", s->v[i]);
			jsonw_obj_end(w);
			break;
		case NAMES_OPTIONS:
			jsonw_obj_begin(w);
			jsonw_kstr(w, "label", s->v[i]);
			jsonw_kstr(w, "value", s->v[i]);
			jsonw_obj_end(w);
			break;
		case NAMES_TAGS:
			jsonw_obj_begin(w);
			jsonw_kstr(w, "text", s->v[i]);
			jsonw_obj_end(w);
			break;
		}
	}
	jsonw_arr_end(w);
}

/*
 * Appends name as one target part, the syntax's special characters escaped;
 * in_call also escapes what delimits a discovery call's arguments.
 */
static int escape_name(struct strbuf *sb, const char *name, int entries, int in_call)
{
	const char *start = name;

	for (; *name; name++) {
		int special = *name == '\\' || *name == '?' || *name == '&' || *name == '*' ||
			      (in_call && (*name == '(' || *name == ')' || *name == ',')) ||
			      (!entries && *name == '/') ||
			      (name == start && (*name == '~' || (entries && *name == '#')));

		if ((special && strbuf_addch(sb, '\\') < 0) || strbuf_addch(sb, *name) < 0)
			return -1;
	}
	return 0;
}

static int escape_part(struct strbuf *sb, const char *name, int entries)
{
	return escape_name(sb, name, entries, 0);
}

static int escape_arg(struct strbuf *sb, const char *name)
{
	return escape_name(sb, name, 0, 1);
}

/* ---- discovery ---- */

static int type_has_tree(enum tsp_output_type t)
{
	return t == TSP_OUTPUT_TREE_TIME_XY || t == TSP_OUTPUT_TIME_GRAPH || t == TSP_OUTPUT_DATA_TREE ||
	       t == TSP_OUTPUT_TREE_GENERIC_XY;
}

/*
 * A list answer (names) over several matches leaves out one whose upstream
 * call failed, with a log line: 1 to go on. 0 after gctx_fail_upstream() when
 * it was the only match, or the last of all-failed ones.
 */
static int left_out(struct gctx *x, const struct cat_matches *m, size_t i,
		    const struct tsp_error *e, size_t *n_failed)
{
	int upstream = tsp_error_bridge_status(e) >= 502;

	if (m->n > 1 && upstream && ++*n_failed < m->n) {
		log_warn("%s/%s left out of a list: trace server: %s", m->items[i].exp_label,
			 m->items[i].output_name ? m->items[i].output_name : "*", e->msg);
		return 1;
	}
	gctx_fail_upstream(x, e);
	return 0;
}

/* Names of the entries with data of every matched output that has a tree. */
static int add_entry_names(struct gctx *x, const struct cat_matches *m, struct names *out)
{
	size_t i, j, n_failed = 0;
	int ret = -1;

	for (i = 0; i < m->n; i++) {
		struct cat_ref *ref = NULL;
		const struct tsp_model *t;
		struct tsp_client *c;
		struct tsp_error e;
		int rc;

		if (!type_has_tree(m->items[i].type))
			continue;
		tsp_error_clear(&e);
		if (!(c = upstream_client(m->items[i].up)))
			tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
		rc = c ? catalog_tree(m->items[i].up->cat, c, m->items[i].exp_uuid,
				      m->items[i].output_id, m->items[i].type, &ref, &e) : -1;
		upstream_client_put(m->items[i].up, c);
		if (rc < 0) {
			if (left_out(x, m, i, &e, &n_failed))
				continue;
			goto out;
		}
		t = cat_ref_model(ref);
		for (j = 0; t->has_model && j < t->u.tree.n_entries; j++) {
			const struct tsp_tree_entry *en = &t->u.tree.entries[j];

			if ((en->has_data || m->items[i].type == TSP_OUTPUT_DATA_TREE) && en->n_labels &&
			    names_add(out, en->labels[0]) < 0) {
				cat_ref_put(ref);
				gctx_fail(x, 500, "out of memory");
				goto out;
			}
		}
		cat_ref_put(ref);
	}
	ret = 0;
out:
	return ret;
}

static int add_marker_names(struct gctx *x, const struct cat_matches *m, struct names *out)
{
	struct tsp_model mod;
	struct tsp_client *c;
	struct tsp_error e;
	const char *last = NULL;
	const struct upstream *last_up = NULL;
	size_t i, j, n_failed = 0;
	int rc, ret = -1;

	tsp_model_init(&mod);
	for (i = 0; i < m->n; i++) {
		/* One call per experiment; two servers may hold one UUID (the same traces). */
		if (last && last_up == m->items[i].up && !strcmp(last, m->items[i].exp_uuid))
			continue;
		last = m->items[i].exp_uuid;
		last_up = m->items[i].up;
		tsp_error_clear(&e);
		if (!(c = upstream_client(m->items[i].up)))
			tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
		rc = c ? tsp_marker_sets(c, last, &mod, &e) : -1;
		upstream_client_put(m->items[i].up, c);
		if (rc < 0) {
			if (left_out(x, m, i, &e, &n_failed))
				continue;
			goto out;
		}
		for (j = 0; mod.has_model && j < mod.u.marker_sets.n; j++)
			if (names_add(out, mod.u.marker_sets.items[j].id) < 0) {
				gctx_fail(x, 500, "out of memory");
				goto out;
			}
	}
	ret = 0;
out:
	tsp_model_release(&mod);
	return ret;
}

static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (!n)
		return 1;
	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i] && tolower((unsigned char)hay[i]) ==
		     tolower((unsigned char)needle[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

/*
 * experiments(SERVER): the experiments of the servers matching the
 * pattern, always as "server:experiment", so that a variable chained on a
 * server variable gives targets that stay on that server.
 */
static int server_experiments(struct gctx *x, const struct name_pattern *server, struct names *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct name_pattern any;
	size_t i, k;
	int ret = -1;

	memset(&any, 0, sizeof(any));
	any.kind = NAME_PAT_ANY;
	for (i = 0; i < x->b->ups.n; i++) {
		struct upstream *u = &x->b->ups.v[i];
		struct upstreams one = { u, 1, NULL };
		struct cat_matches m;
		struct tsp_error e;

		if (!name_pattern_match(server, u->name, NULL))
			continue;
		cat_matches_init(&m);
		tsp_error_clear(&e);
		if (upstreams_resolve(&one, &any, NULL, &m, &e) < 0) {
			cat_matches_release(&m);
			if (x->b->ups.n > 1 && e.kind != TSP_ERR_NOMEM)
				continue;       /* a server down lists nothing; the others still do */
			gctx_fail_upstream(x, &e);
			goto out;
		}
		for (k = 0; k < m.n; k++) {
			strbuf_reset(&sb);
			if (strbuf_addstr(&sb, u->name) < 0 || strbuf_addch(&sb, ':') < 0 ||
			    strbuf_addstr(&sb, m.items[k].exp_name) < 0 || names_add(out, sb.buf) < 0) {
				cat_matches_release(&m);
				gctx_fail(x, 500, "out of memory");
				goto out;
			}
		}
		cat_matches_release(&m);
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/* experiments(): the matches' experiments; anything else: "experiment/output" containing the text. */
static int add_target_names(const struct cat_matches *m, const struct gf_discover *d, struct names *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < m->n; i++) {
		const struct cat_match *c = &m->items[i];

		if (d->kind == GF_DISC_EXPERIMENTS) {
			if (names_add(out, c->exp_label) < 0)
				goto out;
			continue;
		}
		strbuf_reset(&sb);
		if (escape_part(&sb, c->exp_label, 0) < 0 || strbuf_addch(&sb, '/') < 0 ||
		    escape_part(&sb, c->output_name, 0) < 0)
			goto out;
		if (contains_nocase(sb.buf, d->text ? d->text : "") && names_add(out, sb.buf) < 0)
			goto out;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/* Runs a discovery query (/search, /variable) into out. */
static int discover(struct gctx *x, const char *q, struct names *out)
{
	struct gf_discover d;
	struct cat_matches m;
	struct name_pattern any;
	struct tsp_error e;
	char err[256];
	size_t i;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	memset(&any, 0, sizeof(any));
	any.kind = NAME_PAT_ANY;
	cat_matches_init(&m);
	tsp_error_clear(&e);
	if (gf_discover_parse(&d, q, err, sizeof(err)) < 0) {
		gctx_fail(x, 400, "%s", err);
		goto out;
	}
	switch (d.kind) {
	case GF_DISC_SERVERS:
		for (i = 0; i < x->b->ups.n; i++)
			if (names_add(out, x->b->ups.v[i].name) < 0)
				goto nomem;
		break;
	case GF_DISC_EXPERIMENTS:
		if (d.has_server) {
			if (server_experiments(x, &d.server, out) < 0)
				goto out;
			break;
		}
		/* fall through */
	case GF_DISC_TARGETS:
		if (upstreams_resolve(&x->b->ups, &any, d.kind == GF_DISC_TARGETS ? &any : NULL,
				    &m, &e) < 0) {
			gctx_fail_upstream(x, &e);
			goto out;
		}
		if (add_target_names(&m, &d, out) < 0)
			goto nomem;
		break;
	case GF_DISC_OUTPUTS:
		if (upstreams_resolve(&x->b->ups, &d.experiment, &any, &m, &e) < 0) {
			gctx_fail_upstream(x, &e);
			goto out;
		}
		for (i = 0; i < m.n; i++)
			if ((!d.type || !strcmp(d.type, tsp_output_type_name(m.items[i].type))) &&
			    names_add(out, m.items[i].output_name) < 0)
				goto nomem;
		break;
	case GF_DISC_ENTRIES:
		if (upstreams_resolve(&x->b->ups, &d.experiment, &d.output, &m, &e) < 0) {
			gctx_fail_upstream(x, &e);
			goto out;
		}
		if (add_entry_names(x, &m, out) < 0)
			goto out;
		break;
	case GF_DISC_MARKERS:
		if (upstreams_resolve(&x->b->ups, &d.experiment, NULL, &m, &e) < 0) {
			gctx_fail_upstream(x, &e);
			goto out;
		}
		if (add_marker_names(x, &m, out) < 0)
			goto out;
		break;
	}
	ret = 0;
	goto out;
nomem:
	gctx_fail(x, 500, "out of memory");
out:
	cat_matches_release(&m);
	gf_discover_release(&d);
	return ret;
}

/* The discovery query of a small request: its target, or the one a tag key stands for. */
static const char *discovery_query(struct gctx *x, enum gf_small_kind kind, const struct gf_small_req *r)
{
	if (kind != GF_REQ_TAG_VALUES)
		return r->target;
	if (!strcmp(r->key, "experiment"))
		return "experiments()";
	if (!strcmp(r->key, "output"))
		return "outputs(*)";
	if (!strcmp(r->key, "server"))
		return "servers()";
	gctx_fail(x, 400, "unknown tag key \"%s\": experiment, output or server", r->key);
	return NULL;
}

/* /search, /variable and /tag-values: a discovery query answered as a list of names. */
static void serve_names(const struct http_request *req, struct http_response *res,
			enum gf_small_kind kind, enum names_shape shape)
{
	struct gctx x;
	struct gf_small_req r;
	struct names s = { 0 };
	struct jsonw w;
	const char *q;

	memset(&r, 0, sizeof(r));
	gctx_init(&x, req);
	if (gf_small_req_parse(&r, kind, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	q = discovery_query(&x, kind, &r);
	if (!q || discover(&x, q, &s) < 0)
		goto fail;
	jsonw_init(&w, &res->body);
	write_names(&w, &s, shape);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	names_release(&s);
	gf_small_req_release(&r);
}

/* POST /search {target} (SimpleJSON): a list of strings. */
void grafana_search(const struct http_request *req, struct http_response *res)
{
	serve_names(req, res, GF_REQ_SEARCH, NAMES_STRINGS);
}

/* POST /variable {payload: {target}} (JSON datasource): [{__text, __value}]. */
void grafana_variable(const struct http_request *req, struct http_response *res)
{
	serve_names(req, res, GF_REQ_VARIABLE, NAMES_VARIABLE);
}

/* POST /tag-values {key}: experiment names, output names of every experiment, or server names. */
void grafana_tag_values(const struct http_request *req, struct http_response *res)
{
	serve_names(req, res, GF_REQ_TAG_VALUES, NAMES_TAGS);
}

/* POST /tag-keys: the ad hoc filter keys. */
void grafana_tag_keys(const struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = { "experiment", "output", "server" };
	const struct bridge *b = req->app;
	struct jsonw w;
	size_t i;

	/* One trace server has nothing to filter on. */
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) - (b->ups.n < 2); i++) {
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "type", "string");
		jsonw_kstr(&w, "text", keys[i]);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	gctx_answer_json(res, &w);
}

/* POST /metrics: one metric per view, with its payload fields. */
void grafana_metrics(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_small_req r;
	struct jsonw w;
	size_t i, n_views;
	const struct gf_view_def *views = gf_views(&n_views);
	int t;

	memset(&r, 0, sizeof(r));
	gctx_init(&x, req);
	if (gf_small_req_parse(&r, GF_REQ_METRICS, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < n_views; i++) {
		const struct gf_view_def *v = &views[i];

		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "label", v->label);
		jsonw_kstr(&w, "value", v->name);
		/* Not read by the JSON datasource: the plugin's tests check its list of views against it. */
		jsonw_key(&w, "types");
		jsonw_arr_begin(&w);
		for (t = 0; t <= TSP_OUTPUT_TREE_GENERIC_XY; t++)
			if (t != TSP_OUTPUT_UNKNOWN && (v->types & GF_TYPE(t)))
				jsonw_str(&w, tsp_output_type_name((enum tsp_output_type)t));
		jsonw_arr_end(&w);
		jsonw_key(&w, "payloads");
		jsonw_arr_begin(&w);

		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "label", "Experiment");
		jsonw_kstr(&w, "name", "experiment");
		jsonw_kstr(&w, "type", "select");
		jsonw_kstr(&w, "placeholder", "experiment name");
		jsonw_kbool(&w, "reloadMetric", 1);
		jsonw_obj_end(&w);

		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "label", "Output");
		jsonw_kstr(&w, "name", "output");
		jsonw_kstr(&w, "type", "select");
		jsonw_kstr(&w, "placeholder", "output name");
		jsonw_kbool(&w, "reloadMetric", 1);
		jsonw_obj_end(&w);

		if (v->fields & GF_FIELD_ENTRIES) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Entries");
			jsonw_kstr(&w, "name", "entries");
			jsonw_kstr(&w, "type", "multi-select");
			jsonw_kstr(&w, "placeholder", "default entries");
			jsonw_obj_end(&w);
		}
		if (v->fields & GF_FIELD_MARKERS) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Marker set");
			jsonw_kstr(&w, "name", "markers");
			jsonw_kstr(&w, "type", "select");
			jsonw_obj_end(&w);
		}
		if (v->fields & GF_FIELD_LIMIT) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Row limit");
			jsonw_kstr(&w, "name", "limit");
			jsonw_kstr(&w, "type", "input");
			jsonw_kstr(&w, "placeholder", "10000");
			jsonw_obj_end(&w);
		}
		if (v->fields & GF_FIELD_TID) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Thread (tid)");
			jsonw_kstr(&w, "name", "tid");
			jsonw_kstr(&w, "type", "input");
			jsonw_kstr(&w, "placeholder", "Critical Path: thread id");
			jsonw_obj_end(&w);
		}
		if (v->fields & GF_FIELD_BINS) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Bins");
			jsonw_kstr(&w, "name", "bins");
			jsonw_kstr(&w, "type", "input");
			jsonw_kstr(&w, "placeholder", "50");
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	gf_small_req_release(&r);
}

/* A string member of the payload, "" if absent. */
static const char *payload_str(const cJSON *payload, const char *name)
{
	const char *s = json_get_string(cJSON_GetObjectItemCaseSensitive(payload, name));

	return s ? s : "";
}

/* The names of exp's outputs (every experiment's when exp is "") that have the view. */
static int outputs_with_view(struct gctx *x, const char *exp, enum gf_view view, struct names *out)
{
	const struct gf_view_def *vi = gf_view_def(view);
	struct strbuf q = STRBUF_INIT;
	struct name_pattern any;
	struct cat_matches m;
	struct gf_target t;
	struct tsp_error e;
	char err[256];
	size_t i;
	int ret = -1;

	gf_target_init(&t);
	cat_matches_init(&m);
	tsp_error_clear(&e);
	memset(&any, 0, sizeof(any));
	any.kind = NAME_PAT_ANY;
	if ((*exp ? escape_part(&q, exp, 0) : strbuf_addch(&q, '*')) < 0 || strbuf_addstr(&q, "/*") < 0) {
		gctx_fail(x, 500, "out of memory");
		goto out;
	}
	if (gf_target_parse(&t, q.buf, NULL, err, sizeof(err)) < 0) {
		gctx_fail(x, 400, "%s", err);
		goto out;
	}
	if (upstreams_resolve(&x->b->ups, &t.experiment, &any, &m, &e) < 0) {
		gctx_fail_upstream(x, &e);
		goto out;
	}
	for (i = 0; i < m.n; i++)
		if ((vi->types & GF_TYPE(m.items[i].type)) && names_add(out, m.items[i].output_name) < 0) {
			gctx_fail(x, 500, "out of memory");
			goto out;
		}
	ret = 0;
out:
	strbuf_release(&q);
	cat_matches_release(&m);
	gf_target_release(&t);
	return ret;
}

/* POST /metric-payload-options {metric, payload, name}: choices for one field. */
void grafana_payload_options(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_small_req r;
	struct names s = { 0 };
	struct strbuf q = STRBUF_INIT;
	struct jsonw w;
	const char *exp, *out_name;
	int view;

	memset(&r, 0, sizeof(r));
	gctx_init(&x, req);
	if (gf_small_req_parse(&r, GF_REQ_PAYLOAD_OPTIONS, req->body, req->body_len, x.msg,
			       sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	view = gf_view_parse(r.metric);
	exp = payload_str(r.payload, "experiment");
	out_name = payload_str(r.payload, "output");
	if (!strcmp(r.name, "experiment")) {
		strbuf_addstr(&q, "experiments()");
	} else if (!strcmp(r.name, "output")) {
		strbuf_addstr(&q, "outputs(");
		if ((*exp ? escape_arg(&q, exp) : strbuf_addch(&q, '*')) < 0)
			goto nomem;
		strbuf_addch(&q, ')');
	} else if (!strcmp(r.name, "entries")) {
		if (!*exp || !*out_name) {
			gctx_fail(&x, 400, "choose an experiment and an output first");
			goto fail;
		}
		strbuf_addstr(&q, "entries(");
		if (escape_arg(&q, exp) < 0 || strbuf_addch(&q, '/') < 0 ||
		    escape_arg(&q, out_name) < 0 || strbuf_addch(&q, ')') < 0)
			goto nomem;
	} else if (!strcmp(r.name, "markers")) {
		strbuf_addstr(&q, "markers(");
		if ((*exp ? escape_arg(&q, exp) : strbuf_addch(&q, '*')) < 0)
			goto nomem;
		strbuf_addch(&q, ')');
	} else {
		gctx_fail(&x, 400, "unknown payload field \"%s\": experiment, output, entries or markers", r.name);
		goto fail;
	}
	if (q.overflow)
		goto nomem;
	if (!strcmp(r.name, "output") && view > 0) {
		if (outputs_with_view(&x, exp, (enum gf_view)view, &s) < 0)
			goto fail;
	} else if (discover(&x, q.buf, &s) < 0) {
		goto fail;
	}
	jsonw_init(&w, &res->body);
	write_names(&w, &s, NAMES_OPTIONS);
	gctx_answer_json(res, &w);
	goto out;
nomem:
	gctx_fail(&x, 500, "out of memory");
fail:
	gctx_answer_error(res, &x);
out:
	strbuf_release(&q);
	names_release(&s);
	gf_small_req_release(&r);
}


