/* bench_pipe: pipe throughput in MB/s (10^6 bytes per second): a child
 * writes 64 KiB chunks, the parent reads them. The size is calibrated to
 * take about the budget. */
#include "bench.h"

#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536

static char buffer[CHUNK];

/* Moves bytes through a new pipe; returns the elapsed ns. */
static uint64_t transfer(uint64_t bytes)
{
	int fds[2], status;

	CHECK_OK(pipe(fds));
	uint64_t start = bench_now_ns();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (uint64_t sent = 0; sent < bytes;) {
			ssize_t n = write(fds[1], buffer, CHUNK);
			if (n <= 0)
				_exit(1);
			sent += (uint64_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	uint64_t got = 0;
	ssize_t n;
	while ((n = read(fds[0], buffer, CHUNK)) > 0)
		got += (uint64_t)n;
	CHECK(n == 0);
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(got >= bytes);
	return bench_now_ns() - start;
}

int main(int argc, char **argv)
{
	check_init("bench_pipe");
	uint64_t budget = bench_budget_ns(argc, argv);
	uint64_t bytes = 1 << 20, elapsed = transfer(bytes);

	/* Grow until one transfer takes a tenth of the budget, then time it. */
	while (elapsed < budget / 10 && bytes < (1ull << 34)) {
		bytes *= 4;
		elapsed = transfer(bytes);
	}
	if (elapsed < budget) {
		bytes = bytes * budget / (elapsed ? elapsed : 1);
		elapsed = transfer(bytes);
	}
	printf("pipe %llu MB/s\n",
	       (unsigned long long)(bytes * 1000 / (elapsed ? elapsed : 1)));
	return 0;
}
