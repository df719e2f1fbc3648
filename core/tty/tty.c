/*
 * Terminal files: read and write through the line discipline with the
 * job-control checks, the termios and window ioctls, readiness, and the
 * life of a struct tty (references from files and controlling processes).
 */
#include "core/tty/tty_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/poll.h"
#include "core/include/uapi/signal.h"
#include "core/lib/string.h"
#include "core/proc/proc.h"
#include "core/proc/signal.h"
#include "fs/vfs_fs.h"

#define TTY_READ_CHUNK 512
#define DECISECOND_NS 100000000ULL

/* Linux's tty_std_termios: 38400 8N1, canonical, echo, signals. */
static const struct termios std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL |
		   ECHOKE,
	.c_cc = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021,
		[VSTOP] = 023, [VSUSP] = 032, [VREPRINT] = 022,
		[VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	},
};

void tty_init(struct tty *tty, const struct tty_ops *ops, const char *name)
{
	memset(tty, 0, sizeof(*tty));
	tty->ops = ops;
	kstrlcpy(tty->name, name, sizeof(tty->name));
	tty->refcount = 1;
	tty->termios = std_termios;
	spin_init(&tty->lock, "tty", LOCK_RANK_TTY);
	mutex_init(&tty->input_lock, "tty.input", LOCK_RANK_TTY_INPUT);
	wait_queue_init(&tty->readers);
	vfs_poll_head_init(&tty->poll_head);
}

void tty_get(struct tty *tty)
{
	__atomic_add_fetch(&tty->refcount, 1, __ATOMIC_RELAXED);
}

void tty_put(struct tty *tty)
{
	if (__atomic_sub_fetch(&tty->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vfs_poll_head_destroy(&tty->poll_head);
	if (tty->ops->free)
		tty->ops->free(tty);
}

void tty_wake_readers(struct tty *tty)
{
	wake_up_all(&tty->readers);
	vfs_poll_wake(&tty->poll_head, 0);
}

void tty_signal_foreground(struct tty *tty, int signal)
{
	int pgrp = tty_foreground(tty);

	if (pgrp > 0)
		signal_send_pgrp(pgrp, signal, NULL);
}

void tty_input_end(struct tty *tty, bool eio, bool hangup)
{
	spin_lock(&tty->lock);
	tty_end_line_locked(tty);
	tty->input_ended = true;
	tty->read_eio = eio;
	tty->hung_up |= hangup;
	spin_unlock(&tty->lock);
	tty_wake_readers(tty);
	if (hangup)
		tty_hangup_session(tty);
}

void tty_set_winsize(struct tty *tty, const struct winsize *size)
{
	bool changed;

	spin_lock(&tty->lock);
	changed = memcmp(&tty->winsize, size, sizeof(*size)) != 0;
	tty->winsize = *size;
	spin_unlock(&tty->lock);
	if (changed)
		tty_signal_foreground(tty, SIGWINCH);
}

struct tty *tty_of_file(struct vfs_file *file)
{
	if (file->ops != &tty_file_ops)
		return NULL;
	return file->private;
}

int tty_opened(struct tty *tty, struct vfs_file *file, bool noctty)
{
	file->private = tty;
	spin_lock(&tty->lock);
	tty->open_count++;
	spin_unlock(&tty->lock);
	if (!noctty && !(vfs_file_flags(file) & O_NOCTTY))
		tty_open_ctty(tty);
	return 0;
}

static void tty_release(struct vfs_file *file)
{
	struct tty *tty = file->private;
	bool last;

	spin_lock(&tty->lock);
	last = --tty->open_count == 0;
	spin_unlock(&tty->lock);
	if (last && tty->ops->last_close)
		tty->ops->last_close(tty);
	tty_put(tty);
}

static bool read_ready(struct tty *tty)
{
	bool ready;

	spin_lock(&tty->lock);
	ready = tty_readable_locked(tty) || tty->input_ended;
	spin_unlock(&tty->lock);
	return ready;
}

/*
 * One read: canonical (a line) or raw with VMIN/VTIME as termios(3):
 * MIN 0 TIME 0 polls; MIN 0 TIME t waits up to t for any byte; MIN m
 * TIME 0 waits for m bytes; MIN m TIME t waits for the first byte, then
 * up to t between bytes until m.
 */
static ssize_t tty_read(struct vfs_file *file, void *buf, size_t length,
			int64_t *offset)
{
	struct tty *tty = file->private;
	char chunk[TTY_READ_CHUNK];
	char *out = buf;
	size_t copied = 0;
	int err = tty_job_check(tty, SIGTTIN);

	(void)offset;
	if (err < 0)
		return err;
	if (length == 0)
		return 0;
	for (;;) {
		bool eof = false, canonical, ended, eio;
		unsigned int min, time;
		size_t n, target;
		uint64_t timeout = WAIT_FOREVER;

		spin_lock(&tty->lock);
		n = tty_take_locked(tty, chunk,
				    MIN(length - copied, sizeof(chunk)), &eof);
		canonical = tty->termios.c_lflag & ICANON;
		min = tty->termios.c_cc[VMIN];
		time = tty->termios.c_cc[VTIME];
		ended = tty->input_ended && !tty_readable_locked(tty);
		eio = tty->read_eio;
		spin_unlock(&tty->lock);
		memcpy(out + copied, chunk, n);
		copied += n;
		if (n > 0)
			tty_wake_readers(tty);	/* room for pty writers */
		if (canonical) {
			if (copied > 0 || eof)
				return (ssize_t)copied;
			if (n > 0 && copied < length)
				continue;
		} else {
			target = min > 0 ? MIN((size_t)min, length) : 1;
			if (copied >= target || copied == length ||
			    (min == 0 && time == 0))
				return (ssize_t)copied;
			if (n > 0 && copied < length)
				continue;
			if (time > 0 && (min == 0 || copied > 0))
				timeout = time * DECISECOND_NS;
		}
		if (ended)
			return copied > 0 ? (ssize_t)copied : eio ? -EIO : 0;
		if (vfs_file_flags(file) & O_NONBLOCK)
			return copied > 0 ? (ssize_t)copied : -EAGAIN;
		if (!wait_event_timeout(tty->readers,
					read_ready(tty) ||
						signal_pending_current(),
					timeout))
			return (ssize_t)copied;	/* VTIME ran out */
		if (signal_pending_current() && !read_ready(tty))
			return copied > 0 ? (ssize_t)copied : -ERESTARTSYS;
	}
}

static ssize_t tty_write(struct vfs_file *file, const void *buf,
			 size_t length, int64_t *offset)
{
	struct tty *tty = file->private;
	int err = 0;

	(void)offset;
	if (tty->termios.c_lflag & TOSTOP)
		err = tty_job_check(tty, SIGTTOU);
	if (err < 0)
		return err;
	return tty_write_output(tty, buf, length,
				vfs_file_flags(file) & O_NONBLOCK);
}

static unsigned int tty_poll(struct vfs_file *file)
{
	struct tty *tty = file->private;
	unsigned int mask = 0;

	spin_lock(&tty->lock);
	if (tty_readable_locked(tty) || tty->input_ended)
		mask |= POLLIN | POLLRDNORM;
	if (tty->hung_up)
		mask |= POLLHUP;
	else if (!tty->output_stopped)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock(&tty->lock);
	return mask;
}

static struct vfs_poll_head *tty_poll_head(struct vfs_file *file)
{
	struct tty *tty = file->private;

	return &tty->poll_head;
}

static int set_termios(struct tty *tty, unsigned int cmd,
		       const struct termios *termios)
{
	int err = tty_job_check(tty, SIGTTOU);
	bool was_canonical;

	if (err < 0)
		return err;
	spin_lock(&tty->lock);
	was_canonical = tty->termios.c_lflag & ICANON;
	tty->termios = *termios;
	tty->termios.c_line = 0;	/* N_TTY is the only discipline */
	if (cmd == TCSETSF)
		tty_flush_input_locked(tty);
	else
		tty_canon_changed_locked(tty, was_canonical);
	if (!(tty->termios.c_iflag & IXON))
		tty->output_stopped = false;
	spin_unlock(&tty->lock);
	tty_wake_readers(tty);	/* VMIN/VTIME or ICANON changed */
	return 0;
}

static int flush(struct tty *tty, unsigned long which)
{
	int err;

	if (which > TCIOFLUSH)
		return -EINVAL;
	err = tty_job_check(tty, SIGTTOU);
	if (err < 0)
		return err;
	if (which != TCOFLUSH) {	/* output is never queued */
		spin_lock(&tty->lock);
		tty_flush_input_locked(tty);
		spin_unlock(&tty->lock);
	}
	return 0;
}

static int flow(struct tty *tty, unsigned long action)
{
	int err;

	if (action > TCION)
		return -EINVAL;
	err = tty_job_check(tty, SIGTTOU);
	if (err < 0)
		return err;
	spin_lock(&tty->lock);
	if (action == TCOOFF)
		tty->output_stopped = true;
	else if (action == TCOON)
		tty->output_stopped = false;
	spin_unlock(&tty->lock);
	tty_wake_readers(tty);	/* stopped writers wait there */
	return 0;
}

/* TIOCSTI: a byte pushed as if typed; only on one's own terminal. */
static int simulate_input(struct tty *tty, const char *byte)
{
	struct tty *ctty = tty_current_ctty();

	if (ctty)
		tty_put(ctty);
	if (ctty != tty)
		return -EPERM;
	tty_input(tty, byte, 1);
	return 0;
}

static int tty_ioctl(struct vfs_file *file, unsigned int cmd, void *arg)
{
	struct tty *tty = file->private;
	unsigned long value = 0;

	switch (cmd) {	/* the commands whose argument is a value */
	case TCFLSH:
	case TCXONC:
	case TIOCSCTTY:
		value = *(unsigned long *)arg;
	}

	switch (cmd) {
	case TCGETS:
		spin_lock(&tty->lock);
		memcpy(arg, &tty->termios, sizeof(tty->termios));
		spin_unlock(&tty->lock);
		return 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(tty, cmd, arg);
	case TIOCGWINSZ:
		spin_lock(&tty->lock);
		memcpy(arg, &tty->winsize, sizeof(tty->winsize));
		spin_unlock(&tty->lock);
		return 0;
	case TIOCSWINSZ:
		tty_set_winsize(tty, arg);
		return 0;
	case FIONREAD:
		spin_lock(&tty->lock);
		*(int *)arg = (int)tty_inq_locked(tty);
		spin_unlock(&tty->lock);
		return 0;
	case TIOCOUTQ:
		*(int *)arg = 0;	/* output never waits in the kernel */
		return 0;
	case TCFLSH:
		return flush(tty, value);
	case TCXONC:
		return flow(tty, value);
	case TCSBRK:
	case TCSBRKP:	/* output is already drained; no break to send */
		return MIN(tty_job_check(tty, SIGTTOU), 0);
	case TIOCEXCL:
	case TIOCNXCL:
		return 0;
	case TIOCSTI:
		return simulate_input(tty, arg);
	case TIOCSCTTY:
		return tty_ioctl_sctty(tty, value);
	case TIOCNOTTY:
		return tty_ioctl_notty(tty);
	case TIOCGPGRP:
		return tty_ioctl_gpgrp(tty, arg);
	case TIOCSPGRP:
		return tty_ioctl_spgrp(tty, *(int *)arg);
	case TIOCGSID:
		return tty_ioctl_gsid(tty, arg);
	default:
		return -ENOTTY;
	}
}

const struct vfs_file_ops tty_file_ops = {
	.release = tty_release,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
	.poll_head = tty_poll_head,
	.stream = true,
};
