/*
 * The harnesses' kernel: the same bring-up the unit tests use
 * (tests/unit/support/kernel.c), without a test framework, so a failure
 * is an abort() that libFuzzer records as a crash.
 */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/hal/cpu.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/sched/kstack.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sync/lockcheck.h"
#include "fs/vfs_internal.h"
#include "hosted.h"

static struct boot_info boot_info;
static struct vfs_cred root_cred = { .uid = 0, .gid = 0 };
static struct vfs_caller root_caller = { .cred = &root_cred };
/*
 * The machine's RAM. Small on purpose: a program that maps and populates
 * all it can runs into the out-of-memory paths after ~3,800 page faults
 * instead of 16,000 at 64 MiB, where zeroing those pages made it the
 * slowest kind of input (16 ms, 1% of inputs, half the fuzzing time).
 * The kernel needs under 1 MiB of it for itself.
 */
#define FUZZ_RAM_BYTES (16ULL << 20)

static int booted;

void fuzz_check(int cond, const char *message)
{
	if (!cond) {
		fprintf(stderr, "fuzz: check failed: %s\n", message);
		abort();
	}
}

void fuzz_kernel_init(void)
{
	struct hosted_options options = { .mem_bytes = FUZZ_RAM_BYTES,
					  .cpus = 1 };
	char error[256];

	if (booted)
		return;
	booted = 1;
	/* Reports print the input; set it to see where held locks were taken. */
	lockcheck_set_backtraces(getenv("AMPHI_FUZZ_LOCK_BACKTRACES") != NULL);
	hosted_clock_init(true);
	hosted_symbols_init();
	hosted_cpus_init(1);
	hosted_cpu_thread_init(0);
	fuzz_check(hosted_ram_create(options.mem_bytes) == 0, "RAM");
	fuzz_check(hosted_boot_info_init(&boot_info, &options, error,
					 sizeof(error)) == 0, error);
	fuzz_check(pmm_init(&boot_info) == 0, "pmm_init");
	kmem_init();
	sched_init();
	hal_irq_enable();
	vfs_init();
	fuzz_check(vfs_mount_root("tmpfs", NULL) == 0, "root mount");
	root_caller.fs = vfs_fs_context_create();
	fuzz_check(!IS_ERR(root_caller.fs), "fs context");
}

uint64_t fuzz_free_pages(void)
{
	struct pmm_stats stats;

	vfs_dcache_shrink(NULL);
	pmm_get_stats(&stats);	/* last: the shrink above frees pages */
	return stats.free_pages + kmem_cached_pages() +
	       ((uint64_t)kstack_cached() << KSTACK_ORDER);
}

const struct vfs_caller *fuzz_root_caller(void)
{
	return &root_caller;
}
