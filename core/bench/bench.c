/*
 * The benchmark runner: finds the suite, runs each benchmark in a driver
 * thread pinned to the lowest online CPU (so every run starts from the same
 * place, whatever CPU kmain migrated to), and prints one result line each.
 * Runs on one thread; the only shared data is a driver's job, handed over
 * by thread_start and collected after thread_join.
 */
#include "core/bench/bench.h"

#include "core/bench/bench_internal.h"
#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/cmdline.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/sched/sched.h"

/* Ends a loop even if its clock runs far slower than real time. */
#define BENCH_MAX_OPS 1000000

struct bench_suite {
	const char *name;
	const struct bench *benches;
	const unsigned int *count;
};

static const struct bench_suite suites[] = {
	{ "sched", bench_sched, &bench_sched_count },
	{ "vfs", bench_vfs, &bench_vfs_count },
	{ "usermode", bench_user, &bench_user_count },
};

/* One benchmark's run, handed to its driver thread. */
struct bench_job {
	const struct bench *bench;
	struct bench_params params;
	struct bench_result result;
	int err;
};

void bench_timer_start(struct bench_timer *timer,
		       const struct bench_params *params)
{
	*timer = (struct bench_timer){ .budget_ns = params->budget_ns,
				       .max_ops = params->max_ops,
				       .warming = true };
	timer->start_ns = hal_clock_ns();
	/* The warm-up may take a whole budget before it counts as failed. */
	timer->deadline_ns = timer->start_ns + timer->budget_ns;
}

/* Slow operations (sanitizer builds) get a warm-up of time instead. */
static bool is_warm(const struct bench_timer *timer, uint64_t now,
		    uint64_t ops)
{
	return ops >= BENCH_WARMUP_OPS ||
	       (ops > 0 && now - timer->start_ns >= timer->budget_ns / 8);
}

bool bench_timer_expired(struct bench_timer *timer, uint64_t ops)
{
	uint64_t now;

	if (++timer->calls % BENCH_CHECK_CALLS != 0)
		return false;
	now = hal_clock_ns();
	if (timer->warming && is_warm(timer, now, ops)) {
		timer->warming = false;
		timer->start_ns = now;
		timer->deadline_ns = now + timer->budget_ns;
		timer->base_ops = ops;
		return false;
	}
	/* A clock that stands still (hosted --clock virtual) cannot time. */
	if (now == timer->start_ns && ops - timer->base_ops >= BENCH_WARMUP_OPS)
		timer->stalled = true;
	else if (now < timer->deadline_ns &&
		 ops - timer->base_ops < timer->max_ops)
		return false;
	timer->end_ns = now;
	return true;
}

int bench_timer_result(const struct bench_timer *timer, uint64_t ops,
		       struct bench_result *result)
{
	if (timer->warming)
		return -ETIMEDOUT;
	if (timer->stalled)
		return -ERANGE;
	result->elapsed_ns = timer->end_ns - timer->start_ns;
	result->ops = ops - timer->base_ops;
	return 0;
}

struct thread *bench_thread_start(const char *name, int (*entry)(void *arg),
				  void *arg, unsigned int cpu)
{
	struct thread *thread = thread_create(name, entry, arg);
	int err;

	if (IS_ERR(thread))
		return thread;
	err = thread_set_affinity(thread, CPUMASK_OF(cpu));
	if (err < 0) {
		thread_put(thread);
		return ERR_PTR(err);
	}
	thread_start(thread);
	return thread;
}

static int bench_driver(void *arg)
{
	struct bench_job *job = arg;

	job->err = job->bench->run(&job->params, &job->result);
	return 0;
}

/* Runs one benchmark in a pinned driver thread. Returns 0 or -errno. */
static int run_one(struct bench_job *job)
{
	unsigned int cpu = (unsigned int)__builtin_ctzll(sched_online_mask());
	struct thread *driver;

	driver = bench_thread_start("bench", bench_driver, job, cpu);
	if (IS_ERR(driver))
		return (int)PTR_ERR(driver);
	thread_join(driver, NULL);
	/* No figure can be made of nothing (and report() divides by ops). */
	if (job->err == 0 && (job->result.ops == 0 || job->result.elapsed_ns == 0))
		return -ERANGE;
	return job->err;
}

/* Why a benchmark could not run, for the codes the timer and runner use. */
static const char *error_text(int err)
{
	switch (err) {
	case -ERANGE: return "the clock did not advance";
	case -ETIMEDOUT: return "no operation finished in time";
	case -ENOMEM: return "out of memory";
	case -ENOSYS: return "not available on this platform";
	}
	return "error";
}

/* Prints the result line; returns true if the benchmark ran. */
static bool report(const struct bench_job *job, int err)
{
	const struct bench_result *result = &job->result;

	if (err < 0) {
		printk(LOG_ERR, "bench: %s failed: %s (%d)", job->bench->name,
		       error_text(err), err);
		return false;
	}
	printk(LOG_NOTICE, "bench: %s ns_per_op=%llu ops=%llu cpus=%u",
	       job->bench->name,
	       (unsigned long long)((result->elapsed_ns + result->ops / 2) /
				    result->ops),
	       (unsigned long long)result->ops, result->cpus);
	return true;
}

/* The measuring time from `amphi.bench_ms`; 0 if it is malformed. */
static uint64_t budget_from_cmdline(void)
{
	uint64_t ms = BENCH_DEFAULT_MS;
	int err = cmdline_get_u64("amphi.bench_ms", &ms);

	if ((err < 0 && err != -ENOENT) || ms == 0 || ms > BENCH_MAX_MS)
		return 0;
	return ms * 1000000;
}

static const struct bench_suite *find_suite(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (kstrcmp(suites[i].name, name) == 0)
			return &suites[i];
	}
	return NULL;
}

int bench_run(const char *suite_name)
{
	const struct bench_suite *suite = find_suite(suite_name);
	struct bench_params params = { .budget_ns = budget_from_cmdline(),
				       .max_ops = BENCH_MAX_OPS };
	unsigned int failed = 0;

	if (suite == NULL) {
		printk(LOG_ERR,
		       "bench: unknown suite '%s' (suites: sched, vfs, usermode)",
		       suite_name);
		return -EINVAL;
	}
	if (params.budget_ns == 0) {
		printk(LOG_ERR, "bench: amphi.bench_ms must be 1 to %d",
		       BENCH_MAX_MS);
		return -EINVAL;
	}
	printk(LOG_NOTICE, "bench: suite %s on %u CPU%s, %llu ms each",
	       suite->name, sched_online_count(),
	       sched_online_count() == 1 ? "" : "s",
	       (unsigned long long)(params.budget_ns / 1000000));
	for (unsigned int i = 0; i < *suite->count; i++) {
		struct bench_job job = { .bench = &suite->benches[i],
					 .params = params };

		if (!report(&job, run_one(&job)))
			failed++;
	}
	printk(LOG_NOTICE, "bench: done");
	return (int)failed;
}
