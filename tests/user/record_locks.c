/*
 * record_locks: fcntl(2) record locks, POSIX (owned by the process) and
 * OFD (owned by the open file description). The argument errors; what
 * F_GETLK reports; a process's own locks replacing, splitting and merging
 * each other; conflicts with another process and another description;
 * locks going at any close of the file by the process, at exit, and (OFD)
 * at the description's last close; no inheritance by fork for POSIX
 * locks; F_SETLKW waiting, granted at the unlock, interrupted by a
 * signal (EINTR), and EDEADLK for two processes waiting for each other.
 *
 * An OFD F_GETLK sees the process's own POSIX locks (another owner),
 * which lets one process look at its locks as others do.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "record-locks"
#define OFFSET_MAX INT64_MAX

static int lock(int fd, int cmd, short type, short whence, off_t start,
		off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* What F_OFD_GETLK (or F_GETLK) finds blocking a lock of `type`. */
static struct flock probe(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	CHECK_OK(fcntl(fd, cmd, &fl));
	return fl;
}

static const char *type_name(short type)
{
	return type == F_RDLCK ? "read" : type == F_WRLCK ? "write" :
	       type == F_UNLCK ? "none" : "bad";
}

/* Prints what blocks a write lock of [start, start + len). */
static void show(const char *what, int fd, off_t start, off_t len)
{
	struct flock fl = probe(fd, F_OFD_GETLK, F_WRLCK, start, len);

	if (fl.l_type == F_UNLCK)
		printf("%s: none\n", what);
	else
		printf("%s: %s at %lld len %lld\n", what, type_name(fl.l_type),
		       (long long)fl.l_start, (long long)fl.l_len);
}

static int open_file(int flags)
{
	int fd = open(FILE_NAME, flags);

	CHECK(fd >= 0);
	return fd;
}

static void reap(pid_t pid, int expected)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == expected);
}

static void argument_errors(void)
{
	int fd = open_file(O_RDWR), rd = open_file(O_RDONLY);
	int path = open(FILE_NAME, O_PATH);
	struct flock fl = { .l_type = F_RDLCK, .l_pid = 5 };

	CHECK(path >= 0);
	CHECK_ERR(lock(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 0), EINVAL);
	CHECK_ERR(lock(fd, F_GETLK, 3, SEEK_SET, 0, 0), EINVAL);
	CHECK_ERR(lock(fd, F_SETLK, 3, SEEK_SET, 0, 0), EINVAL);
	CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, 7, 0, 0), EINVAL);
	CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, -1, 0), EINVAL);
	CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, -6), EINVAL);
	CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, OFFSET_MAX, 2),
		  EOVERFLOW);
	CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, SEEK_END, OFFSET_MAX, 0),
		  EOVERFLOW);
	CHECK_ERR(fcntl(fd, F_OFD_SETLK, &fl), EINVAL);	/* l_pid not 0 */
	CHECK_ERR(fcntl(fd, F_OFD_GETLK, &fl), EINVAL);
	CHECK_ERR(lock(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), EBADF);
	CHECK_OK(lock(rd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_ERR(lock(path, F_GETLK, F_RDLCK, SEEK_SET, 0, 0), EBADF);
	CHECK_ERR(fcntl(fd, F_SETLK, (void *)16), EFAULT);
	CHECK_ERR(fcntl(fd, F_GETLK, (void *)16), EFAULT);
	/* F_GETLK with nothing in the way changes l_type alone. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_start = 3, .l_len = 4,
			     .l_pid = 77 };
	CHECK_OK(fcntl(fd, F_GETLK, &fl));
	CHECK(fl.l_type == F_UNLCK && fl.l_start == 3 && fl.l_len == 4 &&
	      fl.l_pid == 77);
	close(fd);
	close(rd);
	close(path);
	printf("argument errors: EINVAL, EOVERFLOW, EBADF, EFAULT\n");
}

/* A process's own locks replace, split and merge; others see the result. */
static void own_locks(void)
{
	int fd = open_file(O_RDWR), view = open_file(O_RDWR);
	struct flock fl;

	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, 10));	/* own */
	CHECK_OK(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 10, 10));
	show("after unlocking [10,20)", view, 0, 0);
	show("inside the hole", view, 10, 10);
	show("past the hole", view, 20, 0);
	CHECK_OK(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 10));
	fl = probe(view, F_OFD_GETLK, F_RDLCK, 20, 0);	/* reads fit [30,40) */
	printf("read past the hole blocked by %s at %lld len %lld\n",
	       type_name(fl.l_type), (long long)fl.l_start,
	       (long long)fl.l_len);
	show("write at [30,40)", view, 30, 10);
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 30));
	show("whole range after relocking [10,40)", view, 0, 0);
	fl = probe(view, F_OFD_GETLK, F_WRLCK, 0, 0);
	CHECK(fl.l_pid == getpid());
	/* SEEK_CUR and SEEK_END, and a negative length. */
	CHECK_OK(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK(lseek(fd, 200, SEEK_SET) == 200);
	CHECK_OK(lock(fd, F_SETLK, F_RDLCK, SEEK_CUR, -10, 5));
	CHECK_OK(lock(fd, F_SETLK, F_RDLCK, SEEK_CUR, 5, -15));
	show("read [190,195) and [190,205) merged", view, 0, 0);
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_END, -3, 2));
	show("past the end of file", view, 1000, 0);
	show("to the end of file", view, 0, 0);
	CHECK_OK(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("all unlocked", view, 0, 0);
	close(fd);
	close(view);
	printf("own locks: replaced, split, merged\n");
}

/* Conflicts with another process; its locks go when it closes or exits. */
static void other_processes(void)
{
	int fd = open_file(O_RDWR), other, pipe_fds[2];
	char byte;
	pid_t child;

	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_OK(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct flock fl = probe(fd, F_GETLK, F_RDLCK, 5, 1);

		CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 &&
		      fl.l_len == 10 && fl.l_pid == getppid());
		CHECK_ERR(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
		CHECK_OK(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
		CHECK_ERR(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 25, 1), EAGAIN);
		CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
		/* Not inherited: unlocking here leaves the parent's. */
		CHECK_OK(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
		fl = probe(fd, F_GETLK, F_RDLCK, 0, 0);
		CHECK(fl.l_type == F_WRLCK && fl.l_start == 0);
		_exit(0);
	}
	reap(child, 0);
	show("the parent's after the child unlocked all", fd, 0, 0);

	/* Any close of the file by the owner drops its locks. */
	other = open_file(O_RDONLY);
	close(other);
	show("after closing another descriptor", fd, 0, 0);
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	other = dup(fd);
	CHECK(other >= 0);
	close(other);
	show("after closing a dup", fd, 0, 0);
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	other = open_file(O_RDONLY);
	CHECK(dup2(other, other + 1) == other + 1);
	CHECK(dup2(fd, other + 1) == other + 1);	/* replaces a dup */
	show("after dup2 over another descriptor", fd, 0, 0);
	close(other);
	close(other + 1);

	/* A child's locks go at its exit. */
	CHECK_OK(pipe(pipe_fds));
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
		CHECK(write(pipe_fds[1], "x", 1) == 1);
		pause();
		_exit(1);
	}
	CHECK(read(pipe_fds[0], &byte, 1) == 1);
	show("a child's lock", fd, 0, 0);
	kill(child, SIGKILL);
	CHECK(waitpid(child, NULL, 0) == child);
	show("after the child died", fd, 0, 0);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(fd);
	printf("other processes: conflicts, no inheritance, close and exit\n");
}

static volatile sig_atomic_t alarms;

static void on_alarm(int signal)
{
	(void)signal;
	alarms++;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* F_SETLKW: granted at the unlock, EINTR from a signal, EDEADLK. */
static void waiting(void)
{
	struct sigaction action = { .sa_handler = on_alarm };
	int fd = open_file(O_RDWR), to_child[2], to_parent[2];
	char byte;
	pid_t child;

	CHECK_OK(pipe(to_child));
	CHECK_OK(pipe(to_parent));
	CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		CHECK_OK(sigaction(SIGALRM, &action, NULL));
		alarm(1);	/* no SA_RESTART: EINTR */
		CHECK_ERR(lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EINTR);
		CHECK(alarms == 1);
		CHECK_OK(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
		CHECK(write(to_parent[1], "a", 1) == 1);
		/* Waits for [0,1), which the parent holds. */
		CHECK_OK(lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		CHECK(write(to_parent[1], "b", 1) == 1);
		CHECK(read(to_child[0], &byte, 1) == 1);
		_exit(0);
	}
	CHECK(read(to_parent[0], &byte, 1) == 1 && byte == 'a');
	sleep_ms(200);	/* the child waits for [0,1) by now */
	/* The child waits for us: waiting for its [1,2) would deadlock. */
	CHECK_ERR(lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
	CHECK_ERR(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1), EAGAIN);
	CHECK_OK(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	CHECK(read(to_parent[0], &byte, 1) == 1 && byte == 'b');
	show("the child got [0,1) at the unlock", fd, 0, 0);
	CHECK(write(to_child[1], "c", 1) == 1);
	reap(child, 0);
	show("after the child", fd, 0, 0);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	close(fd);
	printf("waiting: granted at the unlock, EINTR, EDEADLK\n");
}

/* OFD locks: per description, shared by dup and fork, last close. */
static void ofd_locks(void)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR), a2;
	struct flock fl;
	pid_t child;

	CHECK_OK(lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_ERR(lock(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	CHECK_ERR(lock(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	fl = probe(b, F_OFD_GETLK, F_RDLCK, 0, 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == -1 && fl.l_len == 10);
	fl = probe(b, F_GETLK, F_RDLCK, 0, 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == -1);
	/* F_UNLCK asks for the description's own locks. */
	fl = probe(a, F_OFD_GETLK, F_UNLCK, 0, 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10);
	fl = probe(b, F_OFD_GETLK, F_UNLCK, 0, 0);
	CHECK(fl.l_type == F_UNLCK);
	a2 = dup(a);
	CHECK(a2 >= 0);
	close(a);	/* a dup keeps the description: the lock stays */
	show("OFD lock after closing one of two dups", b, 0, 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {	/* the same description: the child's too */
		CHECK_OK(lock(a2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 5));
		_exit(0);
	}
	reap(child, 0);
	show("after the child unlocked [0,5)", b, 0, 0);
	close(a2);
	show("after the last close", b, 0, 0);
	/* Same-process POSIX and OFD locks conflict too. */
	CHECK_OK(lock(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	a = open_file(O_RDWR);
	CHECK_ERR(lock(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 1), EAGAIN);
	close(a);	/* the POSIX lock goes with any close */
	CHECK_OK(lock(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	close(b);
	printf("OFD locks: per description, dup, fork, last close\n");
}

int main(void)
{
	int fd;

	check_init("record_locks");
	fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	argument_errors();
	own_locks();
	other_processes();
	waiting();
	ofd_locks();
	CHECK_OK(unlink(FILE_NAME));
	printf("record_locks: all checks passed\n");
	return 0;
}
