# SPDX-License-Identifier: GPL-2.0-only
"""What a function defined in the site's file does, a few calls deep.

A call in a kmap_atomic() region is judged by its name
(classify.dependency()), and a callee given the mapped address is
trusted to use it while it runs.  A function the same file defines (a
static helper) is read, and the functions of the file it calls, down to
CALLEE_DEPTH: a helper that reads per-CPU state or copies from user
space relied on the region's disables as much as a direct call would
(first_reliance()); one that keeps the address in a global or hands it
to deferred work lets it out of the thread as much as the caller doing
so would (escape()).  A function defined elsewhere (a local header
included) is judged by its name alone: make convert's reduced views keep
the file's functions called from a map's line on, to that depth, and
leave out the local headers that do not name the mapping API.
"""

import re

from .ctext import close_paren, ptr_base, split_top, strip_c
from .linear import brace_block
from .mapapi import CALLEE_DEPTH, DEFERRED_WORK_RE
NOT_CALLS = frozenset(("if", "for", "while", "switch", "return", "sizeof",
                       "do", "typeof", "__typeof__", "defined", "asm",
                       "__asm__"))
CALL_RE = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*\(")


class Definitions:
    """Function definitions (comments and string literals blanked) of C
    files by file and name, each looked up when first asked for."""

    def __init__(self, src):
        self.src = src
        self.texts = {}
        self.found = {}

    def text(self, path):
        if path not in self.texts:
            self.texts[path] = strip_c("\n".join(self.src.of(path)))
        return self.texts[path]

    def definition(self, path, name):
        """(parameter names, body) of name's definition in the file path,
        or None (declared only, a macro, defined elsewhere); a parameter
        without a name (void, ...) is ""."""
        if (path, name) not in self.found:
            text = self.text(path)
            head = re.compile(
                r"^(?:[A-Za-z_][\w \t*]*?[ \t*])?%s[ \t]*\(([^;{}]*)\)\s*"
                r"(?:__\w+(?:\([^)]*\))?\s*)*\{" % re.escape(name), re.M)
            m = head.search(text) if name in text else None
            self.found[(path, name)] = (
                [parameter_name(p) for p in split_top(m.group(1))],
                brace_block(text, m.end() - 1)) if m else None
        return self.found[(path, name)]

    def body(self, path, name):
        """The body of name's definition in the file path, or None."""
        found = self.definition(path, name)
        return found[1] if found else None

    def file_scope(self, path, name):
        """Whether the file path declares name as a variable outside any
        function (kernel style: such a declaration starts its line)."""
        return re.search(
            r"^(?!return\b|typedef\b)[A-Za-z_][\w \t*]*?[ \t*]%s[ \t]*"
            r"(?:\[[^\]\n]*\][ \t]*)*(?:=[^;]*)?;" % re.escape(name),
            self.text(path), re.M) is not None


def parameter_name(decl):
    """The name a parameter declaration declares ("" for none): the last
    word, or the one in a function pointer's (*name)."""
    m = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", decl)
    if m:
        return m.group(1)
    words = re.findall(r"[A-Za-z_]\w*", re.sub(r"\[[^\]]*\]", "", decl))
    if not words or words[-1] in ("void", "int", "char", "long", "short",
                                  "unsigned", "signed", "float", "double"):
        return ""
    return words[-1] if len(words) > 1 or "*" in decl else ""


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


ASSIGN_RE = re.compile(r"(?<![=!<>+\-*/%&|^])([^;{}()=!<>]+?)\s*=(?!=)\s*([^;{}]+);")


def escape(defs, path, name, index, depth=CALLEE_DEPTH, seen=None):
    """(functions, (kind, what)) when the function name (defined in path)
    may let its parameter at index -- a pointer, or a pointer built on it
    -- out of the calling thread: ("deferred", f) for a deferred-work call
    f() given it (mapapi.DEFERRED_WORK_RE); ("stored, deferred", (G, f))
    for a store in G, a variable the file declares outside any function
    (or a part of one), that f() is then given; ("store", G) for such a
    store alone (another thread may read it there, or G may hold it only
    while the function runs); functions: the callees from name to the one
    doing it, depth calls deep.  None when the body shows none."""
    seen = set() if seen is None else seen
    found = defs.definition(path, name)
    if found is None or (name, index) in seen:
        return None
    seen.add((name, index))
    params, body = found
    if index >= len(params) or not params[index]:
        return None
    held = {params[index]}
    stores = [(lhs.strip(), rhs) for lhs, rhs in ASSIGN_RE.findall(body)]
    for lhs, rhs in stores:
        # A local pointer built on it (p = buf; char *p = buf + 4;): followed.
        local = re.fullmatch(r"(?:[A-Za-z_][\w \t]*[ \t*]+)?\**"
                             r"([A-Za-z_]\w*)", lhs)
        if ptr_base(rhs) in held and local and \
                local.group(1) not in params and \
                not defs.file_scope(path, local.group(1)):
            held.add(local.group(1))
    globals_ = {}                   # file-scope root -> the store
    for lhs, rhs in stores:
        root = re.match(r"[\s(*&]*([A-Za-z_]\w*)", lhs)
        if ptr_base(rhs) in held and root and \
                root.group(1) not in set(params) | held and \
                defs.file_scope(path, root.group(1)):
            globals_.setdefault(root.group(1), " ".join(lhs.split()))
    calls = []                      # (callee, argument index, argument)
    for m in CALL_RE.finditer(body, 1):
        if m.group(1) not in NOT_CALLS:
            end = close_paren(body, m.end() - 1)
            calls += [(m.group(1), i, arg) for i, arg in
                      enumerate(split_top(body[m.end():end]))]
    for callee, _i, arg in calls:
        if not DEFERRED_WORK_RE.match(callee):
            continue
        if ptr_base(arg) in held:
            return [name], ("deferred", callee)
        root = re.match(r"[\s(*&]*([A-Za-z_]\w*)", arg)
        if root and root.group(1) in globals_:
            return [name], ("stored, deferred",
                            (globals_[root.group(1)], callee))
    if globals_:
        return [name], ("store", next(iter(globals_.values())))
    if depth > 1:
        for callee, i, arg in calls:
            if ptr_base(arg) not in held:
                continue
            deeper = escape(defs, path, callee, i, depth - 1, seen)
            if deeper:
                return [name] + deeper[0], deeper[1]
    return None
