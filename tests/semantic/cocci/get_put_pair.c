// SPDX-License-Identifier: GPL-2.0-only
/* Fixture for kmap_local.cocci in report mode (get_put_pair.res). */
/* A get/put pair whose get helper releases the page itself when the page
 * fails its check and hands it to the caller mapped otherwise: the pair,
 * not a path that may leak. */
int check_dir_page(struct page *page);

static void put_dir_page(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static struct page *get_dir_page(struct address_space *mapping,
				 unsigned long n)
{
	struct page *page = read_mapping_page(mapping, n, NULL);

	if (!IS_ERR(page)) {
		kmap(page);
		if (!check_dir_page(page))
			goto fail;
	}
	return page;

fail:
	put_dir_page(page);
	return ERR_PTR(-EIO);
}
