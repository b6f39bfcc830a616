/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The path explorer: runs the CFG of a function over abstract states
 * (mapstack.h) and tells the checks what happens on each path.
 */
#ifndef KMAP_AUDIT_ENGINE_H
#define KMAP_AUDIT_ENGINE_H

#include "mapstack.h"
#include "model.h"

/* A value with the holder it was read from (for messages). */
struct rval {
	struct value v;
	int via;
};

struct audit {
	struct func_ctx *f;
	struct wstate *w;
};

/* Analyses function id of the file: findings if it is in the main file
 * and not yet analysed, and its summary.  Paths are explored only if the
 * function uses the mapping API, or if need_summary. */
void analyze_function(struct file_ctx *fc, int id, int need_summary);

/* ---- for checks ---- */

/* The variable an argument points into: &buf -> buf, ctx -> ctx,
 * &req->work -> req; -1 if none. */
int arg_root(const struct func_ctx *f, const struct ir *x);

struct note {
	int site;
	const char *msg;
};

void audit_report(struct audit *a, const char *kind, int site, const char *msg,
		  const struct note *notes, int nnotes);
const char *audit_str(struct audit *a, int id);
/* Source line of a site. */
int audit_line(struct audit *a, int site);
/* "kmap_local_page()" style name of the call at a site. */
const char *audit_call_name(struct audit *a, int site);
/* How to refer to a value in a message: 'kaddr' or "the address". */
const char *audit_value_name(struct audit *a, struct rval v);

#endif
