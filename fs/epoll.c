/*
 * epoll instances (fs/epoll.h). An instance owns its items, one per
 * watched (file, descriptor) pair. Each item queues an entry on its
 * file's readiness head (fs/poll.h); the entry's callback puts the item
 * on the instance's ready list and wakes epoll_wait callers and, through
 * deferred work, the instance's own watchers (nested epoll, poll on an
 * epoll descriptor). Collecting re-polls each ready item, so the list is
 * a set of candidates: level-triggered items go back on it after being
 * reported, edge-triggered ones wait for their next wake, one-shot ones
 * are disarmed until EPOLL_CTL_MOD.
 *
 * Items hold no reference on their file (Linux semantics): the file's
 * last vfs_file_put calls vfs_epoll_file_gone, which removes its items;
 * each file lists its items in file->epoll_links.
 *
 * Locks, in order: nest_mutex (the graph of instances watching
 * instances: every item whose file is an epoll is added and removed
 * under it, and the loop check walks that graph), ep->mutex (the item
 * list, the items' events and data; held by ctl, collect and removal, so
 * an item's file stays valid while it is polled), then spinlocks:
 * poll heads, ep->lock (the ready list and each item's state; taken by
 * wake callbacks under a head lock), links_lock (every file's
 * epoll_links). The instance is refcounted: its file, and queued
 * deferred work.
 */
#include "fs/epoll.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/poll.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/sched/wait.h"
#include "fs/epoll_internal.h"
#include "fs/vfs_fs.h"

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
			 EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS 4

struct epoll {
	struct vfs_inode inode;
	int refcount;			/* atomic */
	struct mutex mutex;
	/* Protected by mutex: */
	struct list_head items;		/* struct epoll_item.link */
	unsigned int timer_items;	/* items of poll_by_timer files */
	/* Protected by nest_mutex: */
	struct list_head nested;	/* items whose file is an epoll */

	struct spinlock lock;
	/* Protected by lock: */
	struct list_head ready;		/* struct epoll_item.ready_link */

	struct wait_queue wait;		/* epoll_wait callers */
	struct vfs_poll_head head;	/* watchers of the epoll file */
	struct vfs_poll_deferred wake_watchers;
};

enum item_state { ITEM_IDLE, ITEM_READY, ITEM_SCANNING };

struct epoll_item {
	struct epoll *ep;
	struct vfs_file *file;		/* not referenced, see above */
	int fd;
	bool by_timer;
	/* Protected by ep->mutex (events also written under ep->lock): */
	uint32_t events;
	uint64_t data;
	struct list_head link;		/* in ep->items */
	struct list_head nest_link;	/* in ep->nested, under nest_mutex */
	struct list_head file_link;	/* in file->epoll_links, links_lock */
	/* Protected by ep->lock: */
	struct list_head ready_link;	/* in ep->ready or a collect batch */
	enum item_state state;
	bool rewake;			/* woken while being collected */

	struct vfs_poll_entry entry;
};

static struct mutex nest_mutex =
	MUTEX_INIT(nest_mutex, "epoll.nest", LOCK_RANK_EPOLL_NEST);
static struct spinlock links_lock =
	SPINLOCK_INIT("epoll.links", LOCK_RANK_VFS_LEAF);
#define ANON_INODE_FS_MAGIC 0x09041934

/* Linux's anon_inodefs, as statfs shows it on these files. */
static struct vfs_super epoll_sb = {
	.block_size = PAGE_SIZE,
	.magic = ANON_INODE_FS_MAGIC,
};
static uint64_t next_ino = 1;	/* atomic */
static const struct vfs_file_ops epoll_ops;

void vfs_epoll_init(void)
{
	epoll_sb.dev = vfs_anon_dev();
}

struct vfs_super *vfs_epoll_anon_super(void)
{
	return &epoll_sb;
}

uint64_t vfs_epoll_anon_ino(void)
{
	return __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
}

bool vfs_is_epoll(const struct vfs_file *file)
{
	return file->ops == &epoll_ops;
}

static void epoll_get(struct epoll *ep)
{
	__atomic_fetch_add(&ep->refcount, 1, __ATOMIC_RELAXED);
}

static void epoll_put(struct epoll *ep)
{
	if (__atomic_sub_fetch(&ep->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vfs_poll_head_destroy(&ep->head);
	vfs_inode_freed(&ep->inode);
	kfree(ep);
}

static void run_wake_watchers(struct vfs_poll_deferred *work)
{
	struct epoll *ep = container_of(work, struct epoll, wake_watchers);

	vfs_poll_wake(&ep->head, POLLIN | POLLRDNORM);
	epoll_put(ep);
}

/*
 * Wakes epoll_wait callers and (deferred) the watchers of the instance.
 * Called under a head lock while an item holds the instance alive.
 */
static void ep_signal(struct epoll *ep)
{
	wake_up_all(&ep->wait);
	if (__atomic_load_n(&ep->head.entries.next, __ATOMIC_RELAXED) ==
	    &ep->head.entries)
		return;
	epoll_get(ep);
	if (!vfs_poll_defer(&ep->wake_watchers))
		epoll_put(ep);	/* already queued: never the last reference */
}

/* Puts an idle item on the ready list. Caller holds ep->lock. */
static void make_ready_locked(struct epoll_item *item)
{
	if (item->state == ITEM_SCANNING) {
		item->rewake = true;
	} else if (item->state == ITEM_IDLE) {
		list_add_tail(&item->ready_link, &item->ep->ready);
		item->state = ITEM_READY;
	}
}

static void item_wake(struct vfs_poll_entry *entry, unsigned int events)
{
	struct epoll_item *item = container_of(entry, struct epoll_item,
					       entry);
	struct epoll *ep = item->ep;
	irq_flags_t flags = spin_lock_irqsave(&ep->lock);
	bool armed = (item->events & ~EP_PRIVATE_BITS) != 0;

	(void)events;
	if (armed)
		make_ready_locked(item);
	spin_unlock_irqrestore(&ep->lock, flags);
	if (armed)
		ep_signal(ep);
}

/*
 * Settles one polled item of a collect batch: reports it into `out`
 * (NULL: only looking) if `mask` is set, and puts it back on the ready
 * list or makes it idle. Returns whether it was ready.
 */
static bool settle_item(struct epoll_item *item, unsigned int mask,
			struct epoll_event *out)
{
	struct epoll *ep = item->ep;
	irq_flags_t flags = spin_lock_irqsave(&ep->lock);
	bool requeue = item->rewake;

	if (mask != 0 && out == NULL) {
		requeue = true;
	} else if (mask != 0) {
		out->events = mask;
		out->data = item->data;
		if (item->events & EPOLLONESHOT)
			item->events &= EP_PRIVATE_BITS;
		else if (!(item->events & EPOLLET))
			requeue = true;
	}
	item->rewake = false;
	item->state = requeue ? ITEM_READY : ITEM_IDLE;
	if (requeue)
		list_add_tail(&item->ready_link, &ep->ready);
	spin_unlock_irqrestore(&ep->lock, flags);
	return mask != 0;
}

/* Moves the ready list (and timer-polled items) into `batch`. */
static void start_batch(struct epoll *ep, struct list_head *batch)
{
	irq_flags_t flags = spin_lock_irqsave(&ep->lock);
	struct epoll_item *item, *next;

	if (ep->timer_items > 0) {
		list_for_each_entry(item, &ep->items, link) {
			if (item->by_timer)
				make_ready_locked(item);
		}
	}
	list_for_each_entry_safe(item, next, &ep->ready, ready_link) {
		list_move_tail(&item->ready_link, batch);
		item->state = ITEM_SCANNING;
		item->rewake = false;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* Puts what a collect did not look at back at the front of the list. */
static void end_batch(struct epoll *ep, struct list_head *batch)
{
	irq_flags_t flags = spin_lock_irqsave(&ep->lock);

	while (!list_is_empty(batch)) {
		struct epoll_item *item = list_entry(batch->prev,
						     struct epoll_item,
						     ready_link);

		item->state = ITEM_READY;
		list_move(&item->ready_link, &ep->ready);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
}

/*
 * Polls the ready candidates, reporting up to `max` into `out` (NULL:
 * stop at the first ready one and consume nothing). Caller holds
 * ep->mutex, so no item goes away meanwhile.
 */
static int ep_scan(struct epoll *ep, struct epoll_event *out, int max)
{
	struct list_head batch = LIST_HEAD_INIT(batch);
	int count = 0;

	start_batch(ep, &batch);
	while (count < max && !list_is_empty(&batch)) {
		struct epoll_item *item = list_first_entry(
			&batch, struct epoll_item, ready_link);
		irq_flags_t flags = spin_lock_irqsave(&ep->lock);
		unsigned int mask;

		list_remove(&item->ready_link);
		spin_unlock_irqrestore(&ep->lock, flags);
		mask = vfs_poll(item->file) & item->events & ~EP_PRIVATE_BITS;
		if (settle_item(item, mask, out ? &out[count] : NULL))
			count++;
	}
	/* Unvisited candidates keep their place before the re-queued ones. */
	end_batch(ep, &batch);
	return count;
}

/* The item of (file, fd), or NULL. Caller holds ep->mutex. */
static struct epoll_item *find_item(struct epoll *ep, struct vfs_file *file,
				    int fd)
{
	struct epoll_item *item;

	list_for_each_entry(item, &ep->items, link) {
		if (item->file == file && item->fd == fd)
			return item;
	}
	return NULL;
}

/*
 * -ELOOP if watching `target` from `ep` would close a cycle or nest
 * instances more than EP_MAX_NESTS deep. Caller holds nest_mutex.
 */
static int check_loop(struct epoll *ep, struct epoll *target, int depth)
{
	struct epoll_item *item;

	if (target == ep || depth > EP_MAX_NESTS)
		return -ELOOP;
	list_for_each_entry(item, &target->nested, nest_link) {
		int err = check_loop(ep, item->file->private, depth + 1);

		if (err < 0)
			return err;
	}
	return 0;
}

static void link_to_file(struct epoll_item *item)
{
	struct vfs_file *file = item->file;

	spin_lock(&links_lock);
	if (file->epoll_links.next == NULL)
		list_init(&file->epoll_links);
	list_add_tail(&item->file_link, &file->epoll_links);
	spin_unlock(&links_lock);
}

/* Makes `item` ready if `mask` says so, and wakes the instance's waiters. */
static void ready_if(struct epoll_item *item, unsigned int mask)
{
	struct epoll *ep = item->ep;
	irq_flags_t flags;

	if (mask == 0)
		return;
	flags = spin_lock_irqsave(&ep->lock);
	make_ready_locked(item);
	spin_unlock_irqrestore(&ep->lock, flags);
	ep_signal(ep);
}

/* Caller holds ep->mutex (and nest_mutex for an epoll target). */
static int add_item(struct epoll *ep, struct vfs_file *target, int fd,
		    const struct epoll_event *event)
{
	struct epoll_item *item = kzalloc(sizeof(*item));
	unsigned int mask;

	if (item == NULL)
		return -ENOMEM;
	item->ep = ep;
	item->file = target;
	item->fd = fd;
	item->by_timer = vfs_poll_by_timer(target);
	item->events = event->events | EPOLLERR | EPOLLHUP;
	item->data = event->data;
	list_init(&item->nest_link);
	list_init(&item->ready_link);
	item->state = ITEM_IDLE;
	list_add_tail(&item->link, &ep->items);
	if (vfs_is_epoll(target))
		list_add_tail(&item->nest_link, &ep->nested);
	link_to_file(item);
	ep->timer_items += item->by_timer;
	item->entry.events = item->events & ~EP_PRIVATE_BITS;
	item->entry.wake = item_wake;
	mask = vfs_poll_add(target, &item->entry);
	ready_if(item, mask & item->events & ~EP_PRIVATE_BITS);
	return 0;
}

/* Caller holds ep->mutex (and nest_mutex for an epoll target). */
static void remove_item(struct epoll *ep, struct epoll_item *item)
{
	irq_flags_t flags;

	vfs_poll_remove(&item->entry);
	flags = spin_lock_irqsave(&ep->lock);
	if (item->state == ITEM_READY)
		list_remove(&item->ready_link);
	spin_unlock_irqrestore(&ep->lock, flags);
	list_remove(&item->link);
	list_remove(&item->nest_link);
	spin_lock(&links_lock);
	list_remove(&item->file_link);
	spin_unlock(&links_lock);
	ep->timer_items -= item->by_timer;
	kfree(item);
}

/* Caller holds ep->mutex. */
static int modify_item(struct epoll_item *item,
		       const struct epoll_event *event)
{
	struct epoll *ep = item->ep;
	irq_flags_t flags;
	uint32_t events = event->events | EPOLLERR | EPOLLHUP;

	if (item->events & EPOLLEXCLUSIVE)
		return -EINVAL;
	flags = spin_lock_irqsave(&ep->lock);
	item->events = events;
	item->data = event->data;
	__atomic_store_n(&item->entry.events, events & ~EP_PRIVATE_BITS,
			 __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&ep->lock, flags);
	ready_if(item, vfs_poll(item->file) & events & ~EP_PRIVATE_BITS);
	return 0;
}

/* Linux's argument checks, before any lock (do_epoll_ctl). */
static int check_ctl(struct vfs_file *epfile, int op, struct vfs_file *target,
		     const struct epoll_event *event)
{
	if (target->ops == NULL || target->ops->poll == NULL)
		return -EPERM;
	if (epfile == target || !vfs_is_epoll(epfile))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (event->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (vfs_is_epoll(target) ||
		     (event->events & ~EP_EXCLUSIVE_OK)))
			return -EINVAL;
	}
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)
		return -EINVAL;
	return 0;
}

static int ctl_locked(struct epoll *ep, int op, struct vfs_file *target,
		      int fd, const struct epoll_event *event)
{
	struct epoll_item *item = find_item(ep, target, fd);

	switch (op) {
	case EPOLL_CTL_ADD:
		if (item != NULL)
			return -EEXIST;
		if (vfs_is_epoll(target)) {
			int err = check_loop(ep, target->private, 1);

			if (err < 0)
				return err;
		}
		return add_item(ep, target, fd, event);
	case EPOLL_CTL_DEL:
		if (item == NULL)
			return -ENOENT;
		remove_item(ep, item);
		return 0;
	default:
		if (item == NULL)
			return -ENOENT;
		return modify_item(item, event);
	}
}

int vfs_epoll_ctl(struct vfs_file *epfile, int op, struct vfs_file *target,
		  int fd, const struct epoll_event *event)
{
	struct epoll *ep = epfile->private;
	bool nested = vfs_is_epoll(target);
	int err = check_ctl(epfile, op, target, event);

	if (err < 0)
		return err;
	if (nested)
		mutex_lock(&nest_mutex);
	mutex_lock(&ep->mutex);
	err = ctl_locked(ep, op, target, fd, event);
	mutex_unlock(&ep->mutex);
	if (nested)
		mutex_unlock(&nest_mutex);
	return err;
}

int vfs_epoll_collect(struct vfs_file *epfile, struct epoll_event *events,
		      int max)
{
	struct epoll *ep = epfile->private;
	int count;

	mutex_lock(&ep->mutex);
	count = ep_scan(ep, events, max);
	mutex_unlock(&ep->mutex);
	return count;
}

struct wait_queue *vfs_epoll_queue(struct vfs_file *epfile)
{
	struct epoll *ep = epfile->private;

	return &ep->wait;
}

bool vfs_epoll_may_have_events(struct vfs_file *epfile)
{
	struct epoll *ep = epfile->private;
	irq_flags_t flags = spin_lock_irqsave(&ep->lock);
	bool ready = !list_is_empty(&ep->ready);

	spin_unlock_irqrestore(&ep->lock, flags);
	return ready;
}

bool vfs_epoll_by_timer(struct vfs_file *epfile)
{
	struct epoll *ep = epfile->private;

	return __atomic_load_n(&ep->timer_items, __ATOMIC_RELAXED) > 0;
}

/*
 * An epoll descriptor is readable while one of its items is ready. The
 * check polls the candidates when the instance is free (a trylock: the
 * caller may hold an outer instance's mutex); when another thread is
 * collecting, the ready list answers.
 */
static unsigned int epoll_poll(struct vfs_file *file)
{
	struct epoll *ep = file->private;
	bool ready;

	if (mutex_trylock(&ep->mutex)) {
		ready = ep_scan(ep, NULL, 1) > 0;
		mutex_unlock(&ep->mutex);
	} else {
		ready = vfs_epoll_may_have_events(file);
	}
	return ready ? POLLIN | POLLRDNORM : 0;
}

static struct vfs_poll_head *epoll_poll_head(struct vfs_file *file)
{
	struct epoll *ep = file->private;

	return &ep->head;
}

static void epoll_release(struct vfs_file *file)
{
	struct epoll *ep = file->private;
	struct epoll_item *item, *next;

	mutex_lock(&nest_mutex);
	mutex_lock(&ep->mutex);
	list_for_each_entry_safe(item, next, &ep->items, link)
		remove_item(ep, item);
	mutex_unlock(&ep->mutex);
	mutex_unlock(&nest_mutex);
	if (vfs_poll_defer_cancel(&ep->wake_watchers))
		epoll_put(ep);
	epoll_put(ep);
}

static const struct vfs_file_ops epoll_ops = {
	.anon_name = "eventpoll",
	.poll = epoll_poll,
	.poll_head = epoll_poll_head,
	.release = epoll_release,
	.stream = true,
	.no_seek = true,
};

struct vfs_file *vfs_epoll_create(const struct vfs_cred *cred)
{
	struct epoll *ep = kzalloc(sizeof(*ep));
	struct vfs_file *file;

	if (ep == NULL)
		return ERR_PTR(-ENOMEM);
	vfs_inode_init(&ep->inode, &epoll_sb, vfs_epoll_anon_ino(), 0600, cred);
	ep->inode.fops = &epoll_ops;
	ep->refcount = 1;
	mutex_init(&ep->mutex, "epoll", LOCK_RANK_EPOLL);
	list_init(&ep->items);
	list_init(&ep->nested);
	spin_init(&ep->lock, "epoll.ready", LOCK_RANK_EPOLL_READY);
	list_init(&ep->ready);
	wait_queue_init(&ep->wait);
	vfs_poll_head_init(&ep->head);
	ep->wake_watchers.run = run_wake_watchers;
	file = vfs_file_create_anon(&ep->inode, &epoll_ops, O_RDWR, cred, ep);
	if (IS_ERR(file)) {
		vfs_poll_head_destroy(&ep->head);
		vfs_inode_freed(&ep->inode);
		kfree(ep);
	}
	return file;
}

/* One instance watching `file`, referenced, or NULL when none is left. */
static struct epoll *first_watcher(struct vfs_file *file)
{
	struct epoll *ep = NULL;

	spin_lock(&links_lock);
	if (!list_is_empty(&file->epoll_links)) {
		ep = list_first_entry(&file->epoll_links, struct epoll_item,
				      file_link)->ep;
		epoll_get(ep);
	}
	spin_unlock(&links_lock);
	return ep;
}

void vfs_epoll_file_gone(struct vfs_file *file)
{
	struct epoll *ep;

	while ((ep = first_watcher(file)) != NULL) {
		struct epoll_item *item, *next;

		mutex_lock(&nest_mutex);
		mutex_lock(&ep->mutex);
		list_for_each_entry_safe(item, next, &ep->items, link) {
			if (item->file == file)
				remove_item(ep, item);
		}
		mutex_unlock(&ep->mutex);
		mutex_unlock(&nest_mutex);
		epoll_put(ep);
	}
}
