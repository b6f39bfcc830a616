# SPDX-License-Identifier: GPL-2.0-only
"""Turn each verdict into an action: rewritten (with the edits it needs),
manual (with a suggestion for a human) or kept.

A site is rewritten only when every edit it needs can be made; otherwise
it is left as it is with a suggestion.
"""

import re
from dataclasses import dataclass

from .bounds import page_bound
from .classify import CROSS_THREAD, NESTING_SENSITIVE, enclosing_loop
from .ctext import (braceless_body, idents, mentions, norm, page_alias,
                    strip_comments, tidy, unparen, var_offset)
from .facts import Plan
from .mapapi import (CACHE_BY_ADDRESS, COPY_HELPERS, FOLIO_COPY_HELPERS,
                     UNMAP_OF)

REWRITTEN, MANUAL, KEPT = "rewritten", "manual", "kept"

# The first reason containing a key picks the suggestion.
SUGGEST = (
    ("in the body of the macro",
     "convert by hand, if at all: the macro and the one that unmaps "
     "what it maps change together, and only when every use keeps "
     "strict LIFO order and, for "
     "kmap_atomic(), relies on no implicit disable; otherwise keep the "
     "macro as it is"),
    ("kmap-audit finds a path that leaves it mapped",
     "read the path kmap-audit names: if it can happen, the mapping is "
     "left live on it today, a bug to fix first (an unmap on that path); "
     "then the other reasons decide whether to convert"),
    ("were not analysed with it",
     "run make convert on its directory (or spatch with --file-groups "
     "naming the file and its local headers together): an unmap helper "
     "in a header is found there, and the site classified with it"),
    ("convert together or not at all",
     "convert every map that unmap releases together, and the unmap with "
     "them, keeping strict LIFO order; or keep the current mapping "
     "calls"),
    ("split across helper",
     "read every caller of the map helper: if one keeps the address "
     "where other threads or later calls reach it (a cache, a structure "
     "that outlives the call), {keep}; otherwise convert the helpers and "
     "all their callers together: the map helper returns the "
     "kmap_local_page() address (and the page where callers need it), the "
     "unmap helper takes an address in the page for kunmap_local(), a "
     "caller that hands the page on (returns it, passes it out) hands on "
     "an address in it too, down to the function that finally unmaps it "
     "(through the helper or with {unmap}() itself), and every caller "
     "unmaps in reverse order of its mappings{held_atomic}"),
    ("unmapped through an alias",
     "convert by hand: pair each map with the unmap of the same page and "
     "keep the unmaps in reverse order of the maps (strict LIFO), or keep "
     "the current mapping calls"),
    ("split across functions",
     "the mapping is released outside this map's own path: if the "
     "address stays in this thread until then, convert it together with "
     "every unmap of that address (in this function and the ones it is "
     "handed to), keeping their order strictly LIFO{held_atomic}; "
     "otherwise keep the current mapping call"),
    # Whether the address leaves the thread (or goes to DMA) can demand
    # the current mapping whatever the page bounds below allow.
    ("goes from there is not followed",
     "follow the iterator to the function that consumes it (the one "
     "given what it is stored in): if that function, or anything it "
     "calls, queues it for another context (a kthread, an interrupt "
     "handler, deferred work) or maps the address for DMA, keep the "
     "current mapping; if it copies through it only while it runs, in "
     "this thread, convert by hand"),
    ("not shown to stay in this thread",
     "read the callee: if it, or anything it calls, queues the structure "
     "for another context (a kthread, an interrupt handler, deferred "
     "work) or maps the address for DMA (dma_map_single(), an SPI or "
     "other DMA transfer, which cannot take a local mapping's address), "
     "keep the current mapping; if it uses the address only while it "
     "runs, in this thread, convert by hand"),
    ("a variable outside any function",
     "read every use of that variable: if another thread or a later call "
     "can reach the address there (a cache, a pointer others follow), "
     "{keep}; if it holds the address only while that function runs (a "
     "stream or scratch state used under a lock), convert by hand"),
    ("given to a call through a function pointer",
     "read every function the pointer can name: if one, or anything it "
     "calls, hands the address to another thread or to DMA mapping code "
     "(a kthread, a work item, a controller's message queue), {keep}; "
     "if each uses it only while it runs, in this thread, convert by "
     "hand"),
    ("which can be more than one page",
     "keep kmap(), or convert by hand mapping and copying one page at a "
     "time (kmap_local_page() and kunmap_local() of each page, or "
     "memcpy_to_page()/memcpy_from_page() per page)"),
    ("scatterlist or bio_vec entry",
     "if the code bounds the entry to its first page (offset + length "
     "at most PAGE_SIZE) on every path, convert by hand; otherwise keep "
     "kmap(), or map and use the entry one page at a time "
     "(kmap_local_page() and kunmap_local() of each of its pages)"),
    ("at an offset the caller gives",
     "read the callers: if every one gives an offset within the page "
     "(offset_in_page(), a position masked by PAGE_SIZE - 1) or a page "
     "that is never part of a larger allocation, convert by hand; if one "
     "may give a compound page and an offset past its first page, map "
     "the page the offset falls in (page + offset / PAGE_SIZE, at offset "
     "% PAGE_SIZE) one page at a time, or keep kmap()"),
    ("stays in the mapped page",
     "bound the amount by the offset into the page (a bug to fix first "
     "if it can be larger: the address then points before the page today "
     "too), then convert; or keep kmap()"),
    ("reaches its contents with page_address()",
     "keep kmap(), or convert by hand giving that function the address "
     "the map returns (or an address in the page) in place of the page, "
     "for it to use instead of page_address()"),
    ("in the linear map",
     "keep kmap(), or convert by hand giving that call the page itself "
     "(sg_set_page(), dma_map_page(), the struct page you mapped) instead "
     "of the mapped address"),
    ("remapped in turn",
     "convert by hand: whenever either mapping moves on, unmap both (the "
     "newer first) and map them again in one fixed order, so that every "
     "unmap, in the loop and after it, releases the newest mapping; or "
     "keep the current mapping calls"),
    ("rolling remap",
     "convert by hand: the map and every unmap of its address together "
     "(the one before the map, which releases the previous pass's "
     "mapping, becomes kunmap_local() too), so that one mapping is live "
     "at a time; a kmap_atomic() mapping also spans the code round the "
     "loop to that unmap: check that it does not rely on pagefaults or "
     "preemption being disabled"),
    ("in the loop",
     "unmap in the same iteration (kunmap_local() before the next map), "
     "or {keep}: local mappings are limited to KM_MAX_IDX"),
    ("through a function pointer",
     "read every function the pointer can name: if none relies on "
     "pagefaults or preemption being disabled, convert by hand; if one "
     "does (a user copy, per-CPU data), keep kmap_atomic() or add the "
     "explicit pagefault_disable()/preempt_disable() it needs"),
    ("may not be in the mapped page",
     "unmap the address the map returned (keep it in a variable of its "
     "own, or unmap before the offset changes): if the address can leave "
     "the page, the unmap misses the mapping today too, a bug to fix "
     "before converting"),
    (CACHE_BY_ADDRESS,
     "read this architecture's cache maintenance: if it acts on the "
     "calling CPU's cache alone, or chooses by in_atomic(), convert by hand "
     "with preempt_disable() right after the map and preempt_enable() "
     "right before each unmap, or keep kmap_atomic(); if the hardware "
     "broadcasts it and nothing else in the region needs preemption off, "
     "a plain conversion keeps it working"),
    ("kmap-audit could not check",
     "kmap-audit could not check this function, so the paths the script "
     "could not follow are unproven: check each by hand (is the mapping "
     "unmapped on it?) before converting, or keep the current mapping "
     "call"),
    ("before that return (under a condition",
     "check whether that path runs one of those unmaps: if it does on "
     "every real path (a loop that always runs, a condition repeated, a "
     "pointer that is NULL unless mapped), nothing is missing and an "
     "unmap added there would release the mapping twice, so let make "
     "convert's audit (kmap-audit, on unless VERIFY=0) follow it, or "
     "convert by hand; only a path that runs none of them leaks today "
     "and needs its unmap"),
    ("may leave it mapped",
     "check that path: if it is real, the mapping leaks today too and "
     "needs its unmap; if it cannot happen (a condition repeated, a "
     "pointer that is NULL unless mapped), let make convert's audit "
     "(kmap-audit, on unless VERIFY=0) follow it, or convert by hand"),
    ("retry idiom",
     "map once with kmap_local_page() and use copy_from_user()/"
     "copy_to_user() instead of the _inatomic copy and the kmap() "
     "fallback when the context can fault; otherwise keep "
     "pagefault_disable() around the _inatomic copy"),
    ("not in reverse order",
     "unmap in reverse order of mapping (strict LIFO); the code between "
     "the two unmaps uses the newer mapping, so move the older unmap "
     "after it by hand"),
    ("atomic context",
     "keep kmap_atomic() unless the callee's need for atomic context "
     "is met otherwise (for a user copy, an explicit pagefault_disable() "
     "around it); kmap_local_page() disables neither preemption nor "
     "pagefaults"),
    ("on the implicit",
     "add the disable the reason names (pagefault_disable() or "
     "preempt_disable(): one does not stand for the other) right after "
     "the map and its enable right before each unmap, by hand, or keep "
     "kmap_atomic()"),
)
SUGGEST_RETRY = dict(SUGGEST)["retry idiom"]
SUGGEST_SHARED = dict(SUGGEST)["convert together or not at all"]
SUGGEST_LIFO = dict(SUGGEST)["not in reverse order"]
SUGGEST_GUARD = dict(SUGGEST)["on the implicit"]
# The advice to add an unmap on a path (the script's guess, or
# kmap-audit's leak).
LEAK_ADVICE_RE = re.compile(r"needs its unmap|an unmap on that path")


# What a kmap_atomic() pair split over functions (helpers, or a map
# whose unmap is elsewhere) adds to the advice: the code in between runs
# with pagefaults and preemption disabled.
HELD_ATOMIC = (
    "; between the map and its unmap a kmap_atomic() pair also keeps "
    "pagefaults and preemption disabled: code in between that relies on "
    "it (a user copy that must not fault, per-CPU data, a caller told "
    "that the function returns with them disabled) or checks it "
    "(WARN_ON(!pagefault_disabled()), in_atomic()) needs the explicit "
    "disables added with the map and its unmap")


def advice_of(reason):
    """The index in SUGGEST of the advice for one reason, or None."""
    for n, (key, _) in enumerate(SUGGEST):
        if key in reason:
            return n
    return None


def suggestion_for(s, extra=None):
    """The advice for every reason of the site, the most pressing first
    (SUGGEST's order: a leak the audit found before anything else): a
    site held back for two reasons (say an alias and a loop that grows
    the mapping stack) must not be told how to lift only one."""
    if extra:
        return extra
    picked = sorted({n for n in map(advice_of, s.reasons) if n is not None})
    if not picked:
        return "review by hand"
    said = [SUGGEST[n][1].format(
        keep="keep %s()" % s.api, unmap=UNMAP_OF.get(s.api, "kunmap"),
        held_atomic=HELD_ATOMIC if s.api == "kmap_atomic" else "")
        for n in picked]
    return ". Also: ".join(said)


# What a denial covers: the function's every site; only the sites whose
# paths were left to kmap-audit (classify: s.unproven); or only the sites
# on its lines, whatever the script proved (a bug of their own address
# that the code had already and a rewrite would carry over).
WHOLE, UNPROVEN, SITES = "function", "unproven", "sites"


@dataclass(frozen=True)
class Denial:
    """kmap-audit's word on an earlier rewrite of one function."""
    reason: str                 # the finding, as a reason
    scope: str = WHOLE
    suggestion: str = ""        # what to do about it (UNPROVEN, SITES)
    lines: tuple = ()           # the sites it refutes (UNPROVEN, SITES)


@dataclass
class Planner:
    """Plans the rewrite of the sites of one group."""
    group: object
    deny: dict          # (file, function) -> Denial
    folios: frozenset = frozenset()     # the folio forms the tree has

    def reassigned(self, s, var, last):
        return [r.line for r in self.group.changes(s.fkey, {var}, s.line,
                                                   last + 1, site=s)]

    def page_uses(self, s, last):
        """page_address() of the mapped page inside the mapped region:
        [(position, line)]."""
        want = page_alias(s.page)
        return [(pa.at, pa.line) for pa in self.group.page_addr
                if pa.fn == s.fkey and s.line <= pa.line <= last and
                unparen(norm(pa.expr)) == want]

    def address_holder(self, s, uses, last):
        """(variable, position) when kmap(page); is followed by
        v = [(T *)]page_address(page); alone (uses: page_uses()), v a
        local variable that nothing changes before the last unmap: v can
        take the local mapping itself (the map moves to that statement)
        instead of a new variable.  None otherwise."""
        g = self.group
        if len(uses) != 1:
            return None
        at, line = uses[0]
        lines = g.src.of(s.file)
        # Two statements in a row of one block, as the rule that edits
        # them matches: kmap(page); alone on its line, not an if's body.
        between = strip_comments("\n".join(lines[s.line:line - 1]))
        if between.strip() or line - 1 >= len(lines) or \
           braceless_body(lines, s.line) or not re.fullmatch(
               r"\s*kmap\s*\((.+)\)\s*;\s*",
               strip_comments(lines[s.line - 1])):
            return None
        m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*(?:\(\s*[\w\s]+\*\s*\)"
                         r"\s*)?page_address\s*\((.+)\)\s*;\s*",
                         strip_comments(lines[line - 1]))
        if not m or unparen(norm(m.group(2))) != page_alias(s.page):
            return None
        v = m.group(1)
        local = any(a.fn == s.fkey and a.lhs == v and a.at.line == line
                    for a in g.lassign)
        if not local or g.changes(s.fkey, {v}, line, last + 1) or \
           re.search(r"&\s*%s\b" % re.escape(v),
                     strip_comments(g.function_text(s))):
            return None
        return v, at

    def bound_or_note(self, s, key, kind):
        """The bound of the copy at key; without one, a note saying why
        the helper is not used."""
        s.bound = page_bound(self.group, s, self.group.copy_bounds[key])
        if not s.bound:
            s.notes_extra = [
                "%s() kept: %s() requires offset + length within one "
                "page and the code does not show that bound" % (
                    copied_with(kind), COPY_HELPERS[kind])]
        return bool(s.bound)

    def helper_fits(self, s):
        """memcpy(to, kmap(page) [+ off], len); kunmap(page); exactly:
        the map's only unmap is the statement right after the copy."""
        h = self.group.copy.get(s.key)
        if not h or [u.at for u in s.unmap_calls] != [h.unmap_at]:
            return False
        return self.bound_or_note(s, s.key, h.kind)

    def var_helper_fits(self, s):
        """x = map(page); memcpy(.., x [+ off], ..); unmap(x or page), or
        memset(x [+ off], 0, len) (memzero_page()), with x used nowhere
        else in the function and declared on a line of its own (the
        declaration goes too)."""
        g = self.group
        far = s.key not in g.var_copy and g.declared_copy.get(s.key)
        h = g.var_copy.get(s.key) or far
        if not h or s.var != h.var or s.guards or \
           [u.at for u in s.unmap_calls] != [h.unmap_at]:
            return False
        if far:
            # T x = map(page); ...; memcpy(); unmap(): the map moves down
            # to the copy, past code that must not touch the page.
            between = g.src.text(s.file, s.line + 1, far.copy_line - 1)
            # A comment right above a removed declaration is dropped by
            # the rewrite and what follows is joined to the line before
            # (checkpatch errors): keep the plain conversion there.
            above = g.src.of(s.file)[s.line - 2].strip() \
                if s.line > 1 else ""
            if re.search(r"\*/$|^//", above):
                return False
            if self.var_uses(s, h.var) != (3 if s.api == "kmap_atomic"
                                           else 2) or \
               g.src.exits_between(s.file, s.line + 1, far.copy_line) or \
               mentions(between, idents(page_alias(s.page))):
                return False
        elif not self.only_copy_var(s, h.var):
            return False
        return self.bound_or_note(s, s.key, h.kind)

    def flush_folded(self, s):
        """What the note says of a flush_dcache_page() of the page next
        to the unmap, which the rewrite drops: the helper flushes."""
        lines = self.group.src.of(s.file)
        call = "flush_dcache_page(%s)" % norm(s.page)
        for u in s.unmap_calls:
            near = [norm(lines[n - 1]) for n in (u.line - 1, u.line + 1,
                                                 u.line + 2)
                    if 0 < n <= len(lines)]
            near = [l for l in near if l]
            if near and any(l.startswith(call) for l in near[:2]):
                return ("; the %s next to the unmap goes too: the helper "
                        "flushes the page itself" % call)
        return ""

    def var_uses(self, s, x):
        """How often the function of site s names the variable x."""
        return len(re.findall(r"(?<![\w.>])%s\b" % re.escape(x),
                              self.group.function_text(s)))

    def only_copy_var(self, s, x):
        """x is declared on a line of its own and used only by the map,
        the copy and (kmap_atomic) the unmap."""
        decl = re.findall(r"^\s*(?:const\s+)?(?:struct\s+)?[A-Za-z_]\w*\s*"
                          r"[*\s]*\b%s\s*;\s*$" % re.escape(x),
                          self.group.function_text(s), re.M)
        return len(decl) == 1 and self.var_uses(s, x) == (
            4 if s.api == "kmap_atomic" else 3)

    def pair_sites(self, s):
        """(first, second) when s is one of two maps whose only use is
        one memcpy() between them (memcpy_page()), else None."""
        g = self.group
        for k1, pair in g.copy_pairs.items():
            if s.key not in (k1, pair.second_at):
                continue
            a, b = g.sites.get(k1), g.sites.get(pair.second_at)
            if not a or not b or a.var != pair.x or b.var != pair.y or \
               a.guards or b.guards:
                return None
            ups = sorted([u.at for u in a.unmap_calls] +
                         [u.at for u in b.unmap_calls])
            if len(a.unmap_calls) != 1 or \
               ups != sorted([pair.unmap1_at, pair.unmap2_at]):
                return None
            if self.only_copy_var(a, pair.x) and \
               self.only_copy_var(b, pair.y):
                if not self.bound_or_note(s, k1, "pair"):
                    return None
                return a, b
        return None

    def plan_site(self, s):
        """Set action, suggestion, notes and plan for one site."""
        g = self.group
        s.plan = None
        s.notes = []
        s.suggestion = None
        if s.cls == CROSS_THREAD:
            s.action = KEPT
            return
        s.action = MANUAL
        key = s.key
        denied = self.deny.get(s.fkey)
        if denied and denied.scope == WHOLE:
            s.reasons = s.reasons + ["kmap-audit on the rewritten %s(): "
                                     "%s" % (s.function, denied.reason)]
            s.suggestion = ("kmap-audit flags the rewritten %s(): %s; "
                            "convert it by hand" % (s.function,
                                                    denied.reason))
            return
        if denied and denied.scope == SITES and s.line in denied.lines:
            s.reasons = s.reasons + ["kmap-audit on the rewritten %s(): "
                                     "%s" % (s.function, denied.reason)]
            s.suggestion = denied.suggestion
            return
        if denied and denied.scope == UNPROVEN and s.candidate and \
                s.line in denied.lines:
            # The audit, not the script's guess, says why.
            s.reasons = [r for r in s.reasons if r not in s.provable] + [
                "kmap-audit on the candidate rewrite of %s(): %s" % (
                    s.function, denied.reason)]
            s.provable = []     # judged
            s.suggestion = denied.suggestion or suggestion_for(s)
            return
        if s.nest > s.fixable or s.retry:
            s.suggestion = suggestion_for(s)
            return
        if s.retry_of:
            # The fallback half of a retry idiom goes with the atomic half.
            s.suggestion = ("the kmap() fallback of the retry idiom at "
                            "line %d: " % s.retry_of) + SUGGEST_RETRY
            return
        last = max(set(s.unmaps))
        plan = Plan()
        notes = s.notes
        pair = self.pair_sites(s)
        if pair:
            plan.copy_pair_first = pair[0] is s
            a, b = pair
            notes.append("%s(%s) + %s(%s) + memcpy() + unmaps -> "
                         "memcpy_page(); %s and %s are no longer needed; "
                         "the copy stays in one page: %s" %
                         (a.api, tidy(a.page), b.api, tidy(b.page),
                          a.var, b.var, pair[0].bound or pair[1].bound))
            self.rewritten(s, plan)
            return
        if self.var_helper_fits(s):
            far = key not in g.var_copy
            kind = (g.declared_copy if far else g.var_copy)[key].kind
            plan.var_helper = (kind, s.var, far)
            notes.append("%s() + %s() + %s() -> %s; %s is no longer "
                         "needed; the %s stays in one page: %s%s" % (
                             s.api, copied_with(kind),
                             "kunmap" if s.api == "kmap"
                             else "kunmap_atomic",
                             self.copy_form(s, plan, kind), s.var,
                             "zeroing" if kind == "zero" else "copy",
                             s.bound, self.flush_folded(s)))
            self.rewritten(s, plan)
            return
        if s.api == "kmap_atomic":
            self.rename_map(s, plan)
            self.note_split_chain(s)
            for u in s.unmap_calls:
                if u.unmap_fn == "kunmap_atomic":
                    plan.unmap_rename.add(u.at)
                    notes.append("kunmap_atomic(%s) -> kunmap_local(%s) "
                                 "at line %d" % (tidy(u.arg), tidy(u.arg),
                                                 u.at.line))
            plan.addr = dict((u.at, norm(u.arg)) for u in s.unmap_calls)
        elif not self.plan_kmap(s, plan, last):
            return
        elif plan.helper:
            self.rewritten(s, plan)
            return
        if len(s.guards) > 1:
            s.suggestion = (
                "the region relies on both the pagefault and the "
                "preemption disable of kmap_atomic(); keep kmap_atomic() "
                "or add both explicitly, by hand")
            s.plan = None
            return
        if s.guards:
            guard = sorted(s.guards)[0]
            if key not in g.assigned_to or not s.unmap_calls:
                s.suggestion = suggestion_for(s)
                if s.suggestion == SUGGEST_GUARD:
                    s.suggestion = (
                        "add %s_disable() right after the map and "
                        "%s_enable() right before each unmap by hand (%s), "
                        "or keep kmap_atomic()" % (
                            guard, guard, "the map is not a plain "
                            "assignment statement" if key not in
                            g.assigned_to else "the script sees no unmap "
                            "call of it"))
                return
            lines = g.src.of(s.file)
            if any(braceless_body(lines, n) for n in
                   [s.line] + [u.at.line for u in s.unmap_calls]):
                s.suggestion = (
                    "add %s_disable() after the map and %s_enable() before "
                    "each unmap by hand: one of them is the body of an if, "
                    "else or loop without braces, which the added call "
                    "needs (on every arm)" % (guard, guard))
                return
            plan.guards = set(s.guards)
            for guard in sorted(plan.guards):
                notes.append("explicit %s_disable()/%s_enable() around "
                             "the mapped region (kmap_atomic() did it "
                             "implicitly)" % (guard, guard))
        notes.extend(s.notes_extra)
        self.rewritten(s, plan)

    def rename_map(self, s, plan):
        """The map keeps its place and takes the local call: for a
        folio's first page, kmap_local_folio(folio, 0) as current kernels
        write it, where the tree has it."""
        plan.map = s.key
        plan.folio = self.folio_of(s) if "kmap_local_folio" in self.folios \
            else None
        s.notes.append("%s() -> %s" % (s.api, "kmap_local_folio(%s, 0) (the "
                                       "page is %s's first)"
                                       % (plan.folio, plan.folio)
                                       if plan.folio else "kmap_local_page()"))

    def copy_form(self, s, plan, kind):
        """The copy helper of kind for s, as the rewrite note names it:
        for a folio's first page, its folio form where the tree has it
        (within one page it does what the page helper does)."""
        helper = FOLIO_COPY_HELPERS.get(kind)
        if helper and helper in self.folios:
            plan.folio_copy = self.folio_of(s)
        if plan.folio_copy:
            return "%s() (the page is %s's first)" % (helper,
                                                     plan.folio_copy)
        return "%s()" % COPY_HELPERS[kind]

    def folio_of(self, s):
        """The folio whose first page s maps: &folio->page, or a page
        variable initialised so and never changed, where the function
        declares folio a struct folio pointer.  None otherwise."""
        text = strip_comments(self.group.function_text(s))
        page = norm(s.page)
        m = re.fullmatch(r"&\s*([A-Za-z_]\w*)\s*->\s*page", page)
        if not m and re.fullmatch(r"[A-Za-z_]\w*", page):
            decl = (r"\bstruct\s+page\s*\*\s*%s\s*=\s*&\s*"
                    r"([A-Za-z_]\w*)\s*->\s*page\s*;" % re.escape(page))
            alias = re.findall(decl, text)
            lines = self.group.src.of(s.file)
            # (The declaration's initializer counts as an assignment.)
            changed = [r for r in self.group.changes(s.fkey, {page})
                       if not re.search(decl, lines[r.line - 1])]
            if len(alias) == 1 and not changed and not re.search(
                    r"&\s*%s\b" % re.escape(page), text):
                m = re.match(r"(\w+)", alias[0])
        if not m:
            return None
        folio = m.group(1)
        declared = r"\bstruct\s+folio\s*\*\s*%s\b" % re.escape(folio)
        # Changed after the page was taken, the alias and the folio part.
        assigned = re.findall(r"(?<![\w.>])%s\s*(?:[-+*/|&^]|<<|>>)?=(?!=)"
                              % re.escape(folio), re.sub(
                                  declared + r"\s*=", "", text))
        if not re.search(declared, text) or assigned:
            return None
        return folio

    def plan_kmap(self, s, plan, last):
        """The edits of a kmap() site; False (with a suggestion) when
        one cannot be made."""
        g = self.group
        key = s.key
        notes = s.notes
        var = s.var
        moved = var and self.reassigned(s, var, last)
        if moved and norm(var) not in (g.assigned_to.get(key),
                                       g.assigned_within.get(key)):
            s.suggestion = (
                "%s is changed at line %d before the unmap; keep the "
                "mapped address in a variable of its own for "
                "kunmap_local()" % (var, moved[0]))
            return False
        if moved:
            # x = kmap(page) [+ off]; ... x += len; ... kunmap(page): the
            # address is kept in a new variable too (kaddr =
            # kmap_local_page(page); x = kaddr [+ off];) and that one is
            # unmapped.
            old, var = var, g.fresh_name(s)
            plan.intro = var
            notes.append("kmap() -> %s = kmap_local_page(); %s = %s%s "
                         "(new variable %s: %s moves before the unmap)"
                         % (var, old, var, "" if key in g.assigned_to
                            else " ...", var, old))
        elif not var and key in g.bare:
            uses = self.page_uses(s, last)
            if not uses:
                s.suggestion = (
                    "the result of kmap() is unused: the page is reached "
                    "through page_address() elsewhere, which does not see "
                    "a local mapping; pass the kmap_local_page() address "
                    "instead")
                return False
            held = self.address_holder(s, uses, last)
            if held:
                var, plan.map_at = held
                notes.append("kmap(); %s = page_address() -> %s = "
                             "kmap_local_page() (%s already holds the "
                             "address)" % (var, var, var))
            else:
                var = g.fresh_name(s)
                plan.intro = var
                notes.append("kmap() -> %s = kmap_local_page() (new "
                             "variable %s)" % (var, var))
        elif not var and self.helper_fits(s):
            kind = g.copy[key].kind
            plan.helper = kind
            if kind == "clear":
                notes.append("clear_page() of a kmap() + kunmap() -> %s"
                             % self.copy_form(s, plan, kind))
            else:
                notes.append("memcpy() of a kmap() + kunmap() -> %s; the "
                             "copy stays in one page: %s"
                             % (self.copy_form(s, plan, kind), s.bound))
            return True
        elif not var:
            s.suggestion = (
                "the mapped address is not kept in a local variable; keep "
                "it in one and pass it to kunmap_local()")
            return False
        else:
            self.rename_map(s, plan)
            self.note_split_chain(s)
        for u in s.unmap_calls:
            h = g.unmap_helper_at.get(u.at)
            if h:
                plan.unmap_helper[u.at] = var
                then = g.unmap_helpers[h]
                notes.append("%s(%s) -> kunmap_local(%s)%s at line %d (the "
                             "unmap helper inlined)" %
                             (h, tidy(u.arg), var, "; %s(%s)" %
                              (then, tidy(u.arg)) if then else "",
                              u.at.line))
                continue
            plan.unmap_arg[u.at] = var
            notes.append("kunmap(%s) -> kunmap_local(%s) at line %d"
                         % (tidy(u.arg), var, u.at.line))
        for (at, line) in self.page_uses(s, last):
            if at == plan.map_at:
                continue
            plan.page_address[at] = var
            notes.append("page_address(%s) -> %s at line %d" %
                         (tidy(s.page), var, line))
        plan.addr = dict((u.at, var) for u in s.unmap_calls)
        return True

    def note_split_chain(self, s):
        y = self.group.chained.get(s.key)
        if y:
            s.notes.append("%s = %s = kmap_local_page() -> %s = "
                           "kmap_local_page(); %s = %s (one assignment a "
                           "statement)" % (y, s.var, s.var, y, s.var))

    @staticmethod
    def rewritten(s, plan):
        s.plan = plan
        s.action = REWRITTEN

    def unite_shared_unmaps(self, sites):
        """Maps one unmap may release are rewritten together or not at
        all.  Besides its pairs, a map is released by the first unmap of
        its handle after it, and a map in a loop by one earlier in the
        loop (its mapping of the previous iteration: a rolling remap),
        whichever map that unmap pairs with.
        A kunmap() left for a local mapping, or a kunmap_local() of a
        kmap() address, compiles and breaks."""
        releases = {}
        for s in sites:
            lines = set(s.unmaps)
            # The first unmap of its handle after it releases it, even
            # paired with another map (maps on two branches, one unmap
            # after they join).
            if s.next_handle_unmap is not None:
                lines.add(s.next_handle_unmap)
            loop = enclosing_loop(self.group.loops, s)
            if loop:
                lines.update(l for l in s.handle_unmaps
                             if loop[0] <= l < s.line)
            for line in lines:
                releases.setdefault((s.fkey, line), []).append(s)
        changed = True
        while changed:
            changed = False
            for (_fkey, line), together in sorted(
                    releases.items(), key=lambda kv: kv[0][1]):
                left = [o for o in together if o.action != REWRITTEN]
                if not left:
                    continue
                for s in together:
                    if s.action == REWRITTEN:
                        self.demote_shared(s, line, left[0])
                        changed = True

    @staticmethod
    def demote_shared(s, line, other):
        s.action = MANUAL
        s.plan = None
        s.cls = NESTING_SENSITIVE
        s.reasons = ["the unmap at line %d also releases the mapping made "
                     "at line %d, which is not converted with it (one "
                     "unmap for both, or a rolling remap in a loop)"
                     % (line, other.line)] + s.reasons
        s.suggestion = SUGGEST_SHARED

    def caveat_hand_overs(self, sites):
        """Advice to add an unmap on a path that leaves the mapping live
        says when a callee given the address there may have taken the
        mapping on: then the path is no leak, and the unmap would break
        it."""
        for s in sites:
            if s.action == MANUAL and s.handed and s.suggestion and \
                    LEAK_ADVICE_RE.search(s.suggestion):
                callee, line = s.handed[-1]
                s.suggestion += (
                    "; but the address is given to %s() at line %d before "
                    "that return: if it keeps the mapping for another "
                    "function to release, the path hands it on, no leak, "
                    "an unmap added there would break it, and the map "
                    "stays %s()" % (tidy(callee), line, s.api))

    def plan_swaps(self, sites):
        """Unmaps out of LIFO order: swap what the two unmaps release
        when nothing between them uses the newer mapping and no path
        leaves."""
        for s in sites:
            for sw in s.swaps:
                if s is not sw.second:
                    continue
                self.plan_swap(s, sw.first, sw.second, sw.bad)

    def plan_swap(self, s, first, second, bads):
        g = self.group
        fp, sp = first.plan, second.plan
        if fp is not None and sp is not None and \
           fp.copy_pair_first is not None and \
           sp.copy_pair_first is not None:
            return      # one memcpy_page() replaces both
        # A helper call replaced the map: nothing left to swap.
        ok = fp is not None and sp is not None and \
            fp.addr is not None and sp.addr is not None
        moves = []
        for (ua, ub) in bads if ok else []:
            a = [u for u in first.unmap_calls if u.at.line == ua]
            b = [u for u in second.unmap_calls if u.at.line == ub]
            text = g.src.text(s.file, ua + 1, ub - 1)
            names = set(second.names) | idents(page_alias(second.page))
            if len(a) != 1 or len(b) != 1 or \
               a[0].at in g.unmap_helper_at or \
               b[0].at in g.unmap_helper_at or \
               mentions(text, names) or \
               re.search(r"\b(return|goto|break|continue)\b|"
                         r"^\s*\w+\s*:", text, re.M):
                ok = False
                break
            moves.append((a[0].at, b[0].at))
        if not ok:
            for x in (first, second):
                if x.plan is not None:
                    x.plan = None
                    x.action = MANUAL
                    x.notes = []
                x.suggestion = suggestion_for(x, SUGGEST_LIFO)
            return
        for (pa, pb) in moves:
            aa, ab = fp.addr[pa], sp.addr[pb]
            for pl, u in ((fp, pa), (sp, pb)):
                pl.unmap_rename.discard(u)
                pl.unmap_arg.pop(u, None)
            fp.unmap_arg[pb] = aa
            sp.unmap_arg[pa] = ab
            second.notes.append("unmaps at lines %d and %d swapped into "
                                "LIFO order" % (pa.line, pb.line))


def copied_with(kind):
    """The call a copy helper of kind replaces: memset() for a zeroing,
    memcpy() for the others."""
    return "memset" if kind == "zero" else "memcpy"


def helper_args(kind, x, page, dst, src, length):
    """The arguments of the helper replacing memcpy(dst, src, length) (or
    memset(dst, 0, length)) through the address x of page.  memzero_page()
    takes three; the fourth is then a placeholder the rule never prints."""
    if kind == "from":
        return (str(dst), str(page), var_offset(src, x), str(length))
    if kind == "to":
        return (str(page), var_offset(dst, x), str(src), str(length))
    return (str(page), var_offset(dst, x), str(length), str(length))
