/*
 * Waiting on many descriptors: poll, ppoll, select and pselect6 over the
 * VFS readiness interface (vfs_poll, one wait queue: fs/poll.c). A wait
 * ends when a file is ready, the timeout passes, or a signal comes
 * (-ERESTARTNOHAND: -EINTR when a handler runs, a restart otherwise).
 */
#include "core/sys/sys_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/poll.h"
#include "core/include/uapi/time.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc_internal.h"
#include "core/sched/wait.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

#define NSEC_PER_SEC 1000000000ULL
#define NO_DEADLINE UINT64_MAX
#define SIGSET_SIZE 8
/* select's three sets: what each bit in them asks for. */
#define SELECT_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX POLLPRI

/*
 * Readiness of descriptor `fd`, or POLLNVAL when it is not open; sets
 * *by_timer when the file must be looked at again on a timer.
 */
static unsigned int fd_readiness(struct syscall_context *ctx, int fd,
				 bool *by_timer)
{
	struct vfs_file *file = fd_get(ctx->files, fd);
	unsigned int mask;

	if (file == NULL)
		return POLLNVAL;
	mask = vfs_poll(file);
	*by_timer |= vfs_poll_by_timer(file);
	vfs_file_put(file);
	return mask;
}

/*
 * Sleeps until the poll generation moves past `generation`, `deadline`
 * passes or a signal is pending. Returns false when the wait must end.
 */
static bool wait_for_change(struct syscall_context *ctx, uint64_t generation,
			    uint64_t deadline, bool by_timer)
{
	uint64_t now = hal_clock_ns();
	uint64_t timeout = deadline == NO_DEADLINE ? NO_DEADLINE :
						     deadline - now;

	if (deadline != NO_DEADLINE && now >= deadline)
		return false;
	if (by_timer && timeout > VFS_POLL_TIMER_NS)
		timeout = VFS_POLL_TIMER_NS;
	wait_event_timeout(*vfs_poll_queue(),
			   vfs_poll_generation() != generation ||
				   signal_pending(ctx->task),
			   timeout);
	return true;
}

static long do_poll(struct syscall_context *ctx, uaddr_t ufds, uint64_t nfds,
		    uint64_t deadline)
{
	struct pollfd *fds;
	size_t bytes;
	long ready = 0;
	int err;

	if (ctx->task == NULL || ctx->files == NULL)
		return -ENOSYS;
	if (nfds > ctx->fd_limit)
		return -EINVAL;
	bytes = nfds * sizeof(*fds);
	fds = kmalloc(bytes ? bytes : 1);
	if (fds == NULL)
		return -ENOMEM;
	err = vm_copy_from_user(ctx->as, fds, ufds, bytes);
	if (err < 0) {
		kfree(fds);
		return err;
	}
	for (;;) {
		uint64_t generation = vfs_poll_generation();
		bool by_timer = false;

		ready = 0;
		for (uint64_t i = 0; i < nfds; i++) {
			unsigned int mask = 0;

			if (fds[i].fd >= 0) {
				mask = fd_readiness(ctx, fds[i].fd, &by_timer);
				mask &= (unsigned int)(unsigned short)fds[i].events |
					POLLERR | POLLHUP | POLLNVAL;
			}
			fds[i].revents = (short)mask;
			ready += mask != 0;
		}
		if (ready > 0)
			break;
		if (signal_pending(ctx->task)) {
			ready = -ERESTARTNOHAND;
			break;
		}
		if (!wait_for_change(ctx, generation, deadline, by_timer))
			break;
	}
	if (ready >= 0)
		err = vm_copy_to_user(ctx->as, ufds, fds, bytes);
	kfree(fds);
	return err < 0 ? err : ready;
}

/* A relative timeout in ns as an absolute deadline (saturating). */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = hal_clock_ns();

	return ns >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + ns;
}

long sys_poll(struct syscall_context *ctx, const struct syscall_args *args)
{
	int timeout_ms = (int)args->arg[2];
	uint64_t deadline = timeout_ms < 0 ? NO_DEADLINE :
			    deadline_after((uint64_t)timeout_ms * 1000000ULL);

	return do_poll(ctx, args->arg[0], args->arg[1], deadline);
}

/* Reads a timespec timeout (NULL: none) into a deadline. */
static int timespec_deadline(struct syscall_context *ctx, uaddr_t addr,
			     uint64_t *deadline)
{
	struct timespec ts;
	int err;

	*deadline = NO_DEADLINE;
	if (addr == 0)
		return 0;
	err = vm_copy_from_user(ctx->as, &ts, addr, sizeof(ts));
	if (err < 0)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > NO_DEADLINE / NSEC_PER_SEC / 2)
		return 0;	/* practically forever */
	*deadline = deadline_after((uint64_t)ts.tv_sec * NSEC_PER_SEC +
				   (uint64_t)ts.tv_nsec);
	return 0;
}

/* Writes the time left before `deadline` back (ppoll, pselect6). */
static void store_remaining(struct syscall_context *ctx, uaddr_t addr,
			    uint64_t deadline)
{
	uint64_t now = hal_clock_ns(), left;
	struct timespec ts;

	if (addr == 0 || deadline == NO_DEADLINE)
		return;
	left = deadline > now ? deadline - now : 0;
	ts.tv_sec = (long)(left / NSEC_PER_SEC);
	ts.tv_nsec = (long)(left % NSEC_PER_SEC);
	vm_copy_to_user(ctx->as, addr, &ts, sizeof(ts));
}

/*
 * ppoll's and pselect6's mask: installed for the wait and put back at
 * the return to user mode (after a handler ran under it), as sigsuspend.
 */
static int set_wait_mask(struct syscall_context *ctx, uaddr_t mask_addr,
			 uint64_t size)
{
	struct task *task = ctx->task;
	uint64_t mask;
	int err;

	if (mask_addr == 0)
		return 0;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	err = vm_copy_from_user(ctx->as, &mask, mask_addr, sizeof(mask));
	if (err < 0)
		return err;
	spin_lock(&task->process->lock);
	task->saved_sigmask = task->sigmask;
	task->restore_sigmask = true;
	WRITE_ONCE(task->sigmask,
		   mask & ~((1ULL << (9 - 1)) | (1ULL << (19 - 1))));
	spin_unlock(&task->process->lock);
	return 0;
}

long sys_ppoll(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint64_t deadline;
	long result;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	err = timespec_deadline(ctx, args->arg[2], &deadline);
	if (err == 0)
		err = set_wait_mask(ctx, args->arg[3], args->arg[4]);
	if (err < 0)
		return err;
	result = do_poll(ctx, args->arg[0], args->arg[1], deadline);
	store_remaining(ctx, args->arg[2], deadline);
	return result;
}

/* select's sets, bit fd of word fd / 64. */
struct select_sets {
	uint64_t *in, *out, *ex;
	size_t words;
};

static int read_set(struct syscall_context *ctx, uaddr_t addr, uint64_t *set,
		    size_t words)
{
	if (addr == 0) {
		memset(set, 0, words * sizeof(*set));
		return 0;
	}
	return vm_copy_from_user(ctx->as, set, addr, words * sizeof(*set));
}

static long do_select(struct syscall_context *ctx, int nfds, uaddr_t uin,
		      uaddr_t uout, uaddr_t uex, uint64_t deadline)
{
	size_t words, bytes;
	uint64_t *sets;
	long ready = 0;
	int err;

	if (ctx->task == NULL || ctx->files == NULL)
		return -ENOSYS;
	if (nfds < 0)
		return -EINVAL;
	if ((unsigned long)nfds > ctx->fd_limit)
		nfds = (int)ctx->fd_limit;
	words = ((size_t)nfds + 63) / 64;
	bytes = words * sizeof(uint64_t);
	sets = kzalloc(bytes * 6 + 1);
	if (sets == NULL)
		return -ENOMEM;
	uint64_t *in = sets, *out = sets + words, *ex = sets + 2 * words;
	uint64_t *rin = sets + 3 * words, *rout = sets + 4 * words,
		 *rex = sets + 5 * words;

	err = read_set(ctx, uin, in, words);
	if (err == 0)
		err = read_set(ctx, uout, out, words);
	if (err == 0)
		err = read_set(ctx, uex, ex, words);
	while (err == 0) {
		uint64_t generation = vfs_poll_generation();
		bool by_timer = false;

		memset(rin, 0, bytes * 3);
		ready = 0;
		for (int fd = 0; fd < nfds && err == 0; fd++) {
			size_t w = (size_t)fd / 64;
			uint64_t bit = 1ULL << (fd % 64);
			unsigned int mask;

			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			mask = fd_readiness(ctx, fd, &by_timer);
			if (mask & POLLNVAL) {
				err = -EBADF;
				break;
			}
			if ((in[w] & bit) && (mask & SELECT_IN))
				rin[w] |= bit, ready++;
			if ((out[w] & bit) && (mask & SELECT_OUT))
				rout[w] |= bit, ready++;
			if ((ex[w] & bit) && (mask & SELECT_EX))
				rex[w] |= bit, ready++;
		}
		if (err < 0 || ready > 0)
			break;
		if (signal_pending(ctx->task)) {
			err = -ERESTARTNOHAND;
			break;
		}
		if (!wait_for_change(ctx, generation, deadline, by_timer))
			break;
	}
	if (err == 0 && uin)
		err = vm_copy_to_user(ctx->as, uin, rin, bytes);
	if (err == 0 && uout)
		err = vm_copy_to_user(ctx->as, uout, rout, bytes);
	if (err == 0 && uex)
		err = vm_copy_to_user(ctx->as, uex, rex, bytes);
	kfree(sets);
	return err < 0 ? err : ready;
}

long sys_select(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint64_t deadline = NO_DEADLINE;
	struct timeval tv;
	long result;

	if (args->arg[4]) {
		int err = vm_copy_from_user(ctx->as, &tv, args->arg[4],
					    sizeof(tv));

		if (err < 0)
			return err;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises microseconds past a second. */
		deadline = deadline_after((uint64_t)tv.tv_sec * NSEC_PER_SEC +
					  (uint64_t)tv.tv_usec * 1000ULL);
	}
	result = do_select(ctx, (int)args->arg[0], args->arg[1], args->arg[2],
			   args->arg[3], deadline);
	if (args->arg[4] && deadline != NO_DEADLINE) {
		uint64_t now = hal_clock_ns();
		uint64_t left = deadline > now ? deadline - now : 0;

		tv.tv_sec = (long)(left / NSEC_PER_SEC);
		tv.tv_usec = (long)(left % NSEC_PER_SEC / 1000);
		vm_copy_to_user(ctx->as, args->arg[4], &tv, sizeof(tv));
	}
	return result;
}

long sys_pselect6(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	struct { uint64_t mask; uint64_t size; } sig = { 0, 0 };
	uint64_t deadline;
	long result;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	err = timespec_deadline(ctx, args->arg[4], &deadline);
	if (err == 0 && args->arg[5])
		err = vm_copy_from_user(ctx->as, &sig, args->arg[5],
					sizeof(sig));
	if (err == 0)
		err = set_wait_mask(ctx, sig.mask, sig.size);
	if (err < 0)
		return err;
	result = do_select(ctx, (int)args->arg[0], args->arg[1], args->arg[2],
			   args->arg[3], deadline);
	store_remaining(ctx, args->arg[4], deadline);
	return result;
}
