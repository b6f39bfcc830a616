// SPDX-License-Identifier: GPL-2.0-only
/*
 * Functions whose names are spelled through a macro of a header are
 * defined in this file and audited like any other: the leak in
 * new_name_leaks() is found, new_name_balanced() is clean.
 */
#include <linux/highmem.h>
#include <kshape/renames.h>

void use(char *a);

int old_name_leaks(struct page *p, int x)
{
	char *a = kmap_local_page(p);

	if (x)
		return -EIO;
	use(a);
	kunmap_local(a);
	return 0;
}

void old_name_balanced(struct page *p)
{
	char *a = kmap_local_page(p);

	use(a);
	kunmap_local(a);
}
