// SPDX-License-Identifier: GPL-2.0-only
/* thread-local: map and unmap in one function, address kept local. */

static void copy_out(struct page *page, char *buf, unsigned int off)
{
	char *addr = kmap_atomic(page);

	memcpy(buf, addr + off, 16);
	kunmap_atomic(addr);
}

/* Cast and offset at the map, unmap on the error path too. */
static int fill(struct buffer_head *bh, struct page *page, int n)
{
	struct entry *e;
	int err = 0;

	e = (struct entry *)kmap(page) + n;
	if (!e->valid) {
		err = -EIO;
		goto out;
	}
	e->count++;
out:
	kunmap(page);
	return err;
}

/* kmap(page) with the address taken from page_address(). */
static void zero_tail(struct page *page, unsigned int from)
{
	kmap(page);
	memset(page_address(page) + from, 0, PAGE_SIZE - from);
	kunmap(page);
}

/* Stored in a field but unmapped in the same function: still local. */
static void scan(struct walker *w, struct page *page)
{
	w->base = kmap(page);
	walk_entries(w->base);
	kunmap(page);
}

/* Passed straight to a local helper. */
static void read_block(struct page *page, void *data)
{
	memcpy(data, kmap(page), PAGE_SIZE);
	kunmap(page);
}

/* The page spelled differently at map and unmap. */
static void touch(struct buffer_head *bh)
{
	struct page *page = bh->b_page;
	char *p = kmap(bh->b_page);

	p[0] = 1;
	kunmap(page);
}
