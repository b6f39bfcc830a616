// SPDX-License-Identifier: GPL-2.0-only
/* unmap-unmapped: releasing a pointer that is not a local mapping. */
#include <linux/highmem.h>

void *lookup(int key);

/* Positive: page_address() is not a mapping. */
void from_page_address(struct page *page)
{
	char *addr = page_address(page);

	addr[0] = 0;
	kunmap_local(addr);
}

/* Positive: never assigned on the path that unmaps. */
void never_assigned(struct page *page, int use)
{
	char *addr;

	if (use)
		addr = kmap_local_page(page);
	kunmap_local(addr);
}

/* Positive: the address of a local buffer. */
void local_buffer(void)
{
	char buf[16];

	buf[0] = 0;
	kunmap_local(buf);
}

/* Negative: an argument (a wrapper that unmaps what it is given). */
void put_mapping(void *addr)
{
	kunmap_local(addr);
}

/* Negative: nothing is known about a pointer from another function. */
void from_elsewhere(int key)
{
	kunmap_local(lookup(key));
}
