/*
 * The Grafana endpoints (docs/grafana-api.md). Discovery answers lists of
 * names; /query and /annotations run each target through
 * resolve -> fetch -> translate -> write.
 */
#include "grafana_api.h"

#include <ctype.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "catalog.h"
#include "gf_frame.h"
#include "gf_request.h"
#include "gf_target.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "log.h"
#include "tsp_client.h"

/* ---- per-request context and errors ---- */

struct gctx {
	const struct bridge *b;
	struct tsp_client *c;
	int status;             /* HTTP status of the failure, 0 while fine */
	char msg[1024];
	struct gf_budget budget;        /* what this request's frames may hold */
};

static int ctx_init(struct gctx *x, const struct http_request *req)
{
	memset(x, 0, sizeof(*x));
	x->b = req->app;
	x->budget.cap = x->b->cfg->max_answer_bytes;
	x->c = tsp_client_thread_get(&x->b->tsp);
	if (!x->c) {
		x->status = 500;
		snprintf(x->msg, sizeof(x->msg), "out of memory");
		return -1;
	}
	return 0;
}

static int fail(struct gctx *x, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct gctx *x, int status, const char *fmt, ...)
{
	va_list ap;

	if (x->status)          /* the first failure is the one to report */
		return -1;
	x->status = status;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A failure to build frames: 413 naming the limit when the budget ran out, else status/msg. */
static int budget_or(struct gctx *x, int status, const char *msg)
{
	if (x->budget.over)
		return fail(x, 413, "the answer would hold more than %zu MiB (--max-answer-mb): "
			    "narrow the time range, the entries, the targets or the limit",
			    x->budget.cap >> 20);
	return fail(x, status, "%s", msg);
}

/* An upstream failure: 502/504 (or 400/500) with the trace server's words. */
static int fail_upstream(struct gctx *x, const struct tsp_error *e)
{
	return fail(x, tsp_error_bridge_status(e), "trace server: %s", e->msg);
}

static void answer_error(struct http_response *res, const struct gctx *x)
{
	http_response_error(res, x->status ? x->status : 500, "%s", x->msg[0] ? x->msg : "internal error");
}

/* Finishes a JSON answer: an over-large or broken answer is an error, never a cut one. */
static void answer_json(struct http_response *res, const struct jsonw *w)
{
	if (jsonw_finish(w) == 0)
		return;
	if (res->body.overflow)
		http_response_error(res, 413, "the answer would be larger than %zu MiB "
				    "(--max-answer-mb): narrow the time range, the entries or the limit",
				    res->body.cap >> 20);
	else
		http_response_error(res, 500, "the answer could not be written");
}

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

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int names_rehash(struct names *s, size_t hcap)
{
	size_t *h = calloc(hcap, sizeof(*h)), i;

	if (!h)
		return -1;
	for (i = 0; i < s->n; i++) {
		size_t j = str_hash(s->v[i]) & (hcap - 1);

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
	for (j = str_hash(name) & (s->hcap - 1); s->hash[j]; j = (j + 1) & (s->hcap - 1))
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
	return t == TSP_OUTPUT_TREE_TIME_XY || t == TSP_OUTPUT_TIME_GRAPH || t == TSP_OUTPUT_DATA_TREE;
}

/*
 * A list answer (names) over several matches leaves out one whose upstream
 * call failed, with a log line: 1 to go on. 0 after fail_upstream() when
 * it was the only match, or the last of all-failed ones.
 */
static int left_out(struct gctx *x, const struct cat_matches *m, size_t i,
		    const struct tsp_error *e, size_t *n_failed)
{
	int upstream = tsp_error_bridge_status(e) >= 502;

	if (m->n > 1 && upstream && ++*n_failed < m->n) {
		log_warn("%s/%s left out of a list: trace server: %s", m->items[i].exp_name,
			 m->items[i].output_name ? m->items[i].output_name : "*", e->msg);
		return 1;
	}
	fail_upstream(x, e);
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
		struct tsp_error e;

		if (!type_has_tree(m->items[i].type))
			continue;
		tsp_error_clear(&e);
		if (catalog_tree(x->b->cat, x->c, m->items[i].exp_uuid, m->items[i].output_id,
				 m->items[i].type, &ref, &e) < 0) {
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
				fail(x, 500, "out of memory");
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
	struct tsp_error e;
	const char *last = NULL;
	size_t i, j, n_failed = 0;
	int ret = -1;

	tsp_model_init(&mod);
	for (i = 0; i < m->n; i++) {
		if (last && !strcmp(last, m->items[i].exp_uuid))
			continue;       /* one call per experiment */
		last = m->items[i].exp_uuid;
		tsp_error_clear(&e);
		if (tsp_marker_sets(x->c, last, &mod, &e) < 0) {
			if (left_out(x, m, i, &e, &n_failed))
				continue;
			goto out;
		}
		for (j = 0; mod.has_model && j < mod.u.marker_sets.n; j++)
			if (names_add(out, mod.u.marker_sets.items[j].id) < 0) {
				fail(x, 500, "out of memory");
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

/* Runs a discovery query (/search, /variable) into out. */
static int discover(struct gctx *x, const char *q, struct names *out)
{
	struct gf_discover d;
	struct cat_matches m;
	struct name_pattern any;
	struct tsp_error e;
	struct strbuf sb = STRBUF_INIT;
	char err[256];
	size_t i;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	memset(&any, 0, sizeof(any));
	any.kind = NAME_PAT_ANY;
	cat_matches_init(&m);
	tsp_error_clear(&e);
	if (gf_discover_parse(&d, q, err, sizeof(err)) < 0) {
		fail(x, 400, "%s", err);
		goto out;
	}
	switch (d.kind) {
	case GF_DISC_EXPERIMENTS:
	case GF_DISC_TARGETS:
		if (catalog_resolve(x->b->cat, x->c, &any, d.kind == GF_DISC_TARGETS ? &any : NULL,
				    &m, &e) < 0) {
			fail_upstream(x, &e);
			goto out;
		}
		for (i = 0; i < m.n; i++) {
			const struct cat_match *c = &m.items[i];

			if (d.kind == GF_DISC_EXPERIMENTS) {
				if (names_add(out, c->exp_name) < 0)
					goto nomem;
				continue;
			}
			strbuf_reset(&sb);
			if (escape_part(&sb, c->exp_name, 0) < 0 || strbuf_addch(&sb, '/') < 0 ||
			    escape_part(&sb, c->output_name, 0) < 0)
				goto nomem;
			if (contains_nocase(sb.buf, d.text ? d.text : "") && names_add(out, sb.buf) < 0)
				goto nomem;
		}
		break;
	case GF_DISC_OUTPUTS:
		if (catalog_resolve(x->b->cat, x->c, &d.experiment, &any, &m, &e) < 0) {
			fail_upstream(x, &e);
			goto out;
		}
		for (i = 0; i < m.n; i++)
			if ((!d.type || !strcmp(d.type, tsp_output_type_name(m.items[i].type))) &&
			    names_add(out, m.items[i].output_name) < 0)
				goto nomem;
		break;
	case GF_DISC_ENTRIES:
		if (catalog_resolve(x->b->cat, x->c, &d.experiment, &d.output, &m, &e) < 0) {
			fail_upstream(x, &e);
			goto out;
		}
		if (add_entry_names(x, &m, out) < 0)
			goto out;
		break;
	case GF_DISC_MARKERS:
		if (catalog_resolve(x->b->cat, x->c, &d.experiment, NULL, &m, &e) < 0) {
			fail_upstream(x, &e);
			goto out;
		}
		if (add_marker_names(x, &m, out) < 0)
			goto out;
		break;
	}
	ret = 0;
	goto out;
nomem:
	fail(x, 500, "out of memory");
out:
	strbuf_release(&sb);
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
	fail(x, 400, "unknown tag key \"%s\": experiment or output", r->key);
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
	if (ctx_init(&x, req) < 0)
		goto fail;
	if (gf_small_req_parse(&r, kind, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	q = discovery_query(&x, kind, &r);
	if (!q || discover(&x, q, &s) < 0)
		goto fail;
	jsonw_init(&w, &res->body);
	write_names(&w, &s, shape);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
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

/* POST /tag-values {key}: experiment names, or output names of every experiment. */
void grafana_tag_values(const struct http_request *req, struct http_response *res)
{
	serve_names(req, res, GF_REQ_TAG_VALUES, NAMES_TAGS);
}

/* POST /tag-keys: the ad hoc filter keys. */
void grafana_tag_keys(const struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = { "experiment", "output" };
	struct jsonw w;
	size_t i;

	(void)req;
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "type", "string");
		jsonw_kstr(&w, "text", keys[i]);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	answer_json(res, &w);
}

/* ---- views: which output types have which view ---- */

struct view_info {
	enum gf_view view;
	const char *label;
	unsigned types;         /* bit (1 << enum tsp_output_type) */
};

#define T(t) (1u << (t))
static const struct view_info views[] = {
	{ GF_VIEW_SERIES, "Time series (XY outputs)", T(TSP_OUTPUT_TREE_TIME_XY) },
	{ GF_VIEW_INTERVALS, "State intervals (time graph)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_TIMELINE, "State timeline (time graph)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_ARROWS, "Arrows between rows (time graph)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_STYLES, "State styles (time graph)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_EVENTS, "Events (table outputs)", T(TSP_OUTPUT_TABLE) },
	{ GF_VIEW_TREE, "Statistics (data tree outputs)", T(TSP_OUTPUT_DATA_TREE) },
	{ GF_VIEW_NODES, "Node graph nodes (time graph links)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_EDGES, "Node graph edges (time graph links)", T(TSP_OUTPUT_TIME_GRAPH) },
	{ GF_VIEW_ANNOTATIONS, "Annotations (markers)",
	  T(TSP_OUTPUT_TIME_GRAPH) | T(TSP_OUTPUT_TREE_TIME_XY) | T(TSP_OUTPUT_TABLE) | T(TSP_OUTPUT_DATA_TREE) },
};
#undef T

static const struct view_info *view_info(enum gf_view v)
{
	size_t i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (views[i].view == v)
			return &views[i];
	return NULL;
}

/* The view a target gets when it names none. */
static enum gf_view default_view(enum tsp_output_type t, enum gf_target_type tt)
{
	switch (t) {
	case TSP_OUTPUT_TREE_TIME_XY:
		return GF_VIEW_SERIES;
	case TSP_OUTPUT_TIME_GRAPH:
		return tt == GF_TT_TIMESERIE ? GF_VIEW_TIMELINE : GF_VIEW_INTERVALS;
	case TSP_OUTPUT_TABLE:
		return GF_VIEW_EVENTS;
	case TSP_OUTPUT_DATA_TREE:
		return GF_VIEW_TREE;
	default:
		return GF_VIEW_DEFAULT;
	}
}

/* POST /metrics: one metric per view, with its payload fields. */
void grafana_metrics(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_small_req r;
	struct jsonw w;
	size_t i;

	memset(&r, 0, sizeof(r));
	if (ctx_init(&x, req) < 0)
		goto fail;
	if (gf_small_req_parse(&r, GF_REQ_METRICS, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		const struct view_info *v = &views[i];

		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "label", v->label);
		jsonw_kstr(&w, "value", gf_view_name(v->view));
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

		if (v->view != GF_VIEW_EVENTS && v->view != GF_VIEW_STYLES &&
		    v->view != GF_VIEW_ANNOTATIONS) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Entries");
			jsonw_kstr(&w, "name", "entries");
			jsonw_kstr(&w, "type", "multi-select");
			jsonw_kstr(&w, "placeholder", "default entries");
			jsonw_obj_end(&w);
		}
		if (v->view == GF_VIEW_ANNOTATIONS) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Marker set");
			jsonw_kstr(&w, "name", "markers");
			jsonw_kstr(&w, "type", "select");
			jsonw_obj_end(&w);
		}
		if (v->view == GF_VIEW_INTERVALS || v->view == GF_VIEW_TIMELINE ||
		    v->view == GF_VIEW_ARROWS || v->view == GF_VIEW_EVENTS) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "label", "Row limit");
			jsonw_kstr(&w, "name", "limit");
			jsonw_kstr(&w, "type", "input");
			jsonw_kstr(&w, "placeholder", "10000");
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
out:
	gf_small_req_release(&r);
}

/* A string member of the payload, "" if absent. */
static const char *payload_str(const cJSON *payload, const char *name)
{
	const char *s = json_get_string(cJSON_GetObjectItemCaseSensitive(payload, name));

	return s ? s : "";
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
	if (ctx_init(&x, req) < 0)
		goto fail;
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
			fail(&x, 400, "choose an experiment and an output first");
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
		fail(&x, 400, "unknown payload field \"%s\": experiment, output, entries or markers", r.name);
		goto fail;
	}
	if (q.overflow)
		goto nomem;
	if (!strcmp(r.name, "output") && view > 0) {
		/* Only the outputs that have the chosen view. */
		const struct view_info *vi = view_info((enum gf_view)view);
		struct name_pattern p;
		struct cat_matches m;
		struct tsp_error e;
		size_t i;
		char err[256];
		struct gf_target t;

		gf_target_init(&t);
		cat_matches_init(&m);
		tsp_error_clear(&e);
		memset(&p, 0, sizeof(p));
		p.kind = NAME_PAT_ANY;
		strbuf_reset(&q);
		if ((*exp ? escape_part(&q, exp, 0) : strbuf_addch(&q, '*')) < 0 || strbuf_addstr(&q, "/*") < 0)
			goto nomem;
		if (gf_target_parse(&t, q.buf, NULL, err, sizeof(err)) < 0) {
			fail(&x, 400, "%s", err);
		} else if (catalog_resolve(x.b->cat, x.c, &t.experiment, &p, &m, &e) < 0) {
			fail_upstream(&x, &e);
		} else {
			for (i = 0; i < m.n; i++)
				if ((vi->types & (1u << m.items[i].type)) &&
				    names_add(&s, m.items[i].output_name) < 0)
					fail(&x, 500, "out of memory");
		}
		cat_matches_release(&m);
		gf_target_release(&t);
		if (x.status)
			goto fail;
	} else if (discover(&x, q.buf, &s) < 0) {
		goto fail;
	}
	jsonw_init(&w, &res->body);
	write_names(&w, &s, NAMES_OPTIONS);
	answer_json(res, &w);
	goto out;
nomem:
	fail(&x, 500, "out of memory");
fail:
	answer_error(res, &x);
out:
	strbuf_release(&q);
	names_release(&s);
	gf_small_req_release(&r);
}


/* ---- queries: targets -> TSP requests -> frames ---- */

/* The frames of one /query or /annotations answer, in target order. */
struct frames {
	struct gf_frame **v;
	enum gf_format *fmt;
	size_t n, cap;
};

static void frames_release(struct frames *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		gf_frame_release(fs->v[i]);
		free(fs->v[i]);
	}
	free(fs->v);
	free(fs->fmt);
	memset(fs, 0, sizeof(*fs));
}

/* Drops the frames from index n on (what a failed job had built). */
static void frames_truncate(struct frames *fs, size_t n)
{
	while (fs->n > n) {
		fs->n--;
		gf_frame_release(fs->v[fs->n]);
		free(fs->v[fs->n]);
	}
}

/* A new empty frame appended to fs; NULL when out of memory. */
static struct gf_frame *frames_new(struct frames *fs, enum gf_format fmt, const char *ref_id)
{
	struct gf_frame *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 8;
		struct gf_frame **v = realloc(fs->v, cap * sizeof(*v));
		enum gf_format *fm;

		if (!v)
			return NULL;
		fs->v = v;
		fm = realloc(fs->fmt, cap * sizeof(*fm));
		if (!fm)
			return NULL;
		fs->fmt = fm;
		fs->cap = cap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	gf_frame_init(f);
	if (ref_id && gf_frame_set_ref_id(f, ref_id) < 0) {
		gf_frame_release(f);
		free(f);
		return NULL;
	}
	fs->fmt[fs->n] = fmt;
	fs->v[fs->n++] = f;
	return f;
}

/* What one target asks, after parsing and resolution. */
struct job {
	struct gctx *x;
	const struct cat_match *m;
	const struct gf_target *t;
	enum gf_view view;
	enum gf_format fmt;
	const char *ref_id;
	const char *prefix;             /* "exp/output" when the target matched several, else NULL */
	int64_t from_ns, to_ns;
	int32_t nb_times;
	struct frames *out;
};

static void notice_running(struct gf_frame *f, const struct job *j, const struct tsp_model *m)
{
	gf_frame_notice(f, "the analysis of %s/%s is still running (%s): the data is partial, "
			"refresh to complete it", j->m->exp_name, j->m->output_name,
			m && m->status_message && *m->status_message ? m->status_message : "RUNNING");
}

/*
 * A TSP data call's outcome: 0 with a model to translate (complete, or
 * partial and flagged in *partial), or -1 after fail_upstream(). A RUNNING
 * answer at the deadline is partial data, not an error: the panel shows
 * what there is and a refresh completes it.
 */
static int data_outcome(struct job *j, int rc, const struct tsp_error *e, const struct tsp_model *m,
			int *partial)
{
	(void)m;        /* a RUNNING answer keeps its partial model in m */
	*partial = 0;
	if (rc == 0)
		return 0;
	if (e->kind == TSP_ERR_RUNNING) {
		*partial = 1;
		return 0;
	}
	return fail_upstream(j->x, e);
}

/*
 * The entry ids a job asks for, from the output's tree: the pattern's
 * matches, or by default the tree's isDefault entries (XY) / every entry
 * with data. -1 with a 400 when a pattern matches nothing.
 */
static int select_entries(struct job *j, const struct tsp_tree *tree, int xy_default,
			  int64_t **ids, size_t *n)
{
	size_t i, k = 0, n_default = 0;
	int64_t *v;

	*ids = NULL;
	*n = 0;
	v = calloc(tree->n_entries ? tree->n_entries : 1, sizeof(*v));
	if (!v)
		return fail(j->x, 500, "out of memory");
	if (!j->t->has_entries && xy_default)
		for (i = 0; i < tree->n_entries; i++)
			n_default += tree->entries[i].is_default;
	for (i = 0; i < tree->n_entries; i++) {
		const struct tsp_tree_entry *en = &tree->entries[i];
		const char *name = en->n_labels ? en->labels[0] : "";

		if (j->t->has_entries) {
			if (name_pattern_match_entry(&j->t->entries, en->id, name) &&
			    (en->has_data || j->m->type == TSP_OUTPUT_DATA_TREE))
				v[k++] = en->id;
		} else if (n_default) {
			if (en->is_default)
				v[k++] = en->id;
		} else if (en->has_data || j->m->type == TSP_OUTPUT_DATA_TREE) {
			v[k++] = en->id;
		}
	}
	if (!k && j->t->has_entries && tree->n_entries) {
		const struct name_pattern *p = &j->t->entries;
		char names[512] = "";
		size_t len = 0;

		free(v);
		if (p->kind != NAME_PAT_LIST)
			return fail(j->x, 400, "no entry of %s/%s matches \"%s\"", j->m->exp_name,
				    j->m->output_name, p->text ? p->text : "");
		/* Every value of the list matched nothing: name them, bounded. */
		for (i = 0; i < p->n_list; i++) {
			int w = snprintf(names + len, sizeof(names) - 6 - len, "%s\"%s\"", i ? ", " : "",
					 p->list[i]);

			if (w < 0 || (size_t)w >= sizeof(names) - 6 - len) {
				names[len] = '\0';
				break;
			}
			len += (size_t)w;
		}
		if (i < p->n_list)
			strcpy(names + len, len ? ", ..." : "...");
		return fail(j->x, 400, "no entry of %s/%s matches %s", j->m->exp_name, j->m->output_name,
			    names);
	}
	*ids = v;
	*n = k;
	return 0;
}

/* Fetches the output's tree (cached) and selects entries; *partial if the tree was RUNNING. */
static int tree_and_entries(struct job *j, struct cat_ref **ref, int xy_default, int64_t **ids,
			    size_t *n, int *partial)
{
	struct tsp_error e;
	const struct tsp_model *t;

	tsp_error_clear(&e);
	*ids = NULL;
	*n = 0;
	if (catalog_tree(j->x->b->cat, j->x->c, j->m->exp_uuid, j->m->output_id, j->m->type, ref, &e) < 0)
		return fail_upstream(j->x, &e);
	t = cat_ref_model(*ref);
	*partial = t->status == TSP_STATUS_RUNNING;
	if (!t->has_model)
		return 0;
	return select_entries(j, &t->u.tree, xy_default, ids, n);
}

static void range_query(const struct job *j, struct tsp_query *q, int32_t nb_times)
{
	memset(q, 0, sizeof(*q));
	q->has_range = 1;
	q->start = j->from_ns;
	q->end = j->to_ns;
	q->nb_times = nb_times;
}

/* ---- adapters: models -> frames of the job ---- */

/* A new frame for the job, with its refId; NULL after fail(). */
static struct gf_frame *job_frame(struct job *j, const char *name)
{
	struct gf_frame *f = frames_new(j->out, j->fmt, j->ref_id);

	if (f)
		f->budget = &j->x->budget;
	if (!f || (name && gf_frame_set_name(f, name) < 0)) {
		budget_or(j->x, 500, "out of memory");
		return NULL;
	}
	return f;
}

/* The frame of a one-frame view: named for the output, or "exp/output" when a pattern matched several. */
static struct gf_frame *view_frame(struct job *j)
{
	return job_frame(j, j->prefix ? j->prefix : j->m->output_name);
}

/*
 * After translating m into f (rc, err from gf_tr_*): a translate failure is
 * the bridge's (500), never the user's; partial data carries the notice.
 */
static int frame_done(struct job *j, struct gf_frame *f, int rc, const char *err, int partial,
		      const struct tsp_model *m)
{
	if (rc == 0)
		rc = gf_frame_settle(f);
	if (rc < 0 && j->x->budget.over)
		return budget_or(j->x, 500, "");
	if (rc < 0)
		return fail(j->x, 500, "%s/%s: %s", j->m->exp_name, j->m->output_name, err);
	if (partial)
		notice_running(f, j, m);
	return 0;
}

static int adapt_series(struct job *j, const struct tsp_model *m, int partial)
{
	struct gf_frame *f;
	char err[256];
	size_t i;

	if (!m->has_model || !m->u.xy.n_series) {
		/* Nothing to draw yet: an empty frame carries the notice. */
		if (!(f = job_frame(j, j->m->output_name)))
			return -1;
		if (gf_frame_add_field(f, "time", GF_TIME) < 0 ||
		    gf_frame_add_field(f, j->m->output_name, GF_NUMBER) < 0 ||
		    gf_field_set_display_name_ds(f, 1, j->m->output_name) < 0)
			return fail(j->x, 500, "out of memory");
		f->is_series = 1;
		if (partial)
			notice_running(f, j, m);
		return 0;
	}
	for (i = 0; i < m->u.xy.n_series; i++) {
		if (!(f = job_frame(j, NULL)) ||
		    frame_done(j, f, gf_tr_series(f, &m->u.xy.series[i], j->prefix, err, sizeof(err)),
			       err, partial, m) < 0)
			return -1;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The links to show: with entries asked for, those that touch one of them
 * (the trace server answers every link of the range whatever the items).
 * A copy of the kept items in *buf (free it), or the answer as it is. The
 * ids are looked up in a sorted copy: a range can hold 10^5 links and the
 * entries 10^4 rows.
 */
static int links_of(const struct job *j, const struct tsp_model *m, const int64_t *ids, size_t n,
		    struct tsp_tg_arrows *out, struct tsp_tg_arrow **buf)
{
	int64_t *sorted;
	size_t i;

	*buf = NULL;
	memset(out, 0, sizeof(*out));
	if (!m->has_model)
		return 0;
	*out = m->u.arrows;
	if (!j->t->has_entries)
		return 0;
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted || !(*buf = calloc(m->u.arrows.n + 1, sizeof(**buf)))) {
		free(sorted);
		return -1;
	}
	memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_id);
	out->items = *buf;
	out->n = 0;
	for (i = 0; i < m->u.arrows.n; i++) {
		const struct tsp_tg_arrow *a = &m->u.arrows.items[i];

		if (bsearch(&a->source_id, sorted, n, sizeof(*sorted), cmp_id) ||
		    bsearch(&a->target_id, sorted, n, sizeof(*sorted), cmp_id))
			(*buf)[out->n++] = *a;
	}
	free(sorted);
	return 0;
}

static int adapt_time_graph(struct job *j, const struct tsp_model *tree, const struct tsp_model *m,
			    const struct tsp_model *styles, const int64_t *ids, size_t n, int partial)
{
	static const struct tsp_tree no_tree;
	static const struct tsp_tg_states no_states;
	const struct tsp_tree *t = tree->has_model ? &tree->u.tree : &no_tree;
	const struct tsp_styles *ss = styles->has_model ? &styles->u.styles : NULL;
	struct tsp_tg_arrows links;
	struct tsp_tg_arrow *buf = NULL;
	struct gf_frame *f = view_frame(j);
	char err[256];
	int rc;

	if (!f)
		return -1;
	if ((j->view == GF_VIEW_ARROWS || j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES) &&
	    links_of(j, m, ids, n, &links, &buf) < 0)
		return fail(j->x, 500, "out of memory");
	if (j->view == GF_VIEW_ARROWS)
		rc = gf_tr_arrows(f, t, &links, ss, j->t->limit, err, sizeof(err));
	else if (j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES)
		rc = gf_tr_node_graph(f, t, &links, j->view == GF_VIEW_EDGES, err, sizeof(err));
	else if (j->view == GF_VIEW_TIMELINE)
		rc = gf_tr_timeline(f, t, m->has_model ? &m->u.states : &no_states, ss, j->from_ns,
				    j->to_ns, j->t->limit, err, sizeof(err));
	else
		rc = gf_tr_intervals(f, t, m->has_model ? &m->u.states : &no_states, ss, j->from_ns,
				     j->to_ns, j->t->limit, err, sizeof(err));
	free(buf);
	return frame_done(j, f, rc, err, partial, m);
}

static int adapt_styles(struct job *j, const struct tsp_model *styles)
{
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_styles(f, styles->has_model ? &styles->u.styles : NULL, err,
					     sizeof(err)), err, 0, styles);
}

static int adapt_events(struct job *j, const struct tsp_model *cols, const struct tsp_model *lines,
			int64_t total, int partial)
{
	static const struct tsp_table_columns no_cols;
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_events(f, cols->has_model ? &cols->u.columns : &no_cols,
					     lines && lines->has_model ? &lines->u.lines : NULL,
					     j->to_ns, total, j->t->limit, err, sizeof(err)),
			  err, partial, lines);
}

static int adapt_tree(struct job *j, const struct tsp_model *m, const int64_t *ids, size_t n,
		      int partial)
{
	static const struct tsp_tree no_tree;
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_data_tree(f, m->has_model ? &m->u.tree : &no_tree,
						j->t->has_entries ? ids : NULL, n, err, sizeof(err)),
			  err, partial, m);
}

static int adapt_annotations(struct job *j, const struct tsp_model *m, int partial)
{
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_annotations(f, m && m->has_model ? &m->u.annotations : NULL,
						  err, sizeof(err)), err, partial, m);
}

/* ---- the views ---- */

static int run_series(struct job *j)
{
	struct cat_ref *ref = NULL;
	struct tsp_model m;
	struct tsp_error e;
	struct tsp_query q;
	int64_t *ids = NULL;
	size_t n;
	int partial_tree, partial, ret = -1;

	tsp_model_init(&m);
	tsp_error_clear(&e);
	if (tree_and_entries(j, &ref, 1, &ids, &n, &partial_tree) < 0)
		goto out;
	range_query(j, &q, j->nb_times);
	q.has_items = 1;
	q.items = ids;
	q.n_items = n;
	if (data_outcome(j, tsp_xy(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e), &e, &m,
			 &partial) < 0)
		goto out;
	ret = adapt_series(j, &m, partial || partial_tree);
out:
	free(ids);
	cat_ref_put(ref);
	tsp_model_release(&m);
	return ret;
}

/* Styles of an output; a failure only loses the colours, so it is not fatal. */
/* The output's styles; without them (notice in `notice`) states are served uncoloured. */
static void fetch_styles(struct job *j, struct tsp_model *styles, char *notice, size_t len)
{
	struct tsp_error e;

	notice[0] = '\0';
	tsp_error_clear(&e);
	if (tsp_styles(j->x->c, j->m->exp_uuid, j->m->output_id, NULL, styles, &e) < 0) {
		log_warn("styles of %s/%s: %s", j->m->exp_name, j->m->output_name, e.msg);
		tsp_styles_notice(notice, len, e.msg);
		tsp_model_release(styles);
		tsp_model_init(styles);
	}
}

/* Intervals, timeline and arrows: tree + states or arrows (+ styles). */
static int run_time_graph(struct job *j)
{
	struct cat_ref *ref = NULL;
	struct tsp_model m, styles;
	struct tsp_error e;
	struct tsp_query q;
	int64_t *ids = NULL;
	char notice[768];
	size_t n, first = j->out->n, k;
	int partial_tree, partial, rc, ret = -1;

	tsp_model_init(&m);
	tsp_model_init(&styles);
	tsp_error_clear(&e);
	if (tree_and_entries(j, &ref, 0, &ids, &n, &partial_tree) < 0)
		goto out;
	/* The intervals table wants every state; a timeline is drawn at the panel's width. */
	range_query(j, &q, j->view == GF_VIEW_TIMELINE ? j->nb_times : 65536);
	q.has_items = 1;
	q.items = ids;
	q.n_items = n;
	if (j->view == GF_VIEW_ARROWS || j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES)
		rc = tsp_tg_arrows(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e);
	else
		rc = tsp_tg_states(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e);
	if (data_outcome(j, rc, &e, &m, &partial) < 0)
		goto out;
	fetch_styles(j, &styles, notice, sizeof(notice));
	ret = adapt_time_graph(j, cat_ref_model(ref), &m, &styles, ids, n, partial || partial_tree);
	for (k = first; ret == 0 && notice[0] && k < j->out->n; k++)
		gf_frame_notice(j->out->v[k], "%s", notice);
out:
	free(ids);
	cat_ref_put(ref);
	tsp_model_release(&m);
	tsp_model_release(&styles);
	return ret;
}

static int run_styles(struct job *j)
{
	struct tsp_model styles;
	struct tsp_error e;
	int ret = -1;

	tsp_model_init(&styles);
	tsp_error_clear(&e);
	if (tsp_styles(j->x->c, j->m->exp_uuid, j->m->output_id, NULL, &styles, &e) < 0) {
		fail_upstream(j->x, &e);
		goto out;
	}
	ret = adapt_styles(j, &styles);
out:
	tsp_model_release(&styles);
	return ret;
}

/* The index of the first event at or after t_ns (lowIndex of a one-line page). */
static int event_index(struct job *j, int64_t t_ns, int64_t *index, int *partial)
{
	struct tsp_model m;
	struct tsp_error e;
	struct tsp_query q;
	int rc;

	tsp_model_init(&m);
	tsp_error_clear(&e);
	memset(&q, 0, sizeof(q));
	q.times = &t_ns;
	q.n_times = 1;
	q.table_count = 1;
	rc = data_outcome(j, tsp_table_lines(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e),
			  &e, &m, partial);
	if (rc == 0) {
		if (!m.has_model)
			*index = 0;
		else if (m.u.lines.n_lines)
			*index = m.u.lines.lines[0].index;
		else
			*index = m.u.lines.size;        /* past the last event */
	}
	tsp_model_release(&m);
	return rc;
}

/*
 * Events of the range: the indexes of the first event at `from` and after
 * `to` bound the page, so no timestamp text has to be parsed to page.
 */
static int run_events(struct job *j)
{
	struct tsp_model cols, lines;
	struct tsp_error e;
	struct tsp_query q;
	int64_t a, b, count;
	int p1 = 0, p2 = 0, p3 = 0, ret = -1;

	tsp_model_init(&cols);
	tsp_model_init(&lines);
	tsp_error_clear(&e);
	if (tsp_table_columns(j->x->c, j->m->exp_uuid, j->m->output_id, NULL, &cols, &e) < 0) {
		fail_upstream(j->x, &e);
		goto out;
	}
	if (event_index(j, j->from_ns, &a, &p1) < 0 ||
	    event_index(j, j->to_ns == INT64_MAX ? INT64_MAX : j->to_ns + 1, &b, &p2) < 0)
		goto out;
	count = b > a ? b - a : 0;
	memset(&q, 0, sizeof(q));
	q.has_table_index = 1;
	q.table_index = a;
	q.table_count = (int32_t)(count < j->t->limit ? count : j->t->limit);
	if (q.table_count > 0 &&
	    data_outcome(j, tsp_table_lines(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &lines, &e),
			 &e, &lines, &p3) < 0)
		goto out;
	ret = adapt_events(j, &cols, q.table_count > 0 ? &lines : NULL, count, p1 || p2 || p3);
out:
	tsp_model_release(&cols);
	tsp_model_release(&lines);
	return ret;
}

static int run_tree(struct job *j)
{
	struct cat_ref *ref = NULL;
	struct tsp_model m;
	struct tsp_error e;
	struct tsp_query q;
	int64_t *ids = NULL;
	size_t n;
	int partial_tree, partial, ret = -1;

	tsp_model_init(&m);
	tsp_error_clear(&e);
	/* The entries are chosen on the full tree; the data comes for the range. */
	if (tree_and_entries(j, &ref, 0, &ids, &n, &partial_tree) < 0)
		goto out;
	range_query(j, &q, 0);
	if (data_outcome(j, tsp_data_tree(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e),
			 &e, &m, &partial) < 0)
		goto out;
	ret = adapt_tree(j, &m, ids, n, partial);
out:
	free(ids);
	cat_ref_put(ref);
	tsp_model_release(&m);
	return ret;
}

static int run_annotations(struct job *j)
{
	struct tsp_model cats, m;
	struct tsp_error e;
	struct tsp_query q;
	const char **names = NULL;
	size_t i, n = 0;
	int partial, ret = -1;

	tsp_model_init(&cats);
	tsp_model_init(&m);
	tsp_error_clear(&e);
	if (tsp_annotation_categories(j->x->c, j->m->exp_uuid, j->m->output_id, j->t->markers,
				      &cats, &e) < 0) {
		fail_upstream(j->x, &e);
		goto out;
	}
	names = calloc(cats.u.categories.n + 1, sizeof(*names));
	if (!names) {
		fail(j->x, 500, "out of memory");
		goto out;
	}
	for (i = 0; cats.has_model && i < cats.u.categories.n; i++)
		if (!j->t->category || !strcmp(j->t->category, cats.u.categories.items[i]))
			names[n++] = cats.u.categories.items[i];
	if (j->t->category && !n) {
		fail(j->x, 400, "%s/%s has no annotation category \"%s\"", j->m->exp_name,
		     j->m->output_name, j->t->category);
		goto out;
	}
	range_query(j, &q, j->nb_times);
	q.marker_set = j->t->markers;
	q.categories = names;
	q.n_categories = n;
	if (n && data_outcome(j, tsp_annotations(j->x->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e),
			      &e, &m, &partial) < 0)
		goto out;
	ret = adapt_annotations(j, n ? &m : NULL, n && partial);
out:
	free(names);
	tsp_model_release(&cats);
	tsp_model_release(&m);
	return ret;
}

static int run_view(struct job *j)
{
	switch (j->view) {
	case GF_VIEW_SERIES:
		return run_series(j);
	case GF_VIEW_INTERVALS:
	case GF_VIEW_TIMELINE:
	case GF_VIEW_ARROWS:
	case GF_VIEW_NODES:
	case GF_VIEW_EDGES:
		return run_time_graph(j);
	case GF_VIEW_STYLES:
		return run_styles(j);
	case GF_VIEW_EVENTS:
		return run_events(j);
	case GF_VIEW_TREE:
		return run_tree(j);
	case GF_VIEW_ANNOTATIONS:
		return run_annotations(j);
	default:
		return fail(j->x, 500, "no view");
	}
}

/* ---- targets ---- */

/* What every target of one request shares. */
struct qctx {
	int64_t from_ns, to_ns;
	int32_t nb_times;
	const struct gf_filter *filters;
	size_t n_filters;
};

/* Whether text passes one ad hoc filter; -1 with a 400 for a bad regex. */
static int filter_pass(struct gctx *x, const struct gf_filter *f, const char *text)
{
	regex_t re;
	char why[128];
	int match;

	if (!strcmp(f->op, "="))
		return !strcmp(text, f->value);
	if (!strcmp(f->op, "!="))
		return strcmp(text, f->value) != 0;
	if (name_regcomp(&re, f->value, why, sizeof(why)) != 0)
		return fail(x, 400, "ad hoc filter %s %s \"%s\": not a valid regex: %s", f->key, f->op,
			    f->value, why);
	match = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return !strcmp(f->op, "=~") ? match : !match;
}

/* 1 if the match passes every filter on experiment / output, 0 if not, -1 on a bad filter. */
static int filters_pass(struct gctx *x, const struct qctx *qc, const struct cat_match *m)
{
	size_t i;

	for (i = 0; i < qc->n_filters; i++) {
		const struct gf_filter *f = &qc->filters[i];
		int r = 1;

		if (!strcmp(f->key, "experiment"))
			r = filter_pass(x, f, m->exp_name);
		else if (!strcmp(f->key, "output"))
			r = filter_pass(x, f, m->output_name);
		if (r <= 0)
			return r;
	}
	return 1;
}

static const char *type_words(unsigned types)
{
	if (types == (1u << TSP_OUTPUT_TREE_TIME_XY))
		return "TREE_TIME_XY";
	if (types == (1u << TSP_OUTPUT_TIME_GRAPH))
		return "TIME_GRAPH";
	if (types == (1u << TSP_OUTPUT_TABLE))
		return "TABLE";
	if (types == (1u << TSP_OUTPUT_DATA_TREE))
		return "DATA_TREE";
	return "suitable";
}

/*
 * How messages name a target: its text, or for a payload query (no text,
 * or the metric's view name) the fields that say what it asks.
 */
static void target_words(char *buf, size_t len, const char *text, const struct gf_query_target *qt)
{
	static const char *const keys[] = { "experiment", "output", "entries" };
	size_t i, n = 0;

	buf[0] = '\0';
	if (*text || !cJSON_IsObject(qt->fields)) {
		snprintf(buf, len, "target \"%s\"", text);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && n + 1 < len; i++) {
		const char *v = json_get_string(cJSON_GetObjectItemCaseSensitive(qt->fields, keys[i]));

		if (v && *v)
			n += (size_t)snprintf(buf + n, len - n, "%s%s \"%s\"", n ? ", " : "", keys[i], v);
	}
	if (!n)
		snprintf(buf, len, "target \"\" (no experiment or output field)");
}

/* Appends "exp/output" to a bounded list of names; "..." once it is full. */
static void list_add(char *buf, size_t len, const char *exp, const char *output)
{
	size_t n = strlen(buf);

	if (n + 4 >= len || (n >= 3 && !strcmp(buf + n - 3, "...")))
		return;
	if ((size_t)snprintf(buf + n, len - n, "%s%s/%s", n ? ", " : "", exp, output) >= len - n)
		snprintf(buf + n, len - n, "%s...", n ? ", " : "");
}

/*
 * Runs one target: parse, resolve, check the view fits each matched output,
 * fetch and translate into out. `forced` is GF_VIEW_ANNOTATIONS for
 * /annotations, GF_VIEW_DEFAULT otherwise.
 */
static int run_target(struct gctx *x, const struct qctx *qc, const struct gf_query_target *qt,
		      enum gf_view forced, struct frames *out)
{
	struct gf_target t;
	struct cat_matches m;
	struct tsp_error e;
	const char *text = qt->target ? qt->target : "";
	char err[512], prefix[512], first_msg[sizeof(x->msg)], words[400], skipped[600] = "";
	int metric_view = -1, ret = -1, first_status = 0;
	size_t i, k, n_ok = 0, n_fit = 0, n_skipped = 0, target_first = out->n;

	gf_target_init(&t);
	cat_matches_init(&m);
	tsp_error_clear(&e);
	/* The JSON datasource's builder sends the metric (a view name) as the target. */
	if (qt->has_payload && (metric_view = gf_view_parse(text)) >= 0)
		text = "";
	target_words(words, sizeof(words), text, qt);
	if (gf_target_parse(&t, text, qt->fields, err, sizeof(err)) < 0) {
		fail(x, 400, "%s", err);
		goto out;
	}
	if (forced)
		t.view = forced;
	else if (metric_view > 0 && t.view == GF_VIEW_DEFAULT)
		t.view = (enum gf_view)metric_view;
	if (catalog_resolve(x->b->cat, x->c, &t.experiment, &t.output, &m, &e) < 0) {
		fail_upstream(x, &e);
		goto out;
	}
	if (!m.n) {
		struct cat_matches any;
		size_t n_exp;

		cat_matches_init(&any);
		if (catalog_resolve(x->b->cat, x->c, &t.experiment, NULL, &any, &e) < 0) {
			cat_matches_release(&any);
			fail_upstream(x, &e);
			goto out;
		}
		n_exp = any.n;
		if (!n_exp && any.n_notes)
			/* It may be the one the server listed malformed: the server's fault. */
			fail(x, 502, "%s: no experiment matches \"%s\"; %s", words,
			     t.experiment.text ? t.experiment.text : "*", any.notes[0]);
		else if (!n_exp)
			fail(x, 400, "%s: no experiment matches \"%s\"", words,
			     t.experiment.text ? t.experiment.text : "*");
		else
			fail(x, 400, "%s: no output matches \"%s\"", words,
			     t.output.text ? t.output.text : "*");
		cat_matches_release(&any);
		goto out;
	}
	for (i = 0; i < m.n; i++) {
		const struct cat_match *c = &m.items[i];
		struct job j;
		const struct view_info *vi;
		size_t first = out->n;
		int pass = filters_pass(x, qc, c), fits;

		if (pass < 0)
			goto out;
		memset(&j, 0, sizeof(j));
		j.x = x;
		j.m = c;
		j.t = &t;
		j.view = t.view ? t.view : default_view(c->type, qt->type);
		j.ref_id = qt->ref_id;
		j.from_ns = qc->from_ns;
		j.to_ns = qc->to_ns;
		j.nb_times = qc->nb_times;
		j.out = out;
		j.fmt = t.format ? t.format : qt->has_payload ? GF_FORMAT_FRAME :
			qt->type == GF_TT_TABLE ? GF_FORMAT_TABLE : GF_FORMAT_DEFAULT;
		vi = view_info(j.view);
		fits = vi && (vi->types & (1u << c->type));
		n_fit += fits;
		if (!pass)
			continue;
		if (!fits && m.n > 1) {
			/* A wide pattern: what has no such view is skipped, and named when the view was asked. */
			if (t.view) {
				n_skipped++;
				list_add(skipped, sizeof(skipped), c->exp_name, c->output_name);
			}
			continue;
		}
		if (!fits) {
			fail(x, 400, "%s: %s/%s is a %s output; view \"%s\" needs a %s output",
			     words, c->exp_name, c->output_name, tsp_output_type_name(c->type),
			     vi ? gf_view_name(j.view) : "(none)", vi ? type_words(vi->types) : "known");
			goto out;
		}
		if (m.n > 1) {
			snprintf(prefix, sizeof(prefix), "%s/%s", c->exp_name, c->output_name);
			j.prefix = prefix;
		}
		if (run_view(&j) < 0) {
			/*
			 * One of several outputs failing upstream does not take the
			 * others down: it is left out with a notice. Alone, or for
			 * anything but an upstream failure, it answers for the target.
			 */
			if (m.n == 1 || (x->status != 502 && x->status != 504))
				goto out;
			frames_truncate(out, first);
			if (!first_status) {
				first_status = x->status;
				memcpy(first_msg, x->msg, sizeof(first_msg));
			}
			if (cat_matches_note(&m, "%s/%s left out: %s", c->exp_name, c->output_name,
					     x->msg) < 0) {
				fail(x, 500, "out of memory");
				goto out;
			}
			log_warn("%s: %s/%s left out: %s", words, c->exp_name, c->output_name, x->msg);
			x->status = 0;
			x->msg[0] = '\0';
			continue;
		}
		n_ok++;
		if (qc->to_ns < c->exp_start || qc->from_ns > c->exp_end)
			for (k = first; k < out->n; k++)
				gf_frame_notice(out->v[k], "the time range does not overlap experiment %s: "
						"its data is from %" PRId64 " to %" PRId64 " ms", c->exp_name,
						ns_to_ms(c->exp_start), ns_to_ms(c->exp_end));
	}
	if (n_skipped && !n_fit) {
		const struct view_info *vi = view_info(t.view);

		fail(x, 400, "%s: view \"%s\" needs a %s output and none of the %zu matched is one: %s",
		     words, gf_view_name(t.view), vi ? type_words(vi->types) : "known", n_skipped, skipped);
		goto out;
	}
	if (n_skipped && cat_matches_note(&m, "view \"%s\": skipped %zu output%s that %s none: %s",
					  gf_view_name(t.view), n_skipped, n_skipped > 1 ? "s" : "",
					  n_skipped > 1 ? "have" : "has", skipped) < 0) {
		fail(x, 500, "out of memory");
		goto out;
	}
	if (!n_ok && first_status) {
		/* Every output failed: the first failure answers, as for one output. */
		x->status = first_status;
		memcpy(x->msg, first_msg, sizeof(x->msg));
		goto out;
	}
	/* What was left out, on every frame of this target. */
	for (k = target_first; k < out->n; k++)
		for (i = 0; i < m.n_notes; i++)
			gf_frame_notice(out->v[k], "%s", m.notes[i]);
	ret = 0;
out:
	cat_matches_release(&m);
	gf_target_release(&t);
	return ret;
}

/* Writes one frame in its format. */
static void write_frame(struct jsonw *w, const struct gf_frame *f, enum gf_format fmt)
{
	switch (fmt) {
	case GF_FORMAT_FRAME:
		gf_write_dataframe(w, f);
		break;
	case GF_FORMAT_TABLE:
		gf_write_table(w, f);
		break;
	default:
		/* SimpleJSON time series where the frame is one; a table otherwise. */
		if (!f->is_series || gf_write_timeseries(w, f, 1) < 0)
			gf_write_table(w, f);
		break;
	}
}

static int32_t nb_times_of(long max_data_points)
{
	if (max_data_points <= 0)
		return 400;
	return max_data_points > 65536 ? 65536 : (int32_t)max_data_points;
}

/*
 * What /query and /frames share: the context, the body parsed, the number
 * of targets bounded, the range and filters for run_target. -1 with x set.
 */
static int query_start(struct gctx *x, const struct http_request *req, struct gf_query_req *r,
		       struct qctx *qc)
{
	if (ctx_init(x, req) < 0)
		return -1;
	if (gf_query_req_parse(r, req->body, req->body_len, x->msg, sizeof(x->msg)) < 0) {
		x->status = 400;
		return -1;
	}
	if (r->n_targets > (size_t)x->b->cfg->max_targets)
		return fail(x, 413, "the request has %zu targets; at most %d are served at once "
			    "(--max-targets)", r->n_targets, x->b->cfg->max_targets);
	memset(qc, 0, sizeof(*qc));
	qc->from_ns = r->from_ns;
	qc->to_ns = r->to_ns;
	qc->nb_times = nb_times_of(r->max_data_points);
	qc->filters = r->filters;
	qc->n_filters = r->n_filters;
	return 0;
}

/* POST /query: every target in order; the first failure answers for all. */
void grafana_query(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_query_req r;
	struct frames fs = { 0 };
	struct qctx qc;
	struct jsonw w;
	size_t i;

	memset(&r, 0, sizeof(r));
	if (query_start(&x, req, &r, &qc) < 0)
		goto fail;
	for (i = 0; i < r.n_targets; i++)
		if (!r.targets[i].hide && run_target(&x, &qc, &r.targets[i], GF_VIEW_DEFAULT, &fs) < 0)
			goto fail;
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < fs.n; i++)
		write_frame(&w, fs.v[i], fs.fmt[i]);
	jsonw_arr_end(&w);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
out:
	frames_release(&fs);
	gf_query_req_release(&r);
}

/* One target's outcome in a /frames answer. */
struct frames_result {
	const char *ref_id;
	int status;                     /* 200, or the HTTP status of its failure */
	char *error;                    /* NULL when it answered */
	size_t first, n;                /* its frames in the request's list */
};

/* A key for each target: its refId, unique in the request. */
static int frames_ref_ids_unique(struct gctx *x, const struct gf_query_req *r)
{
	size_t i, k;

	for (i = 0; i < r->n_targets; i++) {
		const char *a = r->targets[i].ref_id;

		if (!a || !*a)
			return fail(x, 400, "target %zu has no refId; /frames answers by refId", i + 1);
		for (k = 0; k < i; k++)
			if (!strcmp(a, r->targets[k].ref_id))
				return fail(x, 400, "two targets have refId \"%s\"; /frames answers by refId", a);
	}
	return 0;
}

/*
 * POST /frames: the /query request answered as Grafana's backend answers a
 * query, {"results": {refId: {"status", "frames" | "error"}}}. Each target
 * fails alone, so one bad query of a panel does not blank the others; frames
 * are always data frames.
 */
void grafana_frames(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_query_req r;
	struct frames fs = { 0 };
	struct frames_result *rs = NULL;
	struct qctx qc;
	struct jsonw w;
	size_t i, k, n_rs = 0;

	memset(&r, 0, sizeof(r));
	if (query_start(&x, req, &r, &qc) < 0 || frames_ref_ids_unique(&x, &r) < 0)
		goto fail;
	rs = calloc(r.n_targets ? r.n_targets : 1, sizeof(*rs));
	if (!rs) {
		fail(&x, 500, "out of memory");
		goto fail;
	}
	for (i = 0; i < r.n_targets; i++) {
		struct frames_result *o = &rs[n_rs];

		if (r.targets[i].hide)
			continue;
		n_rs++;
		o->ref_id = r.targets[i].ref_id;
		o->first = fs.n;
		if (run_target(&x, &qc, &r.targets[i], GF_VIEW_DEFAULT, &fs) < 0) {
			frames_truncate(&fs, o->first);
			o->status = x.status ? x.status : 500;
			o->error = strdup(x.msg[0] ? x.msg : "failed");
			if (!o->error) {
				fail(&x, 500, "out of memory");
				goto fail;
			}
			x.status = 0;
			x.msg[0] = '\0';
			continue;
		}
		o->status = 200;
		o->n = fs.n - o->first;
	}
	jsonw_init(&w, &res->body);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "results");
	jsonw_obj_begin(&w);
	for (i = 0; i < n_rs; i++) {
		jsonw_key(&w, rs[i].ref_id);
		jsonw_obj_begin(&w);
		jsonw_kint64(&w, "status", rs[i].status);
		if (rs[i].error) {
			jsonw_kstr(&w, "error", rs[i].error);
		} else {
			jsonw_key(&w, "frames");
			jsonw_arr_begin(&w);
			for (k = rs[i].first; k < rs[i].first + rs[i].n; k++)
				gf_write_dataframe(&w, fs.v[k]);
			jsonw_arr_end(&w);
		}
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
out:
	for (i = 0; i < n_rs; i++)
		free(rs[i].error);
	free(rs);
	frames_release(&fs);
	gf_query_req_release(&r);
}

/* The query arguments /flat takes as target fields (docs/grafana-api.md "Targets"). */
static const char *const flat_fields[] = {
	"experiment", "output", "entries", "view", "limit", "markers", "category",
};

/*
 * GET /flat: one target's answer as a JSON array of flat objects, for the
 * Infinity datasource, which reads rows from any JSON URL. The target is
 * `target=` and/or the fields as arguments (they win, as in a payload);
 * from/to as epoch ms (Grafana's ${__from}) or ISO 8601, points = nbTimes.
 * Series on one time axis become one row per time with a column per series;
 * other series {time, series, value} rows; tables their rows.
 */
void grafana_flat(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct frames fs = { 0 };
	struct gf_query_target qt;
	struct qctx qc;
	struct jsonw w;
	cJSON *fields = NULL;
	size_t i;

	memset(&qt, 0, sizeof(qt));
	memset(&qc, 0, sizeof(qc));
	if (ctx_init(&x, req) < 0)
		goto fail;
	fields = cJSON_CreateObject();
	if (!fields) {
		fail(&x, 500, "out of memory");
		goto fail;
	}
	for (i = 0; i < sizeof(flat_fields) / sizeof(flat_fields[0]); i++) {
		const char *v = http_request_arg(req, flat_fields[i]);

		if (v && !cJSON_AddStringToObject(fields, flat_fields[i], v)) {
			fail(&x, 500, "out of memory");
			goto fail;
		}
	}
	qt.target = http_request_arg(req, "target");
	if (!qt.target)
		qt.target = "";
	if (!*qt.target && !cJSON_GetObjectItemCaseSensitive(fields, "experiment")) {
		fail(&x, 400, "say what to fetch: target=experiment/output[/entries][?options], "
		     "or experiment=, output= (and entries=, view=, limit=, markers=, category=)");
		goto fail;
	}
	qc.nb_times = 400;
	if (tsp_range_args(http_request_arg(req, "from"), http_request_arg(req, "from_ns"),
			  http_request_arg(req, "to"), http_request_arg(req, "to_ns"),
			  &qc.from_ns, &qc.to_ns, x.msg, sizeof(x.msg)) < 0 ||
	    tsp_nb_times_arg(http_request_arg(req, "points"), "points", &qc.nb_times, x.msg,
			    sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	qt.ref_id = "A";
	qt.type = GF_TT_TABLE;          /* a time graph's rows by default: intervals */
	qt.fields = fields;
	if (run_target(&x, &qc, &qt, GF_VIEW_DEFAULT, &fs) < 0)
		goto fail;
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	if (fs.n == 1 && !fs.v[0]->is_series)
		gf_write_rows(&w, fs.v[0], NULL, NULL);
	else if (gf_write_wide(&w, fs.v, fs.n) < 0)
		for (i = 0; i < fs.n; i++)
			gf_write_long(&w, fs.v[i]);
	jsonw_arr_end(&w);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
out:
	cJSON_Delete(fields);
	frames_release(&fs);
}

/* Writes a cJSON tree made by json_parse_exact, long integers exact. */
static void write_cjson(struct jsonw *w, const cJSON *j)
{
	const cJSON *it;
	int64_t v;
	double d;

	if (cJSON_IsObject(j)) {
		jsonw_obj_begin(w);
		cJSON_ArrayForEach(it, j) {
			jsonw_key(w, it->string);
			write_cjson(w, it);
		}
		jsonw_obj_end(w);
	} else if (cJSON_IsArray(j)) {
		jsonw_arr_begin(w);
		cJSON_ArrayForEach(it, j)
			write_cjson(w, it);
		jsonw_arr_end(w);
	} else if (json_get_int64(j, &v) == JSON_OK) {
		jsonw_int64(w, v);
	} else if (json_get_double(j, &d) == JSON_OK) {
		jsonw_double(w, d);
	} else if (json_get_string(j)) {
		jsonw_str(w, json_get_string(j));
	} else if (cJSON_IsBool(j)) {
		jsonw_bool(w, cJSON_IsTrue(j));
	} else {
		jsonw_null(w);
	}
}

/* POST /annotations (SimpleJSON): annotation.query is a target. */
void grafana_annotations(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_annotation_req r;
	struct gf_query_target qt;
	struct frames fs = { 0 };
	struct strbuf echo = STRBUF_INIT;
	struct qctx qc;
	struct jsonw w;
	size_t i;

	memset(&r, 0, sizeof(r));
	if (ctx_init(&x, req) < 0)
		goto fail;
	if (gf_annotation_req_parse(&r, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	memset(&qc, 0, sizeof(qc));
	qc.from_ns = r.from_ns;
	qc.to_ns = r.to_ns;
	qc.nb_times = 400;
	memset(&qt, 0, sizeof(qt));
	qt.target = r.query;
	qt.type = GF_TT_TABLE;
	if (run_target(&x, &qc, &qt, GF_VIEW_ANNOTATIONS, &fs) < 0)
		goto fail;
	if (r.annotation) {
		jsonw_init(&w, &echo);
		write_cjson(&w, r.annotation);
		if (jsonw_finish(&w) < 0) {
			fail(&x, 500, "out of memory");
			goto fail;
		}
	}
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < fs.n; i++)
		gf_write_annotations(&w, fs.v[i], r.annotation ? echo.buf : NULL);
	jsonw_arr_end(&w);
	answer_json(res, &w);
	goto out;
fail:
	answer_error(res, &x);
out:
	strbuf_release(&echo);
	frames_release(&fs);
	gf_annotation_req_release(&r);
}
