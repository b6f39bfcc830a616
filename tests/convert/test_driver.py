# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of the kmapconv driver (tools/kmapconv).

They run the driver as "python3 -m kmapconv" on a tiny fake kernel tree
built in tmp_path, with real spatch and GNU parallel.  The driver tests
use a small test semantic patch (classes chosen by function name), so
they check the driver and not the classification; the tests at the end
run whatever semantic-patches/kmap_local.cocci holds on a real subset
of the kernel.
"""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from kmapconv import ksrc as ksrc_mod
from testlib import REPO, SEMANTIC_PATCH, TARBALL_61, cannot_run, run_module
from kmapconv import sites as sites_mod
from kmapconv import batches as batches_mod
from kmapconv import groups as groups_mod
from kmapconv import spatch as spatch_mod

REAL_COCCI = SEMANTIC_PATCH
FIND_CALLS = REPO / "semantic-patches" / "find_calls.cocci"
TARBALL = TARBALL_61

# Classifies by function name so tests know the expected class:
# ns_* nesting-sensitive, ct_* cross-thread, anything else thread-local.
# A function named crash_* makes the Python rule fail (a broken file).
# The extra key checks that keys beyond the schema survive, in order.
TEST_COCCI = r"""
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
f = p[0].current_element
if f.startswith("crash_"):
    raise Exception("test cocci refuses " + f)
cls = ("nesting-sensitive" if f.startswith("ns_") else
       "cross-thread" if f.startswith("ct_") else "thread-local")
print(json.dumps({"file": p[0].file, "line": int(p[0].line),
                  "column": int(p[0].column) + 1, "function": f,
                  "api": fn, "class": cls,
                  "reasons": ["test reason for %s" % f], "probe": "extra"}))
"""

# The bare search for bench's floor, same output without a class.
TEST_FIND_CALLS = r"""
@r@
identifier fn = {kmap, kmap_atomic};
expression e;
position p;
@@
fn@p(e)

@script:python@
fn << r.fn;
p << r.p;
@@
import json
print(json.dumps({"file": p[0].file, "line": int(p[0].line),
                  "column": int(p[0].column) + 1,
                  "function": p[0].current_element, "api": fn}))
"""

# A function spatch cannot parse ("x = (;"): spatch silently skips it, so
# its kmap() call must show up as unmatched.
BROKEN_C = """\
int br_fine(struct page *page)
{
	void *q = kmap_atomic(page);

	kunmap_atomic(q);
	return 0;
}

int br_broken(struct page *page)
{
	char *p = kmap(page);

	if (p) {
		x = (;
	}
	kunmap(page);
	return 0;
}
"""

FAKE_TREE = {
    "Makefile": "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n",
    "Kconfig": "mainmenu \"fake\"\n",
    # Definitions of the API itself are not calls.
    "include/linux/highmem.h": """\
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H
static inline void *kmap(struct page *page)
{
	return page_address(page);
}
static inline void *kmap_atomic(struct page *page);
#define kmap_flush_unused() do {} while (0)
#endif
""",
    "drivers/foo/tl.c": """\
#include <linux/highmem.h>

int tl_copy(struct page *page, char *buf)
{
	char *p = kmap(page);

	memcpy(buf, p, 16);
	kunmap(page);
	return 0;
}

void tl_atomic(struct page *page)
{
	char *q = kmap_atomic(page);

	q[0] = 0;
	kunmap_atomic(q);
}
""",
    "drivers/foo/ns.c": """\
void ns_two(struct page *p1, struct page *p2)
{
	char *a = kmap(p1), *b = kmap(p2);

	a[0] = b[0];
	kunmap(p1);
	kunmap(p2);
}
""",
    "drivers/bar/ct.c": """\
struct dev { void *vaddr; };

void ct_store(struct dev *dev, struct page *page)
{
	dev->vaddr = kmap(page);
}
""",
    "drivers/bar/comments.c": """\
/* kmap(page) in a block comment
 * and kmap_atomic(page) on its second line */
// kmap(page) in a line comment
static const char *msg = "kmap(page) in a string";
static const char c = '(';

int cm_real(struct page *page)
{
	char *p = kmap(page); /* kmap(page) after code */

	kunmap(page);
	return ops->kmap(page) != 0;
}

#if 0
void cm_dead(struct page *page)
{
	kmap(page);
}
#endif

#define CM_BEGIN(pg) { char *v = kmap(pg)
""",
    "drivers/bar/broken.c": BROKEN_C,
    # Not a .c/.h file: never a candidate.
    "drivers/bar/notes.txt": "kmap(page)\n",
}


def make_tree(root, files=FAKE_TREE):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "ksrc")


@pytest.fixture
def cocci(tmp_path):
    path = tmp_path / "test.cocci"
    path.write_text(TEST_COCCI)
    return path


def kmapconv(*args, cwd=None, env=None):
    """Run the driver as the Makefile does; returns CompletedProcess."""
    return run_module("kmapconv", *args, cwd=cwd or REPO, env=env)


def convert(tree, out, cocci, *extra, subsys="."):
    return kmapconv("convert", "--no-verify", "--ksrc", tree, "--subsys", subsys,
                    "--out", out, "--cocci", cocci, *extra)


def tree_hash(root):
    """Hash of every path, file content and mode under root."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + dirnames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            h.update(("%s %o %d\n" % (os.path.relpath(path, root),
                                      st.st_mode, st.st_mtime_ns)).encode())
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def assert_one_line_error(proc):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("kmapconv: ")


# --- bad inputs -----------------------------------------------------------

def test_no_such_ksrc(tmp_path, cocci):
    out = tmp_path / "out"
    proc = convert(tmp_path / "nope", out, cocci)
    assert_one_line_error(proc)
    assert "does not exist" in proc.stderr
    assert not out.exists()


def test_ksrc_is_a_file(tmp_path, cocci):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "out"
    proc = convert(tmp_path / "file", out, cocci)
    assert_one_line_error(proc)
    assert "not a directory" in proc.stderr
    assert not out.exists()


def test_not_a_kernel_tree(tmp_path, cocci):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "Makefile").write_text("all:\n")
    out = tmp_path / "out"
    proc = convert(tmp_path / "empty", out, cocci)
    assert_one_line_error(proc)
    assert "not a kernel tree" in proc.stderr
    assert not out.exists()


def test_subsys_missing(tree, tmp_path, cocci):
    out = tmp_path / "out"
    proc = convert(tree, out, cocci, subsys="drivers/nope")
    assert_one_line_error(proc)
    assert "does not exist" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_subsys_outside(tree, tmp_path, cocci, how):
    outside = tmp_path / "outside"
    make_tree(outside, {"x.c": "void f(struct page *p) { kmap(p); }\n"})
    subsys = {"dotdot": "../outside",
              "absolute": str(outside),
              "symlink": "drivers/link"}[how]
    if how == "symlink":
        (tree / "drivers" / "link").symlink_to(outside)
    out = tmp_path / "out"
    proc = convert(tree, out, cocci, subsys=subsys)
    assert_one_line_error(proc)
    assert "outside KSRC" in proc.stderr
    assert not out.exists()


def test_out_inside_ksrc_refused(tree, cocci):
    before = tree_hash(tree)
    proc = convert(tree, tree / "out", cocci)
    assert_one_line_error(proc)
    assert tree_hash(tree) == before


def test_foreign_out_not_replaced(tree, tmp_path, cocci):
    out = tmp_path / "home"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    proc = convert(tree, out, cocci)
    assert_one_line_error(proc)
    assert sorted(os.listdir(out)) == ["precious.txt"]


def test_failed_run_keeps_previous_out(tree, tmp_path, cocci):
    out = tmp_path / "out"
    assert convert(tree, out, cocci).returncode == 0
    before = tree_hash(out)
    bad = tmp_path / "bad.cocci"
    bad.write_text(TEST_COCCI.replace('"thread-local")', '"bogus")'))
    proc = convert(tree, out, bad)
    assert_one_line_error(proc)
    assert "malformed site" in proc.stderr
    assert tree_hash(out) == before


# --- a run and its outputs --------------------------------------------------

def test_convert_outputs(tree, tmp_path, cocci):
    out = tmp_path / "out" / "all"
    before = tree_hash(tree)
    proc = convert(tree, out, cocci)
    assert proc.returncode == 0, proc.stderr
    assert tree_hash(tree) == before, "KSRC was modified"
    assert sorted(os.listdir(out)) == ["kmap-local.patch", "report.md",
                                       "series", "sites.jsonl"]
    assert (out / "kmap-local.patch").read_text() == ""
    assert os.listdir(out / "series") == []     # nothing to convert

    sites = sites_mod.load_jsonl(out / "sites.jsonl")   # validates
    got = [(s["file"], s["line"], s["column"], s["function"], s["api"],
            s["class"], s["action"]) for s in sites]
    assert got == [
        ("drivers/bar/broken.c", 3, 12, "br_fine", "kmap_atomic",
         "thread-local", "manual"),
        ("drivers/bar/comments.c", 9, 12, "cm_real", "kmap",
         "thread-local", "manual"),
        ("drivers/bar/ct.c", 5, 15, "ct_store", "kmap", "cross-thread",
         "kept"),
        ("drivers/foo/ns.c", 3, 12, "ns_two", "kmap",
         "nesting-sensitive", "manual"),
        ("drivers/foo/ns.c", 3, 27, "ns_two", "kmap",
         "nesting-sensitive", "manual"),
        ("drivers/foo/tl.c", 5, 12, "tl_copy", "kmap", "thread-local",
         "manual"),
        ("drivers/foo/tl.c", 14, 12, "tl_atomic", "kmap_atomic",
         "thread-local", "manual"),
    ]
    for s in sites:
        assert list(s) == list(sites_mod.KEY_ORDER) + ["probe"]
        assert s["reasons"] == ["test reason for %s" % s["function"]]

    report = (out / "report.md").read_text()
    assert report.startswith("# kmapconv ")
    assert str(tree) in report.splitlines()[0]
    assert "whole tree" in report.splitlines()[0]
    assert ("| drivers/bar | 2 | 0 | 1 | 3 |" in report)
    assert ("| drivers/foo | 2 | 2 | 0 | 4 |" in report)
    assert "`drivers/bar/ct.c:5 ct_store() kmap`" in report
    assert "  - test reason for ct_store" in report
    assert "`drivers/foo/ns.c:3 ns_two() kmap`" in report
    # A thread-local site gets no class section of its own; the test
    # semantic patch marks it manual, so it is listed to convert by hand.
    manual = report.split("## Sites to convert by hand")[1].split("\n## ")[0]
    assert "`drivers/foo/tl.c:" in manual and "tl_copy()" in manual
    assert "tl_copy()" not in report.split("## nesting-sensitive")[1]
    summary = proc.stdout.strip().splitlines()
    assert len(summary) == 1 and "7 sites" in summary[0]


def test_coverage_check(tree, tmp_path, cocci):
    # First make sure the broken function really defeats spatch: the
    # test semantic patch alone reports only the parsable function.
    direct = subprocess.run(
        ["spatch", "--very-quiet", "--no-includes", "-D", "json",
         "--sp-file", str(cocci), "drivers/bar/broken.c"],
        cwd=tree, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    functions = [json.loads(l)["function"] for l in direct.stdout.splitlines()
                 if l.startswith("{")]
    assert functions == ["br_fine"]

    out = tmp_path / "out"
    proc = convert(tree, out, cocci)
    assert proc.returncode == 0, proc.stderr
    assert "1 unmatched calls" in proc.stdout
    report = (out / "report.md").read_text()
    section = report.split("## Sites spatch could not analyse")[1]
    unmatched = section.split("### Calls spatch did not report")[1]
    unmatched = unmatched.split("\n## ")[0]
    assert "`drivers/bar/broken.c:11`: `char *p = kmap(page);`" in unmatched
    # Only that one: not the comments, the string, ops->kmap(), the
    # API's own definitions, #if 0 code or macro bodies.
    assert unmatched.count("\n- ") == 1
    assert "comments.c" not in unmatched
    assert "highmem.h" not in report
    macros = report.split("## Calls in macro definitions")[1]
    assert ("`drivers/bar/comments.c:22`: "
            "`#define CM_BEGIN(pg) { char *v = kmap(pg)`") in macros
    if0 = report.split("## Calls in #if 0 blocks")[1]
    assert "`drivers/bar/comments.c:18`: `kmap(page);`" in if0


def test_jobs_do_not_change_results(tree, tmp_path, cocci):
    # More files than batches, so jobs=1 and jobs=2 group them differently.
    # File i holds i + 1 functions, so the files differ in size.
    for i in range(9):
        (tree / "drivers" / "foo" / ("extra%d.c" % i)).write_text("".join(
            "void tl_x%d_%d(struct page *p)\n{\n\tchar *v = kmap(p);\n"
            "\tkunmap(p);\n}\n" % (i, j) for j in range(i + 1)))
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    assert convert(tree, out1, cocci, "--jobs", 1).returncode == 0
    assert convert(tree, out2, cocci, "--jobs", 2).returncode == 0
    one = (out1 / "sites.jsonl").read_text()
    assert one == (out2 / "sites.jsonl").read_text()
    assert one.count("\n") == 7 + sum(range(1, 10))
    assert (out1 / "report.md").read_text() == (out2 / "report.md").read_text()


def test_context_headers_do_not_duplicate_sites(tree, tmp_path, cocci):
    # hl.h is a candidate itself and also context in the groups of the
    # .c files including it; whichever batches they land in (--jobs), its
    # site is reported once, from its own group.
    foo = tree / "drivers" / "foo"
    (foo / "hl.h").write_text(
        "static inline void *hl_map(struct page *p)\n{\n"
        "\treturn kmap(p);\n}\n")
    for i in range(6):
        (foo / ("user%d.c" % i)).write_text(
            '#include "hl.h"\nvoid tl_u%d(struct page *p)\n{\n'
            "\tchar *v = kmap(p);\n\tkunmap(p);\n}\n" % i)
    results = []
    for jobs in (1, 2, 8):
        out = tmp_path / ("o%d" % jobs)
        proc = convert(tree, out, cocci, "--jobs", jobs,
                       subsys="drivers/foo")
        assert proc.returncode == 0, proc.stderr
        results.append((out / "sites.jsonl").read_text())
    assert results[0] == results[1] == results[2]
    files = [s["file"] for s in map(json.loads, results[0].splitlines())]
    assert files.count("drivers/foo/hl.h") == 1
    assert len(files) == 4 + 1 + 6

    # The same, one level down and without the help of merging identical
    # records: hl.h and a user of it in one batch give one hl.h record.
    both = ["drivers/foo/hl.h", "drivers/foo/user0.c"]
    headers = {f: groups_mod.local_headers(str(tree), f) for f in both}
    assert headers["drivers/foo/user0.c"] == ["drivers/foo/hl.h"]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    [job] = batches_mod._run_batches(
        str(tree), spatch_mod.command(cocci, 60, ("json",)), [both], 1,
        str(scratch), "t", headers)
    records = spatch_mod.parse_records(job, both)
    assert sorted(r["file"] for r in records) == both


def test_rerun_isolates_failing_file(tree, tmp_path, cocci):
    # Enough files that every batch holds several: the batch holding
    # crash.c fails as a whole, its other files must be re-run alone.
    for i in range(12):
        (tree / "drivers" / "foo" / ("many%02d.c" % i)).write_text(
            "void tl_m%d(struct page *p)\n{\n\tchar *v = kmap(p);\n"
            "\tkunmap(p);\n}\n" % i)
    (tree / "drivers" / "foo" / "crash.c").write_text(
        "void crash_me(struct page *p)\n{\n\tchar *v = kmap(p);\n"
        "\tkunmap(p);\n}\n")
    out = tmp_path / "out"
    proc = convert(tree, out, cocci, "--jobs", 1)
    assert proc.returncode == 0, proc.stderr
    files = {s["file"] for s in sites_mod.load_jsonl(out / "sites.jsonl")}
    assert {"drivers/foo/many%02d.c" % i for i in range(12)} <= files
    assert "drivers/foo/crash.c" not in files
    report = (out / "report.md").read_text()
    failed = report.split("### Files spatch failed on")[1].split("###")[0]
    assert "- `drivers/foo/crash.c`: spatch: EXN:" in failed
    assert "  - `line 3`: `char *v = kmap(p);`" in failed
    assert "1 files spatch could not analyse" in proc.stdout


def test_timeout_is_reported(tree, tmp_path, cocci):
    # A big generated file that spatch cannot finish within 1 s.
    body = "".join(
        "int tl_h%d(struct page *page, int n)\n{\n\tchar *p = kmap(page);\n"
        "\tint i;\n\tfor (i = 0; i < n; i++)\n\t\tif (p[i] == %d)\n"
        "\t\t\tp[i] = i * 2 + n;\n\tkunmap(page);\n\treturn n;\n}\n\n"
        % (i, i) for i in range(6000))
    (tree / "drivers" / "foo" / "huge.c").write_text(body)
    out = tmp_path / "out"
    proc = convert(tree, out, cocci, "--timeout", 1, subsys="drivers/foo")
    assert proc.returncode == 0, proc.stderr
    report = (out / "report.md").read_text()
    assert "- `drivers/foo/huge.c`: timeout" in report
    files = {s["file"] for s in sites_mod.load_jsonl(out / "sites.jsonl")}
    assert files == {"drivers/foo/tl.c", "drivers/foo/ns.c"}


def test_rerun_replaces_out(tree, tmp_path, cocci):
    out = tmp_path / "out"
    assert convert(tree, out, cocci).returncode == 0
    (tree / "drivers" / "foo" / "tl.c").unlink()
    assert convert(tree, out, cocci).returncode == 0
    text = (out / "sites.jsonl").read_text()
    assert "tl.c" not in text and "ns.c" in text
    # No temporaries left next to OUT.
    assert os.listdir(tmp_path).count("out") == 1
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".out.")]


def test_default_out_is_relative_to_cwd(tree, tmp_path, cocci):
    proc = kmapconv("convert", "--no-verify", "--ksrc", tree, "--subsys", "drivers/foo/",
                    "--cocci", cocci, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "drivers" / "foo" / "sites.jsonl").is_file()


def test_bench(tree, tmp_path, cocci):
    find = tmp_path / "find.cocci"
    find.write_text(TEST_FIND_CALLS)
    out = tmp_path / "bench"
    # The audit's attempt at a configuration of the fixture tree stays
    # out of the user's cache.
    proc = kmapconv("bench", "--ksrc", tree, "--subsys", ".", "--out", out,
                    "--cocci", cocci, "--find-calls-cocci", find,
                    "--repeat", 1, "--jobs", 2,
                    env=dict(os.environ,
                             KMAPCONV_CACHE=str(tmp_path / "cache")))
    assert proc.returncode == 0, proc.stderr
    assert "ratio convert/floor" in proc.stdout
    result = json.loads((out / "bench.json").read_text())
    # Candidates include highmem.h (its definitions look like calls to
    # grep); the bare search finds the same 7 calls convert reports.
    assert result["files_scanned"] == 6
    assert result["candidate_files"] == 6
    assert result["sites"] == 7
    assert result["floor_calls"] == 7
    assert len(result["floor_seconds"]) == 1
    assert result["ratio"] > 0
    # No kernel configuration for the fixture tree: the audited convert
    # is not measured, and the table says why.
    assert result["audit_unavailable"]
    assert result["audited_seconds"] == [] and result["audited_ratio"] is None
    assert "convert with the audit: not measured (" in proc.stdout


# --- the real semantic patch on real kernel code -----------------------------



@pytest.fixture(scope="session")
def ceph_tree():
    if not os.path.isfile(TARBALL):
        cannot_run("%s missing (Debian package linux-source-6.1)" % TARBALL)
    return Path(ksrc_mod.unpack_subset(
        TARBALL, None, ["fs/ceph", "net/ceph", "include/linux/highmem.h",
                        "include/linux/highmem-internal.h"]))


@pytest.mark.real_kernel
def test_real_cocci_on_ceph(ceph_tree, tmp_path):
    before = tree_hash(ceph_tree)
    out = tmp_path / "out"
    proc = kmapconv("convert", "--no-verify", "--ksrc", ceph_tree, "--subsys", ".",
                    "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert tree_hash(ceph_tree) == before
    sites = sites_mod.load_jsonl(out / "sites.jsonl")
    assert sites, "no sites found in fs/ceph and net/ceph"
    report = (out / "report.md").read_text()
    section = report.split("## Sites spatch could not analyse")[1]
    assert section.split("\n## ")[0].strip() == "none"

    # Same positions as the bare search: no site missing, none invented.
    assert FIND_CALLS.exists()
    groups = tmp_path / "groups"
    files = sorted({s["file"] for s in sites})
    groups.write_text("\n\n".join(files) + "\n")
    bare = subprocess.run(
        ["spatch", "--very-quiet", "--no-includes", "--sp-file",
         str(FIND_CALLS), "--file-groups", str(groups)],
        cwd=ceph_tree, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, check=True)
    expected = sorted((o["file"], o["line"], o["column"]) for o in
                      map(json.loads, (l for l in bare.stdout.splitlines()
                                       if l.startswith("{"))))
    assert [sites_mod.sort_key(s) for s in sites] == expected


@pytest.mark.real_kernel
def test_coccicheck_gives_the_patch_convert_gives(ceph_tree, tmp_path):
    """spatch as scripts/coccicheck runs it (MODE=patch, M=fs/ceph: each
    file alone, spatch's own workers) changes the same lines as make
    convert, where no site needs a local header's helper."""
    out = tmp_path / "out"
    proc = kmapconv("convert", "--no-verify", "--ksrc", ceph_tree,
                    "--subsys", "fs/ceph", "--out", out)
    assert proc.returncode == 0, proc.stderr
    checked = subprocess.run(
        ["spatch", "-D", "patch", "--very-quiet", "--cocci-file",
         str(SEMANTIC_PATCH), "--no-includes", "--patch", ".", "--dir", "fs/ceph",
         "-I", "./include", "--jobs", "2", "--chunksize", "1"],
        cwd=ceph_tree, text=True, capture_output=True, check=True)

    def changed(text):
        found, path = [], None
        for line in text.splitlines():
            if line.startswith("+++ "):
                path = line.split()[1].split("/", 1)[1]
            elif line[:1] in "+-" and not line.startswith(("---", "+++")):
                found.append((path, line))
        return sorted(found)

    converted = changed((out / "kmap-local.patch").read_text())
    assert converted
    assert changed(checked.stdout) == converted
