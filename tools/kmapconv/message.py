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
shows it (SLEEPS), was a sleep in atomic context: the message says the
conversion removes it, unless the rewrite keeps page faults disabled
there.
"""

import os
import re
import textwrap

from .sites import APIS

WRAP = 72                   # kernel commit messages; checkpatch warns >75

# Kinds of change, in the order the message tells them, each with the
# rewrite note that shows it.
KINDS = [
    ("helper", re.compile(r"-> (memcpy_to_page|memcpy_from_page|"
                          r"memcpy_page|memzero_page)\(\)")),
    ("new-address", re.compile(r"\(new variable \w+\)|page_address\(")),
    ("inlined-unmap", re.compile(r"\(the unmap helper inlined\)")),
    ("lifo", re.compile(r"swapped into LIFO order")),
    ("pagefault", re.compile(r"explicit pagefault_disable\(\)")),
    ("preempt", re.compile(r"explicit preempt_disable\(\)")),
    ("unmap-address", re.compile(r"^kunmap\(")),
]

# Calls that may sleep, as the code itself shows them: a sleeping lock,
# an explicit sleep or reschedule, or an allocation whose GFP flags
# allow direct reclaim.  Nothing beyond the region's own text is read:
# a callee that sleeps inside is not claimed.
SLEEPS = re.compile(
    r"\b(mutex_lock\w*|down(?:_read|_write)?(?:_killable|_interruptible)?"
    r"|inode_lock\w*|msleep\w*|ssleep|usleep_range\w*|schedule"
    r"|schedule_timeout\w*|cond_resched\w*|might_sleep|wait_event\w*"
    r"|wait_for_completion\w*|vmalloc\w*|kvmalloc\w*)\s*\("
    r"|\b(\w+)\s*\([^;]*\bGFP_(?:KERNEL|USER|NOFS|NOIO|HIGHUSER\w*)\b")
_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
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


def _names(functions):
    names = ["%s()" % f for f in functions]
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


def _region(source, site):
    """The text of a kmap_atomic() site's region: from its map to its
    first unmap; "" when the lines are unknown."""
    unmaps = [n for n in site.get("unmaps") or [] if n >= site["line"]]
    if source is None or not unmaps:
        return ""
    lines = source.split("\n")
    return "\n".join(lines[site["line"] - 1:min(unmaps)])


def sleeping_call(source, site):
    """The name of a call that may sleep in the kmap_atomic() region of
    a rewritten site, if its rewrite leaves the region preemptible and
    faultable; None otherwise (or when it cannot be shown)."""
    if site["api"] != "kmap_atomic" or kinds(site) & {"pagefault",
                                                       "preempt"}:
        return None
    text = _COMMENT_RE.sub(" ", _region(source, site))
    m = SLEEPS.search(text)
    if not m:
        return None
    return m.group(1) or m.group(2)


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


def _by_function(sites):
    """{function: [sites]} in source order (file, first line)."""
    out = {}
    for s in sorted(sites, key=lambda s: (s["file"], s["line"])):
        out.setdefault(s["function"] or "file scope", []).append(s)
    return out


def _safety(sites):
    """Why a local mapping is safe, per class of the sites."""
    fns = _by_function(sites)
    local = [f for f, ss in fns.items()
             if all(s["class"] == "thread-local" for s in ss)]
    nested = [f for f in fns if f not in local]
    paras = []
    if local:
        paras.append(wrap(
            "In %s the page is mapped and unmapped within the function, "
            "the address is used only there and by this thread, and "
            "nothing in between relies on page faults or preemption being "
            "disabled, so a local mapping is enough." % _names(local)))
    if nested:
        paras.append(wrap(
            "In %s the mappings are also made and released within the "
            "function by one thread; what a plain rename would have got "
            "wrong there (the order of the unmaps, or code that relied on "
            "kmap_atomic() disabling page faults or preemption) is "
            "handled as described below." % _names(nested)))
    return paras


def _changes(sites):
    """What changed, one paragraph per kind of change."""
    fns = _by_function(sites)
    of_kind = {kind: [f for f, ss in fns.items()
                      if any(kind in kinds(s) for s in ss)]
               for kind, _rx in KINDS}
    apis = {s["api"] for s in sites}
    paras = [wrap("%s become kmap_local_page() and their unmaps "
                  "kunmap_local()." % calls(apis))]
    if of_kind["unmap-address"]:
        paras.append(wrap(
            "kunmap() takes the page, kunmap_local() the address the "
            "mapping returned: the unmaps in %s now pass that address."
            % _names(of_kind["unmap-address"])))
    if of_kind["new-address"]:
        paras.append(wrap(
            "%s used the kmap()ed page through page_address(), which does "
            "not see a local mapping; the address kmap_local_page() "
            "returns is kept in a new variable and used instead."
            % _names(of_kind["new-address"])))
    if of_kind["inlined-unmap"]:
        paras.append(wrap(
            "%s released the page through a helper that calls kunmap() on "
            "the page; since kunmap_local() needs the address, that call "
            "is replaced by what the helper does, with kunmap_local() on "
            "the address (the helper's other callers are unchanged)."
            % _names(of_kind["inlined-unmap"])))
    for fn in of_kind["helper"]:
        helper, bound = next(_helper_of(s) for s in fns[fn]
                             if "helper" in kinds(s))
        paras.append(wrap(
            "In %s() the map, copy and unmap become %s(), which maps the "
            "page locally itself; the copy stays within one page%s."
            % (fn, helper, " (%s)" % bound if bound else "")))
    if of_kind["lifo"]:
        paras.append(wrap(
            "%s released two overlapping mappings in the order they were "
            "made. Local mappings are a stack, so the two unmaps are "
            "swapped into reverse order; nothing between them uses the "
            "newer mapping and no path leaves in between."
            % _names(of_kind["lifo"])))
    if of_kind["pagefault"]:
        paras.append(wrap(
            "The user copies in %s rely on kmap_atomic() disabling page "
            "faults (a fault must end the copy short instead of sleeping "
            "with the page mapped), so pagefault_disable() and "
            "pagefault_enable() now say so around the mapped region."
            % _names(of_kind["pagefault"])))
    if of_kind["preempt"]:
        paras.append(wrap(
            "%s rely on kmap_atomic() disabling preemption (per-CPU data), "
            "so preempt_disable() and preempt_enable() now do that around "
            "the mapped region." % _names(of_kind["preempt"])))
    return paras


def sleeps_removed(sites, ksrc):
    """[(function, call)] of the rewritten kmap_atomic() regions that
    call something that may sleep (see sleeping_call())."""
    found = []
    sources = {}
    for s in sorted(sites, key=lambda s: (s["file"], s["line"])):
        if s["file"] not in sources:
            sources[s["file"]] = read_source(ksrc, s["file"])
        call = sleeping_call(sources[s["file"]], s)
        if call and (s["function"], call) not in found:
            found.append((s["function"], call))
    return found


def _count(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def body(sites, others, apis, ksrc=None, where=""):
    """The paragraphs of a patch's message: sites are its rewritten
    sites, others the rest of the sites in its files."""
    paras = why(apis)
    if sites:
        paras += _safety(sites)
        paras += _changes(sites)
        for fn, call in sleeps_removed(sites, ksrc):
            paras.append(wrap(
                "%s() called %s() between kmap_atomic() and "
                "kunmap_atomic(), which may sleep while kmap_atomic() had "
                "preemption and page faults disabled; kmap_local_page() "
                "disables neither, so this conversion also removes a "
                "sleep in atomic context." % (fn, call)))
    manual = sum(s["action"] == "manual" for s in others)
    kept = sum(s["action"] == "kept" for s in others)
    left = []
    if manual:
        left.append("%s needing a human (out-of-order nesting, a mapping "
                    "split across functions, or code relying on "
                    "kmap_atomic() disabling page faults)"
                    % _count(manual, "call site"))
    if kept:
        left.append("%s that must stay kmap() because another thread "
                    "uses the mapping" % _count(kept, "call site"))
    if left:
        # Reviewers will ask about the calls that are still there.
        paras.append(wrap("Not converted in %s: %s." % (
            where or "these files", " and ".join(left))))
    return paras
