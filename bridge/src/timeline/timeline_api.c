/*
 * GET /timeline[/rows|states|events|links|nodes|edges] and
 * GET /timeline/schema: the kernel view of any TIME_GRAPH output as the
 * timeline document (spec/timeline/timeline-v1.schema.json) or its flat
 * forms, for the Infinity datasource and anyone reading JSON.
 *
 * Query: experiment, output (names or ids), from/to (epoch ms, or ISO
 * 8601; from_ns/to_ns for exact ns), width (TSP nbTimes, default 1000),
 * and a row filter: rows (names, comma-separated), row_ids (ids), row_re
 * (POSIX regex on names). Only the rows asked for are asked of the trace
 * server. tid: the thread of a Critical Path, passed on to the trace
 * server with the tree, states and arrows requests.
 */
#include "timeline_api.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "catalog.h"
#include "gf_request.h"
#include "gf_target.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "log.h"
#include "timeline_doc.h"
#include "tsp_client.h"
#include "tsp_query_args.h"

extern const unsigned char timeline_schema_json[];
extern const size_t timeline_schema_json_len;

struct tl_params {
	const char *experiment, *output;
	int64_t from_ns, to_ns;
	int32_t width;
	const char *rows, *row_ids, *row_re;
	int has_tid;            /* the thread of a Critical Path, sent upstream as "tid" */
	int64_t tid;
};

/* tid=N: a thread id, 0..2^31-1; -1 with a message for anything else. */
static int parse_tid(const char *v, struct tl_params *p, char *err, size_t errlen)
{
	char *end;
	long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n > GF_TID_MAX) {
		snprintf(err, errlen, "tid must be a thread id 0..%d, not \"%s\"", GF_TID_MAX, v);
		return -1;
	}
	p->has_tid = 1;
	p->tid = n;
	return 0;
}

static int parse_params(const struct http_request *req, struct tl_params *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->experiment = http_request_arg(req, "experiment");
	p->output = http_request_arg(req, "output");
	if (!p->experiment || !*p->experiment || !p->output || !*p->output) {
		snprintf(err, errlen, "experiment and output are required (names or ids)");
		return -1;
	}
	if (tsp_range_args(http_request_arg(req, "from"), http_request_arg(req, "from_ns"),
			  http_request_arg(req, "to"), http_request_arg(req, "to_ns"),
			  &p->from_ns, &p->to_ns, err, errlen) < 0)
		return -1;
	p->width = 1000;
	if (tsp_nb_times_arg(http_request_arg(req, "width"), "width", &p->width, err, errlen) < 0)
		return -1;
	p->rows = http_request_arg(req, "rows");
	p->row_ids = http_request_arg(req, "row_ids");
	p->row_re = http_request_arg(req, "row_re");
	return parse_tid(http_request_arg(req, "tid"), p, err, errlen);
}

/* Whether name is one of the comma-separated names in list. */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

static int in_id_list(const char *list, int64_t id)
{
	const char *p = list;

	while (p && *p) {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end != p && v == id)
			return 1;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* The rows asked for, as ids; all entries with data when no filter is given. */
static int select_rows(const struct tl_params *p, const struct tsp_tree *t, int64_t **ids, size_t *n,
		       char *err, size_t errlen)
{
	regex_t re;
	char why[128];
	size_t i, k = 0;
	int filtered = p->rows || p->row_ids || p->row_re, ret = -1;

	*ids = calloc(t->n_entries + 1, sizeof(**ids));
	if (!*ids) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (p->row_re && name_regcomp(&re, p->row_re, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "row_re: \"%s\" is not a valid regex: %s", p->row_re, why);
		goto out;
	}
	for (i = 0; i < t->n_entries; i++) {
		const struct tsp_tree_entry *e = &t->entries[i];
		const char *name = e->n_labels ? e->labels[0] : "";
		int take = filtered ? (p->rows && in_list(p->rows, name)) ||
				      (p->row_ids && in_id_list(p->row_ids, e->id)) ||
				      (p->row_re && regexec(&re, name, 0, NULL, 0) == 0)
				    : e->has_data;

		if (take)
			(*ids)[k++] = e->id;
	}
	*n = k;
	ret = 0;
	if (p->row_re)
		regfree(&re);
out:
	if (ret < 0) {
		free(*ids);
		*ids = NULL;
	}
	return ret;
}

/* The one TIME_GRAPH output of one server the parameters name; -1 after answering why not. */
static int resolve_output(const struct bridge *b, const struct tl_params *p, struct cat_matches *m,
			  struct http_response *res)
{
	struct name_pattern pe, po;
	struct tsp_error e;

	tsp_error_clear(&e);
	memset(&pe, 0, sizeof(pe));
	memset(&po, 0, sizeof(po));
	pe.kind = po.kind = NAME_PAT_EXACT;
	pe.text = (char *)p->experiment;        /* exact patterns only read text */
	po.text = (char *)p->output;
	if (upstreams_resolve(&b->ups, &pe, &po, m, &e) < 0) {
		http_response_error(res, tsp_error_bridge_status(&e), "trace server: %s", e.msg);
		return -1;
	}
	if (!m->n && m->n_notes) {
		/* It may be one the server listed malformed: the server's fault. */
		http_response_error(res, 502, "no experiment \"%s\" with an output \"%s\"; %s",
				    p->experiment, p->output, m->notes[0]);
		return -1;
	}
	if (m->n > 1) {
		/* One document is one output of one server. */
		http_response_error(res, 400, "experiment \"%s\" is on several trace servers (%s:%s, "
				    "%s:%s%s): name one as server:experiment", p->experiment,
				    m->items[0].up->name, m->items[0].exp_name, m->items[1].up->name,
				    m->items[1].exp_name, m->n > 2 ? ", ..." : "");
		return -1;
	}
	if (m->n != 1 || m->items[0].type != TSP_OUTPUT_TIME_GRAPH) {
		http_response_error(res, 400, m->n ? "%s/%s is a %s output, not TIME_GRAPH" :
				    "no experiment \"%s\" with an output \"%s\"",
				    m->n ? m->items[0].exp_label : p->experiment,
				    m->n ? m->items[0].output_name : p->output,
				    m->n ? tsp_output_type_name(m->items[0].type) : "");
		return -1;
	}
	return 0;
}

/* States and arrows of the rows; a RUNNING answer is partial data (*partial), not an error. */
static int fetch_rows(struct tsp_client *c, const struct cat_match *mt, const struct tl_params *p,
		      const int64_t *ids, size_t n_ids, struct tsp_model *states, struct tsp_model *arrows,
		      int *partial, struct tsp_error *e)
{
	struct tsp_query q;
	int rc;

	if (!n_ids)
		return 0;
	memset(&q, 0, sizeof(q));
	q.has_range = 1;
	q.start = p->from_ns;
	q.end = p->to_ns;
	q.nb_times = p->width;
	q.has_items = 1;
	q.items = ids;
	q.n_items = n_ids;
	if (p->has_tid) {
		q.param_key = "tid";
		q.param_value = p->tid;
	}
	rc = tsp_tg_states(c, mt->exp_uuid, mt->output_id, &q, states, e);
	if (rc < 0 && e->kind != TSP_ERR_RUNNING)
		return -1;
	*partial |= rc < 0;
	tsp_error_clear(e);
	rc = tsp_tg_arrows(c, mt->exp_uuid, mt->output_id, &q, arrows, e);
	if (rc < 0 && e->kind != TSP_ERR_RUNNING)
		return -1;
	*partial |= rc < 0;
	tsp_error_clear(e);
	return 0;
}

static void serve(const struct http_request *req, struct http_response *res, enum tl_form form)
{
	const struct bridge *b = req->app;
	const struct cat_match *mt;
	struct tsp_client *c = NULL;
	struct upstream *up = NULL;
	struct tl_params p;
	struct cat_matches m;
	struct cat_ref *tree = NULL;
	struct tsp_model states, arrows, styles;
	struct tsp_error e;
	struct tl_source src;
	struct tl_input in;
	struct jsonw w;
	int64_t *ids = NULL;
	const char *notices[1];
	size_t n_ids = 0, n_notices = 0;
	int partial = 0;
	char err[512], notice[768];

	cat_matches_init(&m);
	tsp_model_init(&states);
	tsp_model_init(&arrows);
	tsp_model_init(&styles);
	tsp_error_clear(&e);
	if (parse_params(req, &p, err, sizeof(err)) < 0) {
		http_response_error(res, 400, "%s", err);
		goto out;
	}
	if (resolve_output(b, &p, &m, res) < 0)
		goto out;
	mt = &m.items[0];
	up = mt->up;
	if (!(c = upstream_client(up))) {
		http_response_error(res, 500, "out of memory");
		goto out;
	}
	if (catalog_tree_param(up->cat, c, mt->exp_uuid, mt->output_id, TSP_OUTPUT_TIME_GRAPH,
			       p.has_tid ? "tid" : NULL, p.tid, &tree, &e) < 0)
		goto upstream;
	partial |= cat_ref_model(tree)->status == TSP_STATUS_RUNNING;
	if (select_rows(&p, &cat_ref_model(tree)->u.tree, &ids, &n_ids, err, sizeof(err)) < 0) {
		http_response_error(res, 400, "%s", err);
		goto out;
	}
	if (fetch_rows(c, mt, &p, ids, n_ids, &states, &arrows, &partial, &e) < 0)
		goto upstream;
	if (tsp_styles(c, mt->exp_uuid, mt->output_id, NULL, &styles, &e) < 0) {
		/* Styles only colour: the data is served without them, saying so. */
		log_warn("styles of %s/%s: %s", mt->exp_label, mt->output_name, e.msg);
		tsp_styles_notice(notice, sizeof(notice), e.msg);
		notices[n_notices++] = notice;
		tsp_model_release(&styles);
		tsp_model_init(&styles);
	}

	memset(&src, 0, sizeof(src));
	src.exp_uuid = mt->exp_uuid;
	src.exp_name = mt->exp_label;
	src.output_id = mt->output_id;
	src.output_name = mt->output_name;
	src.from_ns = p.from_ns;
	src.to_ns = p.to_ns;
	src.width = p.width;
	src.status = partial ? TSP_STATUS_RUNNING : TSP_STATUS_COMPLETED;
	src.status_message = partial ? "the analysis is still running: the data is partial, ask again" : "";
	src.notices = notices;
	src.n_notices = n_notices;
	memset(&in, 0, sizeof(in));
	in.tree = &cat_ref_model(tree)->u.tree;
	in.row_ids = ids;
	in.n_row_ids = n_ids;
	in.states = states.has_model ? &states.u.states : NULL;
	in.arrows = arrows.has_model ? &arrows.u.arrows : NULL;
	in.styles = styles.has_model ? &styles.u.styles : NULL;
	jsonw_init(&w, &res->body);
	if (tl_write(&w, form, &src, &in) < 0 || jsonw_finish(&w) < 0)
		http_response_error(res, res->body.overflow ? 413 : 500, res->body.overflow ?
				    "the answer would be larger than %zu MiB (--max-answer-mb): narrow "
				    "the range or the rows" : "out of memory", res->body.cap >> 20);
	goto out;
upstream:
	http_response_error(res, tsp_error_bridge_status(&e), "trace server: %s", e.msg);
out:
	if (up)
		upstream_client_put(up, c);
	free(ids);
	cat_ref_put(tree);
	tsp_model_release(&states);
	tsp_model_release(&arrows);
	tsp_model_release(&styles);
	cat_matches_release(&m);
}

#define FORM(fn, form) \
	void fn(const struct http_request *req, struct http_response *res) { serve(req, res, form); }

FORM(timeline_document, TL_DOCUMENT)
FORM(timeline_rows, TL_ROWS)
FORM(timeline_states, TL_STATES)
FORM(timeline_events, TL_EVENTS)
FORM(timeline_links, TL_LINKS)
FORM(timeline_nodes, TL_NODES)
FORM(timeline_edges, TL_EDGES)

void timeline_schema(const struct http_request *req, struct http_response *res)
{
	(void)req;
	if (strbuf_add(&res->body, timeline_schema_json, timeline_schema_json_len) < 0)
		http_response_error(res, 500, "out of memory");
	res->content_type = "application/schema+json";
}
