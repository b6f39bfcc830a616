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

static int __init kmap_local_track_init(void)
{
	pr_info("kmap_local: tracking enabled\n");
	return 0;
}
early_initcall(kmap_local_track_init);
