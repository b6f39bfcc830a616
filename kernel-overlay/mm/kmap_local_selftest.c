// SPDX-License-Identifier: GPL-2.0-only
/*
 * Boot-time self-test of kmap_local tracking, run with the kernel
 * parameter "kmap_local_selftest": nested mappings of high pages that are
 * used across sleeps (so context switches save and restore them, with
 * timer interrupts around), and one deliberate out-of-order unmap, which
 * must leave the other mappings intact and print its report. Ends with
 * "kmap_local: selftest passed" or "kmap_local: selftest FAILED".
 * Included by mm/kmap_local_track.c.
 */
#include <linux/gfp.h>
#include <linux/sched.h>

#define KL_TEST_PAGES 4

static bool kl_selftest_on __initdata;

static int __init kl_selftest_setup(char *str)
{
	kl_selftest_on = true;
	return 1;
}
__setup("kmap_local_selftest", kl_selftest_setup);

/* Mapping @i reads the byte pattern it was filled with */
static int __init kl_selftest_check(u8 *const addr[], const bool live[])
{
	int i, bad = 0;

	for (i = 0; i < KL_TEST_PAGES; i++) {
		if (live[i] && (addr[i][0] != 0xa0 + i ||
				addr[i][PAGE_SIZE - 1] != 0xa0 + i))
			bad++;
	}
	return bad;
}

static int __init kl_selftest(void)
{
	struct page *pages[KL_TEST_PAGES];
	u8 *addr[KL_TEST_PAGES];
	bool live[KL_TEST_PAGES];
	int i, n, bad = 0, depth = current->kmap_ctrl.idx;

	if (!kl_selftest_on)
		return 0;
	for (n = 0; n < KL_TEST_PAGES; n++) {
		pages[n] = alloc_page(GFP_HIGHUSER);
		if (!pages[n]) {
			pr_err("kmap_local: selftest FAILED: no memory\n");
			goto out;
		}
	}
	for (i = 0; i < KL_TEST_PAGES; i++) {
		addr[i] = kmap_local_page(pages[i]);
		memset(addr[i], 0xa0 + i, PAGE_SIZE);
		live[i] = true;
	}
	bad += kl_selftest_check(addr, live);
	/* Switched out and in while they are held */
	for (i = 0; i < 20; i++) {
		schedule_timeout_uninterruptible(1);
		bad += kl_selftest_check(addr, live);
	}
	/* On purpose: mapping 1 is not the last one */
	kunmap_local(addr[1]);
	live[1] = false;
	schedule_timeout_uninterruptible(1);
	bad += kl_selftest_check(addr, live);
	kunmap_local(addr[3]);
	kunmap_local(addr[2]);
	kunmap_local(addr[0]);
	/* The hole went with the mapping above it */
	bad += current->kmap_ctrl.idx != depth;
	pr_info("kmap_local: selftest %s: %d mappings held across %d sleeps, high-water mark %d\n",
		bad ? "FAILED" : "passed", KL_TEST_PAGES, 21,
		kmap_local_high_water(current));
out:
	while (n-- > 0)
		__free_page(pages[n]);
	return 0;
}
late_initcall(kl_selftest);
