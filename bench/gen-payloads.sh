#!/bin/sh
# Writes the TSP answers the translation benchmarks read (bench-translate and
# bench/node/side-by-side.mjs), fetched from tspsim exactly as it sends them:
#
#   xy.json             POST .../XY/{CPU Usage}/xy: 100 thread series x 2000 points
#   tg-tree.json        POST .../timeGraph/{Thread Status}/tree: 5000 threads
#   tg-states.json      POST .../timeGraph/{Thread Status}/states: 5000 rows x ~50 states
#   tg-arrows.json      POST .../timeGraph/{Thread Status}/arrows: every arrow, ~50k
#   table-columns.json  POST .../table/{Events Table}/columns
#   table-lines.json    POST .../table/{Events Table}/lines: lines 0..9999
#
# Usage: bench/gen-payloads.sh DIR [TSPSIM_BINARY]   (default build/tspsim)
# Needs curl and node (JSON is only inspected with node, never rewritten).
# Prints one line per file (bytes, counts) and fails if a count is off.
set -eu

DIR=${1:?usage: bench/gen-payloads.sh DIR [TSPSIM_BINARY]}
SIM=${2:-build/tspsim}

# The workload: 5000 threads on 8 CPUs, ~370k events over 10 s. With
# nbTimes 65536 over the whole trace a thread row has ~52 states on
# average, and the trace has ~50k arrows (wake-ups and CPU hand-offs).
THREADS=5000
CPUS=8
EVENTS=370000
XY_SERIES=100
XY_POINTS=2000
STATE_ROWS=5000
STATE_TIMES=65536
TABLE_LINES=10000

CPU_USAGE="CPU Usage"
THREAD_STATUS="Thread Status"
EVENTS_TABLE="Events Table"

say() { printf 'gen-payloads: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$SIM" ] || die "$SIM is not an executable tspsim (build it first: make)"
command -v curl >/dev/null 2>&1 || die "curl is missing"
command -v node >/dev/null 2>&1 || die "node is missing"

mkdir -p "$DIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gen-payloads.XXXXXX")
SIM_PID=""
cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --running-polls 0: every data request answers COMPLETED at once.
"$SIM" --port 0 --port-file "$TMP/port" --quiet --running-polls 0 \
	--threads "$THREADS" --cpus "$CPUS" --events "$EVENTS" >"$TMP/tspsim.log" 2>&1 &
SIM_PID=$!
i=0
while [ ! -s "$TMP/port" ]; do
	i=$((i + 1))
	kill -0 "$SIM_PID" 2>/dev/null || die "tspsim exited: $(cat "$TMP/tspsim.log")"
	[ $i -gt 600 ] && die "tspsim did not start within 30 s"
	sleep 0.05
done
TSP="http://127.0.0.1:$(cat "$TMP/port")/tsp/api"
say "tspsim (pid $SIM_PID) at $TSP: --threads $THREADS --cpus $CPUS --events $EVENTS"

# fetch OUT URL [BODY]: GET (no body) or POST (JSON body) to OUT, HTTP 200 only.
fetch() {
	if [ $# -ge 3 ]; then
		code=$(curl -sS -o "$1" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
			--data-binary "$3" "$2") || die "POST $2 failed"
	else
		code=$(curl -sS -o "$1" -w '%{http_code}' "$2") || die "GET $2 failed"
	fi
	[ "$code" = 200 ] || die "$2 answered HTTP $code: $(head -c 300 "$1")"
}

# js FILE CODE [ARGS...]: runs CODE with `t` = FILE's text, `j` = FILE's JSON with
# every integer of 16+ digits kept exact as a string, and `a` = ARGS; prints what
# CODE returns (arrays joined by spaces); a thrown Error fails the script.
js() {
	f=$1
	code=$2
	shift 2
	node -e '
const fs = require("fs");
const [file, code, ...a] = process.argv.slice(1);
const t = fs.readFileSync(file, "utf8");
const j = JSON.parse(t.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, "$1\"$2\""));
try {
	const r = new Function("t", "j", "a", code)(t, j, a);
	if (r !== undefined) console.log(Array.isArray(r) ? r.join(" ") : String(r));
} catch (e) {
	console.error("gen-payloads: " + file + ": " + e.message);
	process.exit(1);
}' "$f" "$code" "$@" || exit 1
}

# --- experiment and outputs ---
fetch "$TMP/experiments.json" "$TSP/experiments"
EXP_INFO=$(js "$TMP/experiments.json" '
const e = j.find((x) => x.name === "kernel");
if (!e) throw new Error("no experiment named kernel");
return [e.UUID, e.start, e.end];')
set -- $EXP_INFO
EXP=$1
START=$2
END=$3
fetch "$TMP/outputs.json" "$TSP/experiments/$EXP/outputs"
output_id() {
	js "$TMP/outputs.json" '
const o = j.find((x) => x.name === a[0]);
if (!o) throw new Error("no output named " + a[0]);
return o.id;' "$1"
}
XY_ID=$(output_id "$CPU_USAGE")
TG_ID=$(output_id "$THREAD_STATUS")
TABLE_ID=$(output_id "$EVENTS_TABLE")
BASE="$TSP/experiments/$EXP/outputs"
RANGE="\"requested_timerange\":{\"start\":$START,\"end\":$END"

# --- XY: the first 100 thread entries (children of the root, not "Total") ---
fetch "$TMP/xy-tree.json" "$BASE/XY/$XY_ID/tree" '{"parameters":{}}'
XY_ITEMS=$(js "$TMP/xy-tree.json" '
const es = j.model.entries;
const roots = new Set(es.filter((e) => e.parentId === -1).map((e) => e.id));
const ids = es.filter((e) => roots.has(e.parentId) && e.hasData && e.labels[0] !== "Total")
	.map((e) => e.id).slice(0, +a[0]);
if (ids.length < +a[0]) throw new Error("only " + ids.length + " thread entries");
return ids.join(",");' "$XY_SERIES")
fetch "$DIR/xy.json" "$BASE/XY/$XY_ID/xy" \
	"{\"parameters\":{$RANGE,\"nbTimes\":$XY_POINTS},\"requested_items\":[$XY_ITEMS]}}"

# --- time graph: tree, states of 5000 rows over the whole trace, all arrows ---
fetch "$DIR/tg-tree.json" "$BASE/timeGraph/$TG_ID/tree" '{"parameters":{}}'
TG_ITEMS=$(js "$DIR/tg-tree.json" '
const ids = j.model.entries.filter((e) => e.hasData).map((e) => e.id).slice(0, +a[0]);
if (ids.length < +a[0]) throw new Error("only " + ids.length + " rows with data");
return ids.join(",");' "$STATE_ROWS")
fetch "$DIR/tg-states.json" "$BASE/timeGraph/$TG_ID/states" \
	"{\"parameters\":{$RANGE,\"nbTimes\":$STATE_TIMES},\"requested_items\":[$TG_ITEMS]}}"
fetch "$DIR/tg-arrows.json" "$BASE/timeGraph/$TG_ID/arrows" \
	"{\"parameters\":{$RANGE,\"nbTimes\":$STATE_TIMES}}}"

# --- events table: columns, lines 0..9999 ---
fetch "$DIR/table-columns.json" "$BASE/table/$TABLE_ID/columns" '{"parameters":{}}'
fetch "$DIR/table-lines.json" "$BASE/table/$TABLE_ID/lines" \
	"{\"parameters\":{\"requested_table_index\":0,\"requested_table_count\":$TABLE_LINES}}"

# --- checks: complete answers of the expected sizes; one line per file ---
check() {
	file=$1
	code=$2
	shift 2
	line=$(js "$DIR/$file" '
if (j.status !== "COMPLETED") throw new Error("status " + j.status + ", not COMPLETED");
if (j.model == null) throw new Error("no model");
const what = new Function("m", "a", a[0])(j.model, a.slice(1));
return `${Buffer.byteLength(t)} bytes, ${what}`;' "$code" "$@")
	printf '%-19s %s\n' "$file" "$line"
}
check xy.json '
const s = m.series;
if (s.length !== +a[0]) throw new Error(s.length + " series, not " + a[0]);
for (const x of s)
	if (x.xValues.length !== +a[1] || x.yValues.length !== +a[1])
		throw new Error("series " + x.seriesName + ": " + x.xValues.length + " points, not " + a[1]);
return `${s.length} series x ${a[1]} points = ${s.length * a[1]} points`;' "$XY_SERIES" "$XY_POINTS"
check tg-tree.json '
return `${m.entries.length} entries, ${m.entries.filter((e) => e.hasData).length} with data`;'
check tg-states.json '
const n = m.rows.reduce((k, r) => k + r.states.length, 0), avg = n / m.rows.length;
if (m.rows.length !== +a[0]) throw new Error(m.rows.length + " rows, not " + a[0]);
if (avg < 40 || avg > 65) throw new Error(avg.toFixed(1) + " states per row, not ~50");
return `${m.rows.length} rows, ${n} states (${avg.toFixed(1)} per row)`;' "$STATE_ROWS"
check tg-arrows.json '
if (m.length < 40000 || m.length > 65000) throw new Error(m.length + " arrows, not ~50k");
return `${m.length} arrows`;'
check table-columns.json '
return `${m.length} columns: ${m.map((c) => c.name + " (" + c.type + ")").join(", ")}`;'
check table-lines.json '
if (m.lines.length !== +a[0]) throw new Error(m.lines.length + " lines, not " + a[0]);
for (const l of m.lines)
	if (l.cells.length !== m.columnIds.length) throw new Error("line " + l.index + ": " + l.cells.length + " cells");
return `${m.lines.length} lines x ${m.columnIds.length} cells (of ${m.size} events)`;' "$TABLE_LINES"
say "payloads in $DIR"
