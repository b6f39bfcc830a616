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

static void free_file_ctx(struct file_ctx *fc)
{
	strtab_free(&fc->fnames);
	strtab_free(&fc->strings);
	free(fc->funcs);
	free(fc->err_off);
}

int audit_file(CXIndex idx, const char *path, const char *display,
	       const char *const *args, int nargs,
	       struct CXUnsavedFile *unsaved, unsigned nunsaved,
	       struct findings *out, struct audit_stats *st)
{
	const char **all = xmalloc(sizeof(char *) * (nargs + 4));
	struct collect col = { 0 };
	struct build_asserts ba = { 0 };
	struct file_ctx fc;
	int nerrors;
	enum CXErrorCode err;
	int i;

	/* Warnings are not needed and cost time. */
	for (i = 0; i < nargs; i++)
		all[i] = args[i];
	all[nargs] = "-w";
	all[nargs + 1] = "-ferror-limit=0";
	memset(&fc, 0, sizeof(fc));
	fc.display = display;
	fc.out = out;
	err = clang_parseTranslationUnit2(
		idx, path, all, nargs + 2, unsaved, nunsaved,
		CXTranslationUnit_KeepGoing |
			CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles,
		&fc.tu);
	free(all);
	st->files++;
	if (err != CXError_Success || !fc.tu) {
		char *m = xasprintf("libclang could not parse the file (error "
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
		int id;

		if (has_error_inside(&fc, col.defs[i]))
			continue;
		id = file_func_id(&fc, col.defs[i]);
		if (fc.funcs[id].state == FUNC_NEW)
			analyze_function(&fc, id, 0);
		if (fc.funcs[id].incomplete) {
			st->incomplete++;
			if (getenv("KMAP_AUDIT_VERBOSE"))
				fprintf(stderr,
					"kmap-audit: %s: %s: not every "
					"path explored\n",
					display, fc.funcs[id].name);
		}
	}
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
