#!/bin/sh
# One cached /query (a 400-point panel) under wrk: one bridge asked
# directly, then two bridges behind haproxy (the directives of
# docker/haproxy.cfg, on loopback). Figures: BENCHMARKS.md "Replicas".
#   sh scripts/bench-replicas.sh [build-dir]     (BENCH_SECONDS, BENCH_CONNS)
set -eu
B=${1:-build}
T=${BENCH_SECONDS:-10}
C=${BENCH_CONNS:-64}
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$HAPROXY" ] || { echo "haproxy is missing: apt-get install haproxy" >&2; exit 1; }
dir=$(mktemp -d /tmp/tsp-bridge-bench.XXXXXX)
pids=""
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

# start NAME BINARY ARGS...: a server on a free port; sets PORT.
start() {
	name=$1; shift
	"$@" --port 0 --port-file "$dir/$name.port" >"$dir/$name.log" 2>&1 &
	pids="$pids $!"
	while [ ! -s "$dir/$name.port" ]; do sleep 0.05; done
	PORT=$(cat "$dir/$name.port")
}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start sim "$B/tspsim" --quiet --running-polls 0
up=http://127.0.0.1:$PORT/tsp/api
start b1 "$B/tsp-bridge" --upstream "$up" --log-level warn
p1=$PORT
start b2 "$B/tsp-bridge" --upstream "$up" --log-level warn
p2=$PORT
lb=$(free_port)
cat >"$dir/haproxy.cfg" <<EOF
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 3s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
frontend grafana
    bind 127.0.0.1:$lb
    default_backend bridges
backend bridges
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 2s fall 2 rise 2 maxconn 100
    server bridge-1 127.0.0.1:$p1 check
    server bridge-2 127.0.0.1:$p2 check
EOF
"$HAPROXY" -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
pids="$pids $!"
until curl -fs -o /dev/null "http://127.0.0.1:$lb/health"; do sleep 0.05; done

export BENCH_BODY='{"range":{"from":1700000000500,"to":1700000010500},"maxDataPoints":400,"targets":[{"refId":"A","target":"kernel/CPU Usage/Total","payload":{}}]}'
for u in "http://127.0.0.1:$p1/query" "http://127.0.0.1:$p2/query"; do
	curl -fs -o /dev/null -H 'Content-Type: application/json' -d "$BENCH_BODY" "$u"   # fills both caches
done
for run in "1 bridge, direct:http://127.0.0.1:$p1/query" "2 bridges behind haproxy:http://127.0.0.1:$lb/query"; do
	name=${run%%:http*}
	url=${run#"$name":}
	printf '%s, %s connections, %s s: ' "$name" "$C" "$T"
	wrk -t1 -c"$C" -d"${T}s" --timeout 10s -s bench/wrk-post.lua "$url" | grep '^WRK_JSON ' | cut -c10- |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const w=JSON.parse(s);
			console.log(`${Math.round(w.requests/(w.duration_us/1e6))} req/s, p50 ${(w.p50_us/1000).toFixed(2)} ms, ` +
				`p99 ${(w.p99_us/1000).toFixed(2)} ms, ${w.socket_errors + w.non2xx} errors`)})'
done
