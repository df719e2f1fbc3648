/*
 * Allocator stress on the machine's real RAM: blocks of random orders and
 * objects of random sizes are filled with an address-derived pattern,
 * checked, and freed; afterwards the free page count must be back where
 * it started (nothing leaked, everything coalesced).
 */
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/selftest/selftest.h"

#define PAGE_BLOCKS 256
#define OBJECTS 2048

/* xorshift64: deterministic, so a failure can be replayed. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static uint64_t pattern(const void *address)
{
	return (uint64_t)(uintptr_t)address * 0x9e3779b97f4a7c15ULL;
}

static void fill(void *block, size_t bytes)
{
	uint64_t *words = block;

	for (size_t i = 0; i < bytes / 8; i++)
		words[i] = pattern(&words[i]);
}

static bool holds_pattern(const void *block, size_t bytes)
{
	const uint64_t *words = block;

	for (size_t i = 0; i < bytes / 8; i++) {
		if (words[i] != pattern(&words[i]))
			return false;
	}
	return true;
}

static uint64_t free_pages(void)
{
	struct pmm_stats stats;

	pmm_get_stats(&stats);
	return stats.free_pages;
}

static int pages_stress(void)
{
	static void *blocks[PAGE_BLOCKS];
	static unsigned int orders[PAGE_BLOCKS];
	uint64_t state = 0x1234567, before = free_pages();
	unsigned int count = 0;
	int result = 0;

	while (count < PAGE_BLOCKS) {
		unsigned int order = (unsigned int)(next_random(&state) % 5);
		void *block = pmm_alloc_virt(order, 0);

		if (block == NULL)
			break; /* a small machine: test what fitted */
		fill(block, PAGE_SIZE << order);
		blocks[count] = block;
		orders[count++] = order;
	}
	for (unsigned int i = 0; i < count; i++) {
		if (result == 0 && !holds_pattern(blocks[i], PAGE_SIZE << orders[i]))
			result = selftest_fail("block %u (order %u) was corrupted",
					       i, orders[i]);
		pmm_free_virt(blocks[i], orders[i]);
	}
	if (result == 0 && count < 16)
		result = selftest_fail("only %u blocks could be allocated", count);
	if (result == 0 && free_pages() != before)
		result = selftest_fail("free pages %llu, expected %llu",
				       (unsigned long long)free_pages(),
				       (unsigned long long)before);
	return result;
}

static int kmalloc_stress(void)
{
	static void *objects[OBJECTS];
	static size_t sizes[OBJECTS];
	uint64_t state = 0x89abcdef, before = free_pages();
	int result = 0;

	for (unsigned int i = 0; i < OBJECTS; i++) {
		sizes[i] = 8 + (size_t)(next_random(&state) % 3000) / 8 * 8;
		objects[i] = kmalloc(sizes[i]);
		if (objects[i] == NULL) {
			result = selftest_fail("kmalloc(%zu) failed", sizes[i]);
			break;
		}
		fill(objects[i], sizes[i]);
	}
	for (unsigned int i = 0; i < OBJECTS && objects[i]; i++) {
		if (result == 0 && !holds_pattern(objects[i], sizes[i]))
			result = selftest_fail("object %u (%zu bytes) was corrupted",
					       i, sizes[i]);
		kfree(objects[i]);
		objects[i] = NULL;
	}
	kmem_shrink_all();
	if (result == 0 && free_pages() != before)
		result = selftest_fail("free pages %llu, expected %llu after shrink",
				       (unsigned long long)free_pages(),
				       (unsigned long long)before);
	return result;
}

const struct selftest selftest_mm_tests[] = {
	{ "mm_pages_stress", pages_stress },
	{ "mm_kmalloc_stress", kmalloc_stress },
};
const unsigned int selftest_mm_count = ARRAY_SIZE(selftest_mm_tests);
