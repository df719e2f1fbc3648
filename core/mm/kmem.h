/*
 * Kernel object allocation: slab caches of fixed-size objects
 * (kmem_cache_*) and the general-purpose kmalloc family on top of them.
 * Requests up to KMALLOC_MAX_CACHE_SIZE come from size-class caches; larger
 * ones get whole pages. Exhaustion returns NULL, never a crash. Every
 * function may be called from any context and never sleeps.
 */
#pragma once

#include "core/lib/list.h"
#include "core/lib/types.h"
#include "core/sync/spinlock.h"

#define KMALLOC_MIN_SIZE 8
#define KMALLOC_MAX_CACHE_SIZE 8192
#define KMEM_NAME_MAX 32

/* What kmalloc(0) returns: not NULL, not dereferenceable, accepted by kfree. */
#define ZERO_SIZE_PTR ((void *)16)

struct kmem_cache_stats {
	size_t object_size;	/* bytes the caller asked for */
	size_t stride;		/* bytes each object occupies */
	unsigned int objects_per_slab;
	unsigned int slab_order;
	uint64_t active_objects;	/* allocated now */
	uint64_t total_objects;		/* capacity of all slabs */
	uint64_t slabs;
	uint64_t allocations;
	uint64_t failures;
};

struct kmem_cache {
	char name[KMEM_NAME_MAX];
	size_t object_size;
	size_t stride;
	unsigned int slab_order;
	unsigned int objects_per_slab;
	struct list_head cache_link;	/* in the global list, under caches_lock */

	struct spinlock lock;
	/* Protected by lock: */
	struct list_head partial;	/* slabs with free and used objects */
	struct list_head full;		/* slabs with no free object */
	struct list_head empty;		/* slabs with no used object */
	uint64_t empty_count;
	struct kmem_cache_stats stats;
};

/* Sets up the size-class caches. Boot only, after pmm_init. */
void kmem_init(void);

/*
 * Creates a cache of `size`-byte objects aligned to `align` (a power of
 * two, 0 = 8). Returns the cache, or ERR_PTR(-EINVAL) for a bad size or
 * alignment, ERR_PTR(-ENOMEM) when out of memory.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align);

/*
 * Destroys an empty cache. Returns 0, or -EBUSY (and leaves the cache
 * alone) if objects are still allocated from it.
 */
int kmem_cache_destroy(struct kmem_cache *cache);

/* Returns an object, or NULL when out of memory. */
void *kmem_cache_alloc(struct kmem_cache *cache);
void *kmem_cache_zalloc(struct kmem_cache *cache);

/* Frees an object of this cache; NULL is ignored. A foreign pointer panics. */
void kmem_cache_free(struct kmem_cache *cache, void *object);

/* Returns empty slabs to the page allocator; returns the pages freed. */
size_t kmem_cache_shrink(struct kmem_cache *cache);

void kmem_cache_get_stats(struct kmem_cache *cache,
			  struct kmem_cache_stats *stats);

/*
 * Calls fn(cache, arg) for every cache (for /proc/slabinfo and leak
 * checks). fn must not create or destroy caches.
 */
void kmem_for_each_cache(void (*fn)(struct kmem_cache *cache, void *arg),
			 void *arg);

/* Shrinks every cache; returns the pages freed. */
size_t kmem_shrink_all(void);

/*
 * Pages in the empty slabs the caches keep for their next objects: what
 * kmem_shrink_all() would free now (for leak checks that count them as
 * free without shrinking).
 */
size_t kmem_cached_pages(void);

/* General-purpose allocation. NULL when out of memory. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);

/* Array allocation; NULL if count * size overflows. */
void *kcalloc(size_t count, size_t size);

/* Pages now held by page-backed (over KMALLOC_MAX_CACHE_SIZE) kmallocs. */
uint64_t kmalloc_large_pages(void);

/* Frees kmalloc memory; NULL and ZERO_SIZE_PTR are ignored. */
void kfree(const void *p);

/* The size-class cache kmalloc(size) uses; NULL for page-backed sizes. */
struct kmem_cache *kmalloc_cache_for(size_t size);
