/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libclang helpers: the C API does not expose operators, statement roles
 * or implicit casts directly, so they are recovered here once.
 */
#ifndef KMAP_AUDIT_AST_H
#define KMAP_AUDIT_AST_H

#include <clang-c/Index.h>

#define AST_MAX_KIDS 64

enum ast_op {
	OP_UNKNOWN,
	OP_ASSIGN,
	OP_COMPOUND_ASSIGN,
	OP_LAND,
	OP_LOR,
	OP_EQ,
	OP_NE,
	OP_CMP, /* < > <= >= */
	OP_ADD,
	OP_SUB,
	OP_COMMA,
	OP_ARITH, /* other arithmetic and bitwise operators */
	OP_BITMASK, /* & | */
	OP_DEREF,
	OP_ADDR,
	OP_NOT,
	OP_INCDEC,
	OP_PLUS_MINUS, /* unary + - ~ */
	OP_EXTENSION, /* __extension__, __real, __imag */
};

/* Children of c in order; returns their number (at most max). */
int ast_kids(CXCursor c, CXCursor *out, int max);
/* All children of c, malloc'ed; *n gets their number. */
CXCursor *ast_kids_all(CXCursor c, int *n);
/* Strips parentheses and implicit casts (UnexposedExpr with one operand). */
CXCursor ast_strip(CXCursor c);
int ast_is_expr(CXCursor c);
enum ast_op ast_binop(CXTranslationUnit tu, CXCursor c);
enum ast_op ast_unop(CXTranslationUnit tu, CXCursor c);
/* Name of the function a CallExpr calls directly, or NULL (caller frees). */
char *ast_callee_name(CXCursor call);
/* True if the location is inside a macro expansion. */
int ast_is_macro_loc(CXTranslationUnit tu, CXSourceLocation loc);
/* Is c written in file f?  Where it is expanded counts, not where a
 * macro spelled it: "#define foo bar" in a header, then "int foo(void)
 * { ... }" in f, defines bar in f. */
int ast_in_file(CXCursor c, CXFile f);
/* Spelling of the token at the expansion location of c (caller frees). */
char *ast_token_at(CXTranslationUnit tu, CXCursor c);
char *ast_token_at_loc(CXTranslationUnit tu, CXSourceLocation loc);
/* 1/0 if c is an integer constant expression with that truth, else -1. */
int ast_const_truth(CXCursor c);
/* "cfg:" and the tokens c is written with, when they name a configuration
 * option (CONFIG_*, IS_ENABLED() ...): a constant only of this build's
 * configuration.  NULL otherwise. */
char *ast_config_text(CXTranslationUnit tu, CXCursor c);
/* Is the (unconverted) type of expression c a struct page/folio pointer? */
int ast_is_page_ptr(CXCursor c);
/* The same, also under explicit casts to other pointer types
 * ("(void *)page": no cast makes it an address); *page gets the
 * struct page/folio expression. */
int ast_page_under_cast(CXCursor c, CXCursor *page);
int ast_is_pointer(CXType t);
int ast_is_null_const(CXCursor c);
/* File offset of a location's expansion, or -1 if not in file. */
long ast_offset(CXSourceLocation loc, CXFile file);
/* The function a call names directly, or a null cursor. */
CXCursor ast_callee(CXCursor call);
int ast_is_noreturn(CXCursor fn);

#endif
