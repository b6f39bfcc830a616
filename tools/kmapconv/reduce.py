# SPDX-License-Identifier: GPL-2.0-only
"""Hand spatch only the functions that can matter.

Most of a candidate file is functions that never touch a mapping, and
spatch pays for each of them in every rule of the semantic patch (it
parses them, builds their flow graph and runs each rule's CTL over
them; and it parses the file again after each rule that changes it).
reduce() blanks those functions, declarations of functions (prototypes,
EXPORT_SYMBOL(f), ...; not a function-pointer variable's, a call of
which goes through a pointer), the contents of initializers and #include lines
(spatch runs with --no-includes).  It leaves the rest of the file as it
is: variables (a rule may depend on one's type), types, macros, the
functions that name the mapping API and the functions of the file they
call from a map on, two calls deep.  Those are all the semantic patch
looks at: a site's own function, the map and unmap helpers it pairs
with, which name the API themselves, and the file's functions a mapping
reaches (what they rely on, whether they let the address out); any
other callee is judged by its name only, e.g. a deferred-work call.
What is blanked keeps its line
breaks, so every line of what is kept has the same number and columns
as in the file: records and diffs of the reduced text are records and diffs of
the file (but for context lines from blanked ones: apply_diff() takes
those from the file).  A context header that does not name the API at
all is left out of its group (see batches.run_files).

The scan is lexical: comments, string and character literals and
preprocessor lines are skipped when counting braces.  A body is emptied
only when the scan is sure of it (a top-level "{" after ")", conditional
directives balanced inside it); anything it is not sure of is kept, and
a file whose braces do not balance is returned unchanged.
"""

import functools
import re

from kerneltree import csource, mapapi
from kerneltree.diff import lines as diff_lines

# Identifiers that make a function relevant: the mapping API and the
# unmaps the semantic patch follows.
API = mapapi.SEMANTIC_PATCH_CALLS

_IDENT_RE = re.compile(r"[A-Za-z_]\w*")
_INCLUDE_RE = re.compile(r"^[ \t]*#[ \t]*include\b[^\n]*$", re.M)
_HAS_DIRECTIVE_RE = re.compile(r"^[ \t]*#", re.M)


# What the brace scan must see past: comments, literals (an unterminated
# one ends at the line's end, like the compiler's complaint would) and
# preprocessor lines with their continuations; and the braces and
# semicolons it counts.
_LEXEME_RE = re.compile(r"""
    (?P<comment>/\*.*?(?:\*/|\Z)|//[^\n]*)
  | (?P<literal>"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)
  | (?P<directive>^[ \t]*\#(?:\\\r?\n|[^\n])*)
  | (?P<mark>[{};])
""", re.M | re.S | re.X)
_NOISE_RE = re.compile(_LEXEME_RE.pattern.replace("[{};]", "(?!)"),
                       re.M | re.S | re.X)
# Inside a block only the braces count: its semicolons need no step.
_INNER_RE = re.compile(_LEXEME_RE.pattern.replace("[{};]", "[{}]"),
                       re.M | re.S | re.X)


_DIRECTIVE_RE = re.compile(r"\s*#\s*(\w+)")
_OPENS = ("if", "ifdef", "ifndef")


def _conditional(line, depth, branches):
    """The brace depth after a directive.  Like the compiler with the
    first branch of each conditional taken: an "#else" branch starts
    again from the depth at "#if", and "#endif" goes back to the depth
    the first branch ended at (if (a) { #else if (b) { #endif counts as
    one brace).  branches is the stack of [depth at #if, depth at the end
    of the first branch]."""
    m = _DIRECTIVE_RE.match(line)
    word = m.group(1) if m else ""
    if word in _OPENS:
        branches.append([depth, None])
    elif word in ("elif", "else") and branches:
        if branches[-1][1] is None:
            branches[-1][1] = depth
        depth = branches[-1][0]
    elif word == "endif" and branches:
        at_if, first = branches.pop()
        if first is not None:
            depth = first
    return depth


def top_level_items(text):
    """[(start, open, close, head)] of the top-level items: where each
    starts (after the ";", "}" or directive that ended the one before),
    and for a brace block the indexes of "{" and "}" and the last code
    character before the "{" ("" if none); for a declaration ended by a
    ";" outside any block, open None, close the index of the ";" and
    head ";".  None when the braces do not balance."""
    items = []
    depth = 0
    last = ""
    start = 0
    opened = None
    head = ""
    at = 0
    branches = []
    while True:
        m = (_INNER_RE if depth else _LEXEME_RE).search(text, at)
        if m is None:
            break
        if not depth:
            gap = text[at:m.start()].rstrip()
            if gap:
                last = gap[-1]
        at = m.end()
        kind = m.lastgroup
        if kind == "comment":
            continue
        if kind == "literal":
            last = '"'
            continue
        if kind == "directive":
            depth = _conditional(m.group(), depth, branches)
            if depth == 0:
                start = m.end()
            continue
        c = m.group()
        if c == "{":
            if depth == 0:
                opened, head = m.start(), last
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                items.append((start, opened, m.start(), head))
                start = m.end()
        elif depth == 0:
            items.append((start, None, m.start(), ";"))
            start = m.end()
        last = c
    return items if depth == 0 else None


def _names(body):
    """body without comments, literals and directives."""
    return _NOISE_RE.sub(" ", body)


def _balanced_conditionals(body):
    """Every #if of body has its #endif in body (and no #endif is
    unopened): blanking body cannot unbalance the file's conditionals."""
    if "#" not in body:
        return True
    depth = 0
    for line in body.splitlines():
        m = _DIRECTIVE_RE.match(line)
        word = m.group(1) if m else ""
        if word in _OPENS:
            depth += 1
        elif word == "endif":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _directives(body):
    """Only the preprocessor lines of body (continuations included), every
    other character but line breaks dropped."""
    if "#" not in body:
        return "\n" * body.count("\n")
    out = []
    lines = body.split("\n")
    cont = False
    for line in lines:
        if cont or line.lstrip().startswith("#"):
            out.append(line)
            cont = line.rstrip("\r").endswith("\\")
        else:
            out.append("")
            cont = False
    return "\n".join(out)


def mentions_api(text, api=API):
    """text names one of api outside comments, literals and directives."""
    # Most functions do not even hold the letters: no need to lex them.
    if not any(name in text for name in _cores(api)):
        return False
    return not api.isdisjoint(_IDENT_RE.findall(_names(text)))


@functools.lru_cache(maxsize=None)
def _cores(api):
    """Substrings one of which every name of api contains: its names
    that hold no shorter one (for API: "kmap" and "kunmap")."""
    cores = []
    for name in sorted(api, key=len):
        if not any(c in name for c in cores):
            cores.append(name)
    return tuple(cores)


# A declaration of functions (a prototype, EXPORT_SYMBOL(f), ...): words
# and stars, a name (not an __attribute__-like one) and its parenthesised
# list, then nothing but attribute-like words; no initializer.  A
# variable with an attribute (char buf[N] __aligned(8)) does not fit.
_CALL_LIKE_RE = re.compile(r"\A[\s\w*]*?\b(?!__)\w+\s*\([^=]*\)[\s\w()]*\Z")
# A function-pointer declarator, "(*hook)": the declaration is a
# variable's, kept (a call of it goes through a pointer).
_POINTER_DECLARATOR_RE = re.compile(r"\(\s*\*")


def _blank(text, a, b):
    """The line breaks of text[a:b]."""
    return "\n" * text.count("\n", a, b)


_MAP_CALL_RE = re.compile(r"(?<![\w.>])(?:%s)\s*\("
                          % "|".join(mapapi.LEGACY_MAPS))


def after_first_map(body):
    """body from the line of its first kmap()/kmap_atomic() on (""
    without one): the semantic patch reads the functions called there."""
    m = _MAP_CALL_RE.search(body)
    return body[body.rfind("\n", 0, m.start()) + 1:] if m else ""


def site_callees(funcs, keep, depth=mapapi.CALLEE_DEPTH):
    """The functions of funcs ([(start, name, body)]) that a kept function
    calls from its first map's line on, and those they call, depth calls
    deep (every definition of a name, kept or not, read whole): the
    semantic patch reads what they rely on in a kmap_atomic() region and
    whether they let a mapped address out of the thread
    (semantic-patches/kmap_local/callees.py)."""
    bodies = {}
    for _s, name, body in funcs:
        if name:
            bodies.setdefault(name, []).append(_names(body))
    texts = [after_first_map(b) for name in keep for b in bodies.get(name, ())]
    found = set()
    read = set()
    for _ in range(depth):
        called = set(name for text in texts
                     for name in mapapi.CALL_RE.findall(text)
                     if name in bodies and name not in read)
        read |= called
        found |= called - keep
        texts = [b for name in called for b in bodies[name]]
    return found


def reduce(text, api=API):
    """text without what cannot matter: irrelevant functions are blanked
    whole (header and body, line breaks kept), or only their body when
    it holds preprocessor lines; so are prototype-like declarations and
    the contents of initializers that do not name api (the declared
    variable stays: its type may decide a match).  The same number of
    lines, kept lines unchanged."""
    items = top_level_items(text)
    if not items:
        return text
    funcs = []
    for start, opened, closed, head in items:
        if head != ")":
            continue
        body = text[opened + 1:closed]
        name = csource.function_name(csource.strip_comments_and_strings(
            text[start:opened]))
        funcs.append((start, name, body))
    keep = set(name for _s, name, body in funcs if mentions_api(body, api))
    keep |= site_callees(funcs, keep)
    names = dict((start, name) for start, name, _body in funcs)
    pieces = []
    at = 0
    for start, opened, closed, head in items:
        if opened is None:
            # A declaration: blanked when it only names functions.
            code = _names(text[start:closed])
            if "(" not in code or code.lstrip().startswith("typedef") or \
                    _HAS_DIRECTIVE_RE.search(text, start, closed) or \
                    not _CALL_LIKE_RE.match(code) or \
                    _POINTER_DECLARATOR_RE.search(code) or \
                    mentions_api(code, api):
                continue
            pieces += [text[at:start], _blank(text, start, closed + 1)]
            at = closed + 1
            continue
        if head not in (")", "="):
            continue        # struct, union, enum: types stay
        body = text[opened + 1:closed]
        if head == ")":
            name = names[start]
            if name is None or name in keep:
                continue
        elif mentions_api(body, api):
            continue
        if not _balanced_conditionals(body):
            continue
        directives = _directives(body)
        if head == "=" or directives.strip() or \
                _HAS_DIRECTIVE_RE.search(text, start, opened):
            pieces.append(text[at:opened + 1])
            pieces.append(directives)
            at = closed
        else:
            pieces += [text[at:start], _blank(text, start, closed + 1)]
            at = closed + 1
    pieces.append(text[at:])
    # spatch runs with --no-includes: an #include is only one more
    # top-level element for every rule to visit.
    return _INCLUDE_RE.sub("", "".join(pieces))


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


class RebaseError(Exception):
    """A diff of the reduced text that does not fit the file."""


def apply_diff(diff, original):
    """original (a str) with the hunks of diff applied by line number.

    diff was made against reduce(original): its removed lines are kept
    lines, so they must read the same in original; its context lines may
    be blanked ones, and are taken from original.
    """
    lines = diff_lines(original)
    out = []
    at = 0  # lines of original consumed
    hunk = None
    previous = None
    for line in diff_lines(diff):
        m = _HUNK_RE.match(line)
        if m:
            start = int(m.group(1))
            count = 1 if m.group(2) is None else int(m.group(2))
            # "-0,0" inserts before line 1; "-n,0" after line n.
            first = start if count else start + 1
            if first - 1 < at or first - 1 > len(lines):
                raise RebaseError("hunk at line %d out of order" % start)
            out += lines[at:first - 1]
            at = first - 1
            hunk = True
            continue
        if not hunk or not line:
            continue
        tag, body = line[0], line[1:]
        if tag == "\\":
            # "\ No newline at end of file": the added line before has
            # none (a context or removed one keeps the file's own).
            if previous == "+" and out[-1].endswith("\n"):
                out[-1] = out[-1][:-1]
            continue
        previous = tag
        if tag == "+":
            out.append(body)
        elif tag in " -":
            if at >= len(lines):
                raise RebaseError("hunk runs past the end of the file")
            if tag == "-":
                if lines[at].rstrip("\n") != body.rstrip("\n"):
                    raise RebaseError("line %d differs from the reduced "
                                      "text" % (at + 1))
            else:
                out.append(lines[at])
            at += 1
    out += lines[at:]
    return "".join(out)
