/*
 * fork_wait: process creation and reaping. fork with exit statuses read by
 * waitpid and wait4, a child killed by a signal (WIFSIGNALED), WNOHANG on a
 * running child, ECHILD with no children, execve of this same program with
 * argv and envp checked on arrival, execve of a missing file, getppid in
 * the child, vfork + _exit and vfork + execve.
 *
 * Run with "--exec-child A B" by the execve checks: then it checks its
 * arguments and environment and exits 0 if they arrived intact.
 */
#include "check.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int exec_child(int argc, char **argv, char **envp)
{
	int found = 0;

	if (argc != 4 || strcmp(argv[2], "alpha") != 0 ||
	    strcmp(argv[3], "beta gamma") != 0)
		return 10;
	for (char **e = envp; *e; e++) {
		if (strcmp(*e, "AMPHI_TEST=forty two") == 0)
			found |= 1;
		if (strcmp(*e, "SECOND=2") == 0)
			found |= 2;
	}
	if (found != 3)
		return 11;
	if (strcmp(getenv("AMPHI_TEST"), "forty two") != 0)
		return 12;
	printf("exec child: argc=%d argv[2]=%s argv[3]=%s env ok\n", argc,
	       argv[2], argv[3]);
	return 0;
}

static void exit_statuses(void)
{
	static const int codes[] = {0, 1, 7, 42, 255};
	pid_t pids[5];

	for (int i = 0; i < 5; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(codes[i]);
	}
	/* Reap in reverse order, by pid. */
	for (int i = 4; i >= 0; i--) {
		int status = -1;
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status));
		CHECK(!WIFSIGNALED(status));
		CHECK(WEXITSTATUS(status) == codes[i]);
		printf("child %d exited with %d\n", i, WEXITSTATUS(status));
	}
}

static void wait4_rusage(void)
{
	struct rusage usage;
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0)
		exit(3);
	memset(&usage, 0xff, sizeof(usage));
	CHECK(wait4(pid, &status, 0, &usage) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	CHECK(usage.ru_utime.tv_usec >= 0 && usage.ru_utime.tv_usec < 1000000);
	printf("wait4: status 3, rusage filled\n");

	/* wait(-1): any child. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(4);
	CHECK(wait(&status) == pid);
	CHECK(WEXITSTATUS(status) == 4);
	printf("wait: any child, status 4\n");
}

static void killed_by_signal(void)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		kill(getpid(), SIGKILL);
		_exit(99);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status));
	CHECK(!WIFEXITED(status));
	printf("killed child: WIFSIGNALED=1 WTERMSIG=%d\n", WTERMSIG(status));
}

static void nohang(void)
{
	int fds[2], status;
	char byte;

	CHECK_OK(pipe(fds));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		/* Blocks until the parent closes its end. */
		_exit(read(fds[0], &byte, 1) == 0 ? 5 : 6);
	}
	close(fds[0]);
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	printf("WNOHANG on a running child: 0\n");
	close(fds[1]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	printf("child saw EOF and exited with 5\n");
}

static void no_children(void)
{
	int status;

	CHECK_ERR(wait(&status), ECHILD);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(1, &status, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &status, 0x10000), EINVAL);
	printf("no children: ECHILD\n");
}

static void parent_pid(void)
{
	pid_t self = getpid(), pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0)
		_exit(getppid() == self && getpid() != self ? 0 : 1);
	CHECK(pid != self);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("getppid in the child is the parent\n");
}

static void exec_self(const char *self)
{
	char *argv[] = {"fork_wait", "--exec-child", "alpha", "beta gamma", NULL};
	char *envp[] = {"AMPHI_TEST=forty two", "SECOND=2", NULL};
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	printf("execve: argv and envp arrived\n");

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execve("/nonexistent/program", argv, envp);
		_exit(errno == ENOENT ? 20 : 21);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 20);
	printf("execve of a missing file: ENOENT\n");
}

static void vfork_checks(const char *self)
{
	char *argv[] = {"fork_wait", "--exec-child", "alpha", "beta gamma", NULL};
	char *envp[] = {"SECOND=2", "AMPHI_TEST=forty two", NULL};
	int status;
	pid_t pid = vfork();

	CHECK(pid >= 0);
	if (pid == 0)
		_exit(9);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 9);
	printf("vfork + _exit: status 9\n");

	pid = vfork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("vfork + execve: status 0\n");
}

int main(int argc, char **argv, char **envp)
{
	check_init("fork_wait");
	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argc, argv, envp);
	/* argv[0] is how we were started: a path to this program. */
	const char *self = argv[0];
	CHECK(strchr(self, '/') != NULL);
	exit_statuses();
	wait4_rusage();
	killed_by_signal();
	nohang();
	no_children();
	parent_pid();
	exec_self(self);
	vfork_checks(self);
	printf("fork_wait: all checks passed\n");
	return 0;
}
