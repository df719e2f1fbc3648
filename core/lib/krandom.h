/*
 * The kernel's cryptographically secure random numbers (what
 * /dev/urandom, /dev/random, getrandom(2) and AT_RANDOM will return).
 * A ChaCha20 generator with fast key erasure: every request runs the
 * stream under the current key, the first 32 bytes of which become the
 * next key, so a later compromise of the state reveals nothing about
 * earlier output. Keyed from hal_random_seed at first use and reseeded
 * every KRANDOM_RESEED_BYTES of output.
 */
#pragma once

#include "core/lib/types.h"

#define KRANDOM_RESEED_BYTES (1u << 20)

/* Fills buf with random bytes. Any context; never fails, never blocks. */
void krandom_bytes(void *buf, size_t length);

/*
 * Mixes caller data into the key (writes to /dev/random). Credits no
 * entropy: the data may be attacker-chosen, mixing it in cannot hurt.
 */
void krandom_mix(const void *data, size_t length);
