/*
 * User-mode benchmarks: the round trip of a system call through
 * hal_user_run, from the kernel into user code and back with the next
 * `syscall` (user code is `1: syscall; jmp 1b`). "syscall" resumes as
 * after any system call (on x86_64, SYSRETQ); "syscall_exact" changes rcx
 * and r11 before each resume, which forces the exact-restore return
 * (IRETQ), the path every non-syscall trap takes. ns_per_op is per round
 * trip. Where the platform has no user mode, they fail with -ENOSYS.
 *
 * Each benchmark's address space and ctx belong to its driver thread.
 */
#include "core/bench/bench_internal.h"

#include "core/hal/user.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"

#define CODE 0x400000ULL

static const uint8_t syscall_loop[] = { 0x0f, 0x05, 0xeb, 0xfc };

/* A space with the loop at CODE (read + exec). ERR_PTR on failure. */
static struct address_space *space_create(void)
{
	struct address_space *as = vm_create();
	long err;

	if (IS_ERR(as))
		return as;
	err = vm_mmap(as, CODE, PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	if (err >= 0)
		err = vm_copy_to_user(as, CODE, syscall_loop,
				      sizeof(syscall_loop));
	if (err >= 0)
		err = vm_mprotect(as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC,
				  NULL);
	if (err < 0) {
		vm_put(as);
		return ERR_PTR(err);
	}
	return as;
}

/* Runs the loop until the timer says stop; one round trip per run. */
static int round_trips(struct user_ctx *ctx, bool exact,
		       const struct bench_params *params,
		       struct bench_result *result)
{
	struct bench_timer timer;
	struct trap trap;
	uint64_t ops;

	bench_timer_start(&timer, params);
	for (ops = 0; !bench_timer_expired(&timer, ops);) {
		int err;

		if (exact)
			ctx->regs.rcx = ctx->regs.r11 = 0;
		err = hal_user_run(ctx, &trap);
		if (err < 0)
			return err;
		if (trap.kind == TRAP_SYSCALL)
			ops++;
		else if (trap.kind != TRAP_INTERRUPT)
			return -EFAULT;
	}
	result->cpus = 1;
	return bench_timer_result(&timer, ops, result);
}

static int bench_syscall_common(const struct bench_params *params,
				struct bench_result *result, bool exact)
{
	struct address_space *as = space_create();
	struct user_ctx *ctx;
	int err;

	if (IS_ERR(as))
		return (int)PTR_ERR(as);
	ctx = kzalloc(sizeof(*ctx));
	if (ctx == NULL) {
		vm_put(as);
		return -ENOMEM;
	}
	ctx->as = as;
	ctx->regs.rip = CODE;
	ctx->regs.rflags = 0x202;
	user_fpu_init(&ctx->fpu);
	err = round_trips(ctx, exact, params, result);
	hal_user_release(ctx);
	kfree(ctx);
	vm_put(as);
	return err;
}

static int bench_syscall(const struct bench_params *params,
			 struct bench_result *result)
{
	return bench_syscall_common(params, result, false);
}

static int bench_syscall_exact(const struct bench_params *params,
			       struct bench_result *result)
{
	return bench_syscall_common(params, result, true);
}

const struct bench bench_user[] = {
	{ "usermode.syscall", bench_syscall },
	{ "usermode.syscall_exact", bench_syscall_exact },
};
const unsigned int bench_user_count = ARRAY_SIZE(bench_user);
