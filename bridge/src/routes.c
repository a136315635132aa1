/* The route table and the bridge's own endpoints (/, /health). */
#include "bridge.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "grafana_api.h"
#include "jsonw.h"
#include "monotime.h"
#include "timeline_api.h"
#include "tsp_model.h"

int bridge_init(struct bridge *b, const struct bridge_config *cfg)
{
	struct catalog_config cat_cfg = { 0 };
	struct tsp_client_config tsp;
	size_t i, cat_bytes;

	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	tsp_client_config_defaults(&tsp);
	tsp.connect_timeout_ms = cfg->connect_timeout_ms;
	tsp.timeout_ms = cfg->upstream_timeout_ms;
	tsp.poll_deadline_ms = cfg->poll_deadline_ms;
	tsp.max_response_bytes = cfg->max_upstream_bytes;
	b->started = mono_now();
	if (cfg->cache_bytes) {
		/* --cache-mb is shared: 5/8 upstream answers, 1/4 finished ones, 1/8 the catalogs. */
		long resp_ttl = RESP_TTL_MS;

		if (cfg->cache_ttl_s > 0 && cfg->cache_ttl_s * 1000 < resp_ttl)
			resp_ttl = cfg->cache_ttl_s * 1000;
		b->cache = tsp_cache_new(cfg->cache_bytes - cfg->cache_bytes / 4 - cfg->cache_bytes / 8,
					 cfg->cache_ttl_s * 1000);
		b->responses = resp_cache_new(cfg->cache_bytes / 4, resp_ttl);
		if (!b->cache || !b->responses)
			goto fail;
		/* One cache for all: its keys hold the server's URL. */
		tsp.cache = b->cache;
	}
	/* Names need the lists for a moment even with no cache: a small floor per server. */
	cat_bytes = cfg->cache_bytes / 8 / (cfg->n_upstreams ? cfg->n_upstreams : 1);
	cat_cfg.max_bytes = cat_bytes > CATALOG_MIN_BYTES ? cat_bytes : CATALOG_MIN_BYTES;
	b->ups.v = calloc(cfg->n_upstreams ? cfg->n_upstreams : 1, sizeof(*b->ups.v));
	if (!b->ups.v)
		goto fail;
	for (i = 0; i < cfg->n_upstreams; i++) {
		if (upstream_init(&b->ups.v[i], cfg->upstreams[i].name, cfg->upstreams[i].url, &tsp,
				  &cat_cfg) < 0)
			goto fail;
		b->ups.n++;
	}
	if (cfg->threads_fetch > 0 &&
	    !(b->ups.pool = cfg->fetch_loops > 0 ?
			    workpool_new_loops(cfg->fetch_loops, cfg->threads_fetch) :
			    workpool_new(cfg->threads_fetch)))
		goto fail;
	return 0;
fail:
	bridge_release(b);
	return -1;
}

unsigned long bridge_settled(void *app)
{
	(void)app;
	return tsp_unsettled_thread();
}

void bridge_release(struct bridge *b)
{
	size_t i;

	workpool_free(b->ups.pool);
	for (i = 0; i < b->ups.n; i++)
		upstream_release(&b->ups.v[i]);
	free(b->ups.v);
	memset(&b->ups, 0, sizeof(b->ups));
	/* After the catalogs: their cached trees may be views of cache entries. */
	tsp_cache_free(b->cache);
	b->cache = NULL;
	resp_cache_free(b->responses);
	b->responses = NULL;
}

struct counter {
	const char *name;
	uint64_t value;
};

/* "name": {counter: value, ...} up to the entry with a NULL name. */
static void write_counters(struct jsonw *w, const char *name, const struct counter *c)
{
	jsonw_key(w, name);
	jsonw_obj_begin(w);
	for (; c->name; c++)
		jsonw_kint64(w, c->name, (int64_t)c->value);
	jsonw_obj_end(w);
}

static void write_bridge_info(struct jsonw *w, const struct bridge *b)
{
	jsonw_key(w, "bridge");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", "tsp-bridge");
	jsonw_kstr(w, "version", TSPB_VERSION);
	jsonw_kint64(w, "uptime_s", (int64_t)(mono_elapsed_ms(&b->started) / 1000));
	if (b->cache) {
		struct tsp_cache_stats st;

		tsp_cache_get_stats(b->cache, &st);
		write_counters(w, "cache", (const struct counter[]){
			{ "entries", st.entries }, { "bytes", st.bytes }, { "max_bytes", st.max_bytes },
			{ "hits", st.hits }, { "misses", st.misses }, { "coalesced", st.coalesced },
			{ "stores", st.stores }, { "evictions", st.evictions }, { "too_big", st.too_big },
			{ NULL, 0 } });
	}
	{
		struct catalog_stats cs = { 0 }, one;
		size_t i;

		/* The servers' catalogs as one: the memory they hold together. */
		for (i = 0; i < b->ups.n; i++) {
			catalog_get_stats(b->ups.v[i].cat, &one);
			cs.entries += one.entries;
			cs.bytes += one.bytes;
			cs.max_bytes += one.max_bytes;
			cs.evictions += one.evictions;
			cs.too_big += one.too_big;
		}
		write_counters(w, "catalog", (const struct counter[]){
			{ "entries", cs.entries }, { "bytes", cs.bytes }, { "max_bytes", cs.max_bytes },
			{ "evictions", cs.evictions }, { "too_big", cs.too_big }, { NULL, 0 } });
	}
	if (b->responses) {
		struct resp_cache_stats rs;

		resp_cache_get_stats(b->responses, &rs);
		write_counters(w, "responses", (const struct counter[]){
			{ "entries", rs.entries }, { "bytes", rs.bytes }, { "max_bytes", rs.max_bytes },
			{ "hits", rs.hits }, { "misses", rs.misses }, { "stores", rs.stores },
			{ "evictions", rs.evictions }, { NULL, 0 } });
	}
	jsonw_obj_end(w);
}

/* GET /: Grafana's SimpleJSON "Test connection" only needs a 200. */
static void handle_root(const struct http_request *req, struct http_response *res)
{
	const struct bridge *b = req->app;
	struct jsonw w;
	char url[1024];
	size_t i;

	jsonw_init(&w, &res->body);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "status", "ok");
	write_bridge_info(&w, b);
	auth_redact_url(b->ups.v[0].url, url, sizeof(url));
	if (b->ups.n == 1)
		jsonw_kstr(&w, "upstream", url);
	jsonw_key(&w, "upstreams");
	jsonw_arr_begin(&w);
	for (i = 0; i < b->ups.n; i++) {
		auth_redact_url(b->ups.v[i].url, url, sizeof(url));
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "name", b->ups.v[i].name);
		jsonw_kstr(&w, "url", url);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
}

/* One server's /health, asked at the same time as the others'. */
struct health_probe {
	struct upstream *u;
	struct tsp_model m;
	struct tsp_error err;
	double latency_ms;
	int up;
};

static void probe(void *arg, size_t i)
{
	struct health_probe *p = (struct health_probe *)arg + i;
	struct tsp_client *c = upstream_client(p->u);
	struct timespec t0;

	tsp_model_init(&p->m);
	tsp_error_clear(&p->err);
	t0 = mono_now();
	if (!c)
		tsp_error_set(&p->err, TSP_ERR_NOMEM, 0, "cannot create the upstream client");
	else if (tsp_get_health(c, &p->m, &p->err) == 0)
		p->up = p->m.u.health.status && !strcmp(p->m.u.health.status, "UP");
	p->latency_ms = mono_elapsed_ms(&t0);
	if (!p->up && p->err.kind == TSP_OK)
		tsp_error_set(&p->err, TSP_ERR_SCHEMA, 0, "trace server reports status '%s'",
			      p->m.u.health.status ? p->m.u.health.status : "(none)");
	upstream_client_put(p->u, c);
}

static void write_probe(struct jsonw *w, const struct health_probe *p, int restricted, int named)
{
	char url[1024];

	auth_redact_url(p->u->url, url, sizeof(url));
	jsonw_obj_begin(w);
	if (named)
		jsonw_kstr(w, "name", p->u->name);
	if (!restricted)
		jsonw_kstr(w, "url", url);
	jsonw_kstr(w, "status", p->up ? "up" : "down");
	jsonw_kdouble(w, "latency_ms", (double)(int64_t)(p->latency_ms * 1000) / 1000);
	if (p->up) {
		jsonw_kstr(w, "server_status", p->m.u.health.status);
	} else {
		if (!restricted)
			jsonw_kstr(w, "error", p->err.msg);
		jsonw_kstr(w, "error_kind", tsp_err_kind_name(p->err.kind));
		if (p->err.http_status)
			jsonw_kint64(w, "http_status", p->err.http_status);
	}
	jsonw_obj_end(w);
}

/*
 * GET /health: the bridge answers 200 as long as it serves, and says
 * whether each trace server's own /health answers (asked at the same time,
 * so one slow server costs its own latency only). ?strict=1 turns "no
 * trace server is up" into 503, for orchestrators that gate on it;
 * ?local=1 asks no trace server (load balancers checking replicas often).
 * It is open when authentication is on: callers without credentials
 * (req->restricted) then get no upstream URL and no error text.
 */
static void handle_health(const struct http_request *req, struct http_response *res)
{
	const struct bridge *b = req->app;
	const char *strict = http_request_arg(req, "strict");
	const char *local = http_request_arg(req, "local");
	struct health_probe *ps;
	struct jsonw w;
	size_t i, n_up = 0;

	if (local && strcmp(local, "0")) {
		/* The bridge alone, for load balancers' frequent checks: no trace server is asked. */
		jsonw_init(&w, &res->body);
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "status", "ok");
		write_bridge_info(&w, b);
		jsonw_obj_end(&w);
		return;
	}
	ps = calloc(b->ups.n, sizeof(*ps));
	if (!ps) {
		http_response_error(res, 500, "out of memory");
		return;
	}
	for (i = 0; i < b->ups.n; i++)
		ps[i].u = &b->ups.v[i];
	upstreams_run(&b->ups, b->ups.n, probe, ps);
	for (i = 0; i < b->ups.n; i++)
		n_up += ps[i].up;

	jsonw_init(&w, &res->body);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "status", n_up == b->ups.n ? "ok" : "degraded");
	write_bridge_info(&w, b);
	if (b->ups.n == 1) {
		jsonw_key(&w, "upstream");
		write_probe(&w, &ps[0], req->restricted, 0);
	}
	jsonw_key(&w, "upstreams");
	jsonw_arr_begin(&w);
	for (i = 0; i < b->ups.n; i++)
		write_probe(&w, &ps[i], req->restricted, 1);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	if (!n_up && strict && strcmp(strict, "0"))
		res->status = 503;
	for (i = 0; i < b->ups.n; i++)
		tsp_model_release(&ps[i].m);
	free(ps);
}

const struct http_route bridge_routes[] = {
	{ "GET", "/", handle_root },
	{ "GET", "/health", handle_health, HTTP_ROUTE_PUBLIC },
	/* SimpleJSON and JSON datasource (docs/grafana-api.md) */
	{ "POST", "/search", grafana_search, HTTP_ROUTE_CACHE },
	{ "POST", "/query", grafana_query, HTTP_ROUTE_CACHE },
	{ "POST", "/frames", grafana_frames, HTTP_ROUTE_CACHE },
	{ "GET", "/flat", grafana_flat, HTTP_ROUTE_CACHE },
	{ "POST", "/annotations", grafana_annotations, HTTP_ROUTE_CACHE },
	{ "POST", "/tag-keys", grafana_tag_keys, HTTP_ROUTE_CACHE },
	{ "POST", "/tag-values", grafana_tag_values, HTTP_ROUTE_CACHE },
	{ "POST", "/metrics", grafana_metrics, HTTP_ROUTE_CACHE },
	{ "POST", "/metric-payload-options", grafana_payload_options, HTTP_ROUTE_CACHE },
	{ "POST", "/variable", grafana_variable, HTTP_ROUTE_CACHE },
	/* The kernel view: timeline document, flat forms, schema (spec/timeline/) */
	{ "GET", "/timeline", timeline_document, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/rows", timeline_rows, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/states", timeline_states, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/events", timeline_events, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/links", timeline_links, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/nodes", timeline_nodes, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/edges", timeline_edges, HTTP_ROUTE_CACHE },
	{ "GET", "/timeline/schema", timeline_schema, HTTP_ROUTE_CACHE },
};

const size_t bridge_n_routes = sizeof(bridge_routes) / sizeof(bridge_routes[0]);
