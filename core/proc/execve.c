/*
 * The process side of execve(2): core/exec builds the new image; here the
 * caller's process takes it. Past the point of no return the other
 * threads die, the address space is replaced, close-on-exec descriptors
 * close, caught signals reset to their defaults and the registers start
 * afresh at the entry point.
 */
#include "core/proc/proc_internal.h"

#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/lib/string.h"
#include "core/mm/vm.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "fs/fdtable.h"

void proc_reset_user_state(struct user_ctx *user, uaddr_t entry,
			   uaddr_t stack_pointer)
{
	memset(&user->regs, 0, sizeof(user->regs));
	hal_user_fpu_sync(user);
	user_fpu_init(&user->fpu);
	user->regs.rip = entry;
	user->regs.rsp = stack_pointer;
	user->regs.rflags = 0x202;	/* IF and the reserved bit 1 */
}

/* Kills the other threads of the caller's process and waits for them. */
static void kill_other_threads(struct task *self)
{
	struct process *process = self->process;
	struct task *other;

	mutex_lock(&proc_tree_lock);
	for_each_task(other, &process->threads, thread_link) {
		if (other == self)
			continue;
		__atomic_store_n(&other->kill_pending, SIGKILL,
				 __ATOMIC_RELEASE);
		task_kick(other);
	}
	while (process->thread_count > 1) {
		mutex_unlock(&proc_tree_lock);
		/* FIXME: a wait queue for the last-but-one thread's exit. */
		sleep_ns(100000);
		mutex_lock(&proc_tree_lock);
	}
	mutex_unlock(&proc_tree_lock);
}

/* Installs `image` in the calling task's process (cannot fail). */
void proc_exec_commit(struct task *task, struct exec_image *image,
		      const struct exec_args *args)
{
	struct process *process = task->process;
	struct address_space *old_as;
	struct vfs_file *old_exe;
	struct completion *vfork_done;

	kill_other_threads(task);
	spin_lock(&process->lock);
	old_as = process->as;
	old_exe = process->exe;
	/* As exec_load sized it, unless a setrlimit came in between. */
	vm_set_stack_limit(image->as, process->rlimits[RLIMIT_STACK].cur);
	process->as = image->as;	/* the image's reference */
	process->exe = image->file;	/* likewise */
	kstrlcpy(process->comm, image->comm, sizeof(process->comm));
	process->arg_start = image->arg_start;
	process->arg_end = image->arg_end;
	process->env_start = image->env_start;
	process->env_end = image->env_end;
	for (unsigned int i = 0; i < PROC_NSIG; i++) {
		struct proc_sigaction *action = &process->sigactions[i];

		if (action->handler != SIG_IGN)
			*action = (struct proc_sigaction){ 0 };
	}
	spin_unlock(&process->lock);
	(void)args;

	if (task->user.as)
		vm_put(task->user.as);
	task->user.as = image->as;
	vm_get(image->as);
	if (old_as)
		vm_put(old_as);
	if (old_exe)
		vfs_file_put(old_exe);
	fd_close_on_exec(process->files);
	task->clear_child_tid = 0;
	task->robust_list = 0;
	proc_reset_user_state(&task->user, image->entry,
			      image->stack_pointer);
	if (task->thread)
		kstrlcpy(task->thread->name, image->comm,
			 sizeof(task->thread->name));

	mutex_lock(&proc_tree_lock);
	vfork_done = process->vfork_done;
	process->vfork_done = NULL;
	mutex_unlock(&proc_tree_lock);
	if (vfork_done)
		complete(vfork_done);
}

long proc_execve(struct vfs_file *dir, const char *path, int at_flags,
		 uaddr_t argv, uaddr_t envp)
{
	struct task *task = task_current();
	struct process *process = task->process;
	struct exec_args args = { 0 };
	struct exec_image image;
	struct exec_cred cred;
	uint64_t limit;
	int err;

	spin_lock(&process->lock);
	limit = process->rlimits[RLIMIT_STACK].cur / 4;
	cred = (struct exec_cred){ .uid = process->cred.uid,
				   .euid = process->cred.euid,
				   .gid = process->cred.gid,
				   .egid = process->cred.egid,
				   .stack_rlimit =
					process->rlimits[RLIMIT_STACK].cur };
	spin_unlock(&process->lock);
	if (limit < 32 * 4096)
		limit = 32 * 4096;	/* Linux's floor (ARG_MAX) */
	err = exec_args_from_user(&args, task->user.as, argv, envp, limit);
	if (err < 0)
		return err;
	err = exec_load(&task->caller, dir, path, at_flags, &args, &cred,
			&image);
	if (err == 0)
		proc_exec_commit(task, &image, &args);
	exec_args_free(&args);
	return err;
}
