/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the audit builds for one function: a small expression IR made once
 * from the libclang cursors (so that paths are explored without calling
 * back into libclang), the "holders" (lvalues that can hold a mapped
 * address), the control-flow graph, and the per-file context.
 */
#ifndef KMAP_AUDIT_MODEL_H
#define KMAP_AUDIT_MODEL_H

#include <clang-c/Index.h>

#include "api.h"
#include "findings.h"
#include "util.h"

/* A position findings can point at; resolved to the expansion location
 * in the file only when a finding needs it. */
struct site {
	CXSourceLocation loc;
	int name; /* calls: display name of the function (string id) */
	int page_fp; /* map calls: fingerprint of the page mapped */
};

enum ir_kind {
	IR_OTHER, /* evaluate the operands; the value is unknown */
	IR_LVAL, /* read of an lvalue (holder, maybe through a pointer) */
	IR_CALL,
	IR_ASSIGN, /* kids[0] = lvalue, kids[1] = value */
	IR_UPDATE, /* +=, ++ ...: kids[0] = lvalue keeps a derived value */
	IR_ADDR, /* &lvalue */
	IR_PASS, /* value of kids[0] (casts, pointer arithmetic) */
	IR_NULL, /* a null pointer constant */
	IR_NOTMAP, /* string literal, address of a local, array */
	IR_SEQ, /* comma, statement expression: value of the last */
	IR_COND, /* ?: inside an expression */
	IR_UNEVAL, /* sizeof, typeof, type traits: nothing runs */
	IR_ESCAPE, /* initialiser lists: values go somewhere untracked */
	IR_NONZERO, /* a non-zero constant */
	IR_ARITH, /* integer arithmetic: keeps a mapping cast to an integer */
	IR_ERR, /* ERR_PTR(): an error pointer, never a mapping */
};

#define IRF_PAGE_ARG 0x01 /* unmap argument is a struct page/folio */
#define IRF_NORETURN 0x02 /* call never returns */
#define IRF_FRESH 0x04 /* (wrapper) call returns a fresh mapping */
#define IRF_MENTIONS 0x08 /* callee's body uses the mapping API */
#define IRF_QUERY 0x10 /* compile-time query, not a use */
#define IRF_K0_ADDR 0x20 /* IR_ARITH: operand 0 is wide enough for an address */
#define IRF_K1_ADDR 0x40 /* IR_ARITH: operand 1 is */

struct ir {
	unsigned char kind;
	unsigned char api; /* enum api_kind of a call */
	unsigned char deref; /* IR_LVAL: kids[0] is the pointer dereferenced */
	unsigned char flags;
	unsigned char op; /* IR_OTHER: enum ast_op of a comparison */
	short nkids;
	int holder; /* IR_LVAL: holder id or -1; IR_NOTMAP: object */
	int site; /* index into func->sites */
	int callee; /* IR_CALL: function id in the file context or -1 */
	int name; /* string id: callee display name, variable */
	int page_fp; /* maps and kunmap(): fingerprint of the page */
	struct ir **kids;
};

enum root_kind { ROOT_LOCAL, ROOT_PARAM, ROOT_GLOBAL, ROOT_NONE };

struct holder {
	const char *key; /* canonical: root decl + field/element path */
	const char *name; /* as written, for messages */
	int parent; /* enclosing lvalue, or the pointer dereferenced */
	int root; /* holder of the root variable */
	int param; /* ROOT_PARAM: argument index */
	int array; /* element of an array: wildcard holder of it */
	int array_len; /* elements in that array if constant, else -1 */
	int rel; /* index among tracked holders, -1 untracked */
	unsigned char via_deref;
	unsigned char root_kind;
	unsigned char frame_local; /* storage is in this stack frame */
	unsigned char addr_taken;
	unsigned char seed; /* holds or releases mappings: track it */
	unsigned char unmap_arg; /* its value reaches an unmap */
	unsigned char unmapped_here; /* array: an unmap here releases from it */
	unsigned char is_pointer; /* 1 pointer, 2 address-wide integer */
};

enum node_kind {
	N_JOIN,
	N_EXPR,
	N_ASSIGN, /* lhs = expr (declarations, lowered ?:) */
	N_BRANCH,
	N_SWITCH,
	N_RETURN,
	N_EXIT, /* falls off the end of the function */
	N_STOP, /* path ends without leaving (indirect goto) */
};

struct node {
	unsigned char kind;
	unsigned char negate; /* branch: true successor when test is false */
	signed char constval; /* branch: -1 unknown, else known value */
	unsigned char iserr; /* branch tests IS_ERR(expr) */
	unsigned char loop; /* branch is a loop condition */
	int nsucc, capsucc;
	int *succ; /* branch: [0] true, [1] false */
	struct ir *expr;
	struct ir *lhs;
	int cond; /* branch: tracked condition id or -1 */
	int test_holder; /* branch: the plain variable tested, or -1 */
	int site;
	void *states; /* analysis: states seen here */
};

/* What a function does to mappings, as seen by its callers.  Bit i of a
 * mask is about argument i; "must" holds on every path that returns,
 * "may" on some. */
struct summary {
	unsigned char returns_map; /* some path returns a fresh mapping */
	unsigned char returns_other; /* some path returns another pointer */
	unsigned char may_fail; /* some path returns NULL/ERR_PTR() */
	signed char returns_param; /* every return derives from arg i */
	unsigned char explored; /* paths were explored */
	unsigned char exits; /* some path returns */
	unsigned long long unmaps_must, unmaps_may;
	/* Releases the mapping held inside *arg (an object owning it). */
	unsigned long long unmaps_obj_must, unmaps_obj_may;
	/* Stores a fresh mapping inside *arg. */
	unsigned long long stores_obj;
	/* Stores argument i itself outside its frame. */
	unsigned long long escapes_param;
	/* Of those, stores argument i in a global variable, or hands it to
	 * deferred work: what another context may use later. */
	unsigned long long escapes_global, escapes_deferred;
	/* Arguments whose mapping the result continues: on every path the
	 * argument is returned as it is, or released and a fresh mapping
	 * returned instead (folio_zero_tail() remapping page by page). */
	unsigned long long replaces;
	unsigned char remaps; /* some path released and mapped afresh */
};

enum func_state { FUNC_NEW, FUNC_BUSY, FUNC_DONE };

struct func {
	CXCursor cursor; /* the definition */
	const char *name;
	unsigned char state;
	unsigned char in_main;
	signed char mentions; /* -1 unknown, else 0/1: calls mapping APIs */
	unsigned char incomplete; /* not every path was explored */
	struct summary sum;
};

/* Everything about the file being audited. */
struct header_bodies;

struct file_ctx {
	CXTranslationUnit tu;
	const char *display; /* file name as given, for findings */
	CXFile main_file;
	struct strtab fnames; /* function name -> id */
	struct func *funcs;
	int nfuncs, capfuncs;
	struct strtab strings; /* names used in messages */
	int depth; /* nesting of on-demand summaries */
	/* Main-file offsets of error diagnostics: functions with errors are
	 * skipped, their AST is incomplete. */
	unsigned *err_off;
	int nerr;
	struct findings *out;
	int nfunctions; /* main-file functions analysed */
	/* Header bodies left out of the parse (header_bodies.h), or NULL;
	 * needs_bodies is set when a callee's body was one of them. */
	const struct header_bodies *skipped;
	int needs_bodies;
};

struct cond_info {
	int count; /* branches testing it */
	int *roots; /* root holders it reads */
	int nroots, caproots;
	unsigned char unreliable; /* fingerprint may conflate conditions */
};

/* One function being analysed. */
struct func_ctx {
	struct file_ctx *fc;
	struct func *fn;
	int fn_id;
	int report; /* findings are reported (main-file function) */
	struct arena arena;
	struct site *sites;
	int nsites, capsites;
	struct strtab hkeys; /* holder key -> holder id */
	struct holder *holders;
	int nholders, capholders;
	int nrel; /* tracked holders */
	int *rel_holder; /* tracked index -> holder */
	struct node *nodes;
	int nnodes, capnodes;
	int entry;
	struct strtab conds; /* condition fingerprint -> cond id */
	struct cond_info *cinfo;
	int capcinfo;
	int ntracked; /* conditions tracked as facts */
	int *cond_fact; /* cond id -> fact index or -1 */
	int *uf; /* union-find over holders (relevance) */
	int *pairs; /* holders joined by assignments, 2 per pair */
	int npairs, cappairs;
	/* Params of the function, for ROOT_PARAM. */
	CXCursor *params;
	int nparams;
	/* CFG building. */
	int brk, cont;
	int *switch_cases; /* node ids of the innermost switch's cases */
	int nswitch_cases, capswitch_cases, switch_has_default;
	struct strtab labels;
	int *label_node;
	int caplabel;
	int body_end_site;
	int incomplete; /* budget exhausted: some paths unexplored */
	int active; /* calls the mapping API or a wrapper */
	int nmapcalls; /* mapping calls built so far */
	int guard; /* the branch being built guards one */
	int returns_address; /* result type can hold an address */
};

int site_add(struct func_ctx *f, CXCursor c);
void site_line_col(const struct func_ctx *f, int site, int *line, int *col);

#endif
