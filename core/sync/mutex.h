/*
 * Sleeping mutual-exclusion lock with FIFO hand-off: unlock passes the
 * lock directly to the longest waiter, so no thread starves. Only the
 * owner may unlock. May sleep: not for interrupt context or under a
 * spinlock.
 */
#pragma once

#include "core/lib/list.h"
#include "core/sync/lockcheck.h"
#include "core/sync/spinlock.h"

struct thread;

struct mutex {
	struct spinlock wait_lock;
	/* Protected by wait_lock: */
	struct thread *owner;
	struct list_head waiters;	/* struct lock_waiter, FIFO */
	struct lock_class class;
};

#define MUTEX_INIT(var, mutex_name, mutex_rank)                              \
	{ .wait_lock = SPINLOCK_INIT("mutex.wait_lock", LOCK_RANK_WAITQUEUE), \
	  .owner = NULL, .waiters = LIST_HEAD_INIT((var).waiters),           \
	  .class = { .name = mutex_name, .rank = mutex_rank,                 \
		     .sleeping = true } }

void mutex_init(struct mutex *mutex, const char *name, enum lock_rank rank);

/* Acquires the mutex, sleeping while another thread holds it. */
void mutex_lock(struct mutex *mutex);

/* Acquires the mutex only if it is free; returns success. Never sleeps. */
bool mutex_trylock(struct mutex *mutex);

/*
 * Releases the mutex. Returns 0, or -EPERM (with a warning) if the caller
 * does not own it.
 */
int mutex_unlock(struct mutex *mutex);

bool mutex_is_locked(struct mutex *mutex);

/*
 * A sleeping thread queued on a mutex, rwlock or semaphore; on the waiter's
 * stack. `granted` is set by the thread handing the lock over.
 */
struct lock_waiter {
	struct list_head link;
	struct thread *thread;
	bool granted;
	bool writer;		/* rwlock: wants it exclusively */
};

/*
 * Sleeps on `waiters` (guarded by `wait_lock`, held on entry and on
 * return) until another thread grants the lock to this waiter.
 */
void lock_wait_for_grant(struct spinlock *wait_lock, struct list_head *waiters,
			 struct lock_waiter *waiter, irq_flags_t *flags);

/* Grants the first waiter and wakes it; wait_lock held. */
void lock_grant(struct lock_waiter *waiter);
