/*
 * procfs_test: checks /proc on the kernel it runs on against what the
 * program knows of itself (its pid, its mappings, the mount table), and
 * the errors of bad accesses. Runs on the host Linux too (the same
 * checks hold there); prints "procfs_test: all checks passed".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "check.h"

static char buffer[1 << 16];

/* The whole file in `buffer`, NUL-terminated; its length or -1. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long total = 0, n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buffer + total, sizeof(buffer) - 1 - total)) > 0)
		total += n;
	close(fd);
	buffer[total] = '\0';
	return total;
}

static void check_stat(void)
{
	char expect[64];
	int pid = 0, ppid = 0;
	char state = 0;

	CHECK(slurp("/proc/self/stat") > 0);
	CHECK(sscanf(buffer, "%d (procfs_test) %c %d", &pid, &state, &ppid) == 3);
	CHECK(pid == getpid());
	CHECK(ppid == getppid());
	CHECK(state == 'R');
	snprintf(expect, sizeof(expect), "Pid:\t%d\n", getpid());
	CHECK(slurp("/proc/self/status") > 0 && strstr(buffer, expect));
	CHECK(strstr(buffer, "Name:\tprocfs_test\n") != NULL);
	CHECK(slurp("/proc/self/statm") > 0);
	CHECK(strtoul(buffer, NULL, 10) > 0);
	/* The main thread under task/, and thread-self naming it. */
	snprintf(expect, sizeof(expect), "/proc/self/task/%d/stat", getpid());
	CHECK(slurp(expect) > 0 && atoi(buffer) == getpid());
	snprintf(expect, sizeof(expect), "%d/task/%d", getpid(), getpid());
	CHECK(readlink("/proc/thread-self", buffer, sizeof(buffer)) ==
	      (ssize_t)strlen(expect));
	CHECK(strncmp(buffer, expect, strlen(expect)) == 0);
	CHECK(slurp("/proc/thread-self/status") > 0 && strstr(buffer, "Threads:\t1\n"));
}

static void check_maps(void)
{
	unsigned long code = (unsigned long)&check_maps, start, end;
	char perms[5], *line;
	int found = 0;

	CHECK(slurp("/proc/self/maps") > 0);
	CHECK(strstr(buffer, "[stack]\n") != NULL);
	/* The line mapping this code is executable and names this program. */
	for (line = buffer; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
		    start <= code && code < end) {
			found = perms[2] == 'x' &&
				strncmp(strchr(line, '\n') - 12, "/procfs_test", 12) == 0;
			break;
		}
	}
	CHECK(found);
}

static void check_system(void)
{
	double one, five, fifteen;
	int running, total, last;

	CHECK(slurp("/proc/mounts") > 0);
	CHECK(strstr(buffer, " /proc proc rw") != NULL);
	CHECK(slurp("/proc/self/mountinfo") > 0 && strstr(buffer, " /proc "));
	CHECK(slurp("/proc/filesystems") > 0 && strstr(buffer, "\tproc\n"));
	CHECK(slurp("/proc/loadavg") > 0);
	CHECK(sscanf(buffer, "%lf %lf %lf %d/%d %d", &one, &five, &fifteen,
		     &running, &total, &last) == 6);
	CHECK(running >= 1 && total >= running && last >= getpid());
	CHECK(slurp("/proc/stat") > 0 && strncmp(buffer, "cpu ", 4) == 0);
	CHECK(strstr(buffer, "\ncpu0 ") && strstr(buffer, "\nctxt "));
	CHECK(strstr(buffer, "\nbtime ") && strstr(buffer, "\nprocs_running "));
	CHECK(slurp("/proc/cpuinfo") > 0 && strncmp(buffer, "processor\t: 0\n", 14) == 0);
	CHECK(slurp("/proc/meminfo") > 0 && strncmp(buffer, "MemTotal:", 9) == 0);
	CHECK(slurp("/proc/sys/kernel/ostype") == 6 && strcmp(buffer, "Linux\n") == 0);
	CHECK(slurp("/proc/sys/kernel/pid_max") > 0 && atoi(buffer) >= 32768);
	CHECK(slurp("/proc/version") > 0 && strncmp(buffer, "Linux version ", 14) == 0);
}

static void check_errors(void)
{
	int fd = open("/proc/uptime", O_WRONLY);
	char byte;

	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == -1 && errno == EIO);
	close(fd);
	fd = open("/proc/self/stat", O_WRONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == -1 && errno == EINVAL);
	close(fd);
	fd = open("/proc/self/stat", O_RDONLY);
	CHECK(lseek(fd, 1L << 40, SEEK_SET) == 1L << 40);
	CHECK(read(fd, &byte, 1) == 0);
	CHECK(lseek(fd, 3, SEEK_SET) == 3);
	CHECK(read(fd, &byte, 1) == 1);
	close(fd);
	/* Short reads: a byte at a time gives the same text. */
	fd = open("/proc/self/cmdline", O_RDONLY);
	CHECK(read(fd, &byte, 1) == 1 && byte == '/');
	close(fd);
}

/* readlink of /proc/self/fd/N into `buffer`, or "" on an error. */
static const char *fd_link(int fd)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buffer, sizeof(buffer) - 1);
	buffer[n > 0 ? n : 0] = '\0';
	return buffer;
}

/* Files without a path: pipe:[ino] and anon_inode:[kind], as Linux. */
static void check_anon_links(void)
{
	int pipe_fds[2], event = eventfd(0, 0), timer, poller;
	char *end;

	CHECK(pipe(pipe_fds) == 0);
	fd_link(pipe_fds[0]);
	CHECK(strncmp(buffer, "pipe:[", 6) == 0 &&
	      strtoul(buffer + 6, &end, 10) > 0 && strcmp(end, "]") == 0);
	CHECK(event >= 0 && strcmp(fd_link(event), "anon_inode:[eventfd]") == 0);
	timer = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(timer >= 0 &&
	      strcmp(fd_link(timer), "anon_inode:[timerfd]") == 0);
	poller = epoll_create1(0);
	CHECK(poller >= 0 &&
	      strcmp(fd_link(poller), "anon_inode:[eventpoll]") == 0);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(event);
	close(timer);
	close(poller);
}

/* /proc/self/fd/N followed: the path of descriptor fd, plus `suffix`. */
static const char *fd_path(int fd, const char *suffix)
{
	static char path[80];

	snprintf(path, sizeof(path), "/proc/self/fd/%d%s", fd, suffix);
	return path;
}

/*
 * Magic links lead to the file itself, not to the text readlink shows:
 * a deleted file or directory and a removed working directory are still
 * reached, as on Linux.
 */
static void check_magic_links(void)
{
	const char *name = "/tmp/procfs_test.file", *dir = "/tmp/procfs_test.dir";
	struct stat by_fd, by_link;
	char text[8] = { 0 };
	int fd, again, dir_fd;

	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "hello", 5) == 5 && unlink(name) == 0);
	CHECK(strcmp(fd_link(fd), "/tmp/procfs_test.file (deleted)") == 0);
	again = open(fd_path(fd, ""), O_RDONLY);
	CHECK(again >= 0 && read(again, text, sizeof(text)) == 5 &&
	      strcmp(text, "hello") == 0);
	CHECK(fstat(fd, &by_fd) == 0 && fstat(again, &by_link) == 0 &&
	      by_fd.st_ino == by_link.st_ino && by_link.st_nlink == 0);
	close(again);
	CHECK(open(fd_path(fd, ""), O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);
	CHECK(open(fd_path(fd, "/"), O_RDONLY) == -1 && errno == ENOTDIR);
	CHECK(stat(fd_path(fd, "/x"), &by_link) == -1 && errno == ENOTDIR);
	CHECK(open(fd_path(fd, ""), O_WRONLY | O_CREAT | O_EXCL, 0600) == -1 &&
	      errno == EEXIST);
	/* `> /dev/stdout`: O_CREAT opens the existing file (and truncates). */
	again = open(fd_path(fd, ""), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(again >= 0 && fstat(fd, &by_fd) == 0 && by_fd.st_size == 0);
	close(again);
	close(fd);

	CHECK(mkdir(dir, 0700) == 0);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dir_fd >= 0 && chdir(dir) == 0 && rmdir(dir) == 0);
	CHECK(stat(fd_path(dir_fd, ""), &by_link) == 0 &&
	      S_ISDIR(by_link.st_mode) && by_link.st_nlink == 0);
	CHECK(stat("/proc/self/cwd", &by_fd) == 0 &&
	      by_fd.st_ino == by_link.st_ino);
	CHECK(stat(fd_path(dir_fd, "/."), &by_fd) == 0);
	CHECK(open(fd_path(dir_fd, "/new"), O_WRONLY | O_CREAT, 0600) == -1 &&
	      errno == ENOENT);
	CHECK(open(fd_path(dir_fd, ""), O_WRONLY) == -1 && errno == EISDIR);
	CHECK(stat("/proc/self/cwd/..", &by_fd) == 0 && S_ISDIR(by_fd.st_mode));
	CHECK(getcwd(text, sizeof(text)) == NULL && errno == ENOENT);
	CHECK(strcmp(fd_link(dir_fd), "/tmp/procfs_test.dir (deleted)") == 0);
	CHECK(chdir("/") == 0);
	close(dir_fd);
}

/* lstat of /proc/self/fd/N: the open mode as permissions, size 64. */
static unsigned int fd_link_mode(int fd)
{
	struct stat st;

	CHECK(lstat(fd_path(fd, ""), &st) == 0 && S_ISLNK(st.st_mode) &&
	      st.st_size == 64);
	return st.st_mode & 07777;
}

static void check_fd_link_modes(void)
{
	const char *name = "/tmp/procfs_test.modes";
	int fd = open(name, O_RDONLY | O_CREAT, 0600);

	CHECK(fd >= 0 && fd_link_mode(fd) == 0500);
	close(fd);
	/* The same number, another file: the link is looked up again. */
	CHECK(open(name, O_WRONLY) == fd && fd_link_mode(fd) == 0300);
	close(fd);
	CHECK(open(name, O_RDWR) == fd && fd_link_mode(fd) == 0700);
	close(fd);
	CHECK(open(name, O_PATH) == fd && fd_link_mode(fd) == 0);
	close(fd);
	CHECK(unlink(name) == 0);
}

/* A pipe is reopened through its link: a new end of the same pipe. */
static void check_pipe_reopen(void)
{
	int ends[2], reader, writer, created;
	struct stat by_fd, by_link;
	char text[8] = { 0 };
	char name[64];

	CHECK(pipe(ends) == 0);
	reader = open(fd_path(ends[0], ""), O_RDONLY);
	writer = open(fd_path(ends[0], ""), O_WRONLY);
	CHECK(reader >= 0 && writer >= 0);
	CHECK(fstat(ends[0], &by_fd) == 0 && stat(fd_path(ends[1], ""), &by_link) == 0 &&
	      S_ISFIFO(by_link.st_mode) && by_link.st_ino == by_fd.st_ino &&
	      by_link.st_dev == by_fd.st_dev);
	snprintf(name, sizeof(name), "pipe:[%lu]", (unsigned long)by_fd.st_ino);
	CHECK(strcmp(fd_link(reader), name) == 0 && strcmp(fd_link(writer), name) == 0);
	CHECK(write(ends[1], "ab", 2) == 2 && read(reader, text, sizeof(text)) == 2 &&
	      strcmp(text, "ab") == 0);
	CHECK(write(writer, "cd", 2) == 2 && read(ends[0], text, sizeof(text)) == 2 &&
	      strcmp(text, "cd") == 0);
	/* `> /dev/stdout` with stdout a pipe; a reopened end is followed too. */
	created = open(fd_path(writer, ""), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(created >= 0 && write(created, "ef", 2) == 2 &&
	      read(reader, text, sizeof(text)) == 2 && strncmp(text, "ef", 2) == 0);
	close(created);
	/* EOF once every write end, reopened ones included, is closed. */
	close(ends[1]);
	CHECK(fcntl(ends[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(read(ends[0], text, sizeof(text)) == -1 && errno == EAGAIN);
	close(writer);
	CHECK(read(ends[0], text, sizeof(text)) == 0 && read(reader, text, 1) == 0);
	/* No writer left: a non-blocking reader opens, a writer finds readers. */
	writer = open(fd_path(ends[0], ""), O_WRONLY | O_NONBLOCK);
	CHECK(writer >= 0 && write(writer, "g", 1) == 1 && read(reader, text, 1) == 1);
	close(writer);
	close(reader);
	close(ends[0]);
	/*
	 * Unlike a FIFO's, a pipe's open waits for no partner and refuses
	 * none: no reader left, a writer opens (and finds EPIPE); no writer
	 * left, a blocking reader opens (a hang would be killed by SIGALRM).
	 */
	CHECK(pipe(ends) == 0);
	close(ends[0]);
	signal(SIGPIPE, SIG_IGN);
	writer = open(fd_path(ends[1], ""), O_WRONLY | O_NONBLOCK);
	CHECK(writer >= 0 && write(writer, "h", 1) == -1 && errno == EPIPE);
	close(writer);
	signal(SIGPIPE, SIG_DFL);
	writer = ends[1];
	CHECK(pipe(ends) == 0);
	close(writer);
	close(ends[1]);
	alarm(10);
	reader = open(fd_path(ends[0], ""), O_RDONLY);
	alarm(0);
	CHECK(reader >= 0 && read(reader, text, 1) == 0);
	close(reader);
	close(ends[0]);
}

static void check_comm(void)
{
	int fd = open("/proc/self/comm", O_WRONLY);

	CHECK(fd >= 0);
	CHECK(write(fd, "renamed", 7) == 7);
	close(fd);
	CHECK(slurp("/proc/self/comm") > 0 && strcmp(buffer, "renamed\n") == 0);
	fd = open("/proc/1/comm", O_WRONLY);
	if (getpid() != 1 && fd >= 0) {
		CHECK(write(fd, "x", 1) == -1 && errno == EINVAL);
		close(fd);
	}
	if (fd >= 0 && getpid() == 1)
		close(fd);
}

/* The hex value of status line `name` (e.g. "SigBlk"); fails if none. */
static unsigned long long status_mask(const char *name)
{
	char key[32];
	const char *at;

	snprintf(key, sizeof(key), "\n%s:\t", name);
	CHECK(slurp("/proc/self/status") > 0);
	at = strstr(buffer, key);
	CHECK(at != NULL);
	return strtoull(at + strlen(key), NULL, 16);
}

static void on_usr1(int signal)
{
	(void)signal;
}

#define BIT(signal) (1ULL << ((signal) - 1))

/*
 * status's signal sets (SigPnd the thread's, ShdPnd the process's) and
 * stat's fields 31-34; NoNewPrivs, set for good and kept by fork.
 */
static void check_signal_sets(void)
{
	struct sigaction caught = { .sa_handler = on_usr1 };
	unsigned long long fields[4];
	sigset_t block;
	char *at;
	int field = 0, status;
	pid_t child;

	CHECK_OK(sigaction(SIGUSR1, &caught, NULL));
	CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(raise(SIGHUP));		/* to this thread */
	CHECK_OK(kill(getpid(), SIGTERM));	/* to the process */
	CHECK(status_mask("SigPnd") == BIT(SIGHUP));
	CHECK(status_mask("ShdPnd") == BIT(SIGTERM));
	CHECK(status_mask("SigBlk") == (BIT(SIGHUP) | BIT(SIGTERM)));
	CHECK(status_mask("SigIgn") == BIT(SIGUSR2));
	CHECK(status_mask("SigCgt") == BIT(SIGUSR1));
	CHECK(slurp("/proc/self/stat") > 0);
	at = strrchr(buffer, ')');
	CHECK(at != NULL);
	/* After "pid (comm)", field 3 on: 31-34 are the 29th-32nd. */
	for (at += 2; field < 32 && at != NULL; field++) {
		if (field >= 28)
			fields[field - 28] = strtoull(at, NULL, 10);
		at = strchr(at, ' ');
		if (at != NULL)
			at++;
	}
	CHECK(field == 32);
	CHECK(fields[0] == BIT(SIGHUP));	/* the thread's alone */
	CHECK(fields[1] == (BIT(SIGHUP) | BIT(SIGTERM)));
	CHECK(fields[2] == BIT(SIGUSR2) && fields[3] == BIT(SIGUSR1));
	CHECK(signal(SIGHUP, SIG_IGN) != SIG_ERR);	/* discards them */
	CHECK(signal(SIGTERM, SIG_IGN) != SIG_ERR);
	CHECK(status_mask("SigPnd") == 0 && status_mask("ShdPnd") == 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK(signal(SIGHUP, SIG_DFL) != SIG_ERR);
	CHECK(signal(SIGTERM, SIG_DFL) != SIG_ERR);
	CHECK(signal(SIGUSR1, SIG_DFL) != SIG_ERR);
	CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);

	CHECK(status_mask("NoNewPrivs") == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	CHECK(status_mask("NoNewPrivs") == 1);
	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("signal sets in status and stat; NoNewPrivs kept by fork\n");
}

/* fdinfo/N of `fd`: its "flags:" value (octal), checking pos and ino. */
static unsigned long fdinfo_flags(int fd, long long pos)
{
	char path[64], *at;
	struct stat st;
	unsigned long long ino;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	CHECK(slurp(path) > 0);
	CHECK(strncmp(buffer, "pos:\t", 5) == 0 && atoll(buffer + 5) == pos);
	CHECK((at = strstr(buffer, "\nmnt_id:\t")) != NULL);
	CHECK((at = strstr(buffer, "\nino:\t")) != NULL);
	ino = strtoull(at + 6, NULL, 10);
	CHECK(fstat(fd, &st) == 0 && ino == st.st_ino);
	CHECK((at = strstr(buffer, "\nflags:\t")) != NULL);
	return strtoul(at + 8, NULL, 8);
}

/* Whether /proc/self/fdinfo lists `fd`, as a regular file. */
static int fdinfo_listed(int fd)
{
	DIR *listing = opendir("/proc/self/fdinfo");
	struct dirent *entry;
	char name[16];
	int listed = 0;

	CHECK(listing != NULL);
	snprintf(name, sizeof(name), "%d", fd);
	while ((entry = readdir(listing)) != NULL)
		if (strcmp(entry->d_name, name) == 0)
			listed = entry->d_type == DT_REG;
	closedir(listing);
	return listed;
}

/* /proc/PID/fdinfo: position, flags with O_CLOEXEC, mount id, inode. */
static void check_fdinfo(void)
{
	int file, fds[2], dir, path;

	file = open("fdinfo-test",
		    O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND,
		    0644);
	CHECK(file >= 0 && write(file, "abc", 3) == 3);
	printf("file: %lo\n", fdinfo_flags(file, 3));
	CHECK_OK(fcntl(file, F_SETFD, 0));
	printf("file without FD_CLOEXEC: %lo\n", fdinfo_flags(file, 3));
	CHECK_OK(pipe2(fds, O_NONBLOCK));
	printf("pipe: %lo %lo\n", fdinfo_flags(fds[0], 0),
	       fdinfo_flags(fds[1], 0));
	dir = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	printf("directory: %lo\n", fdinfo_flags(dir, 0));
	path = open("fdinfo-test", O_PATH);
	CHECK(path >= 0);
	printf("O_PATH: %lo\n", fdinfo_flags(path, 0));
	CHECK(fdinfo_listed(path));
	close(path);
	/* A number surely not open (the lowest free one the open takes). */
	CHECK(!fdinfo_listed(900));
	CHECK_ERR(open("/proc/self/fdinfo/900", O_RDONLY), ENOENT);
	close(file);
	close(fds[0]);
	close(fds[1]);
	close(dir);
	CHECK_OK(unlink("fdinfo-test"));
}

/* stat's field 19, the nice level. */
static int stat_nice(void)
{
	char *at;
	int field;

	CHECK(slurp("/proc/self/stat") > 0);
	at = strrchr(buffer, ')');
	CHECK(at != NULL);
	for (field = 3, at++; field < 19 && at != NULL; field++)
		at = strchr(at + 1, ' ');
	CHECK(at != NULL);
	return atoi(at + 1);
}

/*
 * getpriority/setpriority: one thread, the process group, a user; root
 * lowers the level, another user only raises it (EACCES) and may not
 * touch root's (EPERM); fork passes it on; stat shows it.
 */
static void check_priority(void)
{
	int status;
	pid_t child;

	(void)setpgid(0, 0);	/* a group of its own, for PRIO_PGRP */
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0) == 0 && errno == 0);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 5));
	CHECK(getpriority(PRIO_PROCESS, getpid()) == 5 && stat_nice() == 5);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 100));	/* clamped */
	CHECK(getpriority(PRIO_PROCESS, 0) == 19);
	CHECK_OK(setpriority(PRIO_PGRP, 0, 7));
	CHECK(getpriority(PRIO_PGRP, getpgrp()) == 7 && stat_nice() == 7);
	CHECK_ERR(getpriority(7, 0), EINVAL);
	CHECK_ERR(setpriority(7, 0, 0), EINVAL);
	CHECK_ERR(getpriority(PRIO_PROCESS, 999999), ESRCH);
	CHECK_ERR(getpriority(PRIO_USER, 54321), ESRCH);
	CHECK_ERR(setpriority(PRIO_USER, 54321, 0), ESRCH);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		CHECK(getpriority(PRIO_PROCESS, 0) == 7);	/* inherited */
		CHECK_OK(setuid(1000));
		CHECK_ERR(setpriority(PRIO_PROCESS, 0, 6), EACCES);
		CHECK_OK(setpriority(PRIO_PROCESS, 0, 9));
		CHECK(getpriority(PRIO_PROCESS, 0) == 9);
		CHECK_ERR(setpriority(PRIO_PROCESS, getppid(), 10), EPERM);
		_exit(0);
	}
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(getpriority(PRIO_PROCESS, 0) == 7);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, -2));	/* root lowers it */
	CHECK(getpriority(PRIO_PROCESS, 0) == -2);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 0));
	printf("priorities: a thread, a group, a user; EACCES, EPERM, fork\n");
}

/* A stopped child reads T in status and stat, S once continued. */
static void check_stopped_state(void)
{
	char path[64], state = 0;
	pid_t child = fork();
	int status;

	CHECK(child >= 0);
	if (child == 0) {
		raise(SIGSTOP);
		pause();
		_exit(0);
	}
	CHECK(waitpid(child, &status, WUNTRACED) == child);
	CHECK(WIFSTOPPED(status));
	snprintf(path, sizeof(path), "/proc/%d/status", child);
	CHECK(slurp(path) > 0 && strstr(buffer, "State:\tT (stopped)\n"));
	snprintf(path, sizeof(path), "/proc/%d/stat", child);
	CHECK(slurp(path) > 0 && strrchr(buffer, ')') != NULL);
	CHECK(sscanf(strrchr(buffer, ')'), ") %c", &state) == 1 && state == 'T');
	CHECK_OK(kill(child, SIGCONT));
	CHECK(waitpid(child, &status, WCONTINUED) == child);
	CHECK(WIFCONTINUED(status));
	snprintf(path, sizeof(path), "/proc/%d/status", child);
	for (int i = 0; i < 100; i++) {	/* until it sleeps in pause */
		CHECK(slurp(path) > 0);
		if (strstr(buffer, "State:\tS (sleeping)\n"))
			break;
		usleep(10000);
	}
	CHECK(strstr(buffer, "State:\tS (sleeping)\n") != NULL);
	CHECK_OK(kill(child, SIGKILL));
	CHECK(waitpid(child, &status, 0) == child);
	printf("a stopped child: T (stopped), then S\n");
}

int main(void)
{
	check_init("procfs_test");
	check_stat();
	check_maps();
	check_system();
	check_errors();
	check_anon_links();
	check_magic_links();
	check_pipe_reopen();
	check_fd_link_modes();
	check_comm();
	check_signal_sets();
	check_stopped_state();
	check_fdinfo();
	check_priority();
	printf("procfs_test: all checks passed\n");
	return 0;
}
