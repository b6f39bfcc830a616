// SPDX-License-Identifier: GPL-2.0-only
/*
 * A build-time assertion that fails for another reason: a parse error
 * (the file does not build), but the function is still audited.
 */
#define KSHAPE_STATIC_ASSERT
#include <kshape/highmem.h>

struct rec {
	char data[12];
};

int copy_rec(struct page *page, struct rec *out, int fail)
{
	char *addr = kmap_local_page(page);

	BUILD_BUG_ON(sizeof(*out) % 8);
	if (fail)
		return -1;
	memcpy(out, addr, sizeof(*out));
	kunmap_local(addr);
	return 0;
}
