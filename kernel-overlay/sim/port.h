/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-space port of mm/kmap_local_core.c: the same interface as
 * mm/kmap_local_port.h, implemented by the simulated machine (machine.c).
 * Every operation that touches CPU or MMU state is an injection point
 * where the simulation may deliver an interrupt, preempt, or run another
 * CPU.
 */
#ifndef SIM_PORT_H
#define SIM_PORT_H

#include <errno.h>
#include <string.h>
#include <linux/kmap_local_track.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define unlikely(x) __builtin_expect(!!(x), 0)

#ifdef SIM_GUARD_SLOTS
#define KLP_SLOT_STEP 2
#else
#define KLP_SLOT_STEP 1
#endif

typedef struct {
	unsigned long pte;
} pte_t;

typedef struct {
	unsigned long pgprot;
} pgprot_t;

#define SIM_PAGE_PRESENT 0x1UL
#define SIM_PAGE_RW 0x2UL
#define SIM_KMAP_PROT ((pgprot_t){ SIM_PAGE_PRESENT | SIM_PAGE_RW })

static inline pte_t __pte(unsigned long val)
{
	return (pte_t){ val };
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(pfn << PAGE_SHIFT | prot.pgprot);
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return pte.pte >> PAGE_SHIFT;
}

static inline bool pte_none(pte_t pte)
{
	return !pte.pte;
}

struct kmap_ctrl {
	int idx;
	pte_t pteval[KM_MAX_IDX];
	struct kmap_local_track track;
};

struct task_struct {
	struct kmap_ctrl kmap_ctrl;
	char comm[16];
	int pid;
	int preempt_count;
	int migrate_disable;
	/* The scheduler's record of this task, if a scheduler runs it */
	void *sim;
};

struct task_struct *klp_current(void);
int klp_cpu(void);
struct kmap_local_cpu *klp_cpu_state(void);
void klp_preempt_disable(void);
void klp_preempt_enable(void);
void klp_migrate_disable(void);
void klp_migrate_enable(void);
unsigned long klp_fixmap_addr(int idx);
pte_t klp_pte_get(unsigned long vaddr, int idx);
void klp_pte_set(unsigned long vaddr, int idx, pte_t pte);
void klp_pte_clear(unsigned long vaddr, int idx);
void klp_tlb_flush_one(unsigned long vaddr);
void klp_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klp_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klp_warn(void);
void klp_die(void) __attribute__((noreturn));

/* Sites are names: a static string per call site */
#define KLP_SITE_FMT "%s"
#define klp_site(site) ((const char *)(site))
#define KLP_TASK_FMT "%s/%d"
#define klp_task(tsk) (tsk)->comm, (tsk)->pid
#define klp_cmpxchg(ptr, old, new) __sync_val_compare_and_swap(ptr, old, new)

#endif /* SIM_PORT_H */
