/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <asm/kmap_size.h>. SIM_GUARD_SLOTS builds the
 * layout of CONFIG_DEBUG_KMAP_LOCAL: twice the slots, every other one an
 * unmapped guard.
 */
#ifndef SIM_SHIM_ASM_KMAP_SIZE_H
#define SIM_SHIM_ASM_KMAP_SIZE_H

#ifdef SIM_GUARD_SLOTS
#define KM_MAX_IDX 33
#else
#define KM_MAX_IDX 16
#endif

#endif
