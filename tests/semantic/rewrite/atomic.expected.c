// SPDX-License-Identifier: GPL-2.0-only
/* Golden input: kmap_atomic() sites the rewrite converts, or must not. */

/* Plain rename; every unmap on every path follows. */
static int copy_block(struct page *page, char *buf, int len, int bad)
{
	char *kaddr;

	kaddr = kmap_local_page(page);
	if (bad) {
		kunmap_local(kaddr);
		return -EIO;
	}
	memcpy(buf, kaddr + 16, len);
	kunmap_local(kaddr);
	return 0;
}

/* The unmap is given a pointer derived from the address. */
static void clear_entry(struct page *page, unsigned long off)
{
	struct entry *e = kmap_local_page(page) + off;

	e->count = 0;
	kunmap_local(e);
}

/* A path that forgets the unmap: left alone. */
static int forgets_unmap(struct page *page, int x)
{
	char *kaddr = kmap_atomic(page);

	if (x)
		return -EINVAL;
	kaddr[0] = 1;
	kunmap_atomic(kaddr);
	return 0;
}

/* A NULL test right after the map is not a path that leaks. */
static int null_test(struct page *page)
{
	char *kaddr = NULL;
	int err = -ENOMEM;

	kaddr = kmap_local_page(page);
	if (!kaddr)
		goto out;
	kaddr[0] = 0;
	kunmap_local(kaddr);
	err = 0;
out:
	return err;
}

/* Relies on kmap_atomic() disabling pagefaults: made explicit. */
static size_t copy_in(struct page *page, const char __user *ubuf, size_t n)
{
	char *kaddr;
	size_t left;

	kaddr = kmap_local_page(page);
	pagefault_disable();
	left = __copy_from_user_inatomic(kaddr, ubuf, n);
	pagefault_enable();
	kunmap_local(kaddr);
	return left;
}

/* Relies on preemption being off (per-CPU data): made explicit. */
static void stamp(struct page *page)
{
	int *kaddr;

	kaddr = kmap_local_page(page);
	preempt_disable();
	kaddr[0] = smp_processor_id();
	preempt_enable();
	kunmap_local(kaddr);
}

/* The retry idiom: atomic copy, fall back to kmap(); left to a human. */
static size_t copy_retry(struct page *page, const char __user *ubuf, size_t n)
{
	char *kaddr;
	size_t left;

	kaddr = kmap_atomic(page);
	left = __copy_from_user_inatomic(kaddr, ubuf, n);
	kunmap_atomic(kaddr);
	if (left) {
		kaddr = kmap(page);
		left = copy_from_user(kaddr, ubuf, n);
		kunmap(page);
	}
	return left;
}

/* Map, copy within the page, unmap: memcpy_from_page(); the variable
 * goes. */
static void read_part(struct page *page, char *buf, int copied, int off,
		      int amt)
{
	amt = min_t(int, amt, PAGE_SIZE - off);
	memcpy_from_page(buf + copied, page, off, amt);
}

/* ... but not when the variable is used elsewhere. */
static void write_part(struct page *page, const char *src, int len)
{
	char *kaddr;

	kaddr = kmap_local_page(page);
	memcpy(kaddr, src, len);
	kunmap_local(kaddr);
	kaddr = NULL;
}

static void write_whole(struct page *page, const char *src, int len)
{
	int done = 0;

	memcpy_to_page(page, 0, src, PAGE_SIZE);
	done = 1;
}

/* map + memset(0) [+ flush_dcache_page()] + unmap: memzero_page(), which
 * flushes the dcache itself. */
static void zero_tail(struct page *page, unsigned int len)
{
	memzero_page(page, len, PAGE_SIZE - len);
}

static void zero_head(struct page *page, unsigned int len)
{
	void *addr;

	addr = kmap_local_page(page);
	memset(addr, 0, len);
	kunmap_local(addr);
}

/* Not zero: no helper, a plain conversion. */
static void fill_ones(struct page *page)
{
	char *kaddr;

	kaddr = kmap_local_page(page);
	memset(kaddr, 0xff, PAGE_SIZE);
	kunmap_local(kaddr);
}

/* memcpy_to_page() flushes too. */
static void store_flushed(struct page *page, const void *buf, size_t off,
			  size_t n)
{
	if (n > PAGE_SIZE - off)
		n = PAGE_SIZE - off;
	memcpy_to_page(page, off, buf, n);
}

/* The map declares the address, and code that does not touch the page
 * comes before the copy: the map goes, the copy becomes the helper. */
static void save_resident(char *data, struct page *page, u32 size, u32 vbo)
{
	if (vbo < size) {
		u32 use = size - vbo;

		if (use > PAGE_SIZE)
			use = PAGE_SIZE;
		memcpy_from_page(data + vbo, page, 0, use);
	}
}

/* ... but not when the code in between changes the page. */
static void save_next(char *data, struct page *page, u32 use)
{
	char *kaddr = kmap_local_page(page);

	page = nth_page(page, 1);
	memcpy(data, kaddr, use);
	kunmap_local(kaddr);
}

/* Two maps and one copy between them (unmaps in either order):
 * memcpy_page(). */
static void copy_highpage_part(struct page *to, struct page *from,
			       size_t off, size_t n)
{
	n = min(n, PAGE_SIZE - off);
	memcpy_page(to, off, from, off, n);
}

/* The destination is read after the copy and after the older unmap: no
 * helper, and the unmaps cannot be swapped blindly (manual). */
static u8 copy_and_peek(struct page *to, struct page *from)
{
	u8 *src;
	u8 *dst;
	u8 first;

	src = kmap_atomic(from);
	dst = kmap_atomic(to);
	memcpy(dst, src, PAGE_SIZE);
	kunmap_atomic(src);
	first = dst[0];
	kunmap_atomic(dst);
	return first;
}

/* A long parenthesised expression that is not a cast, assigned next to a
 * mapping: the cast recogniser must fail on it fast (it once backtracked
 * exponentially here). */
static void long_paren(struct page *page, struct request_with_a_long_name *r)
{
	char *kaddr = kmap_local_page(page);
	unsigned long n;

	n = (request_with_a_long_name_total_transfer_length_in_bytes.field + 1);
	kaddr[0] = n;
	kunmap_local(kaddr);
}

/* A comment right above the declaring map: spatch would lose it and join
 * the helper call to the brace, so this stays a plain conversion. */
static void read_or_zero(char *buf, struct page *p, size_t off, size_t len)
{
	if (p) {
		/* The page is only read here. */
		void *map = kmap_local_page(p);
		memcpy(buf, map + off, len);
		kunmap_local(map);
	} else
		memset(buf, 0, len);
}

/* The return type on a line of its own: the function is still found, and
 * its text shows destp is only the copy's. */
static void
fill_split(struct page *page, const char *src, size_t off, size_t len)
{
	char *destp;

	destp = kmap_local_page(page);
	memcpy(destp + off, src, len);
	kunmap_local(destp);
}

/* Both variables hold the address: the rewrite assigns them in two
 * statements (checkpatch: multiple assignments should be avoided). */
static int chained(struct page *page)
{
	char *start, *p;
	int n;

	p = kmap_local_page(page);
	start = p;
	n = p[0] + start[1];
	kunmap_local(start);
	return n;
}

/* A copy helper that leaves an if's block with one statement: the
 * braces go (checkpatch).  Not with an else, whose branches keep their
 * braces, nor where a comment in the block would go with them. */
void copy_in_block(struct page *page, char *data, size_t len)
{
	if (len > PAGE_SIZE)
		len = PAGE_SIZE;

	if (len > 0)
		memcpy_to_page(page, 0, data, len);
}

void copy_in_block_assigned(struct page *page, char *data, size_t len)
{
	if (len > PAGE_SIZE)
		len = PAGE_SIZE;

	if (len > 2)
		memcpy_to_page(page, 0, data, len);
}

void copy_in_block_with_else(struct page *page, char *data, size_t len)
{
	if (len > PAGE_SIZE)
		len = PAGE_SIZE;

	if (len > 2) {
		memcpy_to_page(page, 0, data, len);
	} else {
		len = 0;
	}
}

void copy_in_commented_block(struct page *page, char *data, size_t len)
{
	if (len > PAGE_SIZE)
		len = PAGE_SIZE;

	if (len > 3) {
		/* all of it */
		memcpy_to_page(page, 0, data, len);
	}
}

/* A flush_dcache_page() of the page right after the unmap goes with the
 * copy: memzero_page() and memcpy_to_page() flush the page themselves. */
void zero_then_flush(struct page *page)
{
	memzero_page(page, 0, PAGE_SIZE);
	SetPageUptodate(page);
}

/* A helper defined here reads per-CPU state, one call below the one in the
 * region: the region relies on preemption being off just the same (made
 * explicit). */
static int current_slot(void)
{
	return smp_processor_id() & 7;
}

static int slot_of(struct table *t)
{
	return t->base + current_slot();
}

static void stamp_slot(struct page *page, struct table *t)
{
	int *kaddr;

	kaddr = kmap_local_page(page);
	preempt_disable();
	kaddr[slot_of(t)] = 1;
	preempt_enable();
	kunmap_local(kaddr);
}

/* A helper that only computes: a plain conversion. */
static int slot_sum(struct table *t)
{
	return t->base + t->step;
}

static void stamp_sum(struct page *page, struct table *t)
{
	int *kaddr;

	kaddr = kmap_local_page(page);
	kaddr[0] = slot_sum(t);
	kunmap_local(kaddr);
}

/* The helper called in the region maps a page itself, and what it relies
 * on comes before its own map: still read (make convert's view keeps
 * slot_owner(), as spatch on the whole file reads it). */
static int slot_owner(void)
{
	return smp_processor_id() + 1;
}

static void account_page(struct page *other, int *stats)
{
	int s = slot_owner();
	int *v = kmap_local_page(other);

	stats[s] += *v;
	kunmap_local(v);
}

static void stamp_accounted(struct page *page, struct page *other, int *stats)
{
	int *kaddr;

	kaddr = kmap_local_page(page);
	preempt_disable();
	kaddr[0] = 1;
	account_page(other, stats);
	preempt_enable();
	kunmap_local(kaddr);
}

/* A declaration that maps, and memset(0) of the mapping after a blank
 * line: memzero_page(), the declaration goes (a page at a time, as a
 * heap zeroes a highmem range). */
static void zero_range(struct page *page, unsigned long n)
{
	while (n--) {
		memzero_page(page, 0, PAGE_SIZE);
		page++;
	}
}

/* The same with a bound the code does not show: memset() stays. */
static void zero_part(struct page *page, unsigned int off, u32 len)
{
	void *mem = kmap_local_page(page);

	memset(mem + off, 0, len);
	kunmap_local(mem);
}
