/*
 * epoll instances (fs/epoll.c) and eventfd objects (fs/eventfd.c), as
 * files. The syscall layer (core/sys/sys_epoll.c) copies user memory and
 * installs descriptors; everything here takes kernel buffers.
 */
#pragma once

#include "core/include/uapi/epoll.h"
#include "core/lib/types.h"

struct vfs_cred;
struct vfs_file;
struct wait_queue;

/*
 * A new epoll instance as a file (O_RDWR), with one reference. Returns
 * it or ERR_PTR(-ENOMEM). May sleep.
 */
struct vfs_file *vfs_epoll_create(const struct vfs_cred *cred);

bool vfs_is_epoll(const struct vfs_file *file);

/*
 * epoll_ctl(2): `op` on the item (target, fd) of `epfile`. `event` is
 * ignored for EPOLL_CTL_DEL. Returns 0, -EPERM (target cannot be polled),
 * -EINVAL (epfile not an epoll, target is epfile, bad op, EPOLLEXCLUSIVE
 * misuse), -EEXIST, -ENOENT, -ELOOP (a cycle or too deep a nesting of
 * epoll instances), -ENOMEM. The caller holds references on both files.
 * May sleep.
 */
int vfs_epoll_ctl(struct vfs_file *epfile, int op, struct vfs_file *target,
		  int fd, const struct epoll_event *event);

/*
 * Takes up to `max` ready events (level-triggered items stay ready,
 * edge-triggered ones until their next wake, one-shot ones disarm).
 * Returns how many; never blocks. May sleep (the instance's mutex).
 */
int vfs_epoll_collect(struct vfs_file *epfile, struct epoll_event *events,
		      int max);

/* Where epoll_wait sleeps; woken by every event of the instance. */
struct wait_queue *vfs_epoll_queue(struct vfs_file *epfile);

/* Whether an item may be ready (a hint for waiters; no lock held). */
bool vfs_epoll_may_have_events(struct vfs_file *epfile);

/* Whether the instance watches files that must be polled on a timer. */
bool vfs_epoll_by_timer(struct vfs_file *epfile);

/*
 * The last reference of `file` is going: its items leave every epoll
 * instance (vfs_file_put calls it). May sleep.
 */
void vfs_epoll_file_gone(struct vfs_file *file);

/*
 * A new eventfd (eventfd2(2)) with counter `initial`; `flags` are
 * EFD_SEMAPHORE and EFD_NONBLOCK. Returns the file with one reference,
 * ERR_PTR(-EINVAL) for other flags, ERR_PTR(-ENOMEM). May sleep.
 */
struct vfs_file *vfs_eventfd_create(const struct vfs_cred *cred,
				    uint64_t initial, int flags);

/*
 * A new timerfd on `clock` (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME
 * and their _ALARM forms); `flags` TFD_NONBLOCK. Returns the file with one
 * reference, ERR_PTR(-EINVAL) for another clock, ERR_PTR(-ENOMEM).
 */
struct vfs_file *vfs_timerfd_create(const struct vfs_cred *cred, int clock,
				    int flags);

/*
 * timerfd_settime: arms (value_ns 0: disarms) with `interval_ns`; `value_ns`
 * is absolute on the timer's clock with TFD_TIMER_ABSTIME, else relative.
 * Stores the previous setting as gettime does. Returns 0, -EINVAL (not a
 * timerfd). May sleep.
 */
int vfs_timerfd_settime(struct vfs_file *file, int flags, uint64_t value_ns,
			uint64_t interval_ns, uint64_t *old_value_ns,
			uint64_t *old_interval_ns);

/* timerfd_gettime: time left (0: disarmed) and the interval; -EINVAL. */
int vfs_timerfd_gettime(struct vfs_file *file, uint64_t *value_ns,
			uint64_t *interval_ns);
