# SPDX-License-Identifier: GPL-2.0-only
"""The review's pieces on small inputs: reading patches (diff,
format-patch, mbox), applying them with line tracking, finding function
extents, and cutting the converter's diff down to one function."""

import json

import pytest

import reviewlib as rl  # noqa: F401  (sets the import paths)
from kmapconv.errors import KmapconvError
from kerneltree import linkfarm
from kmapreview import applier, patchfile, suggest

BASE = "".join("line %d\n" % n for n in range(1, 21))


def diff(old, new, path="f.c"):
    return rl.unified(path, old, new)


def replace_line(text, n, new):
    lines = text.split("\n")
    lines[n - 1] = new
    return "\n".join(lines)


# -- reading ---------------------------------------------------------------

def test_plain_diff_hunks_and_counts():
    new = replace_line(BASE, 5, "five")
    msgs = patchfile.parse(diff(BASE, new))
    assert len(msgs) == 1 and msgs[0].subject == ""
    (fd,) = msgs[0].files
    assert (fd.old_path, fd.new_path) == ("f.c", "f.c")
    (h,) = fd.hunks
    assert (h.old_start, h.old_count, h.new_start, h.new_count) == \
        (2, 7, 2, 7)
    assert [l.kind for l in h.lines] == list("   -+   ")
    assert h.header == "@@ -2,7 +2,7 @@"


def test_format_patch_signature_is_not_a_removed_line():
    text = ("From abc Mon Sep 17 00:00:00 2001\nFrom: A <a@b.c>\n"
            "Subject: [PATCH] x: y\n\nBody.\n---\n f.c | 2 +-\n\n"
            + diff(BASE, replace_line(BASE, 20, "twenty"))
            + "-- \n2.39.5\n\n")
    (m,) = patchfile.parse(text)
    assert m.subject == "[PATCH] x: y" and m.author == "A <a@b.c>"
    (h,) = m.files[0].hunks
    assert h.lines[-1].text == "twenty" and len(h.lines) == 5


def test_binary_sections_are_passed_over():
    text = ("diff --git a/logo.png b/logo.png\nindex 1..2 100644\n"
            "Binary files a/logo.png and b/logo.png differ\n"
            + diff(BASE, replace_line(BASE, 3, "three")))
    (m,) = patchfile.parse(text)
    assert [fd.path for fd in m.files] == ["f.c"]


def test_mbox_series_order_cover_and_encoding():
    def mail(n, subject, body, extra=""):
        return ("From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: A <a@b.c>\n"
                "Subject: [PATCH v2 %d/2] %s\n%s\n%s\n" % (n, subject, extra,
                                                          body))
    d1 = diff(BASE, replace_line(BASE, 3, "three"))
    d2 = diff(BASE, replace_line(BASE, 3, "caf\u00e9"), "g.c")
    qp = d2.replace("\u00e9", "=C3=A9")
    mbox = (mail(0, "cover", "Cover letter, no diff.\n")
            + mail(2, "second", qp, "Content-Transfer-Encoding: "
                   "quoted-printable\nContent-Type: text/plain; "
                   "charset=utf-8\n")
            + mail(1, "first", d1))
    msgs = patchfile.parse(mbox)
    assert [(m.number, m.subject) for m in msgs] == [
        (1, "[PATCH v2 1/2] first"), (2, "[PATCH v2 2/2] second")]
    assert msgs[1].files[0].hunks[0].lines[3].text == "caf\u00e9"


@pytest.mark.parametrize("text,message", [
    ("hello\n", "not a patch"),
    ("", "not a patch"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n line 1\n", "cut short"),
    ("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n line 1\n?x\n",
     "fewer than its header says"),
    ("--- f.c\n+++ f.c\n@@ -1 +1 @@\n-a\n+b\n", "without a directory"),
    ("--- a/f.c\n+++ b/f.c\n", "has file headers but no hunk"),
])
def test_malformed_input(text, message):
    with pytest.raises(KmapconvError, match=message):
        patchfile.parse(text, "PATCH t")


# -- applying --------------------------------------------------------------

def apply(text, files):
    msgs = patchfile.parse(text)
    applied = applier.apply(msgs, lambda p: files.get(p), "PATCH t")
    return msgs, applied


def test_offset_and_line_tracking():
    new = replace_line(BASE, 10, "ten")
    shifted = "extra 1\nextra 2\n" + BASE      # the file moved down by 2
    msgs, applied = apply(diff(BASE, new), {"f.c": shifted})
    assert applied.post["f.c"] == "extra 1\nextra 2\n" + new
    h = msgs[0].files[0].hunks[0]
    added = [l for l in h.lines if l.kind == "+"][0]
    removed = [l for l in h.lines if l.kind == "-"][0]
    assert (added.old, added.new) == (None, 12)
    assert (removed.old, removed.new) == (12, None)
    assert applied.origins["f.c"][11] is None
    assert applied.origins["f.c"][12] == 13


def test_series_reports_final_lines():
    step1 = replace_line(BASE, 10, "ten")
    step2 = "new top\n" + step1
    text = ("From x Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/2] a\n\n"
            + diff(BASE, step1)
            + "\nFrom x Mon Sep 17 00:00:00 2001\nSubject: [PATCH 2/2] b\n\n"
            + diff(step1, step2))
    msgs, applied = apply(text, {"f.c": BASE})
    assert applied.post["f.c"] == step2
    added = [l for l in msgs[0].files[0].hunks[0].lines if l.kind == "+"][0]
    assert added.new == 11          # patch 2 moved it down by one


def test_hunk_that_does_not_apply_is_named():
    text = diff(BASE, replace_line(replace_line(BASE, 2, "two"), 18, "x"))
    broken = BASE.replace("line 17\n", "line seventeen\n")
    with pytest.raises(KmapconvError) as e:
        apply(text, {"f.c": broken})
    msg = str(e.value)
    assert "hunk #2 (@@ -15,6 +15,6 @@) of f.c does not apply" in msg
    assert "line 17 reads 'line seventeen', the hunk expects 'line 17'" in msg
    with pytest.raises(KmapconvError, match="f.c does not exist in KSRC"):
        apply(text, {})


def test_new_deleted_and_no_newline_files():
    text = (rl.unified("n.c", "", "a\nb\n").replace("--- a/n.c",
                                                    "--- /dev/null")
            + rl.unified("d.c", "x\n", "").replace("+++ b/d.c",
                                                   "+++ /dev/null"))
    msgs, applied = apply(text, {"d.c": "x\n"})
    assert applied.post == {"n.c": "a\nb\n", "d.c": None}
    assert applied.pre == {"n.c": None, "d.c": "x\n"}
    text = ("--- a/e.c\n+++ b/e.c\n@@ -1,2 +1,2 @@\n a\n-b\n"
            "\\ No newline at end of file\n+c\n")
    _msgs, applied = apply(text, {"e.c": "a\nb"})
    assert applied.post["e.c"] == "a\nc\n"


# -- suggestions -------------------------------------------------------------

TWO_FUNCS = """\
void a(void)
{
\tx = kmap_atomic(p);
\tkunmap_atomic(x);
}
void b(void)
{
\ty = kmap_atomic(q);
\tkunmap_atomic(y);
}
"""


def test_suggestion_keeps_only_one_function():
    converted = TWO_FUNCS.replace("kmap_atomic", "kmap_local_page") \
        .replace("kunmap_atomic", "kunmap_local")
    section = "diff -u -p a/f.c b/f.c\n" + diff(TWO_FUNCS, converted)
    assert len(patchfile.parse_diff(section)[0].hunks) == 1
    only_b = suggest.within(section, "f.c", 6, 10)
    assert only_b == ("--- a/f.c\n+++ b/f.c\n@@ -5,6 +5,6 @@\n }\n"
                      " void b(void)\n {\n-\ty = kmap_atomic(q);\n"
                      "-\tkunmap_atomic(y);\n+\ty = kmap_local_page(q);\n"
                      "+\tkunmap_local(y);\n }\n")
    # It applies to the file on its own and converts b() only.
    _m, applied = apply(only_b, {"f.c": TWO_FUNCS})
    assert applied.post["f.c"] == TWO_FUNCS.replace(
        "y = kmap_atomic(q);\n\tkunmap_atomic(y);",
        "y = kmap_local_page(q);\n\tkunmap_local(y);")
    assert suggest.within(section, "f.c", 11, 20) == ""


# -- the scratch trees -------------------------------------------------------

def test_farm_writes_never_reach_the_tree(tmp_path):
    src = rl.make_tree(tmp_path / "src")
    (src / "fs" / "x" / "a.h").write_text("header\n")
    before = rl.snapshot(src)
    f = linkfarm.LinkFarm(str(src), str(tmp_path / "farm"))
    f.write("fs/x/a.c", "changed\n")
    f.write("fs/y/new.c", "new\n")
    f.write("Kconfig", None)
    root = tmp_path / "farm"
    assert (root / "fs" / "x" / "a.c").read_text() == "changed\n"
    assert (root / "fs" / "x" / "a.h").is_symlink()
    assert (root / "fs" / "x" / "a.h").read_text() == "header\n"
    assert (root / "Makefile").is_symlink()
    assert not (root / "Kconfig").exists()
    assert not (root / "fs" / "x").is_symlink()
    assert rl.snapshot(src) == before
    # A compilation database of the tree names the farm's files instead.
    (src / "compile_commands.json").write_text(json.dumps([{
        "directory": str(src), "file": "%s/fs/x/a.c" % src,
        "command": "gcc -I%s/include -c fs/x/a.c" % src}]))
    root = tmp_path / "farm2"
    linkfarm.LinkFarm(str(src), str(root)).retarget_compdb()
    db = json.loads((root / "compile_commands.json").read_text())
    assert db == [{"directory": str(root), "file": "%s/fs/x/a.c" % root,
                   "command": "gcc -I%s/include -c fs/x/a.c" % root}]
