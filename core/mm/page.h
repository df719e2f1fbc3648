/*
 * struct page: one descriptor per physical page frame the page allocator
 * manages, kept in an array per memory region. What a page is used for
 * decides which fields mean something (see the flags).
 */
#pragma once

#include "core/lib/list.h"
#include "core/lib/types.h"

struct kmem_cache;

enum page_flag {
	PAGE_RESERVED = 1u << 0,	/* never allocatable (boot, holes) */
	PAGE_FREE = 1u << 1,		/* head of a free buddy block */
	PAGE_ALLOCATED = 1u << 2,	/* head of an allocated block */
	PAGE_SLAB = 1u << 3,		/* head of a slab (with PAGE_ALLOCATED) */
	PAGE_LARGE_KMALLOC = 1u << 4,	/* head of a page-backed kmalloc */
	PAGE_TAIL = 1u << 5,		/* non-head page of a slab */
	/*
	 * An anonymous page of private mappings (with PAGE_ALLOCATED): its
	 * refcount is the number of page-table entries that map it, and a
	 * write to it copies unless that number is 1 (copy-on-write).
	 */
	PAGE_ANON = 1u << 6,
};

struct page {
	/*
	 * Buddy free list (PAGE_FREE, under the pmm lock) or the owning
	 * cache's slab list (PAGE_SLAB, under the cache lock).
	 */
	struct list_head link;
	uint32_t flags;
	uint8_t order;		/* block order, on head pages */
	int32_t refcount;	/* users of an allocated page; atomic */
	union {
		struct {		/* PAGE_SLAB */
			struct kmem_cache *cache;
			void *freelist;	/* first free object */
			uint32_t inuse;	/* allocated objects */
		} slab;
		struct page *head;	/* PAGE_TAIL: the slab's head page */
		size_t large_size;	/* PAGE_LARGE_KMALLOC: requested bytes */
	};
};

/*
 * Page flags are atomic: an allocated page's owner sets its type bits
 * (PAGE_SLAB, PAGE_ANON, ...) under its own lock while the page allocator,
 * under its lock, reads the same word to see whether a buddy is free.
 */
static inline uint32_t page_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static inline void page_flags_set(struct page *page, uint32_t bits)
{
	__atomic_fetch_or(&page->flags, bits, __ATOMIC_RELAXED);
}

static inline void page_flags_clear(struct page *page, uint32_t bits)
{
	__atomic_fetch_and(&page->flags, ~bits, __ATOMIC_RELAXED);
}

/* The allocator's own writes (block heads it is freeing or handing out). */
static inline void page_flags_store(struct page *page, uint32_t flags)
{
	__atomic_store_n(&page->flags, flags, __ATOMIC_RELAXED);
}

/*
 * Page reference counts (atomic, any context). The page allocator hands
 * out a page with one reference; whoever drops the last one frees it.
 */
static inline void page_ref_get(struct page *page)
{
	__atomic_fetch_add(&page->refcount, 1, __ATOMIC_RELAXED);
}

/* Drops a reference; returns true when it was the last one. */
static inline bool page_ref_put_is_last(struct page *page)
{
	return __atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

static inline int32_t page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->refcount, __ATOMIC_ACQUIRE);
}
