# SPDX-License-Identifier: GPL-2.0-only
"""kunmap_local() given the struct page instead of the address.

The classic slip of a hand conversion: kunmap(page) becomes
kunmap_local(page).  In a touched function, an unmap whose argument is
spelled like the page (or folio) argument of one of its local maps is
an error.  It is the audit's unmap-arg kind, found from the text, so
the review flags it also where the audit cannot run or cannot tell the
types (6.1's kunmap_local() is a macro around __kunmap_local()).
"""

import re

from kerneltree.csource import strip_comments_and_strings

from .. import model

_MAP_RE = re.compile(r"(?<![\w.>])kmap_local_(page|folio)\s*\(")
_UNMAP_RE = re.compile(r"(?<![\w.>])kunmap_local\s*\(")


def _args(text, start):
    """The comma-separated arguments of the call whose "(" ends at
    start, or None if it does not close."""
    depth, args, begin = 1, [], start
    for i in range(start, len(text)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[begin:i])
                return [" ".join(a.split()) for a in args]
        elif c == "," and depth == 1:
            args.append(text[begin:i])
            begin = i + 1
    return None


def _unparen(expr):
    while expr.startswith("(") and expr.endswith(")"):
        expr = expr[1:-1].strip()
    return expr


def check(ctx):
    findings = []
    for fs in ctx.scopes.values():
        if not fs.post_text:
            continue
        code = strip_comments_and_strings(fs.post_text)
        starts = [0]
        for line in code.split("\n"):
            starts.append(starts[-1] + len(line) + 1)
        for func in fs.post_funcs:
            body = code[starts[func.start - 1]:starts[func.end]]
            pages = {}
            for m in _MAP_RE.finditer(body):
                args = _args(body, m.end())
                if args:
                    pages.setdefault(_unparen(args[0]), m.group(1))
            for m in _UNMAP_RE.finditer(body):
                args = _args(body, m.end())
                if not args or _unparen(args[0]) not in pages:
                    continue
                line = func.start + body.count("\n", 0, m.start())
                what = _unparen(args[0])
                findings.append(model.Finding(
                    "unmap-arg", fs.post_path, line, function=func.name,
                    message="kunmap_local(%s) is given the %s that "
                    "kmap_local_%s() mapped; it takes the address "
                    "kmap_local_%s() returned" % (
                        what, "page" if pages[what] == "page" else "folio",
                        pages[what], pages[what])))
    return findings
