/*
 * Slab caches and kmalloc: every size class, reuse, statistics, large
 * allocations, exhaustion, cache lifecycle, bad frees, and (in the
 * hosted-asan preset) a use-after-free caught by AddressSanitizer.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "support/kernel.h"

#ifdef AMPHI_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define RAM (64ULL << 20)

static void boot_kmem(void)
{
	test_kernel_memory_init(RAM);
}

static uint64_t free_pages(void)
{
	struct pmm_stats stats;

	kmem_shrink_all();
	pmm_get_stats(&stats);
	return stats.free_pages;
}

static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
				  1024, 2048, 4096, 8192 };

Test(mm_kmem, every_size_class_serves_its_range, .init = boot_kmem)
{
	uint64_t before = free_pages();
	size_t previous = 0;

	for (size_t c = 0; c < sizeof(classes) / sizeof(*classes); c++) {
		size_t sizes[] = { previous + 1, (previous + classes[c]) / 2,
				   classes[c] };

		for (size_t s = 0; s < 3; s++) {
			struct kmem_cache *cache = kmalloc_cache_for(sizes[s]);
			void *objects[40];

			cr_assert_not_null(cache);
			cr_assert_eq(cache->stride, classes[c], "size %zu",
				     sizes[s]);
			for (int i = 0; i < 40; i++) {
				objects[i] = kmalloc(sizes[s]);
				cr_assert_not_null(objects[i]);
				cr_assert_eq((uintptr_t)objects[i] % 8, 0);
				memset(objects[i], i, sizes[s]);
			}
			for (int i = 0; i < 40; i++) {
				unsigned char *bytes = objects[i];

				cr_assert_eq(bytes[0], i);
				cr_assert_eq(bytes[sizes[s] - 1], i);
				kfree(objects[i]);
			}
		}
		previous = classes[c];
	}
	cr_assert_null(kmalloc_cache_for(8193));
	cr_assert_eq(free_pages(), before, "slab pages leaked");
}

Test(mm_kmem, power_of_two_classes_are_naturally_aligned, .init = boot_kmem)
{
	for (size_t c = 0; c < sizeof(classes) / sizeof(*classes); c++) {
		void *p = kmalloc(classes[c]);

		if ((classes[c] & (classes[c] - 1)) == 0)
			cr_assert_eq((uintptr_t)p % classes[c], 0, "size %zu",
				     classes[c]);
		kfree(p);
	}
}

Test(mm_kmem, freed_object_is_reused_first, .init = boot_kmem)
{
	void *a = kmalloc(64);
	void *b = kmalloc(64);

	cr_assert_neq(a, b);
	kfree(a);
	cr_assert_eq(kmalloc(64), a);
	kfree(b);
	kfree(a);
}

Test(mm_kmem, statistics_follow_allocations, .init = boot_kmem)
{
	struct kmem_cache *cache = kmalloc_cache_for(200);
	struct kmem_cache_stats stats;
	void *objects[100];

	for (int i = 0; i < 100; i++)
		objects[i] = kmalloc(200);
	kmem_cache_get_stats(cache, &stats);
	cr_assert_eq(stats.active_objects, 100);
	cr_assert_geq(stats.total_objects, 100);
	cr_assert_eq(stats.total_objects, stats.slabs * stats.objects_per_slab);
	for (int i = 0; i < 100; i++)
		kfree(objects[i]);
	kmem_cache_get_stats(cache, &stats);
	cr_assert_eq(stats.active_objects, 0);
	cr_assert_leq(stats.slabs, 1, "empty slabs beyond one are returned");
}

Test(mm_kmem, large_allocations_use_pages, .init = boot_kmem)
{
	uint64_t before = free_pages();
	char *p = kmalloc(100000);

	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)p % PAGE_SIZE, 0);
	cr_assert_eq(kmalloc_large_pages(), 32);
	memset(p, 1, 100000);
	kfree(p);
	cr_assert_eq(kmalloc_large_pages(), 0);
	cr_assert_eq(free_pages(), before);
	cr_assert_null(kmalloc((PAGE_SIZE << PMM_MAX_ORDER) + 1),
		       "larger than the biggest buddy block");
}

Test(mm_kmem, exhaustion_returns_null_and_recovers, .init = boot_kmem)
{
	uint64_t before = free_pages();
	static void *blocks[100000];
	int n = 0;

	while (n < 100000 && (blocks[n] = kmalloc(3000)) != NULL)
		n++;
	cr_assert_lt(n, 100000, "64 MiB cannot hold 100000 x 3000 bytes");
	cr_assert_gt(n, 10000);
	cr_assert_null(kmalloc(3000));
	cr_assert_null(kmalloc(1 << 20));
	while (n > 0)
		kfree(blocks[--n]);
	cr_assert_eq(free_pages(), before);
}

Test(mm_kmem, zero_size_kcalloc_overflow_and_null, .init = boot_kmem)
{
	unsigned char *z;

	cr_assert_eq(kmalloc(0), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	cr_assert_null(kcalloc(SIZE_MAX / 2, 4));
	z = kcalloc(10, 30);
	for (int i = 0; i < 300; i++)
		cr_assert_eq(z[i], 0);
	kfree(z);
}

struct thing {
	uint64_t a, b, c;
};

Test(mm_kmem, cache_lifecycle, .init = boot_kmem)
{
	struct kmem_cache *cache = kmem_cache_create("thing", sizeof(struct thing),
						     64);
	struct thing *t;
	struct kmem_cache_stats stats;

	cr_assert(!IS_ERR(cache));
	t = kmem_cache_zalloc(cache);
	cr_assert_eq((uintptr_t)t % 64, 0);
	cr_assert_eq(t->a + t->b + t->c, 0);
	cr_assert_eq(kmem_cache_destroy(cache), -EBUSY);
	kmem_cache_get_stats(cache, &stats);
	cr_assert_eq(stats.active_objects, 1, "a refused destroy changes nothing");
	kmem_cache_free(cache, t);
	cr_assert_eq(kmem_cache_destroy(cache), 0);
}

Test(mm_kmem, bad_cache_parameters_are_refused, .init = boot_kmem)
{
	cr_assert_eq(PTR_ERR(kmem_cache_create("zero", 0, 8)), -EINVAL);
	cr_assert_eq(PTR_ERR(kmem_cache_create("align", 24, 12)), -EINVAL);
	cr_assert_eq(PTR_ERR(kmem_cache_create("huge", 100000, 8)), -EINVAL);
}

Test(mm_kmem, kfree_of_interior_pointer_panics, .init = boot_kmem,
     .signal = SIGABRT)
{
	char *p = kmalloc(64);

	kfree(p + 8);
}

Test(mm_kmem, kfree_of_page_memory_panics, .init = boot_kmem,
     .signal = SIGABRT)
{
	kfree(pmm_alloc_virt(0, 0));
}

Test(mm_kmem, double_free_panics, .init = boot_kmem, .signal = SIGABRT)
{
	void *p = kmalloc(32);
	void *keep = kmalloc(32); /* keeps the slab alive */

	(void)keep;
	kfree(p);
	kfree(p);
}

Test(mm_kmem, wrong_cache_free_panics, .init = boot_kmem, .signal = SIGABRT)
{
	struct kmem_cache *cache = kmem_cache_create("other", 32, 8);

	kmem_cache_free(cache, kmalloc(32));
}

#ifdef AMPHI_TEST_ASAN
static void expect_asan_report(const char *report)
{
	/* Only a report about our poisoned kernel memory counts. */
	if (strstr(report, "use-after-poison") != NULL)
		_exit(42);
	_exit(1);
}

Test(mm_kmem, asan_catches_use_after_free, .init = boot_kmem, .exit_code = 42)
{
	volatile char *p = kmalloc(48);

	__asan_set_error_report_callback(expect_asan_report);
	p[0] = 1;
	kfree((void *)p);
	p[0] = 2;
	cr_assert_fail("AddressSanitizer missed a write after kfree");
}

Test(mm_kmem, asan_catches_overflow_past_requested_size, .init = boot_kmem,
     .exit_code = 42)
{
	volatile char *p = kmalloc(13);

	__asan_set_error_report_callback(expect_asan_report);
	p[12] = 1;
	p[13] = 1;
	cr_assert_fail("AddressSanitizer missed a write past the object");
}

Test(mm_kmem, asan_catches_access_to_free_pages, .init = boot_kmem,
     .exit_code = 42)
{
	volatile char *p = pmm_alloc_virt(0, 0);

	__asan_set_error_report_callback(expect_asan_report);
	pmm_free_virt((void *)p, 0);
	p[100] = 1;
	cr_assert_fail("AddressSanitizer missed a write to a free page");
}
#endif

Test(mm_kmem, cached_pages_are_what_a_shrink_would_free, .init = boot_kmem)
{
	struct kmem_cache *cache = kmem_cache_create("counted", 512, 8);
	struct kmem_cache_stats stats;
	struct pmm_stats pmm;
	uint64_t free_before, cached_before;
	void *objects[64];

	cr_assert_not(IS_ERR(cache));
	kmem_shrink_all();
	cr_assert_eq(kmem_cached_pages(), 0);
	pmm_get_stats(&pmm);
	free_before = pmm.free_pages;
	for (int i = 0; i < 64; i++)
		objects[i] = kmem_cache_alloc(cache);
	for (int i = 0; i < 64; i++)
		kmem_cache_free(cache, objects[i]);
	kmem_cache_get_stats(cache, &stats);
	/* One empty slab is kept; counted with the free pages it is all. */
	cached_before = kmem_cached_pages();
	cr_assert_eq(cached_before, 1ULL << stats.slab_order);
	pmm_get_stats(&pmm);
	cr_assert_eq(pmm.free_pages + cached_before, free_before);
	cr_assert_eq(kmem_shrink_all(), cached_before);
	cr_assert_eq(kmem_cached_pages(), 0);
	cr_assert_eq(kmem_cache_destroy(cache), 0);
}
