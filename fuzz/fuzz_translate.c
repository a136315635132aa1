/*
 * Translation of parsed TSP models: the timeline document and its flat
 * forms (timeline_doc.h) and the multi-model Grafana views (gf_translate.h).
 *
 * Input: one selector byte, then up to four TSP bodies separated by NUL
 * bytes (JSON text never holds a raw NUL). Selector bit 0 clear: a time
 * graph, parts = tree, states, arrows, styles (each optional but the
 * tree); every tl_form is written, and gf_tr_intervals / gf_tr_timeline /
 * gf_tr_arrows run. Bit 0 set: an events table, parts = columns, lines,
 * through gf_tr_events. The other bits pick the range, limit and rows.
 *
 * Checks: no crash, no UB, no leak, and every document and frame written
 * is JSON that json_parse_exact() reads.
 */
#include "fuzz_common.h"
#include "fuzz_frame.h"
#include "gf_frame.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "timeline_doc.h"
#include "tsp_model.h"

#define MAX_PARTS 4

static void must_be_json(const struct strbuf *sb, const char *what)
{
	char err[128] = "";
	cJSON *j = json_parse_exact(strbuf_str(sb), sb->len, err, sizeof(err));

	FUZZ_CHECK(j != NULL, "%s is not JSON (%s): %.400s", what, err, strbuf_str(sb));
	cJSON_Delete(j);
}

static void time_graph(struct tsp_model *m, unsigned sel)
{
	static const int64_t ranges[][2] = {
		{ INT64_MIN, INT64_MAX }, { 0, 0 }, { 1450000000000000000, 1450000000500000000 },
		{ -1000, 1000 },
	};
	const int64_t *r = ranges[(sel >> 1) & 3];
	long limit = (sel & 0x08) ? 3 : 10000;
	struct tl_source src = {
		.exp_uuid = "u", .exp_name = "kernel", .output_id = "o", .output_name = "Threads",
		.from_ns = r[0], .to_ns = r[1], .width = 1000,
		.status = (sel & 0x10) ? TSP_STATUS_RUNNING : TSP_STATUS_COMPLETED,
		.status_message = "",
	};
	const struct tsp_tg_states *st = m[1].has_model ? &m[1].u.states : NULL;
	const struct tsp_tg_arrows *ar = m[2].has_model ? &m[2].u.arrows : NULL;
	const struct tsp_styles *sty = m[3].has_model ? &m[3].u.styles : NULL;
	static const struct tsp_tg_states no_states;
	struct tl_input in = { .tree = &m[0].u.tree, .states = st, .arrows = ar, .styles = sty };
	int64_t ids[3] = { 0, 1, 2 };
	struct gf_frame f;
	char err[256];
	int form;

	if (sel & 0x20) {
		in.row_ids = ids;
		in.n_row_ids = 3;
	}
	for (form = TL_DOCUMENT; form <= TL_EDGES; form++) {
		struct strbuf sb = STRBUF_INIT;
		struct jsonw w;

		jsonw_init(&w, &sb);
		if (tl_write(&w, (enum tl_form)form, &src, &in) == 0) {
			FUZZ_CHECK(jsonw_finish(&w) == 0, "form %d not finished", form);
			must_be_json(&sb, "timeline");
		}
		strbuf_release(&sb);
	}
	gf_frame_init(&f);
	if (gf_tr_intervals(&f, &m[0].u.tree, st ? st : &no_states, sty, r[0], r[1], limit, err,
			    sizeof(err)) == 0)
		fuzz_write_frame(&f);
	gf_frame_release(&f);
	gf_frame_init(&f);
	if (gf_tr_timeline(&f, &m[0].u.tree, st ? st : &no_states, sty, r[0], r[1], limit, err,
			   sizeof(err)) == 0)
		fuzz_write_frame(&f);
	gf_frame_release(&f);
	if (ar) {
		gf_frame_init(&f);
		if (gf_tr_arrows(&f, &m[0].u.tree, ar, sty, limit, err, sizeof(err)) == 0)
			fuzz_write_frame(&f);
		gf_frame_release(&f);
	}
}

static void events(struct tsp_model *m, unsigned sel)
{
	struct gf_frame f;
	char err[256];
	const struct tsp_table_lines *lines = m[1].has_model ? &m[1].u.lines : NULL;

	gf_frame_init(&f);
	if (gf_tr_events(&f, &m[0].u.columns, lines, (sel & 0x02) ? INT64_MAX : 1700000000000000000,
			 lines ? lines->size : 0, (sel & 0x08) ? 2 : 1000, err, sizeof(err)) == 0)
		fuzz_write_frame(&f);
	gf_frame_release(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tsp_model_kind tg_kinds[MAX_PARTS] = {
		TSP_M_TREE, TSP_M_TG_STATES, TSP_M_TG_ARROWS, TSP_M_STYLES,
	};
	static const enum tsp_model_kind ev_kinds[MAX_PARTS] = {
		TSP_M_TABLE_COLUMNS, TSP_M_TABLE_LINES, TSP_M_TABLE_LINES, TSP_M_TABLE_LINES,
	};
	struct tsp_model m[MAX_PARTS];
	struct tsp_error err;
	const uint8_t *p, *end = data + size;
	unsigned sel;
	int i, is_events;

	if (size < 1)
		return 0;
	sel = data[0];
	is_events = sel & 1;
	p = data + 1;
	for (i = 0; i < MAX_PARTS; i++) {
		const uint8_t *nul = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
		const uint8_t *e = nul ? nul : end;
		size_t len = p < end ? (size_t)(e - p) : 0;
		/* Each part in its own allocation: ASan sees a read past it. */
		char *part = len ? memcpy(malloc(len), p, len) : NULL;

		tsp_model_init(&m[i]);
		if (len)
			(void)tsp_model_parse(&m[i], is_events ? ev_kinds[i] : tg_kinds[i], part, len, &err);
		free(part);
		p = e < end ? e + 1 : end;
	}
	if (m[0].has_model) {
		if (is_events)
			events(m, sel);
		else
			time_graph(m, sel);
	}
	for (i = 0; i < MAX_PARTS; i++)
		tsp_model_release(&m[i]);
	return 0;
}
