/*
 * fpu_state: vector registers survive what stops user code: a page fault
 * on a fresh page and a syscall, with a value live in a register across
 * them (glibc's memcpy keeps 32 bytes in a ymm register across the first
 * touch of its destination), a yield among six threads, a fork, and a
 * signal handler that changes it. The xmm half is always checked; the ymm half
 * where the CPU and the kernel enable AVX (CPUID.1:ECX.AVX and OSXSAVE,
 * XCR0 bits 1-2), which the output does not reveal.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

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

#define WORKERS 6
#define ROUNDS 300

/*
 * Six threads on fewer CPUs each keep their own xmm0 across yields and
 * the preemption a spin invites (the kernel loads a thread's FPU state
 * lazily: only where another thread used the registers in between).
 */
static void *xmm_worker(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg << 32, bad = 0;

	for (uint64_t i = 0; i < ROUNDS; i++) {
		uint64_t value = base + i, out;

		__asm__ volatile("movq %1, %%xmm0\n\t"
				 "mov $24, %%eax\n\t"	/* sched_yield */
				 "syscall\n\t"
				 "mov $20000, %%ecx\n"
				 "1: dec %%ecx\n\t"
				 "jnz 1b\n\t"
				 "movq %%xmm0, %0"
				 : "=r"(out) : "r"(value)
				 : "xmm0", "rax", "rcx", "r11", "memory");
		bad += out != value;
	}
	return (void *)(uintptr_t)bad;
}

static void threads_keep_xmm(void)
{
	pthread_t threads[WORKERS];
	void *bad;

	for (uintptr_t i = 0; i < WORKERS; i++)
		CHECK(pthread_create(&threads[i], NULL, xmm_worker,
				     (void *)(i + 1)) == 0);
	for (int i = 0; i < WORKERS; i++) {
		CHECK(pthread_join(threads[i], &bad) == 0);
		CHECK(bad == NULL);
	}
}

/* A raw fork: parent and child both come back with the parent's xmm0. */
static void fork_copies_xmm(void)
{
	uint64_t value = 0x0f0f1234abcdULL, out;
	long pid;
	int status;

	__asm__ volatile("movq %2, %%xmm0\n\t"
			 "mov $57, %%eax\n\t"	/* fork */
			 "syscall\n\t"
			 "movq %%xmm0, %1"
			 : "=a"(pid), "=r"(out) : "r"(value)
			 : "xmm0", "rcx", "r11", "memory");
	if (pid == 0)
		_exit(out == value ? 0 : 1);
	CHECK(pid > 0 && out == value);
	CHECK(waitpid((pid_t)pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
}

static void clobber_xmm0(int signal)
{
	(void)signal;
	__asm__ volatile("movq %0, %%xmm0" :: "r"(0x5555ULL) : "xmm0");
}

/* A handler that changes xmm0 leaves the interrupted code's value. */
static void signal_restores_xmm(void)
{
	uint64_t value = 0x7777aaaa0000ULL, out;

	signal(SIGUSR1, clobber_xmm0);
	__asm__ volatile("movq %1, %%xmm0\n\t"
			 "mov $39, %%eax\n\t"	/* getpid */
			 "syscall\n\t"
			 "mov %%rax, %%rdi\n\t"
			 "mov $10, %%esi\n\t"		/* SIGUSR1 */
			 "mov $62, %%eax\n\t"		/* kill */
			 "syscall\n\t"
			 "movq %%xmm0, %0"
			 : "=r"(out) : "r"(value)
			 : "xmm0", "rax", "rcx", "rdi", "rsi", "r11", "memory");
	CHECK(out == value);
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	check_init("fpu_state");
	across_fault_xmm();
	threads_keep_xmm();
	fork_copies_xmm();
	signal_restores_xmm();
	if (has_avx()) {
		across_fault_ymm();
		across_syscall_ymm();
	}
	printf("fpu_state: all checks passed\n");
	return 0;
}
