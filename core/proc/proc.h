/*
 * Processes and their threads (tasks). A process owns an address space, a
 * descriptor table, a file-system context (root, cwd), credentials,
 * resource limits and signal dispositions; each of its threads is a task
 * with a kernel thread that runs the user code through hal_user_run and
 * handles what comes back (core/proc/task.c). Ids come from one space
 * shared by pids and tids, as Linux.
 *
 * Locks: `proc_tree_lock` (a mutex, proc.c) protects the id table, the
 * parent/child links, process states and exit codes, and each process's
 * thread list; it nests inside VFS locks (procfs) and outside the memory
 * locks. A process's
 * `lock` (a spinlock) protects its credentials, limits, signal state and
 * the pointers to its shared objects (as, files, fs) against exec and
 * threads reading them; readers take a reference under it.
 */
#pragma once

#include "core/hal/user.h"
#include "core/lib/list.h"
#include "core/lib/types.h"
#include "core/mm/vm.h"
#include "core/sched/wait.h"
#include "core/sync/spinlock.h"
#include "fs/vfs.h"

struct address_space;
struct fd_table;
struct thread;
struct vfs_file;

#define PROC_PID_MAX 4194304		/* Linux's PID_MAX_LIMIT on 64-bit */
#define PROC_COMM_MAX 16		/* TASK_COMM_LEN */
#define PROC_NSIG 64			/* signals 1..64 */

/* Resource limits: Linux's RLIMIT_* numbering. */
enum {
	RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
	RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS,
	RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE,
	RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_NLIMITS
};
#define RLIM_INFINITY (~0ULL)

struct rlimit64 {
	uint64_t cur;
	uint64_t max;
};

/* Credentials (Linux's real, effective, saved and file-system ids). */
struct proc_cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	unsigned int group_count;
	uint32_t groups[VFS_NGROUPS_MAX];
};

/* Signals waiting for delivery, with one siginfo each (core/proc/signal.h). */
#include "core/proc/signal.h"
struct proc_sigpending {
	uint64_t set;			/* bit signal-1 */
	struct proc_siginfo info[31];	/* standard signals 1..31: one each */
	struct list_head queue;		/* real-time ones, in arrival order */
};

/*
 * What restart_syscall(2) resumes after -ERESTART_RESTARTBLOCK: an
 * interrupted sleep, with its absolute deadline. fn NULL: nothing
 * (restart_syscall returns -EINTR).
 */
struct syscall_context;
struct proc_restart_block {
	long (*fn)(struct syscall_context *ctx);
	uint64_t deadline;		/* monotonic ns */
	uaddr_t remaining;		/* the user's timespec for the time left */
};

/* A signal disposition as rt_sigaction stores it. */
struct proc_sigaction {
	uint64_t handler;	/* SIG_DFL 0, SIG_IGN 1, or a user address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,		/* every thread gone; waits for its parent */
	PROC_REAPED,		/* waited for; the last reference frees it */
};

struct process {
	/* Set at creation, then read-only: */
	int pid;			/* the thread-group id */
	uint64_t start_ns;		/* hal_clock_ns at creation (/proc) */

	/* Protected by proc_tree_lock: */
	struct process *parent;
	struct list_head children;
	struct list_head sibling;	/* in parent->children */
	struct list_head all_link;	/* in the list of all processes */
	struct list_head pid_link;	/* in the id table's process bucket */
	struct list_head threads;	/* struct task.thread_link */
	unsigned int thread_count;	/* live tasks */
	enum proc_state state;
	int exit_status;		/* the wait status once a zombie */
	bool group_exit;		/* exit_group or a fatal signal */
	int group_exit_status;
	int exit_signal;		/* sent to the parent at exit (SIGCHLD) */
	int pgid, sid;
	struct completion *vfork_done;	/* the vfork parent waits on it */
	uint64_t children_utime_ns;	/* reaped children's CPU time */

	unsigned int child_events;	/* bumped when a child changes state */
	struct wait_queue child_wait;	/* the parent's wait4 sleeps here */

	/* Job control, also under proc_tree_lock (`stopped` read unlocked): */
	bool stopped;			/* a group stop holds every task */
	int stop_report;		/* the stop signal wait is to report */
	bool continue_report;		/* WCONTINUED has a report */
	bool orphan_check;		/* exit's orphaned-group walk marks it */
	bool child_subreaper;		/* PR_SET_CHILD_SUBREAPER */
	struct tty *ctty;		/* controlling terminal (ctty.c) */
	unsigned int continue_count;	/* SIGCONTs received (cancels stops) */
	struct wait_queue stop_wait;	/* stopped tasks park here */

	/* ITIMER_REAL, under the itimer lock (core/proc/itimer.c): */
	uint64_t real_deadline;		/* monotonic ns; 0 when disarmed */
	uint64_t real_interval;
	struct list_head itimer_link;	/* in the armed list */

	struct spinlock lock;
	/* Protected by lock (each pointer holds a reference): */
	struct address_space *as;
	struct fd_table *files;
	struct vfs_fs_context *fs;
	struct vfs_file *exe;		/* /proc/PID/exe */
	struct proc_cred cred;
	uint32_t umask;
	struct rlimit64 rlimits[RLIMIT_NLIMITS];
	struct proc_sigaction sigactions[PROC_NSIG];
	struct proc_sigpending shared_pending;	/* sent to the process */
	unsigned int sigqueue_count;	/* queued real-time signals */
	bool no_new_privs;		/* PR_SET_NO_NEW_PRIVS: never cleared */
	char comm[PROC_COMM_MAX];
	uaddr_t arg_start, arg_end;	/* argv strings in user memory */
	uaddr_t env_start, env_end;

	int refcount;			/* atomic */
};

struct task {
	/* Set at creation, then read-only: */
	int tid;
	struct process *process;
	struct thread *thread;		/* the kernel thread running it */

	/* The task's own (its kernel thread's only): */
	struct user_ctx user;
	uaddr_t clear_child_tid;	/* set_tid_address, CLONE_CHILD_CLEARTID */
	uaddr_t robust_list;
	uint64_t robust_list_length;
	/* Signal state; the mask and pending set under process->lock. */
	uint64_t sigmask;		/* blocked signals */
	struct proc_sigpending pending;	/* sent to this task */
	uint64_t saved_sigmask;		/* rt_sigsuspend's mask to restore */
	uint64_t real_blocked;		/* the mask under rt_sigtimedwait */
	bool restore_sigmask;
	uint64_t altstack_sp, altstack_size;	/* sigaltstack */
	int altstack_flags;
	long restart;			/* -ERESTART* of the last syscall, or 0 */
	struct vm_limits vm_limits;	/* the process's, for this syscall */
	struct proc_restart_block restart_block;	/* restart_syscall */
	struct vfs_cred vfs_cred;	/* the fs view of the process's cred */
	struct vfs_caller caller;

	/* Protected by proc_tree_lock: */
	struct list_head thread_link;	/* in process->threads */
	struct list_head tid_link;	/* in the id table's task bucket */
	bool exiting;
	int kill_pending;		/* a fatal signal to die of, or 0 */

	int refcount;			/* atomic */
};

/*
 * Sets up the id table and the process tree. Boot only, once, before
 * proc_start_init.
 */
void proc_init(void);

/*
 * Starts the first process (pid 1) running `path` with `argv` and `envp`
 * (NULL-terminated kernel arrays), its descriptors 0, 1 and 2 on
 * /dev/console. Returns 0 or -errno (the program could not be loaded).
 * When pid 1 exits, the kernel powers off with its status. May sleep.
 */
int proc_start_init(const char *path, const char *const *argv,
		    const char *const *envp);

/* The calling thread's task, or NULL for a kernel thread. */
struct task *task_current(void);

/*
 * The process with id `pid` (alive or zombie) with a reference (release
 * with process_put), or NULL. May sleep.
 */
struct process *process_lookup(int pid);
void process_get(struct process *process);
void process_put(struct process *process);

/* How many processes and tasks exist (tests, leak checks, /proc). */
unsigned int proc_process_count(void);
unsigned int proc_task_count(void);
/* Ids handed out since boot (processes and threads), and the latest. */
uint64_t proc_forks_total(void);
int proc_last_pid(void);

/*
 * Calls fn for each process in pid order under proc_tree_lock (procfs);
 * fn must not sleep on process locks... a negative return stops the walk.
 */
int proc_for_each(int (*fn)(struct process *process, void *arg), void *arg);

/*
 * Ends the calling task (exit(2)); with `group`, every thread of its
 * process (exit_group(2)). `status` is the wait status (code << 8, or the
 * fatal signal number). Does not return.
 */
__noreturn void task_exit(int status, bool group);

/*
 * wait4/waitid for the calling process: waits for a child that `idtype`
 * (P_ALL, P_PID, P_PGID; id 0 with P_PGID: the caller's group) and
 * `options` (WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT, __WALL,
 * __WCLONE) select to exit (reaped unless WNOWAIT), stop or continue
 * (each reported once unless WNOWAIT). Returns its pid with the wait
 * status in *status and, when `info` is not NULL, the siginfo filled;
 * 0 (WNOHANG, none ready), -ECHILD (no such child), -EINTR (killed).
 */
struct siginfo_chld;
long proc_wait(int idtype, int id, int options, int *status,
	       struct siginfo_chld *info);

/*
 * clone(2) for the calling task (the raw x86_64 argument order). Returns
 * the new task's id or -errno. May sleep (vfork waits for the child).
 */
long proc_clone(uint64_t flags, uaddr_t stack, uaddr_t parent_tid,
		uaddr_t child_tid, uaddr_t tls);

/*
 * execve(2)/execveat(2) for the calling task: `path` (a kernel string)
 * relative to `dir` (NULL: the working directory), user arrays argv and
 * envp. Returns 0 with the task's registers set for the new program, or
 * -errno with the caller unchanged. May sleep.
 */
long proc_execve(struct vfs_file *dir, const char *path, int at_flags,
		 uaddr_t argv, uaddr_t envp);

/*
 * Whether process group `pgid` is orphaned (POSIX): no live member has a
 * parent in another group of the same session (init does not count). A
 * group with no live member is orphaned. Takes proc_tree_lock: may sleep.
 */
bool proc_pgrp_orphaned(int pgid);

/*
 * ITIMER_REAL of `process`: what is left (ns, 0: disarmed) and the
 * interval. itimer_real_set arms it for `value` ns from now (0 disarms)
 * and reports the old setting; SIGALRM goes to the process at expiry.
 * Returns 0 or -ENOMEM (no timer thread). May sleep.
 */
void itimer_real_get(struct process *process, uint64_t *value,
		     uint64_t *interval);
int itimer_real_set(struct process *process, uint64_t value,
		    uint64_t interval, uint64_t *old_value,
		    uint64_t *old_interval);

/* Kills the calling task's process with the fatal signal `signal`. */
__noreturn void task_die_of_signal(int signal);

/*
 * The wait status of a normal exit with `code`, and of death by `signal`
 * (Linux's encoding, as WEXITSTATUS/WTERMSIG read it).
 */
#define PROC_STATUS_EXITED(code) (((code) & 0xff) << 8)
#define PROC_STATUS_SIGNALED(signal) ((signal) & 0x7f)
#define PROC_STATUS_CORE 0x80		/* WCOREDUMP */
#define PROC_STATUS_STOPPED(signal) (((signal) << 8) | 0x7f)
#define PROC_STATUS_CONTINUED 0xffff
