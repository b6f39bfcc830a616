// SPDX-License-Identifier: GPL-2.0-only
/* use-after-unmap: the address, or a pointer derived from it, used after
 * the mapping was released. */
#include <linux/highmem.h>

int consume(const void *p);

/* Positive: dereference after the unmap. */
char read_after(struct page *page)
{
	char *addr = kmap_local_page(page);

	kunmap_local(addr);
	return addr[3];
}

/* Positive: a derived pointer, passed to a function. */
int derived_after(struct page *page, int off)
{
	char *addr = kmap_local_page(page);
	char *p = addr + off;

	kunmap_local(addr);
	return consume(p);
}

/* Positive: returned after the unmap. */
void *returned_after(struct page *page)
{
	void *addr = kmap_local_page(page);

	kunmap_local(addr);
	return addr;
}

/* Negative: reassigned before the next use; comparisons are not uses. */
int reused(struct page *a, struct page *b)
{
	char *addr = kmap_local_page(a);
	int r;

	kunmap_local(addr);
	if (!addr)
		return 0;
	addr = kmap_local_page(b);
	r = addr[0];
	kunmap_local(addr);
	addr = NULL;
	return r;
}

/* Positive on one path: the unmap is conditional. */
int conditional_unmap(struct page *page, int early)
{
	char *addr = kmap_local_page(page);
	int r;

	if (early)
		kunmap_local(addr);
	r = addr[0];
	if (!early)
		kunmap_local(addr);
	return r;
}

struct holder_of {
	char *base;
};

/* A release helper: the mapping was made by a caller, and is used here
 * after this function released it. */
void bad_release_then_use(struct holder_of *h)
{
	kunmap_local(h->base);
	consume(h->base);
}

/* Released, then forgotten: fine. */
void release_and_clear(struct holder_of *h)
{
	kunmap_local(h->base);
	h->base = NULL;
}

/* Positive: one element of an array of mappings read again after its
 * unmap, the index unchanged (the other elements stay mapped, so the
 * array as a whole is still live). */
char element_after(struct page **pages, int n)
{
	char *addrs[4];
	char c = 0;
	int i;

	for (i = 0; i < n && i < 4; i++)
		addrs[i] = kmap_local_page(pages[i]);
	for (i = i - 1; i >= 0; i--) {
		kunmap_local(addrs[i]);
		c ^= *addrs[i];
	}
	return c;
}

/* Negative: the element is read before its unmap; the index moves (or the
 * element is mapped again) before the next read. */
char element_before(struct page **pages, int n)
{
	char *addrs[4];
	char c = 0;
	int i;

	for (i = 0; i < n && i < 4; i++)
		addrs[i] = kmap_local_page(pages[i]);
	for (i = i - 1; i >= 0; i--) {
		c ^= *addrs[i];
		kunmap_local(addrs[i]);
	}
	addrs[0] = kmap_local_page(pages[0]);
	c ^= *addrs[0];
	kunmap_local(addrs[0]);
	return c;
}

/* Negative: a call may have stored a new mapping in the element. */
void remap_into(char **slot, struct page *page);

char element_refilled(struct page **pages)
{
	char *addrs[2];
	char c;
	int i = 0;

	addrs[i] = kmap_local_page(pages[0]);
	kunmap_local(addrs[i]);
	remap_into(&addrs[i], pages[1]);
	c = *addrs[i];
	kunmap_local(addrs[i]);
	return c;
}

/* Positive: a release helper for a caller's array of mappings uses an
 * element after unmapping it. */
void release_then_use(void **addrs, int n)
{
	while (n--) {
		kunmap_local(addrs[n]);
		consume(addrs[n]);
	}
}

/* Negative: each element used before its unmap. */
void use_then_release(void **addrs, int n)
{
	while (n--) {
		consume(addrs[n]);
		kunmap_local(addrs[n]);
	}
}
