/*
 * Shared set-up for the address-space tests (test_vm_*.c): a kernel with
 * memory, the page-count baseline every test returns to, and short ways
 * to map, read and write user memory through the public API.
 */
#pragma once

#include <criterion/criterion.h>

#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/mm/kmem.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "support/kernel.h"

#define VM_TEST_RAM (64ULL << 20)
#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS)
#define ANON_SHARED (MAP_SHARED | MAP_ANONYMOUS)

static uint64_t vm_test_baseline;

static inline uint64_t vm_test_free_pages(void)
{
	struct pmm_stats stats;

	kmem_shrink_all(); /* empty slabs kept by caches are not a leak */
	pmm_get_stats(&stats);
	return stats.free_pages;
}

/* Call once the kernel is up: later checks compare against it. */
static inline void vm_test_take_baseline(void)
{
	vm_test_baseline = vm_test_free_pages();
}

static inline void vm_test_boot(void)
{
	test_kernel_memory_init(VM_TEST_RAM);
	vm_test_take_baseline();
}

static inline struct address_space *vm_test_create(void)
{
	struct address_space *as = vm_create();

	cr_assert_not(IS_ERR(as));
	return as;
}

/* Drops the last reference and checks every page came back. */
static inline void vm_test_destroy(struct address_space *as)
{
	cr_assert_eq(vm_validate(as), 0);
	vm_put(as);
	cr_assert_eq(warn_count(), 0);
	cr_assert_eq(vm_test_free_pages(), vm_test_baseline,
		     "pages leaked: %ld",
		     (long)(vm_test_baseline - vm_test_free_pages()));
}

static inline uaddr_t vm_test_map(struct address_space *as, uaddr_t addr,
				  uint64_t length, unsigned int prot,
				  unsigned int flags)
{
	long result = vm_mmap(as, addr, length, prot, flags, 0);

	cr_assert_geq(result, 0, "mmap(%#lx, %#lx) = %ld", (unsigned long)addr,
		      (unsigned long)length, result);
	return (uaddr_t)result;
}

static inline void vm_test_poke(struct address_space *as, uaddr_t addr,
				uint8_t value)
{
	cr_assert_eq(vm_copy_to_user(as, addr, &value, 1), 0,
		     "write at %#lx", (unsigned long)addr);
}

static inline uint8_t vm_test_peek(struct address_space *as, uaddr_t addr)
{
	uint8_t value = 0xee;

	cr_assert_eq(vm_copy_from_user(as, &value, addr, 1), 0,
		     "read at %#lx", (unsigned long)addr);
	return value;
}

/* The physical page behind addr, or 0 if none is mapped. */
static inline paddr_t vm_test_phys(struct address_space *as, uaddr_t addr)
{
	paddr_t pa;

	if (pgtable_lookup(as->root, addr, &pa, NULL, NULL) < 0)
		return 0;
	return pa & PAGE_MASK;
}

static inline int vm_test_count_one(const struct vma *vma, void *arg)
{
	(void)vma;
	(*(unsigned int *)arg)++;
	return 0;
}

static inline unsigned int vm_test_vma_count(struct address_space *as)
{
	unsigned int count = 0;

	vm_for_each_vma(as, vm_test_count_one, &count);
	return count;
}
