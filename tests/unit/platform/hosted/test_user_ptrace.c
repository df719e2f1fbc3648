/*
 * The hosted ptrace runner (platform/hosted/user.c, user_maps.c): real
 * machine code in a host child, driven through hal_user_run. Each test
 * builds an address space with vm_mmap, writes code into it and checks
 * the traps: syscalls and their registers, faults and their error bits,
 * exceptions, interrupts of an endless loop, windows shared by two
 * children and removed by munmap, exec replacing the space, a child
 * resumed from another CPU, and the syscall round-trip cost.
 */
#include "core/mm/vm_helpers.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/hal/cpu.h"
#include "core/hal/mmu.h"
#include "core/hal/time.h"
#include "core/hal/user.h"
#include "core/sched/kstack.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "hosted.h"
#include "user_internal.h"

#define CODE 0x400000ULL
#define DATA 0x600000ULL
#define STACK_TOP 0x7ff00000ULL
#define RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

/* mov $1, %eax; syscall: "report to the test" */
#define REPORT 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05
/* movabs $DATA, %rbx */
#define LOAD_RBX_DATA 0x48, 0xbb, 0x00, 0x00, 0x60, 0, 0, 0, 0, 0

static void boot(void)
{
	vm_test_boot();
	hal_irq_enable();
}

static void load_code(struct address_space *as, uaddr_t at,
		      const uint8_t *code, size_t size)
{
	vm_test_map(as, at, PAGE_SIZE, RWX, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, at, code, size), 0);
}

static void ctx_init(struct user_ctx *ctx, struct address_space *as,
		     uaddr_t rip)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as = as;
	ctx->regs.rip = rip;
	ctx->regs.rsp = STACK_TOP;
	ctx->regs.rflags = 0x202;
	ctx->regs.cs = 0x33;
	ctx->regs.ss = 0x2b;
}

static struct trap run(struct user_ctx *ctx)
{
	struct trap trap;
	int err = hal_user_run(ctx, &trap);

	cr_assert_eq(err, 0, "hal_user_run: %d", err);
	return trap;
}

/* Runs to the next trap that is not a fault vm_fault resolves (as the core). */
static struct trap run_faulting_in(struct user_ctx *ctx)
{
	struct trap trap = run(ctx);

	while (trap.kind == TRAP_FAULT) {
		unsigned int access = VM_ACCESS_READ;

		if (trap.error_code & TRAP_FAULT_WRITE)
			access = VM_ACCESS_WRITE;
		if (trap.error_code & TRAP_FAULT_EXEC)
			access = VM_ACCESS_EXEC;
		if (vm_fault(ctx->as, trap.fault_address, access) < 0)
			break;
		trap = run(ctx);
	}
	return trap;
}

static void expect_syscall(struct user_ctx *ctx, uint64_t number)
{
	struct trap trap = run_faulting_in(ctx);

	cr_assert_eq(trap.kind, TRAP_SYSCALL, "trap %d vector %u at %#lx",
		     trap.kind, trap.vector, (unsigned long)ctx->regs.rip);
	cr_assert_eq(ctx->regs.orig_rax, number);
}

static void put32(struct address_space *as, uaddr_t at, uint32_t value)
{
	cr_assert_eq(vm_copy_to_user(as, at, &value, sizeof(value)), 0);
}

Test(hosted_user, syscall_traps_with_its_registers_and_resumes_with_rax,
     .init = boot)
{
	static const uint8_t code[] = {
		0xb8, 0x27, 0x00, 0x00, 0x00,	/* mov $39, %eax */
		0xbf, 0x11, 0x11, 0x00, 0x00,	/* mov $0x1111, %edi */
		0x0f, 0x05,			/* syscall */
		0x48, 0x89, 0xc7,		/* mov %rax, %rdi */
		0xb8, 0x3c, 0x00, 0x00, 0x00,	/* mov $60, %eax */
		0x0f, 0x05,			/* syscall */
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 39);
	cr_assert_eq(ctx.regs.rdi, 0x1111);
	cr_assert_eq(ctx.regs.rip, CODE + 12, "rip after the syscall");
	cr_assert_eq(ctx.regs.rcx, CODE + 12, "syscall puts rip in rcx");
	ctx.regs.rax = 1234;
	expect_syscall(&ctx, 60);
	cr_assert_eq(ctx.regs.rdi, 1234);
	hal_user_release(&ctx);
	cr_assert_null(ctx.platform);
	vm_test_destroy(as);
}

Test(hosted_user, write_to_unmapped_page_faults_then_resumes_once_mapped,
     .init = boot)
{
	static const uint8_t code[] = {
		LOAD_RBX_DATA,
		0xc6, 0x03, 0x5a,		/* movb $0x5a, (%rbx) */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT);
	cr_assert_eq(trap.fault_address, DATA);
	cr_assert(trap.error_code & TRAP_FAULT_WRITE);
	cr_assert_not(trap.error_code & TRAP_FAULT_PRESENT);
	cr_assert(trap.error_code & TRAP_FAULT_USER);
	cr_assert_eq(ctx.regs.rip, CODE + 10, "rip at the faulting store");
	cr_assert_eq(ctx.regs.rbx, DATA);

	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, trap.fault_address, VM_ACCESS_WRITE), 0);
	expect_syscall(&ctx, 1);
	cr_assert_eq(vm_test_peek(as, DATA), 0x5a);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, write_to_read_only_page_faults_present, .init = boot)
{
	static const uint8_t code[] = {
		LOAD_RBX_DATA,
		0x8b, 0x03,			/* mov (%rbx), %eax */
		0xc6, 0x03, 0x5a,		/* movb $0x5a, (%rbx) */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	vm_test_map(as, DATA, PAGE_SIZE, PROT_READ, ANON_PRIVATE | MAP_FIXED);
	ctx_init(&ctx, as, CODE);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT, "the read faults the page in");
	cr_assert_not(trap.error_code & TRAP_FAULT_WRITE);
	cr_assert_eq(vm_fault(as, DATA, VM_ACCESS_READ), 0);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT);
	cr_assert_eq(trap.fault_address, DATA);
	cr_assert_eq(trap.error_code & (TRAP_FAULT_WRITE | TRAP_FAULT_PRESENT),
		     TRAP_FAULT_WRITE | TRAP_FAULT_PRESENT);
	cr_assert_eq(vm_fault(as, DATA, VM_ACCESS_WRITE), -EACCES);

	cr_assert_eq(vm_mprotect(as, DATA, PAGE_SIZE, RW, NULL), 0);
	cr_assert_eq(vm_fault(as, DATA, VM_ACCESS_WRITE), 0);
	expect_syscall(&ctx, 1);
	cr_assert_eq(vm_test_peek(as, DATA), 0x5a);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, fs_base_is_seen_by_user_code, .init = boot)
{
	static const uint8_t code[] = {
		0x64, 0x48, 0x8b, 0x3c, 0x25, 0, 0, 0, 0, /* mov %fs:0, %rdi */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;

	load_code(as, CODE, code, sizeof(code));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA + 64, 0xfeedbeef);
	ctx_init(&ctx, as, CODE);
	ctx.regs.fs_base = DATA + 64;
	expect_syscall(&ctx, 1);
	cr_assert_eq(ctx.regs.rdi, 0xfeedbeef);
	cr_assert_eq(ctx.regs.fs_base, DATA + 64);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, int3_and_ud2_are_exceptions_with_their_vectors,
     .init = boot)
{
	static const uint8_t code[] = {
		0xcc,				/* int3 */
		0x0f, 0x0b,			/* ud2 */
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	ctx.regs.r12 = 0x1212;
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_EXCEPTION);
	cr_assert_eq(trap.vector, 3);
	cr_assert_eq(ctx.regs.rip, CODE + 1, "int3 is a trap: rip after it");
	cr_assert_eq(ctx.regs.r12, 0x1212);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_EXCEPTION);
	cr_assert_eq(trap.vector, 6);
	cr_assert_eq(ctx.regs.rip, CODE + 1, "#UD is a fault: rip at ud2");
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, divide_error_is_vector_0, .init = boot)
{
	static const uint8_t code[] = {
		0x31, 0xc9,			/* xor %ecx, %ecx */
		0xf7, 0xf1,			/* div %ecx */
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_EXCEPTION);
	cr_assert_eq(trap.vector, 0);
	cr_assert_eq(ctx.regs.rip, CODE + 2);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, jump_to_no_execute_page_is_an_exec_fault, .init = boot)
{
	static const uint8_t code[] = {
		LOAD_RBX_DATA,
		0xff, 0xe3,			/* jmp *%rbx */
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA, 0xc3c3c3c3);
	ctx_init(&ctx, as, CODE);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT);
	cr_assert_eq(trap.fault_address, DATA);
	cr_assert_eq(ctx.regs.rip, DATA);
	cr_assert_eq(trap.error_code & (TRAP_FAULT_EXEC | TRAP_FAULT_PRESENT |
					TRAP_FAULT_WRITE),
		     TRAP_FAULT_EXEC | TRAP_FAULT_PRESENT);
	cr_assert_eq(vm_fault(as, DATA, VM_ACCESS_EXEC), -EACCES);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, int80_is_a_general_protection_fault, .init = boot)
{
	static const uint8_t code[] = {
		0xb8, 0x14, 0x00, 0x00, 0x00,	/* mov $20, %eax */
		0xcd, 0x80,			/* int $0x80 */
	};
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_EXCEPTION);
	cr_assert_eq(trap.vector, 13);
	cr_assert_eq(trap.error_code, 0x80 * 8 + 2);
	cr_assert_eq(ctx.regs.rip, CODE + 5, "a fault: rip at the int");
	cr_assert_eq(ctx.regs.rax, 20);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

static const uint8_t endless_loop[] = { 0xeb, 0xfe }; /* jmp . */

Test(hosted_user, endless_loop_is_stopped_by_the_timer, .init = boot)
{
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, endless_loop, sizeof(endless_loop));
	ctx_init(&ctx, as, CODE);
	hal_timer_arm(hal_clock_ns() + 20000000ULL);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_INTERRUPT);
	cr_assert_eq(trap.vector, HAL_VECTOR_TIMER);
	cr_assert_eq(ctx.regs.rip, CODE);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

static void virtual_clock_boot(void)
{
	test_kernel_sched_init(1, true);
}

Test(hosted_user, endless_loop_is_stopped_under_the_virtual_clock,
     .init = virtual_clock_boot)
{
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, endless_loop, sizeof(endless_loop));
	ctx_init(&ctx, as, CODE);
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t before = hal_clock_ns();

		hal_timer_arm(before + 1000000ULL);
		trap = run(&ctx);
		cr_assert_eq(trap.kind, TRAP_INTERRUPT);
		cr_assert_gt(hal_clock_ns(), before, "virtual time moved on");
		sched_preempt_point();
	}
	hal_user_release(&ctx);
	vm_put(as);
}

static void *raise_ipi_later(void *arg)
{
	(void)arg;
	usleep(20000);
	hal_ipi(0, 0x42);
	return NULL;
}

Test(hosted_user, endless_loop_is_stopped_by_an_ipi, .init = boot)
{
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	pthread_t other;
	struct trap trap;

	load_code(as, CODE, endless_loop, sizeof(endless_loop));
	ctx_init(&ctx, as, CODE);
	cr_assert_eq(pthread_create(&other, NULL, raise_ipi_later, NULL), 0);
	trap = run(&ctx);
	pthread_join(other, NULL);
	cr_assert_eq(trap.kind, TRAP_INTERRUPT);
	cr_assert_eq(trap.vector, 0x42);
	hal_timer_arm(hal_clock_ns() + 10000000ULL);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_INTERRUPT, "it still loops after resuming");
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

/* 1: mov (%rbx), %edi; report; jmp 1b */
static const uint8_t read_loop[] = {
	LOAD_RBX_DATA,
	0x8b, 0x3b,				/* mov (%rbx), %edi */
	REPORT,
	0xeb, 0xf5,				/* jmp back to the load */
};

Test(hosted_user, two_children_of_one_space_share_memory, .init = boot)
{
	static const uint8_t writer[] = {
		LOAD_RBX_DATA,
		0xc7, 0x03, 0xcd, 0xab, 0x00, 0x00, /* movl $0xabcd, (%rbx) */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	struct user_ctx reader_ctx, writer_ctx;

	load_code(as, CODE, read_loop, sizeof(read_loop));
	load_code(as, CODE + PAGE_SIZE, writer, sizeof(writer));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA, 7);
	ctx_init(&reader_ctx, as, CODE);
	ctx_init(&writer_ctx, as, CODE + PAGE_SIZE);
	expect_syscall(&reader_ctx, 1);
	cr_assert_eq(reader_ctx.regs.rdi, 7);
	expect_syscall(&writer_ctx, 1);
	expect_syscall(&reader_ctx, 1);
	cr_assert_eq(reader_ctx.regs.rdi, 0xabcd);
	cr_assert_neq(((struct runner *)reader_ctx.platform)->pid,
		      ((struct runner *)writer_ctx.platform)->pid);
	hal_user_release(&reader_ctx);
	hal_user_release(&writer_ctx);
	vm_test_destroy(as);
}

Test(hosted_user, munmap_removes_the_window, .init = boot)
{
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, read_loop, sizeof(read_loop));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA, 99);
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 1);
	cr_assert_eq(ctx.regs.rdi, 99);
	cr_assert_eq(vm_munmap(as, DATA, PAGE_SIZE), 0);
	trap = run_faulting_in(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT, "the old window must be gone");
	cr_assert_eq(trap.fault_address, DATA);
	cr_assert_not(trap.error_code & TRAP_FAULT_PRESENT);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, fork_makes_both_sides_copy_on_write, .init = boot)
{
	static const uint8_t counter[] = {
		LOAD_RBX_DATA,
		0xff, 0x03,				/* 1: incl (%rbx) */
		0x8b, 0x3b,				/* mov (%rbx), %edi */
		REPORT,
		0xeb, 0xf3,				/* jmp 1b */
	};
	struct address_space *parent = vm_test_create();
	struct address_space *child;
	struct user_ctx parent_ctx, child_ctx;

	load_code(parent, CODE, counter, sizeof(counter));
	vm_test_map(parent, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(parent, DATA, 5);
	ctx_init(&parent_ctx, parent, CODE);
	expect_syscall(&parent_ctx, 1);
	cr_assert_eq(parent_ctx.regs.rdi, 6);

	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	ctx_init(&child_ctx, child, CODE);
	child_ctx.regs = parent_ctx.regs;
	expect_syscall(&parent_ctx, 1);
	cr_assert_eq(parent_ctx.regs.rdi, 7);
	expect_syscall(&child_ctx, 1);
	cr_assert_eq(child_ctx.regs.rdi, 7, "the child counts from 6 too");
	expect_syscall(&parent_ctx, 1);
	cr_assert_eq(parent_ctx.regs.rdi, 8);
	cr_assert_eq(vm_test_peek(child, DATA), 7);
	hal_user_release(&parent_ctx);
	hal_user_release(&child_ctx);
	vm_put(child);
	vm_test_destroy(parent);
}

Test(hosted_user, a_new_address_space_replaces_the_windows, .init = boot)
{
	struct address_space *first = vm_test_create();
	struct address_space *second = vm_test_create();
	struct user_ctx ctx;

	load_code(first, CODE, read_loop, sizeof(read_loop));
	load_code(second, CODE, read_loop, sizeof(read_loop));
	vm_test_map(first, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(second, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(first, DATA, 1);
	put32(second, DATA, 2);
	ctx_init(&ctx, first, CODE);
	expect_syscall(&ctx, 1);
	cr_assert_eq(ctx.regs.rdi, 1);
	ctx.as = second; /* as exec does */
	expect_syscall(&ctx, 1);
	cr_assert_eq(ctx.regs.rdi, 2);
	hal_user_release(&ctx);
	vm_put(first);
	vm_test_destroy(second);
}

Test(hosted_user, child_holds_nothing_of_the_host_below_the_limit,
     .init = boot)
{
	struct address_space *as = vm_test_create();
	char path[64], line[512];
	unsigned long start, end;
	unsigned int windows = 0;
	struct user_ctx ctx;
	FILE *maps;

	load_code(as, CODE, read_loop, sizeof(read_loop));
	vm_test_map(as, DATA, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	for (unsigned int i = 0; i < 4; i++)
		put32(as, DATA + i * PAGE_SIZE, i);
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 1);
	snprintf(path, sizeof(path), "/proc/%d/maps",
		 (int)((struct runner *)ctx.platform)->pid);
	maps = fopen(path, "r");
	cr_assert_not_null(maps);
	while (fgets(line, sizeof(line), maps)) {
		cr_assert_eq(sscanf(line, "%lx-%lx", &start, &end), 2);
		cr_assert_null(strstr(line, "[vdso]"), "%s", line);
		cr_assert_null(strstr(line, "[vvar"), "%s", line);
		if (start < HOSTED_USER_LIMIT) {
			cr_assert(strstr(line, "amphi-ram"), "%s", line);
			windows++;
		}
	}
	fclose(maps);
	cr_assert_geq(windows, 2, "code and data windows");
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

/* Each page a window of its own: the first sync needs several batches. */
Test(hosted_user, scattered_pages_take_several_batches, .init = boot)
{
	static const uint8_t code[] = {
		0x48, 0xbb, 0x00, 0x00, 0x60, 0, 0, 0, 0, 0, /* movabs $DATA, %rbx */
		0x48, 0x81, 0xc3, 0x00, 0x60, 0x25, 0x00,    /* add $598 pages, %rbx */
		0x8b, 0x3b,				     /* mov (%rbx), %edi */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	char path[64], line[512];
	unsigned int windows = 0;
	struct user_ctx ctx;
	FILE *maps;

	load_code(as, CODE, code, sizeof(code));
	vm_test_map(as, DATA, 600 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	for (unsigned int i = 0; i < 600; i += 2)
		put32(as, DATA + i * PAGE_SIZE, i);
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 1);
	cr_assert_eq(ctx.regs.rdi, 598);
	snprintf(path, sizeof(path), "/proc/%d/maps",
		 (int)((struct runner *)ctx.platform)->pid);
	maps = fopen(path, "r");
	cr_assert_not_null(maps);
	while (fgets(line, sizeof(line), maps))
		windows += strstr(line, "amphi-ram") != NULL;
	fclose(maps);
	cr_assert_geq(windows, 300, "every other page: %u windows", windows);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

Test(hosted_user, a_dead_child_is_an_error_not_a_crash, .init = boot)
{
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;

	load_code(as, CODE, read_loop, sizeof(read_loop));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 1);
	kill(((struct runner *)ctx.platform)->pid, SIGKILL);
	cr_assert_lt(hal_user_run(&ctx, &trap), 0);
	cr_assert_lt(hal_user_run(&ctx, &trap), 0);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

static uint64_t now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

/*
 * getpid-like round trips: TRAP_SYSCALL, set rax, resume. Prints the best
 * and the median of BENCH_BATCHES batches (the test machines are shared
 * VMs; the best batch is the cost, the median what a busy host gives).
 */
#define BENCH_BATCHES 15
#define BENCH_ROUNDS 200

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

Test(hosted_user, bench_syscall_round_trip, .init = boot)
{
	static const uint8_t code[] = {
		0xb8, 0x27, 0x00, 0x00, 0x00,	/* 1: mov $39, %eax */
		0x0f, 0x05,			/* syscall */
		0xeb, 0xf7,			/* jmp 1b */
	};
	struct address_space *as = vm_test_create();
	uint64_t batches[BENCH_BATCHES];
	struct user_ctx ctx;

	load_code(as, CODE, code, sizeof(code));
	ctx_init(&ctx, as, CODE);
	expect_syscall(&ctx, 39);
	for (unsigned int b = 0; b < BENCH_BATCHES; b++) {
		uint64_t start = now_ns();

		for (unsigned int i = 0; i < BENCH_ROUNDS; i++) {
			ctx.regs.rax = i;
			expect_syscall(&ctx, 39);
		}
		batches[b] = (now_ns() - start) / BENCH_ROUNDS;
	}
	qsort(batches, BENCH_BATCHES, sizeof(batches[0]), compare_u64);
	printf("hosted_user: syscall round trip best %llu ns, median %llu ns "
	       "(%u x %u rounds)\n",
	       (unsigned long long)batches[0],
	       (unsigned long long)batches[BENCH_BATCHES / 2], BENCH_BATCHES,
	       BENCH_ROUNDS);
	fflush(stdout);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}

/* Two simulated CPUs, the scheduler, and kernel threads running users. */
static unsigned long smp_threads;

static void smp_boot(void)
{
	test_kernel_sched_init(2, false);
	smp_threads = thread_count();
	kstack_cache_drain();
	vm_test_take_baseline();
}

/* Dead threads free their stacks when reaped: wait for it, then check. */
static void smp_destroy(struct address_space *as)
{
	cr_assert(test_wait_thread_count(smp_threads));
	kstack_cache_drain();
	vm_test_destroy(as);
}

struct user_job {
	struct user_ctx ctx;
	int err;
	unsigned int cpus[2];
	uint64_t values[2];
	pid_t pids[2];
	struct trap last;
};

static struct thread *start_on(unsigned int cpu, int (*entry)(void *),
			       struct user_job *job)
{
	struct thread *thread = thread_create("user", entry, job);

	cr_assert_not(IS_ERR(thread));
	cr_assert_eq(thread_set_affinity(thread, CPUMASK_OF(cpu)), 0);
	thread_start(thread);
	return thread;
}

/* The core's loop, reduced: faults resolved, interrupts are preemption points. */
static int run_to(struct user_job *job, enum trap_kind kind)
{
	for (;;) {
		int err = hal_user_run(&job->ctx, &job->last);

		if (err < 0)
			return err;
		if (job->last.kind == kind)
			return 0;
		if (job->last.kind == TRAP_INTERRUPT) {
			sched_preempt_point();
			continue;
		}
		if (job->last.kind != TRAP_FAULT)
			return -EINVAL;
		err = vm_fault(job->ctx.as, job->last.fault_address,
			       (job->last.error_code & TRAP_FAULT_WRITE)
				       ? VM_ACCESS_WRITE : VM_ACCESS_READ);
		if (err < 0)
			return err;
	}
}

static void move_to(unsigned int cpu)
{
	thread_set_affinity(thread_current(), CPUMASK_OF(cpu));
	while (hal_cpu_id() != cpu)
		thread_yield();
}

/* Runs the read loop on CPU 0, then on CPU 1, changing the value between. */
static int migrating_entry(void *arg)
{
	struct user_job *job = arg;
	uint32_t value;

	for (unsigned int i = 0; i < 2 && job->err == 0; i++) {
		move_to(i);
		value = 100 + i;
		job->err = vm_copy_to_user(job->ctx.as, DATA, &value,
					   sizeof(value));
		if (job->err == 0)
			job->err = run_to(job, TRAP_SYSCALL);
		job->cpus[i] = hal_cpu_id();
		job->values[i] = job->ctx.regs.rdi;
		job->pids[i] = ((struct runner *)job->ctx.platform)->pid;
	}
	hal_user_release(&job->ctx);
	return 0;
}

Test(hosted_user, a_thread_resumed_on_another_cpu_keeps_running,
     .init = smp_boot)
{
	struct address_space *as = vm_test_create();
	struct user_job job = { 0 };
	struct thread *thread;

	load_code(as, CODE, read_loop, sizeof(read_loop));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	ctx_init(&job.ctx, as, CODE);
	thread = start_on(0, migrating_entry, &job);
	cr_assert_eq(thread_join(thread, NULL), 0);
	cr_assert_eq(job.err, 0, "err %d", job.err);
	cr_assert_eq(job.cpus[0], 0);
	cr_assert_eq(job.cpus[1], 1);
	cr_assert_eq(job.values[0], 100);
	cr_assert_eq(job.values[1], 101);
	cr_assert_eq(job.pids[0], job.pids[1], "the same child went on");
	smp_destroy(as);
}

static int run_to_syscall_entry(void *arg)
{
	struct user_job *job = arg;

	job->err = run_to(job, TRAP_SYSCALL);
	job->cpus[0] = hal_cpu_id();
	hal_user_release(&job->ctx);
	return 0;
}

Test(hosted_user, threads_of_one_space_run_in_parallel, .init = smp_boot)
{
	/* Each sets its flag, then waits for the other's: a handshake. */
	static const uint8_t first[] = {
		LOAD_RBX_DATA,
		0xc7, 0x03, 0x01, 0, 0, 0,		/* movl $1, (%rbx) */
		0x83, 0x7b, 0x04, 0x01,			/* 1: cmpl $1, 4(%rbx) */
		0x75, 0xfa,				/* jne 1b */
		REPORT,
	};
	static const uint8_t second[] = {
		LOAD_RBX_DATA,
		0xc7, 0x43, 0x04, 0x01, 0, 0, 0,	/* movl $1, 4(%rbx) */
		0x83, 0x3b, 0x01,			/* 1: cmpl $1, (%rbx) */
		0x75, 0xfb,				/* jne 1b */
		REPORT,
	};
	struct address_space *as = vm_test_create();
	static struct user_job jobs[2];
	struct thread *threads[2];

	load_code(as, CODE, first, sizeof(first));
	load_code(as, CODE + PAGE_SIZE, second, sizeof(second));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA, 0);
	for (unsigned int i = 0; i < 2; i++) {
		ctx_init(&jobs[i].ctx, as, CODE + i * PAGE_SIZE);
		threads[i] = start_on(i, run_to_syscall_entry, &jobs[i]);
	}
	for (unsigned int i = 0; i < 2; i++) {
		cr_assert_eq(thread_join(threads[i], NULL), 0);
		cr_assert_eq(jobs[i].err, 0, "thread %u: %d", i, jobs[i].err);
		cr_assert_eq(jobs[i].cpus[0], i);
	}
	smp_destroy(as);
}

static int run_to_fault_entry(void *arg)
{
	struct user_job *job = arg;

	job->err = run_to(job, TRAP_FAULT);
	hal_user_release(&job->ctx);
	return 0;
}

Test(hosted_user, mprotect_stops_a_sibling_running_on_another_cpu,
     .init = smp_boot)
{
	static const uint8_t counter[] = {
		LOAD_RBX_DATA,
		0xff, 0x03,				/* 1: incl (%rbx) */
		0xeb, 0xfc,				/* jmp 1b */
	};
	struct address_space *as = vm_test_create();
	static struct user_job job;
	struct thread *thread;
	uint32_t before, after;

	load_code(as, CODE, counter, sizeof(counter));
	vm_test_map(as, DATA, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	put32(as, DATA, 0);
	ctx_init(&job.ctx, as, CODE);
	thread = start_on(1, run_to_fault_entry, &job);
	do {
		sleep_ns(5000000);
		cr_assert_eq(vm_copy_from_user(as, &before, DATA, 4), 0);
	} while (before == 0);
	cr_assert_eq(vm_mprotect(as, DATA, PAGE_SIZE, PROT_READ, NULL), 0);
	cr_assert_eq(vm_copy_from_user(as, &before, DATA, 4), 0);
	sleep_ns(20000000);
	cr_assert_eq(vm_copy_from_user(as, &after, DATA, 4), 0);
	cr_assert_eq(before, after, "a write went through after the flush");
	cr_assert_eq(thread_join(thread, NULL), 0);
	cr_assert_eq(job.err, 0, "err %d", job.err);
	cr_assert_eq(job.last.fault_address, DATA);
	cr_assert(job.last.error_code & TRAP_FAULT_WRITE);
	cr_assert(job.last.error_code & TRAP_FAULT_PRESENT);
	smp_destroy(as);
}

/* Demand-zero faults: TRAP_FAULT, vm_fault, resume (with its one batch). */
Test(hosted_user, bench_demand_zero_fault, .init = boot)
{
	static const uint8_t code[] = {
		LOAD_RBX_DATA,
		0xc6, 0x03, 0x01,			/* 1: movb $1, (%rbx) */
		0x48, 0x81, 0xc3, 0x00, 0x10, 0x00, 0x00, /* add $4096, %rbx */
		0xeb, 0xf4,				/* jmp 1b */
	};
	const unsigned int pages = 1000;
	struct address_space *as = vm_test_create();
	struct user_ctx ctx;
	struct trap trap;
	uint64_t start;

	load_code(as, CODE, code, sizeof(code));
	vm_test_map(as, DATA, pages * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	ctx_init(&ctx, as, CODE);
	start = now_ns();
	for (unsigned int i = 0; i < pages; i++) {
		trap = run(&ctx);
		cr_assert_eq(trap.kind, TRAP_FAULT);
		cr_assert_eq(trap.fault_address, DATA + i * PAGE_SIZE);
		cr_assert_eq(vm_fault(as, trap.fault_address, VM_ACCESS_WRITE), 0);
	}
	printf("hosted_user: demand-zero fault round trip %llu ns (%u faults)\n",
	       (unsigned long long)((now_ns() - start) / pages), pages);
	fflush(stdout);
	trap = run(&ctx);
	cr_assert_eq(trap.kind, TRAP_FAULT, "past the mapping");
	cr_assert_eq(vm_fault(as, trap.fault_address, VM_ACCESS_WRITE), -EFAULT);
	hal_user_release(&ctx);
	vm_test_destroy(as);
}
