/*
 * Shared set-up for the file syscall tests (test_sys_file_*.c): a kernel
 * with a tmpfs root (tests/unit/fs/vfs_test.h, with its leak checks), an
 * address space with SYS_TEST_PAGES read-write pages at BASE, a
 * descriptor table, and a syscall context for root (uid 0) or for the
 * unprivileged test user (uid 1000). Calls go through syscall_dispatch
 * with fake user registers.
 *
 * Expected errno values come from running the same calls on the host
 * (Linux 6.18, x86_64; tmpfs in /tmp) with probe programs, as root and
 * as uid 1000; surprising ones say so where they are checked.
 */
#pragma once

#include "../../fs/vfs_test.h"
#include "../mm/vm_helpers.h"
#include "core/hal/user.h"
#include "core/include/uapi/fcntl.h"
#include "core/sys/dispatch.h"
#include "fs/fdtable.h"

#define BASE 0x40000000ULL
#define SYS_TEST_PAGES 16
#define SYS_TEST_END (BASE + SYS_TEST_PAGES * PAGE_SIZE)
#define TEST_FD_LIMIT 1024

/* Linux x86_64 syscall numbers used by the tests. */
enum {
	NR_read = 0, NR_write = 1, NR_open = 2, NR_close = 3, NR_stat = 4,
	NR_fstat = 5, NR_lstat = 6, NR_lseek = 8, NR_ioctl = 16,
	NR_pread64 = 17, NR_pwrite64 = 18, NR_readv = 19, NR_writev = 20,
	NR_access = 21, NR_pipe = 22, NR_dup = 32, NR_dup2 = 33,
	NR_fcntl = 72, NR_fsync = 74, NR_fdatasync = 75, NR_truncate = 76,
	NR_ftruncate = 77, NR_getdents = 78, NR_getcwd = 79, NR_chdir = 80,
	NR_fchdir = 81, NR_rename = 82, NR_mkdir = 83, NR_rmdir = 84,
	NR_creat = 85, NR_link = 86, NR_unlink = 87, NR_symlink = 88,
	NR_readlink = 89, NR_chmod = 90, NR_fchmod = 91, NR_chown = 92,
	NR_fchown = 93, NR_lchown = 94, NR_utime = 132, NR_mknod = 133,
	NR_statfs = 137, NR_fstatfs = 138, NR_chroot = 161, NR_sync = 162,
	NR_mount = 165, NR_umount2 = 166, NR_setxattr = 188,
	NR_lsetxattr = 189, NR_fsetxattr = 190, NR_getxattr = 191,
	NR_lgetxattr = 192, NR_fgetxattr = 193, NR_listxattr = 194,
	NR_llistxattr = 195, NR_flistxattr = 196, NR_removexattr = 197,
	NR_lremovexattr = 198, NR_fremovexattr = 199, NR_getdents64 = 217,
	NR_utimes = 235, NR_openat = 257, NR_mkdirat = 258, NR_mknodat = 259,
	NR_fchownat = 260, NR_futimesat = 261, NR_newfstatat = 262,
	NR_unlinkat = 263, NR_renameat = 264, NR_linkat = 265,
	NR_symlinkat = 266, NR_readlinkat = 267, NR_fchmodat = 268,
	NR_faccessat = 269, NR_utimensat = 280, NR_dup3 = 292,
	NR_pipe2 = 293, NR_syncfs = 306, NR_renameat2 = 316, NR_statx = 332,
	NR_faccessat2 = 439,
};

static struct address_space *as;
static struct syscall_context ctx;
static struct fd_table *files;

/* User addresses for path strings and buffers inside the mapping. */
#define UPATH (BASE)			/* first path: 4 KiB */
#define UPATH2 (BASE + PAGE_SIZE)	/* second path */
#define UBUF (BASE + 2 * PAGE_SIZE)	/* a buffer of 12 pages */
#define UBUF_SIZE ((SYS_TEST_PAGES - 2) * PAGE_SIZE)
#define UNMAPPED (SYS_TEST_END + 16 * PAGE_SIZE)

static inline void file_test_use(const struct vfs_caller *caller)
{
	ctx = (struct syscall_context){
		.as = as, .caller = caller, .files = files,
		.fd_limit = TEST_FD_LIMIT,
	};
}

static inline void file_test_setup(void)
{
	vt_init_cpus(1);
	as = vm_test_create();
	vm_test_map(as, BASE, SYS_TEST_PAGES * PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	files = fd_table_create();
	cr_assert_not_null(files);
	file_test_use(R);
}

static inline void file_test_teardown(void)
{
	fd_table_put(files);
	vm_put(as);
	vfs_test_fini();
}

#define FILE_TEST(suite, name) \
	Test(suite, name, .init = file_test_setup, .fini = file_test_teardown)

static inline long sys6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct user_regs regs = {
		.orig_rax = nr, .rax = 0x5a5a5a5a, .rdi = a0, .rsi = a1,
		.rdx = a2, .r10 = a3, .r8 = a4, .r9 = a5,
	};

	syscall_dispatch(&ctx, &regs);
	return (long)regs.rax;
}

#define SYS(nr, ...) sys_call_n(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys_call_n(nr, a, b, c, d, e, f, ...) \
	sys6(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), \
	     (uint64_t)(e), (uint64_t)(f))
#define SYS0(nr) sys6(nr, 0, 0, 0, 0, 0, 0)

/* Puts a NUL-terminated string at user address `at`; returns at. */
static inline uaddr_t ustr(uaddr_t at, const char *s)
{
	cr_assert_eq(vm_copy_to_user(as, at, s, strlen(s) + 1), 0);
	return at;
}

static inline void uput(uaddr_t at, const void *data, size_t length)
{
	cr_assert_eq(vm_copy_to_user(as, at, data, length), 0);
}

static inline void uget(void *data, uaddr_t at, size_t length)
{
	cr_assert_eq(vm_copy_from_user(as, data, at, length), 0);
}

/* openat(AT_FDCWD, path, flags, mode) through the syscall. */
static inline long uopen(const char *path, int flags, uint32_t mode)
{
	return SYS(NR_openat, AT_FDCWD, ustr(UPATH, path), flags, mode);
}

/* An open descriptor (asserted). */
static inline int uopen_ok(const char *path, int flags, uint32_t mode)
{
	long fd = uopen(path, flags, mode);

	cr_assert_geq(fd, 0, "open %s: %ld", path, fd);
	return (int)fd;
}

/* A pipe's two descriptors through pipe2 (asserted). */
static inline void upipe(int fds[2], int flags)
{
	cr_assert_eq(SYS(NR_pipe2, UBUF, flags), 0);
	uget(fds, UBUF, 2 * sizeof(int));
}
