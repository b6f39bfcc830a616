// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated machine and the sim port functions that run on it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine.h"

struct sim_cpu sim_cpus[SIM_MAX_CPUS];
int sim_nr_cpus = 1;
int sim_this_cpu;
pte_t sim_fixmap[SIM_NR_FIX];
bool sim_frame_protected[SIM_NR_FRAMES];
int sim_warn_count;
int sim_pte_overwrites;
void (*sim_point_hook)(const char *what);
void (*sim_report_hook)(const char *line);
void (*sim_die_hook)(void);
jmp_buf *sim_die_jmp;

static unsigned char sim_frames[SIM_NR_FRAMES][PAGE_SIZE];
static bool sim_frames_filled;

static char **sim_log;
static int sim_log_len, sim_log_cap;

static inline void sim_point(const char *what)
{
	if (sim_point_hook)
		sim_point_hook(what);
}

unsigned long sim_frame_word(unsigned long pfn, unsigned long off)
{
	return 0x5eed000000000000UL | pfn << 24 | (off & ~7UL);
}

static void sim_fill_frames(void)
{
	unsigned long pfn, off, word;

	for (pfn = 0; pfn < SIM_NR_FRAMES; pfn++) {
		for (off = 0; off < PAGE_SIZE; off += sizeof(word)) {
			word = sim_frame_word(pfn, off);
			memcpy(&sim_frames[pfn][off], &word, sizeof(word));
		}
	}
	sim_frames_filled = true;
}

void sim_machine_reset(int nr_cpus)
{
	if (!sim_frames_filled)
		sim_fill_frames();
	memset(sim_cpus, 0, sizeof(sim_cpus));
	memset(sim_fixmap, 0, sizeof(sim_fixmap));
	memset(sim_frame_protected, 0, sizeof(sim_frame_protected));
	sim_nr_cpus = nr_cpus;
	sim_this_cpu = 0;
	sim_warn_count = 0;
	sim_pte_overwrites = 0;
	sim_point_hook = NULL;
	sim_report_hook = NULL;
	sim_die_hook = NULL;
	sim_die_jmp = NULL;
	sim_log_reset();
	sim_core_reset();
}

unsigned long sim_direct_addr(unsigned long pfn)
{
	return SIM_PAGE_OFFSET + (pfn << PAGE_SHIFT);
}

static int sim_fix_idx(unsigned long vaddr)
{
	return (int)((SIM_FIXADDR_TOP - (vaddr & PAGE_MASK)) >> PAGE_SHIFT) -
	       SIM_FIX_KMAP_BEGIN;
}

bool sim_is_fixmap(unsigned long vaddr)
{
	int idx = sim_fix_idx(vaddr);

	return vaddr <= SIM_FIXADDR_TOP + ~PAGE_MASK && idx >= 0 &&
	       idx < SIM_NR_FIX;
}

/* The frame @vaddr translates to on this CPU, or -1 */
static long sim_translate(unsigned long vaddr)
{
	struct sim_cpu *cpu = sim_cpu();
	unsigned long pfn;
	int idx;

	if (sim_is_fixmap(vaddr)) {
		idx = sim_fix_idx(vaddr);
		if (!cpu->tlb_valid[idx]) {
			if (pte_none(sim_fixmap[idx]))
				return -1;
			cpu->tlb_valid[idx] = true;
			cpu->tlb_pfn[idx] = pte_pfn(sim_fixmap[idx]);
		}
		return (long)cpu->tlb_pfn[idx];
	}
	if (vaddr < SIM_PAGE_OFFSET)
		return -1;
	pfn = (vaddr - SIM_PAGE_OFFSET) >> PAGE_SHIFT;
	return pfn < SIM_NR_LOWMEM ? (long)pfn : -1;
}

enum sim_access sim_read(unsigned long vaddr, unsigned long *val)
{
	long pfn = sim_translate(vaddr);

	if (pfn < 0 || pfn >= SIM_NR_FRAMES)
		return SIM_NOT_MAPPED;
	if (sim_frame_protected[pfn] && !sim_cpu()->prot_reg)
		return SIM_PROT_FAULT;
	memcpy(val, &sim_frames[pfn][vaddr & ~PAGE_MASK & ~7UL], sizeof(*val));
	return SIM_READ_OK;
}

enum sim_access sim_check_frame(unsigned long vaddr, unsigned long pfn)
{
	enum sim_access res;
	unsigned long val;

	res = sim_read(vaddr, &val);
	if (res == SIM_READ_OK &&
	    val != sim_frame_word(pfn, vaddr & ~PAGE_MASK))
		res = SIM_WRONG_FRAME;
	return res;
}

unsigned long sim_kmap_local(unsigned long pfn, const char *site)
{
	if (pfn < SIM_NR_LOWMEM && !kmap_local_pfn_protected(pfn))
		return sim_direct_addr(pfn);
	return (unsigned long)kmap_local_map_pfn_at(pfn, SIM_KMAP_PROT,
						    (unsigned long)site);
}

void sim_kunmap_local(unsigned long vaddr, const char *site)
{
	if (sim_is_fixmap(vaddr))
		kmap_local_unmap_at(vaddr, (unsigned long)site);
}

/* Protected frames and the per-CPU register that opens them */

static bool sim_pfn_protected(unsigned long pfn)
{
	return pfn < SIM_NR_FRAMES && sim_frame_protected[pfn];
}

static void sim_prot_enable(void)
{
	sim_point("prot_enable");
	sim_cpu()->prot_reg = true;
	sim_point("prot_enable");
}

static void sim_prot_disable(void)
{
	sim_point("prot_disable");
	sim_cpu()->prot_reg = false;
	sim_point("prot_disable");
}

static const struct kmap_local_prot_ops sim_prot_ops = {
	.pfn_protected = sim_pfn_protected,
	.enable = sim_prot_enable,
	.disable = sim_prot_disable,
};

/* Once per process: the core accepts one provider */
void sim_register_prot(void)
{
	static bool done;

	if (!done && kmap_local_register_prot(&sim_prot_ops)) {
		fprintf(stderr, "sim: protection ops refused\n");
		abort();
	}
	done = true;
}

/* The report log */

static void sim_log_add(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (sim_log_len == sim_log_cap) {
		sim_log_cap = sim_log_cap ? 2 * sim_log_cap : 64;
		sim_log = realloc(sim_log, sim_log_cap * sizeof(*sim_log));
		if (!sim_log)
			abort();
	}
	sim_log[sim_log_len] = strdup(line);
	if (!sim_log[sim_log_len])
		abort();
	if (sim_report_hook)
		sim_report_hook(sim_log[sim_log_len]);
	sim_log_len++;
}

int sim_log_count(void)
{
	return sim_log_len;
}

const char *sim_log_line(int i)
{
	return sim_log[i];
}

void sim_log_reset(void)
{
	while (sim_log_len)
		free(sim_log[--sim_log_len]);
}

/* The port */

struct task_struct *klp_current(void)
{
	sim_point("current");
	return sim_cpu()->curr;
}

int klp_cpu(void)
{
	sim_point("cpu");
	return sim_this_cpu;
}

struct kmap_local_cpu *klp_cpu_state(void)
{
	return &sim_cpu()->kl;
}

void klp_preempt_disable(void)
{
	sim_point("preempt_disable");
	sim_cpu()->curr->preempt_count++;
}

void klp_preempt_enable(void)
{
	sim_cpu()->curr->preempt_count--;
	sim_point("preempt_enable");
}

void klp_migrate_disable(void)
{
	sim_point("migrate_disable");
	sim_cpu()->curr->migrate_disable++;
}

void klp_migrate_enable(void)
{
	sim_cpu()->curr->migrate_disable--;
	sim_point("migrate_enable");
}

unsigned long klp_fixmap_addr(int idx)
{
	if (idx < 0 || idx >= SIM_NR_FIX) {
		fprintf(stderr, "sim: fixmap index %d out of range\n", idx);
		abort();
	}
	return SIM_FIXADDR_TOP -
	       ((unsigned long)(SIM_FIX_KMAP_BEGIN + idx) << PAGE_SHIFT);
}

static void sim_check_pte_addr(unsigned long vaddr, int idx)
{
	if (klp_fixmap_addr(idx) != vaddr) {
		fprintf(stderr, "sim: pte %d used with address %#lx\n", idx,
			vaddr);
		abort();
	}
}

pte_t klp_pte_get(unsigned long vaddr, int idx)
{
	sim_check_pte_addr(vaddr, idx);
	sim_point("pte_get");
	return sim_fixmap[idx];
}

void klp_pte_set(unsigned long vaddr, int idx, pte_t pte)
{
	sim_check_pte_addr(vaddr, idx);
	sim_point("pte_set");
	if (!pte_none(sim_fixmap[idx]))
		sim_pte_overwrites++;
	sim_fixmap[idx] = pte;
	sim_point("pte_set");
}

void klp_pte_clear(unsigned long vaddr, int idx)
{
	sim_check_pte_addr(vaddr, idx);
	sim_point("pte_clear");
	sim_fixmap[idx] = __pte(0);
	sim_point("pte_clear");
}

void klp_tlb_flush_one(unsigned long vaddr)
{
	if (sim_is_fixmap(vaddr))
		sim_cpu()->tlb_valid[sim_fix_idx(vaddr)] = false;
	sim_point("tlb_flush");
}

void klp_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_log_add(fmt, ap);
	va_end(ap);
}

void klp_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_log_add(fmt, ap);
	va_end(ap);
}

void klp_warn(void)
{
	sim_warn_count++;
}

void klp_die(void)
{
	if (sim_die_hook)
		sim_die_hook();
	if (sim_die_jmp)
		longjmp(*sim_die_jmp, 1);
	fprintf(stderr, "sim: BUG with nowhere to go\n");
	abort();
}
