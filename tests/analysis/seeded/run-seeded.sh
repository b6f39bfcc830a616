#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-seeded.sh [KSRC]      (KSRC61 in the environment names the 6.1 tree)
#
# Defects seeded into real kernel code, on hard-linked copies of the
# trees (KSRC is not modified: changed files replace their links), audited
# with --flags-cache-key, as "make convert VERIFY=1" would:
#
# 1. seeds.patch into Linux 6.12 (KSRC; default: Debian's linux-source-6.12
#    unpacked in the cache by bench-audit): the audit must report exactly
#    expected.txt.
# 2. unmap-arg slips (seed_slips.py: kunmap_local(page),
#    kunmap_atomic(page), kunmap(addr)), placed by pattern at test time
#    into the files below of Linux 6.1 (KSRC61; default: Debian's
#    linux-source-6.1 unpacked by tools/kmapconv) and of 6.12: compared
#    with the unseeded files, the audit must report exactly one new
#    finding per slip, unmap-arg at its line.
# 3. The kunmap_local(page) slip compiled as kbuild compiles (clang-14 with
#    the tree's flags, -O2): the BUILD_BUG_ON() in kunmap_local() fails the
#    build at that line only when generating code ("declared with 'error'
#    attribute"); parsing, as the audit does, gives no error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
py=${PYTHON:-/usr/bin/python3}
clang=${KMAP_AUDIT_CLANG:-clang-14}
cache_root=${KMAPCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmapconv}
ksrc=${1:-$cache_root/audit-6.12/linux-source-6.12}
[ -f "$ksrc/Makefile" ] || {
	echo "run-seeded.sh: no kernel tree at $ksrc (run make bench-audit once, or pass KSRC)" >&2
	exit 2
}
ksrc=$(cd "$ksrc" && pwd -P)
ksrc61=${KSRC61:-}
if [ -z "$ksrc61" ]; then
	ksrc61=$(cd "$top" && "$py" -c 'import sys
from tools.kmapconv import ksrc, errors
try:
    print(ksrc.unpack("/usr/src/linux-source-6.1.tar.xz"))
except errors.KmapconvError as e:
    sys.exit("run-seeded.sh: %s" % e)')
fi
[ -f "$ksrc61/Makefile" ] || {
	echo "run-seeded.sh: no kernel tree at $ksrc61 (set KSRC61)" >&2
	exit 2
}
ksrc61=$(cd "$ksrc61" && pwd -P)

# The slips, the same in both trees: FILE:SLIP (seed_slips.py).
slips=(
	fs/exec.c:kunmap_local
	crypto/scatterwalk.c:kunmap_local
	drivers/block/brd.c:kunmap_atomic
	fs/ceph/xattr.c:kunmap_atomic
	fs/afs/mntpt.c:kunmap
	net/ceph/messenger.c:kunmap
)
# The slip compiled in step 3.
built=fs/exec.c

copies=()
cleanup() { rm -rf "${copies[@]}"; }
trap cleanup EXIT
new_copy() {
	local c
	c=$(mktemp -d "$cache_root/seeded.XXXXXX")
	copies+=("$c")
	cp -al "$1/." "$c/"
	copy=$c
}

# "file:line kind" per finding of a JSON-lines audit output.
lines_of() {
	"$py" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print("%s:%d %s" % (d["file"], d["line"], d["kind"]))' "$1"
}

audit() {	# audit TREE KEY OUT FILE...
	local tree=$1 key=$2 out=$3 rc
	shift 3
	set +e
	"$top/analysis/kmap-audit-tree" --ksrc "$tree" --flags-cache-key "$key" \
		--format json "$@" >"$out"
	rc=$?
	set -e
	[ "$rc" -le 1 ] || { echo "FAIL: the audit failed (exit $rc) on $tree" >&2; exit 1; }
}

# ---- 1. seeds.patch into 6.12 ---------------------------------------------
new_copy "$ksrc"
# One hunk per file: where patch applied it (a newer stable release of
# the tree moves lines) shifts the expected lines of that file.
grep -v '^#' "$here/seeds.patch" | patch -p1 -d "$copy" >"$copy/.patch.log"
mapfile -t files < <(grep '^+++ b/' "$here/seeds.patch" | sed 's#^+++ b/##')
audit "$copy" "$ksrc" "$copy/.findings.jsonl" "${files[@]}"
got=$(lines_of "$copy/.findings.jsonl")
want=$(grep -v '^#' "$here/expected.txt" | awk -v plog="$copy/.patch.log" '
	BEGIN {
		while ((getline l < plog) > 0) {
			if (l ~ /^patching file /) { f = substr(l, 15); off[f] = 0 }
			else if (l ~ /offset -?[0-9]+ line/) {
				match(l, /offset -?[0-9]+/)
				off[f] = substr(l, RSTART + 7, RLENGTH - 7) + 0
			}
		}
	}
	{ split($1, p, ":"); printf "%s:%d %s\n", p[1], p[2] + off[p[1]], $2 }')
if [ "$got" != "$want" ]; then
	echo "FAIL seeded defects in $(basename "$ksrc"):"
	diff <(echo "$want") <(echo "$got") || true
	exit 1
fi
echo "analysis seeded: $(echo "$want" | wc -l) defects seeded into $(basename "$ksrc"), all found, nothing else"

# ---- 2. unmap-arg slips into 6.1 and 6.12 ---------------------------------
mapfile -t slip_files < <(printf '%s\n' "${slips[@]}" | sed 's/:[^:]*$//' | sort -u)
for tree in "$ksrc61" "$ksrc"; do
	name=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$tree/Makefile" | paste -sd.)
	new_copy "$tree"
	"$py" "$here/seed_slips.py" --tree "$tree" --copy "$copy" "${slips[@]}" |
		sort >"$copy/.want"
	audit "$tree" "$tree" "$copy/.before.jsonl" "${slip_files[@]}"
	audit "$copy" "$tree" "$copy/.after.jsonl" "${slip_files[@]}"
	# Findings of the seeded files that the unseeded ones do not have.
	new=$(diff <(lines_of "$copy/.before.jsonl" | sort) \
		<(lines_of "$copy/.after.jsonl" | sort) | sed -n 's/^> //p' || true)
	if [ "$new" != "$(cat "$copy/.want")" ]; then
		echo "FAIL unmap-arg slips in Linux $name (want / new findings):"
		diff "$copy/.want" <(echo "$new") || true
		exit 1
	fi
	echo "analysis seeded: ${#slips[@]} unmap-arg slips in Linux $name ($(cut -d' ' -f1 "$copy/.want" | paste -sd' ')), all found, nothing else new"

	# ---- 3. the build fails there, parsing does not ----------------------
	line=$(grep "^$built:" "$copy/.want" | head -1 | sed 's/^[^:]*:\([0-9]*\) .*/\1/')
	mapfile -t flags < <("$top/analysis/kmap-audit-tree" --ksrc "$copy" \
		--flags-cache-key "$tree" --print-flags "$built")
	if "$clang" "${flags[@]}" -fsyntax-only "$copy/$built" 2>"$copy/.syntax.err"; then :; else
		echo "FAIL: $clang -fsyntax-only reports errors on the seeded $built of Linux $name:"
		grep error "$copy/.syntax.err" | head -3
		exit 1
	fi
	if "$clang" "${flags[@]}" -c "$copy/$built" -o "$copy/.seeded.o" 2>"$copy/.build.err" ||
	   ! grep -q "$built:$line:.*declared with 'error' attribute: BUILD_BUG_ON failed" "$copy/.build.err"; then
		echo "FAIL: compiling the seeded $built of Linux $name did not fail at line $line with BUILD_BUG_ON:"
		grep error "$copy/.build.err" | head -3
		exit 1
	fi
	echo "analysis seeded: Linux $name $built:$line: the build fails with BUILD_BUG_ON (clang -O2), parsing does not, the audit reports unmap-arg"
done
