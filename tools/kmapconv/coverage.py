# SPDX-License-Identifier: GPL-2.0-only
"""Textual cross-check of spatch's results.

spatch silently skips functions it cannot parse, so an empty or short
result is not proof that a file has no kmap()/kmap_atomic() calls.  This
module finds the calls with a deliberately simple lexical scan and
compares them, line by line, with what spatch reported: every call line
spatch did not account for is surfaced in the report instead of being
dropped.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from kerneltree.csource import strip_comments_and_strings

# The same pattern the candidate search uses, so the two never disagree
# about what counts as a call.  (?<![\w.>]) is \b plus "not a struct
# member": ops->kmap(x) and ops.kmap(x) are calls through a function
# pointer, not the kmap() API, and spatch rightly does not report them.
CALL_RE = re.compile(r"(?<![\w.>])(kmap(?:_atomic)?)\s*\(")

# A function definition or prototype of kmap itself (e.g. in
# include/linux/highmem-internal.h): the name follows a type.  Calls are
# preceded by an operator, a keyword such as "return", or nothing.
_DECL_PREFIX_RE = re.compile(
    r"(?:\b(?:void|int|long|char|struct\s+\w+|inline|__always_inline)\s*\*?|"
    r"\w\s*\*)\s*$"
)
_NOT_TYPES = {"return", "else", "case", "do", "sizeof"}

API_NAMES = ("kmap", "kmap_atomic")


@dataclass
class CallLine:
    """One source line holding at least one textual call."""
    line: int
    count: int
    text: str


@dataclass
class FileScan:
    """Where the textual calls of one file are, by category."""
    calls: dict = field(default_factory=dict)      # line -> CallLine
    in_macros: dict = field(default_factory=dict)  # line -> CallLine
    in_if0: dict = field(default_factory=dict)     # line -> CallLine


# A preprocessor directive as one logical line: "#", its name, and the
# rest including any \\-continued lines.
_DIRECTIVE_RE = re.compile(r"^[ \t]*#[ \t]*(\w+)((?:\\\n|[^\n])*)", re.M)


def _classify_lines(code):
    """Map line number -> "define-api", "define" or "if0".

    Lines not in the map are ordinary code.  Macro bodies are not
    analysed by spatch, and neither is code under "#if 0"; both are
    reported separately instead of as failures.  "#define kmap(...)" is
    the API itself and not a call at all.  Only directive lines are
    visited, which keeps this fast on large files.
    """
    kind = {}
    depth = 0        # conditional nesting depth, to find the matching #endif
    if0_depth = 0    # depth of the "#if 0" we are inside, 0 if none
    if0_from = 0     # first line of the current "#if 0" region
    line = 1
    pos = 0
    for m in _DIRECTIVE_RE.finditer(code):
        line += code.count("\n", pos, m.start())
        pos = m.start()
        last = line + m.group(0).count("\n")
        directive, rest = m.group(1), m.group(2).strip()
        if directive in ("if", "ifdef", "ifndef"):
            depth += 1
            if not if0_depth and directive == "if" and rest in ("0", "(0)"):
                if0_depth, if0_from = depth, line
            continue
        ends_if0 = if0_depth and (
            (directive == "endif" and depth == if0_depth)
            or (directive in ("else", "elif") and depth == if0_depth))
        if directive == "endif":
            depth = max(depth - 1, 0)
        if ends_if0:
            for k in range(if0_from, line):
                kind[k] = "if0"
            if0_depth = 0
        elif directive == "define" and not if0_depth:
            name = re.match(r"\w+", rest)
            label = ("define-api" if name and name.group(0) in API_NAMES
                     else "define")
            for k in range(line, last + 1):
                kind[k] = label
    if if0_depth:    # unterminated: up to the end of the file
        for k in range(if0_from, code.count("\n") + 2):
            kind[k] = "if0"
    return kind


def _is_declaration(code, start):
    """True if the kmap name at code[start] is being declared/defined.

    Looks at the statement so far (back to the last ; { or }), which may
    span lines: "void *\nkmap(struct page *page)" is a definition too.
    """
    begin = max(code.rfind(c, 0, start) for c in ";{}") + 1
    prefix = code[begin:start]
    if not _DECL_PREFIX_RE.search(prefix):
        return False
    words = re.findall(r"\w+", prefix)
    return not (words and words[-1] in _NOT_TYPES)


# CALL_RE without its look-behind, which keeps the regex engine from
# skipping ahead to the next "kmap": the character before is checked
# apart.
_CALL_AHEAD_RE = re.compile(CALL_RE.pattern.replace(r"(?<![\w.>])", ""))
_CALL_BEHIND_RE = re.compile(r"[\w.>]")


def _calls(code):
    """CALL_RE.finditer(code), faster."""
    for m in _CALL_AHEAD_RE.finditer(code):
        if not (m.start() and _CALL_BEHIND_RE.match(code, m.start() - 1)):
            yield m


def scan_text(text):
    """Find the kmap()/kmap_atomic() call lines of one C file's text."""
    code = strip_comments_and_strings(text)
    text_lines = text.split("\n")
    kinds = _classify_lines(code)
    counts = {"code": Counter(), "define": Counter(), "if0": Counter()}
    line = 1
    pos = 0
    for m in _calls(code):
        line += code.count("\n", pos, m.start())
        pos = m.start()
        kind = kinds.get(line, "code")
        if kind == "define-api":
            continue
        if kind == "code" and _is_declaration(code, m.start()):
            continue
        counts[kind][line] += 1
    scan = FileScan()
    for kind, target in (("code", scan.calls), ("define", scan.in_macros),
                         ("if0", scan.in_if0)):
        for ln, cnt in sorted(counts[kind].items()):
            target[ln] = CallLine(ln, cnt, text_lines[ln - 1].strip())
    return scan


def unreported(call_lines, reported_lines):
    """The CallLines (of one category of a scan) spatch fell short on.

    reported_lines maps line -> number of sites spatch reported on that
    line.  Comparing counts (not just line presence) catches
    "a = kmap(x), b = kmap(y);" with only one of them analysed.  Macro
    bodies go through here too: spatch does analyse some of them (an
    expression-like body), and those are then ordinary sites.
    """
    return [cl for ln, cl in sorted(call_lines.items())
            if reported_lines.get(ln, 0) < cl.count]
