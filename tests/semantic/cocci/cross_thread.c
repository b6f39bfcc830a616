// SPDX-License-Identifier: GPL-2.0-only
/* cross-thread: the mapping may be used outside the mapping thread. */

struct cache_ctl {
	struct page *page;
	void **slots;
	char *tail;
};

static void *last_map;
static char *maps[4];

/* Parked in a structure field, unmapped by another function. */
static int cache_fill(struct cache_ctl *ctl, struct page *page)
{
	ctl->page = page;
	ctl->slots = kmap(ctl->page);
	return 0;
}

void cache_release(struct cache_ctl *ctl)
{
	if (ctl->page) {
		kunmap(ctl->page);
		ctl->page = NULL;
	}
}

/* Stored in a global and an array. */
static void remember(struct page *page, int i)
{
	last_map = kmap(page);
	maps[i] = kmap(page + 1);
}

/* A pointer derived from the address stored in a field. */
static void tail_of(struct cache_ctl *ctl, struct page *page)
{
	char *base = kmap(page);
	char *tail = base + PAGE_SIZE / 2;

	ctl->tail = tail;
}

/* Returned; cache_release() unmaps a page, not one this map is paired with. */
static char *map_it(struct page *page)
{
	char *kaddr = kmap(page);

	return kaddr + 8;
}

/* Handed to deferred work, directly and inside a structure. */
static void defer_direct(struct page *page)
{
	void *buf = kmap(page);

	kthread_run(worker_fn, buf, "worker");
	wait_for_done();
	kunmap(page);
}

static void defer_struct(struct req *req, struct page *page)
{
	char *data = kmap(page);

	req->buf = data;
	queue_work(system_wq, &req->work);
	flush_work(&req->work);
	kunmap(page);
}

/* The return tests the address and hands back a status: the mapping
 * leaves through the caller's structure alone, not the return. */
struct bo_map {
	void *virtual;
	struct page *page;
};

static int bo_map_page(struct bo_map *map, struct page *page)
{
	map->page = page;
	map->virtual = kmap(map->page);
	return (!map->virtual) ? -ENOMEM : 0;
}
