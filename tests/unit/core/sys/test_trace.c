/*
 * The strace-style tracer: lines for a set of calls compared with what
 * strace 6 prints for the same calls (the results differ where the call
 * is not implemented yet), captured from the console; the command-line
 * switch; the power-off report of unimplemented calls.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/random.h"
#include "core/lib/cmdline.h"
#include "core/sys/trace.h"
#include "support/console.h"
#include "sys_helpers.h"

#define ENOSYS_TEXT "-1 ENOSYS (Function not implemented)"
/* Flags are checked before anything else, even without a process. */
#define EINVAL_TEXT "-1 EINVAL (Invalid argument)"


static void setup(void)
{
	sys_test_setup();
	syscall_trace_set_enabled(true);
	test_console_capture();
}

/* Puts a string (NUL included) in user memory at `addr`. */
static uaddr_t user_string(uaddr_t addr, const char *text, size_t length)
{
	sys_test_write(addr, text, length);
	return addr;
}

/* Checks the first `count` console lines; returns the text after them. */
static const char *assert_first_lines(const char *const *lines, size_t count)
{
	const char *text = test_console_text();

	for (size_t i = 0; i < count; i++) {
		size_t length = strlen(lines[i]);

		cr_assert_eq(strncmp(text, lines[i], length), 0,
			     "expected\n%s\ngot\n%s", lines[i], text);
		cr_assert_eq(text[length], '\n', "line %zu ends", i);
		text += length + 1;
	}
	return text;
}

static void assert_lines(const char *const *lines, size_t count)
{
	cr_assert_str_eq(assert_first_lines(lines, count), "", "nothing more");
}

Test(sys_trace, file_calls_print_as_strace, .init = setup,
     .fini = sys_test_teardown)
{
	static const char *const expected[] = {
		"openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = "
		ENOSYS_TEXT,
		"openat(AT_FDCWD, \"/tmp/x\\ty\\\"\\1\", "
		"O_WRONLY|O_CREAT|O_TRUNC, 0644) = " ENOSYS_TEXT,
		"openat(3, \"a\", O_ACCMODE|O_TMPFILE, 0600) = " ENOSYS_TEXT,
		"write(1, \"hello\\n\", 6)                  = " ENOSYS_TEXT,
		"write(1, \"01234567890123456789012345678901\"..., 41) = "
		ENOSYS_TEXT,
		"write(1, \"\\0001\\33x\", 4)                = " ENOSYS_TEXT,
		"read(-1, 0x40000000, 64)                = " ENOSYS_TEXT,
		"unlinkat(AT_FDCWD, \"/nonexistent\", AT_REMOVEDIR|"
		"AT_RECURSIVE) = " EINVAL_TEXT,
		"mkdirat(AT_FDCWD, \"/nonexistent/d\", 000) = " ENOSYS_TEXT,
		"newfstatat(AT_FDCWD, 0x1, 0x40000000, 0) = " ENOSYS_TEXT,
	};
	uaddr_t passwd = user_string(BASE + 100, "/etc/passwd", 12);
	uaddr_t odd = user_string(BASE + 200, "/tmp/x\ty\"\001", 11);
	uaddr_t a = user_string(BASE + 300, "a", 2);
	uaddr_t hello = user_string(BASE + 400, "hello\n", 6);
	uaddr_t digits = user_string(BASE + 500, "0123456789012345678901234567"
				     "890123456789\n", 41);
	uaddr_t binary = user_string(BASE + 600, "\0001\033x", 4);
	uaddr_t gone = user_string(BASE + 700, "/nonexistent", 13);
	uaddr_t dir = user_string(BASE + 800, "/nonexistent/d", 15);

	sys_test_call(257, (uint64_t)AT_FDCWD, passwd, O_RDONLY | O_CLOEXEC,
		      0644, 0, 0);
	sys_test_call(257, (uint64_t)AT_FDCWD, odd,
		      O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0);
	sys_test_call(257, 3, a, 3 | O_TMPFILE, 0600, 0, 0);
	sys_test_call(1, 1, hello, 6, 0, 0, 0);
	sys_test_call(1, 1, digits, 41, 0, 0, 0);
	sys_test_call(1, 1, binary, 4, 0, 0, 0);
	sys_test_call(0, (uint64_t)-1, BASE, 64, 0, 0, 0);
	sys_test_call(263, (uint64_t)AT_FDCWD, gone, AT_REMOVEDIR | 0x8000, 0,
		      0, 0);
	sys_test_call(258, (uint64_t)AT_FDCWD, dir, 0, 0, 0, 0);
	sys_test_call(262, (uint64_t)AT_FDCWD, 1, BASE, 0, 0, 0);
	assert_lines(expected, sizeof(expected) / sizeof(expected[0]));
}

Test(sys_trace, memory_signal_and_unknown_calls, .init = setup,
     .fini = sys_test_teardown)
{
	static const char *const expected[] = {
		/* The first placement: 8 KiB below mmap_base (limit - 128 MiB). */
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		"MAP_ANONYMOUS, -1, 0) = 0x7efff7ffe000",
		"mmap(NULL, 8192, PROT_NONE, MAP_SHARED|MAP_FIXED|MAP_HUGETLB, "
		"5, 0x1000) = -1 EBADF (Bad file descriptor)",
		"brk(NULL)                               = 0",
		"tgkill(999999, 999999, SIGTERM)         = " ENOSYS_TEXT,
		"kill(0, 0)                              = " ENOSYS_TEXT,
		"syscall_0x190(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = " ENOSYS_TEXT,
		"syscall_0x1c3(0, 0, 0, 0, 0, 0)         = " ENOSYS_TEXT,
	};

	sys_test_call(9, 0, 8192, PROT_READ | PROT_WRITE, ANON_PRIVATE,
		      (uint64_t)-1, 0);
	sys_test_call(9, 0, 8192, PROT_NONE,
		      MAP_SHARED | MAP_FIXED | MAP_HUGETLB, 5, 0x1000);
	sys_test_call(12, 0, 0, 0, 0, 0, 0);
	sys_test_call(234, 999999, 999999, 15, 0, 0, 0);
	sys_test_call(62, 0, 0, 0, 0, 0, 0);
	sys_test_call(400, 1, 2, 3, 4, 5, 6);
	sys_test_call(451, 0, 0, 0, 0, 0, 0);
	assert_lines(expected, sizeof(expected) / sizeof(expected[0]));
}

Test(sys_trace, implemented_calls_show_results, .init = setup,
     .fini = sys_test_teardown)
{
	static const char *const expected[] = {
		"getcpu(NULL, NULL, NULL)                = 0",
		"uname(0x40000000)                       = 0",
		"uname(NULL)                             = -1 EFAULT "
		"(Bad address)",
		"getrandom(0x1000, 4, GRND_NONBLOCK)     = -1 EFAULT "
		"(Bad address)",
		"getrandom(0x40000000, 4, 0x8)           = -1 EINVAL (Invalid "
		"argument)",
	};
	uint8_t bytes[32];
	char line[256];
	const char *last;
	int length;

	sys_test_call(309, 0, 0, 0, 0, 0, 0);
	sys_test_call(63, BASE, 0, 0, 0, 0, 0);
	sys_test_call(63, 0, 0, 0, 0, 0, 0);
	sys_test_call(318, 0x1000, 4, GRND_NONBLOCK, 0, 0, 0);
	sys_test_call(318, BASE, 4, 0x8, 0, 0, 0);
	cr_assert_eq(sys_test_call(318, BASE + 1000, 40, 0, 0, 0, 0), 40);
	last = assert_first_lines(expected, sizeof(expected) /
				  sizeof(expected[0]));
	/* strace shows getrandom's bytes in hex, the first 32 of 40. */
	cr_assert_eq(vm_copy_from_user(as, bytes, BASE + 1000, 32), 0);
	length = sprintf(line, "getrandom(\"");
	for (int i = 0; i < 32; i++)
		length += sprintf(line + length, "\\x%02x", bytes[i]);
	sprintf(line + length, "\"..., 40, 0) = 40\n");
	cr_assert_str_eq(last, line);
}

Test(sys_trace, off_prints_nothing, .init = setup, .fini = sys_test_teardown)
{
	syscall_trace_set_enabled(false);
	cr_assert_eq(sys_test_call(39, 0, 0, 0, 0, 0, 0), -ENOSYS);
	cr_assert_str_eq(test_console_text(), "");
}

Test(sys_trace, poweroff_reports_unimplemented_calls, .init = setup,
     .fini = sys_test_teardown)
{
	static const char *const expected[] = {
		"acct(NULL)                              = " ENOSYS_TEXT,
		"acct(NULL)                              = " ENOSYS_TEXT,
		"clone3(NULL, 0)                         = " ENOSYS_TEXT,
		"syscall_0x3e8(0, 0, 0, 0, 0, 0)         = " ENOSYS_TEXT,
		"syscall: unimplemented acct (163): called 2 times",
		"syscall: unimplemented clone3 (435): called 1 times",
		"syscall: out-of-range numbers: called 1 times",
	};

	sys_test_call(163, 0, 0, 0, 0, 0, 0);
	sys_test_call(163, 0, 0, 0, 0, 0, 0);
	sys_test_call(435, 0, 0, 0, 0, 0, 0);
	sys_test_call(1000, 0, 0, 0, 0, 0, 0);
	syscall_trace_poweroff();
	assert_lines(expected, sizeof(expected) / sizeof(expected[0]));
}

Test(sys_trace, command_line_turns_it_on)
{
	cr_assert_eq(cmdline_parse("quiet trace=sched,syscalls"), 0);
	cr_assert(syscall_trace_enabled());
}

Test(sys_trace, off_without_the_command_line_word)
{
	cr_assert_eq(cmdline_parse("trace=syscall trace2=syscalls"), 0);
	cr_assert_not(syscall_trace_enabled());
}
