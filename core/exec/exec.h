/*
 * Program loading for execve(2): copying the argument and environment
 * strings, reading the ELF image (or a `#!` script's interpreter), and
 * building the new address space with its stack (argv, envp, auxv). The
 * process side (replacing the caller's space and threads, close-on-exec,
 * signal dispositions, registers) is core/proc's; nothing here touches
 * the calling process.
 */
#pragma once

#include "core/lib/types.h"

struct address_space;
struct vfs_caller;
struct vfs_file;

/* Linux's limits: one string, and the total of argv and envp. */
#define EXEC_ARG_STRLEN_MAX (32u * 4096u)	/* MAX_ARG_STRLEN */
#define EXEC_ARGS_MAX 0x7fffffffu		/* MAX_ARG_STRINGS */
/*
 * `#!` rewrites followed before -ELOOP: Linux (5.8+) exec_binprm runs the
 * handlers at depths 0..5, so five scripts may chain to a binary.
 */
#define EXEC_INTERPRETER_DEPTH 5
/* The bytes of a `#!` line looked at, NUL included (BINPRM_BUF_SIZE). */
#define EXEC_SCRIPT_LINE_MAX 256
/* Linux's floor for the argument budget (ARG_MAX) and its cap (6 MiB). */
#define EXEC_ARGS_BUDGET_MIN (128u * 1024u)
#define EXEC_ARGS_BUDGET_MAX (6u * 1024u * 1024u)
/* AT_MINSIGSTKSZ: at least the signal frame core/proc builds. */
#define EXEC_MINSIGSTKSZ 2048

/*
 * The strings of argv then envp, each NUL-terminated, packed in one
 * kernel buffer. Owned by the caller; release with exec_args_free.
 * `budget` is what the strings, their pointers and the path may take on
 * the new stack (Linux's bprm->argmin rule): a `#!` rewrite that would
 * exceed it is -E2BIG.
 */
struct exec_args {
	char *buffer;
	size_t used;		/* bytes of strings in buffer */
	size_t capacity;
	uint32_t argc;
	uint32_t envc;
	uint64_t budget;
};

/*
 * Copies the NULL-terminated user arrays `argv` and `envp` (either may be
 * 0: an empty list, as Linux) from `as`. Returns 0, -EFAULT, -E2BIG (a
 * string longer than EXEC_ARG_STRLEN_MAX, NUL included, or strings plus
 * pointers above the budget: `limit`, a quarter of RLIMIT_STACK, clamped
 * to [EXEC_ARGS_BUDGET_MIN, EXEC_ARGS_BUDGET_MAX] as Linux) or -ENOMEM.
 * An empty argv becomes {""} (Linux 5.18+). On failure nothing is left
 * allocated. May sleep.
 */
int exec_args_from_user(struct exec_args *args, struct address_space *as,
			uaddr_t argv, uaddr_t envp, uint64_t limit);

/*
 * The same from kernel arrays (NULL-terminated; either may be NULL), for
 * starting init; the budget is that of the default 8 MiB stack.
 */
int exec_args_from_kernel(struct exec_args *args, const char *const *argv,
			  const char *const *envp);

void exec_args_free(struct exec_args *args);

/*
 * Who runs the program: for permission checks and the AT_* entries, and
 * the RLIMIT_STACK the stack and the mmap gap are sized by.
 */
struct exec_cred {
	uint32_t uid, euid, gid, egid;
	bool secure;		/* AT_SECURE (set-id exec) */
	uint64_t stack_rlimit;	/* 0: the default 8 MiB */
};

/* What a successful exec_load produced. */
struct exec_image {
	struct address_space *as;	/* the new space: one reference */
	uaddr_t entry;			/* the first user instruction */
	uaddr_t stack_pointer;		/* rsp at entry: points at argc */
	struct vfs_file *file;		/* the executable (one reference): exe */
	char comm[16];			/* the program's name (basename) */
	/* Where the argv and envp strings landed (/proc/PID/cmdline). */
	uaddr_t arg_start, arg_end;
	uaddr_t env_start, env_end;
};

/*
 * Loads the program at `path` (relative to `dir`, NULL meaning the
 * caller's working directory; with AT_EMPTY_PATH in `at_flags` and an
 * empty path, `dir` itself is the program) into a fresh address space:
 * ELF64 x86_64 ET_EXEC and static ET_DYN (static-PIE; a PT_INTERP is
 * -ENOEXEC for now), or a `#!` script whose interpreter is run with the
 * optional argument and the script's path (args is edited in place).
 * Builds the initial stack with argc, argv, envp and the auxv (AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID,
 * AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP, AT_CLKTCK,
 * AT_EXECFN, AT_PLATFORM, AT_MINSIGSTKSZ, AT_HWCAP2, AT_NULL; no vDSO)
 * and places the heap after the image (docs/exec.md has the layout).
 * Returns 0 and fills `image`, or -errno with Linux's values: -ENOENT,
 * -EACCES (not a regular file, no execute permission, noexec), -ENOEXEC
 * (bad or foreign image), -ELOOP, -ENAMETOOLONG, -ENOMEM, -E2BIG, -EIO,
 * -ETXTBSY later. On failure nothing is left allocated (`args` may have
 * been rewritten by a `#!` line). May sleep.
 */
int exec_load(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int at_flags, struct exec_args *args,
	      const struct exec_cred *cred, struct exec_image *image);

/* Releases what a successful exec_load returned (when not used). */
void exec_image_release(struct exec_image *image);
