/* bench_fork: fork + the child's _exit + the parent's waitpid, in ns. The
 * parent has a few hundred KiB mapped (its data plus a touched 256 KiB
 * buffer), so the fork copies real page tables. */
#include "bench.h"

#include <sys/wait.h>
#include <unistd.h>

static char touched[256 << 10];

static void op(void *context)
{
	int status;
	pid_t pid = fork();

	(void)context;
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	check_init("bench_fork");
	memset(touched, 1, sizeof(touched));
	printf("fork %llu ns\n",
	       (unsigned long long)bench_run(op, NULL, bench_budget_ns(argc, argv)));
	return 0;
}
