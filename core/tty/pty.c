/*
 * Pseudo-terminals, Unix 98 style: each open of /dev/ptmx (5:2) makes a
 * pair; the master is that file, the slave a terminal at /dev/pts/N
 * (136:N) in every mounted devpts. What the master writes is the slave's
 * input (through the line discipline); what the slave's side outputs
 * (writes and echo, after OPOST) the master reads. Linux's rules:
 *   - a new pair is locked: the slave opens with -EIO until TIOCSPTLCK 0
 *     (unlockpt); TIOCGPTN gives N (ptsname);
 *   - the master's close hangs up the slave: reads give end of file,
 *     writes EIO, the session gets SIGHUP;
 *   - once the slave was opened and its last file closed, master reads
 *     give EIO (and poll POLLHUP) until it is opened again;
 *   - TIOCSWINSZ on the master sets the slave's size (SIGWINCH);
 *   - /dev/pts/N goes away with the master; N is reused once the slave's
 *     last reference (files, controlling processes) is gone too.
 *
 * Locks: pty_table_lock (a spinlock) guards the index table; each pair's
 * `lock` guards the master's buffer and flags and is never held with the
 * slave's tty lock. devpts_lock (outer) guards the devpts instances and
 * is taken without either.
 */
#include "core/tty/tty_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/poll.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/list.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/proc/signal.h"
#include "fs/devfs.h"
#include "fs/tmpfs.h"
#include "fs/vfs_fs.h"

#define PTY_MAX 1024		/* Linux: /proc/sys/kernel/pty/max is 4096 */
#define PTY_MAJOR 136
#define PTY_BUF_SIZE 4096

struct pty {
	struct tty slave;
	int index;

	struct spinlock lock;
	/* Protected by lock: */
	char output[PTY_BUF_SIZE];	/* the slave's output, for the master */
	size_t output_head, output_count;
	bool locked;			/* TIOCSPTLCK */
	bool master_open;
	bool slave_closed;		/* opened once, and every file closed */

	struct wait_queue master_wait;	/* master readers, slave writers */
	struct vfs_poll_head master_poll;
};

static struct spinlock pty_table_lock =
	SPINLOCK_INIT("pty.table", LOCK_RANK_VFS_LEAF);
static struct pty *pty_table[PTY_MAX];	/* under pty_table_lock */

/* ---- devpts: a tmpfs whose root holds the slaves' nodes ---- */

struct devpts_instance {
	struct list_head link;		/* under devpts_lock */
	struct vfs_super *sb;
};

static struct mutex devpts_lock =
	MUTEX_INIT(devpts_lock, "devpts", LOCK_RANK_MUTEX_OUTER);
static struct list_head devpts_instances = LIST_HEAD_INIT(devpts_instances);

static void node_name(char *name, size_t size, int index)
{
	ksnprintf(name, size, "%d", index);
}

static void devpts_add_node(struct vfs_super *sb, int index)
{
	char name[16];
	int err;

	node_name(name, sizeof(name), index);
	err = vfs_super_mknod(sb, name, S_IFCHR | 0620,
			      vfs_mkdev(PTY_MAJOR, (uint32_t)index));
	if (err < 0 && err != -EEXIST)
		pr_warn("devpts: cannot create pts/%s: error %d", name, err);
}

static void devpts_publish(int index, bool add)
{
	struct devpts_instance *instance;
	char name[16];

	node_name(name, sizeof(name), index);
	mutex_lock(&devpts_lock);
	list_for_each_entry(instance, &devpts_instances, link) {
		if (add)
			devpts_add_node(instance->sb, index);
		else
			vfs_super_unlink(instance->sb, name);
	}
	mutex_unlock(&devpts_lock);
}

static int devpts_mounted(struct vfs_super *sb)
{
	struct devpts_instance *instance = kmalloc(sizeof(*instance));
	int err;

	if (instance == NULL)
		return -ENOMEM;
	/* Linux's pts/ptmx: /dev/ptmx again, mode 000 (ptmxmode=000). */
	err = vfs_super_mknod(sb, "ptmx", S_IFCHR, vfs_mkdev(5, 2));
	if (err < 0) {
		kfree(instance);
		return err;
	}
	instance->sb = sb;
	mutex_lock(&devpts_lock);
	list_add_tail(&instance->link, &devpts_instances);
	for (int index = 0; index < PTY_MAX; index++) {
		bool live;

		spin_lock(&pty_table_lock);
		live = pty_table[index] != NULL;
		spin_unlock(&pty_table_lock);
		if (live)
			devpts_add_node(sb, index);
	}
	mutex_unlock(&devpts_lock);
	return 0;
}

static void devpts_kill(struct vfs_super *sb)
{
	struct devpts_instance *instance, *found = NULL;

	mutex_lock(&devpts_lock);
	list_for_each_entry(instance, &devpts_instances, link) {
		if (instance->sb == sb)
			found = instance;
	}
	if (found != NULL)
		list_remove(&found->link);
	mutex_unlock(&devpts_lock);
	kfree(found);
	tmpfs_super_ops.kill(sb);
}

static struct vfs_super_ops devpts_super_ops;
/* tmpfs's directory operations, but only the kernel names slaves. */
static struct vfs_inode_ops devpts_root_ops;

static struct vfs_inode *devpts_fill_super(struct vfs_super *sb,
					   const char *options)
{
	struct vfs_inode *root = tmpfs_fill_super(sb, "mode=755");

	(void)options;	/* FIXME: gid=, mode=, ptmxmode= are not parsed */
	if (IS_ERR(root))
		return root;
	sb->ops = &devpts_super_ops;
	root->ops = &devpts_root_ops;
	return root;
}

static struct vfs_fs_type devpts_type = {
	.name = "devpts",
	.fill_super = devpts_fill_super,
	.mounted = devpts_mounted,
};

/* ---- the slave: a terminal whose device is the master's buffer ---- */

static struct pty *pty_of(struct tty *tty)
{
	return container_of(tty, struct pty, slave);
}

static bool output_room(struct pty *pty)
{
	bool room;

	spin_lock(&pty->lock);
	room = pty->output_count < PTY_BUF_SIZE || !pty->master_open;
	spin_unlock(&pty->lock);
	return room;
}

static size_t slave_write(struct tty *tty, const char *bytes, size_t length,
			  bool may_block)
{
	struct pty *pty = pty_of(tty);
	size_t done = 0;

	while (done < length) {
		size_t chunk;

		spin_lock(&pty->lock);
		if (!pty->master_open) {
			spin_unlock(&pty->lock);
			return length;	/* nobody reads: gone, as on Linux */
		}
		chunk = MIN(length - done, PTY_BUF_SIZE - pty->output_count);
		for (size_t i = 0; i < chunk; i++)
			pty->output[(pty->output_head + pty->output_count + i) %
				    PTY_BUF_SIZE] = bytes[done + i];
		pty->output_count += chunk;
		spin_unlock(&pty->lock);
		done += chunk;
		if (chunk > 0) {
			wake_up_all(&pty->master_wait);
			vfs_poll_wake(&pty->master_poll, POLLIN | POLLRDNORM);
			continue;
		}
		if (!may_block)
			break;	/* echo into a full buffer is dropped */
		wait_event(pty->master_wait,
			   output_room(pty) || signal_pending_current());
		if (!output_room(pty))
			break;	/* a signal: the caller reports what went */
	}
	return done;
}

static size_t slave_write_room(struct tty *tty)
{
	struct pty *pty = pty_of(tty);
	size_t room;

	spin_lock(&pty->lock);
	room = pty->master_open ? PTY_BUF_SIZE - pty->output_count : SIZE_MAX;
	spin_unlock(&pty->lock);
	return room;
}

static void slave_last_close(struct tty *tty)
{
	struct pty *pty = pty_of(tty);

	spin_lock(&pty->lock);
	pty->slave_closed = true;
	spin_unlock(&pty->lock);
	wake_up_all(&pty->master_wait);
	vfs_poll_wake(&pty->master_poll, 0);
}

/* The last reference (spinlocks only: a process's end may drop it). */
static void pty_free(struct tty *tty)
{
	struct pty *pty = pty_of(tty);

	spin_lock(&pty_table_lock);
	pty_table[pty->index] = NULL;
	spin_unlock(&pty_table_lock);
	vfs_poll_head_destroy(&pty->master_poll);
	kfree(pty);
}

static const struct tty_ops slave_ops = {
	.write = slave_write,
	.write_room = slave_write_room,
	.last_close = slave_last_close,
	.free = pty_free,
};

/* 136:N: the slave of pair N, if it exists and is unlocked. */
static int slave_open(struct vfs_inode *inode, struct vfs_file *file)
{
	uint32_t index = inode->rdev & 0xfffff;
	struct pty *pty = NULL;
	int err = 0;

	spin_lock(&pty_table_lock);
	if (index < PTY_MAX)
		pty = pty_table[index];
	if (pty == NULL) {
		err = -EIO;
	} else {
		spin_lock(&pty->lock);
		if (pty->locked || !pty->master_open)
			err = -EIO;
		else
			pty->slave_closed = false;
		spin_unlock(&pty->lock);
		if (err == 0)
			tty_get(&pty->slave);
	}
	spin_unlock(&pty_table_lock);
	if (err < 0)
		return err;
	file->ops = &tty_file_ops;
	return tty_opened(&pty->slave, file, false);
}

/* ---- the master ---- */

static bool master_readable(struct pty *pty)
{
	bool ready;

	spin_lock(&pty->lock);
	ready = pty->output_count > 0 || pty->slave_closed;
	spin_unlock(&pty->lock);
	return ready;
}

static ssize_t master_read(struct vfs_file *file, void *buf, size_t length,
			   int64_t *offset)
{
	struct pty *pty = file->private;
	char *out = buf;
	size_t n;

	(void)offset;
	if (length == 0)
		return 0;
	for (;;) {
		bool closed;

		spin_lock(&pty->lock);
		n = MIN(length, pty->output_count);
		for (size_t i = 0; i < n; i++)
			out[i] = pty->output[(pty->output_head + i) %
					     PTY_BUF_SIZE];
		pty->output_head = (pty->output_head + n) % PTY_BUF_SIZE;
		pty->output_count -= n;
		closed = pty->slave_closed;
		spin_unlock(&pty->lock);
		if (n > 0) {
			wake_up_all(&pty->master_wait);	/* slave writers */
			return (ssize_t)n;
		}
		if (closed)
			return -EIO;
		if (vfs_file_flags(file) & O_NONBLOCK)
			return -EAGAIN;
		wait_event(pty->master_wait,
			   master_readable(pty) || signal_pending_current());
		if (!master_readable(pty))
			return -ERESTARTSYS;
	}
}

static bool input_room(struct pty *pty)
{
	return tty_input_room(&pty->slave) > 0;
}

static ssize_t master_write(struct vfs_file *file, const void *buf,
			    size_t length, int64_t *offset)
{
	struct pty *pty = file->private;
	const char *bytes = buf;
	size_t done = 0;

	(void)offset;
	while (done < length) {
		size_t room = tty_input_room(&pty->slave);

		if (room > 0) {
			done += tty_input(&pty->slave, bytes + done,
					  MIN(room, length - done));
			continue;
		}
		if (vfs_file_flags(file) & O_NONBLOCK)
			return done > 0 ? (ssize_t)done : -EAGAIN;
		wait_event(pty->slave.readers,
			   input_room(pty) || signal_pending_current());
		if (!input_room(pty))
			return done > 0 ? (ssize_t)done : -ERESTARTSYS;
	}
	return (ssize_t)done;
}

static unsigned int master_poll(struct vfs_file *file)
{
	struct pty *pty = file->private;
	unsigned int mask = 0;

	spin_lock(&pty->lock);
	if (pty->output_count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (pty->slave_closed)
		mask |= POLLHUP | POLLIN;
	spin_unlock(&pty->lock);
	if (tty_input_room(&pty->slave) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static struct vfs_poll_head *master_poll_head(struct vfs_file *file)
{
	struct pty *pty = file->private;

	return &pty->master_poll;
}

static int master_ioctl(struct vfs_file *file, unsigned int cmd, void *arg)
{
	struct pty *pty = file->private;
	struct tty *slave = &pty->slave;

	switch (cmd) {
	case TIOCGPTN:
		*(unsigned int *)arg = (unsigned int)pty->index;
		return 0;
	case TIOCSPTLCK:
		spin_lock(&pty->lock);
		pty->locked = *(int *)arg != 0;
		spin_unlock(&pty->lock);
		return 0;
	case TIOCGPTLCK:
		spin_lock(&pty->lock);
		*(int *)arg = pty->locked;
		spin_unlock(&pty->lock);
		return 0;
	case TIOCSWINSZ:
		tty_set_winsize(slave, arg);
		return 0;
	case TIOCGWINSZ:
	case TCGETS:	/* the pair's settings: one termios for both ends */
		spin_lock(&slave->lock);
		if (cmd == TCGETS)
			memcpy(arg, &slave->termios, sizeof(slave->termios));
		else
			memcpy(arg, &slave->winsize, sizeof(slave->winsize));
		spin_unlock(&slave->lock);
		return 0;
	case FIONREAD:
		spin_lock(&pty->lock);
		*(int *)arg = (int)pty->output_count;
		spin_unlock(&pty->lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

static void master_release(struct vfs_file *file)
{
	struct pty *pty = file->private;

	spin_lock(&pty->lock);
	pty->master_open = false;
	spin_unlock(&pty->lock);
	wake_up_all(&pty->master_wait);	/* blocked slave writers */
	tty_input_end(&pty->slave, false, true);
	devpts_publish(pty->index, false);	/* as Linux: the node goes */
	tty_put(&pty->slave);
}

static const struct vfs_file_ops master_ops = {
	.release = master_release,
	.read = master_read,
	.write = master_write,
	.ioctl = master_ioctl,
	.poll = master_poll,
	.poll_head = master_poll_head,
	.stream = true,
};

static int ptmx_open(struct vfs_inode *inode, struct vfs_file *file)
{
	struct pty *pty = kzalloc(sizeof(*pty));
	char name[16];
	int index = -1;

	(void)inode;
	if (pty == NULL)
		return -ENOMEM;
	spin_lock(&pty_table_lock);
	for (int i = 0; i < PTY_MAX && index < 0; i++) {
		if (pty_table[i] == NULL) {
			index = i;
			pty_table[i] = pty;
		}
	}
	spin_unlock(&pty_table_lock);
	if (index < 0) {
		kfree(pty);
		return -ENOSPC;
	}
	ksnprintf(name, sizeof(name), "pts/%d", index);
	tty_init(&pty->slave, &slave_ops, name);	/* the master's ref */
	pty->index = index;
	spin_init(&pty->lock, "pty", LOCK_RANK_TTY);
	pty->locked = true;
	pty->master_open = true;
	wait_queue_init(&pty->master_wait);
	vfs_poll_head_init(&pty->master_poll);
	file->ops = &master_ops;
	file->private = pty;
	devpts_publish(index, true);
	return 0;
}

static const struct vfs_file_ops ptmx_ops = { .open = ptmx_open };
static const struct vfs_file_ops slave_open_ops = { .open = slave_open };

static struct devfs_device pty_devices[] = {
	{ .name = "ptmx", .dev = (5 << 20) | 2, .mode = 0666,
	  .ops = &ptmx_ops },
	{ .name = "pts (slaves)", .dev = PTY_MAJOR << 20, .minors = PTY_MAX,
	  .no_node = true, .ops = &slave_open_ops },
};

void tty_devices_init(void)
{
	devpts_super_ops = tmpfs_super_ops;
	devpts_super_ops.kill = devpts_kill;
	devpts_root_ops = tmpfs_dir_ops;
	devpts_root_ops.kernel_names = true;
	vfs_register_fs(&devpts_type);
	for (size_t i = 0; i < ARRAY_SIZE(pty_devices); i++) {
		int err = devfs_register(&pty_devices[i]);

		if (err < 0)
			pr_warn("tty: %s: error %d", pty_devices[i].name, err);
	}
}
