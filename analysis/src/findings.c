// SPDX-License-Identifier: GPL-2.0-only
/*
 * The collection of findings: de-duplicated (many paths reach the same
 * defect) and sorted by position so that output is stable.
 */
#include <stdlib.h>
#include <string.h>

#include "findings.h"

void findings_add(struct findings *fs, const char *file, int line, int col,
		  const char *function, const char *kind, const char *message,
		  const struct related *rel, int nrel)
{
	char *key =
		xasprintf("%s\n%d\n%d\n%s\n%s", file, line, col, kind, message);
	struct finding *f;
	int n = fs->seen.n, i;

	strtab_intern(&fs->seen, key);
	free(key);
	if (fs->seen.n == n)
		return;
	grow((void **)&fs->v, &fs->cap, fs->n, sizeof(*fs->v));
	f = &fs->v[fs->n++];
	f->file = xstrdup(file);
	f->line = line;
	f->col = col;
	f->function = xstrdup(function ? function : "");
	f->kind = xstrdup(kind);
	f->message = xstrdup(message);
	f->nrel = nrel;
	f->rel = nrel ? xcalloc(nrel, sizeof(*f->rel)) : NULL;
	for (i = 0; i < nrel; i++) {
		f->rel[i].file = xstrdup(rel[i].file ? rel[i].file : file);
		f->rel[i].line = rel[i].line;
		f->rel[i].col = rel[i].col;
		f->rel[i].message = xstrdup(rel[i].message);
	}
}

void findings_move(struct findings *fs, struct findings *from)
{
	int i;

	for (i = 0; i < from->n; i++) {
		const struct finding *f = &from->v[i];

		findings_add(fs, f->file, f->line, f->col, f->function, f->kind,
			     f->message, f->rel, f->nrel);
	}
	findings_free(from);
}

static int cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line - b->line;
	if (a->col != b->col)
		return a->col - b->col;
	c = strcmp(a->kind, b->kind);
	return c ? c : strcmp(a->message, b->message);
}

void findings_sort(struct findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp);
}

int findings_is_note(const struct finding *f)
{
	return !strcmp(f->kind, "not-audited");
}

int findings_real(const struct findings *fs)
{
	int i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].kind, "parse-error") &&
		    !findings_is_note(&fs->v[i]))
			n++;
	return n;
}

int findings_of_kind(const struct findings *fs, const char *kind)
{
	int i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].kind, kind))
			n++;
	return n;
}

int findings_status(const struct findings *fs)
{
	if (findings_of_kind(fs, "parse-error"))
		return 2;
	return findings_real(fs) ? 1 : 0;
}

void findings_free(struct findings *fs)
{
	int i, j;

	for (i = 0; i < fs->n; i++) {
		struct finding *f = &fs->v[i];

		free(f->file);
		free(f->function);
		free(f->kind);
		free(f->message);
		for (j = 0; j < f->nrel; j++) {
			free(f->rel[j].file);
			free(f->rel[j].message);
		}
		free(f->rel);
	}
	free(fs->v);
	strtab_free(&fs->seen);
	memset(fs, 0, sizeof(*fs));
}
