/*
 * Signal dispositions and masks, and kill: the part of signals processes
 * need before delivery exists (the signals issue adds handlers, frames,
 * pending sets and rt_sigreturn). rt_sigaction and rt_sigprocmask keep
 * and report what user space sets; kill carries out the default actions
 * that end a process and ignores what is ignored.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc_internal.h"

#define SIGSET_SIZE 8
#define SIG_BIT(signal) (1ULL << ((signal) - 1))
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

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
		action.mask &= ~UNBLOCKABLE;
	}
	process = ctx->task->process;
	spin_lock(&process->lock);
	old = process->sigactions[signal - 1];
	if (args->arg[1])
		process->sigactions[signal - 1] = action;
	spin_unlock(&process->lock);
	if (args->arg[2])
		return vm_copy_to_user(ctx->as, args->arg[2], &old,
				       sizeof(old));
	return 0;
}

long sys_rt_sigprocmask(struct syscall_context *ctx,
			const struct syscall_args *args)
{
	int how = (int)args->arg[0];
	uint64_t set, old;
	int err;

	if (ctx->task == NULL)
		return -ENOSYS;
	if (args->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	old = ctx->task->sigmask;
	if (args->arg[1]) {
		err = vm_copy_from_user(ctx->as, &set, args->arg[1],
					sizeof(set));
		if (err < 0)
			return err;
		switch (how) {
		case SIG_BLOCK:
			ctx->task->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			ctx->task->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			ctx->task->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		ctx->task->sigmask &= ~UNBLOCKABLE;
	}
	if (args->arg[2])
		return vm_copy_to_user(ctx->as, args->arg[2], &old,
				       sizeof(old));
	return 0;
}

/* Whether `signal`'s default action is to ignore it. */
static bool ignored_by_default(int signal)
{
	return signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH ||
	       signal == SIGCONT;
}

static bool stops_by_default(int signal)
{
	return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN ||
	       signal == SIGTTOU;
}

/* Whether the caller may signal `target` (Linux's kill permission). */
static bool may_signal(const struct process *caller,
		       const struct process *target)
{
	return caller->cred.euid == 0 || caller->cred.uid == target->cred.uid ||
	       caller->cred.euid == target->cred.uid ||
	       caller->cred.uid == target->cred.suid ||
	       caller->cred.euid == target->cred.suid;
}

/* Carries out `signal`'s action on `target` (tree lock held). */
static void send_locked(struct process *target, int signal)
{
	struct proc_sigaction action;
	struct task *task;

	if (signal == 0 || target->state != PROC_ALIVE)
		return;
	spin_lock(&target->lock);
	action = target->sigactions[signal - 1];
	spin_unlock(&target->lock);
	if (signal != SIGKILL && signal != SIGSTOP) {
		if (action.handler == SIG_IGN)
			return;
		/* FIXME (signals issue): queue for the handler. */
		if (action.handler != SIG_DFL)
			return;
	}
	if (ignored_by_default(signal))
		return;
	if (stops_by_default(signal))
		return;		/* FIXME (signals issue): job-control stops */
	if (target->group_exit)
		return;
	target->group_exit = true;
	target->group_exit_status = PROC_STATUS_SIGNALED(signal);
	list_for_each_entry(task, &target->threads, thread_link) {
		__atomic_store_n(&task->kill_pending, signal, __ATOMIC_RELEASE);
		task_kick(task);
	}
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

	list_for_each_entry(process, all, all_link) {
		if (process->state != PROC_ALIVE || !match(process, caller, arg))
			continue;
		found = true;
		if (!may_signal(caller, process))
			continue;
		permitted = true;
		send_locked(process, signal);
	}
	if (!found)
		return -ESRCH;
	return permitted ? 0 : -EPERM;
}

static bool in_group(struct process *process, struct process *caller, int pgid)
{
	(void)caller;
	return process->pgid == pgid;
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
		if (target == NULL || target->state != PROC_ALIVE) {
			err = -ESRCH;
		} else if (!may_signal(caller, target)) {
			err = -EPERM;
		} else {
			send_locked(target, signal);
			err = 0;
		}
	} else if (pid == -1) {
		err = send_many(caller, signal, everyone, 0);
	} else if (pid == -2147483647 - 1) {
		err = -ESRCH;
	} else {
		err = send_many(caller, signal, in_group,
				pid == 0 ? caller->pgid : -pid);
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
	else if (!may_signal(ctx->task->process, task->process))
		err = -EPERM;
	else
		send_locked(task->process, signal);
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
