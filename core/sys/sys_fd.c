/*
 * Descriptor syscalls: close(2), dup(2), dup2(2), dup3(2), fcntl(2),
 * pipe(2) and pipe2(2). The descriptor table (fs/fdtable.c) has its own
 * lock; the open file's status flags and record locks are the VFS's
 * (fs/record_lock.c). No state here.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "fs/fdtable.h"
#include "fs/pipe.h"
#include "fs/vfs.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

static int fd_arg(uint64_t value)
{
	return (int)(uint32_t)value;
}

long sys_close(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->files == NULL)
		return -ENOSYS;
	return fd_close(ctx->files, fd_arg(args->arg[0]));
}

/* A new descriptor >= min for the file at oldfd. */
static long dup_from(struct syscall_context *ctx, uint64_t oldfd,
		     unsigned int min, unsigned int fd_flags)
{
	struct vfs_file *file;
	int err = sys_fd_file(ctx, oldfd, &file);

	if (err < 0)
		return err;
	err = fd_install(ctx->files, file, fd_flags, min, ctx->fd_limit);
	if (err < 0)
		vfs_file_put(file);
	return err;
}

long sys_dup(struct syscall_context *ctx, const struct syscall_args *args)
{
	return dup_from(ctx, args->arg[0], 0, 0);
}

long sys_dup2(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->files == NULL)
		return -ENOSYS;
	return fd_dup_to(ctx->files, fd_arg(args->arg[0]),
			 fd_arg(args->arg[1]), 0, ctx->fd_limit);
}

/* Linux checks the flags, then oldfd == newfd, before any descriptor. */
long sys_dup3(struct syscall_context *ctx, const struct syscall_args *args)
{
	int oldfd = fd_arg(args->arg[0]), newfd = fd_arg(args->arg[1]);
	uint64_t flags = (uint32_t)args->arg[2];

	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (ctx->files == NULL)
		return -ENOSYS;
	return fd_dup_to(ctx->files, oldfd, newfd,
			 (flags & O_CLOEXEC) ? FD_CLOEXEC : 0, ctx->fd_limit);
}

static long fcntl_dupfd(struct syscall_context *ctx, uint64_t fd,
			uint64_t min, unsigned int fd_flags)
{
	struct vfs_file *file;
	int err = sys_fd_file(ctx, fd, &file);

	if (err < 0)
		return err;
	vfs_file_put(file);
	/* The minimum is an unsigned long: -1 is huge, so -EINVAL. */
	if (min >= ctx->fd_limit || min >= FD_TABLE_NR_OPEN)
		return -EINVAL;
	return dup_from(ctx, fd, (unsigned int)min, fd_flags);
}

/* F_GETPIPE_SZ/F_SETPIPE_SZ: the ring has a fixed size. */
static long fcntl_pipe_size(struct vfs_file *file, int cmd, uint64_t size)
{
	if (!vfs_is_pipe(file))
		return -EBADF;
	/*
	 * FIXME: resizable rings. Asking for at most the fixed capacity
	 * leaves it (a bigger buffer than asked, as a rounded-up size).
	 */
	if (cmd == F_SETPIPE_SZ && (uint32_t)size > PIPE_CAPACITY)
		return -EPERM;
	return PIPE_CAPACITY;
}

/*
 * F_GETLK, F_SETLK, F_SETLKW and the OFD variants (owned by the open file
 * description, not the descriptor table). A POSIX lock taken while
 * another thread closed the descriptor goes again, as Linux's
 * fcntl_setlk: else it would outlive every close.
 */
static long fcntl_lock(struct syscall_context *ctx, int fd,
		       struct vfs_file *file, int cmd, uint64_t arg)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK ||
		   cmd == F_OFD_SETLKW;
	struct vfs_lock_owner who = {
		.files = ofd ? NULL : ctx->files,
		.pid = ctx->task != NULL ? ctx->task->process->pid : 0,
	};
	struct vfs_file *now;
	struct flock fl;
	int err;

	if (vm_copy_from_user(ctx->as, &fl, arg, sizeof(fl)) < 0)
		return -EFAULT;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		err = vfs_record_lock_test(file, &who, &fl);
		if (err == 0 && vm_copy_to_user(ctx->as, arg, &fl,
						sizeof(fl)) < 0)
			err = -EFAULT;
		return err;
	}
	err = vfs_record_lock_set(file, &who, &fl,
				  cmd == F_SETLKW || cmd == F_OFD_SETLKW);
	if (err < 0 || ofd || fl.l_type == F_UNLCK)
		return err;
	now = fd_get(ctx->files, fd);
	if (now != file)
		vfs_record_locks_release(file, ctx->files);
	if (now != NULL)
		vfs_file_put(now);
	return 0;
}

static long fcntl_file(struct syscall_context *ctx, int fd,
		       struct vfs_file *file, int cmd, uint64_t arg)
{
	int flags = vfs_file_flags(file);

	if ((flags & O_PATH) && cmd != F_GETFL)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		return flags;
	case F_SETFL:
		return vfs_file_set_flags(ctx->caller->cred, file, (int)arg);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return fcntl_pipe_size(file, cmd, arg);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(ctx, fd, file, cmd, arg);
	default:
		return -EINVAL;
	}
}

long sys_fcntl(struct syscall_context *ctx, const struct syscall_args *args)
{
	int cmd = (int)args->arg[1];
	uint64_t arg = args->arg[2];
	struct vfs_file *file;
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	switch (cmd) {
	case F_DUPFD:
		return fcntl_dupfd(ctx, args->arg[0], arg, 0);
	case F_DUPFD_CLOEXEC:
		return fcntl_dupfd(ctx, args->arg[0], arg, FD_CLOEXEC);
	case F_GETFD:
		return fd_get_flags(ctx->files, fd_arg(args->arg[0]));
	case F_SETFD:
		return fd_set_flags(ctx->files, fd_arg(args->arg[0]),
				    (unsigned int)arg & FD_CLOEXEC);
	}
	result = sys_fd_file(ctx, args->arg[0], &file);
	if (result < 0)
		return result;
	result = fcntl_file(ctx, fd_arg(args->arg[0]), file, cmd, arg);
	vfs_file_put(file);
	return result;
}

/* Installs both ends; on failure neither stays. */
static int install_pair(struct syscall_context *ctx, struct vfs_file *ends[2],
			unsigned int fd_flags, int fds[2])
{
	fds[0] = fd_install(ctx->files, ends[0], fd_flags, 0, ctx->fd_limit);
	if (fds[0] < 0) {
		vfs_file_put(ends[0]);
		vfs_file_put(ends[1]);
		return fds[0];
	}
	fds[1] = fd_install(ctx->files, ends[1], fd_flags, 0, ctx->fd_limit);
	if (fds[1] < 0) {
		vfs_file_put(ends[1]);
		fd_close(ctx->files, fds[0]);
		return fds[1];
	}
	return 0;
}

long sys_pipe2(struct syscall_context *ctx, const struct syscall_args *args)
{
	int flags = (int)args->arg[1];
	struct vfs_file *ends[2];
	int fds[2];
	int err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (ctx->as == NULL)
		return -EFAULT;
	err = vfs_pipe_create(ctx->caller->cred, flags & ~O_CLOEXEC, ends);
	if (err < 0)
		return err;
	err = install_pair(ctx, ends, (flags & O_CLOEXEC) ? FD_CLOEXEC : 0,
			   fds);
	if (err < 0)
		return err;
	err = vm_copy_to_user(ctx->as, args->arg[0], fds, sizeof(fds));
	if (err < 0) {
		/* Linux installs only after the copy: nobody saw them. */
		fd_close(ctx->files, fds[0]);
		fd_close(ctx->files, fds[1]);
	}
	return err;
}

long sys_pipe(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct syscall_args with_flags = { .arg = { args->arg[0], 0 } };

	return sys_pipe2(ctx, &with_flags);
}
