# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of the driver's pieces that need no spatch run."""

import io
import os
import subprocess
import tarfile

import pytest

from kmapconv import (batches, candidates, coverage, deps, gnuparallel, groups,
                      ksrc, outdir, report, run, sites,
                      spatch)
from kerneltree import debpkgs
from kmapconv.errors import KmapconvError


# --- coverage: the textual scan -------------------------------------------

def calls(text):
    return {ln: cl.count for ln, cl in coverage.scan_text(text).calls.items()}


def test_scan_ignores_comments_and_strings():
    text = """\
/* kmap(a) */ x = kmap(b);
// kmap(c) \\
   kmap(d) still in the comment
s = "kmap(e) \\" kmap(f)"; y = kmap_atomic(g);
c = '"'; z = kmap(h); /* kmap(i)
kmap(j) */ w = kmap (k);
"""
    assert calls(text) == {1: 1, 4: 1, 5: 1, 6: 1}


def test_scan_counts_calls_per_line():
    assert calls("a = kmap(p), b = kmap(q);\n") == {1: 2}


def test_scan_call_split_over_lines_counts_on_name_line():
    assert calls("x =\n  kmap\n   (page);\n") == {2: 1}


def test_scan_skips_members_and_declarations():
    text = """\
static inline void *kmap(struct page *page)
void *kmap_atomic(struct page *page);
extern void *
kmap(struct page *);
r = ops->kmap(p) + dev.kmap(p) + kmap_high(p) + my_kmap(p);
return *kmap(p);
return kmap(p);
"""
    assert calls(text) == {6: 1, 7: 1}


def test_scan_macros_and_if0():
    text = """\
#define kmap(p) page_address(p)
#define kmap_atomic(p) \\
	kmap(p)
#define MAPIT(p) \\
	{ v = kmap(p)
#if 0
x = kmap(p);
#if CONFIG_X
y = kmap(p);
#endif
#else
z = kmap(p);
#endif
"""
    scan = coverage.scan_text(text)
    assert sorted(scan.in_macros) == [5]
    assert sorted(scan.in_if0) == [7, 9]
    assert sorted(scan.calls) == [12]


def test_unreported_compares_counts():
    scan = coverage.scan_text("a = kmap(p), b = kmap(q);\nc = kmap(r);\n")
    missing = coverage.unreported(scan.calls, {1: 1, 2: 1})
    assert [(cl.line, cl.text) for cl in missing] == [
        (1, "a = kmap(p), b = kmap(q);")]
    assert coverage.unreported(scan.calls, {1: 2, 2: 1}) == []


# --- batching ----------------------------------------------------------------

def test_split_balances_and_keeps_every_file_once():
    sizes = {"f%02d.c" % i: (i + 1) * batches.MIN_BATCH_BYTES // 10
             for i in range(40)}
    out = batches.split(list(sizes), sizes, jobs=2)
    assert len(out) == 2 * batches.BATCHES_PER_JOB
    flat = [f for b in out for f in b]
    assert sorted(flat) == sorted(sizes)
    loads = [sum(sizes[f] for f in b) for b in out]
    assert max(loads) - min(loads) <= max(sizes.values())
    assert out == batches.split(list(reversed(list(sizes))), sizes, jobs=2)


def test_split_few_files():
    big = batches.MIN_BATCH_BYTES
    assert batches.split([], {}, 4) == []
    assert batches.split(["a.c", "b.c"], {"a.c": big, "b.c": 2 * big},
                         8) == [["b.c"], ["a.c"]]


def test_a_small_run_is_not_spread_thinner_than_a_start_up():
    """Each batch is a spatch process: files that together weigh less
    than one start-up go in one batch, whatever the jobs."""
    small = {"f%d.c" % i: 1000 for i in range(5)}
    assert batches.split(list(small), small, 4) == [sorted(small)]
    # Three start-ups' worth on 4 jobs: three batches, not eight.
    third = {"f%d.c" % i: batches.MIN_BATCH_BYTES // 2 for i in range(6)}
    assert len(batches.split(list(third), third, 4)) == 3


# --- the site schema -------------------------------------------------------

def record(**over):
    obj = {"file": "fs/x.c", "line": 3, "column": 5, "function": "f",
           "api": "kmap", "class": "cross-thread", "reasons": ["r"]}
    obj.update(over)
    return obj


def test_normalise_orders_keys_and_derives_action():
    extra = dict(record(), extra=1)
    extra = {k: extra[k] for k in reversed(list(extra))}
    site = sites.normalise(extra)
    assert list(site) == list(sites.KEY_ORDER) + ["extra"]
    assert site["action"] == "kept"
    assert sites.normalise(record(**{"class": "thread-local"}))[
        "action"] == "manual"
    assert sites.normalise(record(action="rewritten"))["action"] == \
        "rewritten"


@pytest.mark.parametrize("bad", [
    {"class": "maybe"}, {"api": "kmap_local_page"}, {"line": "3"},
    {"line": 0}, {"column": True}, {"reasons": "r"}, {"reasons": [1]},
    {"action": "later"}, {"file": ""},
])
def test_validate_rejects(bad):
    with pytest.raises(KmapconvError, match="malformed site"):
        sites.validate(record(**bad))


def test_validate_requires_keys():
    obj = record()
    del obj["function"]
    with pytest.raises(KmapconvError, match="missing key 'function'"):
        sites.validate(obj)


def test_merge_duplicates_keeps_most_conservative():
    a = sites.normalise(record(**{"class": "thread-local",
                                  "reasons": ["a"]}))
    b = sites.normalise(record(reasons=["b"]))
    other = sites.normalise(record(line=1))
    merged = sites.merge_duplicates([a, b, dict(a), other])
    assert [s["line"] for s in merged] == [1, 3]
    assert merged[1]["class"] == "cross-thread"
    assert merged[1]["reasons"] == ["b", "a"]


# --- spatch job results ----------------------------------------------------

def job(exitval=0, signal=0, stderr=""):
    return gnuparallel.JobResult("g", exitval, signal, "", stderr)


def test_failure_reasons():
    assert spatch.failure(job()) is None
    assert spatch.failure(job(stderr="warning: something\n")) is None
    assert spatch.failure(job(
        stderr="EXN: Coccinelle_modules.Common.Timeout in x.c\n")) == \
        "timeout"
    assert spatch.failure(job(exitval=1, stderr="\nbad option\nmore\n")) \
        == "spatch exit status 1: bad option"
    assert spatch.failure(job(
        stderr="Traceback (most recent call last):\n  x\n"
               "EXN: Failure(\"Error in Python script\") in a.c\n")) == \
        'spatch: EXN: Failure("Error in Python script") in a.c'
    assert spatch.failure(job(signal=9)) == "spatch killed by signal 9"


def test_groups_file_has_one_group_per_candidate(tmp_path):
    path = tmp_path / "g"
    groups.write_groups(path, [["a.c"], ["b/c.c", "b/c.h"]])
    assert path.read_text() == "a.c\n\nb/c.c\nb/c.h\n"


def test_local_headers_are_context(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.c").write_text(
        '#include <linux/highmem.h>\n#include "x.h"\n#include "gone.h"\n'
        '#include "../up.h"\n')
    (tmp_path / "d" / "x.h").write_text("")
    (tmp_path / "up.h").write_text("")
    # Relative includes inside the tree count; missing ones and <...> do not.
    assert groups.local_headers(str(tmp_path), "d/x.c") == ["d/x.h", "up.h"]


def test_parse_drops_context_sites():
    # Context headers are listed as "./path" and spatch reports their
    # sites under that spelling (see spatch.py).
    out = "\n".join([
        'init_defs_builtins: /usr/lib/coccinelle/standard.h',
        '{"file": "d/a.c", "line": 1, "reasons": ["see ./d/a.h:3"]}',
        '{"file": "./d/a.h", "line": 3}',
    ])
    recs = spatch.parse_records(gnuparallel.JobResult("g", 0, 0, out, ""), ["d/a.c"])
    assert recs == [{"file": "d/a.c", "line": 1, "reasons": ["see d/a.h:3"]}]
    with pytest.raises(KmapconvError, match="not given"):
        spatch.parse_records(gnuparallel.JobResult("g", 0, 0, '{"file": "x.c"}', ""),
                      ["d/a.c"])
    with pytest.raises(KmapconvError, match="malformed JSON"):
        spatch.parse_records(gnuparallel.JobResult("g", 0, 0, '{"file": ', ""), ["d/a.c"])


def test_command_line():
    argv = spatch.command("/x/k.cocci", 120, defines=("json",))
    assert argv == ["spatch", "--very-quiet", "--no-includes", "--timeout",
                    "120", "-D", "json", "--sp-file", "/x/k.cocci",
                    "--file-groups", "{}"]


# --- grep ------------------------------------------------------------------

def test_grep_unreadable_files_become_notes(monkeypatch):
    def fake(argv, what, cwd=None, env=None, capture=True):
        return subprocess.CompletedProcess(
            argv, 2, "fs/a.c\0./fs/b.h\0",
            "grep: fs/secret.c: Permission denied\n")
    monkeypatch.setattr(run, "program", fake)
    files, problems = candidates.grep_candidates("/k", "fs")
    assert files == ["fs/a.c", "fs/b.h"]
    assert problems == [("fs/secret.c", "Permission denied")]


def test_grep_other_errors_are_fatal(monkeypatch):
    monkeypatch.setattr(run, "program", lambda *a, **k: subprocess.
                        CompletedProcess(a[0], 2, "", "weird failure\n"))
    with pytest.raises(KmapconvError, match="grep failed: weird failure"):
        candidates.grep_candidates("/k", "fs")


def test_grep_shares_read_what_one_grep_reads(tmp_path):
    """jobs greps over shares of the tree find what one grep -r finds:
    symlinks below the argument are not followed, top-level files
    count, other files are not read."""
    tree = tmp_path / "k"
    call = "void f(struct page *p) { kmap(p); }\n"
    for rel in ("a.c", "b.h", "notes.txt", "fs/x.c", "fs/deep/y.c",
                "fs/deep/z.c", "mm/w.h", "mm/n.c", "outside/o.c"):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(call)
    (tree / "mm" / "n.c").write_text("int n;\n")
    (tree / "fs" / "link").symlink_to(tree / "outside")
    (tree / "fs" / "l.c").symlink_to(tree / "a.c")
    (tree / "ln").symlink_to(tree / "fs")
    one = candidates.grep_candidates(str(tree), ".", 1)
    for jobs in (2, 3, 8):
        files, problems = candidates.grep_candidates(str(tree), ".", jobs)
        assert sorted(files) == sorted(one[0]) and problems == one[1]
    assert sorted(one[0]) == ["a.c", "b.h", "fs/deep/y.c", "fs/deep/z.c",
                              "fs/x.c", "mm/w.h", "outside/o.c"]
    shares = candidates._grep_shares(str(tree), ".", 2)
    args = sorted(a for share in shares for a in share)
    assert args == ["./a.c", "./b.h", "./fs/deep", "./fs/x.c", "./mm/n.c",
                    "./mm/w.h", "./outside/o.c"]
    assert candidates._grep_shares(str(tree), "fs/x.c", 2) == [["fs/x.c"]]


# --- dependencies ------------------------------------------------------------

@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(run, "which", lambda name: None)
    monkeypatch.setattr(os.path, "isfile", lambda path: False)


def test_deps_not_root_prints_one_apt_line(nothing_installed, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(ksrc, "default_source", lambda: (
        "linux-source-9.9", "/usr/src/linux-source-9.9.tar.xz"))
    with pytest.raises(KmapconvError) as e:
        deps.ensure(need_tarball=True)
    assert str(e.value) == ("missing Debian packages; run: sudo apt-get "
                            "install -y coccinelle parallel "
                            "linux-source-9.9")


def test_deps_tarball_only_without_ksrc(nothing_installed, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(KmapconvError, match=r"-y coccinelle parallel$"):
        deps.ensure(need_tarball=False)


def test_deps_root_installs_then_rechecks(monkeypatch):
    installed = set()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(run, "which", lambda name: (
        "/usr/bin/" + name if {"spatch": "coccinelle",
                               "parallel": "parallel"}[name] in installed
        else None))
    monkeypatch.setattr(gnuparallel, "parallel_version", lambda: "GNU parallel 1")
    monkeypatch.setattr(run, "spatch_version",
                        lambda: "Python scripting support: yes\n")
    monkeypatch.setattr(debpkgs, "install", installed.update)
    deps.ensure(need_tarball=False)
    assert installed == {"coccinelle", "parallel"}


def test_deps_needs_python_in_spatch(monkeypatch):
    monkeypatch.setattr(deps, "missing_packages", lambda *a: [])
    monkeypatch.setattr(run, "spatch_version",
                        lambda: "Python scripting support: no\n")
    with pytest.raises(KmapconvError, match="Python scripting"):
        deps.ensure(need_tarball=False)


def test_deps_rejects_moreutils_parallel(monkeypatch):
    monkeypatch.setattr(run, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(gnuparallel, "parallel_version", lambda: "")
    assert deps.missing_packages(need_tarball=False) == ["parallel"]


# --- the kernel tree cache ---------------------------------------------------

def make_tarball(path, files):
    with tarfile.open(path, "w:xz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


TREE = {"linux-source-9.9/Makefile": "VERSION = 9\nPATCHLEVEL = 9\n",
        "linux-source-9.9/Kconfig": "",
        "linux-source-9.9/include/linux/highmem.h": "",
        "linux-source-9.9/fs/a/a.c": "x = kmap(p);\n",
        "linux-source-9.9/fs/b/b.c": ""}


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KMAPCONV_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert ksrc.cache_dir() == str(tmp_path / "home/.cache/kmapconv")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ksrc.cache_dir() == str(tmp_path / "xdg/kmapconv")
    monkeypatch.setenv("KMAPCONV_CACHE", str(tmp_path / "kc"))
    assert ksrc.cache_dir() == str(tmp_path / "kc")


def test_unpack_once_and_again_after_upgrade(tmp_path):
    tarball = make_tarball(tmp_path / "linux-source-9.9.tar.xz", TREE)
    cache = tmp_path / "cache"
    tree = ksrc.unpack(tarball, str(cache))
    assert tree == str(cache / "linux-source-9.9")
    assert ksrc.validate_tree(tree) == os.path.realpath(tree)
    assert ksrc.kernel_version(tree) == "9.9"
    marker = os.path.join(tree, "fs", "marker")
    open(marker, "w").close()
    assert ksrc.unpack(tarball, str(cache)) == tree
    assert os.path.exists(marker), "unpacked a second time"
    # A new tarball (package upgrade) replaces the tree.
    make_tarball(tarball, dict(TREE, **{"linux-source-9.9/fs/c.c": ""}))
    os.utime(tarball, ns=(1, 1))
    assert ksrc.unpack(tarball, str(cache)) == tree
    assert not os.path.exists(marker)
    assert os.path.exists(os.path.join(tree, "fs", "c.c"))
    assert sorted(os.listdir(cache)) == ["linux-source-9.9"]


def test_failed_unpack_leaves_no_tree(tmp_path):
    bad = tmp_path / "linux-source-9.9.tar.xz"
    bad.write_bytes(b"not a tarball at all")
    cache = tmp_path / "cache"
    with pytest.raises(KmapconvError, match="unpacking"):
        ksrc.unpack(str(bad), str(cache))
    assert os.listdir(cache) == []


def test_stale_temp_dirs_are_removed(tmp_path):
    tarball = make_tarball(tmp_path / "linux-source-9.9.tar.xz", TREE)
    cache = tmp_path / "cache"
    # A pid that cannot be running (above the kernel's pid_max limit).
    stale = cache / ".unpack-99999999-abc" / "linux-source-9.9"
    stale.mkdir(parents=True)
    ksrc.unpack(tarball, str(cache))
    assert sorted(os.listdir(cache)) == ["linux-source-9.9"]


def test_unpack_subset(tmp_path):
    tarball = make_tarball(tmp_path / "linux-source-9.9.tar.xz", TREE)
    cache = str(tmp_path / "cache")
    tree = ksrc.unpack_subset(tarball, cache, ["fs/a"])
    assert sorted(os.listdir(tree)) == [".kmapconv-tarball", "Kconfig",
                                        "Makefile", "fs"]
    assert os.listdir(os.path.join(tree, "fs")) == ["a"]
    ksrc.validate_tree(tree)            # Makefile + Kconfig suffice
    assert ksrc.unpack_subset(tarball, cache, ["./fs/a/"]) == tree
    other = ksrc.unpack_subset(tarball, cache, ["fs/b"])
    assert other != tree
    with pytest.raises(KmapconvError, match="unpacking"):
        ksrc.unpack_subset(tarball, cache, ["fs/nope"])
    with pytest.raises(KmapconvError, match="bad member"):
        ksrc.unpack_subset(tarball, cache, ["../etc"])


def test_resolve_subsys(tmp_path):
    (tmp_path / "fs" / "ceph").mkdir(parents=True)
    root = str(tmp_path)
    assert ksrc.resolve_subsys(root, "./fs//ceph/") == "fs/ceph"
    assert ksrc.resolve_subsys(root, ".") == "."
    assert ksrc.resolve_subsys(root, str(tmp_path / "fs")) == "fs"
    (tmp_path / "f.c").write_text("")
    with pytest.raises(KmapconvError, match="not a directory"):
        ksrc.resolve_subsys(root, "f.c")


# --- the output directory ------------------------------------------------------

def test_publish_failure_keeps_old(tmp_path):
    out = tmp_path / "out"
    outdir.publish(str(out), {"report.md": "old\n"})
    with pytest.raises(KmapconvError):
        outdir.publish(str(out), {"sites.jsonl": "new\n",
                                  "no/such/dir": "x"})
    assert os.listdir(out) == ["report.md"]
    assert (out / "report.md").read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_publish_keeps_nested_outputs_and_bench(tmp_path):
    # The default layout nests out/fs/ceph inside out/fs.
    out = tmp_path / "out" / "fs"
    outdir.publish(str(out / "ceph"), {"report.md": "ceph\n"})
    outdir.replace_file(str(out), "bench.json", "{}\n")
    outdir.check(str(out), str(tmp_path / "ksrc"))
    outdir.publish(str(out), {"report.md": "fs\n", "sites.jsonl": ""})
    assert sorted(os.listdir(out)) == ["bench.json", "ceph", "report.md",
                                       "sites.jsonl"]
    assert (out / "ceph" / "report.md").read_text() == "ceph\n"
    assert (out / "report.md").read_text() == "fs\n"
    assert sorted(os.listdir(out.parent)) == ["fs"]


def test_check_refuses_foreign_files_and_ksrc(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine")
    with pytest.raises(KmapconvError, match="notes.txt"):
        outdir.check(str(tmp_path / "home"), str(tmp_path / "ksrc"))
    with pytest.raises(KmapconvError, match="inside KSRC"):
        outdir.check(str(tmp_path / "ksrc" / "out"), str(tmp_path / "ksrc"))
    (tmp_path / "file").write_text("")
    with pytest.raises(KmapconvError, match="not a directory"):
        outdir.check(str(tmp_path / "file"), str(tmp_path / "ksrc"))


# --- spatch's patch-mode output ---------------------------------------------

DIFFS = """\
diff -u -p a/fs/a.c b/fs/a.c
--- a/fs/a.c
+++ b/fs/a.c
@@ -1 +1 @@
-kmap(p);
+kmap_local_page(p);
diff -u -p a/fs/inc.c b/fs/inc.c
--- a/fs/inc.c
+++ b/fs/inc.c
@@ -1 +1 @@
-x
+y
diff -u -p a/./fs/h.h b/./fs/h.h
--- a/./fs/h.h
+++ b/./fs/h.h
@@ -1 +1 @@
-x
+y
"""


def test_split_diffs_keeps_given_files_only():
    got = spatch.split_diffs(DIFFS, ["fs/a.c"], context=["fs/inc.c"])
    assert list(got) == ["fs/a.c"]
    assert got["fs/a.c"].startswith("diff -u -p a/fs/a.c b/fs/a.c\n")
    assert got["fs/a.c"].endswith("+kmap_local_page(p);\n")


def test_split_diffs_refuses_a_file_it_was_not_given():
    with pytest.raises(KmapconvError, match="fs/inc.c"):
        spatch.split_diffs(DIFFS, ["fs/a.c"])


# --- what report.md names as the semantic patch --------------------------------

def test_rule_set_hash_covers_the_module(tmp_path):
    from kmapconv import convert
    rules = tmp_path / "rules"
    (rules / "pkg").mkdir(parents=True)
    cocci = rules / "x.cocci"
    cocci.write_text("@r@\n@@\n- a\n+ b\n")
    (rules / "pkg" / "logic.py").write_text("X = 1\n")
    (tmp_path / "elsewhere.py").write_text("Y = 1\n")
    first = convert.rule_set_sha256(str(cocci))
    (tmp_path / "elsewhere.py").write_text("Y = 2\n")
    assert convert.rule_set_sha256(str(cocci)) == first
    (rules / "pkg" / "logic.py").write_text("X = 2\n")
    assert convert.rule_set_sha256(str(cocci)) != first


def test_the_report_names_a_macro_site_by_its_macro():
    """A site in a macro's body is outside any function (spatch calls
    the place something_else): the report names the macro its reason
    gives, not a function something_else()."""
    site = {"file": "drivers/net/c.c", "line": 93,
            "function": "something_else", "api": "kmap_atomic",
            "reasons": ["in the body of the macro cas_page_map (#define at "
                        "line 93), not of a function: each use of the "
                        "macro maps, and is a site of its own"]}
    assert report._site_at(site) == \
        "`drivers/net/c.c:93 the macro cas_page_map`"
    site.update(function="f", reasons=[])
    assert report._site_at(site) == "`drivers/net/c.c:93 f()`"
