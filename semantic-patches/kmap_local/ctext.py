# SPDX-License-Identifier: GPL-2.0-only
"""C text as spatch hands it to scripts: normalising, splitting and
reading expressions without a parser."""

import re

from .cargs import close_paren
from .mapapi import LEGACY_MAPS


def norm(s):
    return re.sub(r"\s+", "", s)


def squash(s):
    """C text with blanks only where they separate two words."""
    s = re.sub(r"(?<=\w)\s+(?=\w)", chr(1), s)
    return re.sub(r"\s+", "", s).replace(chr(1), " ")


def tidy(t):
    """C text as spatch prints it (a space between all tokens) made
    readable for messages: (void *) (unsigned long) p->f[i], f(x)."""
    t = " ".join(str(t).split())
    t = re.sub(r"\s*(->|[.]|\[|\])\s*", r"\1", t)
    t = re.sub(r"[(]\s+", "(", t)
    t = re.sub(r"\s+[)]", ")", t)
    return re.sub(r"(\w)\s+[(]", r"\1(", t)


def idents(s):
    return set(re.findall(r"[A-Za-z_]\w*", s))


def mentions(text, names):
    return bool(idents(text) & names)


def root_idents(s):
    """The identifiers of s that name variables or functions, without the
    fields after -> or . (pt->v does not name a variable v)."""
    t = re.sub(r"\s*(->|[.])\s*", r"\1", str(s))
    return set(re.findall(r"(?<![\w.])(?<!->)[A-Za-z_]\w*", t))


def names_variable(text, names):
    """text uses one of the variables names (not a field of that name):
    what pairs an unmap with a map."""
    return bool(root_idents(text) & names)


def is_lvalue_in(lv, text):
    """The lvalue lv (normalised) appears whole in text (normalised):
    st->frag_data in kunmap_atomic(st->frag_data), not p in pt->v."""
    return re.search(r"(?<![\w.>])%s(?![\w])" % re.escape(lv),
                     text) is not None


# Words after the first are separated by blanks or stars, so that no
# identifier can be split two ways (nested free repetition backtracked
# exponentially on a long parenthesised expression that is not a cast).
CAST = re.compile(r"^\(\s*(?:const|volatile|struct|union|enum|unsigned|"
                  r"signed|[A-Za-z_]\w*)(?:\s*\*|\s+[A-Za-z_]\w*)*\s*\)")


def without_casts(expr):
    """expr without the casts and parentheses around it."""
    t = str(expr).strip()
    while True:
        m = CAST.match(t)
        if m and len(t) > m.end():
            t = t[m.end():].strip()
        elif t.startswith("(") and close_paren(t, 0) == len(t) - 1:
            t = t[1:-1].strip()
        else:
            return t


def ptr_base(expr):
    """The variable (or map function) a pointer expression is built on --
    x, (T *)x, x + off, (T *)(x + off), &x[i], &x->f, kmap(p) + off -- or
    None when the expression is a value read through it (x[i], *x, f(x))."""
    t = without_casts(expr)
    amp = t.startswith("&")
    if amp:
        t = t[1:].strip()
    m = re.match(r"[A-Za-z_]\w*", t)
    if not m:
        return None
    base, rest = m.group(0), t[m.end():].strip()
    if rest.startswith("(") and base in LEGACY_MAPS:
        rest = rest[close_paren(rest, 0) + 1:].strip()
    if amp:
        return base if rest[:1] == "[" or rest[:2] == "->" else None
    return base if rest == "" or rest[:1] in "+-" and rest[:2] != "->" \
        else None


def unparen(t):
    while t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    return t


def lhs_kind(lhs):
    """Where a pointer stored through this lvalue lives."""
    t = norm(lhs)
    if t.startswith("*"):
        return "through a pointer"
    if t.endswith("]"):
        return "array element"
    if "->" in t or "." in t:
        return "structure field"
    return "global or static"


def page_alias(page):
    # kmap(*p = page) maps page; kunmap() is given the right-hand side.
    t = norm(page)
    if "=" in t and "==" not in t:
        t = t.split("=")[-1]
    return unparen(t)


def store_root(lhs):
    m = re.match(r"[\s(&*]*([A-Za-z_]\w*)", lhs)
    return m.group(1) if m else lhs


def shape(expr):
    """An lvalue with its root variable abstracted (ibh->b_page ->
    ROOT->b_page), so a helper's parameter matches whatever the map site
    called it."""
    return re.sub(r"^[A-Za-z_]\w*", "ROOT", unparen(norm(expr)))


def ternary(t):
    """(condition, then, else) of c ? a : b at the top level, or None."""
    depth = 0
    q = None
    for i, ch in enumerate(t):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch == "?" and q is None:
            q = i
        elif depth == 0 and ch == ":" and q is not None:
            return t[:q], t[q + 1:i], t[i + 1:]
    return None


# Operators whose result is 0 or 1, never an address: comparisons and
# logical ones (not ->, <<, >>).
TRUTH_OP_RE = re.compile(r"==|!=|<=|>=|&&|\|\||(?<![-<>])>(?![>=])|"
                         r"(?<!<)<(?![<=])")


def value_parts(expr):
    """The parts of expr whose value becomes its value: both arms of
    c ? a : b (never c), and none of a comparison, a logical operation
    or a negation, whose value is 0 or 1 (return !map->virtual ? -ENOMEM
    : 0 hands back no address)."""
    t = norm(expr).strip()
    while t.startswith("(") and close_paren(t, 0) == len(t) - 1:
        t = t[1:-1].strip()
    arms = ternary(t)
    if arms:
        return value_parts(arms[1]) + value_parts(arms[2])
    if t.startswith("!") and not t.startswith("!="):
        return []
    top, depth = [], 0
    for ch in t:
        depth += ch in "(["
        depth -= ch in ")]"
        top.append(ch if depth == 0 or ch in ")]" else " ")
    return [] if TRUTH_OP_RE.search("".join(top)) else [t]


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


C_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def strip_c(text):
    """C text without comments and with empty string literals."""
    return C_STRING.sub('""', strip_comments(text))


def in_null_arm(lines, line, callee, names):
    """Whether the call of callee on line (1-based) is in the arm of a
    statement "v ? a : b;" that runs when v, one of names (the variables
    holding a mapped address), is NULL, and not in the other: a pass
    that mapped never makes it."""
    start = line - 1
    while start > 0 and not re.search(r"[;{}]\s*$",
                                      strip_c(lines[start - 1])):
        start -= 1
    text = strip_c("\n".join(lines[start:line + 4]))
    # The statement, without the "} else" of an arm it is the body of.
    statement = re.sub(r"^(?:[{}\s]|\belse\b)+", "", text.split(";")[0])
    arms = ternary(statement)
    if not arms or unparen(norm(arms[0])) not in names:
        return False
    call = re.compile(r"\b%s\s*\(" % re.escape(callee))
    return bool(call.search(arms[2])) and not call.search(arms[1])


def map_offset(expr):
    """The offset in kmap(page) + off (0 without one)."""
    t = str(expr).strip()
    i = close_paren(t, t.index("("))
    rest = t[i + 1:].strip()
    return rest[1:].strip() if rest.startswith("+") else "0"


def var_offset(expr, x):
    """The offset in x or x + off, or None for any other shape."""
    t = norm(str(expr))
    if t == x:
        return "0"
    if t.startswith(x + "+"):
        return str(expr).strip()[str(expr).strip().index("+") + 1:].strip()
    return None


IF_OPEN_RE = re.compile(r"^\s*if\s*\((.*)\)\s*\{\s*$")


def enclosing_if(lines, line):
    """The condition of the if statement whose braces directly hold line
    (1-based), when it is written "if (cond) {" on one line, has no
    else and no comment in its block; None otherwise.  A rewrite that
    leaves one statement there leaves braces checkpatch objects to."""
    depth = 0
    for n in range(line - 1, 0, -1):
        code = strip_c(lines[n - 1])
        depth += code.count("}") - code.count("{")
        if depth < 0:
            break
    else:
        return None
    opened = IF_OPEN_RE.match(lines[n - 1])
    if not opened:
        return None
    depth = 0
    for end in range(n, len(lines) + 1):
        code = strip_c(lines[end - 1])
        depth += code.count("{") - code.count("}")
        if depth == 0:
            break
    else:
        return None
    after = next((l.strip() for l in lines[end:] if l.strip()), "")
    if lines[end - 1].strip() != "}" or after.startswith("else") or \
       re.search(r"/\*|//", "\n".join(lines[n:end - 1])):
        return None
    return norm(opened.group(1))


def braceless_body(lines, line):
    """Whether the statement on line (1-based) is the whole body of an
    if, else or loop written without braces: the code before it ends a
    condition or is an else.  A statement added next to it would need
    braces there, and on the other arm too (checkpatch).  Preprocessor
    lines are not that code: "#else" and "#if defined(X)" end nothing
    the C statement belongs to."""
    for n in range(line - 1, 0, -1):
        code = strip_c(lines[n - 1]).strip()
        if code and not code.startswith("#"):
            return code.endswith(")") or re.search(r"\belse$", code) \
                is not None
    return False


def statement_end(lines, line, column):
    """The line where the body of the loop whose keyword is at (line,
    column) (1-based) ends, when that body is one statement without
    braces; None when it is a block (or the text is not understood).
    Comments and string literals are skipped."""
    text = "\n".join(lines[line - 1:])
    i = column - 1
    depth = 0
    state = None        # None, "//", "/*", '"' or "'"
    header_done = False
    braces = 0
    n = len(text)
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if state == "//":
            state = None if c == "\n" else state
        elif state == "/*":
            if two == "*/":
                state, i = None, i + 1
        elif state in ('"', "'"):
            if c == "\\":
                i += 1
            elif c == state:
                state = None
        elif two in ("//", "/*"):
            state, i = two, i + 1
        elif c in ('"', "'"):
            state = c
        elif not header_done:
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    header_done = True
                    rest = re.match(r"\s*(/\*.*?\*/\s*|//[^\n]*\n\s*)*",
                                    text[i + 1:], re.S)
                    if text[i + 1 + rest.end():i + 2 + rest.end()] == "{":
                        return None
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
            if braces == 0 and depth == 0:
                return line + text.count("\n", 0, i)
        elif c == ";" and depth == 0 and braces == 0:
            return line + text.count("\n", 0, i)
        i += 1
    return None
