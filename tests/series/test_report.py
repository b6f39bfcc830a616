# SPDX-License-Identifier: GPL-2.0-only
"""report.md for reviewers: the rewritten functions with the kind of
change, the non-trivial ones first, and what ran on the patch."""

import json

import series_fixture as fx
from kmapconv import report, series


def rewritten(function, path, notes, line=10):
    return {"file": path, "line": line, "column": 1, "function": function,
            "api": "kmap_atomic", "class": "thread-local",
            "action": "rewritten", "reasons": [], "rewrite": notes,
            "page": "p", "address": "a", "unmaps": [line + 2]}


def test_non_trivial_rewrites_come_first():
    f = fx.findings()
    f.sites = [
        rewritten("plain", "fs/a/a.c", ["kmap_atomic() -> kmap_local_page()",
                                        "kunmap_atomic(a) -> kunmap_local(a) "
                                        "at line 12"]),
        rewritten("swapped", "fs/z/z.c", [
            "kmap_atomic() -> kmap_local_page()",
            "unmaps at lines 12 and 13 swapped into LIFO order"]),
        rewritten("copies", "fs/m/m.c", [
            "kmap_atomic() + memcpy() + kunmap_atomic() -> memcpy_to_page(); "
            "a is no longer needed; the copy stays in one page: len = "
            "PAGE_SIZE"]),
        rewritten("faults", "fs/m/m.c", [
            "explicit pagefault_disable()/pagefault_enable() around the "
            "mapped region (kmap_atomic() did it implicitly)"], line=40),
    ]
    text = report.render(f)
    section = text.split("## Rewritten functions (4)\n", 1)[1].split(
        "\n## ", 1)[0]
    rows = [l for l in section.split("\n") if l.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "`copies()`", "`faults()`", "`swapped()`", "`plain()`"]
    assert rows[0].endswith("| memcpy/memzero/clear helper |")
    assert rows[1].endswith("| explicit pagefault_disable() |")
    assert rows[2].endswith("| unmaps swapped into LIFO order |")
    assert rows[3].endswith("| rename |")


def test_testing_paragraph_only_from_what_ran(tmp_path):
    f = fx.findings()
    assert [" ".join(p.split()) for p in series.testing(f, None)] == [
        "Not build-tested or audited yet: no make verify or kmap-audit "
        "results for this series were found."]
    assert "## Testing" in report.render(f, series.testing(f, None))
    verify = {"patch": {"sha256": "0" * 64}, "arches": ["i386"],
              "config": {"i386": {"base": "allmodconfig", "required": [
                  "CONFIG_HIGHMEM", "CONFIG_DEBUG_KMAP_LOCAL"]}},
              "files": [{"file": "fs/a.c"}],
              "counts": {"i386": {"ok": 1, "broken": 0,
                                  "fails-without-patch": 0,
                                  "not-built": 0}}}
    (tmp_path / "verify.json").write_text(json.dumps(verify))
    # verify.json of another patch says nothing about this one.
    assert "Build-tested" not in " ".join(series.testing(f, str(tmp_path)))
    verify["patch"]["sha256"] = series._sha256(f.patch)
    (tmp_path / "verify.json").write_text(json.dumps(verify))
    said = " ".join(" ".join(series.testing(f, str(tmp_path))).split())
    assert ("Build-tested: every .c file the series changes was compiled "
            "with the series applied, i386 (allmodconfig with "
            "CONFIG_HIGHMEM, CONFIG_DEBUG_KMAP_LOCAL): 1 built, 0 broken by "
            "the patch") in said
    assert "kmap-audit" not in said
    # A file audited whose sites all ended unconverted is not counted.
    f.audit = {"rounds": [{"audited": ["fs/top.c", "mm/epsilon.c",
                                       "fs/zeta/zeta.c"]}],
               "demoted": [], "partly_audited": []}
    said = " ".join(" ".join(series.testing(f, str(tmp_path))).split())
    assert "audited the 2 rewritten .c files: it found nothing the " \
        "conversion introduced." in said
    assert "could not audit" not in said
    f.audit["not_audited"] = [{"file": "fs/c.c", "reason": "no flags"}]
    said = " ".join(" ".join(series.testing(f, str(tmp_path))).split())
    assert "It could not audit 1 file: fs/c.c." in said
    f.audit["proved"] = [{"file": "fs/top.c"}]
    said = " ".join(" ".join(series.testing(f, str(tmp_path))).split())
    assert "conversion introduced, and it proved the paths of 1 converted " \
        "site that the semantic patch could not follow." in said
    # An audit that could not run claims nothing.
    f.audit = {"unavailable": "no configuration", "withdrawn": []}
    said = " ".join(" ".join(series.testing(f, None)).split())
    assert "kmap-audit" in said and "audited the" not in said


def test_a_refused_candidate_is_no_demotion():
    """The audit's refusal of a candidate rewrite (never in the patch) and
    its demotion of a rewritten function are told apart, as the sections
    below the rounds count them."""
    audit = {"rounds": [{"round": 1, "audited": ["a.c", "b.c"], "new": [],
                         "denied": [{"file": "a.c", "function": "f",
                                     "scope": "function"},
                                    {"file": "b.c", "function": "g",
                                     "scope": "unproven"},
                                    {"file": "b.c", "function": "h",
                                     "scope": "unproven"}]}],
             "proved": [], "unproved": [], "demoted": [], "unchecked": [],
             "held_back": [], "pre_existing": [], "partly_audited": [],
             "not_audited": [], "functions_demoted": 1}
    text = "\n".join(report._audit_section(audit))
    assert ("- round 1: 2 files audited (rewritten, or holding a candidate "
            "rewrite), 0 new findings, 1 rewritten functions demoted, 2 "
            "candidate rewrites refused") in text


def test_every_kind_of_change_has_a_label_and_a_sentence():
    """A kind the report cannot name would be filed as a rename."""
    from kmapconv import message
    kinds = [k for k, _rx in message.KINDS]
    assert set(report.KIND_LABELS) == set(kinds)
    assert set(kinds) - {"helper", "folio"} <= set(message.CHANGES)
