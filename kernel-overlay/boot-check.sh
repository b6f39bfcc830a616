#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boot-check.sh BZIMAGE [TIMEOUT]: boot an i386 kernel built with the
# overlay (build-check.sh's i386-boot) in QEMU with "kmap_local_selftest",
# no disk and no init, and check its log: the boot line, the self-test
# passed, its deliberate out-of-order unmap was reported with the sites
# involved, no other kmap_local report, no oops; the boot got as far as
# looking for a root file system. The log is BZIMAGE.boot.log.
set -euo pipefail

image=${1:?bzImage}
timeout=${2:-300}
log=$image.boot.log
qemu=${QEMU:-qemu-system-i386}
failures=0

command -v "$qemu" >/dev/null || {
	echo "boot-check: $qemu missing (apt-get install qemu-system-x86)" >&2
	exit 2
}
# KVM is not always able to run a 32-bit guest; this small kernel boots
# in seconds under TCG
accel=${ACCEL:-tcg}

# 2 GiB: high memory exists, and 2 CPUs: tasks switch and migrate
timeout "$timeout" "$qemu" -accel "$accel" -m 2G -smp 2,sockets=2 -nographic \
	-no-reboot -kernel "$image" \
	-append "console=ttyS0 panic=-1 kmap_local_selftest" \
	</dev/null >"$log" 2>&1 || true
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

want() {
	grep -qE -- "$1" "$log" || {
		echo "boot-check: FAIL: no line matching '$1'"
		failures=$((failures + 1))
	}
}

want 'kmap_local: tracking enabled$'
want 'smp: Brought up 1 node, 2 CPUs'
want 'kmap_local: selftest passed: '
want 'kmap_local: out-of-order unmap at kl_selftest\+0x[0-9a-f]+/0x[0-9a-f]+ in [^ ]+ of mapping 1 from kl_selftest\+'
want 'kmap_local:   mapping 3 from kl_selftest\+0x[0-9a-f]+/0x[0-9a-f]+ must be unmapped first$'
want 'kmap_local:   mapping 2 from kl_selftest\+0x[0-9a-f]+/0x[0-9a-f]+ must be unmapped first$'
want 'Kernel panic - not syncing: (VFS|No working init)'
others=$(grep -E 'kmap_local: ' "$log" |
	grep -vE 'tracking enabled$|selftest passed|out-of-order unmap at kl_selftest|mapping [23] from kl_selftest|used greatest depth' || true)
if [ -n "$others" ]; then
	echo "boot-check: FAIL: other kmap_local reports:"
	echo "$others"
	failures=$((failures + 1))
fi
if grep -qE 'BUG:|Oops|general protection' "$log"; then
	echo "boot-check: FAIL: the kernel oopsed:"
	grep -E 'BUG:|Oops|general protection' "$log" | head -n 5
	failures=$((failures + 1))
fi
warnings=$(grep -c 'WARNING: ' "$log" || true)
if [ "$warnings" != 1 ]; then
	echo "boot-check: FAIL: $warnings WARNINGs, want the one of the deliberate unmap"
	failures=$((failures + 1))
fi
if [ "$failures" -ne 0 ]; then
	echo "boot-check: $failures failed; log: $log"
	exit 1
fi
echo "boot-check: $(grep -o 'kmap_local: selftest passed.*' "$log")"
echo "boot-check: boot line, self-test, its out-of-order report with sites, no other report or oops ($accel; log $log)"
