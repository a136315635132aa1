/*
 * Shared by the harnesses that build Grafana frames (fuzz_translate.c,
 * fuzz_tsp_model.c): a frame written every way a handler can write it
 * must be complete JSON that json_parse_exact() reads.
 */
#ifndef FUZZ_FRAME_H
#define FUZZ_FRAME_H

#include "fuzz_common.h"
#include "gf_frame.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"

static inline void fuzz_write_frame(const struct gf_frame *f)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	cJSON *j;
	char err[128];
	size_t i;

	jsonw_init(&w, &sb);
	jsonw_arr_begin(&w);
	gf_write_table(&w, f);
	gf_write_dataframe(&w, f);
	for (i = 1; i < f->n_fields; i++)
		gf_write_timeseries(&w, f, i);
	jsonw_arr_end(&w);
	FUZZ_CHECK(jsonw_finish(&w) == 0, "frame writer not finished");
	j = json_parse_exact(strbuf_str(&sb), sb.len, err, sizeof(err));
	FUZZ_CHECK(j != NULL, "frame JSON does not parse (%s): %.300s", err, strbuf_str(&sb));
	cJSON_Delete(j);
	strbuf_release(&sb);
}

#endif
