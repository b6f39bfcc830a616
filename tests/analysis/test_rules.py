# SPDX-License-Identifier: GPL-2.0-only
"""The audit's rule catalogue has one source, analysis/rules.tsv: the
kmap-audit binary's SARIF rules and the review's rules are made from it,
so neither can describe a kind differently."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
BIN = TOP / "analysis" / "build" / "kmap-audit"
CATALOGUE = TOP / "analysis" / "rules.tsv"
sys.path.insert(0, str(TOP / "reports"))

from kmapreview import rules  # noqa: E402


def catalogue():
    rows = []
    for line in CATALOGUE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, level, short, full = line.split("\t")
        rows.append((kind, level, short, full))
    return rows


@pytest.fixture(scope="module", autouse=True)
def built():
    subprocess.run(["make", "-s", "analysis"], cwd=TOP, check=True)


def test_binary_rules_are_the_catalogue(tmp_path):
    empty = tmp_path / "empty.c"
    empty.write_text("void f(void) {}\n")
    out = subprocess.run([str(BIN), "--format", "sarif", str(empty)],
                         capture_output=True, text=True, check=True).stdout
    got = [(r["id"], r["defaultConfiguration"]["level"],
            r["shortDescription"]["text"], r["fullDescription"]["text"])
           for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]]
    assert got == [("kmap-" + k, level, short, full)
                   for k, level, short, full in catalogue()]


def test_review_rules_are_the_catalogue():
    rows = catalogue()
    assert rules.AUDIT_KINDS == tuple(k for k, _, _, _ in rows)
    for kind, _, short, full in rows:
        r = rules.rule(kind)
        assert (r.short, r.full) == (short, full)
    # What the audit could not check is unproven, not a defect.
    assert rules.rule("not-audited").level == "warning"
    assert rules.rule("leak").level == "error"


def test_every_kind_reported_is_catalogued():
    """The kinds the sources report (audit_report() in the checks,
    findings_add() elsewhere) are all in the catalogue."""
    src = "".join(p.read_text() for p in
                  (TOP / "analysis" / "src").rglob("*.c"))
    reported = set(re.findall(r'audit_report\(a, "([a-z-]+)"', src))
    reported |= set(re.findall(r'"(parse-error|not-audited)"', src))
    assert len(reported) >= 10
    assert reported == {k for k, _, _, _ in catalogue()}
