/* bench_getpid: one getpid system call round trip (raw syscall, no libc
 * caching), in ns. */
#include "bench.h"

#include <sys/syscall.h>
#include <unistd.h>

static void op(void *context)
{
	(void)context;
	syscall(SYS_getpid);
}

int main(int argc, char **argv)
{
	check_init("bench_getpid");
	printf("getpid %llu ns\n",
	       (unsigned long long)bench_run(op, NULL, bench_budget_ns(argc, argv)));
	return 0;
}
