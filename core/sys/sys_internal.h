/*
 * Handlers of the syscall table, shared inside core/sys only. Each takes
 * the caller's context and the raw arguments and returns the call's value
 * or -errno (see struct syscall_desc). One file per family: sys_info.c,
 * sys_random.c, sys_sched.c.
 */
#pragma once

#include "core/sys/syscall_table.h"

long sys_uname(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getrandom(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_sched_yield(struct syscall_context *ctx,
		     const struct syscall_args *args);
long sys_getcpu(struct syscall_context *ctx, const struct syscall_args *args);
