/*
 * Controlling terminals: which session a terminal belongs to, its
 * foreground process group, and the job-control rules for background
 * reads, writes and settings (POSIX "General Terminal Interface", Linux
 * tty_jobctrl.c as the reference for error values). Everything here is
 * under proc_tree_lock: process->ctty, tty->session, tty->pgrp.
 *
 * A process keeps its ctty pointer (and a reference) until setsid, exit
 * or a new terminal; it is its controlling terminal only while the
 * terminal's session is still the process's (is_ctty), so ending a
 * session (the leader exits, TIOCNOTTY, a steal) needs no walk over the
 * session's processes.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/tty/tty.h"

static bool is_ctty_locked(const struct process *process,
			   const struct tty *tty)
{
	return tty != NULL && process->ctty == tty && tty->session != 0 &&
	       tty->session == process->sid;
}

static bool has_ctty_locked(const struct process *process)
{
	return is_ctty_locked(process, process->ctty);
}

static void set_ctty_locked(struct process *process, struct tty *tty)
{
	struct tty *old = process->ctty;

	if (tty)
		tty_get(tty);
	process->ctty = tty;
	if (old)
		tty_put(old);
}

/* Makes `tty` the controlling terminal of the leader's session. */
static void attach_locked(struct process *leader, struct tty *tty)
{
	set_ctty_locked(leader, tty);
	tty->session = leader->sid;
	tty->pgrp = leader->pgid;
}

/* The session lets go of the terminal; SIGHUP (+ SIGCONT) to the front. */
static void disassociate_locked(struct tty *tty, bool cont)
{
	if (tty->session != 0 && tty->pgrp != 0) {
		signal_send_pgrp_locked(tty->pgrp, SIGHUP, NULL, NULL);
		if (cont)
			signal_send_pgrp_locked(tty->pgrp, SIGCONT, NULL, NULL);
	}
	tty->session = 0;
	tty->pgrp = 0;
}

void proc_ctty_fork_locked(struct process *parent, struct process *child)
{
	set_ctty_locked(child, parent->ctty);
}

void proc_ctty_drop_locked(struct process *process)
{
	set_ctty_locked(process, NULL);
}

void proc_ctty_leader_exit(struct process *process)
{
	mutex_lock(&proc_tree_lock);
	if (process->pid == process->sid && has_ctty_locked(process))
		disassociate_locked(process->ctty, false);
	mutex_unlock(&proc_tree_lock);
}

int tty_job_check(struct tty *tty, int signal)
{
	struct task *task = task_current();
	struct process *process;
	int err = 0;

	if (task == NULL)
		return 0;
	process = task->process;
	mutex_lock(&proc_tree_lock);
	if (is_ctty_locked(process, tty) && tty->pgrp != 0 &&
	    process->pgid != tty->pgrp) {
		if (signal_ignored_or_blocked(task, signal))
			err = signal == SIGTTIN ? -EIO : 0;
		else if (proc_pgrp_orphaned_locked(process->pgid, NULL))
			err = -EIO;
		else if (signal_send_pgrp_locked(process->pgid, signal, NULL,
						 NULL) == 0)
			err = -ERESTARTSYS;
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

void tty_open_ctty(struct tty *tty)
{
	struct task *task = task_current();
	struct process *process;

	if (task == NULL)
		return;
	process = task->process;
	mutex_lock(&proc_tree_lock);
	if (process->pid == process->sid && !has_ctty_locked(process) &&
	    tty->session == 0)
		attach_locked(process, tty);
	mutex_unlock(&proc_tree_lock);
}

int tty_ioctl_sctty(struct tty *tty, unsigned long steal)
{
	struct task *task = task_current();
	struct process *process;
	int err = 0;

	if (task == NULL)
		return -EPERM;
	process = task->process;
	mutex_lock(&proc_tree_lock);
	if (process->pid == process->sid && is_ctty_locked(process, tty)) {
		err = 0;	/* already ours */
	} else if (process->pid != process->sid || has_ctty_locked(process)) {
		err = -EPERM;
	} else if (tty->session != 0 &&
		   !(steal == 1 && process->cred.euid == 0)) {
		err = -EPERM;	/* another session's terminal */
	} else {
		attach_locked(process, tty);
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

int tty_ioctl_notty(struct tty *tty)
{
	struct task *task = task_current();
	struct process *process;
	int err = 0;

	if (task == NULL)
		return -ENOTTY;
	process = task->process;
	mutex_lock(&proc_tree_lock);
	if (!is_ctty_locked(process, tty))
		err = -ENOTTY;
	else if (process->pid == process->sid)
		disassociate_locked(tty, true);
	else
		set_ctty_locked(process, NULL);
	mutex_unlock(&proc_tree_lock);
	return err;
}

/* TIOCGPGRP, TIOCGSID: a field of the caller's own terminal only. */
static int ctty_field(struct tty *tty, const int *field, int *value)
{
	struct task *task = task_current();
	int err = 0;

	if (task == NULL)
		return -ENOTTY;
	mutex_lock(&proc_tree_lock);
	if (is_ctty_locked(task->process, tty))
		*value = *field;
	else
		err = -ENOTTY;
	mutex_unlock(&proc_tree_lock);
	return err;
}

int tty_ioctl_gpgrp(struct tty *tty, int *pgrp)
{
	return ctty_field(tty, &tty->pgrp, pgrp);
}

int tty_ioctl_spgrp(struct tty *tty, int pgrp)
{
	struct task *task = task_current();
	struct process *process, *member;
	int err = tty_job_check(tty, SIGTTOU);

	if (task == NULL)
		return -ENOTTY;
	if (err < 0)
		return err == -EIO ? -ENOTTY : err;
	process = task->process;
	mutex_lock(&proc_tree_lock);
	if (!is_ctty_locked(process, tty)) {
		err = -ENOTTY;
	} else if (pgrp < 0) {
		err = -EINVAL;
	} else {
		err = -ESRCH;
		list_for_each_entry(member, proc_all_processes_locked(),
				    all_link) {
			/* A zombie counts until reaped: a shell makes a
			 * pipeline's group foreground after its leader may
			 * have exited. */
			if (member->state == PROC_REAPED ||
			    member->pgid != pgrp)
				continue;
			err = member->sid == process->sid ? 0 : -EPERM;
			break;
		}
		if (err == 0)
			tty->pgrp = pgrp;
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

int tty_ioctl_gsid(struct tty *tty, int *sid)
{
	return ctty_field(tty, &tty->session, sid);
}

int tty_foreground(struct tty *tty)
{
	int pgrp;

	mutex_lock(&proc_tree_lock);
	pgrp = tty->session != 0 ? tty->pgrp : 0;
	mutex_unlock(&proc_tree_lock);
	return pgrp;
}

void tty_hangup_session(struct tty *tty)
{
	int leader;

	mutex_lock(&proc_tree_lock);
	leader = tty->session;
	if (leader != 0) {
		struct process *process = process_lookup_locked(leader);

		if (process && process->state == PROC_ALIVE &&
		    process->pgid != tty->pgrp) {
			signal_send_locked(process, NULL, SIGHUP, NULL);
			signal_send_locked(process, NULL, SIGCONT, NULL);
		}
	}
	disassociate_locked(tty, true);
	mutex_unlock(&proc_tree_lock);
}

struct tty *tty_current_ctty(void)
{
	struct task *task = task_current();
	struct tty *tty = NULL;

	if (task == NULL)
		return NULL;
	mutex_lock(&proc_tree_lock);
	if (has_ctty_locked(task->process)) {
		tty = task->process->ctty;
		tty_get(tty);
	}
	mutex_unlock(&proc_tree_lock);
	return tty;
}
