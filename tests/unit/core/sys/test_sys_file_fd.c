/*
 * Descriptor syscalls through the dispatcher: close, dup, dup2, dup3,
 * fcntl, pipe, pipe2 and ioctl, with their errno paths as the host's
 * Linux gives them.
 */
#include "core/include/uapi/ioctl.h"
#include "sys_file_helpers.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

FILE_TEST(sys_file_fd, close_and_bad_descriptors)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(fd, 0, "the lowest free descriptor");
	cr_assert_eq(SYS(NR_close, fd), 0);
	cr_assert_eq(SYS(NR_close, fd), -EBADF);
	cr_assert_eq(SYS(NR_close, -1), -EBADF);
	cr_assert_eq(SYS(NR_close, 999), -EBADF);
	cr_assert_eq(SYS(NR_close, 1ULL << 32), -EBADF,
		     "descriptors are 32-bit: high bits ignored, fd 0 closed");
}

FILE_TEST(sys_file_fd, missing_table_is_enosys)
{
	ctx.files = NULL;
	cr_assert_eq(SYS(NR_close, 0), -ENOSYS);
	cr_assert_eq(SYS(NR_dup, 0), -ENOSYS);
	cr_assert_eq(SYS(NR_read, 0, UBUF, 1), -ENOSYS);
	cr_assert_eq(uopen("/", O_RDONLY, 0), -ENOSYS);
	cr_assert_eq(SYS(NR_pipe, UBUF), -ENOSYS);
}

FILE_TEST(sys_file_fd, dup_takes_the_lowest_free)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(SYS(NR_dup, fd), 1);
	cr_assert_eq(SYS(NR_dup, fd), 2);
	cr_assert_eq(SYS(NR_close, 1), 0);
	cr_assert_eq(SYS(NR_dup, 2), 1);
	cr_assert_eq(SYS(NR_dup, 77), -EBADF);
	cr_assert_eq(SYS(NR_fcntl, 1, F_GETFD), 0, "dup clears FD_CLOEXEC");
}

FILE_TEST(sys_file_fd, dup_shares_the_offset)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int copy = (int)SYS(NR_dup, fd);

	ustr(UBUF, "abcdef");
	cr_assert_eq(SYS(NR_write, fd, UBUF, 6), 6);
	cr_assert_eq(SYS(NR_lseek, copy, 0, SEEK_CUR), 6);
	cr_assert_eq(SYS(NR_lseek, copy, 2, SEEK_SET), 2);
	cr_assert_eq(SYS(NR_read, fd, UBUF + 100, 10), 4);
}

FILE_TEST(sys_file_fd, dup_at_the_limit_is_emfile)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	ctx.fd_limit = 3;
	cr_assert_eq(SYS(NR_dup, fd), 1);
	cr_assert_eq(SYS(NR_dup, fd), 2);
	cr_assert_eq(SYS(NR_dup, fd), -EMFILE);
	cr_assert_eq(uopen("/f", O_RDONLY, 0), -EMFILE);
	cr_assert_eq(SYS(NR_pipe, UBUF), -EMFILE);
	cr_assert_eq(fd_open_count(files), 3, "a failed pipe leaves nothing");
	cr_assert_eq(SYS(NR_close, 2), 0);
	cr_assert_eq(SYS(NR_pipe, UBUF), -EMFILE, "needs two");
	cr_assert_eq(fd_open_count(files), 2);
}

FILE_TEST(sys_file_fd, dup2_replaces_and_checks)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int other = uopen_ok("/g", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(SYS(NR_dup2, fd, other), other);
	ustr(UBUF, "x");
	cr_assert_eq(SYS(NR_write, other, UBUF, 1), 1);
	cr_assert_eq(vt_stat(R, "/f").st_size, 1, "other now names /f");
	cr_assert_eq(SYS(NR_dup2, fd, fd), fd, "same fd: returned as is");
	cr_assert_eq(SYS(NR_dup2, 999, 999), -EBADF, "same but not open");
	cr_assert_eq(SYS(NR_dup2, 999, 5), -EBADF);
	cr_assert_eq(SYS(NR_dup2, fd, 100000000), -EBADF, "past the limit");
	cr_assert_eq(SYS(NR_dup2, fd, -1), -EBADF);
	cr_assert_eq(SYS(NR_dup2, fd, 700), 700, "far above: table grows");
	cr_assert_eq(SYS(NR_dup, fd), 2, "the lowest free is still low");
}

FILE_TEST(sys_file_fd, dup3_checks_flags_first)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	/* Host: flags, then oldfd == newfd, then the descriptors. */
	cr_assert_eq(SYS(NR_dup3, fd, fd, 5), -EINVAL);
	cr_assert_eq(SYS(NR_dup3, fd, fd, 0), -EINVAL);
	cr_assert_eq(SYS(NR_dup3, 999, 999, 0), -EINVAL);
	cr_assert_eq(SYS(NR_dup3, 999, 50, 5), -EINVAL);
	cr_assert_eq(SYS(NR_dup3, 999, 50, 0), -EBADF);
	cr_assert_eq(SYS(NR_dup3, fd, 1, O_CLOEXEC), 1);
	cr_assert_eq(SYS(NR_fcntl, 1, F_GETFD), FD_CLOEXEC);
	cr_assert_eq(SYS(NR_dup3, fd, 1, 0), 1);
	cr_assert_eq(SYS(NR_fcntl, 1, F_GETFD), 0);
	cr_assert_eq(SYS(NR_dup3, fd, TEST_FD_LIMIT, 0), -EBADF);
}

FILE_TEST(sys_file_fd, fcntl_descriptor_flags)
{
	int fd = (int)uopen("/f", O_CREAT | O_RDWR | O_CLOEXEC, 0644);

	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFD), FD_CLOEXEC);
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFD, 0), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFD), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFD, 0xff), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFD), FD_CLOEXEC, "only the bit");
	cr_assert_eq(SYS(NR_fcntl, 999, F_SETFD, 1), -EBADF);
	cr_assert_eq(SYS(NR_fcntl, 999, F_GETFD), -EBADF);
	cr_assert_eq(SYS(NR_fcntl, fd, 9999), -EINVAL);
	cr_assert_eq(SYS(NR_ioctl, fd, FIONCLEX), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFD), 0);
	cr_assert_eq(SYS(NR_ioctl, fd, FIOCLEX), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFD), FD_CLOEXEC);
}

FILE_TEST(sys_file_fd, fcntl_dupfd_minimum)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, 10), 10);
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, 10), 11);
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, 0), 1);
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD_CLOEXEC, 5), 5);
	cr_assert_eq(SYS(NR_fcntl, 5, F_GETFD), FD_CLOEXEC);
	cr_assert_eq(SYS(NR_fcntl, 10, F_GETFD), 0);
	/* Host: a minimum at or past RLIMIT_NOFILE, or -1, is -EINVAL. */
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, TEST_FD_LIMIT), -EINVAL);
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, -1), -EINVAL);
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, 100000000), -EINVAL);
	cr_assert_eq(SYS(NR_fcntl, 999, F_DUPFD, 0), -EBADF);
	ctx.fd_limit = 12;
	cr_assert_eq(SYS(NR_fcntl, fd, F_DUPFD, 11), -EMFILE, "11 is taken");
}

FILE_TEST(sys_file_fd, fcntl_status_flags)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	/* x86_64 Linux shows O_LARGEFILE on every opened file. */
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFL), O_RDWR | O_LARGEFILE);
	/* Access mode and creation flags are ignored; O_APPEND sticks. */
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFL,
			 O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFL),
		     O_RDWR | O_LARGEFILE | O_APPEND | O_NONBLOCK);
	ustr(UBUF, "abc");
	cr_assert_eq(SYS(NR_write, fd, UBUF, 3), 3);
	cr_assert_eq(SYS(NR_lseek, fd, 0, SEEK_SET), 0);
	cr_assert_eq(SYS(NR_write, fd, UBUF, 3), 3);
	cr_assert_eq(vt_stat(R, "/f").st_size, 6, "O_APPEND writes at the end");
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFL, 0), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFL), O_RDWR | O_LARGEFILE);
	cr_assert_eq(SYS(NR_fcntl, 999, F_GETFL), -EBADF);
}

/* Record locks through the user copies (tests/user/record_locks: the rest). */
FILE_TEST(sys_file_fd, fcntl_record_locks)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int other = uopen_ok("/f", O_RDWR, 0);
	struct flock fl = { .l_type = F_WRLCK, .l_start = 2, .l_len = 3 };

	cr_assert_eq(SYS(NR_fcntl, fd, F_SETLK, 0), -EFAULT);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETLK, UNMAPPED), -EFAULT);
	uput(UBUF, &fl, sizeof(fl));
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETLK, UBUF), 0);
	fl = (struct flock){ .l_type = F_RDLCK };
	uput(UBUF, &fl, sizeof(fl));
	cr_assert_eq(SYS(NR_fcntl, other, F_OFD_GETLK, UBUF), 0);
	uget(&fl, UBUF, sizeof(fl));
	cr_assert(fl.l_type == F_WRLCK && fl.l_whence == SEEK_SET &&
		  fl.l_start == 2 && fl.l_len == 3);
	cr_assert_eq(SYS(NR_fcntl, other, F_OFD_SETLK, UBUF), -EAGAIN);
	/* Closing the other descriptor drops the table's POSIX lock. */
	fl = (struct flock){ .l_type = F_WRLCK };
	uput(UBUF, &fl, sizeof(fl));
	cr_assert_eq(SYS(NR_close, other), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_OFD_SETLK, UBUF), 0);
	cr_assert_eq(SYS(NR_close, fd), 0);
}

FILE_TEST(sys_file_fd, fcntl_noatime_needs_the_owner)
{
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);

	vt_write_file(R, "/f", "x");
	file_test_use(U);
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFL, O_NOATIME), -EPERM);
	file_test_use(R);
	cr_assert_eq(SYS(NR_fcntl, fd, F_SETFL, O_NOATIME), 0);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETFL) & O_NOATIME, O_NOATIME);
}

FILE_TEST(sys_file_fd, fcntl_pipe_size)
{
	int fds[2], fd = -1;

	upipe(fds, 0);
	fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	cr_assert_eq(SYS(NR_fcntl, fds[0], F_GETPIPE_SZ), 65536);
	cr_assert_eq(SYS(NR_fcntl, fds[1], F_SETPIPE_SZ, 4096), 65536);
	cr_assert_eq(SYS(NR_fcntl, fd, F_GETPIPE_SZ), -EBADF, "not a pipe");
}

FILE_TEST(sys_file_fd, pipe_gives_two_ends)
{
	int fds[2];

	upipe(fds, 0);
	cr_assert_eq(fds[0], 0);
	cr_assert_eq(fds[1], 1);
	/* Host: the read end is O_RDONLY, the write end O_WRONLY, no more. */
	cr_assert_eq(SYS(NR_fcntl, fds[0], F_GETFL), O_RDONLY);
	cr_assert_eq(SYS(NR_fcntl, fds[1], F_GETFL), O_WRONLY);
	ustr(UBUF, "ping");
	cr_assert_eq(SYS(NR_write, fds[1], UBUF, 4), 4);
	cr_assert_eq(SYS(NR_read, fds[0], UBUF + 100, 64), 4);
	cr_assert_eq(SYS(NR_write, fds[0], UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_read, fds[1], UBUF, 1), -EBADF);
	cr_assert_eq(SYS(NR_pipe, UBUF + 8), 0, "pipe(2) is pipe2(fds, 0)");
}

FILE_TEST(sys_file_fd, pipe2_flags)
{
	int fds[2];

	cr_assert_eq(SYS(NR_pipe2, UBUF, O_WRONLY), -EINVAL);
	cr_assert_eq(SYS(NR_pipe2, UBUF, O_APPEND), -EINVAL);
	cr_assert_eq(fd_open_count(files), 0);
	upipe(fds, O_CLOEXEC | O_NONBLOCK);
	cr_assert_eq(SYS(NR_fcntl, fds[0], F_GETFD), FD_CLOEXEC);
	cr_assert_eq(SYS(NR_fcntl, fds[1], F_GETFD), FD_CLOEXEC);
	cr_assert_eq(SYS(NR_fcntl, fds[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	cr_assert_eq(SYS(NR_read, fds[0], UBUF, 1), -EAGAIN);
	upipe(fds, O_DIRECT);
	cr_assert_eq(SYS(NR_fcntl, fds[1], F_GETFL), O_WRONLY | O_DIRECT);
}

FILE_TEST(sys_file_fd, pipe_bad_pointer_leaves_no_descriptors)
{
	cr_assert_eq(SYS(NR_pipe2, 0, 0), -EFAULT);
	cr_assert_eq(SYS(NR_pipe2, SYS_TEST_END - 4, 0), -EFAULT,
		     "the second int falls off the mapping");
	cr_assert_eq(fd_open_count(files), 0);
	cr_assert_eq(SYS(NR_dup, 0), -EBADF);
}

FILE_TEST(sys_file_fd, ioctl_fionbio_and_fionread)
{
	int fds[2], fd, value = 1;

	upipe(fds, 0);
	uput(UBUF, &value, sizeof(value));
	cr_assert_eq(SYS(NR_ioctl, fds[0], FIONBIO, UBUF), 0);
	cr_assert_eq(SYS(NR_read, fds[0], UBUF + 64, 1), -EAGAIN);
	value = 0;
	uput(UBUF, &value, sizeof(value));
	cr_assert_eq(SYS(NR_ioctl, fds[0], FIONBIO, UBUF), 0);
	cr_assert_eq(SYS(NR_fcntl, fds[0], F_GETFL), O_RDONLY);
	cr_assert_eq(SYS(NR_ioctl, fds[0], FIONBIO, 0), -EFAULT);

	ustr(UBUF + 128, "abc");
	cr_assert_eq(SYS(NR_write, fds[1], UBUF + 128, 3), 3);
	cr_assert_eq(SYS(NR_ioctl, fds[0], FIONREAD, UBUF), 0);
	uget(&value, UBUF, sizeof(value));
	cr_assert_eq(value, 3);
	cr_assert_eq(SYS(NR_ioctl, fds[0], FIONREAD, 0), -EFAULT);

	fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	cr_assert_eq(SYS(NR_write, fd, UBUF + 128, 3), 3);
	cr_assert_eq(SYS(NR_lseek, fd, 1, SEEK_SET), 1);
	cr_assert_eq(SYS(NR_ioctl, fd, FIONREAD, UBUF), 0);
	uget(&value, UBUF, sizeof(value));
	cr_assert_eq(value, 2, "a regular file: size - position");
	cr_assert_eq(SYS(NR_ioctl, fd, FIONREAD, 0), -EFAULT);
}

FILE_TEST(sys_file_fd, ioctl_on_non_ttys_is_enotty)
{
	int fds[2];
	int fd = uopen_ok("/f", O_CREAT | O_RDWR, 0644);
	int dir = uopen_ok("/", O_RDONLY | O_DIRECTORY, 0);
	int path = uopen_ok("/f", O_PATH, 0);

	upipe(fds, 0);
	cr_assert_eq(SYS(NR_ioctl, fd, TCGETS, UBUF), -ENOTTY);
	cr_assert_eq(SYS(NR_ioctl, fds[0], TCGETS, UBUF), -ENOTTY);
	cr_assert_eq(SYS(NR_ioctl, fd, TIOCGWINSZ, UBUF), -ENOTTY);
	cr_assert_eq(SYS(NR_ioctl, fd, 0x12345678, UBUF), -ENOTTY);
	cr_assert_eq(SYS(NR_ioctl, dir, FIONREAD, UBUF), -ENOTTY,
		     "host: a directory has no FIONREAD");
	cr_assert_eq(SYS(NR_ioctl, 999, TCGETS, UBUF), -EBADF);
	cr_assert_eq(SYS(NR_ioctl, path, FIOCLEX), -EBADF, "O_PATH: none");
}

/* Linux's console defaults, as `stty -a < /dev/console` shows them. */
static void assert_console_termios(const struct termios *t)
{
	cr_assert_eq(t->c_iflag, ICRNL | IXON);
	cr_assert_eq(t->c_oflag, OPOST | ONLCR);
	cr_assert_eq(t->c_cflag, B38400 | CS8 | CREAD | HUPCL);
	cr_assert_eq(t->c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK |
		     IEXTEN | ECHOCTL | ECHOKE);
	cr_assert_eq(t->c_cc[VINTR], 3);
	cr_assert_eq(t->c_cc[VERASE], 0177);
	cr_assert_eq(t->c_cc[VEOF], 4);
	cr_assert_eq(t->c_cc[VMIN], 1);
	cr_assert_eq(t->c_cc[VSUSP], 032);
}

FILE_TEST(sys_file_fd, console_is_a_terminal)
{
	struct termios t;
	struct winsize ws;
	int fd;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/dev", 0755), 0);
	cr_assert_eq(vfs_mount(R, NULL, "/dev", "devtmpfs", 0, NULL), 0);
	fd = uopen_ok("/dev/console", O_RDWR, 0);
	memset(&t, 0x55, sizeof(t));
	uput(UBUF, &t, sizeof(t));
	cr_assert_eq(SYS(NR_ioctl, fd, TCGETS, UBUF), 0);
	uget(&t, UBUF, sizeof(t));
	assert_console_termios(&t);
	cr_assert_eq(SYS(NR_ioctl, fd, TIOCGWINSZ, UBUF), 0);
	uget(&ws, UBUF, sizeof(ws));
	cr_assert_eq(ws.ws_row, 0, "a serial console has no size");
	cr_assert_eq(ws.ws_col, 0);
	t.c_lflag &= ~(uint32_t)ECHO;
	uput(UBUF, &t, sizeof(t));
	cr_assert_eq(SYS(NR_ioctl, fd, TCSETS, UBUF), 0);
	cr_assert_eq(SYS(NR_ioctl, fd, TCGETS, UBUF + 64), 0);
	uget(&t, UBUF + 64, sizeof(t));
	cr_assert_eq(t.c_lflag & ECHO, 0, "TCSETS is remembered");
	cr_assert_eq(SYS(NR_ioctl, fd, TCGETS, 0), -EFAULT);
	cr_assert_eq(SYS(NR_ioctl, fd, TCSETS, UNMAPPED), -EFAULT);
	cr_assert_eq(SYS(NR_close, fd), 0);
	cr_assert_eq(vfs_umount(R, "/dev", 0), 0);
}

FILE_TEST(sys_file_fd, pipe_vectors_do_not_block_on_later_segments)
{
	uint64_t out[3][2] = { { UBUF, 2 }, { UBUF + 100, 3 }, { UBUF, 0 } };
	uint64_t in[2][2] = { { UBUF + 200, 5 }, { UBUF + 300, 10 } };
	char got[5];
	int fds[2];

	upipe(fds, 0);
	ustr(UBUF, "ab");
	ustr(UBUF + 100, "cde");
	uput(UBUF + 1000, out, sizeof(out));
	cr_assert_eq(SYS(NR_writev, fds[1], UBUF + 1000, 3), 5);
	uput(UBUF + 1100, in, sizeof(in));
	/* Five bytes fill the first segment: the call returns, not waits. */
	cr_assert_eq(SYS(NR_readv, fds[0], UBUF + 1100, 2), 5);
	uget(got, UBUF + 200, sizeof(got));
	cr_assert_eq(memcmp(got, "abcde", 5), 0);
	cr_assert_eq(SYS(NR_close, fds[1]), 0);
	cr_assert_eq(SYS(NR_read, fds[0], UBUF, 10), 0, "EOF");
	upipe(fds, 0);
	cr_assert_eq(SYS(NR_close, fds[0]), 0);
	cr_assert_eq(SYS(NR_write, fds[1], UBUF, 1), -EPIPE);
}
