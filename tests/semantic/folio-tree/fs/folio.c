// SPDX-License-Identifier: GPL-2.0-only
/*
 * The first page of a folio, mapped: kmap_local_folio(folio, 0), and the
 * copies memcpy_{to,from}_folio() and folio_zero_range(), where the tree
 * defines them, as current kernels write it.
 */

/* Through a page variable set to the folio's first page, never changed. */
static int read_folio(struct file *file, struct folio *folio)
{
	struct page *page = &folio->page;
	void *pgdata;

	pgdata = kmap(page);
	memset(pgdata, 1, 10);
	kunmap(page);
	return 0;
}

/* Straight from the folio, under a cast. */
static int write_end(struct folio *folio, const char *s)
{
	char *buf;

	buf = (char *)kmap_atomic(&folio->page);
	buf[0] = s[0];
	kunmap_atomic(buf);
	return 0;
}

/* The folio changes after the page was taken: the page form stays. */
static int moved(struct folio *folio, struct folio *other)
{
	struct page *page = &folio->page;
	char *buf;

	folio = other;
	buf = kmap_atomic(page);
	buf[0] = 1;
	kunmap_atomic(buf);
	return 0;
}

/* Not a folio's page (no struct folio): the page form. */
static int not_a_folio(struct holder *h)
{
	char *buf;

	buf = kmap_atomic(&h->page);
	buf[0] = 1;
	kunmap_atomic(buf);
	return 0;
}

/* Copies through the folio's first page: the folio's copy helpers. */
static int fill_folio(struct folio *folio, const char *data, size_t len)
{
	struct page *page = &folio->page;
	void *kaddr;

	if (len > PAGE_SIZE)
		len = PAGE_SIZE;
	kaddr = kmap_atomic(page);
	memcpy(kaddr, data, len);
	kunmap_atomic(kaddr);
	return 0;
}

static void zero_folio(struct folio *folio)
{
	void *kaddr;

	kaddr = kmap_atomic(&folio->page);
	memset(kaddr, 0, PAGE_SIZE);
	flush_dcache_page(&folio->page);
	kunmap_atomic(kaddr);
}

static void read_folio_head(struct folio *folio, char *buf)
{
	memcpy(buf, kmap(&folio->page), PAGE_SIZE);
	kunmap(&folio->page);
}
