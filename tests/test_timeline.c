/*
 * The timeline document (GET /timeline): validated against its JSON Schema
 * with ajv, its forms checked against each other, and converted back
 * against what tspsim itself answers: no state or link lost, duplicated or
 * moved, clipping consistent.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "timeline_doc.h"
#include "harness.h"
#include "json_int.h"
#include "tsp_client.h"
#include "tsp_style.h"

#define TG_ID "org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ThreadStatusDataProvider"

struct tl_env {
	struct proc sim, br;
	char exp[64];
	int64_t start, end;
	struct tsp_client *c;
};

static void tl_start(struct tl_env *e)
{
	struct tsp_client_config cfg;
	struct tsp_model m;
	struct tsp_error err;
	char url[128];

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(start_tspsim(&e->sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", e->sim.port);
	ck_assert_int_eq(start_bridge(&e->br, "--upstream", url, NULL), 0);
	tsp_client_config_defaults(&cfg);
	cfg.base_url = url;
	e->c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(e->c);
	tsp_model_init(&m);
	tsp_error_clear(&err);
	ck_assert_msg(tsp_list_experiments(e->c, &m, &err) == 0, "%s", err.msg);
	snprintf(e->exp, sizeof(e->exp), "%s", m.u.experiments.items[0].uuid);
	e->start = m.u.experiments.items[0].start;
	e->end = m.u.experiments.items[0].end;
	tsp_model_release(&m);
}

static void tl_stop(struct tl_env *e)
{
	tsp_client_free(e->c);
	ck_assert_int_eq(proc_stop(&e->br), 0);
	if (e->sim.pid)
		ck_assert_int_eq(proc_stop(&e->sim), 0);
}

static cJSON *get_json(int port, const char *path, long want)
{
	struct strbuf out = STRBUF_INIT;
	char err[128];
	long st;
	cJSON *j;

	ck_assert_int_eq(http_get(port, path, &st, &out), 0);
	ck_assert_msg(st == want, "%s -> %ld: %s", path, st, strbuf_str(&out));
	j = json_parse_exact(out.buf ? out.buf : "", out.len, err, sizeof(err));
	ck_assert_msg(j != NULL, "%s: not JSON: %s", path, err);
	strbuf_release(&out);
	return j;
}

static int64_t ns_of(const cJSON *o, const char *k)
{
	const char *s = json_get_string(cJSON_GetObjectItemCaseSensitive(o, k));

	ck_assert_ptr_nonnull(s);
	return strtoll(s, NULL, 10);
}

static int64_t int_of(const cJSON *o, const char *k)
{
	int64_t v = 0;

	ck_assert_int_eq(json_get_int64(cJSON_GetObjectItemCaseSensitive(o, k), &v), JSON_OK);
	return v;
}

START_TEST(schema_validates_every_document)
{
	struct tl_env e;
	struct strbuf log = STRBUF_INIT;
	char schema[512], args[1024];
	int rc;

	src_path(schema, sizeof(schema), "spec/timeline/timeline-v1.schema.json");
	snprintf(args, sizeof(args), "--schema '%s' --self-test", schema);
	rc = run_node("tests/spec/validate-timeline.mjs", args, &log);
	ck_assert_msg(rc == 0, "self-test:\n%s", strbuf_str(&log));
	ck_assert_msg(strstr(log.buf, "ok - rejects ns as a JSON number"), "%s", strbuf_str(&log));

	tl_start(&e);
	strbuf_reset(&log);
	snprintf(args, sizeof(args), "--schema '%s' --base http://127.0.0.1:%d --from %" PRId64 " --to %" PRId64,
		 schema, e.br.port, e.start / 1000000, e.end / 1000000 + 1);
	rc = run_node("tests/spec/validate-timeline.mjs", args, &log);
	ck_assert_msg(rc == 0, "validator:\n%s", strbuf_str(&log));
	ck_assert_msg(strstr(log.buf, "17 passed, 0 failed"), "%s", strbuf_str(&log));
	strbuf_release(&log);
	tl_stop(&e);
}
END_TEST

/* The document against tspsim's own states and arrows, over a range that cuts some. */
START_TEST(round_trip_against_tsp)
{
	struct tl_env e;
	struct tsp_model tree, states, arrows, styles;
	struct tsp_error err;
	struct tsp_query q;
	int64_t *ids, from, to;
	size_t i, j, n_ids = 0, k = 0, n_tsp_links = 0;
	char path[512];
	cJSON *doc;
	const cJSON *ds, *dl;

	tl_start(&e);
	tsp_model_init(&tree);
	tsp_model_init(&states);
	tsp_model_init(&arrows);
	tsp_model_init(&styles);
	tsp_error_clear(&err);
	/* The middle of the trace, at ms boundaries, so states are clipped at both ends. */
	from = (e.start + (e.end - e.start) / 4) / 1000000 * 1000000;
	to = (e.start + (e.end - e.start) / 2) / 1000000 * 1000000;
	ck_assert_msg(tsp_tg_tree(e.c, e.exp, TG_ID, NULL, &tree, &err) == 0, "%s", err.msg);
	ids = calloc(tree.u.tree.n_entries, sizeof(*ids));
	for (i = 0; i < tree.u.tree.n_entries; i++)
		if (tree.u.tree.entries[i].has_data)
			ids[n_ids++] = tree.u.tree.entries[i].id;
	memset(&q, 0, sizeof(q));
	q.has_range = 1;
	q.start = from;
	q.end = to;
	q.nb_times = 700;
	q.has_items = 1;
	q.items = ids;
	q.n_items = n_ids;
	ck_assert_msg(tsp_tg_states(e.c, e.exp, TG_ID, &q, &states, &err) == 0, "%s", err.msg);
	ck_assert_msg(tsp_tg_arrows(e.c, e.exp, TG_ID, &q, &arrows, &err) == 0, "%s", err.msg);
	ck_assert_msg(tsp_styles(e.c, e.exp, TG_ID, NULL, &styles, &err) == 0, "%s", err.msg);

	snprintf(path, sizeof(path), "/timeline?experiment=kernel&output=Thread%%20Status&from_ns=%" PRId64
		 "&to_ns=%" PRId64 "&width=700", from, to);
	doc = get_json(e.br.port, path, 200);
	ds = cJSON_GetObjectItemCaseSensitive(doc, "states");
	dl = cJSON_GetObjectItemCaseSensitive(doc, "links");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "rows")), (int)n_ids);

	/* Every TSP state with a duration and a name, in order, clipped the same way. */
	for (i = 0; i < states.u.states.n_rows; i++) {
		const struct tsp_tg_row *r = &states.u.states.rows[i];

		for (j = 0; j < r->n_states; j++) {
			const struct tsp_tg_state *s = &r->states[j];
			const cJSON *d;
			int64_t cs, ce;

			if (s->end < from || s->start > to || !tsp_state_name(&styles.u.styles, s) ||
			    s->start == s->end)
				continue;
			cs = s->start < from ? from : s->start;
			ce = s->end > to ? to : s->end;
			d = cJSON_GetArrayItem(ds, (int)k++);
			ck_assert_msg(d != NULL, "state %zu of row %" PRId64 " is missing", j, r->entry_id);
			ck_assert(int_of(d, "row") == r->entry_id);
			ck_assert(ns_of(d, "start_ns") == cs && ns_of(d, "end_ns") == ce);
			ck_assert(int_of(d, "start_ms") == cs / 1000000 && int_of(d, "end_ms") == ce / 1000000);
			ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(d, "value")),
					 tsp_state_name(&styles.u.styles, s));
		}
	}
	ck_assert_int_gt((int)k, 100);
	ck_assert_int_eq(cJSON_GetArraySize(ds), (int)k);        /* none added */
	for (i = 0; i < arrows.u.arrows.n; i++) {
		const struct tsp_tg_arrow *a = &arrows.u.arrows.items[i];
		const cJSON *d;

		if (a->end < from || a->start > to)
			continue;
		d = cJSON_GetArrayItem(dl, (int)n_tsp_links++);
		ck_assert_ptr_nonnull(d);
		ck_assert(int_of(d, "source") == a->source_id && int_of(d, "target") == a->target_id);
		ck_assert(ns_of(d, "start_ns") == (a->start < from ? from : a->start));
	}
	ck_assert_int_gt((int)n_tsp_links, 0);
	ck_assert_int_eq(cJSON_GetArraySize(dl), (int)n_tsp_links);
	cJSON_Delete(doc);
	free(ids);
	tsp_model_release(&tree);
	tsp_model_release(&states);
	tsp_model_release(&arrows);
	tsp_model_release(&styles);
	tl_stop(&e);
}
END_TEST

START_TEST(bad_requests_and_upstream_down)
{
	struct tl_env e;
	cJSON *j;
	const char *bad[][2] = {
		{ "/timeline?output=Thread%20Status&from=1&to=2", "experiment and output are required" },
		{ "/timeline?experiment=kernel&output=Thread%20Status&to=2", "from is required" },
		{ "/timeline?experiment=kernel&output=Thread%20Status&from=3&to=2", "from is after to" },
		{ "/timeline?experiment=kernel&output=Thread%20Status&from=1&to=2&width=0", "width must be" },
		{ "/timeline?experiment=kernel&output=Thread%20Status&from=1&to=2&row_re=(", "row_re" },
		{ "/timeline?experiment=kernel&output=Thread%20Status&from=1&to=2&row_re=(k)%5C1",
		  "back-references" },
		{ "/timeline?experiment=kernel&output=CPU%20Usage&from=1&to=2", "not TIME_GRAPH" },
		{ "/timeline/states?experiment=nope&output=Thread%20Status&from=1&to=2", "no experiment \"nope\"" },
	};
	size_t i;

	tl_start(&e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg;

		j = get_json(e.br.port, bad[i][0], 400);
		msg = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "error"));
		ck_assert_msg(msg && strstr(msg, bad[i][1]), "%s: %s", bad[i][0], msg ? msg : "(none)");
		cJSON_Delete(j);
	}
	/* ISO times work as well as ms. */
	j = get_json(e.br.port, "/timeline/rows?experiment=kernel&output=Thread%20Status"
		     "&from=2023-11-14T22:13:20Z&to=2023-11-14T22:13:21Z", 200);
	ck_assert_int_gt(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);
	proc_kill(&e.sim);
	e.sim.pid = 0;
	j = get_json(e.br.port, "/timeline/links?experiment=kernel&output=Thread%20Status&from=1&to=2", 502);
	ck_assert(strstr(json_get_string(cJSON_GetObjectItemCaseSensitive(j, "error")), "trace server"));
	cJSON_Delete(j);
	tl_stop(&e);
}
END_TEST


/* ---- the pure writer ---- */

static void model(struct tsp_model *m, enum tsp_model_kind kind, const char *json)
{
	struct tsp_error e;

	tsp_model_init(m);
	tsp_error_clear(&e);
	ck_assert_msg(tsp_model_parse(m, kind, json, strlen(json), &e) == 0, "%s", e.msg);
}

static cJSON *write_form(enum tl_form form, const struct tl_source *src, const struct tl_input *in)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	cJSON *j;

	jsonw_init(&w, &sb);
	ck_assert_int_eq(tl_write(&w, form, src, in), 0);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	j = json_parse_exact(sb.buf, sb.len, NULL, 0);
	ck_assert_ptr_nonnull(j);
	strbuf_release(&sb);
	return j;
}

START_TEST(writer_events_gaps_clipping_links)
{
	struct tsp_model tree, states, arrows, styles;
	struct tl_source src = { "u", "kernel", "o", "Thread Status", INT64_C(1700000000100000000),
				 INT64_C(1700000000900000000), 100, TSP_STATUS_COMPLETED, "" };
	struct tl_input in;
	int64_t only[] = { 1 };
	const cJSON *st, *ev, *li, *x;
	cJSON *doc, *nodes, *edges;

	model(&tree, TSP_M_TREE, "{\"model\":{\"entries\":[{\"id\":0,\"parentId\":-1,\"labels\":[\"k\"]},"
	      "{\"id\":1,\"parentId\":0,\"labels\":[\"bash\",\"316\"],\"hasData\":true,\"metadata\":{\"tid\":[316]}},"
	      "{\"id\":2,\"parentId\":0,\"labels\":[\"sshd\"],\"hasData\":true},"
	      "{\"id\":3,\"parentId\":0,\"labels\":[\"cron\"],\"hasData\":true}]},\"status\":\"COMPLETED\"}");
	model(&styles, TSP_M_STYLES, "{\"model\":{\"styles\":{\"RUN\":{\"values\":{\"style-name\":\"Running\","
	      "\"background-color\":\"#00c800\",\"height\":1}},\"WAKE\":{\"values\":{\"style-name\":\"Wake-up\"}}}},"
	      "\"status\":\"COMPLETED\"}");
	model(&states, TSP_M_TG_STATES, "{\"model\":{\"rows\":[{\"entryId\":1,\"states\":["
	      "{\"start\":1700000000000000000,\"end\":1700000000200000000,\"style\":{\"parentKey\":\"RUN\"}},"
	      "{\"start\":1700000000200000000,\"end\":1700000000300000000},"
	      "{\"start\":1700000000400000000,\"end\":1700000000400000000,\"label\":\"tick\"},"
	      "{\"start\":1700000000800000000,\"end\":1700000001000000000,\"label\":\"io\"}]},"
	      "{\"entryId\":2,\"states\":[{\"start\":1700000000950000000,\"end\":1700000001000000000,\"label\":\"late\"}]}"
	      "]},\"status\":\"COMPLETED\"}");
	model(&arrows, TSP_M_TG_ARROWS, "{\"model\":[{\"sourceId\":1,\"targetId\":2,\"start\":1700000000150000000,"
	      "\"end\":1700000000160000000,\"style\":{\"parentKey\":\"WAKE\"}},{\"sourceId\":1,\"targetId\":2,"
	      "\"start\":1700000000170000000,\"end\":1700000000180000000},{\"sourceId\":2,\"targetId\":3,"
	      "\"start\":1700000000170000000,\"end\":1700000000180000000},{\"sourceId\":3,\"targetId\":2,"
	      "\"start\":1600000000000000000,\"end\":1600000000100000000}],\"status\":\"COMPLETED\"}");
	memset(&in, 0, sizeof(in));
	in.tree = &tree.u.tree;
	in.states = &states.u.states;
	in.arrows = &arrows.u.arrows;
	in.styles = &styles.u.styles;

	doc = write_form(TL_DOCUMENT, &src, &in);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "rows")), 4);
	st = cJSON_GetObjectItemCaseSensitive(doc, "states");
	ev = cJSON_GetObjectItemCaseSensitive(doc, "events");
	li = cJSON_GetObjectItemCaseSensitive(doc, "links");
	/* Running clipped at from, the gap dropped, io clipped at to; "late" is outside. */
	ck_assert_int_eq(cJSON_GetArraySize(st), 2);
	x = cJSON_GetArrayItem(st, 0);
	ck_assert(ns_of(x, "start_ns") == INT64_C(1700000000100000000));
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(x, "value")), "Running");
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(x, "style")), "RUN");
	x = cJSON_GetArrayItem(st, 1);
	ck_assert(ns_of(x, "end_ns") == INT64_C(1700000000900000000));
	ck_assert(int_of(x, "end_ms") == INT64_C(1700000000900));
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(x, "value")), "io");
	/* The zero-duration state is an event. */
	ck_assert_int_eq(cJSON_GetArraySize(ev), 1);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ev, 0), "label")), "tick");
	/* Three links in range; the one from 1600... is not. */
	ck_assert_int_eq(cJSON_GetArraySize(li), 3);
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(li, 0), "type")), "Wake-up");
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(li, 1), "type")), "link");
	x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "styles"), "RUN");
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(x, "color")), "#00c800");
	cJSON_Delete(doc);

	edges = write_form(TL_EDGES, &src, &in);
	ck_assert_int_eq(cJSON_GetArraySize(edges), 2);              /* 1->2 twice, 2->3 once */
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(edges, 0), "id")), "1-2");
	ck_assert(int_of(cJSON_GetArrayItem(edges, 0), "mainstat") == 2);
	nodes = write_form(TL_NODES, &src, &in);
	ck_assert_int_eq(cJSON_GetArraySize(nodes), 3);
	ck_assert(int_of(cJSON_GetArrayItem(nodes, 0), "mainstat") == 2);     /* bash: 2 out */
	ck_assert(int_of(cJSON_GetArrayItem(nodes, 1), "secondarystat") == 2); /* sshd: 2 in */
	/* Many threads share a name: each node says which one it is. */
	ck_assert_ptr_nonnull(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(nodes, 0), "subtitle")));
	cJSON_Delete(edges);
	cJSON_Delete(nodes);

	/* A row filter keeps its rows and the links that touch them. */
	in.row_ids = only;
	in.n_row_ids = 1;
	doc = write_form(TL_DOCUMENT, &src, &in);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "rows")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "links")), 2);
	cJSON_Delete(doc);
	doc = write_form(TL_ROWS, &src, &in);
	ck_assert(int_of(cJSON_GetArrayItem(doc, 0), "tid") == 316);  /* metadata flattened */
	cJSON_Delete(doc);

	tsp_model_release(&tree);
	tsp_model_release(&states);
	tsp_model_release(&arrows);
	tsp_model_release(&styles);
}
END_TEST

/* Row names of a /timeline document. */
static int count_rows_named(const cJSON *doc, const char *prefix)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "rows")) {
		const char *name = json_get_string(cJSON_GetObjectItemCaseSensitive(r, "name"));

		n += name && !strncmp(name, prefix, strlen(prefix));
	}
	return n;
}

/*
 * One argument holding an escaped '&' and two arguments are different
 * requests: the stored answer of one must never be served for the other.
 */
START_TEST(cached_answers_keep_arguments_apart)
{
	struct tl_env e;
	char one[512], two[512];
	cJSON *a, *b;
	int order;

	tl_start(&e);
	snprintf(one, sizeof(one), "/timeline?experiment=kernel&output=Thread%%20Status&from_ns=%" PRId64
		 "&to_ns=%" PRId64 "&row_re=%%5Ekworker%%26rows%%3Dbash", e.start, e.end);
	snprintf(two, sizeof(two), "/timeline?experiment=kernel&output=Thread%%20Status&from_ns=%" PRId64
		 "&to_ns=%" PRId64 "&row_re=%%5Ekworker&rows=bash", e.start, e.end);
	for (order = 0; order < 2; order++) {
		/* Each asked twice so the second answer is the stored one. */
		a = get_json(e.br.port, order ? two : one, 200);
		cJSON_Delete(a);
		a = get_json(e.br.port, order ? two : one, 200);
		b = get_json(e.br.port, order ? one : two, 200);
		if (order) {
			cJSON *t = a;

			a = b;
			b = t;
		}
		/* "^kworker&rows=bash" is one regex that no thread name matches. */
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "rows")), 0);
		/* Two filters: the kworkers and bash. */
		ck_assert_int_gt(count_rows_named(b, "kworker"), 0);
		ck_assert_int_gt(count_rows_named(b, "bash"), 0);
		cJSON_Delete(a);
		cJSON_Delete(b);
		/* A fresh bridge for the other order: nothing stored from this one. */
		ck_assert_int_eq(proc_stop(&e.br), 0);
		if (!order) {
			char url[128];

			snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", e.sim.port);
			ck_assert_int_eq(start_bridge(&e.br, "--upstream", url, NULL), 0);
		}
	}
	e.br.pid = 0;
	tsp_client_free(e.c);
	ck_assert_int_eq(proc_stop(&e.sim), 0);
}
END_TEST

/* The colour a /query timeline frame's mappings give value, or NULL. */
static const char *mapped_colour(const cJSON *frame, const char *value)
{
	const cJSON *fl, *m;

	cJSON_ArrayForEach(fl, cJSON_GetObjectItemCaseSensitive(frame, "fields"))
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(fl, "config"), "mappings")) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(m, "options"), value);
			const char *c = json_get_string(cJSON_GetObjectItemCaseSensitive(o, "color"));

			if (c)
				return c;
		}
	return NULL;
}

/* A JSON datasource timeline query of the whole trace, as frames. */
static cJSON *query_timeline(struct tl_env *e, int nth)
{
	struct strbuf out = STRBUF_INIT;
	char body[512];
	long st;
	cJSON *j;

	snprintf(body, sizeof(body), "{\"range\":{\"from\":%" PRId64 ",\"to\":%" PRId64 "},"
		 "\"maxDataPoints\":300,\"targets\":[{\"refId\":\"T\",\"target\":\"timeline\","
		 "\"payload\":{\"experiment\":\"kernel\",\"output\":\"Thread Status\"}}]}",
		 e->start / 1000000 + nth, e->end / 1000000);
	ck_assert_int_eq(http_post(e->br.port, "/query", body, &st, &out), 0);
	ck_assert_msg(st == 200, "/query %ld: %s", st, strbuf_str(&out));
	j = json_parse_exact(out.buf, out.len, NULL, 0);
	ck_assert_ptr_nonnull(j);
	strbuf_release(&out);
	return j;
}

static int has_text(const cJSON *arr, const char *needle)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (json_get_string(it) && strstr(json_get_string(it), needle))
			return 1;
	return 0;
}

/*
 * An older trace server without /style (404, 405): the data is served
 * uncoloured with a notice, in /timeline and in /query. States carrying a
 * colour in their own style: that colour wins over their parent style's in
 * the document, the flat states and Grafana's value mappings.
 */
START_TEST(styles_missing_or_inline)
{
	static const char *const statuses[] = { "{\"style_status\":404}", "{\"style_status\":405}" };
	struct tl_env e;
	char path[256];
	const cJSON *s;
	cJSON *j, *f;
	size_t i;
	int n_sys = 0, nth = 0;

	tl_start(&e);
	for (i = 0; i < 2; i++) {
		sim_set_faults(e.sim.port, statuses[i]);
		snprintf(path, sizeof(path), "/timeline?experiment=kernel&output=Thread%%20Status&from_ns=%"
			 PRId64 "&to_ns=%" PRId64, e.start + (int64_t)i, e.end);
		j = get_json(e.br.port, path, 200);
		s = cJSON_GetObjectItemCaseSensitive(j, "source");
		ck_assert_msg(has_text(cJSON_GetObjectItemCaseSensitive(s, "notices"), "without their colours"),
			      "%s: no notice", statuses[i]);
		ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "states")), 0);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "styles")), 0);
		cJSON_Delete(j);
		j = query_timeline(&e, ++nth);
		f = cJSON_GetArrayItem(j, 0);
		ck_assert_msg(has_notice(f, "without their colours"), "%s: /query has no notice", statuses[i]);
		ck_assert_ptr_null(mapped_colour(f, "Running"));
		cJSON_Delete(j);
	}

	sim_set_faults(e.sim.port, NULL);
	j = query_timeline(&e, ++nth);
	f = cJSON_GetArrayItem(j, 0);
	ck_assert(!has_notice(f, "without their colours"));
	ck_assert_str_eq(mapped_colour(f, "System call"), "#0000c8");
	cJSON_Delete(j);

	sim_set_faults(e.sim.port, "{\"inline_color\":\"#993d8e\"}");
	snprintf(path, sizeof(path), "/timeline?experiment=kernel&output=Thread%%20Status&from_ns=%"
		 PRId64 "&to_ns=%" PRId64, e.start + 7, e.end);
	j = get_json(e.br.port, path, 200);
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "states")) {
		const char *style = json_get_string(cJSON_GetObjectItemCaseSensitive(s, "style"));
		const char *color = json_get_string(cJSON_GetObjectItemCaseSensitive(s, "color"));

		if (style && !strcmp(style, "SYSCALL")) {
			ck_assert_str_eq(color ? color : "(none)", "#993d8e");
			n_sys++;
		} else {
			ck_assert_ptr_null(color);
		}
	}
	ck_assert_int_gt(n_sys, 0);
	/* The named style keeps its own colour: only the states override it. */
	ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "styles"), "SYSCALL"), "color")), "#0000c8");
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "/timeline/states?experiment=kernel&output=Thread%%20Status&from_ns=%"
		 PRId64 "&to_ns=%" PRId64, e.start + 7, e.end);
	j = get_json(e.br.port, path, 200);
	n_sys = 0;
	cJSON_ArrayForEach(s, j)
		if (!strcmp(json_get_string(cJSON_GetObjectItemCaseSensitive(s, "style")) ?
			    json_get_string(cJSON_GetObjectItemCaseSensitive(s, "style")) : "", "SYSCALL")) {
			ck_assert_str_eq(json_get_string(cJSON_GetObjectItemCaseSensitive(s, "color")), "#993d8e");
			n_sys++;
		}
	ck_assert_int_gt(n_sys, 0);
	cJSON_Delete(j);
	j = query_timeline(&e, ++nth);
	f = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(mapped_colour(f, "System call"), "#993d8e");
	ck_assert_str_eq(mapped_colour(f, "Running"), "#00c800");
	cJSON_Delete(j);
	tl_stop(&e);
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *pure = tcase_create("pure");
	TCase *tc = tcase_create("bridge+tspsim");

	tcase_add_test(pure, writer_events_gaps_clipping_links);
	suite_add_tcase(s, pure);
	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, schema_validates_every_document);
	tcase_add_test(tc, round_trip_against_tsp);
	tcase_add_test(tc, bad_requests_and_upstream_down);
	tcase_add_test(tc, cached_answers_keep_arguments_apart);
	tcase_add_test(tc, styles_missing_or_inline);
	suite_add_tcase(s, tc);
	return s;
}
