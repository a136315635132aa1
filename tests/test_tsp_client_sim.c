/*
 * The TSP client against tspsim: every typed call the later issues need,
 * end to end (HTTP, RUNNING polling, parsing), with the answers checked
 * for consistency with each other and with the raw JSON text.
 */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tsp_client.h"

#define XY_ID "org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider"

struct sim_ctx {
	struct proc sim;
	struct tsp_client *c;
	struct tsp_model m;
	struct tsp_error err;
	char exp[64];
	char out_xy[160], out_tg[160], out_table[160], out_data[160];
	int64_t start, end;
};

static void ctx_start(struct sim_ctx *x, const char *running_polls, long poll_deadline_ms)
{
	struct tsp_client_config cfg;
	char url[128];
	size_t i;

	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(start_tspsim(&x->sim, "--quiet", "--running-polls", running_polls, NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", x->sim.port);
	tsp_client_config_defaults(&cfg);
	cfg.base_url = url;
	cfg.poll_deadline_ms = poll_deadline_ms;
	cfg.timeout_ms = under_valgrind() ? 30000 : 10000;
	x->c = tsp_client_new(&cfg);
	ck_assert_ptr_nonnull(x->c);
	tsp_model_init(&x->m);

	/* The one experiment tspsim starts with, and its outputs by type. */
	ck_assert_msg(tsp_list_experiments(x->c, &x->m, &x->err) == 0, "%s", x->err.msg);
	ck_assert_uint_eq(x->m.u.experiments.n, 1);
	ck_assert_str_eq(x->m.u.experiments.items[0].name, "kernel");
	snprintf(x->exp, sizeof(x->exp), "%s", x->m.u.experiments.items[0].uuid);
	x->start = x->m.u.experiments.items[0].start;
	x->end = x->m.u.experiments.items[0].end;

	ck_assert_msg(tsp_list_outputs(x->c, x->exp, &x->m, &x->err) == 0, "%s", x->err.msg);
	ck_assert_uint_ge(x->m.u.outputs.n, 4);
	for (i = 0; i < x->m.u.outputs.n; i++) {
		const struct tsp_output *o = &x->m.u.outputs.items[i];
		char *dst = o->type == TSP_OUTPUT_TREE_TIME_XY ? x->out_xy :
			    o->type == TSP_OUTPUT_TIME_GRAPH ? x->out_tg :
			    o->type == TSP_OUTPUT_TABLE ? x->out_table :
			    o->type == TSP_OUTPUT_DATA_TREE ? x->out_data : NULL;
		if (dst && !*dst)       /* the first of a type: CPU Usage before Histogram */
			snprintf(dst, 160, "%s", o->id);
	}
	ck_assert_str_eq(x->out_xy, XY_ID);
	ck_assert(x->out_tg[0] && x->out_table[0] && x->out_data[0]);
}

static void ctx_stop(struct sim_ctx *x)
{
	tsp_model_release(&x->m);
	tsp_client_free(x->c);
	ck_assert_int_eq(proc_stop(&x->sim), 0);
}

/* The decimal text of v appears in body right after `"key":`. */
static int body_has_int(const struct strbuf *body, const char *key, int64_t v)
{
	char needle[96];

	snprintf(needle, sizeof(needle), "\"%s\":%" PRId64, key, v);
	return strstr(body->buf, needle) != NULL;
}

START_TEST(server_traces_experiments_outputs)
{
	struct sim_ctx x;
	struct strbuf raw;
	const char *ids[1];
	char path[256], trace_uuid[64];
	long st;
	size_t i;

	ctx_start(&x, "0", 2000);
	strbuf_init(&raw, 1 << 20);

	ck_assert_msg(tsp_get_health(x.c, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_str_eq(x.m.u.health.status, "UP");
	ck_assert_msg(tsp_get_identifier(x.c, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_ptr_nonnull(x.m.u.identifier.version);

	/* Nanosecond epoch times of 2020s, > 2^53: a double would round them. */
	ck_assert(x.start > INT64_C(1600000000000000000));
	ck_assert(x.end > x.start);

	/* Exact: the parsed values print back to the very digits on the wire. */
	snprintf(path, sizeof(path), "/experiments/%s", x.exp);
	ck_assert_int_eq(tsp_client_request(x.c, "GET", path, NULL, &st, &raw, &x.err), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_msg(body_has_int(&raw, "start", x.start), "%s", raw.buf);
	ck_assert_msg(body_has_int(&raw, "end", x.end), "%s", raw.buf);
	ck_assert_msg(tsp_get_experiment(x.c, x.exp, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_str_eq(x.m.u.experiment.uuid, x.exp);
	ck_assert(x.m.u.experiment.start == x.start && x.m.u.experiment.end == x.end);
	ck_assert_uint_eq(x.m.u.experiment.n_traces, 1);
	ck_assert(x.m.u.experiment.nb_events > 0);

	ck_assert_msg(tsp_get_output(x.c, x.exp, x.out_tg, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_int_eq(x.m.u.output.type, TSP_OUTPUT_TIME_GRAPH);
	ck_assert_str_eq(x.m.u.output.id, x.out_tg);

	ck_assert_msg(tsp_list_traces(x.c, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_eq(x.m.u.traces.n, 1);

	/* Open a second trace and make an experiment of it alone. */
	ck_assert_msg(tsp_open_trace(x.c, "/data/web-01", "web-01", NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_str_eq(x.m.u.trace.name, "web-01");
	ck_assert(x.m.u.trace.start > 0 && x.m.u.trace.end > x.m.u.trace.start);
	snprintf(trace_uuid, sizeof(trace_uuid), "%s", x.m.u.trace.uuid);
	ids[0] = trace_uuid;
	ck_assert_msg(tsp_create_experiment(x.c, "web", ids, 1, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_str_eq(x.m.u.experiment.name, "web");
	ck_assert_uint_eq(x.m.u.experiment.n_traces, 1);
	ck_assert_str_eq(x.m.u.experiment.traces[0].uuid, trace_uuid);

	ck_assert_msg(tsp_list_experiments(x.c, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_eq(x.m.u.experiments.n, 2);
	for (i = 0; i < x.m.u.experiments.n; i++)
		ck_assert(x.m.u.experiments.items[i].start < x.m.u.experiments.items[i].end);

	/* An unknown experiment is the upstream's 404, with its words. */
	ck_assert_int_eq(tsp_list_outputs(x.c, "00000000-0000-0000-0000-000000000000", &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(x.err.http_status, 404);
	ck_assert_msg(strstr(x.err.msg, "GET /experiments/00000000-0000-0000-0000-000000000000/outputs") != NULL,
		      "%s", x.err.msg);

	strbuf_release(&raw);
	ctx_stop(&x);
}
END_TEST

START_TEST(xy_tree_and_series_through_running)
{
	struct sim_ctx x;
	struct tsp_query q = { 0 };
	int64_t items[64];
	size_t i, j, n = 0;

	/* Two RUNNING answers before COMPLETED: the client polls through them. */
	ctx_start(&x, "2", under_valgrind() ? 20000 : 5000);
	ck_assert_msg(tsp_xy_tree(x.c, x.exp, x.out_xy, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_int_eq(x.m.status, TSP_STATUS_COMPLETED);
	ck_assert(x.m.has_model);
	ck_assert_uint_ge(x.m.u.tree.n_entries, 2);
	for (i = 0; i < x.m.u.tree.n_entries && n < 64; i++)
		items[n++] = x.m.u.tree.entries[i].id;

	q.has_range = 1;
	q.start = x.start;
	q.end = x.end;
	q.nb_times = 50;
	q.has_items = 1;
	q.items = items;
	q.n_items = n;
	ck_assert_msg(tsp_xy(x.c, x.exp, x.out_xy, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_int_eq(x.m.status, TSP_STATUS_COMPLETED);
	ck_assert_uint_ge(x.m.u.xy.n_series, 1);
	for (i = 0; i < x.m.u.xy.n_series; i++) {
		const struct tsp_xy_series *s = &x.m.u.xy.series[i];
		int known = 0;

		for (j = 0; j < n; j++)
			known |= items[j] == s->id;
		ck_assert_msg(known, "series %" PRId64 " was not asked for", s->id);
		ck_assert_uint_eq(s->n_x, 50);
		ck_assert_uint_eq(s->n_y, 50);
		ck_assert(s->x[0] == x.start);
		ck_assert(s->x[49] <= x.end);
		for (j = 1; j < s->n_x; j++)
			ck_assert(s->x[j] > s->x[j - 1]);
	}
	ctx_stop(&x);
}
END_TEST

START_TEST(time_graph_states_arrows_tooltip_styles)
{
	struct sim_ctx x;
	struct tsp_query q = { 0 };
	int64_t items[512];
	size_t i, j, k, n = 0;
	int64_t st_time = 0, st_entry = 0;
	int found = 0;

	ctx_start(&x, "1", under_valgrind() ? 20000 : 5000);
	ck_assert_msg(tsp_tg_tree(x.c, x.exp, x.out_tg, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.tree.n_entries, 24);
	for (i = 0; i < x.m.u.tree.n_entries && n < 512; i++)
		items[n++] = x.m.u.tree.entries[i].id;

	q.has_range = 1;
	q.start = x.start;
	q.end = x.end;
	q.nb_times = 1000;
	q.has_items = 1;
	q.items = items;
	q.n_items = n;
	ck_assert_msg(tsp_tg_states(x.c, x.exp, x.out_tg, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.states.n_rows, 1);
	for (i = 0; i < x.m.u.states.n_rows; i++) {
		const struct tsp_tg_row *r = &x.m.u.states.rows[i];
		int known = 0;

		for (k = 0; k < n; k++)
			known |= items[k] == r->entry_id;
		ck_assert(known);
		for (j = 0; j < r->n_states; j++) {
			ck_assert(r->states[j].start <= r->states[j].end);
			ck_assert(r->states[j].end >= x.start && r->states[j].start <= x.end);
			if (!found && r->states[j].style && r->states[j].end > r->states[j].start) {
				found = 1;
				st_entry = r->entry_id;
				st_time = r->states[j].start + (r->states[j].end - r->states[j].start) / 2;
			}
		}
	}
	ck_assert_msg(found, "no state with a style");

	ck_assert_msg(tsp_tg_arrows(x.c, x.exp, x.out_tg, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.arrows.n, 1);
	for (i = 0; i < x.m.u.arrows.n; i++) {
		const struct tsp_tg_arrow *a = &x.m.u.arrows.items[i];
		int src = 0, dst = 0;

		for (k = 0; k < n; k++) {
			src |= items[k] == a->source_id;
			dst |= items[k] == a->target_id;
		}
		ck_assert_msg(src && dst, "arrow %" PRId64 "->%" PRId64 " between unknown rows",
			      a->source_id, a->target_id);
		ck_assert(a->start <= a->end);
	}

	memset(&q, 0, sizeof(q));
	q.has_items = 1;
	q.items = &st_entry;
	q.n_items = 1;
	q.times = &st_time;
	q.n_times = 1;
	q.element_type = "state";
	q.element_time = st_time;
	q.element_duration = 0;
	ck_assert_msg(tsp_tg_tooltip(x.c, x.exp, x.out_tg, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.tooltip.n, 1);

	ck_assert_msg(tsp_styles(x.c, x.exp, x.out_tg, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.styles.n, 5);
	ctx_stop(&x);
}
END_TEST

START_TEST(table_columns_and_lines)
{
	struct sim_ctx x;
	struct tsp_query q = { 0 };
	size_t i, ncols;

	ctx_start(&x, "1", under_valgrind() ? 20000 : 5000);
	ck_assert_msg(tsp_table_columns(x.c, x.exp, x.out_table, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ncols = x.m.u.columns.n;
	ck_assert_uint_ge(ncols, 3);

	q.has_table_index = 1;
	q.table_index = 5;
	q.table_count = 10;
	ck_assert_msg(tsp_table_lines(x.c, x.exp, x.out_table, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_eq(x.m.u.lines.n_lines, 10);
	ck_assert(x.m.u.lines.low_index == 5);
	ck_assert(x.m.u.lines.size > 15);
	for (i = 0; i < x.m.u.lines.n_lines; i++) {
		ck_assert(x.m.u.lines.lines[i].index == (int64_t)(5 + i));
		ck_assert_uint_eq(x.m.u.lines.lines[i].n_cells, ncols);
	}
	ctx_stop(&x);
}
END_TEST

START_TEST(data_tree_and_annotations)
{
	struct sim_ctx x;
	struct tsp_query q = { 0 };
	const char *cats[1];
	char cat[128];
	size_t i, total = 0;

	ctx_start(&x, "1", under_valgrind() ? 20000 : 5000);
	ck_assert_msg(tsp_data_tree(x.c, x.exp, x.out_data, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.tree.n_entries, 1);
	ck_assert_uint_ge(x.m.u.tree.n_headers, 1);

	ck_assert_msg(tsp_marker_sets(x.c, x.exp, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.marker_sets.n, 1);
	ck_assert_str_eq(x.m.u.marker_sets.items[0].id, "frames");

	ck_assert_msg(tsp_annotation_categories(x.c, x.exp, x.out_tg, "frames", &x.m, &x.err) == 0,
		      "%s", x.err.msg);
	ck_assert_uint_ge(x.m.u.categories.n, 1);
	snprintf(cat, sizeof(cat), "%s", x.m.u.categories.items[0]);

	cats[0] = cat;
	q.has_range = 1;
	q.start = x.start;
	q.end = x.end;
	q.nb_times = 100;
	q.marker_set = "frames";
	q.categories = cats;
	q.n_categories = 1;
	ck_assert_msg(tsp_annotations(x.c, x.exp, x.out_tg, &q, &x.m, &x.err) == 0, "%s", x.err.msg);
	for (i = 0; i < x.m.u.annotations.n; i++) {
		size_t j;

		for (j = 0; j < x.m.u.annotations.categories[i].n; j++) {
			const struct tsp_annotation *a = &x.m.u.annotations.categories[i].items[j];
			ck_assert(a->time >= x.start && a->time <= x.end);
			ck_assert(a->duration >= 0);
			total++;
		}
	}
	ck_assert_uint_ge(total, 1);
	ctx_stop(&x);
}
END_TEST

START_TEST(running_forever_is_reported_with_partial_model)
{
	struct sim_ctx x;
	long st;
	struct strbuf raw;

	ctx_start(&x, "0", 300);
	strbuf_init(&raw, 4096);
	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults", "{\"running_forever\":true}", &st, &raw), 0);
	ck_assert_int_eq(st, 200);

	ck_assert_int_eq(tsp_xy_tree(x.c, x.exp, x.out_xy, NULL, &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_RUNNING);
	ck_assert_msg(strstr(x.err.msg, "still running") != NULL, "%s", x.err.msg);
	ck_assert_int_eq(x.m.status, TSP_STATUS_RUNNING);

	/* Faults off: the same call completes, the client was not harmed. */
	{
		char url[128];

		snprintf(url, sizeof(url), "http://127.0.0.1:%d/_sim/faults", x.sim.port);
		ck_assert_int_eq(http_do("DELETE", url, NULL, &st, &raw), 0);
		ck_assert_int_eq(st, 200);
	}
	ck_assert_msg(tsp_xy_tree(x.c, x.exp, x.out_xy, NULL, &x.m, &x.err) == 0, "%s", x.err.msg);
	ck_assert_int_eq(x.m.status, TSP_STATUS_COMPLETED);
	strbuf_release(&raw);
	ctx_stop(&x);
}
END_TEST

START_TEST(upstream_faults_map_to_errors)
{
	struct sim_ctx x;
	struct strbuf raw;
	long st;

	ctx_start(&x, "0", 2000);
	strbuf_init(&raw, 4096);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults", "{\"http_500\":true}", &st, &raw), 0);
	ck_assert_int_eq(tsp_list_experiments(x.c, &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(x.err.http_status, 500);
	ck_assert_int_eq(tsp_error_bridge_status(&x.err), 502);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults",
				   "{\"http_500\":false,\"malformed_json\":true}", &st, &raw), 0);
	ck_assert_int_eq(tsp_xy_tree(x.c, x.exp, x.out_xy, NULL, &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_BAD_JSON);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults",
				   "{\"malformed_json\":false,\"truncate\":true}", &st, &raw), 0);
	ck_assert_int_eq(tsp_list_outputs(x.c, x.exp, &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_BAD_JSON);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults",
				   "{\"truncate\":false,\"drop_connection\":true}", &st, &raw), 0);
	ck_assert_int_eq(tsp_get_health(x.c, &x.m, &x.err), -1);
	ck_assert_msg(x.err.kind == TSP_ERR_CONNECT, "%s: %s", tsp_err_kind_name(x.err.kind), x.err.msg);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults",
				   "{\"drop_connection\":false,\"analysis_failed\":true}", &st, &raw), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(tsp_tg_tree(x.c, x.exp, x.out_tg, NULL, &x.m, &x.err), -1);
	ck_assert_int_eq(x.err.kind, TSP_ERR_FAILED);
	ck_assert_msg(strstr(x.err.msg, "Analysis failed: simulated fault") != NULL, "%s", x.err.msg);
	ck_assert_int_eq(x.m.status, TSP_STATUS_FAILED);
	/* Only data endpoints fail: listing outputs still works. */
	ck_assert_msg(tsp_list_outputs(x.c, x.exp, &x.m, &x.err) == 0, "%s", x.err.msg);

	ck_assert_int_eq(http_post(x.sim.port, "/_sim/faults", "{\"analysis_failed\":false}", &st, &raw), 0);
	ck_assert_msg(tsp_get_health(x.c, &x.m, &x.err) == 0, "%s", x.err.msg);
	strbuf_release(&raw);
	ctx_stop(&x);
}
END_TEST

Suite *tsp_client_sim_suite(void)
{
	Suite *s = suite_create("tsp_client_sim");
	TCase *tc = tcase_create("tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 300 : 60);
	tcase_add_test(tc, server_traces_experiments_outputs);
	tcase_add_test(tc, xy_tree_and_series_through_running);
	tcase_add_test(tc, time_graph_states_arrows_tooltip_styles);
	tcase_add_test(tc, table_columns_and_lines);
	tcase_add_test(tc, data_tree_and_annotations);
	tcase_add_test(tc, running_forever_is_reported_with_partial_model);
	tcase_add_test(tc, upstream_faults_map_to_errors);
	suite_add_tcase(s, tc);
	return s;
}
