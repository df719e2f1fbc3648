/*
 * mkdir, mknod, unlink, rmdir, link, symlink: success paths, link counts
 * and Linux's errno for each failure.
 */
#include "vfs_test.h"

#include <stdio.h>

VFS_TEST(vfs_namespace, mkdir_counts_links_and_sizes)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0777), 0);
	cr_assert_eq(vt_stat(R, "/d").st_mode, S_IFDIR | 0755); /* umask */
	cr_assert_eq(vt_stat(R, "/d").st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/d").st_size, 40);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d/sub", 0755), 0);
	cr_assert_eq(vt_stat(R, "/d").st_nlink, 3);
	cr_assert_eq(vt_stat(R, "/d").st_size, 60);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d/sub", AT_REMOVEDIR), 0);
	cr_assert_eq(vt_stat(R, "/d").st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/d").st_size, 40);
}

VFS_TEST(vfs_namespace, mkdir_errors)
{
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/.", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/..", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/f", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/f/", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/no/d", 0755), -ENOENT);
}

VFS_TEST(vfs_namespace, rmdir_errors)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d/sub", 0755), 0);
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d/..", AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d/.", AT_REMOVEDIR), -EINVAL);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/", AT_REMOVEDIR), -EBUSY);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/f", AT_REMOVEDIR), -ENOTDIR);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d", AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/none", AT_REMOVEDIR), -ENOENT);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d/sub/", AT_REMOVEDIR), 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d", 0x1), -EINVAL);
}

VFS_TEST(vfs_namespace, unlink_errors)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d", 0), -EISDIR);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/d/", 0), -EISDIR);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/f/", 0), -ENOTDIR);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/.", 0), -EISDIR);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/nope/", 0), -ENOENT);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/nope", 0), -ENOENT);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/f", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/f"), -ENOENT);
}

VFS_TEST(vfs_namespace, unlinked_open_file_lives_until_closed)
{
	struct vfs_file *file;
	char buf[8] = { 0 };
	struct stat st;

	vt_write_file(R, "/f", "data");
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/f", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/f"), -ENOENT);
	cr_assert_eq(vfs_fstat(file, &st), 0);
	cr_assert_eq(st.st_nlink, 0);
	cr_assert_eq(vfs_pread(file, buf, 4, 0), 4);
	cr_assert_str_eq(buf, "data");
	/* A new file of the same name is a different inode. */
	vt_write_file(R, "/f", "new");
	cr_assert_neq(vt_stat(R, "/f").st_ino, st.st_ino);
	vfs_file_put(file);
}

VFS_TEST(vfs_namespace, hard_links_share_the_inode)
{
	char buf[16];

	vt_write_file(R, "/a", "shared");
	cr_assert_eq(vfs_linkat(R, NULL, "/a", NULL, "/b", 0), 0);
	cr_assert_eq(vt_stat(R, "/a").st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/a").st_ino, vt_stat(R, "/b").st_ino);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/a", 0), 0);
	cr_assert_eq(vt_stat(R, "/b").st_nlink, 1);
	cr_assert_eq(vt_read_file(R, "/b", buf, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "shared");
}

VFS_TEST(vfs_namespace, link_errors)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_linkat(R, NULL, "/d", NULL, "/dl", 0), -EPERM);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/f", 0), -EEXIST);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/f/", 0), -EEXIST);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/y/", 0), -ENOENT);
	cr_assert_eq(vfs_linkat(R, NULL, "/none", NULL, "/y", 0), -ENOENT);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/y", 0x1), -EINVAL);
	cr_assert_eq(vfs_linkat(U, NULL, "", NULL, "/y", AT_EMPTY_PATH),
		     -ENOENT);
}

VFS_TEST(vfs_namespace, link_follows_symlink_only_when_asked)
{
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_symlinkat(R, "f", NULL, "/s"), 0);
	cr_assert_eq(vfs_linkat(R, NULL, "/s", NULL, "/hs", 0), 0);
	cr_assert(S_ISLNK(vt_stat(R, "/hs").st_mode));
	cr_assert_eq(vfs_linkat(R, NULL, "/s", NULL, "/hf", AT_SYMLINK_FOLLOW),
		     0);
	cr_assert(S_ISREG(vt_stat(R, "/hf").st_mode));
	cr_assert_eq(vt_stat(R, "/f").st_nlink, 2);
}

VFS_TEST(vfs_namespace, mknod_types)
{
	struct stat st;

	cr_assert_eq(vfs_mknodat(R, NULL, "/chr", S_IFCHR | 0644,
				 (1u << 20) | 3), 0);
	st = vt_stat(R, "/chr");
	cr_assert(S_ISCHR(st.st_mode));
	cr_assert_eq(st.st_rdev, (1u << 8) | 3);	/* new_encode_dev */
	cr_assert_eq(vfs_mknodat(R, NULL, "/fifo", S_IFIFO | 0644, 0), 0);
	cr_assert(S_ISFIFO(vt_stat(R, "/fifo").st_mode));
	cr_assert_eq(vfs_mknodat(R, NULL, "/reg", 0644, 0), 0);
	cr_assert(S_ISREG(vt_stat(R, "/reg").st_mode));
	cr_assert_eq(vfs_mknodat(R, NULL, "/dd", S_IFDIR | 0644, 0), -EPERM);
	cr_assert_eq(vfs_mknodat(R, NULL, "/bad", 0170000 | 0644, 0), -EINVAL);
	cr_assert_eq(vfs_mknodat(U, NULL, "/tmpchr", S_IFCHR | 0644, 0),
		     -EPERM);
	/* Device nodes without a driver do not open. */
	cr_assert_eq(vfs_mknodat(R, NULL, "/nodrv", S_IFCHR | 0644,
				 (200u << 20) | 1), 0);
	cr_assert_eq(vt_open_err(R, "/nodrv", O_RDONLY, 0), -ENXIO);
	cr_assert_eq(vt_open_err(R, "/nodrv", O_PATH, 0), 0);
	/* FIFOs open as pipes (fs/pipe.c; tests/unit/fs/test_pipe.c). */
	cr_assert_eq(vt_open_err(R, "/fifo", O_WRONLY | O_NONBLOCK, 0), -ENXIO);
	cr_assert_eq(vt_open_err(R, "/fifo", O_RDONLY | O_NONBLOCK, 0), 0);
	/* 1:3 is /dev/null wherever its node lives. */
	cr_assert_eq(vt_open_err(R, "/chr", O_RDWR, 0), 0);
}

VFS_TEST(vfs_namespace, removed_directory_accepts_no_new_names)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/gone", 0755), 0);
	cr_assert_eq(vfs_chdir(R, "/gone"), 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/gone", AT_REMOVEDIR), 0);
	cr_assert_eq(vt_open_err(R, "x", O_CREAT | O_WRONLY, 0644), -ENOENT);
	cr_assert_eq(vfs_mkdirat(R, NULL, "y", 0755), -ENOENT);
	cr_assert_eq(vfs_chdir(R, "/"), 0);
}

VFS_TEST(vfs_namespace, big_directory_lookups)
{
	char name[32];
	struct vfs_file *dir;
	char buf[4096];
	ssize_t got;
	long seen = 0;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/big", 0755), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "/big/file-%d", i);
		cr_assert_eq(vt_open_err(R, name, O_CREAT | O_EXCL | O_WRONLY,
					 0644), 0);
	}
	cr_assert_eq(vt_stat(R, "/big").st_size, 40 + 20 * 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "/big/file-%d", i);
		cr_assert_eq(vt_stat_err(R, name), 0);
	}
	dir = vt_open(R, "/big", O_RDONLY | O_DIRECTORY, 0);
	while ((got = vfs_getdents64(dir, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			seen++;
			off += d->d_reclen;
		}
	}
	cr_assert_eq(got, 0);
	cr_assert_eq(seen, 5002);
	vfs_file_put(dir);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "/big/file-%d", i);
		cr_assert_eq(vfs_unlinkat(R, NULL, name, 0), 0);
	}
	cr_assert_eq(vfs_unlinkat(R, NULL, "/big", AT_REMOVEDIR), 0);
}
