# SPDX-License-Identifier: GPL-2.0-only
"""make vm-test: boot an i386 HIGHMEM kernel with converted code in QEMU
and run a filesystem workload (see vm/README.md)."""
