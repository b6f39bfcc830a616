// SPDX-License-Identifier: GPL-2.0-only
/*
 * Macros (libclang sees the expanded code) and addresses inside the page:
 * kunmap_local() accepts any address within the mapped page.
 */
#include <linux/highmem.h>

#define MAP_AT(page, off) ((char *)kmap_local_page(page) + (off))
#define UNMAP_AND_CLEAR(p)                                                  \
	do {                                                                \
		kunmap_local(p);                                            \
		(p) = NULL;                                                 \
	} while (0)

/* Negative: an offset address releases the mapping. */
void offset_unmap(struct page *page, unsigned int off)
{
	char *p = MAP_AT(page, off);

	p[0] = 0;
	UNMAP_AND_CLEAR(p);
}

/* Negative: integer casts of the address, as some drivers keep it. */
unsigned long as_integer(struct page *page, unsigned long off)
{
	unsigned long v = (unsigned long)kmap_local_page(page) + off;
	unsigned long r = *(unsigned long *)v;

	kunmap_local((void *)(v - off));
	return r;
}

/* Positive: the macro clears the pointer, so the second unmap is of
 * NULL. */
void unmap_cleared(struct page *page)
{
	char *p = MAP_AT(page, 8);

	UNMAP_AND_CLEAR(p);
	kunmap_local(p);
}

/* Positive: a statement expression maps; nothing releases it. */
#define PEEK(page) ({ char *__p = kmap_local_page(page); __p[0]; })
int peek(struct page *page)
{
	return PEEK(page);
}
