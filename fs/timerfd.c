/*
 * timerfd objects (fs/epoll.h): a kernel timer whose expiries a read
 * returns as a count. The expiry is kept on the monotonic clock; a
 * CLOCK_REALTIME timer converts its absolute time when it is set
 * (FIXME: a later change of the wall clock does not move it, nor does
 * TFD_TIMER_CANCEL_ON_SET cancel it).
 *
 * A periodic timer is not re-armed by its callback: as Linux's
 * timerfd, the expiries since the last one counted are worked out when
 * the count is read (count_locked), and only a reader re-arms the timer,
 * so a 1 ns interval nobody reads costs one callback, not a billion.
 *
 * Locks: tfd->lock (irqsave: the timer callback runs in interrupt
 * context) guards the expiry, interval and count; wakes happen after it
 * is dropped. The object lives until its file is released, which cancels
 * the timer first.
 */
#include "fs/epoll.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/poll.h"
#include "core/include/uapi/time.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/timer.h"
#include "core/sched/wait.h"
#include "fs/epoll_internal.h"
#include "fs/vfs_fs.h"

struct timerfd {
	struct vfs_inode inode;
	int clock;
	struct timer timer;
	struct spinlock lock;
	/* Protected by lock: */
	bool armed;
	uint64_t expiry;		/* monotonic ns: the next uncounted one */
	uint64_t interval;		/* ns, 0: one shot */
	uint64_t ticks;			/* expiries counted, not read yet */
	struct wait_queue wait;		/* readers */
	struct vfs_poll_head head;
};

static const struct vfs_file_ops timerfd_ops;

static void expired(struct timer *timer, void *arg)
{
	struct timerfd *tfd = arg;
	irq_flags_t flags = spin_lock_irqsave(&tfd->lock);

	(void)timer;
	if (tfd->armed && tfd->interval == 0) {
		tfd->ticks++;
		tfd->armed = false;
	}
	spin_unlock_irqrestore(&tfd->lock, flags);
	wake_up_all(&tfd->wait);
	vfs_poll_wake(&tfd->head, POLLIN | POLLRDNORM);
}

/*
 * Counts the periodic expiries up to `now` and moves the expiry past it
 * (lock held). Returns whether any was counted: the timer is to be
 * re-armed for tfd->expiry.
 */
static bool count_locked(struct timerfd *tfd, uint64_t now)
{
	uint64_t overruns;

	if (!tfd->armed || tfd->interval == 0 || now < tfd->expiry)
		return false;
	overruns = (now - tfd->expiry) / tfd->interval + 1;
	tfd->ticks += overruns;
	if (overruns > (UINT64_MAX - tfd->expiry) / tfd->interval)
		tfd->armed = false;	/* the next one is past the clock's end */
	else
		tfd->expiry += overruns * tfd->interval;
	return tfd->armed;
}

static uint64_t take_ticks(struct timerfd *tfd)
{
	irq_flags_t flags = spin_lock_irqsave(&tfd->lock);
	bool rearm = count_locked(tfd, hal_clock_ns());
	uint64_t ticks = tfd->ticks, next = tfd->expiry;

	tfd->ticks = 0;
	spin_unlock_irqrestore(&tfd->lock, flags);
	if (rearm)
		timer_add(&tfd->timer, next);
	return ticks;
}

static bool has_ticks(struct timerfd *tfd)
{
	irq_flags_t flags = spin_lock_irqsave(&tfd->lock);
	bool ready = tfd->ticks > 0 ||
		     (tfd->armed && tfd->interval > 0 &&
		      hal_clock_ns() >= tfd->expiry);

	spin_unlock_irqrestore(&tfd->lock, flags);
	return ready;
}

/* May sleep. */
static ssize_t timerfd_read(struct vfs_file *file, void *buf, size_t length,
			    int64_t *offset)
{
	struct timerfd *tfd = file->private;
	uint64_t ticks;

	(void)offset;
	if (length < sizeof(ticks))
		return -EINVAL;
	while ((ticks = take_ticks(tfd)) == 0) {
		if (vfs_file_flags(file) & O_NONBLOCK)
			return -EAGAIN;
		wait_event(tfd->wait,
			   has_ticks(tfd) || signal_pending_current());
		if (!has_ticks(tfd) && signal_pending_current())
			return -ERESTARTSYS;
	}
	memcpy(buf, &ticks, sizeof(ticks));
	return sizeof(ticks);
}

static unsigned int timerfd_poll(struct vfs_file *file)
{
	return has_ticks(file->private) ? POLLIN | POLLRDNORM : 0;
}

static struct vfs_poll_head *timerfd_poll_head(struct vfs_file *file)
{
	struct timerfd *tfd = file->private;

	return &tfd->head;
}

/* Stops the timer for good (twice: a reader may be re-arming it). */
static void disarm(struct timerfd *tfd)
{
	irq_flags_t flags = spin_lock_irqsave(&tfd->lock);

	tfd->armed = false;
	spin_unlock_irqrestore(&tfd->lock, flags);
	timer_cancel(&tfd->timer);
	timer_cancel(&tfd->timer);
}

static void timerfd_release(struct vfs_file *file)
{
	struct timerfd *tfd = file->private;

	disarm(tfd);
	vfs_poll_head_destroy(&tfd->head);
	vfs_inode_freed(&tfd->inode);
	kfree(tfd);
}

static const struct vfs_file_ops timerfd_ops = {
	.anon_name = "timerfd",
	.read = timerfd_read,
	.poll = timerfd_poll,
	.poll_head = timerfd_poll_head,
	.release = timerfd_release,
	.stream = true,
	.no_seek = true,
};

static bool is_realtime(int clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM;
}

struct vfs_file *vfs_timerfd_create(const struct vfs_cred *cred, int clock,
				    int flags)
{
	struct timerfd *tfd;
	struct vfs_file *file;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME && clock != CLOCK_REALTIME_ALARM &&
	    clock != CLOCK_BOOTTIME_ALARM)
		return ERR_PTR(-EINVAL);
	if (flags & ~O_NONBLOCK)
		return ERR_PTR(-EINVAL);
	tfd = kzalloc(sizeof(*tfd));
	if (tfd == NULL)
		return ERR_PTR(-ENOMEM);
	vfs_inode_init(&tfd->inode, vfs_epoll_anon_super(),
		       vfs_epoll_anon_ino(), 0600, cred);
	tfd->inode.fops = &timerfd_ops;
	tfd->clock = clock;
	timer_init(&tfd->timer, expired, tfd);
	spin_init(&tfd->lock, "timerfd", LOCK_RANK_TIMERFD);
	wait_queue_init(&tfd->wait);
	vfs_poll_head_init(&tfd->head);
	file = vfs_file_create_anon(&tfd->inode, &timerfd_ops,
				    O_RDWR | (flags & O_NONBLOCK), cred, tfd);
	if (IS_ERR(file)) {
		vfs_poll_head_destroy(&tfd->head);
		vfs_inode_freed(&tfd->inode);
		kfree(tfd);
	}
	return file;
}

int vfs_timerfd_gettime(struct vfs_file *file, uint64_t *value_ns,
			uint64_t *interval_ns)
{
	struct timerfd *tfd = file->private;
	uint64_t now = hal_clock_ns(), next;
	irq_flags_t flags;
	bool rearm;

	if (file->ops != &timerfd_ops)
		return -EINVAL;
	flags = spin_lock_irqsave(&tfd->lock);
	rearm = count_locked(tfd, now);	/* Linux counts them here too */
	next = tfd->expiry;
	*value_ns = !tfd->armed ? 0 : tfd->expiry > now ? tfd->expiry - now : 1;
	*interval_ns = tfd->interval;
	spin_unlock_irqrestore(&tfd->lock, flags);
	if (rearm)
		timer_add(&tfd->timer, next);
	return 0;
}

/* The monotonic expiry of a setting (saturating). */
static uint64_t expiry_of(struct timerfd *tfd, int flags, uint64_t value_ns)
{
	uint64_t now = hal_clock_ns();
	int64_t offset = 0;

	if (!(flags & TFD_TIMER_ABSTIME))
		return value_ns > UINT64_MAX - now ? UINT64_MAX : now + value_ns;
	if (is_realtime(tfd->clock))
		offset = hal_wallclock_ns() - (int64_t)now;
	if (offset > 0 && value_ns < (uint64_t)offset)
		return 0;	/* already past: fires at once */
	return value_ns - (uint64_t)offset;
}

int vfs_timerfd_settime(struct vfs_file *file, int flags, uint64_t value_ns,
			uint64_t interval_ns, uint64_t *old_value_ns,
			uint64_t *old_interval_ns)
{
	struct timerfd *tfd = file->private;
	irq_flags_t irq;
	uint64_t expiry;
	int err;

	err = vfs_timerfd_gettime(file, old_value_ns, old_interval_ns);
	if (err < 0)
		return err;
	disarm(tfd);
	irq = spin_lock_irqsave(&tfd->lock);
	tfd->ticks = 0;
	tfd->interval = interval_ns;
	tfd->armed = value_ns != 0;
	expiry = tfd->armed ? expiry_of(tfd, flags, value_ns) : 0;
	tfd->expiry = expiry;
	spin_unlock_irqrestore(&tfd->lock, irq);
	if (value_ns != 0)
		timer_add(&tfd->timer, expiry);
	return 0;
}
