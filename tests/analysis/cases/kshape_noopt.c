// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's macro shapes without -O: BUILD_BUG_ON() expands to
 * "do { } while (0)", so only the call of __kunmap_local() or
 * __kunmap_atomic(), with its argument converted to const void *, says
 * what was unmapped.
 */
#define KSHAPE_NO_OPTIMIZE
#include <kshape/highmem.h>

/* Positive unmap-arg: the struct page given to either unmap. */
void pages_given(struct page *a, struct page *b)
{
	char *x = kmap_local_page(a);
	char *y = kmap_atomic(b);

	x[0] = y[0];
	kunmap_atomic(b);
	kunmap_local(a);
}

/* Positive unmap-arg: the address given to kunmap(). */
void kunmap_given_address(struct page *page)
{
	void *addr = kmap(page);

	memcpy(addr, "x", 1);
	kunmap(addr);
}

/* Positive lifo-order and leak through the same macros. */
int order_and_leak(struct page *a, struct page *b, int fail)
{
	char *x = kmap_atomic(a);
	char *y = kmap_local_page(b);

	x[0] = y[0];
	kunmap_atomic(x);
	if (fail)
		return -1;
	kunmap_local(y);
	return 0;
}

/* Negative: released in reverse order. */
void correct(struct page *a, struct page *b)
{
	char *x = kmap_atomic(a);
	char *y = kmap_local_page(b);

	x[0] = y[0];
	kunmap_local(y);
	kunmap_atomic(x);
}
