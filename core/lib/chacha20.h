/*
 * The ChaCha20 block function (RFC 8439): 20 rounds over a 256-bit key,
 * a 32-bit block counter and a 96-bit nonce, producing 64 bytes of key
 * stream. Pure computation: no state, no locks.
 */
#pragma once

#include "core/lib/types.h"

#define CHACHA20_KEY_SIZE 32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* Computes block `counter` of the key stream for key and nonce. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE],
		    uint8_t out[CHACHA20_BLOCK_SIZE]);
