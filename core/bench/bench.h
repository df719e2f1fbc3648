/*
 * In-kernel benchmarks (`amphi.bench=SUITE` on the command line), run on
 * the real machine after boot so the same code times the scheduler hosted
 * and on bare metal. Each benchmark prints one machine-readable line,
 *
 *	bench: sched.context_switch ns_per_op=N ops=N cpus=N
 *
 * (or `bench: NAME failed: error N`) and the suite ends with `bench: done`.
 * tools/bench collects these lines; docs/benchmarks.md describes them.
 * `amphi.bench_ms=N` sets the measuring time of each benchmark (default
 * BENCH_DEFAULT_MS).
 */
#pragma once

#define BENCH_DEFAULT_MS 150
#define BENCH_MAX_MS 10000

/*
 * Runs every benchmark of `suite` ("sched") on the calling thread's
 * behalf (each in a thread of its own) and prints the results. Returns
 * the number of benchmarks that could not run, or -EINVAL for an unknown
 * suite or a bad `amphi.bench_ms`. May sleep.
 */
int bench_run(const char *suite);
