/*
 * The page cache of one file: a radix tree from page index to physical
 * page (64 slots a level, grown on demand). tmpfs keeps file data only
 * here, so these pages are the file; file mmap maps them directly (each
 * mapping entry holds a page reference, the cache holds one more), and
 * block file systems will fill them from disk.
 *
 * Locking: `lock` (a mutex ranked LOCK_RANK_VM_OBJECT, above the address
 * space lock) protects the tree and `pages`. Page faults take it under
 * an address space's lock and never take the inode lock (which read()
 * holds while copying to user memory, docs/locking.md); the owner takes
 * it under its inode lock. Every function below is called with it held.
 * A page found under the lock stays in the cache while the owner keeps
 * truncation out (tmpfs: the inode lock); faults take a reference.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sync/mutex.h"

struct page;

struct vfs_page_cache {
	struct mutex lock;
	/* Protected by lock: */
	void *root;		/* a page (height 1 leaf slot) or a node */
	unsigned int height;	/* levels; 0 = empty */
	uint64_t pages;		/* present pages */
};

/* An empty cache (its lock initialised). */
void vfs_pcache_init(struct vfs_page_cache *cache);

static inline void vfs_pcache_lock(struct vfs_page_cache *cache)
{
	mutex_lock(&cache->lock);
}

static inline void vfs_pcache_unlock(struct vfs_page_cache *cache)
{
	mutex_unlock(&cache->lock);
}

/* The page at index, or NULL (a hole). */
struct page *vfs_pcache_lookup(const struct vfs_page_cache *cache,
			       uint64_t index);

/* Stores page at an empty index. Returns 0 or -ENOMEM (nothing changed). */
int vfs_pcache_insert(struct vfs_page_cache *cache, uint64_t index,
		      struct page *page);

/*
 * Removes every page at index >= from, handing each to release(page,
 * arg), and frees the tree nodes that become empty.
 */
void vfs_pcache_truncate(struct vfs_page_cache *cache, uint64_t from,
			 void (*release)(struct page *page, void *arg),
			 void *arg);

/* The first present index >= from; false if there is none. */
bool vfs_pcache_next(const struct vfs_page_cache *cache, uint64_t from,
		     uint64_t *index);
