/*
 * Scheduler syscalls that need no process: sched_yield(2) and getcpu(2).
 * No state of their own; the run queues have their own locks.
 */
#include "core/sys/sys_internal.h"

#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/mm/uaccess.h"
#include "core/sched/sched.h"

long sys_sched_yield(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	(void)ctx;
	(void)args;
	thread_yield();
	return 0;
}

/* Stores a 32-bit value at a user address that may be NULL (skipped). */
static int put_optional_u32(struct syscall_context *ctx, uaddr_t addr,
			    uint32_t value)
{
	if (addr == 0)
		return 0;
	if (ctx->as == NULL)
		return -EFAULT;
	return vm_copy_to_user(ctx->as, addr, &value, sizeof(value));
}

/*
 * getcpu(cpu, node, cache): the CPU is only a hint to user space (the
 * thread may migrate at once); there is one NUMA node, node 0. The third
 * argument has been unused since Linux 2.6.24.
 */
long sys_getcpu(struct syscall_context *ctx, const struct syscall_args *args)
{
	int err = put_optional_u32(ctx, args->arg[0], hal_cpu_id());

	if (err < 0)
		return err;
	return put_optional_u32(ctx, args->arg[1], 0);
}
