/*
 * Pipes (fs/pipe.h). A struct pipe owns its ring, its inode (S_IFIFO, on
 * a static internal super block that is never mounted) and two wait
 * queues; each end is an anonymous vfs_file whose private is the pipe.
 * Each end holds a reference on that inode and the pipe is freed with it,
 * once both ends are released and nothing else holds it: following
 * /proc/PID/fd/N makes a pseudo dentry (its own root, on the internal
 * pipe mount) that holds one too, and opening it adds an end as opening
 * a FIFO does (Linux reopens a pipe through pipefs the same way).
 *
 * Named FIFOs (mknod S_IFIFO) reuse the same struct pipe: opening a FIFO
 * inode finds its pipe in `fifos` (by inode) or makes one; the pipe goes
 * when the last end closes (its data with it, as on Linux).
 *
 * Locks: fifo_lock (a mutex, before pipe->lock) guards the `fifos` list
 * and the lifetime of named pipes: an open and the last release of a
 * FIFO cannot cross. pipe->lock (a spinlock) guards the ring and the
 * reader and writer counts. Copies under it are between kernel buffers
 * only (the syscall layer bounces user data), so it never faults or
 * sleeps. Wake-ups happen after it is dropped. Readers and writers sleep
 * on read_wait and write_wait; a waiter re-checks under the lock after
 * every wake-up.
 */
#include "fs/pipe.h"

#include "core/include/uapi/ioctl.h"
#include "core/include/uapi/poll.h"
#include "core/include/uapi/signal.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "fs/vfs_internal.h"

struct pipe {
	struct vfs_inode inode;
	struct spinlock lock;
	/* Protected by lock: */
	char *ring;			/* PIPE_CAPACITY bytes */
	size_t head;			/* the next byte to read */
	size_t count;			/* bytes in the ring */
	unsigned int readers;		/* open read ends */
	unsigned int writers;		/* open write ends */
	unsigned int reader_opens;	/* FIFO opens ever, to wake openers */
	unsigned int writer_opens;

	/* Named pipes only, under fifo_lock: */
	struct vfs_inode *fifo;		/* the FIFO's inode, or NULL */
	struct list_head fifo_link;	/* in fifos */

	struct wait_queue read_wait;	/* readers waiting for data */
	struct wait_queue write_wait;	/* writers waiting for room */
	struct vfs_poll_head poll_head;	/* poll/select/epoll, both ends */
};

static void pipe_evict(struct vfs_inode *inode);

#define PIPEFS_MAGIC 0x50495045

static const struct vfs_super_ops pipe_super_ops = {
	.evict_inode = pipe_evict,
	.evict_unused = true,
};

/*
 * Never in the mount table (Linux's kern_mount of pipefs): the pseudo
 * paths of anonymous pipes sit on it. Its own reference keeps it.
 */
static struct vfs_super pipe_sb = {
	.ops = &pipe_super_ops,
	.block_size = PAGE_SIZE,
	.magic = PIPEFS_MAGIC,
	.refcount = 1,
};
static struct vfs_mount pipe_mount = {
	.sb = &pipe_sb,
	.source = "pipefs",
	.refcount = 1,
	.internal = true,
};
static uint64_t next_ino = 1;	/* atomic */

void vfs_pipe_init(void)
{
	pipe_sb.dev = vfs_anon_dev();
	list_init(&pipe_mount.link);
}

void vfs_pipe_broken(void)
{
	signal_raise(SIGPIPE);
}

static bool is_nonblocking(const struct vfs_file *file)
{
	return (vfs_file_flags(file) & O_NONBLOCK) != 0;
}

/* Moves up to `length` bytes out of the ring. Caller holds pipe->lock. */
static size_t take_locked(struct pipe *pipe, char *buf, size_t length)
{
	size_t done = MIN(length, pipe->count);
	size_t first = MIN(done, PIPE_CAPACITY - pipe->head);

	memcpy(buf, pipe->ring + pipe->head, first);
	memcpy(buf + first, pipe->ring, done - first);
	pipe->head = (pipe->head + done) % PIPE_CAPACITY;
	pipe->count -= done;
	return done;
}

/* Moves up to `length` bytes into the ring. Caller holds pipe->lock. */
static size_t put_locked(struct pipe *pipe, const char *buf, size_t length)
{
	size_t tail = (pipe->head + pipe->count) % PIPE_CAPACITY;
	size_t done = MIN(length, PIPE_CAPACITY - pipe->count);
	size_t first = MIN(done, PIPE_CAPACITY - tail);

	memcpy(pipe->ring + tail, buf, first);
	memcpy(pipe->ring, buf + first, done - first);
	pipe->count += done;
	return done;
}

static bool can_read(struct pipe *pipe)
{
	bool ready;

	spin_lock(&pipe->lock);
	ready = pipe->count > 0 || pipe->writers == 0;
	spin_unlock(&pipe->lock);
	return ready;
}

static bool can_write(struct pipe *pipe, size_t need)
{
	bool ready;

	spin_lock(&pipe->lock);
	ready = PIPE_CAPACITY - pipe->count >= need || pipe->readers == 0;
	spin_unlock(&pipe->lock);
	return ready;
}

/* May sleep. */
static ssize_t pipe_read(struct vfs_file *file, void *buf, size_t length,
			 int64_t *offset)
{
	struct pipe *pipe = file->private;
	size_t done;

	(void)offset;
	if (length == 0)
		return 0;
	for (;;) {
		spin_lock(&pipe->lock);
		done = take_locked(pipe, buf, length);
		bool eof = done == 0 && pipe->writers == 0;

		spin_unlock(&pipe->lock);
		if (done > 0) {
			wake_up_all(&pipe->write_wait);
			vfs_poll_wake(&pipe->poll_head, POLLOUT | POLLWRNORM);
			return (ssize_t)done;
		}
		if (eof)
			return 0;
		if (is_nonblocking(file))
			return -EAGAIN;
		/* A signal ends the wait: restarted, or -EINTR. */
		wait_event(pipe->read_wait,
			   can_read(pipe) || signal_pending_current());
		if (!can_read(pipe) && signal_pending_current())
			return -ERESTARTSYS;
	}
}

/*
 * Writes all of buf unless the readers go or O_NONBLOCK stops it; a
 * write of at most PIPE_BUF bytes goes in at once or not at all.
 * May sleep.
 */
static ssize_t pipe_write(struct vfs_file *file, const void *buf,
			  size_t length, int64_t *offset)
{
	struct pipe *pipe = file->private;
	size_t need = length <= PIPE_BUF ? length : 1;
	size_t done = 0;

	(void)offset;
	if (length == 0)
		return 0;
	for (;;) {
		size_t put = 0;
		bool broken;

		spin_lock(&pipe->lock);
		broken = pipe->readers == 0;
		if (!broken && PIPE_CAPACITY - pipe->count >= need)
			put = put_locked(pipe, (const char *)buf + done,
					 length - done);
		spin_unlock(&pipe->lock);
		done += put;
		if (put > 0) {
			wake_up_all(&pipe->read_wait);
			vfs_poll_wake(&pipe->poll_head, POLLIN | POLLRDNORM);
		}
		if (broken) {
			vfs_pipe_broken();
			return done > 0 ? (ssize_t)done : -EPIPE;
		}
		if (done == length)
			return (ssize_t)done;
		if (is_nonblocking(file))
			return done > 0 ? (ssize_t)done : -EAGAIN;
		wait_event(pipe->write_wait,
			   can_write(pipe, need) || signal_pending_current());
		if (!can_write(pipe, need) && signal_pending_current())
			return done > 0 ? (ssize_t)done : -ERESTARTSYS;
	}
}

static int pipe_ioctl(struct vfs_file *file, unsigned int cmd, void *arg)
{
	struct pipe *pipe = file->private;

	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&pipe->lock);
	*(int *)arg = (int)pipe->count;
	spin_unlock(&pipe->lock);
	return 0;
}

static void pipe_free(struct pipe *pipe)
{
	if (pipe->fifo == NULL)
		vfs_inode_freed(&pipe->inode);
	vfs_poll_head_destroy(&pipe->poll_head);
	kfree(pipe->ring);
	kfree(pipe);
}

/* The last reference to an anonymous pipe's inode went. */
static void pipe_evict(struct vfs_inode *inode)
{
	pipe_free(container_of(inode, struct pipe, inode));
}

static bool is_reader(int flags)
{
	return (flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR;
}

static bool is_writer(int flags)
{
	return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

/* Drops an end; returns true when it was the last. */
static bool drop_end(struct pipe *pipe, int flags)
{
	bool last;

	spin_lock(&pipe->lock);
	if (is_reader(flags))
		pipe->readers--;
	if (is_writer(flags))
		pipe->writers--;
	last = pipe->readers == 0 && pipe->writers == 0;
	spin_unlock(&pipe->lock);
	if (!last) {
		wake_up_all(&pipe->read_wait);
		wake_up_all(&pipe->write_wait);
		vfs_poll_wake(&pipe->poll_head, POLLHUP | POLLERR | POLLIN |
						POLLOUT | POLLRDNORM |
						POLLWRNORM);
	}
	/* A waiter holds a file reference: none are left after the last. */
	return last;
}

/* Linux's pipe_poll: data or no writer for readers, room for writers. */
static unsigned int pipe_poll(struct vfs_file *file)
{
	struct pipe *pipe = file->private;
	int flags = vfs_file_flags(file);
	unsigned int mask = 0;

	spin_lock(&pipe->lock);
	if (is_reader(flags)) {
		if (pipe->count > 0)
			mask |= POLLIN | POLLRDNORM;
		if (pipe->writers == 0 && pipe->writer_opens > 0)
			mask |= POLLHUP;
	}
	if (is_writer(flags)) {
		if (PIPE_CAPACITY - pipe->count >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (pipe->readers == 0)
			mask |= POLLERR;
	}
	spin_unlock(&pipe->lock);
	return mask;
}

static struct vfs_poll_head *pipe_poll_head(struct vfs_file *file)
{
	struct pipe *pipe = file->private;

	return &pipe->poll_head;
}

static void pipe_release(struct vfs_file *file)
{
	struct pipe *pipe = file->private;

	drop_end(pipe, vfs_file_flags(file));
	vfs_inode_put(&pipe->inode);	/* this end's */
}

/* A pseudo path to the pipe, for /proc/PID/fd/N (a new root dentry). */
static int pipe_anon_path(struct vfs_file *file, struct vfs_path *out)
{
	struct pipe *pipe = file->private;
	struct vfs_dentry *dentry;

	vfs_inode_get(&pipe->inode);
	dentry = vfs_dentry_alloc_root(&pipe_sb, &pipe->inode);
	if (dentry == NULL) {
		vfs_inode_put(&pipe->inode);
		return -ENOMEM;
	}
	out->mount = vfs_mount_get(&pipe_mount);
	out->dentry = dentry;
	return 0;
}

static const struct vfs_file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.poll_head = pipe_poll_head,
	.release = pipe_release,
	.anon_path = pipe_anon_path,
	.stream = true,
	.no_seek = true,
};

static const struct vfs_file_ops fifo_ops;

bool vfs_is_pipe(const struct vfs_file *file)
{
	return file->ops == &pipe_ops || file->ops == &fifo_ops;
}

static struct pipe *pipe_alloc(const struct vfs_cred *cred)
{
	struct pipe *pipe = kzalloc(sizeof(*pipe));

	if (pipe == NULL)
		return NULL;
	pipe->ring = kmalloc(PIPE_CAPACITY);
	if (pipe->ring == NULL) {
		kfree(pipe);
		return NULL;
	}
	vfs_inode_init(&pipe->inode, &pipe_sb,
		       __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED),
		       S_IFIFO | 0600, cred);
	pipe->inode.fops = &pipe_ops;
	list_init(&pipe->fifo_link);
	spin_init(&pipe->lock, "pipe", LOCK_RANK_VFS_LEAF);
	wait_queue_init(&pipe->read_wait);
	wait_queue_init(&pipe->write_wait);
	vfs_poll_head_init(&pipe->poll_head);
	pipe->readers = 1;
	pipe->writers = 1;
	return pipe;
}

int vfs_pipe_create(const struct vfs_cred *cred, int flags,
		    struct vfs_file *ends[2])
{
	struct pipe *pipe;
	int status = flags & (O_NONBLOCK | O_DIRECT);

	if (flags & ~(O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	pipe = pipe_alloc(cred);
	if (pipe == NULL)
		return -ENOMEM;
	pipe->writer_opens = 1;	/* a writer existed: its close is a hang-up */
	/* The inode's first reference is the read end's. */
	ends[0] = vfs_file_create_anon(&pipe->inode, &pipe_ops,
				       O_RDONLY | status, cred, pipe);
	if (IS_ERR(ends[0])) {
		pipe_free(pipe);
		return -ENOMEM;
	}
	ends[1] = vfs_file_create_anon(&pipe->inode, &pipe_ops,
				       O_WRONLY | status, cred, pipe);
	if (IS_ERR(ends[1])) {
		vfs_file_put(ends[0]);	/* its reference was the last */
		return -ENOMEM;
	}
	vfs_inode_get(&pipe->inode);
	return 0;
}

static struct mutex fifo_lock =
	MUTEX_INIT(fifo_lock, "pipe.fifos", LOCK_RANK_MUTEX);
/* Protected by fifo_lock: the pipes of open FIFOs. */
static struct list_head fifos = LIST_HEAD_INIT(fifos);

/*
 * The pipe of FIFO `inode`, made on first open, or of an anonymous pipe
 * reached through its pseudo path. Caller holds fifo_lock.
 */
static struct pipe *fifo_pipe_locked(struct vfs_inode *inode,
				     const struct vfs_cred *cred)
{
	struct pipe *pipe;

	if (inode->sb == &pipe_sb)
		return container_of(inode, struct pipe, inode);

	list_for_each_entry(pipe, &fifos, fifo_link) {
		if (pipe->fifo == inode)
			return pipe;
	}
	pipe = pipe_alloc(cred);
	if (pipe == NULL)
		return NULL;
	/* The FIFO's own inode is the one stat shows: not ours. */
	vfs_inode_freed(&pipe->inode);
	pipe->fifo = inode;
	pipe->readers = 0;
	pipe->writers = 0;
	list_add_tail(&pipe->fifo_link, &fifos);
	return pipe;
}

static bool opens_changed(struct pipe *pipe, const unsigned int *counter,
			  unsigned int seen)
{
	bool changed;

	spin_lock(&pipe->lock);
	changed = READ_ONCE(*counter) != seen;
	spin_unlock(&pipe->lock);
	return changed;
}

/*
 * Counts a new end of a FIFO's pipe; returns 0, -EINVAL or -ENXIO; in *other
 * the open counter this opener must see move before it may go on (NULL:
 * no wait) with its value now in *seen. An anonymous pipe reopened
 * neither waits nor fails for want of a partner (Linux's is_pipe).
 * Caller holds pipe->lock.
 */
static int fifo_count_locked(struct pipe *pipe, int flags,
			     unsigned int **other, unsigned int *seen)
{
	bool nonblock = (flags & O_NONBLOCK) != 0, fifo = pipe->fifo != NULL;

	*other = NULL;
	/* O_ACCMODE 3 (Linux's ioctl-only open) is neither end: EINVAL. */
	if (!is_reader(flags) && !is_writer(flags))
		return -EINVAL;
	if ((flags & O_ACCMODE) == O_WRONLY && nonblock && pipe->readers == 0 &&
	    fifo)
		return -ENXIO;
	if (is_reader(flags)) {
		pipe->readers++;
		pipe->reader_opens++;
		if (!is_writer(flags) && pipe->writers == 0 && !nonblock && fifo)
			*other = &pipe->writer_opens;
	}
	if (is_writer(flags)) {
		pipe->writers++;
		pipe->writer_opens++;
		if (!is_reader(flags) && pipe->readers == 0 && fifo)
			*other = &pipe->reader_opens;
	}
	if (*other != NULL)
		*seen = **other;
	return 0;
}

static void fifo_release(struct vfs_file *file);

/* Waits for the other end's open; false if a signal came first. */
static bool wait_partner(struct pipe *pipe, unsigned int *other,
			 unsigned int seen)
{
	struct wait_queue *queue = other == &pipe->writer_opens ?
		&pipe->read_wait : &pipe->write_wait;

	wait_event(*queue, opens_changed(pipe, other, seen) ||
			   signal_pending_current());
	return opens_changed(pipe, other, seen);
}

/*
 * Linux fifo_open: a reader waits for a writer to open (unless
 * O_NONBLOCK), a writer for a reader (with O_NONBLOCK and no reader:
 * -ENXIO), O_RDWR never waits. A signal ends the wait with -ERESTARTSYS
 * and takes this end's count back. May sleep.
 */
static int fifo_open(struct vfs_inode *inode, struct vfs_file *file)
{
	unsigned int *other, seen = 0;
	struct pipe *pipe;
	bool unused;
	int err;

	mutex_lock(&fifo_lock);
	pipe = fifo_pipe_locked(inode, &file->cred);
	if (pipe == NULL) {
		mutex_unlock(&fifo_lock);
		return -ENOMEM;
	}
	spin_lock(&pipe->lock);
	err = fifo_count_locked(pipe, vfs_file_flags(file), &other, &seen);
	/* An anonymous pipe is its inode's to free. */
	unused = pipe->readers == 0 && pipe->writers == 0 &&
		 pipe->fifo != NULL;
	spin_unlock(&pipe->lock);
	if (unused)
		list_remove(&pipe->fifo_link);
	mutex_unlock(&fifo_lock);
	if (unused)
		pipe_free(pipe);
	if (err < 0)
		return err;
	file->private = pipe;
	wake_up_all(&pipe->read_wait);
	wake_up_all(&pipe->write_wait);
	if (other != NULL && !wait_partner(pipe, other, seen)) {
		fifo_release(file);	/* the VFS releases no failed open */
		return -ERESTARTSYS;
	}
	return 0;
}

static void fifo_release(struct vfs_file *file)
{
	struct pipe *pipe = file->private;
	bool last;

	mutex_lock(&fifo_lock);
	last = drop_end(pipe, vfs_file_flags(file)) && pipe->fifo != NULL;
	if (last)
		list_remove(&pipe->fifo_link);
	mutex_unlock(&fifo_lock);
	if (last)
		pipe_free(pipe);
}

static const struct vfs_file_ops fifo_ops = {
	.open = fifo_open,
	.release = fifo_release,
	.anon_path = pipe_anon_path,	/* a pipe reopened through its link */
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.poll_head = pipe_poll_head,
	.stream = true,
	.no_seek = true,
};

const struct vfs_file_ops *vfs_fifo_ops(void)
{
	return &fifo_ops;
}
