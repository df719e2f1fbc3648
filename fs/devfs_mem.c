/*
 * The memory devices, with Linux's numbers: null (1:3), zero (1:5), full
 * (1:7), random (1:8), urandom (1:9), kmsg (1:11) and console (5:1).
 * random and urandom both read the kernel CSPRNG (as Linux does once it
 * is seeded, which ours is from the first use). console writes go to the
 * console, kmsg writes into the kernel log; a kmsg reader gets the log as
 * it was when it opened the file.
 */
#include "fs/devfs.h"

#include "core/hal/console.h"
#include "core/include/uapi/ioctl.h"
#include "core/include/uapi/poll.h"

#include "core/lib/err.h"
#include "core/lib/krandom.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "fs/vfs_fs.h"

#define CONSOLE_CHUNK 256
#define KMSG_SNAPSHOT (64 * 1024)
#define KMSG_DEFAULT_LEVEL LOG_WARNING	/* Linux default_message_loglevel */

static ssize_t read_nothing(struct vfs_file *file, void *buf, size_t length,
			    int64_t *offset)
{
	(void)file, (void)buf, (void)length, (void)offset;
	return 0;
}

static ssize_t read_zeros(struct vfs_file *file, void *buf, size_t length,
			  int64_t *offset)
{
	(void)file, (void)offset;
	memset(buf, 0, length);
	return (ssize_t)length;
}

static ssize_t write_sink(struct vfs_file *file, const void *buf,
			  size_t length, int64_t *offset)
{
	(void)file, (void)buf, (void)offset;
	return (ssize_t)length;
}

static ssize_t write_full(struct vfs_file *file, const void *buf,
			  size_t length, int64_t *offset)
{
	(void)file, (void)buf, (void)length, (void)offset;
	return -ENOSPC;
}

static ssize_t read_random(struct vfs_file *file, void *buf, size_t length,
			   int64_t *offset)
{
	(void)file, (void)offset;
	krandom_bytes(buf, length);
	return (ssize_t)length;
}

static ssize_t write_random(struct vfs_file *file, const void *buf,
			    size_t length, int64_t *offset)
{
	(void)file, (void)offset;
	krandom_mix(buf, length);
	return (ssize_t)length;
}

static ssize_t write_console(struct vfs_file *file, const void *buf,
			     size_t length, int64_t *offset)
{
	(void)file, (void)offset;
	for (size_t done = 0; done < length; done += CONSOLE_CHUNK) {
		int chunk = (int)MIN(length - done, (size_t)CONSOLE_CHUNK);

		printk_raw("%.*s", chunk, (const char *)buf + done);
	}
	return (ssize_t)length;
}

/*
 * Console input, polled every CONSOLE_POLL_NS until bytes arrive (the
 * HAL has no input interrupt yet). Input ending (the host closed stdin)
 * reads as end of file, as ^D would on a terminal. FIXME (tty issue): the
 * line discipline (echo, editing, signals), input by interrupt; only
 * ICRNL is applied here, so Enter on a serial line ends a line.
 */
#define CONSOLE_POLL_NS 10000000ULL

static struct wait_queue console_readers = WAIT_QUEUE_INIT(console_readers);
/* Protected by console_lock: bytes taken by poll, not read yet. */
static char console_pending[64];
static size_t console_pending_count;
static bool console_ended;

static struct termios console_termios;
static struct spinlock console_lock;

/* Fills console_pending from the HAL if empty (console_lock held). */
static void console_fill_locked(void)
{
	ssize_t n;

	if (console_pending_count > 0 || console_ended)
		return;
	n = hal_console_read(console_pending, sizeof(console_pending));
	if (n < 0)
		console_ended = true;
	else
		console_pending_count = (size_t)n;
}

static ssize_t read_console(struct vfs_file *file, void *buf, size_t length,
			    int64_t *offset)
{
	char *out = buf;
	size_t done = 0;

	(void)offset;
	if (length == 0)
		return 0;
	for (;;) {
		spin_lock(&console_lock);
		console_fill_locked();
		done = MIN(length, console_pending_count);
		memcpy(out, console_pending, done);
		memmove(console_pending, console_pending + done,
			console_pending_count - done);
		console_pending_count -= done;
		bool ended = console_ended && done == 0;
		bool icrnl = console_termios.c_iflag & ICRNL;

		spin_unlock(&console_lock);
		if (done > 0) {
			for (size_t i = 0; icrnl && i < done; i++)
				out[i] = out[i] == '\r' ? '\n' : out[i];
			return (ssize_t)done;
		}
		if (ended)
			return 0;
		if (vfs_file_flags(file) & O_NONBLOCK)
			return -EAGAIN;
		wait_event_timeout(console_readers, signal_pending_current(),
				   CONSOLE_POLL_NS);
		if (signal_pending_current())
			return -ERESTARTSYS;
	}
}

static unsigned int poll_console(struct vfs_file *file)
{
	unsigned int mask = POLLOUT | POLLWRNORM;

	(void)file;
	spin_lock(&console_lock);
	console_fill_locked();
	if (console_pending_count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (console_ended)
		mask |= POLLHUP;
	spin_unlock(&console_lock);
	return mask;
}

/*
 * The console's terminal settings: Linux's defaults for a serial console
 * (38400 8N1, canonical, echo). Stored, not yet applied: FIXME, the tty
 * layer gives them meaning. Protected by console_lock.
 */
static struct spinlock console_lock =
	SPINLOCK_INIT("devfs.console", LOCK_RANK_VFS_LEAF);
static struct termios console_termios = {
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
/* A serial console knows no size: Linux reports 0 rows, 0 columns. */
static struct winsize console_winsize;

static int ioctl_console(struct vfs_file *file, unsigned int cmd, void *arg)
{
	int err = 0;

	(void)file;
	spin_lock(&console_lock);
	switch (cmd) {
	case TCGETS:
		memcpy(arg, &console_termios, sizeof(console_termios));
		break;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		memcpy(&console_termios, arg, sizeof(console_termios));
		break;
	case TIOCGWINSZ:
		memcpy(arg, &console_winsize, sizeof(console_winsize));
		break;
	case TIOCSWINSZ:
		memcpy(&console_winsize, arg, sizeof(console_winsize));
		break;
	default:
		err = -ENOTTY;
	}
	spin_unlock(&console_lock);
	return err;
}

/* One log record per write; "<N>" in front sets the level, as on Linux. */
static ssize_t write_kmsg(struct vfs_file *file, const void *buf,
			  size_t length, int64_t *offset)
{
	const char *text = buf;
	size_t size = length;
	int level = KMSG_DEFAULT_LEVEL;

	(void)file, (void)offset;
	if (size >= 3 && text[0] == '<' && kisdigit(text[1]) &&
	    text[2] == '>') {
		level = text[1] - '0';
		text += 3;
		size -= 3;
	}
	while (size > 0 && text[size - 1] == '\n')
		size--;
	printk((enum log_level)level, "%.*s", (int)MIN(size, (size_t)1024),
	       text);
	return (ssize_t)length;
}

struct kmsg_snapshot {
	size_t length;
	char text[];
};

static int open_kmsg(struct vfs_inode *inode, struct vfs_file *file)
{
	struct kmsg_snapshot *snapshot;

	(void)inode;
	if ((vfs_file_flags(file) & O_ACCMODE) == O_WRONLY)
		return 0;
	snapshot = kmalloc(sizeof(*snapshot) + KMSG_SNAPSHOT + 1);
	if (snapshot == NULL)
		return -ENOMEM;
	snapshot->length = printk_log_read(snapshot->text, KMSG_SNAPSHOT + 1);
	file->private = snapshot;
	return 0;
}

static void release_kmsg(struct vfs_file *file)
{
	kfree(file->private);
}

static ssize_t read_kmsg(struct vfs_file *file, void *buf, size_t length,
			 int64_t *offset)
{
	struct kmsg_snapshot *snapshot = file->private;
	size_t chunk;

	if ((uint64_t)*offset >= snapshot->length)
		return 0;
	chunk = MIN(length, snapshot->length - (size_t)*offset);
	memcpy(buf, snapshot->text + *offset, chunk);
	*offset += (int64_t)chunk;
	return (ssize_t)chunk;
}

static const struct vfs_file_ops null_ops = {
	.read = read_nothing, .write = write_sink, .stream = true,
};
static const struct vfs_file_ops zero_ops = {
	.read = read_zeros, .write = write_sink, .stream = true,
	.mmap_anonymous = true,
};
static const struct vfs_file_ops full_ops = {
	.read = read_zeros, .write = write_full, .stream = true,
};
static const struct vfs_file_ops random_ops = {
	.read = read_random, .write = write_random, .stream = true,
};
static const struct vfs_file_ops console_ops = {
	.read = read_console, .write = write_console, .ioctl = ioctl_console,
	  .poll = poll_console, .poll_by_timer = true,
	.stream = true,
};
static const struct vfs_file_ops kmsg_ops = {
	.open = open_kmsg, .release = release_kmsg, .read = read_kmsg,
	.write = write_kmsg,
};

static struct devfs_device mem_devices[] = {
	{ .name = "null", .dev = (1 << 20) | 3, .mode = 0666,
	  .ops = &null_ops },
	{ .name = "zero", .dev = (1 << 20) | 5, .mode = 0666,
	  .ops = &zero_ops },
	{ .name = "full", .dev = (1 << 20) | 7, .mode = 0666,
	  .ops = &full_ops },
	{ .name = "random", .dev = (1 << 20) | 8, .mode = 0666,
	  .ops = &random_ops },
	{ .name = "urandom", .dev = (1 << 20) | 9, .mode = 0666,
	  .ops = &random_ops },
	{ .name = "kmsg", .dev = (1 << 20) | 11, .mode = 0644,
	  .ops = &kmsg_ops },
	{ .name = "console", .dev = (5 << 20) | 1, .mode = 0600,
	  .ops = &console_ops },
};

void devfs_mem_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_devices); i++) {
		int err = devfs_register(&mem_devices[i]);

		if (err < 0)
			pr_warn("devfs: /dev/%s: error %d", mem_devices[i].name,
				err);
	}
}
