-- wrk script for the benchmarks: POSTs $BENCH_BODY to the URL.
-- With $BENCH_VARY set, "__FROM__" in the body becomes a different epoch-ms
-- number on every request (base $BENCH_VARY plus a counter modulo
-- $BENCH_KEYS), so the cache sees that many distinct questions.
-- Prints one machine-readable line, WRK_JSON {...}, when done.
local body = os.getenv("BENCH_BODY") or "{}"
local vary = os.getenv("BENCH_VARY")
local keys = tonumber(os.getenv("BENCH_KEYS") or "100000")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = body

if vary then
	local base = tonumber(vary)
	local counter = 0
	request = function()
		counter = counter + 1
		local b = string.gsub(body, "__FROM__", tostring(base + counter % keys))
		return wrk.format(nil, nil, nil, b)
	end
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,\"socket_errors\":%d," ..
		"\"non2xx\":%d,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d}\n",
		summary.requests, summary.duration, summary.bytes,
		e.connect + e.read + e.write + e.timeout, e.status,
		latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
