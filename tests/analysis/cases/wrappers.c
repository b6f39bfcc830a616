// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wrappers in the same file (or inline in a header) are summarised: a
 * function that returns a fresh mapping is a map, one that unmaps its
 * argument an unmap.
 */
#include <linux/highmem.h>

struct folio *get_folio(int index);

/* Maps and returns the address; NULL or an error pointer on failure. */
static char *get_block(int index, struct folio **foliop)
{
	struct folio *folio = get_folio(index);

	if (IS_ERR(folio))
		return ERR_PTR(PTR_ERR(folio));
	*foliop = folio;
	return kmap_local_folio(folio, 0);
}

static void put_block(char *addr, struct folio *folio)
{
	folio_release_kmap(folio, addr);
}

/* A helper returning a pointer into what it is given. */
static char *skip_header(char *p)
{
	return p + 16;
}

/* Negative: wrappers used in order; error pointers are not mappings. */
int use_block(int index)
{
	struct folio *folio;
	char *p = get_block(index, &folio);
	char *body;

	if (IS_ERR(p))
		return PTR_ERR(p);
	body = skip_header(p);
	body[0] = 0;
	put_block(body, folio);
	return 0;
}

/* Positive: a wrapper's mapping leaks on the error path. */
int leak_block(int index)
{
	struct folio *folio;
	char *p = get_block(index, &folio);

	if (IS_ERR(p))
		return PTR_ERR(p);
	if (p[0])
		return -EIO;
	put_block(p, folio);
	return 0;
}

/* Positive: wrappers nest like the API they wrap. */
void wrong_order(int a, int b)
{
	struct folio *fa, *fb;
	char *x = get_block(a, &fa);
	char *y;

	if (IS_ERR(x))
		return;
	y = get_block(b, &fb);
	if (IS_ERR(y)) {
		put_block(x, fa);
		return;
	}
	put_block(x, fa);
	put_block(y, fb);
}

/* An object that owns its mapping: taken and released through it. */
struct buf {
	struct page *page;
	void *base;
};

static void *buf_map(struct buf *b, struct page *page)
{
	b->page = page;
	b->base = kmap_local_page(page);
	return b->base;
}

static void buf_put(struct buf *b)
{
	if (b->base)
		kunmap_local(b->base);
	b->base = NULL;
}

/* Negative: released through the object. */
int use_buf(struct page *page)
{
	struct buf b = { NULL, NULL };
	char *p = buf_map(&b, page);
	int r = p[0];

	buf_put(&b);
	return r;
}

/* Positive: the object is never released on one path. */
int leak_buf(struct page *page, int fail)
{
	struct buf b = { NULL, NULL };
	char *p = buf_map(&b, page);

	if (fail)
		return p[0];
	buf_put(&b);
	return 0;
}

int page_is_high(struct page *p);

/* Zeroes to the end of the page, remapping page by page on HIGHMEM:
 * returns its argument, or releases it and returns a fresh mapping. */
static void *zero_to_end(struct page *p, unsigned long off, void *kaddr)
{
	if (page_is_high(p)) {
		while (off > 100) {
			kunmap_local(kaddr);
			off -= 100;
			kaddr = kmap_local_page(p);
		}
	}
	((char *)kaddr)[0] = 0;
	return kaddr;
}

/* Positive: the mapping the helper hands back is never released. */
int bad_zero_tail_leak(struct page *p, int n)
{
	char *buf = kmap_local_page(p);

	buf = zero_to_end(p, n, buf + n);
	return 0;
}

/* The helper's result is the one mapping to release. */
int zero_tail_released(struct page *p, int n)
{
	char *buf = kmap_local_page(p);

	buf = zero_to_end(p, n, buf + n);
	kunmap_local(buf);
	return 0;
}
