/*
 * String and memory functions for the kernel.
 *
 * memcpy/memmove/memset/memcmp keep their standard names because compilers
 * emit calls to them; the hosted build takes them from the host libc, the
 * bare-metal build from platform/x86_64. Every other function carries a `k`
 * prefix so the hosted kernel never collides with libc.
 */
#pragma once

#include "core/lib/types.h"

void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t kstrlen(const char *s);
size_t kstrnlen(const char *s, size_t max);
int kstrcmp(const char *a, const char *b);
int kstrncmp(const char *a, const char *b, size_t n);
char *kstrchr(const char *s, int c);
char *kstrrchr(const char *s, int c);
void *kmemchr(const void *s, int c, size_t n);

/*
 * Copies at most size - 1 bytes of src into dest and always terminates it
 * (when size > 0). Returns the length of src, so a result >= size means the
 * copy was truncated (BSD strlcpy semantics).
 */
size_t kstrlcpy(char *dest, const char *src, size_t size);

/* Appends src to dest within size bytes; returns the length it tried to make. */
size_t kstrlcat(char *dest, const char *src, size_t size);

/* Whether `s` starts with `prefix`. */
bool kstr_has_prefix(const char *s, const char *prefix);

/*
 * Parses an unsigned integer in the given base (0 = auto: 0x hex, 0 octal,
 * else decimal) from the whole string `s`.
 * Returns 0 and stores the value, -EINVAL if `s` is empty or has trailing
 * characters, -ERANGE if the value does not fit in 64 bits.
 */
int kstrtoull(const char *s, unsigned int base, unsigned long long *result);

/* As kstrtoull, with an optional leading '-' or '+'. */
int kstrtoll(const char *s, unsigned int base, long long *result);

static inline bool kisdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool kisspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int ktolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
