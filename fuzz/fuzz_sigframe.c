/*
 * libFuzzer harness for signal frames: a task of the hosted kernel
 * (tasks.h) installs a handler, perhaps an alternate stack, moves its
 * stack pointer somewhere telling and gets a signal (kill, tgkill,
 * rt_sigqueueinfo with fuzzed siginfo, a page fault, or an interval
 * timer ending a pause). The handler, perhaps after raising a nested
 * signal, overwrites parts of its frame with input bytes (the sigcontext,
 * the mask, uc_stack, the fpstate pointer and the FXSAVE image behind it)
 * and returns with rt_sigreturn.
 *
 * Where the task goes on, what the kernel restored must be what the
 * frame held: every general register and rax as they were (whatever the
 * value), of rflags only the bits user code may set (IF and bit 1 forced,
 * no IOPL, NT, VM or ID), cs and ss untouched, MXCSR without reserved
 * bits, the signal mask the frame's less SIGKILL and SIGSTOP. A bad frame
 * must kill the task with SIGSEGV, never the kernel; afterwards the
 * invariants of tasks.h hold.
 *
 * Input: five choice bytes (action, delivery, alternate stack, stack
 * pointer, handler; each read below where it is used), then patches
 * until the input ends: a 2-byte frame offset (past the frame's 440
 * bytes: into the FXSAVE image it points to), a length byte (mod 64)
 * and that many bytes.
 *
 * State: `sigframe` below, used by the harness thread and the task's
 * kernel thread in turn (tasks.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/include/uapi/sigcontext.h"
#include "core/include/uapi/signal.h"
#include "core/mm/uaccess.h"
#include "tasks.h"
#include "user_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	NR_RT_SIGACTION = 13, NR_RT_SIGPROCMASK = 14, NR_RT_SIGRETURN = 15,
	NR_PAUSE = 34, NR_SETITIMER = 38, NR_GETPID = 39, NR_KILL = 62,
	NR_SIGALTSTACK = 131, NR_RT_SIGQUEUEINFO = 129, NR_TGKILL = 234,
	NR_EXIT_GROUP = 231,
};

/* Roles (tasks.h) and the main task's positions. */
enum { ROLE_MAIN, ROLE_HANDLER };
enum { MAIN_ACTION, MAIN_ALTSTACK, MAIN_SIGNAL, MAIN_RETURNED, MAIN_MASK };
enum { HANDLER_ENTRY, HANDLER_AFTER_NESTED };

#define STEP_BUDGET 64		/* handler runs (nested, repeated) per input */
#define INPUT_MAX 4096
#define USER_RFLAGS 0x50dd5ULL	/* CF PF AF ZF SF TF DF OF AC RF */
#define RFLAGS_FIXED 0x202ULL	/* IF, bit 1 */
#define MXCSR_RESERVED 0xffff0040U	/* and DAZ, which the kernel clears */
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

/* Where things go in the task's data area. */
#define ACTION_AT (FUZZ_DATA + 0x000)
#define INFO_AT (FUZZ_DATA + 0x100)	/* siginfo, itimerval */
#define MASK_AT (FUZZ_DATA + 0x200)
#define ALTSTACK_AT (FUZZ_DATA + 0x400)	/* stack_t */
#define ALTSTACK_AREA (FUZZ_DATA + 0x1000)
#define ALTSTACK_SIZE 0x2000ULL

/* The frame as the handler finds it at rsp (Linux's rt_sigframe). */
#define FRAME_UC 8
#define FRAME_SC (FRAME_UC + offsetof(struct ucontext, mcontext))
#define FRAME_RIP (FRAME_SC + offsetof(struct sigcontext, rip))
#define FRAME_SPAN 440		/* pretcode, ucontext, siginfo */

struct choices {
	uint8_t action, delivery, altstack, stack, handler;
};

static struct {
	struct choices choices;
	const uint8_t *patches;
	size_t patches_size;
	unsigned int steps;
	int signal;
	bool returned;			/* rt_sigreturn of `frame` was made */
	bool restored;			/* and the task came back from it */
	struct ucontext frame;		/* what the last sigreturn read */
	uint64_t cs, ss;		/* before the signal */
	uint8_t input[INPUT_MAX];
	size_t input_size;
} sigframe;

__attribute__((noreturn)) static void report(const char *what,
					     const char *detail)
{
	fprintf(stderr, "fuzz_sigframe: %s%s%s\ninput (%zu bytes):",
		what, detail ? ": " : "", detail ? detail : "",
		sigframe.input_size);
	for (size_t i = 0; i < sigframe.input_size; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ",
			sigframe.input[i]);
	fprintf(stderr, "\n");
	abort();
}

#define CALL(nr, a0, a1, a2, a3, a4, a5) \
	user_script_syscall(ctx, trap, nr, a0, a1, a2, a3, a4, a5)
#define GOTO(role, position) \
	user_script_goto(ctx, FUZZ_STATE(role, position))

static void poke(struct user_ctx *ctx, uint64_t address, const void *bytes,
		 size_t length)
{
	(void)vm_copy_to_user(ctx->as, address, bytes, length);
}

/*
 * Any signal a handler can catch: delivery byte bits 0-4, plus 32 when
 * the handler byte's bit 5 is set.
 */
static int pick_signal(uint8_t delivery, uint8_t handler)
{
	int signal = 1 + (delivery & 0x1f) + (handler & 0x20 ? 32 : 0);

	return signal == SIGKILL || signal == SIGSTOP ? SIGUSR1 : signal;
}

/* A telling stack pointer, or the task's own. */
static uint64_t pick_stack(uint8_t byte, uint64_t own)
{
	static const uint64_t telling[] = {
		FUZZ_STACK_TOP - FUZZ_STACK_SIZE + 64,	/* a frame won't fit */
		FUZZ_RO + 0x800, FUZZ_NONE + 0x800, FUZZ_STACK_TOP - 3,
		0x0000800000000000ULL, 0xffff800000001000ULL,
		ALTSTACK_AREA + 0x100, 0,
	};

	if (byte < 0x80)
		return own;
	return telling[byte % (sizeof(telling) / sizeof(telling[0]))];
}

/* The stack_t the task asks for. */
static struct signal_stack pick_altstack(uint8_t byte)
{
	static const uint64_t places[] = {
		ALTSTACK_AREA, FUZZ_RO, FUZZ_NONE, FUZZ_STACK_TOP - 0x2000,
	};
	struct signal_stack stack = {
		.sp = places[(byte >> 1) & 3],
		.size = byte & 0x20 ? MINSIGSTKSZ : ALTSTACK_SIZE,
	};

	if (byte & 0x08)
		stack.flags |= (int32_t)SS_AUTODISARM;
	if (byte & 0x10)
		stack.flags |= SS_DISABLE;
	if (byte & 0x40)
		stack.size = 100;	/* too small: -ENOMEM */
	return stack;
}

/* Makes the signal come, as choice byte `delivery` says. */
static void raise_signal(struct user_ctx *ctx, struct trap *trap)
{
	uint8_t info[128] = { 0 };
	uint64_t timer[4] = { 0, 0, 0, 1000 };	/* one shot in 1 ms */
	int pid = (int)ctx->regs.rax;	/* getpid's result */

	ctx->regs.rsp = pick_stack(sigframe.choices.stack, ctx->regs.rsp);
	sigframe.restored = false;	/* a forged rip may come round again */
	sigframe.cs = ctx->regs.cs;
	sigframe.ss = ctx->regs.ss;
	switch (sigframe.choices.delivery >> 5) {
	case 0:
	case 1:
		CALL(NR_KILL, (uint64_t)pid, (uint64_t)sigframe.signal,
		     0, 0, 0, 0);
		break;
	case 2:
		CALL(NR_TGKILL, (uint64_t)pid, (uint64_t)pid,
		     (uint64_t)sigframe.signal, 0, 0, 0);
		break;
	case 3:	/* queued, with a siginfo of the input's patch bytes */
		memcpy(info, sigframe.patches,
		       sigframe.patches_size < sizeof(info) ?
		       sigframe.patches_size : sizeof(info));
		poke(ctx, INFO_AT, info, sizeof(info));
		CALL(NR_RT_SIGQUEUEINFO, (uint64_t)pid,
		     (uint64_t)sigframe.signal, INFO_AT, 0, 0, 0);
		break;
	case 4:	/* a page fault: SIGSEGV whatever the handler's signal */
		trap->kind = TRAP_FAULT;
		trap->error_code = TRAP_FAULT_USER | TRAP_FAULT_WRITE;
		trap->fault_address = FUZZ_NONE;
		break;
	case 5:	/* SIGALRM ends a pause; -ERESTARTNOHAND: -EINTR after */
		poke(ctx, INFO_AT, timer, sizeof(timer));
		CALL(NR_SETITIMER, 0, INFO_AT, 0, 0, 0, 0);
		GOTO(ROLE_MAIN, MAIN_SIGNAL + 0x40);
		return;
	default:
		CALL(NR_KILL, 0, (uint64_t)sigframe.signal, 0, 0, 0, 0);
		break;
	}
	GOTO(ROLE_MAIN, MAIN_RETURNED);
}

/* A register user code sees, and where the sigcontext holds it. */
#define REGISTER(name)                                                       \
	{ #name, offsetof(struct user_regs, name),                           \
	  offsetof(struct sigcontext, name) }

static const struct {
	const char *name;
	size_t regs_offset, frame_offset;
} registers[] = {
	REGISTER(r8), REGISTER(r9), REGISTER(r10), REGISTER(r11),
	REGISTER(r12), REGISTER(r13), REGISTER(r14), REGISTER(r15),
	REGISTER(rdi), REGISTER(rsi), REGISTER(rbp), REGISTER(rbx),
	REGISTER(rdx), REGISTER(rax), REGISTER(rcx), REGISTER(rsp),
};

static uint64_t field(const void *base, size_t offset)
{
	uint64_t value;

	memcpy(&value, (const uint8_t *)base + offset, sizeof(value));
	return value;
}

/* What the kernel restored against what the frame held. */
static void check_restored(const struct user_ctx *ctx)
{
	const struct sigcontext *sc = &sigframe.frame.mcontext;
	const struct user_regs *regs = &ctx->regs;
	uint32_t mxcsr;
	char detail[160];

	for (size_t i = 0; i < sizeof(registers) / sizeof(registers[0]); i++) {
		uint64_t now = field(regs, registers[i].regs_offset);
		uint64_t held = field(sc, registers[i].frame_offset);

		if (now == held)
			continue;
		snprintf(detail, sizeof(detail), "%s %#llx, frame %#llx",
			 registers[i].name, (unsigned long long)now,
			 (unsigned long long)held);
		report("a register differs from the frame's", detail);
	}
	if ((regs->rflags & ~USER_RFLAGS) != RFLAGS_FIXED ||
	    (regs->rflags & USER_RFLAGS) != (sc->eflags & USER_RFLAGS)) {
		snprintf(detail, sizeof(detail), "rflags %#llx, frame %#llx",
			 (unsigned long long)regs->rflags,
			 (unsigned long long)sc->eflags);
		report("rflags not sanitized", detail);
	}
	if (regs->cs != sigframe.cs || regs->ss != sigframe.ss)
		report("sigreturn changed cs or ss", NULL);
	memcpy(&mxcsr, &ctx->fpu.fxsave[24], sizeof(mxcsr));
	if (mxcsr & MXCSR_RESERVED)
		report("MXCSR keeps reserved bits", NULL);
}

/*
 * The sigaction: the handler, flags from the choice byte's bits 0-4
 * (SA_ONSTACK, SA_RESTART, SA_SIGINFO, SA_NODEFER, SA_RESETHAND) and a
 * mask from bits 5-7 (none, SIGUSR2, everything).
 */
static void action_of(uint8_t byte, uint64_t action[4])
{
	static const uint64_t flags[] = {
		SA_ONSTACK, SA_RESTART, SA_SIGINFO, SA_NODEFER, SA_RESETHAND,
	};
	uint64_t handler = fuzz_tasks_rip(FUZZ_STATE(ROLE_HANDLER,
						     HANDLER_ENTRY));

	action[0] = handler;
	action[1] = SA_RESTORER;
	for (unsigned int i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (byte & (1u << i))
			action[1] |= flags[i];
	action[2] = handler;	/* the restorer: never reached */
	action[3] = byte & 0x80 ? ~0ULL :
		    byte & 0x40 ? 1ULL << (SIGUSR2 - 1) : 0;
}

/* The main task: handler, alternate stack, the signal, the checks. */
static int main_step(struct user_ctx *ctx, struct trap *trap,
		     unsigned int position)
{
	struct signal_stack stack;
	uint64_t action[4], mask = 0;

	switch (position) {
	case MAIN_ACTION:
		action_of(sigframe.choices.action, action);
		poke(ctx, ACTION_AT, action, sizeof(action));
		CALL(NR_RT_SIGACTION, (uint64_t)sigframe.signal, ACTION_AT, 0,
		     8, 0, 0);
		GOTO(ROLE_MAIN, MAIN_ALTSTACK);
		return 0;
	case MAIN_ALTSTACK:
		stack = pick_altstack(sigframe.choices.altstack);
		poke(ctx, ALTSTACK_AT, &stack, sizeof(stack));
		if (sigframe.choices.altstack & 1)
			CALL(NR_SIGALTSTACK, ALTSTACK_AT, 0, 0, 0, 0, 0);
		else
			CALL(NR_GETPID, 0, 0, 0, 0, 0, 0);
		GOTO(ROLE_MAIN, MAIN_SIGNAL);
		return 0;
	case MAIN_SIGNAL:
		CALL(NR_GETPID, 0, 0, 0, 0, 0, 0);
		GOTO(ROLE_MAIN, MAIN_SIGNAL + 0x80);
		return 0;
	case MAIN_SIGNAL + 0x80:
		raise_signal(ctx, trap);
		return 0;
	case MAIN_SIGNAL + 0x40:	/* the timer is set: wait in pause */
		sigframe.restored = false;
		sigframe.cs = ctx->regs.cs;
		sigframe.ss = ctx->regs.ss;
		CALL(NR_PAUSE, 0, 0, 0, 0, 0, 0);
		GOTO(ROLE_MAIN, MAIN_RETURNED);
		return 0;
	case MAIN_RETURNED:
		CALL(NR_RT_SIGPROCMASK, 0, 0, MASK_AT, 8, 0, 0);
		GOTO(ROLE_MAIN, MAIN_MASK);
		return 0;
	case MAIN_MASK:
		/*
		 * Only after the rt_sigprocmask call: a forged rip may land
		 * here straight from rt_sigreturn, with MASK_AT never written.
		 */
		(void)vm_copy_from_user(ctx->as, &mask, MASK_AT, sizeof(mask));
		if (sigframe.restored &&
		    ctx->regs.orig_rax == NR_RT_SIGPROCMASK &&
		    ctx->regs.rax == 0 &&
		    mask != (sigframe.frame.sigmask & ~UNBLOCKABLE))
			report("the signal mask is not the frame's", NULL);
		break;
	default:
		break;
	}
	CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
	return 0;
}

/* Overwrites parts of the frame at `frame` with the input's patches. */
static void patch_frame(struct user_ctx *ctx, uint64_t frame)
{
	const uint8_t *p = sigframe.patches, *end = p + sigframe.patches_size;
	uint64_t rip = 0, fpstate = 0;
	bool keep_rip = !(sigframe.choices.handler & 0x80);

	(void)vm_copy_from_user(ctx->as, &rip, frame + FRAME_RIP, 8);
	(void)vm_copy_from_user(ctx->as, &fpstate,
				frame + FRAME_SC +
				offsetof(struct sigcontext, fpstate), 8);
	while (end - p >= 3) {
		size_t offset = (size_t)(p[0] | p[1] << 8) % (FRAME_SPAN + 512);
		size_t length = p[2] % 64;
		uint64_t at;

		p += 3;
		if (length > (size_t)(end - p))
			length = (size_t)(end - p);
		/* Past the frame: the FXSAVE image the frame points to. */
		at = offset < FRAME_SPAN ? frame + offset :
		     fpstate + offset - FRAME_SPAN;
		poke(ctx, at, p, length);
		p += length;
	}
	/*
	 * The return address is the harness's choice, not the bytes': a
	 * script state of another role would run harness code astray.
	 */
	if (keep_rip)
		poke(ctx, frame + FRAME_RIP, &rip, sizeof(rip));
}

static int handler_step(struct user_ctx *ctx, struct trap *trap,
			unsigned int position)
{
	uint64_t frame = ctx->regs.rsp;

	if (++sigframe.steps > STEP_BUDGET) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	if (position == HANDLER_ENTRY && (sigframe.choices.handler & 0x40)) {
		CALL(NR_KILL, 0, (uint64_t)sigframe.signal, 0, 0, 0, 0);
		GOTO(ROLE_HANDLER, HANDLER_AFTER_NESTED);
		return 0;
	}
	patch_frame(ctx, frame);
	/* What rt_sigreturn will read; unreadable: it kills the task. */
	sigframe.returned = vm_copy_from_user(ctx->as, &sigframe.frame,
					      frame + FRAME_UC,
					      sizeof(sigframe.frame)) == 0;
	ctx->regs.rsp += 8;	/* `ret` to the restorer */
	CALL(NR_RT_SIGRETURN, 0, 0, 0, 0, 0, 0);
	return 0;
}

static int step(struct user_ctx *ctx, struct trap *trap, unsigned int role,
		unsigned int position)
{
	/*
	 * Right after rt_sigreturn, whatever the role: at the frame's rip
	 * with no syscall since (orig_rax -1), unless a pending signal's
	 * handler runs first. (A forged rip whose state reads as a restart
	 * makes a call before the next step, at another rip.)
	 */
	if (sigframe.returned && ctx->regs.orig_rax == (uint64_t)-1 &&
	    ctx->regs.rip == sigframe.frame.mcontext.rip &&
	    !(role == ROLE_HANDLER && position == HANDLER_ENTRY)) {
		check_restored(ctx);
		sigframe.restored = true;
	}
	sigframe.returned = false;
	if (role == ROLE_MAIN)
		return main_step(ctx, trap, position);
	if (role == ROLE_HANDLER)
		return handler_step(ctx, trap, position);
	CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);	/* a forged rip */
	return 0;
}

static void begin(void)
{
	sigframe.steps = 0;
	sigframe.returned = false;
	sigframe.restored = false;
}

static const struct fuzz_tasks_harness sigframe_harness = {
	.step = step, .begin = begin, .report = report,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tasks_boot(&sigframe_harness);
	if (size < sizeof(struct choices) || size > INPUT_MAX)
		return 0;
	memcpy(sigframe.input, data, size);
	sigframe.input_size = size;
	memcpy(&sigframe.choices, data, sizeof(struct choices));
	sigframe.patches = sigframe.input + sizeof(struct choices);
	sigframe.patches_size = size - sizeof(struct choices);
	sigframe.signal = (sigframe.choices.delivery >> 5) == 4 ? SIGSEGV :
			  pick_signal(sigframe.choices.delivery,
				      sigframe.choices.handler);
	fuzz_tasks_run_input();
	return 0;
}
