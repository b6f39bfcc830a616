// SPDX-License-Identifier: GPL-2.0-only
/// Classify every kmap()/kmap_atomic() call site for conversion to
/// kmap_local_page(), and rewrite the ones that are safe.
///
/// Local mappings are per thread, live on a per-task stack (unmaps must be
/// strictly LIFO) and do not disable pagefaults or preemption.  Each site is
/// reported as one of:
///   thread-local      - mapped and unmapped in one function, address kept
///                       local: safe to convert.
///   nesting-sensitive - thread-local, but a blind rewrite could break:
///                       overlapping maps not unmapped in reverse order, a map
///                       in a loop without an unmap in the same iteration, a
///                       map/unmap split over helpers, or (kmap_atomic) code
///                       relying on the implicit pagefault/preempt disable.
///   cross-thread      - the address may be used outside the mapping thread
///                       or function: stored in a structure/global and not
///                       unmapped here, returned without a paired unmap
///                       helper, or handed to deferred work.  Stays kmap().
///
/// The SmPL rules only collect facts (with positions) and apply edits; the
/// Python module in kmap_local/ beside this file joins the facts per
/// function (facts, classify, plan, rewrite), because the decisions need
/// several facts at once.  Copy the directory with the file.
///
/// With -D json, one JSON object per site is printed (the driver's input);
/// with -D patch, the rewrite; with -D context, the calls starred; with
/// -D org, one org-mode TODO per site; otherwise (report mode) one line
/// per site.  All four are make coccicheck's modes.  Files given in one spatch group (e.g. a
/// .c file and its local headers) see each other's unmap helpers.
//
// Confidence: Moderate
// Copyright: (C) 2026 The kmap-local developers.
// Options: --no-includes

virtual report
virtual json
virtual patch
virtual context
virtual org

// MODE=context: every site, as report mode lists every site.
@depends on context@
identifier mapfn = {kmap, kmap_atomic};
expression P;
@@
* mapfn(P)

@initialize:python@
@@
import os
import sys
HERE = os.path.dirname(os.path.abspath(cocci.cocci_file))
if not os.path.isfile(os.path.join(HERE, 'kmap_local', 'hooks.py')):
	raise ImportError('kmap_local.cocci: its module directory kmap_local '
			  'is not beside it in ' + HERE + ': copy both')
sys.path.insert(0, HERE)
from kmap_local import hooks
K = hooks.setup(cocci)
bind = hooks.bind

@script:python start_group@
@@
K.start_group()

@script:python depends on json@
@@
K.json_mode = True

@script:python depends on patch@
@@
K.patch_mode = True

// make coccicheck MODE=context: stdout carries the starred calls.
@script:python depends on context@
@@
K.patch_mode = True

@script:python depends on org@
@@
K.org_mode = True

// ---------------------------------------------------------------- facts --

@site@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p;
@@
mapfn@p(P)

@script:python@
p << site.p; mapfn << site.mapfn; P << site.P;
@@
K.site(p, mapfn, P)

// The address bound to a local variable.  Matching the map anywhere in the
// right-hand side is cheap; Python keeps the pointer-shaped ones (casts,
// offsets) via ptr_base(), which is much faster than a disjunction here.
@bind@
identifier mapfn = {kmap, kmap_atomic};
expression P, E;
local idexpression x;
position p;
@@
x = \( E \& <+... mapfn@p(P) ...+> \)

@script:python@
p << bind.p; x << bind.x; E << bind.E;
@@
K.binding(p, x, E)

// Chained binding: start = p = kmap_atomic(page) binds both.
@bind_chain@
identifier mapfn = {kmap, kmap_atomic};
expression P;
local idexpression x, y;
position p;
@@
y = x = mapfn@p(P)

@script:python@
p << bind_chain.p; x << bind_chain.x; y << bind_chain.y;
@@
K.chained_binding(p, x, y)

// The address written straight into something that may outlive the frame.
@store@
identifier mapfn = {kmap, kmap_atomic};
expression P, E, L;
position p;
@@
L = \( E \& <+... mapfn@p(P) ...+> \)

@script:python@
p << store.p; L << store.L; E << store.E;
@@
K.store(p, L, E)

@return_map@
identifier mapfn = {kmap, kmap_atomic};
expression P, E;
position p;
@@
return \( E \& <+... mapfn@p(P) ...+> \);

@script:python@
p << return_map.p; E << return_map.E;
@@
K.returned(p, E)

@map_as_argument@
identifier mapfn = {kmap, kmap_atomic};
identifier g;
expression P;
position p;
@@
g(..., <+... mapfn@p(P) ...+>, ...)

@script:python@
p << map_as_argument.p; g << map_as_argument.g;
@@
K.argument(p, g)

// Every assignment in a function with a map site, recorded once: Python
// follows the address through them (pointers derived from it, y = x,
// y = x + off, y = (T *)x, &x[i], y = f(x) returning x + 16, ...; stores of
// any of them into anything).  One pass over the file; a rule inheriting
// each variable's name ran once per name over every function.
@local_assign@
local idexpression y;
expression E;
position p : script:python() { K.in_site_fn(p) };
@@
y@p = E

@script:python@
p << local_assign.p; y << local_assign.y; E << local_assign.E;
@@
K.local_assignment(p, y, E)

@assign@
expression L, E;
position p : script:python() { K.in_site_fn(p) };
@@
L@p = E

@script:python@
p << assign.p; L << assign.L; E << assign.E;
@@
K.assignment(p, L, E)

@returns@
expression E;
position p;
@@
return@p E;

@script:python@
p << returns.p; E << returns.E;
@@
K.return_value(p, E)

@unmap@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p;
@@
unmapfn@p(E)

@script:python@
p << unmap.p; unmapfn << unmap.unmapfn; E << unmap.E;
@@
K.unmap(p, unmapfn, E)

// An unmap helper the rewrite can inline where it is called: a void
// function whose whole body is kunmap(prm); or kunmap(prm); g(prm); (the
// common kunmap() + put_page() pair).  A call of one is an unmap of its
// argument, and becomes kunmap_local(address); g(argument);
@unmap_then_call_helper@
identifier H, prm, g;
type T;
@@
void H(T prm) { kunmap(prm); g(prm); }

@script:python@
H << unmap_then_call_helper.H; g << unmap_then_call_helper.g;
@@
K.unmap_helper(H, g)

@unmap_only_helper@
identifier H, prm;
type T;
@@
void H(T prm) { kunmap(prm); }

@script:python@
H << unmap_only_helper.H;
@@
K.unmap_helper(H)

@unmap_helper_call@
identifier h : script:python() { K.is_unmap_helper(h) };
expression E;
position p;
@@
h@p(E);

@script:python@
p << unmap_helper_call.p; h << unmap_helper_call.h; E << unmap_helper_call.E;
@@
K.unmap_helper_call(p, h, E)

@local_map@
expression P;
position p;
@@
kmap_local_page@p(P)

@script:python@
p << local_map.p; P << local_map.P;
@@
K.local_map(p, P)

// Every call in a function with a map site, once: Python picks the calls
// that hand something to another context (mapapi.DEFERRED_WORK_RE), the
// ones that only work because kmap_atomic() disabled pagefaults or
// preemption (classify.dependency()) and the ones given a structure that
// holds the address.
@calls@
expression g;
expression list Es;
position p : script:python() { K.in_site_fn(p) };
@@
g@p(Es)

@script:python@
p << calls.p; g << calls.g; Es << calls.Es;
@@
K.call(p, g, Es)

// Loop bodies as line ranges, from the opening to the closing brace.
// (do { } while loops are not matched: spatch 1.1.1 rejects positions there.)
@loops@
position pa, pb;
expression E;
iterator name I;
@@
(
for (...;...;...) {@pa ... }@pb
|
while (E) {@pa ... }@pb
|
I(...) {@pa ... }@pb
)

@script:python@
pa << loops.pa; pb << loops.pb;
@@
K.loop(pa, pb)

// Loops whose body is one statement without braces: where it ends is
// found in the text (the statement's own position spans one line only).
@unbraced_loops@
position p : script:python() { K.in_site_fn(p) };
statement S;
expression E;
iterator name I;
@@
(
for@p (...;...;...) S
|
while@p (E) S
|
I@p(...) S
)

@script:python@
p << unbraced_loops.p;
@@
K.unbraced_loop(p)

// The two arms of an if/else: a map in one and a change of its address
// or another map in the other never meet in one pass.
@branches@
expression E;
statement S1, S2;
position p : script:python() { K.in_site_fn(p) };
position a, b;
@@
if@p (E) S1@a else S2@b

@script:python@
p << branches.p; a << branches.a; b << branches.b;
@@
K.branches(p, a, b)

// Parameters of every function: an unmap of something built from a
// parameter makes the function an unmap helper, the second half of a
// map/unmap pair split over helpers (joined in Python: matching the unmap
// inside this pattern costs 50x more).
@params@
identifier fn, prm;
type T;
position p;
@@
fn@p(..., T prm, ...) { ... }

@script:python@
fn << params.fn; prm << params.prm; p << params.p;
@@
K.parameter(fn, prm, p)

// page_address() of a page inside its kmap() region must become the
// address: page_address() does not see a local mapping.
@page_address@
expression E;
position p;
@@
page_address@p(E)

@script:python@
p << page_address.p; E << page_address.E;
@@
K.page_address(p, E)

// The shapes of map statements the rewrite can edit around.
@assigned_map@
identifier mapfn = {kmap, kmap_atomic};
expression E, P;
position p;
@@
E = mapfn@p(P);

@script:python@
p << assigned_map.p; E << assigned_map.E;
@@
K.assigned_map(p, E)

// A kmap() inside the value of an assignment statement (a cast, an
// offset): the new-variable rewrite can map in a statement before it.
@assigned_within@
expression E, E2, P;
position p;
@@
E = \( E2 \& <+... kmap@p(P) ...+> \);

@script:python@
p << assigned_within.p; E << assigned_within.E;
@@
K.assigned_within(p, E)

@bare_map@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p;
@@
mapfn@p(P);

@script:python@
p << bare_map.p;
@@
K.bare_map(p)

// memcpy() straight from or to a kmap() and the unmap right after it:
// memcpy_from_page()/memcpy_to_page() do exactly that.  They take char
// pointers where memcpy() takes void: the other buffer must be known (from
// its declaration) to be a byte or void pointer.
@copy_from_map@
identifier mapfn = {kmap};
identifier unmapfn = {kunmap};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} D;
expression E, P, N, P2, L;
position p, u;
@@
memcpy(D, \( E \& \( mapfn@p(P) \| mapfn@p(P) + N \) \), L);
unmapfn@u(P2);

@script:python@
p << copy_from_map.p; u << copy_from_map.u; E << copy_from_map.E;
L << copy_from_map.L;
@@
K.copy_through_map(K.FROM, p, u, E, L)

@copy_to_map@
identifier mapfn = {kmap};
identifier unmapfn = {kunmap};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} S;
expression E, P, N, P2, L;
position p, u;
@@
memcpy(\( E \& \( mapfn@p(P) \| mapfn@p(P) + N \) \), S, L);
unmapfn@u(P2);

@script:python@
p << copy_to_map.p; u << copy_to_map.u; E << copy_to_map.E; L << copy_to_map.L;
@@
K.copy_through_map(K.TO, p, u, E, L)

// clear_page() of a kmap() and its kunmap(): clear_highpage() does exactly
// that, through a local mapping.
@clear_map@
identifier mapfn = {kmap};
identifier unmapfn = {kunmap};
expression P, P2;
position p, u;
@@
clear_page(mapfn@p(P));
unmapfn@u(P2);

@script:python@
p << clear_map.p; u << clear_map.u;
@@
K.copy_through_map(K.CLEAR, p, u, None, None)

// The same with the address in a variable: x = map(page); memcpy(...);
// unmap(...);
@copy_from_var@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} A;
expression P, B, L, E2;
local idexpression x;
position p, m, u;
@@
x = mapfn@p(P);
memcpy@m(A, B, L);
unmapfn@u(E2);

@script:python@
p << copy_from_var.p; m << copy_from_var.m; u << copy_from_var.u;
x << copy_from_var.x; A << copy_from_var.A; B << copy_from_var.B;
L << copy_from_var.L;
@@
K.copy_through_var(K.FROM, p, m, u, x, A, B, L)

@copy_to_var@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} B;
expression P, A, L, E2;
local idexpression x;
position p, m, u;
@@
x = mapfn@p(P);
memcpy@m(A, B, L);
(
unmapfn@u(E2);
|
flush_dcache_page(P);
unmapfn@u(E2);
)

@script:python@
p << copy_to_var.p; m << copy_to_var.m; u << copy_to_var.u; x << copy_to_var.x;
A << copy_to_var.A; B << copy_to_var.B; L << copy_to_var.L;
@@
K.copy_through_var(K.TO, p, m, u, x, A, B, L)

// memset(x [+ off], 0, len) of the mapping (memzero_page() flushes the
// dcache itself, so a flush_dcache_page() of the page goes with it).
@zero_var@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
expression P, A, Z, L, E2;
local idexpression x;
position p, m, u;
@@
x = mapfn@p(P);
memset@m(A, Z, L);
(
unmapfn@u(E2);
|
flush_dcache_page(P);
unmapfn@u(E2);
)

@script:python@
p << zero_var.p; m << zero_var.m; u << zero_var.u; x << zero_var.x;
A << zero_var.A; Z << zero_var.Z; L << zero_var.L;
@@
K.copy_through_var(K.ZERO, p, m, u, x, A, Z, L)

// T x = map(page); with code in between (which must not use x nor touch
// the page: checked in plan.var_helper_fits()), then the copy and the
// unmap.
@copy_from_declared@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} A;
type T;
identifier x;
expression P, B, L, E2;
position p, m, u;
@@
T x = mapfn@p(P);
... when != x
memcpy@m(A, B, L);
unmapfn@u(E2);

@script:python@
p << copy_from_declared.p; m << copy_from_declared.m;
u << copy_from_declared.u; x << copy_from_declared.x;
A << copy_from_declared.A; B << copy_from_declared.B;
L << copy_from_declared.L;
@@
K.copy_through_var(K.FROM, p, m, u, x, A, B, L, declared=True)

@copy_to_declared@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
typedef u8;
{char *, void *, const char *, const void *, unsigned char *,
 const unsigned char *, u8 *, const u8 *} B;
type T;
identifier x;
expression P, A, L, E2;
position p, m, u;
@@
T x = mapfn@p(P);
... when != x
memcpy@m(A, B, L);
unmapfn@u(E2);

@script:python@
p << copy_to_declared.p; m << copy_to_declared.m; u << copy_to_declared.u;
x << copy_to_declared.x; A << copy_to_declared.A; B << copy_to_declared.B;
L << copy_to_declared.L;
@@
K.copy_through_var(K.TO, p, m, u, x, A, B, L, declared=True)

@zero_declared@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
type T;
identifier x;
expression P, A, Z, L, E2;
position p, m, u;
@@
T x = mapfn@p(P);
... when != x
memset@m(A, Z, L);
unmapfn@u(E2);

@script:python@
p << zero_declared.p; m << zero_declared.m; u << zero_declared.u;
x << zero_declared.x; A << zero_declared.A; Z << zero_declared.Z;
L << zero_declared.L;
@@
K.copy_through_var(K.ZERO, p, m, u, x, A, Z, L, declared=True)

// Two maps, a copy from one to the other, the two unmaps: memcpy_page().
@copy_between_maps@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
local idexpression x, y;
expression P1, P2, A, B, L, E1, E2;
position p1, p2, m, u1, u2;
@@
x = mapfn@p1(P1);
y = mapfn@p2(P2);
memcpy@m(A, B, L);
unmapfn@u1(E1);
unmapfn@u2(E2);

@script:python@
p1 << copy_between_maps.p1; p2 << copy_between_maps.p2;
m << copy_between_maps.m; u1 << copy_between_maps.u1;
u2 << copy_between_maps.u2; x << copy_between_maps.x; y << copy_between_maps.y;
A << copy_between_maps.A; B << copy_between_maps.B; L << copy_between_maps.L;
@@
K.copy_between_maps(p1, p2, m, u1, u2, x, y, A, B, L)

// The address variable changed after the map: kunmap_local() of it would
// no longer be given the mapping.
@reassign@
local idexpression x;
expression E;
assignment operator aop;
position p : script:python() { K.in_site_fn(p) };
@@
x@p aop E

@script:python@
p << reassign.p; x << reassign.x;
@@
K.reassigned(p, x)

// In a rule of their own: spatch reports no match nested in another
// match of the same rule, as e++ in sum += (e++)->len.
@step@
local idexpression x;
position p : script:python() { K.in_site_fn(p) };
@@
(
x@p++
|
x@p--
|
 ++x@p
|
 --x@p
)

@script:python@
p << step.p; x << step.x;
@@
K.reassigned(p, x)

@script:python pair@
@@
K.prepare()

// A path from a map to a return on which its own unmaps never run.  The
// end of a void function is such a return, but "return ...;" alone does
// not match it, nor does a map spelled through an identifier metavariable
// (spatch 1.1.1): hence "return;" and the disjunction of map names.  In a
// function with one map, any unmap is its own; elsewhere a constraint
// picks the map's unmaps (a script call per unmap and path step: 20x the
// cost, so only where needed).
@leak_only_map exists@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { K.is_unmap_helper(uh) };
expression P;
position p : script:python() { K.only_map(p) };
position r;
@@
\(kmap@p(P)\|kmap_atomic@p(P)\)
... when != unmapfn(...)
    when != uh(...)
(
return@r ...;
|
return@r;
)

@script:python@
p << leak_only_map.p; r << leak_only_map.r;
@@
K.leak(p, r)

@one_of_many_maps@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p : script:python() { not K.only_map(p) };
@@
mapfn@p(P)

@leak_one_of_many exists@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { K.is_unmap_helper(uh) };
expression P;
position one_of_many_maps.p;
position u : script:python(p) { K.paired_unmap(p, u) };
position r;
@@
\(kmap@p(P)\|kmap_atomic@p(P)\)
... when != unmapfn@u(...)
    when != uh@u(...)
(
return@r ...;
|
return@r;
)

@script:python@
p << one_of_many_maps.p; r << leak_one_of_many.r;
@@
K.leak(p, r)

// The branch of a NULL test right after the map (kmap() never fails, nor
// is its address plus an offset NULL) is no such path: these sites are
// judged by the paths after the test alone.
@null_test@
identifier mapfn = {kmap, kmap_atomic};
expression P, E, N;
statement S;
position p;
@@
E = \(mapfn@p(P)\|mapfn@p(P) + N\);
if (\(!E\|E == NULL\|unlikely(!E)\)) S

@leak_after_null_test exists@
position null_test.p;
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { K.is_unmap_helper(uh) };
expression P, E, N;
statement S;
position u : script:python(p) { K.paired_unmap(p, u) };
position r;
@@
E = \(kmap@p(P)\|kmap_atomic@p(P)\|kmap@p(P) + N\|kmap_atomic@p(P) + N\);
if (\(!E\|E == NULL\|unlikely(!E)\)) S
... when != unmapfn@u(...)
    when != uh@u(...)
(
return@r ...;
|
return@r;
)

@script:python@
p << null_test.p;
@@
K.null_tested(p)

@script:python@
p << null_test.p; r << leak_after_null_test.r;
@@
K.leak(p, r, after_null_test=True)

@script:python verdict@
@@
K.decide()

// ---------------------------------------------------------------- patch --
// Only what K.decide() planned is edited, one family of calls at a time:
// a stage script asks whether there is anything to do, a rule collects
// the calls of the current version through a constraint on their
// position (see rewrite.py), a script picks the planned ones, a
// transformation applies them.  Nothing may change the file between a
// collection and the transformation that relies on it.

// The renames first, maps and unmaps in one rule: the file is parsed
// again after each rule that changes it.
@script:python rename_stage depends on patch@
@@
K.rename_stage()

@rename_calls depends on patch && rename_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page, kunmap, kunmap_atomic,
		kunmap_local};
expression P;
position p : script:python(f, P) { K.collect_call(p, f, P) };
@@
f@p(P)

// The planned calls are picked by a constraint, not by inheriting each
// call's position from rename_calls: spatch would try every inherited
// binding on every function and declaration of the file.
@depends on patch && rename_stage@
identifier f = {kmap, kmap_atomic, kunmap, kunmap_atomic};
expression P;
position p : script:python(P) { K.planned_rename(p, P) };
fresh identifier local = script:python(f) { K.local_form(f) };
@@
- f@p(P)
+ local(P)

// A cast of a renamed map is printed again whole, as checkpatch wants it:
// (T)kmap_local_page(P), where the code had (T) kmap(P).
@script:python cast_stage depends on patch@
@@
K.map_stage(K.RENAMED)

@cast_maps depends on patch && cast_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@depends on patch && cast_stage@
expression P;
type T;
position p : script:python(P) { K.renamed_map(p, P) };
@@
- (T)kmap_local_page@p(P)
+ (T)kmap_local_page(P)

// A renamed map assigned to two variables at once: two statements.
@script:python split_chain_stage depends on patch@
@@
K.map_stage(K.SPLIT_CHAIN)

@split_chain_maps depends on patch && split_chain_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@split_chain_site depends on patch && split_chain_stage@
expression P, X, Y;
position p;
@@
Y = X = kmap_local_page@p(P);

@script:python split_chain_pick@
p << split_chain_site.p; P << split_chain_site.P;
@@
bind(coccinelle, K.pick_split_chain(p, P))

@depends on patch && split_chain_stage@
expression split_chain_site.P, split_chain_site.X, split_chain_site.Y;
position split_chain_site.p;
@@
- Y = X = kmap_local_page@p(P);
+ X = kmap_local_page(P);
+ Y = X;

@script:python page_address_stage depends on patch@
@@
K.page_address_stage()

@page_address_calls depends on patch && page_address_stage@
expression E;
position p : script:python(E) { K.collect_page_address(p, E) };
@@
page_address@p(E)

@script:python page_address_pick@
p << page_address_calls.p; E << page_address_calls.E; V;
@@
bind(coccinelle, K.pick_page_address(p, E))

// A cast of the address to a pointer type goes too where the value is
// only stored (the new variable is a void *).  Anywhere else the cast
// stays: in ((T *)page_address(p)) + off it scales the offset.  A cast
// kept is replaced whole: around a new operand alone spatch would print
// it with a space after it, which checkpatch rejects.
@depends on patch && page_address_stage@
expression page_address_calls.E;
position page_address_calls.p;
identifier page_address_pick.V;
expression X;
type T;
@@
(
  X =
- (T *)page_address@p(E)
+ V
|
- (T)page_address@p(E)
+ (T)V
|
- page_address@p(E)
+ V
)

// Then the unmaps given a new argument.
@script:python unmap_arg_stage depends on patch@
@@
K.unmap_arg_stage()

@unmap_arg_calls depends on patch && unmap_arg_stage@
identifier f = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p : script:python(E) { K.collect_unmap(p, E) };
@@
f@p(E)

@script:python unmap_arg_pick@
p << unmap_arg_calls.p; E << unmap_arg_calls.E; f << unmap_arg_calls.f; A;
@@
bind(coccinelle, K.pick_unmap_arg(p, f, E))

@depends on patch && unmap_arg_stage@
identifier unmap_arg_calls.f;
expression unmap_arg_calls.E;
position unmap_arg_calls.p;
expression unmap_arg_pick.A;
@@
- f@p(E)
+ kunmap_local(A)

// Calls of an inlinable unmap helper: its body, with kunmap_local() of the
// address for its kunmap().  Two stages: helpers that only unmap, and
// helpers that call something after the unmap.
@script:python unmap_helper_stage depends on patch@
@@
K.unmap_helper_stage()

@unmap_helper_calls depends on patch && unmap_helper_stage@
identifier h : script:python() { K.is_unmap_helper(h) };
expression E;
position p : script:python(E) { K.collect_unmap_helper_call(p, E) };
@@
h@p(E);

@script:python unmap_helper_pick@
p << unmap_helper_calls.p; E << unmap_helper_calls.E;
h << unmap_helper_calls.h; A;
@@
bind(coccinelle, K.pick_unmap_helper(p, h, E, False))

@depends on patch && unmap_helper_stage@
identifier unmap_helper_calls.h;
expression unmap_helper_calls.E;
position unmap_helper_calls.p;
expression unmap_helper_pick.A;
@@
- h@p(E);
+ kunmap_local(A);

@script:python unmap_then_call_stage depends on patch@
@@
K.unmap_helper_stage()

@unmap_then_call_calls depends on patch && unmap_then_call_stage@
identifier h : script:python() { K.is_unmap_helper(h) };
expression E;
position p : script:python(E) { K.collect_unmap_helper_call(p, E) };
@@
h@p(E);

@script:python unmap_then_call_pick@
p << unmap_then_call_calls.p; E << unmap_then_call_calls.E;
h << unmap_then_call_calls.h; A; T;
@@
bind(coccinelle, K.pick_unmap_helper(p, h, E, True))

@depends on patch && unmap_then_call_stage@
identifier unmap_then_call_calls.h;
expression unmap_then_call_calls.E;
position unmap_then_call_calls.p;
expression unmap_then_call_pick.A;
identifier unmap_then_call_pick.T;
@@
- h@p(E);
+ kunmap_local(A);
+ T(E);

// kmap(page); v = page_address(page); where v can hold the mapping: one
// statement, v = kmap_local_page(page);.  (The maps keep their number and
// order, which later stages find them by.)
@script:python held_stage depends on patch@
@@
K.map_stage(K.HELD)

@held_maps depends on patch && held_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@held_site depends on patch && held_stage@
expression P, P2, X;
type T;
position p;
@@
kmap@p(P);
X = \( page_address(P2) \| (T *)page_address(P2) \);

@script:python held_pick@
p << held_site.p; P << held_site.P;
@@
bind(coccinelle, K.pick_held(p, P))

@depends on patch && held_stage@
expression held_site.P;
position held_site.p;
expression P2, X;
type T;
@@
- kmap@p(P);
  X =
(
- (T *)page_address(P2)
|
- page_address(P2)
)
+ kmap_local_page(P2)
  ;

// kmap(page); with the uses through page_address(): a new variable,
// declared at the top of the function.
@script:python new_variable_stage depends on patch@
@@
K.map_stage(K.NEW_VARIABLE)

@new_variable_maps depends on patch && new_variable_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@new_variable_site depends on patch && new_variable_stage@
identifier mapfn = {kmap};
expression P, E;
position p;
@@
(
mapfn@p(P);
|
E = mapfn@p(P);
|
E = <+... mapfn@p(P) ...+>;
)

@script:python new_variable_pick@
p << new_variable_site.p; P << new_variable_site.P; V; FN;
@@
bind(coccinelle, K.pick_new_variable(p, P))

@depends on patch && new_variable_stage@
identifier new_variable_site.mapfn;
expression new_variable_site.P;
expression E;
type T;
position new_variable_site.p;
identifier new_variable_pick.V;
@@
(
- mapfn@p(P);
+ V = kmap_local_page(P);
|
- E = mapfn@p(P);
+ V = kmap_local_page(P);
+ E = V;
|
- E = (T *)mapfn@p(P);
+ V = kmap_local_page(P);
+ E = V;
|
+ V = kmap_local_page(P);
  E = <+...
- (T)mapfn@p(P)
+ (T)V
  ...+>;
|
+ V = kmap_local_page(P);
  E = <+...
- mapfn@p(P)
+ V
  ...+>;
)

// The declaration, at the top of that function only (a rule that
// rewrote the statement inside the function body explored every path of
// it: half of all patch-mode time); followed by a blank line where the
// body starts with a statement (checkpatch).  The script binds the
// metavariables of one of the two rules only.
@script:python new_declaration@
V << new_variable_pick.V; FN << new_variable_pick.FN; D; F; DB; FB;
@@
bind(coccinelle, K.pick_declaration(FN, V))

@depends on patch && new_variable_stage@
identifier new_declaration.D, new_declaration.F;
@@
F(...) {
+ void *D;
... when any
}

@depends on patch && new_variable_stage@
identifier new_declaration.DB, new_declaration.FB;
@@
FB(...) {
+ void *DB;
+
... when any
}

// What kmap_atomic() did implicitly, made explicit around the region: one
// rule for the map and its unmaps, so that nothing moves in between.
@script:python guard_stage depends on patch@
@@
K.guard_stage()

@guard_maps depends on patch && guard_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@guard_unmaps depends on patch && guard_stage@
identifier f = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p : script:python(E) { K.collect_unmap(p, E) };
@@
f@p(E)

@guard_site depends on patch && guard_stage@
identifier f = {kmap_local_page, kunmap_local};
expression E, P;
position p;
@@
(
E = f@p(P);
|
f@p(P);
)

@script:python guard_pick@
p << guard_site.p; P << guard_site.P; f << guard_site.f; D; N;
@@
bind(coccinelle, K.pick_guard(p, f, P))

@depends on patch && guard_stage@
identifier guard_site.f;
expression E;
expression guard_site.P;
position guard_site.p;
identifier guard_pick.D, guard_pick.N;
@@
(
E = f@p(P);
+ D();
|
+ N();
f@p(P);
)

// The renamed map of a folio's first page in the form current kernels
// use, where the tree defines it.
@script:python folio_stage depends on patch@
@@
K.map_stage(K.FOLIO)

@folio_maps depends on patch && folio_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@folio_site depends on patch && folio_stage@
expression P;
position p;
@@
kmap_local_page@p(P)

@script:python folio_pick@
p << folio_site.p; P << folio_site.P; F;
@@
bind(coccinelle, K.pick_folio(p, P))

@depends on patch && folio_stage@
expression folio_site.P;
position folio_site.p;
identifier folio_pick.F;
type T;
@@
(
- (T)kmap_local_page@p(P)
+ (T)kmap_local_folio(F, 0)
|
- kmap_local_page@p(P)
+ kmap_local_folio(F, 0)
)

// memcpy() of a kmap() and its kunmap(): one helper call (last: it
// removes calls, which would shift the ranks other edits are found by).
@script:python copy_stage depends on patch@
@@
K.map_stage(K.COPY)

@copy_maps depends on patch && copy_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@copy_site depends on patch && copy_stage@
identifier mapfn = {kmap};
identifier unmapfn = {kunmap};
expression D, E, P, L, P2;
position p;
@@
(
memcpy(D, \( E \& <+... mapfn@p(P) ...+> \), L);
unmapfn(P2);
|
memcpy(\( E \& <+... mapfn@p(P) ...+> \), D, L);
unmapfn(P2);
|
clear_page(\( E \& mapfn@p(P) \));
unmapfn(P2);
)

@script:python copy_pick@
p << copy_site.p; P << copy_site.P; E << copy_site.E; F; G; O;
@@
bind(coccinelle, K.pick_copy_helper(p, P, E))

// The planned map's own position: another copy spelled the same way in
// the file is not this one.  The other buffer and the length are matched
// again (the clear_page() arm of copy_site binds neither).
@depends on patch && copy_stage@
identifier copy_site.mapfn, copy_site.unmapfn;
expression copy_site.P, copy_site.P2;
position copy_site.p;
identifier copy_pick.F;
expression copy_pick.G, copy_pick.O;
expression D, E, L;
@@
(
- memcpy(D, \( E \& <+... mapfn@p(P) ...+> \), L);
- unmapfn(P2);
+ F(D, G, O, L);
|
- memcpy(\( E \& <+... mapfn@p(P) ...+> \), D, L);
- unmapfn(P2);
+ F(G, O, D, L);
|
- clear_page(mapfn@p(P));
- unmapfn(P2);
+ F(G);
)

// The same with the address in a variable, whose declaration goes too.
@script:python var_copy_stage depends on patch@
@@
K.map_stage(K.VAR_COPY)

@var_copy_maps depends on patch && var_copy_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@var_copy_site depends on patch && var_copy_stage@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
identifier cp = {memcpy, memset};
expression P, A, B, L, X, E2;
position p;
@@
X = mapfn@p(P);
cp(A, B, L);
(
flush_dcache_page(P);
unmapfn(E2);
|
unmapfn(E2);
flush_dcache_page(P);
|
unmapfn(E2);
)

@script:python var_copy_pick@
p << var_copy_site.p; P << var_copy_site.P; X << var_copy_site.X;
A << var_copy_site.A; B << var_copy_site.B; L << var_copy_site.L;
cp << var_copy_site.cp; F; A1; A2; A3; A4;
@@
bind(coccinelle, K.pick_var_copy_helper(p, P, X, A, B, L, cp))

@depends on patch && var_copy_stage@
identifier var_copy_site.mapfn, var_copy_site.unmapfn;
expression var_copy_site.P, var_copy_site.A, var_copy_site.B;
expression var_copy_site.L, var_copy_site.X, var_copy_site.E2;
position var_copy_site.p;
identifier var_copy_pick.F;
expression var_copy_pick.A1, var_copy_pick.A2, var_copy_pick.A3;
expression var_copy_pick.A4;
@@
(
- X = mapfn@p(P);
- memcpy(A, B, L);
- flush_dcache_page(P);
- unmapfn(E2);
+ F(A1, A2, A3, A4);
|
- X = mapfn@p(P);
- memcpy(A, B, L);
- unmapfn(E2);
- flush_dcache_page(P);
+ F(A1, A2, A3, A4);
|
- X = mapfn@p(P);
- memcpy(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3, A4);
|
- X = mapfn@p(P);
- memset(A, B, L);
- flush_dcache_page(P);
- unmapfn(E2);
+ F(A1, A2, A3);
|
- X = mapfn@p(P);
- memset(A, B, L);
- unmapfn(E2);
- flush_dcache_page(P);
+ F(A1, A2, A3);
|
- X = mapfn@p(P);
- memset(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3);
)

// The declaring form: the declaration is the map, the copy stays where
// it is.
@script:python declared_copy_stage depends on patch@
@@
K.map_stage(K.DECLARED_COPY)

@declared_copy_maps depends on patch && declared_copy_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@declared_copy_site depends on patch && declared_copy_stage@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
identifier cp = {memcpy, memset};
type T;
identifier x;
expression P, A, B, L, E2;
position p;
@@
T x = mapfn@p(P);
...
cp(A, B, L);
unmapfn(E2);

@script:python declared_copy_pick@
p << declared_copy_site.p; P << declared_copy_site.P;
x << declared_copy_site.x; A << declared_copy_site.A;
B << declared_copy_site.B; L << declared_copy_site.L;
cp << declared_copy_site.cp; F; A1; A2; A3; A4;
@@
bind(coccinelle, K.pick_var_copy_helper(p, P, x, A, B, L, cp, True))

@depends on patch && declared_copy_stage@
identifier declared_copy_site.mapfn, declared_copy_site.unmapfn;
type declared_copy_site.T;
identifier declared_copy_site.x;
expression declared_copy_site.P, declared_copy_site.A;
expression declared_copy_site.B, declared_copy_site.L;
expression declared_copy_site.E2;
position declared_copy_site.p;
identifier declared_copy_pick.F;
expression declared_copy_pick.A1, declared_copy_pick.A2;
expression declared_copy_pick.A3, declared_copy_pick.A4;
@@
- T x = mapfn@p(P);
  ...
(
- memcpy(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3, A4);
|
- memset(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3);
)

// Two maps and a copy between them: one memcpy_page().
@script:python copy_pair_stage depends on patch@
@@
K.map_stage(K.COPY_PAIR)

@copy_pair_maps depends on patch && copy_pair_stage@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p : script:python(P) { K.collect_map(p, P) };
@@
f@p(P)

@copy_pair_site depends on patch && copy_pair_stage@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
expression X, Y, P1, P2, A, B, L, E1, E2;
position p;
@@
X = mapfn@p(P1);
Y = mapfn(P2);
memcpy(A, B, L);
unmapfn(E1);
unmapfn(E2);

@script:python copy_pair_pick@
p << copy_pair_site.p; X << copy_pair_site.X; Y << copy_pair_site.Y;
P1 << copy_pair_site.P1; P2 << copy_pair_site.P2; A << copy_pair_site.A;
B << copy_pair_site.B; L << copy_pair_site.L; A1; A2; A3; A4; A5;
@@
bind(coccinelle, K.pick_copy_pair(p, X, Y, P1, P2, A, B, L))

@depends on patch && copy_pair_stage@
identifier copy_pair_site.mapfn, copy_pair_site.unmapfn;
expression copy_pair_site.X, copy_pair_site.Y, copy_pair_site.P1;
expression copy_pair_site.P2, copy_pair_site.A, copy_pair_site.B;
expression copy_pair_site.L, copy_pair_site.E1, copy_pair_site.E2;
position copy_pair_site.p;
expression copy_pair_pick.A1, copy_pair_pick.A2, copy_pair_pick.A3;
expression copy_pair_pick.A4, copy_pair_pick.A5;
@@
- X = mapfn@p(P1);
- Y = mapfn(P2);
- memcpy(A, B, L);
- unmapfn(E1);
- unmapfn(E2);
+ memcpy_page(A1, A2, A3, A4, A5);

// The declarations of the variables the copy helpers made useless.  (A
// declaration pattern on its own: wrapping it in the function body with
// "..." costs a path exploration per declaration of every function.)
@script:python removed_decl_stage depends on patch@
@@
K.decl_stage()

@removed_decl_site depends on patch && removed_decl_stage@
identifier x : script:python() { K.decl_planned(x) };
type T;
position p;
@@
T x@p;

@script:python removed_decl_pick@
p << removed_decl_site.p; x << removed_decl_site.x;
@@
bind(coccinelle, K.pick_removed_decl(p, x))

@depends on patch && removed_decl_stage@
identifier removed_decl_site.x;
type removed_decl_site.T;
position removed_decl_site.p;
@@
- T x@p;

// A block the copy helpers left with one statement loses its braces.
@script:python unbrace_stage depends on patch@
@@
K.unbrace_stage()

@unbrace_site depends on patch && unbrace_stage@
expression E;
identifier F = {memcpy_to_page, memcpy_from_page, memzero_page,
		memcpy_page, memcpy_to_folio, memcpy_from_folio,
		folio_zero_range};
expression list ES;
position p;
@@
if (E) { F@p(ES); }

@script:python unbrace_pick@
p << unbrace_site.p; E << unbrace_site.E;
@@
bind(coccinelle, K.pick_unbrace(p, E))

@depends on patch && unbrace_stage@
expression unbrace_site.E;
identifier unbrace_site.F;
expression list unbrace_site.ES;
position unbrace_site.p;
@@
- if (E) { F@p(ES); }
+ if (E) F(ES);

@finalize:python@
@@
K.finish()
