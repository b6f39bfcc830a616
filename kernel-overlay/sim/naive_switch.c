// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deliberately wrong context-switch orderings, for the simulation only:
 * it must catch them, or it would not prove that the real one is right.
 * Included into core_unit.c after the core when SIM_NAIVE_SWITCH is set.
 *
 * SIM_NAIVE_SWITCH == 1: one pass before switch_to(), while current is
 * still the outgoing task, unmaps its slots and maps the incoming task's.
 * An interrupt during the second half pushes onto the outgoing task's
 * stack, whose top may be a slot of the incoming task being restored.
 *
 * SIM_NAIVE_SWITCH == 2: the restore moves the index, pushing each slot
 * as it maps it again. An interrupt during the restore pushes at a slot
 * the restore has not reached yet and takes its saved pte with it.
 */

void sim_naive_switch(struct task_struct *prev, struct task_struct *next);

#if SIM_NAIVE_SWITCH == 1
void sim_naive_switch(struct task_struct *prev, struct task_struct *next)
{
	kl_switch_ptes(&prev->kmap_ctrl, false);
	kl_switch_ptes(&next->kmap_ctrl, true);
	kl_prot_switch(&prev->kmap_ctrl, false);
	kl_prot_switch(&next->kmap_ctrl, true);
}
#else
/* Only the restore is naive; call it instead of __kmap_local_sched_in() */
void sim_naive_switch(struct task_struct *prev, struct task_struct *next)
{
	struct kmap_ctrl *kctrl = &klp_current()->kmap_ctrl;
	int slot, idx = kctrl->idx;

	for (slot = 0; slot < idx; slot++) {
		kctrl->idx = slot + 1;
		if (kl_live(kctrl, slot))
			kl_install_pte(kctrl, slot);
	}
	kl_prot_switch(kctrl, true);
}
#endif
