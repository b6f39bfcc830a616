# SPDX-License-Identifier: GPL-2.0-only
"""The planned edits of a group, keyed so that the patch rules can find
their calls again.

A file is re-parsed by spatch after each rule that changes it; neither
positions nor line numbers survive that.  A call is found again by its
function, its argument text and its rank among the calls of the same
family (maps, unmaps, page_address(), unmap helper calls) with that
argument: edits keep both the order of calls and, until a later stage
changes it on purpose, the argument.  Rewrites.current holds the calls of
the current version of the file, collected right before each edit.
"""

from dataclasses import dataclass, field
from typing import Dict, List, Set, Tuple

from .ctext import enclosing_if, norm

# The families of calls a stage collects.
MAPS, UNMAPS, PAGE_ADDRESSES, UNMAP_HELPER_CALLS = (
    "maps", "unmaps", "page addresses", "unmap helper calls")


@dataclass(frozen=True)
class CallKey:
    """A call by its function, its argument (normalised) and its rank
    among the calls there with that argument."""
    function: str
    arg: str
    rank: int


@dataclass(frozen=True)
class CallAt:
    """A call of a family in the current version of the file."""
    function: str
    arg: str
    at: Tuple[int, int]     # (line, 0-based column)


def rank_key(fn, text, here, calls):
    same = sorted(c.at for c in calls if c.function == fn and c.arg == text)
    return CallKey(fn, text, same.index(here) if here in same else -1)


def spatch_at(pos):
    """(line, 0-based column) of a Pos, as spatch gives positions."""
    return (pos.line, pos.column - 1)


@dataclass
class Rewrites:
    """The edits planned for the current group, by CallKey."""
    renamed_maps: Set[CallKey] = field(default_factory=set)
    # Renamed maps assigned twice (y = x = map(P);): checkpatch wants two
    # statements.
    split_chains: Set[CallKey] = field(default_factory=set)
    renamed_unmaps: Set[CallKey] = field(default_factory=set)
    unmap_args: Dict[CallKey, str] = field(default_factory=dict)
    page_addresses: Dict[CallKey, str] = field(default_factory=dict)
    new_variables: Dict[CallKey, str] = field(default_factory=dict)
    # kmap(page); v = page_address(page);: v = kmap_local_page(page);
    held_maps: Set[CallKey] = field(default_factory=set)
    # (family, key) -> 'pagefault' or 'preempt'
    guards: Dict[Tuple[str, CallKey], str] = field(default_factory=dict)
    copy_helpers: Dict[CallKey, str] = field(default_factory=dict)
    var_copy_helpers: Dict[CallKey, str] = field(default_factory=dict)
    declared_copy_helpers: Dict[CallKey, str] = field(default_factory=dict)
    copy_pairs: Dict[CallKey, bool] = field(default_factory=dict)
    # Renamed maps of a folio's first page -> the folio.
    folio_maps: Dict[CallKey, str] = field(default_factory=dict)
    # copy helpers in their folio form: the folio whose first page
    folio_copies: Dict[CallKey, str] = field(default_factory=dict)
    removed_decls: Set[Tuple[str, str]] = field(default_factory=set)
    # (function, condition) of the ifs whose block a copy helper may
    # leave with one statement: their braces go (ctext.enclosing_if).
    unbraced: Set[Tuple[str, str]] = field(default_factory=set)
    inlined_unmap_helpers: Dict[CallKey, str] = field(default_factory=dict)
    current: Dict[str, List[CallAt]] = field(default_factory=dict)

    def any_of(self, *kinds):
        return any(getattr(self, kind) for kind in kinds)

    def reset(self, family):
        self.current[family] = []

    def collect(self, family, function, arg, at):
        """Once per call, however often spatch asks."""
        call = CallAt(function, norm(str(arg)), at)
        if call not in self.current[family]:
            self.current[family].append(call)

    def key(self, family, function, arg, at):
        """The key of the call at `at` in the current version."""
        return rank_key(function, norm(str(arg)), at,
                        self.current.get(family, []))


def plan_edits(group, sites, pair_sites):
    """The Rewrites of the planned sites (Site.plan), keyed on the
    original file."""
    rw = Rewrites()
    maps = [CallAt(s.function, norm(s.page), spatch_at(s.key))
            for s in group.sites.values()]
    maps += [CallAt(m.fn[1], norm(m.page), spatch_at(m.at))
             for m in group.local_maps]
    unmaps = [CallAt(u.fn[1], norm(u.arg), spatch_at(u.at))
              for u in group.unmaps]
    pas = [CallAt(pa.fn[1], norm(pa.expr), spatch_at(pa.at))
           for pa in group.page_addr]
    hunmaps = [CallAt(u.fn[1], norm(u.arg), spatch_at(u.at))
               for u in group.unmap_helper_calls]
    harg = dict((u.at, norm(u.arg)) for u in group.unmap_helper_calls)
    uarg = dict((u.at, norm(u.arg)) for u in group.unmaps)
    pa_arg = dict((pa.at, norm(pa.expr)) for pa in group.page_addr)
    final = dict(uarg)
    for s in sites:
        if s.plan:
            for u, var in s.plan.unmap_arg.items():
                final[u] = norm(var)
    unmaps_final = [CallAt(u.fn[1], final[u.at], spatch_at(u.at))
                    for u in group.unmaps]
    for s in sites:
        plan = s.plan
        if plan is None:
            continue
        fn = s.function
        mkey = rank_key(fn, norm(s.page), spatch_at(s.key), maps)
        if plan.folio:
            rw.folio_maps[mkey] = plan.folio
        if plan.map:
            rw.renamed_maps.add(mkey)
            if s.key in group.chained:
                rw.split_chains.add(mkey)
        if plan.intro:
            rw.new_variables[mkey] = plan.intro
        if plan.map_at:
            rw.held_maps.add(mkey)
        if plan.helper:
            rw.copy_helpers[mkey] = plan.helper
        if plan.folio_copy:
            rw.folio_copies[mkey] = plan.folio_copy
        if plan.copy_pair_first:
            rw.copy_pairs[mkey] = True
            for x in pair_sites(s):
                rw.removed_decls.add((fn, x.var))
        if plan.helper or plan.copy_pair_first or plan.var_helper:
            cond = enclosing_if(group.src.of(s.file), s.line)
            if cond:
                rw.unbraced.add((fn, cond))
        if plan.var_helper and plan.var_helper[2]:
            rw.declared_copy_helpers[mkey] = plan.var_helper[0]
        elif plan.var_helper:
            rw.var_copy_helpers[mkey] = plan.var_helper[0]
            rw.removed_decls.add((fn, plan.var_helper[1]))
        for u in plan.unmap_rename:
            rw.renamed_unmaps.add(rank_key(fn, uarg[u], spatch_at(u),
                                           unmaps))
        for u, var in plan.unmap_arg.items():
            rw.unmap_args[rank_key(fn, uarg[u], spatch_at(u),
                                   unmaps)] = var
        for q, var in plan.page_address.items():
            rw.page_addresses[rank_key(fn, pa_arg[q], spatch_at(q),
                                       pas)] = var
        for u, var in plan.unmap_helper.items():
            rw.inlined_unmap_helpers[rank_key(fn, harg[u], spatch_at(u),
                                              hunmaps)] = var
        for guard in plan.guards:
            rw.guards[(MAPS, mkey)] = guard
            for u in s.unmap_calls:
                rw.guards[(UNMAPS, rank_key(fn, final[u.at],
                                            spatch_at(u.at),
                                            unmaps_final))] = guard
    return rw
