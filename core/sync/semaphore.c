/* Semaphores on the shared waiting protocol (mutex.c). */
#include "core/sync/semaphore.h"

#include "core/sched/sched.h"

void semaphore_init(struct semaphore *sem, unsigned int count)
{
	spin_init(&sem->wait_lock, "semaphore.wait_lock", LOCK_RANK_WAITQUEUE);
	sem->count = count;
	list_init(&sem->waiters);
}

void semaphore_down(struct semaphore *sem)
{
	struct lock_waiter waiter = { .writer = false };
	irq_flags_t flags;

	if (CONFIG_DEBUG)
		lockcheck_before_sleep();
	flags = spin_lock_irqsave(&sem->wait_lock);
	if (sem->count > 0 && list_is_empty(&sem->waiters))
		sem->count--;
	else
		lock_wait_for_grant(&sem->wait_lock, &sem->waiters, &waiter,
				    &flags);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
}

bool semaphore_trydown(struct semaphore *sem)
{
	irq_flags_t flags = spin_lock_irqsave(&sem->wait_lock);
	bool taken = sem->count > 0 && list_is_empty(&sem->waiters);

	if (taken)
		sem->count--;
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	return taken;
}

void semaphore_up(struct semaphore *sem)
{
	irq_flags_t flags = spin_lock_irqsave(&sem->wait_lock);

	if (list_is_empty(&sem->waiters))
		sem->count++;
	else
		lock_grant(list_first_entry(&sem->waiters, struct lock_waiter,
					    link));
	spin_unlock_irqrestore(&sem->wait_lock, flags);
}
