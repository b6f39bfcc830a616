// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kmap_local core compiled against the sim port: exactly the file the
 * kernel compiles, with machine.c underneath instead of the MMU.
 */
#include "port.h"
#include "../mm/kmap_local_core.c"

void sim_core_reset(void);

/* Forget the greatest depth seen, so that each run starts like a boot */
void sim_core_reset(void)
{
	kl_greatest_depth = 0;
}

#ifdef SIM_NAIVE_SWITCH
#include "naive_switch.c"
#endif
