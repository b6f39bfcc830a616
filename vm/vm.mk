# SPDX-License-Identifier: GPL-2.0-only
#
# make vm-test [SUBSYS="fs/ext2 fs/minix"] [KSRC=<tree>] [SELFTEST=1]
#              [JOBS=n] [VM_OUT=out/vm] [ACCEL=tcg|kvm] [TIMEOUT=s]
#              [OVERLAY=0] [CPUS=n]
#
# Converts the subsystems, builds an i386 HIGHMEM kernel with them (and
# the kernel-overlay core when present) and boots it under QEMU with a
# filesystem workload; see vm/README.md.  Not part of "make test": a
# cold kernel build takes longer than a test run may (see the README).

VM_OUT ?=
ACCEL ?=
TIMEOUT ?=
SELFTEST ?=
OVERLAY ?=
CPUS ?=
VMTEST = $(PYRUN) vmtest

.PHONY: vm-test help-vm

vm-test:
	@$(VMTEST) $(foreach s,$(SUBSYS),--subsys '$(s)') \
	  $(if $(KSRC),--ksrc '$(KSRC)') $(if $(JOBS),--jobs '$(JOBS)') \
	  $(if $(VM_OUT),--out '$(VM_OUT)') $(if $(ACCEL),--accel '$(ACCEL)') \
	  $(if $(TIMEOUT),--timeout '$(TIMEOUT)') \
	  $(if $(filter 1,$(SELFTEST)),--selftest) \
	  $(if $(filter 0,$(OVERLAY)),--no-overlay) \
	  $(if $(CPUS),--cpus '$(CPUS)')

help-vm:
	@echo "make vm-test [SUBSYS=\"fs/ext2 fs/minix ...\"] [KSRC=<tree>] [SELFTEST=1] [JOBS=<n>] [VM_OUT=<dir>] [ACCEL=tcg|kvm] [TIMEOUT=<s>] [OVERLAY=0] [CPUS=<n>]"

HELP_TARGETS += help-vm
