/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulation's workload: tasks that nest kmap_local mappings, read
 * through them, fork, return to user space and exit, interrupts that map
 * on top of whatever runs, and violations injected on purpose. A model of
 * each task's mappings says what every read must return and which report
 * every violation must produce.
 */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

enum wl_violation {
	WL_OUT_OF_ORDER,
	WL_UNMAPPED,
	WL_LEAK_USER,
	WL_LEAK_FORK,
	WL_LEAK_EXIT,
	WL_OVERFLOW,
	WL_NR_VIOLATIONS,
};

extern const char *const wl_violation_names[WL_NR_VIOLATIONS];

struct wl_totals {
	long seeds, failed, tasks, ops, reads, switches, migrations, irqs,
		irqs_in_switch, points;
	/* Injected violations; each run fails unless all were reported */
	long violations[WL_NR_VIOLATIONS];
};

/*
 * Run one seed; its machine, scheduler and workload parameters all come
 * from the seed. Returns 0, or -1 with the first failure in @why.
 */
int wl_run_seed(uint64_t seed, struct wl_totals *tot, char *why, size_t whylen);

#endif /* SIM_WORKLOAD_H */
