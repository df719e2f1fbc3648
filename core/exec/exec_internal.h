/*
 * Declarations shared by the program loader's files: argument editing
 * (args.c), `#!` scripts (script.c), ELF images (elf.c) and the initial
 * stack (stack.c); exec.c runs them in order.
 */
#pragma once

#include "core/exec/exec.h"

/* What an ELF image became once mapped (elf.c). */
struct exec_elf {
	uaddr_t entry;		/* e_entry plus the load bias */
	uaddr_t phdr;		/* AT_PHDR: the program headers in memory */
	uint16_t phnum;
	uaddr_t image_end;	/* the end of the highest PT_LOAD (memsz) */
	bool exec_stack;	/* PT_GNU_STACK asks for PF_X */
};

/*
 * Validates the ELF image of `file` (`head` holds its first `head_length`
 * bytes) and maps it into `as`. Returns 0 and fills *elf, or -ENOEXEC
 * (bad or foreign image, PT_INTERP), -EIO (shorter than its headers),
 * -ENOMEM. Mappings made before a failure stay in `as` (the caller drops
 * the space). May sleep.
 */
int exec_elf_load(struct address_space *as, struct vfs_file *file,
		  const uint8_t *head, size_t head_length, struct exec_elf *elf);

/* Whether `head` starts with the ELF magic. */
bool exec_is_elf(const uint8_t *head, size_t head_length);

/* Whether `head` starts with "#!". */
bool exec_is_script(const uint8_t *head, size_t head_length);

/*
 * Parses the `#!` line in `head` (EXEC_SCRIPT_LINE_MAX bytes, zero
 * padded) as Linux's load_script: writes the interpreter path into
 * `interp` and the optional argument into `arg` (empty: none), both of
 * EXEC_SCRIPT_LINE_MAX bytes. Returns 0 or -ENOEXEC (no interpreter, or
 * a line too long to hold the whole interpreter path).
 */
int exec_script_parse(const uint8_t *head, char *interp, char *arg);

/*
 * Rewrites argv for an interpreter: argv[0] goes, then `script` (the path
 * that was run), `arg` (when non-empty) and `interp` are put in front.
 * Returns 0, -E2BIG (over args->budget) or -ENOMEM (args unchanged then).
 */
int exec_args_prepend_interp(struct exec_args *args, const char *interp,
			     const char *arg, const char *script);

/* The bytes strings and pointers take on the stack (budget rule). */
uint64_t exec_args_stack_cost(const struct exec_args *args);

/* Where the stack goes and what goes on it (stack.c). */
struct exec_stack_info {
	const struct exec_args *args;
	const struct exec_cred *cred;
	const struct exec_elf *elf;
	const char *execfn;	/* AT_EXECFN: the path given to execve */
	uaddr_t *strings;	/* out, may be NULL: where argv[0]'s text went */
};

/*
 * The top of the new stack: the limit less a random page offset (Linux's
 * randomize_stack_top).
 */
uaddr_t exec_stack_top(const struct address_space *as);

/*
 * Maps the stack VMA (grows down) below `top` and writes argc, argv,
 * envp, the auxv and the strings. Returns the initial rsp (16-aligned,
 * pointing at argc) or -ENOMEM/-E2BIG/-EFAULT. May sleep.
 */
long exec_stack_build(struct address_space *as, uaddr_t top,
		      const struct exec_stack_info *info);

/* x86_64 Linux's mmap randomisation: 28 bits of pages (arch_mmap_rnd). */
#define EXEC_MMAP_RANDOM (1ULL << (28 + PAGE_SHIFT))

/*
 * Where top-down mmap placement starts: below the stack's reach (its
 * limit, its random offset and the guard gap) less a random offset, as
 * Linux's mmap_base.
 */
uaddr_t exec_mmap_base(const struct address_space *as);

/* A uniformly random page-aligned offset below `range` bytes. */
uint64_t exec_random_pages(uint64_t range);
