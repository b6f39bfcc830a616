// SPDX-License-Identifier: GPL-2.0-only
/* escape: a local mapping made visible to other contexts. */
#include <linux/highmem.h>

static void *last_mapped;

struct job {
	struct work_struct work;
	void *buf;
};

/* Positive: stored in a global. */
void remember(struct page *page)
{
	void *addr = kmap_local_page(page);

	last_mapped = addr;
	kunmap_local(addr);
}

/* Positive: the object holding it is handed to a workqueue. */
void defer(struct workqueue_struct *wq, struct job *job, struct page *page)
{
	job->buf = kmap_local_page(page);
	queue_work(wq, &job->work);
}

struct state {
	void *addr;
	int len;
};

/* Negative: a structure on the stack is part of this frame. */
int on_stack(struct page *page)
{
	struct state st;
	int r;

	st.addr = kmap_local_page(page);
	st.len = 1;
	r = ((char *)st.addr)[0];
	kunmap_local(st.addr);
	return r;
}

static void keep(void *p)
{
	last_mapped = p;
}

static void keep_later(void *p)
{
	keep(p);
}

/* Positive: a helper of the file stores it in a global, two calls deep. */
void remember_through_helper(struct page *page)
{
	void *addr = kmap_local_page(page);

	keep_later(addr);
	kunmap_local(addr);
}

static void fill(struct state *st, void *addr)
{
	st->addr = addr;
	st->len = 1;
}

/* Negative: a helper stores it in this frame's structure. */
int through_frame_helper(struct page *page)
{
	struct state st;
	int r;

	fill(&st, kmap_local_page(page));
	r = ((char *)st.addr)[0];
	kunmap_local(st.addr);
	return r;
}

static void later(struct workqueue_struct *wq, struct work_struct *w)
{
	queue_work(wq, w);
}

/* Positive: a helper of the file hands it to a workqueue (and it is
 * never unmapped here). */
void defer_through_helper(struct workqueue_struct *wq, struct page *page)
{
	struct work_struct *w = kmap_local_page(page);

	later(wq, w);
}
