/*
 * String helpers. Pure functions over caller-owned memory: no state, no
 * locks, safe in any context.
 */
#include "core/lib/string.h"

#include "core/include/uapi/errno.h"

size_t kstrlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t kstrnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int kstrcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int kstrncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || *a == '\0')
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *kstrchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *kstrrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

void *kmemchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t kstrlcpy(char *dest, const char *src, size_t size)
{
	size_t length = kstrlen(src);

	if (size > 0) {
		size_t n = length < size - 1 ? length : size - 1;

		memcpy(dest, src, n);
		dest[n] = '\0';
	}
	return length;
}

size_t kstrlcat(char *dest, const char *src, size_t size)
{
	size_t used = kstrnlen(dest, size);

	if (used == size)
		return size + kstrlen(src);
	return used + kstrlcpy(dest + used, src, size - used);
}

bool kstr_has_prefix(const char *s, const char *prefix)
{
	return kstrncmp(s, prefix, kstrlen(prefix)) == 0;
}

static int digit_value(char c)
{
	if (kisdigit(c))
		return c - '0';
	c = (char)ktolower(c);
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 99;
}

static unsigned int detect_base(const char **s)
{
	const char *p = *s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		*s = p + 2;
		return 16;
	}
	if (p[0] == '0' && p[1] != '\0')
		return 8;
	return 10;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *result)
{
	unsigned long long value = 0;

	if (base == 0)
		base = detect_base(&s);
	else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (base < 2 || base > 36 || *s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		int digit = digit_value(*s);

		if (digit >= (int)base)
			return -EINVAL;
		if (value > (~0ULL - (unsigned)digit) / base)
			return -ERANGE;
		value = value * base + (unsigned)digit;
	}
	*result = value;
	return 0;
}

int kstrtoll(const char *s, unsigned int base, long long *result)
{
	unsigned long long magnitude;
	bool negative = (*s == '-');
	int err;

	if (*s == '-' || *s == '+')
		s++;
	err = kstrtoull(s, base, &magnitude);
	if (err < 0)
		return err;
	if (negative) {
		if (magnitude > (1ULL << 63))
			return -ERANGE;
		*result = (long long)(0 - magnitude);
	} else {
		if (magnitude > (unsigned long long)INT64_MAX)
			return -ERANGE;
		*result = (long long)magnitude;
	}
	return 0;
}
