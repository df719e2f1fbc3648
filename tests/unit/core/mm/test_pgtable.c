/*
 * Page tables in (simulated) physical memory: translations, huge leaves,
 * the entry format the MMU reads, splitting, rollback on failure, and that
 * destroy returns every table page.
 */
#include <criterion/criterion.h>

#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"
#include "support/kernel.h"

#define RAM (32ULL << 20)
#define USER_VA 0x0000000040000000ULL
#define KERNEL_VA 0xffff800000000000ULL

static paddr_t root;
static struct pmm_stats baseline;

static void boot(void)
{
	cr_assert_eq(pmm_init(test_machine_create(RAM, 0)), 0);
	pmm_get_stats(&baseline);
	cr_assert_eq(pgtable_create(&root), 0);
}

static uint64_t free_pages(void)
{
	struct pmm_stats now;

	pmm_get_stats(&now);
	return now.free_pages;
}

static paddr_t translate(uint64_t va)
{
	paddr_t pa = 0;

	cr_assert_eq(pgtable_lookup(root, va, &pa, NULL, NULL), 0,
		     "va %#lx not mapped", (unsigned long)va);
	return pa;
}

Test(mm_pgtable, map_translates_every_page, .init = boot)
{
	pte_t entry;

	cr_assert_eq(pgtable_map(root, USER_VA, 0x200000, 3 * PAGE_SIZE,
				 PTE_WRITE | PTE_USER, 0), 0);
	cr_assert_eq(translate(USER_VA), 0x200000);
	cr_assert_eq(translate(USER_VA + PAGE_SIZE + 0x123), 0x201123);
	cr_assert_eq(translate(USER_VA + 2 * PAGE_SIZE), 0x202000);
	cr_assert_eq(pgtable_lookup(root, USER_VA + 3 * PAGE_SIZE, NULL, NULL,
				    NULL), -ENOENT);
	cr_assert_eq(pgtable_lookup(root, USER_VA, NULL, &entry, NULL), 0);
	cr_assert_eq(entry, 0x200000 | PTE_PRESENT | PTE_WRITE | PTE_USER);
}

Test(mm_pgtable, entries_follow_the_hardware_format, .init = boot)
{
	uint64_t va = KERNEL_VA + 0x1234000;
	pte_t *table = hal_phys_to_virt(root);

	cr_assert_eq(pgtable_map(root, va, 0x345000, PAGE_SIZE,
				 PTE_WRITE | PTE_NO_EXECUTE | PTE_GLOBAL, 0), 0);
	/* Walk by hand as the MMU would. */
	for (unsigned int level = 4; level > 1; level--) {
		pte_t entry = table[pt_index(va, level)];

		cr_assert(entry & PTE_PRESENT, "level %u", level);
		cr_assert(entry & PTE_WRITE);
		cr_assert_not(entry & PTE_USER, "kernel half must not be user");
		cr_assert_not(entry & PTE_HUGE);
		table = hal_phys_to_virt(pte_address(entry));
	}
	cr_assert_eq(table[pt_index(va, 1)],
		     0x345000 | PTE_PRESENT | PTE_WRITE | PTE_NO_EXECUTE |
			     PTE_GLOBAL);
}

Test(mm_pgtable, user_half_tables_are_user_accessible, .init = boot)
{
	pte_t *pml4 = hal_phys_to_virt(root);

	cr_assert_eq(pgtable_map(root, USER_VA, 0x1000, PAGE_SIZE, PTE_USER, 0),
		     0);
	cr_assert(pml4[pt_index(USER_VA, 4)] & PTE_USER);
}

Test(mm_pgtable, huge_option_uses_2m_leaves_when_aligned, .init = boot)
{
	unsigned int level;
	paddr_t pa;

	cr_assert_eq(pgtable_map(root, KERNEL_VA, 0, 4 * MiB + PAGE_SIZE,
				 PTE_WRITE, PGTABLE_MAP_HUGE), 0);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 3 * MiB + 5, &pa, NULL,
				    &level), 0);
	cr_assert_eq(level, 2);
	cr_assert_eq(pa, 3 * MiB + 5);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 4 * MiB, &pa, NULL,
				    &level), 0);
	cr_assert_eq(level, 1, "the 4K tail must use a 4K leaf");
}

Test(mm_pgtable, unaligned_physical_address_falls_back_to_4k, .init = boot)
{
	unsigned int level;

	cr_assert_eq(pgtable_map(root, KERNEL_VA, PAGE_SIZE, 2 * MiB, PTE_WRITE,
				 PGTABLE_MAP_HUGE), 0);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA, NULL, NULL, &level), 0);
	cr_assert_eq(level, 1);
}

Test(mm_pgtable, huge_1g_leaves_only_when_asked, .init = boot)
{
	unsigned int level;

	cr_assert_eq(pgtable_map(root, KERNEL_VA, 0, GiB, PTE_WRITE,
				 PGTABLE_MAP_HUGE | PGTABLE_MAP_HUGE_1G), 0);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 12345, NULL, NULL,
				    &level), 0);
	cr_assert_eq(level, 3);
}

Test(mm_pgtable, bad_arguments_are_rejected, .init = boot)
{
	cr_assert_eq(pgtable_map(root, USER_VA + 1, 0, PAGE_SIZE, 0, 0), -EINVAL);
	cr_assert_eq(pgtable_map(root, USER_VA, 1, PAGE_SIZE, 0, 0), -EINVAL);
	cr_assert_eq(pgtable_map(root, USER_VA, 0, 0, 0, 0), -EINVAL);
	cr_assert_eq(pgtable_map(root, USER_VA, 0, 100, 0, 0), -EINVAL);
	cr_assert_eq(pgtable_map(root, 0x0000800000000000ULL, 0, PAGE_SIZE, 0,
				 0), -EINVAL, "non-canonical");
	cr_assert_eq(pgtable_map(root, 0x00007ffffffff000ULL, 0, 2 * PAGE_SIZE,
				 0, 0), -EINVAL, "crosses into the hole");
	cr_assert_eq(pgtable_map(root, USER_VA, 0, PAGE_SIZE, PTE_HUGE, 0),
		     -EINVAL, "not a leaf flag");
	cr_assert_eq(pgtable_map(root, KERNEL_VA, 0, PAGE_SIZE, PTE_USER, 0),
		     -EINVAL, "user page in the kernel half");
	cr_assert_eq(pgtable_map(root, USER_VA, 1ULL << 52, PAGE_SIZE, 0, 0),
		     -EINVAL, "physical address too wide");
	cr_assert_eq(pgtable_unmap(root, USER_VA, 0), -EINVAL);
	cr_assert_eq(pgtable_lookup(root, 0x0000800000000000ULL, NULL, NULL,
				    NULL), -EINVAL);
}

Test(mm_pgtable, overlap_fails_and_rolls_back, .init = boot)
{
	cr_assert_eq(pgtable_map(root, USER_VA + 2 * PAGE_SIZE, 0x9000,
				 PAGE_SIZE, 0, 0), 0);
	cr_assert_eq(pgtable_map(root, USER_VA, 0x1000, 4 * PAGE_SIZE, 0, 0),
		     -EEXIST);
	cr_assert_eq(pgtable_lookup(root, USER_VA, NULL, NULL, NULL), -ENOENT,
		     "pages mapped before the clash must be undone");
	cr_assert_eq(translate(USER_VA + 2 * PAGE_SIZE), 0x9000,
		     "the existing mapping must survive");
}

Test(mm_pgtable, map_inside_huge_leaf_is_an_overlap, .init = boot)
{
	cr_assert_eq(pgtable_map(root, KERNEL_VA, 0, 2 * MiB, 0,
				 PGTABLE_MAP_HUGE), 0);
	cr_assert_eq(pgtable_map(root, KERNEL_VA + PAGE_SIZE, 0, PAGE_SIZE, 0,
				 0), -EEXIST);
}

Test(mm_pgtable, unmap_splits_a_huge_leaf, .init = boot)
{
	unsigned int level;

	cr_assert_eq(pgtable_map(root, KERNEL_VA, 2 * MiB, 2 * MiB,
				 PTE_WRITE | PTE_NO_EXECUTE, PGTABLE_MAP_HUGE),
		     0);
	cr_assert_eq(pgtable_unmap(root, KERNEL_VA + PAGE_SIZE, PAGE_SIZE), 0);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + PAGE_SIZE, NULL, NULL,
				    NULL), -ENOENT);
	cr_assert_eq(translate(KERNEL_VA), 2 * MiB);
	cr_assert_eq(translate(KERNEL_VA + 2 * PAGE_SIZE), 2 * MiB + 2 * PAGE_SIZE);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 2 * MiB - 1, NULL, NULL,
				    &level), 0);
	cr_assert_eq(level, 1);
}

Test(mm_pgtable, unmap_skips_holes_and_whole_leaves, .init = boot)
{
	cr_assert_eq(pgtable_map(root, KERNEL_VA + 4 * MiB, 0, 2 * MiB, 0,
				 PGTABLE_MAP_HUGE), 0);
	cr_assert_eq(pgtable_map(root, KERNEL_VA + 7 * MiB, 0, PAGE_SIZE, 0, 0),
		     0);
	cr_assert_eq(pgtable_unmap(root, KERNEL_VA, 16 * MiB), 0);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 4 * MiB, NULL, NULL,
				    NULL), -ENOENT);
	cr_assert_eq(pgtable_lookup(root, KERNEL_VA + 7 * MiB, NULL, NULL,
				    NULL), -ENOENT);
}

Test(mm_pgtable, remap_after_unmap_works, .init = boot)
{
	cr_assert_eq(pgtable_map(root, USER_VA, 0x1000, PAGE_SIZE, 0, 0), 0);
	cr_assert_eq(pgtable_unmap(root, USER_VA, PAGE_SIZE), 0);
	cr_assert_eq(pgtable_map(root, USER_VA, 0x5000, PAGE_SIZE, 0, 0), 0);
	cr_assert_eq(translate(USER_VA), 0x5000);
}

Test(mm_pgtable, out_of_memory_rolls_back, .init = boot)
{
	struct page *hoard[8192];
	unsigned int held = 0;
	struct page *page;

	/* Leave no page for the three tables a fresh region needs. */
	while (held < 8192 && (page = pmm_alloc(0, 0)) != NULL)
		hoard[held++] = page;
	cr_assert_null(pmm_alloc(0, 0), "RAM larger than the hoard");
	cr_assert_eq(pgtable_map(root, USER_VA, 0x1000, PAGE_SIZE, 0, 0),
		     -ENOMEM);
	cr_assert_eq(pgtable_lookup(root, USER_VA, NULL, NULL, NULL), -ENOENT);
	while (held > 0)
		pmm_free(hoard[--held], 0);
}

Test(mm_pgtable, destroy_returns_every_table_page, .init = boot)
{
	cr_assert_eq(pgtable_map(root, USER_VA, 0, 64 * PAGE_SIZE, PTE_USER, 0),
		     0);
	cr_assert_eq(pgtable_map(root, 0x00007f0000000000ULL, 0, PAGE_SIZE,
				 PTE_USER, 0), 0);
	cr_assert_lt(free_pages(), baseline.free_pages);
	pgtable_destroy(root);
	cr_assert_eq(free_pages(), baseline.free_pages);
}

Test(mm_pgtable, leaf_entry_creates_only_when_asked, .init = boot)
{
	pte_t *entry;

	cr_assert_null(pgtable_leaf_entry(root, USER_VA, false));
	entry = pgtable_leaf_entry(root, USER_VA, true);
	cr_assert_not(IS_ERR_OR_NULL(entry));
	cr_assert_eq(*entry, 0);
	*entry = 0x7000 | PTE_PRESENT | PTE_USER;
	cr_assert_eq(translate(USER_VA + 12), 0x7000 + 12);
	cr_assert_eq(pgtable_leaf_entry(root, USER_VA, false), entry);
	cr_assert_eq(pgtable_leaf_entry(root, 0x0000800000000000ULL, true),
		     ERR_PTR(-EINVAL));
}

struct visit_log {
	unsigned int count;
	uint64_t va[8];
};

static int log_leaf(uint64_t va, pte_t *entry, void *arg)
{
	struct visit_log *log = arg;

	cr_assert(pte_is_present(*entry));
	if (log->count < 8)
		log->va[log->count] = va;
	log->count++;
	return 0;
}

static int stop_at_second(uint64_t va, pte_t *entry, void *arg)
{
	(void)va;
	(void)entry;
	return ++*(unsigned int *)arg == 2 ? -EINTR : 0;
}

Test(mm_pgtable, for_each_leaf_visits_mapped_pages_in_order, .init = boot)
{
	struct visit_log log = { 0 };
	uint64_t far = 0x00007f0000000000ULL;
	unsigned int calls = 0;

	cr_assert_eq(pgtable_map(root, far, 0x3000, PAGE_SIZE, PTE_USER, 0), 0);
	cr_assert_eq(pgtable_map(root, USER_VA, 0x1000, 2 * PAGE_SIZE,
				 PTE_USER, 0), 0);
	cr_assert_eq(pgtable_for_each_leaf(root, 0, 0x00007ffffffff000ULL,
					   log_leaf, &log), 0);
	cr_assert_eq(log.count, 3);
	cr_assert_eq(log.va[0], USER_VA);
	cr_assert_eq(log.va[1], USER_VA + PAGE_SIZE);
	cr_assert_eq(log.va[2], far);
	log.count = 0;
	cr_assert_eq(pgtable_for_each_leaf(root, USER_VA + PAGE_SIZE,
					   PAGE_SIZE, log_leaf, &log), 0);
	cr_assert_eq(log.count, 1, "the range bounds the walk");
	cr_assert_eq(pgtable_for_each_leaf(root, 0, 0x00007ffffffff000ULL,
					   stop_at_second, &calls), -EINTR);
	cr_assert_eq(calls, 2);
	cr_assert_eq(pgtable_for_each_leaf(root, 1, PAGE_SIZE, log_leaf, &log),
		     -EINVAL);
}
