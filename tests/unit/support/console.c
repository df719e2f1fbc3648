#include "support/console.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

static char console[65536];
static FILE *saved;

void test_console_capture(void)
{
	saved = tmpfile();
	cr_assert_not_null(saved);
	fflush(stdout);
	cr_assert_geq(dup2(fileno(saved), STDOUT_FILENO), 0);
}

const char *test_console_text(void)
{
	size_t n;

	fflush(stdout);
	rewind(saved);
	n = fread(console, 1, sizeof(console) - 1, saved);
	console[n] = '\0';
	return console;
}
