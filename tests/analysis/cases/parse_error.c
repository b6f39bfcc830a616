// SPDX-License-Identifier: GPL-2.0-only
/* A file that does not compile: a clear diagnostic, not a crash. */
#include <linux/highmem.h>

int broken(struct page *page
{
	char *p = kmap_local_page(page);
	return p[0] +;
}
