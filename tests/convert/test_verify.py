# SPDX-License-Identifier: GPL-2.0-only
"""verify: patch parsing, result classification and the patched-copy
cache on tiny trees (fast), then one real build on Debian's 6.1 tree for
i386 (slow: configures allmodconfig once; skipped without the tarball or
a compiler).
"""
import difflib
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from kmapconv import buildtree, deps, ksrc, outdir, verify
from kmapconv.convert import Target
from kmapconv.errors import KmapconvError

from kerneltree import debpkgs
from testlib import TARBALL_61, needs, run_module

TARBALL = TARBALL_61


def kmapconv(*args):
    return run_module("kmapconv", *args)


def make_diff(tree, edits):
    """A -p1 unified diff of edits ({path: new text, or None to delete})
    against the files in tree, as diff -u writes it."""
    out = []
    for path, new in edits.items():
        old_file = Path(tree) / path
        old = old_file.read_text() if old_file.exists() else None
        out += difflib.unified_diff(
            (old or "").splitlines(True), (new or "").splitlines(True),
            "a/" + path if old is not None else "/dev/null",
            "b/" + path if new is not None else "/dev/null")
    return "".join(out)


# --- the patch ----------------------------------------------------------

TWO_FILES = """\
--- a/fs/x/a.c\t2024-01-01 00:00:00
+++ b/fs/x/a.c\t2024-01-01 00:00:00
@@ -1,3 +1,3 @@
 int a;
-void *p = kmap_atomic(page);
+void *p = kmap_local_page(page);
 int b;
--- a/fs/x/x.h
+++ b/fs/x/x.h
@@ -1 +1 @@
-#define X 1
+#define X 2
"""


def test_parse_two_files():
    assert verify.parse_patch(TWO_FILES) == [("fs/x/a.c", "fs/x/a.c"),
                                             ("fs/x/x.h", "fs/x/x.h")]
    assert verify.touched(verify.parse_patch(TWO_FILES)) == (
        ["fs/x/a.c"], ["fs/x/x.h"])


def test_parse_created_and_deleted_files():
    text = ("--- /dev/null\n+++ b/fs/new.c\n@@ -0,0 +1,2 @@\n+a\n+b\n"
            "--- a/fs/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n")
    files = verify.parse_patch(text)
    assert files == [(None, "fs/new.c"), ("fs/old.c", None)]
    # A deleted .c is nothing to compile, but it is a touched path.
    assert verify.touched(files) == (["fs/new.c"], ["fs/old.c"])


def test_removed_line_that_looks_like_a_header():
    # Removing "-- x" and adding "++ y" gives lines "--- x" and "+++ y"
    # inside the hunk; the @@ counts say they are not a new file.
    text = ("--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1,2 +1,2 @@\n ctx\n--- x\n"
            "+++ y\n")
    assert verify.parse_patch(text) == [("fs/a.c", "fs/a.c")]


def test_form_feed_and_no_newline_marker():
    text = ("--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1,2 +1,2 @@\n \f\n-x\n"
            "\\ No newline at end of file\n+y\n"
            "\\ No newline at end of file\n")
    assert verify.parse_patch(text) == [("fs/a.c", "fs/a.c")]


def test_empty_patch_touches_nothing():
    assert verify.parse_patch("") == []
    assert verify.touched([]) == ([], [])


@pytest.mark.parametrize("text,message", [
    ("hello\n", "not a unified diff"),
    ("@@ -1 +1 @@\n-a\n+b\n", "without ---/+++"),
    ("--- a/../etc/passwd\n+++ b/../etc/passwd\n", "not a path inside"),
    ("--- a//etc/passwd\n+++ b//etc/passwd\n", "not a path inside"),
    ("--- a.c\n+++ a.c\n", "not a path inside"),
    ("--- /dev/null\n+++ /dev/null\n", "both sides"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-a\n+b\n", "ends inside"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n-b\n+c\n", "longer than"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-a\n?b\n", "does not belong"),
])
def test_bad_patches(text, message):
    with pytest.raises(KmapconvError, match=re.escape(message)):
        verify.parse_patch(text)


def test_missing_patch_says_run_convert(tmp_path):
    with pytest.raises(KmapconvError, match="run make convert first"):
        verify.read_patch(str(tmp_path))


# --- the results --------------------------------------------------------

MAKE_STDERR = """\
make[4]: *** No rule to make target 'fs/off/b.o'.
/cache/src/fs/x/a.c: In function 'f':
/cache/src/fs/x/a.c:3:9: error: expected ';' before 'return'
cc1: all warnings being treated as errors
make[4]: *** [/cache/src/scripts/Makefile.build:250: fs/x/a.o] Error 1
"""


def test_batch_outcome():
    assert verify.batch_outcome(
        ["fs/x/a.o", "fs/off/b.o", "fs/x/c.o"], {"fs/x/c.o"},
        MAKE_STDERR) == {"fs/x/a.o": verify.FAILED,
                         "fs/off/b.o": verify.NOT_BUILT,
                         "fs/x/c.o": verify.OK}


def test_error_lines_relative_to_the_tree():
    assert verify.error_lines(MAKE_STDERR, "/cache/src") == [
        "fs/x/a.c:3:9: error: expected ';' before 'return'"]
    # No compiler error: the first lines that are not make's, else make's.
    assert verify.error_lines("make: x\nld: boom\n", "/s") == ["ld: boom"]
    assert verify.error_lines("make[1]: *** [x] Error 2\n", "/s") == [
        "make[1]: *** [x] Error 2"]
    many = "".join("f.c:%d:1: error: e\n" % i for i in range(20))
    assert len(verify.error_lines(many, "/s")) == verify.ERROR_LINES


def test_query_dirs_cover_subdirectories_once():
    assert verify.query_dirs(["fs/a.o", "fs/x/b.o", "fs-y/c.o",
                              "mm/d.o", "mm/e.o"]) == ["fs/", "fs-y/", "mm/"]
    assert verify.query_dirs(["top.o"]) == []


@pytest.mark.parametrize("patched,unpatched,status", [
    (verify.OK, None, verify.OK),
    (verify.NOT_BUILT, None, verify.NOT_BUILT),
    (verify.FAILED, verify.OK, verify.BROKEN),
    (verify.FAILED, verify.FAILED, verify.ALREADY_FAILING),
    # The file (or its Makefile line) comes with the patch.
    (verify.FAILED, verify.NOT_BUILT, verify.BROKEN),
])
def test_classify(patched, unpatched, status):
    assert verify.classify(patched, unpatched) == status


def fake_result(tmp_path):
    target = Target(str(tmp_path), "test tree", "fs")
    arches = ["i386", "x86_64"]
    sources = ["fs/a.c", "fs/b.c", "fs/c.c"]
    patched = {
        "i386": {"fs/a.c": (verify.OK, []),
                 "fs/b.c": (verify.FAILED, ["fs/b.c:1:1: error: x"]),
                 "fs/c.c": (verify.FAILED, ["fs/c.c:1:1: error: y"])},
        "x86_64": {"fs/a.c": (verify.NOT_BUILT, []),
                   "fs/b.c": (verify.OK, []), "fs/c.c": (verify.OK, [])}}
    unpatched = {"i386": {"fs/b.c": (verify.OK, []),
                          "fs/c.c": (verify.FAILED, ["fs/c.c:1:1: error: z"])},
                 "x86_64": {}}
    included = {"i386": {"fs/a.h": ["fs/a.c"]}, "x86_64": {"fs/a.h": []}}
    return verify.assemble(target, TWO_FILES, arches, sources, patched,
                           unpatched, included)


def test_assemble_summary_render(tmp_path):
    result = fake_result(tmp_path)
    assert result["broken"] == ["fs/b.c"]
    assert result["counts"]["i386"] == {"ok": 1, "broken": 1,
                                        "fails-without-patch": 1,
                                        "not-built": 0}
    c = result["files"][2]["i386"]
    assert c == {"status": "fails-without-patch",
                 "errors": ["fs/c.c:1:1: error: y"],
                 "errors_without_patch": ["fs/c.c:1:1: error: z"]}
    assert verify.summary(result) == (
        "3 .c file(s); i386: 1 ok, 1 broken by the patch, 1 fails without "
        "patch; x86_64: 2 ok, 1 not built")
    md = verify.render(result)
    assert "| fs/a.c | ok | not built under x86_64 |" in md
    assert "| fs/b.c | **broken by the patch** | ok |" in md
    assert "### fs/b.c (i386)" in md and "fs/b.c:1:1: error: x" in md
    assert "- fs/a.h: fs/a.c (i386)" in md
    assert md == verify.render(fake_result(tmp_path))   # no timings
    json.dumps(result)


def test_empty_patch_summary(tmp_path):
    result = verify.assemble(Target(str(tmp_path), "t", "fs"), "", ["i386"],
                             [], {"i386": {}}, {"i386": {}}, {"i386": {}})
    assert verify.summary(result) == "the patch touches no .c files"
    assert result["broken"] == []


def test_outputs_are_known_to_outdir():
    # Otherwise a convert after a verify refuses OUT as foreign.
    assert set(verify.OUTPUTS) <= outdir.KNOWN_FILES


# --- the patched copy (tiny trees, real cp and patch) -------------------

needs_patch = needs(shutil.which("patch"), "GNU patch not installed")

SMALL_TREE = {"Makefile": "all:\n", "Kconfig": "", "fs/a.c": "int a;\n",
              "fs/b.h": "#define B 1\n"}


@pytest.fixture
def small(tmp_path):
    tree = tmp_path / "ksrc"
    for rel, text in SMALL_TREE.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    return tree


def write_patch(tmp_path, text):
    path = tmp_path / "p.patch"
    path.write_text(text)
    return str(path)


@needs_patch
def test_copy_is_linked_patch_writes_private_copies(small, tmp_path):
    before = buildtree.fingerprint(str(small))
    text = make_diff(small, {"fs/a.c": "int a2;\n", "fs/new.c": "int n;\n"})
    with buildtree.BuildTree(str(small), str(tmp_path / "cache")) as bt:
        src = Path(bt.src)
        assert bt.linked
        assert os.path.samefile(src / "fs/a.c", small / "fs/a.c")
        bt.apply(write_patch(tmp_path, text), ["fs/a.c", "fs/new.c"])
        assert (src / "fs/a.c").read_text() == "int a2;\n"
        assert (src / "fs/new.c").read_text() == "int n;\n"
        assert not os.path.samefile(src / "fs/a.c", small / "fs/a.c")
        assert (small / "fs/a.c").read_text() == "int a;\n"
    # Leaving puts src back: linked again, the new file gone.
    assert os.path.samefile(src / "fs/a.c", small / "fs/a.c")
    assert not (src / "fs/new.c").exists()
    assert buildtree.fingerprint(str(small)) == before
    assert not (small / "fs/new.c").exists()


@needs_patch
def test_interrupted_run_is_undone_next_time(small, tmp_path):
    cache = str(tmp_path / "cache")
    text = make_diff(small, {"fs/a.c": "int a2;\n"})
    bt = buildtree.BuildTree(str(small), cache).__enter__()
    bt.apply(write_patch(tmp_path, text), ["fs/a.c"])
    bt._unlock()                    # killed: no __exit__
    with buildtree.BuildTree(str(small), cache) as again:
        assert (Path(again.src) / "fs/a.c").read_text() == "int a;\n"


@needs_patch
def test_patch_that_does_not_apply(small, tmp_path):
    text = make_diff(small, {"fs/a.c": "int a2;\n"}).replace(
        "-int a;", "-int other;")
    with buildtree.BuildTree(str(small), str(tmp_path / "c")) as bt:
        with pytest.raises(KmapconvError, match="does not apply"):
            bt.apply(write_patch(tmp_path, text), ["fs/a.c"])
        # No half-patched file or .rej left in the copy.
        assert (Path(bt.src) / "fs/a.c").read_text() == "int a;\n"
        assert not (Path(bt.src) / "fs/a.c.rej").exists()


@needs_patch
def test_changed_ksrc_gets_a_fresh_copy(small, tmp_path):
    cache = str(tmp_path / "cache")
    with buildtree.BuildTree(str(small), cache):
        pass
    (small / "fs/c.c").write_text("int c;\n")
    with buildtree.BuildTree(str(small), cache) as bt:
        assert (Path(bt.src) / "fs/c.c").exists()


def test_cache_and_ksrc_must_not_overlap(small, tmp_path):
    with pytest.raises(KmapconvError, match="overlap"):
        buildtree.BuildTree(str(small), str(small / "cache")).__enter__()
    inside = small / "verify" / "x"
    inside.mkdir(parents=True)
    with pytest.raises(KmapconvError, match="overlap"):
        buildtree.BuildTree(str(inside), str(small)).__enter__()


def test_in_tree_build_refused(small):
    (small / ".config").write_text("")
    with pytest.raises(KmapconvError, match="in-tree build"):
        buildtree.check_clean(str(small))


# --- the command on a fake tree: inputs, empty patch --------------------

def test_cli_without_patch(small, tmp_path):
    proc = kmapconv("verify", "--ksrc", small, "--subsys", "fs",
                    "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "run make convert first" in proc.stderr


def test_cli_empty_patch(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "kmap-local.patch").write_text("")
    proc = kmapconv("verify", "--ksrc", small, "--subsys", "fs",
                    "--out", out, "--arch", "i386")
    assert proc.returncode == 0, proc.stderr
    assert "the patch touches no .c files" in proc.stdout
    result = json.loads((out / "verify.json").read_text())
    assert result["files"] == [] and result["arches"] == ["i386"]
    outdir.check(str(out), str(small))      # convert may still write OUT


# --- the real thing: 6.1, i386 allmodconfig -----------------------------

def _missing_build_packages():
    return debpkgs.missing(deps.BUILD_PACKAGES)


def needs_build(test):
    return pytest.mark.real_kernel(needs(
        os.path.isfile(TARBALL) and not _missing_build_packages(),
        "needs %s and the build packages (%s)"
        % (TARBALL, " ".join(p.name for p in deps.BUILD_PACKAGES)))(test))

NILFS = ["fs/nilfs2/dat.c", "fs/nilfs2/cpfile.c"]


@pytest.fixture(scope="module")
def tree61():
    return Path(ksrc.unpack(TARBALL))


def to_local(text):
    return (text.replace("kunmap_atomic(", "kunmap_local(")
            .replace("kmap_atomic(", "kmap_local_page("))


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_verify(tree, tmp_path, edits):
    out = tmp_path / "out"
    out.mkdir()
    (out / "kmap-local.patch").write_text(make_diff(tree, edits))
    watched = [tree / p for p in edits if (tree / p).exists()]
    before = ([sha256(p) for p in watched], buildtree.fingerprint(str(tree)))
    proc = kmapconv("verify", "--ksrc", tree, "--subsys", "fs", "--out", out,
                    "--arch", "i386", "--jobs", "2")
    # KSRC byte for byte as it was; no file added or touched.
    assert ([sha256(p) for p in watched],
            buildtree.fingerprint(str(tree))) == before
    result = json.loads((out / "verify.json").read_text())
    return proc, {row["file"]: row["i386"] for row in result["files"]}


@needs_build
def test_real_patch_compiles(tree61, tmp_path):
    edits = {p: to_local((tree61 / p).read_text()) for p in NILFS}
    # Not in fs/nilfs2/Makefile: the configuration does not build it.
    edits["fs/nilfs2/unlisted.c"] = "int unlisted;\n"
    edits["fs/nilfs2/nilfs.h"] = (tree61 / "fs/nilfs2/nilfs.h").read_text(
        ).replace("#define _NILFS_H\n", "#define _NILFS_H\t/* verify */\n")
    proc, files = run_verify(tree61, tmp_path, edits)
    assert proc.returncode == 0, proc.stderr
    assert files == {"fs/nilfs2/dat.c": {"status": "ok"},
                     "fs/nilfs2/cpfile.c": {"status": "ok"},
                     "fs/nilfs2/unlisted.c": {"status": "not-built"}}
    result = json.loads((tmp_path / "out/verify.json").read_text())
    assert result["other_files"] == [
        {"file": "fs/nilfs2/nilfs.h",
         "included_by": {"i386": ["fs/nilfs2/cpfile.c",
                                  "fs/nilfs2/dat.c"]}}]
    assert "i386: 2 ok, 1 not built" in proc.stdout


@needs_build
def test_real_patch_that_breaks_the_build(tree61, tmp_path):
    text = to_local((tree61 / NILFS[1]).read_text())
    broken = text.replace("kunmap_local(kaddr);", "kunmap_local(kaddr)", 1)
    assert broken != text
    proc, files = run_verify(tree61, tmp_path, {NILFS[1]: broken})
    assert proc.returncode == 1, proc.stderr
    assert files[NILFS[1]]["status"] == "broken"
    assert files[NILFS[1]]["errors"][0].startswith(NILFS[1] + ":")
    assert "1 broken by the patch" in proc.stdout
