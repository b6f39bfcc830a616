// SPDX-License-Identifier: GPL-2.0-only
/* double-unmap: releasing a mapping that was already released. */
#include <linux/highmem.h>

/* Positive: released twice. */
void twice(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 1;
	kunmap_local(addr);
	kunmap_local(addr);
}

/* Positive: an error branch releases, then the common exit again. */
int error_then_exit(struct page *page, int bad)
{
	char *addr = kmap_local_page(page);
	int err = 0;

	if (bad) {
		kunmap_local(addr);
		err = -EIO;
	}
	kunmap_local(addr);
	return err;
}

/* Negative: each branch releases once. */
int once_per_branch(struct page *page, int bad)
{
	char *addr = kmap_local_page(page);

	if (bad) {
		kunmap_local(addr);
		return -EIO;
	}
	addr[0] = 0;
	kunmap_local(addr);
	return 0;
}
