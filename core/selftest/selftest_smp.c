/*
 * Every online CPU takes part: a counter bumped under one spinlock by a
 * thread pinned to each CPU, the same under a sleeping mutex by two
 * threads per CPU, a cross-CPU call (an IPI) to each CPU, and the one-shot
 * timer waking a sleeping thread.
 */
#include "core/cpu/call.h"
#include "core/hal/cpu.h"
#include "core/hal/time.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/selftest/selftest.h"
#include "core/sync/mutex.h"
#include "core/sync/spinlock.h"

#define INCREMENTS 2000	/* ticket locks crawl on overcommitted TCG vCPUs */

static struct spinlock counter_lock =
	SPINLOCK_INIT("selftest-counter", LOCK_RANK_CPU_CALL); /* a leaf */
static uint64_t counter;			/* under counter_lock */
static unsigned int ran_on[HAL_MAX_CPUS];	/* CPU each worker saw */

static int count_worker(void *arg)
{
	unsigned int slot = (unsigned int)(uintptr_t)arg;

	ran_on[slot] = hal_cpu_id();
	for (int i = 0; i < INCREMENTS; i++) {
		irq_flags_t flags = spin_lock_irqsave(&counter_lock);

		counter++;
		spin_unlock_irqrestore(&counter_lock, flags);
		if (i % 1024 == 0)
			sched_preempt_point();
	}
	return 0;
}

/* Starts a worker pinned to `cpu`; returns it or an ERR_PTR. */
static struct thread *start_pinned(unsigned int cpu)
{
	struct thread *worker = thread_create("selftest-count", count_worker,
					      (void *)(uintptr_t)cpu);

	if (IS_ERR(worker))
		return worker;
	if (thread_set_affinity(worker, CPUMASK_OF(cpu)) < 0) {
		thread_put(worker);
		return ERR_PTR(-EINVAL);
	}
	thread_start(worker);
	return worker;
}

static int spinlock_counter(void)
{
	struct thread *workers[HAL_MAX_CPUS] = { 0 };
	cpumask_t online = sched_online_mask();
	unsigned int started = 0;
	int result = 0;

	counter = 0;
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (!(online & CPUMASK_OF(cpu)))
			continue;
		workers[cpu] = start_pinned(cpu);
		if (IS_ERR(workers[cpu])) {
			workers[cpu] = NULL;
			result = selftest_fail("cannot start a worker on CPU %u", cpu);
			continue;
		}
		started++;
	}
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (workers[cpu] == NULL)
			continue;
		thread_join(workers[cpu], NULL);
		if (result == 0 && ran_on[cpu] != cpu)
			result = selftest_fail("worker for CPU %u ran on CPU %u",
					       cpu, ran_on[cpu]);
	}
	if (result == 0 && counter != (uint64_t)started * INCREMENTS)
		result = selftest_fail("counter %llu, expected %llu",
				       (unsigned long long)counter,
				       (unsigned long long)started * INCREMENTS);
	return result;
}

#define MUTEX_WORKERS_PER_CPU 2
#define MUTEX_ROUNDS 500

static struct mutex counter_mutex =
	MUTEX_INIT(counter_mutex, "selftest-mutex", LOCK_RANK_MUTEX);
static uint64_t mutex_counter;		/* under counter_mutex */
static cpumask_t mutex_cpus_seen;	/* atomic: CPUs a worker ran on */

/*
 * Holds the mutex across a reschedule now and then, so waiters really
 * sleep and the lock is handed over through its FIFO grant.
 */
static int mutex_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < MUTEX_ROUNDS; i++) {
		uint64_t value;

		__atomic_fetch_or(&mutex_cpus_seen, CPUMASK_OF(hal_cpu_id()),
				  __ATOMIC_RELAXED);
		mutex_lock(&counter_mutex);
		value = mutex_counter;
		if (i % 50 == 0)
			thread_yield();
		mutex_counter = value + 1;
		mutex_unlock(&counter_mutex);
	}
	return 0;
}

/*
 * Starts two workers on every CPU: the first stays pinned there, so every
 * CPU runs mutex code; the second is let go at once, to migrate freely.
 */
static int mutex_counter_test(void)
{
	struct thread *workers[HAL_MAX_CPUS * MUTEX_WORKERS_PER_CPU];
	cpumask_t online = sched_online_mask();
	unsigned int count = 0;
	int result = 0;

	mutex_counter = 0;
	mutex_cpus_seen = 0;
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		for (int n = 0; (online & CPUMASK_OF(cpu)) &&
				n < MUTEX_WORKERS_PER_CPU; n++) {
			struct thread *worker = thread_create(
				"selftest-mutex", mutex_worker, NULL);

			if (IS_ERR(worker))
				return selftest_fail("cannot create a worker");
			thread_set_affinity(worker, CPUMASK_OF(cpu));
			thread_start(worker);
			workers[count++] = worker;
		}
	}
	for (unsigned int i = 1; i < count; i += MUTEX_WORKERS_PER_CPU)
		thread_set_affinity(workers[i], CPUMASK_ALL);
	for (unsigned int i = 0; i < count; i++)
		thread_join(workers[i], NULL);
	if (mutex_counter != (uint64_t)count * MUTEX_ROUNDS)
		result = selftest_fail("counter %llu, expected %llu",
				       (unsigned long long)mutex_counter,
				       (unsigned long long)count * MUTEX_ROUNDS);
	else if (mutex_cpus_seen != online)
		result = selftest_fail("workers ran on CPUs %#llx of %#llx",
				       (unsigned long long)mutex_cpus_seen,
				       (unsigned long long)online);
	else if (mutex_is_locked(&counter_mutex))
		result = selftest_fail("the mutex is still held");
	return result;
}

static unsigned int ipi_hits[HAL_MAX_CPUS];	/* atomic */

static void record_cpu(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ipi_hits[hal_cpu_id()], 1, __ATOMIC_RELAXED);
}

static int ipi_every_cpu(void)
{
	cpumask_t online = sched_online_mask();
	unsigned int ran;

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++)
		ipi_hits[cpu] = 0;
	ran = cpu_call_all(record_cpu, NULL);
	if (ran != (unsigned int)__builtin_popcountll(online))
		return selftest_fail("ran on %u CPUs, %u online", ran,
				     (unsigned int)__builtin_popcountll(online));
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		unsigned int expected = (online & CPUMASK_OF(cpu)) ? 1 : 0;

		if (__atomic_load_n(&ipi_hits[cpu], __ATOMIC_RELAXED) != expected)
			return selftest_fail("CPU %u ran the call %u times", cpu,
					     ipi_hits[cpu]);
	}
	/* One by one as well: each target must be the CPU that runs it. */
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if ((online & CPUMASK_OF(cpu)) && cpu_call(cpu, record_cpu, NULL))
			return selftest_fail("cpu_call to CPU %u failed", cpu);
		if (ipi_hits[cpu] != ((online & CPUMASK_OF(cpu)) ? 2u : 0u))
			return selftest_fail("CPU %u: %u calls after cpu_call",
					     cpu, ipi_hits[cpu]);
	}
	if (cpu_call(HAL_MAX_CPUS, record_cpu, NULL) != -EINVAL)
		return selftest_fail("a call to a missing CPU was accepted");
	return 0;
}

static int timer_sleep(void)
{
	uint64_t start = hal_clock_ns(), slept;

	sleep_ns(5000000);
	slept = hal_clock_ns() - start;
	if (slept < 5000000)
		return selftest_fail("slept %llu ns of 5 ms",
				     (unsigned long long)slept);
	if (slept > 2000000000ULL)
		return selftest_fail("a 5 ms sleep took %llu ns",
				     (unsigned long long)slept);
	return 0;
}

const struct selftest selftest_smp_tests[] = {
	{ "smp_spinlock_counter", spinlock_counter },
	{ "smp_mutex_counter", mutex_counter_test },
	{ "smp_ipi_every_cpu", ipi_every_cpu },
	{ "timer_sleep", timer_sleep },
};
const unsigned int selftest_smp_count = ARRAY_SIZE(selftest_smp_tests);
