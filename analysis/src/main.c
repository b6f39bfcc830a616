// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmap-audit: audits kmap_local/kmap_atomic usage in C files.
 *
 *   kmap-audit [--format text|json|sarif] [--name NAME] [--compdb DIR]
 *              [--via INCLUDER] [--deps OUT] [--stats] [--all-bodies]
 *              [--plan-bodies] FILE... [-- COMPILER-ARGS...]
 *   kmap-audit --render text|json|sarif < findings.jsonl
 *
 * --all-bodies: parse the body of every header function; by default the
 * bodies that no name of the file reaches are left out (header_bodies.c).
 * --plan-bodies: print the header bodies that would be left out
 * ("header:line: name", the line the body starts on, one a line) instead
 * of auditing.
 *
 * Exit status: 0 no findings, 1 findings, 2 error (bad usage, or a file
 * that could not be parsed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/CXCompilationDatabase.h>

#include "audit.h"
#include "findings.h"
#include "header_bodies.h"

static void usage(void)
{
	fputs("usage: kmap-audit [--format text|json|sarif] [--name NAME] "
	      "[--compdb DIR] [--via INCLUDER] [--deps OUT] [--stats] "
	      "[--all-bodies] [--plan-bodies] FILE... [-- COMPILER-ARGS...]\n"
	      "       kmap-audit --render text|json|sarif < findings.jsonl\n",
	      stderr);
}

static int bad(const char *msg, const char *what)
{
	fprintf(stderr, "kmap-audit: %s%s%s\n", msg, what ? ": " : "",
		what ? what : "");
	return 2;
}

static void emit(const char *format, const struct findings *fs)
{
	if (!strcmp(format, "json"))
		emit_json(stdout, fs);
	else if (!strcmp(format, "sarif"))
		emit_sarif(stdout, fs);
	else
		emit_text(stdout, fs);
}

static int valid_format(const char *f)
{
	return !strcmp(f, "text") || !strcmp(f, "json") || !strcmp(f, "sarif");
}

static int render(const char *format)
{
	struct findings fs = { 0 };
	char err[300];
	int rc;

	if (findings_read_json(stdin, &fs, err, sizeof(err))) {
		findings_free(&fs);
		return bad("bad findings on stdin", err);
	}
	findings_sort(&fs);
	emit(format, &fs);
	rc = findings_status(&fs);
	findings_free(&fs);
	return rc;
}

static void print_plan(const char *file, const char *const *args, int n)
{
	struct header_bodies hb;
	int i;

	header_bodies_plan(&hb, file, args, n);
	for (i = 0; i < hb.nskipped; i++)
		printf("%s\n", hb.left_out[i]);
	header_bodies_free(&hb);
}

/* Flags for file from a compilation database, minus the compiler, the
 * output and the file itself. */
static const char **compdb_args(const char *dir, const char *file, int *n,
				CXCompilationDatabase *dbp,
				CXCompileCommands *cmdsp)
{
	CXCompilationDatabase_Error err;
	CXCompilationDatabase db =
		clang_CompilationDatabase_fromDirectory(dir, &err);
	CXCompileCommands cmds;
	CXCompileCommand cmd;
	unsigned i, nargs;
	const char **args;
	char *real = realpath(file, NULL);

	*dbp = db;
	*cmdsp = NULL;
	if (err != CXCompilationDatabase_NoError || !db) {
		free(real);
		return NULL;
	}
	cmds = clang_CompilationDatabase_getCompileCommands(db,
							    real ? real : file);
	free(real);
	*cmdsp = cmds;
	if (!cmds || !clang_CompileCommands_getSize(cmds))
		return NULL;
	cmd = clang_CompileCommands_getCommand(cmds, 0);
	nargs = clang_CompileCommand_getNumArgs(cmd);
	args = xmalloc(sizeof(char *) * (nargs + 1));
	*n = 0;
	for (i = 1; i < nargs; i++) {
		CXString s = clang_CompileCommand_getArg(cmd, i);
		const char *a = clang_getCString(s);
		const char *base = strrchr(a, '/');

		/* The source file itself. */
		base = base ? base + 1 : a;
		if (!strcmp(base, strrchr(file, '/') ? strrchr(file, '/') + 1 :
						       file)) {
			clang_disposeString(s);
			continue;
		}
		args[(*n)++] = xstrdup(a);
		clang_disposeString(s);
	}
	return args;
}

int main(int argc, char **argv)
{
	const char *format = "text", *name = NULL, *compdb = NULL, *via = NULL;
	const char *deps = NULL;
	const char **files = xmalloc(sizeof(char *) * (argc + 1));
	const char *const *cargs = NULL;
	struct audit_stats st = { 0 };
	struct findings fs = { 0 };
	int nfiles = 0, ncargs = 0, stats = 0, plan = 0, i, failed = 0, rc;
	CXIndex idx;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			cargs = (const char *const *)argv + i + 1;
			ncargs = argc - i - 1;
			break;
		} else if (!strcmp(a, "--render")) {
			if (i + 1 >= argc || !valid_format(argv[i + 1]))
				return bad("--render needs text, json or sarif",
					   NULL);
			free(files);
			return render(argv[i + 1]);
		} else if (!strcmp(a, "--format") || !strcmp(a, "--name") ||
			   !strcmp(a, "--compdb") || !strcmp(a, "--via") ||
			   !strcmp(a, "--deps")) {
			if (i + 1 >= argc) {
				usage();
				return bad("missing value for", a);
			}
			if (!strcmp(a, "--format"))
				format = argv[++i];
			else if (!strcmp(a, "--name"))
				name = argv[++i];
			else if (!strcmp(a, "--via"))
				via = argv[++i];
			else if (!strcmp(a, "--deps"))
				deps = argv[++i];
			else
				compdb = argv[++i];
		} else if (!strcmp(a, "--stats")) {
			stats = 1;
		} else if (!strcmp(a, "--all-bodies")) {
			st.all_bodies = 1;
		} else if (!strcmp(a, "--plan-bodies")) {
			plan = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			free(files);
			return 0;
		} else if (a[0] == '-') {
			usage();
			free(files);
			return bad("unknown option", a);
		} else {
			files[nfiles++] = a;
		}
	}
	if (!valid_format(format)) {
		free(files);
		return bad("--format must be text, json or sarif", format);
	}
	if (!nfiles) {
		usage();
		free(files);
		return bad("no file to audit", NULL);
	}
	if (name && nfiles > 1) {
		free(files);
		return bad("--name applies to a single file", NULL);
	}
	if (via && nfiles > 1) {
		free(files);
		return bad("--via applies to a single file", NULL);
	}
	if (deps) {
		st.deps = fopen(deps, "w");
		if (!st.deps) {
			free(files);
			return bad("cannot write", deps);
		}
	}
	idx = clang_createIndex(0, 0);
	for (i = 0; i < nfiles; i++) {
		const char *display = name ? name : files[i];
		const char **args, **own = NULL;
		CXCompilationDatabase db = NULL;
		CXCompileCommands cmds = NULL;
		int n = ncargs, nown = 0, j;
		FILE *probe = fopen(files[i], "r");

		if (!probe) {
			char *m = xasprintf("cannot read %s", files[i]);

			findings_add(&fs, display, 0, 0, "", "parse-error", m,
				     NULL, 0);
			free(m);
			failed = 1;
			continue;
		}
		fclose(probe);
		if (compdb) {
			own = compdb_args(compdb, files[i], &n, &db, &cmds);
			nown = n;
			if (!own) {
				char *m =
					xasprintf("no compile command for %s "
						  "in %s/compile_commands.json",
						  files[i], compdb);

				findings_add(&fs, display, 0, 0, "",
					     "parse-error", m, NULL, 0);
				free(m);
				failed = 1;
				if (cmds)
					clang_CompileCommands_dispose(cmds);
				if (db)
					clang_CompilationDatabase_dispose(db);
				continue;
			}
		}
		args = audit_filter_args(own ? own : cargs, &n);
		if (plan)
			print_plan(via ? via : files[i], args, n);
		else if (audit_file(idx, files[i], via, display, args, n, NULL,
				    0, &fs, &st))
			failed = 1;
		free(args);
		for (j = 0; j < nown; j++)
			free((char *)own[j]);
		free(own);
		if (cmds)
			clang_CompileCommands_dispose(cmds);
		if (db)
			clang_CompilationDatabase_dispose(db);
	}
	clang_disposeIndex(idx);
	if (plan) {
		free(files);
		findings_free(&fs);
		return failed ? 2 : 0;
	}
	if (st.deps && fclose(st.deps)) {
		free(files);
		findings_free(&fs);
		return bad("cannot write", deps);
	}
	findings_sort(&fs);
	emit(format, &fs);
	if (stats)
		fprintf(stderr,
			"kmap-audit: %d file(s), %d function(s), %d finding(s), "
			"%d with parse errors, %d function(s) not fully "
			"explored, %d not audited\n",
			st.files, st.functions, findings_real(&fs),
			st.parse_errors, st.incomplete,
			findings_of_kind(&fs, "not-audited"));
	if (getenv("KMAP_AUDIT_VERBOSE"))
		fprintf(stderr,
			"kmap-audit: %d of %d header function bodies left "
			"out, %d file(s) parsed again with every body\n",
			st.bodies_skipped, st.bodies_seen, st.bodies_reparsed);
	rc = failed ? 2 : findings_status(&fs);
	findings_free(&fs);
	free(files);
	return rc;
}
