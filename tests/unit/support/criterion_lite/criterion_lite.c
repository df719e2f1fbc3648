/*
 * The criterion_lite runner: runs each registered test in a forked child
 * and checks how the child ended against the test's expectations.
 * Arguments: --filter=SUITE::NAME-GLOB (others, like --jobs, are ignored).
 */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAILURE_STATUS 101

static struct cr_lite_test *tests;

void cr_lite_register(struct cr_lite_test *test)
{
	test->next = tests;
	tests = test;
}

void cr_lite_report(const char *file, int line, const char *condition)
{
	fprintf(stderr, "[----] %s:%d: assertion failed: %s\n", file, line,
		condition);
}

void cr_lite_fail(const char *file, int line, const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "[----] %s:%d: ", file, line);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	fflush(NULL);
	_exit(FAILURE_STATUS);
}

static void run_child(const struct cr_lite_test *test)
{
	if (test->options.init)
		test->options.init();
	test->function();
	if (test->options.fini)
		test->options.fini();
	fflush(NULL);
	_exit(0);
}

/* Whether the child's wait status is what the test expects. */
static bool ended_as_expected(const struct cr_lite_test *test, int status)
{
	if (test->options.signal)
		return WIFSIGNALED(status) &&
		       WTERMSIG(status) == test->options.signal;
	if (!WIFEXITED(status))
		return false;
	return WEXITSTATUS(status) == test->options.exit_code;
}

static bool run_test(const struct cr_lite_test *test)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0)
		run_child(test);
	if (waitpid(pid, &status, 0) < 0)
		return false;
	if (ended_as_expected(test, status)) {
		printf("[PASS] %s::%s\n", test->suite, test->name);
		return true;
	}
	printf("[FAIL] %s::%s (%s %d)\n", test->suite, test->name,
	       WIFSIGNALED(status) ? "signal" : "exit status",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return false;
}

int main(int argc, char **argv)
{
	const char *filter = "*";
	int passed = 0, failed = 0;
	char full_name[256];

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--filter=", 9) == 0)
			filter = argv[i] + 9;
	for (const struct cr_lite_test *t = tests; t; t = t->next) {
		snprintf(full_name, sizeof(full_name), "%s::%s", t->suite, t->name);
		if (t->options.disabled || fnmatch(filter, full_name, 0) != 0)
			continue;
		if (run_test(t))
			passed++;
		else
			failed++;
	}
	printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d\n",
	       passed + failed, passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
