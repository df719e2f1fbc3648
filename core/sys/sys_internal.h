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

/* Processes (sys_proc.c), credentials (sys_cred.c), time (sys_time.c),
 * signals (sys_signal.c), sysinfo and futex (sys_misc.c), names (sys_info.c). */
long sys_getpid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_gettid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getppid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fork(struct syscall_context *ctx, const struct syscall_args *args);
long sys_vfork(struct syscall_context *ctx, const struct syscall_args *args);
long sys_clone(struct syscall_context *ctx, const struct syscall_args *args);
long sys_execve(struct syscall_context *ctx, const struct syscall_args *args);
long sys_execveat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_exit(struct syscall_context *ctx, const struct syscall_args *args);
long sys_exit_group(struct syscall_context *ctx, const struct syscall_args *args);
long sys_wait4(struct syscall_context *ctx, const struct syscall_args *args);
long sys_waitid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_set_tid_address(struct syscall_context *ctx, const struct syscall_args *args);
long sys_set_robust_list(struct syscall_context *ctx, const struct syscall_args *args);
long sys_arch_prctl(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getpgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getpgrp(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getsid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setpgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setsid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_prlimit64(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getrlimit(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setrlimit(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getrusage(struct syscall_context *ctx, const struct syscall_args *args);
long sys_umask(struct syscall_context *ctx, const struct syscall_args *args);
long sys_prctl(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sched_getaffinity(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_geteuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getegid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setreuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setregid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setresuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setresgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getresuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getresgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setfsuid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setfsgid(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getgroups(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setgroups(struct syscall_context *ctx, const struct syscall_args *args);
long sys_clock_gettime(struct syscall_context *ctx, const struct syscall_args *args);
long sys_clock_getres(struct syscall_context *ctx, const struct syscall_args *args);
long sys_gettimeofday(struct syscall_context *ctx, const struct syscall_args *args);
long sys_time(struct syscall_context *ctx, const struct syscall_args *args);
long sys_times(struct syscall_context *ctx, const struct syscall_args *args);
long sys_nanosleep(struct syscall_context *ctx, const struct syscall_args *args);
long sys_clock_nanosleep(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigaction(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigprocmask(struct syscall_context *ctx, const struct syscall_args *args);
long sys_kill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_tgkill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_tkill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sysinfo(struct syscall_context *ctx, const struct syscall_args *args);
long sys_futex(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sethostname(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setdomainname(struct syscall_context *ctx, const struct syscall_args *args);

/* Memory (sys_mm.c). */
long sys_mmap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_munmap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mprotect(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_brk(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mremap(struct syscall_context *ctx, const struct syscall_args *args);
long sys_madvise(struct syscall_context *ctx, const struct syscall_args *args);
long sys_msync(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mincore(struct syscall_context *ctx,
		 const struct syscall_args *args);
