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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "cfg.h"
#include "checks.h"
#include "engine.h"
#include "ir.h"
#include "summary.h"

/* States per node before further ones are dropped (the function is then
 * "not fully explored").  Merging them instead, by forgetting conditions,
 * would invent paths and false reports. */
#define DROP_AT 160
#define BUDGET 400000 /* node transfers per function */

static const struct check *checks[32];
static int nchecks;

void check_register(const struct check *c)
{
	if (nchecks < (int)(sizeof(checks) / sizeof(checks[0])))
		checks[nchecks++] = c;
}

#define HOOK(name, ...)                                        \
	do {                                                   \
		int h_;                                        \
		for (h_ = 0; h_ < nchecks; h_++)               \
			if (checks[h_]->name)                  \
				checks[h_]->name(__VA_ARGS__); \
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

void audit_report(struct audit *a, const char *kind, int site, const char *msg,
		  const struct note *notes, int nnotes)
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
		     a->f->fc->funcs[a->f->fn_id].name, kind, msg, rel, nnotes);
}

/* ---- the engine ---- */

struct engine {
	struct func_ctx *f;
	struct audit a;
	struct wstate w;
	int nfacts;
	int *cond_fact; /* cond id -> fact index, -1 */
	int **fact_holders; /* fact -> holders its condition reads */
	int *nfact_holders;
	int **desc; /* holder -> tracked holders inside it */
	int *ndesc;
	int *qnode;
	struct frozen **qstate;
	int qhead, qtail, qcap;
	long work;
	int debug;
	/* live[node * nrel + i]: tracked holder i may be read from node on
	 * (per variable); values of the others are dropped there. */
	uint8_t *live;
};

/* The function being analysed: fc->funcs may move while callees are
 * summarised, so it is always looked up. */
static struct summary *self_sum(struct engine *e)
{
	return &e->f->fc->funcs[e->f->fn_id].sum;
}

static struct rval unknown(void)
{
	struct rval r = { { V_UNKNOWN, 0, 0, 0 }, -1 };

	return r;
}

static struct rval mkval(int kind, int sub, int a, int b)
{
	struct rval r = {
		{ (uint8_t)kind, (uint8_t)sub, (uint16_t)a, (uint16_t)b }, -1
	};

	return r;
}

static int is_mapping_value(struct value v)
{
	return v.kind == V_LIVE || v.kind == V_DEAD || v.kind == V_GMAP ||
	       v.kind == V_PARAM || v.kind == V_OBJ;
}

/* Is holder r the holder w or inside it? */
static int within(const struct func_ctx *f, int r, int w)
{
	for (; r >= 0; r = f->holders[r].parent)
		if (r == w)
			return 1;
	return 0;
}

/* The holder of i when lv reads a[i] itself (not a field of it) with i a
 * plain local variable or argument; -1 otherwise. */
static int element_index(const struct func_ctx *f, const struct ir *lv)
{
	const struct holder *h, *ih;
	const struct ir *idx;
	size_t len;

	if (lv->kind != IR_LVAL || lv->holder < 0 || !lv->nkids)
		return -1;
	h = &f->holders[lv->holder];
	len = strlen(h->key);
	if (h->array != lv->holder || len < 2 || strcmp(h->key + len - 2, "[]"))
		return -1;
	idx = lv->kids[lv->nkids - 1];
	if (idx->kind != IR_LVAL || idx->holder < 0 || idx->nkids)
		return -1;
	ih = &f->holders[idx->holder];
	if (ih->parent >= 0 || ih->addr_taken || ih->array >= 0 ||
	    (ih->root_kind != ROOT_LOCAL && ih->root_kind != ROOT_PARAM))
		return -1;
	return idx->holder;
}

/* A write to holder w (or a call that may write anything): the element
 * last unmapped may now hold something else. */
static void forget_gone(struct engine *e, int w)
{
	const struct gone_elem *g = &e->w.gone;

	if (g->arr < 0)
		return;
	if (w < 0 || w == g->idx || within(e->f, g->arr, w) ||
	    e->f->holders[w].array == g->arr)
		e->w.gone.arr = -1;
}

/* A write to w: conditions that read it (or something inside it) are no
 * longer known. */
static void kill_facts(struct engine *e, int w)
{
	int i, j;

	for (i = 0; i < e->nfacts; i++) {
		if (!e->w.fact[i])
			continue;
		for (j = 0; j < e->nfact_holders[i]; j++)
			if (within(e->f, e->fact_holders[i][j], w)) {
				e->w.fact[i] = 0;
				break;
			}
	}
}

static void use_value(struct engine *e, struct rval v, int site,
		      const char *how)
{
	if (v.v.kind == V_DEAD)
		HOOK(on_use, &e->a, v, site, how);
}

static struct rval eval(struct engine *e, const struct ir *x);
static int nullness(struct engine *e, struct value v);

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
	/* Unknown contents of an argument's object: a wrapper releasing
	 * what it finds there releases the caller's mapping. */
	if (r.v.kind == V_UNKNOWN && hd->root_kind == ROOT_PARAM &&
	    hd->root != h && hd->param >= 0 && hd->param < 64 &&
	    hd->is_pointer) {
		r.v.kind = V_OBJ;
		r.v.a = (uint16_t)hd->param;
	}
	r.via = h;
	return r;
}

static void set_holder(struct engine *e, int h, struct value v)
{
	if (h >= 0 && e->f->holders[h].rel >= 0)
		e->w.val[e->f->holders[h].rel] = v;
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

/* The variable an argument points into: &buf -> buf, ctx -> ctx,
 * &req->work -> req. */
int arg_root(const struct func_ctx *f, const struct ir *x)
{
	for (;;) {
		if (x->kind == IR_NOTMAP) { /* an array: its elements */
			return x->holder >= 0 ? f->holders[x->holder].root : -1;
		} else if (x->kind == IR_PASS || x->kind == IR_ADDR) {
			x = x->kids[0];
		} else if (x->kind == IR_LVAL) {
			if (x->holder >= 0)
				return f->holders[x->holder].root;
			if (!x->deref || !x->nkids)
				return -1;
			x = x->kids[0];
		} else {
			return -1;
		}
	}
}

static void write_lval(struct engine *e, const struct ir *lv, struct rval v,
		       int site)
{
	const struct holder *hd;
	int h, i;

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
		if (v.v.kind == V_PARAM && v.v.a < 64)
			self_sum(e)->escapes_param |= 1ULL << v.v.a;
		return;
	}
	hd = &e->f->holders[h];
	HOOK(on_store, &e->a, h, v, site);
	kill_facts(e, h);
	forget_gone(e, h);
	for (i = 0; i < e->ndesc[h]; i++)
		e->w.val[e->desc[h][i]].kind = V_UNKNOWN;
	if (!hd->frame_local) {
		if (v.v.kind == V_LIVE) {
			e->w.stack[v.v.a].flags |= M_ESCAPED;
			if (hd->root_kind == ROOT_PARAM && hd->param >= 0 &&
			    hd->param < 64)
				self_sum(e)->stores_obj |= 1ULL << hd->param;
		}
		if (v.v.kind == V_PARAM && v.v.a < 64) {
			self_sum(e)->escapes_param |= 1ULL << v.v.a;
			if (hd->root_kind == ROOT_GLOBAL)
				self_sum(e)->escapes_global |= 1ULL << v.v.a;
		}
	}
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

/* Bit of the argument whose object a holder is reached through. */
static uint64_t param_obj_bit(const struct func_ctx *f, int via)
{
	const struct holder *h;

	if (via < 0)
		return 0;
	h = &f->holders[via];
	if (h->root_kind != ROOT_PARAM || h->root == via || h->param < 0 ||
	    h->param >= 64)
		return 0;
	return 1ULL << h->param;
}

/* kunmap_local(x) of a mapping made elsewhere (a caller's, one held in
 * an object): whatever made it, x is released from here on, and using
 * it again is a use after unmap. */
static void forget_foreign(struct engine *e, const struct ir *arg, int site)
{
	while (arg->kind == IR_PASS && arg->nkids == 1)
		arg = arg->kids[0];
	if (arg->kind != IR_LVAL || arg->holder < 0 ||
	    e->f->holders[arg->holder].array >= 0)
		return;
	set_holder(e, arg->holder, mkval(V_DEAD, DEAD_FOREIGN, site, site).v);
}

/* kunmap_local(a[i]): a[i] is released (whichever mapping of the array
 * it was, or one a caller made), until a or i changes. */
static void note_gone_element(struct engine *e, const struct ir *arg,
			      struct rval v, int unmap_site)
{
	int idx;

	while (arg->kind == IR_PASS && arg->nkids == 1)
		arg = arg->kids[0];
	idx = element_index(e->f, arg);
	/* Not a mapping of this path: a caller's only if the array is (a
	 * local array was filled here, on some path). */
	if (idx < 0 ||
	    (v.v.kind != V_LIVE && e->f->holders[arg->holder].frame_local))
		return;
	e->w.gone.arr = (int16_t)e->f->holders[arg->holder].array;
	e->w.gone.idx = (int16_t)idx;
	e->w.gone.foreign = v.v.kind != V_LIVE;
	e->w.gone.map_site = v.v.kind == V_LIVE ? e->w.stack[v.v.a].site :
						  (uint16_t)unmap_site;
	e->w.gone.unmap_site = (uint16_t)unmap_site;
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
	if (api == API_UNMAP && !(call->flags & IRF_PAGE_ARG) &&
	    v.v.kind != V_DEAD)
		note_gone_element(e, arg, v, call->site);
	if (v.v.kind == V_LIVE && !(call->flags & IRF_PAGE_ARG))
		release(e, v.v.a, call->site);
	else if (ev.page_slot >= 0 && !ev.page_kmapped)
		release(e, ev.page_slot, call->site);
	else if (v.v.kind == V_PARAM && v.v.a < 64)
		e->w.unmapped |= 1ULL << v.v.a;
	else if (v.v.kind == V_OBJ && v.v.a < 64)
		e->w.unmapped_obj |= 1ULL << v.v.a;
	else if (v.v.kind != V_LIVE && v.v.kind != V_DEAD)
		e->w.unmapped_obj |= param_obj_bit(e->f, v.via);
	if (api == API_UNMAP && v.v.kind != V_LIVE && v.v.kind != V_DEAD &&
	    !(call->flags & IRF_PAGE_ARG))
		forget_foreign(e, arg, call->site);
}

/* kmap_local_page(page) dereferences page: on this path it is not NULL. */
static void page_not_null(struct engine *e, const struct ir *page)
{
	while (page->kind == IR_PASS && page->nkids)
		page = page->kids[0];
	if (page->kind == IR_LVAL && page->holder >= 0 &&
	    e->f->holders[page->holder].rel >= 0 &&
	    e->f->holders[page->holder].array < 0) {
		struct value *v = &e->w.val[e->f->holders[page->holder].rel];

		if (v->kind == V_UNKNOWN || v->kind == V_OBJ ||
		    v->kind == V_NONNULL) {
			v->kind = V_NONNULL;
			v->sub = NN_MAPPED;
		}
	}
}

static struct rval push_mapping(struct engine *e, const struct ir *call,
				int flags, int owner)
{
	int slot = ms_push(&e->w, call->site, API_MAP, flags);

	if (slot < 0)
		return unknown();
	e->f->sites[call->site].name = call->name;
	e->f->sites[call->site].page_fp = call->page_fp;
	if (owner >= 0) {
		const struct holder *o = &e->f->holders[owner];

		e->w.stack[slot].owner = (int16_t)owner;
		/* Held by an object that outlives the frame: its owner
		 * releases it. */
		if (o->root_kind != ROOT_LOCAL)
			e->w.stack[slot].flags |= M_ESCAPED;
		if (o->root_kind == ROOT_PARAM && o->param >= 0 &&
		    o->param < 64)
			self_sum(e)->stores_obj |= 1ULL << o->param;
	}
	HOOK(on_map, &e->a, slot);
	return mkval(V_LIVE, 0, slot, 0);
}

/* A callee given &x may write x: forget what x holds, except mappings
 * (callees rarely replace the mapped address they are lent). */
static void callee_may_write(struct engine *e, const struct ir *arg)
{
	const struct ir *lv;
	int h, i;

	while (arg->kind == IR_PASS && arg->nkids)
		arg = arg->kids[0];
	if (arg->kind != IR_ADDR)
		return;
	lv = arg->kids[0];
	if (lv->kind != IR_LVAL || lv->deref || lv->holder < 0)
		return;
	h = lv->holder;
	kill_facts(e, h);
	for (i = 0; i < e->ndesc[h]; i++) {
		struct value *v = &e->w.val[e->desc[h][i]];

		if (v->kind != V_LIVE && v->kind != V_DEAD)
			v->kind = V_UNKNOWN;
	}
}

/* A mapping released on some paths of a callee only. */
static void maybe_release(struct engine *e, struct rval v, int bit)
{
	if (v.v.kind == V_LIVE)
		e->w.stack[v.v.a].flags |= M_MAYBE_EMPTY;
	else if (v.v.kind == V_PARAM && v.v.a < 64)
		self_sum(e)->unmaps_may |= 1ULL << v.v.a;
	(void)bit;
}

/* Is the mapping in slot held inside the variable root: made by a call
 * given root, stored in an array inside it, or in a holder inside it? */
static int held_by(struct engine *e, int slot, int root)
{
	const struct mapping *m = &e->w.stack[slot];
	int i;

	if (m->owner == root)
		return 1;
	if (m->arr >= 0 && e->f->holders[m->arr].root == root)
		return 1;
	for (i = 0; i < e->w.nval; i++)
		if (e->w.val[i].kind == V_LIVE && e->w.val[i].a == slot &&
		    e->f->holders[e->f->rel_holder[i]].root == root &&
		    e->f->rel_holder[i] != root)
			return 1;
	return 0;
}

/* A callee releases the mapping held inside the object arg points to. */
static void release_owned(struct engine *e, const struct ir *call,
			  const struct ir *arg, int must)
{
	int root = arg_root(e->f, arg), slot = -1, i;

	if (root < 0)
		return;
	for (i = e->w.nstack - 1; i >= 0 && slot < 0; i--)
		if (held_by(e, i, root) &&
		    !(e->w.stack[i].flags & M_MAYBE_EMPTY))
			slot = i;
	for (i = e->w.nstack - 1; i >= 0 && slot < 0; i--)
		if (held_by(e, i, root))
			slot = i;
	if (slot >= 0) {
		if (must) {
			struct rval v = mkval(V_LIVE, 0, slot, 0);

			e->f->sites[call->site].name = call->name;
			do_unmap(e, call, arg, v, API_UNMAP);
		} else {
			e->w.stack[slot].flags |= M_MAYBE_EMPTY;
		}
		return;
	}
	{
		const struct holder *h = &e->f->holders[root];

		if (h->root_kind == ROOT_PARAM && h->param >= 0 &&
		    h->param < 64) {
			if (must)
				e->w.unmapped_obj |= 1ULL << h->param;
			else
				self_sum(e)->unmaps_obj_may |= 1ULL << h->param;
		}
	}
}

static const struct summary *callee_summary(struct engine *e,
					    const struct ir *x,
					    const struct rval *args, int n)
{
	const struct func *fn;
	int i, lend = 0;

	if (x->callee < 0)
		return NULL;
	fn = &e->f->fc->funcs[x->callee];
	if (fn->state == FUNC_DONE && fn->sum.explored)
		return &fn->sum;
	/* Callees that do not use the mapping API are summarised only when
	 * lent a mapping: they may return a pointer into it or store it.
	 * A function of the file is also when lent a parameter, which may
	 * be a caller's mapping (it is analysed anyway: only sooner). */
	for (i = 0; i < n; i++)
		if (args[i].v.kind == V_LIVE || args[i].v.kind == V_DEAD ||
		    (args[i].v.kind == V_PARAM && fn->in_main))
			lend = 1;
	if (!lend && !(x->flags & IRF_MENTIONS))
		return NULL;
	return summary_get(e->f->fc, x->callee);
}

/* Deferred work is handed the arguments of call x: a parameter among
 * them, or held in the object one of them is part of, goes to this
 * function's summary. */
static void defers_params(struct engine *e, const struct ir *x,
			  const struct rval *args, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		int root;

		if (args[i].v.kind == V_PARAM && args[i].v.a < 64) {
			self_sum(e)->escapes_deferred |= 1ULL << args[i].v.a;
			continue;
		}
		root = arg_root(e->f, x->kids[i]);
		for (j = 0; root >= 0 && j < e->f->nrel; j++) {
			const struct holder *h =
				&e->f->holders[e->f->rel_holder[j]];
			struct value v = e->w.val[j];

			if (h->root == root && v.kind == V_PARAM && v.a < 64)
				self_sum(e)->escapes_deferred |= 1ULL << v.a;
		}
	}
}

/* Argument i of call x goes where the callee's summary s says another
 * context may use it later: a mapping of this function is reported, a
 * parameter passes the same on to this function's own summary. */
static void hand_off(struct engine *e, const struct ir *x, struct rval arg,
		     int i, const struct summary *s)
{
	uint64_t bit = 1ULL << i;

	if (arg.v.kind == V_LIVE) {
		e->f->sites[x->site].name = x->name;
		HOOK(on_handoff, &e->a, x, arg.v.a, i,
		     !!(s->escapes_global & bit));
	} else if (arg.v.kind == V_PARAM && arg.v.a < 64) {
		if (s->escapes_global & bit)
			self_sum(e)->escapes_global |= 1ULL << arg.v.a;
		if (s->escapes_deferred & bit)
			self_sum(e)->escapes_deferred |= 1ULL << arg.v.a;
	}
}

static struct rval eval_call(struct engine *e, const struct ir *x)
{
	struct rval args[16], r = unknown();
	const struct summary *s;
	int i, n = x->nkids < 16 ? x->nkids : 16, owner = -1;

	switch (x->api) {
	case API_MAP:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		if (x->nkids)
			page_not_null(e, x->kids[0]);
		return push_mapping(e, x, 0, -1);
	case API_KMAP:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		if (x->nkids)
			page_not_null(e, x->kids[0]);
		e->f->sites[x->site].page_fp = x->page_fp;
		e->f->sites[x->site].name = x->name;
		return mkval(V_GMAP, 0, x->site, 0);
	case API_NOT_MAPPING:
	case API_ERR_PTR:
		for (i = 0; i < x->nkids; i++)
			eval(e, x->kids[i]);
		if (x->api == API_ERR_PTR)
			return mkval(V_ERR, 0, 0, 0);
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
	for (i = 0; i < x->nkids; i++) {
		struct rval v = eval(e, x->kids[i]);

		if (i < n)
			args[i] = v;
	}
	/* What the callee can reach it may change: a[i] included. */
	forget_gone(e, -1);
	s = callee_summary(e, x, args, n);
	if (x->api == API_DEFER) {
		e->f->sites[x->site].name = x->name;
		HOOK(on_call, &e->a, x, args);
		defers_params(e, x, args, n);
	}
	/* The result continues argument i's mapping: it stays the one
	 * mapping, whichever page it maps now. */
	if (s && s->replaces) {
		for (i = 0; i < n && i < 64; i++)
			if ((s->replaces & (1ULL << i)) &&
			    args[i].v.kind == V_LIVE)
				break;
		if (i < n && i < 64) {
			for (int j = 0; j < x->nkids; j++)
				callee_may_write(e, x->kids[j]);
			return args[i];
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t bit = i < 64 ? 1ULL << i : 0;

		if (s && (s->unmaps_must & bit)) {
			e->f->sites[x->site].name = x->name;
			do_unmap(e, x, x->kids[i], args[i], API_UNMAP);
		} else if (s && (s->unmaps_may & bit)) {
			maybe_release(e, args[i], i);
		} else if (x->api != API_IS_ERR && !(x->flags & IRF_QUERY)) {
			char how[300];

			snprintf(how, sizeof(how), "passed to %s()",
				 audit_str(&e->a, x->name));
			use_value(e, args[i], x->kids[i]->site, how);
		}
		if (s && ((s->unmaps_obj_must | s->unmaps_obj_may) & bit))
			release_owned(e, x, x->kids[i],
				      !!(s->unmaps_obj_must & bit));
		if (s && (s->escapes_param & bit)) {
			if (args[i].v.kind == V_LIVE)
				e->w.stack[args[i].v.a].flags |= M_ESCAPED;
			else if (args[i].v.kind == V_PARAM && args[i].v.a < 64)
				self_sum(e)->escapes_param |= 1ULL
							      << args[i].v.a;
		}
		if (s && ((s->escapes_global | s->escapes_deferred) & bit))
			hand_off(e, x, args[i], i, s);
		if (s && (s->stores_obj & bit) && owner < 0)
			owner = arg_root(e->f, x->kids[i]);
	}
	for (i = 0; i < x->nkids; i++)
		callee_may_write(e, x->kids[i]);
	if (x->flags & IRF_NORETURN)
		e->w.dead = 1;
	if (!s)
		return unknown();
	if (s->returns_map)
		return push_mapping(e, x,
				    (s->returns_other ? M_MAYBE_EMPTY : 0) |
					    (s->may_fail ? M_MAYFAIL : 0),
				    owner);
	if (s->stores_obj && owner >= 0)
		push_mapping(e, x, M_MAYBE_EMPTY, owner);
	if (s->returns_param >= 0 && s->returns_param < n &&
	    is_mapping_value(args[s->returns_param].v))
		return args[s->returns_param];
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
		if (e->w.gone.arr >= 0 && x->holder >= 0 &&
		    e->f->holders[x->holder].array == e->w.gone.arr &&
		    element_index(e->f, x) == e->w.gone.idx) {
			r = mkval(V_DEAD, e->w.gone.foreign ? DEAD_FOREIGN : 0,
				  e->w.gone.map_site, e->w.gone.unmap_site);
			r.via = x->holder;
			return r;
		}
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
			if (x->kids[0]->holder >= 0) {
				kill_facts(e, x->kids[0]->holder);
				forget_gone(e, x->kids[0]->holder);
			}
			r = read_holder(e, x->kids[0]->holder);
			/* A counter or flag changed: only a pointer moving
			 * inside its mapping keeps what it holds, and the
			 * expression's value is then unknown too (++n of 0
			 * is not 0). */
			if (!is_mapping_value(r.v)) {
				if (x->kids[0]->holder >= 0)
					set_holder(e, x->kids[0]->holder,
						   unknown().v);
				r = unknown();
			}
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
		return mkval(V_NOTMAP, NM_ADDRESS_OF, x->site,
			     lv->kind == IR_LVAL && lv->holder >= 0 ?
				     e->f->holders[lv->holder].root + 1 :
				     0);
	}
	case IR_PASS:
		r = eval(e, x->kids[0]);
		for (i = 1; i < x->nkids; i++)
			eval(e, x->kids[i]);
		return r;
	case IR_ARITH: {
		struct rval a = eval(e, x->kids[0]), b = eval(e, x->kids[1]);

		if ((x->flags & IRF_K0_ADDR) && is_mapping_value(a.v))
			return a;
		if ((x->flags & IRF_K1_ADDR) && is_mapping_value(b.v))
			return b;
		return r;
	}
	case IR_NULL:
		return mkval(V_NULL, 0, 0, 0);
	case IR_NONZERO:
		return mkval(V_NONNULL, 0, 0, 0);
	case IR_NOTMAP:
		r = mkval(V_NOTMAP, NM_ADDRESS_OF, x->site,
			  x->holder >= 0 ? e->f->holders[x->holder].root + 1 :
					   0);
		r.via = x->holder;
		return r;
	case IR_SEQ:
		for (i = 0; i < x->nkids; i++)
			r = eval(e, x->kids[i]);
		return r;
	case IR_COND: {
		struct rval c, a, b;
		int truth;

		c = eval(e, x->kids[0]);
		a = eval(e, x->kids[1]);
		b = eval(e, x->kids[2]);
		truth = nullness(e, c.v);
		if (truth >= 0)
			return truth ? a : b;
		/* Either arm: a mapping is followed (its uses and unmaps are
		 * checked), two equal values are that value, and anything
		 * else is unknown, so no branch is pruned on a guess. */
		if (a.v.kind == V_LIVE)
			return a;
		if (b.v.kind == V_LIVE)
			return b;
		if (!memcmp(&a.v, &b.v, sizeof(a.v)))
			return a;
		return r;
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

static void enqueue(struct engine *e, int node)
{
	struct node *n = &e->f->nodes[node];
	struct stateset **set = (struct stateset **)&n->states;
	struct frozen *fz;
	int count = stateset_count(*set);

	if (count >= DROP_AT) {
		if (!e->f->incomplete && getenv("KMAP_AUDIT_VERBOSE")) {
			int line, col;

			site_line_col(e->f, n->site, &line, &col);
			fprintf(stderr,
				"kmap-audit: %s: more than %d states at "
				"node %d (line %d)\n",
				e->f->fc->funcs[e->f->fn_id].name, DROP_AT,
				node, line);
		}
		e->f->incomplete = 1;
		return;
	}
	fz = ws_freeze(&e->w, 1,
		       e->live ? e->live + (size_t)node * e->w.nval : NULL);
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
		enqueue(e, n->succ[i]);
}

static void do_exit(struct engine *e, const struct node *n)
{
	struct exit_event ev = { n->site, 0, unknown() };
	struct summary *sum;

	if (n->kind == N_RETURN && n->expr) {
		ev.has_value = 1;
		ev.v = eval(e, n->expr);
		if (e->w.dead)
			return;
		use_value(e, ev.v, n->site, "returned");
	}
	sum = self_sum(e);
	sum->exits = 1;
	if (ev.has_value && ev.v.v.kind == V_PARAM && ev.v.v.a < 64 &&
	    !(e->w.unmapped & (1ULL << ev.v.v.a))) {
		sum->replaces &= 1ULL << ev.v.v.a;
	} else if (ev.has_value && ev.v.v.kind == V_LIVE && e->w.unmapped &&
		   !(e->w.stack[ev.v.v.a].flags & M_MAYBE_EMPTY)) {
		sum->replaces &= e->w.unmapped;
		sum->remaps = 1;
	} else {
		sum->replaces = 0;
	}
	sum->unmaps_must &= e->w.unmapped;
	sum->unmaps_may |= e->w.unmapped;
	sum->unmaps_obj_must &= e->w.unmapped_obj;
	sum->unmaps_obj_may |= e->w.unmapped_obj;
	if (ev.has_value && !e->f->returns_address && ev.v.v.kind != V_NULL &&
	    ev.v.v.kind != V_ERR) {
		/* An int result cannot carry an address. */
		sum->returns_other = 1;
		sum->returns_param = -1;
	} else if (ev.has_value) {
		switch (ev.v.v.kind) {
		case V_LIVE:
			e->w.stack[ev.v.v.a].flags |= M_RETURNED;
			sum->returns_map = 1;
			break;
		case V_NULL:
		case V_ERR:
			sum->may_fail = 1;
			break;
		case V_PARAM:
			if (sum->returns_param == -2)
				sum->returns_param = (signed char)ev.v.v.a;
			else if (sum->returns_param != ev.v.v.a)
				sum->returns_param = -1;
			sum->returns_other = 1;
			break;
		default:
			sum->returns_other = 1;
			sum->returns_param = -1;
			break;
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
	case V_NONNULL:
	case V_ERR:
		return 1;
	case V_NULL:
		return 0;
	case V_NOTMAP:
		return v.sub == NM_ADDRESS_OF ? 1 : -1;
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
	enqueue(e, succ_mapped);
	ws_copy(&e->w, &save);
	ms_remove(&e->w, slot, mkval(n->iserr ? V_ERR : V_NULL, 0, 0, 0).v);
	enqueue(e, succ_none);
	ws_free(&save);
}

/* Are two values the same pointer?  1 yes, 0 no, -1 unknown. */
static int same_pointer(struct value a, struct value b)
{
	if (a.kind == V_LIVE && b.kind == V_LIVE)
		return a.a == b.a ? -1 : 0;
	if (a.kind == V_NOTMAP && b.kind == V_NOTMAP &&
	    a.sub == NM_ADDRESS_OF && b.sub == NM_ADDRESS_OF && a.b && b.b)
		return a.b == b.b ? 1 : -1;
	if ((a.kind == V_LIVE && b.kind == V_NOTMAP &&
	     b.sub == NM_ADDRESS_OF) ||
	    (b.kind == V_LIVE && a.kind == V_NOTMAP && a.sub == NM_ADDRESS_OF))
		return 0;
	if ((a.kind == V_NULL && (b.kind == V_LIVE || b.kind == V_NONNULL)) ||
	    (b.kind == V_NULL && (a.kind == V_LIVE || a.kind == V_NONNULL)))
		return 0;
	return -1;
}

static void enqueue_with(struct engine *e, const struct node *n, int truth,
			 int fact, struct value refine)
{
	struct value old = { 0 };
	int h = n->test_holder, rel = h >= 0 ? e->f->holders[h].rel : -1;

	if (fact >= 0)
		e->w.fact[fact] = (uint8_t)(truth + 1);
	if (rel >= 0) {
		old = e->w.val[rel];
		if ((old.kind == V_UNKNOWN || old.kind == V_OBJ) &&
		    refine.kind != V_UNKNOWN)
			e->w.val[rel] = refine;
	}
	enqueue(e, n->succ[(truth ^ n->negate) ? 0 : 1]);
	if (rel >= 0)
		e->w.val[rel] = old;
	if (fact >= 0)
		e->w.fact[fact] = 0;
}

/* Integer arithmetic on an address (IR_ARITH, under casts): it names
 * the mapping, but nothing is known of its value. */
static int is_integer_arith(const struct ir *x)
{
	while (x->kind == IR_PASS && x->nkids == 1)
		x = x->kids[0];
	return x->kind == IR_ARITH;
}

static void do_branch(struct engine *e, const struct node *n)
{
	struct value on_true = { 0 }, on_false = { 0 };
	struct rval v;
	int truth = -1, fact = -1;

	if (n->constval >= 0) {
		enqueue(e, n->succ[(n->constval ^ n->negate) ? 0 : 1]);
		return;
	}
	if (n->expr->kind == IR_OTHER && n->expr->nkids == 2 &&
	    (n->expr->op == OP_EQ || n->expr->op == OP_NE)) {
		struct rval a = eval(e, n->expr->kids[0]);
		struct rval b = eval(e, n->expr->kids[1]);
		int same = is_integer_arith(n->expr->kids[0]) ||
					   is_integer_arith(n->expr->kids[1]) ?
				   -1 :
				   same_pointer(a.v, b.v);

		if (same >= 0)
			truth = n->expr->op == OP_EQ ? same : !same;
		v = unknown();
	} else {
		v = eval(e, n->expr);
		/* (unsigned long)addr & ~PAGE_MASK follows the mapping for
		 * its unmap, but its value may well be 0. */
		if (is_integer_arith(n->expr))
			v = unknown();
	}
	if (e->w.dead)
		return;
	if (v.v.kind == V_LIVE && (e->w.stack[v.v.a].flags & M_MAYFAIL)) {
		/* IS_ERR(x) holds when there is no mapping; x != NULL when
		 * there is one. */
		split_mayfail(e, n, v.v.a, n->iserr ? 0 : 1);
		return;
	}
	if (n->iserr) {
		/* IS_ERR() (iserr 1) or IS_ERR_OR_NULL() (2). */
		if (v.v.kind == V_LIVE || v.v.kind == V_DEAD ||
		    v.v.kind == V_GMAP ||
		    (v.v.kind == V_NONNULL && v.v.sub == NN_MAPPED))
			truth = 0;
		else if (v.v.kind == V_ERR)
			truth = 1;
		else if (v.v.kind == V_NULL)
			truth = n->iserr == 2;
		on_true.kind = n->iserr == 1 ? V_ERR : V_UNKNOWN;
		on_false.kind = n->iserr == 2 ? V_NONNULL : V_UNKNOWN;
	} else if (truth < 0) {
		truth = nullness(e, v.v);
		on_true.kind = V_NONNULL;
		on_false.kind = V_NULL;
	}
	if (truth < 0 && n->cond >= 0 && e->cond_fact[n->cond] >= 0) {
		fact = e->cond_fact[n->cond];
		if (e->w.fact[fact])
			truth = e->w.fact[fact] - 1;
	}
	if (truth >= 0) {
		enqueue(e, n->succ[(truth ^ n->negate) ? 0 : 1]);
		return;
	}
	enqueue_with(e, n, 1, fact, on_true);
	enqueue_with(e, n, 0, fact, on_false);
}

static void trace(struct engine *e, int node);

static void transfer(struct engine *e, int node)
{
	const struct node *n = &e->f->nodes[node];
	struct rval v;

	if (e->debug)
		trace(e, node);
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

/* KMAP_AUDIT_DEBUG=<function> traces every node transfer of that
 * function on stderr (node, kind, line, stack, tracked values). */
static void trace(struct engine *e, int node)
{
	static const char *kinds[] = { "join",	 "expr",   "assign", "branch",
				       "switch", "return", "exit",   "stop" };
	const struct node *n = &e->f->nodes[node];
	int line, col, i;

	site_line_col(e->f, n->site, &line, &col);
	fprintf(stderr, "n%d %s line %d stack [", node, kinds[n->kind], line);
	for (i = 0; i < e->w.nstack; i++)
		fprintf(stderr, "%s%d%s%s", i ? " " : "",
			audit_line(&e->a, e->w.stack[i].site),
			e->w.stack[i].flags & M_MAYBE_EMPTY ? "?" : "",
			e->w.stack[i].flags & M_ESCAPED ? "e" : "");
	fprintf(stderr, "]");
	for (i = 0; i < e->w.nval; i++) {
		struct value v = e->w.val[i];

		if (v.kind != V_UNKNOWN)
			fprintf(stderr, " %s=%d/%d",
				e->f->holders[e->f->rel_holder[i]].name, v.kind,
				v.a);
	}
	for (i = 0; i < e->w.nfact; i++)
		if (e->w.fact[i])
			fprintf(stderr, " f%d=%d", i, e->w.fact[i] - 1);
	fprintf(stderr, "\n");
}

/* ---- liveness of variables, to drop dead values from states ---- */

/* Marks in reads the variables (roots, as holder ids) that x reads. */
static void ir_reads(const struct func_ctx *f, const struct ir *x,
		     uint8_t *reads)
{
	int i;

	if (!x)
		return;
	switch (x->kind) {
	case IR_LVAL:
	case IR_NOTMAP:
		if (x->holder >= 0)
			reads[f->holders[x->holder].root] = 1;
		break;
	case IR_ASSIGN:
		/* The target is written, not read; its address operands are. */
		if (x->kids[0]->kind == IR_LVAL) {
			for (i = 0; i < x->kids[0]->nkids; i++)
				ir_reads(f, x->kids[0]->kids[i], reads);
		} else {
			ir_reads(f, x->kids[0], reads);
		}
		ir_reads(f, x->kids[1], reads);
		return;
	default:
		break;
	}
	for (i = 0; i < x->nkids; i++)
		ir_reads(f, x->kids[i], reads);
}

/* The variable a node assigns as a whole (x = ...), or -1. */
static int node_kills(const struct func_ctx *f, const struct node *n)
{
	const struct ir *lhs = NULL;

	if (n->kind == N_ASSIGN)
		lhs = n->lhs;
	else if (n->kind == N_EXPR && n->expr && n->expr->kind == IR_ASSIGN)
		lhs = n->expr->kids[0];
	if (!lhs || lhs->kind != IR_LVAL || lhs->holder < 0 || lhs->deref ||
	    f->holders[lhs->holder].root != lhs->holder)
		return -1;
	return lhs->holder;
}

static void compute_liveness(struct engine *e)
{
	struct func_ctx *f = e->f;
	int nn = f->nnodes, nh = f->nholders, i, j, changed = 1;
	uint8_t *in = xcalloc((size_t)nn * nh + 1, 1);
	uint8_t *reads = xcalloc((size_t)nn * nh + 1, 1);
	int *kill = xmalloc(sizeof(int) * (nn ? nn : 1));

	for (i = 0; i < nn; i++) {
		const struct node *n = &f->nodes[i];

		ir_reads(f, n->expr, reads + (size_t)i * nh);
		if (n->kind == N_ASSIGN && n->lhs && n->lhs->kind == IR_LVAL)
			for (j = 0; j < n->lhs->nkids; j++)
				ir_reads(f, n->lhs->kids[j],
					 reads + (size_t)i * nh);
		kill[i] = node_kills(f, n);
	}
	/* Backwards to a fixpoint: in = reads | (union of successors' in,
	 * minus what the node assigns). */
	while (changed) {
		changed = 0;
		for (i = nn - 1; i >= 0; i--) {
			const struct node *n = &f->nodes[i];
			uint8_t *row = in + (size_t)i * nh;

			for (j = 0; j < nh; j++) {
				uint8_t v = reads[(size_t)i * nh + j];
				int s;

				for (s = 0; !v && s < n->nsucc; s++)
					v = in[(size_t)n->succ[s] * nh + j] &&
					    j != kill[i];
				if (v && !row[j]) {
					row[j] = 1;
					changed = 1;
				}
			}
		}
	}
	e->live = xmalloc((size_t)nn * (f->nrel ? f->nrel : 1) + 1);
	for (i = 0; i < nn; i++)
		for (j = 0; j < f->nrel; j++)
			e->live[(size_t)i * f->nrel + j] =
				in[(size_t)i * nh +
				   f->holders[f->rel_holder[j]].root];
	free(in);
	free(reads);
	free(kill);
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
	int i, j, nh = f->nholders ? f->nholders : 1, nc = f->conds.n;

	memset(e, 0, sizeof(*e));
	e->f = f;
	e->cond_fact = xmalloc(sizeof(int) * (nc ? nc : 1));
	e->fact_holders = xcalloc(nc ? nc : 1, sizeof(int *));
	e->nfact_holders = xcalloc(nc ? nc : 1, sizeof(int));
	e->desc = xcalloc(nh, sizeof(int *));
	e->ndesc = xcalloc(nh, sizeof(int));
	/* Only conditions tested more than once can correlate branches. */
	for (i = 0; i < nc; i++) {
		const struct cond_info *ci = &f->cinfo[i];

		e->cond_fact[i] = -1;
		if (ci->count < 2)
			continue;
		e->cond_fact[i] = e->nfacts;
		for (j = 0; j < ci->nroots; j++)
			add_list(&e->fact_holders, &e->nfact_holders, e->nfacts,
				 ci->roots[j]);
		e->nfacts++;
	}
	for (i = 0; i < f->nrel; i++) {
		int h = f->rel_holder[i];

		for (j = h; j >= 0; j = f->holders[j].parent)
			add_list(&e->desc, &e->ndesc, j, i);
	}
	ws_init(&e->w, f->nrel, e->nfacts);
	compute_liveness(e);
	e->debug = getenv("KMAP_AUDIT_DEBUG") &&
		   !strcmp(getenv("KMAP_AUDIT_DEBUG"),
			   f->fc->funcs[f->fn_id].name);
	e->a.f = f;
	e->a.w = &e->w;
	for (i = 0; e->debug && i < nc; i++)
		fprintf(stderr, "cond %d x%d fact %d: %s\n", i,
			f->cinfo[i].count, e->cond_fact[i],
			strtab_str(&f->conds, i));
}

static void engine_free(struct engine *e)
{
	int i;

	for (i = 0; i < e->f->nholders; i++)
		free(e->desc[i]);
	for (i = 0; i < e->f->conds.n; i++)
		free(e->fact_holders[i]);
	free(e->fact_holders);
	free(e->nfact_holders);
	free(e->desc);
	free(e->ndesc);
	free(e->cond_fact);
	free(e->qnode);
	free(e->qstate);
	free(e->live);
	ws_free(&e->w);
}

static void explore(struct engine *e)
{
	struct func_ctx *f = e->f;
	struct summary *sum = self_sum(e);
	int i;

	memset(sum, 0, sizeof(*sum));
	sum->returns_param = -2;
	sum->unmaps_must = sum->unmaps_obj_must = sum->replaces = ~0ULL;
	ws_reset(&e->w);
	for (i = 0; i < f->nrel; i++) {
		const struct holder *h = &f->holders[f->rel_holder[i]];

		if (h->root_kind == ROOT_PARAM && h->parent < 0 &&
		    h->param >= 0 && h->is_pointer >= 1)
			e->w.val[i] = mkval(V_PARAM, 0, h->param, 0).v;
	}
	enqueue(e, f->entry);
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
	sum = self_sum(e);
	if (!sum->exits || f->incomplete)
		sum->unmaps_must = sum->unmaps_obj_must = 0;
	if (!sum->exits || f->incomplete || !sum->remaps)
		sum->replaces = 0;
	if (sum->returns_param < 0 || sum->returns_map)
		sum->returns_param = -1;
	sum->explored = 1;
}

static void visit_unmap_calls(struct engine *e, const struct ir *x)
{
	int i;

	if (!x)
		return;
	if (x->kind == IR_CALL &&
	    (x->api == API_UNMAP || x->api == API_KUNMAP)) {
		e->f->sites[x->site].name = x->name;
		HOOK(on_unmap_call, &e->a, x);
	}
	for (i = 0; i < x->nkids; i++)
		visit_unmap_calls(e, x->kids[i]);
}

/* After the paths: every unmap call of the function, reached or not. */
static void all_unmap_calls(struct engine *e)
{
	int i;

	for (i = 0; i < e->f->nnodes; i++) {
		visit_unmap_calls(e, e->f->nodes[i].lhs);
		visit_unmap_calls(e, e->f->nodes[i].expr);
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

void analyze_function(struct file_ctx *fc, int id, int need_summary)
{
	struct func_ctx f;
	struct engine e;
	CXCursor fn = fc->funcs[id].cursor, body = function_body(fn);
	int first = fc->funcs[id].state == FUNC_NEW, i;

	fc->funcs[id].state = FUNC_BUSY;
	if (clang_Cursor_isNull(body)) {
		fc->funcs[id].state = FUNC_DONE;
		fc->funcs[id].sum.explored = 1;
		fc->funcs[id].sum.returns_param = -1;
		return;
	}
	memset(&f, 0, sizeof(f));
	f.fc = fc;
	f.fn_id = id;
	f.report = fc->funcs[id].in_main && first;
	{
		CXType rt =
			clang_getCanonicalType(clang_getCursorResultType(fn));

		f.returns_address =
			rt.kind == CXType_Pointer || rt.kind == CXType_Long ||
			rt.kind == CXType_ULong || rt.kind == CXType_LongLong ||
			rt.kind == CXType_ULongLong;
	}
	f.nparams = clang_Cursor_getNumArguments(fn);
	if (f.nparams < 0)
		f.nparams = 0;
	f.params = xcalloc(f.nparams ? f.nparams : 1, sizeof(CXCursor));
	for (i = 0; i < f.nparams; i++)
		f.params[i] = clang_Cursor_getArgument(fn, i);
	grow((void **)&f.sites, &f.capsites, 0, sizeof(*f.sites));
	f.sites[0].loc = clang_getRangeEnd(clang_getCursorExtent(body));
	f.sites[0].name = -1;
	f.sites[0].page_fp = -1;
	f.nsites = 1;
	f.body_end_site = 0;
	cfg_build(&f, body);
	rel_finish(&f);
	/* Functions that never touch the mapping API have nothing to
	 * report; their paths are explored only for a caller's summary. */
	if (f.active || need_summary) {
		engine_setup(&e, &f);
		explore(&e);
		if (f.report)
			all_unmap_calls(&e);
		engine_free(&e);
	}
	if (f.report)
		fc->nfunctions++;
	fc->funcs[id].incomplete = (unsigned char)f.incomplete;
	fc->funcs[id].state = FUNC_DONE;
	free_func_ctx(&f);
}
