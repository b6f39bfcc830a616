# SPDX-License-Identifier: GPL-2.0-only
"""Tests of the eval metrics (tools/kmapconv/evaluate.py).

Two tiny trees stand in for 6.1 and 6.12, with one function per case:
a match, a miss, a folio call that only agrees after normalisation, a
conversion that differs from upstream's, functions gone or still legacy
upstream.  "Our" patch is the diff to a hand-written converted a.c, so
every number below is known exactly.  The lister is the real
semantic-patches/mapping_calls.cocci run by real spatch.
"""

import difflib
import json
from pathlib import Path

import pytest

from kmapconv import evaluate, outdir
from kmapconv.errors import KmapconvError
from testlib import run_module

REPO = Path(__file__).resolve().parents[2]
LISTER = str(REPO / "semantic-patches" / "mapping_calls.cocci")


def fn(name, body):
    return "static void %s(struct page *page, char *buf)\n{\n%s}\n\n" % (
        name, "".join("\t%s\n" % line for line in body))


LEGACY = ["char *p = kmap(page);", "p[0] = 0;", "kunmap(page);"]
LOCAL = ["char *p = kmap_local_page(page);", "p[0] = 0;", "kunmap_local(p);"]
FOLIO = ["char *p = kmap_local_folio(page_folio(page), 0);", "p[0] = 0;",
         "kunmap_local(p);"]
ATOMIC = ["char *p = kmap_atomic(page);", "p[0] = 0;", "kunmap_atomic(p);"]
COPY_LEGACY = ["char *p = kmap(page);", "memcpy(buf, p, 8);",
               "kunmap(page);"]
COPY_HELPER = ["memcpy_from_page(buf, page, 0, 8);"]
NO_MAP = ["char *p = page_address(page);", "p[0] = 0;"]

# 6.1: every function maps with kmap()/kmap_atomic().
BASE_A = (fn("match_fn", LEGACY) + fn("miss_fn", ATOMIC)
          + fn("folio_fn", LEGACY) + fn("diff_fn", COPY_LEGACY)
          + fn("gone_fn", LEGACY) + fn("legacy_fn", LEGACY)
          + fn("legacy_ours_fn", LEGACY) + fn("nomap_fn", LEGACY))
# 6.12: what upstream made of them.
UP_A = (fn("match_fn", LOCAL) + fn("miss_fn", LOCAL)
        + fn("folio_fn", FOLIO) + fn("diff_fn", COPY_HELPER)
        + fn("legacy_fn", LEGACY) + fn("legacy_ours_fn", LEGACY)
        + fn("nomap_fn", NO_MAP) + fn("new_fn", LOCAL))
# Ours: miss_fn and legacy_fn left alone, the rest kmap_local_page().
OURS_A = (fn("match_fn", LOCAL) + fn("miss_fn", ATOMIC)
          + fn("folio_fn", LOCAL) + fn("diff_fn", ["char *p = "
                                                   "kmap_local_page(page);",
                                                   "memcpy(buf, p, 8);",
                                                   "kunmap_local(p);"])
          + fn("gone_fn", LOCAL) + fn("legacy_fn", LEGACY)
          + fn("legacy_ours_fn", LOCAL) + fn("nomap_fn", LEGACY))
# A file upstream removed, and one without any mapping.
BASE_B = fn("b_fn", LEGACY)
PLAIN = fn("plain_fn", ["buf[0] = 0;"])


def write_tree(root, files):
    for path, text in files.items():
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    (root / "Kconfig").write_text("")
    return root


def unified(path, old, new):
    return "".join(difflib.unified_diff(
        old.splitlines(True), new.splitlines(True),
        "a/" + path, "b/" + path))


SITES = [{"file": "fs/x/a.c", "line": 14, "column": 12,
          "function": "miss_fn", "api": "kmap_atomic",
          "class": "nesting-sensitive", "action": "manual",
          "reasons": ["relies on disabled pagefaults"]}]


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eval")
    base = write_tree(tmp / "base", {"fs/x/a.c": BASE_A,
                                     "fs/x/b.c": BASE_B,
                                     "fs/x/c.c": PLAIN})
    up = write_tree(tmp / "up", {"fs/x/a.c": UP_A, "fs/x/c.c": PLAIN})
    patch = tmp / "kmap-local.patch"
    patch.write_text(unified("fs/x/a.c", BASE_A, OURS_A))
    return base, up, patch


@pytest.fixture(scope="module")
def result(trees):
    base, up, patch = trees
    return evaluate.evaluate(str(base), str(up), "fs", str(patch), SITES,
                             jobs=2, timeout=60, lister=LISTER)


def test_counts_are_exact(result):
    assert result["base_functions"] == 9
    assert result["upstream"] == {"converted": 4, "legacy": 2,
                                  "no-mapping-calls": 1, "gone": 2,
                                  "unanalysed": 0}
    # match, folio and diff lose their kmap(); miss keeps kmap_atomic().
    assert (result["covered"], result["coverage"]) == (3, 0.75)
    # match and folio (after kmap_local_folio -> kmap_local_page).
    assert (result["agreed"], result["agreement"]) == (2, 0.5)
    assert (result["agreed_raw"], result["agreement_raw"]) == (1, 0.25)
    assert result["ours_converted"] == 5
    assert result["patched_files"] == 1
    assert result["unanalysed"] == {"base": {}, "upstream": {},
                                    "patched": {}}


def test_every_miss_listed_with_what_we_did(result):
    misses = {m["function"]: m for m in result["misses"]}
    assert sorted(misses) == ["diff_fn", "miss_fn"]
    miss = misses["miss_fn"]
    assert miss["file"] == "fs/x/a.c"
    assert not miss["covered"] and miss["why"] == "not converted"
    assert miss["upstream"] == {"kmap_local_page": 1, "kunmap_local": 1}
    assert miss["ours"] == {"kmap_atomic": 1, "kunmap_atomic": 1}
    assert miss["sites"] == [{"line": 14, "api": "kmap_atomic",
                              "class": "nesting-sensitive",
                              "action": "manual",
                              "reasons": ["relies on disabled pagefaults"]}]
    diff = misses["diff_fn"]
    assert diff["covered"]
    assert diff["why"] == "converted, but with other calls than upstream"
    assert diff["upstream"] == {"memcpy_from_page": 1}
    assert diff["ours"] == {"kmap_local_page": 1, "kunmap_local": 1}
    assert diff["sites"] == []


def test_only_ours_says_what_upstream_did(result):
    assert [(e["file"], e["function"], e["upstream_status"], e["upstream"])
            for e in result["only_ours"]] == [
        ("fs/x/a.c", "gone_fn", "gone", None),
        ("fs/x/a.c", "legacy_ours_fn", "legacy",
         {"kmap": 1, "kunmap": 1})]


def test_report_states_normalisation_and_misses(result):
    r = dict(result, subsys="fs", ksrc="base", base_version="6.1",
             upstream_tree="up", upstream_version="6.12", patch="p",
             version="0")
    md = evaluate.render(r)
    assert "kmap_local_folio → kmap_local_page" in md
    assert "| coverage | 0.750 (3/4) |" in md
    assert "- `fs/x/a.c:miss_fn`: not converted." in md
    assert "line 14, kmap_atomic: nesting-sensitive, manual; relies" in md
    assert "`fs/x/a.c:gone_fn`: gone upstream (file or function not " \
        "found). Upstream: (not found). Ours: kmap_local_page, " \
        "kunmap_local." in md
    assert evaluate.summary(r).startswith(
        "eval fs: coverage 0.750 (3/4), agreement 0.500 (2/4) against 6.12")


def test_empty_patch_covers_nothing(trees, tmp_path):
    base, up, _ = trees
    empty = tmp_path / "empty.patch"
    empty.write_text("")
    r = evaluate.evaluate(str(base), str(up), "fs", str(empty), [],
                          jobs=1, timeout=60, lister=LISTER)
    assert (r["covered"], r["agreed"], r["ours_converted"]) == (0, 0, 0)
    assert len(r["misses"]) == r["upstream"]["converted"] == 4
    assert r["only_ours"] == []


def test_patch_that_does_not_apply_is_an_error(trees, tmp_path):
    base, up, _ = trees
    bad = tmp_path / "bad.patch"
    bad.write_text(unified("fs/x/a.c", OURS_A, BASE_A))
    with pytest.raises(KmapconvError, match="does not apply"):
        evaluate.evaluate(str(base), str(up), "fs", str(bad), [],
                          jobs=1, timeout=60, lister=LISTER)
    # The pristine tree is never written.
    assert (base / "fs/x/a.c").read_text() == BASE_A


def test_patch_paths():
    text = ("--- a/fs/x.c\t2024\n+++ b/fs/x.c\t2024\n@@ -1,2 +1 @@\n"
            "--- not a header\n-x\n+y\n"
            "--- /dev/null\n+++ b/fs/new.c\n@@ -0,0 +1 @@\n+z\n")
    assert evaluate.patch_paths(text) == (["fs/x.c"], ["fs/x.c", "fs/new.c"])
    with pytest.raises(KmapconvError):
        evaluate.patch_paths("--- a/../x.c\n+++ b/../x.c\n")


# convert's analysis, reduced to "every site is manual": the CLI tests
# check the eval plumbing, not kmap_local.cocci (tested elsewhere).
# "patch" is declared because convert may run it with -D patch.
MANUAL_COCCI = r"""
virtual json
virtual patch

@r@
identifier fn = {kmap, kmap_atomic};
expression e;
position p;
@@
fn@p(e)

@script:python depends on json@
fn << r.fn;
p << r.p;
@@
import json
print(json.dumps({"file": p[0].file, "line": int(p[0].line),
                  "column": int(p[0].column) + 1,
                  "function": p[0].current_element, "api": fn,
                  "class": "nesting-sensitive", "reasons": ["test"]}))
"""


@pytest.fixture(scope="module")
def manual_cocci(tmp_path_factory):
    path = tmp_path_factory.mktemp("cocci") / "manual.cocci"
    path.write_text(MANUAL_COCCI)
    return str(path)


def run_cli(cocci, *args):
    return run_module("kmapconv", "eval", "--cocci", cocci, *args)


def test_cli_runs_convert_then_eval(trees, manual_cocci, tmp_path):
    base, up, _ = trees
    out = tmp_path / "out"
    args = ("--ksrc", str(base), "--subsys", "fs", "--out", str(out),
            "--upstream", str(up))
    res = run_cli(manual_cocci, "--jobs", "2", *args)
    assert res.returncode == 0, res.stderr
    # convert's own patch is empty: nothing covered, every one a miss.
    assert res.stdout.startswith(
        "kmapconv: eval fs: coverage 0.000 (0/4), agreement 0.000 (0/4)")
    assert res.stdout.count("\n") == 1
    data = json.loads((out / "eval.json").read_text())
    assert data["normalisation"]["kmap_local_folio"] == "kmap_local_page"
    misses = {m["function"]: m for m in data["misses"]}
    assert sorted(misses) == ["diff_fn", "folio_fn", "match_fn", "miss_fn"]
    # What we did comes from the sites.jsonl convert just wrote.
    assert [(s["api"], s["class"], s["action"])
            for s in misses["miss_fn"]["sites"]] == [
        ("kmap_atomic", "nesting-sensitive", "manual")]
    assert (out / "eval.md").read_text().startswith("<!-- SPDX")
    # eval.* are kmapconv's own files: a later run may replace OUT.
    outdir.check(str(out), str(base))


def test_cli_bad_upstream_is_exit_2(trees, manual_cocci, tmp_path):
    base, _, _ = trees
    out = tmp_path / "out"
    res = run_cli(manual_cocci, "--ksrc", str(base), "--subsys", "fs",
                  "--out", str(out), "--upstream", str(tmp_path / "nope"))
    assert res.returncode == 2
    assert res.stderr.startswith("kmapconv: upstream ")
    assert res.stderr.count("\n") == 1
    assert not out.exists()


def test_normalise_folio_twins():
    """Folio calls count as their page twins; folio_release_kmap is the
    unmap; folio_zero_tail (memset through the caller's mapping) is no
    mapping call."""
    got = evaluate.normalise({"kmap_local_folio": 2, "folio_release_kmap": 1,
                              "kunmap_local": 1, "folio_zero_tail": 1,
                              "folio_zero_segment": 1})
    assert got == {"kmap_local_page": 2, "kunmap_local": 2,
                   "memzero_page": 1}
