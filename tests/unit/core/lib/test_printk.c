/* printk: console threshold, timestamps, and the log ring. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/printk.h"
#include "support/console.h"
#include "support/kernel.h"

/* Points the console (stdout) at a temporary file. */
static void capture_console(void)
{
	test_machine_create(16 << 20, 0);
	test_console_capture();
}

Test(lib_printk, threshold_filters_console_but_not_the_log,
     .init = capture_console)
{
	static char log[65536];

	printk_set_console_level(LOG_WARNING); /* errors and worse print */
	pr_err("error %d", 1);
	pr_info("info %d", 2);
	pr_debug("debug %d", 3);
	cr_assert_not_null(strstr(test_console_text(), "error 1\n"));
	cr_assert_null(strstr(test_console_text(), "info 2"));
	cr_assert_null(strstr(test_console_text(), "debug 3"));
	printk_log_read(log, sizeof(log));
	cr_assert_not_null(strstr(log, "error 1\n"));
	cr_assert_not_null(strstr(log, "info 2\n"), "the ring keeps every level");
	cr_assert_not_null(strstr(log, "debug 3\n"));
}

Test(lib_printk, lines_are_timestamped_and_terminated, .init = capture_console)
{
	unsigned long seconds, micros;
	char text[32];

	printk_set_console_level(LOG_DEBUG + 1);
	pr_notice("hello");
	cr_assert_eq(sscanf(test_console_text(), "[%lu.%6lu] %31s", &seconds,
			    &micros, text), 3, "%s", test_console_text());
	cr_assert_str_eq(text, "hello");
	cr_assert_eq(test_console_text()[strlen(test_console_text()) - 1], '\n');
}

Test(lib_printk, log_ring_keeps_the_newest_text, .init = capture_console)
{
	static char log[256];
	size_t n;

	printk_set_console_level(0);
	for (int i = 0; i < 5000; i++)
		pr_info("line %04d", i);
	n = printk_log_read(log, sizeof(log));
	cr_assert_eq(n, sizeof(log) - 1);
	cr_assert_not_null(strstr(log, "line 4999\n"));
	cr_assert_eq(printk_log_read(log, 0), 0);
}
