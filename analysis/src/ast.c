// SPDX-License-Identifier: GPL-2.0-only
/*
 * libclang helpers.  libclang 14 has no accessor for a binary operator's
 * opcode, so it is read from the single token between the operands when
 * both are written in the file; inside macros, where that is unreliable,
 * the opcode stays unknown and callers fall back to the shape of the
 * expression (an assignment's left operand is an lvalue without an
 * implicit conversion).
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "util.h"

struct kids {
	CXCursor *out;
	int n, max;
};

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent,
				       CXClientData data)
{
	struct kids *k = data;

	(void)parent;
	if (k->n < k->max)
		k->out[k->n] = c;
	k->n++;
	return CXChildVisit_Continue;
}

int ast_kids(CXCursor c, CXCursor *out, int max)
{
	struct kids k = { out, 0, max };

	clang_visitChildren(c, collect, &k);
	return k.n < max ? k.n : max;
}

struct all_kids {
	CXCursor *v;
	int n, cap;
};

static enum CXChildVisitResult collect_all(CXCursor c, CXCursor parent,
					   CXClientData data)
{
	struct all_kids *k = data;

	(void)parent;
	grow((void **)&k->v, &k->cap, k->n, sizeof(CXCursor));
	k->v[k->n++] = c;
	return CXChildVisit_Continue;
}

CXCursor *ast_kids_all(CXCursor c, int *n)
{
	struct all_kids k = { NULL, 0, 0 };

	clang_visitChildren(c, collect_all, &k);
	*n = k.n;
	if (!k.v)
		k.v = xmalloc(sizeof(CXCursor));
	return k.v;
}

int ast_is_expr(CXCursor c)
{
	return clang_isExpression(clang_getCursorKind(c));
}

CXCursor ast_strip(CXCursor c)
{
	for (;;) {
		enum CXCursorKind k = clang_getCursorKind(c);
		CXCursor kids[2];
		int n;

		if (k != CXCursor_ParenExpr && k != CXCursor_UnexposedExpr)
			return c;
		n = ast_kids(c, kids, 2);
		if (n != 1 || !ast_is_expr(kids[0]))
			return c;
		c = kids[0];
	}
}

long ast_offset(CXSourceLocation loc, CXFile file)
{
	CXFile f;
	unsigned off;

	clang_getExpansionLocation(loc, &f, NULL, NULL, &off);
	if (!f || (file && !clang_File_isEqual(f, file)))
		return -1;
	return off;
}

int ast_in_file(CXCursor c, CXFile f)
{
	CXFile file;

	clang_getExpansionLocation(clang_getCursorLocation(c), &file, NULL,
				   NULL, NULL);
	return file && f && clang_File_isEqual(file, f);
}

int ast_is_macro_loc(CXTranslationUnit tu, CXSourceLocation loc)
{
	CXFile fe, ff;
	unsigned oe, of;
	CXToken *tok;
	int macro;

	clang_getExpansionLocation(loc, &fe, NULL, NULL, &oe);
	clang_getFileLocation(loc, &ff, NULL, NULL, &of);
	if (oe != of || !fe || !ff || !clang_File_isEqual(fe, ff))
		return 1;
	/* Macro body tokens expand at the invocation: the token really
	 * spelled there is then the macro name, somewhere else. */
	tok = clang_getToken(tu, loc);
	if (!tok)
		return 1;
	clang_getExpansionLocation(clang_getTokenLocation(tu, *tok), &ff, NULL,
				   NULL, &of);
	macro = of != oe || !ff || !clang_File_isEqual(fe, ff);
	clang_disposeTokens(tu, tok, 1);
	return macro;
}

char *ast_token_at(CXTranslationUnit tu, CXCursor c)
{
	return ast_token_at_loc(tu, clang_getCursorLocation(c));
}

char *ast_token_at_loc(CXTranslationUnit tu, CXSourceLocation loc)
{
	CXToken *tok = clang_getToken(tu, loc);
	CXString s;
	char *r;

	if (!tok)
		return NULL;
	s = clang_getTokenSpelling(tu, *tok);
	r = xstrdup(clang_getCString(s));
	clang_disposeString(s);
	clang_disposeTokens(tu, tok, 1);
	return r;
}

static enum ast_op op_from_spelling(const char *s)
{
	static const struct {
		const char *s;
		enum ast_op op;
	} ops[] = {
		{ "=", OP_ASSIGN },
		{ "+=", OP_COMPOUND_ASSIGN },
		{ "-=", OP_COMPOUND_ASSIGN },
		{ "*=", OP_COMPOUND_ASSIGN },
		{ "/=", OP_COMPOUND_ASSIGN },
		{ "%=", OP_COMPOUND_ASSIGN },
		{ "&=", OP_COMPOUND_ASSIGN },
		{ "|=", OP_COMPOUND_ASSIGN },
		{ "^=", OP_COMPOUND_ASSIGN },
		{ "<<=", OP_COMPOUND_ASSIGN },
		{ ">>=", OP_COMPOUND_ASSIGN },
		{ "&&", OP_LAND },
		{ "||", OP_LOR },
		{ "==", OP_EQ },
		{ "!=", OP_NE },
		{ "<", OP_CMP },
		{ ">", OP_CMP },
		{ "<=", OP_CMP },
		{ ">=", OP_CMP },
		{ "+", OP_ADD },
		{ "-", OP_SUB },
		{ ",", OP_COMMA },
		{ "*", OP_ARITH },
		{ "/", OP_ARITH },
		{ "%", OP_ARITH },
		{ "&", OP_BITMASK },
		{ "|", OP_BITMASK },
		{ "^", OP_ARITH },
		{ "<<", OP_ARITH },
		{ ">>", OP_ARITH },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].s, s))
			return ops[i].op;
	return OP_UNKNOWN;
}

static int is_macro_arg_loc(CXSourceLocation loc)
{
	unsigned oe, of;
	CXFile fe, ff;

	clang_getExpansionLocation(loc, &fe, NULL, NULL, &oe);
	clang_getFileLocation(loc, &ff, NULL, NULL, &of);
	return oe != of;
}

static CXSourceLocation extent_start(CXCursor c)
{
	return clang_getRangeStart(clang_getCursorExtent(c));
}

/* The operator among the file's tokens in [from, to): the only token
 * there, or with last set the last one (the left operand comes first). */
static enum ast_op op_between(CXTranslationUnit tu, CXFile file, unsigned from,
			      unsigned to, int last)
{
	unsigned i, ntok, n = 0;
	CXToken *toks;
	enum ast_op op = OP_UNKNOWN;
	int pick = -1;

	clang_tokenize(
		tu,
		clang_getRange(clang_getLocationForOffset(tu, file, from),
			       clang_getLocationForOffset(tu, file, to)),
		&toks, &ntok);
	for (i = 0; i < ntok; i++) {
		unsigned off;

		clang_getFileLocation(clang_getTokenLocation(tu, toks[i]), NULL,
				      NULL, NULL, &off);
		if (off >= from && off < to) {
			n++;
			pick = (int)i;
		}
	}
	if (pick >= 0 && (last || n == 1)) {
		CXString s = clang_getTokenSpelling(tu, toks[pick]);

		op = op_from_spelling(clang_getCString(s));
		clang_disposeString(s);
	}
	if (ntok)
		clang_disposeTokens(tu, toks, ntok);
	return op;
}

/*
 * Both operands spelled in one macro argument ("kunmap_local(page + i)",
 * "likely(a && b)"): where they are written, the token right before the
 * right operand is the operator.  The left operand must be written before
 * it in the same file (an operand from the macro body is located at the
 * macro's name, before its arguments), and a comma there may be the one
 * between two macro arguments, so it proves nothing.
 */
static enum ast_op binop_in_macro_arg(CXTranslationUnit tu, CXCursor l,
				      CXCursor r)
{
	CXFile fl, fr;
	unsigned ol, orr;
	enum ast_op op;

	clang_getFileLocation(extent_start(l), &fl, NULL, NULL, &ol);
	clang_getFileLocation(extent_start(r), &fr, NULL, NULL, &orr);
	if (!fl || !fr || !clang_File_isEqual(fl, fr) || ol >= orr)
		return OP_UNKNOWN;
	op = op_between(tu, fl, ol, orr, 1);
	return op == OP_COMMA ? OP_UNKNOWN : op;
}

static enum ast_op binop_from_tokens(CXTranslationUnit tu, CXCursor l,
				     CXCursor r)
{
	CXSourceLocation le = clang_getRangeEnd(clang_getCursorExtent(l));
	CXSourceLocation rs = extent_start(r);
	CXFile fl, fr;
	unsigned ol, orr;

	/* Operands that are macro arguments may have the operator inside
	 * the macro body, with only a comma between them in the file. */
	if (is_macro_arg_loc(extent_start(l)) || is_macro_arg_loc(rs))
		return binop_in_macro_arg(tu, l, r);
	clang_getExpansionLocation(le, &fl, NULL, NULL, &ol);
	clang_getExpansionLocation(rs, &fr, NULL, NULL, &orr);
	if (!fl || !fr || !clang_File_isEqual(fl, fr) || ol > orr)
		return OP_UNKNOWN;
	return op_between(tu, fl, ol, orr, 0);
}

/* An operand without the implicit lvalue-to-rvalue conversion that every
 * rvalue use of an lvalue gets: only the target of an assignment. */
static int is_unconverted_lvalue(CXTranslationUnit tu, CXCursor c)
{
	while (clang_getCursorKind(c) == CXCursor_ParenExpr) {
		CXCursor in[2];

		if (ast_kids(c, in, 2) != 1)
			return 0;
		c = in[0];
	}
	switch (clang_getCursorKind(c)) {
	case CXCursor_DeclRefExpr:
	case CXCursor_MemberRefExpr:
	case CXCursor_ArraySubscriptExpr:
		return 1;
	case CXCursor_UnaryOperator:
		return ast_unop(tu, c) == OP_DEREF;
	default:
		return 0;
	}
}

enum ast_op ast_binop(CXTranslationUnit tu, CXCursor c)
{
	CXCursor kids[2];
	enum ast_op op;

	if (clang_getCursorKind(c) == CXCursor_CompoundAssignOperator)
		return OP_COMPOUND_ASSIGN;
	if (ast_kids(c, kids, 2) != 2)
		return OP_UNKNOWN;
	op = binop_from_tokens(tu, kids[0], kids[1]);
	if (op != OP_UNKNOWN)
		return op;
	if (is_unconverted_lvalue(tu, kids[0]))
		return OP_ASSIGN;
	return OP_UNKNOWN;
}

enum ast_op ast_unop(CXTranslationUnit tu, CXCursor c)
{
	char *t = ast_token_at(tu, c);
	enum ast_op op = OP_INCDEC; /* postfix: the token is the operand */

	if (!t)
		return OP_UNKNOWN;
	if (!strcmp(t, "*"))
		op = OP_DEREF;
	else if (!strcmp(t, "&"))
		op = OP_ADDR;
	else if (!strcmp(t, "!"))
		op = OP_NOT;
	else if (!strcmp(t, "++") || !strcmp(t, "--"))
		op = OP_INCDEC;
	else if (!strcmp(t, "-") || !strcmp(t, "+") || !strcmp(t, "~"))
		op = OP_PLUS_MINUS;
	else if (!strcmp(t, "__extension__") || !strcmp(t, "__real") ||
		 !strcmp(t, "__imag") || !strcmp(t, "__real__") ||
		 !strcmp(t, "__imag__"))
		op = OP_EXTENSION;
	free(t);
	return op;
}

CXCursor ast_callee(CXCursor call)
{
	CXCursor ref = clang_getCursorReferenced(call);

	if (clang_Cursor_isNull(ref) ||
	    clang_getCursorKind(ref) != CXCursor_FunctionDecl)
		return clang_getNullCursor();
	return ref;
}

char *ast_callee_name(CXCursor call)
{
	CXCursor ref = ast_callee(call);
	CXString s;
	char *r;

	if (clang_Cursor_isNull(ref))
		return NULL;
	s = clang_getCursorSpelling(ref);
	r = xstrdup(clang_getCString(s));
	clang_disposeString(s);
	return r;
}

int ast_is_noreturn(CXCursor fn)
{
	CXString s = clang_getTypeSpelling(clang_getCursorType(fn));
	int r = strstr(clang_getCString(s), "noreturn") != NULL;
	CXCursor parent = clang_getCursorLexicalParent(fn);

	clang_disposeString(s);
	/* BUILD_BUG_ON() declares a noreturn function inside the block that
	 * calls it: a build-time assertion, not a path that ends. */
	if (r && !clang_Cursor_isNull(parent) &&
	    clang_getCursorKind(parent) != CXCursor_TranslationUnit)
		r = 0;
	return r;
}

static enum CXChildVisitResult find_constant_p(CXCursor c, CXCursor parent,
					       CXClientData data)
{
	if (clang_getCursorKind(c) == CXCursor_CallExpr) {
		char *name = ast_callee_name(c);
		int hit = name && !strcmp(name, "__builtin_constant_p");

		free(name);
		if (hit) {
			*(int *)data = 1;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Recurse;
}

/*
 * 1 or 0 when c is proved constant, else -1.  The front end folds
 * __builtin_constant_p() of a variable to 0, but the optimiser may make
 * it 1 (an inlined constant argument): not a proof.
 */
int ast_const_truth(CXCursor c)
{
	CXEvalResult r;
	int truth = -1, constant_p = 0;

	c = ast_strip(c);
	switch (clang_getCursorKind(c)) {
	case CXCursor_IntegerLiteral:
	case CXCursor_BinaryOperator:
	case CXCursor_UnaryOperator:
	case CXCursor_UnaryExpr:
	case CXCursor_CStyleCastExpr:
	case CXCursor_CharacterLiteral:
	case CXCursor_CallExpr:
	case CXCursor_ConditionalOperator:
	case CXCursor_DeclRefExpr:
	case CXCursor_UnexposedExpr:
		break;
	default:
		return -1;
	}
	if (clang_getCursorKind(c) != CXCursor_IntegerLiteral &&
	    clang_getCursorKind(c) != CXCursor_CharacterLiteral) {
		find_constant_p(c, c, &constant_p);
		if (!constant_p)
			clang_visitChildren(c, find_constant_p, &constant_p);
		if (constant_p)
			return -1;
	}
	r = clang_Cursor_Evaluate(c);
	if (!r)
		return -1;
	if (clang_EvalResult_getKind(r) == CXEval_Int)
		truth = clang_EvalResult_getAsLongLong(r) != 0;
	clang_EvalResult_dispose(r);
	return truth;
}

static int names_config(const char *tok)
{
	static const char *const tests[] = { "IS_ENABLED", "IS_BUILTIN",
					     "IS_MODULE", "IS_REACHABLE" };
	size_t i;

	if (!strncmp(tok, "CONFIG_", 7))
		return 1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!strcmp(tok, tests[i]))
			return 1;
	return 0;
}

/*
 * The file tokens c is written with: from the expansion of its first
 * token to that of its last, and when the last one is a macro
 * invocation ("IS_ENABLED(CONFIG_X)"), its arguments up to the closing
 * parenthesis.
 */
char *ast_config_text(CXTranslationUnit tu, CXCursor c)
{
	CXSourceRange ext = clang_getCursorExtent(c);
	CXFile file, file_end;
	unsigned from, to, n, i;
	size_t size = 0;
	CXToken *toks;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int config = 0, depth = 0, last_ident = 0;

	clang_getExpansionLocation(clang_getRangeStart(ext), &file, NULL, NULL,
				   &from);
	clang_getExpansionLocation(clang_getRangeEnd(ext), &file_end, NULL,
				   NULL, &to);
	if (!file || !file_end || !clang_File_isEqual(file, file_end) ||
	    to < from || to - from > 1024)
		return NULL;
	/* A file range ends one past its last character; a macro's
	 * expansion is at the start of its invocation. */
	if (to > from)
		to--;
	clang_getFileContents(tu, file, &size);
	clang_tokenize(tu,
		       clang_getRange(clang_getLocationForOffset(tu, file, from),
				      clang_getLocationForOffset(
					      tu, file,
					      to + 1024 < size ? to + 1024 :
								 size)),
		       &toks, &n);
	for (i = 0; i < n && i < 256; i++) {
		CXString s = clang_getTokenSpelling(tu, toks[i]);
		const char *t = clang_getCString(s);
		int open = !strcmp(t, "(");
		unsigned off;

		clang_getFileLocation(clang_getTokenLocation(tu, toks[i]), NULL,
				      NULL, NULL, &off);
		/* Past the last token: only the invocation's arguments. */
		if (off > to && !depth && !(open && i && last_ident)) {
			clang_disposeString(s);
			break;
		}
		last_ident = clang_getTokenKind(toks[i]) == CXToken_Identifier &&
			     off >= to;
		depth += open;
		depth -= !strcmp(t, ")");
		config |= names_config(t);
		str_append(&text, &len, &cap, i ? " " : "cfg:");
		str_append(&text, &len, &cap, t);
		clang_disposeString(s);
		if (off > to && !depth)
			break;
	}
	clang_disposeTokens(tu, toks, n);
	if (!config) {
		free(text);
		return NULL;
	}
	return text;
}

int ast_is_pointer(CXType t)
{
	t = clang_getCanonicalType(t);
	return t.kind == CXType_Pointer;
}

static int is_page_or_folio(CXType t)
{
	CXCursor decl;
	CXString s;
	int r;

	t = clang_getCanonicalType(t);
	if (t.kind != CXType_Pointer)
		return 0;
	decl = clang_getTypeDeclaration(
		clang_getCanonicalType(clang_getPointeeType(t)));
	if (clang_getCursorKind(decl) != CXCursor_StructDecl)
		return 0;
	s = clang_getCursorSpelling(decl);
	r = !strcmp(clang_getCString(s), "page") ||
	    !strcmp(clang_getCString(s), "folio");
	clang_disposeString(s);
	return r;
}

int ast_is_page_ptr(CXCursor c)
{
	return is_page_or_folio(clang_getCursorType(ast_strip(c)));
}

int ast_page_under_cast(CXCursor c, CXCursor *page)
{
	for (;;) {
		CXCursor kids[2];
		int n;

		c = ast_strip(c);
		if (is_page_or_folio(clang_getCursorType(c))) {
			*page = c;
			return 1;
		}
		if (clang_getCursorKind(c) != CXCursor_CStyleCastExpr ||
		    !ast_is_pointer(clang_getCursorType(c)))
			return 0;
		n = ast_kids(c, kids, 2);
		if (n < 1 || !ast_is_expr(kids[n - 1]))
			return 0;
		c = kids[n - 1];
	}
}

int ast_is_null_const(CXCursor c)
{
	for (;;) {
		CXCursor kids[2];
		enum CXCursorKind k;

		c = ast_strip(c);
		k = clang_getCursorKind(c);
		if (k == CXCursor_CStyleCastExpr) {
			int n = ast_kids(c, kids, 2);

			if (n < 1)
				return 0;
			c = kids[n - 1];
			continue;
		}
		if (k == CXCursor_IntegerLiteral || k == CXCursor_GNUNullExpr)
			return ast_const_truth(c) == 0;
		return 0;
	}
}
