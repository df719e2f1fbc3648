/*
 * Signals: pending sets, sending, and delivery to user handlers with the
 * Linux x86_64 signal frame (rt_sigframe: return address, ucontext with
 * the sigcontext and the mask, siginfo, then the FXSAVE image). A signal
 * goes to a process (kill) or to one task (tgkill, faults); the first
 * task that does not block it takes it at its next return to user mode.
 *
 * Locks: the pending sets and masks are protected by the process's lock;
 * senders also hold proc_tree_lock (the target cannot exit meanwhile).
 */
#pragma once

#include "core/lib/types.h"

struct process;
struct task;

/* The siginfo user space sees (128 bytes); only the fields we fill. */
struct proc_siginfo {
	int signo;
	int errno_value;
	int code;
	int pad0;
	union {
		struct {	/* kill, tkill, SIGCHLD */
			int pid;
			uint32_t uid;
			int status;	/* SIGCHLD */
			int pad;
			long utime, stime;
		} proc;
		struct {	/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
		} fault;
		char bytes[112];
	};
};

/* si_code values. */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TKILL (-6)

/*
 * Sends `signal` (1..64) to `process` (tree lock held), or to `task`
 * only when not NULL; `info` may be NULL (SI_KERNEL). Ignored signals
 * vanish (unless blocked); SIGKILL ends the process at once; SIGCONT
 * resumes a stopped process; others stay pending until a task that does
 * not block them takes them. Real-time signals queue, one siginfo per
 * send. Returns 0, -EINVAL (bad number) or -EAGAIN (the real-time queue
 * is at RLIMIT_SIGPENDING and the sender is not kill).
 */
int signal_send_locked(struct process *process, struct task *task,
		       int signal, const struct proc_siginfo *info);

/*
 * Whether the task has an unblocked pending signal, must die, or must
 * stop (its process is stopped): blocking waits end on it.
 */
bool signal_pending(struct task *task);

/* signal_pending for the calling thread; false for a kernel thread. */
bool signal_pending_current(void);

/*
 * Sends `signal` to the calling task (SIGPIPE from a write to a broken
 * pipe). A kernel thread is left alone. May sleep (takes the tree lock).
 */
void signal_raise(int signal);

/*
 * Called by the user-thread loop before the task returns to user mode:
 * finishes an interrupted syscall (restart or -EINTR) and delivers one
 * pending signal: a handler gets a frame on the user stack, a default
 * action runs. May end the task (does not return then).
 */
void signal_deliver(struct task *task);

/*
 * A fault the task cannot continue past: delivers `signal` with si_code
 * `code` and si_addr `addr` to a handler if one is installed and the
 * signal not blocked, else kills the process with it.
 */
void signal_force_fault(struct task *task, int signal, int code,
			uaddr_t addr);

/*
 * Sends `signal` (0: none, only the checks) to every live process of
 * process group `pgid`, as kill(-pgid) does but with no permission check
 * (the kernel sends: the tty's ^C, ^Z, SIGTTIN/SIGTTOU, hang-ups). `info`
 * NULL means si_code SI_KERNEL. Returns 0, -ESRCH (no such group) or
 * -EINVAL (bad signal). Takes proc_tree_lock: may sleep.
 *
 * The tty stops a background reader with signal_send_pgrp(its group,
 * SIGTTIN, NULL) then returns -ERESTARTSYS: the delivery on the way out
 * stops the group, and after SIGCONT the read runs again (a handler that
 * ran instead makes it -EINTR, or restarts it with SA_RESTART).
 */
int signal_send_pgrp(int pgid, int signal, const struct proc_siginfo *info);

/*
 * Whether `signal` would not reach `task` now: its process ignores it
 * (SIG_IGN) or the task blocks it. The tty's SIGTTOU/SIGTTIN rules.
 * Any context but interrupts (takes the process's spinlock).
 */
bool signal_ignored_or_blocked(struct task *task, int signal);

/* rt_sigreturn: restores the frame at the user stack. Returns rax. */
long signal_return(struct task *task);
