/*
 * The kernel formatter against the host C library's snprintf, over
 * thousands of generated conversions (every conversion with valid flag,
 * width, precision and length combinations) and truncated buffers.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/format.h"

/* The tests pass NULL to %s on purpose: glibc's output is the reference. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat"

static unsigned long cases;

/* Formats with both implementations and compares text and return value. */
#define CHECK(fmt, ...)                                                      \
	do {                                                                 \
		char ours[256], host[256];                                   \
		int n_ours = ksnprintf(ours, sizeof(ours), fmt, __VA_ARGS__);\
		int n_host = snprintf(host, sizeof(host), fmt, __VA_ARGS__); \
		cr_assert_str_eq(ours, host, "format \"%s\"", fmt);          \
		cr_assert_eq(n_ours, n_host, "length of \"%s\"", fmt);       \
		cases++;                                                     \
	} while (0)

static const char *const widths[] = { "", "1", "6", "23" };
static const char *const precisions[] = { "", ".0", ".1", ".4", ".19" };

/* Calls fn(format) for every flag/width/precision combination. */
static void for_each_spec(const char *flags_allowed, const char *length,
			  char conversion, bool with_precision,
			  void (*fn)(const char *format))
{
	size_t nflags = strlen(flags_allowed);

	for (unsigned mask = 0; mask < (1u << nflags); mask++) {
		char flags[8] = "";

		for (size_t f = 0; f < nflags; f++)
			if (mask & (1u << f))
				strncat(flags, &flags_allowed[f], 1);
		for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++) {
			for (size_t p = 0; p < (with_precision ? 5u : 1u); p++) {
				char format[32];

				snprintf(format, sizeof(format), "<%%%s%s%s%s%c>",
					 flags, widths[w], precisions[p], length,
					 conversion);
				fn(format);
			}
		}
	}
}

static const long long signed_values[] = {
	0, 1, -1, 7, -42, 255, 1000000, -1000000, INT_MAX, INT_MIN,
	LLONG_MAX, LLONG_MIN, 0x7fffffffffLL,
};
static const unsigned long long unsigned_values[] = {
	0, 1, 8, 255, 0x7f, 0xdeadbeef, UINT_MAX, ULLONG_MAX, 01234567,
	0x123456789abcULL,
};

#define DEFINE_SIGNED(name, type)                                        \
	static void name(const char *format)                            \
	{                                                                \
		for (size_t i = 0; i < sizeof(signed_values) /           \
				       sizeof(*signed_values); i++)      \
			CHECK(format, (type)signed_values[i]);           \
	}
#define DEFINE_UNSIGNED(name, type)                                      \
	static void name(const char *format)                            \
	{                                                                \
		for (size_t i = 0; i < sizeof(unsigned_values) /         \
				       sizeof(*unsigned_values); i++)    \
			CHECK(format, (type)unsigned_values[i]);         \
	}

DEFINE_SIGNED(check_int, int)
DEFINE_SIGNED(check_long, long)
DEFINE_SIGNED(check_llong, long long)
DEFINE_SIGNED(check_ssize, ssize_t)
DEFINE_SIGNED(check_schar, int)
DEFINE_UNSIGNED(check_uint, unsigned int)
DEFINE_UNSIGNED(check_ulong, unsigned long)
DEFINE_UNSIGNED(check_ullong, unsigned long long)
DEFINE_UNSIGNED(check_size, size_t)

Test(lib_format, signed_conversions_match_host)
{
	static const char conversions[] = "di";

	for (const char *c = conversions; *c; c++) {
		for_each_spec("-0+ ", "", *c, true, check_int);
		for_each_spec("-0+ ", "l", *c, true, check_long);
		for_each_spec("-0+", "ll", *c, true, check_llong);
		for_each_spec("-0 ", "z", *c, true, check_ssize);
		for_each_spec("-0", "hh", *c, true, check_schar);
		for_each_spec("-0", "h", *c, true, check_schar);
	}
	cr_assert_gt(cases, 1000);
}

Test(lib_format, unsigned_conversions_match_host)
{
	static const char conversions[] = "uxXo";

	for (const char *c = conversions; *c; c++) {
		const char *flags = (*c == 'u') ? "-0" : "-0#";

		for_each_spec(flags, "", *c, true, check_uint);
		for_each_spec(flags, "l", *c, true, check_ulong);
		for_each_spec(flags, "ll", *c, true, check_ullong);
		for_each_spec(flags, "z", *c, true, check_size);
		for_each_spec(flags, "hh", *c, true, check_uint);
		for_each_spec(flags, "h", *c, true, check_uint);
	}
	cr_assert_gt(cases, 1000);
}

static void check_string(const char *format)
{
	static const char *const strings[] = { "", "a", "hello", "kernel space",
					       "(null)" };

	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		CHECK(format, strings[i]);
}

static void check_char(const char *format)
{
	CHECK(format, 'x');
	CHECK(format, '%');
	CHECK(format, ' ');
}

static void check_pointer(const char *format)
{
	CHECK(format, (void *)0x1000);
	CHECK(format, (void *)&cases);
	CHECK(format, (void *)UINTPTR_MAX);
}

Test(lib_format, text_and_pointer_conversions_match_host)
{
	for_each_spec("-", "", 's', true, check_string);
	for_each_spec("-", "", 'c', false, check_char);
	for_each_spec("-", "", 'p', false, check_pointer);
	cr_assert_gt(cases, 100);
}

Test(lib_format, null_pointer_and_string_match_glibc)
{
	CHECK("%p|%10p|%-10p|", (void *)NULL, (void *)NULL, (void *)NULL);
	CHECK("%s|%10s|%.3s|%.6s|", (char *)NULL, (char *)NULL, (char *)NULL,
	      (char *)NULL);
}

Test(lib_format, star_width_and_precision_match_host)
{
	for (int w = -12; w <= 12; w += 3) {
		for (int p = -2; p <= 6; p += 2) {
			CHECK("[%*d]", w, 1234);
			CHECK("[%*.*d]", w, p, -56);
			CHECK("[%.*s]", p, "abcdefgh");
			CHECK("[%-*x]", w, 0xbeefu);
		}
	}
}

Test(lib_format, mixed_and_literal_percent_match_host)
{
	CHECK("100%% of %s: %d/%u (%#x) %c%c", "tests", -3, 7u, 255u, 'o', 'k');
	CHECK("%-5d|%05d|%+.3d|% d", 42, -42, 7, 9);
	CHECK("%lu %lx %llx %zu", 123456789UL, 0xabcUL, 0xfedcba9876543210ULL,
	      (size_t)77);
}

Test(lib_format, truncation_counts_full_length_and_terminates)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	cr_assert_eq(ksnprintf(buf, 5, "%s", "abcdefgh"), 8);
	cr_assert_str_eq(buf, "abcd");
	cr_assert_eq(buf[5], 'Z', "wrote past the given size");
	cr_assert_eq(ksnprintf(buf, 1, "%d", 12345), 5);
	cr_assert_str_eq(buf, "");
	buf[0] = 'Q';
	cr_assert_eq(ksnprintf(buf, 0, "%d", 12345), 5);
	cr_assert_eq(buf[0], 'Q', "size 0 must not write");
}

Test(lib_format, scnprintf_returns_stored_length)
{
	char buf[6];

	cr_assert_eq(kscnprintf(buf, sizeof(buf), "%s", "abcdefgh"), 5);
	cr_assert_eq(kscnprintf(buf, sizeof(buf), "%d", 12), 2);
	cr_assert_eq(kscnprintf(buf, 0, "%d", 12), 0);
}
