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
cat <<EOT
In Grafana 12/13, add a datasource pointing at $bridge:
  TSP bridge (tsp-bridge-datasource)       make grafana-plugin, then README "Grafana" to install it
  Infinity (yesoreyeram-infinity-datasource) URLs: $bridge/flat?experiment=kernel&output=CPU%20Usage&from=\${__from}&to=\${__to}
Dashboards to import: dashboards/*.json (Infinity: dashboards/infinity/). The trace is at 2023-11-14 22:13:20..31 UTC.

Try:
  curl -s -XPOST $bridge/search -d '{"target":""}'
  curl -s -XPOST $bridge/query -d '{"range":{"from":"2023-11-14T22:13:20Z","to":"2023-11-14T22:13:31Z"},"maxDataPoints":5,"targets":[{"target":"kernel/CPU Usage","refId":"A","type":"timeserie"}]}'
  curl -s '$bridge/flat?experiment=kernel&output=CPU%20Usage&from=1700000000000&to=1700000010000&points=5'
  curl -s '$bridge/timeline/links?experiment=kernel&output=Thread%20Status&from=1700000000000&to=1700000001000'
  curl -s $upstream/experiments     (the simulator's experiments, straight from TSP)
EOT

[ "${DEMO_ONESHOT:-0}" = 1 ] && exit 0
echo
echo "Running; Ctrl-C stops both. Logs: $dir/"
wait "$br_pid"
