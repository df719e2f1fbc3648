/*
 * The hosted scripted runner (DESIGN.md, "User mode"): instead of machine
 * code, a user thread runs a C function that decides its next trap. Unit
 * tests and the fuzzer use it: deterministic, no host processes.
 *
 * A script is registered under an id; a thread runs script `id` while its
 * rip is USER_SCRIPT_RIP(id, state). Each hal_user_run calls the script
 * with the thread's context (regs.rax holds the previous syscall's
 * result, regs.rip's low 32 bits the script's own state, which fork and
 * clone copy like any register) and the trap to fill: typically it sets
 * regs.orig_rax and the argument registers and returns TRAP_SYSCALL. The
 * script may place data in ctx->as with vm_copy_to_user first.
 */
#pragma once

#include <stdint.h>

#include "core/hal/user.h"

#define USER_SCRIPT_MAX 64
#define USER_SCRIPT_RIP(id, state) (((uint64_t)(id) << 32) | (uint32_t)(state))
#define USER_SCRIPT_STATE(regs) ((uint32_t)(regs)->rip)

/* Fills `trap` (and ctx->regs) with the thread's next stop; returns 0. */
typedef int user_script_fn(struct user_ctx *ctx, struct trap *trap);

/*
 * Selects the scripted runner for every user thread of this kernel (the
 * default is the ptrace runner). Call before any user thread runs.
 */
void user_script_enable(void);

/* Registers `fn` and returns its id (1..USER_SCRIPT_MAX-1), or -1. */
int user_script_register(user_script_fn *fn);

/* Sets ctx->regs for a syscall trap: number and up to six arguments. */
void user_script_syscall(struct user_ctx *ctx, struct trap *trap, uint64_t nr,
			 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5);

/* Moves the script to `state` (kept in rip's low half). */
void user_script_goto(struct user_ctx *ctx, uint32_t state);
