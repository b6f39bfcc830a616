# SPDX-License-Identifier: GPL-2.0-only
#
# make convert SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [APPLY=1] [VERIFY=0|1]
# make eval    SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [UPSTREAM=...]
# make bench   [SUBSYS=.] [KSRC=...] [OUT=...] [JOBS=n]
# make verify  SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [ARCHES="i386 x86_64"]
# make test    every test that fits CI (real kernel trees, kernel builds)
# make check   the fast subset: no real kernel tree, no kernel build
# make golden  rewrite every golden file from the current code (read the diff)
#
# All real work is in the Python driver (tools/kmapconv); this file only
# maps make variables to its options.  Defaults (OUT=out/SUBSYS, JOBS =
# nproc, KSRC = the newest Debian linux-source-X.Y) live in the driver so that
# "make convert" and "python3 -m kmapconv convert" behave the same.

# Debian's interpreter: another python3 earlier on PATH (pyenv, venvs)
# may lack python3-pytest or differ in version.
PYTHON ?= /usr/bin/python3
# The project's Python packages, importable from the checkout as an
# installed pyproject.toml would make them.
PYRUN = PYTHONPATH=tools:reports:vm $(PYTHON) -m
KMAPCONV = $(PYRUN) kmapconv

SUBSYS ?=
KSRC ?=
OUT ?=
JOBS ?=
UPSTREAM ?=
APPLY ?=
# convert's judge, kmap-audit: on when it can run on KSRC; 1: it must
# (--verify); 0: off (--no-verify).
VERIFY ?=
# Not ARCH: kernel developers often have that exported for their builds.
ARCHES ?=

# Only pass what was set; quoting keeps paths with spaces in one piece.
OPTS = $(if $(KSRC),--ksrc '$(KSRC)') $(if $(OUT),--out '$(OUT)') \
       $(if $(JOBS),--jobs '$(JOBS)')
JUDGE_OPTS = $(if $(filter 1,$(VERIFY)),--verify) \
	     $(if $(filter 0,$(VERIFY)),--no-verify)

.PHONY: all help help-convert convert eval bench bench-convert verify test check golden deps

# Each component keeps its own targets in a make fragment next to its
# code, and adds to these lists: TEST_TARGETS run before pytest in
# "make test", BENCH_TARGETS after the convert bench in "make bench",
# HELP_TARGETS print their usage lines for "make help".
TEST_TARGETS :=
# CHECK_TARGETS: the fast ones of them, also run by "make check";
# GOLDEN_TARGETS rewrite a component's golden files for "make golden".
CHECK_TARGETS :=
GOLDEN_TARGETS :=
BENCH_TARGETS :=
HELP_TARGETS :=
# Options a fragment adds to convert (HOSTS=, CACHE=0: tools/campaign.mk).
CONVERT_EXTRA_OPTS :=
-include analysis/analysis.mk kernel-overlay/overlay.mk reports/review.mk \
	 vm/vm.mk tools/campaign.mk

all: help

help: help-convert $(HELP_TARGETS)

help-convert:
	@echo "make convert SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [APPLY=1] [VERIFY=0|1]"
	@echo "make eval SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [UPSTREAM=<tree or tarball>] [VERIFY=0|1]"
	@echo "make bench [SUBSYS=.] [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>]"
	@echo "make verify SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [ARCHES=\"i386 x86_64\"]"
	@echo "make test | make check | make golden"

convert:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make convert SUBSYS=fs (. for the whole tree)" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) convert --subsys '$(SUBSYS)' $(OPTS) $(CONVERT_EXTRA_OPTS) \
	  $(if $(filter 1,$(APPLY)),--apply) $(JUDGE_OPTS)

eval:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make eval SUBSYS=fs" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) eval --subsys '$(SUBSYS)' $(OPTS) $(CONVERT_EXTRA_OPTS) \
	  $(if $(UPSTREAM),--upstream '$(UPSTREAM)') $(JUDGE_OPTS)

verify:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make verify SUBSYS=fs" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) verify --subsys '$(SUBSYS)' $(OPTS) \
	  $(foreach a,$(ARCHES),--arch '$(a)')

bench: bench-convert $(BENCH_TARGETS)

bench-convert:
	$(KMAPCONV) bench --subsys '$(or $(SUBSYS),.)' $(OPTS)

deps:
	$(KMAPCONV) deps --tests

test: deps $(TEST_TARGETS)
	$(PYTHON) -m pytest -q tests

# Tests marked real_kernel need Debian's kernel source or build a kernel.
# On every core when pytest-xdist is there (.ci/packages/convert): these
# tests share no state but read-only fixtures.
XDIST = $(shell $(PYTHON) -c 'import xdist' 2>/dev/null && printf '%s' '-n auto')
check: deps $(CHECK_TARGETS)
	$(PYTHON) -m pytest -q $(XDIST) -m 'not real_kernel and not slow' tests

# One switch for every golden file: the tests compare, or with
# UPDATE_GOLDEN=1 write what the code produces now.
golden: $(GOLDEN_TARGETS)
	UPDATE_GOLDEN=1 $(PYTHON) -m pytest -q tests
