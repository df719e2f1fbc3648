/* bench_forkexec: fork + execve of the tiny static program "nop" (found
 * beside this one) + waitpid, in ns. */
#include "bench.h"

#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

static char nop_path[PATH_MAX];

static void op(void *context)
{
	char *argv[] = {"nop", NULL};
	char *envp[] = {NULL};
	int status;
	pid_t pid = fork();

	(void)context;
	CHECK(pid >= 0);
	if (pid == 0) {
		execve(nop_path, argv, envp);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	check_init("bench_forkexec");
	const char *slash = strrchr(argv[0], '/');
	CHECK(slash != NULL);
	snprintf(nop_path, sizeof(nop_path), "%.*s/nop", (int)(slash - argv[0]),
		 argv[0]);
	printf("forkexec %llu ns\n",
	       (unsigned long long)bench_run(op, NULL, bench_budget_ns(argc, argv)));
	return 0;
}
