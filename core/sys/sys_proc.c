/*
 * Process syscalls: ids, fork/vfork/clone, execve, exit, wait, the tid
 * address, arch_prctl, process groups and sessions, resource limits and
 * usage, umask, prctl names, and the robust list. The work is core/proc's;
 * these handlers validate and copy.
 */
#include "core/sys/sys_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/sched.h"
#include "core/include/uapi/signal.h"
#include "core/include/uapi/wait.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "fs/fdtable.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

/* The calling task, or NULL (a kernel-side caller such as a unit test). */
static struct task *self(struct syscall_context *ctx)
{
	return ctx->task;
}

#define NEED_TASK(ctx)                                                      \
	do {                                                                \
		if (self(ctx) == NULL)                                      \
			return -ENOSYS;                                     \
	} while (0)

long sys_getpid(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	NEED_TASK(ctx);
	return self(ctx)->process->pid;
}

long sys_gettid(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	NEED_TASK(ctx);
	return self(ctx)->tid;
}

long sys_getppid(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct process *parent;
	int pid;

	(void)args;
	NEED_TASK(ctx);
	mutex_lock(&proc_tree_lock);
	parent = self(ctx)->process->parent;
	pid = parent ? parent->pid : 0;
	mutex_unlock(&proc_tree_lock);
	return pid;
}

long sys_fork(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	NEED_TASK(ctx);
	return proc_clone(SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	NEED_TASK(ctx);
	return proc_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

long sys_clone(struct syscall_context *ctx, const struct syscall_args *args)
{
	NEED_TASK(ctx);
	/* x86_64 order: flags, stack, parent_tid, child_tid, tls. */
	return proc_clone(args->arg[0], args->arg[1], args->arg[2],
			  args->arg[3], args->arg[4]);
}

/* Copies a path argument (PATH_MAX, -ENAMETOOLONG, -EFAULT). */
static char *get_path(struct syscall_context *ctx, uaddr_t user, long *err)
{
	char *path = kmalloc(PATH_MAX);
	long length;

	if (path == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	length = vm_strncpy_from_user(ctx->as, path, user, PATH_MAX);
	if (length < 0 || length >= PATH_MAX) {
		*err = length < 0 ? length : -ENAMETOOLONG;
		kfree(path);
		return NULL;
	}
	return path;
}

static long do_execveat(struct syscall_context *ctx, int dirfd, uaddr_t upath,
			uaddr_t argv, uaddr_t envp, int flags)
{
	struct vfs_file *dir = NULL;
	long err = 0;
	char *path;

	NEED_TASK(ctx);
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	path = get_path(ctx, upath, &err);
	if (path == NULL)
		return err;
	if (dirfd != AT_FDCWD && (path[0] != '/' || path[0] == '\0')) {
		dir = fd_get(ctx->files, dirfd);
		if (dir == NULL) {
			kfree(path);
			return -EBADF;
		}
	}
	err = proc_execve(dir, path, flags, argv, envp);
	if (err == 0)
		ctx->as = self(ctx)->user.as;	/* the tracer reads the new one */
	if (dir)
		vfs_file_put(dir);
	kfree(path);
	return err;
}

long sys_execve(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_execveat(ctx, AT_FDCWD, args->arg[0], args->arg[1],
			   args->arg[2], 0);
}

long sys_execveat(struct syscall_context *ctx, const struct syscall_args *args)
{
	return do_execveat(ctx, (int)args->arg[0], args->arg[1], args->arg[2],
			   args->arg[3], (int)args->arg[4]);
}

long sys_exit(struct syscall_context *ctx, const struct syscall_args *args)
{
	NEED_TASK(ctx);
	task_exit(PROC_STATUS_EXITED((int)args->arg[0]), false);
}

long sys_exit_group(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	NEED_TASK(ctx);
	task_exit(PROC_STATUS_EXITED((int)args->arg[0]), true);
}

/* struct rusage: two timevals then 14 longs. */
struct rusage {
	long utime_sec, utime_usec;
	long stime_sec, stime_usec;
	long rest[14];
};

static void fill_rusage(struct rusage *usage, uint64_t ns)
{
	memset(usage, 0, sizeof(*usage));
	usage->utime_sec = (long)(ns / 1000000000ULL);
	usage->utime_usec = (long)(ns % 1000000000ULL / 1000);
}

long sys_wait4(struct syscall_context *ctx, const struct syscall_args *args)
{
	int pid = (int)args->arg[0];
	int options = (int)args->arg[2];
	int idtype = P_ALL, id = 0, status = 0;
	long result;

	NEED_TASK(ctx);
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	if (pid == -2147483647 - 1)	/* INT_MIN: -pid overflows (Linux) */
		return -ESRCH;
	if (pid > 0) {
		idtype = P_PID;
		id = pid;
	} else if (pid == 0) {
		idtype = P_PGID;
	} else if (pid < -1) {
		idtype = P_PGID;
		id = -pid;
	}
	result = proc_wait(idtype, id, options | WEXITED, &status, NULL);
	if (result > 0 && args->arg[1]) {
		int err = vm_copy_to_user(ctx->as, args->arg[1], &status,
					  sizeof(status));

		if (err < 0)
			return err;
	}
	if (result >= 0 && args->arg[3]) {
		struct rusage usage;
		int err;

		fill_rusage(&usage, 0);
		err = vm_copy_to_user(ctx->as, args->arg[3], &usage,
				      sizeof(usage));
		if (err < 0)
			return err;
	}
	return result;
}

long sys_waitid(struct syscall_context *ctx, const struct syscall_args *args)
{
	int idtype = (int)args->arg[0];
	int id = (int)args->arg[1];
	int options = (int)args->arg[3];
	struct siginfo_chld info;
	int status;
	long result;

	NEED_TASK(ctx);
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			__WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID)
		return -EINVAL;
	if ((idtype == P_PID && id <= 0) || id < 0)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	result = proc_wait(idtype, id, options, &status, &info);
	if (result < 0)
		return result;
	/* WNOHANG with nothing ready: Linux zeroes si_signo and si_pid. */
	if (args->arg[2]) {
		int err = vm_copy_to_user(ctx->as, args->arg[2], &info,
					  sizeof(info));

		if (err < 0)
			return err;
	}
	if (args->arg[4]) {
		struct rusage usage;
		int err;

		fill_rusage(&usage, 0);
		err = vm_copy_to_user(ctx->as, args->arg[4], &usage,
				      sizeof(usage));
		if (err < 0)
			return err;
	}
	return 0;
}

long sys_set_tid_address(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	NEED_TASK(ctx);
	self(ctx)->clear_child_tid = args->arg[0];
	return self(ctx)->tid;
}

long sys_set_robust_list(struct syscall_context *ctx,
			 const struct syscall_args *args)
{
	NEED_TASK(ctx);
	if (args->arg[1] != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	self(ctx)->robust_list = args->arg[0];
	self(ctx)->robust_list_length = args->arg[1];
	return 0;
}

/* Canonical and below the user limit: a base user code may use. */
static bool valid_segment_base(struct syscall_context *ctx, uint64_t base)
{
	return base < ctx->as->limit;
}

long sys_arch_prctl(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	struct user_regs *regs;
	uint64_t value;

	NEED_TASK(ctx);
	regs = &self(ctx)->user.regs;
	switch (args->arg[0]) {
	case ARCH_SET_FS:
		if (!valid_segment_base(ctx, args->arg[1]))
			return -EPERM;
		regs->fs_base = args->arg[1];
		return 0;
	case ARCH_SET_GS:
		if (!valid_segment_base(ctx, args->arg[1]))
			return -EPERM;
		regs->gs_base = args->arg[1];
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		value = args->arg[0] == ARCH_GET_FS ? regs->fs_base :
						      regs->gs_base;
		return vm_copy_to_user(ctx->as, args->arg[1], &value,
				       sizeof(value));
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;		/* no CPUID faulting */
	default:
		return -EINVAL;
	}
}

/* The process group (or, with `session`, the session) of pid (0: self). */
static long group_of(struct syscall_context *ctx, int pid, bool session)
{
	struct process *process;
	long result;

	NEED_TASK(ctx);
	if (pid < 0)
		return -ESRCH;
	mutex_lock(&proc_tree_lock);
	process = pid == 0 ? self(ctx)->process : process_lookup_locked(pid);
	if (process == NULL || process->state == PROC_REAPED)
		result = -ESRCH;	/* a zombie has its ids until reaped */
	else
		result = session ? process->sid : process->pgid;
	mutex_unlock(&proc_tree_lock);
	return result;
}

long sys_getpgid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return group_of(ctx, (int)args->arg[0], false);
}

long sys_getpgrp(struct syscall_context *ctx, const struct syscall_args *args)
{
	(void)args;
	NEED_TASK(ctx);
	return READ_ONCE(self(ctx)->process->pgid);
}

long sys_getsid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return group_of(ctx, (int)args->arg[0], true);
}

long sys_setpgid(struct syscall_context *ctx, const struct syscall_args *args)
{
	int pid = (int)args->arg[0];
	int pgid = (int)args->arg[1];
	struct process *caller, *target;
	long err = 0;

	NEED_TASK(ctx);
	if (pgid < 0)
		return -EINVAL;
	caller = self(ctx)->process;
	mutex_lock(&proc_tree_lock);
	target = pid == 0 ? caller : process_lookup_locked(pid);
	if (target == NULL || target->state == PROC_REAPED ||
	    (target != caller && target->parent != caller)) {
		err = -ESRCH;
	} else if (target->sid != caller->sid) {
		err = -EPERM;
	} else if (target->pid == target->sid) {
		err = -EPERM;	/* a session leader */
	} else {
		if (pgid == 0)
			pgid = target->pid;
		if (pgid != target->pid && !proc_group_in_session_locked(pgid, caller->sid))
			err = -EPERM;
		else
			target->pgid = pgid;
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

long sys_setsid(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct process *process;
	long result;

	(void)args;
	NEED_TASK(ctx);
	process = self(ctx)->process;
	mutex_lock(&proc_tree_lock);
	if (process->pgid == process->pid) {
		result = -EPERM;	/* already a group leader */
	} else {
		process->sid = process->pid;
		process->pgid = process->pid;
		proc_ctty_drop_locked(process);
		result = process->pid;
	}
	mutex_unlock(&proc_tree_lock);
	return result;
}

long sys_prlimit64(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int pid = (int)args->arg[0];
	unsigned int resource = (unsigned int)args->arg[1];
	struct rlimit64 new_limit, old_limit;
	struct process *process;
	int err;

	NEED_TASK(ctx);
	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (args->arg[2]) {
		err = vm_copy_from_user(ctx->as, &new_limit, args->arg[2],
					sizeof(new_limit));
		if (err < 0)
			return err;
		if (new_limit.cur > new_limit.max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE &&
		    new_limit.max > FD_TABLE_NR_OPEN)
			return -EPERM;
	}
	if (pid != 0 && pid != self(ctx)->process->pid) {
		process = process_lookup(pid);
		if (process == NULL)
			return -ESRCH;
	} else {
		process = self(ctx)->process;
		process_get(process);
	}
	spin_lock(&process->lock);
	old_limit = process->rlimits[resource];
	err = 0;
	if (args->arg[2]) {
		if (new_limit.max > old_limit.max &&
		    process->cred.euid != 0)
			err = -EPERM;
		else
			process->rlimits[resource] = new_limit;
		/* The next growth of its stack reads it, as on Linux. */
		if (err == 0 && resource == RLIMIT_STACK && process->as)
			vm_set_stack_limit(process->as, new_limit.cur);
	}
	spin_unlock(&process->lock);
	process_put(process);
	if (err == 0 && args->arg[3])
		err = vm_copy_to_user(ctx->as, args->arg[3], &old_limit,
				      sizeof(old_limit));
	return err;
}

long sys_getrlimit(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	struct syscall_args call = { .arg = { 0, args->arg[0], 0,
					      args->arg[1] } };

	return sys_prlimit64(ctx, &call);
}

long sys_setrlimit(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	struct syscall_args call = { .arg = { 0, args->arg[0], args->arg[1],
					      0 } };

	return sys_prlimit64(ctx, &call);
}

long sys_getrusage(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	int who = (int)args->arg[0];
	struct rusage usage;
	uint64_t ns = 0;

	NEED_TASK(ctx);
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
	    who != RUSAGE_THREAD)
		return -EINVAL;
	if (who != RUSAGE_CHILDREN && self(ctx)->thread)
		ns = READ_ONCE(self(ctx)->thread->runtime_ns);
	fill_rusage(&usage, ns);
	return vm_copy_to_user(ctx->as, args->arg[1], &usage, sizeof(usage));
}

long sys_umask(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct process *process;
	uint32_t old;

	NEED_TASK(ctx);
	process = self(ctx)->process;
	spin_lock(&process->lock);
	old = process->umask;
	process->umask = (uint32_t)args->arg[0] & 0777;
	spin_unlock(&process->lock);
	task_refresh_cred(self(ctx));
	return old;
}

long sys_prctl(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct process *process;
	char name[PROC_COMM_MAX];
	long length;

	NEED_TASK(ctx);
	process = self(ctx)->process;
	switch ((int)args->arg[0]) {
	case PR_SET_NAME:
		length = vm_strncpy_from_user(ctx->as, name, args->arg[1],
					      sizeof(name));
		if (length < 0)
			return length;
		name[sizeof(name) - 1] = '\0';
		spin_lock(&process->lock);
		kstrlcpy(process->comm, name, sizeof(process->comm));
		spin_unlock(&process->lock);
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		spin_lock(&process->lock);
		kstrlcpy(name, process->comm, sizeof(name));
		spin_unlock(&process->lock);
		return vm_copy_to_user(ctx->as, args->arg[1], name,
				       sizeof(name));
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return args->arg[1] <= 1 ? 0 : -EINVAL;
	case PR_SET_PDEATHSIG:
		return args->arg[1] <= PROC_NSIG ? 0 : -EINVAL;
	case PR_GET_PDEATHSIG:
		return vm_copy_to_user(ctx->as, args->arg[1], &(int){ 0 },
				       sizeof(int));
	case PR_SET_CHILD_SUBREAPER:
		mutex_lock(&proc_tree_lock);
		process->child_subreaper = args->arg[1] != 0;
		mutex_unlock(&proc_tree_lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return vm_copy_to_user(ctx->as, args->arg[1],
				       &(int){ READ_ONCE(process->child_subreaper) },
				       sizeof(int));
	case PR_SET_NO_NEW_PRIVS:	/* set for good, kept by fork and exec */
		if (args->arg[1] != 1 || args->arg[2] || args->arg[3] ||
		    args->arg[4])
			return -EINVAL;
		spin_lock(&process->lock);
		process->no_new_privs = true;
		spin_unlock(&process->lock);
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (args->arg[1] || args->arg[2] || args->arg[3] ||
		    args->arg[4])
			return -EINVAL;
		return READ_ONCE(process->no_new_privs);
	default:
		return -EINVAL;
	}
}

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

/*
 * The threads getpriority/setpriority name, as Linux: PRIO_PROCESS one
 * thread (who: a tid, 0 the caller), PRIO_PGRP every thread of a process
 * group (0: the caller's), PRIO_USER every thread of the processes whose
 * real uid is who (0: the caller's). Calls fn on each with proc_tree_lock
 * held; -EINVAL for another `which`.
 */
static int for_each_prio_task_locked(struct task *self, int which, int who,
				     void (*fn)(struct task *, void *),
				     void *arg)
{
	struct process *process;
	struct task *task;

	if (which == PRIO_PROCESS) {
		task = who == 0 ? self : task_lookup_locked(who);
		if (task != NULL)
			fn(task, arg);
		return 0;
	}
	if (which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (who == 0 && which == PRIO_PGRP) {
		who = self->process->pgid;
	} else if (who == 0) {
		spin_lock(&self->process->lock);
		who = (int)self->process->cred.uid;
		spin_unlock(&self->process->lock);
	}
	list_for_each_entry(process, proc_all_processes_locked(), all_link) {
		bool match;

		if (process->state != PROC_ALIVE)
			continue;
		spin_lock(&process->lock);
		match = which == PRIO_PGRP ? process->pgid == who :
			process->cred.uid == (uint32_t)who;
		spin_unlock(&process->lock);
		if (!match)
			continue;
		for_each_task(task, &process->threads, thread_link)
			fn(task, arg);
	}
	return 0;
}

/* getpriority's answer: 20 - nice, the highest found; -ESRCH: none. */
static void highest_priority(struct task *task, void *arg)
{
	long *best = arg;
	long priority = 20 - READ_ONCE(task->thread->nice);

	if (priority > *best)
		*best = priority;
}

long sys_getpriority(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	long best = -ESRCH;
	int err;

	NEED_TASK(ctx);
	mutex_lock(&proc_tree_lock);
	err = for_each_prio_task_locked(self(ctx), (int)args->arg[0],
					(int)args->arg[1], highest_priority,
					&best);
	mutex_unlock(&proc_tree_lock);
	return err < 0 ? err : best;
}

struct set_priority {
	struct proc_cred cred;		/* the caller's */
	int nice;
	long result;			/* -ESRCH until a thread is seen */
};

/*
 * One thread's nice level, as Linux's set_one_prio: the caller's euid
 * must be the thread's uid or euid (or 0); lowering it needs euid 0 or
 * the thread's RLIMIT_NICE (20 - nice) to allow it. The last error
 * stays, a success clears -ESRCH only.
 */
static void set_task_priority(struct task *task, void *arg)
{
	struct set_priority *set = arg;
	struct process *process = task->process;
	bool allowed, may_lower;

	spin_lock(&process->lock);
	allowed = set->cred.euid == 0 ||
		  process->cred.uid == set->cred.euid ||
		  process->cred.euid == set->cred.euid;
	may_lower = set->cred.euid == 0 ||
		    (uint64_t)(20 - set->nice) <=
		    process->rlimits[RLIMIT_NICE].cur;
	spin_unlock(&process->lock);
	if (!allowed) {
		set->result = -EPERM;
		return;
	}
	if (set->nice < READ_ONCE(task->thread->nice) && !may_lower) {
		set->result = -EACCES;
		return;
	}
	if (set->result == -ESRCH)
		set->result = 0;
	thread_set_nice(task->thread, set->nice);
}

long sys_setpriority(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	struct set_priority set = { .result = -ESRCH };
	int nice = (int)args->arg[2], err;

	NEED_TASK(ctx);
	set.nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	spin_lock(&self(ctx)->process->lock);
	set.cred = self(ctx)->process->cred;
	spin_unlock(&self(ctx)->process->lock);
	mutex_lock(&proc_tree_lock);
	err = for_each_prio_task_locked(self(ctx), (int)args->arg[0],
					(int)args->arg[1], set_task_priority,
					&set);
	mutex_unlock(&proc_tree_lock);
	return err < 0 ? err : set.result;
}

long sys_sched_getaffinity(struct syscall_context *ctx,
			   const struct syscall_args *args)
{
	uint64_t size = args->arg[1];
	cpumask_t mask;
	int err;

	NEED_TASK(ctx);
	if (args->arg[0] != 0 && (int)args->arg[0] != self(ctx)->tid) {
		mutex_lock(&proc_tree_lock);
		bool found = task_lookup_locked((int)args->arg[0]) != NULL;

		mutex_unlock(&proc_tree_lock);
		if (!found)
			return -ESRCH;
	}
	if (size < sizeof(mask) || (size & (sizeof(long) - 1)))
		return -EINVAL;
	mask = sched_online_mask();
	err = vm_copy_to_user(ctx->as, args->arg[2], &mask, sizeof(mask));
	return err < 0 ? err : (long)sizeof(mask);
}
