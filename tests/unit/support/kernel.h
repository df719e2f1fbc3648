/*
 * Helpers that bring up parts of an in-process hosted kernel for unit
 * tests. Criterion runs every test in its own process, so each test starts
 * from a fresh kernel.
 */
#pragma once

#include <stdbool.h>
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

/*
 * A kernel with memory and the scheduler on `cpus` simulated CPUs; the test
 * continues as the thread "kmain" on CPU 0. `virtual_clock` selects the
 * deterministic clock (one CPU only).
 */
void test_kernel_sched_init(unsigned int cpus, bool virtual_clock);

/* Waits (yielding) until only `count` threads exist; false after 2 s. */
bool test_wait_thread_count(unsigned long count);
