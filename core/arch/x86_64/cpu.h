/*
 * ISA-level helpers both builds share (the hosted build runs on x86_64 too).
 */
#pragma once

#include "core/lib/types.h"

/* Tells the CPU we are spinning (PAUSE): saves power, helps the sibling thread. */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/*
 * The calling function's frame pointer (rbp); the kernel is built with frame
 * pointers. A macro, not a function: at -O0 an inline function is a real
 * call and would return its own, immediately dead, frame.
 */
#define arch_frame_pointer() ((uintptr_t)__builtin_frame_address(0))

/*
 * CPUID leaf/subleaf into out[0..3] = eax, ebx, ecx, edx. Unprivileged,
 * so both builds may ask it (hosted: the host CPU the simulated CPUs run
 * on; /proc/cpuinfo).
 */
static inline void arch_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]),
			   "=d"(out[3])
			 : "a"(leaf), "c"(subleaf));
}
