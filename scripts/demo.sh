#!/bin/sh
# `make run`: starts tspsim (the bundled TSP simulator, standing in for a
# Trace Compass trace server) and tsp-bridge on loopback, shows the bridge
# answering, and keeps both running until Ctrl-C.
#   BRIDGE_PORT (default 8090), TSPSIM_PORT (default 0 = any free port),
#   DEMO_ONESHOT=1 to stop right after showing /health (used by the tests).
set -eu

B=${1:-build}
BRIDGE_PORT=${BRIDGE_PORT:-8090}
TSPSIM_PORT=${TSPSIM_PORT:-0}
dir=$(mktemp -d /tmp/tsp-bridge-demo.XXXXXX)
sim_pid= br_pid=

stop() {
	[ -n "$br_pid" ] && kill "$br_pid" 2>/dev/null && wait "$br_pid" 2>/dev/null || true
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 0' INT TERM

wait_port() { # $1 = port file, $2 = pid, $3 = name
	i=0
	while [ ! -s "$1" ]; do
		if ! kill -0 "$2" 2>/dev/null; then
			echo "demo: $3 exited during start-up; its log:" >&2
			cat "$dir/$3.log" >&2
			exit 1
		fi
		i=$((i + 1))
		[ $i -gt 500 ] && { echo "demo: $3 did not start" >&2; exit 1; }
		sleep 0.02
	done
	cat "$1"
}

"$B/tspsim" --port "$TSPSIM_PORT" --port-file "$dir/sim.port" --quiet 2>"$dir/tspsim.log" &
sim_pid=$!
sim_port=$(wait_port "$dir/sim.port" "$sim_pid" tspsim)
upstream="http://127.0.0.1:$sim_port/tsp/api"

"$B/tsp-bridge" --port "$BRIDGE_PORT" --port-file "$dir/bridge.port" --upstream "$upstream" \
	2>"$dir/tsp-bridge.log" &
br_pid=$!
br_port=$(wait_port "$dir/bridge.port" "$br_pid" tsp-bridge)
bridge="http://127.0.0.1:$br_port"

echo "tspsim     (TSP simulator) $upstream"
echo "tsp-bridge                 $bridge"
echo
echo "\$ curl -s $bridge/health"
curl -sS "$bridge/health"
echo
echo
echo "In Grafana, add a datasource pointing at $bridge"
echo "Try:  curl -s $upstream/experiments     (the simulator's experiments, straight from TSP)"

[ "${DEMO_ONESHOT:-0}" = 1 ] && exit 0
echo
echo "Running; Ctrl-C stops both. Logs: $dir/"
wait "$br_pid"
