// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path sensitivity: if/else, switch, loops, goto to a cleanup label,
 * early returns and conditional maps.  Only the functions named bad_*
 * have findings.
 */
#include <linux/highmem.h>

int check(const char *p);
int next_step(void);

/* Conditional map and unmap under the same unchanged condition. */
void same_condition(struct page *page, int x)
{
	char *a = NULL;

	if (x)
		a = kmap_local_page(page);
	next_step();
	if (x)
		kunmap_local(a);
}

/* The mapped address itself tested for NULL. */
void null_test(struct page *page, int want)
{
	char *a = NULL;

	if (want)
		a = kmap_local_page(page);
	if (a)
		kunmap_local(a);
}

/* A flag set with the mapping. */
int flag_set(struct page *page, char *fallback, int big)
{
	bool mapped = false;
	char *src = fallback;
	int r;

	if (big) {
		src = kmap_local_page(page);
		mapped = true;
	}
	r = check(src);
	if (mapped)
		kunmap_local(src);
	return r;
}

/* A map kept across loop iterations and replaced when needed. */
int remap_in_loop(struct page **pages, int n)
{
	struct page *mapped_page = NULL;
	char *kaddr = NULL;
	int i, sum = 0;

	for (i = 0; i < n; i++) {
		if (!mapped_page || pages[i] != mapped_page) {
			if (mapped_page)
				kunmap_local(kaddr);
			mapped_page = pages[i];
			kaddr = kmap_local_page(mapped_page);
		}
		sum += kaddr[i];
	}
	if (mapped_page)
		kunmap_local(kaddr);
	return sum;
}

/* switch: every case releases. */
int switch_all(struct page *page, int mode)
{
	char *a = kmap_local_page(page);
	int r;

	switch (mode) {
	case 0:
		r = a[0];
		break;
	case 1:
	case 2:
		r = a[1];
		kunmap_local(a);
		return r;
	default:
		r = -1;
	}
	kunmap_local(a);
	return r;
}

/* switch: one case returns with the mapping live. */
int bad_switch_case(struct page *page, int mode)
{
	char *a = kmap_local_page(page);

	switch (mode) {
	case 0:
		return a[0];
	default:
		break;
	}
	kunmap_local(a);
	return 0;
}

/* Loops with break and continue. */
int loop_break_continue(struct page **pages, int n)
{
	int i, found = -1;

	for (i = 0; i < n; i++) {
		char *p = kmap_local_page(pages[i]);

		if (!p[0]) {
			kunmap_local(p);
			continue;
		}
		if (check(p)) {
			found = i;
			kunmap_local(p);
			break;
		}
		kunmap_local(p);
	}
	return found;
}

/* A break that skips the unmap. */
int bad_loop_break(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *p = kmap_local_page(pages[i]);

		if (check(p))
			break;
		kunmap_local(p);
	}
	return i;
}

/* while and do/while. */
void while_loops(struct page *page, int n)
{
	char *p;

	while (n-- > 0) {
		p = kmap_local_page(page);
		p[0] = 0;
		kunmap_local(p);
	}
	do {
		p = kmap_local_page(page);
		kunmap_local(p);
	} while (check(NULL));
}

/* goto to cleanup labels, in reverse order of setup. */
int goto_ladder(struct page *a, struct page *b)
{
	char *x, *y;
	int err = 0;

	x = kmap_local_page(a);
	if (check(x)) {
		err = -EIO;
		goto out_x;
	}
	y = kmap_local_page(b);
	if (check(y)) {
		err = -EIO;
		goto out_y;
	}
	x[0] = y[0];
out_y:
	kunmap_local(y);
out_x:
	kunmap_local(x);
	return err;
}

/* The kernel's "mapping that never fails": NULL checks are dead code. */
int never_null(struct page *page)
{
	char *p = kmap_local_page(page);

	if (!p)
		return -ENOMEM;
	p[0] = 0;
	kunmap_local(p);
	return 0;
}

/* An early return on a mapped path forgets the unmap. */
int bad_early_return(struct page *page, int n)
{
	char *p = kmap_local_page(page);

	if (n > 4) {
		if (check(p))
			return -EIO;
	}
	kunmap_local(p);
	return 0;
}

/* A noreturn call ends the path: nothing leaks. */
void dies(struct page *page)
{
	char *p = kmap_local_page(page);

	if (check(p))
		panic("bad page");
	kunmap_local(p);
}

/* Conditions with && and ||. */
void and_or(struct page *page, int x, int y)
{
	char *p = NULL;

	if (x && y)
		p = kmap_local_page(page);
	if (x && y)
		kunmap_local(p);
}
