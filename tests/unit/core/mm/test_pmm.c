/*
 * The buddy allocator: accounting, alignment of every order, random
 * alloc/free sequences that must coalesce back to the starting state,
 * exhaustion, reservations, and the kernel-bug paths.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/mm/pmm.h"
#include "support/kernel.h"

#define RAM (32ULL << 20)

static struct pmm_stats baseline;

static void boot_pmm(void)
{
	cr_assert_eq(pmm_init(test_machine_create(RAM, 0)), 0);
	pmm_get_stats(&baseline);
}

static void assert_back_to_baseline(void)
{
	struct pmm_stats now;

	pmm_get_stats(&now);
	cr_assert_eq(now.free_pages, baseline.free_pages);
	for (int order = 0; order < PMM_ORDERS; order++)
		cr_assert_eq(now.free_blocks[order], baseline.free_blocks[order],
			     "order %d did not coalesce back", order);
}

Test(mm_pmm, init_accounts_for_every_page, .init = boot_pmm)
{
	uint64_t in_blocks = 0;

	cr_assert_eq(baseline.total_pages, RAM / PAGE_SIZE);
	cr_assert_eq(baseline.managed_pages + baseline.reserved_pages,
		     baseline.total_pages);
	cr_assert_eq(baseline.free_pages, baseline.managed_pages);
	for (int order = 0; order < PMM_ORDERS; order++)
		in_blocks += baseline.free_blocks[order] << order;
	cr_assert_eq(in_blocks, baseline.free_pages);
	/* Null page + page map only. */
	cr_assert_eq(baseline.reserved_pages,
		     1 + baseline.page_map_bytes / PAGE_SIZE);
	cr_assert(phys_to_page(0)->flags & PAGE_RESERVED);
}

Test(mm_pmm, every_order_is_naturally_aligned, .init = boot_pmm)
{
	for (unsigned int order = 0; order <= PMM_MAX_ORDER; order++) {
		struct page *page = pmm_alloc(order, 0);
		paddr_t pa;

		cr_assert_not_null(page, "order %u", order);
		pa = page_to_phys(page);
		cr_assert_eq(pa % (PAGE_SIZE << order), 0, "order %u at %#lx",
			     order, (unsigned long)pa);
		cr_assert_eq(phys_to_page(pa), page);
		cr_assert_eq(virt_to_page(page_to_virt(page)), page);
		memset(page_to_virt(page), 0xa5, PAGE_SIZE << order);
		pmm_free(page, order);
	}
	assert_back_to_baseline();
}

struct block {
	struct page *page;
	unsigned int order;
	unsigned char tag;
};

Test(mm_pmm, random_sequences_coalesce_back_exactly, .init = boot_pmm)
{
	static struct block live[512];
	int count = 0;

	srand(2024);
	for (int step = 0; step < 20000; step++) {
		bool do_alloc = count == 0 ||
				(count < 512 && rand() % 100 < 55);

		if (do_alloc) {
			unsigned int order = (unsigned int)(rand() % 6);
			struct page *page = pmm_alloc(order, 0);

			if (page == NULL)
				continue;
			live[count] = (struct block){ page, order,
						      (unsigned char)step };
			memset(page_to_virt(page), live[count].tag,
			       PAGE_SIZE << order);
			count++;
		} else {
			int i = rand() % count;
			unsigned char *bytes = page_to_virt(live[i].page);

			/* No other block overlapped this one. */
			for (size_t b = 0; b < PAGE_SIZE << live[i].order; b += 512)
				cr_assert_eq(bytes[b], live[i].tag);
			pmm_free(live[i].page, live[i].order);
			live[i] = live[--count];
		}
	}
	while (count > 0) {
		count--;
		pmm_free(live[count].page, live[count].order);
	}
	assert_back_to_baseline();
}

Test(mm_pmm, exhaustion_returns_null_then_recovers, .init = boot_pmm)
{
	struct page **pages = calloc(baseline.free_pages + 1, sizeof(*pages));
	uint64_t n = 0;
	struct pmm_stats now;

	while ((pages[n] = pmm_alloc(0, 0)) != NULL)
		n++;
	cr_assert_eq(n, baseline.free_pages);
	cr_assert_null(pmm_alloc(0, 0));
	cr_assert_null(pmm_alloc(3, 0));
	pmm_get_stats(&now);
	cr_assert_eq(now.free_pages, 0);
	cr_assert_geq(now.failures, 3);
	while (n > 0)
		pmm_free(pages[--n], 0);
	free(pages);
	assert_back_to_baseline();
}

Test(mm_pmm, order_above_max_is_refused, .init = boot_pmm)
{
	cr_assert_null(pmm_alloc(PMM_MAX_ORDER + 1, 0));
	cr_assert_null(pmm_alloc(200, 0));
	assert_back_to_baseline();
}

Test(mm_pmm, zero_flag_clears_recycled_pages, .init = boot_pmm)
{
	struct page *page = pmm_alloc(2, 0);
	unsigned char *bytes;

	memset(page_to_virt(page), 0xff, 4 * PAGE_SIZE);
	pmm_free(page, 2);
	page = pmm_alloc(2, PMM_ZERO);
	bytes = page_to_virt(page);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		cr_assert_eq(bytes[i], 0);
	pmm_free(page, 2);
}

Test(mm_pmm, reservations_are_never_handed_out)
{
	struct boot_info *info = test_machine_create(RAM, 3 * PAGE_SIZE + 100);
	struct page *page;
	paddr_t low = 1 << 20, high = low + 4 * PAGE_SIZE;

	cr_assert_eq(pmm_init(info), 0);
	while ((page = pmm_alloc(0, 0)) != NULL) {
		paddr_t pa = page_to_phys(page);

		cr_assert(pa >= high || pa < low, "reserved page %#lx handed out",
			  (unsigned long)pa);
		cr_assert_neq(pa, 0, "the null page was handed out");
	}
}

Test(mm_pmm, no_usable_memory_fails_cleanly)
{
	struct boot_info *info = test_machine_create(RAM, 0);

	info->memory[0].type = BOOT_MEM_RESERVED;
	cr_assert_eq(pmm_init(info), -ENOMEM);
}

Test(mm_pmm, unaligned_and_overflowing_regions_are_clipped)
{
	struct boot_info *info = test_machine_create(RAM, 0);
	struct pmm_stats stats;

	info->memory[0] = (struct boot_mem_region){ 100, RAM - 200,
						    BOOT_MEM_USABLE };
	info->memory[1] = (struct boot_mem_region){ ~0ULL - 10, 100,
						    BOOT_MEM_USABLE };
	info->memory_count = 2;
	cr_assert_eq(pmm_init(info), 0);
	pmm_get_stats(&stats);
	cr_assert_eq(stats.total_pages, RAM / PAGE_SIZE - 2);
}

Test(mm_pmm, double_free_panics, .init = boot_pmm, .signal = SIGABRT)
{
	struct page *page = pmm_alloc(1, 0);

	pmm_free(page, 1);
	pmm_free(page, 1);
}

Test(mm_pmm, wrong_order_free_panics, .init = boot_pmm, .signal = SIGABRT)
{
	pmm_free(pmm_alloc(2, 0), 1);
}

Test(mm_pmm, release_reserved_frees_whole_pages_once)
{
	/* Reserved at 1 MiB: 5 pages and 100 bytes, unaligned at the end. */
	struct boot_info *info = test_machine_create(RAM, 5 * PAGE_SIZE + 100);
	struct pmm_stats before, after;

	cr_assert_eq(pmm_init(info), 0);
	pmm_get_stats(&before);
	/* From 100 bytes in: pages 1 to 4 are whole, the rest partial. */
	cr_assert_eq(pmm_release_reserved((1 << 20) + 100, 5 * PAGE_SIZE), 4);
	pmm_get_stats(&after);
	cr_assert_eq(after.free_pages, before.free_pages + 4);
	cr_assert_eq(after.managed_pages, before.managed_pages + 4);
	cr_assert_eq(after.reserved_pages, before.reserved_pages - 4);
	/* Released already, or never reserved: refused, nothing changes. */
	cr_assert_eq(pmm_release_reserved((1 << 20) + PAGE_SIZE, PAGE_SIZE),
		     -EINVAL);
	cr_assert_eq(pmm_release_reserved(8 << 20, PAGE_SIZE), -EINVAL);
	cr_assert_eq(pmm_release_reserved(UINT64_MAX - 10, 100), -EINVAL);
	/* The partial pages at both ends still belong to the reservation. */
	cr_assert_eq(pmm_release_reserved(1 << 20, PAGE_SIZE), 1);
	cr_assert_eq(pmm_release_reserved((1 << 20) + 5 * PAGE_SIZE,
					  PAGE_SIZE), 1);
	pmm_get_stats(&after);
	cr_assert_eq(after.free_pages, before.free_pages + 6);
	/* Less than a page: nothing to release. */
	cr_assert_eq(pmm_release_reserved((1 << 20) + 7 * PAGE_SIZE, 10), 0);
}

Test(mm_pmm, released_pages_are_allocatable)
{
	struct boot_info *info = test_machine_create(RAM, 64 * PAGE_SIZE);
	struct pmm_stats stats;
	uint64_t free_before;

	cr_assert_eq(pmm_init(info), 0);
	cr_assert_eq(pmm_release_reserved(1 << 20, 64 * PAGE_SIZE), 64);
	pmm_get_stats(&stats);
	free_before = stats.free_pages;
	/* Everything can be taken and given back, the released pages too. */
	for (;;) {
		struct page *page = pmm_alloc(0, 0);

		if (page == NULL)
			break;
	}
	pmm_get_stats(&stats);
	cr_assert_eq(stats.free_pages, 0);
	cr_assert_eq(stats.allocations, free_before);
}
