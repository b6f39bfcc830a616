// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path exploration.  Each CFG node keeps the set of states that reached
 * it; a state new to a node is queued and pushed through the node.  The
 * states are finite (bounded stack, finite holders and conditions), so
 * this terminates; a per-node cap widens (forgets conditions) and then
 * drops states, and a budget bounds pathological functions.
 *
 * Branches are pruned by what the tested value holds (a mapped address is
 * never NULL) and by conditions already decided on the path, so that
 * "if (x) a = kmap_local_page(p); ... if (x) kunmap_local(a);" has no
 * path that maps without unmapping.
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "cfg.h"
#include "checks.h"
#include "engine.h"
#include "ir.h"
#include "summary.h"

#define WIDEN_AT 48		/* states per node before forgetting facts */
#define DROP_AT 160		/* states per node before dropping */
#define BUDGET 400000		/* node transfers per function */

static const struct check *checks[32];
static int nchecks;

void check_register(const struct check *c)
{
	if (nchecks < (int)(sizeof(checks) / sizeof(checks[0])))
		checks[nchecks++] = c;
}

#define HOOK(name, ...)                                                      \
	do {                                                                 \
		int h_;                                                      \
		for (h_ = 0; h_ < nchecks; h_++)                             \
			if (checks[h_]->name)                                \
				checks[h_]->name(__VA_ARGS__);               \
	} while (0)

int site_add(struct func_ctx *f, CXCursor c)
{
	grow((void **)&f->sites, &f->capsites, f->nsites, sizeof(*f->sites));
	f->sites[f->nsites].loc = clang_getCursorLocation(c);
	f->sites[f->nsites].name = -1;
	f->sites[f->nsites].page_fp = -1;
	return f->nsites++;
}

void site_line_col(const struct func_ctx *f, int site, int *line, int *col)
{
	unsigned l = 0, c = 0;

	if (site >= 0 && site < f->nsites)
		clang_getExpansionLocation(f->sites[site].loc, NULL, &l, &c,
					   NULL);
	*line = (int)l;
	*col = (int)c;
}

/* ---- helpers for checks ---- */

const char *audit_str(struct audit *a, int id)
{
	return strtab_str(&a->f->fc->strings, id);
}

int audit_line(struct audit *a, int site)
{
	int line, col;

	site_line_col(a->f, site, &line, &col);
	return line;
}

const char *audit_call_name(struct audit *a, int site)
{
	static char buf[256];
	int name = site >= 0 && site < a->f->nsites ? a->f->sites[site].name :
						       -1;

	snprintf(buf, sizeof(buf), "%s()",
		 name >= 0 ? audit_str(a, name) : "the mapping call");
	return buf;
}

const char *audit_value_name(struct audit *a, struct rval v)
{
	static char buf[300];

	if (v.via >= 0 && v.via < a->f->nholders)
		snprintf(buf, sizeof(buf), "'%s'", a->f->holders[v.via].name);
	else
		snprintf(buf, sizeof(buf), "the address");
	return buf;
}

void audit_report(struct audit *a, const char *kind, int site,
		  const char *msg, const struct note *notes, int nnotes)
{
	struct related rel[8];
	int i, line, col;

	if (!a->f->report)
		return;
	if (nnotes > 8)
		nnotes = 8;
	for (i = 0; i < nnotes; i++) {
		site_line_col(a->f, notes[i].site, &rel[i].line, &rel[i].col);
		rel[i].file = NULL;
		rel[i].message = (char *)notes[i].msg;
	}
	site_line_col(a->f, site, &line, &col);
	findings_add(a->f->fc->out, a->f->fc->display, line, col,
		     a->f->fn->name, kind, msg, rel, nnotes);
}

/* ---- the engine ---- */

struct engine {
	struct func_ctx *f;
	struct audit a;
	struct wstate w;
	int nfacts;
	int *cond_fact;		/* cond id -> fact index, -1 */
	int **root_facts;	/* holder -> fact indexes it invalidates */
	int *nroot_facts;
	int **desc;		/* holder -> tracked holders inside it */
	int *ndesc;
	int *qnode;
	struct frozen **qstate;
	int qhead, qtail, qcap;
	long work;
};

static struct rval unknown(void)
{
	struct rval r = { { V_UNKNOWN, 0, 0, 0 }, -1 };

	return r;
}

static struct rval mkval(int kind, int sub, int a, int b)
{
	struct rval r = { { (uint8_t)kind, (uint8_t)sub, (uint16_t)a,
			    (uint16_t)b },
			  -1 };

	return r;
}

static void kill_facts(struct engine *e, int holder)
{
	int root = e->f->holders[holder].root, i;

	for (i = 0; i < e->nroot_facts[root]; i++)
		e->w.fact[e->root_facts[root][i]] = 0;
}

static void use_value(struct engine *e, struct rval v, int site,
		      const char *how)
{
	if (v.v.kind == V_DEAD)
		HOOK(on_use, &e->a, v, site, how);
}

static struct rval eval(struct engine *e, const struct ir *x);

/* Evaluates the operands of an lvalue access; checks the dereference. */
static void eval_access(struct engine *e, const struct ir *lv)
{
	int i = 0;

	if (lv->deref && lv->nkids) {
		struct rval base = eval(e, lv->kids[0]);

		use_value(e, base, lv->site, "dereferenced");
		i = 1;
	}
	for (; i < lv->nkids; i++)
		eval(e, lv->kids[i]);
}

/* The topmost mapping stored in an array holder. */
static int array_slot(struct engine *e, int arr)
{
	int i;

	for (i = e->w.nstack - 1; i >= 0; i--)
		if (e->w.stack[i].arr == arr)
			return i;
	return -1;
}

static struct rval read_holder(struct engine *e, int h)
{
	const struct holder *hd;
	struct rval r = unknown();

	if (h < 0)
		return r;
	hd = &e->f->holders[h];
	if (hd->array >= 0) {
		int slot = array_slot(e, hd->array);

		if (slot >= 0)
			r = mkval(V_LIVE, 0, slot, 0);
	} else if (hd->rel >= 0) {
		r.v = e->w.val[hd->rel];
	}
	r.via = h;
	return r;
}

static void set_holder(struct engine *e, int h, struct value v)
{
	if (h >= 0 && e->f->holders[h].rel >= 0)
		e->w.val[e->f->holders[h].rel] = v;
}

/* Forget what h and everything inside it holds (written by a callee,
 * or reached through a pointer that changed). */
static void forget_inside(struct engine *e, int h, int escaped)
{
	int i;

	for (i = 0; i < e->ndesc[h]; i++) {
		struct value *v = &e->w.val[e->desc[h][i]];

		if (escaped && v->kind == V_LIVE)
			e->w.stack[v->a].flags |= M_ESCAPED;
		v->kind = V_UNKNOWN;
	}
}

/* Successive iterations of a loop storing mappings in one array become
 * one entry with an unknown count, which keeps the states finite. */
static void merge_array(struct engine *e, int slot, int site)
{
	struct mapping *m = e->w.stack, *top = &m[slot];
	int i;

	if (slot < 1 || slot != e->w.nstack - 1 ||
	    m[slot - 1].site != top->site || m[slot - 1].arr != top->arr)
		return;
	m[slot - 1].flags |= M_MULTI | (top->flags & M_ESCAPED);
	m[slot - 1].flags &= ~M_MAYBE_EMPTY;
	for (i = 0; i < e->w.nval; i++)
		if (e->w.val[i].kind == V_LIVE && e->w.val[i].a == slot)
			e->w.val[i].a = (uint16_t)(slot - 1);
	e->w.nstack--;
	HOOK(on_multi, &e->a, slot - 1, site);
}

static void write_lval(struct engine *e, const struct ir *lv, struct rval v,
		       int site)
{
	const struct holder *hd;
	int h;

	if (lv->kind != IR_LVAL) {
		eval(e, lv);
		if (v.v.kind == V_LIVE)
			e->w.stack[v.v.a].flags |= M_ESCAPED;
		return;
	}
	eval_access(e, lv);
	h = lv->holder;
	if (h < 0) {
		if (v.v.kind == V_LIVE)
			e->w.stack[v.v.a].flags |= M_ESCAPED;
		return;
	}
	hd = &e->f->holders[h];
	HOOK(on_store, &e->a, h, v, site);
	kill_facts(e, h);
	forget_inside(e, h, 0);
	if (v.v.kind == V_LIVE && !hd->frame_local)
		e->w.stack[v.v.a].flags |= M_ESCAPED;
	if (hd->array >= 0) {
		if (v.v.kind == V_LIVE) {
			e->w.stack[v.v.a].arr = (int16_t)hd->array;
			merge_array(e, v.v.a, site);
		}
		return;
	}
	set_holder(e, h, v.v);
}

static int page_slot(struct engine *e, int fp)
{
	int i;

	if (fp < 0)
		return -1;
	for (i = e->w.nstack - 1; i >= 0; i--)
		if (e->f->sites[e->w.stack[i].site].page_fp == fp &&
		    !(e->w.stack[i].flags & M_MAYBE_EMPTY))
			return i;
	return -1;
}

static int page_kmapped(struct engine *e, int fp)
{
	int i;

	for (i = 0; fp >= 0 && i < e->w.nval; i++)
		if (e->w.val[i].kind == V_GMAP &&
		    e->f->sites[e->w.val[i].a].page_fp == fp)
			return 1;
	return 0;
}

static void release(struct engine *e, int slot, int unmap_site)
{
	struct mapping *m = &e->w.stack[slot];

	if (m->flags & M_MULTI) {
		m->flags |= M_MAYBE_EMPTY;
		return;
	}
	ms_remove(&e->w, slot, mkval(V_DEAD, 0, m->site, unmap_site).v);
}

static void do_unmap(struct engine *e, const struct ir *call,
		     const struct ir *arg, struct rval v, int api)
{
	struct unmap_event ev = { call, arg, v, api, -1, 0 };

	if (api == API_KUNMAP || (call->flags & IRF_PAGE_ARG)) {
		ev.page_slot = page_slot(e, call->page_fp);
		ev.page_kmapped = page_kmapped(e, call->page_fp);
	}
	HOOK(on_unmap, &e->a, &ev);
	if (v.v.kind == V_LIVE && !(call->flags & IRF_PAGE_ARG))
		release(e, v.v.a, call->site);
	else if (ev.page_slot >= 0 && !ev.page_kmapped)
		release(e, ev.page_slot, call->site);
	else if (v.v.kind == V_PARAM && v.v.a < 64)
		e->f->fn->sum.unmaps_param |= 1ULL << v.v.a;
}

static struct rval push_mapping(struct engine *e, const struct ir *call,
				int flags)
{
	int slot = ms_push(&e->w, call->site, API_MAP, flags);

	if (slot < 0)
		return unknown();
	e->f->sites[call->site].name = call->name;
	e->f->sites[call->site].page_fp = call->page_fp;
	HOOK(on_map, &e->a, slot);
	return mkval(V_LIVE, 0, slot, 0);
}

/* &x passed to a callee: whatever x holds may change. */
static void callee_may_write(struct engine *e, const struct ir *arg)
{
	const struct ir *lv;

	while (arg->kind == IR_PASS && arg->nkids)
		arg = arg->kids[0];
	if (arg->kind != IR_ADDR)
		return;
	lv = arg->kids[0];
	if (lv->kind != IR_LVAL || lv->deref || lv->holder < 0)
		return;
	kill_facts(e, lv->holder);
	forget_inside(e, lv->holder, 1);
	{
		struct rval v = read_holder(e, lv->holder);

		if (v.v.kind == V_LIVE)
			e->w.stack[v.v.a].flags |= M_ESCAPED;
		if (e->f->holders[lv->holder].array < 0)
			set_holder(e, lv->holder, unknown().v);
	}
}

static struct rval eval_call(struct engine *e, const struct ir *x)
{
	struct rval args[16], r = unknown();
	const struct summary *s = NULL;
	int i, n = x->nkids < 16 ? x->nkids : 16;

	switch (x->api) {
	case API_MAP:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return push_mapping(e, x, 0);
	case API_KMAP:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		e->f->sites[x->site].page_fp = x->page_fp;
		e->f->sites[x->site].name = x->name;
		return mkval(V_GMAP, 0, x->site, 0);
	case API_NOT_MAPPING:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return mkval(V_NOTMAP, NM_PAGE_ADDRESS, x->site, 0);
	case API_UNMAP:
	case API_KUNMAP:
		if (!x->nkids)
			return r;
		e->f->sites[x->site].name = x->name;
		r = eval(e, x->kids[0]);
		for (i = 1; i < x->nkids; i++)
			eval(e, x->kids[i]);
		do_unmap(e, x, x->kids[0], r, x->api);
		return unknown();
	default:
		break;
	}
	if (x->callee >= 0 && e->f->fc->funcs[x->callee].state == FUNC_DONE)
		s = &e->f->fc->funcs[x->callee].sum;
	for (i = 0; i < x->nkids; i++) {
		struct rval v = eval(e, x->kids[i]);

		if (i < n)
			args[i] = v;
	}
	if (x->api == API_DEFER)
		HOOK(on_call, &e->a, x, args);
	for (i = 0; i < n; i++) {
		if (s && i < 64 && (s->unmaps_param & (1ULL << i))) {
			e->f->sites[x->site].name = x->name;
			do_unmap(e, x, x->kids[i], args[i], API_UNMAP);
		} else if (x->api != API_IS_ERR) {
			char how[300];

			snprintf(how, sizeof(how), "passed to %s()",
				 audit_str(&e->a, x->name));
			use_value(e, args[i], x->kids[i]->site, how);
		}
	}
	for (i = 0; i < x->nkids; i++)
		callee_may_write(e, x->kids[i]);
	if (x->flags & IRF_NORETURN)
		e->w.dead = 1;
	if (s && s->returns_map)
		return push_mapping(e, x, s->may_fail ? M_MAYFAIL : 0);
	return unknown();
}

static struct rval eval(struct engine *e, const struct ir *x)
{
	struct rval r = unknown();
	int i;

	if (!x)
		return r;
	switch (x->kind) {
	case IR_LVAL:
		eval_access(e, x);
		return read_holder(e, x->holder);
	case IR_CALL:
		return eval_call(e, x);
	case IR_ASSIGN:
		r = eval(e, x->kids[1]);
		write_lval(e, x->kids[0], r, x->site);
		return r;
	case IR_UPDATE:
		if (x->kids[0]->kind == IR_LVAL) {
			eval_access(e, x->kids[0]);
			if (x->kids[0]->holder >= 0)
				kill_facts(e, x->kids[0]->holder);
			r = read_holder(e, x->kids[0]->holder);
		} else {
			eval(e, x->kids[0]);
		}
		for (i = 1; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return r;
	case IR_ADDR: {
		const struct ir *lv = x->kids[0];

		if (lv->kind == IR_LVAL && lv->deref && lv->nkids) {
			/* &p->f, &p[i]: an address inside what p maps. */
			r = eval(e, lv->kids[0]);
			for (i = 1; i < lv->nkids; i++)
				eval(e, lv->kids[i]);
			return r;
		}
		if (lv->kind == IR_LVAL)
			for (i = 0; i < lv->nkids; i++)
				eval(e, lv->kids[i]);
		else
			eval(e, lv);
		return mkval(V_NOTMAP, NM_ADDRESS_OF, x->site, 0);
	}
	case IR_PASS:
		r = eval(e, x->kids[0]);
		for (i = 1; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return r;
	case IR_NULL:
		return mkval(V_NULL, 0, 0, 0);
	case IR_NOTMAP:
		return mkval(V_NOTMAP, NM_ADDRESS_OF, x->site, 0);
	case IR_SEQ:
		for (i = 0; i < x->nkids; i++)
			r = eval(e, x->kids[i]);
		return r;
	case IR_COND: {
		struct rval a, b;

		eval(e, x->kids[0]);
		a = eval(e, x->kids[1]);
		b = eval(e, x->kids[2]);
		return a.v.kind == V_LIVE || b.v.kind == V_UNKNOWN ? a : b;
	}
	case IR_UNEVAL:
		return r;
	case IR_ESCAPE:
		for (i = 0; i < x->nkids; i++) {
			struct rval v = eval(e, x->kids[i]);

			if (v.v.kind == V_LIVE)
				e->w.stack[v.v.a].flags |= M_ESCAPED;
		}
		return r;
	default:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return r;
	}
}

/* ---- worklist ---- */

static void enqueue(struct engine *e, int node, int with_facts)
{
	struct node *n = &e->f->nodes[node];
	struct stateset **set = (struct stateset **)&n->states;
	struct frozen *fz;
	int count = stateset_count(*set);

	if (count >= DROP_AT) {
		e->f->incomplete = 1;
		return;
	}
	fz = ws_freeze(&e->w, with_facts && count < WIDEN_AT);
	if (!stateset_add(set, fz))
		return;
	if (e->qtail == e->qcap) {
		if (e->qhead > 0) {
			memmove(e->qnode, e->qnode + e->qhead,
				sizeof(int) * (e->qtail - e->qhead));
			memmove(e->qstate, e->qstate + e->qhead,
				sizeof(*e->qstate) * (e->qtail - e->qhead));
			e->qtail -= e->qhead;
			e->qhead = 0;
		} else {
			int cap = e->qcap;

			grow((void **)&e->qnode, &cap, e->qtail, sizeof(int));
			grow((void **)&e->qstate, &e->qcap, e->qtail,
			     sizeof(*e->qstate));
		}
	}
	e->qnode[e->qtail] = node;
	e->qstate[e->qtail] = fz;
	e->qtail++;
}

static void to_successors(struct engine *e, const struct node *n)
{
	int i;

	if (e->w.dead)
		return;
	for (i = 0; i < n->nsucc; i++)
		enqueue(e, n->succ[i], 1);
}

static void do_exit(struct engine *e, const struct node *n)
{
	struct exit_event ev = { n->site, 0, unknown() };

	if (n->kind == N_RETURN && n->expr) {
		ev.has_value = 1;
		ev.v = eval(e, n->expr);
		if (e->w.dead)
			return;
		use_value(e, ev.v, n->site, "returned");
		if (ev.v.v.kind == V_LIVE) {
			e->w.stack[ev.v.v.a].flags |= M_RETURNED;
			e->f->fn->sum.returns_map = 1;
		} else if (ev.v.v.kind != V_PARAM) {
			e->f->fn->sum.may_fail = 1;
		}
	}
	HOOK(on_exit, &e->a, &ev);
}

/* 1: non-NULL, 0: NULL, -1: unknown. */
static int nullness(struct engine *e, struct value v)
{
	switch (v.kind) {
	case V_LIVE:
		return e->w.stack[v.a].flags & M_MAYFAIL ? -1 : 1;
	case V_DEAD:
	case V_GMAP:
		return 1;
	case V_NULL:
		return 0;
	default:
		return -1;
	}
}

/* A wrapper's result tested: on one side it is a mapping for sure, on
 * the other there never was one. */
static void split_mayfail(struct engine *e, const struct node *n, int slot,
			  int mapped_when)
{
	struct wstate save;
	int succ_mapped = n->succ[(mapped_when ^ n->negate) ? 0 : 1];
	int succ_none = n->succ[(mapped_when ^ n->negate) ? 1 : 0];

	ws_init(&save, e->w.nval, e->w.nfact);
	ws_copy(&save, &e->w);
	e->w.stack[slot].flags &= ~M_MAYFAIL;
	enqueue(e, succ_mapped, 1);
	ws_copy(&e->w, &save);
	ms_remove(&e->w, slot, mkval(V_UNKNOWN, 0, 0, 0).v);
	enqueue(e, succ_none, 1);
	ws_free(&save);
}

static void do_branch(struct engine *e, const struct node *n)
{
	struct rval v;
	int truth = -1, fact = -1;

	if (n->constval >= 0) {
		enqueue(e, n->succ[(n->constval ^ n->negate) ? 0 : 1], 1);
		return;
	}
	v = eval(e, n->expr);
	if (e->w.dead)
		return;
	if (v.v.kind == V_LIVE && (e->w.stack[v.v.a].flags & M_MAYFAIL)) {
		/* IS_ERR(x) holds when there is no mapping; x != NULL when
		 * there is one. */
		split_mayfail(e, n, v.v.a, n->iserr ? 0 : 1);
		return;
	}
	if (n->iserr) {
		int nn = nullness(e, v.v);

		if (v.v.kind == V_LIVE || v.v.kind == V_DEAD)
			truth = 0;
		else if (nn == 0)
			truth = n->iserr == 2;
	} else {
		truth = nullness(e, v.v);
	}
	if (truth < 0 && n->cond >= 0 && e->cond_fact[n->cond] >= 0) {
		fact = e->cond_fact[n->cond];
		if (e->w.fact[fact])
			truth = e->w.fact[fact] - 1;
	}
	if (truth >= 0) {
		enqueue(e, n->succ[(truth ^ n->negate) ? 0 : 1], 1);
		return;
	}
	if (fact >= 0)
		e->w.fact[fact] = 2;
	enqueue(e, n->succ[n->negate ? 1 : 0], 1);
	if (fact >= 0)
		e->w.fact[fact] = 1;
	enqueue(e, n->succ[n->negate ? 0 : 1], 1);
}

static void transfer(struct engine *e, int node)
{
	const struct node *n = &e->f->nodes[node];
	struct rval v;

	switch (n->kind) {
	case N_JOIN:
		to_successors(e, n);
		break;
	case N_EXPR:
		eval(e, n->expr);
		to_successors(e, n);
		break;
	case N_ASSIGN:
		if (n->expr)
			v = eval(e, n->expr);
		else
			v = mkval(V_NOTMAP, NM_UNINIT, n->site, 0);
		if (!e->w.dead)
			write_lval(e, n->lhs, v, n->site);
		to_successors(e, n);
		break;
	case N_BRANCH:
		do_branch(e, n);
		break;
	case N_SWITCH:
		eval(e, n->expr);
		to_successors(e, n);
		break;
	case N_RETURN:
	case N_EXIT:
		do_exit(e, n);
		break;
	default:
		break;
	}
}

static void add_list(int ***lists, int **counts, int key, int value)
{
	int n = (*counts)[key];

	(*lists)[key] = xrealloc((*lists)[key], sizeof(int) * (n + 1));
	(*lists)[key][n] = value;
	(*counts)[key] = n + 1;
}

static void engine_setup(struct engine *e, struct func_ctx *f)
{
	int i, j, nh = f->nholders ? f->nholders : 1;

	memset(e, 0, sizeof(*e));
	e->f = f;
	e->cond_fact = xmalloc(sizeof(int) * (f->conds.n ? f->conds.n : 1));
	e->root_facts = xcalloc(nh, sizeof(int *));
	e->nroot_facts = xcalloc(nh, sizeof(int));
	e->desc = xcalloc(nh, sizeof(int *));
	e->ndesc = xcalloc(nh, sizeof(int));
	/* Only conditions tested more than once can correlate branches. */
	for (i = 0; i < f->conds.n; i++) {
		const struct cond_info *ci = &f->cinfo[i];

		e->cond_fact[i] = -1;
		if (ci->count < 2)
			continue;
		e->cond_fact[i] = e->nfacts++;
		for (j = 0; j < ci->nroots; j++)
			add_list(&e->root_facts, &e->nroot_facts, ci->roots[j],
				 e->cond_fact[i]);
	}
	for (i = 0; i < f->nrel; i++) {
		int h = f->rel_holder[i];

		for (j = h; j >= 0; j = f->holders[j].parent)
			add_list(&e->desc, &e->ndesc, j, i);
	}
	ws_init(&e->w, f->nrel, e->nfacts);
	e->a.f = f;
	e->a.w = &e->w;
}

static void engine_free(struct engine *e)
{
	int i;

	for (i = 0; i < e->f->nholders; i++) {
		free(e->root_facts[i]);
		free(e->desc[i]);
	}
	for (i = e->qhead; i < e->qtail; i++)
		(void)0;	/* queued states are owned by node sets */
	free(e->root_facts);
	free(e->nroot_facts);
	free(e->desc);
	free(e->ndesc);
	free(e->cond_fact);
	free(e->qnode);
	free(e->qstate);
	ws_free(&e->w);
}

static void explore(struct engine *e)
{
	struct func_ctx *f = e->f;
	int i;

	ws_reset(&e->w);
	for (i = 0; i < f->nrel; i++) {
		const struct holder *h = &f->holders[f->rel_holder[i]];

		if (h->root_kind == ROOT_PARAM && h->parent < 0 &&
		    h->param >= 0)
			e->w.val[i] = mkval(V_PARAM, 0, h->param, 0).v;
	}
	enqueue(e, f->entry, 1);
	while (e->qhead < e->qtail) {
		int node = e->qnode[e->qhead];
		struct frozen *fz = e->qstate[e->qhead];

		e->qhead++;
		if (++e->work > BUDGET) {
			f->incomplete = 1;
			break;
		}
		ws_thaw(&e->w, fz);
		transfer(e, node);
	}
}

static CXCursor function_body(CXCursor fn)
{
	CXCursor *kids;
	CXCursor body = clang_getNullCursor();
	int n, i;

	kids = ast_kids_all(fn, &n);
	for (i = 0; i < n; i++)
		if (clang_getCursorKind(kids[i]) == CXCursor_CompoundStmt)
			body = kids[i];
	free(kids);
	return body;
}

static void free_func_ctx(struct func_ctx *f)
{
	int i;

	for (i = 0; i < f->nnodes; i++) {
		free(f->nodes[i].succ);
		stateset_free(f->nodes[i].states);
	}
	for (i = 0; i < f->capcinfo; i++)
		free(f->cinfo[i].roots);
	free(f->cinfo);
	free(f->nodes);
	free(f->sites);
	free(f->holders);
	free(f->rel_holder);
	free(f->uf);
	free(f->pairs);
	free(f->params);
	free(f->label_node);
	strtab_free(&f->hkeys);
	strtab_free(&f->conds);
	strtab_free(&f->labels);
	arena_free(&f->arena);
}

void analyze_function(struct file_ctx *fc, int id)
{
	struct func_ctx f;
	struct engine e;
	CXCursor fn = fc->funcs[id].cursor, body = function_body(fn);
	CXSourceRange ext;
	int i;

	fc->funcs[id].state = FUNC_BUSY;
	if (clang_Cursor_isNull(body)) {
		fc->funcs[id].state = FUNC_DONE;
		return;
	}
	memset(&f, 0, sizeof(f));
	f.fc = fc;
	f.fn = &fc->funcs[id];
	f.fn_id = id;
	f.report = fc->funcs[id].in_main;
	f.nparams = clang_Cursor_getNumArguments(fn);
	if (f.nparams < 0)
		f.nparams = 0;
	f.params = xcalloc(f.nparams ? f.nparams : 1, sizeof(CXCursor));
	for (i = 0; i < f.nparams; i++)
		f.params[i] = clang_Cursor_getArgument(fn, i);
	ext = clang_getCursorExtent(body);
	grow((void **)&f.sites, &f.capsites, 0, sizeof(*f.sites));
	f.sites[0].loc = clang_getRangeEnd(ext);
	f.sites[0].name = -1;
	f.sites[0].page_fp = -1;
	f.nsites = 1;
	f.body_end_site = 0;
	cfg_build(&f, body);
	rel_finish(&f);
	/* fc->funcs may have moved while callees were summarised. */
	f.fn = &fc->funcs[id];
	engine_setup(&e, &f);
	explore(&e);
	engine_free(&e);
	if (f.report)
		fc->nfunctions++;
	fc->funcs[id].incomplete = (unsigned char)f.incomplete;
	fc->funcs[id].state = FUNC_DONE;
	free_func_ctx(&f);
}
