/*
 * Signal sending and delivery (core/proc/signal.h). Each task and each
 * process has a pending set: a bit per signal, one siginfo per standard
 * signal (they do not queue), and a FIFO of queued real-time signals
 * (each send its own entry, charged to the receiver's real user against
 * the receiver's RLIMIT_SIGPENDING, as Linux). The frame a handler gets is sigframe.c's; stops
 * and SIGCONT are jobctl.c's.
 *
 * Locks: the pending sets, masks and dispositions are protected by the
 * process's lock; senders also hold proc_tree_lock (the target cannot
 * exit meanwhile). Queue entries are allocated before and freed after the
 * spinlock.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/sched/thread.h"

/* A queued real-time signal (proc_sigpending.queue). */
struct proc_sigqueue {
	struct list_head link;
	struct proc_siginfo info;
};

enum default_action { ACT_TERMINATE, ACT_CORE, ACT_IGNORE, ACT_STOP };

static enum default_action default_action(int signal)
{
	switch (signal) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
		return ACT_IGNORE;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return ACT_STOP;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return ACT_CORE;
	default:
		return ACT_TERMINATE;
	}
}

bool signal_is_core(int signal)
{
	return signal >= 1 && signal <= PROC_NSIG &&
	       default_action(signal) == ACT_CORE;
}

/* Ends the whole process with SIGKILL (tree lock held). */
static void kill_process_locked(struct process *process)
{
	struct task *task;

	if (process->group_exit)
		return;
	process->group_exit = true;
	process->group_exit_status = PROC_STATUS_SIGNALED(SIGKILL);
	for_each_task(task, &process->threads, thread_link) {
		__atomic_store_n(&task->kill_pending, SIGKILL, __ATOMIC_RELEASE);
		task_kick(task);
	}
	wake_up_all(&process->stop_wait);	/* a stopped process dies too */
}

/* Process lock held. */
static void queue_count_add(struct process *process, int delta)
{
	process->sigqueue_count += (unsigned int)delta;
}

/*
 * Real-time signals queued to processes of real user `uid` (tree lock
 * held): Linux charges RLIMIT_SIGPENDING per user.
 */
static uint64_t user_queued_locked(uint32_t uid)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *process;
	uint64_t total = 0;

	list_for_each_entry(process, all, all_link) {
		if (process->state != PROC_ALIVE)
			continue;
		spin_lock(&process->lock);
		if (process->cred.uid == uid)
			total += process->sigqueue_count;
		spin_unlock(&process->lock);
	}
	return total;
}

static void free_entries(struct list_head *entries)
{
	while (!list_is_empty(entries)) {
		struct proc_sigqueue *entry =
			list_first_entry(entries, struct proc_sigqueue, link);

		list_remove(&entry->link);
		kfree(entry);
	}
}

void signal_pending_release(struct process *process,
			    struct proc_sigpending *pending)
{
	struct list_head doomed = LIST_HEAD_INIT(doomed);

	spin_lock(&process->lock);
	while (!list_is_empty(&pending->queue)) {
		list_move_tail(pending->queue.next, &doomed);
		queue_count_add(process, -1);
	}
	pending->set = 0;
	spin_unlock(&process->lock);
	free_entries(&doomed);
}

/*
 * Init takes only the signals it has a handler for (Linux's
 * SIGNAL_UNKILLABLE): kill(1, SIGKILL) is dropped, and so is any
 * default-fatal signal, unless blocked. Faults reach it all the same
 * (signal_force_fault does not come this way).
 */
static bool init_refuses(const struct process *process, int signal)
{
	return process == proc_init_process &&
	       process->sigactions[signal - 1].handler == SIG_DFL;
}

/*
 * Whether a signal sent now would have no effect (process lock held):
 * ignored (SIG_IGN, or a default action of ignoring), unless the task
 * that would take it blocks it, since the disposition may change before
 * it is unblocked (Linux's sig_ignored); or refused by init.
 */
static bool is_ignored_locked(struct process *process, struct task *task,
			      int signal)
{
	const struct proc_sigaction *action = &process->sigactions[signal - 1];

	if (task == NULL && !list_is_empty(&process->threads))
		task = list_entry(process->threads.next, struct task,
				  thread_link);
	if (task && ((task->sigmask | task->real_blocked) & SIG_BIT(signal)))
		return false;
	return action->handler == SIG_IGN ||
	       (action->handler == SIG_DFL &&
		default_action(signal) == ACT_IGNORE) ||
	       init_refuses(process, signal);
}

/*
 * Adds one instance (process lock held). A real-time signal takes
 * *entry (set to NULL then) if the queue limit allows (`user_queued`:
 * what the receiver's user has queued); over it, a
 * sigqueue-style sender (si_code other than SI_USER) gets -EAGAIN and a
 * kill still marks the signal pending, without its siginfo (Linux).
 */
static int add_pending_locked(struct process *process,
			      struct proc_sigpending *pending, int signal,
			      const struct proc_siginfo *info,
			      struct proc_sigqueue **entry,
			      uint64_t user_queued)
{
	if (signal < SIGRTMIN) {
		if (pending->set & SIG_BIT(signal))
			return 0;	/* standard signals do not queue */
		pending->info[signal - 1] = *info;
	} else if (*entry != NULL &&
		   user_queued < process->rlimits[RLIMIT_SIGPENDING].cur) {
		(*entry)->info = *info;
		list_add_tail(&(*entry)->link, &pending->queue);
		queue_count_add(process, 1);
		*entry = NULL;
	} else if (info->code != SI_USER) {
		return -EAGAIN;
	}
	__atomic_or_fetch(&pending->set, SIG_BIT(signal), __ATOMIC_RELEASE);
	return 0;
}

/* Wakes a task that takes `signal`: the named one, or any not blocking it. */
static void wake_taker(struct process *process, struct task *task, int signal)
{
	struct task *target;

	if (task) {
		task_kick(task);
		return;
	}
	for_each_task(target, &process->threads, thread_link) {
		if (!(READ_ONCE(target->sigmask) & SIG_BIT(signal))) {
			task_kick(target);
			return;
		}
	}
}

int signal_send_locked(struct process *process, struct task *task,
		       int signal, const struct proc_siginfo *info)
{
	struct proc_siginfo kernel_info = { .signo = signal,
					    .code = SI_KERNEL };
	struct proc_sigqueue *entry = NULL;
	uint64_t queued = 0;
	uint32_t uid;
	int err = 0;

	if (signal < 1 || signal > PROC_NSIG)
		return -EINVAL;
	if (process->state != PROC_ALIVE || process->group_exit)
		return 0;
	if (info == NULL)
		info = &kernel_info;
	if (signal == SIGKILL) {
		if (init_refuses(process, signal))
			return 0;
		kill_process_locked(process);
		return 0;
	}
	jobctl_prepare_locked(process, signal);
	if (signal >= SIGRTMIN) {
		entry = kmalloc(sizeof(*entry));
		if (entry)
			list_init(&entry->link);
		spin_lock(&process->lock);
		uid = process->cred.uid;
		spin_unlock(&process->lock);
		queued = user_queued_locked(uid);
	}
	spin_lock(&process->lock);
	if (!is_ignored_locked(process, task, signal))
		err = add_pending_locked(process,
					 task ? &task->pending :
						&process->shared_pending,
					 signal, info, &entry, queued);
	else
		err = 1;	/* dropped */
	spin_unlock(&process->lock);
	kfree(entry);
	if (err < 0)
		return err;
	if (err == 0)
		wake_taker(process, task, signal);
	return 0;
}

bool signal_ignored_or_blocked(struct task *task, int signal)
{
	struct process *process = task->process;
	bool result;

	if (signal < 1 || signal > PROC_NSIG)
		return false;
	spin_lock(&process->lock);
	result = process->sigactions[signal - 1].handler == SIG_IGN ||
		 (task->sigmask & SIG_BIT(signal));
	spin_unlock(&process->lock);
	return result;
}

static uint64_t pending_set(struct task *task)
{
	return (__atomic_load_n(&task->pending.set, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&task->process->shared_pending.set,
				__ATOMIC_ACQUIRE)) &
	       ~READ_ONCE(task->sigmask);
}

bool signal_pending(struct task *task)
{
	return READ_ONCE(task->kill_pending) != 0 || pending_set(task) != 0 ||
	       READ_ONCE(task->process->stopped);
}

bool signal_pending_current(void)
{
	struct task *task = task_current();

	return task != NULL && signal_pending(task);
}

void signal_raise(int signal)
{
	struct task *task = task_current();
	struct proc_siginfo info = { .signo = signal, .code = SI_USER };

	if (task == NULL)
		return;
	info.proc.pid = task->process->pid;
	info.proc.uid = task->process->cred.uid;
	mutex_lock(&proc_tree_lock);
	signal_send_locked(task->process, task, signal, &info);
	mutex_unlock(&proc_tree_lock);
}

/*
 * Takes `signal` from `pending` into *info (process lock held); a
 * dequeued queue entry moves to `freed`. A real-time signal stays
 * pending while more instances are queued.
 */
static void take_locked(struct process *process,
			struct proc_sigpending *pending, int signal,
			struct proc_siginfo *info, struct list_head *freed)
{
	struct proc_sigqueue *entry, *found = NULL;
	bool more = false;

	if (signal < SIGRTMIN) {
		*info = pending->info[signal - 1];
		goto clear;
	}
	list_for_each_entry(entry, &pending->queue, link) {
		if (entry->info.signo != signal)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = entry;
	}
	if (found) {
		*info = found->info;
		list_move_tail(&found->link, freed);
		queue_count_add(process, -1);
	} else {	/* sent over the queue limit: no siginfo kept */
		*info = (struct proc_siginfo){ .signo = signal,
					       .code = SI_USER };
	}
	if (more)
		return;
clear:
	__atomic_and_fetch(&pending->set, ~SIG_BIT(signal), __ATOMIC_RELEASE);
}

int signal_dequeue(struct task *task, uint64_t mask, struct proc_siginfo *info)
{
	struct process *process = task->process;
	struct proc_sigpending *sets[2] = { &task->pending,
					    &process->shared_pending };
	struct list_head freed = LIST_HEAD_INIT(freed);
	int signal = 0;

	spin_lock(&process->lock);
	for (int i = 0; i < 2 && signal == 0; i++) {
		uint64_t ready = sets[i]->set & mask;

		if (ready == 0)
			continue;
		signal = __builtin_ctzll(ready) + 1;
		take_locked(process, sets[i], signal, info, &freed);
	}
	spin_unlock(&process->lock);
	free_entries(&freed);
	return signal;
}

/* Removes the signals of `mask` from one set (process lock held). */
static void flush_set_locked(struct process *process,
			     struct proc_sigpending *pending, uint64_t mask,
			     struct list_head *freed)
{
	struct proc_sigqueue *entry, *next;

	if ((pending->set & mask) == 0)
		return;
	list_for_each_entry_safe(entry, next, &pending->queue, link) {
		if (!(SIG_BIT(entry->info.signo) & mask))
			continue;
		list_move_tail(&entry->link, freed);
		queue_count_add(process, -1);
	}
	__atomic_and_fetch(&pending->set, ~mask, __ATOMIC_RELEASE);
}

void signal_flush_locked(struct process *process, uint64_t mask)
{
	struct list_head freed = LIST_HEAD_INIT(freed);
	struct task *task;

	spin_lock(&process->lock);
	flush_set_locked(process, &process->shared_pending, mask, &freed);
	for_each_task(task, &process->threads, thread_link)
		flush_set_locked(process, &task->pending, mask, &freed);
	spin_unlock(&process->lock);
	free_entries(&freed);
}

/* Rewinds to the syscall instruction so that it runs again. */
static void restart_syscall(struct user_regs *regs)
{
	regs->rax = regs->orig_rax;
	regs->rip -= 2;		/* `syscall` is 0f 05 */
}

#define NR_RESTART_SYSCALL 219

/* An interrupted syscall when a handler is about to run. */
static void finish_interrupted(struct task *task,
			       const struct proc_sigaction *action)
{
	struct user_regs *regs = &task->user.regs;
	long restart = task->restart;

	task->restart = 0;
	switch (restart) {
	case -ERESTARTNOINTR:
		restart_syscall(regs);
		break;
	case -ERESTARTSYS:
		if (action->flags & SA_RESTART)
			restart_syscall(regs);
		else
			regs->rax = (uint64_t)-EINTR;
		break;
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		regs->rax = (uint64_t)-EINTR;
		break;
	default:
		break;
	}
}

/* An interrupted syscall when no handler ran: it goes on unseen. */
static void finish_unhandled(struct task *task)
{
	struct user_regs *regs = &task->user.regs;
	long restart = task->restart;

	task->restart = 0;
	if (restart == 0)
		return;
	restart_syscall(regs);
	if (restart == -ERESTART_RESTARTBLOCK)
		regs->rax = NR_RESTART_SYSCALL;
}

/* Runs the default action of `signal`; returns (ignored or stopped) or
 * does not (fatal). */
static void default_deliver(struct task *task, int signal,
			    unsigned int continues)
{
	switch (default_action(signal)) {
	case ACT_IGNORE:
		return;
	case ACT_STOP:
		jobctl_stop(task, signal, continues);
		return;
	default:
		task_die_of_signal(signal);
	}
}

/*
 * Acts on a dequeued signal. Returns true when a handler's frame was set
 * up (the task returns into the handler), false when it was ignored or
 * stopped the process. May end the task.
 */
static bool deliver(struct task *task, int signal,
		    const struct proc_siginfo *info, unsigned int continues)
{
	struct process *process = task->process;
	struct proc_sigaction action;
	uint64_t old_mask;

	spin_lock(&process->lock);
	action = process->sigactions[signal - 1];
	if (action.handler > SIG_IGN && (action.flags & SA_RESETHAND))
		process->sigactions[signal - 1] = (struct proc_sigaction){ 0 };
	old_mask = task->restore_sigmask ? task->saved_sigmask : task->sigmask;
	if (action.handler > SIG_IGN) {
		uint64_t mask = task->sigmask | action.mask;

		task->restore_sigmask = false;
		if (!(action.flags & SA_NODEFER))
			mask |= SIG_BIT(signal);
		/* Senders read it unlocked to pick a task. */
		WRITE_ONCE(task->sigmask, mask & ~SIG_UNBLOCKABLE);
	}
	spin_unlock(&process->lock);

	if (action.handler == SIG_IGN)
		return false;
	if (action.handler == SIG_DFL) {
		default_deliver(task, signal, continues);
		return false;
	}
	finish_interrupted(task, &action);
	if (signal_setup_frame(task, signal, &action, info, old_mask) < 0) {
		/* No room for a frame: Linux forces SIGSEGV (uncatchable here). */
		task_die_of_signal(SIGSEGV);
	}
	return true;
}

/*
 * Every pending unblocked signal is taken before the return to user
 * mode, as Linux's exit-to-user loop does: each handler's frame goes on
 * top of the previous one (whose mask then blocks more), so the last one
 * set up runs first.
 */
void signal_deliver(struct task *task)
{
	struct process *process = task->process;
	struct proc_siginfo info;
	bool handled = false;

	for (;;) {
		unsigned int continues = READ_ONCE(process->continue_count);
		int signal;

		if (READ_ONCE(task->kill_pending))
			return;		/* the loop exits the task */
		if (READ_ONCE(process->stopped)) {
			jobctl_park(task);
			continue;
		}
		if (pending_set(task) == 0)
			break;
		signal = signal_dequeue(task, ~READ_ONCE(task->sigmask), &info);
		if (signal && deliver(task, signal, &info, continues))
			handled = true;
	}
	if (handled)
		return;
	finish_unhandled(task);
	if (task->restore_sigmask) {
		spin_lock(&process->lock);
		WRITE_ONCE(task->sigmask, task->saved_sigmask);
		task->restore_sigmask = false;
		spin_unlock(&process->lock);
	}
}

void signal_force_fault(struct task *task, int signal, int code,
			uaddr_t addr)
{
	struct process *process = task->process;
	struct proc_siginfo info = { .signo = signal, .code = code };
	struct proc_sigaction action;
	bool blocked;

	info.fault.addr = addr;
	spin_lock(&process->lock);
	action = process->sigactions[signal - 1];
	blocked = task->sigmask & SIG_BIT(signal);
	spin_unlock(&process->lock);
	if (action.handler <= SIG_IGN || blocked)
		task_die_of_signal(signal);
	task->restart = 0;
	deliver(task, signal, &info, 0);
}
