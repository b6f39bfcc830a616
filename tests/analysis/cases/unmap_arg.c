// SPDX-License-Identifier: GPL-2.0-only
/* unmap-arg: the wrong argument for the unmap function. */
#include <linux/highmem.h>

/* Positive: kunmap_local() takes the address, not the page. */
void local_given_page(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	kunmap_local(page);
}

/* Positive: kunmap() takes the page, not the address. */
void kunmap_given_address(struct page *page)
{
	char *addr = kmap(page);

	addr[0] = 0;
	kunmap(addr);
}

/* Positive: a half-converted site: mapped locally, released with kunmap(). */
void half_converted(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	kunmap(page);
}

/* Positive: the other half: kmap() released with kunmap_local(). */
void other_half(struct page *page)
{
	char *addr = kmap(page);

	addr[0] = 0;
	kunmap_local(addr);
}

/* Negative: each API with its own unmap. */
void matched(struct page *a, struct page *b)
{
	char *x = kmap(a);
	char *y = kmap_local_page(b);

	x[0] = y[0];
	kunmap_local(y);
	kunmap(a);
}
