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
long sys_getpriority(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setpriority(struct syscall_context *ctx, const struct syscall_args *args);
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
long sys_getitimer(struct syscall_context *ctx, const struct syscall_args *args);
long sys_alarm(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setitimer(struct syscall_context *ctx, const struct syscall_args *args);
long sys_restart_syscall(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigtimedwait(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigqueueinfo(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_tgsigqueueinfo(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigaction(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigprocmask(struct syscall_context *ctx, const struct syscall_args *args);
long sys_kill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_tgkill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_tkill(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sysinfo(struct syscall_context *ctx, const struct syscall_args *args);
long sys_futex(struct syscall_context *ctx, const struct syscall_args *args);
long sys_reboot(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sethostname(struct syscall_context *ctx, const struct syscall_args *args);
long sys_setdomainname(struct syscall_context *ctx, const struct syscall_args *args);
/*
 * The file syscall family (sys_fd.c, sys_rw.c, sys_path.c, sys_stat.c,
 * sys_fs.c, sys_xattr.c, sys_ioctl.c) and the helpers they share
 * (sys_at.c).
 */
struct vfs_file;

/*
 * The open file at descriptor `fd` (a referenced file; release with
 * vfs_file_put). Returns 0, -EBADF, or -ENOSYS without a descriptor table.
 */
int sys_fd_file(struct syscall_context *ctx, uint64_t fd,
		struct vfs_file **file);

/*
 * Copies the user path at `upath` into a new PATH_MAX buffer (*path;
 * release with kfree). Returns 0, -EFAULT, -ENAMETOOLONG (no NUL within
 * PATH_MAX bytes), -ENOMEM. An empty path is returned as such.
 */
int sys_path_copy(struct syscall_context *ctx, uaddr_t upath, char **path);

/* What an *at call names: a directory (or the cwd) and a path. */
struct sys_at {
	struct vfs_file *dir;	/* referenced; NULL: the cwd or absolute */
	char *path;		/* kmalloc'd copy */
	bool empty;		/* "" with AT_EMPTY_PATH: the call is on dir */
};

/*
 * Resolves an *at call's (dirfd, path) as Linux does: copies the path
 * (-EFAULT, -ENAMETOOLONG; "" gives -ENOENT unless `flags` has
 * AT_EMPTY_PATH, which also accepts a NULL path), ignores dirfd for an
 * absolute path, takes AT_FDCWD as the cwd, else the descriptor (-EBADF),
 * which must be a directory unless the path is empty (-ENOTDIR).
 * Returns 0 (release with sys_at_put) or -errno; -ENOSYS without a
 * caller or descriptor table.
 */
int sys_at_get(struct syscall_context *ctx, uint64_t dirfd, uaddr_t upath,
	       int flags, struct sys_at *at);
void sys_at_put(struct sys_at *at);

/* Whether the context has what file calls need (caller, files, as). */
bool sys_has_files(const struct syscall_context *ctx);

long sys_close(struct syscall_context *ctx, const struct syscall_args *args);
long sys_dup(struct syscall_context *ctx, const struct syscall_args *args);
long sys_dup2(struct syscall_context *ctx, const struct syscall_args *args);
long sys_dup3(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fcntl(struct syscall_context *ctx, const struct syscall_args *args);
long sys_pipe(struct syscall_context *ctx, const struct syscall_args *args);
long sys_pipe2(struct syscall_context *ctx, const struct syscall_args *args);

long sys_read(struct syscall_context *ctx, const struct syscall_args *args);
long sys_write(struct syscall_context *ctx, const struct syscall_args *args);
long sys_pread64(struct syscall_context *ctx,
		 const struct syscall_args *args);
long sys_pwrite64(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_readv(struct syscall_context *ctx, const struct syscall_args *args);
long sys_writev(struct syscall_context *ctx, const struct syscall_args *args);
long sys_lseek(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getdents(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_getdents64(struct syscall_context *ctx,
		    const struct syscall_args *args);

long sys_open(struct syscall_context *ctx, const struct syscall_args *args);
long sys_openat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_creat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mkdir(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mkdirat(struct syscall_context *ctx,
		 const struct syscall_args *args);
long sys_mknod(struct syscall_context *ctx, const struct syscall_args *args);
long sys_mknodat(struct syscall_context *ctx,
		 const struct syscall_args *args);
long sys_rmdir(struct syscall_context *ctx, const struct syscall_args *args);
long sys_unlink(struct syscall_context *ctx, const struct syscall_args *args);
long sys_unlinkat(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_link(struct syscall_context *ctx, const struct syscall_args *args);
long sys_linkat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_symlink(struct syscall_context *ctx,
		 const struct syscall_args *args);
long sys_symlinkat(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_readlink(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_readlinkat(struct syscall_context *ctx,
		    const struct syscall_args *args);
long sys_rename(struct syscall_context *ctx, const struct syscall_args *args);
long sys_renameat(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_renameat2(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_access(struct syscall_context *ctx, const struct syscall_args *args);
long sys_faccessat(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_faccessat2(struct syscall_context *ctx,
		    const struct syscall_args *args);

long sys_stat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fstat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_lstat(struct syscall_context *ctx, const struct syscall_args *args);
long sys_newfstatat(struct syscall_context *ctx,
		    const struct syscall_args *args);
long sys_statx(struct syscall_context *ctx, const struct syscall_args *args);
long sys_statfs(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fstatfs(struct syscall_context *ctx,
		 const struct syscall_args *args);
long sys_chmod(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fchmod(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fchmodat(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_chown(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fchown(struct syscall_context *ctx, const struct syscall_args *args);
long sys_lchown(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fchownat(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_truncate(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_ftruncate(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_utimensat(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_utimes(struct syscall_context *ctx, const struct syscall_args *args);
long sys_utime(struct syscall_context *ctx, const struct syscall_args *args);
long sys_futimesat(struct syscall_context *ctx,
		   const struct syscall_args *args);

long sys_chdir(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fchdir(struct syscall_context *ctx, const struct syscall_args *args);
long sys_chroot(struct syscall_context *ctx, const struct syscall_args *args);
long sys_getcwd(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sync(struct syscall_context *ctx, const struct syscall_args *args);
long sys_syncfs(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fsync(struct syscall_context *ctx, const struct syscall_args *args);
long sys_flock(struct syscall_context *ctx, const struct syscall_args *args);
long sys_fdatasync(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_mount(struct syscall_context *ctx, const struct syscall_args *args);
long sys_umount2(struct syscall_context *ctx,
		 const struct syscall_args *args);

long sys_setxattr(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_lsetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_fsetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_getxattr(struct syscall_context *ctx,
		  const struct syscall_args *args);
long sys_lgetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_fgetxattr(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_listxattr(struct syscall_context *ctx,
		   const struct syscall_args *args);
long sys_llistxattr(struct syscall_context *ctx,
		    const struct syscall_args *args);
long sys_flistxattr(struct syscall_context *ctx,
		    const struct syscall_args *args);
long sys_removexattr(struct syscall_context *ctx,
		     const struct syscall_args *args);
long sys_lremovexattr(struct syscall_context *ctx,
		      const struct syscall_args *args);
long sys_fremovexattr(struct syscall_context *ctx,
		      const struct syscall_args *args);

long sys_ioctl(struct syscall_context *ctx, const struct syscall_args *args);

/* Signals (sys_signal.c). */
long sys_rt_sigreturn(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigsuspend(struct syscall_context *ctx, const struct syscall_args *args);
long sys_pause(struct syscall_context *ctx, const struct syscall_args *args);
long sys_rt_sigpending(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sigaltstack(struct syscall_context *ctx, const struct syscall_args *args);
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

/* Readiness (sys_poll.c, sys_epoll.c) and sendfile (sys_rw.c). */
#define NO_DEADLINE UINT64_MAX
/* A relative timeout in ns as an absolute deadline (saturating). */
uint64_t sys_deadline_after(uint64_t ns);
/* Reads a timespec timeout (0: none) as a deadline; -EFAULT, -EINVAL. */
int sys_timespec_deadline(struct syscall_context *ctx, uaddr_t addr,
			  uint64_t *deadline);
/*
 * Installs a wait's signal mask (ppoll, pselect6, epoll_pwait) until the
 * return to user mode; mask_addr 0: none. -EINVAL for a size other than
 * 8, -EFAULT.
 */
int sys_set_wait_mask(struct syscall_context *ctx, uaddr_t mask_addr,
		      uint64_t size);
long sys_epoll_create(struct syscall_context *ctx, const struct syscall_args *args);
long sys_epoll_create1(struct syscall_context *ctx, const struct syscall_args *args);
long sys_epoll_ctl(struct syscall_context *ctx, const struct syscall_args *args);
long sys_epoll_wait(struct syscall_context *ctx, const struct syscall_args *args);
long sys_epoll_pwait(struct syscall_context *ctx, const struct syscall_args *args);
long sys_epoll_pwait2(struct syscall_context *ctx, const struct syscall_args *args);
long sys_eventfd(struct syscall_context *ctx, const struct syscall_args *args);
long sys_eventfd2(struct syscall_context *ctx, const struct syscall_args *args);
long sys_timerfd_create(struct syscall_context *ctx, const struct syscall_args *args);
long sys_timerfd_settime(struct syscall_context *ctx, const struct syscall_args *args);
long sys_timerfd_gettime(struct syscall_context *ctx, const struct syscall_args *args);
long sys_poll(struct syscall_context *ctx, const struct syscall_args *args);
long sys_ppoll(struct syscall_context *ctx, const struct syscall_args *args);
long sys_select(struct syscall_context *ctx, const struct syscall_args *args);
long sys_pselect6(struct syscall_context *ctx, const struct syscall_args *args);
long sys_sendfile(struct syscall_context *ctx, const struct syscall_args *args);
