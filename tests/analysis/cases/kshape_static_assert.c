// SPDX-License-Identifier: GPL-2.0-only
/*
 * BUILD_BUG_ON() as an assertion clang rejects while parsing
 * (_Static_assert): kunmap_local(page) is then a compile error.  The
 * function is still audited, the error is reported as what it is
 * (unmap-arg, at the line of the call in this file, also through a macro
 * of this file), and it is not a parse error.
 */
#define KSHAPE_STATIC_ASSERT
#include <kshape/highmem.h>

#define release_addr(a) kunmap_local(a)

/* Positive unmap-arg twice, and a leak in the same function. */
int pages_given(struct page *a, struct page *b, struct page *c, int fail)
{
	char *x = kmap_local_page(a);
	char *y = kmap_atomic(b);
	char *z;

	x[0] = y[0];
	kunmap_atomic(b);
	kunmap_local(a);
	z = kmap_local_page(c);
	if (fail)
		return -1;
	z[0] = 0;
	release_addr(c);
	return 0;
}

/* Negative: the assertion holds. */
void correct(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	release_addr(addr);
}
