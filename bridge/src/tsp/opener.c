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

#define DEFAULT_EXPERIMENT "tsp-bridge"

struct opener {
	struct bridge *b;
	pthread_t th;
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

static enum attempt attempt(struct opener *o, struct tsp_client *c, const char *name)
{
	const struct bridge_config *cfg = o->b->cfg;
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
			log_info("experiment '%s' already exists on the trace server", name);
			ret = DONE;
			goto out;
		}
	uuids = calloc(cfg->n_open_traces, sizeof(*uuids));
	if (!uuids) {
		tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < cfg->n_open_traces; i++) {
		if (tsp_open_trace(c, cfg->open_traces[i], NULL, NULL, &m, &e) < 0) {
			ret = after_error(&e);
			goto fail;
		}
		if (!(uuids[n++] = strdup(m.u.trace.uuid ? m.u.trace.uuid : ""))) {
			tsp_error_set(&e, TSP_ERR_NOMEM, 0, "out of memory");
			goto fail;
		}
		log_info("opened trace %s (%s)", cfg->open_traces[i], uuids[n - 1]);
	}
	if (tsp_create_experiment(c, name, (const char *const *)uuids, n, &m, &e) < 0) {
		ret = after_error(&e);
		goto fail;
	}
	log_info("created experiment '%s' (%s) of %zu trace(s)", name, m.u.experiment.uuid, n);
	/* Let the next lookup see it at once. */
	catalog_clear(o->b->cat);
	ret = DONE;
	goto out;
fail:
	if (ret == RETRY)
		log_debug("opening traces: %s; retrying", e.msg);
	else
		log_error("opening traces: %s; giving up", e.msg);
out:
	for (i = 0; i < n; i++)
		free(uuids[i]);
	free(uuids);
	tsp_model_release(&m);
	return ret;
}

static void *run(void *arg)
{
	struct opener *o = arg;
	const char *name = o->b->cfg->experiment ? o->b->cfg->experiment : DEFAULT_EXPERIMENT;
	struct tsp_client *c = tsp_client_new(&o->b->tsp);
	enum attempt a = RETRY;
	int logged = 0;

	if (!c) {
		log_error("opening traces: out of memory");
		return NULL;
	}
	for (;;) {
		struct timespec until;

		a = attempt(o, c, name);
		if (a != RETRY)
			break;
		if (!logged++)
			log_warn("trace server not ready; opening traces again every second");
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

struct opener *opener_start(struct bridge *b)
{
	struct opener *o;

	if (!b->cfg->n_open_traces)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->b = b;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	if (pthread_create(&o->th, NULL, run, o) != 0) {
		log_error("cannot start the trace opener thread");
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->cv);
		free(o);
		return NULL;
	}
	return o;
}

void opener_stop(struct opener *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->th, NULL);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o);
}
