/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel interfaces the audit understands, recognised by the name of
 * the called function after macro expansion (kunmap_local() is a macro
 * around __kunmap_local(), kmap_local_page() a static inline).
 */
#ifndef KMAP_AUDIT_API_H
#define KMAP_AUDIT_API_H

enum api_kind {
	API_NONE,
	API_MAP, /* pushes a mapping on the per-task kmap_local stack */
	API_UNMAP, /* pops one: kunmap_local(), kunmap_atomic() */
	API_KMAP, /* kmap(): a global mapping, not on the stack */
	API_KUNMAP, /* kunmap(page) */
	API_IS_ERR, /* IS_ERR(x) and friends: a test, not a use */
	API_DEFER, /* hands its arguments to another thread later */
	API_NOT_MAPPING, /* returns an address that is never a local mapping */
	API_ERR_PTR, /* ERR_PTR(), ERR_CAST(): an error pointer */
};

struct api {
	const char *name;
	enum api_kind kind;
	/* For API_MAP/API_UNMAP: the name users write, for messages. */
	const char *display;
	/* Index of the argument that is the page (maps) or address (unmaps). */
	int arg;
};

const struct api *api_lookup(const char *name);

#endif
