# tsp-bridge: a plain Makefile. `make help` lists the targets.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DESTDIR    ?=
# Build directory; the sanitizer build lives in its own.
B          ?= build
CC         ?= cc
CFLAGS     ?= -O2 -g
PKG_CONFIG ?= pkg-config
NPM        ?= npm

PKGS       := libcurl libcjson libmicrohttpd zlib
WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
# Recursive (=) so pkg-config runs when recipes run, after `deps` may have
# installed the packages on a fresh machine.
ALL_CFLAGS  = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) $(SRC_INC) -DTSPB_VERSION='"$(VERSION)"' \
              $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -MMD -MP
LIBS        = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

# The bridge's layers, one folder each (README "Layout"); headers are
# included by name from any of them.
SRC_DIRS   := bridge/src $(addprefix bridge/src/,util json http tsp grafana timeline)
SRC_INC    := $(addprefix -I,$(SRC_DIRS))
LIB_SRC    := $(filter-out bridge/src/main.c,$(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
# The timeline JSON Schema, embedded so an installed bridge serves it.
SCHEMA_JSON := spec/timeline/timeline-v1.schema.json
LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/timeline_schema.o
SIM_SRC    := $(wildcard tspsim/*.c)
# tspsim objects get their own dir: $(B)/tspsim is the binary.
SIM_OBJ    := $(patsubst tspsim/%.c,$(B)/tspsim-obj/%.o,$(SIM_SRC))
TEST_SRC   := $(wildcard tests/*.c)
TEST_OBJ   := $(TEST_SRC:%.c=$(B)/%.o)

BRIDGE     := $(B)/tsp-bridge
TSPSIM     := $(B)/tspsim
RUNTESTS   := $(B)/run-tests
LIBA       := $(B)/libtspbridge.a
DEPS_STAMP := build/.deps-ok

.PHONY: all deps test check test-asan test-valgrind run demo install uninstall clean help spec-tools grafana-tools bench fuzz grafana-plugin plugin-check

all: $(DEPS_STAMP) $(BRIDGE) $(TSPSIM)

help:
	@echo "make            build tsp-bridge and tspsim into $(B)/"
	@echo "make run        start tspsim + tsp-bridge on loopback and show /health (Ctrl-C stops)"
	@echo "make test       whole suite: normal build, ASan+UBSan build, valgrind"
	@echo "make check      the suite once, normal build only (fast loop)"
	@echo "make test-asan  the suite under AddressSanitizer + UBSan"
	@echo "make grafana-plugin  build the Grafana app plugin into grafana/plugin/dist/"
	@echo "make plugin-check    the plugin's type check, unit tests, live and browser tests"
	@echo "make test-valgrind  the suite with every process under valgrind"
	@echo "make bench      benchmarks against tspsim (translation, wrk load, Node side by side); see BENCHMARKS.md"
	@echo "make fuzz       libFuzzer harnesses (clang), FUZZ_SECONDS=10 each; see fuzz/README.md"
	@echo "make install    install tsp-bridge and tspsim (PREFIX=$(PREFIX) DESTDIR=)"
	@echo "make deps       install missing Debian packages (root) or print the apt-get line"

# Installs what is missing when root, otherwise prints the exact apt-get line and fails.
# TSPB_DEPS=build checks only the build packages (container images).
deps $(DEPS_STAMP):
	@sh scripts/deps.sh $(TSPB_DEPS)
	@mkdir -p build && touch $(DEPS_STAMP)

$(B)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/tspsim-obj/%.o: tspsim/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/tests/%.o: tests/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itspsim -c $< -o $@

$(B)/gen/timeline_schema.c: $(SCHEMA_JSON)
	@mkdir -p $(dir $@)
	{ echo '#include <stddef.h>'; \
	  echo 'const unsigned char timeline_schema_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t timeline_schema_json_len = sizeof(timeline_schema_json);'; } > $@.tmp
	mv $@.tmp $@

$(B)/gen/timeline_schema.o: $(B)/gen/timeline_schema.c | $(DEPS_STAMP)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BRIDGE): $(B)/bridge/src/main.o $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(TSPSIM): $(SIM_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(RUNTESTS): $(TEST_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# Node test tooling (ajv) that checks tspsim against the TSP spec.
spec-tools: tests/spec/node_modules/.ok
tests/spec/node_modules/.ok: tests/spec/package.json tests/spec/package-lock.json | $(DEPS_STAMP)
	cd tests/spec && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# Node test tooling (@grafana/data) that converts the bridge's answers as Grafana does.
grafana-tools: tests/grafana/node_modules/.ok
tests/grafana/node_modules/.ok: tests/grafana/package.json tests/grafana/package-lock.json | $(DEPS_STAMP)
	cd tests/grafana && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# The Grafana app plugin (TypeScript on Grafana's npm packages): dist/ is
# what a Grafana loads (README "Grafana").
PLUGIN := grafana/plugin
grafana-plugin: $(PLUGIN)/node_modules/.ok
	cd $(PLUGIN) && $(NPM) run --silent build
$(PLUGIN)/node_modules/.ok: $(PLUGIN)/package.json $(PLUGIN)/package-lock.json | $(DEPS_STAMP)
	cd $(PLUGIN) && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# Its tests: type check, unit tests, every dashboard through the datasource
# against bridge + tspsim, the editor in chromium (screenshots in
# $(B)/plugin-artifacts/).
plugin-check: $(BRIDGE) $(TSPSIM) grafana-plugin
	cd $(PLUGIN) && $(NPM) run --silent typecheck && node build.mjs --tests
	cd $(PLUGIN) && TSPB_BRIDGE=$(CURDIR)/$(BRIDGE) TSPB_TSPSIM=$(CURDIR)/$(TSPSIM) \
		TSPB_ARTIFACTS=$(CURDIR)/$(B)/plugin-artifacts node --test dist-test/

# One pass of the suite with the binaries of build dir $(B).
check: $(BRIDGE) $(TSPSIM) $(RUNTESTS) spec-tools grafana-tools
	TSPB_BRIDGE=$(BRIDGE) TSPB_TSPSIM=$(TSPSIM) TSPB_SRCDIR=$(CURDIR) $(RUN_WRAPPER) $(RUNTESTS)

test-asan:
	$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		RUN_WRAPPER="env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1" check

# valgrind runs the tests in-process (CK_FORK=no) and wraps every spawned bridge/tspsim.
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
test-valgrind: $(BRIDGE) $(TSPSIM) $(RUNTESTS) spec-tools grafana-tools
	CK_FORK=no TSPB_VALGRIND="$(VALGRIND)" TSPB_BRIDGE=$(BRIDGE) TSPB_TSPSIM=$(TSPSIM) \
		TSPB_SRCDIR=$(CURDIR) $(VALGRIND) $(RUNTESTS)

# The README's test command: the plugin's tests, then the C suite's three
# passes; check's summary line ends each.
test: all
	$(MAKE) --no-print-directory plugin-check
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-valgrind
	$(MAKE) --no-print-directory check

# Benchmarks (not part of test): translation throughput, wrk load, RSS, and the
# TypeScript client and JSONata on the same TSP answers. BENCH_SECONDS scales each run.
BENCH_TRANSLATE := $(B)/bench-translate
$(BENCH_TRANSLATE): $(B)/bench/bench_translate.o $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

bench: all $(BENCH_TRANSLATE) grafana-plugin
	@sh scripts/bench.sh $(B)

run demo: all
	@sh scripts/demo.sh $(B)

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BRIDGE) $(DESTDIR)$(BINDIR)/tsp-bridge
	install -m 755 $(TSPSIM) $(DESTDIR)$(BINDIR)/tspsim

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tsp-bridge $(DESTDIR)$(BINDIR)/tspsim

clean:
	rm -rf build

include fuzz/fuzz.mk

-include $(B)/bench/bench_translate.d
-include $(LIB_OBJ:.o=.d) $(SIM_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(B)/bridge/src/main.d
