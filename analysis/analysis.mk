# SPDX-License-Identifier: GPL-2.0-only
#
# analysis/: kmap-audit, a libclang (C API) audit of kmap_local usage.
#
#   make analysis                 build analysis/build/kmap-audit
#   make audit KSRC=<tree> (FILES="a.c b.c" | SUBSYS=<dir>) [FORMAT=text|json|sarif] [ARCH=i386|x86_64|<arch>] [JOBS=n]
#   make test-analysis            golden fixtures (also run by make test)
#   make test-analysis-asan       the fixtures under ASan/UBSan (make test)
#   make test-analysis-valgrind   the fixtures under valgrind (make test)
#   make test-analysis-seeded [KSRC=<6.12 tree>] [KSRC61=<6.1 tree>] [SEEDED_SUBSYS=fs]  defects seeded into real code
#   make analysis-fuzz            libFuzzer on malformed C [FUZZ_TIME=30]
#   make bench-audit              audit time per file vs clang -fsyntax-only (make bench)

KMAPCONV_CACHE_DIR ?= $(or $(KMAPCONV_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kmapconv)
ANALYSIS_LLVM_CONFIG ?= $(shell command -v llvm-config-14 || echo llvm-config)
ANALYSIS_CLANG_INC := $(shell $(ANALYSIS_LLVM_CONFIG) --includedir 2>/dev/null || echo /usr/lib/llvm-14/include)
ANALYSIS_CLANG_LIB := $(shell $(ANALYSIS_LLVM_CONFIG) --libdir 2>/dev/null || echo /usr/lib/llvm-14/lib)
ANALYSIS_CC ?= gcc
ANALYSIS_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-I$(ANALYSIS_CLANG_INC)
ANALYSIS_GCC_ONLY := -Wno-format-truncation
ANALYSIS_LDLIBS := -L$(ANALYSIS_CLANG_LIB) -lclang -Wl,-rpath,$(ANALYSIS_CLANG_LIB)

ANALYSIS_SRCS := $(wildcard analysis/src/*.c analysis/src/checks/*.c)
ANALYSIS_LIB_SRCS := $(filter-out analysis/src/main.c,$(ANALYSIS_SRCS))
ANALYSIS_HDRS := $(wildcard analysis/src/*.h)
ANALYSIS_BIN := analysis/build/kmap-audit
ANALYSIS_ASAN_BIN := analysis/build/asan/kmap-audit
ANALYSIS_FUZZ_BIN := analysis/build/fuzz/kmap-audit-fuzz
ANALYSIS_OBJS := $(patsubst analysis/src/%.c,analysis/build/obj/%.o,$(ANALYSIS_SRCS))
# The rule catalogue, embedded from analysis/rules.tsv (its one source).
ANALYSIS_RULES_INC := analysis/build/gen/rules.inc
ANALYSIS_CFLAGS += -Ianalysis/build/gen
FUZZ_TIME ?= 30

.PHONY: analysis audit test-analysis test-analysis-asan test-analysis-valgrind \
	test-analysis-seeded analysis-fuzz bench-audit help-analysis

analysis: $(ANALYSIS_BIN)

$(ANALYSIS_BIN): $(ANALYSIS_OBJS)
	$(ANALYSIS_CC) -o $@ $^ $(ANALYSIS_LDLIBS)

$(ANALYSIS_RULES_INC): analysis/rules.tsv
	@mkdir -p $(dir $@)
	awk -F'\t' '!/^#/ && NF == 4 { for (i = 1; i <= 4; i++) { gsub(/\\/, "\\\\", $$i); gsub(/"/, "\\\"", $$i) } \
	  printf "{ \"%s\", \"%s\", \"%s\", \"%s\" },\n", $$1, $$2, $$3, $$4 }' $< >$@.tmp
	mv $@.tmp $@

analysis/build/obj/%.o: analysis/src/%.c $(ANALYSIS_HDRS) $(ANALYSIS_RULES_INC)
	@mkdir -p $(dir $@)
	$(ANALYSIS_CC) $(ANALYSIS_CFLAGS) $(ANALYSIS_GCC_ONLY) -c $< -o $@

# One compile for the sanitizer build: it is rebuilt rarely.
$(ANALYSIS_ASAN_BIN): $(ANALYSIS_SRCS) $(ANALYSIS_HDRS) $(ANALYSIS_RULES_INC)
	@mkdir -p $(dir $@)
	$(ANALYSIS_CC) $(ANALYSIS_CFLAGS) $(ANALYSIS_GCC_ONLY) -O1 \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ $(ANALYSIS_SRCS) $(ANALYSIS_LDLIBS)

# libFuzzer comes with clang (Debian: libclang-rt-14-dev).
$(ANALYSIS_FUZZ_BIN): $(ANALYSIS_LIB_SRCS) $(ANALYSIS_HDRS) $(ANALYSIS_RULES_INC) analysis/fuzz/fuzz_audit.c
	@mkdir -p $(dir $@)
	clang-14 $(ANALYSIS_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined \
		-DFUZZ_INCLUDE='"$(CURDIR)/tests/analysis/include"' \
		-o $@ analysis/fuzz/fuzz_audit.c $(ANALYSIS_LIB_SRCS) $(ANALYSIS_LDLIBS)

audit: $(ANALYSIS_BIN)
	@if [ -z '$(KSRC)' ]; then \
	  echo "kmap-audit: KSRC is required, e.g. make audit KSRC=/path/to/linux FILES=fs/aio.c" >&2; exit 2; \
	fi
	@if [ -z '$(FILES)' ] && [ -z '$(SUBSYS)' ]; then \
	  echo "kmap-audit: FILES=\"...\" or SUBSYS=<dir> is required" >&2; exit 2; \
	fi
	@files='$(FILES)'; \
	if [ -z "$$files" ]; then \
	  [ -d '$(KSRC)/$(SUBSYS)' ] || { echo "kmap-audit: no directory $(SUBSYS) in $(KSRC)" >&2; exit 2; }; \
	  files=$$(cd '$(KSRC)' && grep -rlE --include='*.c' 'kmap_local|kmap_atomic|kunmap' '$(SUBSYS)' | sed 's#^\./##' | sort); \
	  [ -n "$$files" ] || { echo "kmap-audit: no file in $(SUBSYS) uses kmap_local or kmap_atomic" >&2; exit 0; }; \
	fi; \
	analysis/kmap-audit-tree --ksrc '$(KSRC)' --format '$(or $(FORMAT),text)' \
	  $(if $(ARCH),--arch '$(ARCH)') $(if $(JOBS),--jobs '$(JOBS)') $$files

test-analysis: $(ANALYSIS_BIN)
	tests/analysis/run-golden.sh $(CURDIR)/$(ANALYSIS_BIN)

test-analysis-asan: $(ANALYSIS_ASAN_BIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  tests/analysis/run-golden.sh $(CURDIR)/$(ANALYSIS_ASAN_BIN)

test-analysis-valgrind: $(ANALYSIS_BIN)
	@command -v valgrind >/dev/null || { echo "kmap-audit: valgrind is not installed" >&2; exit 2; }
	KMAP_AUDIT_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  tests/analysis/run-golden.sh $(CURDIR)/$(ANALYSIS_BIN) --one-process

# Needs Linux 6.12 and 6.1 trees (default: the 6.12 bench-audit unpacks,
# the 6.1 tools/kmapconv unpacks).  Then the mutant harness over
# SEEDED_SUBSYS (default fs) of the 6.12 tree: detection must reach
# SEEDED_MIN (0.97).
SEEDED_SUBSYS ?= fs
SEEDED_MIN ?= 0.97
test-analysis-seeded: $(ANALYSIS_BIN)
	KSRC61='$(KSRC61)' tests/analysis/seeded/run-seeded.sh $(KSRC)
	/usr/bin/python3 tests/analysis/seeded/mutants.py \
	  --ksrc '$(or $(KSRC),$(KMAPCONV_CACHE_DIR)/audit-6.12/linux-source-6.12)' \
	  --subsys '$(SEEDED_SUBSYS)' --min-detection $(SEEDED_MIN) \
	  $(if $(JOBS),--jobs '$(JOBS)')

analysis-fuzz: $(ANALYSIS_FUZZ_BIN)
	@mkdir -p analysis/build/fuzz/corpus
	cp tests/analysis/cases/*.c analysis/build/fuzz/corpus/
	ASAN_OPTIONS=detect_leaks=0 $(ANALYSIS_FUZZ_BIN) -max_total_time=$(FUZZ_TIME) \
	  -max_len=8192 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	  analysis/build/fuzz/corpus

bench-audit: $(ANALYSIS_BIN)
	analysis/bench-audit $(if $(KSRC),--ksrc '$(KSRC)') $(if $(JOBS),--jobs '$(JOBS)')

help-analysis:
	@echo "make analysis"
	@echo "make audit KSRC=<tree> (FILES=\"<paths in KSRC>\" | SUBSYS=<dir>) [FORMAT=text|json|sarif] [ARCH=i386|x86_64|<arch>] [JOBS=<n>]"
	@echo "make test-analysis | test-analysis-asan | test-analysis-valgrind | test-analysis-seeded [KSRC=<6.12 tree>] [KSRC61=<6.1 tree>] [SEEDED_SUBSYS=fs] [SEEDED_MIN=0.97]"
	@echo "make analysis-fuzz [FUZZ_TIME=30] | bench-audit [KSRC=<tree>]"

TEST_TARGETS += test-analysis test-analysis-asan test-analysis-valgrind
CHECK_TARGETS += test-analysis
GOLDEN_TARGETS += golden-analysis

golden-analysis: $(ANALYSIS_BIN)
	tests/analysis/run-golden.sh $(CURDIR)/$(ANALYSIS_BIN) --update
BENCH_TARGETS += bench-audit
HELP_TARGETS += help-analysis
