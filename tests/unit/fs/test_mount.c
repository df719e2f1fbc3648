/*
 * The mount table: mounting, crossing mount points both ways, busy
 * detection, bind mounts, stacking, read-only mounts and EXDEV.
 */
#include "vfs_test.h"

static void mount_mnt(const char *options)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, options), 0);
}

VFS_TEST(vfs_mount, crossing_mount_points)
{
	struct stat root, mnt, up;

	mount_mnt(NULL);
	vt_write_file(R, "/mnt/inside", "x");
	root = vt_stat(R, "/");
	mnt = vt_stat(R, "/mnt");
	up = vt_stat(R, "/mnt/..");
	cr_assert_neq(mnt.st_dev, root.st_dev);
	cr_assert_eq(mnt.st_mode, S_IFDIR | 01777);
	cr_assert_eq(up.st_ino, root.st_ino);
	cr_assert_eq(up.st_dev, root.st_dev);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/sub", 0755), 0);
	cr_assert_eq(vt_stat(R, "/mnt/sub/../..").st_ino, root.st_ino);
	cr_assert_eq(vt_stat_err(R, "/mnt/inside/.."), -ENOTDIR);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/mnt/inside"), -ENOENT);
	cr_assert_eq(vt_stat(R, "/mnt").st_dev, root.st_dev);
}

VFS_TEST(vfs_mount, busy_and_invalid_unmounts)
{
	struct vfs_file *file;

	mount_mnt(NULL);
	vt_write_file(R, "/mnt/f", "x");
	file = vt_open(R, "/mnt/f", O_RDONLY, 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), -EBUSY);
	vfs_file_put(file);
	cr_assert_eq(vfs_chdir(U, "/mnt"), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), -EBUSY);
	cr_assert_eq(vfs_chdir(U, "/"), 0);
	cr_assert_eq(vfs_umount(U, "/mnt", 0), -EPERM);
	cr_assert_eq(vfs_umount(R, "/mnt/f", 0), -EINVAL);
	cr_assert_eq(vfs_umount(R, "/", 0), -EBUSY);
	cr_assert_eq(vfs_umount(R, "/none", 0), -ENOENT);
	cr_assert_eq(vfs_umount(R, "/mnt", 0x100), -EINVAL);
	cr_assert_eq(vfs_umount(R, "/mnt", MNT_DETACH), -EOPNOTSUPP);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/mnt", AT_REMOVEDIR), -EBUSY);
	cr_assert_eq(vfs_renameat2(R, NULL, "/mnt", NULL, "/m2", 0), -EBUSY);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), -EINVAL);
}

VFS_TEST(vfs_mount, mount_errors)
{
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/f", "tmpfs", 0, NULL), -ENOTDIR);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "nofs", 0, NULL), -ENODEV);
	cr_assert_eq(vfs_mount(U, "none", "/mnt", "tmpfs", 0, NULL), -EPERM);
	cr_assert_eq(vfs_mount(R, "none", "/none", "tmpfs", 0, NULL), -ENOENT);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, "bogus=1"),
		     -EINVAL);
}

/* BusyBox mount sets MS_SILENT; the atime policies change nothing here. */
VFS_TEST(vfs_mount, accepted_flags_without_effect)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs",
			       MS_SILENT | MS_NOATIME | MS_RELATIME, "size=1m"),
		     0);
	vt_write_file(R, "/mnt/f", "x");
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 1 << 30, NULL),
		     -EINVAL, "an unknown flag");
}

/* Every mount is private: private and slave are no-ops on a mount root. */
VFS_TEST(vfs_mount, propagation_changes)
{
	mount_mnt(NULL);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", NULL, MS_PRIVATE, NULL), 0);
	cr_assert_eq(vfs_mount(R, "none", "/", NULL, MS_PRIVATE | MS_REC,
			       NULL), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", NULL, MS_SLAVE | MS_SILENT,
			       NULL), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", NULL, MS_PRIVATE | MS_SLAVE,
			       NULL), -EINVAL, "two types");
	cr_assert_eq(vfs_mount(R, "none", "/mnt", NULL, MS_PRIVATE | MS_RDONLY,
			       NULL), -EINVAL, "another flag");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/d", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt/d", NULL, MS_PRIVATE, NULL),
		     -EINVAL, "not a mount's root");
	cr_assert_eq(vfs_mount(R, "none", "/mnt", NULL, MS_SHARED, NULL),
		     -EOPNOTSUPP);
	cr_assert_eq(vfs_mount(U, "none", "/mnt", NULL, MS_PRIVATE, NULL),
		     -EPERM);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(vfs_mount, remount_changes_read_only)
{
	mount_mnt(NULL);
	vt_write_file(R, "/mnt/f", "x");
	cr_assert_eq(vfs_mount(R, NULL, "/mnt", NULL,
			       MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), 0);
	cr_assert_eq(vt_open_err(R, "/mnt/f", O_WRONLY, 0), -EROFS);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/d", 0755), -EROFS);
	cr_assert_eq(vt_open_err(R, "/mnt/f", O_RDONLY, 0), 0);
	/* Not a mount's root; not root. */
	cr_assert_eq(vfs_mount(R, NULL, "/mnt/f", NULL, MS_REMOUNT, NULL),
		     -EINVAL);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/sub", 0755), 0);
	cr_assert_eq(vfs_mount(R, NULL, "/sub", NULL, MS_REMOUNT, NULL),
		     -EINVAL);
	cr_assert_eq(vfs_mount(U, NULL, "/mnt", NULL, MS_REMOUNT, NULL),
		     -EPERM);
	/* Back to read-write, without MS_BIND as `mount -o remount,rw`. */
	cr_assert_eq(vfs_mount(R, NULL, "/mnt", NULL, MS_REMOUNT, NULL), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/d", 0755), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(vfs_mount, cross_mount_rename_and_link_are_exdev)
{
	mount_mnt(NULL);
	vt_write_file(R, "/f", "");
	cr_assert_eq(vfs_renameat2(R, NULL, "/f", NULL, "/mnt/f", 0), -EXDEV);
	cr_assert_eq(vfs_linkat(R, NULL, "/f", NULL, "/mnt/f", 0), -EXDEV);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(vfs_mount, bind_mount_shows_the_same_tree)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/src", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/src/sub", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/dst", 0755), 0);
	cr_assert_eq(vfs_mount(R, "/src/sub", "/dst", NULL, MS_BIND, NULL), 0);
	vt_write_file(R, "/dst/through", "x");
	cr_assert_eq(vt_stat(R, "/src/sub/through").st_ino,
		     vt_stat(R, "/dst/through").st_ino);
	cr_assert_eq(vt_stat(R, "/dst").st_ino, vt_stat(R, "/src/sub").st_ino);
	/* ".." at a bind mount's root leaves through the mount point. */
	cr_assert_eq(vt_stat(R, "/dst/..").st_ino, vt_stat(R, "/").st_ino);
	/* Same super block, different mounts: rename across is EXDEV. */
	cr_assert_eq(vfs_renameat2(R, NULL, "/dst/through", NULL,
				   "/src/moved", 0), -EXDEV);
	cr_assert_eq(vfs_umount(R, "/dst", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/dst/through"), -ENOENT);
	cr_assert_eq(vt_stat_err(R, "/src/sub/through"), 0);
}

VFS_TEST(vfs_mount, stacked_mounts_hide_and_reveal)
{
	mount_mnt(NULL);
	vt_write_file(R, "/mnt/lower", "");
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, NULL), 0);
	cr_assert_eq(vt_stat_err(R, "/mnt/lower"), -ENOENT);
	vt_write_file(R, "/mnt/upper", "");
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
	cr_assert_eq(vt_stat_err(R, "/mnt/lower"), 0);
	cr_assert_eq(vt_stat_err(R, "/mnt/upper"), -ENOENT);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(vfs_mount, nested_mounts_block_the_parent_unmount)
{
	mount_mnt(NULL);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/inner", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt/inner", "tmpfs", 0, NULL), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), -EBUSY);
	cr_assert_eq(vfs_umount(R, "/mnt/inner", 0), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(vfs_mount, read_only_mounts_refuse_changes)
{
	struct statfs buf;

	mount_mnt(NULL);
	vt_write_file(R, "/mnt/f", "x");
	cr_assert_eq(vfs_mkdirat(R, NULL, "/ro", 0755), 0);
	cr_assert_eq(vfs_mount(R, "/mnt", "/ro", NULL, MS_BIND | MS_RDONLY,
			       NULL), 0);
	cr_assert_eq(vt_open_err(R, "/ro/f", O_WRONLY, 0), -EROFS);
	cr_assert_eq(vt_open_err(R, "/ro/f", O_RDONLY, 0), 0);
	cr_assert_eq(vt_open_err(R, "/ro/new", O_CREAT | O_WRONLY, 0644),
		     -EROFS);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/ro/f", 0), -EROFS);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/ro/d", 0755), -EROFS);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/ro/f", 0600, 0), -EROFS);
	cr_assert_eq(vfs_truncate(R, "/ro/f", 0), -EROFS);
	cr_assert_eq(vfs_statfs(R, "/ro", &buf), 0);
	cr_assert_eq(buf.f_flags & 1, 1);
	cr_assert_eq(vfs_umount(R, "/ro", 0), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}
