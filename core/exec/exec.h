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
/* Nested `#!` interpreters followed before -ELOOP (Linux: 4). */
#define EXEC_INTERPRETER_DEPTH 4

/*
 * The strings of argv then envp, each NUL-terminated, packed in one
 * kernel buffer. Owned by the caller; release with exec_args_free.
 */
struct exec_args {
	char *buffer;
	size_t used;		/* bytes of strings in buffer */
	size_t capacity;
	uint32_t argc;
	uint32_t envc;
};

/*
 * Copies the NULL-terminated user arrays `argv` and `envp` (either may be
 * 0: an empty list, as Linux) from `as`. Returns 0, -EFAULT, -E2BIG (a
 * string longer than EXEC_ARG_STRLEN_MAX or the total above `limit`, a
 * quarter of RLIMIT_STACK as Linux) or -ENOMEM. May sleep.
 */
int exec_args_from_user(struct exec_args *args, struct address_space *as,
			uaddr_t argv, uaddr_t envp, uint64_t limit);

/* The same from kernel arrays (NULL-terminated), for starting init. */
int exec_args_from_kernel(struct exec_args *args, const char *const *argv,
			  const char *const *envp);

void exec_args_free(struct exec_args *args);

/* Who runs the program: for permission checks and the AT_* entries. */
struct exec_cred {
	uint32_t uid, euid, gid, egid;
	bool secure;		/* AT_SECURE (set-id exec) */
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
 * AT_EXECFN, AT_PLATFORM, AT_NULL) and places the heap after the image.
 * Returns 0 and fills `image`, or -errno with Linux's values: -ENOENT,
 * -EACCES (not a regular file, no execute permission, noexec), -ENOEXEC
 * (bad or foreign image), -ELOOP, -ENAMETOOLONG, -ENOMEM, -E2BIG, -EIO,
 * -ETXTBSY later. On failure nothing is left allocated. May sleep.
 */
int exec_load(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int at_flags, struct exec_args *args,
	      const struct exec_cred *cred, struct exec_image *image);

/* Releases what a successful exec_load returned (when not used). */
void exec_image_release(struct exec_image *image);
