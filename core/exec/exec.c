/*
 * exec_load: open the program, follow `#!` interpreters, load the ELF
 * image into a fresh address space, build the stack and place the heap.
 * Everything is built on the side: the caller's process is untouched
 * until core/proc swaps the new space in, so a failure only has to drop
 * what was made here. The load state is the caller's alone: no locks.
 */
#include "core/exec/exec_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/vm.h"
#include "fs/vfs.h"

/* Linux x86_64 arch_randomize_brk: the heap starts within 32 MiB. */
#define EXEC_BRK_RANDOM (32ULL * 1024 * 1024)

struct exec_state {
	const struct vfs_caller *caller;
	struct vfs_file *file;		/* the program at hand: a reference */
	size_t head_length;
	uint8_t head[EXEC_SCRIPT_LINE_MAX];	/* its first bytes, 0-padded */
	char interp[EXEC_SCRIPT_LINE_MAX];
	char arg[EXEC_SCRIPT_LINE_MAX];
	char script[EXEC_SCRIPT_LINE_MAX];	/* the previous interpreter */
};

static int read_head(struct exec_state *state)
{
	ssize_t done;

	memset(state->head, 0, sizeof(state->head));
	done = vfs_pread(state->file, state->head, sizeof(state->head), 0);
	if (done < 0)
		return (int)done;
	state->head_length = (size_t)done;
	return 0;
}

/* Runs the interpreter of the script at hand instead. */
static int follow_script(struct exec_state *state, struct exec_args *args,
			 const char *script)
{
	struct vfs_file *next;
	int err = exec_script_parse(state->head, state->interp, state->arg);

	if (err == 0)
		err = exec_args_prepend_interp(args, state->interp, state->arg,
					       script);
	if (err < 0)
		return err;
	next = vfs_open_exec(state->caller, NULL, state->interp, 0);
	if (IS_ERR(next))
		return (int)PTR_ERR(next);
	vfs_file_put(state->file);
	state->file = next;
	kstrlcpy(state->script, state->interp, sizeof(state->script));
	return 0;
}

/* Follows `#!` lines until a binary; leaves its first bytes in head. */
static int resolve_program(struct exec_state *state, struct exec_args *args,
			   const char *path)
{
	const char *script = path;
	int err;

	for (unsigned int depth = 0;; depth++) {
		err = read_head(state);
		if (err < 0)
			return err;
		if (!exec_is_script(state->head, state->head_length))
			break;
		if (depth == EXEC_INTERPRETER_DEPTH)
			return -ELOOP;
		err = follow_script(state, args, script);
		if (err < 0)
			return err;
		script = state->script;
	}
	return exec_is_elf(state->head, state->head_length) ? 0 : -ENOEXEC;
}

/* Maps the image and the stack into `as`; returns the initial rsp. */
static long build_space(struct exec_state *state, struct address_space *as,
			const struct exec_args *args,
			const struct exec_cred *cred, const char *execfn,
			uaddr_t *entry, uaddr_t *strings)
{
	struct exec_elf elf;
	struct exec_stack_info info = {
		.args = args, .cred = cred, .elf = &elf, .execfn = execfn,
		.strings = strings,
	};
	uaddr_t top = exec_stack_top(as);
	long sp;
	int err;

	vm_set_mmap_base(as, exec_mmap_base(as));
	err = exec_elf_load(as, state->file, state->head, state->head_length,
			    &elf);
	if (err < 0)
		return err;
	sp = exec_stack_build(as, top, &info);
	if (sp < 0)
		return sp;
	vm_brk_init(as, ALIGN_UP(elf.image_end, PAGE_SIZE) +
				exec_random_pages(EXEC_BRK_RANDOM));
	*entry = elf.entry;
	return sp;
}

static void set_comm(char *comm, size_t size, const char *path)
{
	const char *slash = kstrrchr(path, '/');

	kstrlcpy(comm, slash ? slash + 1 : path, size);
}

/* The program and its space, once the state holds the final binary. */
static int load_binary(struct exec_state *state, const struct exec_args *args,
		       const struct exec_cred *cred, const char *path,
		       struct exec_image *image)
{
	struct address_space *as = vm_create();
	uaddr_t strings = 0;
	size_t argv_bytes = 0;
	long sp;

	if (IS_ERR(as))
		return (int)PTR_ERR(as);
	if (cred->stack_rlimit != 0)
		vm_set_stack_limit(as, cred->stack_rlimit);
	sp = build_space(state, as, args, cred, path, &image->entry, &strings);
	if (sp < 0) {
		vm_put(as);
		return (int)sp;
	}
	/* argv's strings, then envp's: the ranges /proc/PID/cmdline reads. */
	for (uint32_t i = 0; i < args->argc; i++)
		argv_bytes += kstrlen(args->buffer + argv_bytes) + 1;
	image->arg_start = strings;
	image->arg_end = strings + argv_bytes;
	image->env_start = image->arg_end;
	image->env_end = strings + args->used;
	image->as = as;
	image->stack_pointer = (uaddr_t)sp;
	image->file = state->file;
	state->file = NULL;
	set_comm(image->comm, sizeof(image->comm), path);
	return 0;
}

int exec_load(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int at_flags, struct exec_args *args,
	      const struct exec_cred *cred, struct exec_image *image)
{
	struct exec_state *state;
	int err;

	/* The path goes on the stack too (AT_EXECFN), inside the budget. */
	if (exec_args_stack_cost(args) + kstrlen(path) + 1 > args->budget)
		return -E2BIG;
	state = kzalloc(sizeof(*state));
	if (state == NULL)
		return -ENOMEM;
	state->caller = caller;
	state->file = vfs_open_exec(caller, dir, path, at_flags);
	if (IS_ERR(state->file)) {
		err = (int)PTR_ERR(state->file);
		state->file = NULL;
	} else {
		err = resolve_program(state, args, path);
	}
	if (err == 0)
		err = load_binary(state, args, cred, path, image);
	if (state->file != NULL)
		vfs_file_put(state->file);
	kfree(state);
	return err;
}

void exec_image_release(struct exec_image *image)
{
	if (image->as != NULL)
		vm_put(image->as);
	if (image->file != NULL)
		vfs_file_put(image->file);
	image->as = NULL;
	image->file = NULL;
}
