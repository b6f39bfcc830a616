# SPDX-License-Identifier: GPL-2.0-only
"""Who calls a pair of helpers that map and unmap for their callers.

A map helper that hands its mapping to the caller and the unmap helper
that releases it (the semantic patch's "map/unmap split across helper
functions") convert together with every caller, or not at all.  The
semantic patch reads one file; the tree beside it shows the callers, and
the suggestion of such a site names them, so that the work to do is a
list rather than a search.  A function that returns its kmap_atomic()
address with no unmap of it in its file (the semantic patch's "no
kunmap_atomic() of this address after this map") is the map helper of
such a pair: its callers show the unmap helper, a function they give
the address to that unmaps its parameter.  Besides the direct callers
it names the functions that change with them although they call
neither helper: one that gets the mapping from a caller that hands it
out (returns it, or stores it through a T **out of its own), one that
unmaps with kunmap() a page it got so, and one that gives the unmap
helper a page it mapped with kmap() itself.  Each left out would keep a
kunmap() of a local mapping, or a kunmap_local() of a kmap() one.  Only
the site's directory is read: a helper that is not static to its .c
file may have callers elsewhere, and the suggestion says that they were
not looked for.
"""

import bisect
import functools
import os
import re

from kerneltree import coccimodule, csource, mapapi

_linear = coccimodule.load("linear")
_cargs = coccimodule.load("cargs")

# The reason that names the pair, and in it each unmap helper with the
# place of its definition.
PAIR_RE = re.compile(r"map/unmap split across helper functions: .*?; "
                     r"unmapped by (.+)$")
HELPER_RE = re.compile(r"(\w+)\(\) \(([^:()]+):\d+\)")
# The reason of a map whose unmap the semantic patch sees nowhere in
# its file: when the function returns the mapping, its callers beside
# it show which functions release it.
UNSEEN_UNMAP_RE = re.compile(r"map/unmap split across functions: no "
                             r"(\w+)\(\) of this address after this map "
                             r"in (\w+)\(\)$")
# How deep a release helper may call another (bm_unmap() calls
# __bm_unmap(), which unmaps).
RELEASE_DEPTH = 2


# An assignment statement, its left and right sides (not ==, <=, >=, !=;
# a store through a pointer keeps its *).
_ASSIGN_RE = re.compile(r"(?<![=!<>\w])((?:\*\s*)?[A-Za-z_][\w.\[\]>-]*)\s*"
                        r"=(?!=)\s*([^;{}]*);")
# A plain local or parameter name, not memory reached through one.
_LOCAL_RE = re.compile(r"^[A-Za-z_]\w*$")
# A field of a structure reached through a pointer: kept there, the value
# outlives the call.  (A local structure's field or array element does
# not; *out = v hands it to the caller, which the advice on helper pairs
# covers: down to the function that unmaps.)
_MEMORY_RE = re.compile(r"->")


def _after_word(code, start, at):
    """Whether the last character before at (not before start) that is
    not white space ends a word (a type name)."""
    i = at - 1
    while i >= start and code[i].isspace():
        i -= 1
    return i >= start and (code[i].isalnum() or code[i] == "_")


class Directory:
    """The C files of one directory, each parsed when first asked about
    (a file that does not name the function is not), and the callers of
    each function asked about."""

    def __init__(self, ksrc, folder):
        self.folder = folder
        self.texts = dict(_linear.c_texts(os.path.join(ksrc, folder)))
        self.parsed = {}
        self.found = {}
        self.defining = {}

    def _parse(self, entry):
        """(code, its functions, the offset of each line's start)."""
        if entry not in self.parsed:
            text = self.texts[entry]
            code = csource.strip_comments_and_strings(text)
            starts = [0] + [m.end() for m in re.finditer("\n", code)]
            self.parsed[entry] = (code, csource.functions(text), starts)
        return self.parsed[entry]

    def _may_define(self, name):
        """{file: [name]} of the files here with a line that starts
        (unindented, as a definition's or declaration's does in kernel
        style) and names name before a "(": the only ones parsed to find
        its definition, since a directory's files name common calls
        (kfree, memcpy) everywhere."""
        if name not in self.defining:
            line = re.compile(r"(?m)^[A-Za-z_][^;=\n]*\b%s\s*\("
                              % re.escape(name))
            self.defining[name] = {e: [name] for e, text in
                                   self.texts.items()
                                   if name in text and line.search(text)}
        return self.defining[name]

    def defined(self, names_by_file):
        """(file, function, head, body) of each function here that
        names_by_file ({file: [function, ...]}) lists: its text (comments
        and strings blanked) before the body's "{", and from it on."""
        for entry, fns in sorted(names_by_file.items()):
            code, funcs, starts = self._parse(entry)
            for f in funcs:
                if f.name not in fns:
                    continue
                end = starts[f.end] if f.end < len(starts) else len(code)
                yield (entry, f, code[starts[f.start - 1]:f.body_open],
                       code[f.body_open:end])

    def callers(self, name):
        """{file: [function, ...]} of the functions here that call
        name (its own definition and declarations left out)."""
        if name in self.found:
            return self.found[name]
        call = re.compile(r"\b%s\s*\(" % re.escape(name))
        found = {}
        for entry, text in self.texts.items():
            if name not in text:
                continue
            code, funcs, starts = self._parse(entry)
            for m in call.finditer(code):
                line = bisect.bisect_right(starts, m.start())
                f = csource.at(funcs, line)
                if f and f.name != name and m.start() > f.body_open and \
                        f.name not in found.get(entry, []):
                    found.setdefault(entry, []).append(f.name)
        self.found[name] = found
        return found

    def lone_unmappers(self, unmap, mapping, helper, unmap_helpers):
        """{file: [function, ...]} of the functions here that call unmap
        but not mapping, and call the map helper or one of its callers:
        they may release the helper's mapping, handed on to them by a
        caller that does not release it itself."""
        maps = re.compile(r"\b%s\s*\(" % re.escape(mapping))
        lenders = {helper} | {f for fns in self.callers(helper).values()
                              for f in fns}
        lent = re.compile(r"\b(?:%s)\s*\(" % "|".join(
            map(re.escape, sorted(lenders))))
        found = {}
        for entry, f, _head, body in self.defined(self.callers(unmap)):
            if f.name not in unmap_helpers and f.name != helper and \
                    not maps.search(body) and lent.search(body):
                found.setdefault(entry, []).append(f.name)
        return found

    def lenders(self, helper, by_return=True):
        """The callers here of the map helper that hand out what it gave
        them, as their return value (return v) or through a pointer to a
        pointer of theirs (T **out: *out = v), where v is what the helper
        gave (maybe cast, maybe with an offset): what it hands out through
        a pointer it is given (helper(..., &v)), and, by_return (the
        helper returns the mapping, not a status), what it returns
        (v = helper(...), or the call itself).  A caller that passes the
        helper its own T **out hands it on too."""
        call = re.compile(r"\b%s\s*\(" % re.escape(helper))
        got = re.compile(r"(?<![\w.>])(\w+)\s*=\s*%s\s*\(" %
                         re.escape(helper))
        out = set()
        for _entry, f, head, body in self.defined(self.callers(helper)):
            outs = re.findall(r"\*\s*\*\s*(\w+)", head)
            handed = [m.group(1) for p in outs for m in re.finditer(
                r"\*\s*%s\s*=(?!=)\s*([^;]*);" % re.escape(p), body)]
            handed += re.findall(r"\breturn\s+([^;]*);", body)
            passed = False
            given = set(got.findall(body)) if by_return else set()
            for m in call.finditer(body):
                end = csource.closing_paren(body, m.end() - 1)
                args = body[m.end():end if end >= 0 else len(body)]
                given |= set(re.findall(r"&\s*(\w+)", args))
                passed |= bool(set(re.findall(r"\w+", args)) & set(outs))
            if passed or any(_hands_out(rhs, call if by_return else None,
                                        given) for rhs in handed):
                out.add(f.name)
        return out

    def returns_mapping(self, name, mapping):
        """name, defined here, returns what mapping() gives it: the call
        itself, or a local it assigned from the call (maybe cast, maybe
        with an offset)."""
        call = re.compile(r"\b%s\s*\(" % re.escape(mapping))
        for _entry, _f, _head, body in self.defined(
                self._may_define(name)):
            given = set(re.findall(r"(?<![\w.>])(\w+)\s*=\s*(?:\([^()]*"
                                   r"\)\s*)?%s\s*\(" % re.escape(mapping),
                                   body))
            if any(_hands_out(rhs, call, given) for rhs in
                   re.findall(r"\breturn\s+([^;]*);", body)):
                return True
        return False

    def releasers(self, helper, unmap):
        """[(function, file)] of the functions here that unmap (with
        unmap(), maybe through another such function) a parameter of
        theirs, and that a caller of helper gives what helper returned
        in that parameter's place (v = helper(...); ...; function(.., v,
        ..)): the other half of a pair whose map returns the address."""
        found = {}
        for name, place, _giver in sorted(self._given(
                self.callers(helper), {helper})):
            if name in (unmap, helper) or name in found:
                continue
            where = self._reads(name, place, {unmap}, RELEASE_DEPTH)
            if where:
                found[name] = where
        return sorted(found.items())

    def given_on(self, givers, sources, reads, skip, mapping=None):
        """{(file, function): [giver, ...]} of the functions here, not in
        skip, that one of givers ({file: [function, ...]}) gives what
        one of sources returned to it, or handed out through its
        argument &v, or (mapping) what it gives mapping() itself, in
        the place of a parameter they read with one of reads (maybe
        through another such function): functions further along than
        the callers of a helper pair, which change with them."""
        found = {}
        for name, place, giver in sorted(self._given(
                givers, sources, by_pointer=True, mapping=mapping)):
            if name in skip or name in sources:
                continue
            where = self._reads(name, place, reads, RELEASE_DEPTH)
            if where:
                key = (os.path.basename(where), name)
                if giver not in found.setdefault(key, []):
                    found[key].append(giver)
        return found

    def _given(self, givers, sources, by_pointer=False, mapping=None):
        """{(function, argument place, giver)}: the calls in givers of a
        function given a variable that holds what one of sources
        returned (v = source(...), maybe cast), or, by_pointer, what
        one handed out through &v, or what the giver gives mapping()
        (kmap(page): the page)."""
        got = re.compile(r"(?<![\w.>])(\w+)\s*=\s*(?:\([^()]*\)\s*)?"
                         r"(?:%s)\s*\(" % "|".join(map(re.escape,
                                                     sorted(sources))))
        out = set()
        for _entry, f, _head, body in self.defined(givers):
            held = set(got.findall(body))
            if by_pointer:
                held |= {v for v in re.findall(r"&\s*(\w+)", body)
                         if any(c in sources for c, _n in _places(
                             body, "&" + v))}
            if mapping:
                held |= {v for v in re.findall(
                    r"\b%s\s*\(\s*(\w+)\s*\)" % re.escape(mapping), body)}
            for v in held:
                out |= {(callee, at, f.name)
                        for callee, at in _places(body, v)}
        return out

    def _reads(self, name, place, reads, depth):
        """The file of name's definition here when it gives its
        parameter number place to one of reads, as the first argument
        (or to a function that does, depth - 1 calls deep), else
        None."""
        if name in mapapi.NOT_CALLS:
            return None
        for entry, _f, head, body in self.defined(
                self._may_define(name)):
            params = _parameter_names(head, name)
            if place >= len(params) or not params[place]:
                continue
            for callee, at in _places(body, params[place]):
                if (callee in reads and at == 0) or (
                        depth > 1 and callee != name and
                        callee not in reads and
                        self._reads(callee, at, reads, depth - 1)):
                    return os.path.join(self.folder, entry)
        return None

    def own_mappers(self, unmap_helper, mapping):
        """{file: [function, ...]} of the callers here of the unmap
        helper that give it what they map themselves with mapping: the
        helper's first argument is mapping's own (mapping(x)) or what
        it returned (x = mapping(...))."""
        released = re.compile(r"\b%s\s*\(\s*([^,()]+?)\s*[,)]"
                              % re.escape(unmap_helper))
        found = {}
        for entry, f, _head, body in self.defined(self.callers(unmap_helper)):
            for arg in set(released.findall(body)):
                a = re.escape(arg)
                if re.search(r"\b%s\s*\(\s*%s\s*\)" % (
                        re.escape(mapping), a), body) or re.search(
                        r"(?<![\w.>])%s\s*=\s*%s\s*\(" % (
                            a, re.escape(mapping)), body):
                    found.setdefault(entry, []).append(f.name)
                    break
        return found

    def receivers(self, helper, by_return=True):
        """{(file, function): [lender, ...]} of the functions here that
        call a lender of the map helper (lenders()): they get the mapped
        page and unmap it, or hand it on to a function that does."""
        found = {}
        for lender in sorted(self.lenders(helper, by_return)):
            for entry, fns in self.callers(lender).items():
                for f in fns:
                    if f != helper:
                        found.setdefault((entry, f), []).append(lender)
        return found

    def keepers(self, name):
        """[(caller, lvalue, file, line)]: the callers here that store
        what name returns, directly or through a local variable, in a
        field of a structure reached through a pointer, which outlives
        them: x->f = name(...), or v = name(...); ... x->f = v + off."""
        call = re.compile(r"\b%s\s*\(" % re.escape(name))
        kept = []
        for entry, fns in sorted(self.callers(name).items()):
            code, funcs, starts = self._parse(entry)
            for f in funcs:
                if f.name not in fns:
                    continue
                body_end = starts[f.end] if f.end < len(starts) else len(code)
                held, stored = set(), []
                for m in _ASSIGN_RE.finditer(code, f.body_open, body_end):
                    lhs, rhs = m.group(1), m.group(2)
                    if lhs.startswith("*") and _after_word(
                            code, f.body_open, m.start()):
                        # T *v = ...: a declaration, not a store.
                        lhs = lhs[1:].strip()
                    if call.search(rhs) and _LOCAL_RE.match(lhs):
                        held.add(lhs)
                    elif _MEMORY_RE.search(lhs) and (
                            call.search(rhs) or
                            any(re.search(r"\b%s\b" % v, rhs)
                                for v in held)):
                        stored.append((lhs, bisect.bisect_right(
                            starts, m.start())))
                kept += [(f.name, lhs, entry, line)
                         for lhs, line in stored]
        return kept

    def confined(self, name, entry):
        """name is defined static in the .c file entry of this
        directory: no caller can be elsewhere."""
        if not entry.endswith(".c") or entry not in self.texts:
            return False
        code, funcs, starts = self._parse(entry)
        for f in funcs:
            if f.name == name:
                return bool(re.search(r"\bstatic\b",
                                      code[starts[f.start - 1]:f.body_open]))
        return False

    def exported(self, name):
        """name is exported to modules from a file of this directory."""
        export = re.compile(r"\bEXPORT_SYMBOL\w*\s*\(\s*%s\s*\)"
                            % re.escape(name))
        return any(name in text and export.search(text)
                   for text in self.texts.values())


_CAST = re.compile(r"^\(\s*(?:const\s+|struct\s+)?\w+(?:\s+\w+)*\s*\*+\s*\)")


def _hands_out(rhs, call, given):
    """Is rhs what the helper gave (its call, or one of given, maybe
    cast, maybe with an offset added), not a value read from it?"""
    t = rhs.strip()
    while True:
        m = _CAST.match(t)
        if m:
            t = t[m.end():].strip()
        elif t.startswith("(") and t.endswith(")"):
            t = t[1:-1].strip()
        else:
            break
    if call and call.match(t):
        return True
    m = re.match(r"^(\w+)\s*(?:[+-][^=]*)?$", t)
    return bool(m and m.group(1) in given)


def _places(body, name):
    """(function, argument number) of each call in body given the
    variable name as a whole argument (maybe cast)."""
    if name.lstrip("&") not in body:
        return []
    return [(callee, n) for callee, args in _calls(body)
            for n, arg in enumerate(args) if arg == name]


@functools.lru_cache(maxsize=4096)
def _calls(body):
    """((function, (argument, ...)), ...) of the calls in body, each
    argument without a pointer cast and white space after a "&"."""
    found = []
    for m in re.finditer(r"\b(\w+)\s*\(", body):
        end = csource.closing_paren(body, m.end() - 1)
        if end < 0:
            continue
        found.append((m.group(1), tuple(
            re.sub(r"^&\s*", "&", _CAST.sub("", arg.strip()).strip())
            for arg in _cargs.split_top(body[m.end():end]))))
    return tuple(found)


def _parameter_names(head, name):
    """The names of the parameters of function name, whose text before
    its body is head ("" where one has none: void, ...)."""
    m = re.search(r"\b%s\s*\(" % re.escape(name), head)
    if not m:
        return []
    end = csource.closing_paren(head, m.end() - 1)
    return [_cargs.parameter_name(decl) for decl in _cargs.split_top(
        head[m.end():end if end >= 0 else len(head)])]


def _and(names):
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else "%s and %s" % (
        ", ".join(names[:-1]), names[-1])


def _listed(found):
    return "; ".join("%s (%s)" % (", ".join("%s()" % f for f in fns), entry)
                     for entry, fns in sorted(found.items()))


def pair_text(directory, helper, helper_file, unmappers, api="kmap",
              by_return=True):
    """What the suggestion adds for a map helper and its unmap helpers
    [(name, file)]: their callers in the directory, which of them keep
    what the map helper returns where it outlives the call, which may
    have callers elsewhere, and (for a kmap() mapping, which any thread
    may use) which hand it to modules."""
    parts, open_ = [], []
    unmappers = [(name, path) for name, path in dict(unmappers).items()
                 if name != helper]
    helpers = {helper} | {name for name, _path in unmappers}
    # Every function named so far: the helpers and their callers.
    listed = set(helpers)
    for name, path in [(helper, helper_file)] + unmappers:
        found = directory.callers(name)
        listed |= {f for fns in found.values() for f in fns}
        parts.append("%s(): %s" % (name, _listed(found) or "none here"))
        if os.path.dirname(path) != directory.folder or \
                not directory.confined(name, os.path.basename(path)):
            open_.append("%s()" % name)
    # A caller of the map helper that calls no unmap helper hands the
    # mapping on; exported, it hands it to modules nobody here reads.
    released = {f for name, _path in unmappers
                for fns in directory.callers(name).values() for f in fns}
    passing = sorted({f for fns in directory.callers(helper).values()
                      for f in fns if f not in released})
    exported = [f for f in [helper] + passing
                if api == "kmap" and directory.exported(f)]
    text = "The helpers' callers in %s/: %s" % (directory.folder,
                                                 "; ".join(parts))
    unmap = mapapi.UNMAP_OF.get(api)
    lone = directory.lone_unmappers(
        unmap, api, helper, {name for name, _path in unmappers}) \
        if unmap else {}
    if lone:
        one = sum(map(len, lone.values())) == 1
        text += ("; %s %s %s() on a mapping %s not make: where that is "
                 "the helper's, handed on to it, it converts with them (to "
                 "kunmap_local() of an address in the page)" % (
                     _listed(lone), "calls" if one else "call", unmap,
                     "it does" if one else "they do"))
    named = listed | {f for fns in lone.values() for f in fns}
    got = sorted((entry, f, lenders)
                 for (entry, f), lenders in
                 directory.receivers(helper, by_return).items()
                 if f not in named)
    if got:
        one = len(got) == 1
        # (Conditional: an argument of the call may ask for no mapping,
        # or for one of another kind, which text does not show.)
        text += ("; %s %s a caller of the helper that hands the mapping "
                 "out: where %s it, %s it or %s it on and %s with them" % (
                     ", ".join("%s() (%s, from %s)" % (
                         f, entry, _and(["%s()" % l for l in lenders]))
                         for entry, f, lenders in got),
                     "calls" if one else "call",
                     "it gets" if one else "they get",
                     "it unmaps" if one else "they unmap",
                     "hands" if one else "hand",
                     "converts" if one else "convert"))
    own = {}
    for name, _path in unmappers:
        for entry, fns in directory.own_mappers(name, api).items():
            own.setdefault(entry, [])
            own[entry] += [f for f in fns
                           if f not in own[entry] and f not in helpers]
    own = {entry: fns for entry, fns in own.items() if fns}
    if own:
        one = sum(map(len, own.values())) == 1
        text += ("; %s %s the unmap helper a page %s with %s() %s: that "
                 "%s() converts with them" % (
                     _listed(own), "gives" if one else "give",
                     "it maps" if one else "they map", api,
                     "itself" if one else "themselves", api))
    # One call further: a function that a named one gives the mapping
    # (the page, for kmap(), or the address) and that reads the page's
    # address or unmaps it (page_address(), the unmaps), itself or in a
    # function it gives it to.
    givers = {os.path.basename(helper_file): {helper}} \
        if os.path.dirname(helper_file) == directory.folder else {}
    for name in helpers:
        for entry, fns in directory.callers(name).items():
            givers.setdefault(entry, set()).update(fns)
    for entry, fns in list(lone.items()) + list(own.items()):
        givers.setdefault(entry, set()).update(fns)
    for entry, f, _lenders in got:
        givers.setdefault(entry, set()).add(f)
    unmaps = {name for name, _path in unmappers} | ({unmap} if unmap
                                                    else set())
    sources = {helper} | directory.lenders(helper, by_return)
    skip = (named - {helper}) | {f for fns in own.values() for f in fns}
    # What each does with it, told apart: a maintainer changes a
    # page_address() into the address, an unmap into kunmap_local().
    kinds = [(unmaps, "unmaps it (with %s)" % _and(
        ["%s()" % u for u in sorted(unmaps)]).replace(" and ", " or "))]
    if api == "kmap":
        kinds.insert(0, ({"page_address"},
                         "reaches its address with page_address()"))
    for reads, does in kinds:
        further = directory.given_on(givers, sources, reads, skip, api)
        if further:
            text += "; %s %s given the %s by %s and %s: %s with them" % (
                ", ".join("%s() (%s)" % (f, entry)
                          for entry, f in sorted(further)),
                "is" if len(further) == 1 else "are",
                "mapped page" if api == "kmap" else "address",
                _and(sorted({"%s()" % g for gs in further.values()
                             for g in gs})),
                does if len(further) == 1 else
                does.replace("reaches", "reach").replace("unmaps", "unmap"),
                "it converts" if len(further) == 1 else "they convert")
    keepers = directory.keepers(helper)
    if keepers:
        who = list(dict.fromkeys("%s()" % c for c, _l, _e, _n in keepers))
        text += ("; %s %s what %s() returns in %s: the mapping "
                 "outlives that call, so if other threads or later calls "
                 "use it there, keep %s()" % (
                     _and(who), "keeps" if len(who) == 1 else "keep",
                     helper, ", ".join("%s (%s:%d)" % (lhs, e, n)
                                       for _c, lhs, e, n in keepers), api))
    if open_:
        text += ("; %s %s not static in a .c file, so callers in other "
                 "directories (%s/'s own subdirectories too) were not looked "
                 "for" % (_and(open_), "is" if len(open_) == 1 else "are",
                          directory.folder))
    if exported:
        text += ("; %s %s exported, so the mapping may reach modules that "
                 "keep it where other threads use it: unless every user is "
                 "read, keep kmap()" % (
                     _and(["%s()" % f for f in exported]),
                     "is" if len(exported) == 1 else "are"))
    # What text can show ends here: the functions further along.
    text += ("; functions further along than that (more than two calls "
             "from those named), or given the page or the address inside a "
             "structure, were not looked for: any there change with them "
             "too")
    return text + "."


def name_callers(ksrc, records):
    """Add the callers of each helper pair to the suggestion of the
    manual sites that name one."""
    dirs = {}
    for r in records:
        if r.get("action") != "manual" or not r.get("suggestion"):
            continue
        reasons = r.get("reasons", [])
        pair = next((m for m in map(PAIR_RE.search, reasons) if m), None)
        unseen = next((m for m in map(UNSEEN_UNMAP_RE.search, reasons)
                       if m and m.group(2) == r["function"]), None)
        if not pair and not unseen:
            continue
        folder = os.path.dirname(r["file"])
        if folder not in dirs:
            dirs[folder] = Directory(ksrc, folder)
        directory = dirs[folder]
        if pair:
            unmappers = HELPER_RE.findall(pair.group(1))
            # The helper returns the mapping ("mapping returned ..."), or
            # hands it out through a pointer the caller gives it.
            by_return = "helper functions: mapping returned" in \
                pair.group(0)
        elif directory.returns_mapping(r["function"], r.get("api")):
            # A map helper, when its callers here are seen to release
            # what it returns: through a function of theirs, or with the
            # unmap itself.  (One may keep it instead, in a cache the
            # text does not show: then nothing is said.)
            unmappers = directory.releasers(r["function"], unseen.group(1))
            if not unmappers and not directory.lone_unmappers(
                    unseen.group(1), r.get("api"), r["function"], set()):
                continue
            by_return = True
        else:
            continue
        said = pair_text(directory, r["function"], r["file"], unmappers,
                         r.get("api"), by_return)
        if not pair:
            said = "%s() returns the mapping%s. %s" % (
                r["function"], ", and its callers here give it to %s, "
                "which %s it" % (_and(["%s() (%s)" % u for u in unmappers]),
                                 "unmaps" if len(unmappers) == 1 else
                                 "unmap") if unmappers else "", said)
        r["suggestion"] = "%s. %s" % (r["suggestion"].rstrip(". "), said)
