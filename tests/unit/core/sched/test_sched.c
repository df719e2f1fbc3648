/*
 * The scheduler on simulated CPUs: thread lifecycle, fairness by weight,
 * affinity, spreading work across CPUs, statistics, determinism of the
 * virtual-clock mode, and bad input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sync/mutex.h"
#include "support/kernel.h"

static int return_argument(void *arg)
{
	return (int)(intptr_t)arg;
}

Test(sched, threads_run_and_join_with_exit_codes)
{
	struct thread *threads[20];
	unsigned long baseline;

	test_kernel_sched_init(2, false);
	baseline = thread_count();
	for (int i = 0; i < 20; i++) {
		threads[i] = thread_create("worker", return_argument,
					   (void *)(intptr_t)(i * 3));
		cr_assert(!IS_ERR(threads[i]));
		thread_start(threads[i]);
	}
	for (int i = 0; i < 20; i++) {
		int code = -1;

		cr_assert_eq(thread_join(threads[i], &code), 0);
		cr_assert_eq(code, i * 3);
	}
	cr_assert(test_wait_thread_count(baseline), "dead threads not freed");
}

/* /proc/loadavg's and sysinfo's total leaves out exactly the idle threads. */
Test(sched, nonidle_count_leaves_out_idle_threads)
{
	struct thread *thread;
	unsigned long nonidle;

	test_kernel_sched_init(3, false);
	cr_assert_eq(thread_count() - thread_count_nonidle(), 3);
	nonidle = thread_count_nonidle();
	thread = thread_create("worker", return_argument, NULL);
	cr_assert(!IS_ERR(thread));
	cr_assert_eq(thread_count_nonidle(), nonidle + 1);
	thread_start(thread);
	cr_assert_eq(thread_join(thread, NULL), 0);
	cr_assert(test_wait_thread_count(nonidle + 3), "dead thread not freed");
	cr_assert_eq(thread_count_nonidle(), nonidle);
}

/* Burns CPU until the shared deadline, passing preemption points. */
static int spin_until(void *arg)
{
	uint64_t end = *(uint64_t *)arg;
	volatile uint64_t sink = 0;

	while (hal_clock_ns() < end) {
		for (int i = 0; i < 200; i++)
			sink += (uint64_t)i;
		sched_preempt_point();
	}
	return 0;
}

/* Runs one spinning thread per nice level on CPU 0; stores CPU time each got. */
static void run_spinners(const int *nices, int count, uint64_t *runtime)
{
	struct thread *threads[8];
	uint64_t end = hal_clock_ns() + 500000000ULL;

	for (int i = 0; i < count; i++) {
		threads[i] = thread_create("spinner", spin_until, &end);
		cr_assert_eq(thread_set_affinity(threads[i], CPUMASK_OF(0)), 0);
		cr_assert_eq(thread_set_nice(threads[i], nices[i]), 0);
	}
	for (int i = 0; i < count; i++)
		thread_start(threads[i]);
	for (int i = 0; i < count; i++) {
		wait_for_completion(&threads[i]->done);
		runtime[i] = threads[i]->runtime_ns;
		thread_join(threads[i], NULL);
	}
}

/* The share furthest from 1/count, as a fraction of 1/count. */
static double worst_deviation(const uint64_t *runtime, int count)
{
	uint64_t total = 0;
	double worst = 0;

	for (int i = 0; i < count; i++)
		total += runtime[i];
	for (int i = 0; i < count; i++) {
		double share = (double)runtime[i] * count / (double)total;
		double off = share > 1 ? share - 1 : 1 - share;

		worst = off > worst ? off : worst;
	}
	return worst;
}

/*
 * Runtime is host time, so a host that preempts the simulated CPU (CI runs
 * tests side by side on two cores) charges the stolen time to whichever
 * thread was current. A fair scheduler comes within 5% in at least one of
 * three runs on such a host; an unfair one never does.
 */
Test(sched, equal_nice_threads_get_equal_shares)
{
	const int nices[4] = { 0, 0, 0, 0 };
	uint64_t runtime[4];
	double best = 1;

	test_kernel_sched_init(1, false);
	for (int attempt = 0; attempt < 3 && best >= 0.05; attempt++) {
		double worst;

		run_spinners(nices, 4, runtime);
		worst = worst_deviation(runtime, 4);
		best = worst < best ? worst : best;
	}
	cr_assert_lt(best, 0.05, "a share was %.1f%% off 25%% in every run",
		     best * 100);
}

/* Whether nice 0 vs 5 and -5 vs 0 each came out near 1.25^5 (about 3x). */
static bool shares_follow_nice(const uint64_t *runtime, double *lower,
			       double *higher)
{
	*lower = (double)runtime[0] / (double)runtime[1];
	*higher = (double)runtime[2] / (double)runtime[0];
	return *lower > 2.0 && *lower < 4.5 && *higher > 2.0 && *higher < 4.5;
}

/* Best of three runs, for the same reason as the equal-shares test. */
Test(sched, nice_levels_change_shares_in_the_right_direction)
{
	const int nices[3] = { 0, 5, -5 };
	uint64_t runtime[3];
	double lower = 0, higher = 0;
	bool good = false;

	test_kernel_sched_init(1, false);
	for (int attempt = 0; attempt < 3 && !good; attempt++) {
		run_spinners(nices, 3, runtime);
		good = shares_follow_nice(runtime, &lower, &higher);
	}
	cr_assert(good, "nice 0 / nice 5 = %.2f, nice -5 / nice 0 = %.2f",
		  lower, higher);
}

static int record_cpus(void *arg)
{
	cpumask_t *seen = arg;

	for (int i = 0; i < 50; i++) {
		*seen |= CPUMASK_OF(hal_cpu_id());
		if (i % 2)
			thread_yield();
		else
			sleep_ns(100000);
	}
	return 0;
}

Test(sched, affinity_pins_a_thread_through_sleeps_and_yields)
{
	cpumask_t seen = 0;
	struct thread *thread;

	test_kernel_sched_init(4, false);
	thread = thread_create("pinned", record_cpus, &seen);
	cr_assert_eq(thread_set_affinity(thread, CPUMASK_OF(2)), 0);
	thread_start(thread);
	thread_join(thread, NULL);
	cr_assert_eq(seen, CPUMASK_OF(2));
}

static int move_self(void *arg)
{
	unsigned int *where = arg;

	cr_assert_eq(thread_set_affinity(thread_current(), CPUMASK_OF(3)), 0);
	thread_yield();
	*where = hal_cpu_id();
	return 0;
}

Test(sched, affinity_change_moves_a_running_thread)
{
	unsigned int where = 99;
	struct thread *thread;

	test_kernel_sched_init(4, false);
	thread = thread_create("mover", move_self, &where);
	cr_assert_eq(thread_set_affinity(thread, CPUMASK_OF(1)), 0);
	thread_start(thread);
	thread_join(thread, NULL);
	cr_assert_eq(where, 3);
}

static int spin_and_record(void *arg)
{
	cpumask_t *seen = arg;
	uint64_t end = hal_clock_ns() + 100000000ULL;

	while (hal_clock_ns() < end) {
		__atomic_fetch_or(seen, CPUMASK_OF(hal_cpu_id()), __ATOMIC_RELAXED);
		sched_preempt_point();
	}
	return 0;
}

Test(sched, idle_cpus_pull_work_from_a_busy_one)
{
	struct thread *threads[8];
	struct sched_cpu_stats stats;
	uint64_t migrations = 0;
	cpumask_t seen = 0;

	test_kernel_sched_init(4, false);
	/* All start on CPU 0; freeing the affinity lets idle CPUs pull them. */
	for (int i = 0; i < 8; i++) {
		threads[i] = thread_create("busy", spin_and_record, &seen);
		thread_set_affinity(threads[i], CPUMASK_OF(0));
		thread_start(threads[i]);
	}
	for (int i = 0; i < 8; i++)
		thread_set_affinity(threads[i], CPUMASK_ALL);
	for (int i = 0; i < 8; i++)
		thread_join(threads[i], NULL);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		sched_get_cpu_stats(cpu, &stats);
		migrations += stats.migrations;
	}
	cr_assert_eq(seen, 0xf, "threads ran on CPUs %#llx",
		     (unsigned long long)seen);
	cr_assert_gt(migrations, 0, "the idle CPUs pulled threads over");
}

Test(sched, statistics_count_switches_and_idle_time)
{
	struct sched_cpu_stats before, after, idle_cpu;

	test_kernel_sched_init(2, false);
	sched_get_cpu_stats(0, &before);
	/* 1 ms: long enough that no sleep is over before the thread blocks. */
	for (int i = 0; i < 10; i++)
		sleep_ns(1000000);
	sched_get_cpu_stats(0, &after);
	sched_get_cpu_stats(1, &idle_cpu);
	cr_assert_geq(after.context_switches, before.context_switches + 20,
		      "each sleep switches to idle and back (%llu -> %llu, cpu1 %llu)", (unsigned long long)before.context_switches, (unsigned long long)after.context_switches, (unsigned long long)idle_cpu.context_switches);
	cr_assert_gt(after.idle_ns, before.idle_ns);
	cr_assert_gt(idle_cpu.idle_ns, 1000000, "CPU 1 idled the whole time");
	cr_assert(idle_cpu.online);
	sched_get_cpu_stats(7, &idle_cpu);
	cr_assert_not(idle_cpu.online);
}

Test(sched, bad_requests_are_refused)
{
	struct thread *thread;

	test_kernel_sched_init(2, false);
	thread = thread_create("never", return_argument, NULL);
	cr_assert_eq(thread_set_affinity(thread, CPUMASK_OF(40)), -EINVAL,
		     "CPU 40 does not exist");
	cr_assert_eq(thread_set_affinity(thread, 0), -EINVAL);
	cr_assert_eq(thread_set_nice(thread, 20), -EINVAL);
	cr_assert_eq(thread_set_nice(thread, -21), -EINVAL);
	cr_assert_eq(thread_join(thread, NULL), -EINVAL, "never started");
	cr_assert_eq(thread_join(thread_current(), NULL), -EDEADLK);
	thread_put(thread);
}

/*
 * The deterministic scenario: threads that sleep, yield and contend for a
 * mutex on one CPU with the virtual clock. Writes the schedule trace.
 */
static struct mutex scenario_lock;
static int scenario_counter;

static int scenario_thread(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < 20; i++) {
		mutex_lock(&scenario_lock);
		scenario_counter += id;
		if ((i + id) % 3 == 0)
			thread_yield();
		mutex_unlock(&scenario_lock);
		sleep_ns((uint64_t)(id * 1000 + i * 500));
	}
	return 0;
}

static void run_scenario(int output_fd)
{
	static char trace[65536];
	struct thread *threads[5];
	size_t length;

	test_kernel_sched_init(1, true);
	mutex_init(&scenario_lock, "scenario", LOCK_RANK_MUTEX);
	sched_trace_start(trace, sizeof(trace));
	for (int i = 0; i < 5; i++) {
		threads[i] = thread_create("scenario", scenario_thread,
					   (void *)(intptr_t)(i + 1));
		thread_start(threads[i]);
	}
	for (int i = 0; i < 5; i++)
		thread_join(threads[i], NULL);
	length = sched_trace_stop();
	dprintf(output_fd, "%d %llu %s", scenario_counter,
		(unsigned long long)hal_clock_ns(), trace);
	(void)length;
}

/* Runs the scenario in a fresh kernel in a child process; returns its output. */
static void scenario_in_child(char *out, size_t size)
{
	int fds[2], status;
	ssize_t n, used = 0;

	cr_assert_eq(pipe(fds), 0);
	if (fork() == 0) {
		close(fds[0]);
		run_scenario(fds[1]);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + used, size - 1 - (size_t)used)) > 0)
		used += n;
	out[used] = '\0';
	close(fds[0]);
	wait(&status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(sched, virtual_clock_runs_repeat_exactly)
{
	static char first[70000], second[70000];

	scenario_in_child(first, sizeof(first));
	scenario_in_child(second, sizeof(second));
	cr_assert_gt(strlen(first), 200, "trace too short: %s", first);
	cr_assert_eq(strncmp(first, "300 ", 4), 0, "counter: %.20s", first);
	cr_assert_str_eq(first, second, "two runs scheduled differently");
}
