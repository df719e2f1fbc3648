/*
 * clone(2) and its special cases fork(2) and vfork(2): a new task in the
 * caller's process (CLONE_THREAD) or in a new process that shares or
 * copies each resource as the flags say.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/sched.h"
#include "core/include/uapi/signal.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "fs/fdtable.h"

/* The new process's resources, shared or copied from `parent`. */
static int copy_process(struct process *child, struct process *parent,
			uint64_t flags)
{
	struct address_space *as;
	struct fd_table *files;
	struct vfs_fs_context *fs;

	spin_lock(&parent->lock);
	as = parent->as;
	files = parent->files;
	fs = parent->fs;
	vm_get(as);
	fd_table_get(files);
	vfs_fs_context_get(fs);
	child->cred = parent->cred;
	child->umask = parent->umask;
	child->no_new_privs = parent->no_new_privs;
	memcpy(child->rlimits, parent->rlimits, sizeof(child->rlimits));
	memcpy(child->sigactions, parent->sigactions,
	       sizeof(child->sigactions));
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	child->exe = parent->exe;
	if (child->exe)
		vfs_file_get(child->exe);
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	spin_unlock(&parent->lock);

	if (!(flags & CLONE_VM)) {
		struct address_space *copy = vm_fork(as);

		vm_put(as);
		if (IS_ERR(copy)) {
			fd_table_put(files);
			vfs_fs_context_put(fs);
			return (int)PTR_ERR(copy);
		}
		as = copy;
	}
	child->as = as;
	if (!(flags & CLONE_FILES)) {
		struct fd_table *copy = fd_table_clone(files);

		fd_table_put(files);
		files = copy;
	}
	child->files = files;
	if (!(flags & CLONE_FS)) {
		struct vfs_fs_context *copy = vfs_fs_context_clone(fs);

		vfs_fs_context_put(fs);
		fs = copy;
	}
	child->fs = fs;
	return files && fs ? 0 : -ENOMEM;
}

static int check_flags(uint64_t flags, const struct process *parent)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	if ((flags & (CLONE_PARENT | CLONE_THREAD)) &&
	    parent == proc_init_process && !(flags & CLONE_THREAD))
		return -EINVAL;
	if ((flags & CSIGNAL) > PROC_NSIG)
		return -EINVAL;
	/* Name spaces, pidfds and the rest are not supported yet. */
	if (flags & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
		     CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
		     CLONE_NEWNET | CLONE_PIDFD | CLONE_PTRACE |
		     CLONE_UNTRACED | CLONE_IO))
		return -EINVAL;
	return 0;
}

long proc_clone(uint64_t flags, uaddr_t stack, uaddr_t parent_tid,
		uaddr_t child_tid, uaddr_t tls)
{
	struct task *self = task_current();
	struct process *parent = self->process;
	struct process *process = parent;
	struct completion vfork_done;
	struct task *task;
	int err = check_flags(flags, parent);
	int tid;

	if (err < 0)
		return err;
	if (!(flags & CLONE_THREAD)) {
		process = process_alloc();
		if (process == NULL)
			return -EAGAIN;
		err = copy_process(process, parent, flags);
		if (err < 0) {
			process_put(process);
			return err;
		}
		process->exit_signal = (int)(flags & CSIGNAL);
	}
	task = task_alloc(process);
	if (task == NULL) {
		if (process != parent)
			process_put(process);
		return -EAGAIN;
	}
	tid = task->tid;
	task->user.regs = self->user.regs;
	hal_user_fpu_sync(&self->user);
	task->user.fpu = self->user.fpu;
	task->user.regs.rax = 0;
	if (stack)
		task->user.regs.rsp = stack;
	if (flags & CLONE_SETTLS)
		task->user.regs.fs_base = tls;
	task->sigmask = self->sigmask;
	spin_lock(&process->lock);
	task->user.as = process->as;
	vm_get(task->user.as);
	spin_unlock(&process->lock);
	if (flags & CLONE_CHILD_CLEARTID)
		task->clear_child_tid = child_tid;
	if (flags & CLONE_CHILD_SETTID)
		vm_copy_to_user(task->user.as, child_tid, &tid, sizeof(tid));
	if (flags & CLONE_PARENT_SETTID)
		vm_copy_to_user(self->user.as, parent_tid, &tid, sizeof(tid));

	if (process != parent) {
		mutex_lock(&proc_tree_lock);
		process->parent = (flags & CLONE_PARENT) && parent->parent ?
					  parent->parent : parent;
		process->pgid = parent->pgid;
		process->sid = parent->sid;
		proc_ctty_fork_locked(parent, process);
		list_add_tail(&process->sibling, &process->parent->children);
		if (flags & CLONE_VFORK) {
			completion_init(&vfork_done);
			process->vfork_done = &vfork_done;
		}
		mutex_unlock(&proc_tree_lock);
	}
	err = task_start(task);
	if (err < 0) {
		/* Out of memory for the kernel thread: the child never ran. */
		if (process != parent) {
			mutex_lock(&proc_tree_lock);
			list_remove(&process->sibling);
			process->vfork_done = NULL;
			process->state = PROC_REAPED;
			process_unhash(process);
			mutex_unlock(&proc_tree_lock);
		}
		vm_put(task->user.as);	/* task_exit's to drop, had it run */
		task->user.as = NULL;
		task_put(task);
		if (process != parent)
			process_put(process);	/* the tree's reference */
		return err;
	}
	if (process != parent && (flags & CLONE_VFORK))
		wait_for_completion(&vfork_done);
	return tid;
}
