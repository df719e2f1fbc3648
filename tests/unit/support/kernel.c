#include "support/kernel.h"

#include <criterion/criterion.h>
#include <string.h>

#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "hosted.h"

static struct boot_info boot_info;

struct boot_info *test_machine_create(uint64_t ram_bytes,
				      uint64_t extra_reserved)
{
	struct hosted_options options = { .mem_bytes = ram_bytes, .cpus = 1 };
	char error[256];

	hosted_clock_init();
	hosted_symbols_init();
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

struct boot_info *test_kernel_memory_init(uint64_t ram_bytes)
{
	struct boot_info *info = test_machine_create(ram_bytes, 0);

	cr_assert_eq(pmm_init(info), 0);
	kmem_init();
	return info;
}
