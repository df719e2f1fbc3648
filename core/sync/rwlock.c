/*
 * Reader-writer locks on the shared waiting protocol (mutex.c). On release,
 * the head of the queue is granted: a writer alone, or every reader up to
 * the next waiting writer.
 */
#include "core/sync/rwlock.h"

#include "core/lib/panic.h"
#include "core/sched/sched.h"

void rwlock_init(struct rwlock *lock, const char *name, enum lock_rank rank)
{
	spin_init(&lock->wait_lock, "rwlock.wait_lock", LOCK_RANK_WAITQUEUE);
	lock->readers = 0;
	lock->writer = NULL;
	list_init(&lock->waiters);
	lock->class = (struct lock_class){ .name = name, .rank = rank,
					   .sleeping = true };
}

/* Hands the lock to the waiters at the head of the queue. Lock held. */
static void grant_waiters(struct rwlock *lock)
{
	struct lock_waiter *waiter, *tmp;

	if (lock->writer || list_is_empty(&lock->waiters))
		return;
	waiter = list_first_entry(&lock->waiters, struct lock_waiter, link);
	if (waiter->writer) {
		if (lock->readers == 0) {
			lock->writer = waiter->thread;
			lock_grant(waiter);
		}
		return;
	}
	list_for_each_entry_safe(waiter, tmp, &lock->waiters, link) {
		if (waiter->writer)
			break;
		lock->readers++;
		lock_grant(waiter);
	}
}

static bool try_read(struct rwlock *lock)
{
	if (lock->writer || !list_is_empty(&lock->waiters))
		return false;
	lock->readers++;
	return true;
}

static bool try_write(struct rwlock *lock)
{
	if (lock->writer || lock->readers || !list_is_empty(&lock->waiters))
		return false;
	lock->writer = thread_current();
	return true;
}

static void acquire(struct rwlock *lock, bool writer)
{
	struct lock_waiter waiter = { .writer = writer };
	irq_flags_t flags;

	if (CONFIG_DEBUG)
		lockcheck_before_sleep();
	flags = spin_lock_irqsave(&lock->wait_lock);
	if (!(writer ? try_write(lock) : try_read(lock)))
		lock_wait_for_grant(&lock->wait_lock, &lock->waiters, &waiter,
				    &flags);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
	if (CONFIG_DEBUG)
		lockcheck_acquire(lock, &lock->class, false);
}

static bool try_acquire(struct rwlock *lock, bool writer)
{
	irq_flags_t flags = spin_lock_irqsave(&lock->wait_lock);
	bool taken = writer ? try_write(lock) : try_read(lock);

	spin_unlock_irqrestore(&lock->wait_lock, flags);
	if (taken && CONFIG_DEBUG)
		lockcheck_acquire(lock, &lock->class, true);
	return taken;
}

void rwlock_read_lock(struct rwlock *lock)
{
	acquire(lock, false);
}

void rwlock_write_lock(struct rwlock *lock)
{
	acquire(lock, true);
}

bool rwlock_read_trylock(struct rwlock *lock)
{
	return try_acquire(lock, false);
}

bool rwlock_write_trylock(struct rwlock *lock)
{
	return try_acquire(lock, true);
}

void rwlock_read_unlock(struct rwlock *lock)
{
	irq_flags_t flags = spin_lock_irqsave(&lock->wait_lock);

	if (CONFIG_DEBUG)
		lockcheck_release(lock, &lock->class);
	if (WARN_ON(lock->readers == 0 || lock->writer)) {
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return;
	}
	lock->readers--;
	grant_waiters(lock);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
}

void rwlock_write_unlock(struct rwlock *lock)
{
	irq_flags_t flags = spin_lock_irqsave(&lock->wait_lock);

	if (CONFIG_DEBUG)
		lockcheck_release(lock, &lock->class);
	if (WARN_ON(lock->writer != thread_current())) {
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return;
	}
	lock->writer = NULL;
	grant_waiters(lock);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
}
