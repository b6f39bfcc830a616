// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmap_local core with map-site tracking (CONFIG_KMAP_LOCAL_TRACK).
 *
 * Each task owns a stack of slots in task_struct::kmap_ctrl. Slot i of a
 * task maps at a fixed-map address private to the CPU the task runs on,
 * which is why a mapping pins the task to its CPU until it is unmapped.
 * On a context switch the outgoing task's slots are unmapped and the
 * incoming task's mapped again from the saved ptes.
 *
 * On top of that this file records where each slot was mapped, so that
 * every report can name the call sites involved: an unmap out of LIFO
 * order, a stack that overflows, mappings still held at task exit, at fork
 * or on return to user space. It keeps a per-task high-water mark, and it
 * switches access to protected memory on and off around its mappings.
 *
 * This file is not compiled on its own. A translation unit includes a port
 * header first and then this file; the port is all this file knows of the
 * world around it:
 *   in the kernel   mm/kmap_local_port.h, included from mm/highmem.c;
 *   in user space   kernel-overlay/sim/port.h (simulated CPUs, page table,
 *                   interrupts), so the same code runs under test.
 *
 * The port provides:
 *   types       pte_t, pgprot_t, struct task_struct with a member kmap_ctrl
 *               { int idx; pte_t pteval[KM_MAX_IDX];
 *                 struct kmap_local_track track; }
 *   values      KM_MAX_IDX, KLP_SLOT_STEP (2 if every other slot is an
 *               unmapped guard), PAGE_MASK, pfn_pte(), pte_pfn(),
 *               pte_none(), __pte(), memset(), unlikely(), EBUSY
 *   task, CPU   klp_current(), klp_cpu(), klp_cpu_state() (this CPU's
 *               struct kmap_local_cpu)
 *   ordering    klp_preempt_disable/enable(), klp_migrate_disable/enable()
 *   MMU         klp_fixmap_addr(idx), klp_pte_get(vaddr, idx),
 *               klp_pte_set(vaddr, idx, pte), klp_pte_clear(vaddr, idx),
 *               klp_tlb_flush_one(vaddr); optionally klp_arch_map_idx()
 *   reports     klp_report(fmt, ...) and klp_note(fmt, ...) print one
 *               line each, klp_warn() a backtrace, klp_die() does not
 *               return; KLP_SITE_FMT/klp_site(), KLP_TASK_FMT/klp_task();
 *               klp_cmpxchg(ptr, old, new)
 */

#include "kmap_local_core.h"

#define KL_PFX "kmap_local: "

/*
 * Optional port hooks that count what happened while tasks held mappings
 * (the kernel port's summary of a run); nothing by default. They only
 * observe: the core's state is the same with or without them.
 */
#ifndef klp_count_map
#define klp_count_map(kctrl) \
	do {                 \
	} while (0)
#endif
#ifndef klp_count_switch
#define klp_count_switch(kctrl, in) \
	do {                        \
	} while (0)
#endif

static const struct kmap_local_prot_ops *kl_prot_ops;
/* Deepest any exited task's stack has been; a new record is reported */
static int kl_greatest_depth;

/*
 * Slot numbers as reports show them: the first mapping is 0, whether or
 * not guard slots sit between the mappings.
 */
static inline int kl_nr(int slot)
{
	return slot / KLP_SLOT_STEP;
}

static inline int kl_depth(const struct kmap_ctrl *kctrl)
{
	return kctrl->idx / KLP_SLOT_STEP;
}

/* Guard slots, holes and slots being torn down hold no pte. */
static inline bool kl_live(const struct kmap_ctrl *kctrl, int slot)
{
	return !pte_none(kctrl->pteval[slot]);
}

static int kl_live_count(const struct kmap_ctrl *kctrl)
{
	int slot, n = 0;

	for (slot = 0; slot < kctrl->idx; slot++)
		n += kl_live(kctrl, slot);
	return n;
}

/* Fixed-map index of a task's @slot on the CPU we run on. */
static inline int kl_calc_idx(int slot, unsigned long pfn)
{
#ifdef klp_arch_map_idx
	/* The architecture places the slot, e.g. to match a cache colour */
	return klp_arch_map_idx(slot, pfn);
#else
	/* Each CPU owns KM_MAX_IDX consecutive fixed-map entries */
	return slot + KM_MAX_IDX * klp_cpu();
#endif
}

static inline int kl_slot_idx(const struct kmap_ctrl *kctrl, int slot)
{
	return kl_calc_idx(slot, pte_pfn(kctrl->pteval[slot]));
}

/* Reports: the first line names the problem, the rest the evidence. */

/* The live slots from @below - 1 down to @from, top first */
static void kl_report_slots(const struct kmap_ctrl *kctrl, int from, int below,
			    const char *why)
{
	int slot;

	for (slot = below - 1; slot >= from; slot--) {
		if (!kl_live(kctrl, slot))
			continue;
		klp_report(KL_PFX "  mapping %d from " KLP_SITE_FMT "%s",
			   kl_nr(slot), klp_site(kctrl->track.site[slot]), why);
	}
}

static void kl_report_leak(struct task_struct *tsk,
			   const struct kmap_ctrl *kctrl, const char *where)
{
	klp_report(KL_PFX "leak at %s in " KLP_TASK_FMT ": %d still mapped",
		   where, klp_task(tsk), kl_live_count(kctrl));
	kl_report_slots(kctrl, 0, kctrl->idx, "");
	klp_warn();
}

static void kl_overflow(struct kmap_ctrl *kctrl, unsigned long site)
{
	klp_report(KL_PFX "depth overflow at " KLP_SITE_FMT " in " KLP_TASK_FMT
			  ": all %d mappings in use",
		   klp_site(site), klp_task(klp_current()), kl_depth(kctrl));
	kl_report_slots(kctrl, 0, kctrl->idx, "");
	klp_die();
}

/*
 * Protected memory. The per-CPU count says how many protected mappings are
 * installed on this CPU; access is on while it is not zero. Enabling checks
 * prot_on rather than the count so that an interrupt which arrives while a
 * context switch has moved the count but not yet the hardware state still
 * enables access for its own mapping. prot_on is set after ->enable() and
 * cleared before ->disable(): an interrupt in between then enables or
 * disables once more, which the ops must accept.
 */
bool kmap_local_pfn_protected(unsigned long pfn)
{
	const struct kmap_local_prot_ops *ops = kl_prot_ops;

	return ops && ops->pfn_protected(pfn);
}

static void kl_prot_enable(struct kmap_local_cpu *kcpu)
{
	if (!kcpu->prot_on) {
		kl_prot_ops->enable();
		kcpu->prot_on = true;
	}
}

static void kl_prot_disable(struct kmap_local_cpu *kcpu)
{
	if (kcpu->prot_on) {
		kcpu->prot_on = false;
		kl_prot_ops->disable();
	}
}

static void kl_prot_get(struct kmap_ctrl *kctrl)
{
	struct kmap_local_cpu *kcpu = klp_cpu_state();

	kctrl->track.prot_depth++;
	kcpu->prot_count++;
	kl_prot_enable(kcpu);
}

static void kl_prot_put(struct kmap_ctrl *kctrl)
{
	struct kmap_local_cpu *kcpu = klp_cpu_state();

	kctrl->track.prot_depth--;
	if (!--kcpu->prot_count)
		kl_prot_disable(kcpu);
}

/* The slot stack */

/*
 * Claim the next slot for a mapping made at @site. An interrupt that maps
 * while we are here pushes above us and pops again before it returns, so
 * the plain read-modify-write of idx is safe without atomics.
 */
static int kl_push(struct kmap_ctrl *kctrl, unsigned long site)
{
	int idx = kctrl->idx + KLP_SLOT_STEP;

	if (unlikely(idx >= KM_MAX_IDX))
		kl_overflow(kctrl, site);
	kctrl->idx = idx;
	if (kl_depth(kctrl) > kctrl->track.high_water)
		kctrl->track.high_water = kl_depth(kctrl);
	return idx - 1;
}

/*
 * Drop the top slot, which is unmapped, and the holes that out-of-order
 * unmaps left under it. Holes are flagged explicitly: a slot that is
 * claimed but not yet filled has no pte either, and an interrupt must not
 * pop it. The new index is stored once; an interrupt that comes first
 * pushes above the old top and leaves the same holes behind.
 */
static void kl_pop(struct kmap_ctrl *kctrl)
{
	int idx = kctrl->idx - KLP_SLOT_STEP;

	while (idx && kctrl->track.hole[idx - 1]) {
		kctrl->track.hole[idx - 1] = false;
		idx -= KLP_SLOT_STEP;
	}
	kctrl->idx = idx;
}

/* The live slot that maps @addr on this CPU, or -1. */
static int kl_find_slot(const struct kmap_ctrl *kctrl, unsigned long addr)
{
	int slot;

	for (slot = kctrl->idx - 1; slot >= 0; slot--) {
		if (kl_live(kctrl, slot) &&
		    klp_fixmap_addr(kl_slot_idx(kctrl, slot)) == addr)
			return slot;
	}
	return -1;
}

static void kl_install_pte(const struct kmap_ctrl *kctrl, int slot)
{
	int idx = kl_slot_idx(kctrl, slot);

	klp_pte_set(klp_fixmap_addr(idx), idx, kctrl->pteval[slot]);
}

static void kl_remove_pte(const struct kmap_ctrl *kctrl, int slot)
{
	int idx = kl_slot_idx(kctrl, slot);
	unsigned long vaddr = klp_fixmap_addr(idx);

	klp_pte_clear(vaddr, idx);
	klp_tlb_flush_one(vaddr);
}

/* Unmap @slot for good: its pte, its saved pte, its protection. */
static void kl_release_slot(struct kmap_ctrl *kctrl, int slot)
{
	kl_remove_pte(kctrl, slot);
	kctrl->pteval[slot] = __pte(0);
	if (kctrl->track.prot[slot]) {
		kctrl->track.prot[slot] = false;
		kl_prot_put(kctrl);
	}
}

void *kmap_local_map_pfn_at(unsigned long pfn, pgprot_t prot,
			    unsigned long site)
{
	struct kmap_ctrl *kctrl;
	unsigned long vaddr;
	int slot, idx;

	/* The address belongs to this CPU: stay here until the unmap. */
	klp_migrate_disable();
	klp_preempt_disable();
	kctrl = &klp_current()->kmap_ctrl;
	slot = kl_push(kctrl, site);
	idx = kl_calc_idx(slot, pfn);
	vaddr = klp_fixmap_addr(idx);
	if (unlikely(!pte_none(klp_pte_get(vaddr, idx)))) {
		klp_report(KL_PFX "slot of mapping %d busy at " KLP_SITE_FMT
				  " in " KLP_TASK_FMT,
			   kl_nr(slot), klp_site(site),
			   klp_task(klp_current()));
		klp_die();
	}
	kctrl->track.site[slot] = site;
	kctrl->track.prot[slot] = kmap_local_pfn_protected(pfn);
	if (kctrl->track.prot[slot])
		kl_prot_get(kctrl);
	kctrl->pteval[slot] = pfn_pte(pfn, prot);
	kl_install_pte(kctrl, slot);
	klp_count_map(kctrl);
	klp_preempt_enable();
	return (void *)vaddr;
}

static void kl_report_order(const struct kmap_ctrl *kctrl, int slot,
			    unsigned long site)
{
	klp_report(KL_PFX "out-of-order unmap at " KLP_SITE_FMT
			  " in " KLP_TASK_FMT
			  " of mapping %d from " KLP_SITE_FMT,
		   klp_site(site), klp_task(klp_current()), kl_nr(slot),
		   klp_site(kctrl->track.site[slot]));
	kl_report_slots(kctrl, slot + 1, kctrl->idx, " must be unmapped first");
	klp_warn();
}

/*
 * Unmap the mapping at @vaddr (any address inside its page), unmapped at
 * @site. The top slot is popped. Any other live slot is reported with
 * the sites of the mappings above it and then unmapped anyway, leaving a
 * hole that is popped with the slot above it: the mappings still in use
 * stay intact, where unmapping the top slot instead would pull a page
 * from under its user.
 */
void kmap_local_unmap_at(unsigned long vaddr, unsigned long site)
{
	struct kmap_ctrl *kctrl;
	int slot;

	klp_preempt_disable();
	kctrl = &klp_current()->kmap_ctrl;
	slot = kl_find_slot(kctrl, vaddr & PAGE_MASK);
	if (unlikely(slot < 0)) {
		klp_report(KL_PFX "unmap of unmapped address at " KLP_SITE_FMT
				  " in " KLP_TASK_FMT,
			   klp_site(site), klp_task(klp_current()));
		klp_warn();
		klp_preempt_enable();
		return;
	}
	if (unlikely(slot != kctrl->idx - 1))
		kl_report_order(kctrl, slot, site);
	kl_release_slot(kctrl, slot);
	if (slot == kctrl->idx - 1)
		kl_pop(kctrl);
	else
		kctrl->track.hole[slot] = true;
	klp_preempt_enable();
	klp_migrate_enable();
}

/*
 * Context switch. __kmap_local_sched_out() runs for the outgoing task
 * before switch_to(), __kmap_local_sched_in() for the incoming one after.
 * Neither moves kmap_ctrl.idx: they only remove or reinstall the ptes of
 * slots below it. An interrupt that maps while one of them runs, or
 * between them, pushes onto the stack of whichever task is current at that
 * moment, above all of that task's slots, so it never lands on a slot being
 * torn down or rebuilt; its pte is gone again before it returns. Had the
 * switch moved idx while it worked (popping as it unmaps, pushing as it
 * restores), such an interrupt would map over a slot being restored, or
 * leave its own pte behind for the other task. Its protected mappings count
 * on this CPU like any other (see kl_prot_enable()).
 */
static void kl_switch_ptes(const struct kmap_ctrl *kctrl, bool install)
{
	int slot;

	for (slot = 0; slot < kctrl->idx; slot++) {
		if (!kl_live(kctrl, slot))
			continue;
		if (install)
			kl_install_pte(kctrl, slot);
		else
			kl_remove_pte(kctrl, slot);
	}
}

/* The task's protected mappings leave this CPU, or come back to it */
static void kl_prot_switch(const struct kmap_ctrl *kctrl, bool in)
{
	struct kmap_local_cpu *kcpu;

	if (!kctrl->track.prot_depth)
		return;
	kcpu = klp_cpu_state();
	if (in) {
		kcpu->prot_count += kctrl->track.prot_depth;
		kl_prot_enable(kcpu);
		return;
	}
	kcpu->prot_count -= kctrl->track.prot_depth;
	if (!kcpu->prot_count)
		kl_prot_disable(kcpu);
}

void __kmap_local_sched_out(void)
{
	struct kmap_ctrl *kctrl = &klp_current()->kmap_ctrl;

	klp_count_switch(kctrl, false);
	kl_switch_ptes(kctrl, false);
	kl_prot_switch(kctrl, false);
}

void __kmap_local_sched_in(void)
{
	struct kmap_ctrl *kctrl = &klp_current()->kmap_ctrl;

	klp_count_switch(kctrl, true);
	kl_switch_ptes(kctrl, true);
	kl_prot_switch(kctrl, true);
}

/*
 * Unmap every slot of the current task, top down, after a leak report, so
 * that the task does not carry the pinned CPU and the used slots on.
 */
static void kl_release_all(struct kmap_ctrl *kctrl)
{
	int slot, live = 0;

	klp_preempt_disable();
	for (slot = kctrl->idx - 1; slot >= 0; slot--) {
		kctrl->track.hole[slot] = false;
		if (!kl_live(kctrl, slot))
			continue;
		kl_release_slot(kctrl, slot);
		live++;
	}
	kctrl->idx = 0;
	klp_preempt_enable();
	while (live--)
		klp_migrate_enable();
}

/*
 * The child's kmap_ctrl is a copy of the parent's. Mappings held across
 * fork() are a bug of the parent; the child starts with none.
 */
void kmap_local_fork(struct task_struct *tsk)
{
	struct kmap_ctrl *kctrl = &tsk->kmap_ctrl;

	if (unlikely(kctrl->idx))
		kl_report_leak(klp_current(), kctrl, "fork");
	memset(kctrl, 0, sizeof(*kctrl));
}

/* Return to user space with interrupts off; no mapping may survive it. */
void kmap_local_user_return(void)
{
	struct task_struct *tsk = klp_current();

	if (unlikely(tsk->kmap_ctrl.idx)) {
		kl_report_leak(tsk, &tsk->kmap_ctrl, "return to user");
		kl_release_all(&tsk->kmap_ctrl);
	}
}

/*
 * Whether @depth beats every task that exited before. Decided before
 * anything can preempt the exit, so that records go in exit order.
 */
static bool kl_new_record(int depth)
{
	int old = kl_greatest_depth, seen;

	while (depth > old) {
		seen = klp_cmpxchg(&kl_greatest_depth, old, depth);
		if (seen == old)
			return true;
		old = seen;
	}
	return false;
}

/* @tsk is current, in do_exit(). */
void kmap_local_exit(struct task_struct *tsk)
{
	int depth = tsk->kmap_ctrl.track.high_water;
	bool record = kl_new_record(depth);

	if (unlikely(tsk->kmap_ctrl.idx)) {
		kl_report_leak(tsk, &tsk->kmap_ctrl, "exit");
		kl_release_all(&tsk->kmap_ctrl);
	}
	if (record)
		klp_note(KL_PFX KLP_TASK_FMT
			 " used greatest depth: %d mappings",
			 klp_task(tsk), depth);
}

int kmap_local_high_water(struct task_struct *tsk)
{
	return tsk->kmap_ctrl.track.high_water;
}

/* One provider of protected memory, registered before its first use. */
int kmap_local_register_prot(const struct kmap_local_prot_ops *ops)
{
	if (klp_cmpxchg(&kl_prot_ops, NULL, ops))
		return -EBUSY;
	return 0;
}
