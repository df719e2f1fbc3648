/*
 * bench.h: what the bench_* programs share. Each measures one operation
 * for about a budget of wall time (CLOCK_MONOTONIC; argv[1] in ms, default
 * 300), after a short warm-up, and prints one line "name value unit". The
 * operation count is chosen by the clock, so the figure is comparable
 * between a fast host and a slow emulator.
 */
#pragma once

#include "check.h"

#include <stdint.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bench_budget_ns(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 300;

	if (ms < 1 || ms > 60000)
		ms = 300;
	return (uint64_t)ms * 1000000u;
}

/*
 * bench_run(op, context, budget): runs op(context) in batches until the
 * budget is spent (after a warm-up of a tenth of it); returns the mean ns
 * per call. Batches double from 1 so slow operations are timed too.
 */
static inline uint64_t bench_run(void (*op)(void *), void *context,
				 uint64_t budget)
{
	uint64_t start = bench_now_ns(), calls = 0, batch = 1;

	while (bench_now_ns() - start < budget / 10)
		op(context);
	start = bench_now_ns();
	uint64_t elapsed = 0;
	while (elapsed < budget) {
		for (uint64_t i = 0; i < batch; i++)
			op(context);
		calls += batch;
		if (batch < 4096)
			batch *= 2;
		elapsed = bench_now_ns() - start;
	}
	return elapsed / calls;
}
