/*
 * Shared inside core/proc: the tree lock, object allocation and the pieces
 * of the process life cycle that live in different files (proc.c: ids and
 * objects; task.c: the user-thread loop; fork.c; exit.c; exec.c).
 */
#pragma once

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

/* Whether a live process of session `sid` is in group `pgid` (tree lock). */
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

/* The list of all processes (all_link), for walks under the tree lock. */
struct list_head *proc_all_processes_locked(void);

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
