/*
 * Helpers that bring up parts of an in-process hosted kernel for unit
 * tests. Criterion runs every test in its own process, so each test starts
 * from a fresh kernel.
 */
#pragma once

#include <stdint.h>

#include "core/hal/boot.h"

/*
 * Creates `ram_bytes` of RAM, a boot_info describing it (null page
 * reserved, plus `extra_reserved` bytes at physical 1 MiB when non-zero),
 * and the CPU-0 state. Returns the boot_info. Aborts the test on failure.
 */
struct boot_info *test_machine_create(uint64_t ram_bytes,
				      uint64_t extra_reserved);

/* test_machine_create, then pmm_init and kmem_init. */
struct boot_info *test_kernel_memory_init(uint64_t ram_bytes);
