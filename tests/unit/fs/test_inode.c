/*
 * Permission checks as an unprivileged caller (uid 1000, gid 1000,
 * supplementary group 2000) and root's overrides, each expected errno
 * taken from Linux 6.18 with the same modes.
 */
#include "vfs_test.h"

#include "fs/vfs_fs.h"

static void make_root_files(void)
{
	vt_write_file(R, "/rootfile", "r");		/* 0644 */
	cr_assert_eq(vt_open_err(R, "/root600", O_CREAT | O_WRONLY, 0600), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/closed", 0700), 0);
	vt_write_file(R, "/closed/inner", "");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/noexecdir", 0666), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/rodir", 0555), 0);
}

VFS_TEST(vfs_perm, owner_group_other_bits)
{
	make_root_files();
	cr_assert_eq(vt_open_err(U, "/root600", O_RDONLY, 0), -EACCES);
	cr_assert_eq(vt_open_err(U, "/rootfile", O_WRONLY, 0), -EACCES);
	cr_assert_eq(vt_open_err(U, "/rootfile", O_RDONLY | O_TRUNC, 0),
		     -EACCES);
	cr_assert_eq(vt_open_err(U, "/rootfile", O_RDONLY, 0), 0);
	/* Group bits apply through a supplementary group. */
	cr_assert_eq(vfs_fchownat(R, NULL, "/root600", -1, 2000, 0), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/root600", 0640, 0), 0);
	cr_assert_eq(vt_open_err(U, "/root600", O_RDONLY, 0), 0);
	cr_assert_eq(vt_open_err(U, "/root600", O_WRONLY, 0), -EACCES);
	/* The owner class wins even when it grants less than other. */
	cr_assert_eq(vfs_fchownat(R, NULL, "/rootfile", 1000, -1, 0), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/rootfile", 0007, 0), 0);
	cr_assert_eq(vt_open_err(U, "/rootfile", O_RDONLY, 0), -EACCES);
}

VFS_TEST(vfs_perm, directory_search_and_write)
{
	make_root_files();
	cr_assert_eq(vt_open_err(U, "/closed/inner", O_RDONLY, 0), -EACCES);
	cr_assert_eq(vt_stat_err(U, "/closed/inner"), -EACCES);
	cr_assert_eq(vt_open_err(U, "/closed/new", O_CREAT | O_WRONLY, 0644),
		     -EACCES);
	cr_assert_eq(vt_stat_err(U, "/closed"), 0);
	/* Linux: "." is looked up in the directory, a trailing '/' is not. */
	cr_assert_eq(vt_stat_err(U, "/closed/."), -EACCES);
	cr_assert_eq(vt_stat_err(U, "/closed/"), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/", 0, 0), 0);
	cr_assert_eq(vt_stat_err(U, "/"), 0);
	cr_assert_eq(vt_stat_err(U, "/closed"), -EACCES);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/", 01777, 0), 0);
	cr_assert_eq(vt_open_err(U, "/noexecdir/x", O_RDONLY, 0), -EACCES);
	cr_assert_eq(vt_open_err(U, "/rodir/x", O_CREAT | O_WRONLY, 0644),
		     -EACCES);
	cr_assert_eq(vfs_mkdirat(U, NULL, "/rodir/x", 0755), -EACCES);
	cr_assert_eq(vfs_unlinkat(U, NULL, "/rodir/x", 0), -ENOENT);
	cr_assert_eq(vfs_mkdirat(U, NULL, "/rodir", 0755), -EEXIST);
	cr_assert_eq(vfs_unlinkat(U, NULL, "/rootfile", 0), -EPERM);
	cr_assert_eq(vfs_chdir(U, "/closed"), -EACCES);
}

VFS_TEST(vfs_perm, root_overrides_except_exec)
{
	struct vfs_file *file;

	make_root_files();
	cr_assert_eq(vfs_fchmodat(R, NULL, "/root600", 0, 0), 0);
	cr_assert_eq(vt_open_err(R, "/root600", O_RDWR, 0), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/closed", 0, 0), 0);
	cr_assert_eq(vt_stat_err(R, "/closed/inner"), 0);
	file = vt_open(R, "/rootfile", O_RDONLY, 0);
	cr_assert_eq(vfs_permission(&vt_root_cred, file->inode, VFS_MAY_EXEC),
		     -EACCES);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/rootfile", 0601, 0), 0);
	cr_assert_eq(vfs_permission(&vt_root_cred, file->inode, VFS_MAY_EXEC),
		     0);
	cr_assert_eq(vfs_permission(&vt_user_cred, file->inode, VFS_MAY_EXEC),
		     0);
	cr_assert_eq(vfs_permission(&vt_user_cred, file->inode, VFS_MAY_READ),
		     -EACCES);
	vfs_file_put(file);
}

VFS_TEST(vfs_perm, sticky_directory)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/sticky", 0777), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/sticky", 01777, 0), 0);
	vt_write_file(R, "/sticky/rootowned", "");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/sticky/rootowned", 0666, 0), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/sticky/rootdir", 0777), 0);
	cr_assert_eq(vt_open_err(U, "/sticky/mine", O_CREAT | O_WRONLY, 0644),
		     0);
	cr_assert_eq(vfs_unlinkat(U, NULL, "/sticky/rootowned", 0), -EPERM);
	cr_assert_eq(vfs_renameat2(U, NULL, "/sticky/rootowned", NULL,
				   "/sticky/x", 0), -EPERM);
	cr_assert_eq(vfs_unlinkat(U, NULL, "/sticky/rootdir", AT_REMOVEDIR),
		     -EPERM);
	cr_assert_eq(vfs_renameat2(U, NULL, "/sticky/mine", NULL,
				   "/sticky/rootowned", 0), -EPERM);
	cr_assert_eq(vfs_renameat2(U, NULL, "/sticky/mine", NULL,
				   "/sticky/mine2", 0), 0);
	cr_assert_eq(vfs_unlinkat(U, NULL, "/sticky/mine2", 0), 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/sticky/rootowned", 0), 0);
}

VFS_TEST(vfs_perm, setgid_directory_inheritance)
{
	struct stat st;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/sgid", 0777), 0);
	cr_assert_eq(vfs_fchownat(R, NULL, "/sgid", 0, 4242, 0), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/sgid", 02777, 0), 0);
	cr_assert_eq(vt_open_err(U, "/sgid/f", O_CREAT | O_WRONLY, 02755), 0);
	cr_assert_eq(vfs_mkdirat(U, NULL, "/sgid/d", 0755), 0);
	st = vt_stat(R, "/sgid/f");
	cr_assert_eq(st.st_mode, S_IFREG | 0755);
	cr_assert_eq(st.st_gid, 4242);
	st = vt_stat(R, "/sgid/d");
	cr_assert_eq(st.st_mode, S_IFDIR | 02755);
	cr_assert_eq(st.st_gid, 4242);
}

VFS_TEST(vfs_perm, protected_hardlinks)
{
	make_root_files();
	vt_write_file(R, "/worldw", "");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/worldw", 0666, 0), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/tmp", 0777), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/tmp", 01777, 0), 0);
	cr_assert_eq(vfs_linkat(U, NULL, "/root600", NULL, "/tmp/l", 0),
		     -EPERM);
	cr_assert_eq(vfs_linkat(U, NULL, "/worldw", NULL, "/tmp/l2", 0), 0);
}
