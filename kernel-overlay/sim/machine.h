/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated machine under the sim port: CPUs with a current task, a
 * TLB and a protection register; one kernel page table whose kmap fixed-map
 * entries map simulated page frames; a direct map of the low frames; the
 * report log. Everything runs on one host thread; "this CPU" is whichever
 * simulated CPU the simulation is executing.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <setjmp.h>

#include "port.h"
#include "../mm/kmap_local_core.h"

#define SIM_MAX_CPUS 4
#define SIM_NR_FRAMES 64
/* Frames below this are direct mapped, like lowmem */
#define SIM_NR_LOWMEM 16
#define SIM_NR_FIX (SIM_MAX_CPUS * KM_MAX_IDX)
#define SIM_PAGE_OFFSET 0xc0000000UL
#define SIM_FIXADDR_TOP 0xfffff000UL
/* Fixed-map entries before the kmap ones, as other users have them */
#define SIM_FIX_KMAP_BEGIN 5

struct sim_cpu {
	struct task_struct *curr;
	struct kmap_local_cpu kl;
	/* Access to protected frames */
	bool prot_reg;
	int irq_depth;
	/* Per fixed-map entry: cached translation, valid until flushed */
	bool tlb_valid[SIM_NR_FIX];
	unsigned long tlb_pfn[SIM_NR_FIX];
};

enum sim_access {
	SIM_READ_OK,
	SIM_NOT_MAPPED,
	SIM_PROT_FAULT,
	SIM_WRONG_FRAME,
};

extern struct sim_cpu sim_cpus[SIM_MAX_CPUS];
extern int sim_nr_cpus;
extern int sim_this_cpu;
extern pte_t sim_fixmap[SIM_NR_FIX];
extern bool sim_frame_protected[SIM_NR_FRAMES];
extern int sim_warn_count;
/* Ptes written over a present pte: always a bug of the code under test */
extern int sim_pte_overwrites;

/*
 * Called at every port operation, before and after it changes state,
 * with the name of the operation. NULL: no injection.
 */
extern void (*sim_point_hook)(const char *what);
/* Each report line, after it is logged */
extern void (*sim_report_hook)(const char *line);
/*
 * klp_die() (a BUG() in the kernel) calls the hook, then jumps to
 * sim_die_jmp; with neither it aborts.
 */
extern void (*sim_die_hook)(void);
extern jmp_buf *sim_die_jmp;

static inline struct sim_cpu *sim_cpu(void)
{
	return &sim_cpus[sim_this_cpu];
}

void sim_machine_reset(int nr_cpus);
void sim_register_prot(void);
void sim_core_reset(void);

/* The word at byte @off of frame @pfn, as the frame was filled */
unsigned long sim_frame_word(unsigned long pfn, unsigned long off);
/* Read a word at @vaddr through this CPU's TLB and page table */
enum sim_access sim_read(unsigned long vaddr, unsigned long *val);
/* Which frame @vaddr reads, and whether it does, on this CPU */
enum sim_access sim_check_frame(unsigned long vaddr, unsigned long pfn);

unsigned long sim_direct_addr(unsigned long pfn);
bool sim_is_fixmap(unsigned long vaddr);

/* What kmap_local_page()/kunmap_local() do, as the kernel glue does it */
unsigned long sim_kmap_local(unsigned long pfn, const char *site);
void sim_kunmap_local(unsigned long vaddr, const char *site);

int sim_log_count(void);
const char *sim_log_line(int i);
void sim_log_reset(void);

#endif /* SIM_MACHINE_H */
