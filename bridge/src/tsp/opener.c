/* Opens the configured traces and makes their experiment at start-up (opener.h). */
#include "opener.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "log.h"
#include "tsp_client.h"
#include "upstream.h"

#define DEFAULT_EXPERIMENT "tsp-bridge"

/* One server's traces and the thread opening them. */
struct opening {
	struct opener *o;
	struct upstream *u;
	const char **paths;
	size_t n_paths;
	pthread_t th;
	int started;
};

struct opener {
	struct bridge *b;
	struct opening *v;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

enum attempt { DONE, RETRY, GIVE_UP };

/* Whether an error is worth another try: the server is not up (yet) or failed. */
static enum attempt after_error(const struct tsp_error *e)
{
	if (e->kind == TSP_ERR_CONNECT || e->kind == TSP_ERR_TIMEOUT || e->kind == TSP_ERR_RUNNING ||
	    (e->kind == TSP_ERR_HTTP && e->http_status >= 500))
		return RETRY;
	return GIVE_UP;
}

static enum attempt attempt(struct opening *op, struct tsp_client *c, const char *name)
{
	const char *server = op->u->name;
	struct tsp_model m;
	struct tsp_error e;
	char **uuids = NULL;
	size_t i, n = 0;
	enum attempt ret = GIVE_UP;

	tsp_model_init(&m);
	tsp_error_clear(&e);
	if (tsp_list_experiments(c, &m, &e) < 0) {
		ret = after_error(&e);
		goto fail;
	}
	for (i = 0; i < m.u.experiments.n; i++)
		if (m.u.experiments.items[i].name && !strcmp(m.u.experiments.items[i].name, name)) {
			log_info("experiment '%s' already exists on trace server %s", name, server);
			ret = DONE;
			goto out;
		}
	uuids = calloc(op->n_paths, sizeof(*uuids));
	if (!uuids) {
		tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < op->n_paths; i++) {
		if (tsp_open_trace(c, op->paths[i], NULL, NULL, &m, &e) < 0) {
			ret = after_error(&e);
			goto fail;
		}
		if (!(uuids[n++] = strdup(m.u.trace.uuid ? m.u.trace.uuid : ""))) {
			tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
			goto fail;
		}
		log_info("opened trace %s (%s) on trace server %s", op->paths[i], uuids[n - 1], server);
	}
	if (tsp_create_experiment(c, name, (const char *const *)uuids, n, &m, &e) < 0) {
		ret = after_error(&e);
		goto fail;
	}
	log_info("created experiment '%s' (%s) of %zu trace(s) on trace server %s", name,
		 m.u.experiment.uuid, n, server);
	/* Let the next lookup see it at once. */
	catalog_clear(op->u->cat);
	ret = DONE;
	goto out;
fail:
	if (ret == RETRY)
		log_debug("opening traces on %s: %s; retrying", server, e.msg);
	else
		log_error("opening traces on %s: %s; giving up", server, e.msg);
out:
	for (i = 0; i < n; i++)
		free(uuids[i]);
	free(uuids);
	tsp_model_release(&m);
	return ret;
}

static void *run(void *arg)
{
	struct opening *op = arg;
	struct opener *o = op->o;
	const char *name = o->b->cfg->experiment ? o->b->cfg->experiment : DEFAULT_EXPERIMENT;
	struct tsp_client *c = tsp_client_new(&op->u->tsp);
	enum attempt a = RETRY;
	int logged = 0;

	if (!c) {
		log_error("opening traces: out of memory");
		return NULL;
	}
	for (;;) {
		struct timespec until;

		a = attempt(op, c, name);
		if (a != RETRY)
			break;
		if (!logged++)
			log_warn("trace server %s not ready; opening traces again every second", op->u->name);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&o->mu);
		while (!o->stop && pthread_cond_timedwait(&o->cv, &o->mu, &until) != ETIMEDOUT)
			;
		if (o->stop) {
			pthread_mutex_unlock(&o->mu);
			break;
		}
		pthread_mutex_unlock(&o->mu);
	}
	tsp_client_free(c);
	return NULL;
}

/* The paths of cfg's --open-trace entries that are for u. */
static int paths_for(const struct bridge_config *cfg, const struct upstream *u, struct opening *op)
{
	size_t i;

	op->paths = calloc(cfg->n_open_traces, sizeof(*op->paths));
	if (!op->paths)
		return -1;
	for (i = 0; i < cfg->n_open_traces; i++) {
		const char *path;
		const struct upstream_cfg *to = open_trace_target(cfg, cfg->open_traces[i], &path);

		if (!to || !strcmp(to->name, u->name))
			op->paths[op->n_paths++] = path;
	}
	return 0;
}

struct opener *opener_start(struct bridge *b)
{
	struct opener *o;
	size_t i;

	if (!b->cfg->n_open_traces)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o || !(o->v = calloc(b->ups.n, sizeof(*o->v)))) {
		free(o);
		log_error("opening traces: out of memory");
		return NULL;
	}
	o->b = b;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	for (i = 0; i < b->ups.n; i++) {
		struct opening *op = &o->v[o->n++];

		op->o = o;
		op->u = &b->ups.v[i];
		if (paths_for(b->cfg, op->u, op) < 0) {
			log_error("opening traces: out of memory");
			continue;
		}
		if (!op->n_paths)
			continue;
		if (pthread_create(&op->th, NULL, run, op) != 0)
			log_error("cannot start the trace opener thread of %s", op->u->name);
		else
			op->started = 1;
	}
	return o;
}

void opener_stop(struct opener *o)
{
	size_t i;

	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = 1;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	for (i = 0; i < o->n; i++) {
		if (o->v[i].started)
			pthread_join(o->v[i].th, NULL);
		free(o->v[i].paths);
	}
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o->v);
	free(o);
}
