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

	pgdata = kmap_local_folio(folio, 0);
	memset(pgdata, 1, 10);
	kunmap_local(pgdata);
	return 0;
}

/* Straight from the folio, under a cast. */
static int write_end(struct folio *folio, const char *s)
{
	char *buf;

	buf = (char *)kmap_local_folio(folio, 0);
	buf[0] = s[0];
	kunmap_local(buf);
	return 0;
}

/* The folio changes after the page was taken: the page form stays. */
static int moved(struct folio *folio, struct folio *other)
{
	struct page *page = &folio->page;
	char *buf;

	folio = other;
	buf = kmap_local_page(page);
	buf[0] = 1;
	kunmap_local(buf);
	return 0;
}

/* Not a folio's page (no struct folio): the page form. */
static int not_a_folio(struct holder *h)
{
	char *buf;

	buf = kmap_local_page(&h->page);
	buf[0] = 1;
	kunmap_local(buf);
	return 0;
}

/* Copies through the folio's first page: the folio's copy helpers. */
static int fill_folio(struct folio *folio, const char *data, size_t len)
{
	struct page *page = &folio->page;

	if (len > PAGE_SIZE)
		len = PAGE_SIZE;
	memcpy_to_folio(folio, 0, data, len);
	return 0;
}

static void zero_folio(struct folio *folio)
{
	folio_zero_range(folio, 0, PAGE_SIZE);
}

static void read_folio_head(struct folio *folio, char *buf)
{
	memcpy_from_folio(buf, folio, 0, PAGE_SIZE);
}
