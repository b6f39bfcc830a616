// SPDX-License-Identifier: GPL-2.0-only
/*
 * A page or folio that was mapped is neither NULL nor an error pointer:
 * an unmap under IS_ERR_OR_NULL() of that very variable runs whenever
 * the mapping is live.  Only the functions named bad_* have findings.
 */
#include <linux/highmem.h>

struct folio *read_folio(int n);
int use(void *p);

int release_at_out(int n)
{
	struct folio *folio = NULL;
	void *addr = NULL;
	int err = 0;

	if (n < 0)
		goto out;
	folio = read_folio(n);
	if (IS_ERR(folio)) {
		err = PTR_ERR(folio);
		goto out;
	}
	addr = kmap_local_folio(folio, 0);
	err = use(addr);
out:
	if (!IS_ERR_OR_NULL(folio))
		folio_release_kmap(folio, addr);
	return err;
}

int bad_other_guard(struct folio *folio, struct folio *other)
{
	void *addr = kmap_local_folio(folio, 0);
	int err = use(addr);

	if (!IS_ERR_OR_NULL(other))
		folio_release_kmap(folio, addr);
	return err;
}

int bad_reassigned(struct folio *folio, int n)
{
	void *addr = kmap_local_folio(folio, 0);
	int err = use(addr);

	folio = read_folio(n);
	if (!IS_ERR_OR_NULL(folio))
		kunmap_local(addr);
	return err;
}
