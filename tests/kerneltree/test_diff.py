# SPDX-License-Identifier: GPL-2.0-only
"""kerneltree.diff: the one unified-diff parser every component uses."""

import re

import pytest

from kerneltree import diff
from kmapconv.errors import KmapconvError


def test_sections_keep_their_text_and_counts():
    patch = ("diff -u -p a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n"
             "@@ -1,3 +1,3 @@ int f(void)\n ctx\n-old\n+new\n ctx\n"
             "--- /dev/null\n+++ b/fs/new.c\t2024-01-01\n@@ -0,0 +1 @@\n+x\n"
             "--- a/fs/gone.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-y\n")
    files = diff.parse(patch)
    assert [(f.old_path, f.new_path, f.added, f.deleted) for f in files] == [
        ("fs/a.c", "fs/a.c", 1, 1), (None, "fs/new.c", 1, 0),
        ("fs/gone.c", None, 0, 1)]
    assert "".join(f.text for f in files) == patch
    assert files[0].hunks[0].section == "int f(void)"
    assert diff.paths(files) == ["fs/a.c", "fs/new.c", "fs/gone.c"]


def test_form_feed_lines_stay_whole():
    # str.splitlines() splits at "\f" too: the hunk would lose its count.
    patch = ("--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1,2 +1,2 @@\n \f\n"
             "-a;\f/* b */\n+c;\n")
    (f,) = diff.parse(patch)
    assert [(l.kind, l.text) for l in f.hunks[0].lines] == [
        (" ", "\f"), ("-", "a;\f/* b */"), ("+", "c;")]
    assert (f.added, f.deleted) == (1, 1)
    assert f.text == patch


def test_header_lookalikes_inside_a_hunk_and_mail_text_around():
    patch = ("Subject: [PATCH] x\n\nmessage\n---\n fs/a.c | 2 +-\n\n"
             "--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1 +1 @@\n--- x\n+++ y\n"
             "\\ No newline at end of file\n-- \nkmapconv 0.1\n")
    (f,) = diff.parse(patch)
    assert [(l.kind, l.text) for l in f.hunks[0].lines] == [
        ("-", "-- x"), ("+", "++ y")]
    assert f.hunks[0].lines[-1].no_eol


def test_git_rename_only_with_header_only():
    patch = ("diff --git a/fs/a.c b/fs/b.c\nsimilarity index 100%\n"
             "rename from fs/a.c\nrename to fs/b.c\n"
             "diff --git a/x.png b/x.png\nBinary files a/x.png and b/x.png "
             "differ\n")
    assert diff.parse(patch) == []
    files = diff.parse(patch, header_only=True)
    assert [(f.old_path, f.new_path, f.hunks) for f in files] == [
        ("fs/a.c", "fs/b.c", []), ("x.png", "x.png", [])]


@pytest.mark.parametrize("text,message", [
    ("@@ -1 +1 @@\n-a\n+b\n", "hunk without ---/+++"),
    ("--- a/../x.c\n+++ b/../x.c\n@@ -1 +1 @@\n-a\n+b\n",
     "outside the tree"),
    ("--- x.c\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n", "without a directory"),
    ("--- /dev/null\n+++ /dev/null\n@@ -1 +1 @@\n-a\n+b\n", "both sides"),
    ("--- a/f.c\n+++ b/f.c\n", "no hunk"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-a\n", "cut short"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n-b\n+c\n", "longer than"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-a\n?b\n", "does not belong"),
])
def test_bad_diffs_name_the_problem(text, message):
    with pytest.raises(KmapconvError, match=re.escape(message)):
        diff.parse(text, "x.patch")


def test_lines_split_at_newlines_only():
    from kerneltree.diff import lines
    assert lines("a\x0cb\nc\rd\ne") == ["a\x0cb\n", "c\rd\n", "e"]
    assert lines("x\n") == ["x\n"] and lines("") == []
