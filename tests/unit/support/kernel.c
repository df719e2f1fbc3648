#include "support/kernel.h"

#include <criterion/criterion.h>
#include <string.h>

#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/hal/cpu.h"
#include "core/hal/time.h"
#include "core/sched/sched.h"
#include "hosted.h"

static struct boot_info boot_info;

static struct boot_info *machine_create(uint64_t ram_bytes,
					uint64_t extra_reserved,
					unsigned int cpus, bool virtual_clock)
{
	struct hosted_options options = { .mem_bytes = ram_bytes, .cpus = cpus };
	char error[256];

	hosted_clock_init(virtual_clock);
	hosted_symbols_init();
	hosted_cpus_init(cpus);
	hosted_cpu_thread_init(0);
	cr_assert_eq(hosted_ram_create(ram_bytes), 0);
	cr_assert_eq(hosted_boot_info_init(&boot_info, &options, error,
					   sizeof(error)), 0, "%s", error);
	if (extra_reserved) {
		boot_info.reserved[boot_info.reserved_count++] =
			(struct boot_mem_region){ 1 << 20, extra_reserved,
						  BOOT_MEM_RESERVED };
	}
	return &boot_info;
}

struct boot_info *test_machine_create(uint64_t ram_bytes,
				      uint64_t extra_reserved)
{
	return machine_create(ram_bytes, extra_reserved, 1, false);
}

struct boot_info *test_kernel_memory_init(uint64_t ram_bytes)
{
	struct boot_info *info = test_machine_create(ram_bytes, 0);

	cr_assert_eq(pmm_init(info), 0);
	kmem_init();
	return info;
}

void test_kernel_sched_init(unsigned int cpus, bool virtual_clock)
{
	struct boot_info *info = machine_create(64 << 20, 0, cpus, virtual_clock);

	cr_assert_eq(pmm_init(info), 0);
	kmem_init();
	sched_init();
	cr_assert_eq(sched_start_cpus(cpus), cpus);
	hal_irq_enable();
}

bool test_wait_thread_count(unsigned long count)
{
	uint64_t deadline = hal_clock_ns() + 2000000000ULL;

	while (thread_count() != count) {
		if (hal_clock_ns() > deadline)
			return false;
		sleep_ns(100000);
	}
	return true;
}
