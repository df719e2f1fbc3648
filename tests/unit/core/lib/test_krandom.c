/*
 * The kernel CSPRNG: output differs between calls and is not trivially
 * biased; requests of every size fill exactly the bytes asked for.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/krandom.h"
#include "support/kernel.h"

Test(lib_krandom, outputs_differ_and_look_random)
{
	static uint8_t a[4096], b[4096];
	long ones = 0;

	test_kernel_memory_init(16 << 20);
	krandom_bytes(a, sizeof(a));
	krandom_bytes(b, sizeof(b));
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
	for (size_t i = 0; i < sizeof(a); i++)
		ones += __builtin_popcount(a[i]);
	/* 32768 bits: the count is within 6 sigma of half. */
	cr_assert_gt(ones, 16384 - 543);
	cr_assert_lt(ones, 16384 + 543);
}

Test(lib_krandom, fills_exactly_the_requested_bytes)
{
	uint8_t buf[300];

	test_kernel_memory_init(16 << 20);
	for (size_t length = 0; length < 290; length += 31) {
		memset(buf, 0xa5, sizeof(buf));
		krandom_bytes(buf + 1, length);
		cr_assert_eq(buf[0], 0xa5);
		cr_assert_eq(buf[length + 1], 0xa5);
	}
	krandom_mix("seed", 4);
	krandom_bytes(buf, 32);
}
