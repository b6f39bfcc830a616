# SPDX-License-Identifier: GPL-2.0-only
"""Where the function definitions of a C file start and end.

A lexical scan, enough for kernel style: comments, literals and
preprocessor lines are blanked (kmapconv.coverage does the first two),
then every top-level brace whose header has a parameter list and no
"=" is a function body.  The name is the identifier before the first
top-level "(" of the header, which is also what spatch and the audit
call the function (a definition through a macro is named after the
macro).
"""

import bisect
import re
from dataclasses import dataclass

from kmapconv.coverage import strip_comments_and_strings

_DIRECTIVE_RE = re.compile(r"^[ \t]*#(?:\\\n|[^\n])*", re.M)
_NAME_RE = re.compile(r"([A-Za-z_]\w*)\s*$")


@dataclass(frozen=True)
class Function:
    name: str
    start: int          # first line of the header
    end: int            # line of the closing brace

    def __contains__(self, line):
        return self.start <= line <= self.end


def _blank_directives(code):
    return _DIRECTIVE_RE.sub(
        lambda m: "\n".join(" " * len(p) for p in m.group(0).split("\n")),
        code)


def _function_name(header):
    """The name of a function definition's header, or None."""
    depth = 0
    for i, c in enumerate(header):
        if c == "(":
            if depth == 0:
                m = _NAME_RE.search(header[:i])
                if not m or "=" in header[:i]:
                    return None
                return m.group(1)
            depth += 1
        elif c == ")":
            depth -= 1
    return None


def functions(text):
    """The Functions of a C source text, in order."""
    code = _blank_directives(strip_comments_and_strings(text))
    newlines = [i for i, c in enumerate(code) if c == "\n"]

    def line_of(pos):
        return bisect.bisect_left(newlines, pos) + 1

    found = []
    depth = 0
    boundary = 0            # just after the last top-level ; or }
    open_at = None
    name = None
    for m in re.finditer(r"[{};]", code):
        c, pos = m.group(0), m.start()
        if c == "{":
            if depth == 0:
                header = code[boundary:pos]
                name = _function_name(header)
                stripped = len(header) - len(header.lstrip())
                open_at = boundary + stripped
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                if name:
                    found.append(Function(name, line_of(open_at),
                                          line_of(pos)))
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
