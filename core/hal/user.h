/*
 * HAL: running user code. Each user thread's kernel thread loops
 * `hal_user_run(ctx, &trap); handle(trap);` and never learns how the code
 * ran (ring 3 on x86_64, a ptrace'd or scripted child in the hosted build).
 */
#pragma once

#include "core/lib/types.h"

/*
 * User general registers, in the order of Linux's x86_64 user_regs_struct
 * (so the hosted runner can move them with PTRACE_GETREGS as they are).
 */
struct user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t fs_base, gs_base;
	uint64_t ds, es, fs, gs;
};

/* FXSAVE image: x87/SSE state, 512 bytes, 16-byte aligned. */
struct user_fpu {
	uint8_t fxsave[512];
} __attribute__((aligned(16)));

/*
 * The x87/SSE state a new program starts with (Linux's): every exception
 * masked, x87 control word 0x37f, MXCSR 0x1f80, registers zero. A zeroed
 * image is valid too, but unmasks every floating-point exception.
 */
static inline void user_fpu_init(struct user_fpu *fpu)
{
	*fpu = (struct user_fpu){ .fxsave = { [0] = 0x7f, [1] = 0x03,
					      [24] = 0x80, [25] = 0x1f } };
}

struct user_ctx {
	struct user_regs regs;
	struct user_fpu fpu;		/* see hal_user_fpu_sync */
	struct address_space *as;
	void *platform;		/* the platform's per-thread runner state */
	/*
	 * The platform's: 1 + the CPU whose FPU registers were last loaded
	 * with this state (0: none), so that a run on that CPU with nothing
	 * else loaded since need not load it again.
	 */
	unsigned int fpu_cpu;
};

enum trap_kind {
	TRAP_SYSCALL = 1,	/* regs.orig_rax: the number; rax: -ENOSYS */
	TRAP_FAULT,		/* page fault at fault_address */
	TRAP_EXCEPTION,		/* any other CPU exception: see vector */
	TRAP_INTERRUPT,		/* an interrupt stopped the user code */
};

/* TRAP_FAULT access bits (x86 page-fault error code meaning). */
#define TRAP_FAULT_PRESENT (1u << 0)
#define TRAP_FAULT_WRITE (1u << 1)
#define TRAP_FAULT_USER (1u << 2)
#define TRAP_FAULT_EXEC (1u << 4)

struct trap {
	enum trap_kind kind;
	unsigned int vector;	/* TRAP_EXCEPTION, TRAP_INTERRUPT */
	uint64_t error_code;	/* exception error code, or TRAP_FAULT_* bits */
	uaddr_t fault_address;	/* TRAP_FAULT */
};

/*
 * Runs the user thread described by `ctx` until it traps; fills `trap`.
 * Makes ctx->as the calling CPU's address space first (hal_as_activate),
 * so the core needs no address-space switch of its own at context switch.
 * Registers come back in ctx->regs as the trap left them: after
 * TRAP_SYSCALL, orig_rax holds the number, rax -ENOSYS (Linux's entry
 * state, which ptrace shows too), rcx and r11 the user's rip and rflags;
 * after anything else orig_rax is -1. The platform sanitizes what user
 * code may not set: cs/ss become the user selectors (Linux's 0x33/0x2b,
 * or 0x23 for 32-bit code), rflags keeps only the arithmetic flags, DF
 * and ID (IF set; IOPL, TF, AC, NT cleared), the data selectors become 0.
 * A non-canonical rip or rsp does not run: the trap is TRAP_EXCEPTION
 * #GP (13) or #SS (12) at once. Returns 0; -EINVAL when ctx->as is NULL
 * or fs_base/gs_base is not a user-half address; -ENOSYS where the
 * platform cannot run user code (yet); other -errno if the platform could
 * not run it at all (the core then kills the thread). Called from the
 * thread's kernel thread with interrupts enabled. May sleep.
 */
int hal_user_run(struct user_ctx *ctx, struct trap *trap);

/*
 * Makes ctx->fpu the thread's FPU state as it is now, and the state its
 * next run loads. Bare metal keeps a thread's FPU registers loaded across
 * traps and saves them only when another thread runs on the CPU (the
 * kernel itself never touches the FPU), so ctx->fpu may lag behind: call
 * this before reading or changing ctx->fpu of a context that ran (the
 * caller's own: signal frames, sigreturn, fork, exec). Any context.
 */
void hal_user_fpu_sync(struct user_ctx *ctx);

/*
 * Releases the platform's runner state of `ctx` (ctx->platform: a host
 * child process in the hosted build), when the user thread exits or is
 * replaced. A ctx that never ran, or was released, is a no-op. The core
 * creates a ctx zeroed (platform NULL); fork and clone copy regs and fpu
 * into a fresh ctx, never `platform`. Changing ctx->as (exec) between two
 * runs is allowed: the platform then switches the thread to the new space.
 * May sleep.
 */
void hal_user_release(struct user_ctx *ctx);
