/*
 * The virtual file system: the kernel-side API the syscall layer, the boot
 * code and the tests call. Every operation acts for a caller (credentials
 * plus the process's root and working directory) and returns 0, a count,
 * or -errno with Linux's values and semantics. Buffers are kernel buffers;
 * the syscall layer copies from and to user space around these calls.
 *
 * The *at calls take a directory file (`dir`) for relative paths; NULL
 * means the caller's working directory (AT_FDCWD). Every call may sleep.
 * docs/vfs.md describes the objects, their lifetimes and the lock order.
 */
#pragma once

#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/stat.h"
#include "core/lib/types.h"
#include "core/sync/spinlock.h"
#include "fs/poll.h"

struct vfs_mount;
struct vfs_dentry;
struct vfs_inode;
struct vfs_file;
struct page;

#define VFS_NGROUPS_MAX 32

/*
 * Who is asking: the file-system user and group ids, the supplementary
 * groups and the umask. Owned by the caller (the process issue fills it
 * from the task's credentials); read-only during a call.
 */
struct vfs_cred {
	uint32_t uid;
	uint32_t gid;
	unsigned int group_count;
	uint32_t groups[VFS_NGROUPS_MAX];
	uint32_t umask;
};

/* A place in the name space: a dentry seen through a mount. */
struct vfs_path {
	struct vfs_mount *mount;
	struct vfs_dentry *dentry;
};

/*
 * A process's root and working directory (Linux's fs_struct). Shared by
 * threads (and CLONE_FS children), hence reference counted.
 */
struct vfs_fs_context {
	struct spinlock lock;
	/* Protected by lock (each holds a path reference): */
	struct vfs_path root;
	struct vfs_path cwd;
	int refcount;		/* atomic */
};

/* What every operation needs to know about its caller. */
struct vfs_caller {
	const struct vfs_cred *cred;
	struct vfs_fs_context *fs;
};

/* Kernel-buffer scatter/gather element for readv/writev. */
struct vfs_iovec {
	void *base;
	size_t length;
};

/* Object counts, for leak checks and /proc later. */
struct vfs_stats {
	long inodes;
	long dentries;
	long unused_dentries;	/* on the LRU */
	long files;
	long mounts;
	long supers;
};

/* access modes for vfs_permission */
#define VFS_MAY_EXEC 1
#define VFS_MAY_WRITE 2
#define VFS_MAY_READ 4

/*
 * Sets up the dentry cache, the mount table and the built-in file system
 * types. Boot only, once, after kmem_init.
 */
void vfs_init(void);

/*
 * Mounts a new instance of file system `type` as the root of the name
 * space. Returns 0, -ENODEV for an unknown type, -EBUSY if a root exists,
 * -ENOMEM.
 */
int vfs_mount_root(const char *type, const char *options);

/*
 * Unmounts everything (children first) for tests and power-off. Returns
 * 0, or -EBUSY if anything is still referenced (nothing is unmounted then
 * below the busy mount).
 */
int vfs_unmount_all(void);

void vfs_get_stats(struct vfs_stats *stats);

/* fs contexts: a fresh one at the name space root, a copy, release. */
struct vfs_fs_context *vfs_fs_context_create(void);
struct vfs_fs_context *vfs_fs_context_clone(struct vfs_fs_context *fs);
void vfs_fs_context_get(struct vfs_fs_context *fs);
void vfs_fs_context_put(struct vfs_fs_context *fs);

/* chdir/fchdir/chroot. Errors: path walk errors, -ENOTDIR, -EACCES, -EPERM. */
int vfs_chdir(const struct vfs_caller *caller, const char *path);
int vfs_fchdir(const struct vfs_caller *caller, struct vfs_file *dir);
int vfs_chroot(const struct vfs_caller *caller, const char *path);

/*
 * getcwd(2): the working directory's absolute path, NUL-terminated, into
 * buf. Returns the length with the NUL, -ERANGE (size too small),
 * -ENOENT (the directory was removed). A directory outside the caller's
 * root reads "(unreachable)/..." as on Linux. May sleep.
 */
ssize_t vfs_getcwd(const struct vfs_caller *caller, char *buf, size_t size);

/*
 * The absolute name of `path` as seen from `root` ("(unreachable)/..."
 * when outside it), without a NUL, truncated to `size` bytes (readlink's
 * rule). Returns the length copied or -ENOENT (the name was removed),
 * -ENAMETOOLONG, -ENOMEM. For /proc links. May sleep.
 */
ssize_t vfs_path_string(const struct vfs_path *path, const struct vfs_path *root,
			char *buf, size_t size);

/*
 * Opens (or with O_CREAT creates) `path`. Returns a file with one
 * reference (release with vfs_file_put) or ERR_PTR(-errno).
 */
struct vfs_file *vfs_openat(const struct vfs_caller *caller,
			    struct vfs_file *dir, const char *path, int flags,
			    uint32_t mode);

void vfs_file_get(struct vfs_file *file);
void vfs_file_put(struct vfs_file *file);

/* The open flags (O_CLOEXEC is the descriptor table's, not kept here). */
int vfs_file_flags(const struct vfs_file *file);

/*
 * fcntl(F_SETFL): sets the changeable status flags (O_APPEND, O_NONBLOCK,
 * O_NOATIME, O_DIRECT) from `flags`, ignoring the access mode and the
 * creation flags. Shared by every descriptor of the file. Returns 0,
 * -EBADF (O_PATH file), -EPERM (O_NOATIME by a non-owner). Any context.
 */
int vfs_file_set_flags(const struct vfs_cred *cred, struct vfs_file *file,
		       int flags);

/*
 * Whether the file has no name (a pipe, also one reopened through
 * /proc/PID/fd): no path to show, no directory.
 */
bool vfs_file_is_anon(const struct vfs_file *file);

/* The id of the file's mount (statx, fdinfo); 0 for an anonymous file. */
uint64_t vfs_file_mount_id(const struct vfs_file *file);

/* The inode mode of the open file (S_IFMT and permissions). */
uint32_t vfs_file_mode(const struct vfs_file *file);

/* Whether reads of the file never block and fill any length (/dev/zero). */
bool vfs_file_fills_reads(const struct vfs_file *file);

ssize_t vfs_read(struct vfs_file *file, void *buf, size_t length);
ssize_t vfs_write(struct vfs_file *file, const void *buf, size_t length);
ssize_t vfs_pread(struct vfs_file *file, void *buf, size_t length,
		  int64_t offset);
ssize_t vfs_pwrite(struct vfs_file *file, const void *buf, size_t length,
		   int64_t offset);
ssize_t vfs_readv(struct vfs_file *file, const struct vfs_iovec *iov,
		  int count);
ssize_t vfs_writev(struct vfs_file *file, const struct vfs_iovec *iov,
		   int count);
int64_t vfs_lseek(struct vfs_file *file, int64_t offset, int whence);
int vfs_fsync(struct vfs_file *file);

/*
 * flock(2) on the open file description: LOCK_SH, LOCK_EX (with LOCK_NB:
 * -EWOULDBLOCK instead of waiting) or LOCK_UN. Returns 0, -EINVAL (other
 * operations), -EBADF (opened with O_ACCMODE 3), -ERESTARTSYS (a signal
 * while waiting), -ENOMEM. May sleep.
 */
int vfs_flock(struct vfs_file *file, int operation);

/* Drops the description's flock at its last close (vfs_file_put). */
void vfs_flock_release(struct vfs_file *file);

/*
 * Who holds a record lock (fs/record_lock.c): a descriptor table, for
 * POSIX locks (F_GETLK, F_SETLK, F_SETLKW), with the locker's pid that
 * F_GETLK reports; or, with files NULL, the open file description
 * itself, for OFD locks (F_OFD_GETLK & co).
 */
struct vfs_lock_owner {
	const void *files;
	int32_t pid;
};

/*
 * F_GETLK: the first lock that would block `fl` (struct flock, Linux's
 * rules: l_whence SEEK_SET/CUR/END, l_len 0 to the end, negative before
 * l_start), written back into fl with l_whence SEEK_SET, or l_type
 * F_UNLCK when none would. Returns 0, -EINVAL, -EOVERFLOW.
 */
int vfs_record_lock_test(struct vfs_file *file,
			 const struct vfs_lock_owner *who, struct flock *fl);

/*
 * F_SETLK (`wait` false: -EAGAIN on a conflict) or F_SETLKW: takes,
 * changes or (F_UNLCK) drops the owner's lock on a range. Returns 0,
 * -EINVAL, -EOVERFLOW, -EBADF (the description's access mode does not
 * allow the type), -EDEADLK, -ERESTARTSYS (a signal while waiting),
 * -ENOLCK (no memory). May sleep.
 */
int vfs_record_lock_set(struct vfs_file *file,
			const struct vfs_lock_owner *who,
			const struct flock *fl, bool wait);

/*
 * Drops the POSIX locks of table `files` on the file's inode (a close of
 * any of its descriptors there, Linux's locks_remove_posix), or, with
 * files NULL, the description's OFD locks (its last close).
 */
void vfs_record_locks_release(struct vfs_file *file, const void *files);
int vfs_sync(void);

/*
 * ioctl(2) on `file`; `arg` is a kernel buffer of the size the command
 * needs (the syscall layer copies it). FIONREAD works on regular files
 * (size - position) and on files whose ops implement it. Returns >= 0,
 * -ENOTTY (the file does not know the command), -EBADF (O_PATH).
 */
int vfs_ioctl(struct vfs_file *file, unsigned int cmd, void *arg);

/* Readiness for poll, select and epoll: fs/poll.h. */

/*
 * Fills `buf` with linux_dirent64 records. Returns the bytes filled, 0 at
 * the end, -EINVAL if even one record does not fit, -ENOTDIR.
 */
ssize_t vfs_getdents64(struct vfs_file *dir, void *buf, size_t size);

int vfs_truncate(const struct vfs_caller *caller, const char *path,
		 int64_t length);
int vfs_ftruncate(struct vfs_file *file, int64_t length);

/* flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int vfs_fstatat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, struct stat *st, int flags);
int vfs_fstat(struct vfs_file *file, struct stat *st);
/* statx of an open file (statx with AT_EMPTY_PATH and ""). */
int vfs_fstatx(struct vfs_file *file, uint32_t mask, struct statx *stx);
int vfs_statx(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int flags, uint32_t mask, struct statx *stx);
int vfs_statfs(const struct vfs_caller *caller, const char *path,
	       struct statfs *buf);
int vfs_fstatfs(struct vfs_file *file, struct statfs *buf);

int vfs_mkdirat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, uint32_t mode);
/* mode: S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK plus permissions. */
int vfs_mknodat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, uint32_t mode, uint32_t rdev);
/* flags: AT_REMOVEDIR makes it rmdir. */
int vfs_unlinkat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, int flags);
/* flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int vfs_linkat(const struct vfs_caller *caller, struct vfs_file *old_dir,
	       const char *old_path, struct vfs_file *new_dir,
	       const char *new_path, int flags);
int vfs_symlinkat(const struct vfs_caller *caller, const char *target,
		  struct vfs_file *dir, const char *path);
/* Returns the target's length (not NUL-terminated, truncated to size). */
ssize_t vfs_readlinkat(const struct vfs_caller *caller, struct vfs_file *dir,
		       const char *path, char *buf, size_t size);
/* flags: RENAME_NOREPLACE, RENAME_EXCHANGE. */
int vfs_renameat2(const struct vfs_caller *caller, struct vfs_file *old_dir,
		  const char *old_path, struct vfs_file *new_dir,
		  const char *new_path, unsigned int flags);

/* flags: AT_SYMLINK_NOFOLLOW (-EOPNOTSUPP for chmod, as Linux). */
int vfs_fchmodat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, uint32_t mode, int flags);
int vfs_fchmod(const struct vfs_caller *caller, struct vfs_file *file,
	       uint32_t mode);
/* uid/gid (uint32_t)-1 leave that id alone. */
int vfs_fchownat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, uint32_t uid, uint32_t gid, int flags);
int vfs_fchown(const struct vfs_caller *caller, struct vfs_file *file,
	       uint32_t uid, uint32_t gid);
/*
 * times[0] is atime, times[1] mtime, in {sec, nsec} pairs; nsec may be
 * UTIME_NOW or UTIME_OMIT; times NULL means both now. A NULL path with a
 * `dir` file changes that file (futimens).
 */
int vfs_utimensat(const struct vfs_caller *caller, struct vfs_file *dir,
		  const char *path, const int64_t times[2][2], int flags);

/*
 * access(2)/faccessat2: whether `caller` may `mode` (R_OK 4, W_OK 2, X_OK
 * 1, or F_OK 0) the file. flags: AT_EACCESS, AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH. The caller's cred is the one checked (the process issue
 * passes the real ids unless AT_EACCESS). Errors: -EINVAL, walk errors,
 * -EACCES, -EROFS.
 */
int vfs_faccessat(const struct vfs_caller *caller, struct vfs_file *dir,
		  const char *path, int mode, int flags);

/* How a file maps (vfs_file_mmap_kind). */
#define VFS_MMAP_PAGE_CACHE 1	/* its page-cache pages (vfs_file_get_page) */
#define VFS_MMAP_ANONYMOUS 2	/* anonymous memory (/dev/zero) */

/*
 * Whether `file` can be mmap'd: VFS_MMAP_PAGE_CACHE, VFS_MMAP_ANONYMOUS,
 * -ENODEV (no page cache: pipes, most devices, directories) or -EBADF
 * (O_PATH). Any context.
 */
int vfs_file_mmap_kind(const struct vfs_file *file);

/*
 * For page faults of a VFS_MMAP_PAGE_CACHE file: the page at page
 * `index` with a new reference (drop it with the page allocator's
 * reference rules, core/mm). Returns 0, -EIO at or past the page holding
 * the end of the file (SIGBUS), -ENOMEM. Takes no inode lock, so it may
 * be called with an address space's lock held. May sleep.
 */
int vfs_file_get_page(struct vfs_file *file, uint64_t index,
		      struct page **page);

/*
 * Opens the program of an execve: `path` relative to `dir` (NULL: the
 * working directory), following a final symbolic link unless
 * AT_SYMLINK_NOFOLLOW (-ELOOP then), AT_EMPTY_PATH with "" meaning `dir`.
 * Needs execute permission (root: any x bit), not read permission, and a
 * regular file (-EACCES otherwise, directories included). Returns a file
 * open for reading (one reference) or ERR_PTR(-errno): walk errors,
 * -EACCES, -ELOOP, -EINVAL (unknown flags). May sleep.
 */
struct vfs_file *vfs_open_exec(const struct vfs_caller *caller,
			       struct vfs_file *dir, const char *path,
			       int at_flags);

/* Permission check of a resolved inode, as the exec code will need it. */
int vfs_permission(const struct vfs_cred *cred, struct vfs_inode *inode,
		   int may);

/*
 * Mounts a new `type` file system (or with MS_BIND the tree at `source`)
 * on directory `target`. Root only (-EPERM). Errors: -ENODEV, -ENOTDIR,
 * walk errors, -EINVAL for unknown flags.
 */
int vfs_mount(const struct vfs_caller *caller, const char *source,
	      const char *target, const char *type, unsigned long flags,
	      const char *options);
/* Errors: -EINVAL (not a mount root), -EBUSY (in use), -EPERM. */
int vfs_umount(const struct vfs_caller *caller, const char *target, int flags);
