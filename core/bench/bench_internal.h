/*
 * Shared by the benchmark runner (bench.c) and the benchmark files: the
 * benchmark table entry, its parameters and result, and the timer every
 * measuring loop uses.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sched/thread.h"

struct bench_params {
	uint64_t budget_ns;	/* measuring time, after the warm-up */
	uint64_t max_ops;	/* stops a loop whose clock does not advance */
};

struct bench_result {
	uint64_t elapsed_ns;
	uint64_t ops;		/* operations timed, warm-up excluded */
	unsigned int cpus;	/* CPUs the benchmark's threads ran on */
};

/*
 * A benchmark runs in a thread pinned to the lowest online CPU; it fills
 * `result` and returns 0, or returns -errno if it could not run.
 */
struct bench {
	const char *name;
	int (*run)(const struct bench_params *params,
		   struct bench_result *result);
};

/*
 * Times a loop: a warm-up of BENCH_WARMUP_OPS operations (or an eighth of
 * the budget, if that ends first), then params->budget_ns of measurement. The loop calls bench_timer_expired
 * once per iteration with its running operation count (which may grow by
 * more than one per iteration, or not at all); the clock is read only
 * every BENCH_CHECK_CALLS calls so cheap operations are not dominated by
 * it. The timer and its loop belong to one thread.
 */
#define BENCH_WARMUP_OPS 64
#define BENCH_CHECK_CALLS 16

struct bench_timer {
	uint64_t budget_ns, max_ops;
	uint64_t start_ns, deadline_ns, end_ns;
	uint64_t base_ops;	/* operation count when measuring began */
	uint64_t calls;
	bool warming;
	bool stalled;		/* the clock stood still while measuring */
};

void bench_timer_start(struct bench_timer *timer,
		       const struct bench_params *params);

/*
 * Whether the loop should stop: the measuring time or max_ops is used up,
 * the clock stands still, or not one operation finished within a budget.
 */
bool bench_timer_expired(struct bench_timer *timer, uint64_t ops);

/*
 * Fills the elapsed time and operation count of a loop that stopped at
 * `ops`. Returns 0, -ETIMEDOUT if the warm-up never finished, or -ERANGE
 * if the clock stood still.
 */
int bench_timer_result(const struct bench_timer *timer, uint64_t ops,
		       struct bench_result *result);

/*
 * Creates and starts a thread pinned to `cpu`. Returns it (the caller's
 * reference, for thread_join) or an ERR_PTR. May sleep.
 */
struct thread *bench_thread_start(const char *name, int (*entry)(void *arg),
				  void *arg, unsigned int cpu);

/* The benchmark table of each suite. */
extern const struct bench bench_sched[];
extern const unsigned int bench_sched_count;
extern const struct bench bench_vfs[];
extern const unsigned int bench_vfs_count;
extern const struct bench bench_user[];
extern const unsigned int bench_user_count;
