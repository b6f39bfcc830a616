// SPDX-License-Identifier: GPL-2.0-only
/* Fixture for tools/kmapconv/reduce.py: what spatch is shown. { */
#include <linux/highmem.h>

#define COPY_HELPER(dst, src)	\
	do {			\
		memcpy(dst, src, 4); \
	} while (0)

struct ring {
	int head;
	char name[8];
};

static const struct ring empty = { .head = 0, .name = "{" };

typedef int (*ring_fn)(struct ring *r);

/* Declarations of functions go; variables stay (their type may decide a
 * match), an attribute does not make one a function. */
static int ring_len(struct ring *r);
static char ring_buf[16] __aligned(8);
static struct ring spare __attribute__((unused));
void kunmap(struct page *page);
EXPORT_SYMBOL(ring_copy);

/* Irrelevant: blanked whole, this comment with it. */
static int ring_len(struct ring *r)
{
	char brace = '}';

	return r->head + (brace == '{');
}

static void ring_copy(struct page *page, struct ring *r)
{
	char *p = kmap_atomic(page);

	memcpy(p, r->name, sizeof(r->name));
	kunmap_atomic(p);
}

static int ring_debug(struct ring *r)
{
#ifdef DEBUG
	pr_info("ring %d\n", r->head);
#endif
	return 0;
}

static int ring_odd(struct ring *r)
{
#ifdef A
	if (r->head) {
#else
	if (!r->head) {
#endif
		return 1;
	}
	return 0;
}

int ring_count = 3;

static void ring_put(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static const char *ring_names[] = { "a{", "b}", };

static int __init ring_init(void) { return ring_len(NULL); }
