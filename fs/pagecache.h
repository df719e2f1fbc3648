/*
 * The page cache of one file: a radix tree from page index to physical
 * page (64 slots a level, grown on demand). tmpfs keeps file data only
 * here, so these pages are the file; file mmap (the process issue) will
 * map them directly, taking page references, and block file systems will
 * fill them from disk. No locking of its own: the owner's lock (the
 * inode's) protects a cache.
 */
#pragma once

#include "core/lib/types.h"

struct page;

struct vfs_page_cache {
	void *root;		/* a page (height 1 leaf slot) or a node */
	unsigned int height;	/* levels; 0 = empty */
	uint64_t pages;		/* present pages */
};

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
