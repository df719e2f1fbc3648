/*
 * Timers and timed waits in virtual time, where every deadline is met
 * exactly: ordering of thousands of timers, cancellation, sleeps, zero and
 * huge timeouts.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/hal/time.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sched/timer.h"
#include "core/sched/wait.h"
#include "support/kernel.h"

#define TIMERS 3000

static struct timer timers[TIMERS];
static uint64_t deadlines[TIMERS];
static uint64_t fired_at[TIMERS];
static int fired_order[TIMERS];
static int fired;

static void record(struct timer *timer, void *arg)
{
	int id = (int)(intptr_t)arg;

	(void)timer;
	fired_at[id] = hal_clock_ns();
	fired_order[fired++] = id;
}

Test(sched_timer, thousands_fire_in_deadline_order_exactly_on_time)
{
	uint64_t start, latest = 0;

	test_kernel_sched_init(1, true);
	start = hal_clock_ns();
	srand(99);
	for (int i = 0; i < TIMERS; i++) {
		deadlines[i] = start + 1000 + (uint64_t)(rand() % 1000000) * 10;
		latest = deadlines[i] > latest ? deadlines[i] : latest;
		timer_init(&timers[i], record, (void *)(intptr_t)i);
		timer_add(&timers[i], deadlines[i]);
	}
	cr_assert_eq(timer_pending_count(0), TIMERS);
	sleep_ns(latest - start + 1);
	cr_assert_eq(fired, TIMERS);
	cr_assert_eq(timer_pending_count(0), 0);
	for (int i = 0; i < TIMERS; i++)
		cr_assert_eq(fired_at[i], deadlines[i], "timer %d fired late", i);
	for (int i = 1; i < TIMERS; i++)
		cr_assert_leq(deadlines[fired_order[i - 1]],
			      deadlines[fired_order[i]]);
}

Test(sched_timer, cancelled_timers_never_fire)
{
	uint64_t start;

	test_kernel_sched_init(1, true);
	start = hal_clock_ns();
	for (int i = 0; i < 100; i++) {
		timer_init(&timers[i], record, (void *)(intptr_t)i);
		timer_add(&timers[i], start + 1000 + (uint64_t)i * 100);
	}
	for (int i = 0; i < 100; i += 2)
		cr_assert(timer_cancel(&timers[i]));
	cr_assert_not(timer_cancel(&timers[0]), "already cancelled");
	sleep_ns(20000);
	cr_assert_eq(fired, 50);
	for (int i = 0; i < fired; i++)
		cr_assert_eq(fired_order[i] % 2, 1);
}

Test(sched_timer, rearming_moves_the_deadline)
{
	uint64_t start;

	test_kernel_sched_init(1, true);
	start = hal_clock_ns();
	timer_init(&timers[0], record, (void *)0);
	timer_add(&timers[0], start + 5000);
	timer_add(&timers[0], start + 9000);
	cr_assert_eq(timer_pending_count(0), 1);
	sleep_ns(20000);
	cr_assert_eq(fired, 1);
	cr_assert_eq(fired_at[0], start + 9000);
}

struct sleeper {
	uint64_t duration;
	uint64_t woke;
};

static int sleep_for(void *arg)
{
	struct sleeper *sleeper = arg;
	uint64_t start = hal_clock_ns();

	sleep_ns(sleeper->duration);
	sleeper->woke = hal_clock_ns() - start;
	fired_order[fired++] = (int)(sleeper->duration / 1000000);
	return 0;
}

Test(sched_timer, sleepers_wake_in_order_at_their_deadlines)
{
	struct sleeper sleepers[5] = { { 30000000, 0 }, { 10000000, 0 },
				       { 50000000, 0 },
				       { 20000000, 0 }, { 40000000, 0 } };
	struct thread *threads[5];

	test_kernel_sched_init(1, true);
	for (int i = 0; i < 5; i++) {
		threads[i] = thread_create("sleeper", sleep_for, &sleepers[i]);
		thread_start(threads[i]);
	}
	for (int i = 0; i < 5; i++)
		thread_join(threads[i], NULL);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(sleepers[i].woke, sleepers[i].duration,
			     "slept %llu, asked %llu",
			     (unsigned long long)sleepers[i].woke,
			     (unsigned long long)sleepers[i].duration);
		cr_assert_eq(fired_order[i], (i + 1) * 10);
	}
}

Test(sched_timer, zero_and_huge_timeouts)
{
	struct completion never;
	struct wait_queue queue;
	uint64_t start;

	test_kernel_sched_init(1, true);
	completion_init(&never);
	wait_queue_init(&queue);
	start = hal_clock_ns();
	cr_assert_not(wait_for_completion_timeout(&never, 0));
	cr_assert_eq(hal_clock_ns(), start, "a zero timeout must not sleep");
	cr_assert_not(wait_for_completion_timeout(&never, 7000000));
	cr_assert_eq(hal_clock_ns(), start + 7000000);
	/* A huge timeout saturates instead of wrapping into the past. */
	cr_assert_eq(wait_deadline(UINT64_MAX - 5), WAIT_FOREVER);
	cr_assert(wait_event_timeout(queue, true, UINT64_MAX - 5));
	complete(&never);
	cr_assert(wait_for_completion_timeout(&never, UINT64_MAX - 5));
}

static int complete_later(void *arg)
{
	sleep_ns(3000000);
	complete(arg);
	return 0;
}

Test(sched_timer, completion_beats_its_timeout)
{
	struct completion done;
	struct thread *thread;
	uint64_t start;

	test_kernel_sched_init(1, true);
	completion_init(&done);
	thread = thread_create("completer", complete_later, &done);
	thread_start(thread);
	start = hal_clock_ns();
	cr_assert(wait_for_completion_timeout(&done, 10000000));
	cr_assert_eq(hal_clock_ns() - start, 3000000);
	thread_join(thread, NULL);
}
