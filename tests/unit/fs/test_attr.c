/*
 * stat, statx, statfs, chmod, chown, utimensat and truncate, with Linux's
 * rules for set-id bits and time changes.
 */
#include "vfs_test.h"

VFS_TEST(vfs_attr, stat_and_statx_agree)
{
	struct statx stx;
	struct stat st;

	vt_write_file(R, "/f", "12345");
	st = vt_stat(R, "/f");
	cr_assert_eq(vfs_statx(R, NULL, "/f", 0, STATX_BASIC_STATS, &stx), 0);
	cr_assert_eq(stx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	cr_assert_eq(stx.stx_ino, st.st_ino);
	cr_assert_eq(stx.stx_size, 5);
	cr_assert_eq(st.st_size, 5);
	cr_assert_eq(stx.stx_nlink, 1);
	cr_assert_eq(stx.stx_mode, S_IFREG | 0644);
	cr_assert_eq(stx.stx_blocks, 8);
	cr_assert_eq((uint64_t)stx.stx_mtime.tv_sec, st.st_mtime_sec);
	cr_assert_eq(stx.stx_mtime.tv_nsec, st.st_mtime_nsec);
	cr_assert_gt(st.st_mtime_sec, 1600000000u);	/* a real wall clock */
	cr_assert_neq(stx.stx_mnt_id, 0);
	cr_assert_eq(((st.st_dev >> 8) & 0xfff), stx.stx_dev_major);
	cr_assert_eq(vfs_statx(R, NULL, "/f", 0x6000, 0, &stx), -EINVAL);
	cr_assert_eq(vfs_statx(R, NULL, "/f", 0, 0x80000000u, &stx), -EINVAL);
	cr_assert_eq(vfs_fstatat(R, NULL, "/f", &st, 0x1), -EINVAL);
}

VFS_TEST(vfs_attr, statfs_reports_tmpfs)
{
	struct statfs buf;

	cr_assert_eq(vfs_statfs(R, "/", &buf), 0);
	cr_assert_eq(buf.f_type, TMPFS_MAGIC);
	cr_assert_eq(buf.f_bsize, 4096);
	cr_assert_eq(buf.f_namelen, 255);
	cr_assert_gt(buf.f_blocks, 0);
	cr_assert_eq(buf.f_bfree, buf.f_blocks);
	vt_write_file(R, "/f", "x");
	cr_assert_eq(vfs_statfs(R, "/f", &buf), 0);
	cr_assert_eq(buf.f_bfree, buf.f_blocks - 1);
	cr_assert_eq(vfs_statfs(R, "/none", &buf), -ENOENT);
}

VFS_TEST(vfs_attr, chmod_rules)
{
	cr_assert_eq(vt_open_err(U, "/mine", O_CREAT | O_WRONLY, 0644), 0);
	vt_write_file(R, "/rootfile", "");
	cr_assert_eq(vfs_fchmodat(U, NULL, "/rootfile", 0777, 0), -EPERM);
	cr_assert_eq(vfs_fchmodat(U, NULL, "/mine", 04755, 0), 0);
	cr_assert_eq(vt_stat(R, "/mine").st_mode, S_IFREG | 04755);
	/* Set-gid for a group the caller is not in is dropped silently. */
	cr_assert_eq(vfs_fchownat(R, NULL, "/mine", -1, 4242, 0), 0);
	cr_assert_eq(vfs_fchmodat(U, NULL, "/mine", 02755, 0), 0);
	cr_assert_eq(vt_stat(R, "/mine").st_mode, S_IFREG | 0755);
	cr_assert_eq(vfs_symlinkat(R, "mine", NULL, "/lnk"), 0);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/lnk", 0644, AT_SYMLINK_NOFOLLOW),
		     -EOPNOTSUPP);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/lnk", 0600, 0), 0);
	cr_assert_eq(vt_stat(R, "/mine").st_mode, S_IFREG | 0600);
}

VFS_TEST(vfs_attr, chown_rules)
{
	cr_assert_eq(vt_open_err(U, "/mine", O_CREAT | O_WRONLY, 0644), 0);
	vt_write_file(R, "/rootfile", "");
	cr_assert_eq(vfs_fchownat(U, NULL, "/rootfile", 1000, -1, 0), -EPERM);
	cr_assert_eq(vfs_fchownat(U, NULL, "/mine", 1000, 1000, 0), 0);
	cr_assert_eq(vfs_fchownat(U, NULL, "/mine", -1, 2000, 0), 0);
	cr_assert_eq(vt_stat(R, "/mine").st_gid, 2000);
	cr_assert_eq(vfs_fchownat(U, NULL, "/mine", -1, 3000, 0), -EPERM);
	cr_assert_eq(vfs_fchownat(U, NULL, "/mine", 0, -1, 0), -EPERM);
	cr_assert_eq(vfs_fchownat(R, NULL, "/mine", 7, 8, 0), 0);
	cr_assert_eq(vt_stat(R, "/mine").st_uid, 7);
	cr_assert_eq(vt_stat(R, "/mine").st_gid, 8);
}

/* Linux: chown(-1, -1) by root drops set-uid, and set-gid with g+x. */
VFS_TEST(vfs_attr, chown_clears_set_id_bits)
{
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/f", 04755, 0), 0);
	cr_assert_eq(vfs_fchownat(R, NULL, "/f", -1, -1, 0), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 0755);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/f", 02775, 0), 0);
	cr_assert_eq(vfs_fchownat(R, NULL, "/f", -1, -1, 0), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 0775);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/f", 02765, 0), 0);
	cr_assert_eq(vfs_fchownat(R, NULL, "/f", -1, -1, 0), 0);
	cr_assert_eq(vt_stat(R, "/f").st_mode, S_IFREG | 02765);
}

VFS_TEST(vfs_attr, write_by_non_root_clears_set_id_bits)
{
	struct vfs_file *file;

	vt_write_file(R, "/suid", "");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/suid", 06777, 0), 0);
	/* Root (CAP_FSETID) keeps them. */
	vt_write_file(R, "/suid", "x");
	cr_assert_eq(vt_stat(R, "/suid").st_mode, S_IFREG | 06777);
	file = vt_open(U, "/suid", O_WRONLY, 0);
	cr_assert_eq(vfs_write(file, "x", 1), 1);
	vfs_file_put(file);
	cr_assert_eq(vt_stat(R, "/suid").st_mode, S_IFREG | 0777);
}

VFS_TEST(vfs_attr, utimensat_rules)
{
	const int64_t explicit[2][2] = { { 1, 500 }, { 2, 600 } };
	const int64_t now_omit[2][2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	const int64_t bad[2][2] = { { 0, 1000000000 }, { 0, 0 } };
	struct stat st;

	vt_write_file(R, "/worldw", "");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/worldw", 0666, 0), 0);
	vt_write_file(R, "/rootfile", "");
	cr_assert_eq(vfs_utimensat(R, NULL, "/worldw", explicit, 0), 0);
	st = vt_stat(R, "/worldw");
	cr_assert_eq(st.st_atime_sec, 1);
	cr_assert_eq(st.st_atime_nsec, 500);
	cr_assert_eq(st.st_mtime_sec, 2);
	cr_assert_eq(st.st_mtime_nsec, 600);
	cr_assert_eq(vfs_utimensat(U, NULL, "/worldw", NULL, 0), 0);
	cr_assert_gt(vt_stat(R, "/worldw").st_mtime_sec, 2);
	cr_assert_eq(vfs_utimensat(U, NULL, "/worldw", explicit, 0), -EPERM);
	cr_assert_eq(vfs_utimensat(U, NULL, "/worldw", now_omit, 0), -EPERM);
	cr_assert_eq(vfs_utimensat(U, NULL, "/rootfile", NULL, 0), -EACCES);
	cr_assert_eq(vfs_utimensat(R, NULL, "/worldw", bad, 0), -EINVAL);
	cr_assert_eq(vfs_utimensat(R, NULL, "/worldw", NULL, 0x8000), -EINVAL);
}

VFS_TEST(vfs_attr, truncate_rules)
{
	vt_write_file(R, "/f", "hello");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(vfs_truncate(R, "/f", 2), 0);
	cr_assert_eq(vt_stat(R, "/f").st_size, 2);
	cr_assert_eq(vfs_truncate(R, "/f", 1 << 20), 0);
	cr_assert_eq(vt_stat(R, "/f").st_size, 1 << 20);
	cr_assert_eq(vt_stat(R, "/f").st_blocks, 8);
	cr_assert_eq(vfs_truncate(R, "/d", 0), -EISDIR);
	cr_assert_eq(vfs_truncate(R, "/f", -1), -EINVAL);
	cr_assert_eq(vfs_truncate(U, "/f", 0), -EACCES);
	cr_assert_eq(vfs_truncate(R, "/none", 0), -ENOENT);
}
