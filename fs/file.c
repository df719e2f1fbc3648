/*
 * Open files: opening (and O_CREAT creating), reading, writing, seeking,
 * directory reading. A file holds references on its mount and dentry, so
 * the name space cannot unmount under it, and keeps the opener's
 * credentials. Its position is guarded by pos_lock, which ranks before
 * the tree and inode locks the operations take below it.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/include/uapi/ioctl.h"
#include "fs/devfs.h"
#include "fs/epoll.h"
#include "fs/pipe.h"

#define UIO_MAXIOV 1024

static long file_count;	/* atomic */

long vfs_file_count(void)
{
	return __atomic_load_n(&file_count, __ATOMIC_RELAXED);
}

static bool is_readable(const struct vfs_file *file)
{
	int flags = vfs_file_flags(file);
	int mode = flags & O_ACCMODE;

	return !(flags & O_PATH) && (mode == O_RDONLY || mode == O_RDWR);
}

static bool is_writable(const struct vfs_file *file)
{
	int flags = vfs_file_flags(file);
	int mode = flags & O_ACCMODE;

	return !(flags & O_PATH) && (mode == O_WRONLY || mode == O_RDWR);
}

static const struct vfs_file_ops path_only_ops = { 0 };

struct vfs_file *vfs_file_open_path(const struct vfs_caller *caller,
				    const struct vfs_path *path, int flags)
{
	struct vfs_file *file = kzalloc(sizeof(*file));
	struct vfs_inode *inode = vfs_dentry_inode(path->dentry);
	int err;

	if (file == NULL)
		return ERR_PTR(-ENOMEM);
	file->path = *path;
	vfs_path_get(&file->path);
	file->inode = inode;
	/*
	 * Character devices are the driver's and FIFOs the pipe code's,
	 * whatever file system holds the node. An O_PATH file opens nothing
	 * (no private state), so no driver op may ever see it: Linux's
	 * empty_fops.
	 */
	if (flags & O_PATH)
		file->ops = &path_only_ops;
	else if (S_ISCHR(vfs_mode(inode)))
		file->ops = devfs_chrdev_ops(inode->rdev);
	else if (S_ISFIFO(vfs_mode(inode)))
		file->ops = vfs_fifo_ops();
	else
		file->ops = inode->fops;
	/* O_NOCTTY goes after the open: a terminal's open looks at it. */
	file->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);
	file->cred = *caller->cred;
	file->refcount = 1;
	mutex_init(&file->pos_lock, "vfs.file", LOCK_RANK_VFS_FILE);
	__atomic_fetch_add(&file_count, 1, __ATOMIC_RELAXED);
	if (!(flags & O_PATH) && file->ops->open != NULL) {
		err = file->ops->open(inode, file);
		if (err < 0) {
			file->ops = NULL;
			vfs_file_put(file);
			return ERR_PTR(err);
		}
	}
	file->flags &= ~O_NOCTTY;
	return file;
}

void vfs_file_get(struct vfs_file *file)
{
	__atomic_fetch_add(&file->refcount, 1, __ATOMIC_RELAXED);
}

void vfs_file_put(struct vfs_file *file)
{
	if (__atomic_sub_fetch(&file->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (__atomic_load_n(&file->epoll_links.next, __ATOMIC_ACQUIRE) != NULL)
		vfs_epoll_file_gone(file);
	if (READ_ONCE(file->flocked))	/* Linux's locks_remove_file */
		vfs_flock_release(file);
	vfs_record_locks_release(file, NULL);
	if (!(vfs_file_flags(file) & O_PATH) && file->ops != NULL &&
	    file->ops->release != NULL)
		file->ops->release(file);
	if (file->path.mount != NULL)
		vfs_path_put(&file->path);
	__atomic_fetch_sub(&file_count, 1, __ATOMIC_RELAXED);
	kfree(file);
}

struct vfs_file *vfs_file_create_anon(struct vfs_inode *inode,
				      const struct vfs_file_ops *ops,
				      int flags, const struct vfs_cred *cred,
				      void *private)
{
	struct vfs_file *file = kzalloc(sizeof(*file));

	if (file == NULL)
		return ERR_PTR(-ENOMEM);
	file->inode = inode;
	file->ops = ops;
	file->flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
				O_CLOEXEC);
	file->private = private;
	file->cred = *cred;
	file->refcount = 1;
	mutex_init(&file->pos_lock, "vfs.file", LOCK_RANK_VFS_FILE);
	__atomic_fetch_add(&file_count, 1, __ATOMIC_RELAXED);
	return file;
}

bool vfs_file_fills_reads(const struct vfs_file *file)
{
	return file->ops != NULL && file->ops->fills_reads;
}

bool vfs_file_is_anon(const struct vfs_file *file)
{
	return file->path.mount == NULL || file->path.mount->internal;
}

uint64_t vfs_file_mount_id(const struct vfs_file *file)
{
	/* Anonymous files (pipes) sit on no mount of ours. */
	return vfs_file_is_anon(file) ? 0 : file->path.mount->id;
}

uint32_t vfs_file_mode(const struct vfs_file *file)
{
	return vfs_mode(file->inode);
}

int vfs_file_flags(const struct vfs_file *file)
{
	return __atomic_load_n(&file->flags, __ATOMIC_RELAXED);
}

/* The status flags F_SETFL may change; the rest it leaves alone. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT)

int vfs_file_set_flags(const struct vfs_cred *cred, struct vfs_file *file,
		       int flags)
{
	int old = vfs_file_flags(file);

	if (old & O_PATH)
		return -EBADF;
	/* Linux: only the owner (or root) may start O_NOATIME. */
	if ((flags & O_NOATIME) && !(old & O_NOATIME) && cred->uid != 0 &&
	    cred->uid != READ_ONCE(file->inode->uid))
		return -EPERM;
	for (;;) {
		int new = (old & ~SETFL_MASK) | (flags & SETFL_MASK);

		if (__atomic_compare_exchange_n(&file->flags, &old, new, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return 0;
	}
}

static ssize_t do_read(struct vfs_file *file, void *buf, size_t length,
		       int64_t *offset)
{
	if (!is_readable(file))
		return -EBADF;
	if (S_ISDIR(vfs_mode(file->inode)))
		return -EISDIR;
	if (file->ops->read == NULL)
		return -EINVAL;
	if (length > (size_t)INT64_MAX)
		length = (size_t)INT64_MAX;
	return file->ops->read(file, buf, length, offset);
}

static ssize_t do_write(struct vfs_file *file, const void *buf,
			size_t length, int64_t *offset)
{
	if (!is_writable(file))
		return -EBADF;
	if (file->ops->write == NULL)
		return -EINVAL;
	if (length > (size_t)INT64_MAX)
		length = (size_t)INT64_MAX;
	return file->ops->write(file, buf, length, offset);
}

/*
 * The position lock, for files that have a position. Stream files (pipes,
 * devices) have none and may block for long: their callers must not
 * serialise on it (Linux takes f_pos_lock only for FMODE_ATOMIC_POS).
 */
static int64_t *lock_pos(struct vfs_file *file, int64_t *scratch)
{
	if (file->ops != NULL && file->ops->stream) {
		*scratch = 0;
		return scratch;
	}
	mutex_lock(&file->pos_lock);
	return &file->pos;
}

static void unlock_pos(struct vfs_file *file, int64_t *pos)
{
	if (pos == &file->pos)
		mutex_unlock(&file->pos_lock);
}

ssize_t vfs_read(struct vfs_file *file, void *buf, size_t length)
{
	int64_t scratch, *pos = lock_pos(file, &scratch);
	ssize_t done = do_read(file, buf, length, pos);

	unlock_pos(file, pos);
	return done;
}

ssize_t vfs_write(struct vfs_file *file, const void *buf, size_t length)
{
	int64_t scratch, *pos = lock_pos(file, &scratch);
	ssize_t done = do_write(file, buf, length, pos);

	unlock_pos(file, pos);
	return done;
}

/* Files without positioned I/O (pipes): pread, pwrite, lseek give -ESPIPE. */
static bool is_unseekable(const struct vfs_file *file)
{
	return file->ops != NULL && file->ops->no_seek;
}

ssize_t vfs_pread(struct vfs_file *file, void *buf, size_t length,
		  int64_t offset)
{
	if (offset < 0)
		return -EINVAL;
	if (is_unseekable(file))
		return -ESPIPE;
	return do_read(file, buf, length, &offset);
}

ssize_t vfs_pwrite(struct vfs_file *file, const void *buf, size_t length,
		   int64_t offset)
{
	if (offset < 0)
		return -EINVAL;
	if (is_unseekable(file))
		return -ESPIPE;
	/* As on Linux, pwrite on an O_APPEND file appends anyway. */
	return do_write(file, buf, length, &offset);
}

/* Validates an iovec array: count and total length as Linux checks them. */
static int check_iov(const struct vfs_iovec *iov, int count)
{
	size_t total = 0;

	if (count < 0 || count > UIO_MAXIOV)
		return -EINVAL;
	for (int i = 0; i < count; i++) {
		if (iov[i].length > (size_t)INT64_MAX - total)
			return -EINVAL;
		total += iov[i].length;
	}
	return 0;
}

static ssize_t do_vector(struct vfs_file *file, const struct vfs_iovec *iov,
			 int count, bool write)
{
	ssize_t total = 0;
	int err = check_iov(iov, count);

	if (err < 0)
		return err;
	int64_t scratch, *pos = lock_pos(file, &scratch);

	for (int i = 0; i < count; i++) {
		ssize_t done = write ?
			do_write(file, iov[i].base, iov[i].length, pos) :
			do_read(file, iov[i].base, iov[i].length, pos);

		if (done < 0) {
			if (total == 0)
				total = done;
			break;
		}
		total += done;
		if ((size_t)done < iov[i].length)
			break;
	}
	unlock_pos(file, pos);
	return total;
}

ssize_t vfs_readv(struct vfs_file *file, const struct vfs_iovec *iov,
		  int count)
{
	return do_vector(file, iov, count, false);
}

ssize_t vfs_writev(struct vfs_file *file, const struct vfs_iovec *iov,
		   int count)
{
	return do_vector(file, iov, count, true);
}

static int64_t seek_position(struct vfs_file *file, int64_t offset,
			     int whence)
{
	struct vfs_inode *inode = file->inode;
	int64_t base, size;

	mutex_lock(&inode->lock);
	size = inode->size;
	mutex_unlock(&inode->lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = file->pos;
		break;
	case SEEK_END:
		if (S_ISDIR(vfs_mode(inode)))
			return -EINVAL;
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (S_ISDIR(vfs_mode(inode)) || file->ops->seek_data == NULL)
			return -EINVAL;
		return file->ops->seek_data(file, offset, whence);
	default:
		return -EINVAL;
	}
	if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
		return -EINVAL;
	return base + offset;
}

int64_t vfs_lseek(struct vfs_file *file, int64_t offset, int whence)
{
	int64_t pos;

	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	if (is_unseekable(file))
		return -ESPIPE;
	if (file->ops->stream)
		return whence >= SEEK_SET && whence <= SEEK_HOLE ? 0 : -EINVAL;
	mutex_lock(&file->pos_lock);
	pos = seek_position(file, offset, whence);
	if (pos >= 0)
		file->pos = pos;
	mutex_unlock(&file->pos_lock);
	return pos;
}

int vfs_fsync(struct vfs_file *file)
{
	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	if (file->ops->fsync == NULL)
		return -EINVAL;
	return file->ops->fsync(file);
}

struct dirent_buffer {
	char *buf;
	size_t size;
	size_t used;
	bool full;		/* a record did not fit */
};

static bool fill_dirent(void *ctx, const char *name, size_t length,
			uint64_t ino, unsigned int type, uint64_t next_pos)
{
	struct dirent_buffer *out = ctx;
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) +
				 length + 1, 8);
	struct linux_dirent64 *d;

	if (out->size - out->used < reclen) {
		out->full = true;
		return false;
	}
	d = (struct linux_dirent64 *)(out->buf + out->used);
	d->d_ino = ino;
	d->d_off = (int64_t)next_pos;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)type;
	memcpy(d->d_name, name, length);
	memset(d->d_name + length, 0, reclen - offsetof(struct linux_dirent64,
							 d_name) - length);
	out->used += reclen;
	return true;
}

/* "." and ".." at positions 0 and 1; ".." of a root names itself. */
static bool fill_dots(struct vfs_file *dir, struct dirent_buffer *out,
		      uint64_t *pos)
{
	if (*pos == 0) {
		if (!fill_dirent(out, ".", 1, dir->inode->ino, DT_DIR, 1))
			return false;
		*pos = 1;
	}
	if (*pos == 1) {
		struct vfs_dentry *parent =
			vfs_dentry_get_parent(dir->path.dentry);
		uint64_t ino = vfs_dentry_inode(parent)->ino;

		vfs_dentry_put(parent);
		if (!fill_dirent(out, "..", 2, ino, DT_DIR, 2))
			return false;
		*pos = 2;
	}
	return true;
}

ssize_t vfs_getdents64(struct vfs_file *dir, void *buf, size_t size)
{
	struct dirent_buffer out = { buf, size, 0, false };
	struct vfs_inode *inode = dir->inode;
	struct rwlock *tree = &inode->sb->tree_lock;
	uint64_t pos;
	int err = 0;

	if (vfs_file_flags(dir) & O_PATH)
		return -EBADF;
	if (!S_ISDIR(vfs_mode(inode)))
		return -ENOTDIR;
	mutex_lock(&dir->pos_lock);
	rwlock_read_lock(tree);
	pos = (uint64_t)dir->pos;
	if (READ_ONCE(inode->nlink) == 0)
		err = -ENOENT;		/* removed directory */
	else if (fill_dots(dir, &out, &pos))
		err = inode->ops->readdir(inode, &pos, fill_dirent, &out);
	rwlock_read_unlock(tree);
	dir->pos = (int64_t)pos;
	mutex_unlock(&dir->pos_lock);
	if (err < 0)
		return err;
	if (out.used == 0 && out.full)
		return -EINVAL;		/* not even one record fits */
	return (ssize_t)out.used;
}

int vfs_ioctl(struct vfs_file *file, unsigned int cmd, void *arg)
{
	struct vfs_inode *inode = file->inode;
	int64_t size;

	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	if (file->ops != NULL && file->ops->ioctl != NULL)
		return file->ops->ioctl(file, cmd, arg);
	if (cmd != FIONREAD || !S_ISREG(vfs_mode(inode)))
		return -ENOTTY;
	/* Linux: a regular file's FIONREAD is size - position, unclamped. */
	mutex_lock(&inode->lock);
	size = inode->size;
	mutex_unlock(&inode->lock);
	mutex_lock(&file->pos_lock);
	*(int *)arg = (int)(size - file->pos);
	mutex_unlock(&file->pos_lock);
	return 0;
}
