// SPDX-License-Identifier: GPL-2.0-only
/*
 * One file: parse, report diagnostics that stop the audit, then analyse
 * the functions defined in the main file.  Header bodies are never walked
 * except those of callees that may wrap the mapping API (summary.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "audit.h"
#include "build_assert.h"
#include "engine.h"
#include "header_bodies.h"
#include "model.h"
#include "summary.h"

/* Exact arguments to drop, and those that take a value to drop too. */
static const char *const drop_exact[] = {
	"-c",
	"-S",
	"-E",
	"-MD",
	"-MMD",
	"-MP",
	"-fverbose-asm",
	"-pipe",
	"-Werror",
	"-pedantic-errors",
	NULL,
};

static const char *const drop_with_value[] = {
	"-o", "-MF", "-MT", "-MQ", NULL,
};

/* gcc-only options (a gcc-built compile_commands.json) and options that
 * only change code generation or diagnostics. */
static const char *const drop_prefix[] = {
	"-Wp,-MD",
	"-Wp,-MMD",
	"-Werror=",
	"-fconserve-stack",
	"-fno-allow-store-data-races",
	"-mindirect-branch",
	"-mfunction-return",
	"-mpreferred-stack-boundary",
	"-fno-var-tracking-assignments",
	"-mrecord-mcount",
	"-fmin-function-alignment",
	"-falign-jumps",
	"-fno-code-hoisting",
	"-fsanitize-coverage",
	"-fplugin",
	"-fno-ipa-",
	"-fipa-",
	"-mharden-sls",
	"-fzero-call-used-regs",
	"-fstrict-flex-arrays",
	"-fno-tree-",
	"-ftree-",
	"-flive-patching",
	"-fdiagnostics-",
	"-fno-inline-functions-called-once",
	"-mstack-protector-guard-symbol",
	"-fmacro-prefix-map",
	"-ffile-prefix-map",
	"-fdebug-prefix-map",
	"-Wimplicit-fallthrough=",
	"-fno-partial-inlining",
	"-fno-reorder-blocks",
	"-fno-ipa-cp-clone",
	"-fno-schedule-insns",
	"-mno-fentry",
	"-fcf-protection=",
	"-fsched-pressure",
	"-fno-stack-clash",
	"-fasan-",
	"-fsanitize",
	"-fno-sanitize",
	"-fprofile",
	"-ftest-coverage",
	"-mgeneral-regs-only",
	"-g",
	NULL,
};

static int in_list(const char *a, const char *const *list, int prefix)
{
	int i;

	for (i = 0; list[i]; i++)
		if (prefix ? !strncmp(a, list[i], strlen(list[i])) :
			     !strcmp(a, list[i]))
			return 1;
	return 0;
}

const char **audit_filter_args(const char *const *args, int *n)
{
	const char **out = xmalloc(sizeof(char *) * (*n + 1));
	int i, m = 0;

	for (i = 0; i < *n; i++) {
		const char *a = args[i];

		if (in_list(a, drop_with_value, 0)) {
			i++;
			continue;
		}
		if (in_list(a, drop_exact, 0) || in_list(a, drop_prefix, 1))
			continue;
		out[m++] = a;
	}
	out[m] = NULL;
	*n = m;
	return out;
}

struct collect {
	struct file_ctx *fc;
	CXCursor *defs;
	int n, cap;
};

static enum CXChildVisitResult collect_defs(CXCursor c, CXCursor parent,
					    CXClientData data)
{
	struct collect *col = data;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_FunctionDecl &&
	    clang_isCursorDefinition(c) &&
	    ast_in_file(c, col->fc->main_file)) {
		grow((void **)&col->defs, &col->cap, col->n, sizeof(CXCursor));
		col->defs[col->n++] = c;
	}
	return CXChildVisit_Continue;
}

/* The raw tokens of [from, to) of the main file (also of code the
 * preprocessor skipped). */
static void tokenize_range(struct file_ctx *fc, unsigned from, unsigned to,
			   CXToken **toks, unsigned *n)
{
	clang_tokenize(
		fc->tu,
		clang_getRange(
			clang_getLocationForOffset(fc->tu, fc->main_file, from),
			clang_getLocationForOffset(fc->tu, fc->main_file, to)),
		toks, n);
}

/* The first mapping-API name among the tokens of [from, to) of the main
 * file (NULL if none): what a function that was not audited would use. */
static const char *names_mapping_api(struct file_ctx *fc, unsigned from,
				     unsigned to)
{
	CXToken *toks;
	unsigned n, i;
	const char *hit = NULL;

	tokenize_range(fc, from, to, &toks, &n);
	for (i = 0; i < n && !hit; i++) {
		CXString sp;
		const struct api *api;

		if (clang_getTokenKind(toks[i]) != CXToken_Identifier)
			continue;
		sp = clang_getTokenSpelling(fc->tu, toks[i]);
		api = api_lookup(clang_getCString(sp));
		if (api && (api->kind == API_MAP || api->kind == API_UNMAP ||
			    api->kind == API_KMAP || api->kind == API_KUNMAP))
			hit = api->display;
		clang_disposeString(sp);
	}
	clang_disposeTokens(fc->tu, toks, n);
	return hit;
}

static void extent_offsets(CXCursor c, unsigned *b, unsigned *e)
{
	CXSourceRange r = clang_getCursorExtent(c);

	clang_getExpansionLocation(clang_getRangeStart(r), NULL, NULL, NULL, b);
	clang_getExpansionLocation(clang_getRangeEnd(r), NULL, NULL, NULL, e);
}

static unsigned line_of(struct file_ctx *fc, unsigned off, unsigned *col)
{
	unsigned line;

	clang_getFileLocation(
		clang_getLocationForOffset(fc->tu, fc->main_file, off), NULL,
		&line, col, NULL);
	return line;
}

/* A note: what in function fn (maybe "") was not audited, and why. */
static void not_audited(struct file_ctx *fc, unsigned off, const char *fn,
			const char *why, const char *api)
{
	unsigned col, line = line_of(fc, off, &col);
	char *m;

	if (*fn)
		m = xasprintf("%s() uses %s() but was not audited: %s", fn,
			      api, why);
	else
		m = xasprintf("code using %s() was not audited: %s", api,
			      why);
	findings_add(fc->out, fc->display, (int)line, (int)col, fn,
		     "not-audited", m, NULL, 0);
	free(m);
}

static int has_error_inside(struct file_ctx *fc, CXCursor fn)
{
	CXSourceRange r = clang_getCursorExtent(fn);
	unsigned b, e;
	int i;

	clang_getExpansionLocation(clang_getRangeStart(r), NULL, NULL, NULL,
				   &b);
	clang_getExpansionLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &e);
	for (i = 0; i < fc->nerr; i++)
		if (fc->err_off[i] >= b && fc->err_off[i] <= e)
			return 1;
	return 0;
}

/* Errors make the AST of the functions they are in incomplete: note the
 * first one as a finding, and where they are.  Failed build-time
 * assertions in the file do not: they go to *ba (build_assert.h). */
static int check_diagnostics(struct file_ctx *fc, struct findings *out,
			     struct build_asserts *ba)
{
	unsigned i, n = clang_getNumDiagnostics(fc->tu);
	int nerrors = 0, line = 1, col = 1, cap = 0;
	char *first = NULL;

	for (i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(fc->tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);

		if (sev >= CXDiagnostic_Error) {
			CXSourceLocation loc = clang_getDiagnosticLocation(d);
			CXString msg = clang_getDiagnosticSpelling(d);
			CXFile file;
			unsigned l, c, off;

			clang_getExpansionLocation(loc, &file, &l, &c, &off);
			if (file && clang_File_isEqual(file, fc->main_file) &&
			    build_assert_is(clang_getCString(msg))) {
				build_assert_add(ba, (int)l, (int)c,
						 clang_getCString(msg));
				clang_disposeString(msg);
				clang_disposeDiagnostic(d);
				continue;
			}
			if (file && clang_File_isEqual(file, fc->main_file)) {
				grow((void **)&fc->err_off, &cap, fc->nerr,
				     sizeof(unsigned));
				fc->err_off[fc->nerr++] = off;
			}
			if (!nerrors++) {
				if (file &&
				    clang_File_isEqual(file, fc->main_file)) {
					line = (int)l;
					col = (int)c;
					first = xstrdup(clang_getCString(msg));
				} else {
					CXString fn = clang_getFileName(file);

					first = xasprintf(
						"%s:%u:%u: %s",
						file ? clang_getCString(fn) :
						       "<command line>",
						l, c, clang_getCString(msg));
					clang_disposeString(fn);
				}
			}
			clang_disposeString(msg);
		}
		clang_disposeDiagnostic(d);
	}
	if (nerrors) {
		char *m = xasprintf("%d error%s; functions containing one are "
				    "not audited; first: %s",
				    nerrors, nerrors > 1 ? "s" : "", first);

		findings_add(out, fc->display, line, col, "", "parse-error", m,
			     NULL, 0);
		free(m);
	}
	free(first);
	return nerrors;
}

/* Names of functions defined in [from, to) of the main file, as raw
 * tokens: "name ( ... ) {" at brace depth 0.  For code the preprocessor
 * skipped, which has no AST. */
static void skipped_functions(struct file_ctx *fc, unsigned from,
			      unsigned to, const char *why)
{
	CXToken *toks;
	unsigned n, i;
	int depth = 0, found = 0;

	tokenize_range(fc, from, to, &toks, &n);
	for (i = 0; i < n; i++) {
		CXString sp = clang_getTokenSpelling(fc->tu, toks[i]);
		const char *t = clang_getCString(sp);
		int open = !strcmp(t, "{"), close = !strcmp(t, "}");

		clang_disposeString(sp);
		if (close && depth > 0)
			depth--;
		if (!open)
			continue;
		if (depth++ == 0 && i > 0) {
			/* Back over ") ... (" to the name before "(". */
			CXString prev = clang_getTokenSpelling(fc->tu,
							       toks[i - 1]);
			int is_paren = !strcmp(clang_getCString(prev), ")");
			unsigned j = i - 1, body_from, body_to, k;
			int pd = 0;

			clang_disposeString(prev);
			if (!is_paren)
				continue;
			for (;; j--) {
				CXString q = clang_getTokenSpelling(fc->tu,
								    toks[j]);
				const char *qt = clang_getCString(q);

				pd += !strcmp(qt, ")") - !strcmp(qt, "(");
				clang_disposeString(q);
				if (!pd || !j)
					break;
			}
			if (!j || clang_getTokenKind(toks[j - 1]) !=
					  CXToken_Identifier)
				continue;
			/* The body: up to the matching brace. */
			for (k = i + 1, pd = 1; k < n && pd; k++) {
				CXString q = clang_getTokenSpelling(fc->tu,
								    toks[k]);
				const char *qt = clang_getCString(q);

				pd += !strcmp(qt, "{") - !strcmp(qt, "}");
				clang_disposeString(q);
			}
			clang_getFileLocation(
				clang_getTokenLocation(fc->tu, toks[i]), NULL,
				NULL, NULL, &body_from);
			clang_getFileLocation(
				clang_getTokenLocation(fc->tu, toks[k - 1]),
				NULL, NULL, NULL, &body_to);
			{
				const char *api = names_mapping_api(
					fc, body_from, body_to);
				CXString name = clang_getTokenSpelling(
					fc->tu, toks[j - 1]);
				unsigned at;

				clang_getFileLocation(
					clang_getTokenLocation(fc->tu,
							       toks[j - 1]),
					NULL, NULL, NULL, &at);
				if (api) {
					not_audited(fc, at,
						    clang_getCString(name),
						    why, api);
					found = 1;
				}
				clang_disposeString(name);
			}
		}
	}
	clang_disposeTokens(fc->tu, toks, n);
	if (!found) {
		const char *api = names_mapping_api(fc, from, to);

		if (api)
			not_audited(fc, from, "", why, api);
	}
}

/*
 * Code the preprocessor skipped under this configuration (#if, #ifdef)
 * that names the mapping API: inside an audited function it is a part
 * of that function no path went through; outside, whole functions.
 */
static void note_skipped(struct file_ctx *fc, const CXCursor *defs, int ndefs)
{
	CXSourceRangeList *list = clang_getSkippedRanges(fc->tu, fc->main_file);
	unsigned i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		unsigned from, to, line;
		const char *api;
		int d;

		clang_getFileLocation(clang_getRangeStart(list->ranges[i]),
				      NULL, &line, NULL, &from);
		clang_getFileLocation(clang_getRangeEnd(list->ranges[i]), NULL,
				      NULL, NULL, &to);
		api = names_mapping_api(fc, from, to);
		if (!api)
			continue;
		for (d = 0; d < ndefs; d++) {
			unsigned b, e;

			extent_offsets(defs[d], &b, &e);
			if (from >= b && from <= e)
				break;
		}
		if (d < ndefs) {
			CXString name = clang_getCursorSpelling(defs[d]);
			unsigned col, last = line_of(fc, to, &col);
			char *m = xasprintf(
				"lines %u-%u of %s(), which use %s(), are "
				"preprocessed out (#if) under this "
				"configuration: not audited",
				line, last, clang_getCString(name), api);

			findings_add(fc->out, fc->display, (int)line, 1,
				     clang_getCString(name), "not-audited", m,
				     NULL, 0);
			free(m);
			clang_disposeString(name);
		} else {
			skipped_functions(fc, from, to,
					  "it is preprocessed out (#if) under "
					  "this configuration");
		}
	}
	clang_disposeSourceRangeList(list);
}

static void write_dep(CXFile file, CXSourceLocation *stack, unsigned n,
		      CXClientData data)
{
	CXString name = clang_getFileName(file);

	fprintf(data, "%s\n", clang_getCString(name));
	clang_disposeString(name);
}

static void free_file_ctx(struct file_ctx *fc)
{
	strtab_free(&fc->fnames);
	strtab_free(&fc->strings);
	free(fc->funcs);
	free(fc->err_off);
}

/* Has the parse an error diagnostic anywhere? */
static int has_errors(CXTranslationUnit tu)
{
	unsigned i, n = clang_getNumDiagnostics(tu);
	int found = 0;

	for (i = 0; i < n && !found; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);

		found = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error;
		if (found && getenv("KMAP_AUDIT_VERBOSE")) {
			CXString s = clang_formatDiagnostic(
				d, clang_defaultDiagnosticDisplayOptions());

			fprintf(stderr,
				"kmap-audit: parsing again with every header "
				"body: %s\n",
				clang_getCString(s));
			clang_disposeString(s);
		}
		clang_disposeDiagnostic(d);
	}
	return found;
}

#define AUDIT_AGAIN 1 /* the parse left out a body it needs */

/* One parse and audit of the file; with hb, the header bodies it plans
 * are left out, and AUDIT_AGAIN is returned when that may have changed
 * anything (nothing is reported then). */
static int audit_parse(CXIndex idx, const char *path, const char *via,
		       const char *display, const char *const *all, int nall,
		       struct CXUnsavedFile *unsaved, unsigned nunsaved,
		       const struct header_bodies *hb, struct findings *out,
		       struct audit_stats *st)
{
	struct CXUnsavedFile *files = unsaved;
	unsigned nfiles = nunsaved;
	struct collect col = { 0 };
	struct build_asserts ba = { 0 };
	struct file_ctx fc;
	int nerrors;
	enum CXErrorCode err;
	int i;

	if (hb && hb->nfiles) {
		files = xmalloc(sizeof(*files) * (nunsaved + hb->nfiles));
		if (nunsaved)
			memcpy(files, unsaved, sizeof(*files) * nunsaved);
		memcpy(files + nunsaved, hb->files,
		       sizeof(*files) * hb->nfiles);
		nfiles = nunsaved + hb->nfiles;
	}
	memset(&fc, 0, sizeof(fc));
	fc.display = display;
	fc.out = out;
	fc.skipped = hb;
	err = clang_parseTranslationUnit2(
		idx, via ? via : path, all, nall, files, nfiles,
		CXTranslationUnit_KeepGoing |
			CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles |
			CXTranslationUnit_DetailedPreprocessingRecord,
		&fc.tu);
	if (files != unsaved)
		free(files);
	/* An error may come from a body left out (a header written for
	 * one configuration): the parse with every body decides. */
	if (hb && err == CXError_Success && fc.tu && has_errors(fc.tu)) {
		clang_disposeTranslationUnit(fc.tu);
		return AUDIT_AGAIN;
	}
	st->files++;
	if (err != CXError_Success || !fc.tu) {
		char *m;

		if (hb)
			return AUDIT_AGAIN;
		m = xasprintf("libclang could not parse the file (error "
			      "%d): check that it exists and that the "
			      "compiler flags are valid",
			      (int)err);
		findings_add(out, display, 0, 0, "", "parse-error", m, NULL, 0);
		free(m);
		st->parse_errors++;
		return -1;
	}
	fc.main_file = clang_getFile(fc.tu, path);
	nerrors = check_diagnostics(&fc, out, &ba);
	col.fc = &fc;
	clang_visitChildren(clang_getTranslationUnitCursor(fc.tu), collect_defs,
			    &col);
	for (i = 0; i < col.n; i++) {
		unsigned b, e;
		const char *api;
		int id;

		extent_offsets(col.defs[i], &b, &e);
		if (has_error_inside(&fc, col.defs[i])) {
			api = names_mapping_api(&fc, b, e);
			if (api) {
				CXString name =
					clang_getCursorSpelling(col.defs[i]);

				not_audited(&fc, b, clang_getCString(name),
					    "it contains a compile error under "
					    "this configuration",
					    api);
				clang_disposeString(name);
			}
			continue;
		}
		id = file_func_id(&fc, col.defs[i]);
		if (fc.funcs[id].state == FUNC_NEW)
			analyze_function(&fc, id, 0);
		if (fc.funcs[id].incomplete) {
			st->incomplete++;
			api = names_mapping_api(&fc, b, e);
			if (api)
				not_audited(&fc, b, fc.funcs[id].name,
					    "not every path was explored (the "
					    "state budget ran out); findings "
					    "cover the paths explored",
					    api);
			if (getenv("KMAP_AUDIT_VERBOSE"))
				fprintf(stderr,
					"kmap-audit: %s: %s: not every "
					"path explored\n",
					display, fc.funcs[id].name);
		}
	}
	if (fc.needs_bodies) {
		/* A callee's body was left out after all. */
		build_asserts_free(&ba);
		free(col.defs);
		clang_disposeTranslationUnit(fc.tu);
		free_file_ctx(&fc);
		return AUDIT_AGAIN;
	}
	if (st->deps)
		clang_getInclusions(fc.tu, write_dep, st->deps);
	note_skipped(&fc, col.defs, col.n);
	/* After the functions: an unmap-arg finding explains an assertion. */
	if (build_assert_report(&ba, display, out) || nerrors)
		st->parse_errors++;
	build_asserts_free(&ba);
	st->functions += fc.nfunctions;
	free(col.defs);
	clang_disposeTranslationUnit(fc.tu);
	free_file_ctx(&fc);
	return 0;
}

int audit_file(CXIndex idx, const char *path, const char *via,
	       const char *display, const char *const *args, int nargs,
	       struct CXUnsavedFile *unsaved, unsigned nunsaved,
	       struct findings *out, struct audit_stats *st)
{
	const char **all = xmalloc(sizeof(char *) * (nargs + 3));
	struct audit_stats before = *st;
	struct findings found = { 0 };
	struct header_bodies hb;
	int i, r = AUDIT_AGAIN;

	/* Warnings are not needed and cost time. */
	for (i = 0; i < nargs; i++)
		all[i] = args[i];
	all[nargs] = "-w";
	all[nargs + 1] = "-ferror-limit=0";
	all[nargs + 2] = NULL;
	if (!st->all_bodies) {
		header_bodies_plan(&hb, via ? via : path, all, nargs + 2);
		r = audit_parse(idx, path, via, display, all, nargs + 2,
				unsaved, nunsaved, &hb, &found, st);
		if (r == AUDIT_AGAIN) {
			/* Nothing of this parse counts but that it was one. */
			findings_free(&found);
			*st = before;
			st->bodies_reparsed++;
		} else {
			st->bodies_skipped += hb.nskipped;
		}
		st->bodies_seen += hb.nbodies;
		header_bodies_free(&hb);
	}
	if (r == AUDIT_AGAIN)
		r = audit_parse(idx, path, via, display, all, nargs + 2,
				unsaved, nunsaved, NULL, &found, st);
	findings_move(out, &found);
	free(all);
	return r;
}
