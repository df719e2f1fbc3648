/*
 * tmpfs limits and accounting: size= and nr_inodes= give -ENOSPC, pages
 * come back on truncate and unlink, and the page index behaves on sparse
 * and far offsets.
 */
#include "vfs_test.h"

#include <stdio.h>

#include "core/hal/time.h"
#include "fs/vfs_internal.h"

static void mount_small(const char *options)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, options), 0);
}

VFS_TEST(tmpfs, size_limit_is_enospc)
{
	static char block[3 * 4096];
	struct vfs_file *file;
	struct statfs buf;

	mount_small("size=8k");
	file = vt_open(R, "/mnt/f", O_CREAT | O_RDWR, 0644);
	/* A short write first, then the error. */
	cr_assert_eq(vfs_write(file, block, sizeof(block)), 8192);
	cr_assert_eq(vfs_write(file, block, 1), -ENOSPC);
	cr_assert_eq(vfs_statfs(R, "/mnt", &buf), 0);
	cr_assert_eq(buf.f_blocks, 2);
	cr_assert_eq(buf.f_bfree, 0);
	/* Holes cost nothing; truncation returns pages. */
	cr_assert_eq(vfs_ftruncate(file, 1 << 30), 0);
	cr_assert_eq(vfs_ftruncate(file, 100), 0);
	cr_assert_eq(vfs_statfs(R, "/mnt", &buf), 0);
	cr_assert_eq(buf.f_bfree, 1);
	cr_assert_eq(vfs_pwrite(file, "x", 1, 1 << 20), 1);
	cr_assert_eq(vfs_pwrite(file, "x", 1, 2 << 20), -ENOSPC);
	vfs_file_put(file);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/mnt/f", 0), 0);
	cr_assert_eq(vfs_statfs(R, "/mnt", &buf), 0);
	cr_assert_eq(buf.f_bfree, 2);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(tmpfs, inode_limit_is_enospc)
{
	struct statfs buf;

	mount_small("nr_inodes=3");	/* the root is one */
	cr_assert_eq(vt_open_err(R, "/mnt/a", O_CREAT | O_WRONLY, 0644), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt/b", 0755), 0);
	cr_assert_eq(vt_open_err(R, "/mnt/c", O_CREAT | O_WRONLY, 0644),
		     -ENOSPC);
	cr_assert_eq(vfs_symlinkat(R, "a", NULL, "/mnt/c"), -ENOSPC);
	/* A hard link is a name, not an inode. */
	cr_assert_eq(vfs_linkat(R, NULL, "/mnt/a", NULL, "/mnt/b/a2", 0), 0);
	cr_assert_eq(vfs_statfs(R, "/mnt", &buf), 0);
	cr_assert_eq(buf.f_files, 3);
	cr_assert_eq(buf.f_ffree, 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/mnt/a", 0), 0);
	cr_assert_eq(vt_open_err(R, "/mnt/c", O_CREAT | O_WRONLY, 0644),
		     -ENOSPC);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/mnt/b/a2", 0), 0);
	cr_assert_eq(vt_open_err(R, "/mnt/c", O_CREAT | O_WRONLY, 0644), 0);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(tmpfs, options_are_validated)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/mnt", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, "size"),
		     -EINVAL);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, "size=x"),
		     -EINVAL);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0, "mode=9"),
		     -EINVAL);
	cr_assert_eq(vfs_mount(R, "none", "/mnt", "tmpfs", 0,
			       "size=1m,nr_inodes=10,mode=700"), 0);
	cr_assert_eq(vt_stat(R, "/mnt").st_mode, S_IFDIR | 0700);
	cr_assert_eq(vfs_umount(R, "/mnt", 0), 0);
}

VFS_TEST(tmpfs, far_offsets_and_data_round_trip)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	int64_t far = (int64_t)1 << 40;
	char buf[8] = { 0 };

	cr_assert_eq(vfs_pwrite(file, "far", 3, far), 3);
	cr_assert_eq(vfs_pwrite(file, "near", 4, 4094), 4); /* two pages */
	cr_assert_eq(vfs_pread(file, buf, 3, far), 3);
	cr_assert_str_eq(buf, "far");
	cr_assert_eq(vfs_pread(file, buf, 4, 4094), 4);
	cr_assert_eq(memcmp(buf, "near", 4), 0);
	cr_assert_eq(vfs_lseek(file, 8192, SEEK_DATA), far);
	cr_assert_eq(vt_stat(R, "/f").st_blocks, 24);
	cr_assert_eq(vfs_pwrite(file, "x", 1, INT64_MAX), -EFBIG);
	vfs_file_put(file);
}

/*
 * 10,000 files in one directory: create, look up (dentry cache hit and,
 * after the cache is emptied, tmpfs lookups), unlink. Asserts every
 * operation and prints the rates for docs (no timing thresholds).
 */
VFS_TEST(tmpfs, ten_thousand_files_rates)
{
	enum { FILES = 10000 };
	static const char *phase[4] = { "create", "lookup (cached)",
					"lookup (uncached)", "unlink" };
	uint64_t ns[4];
	char name[32];

	cr_assert_eq(vfs_mkdirat(R, NULL, "/big", 0755), 0);
	cr_assert_eq(vfs_mount(R, "none", "/big", "tmpfs", 0,
			       "nr_inodes=20000"), 0);
	for (int p = 0; p < 4; p++) {
		uint64_t start = hal_clock_ns();

		if (p == 2)
			vfs_dcache_shrink(NULL);
		for (int i = 0; i < FILES; i++) {
			struct stat st;

			snprintf(name, sizeof(name), "/big/f%d",
				 i * 7919 % FILES);
			if (p == 0)
				cr_assert_eq(vfs_mknodat(R, NULL, name,
							 S_IFREG | 0644, 0), 0);
			else if (p == 3)
				cr_assert_eq(vfs_unlinkat(R, NULL, name, 0), 0);
			else
				cr_assert_eq(vfs_fstatat(R, NULL, name, &st, 0),
					     0);
		}
		ns[p] = hal_clock_ns() - start;
	}
	for (int p = 0; p < 4; p++)
		fprintf(stderr, "tmpfs bench: %d files, %s: %llu ns/op\n",
			FILES, phase[p], (unsigned long long)(ns[p] / FILES));
	cr_assert_eq(vt_stat(R, "/big").st_size, 40);
	cr_assert_eq(vfs_umount(R, "/big", 0), 0);
}
