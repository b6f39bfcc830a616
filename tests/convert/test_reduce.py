# SPDX-License-Identifier: GPL-2.0-only
"""reduce.py: what spatch is shown, and diffs of it put back on the file.

The golden case (tests/convert/reduce/mixed.c -> mixed.reduced.c) covers the
lexical traps: braces in comments, strings and character literals, a
multi-line #define, struct bodies (never blanked), initialisers (emptied,
the variable kept), prototypes (blanked, but one of the API and variables
with attributes), a body with directives (blanked to its directives),
braces that balance only with the first branch of an #if taken, a
one-line function.  The
end-to-end test runs the semantic patch over the rewrite fixtures with
and without the reduction and wants the same records and the same patch.
"""

import os
import pathlib
import shutil
import subprocess

import pytest

from kmapconv import batches, callees, reduce, spatch
from testlib import needs

HERE = pathlib.Path(__file__).resolve().parent
CASES = HERE / "reduce"
SEMANTIC = HERE.parent / "semantic"


def test_golden_mixed():
    text = (CASES / "mixed.c").read_text()
    assert reduce.reduce(text) == (CASES / "mixed.reduced.c").read_text()


@pytest.mark.parametrize("path", sorted(
    p for d in (CASES, SEMANTIC / "rewrite", SEMANTIC / "cocci") for p in d.glob("*.c")
    if not p.name.endswith((".expected.c", ".reduced.c"))),
    ids=lambda p: "%s/%s" % (p.parent.name, p.name))
def test_lines_kept_or_blanked(path):
    """Same line count; every line is the file's own, blank, or the
    file's with a stretch cut out of it (an emptied initializer);
    functions naming the API are intact."""
    text = path.read_text(errors="surrogateescape")
    out = reduce.reduce(text)
    old, new = text.split("\n"), out.split("\n")
    assert len(old) == len(new)
    for a, b in zip(old, new):
        k = len(os.path.commonprefix([a, b]))
        assert b in (a, "") or (len(b) < len(a) and a.endswith(b[k:]))
    items = reduce.top_level_items(text)
    assert items is not None
    for start, opened, closed, head in items:
        if head != ")":
            continue
        body = text[opened:closed + 1]
        if reduce.mentions_api(body):
            assert body in out


def test_unbalanced_file_is_left_alone():
    text = "void f(void)\n{\n\tint x;\n"
    assert reduce.top_level_items(text) is None
    assert reduce.reduce(text) == text


def test_first_branch_of_a_conditional_counts():
    text = ("int f(int a)\n{\n#ifdef A\n\tif (a) {\n#else\n\tif (!a) {\n"
            "#endif\n\t\treturn 1;\n\t}\n\treturn 0;\n}\n"
            "void g(struct page *p)\n{\n\tkunmap(p);\n}\n")
    [(_, o1, c1, h1), (_, o2, c2, h2)] = [
        item for item in reduce.top_level_items(text) if item[1] is not None]
    assert (h1, h2) == (")", ")")
    assert text[c1 + 1:o2].strip() == "void g(struct page *p)"


def test_what_a_mapping_function_calls_is_kept_two_calls_deep():
    """The semantic patch reads the bodies of the file's functions called
    from a map's line on (what they rely on, whether they keep the
    address): the view keeps them, two calls deep, and no more."""
    text = ("static int inner(void)\n{\n\treturn smp_processor_id();\n}\n"
            "static int outer(void)\n{\n\treturn inner();\n}\n"
            "static int third(void)\n{\n\treturn 3;\n}\n"
            "static int deepest(void)\n{\n\treturn third();\n}\n"
            "static int helper(void *a)\n{\n\treturn deepest();\n}\n"
            "static int before(void)\n{\n\treturn 0;\n}\n"
            "void f(struct page *p)\n{\n\tint *a = kmap_atomic(p);\n"
            "\ta[outer()] = 1;\n\tkunmap_atomic(a);\n}\n"
            "void g(struct page *p)\n{\n\tint n = before();\n"
            "\tint *a = kmap(p);\n\ta[n] = helper(a);\n\tkunmap(p);\n}\n")
    kept = reduce.reduce(text)
    for head in ("int inner(void)", "int outer(void)", "int helper(void *a)",
                 "int deepest(void)", "void f(", "void g("):
        assert head in kept
    for head in ("int third(void)", "int before(void)"):
        assert head not in kept


def test_every_definition_of_a_callee_is_read():
    """A callee defined twice (#ifdef and #else): the semantic patch reads
    both, so the view keeps what either calls."""
    text = ("static int slot(void)\n{\n\treturn smp_processor_id();\n}\n"
            "static int other(void)\n{\n\treturn 0;\n}\n"
            "#ifdef A\nstatic int pick(void)\n{\n\treturn slot();\n}\n"
            "#else\nstatic int pick(void)\n{\n\treturn other();\n}\n"
            "#endif\n"
            "void f(struct page *p)\n{\n\tint *a = kmap_atomic(p);\n"
            "\ta[pick()] = 1;\n\tkunmap_atomic(a);\n}\n")
    kept = reduce.reduce(text)
    assert "int slot(void)" in kept and "int other(void)" in kept


def test_apply_diff_takes_context_from_the_file():
    original = "a\nb\nc\nd\n"
    # The diff was made against a text where "a" and "d" were blanked.
    diff = "@@ -1,4 +1,4 @@\n \n-b\n+B\n c\n \n"
    assert reduce.apply_diff(diff, original) == "a\nB\nc\nd\n"


def test_apply_diff_no_newline_at_end():
    diff = "@@ -2 +2 @@\n-b\n\\ No newline at end of file\n+B\n" \
           "\\ No newline at end of file\n"
    assert reduce.apply_diff(diff, "a\nb") == "a\nB"


def test_apply_diff_refuses_a_removed_line_that_differs():
    with pytest.raises(reduce.RebaseError):
        reduce.apply_diff("@@ -1 +1 @@\n-x\n+y\n", "a\n")


def _run(tree, files, focus):
    scratch = tree.parent / ("scratch-%s" % focus)
    scratch.mkdir()
    # As make convert runs it: told the directories' linear-map functions
    # (none here), not reading the scratch directory, whose reduced copies
    # have the bodies that show them blanked (callees.py reads the tree).
    argv = callees.told(spatch.command(
        spatch.default_cocci("kmap_local.cocci"), 120, defines=("json",),
        patch=True))
    sizes = {f: os.path.getsize(tree / f) for f in files}
    return batches.run_files(str(tree), files, sizes, 2, argv, str(scratch),
                            focus=focus)


@needs(shutil.which("spatch"), "needs spatch (Debian package coccinelle)")
def test_reduced_run_gives_the_same_records_and_patch(tmp_path):
    """The whole point: nothing spatch reports depends on the blanked
    functions.  The patch applies to the real files."""
    tree = tmp_path / "tree"
    files = []
    for src in sorted((SEMANTIC / "rewrite").glob("*.c")) + [CASES / "mixed.c"]:
        if src.name.endswith(".expected.c"):
            continue
        # A blanked neighbour right after each function: the diff
        # context of a change near a closing brace comes from it.
        text = src.read_text() + "\nstatic int tail(void)\n{\n\treturn 1;\n}\n"
        dest = tree / "d" / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        files.append("d/" + src.name)
    full, focused = _run(tree, files, False), _run(tree, files, True)
    assert not full.failed and not focused.failed
    # Batches are weighed by what spatch parses, so they differ between
    # the two runs, and records come in the order the batches finish.
    def key(r):
        return (r["file"], r["line"], r["column"])
    assert sorted(focused.records, key=key) == sorted(full.records, key=key)
    assert focused.diffs == full.diffs
    assert full.diffs
    patch = "".join(full.diffs[f] for f in sorted(full.diffs))
    subprocess.run(["patch", "-p1", "--dry-run", "-s"], input=patch,
                   text=True, cwd=tree, check=True)


def test_apply_diff_counts_lines_at_newlines_only():
    """A form feed inside a line (kernel sources have them) is not a line
    break: the hunk lands on the right line."""
    original = "a\n\x0c\nb\x0cc\nd\n"
    diff = "@@ -4 +4 @@\n-d\n+e\n"
    assert reduce.apply_diff(diff, original) == "a\n\x0c\nb\x0cc\ne\n"


def test_a_function_pointer_variable_is_not_a_prototype():
    """A call of it goes through a pointer, which the semantic patch
    must see; a prototype goes."""
    text = "static void (*hook)(void *);\nstatic void helper(void *p);\n"
    assert reduce.reduce(text) == "static void (*hook)(void *);\n\n"
