/*
 * Bitmap scanning. Word-at-a-time where it matters (finding bits, weight);
 * the storage belongs to the caller.
 */
#include "core/lib/bitmap.h"

#include "core/lib/compiler.h"

/* Mask of the valid bits in the last word of a `bits`-long map. */
static unsigned long last_word_mask(size_t bits)
{
	size_t rest = bits % BITS_PER_LONG;

	return rest ? (1UL << rest) - 1 : ~0UL;
}

void bitmap_zero(unsigned long *map, size_t bits)
{
	for (size_t i = 0; i < BITMAP_WORDS(bits); i++)
		map[i] = 0;
}

void bitmap_fill(unsigned long *map, size_t bits)
{
	size_t words = BITMAP_WORDS(bits);

	for (size_t i = 0; i < words; i++)
		map[i] = ~0UL;
	if (words)
		map[words - 1] = last_word_mask(bits);
}

void bitmap_set_range(unsigned long *map, size_t start, size_t count)
{
	for (size_t bit = start; bit < start + count; bit++)
		bitmap_set_bit(map, bit);
}

void bitmap_clear_range(unsigned long *map, size_t start, size_t count)
{
	for (size_t bit = start; bit < start + count; bit++)
		bitmap_clear_bit(map, bit);
}

/* Shared scan: `invert` flips each word so clear bits look set. */
static size_t find_next(const unsigned long *map, size_t bits, size_t start,
			unsigned long invert)
{
	size_t word_index = start / BITS_PER_LONG;
	unsigned long word;

	if (start >= bits)
		return bits;
	word = (map[word_index] ^ invert) & (~0UL << (start % BITS_PER_LONG));
	for (;;) {
		if (word) {
			size_t bit = word_index * BITS_PER_LONG +
				     (size_t)__builtin_ctzl(word);
			return bit < bits ? bit : bits;
		}
		word_index++;
		if (word_index * BITS_PER_LONG >= bits)
			return bits;
		word = map[word_index] ^ invert;
	}
}

size_t bitmap_find_next_set(const unsigned long *map, size_t bits, size_t start)
{
	return find_next(map, bits, start, 0);
}

size_t bitmap_find_next_clear(const unsigned long *map, size_t bits,
			      size_t start)
{
	return find_next(map, bits, start, ~0UL);
}

size_t bitmap_find_clear_range(const unsigned long *map, size_t bits,
			       size_t count, size_t align)
{
	size_t start = 0;

	while (start + count <= bits) {
		size_t end;

		start = ALIGN_UP(bitmap_find_next_clear(map, bits, start), align);
		if (start + count > bits)
			break;
		end = bitmap_find_next_set(map, start + count, start);
		if (end >= start + count)
			return start;
		start = end + 1;
	}
	return bits;
}

size_t bitmap_weight(const unsigned long *map, size_t bits)
{
	size_t words = bits / BITS_PER_LONG;
	size_t total = 0;

	for (size_t i = 0; i < words; i++)
		total += (size_t)__builtin_popcountl(map[i]);
	if (bits % BITS_PER_LONG)
		total += (size_t)__builtin_popcountl(map[words] &
						     last_word_mask(bits));
	return total;
}
