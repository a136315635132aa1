/*
 * Grafana targets and discovery calls (gf_target.h). Input: the target
 * text, then optionally a NUL byte and a JSON object of fields (SimpleJSON
 * `data` / JSON datasource `payload`), e.g.
 *   kernel/CPU Usage/~^bash$?view=series&limit=10 \0 {"limit":5}
 * The text also goes through gf_discover_parse() ("outputs(kernel,XY)").
 * Parsed patterns are matched against a few names and the text itself.
 *
 * Checks: terminated error messages; an accepted target has an experiment
 * and an output, a limit in 1..GF_LIMIT_MAX, a known view and format, a
 * pattern kind that says what it holds; view names round-trip; a parsed
 * discovery call has the kind's members; nothing leaks.
 */
#include "fuzz_common.h"
#include "gf_target.h"
#include "json_int.h"

static const char *const names[] = {
	"", "kernel", "CPU Usage", "bash", "kworker/0:1", "Thread Status", "a*b", "~x", "#3",
};

static void check_pattern(const struct name_pattern *p, const char *text, int entries)
{
	size_t i;

	switch (p->kind) {
	case NAME_PAT_ANY:
		break;
	case NAME_PAT_EXACT:
	case NAME_PAT_GLOB:
	case NAME_PAT_REGEX:
		FUZZ_CHECK(p->text != NULL, "pattern without text");
		break;
	case NAME_PAT_ID:
		FUZZ_CHECK(entries, "#N outside entries");
		break;
	case NAME_PAT_LIST:
		FUZZ_CHECK(p->n_list > 0 && p->list, "empty list");
		for (i = 0; i < p->n_list; i++)
			FUZZ_CHECK(p->list[i] != NULL, "list hole");
		break;
	default:
		FUZZ_CHECK(0, "kind %d", (int)p->kind);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int m = name_pattern_match(p, names[i], NULL);

		FUZZ_CHECK(m == 0 || m == 1, "match %d", m);
		if (p->kind == NAME_PAT_ANY)
			FUZZ_CHECK(m, "ANY did not match \"%s\"", names[i]);
		(void)name_pattern_match_entry(p, (int64_t)i, names[i]);
	}
	(void)name_pattern_match(p, text, "alt");
	(void)name_pattern_match(p, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), err[256] = "";
	size_t tlen = strlen(text);
	cJSON *fields = NULL;
	struct gf_target t;
	struct gf_discover d;
	const char *vn;
	int v;

	if (tlen + 1 < size)
		fields = json_parse_exact(text + tlen + 1, size - tlen - 1, NULL, 0);

	gf_target_init(&t);
	if (gf_target_parse(&t, text, fields, err, sizeof(err)) == 0) {
		FUZZ_CHECK(t.experiment.text && t.experiment.text[0], "no experiment");
		FUZZ_CHECK(t.output.text && t.output.text[0], "no output");
		FUZZ_CHECK(t.limit >= 1 && t.limit <= GF_LIMIT_MAX, "limit %ld", t.limit);
		FUZZ_CHECK(t.view == GF_VIEW_DEFAULT || gf_view_name(t.view), "view %d", (int)t.view);
		FUZZ_CHECK(t.format >= GF_FORMAT_DEFAULT && t.format <= GF_FORMAT_FRAME, "format");
		check_pattern(&t.experiment, text, 0);
		check_pattern(&t.output, text, 0);
		check_pattern(&t.entries, text, 1);
		if (t.view != GF_VIEW_DEFAULT) {
			vn = gf_view_name(t.view);
			FUZZ_CHECK(gf_view_parse(vn) == (int)t.view, "view %s", vn);
		}
	} else {
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "error without a message");
	}
	gf_target_release(&t);
	/* Released twice is fine: release re-initialises. */
	gf_target_release(&t);

	v = gf_view_parse(text);
	FUZZ_CHECK(v == -1 || (v > 0 && !strcmp(gf_view_name((enum gf_view)v), text)), "view");

	err[0] = '\0';
	if (gf_discover_parse(&d, text, err, sizeof(err)) == 0) {
		switch (d.kind) {
		case GF_DISC_TARGETS:
			FUZZ_CHECK(d.text && !strcmp(d.text, text), "search text");
			break;
		case GF_DISC_OUTPUTS:
			check_pattern(&d.experiment, text, 0);
			FUZZ_CHECK(!d.type || !strcmp(d.type, "TREE_TIME_XY") ||
				   !strcmp(d.type, "TIME_GRAPH") || !strcmp(d.type, "TABLE") ||
				   !strcmp(d.type, "DATA_TREE"), "type %s", d.type);
			break;
		case GF_DISC_ENTRIES:
			check_pattern(&d.experiment, text, 0);
			check_pattern(&d.output, text, 0);
			break;
		case GF_DISC_MARKERS:
			check_pattern(&d.experiment, text, 0);
			break;
		case GF_DISC_EXPERIMENTS:
			if (d.has_server)
				check_pattern(&d.server, text, 0);
			break;
		case GF_DISC_SERVERS:
			break;
		}
		gf_discover_release(&d);
	} else {
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)), "error without a message");
	}
	cJSON_Delete(fields);
	free(text);
	return 0;
}
