/*
 * The syscall dispatcher. Owns the unimplemented-call counters: one per
 * table row plus one for numbers outside the table, bumped with relaxed
 * atomics (statistics: no ordering needed, no lock).
 */
#include "core/sys/dispatch.h"

#include "core/hal/user.h"
#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/sys/trace.h"

static uint64_t unimplemented[SYSCALL_TABLE_SIZE];
static uint64_t unimplemented_out_of_range;

static long count_unimplemented(uint64_t nr)
{
	uint64_t *counter = nr < SYSCALL_TABLE_SIZE ? &unimplemented[nr] :
			    &unimplemented_out_of_range;

	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
	return -ENOSYS;
}

/*
 * A handler may return any value or -1..-MAX_ERRNO; anything below is a
 * kernel bug that must not reach user space as a bogus "address". But
 * rt_sigreturn returns the frame's rax, whatever user code left there.
 */
static long checked_result(const struct syscall_desc *desc, long result)
{
	if (desc->ret == SYSCALL_RET_REGISTER)
		return result;
	if (WARN_ONCE(result < -MAX_ERRNO, "syscall %s returned %ld",
		      desc->name, result))
		return -EINVAL;
	return result;
}

void syscall_dispatch(struct syscall_context *ctx, struct user_regs *regs)
{
	/* Linux x86_64 reads the number as a 32-bit int: high bits ignored. */
	uint64_t nr = (uint32_t)regs->orig_rax;
	struct syscall_args args = { .arg = {
		regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9,
	} };
	const struct syscall_desc *desc = syscall_lookup(nr);
	long result;

	if (desc != NULL && desc->handler != NULL)
		result = checked_result(desc, desc->handler(ctx, &args));
	else
		result = count_unimplemented(nr);
	if (syscall_trace_enabled())
		syscall_trace(ctx, nr, &args, result);
	regs->rax = (uint64_t)result;
}

uint64_t syscall_unimplemented_count(uint64_t nr)
{
	if (nr >= SYSCALL_TABLE_SIZE)
		return __atomic_load_n(&unimplemented_out_of_range,
				       __ATOMIC_RELAXED);
	return __atomic_load_n(&unimplemented[nr], __ATOMIC_RELAXED);
}

void syscall_unimplemented_report(void)
{
	uint64_t out_of_range = syscall_unimplemented_count(SYSCALL_TABLE_SIZE);

	for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		uint64_t count = syscall_unimplemented_count(nr);
		const struct syscall_desc *desc = syscall_lookup(nr);

		if (count == 0)
			continue;
		if (desc != NULL)
			printk_raw("syscall: unimplemented %s (%llu): called "
				   "%llu times\n", desc->name,
				   (unsigned long long)nr,
				   (unsigned long long)count);
		else
			printk_raw("syscall: unimplemented syscall_%#llx: "
				   "called %llu times\n",
				   (unsigned long long)nr,
				   (unsigned long long)count);
	}
	if (out_of_range != 0)
		printk_raw("syscall: out-of-range numbers: called %llu times\n",
			   (unsigned long long)out_of_range);
}
