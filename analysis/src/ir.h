/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Expression IR built from libclang cursors, holders and conditions.
 */
#ifndef KMAP_AUDIT_IR_H
#define KMAP_AUDIT_IR_H

#include "model.h"

struct ir *ir_expr(struct func_ctx *f, CXCursor c);
struct ir *ir_lval(struct func_ctx *f, CXCursor c);
/* The lvalue of a declared variable (declarations with initialisers). */
struct ir *ir_decl_lval(struct func_ctx *f, CXCursor decl);
/* A statement run straight through (bodies of statement expressions). */
struct ir *ir_stmt_linear(struct func_ctx *f, CXCursor s);
/* A new IR node of the given kind with room for n operands. */
struct ir *ir_new(struct func_ctx *f, int kind, int nkids);

/* Condition identity: equal fingerprints are the same test. */
int ir_cond_id(struct func_ctx *f, CXCursor c);
/* The condition id of a fingerprint made elsewhere. */
int ir_cond_intern(struct func_ctx *f, const char *key);

/* Relevance: only holders that can hold or release a mapping are
 * tracked, so unrelated pointers do not multiply the states. */
void rel_assign(struct func_ctx *f, const struct ir *lhs, const struct ir *rhs);
void rel_seed_value(struct func_ctx *f, const struct ir *e);
/* e is given to an unmap: its holders release mappings. */
void rel_unmap_arg(struct func_ctx *f, const struct ir *e);
void rel_finish(struct func_ctx *f);

/* Does the value of e come from a mapping call (or a page_address())? */
int ir_value_maps(const struct func_ctx *f, const struct ir *e);

#endif
