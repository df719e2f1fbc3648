/*
 * Terminals (core/tty): the N_TTY line discipline, termios, window size,
 * and the job-control state (session, foreground process group) of one
 * terminal. A driver (the console, a pty's slave side) owns a struct tty,
 * feeds received bytes to tty_input() and gets the processed output
 * through its `write` op; files opened on the device use tty_file_ops
 * with the struct tty in file->private.
 *
 * Contexts: tty_input() and every file op run in task context (they send
 * signals, which takes proc_tree_lock). The driver's `write` is called
 * with no tty lock held.
 *
 * Locks: `lock` (a spinlock, rank LOCK_RANK_TTY) protects the buffers,
 * termios and window size; readers sleep on `readers`. The job-control
 * fields (session, foreground group) and a process's controlling
 * terminal (process->ctty) are under proc_tree_lock, in core/proc/ctty.c.
 */
#pragma once

#include "core/include/uapi/ioctl.h"
#include "core/lib/types.h"
#include "core/sched/wait.h"
#include "core/sync/mutex.h"
#include "core/sync/spinlock.h"
#include "fs/poll.h"

#define TTY_BUF_SIZE 4096	/* input queue and edit line (N_TTY_BUF_SIZE) */

struct tty;
struct process;
struct vfs_file;

struct tty_ops {
	/*
	 * Sends processed output to the device; returns how much went. With
	 * may_block (writers, not echo) it may wait for room, stopping early
	 * only on a signal. Task context, no tty lock held.
	 */
	size_t (*write)(struct tty *tty, const char *bytes, size_t length,
			bool may_block);
	/*
	 * Bytes `write` takes now without waiting (NULL: it never waits);
	 * non-blocking writers send no more. Task context.
	 */
	size_t (*write_room)(struct tty *tty);
	/* The last file on the tty closed (pty: the slave's end). */
	void (*last_close)(struct tty *tty);
	/* Frees a dynamically allocated tty at its last reference. */
	void (*free)(struct tty *tty);
};

struct tty {
	const struct tty_ops *ops;
	void *driver;			/* the driver's own state */
	char name[16];			/* "console", "pts/3" */
	int refcount;			/* atomic: files, controlling processes */
	struct mutex input_lock;	/* one tty_input at a time, in order */

	struct spinlock lock;
	/* Protected by lock: */
	struct termios termios;
	struct winsize winsize;
	uint16_t queue[TTY_BUF_SIZE];	/* readable input; see tty.c */
	size_t queue_head, queue_count;
	size_t lines;			/* canonical: delimiters in queue */
	char line[TTY_BUF_SIZE];	/* canonical: the line being edited */
	size_t line_length;
	bool literal_next;		/* VLNEXT seen */
	bool output_stopped;		/* IXON: VSTOP seen, or TCOOFF */
	/* Echo made while output was stopped, sent when it restarts. */
	char echo_held[TTY_BUF_SIZE];
	size_t echo_held_length;
	bool input_ended;		/* reads at the end: 0, or EIO */
	bool read_eio;
	bool hung_up;			/* writes fail with EIO */
	unsigned int column;		/* output column, for erase echo */
	unsigned int line_column;	/* where the edit line started */
	int open_count;

	/* Protected by proc_tree_lock (core/proc/ctty.c): */
	int session;			/* 0: not a controlling terminal */
	int pgrp;			/* foreground process group */

	/* Input arrived, termios changed, output restarted (writers). */
	struct wait_queue readers;
	struct vfs_poll_head poll_head;
};

/* Linux's defaults (tty_std_termios), for a new terminal. */
void tty_init(struct tty *tty, const struct tty_ops *ops, const char *name);

void tty_get(struct tty *tty);
void tty_put(struct tty *tty);

/*
 * Bytes received from the device: input processing (ISTRIP, IGNCR, ICRNL,
 * INLCR), canonical editing, echo, and ISIG signals to the foreground
 * group. Returns how many bytes were taken (fewer when the queue is full
 * in raw mode; canonical mode drops what does not fit, as Linux). Task
 * context.
 */
size_t tty_input(struct tty *tty, const char *bytes, size_t length);

/* Room left for input (the pty master's writers wait for it). */
size_t tty_input_room(struct tty *tty);

/*
 * No more input from the device (the host closed standard input): reads
 * return what is queued, then 0 (or -EIO with `eio`). With `hangup` the
 * line is gone too: writes fail with -EIO and the session's foreground
 * group gets SIGHUP and SIGCONT. Task context.
 */
void tty_input_end(struct tty *tty, bool eio, bool hangup);

/*
 * A new window size from the device side (the host terminal, a pty
 * master's TIOCSWINSZ); SIGWINCH to the foreground group on a change.
 */
void tty_set_winsize(struct tty *tty, const struct winsize *size);

/*
 * The file operations of a terminal device; `open` ops of drivers set
 * file->private to their tty (with a reference) and call tty_opened.
 * `noctty`: the open never makes it a controlling terminal (O_NOCTTY,
 * /dev/console, /dev/tty).
 */
extern const struct vfs_file_ops tty_file_ops;
int tty_opened(struct tty *tty, struct vfs_file *file, bool noctty);

/* The tty behind a file, or NULL when the file is not a terminal. */
struct tty *tty_of_file(struct vfs_file *file);

/*
 * Job control (core/proc/ctty.c, under proc_tree_lock). The calling
 * process is the subject of each; NULL task (a kernel thread) passes.
 *
 * tty_job_check: whether the caller may read (SIGTTIN) or write or
 * change settings (SIGTTOU) now: 0, -EIO (orphaned group, or SIGTTIN
 * ignored or blocked), or -ERESTARTSYS after sending the signal to its
 * background group. SIGTTOU ignored or blocked lets the caller go on.
 */
int tty_job_check(struct tty *tty, int signal);
/* The open of `tty` by a session leader without one makes it its ctty. */
void tty_open_ctty(struct tty *tty);
int tty_ioctl_sctty(struct tty *tty, unsigned long steal);
int tty_ioctl_notty(struct tty *tty);
int tty_ioctl_gpgrp(struct tty *tty, int *pgrp);
int tty_ioctl_spgrp(struct tty *tty, int pgrp);
int tty_ioctl_gsid(struct tty *tty, int *sid);
/* The foreground group (0: none), for signal characters. */
int tty_foreground(struct tty *tty);
/* The line is gone: SIGHUP, SIGCONT to the foreground; no session. */
void tty_hangup_session(struct tty *tty);
/* The caller's controlling terminal with a reference, or NULL. */
struct tty *tty_current_ctty(void);

/* The console terminal (tty_console.c): /dev/console, the kernel's. */
struct tty *tty_console(void);
void tty_console_init(void);

/* /dev/tty (5:0) and /dev/ptmx with devpts; registered at boot. */
void tty_devices_init(void);
