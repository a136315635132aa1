#!/bin/sh
# One bridge in front of N tspsim instances on loopback (default 100): how long
# /health, the experiment list and a fan-out over every server take, cold and
# warm, with the fetch pool at several sizes, and with one server slow.
# Prints a markdown table (BENCHMARKS.md "Federation").
#   sh scripts/bench-fanout.sh [BUILD_DIR] [N] [LATENCY_MS]
# LATENCY_MS: each trace server takes that long per answer (default 0).
set -eu
B=${1:-build}
N=${2:-100}
LAT=${3:-0}
dir=$(mktemp -d /tmp/tsp-bridge-fanout.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT HUP INT PIPE TERM

wait_port() { # FILE
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "bench-fanout: no port in $1" >&2; exit 1; }
		sleep 0.05
	done
	cat "$1"
}

ups=""
i=1
while [ $i -le "$N" ]; do
	"$B/tspsim" --port 0 --port-file "$dir/s$i" --quiet --running-polls 0 --seed $i --latency-ms "$LAT" &
	PIDS="$PIDS $!"
	i=$((i + 1))
done
i=1
while [ $i -le "$N" ]; do
	ups="$ups${ups:+,}s$i=http://127.0.0.1:$(wait_port "$dir/s$i")/tsp/api"
	i=$((i + 1))
done
SLOW_PORT=$(cat "$dir/s1")

Q='{"range":{"from":1700000000000,"to":1700000010000},"maxDataPoints":400,"targets":[{"refId":"A","target":"kernel/CPU Usage/Total"}]}'
# time_of PORT METHOD PATH [BODY]: seconds of one request; fails on a non-200.
time_of() {
	out=$(curl -s -o "$dir/body" -w '%{http_code} %{time_total}' -X "$2" ${4:+-H 'Content-Type: application/json' -d "$4"} \
		"http://127.0.0.1:$1$3")
	[ "${out%% *}" = 200 ] || { echo "bench-fanout: $3 answered ${out%% *}: $(head -c 300 "$dir/body")" >&2; exit 1; }
	echo "${out#* }"
}
median5() { # PORT METHOD PATH [BODY]
	for k in 1 2 3 4 5; do time_of "$@"; done | sort -n | sed -n 3p
}
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }

# panels PORT: 16 panels fanning out at once for 5 s (wrk): "requests/s, p99 ms", or "-" without wrk.
panels() {
	command -v wrk >/dev/null 2>&1 || { echo "-"; return; }
	BENCH_BODY=$Q wrk -t1 -c16 -d5s --timeout 10s -s "$(dirname "$0")/../bench/wrk-post.lua" \
		"http://127.0.0.1:$1/query" | grep '^WRK_JSON ' | cut -c10- |
		node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
			const w = JSON.parse(s);
			if (w.non2xx || w.socket_errors) { console.log("errors"); return; }
			console.log(`${(w.requests / (w.duration_us / 1e6)).toFixed(0)} req/s, p99 ${(w.p99_us / 1e3).toFixed(0)} ms`);
		});'
}

echo '| `--fetch-threads`, `--fetch-loops` | /health | experiments(), cold | fan-out, cold | fan-out, warm catalog (median of 5) | 16 fan-outs at once (wrk, 5 s) | fan-out, one server 2 s slow (left out at `--upstream-timeout 1000`) |'
echo "|---:|---:|---:|---:|---:|---:|---:|"
# threads:loops. Loops 0: a thread per request (the pool); 2: fibers on two event loops.
for cfg in ${BENCH_FANOUT_CFGS:-0:0 16:0 64:0 64:2}; do
	ft=${cfg%:*}
	fl=${cfg#*:}
	rm -f "$dir/br"
	TSPB_UPSTREAMS=$ups "$B/tsp-bridge" --port 0 --port-file "$dir/br" --log-level error --cache-mb 0 \
		--fetch-threads $ft --fetch-loops $fl &
	br=$!
	PIDS="$PIDS $br"
	bp=$(wait_port "$dir/br")
	h=$(time_of "$bp" GET /health)
	e=$(time_of "$bp" POST /variable '{"payload":{"target":"experiments()"}}')
	frames=$(curl -s -X POST -H 'Content-Type: application/json' -d "$Q" "http://127.0.0.1:$bp/query" | grep -o '"target":' | wc -l)
	[ "$frames" -eq "$N" ] || { echo "bench-fanout: $frames series, not $N" >&2; exit 1; }
	kill "$br"; wait "$br" 2>/dev/null || true
	# Cold: a new bridge, nothing in its catalogs; a server slower than 1 s is left out.
	rm -f "$dir/br"
	TSPB_UPSTREAMS=$ups "$B/tsp-bridge" --port 0 --port-file "$dir/br" --log-level error --cache-mb 0 \
		--fetch-threads $ft --fetch-loops $fl --upstream-timeout 1000 &
	br=$!
	PIDS="$PIDS $br"
	bp=$(wait_port "$dir/br")
	c=$(time_of "$bp" POST /query "$Q")
	w=$(median5 "$bp" POST /query "$Q")
	p=$(panels "$bp")
	curl -s -X POST -d '{"latency_ms":2000}' "http://127.0.0.1:$SLOW_PORT/_sim/faults" >/dev/null
	s=$(time_of "$bp" POST /query "$Q")
	grep -q 'trace server s1' "$dir/body" 2>/dev/null || grep -q 's1:kernel/CPU Usage left out' "$dir/body" ||
		{ echo "bench-fanout: the slow server was not left out: $(head -c 300 "$dir/body")" >&2; exit 1; }
	curl -s -X POST -d "{\"latency_ms\":$LAT}" "http://127.0.0.1:$SLOW_PORT/_sim/faults" >/dev/null
	kill "$br"; wait "$br" 2>/dev/null || true
	echo "| $ft, $fl | $(ms "$h") ms | $(ms "$e") ms | $(ms "$c") ms | $(ms "$w") ms | $p | $(ms "$s") ms |"
done
echo
echo "$N tspsim instances (RSS ~6 MiB each) answering after $LAT ms, one bridge \`--cache-mb 0\`, a 400-point CPU Usage total from every server."
