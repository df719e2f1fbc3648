/*
 * The process's place in the name space and whole-file-system calls:
 * chdir(2), fchdir(2), chroot(2), getcwd(2), sync(2), syncfs(2),
 * fsync(2), fdatasync(2), mount(2), umount2(2). The root and cwd live in
 * ctx->caller->fs (the VFS locks it). No state here.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "fs/vfs.h"

/* mount(2): the old magic number some callers still put in the flags. */
#define MS_MGC_MASK 0xffff0000ul
#define MS_MGC_VAL 0xc0ed0000ul

long sys_chdir(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct sys_at at;
	long result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0,
				 &at);

	if (result < 0)
		return result;
	result = vfs_chdir(ctx->caller, at.path);
	sys_at_put(&at);
	return result;
}

long sys_fchdir(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	result = sys_fd_file(ctx, args->arg[0], &file);
	if (result < 0)
		return result;
	result = vfs_fchdir(ctx->caller, file);
	vfs_file_put(file);
	return result;
}

long sys_chroot(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct sys_at at;
	long result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0,
				 &at);

	if (result < 0)
		return result;
	result = vfs_chroot(ctx->caller, at.path);
	sys_at_put(&at);
	return result;
}

/* Returns the length with the NUL, as the raw syscall does. */
long sys_getcwd(struct syscall_context *ctx, const struct syscall_args *args)
{
	size_t size = MIN(args->arg[1], (uint64_t)PATH_MAX);
	char *buf;
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	buf = kmalloc(PATH_MAX);
	if (buf == NULL)
		return -ENOMEM;
	result = vfs_getcwd(ctx->caller, buf, size);
	if (result > 0 &&
	    vm_copy_to_user(ctx->as, args->arg[0], buf, (size_t)result) < 0)
		result = -EFAULT;
	kfree(buf);
	return result;
}

long sys_sync(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)ctx;
	(void)args;
	vfs_sync();
	return 0;
}

/* FIXME: one file system's sync; syncing them all is correct, if slower. */
long sys_syncfs(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	vfs_file_put(file);
	return vfs_sync();
}

long sys_fsync(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = vfs_fsync(file);
	vfs_file_put(file);
	return result;
}

/* Without metadata-only writeback, fdatasync is fsync. */
long sys_fdatasync(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return sys_fsync(ctx, args);
}

long sys_flock(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	/* O_PATH: Linux's fdget refuses it. */
	result = vfs_file_flags(file) & O_PATH ? -EBADF :
		 vfs_flock(file, (int)args->arg[1]);
	vfs_file_put(file);
	return result;
}

/* An optional user string (NULL stays NULL), at most `max` bytes. */
static int copy_optional_string(struct syscall_context *ctx, uaddr_t ustr,
				size_t max, bool truncate, char **out)
{
	long length;

	*out = NULL;
	if (ustr == 0)
		return 0;
	*out = kmalloc(max);
	if (*out == NULL)
		return -ENOMEM;
	length = vm_strncpy_from_user(ctx->as, *out, ustr, max);
	if (length == (long)max && truncate) {
		(*out)[max - 1] = '\0';	/* Linux copies one page of data */
		length = 0;
	} else if (length == (long)max) {
		length = -ENAMETOOLONG;
	}
	if (length < 0) {
		kfree(*out);
		*out = NULL;
		return (int)length;
	}
	return 0;
}

long sys_mount(struct syscall_context *ctx, const struct syscall_args *args)
{
	unsigned long flags = args->arg[3];
	char *source = NULL, *type = NULL, *data = NULL;
	struct sys_at target;
	long result;

	if ((flags & MS_MGC_MASK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MASK;
	result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[1], 0,
			    &target);
	if (result < 0)
		return result;
	result = copy_optional_string(ctx, args->arg[0], PATH_MAX, false,
				      &source);
	if (result == 0)
		result = copy_optional_string(ctx, args->arg[2], PATH_MAX,
					      false, &type);
	if (result == 0)
		result = copy_optional_string(ctx, args->arg[4], PAGE_SIZE,
					      true, &data);
	/* Linux: a new mount needs a type, a bind mount a source; a
	 * remount neither. */
	if (result == 0 && !(flags & MS_REMOUNT) &&
	    ((flags & MS_BIND) ? source == NULL || !*source : type == NULL))
		result = -EINVAL;
	if (result == 0)
		result = vfs_mount(ctx->caller, source, target.path, type,
				   flags, data);
	kfree(source);
	kfree(type);
	kfree(data);
	sys_at_put(&target);
	return result;
}

long sys_umount2(struct syscall_context *ctx, const struct syscall_args *args)
{
	int flags = (int)args->arg[1];
	struct sys_at at;
	long result;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	result = sys_at_get(ctx, (uint32_t)AT_FDCWD, args->arg[0], 0, &at);
	if (result < 0)
		return result;
	result = vfs_umount(ctx->caller, at.path, flags);
	sys_at_put(&at);
	return result;
}
