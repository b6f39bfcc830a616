// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live-mapping state: a stack of mappings plus holder contents and known
 * conditions, with a compact frozen form for de-duplication.
 */
#include <stdlib.h>
#include <string.h>

#include "mapstack.h"
#include "util.h"

void ws_init(struct wstate *w, int nval, int nfact)
{
	memset(w, 0, sizeof(*w));
	w->nval = nval;
	w->nfact = nfact;
	w->val = xcalloc(nval ? nval : 1, sizeof(*w->val));
	w->fact = xcalloc(nfact ? nfact : 1, 1);
	w->gone.arr = -1;
}

void ws_reset(struct wstate *w)
{
	w->nstack = 0;
	w->dead = 0;
	w->unmapped = w->unmapped_obj = 0;
	memset(&w->gone, 0, sizeof(w->gone));
	w->gone.arr = -1;
	memset(w->val, 0, sizeof(*w->val) * (w->nval ? w->nval : 1));
	memset(w->fact, 0, w->nfact ? w->nfact : 1);
}

void ws_free(struct wstate *w)
{
	free(w->val);
	free(w->fact);
	w->val = NULL;
	w->fact = NULL;
}

void ws_copy(struct wstate *dst, const struct wstate *src)
{
	dst->nstack = src->nstack;
	memcpy(dst->stack, src->stack, sizeof(src->stack[0]) * src->nstack);
	memcpy(dst->val, src->val, sizeof(*src->val) * src->nval);
	memcpy(dst->fact, src->fact, src->nfact);
	dst->dead = src->dead;
	dst->unmapped = src->unmapped;
	dst->unmapped_obj = src->unmapped_obj;
	dst->gone = src->gone;
}

/*
 * Frozen layout: nstack, the stack entries, the released arguments, the
 * element last unmapped, the number of holders with a known value and
 * (index, value) for each, then (index, fact) for known conditions up to
 * the end.  Equal states freeze to equal bytes.
 */
struct frozen *ws_freeze(const struct wstate *w, int with_facts,
			 const uint8_t *keep)
{
	size_t max = 24 + sizeof(struct gone_elem) +
		     sizeof(struct mapping) * w->nstack +
		     (4 + sizeof(struct value)) * w->nval + 5 * w->nfact;
	struct frozen *fz = xmalloc(sizeof(*fz) + max);
	unsigned char *p = fz->data, *count;
	uint32_t n = 0;
	int i;

	*p++ = (unsigned char)w->nstack;
	for (i = 0; i < w->nstack; i++) {
		memcpy(p, &w->stack[i], sizeof(struct mapping));
		p += sizeof(struct mapping);
	}
	memcpy(p, &w->unmapped, 8);
	memcpy(p + 8, &w->unmapped_obj, 8);
	p += 16;
	memcpy(p, &w->gone, sizeof(w->gone));
	p += sizeof(w->gone);
	count = p;
	p += 4;
	for (i = 0; i < w->nval; i++) {
		if (w->val[i].kind == V_UNKNOWN || (keep && !keep[i]))
			continue;
		memcpy(p, &i, 4);
		p += 4;
		memcpy(p, &w->val[i], sizeof(struct value));
		p += sizeof(struct value);
		n++;
	}
	memcpy(count, &n, 4);
	for (i = 0; with_facts && i < w->nfact; i++) {
		if (!w->fact[i])
			continue;
		memcpy(p, &i, 4);
		p += 4;
		*p++ = w->fact[i];
	}
	fz->len = p - fz->data;
	fz->hash = hash_bytes(fz->data, fz->len, 0);
	return fz;
}

void ws_thaw(struct wstate *w, const struct frozen *fz)
{
	const unsigned char *p = fz->data, *end = fz->data + fz->len;
	uint32_t n;
	int i;

	ws_reset(w);
	w->nstack = *p++;
	for (i = 0; i < w->nstack; i++) {
		memcpy(&w->stack[i], p, sizeof(struct mapping));
		p += sizeof(struct mapping);
	}
	memcpy(&w->unmapped, p, 8);
	memcpy(&w->unmapped_obj, p + 8, 8);
	p += 16;
	memcpy(&w->gone, p, sizeof(w->gone));
	p += sizeof(w->gone);
	memcpy(&n, p, 4);
	p += 4;
	while (n--) {
		int idx;

		memcpy(&idx, p, 4);
		p += 4;
		memcpy(&w->val[idx], p, sizeof(struct value));
		p += sizeof(struct value);
	}
	while (p < end) {
		int idx;

		memcpy(&idx, p, 4);
		p += 4;
		w->fact[idx] = *p++;
	}
}

int ms_push(struct wstate *w, int site, int api, int flags)
{
	struct mapping *m;

	if (w->nstack >= MAX_STACK)
		return -1;
	m = &w->stack[w->nstack];
	m->site = (uint16_t)site;
	m->api = (uint8_t)api;
	m->flags = (uint8_t)flags;
	m->arr = -1;
	m->owner = -1;
	return w->nstack++;
}

void ms_remove(struct wstate *w, int slot, struct value gone)
{
	int i;

	for (i = 0; i < w->nval; i++) {
		struct value *v = &w->val[i];

		if (v->kind != V_LIVE)
			continue;
		if (v->a == slot)
			*v = gone;
		else if (v->a > slot)
			v->a--;
	}
	memmove(&w->stack[slot], &w->stack[slot + 1],
		sizeof(w->stack[0]) * (w->nstack - slot - 1));
	w->nstack--;
}

int ms_top(const struct wstate *w)
{
	int i;

	for (i = w->nstack - 1; i >= 0; i--)
		if (!(w->stack[i].flags & M_MAYBE_EMPTY))
			return i;
	return -1;
}

struct stateset {
	int n, nslot;
	struct frozen **slot;
};

static int same(const struct frozen *a, const struct frozen *b)
{
	return a->hash == b->hash && a->len == b->len &&
	       !memcmp(a->data, b->data, a->len);
}

static void set_insert(struct stateset *s, struct frozen *fz)
{
	int j = fz->hash & (s->nslot - 1);

	while (s->slot[j])
		j = (j + 1) & (s->nslot - 1);
	s->slot[j] = fz;
}

int stateset_add(struct stateset **setp, struct frozen *fz)
{
	struct stateset *s = *setp;
	int j;

	if (!s) {
		s = *setp = xcalloc(1, sizeof(*s));
		s->nslot = 8;
		s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	}
	for (j = fz->hash & (s->nslot - 1); s->slot[j];
	     j = (j + 1) & (s->nslot - 1)) {
		if (same(s->slot[j], fz)) {
			free(fz);
			return 0;
		}
	}
	if (2 * (s->n + 1) > s->nslot) {
		struct frozen **old = s->slot;
		int i, nold = s->nslot;

		s->nslot *= 2;
		s->slot = xcalloc(s->nslot, sizeof(*s->slot));
		for (i = 0; i < nold; i++)
			if (old[i])
				set_insert(s, old[i]);
		free(old);
	}
	set_insert(s, fz);
	s->n++;
	return 1;
}

int stateset_count(const struct stateset *s)
{
	return s ? s->n : 0;
}

void stateset_free(struct stateset *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->nslot; i++)
		free(s->slot[i]);
	free(s->slot);
	free(s);
}
