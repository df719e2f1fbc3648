/*
 * Wait queues, completions and sleeping. A waiter is on its queue's list
 * (under the queue's lock) from wait_prepare to wait_finish; wake-ups mark
 * waiters runnable through sched_wake and leave them listed, so a thread
 * woken early simply re-checks its condition and sleeps again.
 */
#include "core/sched/wait.h"

#include "core/lib/panic.h"
#include "core/sched/sched.h"
#include "core/sched/timer.h"

void wait_queue_init(struct wait_queue *queue)
{
	spin_init(&queue->lock, "wait_queue", LOCK_RANK_WAITQUEUE);
	list_init(&queue->waiters);
}

void wait_prepare(struct wait_queue *queue, struct waiter *waiter)
{
	irq_flags_t flags = spin_lock_irqsave(&queue->lock);

	if (!list_is_linked(&waiter->link)) {
		waiter->thread = thread_current();
		list_add_tail(&waiter->link, &queue->waiters);
	}
	sched_set_blocked();
	spin_unlock_irqrestore(&queue->lock, flags);
}

void wait_finish(struct wait_queue *queue, struct waiter *waiter)
{
	irq_flags_t flags;

	sched_set_runnable();
	flags = spin_lock_irqsave(&queue->lock);
	list_remove(&waiter->link);
	spin_unlock_irqrestore(&queue->lock, flags);
}

void wake_up_all(struct wait_queue *queue)
{
	irq_flags_t flags = spin_lock_irqsave(&queue->lock);
	struct waiter *waiter;

	list_for_each_entry(waiter, &queue->waiters, link)
		sched_wake(waiter->thread);
	spin_unlock_irqrestore(&queue->lock, flags);
}

void wake_up_one(struct wait_queue *queue)
{
	irq_flags_t flags = spin_lock_irqsave(&queue->lock);
	struct waiter *waiter;

	/* The first waiter that was actually asleep takes the wake-up. */
	list_for_each_entry(waiter, &queue->waiters, link) {
		if (sched_wake(waiter->thread))
			break;
	}
	spin_unlock_irqrestore(&queue->lock, flags);
}

uint64_t wait_deadline(uint64_t timeout_ns)
{
	uint64_t now = hal_clock_ns();

	if (timeout_ns == WAIT_FOREVER || now + timeout_ns < now)
		return WAIT_FOREVER;
	return now + timeout_ns;
}

static void wake_sleeper(struct timer *timer, void *arg)
{
	(void)timer;
	sched_wake(arg);
}

void wait_schedule_until(uint64_t deadline)
{
	struct timer timer;

	if (deadline == WAIT_FOREVER) {
		schedule();
		return;
	}
	timer_init(&timer, wake_sleeper, thread_current());
	timer_add(&timer, deadline);
	schedule();
	timer_cancel(&timer);
}

void completion_init(struct completion *completion)
{
	wait_queue_init(&completion->queue);
	completion->done = 0;
}

void complete(struct completion *completion)
{
	irq_flags_t flags = spin_lock_irqsave(&completion->queue.lock);

	if (completion->done != UINT32_MAX)
		completion->done++;
	spin_unlock_irqrestore(&completion->queue.lock, flags);
	wake_up_one(&completion->queue);
}

void complete_all(struct completion *completion)
{
	irq_flags_t flags = spin_lock_irqsave(&completion->queue.lock);

	completion->done = UINT32_MAX;
	spin_unlock_irqrestore(&completion->queue.lock, flags);
	wake_up_all(&completion->queue);
}

/* Consumes one completion if there is one. */
static bool try_consume(struct completion *completion)
{
	irq_flags_t flags = spin_lock_irqsave(&completion->queue.lock);
	bool taken = completion->done > 0;

	if (taken && completion->done != UINT32_MAX)
		completion->done--;
	spin_unlock_irqrestore(&completion->queue.lock, flags);
	return taken;
}

void wait_for_completion(struct completion *completion)
{
	wait_event(completion->queue, try_consume(completion));
}

bool wait_for_completion_timeout(struct completion *completion,
				 uint64_t timeout_ns)
{
	return wait_event_timeout(completion->queue, try_consume(completion),
				  timeout_ns);
}

void sleep_ns(uint64_t ns)
{
	uint64_t deadline = wait_deadline(ns);

	while (hal_clock_ns() < deadline) {
		sched_set_blocked();
		wait_schedule_until(deadline);
		sched_set_runnable();
	}
}
