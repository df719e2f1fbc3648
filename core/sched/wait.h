/*
 * Waiting: wait queues, completions and timed sleeps.
 *
 * A wait queue is a list of sleeping threads. The waiting side uses
 * wait_event*(), which re-checks its condition after every wake-up, so
 * wake-ups may be spurious; the waking side makes the condition true, then
 * calls wake_up*(). Wait queues may be woken from interrupt context.
 */
#pragma once

#include "core/hal/time.h"
#include "core/lib/list.h"
#include "core/lib/types.h"
#include "core/sync/spinlock.h"

struct thread;

struct wait_queue {
	struct spinlock lock;
	/* Protected by lock: */
	struct list_head waiters;
};

/* A waiting thread's entry; lives on the waiter's stack. */
struct waiter {
	struct list_head link;	/* in wait_queue.waiters, under its lock */
	struct thread *thread;
};

#define WAITER_INIT(name) { .link = LIST_HEAD_INIT((name).link) }

#define WAIT_QUEUE_INIT(name)                                                \
	{ .lock = SPINLOCK_INIT("wait_queue", LOCK_RANK_WAITQUEUE),          \
	  .waiters = LIST_HEAD_INIT((name).waiters) }

void wait_queue_init(struct wait_queue *queue);

/*
 * Queues the current thread on `queue` (once; `waiter` starts as
 * WAITER_INIT) and marks it blocked; the caller then tests its condition
 * and sleeps if it is still false.
 */
void wait_prepare(struct wait_queue *queue, struct waiter *waiter);

/* Marks the current thread runnable and dequeues it. */
void wait_finish(struct wait_queue *queue, struct waiter *waiter);

/* Wakes every waiter / the first one still asleep. Any context. */
void wake_up_all(struct wait_queue *queue);
void wake_up_one(struct wait_queue *queue);

/* Timeouts are relative nanoseconds; WAIT_FOREVER never expires. */
#define WAIT_FOREVER UINT64_MAX

/* Deadline for a relative timeout, saturating (huge timeouts never expire). */
uint64_t wait_deadline(uint64_t timeout_ns);

/*
 * Blocks until the current thread is woken or the monotonic clock passes
 * `deadline` (WAIT_FOREVER: no limit). The caller has called wait_prepare
 * (or otherwise marked itself blocked). May sleep.
 */
void wait_schedule_until(uint64_t deadline);

/*
 * Sleeps until `condition` is true. May sleep; must not be called with a
 * spinlock held.
 */
#define wait_event(queue, condition)                                         \
	do {                                                                 \
		struct waiter waiter_ = WAITER_INIT(waiter_);                \
		for (;;) {                                                   \
			wait_prepare(&(queue), &waiter_);                    \
			if (condition)                                       \
				break;                                       \
			wait_schedule_until(WAIT_FOREVER);                   \
		}                                                            \
		wait_finish(&(queue), &waiter_);                             \
	} while (0)

/*
 * As wait_event, giving up after timeout_ns. Evaluates to true if the
 * condition became true, false on timeout. A zero timeout just tests.
 */
#define wait_event_timeout(queue, condition, timeout_ns)                     \
	({                                                                   \
		struct waiter waiter_ = WAITER_INIT(waiter_);                \
		uint64_t deadline_ = wait_deadline(timeout_ns);              \
		bool met_;                                                   \
		for (;;) {                                                   \
			wait_prepare(&(queue), &waiter_);                    \
			met_ = (condition);                                  \
			if (met_ || hal_clock_ns() >= deadline_)             \
				break;                                       \
			wait_schedule_until(deadline_);                      \
		}                                                            \
		wait_finish(&(queue), &waiter_);                             \
		met_;                                                        \
	})

/* A one-shot event: threads wait until it is completed. */
struct completion {
	struct wait_queue queue;
	unsigned int done;	/* under queue.lock; UINT32_MAX after complete_all */
};

void completion_init(struct completion *completion);

/* Lets one waiter (or the next one to wait) through. Any context. */
void complete(struct completion *completion);

/* Lets every present and future waiter through. Any context. */
void complete_all(struct completion *completion);

/* Waits for the completion. May sleep. */
void wait_for_completion(struct completion *completion);

/* Returns true if completed, false if timeout_ns passed first. May sleep. */
bool wait_for_completion_timeout(struct completion *completion,
				 uint64_t timeout_ns);

/* Sleeps for at least `ns` nanoseconds. May sleep. */
void sleep_ns(uint64_t ns);
