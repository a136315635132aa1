/*
 * The Grafana queries (docs/grafana-api.md): /query, /frames, /flat and
 * /annotations run each target through resolve -> fetch -> translate ->
 * write, the targets of a request and the outputs of a target at the same
 * time; and the view table (gf_views.h).
 */
#include "grafana_api.h"

#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "catalog.h"
#include "gf_api.h"
#include "gf_frame.h"
#include "gf_request.h"
#include "gf_target.h"
#include "gf_translate.h"
#include "gf_views.h"
#include "json_int.h"
#include "jsonw.h"
#include "log.h"
#include "tsp_client.h"
#include "tsp_query_args.h"

/* ---- queries: targets -> TSP requests -> frames ---- */

/* The frames of one /query or /annotations answer, in target order. */
struct frames {
	struct gf_frame **v;
	enum gf_format *fmt;
	size_t n, cap;
};

static void frames_release(struct frames *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		gf_frame_release(fs->v[i]);
		free(fs->v[i]);
	}
	free(fs->v);
	free(fs->fmt);
	memset(fs, 0, sizeof(*fs));
}

/* Drops the frames from index n on (what a failed job had built). */
static void frames_truncate(struct frames *fs, size_t n)
{
	while (fs->n > n) {
		fs->n--;
		gf_frame_release(fs->v[fs->n]);
		free(fs->v[fs->n]);
	}
}

/* Room for n more frames in fs; -1 when out of memory. */
static int frames_reserve(struct frames *fs, size_t n)
{
	size_t cap = fs->cap ? fs->cap : 8;
	struct gf_frame **v;
	enum gf_format *fm;

	while (cap - fs->n < n)
		cap *= 2;
	if (cap == fs->cap)
		return 0;
	v = realloc(fs->v, cap * sizeof(*v));
	if (!v)
		return -1;
	fs->v = v;
	fm = realloc(fs->fmt, cap * sizeof(*fm));
	if (!fm)
		return -1;
	fs->fmt = fm;
	fs->cap = cap;
	return 0;
}

/* A new empty frame appended to fs; NULL when out of memory. */
static struct gf_frame *frames_new(struct frames *fs, enum gf_format fmt, const char *ref_id)
{
	struct gf_frame *f;

	if (frames_reserve(fs, 1) < 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	gf_frame_init(f);
	if (ref_id && gf_frame_set_ref_id(f, ref_id) < 0) {
		gf_frame_release(f);
		free(f);
		return NULL;
	}
	fs->fmt[fs->n] = fmt;
	fs->v[fs->n++] = f;
	return f;
}

/* Moves every frame of src to the end of dst; src is left empty. -1 (nothing moved) when out of memory. */
static int frames_move(struct frames *dst, struct frames *src)
{
	size_t i;

	if (frames_reserve(dst, src->n) < 0)
		return -1;
	for (i = 0; i < src->n; i++) {
		dst->fmt[dst->n] = src->fmt[i];
		dst->v[dst->n++] = src->v[i];
	}
	src->n = 0;
	return 0;
}

/* What one target asks, after parsing and resolution. */
struct gf_job {
	struct gctx *x;
	struct tsp_client *c;           /* of the match's trace server, for the job's run */
	const struct cat_match *m;
	const struct gf_target *t;
	enum gf_view view;
	enum gf_format fmt;
	const char *ref_id;
	const char *prefix;             /* "exp/output" when the target matched several, else NULL */
	char prefix_buf[512];
	int64_t from_ns, to_ns;
	int32_t nb_times;
	struct frames *out;
};

static void notice_running(struct gf_frame *f, const struct gf_job *j, const struct tsp_model *m)
{
	gf_frame_notice(f, "the analysis of %s/%s is still running (%s): the data is partial, "
			"refresh to complete it", j->m->exp_label, j->m->output_name,
			m && m->status_message && *m->status_message ? m->status_message : "RUNNING");
}

/*
 * A TSP data call's outcome: 0 with a model to translate (complete, or
 * partial and flagged in *partial), or -1 after gctx_fail_upstream(). A RUNNING
 * answer at the deadline is partial data, not an error: the panel shows
 * what there is and a refresh completes it.
 */
static int data_outcome(struct gf_job *j, int rc, const struct tsp_error *e, const struct tsp_model *m,
			int *partial)
{
	(void)m;        /* a RUNNING answer keeps its partial model in m */
	*partial = 0;
	if (rc == 0)
		return 0;
	if (e->kind == TSP_ERR_RUNNING) {
		*partial = 1;
		return 0;
	}
	return gctx_fail_upstream(j->x, e);
}

/* Whether an entry of the tree has id as its parent (a group, not a series of its own). */
static int has_child(const struct tsp_tree *tree, int64_t id)
{
	size_t i;

	for (i = 0; i < tree->n_entries; i++)
		if (tree->entries[i].parent_id == id && tree->entries[i].id != id)
			return 1;
	return 0;
}

/*
 * The entry ids a job asks for, from the output's tree: the pattern's
 * matches, or by default the tree's isDefault entries (XY) / every entry
 * with data. -1 with a 400 when a pattern matches nothing.
 */
static int select_entries(struct gf_job *j, const struct tsp_tree *tree, int xy_default,
			  int64_t **ids, size_t *n)
{
	size_t i, k = 0, n_default = 0;
	int64_t *v;
	int leaves;

	*ids = NULL;
	*n = 0;
	v = calloc(tree->n_entries ? tree->n_entries : 1, sizeof(*v));
	if (!v)
		return gctx_fail(j->x, 500, "out of memory");
	if (!j->t->has_entries && xy_default)
		for (i = 0; i < tree->n_entries; i++)
			n_default += tree->entries[i].is_default;
	leaves = !j->t->has_entries && !n_default && xy_default && gf_xy_leaves_only(j->m->output_id,
										      j->m->type);
	for (i = 0; i < tree->n_entries; i++) {
		const struct tsp_tree_entry *en = &tree->entries[i];
		const char *name = en->n_labels ? en->labels[0] : "";

		if (j->t->has_entries) {
			if (name_pattern_match_entry(&j->t->entries, en->id, name) &&
			    (en->has_data || j->m->type == TSP_OUTPUT_DATA_TREE))
				v[k++] = en->id;
		} else if (n_default) {
			if (en->is_default)
				v[k++] = en->id;
		} else if (leaves) {
			if (en->has_data && !has_child(tree, en->id))
				v[k++] = en->id;
		} else if (en->has_data || j->m->type == TSP_OUTPUT_DATA_TREE) {
			v[k++] = en->id;
		}
	}
	if (!k && j->t->has_entries && tree->n_entries) {
		const struct name_pattern *p = &j->t->entries;
		char names[512] = "";
		size_t len = 0;

		free(v);
		if (p->kind != NAME_PAT_LIST)
			return gctx_fail(j->x, 400, "no entry of %s/%s matches \"%s\"", j->m->exp_label,
				    j->m->output_name, p->text ? p->text : "");
		/* Every value of the list matched nothing: name them, bounded. */
		for (i = 0; i < p->n_list; i++) {
			int w = snprintf(names + len, sizeof(names) - 6 - len, "%s\"%s\"", i ? ", " : "",
					 p->list[i]);

			if (w < 0 || (size_t)w >= sizeof(names) - 6 - len) {
				names[len] = '\0';
				break;
			}
			len += (size_t)w;
		}
		if (i < p->n_list)
			strcpy(names + len, len ? ", ..." : "...");
		return gctx_fail(j->x, 400, "no entry of %s/%s matches %s", j->m->exp_label, j->m->output_name,
			    names);
	}
	*ids = v;
	*n = k;
	return 0;
}

/*
 * What the tree request says: the thread of a Critical Path; and for the
 * segment store's outputs the experiment's range, since Trace Compass's
 * providers build that tree from a time query and fail one without it.
 */
static void tree_query(const struct gf_job *j, struct tsp_query *q)
{
	memset(q, 0, sizeof(*q));
	if (j->t->has_tid) {
		q->param_key = "tid";
		q->param_value = j->t->tid;
	}
	if (gf_xy_leaves_only(j->m->output_id, j->m->type) && j->m->exp_start <= j->m->exp_end) {
		q->has_range = 1;
		q->start = j->m->exp_start;
		q->end = j->m->exp_end;
	}
}

/* Fetches the output's tree (cached) and selects entries; *partial if the tree was RUNNING. */
static int tree_and_entries(struct gf_job *j, struct cat_ref **ref, int xy_default, int64_t **ids,
			    size_t *n, int *partial)
{
	struct tsp_query q;
	struct tsp_error e;
	const struct tsp_model *t;

	tsp_error_clear(&e);
	*ids = NULL;
	*n = 0;
	tree_query(j, &q);
	if (catalog_tree_query(j->m->up->cat, j->c, j->m->exp_uuid, j->m->output_id, j->m->type, &q,
			       ref, &e) < 0)
		return gctx_fail_upstream(j->x, &e);
	t = cat_ref_model(*ref);
	*partial = t->status == TSP_STATUS_RUNNING;
	if (!t->has_model)
		return 0;
	return select_entries(j, &t->u.tree, xy_default, ids, n);
}

/* The range of the job, and its thread when it names one (a Critical Path's "tid"). */
static void range_query(const struct gf_job *j, struct tsp_query *q, int32_t nb_times)
{
	memset(q, 0, sizeof(*q));
	q->has_range = 1;
	q->start = j->from_ns;
	q->end = j->to_ns;
	q->nb_times = nb_times;
	if (j->t->has_tid) {
		q->param_key = "tid";
		q->param_value = j->t->tid;
	}
}

/* ---- adapters: models -> frames of the job ---- */

/* A new frame for the job, with its refId; NULL after gctx_fail(). */
static struct gf_frame *job_frame(struct gf_job *j, const char *name)
{
	struct gf_frame *f = frames_new(j->out, j->fmt, j->ref_id);

	if (f)
		f->budget = j->x->budget;
	if (!f || (name && gf_frame_set_name(f, name) < 0)) {
		gctx_budget_or(j->x, 500, "out of memory");
		return NULL;
	}
	return f;
}

/* The frame of a one-frame view: named for the output, or "exp/output" when a pattern matched several. */
static struct gf_frame *view_frame(struct gf_job *j)
{
	return job_frame(j, j->prefix ? j->prefix : j->m->output_name);
}

/*
 * After translating m into f (rc, err from gf_tr_*): a translate failure is
 * the bridge's (500), never the user's; partial data carries the notice.
 */
static int frame_done(struct gf_job *j, struct gf_frame *f, int rc, const char *err, int partial,
		      const struct tsp_model *m)
{
	if (rc == 0)
		rc = gf_frame_settle(f);
	if (rc < 0 && __atomic_load_n(&j->x->budget->over, __ATOMIC_RELAXED))
		return gctx_budget_or(j->x, 500, "");
	if (rc < 0)
		return gctx_fail(j->x, 500, "%s/%s: %s", j->m->exp_label, j->m->output_name, err);
	if (partial)
		notice_running(f, j, m);
	return 0;
}

static int adapt_series(struct gf_job *j, const struct tsp_model *tree, const struct tsp_model *m,
			int partial)
{
	struct gf_xy_hints h;
	struct gf_frame *f;
	char err[256];
	size_t i;

	gf_xy_hints_for(&h, j->m->output_id, tree && tree->has_model ? &tree->u.tree : NULL);
	if (!m->has_model || !m->u.xy.n_series) {
		/* Nothing to draw yet: an empty frame carries the notice. */
		if (!(f = job_frame(j, j->m->output_name)))
			return -1;
		if (gf_frame_add_field(f, "time", GF_TIME) < 0 ||
		    gf_frame_add_field(f, j->m->output_name, GF_NUMBER) < 0 ||
		    gf_field_set_display_name_ds(f, 1, j->m->output_name) < 0)
			return gctx_fail(j->x, 500, "out of memory");
		f->is_series = 1;
		if (partial)
			notice_running(f, j, m);
		return 0;
	}
	for (i = 0; i < m->u.xy.n_series; i++) {
		if (!(f = job_frame(j, NULL)) ||
		    frame_done(j, f, gf_tr_xy_series(f, &m->u.xy.series[i], j->prefix, &h, err,
						      sizeof(err)), err, partial, m) < 0)
			return -1;
	}
	return 0;
}

/*
 * Generic XY (bins, categories): one frame per run of series that share
 * their x, named for the output; empty (an x field and no series) when
 * the answer has nothing yet, so the panel still says why.
 */
static int adapt_generic_xy(struct gf_job *j, const struct tsp_model *tree, const struct tsp_model *m,
			    int partial)
{
	struct gf_xy_hints h;
	struct gf_frame *f;
	char err[256];
	size_t i, used;

	gf_xy_hints_for(&h, j->m->output_id, tree && tree->has_model ? &tree->u.tree : NULL);
	if (!m->has_model || !m->u.xy.n_series) {
		if (!(f = view_frame(j)))
			return -1;
		if (gf_frame_add_field(f, "start", GF_NUMBER) < 0)
			return gctx_fail(j->x, 500, "out of memory");
		if (partial)
			notice_running(f, j, m);
		return 0;
	}
	for (i = 0; i < m->u.xy.n_series; i += used) {
		if (!(f = view_frame(j)) ||
		    frame_done(j, f, gf_tr_generic_xy(f, &m->u.xy.series[i], m->u.xy.n_series - i,
						      j->prefix, &h, &used, err, sizeof(err)),
			       err, partial, m) < 0)
			return -1;
		if (!used)
			break;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The links to show: with entries asked for, those that touch one of them
 * (the trace server answers every link of the range whatever the items).
 * A copy of the kept items in *buf (free it), or the answer as it is. The
 * ids are looked up in a sorted copy: a range can hold 10^5 links and the
 * entries 10^4 rows.
 */
static int links_of(const struct gf_job *j, const struct tsp_model *m, const int64_t *ids, size_t n,
		    struct tsp_tg_arrows *out, struct tsp_tg_arrow **buf)
{
	int64_t *sorted;
	size_t i;

	*buf = NULL;
	memset(out, 0, sizeof(*out));
	if (!m->has_model)
		return 0;
	*out = m->u.arrows;
	if (!j->t->has_entries)
		return 0;
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted || !(*buf = calloc(m->u.arrows.n + 1, sizeof(**buf)))) {
		free(sorted);
		return -1;
	}
	memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_id);
	out->items = *buf;
	out->n = 0;
	for (i = 0; i < m->u.arrows.n; i++) {
		const struct tsp_tg_arrow *a = &m->u.arrows.items[i];

		if (bsearch(&a->source_id, sorted, n, sizeof(*sorted), cmp_id) ||
		    bsearch(&a->target_id, sorted, n, sizeof(*sorted), cmp_id))
			(*buf)[out->n++] = *a;
	}
	free(sorted);
	return 0;
}

static int adapt_time_graph(struct gf_job *j, const struct tsp_model *tree, const struct tsp_model *m,
			    const struct tsp_model *styles, const int64_t *ids, size_t n, int partial)
{
	static const struct tsp_tree no_tree;
	static const struct tsp_tg_states no_states;
	const struct tsp_tree *t = tree->has_model ? &tree->u.tree : &no_tree;
	const struct tsp_styles *ss = styles->has_model ? &styles->u.styles : NULL;
	struct tsp_tg_arrows links;
	struct tsp_tg_arrow *buf = NULL;
	struct gf_frame *f = view_frame(j);
	char err[256];
	int rc;

	if (!f)
		return -1;
	if ((j->view == GF_VIEW_ARROWS || j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES) &&
	    links_of(j, m, ids, n, &links, &buf) < 0)
		return gctx_fail(j->x, 500, "out of memory");
	if (j->view == GF_VIEW_ARROWS)
		rc = gf_tr_arrows(f, t, &links, ss, j->t->limit, err, sizeof(err));
	else if (j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES)
		rc = gf_tr_node_graph(f, t, &links, j->view == GF_VIEW_EDGES, err, sizeof(err));
	else if (j->view == GF_VIEW_TIMELINE)
		rc = gf_tr_timeline(f, t, m->has_model ? &m->u.states : &no_states, ss, j->from_ns,
				    j->to_ns, j->t->limit, err, sizeof(err));
	else
		rc = gf_tr_intervals(f, t, m->has_model ? &m->u.states : &no_states, ss, j->from_ns,
				     j->to_ns, j->t->limit, err, sizeof(err));
	free(buf);
	return frame_done(j, f, rc, err, partial, m);
}

static int adapt_styles(struct gf_job *j, const struct tsp_model *styles)
{
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_styles(f, styles->has_model ? &styles->u.styles : NULL, err,
					     sizeof(err)), err, 0, styles);
}

static int adapt_events(struct gf_job *j, const struct tsp_model *cols, const struct tsp_model *lines,
			int64_t total, int partial)
{
	static const struct tsp_table_columns no_cols;
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_events(f, cols->has_model ? &cols->u.columns : &no_cols,
					     lines && lines->has_model ? &lines->u.lines : NULL,
					     j->to_ns, total, j->t->limit, err, sizeof(err)),
			  err, partial, lines);
}

static int adapt_tree(struct gf_job *j, const struct tsp_model *m, const int64_t *ids, size_t n,
		      int partial)
{
	static const struct tsp_tree no_tree;
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_data_tree(f, m->has_model ? &m->u.tree : &no_tree,
						j->t->has_entries ? ids : NULL, n, err, sizeof(err)),
			  err, partial, m);
}

static int adapt_annotations(struct gf_job *j, const struct tsp_model *m, int partial)
{
	struct gf_frame *f = view_frame(j);
	char err[256];

	if (!f)
		return -1;
	return frame_done(j, f, gf_tr_annotations(f, m && m->has_model ? &m->u.annotations : NULL,
						  err, sizeof(err)), err, partial, m);
}

/* ---- the views ---- */

typedef int (*tsp_data_fn)(struct tsp_client *c, const char *exp, const char *output,
			   const struct tsp_query *q, struct tsp_model *out, struct tsp_error *err);

/* What the usual data path of a view holds: tree, selection, data. */
struct entries_data {
	struct cat_ref *ref;            /* the output's tree (cached) */
	int64_t *ids;                   /* the entries the target selects, n of them */
	size_t n;
	struct tsp_model m;             /* the data endpoint's answer */
	int partial_tree, partial;      /* the tree, the data still RUNNING */
};

enum { ED_ITEMS = 1 << 0, ED_SAMPLES = 1 << 1 };

static void entries_data_release(struct entries_data *d)
{
	free(d->ids);
	cat_ref_put(d->ref);
	tsp_model_release(&d->m);
}

/*
 * The output's tree and the entries selected on it, then `fetch` over the
 * job's range with nb points (ED_SAMPLES: sent as nbSamples) and, with
 * ED_ITEMS, the selection as requested items. 0, or -1 after the failure
 * was reported; release d either way.
 */
static int entries_data_fetch(struct gf_job *j, struct entries_data *d, int xy_default, int32_t nb,
			      unsigned how, tsp_data_fn fetch)
{
	struct tsp_error e;
	struct tsp_query q;

	memset(d, 0, sizeof(*d));
	tsp_model_init(&d->m);
	tsp_error_clear(&e);
	if (tree_and_entries(j, &d->ref, xy_default, &d->ids, &d->n, &d->partial_tree) < 0)
		return -1;
	range_query(j, &q, nb);
	q.nb_samples = (how & ED_SAMPLES) != 0;
	if (how & ED_ITEMS) {
		q.has_items = 1;
		q.items = d->ids;
		q.n_items = d->n;
	}
	return data_outcome(j, fetch(j->c, j->m->exp_uuid, j->m->output_id, &q, &d->m, &e), &e, &d->m,
			    &d->partial);
}

static int run_series(struct gf_job *j)
{
	struct entries_data d;
	int ret = -1;

	if (entries_data_fetch(j, &d, 1, j->nb_times, ED_ITEMS, tsp_xy) == 0)
		ret = adapt_series(j, cat_ref_model(d.ref), &d.m, d.partial || d.partial_tree);
	entries_data_release(&d);
	return ret;
}

/*
 * Generic XY (a latency density): the range is the time range whose
 * segments count, and nbSamples the number of bins (the target's bins).
 */
static int run_density(struct gf_job *j)
{
	struct entries_data d;
	int ret = -1;

	if (entries_data_fetch(j, &d, 1, j->t->bins, ED_ITEMS | ED_SAMPLES, tsp_generic_xy) == 0)
		ret = adapt_generic_xy(j, cat_ref_model(d.ref), &d.m, d.partial || d.partial_tree);
	entries_data_release(&d);
	return ret;
}

/* The output's styles; without them (notice in `notice`) states are served uncoloured. */
static void fetch_styles(struct gf_job *j, struct tsp_model *styles, char *notice, size_t len)
{
	struct tsp_error e;

	notice[0] = '\0';
	tsp_error_clear(&e);
	if (tsp_styles(j->c, j->m->exp_uuid, j->m->output_id, NULL, styles, &e) < 0) {
		log_warn("styles of %s/%s: %s", j->m->exp_label, j->m->output_name, e.msg);
		tsp_styles_notice(notice, len, e.msg);
		tsp_model_release(styles);
		tsp_model_init(styles);
	}
}

/* Intervals, timeline and arrows: tree + states or arrows (+ styles). */
static int run_time_graph(struct gf_job *j)
{
	struct cat_ref *ref = NULL;
	struct tsp_model m, styles;
	struct tsp_error e;
	struct tsp_query q;
	int64_t *ids = NULL;
	char notice[768];
	size_t n, first = j->out->n, k;
	int partial_tree, partial, rc, ret = -1;

	tsp_model_init(&m);
	tsp_model_init(&styles);
	tsp_error_clear(&e);
	if (tree_and_entries(j, &ref, 0, &ids, &n, &partial_tree) < 0)
		goto out;
	/* The intervals table wants every state; a timeline is drawn at the panel's width. */
	range_query(j, &q, j->view == GF_VIEW_TIMELINE ? j->nb_times : TSP_NB_TIMES_MAX);
	q.has_items = 1;
	q.items = ids;
	q.n_items = n;
	if (j->view == GF_VIEW_ARROWS || j->view == GF_VIEW_NODES || j->view == GF_VIEW_EDGES)
		rc = tsp_tg_arrows(j->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e);
	else
		rc = tsp_tg_states(j->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e);
	if (data_outcome(j, rc, &e, &m, &partial) < 0)
		goto out;
	fetch_styles(j, &styles, notice, sizeof(notice));
	if (!notice[0] && !j->t->has_tid && !n && strstr(j->m->output_id, "CriticalPath"))
		snprintf(notice, sizeof(notice), "%s shows the path of one thread: add tid=<thread id> "
			 "to the target (the TID of a Thread Status row)", j->m->output_name);
	ret = adapt_time_graph(j, cat_ref_model(ref), &m, &styles, ids, n, partial || partial_tree);
	for (k = first; ret == 0 && notice[0] && k < j->out->n; k++)
		gf_frame_notice(j->out->v[k], "%s", notice);
out:
	free(ids);
	cat_ref_put(ref);
	tsp_model_release(&m);
	tsp_model_release(&styles);
	return ret;
}

static int run_styles(struct gf_job *j)
{
	struct tsp_model styles;
	struct tsp_error e;
	int ret = -1;

	tsp_model_init(&styles);
	tsp_error_clear(&e);
	if (tsp_styles(j->c, j->m->exp_uuid, j->m->output_id, NULL, &styles, &e) < 0) {
		gctx_fail_upstream(j->x, &e);
		goto out;
	}
	ret = adapt_styles(j, &styles);
out:
	tsp_model_release(&styles);
	return ret;
}

/* The index of the first event at or after t_ns (lowIndex of a one-line page). */
static int event_index(struct gf_job *j, int64_t t_ns, int64_t *index, int *partial)
{
	struct tsp_model m;
	struct tsp_error e;
	struct tsp_query q;
	int rc;

	tsp_model_init(&m);
	tsp_error_clear(&e);
	memset(&q, 0, sizeof(q));
	q.times = &t_ns;
	q.n_times = 1;
	q.table_count = 1;
	rc = data_outcome(j, tsp_table_lines(j->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e),
			  &e, &m, partial);
	if (rc == 0) {
		if (!m.has_model)
			*index = 0;
		else if (m.u.lines.n_lines)
			*index = m.u.lines.lines[0].index;
		else
			*index = m.u.lines.size;        /* past the last event */
	}
	tsp_model_release(&m);
	return rc;
}

/*
 * Events of the range: the indexes of the first event at `from` and after
 * `to` bound the page, so no timestamp text has to be parsed to page.
 */
static int run_events(struct gf_job *j)
{
	struct tsp_model cols, lines;
	struct tsp_error e;
	struct tsp_query q;
	int64_t a, b, count;
	int p1 = 0, p2 = 0, p3 = 0, ret = -1;

	tsp_model_init(&cols);
	tsp_model_init(&lines);
	tsp_error_clear(&e);
	if (tsp_table_columns(j->c, j->m->exp_uuid, j->m->output_id, NULL, &cols, &e) < 0) {
		gctx_fail_upstream(j->x, &e);
		goto out;
	}
	if (event_index(j, j->from_ns, &a, &p1) < 0 ||
	    event_index(j, j->to_ns == INT64_MAX ? INT64_MAX : j->to_ns + 1, &b, &p2) < 0)
		goto out;
	count = b > a ? b - a : 0;
	memset(&q, 0, sizeof(q));
	q.has_table_index = 1;
	q.table_index = a;
	q.table_count = (int32_t)(count < j->t->limit ? count : j->t->limit);
	if (q.table_count > 0 &&
	    data_outcome(j, tsp_table_lines(j->c, j->m->exp_uuid, j->m->output_id, &q, &lines, &e),
			 &e, &lines, &p3) < 0)
		goto out;
	ret = adapt_events(j, &cols, q.table_count > 0 ? &lines : NULL, count, p1 || p2 || p3);
out:
	tsp_model_release(&cols);
	tsp_model_release(&lines);
	return ret;
}

static int run_tree(struct gf_job *j)
{
	struct entries_data d;
	int ret = -1;

	/* The entries are chosen on the full tree; the data comes for the range. */
	if (entries_data_fetch(j, &d, 0, 0, 0, tsp_data_tree) == 0)
		ret = adapt_tree(j, &d.m, d.ids, d.n, d.partial);
	entries_data_release(&d);
	return ret;
}

static int run_annotations(struct gf_job *j)
{
	struct tsp_model cats, m;
	struct tsp_error e;
	struct tsp_query q;
	const char **names = NULL;
	size_t i, n = 0;
	int partial, ret = -1;

	tsp_model_init(&cats);
	tsp_model_init(&m);
	tsp_error_clear(&e);
	if (tsp_annotation_categories(j->c, j->m->exp_uuid, j->m->output_id, j->t->markers,
				      &cats, &e) < 0) {
		gctx_fail_upstream(j->x, &e);
		goto out;
	}
	names = calloc(cats.u.categories.n + 1, sizeof(*names));
	if (!names) {
		gctx_fail(j->x, 500, "out of memory");
		goto out;
	}
	for (i = 0; cats.has_model && i < cats.u.categories.n; i++)
		if (!j->t->category || !strcmp(j->t->category, cats.u.categories.items[i]))
			names[n++] = cats.u.categories.items[i];
	if (j->t->category && !n) {
		gctx_fail(j->x, 400, "%s/%s has no annotation category \"%s\"", j->m->exp_label,
		     j->m->output_name, j->t->category);
		goto out;
	}
	range_query(j, &q, j->nb_times);
	q.marker_set = j->t->markers;
	q.categories = names;
	q.n_categories = n;
	if (n && data_outcome(j, tsp_annotations(j->c, j->m->exp_uuid, j->m->output_id, &q, &m, &e),
			      &e, &m, &partial) < 0)
		goto out;
	ret = adapt_annotations(j, n ? &m : NULL, n && partial);
out:
	free(names);
	tsp_model_release(&cats);
	tsp_model_release(&m);
	return ret;
}

/* Runs the job's view with a client of its trace server. */
static int run_view(struct gf_job *j)
{
	int rc;

	j->c = upstream_client(j->m->up);
	if (!j->c)
		return gctx_fail(j->x, 500, "out of memory");
	rc = gf_view_def(j->view)->run(j);
	upstream_client_put(j->m->up, j->c);
	j->c = NULL;
	return rc;
}

/* ---- the view table ---- */

#define T GF_TYPE
#define ALL_TYPES (T(TSP_OUTPUT_TIME_GRAPH) | T(TSP_OUTPUT_TREE_TIME_XY) | T(TSP_OUTPUT_TABLE) | \
		   T(TSP_OUTPUT_DATA_TREE) | T(TSP_OUTPUT_TREE_GENERIC_XY))
static const struct gf_view_def views[] = {
	{ GF_VIEW_SERIES, "series", "Time series (XY outputs)", T(TSP_OUTPUT_TREE_TIME_XY),
	  T(TSP_OUTPUT_TREE_TIME_XY), GF_TT_ANY, GF_FIELD_ENTRIES, run_series },
	{ GF_VIEW_DENSITY, "density", "Bars over a non-time x (generic XY: latency density)",
	  T(TSP_OUTPUT_TREE_GENERIC_XY), T(TSP_OUTPUT_TREE_GENERIC_XY), GF_TT_ANY,
	  GF_FIELD_ENTRIES | GF_FIELD_BINS, run_density },
	{ GF_VIEW_INTERVALS, "intervals", "State intervals (time graph)", T(TSP_OUTPUT_TIME_GRAPH),
	  T(TSP_OUTPUT_TIME_GRAPH), GF_TT_ANY, GF_FIELD_ENTRIES | GF_FIELD_LIMIT | GF_FIELD_TID,
	  run_time_graph },
	{ GF_VIEW_TIMELINE, "timeline", "State timeline (time graph)", T(TSP_OUTPUT_TIME_GRAPH),
	  T(TSP_OUTPUT_TIME_GRAPH), GF_TT_TIMESERIE, GF_FIELD_ENTRIES | GF_FIELD_LIMIT | GF_FIELD_TID,
	  run_time_graph },
	{ GF_VIEW_ARROWS, "arrows", "Arrows between rows (time graph)", T(TSP_OUTPUT_TIME_GRAPH),
	  0, GF_TT_ANY, GF_FIELD_ENTRIES | GF_FIELD_LIMIT | GF_FIELD_TID, run_time_graph },
	{ GF_VIEW_STYLES, "styles", "State styles (time graph)", T(TSP_OUTPUT_TIME_GRAPH),
	  0, GF_TT_ANY, 0, run_styles },
	{ GF_VIEW_EVENTS, "events", "Events (table outputs)", T(TSP_OUTPUT_TABLE),
	  T(TSP_OUTPUT_TABLE), GF_TT_ANY, GF_FIELD_LIMIT, run_events },
	{ GF_VIEW_TREE, "tree", "Statistics (data tree outputs)", T(TSP_OUTPUT_DATA_TREE),
	  T(TSP_OUTPUT_DATA_TREE), GF_TT_ANY, GF_FIELD_ENTRIES, run_tree },
	{ GF_VIEW_NODES, "nodes", "Node graph nodes (time graph links)", T(TSP_OUTPUT_TIME_GRAPH),
	  0, GF_TT_ANY, GF_FIELD_ENTRIES | GF_FIELD_TID, run_time_graph },
	{ GF_VIEW_EDGES, "edges", "Node graph edges (time graph links)", T(TSP_OUTPUT_TIME_GRAPH),
	  0, GF_TT_ANY, GF_FIELD_ENTRIES | GF_FIELD_TID, run_time_graph },
	{ GF_VIEW_ANNOTATIONS, "annotations", "Annotations (markers)", ALL_TYPES,
	  0, GF_TT_ANY, GF_FIELD_MARKERS, run_annotations },
};
#undef ALL_TYPES
#undef T

#define N_VIEWS (sizeof(views) / sizeof(views[0]))

const struct gf_view_def *gf_views(size_t *n)
{
	*n = N_VIEWS;
	return views;
}

const struct gf_view_def *gf_view_def(enum gf_view v)
{
	size_t i;

	for (i = 0; i < N_VIEWS; i++)
		if (views[i].view == v)
			return &views[i];
	return NULL;
}

const char *gf_view_name(enum gf_view v)
{
	const struct gf_view_def *d = gf_view_def(v);

	return d ? d->name : NULL;
}

int gf_view_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < N_VIEWS; i++)
		if (!strcmp(views[i].name, name))
			return (int)views[i].view;
	return -1;
}

enum gf_view gf_view_default(enum tsp_output_type t, enum gf_target_type tt)
{
	size_t i;
	int pass;

	/* A view for this very target type first, then one for any. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < N_VIEWS; i++)
			if ((views[i].default_of & GF_TYPE(t)) &&
			    (pass ? views[i].default_tt == GF_TT_ANY : views[i].default_tt == (int)tt))
				return views[i].view;
	return GF_VIEW_DEFAULT;
}

static char view_names_text[256];

static void make_names(void)
{
	size_t i, n = 0;

	for (i = 0; i < N_VIEWS; i++)
		n += (size_t)snprintf(view_names_text + n, sizeof(view_names_text) - n, "%s%s",
				      i == 0 ? "" : i + 1 == N_VIEWS ? " or " : ", ", views[i].name);
}

const char *gf_view_names(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, make_names);
	return view_names_text;
}

/* ---- targets ---- */

/* What every target of one request shares. */
struct qctx {
	int64_t from_ns, to_ns;
	int32_t nb_times;
	const struct gf_filter *filters;
	size_t n_filters;
};

/* Whether text passes one ad hoc filter; -1 with a 400 for a bad regex. */
static int filter_pass(struct gctx *x, const struct gf_filter *f, const char *text)
{
	regex_t re;
	char why[128];
	int match;

	if (!strcmp(f->op, "="))
		return !strcmp(text, f->value);
	if (!strcmp(f->op, "!="))
		return strcmp(text, f->value) != 0;
	if (name_regcomp(&re, f->value, why, sizeof(why)) != 0)
		return gctx_fail(x, 400, "ad hoc filter %s %s \"%s\": not a valid regex: %s", f->key, f->op,
			    f->value, why);
	match = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return !strcmp(f->op, "=~") ? match : !match;
}

/* 1 if the match passes every filter on experiment / output, 0 if not, -1 on a bad filter. */
static int filters_pass(struct gctx *x, const struct qctx *qc, const struct cat_match *m)
{
	size_t i;

	for (i = 0; i < qc->n_filters; i++) {
		const struct gf_filter *f = &qc->filters[i];
		int r = 1;

		if (!strcmp(f->key, "experiment"))
			r = filter_pass(x, f, m->exp_label);
		else if (!strcmp(f->key, "output"))
			r = filter_pass(x, f, m->output_name);
		else if (!strcmp(f->key, "server"))
			r = filter_pass(x, f, m->up->name);
		if (r <= 0)
			return r;
	}
	return 1;
}

static const char *type_words(unsigned types)
{
	if (types == (1u << TSP_OUTPUT_TREE_TIME_XY))
		return "TREE_TIME_XY";
	if (types == (1u << TSP_OUTPUT_TIME_GRAPH))
		return "TIME_GRAPH";
	if (types == (1u << TSP_OUTPUT_TABLE))
		return "TABLE";
	if (types == (1u << TSP_OUTPUT_DATA_TREE))
		return "DATA_TREE";
	if (types == (1u << TSP_OUTPUT_TREE_GENERIC_XY))
		return "TREE_GENERIC_XY";
	return "suitable";
}

/*
 * How messages name a target: its text, or for a payload query (no text,
 * or the metric's view name) the fields that say what it asks.
 */
static void target_words(char *buf, size_t len, const char *text, const struct gf_query_target *qt)
{
	static const char *const keys[] = { "experiment", "output", "entries" };
	size_t i, n = 0;

	buf[0] = '\0';
	if (*text || !cJSON_IsObject(qt->fields)) {
		snprintf(buf, len, "target \"%s\"", text);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && n + 1 < len; i++) {
		const char *v = json_get_string(cJSON_GetObjectItemCaseSensitive(qt->fields, keys[i]));

		if (v && *v)
			n += (size_t)snprintf(buf + n, len - n, "%s%s \"%s\"", n ? ", " : "", keys[i], v);
	}
	if (!n)
		snprintf(buf, len, "target \"\" (no experiment or output field)");
}

/* Appends "exp/output" to a bounded list of names; "..." once it is full. */
static void list_add(char *buf, size_t len, const char *exp, const char *output)
{
	size_t n = strlen(buf);

	if (n + 4 >= len || (n >= 3 && !strcmp(buf + n - 3, "...")))
		return;
	if ((size_t)snprintf(buf + n, len - n, "%s%s/%s", n ? ", " : "", exp, output) >= len - n)
		snprintf(buf + n, len - n, "%s...", n ? ", " : "");
}

/* One matched output's run, in a context and frames of its own so runs can go at once. */
struct run {
	struct gf_job j;
	struct gctx x;
	struct frames out;
};

static void run_piece(void *arg, size_t i)
{
	struct run *r = (struct run *)arg + i;

	run_view(&r->j);
}

/* One target on its way: parsed, resolved, and the runs of its matched outputs. */
struct target_plan {
	struct gf_target t;
	struct cat_matches m;
	struct run *runs;
	size_t n_runs, n_fit, n_skipped;
	char words[400];                /* how messages name the target */
	char skipped[600];              /* outputs without the view, named */
};

static void plan_release(struct target_plan *p)
{
	size_t i;

	for (i = 0; p->runs && i < p->m.n; i++)
		frames_release(&p->runs[i].out);
	free(p->runs);
	cat_matches_release(&p->m);
	gf_target_release(&p->t);
}

/* Parses the target and resolves it over the trace servers; no match is a 400 saying which part. */
static int resolve_target(struct gctx *x, const struct gf_query_target *qt, enum gf_view forced,
			  struct target_plan *p)
{
	const char *text = qt->target ? qt->target : "";
	struct cat_matches any;
	struct tsp_error e;
	char err[512];
	int metric_view = -1;

	tsp_error_clear(&e);
	/* The JSON datasource's builder sends the metric (a view name) as the target. */
	if (qt->has_payload && (metric_view = gf_view_parse(text)) >= 0)
		text = "";
	target_words(p->words, sizeof(p->words), text, qt);
	if (gf_target_parse(&p->t, text, qt->fields, err, sizeof(err)) < 0)
		return gctx_fail(x, 400, "%s", err);
	if (forced)
		p->t.view = forced;
	else if (metric_view > 0 && p->t.view == GF_VIEW_DEFAULT)
		p->t.view = (enum gf_view)metric_view;
	if (upstreams_resolve(&x->b->ups, &p->t.experiment, &p->t.output, &p->m, &e) < 0)
		return gctx_fail_upstream(x, &e);
	if (p->m.n)
		return 0;
	cat_matches_init(&any);
	if (upstreams_resolve(&x->b->ups, &p->t.experiment, NULL, &any, &e) < 0)
		gctx_fail_upstream(x, &e);
	else if (!any.n && any.n_notes)
		/* It may be the one the server listed malformed: the server's fault. */
		gctx_fail(x, 502, "%s: no experiment matches \"%s\"; %s", p->words,
			  p->t.experiment.text ? p->t.experiment.text : "*", any.notes[0]);
	else if (!any.n)
		gctx_fail(x, 400, "%s: no experiment matches \"%s\"", p->words,
			  p->t.experiment.text ? p->t.experiment.text : "*");
	else
		gctx_fail(x, 400, "%s: no output matches \"%s\"", p->words,
			  p->t.output.text ? p->t.output.text : "*");
	cat_matches_release(&any);
	return -1;
}

/* The runs: the matches that pass the filters and have the view, each with its own context. */
static int plan_runs(struct gctx *x, const struct qctx *qc, const struct gf_query_target *qt,
		     struct target_plan *p)
{
	size_t i;

	p->runs = calloc(p->m.n, sizeof(*p->runs));
	if (!p->runs)
		return gctx_fail(x, 500, "out of memory");
	for (i = 0; i < p->m.n; i++) {
		const struct cat_match *c = &p->m.items[i];
		struct run *r = &p->runs[p->n_runs];
		struct gf_job *j = &r->j;
		enum gf_view view = p->t.view ? p->t.view : gf_view_default(c->type, qt->type);
		const struct gf_view_def *vi = gf_view_def(view);
		int pass = filters_pass(x, qc, c), fits = vi && (vi->types & GF_TYPE(c->type));

		if (pass < 0)
			return -1;
		p->n_fit += fits;
		if (!pass)
			continue;
		if (!fits && p->m.n > 1) {
			/* A wide pattern: what has no such view is skipped, and named when the view was asked. */
			if (p->t.view) {
				p->n_skipped++;
				list_add(p->skipped, sizeof(p->skipped), c->exp_label, c->output_name);
			}
			continue;
		}
		if (!fits)
			return gctx_fail(x, 400, "%s: %s/%s is a %s output; view \"%s\" needs a %s output",
					 p->words, c->exp_label, c->output_name, tsp_output_type_name(c->type),
					 vi ? vi->name : "(none)", vi ? type_words(vi->types) : "known");
		r->x = *x;
		j->x = &r->x;
		j->m = c;
		j->t = &p->t;
		j->view = view;
		j->ref_id = qt->ref_id;
		j->from_ns = qc->from_ns;
		j->to_ns = qc->to_ns;
		j->nb_times = qc->nb_times;
		j->out = &r->out;
		j->fmt = p->t.format ? p->t.format : qt->has_payload ? GF_FORMAT_FRAME :
			 qt->type == GF_TT_TABLE ? GF_FORMAT_TABLE : GF_FORMAT_DEFAULT;
		if (p->m.n > 1) {
			snprintf(j->prefix_buf, sizeof(j->prefix_buf), "%s/%s", c->exp_label, c->output_name);
			j->prefix = j->prefix_buf;
		}
		p->n_runs++;
	}
	return 0;
}

/*
 * The runs' outcomes in order, their frames into out. One of several
 * outputs failing upstream does not take the others down: it is left out
 * with a notice. Alone, or for anything but an upstream failure, or when
 * every output failed, the (first) failure answers for the target.
 */
static int collect_runs(struct gctx *x, const struct qctx *qc, struct target_plan *p, struct frames *out)
{
	const struct run *failed = NULL;
	size_t i, k, n_ok = 0, first = out->n;

	for (i = 0; i < p->n_runs; i++) {
		struct run *r = &p->runs[i];
		const struct cat_match *c = r->j.m;
		size_t from = out->n;

		if (r->x.status) {
			if (p->m.n == 1 || (r->x.status != 502 && r->x.status != 504))
				return gctx_fail(x, r->x.status, "%s", r->x.msg);
			if (!failed)
				failed = r;
			if (cat_matches_note(&p->m, "%s/%s left out: %s", c->exp_label, c->output_name,
					     r->x.msg) < 0)
				return gctx_fail(x, 500, "out of memory");
			log_warn("%s: %s/%s left out: %s", p->words, c->exp_label, c->output_name, r->x.msg);
			continue;
		}
		if (frames_move(out, &r->out) < 0)
			return gctx_fail(x, 500, "out of memory");
		n_ok++;
		if (qc->to_ns < c->exp_start || qc->from_ns > c->exp_end)
			for (k = from; k < out->n; k++)
				gf_frame_notice(out->v[k], "the time range does not overlap experiment %s: "
						"its data is from %" PRId64 " to %" PRId64 " ms", c->exp_label,
						ns_to_ms(c->exp_start), ns_to_ms(c->exp_end));
	}
	if (p->n_skipped && !p->n_fit) {
		const struct gf_view_def *vi = gf_view_def(p->t.view);

		return gctx_fail(x, 400, "%s: view \"%s\" needs a %s output and none of the %zu matched is "
				 "one: %s", p->words, gf_view_name(p->t.view),
				 vi ? type_words(vi->types) : "known", p->n_skipped, p->skipped);
	}
	if (p->n_skipped && cat_matches_note(&p->m, "view \"%s\": skipped %zu output%s that %s none: %s",
					     gf_view_name(p->t.view), p->n_skipped,
					     p->n_skipped > 1 ? "s" : "", p->n_skipped > 1 ? "have" : "has",
					     p->skipped) < 0)
		return gctx_fail(x, 500, "out of memory");
	if (!n_ok && failed)
		return gctx_fail(x, failed->x.status, "%s", failed->x.msg);
	/* What was left out, on every frame of this target. */
	for (k = first; k < out->n; k++)
		for (i = 0; i < p->m.n_notes; i++)
			gf_frame_notice(out->v[k], "%s", p->m.notes[i]);
	return 0;
}

/*
 * Runs one target: parse and resolve, check the view fits each matched
 * output, fetch and translate into out. The matched outputs (one per server
 * for a fan-out) are fetched at the same time, then taken in order.
 * `forced` is GF_VIEW_ANNOTATIONS for /annotations, GF_VIEW_DEFAULT otherwise.
 */
static int run_target(struct gctx *x, const struct qctx *qc, const struct gf_query_target *qt,
		      enum gf_view forced, struct frames *out)
{
	struct target_plan p;
	size_t first = out->n;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	gf_target_init(&p.t);
	cat_matches_init(&p.m);
	if (resolve_target(x, qt, forced, &p) < 0 || plan_runs(x, qc, qt, &p) < 0)
		goto out;
	upstreams_run(&x->b->ups, p.n_runs, run_piece, p.runs);
	ret = collect_runs(x, qc, &p, out);
out:
	if (ret < 0)
		frames_truncate(out, first);
	plan_release(&p);
	return ret;
}

/* Writes one frame in its format. */
static void write_frame(struct jsonw *w, const struct gf_frame *f, enum gf_format fmt)
{
	switch (fmt) {
	case GF_FORMAT_FRAME:
		gf_write_dataframe(w, f);
		break;
	case GF_FORMAT_TABLE:
		gf_write_table(w, f);
		break;
	default:
		/* SimpleJSON time series where the frame is one; a table otherwise. */
		if (!f->is_series || gf_write_timeseries(w, f, 1) < 0)
			gf_write_table(w, f);
		break;
	}
}

static int32_t nb_times_of(long max_data_points)
{
	if (max_data_points <= 0)
		return 400;
	return max_data_points > TSP_NB_TIMES_MAX ? TSP_NB_TIMES_MAX : (int32_t)max_data_points;
}

/*
 * What /query and /frames share: the context, the body parsed, the number
 * of targets bounded, the range and filters for run_target. -1 with x set.
 */
static int query_start(struct gctx *x, const struct http_request *req, struct gf_query_req *r,
		       struct qctx *qc)
{
	gctx_init(x, req);
	if (gf_query_req_parse(r, req->body, req->body_len, x->msg, sizeof(x->msg)) < 0) {
		x->status = 400;
		return -1;
	}
	if (r->n_targets > (size_t)x->b->cfg->max_targets)
		return gctx_fail(x, 413, "the request has %zu targets; at most %d are served at once "
			    "(--max-targets)", r->n_targets, x->b->cfg->max_targets);
	memset(qc, 0, sizeof(*qc));
	qc->from_ns = r->from_ns;
	qc->to_ns = r->to_ns;
	qc->nb_times = nb_times_of(r->max_data_points);
	qc->filters = r->filters;
	qc->n_filters = r->n_filters;
	return 0;
}

/* One target of a request, run in a context and frames of its own. */
struct target_run {
	const struct qctx *qc;
	const struct gf_query_target *qt;
	struct gctx x;
	struct frames out;
	int skip;                       /* hidden: not run, not answered */
};

static void target_piece(void *arg, size_t i)
{
	struct target_run *t = (struct target_run *)arg + i;

	if (!t->skip && run_target(&t->x, t->qc, t->qt, GF_VIEW_DEFAULT, &t->out) < 0 && !t->x.status)
		gctx_fail(&t->x, 500, "internal error");
}

/*
 * Runs every target of r at the same time (a panel's targets cost about
 * one upstream latency, not one each); NULL after gctx_fail() when out of
 * memory. Release with target_runs_free().
 */
static struct target_run *run_targets(struct gctx *x, const struct qctx *qc, const struct gf_query_req *r)
{
	struct target_run *ts = calloc(r->n_targets ? r->n_targets : 1, sizeof(*ts));
	size_t i;

	if (!ts) {
		gctx_fail(x, 500, "out of memory");
		return NULL;
	}
	for (i = 0; i < r->n_targets; i++) {
		ts[i].qc = qc;
		ts[i].qt = &r->targets[i];
		ts[i].x = *x;
		ts[i].skip = r->targets[i].hide;
	}
	upstreams_run(&x->b->ups, r->n_targets, target_piece, ts);
	return ts;
}

static void target_runs_free(struct target_run *ts, size_t n)
{
	size_t i;

	for (i = 0; ts && i < n; i++)
		frames_release(&ts[i].out);
	free(ts);
}

/* POST /query: every target; the first failure, in target order, answers for all. */
void grafana_query(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_query_req r;
	struct target_run *ts = NULL;
	struct qctx qc;
	struct jsonw w;
	size_t i, k;

	memset(&r, 0, sizeof(r));
	if (query_start(&x, req, &r, &qc) < 0 || !(ts = run_targets(&x, &qc, &r)))
		goto fail;
	for (i = 0; i < r.n_targets; i++)
		if (ts[i].x.status) {
			gctx_fail(&x, ts[i].x.status, "%s", ts[i].x.msg);
			goto fail;
		}
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < r.n_targets; i++)
		for (k = 0; k < ts[i].out.n; k++)
			write_frame(&w, ts[i].out.v[k], ts[i].out.fmt[k]);
	jsonw_arr_end(&w);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	target_runs_free(ts, r.n_targets);
	gf_query_req_release(&r);
}

/* A key for each target: its refId, unique in the request. */
static int frames_ref_ids_unique(struct gctx *x, const struct gf_query_req *r)
{
	size_t i, k;

	for (i = 0; i < r->n_targets; i++) {
		const char *a = r->targets[i].ref_id;

		if (!a || !*a)
			return gctx_fail(x, 400, "target %zu has no refId; /frames answers by refId", i + 1);
		for (k = 0; k < i; k++)
			if (!strcmp(a, r->targets[k].ref_id))
				return gctx_fail(x, 400, "two targets have refId \"%s\"; /frames answers by refId", a);
	}
	return 0;
}

/*
 * POST /frames: the /query request answered as Grafana's backend answers a
 * query, {"results": {refId: {"status", "frames" | "error"}}}. Each target
 * fails alone, so one bad query of a panel does not blank the others; frames
 * are always data frames.
 */
void grafana_frames(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_query_req r;
	struct target_run *ts = NULL;
	struct qctx qc;
	struct jsonw w;
	size_t i, k;

	memset(&r, 0, sizeof(r));
	if (query_start(&x, req, &r, &qc) < 0 || frames_ref_ids_unique(&x, &r) < 0 ||
	    !(ts = run_targets(&x, &qc, &r)))
		goto fail;
	jsonw_init(&w, &res->body);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "results");
	jsonw_obj_begin(&w);
	for (i = 0; i < r.n_targets; i++) {
		if (ts[i].skip)
			continue;
		jsonw_key(&w, r.targets[i].ref_id);
		jsonw_obj_begin(&w);
		jsonw_kint64(&w, "status", ts[i].x.status ? ts[i].x.status : 200);
		if (ts[i].x.status) {
			jsonw_kstr(&w, "error", ts[i].x.msg[0] ? ts[i].x.msg : "failed");
		} else {
			jsonw_key(&w, "frames");
			jsonw_arr_begin(&w);
			for (k = 0; k < ts[i].out.n; k++)
				gf_write_dataframe(&w, ts[i].out.v[k]);
			jsonw_arr_end(&w);
		}
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	target_runs_free(ts, r.n_targets);
	gf_query_req_release(&r);
}

/* The query arguments /flat takes as target fields (docs/grafana-api.md "Targets"). */
static const char *const flat_fields[] = {
	"experiment", "output", "entries", "view", "limit", "markers", "category", "tid", "bins",
};

/*
 * GET /flat: one target's answer as a JSON array of flat objects, for the
 * Infinity datasource, which reads rows from any JSON URL. The target is
 * `target=` and/or the fields as arguments (they win, as in a payload);
 * from/to as epoch ms (Grafana's ${__from}) or ISO 8601, points = nbTimes.
 * Series on one time axis become one row per time with a column per series;
 * other series {time, series, value} rows; tables their rows.
 */
void grafana_flat(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct frames fs = { 0 };
	struct gf_query_target qt;
	struct qctx qc;
	struct jsonw w;
	cJSON *fields = NULL;
	size_t i;

	memset(&qt, 0, sizeof(qt));
	memset(&qc, 0, sizeof(qc));
	gctx_init(&x, req);
	fields = cJSON_CreateObject();
	if (!fields) {
		gctx_fail(&x, 500, "out of memory");
		goto fail;
	}
	for (i = 0; i < sizeof(flat_fields) / sizeof(flat_fields[0]); i++) {
		const char *v = http_request_arg(req, flat_fields[i]);

		if (v && !cJSON_AddStringToObject(fields, flat_fields[i], v)) {
			gctx_fail(&x, 500, "out of memory");
			goto fail;
		}
	}
	qt.target = http_request_arg(req, "target");
	if (!qt.target)
		qt.target = "";
	if (!*qt.target && !cJSON_GetObjectItemCaseSensitive(fields, "experiment")) {
		gctx_fail(&x, 400, "say what to fetch: target=experiment/output[/entries][?options], "
		     "or experiment=, output= (and entries=, view=, limit=, markers=, category=, tid=, bins=)");
		goto fail;
	}
	qc.nb_times = 400;
	if (tsp_range_args(http_request_arg(req, "from"), http_request_arg(req, "from_ns"),
			  http_request_arg(req, "to"), http_request_arg(req, "to_ns"),
			  &qc.from_ns, &qc.to_ns, x.msg, sizeof(x.msg)) < 0 ||
	    tsp_nb_times_arg(http_request_arg(req, "points"), "points", &qc.nb_times, x.msg,
			    sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	qt.ref_id = "A";
	qt.type = GF_TT_TABLE;          /* a time graph's rows by default: intervals */
	qt.fields = fields;
	if (run_target(&x, &qc, &qt, GF_VIEW_DEFAULT, &fs) < 0)
		goto fail;
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	if (fs.n == 1 && !fs.v[0]->is_series)
		gf_write_rows(&w, fs.v[0], NULL, NULL);
	else if (gf_write_wide(&w, fs.v, fs.n) < 0)
		for (i = 0; i < fs.n; i++)
			gf_write_long(&w, fs.v[i]);
	jsonw_arr_end(&w);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	cJSON_Delete(fields);
	frames_release(&fs);
}

/* Writes a cJSON tree made by json_parse_exact, long integers exact. */
static void write_cjson(struct jsonw *w, const cJSON *j)
{
	const cJSON *it;
	int64_t v;
	double d;

	if (cJSON_IsObject(j)) {
		jsonw_obj_begin(w);
		cJSON_ArrayForEach(it, j) {
			jsonw_key(w, it->string);
			write_cjson(w, it);
		}
		jsonw_obj_end(w);
	} else if (cJSON_IsArray(j)) {
		jsonw_arr_begin(w);
		cJSON_ArrayForEach(it, j)
			write_cjson(w, it);
		jsonw_arr_end(w);
	} else if (json_get_int64(j, &v) == JSON_OK) {
		jsonw_int64(w, v);
	} else if (json_get_double(j, &d) == JSON_OK) {
		jsonw_double(w, d);
	} else if (json_get_string(j)) {
		jsonw_str(w, json_get_string(j));
	} else if (cJSON_IsBool(j)) {
		jsonw_bool(w, cJSON_IsTrue(j));
	} else {
		jsonw_null(w);
	}
}

/* POST /annotations (SimpleJSON): annotation.query is a target. */
void grafana_annotations(const struct http_request *req, struct http_response *res)
{
	struct gctx x;
	struct gf_annotation_req r;
	struct gf_query_target qt;
	struct frames fs = { 0 };
	struct strbuf echo = STRBUF_INIT;
	struct qctx qc;
	struct jsonw w;
	size_t i;

	memset(&r, 0, sizeof(r));
	gctx_init(&x, req);
	if (gf_annotation_req_parse(&r, req->body, req->body_len, x.msg, sizeof(x.msg)) < 0) {
		x.status = 400;
		goto fail;
	}
	memset(&qc, 0, sizeof(qc));
	qc.from_ns = r.from_ns;
	qc.to_ns = r.to_ns;
	qc.nb_times = 400;
	memset(&qt, 0, sizeof(qt));
	qt.target = r.query;
	qt.type = GF_TT_TABLE;
	if (run_target(&x, &qc, &qt, GF_VIEW_ANNOTATIONS, &fs) < 0)
		goto fail;
	if (r.annotation) {
		jsonw_init(&w, &echo);
		write_cjson(&w, r.annotation);
		if (jsonw_finish(&w) < 0) {
			gctx_fail(&x, 500, "out of memory");
			goto fail;
		}
	}
	jsonw_init(&w, &res->body);
	jsonw_arr_begin(&w);
	for (i = 0; i < fs.n; i++)
		gf_write_annotations(&w, fs.v[i], r.annotation ? echo.buf : NULL);
	jsonw_arr_end(&w);
	gctx_answer_json(res, &w);
	goto out;
fail:
	gctx_answer_error(res, &x);
out:
	strbuf_release(&echo);
	frames_release(&fs);
	gf_annotation_req_release(&r);
}

