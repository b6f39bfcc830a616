// SPDX-License-Identifier: GPL-2.0-only
/* leak: a path leaves the function with a live mapping. */
#include <linux/highmem.h>

int check(const char *p);

/* Positive: the error return forgets the unmap. */
int early_return_leak(struct page *page)
{
	char *addr = kmap_local_page(page);

	if (check(addr))
		return -EIO;
	kunmap_local(addr);
	return 0;
}

/* Positive: a goto skips the cleanup that unmaps. */
int goto_past_cleanup(struct page *page)
{
	char *addr = kmap_local_page(page);
	int err = 0;

	if (check(addr)) {
		err = -EIO;
		goto out;
	}
	addr[0] = 0;
	kunmap_local(addr);
out:
	return err;
}

/* Negative: every path goes through the unmapping label. */
int goto_cleanup(struct page *page)
{
	char *addr = kmap_local_page(page);
	int err = 0;

	if (check(addr)) {
		err = -EIO;
		goto unmap;
	}
	addr[0] = 0;
unmap:
	kunmap_local(addr);
	return err;
}

/* Positive: a mapping that is never stored anywhere. */
void lost_mapping(struct page *page)
{
	memset(kmap_local_page(page), 0, PAGE_SIZE);
}

/* Positive: the address is overwritten, the first mapping is lost. */
void overwritten(struct page *a, struct page *b)
{
	char *p = kmap_local_page(a);

	p = kmap_local_page(b);
	kunmap_local(p);
}

/* Negative: returning the mapping hands it to the caller. */
void *map_for_caller(struct page *page)
{
	return kmap_local_page(page);
}

struct cursor {
	void *addr;
};

/* Negative: stored in the caller's object, which owns it now. */
void map_into(struct cursor *c, struct page *page)
{
	c->addr = kmap_local_page(page);
}
