/*
 * procfs_test: checks /proc on the kernel it runs on against what the
 * program knows of itself (its pid, its mappings, the mount table), and
 * the errors of bad accesses. Runs on the host Linux too (the same
 * checks hold there); prints "procfs_test: all checks passed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
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

int main(void)
{
	check_init("procfs_test");
	check_stat();
	check_maps();
	check_system();
	check_errors();
	check_anon_links();
	check_comm();
	printf("procfs_test: all checks passed\n");
	return 0;
}
