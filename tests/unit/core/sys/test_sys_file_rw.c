/*
 * read, write, pread64, pwrite64, readv, writev, lseek, getdents and
 * getdents64 through the dispatcher: data, positions, partial transfers
 * at the end of the mapping, and the errno paths the host's Linux gives.
 */
#include <stdlib.h>

#include "sys_file_helpers.h"

struct iov {
	uint64_t base;
	uint64_t length;
};

/* A file holding `data`, opened read-write at position 0. */
static int file_with(const char *path, const char *data)
{
	vt_write_file(R, path, data);
	return uopen_ok(path, O_RDWR, 0);
}

static void assert_user_bytes(uaddr_t at, const char *expected, size_t n)
{
	char got[256];

	cr_assert_leq(n, sizeof(got));
	uget(got, at, n);
	cr_assert_eq(memcmp(got, expected, n), 0, "got %.*s", (int)n, got);
}

FILE_TEST(sys_file_rw, write_then_read_back)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	ustr(UBUF, "hello, world");
	cr_assert_eq(SYS(NR_write, fd, UBUF, 12), 12);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_SET), 0);
	cr_assert_eq(SYS(NR_read, fd, UBUF + 100, 5), 5);
	cr_assert_eq(SYS(NR_read, fd, UBUF + 105, 100), 7, "short at EOF");
	assert_user_bytes(UBUF + 100, "hello, world", 12);
	cr_assert_eq(SYS(NR_read, fd, UBUF, 100), 0, "EOF");
	cr_assert_eq(SYS(NR_write, fd, UBUF, 0), 0);
	cr_assert_eq(SYS(NR_read, fd, 0, 0), 0, "nothing to copy");
}

FILE_TEST(sys_file_rw, access_mode_is_checked_first)
{
	int rw = file_with("/f", "abc");
	int ro = uopen_ok("/f", O_RDONLY, 0);
	int wo = uopen_ok("/f", O_WRONLY, 0);
	int path = uopen_ok("/f", O_PATH, 0);

	cr_assert_eq(SYS(NR_close, rw), 0);
	cr_assert_eq(SYS(NR_write, ro, UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_write, ro, UNMAPPED, 1), -EBADF, "before EFAULT");
	cr_assert_eq(SYS(NR_read, wo, UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_read, path, UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_write, path, UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_read, 999, UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_write, -1, UBUF, 1), -EBADF);
}

FILE_TEST(sys_file_rw, bad_buffers_are_efault)
{
	int fd = file_with("/f", "0123456789");

	cr_assert_eq(SYS(NR_read, fd, 0, 10), -EFAULT);
	cr_assert_eq(SYS(NR_read, fd, UNMAPPED, 10), -EFAULT);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_CUR), 0,
		     "bytes that did not arrive stay in the file");
	cr_assert_eq(SYS(NR_read, fd, ~0ULL - 4095, 10), -EFAULT,
		     "past the user limit");
	cr_assert_eq(SYS(NR_write, fd, 0, 10), -EFAULT);
	cr_assert_eq(SYS(NR_write, fd, UNMAPPED, 10), -EFAULT);
	cr_assert_eq(vt_stat(R, "/f").st_size, 10);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_END), 10);
	/* Host: at EOF nothing is copied, so a bad buffer still reads 0. */
	cr_assert_eq(SYS(NR_read, fd, UNMAPPED, 10), 0);
}

FILE_TEST(sys_file_rw, transfers_stop_at_the_end_of_the_mapping)
{
	int fd = file_with("/f", "0123456789abcdefghij");

	cr_assert_eq(SYS(NR_read, fd, SYS_TEST_END - 8, 20), 8,
		     "the bytes before the hole");
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_CUR), 8,
		     "the position covers only what arrived");
	ustr(SYS_TEST_END - 4, "XYZ");
	cr_assert_eq(SYS(NR_write, fd, SYS_TEST_END - 4, 100), 4);
	cr_assert_eq(SYS(NR_pread64, fd, UBUF, 20, 0), 20);
	assert_user_bytes(UBUF, "01234567XYZ\0cdefghij", 20);
}

FILE_TEST(sys_file_rw, huge_counts_are_capped)
{
	int fd = file_with("/f", "0123456789");
	size_t mapped = SYS_TEST_END - UBUF;

	/* Linux caps a count at MAX_RW_COUNT, then reads what there is. */
	cr_assert_eq(SYS(NR_read, fd, UBUF, ~0ULL), 10);
	cr_assert_eq(SYS(NR_read, fd, UBUF, 1ULL << 40), 0);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_SET), 0);
	cr_assert_eq(SYS(NR_write, fd, UBUF, ~0ULL), (long)mapped,
		     "writes up to the hole after the mapping");
	cr_assert_eq(vt_stat(R, "/f").st_size, (long)mapped);
}

FILE_TEST(sys_file_rw, directories_are_eisdir)
{
	int dir = uopen_ok("/", O_RDONLY | O_DIRECTORY, 0);

	cr_assert_eq(SYS(NR_read, dir, UBUF, 10), -EISDIR);
	cr_assert_eq(SYS(NR_read, dir, UBUF, 0), -EISDIR, "host: even 0");
	cr_assert_eq(SYS(NR_pread64, dir, UBUF, 10, 0), -EISDIR);
	cr_assert_eq(uopen("/", O_RDWR, 0), -EISDIR);
}

FILE_TEST(sys_file_rw, big_transfers_cross_chunks)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	size_t size = UBUF_SIZE;
	uint8_t *data = malloc(size), *back = malloc(size);

	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	uput(UBUF, data, size);
	for (int round = 0; round < 4; round++)
		cr_assert_eq(SYS(NR_write, fd, UBUF, size), (long)size);
	cr_assert_eq(vt_stat(R, "/f").st_size, (long)(4 * size));
	cr_assert_eq(SYS(NR_pread64, fd, UBUF, size, 2 * size), (long)size);
	uget(back, UBUF, size);
	cr_assert_eq(memcmp(data, back, size), 0);
	free(data);
	free(back);
}

FILE_TEST(sys_file_rw, pread_and_pwrite_keep_the_position)
{
	int fd = file_with("/f", "0123456789");
	int fds[2];

	ustr(UBUF, "AB");
	cr_assert_eq(SYS(NR_pwrite64, fd, UBUF, 2, 4), 2);
	cr_assert_eq(SYS(NR_pread64, fd, UBUF + 10, 10, 3), 7);
	assert_user_bytes(UBUF + 10, "3AB6789", 7);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_CUR), 0);
	cr_assert_eq(SYS(NR_pread64, fd, UBUF, 10, 100), 0, "past the end");
	/* Host: a negative offset is -EINVAL before the descriptor. */
	cr_assert_eq(SYS(NR_pread64, fd, UBUF, 1, -1), -EINVAL);
	cr_assert_eq(SYS(NR_pread64, 999, UBUF, 1, -1), -EINVAL);
	cr_assert_eq(SYS(NR_pwrite64, 999, UBUF, 1, -1), -EINVAL);
	cr_assert_eq(SYS(NR_pread64, 999, UBUF, 1, 0), -EBADF);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_pread64, fds[0], UBUF, 1, 0), -ESPIPE);
	cr_assert_eq(SYS(NR_pwrite64, fds[1], UBUF, 1, 0), -ESPIPE);
	cr_assert_eq(SYS(NR_pread64, fds[0], UBUF, 1, -1), -EINVAL);
}

FILE_TEST(sys_file_rw, writev_gathers_and_readv_scatters)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	struct iov out[3] = {
		{ UBUF, 3 }, { UBUF + 100, 0 }, { UBUF + 200, 4 },
	};
	struct iov in[2] = { { UBUF + 300, 2 }, { UBUF + 400, 10 } };

	ustr(UBUF, "abc");
	ustr(UBUF + 200, "defg");
	uput(UBUF + 1000, out, sizeof(out));
	cr_assert_eq(SYS(NR_writev, fd, UBUF + 1000, 3), 7);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_SET), 0);
	uput(UBUF + 1100, in, sizeof(in));
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 1100, 2), 7);
	assert_user_bytes(UBUF + 300, "ab", 2);
	assert_user_bytes(UBUF + 400, "cdefg", 5);
}

FILE_TEST(sys_file_rw, iovec_validation)
{
	int fd = file_with("/f", "0123456789");
	struct iov bad[2] = { { UBUF, 1 }, { UBUF, (uint64_t)-1 } };
	struct iov outside[1] = { { ~0ULL - 100, 10 } };

	uput(UBUF + 1000, bad, sizeof(bad));
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 1000, 1025), -EINVAL, "IOV_MAX");
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 1000, -1), -EINVAL);
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 1000, 0), 0);
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 1000, 2), -EINVAL,
		     "a negative length");
	cr_assert_eq(SYS(NR_readv, 999, UBUF + 1000, 1025), -EBADF,
		     "the descriptor comes first");
	cr_assert_eq(SYS(NR_readv, fd, 0, 1), -EFAULT);
	cr_assert_eq(SYS(NR_readv, fd, 0, 0), 0);
	cr_assert_eq(SYS(NR_writev, fd, UNMAPPED, 1), -EFAULT);
	uput(UBUF + 2000, outside, sizeof(outside));
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 2000, 1), -EFAULT);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_CUR), 0, "nothing read");
}

FILE_TEST(sys_file_rw, iovec_totals_are_capped)
{
	int fd = file_with("/f", "0123456789");
	struct iov two[2] = { { UBUF, 0x7ffff000 }, { UBUF, 0x7ffff000 } };

	uput(UBUF + 8000, two, sizeof(two));
	cr_assert_eq(SYS(NR_readv, fd, UBUF + 8000, 2), 10,
		     "over MAX_RW_COUNT in total: capped, not refused");
}

FILE_TEST(sys_file_rw, lseek_whences_and_errors)
{
	int fd = file_with("/f", "0123456789");
	int fds[2];

	cr_assert_eq(SYS(NR_lseek, fd, 4, SEEK_SET), 4);
	cr_assert_eq(SYS(NR_lseek, fd, 2, SEEK_CUR), 6);
	cr_assert_eq(SYS(NR_lseek, fd, -1, SEEK_END), 9);
	cr_assert_eq(SYS(NR_lseek, fd, 100, SEEK_SET), 100, "past the end");
	cr_assert_eq(SYS(NR_lseek, fd, -1, SEEK_SET), -EINVAL);
	cr_assert_eq(SYS(NR_lseek, fd, 0, 99), -EINVAL);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_DATA), 0);
	cr_assert_eq(SYS(NR_lseek, 999, 0, SEEK_SET), -EBADF);
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_lseek, fds[0], 0, SEEK_SET), -ESPIPE);
	cr_assert_eq(SYS(NR_lseek, fds[1], 0, SEEK_CUR), -ESPIPE);
	cr_assert_eq(SYS(NR_lseek, fds[0], 0, 99), -EINVAL,
		     "host: an unknown whence is -EINVAL even on a pipe");
}

struct name_seen {
	bool dot, dotdot, a, sub;
};

static void note_name(struct name_seen *seen, const char *name, int type)
{
	if (strcmp(name, ".") == 0)
		seen->dot = type == DT_DIR;
	else if (strcmp(name, "..") == 0)
		seen->dotdot = type == DT_DIR;
	else if (strcmp(name, "a") == 0)
		seen->a = type == DT_REG;
	else if (strcmp(name, "sub") == 0)
		seen->sub = type == DT_DIR;
	else
		cr_assert_fail("unexpected entry %s", name);
}

static void make_tree(void)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d/sub", 0755), 0);
	vt_write_file(R, "/d/a", "x");
}

FILE_TEST(sys_file_rw, getdents64_lists_the_directory)
{
	char buf[1024];
	struct name_seen seen = { 0 };
	long length;
	int dir;

	make_tree();
	dir = uopen_ok("/d", O_RDONLY | O_DIRECTORY, 0);
	length = SYS(NR_getdents64, dir, UBUF, sizeof(buf));
	cr_assert_gt(length, 0);
	uget(buf, UBUF, (size_t)length);
	for (long at = 0; at < length;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);

		cr_assert_eq(d->d_reclen % 8, 0);
		note_name(&seen, d->d_name, d->d_type);
		at += d->d_reclen;
	}
	cr_assert(seen.dot && seen.dotdot && seen.a && seen.sub);
	cr_assert_eq(SYS(NR_getdents64, dir, UBUF, sizeof(buf)), 0, "end");
}

FILE_TEST(sys_file_rw, getdents_old_layout)
{
	char buf[1024];
	struct name_seen seen = { 0 };
	long length;
	int dir;

	make_tree();
	dir = uopen_ok("/d", O_RDONLY | O_DIRECTORY, 0);
	length = SYS(NR_getdents, dir, UBUF, sizeof(buf));
	cr_assert_gt(length, 0);
	uget(buf, UBUF, (size_t)length);
	/* d_ino, d_off (8 bytes each), d_reclen, name; d_type last. */
	for (long at = 0; at < length;) {
		uint16_t reclen;

		memcpy(&reclen, buf + at + 16, sizeof(reclen));
		cr_assert_geq(reclen, 20);
		note_name(&seen, buf + at + 18, buf[at + reclen - 1]);
		at += reclen;
	}
	cr_assert(seen.dot && seen.dotdot && seen.a && seen.sub);
}

FILE_TEST(sys_file_rw, getdents_errors)
{
	int fds[2];
	int dir = uopen_ok("/", O_RDONLY | O_DIRECTORY, 0);
	int fd = file_with("/f", "x");

	upipe(fds, 0);
	cr_assert_eq(SYS(NR_getdents64, dir, UBUF, 1), -EINVAL, "too small");
	cr_assert_eq(SYS(NR_getdents64, fd, UBUF, 64), -ENOTDIR);
	cr_assert_eq(SYS(NR_getdents64, fds[0], UBUF, 64), -ENOTDIR);
	cr_assert_eq(SYS(NR_getdents64, 999, UBUF, 64), -EBADF);
	cr_assert_eq(SYS(NR_getdents64, dir, ~0ULL - 10, 64), -EFAULT);
	cr_assert_eq(SYS(NR_getdents, dir, UBUF, 1), -EINVAL);
	cr_assert_eq(SYS(NR_getdents, fd, UBUF, 64), -ENOTDIR);
}
