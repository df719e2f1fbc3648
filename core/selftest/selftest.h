/*
 * The in-kernel self-tests (`amphi.selftest=1` on the command line): a
 * small KUnit-like suite run on the real machine after boot, on every
 * online CPU: allocator stress on real RAM, a spinlock-protected counter
 * bumped by every CPU, cross-CPU calls (IPIs) to every CPU, the one-shot
 * timer, user code (ring 3 on x86_64). Each test prints a [PASS]/[FAIL]
 * line, or [SKIP] with the reason where the platform lacks what it needs;
 * the suite ends with `selftest: N passed, N failed, N skipped`. `amphi.selftest=panic` (or another mode
 * of selftest_fault) instead faults on purpose, to check the fault report.
 */
#pragma once

#include "core/lib/compiler.h"

struct selftest {
	const char *name;
	int (*run)(void);	/* 0: pass; selftest_fail(): fail; SELFTEST_SKIP */
};

/* A test's return value: this platform cannot run it (not a pass). */
#define SELFTEST_SKIP 1

/*
 * Says why the running test is skipped and returns SELFTEST_SKIP, for
 * `return selftest_skip(...)`.
 */
int selftest_skip(const char *fmt, ...) __printf(1, 2);

/*
 * Reports a failed check of the running test and returns -1, for
 * `return selftest_fail(...)` in a test. Always returns -1.
 */
int selftest_fail_at(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);
#define selftest_fail(...) selftest_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Runs every test (on the calling thread; tests use the other CPUs
 * themselves) and prints the summary. Returns the number of failures.
 * May sleep.
 */
int selftest_run_all(void);

/*
 * Faults on purpose, to check the fault report and the kernel's memory
 * protection: "panic" writes to an unmapped address, "write-text" and
 * "write-rodata" write to read-only kernel pages, "exec-data" jumps into
 * a no-execute data page; "smap-read" and "smep-exec" read and run a
 * user page from the kernel (selftest_user.c). Returns -EINVAL for an
 * unknown mode (or one the platform cannot do); never returns otherwise.
 */
int selftest_fault(const char *mode);

/*
 * The user-memory modes of selftest_fault: returns 0 if the access did
 * not fault (the caller panics), -EINVAL for any other mode or where the
 * platform has no user mode.
 */
int selftest_user_fault(const char *mode);
/* The test tables of each file. */
extern const struct selftest selftest_mm_tests[];
extern const unsigned int selftest_mm_count;
extern const struct selftest selftest_smp_tests[];
extern const unsigned int selftest_smp_count;
extern const struct selftest selftest_user_tests[];
extern const unsigned int selftest_user_count;
