/*
 * Sleeping reader-writer lock: many readers or one writer. Requests are
 * served in arrival order (a reader arriving behind a waiting writer waits
 * too), so neither side starves. May sleep.
 */
#pragma once

#include "core/sync/mutex.h"

struct rwlock {
	struct spinlock wait_lock;
	/* Protected by wait_lock: */
	unsigned int readers;		/* holding it shared */
	struct thread *writer;		/* holding it exclusively */
	struct list_head waiters;	/* struct lock_waiter, FIFO */
	struct lock_class class;
};

void rwlock_init(struct rwlock *lock, const char *name, enum lock_rank rank);

void rwlock_read_lock(struct rwlock *lock);
void rwlock_read_unlock(struct rwlock *lock);
void rwlock_write_lock(struct rwlock *lock);
void rwlock_write_unlock(struct rwlock *lock);

bool rwlock_read_trylock(struct rwlock *lock);
bool rwlock_write_trylock(struct rwlock *lock);
