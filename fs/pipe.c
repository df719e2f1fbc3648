/*
 * Pipes (fs/pipe.h). A struct pipe owns its ring, its inode (S_IFIFO, on
 * a static internal super block that is never mounted) and two wait
 * queues; each end is an anonymous vfs_file whose private is the pipe.
 * The pipe lives until both ends' files are released.
 *
 * Locks: pipe->lock (a spinlock) guards the ring and the reader and
 * writer counts. Copies under it are between kernel buffers only (the
 * syscall layer bounces user data), so it never faults or sleeps. Wake-ups
 * happen after it is dropped. Readers and writers sleep on read_wait and
 * write_wait; a waiter re-checks under the lock after every wake-up.
 */
#include "fs/pipe.h"

#include "core/include/uapi/ioctl.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/sched/wait.h"
#include "fs/vfs_fs.h"

struct pipe {
	struct vfs_inode inode;
	struct spinlock lock;
	/* Protected by lock: */
	char *ring;			/* PIPE_CAPACITY bytes */
	size_t head;			/* the next byte to read */
	size_t count;			/* bytes in the ring */
	unsigned int readers;		/* open read ends */
	unsigned int writers;		/* open write ends */

	struct wait_queue read_wait;	/* readers waiting for data */
	struct wait_queue write_wait;	/* writers waiting for room */
};

/* Never mounted, so no counts to keep: only stat's st_dev and blksize. */
static struct vfs_super pipe_sb = { .block_size = PAGE_SIZE };
static uint64_t next_ino = 1;	/* atomic */

void vfs_pipe_init(void)
{
	pipe_sb.dev = vfs_anon_dev();
}

void vfs_pipe_broken(void)
{
	/* FIXME: raise SIGPIPE on the current thread (signals issue). */
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
			return (ssize_t)done;
		}
		if (eof)
			return 0;
		if (is_nonblocking(file))
			return -EAGAIN;
		/*
		 * FIXME: with signals, a pending signal ends the wait with
		 * -ERESTARTSYS (-EINTR to user space) when nothing was read.
		 */
		wait_event(pipe->read_wait, can_read(pipe));
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
		if (put > 0)
			wake_up_all(&pipe->read_wait);
		if (broken) {
			vfs_pipe_broken();
			return done > 0 ? (ssize_t)done : -EPIPE;
		}
		if (done == length)
			return (ssize_t)done;
		if (is_nonblocking(file))
			return done > 0 ? (ssize_t)done : -EAGAIN;
		/* FIXME: -ERESTARTSYS on a signal, as in pipe_read. */
		wait_event(pipe->write_wait, can_write(pipe, need));
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
	vfs_inode_freed(&pipe->inode);
	kfree(pipe->ring);
	kfree(pipe);
}

static void pipe_release(struct vfs_file *file)
{
	struct pipe *pipe = file->private;
	int mode = vfs_file_flags(file) & O_ACCMODE;
	bool last;

	spin_lock(&pipe->lock);
	if (mode == O_RDONLY || mode == O_RDWR)
		pipe->readers--;
	if (mode == O_WRONLY || mode == O_RDWR)
		pipe->writers--;
	last = pipe->readers == 0 && pipe->writers == 0;
	spin_unlock(&pipe->lock);
	/* A waiter holds a file reference: none are left after the last. */
	if (last) {
		pipe_free(pipe);
		return;
	}
	wake_up_all(&pipe->read_wait);
	wake_up_all(&pipe->write_wait);
}

static const struct vfs_file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.stream = true,
	.no_seek = true,
};

bool vfs_is_pipe(const struct vfs_file *file)
{
	return file->ops == &pipe_ops;
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
	spin_init(&pipe->lock, "pipe", LOCK_RANK_VFS_LEAF);
	wait_queue_init(&pipe->read_wait);
	wait_queue_init(&pipe->write_wait);
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
	ends[0] = vfs_file_create_anon(&pipe->inode, &pipe_ops,
				       O_RDONLY | status, cred, pipe);
	if (IS_ERR(ends[0])) {
		pipe_free(pipe);
		return -ENOMEM;
	}
	ends[1] = vfs_file_create_anon(&pipe->inode, &pipe_ops,
				       O_WRONLY | status, cred, pipe);
	if (IS_ERR(ends[1])) {
		vfs_file_put(ends[0]);	/* readers 0; writers 1 stays */
		pipe_free(pipe);
		return -ENOMEM;
	}
	return 0;
}
