#!/bin/sh
# One timed request per view against tspsim with a large workload, through
# the bridge and (for comparison) straight from tspsim. Figures: BENCHMARKS.md.
#   sh scripts/bench-query.sh [build-dir]
set -eu
B=${1:-build}
dir=$(mktemp -d /tmp/tsp-bridge-bench.XXXXXX)
trap 'kill $sim $br 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
"$B/tspsim" --port 0 --port-file "$dir/sim" --quiet --running-polls 0 --threads 2000 --events 1000000 &
sim=$!
while [ ! -s "$dir/sim" ]; do sleep 0.1; done
sp=$(cat "$dir/sim")
"$B/tsp-bridge" --port 0 --port-file "$dir/br" --upstream "http://127.0.0.1:$sp/tsp/api" --log-level warn &
br=$!
while [ ! -s "$dir/br" ]; do sleep 0.1; done
bp=$(cat "$dir/br")
R='"range":{"from":"2023-11-14T22:13:20.500Z","to":"2023-11-14T22:13:30.501Z"}'
for t in 'kernel/CPU Usage/*' 'kernel/Thread Status?limit=1000000' \
	 'kernel/Thread Status?view=timeline&limit=2000' 'kernel/Events Table?limit=100000'; do
	curl -s -o /dev/null -w "bridge  $t: %{http_code} %{size_download} bytes %{time_total} s\n" \
		-H 'Content-Type: application/json' "http://127.0.0.1:$bp/query" \
		-d "{$R,\"maxDataPoints\":1000,\"targets\":[{\"target\":\"$t\",\"refId\":\"A\",\"type\":\"table\"}]}"
done
exp=$(curl -s "http://127.0.0.1:$sp/tsp/api/experiments" | grep -o '"UUID":"[^"]*"' | head -n 1 | cut -d'"' -f4)
ids=$(seq -s, 0 2100)
curl -s -o /dev/null -w "tspsim  XY of every thread: %{size_download} bytes %{time_total} s\n" \
	-H 'Content-Type: application/json' \
	"http://127.0.0.1:$sp/tsp/api/experiments/$exp/outputs/XY/org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider/xy" \
	-d "{\"parameters\":{\"requested_timerange\":{\"start\":1700000000500000000,\"end\":1700000010501000000,\"nbTimes\":1000},\"requested_items\":[$ids]}}"
