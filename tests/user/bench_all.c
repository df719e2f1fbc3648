/*
 * bench_all: runs every bench_* program found beside it, one after the
 * other (fork + execve + waitpid), with their lines on stdout, then
 * "bench_all: done". Exit status: the number of benchmarks that failed.
 *
 * As the init of a Linux guest (pid 1, with "bench_poweroff=1" on the
 * kernel command line, which Linux hands to init as an environment
 * variable), it powers the machine off at the end instead of exiting: init
 * must not exit on Linux. On Amphi the exit status of init is the
 * power-off status, so there it just exits.
 */
#include "check.h"

#include <limits.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const benches[] = {
	"bench_getpid", "bench_fork", "bench_forkexec", "bench_pipe",
	"bench_fault",
};

int main(int argc, char **argv)
{
	int failed = 0;

	check_init("bench_all");
	const char *slash = strrchr(argv[0], '/');
	CHECK(slash != NULL);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		char path[PATH_MAX];
		char *envp[] = {NULL};
		int status;

		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - argv[0]),
			 argv[0], benches[i]);
		/* argv[0] is the full path: bench_forkexec finds nop by it. */
		char *child_argv[] = {path, argc > 1 ? argv[1] : NULL, NULL};
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			execve(path, child_argv, envp);
			printf("bench_all: cannot execute %s\n", path);
			_exit(127);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("bench_all: %s failed (status %#x)\n", benches[i],
			       status);
			failed++;
		}
	}
	printf("bench_all: done, %d failed\n", failed);
	const char *poweroff = getenv("bench_poweroff");
	if (getpid() == 1 && poweroff && strcmp(poweroff, "1") == 0) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return failed;
}
