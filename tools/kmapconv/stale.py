# SPDX-License-Identifier: GPL-2.0-only
"""Comments next to the rewrite that it may have made stale.

A comment within NEAR lines of a line the patch changes that names the
legacy mapping calls, or what kmap_atomic() implied (atomic context, no
sleeping, preemption or page faults disabled), may no longer be true of
the converted code.  They are listed in report.md for the maintainer to
read; the patch never edits a comment.
"""

import os
import re

from kerneltree import diff

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
        for hunk in fd.hunks:
            for line in changed_old_lines(hunk):
                near.update(range(max(1, line - NEAR),
                                  min(len(source), line + NEAR) + 1))
        for number in sorted(near):
            text = comment_part(source[number - 1])
            if WORDS.search(text):
                found.append((fd.path, number,
                              " ".join(source[number - 1].split())))
    return found
