// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmap_local with map-site tracking (CONFIG_KMAP_LOCAL_TRACK): the kernel
 * entry points on top of mm/kmap_local_core.c. mm/highmem.c includes this
 * file in place of its own kmap_local code. The entry points pass their
 * return address on as the call site: the kmap_local_*() and
 * kunmap_local() wrappers are inline, so it lies in the caller. They are
 * noinline so that callers in this translation unit get the same.
 */
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/reboot.h>

#include "kmap_local_port.h"
#include "kmap_local_core.c"

#ifndef arch_kmap_local_high_get
static inline void *arch_kmap_local_high_get(struct page *page)
{
	return NULL;
}
#endif

/* Mappings that kmap_high_get() made for a kmap_local_page() */
static inline bool kmap_local_unmap_high(unsigned long vaddr)
{
#ifdef ARCH_NEEDS_KMAP_HIGH_GET
	if (vaddr >= PKMAP_ADDR(0) && vaddr < PKMAP_ADDR(LAST_PKMAP)) {
		kunmap_high(pte_page(pkmap_page_table[PKMAP_NR(vaddr)]));
		return true;
	}
#endif
	return false;
}

/*
 * Counters of a run, per CPU: what a test on several CPUs must have
 * exercised to say anything about per-CPU slots and migration.
 */
struct kmap_local_stats {
	/* Local mappings made on this CPU */
	unsigned long maps;
	/* ... by an interrupt, above live mappings of the task it interrupted */
	unsigned long irq_maps_held;
	/* Tasks switched out holding mappings (their ptes removed) */
	unsigned long held_switches;
	/* ... whose affinity no longer includes this CPU: the mapping holds
	 * back a migration that was asked for */
	unsigned long held_affinity_moved;
	/* A task mapped on another CPU than its previous mapping */
	unsigned long migrations;
	/* A task came back on another CPU than its live mappings: a bug */
	unsigned long held_migrations;
	/* An address unmapped on another CPU than the one whose slot it is */
	unsigned long foreign_unmaps;
};

static DEFINE_PER_CPU(struct kmap_local_stats, kmap_local_stats);

static void kmap_local_held_migration(struct kmap_ctrl *kctrl, int from)
{
	this_cpu_inc(kmap_local_stats.held_migrations);
	pr_err(KL_PFX "migrated from CPU %d to CPU %d in " KLP_TASK_FMT
		      " holding %d mappings",
	       from, smp_processor_id(), klp_task(current),
	       kl_live_count(kctrl));
	kl_report_slots(kctrl, 0, kctrl->idx, "");
	WARN_ON_ONCE(1);
}

/* Preemption is off: called by the map with its new slot installed */
static void kmap_local_count_map(struct kmap_ctrl *kctrl)
{
	int cpu = smp_processor_id();
	int live = kl_live_count(kctrl);

	this_cpu_inc(kmap_local_stats.maps);
	/* An interrupt maps on whatever task it interrupted, and pops again */
	if (in_interrupt()) {
		if (live > 1)
			this_cpu_inc(kmap_local_stats.irq_maps_held);
		return;
	}
	if (kctrl->track.last_cpu && kctrl->track.last_cpu - 1 != cpu) {
		if (live > 1)
			kmap_local_held_migration(kctrl,
						  kctrl->track.last_cpu - 1);
		else
			this_cpu_inc(kmap_local_stats.migrations);
	}
	kctrl->track.last_cpu = cpu + 1;
}

/*
 * Called by the scheduler only for tasks whose stack is not empty. Every
 * live mapping of a task was made on the CPU of its newest one, since the
 * first pinned it there.
 */
static void kmap_local_count_switch(struct kmap_ctrl *kctrl, bool in)
{
	int cpu = smp_processor_id();

	if (!kl_live_count(kctrl))
		return;
	if (in) {
		if (kctrl->track.last_cpu && kctrl->track.last_cpu - 1 != cpu)
			kmap_local_held_migration(kctrl,
						  kctrl->track.last_cpu - 1);
		return;
	}
	this_cpu_inc(kmap_local_stats.held_switches);
	if (!cpumask_test_cpu(cpu, &current->cpus_mask))
		this_cpu_inc(kmap_local_stats.held_affinity_moved);
}

/*
 * An address is unmapped by the CPU whose slot it is: a local address
 * handed to code on another CPU is wrong however the stacks look there.
 */
static void kmap_local_check_cpu(unsigned long addr, unsigned long site)
{
	int owner = (__virt_to_fix(addr) - FIX_KMAP_BEGIN) / KM_MAX_IDX;
	int cpu = raw_smp_processor_id();

	if (likely(owner == cpu))
		return;
	this_cpu_inc(kmap_local_stats.foreign_unmaps);
	pr_err(KL_PFX "unmap on CPU %d at %pS in " KLP_TASK_FMT
		      " of an address in CPU %d's slots",
	       cpu, (void *)site, klp_task(current), owner);
}

noinline void *__kmap_local_pfn_prot(unsigned long pfn, pgprot_t prot)
{
	return kmap_local_map_pfn_at(pfn, prot, _RET_IP_);
}
EXPORT_SYMBOL_GPL(__kmap_local_pfn_prot);

noinline void *__kmap_local_page_prot(struct page *page, pgprot_t prot)
{
	unsigned long pfn = page_to_pfn(page);
	void *kmap;

	/*
	 * Low memory is mapped already, unless debugging forces a slot for
	 * every page or the page is protected and needs one to be switched.
	 */
	if (!IS_ENABLED(CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP) &&
	    !PageHighMem(page) && !kmap_local_pfn_protected(pfn))
		return page_address(page);

	kmap = arch_kmap_local_high_get(page);
	if (kmap)
		return kmap;

	return kmap_local_map_pfn_at(pfn, prot, _RET_IP_);
}
EXPORT_SYMBOL(__kmap_local_page_prot);

noinline void kunmap_local_indexed(const void *vaddr)
{
	unsigned long addr = (unsigned long)vaddr & PAGE_MASK;

	if (addr >= __fix_to_virt(FIX_KMAP_END) &&
	    addr <= __fix_to_virt(FIX_KMAP_BEGIN)) {
		kmap_local_check_cpu(addr, _RET_IP_);
		kmap_local_unmap_at(addr, _RET_IP_);
		return;
	}
	/* Forced mapping puts every page in a slot */
	if (IS_ENABLED(CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP)) {
		WARN_ON_ONCE(1);
		return;
	}
	/* Low memory needs no unmap; a user space address is a bug */
	if (!kmap_local_unmap_high(addr))
		WARN_ON_ONCE(addr < PAGE_OFFSET);
}
EXPORT_SYMBOL(kunmap_local_indexed);

EXPORT_SYMBOL_GPL(kmap_local_register_prot);
EXPORT_SYMBOL_GPL(kmap_local_high_water);

#include "kmap_local_selftest.c"

/* One line at power-off or reboot, for the test that ran */
static int kmap_local_stats_print(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct kmap_local_stats sum = {};
	char per_cpu[8 * 21] = "";
	size_t len = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct kmap_local_stats *s =
			per_cpu_ptr(&kmap_local_stats, cpu);

		sum.maps += s->maps;
		sum.irq_maps_held += s->irq_maps_held;
		sum.held_switches += s->held_switches;
		sum.held_affinity_moved += s->held_affinity_moved;
		sum.migrations += s->migrations;
		sum.held_migrations += s->held_migrations;
		sum.foreign_unmaps += s->foreign_unmaps;
		if (cpu_online(cpu))
			len += scnprintf(per_cpu + len, sizeof(per_cpu) - len,
					 "%s%lu", len ? "," : "", s->maps);
	}
	pr_info(KL_PFX
		"stats: maps=%lu maps_per_cpu=%s irq_maps_held=%lu "
		"held_switches=%lu held_affinity_moved=%lu "
		"migrations=%lu held_migrations=%lu foreign_unmaps=%lu\n",
		sum.maps, per_cpu, sum.irq_maps_held, sum.held_switches,
		sum.held_affinity_moved, sum.migrations, sum.held_migrations,
		sum.foreign_unmaps);
	return NOTIFY_DONE;
}

static struct notifier_block kmap_local_stats_nb = {
	.notifier_call = kmap_local_stats_print,
};

static int __init kmap_local_track_init(void)
{
	register_reboot_notifier(&kmap_local_stats_nb);
	pr_info("kmap_local: tracking enabled\n");
	return 0;
}
early_initcall(kmap_local_track_init);
