/*
 * Open files: open flags, read/write and their positional and vector
 * forms, lseek with SEEK_DATA/SEEK_HOLE, getdents64 layout and stability.
 */
#include "vfs_test.h"

#include <stdio.h>
#include <stdlib.h>

VFS_TEST(vfs_file, open_flag_errors)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/f", "x");
	cr_assert_eq(vt_open_err(R, "/f", O_CREAT | O_EXCL | O_WRONLY, 0644),
		     -EEXIST);
	cr_assert_eq(vt_open_err(R, "/d", O_WRONLY, 0), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/d", O_RDWR, 0), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/d", O_CREAT | O_RDONLY, 0644), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/d/", O_CREAT | O_WRONLY, 0644), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/f/", O_CREAT | O_WRONLY, 0644), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/.", O_CREAT | O_RDONLY, 0644), -EISDIR);
	cr_assert_eq(vt_open_err(R, "/d", O_RDONLY | O_CREAT | O_DIRECTORY,
				 0644), -EINVAL);
	cr_assert_eq(vt_open_err(R, "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	cr_assert_eq(vt_open_err(R, "/d", O_RDONLY | O_DIRECTORY, 0), 0);
	cr_assert_eq(vt_open_err(R, "/none", O_RDONLY, 0), -ENOENT);
	cr_assert_eq(vt_open_err(R, "/f", O_TMPFILE | O_RDWR, 0), -EOPNOTSUPP);
}

VFS_TEST(vfs_file, create_applies_umask_and_excl)
{
	cr_assert_eq(vt_open_err(R, "/n", O_CREAT | O_EXCL | O_WRONLY, 0777),
		     0);
	cr_assert_eq(vt_stat(R, "/n").st_mode, S_IFREG | 0755);
	cr_assert_eq(vt_stat(R, "/n").st_uid, 0);
	cr_assert_eq(vt_open_err(U, "/u", O_CREAT | O_WRONLY, 0666), 0);
	cr_assert_eq(vt_stat(R, "/u").st_uid, 1000);
	cr_assert_eq(vt_stat(R, "/u").st_gid, 1000);
	cr_assert_eq(vt_stat(R, "/u").st_mode, S_IFREG | 0644);
	/* A created file opens even if its mode grants nothing. */
	cr_assert_eq(vt_open_err(U, "/zero", O_CREAT | O_RDWR, 0), 0);
}

VFS_TEST(vfs_file, read_write_positions)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	char buf[32] = { 0 };

	cr_assert_eq(vfs_write(file, "hello world", 11), 11);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_CUR), 11);
	cr_assert_eq(vfs_read(file, buf, sizeof(buf)), 0);
	cr_assert_eq(vfs_lseek(file, 6, SEEK_SET), 6);
	cr_assert_eq(vfs_read(file, buf, 5), 5);
	cr_assert_str_eq(buf, "world");
	cr_assert_eq(vfs_pwrite(file, "W", 1, 6), 1);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_CUR), 11);
	cr_assert_eq(vfs_pread(file, buf, 11, 0), 11);
	cr_assert_eq(memcmp(buf, "hello World", 11), 0);
	cr_assert_eq(vfs_pread(file, buf, 4, -1), -EINVAL);
	cr_assert_eq(vfs_lseek(file, -1, SEEK_SET), -EINVAL);
	cr_assert_eq(vfs_lseek(file, 0, 7), -EINVAL);
	cr_assert_eq(vfs_lseek(file, -2, SEEK_END), 9);
	vfs_file_put(file);
}

VFS_TEST(vfs_file, access_mode_is_enforced)
{
	struct vfs_file *ro, *wo, *path;
	char buf[4];

	vt_write_file(R, "/f", "abc");
	ro = vt_open(R, "/f", O_RDONLY, 0);
	wo = vt_open(R, "/f", O_WRONLY, 0);
	path = vt_open(R, "/f", O_PATH, 0);
	cr_assert_eq(vfs_write(ro, "x", 1), -EBADF);
	cr_assert_eq(vfs_read(wo, buf, 1), -EBADF);
	cr_assert_eq(vfs_read(path, buf, 1), -EBADF);
	cr_assert_eq(vfs_write(path, "x", 1), -EBADF);
	cr_assert_eq(vfs_lseek(path, 0, SEEK_SET), -EBADF);
	cr_assert_eq(vfs_ftruncate(ro, 0), -EINVAL);
	cr_assert_eq(vfs_file_flags(path) & O_PATH, O_PATH);
	vfs_file_put(ro);
	vfs_file_put(wo);
	vfs_file_put(path);
}

VFS_TEST(vfs_file, append_and_truncate_on_open)
{
	struct vfs_file *file;
	char buf[32];

	vt_write_file(R, "/f", "12345");
	file = vt_open(R, "/f", O_WRONLY | O_APPEND, 0);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_SET), 0);
	cr_assert_eq(vfs_write(file, "67", 2), 2);
	cr_assert_eq(vfs_pwrite(file, "8", 1, 0), 1);	/* appends, as Linux */
	vfs_file_put(file);
	cr_assert_eq(vt_read_file(R, "/f", buf, sizeof(buf)), 8);
	cr_assert_str_eq(buf, "12345678");
	cr_assert_eq(vt_open_err(R, "/f", O_WRONLY | O_TRUNC, 0), 0);
	cr_assert_eq(vt_stat(R, "/f").st_size, 0);
}

VFS_TEST(vfs_file, readv_writev)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	char a[4] = { 0 }, b[8] = { 0 };
	struct vfs_iovec out[] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	struct vfs_iovec in[] = { { a, 3 }, { b, 8 } };

	cr_assert_eq(vfs_writev(file, out, 3), 8);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_SET), 0);
	cr_assert_eq(vfs_readv(file, in, 2), 8);
	cr_assert_str_eq(a, "abc");
	cr_assert_str_eq(b, "defgh");
	cr_assert_eq(vfs_readv(file, in, -1), -EINVAL);
	cr_assert_eq(vfs_readv(file, in, 1025), -EINVAL);
	vfs_file_put(file);
}

VFS_TEST(vfs_file, sparse_files_read_zeros_and_seek_data_hole)
{
	struct vfs_file *file = vt_open(R, "/s", O_CREAT | O_RDWR, 0644);
	char buf[4096];
	struct stat st;

	cr_assert_eq(vfs_pwrite(file, "a", 1, 8192), 1);
	cr_assert_eq(vfs_pread(file, buf, sizeof(buf), 0), 4096);
	for (int i = 0; i < 4096; i++)
		cr_assert_eq(buf[i], 0);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_DATA), 8192);
	cr_assert_eq(vfs_lseek(file, 0, SEEK_HOLE), 0);
	cr_assert_eq(vfs_lseek(file, 8193, SEEK_DATA), -ENXIO);
	cr_assert_eq(vfs_lseek(file, 8193, SEEK_HOLE), -ENXIO);
	cr_assert_eq(vfs_lseek(file, 8192, SEEK_HOLE), 8193);
	cr_assert_eq(vfs_ftruncate(file, 20000), 0);
	cr_assert_eq(vfs_lseek(file, 8193, SEEK_HOLE), 12288);
	cr_assert_eq(vfs_lseek(file, 12288, SEEK_DATA), -ENXIO);
	cr_assert_eq(vfs_fstat(file, &st), 0);
	cr_assert_eq(st.st_blocks, 8);
	cr_assert_eq(st.st_size, 20000);
	cr_assert_eq(st.st_blksize, 4096);
	vfs_file_put(file);
}

VFS_TEST(vfs_file, shrinking_zeroes_the_tail_of_the_last_page)
{
	struct vfs_file *file = vt_open(R, "/t", O_CREAT | O_RDWR, 0644);
	char buf[8];

	cr_assert_eq(vfs_write(file, "abcdefgh", 8), 8);
	cr_assert_eq(vfs_ftruncate(file, 2), 0);
	cr_assert_eq(vfs_ftruncate(file, 8), 0);
	cr_assert_eq(vfs_pread(file, buf, 8, 0), 8);
	cr_assert_eq(memcmp(buf, "ab\0\0\0\0\0\0", 8), 0);
	vfs_file_put(file);
}

VFS_TEST(vfs_file, directory_files)
{
	struct vfs_file *dir;
	char buf[8];

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	dir = vt_open(R, "/d", O_RDONLY, 0);
	cr_assert_eq(vfs_read(dir, buf, 1), -EISDIR);
	cr_assert_eq(vfs_ftruncate(dir, 0), -EINVAL);
	cr_assert_eq(vfs_lseek(dir, 0, SEEK_END), -EINVAL);
	cr_assert_eq(vfs_lseek(dir, 0, SEEK_DATA), -EINVAL);
	cr_assert_eq(vfs_fsync(dir), 0);
	vfs_file_put(dir);
}

/* Collects the names getdents64 returns into a count per name slot. */
static int read_dir(struct vfs_file *dir, size_t chunk, int *counts,
		    int slots)
{
	char *buf = malloc(chunk);
	int total = 0;
	ssize_t got;

	while ((got = vfs_getdents64(dir, buf, chunk)) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int n;

			cr_assert_eq(d->d_reclen % 8, 0);
			if (sscanf(d->d_name, "n%d", &n) == 1 && n < slots)
				counts[n]++;
			total++;
			off += d->d_reclen;
		}
	}
	cr_assert_eq(got, 0);
	free(buf);
	return total;
}

VFS_TEST(vfs_file, getdents64_layout)
{
	struct vfs_file *dir;
	char buf[256];
	struct linux_dirent64 *d = (void *)buf;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/d/n0", "");
	dir = vt_open(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(vfs_getdents64(dir, buf, 10), -EINVAL);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), 24 * 3);
	cr_assert_str_eq(d->d_name, ".");
	cr_assert_eq(d->d_type, DT_DIR);
	cr_assert_eq(d->d_ino, vt_stat(R, "/d").st_ino);
	d = (void *)(buf + 24);
	cr_assert_str_eq(d->d_name, "..");
	cr_assert_eq(d->d_ino, vt_stat(R, "/").st_ino);
	d = (void *)(buf + 48);
	cr_assert_str_eq(d->d_name, "n0");
	cr_assert_eq(d->d_type, DT_REG);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), 0);
	/* Rewind with lseek, as readdir does. */
	cr_assert_eq(vfs_lseek(dir, 0, SEEK_SET), 0);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), 72);
	vfs_file_put(dir);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/gone", 0755), 0);
	dir = vt_open(R, "/gone", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/gone", AT_REMOVEDIR), 0);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), -ENOENT);
	vfs_file_put(dir);
	vt_write_file(R, "/f", "");
	dir = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), -ENOTDIR);
	vfs_file_put(dir);
}

/*
 * Entries that exist for the whole read are seen exactly once even when
 * others are created and removed between the calls.
 */
VFS_TEST(vfs_file, getdents64_stable_under_create_and_unlink)
{
	int counts[1000] = { 0 };
	char name[32], buf[128];
	struct vfs_file *dir;
	ssize_t got;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/d/n%d", i);
		vt_write_file(R, name, "");
	}
	dir = vt_open(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	for (int round = 0; (got = vfs_getdents64(dir, buf, sizeof(buf))) > 0;
	     round++) {
		for (ssize_t off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int n;

			cr_assert_eq(sscanf(d->d_name, "n%d", &n) == 1 ||
				     d->d_name[0] == '.', true);
			if (d->d_name[0] == 'n' && n < 1000)
				counts[n]++;
			off += d->d_reclen;
		}
		cr_assert_lt(round, 800);
		/* Churn: remove the odd names, add new ones. */
		if (round < 100) {
			snprintf(name, sizeof(name), "/d/n%d", 200 + round);
			vt_write_file(R, name, "");
			snprintf(name, sizeof(name), "/d/n%d", 2 * round + 1);
			cr_assert_eq(vfs_unlinkat(R, NULL, name, 0), 0);
		}
	}
	vfs_file_put(dir);
	for (int i = 0; i < 200; i += 2)
		cr_assert_eq(counts[i], 1, "n%d seen %d times", i, counts[i]);
	for (int i = 0; i < 1000; i++)
		cr_assert_leq(counts[i], 1);
	dir = vt_open(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	memset(counts, 0, sizeof(counts));
	cr_assert_gt(read_dir(dir, 4096, counts, 1000), 100);
	vfs_file_put(dir);
}
