# SPDX-License-Identifier: GPL-2.0-only
"""Lexical facts about kernel C source: comments and literals blanked,
preprocessor lines blanked, and where the function definitions are.

A lexical scan, enough for kernel style.  Every top-level brace whose
header has a parameter list and no "=" is a function body.  Its name is
the identifier before the parameter list: the first top-level "(" of the
header that does not open an annotation (__attribute__((cold)) before
the name, __must_hold(&l) or __acquires(x) after the list).  That is also
what spatch and the audit call the function; a definition written
through a macro (SYSCALL_DEFINE3(...)) is named after the macro.

Blanking keeps every line break and the length of every line, so
offsets, line numbers and columns of the result are those of the source.

The toolkit shares it (kerneltree.csource, through kerneltree.coccimodule).
"""

import bisect
import re
from dataclasses import dataclass, field

from .cargs import close_paren

# Comments and literals.  One that is not terminated stops at the end of
# the line (or the file for block comments), so one stray apostrophe in
# odd code cannot hide the rest of the file.
_NOISE_RE = re.compile(
    r"""
      //(?:\\\n|[^\n])*              # line comment, with \-continuations
    | /\*[\s\S]*?(?:\*/|\Z)           # block comment
    | "(?:\\[\s\S]|[^"\\\n])*"?       # string literal
    | '(?:\\[\s\S]|[^'\\\n])*'?       # character literal
    """,
    re.VERBOSE,
)
_DIRECTIVE_RE = re.compile(r"^[ \t]*#(?:\\\n|[^\n])*", re.M)
_NAME_RE = re.compile(r"([A-Za-z_]\w*)\s*$")

# Annotations that take a parenthesised argument and may stand before a
# function's name or after its parameter list (compiler_attributes.h,
# compiler_types.h and sparse's lock annotations).  Those without an
# argument (__init, __cold, noinline) need no list: they have no "(".
ANNOTATIONS = frozenset((
    "__attribute__", "__attribute", "__declspec", "_Alignas", "alignas",
    "__aligned", "__alloc_size", "__alloc_size__", "__assume_aligned",
    "__cleanup", "__copy", "__section", "__printf", "__scanf",
    "__must_hold", "__acquires", "__releases", "__cond_acquires",
    "__cond_releases", "__acquire", "__release", "__diag_ignore",
    "__counted_by", "__no_sanitize_address", "__weak_alias",
    "__malloc", "__realloc_size", "__nocfi", "__noreturn",
))


def _blank(match):
    return "\n".join(" " * len(part) for part in match.group(0).split("\n"))


def strip_comments_and_strings(text):
    """text with comments and literals replaced by spaces."""
    return _NOISE_RE.sub(_blank, text)


def blank_directives(code):
    """code with preprocessor lines (continuations included) blanked."""
    return _DIRECTIVE_RE.sub(_blank, code)


@dataclass(frozen=True)
class Function:
    name: str
    start: int          # first line of the header
    end: int            # line of the closing brace
    # Offset of the "{" that opens the body.
    body_open: int = field(default=0, compare=False)
    # Offsets of the header's first character and of the closing "}".
    header_at: int = field(default=0, compare=False)
    body_close: int = field(default=0, compare=False)

    def __contains__(self, line):
        return self.start <= line <= self.end


def closing_paren(text, i):
    """Index of the ")" that closes the "(" at i, or -1."""
    j = close_paren(text, i)
    return j if j < len(text) else -1


def function_name(header):
    """The name a definition's header (comments blanked) gives its
    function, or None when the header is not a function's (an
    initializer, a struct)."""
    i = 0
    while True:
        i = header.find("(", i)
        if i < 0:
            return None
        before = header[:i]
        if "=" in before:
            return None
        end = closing_paren(header, i)
        if header[i + 1:].lstrip().startswith("*"):
            # A function returning a function pointer: int (*f(int))(int)
            return function_name(header[i + 1:end]) if end > 0 else None
        m = _NAME_RE.search(before)
        if m and m.group(1) not in ANNOTATIONS:
            return m.group(1)
        if end < 0:
            return None
        i = end + 1


def functions(text):
    """The Functions defined in a C source text, in order."""
    code = blank_directives(strip_comments_and_strings(text))
    newlines = [m.start() for m in re.finditer("\n", code)]

    def line_of(pos):
        return bisect.bisect_left(newlines, pos) + 1

    found = []
    depth = 0
    boundary = 0            # just after the last top-level ; or }
    open_at = body_open = 0
    name = None
    for m in re.finditer(r"[{};]", code):
        c, pos = m.group(0), m.start()
        if c == "{":
            if depth == 0:
                header = code[boundary:pos]
                name = function_name(header)
                open_at = boundary + len(header) - len(header.lstrip())
                body_open = pos
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                if name:
                    found.append(Function(name, line_of(open_at),
                                          line_of(pos), body_open, open_at,
                                          pos))
                name = None
                boundary = pos + 1
        elif depth == 0:
            boundary = pos + 1
    return found


def at(funcs, line):
    """The function holding line, or None."""
    for f in funcs:
        if line in f:
            return f
    return None


_CONDITIONAL_RE = re.compile(
    r"^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")


def enclosing_conditions(text, line):
    """The preprocessor conditions line (1-based) of text sits under, the
    outermost first: for each enclosing #if/#ifdef/#ifndef group, the
    directives of its branches up to the one holding the line (under an
    #else the line depends on every earlier branch's condition)."""
    code = strip_comments_and_strings(text).split("\n")
    stack = []
    for raw in code[:max(line - 1, 0)]:
        m = _CONDITIONAL_RE.match(raw)
        if not m:
            continue
        kind, rest = m.group(1), " ".join(m.group(2).split())
        if kind in ("if", "ifdef", "ifndef"):
            stack.append(["#%s %s" % (kind, rest)])
        elif kind == "endif":
            if stack:
                stack.pop()
        elif stack:
            stack[-1].append(("#%s %s" % (kind, rest)).rstrip())
    return [d for group in stack for d in group]


def conditional_arms(text, line):
    """[(line of its #if, arm)] for each preprocessor group line (1-based)
    of text sits in, the outermost first; arm counts the #elif and #else
    lines of the group before it."""
    code = strip_comments_and_strings(text).split("\n")
    stack = []
    for n, raw in enumerate(code[:max(line - 1, 0)], 1):
        m = _CONDITIONAL_RE.match(raw)
        if not m:
            continue
        if m.group(1) in ("if", "ifdef", "ifndef"):
            stack.append([n, 0])
        elif m.group(1) == "endif":
            if stack:
                stack.pop()
        elif stack:
            stack[-1][1] += 1
    return [(start, arm) for start, arm in stack]


def other_arm(text, a, b):
    """The line of the #if whose group holds lines a and b in different
    arms (no configuration compiles both), or None."""
    arms_b = dict(conditional_arms(text, b))
    for start, arm in conditional_arms(text, a):
        if start in arms_b and arms_b[start] != arm:
            return start
    return None
