/* Time-graph states straight from the text (tg_states_reader.h). */
#include "tg_states_reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "json_fast.h"

/* An interned string: one arena copy for every equal one. */
struct istr {
	const char *s;          /* NULL: free slot */
	size_t len;
	uint64_t h;
};

struct rd {
	const char *p, *end;
	struct arena *a;
	/* Growable scratch, reused: the current row's states, the rows, style values. */
	struct tsp_tg_state *sc;
	size_t sc_cap;
	struct tsp_tg_row *rows;
	size_t n_rows, rows_cap;
	struct tsp_style_value *vals;
	size_t vals_cap;
	/* Interned strings and value-less styles (open addressing, power-of-two sizes). */
	struct istr *strs;
	size_t strs_n, strs_cap;
	struct tsp_style **stys;
	size_t stys_n, stys_cap;
	/* What "values":{} points at in every interned style (as the generic path, non-NULL). */
	struct tsp_style_value *no_values;
};

/* Grows *v (of *cap elements of size sz) to hold at least n; -1 when out of memory. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap ? *cap : 64;
	void *nv;

	if (n <= *cap)
		return 0;
	while (c < n)
		c *= 2;
	if (c > SIZE_MAX / sz || !(nv = realloc(*v, c * sz)))
		return -1;
	*v = nv;
	*cap = c;
	return 0;
}

static inline void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/* Skips blanks and the byte c if it comes next. */
static inline int eat(struct rd *r, char c)
{
	ws(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return 1;
	}
	return 0;
}

static int eat_null(struct rd *r)
{
	ws(r);
	if (r->end - r->p >= 4 && !memcmp(r->p, "null", 4)) {
		r->p += 4;
		return 1;
	}
	return 0;
}

/* A string with no escapes: its bytes. -1 for anything else (the generic path decodes escapes). */
static int raw_str(struct rd *r, const char **s, size_t *n)
{
	const char *q, *e = r->end;

	ws(r);
	if (r->p >= e || *r->p != '"')
		return -1;
	q = ++r->p;
	while (q < e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q >= e || *q != '"')
		return -1;
	*s = r->p;
	*n = (size_t)(q - r->p);
	r->p = q + 1;
	return 0;
}

/* A member name and its colon. */
static int key(struct rd *r, const char **k, size_t *n)
{
	return raw_str(r, k, n) < 0 || !eat(r, ':') ? -1 : 0;
}

/* A constant length: the compiler compares inline, no memcmp call. */
#define KEY_IS(k, n, lit) ((n) == sizeof(lit) - 1 && !memcmp((k), (lit), sizeof(lit) - 1))

/*
 * A plain integer literal within int64, as the generic path reads it
 * (json_get_int64 of the parsed number, exact for every such literal).
 * A fraction or exponent is left for the caller's next check to refuse.
 */
static int rd_int(struct rd *r, int64_t *out)
{
	const char *p, *e = r->end;
	uint64_t v = 0;
	int neg = 0, nd = 0;

	ws(r);
	p = r->p;
	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return -1;
	if (*p == '0') {
		p++;
	} else {
		while (p < e && *p >= '0' && *p <= '9' && nd < 20) {
			v = v * 10 + (uint64_t)(*p++ - '0');
			nd++;
		}
		/* 19 digits fit 64 bits; the generic path refuses what is beyond int64. */
		if (nd > 19 || v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
			return -1;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	r->p = p;
	return 0;
}

/* The interned copy of s[0..n); NULL when out of memory. */
static const char *intern(struct rd *r, const char *s, size_t n)
{
	uint64_t h = hash_fnv1a64(s, n);
	size_t i, mask;
	char *c;

	if (2 * (r->strs_n + 1) > r->strs_cap) {
		size_t cap = r->strs_cap ? 2 * r->strs_cap : 256;
		struct istr *t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (i = 0; i < r->strs_cap; i++) {
			size_t j;

			if (!r->strs[i].s)
				continue;
			for (j = r->strs[i].h & (cap - 1); t[j].s; j = (j + 1) & (cap - 1))
				;
			t[j] = r->strs[i];
		}
		free(r->strs);
		r->strs = t;
		r->strs_cap = cap;
	}
	mask = r->strs_cap - 1;
	for (i = h & mask; r->strs[i].s; i = (i + 1) & mask)
		if (r->strs[i].h == h && r->strs[i].len == n && !memcmp(r->strs[i].s, s, n))
			return r->strs[i].s;
	c = arena_strndup(r->a, s, n);
	if (!c)
		return NULL;
	r->strs[i] = (struct istr){ c, n, h };
	r->strs_n++;
	return c;
}

static size_t ptr_hash(const void *p, int flag)
{
	return (size_t)(hash_ptr(p) >> 32) ^ (size_t)flag;
}

/* The one style with this parent key (interned) and no values; vobj: "values" was {}. */
static struct tsp_style *intern_style(struct rd *r, const char *pk, int vobj)
{
	size_t i, mask;
	struct tsp_style *s;

	if (2 * (r->stys_n + 1) > r->stys_cap) {
		size_t cap = r->stys_cap ? 2 * r->stys_cap : 64;
		struct tsp_style **t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (i = 0; i < r->stys_cap; i++) {
			size_t j;

			if (!r->stys[i])
				continue;
			for (j = ptr_hash(r->stys[i]->parent_key, r->stys[i]->values != NULL) & (cap - 1);
			     t[j]; j = (j + 1) & (cap - 1))
				;
			t[j] = r->stys[i];
		}
		free(r->stys);
		r->stys = t;
		r->stys_cap = cap;
	}
	mask = r->stys_cap - 1;
	for (i = ptr_hash(pk, vobj) & mask; (s = r->stys[i]); i = (i + 1) & mask)
		if (s->parent_key == pk && (s->values != NULL) == vobj)
			return s;
	if (vobj && !r->no_values && !(r->no_values = arena_alloc(r->a, 1)))
		return NULL;
	s = arena_alloc(r->a, sizeof(*s));
	if (!s)
		return NULL;
	s->parent_key = pk;
	s->values = vobj ? r->no_values : NULL;
	r->stys[i] = s;
	r->stys_n++;
	return s;
}

/* The members of a "values" object, after its '{': strings and numbers, all kept in order. */
static int style_values(struct rd *r, size_t *n_out)
{
	size_t n = 0;

	if (eat(r, '}')) {
		*n_out = 0;
		return 0;
	}
	for (;;) {
		struct tsp_style_value *sv;
		const char *k, *s;
		size_t kn, sn;

		if (key(r, &k, &kn) < 0 ||
		    grow((void **)&r->vals, &r->vals_cap, n + 1, sizeof(*r->vals)) < 0)
			return -1;
		sv = &r->vals[n++];
		memset(sv, 0, sizeof(*sv));
		if (!(sv->key = intern(r, k, kn)))
			return -1;
		ws(r);
		if (r->p < r->end && *r->p == '"') {
			if (raw_str(r, &s, &sn) < 0 || !(sv->str = intern(r, s, sn)))
				return -1;
		} else {
			/* Numbers as the arena parser reads them; long integers are left to it. */
			if (json_fast_number(&r->p, r->end, &sv->num) < 0)
				return -1;
			sv->is_number = 1;
		}
		if (eat(r, ','))
			continue;
		if (eat(r, '}'))
			break;
		return -1;
	}
	*n_out = n;
	return 0;
}

static int style(struct rd *r, struct tsp_style **out)
{
	const char *pk = NULL, *k, *s;
	size_t kn, sn, n_values = 0;
	int seen = 0, vobj = 0;
	struct tsp_style *st;

	*out = NULL;
	if (eat_null(r))
		return 0;
	if (!eat(r, '{'))
		return -1;
	if (!eat(r, '}'))
		for (;;) {
			if (key(r, &k, &kn) < 0)
				return -1;
			if (KEY_IS(k, kn, "parentKey") && !(seen & 1)) {
				seen |= 1;
				if (!eat_null(r) && (raw_str(r, &s, &sn) < 0 || !(pk = intern(r, s, sn))))
					return -1;
			} else if (KEY_IS(k, kn, "values") && !(seen & 2)) {
				seen |= 2;
				if (!eat_null(r)) {
					if (!eat(r, '{') || style_values(r, &n_values) < 0)
						return -1;
					vobj = 1;
				}
			} else {
				return -1;
			}
			if (eat(r, ','))
				continue;
			if (eat(r, '}'))
				break;
			return -1;
		}
	if (!n_values) {
		*out = intern_style(r, pk, vobj);
		return *out ? 0 : -1;
	}
	st = arena_alloc(r->a, sizeof(*st));
	if (!st || !(st->values = arena_alloc_raw(r->a, n_values * sizeof(*st->values))))
		return -1;
	memcpy(st->values, r->vals, n_values * sizeof(*st->values));
	st->n_values = n_values;
	st->parent_key = pk;
	*out = st;
	return 0;
}

static int state(struct rd *r, struct tsp_tg_state *st)
{
	enum { START = 1, END = 2, LABEL = 4, TAGS = 8, STYLE = 16 };
	const char *k, *s;
	size_t kn, sn;
	int seen = 0, bit;
	int64_t t;

	memset(st, 0, sizeof(*st));
	if (!eat(r, '{'))
		return -1;
	for (;;) {
		if (key(r, &k, &kn) < 0)
			return -1;
		bit = KEY_IS(k, kn, "start") ? START : KEY_IS(k, kn, "end") ? END :
		      KEY_IS(k, kn, "label") ? LABEL : KEY_IS(k, kn, "tags") ? TAGS :
		      KEY_IS(k, kn, "style") ? STYLE : 0;
		if (!bit || (seen & bit))
			return -1;
		seen |= bit;
		switch (bit) {
		case START:
			if (rd_int(r, &st->start) < 0)
				return -1;
			break;
		case END:
			if (rd_int(r, &st->end) < 0)
				return -1;
			break;
		case LABEL:
			if (!eat_null(r) && (raw_str(r, &s, &sn) < 0 || !(st->label = intern(r, s, sn))))
				return -1;
			break;
		case TAGS:
			if (!eat_null(r)) {
				if (rd_int(r, &t) < 0 || t < INT32_MIN || t > INT32_MAX)
					return -1;
				st->tags = (int32_t)t;
			}
			break;
		default:
			if (style(r, &st->style) < 0)
				return -1;
		}
		if (eat(r, ','))
			continue;
		if (eat(r, '}'))
			break;
		return -1;
	}
	return (seen & (START | END)) == (START | END) ? 0 : -1;
}

/* A row's states, after its '[': into the scratch, then one arena copy. */
static int states(struct rd *r, struct tsp_tg_row *row)
{
	size_t n = 0;

	if (!eat(r, ']')) {
		for (;;) {
			if (grow((void **)&r->sc, &r->sc_cap, n + 1, sizeof(*r->sc)) < 0 ||
			    state(r, &r->sc[n]) < 0)
				return -1;
			n++;
			if (eat(r, ','))
				continue;
			if (eat(r, ']'))
				break;
			return -1;
		}
	}
	row->states = arena_alloc_raw(r->a, n * sizeof(*row->states));
	if (!row->states)
		return -1;
	if (n)
		memcpy(row->states, r->sc, n * sizeof(*row->states));
	row->n_states = n;
	return 0;
}

static int row(struct rd *r, struct tsp_tg_row *rw)
{
	const char *k;
	size_t kn;
	int seen = 0;

	memset(rw, 0, sizeof(*rw));
	if (!eat(r, '{'))
		return -1;
	for (;;) {
		if (key(r, &k, &kn) < 0)
			return -1;
		if (KEY_IS(k, kn, "entryId") && !(seen & 1)) {
			seen |= 1;
			if (rd_int(r, &rw->entry_id) < 0)
				return -1;
		} else if (KEY_IS(k, kn, "states") && !(seen & 2)) {
			seen |= 2;
			if (!eat(r, '[') || states(r, rw) < 0)
				return -1;
		} else {
			return -1;
		}
		if (eat(r, ','))
			continue;
		if (eat(r, '}'))
			break;
		return -1;
	}
	return seen == 3 ? 0 : -1;
}

/* {"rows":[...]} */
static int model(struct rd *r, struct tsp_tg_states *ts)
{
	const char *k;
	size_t kn;

	if (!eat(r, '{') || key(r, &k, &kn) < 0 || !KEY_IS(k, kn, "rows") || !eat(r, '['))
		return -1;
	r->n_rows = 0;
	if (!eat(r, ']')) {
		for (;;) {
			if (grow((void **)&r->rows, &r->rows_cap, r->n_rows + 1, sizeof(*r->rows)) < 0 ||
			    row(r, &r->rows[r->n_rows]) < 0)
				return -1;
			r->n_rows++;
			if (eat(r, ','))
				continue;
			if (eat(r, ']'))
				break;
			return -1;
		}
	}
	/* Only "rows": any other member is the generic path's to judge. */
	if (!eat(r, '}'))
		return -1;
	ts->rows = arena_alloc_raw(r->a, r->n_rows * sizeof(*ts->rows));
	if (!ts->rows)
		return -1;
	if (r->n_rows)
		memcpy(ts->rows, r->rows, r->n_rows * sizeof(*ts->rows));
	ts->n_rows = r->n_rows;
	return 0;
}

static int root(struct rd *r, struct tsp_model *m)
{
	enum { MODEL = 1, STATUS = 2, MESSAGE = 4 };
	const char *k, *s;
	size_t kn, sn;
	int seen = 0;

	if (!eat(r, '{'))
		return -1;
	for (;;) {
		if (key(r, &k, &kn) < 0)
			return -1;
		if (KEY_IS(k, kn, "model") && !(seen & MODEL)) {
			seen |= MODEL;
			if (!eat_null(r)) {
				if (model(r, &m->u.states) < 0)
					return -1;
				m->has_model = 1;
			}
		} else if (KEY_IS(k, kn, "status") && !(seen & STATUS)) {
			seen |= STATUS;
			if (raw_str(r, &s, &sn) < 0 ||
			    (m->status = tsp_status_parse(s, sn)) == TSP_STATUS_UNKNOWN)
				return -1;
		} else if (KEY_IS(k, kn, "statusMessage") && !(seen & MESSAGE)) {
			seen |= MESSAGE;
			if (!eat_null(r) && (raw_str(r, &s, &sn) < 0 ||
					     !(m->status_message = arena_strndup(r->a, s, sn))))
				return -1;
		} else {
			return -1;
		}
		if (eat(r, ','))
			continue;
		if (eat(r, '}'))
			break;
		return -1;
	}
	ws(r);
	return (seen & STATUS) && r->p == r->end ? 0 : -1;
}

int tg_states_read(struct tsp_model *m, const char *json, size_t len)
{
	struct rd r;
	int rc;

	tsp_model_release(m);
	m->kind = TSP_M_TG_STATES;
	if (!json)
		return 1;
	memset(&r, 0, sizeof(r));
	r.p = json;
	r.end = json + len;
	r.a = &m->arena;
	rc = root(&r, m) == 0 ? 0 : 1;
	free(r.sc);
	free(r.rows);
	free(r.vals);
	free(r.strs);
	free(r.stys);
	if (rc) {
		tsp_model_release(m);
		m->kind = TSP_M_TG_STATES;
	}
	return rc;
}
