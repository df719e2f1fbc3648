/*
 * ChaCha20 fast-key-erasure generator (D. J. Bernstein, "Fast-key-erasure
 * random-number generators", 2017). state_lock (a leaf spinlock) guards
 * the key and counters; output is generated under it in chunks of at
 * most KRANDOM_CHUNK bytes so the lock is never held long.
 */
#include "core/lib/krandom.h"

#include "core/hal/random.h"
#include "core/lib/chacha20.h"
#include "core/lib/string.h"
#include "core/sync/spinlock.h"

#define KRANDOM_CHUNK 256

static struct spinlock state_lock = SPINLOCK_INIT("krandom", LOCK_RANK_RANDOM);
/* Protected by state_lock: */
static uint8_t key[CHACHA20_KEY_SIZE];
static uint64_t since_reseed;
static bool seeded;

/* XORs fresh seed material into the key. Caller holds state_lock. */
static void reseed_locked(void)
{
	uint8_t seed[CHACHA20_KEY_SIZE];

	hal_random_seed(seed, sizeof(seed));
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] ^= seed[i];
	memset(seed, 0, sizeof(seed));
	since_reseed = 0;
	seeded = true;
}

/*
 * Produces up to KRANDOM_CHUNK bytes and replaces the key with the first
 * 32 bytes of the same stream. Caller holds state_lock.
 */
static void generate_locked(uint8_t *out, size_t length)
{
	static const uint8_t nonce[CHACHA20_NONCE_SIZE];
	uint8_t block[CHACHA20_BLOCK_SIZE], old[CHACHA20_KEY_SIZE];
	size_t done = MIN(length, sizeof(block) - sizeof(key));
	uint32_t counter = 1;

	memcpy(old, key, sizeof(old));
	chacha20_block(old, 0, nonce, block);
	memcpy(key, block, sizeof(key));
	memcpy(out, block + sizeof(key), done);
	while (done < length) {
		size_t chunk = MIN(length - done, sizeof(block));

		chacha20_block(old, counter++, nonce, block);
		memcpy(out + done, block, chunk);
		done += chunk;
	}
	/* Erase the old key: earlier output cannot be recomputed. */
	memset(old, 0, sizeof(old));
	memset(block, 0, sizeof(block));
}

void krandom_bytes(void *buf, size_t length)
{
	uint8_t *out = buf;

	while (length > 0) {
		size_t chunk = MIN(length, (size_t)KRANDOM_CHUNK);
		irq_flags_t flags = spin_lock_irqsave(&state_lock);

		if (!seeded || since_reseed >= KRANDOM_RESEED_BYTES)
			reseed_locked();
		generate_locked(out, chunk);
		since_reseed += chunk;
		spin_unlock_irqrestore(&state_lock, flags);
		out += chunk;
		length -= chunk;
	}
}

void krandom_mix(const void *data, size_t length)
{
	const uint8_t *in = data;
	uint8_t discard[CHACHA20_KEY_SIZE];

	while (length > 0) {
		size_t chunk = MIN(length, sizeof(key));
		irq_flags_t flags = spin_lock_irqsave(&state_lock);

		if (!seeded)
			reseed_locked();
		for (size_t i = 0; i < chunk; i++)
			key[i] ^= in[i];
		/* Run the stream once: the mixed key itself never outputs. */
		generate_locked(discard, sizeof(discard));
		spin_unlock_irqrestore(&state_lock, flags);
		in += chunk;
		length -= chunk;
	}
	memset(discard, 0, sizeof(discard));
}
