// SPDX-License-Identifier: GPL-2.0-only
/*
 * Addresses held in unsigned long, as architecture code keeps them: a
 * wrapper that unmaps (void *) of its integer argument releases the
 * caller's mapping.  Only the functions named bad_* have findings.
 */
#include <linux/highmem.h>

static inline unsigned long get_va(unsigned long pfn, unsigned long off)
{
	void *vaddr = kmap_local_pfn(pfn);

	return (unsigned long)vaddr + off;
}

static inline void put_va(unsigned long vaddr)
{
	kunmap_local((void *)vaddr);
}

void use_ul(unsigned long a);

void range(unsigned long pfn, unsigned long off)
{
	unsigned long va = get_va(pfn, off);

	__asm__("" : : "r"(va));
	use_ul(va);
	put_va(va);
}

void direct(unsigned long pfn)
{
	unsigned long va = (unsigned long)kmap_local_pfn(pfn);

	put_va(va);
}

void bad_no_put(unsigned long pfn)
{
	unsigned long va = get_va(pfn, 0);

	use_ul(va);
}
