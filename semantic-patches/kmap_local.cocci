// SPDX-License-Identifier: GPL-2.0-only
/// Classify every kmap()/kmap_atomic() call site for conversion to
/// kmap_local_page().
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
/// The SmPL rules below only collect facts (with positions); the Python at
/// the end joins them per function, because the decisions need several facts
/// at once (which unmap belongs to which map, textual order, helpers).
///
/// With -D json, one JSON object per site is printed (the driver's input);
/// otherwise (report mode, as used by make coccicheck) one line per site.
/// Files given in one spatch group (e.g. a .c file and its local headers)
/// see each other's unmap helpers.
//
// Confidence: Moderate
// Copyright: (C) 2026 The kmap-local developers.
// Options: --no-includes

virtual report
virtual json

@initialize:python@
@@
import json as jsonlib
import re

# Per spatch group state; a group is one file plus the local headers it
# includes, and the facts of one group never leak into another.
G = {}
OUT = []
PAIRED = set()
MODE = ['report']

DEFER_RE = re.compile(
	r'^(queue_(delayed_|rcu_)?work(_on)?|schedule_(delayed_)?work(_on)?|'
	r'mod_delayed_work(_on)?|kthread_(run|create)\w*|'
	r'kthread_queue_(delayed_)?work|mod_timer\w*|add_timer\w*|timer_setup|'
	r'call_rcu\w*|tasklet_(hi_)?schedule|tasklet_(init|setup)|'
	r'irq_work_queue\w*|complete(_all)?|async_schedule\w*|'
	r'smp_call_function\w*|on_each_cpu\w*|task_work_add|submit_bio)$')

def new_group():
	G.clear()
	G.update(sites={}, stores=[], derive=[], derive_pos=[], returns=[],
		 unmaps=[], defers=[], deps=[], loops=[], params={})

def pos(p):
	# Columns from spatch are 0-based; report 1-based like gcc.
	return (p[0].file, int(p[0].line), int(p[0].column) + 1)

def fn_of(p):
	return (p[0].file, p[0].current_element)

def norm(s):
	return re.sub(r'\s+', '', s)

def idents(s):
	return set(re.findall(r'[A-Za-z_]\w*', s))

def mentions(text, names):
	return bool(idents(text) & names)

MAPFNS = ('kmap', 'kmap_atomic')
CAST = re.compile(r'^\((?:const|volatile|struct|union|enum|unsigned|signed|'
		  r'[A-Za-z_]\w*)(?:\s*(?:[A-Za-z_]\w*|\*))*\s*\)')

def ptr_base(expr):
	"""The variable (or map function) a pointer expression is built on --
	x, (T *)x, x + off, (T *)(x + off), &x[i], &x->f, kmap(p) + off -- or
	None when the expression is a value read through it (x[i], *x, f(x))."""
	t = str(expr).strip()
	while True:
		m = CAST.match(t)
		if m and len(t) > m.end():
			t = t[m.end():].strip()
		elif t.startswith('(') and close_paren(t, 0) == len(t) - 1:
			t = t[1:-1].strip()
		else:
			break
	amp = t.startswith('&')
	if amp:
		t = t[1:].strip()
	m = re.match(r'[A-Za-z_]\w*', t)
	if not m:
		return None
	base, rest = m.group(0), t[m.end():].strip()
	if rest.startswith('(') and base in MAPFNS:
		rest = rest[close_paren(rest, 0) + 1:].strip()
	if amp:
		return base if rest[:1] == '[' or rest[:2] == '->' else None
	return base if rest == '' or rest[:1] in '+-' and rest[:2] != '->' \
		else None

def close_paren(t, i):
	depth = 0
	for j in range(i, len(t)):
		if t[j] == '(':
			depth += 1
		elif t[j] == ')':
			depth -= 1
			if depth == 0:
				return j
	return len(t)

def lhs_kind(lhs):
	"""Where a pointer stored through this lvalue lives."""
	t = norm(lhs)
	if t.startswith('*'):
		return 'through a pointer'
	if t.endswith(']'):
		return 'array element'
	if '->' in t or '.' in t:
		return 'structure field'
	return 'global or static'

# ------------------------------------------------------------ classifier --
# Everything below joins the facts of one group.  Lines are 1-based; "after"
# means textually after, which is how C code lays out its paths (error
# labels come last); exits (return/goto) between two unmaps split paths.

def by_fn(items):
	d = {}
	for it in items:
		d.setdefault(it[0], []).append(it)
	return d

def closure(start, edges):
	seen = set(start)
	grew = True
	while grew:
		grew = False
		for _, x, y, _l in edges:
			if x in seen and y not in seen:
				seen.add(y)
				grew = True
	return seen

def page_alias(page):
	# kmap(*p = page) maps page; kunmap() is given the right-hand side.
	t = norm(page)
	if '=' in t and '==' not in t:
		t = t.split('=')[-1]
	return unparen(t)

def unparen(t):
	while t.startswith('(') and t.endswith(')'):
		t = t[1:-1]
	return t

def store_root(lhs):
	m = re.match(r'[\s(&*]*([A-Za-z_]\w*)', lhs)
	return m.group(1) if m else lhs

def pair_unmaps(fsites, unmaps):
	"""Give each unmap to the nearest earlier map with the same handle."""
	for s in fsites:
		s['_unmaps'] = []
		s['_handle_unmaps'] = []
		s['_fuzzy'] = False
	for (_f, ufn, arg, line) in unmaps:
		a = unparen(norm(arg))
		cands = []
		for s in fsites:
			if s['api'] == 'kmap_atomic' and ufn != 'kunmap':
				names = s['_names']
				tgt = norm(s['store'][0]) if s['store'] else None
				if (names and mentions(arg, names)) or \
				   (tgt and tgt in a):
					cands.append(s)
			elif s['api'] == 'kmap' and ufn == 'kunmap':
				if a == page_alias(s['page']):
					cands.append(s)
		if not cands:
			# kunmap(page) where the map spelled the page otherwise
			# (kmap(bh->b_page) ... kunmap(page)): the nearest
			# earlier kmap() still unpaired takes it.
			if ufn != 'kunmap':
				continue
			cands = [s for s in fsites if s['api'] == 'kmap' and
				 not s['_unmaps'] and s['line'] <= line]
			fuzzy = True
		else:
			fuzzy = False
		before = [s for s in cands if s['line'] <= line]
		s = max(before or cands, key=lambda s: s['line'], default=None)
		for c in cands:
			c['_handle_unmaps'].append(line)
		if s is None:
			continue
		s['_unmaps'].append(line)
		s['_fuzzy'] = s['_fuzzy'] or fuzzy
		PAIRED.add((s['file'], line))

def classify_site(s, ctx):
	fkey = (s['file'], s['function'])
	names = s['_names']
	reasons = []
	cross = []
	nest = []
	unm = sorted(set(s['_unmaps']))
	store = s['store']
	stores = []
	if store:
		stores.append(store)
	for (_f, x, lhs, line, p) in ctx['stores'].get(fkey, []):
		if x in names and p not in ctx['derive_pos'] and \
		   line >= s['line']:
			stores.append((lhs, line))
	targets = [norm(l) for (l, _line) in stores]
	roots = set(store_root(l) for (l, _line) in stores)
	rets = []
	if s['ret']:
		rets.append(s['ret'])
	for (_f, e, line) in ctx['returns'].get(fkey, []):
		t = norm(e)
		if line < s['line']:
			continue
		if (names and mentions(e, names)) or \
		   any(tg in t for tg in targets) or \
		   (s['api'] == 'kmap' and not unm and
		    (unparen(t) == page_alias(s['page']) or
		     'page_address(%s)' % page_alias(s['page']) in t)):
			rets.append(line)
	outparams = [(l, line) for (l, line) in stores
		     if lhs_kind(l) == 'through a pointer']
	shared = [(l, line) for (l, line) in stores
		  if lhs_kind(l) != 'through a pointer']

	# Deferred work: the address itself, or a structure it was stored in,
	# handed to something that runs in another context.
	deferred = []
	if s['arg_of'] and DEFER_RE.match(s['arg_of']):
		deferred.append('address passed to %s() (line %d)' %
				(s['arg_of'], s['line']))
	for (_f, dfn, args, line) in ctx['defers'].get(fkey, []):
		if line < s['line']:
			continue
		if names and mentions(args, names):
			deferred.append('address handed to %s() (line %d)' %
					(dfn, line))
		elif roots & idents(args):
			lhs, sl = stores[0]
			deferred.append('address stored in %s (line %d), which '
					'is handed to %s() (line %d)' %
					(norm(lhs), sl, dfn, line))

	# The other half of a split pair: a helper unmapping the same kind of
	# lvalue (the page for kunmap(), the stored address for the others).
	want = set([shape(page_alias(s['page']))] if s['api'] == 'kmap' else
		   [shape(l) for (l, _line) in stores] + [shape(n) for n in names])
	# Parked in a field of a structure the caller passed in: a helper that
	# unmaps through a field of its structure argument is the other half.
	if any(shape(l).startswith('ROOT->') for (l, _line) in stores):
		want.add('ROOT->*')
	helpers = [h for h in ctx['helpers'] if
		   (h[4] in want or ('ROOT->*' in want and
				     h[4].startswith('ROOT->'))) and
		   (h[3] == 'kunmap') == (s['api'] == 'kmap')]
	def helper_text():
		return ', '.join('%s() (%s:%d)' % h[:3] for h in helpers[:3])

	if s['api'] == 'kmap' and deferred:
		cross += deferred
	elif not unm:
		handed = ['returned to the caller (line %d)' % l for l in rets]
		handed += ['handed to the caller through %s (line %d)' %
			   (norm(l), line) for (l, line) in outparams]
		where = ', '.join(handed)
		if s['api'] == 'kmap' and shared and not rets:
			cross.append('address stored in %s (line %d), unmapped '
				     'in another function' %
				     (norm(shared[0][0]), shared[0][1]))
		elif helpers:
			nest.append('map/unmap split across helper functions: '
				    'mapping %s; unmapped by %s' %
				    (where or 'left live when the function '
				     'returns', helper_text()))
		elif s['api'] == 'kmap':
			cross.append('mapping %s, and no unmap here nor an '
				     'unmap helper in this file or its local '
				     'headers: no proof that one thread unmaps '
				     'it' % (where or 'outlives the function'))
		else:
			nest.append('map/unmap split across functions: no '
				    'kunmap_atomic() of this address in %s()' %
				    s['function'])
	else:
		for (l, line) in shared:
			reasons.append('address stored in %s (line %d), unmapped '
				       'in the same function' % (norm(l), line))
		if s['_fuzzy']:
			reasons.append('unmap at line %s takes the page spelled '
				       'differently' % unm[-1])

	if not cross and unm:
		last = max(unm)
		# kmap_atomic() disabled pagefaults and preemption; code in the
		# region that needs either breaks silently under kmap_local.
		if s['api'] == 'kmap_atomic':
			for (_f, afn, line) in ctx['deps'].get(fkey, []):
				if not s['line'] <= line <= last:
					continue
				if 'inatomic' in afn or 'fault' in afn:
					what = 'pagefault_disable()'
				else:
					what = 'preempt_disable()'
				nest.append('relies on the implicit %s of '
					    'kmap_atomic(): %s() at line %d' %
					    (what, afn, line))
				if 'inatomic' in afn:
					for o in ctx['fsites'][fkey]:
						if o['api'] == 'kmap':
							nest.append(
							  'retry idiom: '
							  'falls back to '
							  'kmap() at line '
							  '%d' % o['line'])
							break
		# Strict LIFO: an earlier mapping still live here must be
		# unmapped after this one on every path.
		for o in ctx['fsites'][fkey]:
			if o is s or not o['_unmaps']:
				continue
			first, second = (o, s) if o['line'] < s['line'] else \
					(s, o)
			if first['line'] == second['line']:
				continue
			live = [u for u in first['_unmaps']
				if u > second['line']]
			bad = None
			for ua in live:
				for ub in second['_unmaps']:
					if ub <= ua:
						continue
					if not exits_between(s['file'],
							     ua, ub):
						bad = (ua, ub)
						break
				if bad:
					break
			if bad:
				nest.append('overlaps the mapping at line %d; '
					    'unmaps not in reverse order (line '
					    '%d unmaps the older one before line '
					    '%d unmaps the newer)' %
					    (o['line'], bad[0], bad[1]))
	# Maps in a loop need their unmap in the same iteration, or the
	# per-task stack grows by one slot per iteration (KM_MAX_IDX).
	loops = [(a, b) for (f, a, b) in ctx['loops']
		 if f == s['file'] and a <= s['line'] <= b]
	if not cross and loops:
		a, b = max(loops)
		# An unmap of the same handle anywhere in the body counts: a
		# rolling remap unmaps the previous iteration's mapping first.
		if not [u for u in s['_handle_unmaps'] if a <= u <= b]:
			nest.append('mapped in the loop at line %d without an '
				    'unmap in the same iteration: the mapping '
				    'stack grows (KM_MAX_IDX)' % a)

	if cross:
		cls = 'cross-thread'
		reasons = cross + reasons
	elif nest:
		cls = 'nesting-sensitive'
		reasons = nest + reasons
	else:
		cls = 'thread-local'
		reasons.insert(0, 'mapped and unmapped in %s() (unmap at line '
			       '%s)%s' % (s['function'], ', '.join(map(str, unm)),
			       '' if reasons else '; address used only locally'))
	return cls, reasons

def shape(expr):
	"""An lvalue with its root variable abstracted: ibh->b_page -> ROOT->b_page,
	so a helper's parameter matches whatever the map site called it."""
	return re.sub(r'^[A-Za-z_]\w*', 'ROOT', unparen(norm(expr)))

def unmap_helpers(paired):
	"""Unmaps of something built from a parameter, that the function did
	not map itself: (function, file, line, unmap function, arg shape)."""
	found = set()
	for ((f, fn), ufn, arg, line) in G['unmaps']:
		if (f, line) in paired:
			continue
		if mentions(arg, G['params'].get((f, fn), set())):
			found.add((fn, f, line, ufn, shape(arg)))
	return sorted(found)

def exits_between(path, a, b):
	"""return/goto statements on lines a..b-1 (the paths split there)."""
	try:
		with open(path, errors='replace') as fh:
			lines = fh.read().split('\n')
	except OSError:
		return True
	text = '\n'.join(lines[a - 1:b - 1])
	# (no slash-star or slash-slash here: spatch strips them from scripts)
	text = re.sub(r'[/][*].*?[*][/]|[/][/][^\n]*', ' ', text, flags=re.S)
	return re.search(r'\b(return|goto)\b', text) is not None

def note_derive(p, x, y):
	G['derive'].append((fn_of(p), str(x), str(y), int(p[0].line)))
	G['derive_pos'].append(pos(p))

def note_store(p, x, lhs):
	G['stores'].append((fn_of(p), str(x), str(lhs), int(p[0].line),
			    pos(p)))

def flush():
	if not G or not G.get('sites'):
		return
	sites = sorted(G['sites'].values(),
		       key=lambda s: (s['file'], s['line'], s['column']))
	derive = by_fn(G['derive'])
	fsites = {}
	for s in sites:
		fkey = (s['file'], s['function'])
		fsites.setdefault(fkey, []).append(s)
		start = set([s['var']]) if s['var'] else set()
		s['_names'] = closure(start, derive.get(fkey, [])) \
			if start else set()
	unmaps = by_fn(G['unmaps'])
	PAIRED.clear()
	for fkey, ss in fsites.items():
		pair_unmaps(ss, unmaps.get(fkey, []))
	ctx = dict(fsites=fsites, stores=by_fn(G['stores']),
		   derive_pos=set(G['derive_pos']),
		   returns=by_fn(G['returns']),
		   defers=by_fn(G['defers']), deps=by_fn(G['deps']),
		   loops=G['loops'],
		   helpers=unmap_helpers(PAIRED))
	for s in sites:
		cls, reasons = classify_site(s, ctx)
		OUT.append(dict(file=s['file'], line=s['line'],
				column=s['column'], function=s['function'],
				api=s['api'], **{'class': cls},
				reasons=reasons, page=norm(s['page']),
				address=s['var'],
				unmaps=sorted(set(s['_unmaps']))))
	G.clear()

@script:python start_group@
@@
flush()
new_group()

@script:python depends on json@
@@
MODE[0] = 'json'

// ---------------------------------------------------------------- facts --

@site@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p;
@@
mapfn@p(P)

@script:python@
p << site.p;
mapfn << site.mapfn;
P << site.P;
@@
G['sites'][pos(p)] = dict(file=p[0].file, line=int(p[0].line),
	column=pos(p)[2], function=p[0].current_element, api=mapfn,
	page=str(P), var=None, store=None, ret=None, arg_of=None)

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
p << bind.p;
x << bind.x;
E << bind.E;
@@
s = G['sites'].get(pos(p))
if s and s['var'] is None and ptr_base(E) in MAPFNS:
	s['var'] = str(x)

// Chained binding: start = p = kmap_atomic(page) binds both.
@bind_chain@
identifier mapfn = {kmap, kmap_atomic};
expression P;
local idexpression x, y;
position p;
@@
y = x = mapfn@p(P)

@script:python@
p << bind_chain.p;
x << bind_chain.x;
y << bind_chain.y;
@@
note_derive(p, x, y)

// The address written straight into something that may outlive the frame.
@store@
identifier mapfn = {kmap, kmap_atomic};
expression P, E, L;
position p;
@@
L = \( E \& <+... mapfn@p(P) ...+> \)

@script:python@
p << store.p;
L << store.L;
E << store.E;
@@
s = G['sites'].get(pos(p))
if s and s['var'] is None and s['store'] is None and \
   ptr_base(E) in MAPFNS:
	s['store'] = (str(L), int(p[0].line))

@retmap@
identifier mapfn = {kmap, kmap_atomic};
expression P, E;
position p;
@@
return \( E \& <+... mapfn@p(P) ...+> \);

@script:python@
p << retmap.p;
E << retmap.E;
@@
s = G['sites'].get(pos(p))
if s and ptr_base(E) in MAPFNS:
	s['ret'] = int(p[0].line)

@argmap@
identifier mapfn = {kmap, kmap_atomic};
identifier g;
expression P;
position p;
@@
g(..., <+... mapfn@p(P) ...+>, ...)

@script:python@
p << argmap.p;
g << argmap.g;
@@
s = G['sites'].get(pos(p))
if s and s['arg_of'] is None:
	s['arg_of'] = g

// Pointers derived from the address, two assignments deep: y = x,
// y = x + off, y = (T *)x, &x[i], ...  Inheriting the name keeps these rules
// off functions that never mention it.
@derive@
local idexpression bind.x;
local idexpression y;
expression E;
position p;
@@
y@p = \( E \& <+... x ...+> \)

@script:python@
p << derive.p;
x << bind.x;
y << derive.y;
E << derive.E;
@@
if ptr_base(E) == str(x):
	note_derive(p, x, y)

@derive2@
local idexpression derive.y;
local idexpression z;
expression E;
position p;
@@
z@p = \( E \& <+... y ...+> \)

@script:python@
p << derive2.p;
y << derive.y;
z << derive2.z;
E << derive2.E;
@@
if ptr_base(E) == str(y):
	note_derive(p, y, z)

// The address, or a pointer derived from it, stored into anything; Python
// drops the stores that are one of the local derivations above.
@xstore@
local idexpression bind.x;
expression E, L;
position p;
@@
L@p = \( E \& <+... x ...+> \)

@script:python@
p << xstore.p;
x << bind.x;
L << xstore.L;
E << xstore.E;
@@
if ptr_base(E) == str(x):
	note_store(p, x, L)

@xstore2@
local idexpression derive.y;
expression E, L;
position p;
@@
L@p = \( E \& <+... y ...+> \)

@script:python@
p << xstore2.p;
y << derive.y;
L << xstore2.L;
E << xstore2.E;
@@
if ptr_base(E) == str(y):
	note_store(p, y, L)

@xstore3@
local idexpression derive2.z;
expression E, L;
position p;
@@
L@p = \( E \& <+... z ...+> \)

@script:python@
p << xstore3.p;
z << derive2.z;
L << xstore3.L;
E << xstore3.E;
@@
if ptr_base(E) == str(z):
	note_store(p, z, L)

@returns@
expression E;
position p;
@@
return@p E;

@script:python@
p << returns.p;
E << returns.E;
@@
G['returns'].append((fn_of(p), str(E), int(p[0].line)))

@unmap@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p;
@@
unmapfn@p(E)

@script:python@
p << unmap.p;
unmapfn << unmap.unmapfn;
E << unmap.E;
@@
G['unmaps'].append((fn_of(p), str(unmapfn), str(E), int(p[0].line)))

@defer@
identifier dfn =~ "^(queue_|schedule_|mod_delayed_work|kthread_|mod_timer|add_timer|timer_setup|call_rcu|tasklet_|irq_work_queue|complete|async_schedule|smp_call_function|on_each_cpu|task_work_add|submit_bio)";
expression list Es;
position p;
@@
dfn@p(Es)

@script:python@
p << defer.p;
dfn << defer.dfn;
Es << defer.Es;
@@
if DEFER_RE.match(dfn):
	G['defers'].append((fn_of(p), dfn, str(Es), int(p[0].line)))

// Calls that only work because kmap_atomic() disabled pagefaults or
// preemption.
@atomicdep@
identifier afn =~ "(_inatomic|^smp_processor_id$|^this_cpu_|^__this_cpu_|^raw_cpu_|^get_cpu_ptr$|^get_cpu_var$|^in_atomic$|^pagefault_disabled$|^faults_disabled)";
position p;
@@
afn@p(...)

@script:python@
p << atomicdep.p;
afn << atomicdep.afn;
@@
G['deps'].append((fn_of(p), afn, int(p[0].line)))

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
pa << loops.pa;
pb << loops.pb;
@@
G['loops'].append((pa[0].file, int(pa[0].line), int(pb[0].line)))

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
fn << params.fn;
prm << params.prm;
p << params.p;
@@
G['params'].setdefault((p[0].file, str(fn)), set()).add(str(prm))

@finalize:python@
@@
flush()
if MODE[0] == 'json':
	for s in OUT:
		print(jsonlib.dumps(s))
else:
	for s in OUT:
		print('%s:%d:%d: %s() site is %s: %s' % (s['file'], s['line'],
		      s['column'], s['api'], s['class'], '; '.join(s['reasons'])))
