/*
 * ChaCha20 block function against RFC 8439 (section 2.3.2 and appendix
 * A.1 vector 1; the same bytes OpenSSL's chacha20 produces).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/chacha20.h"

Test(lib_chacha20, rfc8439_section_2_3_2)
{
	static const uint8_t expected[16] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
		0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
	};
	static const uint8_t expected_tail[8] = {
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	const uint8_t nonce[12] = { 0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	uint8_t key[32], out[64];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	chacha20_block(key, 1, nonce, out);
	cr_assert_eq(memcmp(out, expected, 16), 0);
	cr_assert_eq(memcmp(out + 56, expected_tail, 8), 0);
}

Test(lib_chacha20, rfc8439_a1_vector_1)
{
	static const uint8_t expected[8] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
	};
	const uint8_t key[32] = { 0 }, nonce[12] = { 0 };
	uint8_t out[64];

	chacha20_block(key, 0, nonce, out);
	cr_assert_eq(memcmp(out, expected, 8), 0);
}
