# SPDX-License-Identifier: GPL-2.0-only
"""Comments next to the rewrite that it may have made stale.

A comment block with a line within NEAR lines of a line the patch
changes (in the function holding it), or the comment block right above
that function, that names the legacy mapping calls, or what
kmap_atomic() implied (atomic context, no sleeping, preemption or page
faults disabled), may no longer be true of the converted code.  They
are listed in report.md for the maintainer to read; the patch never
rewrites a comment (one at the end of a changed line stays on it).
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


def comment_block(source, line):
    """The lines of the comment block holding line (1-based), [] when
    line holds no comment: a comment near the rewrite is read whole."""
    def inside(n):
        return 1 <= n <= len(source) and (
            comment_part(source[n - 1]) or
            source[n - 1].strip() in ("*/", "/*"))
    if not inside(line):
        return []
    first, last = line, line
    while "/*" not in source[first - 1] and inside(first - 1) and \
            "*/" not in source[first - 2]:
        first -= 1
    while "*/" not in source[last - 1] and inside(last + 1):
        last += 1
    return list(range(first, last + 1))


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
                # Within the function holding the change: the next
                # function's comments are not about it.
                f = csource.at(funcs, line)
                for n in range(max(1, line - NEAR, f.start if f else 1),
                               min(len(source), line + NEAR,
                                   f.end if f else len(source)) + 1):
                    near.add(n)
                    near.update(comment_block(source, n))
                near.update(header_comment(source, f))
        for number in sorted(near):
            text = comment_part(source[number - 1])
            if WORDS.search(text):
                found.append((fd.path, number,
                              " ".join(source[number - 1].split())))
    return found
