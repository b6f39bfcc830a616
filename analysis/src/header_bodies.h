/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Header function bodies the audit cannot reach, left out of the parse
 * (header_bodies.c says how they are found and why that is safe).
 */
#ifndef KMAP_AUDIT_HEADER_BODIES_H
#define KMAP_AUDIT_HEADER_BODIES_H

#include <clang-c/Index.h>

#include "util.h"

struct header_bodies {
	/* Copies of the headers with unreached bodies left out, for
	 * clang_parseTranslationUnit2()'s unsaved files. */
	struct CXUnsavedFile *files;
	unsigned nfiles;
	/* Names of the functions whose bodies were left out: a parse that
	 * needs one of them must be done again with every body. */
	struct strtab skipped;
	char **left_out; /* "path:line: name" of each, nskipped of them */
	int nskipped; /* bodies left out */
	int nbodies; /* inline function bodies seen in the headers */
	int nheaders; /* headers read */
};

/*
 * Reads main (the file clang compiles) and, along the search path of
 * args, every header it may include, and plans the header copies.
 */
void header_bodies_plan(struct header_bodies *hb, const char *main,
			const char *const *args, int nargs);

/* Is name a function whose body was left out? */
int header_bodies_skipped(const struct header_bodies *hb, const char *name);

void header_bodies_free(struct header_bodies *hb);

#endif
