# SPDX-License-Identifier: GPL-2.0-only
#
# kernel-overlay/: the kmap_local core with map-site tracking, laid over a
# kernel tree, and its user-space simulation. See kernel-overlay/README.md.
#
# make overlay [KSRC=<tree>] [OVERLAY_OUT=<dir>] [APPLY=1]
# make overlay-test
# make overlay-fuzz [FUZZ_TIME=<seconds>]
# make overlay-build [KSRC=<tree>] [OVERLAY_CONFIGS="..."] [JOBS=<n>]
# make overlay-boot [KSRC=<tree>] [JOBS=<n>]

OVERLAY_OUT ?= out/overlay/linux
OVERLAY_CACHE ?= $(or $(KMAPCONV_CACHE),$(HOME)/.cache/kmapconv)/overlay-build
OVERLAY_CONFIGS ?= i386-defconfig i386-debug x86_64-defconfig
OVERLAY_JOBS = $(or $(JOBS),$(shell nproc))
OVERLAY_SIM = $(MAKE) -C kernel-overlay/sim

.PHONY: overlay overlay-test overlay-check golden-overlay overlay-fuzz \
	overlay-build overlay-boot overlay-tree help-overlay

TEST_TARGETS += overlay-test
CHECK_TARGETS += overlay-check
GOLDEN_TARGETS += golden-overlay
HELP_TARGETS += help-overlay

overlay:
	PYTHON='$(PYTHON)' kernel-overlay/make-overlay.sh '$(KSRC)' \
		'$(OVERLAY_OUT)' '$(APPLY)'

# The user-space core alone: no kernel tree.
overlay-check:
	$(OVERLAY_SIM) -j$(OVERLAY_JOBS) all
	$(OVERLAY_SIM) test
	PYTHON='$(PYTHON)' kernel-overlay/tests/format-check.sh

golden-overlay:
	UPDATE_GOLDEN=1 PYTHON='$(PYTHON)' kernel-overlay/tests/install-test.sh

overlay-test:
	$(OVERLAY_SIM) -j$(OVERLAY_JOBS) all
	$(OVERLAY_SIM) test
	PYTHON='$(PYTHON)' kernel-overlay/tests/install-test.sh
	PYTHON='$(PYTHON)' kernel-overlay/tests/format-check.sh
	$(PYTHON) tests/overlay/mutants.py --jobs $(OVERLAY_JOBS)

overlay-fuzz:
	$(OVERLAY_SIM) fuzz $(if $(FUZZ_TIME),FUZZ_TIME='$(FUZZ_TIME)')

# The overlay copy in the cache that the builds below use; brought up to
# date, not recreated, so that builds in it stay incremental
overlay-tree:
	PYTHON='$(PYTHON)' kernel-overlay/make-overlay.sh '$(KSRC)' \
		'$(OVERLAY_CACHE)/tree' '' 1

# The objects the overlay touches, compiled out of tree per configuration
overlay-build: overlay-tree
	kernel-overlay/build-check.sh '$(OVERLAY_CACHE)/tree' \
		'$(OVERLAY_CACHE)' '$(OVERLAY_JOBS)' $(OVERLAY_CONFIGS)

# A small i386 kernel with the overlay, booted in QEMU with the self-test
overlay-boot: overlay-tree
	kernel-overlay/build-check.sh '$(OVERLAY_CACHE)/tree' \
		'$(OVERLAY_CACHE)' '$(OVERLAY_JOBS)' i386-boot
	kernel-overlay/boot-check.sh \
		'$(OVERLAY_CACHE)/i386-boot/arch/x86/boot/bzImage'

help-overlay:
	@echo "make overlay [KSRC=<tree>] [OVERLAY_OUT=<dir>] [APPLY=1]"
	@echo "make overlay-test"
	@echo "make overlay-fuzz [FUZZ_TIME=<seconds>]"
	@echo "make overlay-build [KSRC=<tree>] [OVERLAY_CONFIGS=\"i386-defconfig i386-debug i386-allmodconfig x86_64-defconfig i386-bzimage i386-boot\"] [JOBS=<n>]"
	@echo "make overlay-boot [KSRC=<tree>] [JOBS=<n>]"
