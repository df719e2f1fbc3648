/*
 * Waiting on many descriptors: poll, ppoll, select and pselect6 over the
 * VFS readiness interface (fs/poll.h: an entry on each file's head). A wait
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
#define SIGSET_SIZE 8
/* select's three sets: what each bit in them asks for. */
#define SELECT_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX POLLPRI

/*
 * One call's watches: an entry on the head of each file looked at in the
 * first pass, holding a reference on the file until the call returns.
 */
struct poll_watch {
	struct vfs_poll_entry entry;
	struct vfs_file *file;
	struct poll_waiter *waiter;
};

struct poll_waiter {
	struct wait_queue queue;
	bool triggered;			/* atomic: a watched file changed */
	bool by_timer;
	bool registering;		/* the first pass */
	size_t count, capacity;
	struct poll_watch *watches;
};

static void watch_wake(struct vfs_poll_entry *entry, unsigned int events)
{
	struct poll_watch *watch = container_of(entry, struct poll_watch,
						entry);

	(void)events;
	__atomic_store_n(&watch->waiter->triggered, true, __ATOMIC_RELEASE);
	wake_up_all(&watch->waiter->queue);
}

static int waiter_init(struct poll_waiter *waiter, size_t capacity)
{
	memset(waiter, 0, sizeof(*waiter));
	wait_queue_init(&waiter->queue);
	waiter->registering = true;
	waiter->capacity = capacity;
	waiter->watches = kmalloc(capacity ? capacity * sizeof(struct poll_watch)
					   : 1);
	return waiter->watches == NULL ? -ENOMEM : 0;
}

static void waiter_destroy(struct poll_waiter *waiter)
{
	for (size_t i = 0; i < waiter->count; i++) {
		vfs_poll_remove(&waiter->watches[i].entry);
		vfs_file_put(waiter->watches[i].file);
	}
	kfree(waiter->watches);
}

/*
 * Readiness of descriptor `fd`, or POLLNVAL when it is not open (or, for
 * poll(2) (`refuse_path`), an O_PATH descriptor, which Linux's fdget
 * refuses; select finds it open and always ready, as Linux). In the
 * first pass the file is also watched for changes of `interest`.
 */
static unsigned int fd_readiness(struct syscall_context *ctx, int fd,
				 struct poll_waiter *waiter,
				 unsigned int interest, bool refuse_path)
{
	struct vfs_file *file = fd_get(ctx->files, fd);
	struct poll_watch *watch;

	if (file == NULL)
		return POLLNVAL;
	if (refuse_path && (vfs_file_flags(file) & O_PATH)) {
		vfs_file_put(file);
		return POLLNVAL;
	}
	waiter->by_timer |= vfs_poll_by_timer(file);
	if (!waiter->registering || waiter->count == waiter->capacity) {
		unsigned int mask = vfs_poll(file);

		vfs_file_put(file);
		return mask;
	}
	watch = &waiter->watches[waiter->count++];
	watch->file = file;
	watch->waiter = waiter;
	watch->entry.events = interest | POLLERR | POLLHUP;
	watch->entry.wake = watch_wake;
	return vfs_poll_add(file, &watch->entry);
}

/* Starts a pass: changes from now on end the next sleep. */
static void start_pass(struct poll_waiter *waiter)
{
	__atomic_store_n(&waiter->triggered, false, __ATOMIC_RELEASE);
}

/*
 * Sleeps until a watched file changes, `deadline` passes or a signal is
 * pending. Returns false when the wait must end (the deadline passed).
 */
static bool wait_for_change(struct syscall_context *ctx,
			    struct poll_waiter *waiter, uint64_t deadline)
{
	uint64_t now = hal_clock_ns();
	uint64_t timeout = deadline == NO_DEADLINE ? NO_DEADLINE :
						     deadline - now;

	waiter->registering = false;
	if (deadline != NO_DEADLINE && now >= deadline)
		return false;
	if (waiter->by_timer && timeout > VFS_POLL_TIMER_NS)
		timeout = VFS_POLL_TIMER_NS;
	wait_event_timeout(waiter->queue,
			   __atomic_load_n(&waiter->triggered,
					   __ATOMIC_ACQUIRE) ||
				   signal_pending(ctx->task),
			   timeout);
	return true;
}

static long do_poll(struct syscall_context *ctx, uaddr_t ufds, uint64_t nfds,
		    uint64_t deadline)
{
	struct poll_waiter waiter;
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
	if (err == 0)
		err = waiter_init(&waiter, nfds);
	if (err < 0) {
		kfree(fds);
		return err;
	}
	for (;;) {
		start_pass(&waiter);
		ready = 0;
		for (uint64_t i = 0; i < nfds; i++) {
			unsigned int mask = 0;

			unsigned int events =
				(unsigned int)(unsigned short)fds[i].events;

			if (fds[i].fd >= 0) {
				mask = fd_readiness(ctx, fds[i].fd, &waiter,
						    events, true);
				mask &= events | POLLERR | POLLHUP | POLLNVAL;
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
		if (!wait_for_change(ctx, &waiter, deadline))
			break;
	}
	waiter_destroy(&waiter);
	if (ready >= 0)
		err = vm_copy_to_user(ctx->as, ufds, fds, bytes);
	kfree(fds);
	return err < 0 ? err : ready;
}

/* A relative timeout in ns as an absolute deadline (saturating). */
uint64_t sys_deadline_after(uint64_t ns)
{
	uint64_t now = hal_clock_ns();

	return ns >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + ns;
}

long sys_poll(struct syscall_context *ctx, const struct syscall_args *args)
{
	int timeout_ms = (int)args->arg[2];
	uint64_t deadline = timeout_ms < 0 ? NO_DEADLINE :
			    sys_deadline_after((uint64_t)timeout_ms * 1000000ULL);

	return do_poll(ctx, args->arg[0], args->arg[1], deadline);
}

/* Reads a timespec timeout (NULL: none) into a deadline. */
int sys_timespec_deadline(struct syscall_context *ctx, uaddr_t addr,
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
	*deadline = sys_deadline_after((uint64_t)ts.tv_sec * NSEC_PER_SEC +
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
int sys_set_wait_mask(struct syscall_context *ctx, uaddr_t mask_addr,
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
	err = sys_timespec_deadline(ctx, args->arg[2], &deadline);
	if (err == 0)
		err = sys_set_wait_mask(ctx, args->arg[3], args->arg[4]);
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

/* How many descriptors the three sets name (each watched once). */
static size_t count_bits(const uint64_t *in, const uint64_t *out,
			 const uint64_t *ex, size_t words)
{
	size_t count = 0;

	for (size_t w = 0; w < words; w++)
		count += (size_t)__builtin_popcountll(in[w] | out[w] | ex[w]);
	return count;
}

static unsigned int select_interest(bool in, bool out, bool ex)
{
	return (in ? SELECT_IN : 0) | (out ? SELECT_OUT : 0) |
	       (ex ? SELECT_EX : 0);
}

static long do_select(struct syscall_context *ctx, int nfds, uaddr_t uin,
		      uaddr_t uout, uaddr_t uex, uint64_t deadline)
{
	struct poll_waiter waiter;
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
	if (err == 0)
		err = waiter_init(&waiter, count_bits(in, out, ex, words));
	if (err < 0) {
		kfree(sets);
		return err;
	}
	while (err == 0) {
		start_pass(&waiter);
		memset(rin, 0, bytes * 3);
		ready = 0;
		for (int fd = 0; fd < nfds && err == 0; fd++) {
			size_t w = (size_t)fd / 64;
			uint64_t bit = 1ULL << (fd % 64);
			unsigned int mask;

			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			mask = fd_readiness(ctx, fd, &waiter,
					    select_interest(in[w] & bit,
							    out[w] & bit,
							    ex[w] & bit), false);
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
		if (!wait_for_change(ctx, &waiter, deadline))
			break;
	}
	waiter_destroy(&waiter);
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
		deadline = sys_deadline_after((uint64_t)tv.tv_sec * NSEC_PER_SEC +
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
	err = sys_timespec_deadline(ctx, args->arg[4], &deadline);
	if (err == 0 && args->arg[5])
		err = vm_copy_from_user(ctx->as, &sig, args->arg[5],
					sizeof(sig));
	if (err == 0)
		err = sys_set_wait_mask(ctx, sig.mask, sig.size);
	if (err < 0)
		return err;
	result = do_select(ctx, (int)args->arg[0], args->arg[1], args->arg[2],
			   args->arg[3], deadline);
	store_remaining(ctx, args->arg[4], deadline);
	return result;
}
