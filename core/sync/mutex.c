/*
 * Mutexes, and the waiting/granting protocol shared with rwlocks and
 * semaphores: a waiter queues itself under the lock's wait_lock and sleeps
 * until a releasing thread sets `granted` (ownership already transferred)
 * and wakes it. wait_lock ranks as a wait queue, below the run queues.
 */
#include "core/sync/mutex.h"

#include "core/include/uapi/errno.h"
#include "core/lib/panic.h"
#include "core/sched/sched.h"

void mutex_init(struct mutex *mutex, const char *name, enum lock_rank rank)
{
	spin_init(&mutex->wait_lock, "mutex.wait_lock", LOCK_RANK_WAITQUEUE);
	mutex->owner = NULL;
	list_init(&mutex->waiters);
	mutex->class = (struct lock_class){ .name = name, .rank = rank,
					    .sleeping = true };
}

void lock_wait_for_grant(struct spinlock *wait_lock, struct list_head *waiters,
			 struct lock_waiter *waiter, irq_flags_t *flags)
{
	waiter->thread = thread_current();
	waiter->granted = false;
	list_add_tail(&waiter->link, waiters);
	while (!READ_ONCE(waiter->granted)) {
		sched_set_blocked();
		spin_unlock_irqrestore(wait_lock, *flags);
		if (!READ_ONCE(waiter->granted))
			schedule();
		*flags = spin_lock_irqsave(wait_lock);
	}
	sched_set_runnable();
}

void lock_grant(struct lock_waiter *waiter)
{
	list_remove(&waiter->link);
	WRITE_ONCE(waiter->granted, true);
	sched_wake(waiter->thread);
}

void mutex_lock(struct mutex *mutex)
{
	struct lock_waiter waiter;
	irq_flags_t flags;

	if (CONFIG_DEBUG)
		lockcheck_before_sleep();
	flags = spin_lock_irqsave(&mutex->wait_lock);
	if (mutex->owner == NULL)
		mutex->owner = thread_current();
	else
		lock_wait_for_grant(&mutex->wait_lock, &mutex->waiters, &waiter,
				    &flags);
	spin_unlock_irqrestore(&mutex->wait_lock, flags);
	if (CONFIG_DEBUG)
		lockcheck_acquire(mutex, &mutex->class, false);
}

bool mutex_trylock(struct mutex *mutex)
{
	irq_flags_t flags = spin_lock_irqsave(&mutex->wait_lock);
	bool taken = mutex->owner == NULL;

	if (taken)
		mutex->owner = thread_current();
	spin_unlock_irqrestore(&mutex->wait_lock, flags);
	if (taken && CONFIG_DEBUG)
		lockcheck_acquire(mutex, &mutex->class, true);
	return taken;
}

int mutex_unlock(struct mutex *mutex)
{
	irq_flags_t flags = spin_lock_irqsave(&mutex->wait_lock);

	if (mutex->owner != thread_current()) {
		spin_unlock_irqrestore(&mutex->wait_lock, flags);
		WARN_ONCE(true, "mutex_unlock of %s by a thread that does not own it",
			  mutex->class.name);
		return -EPERM;
	}
	if (CONFIG_DEBUG)
		lockcheck_release(mutex, &mutex->class);
	if (list_is_empty(&mutex->waiters)) {
		mutex->owner = NULL;
	} else {
		struct lock_waiter *next = list_first_entry(
			&mutex->waiters, struct lock_waiter, link);

		mutex->owner = next->thread;
		lock_grant(next);
	}
	spin_unlock_irqrestore(&mutex->wait_lock, flags);
	return 0;
}

bool mutex_is_locked(struct mutex *mutex)
{
	return READ_ONCE(mutex->owner) != NULL;
}
