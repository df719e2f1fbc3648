/*
 * File readiness (fs/poll.c): what poll, select and epoll wait on.
 *
 * An object whose readiness changes (a pipe, an eventfd, an epoll
 * instance, a tty) embeds a struct vfs_poll_head and calls
 * vfs_poll_wake(head, events) after each change, with the POLL* bits that
 * may have become true (0: "anything"). Its file ops give the mask now
 * (`poll`) and the head (`poll_head`). A waiter queues a struct
 * vfs_poll_entry on the head of each file it watches (vfs_poll_add, which
 * also returns the mask, so no change between the two is lost), gets its
 * `wake` callback on every matching change, and takes the entry off
 * (vfs_poll_remove) while it still holds a reference on the file. So a
 * wake reaches only the waiters of that object.
 *
 * Files with a `poll` op and no `poll_head` (drivers written against the
 * first interface) are watched through one global head that
 * vfs_poll_notify() wakes: the slow path, which wakes every such waiter.
 * Files without `poll` are always ready (regular files, directories).
 * Files with `poll_by_timer` are looked at again every VFS_POLL_TIMER_NS.
 *
 * Locks: a head's spinlock guards its entry list and is held while the
 * callbacks run, so a callback must not sleep, allocate or take another
 * head's lock. A callback that must wake another head (an epoll instance
 * telling its own watchers) defers it with vfs_poll_defer: deferred work
 * runs once the waking head's lock is dropped.
 */
#pragma once

#include "core/lib/list.h"
#include "core/lib/types.h"
#include "core/sync/spinlock.h"

struct vfs_file;

struct vfs_poll_head {
	struct spinlock lock;
	/* Protected by lock: */
	struct list_head entries;	/* struct vfs_poll_entry */
};

struct vfs_poll_entry {
	/* Protected by head->lock: */
	struct list_head link;
	/* Set by vfs_poll_add, cleared by vfs_poll_remove (owner only): */
	struct vfs_poll_head *head;
	/*
	 * The bits the waiter cares about: a wake whose events share none of
	 * them does not call `wake` (a wake with events 0 always does).
	 */
	unsigned int events;
	/* Called under the head's lock, any context: must not sleep. */
	void (*wake)(struct vfs_poll_entry *entry, unsigned int events);
};

/* Work a wake callback leaves for after the head's lock is dropped. */
struct vfs_poll_deferred {
	struct list_head link;	/* under the deferred-work lock */
	void (*run)(struct vfs_poll_deferred *work);
};

#define VFS_POLL_TIMER_NS 10000000ULL

void vfs_poll_head_init(struct vfs_poll_head *head);

/* The head must have no entries left (every waiter held a reference). */
void vfs_poll_head_destroy(struct vfs_poll_head *head);

/*
 * Calls the callback of every entry on `head` whose interest meets
 * `events` (0: all of them), then runs deferred work. Any context; the
 * caller must not hold a lock a callback takes (another head, an epoll
 * instance's ready lock), which in practice means: call it after
 * dropping the object's own lock.
 */
void vfs_poll_wake(struct vfs_poll_head *head, unsigned int events);

/*
 * Queues `work` (unless already queued) to run after the current wake
 * has dropped its head's lock. Returns true if it was queued now. The
 * owner keeps `work` alive until it ran, or takes it back with
 * vfs_poll_defer_cancel. Any context.
 */
bool vfs_poll_defer(struct vfs_poll_deferred *work);

/* Takes queued `work` back; returns true if it was still queued. */
bool vfs_poll_defer_cancel(struct vfs_poll_deferred *work);

/*
 * The readiness of `file` now (POLL* bits). Always ready without a poll
 * op. Any context that may take a spinlock; never sleeps.
 */
unsigned int vfs_poll(struct vfs_file *file);

/*
 * Queues `entry` (its `events` and `wake` set, otherwise zeroed) on the
 * head `file` signals changes on and returns vfs_poll(file). Files that
 * never change get no queueing (entry->head stays NULL). The caller holds
 * a reference on `file` until vfs_poll_remove. Never sleeps.
 */
unsigned int vfs_poll_add(struct vfs_file *file, struct vfs_poll_entry *entry);

/* Takes `entry` off its head (nothing if it was not queued). */
void vfs_poll_remove(struct vfs_poll_entry *entry);

/* Whether pollers of `file` must look again every VFS_POLL_TIMER_NS. */
bool vfs_poll_by_timer(const struct vfs_file *file);

/*
 * The old, global notification: wakes every waiter of every file that
 * has a `poll` op but no `poll_head`. Still correct for such files with
 * poll, select and epoll; new code uses a head and vfs_poll_wake.
 */
void vfs_poll_notify(void);

/*
 * Deprecated, the first interface's waiting side: a generation that every
 * vfs_poll_notify() bumps and a queue it wakes. Nothing in the tree uses
 * them any more; kept so code written against them still builds. Wakes
 * through heads (vfs_poll_wake) do not move it.
 */
struct wait_queue;
uint64_t vfs_poll_generation(void);
struct wait_queue *vfs_poll_queue(void);
