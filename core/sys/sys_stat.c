/*
 * File attributes: stat(2), fstat(2), lstat(2), newfstatat(2), statx(2),
 * statfs(2), fstatfs(2), chmod/fchmod/fchmodat, chown/fchown/lchown/
 * fchownat, truncate/ftruncate, utimensat/utimes/utime/futimesat.
 * An *at call on "" with AT_EMPTY_PATH acts on the descriptor itself,
 * which may be a pipe (no path to walk): those go to the fd calls.
 * No state.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "fs/vfs.h"

#define AT_STATX_SYNC_TYPE 0x6000
#define STATX_RESERVED 0x80000000u
#define STAT_AT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

static int arg_int(uint64_t value)
{
	return (int)(uint32_t)value;
}

static long put_user(struct syscall_context *ctx, uaddr_t dst,
		     const void *src, size_t length)
{
	if (ctx->as == NULL)
		return -EFAULT;
	return vm_copy_to_user(ctx->as, dst, src, length);
}

/* The descriptor's own call is wanted: "" with AT_EMPTY_PATH on an fd. */
static bool is_on_fd(const struct sys_at *at)
{
	return at->empty && at->dir != NULL;
}

static long do_fstatat(struct syscall_context *ctx, uint64_t dirfd,
		       uaddr_t upath, uaddr_t ubuf, int flags)
{
	struct stat st;
	struct sys_at at;
	long result;

	if (flags & ~STAT_AT_FLAGS)
		return -EINVAL;
	result = sys_at_get(ctx, dirfd, upath, flags, &at);
	if (result < 0)
		return result;
	result = is_on_fd(&at) ? vfs_fstat(at.dir, &st) :
		 vfs_fstatat(ctx->caller, at.dir, at.path, &st, flags);
	sys_at_put(&at);
	if (result == 0)
		result = put_user(ctx, ubuf, &st, sizeof(st));
	return result;
}

long sys_stat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_fstatat(ctx, (uint32_t)AT_FDCWD, args->arg[0], args->arg[1],
			  0);
}

long sys_lstat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_fstatat(ctx, (uint32_t)AT_FDCWD, args->arg[0], args->arg[1],
			  AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_fstatat(ctx, args->arg[0], args->arg[1], args->arg[2],
			  arg_int(args->arg[3]));
}

long sys_fstat(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	struct stat st;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = vfs_fstat(file, &st);
	vfs_file_put(file);
	if (result == 0)
		result = put_user(ctx, args->arg[1], &st, sizeof(st));
	return result;
}

long sys_statx(struct syscall_context *ctx, const struct syscall_args *args)
{
	int flags = arg_int(args->arg[2]);
	uint32_t mask = (uint32_t)args->arg[3];
	struct statx stx;
	struct sys_at at;
	long result;

	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (flags & ~(STAT_AT_FLAGS | AT_STATX_SYNC_TYPE)) ||
	    (mask & STATX_RESERVED))
		return -EINVAL;
	result = sys_at_get(ctx, args->arg[0], args->arg[1], flags, &at);
	if (result < 0)
		return result;
	result = is_on_fd(&at) ? vfs_fstatx(at.dir, mask, &stx) :
		 vfs_statx(ctx->caller, at.dir, at.path, flags, mask, &stx);
	sys_at_put(&at);
	if (result == 0)
		result = put_user(ctx, args->arg[4], &stx, sizeof(stx));
	return result;
}

long sys_statfs(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct statfs buf;
	struct sys_at at;
	long result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0,
				 &at);

	if (result < 0)
		return result;
	result = vfs_statfs(ctx->caller, at.path, &buf);
	sys_at_put(&at);
	if (result == 0)
		result = put_user(ctx, args->arg[1], &buf, sizeof(buf));
	return result;
}

long sys_fstatfs(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	struct statfs buf;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = vfs_fstatfs(file, &buf);
	vfs_file_put(file);
	if (result == 0)
		result = put_user(ctx, args->arg[1], &buf, sizeof(buf));
	return result;
}

static long do_fchmodat(struct syscall_context *ctx, uint64_t dirfd,
			uaddr_t upath, uint32_t mode)
{
	struct sys_at at;
	long result = sys_at_get(ctx, dirfd, upath, 0, &at);

	if (result < 0)
		return result;
	result = vfs_fchmodat(ctx->caller, at.dir, at.path, mode, 0);
	sys_at_put(&at);
	return result;
}

long sys_chmod(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_fchmodat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			   (uint32_t)args->arg[1]);
}

long sys_fchmodat(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	return do_fchmodat(ctx, args->arg[0], args->arg[1],
			   (uint32_t)args->arg[2]);
}

long sys_fchmod(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = vfs_fchmod(ctx->caller, file, (uint32_t)args->arg[1]);
	vfs_file_put(file);
	return result;
}

static long do_fchownat(struct syscall_context *ctx, uint64_t dirfd,
			uaddr_t upath, uint64_t uid, uint64_t gid, int flags)
{
	struct sys_at at;
	long result;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	result = sys_at_get(ctx, dirfd, upath, flags, &at);
	if (result < 0)
		return result;
	if (is_on_fd(&at) && vfs_file_is_anon(at.dir))
		result = vfs_fchown(ctx->caller, at.dir, (uint32_t)uid,
				    (uint32_t)gid);
	else
		result = vfs_fchownat(ctx->caller, at.dir, at.path,
				      (uint32_t)uid, (uint32_t)gid, flags);
	sys_at_put(&at);
	return result;
}

long sys_chown(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_fchownat(ctx, (uint32_t)AT_FDCWD, args->arg[0], args->arg[1],
			   args->arg[2], 0);
}

long sys_lchown(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_fchownat(ctx, (uint32_t)AT_FDCWD, args->arg[0], args->arg[1],
			   args->arg[2], AT_SYMLINK_NOFOLLOW);
}

long sys_fchownat(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	return do_fchownat(ctx, args->arg[0], args->arg[1], args->arg[2],
			   args->arg[3], arg_int(args->arg[4]));
}

long sys_fchown(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = vfs_fchown(ctx->caller, file, (uint32_t)args->arg[1],
			    (uint32_t)args->arg[2]);
	vfs_file_put(file);
	return result;
}

/* Linux rejects a negative length before the path or the descriptor. */
long sys_truncate(struct syscall_context *ctx, const struct syscall_args *args)
{
	int64_t length = (int64_t)args->arg[1];
	struct sys_at at;
	long result;

	if (length < 0)
		return -EINVAL;
	result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0, &at);
	if (result < 0)
		return result;
	result = vfs_truncate(ctx->caller, at.path, length);
	sys_at_put(&at);
	return result;
}

long sys_ftruncate(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int64_t length = (int64_t)args->arg[1];
	struct vfs_file *file;
	long result;

	if (length < 0)
		return -EINVAL;
	result = sys_fd_file(ctx, args->arg[0], &file);
	if (result < 0)
		return result;
	result = vfs_ftruncate(file, length);
	vfs_file_put(file);
	return result;
}

/*
 * The common end of the utime family: times NULL means now. A NULL path
 * changes the descriptor's file (futimens); AT_FDCWD then is -EFAULT, as
 * on Linux.
 */
static long set_times(struct syscall_context *ctx, uint64_t dirfd,
		      uaddr_t upath, const int64_t (*times)[2], int flags)
{
	struct vfs_file *file;
	struct sys_at at;
	long result;

	if (upath == 0 && !(flags & AT_EMPTY_PATH)) {
		if ((int)(uint32_t)dirfd == AT_FDCWD)
			return -EFAULT;
		result = sys_fd_file(ctx, dirfd, &file);
		if (result < 0)
			return result;
		result = vfs_utimensat(ctx->caller, file, NULL, times, flags);
		vfs_file_put(file);
		return result;
	}
	result = sys_at_get(ctx, dirfd, upath, flags, &at);
	if (result < 0)
		return result;
	result = vfs_utimensat(ctx->caller, at.dir,
			       is_on_fd(&at) ? NULL : at.path, times, flags);
	sys_at_put(&at);
	return result;
}

long sys_utimensat(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int flags = arg_int(args->arg[3]);
	int64_t times[2][2];
	long result;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (args->arg[2] != 0) {
		result = vm_copy_from_user(ctx->as, times, args->arg[2],
					   sizeof(times));
		if (result < 0)
			return result;
	}
	return set_times(ctx, args->arg[0], args->arg[1],
			 args->arg[2] != 0 ? times : NULL, flags);
}

/* struct timeval pairs to timespec pairs: usec in [0, 10^6) or -EINVAL. */
static long copy_timevals(struct syscall_context *ctx, uaddr_t utv,
			  int64_t times[2][2])
{
	int64_t tv[2][2];
	long result = vm_copy_from_user(ctx->as, tv, utv, sizeof(tv));

	if (result < 0)
		return result;
	for (int i = 0; i < 2; i++) {
		if (tv[i][1] < 0 || tv[i][1] >= 1000000)
			return -EINVAL;
		times[i][0] = tv[i][0];
		times[i][1] = tv[i][1] * 1000;
	}
	return 0;
}

static long do_futimesat(struct syscall_context *ctx, uint64_t dirfd,
			 uaddr_t upath, uaddr_t utv)
{
	int64_t times[2][2];
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (utv != 0) {
		result = copy_timevals(ctx, utv, times);
		if (result < 0)
			return result;
	}
	return set_times(ctx, dirfd, upath, utv != 0 ? times : NULL, 0);
}

long sys_utimes(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_futimesat(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			    args->arg[1]);
}

long sys_futimesat(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_futimesat(ctx, args->arg[0], args->arg[1], args->arg[2]);
}

/* utime(2): struct utimbuf { actime; modtime; }, whole seconds. */
long sys_utime(struct syscall_context *ctx, const struct syscall_args *args)
{
	int64_t buf[2], times[2][2];
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (args->arg[1] != 0) {
		result = vm_copy_from_user(ctx->as, buf, args->arg[1],
					   sizeof(buf));
		if (result < 0)
			return result;
		times[0][0] = buf[0];
		times[0][1] = 0;
		times[1][0] = buf[1];
		times[1][1] = 0;
	}
	return set_times(ctx, (uint32_t)AT_FDCWD, args->arg[0],
			 args->arg[1] != 0 ? times : NULL, 0);
}
