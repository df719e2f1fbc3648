/*
 * Compiler attributes and small language helpers shared by every part of the
 * kernel. Nothing here depends on a platform; everything is GCC/Clang C.
 */
#pragma once

#include <stddef.h>

#define __noreturn __attribute__((noreturn))
#define __unused __attribute__((unused))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __printf(fmt_index, args_index) \
	__attribute__((format(printf, fmt_index, args_index)))

#define __noinline __attribute__((noinline))
#define __section(name) __attribute__((section(name)))
#define __must_check __attribute__((warn_unused_result))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* Pointer to the structure that embeds the member `ptr` points at. */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Round to a power-of-two boundary. */
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define IS_POWER_OF_2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)

/*
 * Single, untorn accesses to data other CPUs change concurrently. Relaxed
 * atomics rather than volatile, so ThreadSanitizer knows they are intended.
 */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define barrier() __asm__ volatile("" ::: "memory")

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
