#include <criterion/criterion.h>
#include <limits.h>

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"

Test(lib_string, compare_and_search)
{
	cr_assert_eq(kstrlen(""), 0);
	cr_assert_eq(kstrlen("kernel"), 6);
	cr_assert_eq(kstrnlen("kernel", 3), 3);
	cr_assert_eq(kstrcmp("abc", "abc"), 0);
	cr_assert_lt(kstrcmp("abc", "abd"), 0);
	cr_assert_gt(kstrcmp("b", "abc"), 0);
	cr_assert_gt(kstrcmp("\xff", "a"), 0, "bytes compare unsigned");
	cr_assert_eq(kstrncmp("abcdef", "abcxyz", 3), 0);
	cr_assert_str_eq(kstrchr("a/b/c", '/'), "/b/c");
	cr_assert_str_eq(kstrrchr("a/b/c", '/'), "/c");
	cr_assert_null(kstrchr("abc", 'z'));
	cr_assert_eq(kmemchr("abc", 'c', 3), (const char *)"abc" + 2);
	cr_assert(kstr_has_prefix("init=/bin/sh", "init="));
	cr_assert_not(kstr_has_prefix("in", "init"));
}

Test(lib_string, strlcpy_truncates_and_reports_length)
{
	char buf[4];

	cr_assert_eq(kstrlcpy(buf, "abcdef", sizeof(buf)), 6);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(kstrlcpy(buf, "ab", sizeof(buf)), 2);
	cr_assert_str_eq(buf, "ab");
	cr_assert_eq(kstrlcat(buf, "cd", sizeof(buf)), 4);
	cr_assert_str_eq(buf, "abc");
}

Test(lib_string, strtoull_bases_and_errors)
{
	unsigned long long v;
	long long s;

	cr_assert_eq(kstrtoull("12345", 10, &v), 0);
	cr_assert_eq(v, 12345);
	cr_assert_eq(kstrtoull("0x1F", 0, &v), 0);
	cr_assert_eq(v, 31);
	cr_assert_eq(kstrtoull("0755", 0, &v), 0);
	cr_assert_eq(v, 0755);
	cr_assert_eq(kstrtoull("0", 0, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(kstrtoull("ff", 16, &v), 0);
	cr_assert_eq(v, 255);
	cr_assert_eq(kstrtoull("18446744073709551615", 10, &v), 0);
	cr_assert_eq(v, ULLONG_MAX);
	cr_assert_eq(kstrtoull("18446744073709551616", 10, &v), -ERANGE);
	cr_assert_eq(kstrtoull("", 10, &v), -EINVAL);
	cr_assert_eq(kstrtoull("12x", 10, &v), -EINVAL);
	cr_assert_eq(kstrtoull("9", 8, &v), -EINVAL);
	cr_assert_eq(kstrtoll("-42", 10, &s), 0);
	cr_assert_eq(s, -42);
	cr_assert_eq(kstrtoll("-9223372036854775808", 10, &s), 0);
	cr_assert_eq(s, LLONG_MIN);
	cr_assert_eq(kstrtoll("9223372036854775808", 10, &s), -ERANGE);
}
