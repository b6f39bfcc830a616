# SPDX-License-Identifier: GPL-2.0-only
"""The commit message of one patch of the series, in prose.

What a maintainer reads: why kmap()/kmap_atomic() go, why a local
mapping is safe in these functions (per class), and what changed in
each, said with function names and never with line numbers (they mean
nothing once the tree moves on).  The changes are read from each
rewritten site's notes in sites.jsonl ("rewrite"), sorted into kinds
(KINDS); a note of no known kind is covered by the plain conversion
sentence.

A kmap_atomic() region (from the map to its first unmap, in the source
KSRC holds) that calls something that may sleep, as the code itself
shows it, was a sleep in atomic context: the message says the
conversion removes it.  "As the code shows it": a call SLEEPS names
(a sleeping lock, an explicit sleep, an allocation that may reclaim)
in the region, or in a function the region calls that is defined in a
.c file of the same directory, followed CALL_DEPTH calls deep.  Nothing
is claimed when the rewrite keeps page faults or preemption disabled
there, or when the function holds a spinlock, RCU read lock or
disabled interrupts or preemption at the map (counted from its start):
then the region stays atomic after the conversion.
"""

import glob
import os
import re
import textwrap

from kerneltree import csource
from kerneltree.mapapi import (CACHE_BY_ADDRESS, COPY_HELPERS,
                               DEPENDENCY_REASON_RE, EXPLICIT_ELSEWHERE_RE,
                               FOLIO_COPY_HELPERS, MAY_RELY, NOT_CALLS,
                               POINTER_REASON_RE)

from .sites import APIS

WRAP = 72                   # kernel commit messages; checkpatch warns >75

# Kinds of change, in the order the message tells them, each with the
# rewrite note that shows it.
KINDS = [
    ("helper", re.compile(r"-> (%s)\(\)" % "|".join(
        sorted(set(COPY_HELPERS.values()) |
               set(FOLIO_COPY_HELPERS.values()))))),
    ("folio", re.compile(r"-> kmap_local_folio\(")),
    ("new-address", re.compile(r"\(new variable \w+\)|page_address\(")),
    ("moved-address", re.compile(r"\(new variable \w+: ")),
    ("split-chain", re.compile(r"\(one assignment a statement\)")),
    ("inlined-unmap", re.compile(r"\(the unmap helper inlined\)")),
    ("lifo", re.compile(r"swapped into LIFO order")),
    ("pagefault", re.compile(r"explicit pagefault_disable\(\)")),
    ("preempt", re.compile(r"explicit preempt_disable\(\)")),
    ("unmap-address", re.compile(r"^kunmap\(")),
]

# Calls that may sleep, as the code itself shows them: a sleeping lock,
# an explicit sleep or reschedule, or an allocation whose GFP flags
# allow direct reclaim.
SLEEPS = re.compile(
    r"\b(mutex_lock\w*|down(?:_read|_write)?(?:_killable|_interruptible)?"
    r"|inode_lock\w*|msleep\w*|ssleep|usleep_range\w*|schedule"
    r"|schedule_timeout\w*|cond_resched\w*|might_sleep|wait_event\w*"
    r"|wait_for_completion\w*|vmalloc\w*|kvmalloc\w*)\s*\("
    r"|\b(\w+)\s*\([^;]*\bGFP_(?:KERNEL|USER|NOFS|NOIO|HIGHUSER\w*)\b")
# Callees followed from the region, at most this many calls deep.
CALL_DEPTH = 3
_CALL_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
# What keeps a region atomic without kmap_atomic(), taken and released.
_ATOMIC_PAIRS = [
    (re.compile(r"\b(?:raw_)?(?:spin|read|write)_lock\w*\s*\("),
     re.compile(r"\b(?:raw_)?(?:spin|read|write)_unlock\w*\s*\(")),
    (re.compile(r"\brcu_read_lock\w*\s*\("),
     re.compile(r"\brcu_read_unlock\w*\s*\(")),
    (re.compile(r"\b(?:local_irq_disable|local_irq_save|preempt_disable|"
                r"pagefault_disable|local_bh_disable)\s*\("),
     re.compile(r"\b(?:local_irq_enable|local_irq_restore|preempt_enable|"
                r"pagefault_enable|local_bh_enable)\w*\s*\(")),
]
_LINE_NOTE_RE = re.compile(r"\s*\(?\b(?:at )?lines? \d+(?:(?:,| and) \d+)*"
                           r"\)?")


def wrap(text, indent=""):
    # break_on_hyphens off: "kmap_atomic()" and "->" stay whole.
    return textwrap.fill(" ".join(text.split()), WRAP,
                         initial_indent=indent,
                         subsequent_indent=" " * len(indent),
                         break_long_words=False, break_on_hyphens=False)


def calls(api_set):
    names = ["%s()" % api for api in APIS if api in api_set]
    return " and ".join(names)


def _call(function):
    """f(), or "f() in path" for a key of _by_function() that names the
    file too (two functions of one name in the patch's files)."""
    name, _, path = function.partition("\0")
    return "%s() in %s" % (name, path) if path else "%s()" % name


def _names(functions):
    names = [_call(f) for f in functions]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def why(apis):
    """The paragraphs every patch (and the cover letter) starts with."""
    old = []
    if "kmap_atomic" in apis:
        old.append("kmap_atomic() is deprecated in favour of "
                   "kmap_local_page().")
    if "kmap" in apis:
        old.append("kmap() is being phased out as well: its mappings are "
                   "global, so on HIGHMEM systems they take a lock, can "
                   "sleep waiting for a free slot and need a TLB flush on "
                   "every CPU when slots are recycled.")
    paras = [wrap(" ".join(old))] if old else []
    return paras + [
        wrap("A mapping made by kmap_local_page() is thread-local: the "
             "address is valid only in the thread that created it, "
             "nested mappings must be released in reverse (LIFO) order, "
             "and unlike kmap_atomic() it disables neither page faults "
             "nor preemption.")]


def kinds(site):
    """The kinds of change (KINDS) a rewritten site's notes show."""
    notes = site.get("rewrite") or []
    return {kind for kind, rx in KINDS if any(rx.search(n) for n in notes)}


def _helper_of(site):
    for note in site.get("rewrite") or []:
        m = KINDS[0][1].search(note)
        if m:
            bound = note.partition("the copy stays in one page:")[2]
            return m.group(1), _LINE_NOTE_RE.sub("", bound).strip(" ;.")
    return None, ""


class Source:
    """A C file's code (comments, literals and directives blanked), its
    lines and functions, worked out once."""

    def __init__(self, text):
        self.code = csource.blank_directives(
            csource.strip_comments_and_strings(text))
        self.lines = self.code.split("\n")
        self._functions = None

    @property
    def functions(self):
        if self._functions is None:
            self._functions = csource.functions(self.code)
        return self._functions

    def text(self, first, last):
        """Lines first..last (1-based, inclusive)."""
        return "\n".join(self.lines[first - 1:last])

    def body(self, name):
        """The code of function name's body, None if not defined here.
        A definition starts a line (kernel style); a prototype ends in
        ";" before any "{"."""
        for m in re.finditer(r"^(?:[A-Za-z_][^\n;=(]*?\b)?%s[ \t]*\("
                             % re.escape(name), self.code, re.M):
            brace = self.code.find("{", m.end())
            semi = self.code.find(";", m.end())
            if brace < 0 or 0 <= semi < brace:
                continue
            depth = 0
            for i in range(brace, len(self.code)):
                c = self.code[i]
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return self.code[brace:i + 1]
        return None


class Sources:
    """KSRC's C files, read and blanked once each, and the functions
    the .c files of a directory define (the only callees followed: no
    tree-wide index)."""

    def __init__(self, ksrc):
        self.ksrc = ksrc
        self.files = {}
        self.defined = {}       # (directory, name): body or None
        self.listed = {}        # directory: its .c files
        self.texts = {}

    def _text(self, path):
        if path not in self.texts:
            self.texts[path] = read_source(self.ksrc, path) or ""
        return self.texts[path]

    def get(self, path):
        if path not in self.files:
            text = self._text(path)
            self.files[path] = Source(text) if text else None
        return self.files[path]

    def body(self, directory, name):
        """The code of function name if a .c file of directory defines
        it, else None."""
        key = (directory, name)
        if key not in self.defined:
            self.defined[key] = None
            for path in self._c_files(directory):
                if not _may_define(self._text(path), name):
                    continue
                src = self.get(path)
                found = src.body(name) if src else None
                if found is not None:
                    self.defined[key] = found
                    break
        return self.defined[key]

    def _c_files(self, directory):
        if directory not in self.listed:
            self.listed[directory] = sorted(
                os.path.relpath(p, self.ksrc) for p in glob.glob(
                    os.path.join(self.ksrc, directory, "*.c")))
        return self.listed[directory]


def _may_define(text, name):
    """name( stands on a line that starts at column 0: a definition may
    (kernel style); calls are indented.  A cheap test before blanking
    the file."""
    needle = name + "("
    pos = text.find(needle)
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        if text[start] not in " \t}" and (
                pos == 0 or not (text[pos - 1].isalnum()
                                 or text[pos - 1] == "_")):
            return True
        pos = text.find(needle, pos + 1)
    return False


def _region(src, site):
    """The code of a kmap_atomic() site's region: from its map to its
    first unmap; "" when the lines are unknown."""
    unmaps = [n for n in site.get("unmaps") or [] if n >= site["line"]]
    if not unmaps:
        return ""
    return src.text(site["line"], min(unmaps))


def _held_at_map(src, site):
    """The function takes a lock, or disables interrupts or preemption,
    before the map without releasing it: its region stays atomic."""
    fn = csource.at(src.functions, site["line"])
    if fn is None:
        return True                     # cannot tell: claim nothing
    before = src.text(fn.start, site["line"] - 1)
    return any(len(take.findall(before)) > len(give.findall(before))
               for take, give in _ATOMIC_PAIRS)


def _sleeper(text, body_of, depth, seen):
    """[call, ...]: the path to a call that may sleep in text, through
    the functions body_of(name) finds; None if none within depth."""
    m = SLEEPS.search(text)
    if m:
        return [m.group(1) or m.group(2)]
    if depth == 0:
        return None
    for name in dict.fromkeys(_CALL_RE.findall(text)):
        if name in NOT_CALLS or name in seen:
            continue
        seen.add(name)
        body = body_of(name)
        below = body and _sleeper(body, body_of, depth - 1, seen)
        if below:
            return [name] + below
    return None


def sleeping_call(sources, site):
    """[call, ...]: how the kmap_atomic() region of a rewritten site
    reaches a call that may sleep (the region's own call first), if the
    rewrite leaves the region preemptible and faultable; None otherwise
    or when it cannot be shown.  sources: a Sources of KSRC."""
    if site["api"] != "kmap_atomic" or \
            kinds(site) & {"pagefault", "preempt"}:
        return None
    src = sources.get(site["file"])
    region = _region(src, site) if src else ""
    if not region:
        return None
    directory = os.path.dirname(site["file"])
    path = _sleeper(region, lambda name: sources.body(directory, name),
                    CALL_DEPTH, {site["function"]})
    return None if path is None or _held_at_map(src, site) else path


def read_source(ksrc, path):
    """KSRC's text of path, None if unreadable (no sleep is claimed)."""
    if not ksrc:
        return None
    try:
        with open(os.path.join(ksrc, path), encoding="utf-8",
                  errors="surrogateescape") as f:
            return f.read()
    except OSError:
        return None


def _by_function(sites, among=None):
    """{function: [sites]} in source order (file, first line).  A name
    that functions of two files of sites (or of among, the patch's other
    sites too) share is keyed with its file, which _call() shows."""
    files = {}
    for s in list(sites) + list(among or ()):
        files.setdefault(s["function"], set()).add(s["file"])
    out = {}
    for s in sorted(sites, key=lambda s: (s["file"], s["line"])):
        key = s["function"] or "file scope"
        if len(files.get(s["function"], ())) > 1:
            key = "%s\0%s" % (key, s["file"])
        out.setdefault(key, []).append(s)
    return out


def _safety(sites):
    """Why a local mapping is safe, per class of the sites."""
    fns = _by_function(sites)
    local = [f for f, ss in fns.items()
             if all(s["class"] == "thread-local" for s in ss)]
    nested = [f for f in fns if f not in local]
    proved = [f for f, ss in fns.items() if any(s.get("proved")
                                                 for s in ss)]
    paras = []
    if local:
        paras.append(wrap(
            "In %s the page is mapped and unmapped within the function, "
            "the address is used only there and by this thread, and "
            "nothing in between relies on page faults or preemption being "
            "disabled, so a local mapping is enough." % _names(local)))
    # A call through a function pointer in the region: what it can call.
    for fn, param, targets in sorted(
            {(s["function"], m.group(1), m.group(2)) for s in sites
             for r in s.get("reasons", []) if s["action"] == "rewritten"
             and (m := POINTER_REASON_RE.match(r))}):
        one = " or " not in targets
        paras.append(wrap(
            "In %s the mapped region calls through the function pointer "
            "%s; every call of %s in its file gives it %s, %s on page "
            "faults or preemption being disabled."
            % (_call(fn), param, _call(fn), targets,
               "which does not rely" if one else "and none of them relies")))
    if proved:
        paras.append(wrap(
            "In %s the semantic patch could not show that every path "
            "from the map to a return unmaps it (a condition tested "
            "twice, a loop, an unmap it does not tie to the map); "
            "kmap-audit followed every path of the converted function and "
            "found none that leaves the mapping live, releases it out of "
            "order or uses it after the unmap." % _names(proved)))
    if nested:
        paras.append(wrap(
            "In %s the mappings are also made and released within the "
            "function by one thread; what a plain rename would have got "
            "wrong there (the order of the unmaps, or code that relied on "
            "kmap_atomic() disabling page faults or preemption) is "
            "handled as described below." % _names(nested)))
    return paras


def _unchecked(sites):
    """What the audit could not check: after all the reasoning it rests
    on."""
    fns = _by_function(sites)
    unchecked = [f for f, ss in fns.items() if any(s.get("unchecked")
                                                    for s in ss)]
    if not unchecked:
        return []
    return [wrap(
        "kmap-audit could not check %s under its configurations (the code "
        "is compiled out there, or does not build for them): %s on the "
        "reasoning above alone."
        % (_names(unchecked), "that conversion rests" if len(unchecked)
           == 1 else "those conversions rest"))]


# What each kind of change (KINDS; the helpers are told per function)
# means, for the functions it was made in.
CHANGES = {
    "new-address":
        "%s used the kmap()ed page through page_address(), which does not "
        "see a local mapping; the address kmap_local_page() returns is "
        "kept in a new variable and used instead.",
    "moved-address":
        "In %s the variable holding the address moves on before the unmap, "
        "so the address kmap_local_page() returns is also kept in a new "
        "variable, which kunmap_local() is given.",
    "split-chain":
        "In %s the address was assigned to two variables in one statement "
        "(a = b = the map); the map and the second assignment are now "
        "two statements.",
    "inlined-unmap":
        "%s released the page through a helper that calls kunmap() on the "
        "page; since kunmap_local() needs the address, that call is "
        "replaced by what the helper does, with kunmap_local() on the "
        "address (the helper's other callers are unchanged).",
    "lifo":
        "%s released two overlapping mappings in the order they were made. "
        "Local mappings are a stack, so the two unmaps are swapped into "
        "reverse order; nothing between them uses the newer mapping and "
        "no path leaves in between.",
    "pagefault":
        "The user copies in %s rely on kmap_atomic() disabling page faults "
        "(with them disabled a fault ends the copy short instead of being "
        "handled, which may sleep or take locks the caller holds), so "
        "pagefault_disable() and pagefault_enable() now keep them disabled "
        "where the copies run.",
    "preempt":
        "%s on kmap_atomic() disabling preemption (%s), so "
        "preempt_disable() and preempt_enable() now do that around the "
        "mapped region.",
    "unmap-address":
        "kunmap() takes the page, kunmap_local() the address the mapping "
        "returned: the unmaps in %s now pass that address.",
}


def _changes(sites):
    """What changed, one paragraph per kind of change."""
    fns = _by_function(sites)
    of_kind = {kind: [f for f, ss in fns.items()
                      if any(kind in kinds(s) for s in ss)]
               for kind, _rx in KINDS}
    # A map that became a copy helper is not renamed.
    apis = {s["api"] for s in sites if "helper" not in kinds(s)}
    renamed = [s for s in sites if "helper" not in kinds(s)]
    folio = of_kind["folio"]
    if all("folio" in kinds(s) for s in renamed):
        local = "kmap_local_folio() of the folio whose first page it is"
    elif folio:
        local = ("kmap_local_page() (kmap_local_folio() of the folio in "
                 "%s, where the page is a folio's first)" % _names(folio))
    else:
        local = "kmap_local_page()"
    paras = [wrap("The %s calls become %s and their unmaps kunmap_local()."
                  % (calls(apis), local))] if apis else []
    for kind, _rx in KINDS:
        if kind == "folio":
            continue
        if kind == "helper":
            for fn in of_kind[kind]:
                helper, bound = next(_helper_of(s) for s in fns[fn]
                                     if kind in kinds(s))
                if helper == COPY_HELPERS["clear"]:
                    paras.append(wrap(
                        "In %s the map, clear_page() and unmap become "
                        "%s(), which maps the page locally itself." %
                        (_call(fn), helper)))
                    continue
                paras.append(wrap(
                    "In %s the map, copy and unmap become %s(), which "
                    "maps the page locally itself; the copy stays within "
                    "one page%s." % (_call(fn), helper,
                                     " (%s)" % bound if bound else "")))
        elif kind == "pagefault" and of_kind[kind]:
            # The code's own explicit disables elsewhere, not user copies,
            # may be the evidence (mapapi.EXPLICIT_ELSEWHERE_RE).
            shown = [f for f in of_kind[kind]
                     if _explicit_elsewhere(fns[f], kind)]
            copies = [f for f in of_kind[kind] if f not in shown]
            if copies:
                paras.append(wrap(CHANGES[kind] % _names(copies)))
            if shown:
                paras.append(wrap(EXPLICIT_ELSEWHERE % (
                    _names(shown), "page faults", "pagefault")))
        elif kind == "preempt" and of_kind[kind]:
            regions = [s for f in of_kind[kind] for s in fns[f]]
            # Only what the semantic patch says "may" rely (cache
            # maintenance, the code's own disable elsewhere): what
            # kmap_atomic() did is kept, not claimed to be needed.
            maybe = all(r.startswith(MAY_RELY)
                        for r in _dependency_reasons(regions, "preempt"))
            one = len(of_kind[kind]) == 1
            paras.append(wrap(CHANGES[kind] % (
                _names(of_kind[kind]) + (" may rely" if maybe else
                                         " relies" if one else " rely"),
                _preempt_needs(regions))))
        elif kind == "lifo" and of_kind[kind]:
            paras.append(wrap(CHANGES[kind] % _names(of_kind[kind])))
            atomic = [f for f in of_kind[kind]
                      if any(s["api"] == "kmap_atomic" and kind in kinds(s)
                             for s in fns[f])]
            if atomic:
                # kmap_atomic() pushes on the same per-task stack.
                paras.append(wrap(LIFO_BEFORE % _names(atomic)))
        elif of_kind[kind]:
            paras.append(wrap(CHANGES[kind] % _names(of_kind[kind])))
    return paras


# The swapped unmaps of kmap_atomic() mappings were out of order already.
LIFO_BEFORE = (
    "kmap_atomic() takes its slots from the same per-task stack, so in %s "
    "the old order was already wrong: with both pages in highmem (or "
    "under DEBUG_KMAP_LOCAL_FORCE_MAP, on the architectures that have it) "
    "the first unmap warned "
    "(WARN_ON_ONCE() in kunmap_local_indexed()) and popped the newer "
    "mapping's slot off the stack. The swap fixes that too.")


# A disable kept because the function makes it explicitly elsewhere.
EXPLICIT_ELSEWHERE = (
    "%s also does the work of the mapped region with %s disabled "
    "explicitly, elsewhere or in another configuration's #if branch, as "
    "kmap_atomic() had them disabled here; so %s_disable() and its enable "
    "now keep them disabled around the mapped region.")


def _dependency_reasons(sites, kind):
    """The reasons of sites that a region relies on the disable of kind
    ("pagefault" or "preempt"; mapapi.DEPENDENCY_REASON)."""
    return [r for s in sites for r in s.get("reasons", [])
            if (m := DEPENDENCY_REASON_RE.match(r)) and m.group(1) == kind]


def _explicit_elsewhere(sites, kind):
    """Whether every reason of kind (a DEPENDENCY_REASON) of sites is an
    explicit disable the function makes elsewhere."""
    reasons = _dependency_reasons(sites, kind)
    return bool(reasons) and all(EXPLICIT_ELSEWHERE_RE.search(r)
                                 for r in reasons)


def _preempt_needs(sites):
    """What the regions of sites need preemption off for, as their
    reasons say (mapapi.DEPENDENCY_REASON): cache maintenance by the
    mapped address, per-CPU data, or both."""
    reasons = _dependency_reasons(sites, "preempt")
    cache = any(CACHE_BY_ADDRESS in r for r in reasons)
    explicit = any(EXPLICIT_ELSEWHERE_RE.search(r) for r in reasons)
    percpu = any(CACHE_BY_ADDRESS not in r and
                 not EXPLICIT_ELSEWHERE_RE.search(r) for r in reasons)
    needs = (["per-CPU data"] if percpu or not (cache or explicit) else []
             ) + (["work the function also does with preemption disabled "
                   "explicitly, elsewhere or in another configuration's "
                   "#if branch"] if explicit else []) + (
        ["cache maintenance given the mapped address, which kmap_atomic() "
         "kept on the CPU that maps it: some architectures flush only the "
         "calling CPU's cache, or choose between a local and a global "
         "flush by in_atomic()"]
        if cache else [])
    return "; ".join(needs)


def sleeps_removed(sites, ksrc):
    """[(site, [call, ...])] of the rewritten kmap_atomic() regions that
    reach a call that may sleep (see sleeping_call()), one a function."""
    if not ksrc:
        return []
    found = []
    sources = Sources(ksrc)
    for s in sorted(sites, key=lambda s: (s["file"], s["line"])):
        path = sleeping_call(sources, s)
        if path and all(f["function"] != s["function"] for f, _p in found):
            found.append((s, path))
    return found


def _reach(path):
    """"f()" or "f(), which reaches g() (through h())"."""
    if len(path) == 1:
        return "%s()" % path[0]
    return "%s(), which reaches %s()%s" % (
        path[0], path[-1], "" if len(path) == 2 else " (through %s)"
        % _names(path[1:-1]))


def _count(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def _left_in_converted(sites, others):
    """A function converted in part says which of its calls stay, so
    that the functions named as converted are not read as converted
    whole.  others: the sites of the patch's files not rewritten."""
    converted = {(s["file"], s["function"]) for s in sites}
    left = [s for s in others if (s["file"], s["function"]) in converted]
    if not left:
        return []
    fns = list(_by_function(left, sites))
    apis = sorted(set(s["api"] for s in left))
    calls = " and ".join("%s()" % a for a in apis)
    return [wrap("%s %s %s %s that %s not converted here." % (
        _names(fns), "keeps" if len(fns) == 1 else "keep",
        "one" if len(left) == 1 else str(len(left)), calls +
        (" call" if len(left) == 1 else " calls"),
        "is" if len(left) == 1 else "are"))]


def body(sites, apis, sleeps=(), others=()):
    """The paragraphs of a patch's message: sites are its rewritten
    sites, sleeps what sleeps_removed() found in them, others the sites
    of its files that are not rewritten."""
    paras = why(apis)
    if sites:
        paras += _safety(sites)
        paras += _left_in_converted(sites, others)
        paras += _changes(sites)
        paras += _unchecked(sites)
        for site, path in sleeps:
            fn = site["function"]
            paras.append(wrap(
                "This also removes a sleep in atomic context: between "
                "kmap_atomic() and kunmap_atomic(), %s() calls %s, which "
                "may sleep, while kmap_atomic() had disabled preemption "
                "and page faults. kmap_local_page() disables neither."
                % (fn, _reach(path))))
    return paras


def left_note(others, where=""):
    """For below the "---" (a note to reviewers, not the commit log,
    which should not send readers to a report they do not have): how
    many calls in the patch's files stay, "" when none do.  others are
    the sites of those files that were not rewritten."""
    manual = sum(s["action"] == "manual" for s in others)
    kept = sum(s["action"] == "kept" for s in others)
    left = []
    # Only what is known of every such site: the reasons differ from
    # site to site and are in report.md.
    if manual:
        left.append("%s left for a human" % _count(manual, "call site"))
    if kept:
        left.append("%s kept as %s (the mapping outlives the function "
                    "or thread, or is the mapping API's own)"
                    % (_count(kept, "call site"),
                       "it is" if kept == 1 else "they are"))
    if not left:
        return ""
    # Reviewers will ask about the calls that are still there.
    return wrap("Not converted in %s: %s; the kmapconv report gives each "
                "one's reason." % (where or "these files",
                                   " and ".join(left)))
