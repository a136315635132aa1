#include "models.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_int.h"
#include "kernel.h"
#include "jsonw.h"
#include "strbuf.h"

/* ---- outputs ---- */

static const struct out_desc outputs[OUT_COUNT] = {
	[OUT_CPU_USAGE] = {
		"org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider",
		"CPU Usage",
		"Show the CPU usage of a Linux kernel trace, returns the CPU usage per process/thread",
		"TREE_TIME_XY", model_xy_tree, model_xy,
	},
	[OUT_THREAD_STATUS] = {
		"org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ThreadStatusDataProvider",
		"Thread Status",
		"Show the hierarchy of Linux threads and their status (RUNNING, SYSCALL, IRQ, IDLE)",
		"TIME_GRAPH", model_tg_tree, model_tg_states, model_tg_arrows, model_tg_tooltip,
	},
	[OUT_EVENTS] = {
		"org.eclipse.tracecompass.internal.provisional.tmf.core.model.events.TmfEventTableDataProvider",
		"Events Table",
		"Show the raw events in table form for a given trace",
		"TABLE", NULL, model_table_lines, .columns = model_table_columns,
	},
	[OUT_STATISTICS] = {
		"org.eclipse.tracecompass.internal.tmf.core.statistics.provider.TmfStatisticsDataProvider",
		"Statistics",
		"Show the number of events of each type in the trace or the selected time range",
		"DATA_TREE", model_stats_tree,
	},
	[OUT_HISTOGRAM] = {
		"org.eclipse.tracecompass.internal.tmf.core.histogram.HistogramDataProvider",
		"Histogram",
		"Show the number of events over time",
		"TREE_TIME_XY", model_hist_tree, model_hist_xy,
	},
	[OUT_RESOURCES] = {
		"org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ResourcesStatusDataProvider",
		"Resources Status",
		"Show the state of CPUs (SYSCALL, RUNNING, IRQ, SOFT_IRQ or IDLE) and its IRQs/SOFT_IRQs "
		"as well as its frequency.",
		"TIME_GRAPH", res_tree, res_states, res_arrows, res_tooltip,
	},
	[OUT_LAT_SCATTER] = {
		"org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.scatter.dataprovider:"
		KERNEL_SYSCALL_ANALYSIS,
		"System Call Latency - Latency vs Time",
		"Show latencies provided by Analysis module: System Call Latency",
		"TREE_TIME_XY", lat_scatter_tree, lat_scatter_xy,
	},
	[OUT_LAT_STATS] = {
		"org.eclipse.tracecompass.analysis.timing.core.segmentstore.SegmentStoreStatisticsDataProvider:"
		KERNEL_SYSCALL_ANALYSIS,
		"System Call Latency - Latency Statistics",
		"Show latency statistics provided by Analysis module: System Call Latency",
		"DATA_TREE", lat_stats_tree,
	},
	[OUT_LAT_DENSITY] = {
		"org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.SegmentStoreDensityDataProvider:"
		KERNEL_SYSCALL_ANALYSIS,
		"System Call Latency - Latency Density",
		"Shows latency density distribution by Analysis module: System Call Latency",
		"TREE_GENERIC_XY", lat_density_tree, lat_density_xy,
	},
	[OUT_DISK_IO] = {
		"org.eclipse.tracecompass.analysis.os.linux.core.inputoutput.DisksIODataProvider",
		"Disk I/O View",
		"Show the input and output throughput for each drive on a machine",
		"TREE_TIME_XY", disk_tree, disk_xy,
	},
	[OUT_MEMORY] = {
		"org.eclipse.tracecompass.analysis.os.linux.core.kernelmemoryusage",
		"Memory Usage",
		"Show the relative memory usage in the Linux kernel by process, can be filtered to show "
		"only the processes which were active on a time range",
		"TREE_TIME_XY", mem_tree, mem_xy,
	},
	[OUT_CRITICAL_PATH] = {
		"org.eclipse.tracecompass.analysis.graph.core.dataprovider.CriticalPathDataProvider",
		"Critical Path",
		"Show the critical path of a thread (parameter tid): what it ran, waited for and who woke it",
		"TIME_GRAPH", cp_tree, cp_states, cp_arrows, cp_tooltip,
	},
	[OUT_LAT_TABLE] = {
		"org.eclipse.tracecompass.analysis.timing.core.segmentstore.SegmentStoreTableDataProvider:"
		KERNEL_SYSCALL_ANALYSIS,
		"System Call Latency - Latency Table",
		"Show latency table provided by Analysis module: System Call Latency",
		"TABLE", NULL, lat_table_lines, .columns = lat_table_columns,
	},
};

const struct out_desc *model_output(int idx)
{
	return idx >= 0 && idx < OUT_COUNT ? &outputs[idx] : NULL;
}

int model_output_find(const char *id)
{
	int i;

	for (i = 0; i < OUT_COUNT; i++)
		if (!strcmp(outputs[i].id, id))
			return i;
	return -1;
}

void model_output_desc(struct jsonw *w, int out)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", outputs[out].id);
	jsonw_kstr(w, "name", outputs[out].name);
	jsonw_kstr(w, "description", outputs[out].description);
	jsonw_kstr(w, "type", outputs[out].type);
	jsonw_obj_end(w);
}

void model_outputs(struct jsonw *w)
{
	int i;

	jsonw_arr_begin(w);
	for (i = 0; i < OUT_COUNT; i++)
		model_output_desc(w, i);
	jsonw_arr_end(w);
}

/* ---- views, ids ---- */

int64_t model_known_end(const struct model_view *v, const struct workload *wl)
{
	if (!v->progress_den)
		return wl->end;
	return wl->start + (int64_t)((__int128)(wl->end - wl->start) * v->progress_num /
				     v->progress_den);
}

static int64_t view_start(const struct model_view *v)
{
	int64_t s = INT64_MAX;
	size_t k;

	for (k = 0; k < v->n; k++)
		if (v->wl[k]->start < s)
			s = v->wl[k]->start;
	return s;
}

static int64_t view_end(const struct model_view *v)
{
	int64_t e = INT64_MIN;
	size_t k;

	for (k = 0; k < v->n; k++)
		if (v->wl[k]->end > e)
			e = v->wl[k]->end;
	return e;
}

static int64_t block_size(int out, const struct workload *wl)
{
	switch (out) {
	case OUT_CPU_USAGE:
		return 2 + (int64_t)wl->n_threads;
	case OUT_THREAD_STATUS:
		return 1 + (int64_t)wl->n_threads;
	case OUT_EVENTS:
	case OUT_STATISTICS:
	case OUT_HISTOGRAM:
		return 1 + WL_N_EVENT_TYPES;
	default:
		return kernel_block_size(out, wl);
	}
}

static int64_t entry_base(const struct model_view *v, int out, size_t k)
{
	int64_t base = 0;
	size_t i;

	for (i = 0; i < k; i++)
		base += block_size(out, v->wl[i]);
	return base;
}

/* Which trace owns entry `id` of output `out`; *local is the id within its block. */
static int find_entry(const struct model_view *v, int out, int64_t id, size_t *k, int64_t *local)
{
	int64_t base = 0;
	size_t i;

	if (id < 0)
		return -1;
	for (i = 0; i < v->n; i++) {
		int64_t b = block_size(out, v->wl[i]);

		if (id < base + b) {
			*k = i;
			*local = id - base;
			return 0;
		}
		base += b;
	}
	return -1;
}

int64_t model_entry_base(const struct model_view *v, int out, size_t k)
{
	return entry_base(v, out, k);
}

int model_find_entry(const struct model_view *v, int out, int64_t id, size_t *k, int64_t *local)
{
	return find_entry(v, out, id, k, local);
}

int model_merge_events(const struct workload *const *wl, size_t n,
		       struct wl_ref **out, size_t *n_out)
{
	size_t total = 0, i, k, *pos = NULL;
	struct wl_ref *m = NULL;

	*out = NULL;
	*n_out = 0;
	for (k = 0; k < n; k++)
		total += wl[k]->n_events;
	pos = calloc(n ? n : 1, sizeof(*pos));
	m = malloc((total ? total : 1) * sizeof(*m));
	if (!pos || !m) {
		free(pos);
		free(m);
		return -1;
	}
	/* Few traces per experiment: a linear pick of the earliest head is enough. */
	for (i = 0; i < total; i++) {
		size_t best = n;

		for (k = 0; k < n; k++) {
			if (pos[k] == wl[k]->n_events)
				continue;
			if (best == n || wl[k]->events[pos[k]].ts < wl[best]->events[pos[best]].ts)
				best = k;
		}
		m[i].trace = (uint32_t)best;
		m[i].index = (uint32_t)pos[best]++;
	}
	free(pos);
	*out = m;
	*n_out = total;
	return 0;
}

static size_t view_n_events(const struct model_view *v)
{
	return v->merged ? v->n_merged : (v->n ? v->wl[0]->n_events : 0);
}

static const struct wl_event *view_event(const struct model_view *v, size_t i, size_t *k)
{
	if (v->merged) {
		*k = v->merged[i].trace;
		return &v->wl[*k]->events[v->merged[i].index];
	}
	*k = 0;
	return &v->wl[0]->events[i];
}

static size_t view_first_event_at(const struct model_view *v, int64_t ts)
{
	size_t lo = 0, hi = view_n_events(v), k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (view_event(v, mid, &k)->ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- query parsing ---- */

void query_init(struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->nb_times = Q_DEFAULT_NB_TIMES;
	arena_init(&q->arena);
}

void query_release(struct query *q)
{
	arena_release(&q->arena);
	query_init(q);
}

/* A member, with JSON null taken as absent. */
static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsNull(m) ? NULL : m;
}

static int get_int(const cJSON *item, const char *path, int64_t *v, char *err, size_t errlen)
{
	int rc = json_get_int64(item, v);

	if (rc != JSON_OK) {
		snprintf(err, errlen, "parameters.%s: %s (an integer is expected)", path,
			 json_int_strerror(rc));
		return -1;
	}
	return 0;
}

static int get_int_array(struct query *q, const cJSON *a, const char *path,
			 int64_t **out, size_t *n, char *err, size_t errlen)
{
	const cJSON *it;
	size_t i = 0;
	int len;

	if (!cJSON_IsArray(a)) {
		snprintf(err, errlen, "parameters.%s: an array of integers is expected", path);
		return -1;
	}
	len = cJSON_GetArraySize(a);
	*out = arena_calloc(&q->arena, (size_t)len + 1, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(it, a) {
		char p[96];

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (get_int(it, p, &(*out)[i], err, errlen) < 0)
			return -1;
		i++;
	}
	*n = i;
	return 0;
}

static int parse_range(struct query *q, const cJSON *r, char *err, size_t errlen)
{
	const cJSON *s = member(r, "start"), *e = member(r, "end"), *nb = member(r, "nbTimes");
	int64_t v;

	if (!nb)
		nb = member(r, "nbSamples");    /* GenericTimeRange (generic XY) */

	if (!cJSON_IsObject(r)) {
		snprintf(err, errlen, "parameters.requested_timerange: an object is expected");
		return -1;
	}
	if (!s || !e) {
		snprintf(err, errlen, "parameters.requested_timerange: 'start' and 'end' are required");
		return -1;
	}
	if (get_int(s, "requested_timerange.start", &q->start, err, errlen) < 0 ||
	    get_int(e, "requested_timerange.end", &q->end, err, errlen) < 0)
		return -1;
	if (q->start > q->end) {
		snprintf(err, errlen, "parameters.requested_timerange: start %" PRId64
			 " is after end %" PRId64, q->start, q->end);
		return -1;
	}
	if (nb) {
		if (get_int(nb, "requested_timerange.nbTimes", &v, err, errlen) < 0)
			return -1;
		if (v < 1 || v > Q_MAX_NB_TIMES) {
			snprintf(err, errlen, "parameters.requested_timerange.nbTimes: %" PRId64
				 " is outside 1..%d", v, Q_MAX_NB_TIMES);
			return -1;
		}
		q->nb_times = (int)v;
	}
	q->present |= Q_RANGE;
	return 0;
}

static int parse_element(struct query *q, const cJSON *el, char *err, size_t errlen)
{
	const cJSON *type = member(el, "elementType"), *t = member(el, "time");
	const cJSON *d = member(el, "duration"), *id = member(el, "entryId");
	const cJSON *dest = member(el, "destinationId");
	const char *ts;

	if (!cJSON_IsObject(el)) {
		snprintf(err, errlen, "parameters.requested_element: an object is expected");
		return -1;
	}
	ts = json_get_string(type);
	if (!ts || !t || !d) {
		snprintf(err, errlen, "parameters.requested_element: 'elementType' (string), "
			 "'time' and 'duration' are required");
		return -1;
	}
	/* The spec's own example writes "state": accept any case. */
	if (!strcasecmp(ts, "STATE"))
		q->elem_type = ELEM_STATE;
	else if (!strcasecmp(ts, "ANNOTATION"))
		q->elem_type = ELEM_ANNOTATION;
	else if (!strcasecmp(ts, "ARROW"))
		q->elem_type = ELEM_ARROW;
	else {
		snprintf(err, errlen, "parameters.requested_element.elementType: '%s' is not "
			 "STATE, ANNOTATION or ARROW", ts);
		return -1;
	}
	if (get_int(t, "requested_element.time", &q->elem_time, err, errlen) < 0 ||
	    get_int(d, "requested_element.duration", &q->elem_duration, err, errlen) < 0)
		return -1;
	if (id) {
		if (get_int(id, "requested_element.entryId", &q->elem_entry, err, errlen) < 0)
			return -1;
		q->has_elem_entry = 1;
	}
	if (dest) {
		if (get_int(dest, "requested_element.destinationId", &q->elem_dest, err, errlen) < 0)
			return -1;
		q->has_elem_dest = 1;
	}
	q->present |= Q_ELEMENT;
	return 0;
}

static int parse_strings(struct query *q, const cJSON *a, char *err, size_t errlen)
{
	const cJSON *it;
	size_t i = 0;

	if (!cJSON_IsArray(a)) {
		snprintf(err, errlen, "parameters.requested_marker_categories: an array of strings is expected");
		return -1;
	}
	q->categories = arena_calloc(&q->arena, (size_t)cJSON_GetArraySize(a) + 1,
				     sizeof(*q->categories));
	if (!q->categories) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(it, a) {
		const char *s = json_get_string(it);

		if (!s) {
			snprintf(err, errlen, "parameters.requested_marker_categories[%zu]: a string is expected", i);
			return -1;
		}
		q->categories[i++] = s;
	}
	q->n_categories = i;
	q->has_categories = 1;
	return 0;
}

int query_parse(struct query *q, const cJSON *params, unsigned need, char *err, size_t errlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ Q_RANGE, "requested_timerange" }, { Q_ITEMS, "requested_items" },
		{ Q_TIMES, "requested_times" }, { Q_ELEMENT, "requested_element" },
		{ Q_COUNT, "requested_table_count" },
	};
	const cJSON *m;
	int64_t v;
	size_t i;

	if (!cJSON_IsObject(params)) {
		snprintf(err, errlen, "'parameters' must be an object");
		return -1;
	}
	if ((m = member(params, "requested_timerange")) && parse_range(q, m, err, errlen) < 0)
		return -1;
	if ((m = member(params, "requested_items"))) {
		if (get_int_array(q, m, "requested_items", &q->items, &q->n_items, err, errlen) < 0)
			return -1;
		q->present |= Q_ITEMS;
	}
	if ((m = member(params, "requested_times"))) {
		if (get_int_array(q, m, "requested_times", &q->times, &q->n_times, err, errlen) < 0)
			return -1;
		q->present |= Q_TIMES;
	}
	if ((m = member(params, "requested_element")) && parse_element(q, m, err, errlen) < 0)
		return -1;
	if ((m = member(params, "requested_table_index"))) {
		if (get_int(m, "requested_table_index", &q->index, err, errlen) < 0)
			return -1;
		if (q->index < 0) {
			snprintf(err, errlen, "parameters.requested_table_index: %" PRId64 " is negative",
				 q->index);
			return -1;
		}
		q->has_index = 1;
	}
	if ((m = member(params, "requested_table_count"))) {
		if (get_int(m, "requested_table_count", &v, err, errlen) < 0)
			return -1;
		if (v < 0 || v > INT32_MAX) {
			snprintf(err, errlen, "parameters.requested_table_count: %" PRId64
				 " is outside 0..%d", v, INT32_MAX);
			return -1;
		}
		q->count = v;
		q->present |= Q_COUNT;
	}
	if ((m = member(params, "requested_table_column_ids"))) {
		if (get_int_array(q, m, "requested_table_column_ids", &q->columns, &q->n_columns,
				  err, errlen) < 0)
			return -1;
		q->has_columns = 1;
	}
	if ((m = member(params, "requested_marker_set"))) {
		if (!(q->marker_set = json_get_string(m))) {
			snprintf(err, errlen, "parameters.requested_marker_set: a string is expected");
			return -1;
		}
	}
	if ((m = member(params, "requested_marker_categories")) && parse_strings(q, m, err, errlen) < 0)
		return -1;
	if ((m = member(params, "tid"))) {
		if (get_int(m, "tid", &q->tid, err, errlen) < 0)
			return -1;
		q->has_tid = 1;
	}
	if ((m = member(params, "isFiltered"))) {
		if (!cJSON_IsBool(m)) {
			snprintf(err, errlen, "parameters.isFiltered: a boolean is expected");
			return -1;
		}
		q->is_filtered = cJSON_IsTrue(m);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((need & names[i].bit) && !(q->present & names[i].bit)) {
			snprintf(err, errlen, "parameters.%s is required", names[i].name);
			return -1;
		}
	}
	if ((need & Q_TIMES) && !q->n_times) {
		snprintf(err, errlen, "parameters.requested_times must not be empty");
		return -1;
	}
	return 0;
}

/* ---- shared writers ---- */

void mw_header(struct jsonw *w, const char *name, const char *tooltip, const char *type)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", name);
	jsonw_kstr(w, "tooltip", tooltip);
	if (type)
		jsonw_kstr(w, "dataType", type);
	jsonw_obj_end(w);
}

void mw_style_ref(struct jsonw *w, const char *parent)
{
	jsonw_key(w, "style");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "parentKey", parent);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void mw_label_int(struct jsonw *w, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	jsonw_str(w, buf);
}

/* The requested range, or the trace's whole range; clipped to what is known. */
void model_range(const struct model_view *v, const struct workload *wl,
		 const struct query *q, int64_t *a, int64_t *b)
{
	int64_t ke = model_known_end(v, wl);

	*a = (q->present & Q_RANGE) ? q->start : wl->start;
	*b = (q->present & Q_RANGE) ? q->end : wl->end;
	if (*a < wl->start)
		*a = wl->start;
	if (*b > ke)
		*b = ke;
	if (*a > *b)
		*a = *b;
}

void mw_kv_int(struct jsonw *w, const char *key, int64_t value)
{
	jsonw_key(w, key);
	mw_label_int(w, value);
}

void mw_axis(struct jsonw *w, const char *key, const char *label, const char *unit,
		       const char *type)
{
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "label", label);
	jsonw_kstr(w, "unit", unit);
	jsonw_kstr(w, "dataType", type);
	jsonw_obj_end(w);
}

/*
 * A tree model: {"autoExpandLevel": expand, "entries": [ ... ], "headers": [ ... ]}.
 * begin opens the entries, headers closes them and opens the headers, end closes the model.
 */
void mw_tree_begin(struct jsonw *w, int expand)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "autoExpandLevel", expand);
	jsonw_key(w, "entries");
	jsonw_arr_begin(w);
}

void mw_tree_headers(struct jsonw *w)
{
	jsonw_arr_end(w);
	jsonw_key(w, "headers");
	jsonw_arr_begin(w);
}

void mw_tree_end(struct jsonw *w)
{
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

/* First sample index in [from, n) whose time is >= ts (n if none). */
int model_first_sample_from(const struct query *q, int from, int64_t ts)
{
	int lo = from, hi = q->nb_times;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (wl_sample_time(q->start, q->end, q->nb_times, mid) < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * On-CPU time of t before each of the sorted points pts[0..np), clamped to
 * [.., limit]. A walk over the intervals, galloping by binary search when far.
 */
static void busy_at_points(const struct workload *wl, const struct wl_thread *t,
			   const int64_t *pts, size_t np, int64_t limit, int64_t *out)
{
	size_t k = 0, i;

	for (i = 0; i < np; i++) {
		int64_t ts = pts[i] < limit ? pts[i] : limit;

		if (!t->n_iv || ts < t->iv[0].start) {
			out[i] = 0;
			continue;
		}
		if (k + 64 < t->n_iv && t->iv[k + 64].start <= ts) {
			ptrdiff_t at = wl_interval_at(wl, t, ts);

			k = at < 0 ? t->n_iv - 1 : (size_t)at;
		} else {
			while (k + 1 < t->n_iv && t->iv[k + 1].start <= ts)
				k++;
		}
		out[i] = t->busy[k] + (wl_is_busy_state(t->iv[k].state) ? ts - t->iv[k].start : 0);
	}
}

static void format_pct(char *buf, size_t len, int64_t busy, int64_t span, int cpus)
{
	double pct = span > 0 ? 100.0 * (double)busy / ((double)span * cpus) : 0.0;

	snprintf(buf, len, "%.3f %%", pct);
}

/* ---- CPU Usage (TREE_TIME_XY) ---- */

int model_xy_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen)
{
	size_t k, j;

	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	jsonw_key(w, "entries");
	jsonw_arr_begin(w);
	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t base = entry_base(v, OUT_CPU_USAGE, k), a, b, total = 0;
		int64_t pts[2], bz[2];
		char pct[32], dur[48];

		model_range(v, wl, q, &a, &b);
		pts[0] = a;
		pts[1] = b;
		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", base);
		jsonw_kint64(w, "parentId", -1);
		jsonw_key(w, "labels");
		jsonw_arr_begin(w);
		jsonw_str(w, wl->name);
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_arr_end(w);
		jsonw_kbool(w, "hasData", 0);
		jsonw_obj_end(w);
		for (j = 0; j < wl->n_threads; j++) {
			busy_at_points(wl, &wl->threads[j], pts, 2, b, bz);
			total += bz[1] - bz[0];
		}
		format_pct(pct, sizeof(pct), total, b - a, wl->params.cpus);
		wl_format_duration(total, dur, sizeof(dur));
		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", base + 1);
		jsonw_kint64(w, "parentId", base);
		jsonw_key(w, "labels");
		jsonw_arr_begin(w);
		jsonw_str(w, "Total");
		jsonw_str(w, "");
		jsonw_str(w, pct);
		jsonw_str(w, dur);
		jsonw_arr_end(w);
		jsonw_kbool(w, "hasData", 1);
		jsonw_kbool(w, "isDefault", 1);
		jsonw_obj_end(w);
		for (j = 0; j < wl->n_threads; j++) {
			const struct wl_thread *t = &wl->threads[j];

			busy_at_points(wl, t, pts, 2, b, bz);
			format_pct(pct, sizeof(pct), bz[1] - bz[0], b - a, wl->params.cpus);
			wl_format_duration(bz[1] - bz[0], dur, sizeof(dur));
			jsonw_obj_begin(w);
			jsonw_kint64(w, "id", base + 2 + (int64_t)j);
			jsonw_kint64(w, "parentId", base);
			jsonw_key(w, "labels");
			jsonw_arr_begin(w);
			jsonw_str(w, t->comm);
			mw_label_int(w, t->tid);
			jsonw_str(w, pct);
			jsonw_str(w, dur);
			jsonw_arr_end(w);
			jsonw_kbool(w, "hasData", 1);
			jsonw_obj_end(w);
		}
	}
	mw_tree_headers(w);
	mw_header(w, "Process", "Process or thread name", "STRING");
	mw_header(w, "TID", "Thread ID", "NUMBER");
	mw_header(w, "%", "CPU usage over the range, all CPUs = 100 %", "NUMBER");
	mw_header(w, "Time", "Time on CPU over the range", "DURATION");
	mw_tree_end(w);
	return 0;
}

/*
 * One CPU usage series: sample i, at x[i], is the usage over (pts[i],
 * pts[i + 1]], acc[] the busy ns up to each point.
 */
static void write_usage_series(struct jsonw *w, int64_t id, const char *name, const int64_t *x,
			       const int64_t *pts, const int64_t *acc, size_t n,
			       const struct workload *wl, int64_t limit)
{
	static const char *const palette[] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
	};
	size_t i;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "seriesId", id);
	jsonw_kstr(w, "seriesName", name);
	jsonw_key(w, "xValues");
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_int64(w, x[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "yValues");
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++) {
		/* Normalised by the part of the step the trace has data for. */
		int64_t lo = pts[i] > wl->start ? pts[i] : wl->start;
		int64_t hi = pts[i + 1] < limit ? pts[i + 1] : limit;
		double span = (double)hi - (double)lo;

		jsonw_double(w, span > 0 ? 100.0 * (double)(acc[i + 1] - acc[i]) /
					   (span * wl->params.cpus) : 0.0);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "style");
	jsonw_obj_begin(w);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "series-type", "line");
	jsonw_kstr(w, "color", palette[(uint64_t)id % 8]);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
	mw_axis(w, "xValuesDescription", "Time", "ns", "TIMESTAMP");
	mw_axis(w, "yValuesDescription", "CPU usage", "%", "NUMBER");
	jsonw_obj_end(w);
}

int model_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
	     char *err, size_t errlen)
{
	size_t n = (size_t)q->nb_times, np = n + 1, i, it, k, j;
	int64_t *x = NULL, *pts = NULL, *acc = NULL, *bz = NULL;
	int ret = -1;

	x = malloc(n * sizeof(*x));
	pts = malloc(np * sizeof(*pts));
	acc = malloc(np * sizeof(*acc));
	bz = malloc(np * sizeof(*bz));
	if (!x || !pts || !acc || !bz) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		x[i] = wl_sample_time(q->start, q->end, (int)n, (int)i);
	/* Sample i is the usage over (pts[i], pts[i+1]]: the step ending at x[i]. */
	if (n == 1) {
		pts[0] = q->start;
		pts[1] = q->end;
	} else {
		int64_t step = wl_sample_time(q->start, q->end, (int)n, 1) - q->start;

		pts[0] = q->start >= INT64_MIN + step ? q->start - step : INT64_MIN;
		for (i = 0; i < n; i++)
			pts[i + 1] = x[i];
	}

	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "CPU Usage");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		const struct workload *wl;
		int64_t local, limit;
		char name[96];

		if (find_entry(v, OUT_CPU_USAGE, q->items[it], &k, &local) < 0 || local == 0)
			continue;       /* unknown ids and trace roots have no series */
		wl = v->wl[k];
		limit = model_known_end(v, wl);
		if (local == 1) {
			memset(acc, 0, np * sizeof(*acc));
			for (j = 0; j < wl->n_threads; j++) {
				busy_at_points(wl, &wl->threads[j], pts, np, limit, bz);
				for (i = 0; i < np; i++)
					acc[i] += bz[i];
			}
			snprintf(name, sizeof(name), "Total");
		} else {
			const struct wl_thread *t = &wl->threads[local - 2];

			busy_at_points(wl, t, pts, np, limit, acc);
			snprintf(name, sizeof(name), "%s (%" PRId32 ")", t->comm, t->tid);
		}
		write_usage_series(w, q->items[it], name, x, pts, acc, n, wl, limit);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	ret = 0;
out:
	free(x);
	free(pts);
	free(acc);
	free(bz);
	return ret;
}

/* ---- Thread Status (TIME_GRAPH) ---- */

static int64_t tg_thread_id(const struct workload *wl, int64_t base, size_t j)
{
	(void)wl;
	return base + 1 + (int64_t)j;
}

int model_tg_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen)
{
	size_t k, j;

	(void)q;
	(void)err;
	(void)errlen;
	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t base = entry_base(v, OUT_THREAD_STATUS, k), ke = model_known_end(v, wl);

		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", base);
		jsonw_kint64(w, "parentId", -1);
		jsonw_key(w, "labels");
		jsonw_arr_begin(w);
		jsonw_str(w, wl->name);
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_str(w, "");
		jsonw_arr_end(w);
		jsonw_kint64(w, "start", wl->start);
		jsonw_kint64(w, "end", ke);
		jsonw_kbool(w, "hasData", 0);
		jsonw_obj_end(w);
		for (j = 0; j < wl->n_threads; j++) {
			const struct wl_thread *t = &wl->threads[j];
			int is_main = t->main == (int32_t)j;

			jsonw_obj_begin(w);
			jsonw_kint64(w, "id", tg_thread_id(wl, base, j));
			/* Threads hang under their process's main thread, as in Trace Compass. */
			jsonw_kint64(w, "parentId", is_main ? base : tg_thread_id(wl, base, (size_t)t->main));
			jsonw_key(w, "labels");
			jsonw_arr_begin(w);
			jsonw_str(w, t->comm);
			mw_label_int(w, t->tid);
			mw_label_int(w, t->pid);
			mw_label_int(w, t->ppid);
			jsonw_arr_end(w);
			jsonw_kint64(w, "start", wl->start);
			jsonw_kint64(w, "end", ke);
			jsonw_kbool(w, "hasData", 1);
			jsonw_key(w, "metadata");
			jsonw_obj_begin(w);
			jsonw_key(w, "pid");
			jsonw_arr_begin(w);
			jsonw_int64(w, t->pid);
			jsonw_arr_end(w);
			jsonw_key(w, "tid");
			jsonw_arr_begin(w);
			jsonw_int64(w, t->tid);
			jsonw_arr_end(w);
			jsonw_key(w, "exec_name");
			jsonw_arr_begin(w);
			jsonw_str(w, t->comm);
			jsonw_arr_end(w);
			jsonw_obj_end(w);
			jsonw_obj_end(w);
		}
	}
	mw_tree_headers(w);
	mw_header(w, "Process", "Thread name (exec name)", "STRING");
	mw_header(w, "TID", "Thread ID", "NUMBER");
	mw_header(w, "PID", "Process ID", "NUMBER");
	mw_header(w, "PTID", "Parent thread ID", "NUMBER");
	mw_tree_end(w);
	return 0;
}

static void write_state(struct jsonw *w, const struct wl_interval *iv, int64_t end)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "start", iv->start);
	jsonw_kint64(w, "end", end);
	if (iv->state == WL_ST_SYSCALL)
		jsonw_kstr(w, "label", wl_syscall_name(iv->aux));
	else if (iv->state == WL_ST_INTERRUPTED)
		jsonw_kstr(w, "label", wl_irq_name(iv->aux));
	mw_style_ref(w, wl_state_key(iv->state));
	jsonw_obj_end(w);
}

int model_tg_states(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen)
{
	size_t it, k;

	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	jsonw_key(w, "rows");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		const struct workload *wl;
		const struct wl_thread *t;
		int64_t local, ke;
		int i;

		if (find_entry(v, OUT_THREAD_STATUS, q->items[it], &k, &local) < 0 || local == 0)
			continue;
		wl = v->wl[k];
		t = &wl->threads[local - 1];
		ke = model_known_end(v, wl);
		jsonw_obj_begin(w);
		jsonw_kint64(w, "entryId", q->items[it]);
		jsonw_key(w, "states");
		jsonw_arr_begin(w);
		/* Every distinct interval holding a sample time, sample by sample. */
		i = t->n_iv ? model_first_sample_from(q, 0, t->iv[0].start) : q->nb_times;
		while (i < q->nb_times) {
			int64_t ts = wl_sample_time(q->start, q->end, q->nb_times, i), end;
			ptrdiff_t at;

			if (ts > ke)
				break;
			at = wl_interval_at(wl, t, ts);
			if (at < 0)
				break;
			end = wl_interval_end(wl, t, (size_t)at);
			write_state(w, &t->iv[at], end < ke ? end : ke);
			if ((size_t)at + 1 == t->n_iv)
				break;
			i = model_first_sample_from(q, i + 1, end);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	return 0;
}

int model_tg_arrows(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen)
{
	size_t k, i;

	(void)err;
	(void)errlen;
	jsonw_arr_begin(w);
	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t base = entry_base(v, OUT_THREAD_STATUS, k), ke = model_known_end(v, wl);

		for (i = wl_first_arrow_from(wl, q->start); i < wl->n_arrows; i++) {
			const struct wl_arrow *a = &wl->arrows[i];

			if (a->start > q->end || a->start > ke)
				break;
			if (a->end < q->start || a->end > ke)
				continue;
			jsonw_obj_begin(w);
			jsonw_kint64(w, "sourceId", tg_thread_id(wl, base, (size_t)a->src));
			jsonw_kint64(w, "targetId", tg_thread_id(wl, base, (size_t)a->dst));
			jsonw_kint64(w, "start", a->start);
			jsonw_kint64(w, "end", a->end);
			mw_style_ref(w, a->kind == WL_ARROW_HANDOFF ? "CPU_HANDOFF" : "WAKEUP");
			jsonw_obj_end(w);
		}
	}
	jsonw_arr_end(w);
	return 0;
}

static void kv(struct jsonw *w, const char *key, const char *value)
{
	jsonw_kstr(w, key, value);
}

static void thread_desc(char *buf, size_t len, const struct wl_thread *t)
{
	snprintf(buf, len, "%s (%" PRId32 ")", t->comm, t->tid);
}

int model_tg_tooltip(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen)
{
	const struct workload *wl;
	const struct wl_thread *t;
	int64_t local, ts = q->times[0], ke;
	char buf[64];
	size_t k;

	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	if (!q->n_items || find_entry(v, OUT_THREAD_STATUS, q->items[0], &k, &local) < 0 ||
	    local == 0)
		goto done;      /* nothing to say about unknown entries or trace roots */
	wl = v->wl[k];
	t = &wl->threads[local - 1];
	ke = model_known_end(v, wl);
	if (q->elem_type == ELEM_ARROW) {
		int64_t base = entry_base(v, OUT_THREAD_STATUS, k);
		size_t i;

		for (i = wl_first_arrow_from(wl, q->elem_time); i < wl->n_arrows; i++) {
			const struct wl_arrow *a = &wl->arrows[i];

			if (a->start > q->elem_time)
				break;
			if (a->start != q->elem_time || a->src != (int32_t)(local - 1) || a->end > ke)
				continue;
			if (q->has_elem_dest && tg_thread_id(wl, base, (size_t)a->dst) != q->elem_dest)
				continue;
			kv(w, "Type", a->kind == WL_ARROW_HANDOFF ? "CPU hand-off" : "Wake-up");
			thread_desc(buf, sizeof(buf), t);
			kv(w, "Source", buf);
			thread_desc(buf, sizeof(buf), &wl->threads[a->dst]);
			kv(w, "Destination", buf);
			wl_format_ts(a->start, buf, sizeof(buf));
			kv(w, "Start", buf);
			wl_format_duration(a->end - a->start, buf, sizeof(buf));
			kv(w, "Duration", buf);
			break;
		}
		goto done;
	}
	if (q->elem_type == ELEM_ANNOTATION) {
		thread_desc(buf, sizeof(buf), t);
		kv(w, "Thread", buf);
		wl_format_ts(q->elem_time, buf, sizeof(buf));
		kv(w, "Start", buf);
		wl_format_duration(q->elem_duration, buf, sizeof(buf));
		kv(w, "Duration", buf);
		goto done;
	}
	if (ts <= ke) {
		ptrdiff_t at = wl_interval_at(wl, t, ts);

		if (at >= 0) {
			const struct wl_interval *iv = &t->iv[at];
			int64_t end = wl_interval_end(wl, t, (size_t)at);

			kv(w, "Process", t->comm);
			mw_kv_int(w, "TID", t->tid);
			mw_kv_int(w, "PID", t->pid);
			mw_kv_int(w, "PTID", t->ppid);
			kv(w, "State", wl_state_label(iv->state));
			if (wl_is_busy_state(iv->state) || iv->state == WL_ST_INTERRUPTED)
				mw_kv_int(w, "CPU", iv->cpu);
			if (iv->state == WL_ST_SYSCALL)
				kv(w, "System call", wl_syscall_name(iv->aux));
			if (iv->state == WL_ST_INTERRUPTED)
				kv(w, "IRQ", wl_irq_name(iv->aux));
			wl_format_ts(iv->start, buf, sizeof(buf));
			kv(w, "Start", buf);
			wl_format_duration((end < ke ? end : ke) - iv->start, buf, sizeof(buf));
			kv(w, "Duration", buf);
		}
	}
done:
	jsonw_obj_end(w);
	return 0;
}

/* ---- Events (TABLE) ---- */

enum { COL_TIMESTAMP, COL_TRACE, COL_CPU, COL_TYPE, COL_CONTENTS, COL_TID, COL_PROCESS, COL_COUNT };

static const struct table_col columns[COL_COUNT] = {
	{ "Timestamp", "Event time, seconds since the epoch with nanoseconds", "TIMESTAMP" },
	{ "Trace", "Name of the trace the event belongs to", "STRING" },
	{ "CPU", "CPU the event was recorded on", "NUMBER" },
	{ "Event type", "Kernel tracepoint name", "STRING" },
	{ "Contents", "Event payload fields", "STRING" },
	{ "TID", "Thread running on the CPU (0: idle)", "NUMBER" },
	{ "Process", "Name of the thread running on the CPU", "STRING" },
};

void mw_table_columns(struct jsonw *w, const struct table_col *cols, int n)
{
	int i;

	jsonw_arr_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", i);
		jsonw_kstr(w, "name", cols[i].name);
		jsonw_kstr(w, "description", cols[i].description);
		jsonw_kstr(w, "type", cols[i].type);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

void model_table_columns(struct jsonw *w)
{
	mw_table_columns(w, columns, COL_COUNT);
}

static void write_cell(struct jsonw *w, const struct workload *wl, const struct wl_event *e,
		       int col, struct strbuf *tmp)
{
	char buf[64];

	strbuf_reset(tmp);
	switch (col) {
	case COL_TIMESTAMP:
		wl_format_ts(e->ts, buf, sizeof(buf));
		strbuf_addstr(tmp, buf);
		break;
	case COL_TRACE:
		strbuf_addstr(tmp, wl->name);
		break;
	case COL_CPU:
		strbuf_addf(tmp, "%d", e->cpu);
		break;
	case COL_TYPE:
		strbuf_addstr(tmp, wl_event_type_name(wl_event_type_index(e), buf, sizeof(buf)));
		break;
	case COL_CONTENTS:
		wl_event_contents(wl, e, tmp);
		break;
	case COL_TID:
		strbuf_addf(tmp, "%" PRId32, wl_tid(wl, e->thread));
		break;
	case COL_PROCESS:
		strbuf_addstr(tmp, wl_comm(wl, e->thread, e->cpu, buf, sizeof(buf)));
		break;
	}
	jsonw_obj_begin(w);
	jsonw_key(w, "content");
	jsonw_strn(w, strbuf_str(tmp), tmp->len);
	jsonw_obj_end(w);
}

int model_table_lines(struct jsonw *w, const struct model_view *v, const struct query *q,
		      char *err, size_t errlen)
{
	int cols[COL_COUNT * 4];
	size_t ncols = 0, i, size, low, end;
	struct strbuf tmp = STRBUF_INIT;

	if (q->has_columns && q->n_columns) {
		/* Requested order, unknown ids dropped, at most a few repeats kept. */
		for (i = 0; i < q->n_columns && ncols < sizeof(cols) / sizeof(cols[0]); i++)
			if (q->columns[i] >= 0 && q->columns[i] < COL_COUNT)
				cols[ncols++] = (int)q->columns[i];
	} else {
		for (i = 0; i < COL_COUNT; i++)
			cols[ncols++] = (int)i;
	}
	size = view_n_events(v);
	if (v->progress_den) {
		int64_t s = view_start(v), e = view_end(v);
		int64_t ke = s + (int64_t)((__int128)(e - s) * v->progress_num / v->progress_den);

		size = view_first_event_at(v, ke + 1);
	}
	if ((q->present & Q_TIMES) && q->n_times) {
		low = view_first_event_at(v, q->times[0]);
		if (low > size)
			low = size;
	} else {
		low = q->has_index ? (size_t)q->index : 0;
		if (q->has_index && (uint64_t)q->index > SIZE_MAX / 2) {
			snprintf(err, errlen, "parameters.requested_table_index is too large");
			return -1;
		}
	}
	end = low < size ? low + ((size_t)q->count < size - low ? (size_t)q->count : size - low) : low;

	jsonw_obj_begin(w);
	jsonw_kint64(w, "size", (int64_t)size);
	jsonw_kint64(w, "lowIndex", (int64_t)low);
	jsonw_key(w, "columnIds");
	jsonw_arr_begin(w);
	for (i = 0; i < ncols; i++)
		jsonw_int64(w, cols[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "lines");
	jsonw_arr_begin(w);
	for (i = low; i < end && !w->err; i++) {
		size_t k, c;
		const struct wl_event *e = view_event(v, i, &k);

		jsonw_obj_begin(w);
		jsonw_kint64(w, "index", (int64_t)i);
		jsonw_key(w, "cells");
		jsonw_arr_begin(w);
		for (c = 0; c < ncols; c++)
			write_cell(w, v->wl[k], e, cols[c], &tmp);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	strbuf_release(&tmp);
	return 0;
}

/* ---- Statistics (DATA_TREE) ---- */

int model_stats_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		     char *err, size_t errlen)
{
	size_t k, i;

	(void)err;
	(void)errlen;
	mw_tree_begin(w, -1);
	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t counts[WL_N_EVENT_TYPES] = { 0 }, total = 0, a, b;
		int64_t base = entry_base(v, OUT_STATISTICS, k);
		char buf[64];
		int t;

		model_range(v, wl, q, &a, &b);
		for (i = wl_first_event_at(wl, a); i < wl->n_events && wl->events[i].ts <= b; i++) {
			counts[wl_event_type_index(&wl->events[i])]++;
			total++;
		}
		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", base);
		jsonw_kint64(w, "parentId", -1);
		jsonw_key(w, "labels");
		jsonw_arr_begin(w);
		jsonw_str(w, wl->name);
		mw_label_int(w, total);
		jsonw_str(w, total ? "100.000 %" : "0.000 %");
		jsonw_arr_end(w);
		jsonw_kbool(w, "hasData", 1);
		jsonw_obj_end(w);
		for (t = 0; t < WL_N_EVENT_TYPES; t++) {
			char pct[32];

			if (!counts[t])
				continue;
			snprintf(pct, sizeof(pct), "%.3f %%", 100.0 * (double)counts[t] / (double)total);
			jsonw_obj_begin(w);
			jsonw_kint64(w, "id", base + 1 + t);
			jsonw_kint64(w, "parentId", base);
			jsonw_key(w, "labels");
			jsonw_arr_begin(w);
			jsonw_str(w, wl_event_type_name(t, buf, sizeof(buf)));
			mw_label_int(w, counts[t]);
			jsonw_str(w, pct);
			jsonw_arr_end(w);
			jsonw_kbool(w, "hasData", 1);
			jsonw_obj_end(w);
		}
	}
	mw_tree_headers(w);
	mw_header(w, "Event type", "Trace, then each event type", "STRING");
	mw_header(w, "Count", "Number of events in the range", "NUMBER");
	mw_header(w, "%", "Share of the trace's events in the range", "NUMBER");
	mw_tree_end(w);
	return 0;
}

/* ---- styles ---- */

static void style_begin(struct jsonw *w, const char *key, const char *parent)
{
	jsonw_key(w, key);
	jsonw_obj_begin(w);
	if (parent)
		jsonw_kstr(w, "parentKey", parent);
	jsonw_key(w, "values");
	jsonw_obj_begin(w);
}

static void style_end(struct jsonw *w)
{
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void annotation_styles(struct jsonw *w)
{
	style_begin(w, "LOST_EVENTS", NULL);
	jsonw_kstr(w, "style-name", "Lost events");
	jsonw_kstr(w, "color", "#ff0000");
	jsonw_kdouble(w, "opacity", 0.2);
	style_end(w);
	style_begin(w, "FRAME_EVEN", NULL);
	jsonw_kstr(w, "style-name", "Frame");
	jsonw_kstr(w, "color", "#4080ff");
	jsonw_kdouble(w, "opacity", 0.1);
	style_end(w);
	style_begin(w, "FRAME_ODD", "FRAME_EVEN");
	jsonw_kdouble(w, "opacity", 0.2);
	style_end(w);
}

void model_styles(struct jsonw *w, int out)
{
	static const struct {
		int state;
		const char *color;
		double height;
	} st[WL_ST_COUNT] = {
		{ WL_ST_UNKNOWN, "#c8c8c8", 0.33 },
		{ WL_ST_USERMODE, "#00c800", 1.0 },
		{ WL_ST_SYSCALL, "#0000c8", 1.0 },
		{ WL_ST_WAIT_CPU, "#c86400", 0.5 },
		{ WL_ST_WAIT_BLOCKED, "#c8c800", 0.5 },
		{ WL_ST_INTERRUPTED, "#c800c8", 0.75 },
	};
	int i;

	jsonw_obj_begin(w);
	jsonw_key(w, "styles");
	jsonw_obj_begin(w);
	kernel_styles(w, out);
	if (out == OUT_THREAD_STATUS) {
		/* One base per family; each state only adds its own values. */
		style_begin(w, "STATE", NULL);
		jsonw_kstr(w, "style-group", "Thread states");
		jsonw_kdouble(w, "opacity", 1.0);
		style_end(w);
		for (i = 0; i < WL_ST_COUNT; i++) {
			style_begin(w, wl_state_key(st[i].state), "STATE");
			jsonw_kstr(w, "style-name", wl_state_label(st[i].state));
			jsonw_kstr(w, "background-color", st[i].color);
			jsonw_kdouble(w, "height", st[i].height);
			style_end(w);
		}
		style_begin(w, "ARROW", NULL);
		jsonw_kstr(w, "style-group", "Arrows");
		jsonw_kdouble(w, "width", 1.0);
		style_end(w);
		style_begin(w, "CPU_HANDOFF", "ARROW");
		jsonw_kstr(w, "style-name", "CPU hand-off");
		jsonw_kstr(w, "color", "#646464");
		style_end(w);
		style_begin(w, "WAKEUP", "ARROW");
		jsonw_kstr(w, "style-name", "Wake-up");
		jsonw_kstr(w, "color", "#ff8000");
		style_end(w);
		style_begin(w, "LONG_WAIT", NULL);
		jsonw_kstr(w, "style-name", "Long wait for CPU");
		jsonw_kstr(w, "color", "#c86400");
		jsonw_kdouble(w, "opacity", 0.3);
		style_end(w);
	}
	if (out == OUT_THREAD_STATUS || out == OUT_CPU_USAGE)
		annotation_styles(w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

/* ---- annotations ---- */

#define CAT_LOST "Lost events"
#define CAT_LONG_WAIT "Long waits"
#define CAT_FRAMES "Frames"

void model_marker_sets(struct jsonw *w)
{
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", "Frames (100 ms)");
	jsonw_kstr(w, "id", MODEL_MARKER_SET_ID);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
}

static int has_time_axis(int out)
{
	return out == OUT_CPU_USAGE || out == OUT_THREAD_STATUS;
}

void model_annotation_categories(struct jsonw *w, int out, const char *marker_set)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "annotationCategories");
	jsonw_arr_begin(w);
	if (has_time_axis(out)) {
		jsonw_str(w, CAT_LOST);
		if (out == OUT_THREAD_STATUS)
			jsonw_str(w, CAT_LONG_WAIT);
		if (marker_set && !strcmp(marker_set, MODEL_MARKER_SET_ID))
			jsonw_str(w, CAT_FRAMES);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static int category_wanted(const struct query *q, const char *cat)
{
	size_t i;

	if (!q->has_categories)
		return 1;
	for (i = 0; i < q->n_categories; i++)
		if (!strcmp(q->categories[i], cat))
			return 1;
	return 0;
}

static void write_annotation(struct jsonw *w, int64_t time, int64_t duration, int64_t entry,
			     const char *label, const char *style)
{
	jsonw_obj_begin(w);
	jsonw_kint64(w, "time", time);
	jsonw_kint64(w, "duration", duration);
	jsonw_kint64(w, "entryId", entry);
	jsonw_kstr(w, "type", "CHART");
	jsonw_kstr(w, "label", label);
	mw_style_ref(w, style);
	jsonw_obj_end(w);
}

static int item_requested(const struct query *q, int64_t id)
{
	size_t i;

	if (!(q->present & Q_ITEMS))
		return 1;
	for (i = 0; i < q->n_items; i++)
		if (q->items[i] == id)
			return 1;
	return 0;
}

static void long_waits(struct jsonw *w, const struct model_view *v, const struct query *q)
{
	size_t k, j, i;
	char label[96], dur[48];

	for (k = 0; k < v->n; k++) {
		const struct workload *wl = v->wl[k];
		int64_t base = entry_base(v, OUT_THREAD_STATUS, k), ke = model_known_end(v, wl);

		for (j = 0; j < wl->n_threads; j++) {
			const struct wl_thread *t = &wl->threads[j];
			int64_t id = tg_thread_id(wl, base, j);
			ptrdiff_t at;

			if (!item_requested(q, id))
				continue;
			at = wl_interval_at(wl, t, q->start);
			for (i = at < 0 ? 0 : (size_t)at; i < t->n_iv && t->iv[i].start <= q->end; i++) {
				int64_t end = wl_interval_end(wl, t, i);

				if (t->iv[i].state != WL_ST_WAIT_CPU || end > ke || end < q->start ||
				    end - t->iv[i].start < wl->timeslice)
					continue;
				wl_format_duration(end - t->iv[i].start, dur, sizeof(dur));
				snprintf(label, sizeof(label), "Waited %s for CPU %u", dur, t->iv[i].cpu);
				write_annotation(w, t->iv[i].start, end - t->iv[i].start, id, label,
						 "LONG_WAIT");
			}
		}
	}
}

int model_annotations(struct jsonw *w, const struct model_view *v, int out,
		      const struct query *q, char *err, size_t errlen)
{
	int frames = q->marker_set && !strcmp(q->marker_set, MODEL_MARKER_SET_ID);
	char label[64];
	size_t k, i;

	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	jsonw_key(w, "annotations");
	jsonw_obj_begin(w);
	if (has_time_axis(out) && category_wanted(q, CAT_LOST)) {
		jsonw_key(w, CAT_LOST);
		jsonw_arr_begin(w);
		for (k = 0; k < v->n; k++) {
			const struct workload *wl = v->wl[k];
			int64_t ke = model_known_end(v, wl);

			for (i = 0; i < WL_N_LOST; i++) {
				const struct wl_lost *l = &wl->lost[i];

				if (l->time > q->end || l->time + l->duration < q->start ||
				    l->time + l->duration > ke)
					continue;
				snprintf(label, sizeof(label), "%" PRId64 " lost events", l->count);
				write_annotation(w, l->time, l->duration, -1, label, "LOST_EVENTS");
			}
		}
		jsonw_arr_end(w);
	}
	if (out == OUT_THREAD_STATUS && category_wanted(q, CAT_LONG_WAIT)) {
		jsonw_key(w, CAT_LONG_WAIT);
		jsonw_arr_begin(w);
		long_waits(w, v, q);
		jsonw_arr_end(w);
	}
	if (has_time_axis(out) && frames && category_wanted(q, CAT_FRAMES)) {
		int64_t s = view_start(v), e = view_end(v), n;

		if (v->progress_den)
			e = s + (int64_t)((__int128)(e - s) * v->progress_num / v->progress_den);
		jsonw_key(w, CAT_FRAMES);
		jsonw_arr_begin(w);
		/* Fixed 100 ms frames from the experiment start, clipped to its range. */
		n = q->start > s ? (q->start - s) / MODEL_FRAME_NS : 0;
		for (; q->start <= e && s + n * MODEL_FRAME_NS <= q->end &&
		       s + n * MODEL_FRAME_NS < e; n++) {
			snprintf(label, sizeof(label), "Frame %" PRId64, n);
			write_annotation(w, s + n * MODEL_FRAME_NS, MODEL_FRAME_NS, -1, label,
					 n % 2 ? "FRAME_ODD" : "FRAME_EVEN");
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
	jsonw_obj_end(w);
	return 0;
}

/* ---- histogram: events per sample step ---- */

/* Events of wl with ts <= t. */
static size_t events_upto(const struct workload *wl, int64_t t)
{
	size_t lo = 0, hi = wl->n_events;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wl->events[mid].ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Entry 0 is the total, entry 1 + k trace k of the experiment. */
int model_hist_tree(struct jsonw *w, const struct model_view *v, const struct query *q,
		    char *err, size_t errlen)
{
	size_t k;

	(void)q;
	(void)err;
	(void)errlen;
	jsonw_obj_begin(w);
	jsonw_key(w, "entries");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kint64(w, "id", 0);
	jsonw_kint64(w, "parentId", -1);
	jsonw_key(w, "labels");
	jsonw_arr_begin(w);
	jsonw_str(w, "Total");
	jsonw_arr_end(w);
	jsonw_kbool(w, "hasData", 1);
	jsonw_kbool(w, "isDefault", 1);
	jsonw_obj_end(w);
	for (k = 0; k < v->n; k++) {
		jsonw_obj_begin(w);
		jsonw_kint64(w, "id", 1 + (int64_t)k);
		jsonw_kint64(w, "parentId", 0);
		jsonw_key(w, "labels");
		jsonw_arr_begin(w);
		jsonw_str(w, v->wl[k]->name);
		jsonw_arr_end(w);
		jsonw_kbool(w, "hasData", 1);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	return 0;
}

/*
 * Sample i counts the events in (x[i-1], x[i]] (the first sample the step
 * before x[0]), as the CPU usage samples cover the step ending at x[i];
 * only events the analysis has reached (model_known_end) count.
 */
int model_hist_xy(struct jsonw *w, const struct model_view *v, const struct query *q,
		  char *err, size_t errlen)
{
	size_t n = (size_t)q->nb_times, i, it, k;
	int64_t *x = malloc((n + 1) * sizeof(*x)), step;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		x[i] = wl_sample_time(q->start, q->end, (int)n, (int)i);
	step = n > 1 ? x[1] - x[0] : q->end - q->start;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "title", "Histogram");
	jsonw_key(w, "series");
	jsonw_arr_begin(w);
	for (it = 0; it < q->n_items; it++) {
		int64_t id = q->items[it];

		if (id < 0 || id > (int64_t)v->n)
			continue;       /* unknown ids have no series */
		jsonw_obj_begin(w);
		jsonw_kint64(w, "seriesId", id);
		jsonw_kstr(w, "seriesName", id == 0 ? "Total" : v->wl[id - 1]->name);
		jsonw_key(w, "xValues");
		jsonw_arr_begin(w);
		for (i = 0; i < n; i++)
			jsonw_int64(w, x[i]);
		jsonw_arr_end(w);
		jsonw_key(w, "yValues");
		jsonw_arr_begin(w);
		for (i = 0; i < n; i++) {
			int64_t lo = i ? x[i - 1] : (x[0] >= INT64_MIN + step ? x[0] - step : INT64_MIN);
			size_t count = 0;

			for (k = 0; k < v->n; k++) {
				const struct workload *wl = v->wl[k];
				int64_t known = model_known_end(v, wl);
				int64_t hi = x[i] < known ? x[i] : known;

				if ((id == 0 || (size_t)id == k + 1) && hi > lo)
					count += events_upto(wl, hi) - events_upto(wl, lo);
			}
			jsonw_double(w, (double)count);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	free(x);
	return 0;
}
