/*
 * fpu_state: vector registers survive what stops user code: a page fault
 * on a fresh page and a syscall, with a value live in a register across
 * them (glibc's memcpy keeps 32 bytes in a ymm register across the first
 * touch of its destination). The xmm half is always checked; the ymm half
 * where the CPU and the kernel enable AVX (CPUID.1:ECX.AVX and OSXSAVE,
 * XCR0 bits 1-2), which the output does not reveal.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"

static int has_avx(void)
{
	uint32_t eax = 1, ebx, ecx, edx, xcr0_low, xcr0_high;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	if (!(ecx & (1u << 27)) || !(ecx & (1u << 28)))	/* OSXSAVE, AVX */
		return 0;
	__asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
	return (xcr0_low & 6) == 6;
}

static char *fresh_page(void)
{
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(page != MAP_FAILED);
	return page;
}

static void across_fault_xmm(void)
{
	uint64_t in[2] = { 0x1111, 0x2222 }, out[2] = { 0 };
	char *page = fresh_page();

	__asm__ volatile("movdqu (%0), %%xmm1\n\t"
			 "movb $1, (%2)\n\t"
			 "movdqu %%xmm1, (%1)"
			 :: "r"(in), "r"(out), "r"(page) : "memory", "xmm1");
	CHECK(out[0] == in[0] && out[1] == in[1]);
	munmap(page, 4096);
}

static void across_fault_ymm(void)
{
	uint64_t in[4] = { 1, 2, 3, 4 }, out[4] = { 0 };
	char *page = fresh_page();

	__asm__ volatile("vmovdqu (%0), %%ymm1\n\t"
			 "movb $1, (%2)\n\t"
			 "vmovdqu %%ymm1, (%1)\n\t"
			 "vzeroupper"
			 :: "r"(in), "r"(out), "r"(page) : "memory", "xmm1");
	CHECK(out[0] == 1 && out[1] == 2);
	CHECK(out[2] == 3 && out[3] == 4);	/* the upper half */
	munmap(page, 4096);
}

static void across_syscall_ymm(void)
{
	uint64_t in[4] = { 5, 6, 7, 8 }, out[4] = { 0 };

	__asm__ volatile("vmovdqu (%0), %%ymm1\n\t"
			 "mov $39, %%eax\n\t"	/* getpid */
			 "syscall\n\t"
			 "vmovdqu %%ymm1, (%1)\n\t"
			 "vzeroupper"
			 :: "r"(in), "r"(out)
			 : "memory", "xmm1", "rax", "rcx", "r11");
	CHECK(out[0] == 5 && out[1] == 6 && out[2] == 7 && out[3] == 8);
}

int main(void)
{
	check_init("fpu_state");
	across_fault_xmm();
	if (has_avx()) {
		across_fault_ymm();
		across_syscall_ymm();
	}
	printf("fpu_state: all checks passed\n");
	return 0;
}
