# SPDX-License-Identifier: GPL-2.0-only
"""What the rules of kmap_local.cocci call: one function per rule.

The fact rules record into the current Group; the verdict rule classifies
and plans the group; the patch rules ask which of the calls they matched
are planned, and with what.  spatch hands scripts its positions (a list
of locations with file, line, 0-based column and current_element) and
metavariables (whose str() is their C text).
"""

import json
import os
import re
from dataclasses import dataclass, field
from typing import List, Optional

from . import cargs, classify, linear, plan, pointers
from .ctext import (map_offset, mentions, norm, ptr_base, statement_end,
                    var_offset)
from .facts import (Assign, Branches, Call, CopyBound, CopyFact, CopyPair,
                    Group, LocalMap, Loop, PageAddress, Pos, Reassign, Return,
                    Site, UnmapCall)
from .mapapi import (COPY_HELPERS, DENY_ENV, FOLIO_COPY_HELPERS, FOLIO_ENV,
                     JSON_ENV, LEGACY_MAPS, LINEAR_ENV, LOCAL_MAP,
                     PATHS_SCOPE, POINTER_ENV, PROVE_ENV,
                     folio_forms_of_env, is_unmap, local_form,
                     tree_folio_forms, tree_root_of)
from .rewrite import (MAPS, PAGE_ADDRESSES, UNMAP_HELPER_CALLS, UNMAPS,
                      Rewrites, plan_edits)


def pos(p):
    # Columns from spatch are 0-based; report 1-based like gcc.
    return Pos(p[0].file, int(p[0].line), int(p[0].column) + 1)


def fn_of(p):
    return (p[0].file, p[0].current_element)


def spatch_at(p):
    return (int(p[0].line), int(p[0].column))


def read_audit_word(path):
    """kmap-audit's word, from the JSON lines file path names (make
    convert's audit): (denials, path verdicts).

    denials: (file, function) -> plan.Denial, functions where the audit
    flagged an earlier rewrite.  Their sites (or only those it was to
    prove: scope "unproven"; or only those on the entry's lines: scope
    "sites") stay manual, with the finding.

    path verdicts: (file, function, line) -> classify.PathVerdict, the
    audit's word (scope PATHS_SCOPE) on the paths the script could not
    follow from a site not rewritten for other reasons."""
    denials, verdicts = {}, {}
    if not path:
        return denials, verdicts
    with open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            if d.get("scope") == PATHS_SCOPE:
                for n in d["lines"]:
                    verdicts[(d["file"], d["function"], n)] = \
                        classify.PathVerdict(d["verdict"], d["detail"])
                continue
            denials[(d["file"], d["function"])] = plan.Denial(
                d["reason"], d.get("scope", plan.WHOLE),
                d.get("suggestion", ""), tuple(d.get("lines", ())))
    return denials, verdicts


# A declaration: type words (and stars), a name, then = ; , or [.
DECLARATION_RE = re.compile(
    r"^\s*(?!(?:return|goto|if|else|while|for|do|switch|case|break|"
    r"continue)\b)[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*[\s*]+[A-Za-z_]\w*"
    r"\s*(?:\[[^]]*\]\s*)*[=;,]")


# A macro that declares (INITIALIZE_PATH(path);, DEFINE_WAIT(w);): an
# upper-case call statement.
DECLARING_MACRO_RE = re.compile(r"^\s*[A-Z_][A-Z0-9_]*\(.*\);\s*$")


def starts_declaration(line):
    return DECLARATION_RE.match(line) is not None


def declarations_first(lines):
    """Whether a body whose first lines of code are lines starts with
    declarations: a declaration, or an upper-case macro call followed
    by one (a macro that declares, among the declarations)."""
    if not lines:
        return False
    return starts_declaration(lines[0]) or (
        len(lines) > 1 and DECLARING_MACRO_RE.match(lines[0]) is not None
        and starts_declaration(lines[1]))


def site_record(s, prove=False, linear_said=False, pointers_said=False):
    """The JSON record of a decided site (docs: sites.jsonl); prove: in
    a run whose paths go to kmap-audit (PROVE_ENV); linear_said: in a
    run told the linear-map callees (LINEAR_ENV); pointers_said: in a
    run told the function-pointer targets (POINTER_ENV)."""
    rec = dict(file=s.file, line=s.line, column=s.column,
               function=s.function, api=s.api, **{"class": s.cls})
    rec["action"] = s.action
    rec["reasons"] = s.reasons
    if s.action == plan.REWRITTEN:
        rec["rewrite"] = s.notes
        if s.unproven:
            rec["unproven"] = s.unproven
    elif s.provable and prove:
        # For make convert's audit to judge in the unchanged code.
        rec["unfollowed"] = s.provable
    if s.action == plan.REWRITTEN and s.callees and linear_said:
        # For make convert to read their definitions beside the file.
        rec["callees"] = sorted(set(s.callees))
    if s.pointer_params and pointers_said:
        # For make convert to resolve in the directory (pointers.py).
        rec["pointer_params"] = sorted(s.pointer_params)
    if s.suggestion:
        rec["suggestion"] = s.suggestion
    rec.update(page=norm(s.page), address=s.var,
               unmaps=sorted(set(s.unmaps)))
    return rec


def report_line(rec):
    """A record as make coccicheck prints it."""
    return "%s:%d:%d: %s() site is %s: %s" % (
        rec["file"], rec["line"], rec["column"], rec["api"], rec["class"],
        "; ".join(rec["reasons"]))


def org_line(rec):
    """A record as coccilib.org.print_todo() writes one (columns from 0,
    the call's name underlined)."""
    return "* TODO [[view:%s::face=ovl-face1::linb=%d::colb=%d::cole=%d]" \
        "[%s]]" % (rec["file"], rec["line"], rec["column"] - 1,
                   rec["column"] - 1 + len(rec["api"]),
                   report_line(rec).split(": ", 1)[1])


@dataclass
class Session:
    """One spatch run: the group being read, the records so far."""
    cocci: object = None
    deny: dict = field(default_factory=dict)
    verdicts: dict = field(default_factory=dict)    # read_audit_word()
    prove: bool = False         # PROVE_ENV
    group: Optional[Group] = None
    rw: Rewrites = field(default_factory=Rewrites)
    out: List[dict] = field(default_factory=list)
    paired: set = field(default_factory=set)
    json_mode: bool = False     # -D json: records on stdout
    patch_mode: bool = False    # -D patch: stdout carries the diffs
    org_mode: bool = False      # -D org: org-mode TODO lines
    emitted: int = 0            # records of out already written
    tree_folios: dict = field(default_factory=dict)  # root -> its forms
    # directory -> {function: {parameter index: kind}} (linear.py): as make
    # convert said (LINEAR_ENV; linear_said), else read here when asked.
    linear_said: bool = False
    linear_dirs: dict = field(default_factory=dict)
    # (file, function, parameter) -> the functions a function-pointer
    # parameter can be (pointers.py): as make convert said (POINTER_ENV;
    # pointers_said), else read here when asked.
    pointers_said: bool = False
    pointer_found: dict = field(default_factory=dict)

    # -- groups ------------------------------------------------------

    def start_group(self):
        self.flush()
        self.group = Group()
        self.rw = Rewrites()

    def flush(self):
        self.decide()
        self.group = None

    def prepare(self):
        """Pair maps with their unmaps (before the rules that need
        pairs)."""
        g = self.group
        if not g or not g.sites or g.fsites is not None:
            return
        classify.join_group(g, self.paired)

    def decide(self):
        """Classify every site of the group and plan its rewrite."""
        self.prepare()
        g = self.group
        if not g or not g.order or g.decided:
            return
        classify.classify_group(
            g, self.paired,
            lambda fkey: self.prove and fkey not in self.deny,
            self.verdicts, self.linear_of, self.pointer_targets)
        planner = plan.Planner(g, self.deny, self.folios(g))
        for s in g.order:
            planner.plan_site(s)
        planner.unite_shared_unmaps(g.order)
        for s in g.order:
            if s.unproven and s.action != plan.REWRITTEN:
                # Not rewritten after all: nothing for the audit to
                # prove, and the paths are reasons again.
                s.reasons = s.unproven + [
                    r for r in s.reasons
                    if not r.startswith("mapped and unmapped in ")]
                s.cls = classify.NESTING_SENSITIVE
                s.unproven = []
        planner.plan_swaps(g.order)
        planner.caveat_hand_overs(g.order)
        self.rw = plan_edits(g, g.order, planner.pair_sites)
        self.out.extend(site_record(s, self.prove, self.linear_said,
                                    self.pointers_said)
                        for s in g.order)
        g.decided = True
        self.emit()

    def linear_of(self, folder):
        """{function: {parameter index: kind}} of folder's functions
        that need a parameter in the linear map: as make convert says
        (LINEAR_ENV), else read from the directory."""
        if folder not in self.linear_dirs:
            self.linear_dirs[folder] = {} if self.linear_said else {
                fn: linear.kinds(ns) for fn, ns in
                linear.directory_linear(folder or ".").items()}
        return self.linear_dirs[folder]

    def pointer_targets(self, path, function, param):
        """The functions function's parameter param (of the file path)
        can be, or None: as make convert says (POINTER_ENV), else read
        from the file's directory."""
        key = (path, function, param)
        if key not in self.pointer_found and not self.pointers_said:
            self.pointer_found[key] = pointers.directory_targets(
                os.path.dirname(path), [key]).get(key)
        return self.pointer_found.get(key)

    def folios(self, group):
        """The folio forms the tree defines (mapapi.FOLIO_FORMS): make
        convert says (FOLIO_ENV); run alone, the tree above the group's
        first file does."""
        said = os.environ.get(FOLIO_ENV)
        if said is not None:
            return folio_forms_of_env(said)
        root = tree_root_of(group.order[0].file)
        if root not in self.tree_folios:
            self.tree_folios[root] = tree_folio_forms(root) if root \
                else frozenset()
        return self.tree_folios[root]

    def finish(self):
        self.flush()

    def emit(self):
        """The records decided since the last call, where the mode wants
        them.  Group by group: with spatch's own workers (--jobs, as make
        coccicheck runs it) each worker's session writes its own."""
        new = self.out[self.emitted:]
        self.emitted = len(self.out)
        if not new:
            return
        dest = os.environ.get(JSON_ENV)
        if dest:
            with open(dest, "a") as fh:
                fh.write("".join(json.dumps(rec) + "\n" for rec in new))
        elif self.json_mode:
            print("".join(json.dumps(rec) + "\n" for rec in new), end="",
                  flush=True)
        elif self.org_mode:
            print("".join(org_line(rec) + "\n" for rec in new), end="",
                  flush=True)
        elif not self.patch_mode:
            print("".join(report_line(rec) + "\n" for rec in new), end="",
                  flush=True)

    # -- facts -------------------------------------------------------

    def site(self, p, mapfn, page):
        self.group.files.add(os.path.normpath(p[0].file))
        at = pos(p)
        self.group.sites[at] = Site(
            file=p[0].file, line=int(p[0].line), column=at.column,
            function=p[0].current_element, api=str(mapfn), page=str(page))

    def _site(self, p):
        return self.group.sites.get(pos(p))

    def binding(self, p, x, rhs):
        """x = <pointer built on the map at p>."""
        self.group.bound.add(str(x))
        s = self._site(p)
        if s and s.var is None and ptr_base(rhs) in LEGACY_MAPS:
            s.var = str(x)

    def chained_binding(self, p, x, y):
        self.group.note_derive(fn_of(p), pos(p), x, y)
        self.group.chained[pos(p)] = str(y)

    def store(self, p, lhs, rhs):
        s = self._site(p)
        if s and s.var is None and s.store is None and \
           ptr_base(rhs) in LEGACY_MAPS:
            s.store = (str(lhs), int(p[0].line))

    def returned(self, p, expr):
        s = self._site(p)
        if s and ptr_base(expr) in LEGACY_MAPS:
            s.ret = int(p[0].line)

    def argument(self, p, callee):
        s = self._site(p)
        if s and s.arg_of is None:
            s.arg_of = str(callee)

    def local_assignment(self, p, y, rhs):
        self.group.lassign.append(Assign(fn_of(p), str(y), str(rhs), pos(p)))

    def assignment(self, p, lhs, rhs):
        self.group.assign.append(Assign(fn_of(p), str(lhs), str(rhs),
                                        pos(p)))

    def return_value(self, p, expr):
        self.group.returns.append(Return(fn_of(p), str(expr),
                                         int(p[0].line)))

    def unmap(self, p, unmapfn, arg):
        self.group.unmaps.append(UnmapCall(fn_of(p), str(unmapfn), str(arg),
                                           int(p[0].line), pos(p)))

    def unmap_helper(self, helper, then=None):
        self.group.unmap_helpers[str(helper)] = \
            str(then) if then is not None else None

    def unmap_helper_call(self, p, helper, arg):
        self.group.unmap_helper_calls.append(
            UnmapCall(fn_of(p), "kunmap", str(arg), int(p[0].line), pos(p)))
        self.group.unmap_helper_at[pos(p)] = str(helper)

    def local_map(self, p, page):
        self.group.local_maps.append(LocalMap(fn_of(p), str(page), pos(p)))

    def call(self, p, callee, args):
        # A call through an indirect-call wrapper is one through its
        # pointer, with the arguments the pointer is given.
        callee, args = cargs.indirect_call(str(callee), str(args)) or (
            str(callee), str(args))
        self.group.calls.append(Call(fn_of(p), callee, args,
                                     int(p[0].line)))

    def loop(self, pa, pb):
        self.group.loops.append(Loop(pa[0].file, int(pa[0].line),
                                     int(pb[0].line)))

    def unbraced_loop(self, p):
        path, line = p[0].file, int(p[0].line)
        end = statement_end(self.group.src.of(path), line,
                            int(p[0].column) + 1)
        if end is not None:
            self.group.loops.append(Loop(path, line, end))

    def parameter(self, fn, prm, p):
        # Every function of every file of the group has its parameters
        # recorded: the files spatch was given together.
        self.group.files.add(os.path.normpath(p[0].file))
        self.group.params.setdefault((p[0].file, str(fn)), set()).add(
            str(prm))

    def page_address(self, p, expr):
        self.group.page_addr.append(PageAddress(fn_of(p), str(expr),
                                                int(p[0].line), pos(p)))

    def assigned_map(self, p, lhs):
        self.group.assigned_to[pos(p)] = norm(str(lhs))

    def assigned_within(self, p, lhs):
        self.group.assigned_within[pos(p)] = norm(str(lhs))

    def bare_map(self, p):
        self.group.bare.add(pos(p))

    def reassigned(self, p, x):
        self.group.reassign.append(Reassign(fn_of(p), str(x),
                                            *spatch_at(p)))

    def branches(self, p, then, other):
        def span(q):
            return ((int(q[0].line), int(q[0].column)),
                    (int(q[0].line_end), int(q[0].column_end)))
        self.group.branches.append(Branches(fn_of(p), span(then),
                                            span(other)))

    def _bound(self, p, offsets, length, m):
        self.group.copy_bounds[pos(p)] = CopyBound(
            tuple(str(o) if o is not None else None for o in offsets),
            str(length), int(m[0].line))

    def copy_through_map(self, kind, p, u, expr, length):
        """memcpy() straight from (kind 'from') or to ('to') kmap() +
        off, or clear_page() of kmap() ('clear', all of one page), the
        kunmap() right after it."""
        self.group.copy[pos(p)] = CopyFact(kind, pos(u))
        if kind == self.CLEAR:
            self._bound(p, ["0"], "PAGE_SIZE", p)
        else:
            self._bound(p, [map_offset(expr)], length, p)

    def copy_through_var(self, kind, p, m, u, x, dst, src, length,
                         declared=False):
        """x = map(page); memcpy(dst, src, length) from ('from') or to
        ('to') x [+ off], or memset(dst, 0, length) ('zero', src the
        zero); unmap.  declared: T x = map(page); with code between."""
        x = str(x)
        if kind == "from":
            off = var_offset(src, x)
            ok = off and not mentions(str(dst), set([x]))
        elif kind == "to":
            off = var_offset(dst, x)
            ok = off and not mentions(str(src), set([x]))
        else:
            off = var_offset(dst, x)
            ok = norm(str(src)) == "0" and off
        if not ok or mentions(str(length), set([x])):
            return
        if declared:
            self.group.declared_copy[pos(p)] = CopyFact(
                kind, pos(u), x, int(m[0].line))
        else:
            self.group.var_copy[pos(p)] = CopyFact(kind, pos(u), x)
        self._bound(p, [off], length, m)

    def copy_between_maps(self, p1, p2, m, u1, u2, x, y, dst, src, length):
        x, y = str(x), str(y)
        if x == y or mentions(str(length), set([x, y])):
            return
        if var_offset(dst, x) and var_offset(src, y):
            into_first, offs = True, [var_offset(dst, x), var_offset(src, y)]
        elif var_offset(dst, y) and var_offset(src, x):
            into_first, offs = False, [var_offset(dst, y), var_offset(src, x)]
        else:
            return
        self.group.copy_pairs[pos(p1)] = CopyPair(
            pos(p2), pos(u1), pos(u2), into_first, x, y)
        self._bound(p1, offs, length, m)

    def leak(self, p, r, after_null_test=False):
        """A path from the map at p returns at r without its unmap."""
        s = self._site(p)
        if s and s.unmap_calls:
            leaks = self.group.leaks_after_null_test if after_null_test \
                else self.group.leaks
            leaks.setdefault(pos(p), set()).add(int(r[0].line))

    def null_tested(self, p):
        self.group.leaks_after_null_test.setdefault(pos(p), set())

    # -- constraints -------------------------------------------------

    def in_site_fn(self, p):
        """p is in a function that maps a page (the sites are known by
        then)."""
        return bool(self.group) and self.group.in_site_fn(fn_of(p))

    def is_unmap_helper(self, h):
        return bool(self.group) and self.group.is_unmap_helper(h)

    def only_map(self, p):
        """The site at p is the only map in its function."""
        s = self._site(p)
        return bool(s) and len(self.group.fsites.get(s.fkey, [])) == 1

    def paired_unmap(self, p, u):
        """u unmaps the mapping made at p: paired with it, or an unmap of
        the same handle (a rolling remap unmaps the first mapping on one
        path and the next one on another)."""
        s = self._site(p)
        return bool(s) and (pos(u) in [c.at for c in s.unmap_calls] or
                            int(u[0].line) in s.handle_unmaps)

    def planned_rename(self, p, arg):
        """A planned map rename or unmap rename at p (a map is not at any
        unmap's position, nor the other way round)."""
        return self._key(MAPS, p, arg) in self.rw.renamed_maps or \
            self._key(UNMAPS, p, arg) in self.rw.renamed_unmaps

    def renamed_map(self, p, page):
        """The map at p is one the rename stage renamed."""
        return self._key(MAPS, p, page) in self.rw.renamed_maps

    def decl_planned(self, x):
        return str(x) in [v for (_fn, v) in self.rw.removed_decls]

    # -- patch stages ------------------------------------------------

    def stage(self, kinds, families):
        """Whether the group plans edits of one of kinds; if so the calls
        of families are collected afresh.  A patch stage's rules depend on
        the script rule asking this: a rule costs a pass over every
        function even where it changes nothing, and the file is parsed
        again after each rule that changes it."""
        if not self.rw.any_of(*kinds):
            self.cocci.include_match(False)
            return
        for family in families:
            self.rw.reset(family)

    def rename_stage(self):
        self.stage(("renamed_maps", "renamed_unmaps"), (MAPS, UNMAPS))

    def page_address_stage(self):
        self.stage(("page_addresses",), (PAGE_ADDRESSES,))

    def unmap_arg_stage(self):
        self.stage(("unmap_args",), (UNMAPS,))

    def unmap_helper_stage(self):
        self.stage(("inlined_unmap_helpers",), (UNMAP_HELPER_CALLS,))

    def guard_stage(self):
        self.stage(("guards",), (MAPS, UNMAPS))

    def map_stage(self, kind):
        """A stage editing at maps: kind is the Rewrites field."""
        self.stage((kind,), (MAPS,))

    def decl_stage(self):
        self.stage(("removed_decls",), ())

    def unbrace_stage(self):
        self.stage(("unbraced",), ())

    def pick_held(self, p, page):
        """{} when kmap(page); at p and the page_address() assignment
        after it become one local map (plan.address_holder)."""
        return {} if self._key(MAPS, p, page) in self.rw.held_maps \
            else None

    def pick_unbrace(self, p, cond):
        """{} when the helper call at p, the whole block of the if with
        condition cond, is one the rewrite made, so that the braces are
        needless; on one line only (spatch would print a continuation
        line with spaces)."""
        keep = p[0].line == p[0].line_end and (
            p[0].current_element, norm(str(cond))) in self.rw.unbraced
        return {} if keep else None

    # The Rewrites fields of the map stages.
    RENAMED = "renamed_maps"
    NEW_VARIABLE = "new_variables"
    SPLIT_CHAIN = "split_chains"
    COPY = "copy_helpers"
    VAR_COPY = "var_copy_helpers"
    DECLARED_COPY = "declared_copy_helpers"
    COPY_PAIR = "copy_pairs"
    FOLIO = "folio_maps"
    HELD = "held_maps"
    # The kinds of copy (mapapi.COPY_HELPERS).
    FROM, TO, ZERO, CLEAR = "from", "to", "zero", "clear"

    def collect(self, family, p, arg):
        """Record a call of family (a constraint that keeps every
        match)."""
        self.rw.collect(family, p[0].current_element, arg, spatch_at(p))
        return True

    def collect_call(self, p, f, arg):
        """A map or unmap call, in its family."""
        return self.collect(UNMAPS if is_unmap(str(f)) else MAPS, p, arg)

    def collect_map(self, p, page):
        return self.collect(MAPS, p, page)

    def collect_unmap(self, p, arg):
        return self.collect(UNMAPS, p, arg)

    def collect_page_address(self, p, expr):
        return self.collect(PAGE_ADDRESSES, p, expr)

    def collect_unmap_helper_call(self, p, arg):
        return self.collect(UNMAP_HELPER_CALLS, p, arg)

    @staticmethod
    def local_form(f):
        return local_form(str(f))

    def _key(self, family, p, arg):
        return self.rw.key(family, p[0].current_element, arg, spatch_at(p))

    def new_page_address(self, p, expr):
        """The variable replacing page_address(expr) at p."""
        return self.rw.page_addresses.get(self._key(PAGE_ADDRESSES, p, expr))

    def new_unmap_arg(self, p, f, arg):
        """What kunmap_local() replacing the unmap at p is given."""
        if str(f) == "kunmap_local":
            return None
        return self.rw.unmap_args.get(self._key(UNMAPS, p, arg))

    def inlined_unmap_helper(self, p, helper, arg, then):
        """(address, call after it) for the call of an unmap helper at
        p, if planned and the helper calls something after its kunmap()
        exactly when then says so."""
        var = self.rw.inlined_unmap_helpers.get(
            self._key(UNMAP_HELPER_CALLS, p, arg))
        after = self.group.unmap_helpers[str(helper)]
        if var is None or (after is not None) != then:
            return None
        return var, after

    def new_variable(self, p, page):
        return self.rw.new_variables.get(self._key(MAPS, p, page))

    def guard(self, p, f, arg):
        family = MAPS if str(f) == LOCAL_MAP else UNMAPS
        return self.rw.guards.get((family, self._key(family, p, arg)))

    def _helper_form(self, key, kind, page):
        """(helper, what it is given for the page): the folio form where
        the plan chose it."""
        folio = self.rw.folio_copies.get(key)
        if folio:
            return FOLIO_COPY_HELPERS[kind], folio
        return COPY_HELPERS[kind], str(page)

    def copy_helper(self, p, page, expr):
        """(helper, page or folio, offset) replacing memcpy() through
        kmap(page) at p, or clear_page() of it (no folio form, offset
        0)."""
        key = self._key(MAPS, p, page)
        kind = self.rw.copy_helpers.get(key)
        if not kind:
            return None
        if kind == self.CLEAR:
            return COPY_HELPERS[kind], str(page), "0"
        return self._helper_form(key, kind, page) + (map_offset(expr),)

    def var_copy_helper(self, p, page, x, dst, src, length, copy_fn,
                        declared=False):
        """(helper, its arguments) replacing x = map(page); copy_fn(dst,
        src, length); unmap."""
        key = self._key(MAPS, p, page)
        table = self.rw.declared_copy_helpers if declared \
            else self.rw.var_copy_helpers
        kind = table.get(key)
        if not kind or (kind == "zero") == (str(copy_fn) == "memcpy"):
            return None
        helper, given = self._helper_form(key, kind, page)
        return helper, plan.helper_args(kind, norm(str(x)), given, dst,
                                        src, length)

    def copy_pair(self, p, x, y, p1, p2, dst, src, length):
        """The arguments of memcpy_page() replacing the pair at p."""
        if not self.rw.copy_pairs.get(self._key(MAPS, p, p1)):
            return None
        x, y = norm(str(x)), norm(str(y))
        if var_offset(dst, x) is not None:
            args = (p1, var_offset(dst, x), p2, var_offset(src, y), length)
        else:
            args = (p2, var_offset(dst, y), p1, var_offset(src, x), length)
        return [str(a) for a in args]

    def removed_decl(self, p, x):
        return (p[0].current_element, str(x)) in self.rw.removed_decls

    # -- what the patch rules' scripts bind ----------------------------
    # Each returns {metavariable: (maker, text)}, or None to drop the
    # match (see bind()).

    def pick_page_address(self, p, expr):
        var = self.new_page_address(p, expr)
        return var and {"V": ("ident", var)}

    def pick_unmap_arg(self, p, f, arg):
        var = self.new_unmap_arg(p, f, arg)
        return var and {"A": ("expr", var)}

    def pick_unmap_helper(self, p, helper, arg, then):
        found = self.inlined_unmap_helper(p, helper, arg, then)
        if not found:
            return None
        picked = {"A": ("expr", found[0])}
        if then:
            picked["T"] = ("ident", found[1])
        return picked

    def pick_new_variable(self, p, page):
        var = self.new_variable(p, page)
        return var and {"V": ("ident", var),
                        "FN": ("ident", p[0].current_element)}

    def pick_split_chain(self, p, page):
        """{} when the renamed map at p is the value of a chained
        assignment (y = x = map(page);) to be split in two statements."""
        key = self._key(MAPS, p, page)
        return {} if key in self.rw.split_chains else None

    def pick_declaration(self, fn, var):
        """The new variables' declaration at the top of fn, once per
        function (spatch cannot add twice at one brace): D and F for the
        rule that adds it alone, DB and FB for the one that adds a blank
        line after it, where the body starts with a statement.  D names
        every new variable of fn: void *kaddr, *kaddr2;"""
        names = sorted({v for k, v in self.rw.new_variables.items()
                        if k.function == str(fn)} | {str(var)},
                       key=lambda v: (len(v), v))
        if str(var) != names[0]:
            return None
        site = next(s for s in self.group.order if s.function == str(fn))
        blank = "" if declarations_first(
            self.group.body_lines(site, 2)) else "B"
        return {"D" + blank: ("ident", ", *".join(names)),
                "F" + blank: ("ident", str(fn))}

    def pick_guard(self, p, f, arg):
        guard = self.guard(p, f, arg)
        return guard and {"D": ("ident", guard + "_disable"),
                          "N": ("ident", guard + "_enable")}

    def pick_folio(self, p, page):
        folio = self.rw.folio_maps.get(self._key(MAPS, p, page))
        return folio and {"F": ("ident", folio)}

    def pick_copy_helper(self, p, page, expr):
        found = self.copy_helper(p, page, expr)
        return found and {"F": ("ident", found[0]), "G": ("expr", found[1]),
                          "O": ("expr", found[2])}

    def pick_var_copy_helper(self, *args, **kwargs):
        found = self.var_copy_helper(*args, **kwargs)
        if not found:
            return None
        picked = {"F": ("ident", found[0])}
        for i, a in enumerate(found[1], 1):
            picked["A%d" % i] = ("expr", a)
        return picked

    def pick_copy_pair(self, *args):
        found = self.copy_pair(*args)
        return found and dict(("A%d" % i, ("expr", a))
                              for i, a in enumerate(found, 1))

    def pick_removed_decl(self, p, x):
        return {} if self.removed_decl(p, x) else None


SESSION = Session()


def setup(cocci):
    """Start a run: spatch's cocci object, the audit's denials."""
    SESSION.cocci = cocci
    SESSION.deny, SESSION.verdicts = read_audit_word(
        os.environ.get(DENY_ENV))
    SESSION.prove = os.environ.get(PROVE_ENV) == "1"
    said = os.environ.get(LINEAR_ENV)
    SESSION.linear_said = said is not None
    for (folder, fn), params in linear.of_env(said or "").items():
        SESSION.linear_dirs.setdefault(folder, {})[fn] = params
    said = os.environ.get(POINTER_ENV)
    SESSION.pointers_said = said is not None
    SESSION.pointer_found = pointers.of_env(said or "")
    return SESSION


def bind(coccinelle, picked):
    """Set a script's output metavariables from picked ({name: (maker,
    text)}, maker 'ident' or 'expr'); None drops the match instead."""
    if picked is None:
        SESSION.cocci.include_match(False)
        return
    for name, (maker, text) in picked.items():
        setattr(coccinelle, name,
                getattr(SESSION.cocci, "make_" + maker)(text))
