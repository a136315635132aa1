#!/bin/sh
# Peak memory (VmHWM) of tsp-bridge under two hostile requests, each against
# a fresh bridge and tspsim on loopback:
#   targets  one /query of 2,000 targets "kernel/CPU Usage/*" (a ~110 KB body)
#   junk     one /query "kernel/CPU Usage" whose every upstream answer carries
#            JUNK_MB MiB of numbers the bridge never reads (tspsim --junk-kb)
#
#   sh scripts/bench-memory.sh [BUILD_DIR]
#
# BRIDGE=path measures another bridge binary (an older build, to compare);
# tspsim always comes from BUILD_DIR. Prints one line per case: HTTP status,
# seconds, peak RSS in MiB.
set -eu

B=${1:-build}
BRIDGE=${BRIDGE:-$B/tsp-bridge}
TSPSIM=$B/tspsim
JUNK_MB=${JUNK_MB:-50}
TMP=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT INT TERM

wait_port() {   # file -> port, once written
	i=0
	while [ ! -s "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	cat "$1"
}

peak_mib() {
	awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

# run NAME BODYFILE [tspsim args...]: one POST /query, then the bridge's peak.
run() {
	name=$1 body=$2
	shift 2
	rm -f "$TMP/sim.port" "$TMP/br.port"
	"$TSPSIM" --quiet --port 0 --port-file "$TMP/sim.port" --running-polls 0 "$@" &
	sim=$!
	PIDS="$PIDS $sim"
	sp=$(wait_port "$TMP/sim.port")
	"$BRIDGE" --port 0 --port-file "$TMP/br.port" --log-level error \
		--upstream "http://127.0.0.1:$sp/tsp/api" &
	br=$!
	PIDS="$PIDS $br"
	bp=$(wait_port "$TMP/br.port")
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
		--data-binary "@$body" "http://127.0.0.1:$bp/query")
	printf '%-8s HTTP %s s, peak RSS %s MiB\n' "$name" "$out" "$(peak_mib "$br")"
	kill "$br" "$sim"
	wait "$br" "$sim" 2>/dev/null || true
}

range='"range":{"from":1700000000500,"to":1700000010500},"maxDataPoints":1000'
{
	printf '{%s,"targets":[' "$range"
	i=0
	while [ $i -lt 2000 ]; do
		[ $i -gt 0 ] && printf ','
		printf '{"refId":"T%d","target":"kernel/CPU Usage/*","payload":{}}' $i
		i=$((i + 1))
	done
	printf ']}'
} > "$TMP/targets.json"
printf '{%s,"targets":[{"refId":"A","target":"kernel/CPU Usage","payload":{}}]}' "$range" > "$TMP/one.json"

echo "bridge: $BRIDGE"
run targets "$TMP/targets.json"
run junk "$TMP/one.json" --junk-kb $((JUNK_MB * 1024))
