#!/bin/sh
# Runs each libFuzzer harness for a while on a working copy of its seed
# corpus; prints one summary line per harness and fails if any found a crash.
# usage: fuzz/run.sh BUILD_DIR SECONDS NAME...
set -u
dir=$1
secs=$2
shift 2

failed=""
summary=""
for name in "$@"; do
	bin=$dir/fuzz_$name
	work=$dir/corpus-$name
	art=$dir/artifacts-$name
	log=$dir/$name.log
	mkdir -p "$work" "$art"
	# The repo corpus only seeds: new inputs go to the working copy.
	if [ -d "fuzz/corpus/$name" ]; then
		cp -p fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
	fi
	dict=""
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	echo "fuzz: $name for ${secs}s ($log)"
	# A slow input is a finding too: -timeout; -rss_limit_mb keeps memory bounded.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" $dict "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		failed="$failed $name"
		runs="FAILED (exit $rc), see $log and $art/"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz check failed|.*runtime error)' "$log" | head -n 5 >&2
	fi
	summary="$summary$(printf '  %-14s %s' "$name" "${runs:-no run count}")
"
done
echo "fuzz summary (${secs}s each):"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed" >&2
	exit 1
fi
exit 0
