/*
 * ITIMER_REAL (setitimer, alarm): each process has one deadline and
 * interval; armed processes sit in one list, and one kernel thread
 * ("itimer", started when the first timer is armed) sleeps until the
 * earliest deadline, sends SIGALRM in task context (signal sending takes
 * the tree mutex, which a timer interrupt may not) and re-arms interval
 * timers. A timer survives exec, is not inherited by fork (a new process
 * starts disarmed) and ends with its process.
 *
 * Locks: itimer_lock (a leaf spinlock) protects the list, every
 * process's real_deadline, real_interval and itimer_link, and the
 * generation the thread waits on; the armed list holds a process
 * reference.
 */
#include "core/proc/proc_internal.h"

#include "core/hal/time.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"

static struct spinlock itimer_lock =
	SPINLOCK_INIT("itimer", LOCK_RANK_VFS_LEAF);
static struct list_head armed = LIST_HEAD_INIT(armed);
static unsigned int generation;		/* bumped on every change */
static struct wait_queue itimer_wait = WAIT_QUEUE_INIT(itimer_wait);
static struct mutex start_lock = MUTEX_INIT(start_lock, "itimer_start",
					    LOCK_RANK_MUTEX_INNER);
static bool started;

/* Unlinks an armed process (itimer_lock held); true if it was armed. */
static bool disarm_locked(struct process *process)
{
	process->real_deadline = 0;
	process->real_interval = 0;
	if (!list_is_linked(&process->itimer_link))
		return false;
	list_remove(&process->itimer_link);
	return true;
}

/*
 * The first armed process whose deadline passed, with a reference, its
 * timer re-armed or disarmed; NULL if none, *next the earliest deadline.
 */
static struct process *take_expired(uint64_t now, uint64_t *next)
{
	struct process *process, *found = NULL;
	bool drop = false;

	*next = WAIT_FOREVER;
	spin_lock(&itimer_lock);
	list_for_each_entry(process, &armed, itimer_link) {
		if (process->real_deadline > now) {
			if (process->real_deadline < *next)
				*next = process->real_deadline;
			continue;
		}
		found = process;
		process_get(found);
		if (found->real_interval != 0)	/* the next period after now */
			found->real_deadline +=
				((now - found->real_deadline) /
					 found->real_interval + 1) *
				found->real_interval;
		else
			drop = disarm_locked(found);
		break;
	}
	spin_unlock(&itimer_lock);
	if (drop)
		process_put(found);	/* the list's reference */
	return found;
}

static void send_alarm(struct process *process)
{
	struct proc_siginfo info = { .signo = SIGALRM, .code = SI_KERNEL };

	mutex_lock(&proc_tree_lock);
	signal_send_locked(process, NULL, SIGALRM, &info);
	mutex_unlock(&proc_tree_lock);
	process_put(process);
}

static int itimer_main(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned int seen = READ_ONCE(generation);
		uint64_t now = hal_clock_ns(), next;
		struct process *process = take_expired(now, &next);

		if (process) {
			send_alarm(process);
			continue;
		}
		wait_event_timeout(itimer_wait,
				   READ_ONCE(generation) != seen,
				   next == WAIT_FOREVER ? WAIT_FOREVER :
							  next - now);
	}
	return 0;
}

/* Starts the thread once. Returns 0 or -ENOMEM/-EAGAIN. May sleep. */
static int start_thread(void)
{
	struct thread *thread;
	int err = 0;

	mutex_lock(&start_lock);
	if (!started) {
		thread = thread_create("itimer", itimer_main, NULL);
		if (IS_ERR(thread)) {
			err = PTR_ERR(thread);
		} else {
			thread_start(thread);
			started = true;
		}
	}
	mutex_unlock(&start_lock);
	return err;
}

/* What is left of a deadline; an expired one not yet fired shows 1 us
 * (Linux). */
static uint64_t remaining(const struct process *process, uint64_t now)
{
	if (process->real_deadline == 0)
		return 0;
	return process->real_deadline > now ? process->real_deadline - now :
					      1000;
}

void itimer_real_get(struct process *process, uint64_t *value,
		     uint64_t *interval)
{
	spin_lock(&itimer_lock);
	*value = remaining(process, hal_clock_ns());
	*interval = process->real_interval;
	spin_unlock(&itimer_lock);
}

int itimer_real_set(struct process *process, uint64_t value,
		    uint64_t interval, uint64_t *old_value,
		    uint64_t *old_interval)
{
	uint64_t now;
	bool linked, was_linked;

	if (value != 0) {
		int err = start_thread();

		if (err < 0)
			return err;
	}
	spin_lock(&itimer_lock);
	now = hal_clock_ns();
	*old_value = remaining(process, now);
	*old_interval = process->real_interval;
	was_linked = disarm_locked(process);
	if (value != 0) {
		process->real_deadline = wait_deadline(value);
		process->real_interval = interval;
		list_add_tail(&process->itimer_link, &armed);
	}
	linked = value != 0;
	WRITE_ONCE(generation, generation + 1);
	spin_unlock(&itimer_lock);
	if (linked && !was_linked)
		process_get(process);
	else if (!linked && was_linked)
		process_put(process);
	wake_up_all(&itimer_wait);
	return 0;
}

void itimer_clear(struct process *process)
{
	uint64_t value, interval;

	itimer_real_set(process, 0, 0, &value, &interval);
}
