/*
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2, eventfd, eventfd2 and the timerfd calls over fs/epoll.h: argument checks in
 * Linux's order, user copies, descriptors. No state here. A wait ends
 * with events, at the timeout, or with -EINTR on a signal (epoll_wait is
 * never restarted, as on Linux).
 */
#include "core/sys/sys_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/epoll.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/time.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/sched/wait.h"
#include "fs/epoll.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

/* Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))
/* Events gathered per pass into a kernel buffer. */
#define EP_BATCH 64

/* Installs a new file (its reference moves to the table). */
static long install_file(struct syscall_context *ctx, struct vfs_file *file,
			 bool cloexec)
{
	int fd;

	if (IS_ERR(file))
		return PTR_ERR(file);
	fd = fd_install(ctx->files, file, cloexec ? FD_CLOEXEC : 0, 0,
			ctx->fd_limit);
	if (fd < 0)
		vfs_file_put(file);
	return fd;
}

static long create_epoll(struct syscall_context *ctx, bool cloexec)
{
	if (!sys_has_files(ctx))
		return -ENOSYS;
	return install_file(ctx, vfs_epoll_create(ctx->caller->cred), cloexec);
}

long sys_epoll_create(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	if ((int)args->arg[0] <= 0)
		return -EINVAL;
	return create_epoll(ctx, false);
}

long sys_epoll_create1(struct syscall_context *ctx,
		       const struct syscall_args *args)
{
	int flags = (int)args->arg[0];

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	return create_epoll(ctx, flags & EPOLL_CLOEXEC);
}

long sys_epoll_ctl(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int op = (int)args->arg[1], fd = (int)args->arg[2];
	struct epoll_event event = { 0, 0 };
	struct vfs_file *epfile, *target;
	long err;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (op != EPOLL_CTL_DEL) {
		err = vm_copy_from_user(ctx->as, &event, args->arg[3],
					sizeof(event));
		if (err < 0)
			return err;
	}
	epfile = fd_get(ctx->files, (int)args->arg[0]);
	if (epfile == NULL)
		return -EBADF;
	target = fd_get(ctx->files, fd);
	if (target == NULL || ((vfs_file_flags(epfile) |
				vfs_file_flags(target)) & O_PATH)) {
		if (target)	/* O_PATH: Linux's fdget refuses it */
			vfs_file_put(target);
		vfs_file_put(epfile);
		return -EBADF;
	}
	err = vfs_epoll_ctl(epfile, op, target, fd, &event);
	vfs_file_put(target);
	vfs_file_put(epfile);
	return err;
}

/* Collects up to `max` events into user memory; returns the count. */
static long collect(struct syscall_context *ctx, struct vfs_file *file,
		    uaddr_t uevents, int max, struct epoll_event *buffer)
{
	long total = 0;

	while (total < max) {
		int want = max - total < EP_BATCH ? max - (int)total : EP_BATCH;
		int got = vfs_epoll_collect(file, buffer, want);
		int err;

		if (got == 0)
			break;
		err = vm_copy_to_user(ctx->as,
				      uevents + (uaddr_t)total * sizeof(*buffer),
				      buffer, (size_t)got * sizeof(*buffer));
		if (err < 0)
			return total > 0 ? total : err;
		total += got;
		if (got < want)
			break;
	}
	return total;
}

/* Sleeps until the instance may have events, the deadline or a signal. */
static void wait_events(struct syscall_context *ctx, struct vfs_file *file,
			uint64_t deadline)
{
	uint64_t now = hal_clock_ns();
	uint64_t timeout = deadline == NO_DEADLINE ? NO_DEADLINE :
						     deadline - now;

	if (vfs_epoll_by_timer(file) && timeout > VFS_POLL_TIMER_NS)
		timeout = VFS_POLL_TIMER_NS;
	wait_event_timeout(*vfs_epoll_queue(file),
			   vfs_epoll_may_have_events(file) ||
				   signal_pending(ctx->task),
			   timeout);
}

static long wait_loop(struct syscall_context *ctx, struct vfs_file *file,
		      uaddr_t uevents, int max, uint64_t deadline)
{
	struct epoll_event *buffer = kmalloc(EP_BATCH * sizeof(*buffer));
	long result;

	if (buffer == NULL)
		return -ENOMEM;
	for (;;) {
		result = collect(ctx, file, uevents, max, buffer);
		if (result != 0)
			break;
		if (deadline != NO_DEADLINE && hal_clock_ns() >= deadline)
			break;
		if (signal_pending(ctx->task)) {
			result = -EINTR;
			break;
		}
		wait_events(ctx, file, deadline);
	}
	kfree(buffer);
	return result;
}

static long do_epoll_wait(struct syscall_context *ctx, int epfd,
			  uaddr_t uevents, int max, uint64_t deadline)
{
	struct vfs_file *file;
	long result;

	if (ctx->task == NULL || !sys_has_files(ctx))
		return -ENOSYS;
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (uevents >= VM_USER_TOP ||
	    (uint64_t)max * sizeof(struct epoll_event) > VM_USER_TOP - uevents)
		return -EFAULT;
	file = fd_get(ctx->files, epfd);
	if (file == NULL)
		return -EBADF;
	result = vfs_is_epoll(file) ?
		 wait_loop(ctx, file, uevents, max, deadline) : -EINVAL;
	vfs_file_put(file);
	return result;
}

static uint64_t ms_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return NO_DEADLINE;
	return sys_deadline_after((uint64_t)timeout_ms * 1000000ULL);
}

long sys_epoll_wait(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return do_epoll_wait(ctx, (int)args->arg[0], args->arg[1],
			     (int)args->arg[2], ms_deadline((int)args->arg[3]));
}

long sys_epoll_pwait(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	err = sys_set_wait_mask(ctx, args->arg[4], args->arg[5]);
	if (err < 0)
		return err;
	return do_epoll_wait(ctx, (int)args->arg[0], args->arg[1],
			     (int)args->arg[2], ms_deadline((int)args->arg[3]));
}

long sys_epoll_pwait2(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	uint64_t deadline;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	err = sys_timespec_deadline(ctx, args->arg[3], &deadline);
	if (err == 0)
		err = sys_set_wait_mask(ctx, args->arg[4], args->arg[5]);
	if (err < 0)
		return err;
	return do_epoll_wait(ctx, (int)args->arg[0], args->arg[1],
			     (int)args->arg[2], deadline);
}

long sys_eventfd2(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	int flags = (int)args->arg[1];

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	return install_file(ctx,
			    vfs_eventfd_create(ctx->caller->cred,
					       (uint32_t)args->arg[0],
					       flags & ~EFD_CLOEXEC),
			    flags & EFD_CLOEXEC);
}

long sys_eventfd(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct syscall_args with_flags = { .arg = { args->arg[0], 0 } };

	return sys_eventfd2(ctx, &with_flags);
}

long sys_timerfd_create(struct syscall_context *ctx,
			const struct syscall_args *args)
{
	int flags = (int)args->arg[1];

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	return install_file(ctx,
			    vfs_timerfd_create(ctx->caller->cred,
					       (int)args->arg[0],
					       flags & TFD_NONBLOCK),
			    flags & TFD_CLOEXEC);
}

struct itimerspec_abi {
	struct timespec interval;
	struct timespec value;
};

static int timespec_ns(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / 1000000000ULL - 1)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * 1000000000ULL +
		      (uint64_t)ts->tv_nsec;
	return 0;
}

static void ns_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (long)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
}

/* Copies a setting out; `addr` 0: nowhere. */
static int store_setting(struct syscall_context *ctx, uaddr_t addr,
			 uint64_t value, uint64_t interval)
{
	struct itimerspec_abi setting;

	if (addr == 0)
		return 0;
	ns_timespec(value, &setting.value);
	ns_timespec(interval, &setting.interval);
	return vm_copy_to_user(ctx->as, addr, &setting, sizeof(setting));
}

long sys_timerfd_settime(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	int flags = (int)args->arg[1];
	struct itimerspec_abi setting;
	uint64_t value = 0, interval = 0, old_value = 0, old_interval = 0;
	struct vfs_file *file;
	long err;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	err = vm_copy_from_user(ctx->as, &setting, args->arg[2],
				sizeof(setting));
	if (err == 0)
		err = timespec_ns(&setting.value, &value);
	if (err == 0)
		err = timespec_ns(&setting.interval, &interval);
	if (err < 0)
		return err;
	file = fd_get(ctx->files, (int)args->arg[0]);
	if (file == NULL)
		return -EBADF;
	err = vfs_timerfd_settime(file, flags, value, interval, &old_value,
				  &old_interval);
	vfs_file_put(file);
	if (err == 0)
		err = store_setting(ctx, args->arg[3], old_value, old_interval);
	return err;
}

long sys_timerfd_gettime(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	uint64_t value = 0, interval = 0;
	struct vfs_file *file;
	long err;

	if (!sys_has_files(ctx))
		return -ENOSYS;
	file = fd_get(ctx->files, (int)args->arg[0]);
	if (file == NULL)
		return -EBADF;
	err = vfs_timerfd_gettime(file, &value, &interval);
	vfs_file_put(file);
	if (err == 0)
		err = store_setting(ctx, args->arg[1], value, interval);
	return err;
}
