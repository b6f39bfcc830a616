// SPDX-License-Identifier: GPL-2.0-only
/* depth: more live mappings than the per-task stack (16 entries) holds. */
#include <linux/highmem.h>

/* Positive: every iteration's mapping stays live until after the loop. */
void map_all(struct page **pages, void **addrs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		addrs[i] = kmap_local_page(pages[i]);
	for (i = n - 1; i >= 0; i--)
		kunmap_local(addrs[i]);
}

/* Positive: a pointer remapped in a loop without releasing it. */
void remap_without_unmap(struct page **pages, int n)
{
	char *p = NULL;
	int i;

	for (i = 0; i < n; i++) {
		p = kmap_local_page(pages[i]);
		p[0] = 0;
	}
}

/* Negative: one live mapping per iteration. */
void one_at_a_time(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *p = kmap_local_page(pages[i]);

		p[0] = 0;
		kunmap_local(p);
	}
}
