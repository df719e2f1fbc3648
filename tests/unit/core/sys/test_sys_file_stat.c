/*
 * File attribute syscalls through the dispatcher: the stat family,
 * statx, statfs, chmod/chown families, truncate, the utime family; with
 * AT_EMPTY_PATH on regular files and on pipes, and the errno paths the
 * host's Linux gives.
 */
#include "sys_file_helpers.h"

#define AT_STATX_SYNC_TYPE 0x6000

static struct stat ustat_at(uaddr_t at)
{
	struct stat st;

	uget(&st, at, sizeof(st));
	return st;
}

FILE_TEST(sys_file_stat, stat_lstat_fstat)
{
	int fd;
	struct stat st;

	vt_write_file(R, "/f", "12345");
	cr_assert_eq(vfs_symlinkat(R, "/f", NULL, "/l"), 0);
	cr_assert_eq(SYS(NR_stat, ustr(UPATH, "/l"), UBUF), 0);
	st = ustat_at(UBUF);
	cr_assert_eq(st.st_mode, S_IFREG | 0644);
	cr_assert_eq(st.st_size, 5);
	cr_assert_eq(st.st_nlink, 1);
	cr_assert_eq(SYS(NR_lstat, ustr(UPATH, "/l"), UBUF), 0);
	cr_assert(S_ISLNK(ustat_at(UBUF).st_mode));
	fd = uopen_ok("/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_fstat, fd, UBUF + 512), 0);
	cr_assert_eq(ustat_at(UBUF + 512).st_ino, vt_stat(R, "/f").st_ino);
	cr_assert_eq(SYS(NR_fstat, 999, UBUF), -EBADF);
	cr_assert_eq(SYS(NR_fstat, fd, 0), -EFAULT);
	cr_assert_eq(SYS(NR_stat, ustr(UPATH, "/f"), SYS_TEST_END - 8),
		     -EFAULT);
	cr_assert_eq(SYS(NR_stat, ustr(UPATH, "/none"), UBUF), -ENOENT);
	cr_assert_eq(SYS(NR_stat, ustr(UPATH, ""), UBUF), -ENOENT);
}

FILE_TEST(sys_file_stat, newfstatat_dirfd_and_flags)
{
	int dir, fd;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/d/f", "x");
	dir = uopen_ok("/d", O_RDONLY, 0);
	fd = uopen_ok("/d/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_newfstatat, dir, ustr(UPATH, "f"), UBUF, 0), 0);
	cr_assert_eq(ustat_at(UBUF).st_size, 1);
	/* Host: bad flags come before the path, even a NULL one. */
	cr_assert_eq(SYS(NR_newfstatat, AT_FDCWD, 0, UBUF, 0x8000), -EINVAL);
	cr_assert_eq(SYS(NR_newfstatat, 999, ustr(UPATH, "x"), UBUF, 0),
		     -EBADF);
	cr_assert_eq(SYS(NR_newfstatat, 999, ustr(UPATH, "/d"), UBUF, 0), 0);
	cr_assert_eq(SYS(NR_newfstatat, fd, ustr(UPATH, "x"), UBUF, 0),
		     -ENOTDIR);
	cr_assert_eq(SYS(NR_newfstatat, fd, ustr(UPATH, ""), UBUF, 0),
		     -ENOENT);
	cr_assert_eq(SYS(NR_newfstatat, fd, ustr(UPATH, ""), UBUF,
			 AT_EMPTY_PATH), 0);
	cr_assert_eq(ustat_at(UBUF).st_size, 1);
	cr_assert_eq(SYS(NR_newfstatat, fd, 0, UBUF, AT_EMPTY_PATH), 0,
		     "Linux 6.11+: a NULL path with AT_EMPTY_PATH");
	cr_assert_eq(SYS(NR_newfstatat, 999, ustr(UPATH, ""), UBUF,
			 AT_EMPTY_PATH), -EBADF);
	cr_assert_eq(SYS(NR_newfstatat, AT_FDCWD, ustr(UPATH, ""), UBUF,
			 AT_EMPTY_PATH), 0, "the cwd");
	cr_assert(S_ISDIR(ustat_at(UBUF).st_mode));
}

FILE_TEST(sys_file_stat, pipes_stat_as_fifos)
{
	int fds[2];
	struct stat st;
	struct statfs sfs;

	upipe(fds, 0);
	ustr(UBUF + 2048, "abc");
	cr_assert_eq(SYS(NR_write, fds[1], UBUF + 2048, 3), 3);
	cr_assert_eq(SYS(NR_fstat, fds[0], UBUF), 0);
	st = ustat_at(UBUF);
	/* Host: prw-------, one link, size 0 even with data, blksize 4096. */
	cr_assert_eq(st.st_mode, S_IFIFO | 0600);
	cr_assert_eq(st.st_nlink, 1);
	cr_assert_eq(st.st_size, 0);
	cr_assert_eq(st.st_blksize, 4096);
	cr_assert_eq(st.st_uid, 0);
	cr_assert_eq(SYS(NR_newfstatat, fds[0], ustr(UPATH, ""), UBUF,
			 AT_EMPTY_PATH), 0);
	cr_assert_eq(ustat_at(UBUF).st_ino, st.st_ino);
	cr_assert_eq(SYS(NR_newfstatat, fds[0], ustr(UPATH, "x"), UBUF, 0),
		     -ENOTDIR);
	cr_assert_eq(SYS(NR_fstatfs, fds[0], UBUF), 0);
	uget(&sfs, UBUF, sizeof(sfs));
	cr_assert_eq(sfs.f_type, 0x50495045, "PIPEFS_MAGIC");
	cr_assert_eq(sfs.f_bsize, 4096);
	cr_assert_eq(sfs.f_namelen, 255);
}

FILE_TEST(sys_file_stat, statx_fills_and_checks)
{
	struct statx stx;
	int fds[2];

	vt_write_file(R, "/f", "12345");
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, ustr(UPATH, "/f"), 0,
			 STATX_BASIC_STATS, UBUF), 0);
	uget(&stx, UBUF, sizeof(stx));
	cr_assert_eq(stx.stx_size, 5);
	cr_assert_eq(stx.stx_mode, S_IFREG | 0644);
	cr_assert_eq(stx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, 0, AT_STATX_SYNC_TYPE, 0, UBUF),
		     -EINVAL, "both sync flags");
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, 0, 0x1, 0, UBUF), -EINVAL);
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, 0, 0, 0x80000000u, UBUF),
		     -EINVAL, "STATX__RESERVED");
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, 0, 0, 0, UBUF), -EFAULT);
	cr_assert_eq(SYS(NR_statx, AT_FDCWD, ustr(UPATH, "/f"), 0, 0, 0),
		     -EFAULT);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_statx, fds[1], 0, AT_EMPTY_PATH,
			 STATX_BASIC_STATS, UBUF), 0);
	uget(&stx, UBUF, sizeof(stx));
	cr_assert_eq(stx.stx_mode, S_IFIFO | 0600);
	cr_assert_eq(stx.stx_blksize, 4096);
}

FILE_TEST(sys_file_stat, statfs_of_tmpfs)
{
	struct statfs sfs;
	int fd = uopen_ok("/", O_RDONLY, 0);

	cr_assert_eq(SYS(NR_statfs, ustr(UPATH, "/"), UBUF), 0);
	uget(&sfs, UBUF, sizeof(sfs));
	cr_assert_eq(sfs.f_type, TMPFS_MAGIC);
	cr_assert_eq(SYS(NR_fstatfs, fd, UBUF), 0);
	cr_assert_eq(SYS(NR_statfs, ustr(UPATH, "/none"), UBUF), -ENOENT);
	cr_assert_eq(SYS(NR_statfs, ustr(UPATH, "/"), 0), -EFAULT);
	cr_assert_eq(SYS(NR_fstatfs, 999, UBUF), -EBADF);
}

FILE_TEST(sys_file_stat, chmod_family)
{
	int fd, dir;

	vt_write_file(R, "/f", "x");
	cr_assert_eq(SYS(NR_chmod, ustr(UPATH, "/f"), 04711), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 04711);
	fd = uopen_ok("/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_fchmod, fd, 0600), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 0600);
	dir = uopen_ok("/", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_fchmodat, dir, ustr(UPATH, "f"), 0640), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 0640);
	cr_assert_eq(SYS(NR_fchmod, 999, 0600), -EBADF);
	cr_assert_eq(SYS(NR_chmod, ustr(UPATH, "/none"), 0600), -ENOENT);
	file_test_use(U);
	cr_assert_eq(SYS(NR_chmod, ustr(UPATH, "/f"), 0777), -EPERM);
}

FILE_TEST(sys_file_stat, chown_family)
{
	int fd, fds[2];

	vt_write_file(R, "/f", "x");
	cr_assert_eq(vfs_symlinkat(R, "/f", NULL, "/l"), 0);
	cr_assert_eq(SYS(NR_chown, ustr(UPATH, "/l"), 1000, 1000), 0);
	cr_assert_eq(vt_stat(R, "/f").st_uid, 1000, "chown follows");
	cr_assert_eq(SYS(NR_lchown, ustr(UPATH, "/l"), 2000, -1), 0);
	cr_assert_eq(vt_stat(R, "/l").st_uid, 2000, "lchown does not");
	cr_assert_eq(vt_stat(R, "/f").st_uid, 1000);
	fd = uopen_ok("/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_fchown, fd, -1, 5), 0);
	cr_assert_eq(vt_stat(R, "/f").st_gid, 5);
	cr_assert_eq(SYS(NR_fchownat, AT_FDCWD, ustr(UPATH, "/"), 0, 0, 0x1),
		     -EINVAL);
	cr_assert_eq(SYS(NR_fchownat, fd, ustr(UPATH, ""), 7, -1,
			 AT_EMPTY_PATH), 0);
	cr_assert_eq(vt_stat(R, "/f").st_uid, 7);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_fchownat, fds[0], ustr(UPATH, ""), 9, 9,
			 AT_EMPTY_PATH), 0, "a pipe's inode");
	cr_assert_eq(SYS(NR_fstat, fds[0], UBUF), 0);
	cr_assert_eq(ustat_at(UBUF).st_uid, 9);
	cr_assert_eq(SYS(NR_fchown, 999, 0, 0), -EBADF);
	file_test_use(U);
	cr_assert_eq(SYS(NR_chown, ustr(UPATH, "/f"), 1000, 1000), -EPERM);
}

FILE_TEST(sys_file_stat, truncate_family)
{
	int fd, fds[2], dir;

	vt_write_file(R, "/f", "0123456789");
	cr_assert_eq(SYS(NR_truncate, ustr(UPATH, "/f"), 4), 0);
	cr_assert_eq(vt_stat(R, "/f").st_size, 4);
	fd = uopen_ok("/f", O_RDWR, 0);
	cr_assert_eq(SYS(NR_ftruncate, fd, 100), 0);
	cr_assert_eq(vt_stat(R, "/f").st_size, 100);
	/* Host: a negative length is -EINVAL before the path or fd. */
	cr_assert_eq(SYS(NR_truncate, 0, -1), -EINVAL);
	cr_assert_eq(SYS(NR_ftruncate, 999, -1), -EINVAL);
	cr_assert_eq(SYS(NR_ftruncate, 999, 0), -EBADF);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_ftruncate, fds[1], 0), -EINVAL);
	dir = uopen_ok("/", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_ftruncate, dir, 0), -EINVAL);
	cr_assert_eq(SYS(NR_truncate, ustr(UPATH, "/"), 0), -EISDIR);
	cr_assert_eq(SYS(NR_truncate, ustr(UPATH, "/none"), 0), -ENOENT);
}

FILE_TEST(sys_file_stat, utimensat_and_friends)
{
	int64_t times[2][2] = { { 1000, 5 }, { 2000, 6 } };
	int64_t tv[2][2] = { { 3000, 7 }, { 4000, 8 } };
	int64_t buf[2] = { 5000, 6000 };
	int fd, fds[2];
	struct stat st;

	vt_write_file(R, "/f", "x");
	uput(UBUF, times, sizeof(times));
	cr_assert_eq(SYS(NR_utimensat, AT_FDCWD, ustr(UPATH, "/f"), UBUF, 0),
		     0);
	st = vt_stat(R, "/f");
	cr_assert_eq(st.st_atime_sec, 1000);
	cr_assert_eq(st.st_mtime_nsec, 6);
	uput(UBUF, tv, sizeof(tv));
	cr_assert_eq(SYS(NR_utimes, ustr(UPATH, "/f"), UBUF), 0);
	st = vt_stat(R, "/f");
	cr_assert_eq(st.st_atime_sec, 3000);
	cr_assert_eq(st.st_mtime_nsec, 8000, "microseconds");
	uput(UBUF, buf, sizeof(buf));
	cr_assert_eq(SYS(NR_utime, ustr(UPATH, "/f"), UBUF), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mtime_sec, 6000);
	cr_assert_eq(SYS(NR_futimesat, AT_FDCWD, ustr(UPATH, "/f"), 0), 0);
	cr_assert_gt(vt_stat(R, "/f").st_mtime_sec, 6000, "NULL: now");

	fd = uopen_ok("/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_utimensat, fd, 0, 0, 0), 0, "futimens");
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_utimensat, fds[0], 0, 0, 0), 0, "host: a pipe");
	cr_assert_eq(SYS(NR_utimensat, AT_FDCWD, 0, 0, 0), -EFAULT);
	cr_assert_eq(SYS(NR_utimensat, AT_FDCWD, ustr(UPATH, "/f"), 0, 0x1),
		     -EINVAL);
	cr_assert_eq(SYS(NR_utimensat, AT_FDCWD, ustr(UPATH, "/f"), UNMAPPED,
			 0), -EFAULT);
	tv[0][1] = 1000000;
	uput(UBUF, tv, sizeof(tv));
	cr_assert_eq(SYS(NR_utimes, ustr(UPATH, "/f"), UBUF), -EINVAL);
	tv[0][1] = -1;
	uput(UBUF, tv, sizeof(tv));
	cr_assert_eq(SYS(NR_utimes, ustr(UPATH, "/f"), UBUF), -EINVAL);
	cr_assert_eq(SYS(NR_utimes, ustr(UPATH, "/f"), 0x10), -EFAULT);
	times[1][1] = 2000000000;
	uput(UBUF, times, sizeof(times));
	cr_assert_eq(SYS(NR_utimensat, AT_FDCWD, ustr(UPATH, "/f"), UBUF, 0),
		     -EINVAL);
}
