/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel port of mm/kmap_local_core.c (the interface is listed at the
 * top of that file). Belongs to the one translation unit mm/highmem.c,
 * which includes it through mm/kmap_local_track.c.
 */
#ifndef _MM_KMAP_LOCAL_PORT_H
#define _MM_KMAP_LOCAL_PORT_H

#include <linux/bug.h>
#include <linux/kmap_local_track.h>
#include <linux/percpu.h>
#include <linux/pgtable.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <asm/fixmap.h>
#include <asm/kmap_size.h>
#include <asm/tlbflush.h>

/* With CONFIG_DEBUG_KMAP_LOCAL every other slot is an unmapped guard */
#ifdef CONFIG_DEBUG_KMAP_LOCAL
#define KLP_SLOT_STEP 2
#else
#define KLP_SLOT_STEP 1
#endif

/* What an architecture does around a kmap pte, unless it says otherwise */
#ifndef arch_kmap_local_post_map
#define arch_kmap_local_post_map(vaddr, pteval) \
	do {                                    \
	} while (0)
#endif
#ifndef arch_kmap_local_pre_unmap
#define arch_kmap_local_pre_unmap(vaddr) \
	do {                             \
	} while (0)
#endif
#ifndef arch_kmap_local_post_unmap
#define arch_kmap_local_post_unmap(vaddr) \
	do {                              \
	} while (0)
#endif
#ifndef arch_kmap_local_set_pte
#define arch_kmap_local_set_pte(mm, vaddr, ptep, ptev) \
	set_pte_at(mm, vaddr, ptep, ptev)
#endif

/* Cache-colouring architectures choose the slot's fixed-map index */
#define klp_arch_map_idx(slot, pfn) arch_kmap_local_map_idx(slot, pfn)

static DEFINE_PER_CPU(struct kmap_local_cpu, kmap_local_cpu_state);

static inline struct task_struct *klp_current(void)
{
	return current;
}

static inline int klp_cpu(void)
{
	return smp_processor_id();
}

static inline struct kmap_local_cpu *klp_cpu_state(void)
{
	return this_cpu_ptr(&kmap_local_cpu_state);
}

static inline void klp_preempt_disable(void)
{
	preempt_disable();
}

static inline void klp_preempt_enable(void)
{
	preempt_enable();
}

static inline void klp_migrate_disable(void)
{
	migrate_disable();
}

static inline void klp_migrate_enable(void)
{
	migrate_enable();
}

static inline unsigned long klp_fixmap_addr(int idx)
{
	return __fix_to_virt(FIX_KMAP_BEGIN + idx);
}

static pte_t *kmap_local_pte_base;

static inline pte_t *klp_pte_ptr(unsigned long vaddr, int idx)
{
	/* Some architectures do not keep the kmap ptes in one array */
	if (IS_ENABLED(CONFIG_KMAP_LOCAL_NON_LINEAR_PTE_ARRAY))
		return virt_to_kpte(vaddr);
	if (!kmap_local_pte_base)
		kmap_local_pte_base =
			virt_to_kpte(__fix_to_virt(FIX_KMAP_BEGIN));
	/* Fixed-map addresses go down as the index goes up */
	return &kmap_local_pte_base[-idx];
}

static inline pte_t klp_pte_get(unsigned long vaddr, int idx)
{
	return ptep_get(klp_pte_ptr(vaddr, idx));
}

static inline void klp_pte_set(unsigned long vaddr, int idx, pte_t pteval)
{
	arch_kmap_local_set_pte(&init_mm, vaddr, klp_pte_ptr(vaddr, idx),
				pteval);
	arch_kmap_local_post_map(vaddr, pteval);
}

static inline void klp_pte_clear(unsigned long vaddr, int idx)
{
	arch_kmap_local_pre_unmap(vaddr);
	pte_clear(&init_mm, vaddr, klp_pte_ptr(vaddr, idx));
}

/* The architectures flush the local TLB entry after an unmap */
static inline void klp_tlb_flush_one(unsigned long vaddr)
{
	arch_kmap_local_post_unmap(vaddr);
}

#define klp_report(fmt, ...) pr_err(fmt "\n", ##__VA_ARGS__)
#define klp_note(fmt, ...) pr_info(fmt "\n", ##__VA_ARGS__)
#define klp_warn() WARN_ON_ONCE(1)
#define klp_die() BUG()
#define KLP_SITE_FMT "%pS"
#define klp_site(site) ((void *)(site))
#define KLP_TASK_FMT "%s/%d"
#define klp_task(tsk) (tsk)->comm, task_pid_nr(tsk)
#define klp_cmpxchg(ptr, old, new) cmpxchg(ptr, old, new)

/*
 * What happened while tasks held mappings, counted per CPU for the
 * summary printed at power-off (mm/kmap_local_track.c).
 */
static void kmap_local_count_map(struct kmap_ctrl *kctrl);
static void kmap_local_count_switch(struct kmap_ctrl *kctrl, bool in);
#define klp_count_map(kctrl) kmap_local_count_map(kctrl)
#define klp_count_switch(kctrl, in) kmap_local_count_switch(kctrl, in)

#endif /* _MM_KMAP_LOCAL_PORT_H */
