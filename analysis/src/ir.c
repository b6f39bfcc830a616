// SPDX-License-Identifier: GPL-2.0-only
/*
 * Builds the expression IR of one function from libclang cursors.  Every
 * lvalue that may hold a mapped address becomes a "holder" named by a
 * canonical access path (root declaration, then .field, ->field, [] or
 * *), so that kunmap_local(ctx.addr) finds what ctx.addr = kmap_local_page()
 * stored.  Array elements are not told apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "engine.h"
#include "ir.h"
#include "summary.h"

struct ir *ir_new(struct func_ctx *f, int kind, int nkids)
{
	struct ir *e = arena_alloc(&f->arena, sizeof(*e));

	e->kind = (unsigned char)kind;
	e->holder = -1;
	e->site = -1;
	e->callee = -1;
	e->name = -1;
	e->page_fp = -1;
	e->nkids = (short)nkids;
	if (nkids)
		e->kids = arena_alloc(&f->arena, sizeof(struct ir *) * nkids);
	return e;
}

/* Decls are keyed by name and position: two variables from one macro
 * expansion share the expansion offset but not the spelling offset. */
static char *decl_key(CXCursor decl)
{
	CXSourceLocation loc = clang_getCursorLocation(decl);
	CXString name = clang_getCursorSpelling(decl);
	unsigned eo, fo;
	CXFile ef;
	char *k;

	clang_getExpansionLocation(loc, &ef, NULL, NULL, &eo);
	clang_getFileLocation(loc, NULL, NULL, NULL, &fo);
	k = xasprintf("%s@%p:%u:%u", clang_getCString(name), (void *)ef, eo,
		      fo);
	clang_disposeString(name);
	return k;
}

static int holder_new(struct func_ctx *f, const char *key, const char *name,
		      int parent, int via_deref, int root_kind, int param,
		      int is_pointer)
{
	int id = strtab_intern(&f->hkeys, key);
	struct holder *h;

	if (id < f->nholders)
		return id;
	grow((void **)&f->holders, &f->capholders, id, sizeof(*f->holders));
	f->nholders = id + 1;
	h = &f->holders[id];
	h->key = strtab_str(&f->hkeys, id);
	h->name = arena_strdup(&f->arena, name);
	h->parent = parent;
	h->via_deref = (unsigned char)via_deref;
	h->array = -1;
	h->array_len = -1;
	h->rel = -1;
	h->is_pointer = (unsigned char)is_pointer;
	if (parent >= 0) {
		struct holder *p = &f->holders[parent];

		/* A field of an array element is one holder for all the
		 * elements: an array itself (hblocks[].addr). */
		if (p->array >= 0) {
			h->array = id;
			h->array_len = p->array_len;
		}
		h->root = p->root;
		h->root_kind = p->root_kind;
		h->param = p->param;
		h->frame_local = p->frame_local && !via_deref;
	} else {
		h->root = id;
		h->root_kind = (unsigned char)root_kind;
		h->param = param;
		h->frame_local = root_kind == ROOT_LOCAL;
	}
	return id;
}

/* 1: a pointer, 2: an integer wide enough for an address, 0: other. */
static int addr_class(CXType t)
{
	t = clang_getCanonicalType(t);
	if (t.kind == CXType_Pointer)
		return 1;
	return t.kind == CXType_Long || t.kind == CXType_ULong ||
			       t.kind == CXType_LongLong ||
			       t.kind == CXType_ULongLong ?
		       2 :
		       0;
}

static int param_index(struct func_ctx *f, CXCursor decl)
{
	int i;

	for (i = 0; i < f->nparams; i++)
		if (clang_equalCursors(f->params[i], decl))
			return i;
	return -1;
}

static int holder_for_decl(struct func_ctx *f, CXCursor decl)
{
	enum CXCursorKind k = clang_getCursorKind(decl);
	int root_kind, param = -1, id;
	CXString name;
	char *key;

	if (k == CXCursor_ParmDecl) {
		param = param_index(f, decl);
		root_kind = param >= 0 ? ROOT_PARAM : ROOT_NONE;
	} else if (k == CXCursor_VarDecl) {
		root_kind = clang_Cursor_hasVarDeclGlobalStorage(decl) == 1 ?
				    ROOT_GLOBAL :
				    ROOT_LOCAL;
	} else {
		return -1;
	}
	key = decl_key(decl);
	name = clang_getCursorSpelling(decl);
	id = holder_new(f, key, clang_getCString(name), -1, 0, root_kind, param,
			addr_class(clang_getCursorType(decl)));
	/* Pointer arguments, and integers that can hold an address, are
	 * tracked: what a function does with them is what its callers see
	 * (summary.h). */
	if (root_kind == ROOT_PARAM && f->holders[id].is_pointer >= 1)
		f->holders[id].seed = 1;
	clang_disposeString(name);
	free(key);
	return id;
}

static int holder_child(struct func_ctx *f, int parent, const char *sep,
			const char *field, int via_deref, int is_pointer)
{
	char *key, *name;
	int id;

	if (parent < 0)
		return -1;
	if (!strcmp(sep, "*")) {
		key = xasprintf("*(%s)", f->holders[parent].key);
		name = xasprintf("*%s", f->holders[parent].name);
	} else {
		key = xasprintf("%s%s%s", f->holders[parent].key, sep, field);
		name = xasprintf("%s%s%s", f->holders[parent].name, sep, field);
	}
	id = holder_new(f, key, name, parent, via_deref, ROOT_NONE, -1,
			is_pointer);
	free(key);
	free(name);
	return id;
}

struct ir *ir_decl_lval(struct func_ctx *f, CXCursor decl)
{
	struct ir *e = ir_new(f, IR_LVAL, 0);

	e->holder = holder_for_decl(f, decl);
	e->site = site_add(f, decl);
	return e;
}

static CXCursor strip_parens(CXCursor c)
{
	while (clang_getCursorKind(c) == CXCursor_ParenExpr) {
		CXCursor k[2];

		if (ast_kids(c, k, 2) != 1)
			break;
		c = k[0];
	}
	return c;
}

static int is_array_type(CXCursor c)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(c));

	return t.kind == CXType_ConstantArray ||
	       t.kind == CXType_IncompleteArray ||
	       t.kind == CXType_VariableArray ||
	       t.kind == CXType_DependentSizedArray;
}

/* The holder a pointer-valued IR reads, for naming a dereference. */
static int base_holder(const struct ir *e)
{
	while (e && e->kind == IR_PASS && e->nkids)
		e = e->kids[0];
	return e && e->kind == IR_LVAL ? e->holder : -1;
}

static struct ir *lval_with(struct func_ctx *f, int holder, int deref,
			    struct ir *base, struct ir *extra1,
			    struct ir *extra2)
{
	int n = !!base + !!extra1 + !!extra2, i = 0;
	struct ir *e = ir_new(f, IR_LVAL, n);

	e->holder = holder;
	e->deref = (unsigned char)deref;
	if (base)
		e->kids[i++] = base;
	if (extra1)
		e->kids[i++] = extra1;
	if (extra2)
		e->kids[i++] = extra2;
	return e;
}

struct ir *ir_lval(struct func_ctx *f, CXCursor c)
{
	CXCursor kids[3];
	int n, is_ptr;
	struct ir *e;

	c = strip_parens(c);
	is_ptr = addr_class(clang_getCursorType(c));
	switch (clang_getCursorKind(c)) {
	case CXCursor_DeclRefExpr: {
		CXCursor d = clang_getCursorReferenced(c);

		e = ir_new(f, IR_LVAL, 0);
		e->holder = clang_Cursor_isNull(d) ? -1 : holder_for_decl(f, d);
		e->site = site_add(f, c);
		return e;
	}
	case CXCursor_MemberRefExpr: {
		CXString field = clang_getCursorSpelling(c);
		CXCursor base;

		n = ast_kids(c, kids, 3);
		if (n < 1) {
			clang_disposeString(field);
			return ir_new(f, IR_OTHER, 0);
		}
		base = kids[0];
		if (ast_is_pointer(clang_getCursorType(ast_strip(base)))) {
			struct ir *b = ir_expr(f, base);

			e = lval_with(f,
				      holder_child(f, base_holder(b), "->",
						   clang_getCString(field), 1,
						   is_ptr),
				      1, b, NULL, NULL);
		} else {
			struct ir *b = ir_lval(f, base);

			e = ir_new(f, IR_LVAL, b->nkids);
			if (b->nkids)
				memcpy(e->kids, b->kids,
				       sizeof(*e->kids) * b->nkids);
			e->deref = b->deref;
			e->holder = holder_child(f, b->holder, ".",
						 clang_getCString(field), 0,
						 is_ptr);
		}
		clang_disposeString(field);
		e->site = site_add(f, c);
		return e;
	}
	case CXCursor_ArraySubscriptExpr: {
		CXCursor base;
		struct ir *idx;

		if (ast_kids(c, kids, 3) != 2)
			return ir_expr(f, c);
		base = ast_strip(kids[0]);
		idx = ir_expr(f, kids[1]);
		if (is_array_type(base)) {
			struct ir *b = ir_lval(f, base);
			int i;

			e = ir_new(f, IR_LVAL, b->nkids + 1);
			for (i = 0; i < b->nkids; i++)
				e->kids[i] = b->kids[i];
			e->kids[b->nkids] = idx;
			e->deref = b->deref;
			e->holder =
				holder_child(f, b->holder, "[]", "", 0, is_ptr);
		} else {
			struct ir *b = ir_expr(f, kids[0]);

			e = lval_with(f,
				      holder_child(f, base_holder(b), "[]", "",
						   1, is_ptr),
				      1, b, idx, NULL);
		}
		if (e->holder >= 0) {
			struct holder *h = &f->holders[e->holder];
			CXType t = clang_getCanonicalType(
				clang_getCursorType(base));

			h->array = e->holder;
			if (t.kind == CXType_ConstantArray)
				h->array_len = (int)clang_getArraySize(t);
		}
		e->site = site_add(f, c);
		return e;
	}
	case CXCursor_UnaryOperator:
		if (ast_unop(f->fc->tu, c) == OP_DEREF &&
		    ast_kids(c, kids, 2) == 1) {
			struct ir *b = ir_expr(f, kids[0]);

			e = lval_with(f,
				      holder_child(f, base_holder(b), "*", "",
						   1, is_ptr),
				      1, b, NULL, NULL);
			e->site = site_add(f, c);
			return e;
		}
		break;
	default:
		break;
	}
	/* Not a plain access path (a cast, a call returning a struct...):
	 * evaluate it, hold nothing. */
	e = lval_with(f, -1, 0, ir_expr(f, c), NULL, NULL);
	e->site = site_add(f, c);
	return e;
}

static struct ir *ir_kids_of(struct func_ctx *f, int kind, CXCursor c)
{
	CXCursor kids[AST_MAX_KIDS];
	int n = ast_kids(c, kids, AST_MAX_KIDS), i, m = 0;
	struct ir *e;

	for (i = 0; i < n; i++)
		if (ast_is_expr(kids[i]))
			m++;
	e = ir_new(f, kind, m);
	for (i = 0, m = 0; i < n; i++)
		if (ast_is_expr(kids[i]))
			e->kids[m++] = ir_expr(f, kids[i]);
	e->site = site_add(f, c);
	return e;
}

/* A fingerprint of an expression: the same text up to parentheses and
 * implicit conversions gives the same string.  *unreliable is set when
 * an operator could not be read. */
struct fp {
	struct func_ctx *f;
	char *buf;
	size_t len, cap;
	int unreliable;
	int *roots;
	int nroots, caproots;
};

static void fingerprint(struct fp *p, CXCursor c);

static enum CXChildVisitResult fp_kid(CXCursor c, CXCursor parent,
				      CXClientData data)
{
	struct fp *p = data;

	(void)parent;
	if (ast_is_expr(c))
		fingerprint(p, c);
	else if (clang_getCursorKind(c) != CXCursor_TypeRef)
		p->unreliable = 1; /* statement expressions and the like */
	return CXChildVisit_Continue;
}

static void fp_root(struct fp *p, int h)
{
	grow((void **)&p->roots, &p->caproots, p->nroots, sizeof(int));
	p->roots[p->nroots++] = h;
}

/* The name of the macro whose expansion produced c ("PAGE_SIZE"). */
static char *macro_name(CXTranslationUnit tu, CXCursor c)
{
	CXFile file;
	unsigned off;

	clang_getExpansionLocation(clang_getCursorLocation(c), &file, NULL,
				   NULL, &off);
	if (!file)
		return NULL;
	return ast_token_at_loc(tu, clang_getLocationForOffset(tu, file, off));
}

static void fingerprint(struct fp *p, CXCursor c)
{
	enum CXCursorKind k;
	char tmp[64];
	char *t = NULL;

	c = ast_strip(c);
	k = clang_getCursorKind(c);
	/* Constants by value: PAGE_SIZE and 4096 are the same test, and
	 * literals inside macros have no token to read. */
	if (k == CXCursor_IntegerLiteral || k == CXCursor_CharacterLiteral ||
	    k == CXCursor_BinaryOperator || k == CXCursor_UnaryOperator ||
	    k == CXCursor_CStyleCastExpr || k == CXCursor_UnaryExpr) {
		CXEvalResult r = clang_Cursor_Evaluate(c);

		if (r) {
			int is_int = clang_EvalResult_getKind(r) == CXEval_Int;

			if (is_int) {
				snprintf(tmp, sizeof(tmp), "#%lld",
					 clang_EvalResult_getAsLongLong(r));
				str_append(&p->buf, &p->len, &p->cap, tmp);
			}
			clang_EvalResult_dispose(r);
			if (is_int)
				return;
		}
	}
	switch (k) {
	case CXCursor_DeclRefExpr:
	case CXCursor_MemberRefExpr: {
		/* An access path: the holder names it, and a write to it
		 * (or to what contains it) invalidates the condition. */
		struct ir *lv = ir_lval(p->f, c);

		if (lv->holder >= 0) {
			str_append(&p->buf, &p->len, &p->cap,
				  p->f->holders[lv->holder].key);
			fp_root(p, lv->holder);
			if (!lv->deref)
				return;
			/* p->x also reads p: include it. */
			str_append(&p->buf, &p->len, &p->cap, "(");
			if (lv->nkids && lv->kids[0]->holder >= 0)
				fp_root(p, lv->kids[0]->holder);
			str_append(&p->buf, &p->len, &p->cap, ")");
			return;
		}
		if (k == CXCursor_DeclRefExpr) {
			CXString s = clang_getCursorSpelling(c);

			str_append(&p->buf, &p->len, &p->cap,
				  clang_getCString(s));
			clang_disposeString(s);
			return;
		}
		{
			CXString s = clang_getCursorSpelling(c);

			str_append(&p->buf, &p->len, &p->cap, ".");
			str_append(&p->buf, &p->len, &p->cap,
				  clang_getCString(s));
			clang_disposeString(s);
		}
		break;
	}
	case CXCursor_IntegerLiteral:
	case CXCursor_CharacterLiteral:
	case CXCursor_StringLiteral:
	case CXCursor_FloatingLiteral:
		t = ast_token_at(p->f->fc->tu, c);
		str_append(&p->buf, &p->len, &p->cap, t ? t : "?");
		if (!t)
			p->unreliable = 1;
		free(t);
		return;
	case CXCursor_CallExpr: {
		char *name = ast_callee_name(c);

		str_append(&p->buf, &p->len, &p->cap, name ? name : "call");
		free(name);
		break;
	}
	case CXCursor_BinaryOperator:
	case CXCursor_CompoundAssignOperator: {
		enum ast_op op = ast_binop(p->f->fc->tu, c);

		if (op == OP_UNKNOWN || op == OP_CMP || op == OP_ARITH ||
		    op == OP_BITMASK) {
			/* Inside a macro body the macro's name tells the
			 * operators apart well enough; written out, the
			 * tokens do (fp_exact_ops()). */
			if (ast_is_macro_loc(p->f->fc->tu,
					     clang_getCursorLocation(c))) {
				char *m = macro_name(p->f->fc->tu, c);

				str_append(&p->buf, &p->len, &p->cap, "M");
				str_append(&p->buf, &p->len, &p->cap,
					  m ? m : "?");
				if (!m)
					p->unreliable = 1;
				free(m);
			} else if (op == OP_UNKNOWN) {
				p->unreliable = 1;
			} else {
				p->unreliable |= 2;
			}
		}
		snprintf(tmp, sizeof(tmp), "b%d", op);
		str_append(&p->buf, &p->len, &p->cap, tmp);
		break;
	}
	case CXCursor_UnaryOperator:
		snprintf(tmp, sizeof(tmp), "u%d", ast_unop(p->f->fc->tu, c));
		str_append(&p->buf, &p->len, &p->cap, tmp);
		break;
	default:
		snprintf(tmp, sizeof(tmp), "k%d", k);
		str_append(&p->buf, &p->len, &p->cap, tmp);
		break;
	}
	str_append(&p->buf, &p->len, &p->cap, "(");
	clang_visitChildren(c, fp_kid, p);
	str_append(&p->buf, &p->len, &p->cap, ")");
}

/*
 * Comparisons and arithmetic only record their class; the operator token
 * then disambiguates ("a < b" and "a > b" must differ).  When even that
 * cannot be read, the condition gets a fingerprint of its own.
 */
static void fp_exact_ops(struct fp *p, CXCursor c)
{
	CXToken *toks;
	unsigned n, i;

	clang_tokenize(p->f->fc->tu, clang_getCursorExtent(c), &toks, &n);
	if (!n || n > 200 ||
	    ast_is_macro_loc(p->f->fc->tu, clang_getCursorLocation(c))) {
		p->unreliable = 1;
	} else {
		p->len = 0;
		p->buf[0] = 0;
		for (i = 0; i < n; i++) {
			CXString s =
				clang_getTokenSpelling(p->f->fc->tu, toks[i]);

			str_append(&p->buf, &p->len, &p->cap,
				  clang_getCString(s));
			str_append(&p->buf, &p->len, &p->cap, " ");
			clang_disposeString(s);
		}
		p->unreliable &= ~2;
	}
	if (n)
		clang_disposeTokens(p->f->fc->tu, toks, n);
}

int ir_cond_intern(struct func_ctx *f, const char *key)
{
	int id = strtab_intern(&f->conds, key);

	grow((void **)&f->cinfo, &f->capcinfo, id, sizeof(*f->cinfo));
	f->cinfo[id].count++;
	return id;
}

int ir_cond_id(struct func_ctx *f, CXCursor c)
{
	struct fp p = { .f = f };
	struct cond_info *ci;
	int id, i;

	str_append(&p.buf, &p.len, &p.cap, "");
	fingerprint(&p, c);
	if (p.unreliable & 2)
		fp_exact_ops(&p, c);
	if (p.unreliable) {
		char *u = xasprintf("%s#%d", p.buf, f->conds.n);

		free(p.buf);
		p.buf = u;
	}
	id = ir_cond_intern(f, p.buf);
	ci = &f->cinfo[id];
	if (ci->count == 1) {
		for (i = 0; i < p.nroots; i++) {
			grow((void **)&ci->roots, &ci->caproots, ci->nroots,
			     sizeof(int));
			ci->roots[ci->nroots++] = p.roots[i];
		}
	}
	free(p.roots);
	free(p.buf);
	return id;
}

/* Page fingerprints tell kunmap(page) which kmap_local_page(page) it
 * undoes; they live in the file's string table. */
static int page_fp(struct func_ctx *f, CXCursor c)
{
	struct fp p = { .f = f };
	int id;

	str_append(&p.buf, &p.len, &p.cap, "page:");
	fingerprint(&p, c);
	id = p.unreliable & 1 ? -1 : strtab_intern(&f->fc->strings, p.buf);
	free(p.roots);
	free(p.buf);
	return id;
}

static struct ir *ir_call(struct func_ctx *f, CXCursor c)
{
	CXCursor kids[AST_MAX_KIDS];
	int n = ast_kids(c, kids, AST_MAX_KIDS), nargs, i, page_arg = 0;
	char *name = ast_callee_name(c);
	const struct api *api = api_lookup(name);
	CXCursor callee = ast_callee(c), page;
	struct ir *e;

	nargs = clang_Cursor_getNumArguments(c);
	if (nargs < 0 || nargs > n)
		nargs = n > 0 ? n - 1 : 0;
	e = ir_new(f, IR_CALL, nargs);
	for (i = 0; i < nargs; i++)
		e->kids[i] = ir_expr(f, clang_Cursor_getArgument(c, i));
	e->site = site_add(f, c);
	if (api) {
		e->api = (unsigned char)api->kind;
		e->name = strtab_intern(&f->fc->strings, api->display);
		if (nargs > 0 &&
		    (api->kind == API_MAP || api->kind == API_KMAP ||
		     api->kind == API_KUNMAP))
			e->page_fp = page_fp(f, clang_Cursor_getArgument(c, 0));
		/* The argument's own type, under the implicit conversion to
		 * const void * (kunmap_local() is a macro around
		 * __kunmap_local()); for the address unmaps also under an
		 * explicit cast. */
		page = clang_Cursor_getArgument(c, 0);
		if (nargs > 0 && api->kind == API_UNMAP)
			page_arg = ast_page_under_cast(page, &page);
		else if (nargs > 0 && api->kind == API_KUNMAP)
			page_arg = ast_is_page_ptr(page);
		if (page_arg) {
			e->flags |= IRF_PAGE_ARG;
			e->page_fp = page_fp(f, page);
		}
		if (api->kind == API_UNMAP && nargs > 0)
			rel_unmap_arg(f, e->kids[0]);
	} else if (name) {
		int mention;

		e->name = strtab_intern(&f->fc->strings, name);
		if (!strcmp(name, "__builtin_object_size") ||
		    !strcmp(name, "__builtin_dynamic_object_size") ||
		    !strcmp(name, "__builtin_constant_p") ||
		    !strcmp(name, "__builtin_prefetch"))
			e->flags |= IRF_QUERY;
		if (!clang_Cursor_isNull(callee) && ast_is_noreturn(callee))
			e->flags |= IRF_NORETURN;
		e->callee = summary_callee(f->fc, callee, &mention);
		if (e->callee >= 0 && mention) {
			const struct summary *s = summary_get(f->fc, e->callee);

			e->flags |= IRF_MENTIONS;
			f->active = 1;
			f->nmapcalls++;
			if (s && s->returns_map)
				e->flags |= IRF_FRESH;
			for (i = 0; s && i < nargs && i < 64; i++)
				if ((s->unmaps_must | s->unmaps_may) &
				    (1ULL << i))
					rel_seed_value(f, e->kids[i]);
		}
	}
	if (api && (api->kind == API_MAP || api->kind == API_UNMAP ||
		    api->kind == API_KMAP || api->kind == API_KUNMAP)) {
		f->active = 1;
		f->nmapcalls++;
	}
	free(name);
	return e;
}

/* Can this operand hold an address (a pointer, a long)? */
static int addr_wide(CXCursor c)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(ast_strip(c)));

	return t.kind == CXType_Pointer || t.kind == CXType_Long ||
	       t.kind == CXType_ULong || t.kind == CXType_LongLong ||
	       t.kind == CXType_ULongLong;
}

static struct ir *ir_binary(struct func_ctx *f, CXCursor c)
{
	CXCursor kids[2];
	enum ast_op op;
	struct ir *e;

	if (ast_kids(c, kids, 2) != 2)
		return ir_kids_of(f, IR_OTHER, c);
	op = ast_binop(f->fc->tu, c);
	switch (op) {
	case OP_ASSIGN:
		e = ir_new(f, IR_ASSIGN, 2);
		e->kids[0] = ir_lval(f, kids[0]);
		e->kids[1] = ir_expr(f, kids[1]);
		rel_assign(f, e->kids[0], e->kids[1]);
		break;
	case OP_COMPOUND_ASSIGN:
		e = ir_new(f, IR_UPDATE, 2);
		e->kids[0] = ir_lval(f, kids[0]);
		e->kids[1] = ir_expr(f, kids[1]);
		break;
	case OP_COMMA:
		e = ir_new(f, IR_SEQ, 2);
		e->kids[0] = ir_expr(f, kids[0]);
		e->kids[1] = ir_expr(f, kids[1]);
		break;
	default:
		/* Pointer arithmetic keeps the pointer operand's mapping:
		 * any address inside the page releases it. */
		if (ast_is_pointer(clang_getCursorType(c)) &&
		    (op == OP_ADD || op == OP_SUB || op == OP_UNKNOWN)) {
			int p = ast_is_pointer(clang_getCursorType(
					ast_strip(kids[0]))) ?
					0 :
					1;

			e = ir_new(f, IR_PASS, 2);
			e->kids[0] = ir_expr(f, kids[p]);
			e->kids[1] = ir_expr(f, kids[!p]);
		} else {
			/* (unsigned long)addr + off still names the page:
			 * integer arithmetic passes on a mapping. */
			int both_ptr = ast_is_pointer(clang_getCursorType(
					       ast_strip(kids[0]))) &&
				       ast_is_pointer(clang_getCursorType(
					       ast_strip(kids[1])));
			int arith = !both_ptr &&
				    (op == OP_ADD || op == OP_SUB ||
				     op == OP_BITMASK || op == OP_UNKNOWN);

			e = ir_new(f, arith ? IR_ARITH : IR_OTHER, 2);
			e->op = (unsigned char)op;
			if (addr_wide(kids[0]))
				e->flags |= IRF_K0_ADDR;
			if (addr_wide(kids[1]))
				e->flags |= IRF_K1_ADDR;
			e->kids[0] = ir_expr(f, kids[0]);
			e->kids[1] = ir_expr(f, kids[1]);
		}
		break;
	}
	e->site = site_add(f, c);
	return e;
}

static struct ir *ir_unary(struct func_ctx *f, CXCursor c)
{
	CXCursor kids[2];
	struct ir *e;

	if (ast_kids(c, kids, 2) != 1)
		return ir_kids_of(f, IR_OTHER, c);
	switch (ast_unop(f->fc->tu, c)) {
	case OP_DEREF:
		return ir_lval(f, c);
	case OP_ADDR:
		e = ir_new(f, IR_ADDR, 1);
		e->kids[0] = ir_lval(f, kids[0]);
		break;
	case OP_INCDEC:
		e = ir_new(f, IR_UPDATE, 1);
		e->kids[0] = ir_lval(f, kids[0]);
		break;
	case OP_EXTENSION:
		return ir_expr(f, kids[0]);
	default:
		e = ir_new(f, IR_OTHER, 1);
		e->kids[0] = ir_expr(f, kids[0]);
		break;
	}
	e->site = site_add(f, c);
	return e;
}

struct ir *ir_stmt_linear(struct func_ctx *f, CXCursor s)
{
	CXCursor kids[AST_MAX_KIDS];
	int n, i;
	struct ir *e;

	if (ast_is_expr(s))
		return ir_expr(f, s);
	if (clang_getCursorKind(s) == CXCursor_VarDecl) {
		CXCursor init = clang_Cursor_getVarDeclInitializer(s);

		if (clang_Cursor_isNull(init))
			return ir_new(f, IR_OTHER, 0);
		e = ir_new(f, IR_ASSIGN, 2);
		e->kids[0] = ir_decl_lval(f, s);
		e->kids[1] = ir_expr(f, init);
		rel_assign(f, e->kids[0], e->kids[1]);
		e->site = site_add(f, s);
		return e;
	}
	n = ast_kids(s, kids, AST_MAX_KIDS);
	e = ir_new(f, IR_SEQ, n);
	for (i = 0; i < n; i++)
		e->kids[i] = ir_stmt_linear(f, kids[i]);
	if (!n)
		e->kind = IR_OTHER;
	return e;
}

struct ir *ir_expr(struct func_ctx *f, CXCursor c)
{
	CXCursor kids[4];
	struct ir *e;
	int n;

	switch (clang_getCursorKind(c)) {
	case CXCursor_ParenExpr:
		if (ast_kids(c, kids, 2) == 1)
			return ir_expr(f, kids[0]);
		return ir_kids_of(f, IR_OTHER, c);
	case CXCursor_UnexposedExpr: {
		int i, all_expr = 1;

		n = ast_kids(c, kids, 4);
		for (i = 0; i < n; i++)
			if (!ast_is_expr(kids[i]))
				all_expr = 0;
		if (!all_expr)
			return ir_new(f, IR_UNEVAL, 0); /* type traits */
		if (n == 1)
			return ir_expr(f, kids[0]); /* implicit conversion */
		return ir_kids_of(f, IR_OTHER, c);
	}
	case CXCursor_DeclRefExpr: {
		CXCursor d = clang_getCursorReferenced(c);
		enum CXCursorKind dk = clang_getCursorKind(d);

		if (dk == CXCursor_EnumConstantDecl) {
			/* false, true and other enumerators are constants. */
			e = ir_new(f,
				   clang_getEnumConstantDeclValue(d) ?
					   IR_NONZERO :
					   IR_NULL,
				   0);
			e->site = site_add(f, c);
			return e;
		}
		if (dk != CXCursor_VarDecl && dk != CXCursor_ParmDecl)
			return ir_new(f, IR_OTHER, 0);
		if (is_array_type(c)) {
			e = ir_new(f, IR_NOTMAP, 0);
			e->holder = holder_for_decl(f, d);
			e->site = site_add(f, c);
			return e;
		}
		return ir_lval(f, c);
	}
	case CXCursor_MemberRefExpr:
		if (is_array_type(c)) {
			/* s->buf decays to an address inside *s. */
			e = ir_new(f, IR_ADDR, 1);
			e->kids[0] = ir_lval(f, c);
			e->site = site_add(f, c);
			return e;
		}
		return ir_lval(f, c);
	case CXCursor_ArraySubscriptExpr:
		return ir_lval(f, c);
	case CXCursor_UnaryOperator:
		return ir_unary(f, c);
	case CXCursor_BinaryOperator:
	case CXCursor_CompoundAssignOperator:
		return ir_binary(f, c);
	case CXCursor_CStyleCastExpr:
		if (ast_is_null_const(c)) {
			e = ir_new(f, IR_NULL, 0);
			e->site = site_add(f, c);
			return e;
		}
		n = ast_kids(c, kids, 4);
		while (n > 0 && !ast_is_expr(kids[n - 1]))
			n--;
		if (!n)
			return ir_new(f, IR_OTHER, 0);
		e = ir_new(f, IR_PASS, 1);
		e->kids[0] = ir_expr(f, kids[n - 1]);
		e->site = site_add(f, c);
		return e;
	case CXCursor_IntegerLiteral:
	case CXCursor_CharacterLiteral:
	case CXCursor_GNUNullExpr:
		e = ir_new(f, ast_is_null_const(c) ? IR_NULL : IR_NONZERO, 0);
		e->site = site_add(f, c);
		return e;
	case CXCursor_StringLiteral:
		e = ir_new(f, IR_NOTMAP, 0);
		e->site = site_add(f, c);
		return e;
	case CXCursor_CallExpr:
		return ir_call(f, c);
	case CXCursor_ConditionalOperator:
		if (ast_kids(c, kids, 4) != 3)
			return ir_kids_of(f, IR_OTHER, c);
		e = ir_new(f, IR_COND, 3);
		e->kids[0] = ir_expr(f, kids[0]);
		e->kids[1] = ir_expr(f, kids[1]);
		e->kids[2] = ir_expr(f, kids[2]);
		e->site = site_add(f, c);
		return e;
	case CXCursor_StmtExpr:
		if (ast_kids(c, kids, 2) != 1)
			return ir_new(f, IR_OTHER, 0);
		return ir_stmt_linear(f, kids[0]);
	case CXCursor_UnaryExpr: /* sizeof, alignof */
		return ir_new(f, IR_UNEVAL, 0);
	case CXCursor_InitListExpr:
	case CXCursor_CompoundLiteralExpr:
		return ir_kids_of(f, IR_ESCAPE, c);
	default:
		return ir_kids_of(f, IR_OTHER, c);
	}
}

/* ---- relevance: union-find over holders ---- */

static int uf_find(struct func_ctx *f, int h)
{
	while (f->uf[h] != h)
		h = f->uf[h] = f->uf[f->uf[h]];
	return h;
}

static void uf_init(struct func_ctx *f)
{
	int i;

	free(f->uf);
	f->uf = xmalloc(sizeof(int) * (f->nholders ? f->nholders : 1));
	for (i = 0; i < f->nholders; i++)
		f->uf[i] = i;
}

/* Holders whose value flows into e's value. */
static void value_holders(const struct ir *e, int *out, int *n, int max)
{
	if (!e)
		return;
	switch (e->kind) {
	case IR_LVAL:
		if (e->holder >= 0 && *n < max)
			out[(*n)++] = e->holder;
		break;
	case IR_PASS:
	case IR_ASSIGN:
		value_holders(e->kids[0], out, n, max);
		if (e->kind == IR_ASSIGN)
			value_holders(e->kids[1], out, n, max);
		break;
	case IR_SEQ:
		if (e->nkids)
			value_holders(e->kids[e->nkids - 1], out, n, max);
		break;
	case IR_ARITH:
		if (e->flags & IRF_K0_ADDR)
			value_holders(e->kids[0], out, n, max);
		if (e->flags & IRF_K1_ADDR)
			value_holders(e->kids[1], out, n, max);
		break;
	case IR_COND:
		value_holders(e->kids[1], out, n, max);
		value_holders(e->kids[2], out, n, max);
		break;
	case IR_ADDR:
		if (e->kids[0]->kind == IR_LVAL && e->kids[0]->deref)
			value_holders(e->kids[0]->kids[0], out, n, max);
		break;
	default:
		break;
	}
}

int ir_value_maps(const struct func_ctx *f, const struct ir *e)
{
	(void)f;
	if (!e)
		return 0;
	switch (e->kind) {
	case IR_CALL:
		return e->api == API_MAP || e->api == API_KMAP ||
		       e->api == API_NOT_MAPPING || (e->flags & IRF_FRESH);
	case IR_PASS:
		return ir_value_maps(f, e->kids[0]);
	case IR_ARITH:
		return ir_value_maps(f, e->kids[0]) ||
		       ir_value_maps(f, e->kids[1]);
	case IR_ASSIGN:
		return ir_value_maps(f, e->kids[1]);
	case IR_SEQ:
		return e->nkids && ir_value_maps(f, e->kids[e->nkids - 1]);
	case IR_COND:
		return ir_value_maps(f, e->kids[1]) ||
		       ir_value_maps(f, e->kids[2]);
	default:
		return 0;
	}
}

void rel_assign(struct func_ctx *f, const struct ir *lhs, const struct ir *rhs)
{
	int hs[16], n = 0, i;

	if (lhs->kind != IR_LVAL || lhs->holder < 0)
		return;
	if (ir_value_maps(f, rhs))
		f->holders[lhs->holder].seed = 1;
	value_holders(rhs, hs, &n, 16);
	/* Pairs are joined in rel_finish(), once all holders exist. */
	for (i = 0; i < n; i++) {
		grow((void **)&f->pairs, &f->cappairs, 2 * f->npairs + 1,
		     sizeof(int));
		f->pairs[2 * f->npairs] = lhs->holder;
		f->pairs[2 * f->npairs + 1] = hs[i];
		f->npairs++;
	}
}

void rel_seed_value(struct func_ctx *f, const struct ir *e)
{
	int hs[16], n = 0, i;

	value_holders(e, hs, &n, 16);
	for (i = 0; i < n; i++)
		f->holders[hs[i]].seed = 1;
}

void rel_unmap_arg(struct func_ctx *f, const struct ir *e)
{
	int hs[16], n = 0, i;

	value_holders(e, hs, &n, 16);
	for (i = 0; i < n; i++)
		f->holders[hs[i]].seed = f->holders[hs[i]].unmap_arg = 1;
}

void rel_finish(struct func_ctx *f)
{
	int i, *seeded;

	uf_init(f);
	for (i = 0; i < f->npairs; i++) {
		int a = uf_find(f, f->pairs[2 * i]);
		int b = uf_find(f, f->pairs[2 * i + 1]);

		if (a != b)
			f->uf[a] = b;
	}
	seeded = xcalloc(f->nholders ? f->nholders : 1, sizeof(int));
	for (i = 0; i < f->nholders; i++) {
		if (f->holders[i].seed)
			seeded[uf_find(f, i)] |= 1;
		if (f->holders[i].unmap_arg)
			seeded[uf_find(f, i)] |= 2;
	}
	/* Arrays whose elements flow into an unmap here. */
	for (i = 0; i < f->nholders; i++)
		if (f->holders[i].array == i && (seeded[uf_find(f, i)] & 2))
			f->holders[i].unmapped_here = 1;
	f->nrel = 0;
	f->rel_holder = xmalloc(sizeof(int) * (f->nholders ? f->nholders : 1));
	for (i = 0; i < f->nholders; i++) {
		struct holder *h = &f->holders[i];

		/* Array elements are tracked through the mappings stored
		 * in them, not as one value. */
		if (seeded[uf_find(f, i)] && h->array < 0) {
			h->rel = f->nrel;
			f->rel_holder[f->nrel++] = i;
		}
	}
	free(seeded);
}
