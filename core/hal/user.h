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

struct user_ctx {
	struct user_regs regs;
	struct user_fpu fpu;
	struct address_space *as;
	void *platform;		/* the platform's per-thread runner state */
};

enum trap_kind {
	TRAP_SYSCALL = 1,	/* regs.orig_rax holds the number */
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
 * Returns 0, or -errno if the platform could not run it at all (the core
 * then kills the thread). Called from the thread's kernel thread with
 * interrupts enabled. May sleep.
 */
int hal_user_run(struct user_ctx *ctx, struct trap *trap);

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
