#include <criterion/criterion.h>
#include <string.h>

#include "hosted.h"

static struct hosted_options options;
static char error[256];

static int parse(int argc, char **argv)
{
	error[0] = '\0';
	return hosted_parse_options(argc, argv, &options, error, sizeof(error));
}

Test(hosted_options, defaults)
{
	char *argv[] = { "amphi" };

	cr_assert_eq(parse(1, argv), 0);
	cr_assert_eq(options.mem_bytes, 256ULL << 20);
	cr_assert_eq(options.cpus, 1);
	cr_assert_null(options.initrd_path);
	cr_assert_str_eq(options.cmdline, "");
}

Test(hosted_options, values_and_kernel_command_line)
{
	char *argv[] = { "amphi", "--mem", "1G", "--cpus=8", "--initrd=x.cpio",
			 "init=/bin/sh", "--", "--mem", "quiet" };

	cr_assert_eq(parse(9, argv), 0, "%s", error);
	cr_assert_eq(options.mem_bytes, 1ULL << 30);
	cr_assert_eq(options.cpus, 8);
	cr_assert_str_eq(options.initrd_path, "x.cpio");
	cr_assert_str_eq(options.cmdline, "init=/bin/sh --mem quiet");
}

Test(hosted_options, sizes)
{
	uint64_t bytes;

	cr_assert_eq(hosted_parse_size("512", &bytes), 0);
	cr_assert_eq(bytes, 512ULL << 20, "plain numbers are MiB, as QEMU");
	cr_assert_eq(hosted_parse_size("65536K", &bytes), 0);
	cr_assert_eq(bytes, 64ULL << 20);
	cr_assert_eq(hosted_parse_size("2GiB", &bytes), 0);
	cr_assert_eq(bytes, 2ULL << 30);
	cr_assert_eq(hosted_parse_size("4096B", &bytes), 0);
	cr_assert_eq(bytes, 4096);
	cr_assert_eq(hosted_parse_size("", &bytes), -1);
	cr_assert_eq(hosted_parse_size("-5M", &bytes), -1);
	cr_assert_eq(hosted_parse_size("5T", &bytes), -1);
	cr_assert_eq(hosted_parse_size("5MM", &bytes), -1);
	cr_assert_eq(hosted_parse_size("99999999999999999999G", &bytes), -1);
	cr_assert_eq(hosted_parse_size("17179869184G", &bytes), -1, "overflow");
}

Test(hosted_options, bad_input_gives_one_line_errors)
{
	char *too_small[] = { "amphi", "--mem", "8M" };
	char *bad_cpus[] = { "amphi", "--cpus", "1x" };
	char *unknown[] = { "amphi", "--bogus" };
	char *missing[] = { "amphi", "--initrd" };

	cr_assert_eq(parse(3, too_small), -1);
	cr_assert_str_eq(error, "--mem 8M is out of range (16M to 64G)");
	cr_assert_eq(parse(3, bad_cpus), -1);
	cr_assert_str_eq(error, "invalid --cpus '1x' (1 to 64)");
	cr_assert_eq(parse(2, unknown), -1);
	cr_assert_str_eq(error, "unknown option '--bogus' (try --help)");
	cr_assert_eq(parse(2, missing), -1);
	cr_assert_str_eq(error, "option '--initrd' needs a value");
	cr_assert_null(strchr(error, '\n'));
}

Test(hosted_options, overlong_command_line_is_truncated_not_overflowed)
{
	static char word[3000];
	char *argv[] = { "amphi", word, word, "tail" };

	memset(word, 'w', sizeof(word) - 1);
	cr_assert_eq(parse(4, argv), 0);
	cr_assert(options.cmdline_truncated);
	cr_assert_lt(strlen(options.cmdline), BOOT_CMDLINE_MAX);
	cr_assert_eq(strlen(options.cmdline), strlen(word) + 5);
}
