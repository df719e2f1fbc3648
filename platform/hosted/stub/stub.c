/*
 * The stub: the only program a hosted user thread's host child runs
 * besides the user's code. It is linked at STUB_BASE, above the user
 * limit, and built without libc or sanitizers. It owns nothing below the
 * limit: the runner maps the user's memory there as windows of the RAM
 * memfd (STUB_RAM_FD) by making the stub run batches of mmap/munmap.
 *
 * Life cycle: _start installs one handler for the synchronous signals
 * (on an alternate stack, so a broken user stack does not matter), then
 * stops with STUB_STOP_HELLO telling the runner where its command buffer,
 * batch entry and stack are. From then on the runner only redirects the
 * registers: to stub_batch to change mappings, or to the user's code.
 * A fault in user code reaches stub_on_signal, which reports the trap
 * number, error code and address the host kernel recorded.
 */
#include "stub_abi.h"

/* Position-independent code with direct (not GOT) references: no loader. */
#pragma GCC visibility push(hidden)

#define SYS_MMAP 9
#define SYS_MUNMAP 11
#define SYS_RT_SIGACTION 13
#define SYS_SIGALTSTACK 131

#define MAP_SHARED 0x01
#define MAP_FIXED 0x10

#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SA_NODEFER 0x40000000

/* struct ucontext: gregs start after flags, link and stack_t (40 bytes). */
#define UC_GREGS_OFFSET 40
#define REG_ERR 19
#define REG_TRAPNO 20
#define SIGINFO_CODE_OFFSET 8
#define SIGINFO_ADDR_OFFSET 16

#define ALT_STACK_SIZE (64 * 1024)
#define BATCH_STACK_SIZE (16 * 1024)

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct signal_stack {
	void *sp;
	int flags;
	uint64_t size;
};

struct stub_command stub_commands[STUB_BATCH_MAX];
static char alt_stack[ALT_STACK_SIZE] __attribute__((aligned(16)));
static char batch_stack[BATCH_STACK_SIZE] __attribute__((aligned(16)));

void stub_main(void);
void stub_batch(uint64_t count);
void stub_restorer(void);
void stub_stop(uint64_t why, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
	       uint64_t e);

/* The runner reads the report from the registers at the int3. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	and $-16, %rsp\n"
	"	call stub_main\n"
	"	hlt\n"
	".globl stub_stop\n"
	"stub_stop:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	int3\n"
	"	ret\n"
	".globl stub_restorer\n"
	"stub_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n");

static long syscall6(long number, long a, long b, long c, long d, long e,
		     long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long result;

	__asm__ volatile("syscall"
			 : "=a"(result)
			 : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return result;
}

static long run_command(const struct stub_command *command)
{
	if (command->op == STUB_OP_MAP)
		return syscall6(SYS_MMAP, (long)command->addr,
				(long)command->length, (long)command->prot,
				MAP_SHARED | MAP_FIXED, STUB_RAM_FD,
				(long)command->offset);
	if (command->op == STUB_OP_UNMAP)
		return syscall6(SYS_MUNMAP, (long)command->addr,
				(long)command->length, 0, 0, 0, 0);
	return -22; /* EINVAL */
}

/* Runs the first `count` commands, then reports; entered with a fresh stack. */
void stub_batch(uint64_t count)
{
	uint64_t failed = 0, first = 0;
	long first_error = 0;

	for (uint64_t i = 0; i < count && i < STUB_BATCH_MAX; i++) {
		long result = run_command(&stub_commands[i]);

		if (result < 0 && result > -4096) {
			if (failed++ == 0) {
				first = i;
				first_error = result;
			}
		}
	}
	for (;;)
		stub_stop(STUB_STOP_BATCH, failed, first, (uint64_t)first_error,
			  0, 0);
}

/* Reports a synchronous signal with what the CPU said about it. */
static void stub_on_signal(int signo, void *info, void *context)
{
	const uint64_t *gregs =
		(const uint64_t *)((const char *)context + UC_GREGS_OFFSET);
	const char *siginfo = info;
	uint64_t address = *(const uint64_t *)(siginfo + SIGINFO_ADDR_OFFSET);
	int code = *(const int *)(siginfo + SIGINFO_CODE_OFFSET);

	for (;;)
		stub_stop(STUB_STOP_SIGNAL, (uint64_t)signo, gregs[REG_TRAPNO],
			  gregs[REG_ERR], address, (uint64_t)code);
}

void stub_main(void)
{
	static const int signals[] = { 4, 5, 7, 8, 11 }; /* ILL TRAP BUS FPE SEGV */
	struct kernel_sigaction action = {
		.handler = (void *)stub_on_signal,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER,
		.restorer = (void *)stub_restorer,
	};
	struct signal_stack stack = { .sp = alt_stack, .size = ALT_STACK_SIZE };

	syscall6(SYS_SIGALTSTACK, (long)&stack, 0, 0, 0, 0, 0);
	for (unsigned int i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		syscall6(SYS_RT_SIGACTION, signals[i], (long)&action, 0, 8, 0,
			 0);
	for (;;)
		stub_stop(STUB_STOP_HELLO, (uint64_t)stub_commands,
			  (uint64_t)stub_batch,
			  (uint64_t)(batch_stack + BATCH_STACK_SIZE),
			  STUB_BATCH_MAX, 0);
}
