/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmap_local map-site tracking (CONFIG_KMAP_LOCAL_TRACK): the per-task and
 * per-CPU state, and the hooks the rest of the kernel calls.
 *
 * The per-task part lives in task_struct::kmap_ctrl next to the slot stack
 * it describes, so it is copied at fork and switched with the task.
 */
#ifndef _LINUX_KMAP_LOCAL_TRACK_H
#define _LINUX_KMAP_LOCAL_TRACK_H

#include <linux/types.h>
#include <asm/kmap_size.h>

struct task_struct;

struct kmap_local_track {
	/* Return address of the kmap_local_*() call that filled each slot */
	unsigned long site[KM_MAX_IDX];
	/* The slot maps a protected page (see struct kmap_local_prot_ops) */
	bool prot[KM_MAX_IDX];
	/* Unmapped out of order; popped together with the slot above it */
	bool hole[KM_MAX_IDX];
	/* Deepest the task's slot stack has been, in mappings */
	int high_water;
	/* Live slots of this task that map protected pages */
	int prot_depth;
	/* CPU the task last switched out on, plus one (0: not yet) */
	int last_cpu;
};

/*
 * Access to protected pages (PKS-style) is a per-CPU hardware state.
 * prot_count is the number of protected mappings installed on this CPU;
 * prot_on says whether ->enable() is in effect.
 */
struct kmap_local_cpu {
	int prot_count;
	bool prot_on;
};

/*
 * Memory whose access must be switched on around each use. The core calls
 * ->enable() when a CPU gets its first protected mapping and ->disable()
 * when it loses its last one, and switches the state with the task on a
 * context switch. Pages for which ->pfn_protected() is true are always
 * mapped through a kmap_local slot, even in low memory, so that the
 * context switch sees them.
 */
struct kmap_local_prot_ops {
	bool (*pfn_protected)(unsigned long pfn);
	void (*enable)(void);
	void (*disable)(void);
};

#ifdef CONFIG_KMAP_LOCAL_TRACK
void kmap_local_exit(struct task_struct *tsk);
void kmap_local_user_return(void);
int kmap_local_high_water(struct task_struct *tsk);
int kmap_local_register_prot(const struct kmap_local_prot_ops *ops);
#else
static inline void kmap_local_exit(struct task_struct *tsk)
{
}
#endif

#endif /* _LINUX_KMAP_LOCAL_TRACK_H */
