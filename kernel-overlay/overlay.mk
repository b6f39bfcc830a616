# SPDX-License-Identifier: GPL-2.0-only
#
# kernel-overlay/: the kmap_local core with map-site tracking, laid over a
# kernel tree, and its user-space simulation. See kernel-overlay/README.md.
#
# make overlay [KSRC=<tree>] [OVERLAY_OUT=<dir>] [APPLY=1]
# make overlay-test
# make overlay-fuzz [FUZZ_TIME=<seconds>]
# make overlay-build [KSRC=<tree>] [OVERLAY_CONFIGS="..."] [JOBS=<n>]

OVERLAY_OUT ?= out/overlay/linux
OVERLAY_CACHE ?= $(or $(KMAPCONV_CACHE),$(HOME)/.cache/kmapconv)/overlay-build
OVERLAY_CONFIGS ?= i386-defconfig i386-debug x86_64-defconfig
OVERLAY_JOBS = $(or $(JOBS),$(shell nproc))
OVERLAY_SIM = $(MAKE) -C kernel-overlay/sim

.PHONY: overlay overlay-test overlay-fuzz overlay-build help-overlay

TEST_TARGETS += overlay-test
HELP_TARGETS += help-overlay

overlay:
	PYTHON='$(PYTHON)' kernel-overlay/make-overlay.sh '$(KSRC)' \
		'$(OVERLAY_OUT)' '$(APPLY)'

overlay-test:
	$(OVERLAY_SIM) -j$(OVERLAY_JOBS) all
	$(OVERLAY_SIM) test
	PYTHON='$(PYTHON)' kernel-overlay/tests/install-test.sh
	PYTHON='$(PYTHON)' kernel-overlay/tests/format-check.sh
	$(PYTHON) tests/overlay/mutants.py --jobs $(OVERLAY_JOBS)

overlay-fuzz:
	$(OVERLAY_SIM) fuzz $(if $(FUZZ_TIME),FUZZ_TIME='$(FUZZ_TIME)')

# An overlay copy in the cache, then the objects the overlay touches,
# compiled out of tree for each configuration
overlay-build:
	PYTHON='$(PYTHON)' kernel-overlay/make-overlay.sh '$(KSRC)' \
		'$(OVERLAY_CACHE)/tree' ''
	kernel-overlay/build-check.sh '$(OVERLAY_CACHE)/tree' \
		'$(OVERLAY_CACHE)' '$(OVERLAY_JOBS)' $(OVERLAY_CONFIGS)

help-overlay:
	@echo "make overlay [KSRC=<tree>] [OVERLAY_OUT=<dir>] [APPLY=1]"
	@echo "make overlay-test"
	@echo "make overlay-fuzz [FUZZ_TIME=<seconds>]"
	@echo "make overlay-build [KSRC=<tree>] [OVERLAY_CONFIGS=\"i386-defconfig i386-debug i386-allmodconfig x86_64-defconfig i386-bzimage\"] [JOBS=<n>]"
