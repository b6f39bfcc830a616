# SPDX-License-Identifier: GPL-2.0-only
"""convert --verify (make convert VERIFY=1): kmap-audit audits convert's
own rewrite, and the functions it newly flags end up manual.

A small fake tree (written here, not kernel source) with a
compile_commands.json, so kmap-audit needs no kernel configuration:

- uaf.c: use_after() reads the address after kunmap(), which kmap()
  forgives and a local mapping does not: the semantic patch rewrites it,
  the audit flags the rewrite, VERIFY makes it manual.  clean() next to
  it stays rewritten.
- stale.c: stale() uses a kmap_atomic() address after its unmap before
  any rewrite: the audit flags it with and without the patch, so it is
  not held against the rewrite.
- pair.c: two kmap_atomic()s unmapped out of order; the rewrite swaps
  the unmaps and the audit, which flags the original, is content.

Then the gate's own rules on stubbed audits (parse errors, findings
that outlast the rounds, failures), the patched view, the time limit,
and real 6.1 code: fs/qnx6 with a use after unmap seeded into a
function the semantic patch rewrites, audited with the kernel's
allmodconfig flags.
"""

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kerneltree import audit as audit_client
from kmapconv import (auditgate, cache, ksrc, outdir,
                      patchedcopy, settings)
from kmapconv.convert import analyse, prepare

from testlib import REPO, TARBALL_61, needs_file, run_module


HIGHMEM_H = """\
/* SPDX-License-Identifier: GPL-2.0-only */
/* The few highmem declarations the fixtures use, in the kernel's shapes. */
#ifndef FIXTURE_HIGHMEM_H
#define FIXTURE_HIGHMEM_H
struct page;
void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_atomic(struct page *page);
void *kmap_local_page(struct page *page);
void __kunmap_atomic(const void *addr);
void __kunmap_local(const void *addr);
#define kunmap_atomic(addr) __kunmap_atomic(addr)
#define kunmap_local(addr) __kunmap_local(addr)
#endif
"""

UAF_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int consume(const char *p);

int use_after(struct page *page)
{
	char *addr = kmap(page);
	int r;

	r = addr[0];
	kunmap(page);
	return r + consume(addr);
}

int clean(struct page *page)
{
	char *addr = kmap(page);
	int r = consume(addr);

	kunmap(page);
	return r;
}
"""

# What uaf.c must look like with OUT/kmap-local.patch applied: clean()
# converted, use_after() left alone.
UAF_C_PATCHED = UAF_C.replace("""\
	char *addr = kmap(page);
	int r = consume(addr);

	kunmap(page);""", """\
	char *addr = kmap_local_page(page);
	int r = consume(addr);

	kunmap_local(addr);""")

STALE_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int consume(const char *p);

int stale(struct page *page)
{
	char *x = kmap_atomic(page);
	int r = x[0];

	kunmap_atomic(x);
	return r + consume(x);
}
"""

PAIR_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int consume(const char *p);

int pair(struct page *a, struct page *b)
{
	char *x = kmap_atomic(a);
	char *y = kmap_atomic(b);
	int r = consume(x) + consume(y);

	kunmap_atomic(x);
	kunmap_atomic(y);
	return r;
}
"""

# The declarations the fixtures below use, and guarded(), whose unmap is
# under the map's own guard: every path unmaps, which only the audit can
# show.
GUARDED = """\
int guarded(struct page *page)
{
	char *addr;

	if (PageHighMem(page))
		addr = kmap_atomic(page);
	else
		addr = page_address(page);
	consume(addr);
	if (PageHighMem(page)) {
		kunmap_atomic(addr);
		return 1;
	}
	return 0;
}
"""

PRELUDE = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int PageHighMem(const struct page *page);
void *page_address(const struct page *page);
int consume(const char *p);
"""

# Paths the semantic patch cannot follow.  guarded(): the unmap under
# the map's own guard, the page unchanged, so no path leaks; leaky(): the
# early return does leave the page mapped.  (other: a second mapping in
# leaky(), unmapped on every path, that the semantic patch proves.)
JUDGE_C = PRELUDE + "\n" + GUARDED + """\

int leaky(struct page *page, struct page *page2, int len)
{
	char *addr = kmap_atomic(page);
	char *other = kmap_atomic(page2);

	kunmap_atomic(other);
	if (len > 16)
		return -1;
	consume(addr);
	kunmap_atomic(addr);
	return 0;
}
"""

SOURCES = {"fs/demo/uaf.c": UAF_C, "fs/demo/stale.c": STALE_C,
           "fs/demo/pair.c": PAIR_C}

STALE_AS_IS = ("'x' passed to consume() after kunmap_atomic() at line 11 "
               "released its mapping")
USE_AFTER_FINDING = ("'addr' passed to consume() after kunmap_local() at "
                     "line 12 released its mapping")


def kmapconv(*args, env=None):
    return run_module("kmapconv", *args, env=dict(os.environ, **(env or {})))


def write_tree(root, sources):
    """A fake kernel tree: sources, the header, compile_commands.json."""
    (root / "include" / "linux").mkdir(parents=True)
    (root / "include" / "linux" / "highmem.h").write_text(HIGHMEM_H)
    (root / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    for path, text in sources.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    (root / "compile_commands.json").write_text(json.dumps([
        {"directory": str(root), "file": str(root / path),
         "arguments": ["gcc", "-nostdinc", "-I%s/include" % root, "-c",
                       "-o", path[:-2] + ".o", str(root / path)]}
        for path in sources if path.endswith(".c")]))
    return root


def snapshot(root):
    """Every path below root with its bytes' hash and mtime."""
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns,
                   hashlib.sha256(p.read_bytes()).hexdigest()
                   if p.is_file() else "")
                  for p in root.rglob("*"))


def read_sites(out):
    return {(s["file"], s["function"], s["line"]): s
            for s in map(json.loads, (out / "sites.jsonl").open())}


@pytest.fixture(scope="module", autouse=True)
def built():
    audit_client.ensure_built()


@pytest.fixture()
def tree(tmp_path):
    return write_tree(tmp_path / "linux", SOURCES)


@pytest.fixture()
def cache_env(tmp_path):
    return {"KMAPCONV_CACHE": str(tmp_path / "cache")}


def convert(tree, out, *extra, env=None):
    return kmapconv("convert", "--ksrc", tree, "--subsys", "fs", "--out",
                    out, "--jobs", "2", *extra, env=env)


# -- the whole run on the fixture --------------------------------------------

def test_verify_demotes_what_the_audit_flags(tree, tmp_path, cache_env):
    before = snapshot(tree)
    out = tmp_path / "out"
    proc = convert(tree, out, "--verify", env=cache_env)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(tree) == before         # KSRC never written

    sites = read_sites(out)
    flagged = sites[("fs/demo/uaf.c", "use_after", 8)]
    assert flagged["action"] == "manual"
    assert "rewrite" not in flagged
    assert flagged["suggestion"] == (
        "kmap-audit flags the rewritten use_after(): use-after-unmap at "
        "line 13 of the rewritten file: " + USE_AFTER_FINDING
        + "; convert it by hand")
    assert flagged["reasons"][-1] == (
        "kmap-audit on the rewritten use_after(): use-after-unmap at line "
        "13 of the rewritten file: " + USE_AFTER_FINDING)
    assert sites[("fs/demo/uaf.c", "clean", 18)]["action"] == "rewritten"
    # Flagged before the rewrite too: not the rewrite's doing, but it
    # would carry the bug into the lines it changes, which a maintainer
    # does not take: fixed first, then converted.
    stale = sites[("fs/demo/stale.c", "stale", 8)]
    assert stale["action"] == "manual" and "rewrite" not in stale
    assert stale["reasons"][-1] == (
        "kmap-audit on the rewritten stale(): use-after-unmap at line 12 of "
        "the code as it is: " + STALE_AS_IS + "; " + auditgate.CARRIED)
    assert stale["suggestion"] == (
        "fix the use of the address after its unmap first (line 12: " +
        STALE_AS_IS + "): every use before the unmap; then convert")
    # Flagged before the rewrite, clean after (the unmaps are swapped).
    assert [sites[("fs/demo/pair.c", "pair", n)]["action"]
            for n in (8, 9)] == ["rewritten", "rewritten"]

    # The patch, applied: use_after() untouched, clean() converted.
    applied = tmp_path / "applied"
    shutil.copytree(tree, applied)
    subprocess.run(["patch", "-p1", "-s", "-d", str(applied), "-i",
                    str(out / "kmap-local.patch")], check=True)
    assert (applied / "fs/demo/uaf.c").read_text() == UAF_C_PATCHED

    audit = json.loads((out / "audit.json").read_text())
    assert audit["converged"] is True
    assert [r["audited"] for r in audit["rounds"]] == [
        ["fs/demo/pair.c", "fs/demo/stale.c", "fs/demo/uaf.c"],
        ["fs/demo/uaf.c"]]
    assert audit["rounds"][0]["new"] == [{
        "file": "fs/demo/uaf.c", "line": 13, "column": 21,
        "function": "use_after", "kind": "use-after-unmap",
        "message": USE_AFTER_FINDING, "demotes": ["use_after"]}]
    # As found in the code as it is: kunmap_atomic(), its lines.
    assert audit["rounds"][0]["carried"] == [{
        "file": "fs/demo/stale.c", "line": 12, "column": 21,
        "function": "stale", "kind": "use-after-unmap",
        "message": STALE_AS_IS, "demotes": ["stale"]}]
    assert [(d["file"], d["function"], d["scope"])
            for d in audit["rounds"][0]["denied"]] == [
        ("fs/demo/stale.c", "stale", "sites"),
        ("fs/demo/uaf.c", "use_after", "function")]
    assert audit["rounds"][1]["new"] == []
    assert [(d["file"], d["line"], d["function"], d["round"])
            for d in audit["demoted"]] == [
        ("fs/demo/stale.c", 8, "stale", 1),
        ("fs/demo/uaf.c", 8, "use_after", 1)]
    assert audit["functions_demoted"] == 2
    assert audit["held_back"] == []
    # stale.c is no longer in the patch: no note on its code.
    assert audit["pre_existing"] == []

    summary = ("audit: kmap-audit proved 0 sites the semantic patch "
               "could not, left 0 manual, and flagged 2 rewritten sites in "
               "2 functions, now manual (2 audit rounds)")
    assert summary in proc.stdout
    report = (out / "report.md").read_text()
    assert summary in report
    assert "- `fs/demo/uaf.c:8 use_after()` (round 1): kmap-audit flags" \
        in report


def test_cache_keeps_denied_and_plain_results_apart(tree, tmp_path,
                                                    cache_env):
    out = tmp_path / "out"
    first = convert(tree, out, "--verify", env=cache_env)
    assert first.returncode == 0, first.stderr
    verified = {n: (out / n).read_text() for n in
                ("sites.jsonl", "kmap-local.patch", "report.md",
                 "audit.json")}
    # Without the audit, from the same cache: use_after() is rewritten
    # again (a result with candidates or denials never stands for a
    # plain one), and the audit.json of the verified run goes.
    plain = convert(tree, out, "--no-verify", env=cache_env)
    assert plain.returncode == 0, plain.stderr
    assert "3 files analysed, 0 from the cache" in plain.stdout
    assert read_sites(out)[("fs/demo/uaf.c", "use_after", 8)][
        "action"] == "rewritten"
    assert not (out / "audit.json").exists()
    # --verify again: everything from the cache, the same outputs.
    again = convert(tree, out, "--verify", env=cache_env)
    assert again.returncode == 0, again.stderr
    assert {n: (out / n).read_text() for n in verified} == dict(
        verified, **{"audit.json": verified["audit.json"].replace(
            '"spatch_reruns": 2', '"spatch_reruns": 0')})


def test_nothing_rewritten_nothing_audited(tmp_path, cache_env):
    only_stale = write_tree(tmp_path / "linux", {
        "fs/demo/kept.c": STALE_C.replace("return r + consume(x);",
                                          "return r;").replace(
            "kunmap_atomic(x);", "stash(x);").replace(
            "int consume(const char *p);", "void stash(char *p);")})
    out = tmp_path / "out"
    proc = convert(only_stale, out, "--verify", env=cache_env)
    assert proc.returncode == 0, proc.stderr
    audit = json.loads((out / "audit.json").read_text())
    assert audit["rounds"] == [] and audit["demoted"] == []
    assert "kmap-audit proved 0 sites the semantic patch could not, left " \
        "0 manual, and flagged 0 rewritten sites in 0 functions, now " \
        "manual (0 audit rounds)" in proc.stdout


def test_audit_tool_failure_is_one_line(tree, tmp_path, cache_env):
    (tree / "compile_commands.json").unlink()   # no flags: must prepare
    (tree / "Makefile").write_text("all:\n\tfalse\n")
    out = tmp_path / "out"
    proc = convert(tree, out, "--verify", env=cache_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "kmapconv: kmap-audit cannot judge the rewrite: kmap-audit-tree: ")
    assert len(proc.stderr.splitlines()) == 1
    assert not out.exists()


def test_by_default_an_audit_that_cannot_run_is_reported(tmp_path,
                                                        cache_env):
    """Without --verify the audit judges when it can; when it cannot, the
    run goes on with the semantic patch's own verdicts and says why."""
    tree = write_tree(tmp_path / "linux", {"fs/demo/judge.c": JUDGE_C})
    (tree / "compile_commands.json").unlink()
    (tree / "Makefile").write_text("all:\n\tfalse\n")
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    sites = read_sites(out)
    for key in (("fs/demo/judge.c", "guarded", 13),
                ("fs/demo/judge.c", "leaky", 26)):
        assert sites[key]["action"] == "manual"
        assert "unproven" not in sites[key] and "proved" not in sites[key]
        assert "no unmap on it that this script sees" in \
            sites[key]["reasons"][0]
    # Only leaky()'s second mapping, which the semantic patch proves.
    patch = (out / "kmap-local.patch").read_text()
    assert patch.count("+\t") == 2
    assert "+\tchar *other = kmap_local_page(page2);" in patch
    audit = json.loads((out / "audit.json").read_text())
    assert audit["unavailable"].startswith(
        "kmap-audit cannot judge the rewrite: kmap-audit-tree: ")
    assert audit["withdrawn"] == ["fs/demo/judge.c"]
    assert "; no audit (kmap-audit cannot judge" in proc.stdout
    assert "kmap-audit could not judge the rewrite" in (
        out / "report.md").read_text()


def test_the_audit_judges_what_the_semantic_patch_could_not_follow(
        tmp_path, cache_env):
    tree = write_tree(tmp_path / "linux", {"fs/demo/judge.c": JUDGE_C})
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    sites = read_sites(out)
    # The unmap under the repeated guard: every path proved.
    proved = sites[("fs/demo/judge.c", "guarded", 13)]
    assert proved["action"] == "rewritten"
    assert proved["class"] == "thread-local"
    assert proved["proved"] == [
        "the path returning at line 21 may leave it mapped: no unmap on "
        "it that this script sees, though the unmap at line 18 lies before "
        "that return (under a condition, in a loop, on another branch, or "
        "of an address the script does not tie to this mapping)"]
    assert "unproven" not in proved
    assert proved["reasons"][-1].startswith(
        "kmap-audit followed every path of guarded() in the rewritten "
        "file: none leaves the mapping live")
    # A real leak on the error path: the audit's finding is the reason,
    # and the advice is to read that path, not to convert.
    refuted = sites[("fs/demo/judge.c", "leaky", 26)]
    assert refuted["action"] == "manual"
    assert refuted["reasons"] == [
        "kmap-audit on the candidate rewrite of leaky(): leak at line 31 "
        "of the rewritten file: the mapping from kmap_local_page() at "
        "line 26 is still live when the function returns here"]
    assert refuted["suggestion"].startswith(
        "read the path kmap-audit names: if it can happen")
    # The site next to it that the semantic patch proved stays rewritten.
    assert sites[("fs/demo/judge.c", "leaky", 27)]["action"] == "rewritten"
    patch = (out / "kmap-local.patch").read_text()
    assert "+\t\taddr = kmap_local_page(page);" in patch
    assert "-\tchar *addr = kmap_atomic(page);" not in patch
    assert "+\tchar *other = kmap_local_page(page2);" in patch

    audit = json.loads((out / "audit.json").read_text())
    assert [(p["function"], p["line"]) for p in audit["proved"]] == [
        ("guarded", 13)]
    assert [(u["function"], u["line"], u["round"])
            for u in audit["unproved"]] == [("leaky", 26, 1)]
    assert audit["demoted"] == []
    assert [(r["function"], r["kind"]) for r in audit["rounds"][0][
        "refuted"]] == [("leaky", "leak")]
    assert [d["scope"] for d in audit["rounds"][0]["denied"]] == [
        "unproven"]
    assert "kmap-audit proved 1 sites the semantic patch could not, left " \
        "1 manual, and flagged 0 rewritten sites" in proc.stdout
    report = (out / "report.md").read_text()
    assert "### Sites the audit proved (1)" in report

    # Without the audit both stay manual with the semantic patch's words.
    plain = convert(tree, tmp_path / "plain", "--no-verify", env=cache_env)
    assert plain.returncode == 0, plain.stderr
    sites = read_sites(tmp_path / "plain")
    assert [sites[("fs/demo/judge.c", f, n)]["action"]
            for f, n in (("guarded", 13), ("leaky", 26))] == [
        "manual", "manual"]
    assert "make convert's audit" in sites[
        ("fs/demo/judge.c", "guarded", 13)]["suggestion"]


# A kmap() that the success path hands on: a helper of the file keeps
# the address in the caller's packet, for another function to unmap; only
# the error path unmaps.  Silence from the audit (the mapping left the
# function's frame, so no leak) is no proof: it stays manual.
HANDED_ON_C = PRELUDE + """\

struct pkt {
	void *addr;
};

static void to_frags(struct pkt *pkt, void *addr)
{
	pkt->addr = addr;
}

int coalesce(struct pkt *pkt, struct page *page, int len)
{
	char *mpage = kmap(page);

	if (len > 16) {
		kunmap(page);
		return -1;
	}
	to_frags(pkt, mpage);
	return 0;
}
"""


def test_a_mapping_a_helper_keeps_for_another_function_is_not_proved(
        tmp_path, cache_env):
    tree = write_tree(tmp_path / "linux", {"fs/demo/handed.c": HANDED_ON_C})
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    site = read_sites(out)[("fs/demo/handed.c", "coalesce", 19)]
    assert site["action"] == "manual"
    assert "was not audited whole: the mapping it makes at line 19 is " \
        "still live when the function returns here, stored outside its " \
        "frame" in " ".join(site["reasons"])
    assert site["suggestion"].startswith(
        "the mapping leaves the function kept in an object")
    assert "kmap_local_page" not in (out / "kmap-local.patch").read_text()


# Sites manual for another reason (a call through a function pointer in
# the kmap_atomic() region) that also have paths the script cannot
# follow: hooked() unmaps under the map's own guard, hooked_leak()
# returns early with the page mapped.
HOOKED_C = PRELUDE + """\

int hooked(struct page *page, int (*op)(char *))
{
	char *addr;
	int r;

	if (PageHighMem(page))
		addr = kmap_atomic(page);
	else
		addr = page_address(page);
	r = op(addr);
	if (PageHighMem(page)) {
		kunmap_atomic(addr);
		return r + 1;
	}
	return r;
}

int hooked_leak(struct page *page, int (*op)(char *), int len)
{
	char *addr = kmap_atomic(page);
	int r = op(addr);

	if (len > 16)
		return -1;
	kunmap_atomic(addr);
	return r;
}
"""

POINTER_CALL = "calls through a function pointer in the kmap_atomic() region"


def test_the_audit_judges_the_paths_of_sites_manual_for_other_reasons(
        tmp_path, cache_env):
    tree = write_tree(tmp_path / "linux", {"fs/demo/hooked.c": HOOKED_C})
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    sites = read_sites(out)
    proved = sites[("fs/demo/hooked.c", "hooked", 14)]
    assert proved["action"] == "manual"
    assert proved["reasons"][0].startswith(POINTER_CALL)
    assert proved["reasons"][1:] == [
        "kmap-audit followed every path from this map in hooked(), in the "
        "code as it is: each unmaps it (the script alone could not show "
        "it)"]
    assert proved["suggestion"].startswith(
        "read every function the pointer can name")
    refuted = sites[("fs/demo/hooked.c", "hooked_leak", 27)]
    assert refuted["action"] == "manual"
    assert refuted["reasons"][0].startswith(POINTER_CALL)
    assert refuted["reasons"][1:] == [
        "kmap-audit finds a path that leaves it mapped in the code as it "
        "is: leak at line 31: the mapping from kmap_atomic() at line 27 is "
        "still live when the function returns here"]
    assert refuted["suggestion"].startswith(
        "read the path kmap-audit names: if it can happen")
    assert not any("unfollowed" in s for s in sites.values())
    assert (out / "kmap-local.patch").read_text() == ""
    audit = json.loads((out / "audit.json").read_text())
    assert [(j["function"], j["line"], j["verdict"])
            for j in audit["paths_judged"]] == [
        ("hooked", 14, "proved"), ("hooked_leak", 27, "refuted")]
    report = (out / "report.md").read_text()
    assert "### Paths of manual sites the audit judged (2)" in report
    assert "`fs/demo/hooked.c:14 hooked()`: every path unmaps it" in report

    # Without the audit, the script's own words.
    plain = convert(tree, tmp_path / "plain", "--no-verify", env=cache_env)
    assert plain.returncode == 0, plain.stderr
    plain_sites = read_sites(tmp_path / "plain")
    for key, tail in ((("hooked", 14), ", though the unmap at line 19 lies "
                       "before that return (under a condition, in a loop, on "
                       "another branch, or of an address the script does not "
                       "tie to this mapping)"),
                      (("hooked_leak", 27), "")):
        site = plain_sites[("fs/demo/hooked.c",) + key]
        assert site["reasons"][-1].endswith(
            "may leave it mapped: no unmap on it that this script sees" +
            tail)
        assert "unfollowed" not in site


# Code the audit cannot check under its configuration: compiled out.
# copy() is proved by the semantic patch alone and stays rewritten,
# labelled unchecked; guarded() needs the audit to prove its paths, so
# without a check it is manual.
UNCHECKED_C = PRELUDE + """\

#ifdef CONFIG_NOT_IN_THIS_CONFIGURATION
int copy(struct page *page)
{
	char *addr = kmap_atomic(page);
	int r = consume(addr);

	kunmap_atomic(addr);
	return r;
}

""" + GUARDED + """\
#endif
"""


def test_code_the_audit_cannot_check_keeps_the_scripts_verdict(
        tmp_path, cache_env):
    tree = write_tree(tmp_path / "linux", {"fs/demo/off.c": UNCHECKED_C})
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    sites = read_sites(out)
    kept = sites[("fs/demo/off.c", "copy", 11)]
    assert kept["action"] == "rewritten"
    assert kept["unchecked"] == (
        "copy() uses kmap_local_page() but was not audited: it is "
        "preprocessed out (#if) under this configuration")
    assert kept["reasons"][-1] == (
        "kmap-audit could not check copy() (it is preprocessed out (#if) "
        "under this configuration): this rewrite rests on the semantic "
        "patch's reasoning alone")
    # The candidate needed the audit's proof, and did not get it.
    refuted = sites[("fs/demo/off.c", "guarded", 23)]
    assert refuted["action"] == "manual"
    assert "unchecked" not in refuted and "proved" not in refuted
    assert refuted["suggestion"].startswith(
        "kmap-audit could not check this function")
    patch = (out / "kmap-local.patch").read_text()
    assert "+\tchar *addr = kmap_local_page(page);" in patch
    assert "+\t\taddr = kmap_local_page(page);" not in patch
    audit = json.loads((out / "audit.json").read_text())
    assert [(u["function"], u["line"]) for u in audit["unchecked"]] == [
        ("copy", 11)]
    assert audit["demoted"] == []
    assert [(u["function"], u["line"]) for u in audit["unproved"]] == [
        ("guarded", 23)]
    assert "1 rewritten sites in 1 functions it could not check rest on " \
        "the semantic patch alone" in proc.stdout
    report = (out / "report.md").read_text()
    assert "### Rewritten sites the audit could not check (1)" in report
    message = next((out / "series").glob("0001-*.patch")).read_text()
    assert "kmap-audit could not check copy() under its configurations" \
        in " ".join(message.split())


# -- which findings are new, and what they demote --------------------------

def finding(function, kind, message, line=10):
    return {"file": "fs/a.c", "line": line, "column": 2,
            "function": function, "kind": kind, "message": message}


def lifo(unmap, first, line):
    return finding("f", "lifo-order",
                   "%s() releases the mapping from line %d while the "
                   "mapping from line %d, made later, is still live"
                   % (unmap, first, first + 1), line=line)


def missing_header(tree):
    return finding("", "parse-error", "1 error; first: %s/fs/a.h:5:10: "
                   "'x.h' file not found" % tree, line=1)


def test_pre_existing_findings_match_across_the_rewrite():
    before = [lifo("kunmap_atomic", 8, 12), missing_header("/src/linux")]
    after = [lifo("kunmap_local", 18, 22), lifo("kunmap_local", 30, 32),
             missing_header("/tmp/view"),
             finding("g", "leak", "the mapping from kmap_local_page() at "
                     "line 3 is still live when the function ends")]
    new, kept = auditgate.split_new(before, after,
                                    ("/tmp/view", "/src/linux"))
    # One lifo-order in f() was there before; the second is new.
    assert new == [after[1], after[3]]
    assert kept == [after[0], after[2]]


def test_more_parse_errors_after_the_rewrite_are_new():
    before = [finding("", "parse-error", "2 errors; first: expected ')'")]
    after = [finding("", "parse-error", "3 errors; first: expected ')'")]
    assert auditgate.split_new(before, after)[0] == after


@pytest.mark.parametrize("found, demoted", [
    (finding("f", "leak", "m"), ["f"]),
    # A function the patch did not rewrite: its file's rewrites did it.
    (finding("h", "leak", "m"), ["f", "g"]),
    (finding("", "parse-error", "1 error"), ["f", "g"]),
    (finding("f", "parse-error", "1 error"), ["f", "g"]),
    (finding("", auditgate.AUDIT_FAILED, "crash"), ["f", "g"]),
])
def test_what_a_new_finding_demotes(found, demoted):
    assert auditgate.targets(found, {"f", "g"}) == demoted


def test_deny_env_goes_after_spatch_env():
    assert auditgate.with_env(["env", "A=1", "spatch", "-x"], "D", "/d") \
        == ["env", "D=/d", "A=1", "spatch", "-x"]
    assert auditgate.with_env(["spatch"], "D", "/d") == [
        "env", "D=/d", "spatch"]
    # a name given again takes the new value
    assert auditgate.with_env(["env", "D=/old", "A=1", "spatch"], "D", "/d") \
        == ["env", "D=/d", "A=1", "spatch"]


def test_denials_are_part_of_the_cache_key(tmp_path):
    (tmp_path / "a.c").write_text("int a;\n")
    plain = cache.ResultCache.key(str(tmp_path), "a.c", [])
    entry = {"file": "a.c", "function": "f", "reason": "r"}
    keys = [auditgate.DeniedCache("0" * 64, 120, str(tmp_path / "c"),
                                  denials).key(str(tmp_path), "a.c", [])
            for denials in ({}, {"a.c": [entry]},
                            {"a.c": [dict(entry, reason="s")]})]
    assert len({plain, *keys}) == 4


# -- the gate's rules, on audits stubbed by file content ---------------------

class ScriptedAudit:
    """audit_client.audit stand-in: findings by (round tree, file)."""

    def __init__(self, ksrc_dir, rule):
        self.ksrc = ksrc_dir
        self.rule = rule            # (patched, path, text) -> findings
        self.calls = []

    def __call__(self, tree, files, key, jobs):
        assert key == self.ksrc
        patched = tree != self.ksrc
        self.calls.append((patched, list(files)))
        out = {}
        for path in files:
            text = (Path(tree) / path).read_text()
            found = self.rule(patched, path, text)
            for f in found:
                f["file"] = path        # as audit_client.audit names them
            out[path] = audit_client.FileAudit(found)
        return out


def gate_on(tree, rule, monkeypatch):
    monkeypatch.setattr(audit_client, "audit", ScriptedAudit(str(tree), rule))
    monkeypatch.setattr(audit_client, "ensure_built", lambda: None)
    target = prepare(str(tree), "fs")
    return analyse(target, 2, 120, str(REPO / "semantic-patches"
                                       / "kmap_local.cocci"),
                   settings.UNCACHED, verify=True)


def test_new_parse_error_demotes_the_whole_file(tree, monkeypatch):
    def rule(patched, path, text):
        if patched and path.endswith("uaf.c") and "kmap(" not in text:
            return [finding("", "parse-error", "1 error; first: boom")]
        return []

    found = gate_on(tree, rule, monkeypatch)
    actions = {(s["function"]): s["action"] for s in found.sites
               if s["file"] == "fs/demo/uaf.c"}
    # Both of uaf.c's functions go; once neither is rewritten the file
    # parses again (kmap( is back), and the other files are untouched.
    assert actions == {"use_after": "manual", "clean": "manual"}
    assert "fs/demo/uaf.c" not in found.patch
    assert "fs/demo/pair.c" in found.patch
    assert [len(r["denied"]) for r in found.audit["rounds"]] == [2]
    assert found.audit["converged"] is True


MANY_C = "// SPDX-License-Identifier: GPL-2.0-only\n" \
    "#include <linux/highmem.h>\n\nint consume(const char *p);\n" + "".join(
        """
int f%d(struct page *page)
{
	char *addr = kmap(page);
	int r = consume(addr);

	kunmap(page);
	return r;
}
""" % n for n in range(1, 6))


def first_local_function(text):
    """The first function of MANY_C's layout that maps locally."""
    for chunk in text.split("\nint ")[1:]:
        if "kmap_local_page" in chunk:
            return chunk.split("(")[0]
    return None


def test_findings_after_the_last_round_hold_the_file_back(tmp_path,
                                                          monkeypatch):
    # Each round the audit flags another function of many.c: the
    # rounds demote f1() to f3(), then the file leaves the patch whole
    # (f4() and f5() with it).
    tree = write_tree(tmp_path / "linux", {"fs/demo/many.c": MANY_C,
                                           "fs/demo/pair.c": PAIR_C})

    def rule(patched, path, text):
        function = first_local_function(text) if patched else None
        return [finding(function, "leak", "in %s" % function)] \
            if function and path.endswith("many.c") else []

    found = gate_on(tree, rule, monkeypatch)
    audit = found.audit
    assert audit["converged"] is False
    assert [[d["function"] for d in r["denied"]]
            for r in audit["rounds"]] == [["f1"], ["f2"], ["f3"], []]
    assert len(audit["rounds"]) == auditgate.MAX_ROUNDS
    assert audit["held_back"] == [{
        "file": "fs/demo/many.c",
        "reason": "leak in f4() at line 10 of the rewritten file: in f4"}]
    assert "fs/demo/many.c" not in found.patch
    assert "fs/demo/pair.c" in found.patch
    actions = {s["function"]: s["action"] for s in found.sites
               if s["file"] == "fs/demo/many.c"}
    assert actions == dict.fromkeys(("f1", "f2", "f3", "f4", "f5"),
                                    "manual")
    f4 = [s for s in found.sites if s["function"] == "f4"][0]
    assert f4["suggestion"].startswith(
        "kmap-audit still flags the rewritten file: leak in f4() at line 10 "
        "of the rewritten file: in f4; convert it by hand: kmap() -> "
        "kmap_local_page()")
    assert [(d["function"], d["round"]) for d in audit["demoted"]] == [
        ("f1", 1), ("f2", 2), ("f3", 3), ("f4", 4), ("f5", 4)]


def test_pre_existing_failures_are_listed_not_held_against(tree,
                                                           monkeypatch):
    monkeypatch.setattr(audit_client, "ensure_built", lambda: None)

    def broken(tree_dir, files, key, jobs):
        return {p: audit_client.FileAudit([], "kmap-audit-tree exit 2: crash")
                if p.endswith("stale.c") else audit_client.FileAudit()
                for p in files}

    monkeypatch.setattr(audit_client, "audit", broken)
    target = prepare(str(tree), "fs")
    found = analyse(target, 2, 120, str(REPO / "semantic-patches"
                                        / "kmap_local.cocci"),
                    settings.UNCACHED, verify=True)
    assert found.audit["not_audited"] == [{
        "file": "fs/demo/stale.c", "reason": "kmap-audit-tree exit 2: crash"}]
    assert found.audit["demoted"] == []
    assert "fs/demo/stale.c" in found.patch


def test_pre_existing_parse_errors_mark_files_partly_audited(tree,
                                                             monkeypatch):
    def rule(patched, path, text):
        return [finding("", "parse-error", "2 errors; first: 'os.h' file "
                        "not found", line=1)] if path.endswith("pair.c") \
            else []

    found = gate_on(tree, rule, monkeypatch)
    assert found.audit["demoted"] == []
    assert found.audit["partly_audited"] == [{
        "file": "fs/demo/pair.c", "rewritten_sites": 2,
        "parse_error": "2 errors; first: 'os.h' file not found"}]
    assert "fs/demo/pair.c" in found.patch


# -- pieces ------------------------------------------------------------------

def test_patched_view_links_everything_but_the_patched_files(tree,
                                                             tmp_path):
    before = snapshot(tree)
    patch = tmp_path / "p.patch"
    patch.write_text("--- a/fs/demo/pair.c\n+++ b/fs/demo/pair.c\n"
                     "@@ -8 +8 @@\n-\tchar *x = kmap_atomic(a);\n"
                     "+\tchar *x = kmap_local_page(a);\n")
    view = tmp_path / "view"
    assert patchedcopy.make(str(tree), str(view), str(patch)) == [
        "fs/demo/pair.c"]
    assert snapshot(tree) == before
    assert "kmap_local_page(a)" in (view / "fs/demo/pair.c").read_text()
    assert not (view / "fs/demo/pair.c").is_symlink()
    assert (view / "fs/demo/uaf.c").is_symlink()
    assert (view / "include").is_symlink()
    assert not (view / "fs").is_symlink()
    compdb = json.loads((view / "compile_commands.json").read_text())
    assert {e["file"] for e in compdb} == {
        str(view / p) for p in SOURCES}


def test_publish_none_removes_a_stale_file(tmp_path):
    out = tmp_path / "out"
    outdir.publish(str(out), {"report.md": "1\n", "audit.json": "{}\n"})
    outdir.publish(str(out), {"report.md": "2\n", "audit.json": None})
    assert sorted(os.listdir(out)) == ["report.md"]


# -- real code ----------------------------------------------------------------

TARBALL = TARBALL_61
QNX6 = "fs/qnx6/inode.c"
# A use of the root directory's entries after qnx6_put_page(), the
# kunmap() helper: harmless with kmap(), fatal with a local mapping.
SEED = ("\tqnx6_put_page(page);\n\tif (error)\n",
        "\tqnx6_put_page(page);\n\tif (!dir_entry[0].de_fname[0])\n"
        "\t\terror = 1;\n\tif (error)\n")


def seeded_tree(tree61, tmp_path):
    """A KSRC for the test: links into the 6.1 tree (patchedcopy's view),
    fs/qnx6 copied, SEED planted in inode.c, and a compile_commands.json
    with the flags kmap-audit-tree uses for the 6.1 tree (prepared once
    into the cache), so that the seeded copy needs no configuration."""
    text = (tree61 / QNX6).read_text()
    assert text.count(SEED[0]) == 1
    seed = tmp_path / "seed.patch"
    seed.write_text("".join(difflib.unified_diff(
        text.splitlines(True), text.replace(*SEED).splitlines(True),
        "a/" + QNX6, "b/" + QNX6)))
    tree = tmp_path / "linux"
    patchedcopy.make(str(tree61), str(tree), str(seed))
    for entry in (tree / "fs/qnx6").iterdir():
        if entry.is_symlink():
            entry.unlink()
            shutil.copyfile(tree61 / "fs/qnx6" / entry.name, entry)
    flags = subprocess.run(
        [audit_client.audit_tree(), "--ksrc", tree61, "--print-flags", QNX6],
        check=True, capture_output=True, text=True).stdout.split("\n")
    flags = [f.replace(str(tree61), str(tree)) for f in flags if f]
    (tree / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tree), "file": str(tree / QNX6),
        "arguments": ["clang-14"] + flags + ["-c", str(tree / QNX6)]}]))
    return tree


@pytest.mark.real_kernel
@needs_file(TARBALL, "linux-source-6.1")
def test_real_code_with_a_seeded_use_after_unmap(tmp_path):
    tree61 = Path(ksrc.unpack(TARBALL))
    tree = seeded_tree(tree61, tmp_path)
    out = tmp_path / "out"
    proc = kmapconv("convert", "--ksrc", tree, "--subsys", "fs/qnx6",
                    "--out", out, "--jobs", "2", "--verify")
    assert proc.returncode == 0, proc.stderr
    sites = {s["function"]: s for s in map(json.loads,
                                           (out / "sites.jsonl").open())}
    assert sites["qnx6_iget"]["action"] == "rewritten"
    seeded = sites["qnx6_checkroot"]
    assert seeded["action"] == "manual"
    assert seeded["suggestion"].startswith(
        "kmap-audit flags the rewritten qnx6_checkroot(): use-after-unmap "
        "at line ")
    assert "'dir_entry' dereferenced after kunmap_local()" in \
        seeded["suggestion"]
    audit = json.loads((out / "audit.json").read_text())
    assert [r["audited"] for r in audit["rounds"]] == [[QNX6], [QNX6]]
    assert [d["function"] for d in audit["demoted"]] == ["qnx6_checkroot"]
    assert audit["pre_existing"] == [] and audit["not_audited"] == []
    assert "qnx6_iget" in (out / "kmap-local.patch").read_text()


@pytest.mark.real_kernel
@needs_file(TARBALL, "linux-source-6.1")
def test_real_code_the_audit_proves_what_the_script_could_not_follow(
        tmp_path):
    """Two memstick hosts map a page only for long requests and unmap
    under the same test: the semantic patch sees a path that skips the
    unmap, kmap-audit (with the kernel's i386 allmodconfig flags) proves
    it cannot leave the page mapped."""
    tree61 = ksrc.unpack(TARBALL)
    out = tmp_path / "out"
    proc = kmapconv("convert", "--ksrc", tree61, "--subsys",
                    "drivers/memstick/host", "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    sites = {(s["file"], s["function"]): s for s in map(
        json.loads, (out / "sites.jsonl").open())}
    for key in (("drivers/memstick/host/tifm_ms.c", "tifm_ms_transfer_data"),
                ("drivers/memstick/host/jmb38x_ms.c",
                 "jmb38x_ms_transfer_data")):
        site = sites[key]
        assert site["action"] == "rewritten", site
        assert site["proved"][0].startswith("the path returning at line ")
        assert site["reasons"][-1].startswith(
            "kmap-audit followed every path of %s()" % key[1])
    patch = (out / "kmap-local.patch").read_text()
    assert "+\t\t\tkunmap_local(buf - p_off);" in patch
    audit = json.loads((out / "audit.json").read_text())
    assert len(audit["proved"]) == 2 and audit["unproved"] == []


def test_an_audit_that_hangs_is_stopped_whole(tmp_path, monkeypatch):
    # A stand-in for kmap-audit-tree that starts a child and hangs: the
    # time limit ends both (the child's pid file is its proof of life).
    script = tmp_path / "hang"
    script.write_text("#!/bin/sh\nsleep 300 >/dev/null 2>&1 &\n"
                      "echo $! > %s/child\nwait\n" % tmp_path)
    script.chmod(0o755)
    monkeypatch.setattr(audit_client, "audit_tree", lambda: str(script))
    result = audit_client.audit_file(str(tmp_path), "a.c", "k", limit=1)
    assert result.failure == "kmap-audit-tree did not finish in 1 s"
    child = (tmp_path / "child").read_text().strip()
    stat = Path("/proc", child, "stat")

    def ended():
        # Gone, or dead and waiting for init to reap it.
        try:
            return stat.read_text().split(") ")[1][0] == "Z"
        except FileNotFoundError:
            return True

    # SIGKILL is delivered asynchronously: on a busy machine the child can
    # still read as running just after killpg() returns.  Not a time
    # bound on the code: the deadline only keeps a surviving child from
    # stalling the suite.
    deadline = time.monotonic() + 30
    while not ended() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended()


def test_a_deny_list_in_the_environment_is_ignored(tree, tmp_path,
                                                   cache_env):
    deny = tmp_path / "deny.jsonl"
    deny.write_text(json.dumps({"file": "fs/demo/uaf.c",
                                "function": "clean", "reason": "r"}) + "\n")
    out = tmp_path / "out"
    proc = convert(tree, out, env=dict(cache_env, KMAP_LOCAL_DENY=str(deny)))
    assert proc.returncode == 0, proc.stderr
    assert read_sites(out)[("fs/demo/uaf.c", "clean", 18)][
        "action"] == "rewritten"


def test_terminal_summary_has_a_verify_line():
    from kmapconv import progress
    from kmapconv.findings import Findings
    found = Findings("t", "fs", "0", "6.1", "c", "0" * 64, audit={
        "demoted": [{}, {}], "functions_demoted": 1,
        "held_back": [], "rounds": [{}, {}]})
    lines = progress.summary_block(found, 1.0).splitlines()
    assert lines[-2] == ("kmapconv: verify:   2 rewritten sites in 1 "
                         "functions flagged by kmap-audit, now manual; 0 "
                         "files held back; 2 audit rounds")
    found.audit = None
    assert not [l for l in progress.summary_block(found, 1.0).splitlines()
                if "verify:" in l]


def test_flags_are_prepared_from_ksrc_before_any_view(tree, tmp_path,
                                                      monkeypatch):
    # kmap-audit-tree's configuration names the tree it was prepared
    # from; prepared from a view it would name a deleted directory.  A
    # logging stand-in shows the order of the calls.
    (tree / "compile_commands.json").unlink()
    log = tmp_path / "calls"
    script = tmp_path / "audit-tree"
    script.write_text('#!/bin/sh\necho "$@" >> %s\n' % log)
    script.chmod(0o755)
    monkeypatch.setattr(audit_client, "audit_tree", lambda: str(script))
    monkeypatch.setattr(audit_client, "ensure_built", lambda: None)
    analyse(prepare(str(tree), "fs"), 2, 120, str(
        REPO / "semantic-patches" / "kmap_local.cocci"), settings.UNCACHED,
        verify=True)
    ksrc_dir = os.path.realpath(tree)
    calls = [c.split() for c in log.read_text().splitlines()]
    # First KSRC's configuration and the flags of every file to audit
    # (one kbuild run), then the views.
    assert calls[0][:5] == ["--ksrc", ksrc_dir, "--flags-cache-key",
                            ksrc_dir, "--print-flags"]
    assert sorted(calls[0][5:]) == sorted(SOURCES)
    # Then the three rewritten files, each in the view, keyed by KSRC.
    assert sorted(c[-1] for c in calls[1:]) == sorted(SOURCES)
    for call in calls[1:]:
        assert call[call.index("--flags-cache-key") + 1] == ksrc_dir
        assert call[call.index("--ksrc") + 1] != ksrc_dir


def test_broken_flags_stop_the_run(tree, tmp_path, cache_env):
    # A forced -include that is not there: every file would "fail to
    # parse after the rewrite"; the run stops instead of demoting.
    compdb = json.loads((tree / "compile_commands.json").read_text())
    for entry in compdb:
        entry["arguments"][1:1] = ["-include", str(tree / "missing.h")]
    (tree / "compile_commands.json").write_text(json.dumps(compdb))
    out = tmp_path / "out"
    proc = convert(tree, out, "--verify", env=cache_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "kmapconv: kmap-audit cannot judge the rewrite: kmap-audit-tree's "
        "compiler flags do not work (fs/demo/")
    assert len(proc.stderr.splitlines()) == 1
    assert not out.exists()


def test_a_not_audited_note_after_the_rewrite_is_not_new(tree,
                                                         monkeypatch):
    # pair() used only kmap_atomic() before; the audit notes it could
    # not check the rewritten pair() (its note is not new: the rewrite
    # cannot compile a function out, and a compile error it brings is a
    # new parse error).  The semantic patch's verdict stands, labelled.
    note = "pair() uses kmap_local_page() but was not audited: it " \
        "contains a compile error under this configuration"

    def rule(patched, path, text):
        if patched and path.endswith("pair.c"):
            return [finding("pair", "not-audited", note, line=6)]
        return []

    found = gate_on(tree, rule, monkeypatch)
    pair = [s for s in found.sites if s["function"] == "pair"]
    assert [s["action"] for s in pair] == ["rewritten", "rewritten"]
    assert all(s["unchecked"] == note for s in pair)
    assert found.audit["demoted"] == []
    assert [(u["function"], u["note"]) for u in found.audit[
        "unchecked"]] == [("pair", note), ("pair", note)]
    assert "fs/demo/pair.c" in found.patch
    assert auditgate.targets(finding("pair", "leak", "m"), {"pair"}) == [
        "pair"]
    parse_error = {"kind": "parse-error", "function": "", "line": 1,
                   "message": "1 error"}
    assert auditgate.targets(parse_error, {"f", "g"}) == ["f", "g"]

# -- callees beside the file ----------------------------------------------------

CALLER = """// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int host_write(unsigned int h, char *buf, unsigned int len);

int write_page(struct page *page, unsigned int h, unsigned int len)
{
	char *kaddr = kmap(page);
	int err = host_write(h, kaddr, len);

	kunmap(page);
	return err;
}
"""

HOST = """// SPDX-License-Identifier: GPL-2.0-only
#include <linux/types.h>

struct host_parms { unsigned long addr; unsigned int len; };
int host_call(unsigned int h, struct host_parms *p);

int host_write(unsigned int h, char *buf, unsigned int len)
{
	struct host_parms p;

	p.len = len;
	p.addr = %s;
	return host_call(h, &p);
}
"""


def test_a_callee_in_another_file_that_needs_a_linear_address(
        tmp_path, cache_env):
    """make convert reads, in the tree, the definitions of the callees a
    rewritten kmap() site gives its address to (spatch sees reduced
    copies elsewhere): one that keeps the buffer as (uintptr_t)buf for a
    host keeps the site kmap().  The answer follows the callee's file,
    cache or not."""
    tree = write_tree(tmp_path / "linux", {
        "fs/demo/caller.c": CALLER,
        "fs/demo/host.c": HOST % "0"})
    out = tmp_path / "out"
    proc = convert(tree, out, "--no-verify", env=cache_env)
    assert proc.returncode == 0, proc.stderr
    site = read_sites(out)[("fs/demo/caller.c", "write_page", 8)]
    assert site["action"] == "rewritten" and "callees" not in site

    (tree / "fs/demo/host.c").write_text(HOST % "(uintptr_t)buf")
    proc = convert(tree, out, "--no-verify", env=cache_env)
    assert proc.returncode == 0, proc.stderr
    site = read_sites(out)[("fs/demo/caller.c", "write_page", 8)]
    assert site["action"] == "manual" and "callees" not in site
    assert site["reasons"][0].startswith(
        "host_write() at line 9 is given the address, and its definition "
        "beside this file turns it into a page or a number")
    assert "kmap_local_page" not in (out / "kmap-local.patch").read_text()


CHECKER = """// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

int page_is_clear(struct page *page);

int copy_if_clear(struct page *page, char *buf)
{
	char *kaddr = kmap(page);
	int clear;

	memcpy(buf, kaddr, 16);
	clear = page_is_clear(page);
	kunmap(page);
	return clear;
}
"""

CHECKS = """// SPDX-License-Identifier: GPL-2.0-only
#include <linux/mm.h>

int page_is_clear(struct page *page)
{
	char *contents = page_address(page);

	return !memchr_inv(contents, 0, PAGE_SIZE);
}
"""


def test_a_callee_beside_it_that_reads_the_lent_page_through_page_address(
        tmp_path):
    """The page lent to a function in another file of the directory that
    reads it with page_address(), which finds a highmem page's kmap()
    mapping and not a local one: the site keeps kmap()."""
    tree = write_tree(tmp_path / "linux", {"fs/demo/caller.c": CHECKER,
                                           "fs/demo/checks.c": CHECKS})
    out = tmp_path / "out"
    proc = convert(tree, out, "--no-verify")
    assert proc.returncode == 0, proc.stderr
    site = read_sites(out)[("fs/demo/caller.c", "copy_if_clear", 8)]
    assert site["action"] == "manual"
    assert site["reasons"][0].startswith(
        "page_is_clear() at line 12 is given the page, and its definition "
        "beside this file reaches its contents with page_address()")
    assert "kmap_local_page" not in (out / "kmap-local.patch").read_text()


# A function whose code uses one address after its unmap, and maps
# another cleanly: only the first site's lines carry the bug.
CARRIED_C = PRELUDE + """\

int two(struct page *a, struct page *b)
{
	char *v = kmap_atomic(a);
	char *w;
	int r = v[0];

	kunmap_atomic(v);
	r += consume(v);
	w = kmap_atomic(b);
	r += consume(w);
	kunmap_atomic(w);
	return r;
}
"""


def test_a_bug_the_code_had_keeps_only_its_own_site_manual(tmp_path,
                                                           cache_env):
    tree = write_tree(tmp_path / "linux", {"fs/demo/two.c": CARRIED_C})
    out = tmp_path / "out"
    proc = convert(tree, out, env=cache_env)
    assert proc.returncode == 0, proc.stderr
    sites = read_sites(out)
    v = next(s for k, s in sites.items() if k[1] == "two" and
             s["address"] == "v")
    w = next(s for k, s in sites.items() if k[1] == "two" and
             s["address"] == "w")
    assert v["action"] == "manual" and w["action"] == "rewritten"
    assert v["reasons"][-1].startswith(
        "kmap-audit on the rewritten two(): use-after-unmap at line ")
    assert v["reasons"][-1].endswith(auditgate.CARRIED)
    assert v["suggestion"].startswith("fix the use of the address after "
                                      "its unmap first (line 15: 'v' passed "
                                      "to consume() after kunmap_atomic()")
    assert not any("use-after-unmap" in r for r in w["reasons"])
    patch = (out / "kmap-local.patch").read_text()
    assert "+\tw = kmap_local_page(b);" in patch
    assert "kmap_local_page(a)" not in patch
