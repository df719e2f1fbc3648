/*
 * The readiness core (fs/poll.c) and epoll/eventfd (fs/epoll.c,
 * fs/eventfd.c) through the VFS API: a wake reaches only the entries of
 * its head and only for events they asked for; files without a poll op
 * are always ready and never queue; files of the old interface (poll op,
 * no head) are woken by vfs_poll_notify, also inside epoll; deferred
 * work runs after the head's lock is dropped; epoll level, edge and
 * one-shot items; an item goes when its file's last reference does; a
 * blocked eventfd reader and a waiter on a nested instance are woken from
 * another CPU. Leaks and lock-order violations are checked by
 * vfs_test_fini.
 */
#include "core/include/uapi/poll.h"
#include "core/lib/err.h"
#include "core/sched/thread.h"
#include "fs/epoll.h"
#include "fs/epoll_internal.h"
#include "fs/pipe.h"
#include "fs/vfs_fs.h"
#include "vfs_test.h"

struct counted_entry {
	struct vfs_poll_entry entry;
	int wakes;
	unsigned int last_events;
};

static void count_wake(struct vfs_poll_entry *entry, unsigned int events)
{
	struct counted_entry *counted = (struct counted_entry *)entry;

	counted->wakes++;
	counted->last_events = events;
}

static void counted_init(struct counted_entry *counted, unsigned int events)
{
	*counted = (struct counted_entry){ .entry = { .events = events,
						      .wake = count_wake } };
}

VFS_TEST(fs_poll, wake_reaches_only_its_head_and_interest)
{
	struct vfs_file *a[2], *b[2];
	struct counted_entry reader_a, writer_a, reader_b;

	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, a), 0);
	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, b), 0);
	counted_init(&reader_a, POLLIN | POLLHUP);
	counted_init(&writer_a, POLLOUT);
	counted_init(&reader_b, POLLIN);
	cr_assert_eq(vfs_poll_add(a[0], &reader_a.entry), 0);
	cr_assert_eq(vfs_poll_add(a[1], &writer_a.entry), POLLOUT | POLLWRNORM);
	cr_assert_eq(vfs_poll_add(b[0], &reader_b.entry), 0);
	cr_assert_eq(vfs_write(a[1], "x", 1), 1);
	cr_assert_eq(reader_a.wakes, 1);
	cr_assert(reader_a.last_events & POLLIN);
	cr_assert_eq(writer_a.wakes, 0, "a write is no POLLOUT event");
	cr_assert_eq(reader_b.wakes, 0, "another pipe's waiter sleeps on");
	vfs_file_put(a[1]);
	cr_assert_eq(reader_a.wakes, 2, "the writer's close is a hang-up");
	cr_assert_eq(vfs_poll(a[0]), POLLIN | POLLRDNORM | POLLHUP);
	vfs_poll_remove(&reader_a.entry);
	vfs_poll_remove(&writer_a.entry);
	vfs_poll_remove(&reader_b.entry);
	vfs_file_put(a[0]);
	vfs_file_put(b[0]);
	vfs_file_put(b[1]);
}

VFS_TEST(fs_poll, regular_files_are_ready_and_never_queue)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0600);
	struct counted_entry counted;

	counted_init(&counted, POLLIN);
	cr_assert_eq(vfs_poll_add(file, &counted.entry),
		     POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	cr_assert_null(counted.entry.head);
	vfs_poll_notify();
	cr_assert_eq(counted.wakes, 0);
	vfs_poll_remove(&counted.entry);
	vfs_file_put(file);
}

/* A driver of the first interface: a poll op, vfs_poll_notify(). */
struct legacy {
	struct vfs_inode inode;
	unsigned int mask;
};

static unsigned int legacy_poll(struct vfs_file *file)
{
	struct legacy *legacy = file->private;

	return __atomic_load_n(&legacy->mask, __ATOMIC_RELAXED);
}

static void legacy_release(struct vfs_file *file)
{
	struct legacy *legacy = file->private;

	vfs_inode_freed(&legacy->inode);
}

static const struct vfs_file_ops legacy_ops = {
	.poll = legacy_poll,
	.release = legacy_release,
};

static struct vfs_file *legacy_open(struct legacy *legacy)
{
	struct vfs_file *file;

	vfs_inode_init(&legacy->inode, vfs_epoll_anon_super(),
		       vfs_epoll_anon_ino(), 0600, &vt_root_cred);
	legacy->mask = 0;
	file = vfs_file_create_anon(&legacy->inode, &legacy_ops, O_RDWR,
				    &vt_root_cred, legacy);
	cr_assert_not(IS_ERR(file));
	return file;
}

VFS_TEST(fs_poll, old_interface_woken_by_notify_also_in_epoll)
{
	struct legacy legacy;
	struct vfs_file *file = legacy_open(&legacy);
	struct vfs_file *ep = vfs_epoll_create(&vt_root_cred);
	struct epoll_event ev = { .events = EPOLLIN, .data = 77 }, out[2];
	struct counted_entry counted;

	cr_assert_not(IS_ERR(ep));
	counted_init(&counted, POLLIN);
	cr_assert_eq(vfs_poll_add(file, &counted.entry), 0);
	cr_assert_not_null(counted.entry.head, "queued on the global head");
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_ADD, file, 3, &ev), 0);
	cr_assert_eq(vfs_epoll_collect(ep, out, 2), 0);
	__atomic_store_n(&legacy.mask, POLLIN, __ATOMIC_RELAXED);
	cr_assert_not(vfs_epoll_may_have_events(ep));
	vfs_poll_notify();
	cr_assert_eq(counted.wakes, 1);
	cr_assert(vfs_epoll_may_have_events(ep));
	cr_assert_eq(vfs_epoll_collect(ep, out, 2), 1);
	cr_assert_eq(out[0].events, EPOLLIN);
	cr_assert_eq(out[0].data, 77);
	vfs_poll_remove(&counted.entry);
	vfs_file_put(file);	/* the last reference: the item goes */
	cr_assert_eq(vfs_epoll_collect(ep, out, 2), 0);
	vfs_file_put(ep);
}

static int deferred_runs;
static struct vfs_poll_deferred deferred_work;
static struct spinlock *head_lock;

static void deferred_run(struct vfs_poll_deferred *work)
{
	cr_assert_eq(work, &deferred_work);
	cr_assert_not(spin_is_locked(head_lock), "runs after the unlock");
	deferred_runs++;
}

static void defer_wake(struct vfs_poll_entry *entry, unsigned int events)
{
	(void)entry;
	(void)events;
	vfs_poll_defer(&deferred_work);
	cr_assert_not(vfs_poll_defer(&deferred_work), "queued once");
}

VFS_TEST(fs_poll, deferred_work_runs_after_the_head_lock)
{
	struct vfs_poll_head head;
	struct vfs_poll_entry entry = { .events = POLLIN, .wake = defer_wake };
	irq_flags_t flags;

	vfs_poll_head_init(&head);
	head_lock = &head.lock;
	deferred_work.run = deferred_run;
	list_init(&deferred_work.link);
	flags = spin_lock_irqsave(&head.lock);
	list_add_tail(&entry.link, &head.entries);
	spin_unlock_irqrestore(&head.lock, flags);
	entry.head = &head;
	vfs_poll_wake(&head, POLLOUT);
	cr_assert_eq(deferred_runs, 0, "no interest in POLLOUT");
	vfs_poll_wake(&head, POLLIN);
	cr_assert_eq(deferred_runs, 1);
	cr_assert_not(vfs_poll_defer_cancel(&deferred_work));
	vfs_poll_remove(&entry);
	vfs_poll_head_destroy(&head);
}

VFS_TEST(fs_epoll, level_edge_and_oneshot)
{
	struct vfs_file *ep = vfs_epoll_create(&vt_root_cred);
	struct vfs_file *efd = vfs_eventfd_create(&vt_root_cred, 0, 0);
	struct vfs_file *ends[2];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data = 1 };
	struct epoll_event out[4];
	uint64_t one = 1;
	char c;

	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, ends), 0);
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_ADD, efd, 4, &ev), 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data = 2 };
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_ADD, ends[0], 5, &ev), 0);
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_ADD, ends[0], 5, &ev), -EEXIST);
	cr_assert_eq(vfs_write(efd, &one, 8), 8);
	cr_assert_eq(vfs_write(ends[1], "p", 1), 1);
	cr_assert_eq(vfs_epoll_collect(ep, out, 4), 2);
	cr_assert_eq(out[0].data, 1, "ready in the order of the wakes");
	cr_assert_eq(out[1].data, 2);
	cr_assert_eq(vfs_epoll_collect(ep, out, 4), 1, "only the level one");
	cr_assert_eq(out[0].data, 2);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data = 3 };
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_MOD, ends[0], 5, &ev), 0);
	cr_assert_eq(vfs_epoll_collect(ep, out, 4), 1);
	cr_assert_eq(out[0].data, 3);
	cr_assert_eq(vfs_epoll_collect(ep, out, 4), 0, "disarmed");
	cr_assert_eq(vfs_read(ends[0], &c, 1), 1);
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_DEL, ends[0], 5, NULL), 0);
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_DEL, ends[0], 5, NULL),
		     -ENOENT);
	cr_assert_eq(vfs_epoll_ctl(ep, EPOLL_CTL_ADD, ep, 6, &ev), -EINVAL);
	vfs_file_put(ends[0]);
	vfs_file_put(ends[1]);
	vfs_file_put(efd);
	vfs_file_put(ep);
}

static int read_eventfd(void *arg)
{
	uint64_t value = 0;

	if (vfs_read(arg, &value, sizeof(value)) != 8)
		return -1;
	return (int)value;
}

Test(fs_epoll, eventfd_reader_woken_from_another_cpu,
     .init = NULL, .fini = vfs_test_fini)
{
	vt_init_cpus(2);
	struct vfs_file *efd = vfs_eventfd_create(&vt_root_cred, 0, 0);
	struct thread *reader;
	uint64_t value = 41;
	int code = -1;

	cr_assert_not(IS_ERR(efd));
	reader = thread_create("efd-reader", read_eventfd, efd);
	cr_assert_not(IS_ERR(reader));
	thread_start(reader);
	sleep_ns(2000000);
	cr_assert_eq(vfs_write(efd, &value, 8), 8);
	cr_assert_eq(thread_join(reader, &code), 0);
	cr_assert_eq(code, 41);
	cr_assert_eq(vfs_poll(efd), POLLOUT | POLLWRNORM);
	value = 0;
	cr_assert_eq(vfs_write(efd, &value, 4), -EINVAL);
	vfs_file_put(efd);
}

static int wait_outer(void *arg)
{
	struct vfs_file *outer = arg;
	struct epoll_event out[1];

	wait_event(*vfs_epoll_queue(outer), vfs_epoll_may_have_events(outer));
	if (vfs_epoll_collect(outer, out, 1) != 1)
		return -1;
	return (int)out[0].data;
}

Test(fs_epoll, nested_instance_wakes_a_waiter_on_another_cpu,
     .init = NULL, .fini = vfs_test_fini)
{
	vt_init_cpus(2);
	struct vfs_file *inner = vfs_epoll_create(&vt_root_cred);
	struct vfs_file *outer = vfs_epoll_create(&vt_root_cred);
	struct vfs_file *ends[2];
	struct epoll_event ev = { .events = EPOLLIN, .data = 11 };
	struct thread *waiter;
	int code = -1;

	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, ends), 0);
	cr_assert_eq(vfs_epoll_ctl(inner, EPOLL_CTL_ADD, ends[0], 3, &ev), 0);
	ev.data = 12;
	cr_assert_eq(vfs_epoll_ctl(outer, EPOLL_CTL_ADD, inner, 4, &ev), 0);
	cr_assert_eq(vfs_epoll_ctl(inner, EPOLL_CTL_ADD, outer, 5, &ev),
		     -ELOOP);
	waiter = thread_create("epoll-waiter", wait_outer, outer);
	cr_assert_not(IS_ERR(waiter));
	thread_start(waiter);
	sleep_ns(2000000);
	cr_assert_eq(vfs_write(ends[1], "w", 1), 1);
	cr_assert_eq(thread_join(waiter, &code), 0);
	cr_assert_eq(code, 12, "woken through the inner instance");
	vfs_file_put(inner);	/* outer's item goes with it */
	struct epoll_event out[1];
	cr_assert_eq(vfs_epoll_collect(outer, out, 1), 0);
	vfs_file_put(outer);
	vfs_file_put(ends[0]);
	vfs_file_put(ends[1]);
}
