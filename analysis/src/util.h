/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small allocation helpers and an interning string table.
 */
#ifndef KMAP_AUDIT_UTIL_H
#define KMAP_AUDIT_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends s to the string *buf of length *len (capacity *cap). */
void str_append(char **buf, size_t *len, size_t *cap, const char *s);

/* Grow *arr (of element size esz) so that index n fits; *cap is updated. */
void grow(void **arr, int *cap, int n, size_t esz);

/* Bump allocator: everything built for one function is freed at once. */
struct arena {
	struct arena_block *head;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

/* Interned strings: equal strings get the same small id, starting at 0. */
struct strtab {
	char **str;
	int n, cap;
	int *slot;
	int nslot;
};
int strtab_intern(struct strtab *t, const char *s);
int strtab_find(const struct strtab *t, const char *s);
const char *strtab_str(const struct strtab *t, int id);
void strtab_free(struct strtab *t);

uint32_t hash_bytes(const void *p, size_t n, uint32_t seed);

#endif
