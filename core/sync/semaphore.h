/*
 * Counting semaphore with FIFO waiters. down() may sleep; up() may be
 * called from any context, including interrupt handlers.
 */
#pragma once

#include "core/sync/mutex.h"

struct semaphore {
	struct spinlock wait_lock;
	/* Protected by wait_lock: */
	unsigned int count;
	struct list_head waiters;	/* struct lock_waiter, FIFO */
};

void semaphore_init(struct semaphore *sem, unsigned int count);

/* Takes one unit, sleeping until one is available. */
void semaphore_down(struct semaphore *sem);

/* Takes one unit if available now; returns success. */
bool semaphore_trydown(struct semaphore *sem);

/* Returns one unit, handing it to the longest waiter if any. */
void semaphore_up(struct semaphore *sem);
