/*
 * Signal syscalls: dispositions (rt_sigaction), masks (rt_sigprocmask,
 * rt_sigsuspend, rt_sigpending), the alternate stack, rt_sigreturn, pause,
 * and sending (kill, tkill, tgkill). Sending and delivery are
 * core/proc/signal.c's.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc_internal.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"

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

		WRITE_ONCE(ctx->task->sigmask, mask & ~UNBLOCKABLE);
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
	WRITE_ONCE(task->sigmask, mask & ~UNBLOCKABLE);
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

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

struct user_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

long sys_sigaltstack(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	struct task *task = ctx->task;
	struct user_stack old, stack;
	uint64_t sp;
	int err;

	if (task == NULL)
		return -ENOSYS;
	sp = task->user.regs.rsp;
	old = (struct user_stack){ .sp = task->altstack_sp,
				   .size = task->altstack_size };
	old.flags = task->altstack_size == 0 ? SS_DISABLE :
		    (sp > task->altstack_sp &&
		     sp - task->altstack_sp <= task->altstack_size) ?
						 SS_ONSTACK : 0;
	if (args->arg[0]) {
		err = vm_copy_from_user(ctx->as, &stack, args->arg[0],
					sizeof(stack));
		if (err < 0)
			return err;
		if (old.flags == SS_ONSTACK)
			return -EPERM;
		unsigned int mode = (unsigned int)stack.flags & ~SS_AUTODISARM;

		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			stack.sp = 0;
			stack.size = 0;
		} else if (stack.size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		task->altstack_sp = stack.sp;
		task->altstack_size = stack.size;
		task->altstack_flags = stack.flags;
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

	list_for_each_entry(process, all, all_link) {
		if (process->state != PROC_ALIVE || !match(process, caller, arg))
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
		if (target == NULL || target->state != PROC_ALIVE) {
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

		signal_send_locked(task->process, task, signal, &info);
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
