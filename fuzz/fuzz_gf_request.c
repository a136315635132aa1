/*
 * Grafana request bodies (gf_request.h): the first byte picks the parser
 * (POST /query, /annotations, or one of the small ones), the rest is the
 * body. An accepted /query goes on through what the handler does next:
 * each target through gf_target_parse() with its fields, and through
 * gf_discover_parse().
 *
 * Checks: an error always comes with a terminated message; an accepted
 * body has from <= to, targets and filters as counted, strings where the
 * header promises them, filter operators among the four; release leaves
 * nothing behind (LeakSanitizer).
 */
#include "fuzz_common.h"
#include "gf_request.h"
#include "gf_target.h"

#include <cjson/cJSON.h>

static void check_query(const struct gf_query_req *r)
{
	size_t i;

	FUZZ_CHECK(r->root != NULL, "no tree");
	FUZZ_CHECK(r->from_ns <= r->to_ns, "from after to");
	FUZZ_CHECK(r->interval_ms >= 0 && r->max_data_points >= 0, "negative count");
	FUZZ_CHECK(r->n_targets == 0 || r->targets, "targets missing");
	for (i = 0; i < r->n_targets; i++) {
		const struct gf_query_target *t = &r->targets[i];
		struct gf_target gt;
		struct gf_discover d;
		char err[256] = "";

		FUZZ_CHECK(t->target != NULL, "target NULL");
		FUZZ_CHECK(t->type == GF_TT_NONE || t->type == GF_TT_TIMESERIE ||
			   t->type == GF_TT_TABLE, "bad type");
		FUZZ_CHECK(!t->fields || cJSON_IsObject(t->fields), "fields not an object");
		gf_target_init(&gt);
		if (gf_target_parse(&gt, t->target, t->fields, err, sizeof(err)) < 0)
			FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "no message");
		else
			FUZZ_CHECK(gt.limit >= 1 && gt.limit <= GF_LIMIT_MAX, "limit %ld", gt.limit);
		gf_target_release(&gt);
		if (gf_discover_parse(&d, t->target, err, sizeof(err)) == 0)
			gf_discover_release(&d);
	}
	for (i = 0; i < r->n_filters; i++) {
		const struct gf_filter *f = &r->filters[i];

		FUZZ_CHECK(f->key && f->value && f->op, "filter member NULL");
		FUZZ_CHECK(!strcmp(f->op, "=") || !strcmp(f->op, "!=") || !strcmp(f->op, "=~") ||
			   !strcmp(f->op, "!~"), "operator %s", f->op);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	const char *body;
	size_t len;
	int which, rc;

	if (size < 1)
		return 0;
	which = data[0] % 8;
	/* The body without the selector byte, in its own allocation so overreads show. */
	body = fuzz_strndup(data + 1, size - 1);
	len = size - 1;
	err[0] = '\0';
	if (which == 0) {
		struct gf_query_req r;

		rc = gf_query_req_parse(&r, body, len, err, sizeof(err));
		if (rc == 0)
			check_query(&r);
		gf_query_req_release(&r);
	} else if (which == 1) {
		struct gf_annotation_req r;

		rc = gf_annotation_req_parse(&r, body, len, err, sizeof(err));
		if (rc == 0) {
			FUZZ_CHECK(r.from_ns <= r.to_ns, "from after to");
			FUZZ_CHECK(r.query && cJSON_IsObject(r.annotation), "query/annotation");
		}
		gf_annotation_req_release(&r);
	} else {
		struct gf_small_req r;
		enum gf_small_kind kind = (enum gf_small_kind)((which - 2) % 6);

		rc = gf_small_req_parse(&r, kind, body, len, err, sizeof(err));
		if (rc == 0) {
			FUZZ_CHECK(r.root && r.target, "root/target");
			if (kind == GF_REQ_PAYLOAD_OPTIONS)
				FUZZ_CHECK(r.metric && r.name, "metric/name");
			if (kind == GF_REQ_TAG_VALUES)
				FUZZ_CHECK(r.key != NULL, "key");
			FUZZ_CHECK(!r.payload || cJSON_IsObject(r.payload), "payload");
		}
		gf_small_req_release(&r);
	}
	if (rc < 0)
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "error without a message");
	else
		FUZZ_CHECK(rc == 0, "rc %d", rc);
	free((void *)body);
	return 0;
}
