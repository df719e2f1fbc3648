/*
 * hal_random_seed on bare metal: RDSEED (true entropy) when the CPU has
 * it, else RDRAND (a DRBG reseeded by the same source), else the jitter
 * of the time-stamp counter around a short busy loop, whose low bits vary
 * with caches, interrupts and frequency changes. Only ever used to key
 * the kernel CSPRNG.
 */
#include "core/hal/random.h"

#include "core/lib/string.h"
#include "x86.h"

#define CPUID_1_ECX_RDRAND (1u << 30)
#define CPUID_7_EBX_RDSEED (1u << 18)
#define HW_RETRIES 64
#define JITTER_ROUNDS 64

static bool has_rdseed(void)
{
	uint32_t regs[4];

	x86_cpuid(0, 0, regs);
	if (regs[0] < 7)
		return false;
	x86_cpuid(7, 0, regs);
	return (regs[1] & CPUID_7_EBX_RDSEED) != 0;
}

static bool has_rdrand(void)
{
	uint32_t regs[4];

	x86_cpuid(1, 0, regs);
	return (regs[2] & CPUID_1_ECX_RDRAND) != 0;
}

/* One 64-bit word from RDSEED or RDRAND; false if the unit stayed empty. */
static bool hw_word(bool seed, uint64_t *word)
{
	for (int i = 0; i < HW_RETRIES; i++) {
		uint8_t ok;

		if (seed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*word), "=qm"(ok) : : "cc");
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*word), "=qm"(ok) : : "cc");
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

/* Folds the timing noise of many short loops into one word. */
static uint64_t jitter_word(void)
{
	uint64_t word = 0;

	for (int i = 0; i < JITTER_ROUNDS; i++) {
		uint64_t start = x86_rdtsc();
		volatile uint32_t spin = 0;

		for (uint32_t j = 0; j < 64 + (word & 63); j++)
			spin += j;
		word = (word << 7 | word >> 57) ^ (x86_rdtsc() - start);
	}
	return word;
}

void hal_random_seed(void *buf, size_t length)
{
	bool seed = has_rdseed(), rdrand = has_rdrand();
	unsigned char *out = buf;

	while (length > 0) {
		uint64_t word;
		size_t chunk = length < sizeof(word) ? length : sizeof(word);

		if (!(seed && hw_word(true, &word)) &&
		    !(rdrand && hw_word(false, &word)))
			word = jitter_word();
		memcpy(out, &word, chunk);
		out += chunk;
		length -= chunk;
	}
}
