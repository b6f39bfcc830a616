/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-function control-flow graph built from the libclang cursor tree.
 */
#ifndef KMAP_AUDIT_CFG_H
#define KMAP_AUDIT_CFG_H

#include "model.h"

/* Builds f->nodes from the function body; sets f->entry. */
void cfg_build(struct func_ctx *f, CXCursor body);

#endif
