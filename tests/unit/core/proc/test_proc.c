/*
 * Processes through the scripted runner: pid 1 is a C script making real
 * syscalls (fork, wait4, exit, clone of threads, futex, ids, limits).
 * Init's exit powers the kernel off, so each test's process ends with
 * init's exit status, which Criterion checks (.exit_code); a failed check
 * inside a script exits init with a distinct code.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/include/uapi/sched.h"
#include "core/include/uapi/signal.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/sched/wait.h"
#include "fs/vfs.h"
#include "support/kernel.h"
#include "user_script.h"

/* waitid's id type and options (libc's <sys/wait.h> has the names). */
#define ID_ALL 0
#define WAIT_EXITED 4
#define WAIT_NOHANG 1

#define DATA 0x10000000ULL	/* one page of user data for the scripts */

enum {
	NR_EXIT = 60, NR_EXIT_GROUP = 231, NR_GETPID = 39, NR_GETPPID = 110,
	NR_GETTID = 186, NR_FORK = 57, NR_VFORK = 58, NR_CLONE = 56,
	NR_WAIT4 = 61, NR_WAITID = 247, NR_FUTEX = 202, NR_GETUID = 102,
	NR_SETUID = 105, NR_SETRESUID = 117, NR_GETRESUID = 118,
	NR_PRLIMIT64 = 302, NR_UMASK = 95, NR_KILL = 62, NR_SETSID = 112,
	NR_GETPGID = 121, NR_SETPGID = 109, NR_NANOSLEEP = 35,
	NR_SET_TID_ADDRESS = 218, NR_ARCH_PRCTL = 158,
};

static void boot(unsigned int cpus)
{
	test_kernel_sched_init(cpus, false);
	vfs_init();
	cr_assert_eq(vfs_mount_root("tmpfs", NULL), 0);
	proc_init();
	user_script_enable();
}

static uint32_t peek32(struct user_ctx *ctx, uint64_t offset)
{
	uint32_t value = 0;

	vm_copy_from_user(ctx->as, &value, DATA + offset, sizeof(value));
	return value;
}

static void poke32(struct user_ctx *ctx, uint64_t offset, uint32_t value)
{
	vm_copy_to_user(ctx->as, DATA + offset, &value, sizeof(value));
}

#define CALL(nr, a0, a1, a2, a3, a4, a5)                                     \
	user_script_syscall(ctx, trap, nr, a0, a1, a2, a3, a4, a5)
#define CALL0(nr) CALL(nr, 0, 0, 0, 0, 0, 0)
#define CALL1(nr, a0) CALL(nr, a0, 0, 0, 0, 0, 0)
#define RESULT ((long)ctx->regs.rax)
/* Ends init with `code` when `cond` is false (a failed check). */
#define EXPECT(cond, code)                                                   \
	do {                                                                 \
		if (!(cond)) {                                               \
			CALL1(NR_EXIT_GROUP, code);                          \
			user_script_goto(ctx, 999);                          \
			return 0;                                            \
		}                                                            \
	} while (0)

/* Starts pid 1 running `fn` with a read-write page at DATA. */
static void start_init(user_script_fn *fn)
{
	int id = user_script_register(fn);
	struct exec_image image = { 0 };

	cr_assert_gt(id, 0);
	image.as = vm_create();
	cr_assert(!IS_ERR(image.as));
	cr_assert_eq(vm_mmap(image.as, DATA, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0),
		     (long)DATA);
	image.entry = USER_SCRIPT_RIP(id, 0);
	kstrlcpy(image.comm, "script", sizeof(image.comm));
	cr_assert_eq(proc_start_first(&image), 0);
	for (;;)
		sleep_ns(1000000000ULL);	/* until init powers off */
}

/* fork, the child exits 7, the parent reaps it with wait4. */
static int fork_wait_script(struct user_ctx *ctx, struct trap *trap)
{
	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		CALL0(NR_GETPID);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		EXPECT(RESULT == 1, 10);
		CALL0(NR_GETPPID);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(RESULT == 0, 11);
		CALL1(NR_WAIT4, (uint64_t)-1);
		user_script_goto(ctx, 3);
		return 0;
	case 3:
		EXPECT(RESULT == -ECHILD, 12);
		CALL0(NR_FORK);
		user_script_goto(ctx, 4);
		return 0;
	case 4:
		if (RESULT == 0) {	/* the child */
			CALL0(NR_GETPPID);
			user_script_goto(ctx, 100);
			return 0;
		}
		EXPECT(RESULT == 2, 13);
		CALL(NR_WAIT4, (uint64_t)-1, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 5);
		return 0;
	case 5:
		EXPECT(RESULT == 2, 14);
		EXPECT(peek32(ctx, 0) == 7 << 8, 15);	/* WEXITSTATUS 7 */
		CALL1(NR_WAIT4, (uint64_t)-1);
		user_script_goto(ctx, 6);
		return 0;
	case 6:
		EXPECT(RESULT == -ECHILD, 16);
		CALL1(NR_EXIT_GROUP, 42);
		return 0;
	case 100:
		CALL1(NR_EXIT, RESULT == 1 ? 7 : 99);
		return 0;
	}
	return -1;
}

Test(proc, fork_exit_wait4, .exit_code = 42, .timeout = 20)
{
	boot(1);
	start_init(fork_wait_script);
}

Test(proc, fork_exit_wait4_on_two_cpus, .exit_code = 42, .timeout = 20)
{
	boot(2);
	start_init(fork_wait_script);
}

/*
 * Ten children exit with 1..10; waitid(ID_ALL, WEXITED) collects them all
 * and the statuses add up; WNOHANG with a child still running gives 0.
 */
static int many_children_script(struct user_ctx *ctx, struct trap *trap)
{
	uint32_t state = USER_SCRIPT_STATE(&ctx->regs);

	if (state < 10) {
		if (state > 0 && RESULT == 0) {	/* a child: exit(state) */
			CALL1(NR_EXIT, state);
			return 0;
		}
		CALL0(NR_FORK);
		user_script_goto(ctx, state + 1);
		return 0;
	}
	switch (state) {
	case 10:
		if (RESULT == 0) {
			CALL1(NR_EXIT, 10);
			return 0;
		}
		poke32(ctx, 512, 0);
		poke32(ctx, 516, 0);
		/* fallthrough */
	case 11:
		if (state == 11) {
			EXPECT(RESULT == 0, 20);
			/* siginfo: si_signo at 0, si_code 8, si_status 24 */
			EXPECT(peek32(ctx, 0) == SIGCHLD, 21);
			EXPECT(peek32(ctx, 8) == CLD_EXITED, 22);
			poke32(ctx, 512, peek32(ctx, 512) + peek32(ctx, 24));
			poke32(ctx, 516, peek32(ctx, 516) + 1);
			if (peek32(ctx, 516) == 10) {
				EXPECT(peek32(ctx, 512) == 55, 23);
				CALL(NR_WAITID, ID_ALL, 0, DATA, WAIT_EXITED | WAIT_NOHANG,
				     0, 0);
				user_script_goto(ctx, 12);
				return 0;
			}
		}
		CALL(NR_WAITID, ID_ALL, 0, DATA, WAIT_EXITED, 0, 0);
		user_script_goto(ctx, 11);
		return 0;
	case 12:
		EXPECT(RESULT == -ECHILD, 24);
		CALL(NR_WAITID, ID_ALL, 0, DATA, 0, 0, 0);
		user_script_goto(ctx, 13);
		return 0;
	case 13:
		EXPECT(RESULT == -EINVAL, 25);	/* no WEXITED & co */
		CALL1(NR_EXIT_GROUP, 0);
		return 0;
	}
	return -1;
}

Test(proc, many_children_waitid, .exit_code = 0, .timeout = 20)
{
	boot(2);
	start_init(many_children_script);
}

/*
 * Threads: clone(CLONE_VM|CLONE_THREAD|...|CLONE_CHILD_CLEARTID) four
 * times; each thread adds its tid to a shared word and exits; the main
 * thread waits on each thread's tid word with FUTEX_WAIT until the kernel
 * clears it (CLONE_CHILD_CLEARTID's futex wake), then checks the sum.
 */
#define THREAD_FLAGS                                                         \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |  \
	 CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static uint32_t thread_tid_sum;	/* the threads add their tids here */

static int threads_script(struct user_ctx *ctx, struct trap *trap)
{
	uint32_t state = USER_SCRIPT_STATE(&ctx->regs);

	if (state == 200) {		/* a new thread */
		CALL0(NR_GETTID);
		user_script_goto(ctx, 201);
		return 0;
	}
	if (state == 201) {
		__atomic_fetch_add(&thread_tid_sum, (uint32_t)RESULT,
				   __ATOMIC_RELAXED);
		CALL1(NR_EXIT, 0);
		return 0;
	}
	if (state >= 1 && state <= 4 && RESULT == 0) {
		/* clone returned 0: this is the new thread */
		user_script_goto(ctx, 200);
		return threads_script(ctx, trap);
	}
	if (state >= 1 && state <= 4)
		EXPECT(RESULT >= 2 && RESULT <= 5, 30);
	if (state < 4) {
		/* tid words at DATA + 16 + 4 * i */
		CALL(NR_CLONE, THREAD_FLAGS, 0, DATA + 16 + 4 * state,
		     DATA + 16 + 4 * state, 0, 0);
		user_script_goto(ctx, state + 1);
		return 0;
	}
	if (state == 4)
		state = 5;
	/* states 5..8: wait until thread i = state - 5 has exited */
	while (state < 9) {
		uint32_t i = state - 5;
		uint32_t word = peek32(ctx, 16 + 4 * i);

		user_script_goto(ctx, state);
		if (word != 0) {
			CALL(NR_FUTEX, DATA + 16 + 4 * i, 0 /* WAIT */, word,
			     0, 0, 0);
			return 0;	/* same state: look again */
		}
		state++;
	}
	/* the tids were 2..5 (one id space, nothing else running) */
	EXPECT(__atomic_load_n(&thread_tid_sum, __ATOMIC_RELAXED) == 14, 32);
	CALL1(NR_EXIT_GROUP, 5);
	return 0;
}

Test(proc, threads_clone_and_cleartid_futex, .exit_code = 5, .timeout = 20)
{
	boot(2);
	start_init(threads_script);
}

/*
 * procfs as pid 1 sees it: /proc/self names pid 1, /proc/self/stat
 * starts "1 (script) R 0", the fd directory lists what is open, and a
 * child's /proc/PID disappears once it is reaped.
 */
enum { NR_GETSID = 124, NR_OPENAT = 257, NR_READ = 0, NR_READLINK = 89, NR_CLOSE = 3,
       NR_GETDENTS64 = 217 };
#define AT_CWD ((uint64_t)-100)

static void put_string(struct user_ctx *ctx, uint64_t offset, const char *s)
{
	vm_copy_to_user(ctx->as, DATA + offset, s, strlen(s) + 1);
}

static bool user_starts_with(struct user_ctx *ctx, uint64_t offset,
			     const char *prefix)
{
	char buffer[128] = { 0 };

	vm_copy_from_user(ctx->as, buffer, DATA + offset, strlen(prefix));
	return strncmp(buffer, prefix, strlen(prefix)) == 0;
}

static int procfs_script(struct user_ctx *ctx, struct trap *trap)
{
	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		put_string(ctx, 0, "/proc/self");
		CALL(NR_READLINK, DATA, DATA + 256, 64, 0, 0, 0);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		EXPECT(RESULT == 1 && user_starts_with(ctx, 256, "1"), 40);
		put_string(ctx, 0, "/proc/self/stat");
		CALL(NR_OPENAT, AT_CWD, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(RESULT >= 0, 41);
		CALL(NR_READ, (uint64_t)RESULT, DATA + 256, 512, 0, 0, 0);
		user_script_goto(ctx, 3);
		return 0;
	case 3:
		EXPECT(RESULT > 20 && user_starts_with(ctx, 256,
						       "1 (script) R 0 "), 42);
		put_string(ctx, 0, "/proc/1/fd/0");
		CALL(NR_READLINK, DATA, DATA + 256, 64, 0, 0, 0);
		user_script_goto(ctx, 4);
		return 0;
	case 4:
		/* fd 0 is the stat file opened above (no console here) */
		EXPECT(RESULT == 12 && user_starts_with(ctx, 256, "/proc/1/stat"),
		       43);
		CALL0(NR_FORK);
		user_script_goto(ctx, 5);
		return 0;
	case 5:
		if (RESULT == 0) {
			CALL1(NR_EXIT, 0);
			return 0;
		}
		CALL1(NR_WAIT4, 2);
		user_script_goto(ctx, 6);
		return 0;
	case 6:
		EXPECT(RESULT == 2, 44);
		put_string(ctx, 0, "/proc/2/stat");
		CALL(NR_OPENAT, AT_CWD, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 7);
		return 0;
	case 7:
		EXPECT(RESULT == -ENOENT, 45);
		put_string(ctx, 0, "/proc/meminfo");
		CALL(NR_OPENAT, AT_CWD, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 8);
		return 0;
	case 8:
		EXPECT(RESULT >= 0, 46);
		CALL(NR_READ, (uint64_t)RESULT, DATA + 256, 512, 0, 0, 0);
		user_script_goto(ctx, 9);
		return 0;
	case 9:
		EXPECT(RESULT > 0 && user_starts_with(ctx, 256, "MemTotal:"), 47);
		CALL1(NR_EXIT_GROUP, 0);
		return 0;
	}
	return -1;
}

Test(proc, procfs_self_stat_fd_and_reaped_children, .exit_code = 0,
     .timeout = 20)
{
	boot(1);
	cr_assert_eq(vfs_mkdirat(&(struct vfs_caller){
				 &(struct vfs_cred){ 0 },
				 vfs_fs_context_create() },
			 NULL, "/proc", 0555), 0);
	struct vfs_cred cred = { 0 };
	struct vfs_caller caller = { &cred, vfs_fs_context_create() };

	cr_assert_eq(vfs_mount(&caller, "proc", "/proc", "proc", 0, NULL), 0);
	start_init(procfs_script);
}

/*
 * Sessions and groups: pid 1 starts in group and session 0 (as Linux's
 * init); setsid makes it the leader of both; a second setsid is -EPERM;
 * unknown and negative pids are -ESRCH.
 */
static int session_script(struct user_ctx *ctx, struct trap *trap)
{
	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		CALL1(NR_GETPGID, 0);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		EXPECT(RESULT == 0, 50);
		CALL0(NR_SETSID);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(RESULT == 1, 51);
		CALL1(NR_GETSID, 0);
		user_script_goto(ctx, 3);
		return 0;
	case 3:
		EXPECT(RESULT == 1, 52);
		CALL1(NR_GETPGID, 1);
		user_script_goto(ctx, 4);
		return 0;
	case 4:
		EXPECT(RESULT == 1, 53);
		CALL0(NR_SETSID);
		user_script_goto(ctx, 5);
		return 0;
	case 5:
		EXPECT(RESULT == -EPERM, 54);
		CALL1(NR_GETPGID, 99);
		user_script_goto(ctx, 6);
		return 0;
	case 6:
		EXPECT(RESULT == -ESRCH, 55);
		CALL1(NR_GETSID, (uint64_t)-1);
		user_script_goto(ctx, 7);
		return 0;
	case 7:
		EXPECT(RESULT == -ESRCH, 56);
		CALL1(NR_EXIT_GROUP, 0);
		return 0;
	}
	return -1;
}

Test(proc, sessions_and_groups, .exit_code = 0, .timeout = 20)
{
	boot(1);
	start_init(session_script);
}
