/*
 * The lock-order checker catches seeded bugs: an inversion between sleeping
 * locks and between spinlocks, sleeping under a spinlock, releasing a lock
 * not held, and a thread exiting with a lock held. Each is a warning (the
 * kernel survives) counted by lockcheck_violations().
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/printk.h"
#include "core/sched/sched.h"
#include "core/sync/lockcheck.h"
#include "core/sync/mutex.h"
#include "support/kernel.h"

static char log_text[65536];

static void boot(void)
{
	test_kernel_sched_init(2, false);
	printk_set_console_level(0); /* keep the reports in the log ring only */
}

static const char *log_now(void)
{
	printk_log_read(log_text, sizeof(log_text));
	return log_text;
}

Test(sync_lockcheck, mutex_inversion_is_reported_with_both_backtraces,
     .init = boot)
{
	struct mutex outer, inner;
	unsigned long before = lockcheck_violations();

	mutex_init(&outer, "test_outer", LOCK_RANK_MUTEX_OUTER);
	mutex_init(&inner, "test_inner", LOCK_RANK_MUTEX);
	mutex_lock(&outer);
	mutex_lock(&inner);		/* right order: no report */
	mutex_unlock(&inner);
	mutex_unlock(&outer);
	cr_assert_eq(lockcheck_violations(), before);
	mutex_lock(&inner);
	mutex_lock(&outer);		/* inverted */
	mutex_unlock(&outer);
	mutex_unlock(&inner);
	cr_assert_eq(lockcheck_violations(), before + 1);
	log_now();
	cr_assert_not_null(strstr(log_text, "lock order inversion"));
	cr_assert_not_null(strstr(log_text, "taking test_outer (rank 10)"));
	cr_assert_not_null(strstr(log_text, "held: test_inner (rank 20)"));
	/* Two backtraces, both through this test function. */
	char *first = strstr(log_text, "mutex_inversion_is_reported");
	cr_assert_not_null(first);
	cr_assert_not_null(strstr(first + 1, "mutex_inversion_is_reported"));
}

Test(sync_lockcheck, spinlock_inversion_is_reported, .init = boot)
{
	struct spinlock low = SPINLOCK_INIT("test_low", LOCK_RANK_KMEM_CACHES);
	struct spinlock high = SPINLOCK_INIT("test_high", LOCK_RANK_PMM);
	unsigned long before = lockcheck_violations();
	irq_flags_t flags = hal_irq_save();

	spin_lock(&high);
	spin_lock(&low);
	spin_unlock(&low);
	spin_unlock(&high);
	hal_irq_restore(flags);
	cr_assert_eq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(), "taking test_low (rank 50)"));
}

Test(sync_lockcheck, sleeping_under_a_spinlock_is_reported, .init = boot)
{
	struct spinlock spin = SPINLOCK_INIT("test_spin", LOCK_RANK_WAITQUEUE);
	struct mutex sleeper;
	unsigned long before = lockcheck_violations();

	mutex_init(&sleeper, "test_sleeper", LOCK_RANK_MUTEX);
	spin_lock(&spin);
	mutex_lock(&sleeper);	/* may sleep: a bug under a spinlock */
	mutex_unlock(&sleeper);
	spin_unlock(&spin);
	cr_assert_geq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(), "sleeping while holding a spinlock"));
	cr_assert_not_null(strstr(log_text, "held: test_spin"));
}

Test(sync_lockcheck, releasing_an_unheld_lock_is_reported, .init = boot)
{
	struct mutex never;
	unsigned long before = lockcheck_violations();

	mutex_init(&never, "test_never", LOCK_RANK_MUTEX);
	lockcheck_release(&never, &never.class);
	cr_assert_eq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(), "releasing a lock that is not held"));
}

static struct mutex abandoned;

static int exit_holding(void *arg)
{
	(void)arg;
	mutex_lock(&abandoned);
	return 7;
}

Test(sync_lockcheck, exiting_with_a_lock_held_is_reported, .init = boot)
{
	unsigned long before = lockcheck_violations();
	struct thread *thread;
	int code;

	mutex_init(&abandoned, "test_abandoned", LOCK_RANK_MUTEX);
	thread = thread_create("leaker", exit_holding, NULL);
	thread_start(thread);
	cr_assert_eq(thread_join(thread, &code), 0, "the kernel goes on");
	cr_assert_eq(code, 7);
	cr_assert_eq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(), "thread exits holding locks"));
	cr_assert_not_null(strstr(log_text, "held: test_abandoned"));
	cr_assert_not(mutex_trylock(&abandoned), "still owned by the dead thread");
}

/* Two locks of one kind nest in address order only (futex requeue). */
Test(sync_lockcheck, same_kind_nests_in_address_order, .init = boot)
{
	struct mutex pair[2];
	unsigned long before = lockcheck_violations();

	mutex_init(&pair[0], "test_pair", LOCK_RANK_MUTEX);
	mutex_init(&pair[1], "test_pair", LOCK_RANK_MUTEX);
	mutex_lock(&pair[0]);
	mutex_lock(&pair[1]);		/* lower address first: fine */
	mutex_unlock(&pair[1]);
	mutex_unlock(&pair[0]);
	cr_assert_eq(lockcheck_violations(), before);
	mutex_lock(&pair[1]);
	mutex_lock(&pair[0]);		/* the other way round */
	mutex_unlock(&pair[0]);
	mutex_unlock(&pair[1]);
	cr_assert_eq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(), "lock order inversion"));
}

/*
 * With backtraces off (the fuzzers) an inversion is still caught and
 * reported, saying the held lock's backtrace was not taken.
 */
Test(sync_lockcheck, inversion_is_reported_without_backtraces, .init = boot)
{
	struct mutex outer, inner;
	unsigned long before = lockcheck_violations();

	lockcheck_set_backtraces(false);
	mutex_init(&outer, "test_outer", LOCK_RANK_MUTEX_OUTER);
	mutex_init(&inner, "test_inner", LOCK_RANK_MUTEX);
	mutex_lock(&inner);
	mutex_lock(&outer);		/* inverted */
	mutex_unlock(&outer);
	mutex_unlock(&inner);
	lockcheck_set_backtraces(true);
	cr_assert_eq(lockcheck_violations(), before + 1);
	cr_assert_not_null(strstr(log_now(),
				  "held: test_inner (rank 20), taken at: "
				  "(backtraces are off)"));
}
