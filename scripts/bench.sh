#!/bin/sh
# `make bench`: every benchmark of BENCHMARKS.md in one bounded run, on loopback,
# against tspsim. Usage: scripts/bench.sh BUILD_DIR
#   BENCH_SECONDS       seconds per wrk run and per translation case (default 5)
#   BENCH_LONG_SECONDS  length of the memory run (default 60)
#   BENCH_SKIP_NODE=1   skip the TypeScript client / JSONata side-by-side
# Results: BUILD_DIR/bench/report.md (also printed), raw numbers next to it.
set -eu

B=${1:-build}
T=${BENCH_SECONDS:-5}
LONG=${BENCH_LONG_SECONDS:-60}
OUT=$B/bench
ROOT=$(pwd)
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/wrk.jsonl "$OUT"/report.md
PIDS=""

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing wrk"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; } ||
			die "cannot install wrk"
	else
		die "wrk is missing: apt-get install wrk"
	fi
fi
command -v node >/dev/null 2>&1 || die "node is missing (scripts/deps.sh installs it)"

# start NAME BINARY ARGS...: starts a server on a free port; sets PORT and PID.
start() {
	name=$1; shift
	rm -f "$OUT/$name.port"
	"$@" --port 0 --port-file "$OUT/$name.port" >"$OUT/$name.log" 2>&1 &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	while [ ! -s "$OUT/$name.port" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "$name did not start: $(cat "$OUT/$name.log")"
		sleep 0.05
	done
	PORT=$(cat "$OUT/$name.port")
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# wrk_run NAME CONNS URL [HEADER]: one bounded wrk run of BENCH_BODY, appended to wrk.jsonl.
# One wrk thread: on a 2-core machine the load generator keeps one core, the servers the other.
wrk_run() {
	line=$(${WRK_PIN:-} wrk -t1 -c"$2" -d"${T}s" --timeout 10s ${4:+-H "$4"} -s "$ROOT/bench/wrk-post.lua" "$3" | grep '^WRK_JSON ' | cut -c10-)
	[ -n "$line" ] || die "wrk gave no result for $1"
	printf '{"name":"%s","conns":%s,"wrk":%s}\n' "$1" "$2" "$line" >>"$OUT/wrk.jsonl"
	log "$1 c=$2: $line"
}

# --- 1. translation: TSP text -> model -> Grafana frames, no network ---
log "payloads (XY 100x2000, time graph 5000 rows x 50 states + arrows, 10k table lines)"
sh bench/gen-payloads.sh "$OUT/payloads" "$B/tspsim" >"$OUT/payloads.log" 2>&1 ||
	die "gen-payloads failed: $(tail -5 "$OUT/payloads.log")"
log "translation, $T s per case"
"$B/bench-translate" "$OUT/payloads" --seconds "$T" --json "$OUT/translate.json" >"$OUT/translate.txt"
cat "$OUT/translate.txt" >&2
if [ "${BENCH_SKIP_NODE:-}" != 1 ]; then
	log "TypeScript client and JSONata on the same payloads"
	if [ ! -f bench/node/node_modules/.ok ]; then
		(cd bench/node && npm ci --no-audit --no-fund --loglevel=error) >&2 && touch bench/node/node_modules/.ok
	fi
	node bench/node/side-by-side.mjs "$OUT/payloads" --seconds "$T" --json "$OUT/node.json" >"$OUT/node.txt"
	cat "$OUT/node.txt" >&2
fi

# --- 2. /query under wrk: a 10k-point panel (5 series x 2000 points) ---
start tspsim "$B/tspsim" --quiet --running-polls 0 --threads 4
SIM_PORT=$PORT
SIM_PID=$PID
TSP=http://127.0.0.1:$SIM_PORT/tsp/api
FROM_MS=1700000000500
TO_MS=1700000010500
QUERY='{"range":{"from":__FROM__,"to":'$TO_MS'},"maxDataPoints":2000,"targets":[{"refId":"A","target":"kernel/CPU Usage/*","payload":{}}]}'
FIXED=$(printf '%s' "$QUERY" | sed "s/__FROM__/$FROM_MS/")
# A common panel: the CPU total as one 400-point line.
SMALL='{"range":{"from":'$FROM_MS',"to":'$TO_MS'},"maxDataPoints":400,"targets":[{"refId":"A","target":"kernel/CPU Usage/Total","payload":{}}]}'


# The same question asked of tspsim directly, for the bridge's added latency.
DIRECT=$(node -e '
const [tsp, from, to] = process.argv.slice(1);
const j = async (u, b) => (await fetch(u, b ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(b) } : {})).json();
(async () => {
	const exp = (await j(tsp + "/experiments")).find(e => e.name === "kernel");
	const out = (await j(tsp + "/experiments/" + exp.UUID + "/outputs")).find(o => o.name === "CPU Usage");
	const base = tsp + "/experiments/" + exp.UUID + "/outputs/XY/" + out.id;
	const tree = await j(base + "/tree", { parameters: {} });
	const ids = tree.model.entries.map(e => e.id);
	const body = { parameters: { requested_timerange: { start: from + "000000", end: to + "000000", nbTimes: 2000 }, requested_items: ids } };
	/* The entry the bridge asks for when a target names "Total". */
	const total = tree.model.entries.find(e => e.labels[0] === "Total").id;
	console.log(total + " " + base + "/xy " + JSON.stringify(body).replace(/"(\d{16,})"/g, "$1"));
})();' "$TSP" "$FROM_MS" "$TO_MS")
TOTAL_ID=${DIRECT%% *}
DIRECT=${DIRECT#* }
DIRECT_URL=${DIRECT%% *}
DIRECT_BODY=${DIRECT#* }

start bridge-cached "$B/tsp-bridge" --upstream "$TSP" --log-level warn --max-connections 1024
CACHED_PORT=$PORT
CACHED_PID=$PID
POINTS=$(curl -s -XPOST -H 'Content-Type: application/json' -d "$FIXED" "http://127.0.0.1:$CACHED_PORT/query" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const f=JSON.parse(s);console.log(f.length+" "+f.reduce((n,x)=>n+x.fields[0].values.length,0))})')
log "panel: $POINTS (series, points)"
start bridge-uncached "$B/tsp-bridge" --upstream "$TSP" --log-level warn --max-connections 1024 --cache-mb 0
UNCACHED_PORT=$PORT
UNCACHED_PID=$PID

# wrk's Lua reads these.
export BENCH_BODY
for c in 1 64 512; do
	BENCH_BODY=$DIRECT_BODY
	wrk_run direct-tsp "$c" "$DIRECT_URL"
	BENCH_BODY=$FIXED
	wrk_run bridge-uncached "$c" "http://127.0.0.1:$UNCACHED_PORT/query"
	wrk_run bridge-cached "$c" "http://127.0.0.1:$CACHED_PORT/query"
	wrk_run bridge-cached-gzip "$c" "http://127.0.0.1:$CACHED_PORT/query" "Accept-Encoding: gzip"
	BENCH_BODY=$SMALL
	wrk_run bridge-cached-400pt "$c" "http://127.0.0.1:$CACHED_PORT/query"
done
printf '{"cached_hwm_kb":%s,"cached_rss_kb":%s,"uncached_hwm_kb":%s,"uncached_rss_kb":%s,"panel":"%s"}\n' \
	"$(rss_kb $CACHED_PID VmHWM)" "$(rss_kb $CACHED_PID VmRSS)" \
	"$(rss_kb $UNCACHED_PID VmHWM)" "$(rss_kb $UNCACHED_PID VmRSS)" "$POINTS" >"$OUT/rss.json"
stop "$CACHED_PID"
stop "$UNCACHED_PID"

# --- 3. memory over a long run: every request a new question, a 16 MiB cache ---
log "memory run: $LONG s, 64 connections, 9000 distinct queries, --cache-mb 16"
start bridge-long "$B/tsp-bridge" --upstream "$TSP" --log-level warn --cache-mb 16
LONG_PORT=$PORT
LONG_PID=$PID
: >"$OUT/rss-long.txt"
(
	while kill -0 "$LONG_PID" 2>/dev/null; do
		rss_kb "$LONG_PID" VmRSS >>"$OUT/rss-long.txt" 2>/dev/null || true
		sleep 1
	done
) &
SAMPLER=$!
PIDS="$PIDS $SAMPLER"
BENCH_BODY=$QUERY
# from stays before the range's end: 9000 distinct ranges, all valid.
export BENCH_VARY="$FROM_MS" BENCH_KEYS=9000
T_RUN=$T
T=$LONG
wrk_run bridge-long 64 "http://127.0.0.1:$LONG_PORT/query"
T=$T_RUN
unset BENCH_VARY
curl -s "http://127.0.0.1:$LONG_PORT/health" >"$OUT/health-long.json"
stop "$LONG_PID"
stop "$SAMPLER"
stop "$SIM_PID"

node bench/report.mjs "$OUT" "make bench BENCH_SECONDS=$T BENCH_LONG_SECONDS=$LONG" >"$OUT/report.md"

# --- 4. a trace server that takes time: uncached concurrency, side by side ---
# A real trace server computes for a while per request (tspsim --latency-ms 20
# stands for it): the bridge's own work must then hide behind it.
log "uncached, trace server at 20 ms per answer, 64 connections"
start tspsim-slow "$B/tspsim" --quiet --running-polls 0 --threads 4 --latency-ms 20
SLOW_TSP=http://127.0.0.1:$PORT/tsp/api
SLOW_PID=$PID
SLOW_DIRECT=$(printf '%s' "$DIRECT_URL" | sed "s#http://127.0.0.1:$SIM_PORT/tsp/api#$SLOW_TSP#")
# The bridge's own upstream request for SMALL: the Total entry, 400 points.
DIRECT400=$(printf '%s' "$DIRECT_BODY" | sed 's/"nbTimes":2000/"nbTimes":400/; s/"requested_items":\[[^]]*\]/"requested_items":['"$TOTAL_ID"']/')
# Same work as the bridge's upstream call, or the comparison means nothing.
n=$(curl -s -XPOST -H 'Content-Type: application/json' -d "$DIRECT400" "$SLOW_DIRECT" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s).model;console.log(m.series.length?m.series[0].xValues.length:0)})')
[ "$n" = 400 ] || die "the trace server's own request got $n points, not the bridge's 400"
BENCH_BODY=$DIRECT400
wrk_run slow-direct-tsp 64 "$SLOW_DIRECT"
# --fetch-threads 0: handlers on the 4 HTTP threads (each waits out its trace
# server call); --fetch-loops 0: a pool of 64 threads, one per request; the
# default: fibers on 2 event loops. Connections are suspended meanwhile.
for mode in fetch-threads-0:"--fetch-threads 0" fetch-loops-0:"--fetch-loops 0" default:""; do
	# shellcheck disable=SC2086
	start "bridge-slow-${mode%%:*}" "$B/tsp-bridge" --upstream "$SLOW_TSP" --log-level warn --max-connections 1024 \
		--cache-mb 0 ${mode#*:}
	BENCH_BODY=$SMALL
	curl -s -o /dev/null -XPOST -H 'Content-Type: application/json' -d "$SMALL" "http://127.0.0.1:$PORT/query"
	wrk_run "slow-bridge-${mode%%:*}" 64 "http://127.0.0.1:$PORT/query"
	stop "$PID"
done
# For scale: a plain HTTP proxy (haproxy: no parsing, no translation) in front
# of the same trace server, on the same cores: what any hop adds here.
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ -x "$HAPROXY" ]; then
	HP_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
	SLOW_HOSTPORT=${SLOW_TSP#http://}
	SLOW_HOSTPORT=${SLOW_HOSTPORT%%/*}
	printf 'global\n  nbthread 2\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\nfrontend f\n  bind 127.0.0.1:%s\n  default_backend b\nbackend b\n  http-reuse always\n  server s1 %s\n' \
		"$HP_PORT" "$SLOW_HOSTPORT" >"$OUT/haproxy.cfg"
	"$HAPROXY" -f "$OUT/haproxy.cfg" -db >"$OUT/haproxy.log" 2>&1 &
	HP_PID=$!
	PIDS="$PIDS $HP_PID"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$HP_PORT/tsp/api/health"; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "haproxy did not start: $(cat "$OUT/haproxy.log")"
		sleep 0.05
	done
	BENCH_BODY=$DIRECT400
	wrk_run slow-haproxy-plain-proxy 64 "$(printf '%s' "$SLOW_DIRECT" | sed "s#$SLOW_HOSTPORT#127.0.0.1:$HP_PORT#")"
	stop "$HP_PID"
fi
# The bridge on a core of its own, the trace server and wrk on the other: as
# deployed, where the trace server has its own machine.
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	stop "$SLOW_PID"
	start tspsim-slow-pinned taskset -c 1 "$B/tspsim" --quiet --running-polls 0 --threads 4 --latency-ms 20
	SLOW_TSP=http://127.0.0.1:$PORT/tsp/api
	SLOW_PID=$PID
	SLOW_DIRECT=$(printf '%s' "$DIRECT_URL" | sed "s#http://127.0.0.1:$SIM_PORT/tsp/api#$SLOW_TSP#")
	WRK_PIN="taskset -c 1"
	BENCH_BODY=$DIRECT400
	wrk_run slow-direct-tsp-pinned 64 "$SLOW_DIRECT"
	for mode in fetch-loops-0:"--fetch-loops 0" default:""; do
		# shellcheck disable=SC2086
		start bridge-slow-pinned taskset -c 0 "$B/tsp-bridge" --upstream "$SLOW_TSP" --log-level warn \
			--max-connections 1024 --cache-mb 0 ${mode#*:}
		BENCH_BODY=$SMALL
		curl -s -o /dev/null -XPOST -H 'Content-Type: application/json' -d "$SMALL" "http://127.0.0.1:$PORT/query"
		wrk_run "slow-bridge-own-core-${mode%%:*}" 64 "http://127.0.0.1:$PORT/query"
		stop "$PID"
	done
	WRK_PIN=""
fi
stop "$SLOW_PID"
grep '"slow-' "$OUT/wrk.jsonl" | node -e '
let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
	const rows = s.trim().split("\n").map(l => JSON.parse(l));
	const direct = n => rows.find(r => r.name === n);
	const rps = r => r.wrk.requests / (r.wrk.duration_us / 1e6);
	console.log("\n### Uncached, trace server at 20 ms per answer (64 connections, 400-point panel)\n");
	console.log("| served by | requests/s | of the trace server | p50 ms | p99 ms | added p99 ms |\n|---|---:|---:|---:|---:|---:|");
	for (const r of rows) {
		/* Each against the trace server run on the same cores. */
		const d = direct(/pinned|own-core/.test(r.name) ? "slow-direct-tsp-pinned" : "slow-direct-tsp");
		console.log(`| ${r.name} | ${rps(r).toFixed(0)} | ${(100 * rps(r) / rps(d)).toFixed(1)} % | ${(r.wrk.p50_us / 1e3).toFixed(2)} | ${(r.wrk.p99_us / 1e3).toFixed(2)} | ${((r.wrk.p99_us - d.wrk.p99_us) / 1e3).toFixed(2)} |`);
	}
});' >"$OUT/slow.md"

# --- 5. one bridge, 100 trace servers ---
log "fan-out over 100 tspsim instances"
{ printf '\n### One bridge, 100 trace servers (scripts/bench-fanout.sh)\n\n'; sh scripts/bench-fanout.sh "$B" 100 0
  printf '\n'; sh scripts/bench-fanout.sh "$B" 100 20; } >"$OUT/fanout.md"
cat "$OUT/slow.md" "$OUT/fanout.md" >>"$OUT/report.md"

# The Kernel view panel in chromium on tspsim's large workload: first paint
# and redraw on zoom (grafana/plugin/tests/bench-kernelview.ts).
log "kernel view panel in chromium (5000 threads, 2M events)"
if (cd grafana/plugin && node build.mjs --tests >&2 &&
    TSPB_BRIDGE="$ROOT/$B/tsp-bridge" TSPB_TSPSIM="$ROOT/$B/tspsim" node dist-test/bench-kernelview.cjs) >"$OUT/kernelview.json"; then
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		console.log(`\n### Kernel view panel (chromium)\n\n${j.counts.rows} rows, ${j.counts.states} states, ${j.counts.links} links (tspsim ${j.workload}, nbTimes ${j.points}), median of ${j.runs}:\n\n| first paint | draw | redraw on zoom |\n|---|---|---|\n| ${j.first_paint_ms_median} ms | ${j.draw_ms_median} ms | ${j.zoom_redraw_ms_median} ms |`)' \
		"$OUT/kernelview.json" >>"$OUT/report.md"
else
	log "kernel view benchmark failed (needs make grafana-plugin and chromium)"
fi
cat "$OUT/report.md"
