/*
 * The process's place in the name space (chdir, fchdir, chroot, getcwd),
 * sync, syncfs, fsync, fdatasync, mount, umount2 and the xattr family,
 * through the dispatcher.
 */
#include "sys_file_helpers.h"

static void assert_cwd(const char *expected)
{
	char got[256];
	long length = SYS(NR_getcwd, UBUF, sizeof(got));

	cr_assert_eq(length, (long)strlen(expected) + 1, "getcwd = %ld",
		     length);
	uget(got, UBUF, (size_t)length);
	cr_assert_str_eq(got, expected);
}

FILE_TEST(sys_file_fs, chdir_and_getcwd)
{
	assert_cwd("/");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a/bb", 0755), 0);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/a/bb")), 0);
	assert_cwd("/a/bb");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "..")), 0);
	assert_cwd("/a");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/none")), -ENOENT);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "")), -ENOENT);
	vt_write_file(R, "/f", "x");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/f")), -ENOTDIR);
	cr_assert_eq(SYS(NR_chdir, 0), -EFAULT);
	assert_cwd("/a");
}

FILE_TEST(sys_file_fs, getcwd_errors)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/dir", 0755), 0);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/dir")), 0);
	/* Host: "/dir" and its NUL need 5 bytes. */
	cr_assert_eq(SYS(NR_getcwd, UBUF, 0), -ERANGE);
	cr_assert_eq(SYS(NR_getcwd, UBUF, 4), -ERANGE);
	cr_assert_eq(SYS(NR_getcwd, UBUF, 5), 5);
	cr_assert_eq(SYS(NR_getcwd, 0, 64), -EFAULT);
	cr_assert_eq(SYS(NR_getcwd, UNMAPPED, 64), -EFAULT);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/dir", AT_REMOVEDIR), 0);
	cr_assert_eq(SYS(NR_getcwd, UBUF, 64), -ENOENT, "removed cwd");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/")), 0);
}

FILE_TEST(sys_file_fs, getcwd_through_mounts)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(SYS(NR_mount, ustr(UPATH, "none"), ustr(UPATH2, "/mnt"),
			 ustr(UBUF + 3000, "tmpfs"), 0, 0), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/in", 0755), 0);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/mnt/in")), 0);
	assert_cwd("/mnt/in");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/mnt")), 0);
	assert_cwd("/mnt");
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/mnt"), 0), -EBUSY,
		     "our cwd is in it");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/")), 0);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/mnt"), 0), 0);
}

FILE_TEST(sys_file_fs, fchdir)
{
	int dir, fd, fds[2];

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	dir = uopen_ok("/d", O_RDONLY, 0);
	fd = uopen_ok("/d/f", O_CREAT | O_RDWR, 0644);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_fchdir, dir), 0);
	assert_cwd("/d");
	cr_assert_eq(SYS(NR_fchdir, fd), -ENOTDIR);
	cr_assert_eq(SYS(NR_fchdir, fds[0]), -ENOTDIR);
	cr_assert_eq(SYS(NR_fchdir, 999), -EBADF);
}

FILE_TEST(sys_file_fs, chroot_and_the_unreachable_cwd)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/jail", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/jail/sub", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/out", 0755), 0);
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/out")), 0);
	cr_assert_eq(SYS(NR_chroot, ustr(UPATH, "/jail")), 0);
	/* Linux: a cwd outside the root reads "(unreachable)/...". */
	assert_cwd("(unreachable)/out");
	cr_assert_eq(SYS(NR_chdir, ustr(UPATH, "/sub")), 0);
	assert_cwd("/sub");
	cr_assert_eq(SYS(NR_chroot, ustr(UPATH, "")), -ENOENT);
	cr_assert_eq(SYS(NR_chroot, ustr(UPATH, "/none")), -ENOENT);
	file_test_use(U);
	cr_assert_eq(SYS(NR_chroot, ustr(UPATH, "/")), -EPERM);
}

FILE_TEST(sys_file_fs, sync_calls)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int dir = uopen_ok("/", O_RDONLY, 0);
	int fds[2];

	upipe(fds, 0);
	cr_assert_eq(SYS0(NR_sync), 0);
	cr_assert_eq(SYS(NR_syncfs, fd), 0);
	cr_assert_eq(SYS(NR_syncfs, 999), -EBADF);
	cr_assert_eq(SYS(NR_fsync, fd), 0);
	cr_assert_eq(SYS(NR_fsync, dir), 0);
	cr_assert_eq(SYS(NR_fdatasync, fd), 0);
	cr_assert_eq(SYS(NR_fsync, 999), -EBADF);
	/* Host: a pipe has nothing to sync, -EINVAL. */
	cr_assert_eq(SYS(NR_fsync, fds[0]), -EINVAL);
	cr_assert_eq(SYS(NR_fdatasync, fds[1]), -EINVAL);
}

FILE_TEST(sys_file_fs, mount_and_umount2)
{
	uaddr_t tmpfs = ustr(UBUF + 3000, "tmpfs");

	cr_assert_eq(vfs_mkdirat(R, NULL, "/m", 0755), 0);
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/none"), tmpfs, 0, 0),
		     -ENOENT);
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/m"),
			 ustr(UBUF + 3100, "nosuchfs"), 0, 0), -ENODEV);
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/m"), 0, 0, 0), -EINVAL,
		     "a new mount needs a type");
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/m"), tmpfs,
			 0xc0ed0000, ustr(UBUF + 3200, "mode=700")), 0,
		     "the old MS_MGC_VAL magic is ignored");
	cr_assert_eq(vt_stat(R, "/m").st_mode, S_IFDIR | 0700, "options");
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/m"), 0x100), -EINVAL);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/none"), 0), -ENOENT);
	file_test_use(U);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/m"), 0), -EPERM);
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/m"), tmpfs, 0, 0),
		     -EPERM);
	file_test_use(R);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/m"), 0), 0);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/m"), 0), -EINVAL,
		     "not a mount point any more");
}

FILE_TEST(sys_file_fs, bind_mount)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/src", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/dst", 0755), 0);
	vt_write_file(R, "/src/f", "x");
	cr_assert_eq(SYS(NR_mount, 0, ustr(UPATH, "/dst"), 0, MS_BIND, 0),
		     -EINVAL, "a bind mount needs a source");
	cr_assert_eq(SYS(NR_mount, ustr(UPATH2, "/src"), ustr(UPATH, "/dst"),
			 0, MS_BIND, 0), 0);
	cr_assert_eq(vt_stat_err(R, "/dst/f"), 0);
	cr_assert_eq(SYS(NR_umount2, ustr(UPATH, "/dst"), 0), 0);
}

FILE_TEST(sys_file_fs, xattrs_are_absent)
{
	uaddr_t name = ustr(UBUF + 3000, "user.x");
	uaddr_t none = ustr(UPATH2, "/none");
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int opath = uopen_ok("/f", O_PATH, 0);
	uaddr_t f = ustr(UPATH, "/f");

	cr_assert_eq(SYS(NR_getxattr, f, name, UBUF, 64), -ENODATA);
	cr_assert_eq(SYS(NR_lgetxattr, f, name, UBUF, 64), -ENODATA);
	cr_assert_eq(SYS(NR_fgetxattr, fd, name, UBUF, 64), -ENODATA);
	cr_assert_eq(SYS(NR_listxattr, f, UBUF, 64), 0);
	cr_assert_eq(SYS(NR_llistxattr, f, 0, 0), 0);
	cr_assert_eq(SYS(NR_flistxattr, fd, UBUF, 64), 0);
	cr_assert_eq(SYS(NR_setxattr, f, name, UBUF, 1, 0), -EOPNOTSUPP);
	cr_assert_eq(SYS(NR_lsetxattr, f, name, UBUF, 1, 0), -EOPNOTSUPP);
	cr_assert_eq(SYS(NR_fsetxattr, fd, name, UBUF, 1, 0), -EOPNOTSUPP);
	cr_assert_eq(SYS(NR_removexattr, f, name), -ENODATA);
	cr_assert_eq(SYS(NR_lremovexattr, f, name), -ENODATA);
	cr_assert_eq(SYS(NR_fremovexattr, fd, name), -ENODATA);
	/* The lookup errors come first, and are never -ENOSYS. */
	cr_assert_eq(SYS(NR_getxattr, none, name, UBUF, 64), -ENOENT);
	cr_assert_eq(SYS(NR_listxattr, none, UBUF, 64), -ENOENT);
	cr_assert_eq(SYS(NR_removexattr, none, name), -ENOENT);
	cr_assert_eq(SYS(NR_fgetxattr, 999, name, UBUF, 64), -EBADF);
	cr_assert_eq(SYS(NR_flistxattr, opath, UBUF, 64), -EBADF);
	cr_assert_eq(SYS(NR_getxattr, 0, name, UBUF, 64), -EFAULT);
}

FILE_TEST(sys_file_fs, xattr_argument_order)
{
	uaddr_t name = ustr(UBUF + 3000, "user.x");
	uaddr_t empty = ustr(UBUF + 3100, "");
	uaddr_t none = ustr(UPATH2, "/none");
	char longname[300];

	/* Host: flags, then the name (-ERANGE), then the value, then the
	 * file; so a missing file loses to a bad name. */
	cr_assert_eq(SYS(NR_setxattr, none, name, UBUF, 1, 4), -EINVAL);
	cr_assert_eq(SYS(NR_setxattr, none, empty, UBUF, 1, 0), -ERANGE);
	cr_assert_eq(SYS(NR_setxattr, none, name, UBUF, 70000, 0), -E2BIG);
	cr_assert_eq(SYS(NR_setxattr, none, name, 0, 1, 0), -EFAULT);
	cr_assert_eq(SYS(NR_setxattr, none, name, 0, 0, 0), -ENOENT);
	cr_assert_eq(SYS(NR_removexattr, none, empty), -ERANGE);
	cr_assert_eq(SYS(NR_fgetxattr, 999, empty, 0, 0), -ERANGE);
	memset(longname, 'a', sizeof(longname));
	longname[299] = '\0';
	uput(UBUF + 4000, longname, sizeof(longname));
	cr_assert_eq(SYS(NR_getxattr, none, UBUF + 4000, 0, 0), -ERANGE);
	cr_assert_eq(SYS(NR_getxattr, none, 0, 0, 0), -EFAULT);
}
