// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation helpers, a bump allocator and an interning string table.
 * Out of memory is fatal: the tool is a short-lived process.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void out_of_memory(void)
{
	fputs("kmap-audit: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc(n + 1);
	va_start(ap, fmt);
	vsnprintf(s, n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void grow(void **arr, int *cap, int n, size_t esz)
{
	int ncap;

	if (n < *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap <= n)
		ncap *= 2;
	*arr = xrealloc(*arr, (size_t)ncap * esz);
	memset((char *)*arr + (size_t)*cap * esz, 0,
	       (size_t)(ncap - *cap) * esz);
	*cap = ncap;
}

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!b || b->used + n > b->size) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = xmalloc(sizeof(*b) + size);
		b->next = a->head;
		b->used = 0;
		b->size = size;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena_alloc(a, n), s, n);
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

uint32_t hash_bytes(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u ^ seed;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

static void strtab_rehash(struct strtab *t)
{
	int i;

	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 64;
	t->slot = xmalloc(sizeof(int) * t->nslot);
	for (i = 0; i < t->nslot; i++)
		t->slot[i] = -1;
	for (i = 0; i < t->n; i++) {
		uint32_t h = hash_bytes(t->str[i], strlen(t->str[i]), 0);
		int j = h & (t->nslot - 1);

		while (t->slot[j] >= 0)
			j = (j + 1) & (t->nslot - 1);
		t->slot[j] = i;
	}
}

static int strtab_lookup(const struct strtab *t, const char *s, int *where)
{
	uint32_t h = hash_bytes(s, strlen(s), 0);
	int j;

	if (!t->nslot) {
		*where = -1;
		return -1;
	}
	j = h & (t->nslot - 1);
	while (t->slot[j] >= 0) {
		if (!strcmp(t->str[t->slot[j]], s))
			return t->slot[j];
		j = (j + 1) & (t->nslot - 1);
	}
	*where = j;
	return -1;
}

int strtab_find(const struct strtab *t, const char *s)
{
	int where;

	return strtab_lookup(t, s, &where);
}

int strtab_intern(struct strtab *t, const char *s)
{
	int where, id = strtab_lookup(t, s, &where);

	if (id >= 0)
		return id;
	if (2 * (t->n + 1) > t->nslot) {
		grow((void **)&t->str, &t->cap, t->n, sizeof(char *));
		t->str[t->n++] = xstrdup(s);
		strtab_rehash(t);
		return t->n - 1;
	}
	grow((void **)&t->str, &t->cap, t->n, sizeof(char *));
	t->str[t->n] = xstrdup(s);
	t->slot[where] = t->n;
	return t->n++;
}

const char *strtab_str(const struct strtab *t, int id)
{
	return id >= 0 && id < t->n ? t->str[id] : "";
}

void strtab_free(struct strtab *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void str_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}
