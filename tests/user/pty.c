/*
 * pty: pseudo-terminals and the line discipline through them, compared
 * with the host: open/grant/unlock, default termios, canonical editing
 * and its echo (erase, kill, word erase, ^X echo, EOF), output
 * processing, raw mode VMIN/VTIME, a child session whose controlling
 * terminal turns ^C into SIGINT and ^Z into a stop, TIOCSWINSZ reaching
 * the child as SIGWINCH, a zombie's process group made foreground and
 * joined, hangup when the master closes, and -ENOTTY on a pipe. Prints only what does not depend on the pair's number or timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static int master = -1, slave = -1;

/* Prints bytes with control characters escaped, as C would write them. */
static void show(const char *what, const char *bytes, ssize_t length)
{
	printf("%s: %zd \"", what, length);
	for (ssize_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)bytes[i];

		if (c == '\n')
			printf("\\n");
		else if (c == '\r')
			printf("\\r");
		else if (c == '\b')
			printf("\\b");
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\"\n");
}

/* What the master has to read now (echo, the slave's output). */
static void drain_master(const char *what)
{
	char buf[512];
	ssize_t n;

	usleep(20000);
	n = read(master, buf, sizeof(buf));
	if (n < 0 && errno == EAGAIN)
		n = 0;
	show(what, buf, n);
}

static void type(const char *bytes)
{
	CHECK(write(master, bytes, strlen(bytes)) == (ssize_t)strlen(bytes));
}

static void slave_read(const char *what)
{
	char buf[256];
	ssize_t n = read(slave, buf, sizeof(buf));

	show(what, buf, n);
}

static void open_pair(void)
{
	char *name;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(master >= 0);
	CHECK(grantpt(master) == 0);
	name = ptsname(master);
	CHECK(name != NULL && strncmp(name, "/dev/pts/", 9) == 0);
	errno = 0;
	CHECK(open(name, O_RDWR | O_NOCTTY) == -1 && errno == EIO);
	printf("locked slave: EIO\n");
	CHECK(unlockpt(master) == 0);
	slave = open(name, O_RDWR | O_NOCTTY);
	CHECK(slave >= 0);
	CHECK(isatty(slave) == 1);
	CHECK(fcntl(master, F_SETFL, O_NONBLOCK) == 0);
}

static void defaults(void)
{
	struct termios t;

	CHECK(tcgetattr(slave, &t) == 0);
	printf("iflag %o oflag %o lflag %o\n", t.c_iflag, t.c_oflag,
	       t.c_lflag);
	printf("VINTR %d VERASE %d VKILL %d VEOF %d VMIN %d VTIME %d\n",
	       t.c_cc[VINTR], t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF],
	       t.c_cc[VMIN], t.c_cc[VTIME]);
}

static void canonical(void)
{
	int avail = -1;

	type("abc\x7f\x7fxy\n");
	drain_master("erase echo");
	CHECK(ioctl(slave, FIONREAD, &avail) == 0);
	printf("FIONREAD %d\n", avail);
	slave_read("erase line");
	type("junk\x15ok\n");
	drain_master("kill echo");
	slave_read("kill line");
	type("one two  \x17three\n");
	drain_master("werase echo");
	slave_read("werase line");
	/* A tab erases back to where it began: after text, after a tab. */
	type("ab\tc\x7f\x7f\x7f" "d\n");
	drain_master("tab erase echo");
	slave_read("tab erase line");
	type("\tx\t\x7f\x7fy\n");
	drain_master("tab after tab erase echo");
	slave_read("tab after tab erase line");
	type("\x01\tz\n");
	drain_master("ctl echo");
	slave_read("ctl line");
	type("partial\x04");
	drain_master("eof echo");
	slave_read("before eof");
	type("\x04");
	slave_read("eof");
	type("two\nlines\n");
	slave_read("first of two");
	slave_read("second of two");
	drain_master("echo of two");
}

/*
 * Special characters are whatever c_cc says: remapped ones act and the
 * usual ones become plain; bytes above 0x7f are plain too. Then OLCUC
 * upper-cases the echo and ISTRIP clears the high bit before all else.
 */
static void remapped(void)
{
	struct termios t, saved;

	CHECK(tcgetattr(slave, &saved) == 0);
	t = saved;
	t.c_cc[VERASE] = '#';
	t.c_cc[VKILL] = '@';
	t.c_cc[VEOL] = 'q';
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	type("ab#c\x7f" "d@xyz\x80" "e\x15q");
	drain_master("remapped echo");
	slave_read("remapped line");
	t.c_oflag |= OLCUC;
	t.c_iflag |= ISTRIP;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	type("low\xe9\tX##\xe4\n");
	drain_master("olcuc istrip echo");
	slave_read("olcuc istrip line");
	CHECK(tcsetattr(slave, TCSANOW, &saved) == 0);
}

static void output(void)
{
	struct termios t;

	CHECK(write(slave, "a\nb\r", 4) == 4);
	drain_master("onlcr");
	CHECK(tcgetattr(slave, &t) == 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	CHECK(write(slave, "a\nb", 3) == 3);
	drain_master("no opost");
	t.c_oflag |= OPOST;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
}

/*
 * A non-blocking write to a slave whose master reads nothing fills the
 * pty, then fails with EAGAIN; once the master reads, writes go again.
 */
static void full_output(void)
{
	static char chunk[1024];
	int slave_flags = fcntl(slave, F_GETFL), master_flags = fcntl(master,
								      F_GETFL);
	size_t total = 0;
	ssize_t n;

	memset(chunk, 'x', sizeof(chunk));
	CHECK(fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK) == 0);
	CHECK(fcntl(master, F_SETFL, master_flags | O_NONBLOCK) == 0);
	while ((n = write(slave, chunk, sizeof(chunk))) > 0 &&
	       total < (1u << 24))
		total += (size_t)n;
	printf("full pty, non-blocking write: %zd %s, wrote before: %d\n", n,
	       n < 0 ? strerror(errno) : "", total > 0);
	while (read(master, chunk, sizeof(chunk)) > 0)
		;
	usleep(20000);	/* Linux frees the room in a worker */
	printf("after the master read: %zd\n", write(slave, "y", 1));
	while (read(master, chunk, sizeof(chunk)) > 0)
		;
	CHECK(fcntl(slave, F_SETFL, slave_flags) == 0);
	CHECK(fcntl(master, F_SETFL, master_flags) == 0);
}

/*
 * IXON: VSTOP (^S) typed on the terminal stops the slave's output, so a
 * non-blocking write finds no room; VSTART (^Q) lets it go again.
 */
static void stopped_output(void)
{
	int slave_flags = fcntl(slave, F_GETFL);
	struct pollfd writable = { .fd = slave, .events = POLLOUT };
	ssize_t n;

	CHECK(fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK) == 0);
	type("\x13");
	usleep(20000);	/* Linux takes input in a worker */
	n = write(slave, "held", 4);
	printf("^S, non-blocking write: %zd %s\n", n,
	       n < 0 ? strerror(errno) : "");
	printf("^S, poll POLLOUT: %d\n", poll(&writable, 1, 0) == 1 &&
					  (writable.revents & POLLOUT));
	type("ab");
	drain_master("typed while stopped");	/* the echo is held */
	type("\x11");
	usleep(20000);
	n = write(slave, "go", 2);
	printf("^Q, write: %zd\n", n);
	drain_master("after ^Q");
	/* TCOON restarts output, and the held echo goes with the next. */
	CHECK(tcflow(slave, TCOOFF) == 0);
	type("c\n");
	drain_master("typed after TCOOFF");
	CHECK(tcflow(slave, TCOON) == 0);
	drain_master("after TCOON");
	CHECK(write(slave, "!", 1) == 1);
	drain_master("written after TCOON");
	slave_read("the line typed while stopped");
	CHECK(fcntl(slave, F_SETFL, slave_flags) == 0);
}

static void raw(void)
{
	struct termios t, saved;
	char buf[16];

	CHECK(tcgetattr(slave, &saved) == 0);
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_iflag &= ~(tcflag_t)ICRNL;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	printf("raw, nothing there: %zd\n", read(slave, buf, sizeof(buf)));
	type("q\r");
	usleep(20000);
	show("raw bytes", buf, read(slave, buf, sizeof(buf)));
	t.c_cc[VTIME] = 1;	/* 0.1 s */
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	printf("VTIME, nothing there: %zd\n", read(slave, buf, sizeof(buf)));
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	type("xyzw");
	usleep(20000);
	show("VMIN 3, 2 asked", buf, read(slave, buf, 2));
	type("v");
	usleep(20000);
	show("VMIN 3 of 3", buf, read(slave, buf, sizeof(buf)));
	type("12");
	usleep(20000);
	/* ICANON back on: the pending raw bytes wait for a line end. */
	CHECK(tcsetattr(slave, TCSAFLUSH, &saved) == 0);
	type("ok\n");
	slave_read("after TCSAFLUSH");
	drain_master("echo after flush");
}

static void on_winch(int signo)
{
	(void)signo;
}

/*
 * A child in its own session with the slave as controlling terminal,
 * waiting in a read: the master's ^C, ^Z and window change reach it.
 */
static pid_t start_session(int report)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		struct winsize size;
		char buf[16];
		int fd;

		setsid();
		fd = open(ptsname(master), O_RDWR);	/* becomes the ctty */
		if (fd < 0 || tcgetpgrp(fd) != getpid())
			_exit(10);
		struct sigaction action = { .sa_handler = on_winch };

		sigaction(SIGWINCH, &action, NULL);	/* no SA_RESTART */
		if (write(report, "r", 1) != 1)
			_exit(11);
		if (read(fd, buf, sizeof(buf)) < 0 && errno == EINTR &&
		    ioctl(fd, TIOCGWINSZ, &size) == 0) {
			dprintf(report, "%d %d", size.ws_row, size.ws_col);
			(void)!read(fd, buf, sizeof(buf));
		}
		_exit(12);
	}
	return pid;
}

/*
 * A session whose leader (a shell, in effect) runs a job in its own
 * group in the foreground: a stop of an orphaned group would be
 * discarded (POSIX), so ^Z needs this shape. The leader reports how the
 * job ended up.
 */
static pid_t start_job_session(int report)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		int fd, status;
		pid_t job;
		char buf[16];

		setsid();
		signal(SIGTTOU, SIG_IGN);
		fd = open(ptsname(master), O_RDWR);
		if (fd < 0)
			_exit(10);
		job = fork();
		if (job == 0) {
			setpgid(0, 0);
			tcsetpgrp(fd, getpid());
			signal(SIGTTOU, SIG_DFL);
			if (write(report, "r", 1) != 1)
				_exit(11);
			(void)!read(fd, buf, sizeof(buf));
			_exit(12);
		}
		setpgid(job, job);
		if (waitpid(job, &status, WUNTRACED) != job)
			_exit(13);
		dprintf(report, "stopped %d signal %d", WIFSTOPPED(status),
			WIFSTOPPED(status) ? WSTOPSIG(status) : 0);
		kill(job, SIGKILL);
		waitpid(job, &status, 0);
		_exit(0);
	}
	return pid;
}

static void wait_ready(int report)
{
	char c;

	CHECK(read(report, &c, 1) == 1);
	usleep(50000);	/* into its read */
}

static void job_control(void)
{
	struct winsize size = { .ws_row = 33, .ws_col = 101 };
	int report[2];
	char buf[32] = { 0 };
	pid_t pid;
	int status;

	CHECK(pipe(report) == 0);
	pid = start_session(report[1]);
	wait_ready(report[0]);
	CHECK(ioctl(master, TIOCSWINSZ, &size) == 0);
	CHECK(read(report[0], buf, sizeof(buf) - 1) > 0);
	printf("child saw the window: %s\n", buf);
	usleep(50000);
	type("\x03");
	CHECK(waitpid(pid, &status, 0) == pid);
	printf("^C: signaled %d signal %d\n", WIFSIGNALED(status),
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	drain_master("^C echo");

	pid = start_job_session(report[1]);
	wait_ready(report[0]);
	type("\x1a");
	memset(buf, 0, sizeof(buf));
	CHECK(read(report[0], buf, sizeof(buf) - 1) > 0);
	printf("^Z: %s\n", buf);
	CHECK(waitpid(pid, &status, 0) == pid);
	drain_master("^Z echo");
	close(report[0]);
	close(report[1]);
}

/*
 * A zombie stays in its process group until reaped: a shell whose
 * pipeline leader already exited still makes the group foreground,
 * moves the next stage into it and signals it (Linux's PIDTYPE_PGID).
 */
static void zombie_group(void)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		siginfo_t info;
		pid_t leader, next;
		int fd;

		setsid();
		fd = open(ptsname(master), O_RDWR);
		leader = fork();
		if (fd < 0 || leader < 0)
			_exit(10);
		if (leader == 0)
			_exit(0);
		if (setpgid(leader, leader) != 0 ||
		    waitid(P_PID, leader, &info, WEXITED | WNOWAIT) != 0)
			_exit(11);
		printf("zombie group: tcsetpgrp %d", tcsetpgrp(fd, leader));
		printf(", foreground %d", tcgetpgrp(fd) == leader);
		printf(", kill %d", kill(-leader, 0));
		printf(", kill leader %d", kill(leader, SIGTERM));
		printf(", getpgid %d", getpgid(leader) == leader);
		printf(", setpgid leader %d", setpgid(leader, leader));
		next = fork();
		if (next == 0)
			_exit(setpgid(0, leader) == 0 && getpgrp() == leader ? 0 : 1);
		printf(", next joins %d\n", waitpid(next, &status, 0) == next &&
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		waitpid(leader, &status, 0);
		status = kill(-leader, 0);
		printf("reaped: kill %d errno %d\n", status, errno);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
}

static void hangup(void)
{
	char buf[8];
	ssize_t n;

	CHECK(close(master) == 0);
	errno = 0;
	n = read(slave, buf, sizeof(buf));
	printf("slave read after master close: %zd %s\n", n,
	       n < 0 ? strerror(errno) : "");
	errno = 0;
	n = write(slave, "x", 1);
	printf("slave write after master close: %zd %s\n", n,
	       n < 0 ? strerror(errno) : "");
	close(slave);

	open_pair();
	CHECK(close(slave) == 0);
	errno = 0;
	n = read(master, buf, sizeof(buf));
	printf("master read after slave close: %zd %s\n", n,
	       n < 0 ? strerror(errno) : "");
	close(master);
}

/* The result of a call that should fail, as an errno name. */
static void refused(const char *what, int result)
{
	printf("%s: %s\n", what, result >= 0 ? "done" : strerror(errno));
}

/* Only the kernel names things in /dev/pts (Linux's errors for each). */
static void devpts_names(void)
{
	char slave_name[64];

	snprintf(slave_name, sizeof(slave_name), "%s", ptsname(master));
	errno = 0;
	refused("create",
		open("/dev/pts/new", O_CREAT | O_EXCL | O_RDWR, 0600));
	refused("mkdir", mkdir("/dev/pts/dir", 0755));
	refused("mkfifo", mkfifo("/dev/pts/fifo", 0600));
	refused("symlink", symlink("x", "/dev/pts/link"));
	refused("link", link(slave_name, "/dev/pts/link"));
	refused("rename", rename(slave_name, "/dev/pts/renamed"));
	refused("unlink", unlink(slave_name));
	refused("rmdir", rmdir(slave_name));
	CHECK(access(slave_name, F_OK) == 0);
	CHECK(access("/dev/pts/new", F_OK) < 0 && errno == ENOENT);
	refused("unlink ptmx", unlink("/dev/pts/ptmx"));
}

/* pts/ptmx: the multiplexer again, mode 000; root opens a new master. */
static void pts_ptmx(void)
{
	struct stat st;
	unsigned int index;
	int fd;

	CHECK(stat("/dev/pts/ptmx", &st) == 0);
	printf("pts/ptmx: mode %o, device %u:%u\n", st.st_mode,
	       major(st.st_rdev), minor(st.st_rdev));
	fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	CHECK(fd >= 0);
	printf("opened as root: a master with a number %d\n",
	       ioctl(fd, TIOCGPTN, &index) == 0);
	close(fd);
}

static void not_a_tty(void)
{
	struct termios t;
	int fds[2], result;

	CHECK(pipe(fds) == 0);

	errno = 0;
	result = ioctl(fds[0], TCGETS, &t);
	printf("TCGETS on a pipe: %d %s\n", result, strerror(errno));
	printf("isatty(pipe) %d\n", isatty(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	check_init("pty");
	signal(SIGTTOU, SIG_IGN);
	open_pair();
	defaults();
	devpts_names();
	pts_ptmx();
	canonical();
	remapped();
	output();
	full_output();
	stopped_output();
	raw();
	job_control();
	zombie_group();
	hangup();
	not_a_tty();
	printf("pty: all checks passed\n");
	return 0;
}
