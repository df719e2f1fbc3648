/*
 * libFuzzer harness for the syscall layer: each input is a program
 * (program.h) of up to FUZZ_MAX_CALLS syscalls across up to
 * FUZZ_MAX_TASKS processes and threads, run by real tasks of the hosted
 * kernel through the scripted runner on one CPU and the virtual clock, so
 * an input always does the same thing.
 *
 * The kernel boots once: a read-only tmpfs root with devtmpfs (no
 * console), devpts and procfs, and pid 1, a script that waits for an
 * input, forks the program's first task and reaps everything until no
 * child is left. Per input the harness mounts a fresh tmpfs on /tmp (a
 * file, a directory, a symlink and a FIFO in it), lets init go, and waits
 * for the reaping up to a virtual-time budget; then kills what is left,
 * unmounts /tmp (a reference left behind is a leak), puts back what the
 * input may have changed of init and the host name, and checks the
 * invariants (invariants.h) against the baseline. Any failure prints the
 * program's text form and aborts, which libFuzzer records as a crash.
 *
 * State: `harness` below, used by the harness thread (libFuzzer's, CPU
 * 0's boot thread) and by the script on the tasks' kernel threads; they
 * hand over through the two completions, and one CPU runs them in turn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/mman.h"
#include "core/include/uapi/stat.h"
#include "core/lib/err.h"
#include "core/lib/errno_name.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "core/sys/uts.h"
#include "fuzz_support.h"
#include "invariants.h"
#include "program.h"
#include "user_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Virtual time an input may run before what is left is killed. */
#define RUN_BUDGET_NS 1000000000ULL
/* Virtual time killed tasks have to be reaped: past it, a hang. */
#define REAP_BUDGET_NS 10000000000ULL
/* Script steps (calls, signal handlers) an input may take in all. */
#define STEP_BUDGET 4000

enum { NR_RT_SIGRETURN = 15, NR_RT_SIGACTION = 13, NR_FORK = 57,
       NR_EXIT = 60, NR_WAIT4 = 61, NR_EXIT_GROUP = 231 };
#define WAIT_ALL 0x40000000	/* __WALL */

/*
 * Script states: (role << 8 | position) << 2 | 2. The low bits are 2 so
 * that a syscall restart (rip - 2) shows as 0: make the same call again.
 * Roles 0..3 are program tasks (position: the call just made, plus one),
 * then init, a child the program has no task for, a signal handler.
 */
enum { ROLE_INIT = FUZZ_MAX_TASKS, ROLE_EXTRA, ROLE_HANDLER };
enum { INIT_IDLE, INIT_FORKED, INIT_REAPING };
#define STATE(role, position) ((uint32_t)(((role) << 8 | (position)) << 2 | 2))

static struct {
	int script_id;
	struct completion go, done;	/* input posted; everything reaped */
	struct fuzz_program program;
	int64_t results[FUZZ_MAX_CALLS];
	unsigned int steps;
	struct fuzz_snapshot baseline;
	struct rlimit64 init_limits[RLIMIT_NLIMITS];
	char hostname[65];
	char text[16384];
} harness;

static struct fuzz_program decoded;	/* the input being run */

__attribute__((noreturn)) static void report(const char *what,
					     const char *detail)
{
	fuzz_program_format(&harness.program, harness.text,
			    sizeof(harness.text));
	fprintf(stderr, "fuzz_syscalls: %s%s%s\nprogram:\n%s", what,
		detail ? ": " : "", detail ? detail : "", harness.text);
	abort();
}

#define CALL(nr, a0, a1, a2, a3, a4, a5) \
	user_script_syscall(ctx, trap, nr, a0, a1, a2, a3, a4, a5)

/* Places the argument's bytes in the task's data area (best effort). */
static void place_arg(struct user_ctx *ctx, const struct fuzz_arg *arg)
{
	size_t length = arg->blob_length;

	if (arg->form != FUZZ_ARG_DATA && arg->form != FUZZ_ARG_PATH)
		return;
	if (length > FUZZ_DATA_SIZE - arg->value)
		length = FUZZ_DATA_SIZE - arg->value;
	/* The program may have unmapped or protected it: that is its test. */
	(void)vm_copy_to_user(ctx->as, FUZZ_DATA + arg->value,
			      harness.program.blob + arg->blob_offset, length);
}

/*
 * rt_sigaction with a handler other than SIG_DFL/SIG_IGN gets ours: the
 * handler role returns with rt_sigreturn, as a real handler would.
 */
static void hook_handler(struct user_ctx *ctx, const struct fuzz_call *call)
{
	const struct fuzz_arg *action = &call->args[1];
	uint64_t handler = USER_SCRIPT_RIP(harness.script_id,
					   STATE(ROLE_HANDLER, 0));
	uint64_t given = 0;

	if (call->nr != NR_RT_SIGACTION || action->form != FUZZ_ARG_DATA ||
	    action->blob_length < 8 || action->value > FUZZ_DATA_SIZE - 8)
		return;
	memcpy(&given, harness.program.blob + action->blob_offset, 8);
	if (given > 1)
		(void)vm_copy_to_user(ctx->as, FUZZ_DATA + action->value,
				      &handler, sizeof(handler));
}

/* Task `role` makes its next call after `position`, or exits. */
static int program_step(struct user_ctx *ctx, struct trap *trap,
			unsigned int role, unsigned int position)
{
	const struct fuzz_program *program = &harness.program;
	uint64_t value[SYSCALL_MAX_ARGS];

	if (++harness.steps > STEP_BUDGET) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	if (position > 0) {
		const struct fuzz_call *made = &program->calls[position - 1];

		if (fuzz_syscall_creates_task(made->nr) && ctx->regs.rax == 0)
			role = made->child_task >= 0 ?
				(unsigned int)made->child_task : ROLE_EXTRA;
		else
			harness.results[position - 1] = (int64_t)ctx->regs.rax;
	}
	while (role < FUZZ_MAX_TASKS && position < program->count &&
	       program->calls[position].task != role)
		position++;
	if (role >= FUZZ_MAX_TASKS || position == program->count) {
		CALL(NR_EXIT, 0, 0, 0, 0, 0, 0);
		user_script_goto(ctx, STATE(ROLE_EXTRA, 0));
		return 0;
	}
	const struct fuzz_call *call = &program->calls[position];

	for (unsigned int i = 0; i < SYSCALL_MAX_ARGS; i++) {
		place_arg(ctx, &call->args[i]);
		value[i] = fuzz_arg_value(&call->args[i], harness.results);
	}
	hook_handler(ctx, call);
	CALL(call->nr, value[0], value[1], value[2], value[3], value[4],
	     value[5]);
	user_script_goto(ctx, STATE(role, position + 1));
	return 0;
}

/* Init: wait for an input, fork its first task, reap all, tell. */
static int init_step(struct user_ctx *ctx, struct trap *trap,
		     unsigned int position)
{
	switch (position) {
	case INIT_FORKED:
		if (ctx->regs.rax == 0)
			return program_step(ctx, trap, 0, 0);
		/* fallthrough: reap */
	case INIT_REAPING:
		if (position == INIT_REAPING &&
		    ctx->regs.rax == (uint64_t)-ECHILD) {
			complete(&harness.done);
			break;
		}
		CALL(NR_WAIT4, (uint64_t)-1, 0, WAIT_ALL, 0, 0, 0);
		user_script_goto(ctx, STATE(ROLE_INIT, INIT_REAPING));
		return 0;
	default:
		break;
	}
	wait_for_completion(&harness.go);	/* idle until the next input */
	CALL(NR_FORK, 0, 0, 0, 0, 0, 0);
	user_script_goto(ctx, STATE(ROLE_INIT, INIT_FORKED));
	return 0;
}

static int fuzz_script(struct user_ctx *ctx, struct trap *trap)
{
	uint32_t state = USER_SCRIPT_STATE(&ctx->regs);
	unsigned int role = (state >> 10) & 0xff, position = (state >> 2) & 0xff;

	if ((state & 3) == 0) {	/* a restarted call: make it again */
		ctx->regs.orig_rax = ctx->regs.rax;
		trap->kind = TRAP_SYSCALL;
		user_script_goto(ctx, state | 2);
		return 0;
	}
	if ((state & 3) != 2 || role > ROLE_HANDLER) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);	/* a forged rip */
		return 0;
	}
	if (role == ROLE_INIT)
		return init_step(ctx, trap, position);
	if (role == ROLE_HANDLER) {
		if (++harness.steps > STEP_BUDGET) {
			CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
			return 0;
		}
		ctx->regs.rsp += 8;	/* `ret` to the restorer */
		CALL(NR_RT_SIGRETURN, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	return program_step(ctx, trap, role, position);
}

static const struct vfs_caller *root(void)
{
	return fuzz_root_caller();
}

static void mount_at(const char *type, const char *path, uint32_t mode)
{
	int err = vfs_mkdirat(root(), NULL, path, mode);

	fuzz_check(err == 0 || err == -EEXIST, path);
	fuzz_check(vfs_mount(root(), type, path, type, 0, NULL) == 0, path);
}

static void write_file(const char *path, const char *text)
{
	struct vfs_file *file = vfs_openat(root(), NULL, path,
					   O_WRONLY | O_CREAT | O_TRUNC, 0644);

	fuzz_check(!IS_ERR(file), path);
	fuzz_check(vfs_write(file, text, kstrlen(text)) ==
		   (ssize_t)kstrlen(text), path);
	vfs_file_put(file);
}

/* The name space every input starts from; / and /dev read-only. */
static void boot_name_space(void)
{
	mount_at("devtmpfs", "/dev", 0755);
	mount_at("devpts", "/dev/pts", 0755);
	mount_at("proc", "/proc", 0555);
	fuzz_check(vfs_mkdirat(root(), NULL, "/tmp", 01777) == 0, "/tmp");
	/* No console: input would read the fuzzer's stdin. */
	fuzz_check(vfs_unlinkat(root(), NULL, "/dev/console", 0) == 0,
		   "console");
	(void)vfs_unlinkat(root(), NULL, "/dev/tty", 0);
	fuzz_check(vfs_mount(root(), NULL, "/dev", NULL,
			     MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0,
		   "/dev read-only");
	fuzz_check(vfs_mount(root(), NULL, "/", NULL,
			     MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0,
		   "/ read-only");
}

/* Init's address space: data, read-only and PROT_NONE pages, a stack. */
static struct address_space *program_space(void)
{
	struct address_space *as = vm_create();
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	fuzz_check(!IS_ERR(as), "vm_create");
	fuzz_check(vm_mmap(as, FUZZ_DATA, FUZZ_DATA_SIZE + 0x2000,
			   PROT_READ | PROT_WRITE, flags, 0) >= 0, "data");
	fuzz_check(vm_mprotect(as, FUZZ_RO, 0x1000, PROT_READ) == 0, "ro");
	fuzz_check(vm_mprotect(as, FUZZ_NONE, 0x1000, PROT_NONE) == 0, "none");
	fuzz_check(vm_mmap(as, FUZZ_STACK_TOP - FUZZ_STACK_SIZE,
			   FUZZ_STACK_SIZE, PROT_READ | PROT_WRITE, flags,
			   0) >= 0, "stack");
	return as;
}

static void boot(void)
{
	struct exec_image image = { 0 };
	struct process *init;

	fuzz_kernel_init();
	printk_set_console_level(LOG_ERR);
	boot_name_space();
	proc_init();
	user_script_enable();
	completion_init(&harness.go);
	completion_init(&harness.done);
	harness.script_id = user_script_register(fuzz_script);
	fuzz_check(harness.script_id > 0, "script");
	image.as = program_space();
	image.entry = USER_SCRIPT_RIP(harness.script_id,
				      STATE(ROLE_INIT, INIT_IDLE));
	image.stack_pointer = FUZZ_STACK_TOP;
	kstrlcpy(image.comm, "init", sizeof(image.comm));
	fuzz_check(proc_start_first(&image) == 0, "init");
	uts_hostname(harness.hostname, sizeof(harness.hostname));
	init = proc_init_process;
	memcpy(harness.init_limits, init->rlimits, sizeof(init->rlimits));
}

/* A fresh /tmp for the input. */
static void tmp_create(void)
{
	fuzz_check(vfs_mount(root(), "tmpfs", "/tmp", "tmpfs", 0, NULL) == 0,
		   "mount /tmp");
	write_file("/tmp/f", "0123456789abcdef\n");
	fuzz_check(vfs_mkdirat(root(), NULL, "/tmp/d", 0755) == 0, "/tmp/d");
	write_file("/tmp/d/x", "x\n");
	fuzz_check(vfs_symlinkat(root(), "f", NULL, "/tmp/l") == 0, "/tmp/l");
	fuzz_check(vfs_mknodat(root(), NULL, "/tmp/p", S_IFIFO | 0644, 0) == 0,
		   "/tmp/p");
}

static int kill_one(struct process *process, void *arg)
{
	(void)arg;
	if (process != proc_init_process)
		signal_send_locked(process, NULL, SIGKILL, NULL);
	return 0;
}

/* Puts back what an input may change of init (prlimit64, its comm). */
static void init_restore(void)
{
	struct process *init = proc_init_process;

	spin_lock(&init->lock);
	memcpy(init->rlimits, harness.init_limits, sizeof(init->rlimits));
	kstrlcpy(init->comm, "init", sizeof(init->comm));
	spin_unlock(&init->lock);
	uts_set_hostname(harness.hostname, kstrlen(harness.hostname));
}

/* Runs the decoded program to its end; everything it made is gone after. */
static void run_program(void)
{
	int err;

	harness.program = decoded;
	for (unsigned int i = 0; i < FUZZ_MAX_CALLS; i++)
		harness.results[i] = -1;
	harness.steps = 0;
	tmp_create();
	complete(&harness.go);
	if (!wait_for_completion_timeout(&harness.done, RUN_BUDGET_NS)) {
		proc_for_each(kill_one, NULL);
		if (!wait_for_completion_timeout(&harness.done, REAP_BUDGET_NS))
			report("hang", "killed tasks were not reaped");
	}
	err = vfs_umount(root(), "/tmp", 0);
	if (err < 0)
		report("/tmp stays busy after every task is gone",
		       errno_name(-err));
	init_restore();
}

static void check_invariants(void)
{
	struct fuzz_snapshot now, again;
	const char *problem = fuzz_locks_and_warnings();
	char difference[1024];

	if (problem != NULL)
		report(problem, NULL);
	fuzz_snapshot_take(&now);
	if (fuzz_snapshot_same(&harness.baseline, &now, difference,
			       sizeof(difference)))
		return;
	/*
	 * Once-only state (a cache's first slab, a lazily made table) shows
	 * up the first time; a leak grows again. Run it once more.
	 */
	run_program();
	fuzz_snapshot_take(&again);
	if (!fuzz_snapshot_same(&now, &again, difference, sizeof(difference)))
		report("kernel state leaked", difference);
	harness.baseline = again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool booted;

	if (!booted) {
		booted = true;
		boot();
		fuzz_snapshot_take(&harness.baseline);
	}
	fuzz_program_decode(data, size, &decoded);
	run_program();
	check_invariants();
	return 0;
}
