/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/types.h>: what kmap_local_track.h uses. */
#ifndef SIM_SHIM_LINUX_TYPES_H
#define SIM_SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#endif
