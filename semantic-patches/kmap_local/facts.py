# SPDX-License-Identifier: GPL-2.0-only
"""The facts the SmPL rules collect about one spatch group (a .c file and
the local headers it includes), as typed records.

The rules only record; classify.py and plan.py join the records of a
function, because a verdict needs several at once (which unmap belongs
to which map, textual order, helpers).  Lines are 1-based and columns
are reported 1-based like gcc's.
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from .callees import Definitions, returned_parameters
from .cargs import close_paren, split_top
from .ctext import (idents, mentions, ptr_base, strip_comments,
                    without_casts)
from .mapapi import POINTER_INTO_ARGUMENT

FnKey = Tuple[str, str]         # (file, function)


@dataclass(frozen=True, order=True)
class Pos:
    """Where a call is: file, line and 1-based column."""
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Assign:
    """lhs = rhs in a function with a map site."""
    fn: FnKey
    lhs: str
    rhs: str
    at: Pos


@dataclass(frozen=True)
class Derive:
    """dst is a pointer built on src (dst = src + off, (T *)src, ...)."""
    fn: FnKey
    src: str
    dst: str
    line: int


@dataclass(frozen=True)
class Store:
    """A pointer built on the mapped address name stored into lhs."""
    fn: FnKey
    name: str
    lhs: str
    line: int
    at: Pos


@dataclass(frozen=True)
class Return:
    fn: FnKey
    expr: str
    line: int


@dataclass(frozen=True)
class UnmapCall:
    """An unmap, or a call of an inlinable unmap helper (as kunmap())."""
    fn: FnKey
    unmap_fn: str
    arg: str
    line: int
    at: Pos


@dataclass(frozen=True)
class Call:
    fn: FnKey
    callee: str
    args: str
    line: int


@dataclass(frozen=True)
class Loop:
    """A loop body, from its opening to its closing brace."""
    file: str
    first: int
    last: int


@dataclass(frozen=True)
class Branches:
    """The two arms of an if/else, each a span ((line, column), (line,
    end column)), spatch's 0-based columns, end exclusive: no one pass
    through the statement runs both."""
    fn: FnKey
    then: Tuple[Tuple[int, int], Tuple[int, int]]
    other: Tuple[Tuple[int, int], Tuple[int, int]]

    def splits(self, a, b):
        """Whether a and b ((line, 0-based column)) lie one in each arm."""
        def inside(span, at):
            return span[0] <= at < span[1]
        return (inside(self.then, a) and inside(self.other, b)) or \
            (inside(self.then, b) and inside(self.other, a))


@dataclass(frozen=True)
class PageAddress:
    """page_address(expr)."""
    fn: FnKey
    expr: str
    line: int
    at: Pos


@dataclass(frozen=True)
class LocalMap:
    """kmap_local_page(page), already converted."""
    fn: FnKey
    page: str
    at: Pos


@dataclass(frozen=True)
class Reassign:
    """The variable name changed after a map."""
    fn: FnKey
    name: str
    line: int
    column: int = 0     # spatch's, 0-based


@dataclass(frozen=True)
class CopyFact:
    """A copy one helper call could replace: its kind (mapapi.COPY_HELPERS),
    the unmap right after it, the variable holding the address (None when
    the copy takes the map call itself) and, when code lies between the
    declaring map and the copy, the copy's line."""
    kind: str
    unmap_at: Pos
    var: Optional[str] = None
    copy_line: Optional[int] = None


@dataclass(frozen=True)
class CopyPair:
    """x = map(P1); y = map(P2); memcpy(); unmap(); unmap(): the second
    map and the two unmaps; into_first: the copy writes to x."""
    second_at: Pos
    unmap1_at: Pos
    unmap2_at: Pos
    into_first: bool
    x: str
    y: str


@dataclass(frozen=True)
class CopyBound:
    """The offsets and the length of a copy a helper could replace, and
    the line of the copy (bounds.page_bound() judges them)."""
    offsets: Tuple[Optional[str], ...]
    length: str
    line: int


@dataclass(frozen=True, order=True)
class UnmapHelper:
    """A function unmapping something built from a parameter that it did
    not map itself: the other half of a split pair."""
    function: str
    file: str
    line: int
    unmap_fn: str
    arg_shape: str


@dataclass
class Swap:
    """Two overlapping mappings whose unmaps run in the wrong order, with
    the (older unmap line, newer unmap line) pairs that are out of order."""
    first: "Site"
    second: "Site"
    bad: List[Tuple[int, int]]


@dataclass(eq=False)
class Site:
    """One kmap()/kmap_atomic() call and what is learnt about it."""
    file: str
    line: int
    column: int
    function: str
    api: str
    page: str
    var: Optional[str] = None               # the local it is bound to
    store: Optional[Tuple[str, int]] = None  # (lvalue, line) stored into
    ret: Optional[int] = None               # line returning it
    arg_of: Optional[str] = None            # the callee it is given to
    # Pairing (classify.pair_unmaps).
    names: Set[str] = field(default_factory=set)
    unmaps: List[int] = field(default_factory=list)
    unmap_calls: List[UnmapCall] = field(default_factory=list)
    handle_unmaps: List[int] = field(default_factory=list)
    orphan_unmaps: List[int] = field(default_factory=list)
    # Unmaps before the map in its loop that release its mapping of the
    # previous pass (classify.loop_carried).
    loop_unmaps: List[int] = field(default_factory=list)
    fuzzy: bool = False
    # The verdict (classify.classify_site).
    guards: Set[str] = field(default_factory=set)
    retry: bool = False
    retry_of: Optional[int] = None
    swaps: List[Swap] = field(default_factory=list)
    fixable: int = 0
    nest: int = 0
    # Paths the script could not show unmapped (classify.UNSEEN_UNMAP);
    # candidate: they alone keep it from a rewrite; unproven: those the
    # verdict leaves to kmap-audit.
    provable: List[str] = field(default_factory=list)
    candidate: bool = False
    unproven: List[str] = field(default_factory=list)
    # Callees given the address before such a path returns, not known
    # to use it only while they run: [(callee, line)].
    handed: List[Tuple[str, int]] = field(default_factory=list)
    # Named callees given a kmap() address (classify.needs_linear_address):
    # make convert reads their definitions beside the file.
    callees: List[str] = field(default_factory=list)
    # Parameters of its function called through in a kmap_atomic()
    # region that the run could not resolve (pointers.py): make convert
    # reads the directory and tells the functions they can be.
    pointer_params: List[str] = field(default_factory=list)
    # What the resolved ones are: reasons for a rewrite.
    pointer_reasons: List[str] = field(default_factory=list)
    cls: Optional[str] = None
    reasons: List[str] = field(default_factory=list)
    # The rewrite (plan.plan_site).
    action: Optional[str] = None
    suggestion: Optional[str] = None
    notes: List[str] = field(default_factory=list)
    notes_extra: List[str] = field(default_factory=list)
    plan: Optional["Plan"] = None
    bound: Optional[str] = None

    @property
    def key(self):
        return Pos(self.file, self.line, self.column)

    @property
    def fkey(self):
        return (self.file, self.function)

    @property
    def next_handle_unmap(self):
        """The first unmap of the same handle after the map (None): it
        releases this mapping, whichever map it pairs with."""
        return min((l for l in self.handle_unmaps if l > self.line),
                   default=None)


@dataclass
class Plan:
    """The edits one rewritten site needs, by position in the original
    file."""
    map: Optional[Pos] = None               # rename the map call
    intro: Optional[str] = None             # new address variable
    unmap_rename: Set[Pos] = field(default_factory=set)
    unmap_arg: Dict[Pos, str] = field(default_factory=dict)
    page_address: Dict[Pos, str] = field(default_factory=dict)
    guards: Set[str] = field(default_factory=set)
    addr: Optional[Dict[Pos, str]] = None   # what each unmap releases
    helper: Optional[str] = None            # kind of memcpy_*_page()
    var_helper: Optional[Tuple[str, str, bool]] = None  # kind, var, far
    unmap_helper: Dict[Pos, str] = field(default_factory=dict)
    copy_pair_first: Optional[bool] = None  # memcpy_page(): first map?
    folio: Optional[str] = None             # kmap_local_folio(folio, 0)
    folio_copy: Optional[str] = None        # the copy helper's folio form
    map_at: Optional[Pos] = None            # page_address() that maps


@dataclass
class SourceFiles:
    """The lines of the files of a group, read once ([] when a file
    cannot be read)."""
    lines: Dict[str, List[str]] = field(default_factory=dict)

    def of(self, path):
        if path not in self.lines:
            try:
                with open(path, errors="replace") as fh:
                    self.lines[path] = fh.read().split("\n")
            except OSError:
                self.lines[path] = []
        return self.lines[path]

    def text(self, path, first, last):
        """Lines first..last (1-based, inclusive), comments removed."""
        return strip_comments("\n".join(self.of(path)[first - 1:last]))

    def macro_at(self, path, line):
        """(name, line of its #define) when line is in the body of a
        macro definition, else None."""
        lines = self.of(path)
        n = line - 1
        while 0 <= n < len(lines):
            m = re.match(r"\s*#\s*define\s+(\w+)", lines[n])
            if m:
                return m.group(1), n + 1
            if n == 0 or not lines[n - 1].rstrip().endswith("\\"):
                return None
            n -= 1
        return None

    def exits_between(self, path, a, b):
        """return/goto statements on lines a..b-1 (the paths split
        there)."""
        if not self.of(path):
            return True
        return re.search(r"\b(return|goto)\b",
                         self.text(path, a, b - 1)) is not None


_CALLED_RE = re.compile(r"\s*([A-Za-z_]\w*)\s*\(")


def returned_base(defs, path, rhs, names):
    """The name among names that rhs, a call (under casts), returns a
    pointer into: a kernel call of mapapi.POINTER_INTO_ARGUMENT given a
    pointer built on it, or a function of the file path that returns
    such a parameter (callees.returned_parameters()); None otherwise."""
    t = without_casts(rhs)
    m = _CALLED_RE.match(t)
    if not m or close_paren(t, m.end() - 1) != len(t) - 1:
        return None
    args = split_top(t[m.end():-1])
    if m.group(1) in POINTER_INTO_ARGUMENT:
        given = range(len(args))
    else:
        given = returned_parameters(defs, path, m.group(1))
    for i in given:
        base = ptr_base(args[i]) if i < len(args) else None
        if base in names:
            return base
    return None


@dataclass
class Group:
    """Everything recorded about one spatch group."""
    files: Set[str] = field(default_factory=set)     # normalised paths
    sites: Dict[Pos, Site] = field(default_factory=dict)
    stores: List[Store] = field(default_factory=list)
    derive: List[Derive] = field(default_factory=list)
    derive_pos: List[Pos] = field(default_factory=list)
    returns: List[Return] = field(default_factory=list)
    bound: Set[str] = field(default_factory=set)     # names maps bind to
    lassign: List[Assign] = field(default_factory=list)  # to locals
    assign: List[Assign] = field(default_factory=list)
    unmaps: List[UnmapCall] = field(default_factory=list)
    calls: List[Call] = field(default_factory=list)
    loops: List[Loop] = field(default_factory=list)
    branches: List[Branches] = field(default_factory=list)
    params: Dict[FnKey, Set[str]] = field(default_factory=dict)
    leaks: Dict[Pos, Set[int]] = field(default_factory=dict)
    leaks_after_null_test: Dict[Pos, Set[int]] = field(default_factory=dict)
    page_addr: List[PageAddress] = field(default_factory=list)
    assigned_to: Dict[Pos, str] = field(default_factory=dict)  # E = map()
    # E = <expression holding kmap()>; (a cast, an offset): E
    assigned_within: Dict[Pos, str] = field(default_factory=dict)
    bare: Set[Pos] = field(default_factory=set)      # map(P); alone
    # y = x = map(P): the map's position -> y
    chained: Dict[Pos, str] = field(default_factory=dict)
    reassign: List[Reassign] = field(default_factory=list)
    local_maps: List[LocalMap] = field(default_factory=list)
    # Unmap helpers: name -> what they call after kunmap() (or None).
    unmap_helpers: Dict[str, Optional[str]] = field(default_factory=dict)
    unmap_helper_calls: List[UnmapCall] = field(default_factory=list)
    unmap_helper_at: Dict[Pos, str] = field(default_factory=dict)
    copy: Dict[Pos, CopyFact] = field(default_factory=dict)
    var_copy: Dict[Pos, CopyFact] = field(default_factory=dict)
    declared_copy: Dict[Pos, CopyFact] = field(default_factory=dict)
    copy_pairs: Dict[Pos, CopyPair] = field(default_factory=dict)
    copy_bounds: Dict[Pos, CopyBound] = field(default_factory=dict)
    # Joined.
    site_fns: Optional[Set[FnKey]] = None
    fsites: Optional[Dict[FnKey, List[Site]]] = None
    order: List[Site] = field(default_factory=list)
    decided: bool = False
    src: SourceFiles = field(default_factory=SourceFiles)
    taken: Dict[FnKey, Set[str]] = field(default_factory=dict)
    defs: Optional[Definitions] = None

    def definitions(self):
        """The group's files read for their function definitions
        (callees.Definitions), one reading for every rule."""
        if self.defs is None:
            self.defs = Definitions(self.src)
        return self.defs

    def in_site_fn(self, fn):
        """fn (file, function) maps a page."""
        if self.site_fns is None:
            self.site_fns = set(s.fkey for s in self.sites.values())
        return fn in self.site_fns

    def is_unmap_helper(self, name):
        return str(name) in self.unmap_helpers

    def follow_assignments(self):
        """Derivations and stores of the mapped addresses, from the
        recorded assignments: y = <x-based pointer> (x a variable a map
        was bound to), then z = <y-based>, and so on; a store is any
        assignment of a pointer based on one of them (classify drops the
        local derivations among them later)."""
        # Only right-hand sides naming a variable of interest can be
        # built on one (ptr_base() parses the expression, returned_base()
        # a call that returns a pointer into an argument).
        defs = self.definitions()

        def based(a, names):
            if not mentions(a.rhs, names):
                return None
            return ptr_base(a.rhs) or returned_base(defs, a.fn[0], a.rhs,
                                                    names)
        # Level by level (y = x, z = y, ...) until no new name appears.
        levels = [set(self.bound)]
        known = set(self.bound)
        while levels[-1]:
            level = set()
            for a in self.lassign:
                b = based(a, levels[-1])
                if b in levels[-1]:
                    self.note_derive(a.fn, a.at, b, a.lhs)
                    level.add(a.lhs)
            levels.append(level - known if len(levels) > 2 else level)
            known |= level
        bases = [(based(a, known), a) for a in self.assign]
        for names in levels:
            for (b, a) in bases:
                if b in names:
                    self.stores.append(
                        Store(a.fn, str(b), a.lhs, a.at.line, a.at))

    def changes(self, fkey, names, after=0, before=None, site=None):
        """The Reassigns of any of names in function fkey on lines
        after < line < before (before None: to the end); site: a map,
        whose own pass never runs the ones in the other arm of an
        if/else that holds it."""
        return [r for r in self.reassign
                if r.fn == fkey and r.name in names and after < r.line and
                (before is None or r.line < before) and
                not (site and self.exclusive(site, (r.line, r.column)))]

    def exclusive(self, site, at):
        """Whether site and at ((line, 0-based column)) are in the two
        arms of one if/else of site's function, and site's mapping ends
        in the pass that made it: then no path holding the mapping runs
        both."""
        here = (site.line, site.column - 1)
        return any(br.fn == site.fkey and br.splits(here, at)
                   for br in self.branches) and self.one_pass(site)

    def one_pass(self, site):
        """Whether every unmap paired with site comes after it inside the
        innermost loop around it (if any), with none before it in that
        loop, and the function jumps back by no goto (a loop the loop
        facts do not hold)."""
        if not site.unmaps or site.loop_unmaps or site.orphan_unmaps:
            return False
        start, end = self.function_span(site)
        body = strip_comments("\n".join(
            self.src.of(site.file)[start:end + 1]))
        labels = {m.group(1): body.count("\n", 0, m.start())
                  for m in re.finditer(r"^\s*([A-Za-z_]\w*)\s*:(?!:)", body,
                                       re.M) if m.group(1) != "default"}
        for m in re.finditer(r"\bgoto\s+([A-Za-z_]\w*)", body):
            if labels.get(m.group(1), 1 << 30) < body.count("\n", 0,
                                                             m.start()):
                return False
        loops = [lp for lp in self.loops if lp.file == site.file and
                 lp.first <= site.line <= lp.last]
        if not loops:
            return True
        last = min(loops, key=lambda lp: lp.last - lp.first).last
        return all(site.line < u <= last for u in site.unmaps)

    def note_derive(self, fn, at, src, dst):
        self.derive.append(Derive(fn, str(src), str(dst), at.line))
        self.derive_pos.append(at)

    def function_span(self, site):
        """The first and last line (0-based) of the function holding
        site, (0, -1) when its file cannot be read."""
        lines = self.src.of(site.file)
        if not lines:
            return 0, -1
        # "static int\nfoo(...)": the name may start the line.
        head = re.compile(r"^(?:[A-Za-z_].*)?\b%s\s*[(]"
                          % re.escape(site.function))
        start = site.line - 1
        while start > 0 and not head.match(lines[start]):
            start -= 1
        depth, seen = 0, False
        for end in range(start, len(lines)):
            depth += lines[end].count("{") - lines[end].count("}")
            seen = seen or "{" in lines[end]
            if seen and depth <= 0:
                break
        return start, end

    def function_text(self, site):
        """The text of the function holding site: from its definition (a
        line starting in column 0 naming it) to the brace closing its
        body."""
        start, end = self.function_span(site)
        return "\n".join(self.src.of(site.file)[start:end + 1])

    def body_lines(self, site, n):
        """The first n lines of code in the body of the function holding
        site (fewer when the file cannot be read)."""
        start, end = self.function_span(site)
        lines = self.src.of(site.file)[start:end + 1]
        text = strip_comments("\n".join(lines))
        body = text[text.find("{") + 1:] if "{" in text else ""
        return [l for l in body.split("\n") if l.strip()][:n]

    def first_body_line(self, site):
        """The first line of code in the body of the function holding
        site ("" when the file cannot be read)."""
        return (self.body_lines(site, 1) or [""])[0]

    def fresh_name(self, site):
        """kaddr, unless the function already uses that identifier (a
        global of that name would be shadowed harmlessly: the new
        variable is only used where it is assigned)."""
        used = idents(self.function_text(site))
        taken = self.taken.setdefault(site.fkey, set())
        name, n = "kaddr", 1
        while name in used or name in taken:
            n += 1
            name = "kaddr%d" % n
        taken.add(name)
        return name

    def leak_lines(self, key):
        if key in self.leaks_after_null_test:
            return sorted(self.leaks_after_null_test[key])
        return sorted(self.leaks.get(key, []))
