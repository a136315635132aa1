/*
 * Translation throughput: TSP response text -> parsed model -> Grafana data
 * frame JSON, with the bridge's own functions, on files written by
 * bench/gen-payloads.sh. Nothing else runs: no network, no server.
 *
 *   bench-translate DIR [--seconds S] [--json OUT] [--only CASE]
 *
 * Per case it prints MB/s of TSP JSON in and items/s out (XY points,
 * state intervals, arrows, table lines), and the share spent parsing.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gf_frame.h"
#include "gf_translate.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tsp_model.h"

struct input {
	char *text;
	size_t len;
	struct tsp_model m;     /* parsed once, for the translate-only timing */
};

struct result {
	const char *name;
	size_t bytes_in, bytes_out, items;
	double parse_s, total_s;        /* per iteration */
	long iters;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(struct input *in, const char *dir, const char *file, enum tsp_model_kind kind)
{
	char path[4096];
	struct tsp_error err;
	FILE *f;
	long n;

	memset(in, 0, sizeof(*in));
	tsp_model_init(&in->m);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "bench-translate: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	in->len = (size_t)n;
	in->text = malloc(in->len + 1);
	if (!in->text || fread(in->text, 1, in->len, f) != in->len) {
		fprintf(stderr, "bench-translate: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	in->text[in->len] = '\0';
	if (tsp_model_parse(&in->m, kind, in->text, in->len, &err) < 0) {
		fprintf(stderr, "bench-translate: %s: %s\n", path, err.msg);
		return -1;
	}
	return 0;
}

static void unload(struct input *in)
{
	tsp_model_release(&in->m);
	free(in->text);
}

/* One case: parse what `inputs` hold, translate into frames, write them. */
struct bcase {
	const char *name;
	struct input *xy, *tree, *states, *arrows, *cols, *lines;
};

/* Translates and writes; returns the items translated, or -1. */
static long translate(const struct bcase *c, const struct tsp_model *xy, const struct tsp_model *tree,
		      const struct tsp_model *states, const struct tsp_model *arrows,
		      const struct tsp_model *cols, const struct tsp_model *lines,
		      struct strbuf *out)
{
	struct gf_frame f;
	struct jsonw w;
	char err[256];
	long items = 0;
	size_t i;
	int rc = 0;

	strbuf_reset(out);
	jsonw_init(&w, out);
	jsonw_arr_begin(&w);
	if (xy) {
		for (i = 0; i < xy->u.xy.n_series && !rc; i++) {
			gf_frame_init(&f);
			rc = gf_tr_series(&f, &xy->u.xy.series[i], NULL, err, sizeof(err));
			if (!rc)
				gf_write_dataframe(&w, &f);
			items += (long)f.length;
			gf_frame_release(&f);
		}
	} else {
		gf_frame_init(&f);
		if (states)
			rc = gf_tr_intervals(&f, &tree->u.tree, &states->u.states, NULL, INT64_MIN,
					     INT64_MAX, 1000000, err, sizeof(err));
		else if (arrows)
			rc = gf_tr_arrows(&f, &tree->u.tree, &arrows->u.arrows, NULL, 1000000,
					  err, sizeof(err));
		else
			rc = gf_tr_events(&f, &cols->u.columns, &lines->u.lines, INT64_MAX,
					  (int64_t)lines->u.lines.n_lines, 1000000, err, sizeof(err));
		if (!rc)
			gf_write_dataframe(&w, &f);
		items = (long)f.length;
		gf_frame_release(&f);
	}
	jsonw_arr_end(&w);
	if (rc || out->overflow) {
		fprintf(stderr, "bench-translate: %s: %s\n", c->name, rc ? err : "output overflow");
		return -1;
	}
	return items;
}

static int parse_all(const struct bcase *c, struct tsp_model *m /* [6] */)
{
	static const enum tsp_model_kind kinds[6] = {
		TSP_M_XY, TSP_M_TREE, TSP_M_TG_STATES, TSP_M_TG_ARROWS,
		TSP_M_TABLE_COLUMNS, TSP_M_TABLE_LINES,
	};
	struct input *ins[6] = { c->xy, c->tree, c->states, c->arrows, c->cols, c->lines };
	struct tsp_error err;
	int i;

	for (i = 0; i < 6; i++)
		if (ins[i] && tsp_model_parse(&m[i], kinds[i], ins[i]->text, ins[i]->len, &err) < 0) {
			fprintf(stderr, "bench-translate: %s: %s\n", c->name, err.msg);
			return -1;
		}
	return 0;
}

static int run(const struct bcase *c, double seconds, struct result *r)
{
	struct input *ins[6] = { c->xy, c->tree, c->states, c->arrows, c->cols, c->lines };
	struct tsp_model m[6];
	struct strbuf out;
	double t0, t1, parse = 0, total = 0;
	long items = 0, it;
	int i, ret = -1;

	memset(r, 0, sizeof(*r));
	r->name = c->name;
	for (i = 0; i < 6; i++) {
		tsp_model_init(&m[i]);
		if (ins[i])
			r->bytes_in += ins[i]->len;
	}
	strbuf_init(&out, 0);
	/* Warm-up, and the output size. */
	if (parse_all(c, m) < 0)
		goto out;
	items = translate(c, c->xy ? &m[0] : NULL, &m[1], c->states ? &m[2] : NULL,
			  c->arrows ? &m[3] : NULL, &m[4], &m[5], &out);
	if (items < 0)
		goto out;
	r->bytes_out = out.len;
	r->items = (size_t)items;
	for (it = 0; it < 3 || total < seconds; it++) {
		t0 = now_s();
		if (parse_all(c, m) < 0)
			goto out;
		t1 = now_s();
		if (translate(c, c->xy ? &m[0] : NULL, &m[1], c->states ? &m[2] : NULL,
			      c->arrows ? &m[3] : NULL, &m[4], &m[5], &out) != items)
			goto out;
		parse += t1 - t0;
		total += now_s() - t0;
	}
	r->iters = it;
	r->parse_s = parse / (double)it;
	r->total_s = total / (double)it;
	ret = 0;
out:
	for (i = 0; i < 6; i++)
		tsp_model_release(&m[i]);
	strbuf_release(&out);
	return ret;
}

int main(int argc, char **argv)
{
	struct input xy, tree, states, arrows, cols, lines;
	struct result r[4];
	const char *dir = NULL, *json = NULL, *only = NULL;
	double seconds = 3;
	int i, n = 0, ret = 1;
	FILE *jf;

	/* As tsp-bridge does: arena chunks stay in the heap between answers. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			fprintf(stderr, "usage: bench-translate DIR [--seconds S] [--json OUT] [--only CASE]\n");
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "usage: bench-translate DIR [--seconds S] [--json OUT]\n");
		return 2;
	}
	if (load(&xy, dir, "xy.json", TSP_M_XY) || load(&tree, dir, "tg-tree.json", TSP_M_TREE) ||
	    load(&states, dir, "tg-states.json", TSP_M_TG_STATES) ||
	    load(&arrows, dir, "tg-arrows.json", TSP_M_TG_ARROWS) ||
	    load(&cols, dir, "table-columns.json", TSP_M_TABLE_COLUMNS) ||
	    load(&lines, dir, "table-lines.json", TSP_M_TABLE_LINES))
		return 1;
	{
		const struct bcase cases[4] = {
			{ "xy", &xy, NULL, NULL, NULL, NULL, NULL },
			{ "tg-states", NULL, &tree, &states, NULL, NULL, NULL },
			{ "tg-arrows", NULL, &tree, NULL, &arrows, NULL, NULL },
			{ "table", NULL, NULL, NULL, NULL, &cols, &lines },
		};

		for (i = 0; i < 4; i++) {
			if (only && strcmp(only, cases[i].name))
				continue;
			if (run(&cases[i], seconds, &r[n++]) < 0)
				goto out;
		}
	}
	printf("%-10s %9s %9s %9s %12s %12s %7s %6s\n", "case", "MB in", "MB out", "items",
	       "MB/s in", "items/s", "parse%", "iters");
	for (i = 0; i < n; i++)
		printf("%-10s %9.2f %9.2f %9zu %12.1f %12.0f %6.0f%% %6ld\n", r[i].name,
		       (double)r[i].bytes_in / 1e6, (double)r[i].bytes_out / 1e6, r[i].items,
		       (double)r[i].bytes_in / 1e6 / r[i].total_s, (double)r[i].items / r[i].total_s,
		       100 * r[i].parse_s / r[i].total_s, r[i].iters);
	if (json) {
		jf = fopen(json, "w");
		if (!jf) {
			fprintf(stderr, "bench-translate: cannot write %s\n", json);
			goto out;
		}
		fprintf(jf, "{");
		for (i = 0; i < n; i++)
			fprintf(jf, "%s\"%s\":{\"bytes\":%zu,\"bytes_out\":%zu,\"items\":%zu,"
				"\"mb_s\":%.3f,\"items_s\":%.1f,\"parse_share\":%.3f,\"iters\":%ld}",
				i ? "," : "", r[i].name, r[i].bytes_in, r[i].bytes_out, r[i].items,
				(double)r[i].bytes_in / 1e6 / r[i].total_s,
				(double)r[i].items / r[i].total_s, r[i].parse_s / r[i].total_s,
				r[i].iters);
		fprintf(jf, "}\n");
		fclose(jf);
	}
	ret = 0;
out:
	unload(&xy);
	unload(&tree);
	unload(&states);
	unload(&arrows);
	unload(&cols);
	unload(&lines);
	return ret;
}
