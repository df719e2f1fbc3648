/*
 * File descriptor tables (fs/fdtable.h): arrays of file pointers that grow
 * by doubling. Growing allocates with the lock dropped and retries, since
 * kmalloc may sleep; a file is released only after the lock is dropped.
 */
#include "fs/fdtable.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "fs/vfs.h"

#define FD_TABLE_INITIAL 64u

/*
 * The table lets go of `file` (Linux's filp_close): its POSIX record
 * locks on the file go, whichever descriptor took them.
 */
static void drop_file(struct fd_table *table, struct vfs_file *file)
{
	vfs_record_locks_release(file, table);
	vfs_file_put(file);
}

static void table_init(struct fd_table *table)
{
	spin_init(&table->lock, "fd_table", LOCK_RANK_FD_TABLE);
	table->refcount = 1;
}

struct fd_table *fd_table_create(void)
{
	struct fd_table *table = kzalloc(sizeof(*table));

	if (table == NULL)
		return NULL;
	table_init(table);
	return table;
}

/*
 * Makes room for slot `fd` (size > fd). Called and returns with the lock
 * held; drops it to allocate. Returns 0 or -ENOMEM.
 */
static int grow_locked(struct fd_table *table, unsigned int fd)
{
	while (table->size <= fd) {
		unsigned int size = table->size ? table->size : FD_TABLE_INITIAL;
		struct vfs_file **files;
		uint8_t *flags;

		while (size <= fd)
			size *= 2;
		spin_unlock(&table->lock);
		files = kcalloc(size, sizeof(*files));
		flags = kcalloc(size, sizeof(*flags));
		spin_lock(&table->lock);
		if (files == NULL || flags == NULL) {
			spin_unlock(&table->lock);
			kfree(files);
			kfree(flags);
			spin_lock(&table->lock);
			return -ENOMEM;
		}
		if (table->size >= size) {	/* someone else grew it */
			spin_unlock(&table->lock);
			kfree(files);
			kfree(flags);
			spin_lock(&table->lock);
			continue;
		}
		if (table->size) {
			memcpy(files, table->files,
			       table->size * sizeof(*files));
			memcpy(flags, table->flags, table->size);
		}
		struct vfs_file **old_files = table->files;
		uint8_t *old_flags = table->flags;

		table->files = files;
		table->flags = flags;
		table->size = size;
		spin_unlock(&table->lock);
		kfree(old_files);
		kfree(old_flags);
		spin_lock(&table->lock);
	}
	return 0;
}

struct fd_table *fd_table_clone(struct fd_table *table)
{
	struct fd_table *copy = fd_table_create();
	unsigned int size;

	if (copy == NULL)
		return NULL;
	spin_lock(&table->lock);
	for (;;) {
		size = table->size;
		if (size == 0)
			break;
		spin_unlock(&table->lock);
		spin_lock(&copy->lock);
		int err = grow_locked(copy, size - 1);

		spin_unlock(&copy->lock);
		if (err < 0) {
			fd_table_put(copy);
			return NULL;
		}
		spin_lock(&table->lock);
		if (table->size <= copy->size)
			break;
	}
	/* copy is private to us: its lock is not needed to fill it. */
	for (unsigned int fd = 0; fd < table->size; fd++) {
		if (table->files[fd] == NULL)
			continue;
		vfs_file_get(table->files[fd]);
		copy->files[fd] = table->files[fd];
		copy->flags[fd] = table->flags[fd];
		copy->open_count++;
	}
	copy->next_free = table->next_free;
	spin_unlock(&table->lock);
	return copy;
}

void fd_table_get(struct fd_table *table)
{
	__atomic_fetch_add(&table->refcount, 1, __ATOMIC_RELAXED);
}

void fd_table_put(struct fd_table *table)
{
	if (__atomic_sub_fetch(&table->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (unsigned int fd = 0; fd < table->size; fd++) {
		if (table->files[fd])
			drop_file(table, table->files[fd]);
	}
	kfree(table->files);
	kfree(table->flags);
	kfree(table);
}

int fd_install(struct fd_table *table, struct vfs_file *file,
	       unsigned int fd_flags, unsigned int min, unsigned long limit)
{
	unsigned int fd;

	if (limit > FD_TABLE_NR_OPEN)
		limit = FD_TABLE_NR_OPEN;
	if (min >= limit)
		return -EINVAL;
	spin_lock(&table->lock);
	for (;;) {
		fd = min > table->next_free ? min : table->next_free;
		while (fd < table->size && table->files[fd])
			fd++;
		if (fd >= limit) {
			spin_unlock(&table->lock);
			return -EMFILE;
		}
		if (fd < table->size)
			break;
		/* Grow, then look again: the lock was dropped meanwhile. */
		int err = grow_locked(table, fd);

		if (err < 0) {
			spin_unlock(&table->lock);
			return err;
		}
	}
	table->files[fd] = file;
	table->flags[fd] = (uint8_t)(fd_flags & FD_CLOEXEC);
	table->open_count++;
	if (min <= table->next_free)
		table->next_free = fd + 1;
	spin_unlock(&table->lock);
	return (int)fd;
}

struct vfs_file *fd_get(struct fd_table *table, int fd)
{
	struct vfs_file *file = NULL;

	if (fd < 0)
		return NULL;
	spin_lock(&table->lock);
	if ((unsigned int)fd < table->size && table->files[fd]) {
		file = table->files[fd];
		vfs_file_get(file);
	}
	spin_unlock(&table->lock);
	return file;
}

/* Empties slot fd (lock held) and returns what it held. */
static struct vfs_file *take_locked(struct fd_table *table, unsigned int fd)
{
	struct vfs_file *file = table->files[fd];

	if (file == NULL)
		return NULL;
	table->files[fd] = NULL;
	table->flags[fd] = 0;
	table->open_count--;
	if (fd < table->next_free)
		table->next_free = fd;
	return file;
}

int fd_close(struct fd_table *table, int fd)
{
	struct vfs_file *file = NULL;

	if (fd < 0)
		return -EBADF;
	spin_lock(&table->lock);
	if ((unsigned int)fd < table->size)
		file = take_locked(table, (unsigned int)fd);
	spin_unlock(&table->lock);
	if (file == NULL)
		return -EBADF;
	drop_file(table, file);
	return 0;
}

int fd_dup_to(struct fd_table *table, int oldfd, int newfd,
	      unsigned int fd_flags, unsigned long limit)
{
	struct vfs_file *file, *old = NULL;
	int err;

	if (limit > FD_TABLE_NR_OPEN)
		limit = FD_TABLE_NR_OPEN;
	if (oldfd < 0 || newfd < 0 || (unsigned long)newfd >= limit)
		return -EBADF;
	spin_lock(&table->lock);
	if ((unsigned int)oldfd >= table->size ||
	    table->files[oldfd] == NULL) {
		spin_unlock(&table->lock);
		return -EBADF;
	}
	if (oldfd == newfd) {
		spin_unlock(&table->lock);
		return newfd;
	}
	err = grow_locked(table, (unsigned int)newfd);
	/* The lock may have been dropped: oldfd may be gone. */
	if (err == 0 && table->files[oldfd] == NULL)
		err = -EBADF;
	if (err < 0) {
		spin_unlock(&table->lock);
		return err;
	}
	file = table->files[oldfd];
	vfs_file_get(file);
	old = take_locked(table, (unsigned int)newfd);
	table->files[newfd] = file;
	table->flags[newfd] = (uint8_t)(fd_flags & FD_CLOEXEC);
	table->open_count++;
	while (table->next_free < table->size &&
	       table->files[table->next_free])
		table->next_free++;
	spin_unlock(&table->lock);
	if (old)
		drop_file(table, old);
	return newfd;
}

int fd_get_flags(struct fd_table *table, int fd)
{
	int flags = -EBADF;

	if (fd < 0)
		return -EBADF;
	spin_lock(&table->lock);
	if ((unsigned int)fd < table->size && table->files[fd])
		flags = table->flags[fd];
	spin_unlock(&table->lock);
	return flags;
}

int fd_set_flags(struct fd_table *table, int fd, unsigned int fd_flags)
{
	int err = -EBADF;

	if (fd < 0)
		return -EBADF;
	spin_lock(&table->lock);
	if ((unsigned int)fd < table->size && table->files[fd]) {
		table->flags[fd] = (uint8_t)(fd_flags & FD_CLOEXEC);
		err = 0;
	}
	spin_unlock(&table->lock);
	return err;
}

void fd_close_on_exec(struct fd_table *table)
{
	for (;;) {
		struct vfs_file *file = NULL;

		spin_lock(&table->lock);
		for (unsigned int fd = 0; fd < table->size && !file; fd++) {
			if (table->files[fd] && (table->flags[fd] & FD_CLOEXEC))
				file = take_locked(table, fd);
		}
		spin_unlock(&table->lock);
		if (file == NULL)
			return;
		drop_file(table, file);
	}
}

unsigned int fd_open_count(struct fd_table *table)
{
	unsigned int count;

	spin_lock(&table->lock);
	count = table->open_count;
	spin_unlock(&table->lock);
	return count;
}

int fd_next_open(struct fd_table *table, int fd)
{
	int found = -1;

	if (fd < 0)
		fd = 0;
	spin_lock(&table->lock);
	for (unsigned int i = (unsigned int)fd; i < table->size; i++) {
		if (table->files[i]) {
			found = (int)i;
			break;
		}
	}
	spin_unlock(&table->lock);
	return found;
}
