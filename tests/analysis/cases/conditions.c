// SPDX-License-Identifier: GPL-2.0-only
/*
 * Branch pruning: a branch is pruned only where its condition is proved
 * constant.  A ?: inside a condition, a counter changed by ++, the
 * front end's guess for __builtin_constant_p() and a configuration
 * constant prove nothing about the path.  Only the functions named bad_*
 * have findings.
 */
#include <linux/highmem.h>

/* This build's configuration: CONFIG_HIGHMEM is off. */
#define IS_ENABLED(option) 0
#define WRITE 1

struct bio {
	unsigned long bi_opf;
};

/* The kernel's bio_data_dir(): a ?: inside the macro. */
#define bio_data_dir(bio) ((bio)->bi_opf & 1 ? WRITE : 0)

int op(int x);
void use(char *a);

int bad_cond_in_if(struct page *p, int x)
{
	char *a;

	if (op(x) ? 1 : 0) {
		a = kmap_local_page(p);
		use(a);
	}
	return 0;
}

int bad_cond_compared(struct page *p, int x)
{
	char *a;

	if ((op(x) ? 1 : 0) == 1) {
		a = kmap_local_page(p);
		use(a);
	}
	return 0;
}

void bad_macro_with_cond(struct bio *bio, struct page *p)
{
	char *a;

	if (bio_data_dir(bio) == WRITE) {
		a = kmap_local_page(p);
		use(a);
		kunmap_local(a);
		use(a);
	}
}

void bad_counter(struct page *p)
{
	char *a;
	int n = 0;

	if (++n) {
		a = kmap_local_page(p);
		use(a);
	}
}

void bad_constant_p(struct page *p, int len)
{
	char *a;

	if (__builtin_constant_p(len) && len > 8) {
		a = kmap_local_page(p);
		use(a);
	}
}

void bad_config_dead_here(struct page *p)
{
	char *a;

	if (IS_ENABLED(CONFIG_HIGHMEM)) {
		a = kmap_local_page(p);
		use(a);
	}
}

/* Both tests of the option go the same way on every path. */
void config_correlated(struct page *p, char *lowmem)
{
	char *a = lowmem;

	if (IS_ENABLED(CONFIG_HIGHMEM))
		a = kmap_local_page(p);
	use(a);
	if (IS_ENABLED(CONFIG_HIGHMEM))
		kunmap_local(a);
}

/* Proved constant whatever op() returns: pruned. */
void constant_cond(struct page *p, int x)
{
	char *a;

	if (0 ? op(x) : 0) {
		a = kmap_local_page(p);
		use(a);
	}
}

/* The address's offset in its page may be 0: the remap is a path. */
void bad_offset_test(struct page **pages, int n)
{
	char *addr = kmap_local_page(pages[0]);
	int i;

	for (i = 1; i < n; i++) {
		addr += 512;
		if (((unsigned long)addr & (PAGE_SIZE - 1)) == 0) {
			kunmap_local(addr - 512);
			use(addr - 512);
			addr = kmap_local_page(pages[i]);
		}
	}
	kunmap_local(addr);
}
