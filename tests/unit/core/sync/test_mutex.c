/*
 * Sleeping locks under contention on four simulated CPUs: counters must
 * come out exact. Plus ownership errors and FIFO hand-off.
 */
#include <criterion/criterion.h>

#include "core/include/uapi/errno.h"
#include "core/lib/panic.h"
#include "core/sched/sched.h"
#include "core/sync/mutex.h"
#include "core/sync/rwlock.h"
#include "core/sync/semaphore.h"
#include "support/kernel.h"

#define THREADS 8
#define ROUNDS 4000

static struct mutex lock;
static struct rwlock rw;
static struct semaphore sem;
static unsigned long counter, mirror, inside;
static unsigned long torn_reads;

static void run_threads(int (*fn)(void *), int count)
{
	struct thread *threads[16];

	for (int i = 0; i < count; i++) {
		threads[i] = thread_create("stress", fn, (void *)(intptr_t)i);
		thread_start(threads[i]);
	}
	for (int i = 0; i < count; i++)
		thread_join(threads[i], NULL);
}

static int mutex_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		mutex_lock(&lock);
		unsigned long value = counter;

		if (i % 64 == 0)
			thread_yield(); /* sleep while holding it */
		counter = value + 1;
		mutex_unlock(&lock);
	}
	return 0;
}

Test(sync_mutex, stress_on_four_cpus_counts_exactly)
{
	test_kernel_sched_init(4, false);
	mutex_init(&lock, "stress", LOCK_RANK_MUTEX);
	run_threads(mutex_worker, THREADS);
	cr_assert_eq(counter, THREADS * ROUNDS);
	cr_assert_not(mutex_is_locked(&lock));
}

static int rw_worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		if (id % 4 == 0) {
			rwlock_write_lock(&rw);
			counter++;
			sched_preempt_point();
			mirror++;
			rwlock_write_unlock(&rw);
		} else {
			rwlock_read_lock(&rw);
			if (READ_ONCE(counter) != READ_ONCE(mirror))
				__atomic_fetch_add(&torn_reads, 1, __ATOMIC_RELAXED);
			rwlock_read_unlock(&rw);
		}
	}
	return 0;
}

Test(sync_rwlock, readers_never_see_a_half_written_update)
{
	test_kernel_sched_init(4, false);
	rwlock_init(&rw, "stress", LOCK_RANK_MUTEX);
	run_threads(rw_worker, THREADS);
	cr_assert_eq(counter, (THREADS / 4) * ROUNDS);
	cr_assert_eq(mirror, counter);
	cr_assert_eq(torn_reads, 0);
}

static int semaphore_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS / 4; i++) {
		semaphore_down(&sem);
		unsigned long now = __atomic_add_fetch(&inside, 1, __ATOMIC_ACQ_REL);

		if (now > 2)
			__atomic_fetch_add(&torn_reads, 1, __ATOMIC_RELAXED);
		sched_preempt_point();
		__atomic_sub_fetch(&inside, 1, __ATOMIC_ACQ_REL);
		semaphore_up(&sem);
	}
	return 0;
}

Test(sync_semaphore, never_admits_more_than_its_count)
{
	test_kernel_sched_init(4, false);
	semaphore_init(&sem, 2);
	run_threads(semaphore_worker, THREADS);
	cr_assert_eq(torn_reads, 0);
	cr_assert(semaphore_trydown(&sem));
	cr_assert(semaphore_trydown(&sem));
	cr_assert_not(semaphore_trydown(&sem));
}

static int try_from_other_thread(void *arg)
{
	(void)arg;
	if (mutex_trylock(&lock))
		return 1;
	return mutex_unlock(&lock); /* not the owner */
}

Test(sync_mutex, only_the_owner_unlocks)
{
	struct thread *thread;
	unsigned long warnings;
	int code;

	test_kernel_sched_init(2, false);
	mutex_init(&lock, "owned", LOCK_RANK_MUTEX);
	mutex_lock(&lock);
	warnings = warn_count();
	thread = thread_create("intruder", try_from_other_thread, NULL);
	thread_start(thread);
	thread_join(thread, &code);
	cr_assert_eq(code, -EPERM);
	cr_assert_eq(warn_count(), warnings + 1);
	cr_assert(mutex_is_locked(&lock));
	cr_assert_eq(mutex_unlock(&lock), 0);
	cr_assert(mutex_trylock(&lock));
	mutex_unlock(&lock);
}

static int order[THREADS];
static int served;

static int queue_in_order(void *arg)
{
	mutex_lock(&lock);
	order[served++] = (int)(intptr_t)arg;
	mutex_unlock(&lock);
	return 0;
}

Test(sync_mutex, waiters_are_served_in_arrival_order)
{
	struct thread *threads[THREADS];

	test_kernel_sched_init(1, true);
	mutex_init(&lock, "fifo", LOCK_RANK_MUTEX);
	mutex_lock(&lock);
	for (int i = 0; i < THREADS; i++) {
		threads[i] = thread_create("fifo", queue_in_order,
					   (void *)(intptr_t)i);
		thread_start(threads[i]);
		sleep_ns(1000); /* let it queue up before the next one */
	}
	mutex_unlock(&lock);
	for (int i = 0; i < THREADS; i++)
		thread_join(threads[i], NULL);
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(order[i], i);
}
