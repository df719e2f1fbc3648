/*
 * The syscall table: one row per Linux x86_64 syscall number, giving its
 * name, its handler (NULL while unimplemented) and the kinds of its
 * arguments. The same rows drive dispatch (core/sys/dispatch.c), the
 * strace-style tracer (core/sys/trace.c), the fuzzer's argument generation
 * and docs/syscalls.md (tools/gen-syscall-doc parses syscall_table.c).
 * The table is constant: no locks.
 */
#pragma once

#include "core/lib/types.h"

struct vm_limits;

struct address_space;
struct vfs_caller;
struct fd_table;
struct task;
struct user_regs;

/*
 * Numbers 0..SYSCALL_TABLE_SIZE-1 have a row (Linux x86_64 numbers 0..334
 * and 424..450; the gap between has rows without a name).
 */
#define SYSCALL_TABLE_SIZE 451
#define SYSCALL_MAX_ARGS 6

/* How an argument is to be read (by the tracer and the fuzzer). */
enum syscall_arg_kind {
	SYSCALL_ARG_NONE = 0,	/* no argument here: the list ends */
	SYSCALL_ARG_INT,	/* a signed int, decimal */
	SYSCALL_ARG_LONG,	/* a signed 64-bit value (offsets), decimal */
	SYSCALL_ARG_UINT,	/* an unsigned value, decimal */
	SYSCALL_ARG_HEX,	/* flags or a value we do not decode, hex */
	SYSCALL_ARG_FD,		/* a file descriptor */
	SYSCALL_ARG_DIRFD,	/* a directory descriptor or AT_FDCWD */
	SYSCALL_ARG_PATH,	/* a NUL-terminated user string */
	SYSCALL_ARG_BUF_IN,	/* user bytes the call reads (length_arg) */
	SYSCALL_ARG_BUF_OUT,	/* user bytes the call fills (length_arg) */
	SYSCALL_ARG_BIN_OUT,	/* as BUF_OUT, binary: traced in hex */
	SYSCALL_ARG_SIZE,	/* a byte count */
	SYSCALL_ARG_OPEN_FLAGS, /* O_* */
	SYSCALL_ARG_OPEN_MODE,	/* mode, used with O_CREAT/O_TMPFILE */
	SYSCALL_ARG_MODE,	/* permission bits, octal */
	SYSCALL_ARG_AT_FLAGS,	/* AT_* */
	SYSCALL_ARG_PROT,	/* PROT_* */
	SYSCALL_ARG_MMAP_FLAGS,	/* MAP_* */
	SYSCALL_ARG_GRND_FLAGS,	/* GRND_* of getrandom */
	SYSCALL_ARG_PID,	/* a process or thread id */
	SYSCALL_ARG_SIGNAL,	/* a signal number */
	SYSCALL_ARG_PTR,	/* a pointer to a struct or array */
};

/* How the result reads when it is not an error. */
enum syscall_ret_kind {
	SYSCALL_RET_INT = 0,	/* a count or a descriptor, decimal */
	SYSCALL_RET_ADDR,	/* a user address (mmap, brk), hex */
	SYSCALL_RET_REGISTER,	/* rax as a signal frame held it: any value */
};

struct syscall_arg {
	enum syscall_arg_kind kind;
	/* BUF_*, BIN_OUT: the index of the argument holding the length. */
	unsigned char length_arg;
};

/* The raw arguments, in ABI order (rdi, rsi, rdx, r10, r8, r9). */
struct syscall_args {
	uint64_t arg[SYSCALL_MAX_ARGS];
};

/*
 * What a handler may need of its caller. Every member may be NULL until
 * processes exist; a handler needing a missing one returns -ENOSYS.
 */
struct syscall_context {
	struct address_space *as;	/* for copies to and from user */
	const struct vfs_caller *caller;	/* credentials, root and cwd */
	struct fd_table *files;		/* the descriptor table */
	unsigned long fd_limit;		/* RLIMIT_NOFILE (soft) for new fds */
	/* RLIMIT_AS and RLIMIT_DATA for new mappings; NULL: none. */
	const struct vm_limits *vm_limits;
	struct task *task;		/* the calling thread (core/proc) */
};

struct syscall_desc {
	const char *name;	/* NULL: no syscall has this number */
	/*
	 * NULL: -ENOSYS. Returns the call's value or -errno (-MAX_ERRNO..-1);
	 * the dispatcher alone turns that into the ABI. May sleep.
	 */
	long (*handler)(struct syscall_context *ctx,
			const struct syscall_args *args);
	enum syscall_ret_kind ret;
	struct syscall_arg args[SYSCALL_MAX_ARGS];
};

/*
 * The row for `nr`, or NULL when nr is out of the table or has no name.
 * Any context.
 */
const struct syscall_desc *syscall_lookup(uint64_t nr);

/* The number of arguments the row lists. */
unsigned int syscall_arg_count(const struct syscall_desc *desc);
