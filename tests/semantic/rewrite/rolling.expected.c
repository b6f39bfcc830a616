// SPDX-License-Identifier: GPL-2.0-only
/* Golden input: rolling remaps with no map before the loop.  The unmap at
 * the top of the loop releases the previous pass's mapping. */

/* Converted: the map and both unmaps of its address. */
static int roll_carried(struct page **pages, int n)
{
	char *x = NULL;
	int i, sum = 0;

	for (i = 0; i < n; i++) {
		if (x)
			kunmap_local(x);
		x = kmap_local_page(pages[i]);
		sum += x[0];
	}
	kunmap_local(x);
	return sum;
}

/* The address may hold a mapping made elsewhere on the first pass (the
 * caller's first): manual. */
static int roll_aliased(struct page **pages, int n, char *first)
{
	char *x;
	int i, sum = 0;

	x = first;
	for (i = 0; i < n; i++) {
		kunmap_atomic(x);
		x = kmap_atomic(pages[i]);
		sum += x[0];
	}
	kunmap_atomic(x);
	return sum;
}

/* Code round the loop, before the unmap, runs with the previous pass's
 * mapping live and relies on page faults being off: manual. */
static int roll_faulting(struct page **pages, int n, char __user *ubuf)
{
	char *x = NULL;
	int copied = 0;

	while (n--) {
		if (x) {
			copied += !__copy_to_user_inatomic(ubuf, x, 8);
			kunmap_atomic(x);
		}
		x = kmap_atomic(*pages++);
	}
	if (x)
		kunmap_atomic(x);
	return copied;
}

/* Two rolling remaps in one loop, one of them only on some passes: which
 * mapping is newer after the loop depends on the passes, so the unmaps
 * after it are not swapped into a textual order: manual. */
static int roll_two_in_turn(struct page **in, struct page **out, int n)
{
	char *src = NULL, *dst = NULL;
	int i, sum = 0;

	for (i = 0; i < n; i++) {
		if (src)
			kunmap_atomic(src);
		src = kmap_atomic(in[i]);
		if (i & 1) {
			if (dst)
				kunmap_atomic(dst);
			dst = kmap_atomic(out[i]);
		}
		sum += src[0];
	}
	kunmap_atomic(src);
	kunmap_atomic(dst);
	return sum;
}
