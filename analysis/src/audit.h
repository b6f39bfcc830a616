/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Auditing one file: parse it with libclang, analyse every function
 * defined in it, collect findings.
 */
#ifndef KMAP_AUDIT_AUDIT_H
#define KMAP_AUDIT_AUDIT_H

#include <stdio.h>

#include <clang-c/Index.h>

#include "findings.h"

struct audit_stats {
	int files;
	int functions;
	int incomplete; /* functions whose paths were not all explored */
	int parse_errors;
	/* When set, the name of every file the parse read (the audited
	 * file, its includer, every header) is written here, one a line:
	 * what a cache of the results must check. */
	FILE *deps;
	/* Parse every header function body (by default the bodies that no
	 * name of the file reaches are left out: header_bodies.c). */
	int all_bodies;
	int bodies_seen; /* inline function bodies of the headers read */
	int bodies_skipped; /* header bodies left out of the parses */
	int bodies_reparsed; /* files parsed again with every body */
};

/* Drops compiler arguments that only matter for code generation or that
 * only gcc knows (flags of a gcc-built compile_commands.json).  Returns a
 * malloc'ed array (strings are not copied); *n is updated. */
const char **audit_filter_args(const char *const *args, int *n);

/*
 * Audits path (or the unsaved buffer for it) compiled with args; findings
 * name the file display.  via: the file to compile when path is a .c
 * file that another #includes (NULL: path itself); the functions of path
 * are audited.  Returns 0, or -1 if it could not be parsed at all (a
 * parse-error finding says why).
 */
int audit_file(CXIndex idx, const char *path, const char *via,
	       const char *display, const char *const *args, int nargs,
	       struct CXUnsavedFile *unsaved, unsigned nunsaved,
	       struct findings *out, struct audit_stats *st);

#endif
