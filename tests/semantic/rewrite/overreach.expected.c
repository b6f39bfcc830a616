// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shapes where a rule that holds on filesystems would overreach, each next
 * to the nearby shape that must still be rewritten.
 */

/* A user copy that relies on kmap_atomic()'s pagefault_disable(): a fault
 * must end the copy short.  The map is not a plain statement, so the
 * explicit disable cannot be placed: manual. */
size_t copy_in_atomic(struct page *page, size_t offset, size_t bytes,
		      struct iov_iter *i)
{
	char *p;
	size_t n;

	p = kmap_atomic(page) + offset;
	n = __copy_from_iter(p, bytes, i);
	kunmap_atomic(p);
	return n;
}

/* The same need with a plain map statement: pagefault_disable() made
 * explicit around the region. */
static unsigned long fill_from_user(struct page *page, const char __user *buf,
				    unsigned long len)
{
	char *kaddr;
	unsigned long left;

	kaddr = kmap_local_page(page);
	pagefault_disable();
	left = __copy_from_user(kaddr, buf, len);
	pagefault_enable();
	kunmap_local(kaddr);
	return left;
}

/* A callee whose name says it runs atomic: manual. */
static void fold_atomic(struct page *page, struct state *st)
{
	void *kaddr;

	kaddr = kmap_atomic(page);
	state_update_atomic(st, kaddr);
	kunmap_atomic(kaddr);
}

/* The address a caller mapped, released here before a map of another
 * variable: only the new map and its own unmap are rewritten; the
 * caller's kunmap_atomic() stays. */
static void table_unmap_unlock(struct table *pt)
{
	struct dir *pd = pt->pd;
	u32 *v;

	kunmap_atomic(pt->v);
	if (pt->count == 0) {
		v = kmap_local_page(pd->p);
		v[pt->index] = pd->invalid;
		kunmap_local(v);
	}
}

/* Kept mapped across calls in the caller's structure on purpose; another
 * function unmaps it: never "add the missing unmap". */
void iter_copy(struct info_iter *iter, void *data, unsigned long bytes)
{
	unsigned long this;

	while (bytes) {
		if (!iter->addr)
			iter->addr = kmap_atomic(*iter->pages);
		this = min(bytes, PAGE_SIZE - iter->offset);
		memcpy(iter->addr + iter->offset, data, this);
		data += this;
		bytes -= this;
		iter->offset += this;
		if (iter->offset == PAGE_SIZE) {
			kunmap_atomic(iter->addr);
			iter->addr = NULL;
			iter->offset = 0;
			iter->pages++;
		}
	}
}

/* Stored in a field and unmapped on every path: still local. */
static void stash_and_copy(struct cursor *c, struct page *page, void *dst,
			   unsigned int len)
{
	c->addr = kmap_local_page(page);
	memcpy(dst, c->addr, len);
	kunmap_local(c->addr);
}

/* The structure holding the address goes to a callee that may run the
 * transfer from another context: not rewritten (manual). */
static int xfer_page(struct host *host, struct page *page, unsigned int off)
{
	struct transfer *t = &host->t;
	void *kaddr;
	int status;

	kaddr = kmap(page);
	t->tx_buf = kaddr + off;
	status = host_write_block(host, t);
	kunmap(page);
	return status;
}

/* A length the code does not bound: memcpy() stays, the map converts. */
static void frag_copy(struct frag *f, u32 off, u32 len, u8 *to)
{
	u32 p_off, p_len, copied;
	struct page *p;
	u8 *vaddr;

	frag_foreach_page(f, off, len, p, p_off, p_len, copied) {
		vaddr = kmap_local_page(p);
		memcpy(to + copied, vaddr + p_off, p_len);
		kunmap_local(vaddr);
	}
}

/* A length clamped to the rest of the page: memcpy_to_page(), and the
 * rewrite cites the bound. */
static void copy_to_pages(struct page **pages, size_t pgbase, const char *p,
			  size_t len)
{
	size_t copy;

	for (;;) {
		copy = PAGE_SIZE - pgbase;
		if (copy > len)
			copy = len;

		memcpy_to_page(*pages, pgbase, p, copy);

		len -= copy;
		if (len == 0)
			break;
		pgbase = 0;
		p += copy;
		pages++;
	}
}

/* The offset changes on the next pass of a loop the bound is outside of:
 * not proved, memcpy() stays. */
static void copy_run(struct page **pages, size_t pgbase, const char *p,
		     size_t n)
{
	char *vto;
	size_t copy = PAGE_SIZE - pgbase;

	while (n--) {
		vto = kmap_local_page(*pages++);
		memcpy(vto + pgbase, p, copy);
		kunmap_local(vto);
		pgbase += 8;
	}
}

/* The address of a local structure holding the mapping goes to a callee
 * (here one taking a callback): manual too, the callee must be read. */
static void copy_grants(struct page *page, struct grant_range *r)
{
	struct copy_info info;

	info.data = kmap_atomic(page);
	foreach_grant_in_range(page, r, copy_one_grant, &info);
	kunmap_atomic(info.data);
}

/* A page kept mapped for a cache that other code reads through
 * page_address(): the kmap()'s result is discarded and another function
 * unmaps.  A local mapping would serve this thread only: kept, never
 * advised to be made local. */
static void cache_insert(struct page *page, struct cache_entry *e)
{
	if (!page_private(page)) {
		set_page_private(page, (unsigned long)e);
		kmap(page);
	}
}

static void cache_remove(struct page *page)
{
	set_page_private(page, 0);
	kunmap(page);
}

/* The same discarded result with the page used through page_address()
 * and unmapped in the function: one thread, rewritten. */
static void fill_page(struct page *page, int c)
{
	void *kaddr;

	kaddr = kmap_local_page(page);
	memset(kaddr, c, PAGE_SIZE);
	kunmap_local(kaddr);
}

/* A get helper: the page's buffer goes to the caller, whose put helper
 * unmaps it.  The success path leaves the page mapped on purpose; adding
 * an unmap there would break every caller: manual, split across
 * functions, never "add the missing unmap". */
static int get_mapped_block(struct inode *inode, struct buffer_head **bhp)
{
	struct buffer_head *bh;
	void *kaddr;
	int err;

	err = read_block(inode, &bh);
	if (err)
		return err;
	kaddr = kmap(bh->b_page);
	if (block_invalid(kaddr)) {
		kunmap(bh->b_page);
		brelse(bh);
		return -EIO;
	}
	*bhp = bh;
	return 0;
}

/* Every page mapped in one loop and unmapped in another through a
 * variable holding the page, which also maps other pages: no claim that
 * nothing unmaps them (manual, the alias named). */
static void map_frame(struct page **pages, int n, struct page **disk, int nd)
{
	struct page *pg;
	int i;

	for (i = 0; i < n; i++)
		kmap(pages[i]);
	for (i = 0; i < nd; i++) {
		pg = disk[i];
		kmap(pg);
	}
	decompress_frame(pages, n, disk, nd);
	for (i = 0; i < nd; i++) {
		pg = disk[i];
		kunmap(pg);
	}
	for (i = 0; i < n; i++) {
		pg = pages[i];
		kunmap(pg);
	}
}

/* A rolling remap whose first map stays kmap(): the unmap in the loop
 * releases both maps' mappings, so the map in the loop cannot be
 * converted alone (manual, naming the shared unmap). */
static int roll_kept(struct page **pages, int n, char *buf, int bad)
{
	char *c = kmap(*pages) + 8;
	int i;

	if (bad)
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(buf, c, 8);
		kunmap(*pages);
		pages++;
		c = kmap(*pages);
	}
	kunmap(*pages);
	return 0;
}

/* The same with both maps convertible: both are, and every unmap takes
 * the current address. */
static int roll_both(struct page **pages, int n, char *buf)
{
	char *c = kmap_local_page(*pages) + 8;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(buf, c, 8);
		kunmap_local(c);
		pages++;
		c = kmap_local_page(*pages);
	}
	kunmap_local(c);
	return 0;
}

/* Two maps on two branches and one unmap after they join: the second
 * map alone must not be converted (its kunmap_local() would release the
 * first branch's kmap_atomic(), leaving preemption and page faults
 * disabled); the first names the shared unmap. */
static int branch_maps(struct page *p, struct page *q, int x, char *buf)
{
	char *a;

	if (x)
		a = kmap_atomic(p);
	else
		a = kmap_atomic(q);
	memcpy(buf, a, 8);
	kunmap_atomic(a);
	return 0;
}

/* The same page mapped twice and unmapped twice: each kunmap() pairs
 * with the later map, so the first would keep its kmap() and the second
 * get both kunmap_local()s.  Neither is converted; neither is said to
 * have no unmap. */
static int mapped_twice(struct page *p, char *buf)
{
	char *a = kmap(p);
	char *b = kmap(p);

	memcpy(a, b + 8, 8);
	kunmap(p);
	kunmap(p);
	return 0;
}

struct holder {
	char *buf;
};

/* The address stored in a structure and unmapped through a local copy
 * of it: manual, with that unmap named, never "no unmap here". */
static int through_field(struct holder *h, struct page *p, char *out)
{
	char *x;

	h->buf = kmap_atomic(p);
	x = h->buf;
	memcpy(out, x, 8);
	kunmap_atomic(x);
	return 0;
}

static char *last_mapped;

/* The address stored in a global, or in a function's static variable,
 * where another thread can read it while the page is mapped: kept,
 * never advised into a local variable. */
static int store_global(struct page *p, char *out)
{
	last_mapped = kmap(p);
	memcpy(out, last_mapped, 8);
	kunmap(p);
	return 0;
}

static int store_static(struct page *p, char *out)
{
	static char *prev;
	char *a = kmap_atomic(p);

	prev = a;
	memcpy(out, a, 8);
	kunmap_atomic(a);
	return 0;
}

/* A kmap() region may sleep: a callee given the address may pass it to
 * another thread and wait for it, where only a kmap() address is valid.
 * Called through a function pointer, the callee cannot be read: manual.
 * Given something else, or called by name, the rewrite stands. */
struct sector_ops {
	int (*readsect)(void *dev, unsigned long block, char *buf);
};

int read_sector(void *dev, unsigned long block, char *buf);

static int read_through_ops(struct sector_ops *ops, void *dev,
			    struct page *page, unsigned long block)
{
	char *buf = kmap(page);
	int err = ops->readsect(dev, block, buf + 512);

	kunmap(page);
	return err;
}

static int read_by_name(struct sector_ops *ops, void *dev,
			struct page *page, unsigned long block)
{
	char *buf = kmap_local_page(page);
	int err = read_sector(dev, block, buf) ?: ops->readsect(dev, block,
								NULL);

	kunmap_local(buf);
	return err;
}

/* Cache maintenance by the mapped address in a kmap_atomic() region ran
 * on the mapping CPU: per-CPU caches, or a broadcast to CPUs that do not
 * map a local address, would miss after a migration.  Preemption stays
 * off explicitly; where the map is a declaration that cannot be placed,
 * the site is manual.  Given the page, not the address, it is no
 * dependency. */
void flush_data_cache_page(unsigned long addr);
void __flush_purge_region(void *start, int size);

static void copy_and_flush(struct page *to, const void *from)
{
	void *vto;

	vto = kmap_local_page(to);
	preempt_disable();
	copy_page(vto, from);
	flush_data_cache_page((unsigned long)vto);
	preempt_enable();
	kunmap_local(vto);
}

static void clear_and_purge(struct page *page)
{
	void *kaddr = kmap_atomic(page);

	clear_page(kaddr);
	__flush_purge_region(kaddr, PAGE_SIZE);
	kunmap_atomic(kaddr);
}

static void clear_and_flush_page(struct page *page)
{
	void *kaddr = kmap_local_page(page);

	clear_page(kaddr);
	flush_dcache_page(page);
	kunmap_local(kaddr);
}

/* The map and its unmap as the bodies of an else without braces: the
 * explicit disable would need braces on every arm, left to a human. */
void *kmap_coherent(struct page *page, unsigned long addr);
void kunmap_coherent(void);

static void flush_either(struct page *page, unsigned long addr, int coherent)
{
	void *vaddr;

	if (coherent)
		vaddr = kmap_coherent(page, addr);
	else
		vaddr = kmap_atomic(page);
	flush_data_cache_page((unsigned long)vaddr);
	if (coherent)
		kunmap_coherent();
	else
		kunmap_atomic(vaddr);
}

static void flush_in_else(struct page *page, int skip)
{
	void *vaddr;

	if (skip)
		return;
	else
		vaddr = kmap_atomic(page);
	flush_data_cache_page((unsigned long)vaddr);
	kunmap_atomic(vaddr);
}

/* An unmap whose address is computed from an offset changed after the
 * map points into another page (a bug the current call has too):
 * manual, with that reason, instead of carrying it over. */
static void copy_prot(struct scatterlist *sg, char *paddr, unsigned int left)
{
	unsigned int offset = 0, len;
	char *addr;

	addr = kmap_atomic(sg_page(sg)) + sg->offset + offset;
	len = min(left, sg->length - offset);
	memcpy(paddr, addr, len);
	offset += len;
	kunmap_atomic(addr - sg->offset - offset);
}

/* A map in the body of a macro: not in a function, so no unmap "in" it
 * is missing; each use of the macro is a site of its own. */
#define frame_map(pg)		kmap_atomic((pg))
#define frame_unmap(addr)	kunmap_atomic((addr))

/* The address given to a callee before the path that leaves it mapped
 * returns: the callee may keep the mapping for another function to
 * release, so the advice to add an unmap on that path says so. */
static int hand_over(struct page *page, struct pkt *pkt, int n)
{
	char *p = kmap(page);
	int ret;

	if (fill(p, n) < 0) {
		kunmap(page);
		return -EINVAL;
	}
	ret = queue_frags(pkt, page, p);
	return ret;
}

/* A copy of more than one page through the address: kmap() of a lowmem
 * higher-order page reaches the pages after it, a local mapping maps the
 * one page.  Kept kmap(). */
static void copy_order(struct page *page, const u8 *buf, int order)
{
	int size = PAGE_SIZE << order;
	void *kaddr = kmap(page);

	memcpy(kaddr, buf, size);
	flush_dcache_page(page);
	kunmap(page);
}

/* A copy bounded by the page, and a file offset (not a length) made of
 * pages: converted. */
static void copy_in_page(struct page *page, const u8 *buf, size_t len)
{
	void *kaddr = kmap_local_page(page);

	memcpy(kaddr, buf, min_t(size_t, len, PAGE_SIZE));
	log_write(kaddr, (loff_t)page->index << PAGE_SHIFT);
	kunmap_local(kaddr);
}

/* The address given to sg_set_buf(), which finds its page through the
 * linear map: a local mapping's address is not there.  Kept kmap(). */
static void hash_page(struct page *page, struct scatterlist *sg, size_t len)
{
	void *kaddr = kmap(page);

	sg_set_buf(sg, kaddr, len);
	hash_sg(sg);
	kunmap(page);
}

/* The address given to a function beside this file that hands it on by
 * its linear address ((uintptr_t)buf in hostcall.h): kept kmap(). */
static int write_through_host(struct page *page, u32 handle, u32 len)
{
	u8 *kaddr = kmap(page);
	int err;

	err = host_write(handle, kaddr, len);
	kunmap(page);
	return err;
}

/* kmap() of a scatterlist entry's first page: the entry's data may run on
 * into the next pages, which kmap() of lowmem pages reaches and a local
 * mapping does not.  Kept kmap(). */
static int entry_zero(struct scatterlist *sg, size_t len)
{
	unsigned char *buf, *not_zero;

	buf = kmap(sg_page(sg)) + sg->offset;
	not_zero = memchr_inv(buf, 0x00, len);
	kunmap(sg_page(sg));
	return not_zero ? -EINVAL : 0;
}

/* The same through a local set to the entry's page, block by block. */
static int entry_blocks(struct scatterlist *sg, int blocks, size_t len)
{
	int i, err = 0;

	for (i = 0; i < blocks && !err; i++) {
		struct page *page;
		u8 *buf;

		page = sg_page(sg);
		buf = kmap(page) + sg->offset + len * i;
		err = block_io(buf, len);
		kunmap(page);
	}
	return err;
}

/* kmap_atomic() mapped the one page already: converted. */
static u32 entry_sum(struct scatterlist *sg)
{
	u8 *buf = kmap_local_page(sg_page(sg)) + sg->offset;
	u32 sum = checksum(buf, sg->length);

	kunmap_local(buf);
	return sum;
}

/* The address less an amount nothing bounds by the offset into the page
 * (where the data began in an earlier page): kept kmap(). */
static int setup_back(struct page *page, struct info *info, size_t off)
{
	u8 *kbuff = kmap(page);
	int ret;

	kbuff += off;
	ret = parse_header(info, kbuff - info->count, info->count);
	kunmap(page);
	return ret;
}

/* A difference of two pointers into the mapping is a length: converted. */
static size_t used_len(struct page *page, size_t off)
{
	u8 *kaddr = kmap_local_page(page);
	u8 *end = kaddr + off;
	size_t n = end - kaddr;

	kunmap_local(kaddr);
	return n;
}

/* The address given to a function beside this file that puts it in a
 * kvec (conn_send() in hostcall.h), whose consumer may take its pages
 * back: kept kmap(). */
static int send_through_kvec(struct page *page, struct conn *c, u32 len)
{
	char *kaddr = kmap(page);
	int err;

	err = conn_send(c, kaddr, len);
	kunmap(page);
	return err;
}

/* A function beside it reads the page through page_address(), which finds
 * a highmem page's kmap() mapping and not a local one: kept kmap(). */
static int page_is_clear(struct page *page)
{
	u8 *contents = page_address(page);

	return !memchr_inv(contents, 0, PAGE_SIZE);
}

static int copy_if_clear(struct page *page, u8 *buf)
{
	u8 *kaddr = kmap(page);
	int clear;

	memcpy(buf, kaddr, 16);
	clear = page_is_clear(page);
	kunmap(page);
	return clear;
}

/* The address handed to a helper of this file that keeps it in a
 * variable outside any function, where other threads may find it: left
 * to a human (the variable may hold it only while the helper runs). */
static void *last_block;

static void remember_block(void *block)
{
	last_block = block;
}

static void read_block_remembered(struct page *page, u8 *out)
{
	u8 *kaddr = kmap(page);

	memcpy(out, kaddr, 16);
	remember_block(kaddr);
	kunmap(page);
}

/* ... or that keeps it, two calls down, where deferred work finds it:
 * kept kmap(). */
static struct block_work pending;

static void queue_block(void *block)
{
	pending.data = block;
	schedule_work(&pending.work);
}

static void submit_block(void *block, int n)
{
	if (n)
		queue_block(block + n);
}

static void write_block_later(struct page *page, int n)
{
	char *kaddr = kmap(page);

	submit_block(kaddr, n);
	kunmap(page);
}

/* A helper that only reads through the address: a plain conversion. */
static u32 block_sum(const u8 *block, int n)
{
	const u8 *p = block;
	u32 sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

static u32 sum_block(struct page *page)
{
	u8 *kaddr = kmap_local_page(page);
	u32 sum = block_sum(kaddr, 64);

	kunmap_local(kaddr);
	return sum;
}

/* A helper that hands the address to a work item it allocates: kept, as
 * when the caller does it itself. */
static void queue_copy(void *block)
{
	struct block_work *w = kmalloc(sizeof(*w), GFP_KERNEL);

	w->data = block;
	queue_work(system_wq, &w->work);
}

static void copy_later(struct page *page)
{
	char *kaddr = kmap(page);

	queue_copy(kaddr);
	kunmap(page);
}

/* A helper that publishes it with WRITE_ONCE() in a global declared with
 * an attribute: left to a human. */
static void *seen_block __read_mostly;

static void note_block(void *block)
{
	WRITE_ONCE(seen_block, block);
}

static void read_noted(struct page *page, u8 *out)
{
	u8 *kaddr = kmap(page);

	out[0] = kaddr[0];
	note_block(kaddr);
	kunmap(page);
}

/* Stored through a global pointer by the function itself: kept. */
static struct block_work *current_work;

static void publish_block(struct page *page)
{
	char *kaddr = kmap(page);

	current_work->data = kaddr;
	kunmap(page);
}

/* Another configuration's branch calls the same function between an
 * explicit pagefault_disable() and its enable: the call here has that
 * from kmap_atomic(), so the rewrite makes it explicit. */
static int op_one_page(struct page *page, unsigned long off, int len)
{
	char *addr;
	int n;

#ifdef CONFIG_64BIT
	pagefault_disable();
	n = op_copy(linear_address(page) + off, len);
	pagefault_enable();
#else
	addr = kmap_local_page(page);
	pagefault_disable();
	n = op_copy(addr + off, len);
	pagefault_enable();
	kunmap_local(addr);
#endif
	return n;
}

/* The same call made with nothing disabled elsewhere: a plain rename. */
static int op_one_page_plain(struct page *page, unsigned long off, int len)
{
	char *addr;
	int n;

	addr = kmap_local_page(page);
	n = op_copy(addr + off, len);
	kunmap_local(addr);
	return n;
}

/* The kernel's indirect-call wrapper calls the function pointer it is
 * given first: a call through a pointer in the region, as much as
 * ops->update(...) would be.  Manual, for each API. */
static __wsum sum_frag(struct page *p, int off, int len,
		       const struct csum_ops *ops)
{
	u8 *vaddr;
	__wsum csum;

	vaddr = kmap_atomic(p);
	csum = INDIRECT_CALL_1(ops->update, csum_partial_ext, vaddr + off,
			       len, 0);
	kunmap_atomic(vaddr);
	return csum;
}

static int read_sect(struct page *p, struct blk_ops *tr, unsigned long block)
{
	char *buf = kmap(p);
	int err = INDIRECT_CALL_2(tr->readsect, sect_read_a, sect_read_b, tr,
				  block, buf);

	kunmap(p);
	return err;
}

/* A function-pointer variable, local or of the file, called in the
 * region: a call through a pointer, whatever its name. */
static void (*region_hook)(void *);

static void call_local_pointer(struct page *page, const struct csum_ops *ops)
{
	void (*cb)(void *) = ops->cb;
	char *p;

	p = kmap_atomic(page);
	cb(p);
	kunmap_atomic(p);
}

static void call_file_pointer(struct page *page)
{
	char *p;

	p = kmap_atomic(page);
	region_hook(p);
	kunmap_atomic(p);
}

static void give_assigned_pointer(struct page *page, struct blk_ops *ops)
{
	sector_fn_t fn;
	char *p;

	fn = ops->readsect;
	p = kmap(page);
	fn(p);
	kunmap(page);
}

/* A helper of the file that calls through a function pointer: given the
 * address, it may hand it on; in a kmap_atomic() region, what the
 * pointer calls may rely on the disables.  Manual, for each API. */
static void fire_trigger(struct trigger *t, char *data)
{
	t->fire(t, data);
}

static void trigger_atomic(struct page *page, struct trigger *t)
{
	char *p;

	p = kmap_atomic(page);
	fire_trigger(t, p);
	kunmap_atomic(p);
}

static void trigger_kmap(struct page *page, struct trigger *t)
{
	char *p;

	p = kmap(page);
	fire_trigger(t, p);
	kunmap(page);
}

/* A pointer into the mapping returned by a function of the file, then by
 * a string search, kept in a variable other threads read: kept, as a
 * store of the address itself would be. */
static char *mapped_text;

static char *skip_header(char *p)
{
	char *body = p + 16;

	return body;
}

static void keep_body(struct page *page)
{
	char *p, *body;

	p = kmap(page);
	body = skip_header(p);
	mapped_text = strchr(body, ':');
	kunmap(page);
}

/* Derived three assignments deep, all locals: used only here. */
static int count_marks(struct page *page, int n)
{
	char *kaddr, *first, *mark, *cur;
	int i, found = 0;

	kaddr = kmap_local_page(page);
	first = kaddr + 16;
	mark = first;
	for (cur = mark, i = 0; i < n; i++, cur++)
		found += *cur == '#';
	kunmap_local(kaddr);
	return found;
}

/* The other configuration's arm disables pagefaults where this one maps,
 * for the code the two share: that code ran with pagefaults off in both.
 * Not rewritten without the explicit disable. */
static int futex_like_op(struct page *page, u32 oparg, unsigned long off)
{
	void *kaddr;
	u32 *uaddr;
	int oldval;

#ifdef CONFIG_64BIT
	pagefault_disable();
	kaddr = page_address(page);
#else
	kaddr = kmap_atomic(page);
#endif
	uaddr = kaddr + off;
	oldval = *uaddr;
	*uaddr = oparg;
#ifdef CONFIG_64BIT
	pagefault_enable();
#else
	kunmap_atomic(kaddr);
#endif
	return oldval;
}
