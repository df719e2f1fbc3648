/*
 * Bitmaps of arbitrary length stored in arrays of unsigned long. The caller
 * owns the storage (BITMAP_WORDS(n) words) and serialises access; the
 * atomic variants are for bitmaps other CPUs touch concurrently.
 */
#pragma once

#include "core/lib/types.h"

#define BITS_PER_LONG 64
#define BITMAP_WORDS(bits) (((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITMAP_WORDS(bits)]

static inline void bitmap_set_bit(unsigned long *map, size_t bit)
{
	map[bit / BITS_PER_LONG] |= 1UL << (bit % BITS_PER_LONG);
}

static inline void bitmap_clear_bit(unsigned long *map, size_t bit)
{
	map[bit / BITS_PER_LONG] &= ~(1UL << (bit % BITS_PER_LONG));
}

static inline bool bitmap_test_bit(const unsigned long *map, size_t bit)
{
	return (map[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG)) & 1;
}

/* Atomically sets a bit; returns its previous value. */
static inline bool bitmap_test_and_set_bit_atomic(unsigned long *map, size_t bit)
{
	unsigned long mask = 1UL << (bit % BITS_PER_LONG);

	return __atomic_fetch_or(&map[bit / BITS_PER_LONG], mask,
				 __ATOMIC_ACQ_REL) & mask;
}

/* Atomically clears a bit; returns its previous value. */
static inline bool bitmap_test_and_clear_bit_atomic(unsigned long *map,
						    size_t bit)
{
	unsigned long mask = 1UL << (bit % BITS_PER_LONG);

	return __atomic_fetch_and(&map[bit / BITS_PER_LONG], ~mask,
				  __ATOMIC_ACQ_REL) & mask;
}

void bitmap_zero(unsigned long *map, size_t bits);
void bitmap_fill(unsigned long *map, size_t bits);

/* Sets or clears the bits [start, start + count). */
void bitmap_set_range(unsigned long *map, size_t start, size_t count);
void bitmap_clear_range(unsigned long *map, size_t start, size_t count);

/* Index of the first set (or clear) bit at or after `start`; `bits` if none. */
size_t bitmap_find_next_set(const unsigned long *map, size_t bits, size_t start);
size_t bitmap_find_next_clear(const unsigned long *map, size_t bits,
			      size_t start);

/*
 * Finds `count` consecutive clear bits starting at a multiple of `align`
 * (a power of two). Returns the first index, or `bits` if there is none.
 */
size_t bitmap_find_clear_range(const unsigned long *map, size_t bits,
			       size_t count, size_t align);

/* Number of set bits among the first `bits`. */
size_t bitmap_weight(const unsigned long *map, size_t bits);
