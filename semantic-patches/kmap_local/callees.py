# SPDX-License-Identifier: GPL-2.0-only
"""What a function defined in the site's file calls, a few calls deep.

A call in a kmap_atomic() region is judged by its name
(classify.dependency()).  A function the same file defines (a static
helper) is judged by the calls in its body as well, and by theirs, down
to CALLEE_DEPTH: a helper that reads per-CPU state or copies from user
space relied on the region's disables as much as a direct call would.
A function defined elsewhere (a local header included) is judged by its
name alone: make convert's reduced views keep the file's functions that
a kmap_atomic() function calls, to that depth, and leave out the local
headers that do not name the mapping API.
"""

import re

from .ctext import strip_c
from .linear import brace_block
from .mapapi import CALLEE_DEPTH
NOT_CALLS = frozenset(("if", "for", "while", "switch", "return", "sizeof",
                       "do", "typeof", "__typeof__", "defined", "asm",
                       "__asm__"))
CALL_RE = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*\(")


class Definitions:
    """Function bodies (comments and string literals blanked) of C files
    by file and name, each looked up when first asked for."""

    def __init__(self, src):
        self.src = src
        self.texts = {}
        self.bodies = {}

    def body(self, path, name):
        """The body of name's definition in the file path, or None
        (declared only, a macro, defined elsewhere)."""
        if (path, name) not in self.bodies:
            if path not in self.texts:
                self.texts[path] = strip_c("\n".join(self.src.of(path)))
            text = self.texts[path]
            head = re.compile(
                r"^(?:[A-Za-z_][\w \t*]*?[ \t*])?%s[ \t]*\([^;{}]*\)\s*"
                r"(?:__\w+(?:\([^)]*\))?\s*)*\{" % re.escape(name), re.M)
            m = head.search(text) if name in text else None
            self.bodies[(path, name)] = brace_block(text, m.end() - 1) \
                if m else None
        return self.bodies[(path, name)]


def first_reliance(defs, path, name, judge, depth=CALLEE_DEPTH, seen=None):
    """(functions, call, verdict) for the first call in the body of name
    (a function the file path defines) or, depth calls deep, in the
    bodies of the functions it calls, that judge(call) gives a verdict
    for; functions: the callees from name to the one making that call.
    None when there is none, or path does not define name."""
    seen = set() if seen is None else seen
    if name in seen:
        return None
    seen.add(name)
    body = defs.body(path, name)
    if body is None:
        return None
    calls = [c for c in CALL_RE.findall(body[1:]) if c not in NOT_CALLS]
    for call in calls:
        verdict = judge(call)
        if verdict:
            return [name], call, verdict
    if depth <= 1:
        return None
    for call in calls:
        found = first_reliance(defs, path, call, judge, depth - 1, seen)
        if found:
            return [name] + found[0], found[1], found[2]
    return None
