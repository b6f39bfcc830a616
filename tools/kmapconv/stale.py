# SPDX-License-Identifier: GPL-2.0-only
"""Comments next to the rewrite that it may have made stale.

A comment within NEAR lines of a line the patch changes, or in the
comment block right above the function holding one, that names the
legacy mapping calls, or what kmap_atomic() implied (atomic context, no
sleeping, preemption or page faults disabled), may no longer be true of
the converted code.  They are listed in report.md for the maintainer to
read; the patch never edits a comment.
"""

import os
import re

from kerneltree import csource, diff

NEAR = 3

WORDS = re.compile(
    r"\bk(un)?map(_atomic)?\b|\batomic (kmap|map|context|section)|"
    r"\bin_atomic\b|\bpreempt|\bpage ?faults?\b|"
    r"\b(can ?not|can't|must not|may not|mustn't|don't)\s+sleep|"
    r"\b(can|may|might|will)\s+(sleep|schedule)\b",
    re.I)


def comment_part(line):
    """The comment text on one source line ("" when it has none); a line
    inside a block comment is recognised by its leading "*"."""
    for mark in ("//", "/*"):
        at = line.find(mark)
        if at >= 0:
            return line[at + 2:]
    stripped = line.lstrip()
    if stripped.startswith("*") and not stripped.startswith("*/"):
        return stripped[1:]
    return ""


def changed_old_lines(hunk):
    """Lines of the original file the hunk removes, or inserts before."""
    at, found = hunk.old_start, []
    for line in hunk.lines:
        if line.kind == "+":
            found.append(at)
        else:
            if line.kind == "-":
                found.append(at)
            at += 1
    return found


def header_comment(source, function):
    """The lines of the comment block right above function (None: no
    function), which often says how the function maps its pages."""
    if function is None:
        return []
    lines = []
    n = function.start - 1
    while n >= 1 and comment_part(source[n - 1]) or (
            n >= 1 and source[n - 1].strip() in ("*/", "/*")):
        lines.append(n)
        n -= 1
    return lines


def comments(ksrc, patch_text):
    """[(path, line, comment text)] near the lines patch_text changes,
    in the original files of ksrc."""
    found = []
    for fd in diff.parse(patch_text):
        try:
            with open(os.path.join(ksrc, fd.old_path),
                      errors="replace") as f:
                source = f.read().split("\n")
        except (OSError, TypeError):
            continue
        near = set()
        funcs = csource.functions("\n".join(source))
        for hunk in fd.hunks:
            for line in changed_old_lines(hunk):
                near.update(range(max(1, line - NEAR),
                                  min(len(source), line + NEAR) + 1))
                near.update(header_comment(source, csource.at(funcs, line)))
        for number in sorted(near):
            text = comment_part(source[number - 1])
            if WORDS.search(text):
                found.append((fd.path, number,
                              " ".join(source[number - 1].split())))
    return found
