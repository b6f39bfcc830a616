// SPDX-License-Identifier: GPL-2.0-only
/*
 * The first page of a folio, mapped: kmap_local_folio(folio, 0) where the
 * tree defines it, as current kernels write it.
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
