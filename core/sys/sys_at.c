/*
 * What the file syscalls share: descriptor lookup, user path copies and
 * the (dirfd, path) resolution of every *at call, in Linux's order
 * (getname, then the directory descriptor). No state, no locks.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

bool sys_has_files(const struct syscall_context *ctx)
{
	return ctx->caller != NULL && ctx->files != NULL && ctx->as != NULL;
}

int sys_fd_file(struct syscall_context *ctx, uint64_t fd,
		struct vfs_file **file)
{
	if (ctx->files == NULL)
		return -ENOSYS;
	/* Linux reads descriptors as (unsigned) int: high bits ignored. */
	*file = fd_get(ctx->files, (int)(uint32_t)fd);
	return *file != NULL ? 0 : -EBADF;
}

int sys_path_copy(struct syscall_context *ctx, uaddr_t upath, char **path)
{
	char *copy;
	long length;

	if (ctx->as == NULL)
		return -EFAULT;
	copy = kmalloc(PATH_MAX);
	if (copy == NULL)
		return -ENOMEM;
	length = vm_strncpy_from_user(ctx->as, copy, upath, PATH_MAX);
	if (length == PATH_MAX)
		length = -ENAMETOOLONG;
	if (length < 0) {
		kfree(copy);
		return (int)length;
	}
	*path = copy;
	return 0;
}

/* AT_EMPTY_PATH also takes a NULL path (Linux 6.11 and later). */
static int copy_at_path(struct syscall_context *ctx, uaddr_t upath,
			int flags, char **path)
{
	if (upath == 0 && (flags & AT_EMPTY_PATH)) {
		*path = kzalloc(1);
		return *path != NULL ? 0 : -ENOMEM;
	}
	return sys_path_copy(ctx, upath, path);
}

int sys_at_get(struct syscall_context *ctx, uint64_t dirfd, uaddr_t upath,
	       int flags, struct sys_at *at)
{
	int fd = (int)(uint32_t)dirfd;
	int err;

	*at = (struct sys_at){ 0 };
	if (!sys_has_files(ctx))
		return -ENOSYS;
	err = copy_at_path(ctx, upath, flags, &at->path);
	if (err < 0)
		return err;
	at->empty = at->path[0] == '\0';
	if (at->empty && !(flags & AT_EMPTY_PATH))
		err = -ENOENT;
	else if (at->path[0] == '/' || fd == AT_FDCWD)
		return 0;
	else
		err = sys_fd_file(ctx, (uint32_t)fd, &at->dir);
	if (err == 0 && !at->empty && !S_ISDIR(vfs_file_mode(at->dir)))
		err = -ENOTDIR;
	if (err < 0)
		sys_at_put(at);
	return err;
}

void sys_at_put(struct sys_at *at)
{
	if (at->dir != NULL)
		vfs_file_put(at->dir);
	kfree(at->path);
	*at = (struct sys_at){ 0 };
}
