/*
 * rename and renameat2: replacing, moving directories, the flags, and
 * Linux's errno for every refusal (values from Linux 6.18 tmpfs).
 */
#include "vfs_test.h"

static int rn(const char *from, const char *to, unsigned int flags)
{
	return vfs_renameat2(R, NULL, from, NULL, to, flags);
}

/* The tree Linux was probed with: d/sub, e/g, f. */
static void make_tree(void)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d/sub", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/e", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/e/g", 0755), 0);
	vt_write_file(R, "/f", "file");
}

VFS_TEST(vfs_rename, moves_and_replaces_files)
{
	char buf[16];
	uint64_t ino;

	make_tree();
	vt_write_file(R, "/d/victim", "old");
	ino = vt_stat(R, "/f").st_ino;
	cr_assert_eq(rn("/f", "/d/victim", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/f"), -ENOENT);
	cr_assert_eq(vt_stat(R, "/d/victim").st_ino, ino);
	cr_assert_eq(vt_read_file(R, "/d/victim", buf, sizeof(buf)), 4);
	cr_assert_eq(vt_stat(R, "/d").st_size, 80);
	cr_assert_eq(vt_stat(R, "/").st_size, 40 + 20 * 2);
}

VFS_TEST(vfs_rename, moves_directories_and_fixes_link_counts)
{
	make_tree();
	cr_assert_eq(rn("/d/sub", "/e/moved", 0), 0);
	cr_assert_eq(vt_stat(R, "/d").st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/e").st_nlink, 4);
	cr_assert_eq(vt_stat(R, "/e/moved/..").st_ino, vt_stat(R, "/e").st_ino);
	/* Replacing an empty directory. */
	cr_assert_eq(rn("/e/moved", "/e/g", 0), 0);
	cr_assert_eq(vt_stat(R, "/e").st_nlink, 3);
	cr_assert_eq(vt_stat_err(R, "/e/moved"), -ENOENT);
}

VFS_TEST(vfs_rename, refuses_as_linux_does)
{
	make_tree();
	cr_assert_eq(rn("/f", "/.", 0), -EBUSY);
	cr_assert_eq(rn("/.", "/x", 0), -EBUSY);
	cr_assert_eq(rn("/d/..", "/x", 0), -EBUSY);
	cr_assert_eq(rn("/f", "/d/..", 0), -EBUSY);
	cr_assert_eq(rn("/f", "/.", RENAME_NOREPLACE), -EEXIST);
	cr_assert_eq(rn("/d", "/d/sub/x", 0), -EINVAL);
	cr_assert_eq(rn("/d", "/d/sub", 0), -EINVAL);
	cr_assert_eq(rn("/d/sub", "/d", 0), -ENOTEMPTY);
	cr_assert_eq(rn("/d", "/d/x", 0), -EINVAL);
	cr_assert_eq(rn("/d/sub", "/d/sub/x", 0), -EINVAL);
	cr_assert_eq(rn("/f", "/e", 0), -EISDIR);
	cr_assert_eq(rn("/e", "/f", 0), -ENOTDIR);
	cr_assert_eq(rn("/d", "/e", 0), -ENOTEMPTY);
	cr_assert_eq(rn("/d/", "/f", 0), -ENOTDIR);
	cr_assert_eq(rn("/f", "/zz/", 0), -ENOTDIR);
	cr_assert_eq(rn("/f/", "/zz", 0), -ENOTDIR);
	cr_assert_eq(rn("/none", "/zz", 0), -ENOENT);
	cr_assert_eq(rn("/f", "/none/zz", 0), -ENOENT);
	cr_assert_eq(rn("/f", "/nope", RENAME_EXCHANGE), -ENOENT);
	cr_assert_eq(rn("/f", "/d", RENAME_NOREPLACE), -EEXIST);
	cr_assert_eq(rn("/f", "/d", RENAME_EXCHANGE | RENAME_NOREPLACE),
		     -EINVAL);
	cr_assert_eq(rn("/d", "/d/sub", RENAME_EXCHANGE), -EINVAL);
	cr_assert_eq(rn("/d/sub", "/d", RENAME_EXCHANGE), -EINVAL);
	cr_assert_eq(rn("/f", "/g", 0x80), -EINVAL);
	/* The same name, or two names of one inode: success, no change. */
	cr_assert_eq(rn("/d/sub", "/d/sub", 0), 0);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/f2", 0), 0);
	cr_assert_eq(rn("/f", "/f2", 0), 0);
	cr_assert_eq(vt_stat(R, "/f").st_nlink, 2);
}

VFS_TEST(vfs_rename, exchange_swaps_a_file_and_a_directory)
{
	uint64_t file_ino, dir_ino;

	make_tree();
	file_ino = vt_stat(R, "/f").st_ino;
	dir_ino = vt_stat(R, "/d/sub").st_ino;
	cr_assert_eq(rn("/f", "/d/sub", RENAME_EXCHANGE), 0);
	cr_assert_eq(vt_stat(R, "/f").st_ino, dir_ino);
	cr_assert_eq(vt_stat(R, "/d/sub").st_ino, file_ino);
	cr_assert(S_ISDIR(vt_stat(R, "/f").st_mode));
	/* The directory moved from /d to /: the ".." counts moved with it. */
	cr_assert_eq(vt_stat(R, "/d").st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/").st_nlink, 5);
	cr_assert_eq(vt_stat(R, "/f/..").st_ino, vt_stat(R, "/").st_ino);
}

VFS_TEST(vfs_rename, noreplace_moves_when_free)
{
	make_tree();
	cr_assert_eq(rn("/f", "/new", RENAME_NOREPLACE), 0);
	cr_assert_eq(vt_stat_err(R, "/new"), 0);
}

VFS_TEST(vfs_rename, open_file_follows_its_dentry)
{
	struct vfs_file *dir;
	struct stat st;

	make_tree();
	vt_write_file(R, "/d/sub/inside", "x");
	dir = vt_open(R, "/d/sub", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(rn("/d/sub", "/e/g/deep", 0), 0);
	cr_assert_eq(vfs_fstatat(R, dir, "inside", &st, 0), 0);
	cr_assert_eq(vfs_fstatat(R, dir, "..", &st, 0), 0);
	cr_assert_eq(st.st_ino, vt_stat(R, "/e/g").st_ino);
	vfs_file_put(dir);
}
