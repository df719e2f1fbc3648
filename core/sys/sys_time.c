/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, times, nanosleep
 * and clock_nanosleep, restart_syscall, and the interval timers (alarm,
 * setitimer, getitimer; the timer itself is core/proc/itimer.c's). There
 * is no vDSO, so C libraries make these calls for every date and every
 * sleep. Sleeps end early on a signal, by Linux's restart rules.
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
 * Sleeps until monotonic `deadline` unless a signal comes first. Returns
 * 0 (the time passed) or the time left when interrupted.
 */
static uint64_t sleep_until(struct task *task, uint64_t deadline)
{
	uint64_t now = hal_clock_ns();

	if (task == NULL || deadline <= now)
		return 0;	/* no task (the fuzzer): nothing may sleep */
	if (!wait_event_timeout(sleepers, signal_pending(task), deadline - now))
		return 0;
	now = hal_clock_ns();
	return deadline > now ? deadline - now : 0;
}

static long relative_sleep(struct syscall_context *ctx, uint64_t deadline,
			   uaddr_t rem);

/* restart_syscall(2) of an interrupted relative sleep. */
static long sleep_restart(struct syscall_context *ctx)
{
	struct proc_restart_block block = ctx->task->restart_block;

	return relative_sleep(ctx, block.deadline, block.remaining);
}

/*
 * A relative sleep to `deadline`. Interrupted, it writes the time left to
 * `rem` (when given) and returns -ERESTART_RESTARTBLOCK: a handler makes
 * it -EINTR; otherwise (a stop, an ignored signal) restart_syscall
 * sleeps on to the same deadline, as Linux does.
 */
static long relative_sleep(struct syscall_context *ctx, uint64_t deadline,
			   uaddr_t rem)
{
	uint64_t left = sleep_until(ctx->task, deadline);

	if (left == 0)
		return 0;
	if (rem) {
		struct timespec ts = to_timespec(left);
		int err = vm_copy_to_user(ctx->as, rem, &ts, sizeof(ts));

		if (err < 0)
			return err;
	}
	ctx->task->restart_block = (struct proc_restart_block){
		.fn = sleep_restart, .deadline = deadline, .remaining = rem };
	return -ERESTART_RESTARTBLOCK;
}

long sys_nanosleep(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	uint64_t ns;
	int err = read_request(ctx, args->arg[0], &ns);

	if (err < 0)
		return err;
	return relative_sleep(ctx, wait_deadline(ns), args->arg[1]);
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
	if (!(flags & TIMER_ABSTIME))
		return relative_sleep(ctx, wait_deadline(ns), args->arg[3]);
	err = clock_read(ctx, id, &now);
	if (err < 0)
		return err;
	/* An absolute sleep restarts with its own arguments; no time left. */
	if (sleep_until(ctx->task, wait_deadline(ns > now ? ns - now : 0)))
		return -ERESTARTNOHAND;
	return 0;
}

long sys_restart_syscall(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	long (*fn)(struct syscall_context *ctx);

	(void)args;
	if (ctx->task == NULL)
		return -EINTR;
	fn = ctx->task->restart_block.fn;
	ctx->task->restart_block.fn = NULL;
	return fn ? fn(ctx) : -EINTR;	/* Linux's do_no_restart_syscall */
}

/* Interval timers: only ITIMER_REAL (FIXME: ITIMER_VIRTUAL, ITIMER_PROF
 * need CPU-time expiry; they are -EINVAL). */
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define USEC_NS 1000ULL

struct itimerval {
	struct timeval interval;
	struct timeval value;
};

/* A timer value as getitimer shows it: microseconds, truncated. */
static struct timeval to_timeval(uint64_t ns)
{
	return (struct timeval){ .tv_sec = (long)(ns / NSEC_PER_SEC),
				 .tv_usec = (long)(ns % NSEC_PER_SEC /
						   USEC_NS) };
}

static bool timeval_valid(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static uint64_t timeval_ns(const struct timeval *tv)
{
	if ((uint64_t)tv->tv_sec >= UINT64_MAX / NSEC_PER_SEC / 2)
		return UINT64_MAX / 2;
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * USEC_NS;
}

static struct itimerval to_itimerval(uint64_t value, uint64_t interval)
{
	return (struct itimerval){ .interval = to_timeval(interval),
				   .value = to_timeval(value) };
}

long sys_getitimer(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int which = (int)args->arg[0];
	struct itimerval it = { 0 };
	uint64_t value = 0, interval = 0;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (which == ITIMER_REAL)
		itimer_real_get(ctx->task->process, &value, &interval);
	else if (which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	it = to_itimerval(value, interval);	/* the CPU ones never arm */
	return vm_copy_to_user(ctx->as, args->arg[1], &it, sizeof(it));
}

long sys_setitimer(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	struct itimerval it = { 0 }, old;
	uint64_t old_value, old_interval;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if ((int)args->arg[0] != ITIMER_REAL)
		return -EINVAL;
	/* A NULL new value disarms, as Linux still accepts. */
	if (args->arg[1]) {
		err = vm_copy_from_user(ctx->as, &it, args->arg[1], sizeof(it));
		if (err < 0)
			return err;
		if (!timeval_valid(&it.value) || !timeval_valid(&it.interval))
			return -EINVAL;
	}
	err = itimer_real_set(ctx->task->process, timeval_ns(&it.value),
			      timeval_ns(&it.interval), &old_value,
			      &old_interval);
	if (err < 0 || args->arg[2] == 0)
		return err;
	old = to_itimerval(old_value, old_interval);
	return vm_copy_to_user(ctx->as, args->arg[2], &old, sizeof(old));
}

long sys_alarm(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint64_t old_value, old_interval;
	struct timeval left;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	err = itimer_real_set(ctx->task->process,
			      (uint64_t)(unsigned int)args->arg[0] *
				      NSEC_PER_SEC,
			      0, &old_value, &old_interval);
	if (err < 0)
		return err;
	/* Linux rounds to the nearest second, and never says 0 while armed. */
	left = to_timeval(old_value);
	if ((left.tv_sec == 0 && left.tv_usec != 0) || left.tv_usec >= 500000)
		left.tv_sec++;
	return left.tv_sec;
}
