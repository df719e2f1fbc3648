/*
 * Record locks of fcntl(2), as Linux's POSIX locks (fs/locks.c): advisory
 * byte-range locks, read (shared) or write (exclusive), on an inode. A
 * POSIX lock belongs to a descriptor table (the process and its threads,
 * Linux's fl_owner = current->files) and goes when that table closes any
 * descriptor of the file, or goes away; an OFD lock belongs to the open
 * file description and goes at its last close. A lock conflicts with
 * another owner's overlapping lock when either is a write lock. An
 * owner's new lock replaces the overlapped parts of its own (splitting
 * them) and merges with adjacent or overlapping ones of the same type.
 * A blocking request that would wait for an owner that (transitively)
 * waits for the requester is EDEADLK, POSIX locks only, as Linux.
 *
 * Locks: locks_lock, a spinlock, guards every lock and waiter: the last
 * close of a mapped file's description releases its locks under the
 * address space's lock (vma_free), so no sleeping lock here; memory is
 * allocated before it and freed after it. A blocked request sleeps on
 * lock_wait until the generation, bumped at every change that may grant
 * something, moves, then looks again. Locks are few: one list, in Linux's
 * order for each inode (an owner's locks together, by start, owners as
 * they came), which decides the lock F_GETLK reports.
 */
#include "fs/vfs_internal.h"

#include "core/include/uapi/errno.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "core/sync/spinlock.h"

#define OFFSET_MAX INT64_MAX
#define MAX_DEADLOCK_STEPS 10	/* Linux's MAX_DEADLK_ITERATIONS */

struct record_lock {
	struct list_head link;		/* in locks */
	struct vfs_inode *inode;	/* an owner's file's: outlives the lock */
	const void *owner;		/* fd table (POSIX) or file (OFD) */
	int64_t start, end;		/* inclusive; end OFFSET_MAX: no end */
	int32_t pid;			/* F_GETLK's l_pid: -1 for OFD */
	bool write;
};

/* A POSIX request asleep, for the deadlock check. */
struct record_waiter {
	struct list_head link;		/* in waiters */
	const void *owner;
	const void *blocker;		/* the owner it waits for */
};

static struct spinlock locks_lock =
	SPINLOCK_INIT("vfs.record_lock", LOCK_RANK_VFS_LEAF);
/* Protected by locks_lock: */
static struct list_head locks = LIST_HEAD_INIT(locks);
static struct list_head waiters = LIST_HEAD_INIT(waiters);
static uint64_t lock_count;		/* read locklessly at every close */
static uint64_t generation;		/* read locklessly by waiters */
static struct wait_queue lock_wait = WAIT_QUEUE_INIT(lock_wait);

/* A request: the range and type of a struct flock, and who asks. */
struct request {
	struct vfs_inode *inode;
	const void *owner;
	int32_t pid;
	bool ofd;
	int type;			/* F_RDLCK, F_WRLCK, F_UNLCK */
	int64_t start, end;
};

/*
 * The struct flock as a range, as Linux's flock_to_posix_lock: -EINVAL
 * (whence, a negative start, an unknown type), -EOVERFLOW (past
 * OFFSET_MAX).
 */
static int to_request(struct vfs_file *file, const struct vfs_lock_owner *who,
		      const struct flock *fl, struct request *r)
{
	int64_t base, start;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = READ_ONCE(file->pos);
		break;
	case SEEK_END:
		base = READ_ONCE(file->inode->size);
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	start = base + fl->l_start;
	if (start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - start)
			return -EOVERFLOW;
		r->end = start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		r->end = start - 1;
		start += fl->l_len;
	} else {
		r->end = OFFSET_MAX;
	}
	r->start = start;
	r->inode = file->inode;
	r->ofd = who->files == NULL;
	r->owner = r->ofd ? (const void *)file : who->files;
	r->pid = r->ofd ? -1 : who->pid;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK &&
	    fl->l_type != F_UNLCK)
		return -EINVAL;
	r->type = fl->l_type;
	return 0;
}

static bool overlaps(const struct record_lock *lock, const struct request *r)
{
	return lock->inode == r->inode && lock->start <= r->end &&
	       r->start <= lock->end;
}

/*
 * The first lock `r` must wait for: another owner's overlapping lock,
 * either of them a write lock. For F_UNLCK (F_OFD_GETLK only): the
 * requester's own overlapping lock, as Linux's posix_test_locks_conflict.
 */
static struct record_lock *find_conflict_locked(const struct request *r)
{
	struct record_lock *lock;

	list_for_each_entry(lock, &locks, link) {
		if (!overlaps(lock, r))
			continue;
		if (r->type == F_UNLCK) {
			if (lock->owner == r->owner)
				return lock;
		} else if (lock->owner != r->owner &&
			   (lock->write || r->type == F_WRLCK)) {
			return lock;
		}
	}
	return NULL;
}

/* Whether `blocker` waits, in a chain, for `owner` (Linux's bounded walk). */
static bool would_deadlock_locked(const void *owner, const void *blocker)
{
	for (int step = 0; step < MAX_DEADLOCK_STEPS; step++) {
		struct record_waiter *waiter, *found = NULL;

		list_for_each_entry(waiter, &waiters, link) {
			if (waiter->owner == blocker) {
				found = waiter;
				break;
			}
		}
		if (found == NULL)
			return false;
		if (found->blocker == owner)
			return true;
		blocker = found->blocker;
	}
	return false;
}

/* Something may be granted now: waiters look again. */
static void changed_locked(void)
{
	WRITE_ONCE(generation, generation + 1);
	wake_up_all(&lock_wait);
}

/* Takes `lock` out, onto `dead` (freed once the lock is dropped). */
static void remove_lock_locked(struct record_lock *lock,
			       struct list_head *dead)
{
	list_remove(&lock->link);
	list_add_tail(&lock->link, dead);
	WRITE_ONCE(lock_count, lock_count - 1);
}

static void free_dead(struct list_head *dead)
{
	struct record_lock *lock, *next;

	list_for_each_entry_safe(lock, next, dead, link)
		kfree(lock);
}

/* Adds `lock` before its owner's first later lock on the inode. */
static void add_lock_locked(struct record_lock *lock)
{
	struct record_lock *other, *last_own = NULL;

	list_for_each_entry(other, &locks, link) {
		if (other->inode != lock->inode || other->owner != lock->owner)
			continue;
		if (other->start > lock->start) {
			list_add_tail(&lock->link, &other->link);
			goto added;
		}
		last_own = other;
	}
	if (last_own != NULL)
		list_add(&lock->link, &last_own->link);
	else
		list_add_tail(&lock->link, &locks);
added:
	WRITE_ONCE(lock_count, lock_count + 1);
}

/*
 * The owner's locks lose r's range: trimmed, split (taking `spare`, then
 * set to NULL) or removed.
 */
static void cut_range_locked(const struct request *r,
			     struct record_lock **spare, struct list_head *dead)
{
	struct record_lock *lock, *next;

	list_for_each_entry_safe(lock, next, &locks, link) {
		if (lock->owner != r->owner || !overlaps(lock, r))
			continue;
		if (lock->start < r->start && lock->end > r->end) {
			struct record_lock *tail = *spare;

			*spare = NULL;
			*tail = *lock;
			tail->start = r->end + 1;
			lock->end = r->start - 1;
			add_lock_locked(tail);
		} else if (lock->start < r->start) {
			lock->end = r->start - 1;
		} else if (lock->end > r->end) {
			lock->start = r->end + 1;
		} else {
			remove_lock_locked(lock, dead);
		}
	}
}

/* Adds r as `lock`, merged with the owner's adjacent locks of its type. */
static void insert_merged_locked(const struct request *r,
				 struct record_lock *lock, struct list_head *dead)
{
	struct record_lock *other, *next;

	*lock = (struct record_lock){
		.inode = r->inode, .owner = r->owner, .start = r->start,
		.end = r->end, .pid = r->pid, .write = r->type == F_WRLCK,
	};
	list_for_each_entry_safe(other, next, &locks, link) {
		if (other->inode != r->inode || other->owner != r->owner ||
		    other->write != lock->write)
			continue;
		if (other->end != OFFSET_MAX && other->end + 1 == lock->start) {
			lock->start = other->start;
			remove_lock_locked(other, dead);
		} else if (lock->end != OFFSET_MAX &&
			   lock->end + 1 == other->start) {
			lock->end = other->end;
			remove_lock_locked(other, dead);
		}
	}
	add_lock_locked(lock);
}

/*
 * Sleeps until the locks change; -ERESTARTSYS on a signal. Called and
 * returns with locks_lock held.
 */
static int wait_for_change_locked(const struct request *r,
				  const struct record_lock *blocker)
{
	struct record_waiter waiter = { .owner = r->owner,
					.blocker = blocker->owner };
	uint64_t seen = generation;
	bool signalled;

	if (!r->ofd)
		list_add_tail(&waiter.link, &waiters);
	spin_unlock(&locks_lock);
	wait_event(lock_wait, READ_ONCE(generation) != seen ||
			      signal_pending_current());
	signalled = signal_pending_current();
	spin_lock(&locks_lock);
	if (!r->ofd)
		list_remove(&waiter.link);
	return signalled && generation == seen ? -ERESTARTSYS : 0;
}

int vfs_record_lock_test(struct vfs_file *file,
			 const struct vfs_lock_owner *who, struct flock *fl)
{
	struct record_lock *conflict;
	struct request r;
	int err;

	/* F_UNLCK asks for the description's own locks: OFD only. */
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK &&
	    (who->files != NULL || fl->l_type != F_UNLCK))
		return -EINVAL;
	err = to_request(file, who, fl, &r);
	if (err < 0)
		return err;
	if (r.ofd && fl->l_pid != 0)
		return -EINVAL;
	spin_lock(&locks_lock);
	conflict = find_conflict_locked(&r);
	if (conflict == NULL) {
		fl->l_type = F_UNLCK;	/* the rest as the caller gave it */
	} else {
		fl->l_type = conflict->write ? F_WRLCK : F_RDLCK;
		fl->l_whence = SEEK_SET;
		fl->l_start = conflict->start;
		fl->l_len = conflict->end == OFFSET_MAX ?
			    0 : conflict->end - conflict->start + 1;
		fl->l_pid = conflict->pid;
	}
	spin_unlock(&locks_lock);
	return 0;
}

int vfs_record_lock_set(struct vfs_file *file,
			const struct vfs_lock_owner *who,
			const struct flock *fl, bool wait)
{
	int accmode = vfs_file_flags(file) & O_ACCMODE;
	struct record_lock *spare, *lock;
	struct list_head dead = LIST_HEAD_INIT(dead);
	struct request r;
	int err = to_request(file, who, fl, &r);

	if (err < 0)
		return err;
	/* Linux's check_fmode_for_setlk. */
	if ((r.type == F_RDLCK && accmode != O_RDONLY && accmode != O_RDWR) ||
	    (r.type == F_WRLCK && accmode != O_WRONLY && accmode != O_RDWR))
		return -EBADF;
	if (r.ofd && fl->l_pid != 0)
		return -EINVAL;
	/* At most a split and the new lock; what is not needed goes. */
	spare = kmalloc(sizeof(*spare));
	lock = kmalloc(sizeof(*lock));
	if (spare == NULL || lock == NULL) {
		kfree(spare);
		kfree(lock);
		return -ENOLCK;
	}
	spin_lock(&locks_lock);
	while (r.type != F_UNLCK) {
		struct record_lock *conflict = find_conflict_locked(&r);

		if (conflict == NULL)
			break;
		if (!wait)
			err = -EAGAIN;
		else if (!r.ofd &&
			 would_deadlock_locked(r.owner, conflict->owner))
			err = -EDEADLK;
		else
			err = wait_for_change_locked(&r, conflict);
		if (err < 0)
			break;
	}
	if (err == 0) {
		cut_range_locked(&r, &spare, &dead);
		if (r.type != F_UNLCK) {
			insert_merged_locked(&r, lock, &dead);
			lock = NULL;
		}
		changed_locked();
	}
	spin_unlock(&locks_lock);
	free_dead(&dead);
	kfree(spare);
	kfree(lock);
	return err;
}

void vfs_record_locks_release(struct vfs_file *file, const void *files)
{
	const void *owner = files != NULL ? files : (const void *)file;
	struct list_head dead = LIST_HEAD_INIT(dead);
	struct record_lock *lock, *next;

	if (READ_ONCE(lock_count) == 0)
		return;
	spin_lock(&locks_lock);
	list_for_each_entry_safe(lock, next, &locks, link) {
		if (lock->owner == owner && lock->inode == file->inode)
			remove_lock_locked(lock, &dead);
	}
	if (!list_is_empty(&dead))
		changed_locked();
	spin_unlock(&locks_lock);
	free_dead(&dead);
}
