/*
 * Lock-order checking. The held-lock stack belongs to the current thread
 * and is touched only by it (and by interrupt handlers running on top of
 * it, which release what they take before returning), so it needs no lock.
 * While a thread prints a report, its own lock operations (printk's lock)
 * are not tracked; that flag is per thread, so a report on one CPU never
 * blinds the checker on the others.
 */
#include "core/sync/lockcheck.h"

#include "core/lib/backtrace.h"
#include "core/lib/config.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"

static unsigned long violations;	/* atomic */

unsigned long lockcheck_violations(void)
{
	return __atomic_load_n(&violations, __ATOMIC_RELAXED);
}

static bool backtraces = true;	/* atomic */

void lockcheck_set_backtraces(bool on)
{
	__atomic_store_n(&backtraces, on, __ATOMIC_RELAXED);
}

static bool backtraces_on(void)
{
	return __atomic_load_n(&backtraces, __ATOMIC_RELAXED);
}

/* The current thread's state if its locks are being checked now, else NULL. */
static struct lockcheck_state *checked_state(void)
{
	struct lockcheck_state *state;

	if (!CONFIG_DEBUG)
		return NULL;
	state = lockcheck_current_state();
	return state && !state->reporting ? state : NULL;
}

static void report_header(const char *what)
{
	__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	printk_raw("\n=====================================================\n");
	printk_raw("WARNING: lock checker: %s\n", what);
}

static void report_held(const struct held_lock *held)
{
	printk_raw("  held: %s (rank %d), taken at:%s\n", held->class->name,
		   held->class->rank,
		   backtraces_on() ? "" : " (backtraces are off)");
	backtrace_print_addresses(held->frames, held->frame_count);
}

static void report_now(void)
{
	printk_raw("  now:\n");
	backtrace_print();
	printk_raw("=====================================================\n");
}

/*
 * Whether taking `lock` of `class` while `held` is held respects the
 * order: a higher rank, or two locks of one kind (same name and rank)
 * taken in address order, as futex requeue takes two buckets (Linux's
 * double_lock convention).
 */
static bool is_ordered(const struct held_lock *held, const void *lock,
		       const struct lock_class *class)
{
	if (held->class->rank == class->rank &&
	    kstrcmp(held->class->name, class->name) == 0)
		return (uintptr_t)held->lock < (uintptr_t)lock;
	return held->class->rank == LOCK_RANK_NONE ||
	       class->rank == LOCK_RANK_NONE || held->class->rank < class->rank;
}

static void check_order(struct lockcheck_state *state, const void *lock,
			const struct lock_class *class)
{
	for (int i = state->depth - 1; i >= 0; i--) {
		const struct held_lock *held = &state->held[i];

		if (held->lock == lock && held->class == class) {
			report_header("recursive locking");
		} else if (!is_ordered(held, lock, class)) {
			report_header("lock order inversion");
		} else {
			continue;
		}
		printk_raw("  taking %s (rank %d) while holding:\n", class->name,
			   class->rank);
		report_held(held);
		report_now();
		return;
	}
}

void lockcheck_acquire(const void *lock, const struct lock_class *class,
		       bool trylock)
{
	struct lockcheck_state *state = checked_state();
	struct held_lock *held;

	if (state == NULL)
		return;
	if (!trylock) {
		state->reporting = true;
		check_order(state, lock, class);
		state->reporting = false;
	}
	if (state->depth == LOCKCHECK_MAX_HELD)
		return; /* deeper than any sane nesting: stop tracking */
	held = &state->held[state->depth++];
	held->lock = lock;
	held->class = class;
	held->frame_count = backtraces_on() ?
		backtrace_collect(held->frames, LOCKCHECK_FRAMES, 1) : 0;
}

static void report_not_held(struct lockcheck_state *state, const void *lock,
			    const struct lock_class *class)
{
	state->reporting = true;
	report_header("releasing a lock that is not held");
	printk_raw("  lock: %s (rank %d) at %p\n", class->name, class->rank,
		   lock);
	report_now();
	state->reporting = false;
}

void lockcheck_release(const void *lock, const struct lock_class *class)
{
	struct lockcheck_state *state = checked_state();

	if (state == NULL)
		return;
	for (int i = state->depth - 1; i >= 0; i--) {
		if (state->held[i].lock != lock || state->held[i].class != class)
			continue;
		for (int j = i; j < state->depth - 1; j++)
			state->held[j] = state->held[j + 1];
		state->depth--;
		return;
	}
	report_not_held(state, lock, class);
}

int lockcheck_spinlocks_held(void)
{
	struct lockcheck_state *state = lockcheck_current_state();
	int count = 0;

	if (state == NULL)
		return 0;
	for (int i = 0; i < state->depth; i++)
		count += !state->held[i].class->sleeping;
	return count;
}

void lockcheck_before_sleep(void)
{
	struct lockcheck_state *state = checked_state();

	if (state == NULL)
		return;
	for (int i = state->depth - 1; i >= 0; i--) {
		if (state->held[i].class->sleeping)
			continue;
		state->reporting = true;
		report_header("sleeping while holding a spinlock");
		report_held(&state->held[i]);
		report_now();
		state->reporting = false;
		return;
	}
}

void lockcheck_thread_exit(struct lockcheck_state *state, const char *thread)
{
	if (!CONFIG_DEBUG || state->depth == 0)
		return;
	state->reporting = true;
	report_header("thread exits holding locks");
	printk_raw("  thread: %s\n", thread);
	for (int i = state->depth - 1; i >= 0; i--)
		report_held(&state->held[i]);
	report_now();
	state->reporting = false;
	state->depth = 0;
}
