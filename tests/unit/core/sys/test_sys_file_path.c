/*
 * Syscalls that name files, through the dispatcher: open, openat, creat,
 * mkdir(at), mknod(at), rmdir, unlink(at), link(at), symlink(at),
 * readlink(at), rename(at/at2), access, faccessat(2); and the path and
 * dirfd rules every *at call shares (sys_at_get).
 */
#include <stdlib.h>

#include "sys_file_helpers.h"

#define AT_EACCESS 0x200
#define FASYNC 020000

FILE_TEST(sys_file_path, open_creates_and_finds)
{
	int fd = uopen_ok("/f", O_CREAT | O_EXCL | O_WRONLY, 0640);
	struct stat st = vt_stat(R, "/f");

	cr_assert_eq(st.st_mode, S_IFREG | 0640, "umask 022 keeps 0640");
	cr_assert_eq(uopen("/f", O_CREAT | O_EXCL | O_WRONLY, 0640), -EEXIST);
	cr_assert_eq(uopen("/missing", O_RDONLY, 0), -ENOENT);
	cr_assert_eq(uopen("/f/x", O_RDONLY, 0), -ENOTDIR);
	cr_assert_eq(uopen("/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	cr_assert_eq(SYS(NR_open, ustr(UPATH, "/f"), O_RDONLY), fd + 1);
	cr_assert_eq(SYS(NR_creat, ustr(UPATH, "/g"), 0600), fd + 2);
	cr_assert_eq(vt_stat(R, "/g").st_mode, S_IFREG | 0600);
	cr_assert_eq(SYS(NR_write, fd + 2, UBUF, 1), 1, "creat is O_WRONLY");
	cr_assert_eq(SYS(NR_read, fd + 2, UBUF, 1), -EBADF);
}

FILE_TEST(sys_file_path, open_flags)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR | O_CLOEXEC, 0644);

	cr_assert_eq(SYS(NR_fcntl, fd, 1), FD_CLOEXEC, "F_GETFD");
	/* Host: open(2) drops unknown bits, and O_ASYNC does not fail. */
	cr_assert_geq(uopen("/", O_RDONLY | 0x40000000, 0), 0);
	cr_assert_geq(uopen("/", O_RDONLY | FASYNC, 0), 0);
	cr_assert_eq(uopen("/", 3, 0), -EISDIR, "O_ACCMODE wants writing");
	cr_assert_eq(uopen("/", O_CREAT | O_DIRECTORY, 0), -EINVAL);
	cr_assert_eq(uopen("/f", O_TRUNC | O_RDONLY, 0), fd + 3);
}

FILE_TEST(sys_file_path, paths_are_copied_with_limits)
{
	char *path = malloc(PATH_MAX + 1);

	cr_assert_eq(SYS(NR_open, 0, O_RDONLY), -EFAULT);
	cr_assert_eq(SYS(NR_open, UNMAPPED, O_RDONLY), -EFAULT);
	memset(path, 'a', 8);
	uput(SYS_TEST_END - 8, path, 8);
	cr_assert_eq(SYS(NR_open, SYS_TEST_END - 8, O_RDONLY), -EFAULT,
		     "no NUL before the hole");
	cr_assert_eq(uopen("", O_RDONLY, 0), -ENOENT);
	/* 4095 bytes and a NUL fit PATH_MAX; "////..." is just "/". */
	memset(path, '/', PATH_MAX);
	path[PATH_MAX - 1] = '\0';
	uput(UBUF, path, PATH_MAX);
	cr_assert_geq(SYS(NR_open, UBUF, O_RDONLY), 0);
	path[PATH_MAX - 1] = '/';
	uput(UBUF, path, PATH_MAX);
	cr_assert_eq(SYS(NR_open, UBUF, O_RDONLY), -ENAMETOOLONG,
		     "no NUL within PATH_MAX");
	memset(path, 'a', 300);
	path[300] = '\0';
	cr_assert_eq(uopen(path, O_RDONLY, 0), -ENAMETOOLONG, "> NAME_MAX");
	free(path);
}

FILE_TEST(sys_file_path, dirfd_rules)
{
	int dir, file, opath;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/d/in", "x");
	dir = uopen_ok("/d", O_RDONLY | O_DIRECTORY, 0);
	file = uopen_ok("/d/in", O_RDONLY, 0);
	opath = uopen_ok("/d", O_PATH, 0);
	cr_assert_geq(SYS(NR_openat, dir, ustr(UPATH, "in"), O_RDONLY), 0);
	cr_assert_geq(SYS(NR_openat, opath, ustr(UPATH, "in"), O_RDONLY), 0,
		      "an O_PATH directory works as dirfd");
	cr_assert_eq(SYS(NR_openat, file, ustr(UPATH, "x"), O_RDONLY),
		     -ENOTDIR);
	cr_assert_eq(SYS(NR_openat, 999, ustr(UPATH, "x"), O_RDONLY), -EBADF);
	cr_assert_eq(SYS(NR_openat, -5, ustr(UPATH, "x"), O_RDONLY), -EBADF);
	/* Host: "" is -ENOENT before the dirfd is looked at. */
	cr_assert_eq(SYS(NR_openat, 999, ustr(UPATH, ""), O_RDONLY), -ENOENT);
	cr_assert_geq(SYS(NR_openat, 999, ustr(UPATH, "/d/in"), O_RDONLY), 0,
		      "an absolute path ignores dirfd");
	cr_assert_eq(SYS(NR_mkdirat, 999, ustr(UPATH, "/d/abs"), 0755), 0);
	cr_assert_eq(SYS(NR_openat, dir, 0, O_RDONLY), -EFAULT);
}

FILE_TEST(sys_file_path, relative_to_the_cwd)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/d")), 0);
	cr_assert_geq(uopen("here", O_CREAT | O_RDWR, 0644), 0);
	cr_assert_eq(vt_stat_err(R, "/d/here"), 0);
}

FILE_TEST(sys_file_path, mkdir_and_rmdir)
{
	cr_assert_eq(SYS(NR_mkdir, ustr(UPATH, "/d"), 0777), 0);
	cr_assert_eq(vt_stat(R, "/d").st_mode, S_IFDIR | 0755, "umask");
	cr_assert_eq(SYS(NR_mkdir, ustr(UPATH, "/d"), 0777), -EEXIST);
	cr_assert_eq(SYS(NR_mkdir, ustr(UPATH, "/no/d"), 0777), -ENOENT);
	cr_assert_eq(SYS(NR_mkdir, 0, 0777), -EFAULT);
	cr_assert_eq(SYS(NR_mkdirat, AT_FDCWD, ustr(UPATH, "/d/e"), 0700), 0);
	cr_assert_eq(SYS(NR_rmdir, ustr(UPATH, "/d")), -ENOTEMPTY);
	cr_assert_eq(SYS(NR_unlinkat, AT_FDCWD, ustr(UPATH, "/d/e"),
			 AT_REMOVEDIR), 0);
	cr_assert_eq(SYS(NR_rmdir, ustr(UPATH, "/d")), 0);
	cr_assert_eq(SYS(NR_rmdir, ustr(UPATH, "/d")), -ENOENT);
}

FILE_TEST(sys_file_path, mknod_types)
{
	/* Host: may_mknod runs before the path: a directory is -EPERM. */
	cr_assert_eq(SYS(NR_mknod, 0, S_IFDIR | 0755, 0), -EPERM);
	cr_assert_eq(SYS(NR_mknod, 0, 0170000 | 0755, 0), -EINVAL);
	cr_assert_eq(SYS(NR_mknod, ustr(UPATH, "/reg"), 0644, 0), 0);
	cr_assert_eq(vt_stat(R, "/reg").st_mode, S_IFREG | 0644);
	cr_assert_eq(SYS(NR_mknodat, AT_FDCWD, ustr(UPATH, "/fifo"),
			 S_IFIFO | 0600, 0), 0);
	cr_assert_eq(vt_stat(R, "/fifo").st_mode, S_IFIFO | 0600);
	/* dev_t 0x0501: major 5, minor 1 (Linux's old encoding). */
	cr_assert_eq(SYS(NR_mknod, ustr(UPATH, "/con"), S_IFCHR | 0600,
			 0x0501), 0);
	cr_assert_eq(vt_stat(R, "/con").st_rdev, 0x0501);
	file_test_use(U);
	cr_assert_eq(SYS(NR_mknod, ustr(UPATH, "/tmpcon"), S_IFCHR | 0600,
			 0x0501), -EPERM, "CAP_MKNOD");
}

FILE_TEST(sys_file_path, unlink_and_flags)
{
	vt_write_file(R, "/f", "x");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(SYS(NR_unlinkat, AT_FDCWD, ustr(UPATH, "/f"), 0x1),
		     -EINVAL);
	cr_assert_eq(SYS(NR_unlinkat, AT_FDCWD, 0, 0x1), -EINVAL,
		     "flags before the path");
	cr_assert_eq(SYS(NR_unlink, ustr(UPATH, "/d")), -EISDIR);
	cr_assert_eq(SYS(NR_rmdir, ustr(UPATH, "/f")), -ENOTDIR);
	cr_assert_eq(SYS(NR_unlink, ustr(UPATH, "/f")), 0);
	cr_assert_eq(SYS(NR_unlink, ustr(UPATH, "/f")), -ENOENT);
	cr_assert_eq(SYS(NR_unlink, ustr(UPATH, "")), -ENOENT);
}

FILE_TEST(sys_file_path, link_and_linkat)
{
	int fd;

	vt_write_file(R, "/f", "x");
	cr_assert_eq(SYS(NR_link, ustr(UPATH, "/f"), ustr(UPATH2, "/g")), 0);
	cr_assert_eq(vt_stat(R, "/f").st_nlink, 2);
	cr_assert_eq(SYS(NR_link, ustr(UPATH, "/f"), ustr(UPATH2, "/g")),
		     -EEXIST);
	cr_assert_eq(SYS(NR_linkat, AT_FDCWD, ustr(UPATH, "/f"), AT_FDCWD,
			 ustr(UPATH2, "/h"), 0x1), -EINVAL);
	cr_assert_eq(SYS(NR_linkat, 999, ustr(UPATH, ""), AT_FDCWD,
			 ustr(UPATH2, "/h"), AT_EMPTY_PATH), -EBADF);
	fd = uopen_ok("/f", O_RDONLY, 0);
	cr_assert_eq(SYS(NR_linkat, fd, ustr(UPATH, ""), AT_FDCWD,
			 ustr(UPATH2, "/h"), AT_EMPTY_PATH), 0,
		     "root links the descriptor's file");
	cr_assert_eq(vt_stat(R, "/f").st_nlink, 3);
}

FILE_TEST(sys_file_path, symlink_and_readlink)
{
	cr_assert_eq(SYS(NR_symlink, ustr(UPATH, "target"),
			 ustr(UPATH2, "/l")), 0);
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/l"), UBUF, 100), 6);
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/l"), UBUF + 100, 3), 3,
		     "truncated, not terminated");
	cr_assert_eq(SYS(NR_readlinkat, AT_FDCWD, ustr(UPATH, "/l"), UBUF, 100),
		     6);
	char got[6];

	uget(got, UBUF, 6);
	cr_assert_eq(memcmp(got, "target", 6), 0);
	/* Host: the size is checked before the path, even a missing one. */
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/none"), UBUF, 0), -EINVAL);
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/l"), UBUF, -1), -EINVAL);
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/"), UBUF, 10), -EINVAL,
		     "not a link");
	cr_assert_eq(SYS(NR_readlink, ustr(UPATH, "/l"), UNMAPPED, 10),
		     -EFAULT);
	cr_assert_eq(SYS(NR_readlinkat, AT_FDCWD, ustr(UPATH, ""), UBUF, 10),
		     -ENOENT);
	cr_assert_eq(SYS(NR_symlink, ustr(UPATH, ""), ustr(UPATH2, "/e")),
		     -ENOENT, "an empty target");
	cr_assert_eq(SYS(NR_symlinkat, ustr(UPATH, "t"), 999,
			 ustr(UPATH2, "x")), -EBADF);
	cr_assert_eq(SYS(NR_symlink, ustr(UPATH, "t"), ustr(UPATH2, "/l")),
		     -EEXIST);
}

FILE_TEST(sys_file_path, readlinkat_empty_path_on_an_opath_link)
{
	int fd;

	cr_assert_eq(vfs_symlinkat(R, "dest", NULL, "/l"), 0);
	fd = uopen_ok("/l", O_PATH | O_NOFOLLOW, 0);
	cr_assert_eq(SYS(NR_readlinkat, fd, ustr(UPATH, ""), UBUF, 100), 4);
}

FILE_TEST(sys_file_path, rename_family)
{
	vt_write_file(R, "/a", "1");
	vt_write_file(R, "/b", "2");
	cr_assert_eq(SYS(NR_rename, ustr(UPATH, "/a"), ustr(UPATH2, "/c")), 0);
	cr_assert_eq(vt_stat_err(R, "/a"), -ENOENT);
	cr_assert_eq(SYS(NR_renameat2, AT_FDCWD, ustr(UPATH, "/c"), AT_FDCWD,
			 ustr(UPATH2, "/b"), RENAME_NOREPLACE), -EEXIST);
	cr_assert_eq(SYS(NR_renameat2, AT_FDCWD, ustr(UPATH, "/c"), AT_FDCWD,
			 ustr(UPATH2, "/b"), RENAME_EXCHANGE), 0);
	/* Host: both at once, or an unknown bit, before any path. */
	cr_assert_eq(SYS(NR_renameat2, AT_FDCWD, 0, AT_FDCWD, 0,
			 RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
	cr_assert_eq(SYS(NR_renameat2, AT_FDCWD, 0, AT_FDCWD, 0, 8), -EINVAL);
	cr_assert_eq(SYS(NR_renameat, 999, ustr(UPATH, "c"), AT_FDCWD,
			 ustr(UPATH2, "/d")), -EBADF);
	cr_assert_eq(SYS(NR_rename, ustr(UPATH, "/none"), ustr(UPATH2, "/d")),
		     -ENOENT);
}

FILE_TEST(sys_file_path, access_checks)
{
	vt_write_file(R, "/secret", "x");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/secret", 0600, 0), 0);
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/secret"), 4 | 2), 0);
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/secret"), 1), -EACCES,
		     "root needs some x bit to execute");
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/none"), 0), -ENOENT);
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/secret"), 8), -EINVAL);
	cr_assert_eq(SYS(NR_faccessat, AT_FDCWD, ustr(UPATH, "/"), 8),
		     -EINVAL);
	cr_assert_eq(SYS(NR_faccessat2, AT_FDCWD, 0, 8, 0), -EINVAL,
		     "mode before the path");
	cr_assert_eq(SYS(NR_faccessat2, AT_FDCWD, ustr(UPATH, "/"), 0, 0x1),
		     -EINVAL);
	cr_assert_eq(SYS(NR_faccessat2, AT_FDCWD, ustr(UPATH, "/secret"), 4,
			 AT_EACCESS), 0);
	file_test_use(U);
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/secret"), 4), -EACCES);
	cr_assert_eq(SYS(NR_access, ustr(UPATH, "/secret"), 0), 0, "F_OK");
}
