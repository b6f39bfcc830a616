#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-check.sh TREE CACHE JOBS CONFIG...: compile the objects the
# overlay touches in TREE (an overlay copy), out of tree, once per CONFIG;
# each CONFIG builds in CACHE/CONFIG. Prints one line per CONFIG and
# exits 1 if any failed.
#
# CONFIGs:
#   i386-defconfig    defconfig + HIGHMEM4G + KMAP_LOCAL_TRACK (SMP)
#   i386-debug        allnoconfig + HIGHMEM4G + DEBUG_KMAP_LOCAL_FORCE_MAP
#                     (guard slots, every page mapped) + PREEMPT + TRACK (UP)
#   i386-allmodconfig allmodconfig (TRACK comes on with it)
#   x86_64-defconfig  no KMAP_LOCAL at all: the edits must not get in the way
#   i386-bzimage      i386-defconfig's whole kernel image
#   i386-boot         a small bootable image for boot-check.sh: i386-debug
#                     + SMP + serial console, bzImage
set -euo pipefail

tree=${1:?tree}
cache=${2:?cache}
jobs=${3:?jobs}
shift 3

objects="mm/highmem.o kernel/sched/core.o kernel/fork.o kernel/exit.o kernel/entry/common.o"
tree=$(cd "$tree" && pwd)
failed=0

kmake() {
	local arch=$1 out=$2

	shift 2
	nice make -C "$tree" O="$out" ARCH="$arch" -j"$jobs" "$@"
}

# configure ARCH OUT BASE OPTION...: BASE config, then options (NAME=y or
# NAME=n), then olddefconfig; each =y must survive it
configure() {
	local arch=$1 out=$2 base=$3 opt

	shift 3
	mkdir -p "$out"
	kmake "$arch" "$out" "$base" >"$out/log.config" 2>&1
	for opt in "$@"; do
		case $opt in
		*=y) "$tree/scripts/config" --file "$out/.config" --enable "${opt%=y}" ;;
		*=n) "$tree/scripts/config" --file "$out/.config" --disable "${opt%=n}" ;;
		esac
	done
	kmake "$arch" "$out" olddefconfig >>"$out/log.config" 2>&1
	for opt in "$@"; do
		case $opt in
		*=y) grep -qx "CONFIG_${opt}" "$out/.config" || {
			echo "build-check: $(basename "$out"): CONFIG_${opt} did not survive olddefconfig"
			return 1
		} ;;
		esac
	done
}

# The overlay's own object twice: also with W=1 warnings
build() {
	local arch=$1 out=$2 start=$SECONDS

	shift 2
	if kmake "$arch" "$out" "$@" >"$out/log.build" 2>&1 &&
		kmake "$arch" "$out" W=1 mm/highmem.o >>"$out/log.build" 2>&1; then
		warnings=$(grep -c 'kmap_local.*warning:' "$out/log.build" || true)
		echo "build-check: $(basename "$out"): ok ($*; $((SECONDS - start)) s, $warnings warnings in the overlay's files)"
	else
		echo "build-check: $(basename "$out"): FAILED ($*), see $out/log.build:"
		grep -E 'error|Error' "$out/log.build" | head -n 10
		failed=1
	fi
}

for config in "$@"; do
	out=$cache/$config
	case $config in
	i386-defconfig)
		configure i386 "$out" defconfig HIGHMEM4G=y NOHIGHMEM=n \
			KMAP_LOCAL_TRACK=y && build i386 "$out" $objects
		;;
	i386-debug)
		configure i386 "$out" allnoconfig HIGHMEM4G=y NOHIGHMEM=n \
			DEBUG_KERNEL=y DEBUG_KMAP_LOCAL=y \
			DEBUG_KMAP_LOCAL_FORCE_MAP=y PREEMPT_NONE=n PREEMPT=y \
			KMAP_LOCAL_TRACK=y && build i386 "$out" $objects
		;;
	i386-allmodconfig)
		configure i386 "$out" allmodconfig KMAP_LOCAL_TRACK=y &&
			build i386 "$out" $objects
		;;
	x86_64-defconfig)
		configure x86_64 "$out" defconfig &&
			build x86_64 "$out" $objects
		;;
	i386-boot)
		configure i386 "$out" allnoconfig HIGHMEM4G=y NOHIGHMEM=n SMP=y \
			DEBUG_KERNEL=y DEBUG_KMAP_LOCAL=y \
			DEBUG_KMAP_LOCAL_FORCE_MAP=y PREEMPT_NONE=n PREEMPT=y \
			KMAP_LOCAL_TRACK=y SERIAL_8250=y SERIAL_8250_CONSOLE=y \
			PRINTK=y KALLSYMS=y X86_MPPARSE=y &&
			build i386 "$out" bzImage
		;;
	i386-bzimage)
		configure i386 "$out" defconfig HIGHMEM4G=y NOHIGHMEM=n \
			KMAP_LOCAL_TRACK=y && build i386 "$out" bzImage
		;;
	*)
		echo "build-check: unknown config $config" >&2
		exit 2
		;;
	esac || failed=1
done
exit $failed
