/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for the kernel's highmem API, for the audit fixtures: the
 * same names and macro shapes as the real headers (kunmap_local() is a
 * macro around __kunmap_local() with a BUILD_BUG_ON, as in 6.x), without
 * needing a kernel tree.
 */
#ifndef MOCK_LINUX_HIGHMEM_H
#define MOCK_LINUX_HIGHMEM_H

#define NULL ((void *)0)
#define EIO 5
#define ENOMEM 12
#define PAGE_SIZE 4096UL
typedef unsigned long size_t;
typedef _Bool bool;
#define true 1
#define false 0

struct page;
struct folio;
struct work_struct {
	int pending;
};
struct workqueue_struct;

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))
#define BUILD_BUG_ON(cond)                                                  \
	do {                                                                \
		extern void __build_bug_failed(void)                        \
			__attribute__((noreturn));                          \
		if (cond)                                                   \
			__build_bug_failed();                               \
	} while (0)

void panic(const char *fmt, ...) __attribute__((noreturn));
#define BUG()                                                               \
	do {                                                                \
		__builtin_unreachable();                                    \
	} while (0)

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *kmalloc(size_t n, int flags);
void kfree(const void *p);

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE((unsigned long)ptr);
}
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_local_page(struct page *page);
void *kmap_local_folio(struct folio *folio, size_t offset);
void *kmap_local_pfn(unsigned long pfn);
void *kmap_atomic(struct page *page);
void __kunmap_local(const void *addr);
void __kunmap_atomic(const void *addr);
void *page_address(const struct page *page);
void folio_put(struct folio *folio);
void put_page(struct page *page);
void flush_dcache_page(struct page *page);

#define kunmap_local(__addr)                                                \
	do {                                                                \
		BUILD_BUG_ON(__same_type((__addr), struct page *));         \
		__kunmap_local(__addr);                                     \
	} while (0)

#define kunmap_atomic(__addr)                                               \
	do {                                                                \
		BUILD_BUG_ON(__same_type((__addr), struct page *));         \
		__kunmap_atomic(__addr);                                    \
	} while (0)

/* Header helpers built on the API, as in include/linux/highmem.h. */
static inline void folio_release_kmap(struct folio *folio, void *addr)
{
	kunmap_local(addr);
	folio_put(folio);
}

static inline void memcpy_from_page(char *to, struct page *page,
				    size_t offset, size_t len)
{
	char *from = kmap_local_page(page);

	memcpy(to, from + offset, len);
	kunmap_local(from);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);

#endif
