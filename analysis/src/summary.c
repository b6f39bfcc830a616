// SPDX-License-Identifier: GPL-2.0-only
/*
 * On-demand summaries of callees.  A callee is looked at only if its body
 * calls a mapping API, directly or through a few levels of other
 * functions with bodies, so most header inlines are never analysed.
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "engine.h"
#include "header_bodies.h"
#include "summary.h"

#define MENTION_DEPTH 3
#define SUMMARY_NESTING 8

int file_func_id(struct file_ctx *fc, CXCursor def)
{
	CXString name = clang_getCursorSpelling(def);
	int id = strtab_intern(&fc->fnames, clang_getCString(name));
	struct func *fn;

	clang_disposeString(name);
	if (id < fc->nfuncs)
		return id;
	grow((void **)&fc->funcs, &fc->capfuncs, id, sizeof(*fc->funcs));
	fc->nfuncs = id + 1;
	fn = &fc->funcs[id];
	memset(fn, 0, sizeof(*fn));
	fn->cursor = def;
	fn->name = strtab_str(&fc->fnames, id);
	fn->mentions = -1;
	fn->in_main = ast_in_file(def, fc->main_file);
	return id;
}

/* The definition of callee.  A callee whose body was left out of the
 * parse sends the file to a parse with every body. */
static CXCursor definition(struct file_ctx *fc, CXCursor callee)
{
	CXCursor def = clang_getCursorDefinition(callee);

	if (clang_Cursor_isNull(def) && fc->skipped) {
		CXString name = clang_getCursorSpelling(callee);

		if (!fc->needs_bodies &&
		    header_bodies_skipped(fc->skipped,
					  clang_getCString(name))) {
			fc->needs_bodies = 1;
			if (getenv("KMAP_AUDIT_VERBOSE"))
				fprintf(stderr,
					"kmap-audit: %s: parsing again with "
					"every header body: the body of %s is "
					"needed\n",
					fc->display, clang_getCString(name));
		}
		clang_disposeString(name);
	}
	return def;
}

struct mention {
	struct file_ctx *fc;
	int depth;
	int found;
};

static int mentions(struct file_ctx *fc, int id, int depth);

static enum CXChildVisitResult find_mapping_call(CXCursor c, CXCursor parent,
						 CXClientData data)
{
	struct mention *m = data;
	const struct api *api;
	CXCursor callee, def;
	char *name;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_CallExpr)
		return CXChildVisit_Recurse;
	name = ast_callee_name(c);
	api = api_lookup(name);
	free(name);
	if (api && (api->kind == API_MAP || api->kind == API_UNMAP)) {
		m->found = 1;
		return CXChildVisit_Break;
	}
	callee = ast_callee(c);
	if (!api && m->depth < MENTION_DEPTH && !clang_Cursor_isNull(callee)) {
		def = definition(m->fc, callee);
		if (!clang_Cursor_isNull(def) &&
		    mentions(m->fc, file_func_id(m->fc, def), m->depth + 1)) {
			m->found = 1;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Recurse;
}

static int mentions(struct file_ctx *fc, int id, int depth)
{
	struct mention m = { fc, depth, 0 };

	if (fc->funcs[id].mentions >= 0)
		return fc->funcs[id].mentions;
	fc->funcs[id].mentions = 0; /* recursion: assume not */
	clang_visitChildren(fc->funcs[id].cursor, find_mapping_call, &m);
	fc->funcs[id].mentions = (signed char)m.found;
	return m.found;
}

int summary_callee(struct file_ctx *fc, CXCursor callee, int *mention)
{
	CXCursor def;
	CXString name;
	int is_api;

	*mention = 0;
	if (clang_Cursor_isNull(callee))
		return -1;
	name = clang_getCursorSpelling(callee);
	is_api = api_lookup(clang_getCString(name)) != NULL;
	clang_disposeString(name);
	if (is_api)
		return -1;
	def = definition(fc, callee);
	if (clang_Cursor_isNull(def))
		return -1;
	{
		int id = file_func_id(fc, def);

		*mention = mentions(fc, id, 0);
		return id;
	}
}

const struct summary *summary_get(struct file_ctx *fc, int id)
{
	struct func *fn = &fc->funcs[id];

	if (fn->state == FUNC_DONE && fn->sum.explored)
		return &fn->sum;
	if (fn->state == FUNC_BUSY || fc->depth >= SUMMARY_NESTING)
		return NULL;
	fc->depth++;
	analyze_function(fc, id, 1);
	fc->depth--;
	return &fc->funcs[id].sum;
}
