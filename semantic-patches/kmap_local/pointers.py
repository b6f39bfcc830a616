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

scope_variables() names the variables of a file's scope a call of which
goes through a pointer whatever its name (callees.Definitions.variables()
adds a function's own).

The toolkit loads it too (kerneltree.coccimodule).
"""

import re

from .cargs import close_paren, parameter_name, split_top
from .csource import blank_directives, functions, strip_comments_and_strings
from .linear import c_texts

# How many callers that pass the pointer on are followed.
DEPTH = 3

_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")
_NULL = ("NULL", "0")
_OPEN_RE = re.compile(r"\s*\(")
_INCLUDE_C_RE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*[\"<][^\">]*\.c[\">]",
                           re.M)


def _parameter_names(params):
    return [parameter_name(p) for p in split_top(params)]


def _bare(arg):
    """An argument without the parentheses around it; &f is f.  (A cast
    is kept: the argument is then not a name.)"""
    arg = arg.strip()
    while arg.startswith("(") and close_paren(arg, 0) == len(arg) - 1:
        arg = arg[1:-1].strip()
    return arg[1:].strip() if arg.startswith("&") else arg


class _Definition:
    """A function definition (csource.Function) with what resolving
    reads of its header: where its name is, its parameter list, whether
    it is static."""

    def __init__(self, code, fn):
        self.name, self.body, self.end = fn.name, fn.body_open, fn.body_close
        header = code[fn.header_at:fn.body_open]
        m = re.search(r"\b%s\s*\(" % re.escape(fn.name), header)
        self.named = fn.header_at + m.start() if m else -1
        opened = m.end() - 1 if m else 0
        self.params = header[opened + 1:close_paren(header, opened)] \
            if m else ""
        self.static = m is not None and \
            re.search(r"\bstatic\b", header[:m.start()]) is not None


class _File:
    """One file's code (comments and literals blanked), its definitions,
    and the same code with preprocessor lines blanked too."""

    def __init__(self, text):
        self.code = strip_comments_and_strings(text)
        self.plain = blank_directives(self.code)
        self.defs = [_Definition(self.code, fn) for fn in functions(text)]

    def defining(self, name):
        return [d for d in self.defs if d.name == name]

    def around(self, at):
        for d in self.defs:
            if d.body < at < d.end:
                return d
        return None

    def in_directive(self, at):
        return self.plain[at] != self.code[at]


def targets(texts, name, function, param, depth=DEPTH):
    """The sorted names of the functions that function's parameter param
    can be, read in texts ({file name: text} of a directory's C files and
    headers) where name (a file name of it) defines function; None when
    that cannot be shown (see the module's text)."""
    text = texts.get(name)
    if text is None or _INCLUDE_C_RE.search(text):
        return None
    include = re.compile(r"^[ \t]*#[ \t]*include[ \t]*\"(?:[^\"]*/)?%s\""
                         % re.escape(name), re.M)
    if any(include.search(t) for n, t in texts.items() if n != name):
        return None
    found = set()
    if not _resolve(_File(text), function, param, depth, found, set()):
        return None
    return sorted(found)


def _resolve(f, function, param, depth, found, seen):
    if (function, param) in seen:
        return True
    seen.add((function, param))
    heads = f.defining(function)
    if len(heads) != 1 or not heads[0].static:
        return False
    head = heads[0]
    names = _parameter_names(head.params)
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
        if not _call_resolves(f, m, len(names), index, depth, found, seen):
            return False
    return True


def _call_resolves(f, m, count, index, depth, found, seen):
    """Whether the use of the function at m is a prototype, or a direct
    call whose argument at index resolves (adding to found)."""
    code = f.code
    after = _OPEN_RE.match(code, m.end())
    before = m.start() - 1
    while before >= 0 and code[before].isspace():
        before -= 1
    if not after or code[before - 1:before + 1].endswith(("&", ".", "->")):
        return False
    opened = after.end() - 1
    closed = close_paren(code, opened) + 1
    if closed > len(code):
        return False
    caller = f.around(m.start())
    if caller is None:
        # at file scope: only a prototype
        return re.match(r"(?:\s|__\w+(?:\s*\([^()]*\))?)*;",
                        code[closed:]) is not None
    args = split_top(code[opened + 1:closed - 1])
    if len(args) != count:
        return False
    arg = _bare(args[index])
    if arg in _NULL:
        return True
    if not _IDENT_RE.match(arg):
        return False
    if arg in _parameter_names(caller.params):
        return depth > 1 and _resolve(f, caller.name, arg, depth - 1, found,
                                      seen)
    if not f.defining(arg):
        return False
    found.add(arg)
    return True


def directory_targets(folder, wanted):
    """{(path, function, parameter): targets} of wanted (the same
    triples, for files of folder); the unresolved are left out."""
    texts = dict(c_texts(folder or "."))
    out = {}
    for path, function, param in wanted:
        found = targets(texts, path.rpartition("/")[2], function, param)
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


# A name declared as a function pointer, "(*name)(" (also a call through
# one, "(*name)(args)"), or given a value, "name = ...", not a member's.
DECLARATOR_RE = re.compile(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(")
ASSIGNED_RE = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*=(?!=)")


def _outside_parentheses(code, matches):
    """The names of the matches (in order) that no parenthesis of code
    encloses."""
    names, depth, at = set(), 0, 0
    for m in matches:
        depth += code.count("(", at, m.start()) - code.count(")", at,
                                                              m.start())
        at = m.start()
        if depth == 0:
            names.add(m.group(1))
    return names



def scope_variables(text):
    """The names C text declares as function pointers or initializes
    outside every function body, but for a prototype's parameters: a call
    of one goes through a function pointer, whatever its name."""
    code = blank_directives(strip_comments_and_strings(text))
    scope, last = [], 0
    for fn in functions(text):
        scope.append(code[last:fn.body_open])
        last = fn.body_close + 1
    scope = "".join(scope + [code[last:]])
    found = set()
    for pattern in (DECLARATOR_RE, ASSIGNED_RE):
        found |= _outside_parentheses(scope, pattern.finditer(scope))
    return found
