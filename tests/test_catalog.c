/* The catalog against tspsim: resolution by pattern, caching, RUNNING trees, threads. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "gf_target.h"
#include "harness.h"

struct cat_env {
	struct proc sim;
	struct tsp_client_config cfg;
	char url[128];
	struct tsp_client *c;
	struct catalog *cat;
};

static void cenv_start(struct cat_env *e, const char *polls, long deadline_ms, long tree_ttl_ms)
{
	struct catalog_config cc = { 0 };

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(start_tspsim(&e->sim, "--quiet", "--running-polls", polls, NULL), 0);
	snprintf(e->url, sizeof(e->url), "http://127.0.0.1:%d/tsp/api", e->sim.port);
	tsp_client_config_defaults(&e->cfg);
	e->cfg.base_url = e->url;
	e->cfg.poll_deadline_ms = deadline_ms;
	e->c = tsp_client_new(&e->cfg);
	ck_assert_ptr_nonnull(e->c);
	cc.tree_ttl_ms = tree_ttl_ms;
	e->cat = catalog_new(&cc);
	ck_assert_ptr_nonnull(e->cat);
}

static void cenv_stop(struct cat_env *e)
{
	catalog_free(e->cat);
	tsp_client_free(e->c);
	ck_assert_int_eq(proc_stop(&e->sim), 0);
}

static void pat(struct gf_target *t, const char *target)
{
	char err[256];

	gf_target_init(t);
	ck_assert_msg(gf_target_parse(t, target, NULL, err, sizeof(err)) == 0, "%s", err);
}

static size_t resolve(struct cat_env *e, const char *target, struct cat_matches *m)
{
	struct gf_target t;
	struct tsp_error err;

	pat(&t, target);
	tsp_error_clear(&err);
	cat_matches_release(m);
	ck_assert_msg(catalog_resolve(e->cat, e->c, NULL, &t.experiment, &t.output, m, &err) == 0, "%s", err.msg);
	gf_target_release(&t);
	return m->n;
}

static void set_fault(struct cat_env *e, const char *json)
{
	struct strbuf out = STRBUF_INIT;
	long st;

	ck_assert_int_eq(http_post(e->sim.port, "/_sim/faults", json, &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
}

START_TEST(resolve_by_name_pattern_and_uuid)
{
	struct cat_env e;
	struct cat_matches m;
	struct tsp_model mod;
	struct tsp_error err;
	const char *ids[1];
	char target[256], uuid[64];

	cenv_start(&e, "0", 2000, 0);
	cat_matches_init(&m);
	ck_assert_uint_eq(resolve(&e, "kernel/CPU Usage", &m), 1);
	ck_assert_str_eq(m.items[0].exp_name, "kernel");
	ck_assert_int_eq(m.items[0].type, TSP_OUTPUT_TREE_TIME_XY);
	ck_assert(m.items[0].exp_start > 0 && m.items[0].exp_end > m.items[0].exp_start);
	snprintf(uuid, sizeof(uuid), "%s", m.items[0].exp_uuid);
	ck_assert_uint_eq(resolve(&e, "kernel/*", &m), 13);     /* tspsim's 5 + 8 kernel analyses */
	ck_assert_uint_eq(resolve(&e, "kernel/~^(CPU|Thread)", &m), 2);
	snprintf(target, sizeof(target), "%s/%s", uuid,
		 "org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider");
	ck_assert_uint_eq(resolve(&e, target, &m), 1);
	ck_assert_str_eq(m.items[0].output_name, "CPU Usage");
	ck_assert_uint_eq(resolve(&e, "nosuch/*", &m), 0);
	ck_assert_uint_eq(resolve(&e, "kernel/No Such", &m), 0);

	/* A second experiment shows up once the list's TTL has passed. */
	tsp_model_init(&mod);
	tsp_error_clear(&err);
	ck_assert_msg(tsp_open_trace(e.c, "/data/web-01", "web-01", NULL, &mod, &err) == 0, "%s", err.msg);
	snprintf(uuid, sizeof(uuid), "%s", mod.u.trace.uuid);
	ids[0] = uuid;
	ck_assert_msg(tsp_create_experiment(e.c, "web", ids, 1, &mod, &err) == 0, "%s", err.msg);
	tsp_model_release(&mod);
	catalog_clear(e.cat);
	ck_assert_uint_eq(resolve(&e, "*/CPU Usage", &m), 2);
	ck_assert_uint_eq(resolve(&e, "w*/CPU Usage", &m), 1);
	ck_assert_str_eq(m.items[0].exp_name, "web");
	cat_matches_release(&m);
	cenv_stop(&e);
}
END_TEST

START_TEST(cached_until_cleared_refs_outlive_the_cache)
{
	struct cat_env e;
	struct cat_matches m;
	struct cat_ref *tree = NULL, *again = NULL;
	struct tsp_error err;
	char uuid[64], out_id[160];

	cenv_start(&e, "0", 2000, 0);
	cat_matches_init(&m);
	ck_assert_uint_eq(resolve(&e, "kernel/Thread Status", &m), 1);
	snprintf(uuid, sizeof(uuid), "%s", m.items[0].exp_uuid);
	snprintf(out_id, sizeof(out_id), "%s", m.items[0].output_id);
	tsp_error_clear(&err);
	ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TIME_GRAPH, &tree, &err), 0);
	ck_assert_uint_ge(cat_ref_model(tree)->u.tree.n_entries, 24);

	/* The trace server now fails: what is cached still answers. */
	set_fault(&e, "{\"http_500\":true}");
	ck_assert_uint_eq(resolve(&e, "kernel/Thread Status", &m), 1);
	ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TIME_GRAPH, &again, &err), 0);
	ck_assert_ptr_eq(cat_ref_model(again), cat_ref_model(tree));   /* the same cached model */
	cat_ref_put(again);

	/* Cleared: the next call asks and fails; the reference held stays valid. */
	catalog_clear(e.cat);
	ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TIME_GRAPH, &again, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_HTTP);
	ck_assert_int_eq(err.http_status, 500);
	ck_assert_ptr_null(again);
	ck_assert_uint_ge(cat_ref_model(tree)->u.tree.n_entries, 24);
	cat_ref_put(tree);

	ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TABLE, &again, &err), -1);
	ck_assert_int_eq(err.kind, TSP_ERR_INVALID);
	set_fault(&e, "{\"http_500\":false}");
	cat_matches_release(&m);
	cenv_stop(&e);
}
END_TEST

START_TEST(running_trees_are_not_cached)
{
	struct cat_env e;
	struct cat_matches m;
	struct cat_ref *tree = NULL;
	struct tsp_error err;
	char uuid[64], out_id[160];
	int completed = 0, i;

	/* Five RUNNING answers; a 1 ms deadline sees only RUNNING at first. */
	cenv_start(&e, "5", 1, 0);
	cat_matches_init(&m);
	ck_assert_uint_eq(resolve(&e, "kernel/CPU Usage", &m), 1);
	snprintf(uuid, sizeof(uuid), "%s", m.items[0].exp_uuid);
	snprintf(out_id, sizeof(out_id), "%s", m.items[0].output_id);
	tsp_error_clear(&err);
	ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TREE_TIME_XY, &tree, &err), 0);
	ck_assert_int_eq(cat_ref_model(tree)->status, TSP_STATUS_RUNNING);
	cat_ref_put(tree);
	/* Each call asks again (nothing cached) until the analysis completes. */
	for (i = 0; i < 20 && !completed; i++) {
		ck_assert_int_eq(catalog_tree(e.cat, e.c, uuid, out_id, TSP_OUTPUT_TREE_TIME_XY, &tree, &err), 0);
		completed = cat_ref_model(tree)->status == TSP_STATUS_COMPLETED;
		cat_ref_put(tree);
	}
	ck_assert_msg(completed, "never completed: RUNNING was cached");
	ck_assert_int_le(i, 6);
	cat_matches_release(&m);
	cenv_stop(&e);
}
END_TEST

struct worker {
	struct cat_env *e;
	int ok;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct tsp_client *c = tsp_client_new(&w->e->cfg);
	struct cat_matches m;
	struct gf_target t;
	char err[128];
	int i;

	cat_matches_init(&m);
	gf_target_init(&t);
	if (!c || gf_target_parse(&t, "kernel/*", NULL, err, sizeof(err)) < 0)
		goto out;
	for (i = 0; i < 40; i++) {
		struct tsp_error e;
		size_t k;

		tsp_error_clear(&e);
		cat_matches_release(&m);
		if (catalog_resolve(w->e->cat, c, NULL, &t.experiment, &t.output, &m, &e) < 0 || m.n != 13)
			goto out;
		for (k = 0; k < m.n; k++) {
			struct cat_ref *r = NULL;

			/* Tables have no tree; the Critical Path's is empty without a "tid". */
			if (m.items[k].type == TSP_OUTPUT_TABLE || !strcmp(m.items[k].output_name, "Critical Path"))
				continue;
			if (catalog_tree(w->e->cat, c, m.items[k].exp_uuid, m.items[k].output_id,
					 m.items[k].type, &r, &e) < 0)
				goto out;
			if (!cat_ref_model(r)->u.tree.n_entries) {
				cat_ref_put(r);
				goto out;
			}
			cat_ref_put(r);
		}
		if (i % 10 == 0)
			catalog_clear(w->e->cat);       /* races with the other threads' lookups */
	}
	w->ok = 1;
out:
	cat_matches_release(&m);
	gf_target_release(&t);
	tsp_client_free(c);
	return NULL;
}

/* An expired list: one caller fetches it anew, the others get the expired one meanwhile. */
struct refresher {
	struct cat_env *e;
	struct tsp_client *c;
	struct cat_ref *got;
	int done;
};

static void *refresh_main(void *arg)
{
	struct refresher *r = arg;
	struct tsp_error err;

	ck_assert_int_eq(catalog_experiments(r->e->cat, r->c, &r->got, &err), 0);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(expired_lists_served_while_one_caller_refreshes)
{
	struct catalog_config cc = { 0 };
	struct cat_env e;
	struct refresher r = { 0 };
	struct cat_ref *first, *during, *after;
	struct tsp_error err;
	pthread_t th;

	cenv_start(&e, "0", 2000, 0);
	catalog_free(e.cat);
	cc.list_ttl_ms = 50;
	e.cat = catalog_new(&cc);
	ck_assert_int_eq(catalog_experiments(e.cat, e.c, &first, &err), 0);
	usleep(120000);                         /* expired */
	set_fault(&e, under_valgrind() ? "{\"latency_ms\":8000}" : "{\"latency_ms\":1500}");
	r.e = &e;
	r.c = tsp_client_new(&e.cfg);
	ck_assert_ptr_nonnull(r.c);
	ck_assert_int_eq(pthread_create(&th, NULL, refresh_main, &r), 0);
	usleep(under_valgrind() ? 1500000 : 300000);
	/* The refresher is waiting on the slow server; this caller is not. */
	ck_assert_int_eq(catalog_experiments(e.cat, e.c, &during, &err), 0);
	ck_assert_msg(!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE), "the second caller waited for the refresh");
	ck_assert_ptr_eq(during, first);
	pthread_join(th, NULL);
	ck_assert_ptr_ne(r.got, first);
	/* The refreshed list replaced the expired one. */
	ck_assert_int_eq(catalog_experiments(e.cat, e.c, &after, &err), 0);
	ck_assert_ptr_eq(after, r.got);
	set_fault(&e, "{\"latency_ms\":0}");
	cat_ref_put(first);
	cat_ref_put(during);
	cat_ref_put(after);
	cat_ref_put(r.got);
	tsp_client_free(r.c);
	cenv_stop(&e);
}
END_TEST

START_TEST(threads_share_one_catalog)
{
	struct cat_env e;
	struct worker w[4];
	pthread_t th[4];
	int i;

	cenv_start(&e, "0", 2000, 50);
	for (i = 0; i < 4; i++) {
		w[i].e = &e;
		w[i].ok = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(w[i].ok, "worker %d failed", i);
	}
	cenv_stop(&e);
}
END_TEST

Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, resolve_by_name_pattern_and_uuid);
	tcase_add_test(tc, cached_until_cleared_refs_outlive_the_cache);
	tcase_add_test(tc, running_trees_are_not_cached);
	tcase_add_test(tc, threads_share_one_catalog);
	tcase_add_test(tc, expired_lists_served_while_one_caller_refreshes);
	suite_add_tcase(s, tc);
	return s;
}
