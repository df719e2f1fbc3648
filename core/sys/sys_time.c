/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, times, nanosleep
 * and clock_nanosleep. There is no vDSO, so C libraries make these calls
 * for every date and every sleep. Sleeps end early when the task is
 * killed (and, with the signals issue, interrupted with -EINTR).
 */
#include "core/sys/sys_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/time.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/proc/signal.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"

#define NSEC_PER_SEC 1000000000ULL
/* The coarse clocks tick at Linux's usual HZ=250. */
#define COARSE_RESOLUTION_NS 4000000ULL

static struct wait_queue sleepers = WAIT_QUEUE_INIT(sleepers);

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (long)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

static uint64_t thread_cpu_ns(struct syscall_context *ctx)
{
	struct task *task = ctx->task;

	return task && task->thread ? READ_ONCE(task->thread->runtime_ns) : 0;
}

/* The value of clock `id` in ns, or -EINVAL for an unknown clock. */
static int clock_read(struct syscall_context *ctx, int id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
		*ns = (uint64_t)hal_wallclock_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = hal_clock_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:	/* FIXME: the other threads' time */
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_cpu_ns(ctx);
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(struct syscall_context *ctx,
		       const struct syscall_args *args)
{
	struct timespec ts;
	uint64_t ns;
	int err = clock_read(ctx, (int)args->arg[0], &ns);

	if (err < 0)
		return err;
	ts = to_timespec(ns);
	return vm_copy_to_user(ctx->as, args->arg[1], &ts, sizeof(ts));
}

long sys_clock_getres(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	int id = (int)args->arg[0];
	struct timespec ts;
	uint64_t ns;
	int err = clock_read(ctx, id, &ns);

	if (err < 0)
		return err;
	if (args->arg[1] == 0)
		return 0;
	ts = to_timespec(id == CLOCK_REALTIME_COARSE ||
					 id == CLOCK_MONOTONIC_COARSE ?
				 COARSE_RESOLUTION_NS :
				 1);
	return vm_copy_to_user(ctx->as, args->arg[1], &ts, sizeof(ts));
}

long sys_gettimeofday(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	uint64_t ns = (uint64_t)hal_wallclock_ns();

	if (args->arg[0]) {
		struct timeval tv = { .tv_sec = (long)(ns / NSEC_PER_SEC),
				      .tv_usec = (long)(ns % NSEC_PER_SEC /
							1000) };
		int err = vm_copy_to_user(ctx->as, args->arg[0], &tv,
					  sizeof(tv));

		if (err < 0)
			return err;
	}
	if (args->arg[1]) {
		struct timezone tz = { 0, 0 };

		return vm_copy_to_user(ctx->as, args->arg[1], &tz, sizeof(tz));
	}
	return 0;
}

long sys_time(struct syscall_context *ctx, const struct syscall_args *args)
{
	long seconds = (long)((uint64_t)hal_wallclock_ns() / NSEC_PER_SEC);

	if (args->arg[0]) {
		int err = vm_copy_to_user(ctx->as, args->arg[0], &seconds,
					  sizeof(seconds));

		if (err < 0)
			return err;
	}
	return seconds;
}

long sys_times(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint64_t tick_ns = NSEC_PER_SEC / USER_HZ;

	if (args->arg[0]) {
		struct tms tms = { .tms_utime =
					   (long)(thread_cpu_ns(ctx) / tick_ns) };
		int err = vm_copy_to_user(ctx->as, args->arg[0], &tms,
					  sizeof(tms));

		if (err < 0)
			return err;
	}
	/* Linux counts from a point 5 minutes before boot (INITIAL_JIFFIES). */
	return (long)(hal_clock_ns() / tick_ns);
}

static int read_request(struct syscall_context *ctx, uaddr_t addr,
			uint64_t *ns)
{
	struct timespec ts;
	int err = vm_copy_from_user(ctx->as, &ts, addr, sizeof(ts));

	if (err < 0)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec >= UINT64_MAX / NSEC_PER_SEC / 2)
		*ns = UINT64_MAX / 2;
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

/*
 * Sleeps for `ns` unless a signal comes first. Returns 0, or the time
 * left when interrupted.
 */
static uint64_t sleep_interruptible(struct syscall_context *ctx, uint64_t ns)
{
	struct task *task = ctx->task;
	uint64_t start = hal_clock_ns(), slept;

	if (task == NULL)
		return 0;	/* no task (the fuzzer): nothing may sleep */
	if (!wait_event_timeout(sleepers, signal_pending(task), ns))
		return 0;
	slept = hal_clock_ns() - start;
	return slept < ns ? ns - slept : 1;
}

/* An interrupted sleep: the time left in `rem` (if given), then EINTR. */
static long interrupted(struct syscall_context *ctx, uaddr_t rem,
			uint64_t left)
{
	if (rem) {
		struct timespec ts = to_timespec(left);
		int err = vm_copy_to_user(ctx->as, rem, &ts, sizeof(ts));

		if (err < 0)
			return err;
	}
	/* FIXME: restart_syscall with the time left; -EINTR is what a
	 * handler sees, and glibc's callers loop on it. */
	return -EINTR;
}

long sys_nanosleep(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	uint64_t ns;
	int err = read_request(ctx, args->arg[0], &ns);

	if (err < 0)
		return err;
	uint64_t left = sleep_interruptible(ctx, ns);

	return left ? interrupted(ctx, args->arg[1], left) : 0;
}

long sys_clock_nanosleep(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	int id = (int)args->arg[0];
	int flags = (int)args->arg[1];
	uint64_t ns, now;
	int err;

	if (id == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC &&
	    id != CLOCK_BOOTTIME && id != CLOCK_TAI &&
	    id != CLOCK_PROCESS_CPUTIME_ID)
		return -EINVAL;
	if (id == CLOCK_PROCESS_CPUTIME_ID)
		return -EOPNOTSUPP;	/* FIXME: CPU-time sleeps */
	err = read_request(ctx, args->arg[2], &ns);
	if (err < 0)
		return err;
	if (flags & TIMER_ABSTIME) {
		err = clock_read(ctx, id, &now);
		if (err < 0)
			return err;
		ns = ns > now ? ns - now : 0;
	}
	uint64_t left = sleep_interruptible(ctx, ns);

	if (left == 0)
		return 0;
	/* An absolute sleep has no time left to report. */
	return interrupted(ctx, flags & TIMER_ABSTIME ? 0 : args->arg[3], left);
}
