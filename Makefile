# SPDX-License-Identifier: GPL-2.0-only
#
# make convert SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [APPLY=1]
# make eval    SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [UPSTREAM=...]
# make bench   [SUBSYS=fs] [KSRC=...] [OUT=...] [JOBS=n]
# make verify  SUBSYS=fs [KSRC=...] [OUT=...] [JOBS=n] [ARCHES="i386 x86_64"]
# make test
#
# All real work is in the Python driver (tools/kmapconv); this file only
# maps make variables to its options.  Defaults (OUT=out/SUBSYS, JOBS =
# nproc, KSRC = Debian's linux-source-6.1) live in the driver so that
# "make convert" and "python3 -m kmapconv convert" behave the same.

# Debian's interpreter: another python3 earlier on PATH (pyenv, venvs)
# may lack python3-pytest or differ in version.
PYTHON ?= /usr/bin/python3
KMAPCONV = PYTHONPATH=tools $(PYTHON) -m kmapconv

SUBSYS ?=
KSRC ?=
OUT ?=
JOBS ?=
UPSTREAM ?=
APPLY ?=
# Not ARCH: kernel developers often have that exported for their builds.
ARCHES ?=

# Only pass what was set; quoting keeps paths with spaces in one piece.
OPTS = $(if $(KSRC),--ksrc '$(KSRC)') $(if $(OUT),--out '$(OUT)') \
       $(if $(JOBS),--jobs '$(JOBS)')

.PHONY: all help convert eval bench verify test deps

all: help

help:
	@echo "make convert SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [APPLY=1]"
	@echo "make eval SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [UPSTREAM=<tree or tarball>]"
	@echo "make bench [SUBSYS=fs] [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>]"
	@echo "make verify SUBSYS=<dir> [KSRC=<tree>] [OUT=<dir>] [JOBS=<n>] [ARCHES=\"i386 x86_64\"]"
	@echo "make test"

convert:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make convert SUBSYS=fs (. for the whole tree)" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) convert --subsys '$(SUBSYS)' $(OPTS) \
	  $(if $(filter 1,$(APPLY)),--apply)

eval:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make eval SUBSYS=fs" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) eval --subsys '$(SUBSYS)' $(OPTS) \
	  $(if $(UPSTREAM),--upstream '$(UPSTREAM)')

verify:
	@if [ -z '$(SUBSYS)' ]; then \
	  echo "kmapconv: SUBSYS is required, e.g. make verify SUBSYS=fs" >&2; \
	  exit 2; \
	fi
	$(KMAPCONV) verify --subsys '$(SUBSYS)' $(OPTS) \
	  $(foreach a,$(ARCHES),--arch '$(a)')

bench:
	$(KMAPCONV) bench --subsys '$(or $(SUBSYS),fs)' $(OPTS)

deps:
	$(KMAPCONV) deps --tests

test: deps
	$(PYTHON) -m pytest -q tests
