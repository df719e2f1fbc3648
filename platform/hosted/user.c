/*
 * hal_user_run for the hosted build: the ptrace runner for real programs
 * (user_ptrace.c), or the scripted runner for unit tests and fuzzing
 * (this file), chosen once per kernel.
 */
#include "user_script.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "user_internal.h"

static bool scripted;
static user_script_fn *scripts[USER_SCRIPT_MAX];

void user_script_enable(void)
{
	scripted = true;
}

int user_script_register(user_script_fn *fn)
{
	for (int id = 1; id < USER_SCRIPT_MAX; id++) {
		if (__atomic_load_n(&scripts[id], __ATOMIC_ACQUIRE) == NULL) {
			user_script_fn *expected = NULL;

			if (__atomic_compare_exchange_n(&scripts[id], &expected,
							fn, false,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE))
				return id;
		}
	}
	return -1;
}

void user_script_syscall(struct user_ctx *ctx, struct trap *trap, uint64_t nr,
			 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	ctx->regs.orig_rax = nr;
	ctx->regs.rax = nr;
	ctx->regs.rdi = a0;
	ctx->regs.rsi = a1;
	ctx->regs.rdx = a2;
	ctx->regs.r10 = a3;
	ctx->regs.r8 = a4;
	ctx->regs.r9 = a5;
	trap->kind = TRAP_SYSCALL;
}

void user_script_goto(struct user_ctx *ctx, uint32_t state)
{
	ctx->regs.rip = (ctx->regs.rip & ~0xffffffffULL) | state;
}

static int script_run(struct user_ctx *ctx, struct trap *trap)
{
	uint64_t id = ctx->regs.rip >> 32;
	user_script_fn *fn = id < USER_SCRIPT_MAX ?
		__atomic_load_n(&scripts[id], __ATOMIC_ACQUIRE) : NULL;

	trap->kind = TRAP_EXCEPTION;
	trap->vector = 6;	/* no script at rip: #UD, as a bad jump */
	trap->error_code = 0;
	trap->fault_address = 0;
	if (fn == NULL)
		return 0;
	return fn(ctx, trap);
}

int hal_user_run(struct user_ctx *ctx, struct trap *trap)
{
	if (scripted)
		return script_run(ctx, trap);
	return hosted_ptrace_run(ctx, trap);
}

/* The runners move the FPU state with the registers at every trap. */
void hal_user_fpu_sync(struct user_ctx *ctx)
{
	(void)ctx;
}

void hal_user_release(struct user_ctx *ctx)
{
	if (!scripted)
		hosted_ptrace_release(ctx);
}

