/* printk: console threshold, timestamps, and the log ring. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/printk.h"
#include "support/kernel.h"

static char console[8192];
static FILE *saved;

/* Points the console (stdout) at a temporary file. */
static void capture_console(void)
{
	test_machine_create(16 << 20, 0);
	saved = tmpfile();
	fflush(stdout);
	dup2(fileno(saved), STDOUT_FILENO);
}

static const char *console_text(void)
{
	size_t n;

	fflush(stdout);
	rewind(saved);
	n = fread(console, 1, sizeof(console) - 1, saved);
	console[n] = '\0';
	return console;
}

Test(lib_printk, threshold_filters_console_but_not_the_log,
     .init = capture_console)
{
	static char log[65536];

	printk_set_console_level(LOG_WARNING); /* errors and worse print */
	pr_err("error %d", 1);
	pr_info("info %d", 2);
	pr_debug("debug %d", 3);
	console_text();
	cr_assert_not_null(strstr(console, "error 1\n"));
	cr_assert_null(strstr(console, "info 2"));
	cr_assert_null(strstr(console, "debug 3"));
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
	cr_assert_eq(sscanf(console_text(), "[%lu.%6lu] %31s", &seconds,
			    &micros, text), 3, "%s", console);
	cr_assert_str_eq(text, "hello");
	cr_assert_eq(console[strlen(console) - 1], '\n');
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
