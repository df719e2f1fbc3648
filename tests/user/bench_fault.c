/* bench_fault: the page-fault cost: map a fresh anonymous 1 MiB, write one
 * byte in each page (each write a demand-zero fault), unmap; ns per page
 * (mmap and munmap included, spread over the 256 pages). */
#include "bench.h"

#include <sys/mman.h>

#define REGION (1 << 20)
#define PAGE 4096

static void op(void *context)
{
	(void)context;
	volatile char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (int i = 0; i < REGION; i += PAGE)
		p[i] = 1;
	CHECK_OK(munmap((void *)p, REGION));
}

int main(int argc, char **argv)
{
	check_init("bench_fault");
	uint64_t per_map = bench_run(op, NULL, bench_budget_ns(argc, argv));
	printf("fault %llu ns\n", (unsigned long long)(per_map / (REGION / PAGE)));
	return 0;
}
