/*
 * What a file system implements and what the VFS gives it: super blocks,
 * inodes, operation tables, and file system type registration. tmpfs and
 * devfs are the first users; ext2 will be the next.
 *
 * Locking: each super block's tree_lock (an rwlock) guards its name space.
 * Directory lookups and readdir run with it held shared; every change of
 * a directory (create, link, unlink, rename) with it held exclusively. An
 * inode's `lock` (a mutex) guards its data and attributes and nests inside
 * tree_lock. Inode reference counts are protected by the dentry cache lock.
 */
#pragma once

#include "core/include/uapi/stat.h"
#include "core/lib/list.h"
#include "core/lib/types.h"
#include "core/sync/mutex.h"
#include "core/sync/rwlock.h"
#include "fs/vfs.h"

struct page;
struct vfs_super;
struct vfs_file;

struct vfs_timespec {
	int64_t sec;
	int64_t nsec;
};

struct vfs_inode {
	/* Set at creation, then read-only: */
	struct vfs_super *sb;
	uint64_t ino;
	const struct vfs_inode_ops *ops;
	const struct vfs_file_ops *fops;
	uint32_t rdev;		/* devices: (major << 20) | minor */

	/* Protected by the dentry cache lock: */
	int refcount;

	/*
	 * Protected by lock; nlink also needs sb->tree_lock held
	 * exclusively. Lock-free readers (permission checks) use READ_ONCE.
	 */
	struct mutex lock;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	int64_t size;
	uint64_t blocks;	/* 512-byte units allocated */
	struct vfs_timespec atime, mtime, ctime, btime;
};

/* An inode's mode, read once (chmod may change it concurrently). */
static inline uint32_t vfs_mode(const struct vfs_inode *inode)
{
	return READ_ONCE(inode->mode);
}

/* readdir callback: returns false when the caller's buffer is full. */
typedef bool (*vfs_filldir_fn)(void *ctx, const char *name, size_t length,
			       uint64_t ino, unsigned int type,
			       uint64_t next_pos);

/*
 * Inode operations. Directory operations are called with sb->tree_lock
 * held (shared for lookup and readdir, exclusive otherwise) and after the
 * VFS has checked names, permissions and types; they update the
 * directory's and the child's nlink and times.
 */
struct vfs_inode_ops {
	/*
	 * Returns the inode named `name` in `dir` with a new reference,
	 * NULL if there is none, or ERR_PTR(-errno).
	 */
	struct vfs_inode *(*lookup)(struct vfs_inode *dir, const char *name,
				    size_t length);
	/*
	 * Creates and links a new inode (regular, directory, device, fifo or
	 * socket by mode; `target` for symbolic links). Returns it with one
	 * reference or ERR_PTR(-ENOSPC/-ENOMEM).
	 */
	struct vfs_inode *(*create)(struct vfs_inode *dir, const char *name,
				    size_t length, uint32_t mode,
				    const struct vfs_cred *cred, uint32_t rdev,
				    const char *target);
	int (*link)(struct vfs_inode *dir, const char *name, size_t length,
		    struct vfs_inode *inode);
	/* Removes the entry (a file, or an empty directory). */
	int (*unlink)(struct vfs_inode *dir, const char *name, size_t length,
		      struct vfs_inode *inode);
	bool (*is_empty_dir)(struct vfs_inode *dir);
	/*
	 * Moves old_dir/old_name to new_dir/new_name, replacing (the VFS has
	 * checked the replacement) or with RENAME_EXCHANGE swapping.
	 */
	int (*rename)(struct vfs_inode *old_dir, const char *old_name,
		      size_t old_length, struct vfs_inode *new_dir,
		      const char *new_name, size_t new_length,
		      unsigned int flags);
	/* Copies at most size bytes of the target; returns its length. */
	ssize_t (*readlink)(struct vfs_inode *inode, char *buf, size_t size);
	/*
	 * A magic link (procfs fd/N, exe, cwd, root): a walk jumps to the
	 * target itself, referenced into *out, instead of walking the text
	 * readlink shows (Linux's nd_jump_link), so a deleted file or a pipe
	 * is reached too. Returns 0 or -errno (-ENOENT: gone).
	 */
	int (*get_path)(struct vfs_inode *inode, struct vfs_path *out);
	/*
	 * Emits entries from position *pos (>= 2: the VFS emits "." and ".."
	 * at 0 and 1), leaving *pos at the first entry not emitted. Entries
	 * present for the whole walk are emitted exactly once.
	 */
	int (*readdir)(struct vfs_inode *dir, uint64_t *pos,
		       vfs_filldir_fn fill, void *ctx);
	/* Changes a regular file's size. Caller holds inode->lock. */
	int (*set_size)(struct vfs_inode *inode, int64_t size);
	/*
	 * A directory whose names only the kernel makes (devpts): from user
	 * space, creating a regular file is -EACCES and any other creation,
	 * link, removal or rename -EPERM, as Linux answers for a directory
	 * without those operations. vfs_super_mknod and vfs_super_unlink
	 * still use create and unlink.
	 */
	bool kernel_names;
};

/*
 * File operations. They take the locks they need (tmpfs: inode->lock);
 * the VFS serialises the file position with file->pos_lock around them.
 * read and write start at *offset and advance it; write with O_APPEND in
 * file->flags first moves *offset to the end, atomically with the write.
 */
struct vfs_file_ops {
	int (*open)(struct vfs_inode *inode, struct vfs_file *file);
	void (*release)(struct vfs_file *file);
	ssize_t (*read)(struct vfs_file *file, void *buf, size_t length,
			int64_t *offset);
	ssize_t (*write)(struct vfs_file *file, const void *buf,
			 size_t length, int64_t *offset);
	/* SEEK_DATA / SEEK_HOLE from offset; -ENXIO at or past the end. */
	int64_t (*seek_data)(struct vfs_file *file, int64_t offset,
			     int whence);
	int (*fsync)(struct vfs_file *file);
	/*
	 * File mmap: the page-cache page at page `index` with a new
	 * reference for the caller. Returns 0, -EIO when index is at or
	 * past the page holding the end of the file (the fault becomes
	 * SIGBUS), -ENOMEM. Called by page faults with an address space's
	 * lock held: must not take the inode lock. NULL: the file cannot be
	 * mapped (-ENODEV), unless mmap_anonymous.
	 */
	int (*get_page)(struct vfs_file *file, uint64_t index,
			struct page **page);
	/*
	 * ioctl(2) with `arg` a kernel buffer of the command's size, which
	 * the syscall layer copies in and out (core/sys/sys_ioctl.c knows
	 * each command's size). Returns >= 0 or -errno; -ENOTTY for a
	 * command the file does not know. Optional.
	 */
	int (*ioctl)(struct vfs_file *file, unsigned int cmd, void *arg);
	/*
	 * The file's readiness now (POLLIN, POLLOUT, POLLHUP, POLLERR...).
	 * Optional: without it a file is always ready to read and write
	 * (regular files, as Linux's DEFAULT_POLLMASK) and epoll_ctl refuses
	 * it (-EPERM). Any context that may take a spinlock; never sleeps.
	 */
	unsigned int (*poll)(struct vfs_file *file);
	/*
	 * The head (fs/poll.h) the file's object wakes with vfs_poll_wake()
	 * when its readiness changes; waiters queue on it. Lives as long as
	 * the file. Optional: a file with `poll` and no `poll_head` must call
	 * vfs_poll_notify() (global, slow) on every change instead.
	 */
	struct vfs_poll_head *(*poll_head)(struct vfs_file *file);
	/*
	 * Readiness changes without any wake-up (polled devices: the
	 * console until it has an input interrupt): pollers look again every
	 * VFS_POLL_TIMER_NS.
	 */
	bool poll_by_timer;
	/*
	 * Devices and pipes that ignore the position (lseek leaves it at 0).
	 * Their reads and writes run without file->pos_lock (they may block
	 * for long) and get a scratch offset.
	 */
	bool stream;
	/* No position at all (pipes): lseek, pread, pwrite give -ESPIPE. */
	bool no_seek;
	/*
	 * Reads never block and fill whatever length is asked (/dev/zero,
	 * /dev/urandom): a read(2) gets its whole count, as on Linux, not
	 * one bounce chunk (vfs_file_fills_reads).
	 */
	bool fills_reads;
	/* mmap gives anonymous memory (/dev/zero, as Linux's mmap_zero). */
	bool mmap_anonymous;
	/*
	 * An anonymous file's kind, as /proc/PID/fd shows it
	 * (`anon_inode:[eventfd]`); pipes show `pipe:[ino]` without it.
	 */
	const char *anon_name;
	/*
	 * Where following /proc/PID/fd/N of an anonymous file leads: a new
	 * pseudo path to its inode, referenced (Linux's pipefs dentry), which
	 * open reopens. NULL: nowhere (-ENOENT). May sleep.
	 */
	int (*anon_path)(struct vfs_file *file, struct vfs_path *out);
};

struct vfs_super_ops {
	/*
	 * The last reference to an unlinked inode went (or to any inode,
	 * with evict_unused): free it.
	 */
	void (*evict_inode)(struct vfs_inode *inode);
	/*
	 * Inodes made on demand (procfs, as Linux's generic_delete_inode):
	 * evicted at their last reference, linked or not; the next lookup
	 * makes a new one. Others stay until unlinked or the super's kill.
	 */
	bool evict_unused;
	int (*statfs)(struct vfs_super *sb, struct statfs *buf); /* or magic */
	int (*sync)(struct vfs_super *sb);
	/* The last mount went and every dentry is gone: free everything. */
	void (*kill)(struct vfs_super *sb);
	/*
	 * Optional, for file systems whose names change behind the VFS's
	 * back (procfs): whether a cached dentry (positive or negative) still
	 * holds. A false answer unhashes it and the name is looked up again.
	 * Called without locks held; may sleep.
	 */
	bool (*revalidate)(struct vfs_dentry *dentry);
};

struct vfs_super {
	/* Set by fill_super, then read-only: */
	const struct vfs_fs_type *type;
	const struct vfs_super_ops *ops;
	struct vfs_dentry *root;	/* holds a reference */
	void *private;
	uint32_t dev;			/* st_dev */
	int64_t block_size;
	/*
	 * Internal pseudo file systems (no ops->statfs): the f_type statfs
	 * shows, with 4096-byte blocks and no counts (Linux's simple_statfs).
	 */
	uint32_t magic;

	struct rwlock tree_lock;	/* the name space of this file system */
	int refcount;			/* mounts; under the mount lock */
	long dentry_count;		/* under the dentry cache lock */
};

struct vfs_fs_type {
	const char *name;
	/*
	 * Sets up sb (ops, private, dev) and returns its root inode with a
	 * reference, or ERR_PTR(-errno).
	 */
	struct vfs_inode *(*fill_super)(struct vfs_super *sb,
					const char *options);
	/*
	 * Optional: called once the root dentry exists, before the first
	 * mount is visible. Returns 0 or -errno (the mount fails).
	 */
	int (*mounted)(struct vfs_super *sb);
	struct list_head link;
};

/* An open file. */
struct vfs_file {
	/* Set at open, then read-only: */
	struct vfs_path path;		/* holds references */
	struct vfs_inode *inode;
	const struct vfs_file_ops *ops;
	int flags;			/* open flags, without O_CREAT & co */
	void *private;			/* the file system's or driver's */
	struct vfs_cred cred;		/* the opener's (Linux f_cred) */

	int refcount;			/* atomic */
	/*
	 * The epoll items watching this file (fs/epoll.c), under the epoll
	 * links lock; next is NULL until the first one.
	 */
	struct list_head epoll_links;
	bool flocked;			/* holds a flock (fs/flock.c) */
	struct mutex pos_lock;
	/* Protected by pos_lock: */
	int64_t pos;
};

/*
 * A file with no name (pipes): `inode` belongs to the caller, who keeps
 * it alive until `ops->release`; the file has no path (vfs_file_is_anon).
 * Returns it with one reference or ERR_PTR(-ENOMEM). May sleep.
 */
struct vfs_file *vfs_file_create_anon(struct vfs_inode *inode,
				      const struct vfs_file_ops *ops,
				      int flags, const struct vfs_cred *cred,
				      void *private);

/* Registers a file system type (name unique). Returns 0 or -EEXIST. */
int vfs_register_fs(struct vfs_fs_type *type);

/*
 * Fills the VFS fields of a new inode: ino, mode, owner, times now,
 * refcount 1, nlink 1 (2 for directories). The file system allocates it.
 */
void vfs_inode_init(struct vfs_inode *inode, struct vfs_super *sb,
		    uint64_t ino, uint32_t mode, const struct vfs_cred *cred);

void vfs_inode_get(struct vfs_inode *inode);
/* Drops a reference; an unlinked inode's last one evicts it. */
void vfs_inode_put(struct vfs_inode *inode);

/* A file system frees an inode: keeps the VFS's count right. */
void vfs_inode_freed(struct vfs_inode *inode);

/*
 * Creates a node in sb's root directory for the kernel (devtmpfs),
 * keeping the dentry cache right. Returns 0, -EEXIST, -ENOSPC, -ENOMEM.
 * May sleep.
 */
int vfs_super_mknod(struct vfs_super *sb, const char *name, uint32_t mode,
		    uint32_t rdev);

/* Removes a node vfs_super_mknod made (devpts). 0 or -ENOENT. */
int vfs_super_unlink(struct vfs_super *sb, const char *name);

/* Wall clock now, for timestamps. */
struct vfs_timespec vfs_now(void);

/* Sets mtime and ctime to now. Caller holds the inode lock or tree_lock. */
void vfs_inode_touch(struct vfs_inode *inode);

/* A new device number for a super block without a device (st_dev). */
uint32_t vfs_anon_dev(void);

static inline uint32_t vfs_mkdev(uint32_t major, uint32_t minor)
{
	return (major << 20) | (minor & 0xfffff);
}

static inline uint32_t vfs_dev_major(uint32_t dev)
{
	return dev >> 20;
}

static inline uint32_t vfs_dev_minor(uint32_t dev)
{
	return dev & 0xfffff;
}

/* The hash the dentry cache uses for names; file systems may share it. */
uint32_t vfs_name_hash(const char *name, size_t length);

/*
 * Clears the set-id bits a write by `cred` must drop (Linux
 * file_remove_privs; root keeps them). Caller holds inode->lock.
 */
void vfs_remove_privs(const struct vfs_cred *cred, struct vfs_inode *inode);

/* The DT_* type of a mode. */
unsigned int vfs_mode_to_dtype(uint32_t mode);
