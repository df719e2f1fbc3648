/*
 * Inputs run by real tasks: the kernel the syscalls and sigframe
 * harnesses share (docs/fuzzing.md). It boots once: a read-only tmpfs
 * root with devtmpfs (no console), devpts and procfs, and pid 1, a
 * scripted task that waits for an input, forks its first task and reaps
 * everything until no child is left. Per input: a fresh tmpfs on /tmp (a
 * file, a directory, a symlink and a FIFO in it), the run up to a
 * virtual-time budget, SIGKILL for what is left, /tmp unmounted (a
 * reference left behind is a leak), init's limits, comm and the host name
 * put back, then the invariants (invariants.h) against the baseline.
 *
 * The harness's tasks are script states FUZZ_STATE(role, position) of
 * the one script: the harness gives meaning to roles below
 * FUZZ_ROLE_INIT; its first task starts as role 0, position 0. A failure
 * goes to the harness's report(), which prints the input and aborts.
 *
 * Threads: the harness thread (libFuzzer's, CPU 0's boot thread) and the
 * tasks' kernel threads, handing over through completions on one CPU.
 */
#pragma once

#include <stdint.h>

#include "core/hal/user.h"
#include "user_layout.h"

/*
 * Script states: (role << 8 | position) << 2 | 2. The low bits are 2 so
 * that a syscall restart (rip - 2) shows as 0: make the same call again.
 */
#define FUZZ_STATE(role, position) \
	((uint32_t)(((role) << 8 | (position)) << 2 | 2))
#define FUZZ_ROLE_INIT 0xffu
/* Virtual time an input may run before what is left is killed. */
#define FUZZ_RUN_BUDGET_NS 1000000000ULL

struct fuzz_tasks_harness {
	/* The next stop of a task in `role` (< FUZZ_ROLE_INIT); returns 0. */
	int (*step)(struct user_ctx *ctx, struct trap *trap, unsigned int role,
		    unsigned int position);
	/* Resets the harness's per-run state; before every run of an input. */
	void (*begin)(void);
	/* Prints what went wrong and the input, then aborts. */
	__attribute__((noreturn)) void (*report)(const char *what,
						 const char *detail);
};

/* Boots the kernel and init for `harness` (once) and takes the baseline. */
void fuzz_tasks_boot(const struct fuzz_tasks_harness *harness);

/*
 * Runs one input (harness->begin, then its first task until every task
 * is reaped) and checks the invariants; reports any failure.
 */
void fuzz_tasks_run_input(void);

/* The user address a task jumps to for script state `state`. */
uint64_t fuzz_tasks_rip(uint32_t state);
