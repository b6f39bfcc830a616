/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wrappers: a function of the file (or a static inline of a header) that
 * returns a fresh mapping or unmaps its argument is summarised on demand
 * and treated as a map or an unmap at its call sites.
 */
#ifndef KMAP_AUDIT_SUMMARY_H
#define KMAP_AUDIT_SUMMARY_H

#include "model.h"

/* Registers a function definition; returns its id. */
int file_func_id(struct file_ctx *fc, CXCursor def);
/* The id of a callee with a body, or -1; *mentions tells whether its
 * body calls mapping APIs, directly or through a few other functions. */
int summary_callee(struct file_ctx *fc, CXCursor callee, int *mentions);
/* Its summary, computed now if needed; NULL while it is being computed
 * (recursion) or when summaries nest too deeply. */
const struct summary *summary_get(struct file_ctx *fc, int id);

#endif
