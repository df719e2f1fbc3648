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

	if (pgid <= 0)
		return -ESRCH;
	list_for_each_entry(process, all, all_link) {
		if (process->state != PROC_ALIVE || process->pgid != pgid)
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
