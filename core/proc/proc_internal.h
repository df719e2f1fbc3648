/*
 * Shared inside core/proc: the tree lock, object allocation and the pieces
 * of the process life cycle that live in different files (proc.c: ids and
 * objects; task.c: the user-thread loop; fork.c; exit.c; exec.c).
 */
#pragma once

#include "core/include/uapi/signal.h"
#include "core/proc/proc.h"
#include "core/sync/mutex.h"

extern struct mutex proc_tree_lock;

/*
 * Walks a list of tasks. Not list_for_each_entry: that macro forms an
 * entry pointer from the list head itself, and struct task is 16-byte
 * aligned (its FXSAVE area) where a head is not, which UBSan reports.
 */
#define for_each_task(pos, head, member)                                     \
	for (struct list_head *node_ = (head)->next;                         \
	     node_ != (head) &&                                              \
	     ((pos) = list_entry(node_, struct task, member)) != NULL;       \
	     node_ = node_->next)
/* pid 1, once started (proc_tree_lock). */
extern struct process *proc_init_process;

/* A new process with no threads, its id allocated; NULL on ENOMEM/EAGAIN. */
struct process *process_alloc(void);
/* A new task of `process` (ids allocated, not started), or NULL. */
struct task *task_alloc(struct process *process);
void task_get(struct task *task);
void task_put(struct task *task);

/*
 * Links `task` into its process and starts its kernel thread (the
 * user-thread loop). Returns 0 or -ENOMEM. proc_tree_lock not held.
 */
int task_start(struct task *task);

/* Removes a dead process's id (proc_tree_lock held). */
void process_unhash(struct process *process);
/* Removes a task's id (proc_tree_lock held). */
void task_unhash(struct task *task);
/* The task with id `tid` (proc_tree_lock held), or NULL. */
struct task *task_lookup_locked(int tid);
struct process *process_lookup_locked(int pid);

/* Refreshes task->vfs_cred from the process's credentials and umask. */
void task_refresh_cred(struct task *task);

/* Wakes a task that may be sleeping or running user code (to exit). */
void task_kick(struct task *task);

/* Whether a process (alive or zombie) of session `sid` is in group `pgid`
 * (tree lock). */
bool proc_group_in_session_locked(int pgid, int sid);

/* Whether `caller` may send `signal` to `target` (kill's permission). */
bool signal_may_send(const struct process *caller,
		     const struct process *target, int signal);

/*
 * signal_send_pgrp with the tree lock held; with `caller`, only to the
 * members it may signal (kill(-pgid)): -EPERM if it may signal none.
 */
int signal_send_pgrp_locked(int pgid, int signal,
			    const struct proc_siginfo *info,
			    const struct process *caller);

/* proc_pgrp_orphaned with the tree lock held, not counting `ignored`. */
bool proc_pgrp_orphaned_locked(int pgid, const struct process *ignored);

/* Signals (signal.c, sigframe.c, jobctl.c, itimer.c). */
#define SIG_BIT(signal) (1ULL << ((signal) - 1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define SIG_STOP_MASK                                                        \
	(SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) |            \
	 SIG_BIT(SIGTTOU))

/* Whether the default action of `signal` dumps core. */
bool signal_is_core(int signal);

/* Frees the queued siginfos of a set that is going away. */
void signal_pending_release(struct process *process,
			    struct proc_sigpending *pending);

/*
 * Takes the lowest pending signal of `mask` for `task` (its own set
 * first, then the process's) into *info; 0 if none. Takes process->lock.
 */
int signal_dequeue(struct task *task, uint64_t mask, struct proc_siginfo *info);

/* Discards the pending signals of `mask` everywhere in `process`
 * (tree lock held). */
void signal_flush_locked(struct process *process, uint64_t mask);

/*
 * Writes the rt_sigframe for a handler of `signal` on the user stack and
 * points the registers at the handler. Returns 0 or -EFAULT.
 */
int signal_setup_frame(struct task *task, int signal,
		       const struct proc_sigaction *action,
		       const struct proc_siginfo *info, uint64_t old_mask);

/*
 * The task's alternate signal stack (sigaltstack), seen from user stack
 * pointer `sp`: get fills `stack` (SS_ONSTACK when sp is on it, or
 * SS_DISABLE, plus SS_AUTODISARM as set); set validates and installs
 * `stack`: 0, -EPERM (sp is on the current one), -EINVAL or -ENOMEM.
 * The task's own (rt_sigreturn restores it from the frame too).
 */
struct signal_stack;
void signal_altstack_get(const struct task *task, uint64_t sp,
			 struct signal_stack *stack);
int signal_altstack_set(struct task *task, uint64_t sp,
			const struct signal_stack *stack);

/*
 * Job control. jobctl_prepare_locked runs for every signal sent (tree
 * lock held): a stop signal discards a pending SIGCONT; SIGCONT discards
 * pending stops and resumes a stopped process. jobctl_stop is the default
 * action of a stop signal (`count`: continue_count when it was dequeued);
 * jobctl_park holds a task while its process is stopped. May sleep.
 */
void jobctl_prepare_locked(struct process *process, int signal);
void jobctl_stop(struct task *task, int signal, unsigned int count);
void jobctl_park(struct task *task);

/* Tells the parent of `child` (tree lock held) that it stopped or went on:
 * SIGCHLD with `code` unless SA_NOCLDSTOP, and its waiters. */
void jobctl_notify_parent_locked(struct process *child, int code,
				 int status);

/*
 * `process` is exiting (a zombie now, its children with init; tree lock
 * held): process groups this orphans that have a stopped member get
 * SIGHUP then SIGCONT. Children whose group it linked have orphan_check.
 */
void jobctl_orphan_groups_locked(struct process *process);

/* Disarms the process's ITIMER_REAL (exit). May sleep. */
void itimer_clear(struct process *process);

/* The list of all processes (all_link), for walks under the tree lock. */
struct list_head *proc_all_processes_locked(void);

/*
 * Controlling terminals (ctty.c): a child shares its parent's, setsid
 * and the process's end drop it, a session leader's exit takes it from
 * the session (SIGHUP to the foreground group).
 */
void proc_ctty_fork_locked(struct process *parent, struct process *child);
void proc_ctty_drop_locked(struct process *process);
void proc_ctty_leader_exit(struct process *process);

/* Default limits for pid 1 (inherited by everything else). */
void proc_default_limits(struct rlimit64 *limits);

struct exec_image;
struct exec_args;

/* Registers and FPU state as a fresh program starts them. */
void proc_reset_user_state(struct user_ctx *user, uaddr_t entry,
			   uaddr_t stack_pointer);

/* Gives `task`'s process the loaded image (execve past no return). */
void proc_exec_commit(struct task *task, struct exec_image *image,
		      const struct exec_args *args);

/* Creates pid 1 around a loaded image (taken over) and starts it. */
int proc_start_first(struct exec_image *image);
