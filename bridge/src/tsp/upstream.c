/* Trace servers as values, and the set of them (upstream.h). */
#include "upstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "monotime.h"

int upstream_init(struct upstream *u, const char *name, const char *url,
		  const struct tsp_client_config *tsp, const struct catalog_config *cat)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->mu, NULL);
	u->name = strdup(name);
	u->url = strdup(url);
	u->cat = catalog_new(cat);
	if (!u->name || !u->url || !u->cat) {
		upstream_release(u);
		return -1;
	}
	u->tsp = *tsp;
	u->tsp.base_url = u->url;
	return 0;
}

void upstream_release(struct upstream *u)
{
	size_t i;

	for (i = 0; i < u->n_idle; i++)
		tsp_client_free(u->idle[i]);
	free(u->idle);
	catalog_free(u->cat);
	free(u->name);
	free(u->url);
	pthread_mutex_destroy(&u->mu);
	memset(u, 0, sizeof(*u));
}

struct tsp_client *upstream_client(struct upstream *u)
{
	struct tsp_client *c = NULL;

	pthread_mutex_lock(&u->mu);
	if (u->n_idle)
		c = u->idle[--u->n_idle];
	pthread_mutex_unlock(&u->mu);
	/* A new client opens its own connections: the idle ones keep theirs alive. */
	return c ? c : tsp_client_new(&u->tsp);
}

void upstream_client_put(struct upstream *u, struct tsp_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&u->mu);
	if (u->n_idle == u->cap_idle) {
		size_t cap = u->cap_idle ? u->cap_idle * 2 : 8;
		struct tsp_client **v = realloc(u->idle, cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&u->mu);
			tsp_client_free(c);
			return;
		}
		u->idle = v;
		u->cap_idle = cap;
	}
	u->idle[u->n_idle++] = c;
	pthread_mutex_unlock(&u->mu);
}

struct upstream *upstreams_find(const struct upstreams *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) == len && !memcmp(s->v[i].name, name, len))
			return &s->v[i];
	return NULL;
}

void upstreams_clear(const struct upstreams *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		catalog_clear(s->v[i].cat);
}

/* ---- work spread over the pool ---- */

/* What a piece run on another thread fetched that was not final: the caller's. */
struct counted {
	workpool_fn fn;
	void *arg;
	unsigned long *caller;          /* the caller's counter: its thread's or its fiber's */
	unsigned long moved;
};

static void counted_piece(void *arg, size_t i)
{
	struct counted *c = arg;
	unsigned long *mine = tsp_unsettled_slot(), before = *mine;

	c->fn(c->arg, i);
	if (mine != c->caller)
		__atomic_add_fetch(&c->moved, *mine - before, __ATOMIC_RELAXED);
}

void upstreams_run(const struct upstreams *s, size_t n, workpool_fn fn, void *arg)
{
	struct counted c = { fn, arg, tsp_unsettled_slot(), 0 };

	workpool_run(s->pool, n, counted_piece, &c);
	tsp_unsettled_add(c.moved);
}

/* ---- resolving over every server ---- */

struct server_part {
	struct upstream *u;
	struct cat_matches m;
	struct tsp_error err;
	int rc;
	struct cat_ref *exps;           /* what the server lists: which names are on two servers */
};

struct resolve_ctx {
	const struct upstreams *s;
	struct server_part *parts;
	const struct name_pattern *exp, *out;
	int qualify;
};

static void resolve_part(void *arg, size_t i)
{
	struct resolve_ctx *r = arg;
	struct server_part *p = &r->parts[i];
	struct tsp_client *c = upstream_client(p->u);
	struct tsp_error e;

	tsp_error_clear(&e);
	if (!c) {
		p->rc = tsp_error_set(&p->err, TSP_ERR_NOMEM, 0, "out of memory");
		return;
	}
	p->rc = catalog_resolve(p->u->cat, c, r->qualify ? p->u->name : NULL, r->exp, r->out, &p->m,
				&p->err);
	if (p->rc == 0 && r->qualify && catalog_experiments(p->u->cat, c, &p->exps, &e) < 0)
		p->exps = NULL;
	upstream_client_put(p->u, c);
}

/* Whether another server's list (of those that answered) has an experiment named name. */
static int name_elsewhere(const struct resolve_ctx *r, size_t n, size_t self, const char *name)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct tsp_experiments *ev;

		if (i == self || !r->parts[i].exps)
			continue;
		ev = &cat_ref_model(r->parts[i].exps)->u.experiments;
		for (k = 0; k < ev->n; k++)
			if (ev->items[k].name && !strcmp(ev->items[k].name, name))
				return 1;
	}
	return 0;
}

/* The servers an exact "server:..." pattern names: that one; anything else: all. */
static struct upstream *named_server(const struct upstreams *s, const struct name_pattern *exp)
{
	const char *colon;

	if (s->n < 2 || exp->kind != NAME_PAT_EXACT || !exp->text || !(colon = strchr(exp->text, ':')))
		return NULL;
	return upstreams_find(s, exp->text, (size_t)(colon - exp->text));
}

/* Appends a server's matches to m, labelled, and its notes with the server named. */
static int merge_part(struct resolve_ctx *r, size_t n, size_t i, struct upstream *only,
		      struct cat_matches *m)
{
	struct server_part *p = &r->parts[i];
	char label[1024];
	size_t k;

	for (k = 0; k < p->m.n; k++) {
		struct cat_match x = p->m.items[k];

		x.up = p->u;
		x.exp_label = NULL;
		if (r->qualify && (only || name_elsewhere(r, n, i, x.exp_name))) {
			/* A name too long to qualify keeps its own: still a name of it. */
			if ((size_t)snprintf(label, sizeof(label), "%s:%s", p->u->name, x.exp_name) < sizeof(label))
				x.exp_label = label;
		}
		if (cat_matches_add(m, &x) < 0)
			return -1;
	}
	for (k = 0; k < p->m.n_notes; k++)
		if ((r->qualify ? cat_matches_note(m, "trace server %s: %s", p->u->name, p->m.notes[k]) :
		     cat_matches_note(m, "%s", p->m.notes[k])) < 0)
			return -1;
	return 0;
}

int upstreams_resolve(const struct upstreams *s, const struct name_pattern *exp,
		      const struct name_pattern *out, struct cat_matches *m, struct tsp_error *err)
{
	struct resolve_ctx r;
	struct upstream *only = named_server(s, exp);
	size_t i, n = only ? 1 : s->n, n_failed = 0, first_failed = 0;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.exp = exp;
	r.out = out;
	r.qualify = s->n > 1;
	r.parts = calloc(n, sizeof(*r.parts));
	if (!r.parts)
		return tsp_error_set(err, TSP_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < n; i++) {
		r.parts[i].u = only ? only : &s->v[i];
		cat_matches_init(&r.parts[i].m);
		tsp_error_clear(&r.parts[i].err);
	}
	upstreams_run(s, n, resolve_part, &r);
	for (i = 0; i < n; i++) {
		struct server_part *p = &r.parts[i];

		if (p->rc < 0 && p->err.kind == TSP_ERR_NOMEM) {
			*err = p->err;
			goto out;
		}
		if (p->rc < 0) {
			if (!n_failed++)
				first_failed = i;
			/* Nothing of it can be served: say which server and why. */
			if (cat_matches_note(m, "trace server %s left out: %s", p->u->name, p->err.msg) < 0)
				goto nomem;
			log_warn("trace server %s left out: %s", p->u->name, p->err.msg);
			continue;
		}
		if (merge_part(&r, n, i, only, m) < 0)
			goto nomem;
	}
	if (n_failed == n) {
		*err = r.parts[first_failed].err;
		if (r.qualify)
			tsp_error_prefix(err, "%s", r.parts[first_failed].u->name);
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	tsp_error_set(err, TSP_ERR_NOMEM, 0, "out of memory");
out:
	for (i = 0; i < n; i++) {
		cat_matches_release(&r.parts[i].m);
		cat_ref_put(r.parts[i].exps);
	}
	free(r.parts);
	return ret;
}
