// SPDX-License-Identifier: GPL-2.0-only
/* Golden input: maps in the two arms of one if/else.  No pass runs both
 * arms, so the two mappings never overlap, and the other arm's
 * assignment of the address does not change it. */

/* Each arm's mapping is released in the matching arm of a later if.  The
 * script cannot pair the conditions (kmap-audit can), so the kmap() is
 * manual for that path alone, never for an overlap. */
static long excl_correlated(struct page **pages, const char __user *src,
			    int n, bool may_fault)
{
	void *kaddr;
	unsigned long rc = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (may_fault)
			kaddr = kmap(pages[i]);
		else
			kaddr = kmap_atomic(pages[i]);
		rc = copy_from_user(kaddr, src, PAGE_SIZE);
		if (may_fault)
			kunmap(pages[i]);
		else
			kunmap_atomic(kaddr);
		if (rc)
			break;
	}
	return rc;
}

/* The arms alternate between passes and each mapping outlives its pass:
 * both are live together from the second pass on, and the unmaps after
 * the loop release the older one first. */
static int excl_across_passes(struct page **in, struct page **out)
{
	char *src, *dst;
	int i, v = 0;

	for (i = 0; i < 2; i++) {
		if (i & 1)
			src = kmap_atomic(in[i]);
		else
			dst = kmap_atomic(out[i]);
		v += i;
	}
	kunmap_atomic(dst);
	kunmap_atomic(src);
	return v;
}

/* One unmap after the if releases either arm's mapping: the two maps and
 * the unmap would have to convert together, which the script does not
 * do, so both stay manual. */
static int excl_joined(struct page *a, struct page *b, bool first)
{
	char *x;
	int v;

	if (first)
		x = kmap_atomic(a);
	else
		x = kmap_atomic(b);
	v = x[0];
	kunmap_atomic(x);
	return v;
}

/* Not exclusive: the second map runs after the first in the same pass,
 * and the older mapping is released first. */
static int excl_not(struct page *a, struct page *b, bool first)
{
	char *x, *y;
	int v;

	x = kmap_atomic(a);
	if (first)
		y = kmap_atomic(b);
	else
		y = x;
	v = x[0] + y[0];
	kunmap_atomic(x);
	if (first)
		kunmap_atomic(y);
	return v;
}

/* Each arm maps and unmaps its own page: both convert. */
static int excl_each_arm(struct page *a, struct page *b, bool first)
{
	char *x;
	int v;

	if (first) {
		x = kmap_atomic(a);
		v = x[0];
		kunmap_atomic(x);
	} else {
		x = kmap_atomic(b);
		v = x[1];
		kunmap_atomic(x);
	}
	return v;
}
