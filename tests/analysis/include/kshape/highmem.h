/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The highmem API in the macro shapes of the real kernel headers (Linux
 * 6.1 and 6.12 define them alike), for the kshape_* fixtures: the mock
 * <linux/highmem.h> has a simpler BUILD_BUG_ON().
 *
 * kunmap_local() and kunmap_atomic() are macros; their BUILD_BUG_ON()
 * goes through BUILD_BUG_ON_MSG() and compiletime_assert() (named with
 * __COUNTER__) to a block-scope __noreturn function declared with the
 * "error" attribute, called when the condition holds (the __OPTIMIZE__
 * form kbuild gets with -O2); then the argument reaches
 * __kunmap_local()/__kunmap_atomic() converted to const void *.  kmap(),
 * kunmap() and the kmap_local_*() are functions.
 *
 * Variants, chosen by the fixture before including this file:
 * KSHAPE_NO_OPTIMIZE: the assertion is "do { } while (0)" (no -O).
 * KSHAPE_STATIC_ASSERT: an assertion clang rejects while parsing
 * (_Static_assert), the way BUILD_BUG_ON() fails in other trees.
 */
#ifndef KSHAPE_HIGHMEM_H
#define KSHAPE_HIGHMEM_H

#define NULL ((void *)0)
typedef unsigned long size_t;
typedef _Bool bool;

struct page {
	unsigned long flags;
};
struct folio {
	struct page *page;
};
struct work_struct {
	int pending;
};
struct workqueue_struct;

#define __noreturn __attribute__((__noreturn__))
#define __compiletime_error(msg) __attribute__((__error__(msg)))
#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))

#if defined(KSHAPE_STATIC_ASSERT)
#define __compiletime_assert(condition, msg, prefix, suffix) \
	_Static_assert(condition, msg)
#elif defined(KSHAPE_NO_OPTIMIZE)
#define __compiletime_assert(condition, msg, prefix, suffix) \
	do {                                                 \
	} while (0)
#else
#define __compiletime_assert(condition, msg, prefix, suffix) \
	do {                                                 \
		__noreturn extern void prefix##suffix(void)  \
			__compiletime_error(msg);            \
		if (!(condition))                            \
			prefix##suffix();                    \
	} while (0)
#endif

#define _compiletime_assert(condition, msg, prefix, suffix) \
	__compiletime_assert(condition, msg, prefix, suffix)
#define compiletime_assert(condition, msg) \
	_compiletime_assert(condition, msg, __compiletime_assert_, __COUNTER__)
#define BUILD_BUG_ON_MSG(cond, msg) compiletime_assert(!(cond), msg)
#define BUILD_BUG_ON(condition) \
	BUILD_BUG_ON_MSG(condition, "BUILD_BUG_ON failed: " #condition)

void *memcpy(void *dst, const void *src, size_t n);
void *page_address(const struct page *page);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);

void *kmap(struct page *page);
void kunmap(struct page *page);
void *__kmap_local_page_prot(struct page *page, unsigned long prot);
void __kunmap_local(const void *addr);
void *kmap_atomic_prot(struct page *page, unsigned long prot);
void __kunmap_atomic(const void *addr);

static inline void *kmap_local_page(struct page *page)
{
	return __kmap_local_page_prot(page, 0);
}

static inline void *kmap_local_folio(struct folio *folio, size_t offset)
{
	return (char *)__kmap_local_page_prot(folio->page, 0) + offset;
}

static inline void *kmap_atomic(struct page *page)
{
	return kmap_atomic_prot(page, 0);
}

#define kunmap_atomic(__addr)                                       \
	do {                                                        \
		BUILD_BUG_ON(__same_type((__addr), struct page *)); \
		__kunmap_atomic(__addr);                            \
	} while (0)

#define kunmap_local(__addr)                                        \
	do {                                                        \
		BUILD_BUG_ON(__same_type((__addr), struct page *)); \
		__kunmap_local(__addr);                             \
	} while (0)

#endif
