/*
 * brk_test: the program break through the raw brk system call (musl's
 * brk() always fails and its malloc may use brk, so this program calls
 * neither malloc nor brk()/sbrk()). Growth, contents kept across more
 * growth and a shrink, regrown pages are zero, a break below the start is
 * refused (the old break is returned).
 */
#include "check.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

static uintptr_t set_break(uintptr_t end)
{
	return (uintptr_t)syscall(SYS_brk, end);
}

static int all_bytes(const unsigned char *p, size_t length, unsigned char v)
{
	for (size_t i = 0; i < length; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int main(void)
{
	check_init("brk_test");
	uintptr_t start = set_break(0);
	CHECK(start != 0);
	/* Start on a page boundary so pages are easy to reason about. */
	uintptr_t base = (start + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	CHECK(set_break(base) == base);

	CHECK(set_break(base + 16 * PAGE) == base + 16 * PAGE);
	unsigned char *p = (unsigned char *)base;
	CHECK(all_bytes(p, 16 * PAGE, 0));
	for (size_t i = 0; i < 16 * PAGE; i++)
		p[i] = (unsigned char)(i % 251);
	printf("brk: grew by 16 pages, zero-filled, writable\n");

	CHECK(set_break(base + 1024 * PAGE) == base + 1024 * PAGE);
	for (size_t i = 0; i < 16 * PAGE; i++)
		CHECK(p[i] == (unsigned char)(i % 251));
	CHECK(all_bytes(p + 16 * PAGE, 1008 * PAGE, 0));
	memset(p + 16 * PAGE, 0x77, 1008 * PAGE);
	printf("brk: grew to 4 MiB, old contents kept\n");

	CHECK(set_break(base + 8 * PAGE) == base + 8 * PAGE);
	for (size_t i = 0; i < 8 * PAGE; i++)
		CHECK(p[i] == (unsigned char)(i % 251));
	CHECK(set_break(base + 32 * PAGE) == base + 32 * PAGE);
	CHECK(all_bytes(p + 8 * PAGE, 24 * PAGE, 0));
	printf("brk: shrink kept the rest, regrown pages are zero\n");

	/* An unaligned break: the page holding it is usable. */
	CHECK(set_break(base + 32 * PAGE + 10) == base + 32 * PAGE + 10);
	p[32 * PAGE + 9] = 1;
	p[33 * PAGE - 1] = 2;
	printf("brk: an unaligned break maps its whole page\n");

	/* Below the start of the heap: refused, the break is unchanged. */
	CHECK(set_break(start - 16 * PAGE) == base + 32 * PAGE + 10);
	CHECK(set_break(0) == base + 32 * PAGE + 10);
	CHECK(set_break(start) == start);
	CHECK(set_break(0) == start);
	printf("brk: below the start refused, back to the start\n");
	printf("brk_test: all checks passed\n");
	return 0;
}
