# SPDX-License-Identifier: GPL-2.0-only
"""What a function defined in the site's file does, a few calls deep.

A call in a kmap_atomic() region is judged by its name
(classify.dependency()), and a callee given the mapped address is
trusted to use it while it runs.  A function the same file defines (a
static helper) is read, and the functions of the file it calls, down to
CALLEE_DEPTH: a helper that reads per-CPU state or copies from user
space relied on the region's disables as much as a direct call would
(first_reliance()); one that hands the address to deferred work lets it
out of the thread as much as the caller doing so would (escape()).
Every definition of a name is read (a stub under #ifdef and the real
one, a function-like macro's replacement).  A function defined elsewhere (a local header included) is judged
by its name alone: make convert's reduced views keep the file's
functions called from a map on, to that depth, and leave out the local
headers that do not name the mapping API.
"""

import re

from .cargs import ATTRIBUTE, indirect_call, parameter_name, split_top
from .ctext import close_paren, ptr_base, strip_comments, tidy, value_parts
from .linear import brace_block
from .mapapi import CALL_RE, CALLEE_DEPTH, DEFERRED_WORK_RE, NOT_CALLS
from .pointers import ASSIGNED_RE, DECLARATOR_RE, scope_variables

# String literals (continued over a backslash-newline too) and character
# literals, whose braces and parentheses are not code.
LITERAL_RE = re.compile(r'"(?:[^"\\\n]|\\(?:.|\n))*"|'
                        r"'(?:[^'\\\n]|\\.)*'")
# A parameter list: no braces or semicolons, parentheses one level deep
# (a function pointer's own list).
PARAMETERS = r"((?:[^;{}()]|\((?:[^;{}()]|\([^;{}()]*\))*\))*)"
# Stores that are calls: WRITE_ONCE(x, v) and the like write v to x.
STORE_CALLS = ("WRITE_ONCE", "rcu_assign_pointer", "smp_store_release",
               "xchg", "cmpxchg")
ASSIGN_RE = re.compile(r"(?<![=!<>+\-*/%&|^])((?:[^;{}()=!<>]|->)+?)\s*"
                       r"=(?!=)\s*([^;{}]+);")
ROOT_RE = re.compile(r"[\s(*&]*([A-Za-z_]\w*)")


def blank_literals(text):
    """text without comments, with string and character literals
    emptied (line breaks kept)."""
    return LITERAL_RE.sub(lambda m: '""' + "\n" * m.group(0).count("\n"),
                          strip_comments(text))


class Definitions:
    """Function definitions (comments and literals blanked) of C files by
    file and name, each looked up when first asked for."""

    def __init__(self, src):
        self.src = src
        self.texts = {}
        self.found = {}
        self.scopes = {}
        self.macro_bodies = set()       # bodies that are macros'

    def text(self, path):
        if path not in self.texts:
            self.texts[path] = blank_literals("\n".join(self.src.of(path)))
        return self.texts[path]

    def definitions(self, path, name):
        """[(parameter names, body)] of each definition of name in the
        file path, a function's or a function-like macro's, in order ([]
        when declared only, or defined elsewhere); a parameter without a
        name (void, ...) is ""."""
        if (path, name) not in self.found:
            text = self.text(path) if name in self.text(path) else ""
            head = re.compile(
                r"^(?:[A-Za-z_](?:[\w \t*]|%s)*?[ \t*])?%s[ \t]*\(%s\)\s*"
                r"(?:%s\s*)*\{" % (ATTRIBUTE, re.escape(name), PARAMETERS,
                                   ATTRIBUTE), re.M)
            macro = re.compile(r"^[ \t]*#[ \t]*define[ \t]+%s\(([^)]*)\)"
                               r"((?:[^\n]*\\\n)*[^\n]*)" % re.escape(name),
                               re.M)
            macros = [([p.strip() for p in m.group(1).split(",")],
                       macro_body(m.group(2)))
                      for m in macro.finditer(text)]
            self.macro_bodies.update(body for _params, body in macros)
            self.found[(path, name)] = [
                ([parameter_name(p) for p in split_top(m.group(1))],
                 brace_block(text, m.end() - 1))
                for m in head.finditer(text)] + macros
        return self.found[(path, name)]

    def pointer_names(self, path, params, body):
        """The names a call of which in body (a definition in path, with
        params) goes through a function pointer: its parameters, what it
        declares as a function pointer or assigns, the file's
        variables."""
        if path not in self.scopes:
            self.scopes[path] = scope_variables("\n".join(
                self.src.of(path)))
        # A macro's parameter called in its replacement is what its user
        # passes (a function's name) or pasted (pr_ ## level(...)).
        own = set() if body in self.macro_bodies else {p for p in params
                                                        if p}
        return (own | self.scopes[path] |
                {m.group(1) for pattern in (DECLARATOR_RE, ASSIGNED_RE)
                 for m in pattern.finditer(body)})

    def variables(self, path, name):
        """The names that are variables where the function name of path
        runs (pointer_names() of its bodies but for its parameters): a
        call of one goes through a function pointer, whatever its
        name."""
        return set().union(*(self.pointer_names(path, (), body)
                             for _params, body in self.definitions(path,
                                                                   name)))

    def body(self, path, name):
        """The body of name's first definition in the file path, or
        None."""
        found = self.definitions(path, name)
        return found[0][1] if found else None

    def file_scope(self, path, name, body=""):
        """Whether name is a variable that outlives a call of the
        function whose body is given: declared outside any function in
        the file path (kernel style: such a declaration starts its line;
        a struct's ends on "} name;"), or static in that body; a local of
        the body by that name hides it."""
        n = re.escape(name)
        if re.search(r"\bstatic\b[^;{}()]*[ \t*,]%s\b" % n, body):
            return True
        if re.search(r"(?:^|[;{}])\s*(?:const\s+|volatile\s+)*(?:struct\s+|"
                     r"union\s+|enum\s+|unsigned\s+|signed\s+)?[A-Za-z_]\w*"
                     r"[\s*]+(?:const\s+)?%s\s*[=;,\[]" % n, body):
            return False
        return re.search(
            r"^(?!return\b|typedef\b)(?:[A-Za-z_][^;(){}\n]*?[ \t*,]|\}[ \t]*)"
            r"%s[ \t]*(?:\[[^\]\n]*\][ \t]*)*(?:%s[ \t]*)*[=,;]"
            % (n, ATTRIBUTE), self.text(path), re.M) is not None


# Calls through a function pointer that CALL_RE leaves out: a member's,
# x->f( or x.f( (also after a call or a subscript), and a
# dereference's, (*f)(.
MEMBER_CALL_RE = re.compile(
    r"((?:(?<![\w\]])[A-Za-z_][\w\[\]]*|\))"
    r"(?:\s*(?:->|\.)\s*[A-Za-z_][\w\[\]]*)*\s*(?:->|\.)\s*[A-Za-z_]\w*)"
    r"\s*\(")
DEREF_CALL_RE = re.compile(r"\(\s*\*\s*([^()]+?)\s*\)\s*\(")
# What precedes a declarator "(*f)(" (a type: a word or a star), not a
# call "(*f)(" (an operator, or return).
_DECLARED_BEFORE_RE = re.compile(
    r"(?:(?<![\w])(?!return\b)[A-Za-z_]\w*|\*)\s*\Z")


def pointer_calls_in(body, names):
    """[(pointer, [arguments])] of the calls in body that go through a
    function pointer: a member's, a dereference's, an indirect-call
    wrapper's (cargs.indirect_call()), and a call of one of names (the
    parameters and variables where body runs)."""
    out = []
    for pattern in (MEMBER_CALL_RE, DEREF_CALL_RE):
        for m in pattern.finditer(body):
            if pattern is DEREF_CALL_RE and _DECLARED_BEFORE_RE.search(
                    body, max(0, m.start() - 64), m.start()):
                continue        # int (*f)(char *) declares f
            end = close_paren(body, m.end() - 1)
            pointer = tidy(m.group(1))
            out.append(("(...)" + pointer[1:] if pointer.startswith(")")
                        else pointer, split_top(body[m.end():end])))
    for callee, args in calls_in(body):
        through = indirect_call(callee, ",".join(args))
        if through:
            out.append((through[0], split_top(through[1])))
        elif callee in names:
            out.append((callee, args))
    return out


def first_pointer_call(defs, path, name, depth=CALLEE_DEPTH, seen=None):
    """(functions, pointer) for the first call through a function pointer
    in a body of name (a function the file path defines) or, depth calls
    deep, in the bodies of the functions it calls; functions: the callees
    from name to the one making it.  None when there is none."""
    seen = set() if seen is None else seen
    if name in seen:
        return None
    seen.add(name)
    found = defs.definitions(path, name)
    for params, body in found:
        calls = pointer_calls_in(body, defs.pointer_names(path, params, body))
        if calls:
            return [name], calls[0][0]
    if depth <= 1:
        return None
    for _params, body in found:
        for call, _args in calls_in(body):
            deeper = first_pointer_call(defs, path, call, depth - 1, seen)
            if deeper:
                return [name] + deeper[0], deeper[1]
    return None


def chain(functions):
    """functions as a reason names a chain of calls: "f(), which calls
    g()"."""
    return ", which calls ".join("%s()" % f for f in functions)


def macro_body(replacement):
    """A macro's replacement text as a function body: continuation lines
    joined, the parentheses around an expression taken off and a ";"
    after it, so that its calls and stores read as a function's."""
    text = replacement.replace("\\\n", "\n").strip()
    while text.startswith("(") and close_paren(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return "{" + text + ";}"


def calls_in(body):
    """[(callee, [arguments])] of the calls in body, in order."""
    out = []
    for m in CALL_RE.finditer(body, 1):
        if m.group(1) not in NOT_CALLS:
            end = close_paren(body, m.end() - 1)
            out.append((m.group(1), split_top(body[m.end():end])))
    return out


def first_reliance(defs, path, name, judge, depth=CALLEE_DEPTH, seen=None):
    """(functions, call, verdict) for the first call in a body of name
    (a function the file path defines) or, depth calls deep, in the
    bodies of the functions it calls, that judge(call) gives a verdict
    for; functions: the callees from name to the one making that call.
    None when there is none, or path does not define name."""
    seen = set() if seen is None else seen
    if name in seen:
        return None
    seen.add(name)
    calls = [c for _params, body in defs.definitions(path, name)
             for c, _args in calls_in(body)]
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


def holds(held, rhs):
    """Whether the value of rhs may be a pointer built on one of held (a
    difference of two pointers is a number)."""
    return any(ptr_base(part) in held and not re.search(r"[^-]-(?!>)", part)
               for part in value_parts(rhs))


def escape(defs, path, name, index, depth=CALLEE_DEPTH, seen=None):
    """(functions, (kind, what)) when the function name (defined in path)
    may let its parameter at index -- a pointer, or a pointer built on it
    -- out of the calling thread: ("deferred", f) for a deferred-work call
    f() given it (mapapi.DEFERRED_WORK_RE); ("stored, deferred", (X, f))
    for a store in X that f() is then given (a structure's field and its
    work item); ("store", G) for a store in G, a variable that outlives
    the call (Definitions.file_scope()), alone: another thread may read
    it there, or G may hold it only while the function runs; functions:
    the callees from name to the one doing it, depth calls deep.  None
    when no definition of name shows any."""
    seen = set() if seen is None else seen
    if (name, index) in seen:
        return None
    seen.add((name, index))
    for params, body in defs.definitions(path, name):
        if index < len(params) and params[index]:
            found = _escape_in(defs, path, name, params, index, body, depth,
                               seen)
            if found:
                return found
    return None


def _held(defs, path, params, index, body, stores):
    """The parameter at index and the locals of body built on it
    (p = buf; char *p = buf + 4;), given body's assignments."""
    held = {params[index]}
    for lhs, rhs in stores:
        local = re.fullmatch(r"(?:[A-Za-z_][\w \t]*[ \t*]+)?\**"
                             r"([A-Za-z_]\w*)", lhs)
        if local and holds(held, rhs) and local.group(1) not in params and \
                not defs.file_scope(path, local.group(1), body):
            held.add(local.group(1))
    return held


RETURN_RE = re.compile(r"\breturn\b([^;]*);")


def returned_parameters(defs, path, name):
    """The indices of the parameters of name (a function the file path
    defines) that it may return a pointer into (return p + 16;, return
    (T *)q; with q = p;): a caller's y = name(x) is then built on x."""
    found = set()
    for params, body in defs.definitions(path, name):
        stores = [(" ".join(lhs.split()), rhs)
                  for lhs, rhs in ASSIGN_RE.findall(body)]
        for i, param in enumerate(params):
            if param and any(holds(_held(defs, path, params, i, body,
                                         stores), m.group(1))
                             for m in RETURN_RE.finditer(body)):
                found.add(i)
    return found


def _escape_in(defs, path, name, params, index, body, depth, seen):
    """escape() in one definition of name."""
    calls = calls_in(body)
    stores = [(" ".join(lhs.split()), rhs)
              for lhs, rhs in ASSIGN_RE.findall(body)]
    stores += [(args[0], args[1]) for callee, args in calls
               if callee in STORE_CALLS and len(args) >= 2]
    held = _held(defs, path, params, index, body, stores)
    kept = {}                           # root of a store -> the store
    for lhs, rhs in stores:
        root = ROOT_RE.match(lhs)
        if root and root.group(1) not in held and holds(held, rhs):
            kept.setdefault(root.group(1), lhs)
    for callee, args in calls:
        if not DEFERRED_WORK_RE.match(callee):
            continue
        for arg in args:
            if holds(held, arg):
                return [name], ("deferred", callee)
            root = ROOT_RE.match(arg)
            if root and root.group(1) in kept:
                return [name], ("stored, deferred",
                                (kept[root.group(1)], callee))
    for pointer, args in pointer_calls_in(
            body, defs.pointer_names(path, params, body)):
        if any(holds(held, arg) for arg in args):
            return [name], ("pointer", pointer)
    for root, lhs in kept.items():
        if root not in params and defs.file_scope(path, root, body):
            return [name], ("store", lhs)
    if depth > 1:
        for callee, args in calls:
            for i, arg in enumerate(args):
                deeper = escape(defs, path, callee, i, depth - 1, seen) \
                    if holds(held, arg) else None
                if deeper:
                    return [name] + deeper[0], deeper[1]
    return None
