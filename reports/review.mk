# SPDX-License-Identifier: GPL-2.0-only
#
# make review PATCH=<file> KSRC=<tree> [OUT=<dir>] [JOBS=n] [REVIEWER='Name <email>']
# make review BASE=<rev> HEAD=<rev> KSRC=<git tree> [OUT=<dir>] ...
# make bench-review [KSRC=<6.1 tree>] [JOBS=n]
#
# Included by the top-level Makefile (make runs from the top directory).
# All work is in reports/kmapreview (Python); it imports the converter's
# driver from tools/.

KMAPREVIEW = $(PYRUN) kmapreview
PATCH ?=
BASE ?=
HEAD ?=
REVIEWER ?=

HELP_TARGETS += help-review
BENCH_TARGETS += bench-review

.PHONY: review help-review bench-review

help-review:
	@echo "make review PATCH=<file> KSRC=<tree> [OUT=<dir>] [JOBS=<n>] [REVIEWER='Name <email>']"
	@echo "make review BASE=<rev> HEAD=<rev> KSRC=<git tree> [OUT=<dir>] [JOBS=<n>]"
	@echo "make bench-review [KSRC=<6.1 tree>] [JOBS=<n>] [OUT=<dir>]"

# The LIFO audit is built first when the analysis component is there;
# if it cannot be built the review runs anyway and says the audit was
# not available.
review:
	@if [ -z '$(KSRC)' ]; then \
	  echo "kmapreview: KSRC is required (the tree the patch applies to)" >&2; \
	  exit 2; \
	fi
	@if [ -f analysis/analysis.mk ]; then \
	  $(MAKE) --no-print-directory analysis >&2 || \
	  echo "kmapreview: make analysis failed; the review reports the LIFO audit as not available" >&2; \
	fi
	$(KMAPREVIEW) $(if $(PATCH),--patch '$(PATCH)') \
	  $(if $(BASE),--base '$(BASE)') $(if $(HEAD),--head '$(HEAD)') \
	  --ksrc '$(KSRC)' $(if $(OUT),--out '$(OUT)') \
	  $(if $(JOBS),--jobs '$(JOBS)') \
	  $(if $(REVIEWER),--reviewer '$(REVIEWER)')

bench-review:
	@if [ -f analysis/analysis.mk ]; then \
	  $(MAKE) --no-print-directory analysis >&2 || true; \
	fi
	PYTHONPATH=tools:reports $(PYTHON) -m kmapreview.bench \
	  $(if $(KSRC),--ksrc '$(KSRC)') $(if $(JOBS),--jobs '$(JOBS)') \
	  $(if $(OUT),--out '$(OUT)')
