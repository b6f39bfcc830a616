#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make-overlay.sh KSRC OUT [APPLY [REFRESH]]: what "make overlay" does. An empty
# KSRC means Debian's linux-source-6.1, unpacked into the kmapconv cache.
#
# Without APPLY=1: OUT becomes a copy of KSRC (hard links, so it takes
# seconds and little space) with the overlay installed by install.sh,
# which writes every file it touches anew; KSRC is not written.
# OUT.patch is the overlay as a patch against KSRC (apply with -p1).
# With APPLY=1 the overlay goes into KSRC itself.
#
# An OUT that exists must be an earlier overlay copy (it has the file
# .kmap-overlay-copy); it is replaced. With REFRESH=1 an overlay copy of
# the same KSRC is only brought up to date by install.sh, which leaves
# files it would not change alone, so builds in it stay incremental.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ksrc=${1-}
out=${2-}
apply=${3-}
refresh=${4-}

die() {
	echo "make overlay: $*" >&2
	exit 2
}

if [ -z "$ksrc" ]; then
	[ "$apply" != 1 ] || die "APPLY=1 needs KSRC: the default tree is a shared cache"
	# Debian's linux-source-6.1, unpacked once into the kmapconv cache
	ksrc=$(cd "$here/../tools" && "${PYTHON:-/usr/bin/python3}" -c '
from kmapconv import ksrc
print(ksrc.unpack("/usr/src/linux-source-6.1.tar.xz"))')
fi
[ -f "$ksrc/mm/highmem.c" ] || die "KSRC $ksrc is not a kernel tree (no mm/highmem.c)"

if [ "$apply" = 1 ]; then
	exec "$here/install.sh" "$ksrc"
fi

[ -n "$out" ] || die "no OVERLAY_OUT"
ksrc=$(cd "$ksrc" && pwd)
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
case "$out/" in
"$ksrc"/*) die "OVERLAY_OUT $out is inside KSRC $ksrc" ;;
esac
if [ "$refresh" = 1 ] && [ -f "$out/.kmap-overlay-copy" ] &&
	[ "$(cat "$out/.kmap-overlay-copy")" = "$ksrc" ]; then
	"$here/install.sh" "$out"
	exit 0
fi
if [ -e "$out" ]; then
	[ -f "$out/.kmap-overlay-copy" ] ||
		die "OVERLAY_OUT $out exists and is not an overlay copy; remove it or choose another"
	rm -rf "$out"
fi

# Build into a temporary name, so that OUT is complete or absent
tmp="$out.tmp.$$"
patch_tmp="$out.patch.tmp.$$"
trap 'rm -rf "$tmp" "$patch_tmp"' EXIT
if ! cp -al "$ksrc" "$tmp" 2>/dev/null; then
	rm -rf "$tmp"
	echo "make overlay: hard links impossible ($ksrc and $out on different file systems?), copying" >&2
	cp -a "$ksrc" "$tmp"
fi
"$here/install.sh" "$tmp" >/dev/null
echo "$ksrc" >"$tmp/.kmap-overlay-copy"

# The patch: the overlay's files, old (KSRC) against new
: >"$patch_tmp"
while read -r f; do
	old=$ksrc/$f
	[ -f "$old" ] || old=/dev/null
	diff -u --label "a/$f" --label "b/$f" "$old" "$tmp/$f" >>"$patch_tmp" ||
		[ $? -eq 1 ] || die "diff of $f failed"
done < <("$here/install.sh" --files)
mv "$tmp" "$out"
mv "$patch_tmp" "$out.patch"
trap - EXIT
echo "make overlay: $out (overlay installed; KSRC $ksrc untouched), patch $out.patch"
