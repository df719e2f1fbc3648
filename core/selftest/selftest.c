/*
 * The self-test runner: walks the test tables, times each test and prints
 * KUnit-style result lines and the closing summary. Runs on one thread;
 * no shared state besides the counters, which only that thread touches.
 */
#include "core/selftest/selftest.h"

#include <stdarg.h>

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/format.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/sched/sched.h"

struct selftest_table {
	const struct selftest *tests;
	const unsigned int *count;
};

static const struct selftest_table tables[] = {
	{ selftest_mm_tests, &selftest_mm_count },
	{ selftest_smp_tests, &selftest_smp_count },
	{ selftest_user_tests, &selftest_user_count },
};

static const char *current_test;

int selftest_fail_at(const char *file, int line, const char *fmt, ...)
{
	char message[200];
	va_list args;

	va_start(args, fmt);
	kvsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	printk(LOG_ERR, "selftest: %s: check failed at %s:%d: %s",
	       current_test, file, line, message);
	return -1;
}

int selftest_skip(const char *fmt, ...)
{
	char message[200];
	va_list args;

	va_start(args, fmt);
	kvsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	printk(LOG_NOTICE, "selftest: %s: not available here: %s",
	       current_test, message);
	return SELFTEST_SKIP;
}

/* Runs one test; returns 0 (passed), SELFTEST_SKIP or -1 (failed). */
static int run_one(const struct selftest *test)
{
	uint64_t start = hal_clock_ns();
	int result;

	current_test = test->name;
	result = test->run();
	if (result != 0 && result != SELFTEST_SKIP)
		result = -1;
	printk(LOG_NOTICE, "selftest: [%s] %s (%llu ms)",
	       result == 0 ? "PASS" : result > 0 ? "SKIP" : "FAIL", test->name,
	       (unsigned long long)((hal_clock_ns() - start) / 1000000));
	return result;
}

int selftest_run_all(void)
{
	unsigned int passed = 0, failed = 0, skipped = 0;

	printk(LOG_NOTICE, "selftest: running on %u CPU%s",
	       sched_online_count(), sched_online_count() == 1 ? "" : "s");
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (unsigned int i = 0; i < *tables[t].count; i++) {
			int result = run_one(&tables[t].tests[i]);

			if (result == 0)
				passed++;
			else if (result > 0)
				skipped++;
			else
				failed++;
		}
	}
	printk(LOG_NOTICE, "selftest: %u passed, %u failed, %u skipped", passed,
	       failed, skipped);
	return (int)failed;
}

/* Two named frames, so the fault report's backtrace can be checked. */
__noinline void selftest_fault_inner(volatile unsigned long *target);
__noinline void selftest_fault_outer(void);

/* Not a leaf (it calls printk), so it has a frame record of its own. */
__noinline void selftest_fault_inner(volatile unsigned long *target)
{
	printk(LOG_NOTICE, "selftest: writing to %p", (void *)target);
	*target = 0xdead; /* the lower half is unmapped in the kernel */
	barrier();
}

__noinline void selftest_fault_outer(void)
{
	selftest_fault_inner((volatile unsigned long *)0x10);
	barrier();
}

/* An instruction in data: `ret`, never executable if data is NX. */
static unsigned char data_code[16] __aligned(16) = { 0xc3 };
static const unsigned long rodata_word = 0x1234;

/* Writes through a pointer the compiler cannot see the target of. */
static __noinline void write_to(volatile void *target)
{
	printk(LOG_NOTICE, "selftest: writing to %p", target);
	*(volatile unsigned char *)target = 0xcc;
	barrier();
}

int selftest_fault(const char *mode)
{
	void (*volatile code)(void) = (void (*)(void))(uintptr_t)data_code;

	printk(LOG_NOTICE, "selftest: faulting on purpose (%s)", mode);
	if (kstrcmp(mode, "panic") == 0)
		selftest_fault_outer();
	else if (kstrcmp(mode, "write-text") == 0)
		write_to((volatile void *)(uintptr_t)selftest_fault_outer);
	else if (kstrcmp(mode, "write-rodata") == 0)
		write_to((volatile void *)(uintptr_t)&rodata_word);
	else if (kstrcmp(mode, "exec-data") == 0)
		code();
	else if (selftest_user_fault(mode) < 0)
		return -EINVAL;
	panic("selftest: the deliberate fault (%s) did not fault", mode);
}
