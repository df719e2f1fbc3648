/*
 * The lock-order checker (debug builds). Each thread keeps a stack of the
 * locks it holds with the backtrace of each acquisition. It reports, with
 * both backtraces:
 *   - taking a lock whose rank is not above every held lock's rank;
 *   - releasing a lock the thread does not hold;
 *   - sleeping while holding a spinlock;
 *   - a thread exiting while it holds locks.
 * Reports are warnings (the kernel goes on); lockcheck_violations() counts
 * them for tests. Try-acquisitions cannot deadlock and are not ordered.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sync/lock_rank.h"

#define LOCKCHECK_MAX_HELD 24
#define LOCKCHECK_FRAMES 6

/* Embedded in every checked lock. */
struct lock_class {
	const char *name;
	enum lock_rank rank;
	bool sleeping;		/* mutex-like: may be held across sleep */
};

struct held_lock {
	const void *lock;
	const struct lock_class *class;
	uintptr_t frames[LOCKCHECK_FRAMES];
	int frame_count;
};

/* Per-thread checker state (embedded in struct thread). */
struct lockcheck_state {
	struct held_lock held[LOCKCHECK_MAX_HELD];
	int depth;
	bool reporting;		/* printing a report: do not track */
};

/* Called by lock implementations after acquiring / before releasing. */
void lockcheck_acquire(const void *lock, const struct lock_class *class,
		       bool trylock);
void lockcheck_release(const void *lock, const struct lock_class *class);

/* The scheduler calls this before a thread blocks. */
void lockcheck_before_sleep(void);

/* The scheduler calls this when a thread exits; reports and drops held locks. */
void lockcheck_thread_exit(struct lockcheck_state *state, const char *thread);

/* Number of spinlocks the current thread holds (0 outside threads). */
int lockcheck_spinlocks_held(void);

/* Violations reported since boot. */
unsigned long lockcheck_violations(void);

/*
 * Whether acquisitions record their backtrace for reports (the default).
 * The fuzzers, whose reports carry the input instead, turn it off: it is
 * a frame walk per lock taken. Any context.
 */
void lockcheck_set_backtraces(bool on);

/*
 * Where the current thread's state lives; the scheduler provides it.
 * NULL before the scheduler runs or outside a thread: nothing is checked.
 */
struct lockcheck_state *lockcheck_current_state(void);
