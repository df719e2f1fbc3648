#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/bitmap.h"

#define BITS 1000

/* Reference: one bool per bit. */
static bool reference[BITS];
static DECLARE_BITMAP(map, BITS);

static size_t reference_next(bool value, size_t start)
{
	for (size_t i = start; i < BITS; i++)
		if (reference[i] == value)
			return i;
	return BITS;
}

Test(lib_bitmap, random_operations_match_reference)
{
	bitmap_zero(map, BITS);
	srand(7);
	for (int step = 0; step < 5000; step++) {
		size_t bit = (size_t)rand() % BITS;

		if (rand() % 2) {
			bitmap_set_bit(map, bit);
			reference[bit] = true;
		} else {
			bitmap_clear_bit(map, bit);
			reference[bit] = false;
		}
		size_t start = (size_t)rand() % BITS;

		cr_assert_eq(bitmap_find_next_set(map, BITS, start),
			     reference_next(true, start));
		cr_assert_eq(bitmap_find_next_clear(map, BITS, start),
			     reference_next(false, start));
	}
	size_t weight = 0;

	for (size_t i = 0; i < BITS; i++) {
		cr_assert_eq(bitmap_test_bit(map, i), reference[i]);
		weight += reference[i];
	}
	cr_assert_eq(bitmap_weight(map, BITS), weight);
}

Test(lib_bitmap, fill_respects_length_and_ranges)
{
	bitmap_fill(map, BITS);
	cr_assert_eq(bitmap_weight(map, BITS), BITS);
	cr_assert_eq(bitmap_find_next_clear(map, BITS, 0), BITS);
	bitmap_clear_range(map, 100, 50);
	cr_assert_eq(bitmap_weight(map, BITS), BITS - 50);
	cr_assert_eq(bitmap_find_next_clear(map, BITS, 0), 100);
	cr_assert_eq(bitmap_find_next_set(map, BITS, 100), 150);
}

Test(lib_bitmap, find_clear_range_honours_alignment)
{
	bitmap_zero(map, BITS);
	bitmap_set_range(map, 0, 10);
	cr_assert_eq(bitmap_find_clear_range(map, BITS, 4, 1), 10);
	cr_assert_eq(bitmap_find_clear_range(map, BITS, 4, 8), 16);
	bitmap_set_range(map, 16, 100);
	cr_assert_eq(bitmap_find_clear_range(map, BITS, 8, 8), 120);
	cr_assert_eq(bitmap_find_clear_range(map, BITS, BITS, 1), BITS);
}

Test(lib_bitmap, atomic_test_and_set_reports_previous)
{
	bitmap_zero(map, BITS);
	cr_assert_not(bitmap_test_and_set_bit_atomic(map, 77));
	cr_assert(bitmap_test_and_set_bit_atomic(map, 77));
	cr_assert(bitmap_test_and_clear_bit_atomic(map, 77));
	cr_assert_not(bitmap_test_bit(map, 77));
}
