/*
 * ChaCha20 block function, written from RFC 8439 section 2.3: the state
 * is the constant "expand 32-byte k", the key, the counter and the nonce
 * as little-endian words; ten double rounds; the input added back.
 */
#include "core/lib/chacha20.h"

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

#define QUARTER_ROUND(a, b, c, d)                                            \
	do {                                                                 \
		a += b; d ^= a; d = ROTL(d, 16);                             \
		c += d; b ^= c; b = ROTL(b, 12);                             \
		a += b; d ^= a; d = ROTL(d, 8);                              \
		c += d; b ^= c; b = ROTL(b, 7);                              \
	} while (0)

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16);
	p[3] = (uint8_t)(value >> 24);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE],
		    uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	for (int i = 0; i < 8; i++)
		in[4 + i] = load_le32(key + 4 * i);
	in[12] = counter;
	for (int i = 0; i < 3; i++)
		in[13 + i] = load_le32(nonce + 4 * i);
	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int round = 0; round < 10; round++) {
		QUARTER_ROUND(x[0], x[4], x[8], x[12]);
		QUARTER_ROUND(x[1], x[5], x[9], x[13]);
		QUARTER_ROUND(x[2], x[6], x[10], x[14]);
		QUARTER_ROUND(x[3], x[7], x[11], x[15]);
		QUARTER_ROUND(x[0], x[5], x[10], x[15]);
		QUARTER_ROUND(x[1], x[6], x[11], x[12]);
		QUARTER_ROUND(x[2], x[7], x[8], x[13]);
		QUARTER_ROUND(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		store_le32(out + 4 * i, x[i] + in[i]);
}
