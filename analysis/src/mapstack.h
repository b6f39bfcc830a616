/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The abstract state on one path: the stack of live kmap_local mappings
 * (in mapping order, like the kernel's per-task stack), what each tracked
 * holder contains, and which branch conditions are known on this path.
 * States are frozen into compact byte strings to be stored per CFG node.
 */
#ifndef KMAP_AUDIT_MAPSTACK_H
#define KMAP_AUDIT_MAPSTACK_H

#include <stdint.h>

/* KM_MAX_IDX: the kernel's kmap_local stack holds 16 entries. */
#define KM_MAX_IDX 16
#define MAX_STACK (KM_MAX_IDX + 1)

enum vkind {
	V_UNKNOWN,
	V_LIVE, /* a = stack slot */
	V_DEAD, /* a = map site, b = unmap site; sub DEAD_FOREIGN: mapped
		 * elsewhere (a caller), released here at b */
	V_NULL,
	V_NOTMAP, /* sub = why (enum notmap_why), a = site */
	V_GMAP, /* kmap() address: a = site */
	V_PARAM, /* argument a of the function, unchanged */
	V_NONNULL, /* a non-NULL pointer or non-zero flag */
	V_ERR, /* an ERR_PTR() */
	V_OBJ, /* loaded from the object argument a points to */
};

enum notmap_why { NM_UNINIT, NM_PAGE_ADDRESS, NM_ADDRESS_OF };
/* V_NONNULL sub: a page or folio that was mapped, so neither NULL nor an
 * ERR_PTR() (mapping it would have dereferenced it). */
#define NN_MAPPED 1
#define DEAD_FOREIGN 1
/* NM_ADDRESS_OF: b = 1 + the variable whose address it is (0: unknown). */

struct value {
	uint8_t kind;
	uint8_t sub;
	uint16_t a, b;
};

#define M_MULTI 0x01 /* an array of mappings from a loop */
/* Maybe not (or no longer) mapped: M_MULTI after some unmaps, or a
 * mapping a wrapper makes or releases on some paths only.  Such entries
 * are not reported as leaked nor counted for order or depth. */
#define M_MAYBE_EMPTY 0x02
#define M_ESCAPED 0x04 /* stored outside the frame: owned elsewhere */
#define M_RETURNED 0x08
#define M_MAYFAIL 0x10 /* from a wrapper that may return NULL/ERR_PTR */

struct mapping {
	uint16_t site;
	uint8_t api;
	uint8_t flags;
	int16_t arr; /* array holder it was stored in, -1 */
	int16_t owner; /* variable whose object holds it, -1 */
};

/*
 * The array element this path last unmapped through a[i], i a local
 * variable or an argument: until i or the array changes (or a call may
 * change them), a[i] still holds the released address.  arr < 0: none.
 */
struct gone_elem {
	int16_t arr; /* the element holder of a (holder.array) */
	int16_t idx; /* holder of i */
	uint16_t map_site, unmap_site;
	uint16_t foreign; /* mapped outside this function */
};

struct wstate {
	int nstack;
	struct mapping stack[MAX_STACK];
	int nval, nfact;
	struct value *val; /* by tracked holder */
	uint8_t *fact; /* by tracked condition: 0 unknown, 1 false, 2 true */
	int dead; /* path ended (noreturn call) */
	/* Arguments this path released (for the function's summary). */
	uint64_t unmapped, unmapped_obj;
	struct gone_elem gone;
};

struct frozen {
	uint32_t hash;
	uint32_t len;
	unsigned char data[];
};

void ws_init(struct wstate *w, int nval, int nfact);
void ws_reset(struct wstate *w);
void ws_free(struct wstate *w);
void ws_copy(struct wstate *dst, const struct wstate *src);
/* keep (optional, by holder index): only those values are frozen. */
struct frozen *ws_freeze(const struct wstate *w, int with_facts,
			 const uint8_t *keep);
void ws_thaw(struct wstate *w, const struct frozen *fz);

/* Returns the new slot, or -1 when the stack is full. */
int ms_push(struct wstate *w, int site, int api, int flags);
/* Drops slot; holders of it get 'gone' (e.g. a dead value). */
void ms_remove(struct wstate *w, int slot, struct value gone);
/* Highest slot that surely holds a mapping, or -1. */
int ms_top(const struct wstate *w);

/* A set of frozen states (per CFG node). */
struct stateset;
/* Adds fz; returns 1 if it was new (the set owns it), 0 if not (freed). */
int stateset_add(struct stateset **set, struct frozen *fz);
int stateset_count(const struct stateset *set);
void stateset_free(struct stateset *set);

#endif
