// SPDX-License-Identifier: GPL-2.0-only
/* Fixture for tools/kmapconv/reduce.py: what spatch is shown. { */


#define COPY_HELPER(dst, src)	\
	do {			\
		memcpy(dst, src, 4); \
	} while (0)

struct ring {
	int head;
	char name[8];
};

static const struct ring empty = {};

typedef int (*ring_fn)(struct ring *r);




static char ring_buf[16] __aligned(8);
static struct ring spare __attribute__((unused));
void kunmap(struct page *page);










static void ring_copy(struct page *page, struct ring *r)
{
	char *p = kmap_atomic(page);

	memcpy(p, r->name, sizeof(r->name));
	kunmap_atomic(p);
}

static int ring_debug(struct ring *r)
{
#ifdef DEBUG

#endif

}

static int ring_odd(struct ring *r)
{
#ifdef A

#else

#endif



}

int ring_count = 3;

static void ring_put(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static const char *ring_names[] = {};


