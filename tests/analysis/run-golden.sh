#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-golden.sh BINARY [--update | --one-process]
#
# Golden tests of kmap-audit: for every cases/X.c, the text output must be
# cases/X.txt and the JSON lines cases/X.jsonl, the SARIF output must be
# valid JSON naming the same findings, and the exit status must be 2 if
# X.txt reports a parse error, 1 if it reports anything else, 0 if empty.
# KMAP_AUDIT_WRAP (e.g. "valgrind -q --error-exitcode=99") runs the binary
# under a tool.  --update rewrites the expected files (review the diff!).
# --one-process audits all cases in a single run (JSON) and compares with
# the concatenated expected files: one start-up for slow tools (valgrind).
set -u

bin=$1
update=${2-}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2
[ -x "$bin" ] || { echo "run-golden.sh: no binary $bin" >&2; exit 2; }
wrap=${KMAP_AUDIT_WRAP:-}
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

if [ "$update" = --one-process ]; then
	export LC_ALL=C
	# shellcheck disable=SC2086
	$wrap "$bin" --format json cases/*.c -- -Iinclude -std=gnu11 \
		>"$tmp/all.jsonl" 2>"$tmp/all.err"
	rc=$?
	cat cases/*.jsonl >"$tmp/want.jsonl"
	if [ "$rc" != 2 ]; then
		echo "FAIL one process: exit status $rc, expected 2 (a case has a parse error)"
		cat "$tmp/all.err"
		exit 1
	fi
	if ! diff -u "$tmp/want.jsonl" "$tmp/all.jsonl"; then
		echo "FAIL one process: findings differ from the expected files"
		exit 1
	fi
	echo "analysis golden: $(ls cases/*.c | wc -l) cases pass in one process${wrap:+ (under $wrap)}"
	exit 0
fi

run() {
	# shellcheck disable=SC2086
	$wrap "$bin" --format "$1" --name "$2" "$2" -- -Iinclude -std=gnu11 \
		>"$3" 2>"$3.err"
}

for c in cases/*.c; do
	base=${c%.c}
	n=$((n + 1))
	run text "$c" "$tmp/out.txt"
	rc=$?
	run json "$c" "$tmp/out.jsonl"
	rc_json=$?
	run sarif "$c" "$tmp/out.sarif"
	rc_sarif=$?
	if [ "$update" = --update ]; then
		cp "$tmp/out.txt" "$base.txt"
		cp "$tmp/out.jsonl" "$base.jsonl"
		continue
	fi
	want=0
	[ -s "$base.txt" ] && want=1
	grep -q '\[kmap-parse-error\]' "$base.txt" && want=2
	why=
	if ! diff -u "$base.txt" "$tmp/out.txt" >"$tmp/diff"; then
		why="text output differs:"$'\n'"$(cat "$tmp/diff")"
	elif ! diff -u "$base.jsonl" "$tmp/out.jsonl" >"$tmp/diff"; then
		why="JSON output differs:"$'\n'"$(cat "$tmp/diff")"
	elif [ "$rc" != "$want" ] || [ "$rc_json" != "$want" ] ||
	     [ "$rc_sarif" != "$want" ]; then
		why="exit status $rc/$rc_json/$rc_sarif, expected $want"
	elif ! "$py" - "$tmp/out.sarif" "$base.jsonl" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
assert sarif["version"] == "2.1.0"
results = sarif["runs"][0]["results"]
want = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
        r["message"]["text"]) for r in results]
exp = [("kmap-" + w["kind"], max(w["line"], 1), w["message"]) for w in want]
assert got == exp, (got, exp)
rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
assert all(g[0] in rules for g in got)
PY
	then
		why="SARIF output does not match the JSON findings"
	elif [ -s "$tmp/out.txt.err" ]; then
		why="unexpected stderr: $(head -5 "$tmp/out.txt.err")"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $c: $why"
		fail=$((fail + 1))
	fi
done
if [ "$update" = --update ]; then
	echo "updated $n cases; review with git diff"
	exit 0
fi
echo "analysis golden: $((n - fail))/$n cases pass${wrap:+ (under $wrap)}"
[ "$fail" -eq 0 ]
