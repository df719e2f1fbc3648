/*
 * sysinfo(2) and futex(2). sysinfo reports the page allocator's view of
 * memory (no swap, no high memory) and the scheduler's load average; futex hands over to core/proc/futex.c.
 */
#include "core/sys/sys_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/pmm.h"
#include "core/mm/uaccess.h"
#include "core/proc/futex.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"

/* Linux x86_64 struct sysinfo (112 bytes). */
struct sysinfo {
	long uptime;
	unsigned long loads[3];
	unsigned long totalram;
	unsigned long freeram;
	unsigned long sharedram;
	unsigned long bufferram;
	unsigned long totalswap;
	unsigned long freeswap;
	unsigned short procs;
	unsigned short pad;
	unsigned long totalhigh;
	unsigned long freehigh;
	unsigned int mem_unit;
	char reserved[4];
};

long sys_sysinfo(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct pmm_stats stats;
	struct sysinfo info;
	unsigned long loads[3];

	pmm_get_stats(&stats);
	sched_get_loadavg(loads);
	memset(&info, 0, sizeof(info));
	/* SI_LOAD_SHIFT 16 against the scheduler's 11 fraction bits. */
	for (int i = 0; i < 3; i++)
		info.loads[i] = loads[i] << 5;
	info.uptime = (long)(hal_clock_ns() / 1000000000ULL);
	info.totalram = stats.managed_pages * PAGE_SIZE;
	info.freeram = stats.free_pages * PAGE_SIZE;
	info.procs = (unsigned short)thread_count_nonidle(); /* nr_threads */
	info.mem_unit = 1;
	return vm_copy_to_user(ctx->as, args->arg[0], &info, sizeof(info));
}

long sys_futex(struct syscall_context *ctx, const struct syscall_args *args)
{
	return futex_op(ctx->as, args->arg[0], (int)args->arg[1],
			(uint32_t)args->arg[2], args->arg[3], args->arg[4],
			(uint32_t)args->arg[5]);
}
