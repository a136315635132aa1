/* TSP models -> Grafana frames (gf_translate.h). */
#include "gf_translate.h"

#include "hash.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "nstime.h"
#include "strbuf.h"

static int nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- rows: entry id -> name, by binary search over a sorted copy ---- */

struct row_name {
	int64_t id;
	const char *name;
	int64_t parent;
};

struct row_index {
	struct row_name *v;
	size_t n;
};

static int cmp_row_name(const void *a, const void *b)
{
	const struct row_name *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int row_index_init(struct row_index *ri, const struct tsp_tree *tree)
{
	size_t i, n = tree ? tree->n_entries : 0;

	ri->n = n;
	ri->v = calloc(n ? n : 1, sizeof(*ri->v));
	if (!ri->v)
		return -1;
	for (i = 0; i < n; i++) {
		ri->v[i].id = tree->entries[i].id;
		ri->v[i].name = tree->entries[i].n_labels ? tree->entries[i].labels[0] : NULL;
		ri->v[i].parent = tree->entries[i].parent_id;
	}
	qsort(ri->v, n, sizeof(*ri->v), cmp_row_name);
	return 0;
}

static const struct row_name *row_find(const struct row_index *ri, int64_t id)
{
	struct row_name key = { id, NULL, 0 };

	return ri->n ? bsearch(&key, ri->v, ri->n, sizeof(*ri->v), cmp_row_name) : NULL;
}

/* The row's name, or "#id" written into buf when the tree does not know it. */
static const char *row_label(const struct row_index *ri, int64_t id, char *buf, size_t len)
{
	const struct row_name *r = row_find(ri, id);

	if (r && r->name)
		return r->name;
	snprintf(buf, len, "#%" PRId64, id);
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether name appears more than once in the sorted names. */
static int name_repeats(const char **names, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(names[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1 < n && !strcmp(names[lo], name) && !strcmp(names[lo + 1], name);
}

/*
 * A row's name, qualified when another row has the same label: by its
 * parent's, unless the parent is a top-level entry (a trace) or has the
 * same label (a bash forked by a bash stays "bash"). Resources
 * Status has "CPU 0 States" under the trace and under each "IRQ 16",
 * and "IRQ 16" under "CPU 0 States" and under the trace: they read
 * "IRQ 16 / CPU 0 States", "CPU 0 States / IRQ 16". NULL for a row
 * without a label.
 */
static const char *qualified_name(const struct row_index *ri, const struct row_name *rn,
				  const char **names, size_t n_names, char *buf, size_t len)
{
	const struct row_name *p;

	if (!rn || !rn->name)
		return NULL;
	if (!name_repeats(names, n_names, rn->name) || !(p = row_find(ri, rn->parent)) || !p->name ||
	    p->id == rn->id || !row_find(ri, p->parent) || !strcmp(p->name, rn->name))
		return rn->name;
	snprintf(buf, len, "%s / %s", p->name, rn->name);
	return buf;
}

/* The tree's row names, sorted, for qualified_name(). */
struct sorted_names {
	const char **v;
	size_t n;
};

static int sorted_names_init(struct sorted_names *sn, const struct row_index *ri)
{
	size_t i;

	sn->n = 0;
	if (!(sn->v = calloc(ri->n + 1, sizeof(*sn->v))))
		return -1;
	for (i = 0; i < ri->n; i++)
		if (ri->v[i].name)
			sn->v[sn->n++] = ri->v[i].name;
	qsort(sn->v, sn->n, sizeof(*sn->v), cmp_str);
	return 0;
}

/* A row of the intervals table: its qualified name, or "#id" for a row the tree does not know. */
static const char *interval_row_name(const struct row_index *ri, const struct sorted_names *sn,
				     int64_t id, char *buf, size_t len)
{
	const char *q = qualified_name(ri, row_find(ri, id), sn->v, sn->n, buf, len);

	if (q)
		return q;
	snprintf(buf, len, "#%" PRId64, id);
	return buf;
}

/* ---- styles ---- */

/* A set of names, for mappings: one per name, found in O(1) however many styles there are. */
struct name_set {
	const char **v;
	size_t cap;
};

/* 1 if name was added, 0 if it was there, -1 when out of memory. */
static int name_set_add(struct name_set *ns, const char *name)
{
	size_t k;

	for (k = (size_t)hash_fnv1a64(name, strlen(name)) & (ns->cap - 1); ns->v[k];
	     k = (k + 1) & (ns->cap - 1))
		if (!strcmp(ns->v[k], name))
			return 0;
	ns->v[k] = name;
	return 1;
}

static int add_mapping(struct gf_mapping *out, size_t *k, struct name_set *seen, const char *name,
		       const char *text, const char *color)
{
	int r = name_set_add(seen, name);

	if (r <= 0)
		return r;
	out[*k].value = name;
	out[*k].text = text;
	out[*k].color = color;
	(*k)++;
	return 1;
}

/*
 * Value mappings (state name -> colour): first the colours states carry in
 * their own style (flame charts colour each state inline; a state's own
 * colour wins over its parent style's), then every named style with a
 * colour. The first colour of a name wins.
 */
static int style_mappings(const struct tsp_styles *ss, const struct tsp_tg_states *st,
			  int64_t from_ns, int64_t to_ns, struct gf_mapping **out, size_t *n)
{
	struct name_set seen = { NULL, 16 };
	size_t i, j, k = 0, max = ss ? ss->n : 0;
	int ret = -1;

	*out = NULL;
	for (i = 0; st && i < st->n_rows; i++)
		for (j = 0; j < st->rows[i].n_states; j++)
			max += tsp_state_own_color(&st->rows[i].states[j]) != NULL;
	while (seen.cap < max * 2)
		seen.cap *= 2;
	if (!(seen.v = calloc(seen.cap, sizeof(*seen.v))) ||
	    !(*out = calloc(max ? max : 1, sizeof(**out))))
		goto out;
	for (i = 0; st && i < st->n_rows; i++)
		for (j = 0; j < st->rows[i].n_states; j++) {
			const struct tsp_tg_state *s = &st->rows[i].states[j];
			const char *color = tsp_state_own_color(s), *name;

			if (!color || s->end < from_ns || s->start > to_ns ||
			    !(name = tsp_state_name(ss, s)))
				continue;
			/*
			 * A state styled on its own is shown by its label: Resources
			 * Status names each thread's style by its tid ("408") and
			 * labels the state "python3 (408)".
			 */
			if (add_mapping(*out, &k, &seen, name, s->label ? s->label : name, color) < 0)
				goto out;
		}
	for (i = 0; ss && i < ss->n; i++) {
		const struct tsp_style *s = &ss->items[i].style;
		const char *name = tsp_style_str(ss, s, "style-name");
		const char *color = tsp_style_str(ss, s, "background-color");

		if (name && color && add_mapping(*out, &k, &seen, name, name, color) < 0)
			goto out;
	}
	*n = k;
	ret = 0;
out:
	free(seen.v);
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* ---- fields by table ---- */

struct field_spec {
	const char *name;
	enum gf_field_type type;
};

/* Adds the fields in order (their indexes are their positions) and room for n rows. */
static int add_fields(struct gf_frame *f, const struct field_spec *spec, size_t n_spec, size_t rows)
{
	size_t i;

	for (i = 0; i < n_spec; i++)
		if (gf_frame_add_field(f, spec[i].name, spec[i].type) < 0)
			return -1;
	return gf_frame_reserve(f, rows);
}

#define ADD_FIELDS(f, spec, rows) add_fields((f), (spec), sizeof(spec) / sizeof((spec)[0]), (rows))

/* ---- intervals ---- */

/*
 * State names per style pointer: the style-name lookup walks the style chain
 * with a strcmp per value, and the states of an answer share few styles
 * (the direct reader interns them, tg_states_reader.h). Direct-mapped: a
 * miss only costs the lookup it saves.
 */
#define NAME_MEMO 256

struct name_memo {
	const struct tsp_style *style[NAME_MEMO];
	const char *name[NAME_MEMO];    /* its style-name, NULL if none */
};

static size_t ptr_slot(const void *p, size_t n)
{
	return (size_t)(hash_ptr(p) >> 40) & (n - 1);
}

/* tsp_state_name(), memoized on the state's style. */
static const char *memo_state_name(struct name_memo *nm, const struct tsp_styles *ss,
				   const struct tsp_tg_state *st)
{
	const char *n = NULL;

	if (st->style) {
		size_t k = ptr_slot(st->style, NAME_MEMO);

		if (nm->style[k] != st->style) {
			nm->style[k] = st->style;
			nm->name[k] = tsp_style_str(ss, st->style, "style-name");
		}
		n = nm->name[k];
	}
	if (n)
		return n;
	if (st->label)
		return st->label;
	return st->style ? st->style->parent_key : NULL;
}

/*
 * The frame's copy of a model string, one per source pointer: the model
 * may go before the frame is written, so strings are copied, but equal
 * pointers (interned labels and names, a row's name) are copied once.
 */
#define COPY_MEMO 1024

struct copy_memo {
	const char *src[COPY_MEMO];
	const char *dst[COPY_MEMO];
};

/* 0 with *out the copy (NULL for NULL), -1 when out of memory. */
static int memo_copy(struct copy_memo *cm, struct gf_frame *f, const char *s, const char **out)
{
	size_t k;

	if (!s) {
		*out = NULL;
		return 0;
	}
	k = ptr_slot(s, COPY_MEMO);
	if (cm->src[k] != s) {
		const char *c = arena_strdup(&f->arena, s);

		if (!c)
			return -1;
		cm->src[k] = s;
		cm->dst[k] = c;
	}
	*out = cm->dst[k];
	return 0;
}

static char *ns_text(struct gf_frame *f, int64_t ns)
{
	char buf[32];
	int n = jsonw_format_int64(ns, buf);

	return arena_strndup(&f->arena, buf, (size_t)n);
}

/* What a row of the frame needs, moved whole by the sort (gathering after it missed the cache). */
struct interval {
	int64_t start, end;
	const char *name;               /* memo_state_name() */
	const char *label;
	size_t row;                     /* index into st->rows */
};

/* Row order for ties at the same start: entry id, then position in the answer. */
struct row_key {
	int64_t id;
	size_t idx;
};

static int cmp_row_key(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Stable LSD radix sort of v[0..n) by start, in passes of 12 bits of
 * (start - min), only as many as the span needs: an answer's start times
 * span few bits (10 s of ns: 34). tmp holds n items. Returns the sorted
 * array (v or tmp).
 */
static struct interval *radix_sort(struct interval *v, struct interval *tmp, size_t n, int64_t min)
{
	enum { BITS = 12, BUCKETS = 1 << BITS };
	size_t count[BUCKETS];
	uint64_t all = 0;
	size_t i;
	int shift;

	for (i = 0; i < n; i++)
		all |= (uint64_t)v[i].start - (uint64_t)min;
	for (shift = 0; shift < 64 && (all >> shift); shift += BITS) {
		size_t sum = 0;
		struct interval *t;

		if (!((all >> shift) & (BUCKETS - 1)))
			continue;       /* this digit is 0 everywhere */
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(((uint64_t)v[i].start - (uint64_t)min) >> shift) & (BUCKETS - 1)]++;
		for (i = 0; i < BUCKETS; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(((uint64_t)v[i].start - (uint64_t)min) >> shift) & (BUCKETS - 1)]++] = v[i];
		t = v;
		v = tmp;
		tmp = t;
	}
	return v;
}

/* The intervals frame's fields, in column order. */
enum { IV_ROW, IV_START, IV_END, IV_STATE, IV_LABEL, IV_DUR, IV_SNS, IV_ENS, IV_ID };
static const struct field_spec interval_fields[] = {
	{ "row", GF_STRING }, { "start", GF_TIME }, { "end", GF_TIME }, { "state", GF_STRING },
	{ "label", GF_STRING }, { "duration_ms", GF_NUMBER }, { "start_ns", GF_STRING },
	{ "end_ns", GF_STRING }, { "row_id", GF_NUMBER },
};

/*
 * The states of st in [from_ns, to_ns] into iv, clipped to it and laid out
 * row by row in (entry id, row) order; gaps are left out. How many, and
 * the earliest start in *min_start.
 */
static size_t gather_intervals(const struct tsp_tg_states *st, const struct tsp_styles *styles,
			       int64_t from_ns, int64_t to_ns, struct row_key *rk, struct name_memo *nm,
			       struct interval *iv, int64_t *min_start)
{
	size_t i, j, n = 0;

	for (i = 0; i < st->n_rows; i++) {
		rk[i].id = st->rows[i].entry_id;
		rk[i].idx = i;
	}
	qsort(rk, st->n_rows, sizeof(*rk), cmp_row_key);
	for (i = 0; i < st->n_rows; i++) {
		const struct tsp_tg_row *r = &st->rows[rk[i].idx];

		for (j = 0; j < r->n_states; j++) {
			const struct tsp_tg_state *s = &r->states[j];
			const char *name;

			if (s->end < from_ns || s->start > to_ns || !(name = memo_state_name(nm, styles, s)))
				continue;
			iv[n].start = s->start < from_ns ? from_ns : s->start;
			iv[n].end = s->end > to_ns ? to_ns : s->end;
			iv[n].name = name;
			iv[n].label = s->label;
			iv[n].row = rk[i].idx;
			if (iv[n].start < *min_start)
				*min_start = iv[n].start;
			n++;
		}
	}
	return n;
}

/*
 * Row i of the intervals frame. row_names[r]: row r's name once copied into
 * the frame (NULL before). -1 when out of memory.
 */
static int set_interval(struct gf_frame *f, size_t i, const struct interval *v,
			const struct tsp_tg_states *st, const struct row_index *ri,
			const struct sorted_names *names, const char **row_names, struct copy_memo *cm)
{
	const char *sns = ns_text(f, v->start), *ens = ns_text(f, v->end), *c;
	char idbuf[512];

	if (!sns || !ens)
		return -1;
	/* A row's name is looked up and copied once. */
	if (!row_names[v->row] &&
	    !(row_names[v->row] = arena_strdup(&f->arena, interval_row_name(ri, names,
									    st->rows[v->row].entry_id,
									    idbuf, sizeof(idbuf)))))
		return -1;
	gf_set_str_ref(f, IV_ROW, i, row_names[v->row]);
	gf_set_time(f, IV_START, i, ns_to_ms(v->start));
	gf_set_time(f, IV_END, i, ns_to_ms(v->end));
	/* Names and labels live in the models: copied into the frame, once each. */
	if (memo_copy(cm, f, v->name, &c) < 0)
		return -1;
	gf_set_str_ref(f, IV_STATE, i, c);
	if (memo_copy(cm, f, v->label, &c) < 0)
		return -1;
	gf_set_str_ref(f, IV_LABEL, i, c);
	gf_set_num(f, IV_DUR, i, ns_span_ms(v->start, v->end));
	gf_set_str_ref(f, IV_SNS, i, sns);
	gf_set_str_ref(f, IV_ENS, i, ens);
	gf_set_num(f, IV_ID, i, (double)st->rows[v->row].entry_id);
	return 0;
}

/*
 * Intervals in (start, entry id) order; of equal ones, as they came (row,
 * then state). The sort: intervals are laid out row by row in (entry id,
 * row) order, then stably sorted by start alone.
 */
int gf_tr_intervals(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_states *st,
		    const struct tsp_styles *styles, int64_t from_ns, int64_t to_ns, long limit,
		    char *err, size_t errlen)
{
	struct row_index ri = { 0 };
	struct interval *iv = NULL, *sorted;
	struct row_key *rk = NULL;
	struct name_memo *nm = NULL;
	struct copy_memo *cm = NULL;
	struct sorted_names sn = { NULL, 0 };
	const char **row_names = NULL;
	size_t i, n, total = 0, shown;
	int64_t min_start = INT64_MAX;
	int ret = -1;

	for (i = 0; i < st->n_rows; i++)
		total += st->rows[i].n_states;
	if (row_index_init(&ri, tree) < 0 || sorted_names_init(&sn, &ri) < 0 ||
	    total > SIZE_MAX / 2 / sizeof(*iv) || !(iv = malloc(2 * (total ? total : 1) * sizeof(*iv))) ||
	    !(rk = malloc((st->n_rows ? st->n_rows : 1) * sizeof(*rk))) ||
	    !(row_names = calloc(st->n_rows ? st->n_rows : 1, sizeof(*row_names))) ||
	    !(nm = calloc(1, sizeof(*nm))) || !(cm = calloc(1, sizeof(*cm))))
		goto nomem;
	n = gather_intervals(st, styles, from_ns, to_ns, rk, nm, iv, &min_start);
	sorted = radix_sort(iv, iv + n, n, min_start);
	shown = limit > 0 && n > (size_t)limit ? (size_t)limit : n;
	if (ADD_FIELDS(f, interval_fields, shown) < 0)
		goto nomem;
	for (i = 0; i < shown; i++)
		if (set_interval(f, i, &sorted[i], st, &ri, &sn, row_names, cm) < 0)
			goto nomem;
	f->length = shown;
	if (shown < n && gf_frame_notice(f, "showing the first %zu of %zu intervals: narrow the time "
					 "range or raise limit", shown, n) < 0)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	nomem(err, errlen);
out:
	free(ri.v);
	free(sn.v);
	free(iv);
	free(rk);
	free(row_names);
	free(nm);
	free(cm);
	return ret;
}

/* ---- timeline ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* First index of v[0..n) >= key. */
static size_t lower_bound(const int64_t *v, size_t n, int64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define TIMELINE_MAX_CELLS ((size_t)4 << 20)

/*
 * The times the timeline changes at, in ms, sorted and distinct, into t:
 * every state start, and every end not followed at once by another state.
 * How many.
 */
static size_t change_times(const struct tsp_tg_states *st, const struct tsp_styles *styles,
			   int64_t from_ns, int64_t to_ns, int64_t *t)
{
	size_t i, j, n = 0, nt = 0;

	for (i = 0; i < st->n_rows; i++)
		for (j = 0; j < st->rows[i].n_states; j++) {
			const struct tsp_tg_state *s = &st->rows[i].states[j];
			const struct tsp_tg_state *next = j + 1 < st->rows[i].n_states ? s + 1 : NULL;

			if (s->end < from_ns || s->start > to_ns || !tsp_state_name(styles, s))
				continue;
			t[n++] = ns_to_ms(s->start < from_ns ? from_ns : s->start);
			if (s->end < to_ns && (!next || next->start > s->end || !tsp_state_name(styles, next)))
				t[n++] = ns_to_ms(s->end);
		}
	qsort(t, n, sizeof(*t), cmp_i64);
	for (i = 0; i < n; i++)
		if (!nt || t[nt - 1] != t[i])
			t[nt++] = t[i];
	return nt;
}

/* What every row field of a timeline frame shares. */
struct timeline_ctx {
	const struct tsp_styles *styles;
	int64_t from_ns, to_ns;
	const int64_t *t;               /* change_times() */
	size_t nt;
	const struct row_index *ri;
	const char **names;             /* the tree's row names, sorted */
	size_t n_names;
	const char **qnames;            /* the same, qualified (qualified_name()), sorted */
	size_t n_qnames;
	const struct gf_mapping *maps;  /* state -> colour */
	size_t n_maps;
};

/* Row r as a string field: the state in force at each change time. -1 when out of memory. */
static int timeline_row(struct gf_frame *f, const struct timeline_ctx *tc, const struct tsp_tg_row *r)
{
	const struct row_name *rn = row_find(tc->ri, r->entry_id);
	char name[512];
	size_t j, k;
	int fi;

	char qbuf[512];
	const char *q = qualified_name(tc->ri, rn, tc->names, tc->n_names, qbuf, sizeof(qbuf));

	/* Thread names repeat (four "bash" under one trace): the id keeps the fields apart. */
	if (q) {
		if (name_repeats(tc->qnames, tc->n_qnames, q))
			snprintf(name, sizeof(name), "%s (%" PRId64 ")", q, r->entry_id);
		else
			snprintf(name, sizeof(name), "%s", q);
	} else {
		snprintf(name, sizeof(name), "#%" PRId64, r->entry_id);
	}
	fi = gf_frame_add_field(f, name, GF_STRING);
	if (fi < 0 || (tc->n_maps && gf_field_set_mappings(f, (size_t)fi, tc->maps, tc->n_maps) < 0))
		return -1;
	/*
	 * Later states overwrite earlier ones: of several states in the
	 * same ms, the last one to start is shown (a panel cannot draw
	 * below its ms resolution anyway).
	 */
	for (j = 0; j < r->n_states; j++) {
		const struct tsp_tg_state *s = &r->states[j];
		const char *sn = tsp_state_name(tc->styles, s);
		size_t a, b;

		if (s->end < tc->from_ns || s->start > tc->to_ns || !sn)
			continue;
		a = lower_bound(tc->t, tc->nt, ns_to_ms(s->start < tc->from_ns ? tc->from_ns : s->start));
		b = s->end >= tc->to_ns ? tc->nt : lower_bound(tc->t, tc->nt, ns_to_ms(s->end));
		if (b <= a)
			b = a + 1;
		sn = arena_strdup(&f->arena, sn);
		if (!sn)
			return -1;
		for (k = a; k < b && k < tc->nt; k++)
			gf_set_str_ref(f, (size_t)fi, k, sn);
	}
	return 0;
}

int gf_tr_timeline(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_states *st,
		   const struct tsp_styles *styles, int64_t from_ns, int64_t to_ns, long limit,
		   char *err, size_t errlen)
{
	struct row_index ri = { 0 };
	struct gf_mapping *maps = NULL;
	const char **names = NULL, **qnames = NULL;
	struct arena qa;
	int64_t *t = NULL;
	size_t i, nt, total = 0, rows, n_maps = 0, n_names = 0, n_qnames = 0;
	struct timeline_ctx tc;
	int ret = -1;
	char qbuf[512];

	arena_init(&qa);
	for (i = 0; i < st->n_rows; i++)
		total += st->rows[i].n_states;
	if (row_index_init(&ri, tree) < 0 || !(t = malloc((2 * total + 1) * sizeof(*t))) ||
	    style_mappings(styles, st, from_ns, to_ns, &maps, &n_maps) < 0 ||
	    !(names = calloc(ri.n + 1, sizeof(*names))) || !(qnames = calloc(ri.n + 1, sizeof(*qnames))))
		goto nomem;
	for (i = 0; i < ri.n; i++)
		if (ri.v[i].name)
			names[n_names++] = ri.v[i].name;
	qsort(names, n_names, sizeof(*names), cmp_str);
	for (i = 0; i < ri.n; i++) {
		const char *q = qualified_name(&ri, &ri.v[i], names, n_names, qbuf, sizeof(qbuf));

		if (q && !(qnames[n_qnames++] = q == qbuf ? arena_strdup(&qa, q) : q))
			goto nomem;
	}
	qsort(qnames, n_qnames, sizeof(*qnames), cmp_str);
	nt = change_times(st, styles, from_ns, to_ns, t);
	rows = st->n_rows;
	if (limit > 0 && rows > (size_t)limit)
		rows = (size_t)limit;
	if (nt && rows > TIMELINE_MAX_CELLS / nt)
		rows = TIMELINE_MAX_CELLS / nt;
	if (gf_frame_add_field(f, "time", GF_TIME) < 0 || gf_frame_reserve(f, nt) < 0)
		goto nomem;
	for (i = 0; i < nt; i++)
		gf_set_time(f, 0, i, t[i]);
	f->length = nt;
	tc = (struct timeline_ctx){ styles, from_ns, to_ns, t, nt, &ri, names, n_names, qnames, n_qnames,
				    maps, n_maps };
	for (i = 0; i < rows; i++)
		if (timeline_row(f, &tc, &st->rows[i]) < 0)
			goto nomem;
	if (rows < st->n_rows && gf_frame_notice(f, "showing %zu of %zu rows: select entries or "
						 "raise limit", rows, st->n_rows) < 0)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	nomem(err, errlen);
out:
	free(ri.v);
	free(maps);
	free(names);
	free(qnames);
	arena_release(&qa);
	free(t);
	return ret;
}

/* ---- arrows, styles ---- */

static const struct field_spec arrow_fields[] = {
	{ "source", GF_STRING }, { "target", GF_STRING }, { "start", GF_TIME }, { "end", GF_TIME },
	{ "duration_ms", GF_NUMBER }, { "type", GF_STRING }, { "source_id", GF_NUMBER },
	{ "target_id", GF_NUMBER }, { "start_ns", GF_STRING }, { "end_ns", GF_STRING },
};

int gf_tr_arrows(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_arrows *a,
		 const struct tsp_styles *styles, long limit, char *err, size_t errlen)
{
	struct row_index ri = { 0 };
	size_t i, shown = limit > 0 && a->n > (size_t)limit ? (size_t)limit : a->n;
	char b1[32], b2[32];
	int ret = -1;
	enum { C_SRC, C_DST, C_START, C_END, C_DUR, C_TYPE, C_SID, C_DID, C_SNS, C_ENS };

	if (row_index_init(&ri, tree) < 0 || ADD_FIELDS(f, arrow_fields, shown) < 0)
		goto nomem;
	for (i = 0; i < shown; i++) {
		const struct tsp_tg_arrow *x = &a->items[i];
		const char *type = tsp_style_str(styles, x->style, "style-name");
		const char *sns = ns_text(f, x->start), *ens = ns_text(f, x->end);

		if (!type && x->style)
			type = x->style->parent_key;
		if (!sns || !ens ||
		    gf_set_str(f, C_SRC, i, row_label(&ri, x->source_id, b1, sizeof(b1))) < 0 ||
		    gf_set_str(f, C_DST, i, row_label(&ri, x->target_id, b2, sizeof(b2))) < 0 ||
		    gf_set_str(f, C_TYPE, i, type ? type : "") < 0)
			goto nomem;
		gf_set_time(f, C_START, i, ns_to_ms(x->start));
		gf_set_time(f, C_END, i, ns_to_ms(x->end));
		gf_set_num(f, C_DUR, i, ns_span_ms(x->start, x->end));
		gf_set_num(f, C_SID, i, (double)x->source_id);
		gf_set_num(f, C_DID, i, (double)x->target_id);
		gf_set_str_ref(f, C_SNS, i, sns);
		gf_set_str_ref(f, C_ENS, i, ens);
	}
	f->length = shown;
	if (shown < a->n && gf_frame_notice(f, "showing the first %zu of %zu arrows: narrow the time "
					    "range or raise limit", shown, a->n) < 0)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	nomem(err, errlen);
out:
	free(ri.v);
	return ret;
}

/* ---- node graph ---- */

int gf_tr_node_graph(struct gf_frame *f, const struct tsp_tree *tree, const struct tsp_tg_arrows *a,
		     int edges, char *err, size_t errlen)
{
	static const struct field_spec node_fields[] = {
		{ "id", GF_STRING }, { "title", GF_STRING }, { "subtitle", GF_STRING },
		{ "mainstat", GF_NUMBER }, { "secondarystat", GF_NUMBER },
	};
	static const struct field_spec edge_fields[] = {
		{ "id", GF_STRING }, { "source", GF_STRING }, { "target", GF_STRING }, { "mainstat", GF_NUMBER },
	};
	struct tsp_link_pair *p = calloc(a->n + 1, sizeof(*p));
	const struct tsp_tree_entry **by_id = calloc(tree->n_entries + 1, sizeof(*by_id));
	long *outs = calloc(tree->n_entries + 1, sizeof(*outs)), *ins = calloc(tree->n_entries + 1, sizeof(*ins));
	size_t i, k;
	char id[48], buf[256];
	int ret = -1;

	if (!p || !by_id || !outs || !ins || gf_frame_set_name(f, edges ? "edges" : "nodes") < 0 ||
	    (edges ? ADD_FIELDS(f, edge_fields, 0) : ADD_FIELDS(f, node_fields, 0)) < 0 ||
	    gf_field_set_display_name(f, 3, edges ? "links" : "links out") < 0 ||
	    (!edges && gf_field_set_display_name(f, 4, "links in") < 0))
		goto nomem;
	for (i = 0; i < a->n; i++) {
		p[i].source = a->items[i].source_id;
		p[i].target = a->items[i].target_id;
		p[i].count = 1;
	}
	k = tsp_link_pairs_merge(p, a->n);
	if (edges) {
		for (i = 0; i < k; i++) {
			long r = gf_frame_add_row(f);

			snprintf(id, sizeof(id), "%" PRId64 "-%" PRId64, p[i].source, p[i].target);
			if (r < 0 || gf_set_str(f, 0, (size_t)r, id) < 0)
				goto nomem;
			snprintf(id, sizeof(id), "%" PRId64, p[i].source);
			if (gf_set_str(f, 1, (size_t)r, id) < 0)
				goto nomem;
			snprintf(id, sizeof(id), "%" PRId64, p[i].target);
			if (gf_set_str(f, 2, (size_t)r, id) < 0)
				goto nomem;
			gf_set_num(f, 3, (size_t)r, (double)p[i].count);
		}
		ret = 0;
		goto out;
	}
	/* Every row a link joins, in id order, with its links out and in. */
	for (i = 0; i < tree->n_entries; i++)
		by_id[i] = &tree->entries[i];
	tsp_entries_by_id(by_id, tree->n_entries);
	tsp_link_degrees(p, k, by_id, tree->n_entries, outs, ins);
	for (i = 0; i < tree->n_entries; i++) {
		const struct tsp_tree_entry *e = by_id[i];
		long r;

		if (!outs[i] && !ins[i])
			continue;
		snprintf(id, sizeof(id), "%" PRId64, e->id);
		tsp_entry_subtitle(e, buf, sizeof(buf));
		if ((r = gf_frame_add_row(f)) < 0 || gf_set_str(f, 0, (size_t)r, id) < 0 ||
		    gf_set_str(f, 1, (size_t)r, e->n_labels ? e->labels[0] : "") < 0 ||
		    gf_set_str(f, 2, (size_t)r, buf) < 0)
			goto nomem;
		gf_set_num(f, 3, (size_t)r, (double)outs[i]);
		gf_set_num(f, 4, (size_t)r, (double)ins[i]);
	}
	ret = 0;
	goto out;
nomem:
	nomem(err, errlen);
out:
	free(p);
	free(by_id);
	free(outs);
	free(ins);
	return ret;
}

int gf_tr_styles(struct gf_frame *f, const struct tsp_styles *styles, char *err, size_t errlen)
{
	static const struct field_spec spec[] = {
		{ "state", GF_STRING }, { "name", GF_STRING }, { "color", GF_STRING },
	};
	size_t i;

	if (ADD_FIELDS(f, spec, 0) < 0)
		return nomem(err, errlen);
	for (i = 0; styles && i < styles->n; i++) {
		const struct tsp_style *s = &styles->items[i].style;
		const char *color = tsp_style_str(styles, s, "background-color");
		const char *name = tsp_style_str(styles, s, "style-name");
		long r;

		if (!color)
			continue;
		if ((r = gf_frame_add_row(f)) < 0 ||
		    gf_set_str(f, 0, (size_t)r, styles->items[i].key) < 0 ||
		    gf_set_str(f, 1, (size_t)r, name ? name : styles->items[i].key) < 0 ||
		    gf_set_str(f, 2, (size_t)r, color) < 0)
			return nomem(err, errlen);
	}
	return 0;
}

/* ---- events ---- */

static int parse_number(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end || errno ? -1 : 0;
}

/* A whole int64 in decimal (a ns timestamp); -1 for anything else. */
static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/*
 * A table cell as a number: a NUMBER column's text, or a DURATION's in ns
 * ("281,903", "1.5 µs"). An integer past 2^53 is not one: a double would
 * round it (nanosecond timestamps), so such a column stays text.
 */
static int cell_number(const char *s, int duration, double *d)
{
	if ((duration ? gf_parse_duration_ns(s, d) : parse_number(s, d)) < 0)
		return -1;
	return fabs(*d) > 9007199254740992.0 ? -1 : 0;
}

/*
 * The time of a line from column col: epoch seconds text ("1700000000.123
 * 456 789") or, with ns_col, integer nanoseconds. -1 when it is neither.
 */
static int line_time(const struct tsp_table_line *l, int col, int ns_col, int64_t *ns)
{
	if (col < 0 || (size_t)col >= l->n_cells)
		return -1;
	return ns_col ? parse_int64(l->cells[col].content, ns) :
			nstime_parse_epoch_s(l->cells[col].content, ns);
}

/*
 * The column that gives each line its time, -1 if none does for every
 * line: the first TIMESTAMP column when it holds epoch seconds; otherwise
 * Trace Compass's "Timestamp ns" (its tables show clock times, "22:13:20.503
 * 530 345", and add that column for clients).
 */
static int time_column(const struct tsp_table_columns *cols, const struct tsp_table_lines *lines,
		       size_t ncols, int *ns_col)
{
	int pass, found = -1;
	size_t i, k, m;
	int64_t ns;

	for (pass = 0; pass < 2 && found < 0; pass++) {
		for (k = 0; k < ncols && found < 0; k++)
			for (m = 0; m < cols->n; m++) {
				const struct tsp_table_column *c = &cols->items[m];
				int64_t id = lines ? lines->column_ids[k] : cols->items[k].id;

				if (c->id != id || !c->type)
					continue;
				if (pass == 0 ? !strcmp(c->type, "TIMESTAMP") :
				    (!strcmp(c->type, "NUMBER") && c->name && !strcmp(c->name, "Timestamp ns")))
					found = (int)k;
			}
		*ns_col = pass == 1;
		for (i = 0; found >= 0 && lines && i < lines->n_lines; i++)
			if (line_time(&lines->lines[i], found, *ns_col, &ns) < 0)
				found = -1;
	}
	return found;
}

int gf_tr_events(struct gf_frame *f, const struct tsp_table_columns *cols,
		 const struct tsp_table_lines *lines, int64_t to_ns, int64_t total, long limit,
		 char *err, size_t errlen)
{
	size_t i, k, ncols = lines ? lines->n_column_ids : cols->n;
	int ts_col, ns_col, base, numeric[512];
	int64_t ns;
	double d;

	if (ncols > 512)
		ncols = 512;
	/* Column k of the lines is column id column_ids[k]. */
	for (k = 0; k < ncols; k++) {
		const struct tsp_table_column *c = NULL;
		int64_t id = lines ? lines->column_ids[k] : cols->items[k].id;
		size_t m;

		for (m = 0; m < cols->n; m++)
			if (cols->items[m].id == id)
				c = &cols->items[m];
		numeric[k] = !c || !c->type ? 0 : !strcmp(c->type, "NUMBER") ? 1 :
			     !strcmp(c->type, "DURATION") ? 2 : 0;
		for (i = 0; lines && i < lines->n_lines && numeric[k]; i++)
			if (k < lines->lines[i].n_cells &&
			    cell_number(lines->lines[i].cells[k].content, numeric[k] == 2, &d) < 0)
				numeric[k] = 0;
	}
	ts_col = time_column(cols, lines, ncols, &ns_col);
	base = ts_col >= 0;
	if (base && gf_frame_add_field(f, "time", GF_TIME) < 0)
		return nomem(err, errlen);
	for (k = 0; k < ncols; k++) {
		const char *name = NULL;
		int64_t id = lines ? lines->column_ids[k] : cols->items[k].id;
		size_t m;

		for (m = 0; m < cols->n; m++)
			if (cols->items[m].id == id)
				name = cols->items[m].name;
		if (gf_frame_add_field(f, name ? name : "column", numeric[k] ? GF_NUMBER : GF_STRING) < 0 ||
		    (numeric[k] == 2 && gf_field_set_unit(f, (size_t)base + k, "ns") < 0))
			return nomem(err, errlen);
	}
	for (i = 0; lines && i < lines->n_lines; i++) {
		const struct tsp_table_line *l = &lines->lines[i];
		long r;

		if (base) {
			line_time(l, ts_col, ns_col, &ns);
			if (ns > to_ns)
				break;          /* lines come in time order */
		}
		if ((r = gf_frame_add_row(f)) < 0)
			return nomem(err, errlen);
		if (base)
			gf_set_time(f, 0, (size_t)r, ns_to_ms(ns));
		for (k = 0; k < ncols && k < l->n_cells; k++) {
			if (numeric[k]) {
				cell_number(l->cells[k].content, numeric[k] == 2, &d);
				gf_set_num(f, (size_t)base + k, (size_t)r, d);
			} else if (gf_set_str(f, (size_t)base + k, (size_t)r, l->cells[k].content) < 0) {
				return nomem(err, errlen);
			}
		}
	}
	if (total > (int64_t)f->length && limit > 0 && total > limit &&
	    gf_frame_notice(f, "showing the first %zu of %" PRId64 " events in the time range: narrow "
			    "the time range or raise limit", f->length, total) < 0)
		return nomem(err, errlen);
	return 0;
}

/* ---- data tree ---- */

static int id_selected(const int64_t *ids, size_t n, int64_t id)
{
	size_t i;

	if (!ids)
		return 1;
	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* "12.5 %" or "12.5%" -> 12.5; -1 when s is not a number with a percent sign. */
static int parse_percent(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || errno)
		return -1;
	while (*end == ' ')
		end++;
	if (*end++ != '%')
		return -1;
	while (*end == ' ')
		end++;
	return *end ? -1 : 0;
}

/* How a data tree column is served. */
enum tree_col { COL_STRING, COL_NUMBER, COL_PERCENT, COL_DURATION, COL_TIME };

/* A cell that holds no value: empty, or the "---" statistics write for too few samples. */
static int null_cell(const char *v)
{
	return !v || !*v || !strcmp(v, "---") || !strcmp(v, "N/A");
}

/* What the selected cells of column h are, counted. */
struct col_scan {
	size_t cells, numbers, durations, units, percents, ints;
};

static void scan_column(const struct tsp_tree *tree, const int64_t *ids, size_t n, size_t h,
			struct col_scan *c)
{
	size_t i;
	double d;
	int64_t t;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < tree->n_entries; i++) {
		const struct tsp_tree_entry *e = &tree->entries[i];
		const char *v = h + 1 < e->n_labels ? e->labels[h + 1] : NULL;
		int k;

		if (!id_selected(ids, n, e->id) || null_cell(v))
			continue;
		c->cells++;
		c->numbers += parse_number(v, &d) == 0;
		c->percents += parse_percent(v, &d) == 0;
		k = gf_parse_duration_ns(v, &d);
		c->durations += k >= 0;
		c->units += k == 1;
		c->ints += parse_int64(v, &t) == 0;
	}
}

static int dt_is(const struct tsp_tree_header *hd, const char *type)
{
	return hd->data_type && !strcmp(hd->data_type, type);
}

/*
 * A column is numbers when every selected cell that holds a value is one
 * (and one does); durations when the header says DURATION or the cells
 * are written with a time unit ("12.346 ms"); a percentage when it is
 * headed "%" or its cells read "N %". A header's NUMBER / TIMESTAMP is
 * taken when the cells allow it, so Grafana can sort, plot and format.
 */
static enum tree_col tree_column(const struct tsp_tree *tree, const int64_t *ids, size_t n, size_t h)
{
	const struct tsp_tree_header *hd = &tree->headers[h + 1];
	struct col_scan c;

	scan_column(tree, ids, n, h, &c);
	if (!strcmp(hd->name ? hd->name : "", "%") || (c.percents && c.percents == c.cells))
		return COL_PERCENT;
	if (c.cells && c.durations == c.cells && (dt_is(hd, "DURATION") || c.units))
		return COL_DURATION;
	if (c.cells && c.ints == c.cells && dt_is(hd, "TIMESTAMP"))
		return COL_TIME;
	if (c.cells && c.numbers == c.cells && !dt_is(hd, "TIMESTAMP") && !dt_is(hd, "TIME_RANGE"))
		return COL_NUMBER;
	return COL_STRING;
}

static int tree_field(struct gf_frame *f, const struct tsp_tree_header *hd, enum tree_col col)
{
	int fi = gf_frame_add_field(f, hd->name, col == COL_STRING ? GF_STRING :
				    col == COL_TIME ? GF_TIME : GF_NUMBER);

	if (fi < 0)
		return -1;
	if (col == COL_PERCENT)
		return gf_field_set_unit(f, (size_t)fi, "percent");
	if (col == COL_DURATION)
		return gf_field_set_unit(f, (size_t)fi, "ns");
	if (col == COL_NUMBER && dt_is(hd, "BINARY_NUMBER"))
		return gf_field_set_unit(f, (size_t)fi, "bytes");
	return 0;
}

/* Cell v of a row into field fi, as its column is served; -1 when out of memory. */
static int tree_cell(struct gf_frame *f, size_t fi, size_t r, enum tree_col col, const char *v)
{
	double d;
	int64_t t;

	switch (col) {
	case COL_PERCENT:
		/* A plain number under "%" is a percentage too; anything else is null. */
		gf_set_num(f, fi, r, parse_percent(v, &d) == 0 || parse_number(v, &d) == 0 ? d : NAN);
		return 0;
	case COL_NUMBER:
		gf_set_num(f, fi, r, parse_number(v, &d) == 0 ? d : NAN);
		return 0;
	case COL_DURATION:
		gf_set_num(f, fi, r, gf_parse_duration_ns(v, &d) >= 0 ? d : NAN);
		return 0;
	case COL_TIME:
		if (parse_int64(v, &t) == 0)
			gf_set_time(f, fi, r, ns_to_ms(t));
		return 0;
	default:
		return gf_set_str(f, fi, r, v);
	}
}

int gf_tr_data_tree(struct gf_frame *f, const struct tsp_tree *tree, const int64_t *ids, size_t n,
		    char *err, size_t errlen)
{
	struct row_index ri = { 0 };
	struct strbuf path = STRBUF_INIT;
	size_t i, h, nh = tree->n_headers > 1 ? tree->n_headers - 1 : 0;
	int *numeric = NULL, ret = -1;

	if (row_index_init(&ri, tree) < 0 || !(numeric = calloc(nh + 1, sizeof(*numeric))))
		goto nomem;
	if (gf_frame_add_field(f, "name", GF_STRING) < 0 || gf_frame_add_field(f, "path", GF_STRING) < 0)
		goto nomem;
	for (h = 0; h < nh; h++) {
		numeric[h] = (int)tree_column(tree, ids, n, h);
		if (tree_field(f, &tree->headers[h + 1], (enum tree_col)numeric[h]) < 0)
			goto nomem;
	}
	for (i = 0; i < tree->n_entries; i++) {
		const struct tsp_tree_entry *e = &tree->entries[i];
		const char *parts[64];
		const struct row_name *p;
		int np = 0, depth;
		long r;

		if (!id_selected(ids, n, e->id))
			continue;
		/* The path from the root, bounded: a malformed tree may loop. */
		parts[np++] = e->n_labels ? e->labels[0] : "";
		for (p = row_find(&ri, e->parent_id), depth = 0; p && depth < 63 && np < 64;
		     p = row_find(&ri, p->parent), depth++)
			parts[np++] = p->name ? p->name : "";
		strbuf_reset(&path);
		while (np--)
			if (strbuf_addstr(&path, parts[np]) < 0 || (np && strbuf_addstr(&path, " / ") < 0))
				goto nomem;
		if ((r = gf_frame_add_row(f)) < 0 ||
		    gf_set_str(f, 0, (size_t)r, e->n_labels ? e->labels[0] : "") < 0 ||
		    gf_set_str(f, 1, (size_t)r, strbuf_str(&path)) < 0)
			goto nomem;
		for (h = 0; h < nh; h++) {
			const char *v = h + 1 < e->n_labels ? e->labels[h + 1] : NULL;

			if (tree_cell(f, 2 + h, (size_t)r, (enum tree_col)numeric[h], v) < 0)
				goto nomem;
		}
	}
	ret = 0;
	goto out;
nomem:
	nomem(err, errlen);
out:
	strbuf_release(&path);
	free(numeric);
	free(ri.v);
	return ret;
}

/* ---- annotations ---- */

int gf_tr_annotations(struct gf_frame *f, const struct tsp_annotations *a, char *err, size_t errlen)
{
	static const struct field_spec spec[] = {
		{ "time", GF_TIME }, { "timeEnd", GF_TIME }, { "title", GF_STRING }, { "text", GF_STRING },
		{ "tags", GF_STRING },
	};
	size_t c, i;

	if (ADD_FIELDS(f, spec, 0) < 0)
		return nomem(err, errlen);
	for (c = 0; a && c < a->n; c++) {
		const struct tsp_annotation_category *cat = &a->categories[c];

		for (i = 0; i < cat->n; i++) {
			const struct tsp_annotation *x = &cat->items[i];
			long r = gf_frame_add_row(f);

			if (r < 0 || gf_set_str(f, 2, (size_t)r, cat->name) < 0 ||
			    gf_set_str(f, 3, (size_t)r, x->label ? x->label : cat->name) < 0 ||
			    gf_set_str(f, 4, (size_t)r, cat->name) < 0)
				return nomem(err, errlen);
			gf_set_time(f, 0, (size_t)r, ns_to_ms(x->time));
			gf_set_time(f, 1, (size_t)r, ns_to_ms(x->duration > 0 && x->time <= INT64_MAX - x->duration ?
							     x->time + x->duration : x->time));
		}
	}
	return 0;
}

void gf_write_annotations(struct jsonw *w, const struct gf_frame *f, const char *annotation_json)
{
	size_t i;

	if (f->n_fields < 5)
		return;
	for (i = 0; i < f->length && !w->err; i++) {
		jsonw_obj_begin(w);
		if (annotation_json) {
			jsonw_key(w, "annotation");
			jsonw_raw(w, annotation_json, strlen(annotation_json));
		}
		jsonw_kint64(w, "time", f->fields[0].times[i]);
		jsonw_kint64(w, "timeEnd", f->fields[1].times[i]);
		jsonw_kstr(w, "title", f->fields[2].strs[i]);
		jsonw_kstr(w, "text", f->fields[3].strs[i]);
		jsonw_key(w, "tags");
		jsonw_arr_begin(w);
		if (f->fields[4].strs[i])
			jsonw_str(w, f->fields[4].strs[i]);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
}
