# SPDX-License-Identifier: GPL-2.0-only
"""The review end to end on a tiny tree whose every line is known (real
spatch, real semantic patch): the kind, severity and post-patch line of
each finding, the exit codes, the input forms (diff, format-patch mbox
series, git commit range) and that KSRC is never written."""

import json
import re
import subprocess

import pytest

import reviewlib as rl
from reviewlib import PATH, edit, findings, run_review
from sarif_check import check_sarif


@pytest.fixture
def tree(tmp_path):
    return rl.make_tree(tmp_path / "tree")


def write_patch(tmp_path, text, name="t.patch"):
    p = tmp_path / name
    p.write_text(text)
    return p


def review(tmp_path, tree, patch, *extra):
    out = tmp_path / "out"
    res = run_review("--patch", patch, "--ksrc", tree, "--out", out,
                     "--no-audit", "--jobs", "2", *extra)
    return res, out


MIXED = edit(rl.SOURCE, rl.ZERO_IT, rl.COPY_IN, rl.KEEP_IT, rl.NEW_ATOMIC,
             rl.GUARDED)


def test_each_check_flags_its_line(tmp_path, tree):
    patch = write_patch(tmp_path, rl.unified(PATH, rl.SOURCE, MIXED))
    res, out = review(tmp_path, tree, patch)
    assert res.returncode == 1, res.stderr
    # Post-patch lines: the _inatomic copy stays at 21; keep_it's map at
    # 28; the new kmap_atomic() in other() at 36; guarded() now starts at
    # 41 and the new (guarded) copy sits at 45.
    assert findings(out) == [
        ("error", "atomic-dependency-dropped", PATH, 21),
        ("error", "cross-thread-converted", PATH, 28),
        ("warning", "new-legacy-map", PATH, 36),
        ("note", "converted-site", PATH, 9),
        ("note", "converted-site", PATH, 20),
        ("note", "converted-site", PATH, 43),
    ]
    r = json.loads((out / "review.json").read_text())
    by_kind = {f["kind"]: f for f in r["findings"]}
    dep = by_kind["atomic-dependency-dropped"]
    assert "__copy_from_user_inatomic()" in dep["message"]
    assert "line 20 before the patch" in dep["message"]
    assert "pagefault_disable()" in dep["message"]
    cross = by_kind["cross-thread-converted"]
    assert "c->addr" in cross["message"] and "keep kmap()" in cross["message"]
    new = by_kind["new-legacy-map"]
    assert "kmap_local_page()" in new["message"]
    # The suggestion is the converter's diff, for other() only: the
    # untouched function below keeps its kmap_atomic().
    assert "+\tp = kmap_local_page(page);" in new["suggestion"]
    assert "p[2] = 2" not in new["suggestion"]
    assert res.stdout.startswith("kmapreview: kmap review of PATCH ")
    assert "2 errors, 1 warning, 3 notes" in res.stdout
    sarif = json.loads((out / "report.sarif").read_text())
    check_sarif(sarif)
    assert [(x["ruleId"], x["locations"][0]["physicalLocation"]["region"]
             ["startLine"]) for x in sarif["runs"][0]["results"]] == [
        (k, n) for _s, k, _p, n in findings(out)]


def test_kunmap_local_of_the_page(tmp_path, tree):
    new = edit(rl.SOURCE, ("\tchar *p = kmap(page);\n\n\tp[1] = 1;\n"
                           "\tkunmap(page);",
                           "\tchar *p = kmap_local_page(page);\n\n"
                           "\tp[1] = 1;\n\tkunmap_local(page);"))
    res, out = review(tmp_path, tree, write_patch(
        tmp_path, rl.unified(PATH, rl.SOURCE, new)))
    assert res.returncode == 1, res.stderr
    assert findings(out) == [("error", "unmap-arg", PATH, 36),
                             ("note", "converted-site", PATH, 33)]


def test_unconverted_site_note_and_suggested_diff(tmp_path, tree):
    # One hunk converts copy_in's unmap only; zero_it, in the same
    # touched set through the removed kunmap_atomic(), is left alone.
    new = edit(rl.SOURCE, ("\tp[0] = 0;\n\tkunmap_atomic(p);",
                           "\tp[0] = 0;\n\tkunmap_atomic(p);\n\tp = NULL;"),
               ("\tp[1] = 1;\n\tkunmap(page);",
                "\tp[1] = 1;\n\tkunmap(page);\n\tp = NULL;"))
    patch = rl.unified(PATH, rl.SOURCE, new)
    res, out = review(tmp_path, tree, write_patch(tmp_path, patch))
    # No hunk adds or removes a mapping call: nothing to review.
    assert res.returncode == 0, res.stderr
    assert findings(out) == []
    assert "No hunk of PATCH" in (out / "review.txt").read_text()

    new = edit(rl.SOURCE, ("\tp[0] = 0;\n\tkunmap_atomic(p);",
                           "\tp[0] = 0;\n\tkunmap_atomic(p);\n"
                           "\tflush_dcache_page(page);\n"
                           "\tp = kmap_atomic(page);\n\tkunmap_atomic(p);"))
    res, out = review(tmp_path, tree, write_patch(
        tmp_path, rl.unified(PATH, rl.SOURCE, new), "u.patch"))
    assert res.returncode == 0, res.stderr
    got = findings(out)
    # zero_it's old map (line 9) is left as it was and the converter
    # would convert it; the new map at 14 is a new kmap_atomic().
    assert ("note", "convertible-site", PATH, 9) in got
    assert ("warning", "new-legacy-map", PATH, 14) in got
    r = json.loads((out / "review.json").read_text())
    note = [f for f in r["findings"] if f["kind"] == "convertible-site"][0]
    assert note["suggestion"].startswith("--- a/fs/x/a.c\n+++ b/fs/x/a.c\n")
    assert "-\tchar *p = kmap_atomic(page);" in note["suggestion"]
    assert "+\tchar *p = kmap_local_page(page);" in note["suggestion"]
    assert "p[2] = 2" not in note["suggestion"]


def test_clean_patch_exit_0_and_verdict(tmp_path, tree):
    patch = write_patch(tmp_path, rl.unified(
        PATH, rl.SOURCE, edit(rl.SOURCE, rl.ZERO_IT)))
    res, out = review(tmp_path, tree, patch, "--reviewer",
                      "A Reviewer <a@example.org>")
    assert res.returncode == 0, res.stderr
    assert findings(out) == [("note", "converted-site", PATH, 9)]
    text = (out / "review.txt").read_text()
    # --no-audit: the verdict must not claim a clean audit.
    assert "LIFO audit was not available (switched off" in " ".join(
        text.split())
    assert "Reviewed-by: A Reviewer" not in text
    md = (out / "report.md").read_text()
    assert "not available" in md


def test_patch_that_does_not_apply_names_the_hunk(tmp_path, tree):
    patch = rl.unified(PATH, rl.SOURCE, edit(rl.SOURCE, rl.ZERO_IT,
                                             rl.COPY_IN))
    patch = patch.replace(" \tint left;\n", " \tlong left;\n")
    res, out = review(tmp_path, tree, write_patch(tmp_path, patch))
    assert res.returncode == 2
    err = res.stderr.strip()
    assert "\n" not in err
    assert err.startswith("kmapreview: PATCH ")
    assert "hunk #2 (@@ -17,9 +17,9 @@) of fs/x/a.c does not apply" in err
    assert "line 18 reads 'int left;'" in err
    assert not out.exists()


@pytest.mark.parametrize("text,why", [
    ("Just some text.\nNo diff here.\n", "is not a patch"),
    ("--- a/fs/x/a.c\n+++ b/fs/x/a.c\n@@ -1,3 +1,3 @@\n #include\n",
     "is cut short"),
    ("--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
     "outside the tree"),
])
def test_bad_patches(tmp_path, tree, text, why):
    res, _out = review(tmp_path, tree, write_patch(tmp_path, text))
    assert res.returncode == 2
    assert why in res.stderr and res.stderr.count("\n") == 1


def test_bad_trees_and_arguments(tmp_path, tree):
    patch = write_patch(tmp_path, rl.unified(
        PATH, rl.SOURCE, edit(rl.SOURCE, rl.ZERO_IT)))
    res = run_review("--patch", patch, "--ksrc", tmp_path / "nope",
                     "--out", tmp_path / "o")
    assert res.returncode == 2 and "does not exist" in res.stderr
    res = run_review("--patch", tmp_path / "missing.patch", "--ksrc", tree,
                     "--out", tmp_path / "o")
    assert res.returncode == 2 and "PATCH" in res.stderr \
        and "does not exist" in res.stderr
    res = run_review("--patch", patch, "--ksrc", tree, "--out",
                     tree / "fs" / "out")
    assert res.returncode == 2 and "inside KSRC" in res.stderr
    res = run_review("--ksrc", tree, "--out", tmp_path / "o")
    assert res.returncode == 2 and "PATCH=" in res.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    res = run_review("--patch", patch, "--ksrc", tree, "--out", foreign)
    assert res.returncode == 2 and "refusing" in res.stderr
    res = run_review("--base", "HEAD~1", "--head", "HEAD", "--ksrc", tree,
                     "--out", tmp_path / "o")
    assert res.returncode == 2 and "not a git tree" in res.stderr


def test_ksrc_is_never_written(tmp_path, tree):
    before = rl.snapshot(tree)
    patch = write_patch(tmp_path, rl.unified(PATH, rl.SOURCE, MIXED))
    res, _out = review(tmp_path, tree, patch)
    assert res.returncode == 1
    assert rl.snapshot(tree) == before


def _mail(n, total, subject, diff, qp=False):
    body = "Convert it.\n\nSigned-off-by: A Dev <dev@example.org>\n---\n" \
        + diff + "-- \n2.39.5\n"
    headers = ["From 1111111111111111111111111111111111111111 Mon Sep 17 "
               "00:00:00 2001",
               "From: A Dev <dev@example.org>",
               "Date: Tue, 2 Jan 2024 10:00:0%d +0000" % n,
               "Subject: [PATCH %d/%d] %s" % (n, total, subject)]
    if qp:
        import quopri
        body = quopri.encodestring(body.encode()).decode()
        headers += ["MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding: quoted-printable"]
    return "\n".join(headers) + "\n\n" + body + "\n"


def test_mbox_series_lines_are_final(tmp_path, tree):
    """A series: patch 2 adds lines above what patch 1 converted, so
    patch 1's findings move; they are reported on the final lines."""
    step1 = edit(rl.SOURCE, rl.ZERO_IT)
    step2 = edit(step1, ("struct ctx {\n", "struct ctx {\n\tint pad;\n"
                         "\tint more;\n"), rl.KEEP_IT)
    cover = ("From 0000000000000000000000000000000000000000 Mon Sep 17 "
             "00:00:00 2001\nFrom: A Dev <dev@example.org>\nSubject: [PATCH "
             "0/2] x: local mappings\n\nTwo patches.\n\n")
    # Out of order on purpose: [PATCH n/N] decides the order.
    mbox = cover + _mail(2, 2, "x: pad and keep", rl.unified(
        PATH, step1, step2), qp=True) + _mail(1, 2, "x: zero", rl.unified(
            PATH, rl.SOURCE, step1))
    res, out = review(tmp_path, tree, write_patch(tmp_path, mbox, "s.mbox"))
    assert res.returncode == 1, res.stderr
    assert findings(out) == [
        ("error", "cross-thread-converted", PATH, 30),
        ("note", "converted-site", PATH, 11)]
    # The same as reviewing the squashed diff.
    res2 = run_review("--patch", write_patch(tmp_path, rl.unified(
        PATH, rl.SOURCE, step2), "all.patch"), "--ksrc", tree, "--out",
        tmp_path / "out2", "--no-audit")
    assert res2.returncode == 1, res2.stderr
    assert findings(tmp_path / "out2") == findings(out)
    text = (out / "review.txt").read_text()
    assert "[PATCH 1/2] x: zero" in text
    assert text.index("[PATCH 1/2]") < text.index("[PATCH 2/2]")
    assert "On Tue, 2 Jan 2024 10:00:01 +0000, A Dev <dev@example.org> " \
        "wrote:" in text
    # Each comment sits right under the line it concerns.
    assert re.search(r"> \+\tc->addr = kmap_local_page\(page\);\n\n"
                     r"error \(cross-thread-converted\): ", text)


def _git(tree, *args):
    subprocess.run(["git", "-C", str(tree), "-c", "user.name=T", "-c",
                    "user.email=t@example.org"] + list(args), check=True,
                   capture_output=True)


def test_git_range(tmp_path, tree):
    _git(tree, "init", "-q")
    _git(tree, "add", ".")
    _git(tree, "commit", "-q", "-m", "base")
    (tree / PATH).write_text(edit(rl.SOURCE, rl.ZERO_IT))
    _git(tree, "commit", "-q", "-am", "x: zero")
    (tree / PATH).write_text(MIXED)
    _git(tree, "commit", "-q", "-am", "x: the rest")
    # The working tree and index are not what is reviewed, and stay.
    (tree / PATH).write_text("garbage\n")
    before = rl.snapshot(tree)
    out = tmp_path / "out"
    res = run_review("--base", "HEAD~2", "--head", "HEAD", "--ksrc", tree,
                     "--out", out, "--no-audit")
    assert res.returncode == 1, res.stderr
    assert findings(out)[:3] == [
        ("error", "atomic-dependency-dropped", PATH, 21),
        ("error", "cross-thread-converted", PATH, 28),
        ("warning", "new-legacy-map", PATH, 36)]
    assert rl.snapshot(tree) == before
    r = json.loads((out / "review.json").read_text())
    assert r["source"] == "HEAD~2..HEAD"
    assert [c[1] for c in r["commits"]] == ["x: zero", "x: the rest"]
    res = run_review("--base", "HEAD", "--head", "HEAD", "--ksrc", tree,
                     "--out", out, "--no-audit")
    assert res.returncode == 2 and "nothing to review" in res.stderr
    res = run_review("--base", "nosuchrev", "--head", "HEAD", "--ksrc",
                     tree, "--out", out, "--no-audit")
    assert res.returncode == 2 and "BASE nosuchrev is not a commit" \
        in res.stderr


def test_make_review(tmp_path, tree):
    """make review maps its variables to the command (make's own exit
    status is 2 for any failing recipe)."""
    patch = write_patch(tmp_path, rl.unified(
        PATH, rl.SOURCE, edit(rl.SOURCE, rl.ZERO_IT)))
    out = tmp_path / "made"
    res = subprocess.run(["make", "--no-print-directory", "review",
                          "PATCH=%s" % patch, "KSRC=%s" % tree,
                          "OUT=%s" % out, "JOBS=2",
                          "REVIEWER=A Reviewer <a@example.org>"],
                         cwd=rl.REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert findings(out) == [("note", "converted-site", PATH, 9)]
    r = json.loads((out / "review.json").read_text())
    assert r["reviewer"] == "A Reviewer <a@example.org>"
    res = subprocess.run(["make", "--no-print-directory", "review",
                          "PATCH=%s" % patch], cwd=rl.REPO,
                         capture_output=True, text=True)
    assert res.returncode == 2 and "KSRC is required" in res.stderr


def test_new_and_deleted_files(tmp_path, tree):
    """A new file's kmap_atomic() is new code; deleting a file removes
    its sites without converting them (nothing to judge)."""
    new_file = ("#include <linux/highmem.h>\n\nstatic void fresh(struct "
                "page *page)\n{\n\tchar *p = kmap_atomic(page);\n\n"
                "\tp[0] = 0;\n\tkunmap_atomic(p);\n}\n")
    patch = rl.unified("fs/x/b.c", "", new_file).replace(
        "--- a/fs/x/b.c", "--- /dev/null") + rl.unified(
        PATH, rl.SOURCE, "").replace("+++ b/fs/x/a.c", "+++ /dev/null")
    res, out = review(tmp_path, tree, write_patch(tmp_path, patch))
    assert res.returncode == 0, res.stderr
    assert findings(out) == [("warning", "new-legacy-map", "fs/x/b.c", 5)]
    r = json.loads((out / "review.json").read_text())
    assert "+\tchar *p = kmap_local_page(page);" in \
        r["findings"][0]["suggestion"]
    assert not (tree / "fs" / "x" / "b.c").exists()


def test_a_converted_cross_thread_kmap_atomic_is_told_to_stay_one(tmp_path):
    """The address handed to deferred work: the advice names the call
    the site makes, keep kmap_atomic()."""
    atomic = rl.edit(rl.SOURCE, ("\tc->addr = kmap(page);",
                                 "\tc->addr = kmap_atomic(page);\n"
                                 "\tschedule_work(c->addr);\n"
                                 "\tkunmap_atomic(c->addr);"))
    tree = rl.make_tree(tmp_path / "tree")
    (tree / PATH).write_text(atomic)
    patch = write_patch(tmp_path, rl.unified(PATH, atomic, rl.edit(
        atomic, ("\tc->addr = kmap_atomic(page);",
                 "\tc->addr = kmap_local_page(page);"))))
    _res, out = review(tmp_path, tree, patch)
    r = json.loads((out / "review.json").read_text())
    [cross] = [f for f in r["findings"]
               if f["kind"] == "cross-thread-converted"]
    assert cross["message"].endswith("keep kmap_atomic() here")
