// SPDX-License-Identifier: GPL-2.0-only
/*
 * gcc-style diagnostics: editors and CI already understand them.
 */
#include <string.h>

#include "findings.h"

void emit_text(FILE *out, const struct findings *fs)
{
	int i, j;

	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		int is_error = !strcmp(f->kind, "parse-error");

		fprintf(out, "%s:%d:%d: %s: %s [kmap-%s]\n", f->file, f->line,
			f->col,
			is_error	      ? "error" :
			findings_is_note(f) ? "note" :
					      "warning",
			f->message, f->kind);
		for (j = 0; j < f->nrel; j++)
			fprintf(out, "%s:%d:%d: note: %s\n", f->rel[j].file,
				f->rel[j].line, f->rel[j].col,
				f->rel[j].message);
	}
}
