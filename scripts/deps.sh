#!/bin/sh
# Checks the Debian packages tsp-bridge needs to build and test. As root it
# installs what is missing; otherwise it prints the exact apt-get line and fails.
# `deps.sh build` checks only what building needs (container images).
set -u

missing=""
need_pkg() { # $1 = Debian package, $2 = test command
	if ! sh -c "$2" >/dev/null 2>&1; then
		missing="$missing $1"
	fi
}

need_pkg gcc          "command -v cc"
need_pkg make         "command -v make"
need_pkg pkg-config   "command -v pkg-config"
need_pkg libcurl4-openssl-dev "pkg-config --exists libcurl"
need_pkg libcjson-dev "pkg-config --exists libcjson"
need_pkg libmicrohttpd-dev "pkg-config --exists libmicrohttpd"
need_pkg zlib1g-dev   "pkg-config --exists zlib"
need_pkg check        "pkg-config --exists check"
need_pkg curl         "command -v curl"
if [ "${1:-}" != build ]; then
	# Test tooling: valgrind for the leak pass, node/npm for
	# the spec validator and Grafana's own @grafana/data.
	need_pkg valgrind     "command -v valgrind"
	need_pkg nodejs       "command -v node"
	need_pkg npm          "command -v npm"
	# haproxy, which the replicas suite puts in front of two bridges (it
	# runs its own; Debian's service is not needed). Debian puts it in
	# /usr/sbin, which a user's PATH may lack.
	need_pkg haproxy      "command -v haproxy || test -x /usr/sbin/haproxy"
	# clang and libFuzzer's runtime (libclang-rt-dev pulls libclang-rt-14-dev,
	# which clang only recommends) for `make fuzz`: a tiny fuzzer must link.
	need_pkg clang        "command -v clang"
	# Debian's chromium, which playwright-core drives to render the Grafana
	# plugin's editors (npm's own browser downloads cannot be used here).
	need_pkg chromium     "command -v chromium"
	need_pkg fonts-dejavu-core "test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	need_pkg libclang-rt-dev 'd=$(mktemp -d) && printf "int LLVMFuzzerTestOneInput(const char *p, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *p, unsigned long n) { (void)p; (void)n; return 0; }\n" >"$d/f.c" && clang -fsanitize=fuzzer,address,undefined "$d/f.c" -o "$d/f"; r=$?; rm -rf "$d"; exit $r'
fi

[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && $line >/dev/null || {
		echo "deps: '$line' failed" >&2
		exit 1
	}
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root:  $line" >&2
exit 1
