# SPDX-License-Identifier: GPL-2.0-only
"""The functions a function-pointer parameter can be, read in C text.

A call through a function pointer in a kmap_atomic() region cannot be
judged by its name: whether the callee relies on the pagefault or
preemption disable is not known.  When the pointer is a parameter of a
static function, every use of that function in its file is a direct
call, and each call gives at that place the name of a function the file
defines (or NULL, or a parameter of a static caller, which is resolved
the same way), those functions are every callee the pointer can be, and
each is judged as a call by its name would be.  Anything else leaves the
pointer unresolved: the function's address taken or a use in a macro (a
caller that cannot be read), another file of the directory that
#includes this one or this one #including a .c file (callers in another
file of the translation unit), an argument that is a variable or an
expression, a function the file does not define (its body cannot be
read), the parameter assigned in the function.

Self-contained: the toolkit loads it on its own (kerneltree.coccimodule).
cargs.py (the splitter, the parenthesis matcher, the parameter namer) is
given to targets().
"""

import re

# How many callers that pass the pointer on are followed.
DEPTH = 3

_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")
_NULL = ("NULL", "0")
# Comments and string or character literals, blanked (line breaks kept).
_NOISE_RE = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|"
                       r"'(?:\\.|[^'\\\n])*'", re.S)
# Preprocessor lines, with their continuations.
_DIRECTIVE_RE = re.compile(r"^[ \t]*#(?:\\\n|[^\n])*", re.M)
_INCLUDE_C_RE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*[\"<][^\">]*\.c[\">]",
                           re.M)
# What may stand between a definition's parameter list and its body.
_ANNOTATIONS_RE = re.compile(r"(?:\s|__\w+(?:\s*\((?:[^()]|\([^()]*\))*\))?)*$")


def _blank(text):
    return _NOISE_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


class Definition:
    """A function definition: name, parameter list, where its head and
    body are, whether it is static."""

    def __init__(self, name, params, head, named, body, end, static):
        self.name, self.params, self.head = name, params, head
        self.named, self.body, self.end = named, body, end
        self.static = static


def definitions(code):
    """The function definitions of blanked code, in order: each "{" at
    file scope after a parenthesised list (and annotations)."""
    found, depth, start, last_end = [], 0, 0, 0
    for m in re.finditer(r"[{};]", code):
        ch = m.group(0)
        if ch == "{":
            if depth == 0:
                start = m.start()
            depth += 1
            continue
        if ch == ";":
            if depth == 0:
                last_end = m.end()
            continue
        depth -= 1
        if depth < 0:
            return []       # unbalanced: nothing is sure
        if depth:
            continue
        head = code[last_end:start]
        last_end = m.end()
        d = _definition(code, head, start - len(head), start, m.end())
        if d:
            found.append(d)
    return found


def _definition(code, head, at, body, end):
    ann = _ANNOTATIONS_RE.search(head)
    before = head[:ann.start()] if ann else head
    if not before.endswith(")"):
        return None     # an initializer, a structure
    # the parameter list's opening parenthesis
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        if before[i] == ")":
            depth += 1
        elif before[i] == "(":
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    name = re.search(r"([A-Za-z_]\w*)\s*$", before[:i])
    if not name:
        return None
    return Definition(name.group(1), before[i + 1:-1], at,
                      at + name.start(1), body, end,
                      re.search(r"\bstatic\b", before[:name.start(1)])
                      is not None)


def _directive_spans(code):
    return [(m.start(), m.end()) for m in _DIRECTIVE_RE.finditer(code)]


def _parameter_names(params, cargs):
    return [cargs.parameter_name(p) for p in cargs.split_top(params)]


def _bare(arg, cargs):
    """An argument without the parentheses around it; &f is f.  (A cast
    is kept: the argument is then not a name.)"""
    arg = arg.strip()
    while arg.startswith("(") and cargs.close_paren(arg, 0) == len(arg) - 1:
        arg = arg[1:-1].strip()
    return arg[1:].strip() if arg.startswith("&") else arg


class _File:
    """One file's blanked code, its definitions and directive lines."""

    def __init__(self, text):
        self.code = _blank(text)
        self.defs = definitions(self.code)
        self.directives = _directive_spans(self.code)

    def defining(self, name):
        return [d for d in self.defs if d.name == name]

    def around(self, at):
        for d in self.defs:
            if d.body < at < d.end:
                return d
        return None

    def in_directive(self, at):
        return any(a <= at < b for a, b in self.directives)


def targets(texts, name, function, param, cargs, depth=DEPTH):
    """The sorted names of the functions that function's parameter param
    can be, read in texts ({file name: text} of a directory's C files and
    headers) where name (a file name of it) defines function; None when
    that cannot be shown (see the module's text).  cargs: the module
    with split_top(), close_paren() and parameter_name()."""
    text = texts.get(name)
    if text is None or _INCLUDE_C_RE.search(text):
        return None
    include = re.compile(r"^[ \t]*#[ \t]*include[ \t]*\"(?:[^\"]*/)?%s\""
                         % re.escape(name), re.M)
    if any(include.search(t) for n, t in texts.items() if n != name):
        return None
    found = set()
    if not _resolve(_File(text), function, param, cargs, depth, found,
                    set()):
        return None
    return sorted(found)


def _resolve(f, function, param, cargs, depth, found, seen):
    if (function, param) in seen:
        return True
    seen.add((function, param))
    heads = f.defining(function)
    if len(heads) != 1 or not heads[0].static:
        return False
    head = heads[0]
    names = _parameter_names(head.params, cargs)
    if param not in names or re.search(
            r"(?<![\w.>])%s\s*=[^=]" % re.escape(param),
            f.code[head.body:head.end]):
        return False
    index = names.index(param)
    for m in re.finditer(r"\b%s\b" % re.escape(function), f.code):
        if m.start() == head.named:
            continue
        if f.in_directive(m.start()):
            return False
        if not _call_resolves(f, m, len(names), index, cargs, depth, found,
                              seen):
            return False
    return True


def _call_resolves(f, m, count, index, cargs, depth, found, seen):
    """Whether the use of the function at m is a prototype, or a direct
    call whose argument at index resolves (adding to found)."""
    code = f.code
    after = re.match(r"\s*\(", code[m.end():])
    if not after or re.search(r"(?:[&.]|->)\s*$", code[:m.start()]):
        return False
    opened = m.end() + after.end() - 1
    closed = cargs.close_paren(code, opened) + 1
    if closed > len(code):
        return False
    caller = f.around(m.start())
    if caller is None:
        # at file scope: only a prototype
        return re.match(r"(?:\s|__\w+(?:\s*\([^()]*\))?)*;",
                        code[closed:]) is not None
    args = cargs.split_top(code[opened + 1:closed - 1])
    if len(args) != count:
        return False
    arg = _bare(args[index], cargs)
    if arg in _NULL:
        return True
    if not _IDENT_RE.match(arg):
        return False
    if arg in _parameter_names(caller.params, cargs):
        return depth > 1 and _resolve(f, caller.name, arg, cargs, depth - 1,
                                      found, seen)
    if not f.defining(arg):
        return False
    found.add(arg)
    return True


def directory_targets(folder, wanted, cargs, texts_of):
    """{(path, function, parameter): targets} of wanted (the same
    triples, for files of folder), whose C texts texts_of(folder) gives
    as (file name, text) pairs; the unresolved are left out."""
    texts = dict(texts_of(folder or "."))
    out = {}
    for path, function, param in wanted:
        found = targets(texts, path.rpartition("/")[2], function, param,
                        cargs)
        if found:
            out[(path, function, param)] = found
    return out


def env_value(resolved):
    """POINTER_ENV's value for {(path, function, parameter): targets}:
    entries PATH:FUNCTION:PARAMETER=T1+T2, comma-separated and sorted (it
    is part of the command line the results cache is keyed on)."""
    return ",".join(sorted("%s:%s:%s=%s" % (path, fn, param, "+".join(ts))
                           for (path, fn, param), ts in resolved.items()))


def of_env(value):
    """{(path, function, parameter): targets} of a value."""
    out = {}
    for entry in filter(None, value.split(",")):
        where, _, names = entry.partition("=")
        where, _, param = where.rpartition(":")
        path, _, fn = where.rpartition(":")
        ts = [t for t in names.split("+") if _IDENT_RE.match(t)]
        if path and fn and param and ts:
            out[(path, fn, param)] = ts
    return out


def files_of_env(value):
    """The files a value names."""
    return {path for path, _fn, _param in of_env(value)}


