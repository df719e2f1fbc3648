/*
 * User mode through the HAL: a fresh address space gets a page of x86_64
 * machine code (the routines below, each at its own offset), a stack and
 * data pages; a ctx pointed at one routine runs with hal_user_run, and
 * the traps it takes are checked: system calls with their arguments and
 * results, page faults and their resumption, exceptions, a timer
 * interrupt stopping an endless loop, the FS base, SSE state across
 * traps and other threads, the RFLAGS and selectors user code may not
 * choose, bad return addresses, and user code on every CPU at once in one
 * address space. Where the platform cannot run user code yet
 * (hal_user_run returns -ENOSYS), each test says so and is skipped.
 *
 * Each test owns its address space and ctxs (on its stack); nothing is
 * shared between tests but the constant code.
 */
#include "core/hal/cpu.h"
#include "core/hal/mmu.h"
#include "core/hal/time.h"
#include "core/hal/user.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/timer.h"
#include "core/selftest/selftest.h"

#define CODE 0x400000ULL	/* the routines, read + exec */
#define DATA 0x600000ULL	/* read + write, demand-zero */
#define DATA_PAGES 64		/* one per CPU for the SMP test */
#define READ_ONLY 0x700000ULL	/* read-only, populated */
#define STACK 0x800000ULL	/* read + write, populated */
#define STACK_PAGES 4
#define UNMAPPED 0x900000ULL	/* no mapping at all */

/* Routine offsets in the code page (assembly in the comments below). */
enum routine {
	R_SYSCALL = 0x000,
	R_SYSCALL_RESUMED = 0x028,	/* right after its first syscall */
	R_FAULT_WRITE = 0x080,
	R_FAULT_READ_ONLY = 0x0c0,
	R_UD2 = 0x100,
	R_INT3 = 0x110,
	R_LOOP = 0x120,
	R_FS = 0x130,
	R_SSE = 0x140,
	R_HLT = 0x160,
	R_CLI = 0x170,
	R_FLAGS = 0x180,
	R_READ = 0x190,
	R_WRITE_SLOT = 0x1a0,
	R_INT_TIMER = 0x1b0,
	R_TRAP_FLAG = 0x1c0,
	R_LOAD_FS = 0x1d0,
	CODE_SIZE = 0x1e0,
};

#define GETPID 39
#define EXIT 60
#define VECTOR_DEBUG 1
#define VECTOR_BREAKPOINT 3
#define VECTOR_INVALID_OPCODE 6
#define VECTOR_STACK_FAULT 12
#define VECTOR_GENERAL_PROTECTION 13
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_IOPL (3ULL << 12)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_AC (1ULL << 18)
#define LINUX_USER_CS 0x33
#define LINUX_USER_SS 0x2b
#define FXSAVE_XMM0 160
#define ANY_ERROR_CODE (~0ULL)

static const uint8_t code[CODE_SIZE] = {
	/* R_SYSCALL: mov $39,%eax; mov $0x1111,%edi; mov $0x2222,%esi;
	 * mov $0x3333,%edx; mov $0x4444,%r10d; mov $0x5555,%r8d;
	 * mov $0x6666,%r9d; syscall; mov %rax,%rdx; mov %rcx,%rdi;
	 * mov %r11,%rsi; mov $60,%eax; syscall; jmp . */
	[R_SYSCALL] = 0xb8, 0x27, 0x00, 0x00, 0x00, 0xbf, 0x11, 0x11, 0x00,
	0x00, 0xbe, 0x22, 0x22, 0x00, 0x00, 0xba, 0x33, 0x33, 0x00, 0x00,
	0x41, 0xba, 0x44, 0x44, 0x00, 0x00, 0x41, 0xb8, 0x55, 0x55, 0x00,
	0x00, 0x41, 0xb9, 0x66, 0x66, 0x00, 0x00, 0x0f, 0x05, 0x48, 0x89,
	0xc2, 0x48, 0x89, 0xcf, 0x4c, 0x89, 0xde, 0xb8, 0x3c, 0x00, 0x00,
	0x00, 0x0f, 0x05, 0xeb, 0xfe,
	/* R_FAULT_WRITE: movq $0x1234,0x600000; mov $1,%eax; syscall; jmp . */
	[R_FAULT_WRITE] = 0x48, 0xc7, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
	0x34, 0x12, 0x00, 0x00, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05,
	0xeb, 0xfe,
	/* R_FAULT_READ_ONLY: movq $1,0x700000; jmp . */
	[R_FAULT_READ_ONLY] = 0x48, 0xc7, 0x04, 0x25, 0x00, 0x00, 0x70, 0x00,
	0x01, 0x00, 0x00, 0x00, 0xeb, 0xfe,
	[R_UD2] = 0x0f, 0x0b,			/* ud2 */
	[R_INT3] = 0xcc, 0xeb, 0xfe,		/* int3; jmp . */
	[R_LOOP] = 0xeb, 0xfe,			/* jmp . */
	/* R_FS: mov %fs:0,%rdi; syscall; jmp . */
	[R_FS] = 0x64, 0x48, 0x8b, 0x3c, 0x25, 0x00, 0x00, 0x00, 0x00, 0x0f,
	0x05, 0xeb, 0xfe,
	/* R_SSE: movq %rdi,%xmm0; syscall; movq %xmm0,%rdi; syscall; jmp . */
	[R_SSE] = 0x66, 0x48, 0x0f, 0x6e, 0xc7, 0x0f, 0x05, 0x66, 0x48, 0x0f,
	0x7e, 0xc7, 0x0f, 0x05, 0xeb, 0xfe,
	[R_HLT] = 0xf4,				/* hlt */
	[R_CLI] = 0xfa,				/* cli */
	/* R_FLAGS: pushfq; pop %rdi; syscall; jmp . */
	[R_FLAGS] = 0x9c, 0x5f, 0x0f, 0x05, 0xeb, 0xfe,
	[R_READ] = 0x48, 0x8b, 0x07, 0xeb, 0xfe, /* mov (%rdi),%rax; jmp . */
	/* R_WRITE_SLOT: mov %rsi,(%rdi); syscall; jmp . */
	[R_WRITE_SLOT] = 0x48, 0x89, 0x37, 0x0f, 0x05, 0xeb, 0xfe,
	[R_INT_TIMER] = 0xcd, 0xf0,		/* int $0xf0 */
	/* R_TRAP_FLAG: pushfq; orq $0x100,(%rsp); popfq; 1: jmp 1b */
	[R_TRAP_FLAG] = 0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00,
	0x9d, 0xeb, 0xfe,
	/* R_LOAD_FS: mov $0x2b,%eax; mov %eax,%fs; syscall; jmp . */
	[R_LOAD_FS] = 0xb8, 0x2b, 0x00, 0x00, 0x00, 0x8e, 0xe0, 0x0f, 0x05,
	0xeb, 0xfe,
};

/* Maps [addr, addr + pages) with `prot`; MAP_POPULATE if `populate`. */
static int map_fixed(struct address_space *as, uaddr_t addr,
		     unsigned int pages, unsigned int prot, bool populate)
{
	long result = vm_mmap(as, addr, (uint64_t)pages * PAGE_SIZE, prot,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				      (populate ? MAP_POPULATE : 0),
			      0);

	return result < 0 ? (int)result : 0;
}

/* The test address space: see the addresses above. ERR_PTR on failure. */
static struct address_space *space_create(void)
{
	struct address_space *as = vm_create();
	int err;

	if (IS_ERR(as))
		return as;
	err = map_fixed(as, CODE, 1, PROT_READ | PROT_WRITE, false);
	if (err == 0)
		err = vm_copy_to_user(as, CODE, code, sizeof(code));
	if (err == 0)
		err = vm_mprotect(as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC,
				  NULL);
	if (err == 0)
		err = map_fixed(as, DATA, DATA_PAGES, PROT_READ | PROT_WRITE,
				false);
	if (err == 0)
		err = map_fixed(as, READ_ONLY, 1, PROT_READ, true);
	if (err == 0)
		err = map_fixed(as, STACK, STACK_PAGES, PROT_READ | PROT_WRITE,
				true);
	if (err < 0) {
		vm_put(as);
		return ERR_PTR(err);
	}
	return as;
}

/* A ctx at routine `r` of `as`, with Linux's initial FPU state. */
static void ctx_init(struct user_ctx *ctx, struct address_space *as,
		     enum routine r)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as = as;
	ctx->regs.rip = CODE + r;
	ctx->regs.rsp = STACK + STACK_PAGES * PAGE_SIZE - 64;
	ctx->regs.rflags = 0x202;
	user_fpu_init(&ctx->fpu);
}

static const char *const kind_names[] = {
	[TRAP_SYSCALL] = "syscall", [TRAP_FAULT] = "fault",
	[TRAP_EXCEPTION] = "exception", [TRAP_INTERRUPT] = "interrupt",
};

static const char *kind_name(enum trap_kind kind)
{
	return kind >= TRAP_SYSCALL && kind <= TRAP_INTERRUPT ?
		       kind_names[kind] : "?";
}

/*
 * Runs ctx to its next trap other than an interrupt (after an interrupt,
 * a preemption point and resume, as the core's loop does) and checks
 * that it is `kind`.
 * Returns 0, SELFTEST_SKIP (no user mode here) or -1.
 */
static int run_expect(struct user_ctx *ctx, struct trap *trap,
		      enum trap_kind kind)
{
	for (int i = 0; i < 10000; i++) {
		int err = hal_user_run(ctx, trap);

		if (err == -ENOSYS)
			return selftest_skip("hal_user_run: no user mode yet");
		if (err < 0)
			return selftest_fail("hal_user_run: error %d", err);
		if (trap->kind == TRAP_INTERRUPT && kind != TRAP_INTERRUPT) {
			sched_preempt_point(); /* as the core's loop does */
			continue;
		}
		if (trap->kind != kind)
			return selftest_fail("trap %s (vector %u, error %#llx, "
					     "address %#llx, rip %#llx), "
					     "expected %s",
					     kind_name(trap->kind), trap->vector,
					     (unsigned long long)trap->error_code,
					     (unsigned long long)trap->fault_address,
					     (unsigned long long)ctx->regs.rip,
					     kind_name(kind));
		return 0;
	}
	return selftest_fail("interrupted 10000 times in a row (vector %u, "
			     "interrupts %s)", trap->vector,
			     hal_irq_enabled() ? "on" : "off");
}

/*
 * A system call `number` at rip `rip`: rax -ENOSYS until the kernel sets
 * a result, rcx/r11 as SYSCALL sets them.
 */
static int expect_syscall(const struct user_ctx *ctx, uint64_t number,
			  uint64_t rip)
{
	const struct user_regs *r = &ctx->regs;

	if (r->orig_rax != number || r->rax != (uint64_t)-ENOSYS)
		return selftest_fail("syscall %llu (rax %lld), expected %llu",
				     (unsigned long long)r->orig_rax,
				     (long long)r->rax,
				     (unsigned long long)number);
	if (r->rip != rip || r->rcx != rip || r->r11 != r->rflags)
		return selftest_fail("rip %#llx rcx %#llx r11 %#llx rflags "
				     "%#llx, expected rip %#llx",
				     (unsigned long long)r->rip,
				     (unsigned long long)r->rcx,
				     (unsigned long long)r->r11,
				     (unsigned long long)r->rflags,
				     (unsigned long long)rip);
	return 0;
}

static int expect_arguments(const struct user_regs *r)
{
	if (r->rdi != 0x1111 || r->rsi != 0x2222 || r->rdx != 0x3333 ||
	    r->r10 != 0x4444 || r->r8 != 0x5555 || r->r9 != 0x6666)
		return selftest_fail("arguments %#llx %#llx %#llx %#llx %#llx "
				     "%#llx", (unsigned long long)r->rdi,
				     (unsigned long long)r->rsi,
				     (unsigned long long)r->rdx,
				     (unsigned long long)r->r10,
				     (unsigned long long)r->r8,
				     (unsigned long long)r->r9);
	return 0;
}

/*
 * R_SYSCALL: the first call's arguments; then the result the kernel
 * stores in rax reaches user code, which passes it back in the second
 * call with the rcx/r11 it saw. `exact` resumes with rcx/r11 that do not
 * match rip/rflags, which must reach user code unchanged (no SYSRET).
 */
static int syscall_round_in(struct user_ctx *ctx, struct address_space *as,
			    bool exact)
{
	struct trap trap;
	struct user_regs *r = &ctx->regs;
	uint64_t rip_after = CODE + R_SYSCALL_RESUMED, flags;
	int result;

	ctx_init(ctx, as, R_SYSCALL);
	r->rbx = 0xb0b0;
	r->r15 = 0xf0f0;
	result = run_expect(ctx, &trap, TRAP_SYSCALL);
	if (result == 0)
		result = expect_syscall(ctx, GETPID, rip_after);
	if (result == 0)
		result = expect_arguments(r);
	if (result != 0)
		return result;
	flags = r->rflags;
	r->rax = 4242;
	if (exact) {
		r->rcx = 0xc0c0;
		r->r11 = 0xd0d0;
	}
	result = run_expect(ctx, &trap, TRAP_SYSCALL);
	if (result == 0)
		result = expect_syscall(ctx, EXIT, rip_after + 16);
	if (result != 0)
		return result;
	if (r->rdx != 4242 || r->rdi != (exact ? 0xc0c0 : rip_after) ||
	    r->rsi != (exact ? 0xd0d0 : flags))
		return selftest_fail("user saw rax %llu rcx %#llx r11 %#llx",
				     (unsigned long long)r->rdx,
				     (unsigned long long)r->rdi,
				     (unsigned long long)r->rsi);
	if (r->rbx != 0xb0b0 || r->r15 != 0xf0f0)
		return selftest_fail("rbx %#llx r15 %#llx not kept",
				     (unsigned long long)r->rbx,
				     (unsigned long long)r->r15);
	return 0;
}

static int syscall_round(struct address_space *as, bool exact)
{
	struct user_ctx ctx;
	int result = syscall_round_in(&ctx, as, exact);

	hal_user_release(&ctx);
	return result;
}

static int user_syscall(void)
{
	struct address_space *as = space_create();
	int result;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = syscall_round(as, false);
	if (result == 0)
		result = syscall_round(as, true);
	vm_put(as);
	return result;
}

/* The last trap was a page fault at `address` with exactly `bits`. */
static int expect_fault(const struct trap *trap, uaddr_t address,
			uint64_t bits)
{
	if (trap->fault_address != address || trap->error_code != bits)
		return selftest_fail("fault at %#llx bits %#llx, expected %#llx "
				     "bits %#llx",
				     (unsigned long long)trap->fault_address,
				     (unsigned long long)trap->error_code,
				     (unsigned long long)address,
				     (unsigned long long)bits);
	return 0;
}

/* A demand-zero write: the fault, vm_fault, then the write completes. */
static int fault_demand_write_in(struct user_ctx *ctx,
				 struct address_space *as)
{
	struct trap trap;
	uint64_t value = 0;
	int result, err;

	ctx_init(ctx, as, R_FAULT_WRITE);
	result = run_expect(ctx, &trap, TRAP_FAULT);
	if (result == 0)
		result = expect_fault(&trap, DATA,
				      TRAP_FAULT_USER | TRAP_FAULT_WRITE);
	if (result != 0)
		return result;
	err = vm_fault(as, trap.fault_address, VM_ACCESS_WRITE);
	if (err < 0)
		return selftest_fail("vm_fault: %d", err);
	result = run_expect(ctx, &trap, TRAP_SYSCALL);
	if (result == 0)
		result = expect_syscall(ctx, 1, CODE + R_FAULT_WRITE + 19);
	if (result != 0)
		return result;
	err = vm_copy_from_user(as, &value, DATA, sizeof(value));
	if (err < 0 || value != 0x1234)
		return selftest_fail("the page holds %#llx (error %d)",
				     (unsigned long long)value, err);
	return 0;
}

static int fault_demand_write(struct address_space *as)
{
	struct user_ctx ctx;
	int result = fault_demand_write_in(&ctx, as);

	hal_user_release(&ctx);
	return result;
}

/* Runs `r` with rdi = `address`; it must fault there with `bits` set. */
static int fault_at_in(struct user_ctx *ctx, struct address_space *as,
		       enum routine r, uaddr_t address, uint64_t bits,
		       uint64_t exact_bits)
{
	struct trap trap;
	int result;

	ctx_init(ctx, as, r);
	ctx->regs.rdi = address;
	result = run_expect(ctx, &trap, TRAP_FAULT);
	if (result != 0)
		return result;
	if (exact_bits != 0)
		return expect_fault(&trap, address, exact_bits);
	if (trap.fault_address != address || (trap.error_code & bits) != bits)
		return selftest_fail("fault at %#llx bits %#llx, expected %#llx "
				     "with bits %#llx",
				     (unsigned long long)trap.fault_address,
				     (unsigned long long)trap.error_code,
				     (unsigned long long)address,
				     (unsigned long long)bits);
	return 0;
}

static int fault_at(struct address_space *as, enum routine r, uaddr_t address,
		    uint64_t bits, uint64_t exact_bits)
{
	struct user_ctx ctx;
	int result = fault_at_in(&ctx, as, r, address, bits, exact_bits);

	hal_user_release(&ctx);
	return result;
}

/* User code jumping into kernel text faults at that address. */
static int kernel_text_run_in(struct user_ctx *ctx,
			      struct address_space *as)
{
	struct trap trap;
	int result;

	ctx_init(ctx, as, R_LOOP);
	ctx->regs.rip = (uaddr_t)(uintptr_t)selftest_run_all;
	result = run_expect(ctx, &trap, TRAP_FAULT);
	if (result == 0 && (trap.fault_address != ctx->regs.rip ||
			    !(trap.error_code & TRAP_FAULT_USER)))
		result = selftest_fail("kernel text: fault at %#llx bits %#llx",
				       (unsigned long long)trap.fault_address,
				       (unsigned long long)trap.error_code);
	return result;
}

static int kernel_text_run(struct address_space *as)
{
	struct user_ctx ctx;
	int result = kernel_text_run_in(&ctx, as);

	hal_user_release(&ctx);
	return result;
}

static int user_fault(void)
{
	static const uint64_t kernel_word = 0x5a5a;
	struct address_space *as = space_create();
	int result;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = fault_demand_write(as);
	if (result == 0)
		result = fault_at(as, R_FAULT_READ_ONLY, READ_ONLY, 0,
				  TRAP_FAULT_PRESENT | TRAP_FAULT_WRITE |
					  TRAP_FAULT_USER);
	if (result == 0 && vm_fault(as, READ_ONLY, VM_ACCESS_WRITE) != -EACCES)
		result = selftest_fail("vm_fault on a read-only page");
	if (result == 0)
		result = fault_at(as, R_READ, UNMAPPED, 0, TRAP_FAULT_USER);
	if (result == 0 && vm_fault(as, UNMAPPED, VM_ACCESS_READ) != -EFAULT)
		result = selftest_fail("vm_fault where nothing is mapped");
	/* Kernel memory, read and run from user mode. */
	if (result == 0)
		result = fault_at(as, R_READ, (uaddr_t)&kernel_word,
				  TRAP_FAULT_USER, 0);
	if (result == 0)
		result = kernel_text_run(as);
	vm_put(as);
	return result;
}

/*
 * Runs `r`: an exception `vector` with `error_code` (ANY_ERROR_CODE: an
 * IDT-referencing one, bit 1), rip at CODE + `rip`.
 */
static int exception_at_in(struct user_ctx *ctx, struct address_space *as,
			   enum routine r, unsigned int vector,
			   uint64_t error_code, unsigned int rip)
{
	struct trap trap;
	int result;

	ctx_init(ctx, as, r);
	result = run_expect(ctx, &trap, TRAP_EXCEPTION);
	if (result != 0)
		return result;
	if (trap.vector != vector || ctx->regs.rip != CODE + rip ||
	    ctx->regs.orig_rax != (uint64_t)-1)
		return selftest_fail("routine %#x: vector %u at rip %#llx "
				     "(orig_rax %#llx), expected %u at %#llx",
				     r, trap.vector,
				     (unsigned long long)ctx->regs.rip,
				     (unsigned long long)ctx->regs.orig_rax,
				     vector, (unsigned long long)CODE + rip);
	if (error_code == ANY_ERROR_CODE ? !(trap.error_code & 2) :
					    trap.error_code != error_code)
		return selftest_fail("routine %#x: error code %#llx", r,
				     (unsigned long long)trap.error_code);
	return 0;
}

static int exception_at(struct address_space *as, enum routine r,
			unsigned int vector, uint64_t error_code,
			unsigned int rip)
{
	struct user_ctx ctx;
	int result = exception_at_in(&ctx, as, r, vector, error_code, rip);

	hal_user_release(&ctx);
	return result;
}

static int user_exception(void)
{
	struct address_space *as = space_create();
	int result;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = exception_at(as, R_UD2, VECTOR_INVALID_OPCODE, 0, R_UD2);
	if (result == 0)
		result = exception_at(as, R_INT3, VECTOR_BREAKPOINT, 0,
				      R_INT3 + 1);
	if (result == 0)
		result = exception_at(as, R_HLT, VECTOR_GENERAL_PROTECTION, 0,
				      R_HLT);
	if (result == 0)
		result = exception_at(as, R_CLI, VECTOR_GENERAL_PROTECTION, 0,
				      R_CLI);
	/*
	 * No faking an interrupt: the gate is the kernel's. The error code
	 * names the IDT entry (vector * 8 + 2 on hardware, QEMU's TCG says
	 * vector * 16 + 2).
	 */
	if (result == 0)
		result = exception_at(as, R_INT_TIMER,
				      VECTOR_GENERAL_PROTECTION, ANY_ERROR_CODE,
				      R_INT_TIMER);
	/*
	 * TF set by user code: a single-step trap after the jump that follows
	 * popf (TCG already traps after popf itself: the same rip here).
	 */
	if (result == 0)
		result = exception_at(as, R_TRAP_FLAG, VECTOR_DEBUG, 0,
				      R_TRAP_FLAG + 10);
	vm_put(as);
	return result;
}

static void timer_fired(struct timer *timer, void *arg)
{
	(void)timer;
	__atomic_store_n((bool *)arg, true, __ATOMIC_RELEASE);
}

/* An endless loop comes back as a timer interrupt, and goes on after. */
static int user_timer_interrupt(void)
{
	struct address_space *as = space_create();
	struct user_ctx ctx;
	struct trap trap;
	struct timer timer;
	bool fired = false;
	int result = 0, timer_traps = 0;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	ctx_init(&ctx, as, R_LOOP);
	timer_init(&timer, timer_fired, &fired);
	timer_add(&timer, hal_clock_ns() + 5000000);
	for (int i = 0; result == 0 && i < 100000 && timer_traps < 2; i++) {
		result = run_expect(&ctx, &trap, TRAP_INTERRUPT);
		if (result == 0 && ctx.regs.rip != CODE + R_LOOP)
			result = selftest_fail("rip %#llx in the loop",
					       (unsigned long long)ctx.regs.rip);
		if (result != 0 || trap.vector != HAL_VECTOR_TIMER ||
		    !__atomic_load_n(&fired, __ATOMIC_ACQUIRE))
			continue;
		timer_traps++; /* again, to see the loop resumed */
		__atomic_store_n(&fired, false, __ATOMIC_RELAXED);
		timer_add(&timer, hal_clock_ns() + 1000000);
	}
	timer_cancel(&timer);
	hal_user_release(&ctx);
	if (result == 0 && timer_traps < 2)
		result = selftest_fail("no timer interrupt stopped the loop");
	vm_put(as);
	return result;
}

static int user_fs_base(void)
{
	const uint64_t value = 0xfeedface12345678ULL;
	struct address_space *as = space_create();
	struct user_ctx ctx;
	struct trap trap;
	int result;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = vm_copy_to_user(as, DATA + 0x800, &value, sizeof(value));
	/*
	 * First a run that loads a data selector into FS (its base becomes
	 * the descriptor's, 0; the hosted runner reads that back): the next
	 * run, with fs_base set again, must load it (x86_64 caches the MSR).
	 */
	ctx_init(&ctx, as, R_LOAD_FS);
	ctx.regs.fs_base = DATA + 0x800;
	if (result == 0)
		result = run_expect(&ctx, &trap, TRAP_SYSCALL);
	ctx.regs.rip = CODE + R_FS;
	ctx.regs.fs_base = DATA + 0x800;
	if (result == 0)
		result = run_expect(&ctx, &trap, TRAP_SYSCALL);
	if (result == 0 && ctx.regs.rdi != value)
		result = selftest_fail("%%fs:0 read %#llx",
				       (unsigned long long)ctx.regs.rdi);
	if (result == 0 && ctx.regs.fs_base != DATA + 0x800)
		result = selftest_fail("fs_base became %#llx",
				       (unsigned long long)ctx.regs.fs_base);
	ctx.regs.fs_base = 1ULL << 63;
	if (result == 0 && hal_user_run(&ctx, &trap) != -EINVAL)
		result = selftest_fail("a kernel-half fs_base was accepted");
	hal_user_release(&ctx);
	vm_put(as);
	return result;
}

/*
 * xmm0 of two threads, each stopped between setting it and reading it
 * back while the other one runs: each reads its own.
 */
static int user_sse(void)
{
	static const uint64_t patterns[2] = { 0x0123456789abcdefULL,
					      0xfedcba9876543210ULL };
	struct address_space *as = space_create();
	struct user_ctx ctx[2] = { 0 };	/* both released, even unused */
	struct trap trap;
	uint64_t saved;
	int result = 0;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	for (int i = 0; i < 2 && result == 0; i++) {
		ctx_init(&ctx[i], as, R_SSE);
		ctx[i].regs.rdi = patterns[i];
		result = run_expect(&ctx[i], &trap, TRAP_SYSCALL);
		hal_user_fpu_sync(&ctx[i]);
		memcpy(&saved, ctx[i].fpu.fxsave + FXSAVE_XMM0, sizeof(saved));
		if (result == 0 && saved != patterns[i])
			result = selftest_fail("saved xmm0 %#llx",
					       (unsigned long long)saved);
	}
	for (int i = 0; i < 2 && result == 0; i++) {
		result = run_expect(&ctx[i], &trap, TRAP_SYSCALL);
		if (result == 0 && ctx[i].regs.rdi != patterns[i])
			result = selftest_fail("thread %d read xmm0 %#llx", i,
					       (unsigned long long)ctx[i].regs.rdi);
	}
	hal_user_release(&ctx[0]);
	hal_user_release(&ctx[1]);
	vm_put(as);
	return result;
}

/* RFLAGS and selectors user code cannot choose, from a ctx asking all. */
static int sanitized_state_in(struct user_ctx *ctx,
			      struct address_space *as)
{
	struct trap trap;
	uint64_t seen;
	int result;

	ctx_init(ctx, as, R_FLAGS);
	ctx->regs.rflags = ~0ULL;
	ctx->regs.cs = 0x10;
	ctx->regs.ss = 0x18;
	result = run_expect(ctx, &trap, TRAP_SYSCALL);
	if (result != 0)
		return result;
	seen = ctx->regs.rdi; /* what pushfq saw in user mode */
	if (!(seen & RFLAGS_IF) ||
	    (seen & (RFLAGS_IOPL | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT)))
		return selftest_fail("user rflags %#llx",
				     (unsigned long long)seen);
	if (ctx->regs.cs != LINUX_USER_CS || ctx->regs.ss != LINUX_USER_SS)
		return selftest_fail("cs %#llx ss %#llx",
				     (unsigned long long)ctx->regs.cs,
				     (unsigned long long)ctx->regs.ss);
	return 0;
}

static int sanitized_state(struct address_space *as)
{
	struct user_ctx ctx;
	int result = sanitized_state_in(&ctx, as);

	hal_user_release(&ctx);
	return result;
}

/*
 * A non-canonical rip (or rsp) comes back as exception `vector`, or as
 * `alternative`: a stack access at a non-canonical address is #SS on
 * bare x86_64, but some hypervisors under a hosted kernel's host (PVM)
 * report it as #GP. Either way user code took the exception, not us.
 */
static int bad_return_in(struct user_ctx *ctx, struct address_space *as,
			 bool bad_rip, unsigned int vector,
			 unsigned int alternative)
{
	struct trap trap;
	int err;

	ctx_init(ctx, as, R_FLAGS);
	if (bad_rip)
		ctx->regs.rip = 0x0000800000000000ULL;
	else
		ctx->regs.rsp = 0x8000000000000000ULL;
	/* An interrupt may come first (a slow, sanitized build): resume. */
	do {
		err = hal_user_run(ctx, &trap);
		if (err == 0 && trap.kind == TRAP_INTERRUPT)
			sched_preempt_point();
	} while (err == 0 && trap.kind == TRAP_INTERRUPT);
	if (err < 0 || trap.kind != TRAP_EXCEPTION ||
	    (trap.vector != vector && trap.vector != alternative))
		return selftest_fail("non-canonical %s: error %d, trap %s "
				     "vector %u", bad_rip ? "rip" : "rsp", err,
				     kind_name(trap.kind), trap.vector);
	return 0;
}

static int bad_return(struct address_space *as, bool bad_rip,
		      unsigned int vector, unsigned int alternative)
{
	struct user_ctx ctx;
	int result = bad_return_in(&ctx, as, bad_rip, vector, alternative);

	hal_user_release(&ctx);
	return result;
}

static int user_sanitize(void)
{
	struct address_space *as = space_create();
	int result;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = sanitized_state(as);
	if (result == 0)
		result = bad_return(as, true, VECTOR_GENERAL_PROTECTION,
				    VECTOR_GENERAL_PROTECTION);
	if (result == 0)
		result = bad_return(as, false, VECTOR_STACK_FAULT,
				    VECTOR_GENERAL_PROTECTION);
	vm_put(as);
	return result;
}

struct cpu_run {
	struct address_space *as;
	unsigned int cpu;
};

/*
 * On CPU `run->cpu`: writes its slot in a shared, demand-zero data page
 * (a fault, so TLB flushes reach the CPUs sharing the space) and makes a
 * system call, all without leaving the CPU.
 */
static int cpu_worker(void *arg)
{
	const struct cpu_run *run = arg;
	uaddr_t slot = DATA + (uaddr_t)run->cpu * PAGE_SIZE;
	struct user_ctx ctx;
	struct trap trap;
	int result;

	ctx_init(&ctx, run->as, R_WRITE_SLOT);
	ctx.regs.rdi = slot;
	ctx.regs.rsi = 0x100 + run->cpu;
	result = run_expect(&ctx, &trap, TRAP_FAULT);
	if (result == 0 && vm_fault(run->as, slot, VM_ACCESS_WRITE) < 0)
		result = selftest_fail("vm_fault on CPU %u", run->cpu);
	if (result == 0)
		result = run_expect(&ctx, &trap, TRAP_SYSCALL);
	if (result == 0 && hal_cpu_id() != run->cpu)
		result = selftest_fail("worker for CPU %u on CPU %u", run->cpu,
				       hal_cpu_id());
	hal_user_release(&ctx);
	return result; /* the exit code: 0, SELFTEST_SKIP or -1 */
}

static struct thread *start_cpu_worker(struct cpu_run *run)
{
	struct thread *worker = thread_create("selftest-user", cpu_worker, run);

	if (IS_ERR(worker))
		return worker;
	if (thread_set_affinity(worker, CPUMASK_OF(run->cpu)) < 0) {
		thread_put(worker);
		return ERR_PTR(-EINVAL);
	}
	thread_start(worker);
	return worker;
}

/* Checks that every CPU's write landed; returns the failures. */
static int check_slots(struct address_space *as, cpumask_t cpus)
{
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS && cpu < DATA_PAGES;
	     cpu++) {
		uint64_t value = 0;

		if (!(cpus & CPUMASK_OF(cpu)))
			continue;
		vm_copy_from_user(as, &value,
				  DATA + (uaddr_t)cpu * PAGE_SIZE, sizeof(value));
		if (value != 0x100 + cpu)
			return selftest_fail("CPU %u's slot holds %#llx", cpu,
					     (unsigned long long)value);
	}
	return 0;
}

/*
 * Starts a worker on each online CPU into workers[] (NULL where none
 * started). Returns 0, or -1 if one could not start.
 */
static int start_cpu_workers(struct address_space *as,
			     struct thread *workers[HAL_MAX_CPUS])
{
	static struct cpu_run runs[HAL_MAX_CPUS];
	cpumask_t online = sched_online_mask();
	int result = 0;

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS && cpu < DATA_PAGES;
	     cpu++) {
		if (!(online & CPUMASK_OF(cpu)))
			continue;
		runs[cpu] = (struct cpu_run){ .as = as, .cpu = cpu };
		workers[cpu] = start_cpu_worker(&runs[cpu]);
		if (IS_ERR(workers[cpu])) {
			workers[cpu] = NULL;
			result = selftest_fail("no worker for CPU %u", cpu);
		}
	}
	return result;
}

/* One address space, user code on every online CPU at once. */
static int user_every_cpu(void)
{
	struct thread *workers[HAL_MAX_CPUS] = { 0 };
	struct address_space *as = space_create();
	cpumask_t done = 0;
	int result, exit_code, skipped = 0;

	if (IS_ERR(as))
		return selftest_fail("no address space: %ld", PTR_ERR(as));
	result = start_cpu_workers(as, workers);
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (workers[cpu] == NULL)
			continue;
		thread_join(workers[cpu], &exit_code);
		if (exit_code == SELFTEST_SKIP)
			skipped++;
		else if (exit_code != 0)
			result = -1;
		else
			done |= CPUMASK_OF(cpu);
	}
	if (result == 0 && skipped == 0)
		result = check_slots(as, done);
	vm_put(as); /* other CPUs may still have it loaded */
	return result == 0 && skipped ? SELFTEST_SKIP : result;
}

const struct selftest selftest_user_tests[] = {
	{ "user_syscall", user_syscall },
	{ "user_fault", user_fault },
	{ "user_exception", user_exception },
	{ "user_timer_interrupt", user_timer_interrupt },
	{ "user_fs_base", user_fs_base },
	{ "user_sse", user_sse },
	{ "user_sanitize", user_sanitize },
	{ "user_every_cpu", user_every_cpu },
};
const unsigned int selftest_user_count = ARRAY_SIZE(selftest_user_tests);

/*
 * The kernel touching a user page directly: with SMAP a read, with SMEP a
 * jump, each a protection-violation page fault (and the report). The
 * page is mapped and the space loaded, so only SMAP/SMEP stop it.
 */
int selftest_user_fault(const char *mode)
{
	bool read = kstrcmp(mode, "smap-read") == 0;
	struct address_space *as;
	irq_flags_t flags;

	struct user_ctx ctx;
	struct trap trap;

	if (!read && kstrcmp(mode, "smep-exec") != 0)
		return -EINVAL;
	as = space_create();
	if (IS_ERR(as))
		return (int)PTR_ERR(as);
	ctx_init(&ctx, as, R_SYSCALL); /* only where user mode exists */
	if (hal_user_run(&ctx, &trap) < 0) {
		hal_user_release(&ctx);
		vm_put(as);
		return -EINVAL;
	}
	hal_user_release(&ctx);
	flags = hal_irq_save();
	hal_as_activate(as);
	hal_irq_restore(flags);
	if (read)
		printk(LOG_NOTICE, "selftest: user byte %#x",
		       *(volatile uint8_t *)(uintptr_t)CODE);
	else
		((void (*)(void))(uintptr_t)(CODE + R_LOOP))();
	return 0; /* reached only without SMAP/SMEP */
}
