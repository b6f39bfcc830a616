// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nothing that uses the mapping API is skipped in silence: a function
 * preprocessed out under this configuration, a branch of an audited
 * function preprocessed out, and a function holding a compile error are
 * each reported as not-audited, a note with the reason.
 */
#include <linux/highmem.h>

void use(char *a);

#ifdef CONFIG_NOT_SET
static void only_with_option(struct page *p)
{
	char *a = kmap_local_page(p);

	use(a);
}
#endif

void part_skipped(struct page *p)
{
	char *a = kmap_local_page(p);

#ifdef CONFIG_NOT_SET
	use(a + 1);
	kunmap_local(a);
	return;
#endif
	use(a);
	kunmap_local(a);
}

int broken(struct page *p)
{
	char *a = kmap_local_page(p);

	use(a, undeclared_here);
	kunmap_local(a);
	return 0;
}

#if 0
/* No mapping API in here: nothing to say. */
static int unused(void)
{
	return 0;
}
#endif
