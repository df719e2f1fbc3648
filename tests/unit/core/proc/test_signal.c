/*
 * Signals through the scripted runner (core/proc/signal.c, jobctl.c,
 * itimer.c and their syscalls): a child that stops itself and is
 * continued, seen by wait4 with WUNTRACED and WCONTINUED; rt_sigtimedwait
 * with queued real-time signals and its timeout; alarm's remaining
 * seconds; restart_syscall with nothing to restart. As in test_proc.c,
 * init's exit status is the result; a failed check exits with its code.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/include/uapi/sched.h"
#include "core/include/uapi/signal.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
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
	NR_EXIT = 60, NR_EXIT_GROUP = 231, NR_GETPID = 39, NR_FORK = 57,
	NR_WAIT4 = 61, NR_KILL = 62, NR_RT_SIGPROCMASK = 14,
	NR_RT_SIGTIMEDWAIT = 128, NR_RT_SIGQUEUEINFO = 129, NR_ALARM = 37,
	NR_RESTART_SYSCALL = 219,
};
#define WAIT_UNTRACED 2
#define WAIT_CONTINUED 8
#define SI_QUEUE_CODE (-1)

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

/*
 * The child stops itself with SIGSTOP; the parent sees 0x137f once, sends
 * SIGCONT, sees 0xffff once, then the exit.
 */
static int stop_script(struct user_ctx *ctx, struct trap *trap)
{
	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		CALL0(NR_FORK);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		if (RESULT == 0) {
			CALL0(NR_GETPID);
			user_script_goto(ctx, 100);
			return 0;
		}
		poke32(ctx, 256, (uint32_t)RESULT);	/* the child's pid */
		CALL(NR_WAIT4, (uint64_t)-1, DATA, WAIT_UNTRACED, 0, 0, 0);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(RESULT == peek32(ctx, 256), 10);
		EXPECT(peek32(ctx, 0) == 0x137f, 11);	/* stopped by 19 */
		CALL(NR_WAIT4, (uint64_t)-1, DATA, WAIT_UNTRACED | WAIT_NOHANG,
		     0, 0, 0);
		user_script_goto(ctx, 3);
		return 0;
	case 3:
		EXPECT(RESULT == 0, 12);	/* reported once */
		CALL(NR_KILL, peek32(ctx, 256), SIGCONT, 0, 0, 0, 0);
		user_script_goto(ctx, 4);
		return 0;
	case 4:
		EXPECT(RESULT == 0, 13);
		CALL(NR_WAIT4, (uint64_t)-1, DATA, WAIT_CONTINUED, 0, 0, 0);
		user_script_goto(ctx, 5);
		return 0;
	case 5:
		EXPECT(RESULT == peek32(ctx, 256), 14);
		/* Continued (0xffff), or already gone: the exit comes next. */
		EXPECT(peek32(ctx, 0) == 0xffff || peek32(ctx, 0) == 3 << 8, 15);
		if (peek32(ctx, 0) != 0xffff) {
			CALL1(NR_EXIT_GROUP, 42);
			return 0;
		}
		CALL(NR_WAIT4, (uint64_t)-1, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 6);
		return 0;
	case 6:
		EXPECT(RESULT == peek32(ctx, 256), 16);
		EXPECT(peek32(ctx, 0) == 3 << 8, 17);
		CALL1(NR_EXIT_GROUP, 42);
		return 0;
	case 100:
		CALL(NR_KILL, RESULT, SIGSTOP, 0, 0, 0, 0);
		user_script_goto(ctx, 101);
		return 0;
	case 101:
		CALL1(NR_EXIT, RESULT == 0 ? 3 : 99);
		return 0;
	}
	return -1;
}

Test(signal, stop_continue_wait4, .exit_code = 42, .timeout = 20)
{
	boot(1);
	start_init(stop_script);
}

Test(signal, stop_continue_wait4_on_two_cpus, .exit_code = 42, .timeout = 20)
{
	boot(2);
	start_init(stop_script);
}

/* Offsets in the DATA page. */
#define SET_AT 0		/* a sigset */
#define TIMEOUT_AT 16		/* a timespec */
#define INFO_AT 64		/* a siginfo */
#define OUT_AT 256		/* a siginfo filled by rt_sigtimedwait */

static void queue_rt(struct user_ctx *ctx, struct trap *trap, int value)
{
	poke32(ctx, INFO_AT + 8, (uint32_t)SI_QUEUE_CODE);	/* si_code */
	poke32(ctx, INFO_AT + 24, (uint32_t)value);	/* si_value */
	CALL(NR_RT_SIGQUEUEINFO, 1, SIGRTMIN, DATA + INFO_AT, 0, 0, 0);
}

#define WAIT_SIGNAL()                                                       \
	CALL(NR_RT_SIGTIMEDWAIT, DATA + SET_AT, DATA + OUT_AT,               \
	     DATA + TIMEOUT_AT, 8, 0, 0)

/*
 * Two queued SIGRTMINs come back in order with their values, then the
 * timeout gives -EAGAIN; alarm and restart_syscall on the way.
 */
static int timedwait_script(struct user_ctx *ctx, struct trap *trap)
{
	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		poke32(ctx, SET_AT, 1U << (SIGRTMIN - 1));
		poke32(ctx, TIMEOUT_AT + 8, 1000000);	/* 1 ms */
		CALL(NR_RT_SIGPROCMASK, SIG_BLOCK, DATA + SET_AT, 0, 8, 0, 0);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		EXPECT(RESULT == 0, 10);
		queue_rt(ctx, trap, 11);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(RESULT == 0, 11);
		queue_rt(ctx, trap, 22);
		user_script_goto(ctx, 3);
		return 0;
	case 3:
		EXPECT(RESULT == 0, 12);
		WAIT_SIGNAL();
		user_script_goto(ctx, 4);
		return 0;
	case 4:
	case 5:
		EXPECT(RESULT == SIGRTMIN, 13);
		EXPECT(peek32(ctx, OUT_AT + 24) ==
			       (USER_SCRIPT_STATE(&ctx->regs) == 4 ? 11u : 22u),
		       14);
		WAIT_SIGNAL();
		user_script_goto(ctx, USER_SCRIPT_STATE(&ctx->regs) + 1);
		return 0;
	case 6:
		EXPECT(RESULT == -EAGAIN, 15);
		CALL1(NR_ALARM, 10);
		user_script_goto(ctx, 7);
		return 0;
	case 7:
		EXPECT(RESULT == 0, 16);
		CALL1(NR_ALARM, 0);
		user_script_goto(ctx, 8);
		return 0;
	case 8:
		EXPECT(RESULT == 10, 17);	/* rounded to the second */
		CALL0(NR_RESTART_SYSCALL);
		user_script_goto(ctx, 9);
		return 0;
	case 9:
		EXPECT(RESULT == -EINTR, 18);	/* nothing to restart */
		CALL(NR_RT_SIGQUEUEINFO, 1, 65, DATA + INFO_AT, 0, 0, 0);
		user_script_goto(ctx, 10);
		return 0;
	case 10:
		EXPECT(RESULT == -EINVAL, 19);
		poke32(ctx, INFO_AT + 8, 0);	/* SI_USER */
		CALL(NR_RT_SIGQUEUEINFO, 12345, SIGRTMIN, DATA + INFO_AT, 0, 0,
		     0);
		user_script_goto(ctx, 11);
		return 0;
	case 11:
		EXPECT(RESULT == -EPERM, 20);	/* si_code >= 0 to another */
		CALL1(NR_EXIT_GROUP, 0);
		return 0;
	}
	return -1;
}

Test(signal, rt_sigtimedwait_queue_alarm, .exit_code = 0, .timeout = 20)
{
	boot(1);
	start_init(timedwait_script);
}

/*
 * Init refuses what user space sends it without a handler: SIGKILL,
 * SIGSTOP and SIGTERM from itself and from a child are dropped (kill
 * returns 0), as Linux's SIGNAL_UNKILLABLE; init goes on and exits 42.
 */
static int unkillable_init_script(struct user_ctx *ctx, struct trap *trap)
{
	static const int refused[] = { SIGKILL, SIGSTOP, SIGTERM };
	uint32_t state = USER_SCRIPT_STATE(&ctx->regs);

	if (state < 3) {
		EXPECT(state == 0 || RESULT == 0, 10 + (int)state);
		CALL(NR_KILL, 1, refused[state], 0, 0, 0, 0);
		user_script_goto(ctx, state + 1);
		return 0;
	}
	switch (state) {
	case 3:
		EXPECT(RESULT == 0, 13);
		CALL0(NR_FORK);
		user_script_goto(ctx, 4);
		return 0;
	case 4:
		if (RESULT == 0) {	/* the child */
			CALL(NR_KILL, 1, SIGKILL, 0, 0, 0, 0);
			user_script_goto(ctx, 100);
			return 0;
		}
		CALL(NR_WAIT4, (uint64_t)-1, DATA, 0, 0, 0, 0);
		user_script_goto(ctx, 5);
		return 0;
	case 5:
		EXPECT(peek32(ctx, 0) == 5 << 8, 15);	/* the child's kill: 0 */
		CALL1(NR_EXIT_GROUP, 42);
		return 0;
	case 100:
		CALL1(NR_EXIT, RESULT == 0 ? 5 : 99);
		return 0;
	}
	return -1;
}

Test(signal, init_refuses_user_kill, .exit_code = 42, .timeout = 20)
{
	boot(1);
	start_init(unkillable_init_script);
}

/*
 * rt_sigreturn takes back what the handler left in the frame: rax as it
 * is, even a value no syscall may return (the dispatcher's errno check
 * must not turn it into -EINVAL) or a restart code (no syscall was made:
 * the return must not back up rip to make it again), and only the rflags
 * bits user code may set (Linux's FIX_EFLAGS), IF and bit 1 forced on.
 * Found by the syscalls and sigframe fuzzers
 * (fuzz/corpus/syscalls/regress-sigreturn-rax-below-errno,
 * fuzz/corpus/sigframe/regress-sigreturn-restart-code).
 */
enum { NR_RT_SIGACTION = 13, NR_RT_SIGRETURN = 15 };
#define FRAME_RAX (8 + 40 + 13 * 8)	/* pretcode, ucontext, sigcontext */
#define FRAME_RIP (8 + 40 + 16 * 8)
#define FRAME_EFLAGS (8 + 40 + 17 * 8)
#define ERESTARTSYS 512

static long forged_rax;	/* what the handler leaves in the frame's rax */
#define USER_RFLAGS 0x50dd5ULL	/* CF PF AF ZF SF TF DF OF AC RF */

static void poke64_at(struct user_ctx *ctx, uint64_t address, uint64_t value)
{
	vm_copy_to_user(ctx->as, address, &value, sizeof(value));
}

static int sigreturn_script(struct user_ctx *ctx, struct trap *trap)
{
	uint32_t id = (uint32_t)(ctx->regs.rip >> 32);
	uint64_t action[4] = {
		USER_SCRIPT_RIP(id, 100), SA_SIGINFO | SA_RESTORER,
		USER_SCRIPT_RIP(id, 200), 0,
	};

	switch (USER_SCRIPT_STATE(&ctx->regs)) {
	case 0:
		ctx->regs.rsp = DATA + PAGE_SIZE;	/* the frame goes here */
		vm_copy_to_user(ctx->as, DATA, action, sizeof(action));
		CALL(NR_RT_SIGACTION, SIGUSR1, DATA, 0, 8, 0, 0);
		user_script_goto(ctx, 1);
		return 0;
	case 1:
		EXPECT(RESULT == 0, 10);
		CALL(NR_KILL, 1, SIGUSR1, 0, 0, 0, 0);
		user_script_goto(ctx, 2);
		return 0;
	case 2:
		EXPECT(false, 11);	/* the handler's rip was forged */
		return 0;
	case 3:
		EXPECT(RESULT == forged_rax, 12);
		EXPECT(ctx->regs.rflags == (USER_RFLAGS | 0x202), 13);
		EXPECT(warn_count() == 0, 14);
		CALL1(NR_EXIT_GROUP, 42);
		return 0;
	case 100:	/* the handler: forge the frame, return through it */
		poke64_at(ctx, ctx->regs.rsp + FRAME_RAX, (uint64_t)forged_rax);
		poke64_at(ctx, ctx->regs.rsp + FRAME_RIP,
			  USER_SCRIPT_RIP(id, 3));
		poke64_at(ctx, ctx->regs.rsp + FRAME_EFLAGS, ~0ULL);
		ctx->regs.rsp += 8;	/* `ret` to the restorer */
		CALL0(NR_RT_SIGRETURN);
		return 0;
	}
	return -1;
}

Test(signal, sigreturn_restores_any_rax_and_user_flags, .exit_code = 42,
     .timeout = 20)
{
	forged_rax = -5000;
	boot(1);
	start_init(sigreturn_script);
}

Test(signal, sigreturn_of_a_restart_code_restarts_nothing, .exit_code = 42,
     .timeout = 20)
{
	forged_rax = -ERESTARTSYS;
	boot(1);
	start_init(sigreturn_script);
}
