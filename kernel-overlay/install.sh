#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install.sh TREE: lay the kmap_local tracking overlay over the kernel tree
# TREE, which the caller owns (a copy; see "make overlay"). Adds the
# overlay's files and makes five small edits, each anchored on one line
# of the tree; if an anchor is missing the tree is left as it was and
# the error names the file and the line looked for. Running it again
# changes nothing. Edited and added files are written anew, so a tree
# that shares files with another by hard links keeps sharing only the
# files the overlay does not touch.
#
# install.sh --files: list the files install.sh adds or edits.
#
# Then enable CONFIG_KMAP_LOCAL_TRACK (needs KMAP_LOCAL and HIGHMEM or
# DEBUG_KMAP_LOCAL), e.g. for i386: HIGHMEM4G=y and KMAP_LOCAL_TRACK=y.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

added=(
	include/linux/kmap_local_track.h
	mm/Kconfig.kmap_local_track
	mm/kmap_local_core.c
	mm/kmap_local_core.h
	mm/kmap_local_port.h
	mm/kmap_local_selftest.c
	mm/kmap_local_track.c
)
edited=(
	include/linux/sched.h
	include/linux/highmem-internal.h
	mm/highmem.c
	kernel/exit.c
	lib/Kconfig.debug
)

die() {
	echo "install.sh: $*" >&2
	exit 2
}

if [ "${1-}" = --files ]; then
	printf '%s\n' "${added[@]}" "${edited[@]}"
	exit 0
fi
[ $# -eq 1 ] || die "usage: install.sh TREE (a kernel tree you own) | install.sh --files"
tree=$1
[ -f "$tree/mm/highmem.c" ] && [ -f "$tree/include/linux/sched.h" ] ||
	die "$tree is not a kernel tree (no mm/highmem.c)"
for f in "${edited[@]}"; do
	[ -f "$tree/$f" ] || die "$tree has no $f"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Edits are made on copies in $work; only when all of them succeeded do
# the copies replace the tree's files.
stage() {
	local f=$1

	if [ ! -f "$work/$f" ]; then
		mkdir -p "$work/$(dirname "$f")"
		cp "$tree/$f" "$work/$f"
	fi
}

# edit FILE MODE REGEX TEXT MARKER: put TEXT after, before, or instead of
# the one line of FILE that matches the extended REGEX, unless FILE
# already contains MARKER.
edit() {
	local f=$1 mode=$2 regex=$3 text=$4 marker=$5 n

	stage "$f"
	if grep -qF -- "$marker" "$work/$f"; then
		return
	fi
	n=$(grep -cE -- "$regex" "$work/$f" || true)
	[ "$n" = 1 ] || die "$f: want one line matching '$regex', found $n (the overlay knows Linux 6.1)"
	REGEX=$regex TEXT=$text MODE=$mode awk '
		$0 ~ ENVIRON["REGEX"] {
			if (ENVIRON["MODE"] == "before")
				print ENVIRON["TEXT"]
			if (ENVIRON["MODE"] != "replace")
				print
			if (ENVIRON["MODE"] != "before")
				print ENVIRON["TEXT"]
			next
		}
		{ print }
	' "$work/$f" >"$work/$f.new"
	mv "$work/$f.new" "$work/$f"
}

# The kmap_local block of mm/highmem.c starts with the "#ifdef
# CONFIG_KMAP_LOCAL" just before its "#include <asm/kmap_size.h>": with
# the option, the overlay's code takes the block's place.
edit_highmem() {
	local f=mm/highmem.c

	stage "$f"
	if grep -qF 'kmap_local_track.c' "$work/$f"; then
		return
	fi
	awk '
		/^#ifdef CONFIG_KMAP_LOCAL$/ { ifdef = NR }
		/^#include <asm\/kmap_size.h>$/ { n++; if (NR - ifdef <= 3) at = ifdef }
		{ line[NR] = $0 }
		END {
			if (n != 1 || !at)
				exit 1
			for (i = 1; i <= NR; i++) {
				if (i != at) {
					print line[i]
					continue
				}
				print "#ifdef CONFIG_KMAP_LOCAL_TRACK"
				print "/* kmap_local with map-site tracking */"
				print "#include \"kmap_local_track.c\""
				print "#elif defined(CONFIG_KMAP_LOCAL)"
			}
		}
	' "$work/$f" >"$work/$f.new" ||
		die "$f: want '#ifdef CONFIG_KMAP_LOCAL' just before its one '#include <asm/kmap_size.h>' (the overlay knows Linux 6.1)"
	mv "$work/$f.new" "$work/$f"
}

tab=$'\t'
edit include/linux/sched.h after '^#include <asm/kmap_size\.h>$' \
	'#include <linux/kmap_local_track.h>' \
	'#include <linux/kmap_local_track.h>'
edit include/linux/sched.h after '^[[:space:]]+pte_t[[:space:]]+pteval\[KM_MAX_IDX\];$' \
	"#ifdef CONFIG_KMAP_LOCAL_TRACK
${tab}struct kmap_local_track${tab}${tab}track;
#endif" \
	'struct kmap_local_track'
edit include/linux/highmem-internal.h replace \
	'^[[:space:]]+DEBUG_LOCKS_WARN_ON\(current->kmap_ctrl\.idx\);$' \
	"#ifdef CONFIG_KMAP_LOCAL_TRACK
${tab}/* Reports the mappings still held, and unmaps them */
${tab}if (unlikely(current->kmap_ctrl.idx))
${tab}${tab}kmap_local_user_return();
#else
${tab}DEBUG_LOCKS_WARN_ON(current->kmap_ctrl.idx);
#endif" \
	'kmap_local_user_return'
edit_highmem
edit kernel/exit.c after '^[[:space:]]+kcov_task_exit\(tsk\);$' \
	"${tab}kmap_local_exit(tsk);" \
	'kmap_local_exit(tsk)'
edit lib/Kconfig.debug before '^config ARCH_SUPPORTS_KMAP_LOCAL_FORCE_MAP$' \
	'source "mm/Kconfig.kmap_local_track"
' \
	'Kconfig.kmap_local_track'

for f in "${added[@]}"; do
	mkdir -p "$work/$(dirname "$f")"
	cp "$here/$f" "$work/$f"
done

# All edits worked: replace the files (mv, so hard links are broken)
changed=0
for f in "${added[@]}" "${edited[@]}"; do
	if [ -f "$tree/$f" ] && cmp -s "$work/$f" "$tree/$f"; then
		continue
	fi
	chmod 644 "$work/$f"
	mkdir -p "$tree/$(dirname "$f")"
	mv -f "$work/$f" "$tree/$f"
	changed=$((changed + 1))
done
echo "install.sh: $tree: $changed files written, overlay in place"
