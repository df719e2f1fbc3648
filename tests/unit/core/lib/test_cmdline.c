#include <criterion/criterion.h>
#include <string.h>

#include "core/include/uapi/errno.h"
#include "core/hal/boot.h"
#include "core/lib/cmdline.h"

Test(lib_cmdline, keys_values_flags_and_quotes)
{
	uint64_t value;

	cr_assert_eq(cmdline_parse("  quiet init=/bin/sh loglevel=0x7 "
				   "msg=\"hello world\" x=1 x=2 empty= off=0"), 0);
	cr_assert_str_eq(cmdline_get("init"), "/bin/sh");
	cr_assert_str_eq(cmdline_get("quiet"), "");
	cr_assert_str_eq(cmdline_get("msg"), "hello world");
	cr_assert_str_eq(cmdline_get("x"), "2", "the last value wins");
	cr_assert_str_eq(cmdline_get("empty"), "");
	cr_assert_null(cmdline_get("missing"));
	cr_assert_null(cmdline_get("ini"), "no prefix matches");
	cr_assert(cmdline_has_flag("quiet"));
	cr_assert_not(cmdline_has_flag("off"));
	cr_assert_eq(cmdline_get_u64("loglevel", &value), 0);
	cr_assert_eq(value, 7);
	cr_assert_eq(cmdline_get_u64("init", &value), -EINVAL);
	cr_assert_eq(cmdline_get_u64("nothere", &value), -ENOENT);
}

Test(lib_cmdline, value_may_contain_equals)
{
	cr_assert_eq(cmdline_parse("root=LABEL=boot"), 0);
	cr_assert_str_eq(cmdline_get("root"), "LABEL=boot");
}

Test(lib_cmdline, too_many_tokens_is_reported)
{
	static char line[4000];

	for (int i = 0; i < CMDLINE_MAX_TOKENS + 10; i++)
		strcat(line, "a ");
	cr_assert_eq(cmdline_parse(line), -E2BIG);
	cr_assert_str_eq(cmdline_get("a"), "");
}

Test(lib_cmdline, empty_line)
{
	cr_assert_eq(cmdline_parse(""), 0);
	cr_assert_null(cmdline_get(""));
	cr_assert_str_eq(cmdline_text(), "");
}

/* A line of the longest length boot_info carries is parsed whole. */
Test(lib_cmdline, longest_line_is_parsed)
{
	static char line[BOOT_CMDLINE_MAX];
	size_t length;

	strcpy(line, "amphi.selftest=1 a=");
	length = strlen(line);
	memset(line + length, 'x', sizeof(line) - 1 - length);
	line[sizeof(line) - 1] = '\0';
	cr_assert_eq(cmdline_parse(line), 0);
	cr_assert_str_eq(cmdline_get("amphi.selftest"), "1");
	cr_assert_eq(strlen(cmdline_get("a")), sizeof(line) - 1 - length);
}
