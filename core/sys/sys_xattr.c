/*
 * Extended attributes: setxattr, lsetxattr, fsetxattr, getxattr,
 * lgetxattr, fgetxattr, listxattr, llistxattr, flistxattr, removexattr,
 * lremovexattr, fremovexattr. No file system of ours keeps extended
 * attributes yet, so each call answers as Linux does for a file system
 * without them: get -ENODATA, list 0 (none), set -EOPNOTSUPP, remove
 * -ENODATA, but only after checking its arguments in Linux's order
 * (flags, name, value size, value copy) and finding the file (path walk
 * or descriptor errors). No state.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "fs/vfs.h"

#define XATTR_CREATE 1
#define XATTR_REPLACE 2
#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536

/* How the call names its file. */
enum xattr_target {
	XATTR_PATH,		/* follows a final symbolic link */
	XATTR_LPATH,		/* does not */
	XATTR_FD,
};

/* The name must be 1..XATTR_NAME_MAX bytes: else -ERANGE. */
static int check_name(struct syscall_context *ctx, uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long length = vm_strncpy_from_user(ctx->as, name, uname,
					   sizeof(name));

	if (length < 0)
		return (int)length;
	if (length == 0 || length == (long)sizeof(name))
		return -ERANGE;
	return 0;
}

/* Finds the file: walk errors, or -EBADF (O_PATH descriptors too). */
static int find_target(struct syscall_context *ctx, uint64_t where,
		       enum xattr_target target)
{
	struct vfs_file *file;
	struct stat st;
	struct sys_at at;
	int err;

	if (target == XATTR_FD) {
		err = sys_fd_file(ctx, where, &file);
		if (err < 0)
			return err;
		if (vfs_file_flags(file) & O_PATH)
			err = -EBADF;
		vfs_file_put(file);
		return err;
	}
	err = sys_at_get(ctx, (uint32_t)AT_FDCWD, where, 0, &at);
	if (err < 0)
		return err;
	err = vfs_fstatat(ctx->caller, NULL, at.path, &st,
			  target == XATTR_LPATH ? AT_SYMLINK_NOFOLLOW : 0);
	sys_at_put(&at);
	return err;
}

/* setxattr(where, name, value, size, flags) */
static long do_set(struct syscall_context *ctx,
		   const struct syscall_args *args, enum xattr_target target)
{
	size_t size = args->arg[3];
	int flags = (int)args->arg[4];
	void *value;
	long err;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = check_name(ctx, args->arg[1]);
	if (err < 0)
		return err;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	value = kmalloc(size);
	if (value == NULL)
		return -ENOMEM;
	err = size == 0 ? 0 : vm_copy_from_user(ctx->as, value, args->arg[2],
						size);
	kfree(value);
	if (err == 0)
		err = find_target(ctx, args->arg[0], target);
	return err < 0 ? err : -EOPNOTSUPP;
}

/* getxattr(where, name, value, size) and removexattr(where, name) */
static long do_get(struct syscall_context *ctx,
		   const struct syscall_args *args, enum xattr_target target)
{
	long err;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	err = check_name(ctx, args->arg[1]);
	if (err == 0)
		err = find_target(ctx, args->arg[0], target);
	return err < 0 ? err : -ENODATA;
}

/* listxattr(where, list, size): no attributes, so an empty list. */
static long do_list(struct syscall_context *ctx,
		    const struct syscall_args *args, enum xattr_target target)
{
	if (!sys_has_files(ctx))
		return -ENOSYS;
	return find_target(ctx, args->arg[0], target);
}

long sys_setxattr(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_set(ctx, args, XATTR_PATH);
}

long sys_lsetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_set(ctx, args, XATTR_LPATH);
}

long sys_fsetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_set(ctx, args, XATTR_FD);
}

long sys_getxattr(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_PATH);
}

long sys_lgetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_LPATH);
}

long sys_fgetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_FD);
}

long sys_listxattr(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return do_list(ctx, args, XATTR_PATH);
}

long sys_llistxattr(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_list(ctx, args, XATTR_LPATH);
}

long sys_flistxattr(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_list(ctx, args, XATTR_FD);
}

long sys_removexattr(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_PATH);
}

long sys_lremovexattr(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_LPATH);
}

long sys_fremovexattr(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	return do_get(ctx, args, XATTR_FD);
}
