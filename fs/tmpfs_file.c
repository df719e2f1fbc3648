/*
 * tmpfs regular files: the data lives only in the file's page cache,
 * one zeroed page from the page allocator per written page; holes read
 * as zeros and take no memory. Every page counts against the mount's
 * size limit (-ENOSPC). inode->lock (the VFS inode mutex) serialises
 * reads, writes and size changes; the page cache's own lock (taken under
 * it) protects the tree, because page faults of file mappings reach the
 * cache without the inode lock (tmpfs_get_page). The size is written
 * under the inode lock and read by faults with READ_ONCE; a shrink stores
 * it before removing pages, so a fault that finds the cache after the
 * removal sees the new size. The block count changes atomically (faults
 * add pages). Pages are reference-counted: the cache holds one, each
 * mapping entry another, so a truncated page still mapped is freed only
 * when the last mapping lets go.
 */
#include "fs/tmpfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/pmm.h"

#define BLOCKS_PER_PAGE (PAGE_SIZE / 512)
#define TMPFS_MAX_SIZE INT64_MAX

static void release_page(struct page *page, void *arg)
{
	struct tmpfs_super *tsb = arg;

	if (page_ref_put_is_last(page))
		pmm_free(page, 0);
	__atomic_fetch_sub(&tsb->used_pages, 1, __ATOMIC_RELAXED);
}

void tmpfs_file_free_pages(struct tmpfs_inode *inode)
{
	vfs_pcache_lock(&inode->pages);
	vfs_pcache_truncate(&inode->pages, 0, release_page,
			    tmpfs_sb(inode->vfs.sb));
	vfs_pcache_unlock(&inode->pages);
	__atomic_store_n(&inode->vfs.blocks, 0, __ATOMIC_RELAXED);
}

/* A zeroed page charged to the mount, or NULL with *err set. */
static struct page *charge_page(struct tmpfs_super *tsb, int *err)
{
	struct page *page;

	if (__atomic_add_fetch(&tsb->used_pages, 1, __ATOMIC_RELAXED) >
	    tsb->max_pages) {
		__atomic_fetch_sub(&tsb->used_pages, 1, __ATOMIC_RELAXED);
		*err = -ENOSPC;
		return NULL;
	}
	page = pmm_alloc(0, PMM_ZERO);
	if (page == NULL) {
		__atomic_fetch_sub(&tsb->used_pages, 1, __ATOMIC_RELAXED);
		*err = -ENOMEM;
	}
	return page;
}

/*
 * The page at index, allocated if it is a hole, or NULL with *err set.
 * Caller holds the page cache lock.
 */
static struct page *page_get_or_add(struct tmpfs_inode *inode, uint64_t index,
				    int *err)
{
	struct page *page = vfs_pcache_lookup(&inode->pages, index);
	struct tmpfs_super *tsb = tmpfs_sb(inode->vfs.sb);

	if (page != NULL)
		return page;
	page = charge_page(tsb, err);
	if (page == NULL)
		return NULL;
	*err = vfs_pcache_insert(&inode->pages, index, page);
	if (*err < 0) {
		release_page(page, tsb);
		return NULL;
	}
	__atomic_fetch_add(&inode->vfs.blocks, BLOCKS_PER_PAGE,
			   __ATOMIC_RELAXED);
	return page;
}

/*
 * The page at index or NULL. The page cache lock is held only for the
 * lookup, never across a copy (which may one day touch user memory and
 * fault); the inode lock the caller holds keeps truncation, the only
 * remover, away.
 */
static struct page *cache_lookup(struct tmpfs_inode *inode, uint64_t index)
{
	struct page *page;

	vfs_pcache_lock(&inode->pages);
	page = vfs_pcache_lookup(&inode->pages, index);
	vfs_pcache_unlock(&inode->pages);
	return page;
}

/* Linux relatime: atime moves only if older than mtime/ctime or a day. */
static void touch_atime(struct vfs_inode *inode)
{
	struct vfs_timespec now = vfs_now();

	if (inode->atime.sec <= inode->mtime.sec ||
	    inode->atime.sec <= inode->ctime.sec ||
	    now.sec - inode->atime.sec >= 24 * 3600)
		inode->atime = now;
}

static ssize_t tmpfs_read(struct vfs_file *file, void *buf, size_t length,
			  int64_t *offset)
{
	struct tmpfs_inode *inode = tmpfs_i(file->inode);
	size_t done = 0;

	mutex_lock(&inode->vfs.lock);
	if (*offset < inode->vfs.size)
		length = MIN(length, (size_t)(inode->vfs.size - *offset));
	else
		length = 0;
	while (done < length) {
		uint64_t pos = (uint64_t)*offset + done;
		size_t in_page = pos % PAGE_SIZE;
		size_t chunk = MIN(length - done, PAGE_SIZE - in_page);
		struct page *page = cache_lookup(inode, pos / PAGE_SIZE);

		if (page == NULL)
			memset((char *)buf + done, 0, chunk);
		else
			memcpy((char *)buf + done,
			       (char *)page_to_virt(page) + in_page, chunk);
		done += chunk;
	}
	if ((vfs_file_flags(file) & O_NOATIME) == 0)
		touch_atime(&inode->vfs);
	mutex_unlock(&inode->vfs.lock);
	*offset += (int64_t)done;
	return (ssize_t)done;
}

/* Copies into the file from pos; returns bytes written or -errno. */
static ssize_t write_pages(struct tmpfs_inode *inode, const void *buf,
			   size_t length, uint64_t pos)
{
	size_t done = 0;
	int err = 0;

	while (done < length) {
		size_t in_page = (pos + done) % PAGE_SIZE;
		size_t chunk = MIN(length - done, PAGE_SIZE - in_page);
		struct page *page;

		vfs_pcache_lock(&inode->pages);
		page = page_get_or_add(inode, (pos + done) / PAGE_SIZE, &err);
		vfs_pcache_unlock(&inode->pages);
		if (page == NULL)
			break;
		memcpy((char *)page_to_virt(page) + in_page,
		       (const char *)buf + done, chunk);
		done += chunk;
	}
	return done > 0 ? (ssize_t)done : err;
}

static ssize_t tmpfs_write(struct vfs_file *file, const void *buf,
			   size_t length, int64_t *offset)
{
	struct tmpfs_inode *inode = tmpfs_i(file->inode);
	ssize_t done;

	mutex_lock(&inode->vfs.lock);
	if (vfs_file_flags(file) & O_APPEND)
		*offset = inode->vfs.size;
	if (*offset >= TMPFS_MAX_SIZE) {
		mutex_unlock(&inode->vfs.lock);
		return length == 0 ? 0 : -EFBIG;
	}
	length = MIN(length, (size_t)(TMPFS_MAX_SIZE - *offset));
	if (length == 0) {
		mutex_unlock(&inode->vfs.lock);
		return 0;
	}
	vfs_remove_privs(&file->cred, &inode->vfs);
	done = write_pages(inode, buf, length, (uint64_t)*offset);
	if (done > 0) {
		*offset += done;
		if (*offset > inode->vfs.size)
			WRITE_ONCE(inode->vfs.size, *offset);
		vfs_inode_touch(&inode->vfs);
	}
	mutex_unlock(&inode->vfs.lock);
	return done;
}

int tmpfs_set_size(struct vfs_inode *vfs, int64_t size)
{
	struct tmpfs_inode *inode = tmpfs_i(vfs);
	uint64_t keep = ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct page *last;

	if (size > TMPFS_MAX_SIZE)
		return -EFBIG;
	if (size >= vfs->size) {
		WRITE_ONCE(vfs->size, size);
		return 0;
	}
	/* The size first: a fault after the removal must see it (above). */
	WRITE_ONCE(vfs->size, size);
	vfs_pcache_lock(&inode->pages);
	vfs_pcache_truncate(&inode->pages, keep, release_page,
			    tmpfs_sb(vfs->sb));
	/* Bytes past the end in the last page must read zero later. */
	last = size % PAGE_SIZE ? vfs_pcache_lookup(&inode->pages, keep - 1)
				: NULL;
	if (last != NULL)
		memset((char *)page_to_virt(last) + size % PAGE_SIZE, 0,
		       PAGE_SIZE - size % PAGE_SIZE);
	__atomic_store_n(&vfs->blocks, inode->pages.pages * BLOCKS_PER_PAGE,
			 __ATOMIC_RELAXED);
	vfs_pcache_unlock(&inode->pages);
	return 0;
}

/* SEEK_DATA/SEEK_HOLE over the page index: a page is data, a gap a hole. */
static int64_t tmpfs_seek_data(struct vfs_file *file, int64_t offset,
			       int whence)
{
	struct tmpfs_inode *inode = tmpfs_i(file->inode);
	uint64_t index = (uint64_t)offset / PAGE_SIZE;
	int64_t size, result;

	if (offset < 0)
		return -ENXIO;
	mutex_lock(&inode->vfs.lock);
	vfs_pcache_lock(&inode->pages);
	size = inode->vfs.size;
	if (offset >= size) {
		result = -ENXIO;
	} else if (whence == SEEK_DATA) {
		if (!vfs_pcache_next(&inode->pages, index, &index) ||
		    (int64_t)(index * PAGE_SIZE) >= size)
			result = -ENXIO;
		else
			result = MAX(offset, (int64_t)(index * PAGE_SIZE));
	} else {
		while (vfs_pcache_lookup(&inode->pages, index) != NULL)
			index++;
		result = MAX(offset, MIN(size, (int64_t)(index * PAGE_SIZE)));
	}
	vfs_pcache_unlock(&inode->pages);
	mutex_unlock(&inode->vfs.lock);
	return result;
}

static int tmpfs_fsync(struct vfs_file *file)
{
	(void)file;
	return 0;	/* memory is the backing store: nothing to write back */
}

/*
 * A page for a file mapping: the cache's page at index with a reference,
 * a hole filled with a new zeroed page. Past the page holding the end of
 * the file: -EIO (SIGBUS), as a full mount (Linux shmem gives SIGBUS for
 * -ENOSPC too). Takes only the page cache lock (see above).
 */
static int tmpfs_get_page(struct vfs_file *file, uint64_t index,
			  struct page **page)
{
	struct tmpfs_inode *inode = tmpfs_i(file->inode);
	uint64_t size;
	int err = 0;

	vfs_pcache_lock(&inode->pages);
	size = (uint64_t)READ_ONCE(inode->vfs.size);
	if (index >= (size + PAGE_SIZE - 1) / PAGE_SIZE)
		err = -EIO;
	else
		*page = page_get_or_add(inode, index, &err);
	if (err == 0)
		page_ref_get(*page);
	vfs_pcache_unlock(&inode->pages);
	return err == -ENOSPC ? -EIO : err;
}

const struct vfs_file_ops tmpfs_file_ops = {
	.get_page = tmpfs_get_page,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.seek_data = tmpfs_seek_data,
	.fsync = tmpfs_fsync,
};

const struct vfs_file_ops tmpfs_dir_file_ops = {
	.fsync = tmpfs_fsync,
};
