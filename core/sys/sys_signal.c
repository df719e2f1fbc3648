/*
 * Signal syscalls: dispositions (rt_sigaction), masks (rt_sigprocmask,
 * rt_sigsuspend, rt_sigpending), the alternate stack, rt_sigreturn, pause,
 * waiting (rt_sigtimedwait), and sending (kill, tkill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo). Sending and delivery are
 * core/proc/signal.c's.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/sigcontext.h"
#include "core/include/uapi/signal.h"
#include "core/include/uapi/time.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc_internal.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"

#define SIGSET_SIZE 8

/* Whether `action` ignores `signal` (SIG_IGN, or a default of ignoring). */
static bool is_ignoring(const struct proc_sigaction *action, int signal)
{
	if (action->handler == SIG_IGN)
		return true;
	return action->handler == SIG_DFL &&
	       (signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH ||
		signal == SIGCONT);
}

long sys_rt_sigaction(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	int signal = (int)args->arg[0];
	struct process *process;
	struct proc_sigaction action, old;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (args->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (signal < 1 || signal > PROC_NSIG)
		return -EINVAL;
	if (args->arg[1]) {
		if (signal == SIGKILL || signal == SIGSTOP)
			return -EINVAL;
		err = vm_copy_from_user(ctx->as, &action, args->arg[1],
					sizeof(action));
		if (err < 0)
			return err;
		action.mask &= ~SIG_UNBLOCKABLE;
	}
	process = ctx->task->process;
	mutex_lock(&proc_tree_lock);
	spin_lock(&process->lock);
	old = process->sigactions[signal - 1];
	if (args->arg[1])
		process->sigactions[signal - 1] = action;
	spin_unlock(&process->lock);
	/* POSIX: a pending signal now ignored is discarded, blocked or not. */
	if (args->arg[1] && is_ignoring(&action, signal))
		signal_flush_locked(process, SIG_BIT(signal));
	mutex_unlock(&proc_tree_lock);
	if (args->arg[2])
		return vm_copy_to_user(ctx->as, args->arg[2], &old,
				       sizeof(old));
	return 0;
}

long sys_rt_sigprocmask(struct syscall_context *ctx,
			const struct syscall_args *args)
{
	int how = (int)args->arg[0];
	struct process *process;
	uint64_t set = 0, old;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (args->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (args->arg[1]) {
		err = vm_copy_from_user(ctx->as, &set, args->arg[1],
					sizeof(set));
		if (err < 0)
			return err;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
	}
	process = ctx->task->process;
	spin_lock(&process->lock);
	old = ctx->task->sigmask;
	if (args->arg[1]) {
		uint64_t mask = how == SIG_BLOCK ? old | set :
				how == SIG_UNBLOCK ? old & ~set : set;

		WRITE_ONCE(ctx->task->sigmask, mask & ~SIG_UNBLOCKABLE);
	}
	spin_unlock(&process->lock);
	if (args->arg[2])
		return vm_copy_to_user(ctx->as, args->arg[2], &old,
				       sizeof(old));
	return 0;
}

long sys_rt_sigpending(struct syscall_context *ctx,
		       const struct syscall_args *args)
{
	struct process *process;
	uint64_t set;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (args->arg[1] > SIGSET_SIZE)
		return -EINVAL;
	process = ctx->task->process;
	spin_lock(&process->lock);
	set = (ctx->task->pending.set | process->shared_pending.set) &
	      ctx->task->sigmask;
	spin_unlock(&process->lock);
	return vm_copy_to_user(ctx->as, args->arg[0], &set, args->arg[1]);
}

/* Everything that ends a pause: a pending signal or death. */
static struct wait_queue pausers = WAIT_QUEUE_INIT(pausers);

long sys_rt_sigsuspend(struct syscall_context *ctx,
		       const struct syscall_args *args)
{
	struct task *task = ctx->task;
	struct process *process;
	uint64_t mask;
	int err;

	if (task == NULL)
		return -ENOSYS;
	if (args->arg[1] != SIGSET_SIZE)
		return -EINVAL;
	err = vm_copy_from_user(ctx->as, &mask, args->arg[0], sizeof(mask));
	if (err < 0)
		return err;
	process = task->process;
	spin_lock(&process->lock);
	task->saved_sigmask = task->sigmask;
	task->restore_sigmask = true;
	WRITE_ONCE(task->sigmask, mask & ~SIG_UNBLOCKABLE);
	spin_unlock(&process->lock);
	wait_event(pausers, signal_pending(task));
	return -ERESTARTNOHAND;
}

long sys_pause(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	if (ctx->task == NULL)
		return -ENOSYS;
	wait_event(pausers, signal_pending(ctx->task));
	return -ERESTARTNOHAND;
}

long sys_rt_sigreturn(struct syscall_context *ctx,
		      const struct syscall_args *args)
{
	(void)args;
	if (ctx->task == NULL)
		return -ENOSYS;
	return signal_return(ctx->task);
}

long sys_sigaltstack(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	struct task *task = ctx->task;
	struct signal_stack old, stack;
	uint64_t sp;
	int err;

	if (task == NULL)
		return -ENOSYS;
	sp = task->user.regs.rsp;
	signal_altstack_get(task, sp, &old);
	if (args->arg[0]) {
		err = vm_copy_from_user(ctx->as, &stack, args->arg[0],
					sizeof(stack));
		if (err < 0)
			return err;
		err = signal_altstack_set(task, sp, &stack);
		if (err < 0)
			return err;
	}
	if (args->arg[1])
		return vm_copy_to_user(ctx->as, args->arg[1], &old,
				       sizeof(old));
	return 0;
}

/* What kill(2) tells the receiver: who sent it. */
static struct proc_siginfo user_info(struct process *caller, int signal,
				     int code)
{
	struct proc_siginfo info = { .signo = signal, .code = code };

	info.proc.pid = caller->pid;
	info.proc.uid = caller->cred.uid;
	return info;
}

/* Sends (signal 0 only checks), tree lock held. */
static void send_locked(struct process *caller, struct process *target,
			int signal)
{
	struct proc_siginfo info = user_info(caller, signal, SI_USER);

	if (signal != 0)
		signal_send_locked(target, NULL, signal, &info);
}

/* Signals every process `match` selects; returns 0 or -ESRCH/-EPERM. */
static long send_many(struct process *caller, int signal,
		      bool (*match)(struct process *p, struct process *caller,
				    int arg),
		      int arg)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *process;
	bool found = false, permitted = false;

	/* Zombies count until reaped, as on Linux (a signal does nothing). */
	list_for_each_entry(process, all, all_link) {
		if (process->state == PROC_REAPED || !match(process, caller, arg))
			continue;
		found = true;
		if (!signal_may_send(caller, process, signal))
			continue;
		permitted = true;
		send_locked(caller, process, signal);
	}
	if (!found)
		return -ESRCH;
	return permitted ? 0 : -EPERM;
}

static bool everyone(struct process *process, struct process *caller, int arg)
{
	(void)arg;
	return process != caller && process->pid != 1;
}

long sys_kill(struct syscall_context *ctx, const struct syscall_args *args)
{
	int pid = (int)args->arg[0];
	int signal = (int)args->arg[1];
	struct process *caller, *target;
	long err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (signal < 0 || signal > PROC_NSIG)
		return -EINVAL;
	caller = ctx->task->process;
	mutex_lock(&proc_tree_lock);
	if (pid > 0) {
		target = process_lookup_locked(pid);
		if (target == NULL || target->state == PROC_REAPED) {
			err = -ESRCH;
		} else if (!signal_may_send(caller, target, signal)) {
			err = -EPERM;
		} else {
			send_locked(caller, target, signal);
			err = 0;
		}
	} else if (pid == -1) {
		err = send_many(caller, signal, everyone, 0);
	} else if (pid == -2147483647 - 1) {
		err = -ESRCH;
	} else {
		struct proc_siginfo info = user_info(caller, signal, SI_USER);

		err = signal_send_pgrp_locked(pid == 0 ? caller->pgid : -pid,
					      signal, &info, caller);
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

long sys_tgkill(struct syscall_context *ctx, const struct syscall_args *args)
{
	int tgid = (int)args->arg[0];
	int tid = (int)args->arg[1];
	int signal = (int)args->arg[2];
	struct task *task;
	long err = 0;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (tgid <= 0 || tid <= 0 || signal < 0 || signal > PROC_NSIG)
		return -EINVAL;
	mutex_lock(&proc_tree_lock);
	task = task_lookup_locked(tid);
	if (task == NULL || task->exiting || task->process->pid != tgid)
		err = -ESRCH;
	else if (!signal_may_send(ctx->task->process, task->process, signal))
		err = -EPERM;
	else if (signal != 0) {
		struct proc_siginfo info = user_info(ctx->task->process, signal,
						     SI_TKILL);

		err = signal_send_locked(task->process, task, signal, &info);
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

long sys_tkill(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct task *task;
	int tgid = 0;

	if (ctx->task == NULL)
		return -ENOSYS;
	if ((int)args->arg[0] <= 0)
		return -EINVAL;
	mutex_lock(&proc_tree_lock);
	task = task_lookup_locked((int)args->arg[0]);
	if (task)
		tgid = task->process->pid;
	mutex_unlock(&proc_tree_lock);
	if (tgid == 0)
		return -ESRCH;
	struct syscall_args call = { .arg = { (uint64_t)tgid, args->arg[0],
					      args->arg[1] } };

	return sys_tgkill(ctx, &call);
}

/* What rt_sigtimedwait sleeps on (senders kick the task itself). */
static struct wait_queue sigwaiters = WAIT_QUEUE_INIT(sigwaiters);

/*
 * Takes a signal of `set` for the calling task, waiting up to `timeout`
 * ns with the set unblocked (Linux's real_blocked dance). Returns the
 * signal, -EAGAIN (timed out) or -EINTR (another signal, a stop, death).
 */
static long wait_for_signal(struct task *task, uint64_t set, uint64_t timeout,
			    struct proc_siginfo *info)
{
	struct process *process = task->process;
	int signal = signal_dequeue(task, set, info);
	bool woken;

	if (signal || timeout == 0)
		return signal ? signal : -EAGAIN;
	spin_lock(&process->lock);
	task->real_blocked = task->sigmask;
	WRITE_ONCE(task->sigmask, task->sigmask & ~set);
	spin_unlock(&process->lock);
	woken = wait_event_timeout(sigwaiters, signal_pending(task), timeout);
	spin_lock(&process->lock);
	WRITE_ONCE(task->sigmask, task->real_blocked);
	task->real_blocked = 0;
	spin_unlock(&process->lock);
	signal = signal_dequeue(task, set, info);
	if (signal)
		return signal;
	return woken ? -EINTR : -EAGAIN;
}

#define NSEC_PER_SEC 1000000000L

long sys_rt_sigtimedwait(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	struct proc_siginfo info;
	uint64_t set, timeout = WAIT_FOREVER;
	long result;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (args->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	err = vm_copy_from_user(ctx->as, &set, args->arg[0], sizeof(set));
	if (err < 0)
		return err;
	if (args->arg[2]) {
		struct timespec ts;

		err = vm_copy_from_user(ctx->as, &ts, args->arg[2], sizeof(ts));
		if (err < 0)
			return err;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		timeout = (uint64_t)ts.tv_sec >= UINT64_MAX / NSEC_PER_SEC / 2 ?
				  WAIT_FOREVER :
				  (uint64_t)ts.tv_sec * NSEC_PER_SEC +
					  (uint64_t)ts.tv_nsec;
	}
	result = wait_for_signal(ctx->task, set & ~SIG_UNBLOCKABLE, timeout,
				 &info);
	if (result > 0 && args->arg[1]) {
		err = vm_copy_to_user(ctx->as, args->arg[1], &info,
				      sizeof(info));
		if (err < 0)
			return err;
	}
	return result;
}

/*
 * The siginfo of rt_sigqueueinfo/rt_tgsigqueueinfo: the user's, with
 * si_signo set and only the part Linux keeps (kernel_siginfo, 48 bytes).
 * Only a process signalling itself may claim si_code >= 0 (as if from
 * kill or the kernel) or SI_TKILL. Returns 0, -EFAULT or -EPERM.
 */
#define KERNEL_SIGINFO_SIZE 48

static int queued_info(struct syscall_context *ctx, uaddr_t user, int signal,
		       int target, struct proc_siginfo *info)
{
	int err = vm_copy_from_user(ctx->as, info, user, sizeof(*info));

	if (err < 0)
		return err;
	memset((char *)info + KERNEL_SIGINFO_SIZE, 0,
	       sizeof(*info) - KERNEL_SIGINFO_SIZE);
	info->signo = signal;
	if ((info->code >= 0 || info->code == SI_TKILL) &&
	    target != ctx->task->tid)
		return -EPERM;
	return 0;
}

/* Queues to process `tgid`, or its task `tid` when not 0. */
static long queue_signal(struct syscall_context *ctx, int tgid, int tid,
			 int signal, uaddr_t user)
{
	struct proc_siginfo info;
	struct process *target;
	struct task *task = NULL;
	long err = queued_info(ctx, user, signal, tid ? tid : tgid, &info);

	if (err < 0)
		return err;
	mutex_lock(&proc_tree_lock);
	if (tid) {
		task = task_lookup_locked(tid);
		target = task && !task->exiting && task->process->pid == tgid ?
				 task->process : NULL;
	} else {
		target = process_lookup_locked(tgid);
	}
	if (target == NULL || target->state == PROC_REAPED)
		err = -ESRCH;
	else if (signal < 0 || signal > PROC_NSIG)
		err = -EINVAL;
	else if (!signal_may_send(ctx->task->process, target, signal))
		err = -EPERM;
	else if (signal != 0)
		err = signal_send_locked(target, task, signal, &info);
	mutex_unlock(&proc_tree_lock);
	return err;
}

long sys_rt_sigqueueinfo(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	if (ctx->task == NULL)
		return -ENOSYS;
	return queue_signal(ctx, (int)args->arg[0], 0, (int)args->arg[1],
			    args->arg[2]);
}

long sys_rt_tgsigqueueinfo(struct syscall_context *ctx,
			   const struct syscall_args *args)
{
	if (ctx->task == NULL)
		return -ENOSYS;
	if ((int)args->arg[0] <= 0 || (int)args->arg[1] <= 0)
		return -EINVAL;
	return queue_signal(ctx, (int)args->arg[0], (int)args->arg[1],
			    (int)args->arg[2], args->arg[3]);
}
