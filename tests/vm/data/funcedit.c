// SPDX-License-Identifier: GPL-2.0-only
/* Function definitions in the shapes kernel code has. */
static int one_line(struct page *page, int n);

static int one_line(struct page *page, int n)
{
	return n;
}

static void
type_on_own_line(struct page *page,
		 unsigned int offset)
{
	void *kaddr = kmap_local_page(page);

	kunmap_local(kaddr);
}

static int with_attr(spinlock_t *l) __acquires(l) /* comment */
{
	int x = 0;

	if (one_line(NULL, 1))
		x = call_twice(one_line(NULL, 2));
	return x;
}

int caller(void)
{
	return one_line(NULL, 3) + with_attr(NULL);
}
