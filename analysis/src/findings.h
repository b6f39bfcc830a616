/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Findings, one schema for every output format.
 */
#ifndef KMAP_AUDIT_FINDINGS_H
#define KMAP_AUDIT_FINDINGS_H

#include <stdio.h>

#include "util.h"

struct related {
	char *file;
	int line, col;
	char *message;
};

struct finding {
	char *file;
	int line, col;
	char *function;
	char *kind;
	char *message;
	struct related *rel;
	int nrel;
};

struct findings {
	struct finding *v;
	int n, cap;
	struct strtab seen;
};

/* Adds a finding unless an identical one (kind, place, message) exists. */
void findings_add(struct findings *fs, const char *file, int line, int col,
		  const char *function, const char *kind, const char *message,
		  const struct related *rel, int nrel);
/* Adds every finding of from to fs, and frees from. */
void findings_move(struct findings *fs, struct findings *from);
void findings_sort(struct findings *fs);
void findings_free(struct findings *fs);
/* Number of findings other than parse errors and notes. */
int findings_real(const struct findings *fs);
int findings_of_kind(const struct findings *fs, const char *kind);
/* A note (not-audited) says what was not checked; it is no defect. */
int findings_is_note(const struct finding *f);
/* Exit status for these findings: 2 parse errors, 1 defects, else 0. */
int findings_status(const struct findings *fs);

void emit_text(FILE *out, const struct findings *fs);
void emit_json(FILE *out, const struct findings *fs);
void emit_sarif(FILE *out, const struct findings *fs);
/* Reads JSON lines as written by emit_json(); returns 0 or -1. */
int findings_read_json(FILE *in, struct findings *fs, char *err, int errlen);

#endif
