/* The TSP models themselves: their life and the names of their enums (tsp_model.h). */
#include "tsp_model.h"

#include <string.h>

void tsp_model_init(struct tsp_model *m)
{
	memset(m, 0, sizeof(*m));
	arena_init(&m->arena);
	m->status_message = "";
}

void tsp_model_release(struct tsp_model *m)
{
	enum tsp_model_kind kind = m->kind;

	if (m->drop)
		m->drop(m->drop_ctx);
	else
		arena_release(&m->arena);
	tsp_model_init(m);
	m->kind = kind;
}

enum tsp_status tsp_status_parse(const char *s, size_t n)
{
	static const enum tsp_status all[] = {
		TSP_STATUS_RUNNING, TSP_STATUS_COMPLETED, TSP_STATUS_FAILED, TSP_STATUS_CANCELLED,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *name = tsp_status_name(all[i]);

		if (strlen(name) == n && !memcmp(name, s, n))
			return all[i];
	}
	return TSP_STATUS_UNKNOWN;
}

const char *tsp_status_name(enum tsp_status s)
{
	switch (s) {
	case TSP_STATUS_RUNNING: return "RUNNING";
	case TSP_STATUS_COMPLETED: return "COMPLETED";
	case TSP_STATUS_FAILED: return "FAILED";
	case TSP_STATUS_CANCELLED: return "CANCELLED";
	case TSP_STATUS_UNKNOWN: break;
	}
	return "UNKNOWN";
}

static const char *const output_type_names[] = {
	[TSP_OUTPUT_UNKNOWN] = "UNKNOWN",
	[TSP_OUTPUT_TABLE] = "TABLE",
	[TSP_OUTPUT_TREE_TIME_XY] = "TREE_TIME_XY",
	[TSP_OUTPUT_TIME_GRAPH] = "TIME_GRAPH",
	[TSP_OUTPUT_DATA_TREE] = "DATA_TREE",
	[TSP_OUTPUT_NONE] = "NONE",
	[TSP_OUTPUT_GANTT_CHART] = "GANTT_CHART",
	[TSP_OUTPUT_TREE_GENERIC_XY] = "TREE_GENERIC_XY",
};

#define N_OUTPUT_TYPES (sizeof(output_type_names) / sizeof(output_type_names[0]))

const char *tsp_output_type_name(enum tsp_output_type t)
{
	if ((size_t)t >= N_OUTPUT_TYPES)
		return "UNKNOWN";
	return output_type_names[t];
}

enum tsp_output_type tsp_output_type_parse(const char *name)
{
	size_t i;

	if (!name)
		return TSP_OUTPUT_UNKNOWN;
	for (i = 1; i < N_OUTPUT_TYPES; i++)
		if (!strcmp(name, output_type_names[i]))
			return (enum tsp_output_type)i;
	return TSP_OUTPUT_UNKNOWN;
}

int tsp_model_kind_wrapped(enum tsp_model_kind kind)
{
	switch (kind) {
	case TSP_M_TREE:
	case TSP_M_XY:
	case TSP_M_TG_STATES:
	case TSP_M_TG_ARROWS:
	case TSP_M_TOOLTIP:
	case TSP_M_TABLE_COLUMNS:
	case TSP_M_TABLE_LINES:
	case TSP_M_STYLES:
	case TSP_M_ANNOTATION_CATEGORIES:
	case TSP_M_ANNOTATIONS:
	case TSP_M_MARKER_SETS:
		return 1;
	default:
		return 0;
	}
}

const char *tsp_model_kind_name(enum tsp_model_kind kind)
{
	switch (kind) {
	case TSP_M_HEALTH: return "health";
	case TSP_M_IDENTIFIER: return "identifier";
	case TSP_M_TRACES: return "traces";
	case TSP_M_TRACE: return "trace";
	case TSP_M_EXPERIMENTS: return "experiments";
	case TSP_M_EXPERIMENT: return "experiment";
	case TSP_M_OUTPUTS: return "outputs";
	case TSP_M_OUTPUT: return "output";
	case TSP_M_TREE: return "tree";
	case TSP_M_XY: return "xy";
	case TSP_M_TG_STATES: return "timegraph states";
	case TSP_M_TG_ARROWS: return "timegraph arrows";
	case TSP_M_TOOLTIP: return "tooltip";
	case TSP_M_TABLE_COLUMNS: return "table columns";
	case TSP_M_TABLE_LINES: return "table lines";
	case TSP_M_STYLES: return "styles";
	case TSP_M_ANNOTATION_CATEGORIES: return "annotation categories";
	case TSP_M_ANNOTATIONS: return "annotations";
	case TSP_M_MARKER_SETS: return "marker sets";
	case TSP_M_CONFIGURATION: return "configuration";
	case TSP_M_CONFIGURATIONS: return "configurations";
	case TSP_M_CONFIG_SOURCE_TYPES: return "configuration source types";
	}
	return "unknown";
}
