# SPDX-License-Identifier: GPL-2.0-only
"""Pair each map with its unmaps and sort the site into a class:
thread-local, nesting-sensitive or cross-thread, with the evidence.

"After" means textually after, which is how C code lays out its paths
(error labels come last); exits (return/goto) between two unmaps split
paths.
"""

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Set

from .bounds import bounded
from .callees import (Definitions, chain, escape, first_pointer_call,
                      first_reliance)
from .cargs import split_top
from .ctext import (idents, in_null_arm, is_lvalue_in, lhs_kind, mentions,
                    names_variable, norm, page_alias, ptr_base, root_idents,
                    shape, store_root, strip_comments, tidy, unparen,
                    value_parts)
from .facts import (Call, FnKey, Loop, Pos, Return, Site, Store, Swap,
                    UnmapHelper)
from .includes import local_headers
from .csource import other_arm
from .linear import KVEC, LINEAR, LINEAR_ADDRESS_ARG, PAGE
from .mapapi import (API_FUNCTION_RE, CACHE_BY_ADDRESS, DEFERRED_WORK_RE,
                     DEPENDENCY_REASON, DEPENDENCY_REASON_RE,
                     DISABLED_AROUND_CALL, DISABLED_IN_OTHER_ARM, MAY_RELY,
                     NOT_A_FUNCTION, PAGE_ADDRESS_CALLS, PATHS_PROVED,
                     PATHS_REFUTED, PATHS_UNCHECKED, POINTER_REASON, RELIES,
                     UNMAP_OF)

THREAD_LOCAL = "thread-local"
NESTING_SENSITIVE = "nesting-sensitive"
CROSS_THREAD = "cross-thread"


def by_fn(items):
    d = {}
    for it in items:
        d.setdefault(it.fn, []).append(it)
    return d


def closure(start, derive):
    """The names derived from start, transitively."""
    seen = set(start)
    grew = True
    while grew:
        grew = False
        for d in derive:
            if d.src in seen and d.dst not in seen:
                seen.add(d.dst)
                grew = True
    return seen


def pair_unmaps(group, fsites, unmaps, paired):
    """Give each unmap to the nearest earlier map with the same handle.
    A call of an inlinable unmap helper pairs only with a kmap() of the
    very same page: it also releases pages mapped elsewhere.  The
    (file, line) of each paired unmap goes into paired."""
    for s in fsites:
        s.unmaps = []
        s.unmap_calls = []
        s.handle_unmaps = []
        s.orphan_unmaps = []
        s.loop_unmaps = []
        s.fuzzy = False
    for u in unmaps:
        via_helper = u.at in group.unmap_helper_at
        a = unparen(norm(u.arg))
        cands = []
        for s in fsites:
            if s.api == "kmap_atomic" and u.unmap_fn != "kunmap":
                tgt = norm(s.store[0]) if s.store else None
                if (s.names and names_variable(u.arg, s.names)) or \
                   (tgt and is_lvalue_in(tgt, a)):
                    cands.append(s)
            elif s.api == "kmap" and u.unmap_fn == "kunmap":
                if a == page_alias(s.page):
                    cands.append(s)
        if not cands:
            # kunmap(page) where the map spelled the page otherwise
            # (kmap(bh->b_page) ... kunmap(page)): the nearest earlier
            # kmap() still unpaired takes it.
            if u.unmap_fn != "kunmap" or via_helper:
                continue
            cands = [s for s in fsites if s.api == "kmap" and
                     not s.unmaps and s.line <= u.line]
            fuzzy = True
        else:
            fuzzy = False
        # Only a map that comes before the unmap made what it releases;
        # an unmap with none (the address a caller mapped, or the one of
        # a later map reached round a loop) pairs with nothing, and the
        # maps of that handle are not rewritten (see classify_site).
        before = [s for s in cands if s.line <= u.line]
        s = max(before, key=lambda s: s.line, default=None)
        if s is None:
            s = loop_carried(group, cands, u)
            if s is not None:
                s.loop_unmaps.append(u.line)
        for c in cands:
            c.handle_unmaps.append(u.line)
            if s is None:
                c.orphan_unmaps.append(u.line)
        if s is None:
            continue
        s.unmaps.append(u.line)
        s.unmap_calls.append(u)
        s.fuzzy = s.fuzzy or fuzzy
        paired.add((s.file, u.line))


def loop_carried(group, cands, u):
    """The map whose mapping u releases round a loop: u, with no map of
    its address before it, sits in the innermost loop around it before
    that loop's one kmap_atomic() of the address (a rolling remap:
    unmap the previous pass's mapping, map the next).  Only where
    nothing else can have mapped the address: a local variable that
    only that map (or NULL) assigns.  None otherwise."""
    loops = [lp for lp in group.loops if lp.file == u.at.file and
             lp.first <= u.line <= lp.last]
    if not loops:
        return None
    lp = min(loops, key=lambda lp: lp.last - lp.first)
    after = [s for s in cands if u.line < s.line <= lp.last]
    if len(after) != 1 or after[0].api != "kmap_atomic" or \
            not after[0].var or after[0].store:
        return None
    s = after[0]
    if s.var in group.params.get(s.fkey, set()) or any(
            a.fn == s.fkey and a.lhs == s.var and a.at.line != s.line and
            norm(a.rhs) not in ("NULL", "0") for a in group.lassign):
        return None
    return s


def join_group(group, paired):
    """Pair maps with their unmaps (before the rules that need pairs)."""
    group.follow_assignments()
    sites = sorted(group.sites.values(),
                   key=lambda s: (s.file, s.line, s.column))
    derive = by_fn(group.derive)
    fsites = {}
    for s in sites:
        fsites.setdefault(s.fkey, []).append(s)
        start = set([s.var]) if s.var else set()
        s.names = closure(start, derive.get(s.fkey, [])) \
            if start else set()
    unmaps = by_fn(group.unmaps + group.unmap_helper_calls)
    paired.clear()
    for fkey, ss in fsites.items():
        pair_unmaps(group, ss, sorted(unmaps.get(fkey, []),
                                      key=lambda u: u.at), paired)
    group.order = sites
    group.fsites = fsites


@dataclass
class Context:
    """The facts of a group by function, as classify_site() reads them."""
    fsites: Dict[FnKey, List[Site]]
    stores: Dict[FnKey, List[Store]]
    derive_pos: Set[Pos]
    returns: Dict[FnKey, List[Return]]
    defers: Dict[FnKey, List[Call]]
    calls: Dict[FnKey, List[Call]]
    loops: List[Loop]
    helpers: list
    params: Dict[FnKey, Set[str]]
    # Whether a site of the function may leave paths to kmap-audit.
    proving: Callable[[FnKey], bool] = lambda fkey: False
    # kmap-audit's word on the paths of sites not rewritten:
    # (file, function, line) -> PathVerdict.
    verdicts: dict = field(default_factory=dict)
    # directory -> {function: {parameter index: kind}}: the functions
    # there that need a parameter in the linear map (linear.py).
    linear_of: Callable[[str], dict] = lambda folder: {}
    # (file, function, parameter) -> the functions a function-pointer
    # parameter can be (pointers.py), or None.
    pointer_targets: Callable = lambda path, fn, param: None
    # The function bodies of the sites' files, for what a callee relies
    # on.
    definitions: Definitions = None

    @classmethod
    def of(cls, group, paired, proving=None, verdicts=None,
           linear_of=None, pointer_targets=None):
        return cls(proving=proving or (lambda fkey: False),
                   pointer_targets=pointer_targets or (
                       lambda path, fn, param: None),
                   verdicts=verdicts or {},
                   linear_of=linear_of or (lambda folder: {}),
                   fsites=group.fsites, stores=by_fn(group.stores),
                   derive_pos=set(group.derive_pos),
                   returns=by_fn(group.returns),
                   defers=by_fn([c for c in group.calls
                                 if DEFERRED_WORK_RE.match(c.callee)]),
                   calls=by_fn(group.calls), loops=group.loops,
                   params=group.params,
                   helpers=unmap_helpers(group, paired),
                   definitions=group.definitions())


def unmap_helpers(group, paired):
    """Unmaps of something built from a parameter, that the function did
    not map itself."""
    found = set()
    for u in group.unmaps:
        f, fn = u.fn
        if (f, u.line) in paired:
            continue
        if mentions(u.arg, group.params.get((f, fn), set())):
            found.add(UnmapHelper(fn, f, u.line, u.unmap_fn,
                                  shape(u.arg)))
    return sorted(found)


def classify_site(group, s, ctx):
    """(class, reasons) of site s; sets what the rewrite can fix."""
    fkey = s.fkey
    names = s.names
    reasons = []
    cross = []
    nest = []
    # What the rewrite can fix (see plan.plan_site): a region that needs
    # pagefaults/preemption off, unmaps to swap.  Anything else in nest
    # is a reason for a human.
    s.guards = set()
    s.retry = False
    s.swaps = []
    s.fixable = 0
    unm = sorted(set(s.unmaps))
    stores = []
    if s.store:
        stores.append(s.store)
    for st in ctx.stores.get(fkey, []):
        if st.name in names and st.at not in ctx.derive_pos and \
           st.line >= s.line:
            stores.append((st.lhs, st.line))
    targets = [norm(l) for (l, _line) in stores]
    roots = set(store_root(l) for (l, _line) in stores)
    rets = []
    # the returns that give back the mapped page, not an address
    page_rets = []
    if s.ret:
        rets.append(s.ret)
    for r in ctx.returns.get(fkey, []):
        t = norm(r.expr)
        if r.line < s.line:
            continue
        # What the caller gets: not a test of the address (return
        # !addr ? -ENOMEM : 0).
        vals = value_parts(r.expr)
        if (names and any(mentions(v, names) for v in vals)) or \
           any(tg in v for tg in targets for v in vals) or \
           (s.api == "kmap" and
            (unparen(t) == page_alias(s.page) or
             any("page_address(%s)" % page_alias(s.page) in v
                 for v in vals))):
            rets.append(r.line)
            if s.api == "kmap" and unparen(t) == page_alias(s.page):
                page_rets.append(r.line)
    # Through a parameter the caller gets it; through a local pointer it
    # goes wherever that points (an array the function filled, kept in a
    # structure).
    params = ctx.params.get(fkey, set())
    outparams = [(l, line) for (l, line) in stores
                 if lhs_kind(l) == "through a pointer" and
                 store_root(l) in params]
    shared = [(l, line) for (l, line) in stores
              if (l, line) not in outparams]
    # kmap(bh->b_page) ... *bhp = bh: what holds the mapped page goes to
    # the caller, who unmaps it (a get/put helper pair).
    holder = store_root(page_alias(s.page)) if s.api == "kmap" else None
    page_handed = ["of %s's page handed to the caller through %s "
                   "(line %d)" % (holder, norm(a.lhs), a.at.line)
                   for a in group.assign
                   if holder and a.fn == fkey and a.at.line > s.line and
                   lhs_kind(a.lhs) == "through a pointer" and
                   norm(a.rhs) == holder]

    # Deferred work: the address itself, or a structure it was stored
    # in, handed to something that runs in another context.
    deferred = []
    if s.arg_of and DEFERRED_WORK_RE.match(s.arg_of):
        deferred.append("address passed to %s() (line %d)" %
                        (s.arg_of, s.line))
    for c in ctx.defers.get(fkey, []):
        if c.line < s.line:
            continue
        if names and mentions(c.args, names):
            deferred.append("address handed to %s() (line %d)" %
                            (c.callee, c.line))
        elif roots & idents(c.args):
            lhs, sl = stores[0]
            deferred.append("address stored in %s (line %d), which "
                            "is handed to %s() (line %d)" %
                            (norm(lhs), sl, c.callee, c.line))
    deferred += escapes_through_callees(group, s, ctx, nest)

    helpers = split_pair_helpers(s, stores, ctx.helpers)

    def helper_text():
        return ", ".join("%s() (%s:%d)" % (h.function, h.file, h.line)
                         for h in helpers[:3])

    # Neither shown local nor shown to leave: a human reads the callee.
    if unm and shared and not deferred:
        nest += handed_in_structure(group, s, ctx, shared, max(unm))
    macro = group.src.macro_at(s.file, s.line) \
        if s.function == NOT_A_FUNCTION else None
    if API_FUNCTION_RE.match(s.function):
        cross.append("part of the mapping API: %s() hands out the "
                     "mapping it makes; its callers are the sites" %
                     s.function)
    elif macro:
        nest.append("in the body of the macro %s (#define at line %d), "
                    "not of a function: each use of the macro maps, and "
                    "is a site of its own" % macro)
    elif deferred and (s.api == "kmap" or unm):
        cross += deferred
    elif unm and (in_variable := [
            (l, line) for (l, line) in shared
            if IDENT_RE.match(norm(l)) or ctx.definitions.file_scope(
                s.file, store_root(norm(l)),
                ctx.definitions.body(s.file, s.function) or "")]):
        # Unmapped here, but stored where it is no local (those are
        # followed, not stored): a global or a static, or a part of one
        # (g->buf through a global pointer), which another thread can
        # read while the page is mapped, and only a kmap() address means
        # the same there.
        lhs, line = in_variable[0]
        where = "a global or static variable" if IDENT_RE.match(norm(lhs)) \
            else "reached through %s, a global or static variable" % \
            store_root(norm(lhs))
        cross.append("address stored in %s (line %d), %s other threads can "
                     "read while the page is mapped" % (norm(lhs), line,
                                                         where))
    elif not unm:
        handed = [returned(l, l in page_rets, " to the caller")
                  for l in rets]
        handed += ["handed to the caller through %s (line %d)" %
                   (norm(l), line) for (l, line) in outparams]
        where = ", ".join(handed)
        if s.api == "kmap" and shared and not rets:
            cross.append("address stored in %s (line %d), unmapped "
                         "in another function" %
                         (norm(shared[0][0]), shared[0][1]))
        elif s.api == "kmap" and s.key in group.bare and helpers and \
                not handed:
            # kmap(page); alone, unmapped by another function: the
            # mapping is for code that finds the page's address later,
            # through page_address() (or another kmap() of the page),
            # which a local mapping, being one thread's, cannot serve.
            cross.append("the address kmap() returns is discarded and "
                         "the page is unmapped by another function (%s): "
                         "meanwhile other code reaches it through "
                         "page_address() or another kmap(), which only a "
                         "kmap() mapping serves" % helper_text())
        elif alias_unmaps(group, s):
            u, a = alias_unmaps(group, s)[0]
            nest.append("unmapped through an alias: %s(%s) at line %d, "
                        "%s = %s at line %d; the script does not pair them, "
                        "so neither their order nor every path is shown" %
                        (u.unmap_fn, tidy(u.arg), u.line, tidy(a.lhs),
                         tidy(a.rhs), a.at.line))
        elif s.next_handle_unmap is not None:
            # Two maps of one handle and one unmap for both (maps on two
            # paths that join, or the same page mapped twice).
            line = s.next_handle_unmap
            nest.append("the unmap at line %d releases this mapping and "
                        "pairs with a later map of the same %s: the maps "
                        "and the unmap convert together or not at all"
                        % (line, "page" if s.api == "kmap" else "address"))
        elif helpers:
            nest.append("map/unmap split across helper functions: "
                        "mapping %s; unmapped by %s" %
                        (where or "left live when the function "
                         "returns", helper_text()))
        elif s.api == "kmap" and (unseen := unseen_headers(group, s)):
            # spatch was given the file alone (make coccicheck): the
            # helper that unmaps may be in a header it did not read.
            nest.append("mapping %s, and no unmap here nor a function "
                        "in this file that the script takes for its unmap "
                        "helper; its local headers (%s) were not analysed "
                        "with it, so whether one unmaps it is not known"
                        % (where or "outlives the function",
                           ", ".join(unseen)))
        elif s.api == "kmap":
            # (An unmap helper is a function that unmaps what a parameter
            # names; one that unmaps a page it looks up is not taken for
            # one, so this does not say there is none.)
            cross.append("mapping %s, and no unmap here nor a function "
                         "in this file or its local headers that the "
                         "script takes for its unmap helper%s: nothing "
                         "shows that the mapping thread unmaps it" %
                         (where or "outlives the function",
                          unpaired_unmappers(group, s)))
        else:
            # (An unmap of it may come before the map: it releases an
            # earlier call's mapping, told apart below.)
            nest.append("map/unmap split across functions: no "
                        "kunmap_atomic() of this address after this map "
                        "in %s()" % s.function)
    else:
        for (l, line) in shared:
            reasons.append("address stored in %s (line %d), unmapped "
                           "in the same function" % (norm(l), line))
        if s.fuzzy:
            reasons.append("unmap at line %s takes the page spelled "
                           "differently" % unm[-1])

    if not cross and unm:
        last = max(unm)
        if s.api == "kmap_atomic":
            nest += atomic_dependencies(group, s, ctx, last,
                                        region_start(s, ctx))
        else:
            nest += given_through_pointer(group, s, ctx, last)
            nest += reaches_past_page(group, s, ctx, last) or \
                entry_past_page(group, s)
            nest += reaches_before_page(group, s, ctx, last)
            nest += offset_from_caller(group, s, ctx, last)
            nest += needs_linear_address(s, ctx, last)
        nest += unmap_address_moved(group, s)
        nest += lifo_violations(group, s, ctx)
    nest += loop_without_unmap(s, ctx, cross)

    # An unmap of this handle with no map before it releases a mapping
    # made elsewhere (a caller's, or this map's on an earlier pass of a
    # loop): renaming this map alone would leave that unmap unmatched.
    if not cross and s.orphan_unmaps:
        nest.append(orphan_unmap(s, ctx))

    handed_on = False
    s.provable = []
    if not cross and unm:
        found, handed_on, s.provable = leaking_paths(
            group, s, rets, outparams + shared, page_handed, page_rets,
            helper_text() if helpers else None)
        nest += found
        s.handed = given_before_return(group, s, ctx,
                                       group.leak_lines(s.key))
    if handed_on:
        reasons = [r for r in reasons
                   if not r.endswith("unmapped in the same function")]
    s.unproven = []
    verdict = ctx.verdicts.get(fkey + (s.line,)) if s.provable else None
    if verdict:
        # kmap-audit followed the paths in the unchanged code: its word
        # replaces the script's guess, and nothing is left to prove.
        nest = [r for r in nest if r not in s.provable]
        said = verdict.reason(s.function)
        if verdict.outcome == PATHS_PROVED:
            reasons.append(said)
        elif verdict.outcome == PATHS_REFUTED:
            nest.append(said)
        else:
            nest += s.provable + [said]
        s.provable = []
    rest = [r for r in nest if r not in s.provable]
    s.candidate = bool(s.provable) and not cross and \
        len(rest) <= s.fixable and not s.retry
    if s.candidate and ctx.proving(s.fkey):
        # Only paths stand between this site and a rewrite, and
        # kmap-audit will follow every one of them in the rewritten
        # file: the verdict assumes it finds them unmapped, and the
        # record says what is left to prove.
        s.unproven = s.provable
        nest = rest
    s.nest = len(nest)
    if cross:
        return CROSS_THREAD, cross + reasons
    if nest:
        return NESTING_SENSITIVE, nest + reasons
    if s.loop_unmaps:
        reasons.append("a rolling remap: the unmap at line %d releases "
                       "this map's mapping of the previous pass of the "
                       "loop" % s.loop_unmaps[0])
    reasons.insert(0, "mapped and unmapped in %s() (unmap at line "
                   "%s)%s" % (s.function, ", ".join(map(str, unm)),
                              "" if reasons else
                              "; address used only locally"))
    return THREAD_LOCAL, reasons + s.pointer_reasons


def unseen_headers(group, s):
    """The local headers of the site's file that spatch was not given
    with it (make convert groups them; make coccicheck does not)."""
    return [h for h in local_headers("", s.file)
            if h not in group.files]


def alias_unmaps(group, s):
    """[(unmap, assignment)]: an unmap later in the function of a
    variable assigned what the map's unmap would take: the mapped page
    for kmap() (x = pages[i] for kmap(pages[i])), the stored address
    for kmap_atomic() (x = s->buf for s->buf = kmap_atomic(p))."""
    if s.api == "kmap":
        unmap_fn, held = "kunmap", {page_alias(s.page)}
    else:
        unmap_fn = "kunmap_atomic"
        held = set(s.names) | ({norm(s.store[0])} if s.store else set())
    found = []
    for u in group.unmaps:
        if u.fn != s.fkey or u.line <= s.line or u.unmap_fn != unmap_fn:
            continue
        for a in group.assign + group.lassign:
            if a.fn == s.fkey and a.at.line < u.line and \
               (s.api == "kmap" or a.at.line >= s.line) and \
               norm(a.lhs) == norm(u.arg) and norm(a.rhs) in held:
                found.append((u, a))
                break
    return found


def split_pair_helpers(s, stores, helpers):
    """The other half of a split pair: helpers unmapping the same kind of
    lvalue (the page for kunmap(), the stored address for the others)."""
    want = set([shape(page_alias(s.page))] if s.api == "kmap" else
               [shape(l) for (l, _line) in stores] +
               [shape(n) for n in s.names])
    # Parked in a field of a structure the caller passed in: a helper
    # that unmaps through a field of its structure argument is the other
    # half.
    if any(shape(l).startswith("ROOT->") for (l, _line) in stores):
        want.add("ROOT->*")
    # (The site's own function is no other half: one that unmaps, on its
    # next call, what its last call left mapped is told as such.)
    return [h for h in helpers if
            (h.arg_shape in want or ("ROOT->*" in want and
                                     h.arg_shape.startswith("ROOT->"))) and
            (h.unmap_fn == "kunmap") == (s.api == "kmap") and
            (h.file, h.function) != (s.file, s.function)]


def region_start(s, ctx):
    """The first line the mapping of s may be live on: the map, or the
    top of its loop when an unmap there releases the previous pass's
    mapping."""
    loop = enclosing_loop(ctx.loops, s)
    return loop[0] if s.loop_unmaps and loop else s.line


def atomic_dependencies(group, s, ctx, last, start):
    """kmap_atomic() disabled pagefaults and preemption; code in the
    region (lines start to last) that needs either breaks silently under
    kmap_local.  Sets the guards the rewrite can add and the retry
    idiom; round a loop (a rolling remap) no guard is added: the region
    is not one block.  A call only made when the address is NULL
    (addr ? f(addr) : g(addr)) is not in the region."""
    nest = []
    params = ctx.params.get(s.fkey, set())
    pointer_names = params | ctx.definitions.variables(*s.fkey)
    lines = group.src.of(s.file)
    resolved = {}       # parameter -> (its functions, lines called at)
    for c in ctx.calls.get(s.fkey, []):
        if not start <= c.line <= last or \
           in_null_arm(lines, c.line, c.callee, s.names):
            continue
        callees = [(c.callee, "")]
        if through_pointer(c.callee, pointer_names):
            param = unparen(norm(c.callee)).lstrip("*").strip()
            # (A function that disables pagefaults or preemption itself
            # elsewhere, as another configuration's branch may, means
            # the region to run with them off whatever the callee.)
            found = ctx.pointer_targets(s.file, s.function, param) \
                if param in params and not disables_itself(ctx, s) \
                else None
            if not found:
                if param in params and param not in s.pointer_params:
                    s.pointer_params.append(param)
                nest.append("calls through a function pointer in the "
                            "kmap_atomic() region: %s at line %d; whether "
                            "the callee relies on the pagefault or "
                            "preemption disable of kmap_atomic() is not "
                            "known" % (re.sub(r"\(\*\s+", "(*",
                                              tidy(c.callee)), c.line))
                continue
            callees = [(t, " (called through %s)" % param) for t in found]
        before = len(nest)
        for callee, through in callees:
            nest += callee_dependency(s, ctx, c, callee, through)
        if through and len(nest) == before:
            resolved.setdefault(param, (found, []))[1].append(c.line)
    for param, (found, at) in resolved.items():
        s.pointer_reasons.append(POINTER_REASON % (
            param, "line%s %s" % ("s" if len(set(at)) > 1 else "",
                                  ", ".join(map(str, sorted(set(at))))),
            " or ".join("%s()" % t for t in found), s.function,
            "it" if len(found) == 1 else "one of them",
            "it does not rely" if len(found) == 1 else "none relies"))
    nest += disabled_in_other_arm(group, s, ctx)
    if s.loop_unmaps and any(DEPENDENCY_REASON_RE.match(r) for r in nest):
        nest.append("rolling remap: the mapping is live round the loop, "
                    "from the map back to the unmap at line %d; no one "
                    "region of explicit disables encloses it"
                    % s.loop_unmaps[0])
    return nest


def disables_itself(ctx, s):
    """Whether the site's function calls pagefault_disable() or
    preempt_disable() itself."""
    return any(unparen(norm(c.callee)) in ("pagefault_disable",
                                           "preempt_disable")
               for c in ctx.calls.get(s.fkey, []))


# The explicit disables a function may wrap a call in, by the kind of
# dependency they meet.
EXPLICIT_DISABLES = {"pagefault": ("pagefault_disable", "pagefault_enable"),
                     "preempt": ("preempt_disable", "preempt_enable")}


# Calls that test the context rather than run in it: in_atomic() is true
# in a kmap_atomic() region (preemption is off).
CONTEXT_TESTS = ("in_atomic",)


def disabled_elsewhere(ctx, s, c, callee):
    """(kind, why) when the site's function calls callee elsewhere
    between an explicit disable and its enable (as another
    configuration's #if branch may, around the same code): its author
    wanted that call made with pagefaults or preemption off, which the
    call at c got from kmap_atomic(); None otherwise."""
    calls = ctx.calls.get(s.fkey, [])
    named = [(unparen(norm(x.callee)), x.line) for x in calls]
    for kind, (off, on) in sorted(EXPLICIT_DISABLES.items()):
        offs = sorted(line for name, line in named if name == off)
        ons = sorted(line for name, line in named if name == on)
        for name, line in named:
            if name != callee or line == c.line:
                continue
            before = [n for n in offs if n < line]
            after = [n for n in ons if before and n > before[-1]]
            if after and after[0] > line:
                return kind, DISABLED_AROUND_CALL % (
                    line, off, before[-1], on, after[0])
    return None


def disabled_in_other_arm(group, s, ctx):
    """The reasons a kmap_atomic() region relies on an explicit disable
    that another arm of an #if makes where this arm maps (#ifdef
    CONFIG_64BIT pagefault_disable(); ... #else kmap_atomic(); #endif,
    the code after it shared): the author wanted that code run with
    pagefaults or preemption off, which this arm had from
    kmap_atomic().  Sets the site's guards."""
    text = "\n".join(group.src.of(s.file))
    nest = []
    for kind, (off, _on) in sorted(EXPLICIT_DISABLES.items()):
        for c in ctx.calls.get(s.fkey, []):
            if unparen(norm(c.callee)) != off or kind in s.guards:
                continue
            start = other_arm(text, c.line, s.line)
            if start is None:
                continue
            nest.append(DEPENDENCY_REASON % (
                MAY_RELY, kind, off, c.line,
                DISABLED_IN_OTHER_ARM % (start, s.line)))
            if not s.loop_unmaps:
                s.guards.add(kind)
                s.fixable += 1
            break
    return nest


def callee_dependency(s, ctx, c, callee, through):
    """The reasons the call c, of callee, gives a site of a kmap_atomic()
    region (as atomic_dependencies() says; through: how the code names
    it when it calls through a pointer); sets the site's guards and
    retry idiom."""
    kind, why, verb = dependency(callee), through, RELIES
    if kind == "pagefault" and ITER_COPY_RE.search(callee):
        why, verb = through + ITER_COPY_WHY, MAY_RELY
    if kind is None and CACHE_BY_ADDRESS_RE.search(callee) and any(
            mentions(a, s.names) for a in split_top(norm(c.args))):
        kind, why, verb = "preempt", through + CACHE_BY_ADDRESS_WHY, MAY_RELY
    deep = None
    # (From the map's line on: make convert's reduced views keep the
    # functions called there, not those of a loop's head.)
    if kind is None and callee != s.function and c.line >= s.line:
        through_one = first_pointer_call(ctx.definitions, s.file, callee)
        if through_one:
            inner, pointer = through_one
            return ["calls through a function pointer in the kmap_atomic() "
                    "region: %s() at line %d%s calls %s%s through a "
                    "function pointer; whether the callee relies on the "
                    "pagefault or preemption disable of kmap_atomic() is "
                    "not known" % (callee, c.line, through,
                                   "%s, which calls " % chain(inner[1:])
                                   if inner[1:] else "", pointer)]
        deep = first_reliance(ctx.definitions, s.file, callee, dependency)
    if deep:
        inner, call, kind = deep
        why = through + ", which calls " + chain(inner[1:] + [call])
        if kind == "pagefault" and ITER_COPY_RE.search(call):
            why, verb = why + ": it" + ITER_COPY_WHY, MAY_RELY
    if kind is None:
        found = disabled_elsewhere(ctx, s, c, callee)
        if found:
            kind, why, verb = found[0], through + found[1], MAY_RELY
    if kind is None:
        return []
    if kind == "atomic" and (call if deep else callee) in CONTEXT_TESTS:
        return ["relies on the atomic context of kmap_atomic(): %s() at "
                "line %d%s %s it, and is false in a kmap_local_page() "
                "region unless something else disables preemption"
                % (callee, c.line, through, "calls %s, which tests"
                   % chain(inner[1:] + [call]) if deep else "tests")]
    if kind == "atomic":
        return ["relies on the atomic context of kmap_atomic(): %s() at "
                "line %d%s %s by its name that it runs atomic"
                % (callee, c.line, through, "calls %s, which says"
                   % chain(inner[1:] + [call]) if deep else "says")]
    nest = [DEPENDENCY_REASON % (verb, kind, callee, c.line, why)]
    if s.loop_unmaps:
        return nest
    s.guards.add(kind)
    s.fixable += 1
    if "inatomic" in callee:
        for o in ctx.fsites[s.fkey]:
            if o.api == "kmap":
                nest.append("retry idiom: falls back to kmap() at line %d"
                            % o.line)
                s.retry = True
                o.retry_of = s.line
                break
    return nest


def unmap_address_moved(group, s):
    """An unmap of the address (kunmap_atomic(), kunmap_local()) that
    computes it from a variable changed after the map, besides the one
    holding it (kunmap_atomic(addr - sg->offset - offset) after offset +=
    len): the address may be outside the mapped page.  The code has that
    bug with the current call too; renaming it would carry it over."""
    if s.api == "kmap":
        return []
    for u in s.unmap_calls:
        if u.unmap_fn == "kunmap" or norm(u.arg) in s.names:
            continue
        others = root_idents(u.arg) - set(s.names)
        moved = sorted((r.line, r.name) for r in group.changes(
            s.fkey, others, s.line, u.line, site=s)
            if not reassigned_same(group, s, r.name, r.line))
        if moved:
            return ["the unmap at line %d computes its address from %s, "
                    "changed at line %d after the map: the address may "
                    "not be in the mapped page (with the current call "
                    "too)" % (u.line, moved[0][1], moved[0][0])]
    return []


def reassigned_same(group, s, name, line):
    """The change of name at line assigns it again what it held at the
    map (sg = scsi_sglist(cmd); twice), from variables unchanged since."""
    mine = [a for a in group.lassign if a.fn == s.fkey and
            norm(a.lhs) == name]
    before = [a for a in mine if a.at.line < s.line]
    again = [a for a in mine if a.at.line == line]
    if not before or not again:
        return False
    value = norm(max(before, key=lambda a: a.at.line).rhs)
    if norm(again[0].rhs) != value:
        return False
    return not group.changes(s.fkey, root_idents(value), s.line, line)


def given_through_pointer(group, s, ctx, last):
    """A kmap() region may sleep, so a callee given the address may hand
    it to another thread and wait (a kthread, a DMA engine: a kmap()
    address is valid on every CPU, a local one only in this thread).
    A callee named in the code can be read; one called through a
    function pointer cannot: the site is left to a human.  The region
    and the call cited are reaching_calls()'."""
    pointer_names = ctx.params.get(s.fkey, set()) | \
        ctx.definitions.variables(*s.fkey)
    hits = reaching_calls(
        group, s, ctx, lambda c: s.line <= c.line <= last,
        lambda c: through_pointer(c.callee, pointer_names) and any(
            ptr_base(a) in s.names for a in split_top(norm(c.args))))
    if not hits:
        return []
    # The first call the address still holds the mapping at.
    c = min(hits, key=lambda h: (not h[1], h[2], h[0].line))[0]
    return ["the address is given to a call through a function pointer, "
            "%s at line %d: whether the callee keeps it in this thread is "
            "not known" % (re.sub(r"\(\*\s+", "(*", tidy(c.callee)),
                           c.line)]


def reaching_calls(group, s, ctx, ahead, given):
    """[(call, held, back)]: the calls given(call) the address of s that
    the mapping may be live at: those ahead(call) (after the map) and,
    when the mapping survives a pass of the loop it is made in (an unmap
    of it outside the rest of that pass), the loop's calls before the
    map (back: the next pass).  held: no name of the address may hold
    another value there (c = other after the map), so the call is given
    the mapping itself."""
    loop = enclosing_loop(ctx.loops, s)
    if loop and not any(u < s.line or u > loop[1] for u in s.unmaps):
        loop = None
    hits = []
    for c in ctx.calls.get(s.fkey, []):
        back = not ahead(c)
        if back and not (loop and loop[0] <= c.line < s.line) or \
           not given(c):
            continue
        if back:
            moved = overwritten(group, s, s.line, loop[1] + 1) or \
                overwritten(group, s, loop[0] - 1, c.line)
        else:
            moved = overwritten(group, s, s.line, c.line)
        hits.append((c, not moved, back))
    return hits


def overwritten(group, s, after, before):
    """Whether one of the names holding s's address is given a value not
    computed from itself (c = other, not c += len) on a line after <
    line < before."""
    return any(a.fn == s.fkey and after < a.at.line < before and
               norm(a.lhs) in s.names and
               norm(a.lhs) not in root_idents(a.rhs)
               for a in group.lassign)


# A size of more than one page: an allocation order's, a compound page's
# or folio's, a page count's.
MULTI_PAGE_RE = re.compile(
    r"\bPAGE_SIZE\s*(\*|<<)|(\*|<<)\s*\(?\s*PAGE_SIZE\b|<<\s*PAGE_SHIFT\b|"
    r"\b(page_size|folio_size|thp_size|compound_nr|folio_nr_pages|"
    r"compound_order|folio_order)\s*\(|\bHPAGE_\w*SIZE\b|\border\b")

# Copies through an address, and the position of their length.
COPY_LENGTH_ARG = dict(
    [(f, 2) for f in ("memcpy", "memmove", "memset", "memcmp",
                      "memcpy_toio", "memcpy_fromio", "memset_io",
                      "copy_from_user", "copy_to_user", "__copy_from_user",
                      "__copy_to_user", "copy_from_user_inatomic",
                      "__copy_from_user_inatomic", "__copy_to_user_inatomic")]
    + [("clear_user", 1), ("__clear_user", 1)])

# Why a copy past the mapped page keeps kmap().
PAST_THE_PAGE = ("kmap() of a lowmem page reaches the pages after it "
                 "through the linear map, a local mapping of it under "
                 "DEBUG_KMAP_LOCAL_FORCE_MAP only the one page it maps")


def reaches_past_page(group, s, ctx, last):
    """kmap() of a lowmem page returns its linear address, from which a
    copy may run on into the pages after it (a compound page, a higher
    order allocation); a local mapping of it maps the one page
    (DEBUG_KMAP_LOCAL_FORCE_MAP).  A copy given the
    address and a length of more than one page (or made of a local set
    to one) is such a copy."""
    if not s.names:
        return []
    for c in ctx.calls.get(s.fkey, []):
        n = COPY_LENGTH_ARG.get(c.callee)
        if n is None or not s.line <= c.line <= last or \
                not mentions(c.args, s.names):
            continue
        args = split_top(c.args)
        if n >= len(args):
            continue
        raw = args[n]
        a = norm(raw)
        if mentions(a, s.names) or bounded(a, "0"):
            continue
        size, why = a, ""
        for name in sorted(idents(a)):
            x = last_set(group, s.fkey, name, c.line)
            if x:
                if MULTI_PAGE_RE.search(norm(x.rhs)):
                    size = norm(x.rhs)
                    why = " (%s = %s, line %d)" % (name, tidy(x.rhs),
                                                   x.at.line)
                    break
        if MULTI_PAGE_RE.search(size):
            return ["%s() at line %d is given the address and %s%s, "
                    "which can be more than one page: %s" % (
                        tidy(c.callee), c.line, " ".join(raw.split()), why,
                        PAST_THE_PAGE)]
    return []


def last_set(group, fkey, name, before):
    """The last assignment to the local name in the function on a line
    before the line before, or None."""
    earlier = [a for a in group.lassign if a.fn == fkey and
               norm(a.lhs) == name and a.at.line < before]
    return max(earlier, key=lambda a: (a.at.line, a.at.column),
               default=None)


# The page of a scatterlist or bio_vec entry: the entry's data (its
# offset, its length) may run on into the physically contiguous pages
# after it.
ENTRY_PAGE_RE = re.compile(r"\bsg_page\s*\(|\bbv_page\b")


def entry_past_page(group, s):
    """kmap() of an entry's first page serves the whole entry through the
    linear map when its pages are lowmem; a local mapping maps the one
    page.  Nothing short of a length the code bounds by the page shows
    that the entry stays in it, so such a site is left to a human: the
    page spelled as the entry's, or a local set to it before the map."""
    if not s.page:
        return []
    page = norm(s.page)
    where = ""
    if not ENTRY_PAGE_RE.search(page):
        a = last_set(group, s.fkey, page, s.line + 1)
        if not a or not ENTRY_PAGE_RE.search(norm(a.rhs)):
            return []
        where = " (%s = %s, line %d)" % (page, tidy(a.rhs), a.at.line)
    return ["kmap() maps %s%s, the first page of a scatterlist or bio_vec "
            "entry, whose data may run past it into the pages that follow: "
            "%s" % (tidy(s.page), where, PAST_THE_PAGE)]


def call_arguments(s, ctx, last):
    """[(line, "f()", argument)] of the calls of the mapped region."""
    return [(c.line, "%s()" % tidy(c.callee), a)
            for c in ctx.calls.get(s.fkey, []) if s.line <= c.line <= last
            for a in split_top(c.args)]


def reaches_before_page(group, s, ctx, last):
    """The address less an amount the code does not bound, given to a
    call or kept in a local: below the page kmap() of a lowmem page still
    reads the linear map (some other page), below a local mapping of it
    (DEBUG_KMAP_LOCAL_FORCE_MAP) is another mapping's slot or none."""
    if not s.names:
        return []
    back = re.compile(r"(?<![\w>.])(%s)-(?![->\d])" %
                      "|".join(map(re.escape, sorted(s.names))))
    used = call_arguments(s, ctx, last)
    used += [(a.at.line, "%s =" % tidy(a.lhs), a.rhs)
             for a in group.lassign if a.fn == s.fkey and
             s.line < a.at.line <= last]
    for line, what, expr in sorted(used):
        e = unparen(norm(expr))
        m = back.match(e)
        # (a difference of two pointers into the mapping is a length)
        if m and not mentions(e[m.end():], s.names):
            return ["%s at line %d is given %s: nothing here shows that the "
                    "address less that amount stays in the mapped page; "
                    "%s" % (what, line, tidy(expr),
                            BEFORE_THE_PAGE)]
    return []


# An offset kept in the page, the whole expression (white space removed,
# outer parentheses dropped): 0, offset_in_page(x), x & ~PAGE_MASK,
# x & (PAGE_SIZE - 1), x % PAGE_SIZE, with x a plain lvalue.  (Only the
# whole: offset_in_page(x) + 4096 or max(offset_in_page(x), y) is not in
# the page, nor is x & PAGE_MASK, the page's base.)
_OPERAND = r"\(?[\w.>\[\]-]+\)?"
IN_PAGE_RE = re.compile(
    r"^(?:0|offset_in_(?:page|folio)\((?:[^()]|\([^()]*\))*\)|"
    r"%s&~PAGE_MASK|%s&\(PAGE_SIZE-1\)|%s%%PAGE_SIZE)$"
    % (_OPERAND, _OPERAND, _OPERAND))


def in_page(expr):
    return IN_PAGE_RE.match(unparen(norm(expr))) is not None


def offset_from_caller(group, s, ctx, last):
    """kmap() of a page the caller gives, reached at an offset the caller
    gives too (csum(kaddr + offset, len) in f(page, offset, len)): a
    caller may hand a compound page with an offset past its first page,
    which kmap() of a lowmem page reaches through the linear map and a
    local mapping of it (DEBUG_KMAP_LOCAL_FORCE_MAP) does not.  Nothing
    in the function bounds it, so the callers decide.  The accesses
    looked for: a call given the address at such an offset, a local set
    to it and then used for more than pointer arithmetic, and an element
    of the address at such an index."""
    if s.api != "kmap" or not s.names or not s.page:
        return []
    params = ctx.params.get(s.fkey, set())
    page = store_root(page_alias(s.page))
    if page not in params:
        return []
    names = "|".join(map(re.escape, sorted(s.names)))
    ahead = re.compile(r"(?<![\w>.])(%s)\+" % names)
    lines = group.src.of(s.file)
    region = strip_comments("\n".join(lines[s.line - 1:last]))
    # A call given the address at that offset reads or writes there (a
    # pointer computed and only compared or subtracted does not).
    # (line, how the access is told, the address it reaches, what the
    # reason shows of it)
    used = [(line, "%s at line %d is given" % (what, line), expr,
             tidy(expr))
            for line, what, expr in call_arguments(s, ctx, last)] + [
        (a.at.line, "%s is set at line %d to" % (tidy(a.lhs), a.at.line),
         a.rhs, tidy(a.rhs)) for a in group.lassign
        if a.fn == s.fkey and s.line < a.at.line <= last and
        ahead.match(unparen(norm(a.rhs))) and
        reads_through(region, norm(a.lhs))]
    index = re.compile(r"(?<![\w>.])(%s)\s*\[([^\]]*)\]" % names)
    for line in range(s.line, min(last, len(lines)) + 1):
        used += [(line, "%s is indexed at line %d by" % (m.group(1), line),
                  "%s + %s" % (m.group(1), m.group(2)), tidy(m.group(2)))
                 for m in index.finditer(strip_comments(lines[line - 1]))]
    for _line, what, expr, shown in sorted(used):
        e = unparen(norm(expr))
        m = ahead.search(e)
        if not m:
            continue
        given = sorted((idents(e[m.end():]) & params) - {page})
        if given and not in_page(e[m.end():]):
            return ["kmap() maps %s, which the caller gives, and %s %s, "
                    "at an offset the caller gives (%s): nothing here keeps "
                    "it within the page, and a caller may give a compound "
                    "page with an offset past its first page; %s" % (
                        tidy(s.page), what, shown, ", ".join(given),
                        PAST_THE_PAGE)]
    return []


def reads_through(region, name):
    """The pointer name, set in region, is used there for more than
    pointer arithmetic (a difference or a comparison): dereferenced,
    indexed, given to a call or stored on."""
    for m in re.finditer(r"(?<![\w.>])%s(?!\w)" % re.escape(name), region):
        before = region[:m.start()].rstrip()
        after = region[m.end():].lstrip()
        if after.startswith("=") and not after.startswith("=="):
            continue        # set again
        if after.startswith(("-", "<", ">", "==", "!=")) and \
                not after.startswith("->") or \
                before.endswith(("-", "<", ">", "==", "!=")) and \
                not before.endswith("->"):
            continue
        return True
    return False


BEFORE_THE_PAGE = ("below it, kmap() of a lowmem page reads the linear map, "
                   "a local mapping of it under DEBUG_KMAP_LOCAL_FORCE_MAP "
                   "another mapping's slot or none")


def needs_linear_address(s, ctx, last):
    """kmap() of a lowmem page returns its address in the linear map,
    which virt_to_page(), sg_set_buf() or dma_map_single() turn back
    into the page; a local mapping's address (of a lowmem page under
    DEBUG_KMAP_LOCAL_FORCE_MAP) is a temporary one they cannot.  Such a
    call in the region, or a named callee given the address whose
    definition beside the file does (ctx.linear_of); or one given the
    page that reads it through page_address(), which finds a highmem
    page's kmap() mapping and not a local one.  The named callees are
    kept in s.callees for make convert to read."""
    s.callees = []
    place = ("the page's place in the linear map, which kmap() of a lowmem "
             "page returns and a local mapping of it under "
             "DEBUG_KMAP_LOCAL_FORCE_MAP does not")
    page = unparen(norm(s.page)) if s.page else None
    for c in ctx.calls.get(s.fkey, []):
        if not s.line <= c.line <= last:
            continue
        callee = tidy(c.callee)
        args = split_top(c.args)
        given = [n for n, a in enumerate(args)
                 if s.names and ptr_base(norm(a)) in s.names]
        lent = [n for n, a in enumerate(args)
                if page and unparen(norm(a)) == page]
        if not given and not lent:
            continue
        if callee in LINEAR_ADDRESS_ARG:
            if LINEAR_ADDRESS_ARG[callee] in given:
                return ["%s() at line %d is given the address: it needs %s"
                        % (callee, c.line, place)]
            continue
        if not IDENT_RE.match(callee) or kept_transiently(callee):
            continue
        s.callees.append(callee)
        needs = ctx.linear_of(os.path.dirname(s.file)).get(callee, {})
        kinds = {needs[n] for n in given if n in needs}
        if LINEAR in kinds:
            return ["%s() at line %d is given the address, and its "
                    "definition beside this file turns it into a page or "
                    "a number (virt_to_page(), (uintptr_t), ...): it needs "
                    "%s" % (callee, c.line, place)]
        if KVEC in kinds:
            return ["%s() at line %d is given the address, and its "
                    "definition beside this file puts it in a kvec "
                    "(.iov_base), whose consumer may turn it back into "
                    "pages (MSG_SPLICE_PAGES, iov_iter_extract_pages(), a "
                    "scatterlist for encryption): it may need %s"
                    % (callee, c.line, place)]
        if any(needs.get(n) == PAGE for n in lent):
            return ["%s() at line %d is given the page, and its definition "
                    "beside this file reaches its contents with "
                    "page_address(), which finds the kmap() mapping of a "
                    "highmem page and not a local one (it is then NULL)"
                    % (callee, c.line)]
    return []


def through_pointer(callee, names):
    """The call's function is a pointer: an expression, or one of names,
    the parameters and variables where it is called (the calls rule also
    matches calls of function names)."""
    name = unparen(norm(callee))
    return not IDENT_RE.match(name) or name in names


IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")


def lifo_violations(group, s, ctx):
    """Strict LIFO: an earlier mapping still live here must be unmapped
    after this one on every path."""
    nest = []
    for o in ctx.fsites[s.fkey]:
        if o is s or not o.unmaps:
            continue
        first, second = (o, s) if o.line < s.line else (s, o)
        if first.line == second.line:
            continue
        if group.exclusive(o, (s.line, s.column - 1)) and \
                group.one_pass(s):
            continue    # one arm each of an if/else: never both live
        live = [u for u in first.unmaps if u > second.line]
        bads = []
        for ua in live:
            for ub in second.unmaps:
                if ub <= ua:
                    continue
                if not group.src.exits_between(s.file, ua, ub):
                    bads.append((ua, ub))
                    break
        loop = enclosing_loop(ctx.loops, first)
        if bads and loop and loop == enclosing_loop(ctx.loops, second) and \
                not (group.one_pass(first) and group.one_pass(second)):
            # Which mapping is newer after the loop depends on the
            # passes: no swap of the unmaps is right on every path.
            nest.append("overlaps the mapping at line %d, and the two are "
                        "remapped in turn in the loop at line %d: which one "
                        "is newer at the unmaps at lines %d and %d depends "
                        "on the passes, so no order of those unmaps is "
                        "shown to be LIFO" % (o.line, loop[0], bads[0][0],
                                              bads[0][1]))
        elif bads:
            s.swaps.append(Swap(first, second, bads))
            s.fixable += 1
            nest.append("overlaps the mapping at line %d; unmaps not in "
                        "reverse order (line %d unmaps the older one "
                        "before line %d unmaps the newer)" %
                        (o.line, bads[0][0], bads[0][1]))
    return nest


def enclosing_loop(loops, s):
    """(first, last) line of the innermost loop around site s, or None."""
    return max(((lp.first, lp.last) for lp in loops
                if lp.file == s.file and lp.first <= s.line <= lp.last),
               default=None)


def orphan_unmap(s, ctx):
    """The reason for an unmap of s's address with no map before it in
    the function: in s's loop, before s, it releases an earlier pass's
    mapping (a rolling remap) or one made before the loop, which the
    rewrite does not pair with s; elsewhere the mapping is a caller's."""
    u = s.orphan_unmaps[0]
    loop = enclosing_loop(ctx.loops, s)
    if loop and loop[0] <= u < s.line:
        return ("rolling remap: the unmap at line %d comes before this map "
                "in the loop at line %d: it releases an earlier pass's "
                "mapping or one made before the loop, which the script "
                "does not pair with this map" % (u, loop[0]))
    return ("map/unmap split across functions: the unmap at line %d "
            "releases this address with no map of it before, in %s()"
            % (u, s.function))


def loop_without_unmap(s, ctx, cross):
    """Maps in a loop need their unmap in the same iteration, or the
    per-task stack grows by one slot per iteration (KM_MAX_IDX)."""
    loop = enclosing_loop(ctx.loops, s)
    if cross or not loop:
        return []
    a, b = loop
    # An unmap of the same handle anywhere in the body counts: a rolling
    # remap unmaps the previous iteration's mapping first.
    if [u for u in s.handle_unmaps if a <= u <= b]:
        return []
    return ["mapped in the loop at line %d without an unmap in the same "
            "iteration: the mapping stack grows (KM_MAX_IDX)" % a]


# Ends the reason for a path that seems to leave the mapping live while
# nothing hands it on: a path the script cannot follow (a condition
# repeated, a pointer NULL unless mapped) or a real leak.  kmap-audit,
# which follows every path, decides between the two.
UNSEEN_UNMAP = "no unmap on it that this script sees"


# The reason each verdict gives the site (plan.SUGGEST picks the advice
# by these words).
PATH_VERDICT_REASONS = {
    PATHS_PROVED: "kmap-audit followed every path from this map in "
                  "%(function)s(), in the code as it is: each unmaps it "
                  "(the script alone could not show it)",
    PATHS_REFUTED: "kmap-audit finds a path that leaves it mapped in the "
                   "code as it is: %(detail)s",
    PATHS_UNCHECKED: "kmap-audit could not check %(function)s() "
                     "(%(detail)s): those paths are unproven",
}


@dataclass(frozen=True)
class PathVerdict:
    """kmap-audit's word on such paths of a site left unrewritten for
    other reasons (make convert asks it about the code as it is)."""
    outcome: str                # mapapi.PATHS_PROVED, ...
    detail: str = ""            # its leak, or why it could not check

    def reason(self, function):
        return PATH_VERDICT_REASONS[self.outcome] % dict(
            function=function, detail=self.detail)


def returned(line, page, whom=""):
    """How a return at line hands the mapping back: the address, or the
    mapped page (page), whose mapping callers reach by page_address()."""
    if page:
        return ("returned%s as its page (line %d), through which callers "
                "reach it with page_address()" % (whom, line))
    return "returned%s (line %d)" % (whom, line)


def line_list(lines):
    """"line 5", "lines 5 and 9", "lines 5, 7 and 9"."""
    if len(lines) == 1:
        return "line %d" % lines[0]
    return "lines %s and %d" % (", ".join(map(str, lines[:-1])), lines[-1])


def unmaps_before(group, s, r):
    """Lines of the unmaps of the function that could release the map's
    mapping (its own unmap function, or an unmap helper, recorded as the
    kunmap() it inlines) between the map and the return at line r."""
    unmap = UNMAP_OF.get(s.api)
    return sorted({u.line for u in group.unmaps + group.unmap_helper_calls
                   if u.fn == s.fkey and u.unmap_fn == unmap and
                   s.line < u.line < r})


def leaking_paths(group, s, rets, stores, page_handed=(), page_rets=(),
                  unmapped_by=None):
    """A path from the map to a return that never unmaps: with a local
    mapping the per-task stack is left unbalanced.  When the address also
    leaves the function (returned, or stored where the caller sees it, or
    the mapped page's holder given to the caller: page_handed) that path
    hands the mapping on on purpose: another function unmaps it, and an
    unmap added there would break it; page_rets: the returns that give
    back the mapped page itself.  (reasons, whether a path hands the
    mapping on, the reasons that are paths the script could not show
    unmapped: kmap-audit can follow them).

    Unmaps that lie between the map and such a return are named: the
    path may run one of them after all (a loop the script does not know
    runs, a condition it does not tie to the map, an address it does
    not tie to this mapping), and an unmap added where one runs would
    release the mapping twice.

    unmapped_by: the unmap helpers that take what the function hands
    out (helper_text()), when there are: a path that hands the mapping
    out then hands it to the caller of a get/put helper pair."""
    nest, provable = [], []
    handed_on = False
    stored = ["stored in %s (line %d)" % (norm(l), line)
              for (l, line) in stores] + list(page_handed)
    for r in group.leak_lines(s.key):
        handed = [returned(r, r in page_rets)] if r in rets else stored
        handed_on = handed_on or bool(handed)
        if handed and unmapped_by:
            nest.append("map/unmap split across helper functions: "
                        "mapping %s; unmapped by %s" % (
                            handed[0] if r in rets else
                            "%s, on the path returning at line %d" % (
                                handed[0], r), unmapped_by))
        elif handed:
            nest.append("map/unmap split across functions: the path "
                        "returning at line %d may leave it mapped, the "
                        "mapping %s where another function can unmap "
                        "it" % (r, handed[0]))
        else:
            passed = unmaps_before(group, s, r)
            reason = "the path returning at line %d may leave it mapped: %s" \
                % (r, UNSEEN_UNMAP)
            if passed:
                reason += (", though %s at %s %s before that return (under "
                           "a condition, in a loop, on another branch, or "
                           "of an address the script does not tie to this "
                           "mapping)" % (
                               "the unmaps" if len(passed) > 1 else
                               "the unmap", line_list(passed),
                               "lie" if len(passed) > 1 else "lies"))
            nest.append(reason)
            provable.append(reason)
    return nest, handed_on, provable


# Copies through an iov_iter: whether one faults depends on the kind of
# iterator, which the call does not show.
ITER_COPY = r"copy\w*_(from|to)_iter|^iov_iter_zero$|^iterate_and_advance"
ITER_COPY_RE = re.compile(ITER_COPY)

# The names dependency() looks at (per-CPU state, user copies, callees
# that say they run atomic).
DEP_RE = re.compile(
    r"_inatomic|^(raw_|__)?smp_processor_id$|^this_cpu_|^__this_cpu_|"
    r"^raw_cpu_|"
    r"^get_cpu_ptr$|^get_cpu_var$|^in_atomic$|^preemptible$|"
    r"^pagefault_disabled$|^faulthandler_disabled$|"
    r"^faults_disabled|_user$|_user_|^user_access_begin$|" + ITER_COPY +
    r"|_atomic$")

ITER_COPY_WHY = (" copies through an iov_iter: a user-backed one (ITER_UBUF, "
                 "ITER_IOVEC) can fault, a kernel one (kvec, bvec, pipe) "
                 "cannot")

# Cache maintenance by virtual address (flush_data_cache_page(),
# __flush_purge_region(), flush_dcache_range(), clflushopt(), ...): given
# the mapped address in a kmap_atomic() region it ran on the mapping CPU.
# Some architectures' caches are per CPU, some broadcast the operation
# to CPUs that do not map a local address, and some choose by
# in_atomic(): the region keeps preemption off.  Not the copies that
# flush as they go (memcpy_flushcache(): their stores reach memory), nor
# x86's CLFLUSH family, which acts on the whole coherence domain.
CACHE_BY_ADDRESS_RE = re.compile(
    r"^(?!_*(memcpy|copy)|\w*clflush)\w*"
    r"(flush|purge|inval|clean|wback|blast)\w*"
    r"(cache|_region|_range|_area|_page|_lines?|_poc|_pou)$|"
    r"^_*(dmac_\w+|dma_cache_\w+|cpuc_\w+|dma_sync\w*|"
    r"sync_icache\w*)$")
CACHE_BY_ADDRESS_WHY = (
    " " + CACHE_BY_ADDRESS + ", which kmap_atomic() kept on this CPU with "
    "preemption off (on PREEMPT_RT, migration); kmap_local_page() keeps "
    "only a highmem page's region there (migration off), a lowmem page's "
    "may move to another CPU; whether this architecture's cache "
    "maintenance needs that (a flush of this CPU's cache alone, one "
    "broadcast to CPUs that do not map a local address, one that chooses "
    "by in_atomic(), or one that ignores the address and flushes every "
    "CPU's cache) is not shown")


# User memory accesses: under kmap_atomic() they ran with pagefaults
# disabled (a fault made the copy short); they need the explicit
# pagefault_disable() to keep that.
USER_ACCESS_RE = re.compile(
    r"^(_*|raw_|unsafe_)(copy_(from|to)_user(_nofault|_inatomic)?|"
    r"get_user|put_user|clear_user)$|^strncpy_from_user(_nofault)?$|"
    r"^strnlen_user$|^user_access_begin$|^copy_mc_to_user$|"
    r"^_*copy\w*_(from|to)_iter(_\w+)?$|_and_copy_(from|to)_iter$|"
    r"^iov_iter_zero$|^iterate_and_advance\w*$")


def dependency(afn):
    """What a call in a kmap_atomic() region relies on: 'pagefault',
    'preempt', 'atomic' (its name says it runs atomic; no one explicit
    disable is known to be enough), or None (a mapping call, or a name
    that only looked like one, or no dependency at all)."""
    if not DEP_RE.search(afn) or "kmap" in afn or "kunmap" in afn:
        return None
    if "inatomic" in afn or "fault" in afn or USER_ACCESS_RE.search(afn):
        return "pagefault"
    if afn.endswith("_atomic"):
        return "atomic"
    if re.search(r"_user$|_user_", afn):
        return None
    return "preempt"


# Callees known to use what they are given only while they run, in the
# calling thread: the mapping API, memory and string helpers, printing,
# locks and checks.  Any other callee given a structure that holds a
# mapped address may queue it for another context: the site is left to a
# human (not rewritten, and not called cross-thread, which the script
# cannot show either).
TRANSIENT_RE = re.compile(
    r"^(k?un)?map\w*$|^kmap\w*$|^(mem|str)\w+$|^flush_dcache_\w+$|"
    r"^(pr|dev|netdev)_(emerg|alert|crit|err|warn|warning|notice|info|"
    r"dbg|debug)\w*$|^printk\w*$|^WARN\w*$|^BUG_ON$|^(un)?likely$|"
    r"^(min|max|clamp)\w*$|^(raw_)?spin_\w+$|^mutex_\w+$|"
    r"^(READ|WRITE)_ONCE$|^sizeof$|^ARRAY_SIZE$|^(IS_ERR|PTR_ERR)\w*$")


def unpaired_unmappers(group, s):
    """The kunmap() calls of the site file's functions that map nothing
    themselves, which the script does not pair with its map (they unmap
    a page they find themselves): " (f() calls kunmap(x) at line N,
    ...)", or ""."""
    seen = [u for u in group.unmaps
            if u.fn[0] == s.file and not (group.fsites or {}).get(u.fn) and
            u.unmap_fn == "kunmap"]
    if not seen:
        return ""
    return " (%s, which it does not pair with this map)" % ", ".join(
        "%s() calls kunmap(%s) at line %d" % (u.fn[1], tidy(u.arg), u.line)
        for u in sorted(seen, key=lambda u: u.line)[:3])


def given_before_return(group, s, ctx, returns):
    """[(callee, line)]: the calls before the last of returns (the paths
    that may leave it mapped) that are given the address and are not
    known to use it only while they run: one of them may take the
    mapping on, for another function to unmap (reaching_calls()).  The
    last is the one to cite: the latest given the mapping itself on the
    pass that made it, when there is one."""
    if not returns or not s.names:
        return []
    hits = reaching_calls(
        group, s, ctx, lambda c: s.line < c.line < max(returns),
        lambda c: mentions(c.args, s.names) and
        not kept_transiently(c.callee))
    hits.sort(key=lambda h: (h[1], not h[2], h[0].line))
    return [(c.callee, c.line) for (c, _held, _back) in hits]


def escapes_through_callees(group, s, ctx, nest):
    """The calls after the map that give the address to a function of
    this file which hands it to deferred work (callees.escape()), as
    reasons; one that only keeps it in a variable outside any function
    adds a reason for a human to nest (the variable may hold it only
    while that function runs)."""
    found = []
    for c in ctx.calls.get(s.fkey, []):
        if c.line < s.line or c.callee == s.function or \
           not mentions(c.args, s.names):
            continue
        for i, a in enumerate(split_top(norm(c.args))):
            hit = escape(ctx.definitions, s.file, c.callee, i) \
                if ptr_base(a) in s.names else None
            if not hit:
                continue
            inner, (kind, what) = hit
            given = "address handed to %s() (line %d)%s, which " % (
                c.callee, c.line,
                ", which calls " + chain(inner[1:]) if inner[1:] else "")
            if kind == "deferred":
                found.append(given + "hands it to %s()" % what)
            elif kind == "stored, deferred":
                found.append(given + "stores it in %s and hands that to "
                             "%s()" % what)
            elif kind == "pointer":
                nest.append(given + "has it given to a call through a "
                            "function pointer, %s: whether the callee "
                            "keeps it in this thread is not known" % what)
            else:
                nest.append(given + "stores it in %s, a variable outside "
                            "any function: another thread may read it "
                            "there" % what)
            break
    return found


def kept_transiently(callee):
    """Whether a callee given a mapped address is known to use it only
    while it runs: the mapping API, memory, string and user copies,
    printing, locks and checks, cache maintenance by address."""
    return bool(TRANSIENT_RE.match(callee) or USER_ACCESS_RE.match(callee) or
                CACHE_BY_ADDRESS_RE.search(callee) or
                callee in PAGE_ADDRESS_CALLS)


# Calls that set an iterator up over a vector (iov_iter_kvec(&msg.msg_iter,
# dir, &iov, ...)): they keep the vector in the iterator, their first
# argument, and hand nothing on themselves; the call later given the
# iterator's structure is the one to read.
ITER_SETUP_RE = re.compile(r"^iov_iter_(kvec|bvec|init|ubuf|xarray)$")


def handed_in_structure(group, s, ctx, shared, last):
    """The calls between the store and the last unmap that are given the
    structure the address was stored in (or the one that contains it)
    and are not known to use it only in this thread."""
    first = min(line for (_l, line) in shared)
    holders = {}
    for (lhs, line) in shared:
        holders.setdefault(store_root(lhs), (lhs, line))
    for a in group.lassign:
        if a.fn == s.fkey and str(a.lhs) in holders:
            b = ptr_base(a.rhs)
            if b and b not in holders:
                holders[b] = holders[str(a.lhs)]
    via = {}    # holder -> how it came to hold the address
    found = []
    unfollowed = []     # iterators set up over a holder
    for c in sorted(ctx.calls.get(s.fkey, []), key=lambda c: c.line):
        if not first <= c.line <= last:
            continue
        args = split_top(norm(c.args))
        # a pointer built on the holder, or the address of the holder or
        # of a member of it (&data, &req->work)
        bases = [ptr_base(a) or (store_root(a) if a.startswith("&")
                                 else None) for a in args]
        if ITER_SETUP_RE.match(c.callee):
            held = [b for b in bases[1:] if b in holders]
            if held and bases and bases[0] and bases[0] not in holders:
                holders[bases[0]] = holders[held[0]]
                via[bases[0]] = ", which %s() puts in %s (line %d)" % (
                    c.callee, tidy(args[0]).lstrip("&").strip(), c.line)
                unfollowed.append(bases[0])
            continue
        if TRANSIENT_RE.match(c.callee) or DEFERRED_WORK_RE.match(c.callee):
            continue    # (deferred work is reported as such)
        for a, b in zip(args, bases):
            if b in holders:
                lhs, sl = holders[b]
                found.append(
                    "address stored in %s (line %d)%s; %s() is given %s "
                    "(line %d) and may hand it to another context (a "
                    "kthread, an interrupt handler): not shown to stay "
                    "in this thread" % (norm(lhs), sl, via.get(b, ""),
                                        c.callee, tidy(a), c.line))
                break
    if not found and unfollowed:
        # The iterator goes on by other means (stored in a structure,
        # returned): where is not followed.
        lhs, sl = holders[unfollowed[0]]
        found.append("address stored in %s (line %d)%s; where %s goes "
                     "from there is not followed: not shown to stay in "
                     "this thread" % (norm(lhs), sl, via[unfollowed[0]],
                                      unfollowed[0]))
    return found[:1]


def classify_group(group, paired, proving=None, verdicts=None,
                   linear_of=None, pointer_targets=None):
    """Classify every site of the group.  proving(fkey): whether the
    function's paths go to kmap-audit (see classify_site: s.unproven);
    verdicts: kmap-audit's word on the paths of sites it was not given
    to prove (Context.verdicts); linear_of, pointer_targets: Context's."""
    ctx = Context.of(group, paired, proving, verdicts, linear_of,
                     pointer_targets)
    for s in group.order:
        s.cls, s.reasons = classify_site(group, s, ctx)
