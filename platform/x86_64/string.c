/*
 * The memory functions the compiler may call (core/lib/string.h), with the
 * string instructions, eight bytes a step and the tail a byte at a time:
 * `rep movsq` is as fast as ERMSB's `rep movsb` on real CPUs for the sizes
 * the kernel copies (pages, pipe and user buffers), and QEMU's TCG, which
 * emulates a `rep` one element at a time, moves eight times as much per
 * step. Inline assembly keeps GCC from turning them back into calls.
 */
#include "core/lib/string.h"

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
	size_t words = n / 8, tail = n % 8;
	void *d = dest;

	__asm__ volatile("rep movsq\n\t"
			 "mov %[tail], %%rcx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : [tail] "r"(tail)
			 : "memory");
	return dest;
}

void *memset(void *dest, int c, size_t n)
{
	uint64_t pattern = 0x0101010101010101ULL * (uint8_t)c;
	size_t words = n / 8, tail = n % 8;
	void *d = dest;

	__asm__ volatile("rep stosq\n\t"
			 "mov %[tail], %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"(pattern), [tail] "r"(tail)
			 : "memory");
	return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
	const char *s = src;
	char *d = dest;

	if (d <= s || d >= s + n)
		return memcpy(dest, src, n);
	/* Overlap with dest above src: copy backwards. */
	s += n - 1;
	d += n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(d), "+S"(s), "+c"(n)
			 :
			 : "memory");
	return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

/*
 * Compiler support: GCC calls this for __builtin_popcountll without
 * -mpopcnt. libgcc is not linked (it is built with a red zone).
 */
int __popcountdi2(long long value);

int __popcountdi2(long long value)
{
	unsigned long long v = (unsigned long long)value;
	int count = 0;

	for (; v != 0; v &= v - 1)
		count++;
	return count;
}
