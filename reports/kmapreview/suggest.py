# SPDX-License-Identifier: GPL-2.0-only
"""Suggested diffs: the converter's patch-mode diff of a post-patch
file, cut down to the changes inside one function, as a diff of its own
that applies to the post-patch file (-p1, like the patch under review).

diff merges nearby changes into one hunk, so a hunk can hold changes in
two functions.  The changes outside the function are undone (their
removed lines become context, their added lines go) and the rest is cut
into hunks again with three lines of context, as diff -u would.
"""

from . import patchfile

CONTEXT = 3


def _numbered(hunk):
    """(kind, text, old line) per hunk line; an added line gets the old
    line it is inserted before."""
    out, old = [], hunk.old_start if hunk.old_count else hunk.old_start + 1
    for hl in hunk.lines:
        out.append((hl.kind, hl.text, old))
        if hl.kind != "+":
            old += 1
    return out


def _keep_only(rows, first, last):
    """Undo the changes whose old lines lie outside first..last."""
    kept = []
    for kind, text, old in rows:
        inside = first <= old <= last
        if kind == " " or inside:
            kept.append((kind, text, old))
        elif kind == "-":
            kept.append((" ", text, old))
    return kept


def _rehunk(rows):
    """Cut rows into (old_start, rows) pieces, diff -u style."""
    changes = [i for i, r in enumerate(rows) if r[0] != " "]
    pieces = []
    start = None
    for n, i in enumerate(changes):
        if start is None:
            start = max(i - CONTEXT, 0)
        nxt = changes[n + 1] if n + 1 < len(changes) else None
        if nxt is None or nxt - i - 1 > 2 * CONTEXT:
            end = min(i + CONTEXT + 1, len(rows))
            pieces.append(rows[start:end])
            start = None
    return pieces


def _piece_lines(piece, delta, section):
    old_n = sum(1 for r in piece if r[0] != "+")
    new_n = sum(1 for r in piece if r[0] != "-")
    old_start = piece[0][2] if old_n else piece[0][2] - 1
    head = "@@ -%s +%s @@%s" % (patchfile.span(old_start, old_n),
                                patchfile.span(old_start + delta, new_n),
                                " " + section if section else "")
    return [head] + [k + t for k, t, _o in piece], new_n - old_n


def within(section, path, first, last):
    """The changes of one file's diff section (spatch's "diff -u -p"
    text) on old lines first..last, as a unified diff ("" if none)."""
    if not section:
        return ""
    out = []
    delta = 0
    for fd in patchfile.parse_diff(section, "the converter's diff"):
        for hunk in fd.hunks:
            rows = _keep_only(_numbered(hunk), first, last)
            for piece in _rehunk(rows):
                lines, change = _piece_lines(piece, delta, hunk.section)
                out += lines
                delta += change
    if not out:
        return ""
    return "\n".join(["--- a/%s" % path, "+++ b/%s" % path] + out) + "\n"
