/* Time graph rows and the links between them, as graphs (tsp_graph.h). */
#include "tsp_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *meta_text(const struct tsp_tree_entry *e, const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < e->n_metadata; i++) {
		const struct tsp_metadata *m = &e->metadata[i];

		if (strcmp(m->key, key) || !m->n_values)
			continue;
		if (!m->values[0].is_number)
			return m->values[0].str;
		snprintf(buf, len, "%.17g", m->values[0].num);
		return buf;
	}
	return NULL;
}

void tsp_entry_subtitle(const struct tsp_tree_entry *e, char *buf, size_t len)
{
	char a[32], b[32];
	const char *tid = meta_text(e, "tid", a, sizeof(a)), *pid = meta_text(e, "pid", b, sizeof(b));
	size_t i, n = 0;

	buf[0] = '\0';
	if (tid || pid) {
		snprintf(buf, len, "%s%s%s%s%s", tid ? "tid " : "", tid ? tid : "", tid && pid ? ", " : "",
			 pid ? "pid " : "", pid ? pid : "");
		return;
	}
	for (i = 1; i < e->n_labels && n + 1 < len; i++)
		if (e->labels[i] && *e->labels[i]) {
			int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", e->labels[i]);

			n = w < 0 ? n : n + (size_t)w < len ? n + (size_t)w : len - 1;
		}
}

static int cmp_pair(const void *a, const void *b)
{
	const struct tsp_link_pair *x = a, *y = b;

	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return x->target < y->target ? -1 : x->target > y->target;
}

size_t tsp_link_pairs_merge(struct tsp_link_pair *p, size_t n)
{
	size_t i, k = 0;

	qsort(p, n, sizeof(*p), cmp_pair);
	for (i = 0; i < n; i++) {
		if (k && p[k - 1].source == p[i].source && p[k - 1].target == p[i].target)
			p[k - 1].count += p[i].count;
		else
			p[k++] = p[i];
	}
	return k;
}

static int cmp_entry_id(const void *a, const void *b)
{
	int64_t x = (*(const struct tsp_tree_entry *const *)a)->id;
	int64_t y = (*(const struct tsp_tree_entry *const *)b)->id;

	return x < y ? -1 : x > y;
}

void tsp_entries_by_id(const struct tsp_tree_entry **rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), cmp_entry_id);
}

/* Index of the row of id in rows sorted by id, or n. */
static size_t row_index(const struct tsp_tree_entry *const *rows, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && rows[lo]->id == id ? lo : n;
}

void tsp_link_degrees(const struct tsp_link_pair *p, size_t n, const struct tsp_tree_entry *const *rows,
		     size_t n_rows, long *out, long *in)
{
	size_t i, r;

	memset(out, 0, n_rows * sizeof(*out));
	memset(in, 0, n_rows * sizeof(*in));
	for (i = 0; i < n; i++) {
		if ((r = row_index(rows, n_rows, p[i].source)) < n_rows)
			out[r] += p[i].count;
		if ((r = row_index(rows, n_rows, p[i].target)) < n_rows)
			in[r] += p[i].count;
	}
}
