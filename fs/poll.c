/*
 * File readiness (fs/poll.h): per-object heads of waiter entries, the
 * global head of files that only call vfs_poll_notify(), and the list of
 * work deferred by wake callbacks (an epoll instance waking its own
 * watchers cannot take their head's lock under the head being woken).
 *
 * Locks: each head's spinlock (LOCK_RANK_POLL_HEAD) guards its entries
 * and is held while callbacks run; deferred_lock (LOCK_RANK_POLL_DEFER)
 * guards `deferred`, taken by callbacks under a head lock and by wakers
 * after. All of them are taken with interrupts off: heads may be woken
 * from interrupt handlers.
 */
#include "fs/poll.h"

#include "core/include/uapi/poll.h"
#include "core/lib/panic.h"
#include "core/sched/wait.h"
#include "fs/vfs_fs.h"

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

static struct vfs_poll_head global_head = {
	.lock = SPINLOCK_INIT("poll.head", LOCK_RANK_POLL_HEAD),
	.entries = LIST_HEAD_INIT(global_head.entries),
};

/* The first interface's generation and queue, kept for old callers. */
static struct wait_queue old_queue = WAIT_QUEUE_INIT(old_queue);
static uint64_t old_generation;	/* atomic */

static struct spinlock deferred_lock =
	SPINLOCK_INIT("poll.deferred", LOCK_RANK_POLL_DEFER);
static struct list_head deferred = LIST_HEAD_INIT(deferred);

void vfs_poll_head_init(struct vfs_poll_head *head)
{
	spin_init(&head->lock, "poll.head", LOCK_RANK_POLL_HEAD);
	list_init(&head->entries);
}

void vfs_poll_head_destroy(struct vfs_poll_head *head)
{
	WARN_ONCE(list_is_linked(&head->entries),
		  "poll: a head freed with waiters queued");
}

bool vfs_poll_defer(struct vfs_poll_deferred *work)
{
	irq_flags_t flags = spin_lock_irqsave(&deferred_lock);
	bool queued = work->link.next == NULL || !list_is_linked(&work->link);

	if (queued)
		list_add_tail(&work->link, &deferred);
	spin_unlock_irqrestore(&deferred_lock, flags);
	return queued;
}

bool vfs_poll_defer_cancel(struct vfs_poll_deferred *work)
{
	irq_flags_t flags = spin_lock_irqsave(&deferred_lock);
	bool queued = work->link.next != NULL && list_is_linked(&work->link);

	if (queued)
		list_remove(&work->link);
	spin_unlock_irqrestore(&deferred_lock, flags);
	return queued;
}

/* Runs deferred work until none is left; no lock held. */
static void run_deferred(void)
{
	for (;;) {
		irq_flags_t flags = spin_lock_irqsave(&deferred_lock);
		struct vfs_poll_deferred *work = NULL;

		if (!list_is_empty(&deferred)) {
			work = list_first_entry(&deferred,
						struct vfs_poll_deferred, link);
			list_remove(&work->link);
		}
		spin_unlock_irqrestore(&deferred_lock, flags);
		if (work == NULL)
			return;
		work->run(work);
	}
}

void vfs_poll_wake(struct vfs_poll_head *head, unsigned int events)
{
	irq_flags_t flags = spin_lock_irqsave(&head->lock);
	struct vfs_poll_entry *entry, *next;

	list_for_each_entry_safe(entry, next, &head->entries, link) {
		if (events == 0 || (entry->events & events))
			entry->wake(entry, events);
	}
	spin_unlock_irqrestore(&head->lock, flags);
	if (__atomic_load_n(&deferred.next, __ATOMIC_RELAXED) != &deferred)
		run_deferred();
}

unsigned int vfs_poll(struct vfs_file *file)
{
	if (file->ops == NULL || file->ops->poll == NULL)
		return DEFAULT_POLLMASK;
	return file->ops->poll(file);
}

/* The head `file` signals on, or NULL for files that never change. */
static struct vfs_poll_head *file_head(struct vfs_file *file)
{
	if (file->ops == NULL || file->ops->poll == NULL)
		return NULL;
	if (file->ops->poll_head == NULL)
		return &global_head;
	return file->ops->poll_head(file);
}

unsigned int vfs_poll_add(struct vfs_file *file, struct vfs_poll_entry *entry)
{
	struct vfs_poll_head *head = file_head(file);
	irq_flags_t flags;

	list_init(&entry->link);
	entry->head = head;
	if (head != NULL) {
		flags = spin_lock_irqsave(&head->lock);
		list_add_tail(&entry->link, &head->entries);
		spin_unlock_irqrestore(&head->lock, flags);
	}
	return vfs_poll(file);
}

void vfs_poll_remove(struct vfs_poll_entry *entry)
{
	struct vfs_poll_head *head = entry->head;
	irq_flags_t flags;

	if (head == NULL)
		return;
	flags = spin_lock_irqsave(&head->lock);
	list_remove(&entry->link);
	spin_unlock_irqrestore(&head->lock, flags);
	entry->head = NULL;
}

bool vfs_poll_by_timer(const struct vfs_file *file)
{
	return file->ops != NULL && file->ops->poll_by_timer;
}

void vfs_poll_notify(void)
{
	__atomic_fetch_add(&old_generation, 1, __ATOMIC_ACQ_REL);
	wake_up_all(&old_queue);
	vfs_poll_wake(&global_head, 0);
}

uint64_t vfs_poll_generation(void)
{
	return __atomic_load_n(&old_generation, __ATOMIC_ACQUIRE);
}

struct wait_queue *vfs_poll_queue(void)
{
	return &old_queue;
}
