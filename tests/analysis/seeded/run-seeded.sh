#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-seeded.sh [KSRC]
#
# Seeds defects (seeds.patch) into a hard-linked copy of a Linux 6.12
# tree and checks that kmap-audit reports exactly them (expected.txt).
# KSRC defaults to Debian's linux-source-6.12 unpacked in the cache (by
# bench-audit); the copy is audited with --flags-cache-key KSRC, as
# "make convert VERIFY=1" would, and removed afterwards.  KSRC is not
# modified: patch replaces the files it changes instead of writing
# through the hard links.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache_root=${KMAPCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmapconv}
ksrc=${1:-$cache_root/audit-6.12/linux-source-6.12}
[ -f "$ksrc/Makefile" ] || {
	echo "run-seeded.sh: no kernel tree at $ksrc (run make bench-audit once, or pass KSRC)" >&2
	exit 2
}
ksrc=$(cd "$ksrc" && pwd -P)
copy=$(mktemp -d "$cache_root/seeded.XXXXXX")
trap 'rm -rf "$copy"' EXIT
cp -al "$ksrc/." "$copy/"
grep -v '^#' "$here/seeds.patch" | patch -s -p1 -d "$copy"
mapfile -t files < <(grep '^+++ b/' "$here/seeds.patch" | sed 's#^+++ b/##')
set +e
"$top/analysis/kmap-audit-tree" --ksrc "$copy" --flags-cache-key "$ksrc" \
	--format json "${files[@]}" >"$copy/.findings.jsonl"
rc=$?
set -e
got=$("${PYTHON:-/usr/bin/python3}" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print("%s:%d %s" % (d["file"], d["line"], d["kind"]))' "$copy/.findings.jsonl")
want=$(grep -v '^#' "$here/expected.txt")
if [ "$rc" != 1 ] || [ "$got" != "$want" ]; then
	echo "FAIL seeded defects (exit $rc):"
	diff <(echo "$want") <(echo "$got") || true
	exit 1
fi
echo "analysis seeded: $(echo "$want" | wc -l) defects seeded into $(basename "$ksrc"), all found, nothing else"
