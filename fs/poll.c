/*
 * File readiness for poll(2) and select(2) (fs/vfs.h): the files' own
 * poll operation, and one generation counter with one wait queue that
 * every readiness change bumps and wakes. Waiters check the counter, so
 * a change between their scan and their sleep is never lost.
 */
#include "core/include/uapi/poll.h"
#include "core/sched/wait.h"
#include "fs/vfs_fs.h"

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

static struct wait_queue poll_queue = WAIT_QUEUE_INIT(poll_queue);
static uint64_t generation;	/* atomic */

unsigned int vfs_poll(struct vfs_file *file)
{
	if (file->ops == NULL || file->ops->poll == NULL)
		return DEFAULT_POLLMASK;
	return file->ops->poll(file);
}

bool vfs_poll_by_timer(const struct vfs_file *file)
{
	return file->ops != NULL && file->ops->poll_by_timer;
}

uint64_t vfs_poll_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

struct wait_queue *vfs_poll_queue(void)
{
	return &poll_queue;
}

void vfs_poll_notify(void)
{
	__atomic_fetch_add(&generation, 1, __ATOMIC_ACQ_REL);
	wake_up_all(&poll_queue);
}
