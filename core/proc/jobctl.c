/*
 * Job control: signals to process groups, orphaned process groups, and
 * (with signal.c) group stops and SIGCONT. The process tree lock protects
 * what these functions read: process groups, sessions, parents, states.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"

bool signal_may_send(const struct process *caller,
		     const struct process *target, int signal)
{
	if (signal == SIGCONT && caller->sid == target->sid)
		return true;	/* Linux: SIGCONT within a session */
	return caller->cred.euid == 0 || caller->cred.uid == target->cred.uid ||
	       caller->cred.euid == target->cred.uid ||
	       caller->cred.uid == target->cred.suid ||
	       caller->cred.euid == target->cred.suid;
}

int signal_send_pgrp_locked(int pgid, int signal,
			    const struct proc_siginfo *info,
			    const struct process *caller)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *process;
	bool found = false, permitted = false;

	if (pgid < 0)	/* 0 is init's group until it calls setsid */
		return -ESRCH;
	/* A zombie stays in its group until reaped (signalling it does nothing). */
	list_for_each_entry(process, all, all_link) {
		if (process->state == PROC_REAPED || process->pgid != pgid)
			continue;
		found = true;
		if (caller && !signal_may_send(caller, process, signal))
			continue;
		permitted = true;
		if (signal != 0)
			signal_send_locked(process, NULL, signal, info);
	}
	if (!found)
		return -ESRCH;
	return permitted ? 0 : -EPERM;
}

int signal_send_pgrp(int pgid, int signal, const struct proc_siginfo *info)
{
	int err;

	if (signal < 0 || signal > PROC_NSIG)
		return -EINVAL;
	mutex_lock(&proc_tree_lock);
	err = signal_send_pgrp_locked(pgid, signal, info, NULL);
	mutex_unlock(&proc_tree_lock);
	return err;
}

bool proc_pgrp_orphaned_locked(int pgid, const struct process *ignored)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *process;

	list_for_each_entry(process, all, all_link) {
		struct process *parent = process->parent;

		if (process->state != PROC_ALIVE || process->pgid != pgid ||
		    process == ignored || parent == NULL ||
		    parent == proc_init_process)
			continue;
		if (parent->pgid != pgid && parent->sid == process->sid)
			return false;
	}
	return true;
}

bool proc_pgrp_orphaned(int pgid)
{
	bool orphaned;

	mutex_lock(&proc_tree_lock);
	orphaned = proc_pgrp_orphaned_locked(pgid, NULL);
	mutex_unlock(&proc_tree_lock);
	return orphaned;
}

void jobctl_notify_parent_locked(struct process *child, int code, int status)
{
	struct process *parent = child->parent;
	struct proc_siginfo info = { .signo = SIGCHLD, .code = code };
	bool quiet;

	if (parent == NULL)
		return;
	spin_lock(&parent->lock);
	quiet = parent->sigactions[SIGCHLD - 1].handler == SIG_IGN ||
		(parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP);
	spin_unlock(&parent->lock);
	info.proc.pid = child->pid;
	info.proc.uid = child->cred.uid;
	info.proc.status = status;
	if (!quiet)
		signal_send_locked(parent, NULL, SIGCHLD, &info);
	WRITE_ONCE(parent->child_events, parent->child_events + 1);
	wake_up_all(&parent->child_wait);
}

/* SIGCONT's effect at send time: the stopped process goes on. */
static void continue_locked(struct process *process)
{
	signal_flush_locked(process, SIG_STOP_MASK);
	WRITE_ONCE(process->continue_count, process->continue_count + 1);
	if (!process->stopped)
		return;
	WRITE_ONCE(process->stopped, false);
	process->stop_report = 0;
	process->continue_report = true;
	wake_up_all(&process->stop_wait);
	jobctl_notify_parent_locked(process, CLD_CONTINUED, SIGCONT);
}

void jobctl_prepare_locked(struct process *process, int signal)
{
	if (SIG_BIT(signal) & SIG_STOP_MASK)
		signal_flush_locked(process, SIG_BIT(SIGCONT));
	else if (signal == SIGCONT)
		continue_locked(process);
}

void jobctl_stop(struct task *task, int signal, unsigned int count)
{
	struct process *process = task->process;
	struct task *other;

	mutex_lock(&proc_tree_lock);
	/* POSIX: a terminal stop in an orphaned group is discarded; so is a
	 * stop that a SIGCONT overtook after it was dequeued. */
	if (process->group_exit || process->stopped ||
	    process->continue_count != count ||
	    (signal != SIGSTOP &&
	     proc_pgrp_orphaned_locked(process->pgid, NULL))) {
		mutex_unlock(&proc_tree_lock);
		return;
	}
	WRITE_ONCE(process->stopped, true);
	process->stop_report = signal;
	process->continue_report = false;
	for_each_task(other, &process->threads, thread_link) {
		if (other != task)
			task_kick(other);
	}
	jobctl_notify_parent_locked(process, CLD_STOPPED, signal);
	mutex_unlock(&proc_tree_lock);
}

void jobctl_park(struct task *task)
{
	struct process *process = task->process;

	wait_event(process->stop_wait,
		   !READ_ONCE(process->stopped) ||
			   READ_ONCE(task->kill_pending) != 0);
}

/* Whether a live member of group `pgid` is stopped (tree lock held). */
static bool has_stopped_member_locked(int pgid)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *process;

	list_for_each_entry(process, all, all_link) {
		if (process->state == PROC_ALIVE && process->pgid == pgid &&
		    process->stopped)
			return true;
	}
	return false;
}

/* Hangs up a newly orphaned group with a stopped member (Linux). */
static void hangup_if_orphaned_locked(int pgid)
{
	if (!proc_pgrp_orphaned_locked(pgid, NULL) ||
	    !has_stopped_member_locked(pgid))
		return;
	signal_send_pgrp_locked(pgid, SIGHUP, NULL, NULL);
	signal_send_pgrp_locked(pgid, SIGCONT, NULL, NULL);
}

void jobctl_orphan_groups_locked(struct process *process)
{
	struct list_head *all = proc_all_processes_locked();
	struct process *parent = process->parent, *other;

	/* Its own group, if it was the link to the outside. */
	if (parent && parent->pgid != process->pgid &&
	    parent->sid == process->sid)
		hangup_if_orphaned_locked(process->pgid);
	/* Its children's groups it linked (marked before they moved). */
	list_for_each_entry(other, all, all_link) {
		if (!other->orphan_check)
			continue;
		other->orphan_check = false;
		hangup_if_orphaned_locked(other->pgid);
	}
}
