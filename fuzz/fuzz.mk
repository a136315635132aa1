# libFuzzer harnesses (fuzz/README.md), included by the main Makefile.
# `make fuzz` builds every fuzz/fuzz_<name>.c with clang into build/fuzz/ and
# runs each for FUZZ_SECONDS on a copy of fuzz/corpus/<name>; it fails when
# any harness finds a crash.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_DIR     := build/fuzz
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) $(SRC_INC) \
                -DTSPB_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -MMD -MP
# The bridge's sources, instrumented; the archive lets each harness pull in only what it calls.
FUZZ_OBJ     := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIBA    := $(FUZZ_DIR)/libtspbridge-fuzz.a
FUZZ_TOOLS   := $(FUZZ_DIR)/.toolchain-ok

.PHONY: fuzz fuzz-build

fuzz: fuzz-build
	@sh fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

# clang with libFuzzer's runtime (Debian: clang, libclang-rt-dev); deps.sh installs or names them.
$(FUZZ_TOOLS): | $(DEPS_STAMP)
	@mkdir -p $(FUZZ_DIR)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > $(FUZZ_DIR)/probe.c
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(FUZZ_DIR)/probe.c -o $(FUZZ_DIR)/probe 2>/dev/null || sh scripts/deps.sh
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(FUZZ_DIR)/probe.c -o $(FUZZ_DIR)/probe
	@touch $@

$(FUZZ_DIR)/obj/%.o: %.c | $(FUZZ_TOOLS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIBA): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h fuzz/fuzz_frame.h $(FUZZ_LIBA) | $(FUZZ_TOOLS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIBA) $(LIBS)

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_BINS:=.d)
