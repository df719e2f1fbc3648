/*
 * The end of tasks and processes, and waiting for children. A task that
 * exits leaves its process; the last one makes the process a zombie: its
 * memory, descriptors and fs context are released, its children go to
 * the nearest child subreaper or init, and its parent is told. wait4/waitid reap zombies. When init
 * exits the machine powers off with init's status.
 */
#include "core/proc/proc_internal.h"

#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/include/uapi/wait.h"
#include "core/lib/printk.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/futex.h"
#include "core/sched/thread.h"
#include "core/sys/trace.h"
#include "fs/fdtable.h"

/* The status init's death powers off with: its exit code, or 128 + signal. */
static int poweroff_status(int wait_status)
{
	if ((wait_status & 0x7f) == 0)
		return (wait_status >> 8) & 0xff;
	return 128 + (wait_status & 0x7f);
}

/* Whether the parent asked not to keep zombies (SIGCHLD ignored). */
static bool parent_reaps_automatically(struct process *parent)
{
	const struct proc_sigaction *action =
		&parent->sigactions[SIGCHLD - 1];
	bool automatic;

	spin_lock(&parent->lock);
	automatic = action->handler == SIG_IGN ||
		    (action->flags & SA_NOCLDWAIT);
	spin_unlock(&parent->lock);
	return automatic;
}

/* SIGCHLD's si_code for a zombie's wait status. */
static int exit_code(int status)
{
	if ((status & 0x7f) == 0)
		return CLD_EXITED;
	return (status & PROC_STATUS_CORE) ? CLD_DUMPED : CLD_KILLED;
}

/* SIGCHLD's si_status: the exit code or the signal. */
static int exit_info_status(int status)
{
	return (status & 0x7f) ? status & 0x7f : (status >> 8) & 0xff;
}

/* Tells `parent`'s waiters that a child changed state (tree lock held). */
static void child_event_locked(struct process *parent)
{
	WRITE_ONCE(parent->child_events, parent->child_events + 1);
	wake_up_all(&parent->child_wait);
}

/* Unlinks a zombie from its parent and the id table (tree lock held). */
static void reap_locked(struct process *child)
{
	child->state = PROC_REAPED;
	list_remove(&child->sibling);
	process_unhash(child);
}

/*
 * Who adopts an exiting process's children (tree lock held): the nearest
 * live ancestor marked PR_SET_CHILD_SUBREAPER, else init.
 */
static struct process *new_reaper_locked(struct process *process)
{
	for (struct process *p = process->parent; p; p = p->parent) {
		if (p->child_subreaper && p->state == PROC_ALIVE &&
		    !p->group_exit)
			return p;
	}
	return proc_init_process;
}

/*
 * The process's last task is gone: release what it owns, give its
 * children to init, and make it a zombie for its parent.
 */
static void process_exit(struct process *process, int status)
{
	struct address_space *as;
	struct fd_table *files;
	struct vfs_fs_context *fs;
	struct process *child, *next, *parent, *reaper;
	bool reaped = false;

	spin_lock(&process->lock);
	as = process->as;
	files = process->files;
	fs = process->fs;
	process->as = NULL;
	process->files = NULL;
	process->fs = NULL;
	spin_unlock(&process->lock);
	if (files)
		fd_table_put(files);
	if (fs)
		vfs_fs_context_put(fs);
	if (as)
		vm_put(as);

	if (process == proc_init_process) {
		pr_info("proc: init exited with status %#x, powering off",
			status);
		syscall_trace_poweroff();
		hal_poweroff(poweroff_status(status));
	}

	itimer_clear(process);
	proc_ctty_leader_exit(process);
	mutex_lock(&proc_tree_lock);
	reaper = new_reaper_locked(process);
	list_for_each_entry_safe(child, next, &process->children, sibling) {
		child->orphan_check = child->pgid != process->pgid &&
				      child->sid == process->sid;
		list_move_tail(&child->sibling, &reaper->children);
		child->parent = reaper;
		child->exit_signal = SIGCHLD;	/* Linux: no slaying init */
		if (child->state == PROC_ZOMBIE)
			child_event_locked(reaper);
	}
	process->exit_status = status;
	process->state = PROC_ZOMBIE;
	process->stopped = false;
	jobctl_orphan_groups_locked(process);
	parent = process->parent;
	if (process->vfork_done) {
		complete(process->vfork_done);
		process->vfork_done = NULL;
	}
	if (process->exit_signal == SIGCHLD &&
	    parent_reaps_automatically(parent)) {
		reap_locked(process);
		reaped = true;
	} else if (process->exit_signal != 0) {
		struct proc_siginfo info = {
			.signo = process->exit_signal,
			.code = exit_code(status),
		};

		info.proc.pid = process->pid;
		info.proc.uid = process->cred.uid;
		info.proc.status = exit_info_status(status);
		signal_send_locked(parent, NULL, process->exit_signal, &info);
	}
	child_event_locked(parent);
	mutex_unlock(&proc_tree_lock);
	if (reaped)
		process_put(process);	/* the tree's reference */
}

/* CLONE_CHILD_CLEARTID: zero the tid word and wake one futex waiter. */
static void clear_child_tid(struct task *task)
{
	uint32_t zero = 0;

	if (task->clear_child_tid == 0 || task->user.as == NULL)
		return;
	if (vm_copy_to_user(task->user.as, task->clear_child_tid, &zero,
			    sizeof(zero)) == 0)
		futex_wake(task->user.as, task->clear_child_tid, 1);
}

__noreturn void task_exit(int status, bool group)
{
	struct task *task = task_current();
	struct process *process = task->process;
	struct task *other;
	bool last;

	mutex_lock(&proc_tree_lock);
	if (group && !process->group_exit) {
		process->group_exit = true;
		process->group_exit_status = status;
		for_each_task(other, &process->threads, thread_link) {
			if (other == task)
				continue;
			__atomic_store_n(&other->kill_pending, SIGKILL,
					 __ATOMIC_RELEASE);
			task_kick(other);
		}
	}
	if (process->group_exit)
		status = process->group_exit_status;
	task->exiting = true;
	list_remove(&task->thread_link);
	last = --process->thread_count == 0;
	mutex_unlock(&proc_tree_lock);

	clear_child_tid(task);
	hal_user_release(&task->user);
	if (task->user.as) {
		vm_put(task->user.as);
		task->user.as = NULL;
	}
	if (last)
		process_exit(process, status);
	task_put(task);
	thread_exit(0);
}

__noreturn void task_die_of_signal(int signal)
{
	struct process *process = task_current()->process;
	int status = PROC_STATUS_SIGNALED(signal);
	bool dump;

	/*
	 * Linux sets the core bit only when it wrote a core file, which
	 * needs a non-zero RLIMIT_CORE. FIXME: no core file is written; the
	 * status and SIGCHLD's CLD_DUMPED say one was, as Linux's would.
	 */
	spin_lock(&process->lock);
	dump = signal_is_core(signal) && process->rlimits[RLIMIT_CORE].cur != 0;
	spin_unlock(&process->lock);
	if (dump)
		status |= PROC_STATUS_CORE;
	task_exit(status, true);
}

/* Whether `child` is one that wait's idtype/id/options select. */
static bool wait_matches(const struct process *self,
			 const struct process *child, int idtype, int id,
			 int options)
{
	bool clone_child = child->exit_signal != SIGCHLD;

	switch (idtype) {
	case P_PID:
		if (child->pid != id)
			return false;
		break;
	case P_PGID:
		if (child->pgid != (id == 0 ? self->pgid : id))
			return false;
		break;
	default:
		break;
	}
	if (options & __WALL)
		return true;
	return (options & __WCLONE) ? clone_child : !clone_child;
}

/* Fills waitid's siginfo for a report with `code` and si_status. */
static void fill_info(struct siginfo_chld *info, const struct process *child,
		      int code, int status)
{
	if (info == NULL)
		return;
	info->si_signo = SIGCHLD;
	info->si_code = code;
	info->si_pid = child->pid;
	info->si_uid = child->cred.uid;
	info->si_status = status;
}

/*
 * What wait may report about `child` (tree lock held): 1 exited, 2
 * stopped, 3 continued, 0 nothing. Sets *status and the info.
 */
static int child_report_locked(struct process *child, int options,
			       int *status, struct siginfo_chld *info)
{
	if (child->state == PROC_ZOMBIE) {
		if (!(options & WEXITED))
			return 0;
		*status = child->exit_status;
		fill_info(info, child, exit_code(*status),
			  exit_info_status(*status));
		return 1;
	}
	if (child->state != PROC_ALIVE)
		return 0;
	if ((options & WSTOPPED) && child->stop_report) {
		*status = PROC_STATUS_STOPPED(child->stop_report);
		fill_info(info, child, CLD_STOPPED, child->stop_report);
		if (!(options & WNOWAIT))
			child->stop_report = 0;
		return 2;
	}
	if ((options & WCONTINUED) && child->continue_report) {
		*status = PROC_STATUS_CONTINUED;
		fill_info(info, child, CLD_CONTINUED, SIGCONT);
		if (!(options & WNOWAIT))
			child->continue_report = false;
		return 3;
	}
	return 0;
}

long proc_wait(int idtype, int id, int options, int *status,
	       struct siginfo_chld *info)
{
	struct task *task = task_current();
	struct process *self = task->process;
	struct process *child;

	for (;;) {
		bool any = false;
		unsigned int events;

		mutex_lock(&proc_tree_lock);
		list_for_each_entry(child, &self->children, sibling) {
			if (!wait_matches(self, child, idtype, id, options))
				continue;
			any = true;
			int report = child_report_locked(child, options, status,
							 info);
			int pid = child->pid;

			if (report == 0)
				continue;
			if (report > 1 || (options & WNOWAIT)) {
				mutex_unlock(&proc_tree_lock);
				return pid;
			}
			reap_locked(child);
			mutex_unlock(&proc_tree_lock);
			process_put(child);	/* the tree's reference */
			return pid;
		}
		events = self->child_events;
		mutex_unlock(&proc_tree_lock);
		if (!any || (options & WNOHANG))
			return any ? 0 : -ECHILD;
		wait_event(self->child_wait,
			   READ_ONCE(self->child_events) != events ||
				   signal_pending(task));
		if (READ_ONCE(self->child_events) == events &&
		    signal_pending(task))
			return -ERESTARTSYS;
	}
}
