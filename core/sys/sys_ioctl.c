/*
 * ioctl(2). The commands the kernel knows are listed with the size and
 * direction of their argument, so that the VFS and drivers only ever see
 * kernel buffers; the descriptor commands (FIOCLEX, FIONCLEX, FIONBIO)
 * are handled here. Any other command is -ENOTTY, as Linux answers for
 * a file that does not know it. Constant table, no state.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/ioctl.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

enum ioctl_dir {
	IOCTL_NONE,
	IOCTL_IN,		/* the kernel reads size bytes at arg */
	IOCTL_OUT,		/* the kernel writes size bytes at arg */
	IOCTL_VALUE,		/* arg is a number: the buffer holds it */
};

struct ioctl_desc {
	unsigned int cmd;
	enum ioctl_dir dir;
	unsigned int size;
};

static const struct ioctl_desc ioctls[] = {
	{ FIONREAD, IOCTL_OUT, sizeof(int) },
	{ TCGETS, IOCTL_OUT, sizeof(struct termios) },
	{ TCSETS, IOCTL_IN, sizeof(struct termios) },
	{ TCSETSW, IOCTL_IN, sizeof(struct termios) },
	{ TCSETSF, IOCTL_IN, sizeof(struct termios) },
	{ TIOCGWINSZ, IOCTL_OUT, sizeof(struct winsize) },
	{ TIOCSWINSZ, IOCTL_IN, sizeof(struct winsize) },
	{ TIOCGPGRP, IOCTL_OUT, sizeof(int) },
	{ TIOCSPGRP, IOCTL_IN, sizeof(int) },
	{ TIOCGSID, IOCTL_OUT, sizeof(int) },
	{ TIOCOUTQ, IOCTL_OUT, sizeof(int) },
	{ TIOCSTI, IOCTL_IN, sizeof(char) },
	{ TIOCSCTTY, IOCTL_VALUE, sizeof(unsigned long) },
	{ TIOCNOTTY, IOCTL_NONE, 0 },
	{ TIOCEXCL, IOCTL_NONE, 0 },
	{ TIOCNXCL, IOCTL_NONE, 0 },
	{ TCFLSH, IOCTL_VALUE, sizeof(unsigned long) },
	{ TCXONC, IOCTL_VALUE, sizeof(unsigned long) },
	{ TCSBRK, IOCTL_VALUE, sizeof(unsigned long) },
	{ TCSBRKP, IOCTL_VALUE, sizeof(unsigned long) },
	{ TIOCGPTN, IOCTL_OUT, sizeof(unsigned int) },
	{ TIOCSPTLCK, IOCTL_IN, sizeof(int) },
	{ TIOCGPTLCK, IOCTL_OUT, sizeof(int) },
};

#define IOCTL_MAX_SIZE sizeof(struct termios)

static const struct ioctl_desc *find_ioctl(unsigned int cmd)
{
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		if (ioctls[i].cmd == cmd)
			return &ioctls[i];
	}
	return NULL;
}

/* FIONBIO: a nonzero int at arg sets O_NONBLOCK, zero clears it. */
static long set_nonblocking(struct syscall_context *ctx,
			    struct vfs_file *file, uaddr_t arg)
{
	int on;
	int err = vm_copy_from_user(ctx->as, &on, arg, sizeof(on));
	int flags = vfs_file_flags(file);

	if (err < 0)
		return err;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return vfs_file_set_flags(ctx->caller->cred, file, flags);
}

/* A table command: copy in, call the file, copy out. */
static long file_ioctl(struct syscall_context *ctx, struct vfs_file *file,
		       const struct ioctl_desc *desc, uaddr_t arg)
{
	uint8_t buf[IOCTL_MAX_SIZE];
	long result;

	memset(buf, 0, sizeof(buf));
	if (desc->dir == IOCTL_VALUE) {
		unsigned long value = arg;

		memcpy(buf, &value, sizeof(value));
	} else if (desc->dir == IOCTL_IN) {
		result = vm_copy_from_user(ctx->as, buf, arg, desc->size);
		if (result < 0)
			return result;
	}
	result = vfs_ioctl(file, desc->cmd, buf);
	if (result >= 0 && desc->dir == IOCTL_OUT) {
		int err = vm_copy_to_user(ctx->as, arg, buf, desc->size);

		if (err < 0)
			result = err;
	}
	return result;
}

static long do_ioctl(struct syscall_context *ctx, int fd,
		     struct vfs_file *file, unsigned int cmd, uaddr_t arg)
{
	const struct ioctl_desc *desc;

	switch (cmd) {
	case FIOCLEX:
		return fd_set_flags(ctx->files, fd, FD_CLOEXEC);
	case FIONCLEX:
		return fd_set_flags(ctx->files, fd, 0);
	case FIONBIO:
		return set_nonblocking(ctx, file, arg);
	}
	desc = find_ioctl(cmd);
	if (desc == NULL)
		return -ENOTTY;	/* FIXME: drivers add their commands here */
	return file_ioctl(ctx, file, desc, arg);
}

long sys_ioctl(struct syscall_context *ctx, const struct syscall_args *args)
{
	int fd = (int)(uint32_t)args->arg[0];
	struct vfs_file *file;
	long result;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	result = sys_fd_file(ctx, (uint32_t)fd, &file);
	if (result < 0)
		return result;
	/* Linux: an O_PATH descriptor takes no ioctl at all. */
	if (vfs_file_flags(file) & O_PATH)
		result = -EBADF;
	else
		result = do_ioctl(ctx, fd, file, (uint32_t)args->arg[1],
				  args->arg[2]);
	vfs_file_put(file);
	return result;
}
