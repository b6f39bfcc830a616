// SPDX-License-Identifier: GPL-2.0-only
/* lifo-order: local mappings are a stack; release the newest first. */
#include <linux/highmem.h>

/* Positive: the older mapping is released while the newer one is live. */
void copy_wrong_order(struct page *dst, struct page *src)
{
	char *d = kmap_local_page(dst);
	char *s = kmap_local_page(src);

	memcpy(d, s, PAGE_SIZE);
	kunmap_local(d);
	kunmap_local(s);
}

/* Negative: reverse order. */
void copy_right_order(struct page *dst, struct page *src)
{
	char *d = kmap_local_page(dst);
	char *s = kmap_local_page(src);

	memcpy(d, s, PAGE_SIZE);
	kunmap_local(s);
	kunmap_local(d);
}

/* Positive: kmap_atomic() uses the same stack. */
void mixed_atomic(struct page *a, struct page *b)
{
	char *x = kmap_atomic(a);
	char *y = kmap_local_page(b);

	x[0] = y[0];
	kunmap_atomic(x);
	kunmap_local(y);
}

/* Positive on one path only: the else branch swaps the order. */
void order_on_one_path(struct page *a, struct page *b, int flag)
{
	char *x = kmap_local_page(a);
	char *y = kmap_local_page(b);

	x[1] = y[1];
	if (flag) {
		kunmap_local(y);
		kunmap_local(x);
	} else {
		kunmap_local(x);
		kunmap_local(y);
	}
}

/* Negative: nested, each inner mapping released before the outer. */
void nested_in_loop(struct page *outer, struct page **pages, int n)
{
	char *o = kmap_local_page(outer);
	int i;

	for (i = 0; i < n; i++) {
		char *p = kmap_local_page(pages[i]);

		o[i] = p[0];
		kunmap_local(p);
	}
	kunmap_local(o);
}
