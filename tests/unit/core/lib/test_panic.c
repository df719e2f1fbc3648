/*
 * panic() and WARN: the report names the functions on the call chain
 * (symbolized frame-pointer backtrace) and the machine stops with SIGABRT.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/lib/panic.h"
#include "support/kernel.h"

__attribute__((noinline)) void panic_test_innermost(int depth);
__attribute__((noinline)) void panic_test_outer(void);

__attribute__((noinline)) void panic_test_innermost(int depth)
{
	panic("deliberate test panic at depth %d", depth);
}

__attribute__((noinline)) void panic_test_outer(void)
{
	panic_test_innermost(3);
	__asm__ volatile(""); /* keep the call from being a tail call */
}

/* Runs fn in a child with stdout captured; returns the output, sets status. */
static char *run_captured(void (*fn)(void), int *status)
{
	static char output[16384];
	int pipefd[2];
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		test_machine_create(16 << 20, 0);
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], output + used, sizeof(output) - 1 - used)) > 0)
		used += (size_t)n;
	output[used] = '\0';
	close(pipefd[0]);
	waitpid(pid, status, 0);
	return output;
}

Test(lib_panic, report_names_the_call_chain_and_aborts)
{
	int status;
	char *out = run_captured(panic_test_outer, &status);

	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		  "panic must stop the machine with SIGABRT");
	cr_assert_not_null(strstr(out, "Kernel panic - not syncing: deliberate "
				       "test panic at depth 3"), "%s", out);
	cr_assert_not_null(strstr(out, "CPU: 0"), "%s", out);
	cr_assert_not_null(strstr(out, "] panic_test_innermost+0x"), "%s", out);
	cr_assert_not_null(strstr(out, "] panic_test_outer+0x"), "%s", out);
	cr_assert_lt(strstr(out, "panic_test_innermost"),
		     strstr(out, "panic_test_outer"), "innermost frame first");
}

static void warn_twice(void)
{
	for (int i = 0; i < 2; i++)
		WARN_ONCE(i >= 0, "only the first of %d", 2);
	WARN_ON(1 + 1 == 2);
	printf("warnings=%lu\n", warn_count());
	fflush(stdout);
}

Test(lib_panic, warnings_report_and_continue)
{
	int status;
	char *out = run_captured(warn_twice, &status);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_not_null(strstr(out, "WARNING: CPU: 0 at "), "%s", out);
	cr_assert_not_null(strstr(out, "only the first of 2"), "%s", out);
	cr_assert_not_null(strstr(out, "1 + 1 == 2"), "%s", out);
	cr_assert_not_null(strstr(out, "warnings=2"), "WARN_ONCE fired twice: %s",
			   out);
}
