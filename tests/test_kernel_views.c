/*
 * The kernel analyses' views, pure: TSP answers written by hand in the
 * shapes Trace Compass's providers give them (segment store scatter,
 * density and statistics, Disk I/O, Memory Usage, Resources Status,
 * Critical Path), translated into frames; the target options and TSP
 * query parameters they need. No network.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gf_frame.h"
#include "gf_target.h"
#include "gf_translate.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tsp_client.h"
#include "tsp_model.h"

#define SCATTER_ID "org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.scatter." \
	"dataprovider:org.eclipse.tracecompass.analysis.os.linux.latency.syscall"
#define MEMORY_ID "org.eclipse.tracecompass.analysis.os.linux.core.kernelmemoryusage"

static void model(struct tsp_model *m, enum tsp_model_kind kind, const char *json)
{
	struct tsp_error e;

	tsp_model_init(m);
	tsp_error_clear(&e);
	ck_assert_msg(tsp_model_parse(m, kind, json, strlen(json), &e) == 0, "%s: %s", json, e.msg);
}

/* The frame as a data frame's JSON, in sb (reset first). */
static const char *frame_json(struct strbuf *sb, const struct gf_frame *f)
{
	struct jsonw w;

	strbuf_reset(sb);
	jsonw_init(&w, sb);
	gf_write_dataframe(&w, f);
	ck_assert_int_eq(jsonw_finish(&w), 0);
	return sb->buf;
}

/* ---- System Call Latency - Latency vs Time (scatter) ---- */

/* The scatter's tree: trace > component > syscall, every entry hasData (TmfTreeDataModel). */
static const char scatter_tree[] =
	"{\"model\":{\"headers\":[],\"entries\":["
	"{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\"],\"hasData\":true,\"style\":null},"
	"{\"id\":5,\"parentId\":0,\"labels\":[\"fs\"],\"hasData\":true,\"style\":null},"
	"{\"id\":12,\"parentId\":5,\"labels\":[\"read\"],\"hasData\":true,\"style\":null},"
	"{\"id\":13,\"parentId\":5,\"labels\":[\"write\"],\"hasData\":true,\"style\":null}]},"
	"\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\"}";

/* SeriesModel of DisplayType.SCATTER: named by its id, the axes left at their defaults. */
static const char scatter_xy[] =
	"{\"model\":{\"title\":\"Latency vs Time\",\"series\":[{\"seriesId\":12,\"seriesName\":\"12\","
	"\"xValues\":[1700000000500644597,1700000000500650001,1700000003190872331],"
	"\"yValues\":[744281.0,130211.0,126319.0],"
	"\"style\":{\"parentKey\":null,\"values\":{\"series-type\":\"scatter\"}},"
	"\"xValuesDescription\":{\"label\":\"X Axis\",\"unit\":\"\",\"dataType\":\"NUMBER\"},"
	"\"yValuesDescription\":{\"label\":\"Y Axis\",\"unit\":\"\",\"dataType\":\"NUMBER\"}}]},"
	"\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\"}";

START_TEST(scatter_is_points_in_ns_named_by_the_tree)
{
	struct tsp_model tree, xy;
	struct gf_xy_hints h;
	struct gf_frame f;
	struct strbuf sb = STRBUF_INIT;
	const char *js;
	char err[256];

	model(&tree, TSP_M_TREE, scatter_tree);
	model(&xy, TSP_M_XY, scatter_xy);
	gf_xy_hints_for(&h, SCATTER_ID, &tree.u.tree);
	ck_assert_str_eq(h.y_unit, "ns");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_xy_series(&f, &xy.u.xy.series[0], NULL, &h, err, sizeof(err)), 0);
	/* "12" is the series' id: the tree says it is read. */
	ck_assert_str_eq(f.name, "read");
	ck_assert_str_eq(f.fields[1].name, "read");
	ck_assert_uint_eq(f.length, 3);
	/* Each series has its own irregular x: segment starts, ms. */
	ck_assert(f.fields[0].times[0] == INT64_C(1700000000500));
	ck_assert(f.fields[0].times[2] == INT64_C(1700000003190));
	ck_assert(f.fields[1].nums[0] == 744281.0);
	ck_assert_str_eq(f.fields[1].unit, "ns");
	ck_assert_str_eq(f.fields[1].custom.draw_style, "points");
	ck_assert_str_eq(f.fields[1].custom.show_points, "always");
	ck_assert_int_eq(f.fields[1].custom.line_width, 0);
	js = frame_json(&sb, &f);
	ck_assert_msg(strstr(js, "\"custom\":{\"drawStyle\":\"points\",\"showPoints\":\"always\","
			     "\"lineWidth\":0,\"pointSize\":4}"), "%s", js);
	ck_assert_msg(strstr(js, "\"unit\":\"ns\""), "%s", js);
	gf_frame_release(&f);

	/* Without hints: the series' own name, no unit, but still points (the style says so). */
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_series(&f, &xy.u.xy.series[0], "kernel/Latency", err, sizeof(err)), 0);
	ck_assert_str_eq(f.name, "kernel/Latency: 12");
	ck_assert_ptr_null(f.fields[1].unit);
	ck_assert_str_eq(f.fields[1].custom.draw_style, "points");
	gf_frame_release(&f);

	/* Segment store outputs draw their leaves by default; CPU Usage keeps its total. */
	ck_assert_int_eq(gf_xy_leaves_only(SCATTER_ID, TSP_OUTPUT_TREE_TIME_XY), 1);
	ck_assert_int_eq(gf_xy_leaves_only("org.eclipse.tracecompass.analysis.os.linux.core.cpuusage."
					   "CpuUsageDataProvider", TSP_OUTPUT_TREE_TIME_XY), 0);
	ck_assert_int_eq(gf_xy_leaves_only("x", TSP_OUTPUT_TREE_GENERIC_XY), 1);
	strbuf_release(&sb);
	tsp_model_release(&tree);
	tsp_model_release(&xy);
}
END_TEST

/* ---- Disk I/O View and Memory Usage: units from the axis, or from the output ---- */

START_TEST(disk_and_memory_units_and_colours)
{
	struct tsp_model tree, xy;
	struct gf_xy_hints h;
	struct gf_frame f;
	struct strbuf sb = STRBUF_INIT;
	char err[256], buf[64];
	const char *js;

	model(&tree, TSP_M_TREE,
	      "{\"model\":{\"headers\":[],\"entries\":["
	      "{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\"],\"hasData\":false},"
	      "{\"id\":1,\"parentId\":0,\"labels\":[\"sda\"],\"hasData\":false},"
	      "{\"id\":2,\"parentId\":1,\"labels\":[\"read\"],\"hasData\":true,\"style\":{\"parentKey\":\"base\","
	      "\"values\":{\"color\":\"#6baed6\",\"series-style\":\"solid\",\"style-name\":\"sda/read\"}}}]},"
	      "\"status\":\"COMPLETED\"}");
	model(&xy, TSP_M_XY,
	      "{\"model\":{\"title\":\"Disk I/O\",\"series\":[{\"seriesId\":2,\"seriesName\":\"kernel/sda/read\","
	      "\"xValues\":[1700000000000000000,1700000001111111111],\"yValues\":[0,822067.2],"
	      "\"style\":{\"values\":{\"series-type\":\"line\"}},"
	      "\"xValuesDescription\":{\"label\":\"X Axis\",\"unit\":\"\",\"dataType\":\"NUMBER\"},"
	      "\"yValuesDescription\":{\"label\":\"Throughput\",\"unit\":\"B/s\",\"dataType\":\"BINARY_NUMBER\"}}]},"
	      "\"status\":\"COMPLETED\"}");
	/* An output the bridge knows nothing of: the axis alone says B/s. */
	gf_xy_hints_for(&h, "some.other.output", &tree.u.tree);
	ck_assert_ptr_null(h.y_unit);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_xy_series(&f, &xy.u.xy.series[0], NULL, &h, err, sizeof(err)), 0);
	ck_assert_str_eq(f.fields[1].unit, "Bps");
	/* A line is Grafana's default: nothing is forced. */
	ck_assert_ptr_null(f.fields[1].custom.draw_style);
	/* The tree entry's colour. */
	ck_assert_str_eq(f.fields[1].fixed_color, "#6baed6");
	js = frame_json(&sb, &f);
	ck_assert_msg(strstr(js, "\"color\":{\"mode\":\"fixed\",\"fixedColor\":\"#6baed6\"}"), "%s", js);
	ck_assert_msg(!strstr(js, "\"custom\""), "%s", js);
	gf_frame_release(&f);
	tsp_model_release(&xy);

	/* Memory Usage: TC leaves the y axis at its default; the output says bytes. */
	model(&xy, TSP_M_XY,
	      "{\"model\":{\"title\":\"Memory\",\"series\":[{\"seriesId\":0,\"seriesName\":\"kernel:total\","
	      "\"xValues\":[1700000000000000000],\"yValues\":[5332992],"
	      "\"style\":{\"values\":{\"series-type\":\"area\"}},"
	      "\"yValuesDescription\":{\"label\":\"Y Axis\",\"unit\":\"\",\"dataType\":\"NUMBER\"}}]},"
	      "\"status\":\"COMPLETED\"}");
	gf_xy_hints_for(&h, MEMORY_ID, NULL);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_xy_series(&f, &xy.u.xy.series[0], NULL, &h, err, sizeof(err)), 0);
	ck_assert_str_eq(f.fields[1].unit, "bytes");
	ck_assert_str_eq(f.fields[1].custom.draw_style, "line");
	ck_assert_int_eq(f.fields[1].custom.fill_opacity, 30);
	gf_frame_release(&f);

	ck_assert_str_eq(gf_unit_of("ns", "NUMBER", buf, sizeof(buf)), "ns");
	ck_assert_str_eq(gf_unit_of("", "DURATION", buf, sizeof(buf)), "ns");
	ck_assert_str_eq(gf_unit_of("B", "BINARY_NUMBER", buf, sizeof(buf)), "bytes");
	ck_assert_str_eq(gf_unit_of("%", NULL, buf, sizeof(buf)), "percent");
	ck_assert_ptr_null(gf_unit_of("", "NUMBER", buf, sizeof(buf)));
	ck_assert_ptr_null(gf_unit_of(NULL, NULL, buf, sizeof(buf)));
	ck_assert_str_eq(gf_unit_of("pages", "NUMBER", buf, sizeof(buf)), "suffix: pages");
	strbuf_release(&sb);
	tsp_model_release(&tree);
	tsp_model_release(&xy);
}
END_TEST

/* ---- Latency Density (generic XY) ---- */

#define RANGES "\"xRanges\":[{\"start\":0,\"end\":604229397},{\"start\":604229398,\"end\":1208458795}," \
	"{\"start\":1208458796,\"end\":1812688193}]"
#define DENSITY_AXES "\"style\":{\"parentKey\":null,\"values\":{\"series-type\":\"bar\"}}," \
	"\"xValuesDescription\":{\"dataType\":\"DURATION\",\"unit\":\"ns\",\"axisDomain\":{\"type\":\"range\"," \
	"\"start\":0,\"end\":1812688193},\"label\":\"Duration\"}," \
	"\"yValuesDescription\":{\"dataType\":\"NUMBER\",\"unit\":\"\",\"axisDomain\":null,\"label\":\"Count\"}"

START_TEST(density_bins_are_numbers_in_ns_drawn_as_bars)
{
	struct tsp_model xy;
	struct gf_frame f;
	struct strbuf sb = STRBUF_INIT;
	size_t used;
	char err[256];
	const char *js;

	model(&xy, TSP_M_XY,
	      "{\"model\":{\"title\":\"{0} - Latency Density\",\"series\":["
	      "{\"seriesId\":12,\"seriesName\":\"read\"," RANGES ",\"yValues\":[298.0,2.0,0.0]," DENSITY_AXES "},"
	      "{\"seriesId\":13,\"seriesName\":\"write\"," RANGES ",\"yValues\":[491.0,3.0,1.0]," DENSITY_AXES "},"
	      "{\"seriesId\":14,\"seriesName\":\"futex\",\"xRanges\":[{\"start\":0,\"end\":9}],\"yValues\":[4.0],"
	      DENSITY_AXES "}]},\"status\":\"COMPLETED\",\"statusMessage\":\"Completed\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_generic_xy(&f, xy.u.xy.series, xy.u.xy.n_series, NULL, NULL, &used, err,
					  sizeof(err)), 0);
	/* read and write share their bins: one frame; futex's bins differ. */
	ck_assert_uint_eq(used, 2);
	ck_assert_uint_eq(f.n_fields, 4);
	ck_assert_uint_eq(f.length, 3);
	/* x is a number (never a time field) in ns, named by its axis. */
	ck_assert_str_eq(f.fields[0].name, "start");
	ck_assert_int_eq(f.fields[0].type, GF_NUMBER);
	ck_assert_str_eq(f.fields[0].unit, "ns");
	ck_assert_str_eq(f.fields[0].display_name, "Duration");
	ck_assert(f.fields[0].nums[1] == 604229398.0);
	ck_assert(f.fields[1].nums[2] == 1812688193.0);
	ck_assert_int_eq(f.fields[1].custom.hide_from_viz, 1);
	ck_assert_str_eq(f.fields[2].name, "read");
	ck_assert_str_eq(f.fields[3].name, "write");
	ck_assert(f.fields[3].nums[2] == 1.0);
	ck_assert_str_eq(f.fields[2].custom.draw_style, "bars");
	ck_assert_ptr_null(f.fields[2].unit);       /* a count */
	js = frame_json(&sb, &f);
	ck_assert_msg(strstr(js, "\"hideFrom\":{\"viz\":true,\"legend\":true,\"tooltip\":false}"), "%s", js);
	ck_assert_msg(!strstr(js, "\"type\":\"time\""), "%s", js);
	gf_frame_release(&f);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_generic_xy(&f, &xy.u.xy.series[2], 1, "kernel/Density", NULL, &used, err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(used, 1);
	ck_assert_str_eq(f.fields[2].name, "kernel/Density: futex");
	gf_frame_release(&f);
	tsp_model_release(&xy);

	/* Group entries answer "Unknown": named from the tree; a name twice says its id. */
	{
		struct tsp_model tree;
		struct gf_xy_hints h;

		model(&tree, TSP_M_TREE,
		      "{\"model\":{\"entries\":[{\"id\":1,\"parentId\":-1,\"labels\":[\"kernel\"]},"
		      "{\"id\":2,\"parentId\":1,\"labels\":[\"kernel\"]},{\"id\":3,\"parentId\":2,\"labels\":[\"futex\"]}],"
		      "\"headers\":[]},\"status\":\"COMPLETED\"}");
		model(&xy, TSP_M_XY,
		      "{\"model\":{\"title\":\"d\",\"series\":["
		      "{\"seriesId\":1,\"seriesName\":\"Unknown\"," RANGES ",\"yValues\":[0,0,0]," DENSITY_AXES "},"
		      "{\"seriesId\":2,\"seriesName\":\"Unknown\"," RANGES ",\"yValues\":[0,0,0]," DENSITY_AXES "},"
		      "{\"seriesId\":3,\"seriesName\":\"futex\"," RANGES ",\"yValues\":[5,0,1]," DENSITY_AXES "}]},"
		      "\"status\":\"COMPLETED\"}");
		gf_xy_hints_for(&h, NULL, &tree.u.tree);
		gf_frame_init(&f);
		ck_assert_int_eq(gf_tr_generic_xy(&f, xy.u.xy.series, 3, NULL, &h, &used, err, sizeof(err)), 0);
		ck_assert_uint_eq(f.n_fields, 5);
		ck_assert_str_eq(f.fields[2].name, "kernel");
		ck_assert_str_eq(f.fields[3].name, "kernel (2)");
		ck_assert_str_eq(f.fields[4].name, "futex");
		gf_frame_release(&f);
		tsp_model_release(&xy);
		tsp_model_release(&tree);
	}

	/* Categories (the official client fixture's second shape): a string x, bars. */
	model(&xy, TSP_M_XY,
	      "{\"model\":{\"title\":\"t\",\"series\":[{\"seriesId\":3,\"seriesName\":\"15652\","
	      "\"xCategories\":[\"red\",\"blue\"],\"yValues\":[3.0,0.0],\"style\":{\"parentKey\":null,\"values\":{}},"
	      "\"xValuesDescription\":{\"dataType\":\"STRING\",\"unit\":\"\",\"label\":\"Colour\"},"
	      "\"yValuesDescription\":{\"dataType\":\"NUMBER\",\"unit\":\"\",\"label\":\"n\"}}]},"
	      "\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_generic_xy(&f, xy.u.xy.series, 1, NULL, NULL, &used, err, sizeof(err)), 0);
	ck_assert_str_eq(f.fields[0].name, "Colour");
	ck_assert_int_eq(f.fields[0].type, GF_STRING);
	ck_assert_str_eq(f.fields[0].strs[1], "blue");
	ck_assert_str_eq(f.fields[1].custom.draw_style, "bars");
	gf_frame_release(&f);
	tsp_model_release(&xy);
	strbuf_release(&sb);
}
END_TEST

/* ---- Latency Statistics (data tree) ---- */

START_TEST(durations_as_trace_servers_write_them)
{
	double ns;

	ck_assert_int_eq(gf_parse_duration_ns("1.234 µs", &ns), 1);
	ck_assert(ns == 1234.0);
	ck_assert_int_eq(gf_parse_duration_ns("266 ns", &ns), 1);
	ck_assert(ns == 266.0);
	ck_assert_int_eq(gf_parse_duration_ns("12.346 ms", &ns), 1);
	ck_assert(ns == 12346000.0);
	ck_assert_int_eq(gf_parse_duration_ns("1.022 s", &ns), 1);
	ck_assert(ns == 1022000000.0);
	ck_assert_int_eq(gf_parse_duration_ns("48.929 s", &ns), 1);
	ck_assert(ns == 48929000000.0);
	ck_assert_int_eq(gf_parse_duration_ns("1.5 us", &ns), 1);
	ck_assert(ns == 1500.0);
	ck_assert_int_eq(gf_parse_duration_ns("1,5 μs", &ns), 1);      /* Greek mu, decimal comma */
	ck_assert(ns == 1500.0);
	/* Exact where a double would not be: 0.1 s is not 0.1 * 1e9 computed in binary. */
	ck_assert_int_eq(gf_parse_duration_ns("0.123456789 s", &ns), 1);
	ck_assert(ns == 123456789.0);
	ck_assert_int_eq(gf_parse_duration_ns("0.5 ns", &ns), 1);
	ck_assert(ns == 0.5);
	ck_assert_int_eq(gf_parse_duration_ns("2607", &ns), 0);
	ck_assert(ns == 2607.0);
	ck_assert_int_eq(gf_parse_duration_ns("", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns("---", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns("12 parsecs", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns("1.2.3 ms", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns("[1,2]", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns("99999999999999999999 s", &ns), -1);
	ck_assert_int_eq(gf_parse_duration_ns(NULL, &ns), -1);
}
END_TEST

/* As the official client fixture fetch-data-tree-0.json, with an empty and a "---" cell. */
static const char stats_tree[] =
	"{\"model\":{\"autoExpandLevel\":-1,\"entries\":["
	"{\"id\":0,\"parentId\":-1,\"style\":null,\"labels\":[\"kernel\",\"266 ns\",\"1.022 s\",\"18.768 ms\","
	"\"85.527 ms\",\"2607\",\"48.929 s\",\"[1571171542725521079,1571171542725521345]\","
	"\"[1571171542231247219,1571171543252848866]\"],\"hasData\":true},"
	"{\"id\":1,\"parentId\":0,\"style\":null,\"labels\":[\"Total\",\"266 ns\",\"1.022 s\",\"18.768 ms\","
	"\"85.527 ms\",\"2607\",\"48.929 s\",\"[1571171542725521079,1571171542725521345]\","
	"\"[1571171542231247219,1571171543252848866]\"],\"hasData\":true},"
	"{\"id\":2,\"parentId\":1,\"style\":null,\"labels\":[\"WAKE\",\"266 ns\",\"65.302 µs\",\"3.087 µs\","
	"\"---\",\"2\",\"5.421 ms\",\"[1571171542725521079,1571171542725521345]\","
	"\"[1571171542574454113,1571171542574519415]\"],\"hasData\":true},"
	"{\"id\":3,\"parentId\":1,\"style\":null,\"labels\":[\"IDLE\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\"],"
	"\"hasData\":true}],"
	"\"headers\":[{\"name\":\"Label\",\"tooltip\":\"\"},{\"name\":\"Minimum\",\"tooltip\":\"\"},"
	"{\"name\":\"Maximum\",\"tooltip\":\"\"},{\"name\":\"Average\",\"tooltip\":\"\"},"
	"{\"name\":\"Std Dev\",\"tooltip\":\"\"},{\"name\":\"Count\",\"tooltip\":\"\"},"
	"{\"name\":\"Total\",\"tooltip\":\"\"},{\"name\":\"Min Time Range\",\"tooltip\":\"\",\"dataType\":\"TIME_RANGE\"},"
	"{\"name\":\"Max Time Range\",\"tooltip\":\"\",\"dataType\":\"TIME_RANGE\"}]},"
	"\"statusMessage\":\"Completed\",\"status\":\"COMPLETED\"}";

/* The segment table of Trace Compass: clock-time TIMESTAMP cells, durations grouped by thousands. */
START_TEST(segment_table_time_from_timestamp_ns)
{
	struct tsp_model cols, lines;
	struct gf_frame f;
	char err[256];
	double ns;

	model(&cols, TSP_M_TABLE_COLUMNS,
	      "{\"model\":[{\"id\":0,\"name\":\"Start Time\",\"description\":\"\",\"type\":\"TIMESTAMP\"},"
	      "{\"id\":2,\"name\":\"Duration\",\"description\":\"\",\"type\":\"DURATION\"},"
	      "{\"id\":3,\"name\":\"System Call\",\"description\":\"\",\"type\":\"STRING\"},"
	      "{\"id\":8,\"name\":\"Timestamp ns\",\"description\":\"\",\"type\":\"NUMBER\"}],"
	      "\"statusMessage\":\"Completed\",\"status\":\"COMPLETED\"}");
	model(&lines, TSP_M_TABLE_LINES,
	      "{\"model\":{\"size\":3,\"lowIndex\":0,\"columnIds\":[0,2,3,8],\"lines\":["
	      "{\"index\":0,\"cells\":[{\"content\":\"22:13:20.503 530 345\"},{\"content\":\"535,569\"},"
	      "{\"content\":\"ioctl\"},{\"content\":\"1700000000503530345\"}]},"
	      "{\"index\":1,\"cells\":[{\"content\":\"22:13:20.506 017 185\"},{\"content\":\"1,787,276\"},"
	      "{\"content\":\"poll\"},{\"content\":\"1700000000506017185\"}]},"
	      "{\"index\":2,\"cells\":[{\"content\":\"22:13:21.000 000 001\"},{\"content\":\"12\"},"
	      "{\"content\":\"read\"},{\"content\":\"1700000001000000001\"}]}]},"
	      "\"statusMessage\":\"Completed\",\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	/* The last line is past the range's end: dropped. */
	ck_assert_int_eq(gf_tr_events(&f, &cols.u.columns, &lines.u.lines, INT64_C(1700000001000000000), 3, 10,
				      err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 2);
	ck_assert_str_eq(f.fields[0].name, "time");
	ck_assert_int_eq(f.fields[0].type, GF_TIME);
	ck_assert_int_eq(f.fields[0].times[0], INT64_C(1700000000503));
	ck_assert_int_eq(f.fields[0].times[1], INT64_C(1700000000506));
	ck_assert_str_eq(f.fields[2].name, "Duration");
	ck_assert_int_eq(f.fields[2].type, GF_NUMBER);
	ck_assert_str_eq(f.fields[2].unit, "ns");
	ck_assert(f.fields[2].nums[0] == 535569.0 && f.fields[2].nums[1] == 1787276.0);
	/* Nanoseconds since the epoch do not fit a double: kept as their exact text. */
	ck_assert_int_eq(f.fields[4].type, GF_STRING);
	ck_assert_str_eq(f.fields[4].strs[1], "1700000000506017185");
	gf_frame_release(&f);
	tsp_model_release(&cols);
	tsp_model_release(&lines);

	ck_assert_int_eq(gf_parse_duration_ns("281,903", &ns), 0);
	ck_assert(ns == 281903.0);
	ck_assert_int_eq(gf_parse_duration_ns("1,000,000 ns", &ns), 1);
	ck_assert(ns == 1000000.0);
	ck_assert_int_eq(gf_parse_duration_ns("1,5 ms", &ns), 1);         /* a decimal comma still */
	ck_assert(ns == 1500000.0);
	ck_assert_int_eq(gf_parse_duration_ns("12,34", &ns), 0);          /* not three digits: a decimal */
	ck_assert(ns == 12.34);
}
END_TEST

START_TEST(statistics_are_numbers_durations_in_ns)
{
	struct tsp_model dt;
	struct gf_frame f;
	char err[256];
	enum { NAME, PATH, MIN, MAX, AVG, STD, COUNT, TOTAL, MINR };

	model(&dt, TSP_M_TREE, stats_tree);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_data_tree(&f, &dt.u.tree, NULL, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 4);
	ck_assert_str_eq(f.fields[MIN].name, "Minimum");
	ck_assert_int_eq(f.fields[MIN].type, GF_NUMBER);
	ck_assert_str_eq(f.fields[MIN].unit, "ns");
	ck_assert(f.fields[MIN].nums[0] == 266.0);
	ck_assert(f.fields[MAX].nums[0] == 1022000000.0);
	ck_assert(f.fields[MAX].nums[2] == 65302.0);
	ck_assert(f.fields[AVG].nums[2] == 3087.0);
	ck_assert(f.fields[STD].nums[1] == 85527000.0);
	ck_assert(isnan(f.fields[STD].nums[2]));   /* "---": too few samples */
	ck_assert(isnan(f.fields[MIN].nums[3]));   /* "": no segment */
	ck_assert_int_eq(f.fields[COUNT].type, GF_NUMBER);
	ck_assert_ptr_null(f.fields[COUNT].unit);
	ck_assert(f.fields[COUNT].nums[0] == 2607.0 && f.fields[COUNT].nums[3] == 0.0);
	ck_assert_str_eq(f.fields[TOTAL].unit, "ns");
	ck_assert(f.fields[TOTAL].nums[0] == 48929000000.0);
	/* A time range stays text: two times in one cell. */
	ck_assert_int_eq(f.fields[MINR].type, GF_STRING);
	ck_assert_str_eq(f.fields[MINR].strs[0], "[1571171542725521079,1571171542725521345]");
	ck_assert_str_eq(f.fields[PATH].strs[2], "kernel / Total / WAKE");
	gf_frame_release(&f);
	tsp_model_release(&dt);

	/* Headers with a dataType: bare numbers under DURATION are ns; TIMESTAMP ns is a time. */
	model(&dt, TSP_M_TREE,
	      "{\"model\":{\"entries\":["
	      "{\"id\":0,\"parentId\":-1,\"labels\":[\"read\",\"1500\",\"1700000000500644597\",\"42\",\"3 KiB\"]},"
	      "{\"id\":1,\"parentId\":-1,\"labels\":[\"write\",\"2.5 µs\",\"1700000000600000000\",\"x\",\"7\"]}],"
	      "\"headers\":[{\"name\":\"Label\",\"tooltip\":\"\"},"
	      "{\"name\":\"Min\",\"tooltip\":\"\",\"dataType\":\"DURATION\"},"
	      "{\"name\":\"First\",\"tooltip\":\"\",\"dataType\":\"TIMESTAMP\"},"
	      "{\"name\":\"N\",\"tooltip\":\"\",\"dataType\":\"NUMBER\"},"
	      "{\"name\":\"Size\",\"tooltip\":\"\",\"dataType\":\"BINARY_NUMBER\"}]},\"status\":\"COMPLETED\"}");
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_data_tree(&f, &dt.u.tree, NULL, 0, err, sizeof(err)), 0);
	ck_assert_str_eq(f.fields[2].unit, "ns");
	ck_assert(f.fields[2].nums[0] == 1500.0 && f.fields[2].nums[1] == 2500.0);
	ck_assert_int_eq(f.fields[3].type, GF_TIME);
	ck_assert(f.fields[3].times[0] == INT64_C(1700000000500));
	/* A NUMBER header over a cell that is no number: text, never a silent null. */
	ck_assert_int_eq(f.fields[4].type, GF_STRING);
	ck_assert_str_eq(f.fields[4].strs[1], "x");
	ck_assert_int_eq(f.fields[5].type, GF_STRING);
	gf_frame_release(&f);
	tsp_model_release(&dt);
}
END_TEST

/* ---- Resources Status: rows named apart ---- */

static const char res_tree[] =
	"{\"model\":{\"autoExpandLevel\":1,\"headers\":[],\"entries\":["
	"{\"id\":0,\"parentId\":-1,\"labels\":[\"kernel\"],\"start\":1,\"end\":9,\"hasData\":false},"
	"{\"id\":1,\"parentId\":0,\"labels\":[\"CPU 0 Threads\"],\"start\":1,\"end\":9,\"hasData\":true},"
	"{\"id\":2,\"parentId\":0,\"labels\":[\"CPU 0 States\"],\"start\":1,\"end\":9,\"hasData\":true},"
	"{\"id\":3,\"parentId\":2,\"labels\":[\"IRQ 16\"],\"start\":1,\"end\":9,\"hasData\":true},"
	"{\"id\":4,\"parentId\":0,\"labels\":[\"IRQ 16\"],\"start\":1,\"end\":9,\"hasData\":true},"
	"{\"id\":5,\"parentId\":4,\"labels\":[\"CPU 0 States\"],\"start\":1,\"end\":9,\"hasData\":true},"
	"{\"id\":6,\"parentId\":0,\"labels\":[\"\"],\"start\":1,\"end\":9,\"hasData\":false}]},"
	"\"status\":\"COMPLETED\"}";

static const char res_states[] =
	"{\"model\":{\"rows\":["
	"{\"entryId\":1,\"states\":[{\"start\":1700000000000000000,\"end\":1700000000100000000,"
	"\"label\":\"python3 (408)\",\"style\":{\"parentKey\":\"thread\",\"values\":{\"background-color\":\"#cc29bf\","
	"\"style-name\":\"408\"}}}]},"
	"{\"entryId\":2,\"states\":[{\"start\":1700000000000000000,\"end\":1700000000100000000,"
	"\"label\":\"python3\",\"style\":{\"parentKey\":\"Usermode\",\"values\":{}}}]},"
	"{\"entryId\":3,\"states\":[{\"start\":1700000000050000000,\"end\":1700000000060000000,"
	"\"style\":{\"parentKey\":\"Interrupt\",\"values\":{}}}]},"
	"{\"entryId\":4,\"states\":[{\"start\":1700000000050000000,\"end\":1700000000060000000,"
	"\"style\":{\"parentKey\":\"Interrupt\",\"values\":{}}}]},"
	"{\"entryId\":5,\"states\":[{\"start\":1700000000050000000,\"end\":1700000000060000000,"
	"\"style\":{\"parentKey\":\"Interrupt\",\"values\":{}}}]}]},\"status\":\"COMPLETED\"}";

static const char res_styles[] =
	"{\"model\":{\"styles\":{"
	"\"Usermode\":{\"values\":{\"style-name\":\"Usermode\",\"background-color\":\"#00c800\"}},"
	"\"Interrupt\":{\"values\":{\"style-name\":\"Interrupt\",\"background-color\":\"#c83232\"}},"
	"\"thread\":{\"values\":{\"style-name\":\"Frequency\",\"style-group\":\"Other\"}}}},"
	"\"status\":\"COMPLETED\"}";

START_TEST(resources_rows_are_named_by_their_parents)
{
	struct tsp_model tree, states, styles;
	struct gf_frame f;
	char err[256];
	size_t i;
	int seen = 0;

	model(&tree, TSP_M_TREE, res_tree);
	model(&states, TSP_M_TG_STATES, res_states);
	model(&styles, TSP_M_STYLES, res_styles);
	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_timeline(&f, &tree.u.tree, &states.u.states, &styles.u.styles, 0, INT64_MAX,
					100, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.n_fields, 6);
	ck_assert_str_eq(f.fields[1].name, "CPU 0 Threads");
	ck_assert_str_eq(f.fields[2].name, "CPU 0 States");          /* under the trace: as it is */
	ck_assert_str_eq(f.fields[3].name, "CPU 0 States / IRQ 16");
	ck_assert_str_eq(f.fields[4].name, "IRQ 16");
	ck_assert_str_eq(f.fields[5].name, "IRQ 16 / CPU 0 States");
	ck_assert_str_eq(f.fields[1].strs[0], "408");
	ck_assert_str_eq(f.fields[2].strs[0], "Usermode");
	/* The thread's own colour maps its tid to its label. */
	for (i = 0; i < f.fields[1].n_mappings; i++)
		if (!strcmp(f.fields[1].mappings[i].value, "408")) {
			ck_assert_str_eq(f.fields[1].mappings[i].text, "python3 (408)");
			ck_assert_str_eq(f.fields[1].mappings[i].color, "#cc29bf");
			seen = 1;
		}
	ck_assert(seen);
	gf_frame_release(&f);

	gf_frame_init(&f);
	ck_assert_int_eq(gf_tr_intervals(&f, &tree.u.tree, &states.u.states, &styles.u.styles, 0, INT64_MAX,
					 100, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.length, 5);
	/* Same start: by row id. */
	ck_assert_str_eq(f.fields[0].strs[2], "CPU 0 States / IRQ 16");
	ck_assert_str_eq(f.fields[0].strs[4], "IRQ 16 / CPU 0 States");
	gf_frame_release(&f);
	tsp_model_release(&tree);
	tsp_model_release(&states);
	tsp_model_release(&styles);
}
END_TEST

/* ---- Critical Path: the thread, as a target option and as a TSP parameter ---- */

START_TEST(critical_path_thread_and_density_bins_in_targets)
{
	struct gf_target t;
	char err[256] = "";
	cJSON *fields;

	gf_target_init(&t);
	ck_assert_int_eq(gf_target_parse(&t, "kernel/Critical Path?view=arrows&tid=408", NULL, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(t.has_tid, 1);
	ck_assert(t.tid == 408);
	ck_assert_int_eq(t.bins, GF_BINS_DEFAULT);
	gf_target_release(&t);

	{
		static const char js[] = "{\"experiment\":\"kernel\",\"output\":\"Critical Path\","
					 "\"tid\":316,\"bins\":\"20\"}";

		fields = json_parse_exact(js, strlen(js), NULL, 0);
	}
	ck_assert_ptr_nonnull(fields);
	gf_target_init(&t);
	ck_assert_msg(gf_target_parse(&t, "", fields, err, sizeof(err)) == 0, "%s", err);
	ck_assert(t.has_tid && t.tid == 316);
	ck_assert_int_eq(t.bins, 20);
	gf_target_release(&t);
	cJSON_Delete(fields);

	gf_target_init(&t);
	ck_assert_int_eq(gf_target_parse(&t, "k/o?tid=-1", NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "tid") && strstr(err, "\"-1\""), "%s", err);
	gf_target_release(&t);
	gf_target_init(&t);
	ck_assert_int_eq(gf_target_parse(&t, "k/o?tid=2147483648", NULL, err, sizeof(err)), -1);
	gf_target_release(&t);
	gf_target_init(&t);
	ck_assert_int_eq(gf_target_parse(&t, "k/o?bins=0", NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bins must be a whole number 1..65536"), "%s", err);
	gf_target_release(&t);
	fields = json_parse_exact("{\"tid\":1.5}", strlen("{\"tid\":1.5}"), NULL, 0);
	gf_target_init(&t);
	ck_assert_int_eq(gf_target_parse(&t, "k/o", fields, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "\"1.5\""), "%s", err);
	gf_target_release(&t);
	cJSON_Delete(fields);
	ck_assert_int_eq(gf_view_parse("density"), GF_VIEW_DENSITY);
}
END_TEST

START_TEST(tsp_parameters_for_the_kernel_outputs)
{
	struct strbuf sb = STRBUF_INIT;
	struct tsp_query q;
	struct tsp_error e;
	int64_t items[] = { 12, 13 };

	memset(&q, 0, sizeof(q));
	q.has_range = 1;
	q.start = INT64_C(1700000000000000000);
	q.end = INT64_C(1700000010000000000);
	q.nb_times = 50;
	q.nb_samples = 1;
	q.has_items = 1;
	q.items = items;
	q.n_items = 2;
	tsp_error_clear(&e);
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &e), 0);
	ck_assert_msg(strstr(sb.buf, "\"requested_timerange\":{\"start\":1700000000000000000,"
			     "\"end\":1700000010000000000,\"nbSamples\":50}"), "%s", sb.buf);
	ck_assert_msg(!strstr(sb.buf, "nbTimes"), "%s", sb.buf);
	q.nb_samples = 0;
	q.param_key = "tid";
	q.param_value = 408;
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &e), 0);
	ck_assert_msg(strstr(sb.buf, "\"nbTimes\":50") && strstr(sb.buf, "\"tid\":408"), "%s", sb.buf);
	/* A parameter cannot pass for one of the protocol's own. */
	q.param_key = "requested_items";
	ck_assert_int_eq(tsp_query_to_json(&q, &sb, &e), -1);
	ck_assert_int_eq(e.kind, TSP_ERR_INVALID);
	strbuf_release(&sb);
}
END_TEST

Suite *kernel_views_suite(void)
{
	Suite *s = suite_create("kernel_views");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, scatter_is_points_in_ns_named_by_the_tree);
	tcase_add_test(tc, disk_and_memory_units_and_colours);
	tcase_add_test(tc, density_bins_are_numbers_in_ns_drawn_as_bars);
	tcase_add_test(tc, durations_as_trace_servers_write_them);
	tcase_add_test(tc, statistics_are_numbers_durations_in_ns);
	tcase_add_test(tc, segment_table_time_from_timestamp_ns);
	tcase_add_test(tc, resources_rows_are_named_by_their_parents);
	tcase_add_test(tc, critical_path_thread_and_density_bins_in_targets);
	tcase_add_test(tc, tsp_parameters_for_the_kernel_outputs);
	suite_add_tcase(s, tc);
	return s;
}
