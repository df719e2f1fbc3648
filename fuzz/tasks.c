/*
 * The kernel and process tree of the task-running harnesses (tasks.h).
 *
 * State: `tasks` below, used by the harness thread and by the script on
 * the tasks' kernel threads; they hand over through the two completions,
 * and one CPU runs them in turn.
 */
#include "tasks.h"

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
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "core/sys/uts.h"
#include "fs/vfs.h"
#include "fuzz_support.h"
#include "invariants.h"
#include "user_script.h"

/*
 * Pages the baseline may lose over a run to what inputs make once and
 * keep (a cache's slabs, lazily made tables): past it, a leak.
 */
#define DRIFT_PAGES 512
/* Virtual time killed tasks have to be reaped: past it, a hang. */
#define REAP_BUDGET_NS 10000000000ULL

enum { NR_FORK = 57, NR_EXIT_GROUP = 231, NR_WAIT4 = 61 };
#define WAIT_ALL 0x40000000	/* __WALL */
enum { INIT_IDLE, INIT_FORKED, INIT_REAPING };

static struct {
	const struct fuzz_tasks_harness *harness;
	int script_id;
	struct completion go, done;	/* input posted; everything reaped */
	struct fuzz_snapshot baseline;
	struct fuzz_snapshot first;	/* the baseline at boot */
	struct rlimit64 init_limits[RLIMIT_NLIMITS];
	char hostname[65];
} tasks;

#define CALL(nr, a0, a1, a2, a3, a4, a5) \
	user_script_syscall(ctx, trap, nr, a0, a1, a2, a3, a4, a5)

uint64_t fuzz_tasks_rip(uint32_t state)
{
	return USER_SCRIPT_RIP(tasks.script_id, state);
}

/* Init: wait for an input, fork its first task, reap all, tell. */
static int init_step(struct user_ctx *ctx, struct trap *trap,
		     unsigned int position)
{
	switch (position) {
	case INIT_FORKED:	/* the child's half: tasks_script */
	case INIT_REAPING:
		if (position == INIT_REAPING &&
		    ctx->regs.rax == (uint64_t)-ECHILD) {
			complete(&tasks.done);
			break;
		}
		CALL(NR_WAIT4, (uint64_t)-1, 0, WAIT_ALL, 0, 0, 0);
		user_script_goto(ctx, FUZZ_STATE(FUZZ_ROLE_INIT, INIT_REAPING));
		return 0;
	default:
		break;
	}
	wait_for_completion(&tasks.go);	/* idle until the next input */
	CALL(NR_FORK, 0, 0, 0, 0, 0, 0);
	user_script_goto(ctx, FUZZ_STATE(FUZZ_ROLE_INIT, INIT_FORKED));
	return 0;
}

static int tasks_script(struct user_ctx *ctx, struct trap *trap)
{
	uint32_t state = USER_SCRIPT_STATE(&ctx->regs);
	unsigned int role = (state >> 10) & 0xff, position = (state >> 2) & 0xff;

	if ((state & 3) == 0) {	/* a restarted call: make it again */
		ctx->regs.orig_rax = ctx->regs.rax;
		trap->kind = TRAP_SYSCALL;
		user_script_goto(ctx, state | 2);
		return 0;
	}
	if ((state & 3) != 2 || state >> 18 != 0) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);	/* a forged rip */
		return 0;
	}
	if (role != FUZZ_ROLE_INIT)
		return tasks.harness->step(ctx, trap, role, position);
	if (task_current()->process == proc_init_process)
		return init_step(ctx, trap, position);
	/* Init's fork returning in the child; else a forged rip. */
	if (position == INIT_FORKED && ctx->regs.rax == 0)
		return tasks.harness->step(ctx, trap, 0, 0);
	CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
	return 0;
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
	fuzz_check(vm_mprotect(as, FUZZ_RO, 0x1000, PROT_READ, NULL) == 0, "ro");
	fuzz_check(vm_mprotect(as, FUZZ_NONE, 0x1000, PROT_NONE, NULL) == 0,
		   "none");
	fuzz_check(vm_mmap(as, FUZZ_STACK_TOP - FUZZ_STACK_SIZE,
			   FUZZ_STACK_SIZE, PROT_READ | PROT_WRITE, flags,
			   0) >= 0, "stack");
	return as;
}

void fuzz_tasks_boot(const struct fuzz_tasks_harness *harness)
{
	struct exec_image image = { 0 };
	struct process *init;

	if (tasks.harness != NULL)
		return;
	tasks.harness = harness;
	fuzz_kernel_init();
	printk_set_console_level(LOG_ERR);
	boot_name_space();
	proc_init();
	user_script_enable();
	completion_init(&tasks.go);
	completion_init(&tasks.done);
	tasks.script_id = user_script_register(tasks_script);
	fuzz_check(tasks.script_id > 0, "script");
	image.as = program_space();
	image.entry = fuzz_tasks_rip(FUZZ_STATE(FUZZ_ROLE_INIT, INIT_IDLE));
	image.stack_pointer = FUZZ_STACK_TOP;
	kstrlcpy(image.comm, "init", sizeof(image.comm));
	fuzz_check(proc_start_first(&image) == 0, "init");
	uts_hostname(tasks.hostname, sizeof(tasks.hostname));
	init = proc_init_process;
	memcpy(tasks.init_limits, init->rlimits, sizeof(init->rlimits));
	fuzz_snapshot_take(&tasks.baseline);
	tasks.first = tasks.baseline;
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
	memcpy(init->rlimits, tasks.init_limits, sizeof(init->rlimits));
	/* prlimit64(1, RLIMIT_STACK) reached init's space too. */
	vm_set_stack_limit(init->as, tasks.init_limits[RLIMIT_STACK].cur);
	kstrlcpy(init->comm, "init", sizeof(init->comm));
	spin_unlock(&init->lock);
	uts_set_hostname(tasks.hostname, kstrlen(tasks.hostname));
}

/* Runs the input to its end; everything it made is gone after. */
static void run(void)
{
	int err;

	tasks.harness->begin();
	tmp_create();
	complete(&tasks.go);
	if (!wait_for_completion_timeout(&tasks.done, FUZZ_RUN_BUDGET_NS)) {
		proc_for_each(kill_one, NULL);
		if (!wait_for_completion_timeout(&tasks.done, REAP_BUDGET_NS))
			tasks.harness->report("hang",
					      "killed tasks were not reaped");
	}
	err = vfs_umount(root(), "/tmp", 0);
	if (err < 0)
		tasks.harness->report("/tmp stays busy after every task is gone",
				      errno_name(-err));
	init_restore();
}

void fuzz_tasks_run_input(void)
{
	struct fuzz_snapshot now, again;
	const char *problem;
	char difference[1024];

	run();
	problem = fuzz_locks_and_warnings();
	if (problem != NULL)
		tasks.harness->report(problem, NULL);
	fuzz_snapshot_take(&now);
	if (fuzz_snapshot_same(&tasks.baseline, &now, difference,
			       sizeof(difference)))
		return;
	/*
	 * Once-only state (a cache's first slab, a lazily made table) shows
	 * up the first time; a leak grows again. Run it once more.
	 */
	run();
	fuzz_snapshot_take(&again);
	/*
	 * Less than the first run left is no leak: an object it left was
	 * freed late (a deferred release the rerun ran into).
	 */
	if (fuzz_snapshot_grew(&now, &again, difference, sizeof(difference)))
		tasks.harness->report("kernel state leaked", difference);
	tasks.baseline = again;
	/*
	 * Growth that a rerun does not repeat (state made once per new
	 * value: an id, an address) still must not add up across inputs.
	 */
	if (tasks.first.free_pages - again.free_pages > DRIFT_PAGES) {
		fuzz_snapshot_same(&tasks.first, &again, difference,
				   sizeof(difference));
		tasks.harness->report("kernel state grew across inputs",
				      difference);
	}
}
