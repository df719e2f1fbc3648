/*
 * File descriptor tables: what a process's descriptors refer to. A table
 * is shared by the threads of a process and by CLONE_FILES children, and
 * copied by fork. Each slot holds one reference to an open file and the
 * descriptor's own flag (FD_CLOEXEC); the open file's flags (O_APPEND,
 * O_NONBLOCK, ...) are the file's and shared by dups.
 *
 * Locks: `lock` (a spinlock) protects the slots and the size. Files are
 * released (vfs_file_put, which may sleep) after it is dropped. Every
 * function here takes the lock itself: callers hold none.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sync/spinlock.h"

struct vfs_file;

/* The descriptor flag (fcntl F_GETFD/F_SETFD). */
#define FD_CLOEXEC 1

/* The hard limit on descriptors (Linux's fs.nr_open default). */
#define FD_TABLE_NR_OPEN 1048576u

struct fd_table {
	struct spinlock lock;
	/* Protected by lock: */
	unsigned int size;		/* slots allocated */
	struct vfs_file **files;	/* NULL: free */
	uint8_t *flags;			/* FD_CLOEXEC per slot */
	unsigned int next_free;		/* no free slot below this */
	unsigned int open_count;

	int refcount;			/* atomic */
};

/* An empty table with one reference, or NULL (out of memory). May sleep. */
struct fd_table *fd_table_create(void);

/*
 * A copy of `table` for fork: the same files (each gets a reference) and
 * flags. Returns it with one reference, or NULL. May sleep.
 */
struct fd_table *fd_table_clone(struct fd_table *table);

void fd_table_get(struct fd_table *table);
/* Drops a reference; the last closes every descriptor. May sleep. */
void fd_table_put(struct fd_table *table);

/*
 * Installs `file` at the lowest free descriptor >= `min` and below
 * `limit` (RLIMIT_NOFILE), taking over the caller's reference on success.
 * `fd_flags` is 0 or FD_CLOEXEC. Returns the descriptor, -EMFILE (none
 * free below limit), -EINVAL (min >= limit, for F_DUPFD) or -ENOMEM.
 * May sleep.
 */
int fd_install(struct fd_table *table, struct vfs_file *file,
	       unsigned int fd_flags, unsigned int min, unsigned long limit);

/*
 * The file at `fd` with a new reference (release with vfs_file_put), or
 * NULL when fd is not open. Any context that may take a spinlock.
 */
struct vfs_file *fd_get(struct fd_table *table, int fd);

/* Closes `fd`. Returns 0 or -EBADF. May sleep (the file's release). */
int fd_close(struct fd_table *table, int fd);

/*
 * dup2/dup3: makes `newfd` refer to the file of `oldfd` (closing what
 * newfd had), with `fd_flags`. Returns newfd, -EBADF (oldfd not open, or
 * newfd out of [0, limit)), -ENOMEM. oldfd == newfd returns newfd (the
 * caller applies dup3's -EINVAL). May sleep.
 */
int fd_dup_to(struct fd_table *table, int oldfd, int newfd,
	      unsigned int fd_flags, unsigned long limit);

/* FD_CLOEXEC of `fd`, or -EBADF. */
int fd_get_flags(struct fd_table *table, int fd);
/* Sets the descriptor flags of `fd`. Returns 0 or -EBADF. */
int fd_set_flags(struct fd_table *table, int fd, unsigned int fd_flags);

/* Closes every descriptor marked FD_CLOEXEC (execve). May sleep. */
void fd_close_on_exec(struct fd_table *table);

/* How many descriptors are open. */
unsigned int fd_open_count(struct fd_table *table);

/*
 * The lowest open descriptor >= `fd`, or -1 when none: iterate with
 * `for (fd = fd_next_open(t, 0); fd >= 0; fd = fd_next_open(t, fd + 1))`
 * (/proc/PID/fd, close_range).
 */
int fd_next_open(struct fd_table *table, int fd);
