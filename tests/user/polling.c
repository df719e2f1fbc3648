/*
 * polling: waiting on many files. poll, select, pselect and epoll over
 * pipes (readable, writable, a full pipe, POLLHUP once the writer closed,
 * POLLERR once the reader closed), eventfd (counter, semaphore, limits),
 * level- vs edge-triggered vs one-shot epoll items, nested epoll, a
 * thread and a child writing while the parent waits, timerfd (one
 * shot, periodic, absolute on CLOCK_REALTIME), zero and short
 * timeouts, EINTR from a signal handler during epoll_wait, and the
 * errors of epoll_ctl, epoll_wait and eventfd; what statfs shows of these
 * anonymous files (pipefs, anon_inodefs).
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A descriptor number that is certainly closed: the caller may have
 * inherited any low number (CI runners do), so take a fresh one and close
 * it. */
static int closed_fd(void)
{
	int fd = dup(0);

	CHECK(fd >= 0);
	close(fd);
	return fd;
}

static int poll_one(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };

	CHECK(poll(&p, 1, timeout) >= 0);
	return p.revents;
}

static void poll_pipes(void)
{
	int fds[2];
	char c;

	CHECK_OK(pipe(fds));
	CHECK(poll_one(fds[0], POLLIN, 0) == 0);
	CHECK(poll_one(fds[1], POLLOUT, 0) == POLLOUT);
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK(poll_one(fds[0], POLLIN | POLLOUT, 0) == POLLIN);
	CHECK(read(fds[0], &c, 1) == 1);
	/* Full pipe: not writable. */
	CHECK_OK(fcntl(fds[1], F_SETFL, O_NONBLOCK));
	static char buffer[65536];
	while (write(fds[1], buffer, sizeof(buffer)) > 0)
		;
	CHECK(errno == EAGAIN);
	CHECK(poll_one(fds[1], POLLOUT, 0) == 0);
	CHECK(poll_one(fds[0], POLLIN, 0) == POLLIN);
	while (read(fds[0], buffer, sizeof(buffer)) == (ssize_t)sizeof(buffer))
		if (poll_one(fds[1], POLLOUT, 0))
			break;
	CHECK(poll_one(fds[1], POLLOUT, 0) == POLLOUT);
	close(fds[1]);
	/* Writer gone: POLLHUP (and data if any). */
	while (read(fds[0], buffer, sizeof(buffer)) > 0)
		;
	CHECK(poll_one(fds[0], POLLIN, 0) == POLLHUP);
	close(fds[0]);
	CHECK_OK(pipe(fds));
	close(fds[0]);
	CHECK(poll_one(fds[1], POLLOUT, 0) == (POLLOUT | POLLERR));
	CHECK(poll_one(fds[1], 0, 0) == POLLERR);
	close(fds[1]);
	/* Closed and negative descriptors. */
	struct pollfd p[2] = { { .fd = closed_fd(), .events = POLLIN },
			       { .fd = -1, .events = POLLIN } };
	CHECK(poll(p, 2, 0) == 1 && p[0].revents == POLLNVAL &&
	      p[1].revents == 0);
	/* A regular file is always ready. */
	int file = open("polling.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(file >= 0);
	CHECK(poll_one(file, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
	close(file);
	unlink("polling.tmp");
	printf("poll: pipe readable/writable/full, POLLHUP, POLLERR, POLLNVAL, regular file ready\n");
}

static void select_pipes(void)
{
	int fds[2];
	fd_set in, out;
	struct timeval tv = { 0, 0 };

	CHECK_OK(pipe(fds));
	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_SET(fds[0], &in);
	FD_SET(fds[1], &out);
	CHECK(select(fds[1] + 1, &in, &out, NULL, &tv) == 1);
	CHECK(!FD_ISSET(fds[0], &in) && FD_ISSET(fds[1], &out));
	CHECK(write(fds[1], "y", 1) == 1);
	FD_SET(fds[0], &in);
	FD_ZERO(&out);
	tv.tv_usec = 1000;
	CHECK(select(fds[1] + 1, &in, &out, NULL, &tv) == 1);
	CHECK(FD_ISSET(fds[0], &in));
	/* pselect with a short timeout on an empty pipe. */
	char c;
	CHECK(read(fds[0], &c, 1) == 1);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	FD_SET(fds[0], &in);
	CHECK(pselect(fds[0] + 1, &in, NULL, NULL, &ts, NULL) == 0);
	CHECK(!FD_ISSET(fds[0], &in));
	FD_ZERO(&in);
	int closed = closed_fd();
	FD_SET(closed, &in);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK_ERR(select(closed + 1, &in, NULL, NULL, &tv), EBADF);
	close(fds[0]);
	close(fds[1]);
	printf("select: readable, writable, pselect timeout, EBADF\n");
}

static int epoll_count(int ep, struct epoll_event *events, int max,
		       int timeout)
{
	int n = epoll_wait(ep, events, max, timeout);

	CHECK(n >= 0);
	return n;
}

static void epoll_basics(void)
{
	int fds[2], ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL };
	struct epoll_event out[4];

	CHECK(ep >= 0);
	CHECK(fcntl(ep, F_GETFD) == 0);
	CHECK_OK(pipe(fds));
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	CHECK(write(fds[1], "ab", 2) == 2);
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ULL);
	/* Level-triggered: reported again while data is there. */
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	CHECK(syscall(SYS_epoll_wait, ep, out, 4, 0) == 1);
	/* Writable end too, and the order of two ready items. */
	ev.events = EPOLLOUT;
	ev.data.u64 = 2;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	CHECK(epoll_count(ep, out, 4, 0) == 2);
	CHECK(epoll_count(ep, out, 1, 0) == 1);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev), EEXIST);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], NULL));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], NULL), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, fds[1], &ev), ENOENT);
	/* MOD changes events and data. */
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.u64 = 7;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	CHECK(epoll_count(ep, out, 4, 0) == 1 && out[0].data.u64 == 7 &&
	      out[0].events == EPOLLIN);
	/* The writer closes: EPOLLHUP after the data. */
	close(fds[1]);
	CHECK(epoll_count(ep, out, 4, 0) == 1 &&
	      out[0].events == (EPOLLIN | EPOLLHUP));
	char buffer[4];
	CHECK(read(fds[0], buffer, 4) == 2);
	CHECK(epoll_count(ep, out, 4, 0) == 1 && out[0].events == EPOLLHUP);
	close(fds[0]);
	/* Closing the only descriptor removes the item. */
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	close(ep);
	ep = epoll_create(1);
	CHECK(ep >= 0);
	close(ep);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC);
	close(ep);
	printf("epoll: level-triggered, data.u64, EEXIST/ENOENT, MOD, EPOLLHUP, close removes\n");
}

static void epoll_triggers(void)
{
	int fds[2], ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 1 };
	struct epoll_event out[4];
	char buffer[8];

	CHECK_OK(pipe(fds));
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	CHECK(write(fds[1], "a", 1) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	/* Edge-triggered: not again until new data comes. */
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	CHECK(write(fds[1], "b", 1) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	CHECK(read(fds[0], buffer, sizeof(buffer)) == 2);
	/* One-shot: once, then disarmed until MOD. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	CHECK(write(fds[1], "c", 1) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	CHECK(write(fds[1], "d", 1) == 1);
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	CHECK(epoll_count(ep, out, 4, 0) == 1);
	/* Closing one of two descriptors of the file keeps the item. */
	int copy = dup(fds[0]);
	ev.events = EPOLLIN;
	ev.data.u64 = 9;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	close(fds[0]);
	CHECK(epoll_count(ep, out, 4, 0) == 1 && out[0].data.u64 == 9);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], NULL), EBADF);
	close(copy);
	CHECK(epoll_count(ep, out, 4, 0) == 0);
	close(fds[1]);
	close(ep);
	printf("epoll: edge-triggered, one-shot and re-arm, a dup keeps the item\n");
}

static void epoll_nested(void)
{
	int fds[2], inner = epoll_create1(0), outer = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
	struct epoll_event out[2];
	char c;

	CHECK_OK(pipe(fds));
	CHECK_OK(epoll_ctl(inner, EPOLL_CTL_ADD, fds[0], &ev));
	ev.data.u64 = 6;
	CHECK_OK(epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev));
	CHECK(epoll_count(outer, out, 2, 0) == 0);
	CHECK(poll_one(inner, POLLIN, 0) == 0);
	CHECK(write(fds[1], "n", 1) == 1);
	CHECK(epoll_count(outer, out, 2, 0) == 1 && out[0].data.u64 == 6 &&
	      out[0].events == EPOLLIN);
	CHECK(poll_one(inner, POLLIN, 0) == POLLIN);
	CHECK(epoll_count(inner, out, 2, 0) == 1 && out[0].data.u64 == 5);
	CHECK(read(fds[0], &c, 1) == 1);
	CHECK(epoll_count(outer, out, 2, 0) == 0);
	CHECK(poll_one(inner, POLLIN, 0) == 0);
	/* A cycle, and an instance watching itself. */
	CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
	CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	int other = epoll_create1(0);
	CHECK_ERR(epoll_ctl(other, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	close(other);
	close(fds[0]);
	close(fds[1]);
	close(inner);
	CHECK(epoll_count(outer, out, 2, 0) == 0);
	close(outer);
	printf("epoll: nested instance, poll on an epoll descriptor, ELOOP, EINVAL on itself\n");
}

static void epoll_errors(void)
{
	int fds[2], ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	struct epoll_event out[1];

	CHECK_OK(pipe(fds));
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	CHECK_ERR(epoll_create1(1), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, closed_fd(), &ev), EBADF);
	CHECK_ERR(epoll_ctl(closed_fd(), EPOLL_CTL_ADD, fds[0], &ev), EBADF);
	CHECK_ERR(epoll_ctl(fds[1], EPOLL_CTL_ADD, fds[0], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, 77, fds[0], &ev), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fds[0], 8), EFAULT);
	int file = open("polling.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(file >= 0);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
	close(dir);
	close(file);
	unlink("polling.tmp");
	/* EPOLLEXCLUSIVE: only with some events, never with MOD. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev), EINVAL);
	ev.events = EPOLLIN;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev), EINVAL);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], &ev));
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, out, -1, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, out, 0x7fffffff, 0), EINVAL);
	CHECK_ERR(epoll_wait(closed_fd(), out, 1, 0), EBADF);
	CHECK_ERR(epoll_wait(fds[0], out, 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, (struct epoll_event *)-4096L, 1, 0), EFAULT);
	uint64_t mask = 0;
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 1, 0, &mask, 7), EINVAL);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 1, &bad, NULL, 8), EINVAL);
	close(fds[0]);
	close(fds[1]);
	close(ep);
	printf("epoll: EINVAL, EBADF, EFAULT, EPERM for files and directories, EPOLLEXCLUSIVE rules\n");
}

static void eventfds(void)
{
	uint64_t value;
	int efd = eventfd(3, 0);

	CHECK(efd >= 0);
	CHECK(poll_one(efd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
	CHECK(read(efd, &value, 8) == 8 && value == 3);
	CHECK(poll_one(efd, POLLIN | POLLOUT, 0) == POLLOUT);
	CHECK_ERR(read(efd, &value, 4), EINVAL);
	CHECK_ERR(write(efd, &value, 7), EINVAL);
	value = UINT64_MAX;
	CHECK_ERR(write(efd, &value, 8), EINVAL);
	value = 0xfffffffffffffffeULL;
	CHECK(write(efd, &value, 8) == 8);
	CHECK(poll_one(efd, POLLIN | POLLOUT, 0) == POLLIN);
	CHECK_OK(fcntl(efd, F_SETFL, O_NONBLOCK));
	value = 1;
	CHECK_ERR(write(efd, &value, 8), EAGAIN);
	value = 0;
	CHECK(write(efd, &value, 8) == 8);
	CHECK(read(efd, &value, 16) == 8 && value == 0xfffffffffffffffeULL);
	CHECK_ERR(read(efd, &value, 8), EAGAIN);
	close(efd);
	/* Semaphore mode: one at a time. */
	efd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(efd >= 0);
	CHECK(fcntl(efd, F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(efd, F_GETFL) & O_NONBLOCK) != 0);
	CHECK(read(efd, &value, 8) == 8 && value == 1);
	CHECK(read(efd, &value, 8) == 8 && value == 1);
	CHECK_ERR(read(efd, &value, 8), EAGAIN);
	/* With epoll, edge-triggered: each write is an edge. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 42 };
	struct epoll_event out[2];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	CHECK(epoll_count(ep, out, 2, 0) == 0);
	value = 5;
	CHECK(write(efd, &value, 8) == 8);
	CHECK(epoll_count(ep, out, 2, 0) == 1 && out[0].data.u64 == 42);
	CHECK(epoll_count(ep, out, 2, 0) == 0);
	CHECK(write(efd, &value, 8) == 8);
	CHECK(epoll_count(ep, out, 2, 0) == 1);
	close(ep);
	close(efd);
	CHECK_ERR(eventfd(0, 0x10), EINVAL);
	printf("eventfd: counter, 8-byte rule, overflow, EAGAIN, semaphore, with epoll\n");
}

static int thread_pipe[2];

static void *late_writer(void *arg)
{
	(void)arg;
	usleep(20000);
	CHECK(write(thread_pipe[1], "t", 1) == 1);
	return NULL;
}

static void waiting(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 3 };
	struct epoll_event out[2];
	pthread_t thread;
	char c;

	CHECK_OK(pipe(thread_pipe));
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, thread_pipe[0], &ev));
	/* A short timeout passes with nothing. */
	CHECK(epoll_count(ep, out, 2, 10) == 0);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	CHECK(syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8) == 0);
	/* A thread writes while we wait forever. */
	CHECK(pthread_create(&thread, NULL, late_writer, NULL) == 0);
	CHECK(epoll_count(ep, out, 2, -1) == 1 && out[0].data.u64 == 3);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECK(read(thread_pipe[0], &c, 1) == 1);
	/* poll and select wait for a thread too. */
	CHECK(pthread_create(&thread, NULL, late_writer, NULL) == 0);
	CHECK(poll_one(thread_pipe[0], POLLIN, -1) == POLLIN);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECK(read(thread_pipe[0], &c, 1) == 1);
	CHECK(pthread_create(&thread, NULL, late_writer, NULL) == 0);
	fd_set in;
	FD_ZERO(&in);
	FD_SET(thread_pipe[0], &in);
	CHECK(select(thread_pipe[0] + 1, &in, NULL, NULL, NULL) == 1);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECK(read(thread_pipe[0], &c, 1) == 1);
	/* A child writes to an eventfd the parent waits on. */
	int efd = eventfd(0, 0);
	ev.data.u64 = 4;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint64_t one = 1;

		usleep(20000);
		_exit(write(efd, &one, 8) == 8 ? 0 : 1);
	}
	CHECK(epoll_count(ep, out, 2, 5000) == 1 && out[0].data.u64 == 4);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	close(efd);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
	close(ep);
	printf("waiting: timeouts, a thread and a child wake epoll, poll and select\n");
}

static void timerfds(void)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec set = { .it_value = { 0, 20 * 1000 * 1000 } }, get;
	uint64_t ticks;

	CHECK(tfd >= 0);
	CHECK_OK(timerfd_gettime(tfd, &get));
	CHECK(get.it_value.tv_sec == 0 && get.it_value.tv_nsec == 0);
	CHECK(poll_one(tfd, POLLIN, 0) == 0);
	CHECK_OK(timerfd_settime(tfd, 0, &set, NULL));
	CHECK_OK(timerfd_gettime(tfd, &get));
	CHECK(get.it_value.tv_sec == 0 && get.it_value.tv_nsec > 0 &&
	      get.it_value.tv_nsec <= 20 * 1000 * 1000);
	CHECK(poll_one(tfd, POLLIN, -1) == POLLIN);
	CHECK(read(tfd, &ticks, 8) == 8 && ticks == 1);
	CHECK_OK(timerfd_gettime(tfd, &get));
	CHECK(get.it_value.tv_sec == 0 && get.it_value.tv_nsec == 0);
	CHECK_OK(fcntl(tfd, F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(tfd, &ticks, 8), EAGAIN);
	CHECK_ERR(read(tfd, &ticks, 4), EINVAL);
	/* Periodic: the count of expiries since the last read. */
	set.it_value.tv_nsec = 10 * 1000 * 1000;
	set.it_interval.tv_nsec = 10 * 1000 * 1000;
	CHECK_OK(timerfd_settime(tfd, 0, &set, NULL));
	usleep(55000);
	CHECK(read(tfd, &ticks, 8) == 8 && ticks >= 2);
	struct itimerspec old;
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(timerfd_settime(tfd, 0, &off, &old));
	CHECK(old.it_interval.tv_nsec == 10 * 1000 * 1000);
	CHECK_ERR(read(tfd, &ticks, 8), EAGAIN);
	close(tfd);
	/* Absolute on the wall clock, waited for with epoll. */
	tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK(tfd >= 0 && fcntl(tfd, F_GETFD) == FD_CLOEXEC);
	struct timespec now;
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
	set.it_interval.tv_nsec = 0;
	set.it_value = now;
	set.it_value.tv_nsec += 20 * 1000 * 1000;
	if (set.it_value.tv_nsec >= 1000000000L) {
		set.it_value.tv_sec++;
		set.it_value.tv_nsec -= 1000000000L;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 8 }, out[1];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
	CHECK_OK(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &set, NULL));
	CHECK(epoll_count(ep, out, 1, 5000) == 1 && out[0].data.u64 == 8);
	CHECK(read(tfd, &ticks, 8) == 8 && ticks == 1);
	close(ep);
	/* Errors. */
	int fds[2];
	CHECK_OK(pipe(fds));
	CHECK_ERR(timerfd_create(99, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x10), EINVAL);
	CHECK_ERR(timerfd_settime(tfd, 4, &set, NULL), EINVAL);
	set.it_value.tv_nsec = 1000000000L;
	CHECK_ERR(timerfd_settime(tfd, 0, &set, NULL), EINVAL);
	set.it_value.tv_nsec = 0;
	CHECK_ERR(timerfd_settime(fds[0], 0, &set, NULL), EINVAL);
	CHECK_ERR(timerfd_settime(closed_fd(), 0, &set, NULL), EBADF);
	CHECK_ERR(timerfd_gettime(fds[0], &get), EINVAL);
	close(fds[0]);
	close(fds[1]);
	close(tfd);
	printf("timerfd: one shot, periodic count, disarm, absolute realtime with epoll, errors\n");
}

static volatile sig_atomic_t signals;

static void on_signal(int signal)
{
	(void)signal;
	signals++;
}

/* A child that sends SIGUSR1 to the caller after 100 ms. */
static pid_t signal_later(void)
{
	pid_t parent = getpid(), pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		usleep(100000);
		_exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
}

static void interrupted(void)
{
	struct sigaction action = { .sa_handler = on_signal,
				    .sa_flags = SA_RESTART };
	struct epoll_event out[1];
	int fds[2], ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t pid;

	CHECK_OK(pipe(fds));
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	CHECK_OK(sigaction(SIGUSR1, &action, NULL));
	/* Even with SA_RESTART, epoll_wait is not restarted. */
	pid = signal_later();
	CHECK_ERR(epoll_wait(ep, out, 1, -1), EINTR);
	CHECK(signals == 1);
	reap(pid);
	/* SIGUSR1 blocked, but let through for epoll_pwait's wait. */
	sigset_t block, open_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&open_mask);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	pid = signal_later();
	CHECK_ERR(epoll_pwait(ep, out, 1, -1, &open_mask), EINTR);
	CHECK(signals == 2);
	reap(pid);
	/* And the mask is back: a pending SIGUSR1 waits for the unblock. */
	pid = signal_later();
	reap(pid);
	CHECK(signals == 2);
	CHECK(epoll_count(ep, out, 1, 0) == 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK(signals == 3);
	signal(SIGUSR1, SIG_DFL);
	close(fds[0]);
	close(fds[1]);
	close(ep);
	printf("signals: epoll_wait EINTR (not restarted), epoll_pwait mask\n");
}

/*
 * An O_PATH descriptor (here of a FIFO, which opens no pipe) is not a
 * file to wait on: poll says POLLNVAL and epoll_ctl EBADF (Linux's fdget
 * refuses it), while select finds it open and ready.
 */
static void opath_descriptors(void)
{
	const char *name = "/tmp/polling.fifo";
	struct pollfd entry;
	struct epoll_event event = { .events = EPOLLIN };
	struct timeval now = { 0 };
	fd_set readable;
	int fd, poller;

	unlink(name);
	CHECK(mkfifo(name, 0600) == 0);
	fd = open(name, O_PATH);
	CHECK(fd >= 0);
	entry = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	CHECK(poll(&entry, 1, 0) == 1 && entry.revents == POLLNVAL);
	FD_ZERO(&readable);
	FD_SET(fd, &readable);
	CHECK(select(fd + 1, &readable, NULL, NULL, &now) == 1 &&
	      FD_ISSET(fd, &readable));
	poller = epoll_create1(0);
	CHECK(poller >= 0);
	CHECK(epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event) == -1 &&
	      errno == EBADF);
	close(poller);
	close(fd);
	CHECK(unlink(name) == 0);
	printf("O_PATH descriptors: poll POLLNVAL, select ready, epoll_ctl EBADF\n");
}

/* A pseudo file system as Linux's simple_statfs shows it. */
static void check_pseudo_fs(const struct statfs *buf, unsigned long magic)
{
	CHECK((unsigned long)buf->f_type == magic);
	CHECK(buf->f_bsize == 4096 && buf->f_frsize == 4096);
	CHECK(buf->f_namelen == 255);
	CHECK(buf->f_flags == 0x20);			/* ST_VALID */
	CHECK(buf->f_blocks == 0 && buf->f_files == 0);
	CHECK(buf->f_fsid.__val[0] != 0 && buf->f_fsid.__val[1] == 0);
}

static void anonymous_statfs(void)
{
	struct statfs pipe_fs, link_fs, event_fs, timer_fs, epoll_fs;
	int fds[2], event, timer, epoll;
	char link[64];

	CHECK_OK(pipe(fds));
	CHECK_OK(fstatfs(fds[1], &pipe_fs));
	check_pseudo_fs(&pipe_fs, 0x50495045);		/* PIPEFS_MAGIC */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[0]);
	CHECK_OK(statfs(link, &link_fs));
	CHECK(memcmp(&link_fs, &pipe_fs, sizeof(link_fs)) == 0);
	CHECK((event = eventfd(0, 0)) >= 0);
	CHECK((timer = timerfd_create(CLOCK_MONOTONIC, 0)) >= 0);
	CHECK((epoll = epoll_create1(0)) >= 0);
	CHECK_OK(fstatfs(event, &event_fs));
	CHECK_OK(fstatfs(timer, &timer_fs));
	CHECK_OK(fstatfs(epoll, &epoll_fs));
	check_pseudo_fs(&event_fs, 0x09041934);	/* ANON_INODE_FS_MAGIC */
	CHECK(memcmp(&timer_fs, &event_fs, sizeof(timer_fs)) == 0);
	CHECK(memcmp(&epoll_fs, &event_fs, sizeof(epoll_fs)) == 0);
	CHECK(event_fs.f_fsid.__val[0] != pipe_fs.f_fsid.__val[0]);
	close(fds[0]);
	close(fds[1]);
	close(event);
	close(timer);
	close(epoll);
	printf("anonymous files: pipefs and anon_inodefs statfs\n");
}

int main(void)
{
	check_init("polling");
	poll_pipes();
	select_pipes();
	epoll_basics();
	epoll_triggers();
	epoll_nested();
	epoll_errors();
	eventfds();
	waiting();
	timerfds();
	interrupted();
	opath_descriptors();
	anonymous_statfs();
	printf("polling: all checks passed\n");
	return 0;
}
