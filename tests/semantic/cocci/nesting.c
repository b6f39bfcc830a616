// SPDX-License-Identifier: GPL-2.0-only
/* nesting-sensitive: thread-local, but a blind rewrite could break. */

/* Overlapping maps, unmapped in mapping order (not LIFO). */
static void copy_pages(struct page *dst, struct page *src)
{
	char *d = kmap(dst);
	char *s = kmap(src);

	memcpy(d, s, PAGE_SIZE);
	kunmap(dst);
	kunmap(src);
}

/* Overlapping maps unmapped in reverse order: fine. */
static void copy_pages_lifo(struct page *dst, struct page *src)
{
	char *d = kmap_atomic(dst);
	char *s = kmap_atomic(src);

	memcpy(d, s, PAGE_SIZE);
	kunmap_atomic(s);
	kunmap_atomic(d);
}

/* Out of order only across a return: different paths, fine. */
static int copy_checked(struct page *dst, struct page *src)
{
	char *d = kmap(dst);
	char *s = kmap(src);

	if (!s[0]) {
		kunmap(src);
		kunmap(dst);
		return -EINVAL;
	}
	memcpy(d, s, PAGE_SIZE);
	kunmap(src);
	kunmap(dst);
	return 0;
}

/* Mapping in a loop without unmapping in the same iteration. */
static void map_all(struct page **pages, void **addrs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		addrs[i] = kmap(pages[i]);
		prefetch(addrs[i]);
	}
	for (i = 0; i < n; i++)
		kunmap(pages[i]);
}

static void sum_all(struct page **pages, int n, u32 *sum)
{
	int i;

	for (i = 0; i < n; i++) {
		u32 *p = kmap_atomic(pages[i]);

		*sum += p[0];
		kunmap_atomic(p);
	}
}

/* Map and unmap split across helpers called by one thread. */
static inline void dir_put_page(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static struct page *dir_get_page(struct inode *dir, unsigned long n)
{
	struct page *page = read_mapping_page(dir->i_mapping, n, NULL);

	if (!IS_ERR(page))
		kmap(page);
	return page;
}

/* kmap_atomic() whose region relies on pagefaults being disabled,
 * with the classic fallback to kmap(). */
static int fill_from_user(struct page *page, const char __user *ubuf, int len)
{
	char *kaddr = kmap_atomic(page);
	int left;

	left = __copy_from_user_inatomic(kaddr, ubuf, len);
	kunmap_atomic(kaddr);
	if (left) {
		kaddr = kmap(page);
		left = copy_from_user(kaddr, ubuf, len);
		kunmap(page);
	}
	return left;
}

/* ... or on preemption being disabled. */
static void stamp(struct page *page)
{
	int *p = kmap_atomic(page);

	p[0] = smp_processor_id();
	kunmap_atomic(p);
}

/* The per-CPU access comes after the unmap: not a dependency. */
static void stamp_after(struct page *page)
{
	int *p = kmap_atomic(page);

	p[0] = 0;
	kunmap_atomic(p);
	this_cpu_inc(stamps);
}

/* kmap_atomic() handed out and unmapped elsewhere: split, never cross. */
static void *map_entry(struct page *page)
{
	return kmap_atomic(page);
}

/* A rolling remap: each iteration unmaps the previous mapping first. */
static void walk_blocks(struct buffer_head *bh, int n)
{
	char *kaddr = kmap_atomic(bh->b_page);

	while (n--) {
		consume(kaddr);
		if (next_block(&bh)) {
			kunmap_atomic(kaddr);
			kaddr = kmap_atomic(bh->b_page);
		}
	}
	kunmap_atomic(kaddr);
}

/* The structure holding the address handed to a callee not known to use
 * it only in this thread: it may queue it for another context. */
static void fill_req(struct req *req, struct page *page)
{
	char *data = kmap(page);

	req->buf = data;
	process_req(req);
	kunmap(page);
}

/* A mapping remapped at the end of each pass reaches the call through a
 * pointer at the top of the next pass; after the loop the variable holds
 * another buffer, so the call there is not the one to cite, as the call
 * that may take the mapping on, before the return that may leave it
 * mapped. */
struct walker {
	int (*visit)(struct walker *w, char *item);
};

static int walk_pages(struct walker *w, struct page **pages, int n,
		      char *tail)
{
	char *c = kmap(*pages);
	int err = 0;

	while (n--) {
		err = w->visit(w, c);
		if (err)
			goto out;
		if (n) {
			kunmap(*pages);
			pages++;
			c = kmap(*pages);
		}
	}
	c = tail;
	err = w->visit(w, c);
out:
	if (n >= 0)
		kunmap(*pages);
	return err;
}

/* Cache maintenance by the mapped address may rely on kmap_atomic()'s
 * preemption disable; the call made only when the address is NULL (the
 * page was not mapped) is not in the mapped region and is not cited. */
void blast_dcache_page(unsigned long addr);
void blast_dcache_user_page(unsigned long addr);

static void flush_either(struct page *page, unsigned long addr, int user)
{
	void *vaddr = NULL;

	if (!user) {
		vaddr = kmap_atomic(page);
		addr = (unsigned long)vaddr;
	}
	vaddr ? blast_dcache_page(addr) :
		blast_dcache_user_page(addr);
	if (vaddr)
		kunmap_atomic(vaddr);
}

/* A callback called once per segment: the unmap releases the previous
 * call's mapping before the next is made; the last is released by the
 * caller.  The function has an unmap of the address, before its map. */
struct seg_setup {
	void *segments;
};

static void next_segment(struct page *page, void *data)
{
	struct seg_setup *setup = data;

	if (setup->segments)
		kunmap_atomic(setup->segments);
	setup->segments = kmap_atomic(page);
}

/* The address goes into a kvec, the kvec into the message's iterator:
 * the call given the message is the one that may keep it, not the one
 * that sets the iterator up. */
int send_msg(struct socket *sock, struct msghdr *msg, size_t size);

static int send_page(struct socket *sock, struct page *page, size_t size)
{
	struct msghdr msg = {};
	struct kvec iov;
	char *kaddr;
	int rc;

	kaddr = kmap(page);
	iov.iov_base = kaddr;
	iov.iov_len = size;
	iov_iter_kvec(&msg.msg_iter, WRITE, &iov, 1, size);
	rc = send_msg(sock, &msg, size);
	kunmap(page);
	return rc;
}

/* The iterator set up over the kvec is handed on inside another
 * structure, by assignment: not followed, so not shown to stay. */
struct iter_at {
	struct iov_iter *msg_iter;
};

int push_data(struct sock *sk, struct iter_at at, size_t size);

static int push_page(struct sock *sk, struct page *page, size_t size)
{
	struct iov_iter msg_iter;
	struct iter_at at;
	struct kvec iov;
	char *kaddr;
	int rc;

	kaddr = kmap(page);
	iov.iov_base = kaddr;
	iov.iov_len = size;
	iov_iter_kvec(&msg_iter, WRITE, &iov, 1, size);
	at.msg_iter = &msg_iter;
	rc = push_data(sk, at, size);
	kunmap(page);
	return rc;
}

/* The caller gives the page and an offset into it: a compound page's
 * offset may be past its first page, which kmap() of a lowmem page
 * reaches and a local mapping does not. */
__wsum csum_part(struct page *page, int offset, int copy)
{
	char *kaddr;
	__wsum csum;

	kaddr = kmap(page);
	csum = csum_partial(kaddr + offset, copy, 0);
	kunmap(page);
	return csum;
}

/* An offset masked into the page stays in it. */
__wsum csum_in_page(struct page *page, loff_t pos, int copy)
{
	char *kaddr;
	__wsum csum;

	kaddr = kmap(page);
	csum = csum_partial(kaddr + (pos & ~PAGE_MASK), copy, 0);
	kunmap(page);
	return csum;
}

/* Masked the other way, the position keeps its pages and drops its
 * offset: not in the page. */
__wsum csum_page_base(struct page *page, loff_t pos, int copy)
{
	char *kaddr;
	__wsum csum;

	kaddr = kmap(page);
	csum = csum_partial(kaddr + (pos & PAGE_MASK), copy, 0);
	kunmap(page);
	return csum;
}

/* Reached by index, or through a local set to the address at the
 * offset: accesses as much as a call's. */
void flip_bytes(struct page *page, unsigned int off, unsigned int count)
{
	u8 *kaddr = kmap(page);
	unsigned int i;

	for (i = 0; i < count; i++)
		kaddr[off + i] ^= 0xff;
	kunmap(page);
}

void clear_tail(struct page *page, unsigned int off, unsigned int count)
{
	u8 *kaddr = kmap(page);
	u8 *p = kaddr + off;

	memset(p, 0, count);
	kunmap(page);
}
