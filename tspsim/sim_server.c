#include "sim_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json_int.h"
#include "jsonw.h"
#include "models.h"
#include "monotime.h"
#include "strbuf.h"

#ifndef TSPB_VERSION
#define TSPB_VERSION "0.0.0"
#endif

#define API_PREFIX "/tsp/api"
#define MAX_BODY (64u << 20)
#define MAX_RESPONSE ((size_t)1 << 31)
#define MAX_SEGS 8

struct sim_trace {
	struct sim_trace *next;
	int refs;               /* the registry's reference counts as one */
	char uuid[37];
	char *name, *path;
	struct workload wl;
};

struct sim_exp {
	struct sim_exp *next;
	int refs;
	char uuid[37];
	char *name;
	struct sim_trace **traces;
	const struct workload **wls;
	size_t n_traces;
	struct wl_ref *merged;  /* NULL for one trace */
	size_t n_merged;
	int64_t polls[OUT_COUNT];
};

struct sim_server {
	struct MHD_Daemon *daemon;
	struct sim_config cfg;
	int port;
	pthread_mutex_t lock;   /* registry, counters, faults, stopping */
	pthread_cond_t wake;    /* delayed answers wait here; broadcast on stop */
	int stopping;
	struct sim_faults faults;
	struct sim_trace *traces;
	struct sim_exp *exps;
};

/* ---- registry (caller holds s->lock) ---- */

static void trace_unref(struct sim_trace *t)
{
	if (--t->refs)
		return;
	workload_release(&t->wl);
	free(t->name);
	free(t->path);
	free(t);
}

static void exp_unref(struct sim_exp *e)
{
	size_t i;

	if (--e->refs)
		return;
	for (i = 0; i < e->n_traces; i++)
		trace_unref(e->traces[i]);
	free(e->traces);
	free(e->wls);
	free(e->merged);
	free(e->name);
	free(e);
}

static struct sim_trace *trace_find(struct sim_server *s, const char *uuid, const char *name)
{
	struct sim_trace *t;

	for (t = s->traces; t; t = t->next)
		if ((uuid && !strcmp(t->uuid, uuid)) || (name && !strcmp(t->name, name)))
			return t;
	return NULL;
}

static struct sim_exp *exp_find(struct sim_server *s, const char *uuid, const char *name)
{
	struct sim_exp *e;

	for (e = s->exps; e; e = e->next)
		if ((uuid && !strcmp(e->uuid, uuid)) || (name && !strcmp(e->name, name)))
			return e;
	return NULL;
}

static void trace_append(struct sim_server *s, struct sim_trace *t)
{
	struct sim_trace **p = &s->traces;

	while (*p)
		p = &(*p)->next;
	*p = t;
}

static void exp_append(struct sim_server *s, struct sim_exp *e)
{
	struct sim_exp **p = &s->exps;

	while (*p)
		p = &(*p)->next;
	*p = e;
}

static struct sim_trace *trace_new(const struct wl_params *p, const char *name, const char *path)
{
	struct sim_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->refs = 1;
	t->name = strdup(name);
	t->path = strdup(path);
	if (!t->name || !t->path || workload_generate(&t->wl, p, name) < 0) {
		free(t->name);
		free(t->path);
		free(t);
		return NULL;
	}
	wl_uuid("trace", name, t->uuid);
	return t;
}

/* Takes a reference to each trace (caller holds the lock). */
static struct sim_exp *exp_new(const char *name, struct sim_trace **traces, size_t n)
{
	struct sim_exp *e = calloc(1, sizeof(*e));
	size_t i;

	if (!e)
		return NULL;
	e->refs = 1;
	e->name = strdup(name);
	e->traces = calloc(n, sizeof(*e->traces));
	e->wls = calloc(n, sizeof(*e->wls));
	if (!e->name || !e->traces || !e->wls) {
		free(e->name);
		free(e->traces);
		free(e->wls);
		free(e);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		e->traces[i] = traces[i];
		e->wls[i] = &traces[i]->wl;
		traces[i]->refs++;
	}
	e->n_traces = n;
	wl_uuid("experiment", name, e->uuid);
	return e;
}

/* ---- JSON of traces and experiments ---- */

static void write_trace(struct jsonw *w, const struct sim_trace *t, const char *status)
{
	char buf[32];

	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", t->name);
	jsonw_kstr(w, "path", t->path);
	jsonw_kstr(w, "UUID", t->uuid);
	jsonw_kint64(w, "nbEvents", (int64_t)t->wl.n_events);
	jsonw_kint64(w, "start", t->wl.start);
	jsonw_kint64(w, "end", t->wl.end);
	jsonw_key(w, "properties");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "hostname", "tspsim");
	jsonw_kstr(w, "domain", "kernel");
	jsonw_kstr(w, "tracer_name", "lttng-modules");
	jsonw_kstr(w, "tracer_major", "2");
	jsonw_kstr(w, "tracer_minor", "13");
	jsonw_kstr(w, "clock_offset", "0");
	snprintf(buf, sizeof(buf), "%d", t->wl.params.cpus);
	jsonw_kstr(w, "cpus", buf);
	jsonw_obj_end(w);
	jsonw_kstr(w, "indexingStatus", status);
	jsonw_obj_end(w);
}

static void write_exp(struct jsonw *w, const struct sim_exp *e, const char *status)
{
	int64_t start = INT64_MAX, end = INT64_MIN, n = 0;
	size_t i;

	for (i = 0; i < e->n_traces; i++) {
		const struct workload *wl = &e->traces[i]->wl;

		start = wl->start < start ? wl->start : start;
		end = wl->end > end ? wl->end : end;
		n += (int64_t)wl->n_events;
	}
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", e->name);
	jsonw_kstr(w, "UUID", e->uuid);
	jsonw_kint64(w, "nbEvents", n);
	jsonw_kint64(w, "start", start);
	jsonw_kint64(w, "end", end);
	jsonw_kstr(w, "indexingStatus", status);
	jsonw_key(w, "traces");
	jsonw_arr_begin(w);
	for (i = 0; i < e->n_traces; i++)
		write_trace(w, e->traces[i], status);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

/* ---- requests ---- */

struct req {
	struct sim_server *s;
	struct MHD_Connection *conn;
	const char *method;
	char *segs[MAX_SEGS];
	int nseg;
	const char *body;
	size_t body_len;
	cJSON *json;
	const cJSON *params;
	struct query q;
	struct sim_exp *exp;    /* referenced for the request's lifetime */
	int out;
	int fault_running;      /* running_forever applies to this request */
	int fault_failed;       /* analysis_failed applies to this request */
	int fault_bad_exps;     /* bad_experiments applies to this request */
	struct model_view view;
	int status;
	const char *title;      /* error answers */
	char detail[512];
	char allow[64];
};

static int fail(struct req *r, int status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Records an error answer; handlers `return fail(...)`. */
static int fail(struct req *r, int status, const char *title, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->title = title;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return -1;
}

static void write_error(struct strbuf *sb, const char *title, const char *detail)
{
	struct jsonw w;

	strbuf_reset(sb);
	jsonw_init(&w, sb);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "title", title);
	if (detail && *detail)
		jsonw_kstr(&w, "detail", detail);
	jsonw_obj_end(&w);
}

enum {
	R_EXP = 1 << 0,         /* segs[1] names an experiment (404 if unknown) */
	R_OUT = 1 << 1,         /* segs[out_seg] names one of its outputs (404 if unknown) */
	R_JSON = 1 << 2,        /* body {"parameters": {...}} (400 otherwise) */
	R_QUERY = 1 << 3,       /* parameters parsed into r->q, `need` enforced */
	R_WRAP = 1 << 4,        /* answer {"model": ..., "statusMessage", "status"} */
	R_COUNT = 1 << 5,       /* analysis data: counts toward RUNNING */
};

#define OUT_ANY -1
#define OUT_XY -3               /* any TREE_TIME_XY output */
#define OUT_TG -4               /* any TIME_GRAPH output */
#define OUT_DATA -5             /* any DATA_TREE output */
#define OUT_GXY -6              /* any TREE_GENERIC_XY output */
#define OUT_TABLE -7            /* any TABLE output */

struct route {
	const char *method;
	const char *pattern;    /* after /tsp/api; '*' matches one segment */
	unsigned flags;
	int out_seg;
	int out_type;
	unsigned need;
	int (*fn)(struct req *r, struct jsonw *w);
};

/* ---- handlers ---- */

static int h_health(struct req *r, struct jsonw *w)
{
	(void)r;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "status", "UP");
	jsonw_obj_end(w);
	return 0;
}

static int h_identifier(struct req *r, struct jsonw *w)
{
	struct utsname u;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	(void)r;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	jsonw_obj_begin(w);
	jsonw_kstr(w, "version", TSPB_VERSION);
	jsonw_kstr(w, "os", u.sysname[0] ? u.sysname : "Linux");
	jsonw_kstr(w, "osArch", u.machine);
	jsonw_kstr(w, "osVersion", u.release);
	jsonw_kint64(w, "cpuCount", ncpu > 0 ? ncpu : 1);
	if (pages > 0 && psize > 0)
		jsonw_kint64(w, "maxMemory", (int64_t)pages * psize);
	jsonw_kstr(w, "launcherName", "tspsim");
	jsonw_kstr(w, "productId", "org.tsp-bridge.tspsim");
	jsonw_kstr(w, "tspVersion", "0.6.0");
	jsonw_obj_end(w);
	return 0;
}

static int h_traces(struct req *r, struct jsonw *w)
{
	struct sim_trace *t;

	pthread_mutex_lock(&r->s->lock);
	jsonw_arr_begin(w);
	for (t = r->s->traces; t; t = t->next)
		write_trace(w, t, "COMPLETED");
	jsonw_arr_end(w);
	pthread_mutex_unlock(&r->s->lock);
	return 0;
}

static int h_trace_get(struct req *r, struct jsonw *w)
{
	struct sim_trace *t;
	int ret = 0;

	pthread_mutex_lock(&r->s->lock);
	t = trace_find(r->s, r->segs[1], NULL);
	if (t)
		write_trace(w, t, "COMPLETED");
	else
		ret = fail(r, 404, "No such trace", "trace %s does not exist", r->segs[1]);
	pthread_mutex_unlock(&r->s->lock);
	return ret;
}

static int trace_in_use(struct sim_server *s, const struct sim_trace *t)
{
	struct sim_exp *e;
	size_t i;

	for (e = s->exps; e; e = e->next)
		for (i = 0; i < e->n_traces; i++)
			if (e->traces[i] == t)
				return 1;
	return 0;
}

static void write_trace_error(struct jsonw *w, const char *title, const char *detail,
			      const struct sim_trace *t)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", title);
	jsonw_kstr(w, "detail", detail);
	jsonw_key(w, "trace");
	write_trace(w, t, "COMPLETED");
	jsonw_obj_end(w);
}

static int h_trace_delete(struct req *r, struct jsonw *w)
{
	struct sim_server *s = r->s;
	struct sim_trace *t, **p;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	for (p = &s->traces; *p && strcmp((*p)->uuid, r->segs[1]); p = &(*p)->next)
		;
	t = *p;
	if (!t) {
		ret = fail(r, 404, "No such trace", "trace %s does not exist", r->segs[1]);
	} else if (trace_in_use(s, t)) {
		r->status = 409;
		write_trace_error(w, "Trace in use",
				  "the trace is used by at least one experiment; delete those first", t);
	} else {
		*p = t->next;
		write_trace(w, t, "CLOSED");
		trace_unref(t);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static const char *base_name(const char *uri, char *buf, size_t len)
{
	size_t n = strlen(uri);
	const char *slash;

	while (n > 1 && uri[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s", (int)n, uri);
	slash = strrchr(buf, '/');
	return slash && slash[1] ? slash + 1 : buf;
}

static int h_trace_open(struct req *r, struct jsonw *w)
{
	struct sim_server *s = r->s;
	const char *uri = json_get_string(cJSON_GetObjectItemCaseSensitive(r->params, "uri"));
	const cJSON *jn = cJSON_GetObjectItemCaseSensitive(r->params, "name");
	const char *name;
	struct sim_trace *t, *fresh = NULL;
	char buf[512];
	int ret = 0;

	if (!uri || !*uri)
		return fail(r, 400, "Missing parameter", "parameters.uri (a string) is required");
	if (jn && !cJSON_IsNull(jn) && !json_get_string(jn))
		return fail(r, 400, "Invalid parameter", "parameters.name must be a string");
	name = json_get_string(jn);
	if (!name || !*name)
		name = base_name(uri, buf, sizeof(buf));
	/* Generation may take a while for big workloads: done without the lock. */
	for (;;) {
		pthread_mutex_lock(&s->lock);
		t = trace_find(s, NULL, name);
		if (t || fresh)
			break;
		pthread_mutex_unlock(&s->lock);
		fresh = trace_new(&s->cfg.wl, name, uri);
		if (!fresh)
			return fail(r, 500, "Trace resource creation failed", "out of memory");
	}
	if (t && strcmp(t->path, uri)) {
		r->status = 409;
		write_trace_error(w, "Trace already exists",
				  "a trace with this name but another path exists", t);
	} else if (t) {
		write_trace(w, t, "COMPLETED");
	} else {
		trace_append(s, fresh);
		write_trace(w, fresh, "COMPLETED");
		fresh = NULL;
	}
	if (fresh)
		trace_unref(fresh);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int h_exps(struct req *r, struct jsonw *w)
{
	struct sim_exp *e;

	pthread_mutex_lock(&r->s->lock);
	jsonw_arr_begin(w);
	for (e = r->s->exps; e; e = e->next)
		write_exp(w, e, "COMPLETED");
	if (r->fault_bad_exps) {
		/* An empty UUID, and an experiment without its start. */
		static const char blank[] = "{\"UUID\":\"\",\"name\":\"blank-uuid\",\"start\":0,"
			"\"end\":1,\"nbEvents\":0,\"indexingStatus\":\"COMPLETED\",\"traces\":[]}";
		static const char nostart[] = "{\"UUID\":\"00000000-0000-0000-0000-00000000bad0\","
			"\"name\":\"no-start\",\"end\":1,\"nbEvents\":0,"
			"\"indexingStatus\":\"COMPLETED\",\"traces\":[]}";

		jsonw_raw(w, blank, sizeof(blank) - 1);
		jsonw_raw(w, nostart, sizeof(nostart) - 1);
	}
	jsonw_arr_end(w);
	pthread_mutex_unlock(&r->s->lock);
	return 0;
}

static int h_exp_get(struct req *r, struct jsonw *w)
{
	pthread_mutex_lock(&r->s->lock);
	write_exp(w, r->exp, "COMPLETED");
	pthread_mutex_unlock(&r->s->lock);
	return 0;
}

static int h_exp_delete(struct req *r, struct jsonw *w)
{
	struct sim_server *s = r->s;
	struct sim_exp **p;

	pthread_mutex_lock(&s->lock);
	for (p = &s->exps; *p && *p != r->exp; p = &(*p)->next)
		;
	if (!*p) {
		pthread_mutex_unlock(&s->lock);
		return fail(r, 404, "No such experiment", "experiment %s does not exist", r->segs[1]);
	}
	*p = r->exp->next;
	write_exp(w, r->exp, "CLOSED");
	exp_unref(r->exp);      /* the registry's reference; the request keeps its own */
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Same traces, in any order. */
static int same_traces(const struct sim_exp *e, struct sim_trace **t, size_t n)
{
	size_t i, j;

	if (e->n_traces != n)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && e->traces[j] != t[i]; j++)
			;
		if (j == n)
			return 0;
	}
	return 1;
}

static void write_exp_conflict(struct jsonw *w, const struct sim_exp *e)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "Experiment already exists");
	jsonw_kstr(w, "detail", "an experiment with this name but other traces exists");
	jsonw_key(w, "experiment");
	write_exp(w, e, "COMPLETED");
	jsonw_obj_end(w);
}

static int h_exp_create(struct req *r, struct jsonw *w)
{
	struct sim_server *s = r->s;
	const char *name = json_get_string(cJSON_GetObjectItemCaseSensitive(r->params, "name"));
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(r->params, "traces"), *it;
	struct sim_trace **traces = NULL;
	struct sim_exp *e, *fresh = NULL;
	size_t n = 0, j;
	int ret = 0;

	if (!name || !*name)
		return fail(r, 400, "Missing parameter", "parameters.name (a string) is required");
	if (!cJSON_IsArray(jt) || !cJSON_GetArraySize(jt))
		return fail(r, 400, "Missing parameter",
			    "parameters.traces (a non-empty array of trace UUIDs) is required");
	traces = calloc((size_t)cJSON_GetArraySize(jt), sizeof(*traces));
	if (!traces)
		return fail(r, 500, "Internal error", "out of memory");

	pthread_mutex_lock(&s->lock);
	cJSON_ArrayForEach(it, jt) {
		const char *uuid = json_get_string(it);

		if (!uuid) {
			ret = fail(r, 400, "Invalid parameter", "parameters.traces[%zu] is not a string", n);
			goto unlock;
		}
		if (!(traces[n] = trace_find(s, uuid, NULL))) {
			ret = fail(r, 404, "No such trace", "trace %s does not exist", uuid);
			goto unlock;
		}
		for (j = 0; j < n; j++)
			if (traces[j] == traces[n]) {
				ret = fail(r, 400, "Invalid parameter", "trace %s is listed twice", uuid);
				goto unlock;
			}
		n++;
	}
	e = exp_find(s, NULL, name);
	if (!e) {
		/* Merging many events is slow: built unlocked, on referenced traces. */
		fresh = exp_new(name, traces, n);
		if (!fresh) {
			ret = fail(r, 500, "Internal error", "out of memory");
			goto unlock;
		}
		pthread_mutex_unlock(&s->lock);
		if (n > 1 && model_merge_events(fresh->wls, n, &fresh->merged, &fresh->n_merged) < 0) {
			pthread_mutex_lock(&s->lock);
			ret = fail(r, 500, "Internal error", "out of memory");
			goto unlock;
		}
		pthread_mutex_lock(&s->lock);
		for (j = 0; j < n; j++)
			if (trace_find(s, traces[j]->uuid, NULL) != traces[j]) {
				ret = fail(r, 404, "No such trace", "trace %s was deleted meanwhile",
					   traces[j]->uuid);
				goto unlock;
			}
		e = exp_find(s, NULL, name);
		if (!e) {
			exp_append(s, fresh);
			write_exp(w, fresh, "COMPLETED");
			fresh = NULL;
			goto unlock;
		}
	}
	if (same_traces(e, traces, n)) {
		write_exp(w, e, "COMPLETED");
	} else {
		r->status = 409;
		write_exp_conflict(w, e);
	}
unlock:
	if (fresh)
		exp_unref(fresh);
	pthread_mutex_unlock(&s->lock);
	free(traces);
	return ret;
}

static int h_outputs(struct req *r, struct jsonw *w)
{
	(void)r;
	model_outputs(w);
	return 0;
}

static int h_output(struct req *r, struct jsonw *w)
{
	model_output_desc(w, r->out);
	return 0;
}

static int h_create_provider(struct req *r, struct jsonw *w)
{
	(void)w;
	return fail(r, 404, "Configuration type not found",
		    "output %s has no configuration source types", r->segs[3]);
}

static int h_config_types(struct req *r, struct jsonw *w)
{
	(void)r;
	jsonw_arr_begin(w);
	jsonw_arr_end(w);
	return 0;
}

static int h_config_type(struct req *r, struct jsonw *w)
{
	(void)w;
	return fail(r, 404, "Configuration type not found",
		    "output %s has no configuration source type %s", r->segs[3], r->segs[5]);
}

static int h_delete_derived(struct req *r, struct jsonw *w)
{
	(void)w;
	return fail(r, 404, "Derived output not found",
		    "output %s has no derived output %s", r->segs[3], r->segs[4]);
}

static int h_marker_sets(struct req *r, struct jsonw *w)
{
	(void)r;
	model_marker_sets(w);
	return 0;
}

static int h_annotation_categories(struct req *r, struct jsonw *w)
{
	const char *ms = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "markerSetId");

	model_annotation_categories(w, r->out, ms);
	return 0;
}

/* Model writers share one shape; a 400 from them keeps their message. */
#define MODEL_HANDLER(hname, call)                                              \
	static int hname(struct req *r, struct jsonw *w)                        \
	{                                                                       \
		char err[256] = "";                                             \
		if (call < 0)                                                   \
			return fail(r, 400, "Invalid parameters", "%s", err);   \
		return 0;                                                       \
	}

MODEL_HANDLER(h_annotations, model_annotations(w, &r->view, r->out, &r->q, err, sizeof(err)))
/* The output's own writer for the endpoint (the route's type guarantees it has one). */
#define OUT_FN(r, field) (model_output((r)->out)->field)
MODEL_HANDLER(h_tree, OUT_FN(r, tree)(w, &r->view, &r->q, err, sizeof(err)))
MODEL_HANDLER(h_data, OUT_FN(r, data)(w, &r->view, &r->q, err, sizeof(err)))
MODEL_HANDLER(h_tg_arrows, OUT_FN(r, arrows)(w, &r->view, &r->q, err, sizeof(err)))
MODEL_HANDLER(h_tg_tooltip, OUT_FN(r, tooltip)(w, &r->view, &r->q, err, sizeof(err)))

static int h_style(struct req *r, struct jsonw *w)
{
	model_styles(w, r->out);
	return 0;
}

static int h_table_columns(struct req *r, struct jsonw *w)
{
	model_output(r->out)->columns(w);
	return 0;
}

#define DATA (R_EXP | R_OUT | R_JSON | R_QUERY | R_WRAP | R_COUNT)

/* First match wins: literal routes come before the wildcards they shadow. */
static const struct route routes[] = {
	{ "GET", "health", 0, 0, 0, 0, h_health },
	{ "GET", "identifier", 0, 0, 0, 0, h_identifier },
	{ "GET", "traces", 0, 0, 0, 0, h_traces },
	{ "POST", "traces", R_JSON, 0, 0, 0, h_trace_open },
	{ "GET", "traces/*", 0, 0, 0, 0, h_trace_get },
	{ "DELETE", "traces/*", 0, 0, 0, 0, h_trace_delete },
	{ "GET", "experiments", 0, 0, 0, 0, h_exps },
	{ "POST", "experiments", R_JSON, 0, 0, 0, h_exp_create },
	{ "GET", "experiments/*", R_EXP, 0, 0, 0, h_exp_get },
	{ "DELETE", "experiments/*", R_EXP, 0, 0, 0, h_exp_delete },
	{ "GET", "experiments/*/outputs", R_EXP, 0, 0, 0, h_outputs },
	{ "GET", "experiments/*/outputs/markerSets", R_EXP | R_WRAP, 0, 0, 0, h_marker_sets },
	{ "GET", "experiments/*/outputs/*", R_EXP | R_OUT, 3, OUT_ANY, 0, h_output },
	{ "POST", "experiments/*/outputs/*", R_EXP, 0, 0, 0, h_create_provider },
	{ "GET", "experiments/*/outputs/*/annotations", R_EXP | R_OUT | R_WRAP, 3, OUT_ANY, 0,
	  h_annotation_categories },
	{ "POST", "experiments/*/outputs/*/annotations", DATA, 3, OUT_ANY, Q_RANGE, h_annotations },
	{ "POST", "experiments/*/outputs/*/style", R_EXP | R_OUT | R_JSON | R_WRAP, 3, OUT_ANY, 0,
	  h_style },
	{ "GET", "experiments/*/outputs/*/configTypes", R_EXP | R_OUT, 3, OUT_ANY, 0, h_config_types },
	{ "GET", "experiments/*/outputs/*/configTypes/*", R_EXP | R_OUT, 3, OUT_ANY, 0, h_config_type },
	{ "DELETE", "experiments/*/outputs/*/*", R_EXP | R_OUT, 3, OUT_ANY, 0, h_delete_derived },
	{ "POST", "experiments/*/outputs/XY/*/tree", DATA, 4, OUT_XY, 0, h_tree },
	{ "POST", "experiments/*/outputs/XY/*/xy", DATA, 4, OUT_XY, Q_RANGE | Q_ITEMS, h_data },
	{ "POST", "experiments/*/outputs/timeGraph/*/tree", DATA, 4, OUT_TG, 0, h_tree },
	{ "POST", "experiments/*/outputs/timeGraph/*/states", DATA, 4, OUT_TG,
	  Q_RANGE | Q_ITEMS, h_data },
	{ "POST", "experiments/*/outputs/timeGraph/*/arrows", DATA, 4, OUT_TG, Q_RANGE,
	  h_tg_arrows },
	{ "POST", "experiments/*/outputs/timeGraph/*/tooltip", DATA, 4, OUT_TG,
	  Q_ITEMS | Q_TIMES | Q_ELEMENT, h_tg_tooltip },
	{ "POST", "experiments/*/outputs/table/*/columns", R_EXP | R_OUT | R_JSON | R_WRAP, 4,
	  OUT_TABLE, 0, h_table_columns },
	{ "POST", "experiments/*/outputs/table/*/lines", DATA, 4, OUT_TABLE, Q_COUNT, h_data },
	{ "POST", "experiments/*/outputs/data/*/tree", DATA, 4, OUT_DATA, 0, h_tree },
	{ "POST", "experiments/*/outputs/genericXY/*/tree", DATA, 4, OUT_GXY, 0, h_tree },
	{ "POST", "experiments/*/outputs/genericXY/*/xy", DATA, 4, OUT_GXY, Q_RANGE | Q_ITEMS,
	  h_data },
};

static int pattern_match(const char *pattern, char *const *segs, int nseg)
{
	int i = 0;
	const char *p = pattern;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (i >= nseg)
			return 0;
		if (!(len == 1 && *p == '*') && (strlen(segs[i]) != len || strncmp(p, segs[i], len)))
			return 0;
		i++;
		p += len + (slash ? 1 : 0);
	}
	return i == nseg;
}

/* Splits path (modified in place) into segments; -1 on empty or too many. */
static int split_path(char *path, char **segs, int max)
{
	int n = 0;
	char *p = path, *save = NULL, *tok;

	for (tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return -1;
		segs[n++] = tok;
	}
	return n;
}

static const struct route *route_find(struct req *r, int *status)
{
	size_t i, used = 0;
	int known = 0;

	r->allow[0] = '\0';
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!pattern_match(routes[i].pattern, r->segs, r->nseg))
			continue;
		if (!strcmp(routes[i].method, r->method))
			return &routes[i];
		known = 1;
		if (!strstr(r->allow, routes[i].method) && used < sizeof(r->allow))
			used += (size_t)snprintf(r->allow + used, sizeof(r->allow) - used, "%s%s",
						 used ? ", " : "", routes[i].method);
	}
	*status = known ? 405 : 404;
	return NULL;
}

/* Running state of a data request: the first K polls of an experiment+output are RUNNING. */
static void account_poll(struct req *r)
{
	struct sim_server *s = r->s;
	int64_t n, k = s->cfg.running_polls;

	pthread_mutex_lock(&s->lock);
	n = r->exp->polls[r->out]++;
	pthread_mutex_unlock(&s->lock);
	if (n < k) {
		r->view.progress_num = n + 1;
		r->view.progress_den = k + 1;
	} else if (r->fault_running) {
		r->view.progress_num = 1;
		r->view.progress_den = 2;
	}
}

static void release_exp(struct req *r)
{
	if (!r->exp)
		return;
	pthread_mutex_lock(&r->s->lock);
	exp_unref(r->exp);
	pthread_mutex_unlock(&r->s->lock);
	r->exp = NULL;
}

/* Whether output `out` is one the route's out_type serves. */
static int route_fits(int out_type, int out)
{
	static const struct {
		int code;
		const char *type;
	} types[] = {
		{ OUT_XY, "TREE_TIME_XY" }, { OUT_TG, "TIME_GRAPH" }, { OUT_DATA, "DATA_TREE" },
		{ OUT_GXY, "TREE_GENERIC_XY" }, { OUT_TABLE, "TABLE" },
	};
	size_t i;

	if (out_type == OUT_ANY)
		return 1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].code == out_type)
			return !strcmp(model_output(out)->type, types[i].type);
	return out_type == out;
}

/* What the route needs before it runs: its experiment, output, parameters. -1 once fail()ed. */
static int route_prepare(struct req *r, const struct route *rt)
{
	char err[256];

	if (rt->flags & R_EXP) {
		pthread_mutex_lock(&r->s->lock);
		r->exp = exp_find(r->s, r->segs[1], NULL);
		if (r->exp)
			r->exp->refs++;
		pthread_mutex_unlock(&r->s->lock);
		if (!r->exp) {
			fail(r, 404, "No such experiment", "experiment %s does not exist", r->segs[1]);
			return -1;
		}
		r->view.wl = r->exp->wls;
		r->view.n = r->exp->n_traces;
		r->view.merged = r->exp->merged;
		r->view.n_merged = r->exp->n_merged;
	}
	if (rt->flags & R_OUT) {
		const char *id = r->segs[rt->out_seg];

		r->out = model_output_find(id);
		if (r->out < 0) {
			fail(r, 404, "No such output", "experiment %s has no output %s", r->segs[1], id);
			return -1;
		}
		if (!route_fits(rt->out_type, r->out)) {
			fail(r, 404, "No such output", "output %s is a %s output, not one for this endpoint",
			     id, model_output(r->out)->type);
			return -1;
		}
	}
	if (rt->flags & R_JSON) {
		r->json = json_parse_exact(r->body, r->body_len, err, sizeof(err));
		if (!r->json) {
			fail(r, 400, "Invalid request body", "the body is not JSON: %s", err);
			return -1;
		}
		r->params = cJSON_GetObjectItemCaseSensitive(r->json, "parameters");
		if (!cJSON_IsObject(r->json) || !cJSON_IsObject(r->params)) {
			fail(r, 400, "Missing parameters",
			     "the body must be an object {\"parameters\": {...}}");
			return -1;
		}
	}
	if ((rt->flags & R_QUERY) &&
	    query_parse(&r->q, r->params, rt->need, err, sizeof(err)) < 0) {
		fail(r, 400, "Invalid parameters", "%s", err);
		return -1;
	}
	return 0;
}

/* The route's answer into out, as {model, statusMessage, status} for the wrapped kinds. */
static void route_answer(struct req *r, const struct route *rt, struct strbuf *out)
{
	struct jsonw w;
	int rc;

	if (rt->flags & R_COUNT)
		account_poll(r);
	strbuf_reset(out);
	jsonw_init(&w, out);
	if ((rt->flags & R_COUNT) && r->fault_failed) {
		/* What a trace server says when an analysis throws: no model, the reason. */
		jsonw_obj_begin(&w);
		jsonw_key(&w, "model");
		jsonw_null(&w);
		jsonw_kstr(&w, "statusMessage", "Analysis failed: simulated fault");
		jsonw_kstr(&w, "status", "FAILED");
		jsonw_obj_end(&w);
		if (jsonw_finish(&w) < 0)
			fail(r, 500, "Internal error", "the answer could not be written");
		return;
	}
	if (rt->flags & R_WRAP) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "model");
	}
	rc = rt->fn(r, &w);
	if (rc == 0 && (rt->flags & R_WRAP)) {
		int running = r->view.progress_den != 0;

		jsonw_kstr(&w, "statusMessage", running ? "Running" : "Completed");
		jsonw_kstr(&w, "status", running ? "RUNNING" : "COMPLETED");
		jsonw_obj_end(&w);
	}
	if (rc == 0 && jsonw_finish(&w) < 0)
		fail(r, 500, "Internal error", out->overflow ? "the answer is too large" :
		     "the answer could not be written");
}

/* Answers one TSP request: status in r->status, JSON body in out. */
static void dispatch(struct req *r, const char *url, struct strbuf *out)
{
	const struct route *rt;
	char *path = NULL;
	int status = 0;

	r->status = 200;
	query_init(&r->q);
	if (strncmp(url, API_PREFIX, strlen(API_PREFIX)) ||
	    (url[strlen(API_PREFIX)] && url[strlen(API_PREFIX)] != '/')) {
		fail(r, 404, "Not found", "no such endpoint: %s %s", r->method, url);
		goto out;
	}
	path = strdup(url + strlen(API_PREFIX));
	if (!path) {
		fail(r, 500, "Internal error", "out of memory");
		goto out;
	}
	r->nseg = split_path(path, r->segs, MAX_SEGS);
	rt = r->nseg < 0 ? NULL : route_find(r, &status);
	if (!rt) {
		if (status == 405)
			fail(r, 405, "Method not allowed", "method %s not allowed on %s (allowed: %s)",
			     r->method, url, r->allow);
		else
			fail(r, 404, "Not found", "no such endpoint: %s %s", r->method, url);
		goto out;
	}
	if (route_prepare(r, rt) == 0)
		route_answer(r, rt, out);
out:
	if (r->status >= 400 && r->title)
		write_error(out, r->title, r->detail);
	release_exp(r);
	cJSON_Delete(r->json);
	r->json = NULL;
	query_release(&r->q);
	free(path);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* Every `from` in out becomes `to`; -1 when out of memory (out unchanged). */
static int replace_all(struct strbuf *out, const char *from, const char *to)
{
	struct strbuf b = STRBUF_INIT;
	const char *p = strbuf_str(out), *hit;

	while ((hit = strstr(p, from))) {
		strbuf_add(&b, p, (size_t)(hit - p));
		strbuf_addstr(&b, to);
		p = hit + strlen(from);
	}
	strbuf_addstr(&b, p);
	if (b.overflow) {
		strbuf_release(&b);
		return -1;
	}
	strbuf_release(out);
	*out = b;
	return 0;
}

/*
 * The junk_kb fault: a member no reader reads, kb KiB of one-digit numbers,
 * first in a JSON object answer (servers add members the bridge ignores).
 */
static int add_junk(struct strbuf *out, int64_t kb)
{
	struct strbuf b = STRBUF_INIT;
	size_t i, n = (size_t)kb * 512;

	if (!out->len || out->buf[0] != '{')
		return 0;
	strbuf_addstr(&b, "{\"tspsimJunk\":[");
	for (i = 0; i < n; i++)
		strbuf_add(&b, i ? ",1" : "1", i ? 2 : 1);
	strbuf_addstr(&b, out->buf[1] == '}' ? "]" : "],");
	strbuf_add(&b, out->buf + 1, out->len - 1);
	if (b.overflow) {
		strbuf_release(&b);
		return -1;
	}
	strbuf_release(out);
	*out = b;
	return 0;
}

/*
 * The inline_color fault: every SYSCALL state's own style gets a colour, as
 * flame charts colour each state, over its parent style's.
 */
static int inline_color(struct strbuf *out, const char *color)
{
	char to[128];

	snprintf(to, sizeof(to), "\"parentKey\":\"SYSCALL\",\"values\":{\"background-color\":\"%s\"}",
		 color);
	return replace_all(out, "\"parentKey\":\"SYSCALL\",\"values\":{}", to);
}

/* ---- /_sim control endpoints ---- */

static void write_faults(struct jsonw *w, const struct sim_faults *f)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "latency_ms", f->latency_ms);
	jsonw_kbool(w, "http_500", f->http_500);
	jsonw_kbool(w, "malformed_json", f->malformed_json);
	jsonw_kbool(w, "drop_connection", f->drop_connection);
	jsonw_kbool(w, "running_forever", f->running_forever);
	jsonw_kbool(w, "analysis_failed", f->analysis_failed);
	jsonw_kbool(w, "truncate", f->truncate);
	jsonw_kbool(w, "bad_experiments", f->bad_experiments);
	jsonw_kint64(w, "style_status", f->style_status);
	jsonw_kstr(w, "inline_color", f->inline_color);
	jsonw_kbool(w, "bad_utf8", f->bad_utf8);
	jsonw_kint64(w, "junk_kb", f->junk_kb);
	jsonw_kstr(w, "path_filter", f->path_filter);
	jsonw_obj_end(w);
}

/* it, if it is one of the faults with a value: 1 once set, 0 if it is not one, -1 with err. */
static int fault_value(struct sim_faults *f, const cJSON *it, char *err, size_t errlen)
{
	if (!strcmp(it->string, "latency_ms")) {
		int64_t v;

		if (json_get_int64(it, &v) != JSON_OK || v < 0 || v > 3600000) {
			snprintf(err, errlen, "latency_ms: an integer 0..3600000 is expected");
			return -1;
		}
		f->latency_ms = v;
		return 1;
	}
	if (!strcmp(it->string, "path_filter")) {
		const char *s = cJSON_IsNull(it) ? "" : json_get_string(it);

		if (!s || strlen(s) >= sizeof(f->path_filter)) {
			snprintf(err, errlen, "path_filter: a string under %zu bytes is expected",
				 sizeof(f->path_filter));
			return -1;
		}
		snprintf(f->path_filter, sizeof(f->path_filter), "%s", s);
		return 1;
	}
	if (!strcmp(it->string, "junk_kb")) {
		int64_t v;

		if (json_get_int64(it, &v) != JSON_OK || v < 0 || v > 1024 * 1024) {
			snprintf(err, errlen, "junk_kb: an integer 0..1048576 is expected");
			return -1;
		}
		f->junk_kb = v;
		return 1;
	}
	if (!strcmp(it->string, "style_status")) {
		int64_t v;

		if (json_get_int64(it, &v) != JSON_OK || (v && (v < 400 || v > 599))) {
			snprintf(err, errlen, "style_status: 0 or an HTTP status 400..599 is expected");
			return -1;
		}
		f->style_status = (int)v;
		return 1;
	}
	if (!strcmp(it->string, "inline_color")) {
		const char *c = cJSON_IsNull(it) ? "" : json_get_string(it);

		if (!c || strlen(c) >= sizeof(f->inline_color)) {
			snprintf(err, errlen, "inline_color: a string under %zu bytes is expected",
				 sizeof(f->inline_color));
			return -1;
		}
		snprintf(f->inline_color, sizeof(f->inline_color), "%s", c);
		return 1;
	}
	return 0;
}

/* The on/off fault named name, or NULL. */
static int *fault_flag(struct sim_faults *f, const char *name)
{
	if (!strcmp(name, "http_500"))
		return &f->http_500;
	if (!strcmp(name, "malformed_json"))
		return &f->malformed_json;
	if (!strcmp(name, "drop_connection"))
		return &f->drop_connection;
	if (!strcmp(name, "running_forever"))
		return &f->running_forever;
	if (!strcmp(name, "analysis_failed"))
		return &f->analysis_failed;
	if (!strcmp(name, "truncate"))
		return &f->truncate;
	if (!strcmp(name, "bad_experiments"))
		return &f->bad_experiments;
	if (!strcmp(name, "bad_utf8"))
		return &f->bad_utf8;
	return NULL;
}

/* Applies the members present in j to f; -1 with a message on a bad one. */
static int faults_update(struct sim_faults *f, const cJSON *j, char *err, size_t errlen)
{
	const cJSON *it;

	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "a JSON object is expected");
		return -1;
	}
	cJSON_ArrayForEach(it, j) {
		int *flag, rc = fault_value(f, it, err, errlen);

		if (rc < 0)
			return -1;
		if (rc)
			continue;
		flag = fault_flag(f, it->string);
		if (!flag) {
			snprintf(err, errlen, "unknown fault '%s'", it->string);
			return -1;
		}
		if (!cJSON_IsBool(it)) {
			snprintf(err, errlen, "%s: true or false is expected", it->string);
			return -1;
		}
		*flag = cJSON_IsTrue(it);
	}
	return 0;
}

static void control(struct sim_server *s, const char *method, const char *url,
		    const char *body, size_t body_len, int *status, struct strbuf *out,
		    const char **allow)
{
	struct jsonw w;
	char err[256];

	strbuf_reset(out);
	jsonw_init(&w, out);
	*status = 200;
	if (!strcmp(url, "/_sim/faults")) {
		*allow = "GET, POST, DELETE";
		if (!strcmp(method, "POST")) {
			cJSON *j = json_parse_exact(body, body_len, err, sizeof(err));
			struct sim_faults f;
			int rc;

			pthread_mutex_lock(&s->lock);
			f = s->faults;
			rc = j ? faults_update(&f, j, err, sizeof(err)) : -1;
			if (rc == 0)
				s->faults = f;
			pthread_mutex_unlock(&s->lock);
			cJSON_Delete(j);
			if (rc < 0) {
				*status = 400;
				write_error(out, "Invalid faults", err);
				return;
			}
		} else if (!strcmp(method, "DELETE")) {
			pthread_mutex_lock(&s->lock);
			memset(&s->faults, 0, sizeof(s->faults));
			pthread_mutex_unlock(&s->lock);
		} else if (strcmp(method, "GET")) {
			*status = 405;
			write_error(out, "Method not allowed", "use GET, POST or DELETE");
			return;
		}
		pthread_mutex_lock(&s->lock);
		write_faults(&w, &s->faults);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (!strcmp(url, "/_sim/reset")) {
		struct sim_exp *e;

		*allow = "POST";
		if (strcmp(method, "POST")) {
			*status = 405;
			write_error(out, "Method not allowed", "use POST");
			return;
		}
		pthread_mutex_lock(&s->lock);
		for (e = s->exps; e; e = e->next)
			memset(e->polls, 0, sizeof(e->polls));
		pthread_mutex_unlock(&s->lock);
		jsonw_obj_begin(&w);
		jsonw_kbool(&w, "reset", 1);
		jsonw_obj_end(&w);
		return;
	}
	*status = 404;
	write_error(out, "Not found", "control endpoints: /_sim/faults, /_sim/reset");
}

/* ---- libmicrohttpd glue ---- */

struct conn_ctx {
	struct strbuf body;
	struct timespec started;
};

/* Sleeps ms, or less when the server stops. */
static void delay(struct sim_server *s, int64_t ms)
{
	struct timespec dl = mono_after_ms(ms);

	pthread_mutex_lock(&s->lock);
	while (!s->stopping)
		if (pthread_cond_timedwait(&s->wake, &s->lock, &dl) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result send_answer(struct MHD_Connection *conn, int status, struct strbuf *body,
				   const char *allow)
{
	struct MHD_Response *res;
	enum MHD_Result ret;
	size_t len;
	char *data = strbuf_detach(body, &len);

	if (!data)
		return MHD_NO;
	res = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!res) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (allow && status == 405)
		MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, (unsigned int)status, res);
	MHD_destroy_response(res);
	return ret;
}

static const char malformed_body[] =
	"{\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\",\"model\":{\"rows\":[{\"entryId\":1,"
	"\"states\":[}]]}";

/*
 * A TSP request through dispatch() into out: its status, and for a 405 the
 * Allow value in allow. f: the faults that change models, NULL for none.
 */
static int serve_tsp(struct sim_server *s, struct MHD_Connection *conn, const char *method,
		     const char *url, const struct strbuf *body, const struct sim_faults *f,
		     struct strbuf *out, char *allow, size_t allow_len)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.conn = conn;
	r.method = method;
	r.body = strbuf_str(body);
	r.body_len = body->len;
	r.fault_running = f && f->running_forever;
	r.fault_failed = f && f->analysis_failed;
	r.fault_bad_exps = f && f->bad_experiments;
	dispatch(&r, url, out);
	if (r.status == 405)
		snprintf(allow, allow_len, "%s", r.allow);
	return r.status;
}

/* The faults that spoil an answer once made, applied to out; the status it then has. */
static int spoil_answer(const struct sim_faults *f, const char *url, int status, struct strbuf *out)
{
	/* A byte that is no UTF-8 (0xC3 then 'n') and a NUL inside one thread name. */
	if ((f->bad_utf8 && ends_with(url, "/tree") && status == 200 &&
	     replace_all(out, "\"nginx\"", "\"ngi\xc3nx\\u0000tail\"") < 0) ||
	    (f->junk_kb && status == 200 && add_junk(out, f->junk_kb) < 0) ||
	    (f->inline_color[0] && ends_with(url, "/states") && status == 200 &&
	     inline_color(out, f->inline_color) < 0)) {
		status = 500;
		strbuf_reset(out);
		write_error(out, "Internal Server Error", "out of memory");
	}
	if (f->malformed_json) {
		strbuf_reset(out);
		strbuf_add(out, malformed_body, sizeof(malformed_body) - 1);
	} else if (f->truncate) {
		out->len = out->len > 1 ? out->len / 2 : 0;
		if (out->buf)
			out->buf[out->len] = '\0';
	}
	return status;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct sim_server *s = cls;
	struct conn_ctx *ctx = *con_cls;
	struct strbuf out;
	struct sim_faults f;
	const char *allow = NULL;
	char allow_buf[64];
	enum MHD_Result ret = MHD_NO;
	int status, faulty, dropped = 0;

	(void)version;
	if (!ctx) {
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		strbuf_init(&ctx->body, MAX_BODY);
		ctx->started = mono_now();
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->body.overflow)
			strbuf_add(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	strbuf_init(&out, MAX_RESPONSE);
	if (!strncmp(url, "/_sim/", 6)) {
		control(s, method, url, strbuf_str(&ctx->body), ctx->body.len, &status, &out, &allow);
		goto answer;
	}
	pthread_mutex_lock(&s->lock);
	f = s->faults;
	pthread_mutex_unlock(&s->lock);
	faulty = !f.path_filter[0] || strstr(url, f.path_filter);
	if (faulty && f.latency_ms > 0)
		delay(s, f.latency_ms);
	if (faulty && f.drop_connection) {
		dropped = 1;
		goto log;
	}
	if (faulty && f.http_500) {
		status = 500;
		write_error(&out, "Internal Server Error", "fault injected by tspsim (http_500)");
		goto answer;
	}
	if (faulty && f.style_status && ends_with(url, "/style")) {
		status = f.style_status;
		write_error(&out, "Not Found", "fault injected by tspsim (style_status): no /style here");
		goto answer;
	}
	if (ctx->body.overflow) {
		status = 400;
		write_error(&out, "Invalid request body", "the body is larger than 64 MiB");
		goto answer;
	}
	status = serve_tsp(s, conn, method, url, &ctx->body, faulty ? &f : NULL, &out, allow_buf,
			   sizeof(allow_buf));
	if (status == 405)
		allow = allow_buf;
	if (faulty)
		status = spoil_answer(&f, url, status, &out);
answer:
	ret = send_answer(conn, status, &out, allow);
log:
	if (!s->cfg.quiet && dropped)
		fprintf(stderr, "tspsim: %s %s -> connection dropped (%.2f ms)\n", method, url,
			mono_elapsed_ms(&ctx->started));
	else if (!s->cfg.quiet)
		fprintf(stderr, "tspsim: %s %s -> %d (%.2f ms)\n", method, url, status,
			mono_elapsed_ms(&ctx->started));
	strbuf_release(&out);
	return dropped ? MHD_NO : ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	strbuf_release(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tspsim: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static void registry_free(struct sim_server *s)
{
	while (s->exps) {
		struct sim_exp *e = s->exps;

		s->exps = e->next;
		exp_unref(e);
	}
	while (s->traces) {
		struct sim_trace *t = s->traces;

		s->traces = t->next;
		trace_unref(t);
	}
}

struct sim_server *sim_server_start(const struct sim_config *cfg, char *err, size_t errlen)
{
	struct sim_server *s = calloc(1, sizeof(*s));
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct sockaddr_in6 sa6;
	struct sockaddr_in sa4;
	struct sockaddr *sa;
	pthread_condattr_t ca;
	struct sim_trace *t;
	struct sim_exp *e;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->faults = cfg->faults;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);

	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, cfg->listen, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, cfg->listen, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen address '%s' is not an IPv4 or IPv6 address", cfg->listen);
		goto fail;
	}

	/* The start-up trace and experiment exist before the port is announced. */
	t = trace_new(&cfg->wl, SIM_STARTUP_NAME, SIM_STARTUP_PATH);
	if (!t) {
		snprintf(err, errlen, "out of memory generating the workload");
		goto fail;
	}
	trace_append(s, t);
	e = exp_new(SIM_STARTUP_NAME, &t, 1);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	exp_append(s, e);

	/* The logger goes first so that MHD reports nothing by itself. */
	s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
				     MHD_OPTION_SOCK_ADDR, sa,
				     MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections ? cfg->max_connections : 1024u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 120u,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s port %d (in use, or not permitted?)",
			 cfg->listen, cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info && info->port ? info->port : cfg->port;
	return s;
fail:
	registry_free(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return NULL;
}

int sim_server_port(const struct sim_server *s)
{
	return s->port;
}

void sim_server_stop(struct sim_server *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	MHD_stop_daemon(s->daemon);
	registry_free(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
