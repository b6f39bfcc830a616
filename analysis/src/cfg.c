// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control-flow graph of one function: if/else, switch, loops, goto to
 * labels, break/continue and returns.  Built backwards: each statement is
 * given the node that follows it and returns its own entry node.
 *
 * Conditions are split at && and || (so "if (a && b)" is two tests),
 * "!" swaps the successors, and tests against NULL and IS_ERR() are
 * recognised so that the engine can prune paths by what a holder
 * contains.  A ?: at statement level, or as the value assigned, declared
 * or returned, is lowered into a branch too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "cfg.h"
#include "ir.h"

static int new_node(struct func_ctx *f, int kind)
{
	struct node *n;

	grow((void **)&f->nodes, &f->capnodes, f->nnodes, sizeof(*f->nodes));
	n = &f->nodes[f->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = (unsigned char)kind;
	n->constval = -1;
	n->cond = -1;
	n->test_holder = -1;
	n->site = -1;
	return f->nnodes++;
}

static void add_succ(struct func_ctx *f, int n, int s)
{
	struct node *nd = &f->nodes[n];

	grow((void **)&nd->succ, &nd->capsucc, nd->nsucc, sizeof(int));
	nd->succ[nd->nsucc++] = s;
}

static int node_to(struct func_ctx *f, int kind, int next)
{
	int n = new_node(f, kind);

	if (next >= 0)
		add_succ(f, n, next);
	return n;
}

static int build_stmt(struct func_ctx *f, CXCursor s, int next);
static int build_guarded_cond(struct func_ctx *f, CXCursor c, int t, int e,
			      int calls0);

static int label_node(struct func_ctx *f, CXCursor label)
{
	CXSourceLocation loc = clang_getCursorLocation(label);
	unsigned eo, fo;
	char key[64];
	int id;

	clang_getExpansionLocation(loc, NULL, NULL, NULL, &eo);
	clang_getFileLocation(loc, NULL, NULL, NULL, &fo);
	snprintf(key, sizeof(key), "%u:%u", eo, fo);
	id = strtab_intern(&f->labels, key);
	grow((void **)&f->label_node, &f->caplabel, id, sizeof(int));
	if (!f->label_node[id])
		f->label_node[id] = new_node(f, N_JOIN) + 1;
	return f->label_node[id] - 1;
}

static CXCursor strip_expect(CXCursor c)
{
	for (;;) {
		char *name;
		int is_expect;

		c = ast_strip(c);
		if (clang_getCursorKind(c) != CXCursor_CallExpr)
			return c;
		name = ast_callee_name(c);
		is_expect = name && !strcmp(name, "__builtin_expect") &&
			    clang_Cursor_getNumArguments(c) == 2;
		free(name);
		if (!is_expect)
			return c;
		c = clang_Cursor_getArgument(c, 0);
	}
}

static int branch_node(struct func_ctx *f, CXCursor test, int t, int e,
		       int negate, int iserr, int loop)
{
	int cv = ast_const_truth(test);
	char *config = cv >= 0 && !loop ? ast_config_text(f->fc->tu, test) :
					  NULL;
	struct ir *expr;
	int cond = -1, site, n;
	struct node *nd;

	/* A constant of this configuration only: both sides are code of
	 * some build, and every test of the same option goes the same way
	 * on one path. */
	if (config) {
		cv = -1;
		cond = ir_cond_intern(f, config);
		expr = ir_new(f, IR_UNEVAL, 0); /* its value is no proof */
		free(config);
	} else {
		expr = cv < 0 ? ir_expr(f, test) : NULL;
	}
	/* Only tests that decide whether something is mapped or unmapped
	 * are worth remembering: others would only multiply the states. */
	if (cond < 0 && cv < 0 && !loop && f->guard)
		cond = ir_cond_id(f, test);
	site = site_add(f, test);
	n = new_node(f, N_BRANCH);
	nd = &f->nodes[n];

	nd->constval = (signed char)cv;
	nd->negate = (unsigned char)negate;
	nd->iserr = (unsigned char)iserr;
	nd->loop = (unsigned char)loop;
	nd->expr = expr;
	nd->cond = cond;
	nd->site = site;
	nd->test_holder = -1;
	/* A plain variable tested: its value is refined on each side
	 * ("if (mapped) kunmap_local(p);"), so it is tracked. */
	if (expr && expr->kind == IR_LVAL && expr->holder >= 0 &&
	    f->holders[expr->holder].array < 0) {
		nd->test_holder = expr->holder;
		if (f->guard && !loop)
			f->holders[expr->holder].seed = 1;
	}
	add_succ(f, n, t);
	add_succ(f, n, e);
	return n;
}

/* Builds the test of c: control goes to t when it holds, else to e. */
static int build_cond(struct func_ctx *f, CXCursor c, int t, int e, int loop)
{
	CXCursor kids[2];
	enum CXCursorKind k;

	c = strip_expect(c);
	k = clang_getCursorKind(c);
	if (k == CXCursor_UnaryOperator && ast_kids(c, kids, 2) == 1 &&
	    ast_unop(f->fc->tu, c) == OP_NOT)
		return build_cond(f, kids[0], e, t, loop);
	if (k == CXCursor_BinaryOperator && ast_kids(c, kids, 2) == 2) {
		enum ast_op op = ast_binop(f->fc->tu, c);

		switch (op) {
		case OP_LAND:
			return build_cond(f, kids[0],
					  build_cond(f, kids[1], t, e, loop), e,
					  loop);
		case OP_LOR:
			return build_cond(f, kids[0], t,
					  build_cond(f, kids[1], t, e, loop),
					  loop);
		case OP_EQ:
		case OP_NE:
			if (ast_is_null_const(kids[1]))
				return branch_node(f, strip_expect(kids[0]), t,
						   e, op == OP_EQ, 0, loop);
			if (ast_is_null_const(kids[0]))
				return branch_node(f, strip_expect(kids[1]), t,
						   e, op == OP_EQ, 0, loop);
			break;
		case OP_COMMA: {
			int n = build_cond(f, kids[1], t, e, loop);
			struct ir *x = ir_expr(f, kids[0]);
			int m = node_to(f, N_EXPR, n);

			f->nodes[m].expr = x;
			return m;
		}
		default:
			break;
		}
	}
	/* c ? a : b tested: a decides when c holds, b otherwise. */
	if (k == CXCursor_ConditionalOperator) {
		CXCursor parts[3];

		if (ast_kids(c, parts, 3) == 3)
			return build_cond(f, parts[0],
					  build_cond(f, parts[1], t, e, loop),
					  build_cond(f, parts[2], t, e, loop),
					  loop);
	}
	if (k == CXCursor_CallExpr && clang_Cursor_getNumArguments(c) == 1) {
		char *name = ast_callee_name(c);
		const struct api *api = api_lookup(name);

		free(name);
		if (api && api->kind == API_IS_ERR) {
			int or_null = !strcmp(api->name, "IS_ERR_OR_NULL");

			return branch_node(f, clang_Cursor_getArgument(c, 0), t,
					   e, 0, 1 + or_null, loop);
		}
	}
	return branch_node(f, c, t, e, 0, 0, loop);
}

static int assign_node(struct func_ctx *f, struct ir *lhs, struct ir *rhs,
		       int site, int next)
{
	int n = node_to(f, N_ASSIGN, next);

	f->nodes[n].lhs = lhs;
	f->nodes[n].expr = rhs;
	f->nodes[n].site = site;
	if (rhs)
		rel_assign(f, lhs, rhs);
	return n;
}

static int is_logical(struct func_ctx *f, CXCursor s)
{
	enum ast_op op;

	if (clang_getCursorKind(s) != CXCursor_BinaryOperator)
		return 0;
	op = ast_binop(f->fc->tu, s);
	return op == OP_LAND || op == OP_LOR;
}

/*
 * value ?: lowered into a branch when assigned, declared or returned; so
 * is a && or || assigned to a flag ("unmap = p && (a || other_flag)"),
 * which then holds 1 or 0 consistently with the flags it was made of.
 */
static int build_assign_value(struct func_ctx *f, struct ir *lhs, CXCursor v,
			      int site, int next)
{
	CXCursor s = ast_strip(v), kids[4];
	struct ir *rhs;

	if (is_logical(f, s) && lhs->kind == IR_LVAL && lhs->holder >= 0) {
		int one = assign_node(f, lhs, ir_new(f, IR_NONZERO, 0), site,
				      next);
		int zero =
			assign_node(f, lhs, ir_new(f, IR_NULL, 0), site, next);

		return build_cond(f, s, one, zero, 0);
	}
	if (clang_getCursorKind(s) == CXCursor_ConditionalOperator &&
	    ast_kids(s, kids, 4) == 3) {
		int calls0 = f->nmapcalls;
		int a = build_assign_value(f, lhs, kids[1], site, next);
		int b = build_assign_value(f, lhs, kids[2], site, next);

		return build_guarded_cond(f, kids[0], a, b, calls0);
	}
	rhs = ir_expr(f, v);
	return assign_node(f, lhs, rhs, site, next);
}

static int build_return_value(struct func_ctx *f, CXCursor ret, CXCursor v)
{
	CXCursor s = ast_strip(v), kids[4];
	struct ir *e;
	int n, site;

	if (clang_getCursorKind(s) == CXCursor_ConditionalOperator &&
	    ast_kids(s, kids, 4) == 3) {
		int calls0 = f->nmapcalls;
		int a = build_return_value(f, ret, kids[1]);
		int b = build_return_value(f, ret, kids[2]);

		return build_guarded_cond(f, kids[0], a, b, calls0);
	}
	e = ir_expr(f, v);
	rel_seed_value(f, e);
	site = site_add(f, ret);
	n = new_node(f, N_RETURN);
	f->nodes[n].expr = e;
	f->nodes[n].site = site;
	return n;
}

static int build_expr_stmt(struct func_ctx *f, CXCursor c, int next)
{
	CXCursor s = ast_strip(c), kids[4];
	struct ir *e;
	int n, site;

	switch (clang_getCursorKind(s)) {
	case CXCursor_ConditionalOperator:
		if (ast_kids(s, kids, 4) != 3)
			break;
		{
			int calls0 = f->nmapcalls;
			int a = build_expr_stmt(f, kids[1], next);
			int b = build_expr_stmt(f, kids[2], next);

			return build_guarded_cond(f, kids[0], a, b, calls0);
		}
	case CXCursor_BinaryOperator:
		if (ast_kids(s, kids, 2) != 2)
			break;
		switch (ast_binop(f->fc->tu, s)) {
		case OP_LAND: {
			int calls0 = f->nmapcalls;
			int r = build_expr_stmt(f, kids[1], next);

			return build_guarded_cond(f, kids[0], r, next, calls0);
		}
		case OP_LOR: {
			int calls0 = f->nmapcalls;
			int r = build_expr_stmt(f, kids[1], next);

			return build_guarded_cond(f, kids[0], next, r, calls0);
		}
		case OP_COMMA:
			return build_expr_stmt(
				f, kids[0], build_expr_stmt(f, kids[1], next));
		case OP_ASSIGN: {
			CXCursor r = ast_strip(kids[1]);

			if (clang_getCursorKind(r) ==
				    CXCursor_ConditionalOperator ||
			    is_logical(f, r))
				return build_assign_value(f,
							  ir_lval(f, kids[0]),
							  kids[1],
							  site_add(f, s), next);
			break;
		}
		default:
			break;
		}
		break;
	case CXCursor_StmtExpr:
		if (ast_kids(s, kids, 2) == 1)
			return build_stmt(f, kids[0], next);
		break;
	default:
		break;
	}
	e = ir_expr(f, c);
	site = site_add(f, c);
	n = node_to(f, N_EXPR, next);
	f->nodes[n].expr = e;
	f->nodes[n].site = site;
	return n;
}

static int build_decl(struct func_ctx *f, CXCursor d, int next)
{
	CXCursor init;
	CXType t;

	if (clang_getCursorKind(d) != CXCursor_VarDecl)
		return next;
	init = clang_Cursor_getVarDeclInitializer(d);
	if (!clang_Cursor_isNull(init))
		return build_assign_value(f, ir_decl_lval(f, d), init,
					  site_add(f, d), next);
	t = clang_getCanonicalType(clang_getCursorType(d));
	if (t.kind == CXType_Pointer &&
	    clang_Cursor_hasVarDeclGlobalStorage(d) != 1)
		return assign_node(f, ir_decl_lval(f, d), NULL, site_add(f, d),
				   next);
	return next;
}

/*
 * for (init; cond; inc): libclang leaves out absent parts, so with one
 * or two of them present the roles are read from the tokens (the two
 * semicolons) when the loop is written out, or guessed from the shape
 * of the expressions inside a macro.
 */
static int looks_like_test(struct func_ctx *f, CXCursor c)
{
	c = ast_strip(c);
	switch (clang_getCursorKind(c)) {
	case CXCursor_BinaryOperator:
		switch (ast_binop(f->fc->tu, c)) {
		case OP_ASSIGN:
		case OP_COMPOUND_ASSIGN:
		case OP_COMMA:
			return 0;
		default:
			return 1;
		}
	case CXCursor_UnaryOperator:
		return ast_unop(f->fc->tu, c) != OP_INCDEC;
	case CXCursor_CompoundAssignOperator:
	case CXCursor_DeclStmt:
		return 0;
	default:
		return 1;
	}
}

static int for_semicolons(struct func_ctx *f, CXCursor s, unsigned semi[2])
{
	CXToken *toks;
	unsigned ntok, i, nsemi = 0;
	int depth = 0;

	clang_tokenize(f->fc->tu, clang_getCursorExtent(s), &toks, &ntok);
	for (i = 0; i < ntok && nsemi < 2; i++) {
		CXString sp = clang_getTokenSpelling(f->fc->tu, toks[i]);
		const char *t = clang_getCString(sp);
		int stop = i == 0 && strcmp(t, "for");

		if (!strcmp(t, "("))
			depth++;
		else if (!strcmp(t, ")"))
			depth--;
		else if (!strcmp(t, ";") && depth == 1)
			clang_getExpansionLocation(
				clang_getTokenLocation(f->fc->tu, toks[i]),
				NULL, NULL, NULL, &semi[nsemi++]);
		clang_disposeString(sp);
		if (stop)
			break;
	}
	if (ntok)
		clang_disposeTokens(f->fc->tu, toks, ntok);
	return nsemi == 2;
}

static void for_roles(struct func_ctx *f, CXCursor s, CXCursor *parts, int n,
		      CXCursor *init, CXCursor *cond, CXCursor *inc)
{
	unsigned semi[2];
	int j;

	*init = *cond = *inc = clang_getNullCursor();
	if (n == 3) {
		*init = parts[0];
		*cond = parts[1];
		*inc = parts[2];
		return;
	}
	if (!n)
		return;
	if (!ast_is_macro_loc(f->fc->tu, clang_getCursorLocation(s)) &&
	    for_semicolons(f, s, semi)) {
		for (j = 0; j < n; j++) {
			unsigned off;

			clang_getExpansionLocation(
				clang_getRangeStart(
					clang_getCursorExtent(parts[j])),
				NULL, NULL, NULL, &off);
			if (off < semi[0])
				*init = parts[j];
			else if (off < semi[1])
				*cond = parts[j];
			else
				*inc = parts[j];
		}
		return;
	}
	if (n == 2) {
		if (looks_like_test(f, parts[0])) {
			*cond = parts[0];
			*inc = parts[1];
		} else if (looks_like_test(f, parts[1])) {
			*init = parts[0];
			*cond = parts[1];
		} else {
			*init = parts[0];
			*inc = parts[1];
		}
	} else if (looks_like_test(f, parts[0])) {
		*cond = parts[0];
	} else {
		*init = parts[0];
	}
}

static int build_loop_body(struct func_ctx *f, CXCursor body, int next,
			   int cont)
{
	int brk = f->brk, ct = f->cont, entry;

	f->brk = next;
	f->cont = cont;
	entry = build_stmt(f, body, cont);
	f->brk = brk;
	f->cont = ct;
	return entry;
}

static int build_for(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor kids[5], init, cond, inc;
	int n = ast_kids(s, kids, 5), head, incn, body, test;

	if (n < 1)
		return next;
	for_roles(f, s, kids, n - 1, &init, &cond, &inc);
	head = new_node(f, N_JOIN);
	incn = clang_Cursor_isNull(inc) ? head : build_expr_stmt(f, inc, head);
	body = build_loop_body(f, kids[n - 1], next, incn);
	test = clang_Cursor_isNull(cond) ? body :
					   build_cond(f, cond, body, next, 1);
	add_succ(f, head, test);
	if (clang_Cursor_isNull(init))
		return head;
	if (clang_getCursorKind(init) == CXCursor_DeclStmt)
		return build_stmt(f, init, head);
	return build_expr_stmt(f, init, head);
}

static int build_switch(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor kids[3];
	int n = ast_kids(s, kids, 3), sw, i;
	int *cases = f->switch_cases, ncases = f->nswitch_cases;
	int cap = f->capswitch_cases, has_default = f->switch_has_default;
	int brk = f->brk, site;
	struct ir *e;

	if (n < 2)
		return next;
	e = ir_expr(f, kids[n - 2]);
	site = site_add(f, kids[n - 2]);
	sw = new_node(f, N_SWITCH);
	f->nodes[sw].expr = e;
	f->nodes[sw].site = site;
	f->switch_cases = NULL;
	f->nswitch_cases = f->capswitch_cases = 0;
	f->switch_has_default = 0;
	f->brk = next;
	build_stmt(f, kids[n - 1], next);
	for (i = 0; i < f->nswitch_cases; i++)
		add_succ(f, sw, f->switch_cases[i]);
	if (!f->switch_has_default)
		add_succ(f, sw, next);
	free(f->switch_cases);
	f->switch_cases = cases;
	f->nswitch_cases = ncases;
	f->capswitch_cases = cap;
	f->switch_has_default = has_default;
	f->brk = brk;
	return sw;
}

static int build_case(struct func_ctx *f, CXCursor s, int next, int deflt)
{
	CXCursor kids[4];
	int n = ast_kids(s, kids, 4);
	int node = new_node(f, N_JOIN);
	int body = n ? build_stmt(f, kids[n - 1], next) : next;

	add_succ(f, node, body);
	grow((void **)&f->switch_cases, &f->capswitch_cases, f->nswitch_cases,
	     sizeof(int));
	f->switch_cases[f->nswitch_cases++] = node;
	if (deflt)
		f->switch_has_default = 1;
	return node;
}

struct label_refs {
	struct func_ctx *f;
	int node;
};

static enum CXChildVisitResult asm_label(CXCursor c, CXCursor parent,
					 CXClientData data)
{
	struct label_refs *r = data;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_LabelRef) {
		CXCursor l = clang_getCursorReferenced(c);

		if (!clang_Cursor_isNull(l))
			add_succ(r->f, r->node, label_node(r->f, l));
	}
	return CXChildVisit_Continue;
}

/* Builds a condition; it guards mapping calls if building its arms
 * (since calls0) created some. */
static int build_guarded_cond(struct func_ctx *f, CXCursor c, int t, int e,
			      int calls0)
{
	int guard = f->guard, n;

	f->guard = f->nmapcalls != calls0;
	n = build_cond(f, c, t, e, 0);
	f->guard = guard;
	return n;
}

static int build_if(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor kids[4];
	int n = ast_kids(s, kids, 4), t, e, calls0 = f->nmapcalls;

	if (n < 2)
		return next;
	t = build_stmt(f, kids[1], next);
	e = n > 2 ? build_stmt(f, kids[2], next) : next;
	return build_guarded_cond(f, kids[0], t, e, calls0);
}

static int build_while(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor kids[3];
	int n = ast_kids(s, kids, 3), head, body;

	if (n < 2)
		return next;
	head = new_node(f, N_JOIN);
	body = build_loop_body(f, kids[n - 1], next, head);
	add_succ(f, head, build_cond(f, kids[n - 2], body, next, 1));
	return head;
}

static int build_do(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor kids[3];
	int n = ast_kids(s, kids, 3), head, tail, body;

	if (n < 2)
		return next;
	head = new_node(f, N_JOIN);
	tail = new_node(f, N_JOIN);
	body = build_loop_body(f, kids[0], next, tail);
	add_succ(f, head, body);
	add_succ(f, tail, build_cond(f, kids[1], head, next, 1));
	return head;
}

static int build_return(struct func_ctx *f, CXCursor s)
{
	CXCursor kids[2];
	int n = ast_kids(s, kids, 2), r, site;

	if (n && ast_is_expr(kids[0]))
		return build_return_value(f, s, kids[0]);
	site = site_add(f, s);
	r = new_node(f, N_RETURN);
	f->nodes[r].site = site;
	return r;
}

static int build_goto(struct func_ctx *f, CXCursor s)
{
	CXCursor kids[2];
	int n = ast_kids(s, kids, 2), i;

	for (i = 0; i < n; i++) {
		CXCursor l = clang_getCursorReferenced(kids[i]);

		if (clang_getCursorKind(kids[i]) == CXCursor_LabelRef &&
		    !clang_Cursor_isNull(l))
			return label_node(f, l);
	}
	return new_node(f, N_STOP);
}

static int build_stmt(struct func_ctx *f, CXCursor s, int next)
{
	CXCursor *all;
	int n, i, entry;

	switch (clang_getCursorKind(s)) {
	case CXCursor_CompoundStmt:
	case CXCursor_DeclStmt:
		all = ast_kids_all(s, &n);
		entry = next;
		for (i = n - 1; i >= 0; i--)
			entry = clang_getCursorKind(s) == CXCursor_DeclStmt ?
					build_decl(f, all[i], entry) :
					build_stmt(f, all[i], entry);
		free(all);
		return entry;
	case CXCursor_IfStmt:
		return build_if(f, s, next);
	case CXCursor_WhileStmt:
		return build_while(f, s, next);
	case CXCursor_DoStmt:
		return build_do(f, s, next);
	case CXCursor_ForStmt:
		return build_for(f, s, next);
	case CXCursor_SwitchStmt:
		return build_switch(f, s, next);
	case CXCursor_CaseStmt:
		return build_case(f, s, next, 0);
	case CXCursor_DefaultStmt:
		return build_case(f, s, next, 1);
	case CXCursor_LabelStmt: {
		CXCursor kids[2];
		int l = label_node(f, s), body;

		n = ast_kids(s, kids, 2);
		body = n ? build_stmt(f, kids[n - 1], next) : next;
		add_succ(f, l, body);
		return l;
	}
	case CXCursor_GotoStmt:
		return build_goto(f, s);
	case CXCursor_IndirectGotoStmt:
		return new_node(f, N_STOP);
	case CXCursor_ReturnStmt:
		return build_return(f, s);
	case CXCursor_BreakStmt:
		return f->brk >= 0 ? f->brk : next;
	case CXCursor_ContinueStmt:
		return f->cont >= 0 ? f->cont : next;
	case CXCursor_NullStmt:
		return next;
	case CXCursor_GCCAsmStmt: {
		struct label_refs r = { f, node_to(f, N_JOIN, next) };

		clang_visitChildren(s, asm_label, &r);
		return r.node;
	}
	default:
		if (ast_is_expr(s))
			return build_expr_stmt(f, s, next);
		return next;
	}
}

void cfg_build(struct func_ctx *f, CXCursor body)
{
	int exit = new_node(f, N_EXIT);

	f->nodes[exit].site = f->body_end_site;
	f->brk = f->cont = -1;
	f->entry = build_stmt(f, body, exit);
}
