/*
 * Handlers of the syscall table, shared inside core/sys only. Each takes
 * the caller's context and the raw arguments and returns the call's value
 * or -errno (see struct syscall_desc). One file per family: sys_info.c,
 * sys_random.c, sys_sched.c, sys_mm.c.
 */
#pragma once

#include "core/sys/syscall_table.h"

long sys_uname(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getrandom(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_sched_yield(struct syscall_context *ctx,
		     const struct syscall_args *args);
long sys_getcpu(struct syscall_context *ctx, const struct syscall_args *args);

/* Memory (sys_mm.c). */
long sys_mmap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_munmap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mprotect(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_brk(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mremap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_madvise(struct syscall_context *ctx, const struct syscall_args *args);
long sys_msync(struct syscall_context *ctx, const struct syscall_args *args);
