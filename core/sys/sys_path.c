/*
 * Syscalls that name files: open(2), openat(2), creat(2), mkdir(at),
 * mknod(at), rmdir(2), unlink(at), link(at), symlink(at), readlink(at),
 * rename, renameat, renameat2, access, faccessat, faccessat2. Each
 * validates its flags first (Linux does, before copying the path), then
 * resolves (dirfd, path) with sys_at_get and calls the VFS. No state.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

#define AT_EACCESS 0x200
#define FASYNC 020000
/*
 * What open(2) and openat(2) look at; other bits are dropped, as Linux
 * does for the two (only openat2 rejects them).
 */
#define OPEN_VALID_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY |          \
			  O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |         \
			  O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
			  O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)

static int arg_int(uint64_t value)
{
	return (int)(uint32_t)value;
}

static long do_openat(struct syscall_context *ctx, uint64_t dirfd,
		      uaddr_t upath, int flags, uint32_t mode)
{
	struct vfs_file *file;
	struct sys_at at;
	long result;

	/* FIXME: O_ASYNC (FASYNC) needs SIGIO; dropped for now. */
	flags &= OPEN_VALID_FLAGS & ~FASYNC;
	/* x86_64 Linux forces O_LARGEFILE on every open (F_GETFL shows it). */
	if (!(flags & O_PATH))
		flags |= O_LARGEFILE;
	result = sys_at_get(ctx, dirfd, upath, 0, &at);
	if (result < 0)
		return result;
	file = vfs_openat(ctx->caller, at.dir, at.path, flags,
			  mode & S_IALLUGO);
	sys_at_put(&at);
	if (IS_ERR(file))
		return PTR_ERR(file);
	result = fd_install(ctx->files, file,
			    (flags & O_CLOEXEC) ? FD_CLOEXEC : 0, 0,
			    ctx->fd_limit);
	if (result < 0)
		vfs_file_put(file);
	return result;
}

long sys_open(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_openat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			 arg_int(args->arg[1]), (uint32_t)args->arg[2]);
}

long sys_openat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_openat(ctx, args->arg[0], args->arg[1],
			 arg_int(args->arg[2]), (uint32_t)args->arg[3]);
}

long sys_creat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_openat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			 O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)args->arg[1]);
}

static long do_mkdirat(struct syscall_context *ctx, uint64_t dirfd,
		       uaddr_t upath, uint32_t mode)
{
	struct sys_at at;
	long result = sys_at_get(ctx, dirfd, upath, 0, &at);

	if (result < 0)
		return result;
	result = vfs_mkdirat(ctx->caller, at.dir, at.path, mode);
	sys_at_put(&at);
	return result;
}

long sys_mkdir(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_mkdirat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			  (uint32_t)args->arg[1]);
}

long sys_mkdirat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_mkdirat(ctx, args->arg[0], args->arg[1],
			  (uint32_t)args->arg[2]);
}

/* Linux new_decode_dev: the user's dev_t to (major, minor). */
static uint32_t decode_dev(uint32_t dev)
{
	uint32_t major = (dev & 0xfff00) >> 8;
	uint32_t minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);

	return (major << 20) | minor;	/* the VFS encoding, fs/vfs_fs.h */
}

/* Linux may_mknod, checked before the path is even looked at. */
static int check_mknod_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return 0;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

static long do_mknodat(struct syscall_context *ctx, uint64_t dirfd,
		       uaddr_t upath, uint32_t mode, uint32_t dev)
{
	struct sys_at at;
	long result = check_mknod_type(mode);

	if (result < 0)
		return result;
	result = sys_at_get(ctx, dirfd, upath, 0, &at);
	if (result < 0)
		return result;
	result = vfs_mknodat(ctx->caller, at.dir, at.path, mode,
			     decode_dev(dev));
	sys_at_put(&at);
	return result;
}

long sys_mknod(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_mknodat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			  (uint32_t)args->arg[1], (uint32_t)args->arg[2]);
}

long sys_mknodat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_mknodat(ctx, args->arg[0], args->arg[1],
			  (uint32_t)args->arg[2], (uint32_t)args->arg[3]);
}

static long do_unlinkat(struct syscall_context *ctx, uint64_t dirfd,
			uaddr_t upath, int flags)
{
	struct sys_at at;
	long result;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	result = sys_at_get(ctx, dirfd, upath, 0, &at);
	if (result < 0)
		return result;
	result = vfs_unlinkat(ctx->caller, at.dir, at.path, flags);
	sys_at_put(&at);
	return result;
}

long sys_rmdir(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_unlinkat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			   AT_REMOVEDIR);
}

long sys_unlink(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_unlinkat(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0);
}

long sys_unlinkat(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	return do_unlinkat(ctx, args->arg[0], args->arg[1],
			   arg_int(args->arg[2]));
}

static long do_linkat(struct syscall_context *ctx, uint64_t old_dirfd,
		      uaddr_t old_upath, uint64_t new_dirfd,
		      uaddr_t new_upath, int flags)
{
	struct sys_at old_at, new_at;
	long result;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	result = sys_at_get(ctx, old_dirfd, old_upath, flags & AT_EMPTY_PATH,
			    &old_at);
	if (result < 0)
		return result;
	result = sys_at_get(ctx, new_dirfd, new_upath, 0, &new_at);
	if (result == 0) {
		result = vfs_linkat(ctx->caller, old_at.dir, old_at.path,
				    new_at.dir, new_at.path, flags);
		sys_at_put(&new_at);
	}
	sys_at_put(&old_at);
	return result;
}

long sys_link(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_linkat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			 (uint32_t)AT_FDCWD, args->arg[1], 0);
}

long sys_linkat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_linkat(ctx, args->arg[0], args->arg[1], args->arg[2],
			 args->arg[3], arg_int(args->arg[4]));
}

static long do_symlinkat(struct syscall_context *ctx, uaddr_t utarget,
			 uint64_t dirfd, uaddr_t upath)
{
	struct sys_at at;
	char *target;
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	result = sys_path_copy(ctx, utarget, &target);
	if (result < 0)
		return result;
	if (target[0] == '\0')
		result = -ENOENT;	/* an empty target is refused */
	if (result == 0)
		result = sys_at_get(ctx, dirfd, upath, 0, &at);
	if (result == 0) {
		result = vfs_symlinkat(ctx->caller, target, at.dir, at.path);
		sys_at_put(&at);
	}
	kfree(target);
	return result;
}

long sys_symlink(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_symlinkat(ctx, args->arg[0], (uint32_t)AT_FDCWD,
			    args->arg[1]);
}

long sys_symlinkat(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_symlinkat(ctx, args->arg[0], args->arg[1], args->arg[2]);
}

/* readlinkat takes "" as the dirfd itself (an O_PATH symlink). */
static long do_readlinkat(struct syscall_context *ctx, uint64_t dirfd,
			  uaddr_t upath, uaddr_t ubuf, uint64_t size_arg)
{
	int size = arg_int(size_arg);
	struct sys_at at;
	char *target;
	long result;

	if (size <= 0)
		return -EINVAL;	/* before the path: Linux's order */
	result = sys_at_get(ctx, dirfd, upath, AT_EMPTY_PATH, &at);
	if (result < 0)
		return result;
	target = kmalloc((size_t)MIN(size, PATH_MAX));
	result = target == NULL ? -ENOMEM :
		 vfs_readlinkat(ctx->caller, at.dir, at.path, target,
				(size_t)MIN(size, PATH_MAX));
	if (result > 0 &&
	    vm_copy_to_user(ctx->as, ubuf, target, (size_t)result) < 0)
		result = -EFAULT;
	kfree(target);
	sys_at_put(&at);
	return result;
}

long sys_readlink(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	return do_readlinkat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			     args->arg[1], args->arg[2]);
}

long sys_readlinkat(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_readlinkat(ctx, args->arg[0], args->arg[1], args->arg[2],
			     args->arg[3]);
}

static long do_renameat2(struct syscall_context *ctx, uint64_t old_dirfd,
			 uaddr_t old_upath, uint64_t new_dirfd,
			 uaddr_t new_upath, unsigned int flags)
{
	struct sys_at old_at, new_at;
	long result;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	result = sys_at_get(ctx, old_dirfd, old_upath, 0, &old_at);
	if (result < 0)
		return result;
	result = sys_at_get(ctx, new_dirfd, new_upath, 0, &new_at);
	if (result == 0) {
		result = vfs_renameat2(ctx->caller, old_at.dir, old_at.path,
				       new_at.dir, new_at.path, flags);
		sys_at_put(&new_at);
	}
	sys_at_put(&old_at);
	return result;
}

long sys_rename(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_renameat2(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			    (uint32_t)AT_FDCWD, args->arg[1], 0);
}

long sys_renameat(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	return do_renameat2(ctx, args->arg[0], args->arg[1], args->arg[2],
			    args->arg[3], 0);
}

long sys_renameat2(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_renameat2(ctx, args->arg[0], args->arg[1], args->arg[2],
			    args->arg[3], (uint32_t)args->arg[4]);
}

static long do_faccessat(struct syscall_context *ctx, uint64_t dirfd,
			 uaddr_t upath, int mode, int flags)
{
	struct sys_at at;
	long result;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	result = sys_at_get(ctx, dirfd, upath, flags, &at);
	if (result < 0)
		return result;
	/*
	 * FIXME: access(2) checks the real ids, AT_EACCESS the effective
	 * ones; the caller's cred has one set until the process issue
	 * passes both.
	 */
	result = vfs_faccessat(ctx->caller, at.dir, at.path, mode,
			       flags & ~AT_EACCESS);
	sys_at_put(&at);
	return result;
}

long sys_access(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_faccessat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			    arg_int(args->arg[1]), 0);
}

long sys_faccessat(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_faccessat(ctx, args->arg[0], args->arg[1],
			    arg_int(args->arg[2]), 0);
}

long sys_faccessat2(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_faccessat(ctx, args->arg[0], args->arg[1],
			    arg_int(args->arg[2]), arg_int(args->arg[3]));
}
