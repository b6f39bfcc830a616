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
virtual patch

@initialize:python@
@@
import json as jsonlib
import os
import re

# Per spatch group state; a group is one file plus the local headers it
# includes, and the facts of one group never leak into another.
G = {}
OUT = []
PAIRED = set()
# The rewrites planned for the current group, by position (see plan_group).
RW = {}
MODE = {'json': False, 'patch': False}

DEFER_RE = re.compile(
	r'^(queue_(delayed_|rcu_)?work(_on)?|schedule_(delayed_)?work(_on)?|'
	r'mod_delayed_work(_on)?|kthread_(run|create)\w*|'
	r'kthread_queue_(delayed_)?work|mod_timer\w*|add_timer\w*|timer_setup|'
	r'call_rcu\w*|tasklet_(hi_)?schedule|tasklet_(init|setup)|'
	r'irq_work_queue\w*|complete(_all)?|async_schedule\w*|'
	r'smp_call_function\w*|on_each_cpu\w*|task_work_add|submit_bio)$')

def audit_denials():
	"""(file, function) -> why, from the JSON lines file KMAP_LOCAL_DENY
	names: functions where kmap-audit flagged an earlier rewrite (make
	convert VERIFY=1).  Their sites stay manual, with the finding."""
	path = os.environ.get('KMAP_LOCAL_DENY')
	found = {}
	if not path:
		return found
	with open(path) as fh:
		for line in fh:
			if line.strip():
				d = jsonlib.loads(line)
				found[(d['file'], d['function'])] = d['reason']
	return found

DENY = audit_denials()

def new_group():
	G.clear()
	G.update(sites={}, stores=[], derive=[], derive_pos=[], returns=[],
		 bound=set(), lassign=[], assign=[], site_fns=None,
		 unmaps=[], calls=[], loops=[], params={},
		 leaks={},
		 leaks_nt={},
		 page_addr=[], astmt={}, bare=set(), reassign=[],
		 fsites=None, order=[], local_maps=[], helper={}, hvar={},
		 hvar_far={}, hpair={}, uhelpers={}, hunmaps=[], hcall={},
		 hbound={})
	RW.clear()
	RW.update(map=set(), unmap_rename=set(), unmap_arg={}, pa={},
		  intro={}, guard={}, helper={}, vhelper={}, decl_rm=set(),
		  hunmap={}, vfar={}, vpair={})

def pos(p):
	# Columns from spatch are 0-based; report 1-based like gcc.
	return (p[0].file, int(p[0].line), int(p[0].column) + 1)

def is_uhelper(h):
	return bool(G) and str(h) in G['uhelpers']

def fn_of(p):
	return (p[0].file, p[0].current_element)

def norm(s):
	return re.sub(r'\s+', '', s)

def squash(s):
	"""C text with blanks only where they separate two words."""
	s = re.sub(r'(?<=\w)\s+(?=\w)', chr(1), s)
	return re.sub(r'\s+', '', s).replace(chr(1), ' ')

def tidy(t):
	"""C text as spatch prints it (a space between all tokens) made
	readable for messages: (void *) (unsigned long) p->f[i], f(x)."""
	t = ' '.join(str(t).split())
	t = re.sub(r'\s*(->|[.]|\[|\])\s*', r'\1', t)
	t = re.sub(r'[(]\s+', '(', t)
	t = re.sub(r'\s+[)]', ')', t)
	return re.sub(r'(\w)\s+[(]', r'\1(', t)

def idents(s):
	return set(re.findall(r'[A-Za-z_]\w*', s))

def mentions(text, names):
	return bool(idents(text) & names)

def root_idents(s):
	"""The identifiers of s that name variables or functions, without the
	fields after -> or . (pt->v does not name a variable v)."""
	t = re.sub(r'\s*(->|[.])\s*', r'\1', str(s))
	return set(re.findall(r'(?<![\w.])(?<!->)[A-Za-z_]\w*', t))

def names_variable(text, names):
	"""text uses one of the variables names (not a field of that name):
	what pairs an unmap with a map."""
	return bool(root_idents(text) & names)

def is_lvalue_in(lv, text):
	"""The lvalue lv (normalised) appears whole in text (normalised):
	st->frag_data in kunmap_atomic(st->frag_data), not p in pt->v."""
	return re.search(r'(?<![\w.>])%s(?![\w])' % re.escape(lv),
			 text) is not None

MAPFNS = ('kmap', 'kmap_atomic')
UNMAPFNS = ('kunmap', 'kunmap_atomic', 'kunmap_local')
# Words after the first are separated by blanks or stars, so that no
# identifier can be split two ways (nested free repetition backtracked
# exponentially on a long parenthesised expression that is not a cast).
CAST = re.compile(r'^\(\s*(?:const|volatile|struct|union|enum|unsigned|'
		  r'signed|[A-Za-z_]\w*)(?:\s*\*|\s+[A-Za-z_]\w*)*\s*\)')

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
	"""Give each unmap to the nearest earlier map with the same handle.
	A call of an inlinable unmap helper (G['hcall']) pairs only with a
	kmap() of the very same page: it also releases pages mapped elsewhere."""
	for s in fsites:
		s['_unmaps'] = []
		s['_upos'] = []
		s['_handle_unmaps'] = []
		s['_orphan_unmaps'] = []
		s['_fuzzy'] = False
	for (_f, ufn, arg, line, upos) in unmaps:
		via_helper = upos in G['hcall']
		a = unparen(norm(arg))
		cands = []
		for s in fsites:
			if s['api'] == 'kmap_atomic' and ufn != 'kunmap':
				names = s['_names']
				tgt = norm(s['store'][0]) if s['store'] else None
				if (names and names_variable(arg, names)) or \
				   (tgt and is_lvalue_in(tgt, a)):
					cands.append(s)
			elif s['api'] == 'kmap' and ufn == 'kunmap':
				if a == page_alias(s['page']):
					cands.append(s)
		if not cands:
			# kunmap(page) where the map spelled the page otherwise
			# (kmap(bh->b_page) ... kunmap(page)): the nearest
			# earlier kmap() still unpaired takes it.
			if ufn != 'kunmap' or via_helper:
				continue
			cands = [s for s in fsites if s['api'] == 'kmap' and
				 not s['_unmaps'] and s['line'] <= line]
			fuzzy = True
		else:
			fuzzy = False
		# Only a map that comes before the unmap made what it releases;
		# an unmap with none (the address a caller mapped, or the one
		# of a later map reached round a loop) pairs with nothing, and
		# the maps of that handle are not rewritten (see classify_site).
		before = [s for s in cands if s['line'] <= line]
		s = max(before, key=lambda s: s['line'], default=None)
		for c in cands:
			c['_handle_unmaps'].append(line)
			if s is None:
				c['_orphan_unmaps'].append(line)
		if s is None:
			continue
		s['_unmaps'].append(line)
		s['_upos'].append((upos, ufn, arg))
		s['_fuzzy'] = s['_fuzzy'] or fuzzy
		PAIRED.add((s['file'], line))

def classify_site(s, ctx):
	fkey = (s['file'], s['function'])
	names = s['_names']
	reasons = []
	cross = []
	nest = []
	# What the rewrite can fix (see plan_site): a region that needs
	# pagefaults/preemption off, unmaps to swap.  Anything else in nest
	# is a reason for a human.
	s['_guards'] = set()
	s['_retry'] = False
	s['_swaps'] = []
	s['_fixable'] = 0
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
		   (s['api'] == 'kmap' and
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

	# Neither shown local nor shown to leave: a human reads the callee.
	if unm and shared and not deferred:
		nest += handed_in_structure(s, ctx, shared, max(unm))
	if API_FN_RE.match(s['function']):
		cross.append('part of the mapping API: %s() hands out the '
			     'mapping it makes; its callers are the sites' %
			     s['function'])
	elif deferred and (s['api'] == 'kmap' or unm):
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
			for (_f, afn, _a, line) in ctx['calls'].get(fkey, []):
				if not s['line'] <= line <= last:
					continue
				kind = dependency(afn)
				if kind is None:
					continue
				if kind == 'atomic':
					nest.append('relies on the atomic context '
						    'of kmap_atomic(): %s() at line '
						    '%d says by its name that it '
						    'runs atomic' % (afn, line))
					continue
				what = kind + '_disable()'
				nest.append('relies on the implicit %s of '
					    'kmap_atomic(): %s() at line %d' %
					    (what, afn, line))
				s['_guards'].add(what[:-len('_disable()')])
				s['_fixable'] += 1
				if 'inatomic' in afn:
					for o in ctx['fsites'][fkey]:
						if o['api'] == 'kmap':
							nest.append(
							  'retry idiom: '
							  'falls back to '
							  'kmap() at line '
							  '%d' % o['line'])
							s['_retry'] = True
							o['_retry_of'] = s['line']
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
			bads = []
			for ua in live:
				for ub in second['_unmaps']:
					if ub <= ua:
						continue
					if not exits_between(s['file'],
							     ua, ub):
						bads.append((ua, ub))
						break
			bad = bads[0] if bads else None
			if bad:
				s['_swaps'].append((first, second, bads))
				s['_fixable'] += 1
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

	# An unmap of this handle with no map before it releases a mapping
	# made elsewhere (a caller's, or this map's on an earlier pass of a
	# loop): renaming this map alone would leave that unmap unmatched.
	if not cross and s['_orphan_unmaps']:
		nest.append('map/unmap split across functions: the unmap at '
			    'line %d releases this address with no map of it '
			    'before, in %s()' % (s['_orphan_unmaps'][0],
						 s['function']))

	# A path from the map to a return that never unmaps: with a local
	# mapping the per-task stack is left unbalanced.  When the address
	# also leaves the function (returned, or stored where the caller
	# sees it) that path hands the mapping on on purpose: another
	# function unmaps it, and an unmap added there would break it.
	handed_on = False
	if not cross and unm:
		stored = ['stored in %s (line %d)' % (norm(l), line)
			  for (l, line) in outparams + shared]
		for r in leak_lines((s['file'], s['line'], s['column'])):
			handed = ['returned (line %d)' % r] if r in rets else \
				stored
			handed_on = handed_on or bool(handed)
			if handed:
				nest.append('map/unmap split across functions: '
					    'the path returning at line %d '
					    'may leave it mapped, the mapping '
					    '%s where another function can '
					    'unmap it' % (r, handed[0]))
			else:
				nest.append('the path returning at line %d '
					    'may leave it mapped: no unmap on '
					    'it that this script sees' % r)
	if handed_on:
		reasons = [r for r in reasons
			   if not r.endswith('unmapped in the same function')]
	s['_nest'] = len(nest)
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

# The names dependency() looks at (per-CPU state, user copies, callees
# that say they run atomic).
DEP_RE = re.compile(
	r'_inatomic|^smp_processor_id$|^this_cpu_|^__this_cpu_|^raw_cpu_|'
	r'^get_cpu_ptr$|^get_cpu_var$|^in_atomic$|^pagefault_disabled$|'
	r'^faults_disabled|_user$|_user_|^user_access_begin$|'
	r'copy\w*_(from|to)_iter|^iov_iter_zero$|^iterate_and_advance|'
	r'_atomic$')

# User memory accesses: under kmap_atomic() they ran with pagefaults
# disabled (a fault made the copy short); they need the explicit
# pagefault_disable() to keep that.
USER_ACCESS_RE = re.compile(
	r'^(_*|raw_|unsafe_)(copy_(from|to)_user(_nofault|_inatomic)?|'
	r'get_user|put_user|clear_user)$|^strncpy_from_user(_nofault)?$|'
	r'^strnlen_user$|^user_access_begin$|^copy_mc_to_user$|'
	r'^_*copy\w*_(from|to)_iter(_\w+)?$|_and_copy_(from|to)_iter$|'
	r'^iov_iter_zero$|^iterate_and_advance\w*$')

def dependency(afn):
	"""What a call in a kmap_atomic() region relies on: 'pagefault',
	'preempt', 'atomic' (its name says it runs atomic; no one explicit
	disable is known to be enough), or None (a mapping call, or a name
	that only looked like one, or no dependency at all)."""
	if not DEP_RE.search(afn) or 'kmap' in afn or 'kunmap' in afn:
		return None
	if 'inatomic' in afn or 'fault' in afn or USER_ACCESS_RE.search(afn):
		return 'pagefault'
	if afn.endswith('_atomic'):
		return 'atomic'
	if re.search(r'_user$|_user_', afn):
		return None
	return 'preempt'

# A function of the mapping API itself (kmap_atomic_prot() mapping with
# kmap_atomic() semantics, kmap_atomic_pfn()...): not a user to convert.
API_FN_RE = re.compile(r'^_*k(un)?map(_|$)')

# Callees known to use what they are given only while they run, in the
# calling thread: the mapping API, memory and string helpers, printing,
# locks and checks.  Any other callee given a structure that holds a mapped
# address may queue it for another context: the site is left to a human
# (not rewritten, and not called cross-thread, which the script cannot
# show either).
TRANSIENT_RE = re.compile(
	r'^(k?un)?map\w*$|^kmap\w*$|^(mem|str)\w+$|^flush_dcache_\w+$|'
	r'^(pr|dev|netdev)_(emerg|alert|crit|err|warn|warning|notice|info|'
	r'dbg|debug)\w*$|^printk\w*$|^WARN\w*$|^BUG_ON$|^(un)?likely$|'
	r'^(min|max|clamp)\w*$|^(raw_)?spin_\w+$|^mutex_\w+$|'
	r'^(READ|WRITE)_ONCE$|^sizeof$|^ARRAY_SIZE$|^(IS_ERR|PTR_ERR)\w*$')

def handed_in_structure(s, ctx, shared, last):
	"""The calls between the store and the last unmap that are given the
	structure the address was stored in (or the one that contains it)
	and are not known to use it only in this thread."""
	fkey = (s['file'], s['function'])
	first = min(line for (_l, line) in shared)
	holders = {}
	for (lhs, line) in shared:
		holders.setdefault(store_root(lhs), (lhs, line))
	for (fk, y, E, _p) in G['lassign']:
		if fk == fkey and str(y) in holders:
			b = ptr_base(E)
			if b and b not in holders:
				holders[b] = holders[str(y)]
	found = []
	for (_f, g, args, line) in ctx['calls'].get(fkey, []):
		if not first <= line <= last or TRANSIENT_RE.match(g) or \
		   DEFER_RE.match(g):
			continue	# (deferred work is reported as such)
		for a in split_top(norm(args)):
			# a pointer built on the holder, or the address of the
			# holder or of a member of it (&data, &req->work)
			b = ptr_base(a) or (store_root(a) if a.startswith('&')
					    else None)
			if b in holders:
				lhs, sl = holders[b]
				found.append(
					'address stored in %s (line %d); %s() is '
					'given %s (line %d) and may hand it to '
					'another context (a kthread, an interrupt '
					'handler): not shown to stay in this thread'
					% (norm(lhs), sl, g, tidy(a), line))
				break
	return found[:1]

def shape(expr):
	"""An lvalue with its root variable abstracted: ibh->b_page -> ROOT->b_page,
	so a helper's parameter matches whatever the map site called it."""
	return re.sub(r'^[A-Za-z_]\w*', 'ROOT', unparen(norm(expr)))

def unmap_helpers(paired):
	"""Unmaps of something built from a parameter, that the function did
	not map itself: (function, file, line, unmap function, arg shape)."""
	found = set()
	for ((f, fn), ufn, arg, line, _p) in G['unmaps']:
		if (f, line) in paired:
			continue
		if mentions(arg, G['params'].get((f, fn), set())):
			found.add((fn, f, line, ufn, shape(arg)))
	return sorted(found)

def source_lines(path):
	"""The lines of a file of the group, read once per group ([] when it
	cannot be read)."""
	cache = G.setdefault('src', {})
	if path not in cache:
		try:
			with open(path, errors='replace') as fh:
				cache[path] = fh.read().split('\n')
		except OSError:
			cache[path] = []
	return cache[path]

def source_text(path, first, last):
	"""Lines first..last (1-based, inclusive), comments removed."""
	return strip_comments('\n'.join(source_lines(path)[first - 1:last]))

def strip_comments(text):
	# (no slash-star or slash-slash here: spatch strips them from scripts)
	return re.sub(r'[/][*].*?[*][/]|[/][/][^\n]*', ' ', text, flags=re.S)

def exits_between(path, a, b):
	"""return/goto statements on lines a..b-1 (the paths split there)."""
	if not source_lines(path):
		return True
	return re.search(r'\b(return|goto)\b',
			 source_text(path, a, b - 1)) is not None

def in_site_fn(p):
	"""p is in a function that maps a page (the sites are known by then)."""
	if not G:
		return False
	if G['site_fns'] is None:
		G['site_fns'] = set((s['file'], s['function'])
				    for s in G['sites'].values())
	return (p[0].file, p[0].current_element) in G['site_fns']

def follow_assignments():
	"""Derivations and stores of the mapped addresses, from the recorded
	assignments: y = <x-based pointer> (x a variable a map was bound to),
	then z = <y-based>; a store is any assignment of an x-, y- or z-based
	pointer (Python drops the local derivations among them later)."""
	# Only right-hand sides naming a variable of interest can be built on
	# one (ptr_base() parses the expression).
	def based(E, names):
		return ptr_base(E) if mentions(E, names) else None
	base = [(based(E, G['bound']), fk, y, p)
		for (fk, y, E, p) in G['lassign']]
	ys = set()
	for (b, _fk, y, p) in base:
		if b in G['bound']:
			note_derive(p, b, y)
			ys.add(y)
	zs = set()
	for (fk, z, E, p) in G['lassign']:
		b = based(E, ys)
		if b in ys:
			note_derive(p, b, z)
			zs.add(z)
	names = G['bound'] | ys | zs
	bases = [(based(E, names), L, p) for (_fk, L, E, p) in G['assign']]
	for names in (G['bound'], ys, zs):
		for (b, L, p) in bases:
			if b in names:
				note_store(p, b, L)

def note_derive(p, x, y):
	G['derive'].append((fn_of(p), str(x), str(y), int(p[0].line)))
	G['derive_pos'].append(pos(p))

def note_bound(p, offs, length, m):
	"""The offsets and the length of a copy a helper could replace, and
	the line of the copy (page_bound() judges them)."""
	G['hbound'][pos(p)] = ([str(o) if o is not None else None
				for o in offs], str(length), int(m[0].line))

def note_call(p, g, args):
	G['calls'].append((fn_of(p), g, args, int(p[0].line)))

def note_store(p, x, lhs):
	G['stores'].append((fn_of(p), str(x), str(lhs), int(p[0].line),
			    pos(p)))

# --------------------------------------------------------------- rewrite --
# plan_group() turns the verdicts into edits keyed by position; the patch
# rules at the end only apply what is planned here.  A site is rewritten
# only when every edit it needs can be made; otherwise it is left as it is
# with a suggestion for a human ("manual").

GUARDS = ('pagefault', 'preempt')

SUGGEST = (
	('split across helper',
	 'convert the map helper and its unmap helper together: return the '
	 'kmap_local_page() address and have the unmap helper take that '
	 'address for kunmap_local(); callers must unmap in reverse order'),
	('split across functions',
	 'the mapping is released outside this map\'s own path: convert it '
	 'together with every unmap of that address (in this function and '
	 'the ones it is handed to), keeping their order strictly LIFO, or '
	 'keep the current mapping call'),
	('in the loop',
	 'unmap in the same iteration (kunmap_local() before the next map), '
	 'or keep kmap(): local mappings are limited to KM_MAX_IDX'),
	('may leave it mapped',
	 'check that path: if it is real, the mapping leaks today too and '
	 'needs its unmap; if it cannot happen (a condition repeated, a '
	 'pointer that is NULL unless mapped), convert by hand or let '
	 'make convert VERIFY=1 (kmap-audit) judge it'),
	('retry idiom',
	 'map once with kmap_local_page() and use copy_from_user()/'
	 'copy_to_user() instead of the _inatomic copy and the kmap() '
	 'fallback when the context can fault; otherwise keep '
	 'pagefault_disable() around the _inatomic copy'),
	('not in reverse order',
	 'unmap in reverse order of mapping (strict LIFO); the code between '
	 'the two unmaps uses the newer mapping, so move the older unmap '
	 'after it by hand'),
	('not shown to stay in this thread',
	 'read the callee: if it, or anything it calls, queues the structure '
	 'for another context (a kthread, an interrupt handler, deferred '
	 'work), keep the current mapping; if it uses the address only while '
	 'it runs, convert by hand'),
	('atomic context',
	 'keep kmap_atomic() unless the callee\'s need for atomic context '
	 'is met otherwise (for a user copy, an explicit pagefault_disable() '
	 'around it); kmap_local_page() disables neither preemption nor '
	 'pagefaults'),
	('relies on the implicit',
	 'wrap the region in pagefault_disable()/pagefault_enable() (or '
	 'preempt_disable()/preempt_enable()) by hand: the map is not a '
	 'plain assignment statement'),
)

def suggestion_for(s, extra=None):
	if extra:
		return extra
	text = ' '.join(s['_reasons'])
	for key, what in SUGGEST:
		if key in text:
			return what
	return 'review by hand'

def function_text(s):
	"""The text of the function holding site s: from its definition (a
	line starting in column 0 naming it) to the brace closing its body."""
	start, end = function_span(s)
	return '\n'.join(source_lines(s['file'])[start:end + 1])

def function_span(s):
	"""The first and last line (0-based) of the function holding site s,
	(0, -1) when its file cannot be read."""
	lines = source_lines(s['file'])
	if not lines:
		return 0, -1
	# "static int\nfoo(...)": the name may start the line.
	head = re.compile(r'^(?:[A-Za-z_].*)?\b%s\s*[(]'
			  % re.escape(s['function']))
	start = s['line'] - 1
	while start > 0 and not head.match(lines[start]):
		start -= 1
	depth, seen = 0, False
	for end in range(start, len(lines)):
		depth += lines[end].count('{') - lines[end].count('}')
		seen = seen or '{' in lines[end]
		if seen and depth <= 0:
			break
	return start, end

def fresh_name(s):
	"""kaddr, unless the function already uses that identifier (a
	global of that name would be shadowed harmlessly: the new variable
	is only used where it is assigned)."""
	used = idents(function_text(s))
	taken = G.setdefault('taken', {}).setdefault(
		(s['file'], s['function']), set())
	name, n = 'kaddr', 1
	while name in used or name in taken:
		n += 1
		name = 'kaddr%d' % n
	taken.add(name)
	return name

def reassigned(s, var, last):
	return [l for (fk, x, l) in G['reassign']
		if fk == (s['file'], s['function']) and x == var and
		s['line'] < l <= last]

def page_uses(s, last):
	"""page_address() of the mapped page inside the mapped region."""
	want = page_alias(s['page'])
	return [(p, l) for (fk, e, l, p) in G['page_addr']
		if fk == (s['file'], s['function']) and
		s['line'] <= l <= last and unparen(norm(e)) == want]

# ---------------------------------------------------------------- bounds --
# memcpy_{from,to}_page(), memcpy_page() and memzero_page() stay within one
# page (VM_BUG_ON(offset + len > PAGE_SIZE)); kmap() of a compound page maps
# all of it on !HIGHMEM, so a copy through the address may be longer.  A
# helper replaces a copy only when the code itself bounds offset + length
# by PAGE_SIZE, and the rewrite cites that bound.

def split_top(t, sep=','):
	"""t split at the separators outside parentheses."""
	parts, depth, cur = [], 0, ''
	for ch in t:
		if ch in '([':
			depth += 1
		elif ch in ')]':
			depth -= 1
		if ch == sep and depth == 0:
			parts.append(cur)
			cur = ''
		else:
			cur += ch
	return parts + [cur]

def ternary(t):
	"""(condition, then, else) of c ? a : b at the top level, or None."""
	depth = 0
	q = None
	for i, ch in enumerate(t):
		if ch in '([':
			depth += 1
		elif ch in ')]':
			depth -= 1
		elif depth == 0 and ch == '?' and q is None:
			q = i
		elif depth == 0 and ch == ':' and q is not None:
			return t[:q], t[q + 1:i], t[i + 1:]
	return None

MIN_RE = re.compile(r'^(min|min_t|umin|min3|min_not_zero)\(')

def bounded(e, off):
	"""e (normalised) is at most PAGE_SIZE - off on its own."""
	e = unparen(e)
	o = unparen(off)
	if e == 'PAGE_SIZE' and o == '0':
		return True
	if e in ('PAGE_SIZE-%s' % o, 'PAGE_SIZE-(%s)' % o):
		return True
	m = MIN_RE.match(e)
	if m and close_paren(e, m.end() - 1) == len(e) - 1:
		args = split_top(e[m.end():-1])
		if m.group(1) == 'min_t':
			args = args[1:]
		# min_not_zero(a, b) is one of them too, whichever is smaller.
		return any(bounded(a, off) for a in args)
	t = ternary(e)
	if t:
		c, a, b = t
		if bounded(a, off) and bounded(b, off):
			return True
		m = re.match(r'^(.+?)(<=|>=|<|>)(.+)$', unparen(c))
		if m:
			x, op, y = unparen(m.group(1)), m.group(2), unparen(m.group(3))
			a, b = unparen(a), unparen(b)
			smaller = (a == x and b == y) if op in ('<', '<=') else \
				(a == y and b == x)
			if smaller and (bounded(a, off) or bounded(b, off)):
				return True
	return False

def statements(text):
	"""The statements of text (C, comments removed) before its end, each
	as (text, heads): heads are the openings ("if(...)", "for(...)") of
	the blocks around it; a statement whose block closed before the end
	did not run on every path to it.  Also the heads open at the end."""
	out, stack, cur = [], [], ''
	parens = 0
	blocks = 0
	for ch in text:
		if ch == '(':
			parens += 1
		elif ch == ')':
			parens -= 1
		if parens > 0:
			cur += ch
		elif ch == '{':
			blocks += 1
			stack.append((blocks, squash(cur)))
			cur = ''
		elif ch == '}':
			if squash(cur):
				out.append((squash(cur), tuple(stack)))
			if stack:
				stack.pop()
			cur = ''
			out.append(('}', tuple(stack)))
		elif ch == ';':
			out.append((squash(cur), tuple(stack)))
			cur = ''
		else:
			cur += ch
	if squash(cur):
		out.append((squash(cur), tuple(stack)))
	return out, tuple(stack)

def assigns(stmt, name):
	"""stmt may change the variable name."""
	n = re.escape(name)
	return re.search(r'(?<![\w.>])%s(=(?!=)|[-+*/%%&|^]=|<<=|>>=|\+\+|--)|'
			 r'(\+\+|--|&)%s(?!\w)' % (n, n), stmt) is not None

def copy_bound(text, after, off, length):
	"""Why off + length <= PAGE_SIZE holds where text (the function up to
	the copy) ends, as a short citation, or None when the code does not
	show it."""
	o, l = squash(off), squash(length)
	if bounded(l, o):
		return 'the length %s is at most PAGE_SIZE - %s' % (l, o) \
			if o != '0' else 'the length %s is at most PAGE_SIZE' % l
	if not re.match(r'^[A-Za-z_]\w*$', l):
		return None
	watched = set(re.findall(r'(?<![\w.>])[A-Za-z_]\w*', o)) - \
		set(['PAGE_SIZE', 'PAGE_MASK', 'PAGE_SHIFT'])
	stmts, here = statements(text)
	for (st, heads) in reversed(stmts):
		if st == '}' or not st:
			continue
		if re.match(r'^\w+:', st) or st.startswith(('case', 'default')):
			return None	# reached by a jump too
		live = heads == here[:len(heads)]
		head = heads[-1][1] if heads else ''
		# the clause heading a braceless statement: if (c) v = e
		m = re.match(r'^(if|else if|else)(\((.*)\))?(.*)$', st)
		cond = None
		body = st
		if m and (m.group(1) == 'else' or m.group(2)):
			cond = m.group(3) if m.group(2) else 'else'
			body = m.group(4)
			live = False
		elif not live and heads:
			hm = re.match(r'^(?:else )?if\((.*)\)$', head)
			cond = hm.group(1) if hm else None
		if any(assigns(body, w) for w in watched):
			return None
		if re.match(r'^(for|while|do|switch)\b', st):
			if assigns(st, l):
				return None
			continue
		if not assigns(body, l):
			continue
		a = re.match(r'^(?:[\w\s*]+?)?\b%s=(?!=)(.+)$' % re.escape(l), body)
		if not a or re.search(r'(?<![\w.>])%s(\+\+|--)' % re.escape(l), body):
			return None
		e = a.group(1)
		if live:
			return loop_safe(here, heads, after, l, watched,
					 '%s = %s' % (l, e)) if bounded(e, o) \
				else None
		# v = e on some paths only: a clamp "if (v > e) v = e" bounds v
		# whatever it was; anything else must be bounded itself and the
		# other paths are judged by what comes before.
		if cond and re.match(r'^%s>=?%s$' % (re.escape(l), re.escape(e)),
				     unparen(cond)):
			if bounded(e, o):
				return loop_safe(here, heads, after, l, watched,
						 'if (%s) %s = %s' % (cond, l, e))
			continue
		if not bounded(e, o):
			return None
	return None

LOOP_HEAD = re.compile(r'^(?!(if|else|switch)\b)')

def loop_safe(here, heads, after, l, watched, why):
	"""why, unless a loop around the copy but not around the statement
	that bounds the length changes the length or the offset after the
	copy (on the next pass the bound no longer holds)."""
	inner = here[len(heads):]
	loops = [i for i, (_n, h) in enumerate(inner) if LOOP_HEAD.match(h)
		 and len(heads) + i > 0]
	if not loops:
		return why
	for (_n, h) in inner[loops[0]:]:
		if assigns(h, l) or any(assigns(h, w) for w in watched):
			return None
	level = len(heads) + loops[0]
	depth = len(here)
	text = ''
	for ch in after:
		if ch == '{':
			depth += 1
		elif ch == '}':
			depth -= 1
			if depth <= level:
				break
		text += ch
	for st in re.split(r'[;{}]', squash(text)):
		if assigns(st, l) or any(assigns(st, w) for w in watched):
			return None
	return why

def function_parts(s, line):
	"""The function of site s before line and from line on, without
	comments and string literals (their braces and semicolons are not
	code)."""
	start, end = function_span(s)
	lines = source_lines(s['file'])
	cut = max(start, line - 1)
	return (strip_c('\n'.join(lines[start:cut])),
		strip_c('\n'.join(lines[cut:end + 1])))

# A double quote written as a character: the SmPL parser reads string
# literals in scripts as C would.
DQ = chr(34)
C_STRING = re.compile(DQ + r'(?:[^' + DQ + r'\\\n]|\\.)*' + DQ)

def strip_c(text):
	"""C text without comments and with empty string literals."""
	return C_STRING.sub(DQ + DQ, strip_comments(text))

def page_bound(s, fact):
	"""Why the copy of a helper fact (offsets, length, line) stays in one
	page, or None; every offset must be bounded."""
	offs, length, line = fact
	before, after = function_parts(s, line)
	why = []
	for off in offs:
		if off is None:
			return None
		w = copy_bound(before, after, off, length)
		if not w:
			return None
		why.append(w)
	return why[0]

def unbounded_note(s, kind):
	s['_notes_extra'] = [
		'memcpy() kept: %s() requires offset + length within one page '
		'and the code does not show that bound' % (
			'memcpy_page' if kind == 'pair' else helper_name(kind))]


def helper_fits(s):
	"""memcpy(to, kmap(page) [+ off], len); kunmap(page); exactly: the
	map's only unmap is the statement right after the copy."""
	key = (s['file'], s['line'], s['column'])
	h = G['helper'].get(key)
	if not h or [u[0] for u in s['_upos']] != [h[1]]:
		return False
	s['_bound'] = page_bound(s, G['hbound'][key])
	if not s['_bound']:
		unbounded_note(s, h[0])
	return bool(s['_bound'])

def helper_args(kind, x, P, A, B, L):
	"""The arguments of the helper replacing memcpy(A, B, L) (or
	memset(A, 0, L)) through the address x of page P.  memzero_page()
	takes three; the fourth is then a placeholder the rule never prints."""
	if kind == FROM:
		return (str(A), str(P), var_offset(B, x), str(L))
	if kind == TO:
		return (str(P), var_offset(A, x), str(B), str(L))
	return (str(P), var_offset(A, x), str(L), str(L))

def helper_name(kind):
	return 'memzero_page' if kind == ZERO else 'memcpy_%s_page' % kind

def var_helper_fits(s):
	"""x = map(page); memcpy(.., x [+ off], ..); unmap(x or page), or
	memset(x [+ off], 0, len) (memzero_page()), with
	x used nowhere else in the function and declared on a line of its
	own (the declaration goes too)."""
	key = (s['file'], s['line'], s['column'])
	far = key not in G['hvar'] and G['hvar_far'].get(key)
	h = G['hvar'].get(key) or far
	if not h or s['var'] != h[2] or s['_guards'] or \
	   [u[0] for u in s['_upos']] != [h[1]]:
		return False
	if far:
		# T x = map(page); ...; memcpy(); unmap(): the map moves down
		# to the copy, past code that must not touch the page.
		between = source_text(s['file'], s['line'] + 1, far[3] - 1)
		# A comment right above a removed declaration is dropped by
		# the rewrite and what follows is joined to the line before
		# (checkpatch errors): keep the plain conversion there.
		above = source_lines(s['file'])[s['line'] - 2].strip() \
			if s['line'] > 1 else ''
		if re.search(r'[*][/]$|^[/][/]', above):
			return False
		if var_uses(s, h[2]) != (3 if s['api'] == 'kmap_atomic'
					 else 2) or \
		   exits_between(s['file'], s['line'] + 1, far[3]) or \
		   mentions(between, idents(page_alias(s['page']))):
			return False
	elif not only_copy_var(s, h[2]):
		return False
	s['_bound'] = page_bound(s, G['hbound'][key])
	if not s['_bound']:
		unbounded_note(s, h[0])
	return bool(s['_bound'])

def var_uses(s, x):
	"""How often the function of site s names the variable x."""
	return len(re.findall(r'(?<![\w.>])%s\b' % re.escape(x),
			      function_text(s)))

def only_copy_var(s, x):
	"""x is declared on a line of its own and used only by the map, the
	copy and (kmap_atomic) the unmap."""
	decl = re.findall(r'^\s*(?:const\s+)?(?:struct\s+)?[A-Za-z_]\w*\s*'
			  r'[*\s]*\b%s\s*;\s*$' % re.escape(x), function_text(s),
			  re.M)
	return len(decl) == 1 and var_uses(s, x) == (
		4 if s['api'] == 'kmap_atomic' else 3)

def pair_sites(s):
	"""(first, second) when s is one of two maps whose only use is one
	memcpy() between them (memcpy_page()), else None."""
	key = (s['file'], s['line'], s['column'])
	for k1, (k2, u1, u2, _dst1, x, y) in G['hpair'].items():
		if key not in (k1, k2):
			continue
		a, b = G['sites'].get(k1), G['sites'].get(k2)
		if not a or not b or a['var'] != x or b['var'] != y or \
		   a['_guards'] or b['_guards']:
			return None
		ups = sorted([u[0] for u in a['_upos']] +
			     [u[0] for u in b['_upos']])
		if len(a['_upos']) != 1 or ups != sorted([u1, u2]):
			return None
		if only_copy_var(a, x) and only_copy_var(b, y):
			s['_bound'] = page_bound(s, G['hbound'][k1])
			if not s['_bound']:
				unbounded_note(s, 'pair')
				return None
			return a, b
	return None

def plan_site(s):
	"""Set _action, _suggestion, _notes and _plan for one site."""
	s['_plan'] = None
	s['_notes'] = []
	s['_suggestion'] = None
	if s['_class'] == 'cross-thread':
		s['_action'] = 'kept'
		return
	s['_action'] = 'manual'
	key = (s['file'], s['line'], s['column'])
	denied = DENY.get((s['file'], s['function']))
	if denied:
		s['_suggestion'] = ('kmap-audit flags the rewritten %s(): %s; '
				    'convert it by hand' % (s['function'], denied))
		return
	if s['_nest'] > s['_fixable'] or s['_retry']:
		s['_suggestion'] = suggestion_for(s)
		return
	if s.get('_retry_of'):
		# The fallback half of a retry idiom goes with the atomic half.
		s['_suggestion'] = ('the kmap() fallback of the retry idiom at '
				    'line %d: ' % s['_retry_of']) + SUGGEST[4][1]
		return
	unm = sorted(set(s['_unmaps']))
	last = max(unm)
	plan = dict(map=None, intro=None, unmap_rename=set(), unmap_arg={},
		    pa={}, guards=set(), addr=None, helper=None, vhelper=None,
		    hunmap={}, vpair=None)
	notes = s['_notes']
	pair = pair_sites(s)
	if pair:
		plan['vpair'] = pair[0] is s
		a, b = pair
		notes.append('%s(%s) + %s(%s) + memcpy() + unmaps -> '
			     'memcpy_page(); %s and %s are no longer needed; '
			     'the copy stays in one page: %s' %
			     (a['api'], tidy(a['page']), b['api'],
			      tidy(b['page']), a['var'], b['var'],
			      pair[0]['_bound'] or pair[1]['_bound']))
		s['_plan'] = plan
		s['_action'] = 'rewritten'
		return
	if var_helper_fits(s):
		far = key not in G['hvar']
		kind = (G['hvar_far'] if far else G['hvar'])[key][0]
		plan['vhelper'] = (kind, s['var'], far)
		notes.append('%s() + %s() + %s() -> %s(); %s is no longer '
			     'needed; the copy stays in one page: %s' % (
			     s['api'], 'memset' if kind == ZERO
			     else 'memcpy', 'kunmap' if s['api'] == 'kmap'
			     else 'kunmap_atomic', helper_name(kind),
			     s['var'], s['_bound']))
		s['_plan'] = plan
		s['_action'] = 'rewritten'
		return
	if s['api'] == 'kmap_atomic':
		plan['map'] = key
		notes.append('kmap_atomic() -> kmap_local_page()')
		for (upos, ufn, arg) in s['_upos']:
			if ufn == 'kunmap_atomic':
				plan['unmap_rename'].add(upos)
				notes.append('kunmap_atomic(%s) -> kunmap_local(%s) '
					     'at line %d' % (tidy(arg), tidy(arg),
							    upos[1]))
		plan['addr'] = dict((upos, norm(arg))
				    for (upos, _u, arg) in s['_upos'])
	else:
		var = s['var']
		moved = var and reassigned(s, var, last)
		if moved and G['astmt'].get(key) != norm(var):
			s['_suggestion'] = (
				'%s is changed at line %d before the unmap; keep '
				'the mapped address in a variable of its own for '
				'kunmap_local()' % (var, moved[0]))
			return
		if moved:
			# x = kmap(page); ... x += len; ... kunmap(page): the
			# address is kept in a new variable too (x = kaddr =
			# kmap_local_page(page)) and that one is unmapped.
			old, var = var, fresh_name(s)
			plan['intro'] = (key, var)
			notes.append('kmap() -> %s = %s = kmap_local_page() (new '
				     'variable %s: %s moves before the unmap)'
				     % (old, var, var, old))
		elif not var and key in G['bare']:
			if not page_uses(s, last):
				s['_suggestion'] = (
					'the result of kmap() is unused: the page is '
					'reached through page_address() elsewhere, '
					'which does not see a local mapping; pass '
					'the kmap_local_page() address instead')
				return
			var = fresh_name(s)
			plan['intro'] = (key, var)
			notes.append('kmap() -> %s = kmap_local_page() (new '
				     'variable %s)' % (var, var))
		elif not var and helper_fits(s):
			kind = G['helper'][key][0]
			plan['helper'] = (key, kind)
			notes.append('memcpy() of a kmap() + kunmap() -> '
				     'memcpy_%s_page(); the copy stays in one '
				     'page: %s' % (kind, s['_bound']))
			s['_plan'] = plan
			s['_action'] = 'rewritten'
			return
		elif not var:
			s['_suggestion'] = (
				'the mapped address is not kept in a local '
				'variable; keep it in one and pass it to '
				'kunmap_local()')
			return
		else:
			plan['map'] = key
			notes.append('kmap() -> kmap_local_page()')
		for (upos, ufn, arg) in s['_upos']:
			h = G['hcall'].get(upos)
			if h:
				plan['hunmap'][upos] = var
				then = G['uhelpers'][h]
				notes.append('%s(%s) -> kunmap_local(%s)%s at line '
					     '%d (the unmap helper inlined)' %
					     (h, tidy(arg), var, '; %s(%s)' %
					      (then, tidy(arg)) if then else '',
					      upos[1]))
				continue
			plan['unmap_arg'][upos] = var
			notes.append('kunmap(%s) -> kunmap_local(%s) at line %d'
				     % (tidy(arg), var, upos[1]))
		for (papos, l) in page_uses(s, last):
			plan['pa'][papos] = var
			notes.append('page_address(%s) -> %s at line %d' %
				     (tidy(s['page']), var, l))
		plan['addr'] = dict((upos, var) for (upos, _u, _a)
				    in s['_upos'])
	if len(s['_guards']) > 1:
		s['_suggestion'] = (
			'the region relies on both the pagefault and the '
			'preemption disable of kmap_atomic(); keep kmap_atomic() '
			'or add both explicitly, by hand')
		s['_plan'] = None
		return
	if s['_guards']:
		if key not in G['astmt'] or not s['_upos']:
			s['_suggestion'] = suggestion_for(s)
			return
		plan['guards'] = set(s['_guards'])
		for g in sorted(plan['guards']):
			notes.append('explicit %s_disable()/%s_enable() around '
				     'the mapped region (kmap_atomic() did it '
				     'implicitly)' % (g, g))
	notes.extend(s.get('_notes_extra', []))
	s['_plan'] = plan
	s['_action'] = 'rewritten'

def plan_swaps(sites):
	"""Unmaps out of LIFO order: swap what the two unmaps release when
	nothing between them uses the newer mapping and no path leaves."""
	for s in sites:
		for (first, second, bads) in s['_swaps']:
			if s is not second:
				continue
			fp, sp = first['_plan'], second['_plan']
			if fp is not None and sp is not None and \
			   fp['vpair'] is not None and sp['vpair'] is not None:
				continue	# one memcpy_page() replaces both
			# A helper call replaced the map: nothing left to swap.
			ok = fp is not None and sp is not None and \
				fp['addr'] is not None and sp['addr'] is not None
			moves = []
			for (ua, ub) in bads if ok else []:
				a = [u for u in first['_upos'] if u[0][1] == ua]
				b = [u for u in second['_upos'] if u[0][1] == ub]
				text = source_text(s['file'], ua + 1, ub - 1)
				names = set(second['_names']) | \
					idents(page_alias(second['page']))
				if len(a) != 1 or len(b) != 1 or \
				   a[0][0] in G['hcall'] or \
				   b[0][0] in G['hcall'] or \
				   mentions(text, names) or \
				   re.search(r'\b(return|goto|break|continue)\b|'
					     r'^\s*\w+\s*:', text, re.M):
					ok = False
					break
				moves.append((a[0][0], b[0][0]))
			if not ok:
				for x in (first, second):
					if x['_plan'] is not None:
						x['_plan'] = None
						x['_action'] = 'manual'
						x['_notes'] = []
					x['_suggestion'] = suggestion_for(
						x, SUGGEST[5][1])
				continue
			for (pa, pb) in moves:
				aa, ab = fp['addr'][pa], sp['addr'][pb]
				for pl, u in ((fp, pa), (sp, pb)):
					pl['unmap_rename'].discard(u)
					pl['unmap_arg'].pop(u, None)
				fp['unmap_arg'][pb] = aa
				sp['unmap_arg'][pa] = ab
				second['_notes'].append(
					'unmaps at lines %d and %d swapped into '
					'LIFO order' % (pa[1], pb[1]))

# Names for the patch rules' scripts (string literals there are mangled).
MAP, INTRO, PA, UNMAP_RENAME, UNMAP_ARG, GUARD, HELPER, VHELPER, DECL_RM = (
	'map', 'intro', 'pa', 'unmap_rename', 'unmap_arg', 'guard', 'helper',
	'vhelper', 'decl_rm')
HUNMAP, VFAR, VPAIR = 'hunmap', 'vfar', 'vpair'
FROM, TO, ZERO = 'from', 'to', 'zero'
MAPF, UNMAPF, PAF, HUNMAPF = 'mapf', 'unmapf', 'paf', 'hunmapf'
MEMCPY = 'memcpy'
LOCAL_MAP, LOCAL_UNMAP = 'kmap_local_page', 'kunmap_local'
DISABLE, ENABLE = '_disable', '_enable'

# A file is re-parsed by spatch after each rule that changes it; neither
# positions nor line numbers survive that.  A call is found again by its
# function, its argument text and its rank among the calls of the same
# family (maps, unmaps, page_address()) with that argument: edits keep both
# the order of calls and, until a later stage changes it on purpose, the
# argument.  CUR holds the calls of the current version of the file,
# collected right before each edit.
CUR = {}

def reset(fam):
	CUR[fam] = []

def collect(fam, p, text):
	CUR[fam].append((p[0].current_element, norm(str(text)),
			 (int(p[0].line), int(p[0].column))))

def rank_key(fn, text, here, calls):
	same = sorted(at for (f, t, at) in calls if f == fn and t == text)
	return (fn, text, same.index(here) if here in same else -1)

def map_offset(E):
	"""The offset in kmap(page) + off (0 without one)."""
	t = str(E).strip()
	i = close_paren(t, t.index('('))
	rest = t[i + 1:].strip()
	return rest[1:].strip() if rest.startswith('+') else '0'

def decl_planned(x):
	return str(x) in [v for (_fn, v) in RW[DECL_RM]]

def var_offset(E, x):
	"""The offset in x or x + off, or None for any other shape."""
	t = norm(str(E))
	if t == x:
		return '0'
	if t.startswith(x + '+'):
		return str(E).strip()[str(E).strip().index('+') + 1:].strip()
	return None

def okey(fam, p, text):
	"""The key of the call at p in the current version of the file."""
	return rank_key(p[0].current_element, norm(str(text)),
			(int(p[0].line), int(p[0].column)), CUR.get(fam, []))

def planned(kind, fam, p, text):
	return okey(fam, p, text) in RW[kind]

def planned_rename(p, text):
	"""A planned map rename or unmap rename at p (a map is not at any
	unmap's position, nor the other way round)."""
	return planned(MAP, MAPF, p, text) or \
		planned(UNMAP_RENAME, UNMAPF, p, text)

def local_name(f):
	return LOCAL_UNMAP if f in UNMAPFNS else LOCAL_MAP

def gate(*kinds):
	"""Whether the group plans edits of one of kinds.  A patch stage's rules
	depend on the script rule asking this: a rule costs a pass over every
	function even where it changes nothing, and the file is parsed again
	after each rule that changes it."""
	if any(RW.get(kind) for kind in kinds):
		return True
	cocci.include_match(False)
	return False

def plan_group(sites, ctx):
	"""Record the edits of every rewritten site under okey()-style keys
	computed on the original file."""
	def at(upos):
		return (upos[1], upos[2] - 1)
	maps = [(s['function'], norm(s['page']), at((0, s['line'],
						       s['column'])))
		for s in G['sites'].values()]
	maps += [(fk[1], norm(t), at(q)) for (fk, t, q) in G['local_maps']]
	unmaps = [(fk[1], norm(arg), at(q)) for (fk, _u, arg, _l, q)
		  in G['unmaps']]
	pas = [(fk[1], norm(e), at(q)) for (fk, e, _l, q) in G['page_addr']]
	hunmaps = [(fk[1], norm(arg), at(q)) for (fk, _u, arg, _l, q)
		   in G['hunmaps']]
	harg = dict((u[4], norm(u[2])) for u in G['hunmaps'])
	uarg = dict((u[4], norm(u[2])) for u in G['unmaps'])
	pa_arg = dict((q, norm(e)) for (_fk, e, _l, q) in G['page_addr'])
	for s in sites:
		plan_site(s)
	plan_swaps(sites)
	final = dict(uarg)
	for s in sites:
		if s['_plan']:
			for u, var in s['_plan']['unmap_arg'].items():
				final[u] = norm(var)
	unmaps_final = [(fk[1], final[q], at(q)) for (fk, _u, _a, _l, q)
			in G['unmaps']]
	for s in sites:
		plan = s['_plan']
		if plan is None:
			continue
		fn = s['function']
		mkey = rank_key(fn, norm(s['page']),
				at((0, s['line'], s['column'])), maps)
		if plan['map']:
			RW[MAP].add(mkey)
		if plan['intro']:
			RW[INTRO][mkey] = plan['intro'][1]
		if plan['helper']:
			RW[HELPER][mkey] = plan['helper'][1]
		if plan['vpair']:
			RW[VPAIR][mkey] = True
			for x in pair_sites(s):
				RW[DECL_RM].add((fn, x['var']))
		if plan['vhelper'] and plan['vhelper'][2]:
			RW[VFAR][mkey] = plan['vhelper'][0]
		elif plan['vhelper']:
			RW[VHELPER][mkey] = plan['vhelper'][0]
			RW[DECL_RM].add((fn, plan['vhelper'][1]))
		for u in plan['unmap_rename']:
			RW[UNMAP_RENAME].add(rank_key(fn, uarg[u], at(u), unmaps))
		for u, var in plan['unmap_arg'].items():
			RW[UNMAP_ARG][rank_key(fn, uarg[u], at(u), unmaps)] = var
		for q, var in plan['pa'].items():
			RW[PA][rank_key(fn, pa_arg[q], at(q), pas)] = var
		for u, var in plan['hunmap'].items():
			RW[HUNMAP][rank_key(fn, harg[u], at(u), hunmaps)] = var
		for g in plan['guards']:
			RW[GUARD][(MAPF,) + mkey] = g
			for (u, _f, _a) in s['_upos']:
				RW[GUARD][(UNMAPF,) + rank_key(
					fn, final[u], at(u), unmaps_final)] = g

def prepare():
	"""Pair maps with their unmaps (before the rules that need pairs)."""
	if not G or not G.get('sites') or G.get('fsites') is not None:
		return
	follow_assignments()
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
	unmaps = by_fn(G['unmaps'] + G['hunmaps'])
	PAIRED.clear()
	for fkey, ss in fsites.items():
		pair_unmaps(ss, sorted(unmaps.get(fkey, []),
				       key=lambda u: u[4]))
	G['order'] = sites
	G['fsites'] = fsites

LEAKS, LEAKS_NT = 'leaks', 'leaks_nt'

def note_leak(kind, p, r):
	if G['sites'].get(pos(p), {}).get('_upos'):
		G[kind].setdefault(pos(p), set()).add(int(r[0].line))

def leak_lines(key):
	if key in G['leaks_nt']:
		return sorted(G['leaks_nt'][key])
	return sorted(G['leaks'].get(key, []))

def only_map(p):
	"""The site at p is the only map in its function."""
	s = G['sites'].get(pos(p))
	return bool(s) and len(G['fsites'].get((s['file'], s['function']),
					       [])) == 1

def paired_unmap(p, u):
	"""u unmaps the mapping made at p: paired with it, or an unmap of the
	same handle (a rolling remap unmaps the first mapping on one path and
	the next one on another)."""
	s = G['sites'].get(pos(p))
	return bool(s) and (pos(u) in [x[0] for x in s.get('_upos', [])] or
			    int(u[0].line) in s.get('_handle_unmaps', []))

def decide():
	"""Classify every site of the group and plan its rewrite."""
	prepare()
	if not G or not G.get('order') or G.get('decided'):
		return
	sites = G['order']
	ctx = dict(fsites=G['fsites'], stores=by_fn(G['stores']),
		   derive_pos=set(G['derive_pos']),
		   returns=by_fn(G['returns']),
		   defers=by_fn([c for c in G['calls'] if DEFER_RE.match(c[1])]),
		   calls=by_fn(G['calls']),
		   loops=G['loops'],
		   helpers=unmap_helpers(PAIRED))
	for s in sites:
		s['_class'], s['_reasons'] = classify_site(s, ctx)
	plan_group(sites, ctx)
	for s in sites:
		rec = dict(file=s['file'], line=s['line'],
			   column=s['column'], function=s['function'],
			   api=s['api'], **{'class': s['_class']})
		rec['action'] = s['_action']
		rec['reasons'] = s['_reasons']
		if s['_action'] == 'rewritten':
			rec['rewrite'] = s['_notes']
		if s['_suggestion']:
			rec['suggestion'] = s['_suggestion']
		rec.update(page=norm(s['page']), address=s['var'],
			   unmaps=sorted(set(s['_unmaps'])))
		OUT.append(rec)
	G['decided'] = True

def flush():
	decide()
	G.clear()

@script:python start_group@
@@
flush()
new_group()

@script:python depends on json@
@@
MODE['json'] = True

@script:python depends on patch@
@@
MODE['patch'] = True

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
G['bound'].add(str(x))
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

// Every assignment in a function with a map site, recorded once: Python
// follows the address through them (follow_assignments(): pointers derived
// from it two assignments deep, y = x, y = x + off, y = (T *)x, &x[i], ...;
// stores of any of them into anything).  One pass over the file; a rule
// inheriting each variable's name ran once per name over every function.
@lassign@
local idexpression y;
expression E;
position p : script:python() { in_site_fn(p) };
@@
y@p = E

@script:python@
p << lassign.p;
y << lassign.y;
E << lassign.E;
@@
G['lassign'].append((fn_of(p), str(y), str(E), p))

@assign@
expression L, E;
position p : script:python() { in_site_fn(p) };
@@
L@p = E

@script:python@
p << assign.p;
L << assign.L;
E << assign.E;
@@
G['assign'].append((fn_of(p), str(L), str(E), p))

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
G['unmaps'].append((fn_of(p), str(unmapfn), str(E), int(p[0].line), pos(p)))

// An unmap helper the rewrite can inline where it is called: a void
// function whose whole body is kunmap(prm); or kunmap(prm); g(prm); (the
// common kunmap() + put_page() pair).  A call of one is an unmap of its
// argument, and becomes kunmap_local(address); g(argument);
@uhelper@
identifier H, prm, g;
type T;
@@
void H(T prm) { kunmap(prm); g(prm); }

@script:python@
H << uhelper.H;
g << uhelper.g;
@@
G['uhelpers'][str(H)] = str(g)

@uhelper1@
identifier H, prm;
type T;
@@
void H(T prm) { kunmap(prm); }

@script:python@
H << uhelper1.H;
@@
G['uhelpers'][str(H)] = None

@hunmap@
identifier h : script:python() { is_uhelper(h) };
expression E;
position p;
@@
h@p(E);

@script:python@
p << hunmap.p;
h << hunmap.h;
E << hunmap.E;
@@
G['hunmaps'].append((fn_of(p), 'kunmap', str(E), int(p[0].line), pos(p)))
G['hcall'][pos(p)] = str(h)

@localmap@
expression P;
position p;
@@
kmap_local_page@p(P)

@script:python@
p << localmap.p;
P << localmap.P;
@@
G['local_maps'].append((fn_of(p), str(P), pos(p)))

// Every call in a function with a map site, once: Python picks the calls
// that hand something to another context (DEFER_RE), the ones that only
// work because kmap_atomic() disabled pagefaults or preemption
// (dependency(): per-CPU state; user copies, where under kmap_atomic() a
// fault ends the copy short and under kmap_local_page() it is handled,
// may sleep, or deadlock on the page being mapped; callees whose name
// says they run atomic) and the ones given a structure that holds the
// address (classify_site()).
@calls@
identifier g;
expression list Es;
position p : script:python() { in_site_fn(p) };
@@
g@p(Es)

@script:python@
p << calls.p;
g << calls.g;
Es << calls.Es;
@@
note_call(p, str(g), str(Es))

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

// page_address() of a page inside its kmap() region must become the
// address: page_address() does not see a local mapping.
@pageaddr@
expression E;
position p;
@@
page_address@p(E)

@script:python@
p << pageaddr.p;
E << pageaddr.E;
@@
G['page_addr'].append((fn_of(p), str(E), int(p[0].line), pos(p)))

// The shapes of map statements the rewrite can edit around.
@astmt@
identifier mapfn = {kmap, kmap_atomic};
expression E, P;
position p;
@@
E = mapfn@p(P);

@script:python@
p << astmt.p;
E << astmt.E;
@@
G['astmt'][pos(p)] = norm(str(E))

@bare@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p;
@@
mapfn@p(P);

@script:python@
p << bare.p;
@@
G['bare'].add(pos(p))

// memcpy() straight from or to a kmap() and the unmap right after it:
// memcpy_from_page()/memcpy_to_page() do exactly that.  They take char
// pointers where memcpy() takes void: the other buffer must be known (from
// its declaration) to be a byte or void pointer.
@hfrom@
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
p << hfrom.p;
u << hfrom.u;
E << hfrom.E;
L << hfrom.L;
@@
G['helper'][pos(p)] = (FROM, pos(u))
note_bound(p, [map_offset(E)], L, p)

@hto@
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
p << hto.p;
u << hto.u;
E << hto.E;
L << hto.L;
@@
G['helper'][pos(p)] = (TO, pos(u))
note_bound(p, [map_offset(E)], L, p)

// The same with the address in a variable: x = map(page); memcpy(...);
// unmap(...);
@hvar@
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
p << hvar.p;
m << hvar.m;
u << hvar.u;
x << hvar.x;
A << hvar.A;
B << hvar.B;
L << hvar.L;
@@
x = str(x)
if var_offset(B, x) and not mentions(str(A), set([x])) and \
   not mentions(str(L), set([x])):
	G['hvar'][pos(p)] = (FROM, pos(u), x)
	note_bound(p, [var_offset(B, x)], L, m)

@hvar_to@
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
p << hvar_to.p;
m << hvar_to.m;
u << hvar_to.u;
x << hvar_to.x;
A << hvar_to.A;
B << hvar_to.B;
L << hvar_to.L;
@@
x = str(x)
if var_offset(A, x) and not mentions(str(B), set([x])) and \
   not mentions(str(L), set([x])):
	G['hvar'][pos(p)] = (TO, pos(u), x)
	note_bound(p, [var_offset(A, x)], L, m)

// memset(x [+ off], 0, len) of the mapping (memzero_page() flushes the
// dcache itself, so a flush_dcache_page() of the page goes with it).
@hvar_zero@
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
p << hvar_zero.p;
m << hvar_zero.m;
u << hvar_zero.u;
x << hvar_zero.x;
A << hvar_zero.A;
Z << hvar_zero.Z;
L << hvar_zero.L;
@@
x = str(x)
if norm(str(Z)) == str(0) and var_offset(A, x) and \
   not mentions(str(L), set([x])):
	G['hvar'][pos(p)] = (ZERO, pos(u), x)
	note_bound(p, [var_offset(A, x)], L, m)

// T x = map(page); with code in between (which must not use x nor touch
// the page: checked in var_helper_fits()), then the copy and the unmap.
@hvar_far_from@
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
p << hvar_far_from.p;
m << hvar_far_from.m;
u << hvar_far_from.u;
x << hvar_far_from.x;
A << hvar_far_from.A;
B << hvar_far_from.B;
L << hvar_far_from.L;
@@
x = str(x)
if var_offset(B, x) and not mentions(str(A), set([x])) and \
   not mentions(str(L), set([x])):
	G['hvar_far'][pos(p)] = (FROM, pos(u), x, int(m[0].line))
	note_bound(p, [var_offset(B, x)], L, m)

@hvar_far_to@
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
p << hvar_far_to.p;
m << hvar_far_to.m;
u << hvar_far_to.u;
x << hvar_far_to.x;
A << hvar_far_to.A;
B << hvar_far_to.B;
L << hvar_far_to.L;
@@
x = str(x)
if var_offset(A, x) and not mentions(str(B), set([x])) and \
   not mentions(str(L), set([x])):
	G['hvar_far'][pos(p)] = (TO, pos(u), x, int(m[0].line))
	note_bound(p, [var_offset(A, x)], L, m)

// Two maps, a copy from one to the other, the two unmaps: memcpy_page().
@hpair@
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
p1 << hpair.p1;
m << hpair.m;
p2 << hpair.p2;
u1 << hpair.u1;
u2 << hpair.u2;
x << hpair.x;
y << hpair.y;
A << hpair.A;
B << hpair.B;
L << hpair.L;
@@
x, y = str(x), str(y)
if x != y and not mentions(str(L), set([x, y])):
	if var_offset(A, x) and var_offset(B, y):
		G['hpair'][pos(p1)] = (pos(p2), pos(u1), pos(u2), True, x, y)
		note_bound(p1, [var_offset(A, x), var_offset(B, y)], L, m)
	elif var_offset(A, y) and var_offset(B, x):
		G['hpair'][pos(p1)] = (pos(p2), pos(u1), pos(u2), False, x, y)
		note_bound(p1, [var_offset(A, y), var_offset(B, x)], L, m)

// The address variable changed after the map: kunmap_local() of it would
// no longer be given the mapping.
@reassign@
local idexpression x;
expression E;
position p : script:python() { in_site_fn(p) };
@@
(
x@p = E
|
x@p += E
|
x@p -= E
|
x@p++
|
x@p--
|
 ++x@p
|
 --x@p
)

@script:python@
p << reassign.p;
x << reassign.x;
@@
G['reassign'].append((fn_of(p), str(x), int(p[0].line)))

@script:python pair@
@@
prepare()

// A path from a map to a return on which its own unmaps never run.  The
// end of a void function is such a return, but "return ...;" alone does
// not match it, nor does a map spelled through an identifier metavariable
// (spatch 1.1.1): hence "return;" and the disjunction of map names.  In a
// function with one map, any unmap is its own; elsewhere a constraint
// picks the map's unmaps (a script call per unmap and path step: 20x the
// cost, so only where needed).
@leak exists@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { is_uhelper(uh) };
expression P;
position p : script:python() { only_map(p) };
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
p << leak.p;
r << leak.r;
@@
note_leak(LEAKS, p, r)

@many@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p : script:python() { not only_map(p) };
@@
mapfn@p(P)

@leak_many exists@
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { is_uhelper(uh) };
expression P;
position many.p;
position u : script:python(p) { paired_unmap(p, u) };
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
p << many.p;
r << leak_many.r;
@@
note_leak(LEAKS, p, r)

// The branch of a NULL test right after the map (kmap() never fails) is no
// such path: these sites are judged by the paths after the test alone.
@nulltest@
identifier mapfn = {kmap, kmap_atomic};
expression P, E;
statement S;
position p;
@@
E = mapfn@p(P);
if (\(!E\|E == NULL\|unlikely(!E)\)) S

@leak_nt exists@
position nulltest.p;
identifier unmapfn = {kunmap, kunmap_atomic, kunmap_local};
identifier uh : script:python() { is_uhelper(uh) };
expression P, E;
statement S;
position u : script:python(p) { paired_unmap(p, u) };
position r;
@@
E = \(kmap@p(P)\|kmap_atomic@p(P)\);
if (\(!E\|E == NULL\|unlikely(!E)\)) S
... when != unmapfn@u(...)
    when != uh@u(...)
(
return@r ...;
|
return@r;
)

@script:python@
p << nulltest.p;
@@
G['leaks_nt'].setdefault(pos(p), set())

@script:python@
p << nulltest.p;
r << leak_nt.r;
@@
note_leak(LEAKS_NT, p, r)

@script:python verdict@
@@
decide()

// ---------------------------------------------------------------- patch --
// Only what decide() planned (RW) is edited, one family of calls at a
// time: collect the calls of the current version (CUR, see okey()), match,
// let the script pick the planned ones, transform.  Nothing may change the
// file between a collection and the transformation that relies on it.

// The renames first, maps and unmaps in one rule: the file is parsed
// again after each rule that changes it.
@script:python g_rename depends on patch@
@@
if gate(MAP, UNMAP_RENAME):
	reset(MAPF)
	reset(UNMAPF)

@crename depends on g_rename@
identifier f = {kmap, kmap_atomic, kmap_local_page, kunmap, kunmap_atomic,
		kunmap_local};
expression P;
position p;
@@
f@p(P)

@script:python@
p << crename.p;
P << crename.P;
f << crename.f;
@@
collect(UNMAPF if f in UNMAPFNS else MAPF, p, P)

// The planned calls are picked by a constraint, not by inheriting each
// call's position from crename: spatch would try every inherited binding
// on every function and declaration of the file.
@depends on g_rename@
identifier f = {kmap, kmap_atomic, kunmap, kunmap_atomic};
expression P;
position p : script:python(P) { planned_rename(p, P) };
fresh identifier local = script:python(f) { local_name(f) };
@@
- f@p(P)
+ local(P)

@script:python g_pa depends on patch@
@@
if gate(PA):
	reset(PAF)

@cpa depends on g_pa@
expression E;
position p;
@@
page_address@p(E)

@script:python@
p << cpa.p;
E << cpa.E;
@@
collect(PAF, p, E)

@script:python pa_s@
p << cpa.p;
E << cpa.E;
V;
@@
if planned(PA, PAF, p, E):
	coccinelle.V = cocci.make_ident(RW[PA][okey(PAF, p, E)])
else:
	cocci.include_match(False)

// A cast of the address to a pointer type goes too where the value is
// only stored (the new variable is a void *, and spatch would reprint the
// cast in a style checkpatch rejects).  Anywhere else the cast stays: in
// ((T *)page_address(p)) + off it scales the offset.
@depends on g_pa@
expression cpa.E;
position cpa.p;
identifier pa_s.V;
expression X;
type T;
@@
(
  X =
- (T *)page_address@p(E)
+ V
|
- page_address@p(E)
+ V
)

// Then the unmaps given a new argument.
@script:python g_uarg depends on patch@
@@
if gate(UNMAP_ARG):
	reset(UNMAPF)

@cunmap2 depends on g_uarg@
identifier f = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p;
@@
f@p(E)

@script:python@
p << cunmap2.p;
E << cunmap2.E;
@@
collect(UNMAPF, p, E)

@script:python unmap_s@
p << cunmap2.p;
E << cunmap2.E;
f << cunmap2.f;
A;
@@
if f != LOCAL_UNMAP and planned(UNMAP_ARG, UNMAPF, p, E):
	coccinelle.A = cocci.make_expr(RW[UNMAP_ARG][okey(UNMAPF, p, E)])
else:
	cocci.include_match(False)

@depends on g_uarg@
identifier cunmap2.f;
expression cunmap2.E;
position cunmap2.p;
expression unmap_s.A;
@@
- f@p(E)
+ kunmap_local(A)

// Calls of an inlinable unmap helper: its body, with kunmap_local() of the
// address for its kunmap().
@script:python g_hunmap depends on patch@
@@
if gate(HUNMAP):
	reset(HUNMAPF)

@chunmap depends on g_hunmap@
identifier h : script:python() { is_uhelper(h) };
expression E;
position p;
@@
h@p(E);

@script:python@
p << chunmap.p;
E << chunmap.E;
@@
collect(HUNMAPF, p, E)

@script:python hunmap_s@
p << chunmap.p;
E << chunmap.E;
h << chunmap.h;
A;
@@
if planned(HUNMAP, HUNMAPF, p, E) and G['uhelpers'][str(h)] is None:
	coccinelle.A = cocci.make_expr(RW[HUNMAP][okey(HUNMAPF, p, E)])
else:
	cocci.include_match(False)

@depends on g_hunmap@
identifier chunmap.h;
expression chunmap.E;
position chunmap.p;
expression hunmap_s.A;
@@
- h@p(E);
+ kunmap_local(A);

@script:python g_hunmap2 depends on patch@
@@
if gate(HUNMAP):
	reset(HUNMAPF)

@chunmap2 depends on g_hunmap2@
identifier h : script:python() { is_uhelper(h) };
expression E;
position p;
@@
h@p(E);

@script:python@
p << chunmap2.p;
E << chunmap2.E;
@@
collect(HUNMAPF, p, E)

@script:python hunmap2_s@
p << chunmap2.p;
E << chunmap2.E;
h << chunmap2.h;
A;
T;
@@
if planned(HUNMAP, HUNMAPF, p, E) and G['uhelpers'][str(h)] is not None:
	coccinelle.A = cocci.make_expr(RW[HUNMAP][okey(HUNMAPF, p, E)])
	coccinelle.T = cocci.make_ident(G['uhelpers'][str(h)])
else:
	cocci.include_match(False)

@depends on g_hunmap2@
identifier chunmap2.h;
expression chunmap2.E;
position chunmap2.p;
expression hunmap2_s.A;
identifier hunmap2_s.T;
@@
- h@p(E);
+ kunmap_local(A);
+ T(E);

// kmap(page); with the uses through page_address(): a new variable,
// declared at the top of the function.
@script:python g_intro depends on patch@
@@
if gate(INTRO):
	reset(MAPF)

@cmap2 depends on g_intro@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap2.p;
P << cmap2.P;
@@
collect(MAPF, p, P)

@intro_m depends on g_intro@
identifier mapfn = {kmap};
expression P, E;
position p;
@@
(
mapfn@p(P);
|
E = mapfn@p(P);
)

@script:python intro_s@
p << intro_m.p;
P << intro_m.P;
V;
FN;
@@
if planned(INTRO, MAPF, p, P):
	coccinelle.V = cocci.make_ident(RW[INTRO][okey(MAPF, p, P)])
	coccinelle.FN = cocci.make_ident(p[0].current_element)
else:
	cocci.include_match(False)

@depends on g_intro@
identifier intro_m.mapfn;
expression intro_m.P;
expression E;
position intro_m.p;
identifier intro_s.V;
@@
(
- mapfn@p(P);
+ V = kmap_local_page(P);
|
- E = mapfn@p(P);
+ E = V = kmap_local_page(P);
)

// The declaration, at the top of that function only (a rule that
// rewrote the statement inside the function body explored every path of
// it: half of all patch-mode time).
@depends on g_intro@
identifier intro_s.V, intro_s.FN;
@@
FN(...) {
+ void *V;
... when any
}

// What kmap_atomic() did implicitly, made explicit around the region: one
// rule for the map and its unmaps, so that nothing moves in between.
@script:python g_guard depends on patch@
@@
if gate(GUARD):
	reset(MAPF)
	reset(UNMAPF)

@cmap3 depends on g_guard@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap3.p;
P << cmap3.P;
@@
collect(MAPF, p, P)

@cunmap3 depends on g_guard@
identifier f = {kunmap, kunmap_atomic, kunmap_local};
expression E;
position p;
@@
f@p(E)

@script:python@
p << cunmap3.p;
E << cunmap3.E;
@@
collect(UNMAPF, p, E)

@guard_m depends on g_guard@
identifier f = {kmap_local_page, kunmap_local};
expression E, P;
position p;
@@
(
E = f@p(P);
|
f@p(P);
)

@script:python guard_s@
p << guard_m.p;
P << guard_m.P;
f << guard_m.f;
D;
N;
@@
fam = MAPF if f == LOCAL_MAP else UNMAPF
g = RW[GUARD].get((fam,) + okey(fam, p, P))
if g:
	coccinelle.D = cocci.make_ident(g + DISABLE)
	coccinelle.N = cocci.make_ident(g + ENABLE)
else:
	cocci.include_match(False)

@depends on g_guard@
identifier guard_m.f;
expression E;
expression guard_m.P;
position guard_m.p;
identifier guard_s.D, guard_s.N;
@@
(
E = f@p(P);
+ D();
|
+ N();
f@p(P);
)

// memcpy() of a kmap() and its kunmap(): one helper call (last: it
// removes calls, which would shift the ranks other edits are found by).
@script:python g_helper depends on patch@
@@
if gate(HELPER):
	reset(MAPF)

@cmap4 depends on g_helper@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap4.p;
P << cmap4.P;
@@
collect(MAPF, p, P)

@help_m depends on g_helper@
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
)

@script:python help_s@
p << help_m.p;
P << help_m.P;
E << help_m.E;
F;
O;
@@
kind = RW[HELPER].get(okey(MAPF, p, P))
if kind:
	coccinelle.F = cocci.make_ident('memcpy' + '_' + kind + '_page')
	coccinelle.O = cocci.make_expr(map_offset(E))
else:
	cocci.include_match(False)

@depends on g_helper@
identifier help_m.unmapfn;
expression help_m.D, help_m.E, help_m.P, help_m.L, help_m.P2;
identifier help_s.F;
expression help_s.O;
@@
(
- memcpy(D, E, L);
- unmapfn(P2);
+ F(D, P, O, L);
|
- memcpy(E, D, L);
- unmapfn(P2);
+ F(P, O, D, L);
)

// The same with the address in a variable, whose declaration goes too.
@script:python g_vhelp depends on patch@
@@
if gate(VHELPER):
	reset(MAPF)

@cmap5 depends on g_vhelp@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap5.p;
P << cmap5.P;
@@
collect(MAPF, p, P)

@vhelp_m depends on g_vhelp@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
identifier cp = {memcpy, memset};
expression P, A, B, L, X, E2;
position p;
@@
X = mapfn@p(P);
cp(A, B, L);
(
unmapfn(E2);
|
flush_dcache_page(P);
unmapfn(E2);
)

@script:python vhelp_s@
p << vhelp_m.p;
P << vhelp_m.P;
X << vhelp_m.X;
A << vhelp_m.A;
B << vhelp_m.B;
L << vhelp_m.L;
cp << vhelp_m.cp;
F;
A1;
A2;
A3;
A4;
@@
kind = RW[VHELPER].get(okey(MAPF, p, P))
if kind and (kind == ZERO) == (str(cp) != MEMCPY):
	args = helper_args(kind, norm(str(X)), P, A, B, L)
	coccinelle.F = cocci.make_ident(helper_name(kind))
	coccinelle.A1, coccinelle.A2, coccinelle.A3, coccinelle.A4 = \
		[cocci.make_expr(a) for a in args]
else:
	cocci.include_match(False)

@depends on g_vhelp@
identifier vhelp_m.mapfn, vhelp_m.unmapfn;
expression vhelp_m.P, vhelp_m.A, vhelp_m.B, vhelp_m.L, vhelp_m.X;
expression vhelp_m.E2;
position vhelp_m.p;
identifier vhelp_s.F;
expression vhelp_s.A1, vhelp_s.A2, vhelp_s.A3, vhelp_s.A4;
@@
(
- X = mapfn@p(P);
- memcpy(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3, A4);
|
- X = mapfn@p(P);
- memcpy(A, B, L);
- flush_dcache_page(P);
- unmapfn(E2);
+ F(A1, A2, A3, A4);
|
- X = mapfn@p(P);
- memset(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3);
|
- X = mapfn@p(P);
- memset(A, B, L);
- flush_dcache_page(P);
- unmapfn(E2);
+ F(A1, A2, A3);
)

// The declaring form: the declaration is the map, the copy stays where
// it is.
@script:python g_vfar depends on patch@
@@
if gate(VFAR):
	reset(MAPF)

@cmap6 depends on g_vfar@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap6.p;
P << cmap6.P;
@@
collect(MAPF, p, P)

@vfar_m depends on g_vfar@
identifier mapfn = {kmap, kmap_atomic};
identifier unmapfn = {kunmap, kunmap_atomic};
type T;
identifier x;
expression P, A, B, L, E2;
position p;
@@
T x = mapfn@p(P);
...
memcpy(A, B, L);
unmapfn(E2);

@script:python vfar_s@
p << vfar_m.p;
P << vfar_m.P;
x << vfar_m.x;
A << vfar_m.A;
B << vfar_m.B;
L << vfar_m.L;
F;
A1;
A2;
A3;
A4;
@@
kind = RW[VFAR].get(okey(MAPF, p, P))
if kind:
	args = helper_args(kind, str(x), P, A, B, L)
	coccinelle.F = cocci.make_ident(helper_name(kind))
	coccinelle.A1, coccinelle.A2, coccinelle.A3, coccinelle.A4 = \
		[cocci.make_expr(a) for a in args]
else:
	cocci.include_match(False)

@depends on g_vfar@
identifier vfar_m.mapfn, vfar_m.unmapfn;
type vfar_m.T;
identifier vfar_m.x;
expression vfar_m.P, vfar_m.A, vfar_m.B, vfar_m.L, vfar_m.E2;
position vfar_m.p;
identifier vfar_s.F;
expression vfar_s.A1, vfar_s.A2, vfar_s.A3, vfar_s.A4;
@@
- T x = mapfn@p(P);
  ...
- memcpy(A, B, L);
- unmapfn(E2);
+ F(A1, A2, A3, A4);

// Two maps and a copy between them: one memcpy_page().
@script:python g_vpair depends on patch@
@@
if gate(VPAIR):
	reset(MAPF)

@cmap7 depends on g_vpair@
identifier f = {kmap, kmap_atomic, kmap_local_page};
expression P;
position p;
@@
f@p(P)

@script:python@
p << cmap7.p;
P << cmap7.P;
@@
collect(MAPF, p, P)

@vpair_m depends on g_vpair@
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

@script:python vpair_s@
p << vpair_m.p;
X << vpair_m.X;
Y << vpair_m.Y;
P1 << vpair_m.P1;
P2 << vpair_m.P2;
A << vpair_m.A;
B << vpair_m.B;
L << vpair_m.L;
A1;
A2;
A3;
A4;
A5;
@@
if RW[VPAIR].get(okey(MAPF, p, P1)):
	x, y = norm(str(X)), norm(str(Y))
	if var_offset(A, x) is not None:
		args = (P1, var_offset(A, x), P2, var_offset(B, y), L)
	else:
		args = (P2, var_offset(A, y), P1, var_offset(B, x), L)
	coccinelle.A1, coccinelle.A2, coccinelle.A3, coccinelle.A4, \
		coccinelle.A5 = [cocci.make_expr(str(a)) for a in args]
else:
	cocci.include_match(False)

@depends on g_vpair@
identifier vpair_m.mapfn, vpair_m.unmapfn;
expression vpair_m.X, vpair_m.Y, vpair_m.P1, vpair_m.P2, vpair_m.A;
expression vpair_m.B, vpair_m.L, vpair_m.E1, vpair_m.E2;
position vpair_m.p;
expression vpair_s.A1, vpair_s.A2, vpair_s.A3, vpair_s.A4, vpair_s.A5;
@@
- X = mapfn@p(P1);
- Y = mapfn(P2);
- memcpy(A, B, L);
- unmapfn(E1);
- unmapfn(E2);
+ memcpy_page(A1, A2, A3, A4, A5);

// (A declaration pattern on its own: wrapping it in the function body with
// "..." costs a path exploration per declaration of every function.)
@script:python g_decl depends on patch@
@@
gate(DECL_RM)

@decl_m depends on g_decl@
identifier x : script:python() { decl_planned(x) };
type T;
position p;
@@
T x@p;

@script:python decl_s@
p << decl_m.p;
x << decl_m.x;
@@
if (p[0].current_element, str(x)) not in RW[DECL_RM]:
	cocci.include_match(False)

@depends on g_decl@
identifier decl_m.x;
type decl_m.T;
position decl_m.p;
@@
- T x@p;

@finalize:python@
@@
flush()
dest = os.environ.get('KMAP_LOCAL_JSON')
if dest:
	with open(dest, 'a') as fh:
		for s in OUT:
			fh.write(jsonlib.dumps(s) + '\n')
elif MODE['json']:
	for s in OUT:
		print(jsonlib.dumps(s))
elif not MODE['patch']:
	for s in OUT:
		print('%s:%d:%d: %s() site is %s: %s' % (s['file'], s['line'],
		      s['column'], s['api'], s['class'], '; '.join(s['reasons'])))
