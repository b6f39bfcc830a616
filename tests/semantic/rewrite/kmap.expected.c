// SPDX-License-Identifier: GPL-2.0-only
/* Golden input: kmap() sites; kunmap() takes the page, kunmap_local() the
 * address, so every unmap must be given the address. */

/* Unmapped through the page on an error path (goto) and the normal one. */
static int fill(struct page *page, int len, int err)
{
	void *addr = kmap_local_page(page);

	if (err)
		goto out;
	memset(addr, 0, len);
out:
	kunmap_local(addr);
	return err;
}

/* The page spelled differently at map and unmap. */
static void spelled(struct buffer_head *bh, struct page *page)
{
	char *p;

	p = kmap_local_page(bh->b_page);
	p[0] = 1;
	kunmap_local(p);
}

/* Offset and cast between the map and the variable. */
static void offset(struct page **pages, int i, int off)
{
	char *p;

	p = (char *)kmap_local_page(pages[i]) + off;
	crc(p, 10);
	kunmap_local(p);
}

/* kmap() for page_address(): the uses become the new address. */
static void via_page_address(struct page *pg, int off)
{
	void *kaddr;

	kaddr = kmap_local_page(pg);
	do_write(kaddr + off, 10);
	kunmap_local(kaddr);
}

/* The variable moves before the unmap: left to a human. */
static void moves(struct page *page, int n)
{
	char *p = kmap(page);

	while (n--)
		*p++ = 0;
	kunmap(page);
}

/* Unmapped in the wrong order: swapped into LIFO order. */
static void wrong_order(struct page *a, struct page *b, int n)
{
	char *dst, *src;

	dst = kmap_local_page(a);
	src = kmap_local_page(b);
	memcpy(dst, src, n);
	kunmap_local(src);
	kunmap_local(dst);
}

/* Wrong order, and the newer mapping is used in between: left alone. */
static void used_between(struct page *a, struct page *b, int n)
{
	char *dst, *src;

	dst = kmap(a);
	src = kmap(b);
	memcpy(dst, src, n);
	kunmap(a);
	src[0] = 0;
	kunmap(b);
}

/* Stored where another thread finds it: kept. */
static void publish(struct cache *c, struct page *page)
{
	c->addr = kmap(page);
}

/* memcpy() from a kmap() and the kunmap() right after: one helper. */
static void read_block(void *data, struct page *page, unsigned int off)
{
	memcpy(data, kmap(page) + off, PAGE_SIZE / 2);
	kunmap(page);
}

/* ... and to one. */
static void write_block(const void *data, struct page *page)
{
	memcpy_to_page(page, 0, data, PAGE_SIZE);
}

/* The variable moves, but was assigned by a statement: a new variable
 * keeps the address for the unmap. */
static void moves_stmt(struct page *page, int n)
{
	void *kaddr;
	char *p;

	kaddr = kmap_local_page(page);
	p = kaddr;
	while (n--)
		*p++ = 0;
	kunmap_local(kaddr);
}

/* An unmap helper (kunmap() + put_page()) called where the page was
 * mapped: inlined there, with kunmap_local() of the address. */
static inline void put_mapped(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static int first_entry(struct page *page, int *out)
{
	struct entry *e;

	e = kmap_local_page(page);
	if (!e->valid) {
		kunmap_local(e);
		put_page(page);
		return -EIO;
	}
	*out = e->value;
	kunmap_local(e);
	put_page(page);
	return 0;
}

/* The helper also releases pages mapped elsewhere: only the calls paired
 * with this function's own kmap() change. */
static void release_other(struct page *mine, struct page *theirs)
{
	char *p = kmap_local_page(mine);

	p[0] = 1;
	put_mapped(theirs);
	kunmap_local(p);
}

/* A cast of page_address() scales the offset after it: it must stay.  A
 * cast whose value is only stored goes (the new variable is a void *). */
static u32 nth_entry(struct page *page, int n)
{
	void *kaddr;
	struct entry *e, *first;
	u32 v;

	kaddr = kmap_local_page(page);
	first = kaddr;
	e = ((struct entry *)kaddr) + n;
	v = e->value + first->value;
	kunmap_local(kaddr);
	return v;
}

/* The variable moves, and the statement assigning it maps with an
 * offset or a cast: the map gets a statement and a variable of its own,
 * which the unmap takes. */
static void moves_offset(struct page *page, unsigned int off, int n)
{
	void *kaddr;
	char *p;

	kaddr = kmap_local_page(page);
	p = kaddr + off;
	while (n--)
		*p++ = 0;
	kunmap_local(kaddr);
}

static void moves_cast(struct page *page, int n)
{
	void *kaddr;
	char *p;

	kaddr = kmap_local_page(page);
	p = kaddr;
	p += n;
	*p = 0;
	kunmap_local(kaddr);
}

static void moves_cast_offset(struct page *page, unsigned int off)
{
	void *kaddr;
	unsigned long p;

	kaddr = kmap_local_page(page);
	p = (unsigned long)kaddr + off;
	p &= ~7UL;
	*(char *)p = 0;
	kunmap_local(kaddr);
}

/* The same in a declaration: the map cannot get a statement before it
 * there, so it stays a human's. */
static void moves_declared(struct page *page, unsigned int off, int n)
{
	char *p = kmap(page) + off;

	while (n--)
		*p++ = 0;
	kunmap(page);
}

/* Two such maps in one function: one declaration names both new
 * variables (spatch cannot add two at one brace). */
static void moves_twice(struct page *a, struct page *b, unsigned int off,
			int n)
{
	void *kaddr, *kaddr2;
	char *p, *q;

	kaddr = kmap_local_page(a);
	p = kaddr + off;
	while (n--)
		*p++ = 0;
	kunmap_local(kaddr);
	kaddr2 = kmap_local_page(b);
	q = kaddr2 + off;
	while (n--)
		*q++ = 0;
	kunmap_local(kaddr2);
}

/* The variable page_address() is stored in takes the mapping itself, the
 * cast dropped (kmap_local_page() returns a void *). */
static void clear_dir(struct page *page)
{
	char *base;

	base = kmap_local_page(page);
	memset(base, 0, 32);
	kunmap_local(base);
}

/* That variable moves on: it cannot be given to kunmap_local(), so a new
 * variable holds the mapping. */
static int sum_entries(struct page *page, int n)
{
	void *kaddr;
	struct entry *e;
	int sum = 0;

	kaddr = kmap_local_page(page);
	e = kaddr;
	while (n--)
		sum += (e++)->value;
	kunmap_local(kaddr);
	return sum;
}

/* A statement between the map and the assignment: a new variable. */
static int flagged_entry(struct page *page, int *flag)
{
	void *kaddr;
	struct entry *e;
	int v;

	kaddr = kmap_local_page(page);
	*flag = 1;
	e = kaddr;
	v = e->value;
	kunmap_local(kaddr);
	return v;
}

/* The address variable moves inside another assignment, (p++)->value:
 * the unmap cannot take it, a new variable holds the mapping. */
static int sum_mapped(struct page *page, int n)
{
	void *kaddr;
	struct entry *p;
	int sum = 0;

	kaddr = kmap_local_page(page);
	p = kaddr;
	while (n--)
		sum += (p++)->value;
	kunmap_local(kaddr);
	return sum;
}

/* Nor is a NULL test of the address plus an offset (the map never fails):
 * every path after it unmaps. */
static int offset_null_test(struct page *page, unsigned int off)
{
	char *buf;

	buf = kmap_local_page(page) + off;
	if (!buf)
		return -ENOMEM;
	buf[0] = 0;
	kunmap_local(buf);
	return 0;
}

/* clear_page() of a kmap() and the kunmap() right after: clear_highpage()
 * maps, clears and unmaps, through a local mapping. */
static void clear_dummy(struct table *t)
{
	clear_highpage(t->dummy);
}

/* The same with a statement before the unmap: no helper, and the address
 * has no variable to unmap it by (manual, saying so). */
static void clear_and_mark(struct table *t)
{
	clear_page(kmap(t->dummy));
	SetPageUptodate(t->dummy);
	kunmap(t->dummy);
}

/* Spelled like clear_dummy()'s, but the unmap after the loop releases a
 * mapping this function did not make: left alone, whatever is rewritten
 * elsewhere in the file. */
static void clear_odd(struct table **tables, int n)
{
	struct table *t;
	int i;

	for (i = 0; i < n; i++) {
		t = tables[i];
		if (i & 1) {
			clear_page(kmap(t->dummy));
			kunmap(t->dummy);
			continue;
		}
		kunmap(t->dummy);
	}
}
