/*
 * The bare-metal kernel's memcpy, memset, memmove and memcmp
 * (platform/x86_64/string.c: eight bytes a step, then the tail), built
 * here under other names beside the host libc's and checked against byte
 * loops for every length up to 300 and every alignment of both ends,
 * with guard bytes around the destination.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#define memcpy x86_memcpy
#define memset x86_memset
#define memmove x86_memmove
#define memcmp x86_memcmp
#define __popcountdi2 x86_popcountdi2
#include "platform/x86_64/string.c"
#undef memcpy
#undef memset
#undef memmove
#undef memcmp

#define SPAN 300
#define GUARD 16

static unsigned char source[SPAN + 2 * GUARD], dest[SPAN + 2 * GUARD];

static void fill_pattern(unsigned char *buffer, size_t length, unsigned seed)
{
	for (size_t i = 0; i < length; i++)
		buffer[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

Test(x86_string, memcpy_every_length_and_alignment)
{
	for (size_t from = 0; from < 16; from++) {
		for (size_t to = 0; to < 16; to++) {
			for (size_t n = 0; n <= SPAN - 16; n++) {
				fill_pattern(source, sizeof(source), (unsigned)n);
				for (size_t i = 0; i < sizeof(dest); i++)
					dest[i] = 0xa5;
				cr_assert_eq(x86_memcpy(dest + GUARD + to,
							source + from, n),
					     dest + GUARD + to);
				for (size_t i = 0; i < sizeof(dest); i++) {
					size_t at = i - GUARD - to;
					unsigned char want = i >= GUARD + to &&
						at < n ? source[from + at] : 0xa5;

					cr_assert_eq(dest[i], want,
						     "n %zu from %zu to %zu byte %zu",
						     n, from, to, i);
				}
			}
		}
	}
}

Test(x86_string, memset_every_length_and_value)
{
	static const int values[] = { 0, 1, 0x7f, 0x80, 0xff, -1, 0x1234 };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t to = 0; to < 16; to++) {
			for (size_t n = 0; n <= SPAN - 16; n++) {
				for (size_t i = 0; i < sizeof(dest); i++)
					dest[i] = 0xa5;
				cr_assert_eq(x86_memset(dest + GUARD + to,
							values[v], n),
					     dest + GUARD + to);
				for (size_t i = 0; i < sizeof(dest); i++) {
					bool inside = i >= GUARD + to &&
						      i - GUARD - to < n;
					unsigned char want = inside ?
						(unsigned char)values[v] : 0xa5;

					cr_assert_eq(dest[i], want,
						     "value %d n %zu byte %zu",
						     values[v], n, i);
				}
			}
		}
	}
}

Test(x86_string, memmove_overlaps_both_ways)
{
	unsigned char expect[SPAN];

	for (size_t n = 0; n <= 200; n += 7) {
		for (int shift = -20; shift <= 20; shift++) {
			size_t from = 50, to = (size_t)(50 + shift);

			fill_pattern(dest, sizeof(dest), (unsigned)n);
			for (size_t i = 0; i < n; i++)
				expect[i] = dest[from + i];
			cr_assert_eq(x86_memmove(dest + to, dest + from, n),
				     dest + to);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(dest[to + i], expect[i],
					     "n %zu shift %d byte %zu", n,
					     shift, i);
		}
	}
}

Test(x86_string, memcmp_orders_as_unsigned_bytes)
{
	unsigned char a[4] = { 1, 2, 0x80, 4 }, b[4] = { 1, 2, 0x7f, 4 };

	cr_assert_eq(x86_memcmp(a, a, 4), 0);
	cr_assert_gt(x86_memcmp(a, b, 4), 0);
	cr_assert_lt(x86_memcmp(b, a, 4), 0);
	cr_assert_eq(x86_memcmp(a, b, 2), 0);
	cr_assert_eq(x86_memcmp(a, b, 0), 0);
}
