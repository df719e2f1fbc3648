/*
 * flock(2): whole-file advisory locks owned by open file descriptions,
 * as Linux's flock_lock_inode: shared or exclusive, one per description
 * and inode; a description converting its lock drops the old one first
 * (not atomic, as Linux); the lock goes with LOCK_UN or the description's
 * last close (vfs_file_put). No deadlock detection, as Linux's flock.
 *
 * Locks: flock_lock, a spinlock, guards every lock and file->flocked:
 * the last close of a mapped file's description unlocks under the address
 * space's lock (vma_free), so no sleeping lock here; entries are allocated
 * before it and freed after it. A blocked locker sleeps on flock_wait
 * until the generation, bumped at every unlock, moves, then looks again.
 * Locks are few: one list.
 */
#include "fs/vfs_internal.h"

#include "core/include/uapi/errno.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "core/sync/spinlock.h"

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

struct flock_entry {
	struct list_head link;		/* in flocks */
	struct vfs_inode *inode;	/* the file's: it outlives the entry */
	struct vfs_file *file;		/* the owning description */
	bool exclusive;
};

static struct spinlock flock_lock =
	SPINLOCK_INIT("vfs.flock", LOCK_RANK_VFS_LEAF);
/* Protected by flock_lock: */
static struct list_head flocks = LIST_HEAD_INIT(flocks);
static uint64_t generation;		/* read locklessly by waiters */
static struct wait_queue flock_wait = WAIT_QUEUE_INIT(flock_wait);

static struct flock_entry *find_locked(struct vfs_file *file)
{
	struct flock_entry *entry;

	list_for_each_entry(entry, &flocks, link) {
		if (entry->file == file)
			return entry;
	}
	return NULL;
}

/* Whether another description holds a lock `exclusive` cannot share. */
static bool conflicts_locked(struct vfs_file *file, bool exclusive)
{
	struct flock_entry *entry;

	list_for_each_entry(entry, &flocks, link) {
		if (entry->inode == file->inode && entry->file != file &&
		    (exclusive || entry->exclusive))
			return true;
	}
	return false;
}

/*
 * Takes `entry` out and wakes the waiters; the caller frees it once
 * flock_lock is dropped. flock_lock held.
 */
static void unlock_locked(struct flock_entry *entry)
{
	list_remove(&entry->link);
	WRITE_ONCE(entry->file->flocked, false);
	WRITE_ONCE(generation, generation + 1);
	wake_up_all(&flock_wait);
}

static int flock_unlock(struct vfs_file *file)
{
	struct flock_entry *entry;

	spin_lock(&flock_lock);
	entry = find_locked(file);
	if (entry != NULL)
		unlock_locked(entry);
	spin_unlock(&flock_lock);
	kfree(entry);
	return 0;
}

int vfs_flock(struct vfs_file *file, int operation)
{
	bool exclusive = (operation & ~LOCK_NB) == LOCK_EX;
	struct flock_entry *entry, *held;

	if ((operation & ~LOCK_NB) == LOCK_UN)
		return flock_unlock(file);
	if ((operation & ~LOCK_NB) != LOCK_SH && !exclusive)
		return -EINVAL;
	/* Linux: a lock needs a description open to read or write. */
	if ((vfs_file_flags(file) & O_ACCMODE) == O_ACCMODE)
		return -EBADF;
	entry = kmalloc(sizeof(*entry));
	if (entry == NULL)
		return -ENOMEM;
	*entry = (struct flock_entry){ .inode = file->inode, .file = file,
				       .exclusive = exclusive };
	spin_lock(&flock_lock);
	held = find_locked(file);
	if (held != NULL && held->exclusive == exclusive) {
		spin_unlock(&flock_lock);
		kfree(entry);
		return 0;
	}
	if (held != NULL)
		unlock_locked(held);	/* a conversion: the old one first */
	while (conflicts_locked(file, exclusive)) {
		uint64_t seen = generation;

		spin_unlock(&flock_lock);
		kfree(held);
		held = NULL;
		if (operation & LOCK_NB) {
			kfree(entry);
			return -EWOULDBLOCK;
		}
		wait_event(flock_wait, READ_ONCE(generation) != seen ||
				       signal_pending_current());
		if (signal_pending_current() &&
		    READ_ONCE(generation) == seen) {
			kfree(entry);
			return -ERESTARTSYS;
		}
		spin_lock(&flock_lock);
	}
	list_add_tail(&entry->link, &flocks);
	WRITE_ONCE(file->flocked, true);
	spin_unlock(&flock_lock);
	kfree(held);
	return 0;
}

void vfs_flock_release(struct vfs_file *file)
{
	flock_unlock(file);
}
