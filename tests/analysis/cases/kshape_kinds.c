// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every kind with kunmap_local()/kunmap_atomic() in the kernel's own macro
 * shape (kshape/highmem.h: BUILD_BUG_ON() through compiletime_assert(),
 * the argument converted to const void *): findings point at the line of
 * the macro call in this file, never into the header.
 */
#include <kshape/highmem.h>

static void *last_mapped;

struct job {
	struct work_struct work;
	void *buf;
};

/* Positive unmap-arg: the struct page given to kunmap_local(). */
void local_given_page(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	kunmap_local(page);
}

/* Positive unmap-arg: the struct page given to kunmap_atomic(). */
void atomic_given_page(struct page *page)
{
	char *addr = kmap_atomic(page);

	addr[0] = 0;
	kunmap_atomic(page);
}

/* Positive unmap-arg: the address given to kunmap(). */
void kunmap_given_address(struct page *page)
{
	void *addr = kmap(page);

	memcpy(addr, "x", 1);
	kunmap(addr);
}

/* Positive unmap-arg: a page expression, which still releases its mapping
 * (no leak): the note names the map site. */
void local_given_page_expr(struct page *pages, int i)
{
	char *addr = kmap_local_page(pages + i);

	addr[0] = 0;
	kunmap_local(pages + i);
}

/* Positive unmap-arg: a cast does not make the page an address (and
 * the mapping is still released: no leak). */
void local_given_cast_page(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	kunmap_local((void *)page);
}

/* Positive unmap-arg: a folio given to kunmap_local(). */
void local_given_folio(struct folio *folio)
{
	char *addr = kmap_local_folio(folio, 0);

	addr[0] = 0;
	kunmap_local(folio);
}

/* Positive unmap-arg: kmap() released with kunmap_local(), and
 * kmap_atomic() with kunmap(). */
void mismatched_pairs(struct page *a, struct page *b)
{
	char *x = kmap(a);
	char *y = kmap_atomic(b);

	x[0] = y[0];
	kunmap(b);
	kunmap_local(x);
}

/* Stands for IS_ENABLED(CONFIG_HIGHMEM) on x86_64: a constant 0. */
#define HIGHMEM_ENABLED 0

/* Positive unmap-arg, twice, in code this configuration never runs but
 * others compile: the types show the slips on every configuration.  The
 * kinds found along paths (here lifo-order) are not reported there. */
void dead_here(struct page *a, struct page *b, int off)
{
	if (HIGHMEM_ENABLED) {
		char *x = kmap_local_page(a);
		char *y = kmap_local_page(b);
		char *k = kmap(a);

		x[off] = y[off] + k[off];
		kunmap(k);
		kunmap_local(x);
		kunmap_local(b);
	}
}

/* Positive lifo-order: released in mapping order. */
void lifo(struct page *a, struct page *b)
{
	char *x = kmap_local_page(a);
	char *y = kmap_atomic(b);

	x[0] = y[0];
	kunmap_local(x);
	kunmap_atomic(y);
}

/* Positive leak: an early return keeps the mapping. */
int leak(struct page *page, int fail)
{
	char *addr = kmap_local_page(page);

	if (fail)
		return -1;
	addr[0] = 0;
	kunmap_local(addr);
	return 0;
}

/* Positive use-after-unmap: read after kunmap_atomic(). */
int use_after(struct page *page)
{
	char *addr = kmap_atomic(page);

	kunmap_atomic(addr);
	return addr[0];
}

/* Positive double-unmap. */
void twice(struct page *page)
{
	char *addr = kmap_local_page(page);

	addr[0] = 0;
	kunmap_local(addr);
	kunmap_local(addr);
}

/* Positive unmap-unmapped: page_address() is not a local mapping. */
void not_mapped(struct page *page)
{
	char *addr = page_address(page);

	addr[0] = 0;
	kunmap_local(addr);
}

/* Positive depth: every iteration's mapping stays live. */
void too_deep(struct page **pages, void **addrs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		addrs[i] = kmap_local_page(pages[i]);
	for (i = n - 1; i >= 0; i--)
		kunmap_local(addrs[i]);
}

/* Positive escape: a global, and deferred work. */
void escapes(struct workqueue_struct *wq, struct job *job, struct page *a,
	     struct page *b)
{
	void *addr = kmap_local_page(a);

	last_mapped = addr;
	kunmap_local(addr);
	job->buf = kmap_atomic(b);
	queue_work(wq, &job->work);
}

/* Negative: nested mappings released in reverse order, each API with its
 * own unmap, an address inside the page, a NULL test. */
void correct(struct page *a, struct page *b, struct page *c, int off)
{
	char *x = kmap(a);
	char *y = kmap_local_page(b);
	char *z = kmap_atomic(c);

	if (!z)
		return;
	x[0] = y[0] + z[0];
	kunmap_atomic(z + off);
	kunmap_local((const void *)y);
	kunmap(a);
}

/* Negative: an address kept as an integer, cast back to unmap it. */
void as_integer(struct page *page)
{
	unsigned long addr = (unsigned long)kmap_local_page(page);

	memcpy((void *)addr, "x", 1);
	kunmap_local((void *)addr);
}
