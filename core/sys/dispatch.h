/*
 * The syscall dispatcher: the one place where a handler's value or -errno
 * becomes the Linux ABI's rax. The user-thread loop (process issue) calls
 * syscall_dispatch for every TRAP_SYSCALL.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sys/syscall_table.h"

struct user_regs;

/*
 * Runs the syscall described by `regs` (number in orig_rax, the trap's
 * contract; arguments in rdi, rsi, rdx, r10, r8, r9) and stores the
 * result in rax: the value, or -errno as is (as Linux). Unknown,
 * unimplemented and out-of-range numbers give -ENOSYS and are counted.
 * Traces the call when tracing is on. May sleep (the handler may).
 */
void syscall_dispatch(struct syscall_context *ctx, struct user_regs *regs);

/*
 * How many calls to number `nr` got -ENOSYS because nothing implements
 * it; numbers outside the table share one counter, read with
 * nr >= SYSCALL_TABLE_SIZE. Any context.
 */
uint64_t syscall_unimplemented_count(uint64_t nr);

/*
 * Prints each unimplemented syscall that was called, with its name and
 * count, then the out-of-range count if any. Any context that may print.
 */
void syscall_unimplemented_report(void);
