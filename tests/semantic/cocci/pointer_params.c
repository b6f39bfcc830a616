// SPDX-License-Identifier: GPL-2.0-only
/* Calls through a function-pointer parameter in a kmap_atomic() region:
 * resolved when every call of the (static) function in this file gives a
 * function the file defines. */

typedef size_t (*actor_t)(void *desc, void *to, size_t len);

static size_t read_bits(void *desc, void *to, size_t len)
{
	memcpy(to, desc, len);
	return len;
}

static size_t read_and_sum(void *desc, void *to, size_t len)
{
	memcpy(to, desc, len);
	return csum_partial(to, len, 0);
}

static size_t read_counted(void *desc, void *to, size_t len)
{
	this_cpu_inc(reads);
	memcpy(to, desc, len);
	return len;
}

/* Resolved: read_bits() or read_and_sum(), neither relies on a disable. */
static size_t copy_pages(struct page *page, void *desc, size_t len,
			 actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, len);
	kunmap_atomic(kaddr);
	return ret;
}

/* Passes its own parameter on: resolved through its callers. */
static size_t copy_one(struct page *page, void *desc, actor_t how)
{
	return copy_pages(page, desc, 16, how);
}

/* Resolved, and read_counted() relies on the preemption disable. */
static size_t copy_counted(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = (*actor)(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

/* Its address is taken below: callers elsewhere are not seen. */
static size_t copy_taken(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

/* Not static: callers in other files are not seen. */
size_t copy_exported(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

/* One caller gives a pointer held in a structure. */
static size_t copy_held(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

/* The parameter changes before the call. */
static size_t copy_switched(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	if (!desc)
		actor = read_counted;
	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

struct walker {
	size_t (*take)(struct page *, void *, actor_t);
	actor_t actor;
};

static const struct walker taken = { .take = copy_taken };

size_t receive(struct page *page, void *desc, struct walker *w)
{
	size_t n;

	n = copy_pages(page, desc, 8, read_bits);
	n += copy_pages(page, desc, 8, read_and_sum);
	n += copy_one(page, desc, read_bits);
	n += copy_counted(page, desc, read_counted);
	n += copy_taken(page, desc, read_bits);
	n += copy_exported(page, desc, read_bits);
	n += copy_held(page, desc, w->actor);
	n += copy_switched(page, desc, read_bits);
	return n;
}

/* Another configuration's branch disables pagefaults itself: the region
 * is meant to run with them off, whatever the callee. */
static size_t copy_disabled(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

#ifdef CONFIG_64BIT
	pagefault_disable();
	kaddr = page_address(page);
#else
	kaddr = kmap_atomic(page);
#endif
	ret = actor(desc, kaddr, 8);
#ifdef CONFIG_64BIT
	pagefault_enable();
#else
	kunmap_atomic(kaddr);
#endif
	return ret;
}

size_t receive_disabled(struct page *page, void *desc)
{
	return copy_disabled(page, desc, read_bits);
}
