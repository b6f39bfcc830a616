#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-test.sh: install.sh and make-overlay.sh on the files of Linux
# 6.1 they edit (unpacked once from Debian's linux-source-6.1 into the
# kmapconv cache). Checks the edits against tests/golden/install-6.1.diff,
# that a second run changes nothing, that hard-linked files of the
# original stay untouched, and that a tree without an anchor line is
# refused with the file named and left as it was.
#
# UPDATE_GOLDEN=1 rewrites the golden diff.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
overlay=$(dirname "$here")
top=$(dirname "$overlay")
python=${PYTHON:-/usr/bin/python3}
tarball=${KMAP_OVERLAY_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
golden=$here/golden/install-6.1.diff
failures=0

fail() {
	echo "install-test: FAIL: $*"
	failures=$((failures + 1))
}

[ -f "$tarball" ] || {
	echo "install-test: $tarball missing (apt-get install linux-source-6.1)" >&2
	exit 2
}
mapfile -t files < <("$overlay/install.sh" --files)
edited=()
for f in "${files[@]}"; do
	[ -f "$overlay/$f" ] || edited+=("$f")
done
pristine=$(cd "$top/tools" && "$python" -c '
import sys
from kmapconv import ksrc
print(ksrc.unpack_subset(sys.argv[1], None, sys.argv[2:]))
' "$tarball" "${edited[@]}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tree_sums() {
	(cd "$1" && find . -type f ! -name '.kmap*' -print0 | sort -z |
		xargs -0 sha256sum)
}

# overlay_diff TREE [FILE...]: TREE against the pristine files
overlay_diff() {
	local tree=$1 f old

	shift
	for f in "$@"; do
		old=$pristine/$f
		[ -f "$old" ] || old=/dev/null
		diff -u --label "a/$f" --label "b/$f" "$old" "$tree/$f" || true
	done
}

# A fresh copy: edits and added files as in the golden diff
cp -a "$pristine" "$work/tree"
"$overlay/install.sh" "$work/tree" >"$work/out1"
overlay_diff "$work/tree" "${edited[@]}" >"$work/diff"
if [ "${UPDATE_GOLDEN-}" = 1 ]; then
	cp "$work/diff" "$golden"
	echo "install-test: wrote $golden"
fi
diff -u "$golden" "$work/diff" || fail "edits differ from $golden"
for f in "${files[@]}"; do
	[ -f "$overlay/$f" ] || continue
	cmp -s "$overlay/$f" "$work/tree/$f" || fail "$f not installed as it is"
done

# Idempotent
tree_sums "$work/tree" >"$work/sums1"
"$overlay/install.sh" "$work/tree" >"$work/out2"
tree_sums "$work/tree" >"$work/sums2"
grep -q ': 0 files written' "$work/out2" || fail "second run wrote: $(cat "$work/out2")"
cmp -s "$work/sums1" "$work/sums2" || fail "second run changed the tree"

# A hard-linked copy: the original keeps its content, edited files
# are the copy's own
cp -a "$pristine" "$work/orig"
tree_sums "$work/orig" >"$work/orig-sums"
cp -al "$work/orig" "$work/linked"
"$overlay/install.sh" "$work/linked" >/dev/null
tree_sums "$work/orig" | cmp -s - "$work/orig-sums" ||
	fail "install.sh wrote through a hard link"
for f in "${edited[@]}"; do
	[ "$(stat -c %h "$work/linked/$f")" = 1 ] || fail "$f still linked"
done

# A missing anchor: refused, named, nothing written
cp -a "$pristine" "$work/bad"
grep -v 'kcov_task_exit(tsk);' "$pristine/kernel/exit.c" >"$work/bad/kernel/exit.c"
tree_sums "$work/bad" >"$work/bad-sums"
if "$overlay/install.sh" "$work/bad" >/dev/null 2>"$work/bad-err"; then
	fail "a tree without the exit.c anchor was accepted"
else
	[ $? -eq 2 ] || fail "exit status for a missing anchor is not 2"
fi
grep -q "install.sh: kernel/exit.c: want one line matching" "$work/bad-err" ||
	fail "missing anchor not named: $(cat "$work/bad-err")"
tree_sums "$work/bad" | cmp -s - "$work/bad-sums" ||
	fail "a refused tree was changed"

# Not a kernel tree
mkdir "$work/empty"
if "$overlay/install.sh" "$work/empty" 2>"$work/empty-err"; then
	fail "an empty directory was accepted"
fi
grep -q "is not a kernel tree" "$work/empty-err" ||
	fail "no clear message for a non-tree: $(cat "$work/empty-err")"

# make overlay: a copy and a patch, KSRC untouched, OUT replaced only
# if it is an overlay copy
tree_sums "$pristine" >"$work/pristine-sums"
"$overlay/make-overlay.sh" "$pristine" "$work/ov/linux" >/dev/null
[ -f "$work/ov/linux/.kmap-overlay-copy" ] || fail "no overlay copy"
overlay_diff "$work/ov/linux" "${edited[@]}" | cmp -s - "$golden" ||
	fail "overlay copy differs"
overlay_diff "$work/ov/linux" "${files[@]}" | cmp -s - "$work/ov/linux.patch" ||
	fail "OUT.patch is not the overlay's diff"
"$overlay/make-overlay.sh" "$pristine" "$work/ov/linux" >/dev/null ||
	fail "make overlay did not replace its own copy"
tree_sums "$pristine" | cmp -s - "$work/pristine-sums" || fail "KSRC was written"
mkdir -p "$work/other" && touch "$work/other/precious"
if "$overlay/make-overlay.sh" "$pristine" "$work/other" 2>/dev/null; then
	fail "make overlay replaced a directory that is not its copy"
fi
[ -f "$work/other/precious" ] || fail "make overlay removed another directory"
(cd "$work/ov" && mkdir -p p && cp -a "$pristine/." p/ &&
	patch -s -p1 -d p <linux.patch) || fail "OUT.patch does not apply"

if [ "$failures" -ne 0 ]; then
	echo "install-test: $failures failed"
	exit 1
fi
echo "install-test: install.sh and make overlay on Linux 6.1: edits match golden, idempotent, hard links kept, bad trees refused"
