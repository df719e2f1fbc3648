/*
 * eventfd objects (fs/epoll.h): a 64-bit counter as a file. Writes add
 * (waiting while the sum would pass 0xfffffffffffffffe), reads take the
 * whole count, or 1 with EFD_SEMAPHORE (waiting while it is 0). Readiness
 * goes through the object's poll head.
 *
 * Locks: efd->lock (a leaf spinlock) guards the counter; waiters sleep
 * on efd->wait and re-check under the lock; wakes happen after it is
 * dropped. The object lives until its file is released.
 */
#include "fs/epoll.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/poll.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "fs/epoll_internal.h"
#include "fs/vfs_fs.h"

#define EVENTFD_MAX UINT64_MAX

struct eventfd {
	struct vfs_inode inode;
	bool semaphore;
	struct spinlock lock;
	/* Protected by lock: */
	uint64_t count;
	struct wait_queue wait;		/* readers and writers */
	struct vfs_poll_head head;
};

static const struct vfs_file_ops eventfd_ops;

/* Takes what a read returns; 0 when the count is 0. */
static uint64_t try_take(struct eventfd *efd)
{
	uint64_t value;

	spin_lock(&efd->lock);
	value = efd->semaphore && efd->count > 0 ? 1 : efd->count;
	efd->count -= value;
	spin_unlock(&efd->lock);
	return value;
}

/* Adds `value` if it fits below EVENTFD_MAX; returns whether it did. */
static bool try_add(struct eventfd *efd, uint64_t value)
{
	bool fits;

	spin_lock(&efd->lock);
	fits = EVENTFD_MAX - efd->count > value;
	if (fits)
		efd->count += value;
	spin_unlock(&efd->lock);
	return fits;
}

static bool is_nonblocking(const struct vfs_file *file)
{
	return (vfs_file_flags(file) & O_NONBLOCK) != 0;
}

/* May sleep. */
static ssize_t eventfd_read(struct vfs_file *file, void *buf, size_t length,
			    int64_t *offset)
{
	struct eventfd *efd = file->private;
	uint64_t value;

	(void)offset;
	if (length < sizeof(value))
		return -EINVAL;
	while ((value = try_take(efd)) == 0) {
		if (is_nonblocking(file))
			return -EAGAIN;
		wait_event(efd->wait, READ_ONCE(efd->count) > 0 ||
					      signal_pending_current());
		if (READ_ONCE(efd->count) == 0 && signal_pending_current())
			return -ERESTARTSYS;
	}
	wake_up_all(&efd->wait);
	vfs_poll_wake(&efd->head, POLLOUT | POLLWRNORM);
	memcpy(buf, &value, sizeof(value));
	return sizeof(value);
}

/* May sleep. */
static ssize_t eventfd_write(struct vfs_file *file, const void *buf,
			     size_t length, int64_t *offset)
{
	struct eventfd *efd = file->private;
	uint64_t value;

	(void)offset;
	if (length < sizeof(value))
		return -EINVAL;
	memcpy(&value, buf, sizeof(value));
	if (value == EVENTFD_MAX)
		return -EINVAL;
	while (!try_add(efd, value)) {
		if (is_nonblocking(file))
			return -EAGAIN;
		wait_event(efd->wait,
			   EVENTFD_MAX - READ_ONCE(efd->count) > value ||
				   signal_pending_current());
		if (EVENTFD_MAX - READ_ONCE(efd->count) <= value &&
		    signal_pending_current())
			return -ERESTARTSYS;
	}
	wake_up_all(&efd->wait);
	if (value > 0)
		vfs_poll_wake(&efd->head, POLLIN | POLLRDNORM);
	return sizeof(value);
}

/* Linux's eventfd_poll. */
static unsigned int eventfd_poll(struct vfs_file *file)
{
	struct eventfd *efd = file->private;
	unsigned int mask = 0;
	uint64_t count;

	spin_lock(&efd->lock);
	count = efd->count;
	spin_unlock(&efd->lock);
	if (count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (count == EVENTFD_MAX)
		mask |= POLLERR;
	if (EVENTFD_MAX - 1 > count)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static struct vfs_poll_head *eventfd_poll_head(struct vfs_file *file)
{
	struct eventfd *efd = file->private;

	return &efd->head;
}

static void eventfd_release(struct vfs_file *file)
{
	struct eventfd *efd = file->private;

	vfs_poll_head_destroy(&efd->head);
	vfs_inode_freed(&efd->inode);
	kfree(efd);
}

static const struct vfs_file_ops eventfd_ops = {
	.anon_name = "eventfd",
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.poll_head = eventfd_poll_head,
	.release = eventfd_release,
	.stream = true,
	.no_seek = true,
};

struct vfs_file *vfs_eventfd_create(const struct vfs_cred *cred,
				    uint64_t initial, int flags)
{
	struct eventfd *efd;
	struct vfs_file *file;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK))
		return ERR_PTR(-EINVAL);
	efd = kzalloc(sizeof(*efd));
	if (efd == NULL)
		return ERR_PTR(-ENOMEM);
	vfs_inode_init(&efd->inode, vfs_epoll_anon_super(),
		       vfs_epoll_anon_ino(), 0600, cred);
	efd->inode.fops = &eventfd_ops;
	efd->semaphore = (flags & EFD_SEMAPHORE) != 0;
	efd->count = initial;
	spin_init(&efd->lock, "eventfd", LOCK_RANK_VFS_LEAF);
	wait_queue_init(&efd->wait);
	vfs_poll_head_init(&efd->head);
	file = vfs_file_create_anon(&efd->inode, &eventfd_ops,
				    O_RDWR | (flags & EFD_NONBLOCK), cred, efd);
	if (IS_ERR(file)) {
		vfs_poll_head_destroy(&efd->head);
		vfs_inode_freed(&efd->inode);
		kfree(efd);
	}
	return file;
}
