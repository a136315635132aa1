/* Experiments, outputs and trees of the trace server, cached briefly (catalog.h). */
#include "catalog.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "log.h"
#include "lru.h"
#include "monotime.h"

struct cat_ref {
	int refs;                       /* guarded by the catalog's lock */
	pthread_mutex_t *lock;          /* the catalog's, to drop a reference */
	struct tsp_model model;
};

/* One cached answer: key -> reference, expiry. Listed in insertion order: the oldest goes first. */
struct cat_slot {
	struct lru_node node;           /* bytes: what it holds, against cfg.max_bytes */
	char *key;
	struct cat_ref *ref;
	int64_t expires_ms;
	int refreshing;                 /* expired, and one caller is fetching it anew */
};

/*
 * An expired answer is still served, for this long past its expiry, while
 * the one caller that found it expired fetches it anew: the others do not
 * all wait for (and ask) the trace server at the same instant.
 */
#define STALE_MS 30000

struct catalog {
	pthread_mutex_t lock;
	struct catalog_config cfg;
	struct lru index;
	uint64_t evictions, too_big;
};

struct catalog *catalog_new(const struct catalog_config *cfg)
{
	struct catalog *cat = calloc(1, sizeof(*cat));

	if (!cat)
		return NULL;
	if (cfg)
		cat->cfg = *cfg;
	if (cat->cfg.list_ttl_ms <= 0)
		cat->cfg.list_ttl_ms = 2000;
	if (cat->cfg.tree_ttl_ms <= 0)
		cat->cfg.tree_ttl_ms = 30000;
	if (cat->cfg.max_trees == 0)
		cat->cfg.max_trees = 256;
	if (cat->cfg.max_bytes == 0)
		cat->cfg.max_bytes = (size_t)32 << 20;
	if (lru_init(&cat->index, 64) < 0) {
		free(cat);
		return NULL;
	}
	pthread_mutex_init(&cat->lock, NULL);
	return cat;
}

/* Drops one reference; the caller holds the lock. */
static void ref_put_locked(struct cat_ref *r)
{
	if (r && --r->refs == 0) {
		tsp_model_release(&r->model);
		free(r);
	}
}

/* Frees a slot. Locked. */
static void slot_drop(struct catalog *cat, struct cat_slot *s)
{
	lru_remove(&cat->index, &s->node);
	ref_put_locked(s->ref);
	free(s->key);
	free(s);
}

static struct cat_slot *slot_find(struct catalog *cat, const char *key)
{
	size_t n = strlen(key);
	struct lru_node *node = lru_find(&cat->index, key, n, hash_fnv1a64(key, n));

	return node ? lru_entry(node, struct cat_slot, node) : NULL;
}

static struct cat_slot *slot_oldest(struct catalog *cat)
{
	return lru_entry(cat->index.oldest, struct cat_slot, node);
}

void catalog_clear(struct catalog *cat)
{
	pthread_mutex_lock(&cat->lock);
	while (cat->index.oldest)
		slot_drop(cat, slot_oldest(cat));
	pthread_mutex_unlock(&cat->lock);
}

void catalog_get_stats(struct catalog *cat, struct catalog_stats *st)
{
	pthread_mutex_lock(&cat->lock);
	st->entries = cat->index.entries;
	st->bytes = cat->index.bytes;
	st->max_bytes = cat->cfg.max_bytes;
	st->evictions = cat->evictions;
	st->too_big = cat->too_big;
	pthread_mutex_unlock(&cat->lock);
}

void catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	catalog_clear(cat);
	lru_release(&cat->index);
	pthread_mutex_destroy(&cat->lock);
	free(cat);
}

const struct tsp_model *cat_ref_model(const struct cat_ref *r)
{
	return &r->model;
}

void cat_ref_put(struct cat_ref *r)
{
	pthread_mutex_t *lock;

	if (!r)
		return;
	lock = r->lock;
	pthread_mutex_lock(lock);
	ref_put_locked(r);
	pthread_mutex_unlock(lock);
}

/*
 * A cached reference for key (one more reference taken), or NULL: a miss,
 * or an expired answer that this caller is to fetch anew (*refresh set;
 * others get the expired one meanwhile). Locked.
 */
static struct cat_ref *lookup_locked(struct catalog *cat, const char *key, int64_t now, int *refresh)
{
	struct cat_slot *s = slot_find(cat, key);

	*refresh = 0;
	if (!s)
		return NULL;
	if (s->expires_ms <= now) {
		if (s->expires_ms + STALE_MS <= now) {
			slot_drop(cat, s);
			return NULL;
		}
		if (!s->refreshing) {
			s->refreshing = 1;
			*refresh = 1;
			return NULL;
		}
	}
	s->ref->refs++;
	return s->ref;
}

/* A refresh of key that failed: the next caller tries again. Locked. */
static void refresh_failed_locked(struct catalog *cat, const char *key)
{
	struct cat_slot *s = slot_find(cat, key);

	if (s)
		s->refreshing = 0;
}

/* Drops the slot of key, if any. Locked. */
static void drop_locked(struct catalog *cat, const char *key)
{
	struct cat_slot *s = slot_find(cat, key);

	if (s)
		slot_drop(cat, s);
}

/* Caches r under key for ttl (the cache takes its own reference). Errors only lose the caching. */
static void insert(struct catalog *cat, const char *key, struct cat_ref *r, long ttl_ms)
{
	struct cat_slot *s;
	size_t bytes = arena_bytes(&r->model.arena) + strlen(key) + 1 + sizeof(*s) + sizeof(*r);

	pthread_mutex_lock(&cat->lock);
	drop_locked(cat, key);
	if (bytes > cat->cfg.max_bytes) {
		/* Used by its callers, never kept: it alone would overrun the budget. */
		cat->too_big++;
		pthread_mutex_unlock(&cat->lock);
		return;
	}
	while (cat->index.oldest && (cat->index.entries >= cat->cfg.max_trees ||
				     cat->index.bytes + bytes > cat->cfg.max_bytes)) {
		slot_drop(cat, slot_oldest(cat));
		cat->evictions++;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->key = strdup(key);
	if (!s || !s->key) {
		free(s);
		pthread_mutex_unlock(&cat->lock);
		return;
	}
	s->ref = r;
	s->expires_ms = mono_now_ms() + ttl_ms;
	lru_node_key(&s->node, s->key, strlen(s->key));
	lru_list(&cat->index, &s->node, bytes);
	r->refs++;
	pthread_mutex_unlock(&cat->lock);
}

static struct cat_ref *ref_new(struct catalog *cat)
{
	struct cat_ref *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->refs = 1;
	r->lock = &cat->lock;
	tsp_model_init(&r->model);
	return r;
}

enum fetch_kind { F_EXPERIMENTS, F_OUTPUTS, F_TREE };

/*
 * The cached answer for key, or a fresh one fetched outside the lock.
 * Two threads missing together both fetch; the later insert wins, which is
 * harmless for answers this small. An expired answer is fetched anew by
 * one caller while the others are served the expired one.
 */
static int get(struct catalog *cat, struct tsp_client *c, const char *key, enum fetch_kind kind,
	       const char *exp, const char *output, enum tsp_output_type type,
	       const struct tsp_query *q, struct cat_ref **out, struct tsp_error *err)
{
	struct cat_ref *r;
	int rc, refresh;

	*out = NULL;
	pthread_mutex_lock(&cat->lock);
	r = lookup_locked(cat, key, mono_now_ms(), &refresh);
	pthread_mutex_unlock(&cat->lock);
	if (r) {
		*out = r;
		return 0;
	}
	r = ref_new(cat);
	if (!r) {
		pthread_mutex_lock(&cat->lock);
		if (refresh)
			refresh_failed_locked(cat, key);
		pthread_mutex_unlock(&cat->lock);
		return tsp_error_set(err, TSP_ERR_NOMEM, 0, "out of memory");
	}
	switch (kind) {
	case F_EXPERIMENTS:
		rc = tsp_list_experiments(c, &r->model, err);
		break;
	case F_OUTPUTS:
		rc = tsp_list_outputs(c, exp, &r->model, err);
		break;
	default:
		rc = type == TSP_OUTPUT_TREE_TIME_XY ? tsp_xy_tree(c, exp, output, q, &r->model, err) :
		     type == TSP_OUTPUT_TIME_GRAPH ? tsp_tg_tree(c, exp, output, q, &r->model, err) :
		     type == TSP_OUTPUT_TREE_GENERIC_XY ?
		     tsp_generic_xy_tree(c, exp, output, q, &r->model, err) :
		     tsp_data_tree(c, exp, output, q, &r->model, err);
		/* Still running at the deadline: the partial tree serves this call only. */
		if (rc < 0 && err->kind == TSP_ERR_RUNNING) {
			pthread_mutex_lock(&cat->lock);
			if (refresh)
				refresh_failed_locked(cat, key);
			pthread_mutex_unlock(&cat->lock);
			*out = r;
			return 0;
		}
		break;
	}
	if (rc < 0) {
		cat_ref_put(r);
		pthread_mutex_lock(&cat->lock);
		if (refresh)
			refresh_failed_locked(cat, key);
		/* The experiment is gone: so is our list of experiments. */
		if (kind == F_OUTPUTS && err->http_status == 404)
			drop_locked(cat, "experiments");
		pthread_mutex_unlock(&cat->lock);
		return -1;
	}
	/* Said once per fetch, not per request: lists live list_ttl_ms. */
	if (kind == F_EXPERIMENTS && r->model.u.experiments.n_skipped)
		log_warn("trace server: %zu malformed experiment(s) left out of the list: %s",
			 r->model.u.experiments.n_skipped, r->model.u.experiments.skipped);
	else if (kind == F_OUTPUTS && r->model.u.outputs.n_skipped)
		log_warn("trace server: %zu malformed output(s) of experiment %s left out: %s",
			 r->model.u.outputs.n_skipped, exp, r->model.u.outputs.skipped);
	insert(cat, key, r, kind == F_TREE ? cat->cfg.tree_ttl_ms : cat->cfg.list_ttl_ms);
	*out = r;
	return 0;
}

int catalog_experiments(struct catalog *cat, struct tsp_client *c, struct cat_ref **out,
			struct tsp_error *err)
{
	return get(cat, c, "experiments", F_EXPERIMENTS, NULL, NULL, TSP_OUTPUT_UNKNOWN, NULL, out, err);
}

int catalog_outputs(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		    struct cat_ref **out, struct tsp_error *err)
{
	char key[512];

	snprintf(key, sizeof(key), "outputs\n%s", exp_uuid);
	return get(cat, c, key, F_OUTPUTS, exp_uuid, NULL, TSP_OUTPUT_UNKNOWN, NULL, out, err);
}

int catalog_tree(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		 const char *output_id, enum tsp_output_type type,
		 struct cat_ref **out, struct tsp_error *err)
{
	return catalog_tree_param(cat, c, exp_uuid, output_id, type, NULL, 0, out, err);
}

int catalog_tree_param(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		       const char *output_id, enum tsp_output_type type, const char *param_key,
		       int64_t param_value, struct cat_ref **out, struct tsp_error *err)
{
	struct tsp_query q;

	memset(&q, 0, sizeof(q));
	q.param_key = param_key;
	q.param_value = param_value;
	return catalog_tree_query(cat, c, exp_uuid, output_id, type, &q, out, err);
}

int catalog_tree_query(struct catalog *cat, struct tsp_client *c, const char *exp_uuid,
		       const char *output_id, enum tsp_output_type type, const struct tsp_query *q,
		       struct cat_ref **out, struct tsp_error *err)
{
	char key[1024];
	int n;

	*out = NULL;
	if (type != TSP_OUTPUT_TREE_TIME_XY && type != TSP_OUTPUT_TIME_GRAPH &&
	    type != TSP_OUTPUT_DATA_TREE && type != TSP_OUTPUT_TREE_GENERIC_XY)
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "output %s has no tree (type %s)",
				     output_id, tsp_output_type_name(type));
	/* The parameter is part of the key: each thread's critical path is a tree of its own. */
	n = q && q->param_key ? snprintf(key, sizeof(key), "tree\n%s\n%s\n%s=%" PRId64, exp_uuid, output_id,
					 q->param_key, q->param_value) :
				snprintf(key, sizeof(key), "tree\n%s\n%s", exp_uuid, output_id);
	if (n < 0 || (size_t)n >= sizeof(key))
		return tsp_error_set(err, TSP_ERR_INVALID, 0, "output id too long: %.80s...", output_id);
	return get(cat, c, key, F_TREE, exp_uuid, output_id, type,
		   q && (q->param_key || q->has_range) ? q : NULL, out, err);
}

void cat_matches_init(struct cat_matches *m)
{
	memset(m, 0, sizeof(*m));
	arena_init(&m->arena);
}

void cat_matches_release(struct cat_matches *m)
{
	free(m->items);
	arena_release(&m->arena);
	cat_matches_init(m);
}

static int grow(struct cat_matches *m)
{
	size_t nc;
	struct cat_match *v;

	if (m->n < m->cap)
		return 0;
	nc = m->cap ? m->cap * 2 : 16;
	v = realloc(m->items, nc * sizeof(*v));
	if (!v)
		return -1;
	m->items = v;
	m->cap = nc;
	return 0;
}

int cat_matches_add(struct cat_matches *m, const struct cat_match *c)
{
	struct cat_match *x;

	if (grow(m) < 0)
		return -1;
	x = &m->items[m->n];
	*x = *c;
	x->exp_uuid = arena_strdup(&m->arena, c->exp_uuid ? c->exp_uuid : "");
	x->exp_name = arena_strdup(&m->arena, c->exp_name ? c->exp_name : "");
	x->exp_label = c->exp_label ? arena_strdup(&m->arena, c->exp_label) : x->exp_name;
	if (c->output_id) {
		x->output_id = arena_strdup(&m->arena, c->output_id);
		x->output_name = arena_strdup(&m->arena, c->output_name ? c->output_name : "");
		if (!x->output_id || !x->output_name)
			return -1;
	}
	if (!x->exp_uuid || !x->exp_name || !x->exp_label)
		return -1;
	m->n++;
	return 0;
}

static int add_match(struct cat_matches *m, const struct tsp_experiment *e, const struct tsp_output *o)
{
	struct cat_match x;

	memset(&x, 0, sizeof(x));
	x.exp_uuid = e->uuid;
	x.exp_name = e->name;
	x.exp_start = e->start;
	x.exp_end = e->end;
	if (o) {
		x.output_id = o->id ? o->id : "";
		x.output_name = o->name;
		x.type = o->type;
	}
	return cat_matches_add(m, &x);
}

/* Whether an experiment matches: by name or UUID, or qualified by its server. */
static int exp_match(const struct name_pattern *p, const char *server, const struct tsp_experiment *e)
{
	char name[1024], uuid[256];

	if (name_pattern_match(p, e->name, e->uuid))
		return 1;
	if (!server)
		return 0;
	/* A name too long for the buffer is matched unqualified only, never cut. */
	if ((size_t)snprintf(name, sizeof(name), "%s:%s", server, e->name ? e->name : "") >= sizeof(name) ||
	    (size_t)snprintf(uuid, sizeof(uuid), "%s:%s", server, e->uuid ? e->uuid : "") >= sizeof(uuid))
		return 0;
	return name_pattern_match(p, name, uuid);
}

int cat_matches_note(struct cat_matches *m, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	if (m->n_notes == CAT_MAX_NOTES)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->notes[m->n_notes] = arena_strdup(&m->arena, buf);
	if (!m->notes[m->n_notes])
		return -1;
	m->n_notes++;
	return 0;
}

int catalog_resolve(struct catalog *cat, struct tsp_client *c, const char *server,
		    const struct name_pattern *exp, const struct name_pattern *out, struct cat_matches *m,
		    struct tsp_error *err)
{
	struct cat_ref *exps = NULL, *outs = NULL;
	const struct tsp_experiments *ev;
	struct tsp_error oe;
	size_t i, k, n_failed = 0;
	int ret = -1;

	tsp_error_clear(&oe);
	if (catalog_experiments(cat, c, &exps, err) < 0)
		goto out;
	ev = &cat_ref_model(exps)->u.experiments;
	if (ev->n_skipped && cat_matches_note(m, "the trace server listed %zu malformed experiment(s), "
				      "left out: %s", ev->n_skipped, ev->skipped) < 0)
		goto nomem;
	for (i = 0; i < ev->n; i++) {
		const struct tsp_experiment *e = &ev->items[i];
		const struct tsp_outputs *ov;

		if (!exp_match(exp, server, e))
			continue;
		if (!out) {
			if (add_match(m, e, NULL) < 0)
				goto nomem;
			continue;
		}
		if (catalog_outputs(cat, c, e->uuid, &outs, &oe) < 0) {
			if (oe.kind == TSP_ERR_NOMEM)
				goto nomem;
			/* The first failure is the one reported if nothing else answers. */
			if (!n_failed++)
				*err = oe;
			if (cat_matches_note(m, "experiment %s left out: its outputs could not be read (%s)",
				     e->name, oe.msg) < 0)
				goto nomem;
			tsp_error_clear(&oe);
			continue;
		}
		ov = &cat_ref_model(outs)->u.outputs;
		if (ov->n_skipped && cat_matches_note(m, "experiment %s: %zu malformed output(s) left out: %s",
					      e->name, ov->n_skipped, ov->skipped) < 0)
			goto nomem;
		for (k = 0; k < ov->n; k++)
			if (name_pattern_match(out, ov->items[k].name, ov->items[k].id) &&
			    add_match(m, e, &ov->items[k]) < 0)
				goto nomem;
		cat_ref_put(outs);
		outs = NULL;
	}
	/* Nothing answered but something failed: that failure is the answer. */
	if (n_failed && !m->n)
		goto out;
	if (n_failed)
		tsp_error_clear(err);
	ret = 0;
	goto out;
nomem:
	tsp_error_set(err, TSP_ERR_NOMEM, 0, "out of memory");
out:
	cat_ref_put(outs);
	cat_ref_put(exps);
	return ret;
}
