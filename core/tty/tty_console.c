/*
 * The console terminal: /dev/console (5:1) on the HAL console (the
 * serial port on x86_64, the host terminal on hosted), and /dev/tty
 * (5:0), the caller's controlling terminal. Input is polled from the HAL
 * by a kernel thread every CONSOLE_POLL_NS while idle and fed to the line
 * discipline; so is the window size (a host terminal's change arrives
 * within one poll). The thread runs while a file has the console open:
 * the first open starts it and it ends within one poll of the last close
 * (what arrives meanwhile waits in the device, as in a UART's FIFO).
 * Input ending (the host closed standard input) reads as end of file.
 */
#include "core/tty/tty.h"

#include "core/hal/console.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/sched/thread.h"
#include "fs/devfs.h"
#include "fs/vfs_fs.h"

#define CONSOLE_POLL_NS 10000000ULL

static struct tty console;
static bool hal_input_started;	/* under console_start_lock */
static bool input_running;	/* under console_start_lock */
static struct mutex console_start_lock =
	MUTEX_INIT(console_start_lock, "tty.console_start", LOCK_RANK_MUTEX);

struct tty *tty_console(void)
{
	return &console;
}

static size_t console_write(struct tty *tty, const char *bytes,
			    size_t length, bool may_block)
{
	(void)tty, (void)may_block;
	hal_console_write(bytes, length);
	return length;
}

static const struct tty_ops console_ops = { .write = console_write };

static void poll_size(void)
{
	struct winsize size = { 0 };

	if (hal_console_size(&size.ws_row, &size.ws_col))
		tty_set_winsize(&console, &size);
}

/*
 * Whether the input thread should end: no file has the console open. Ends
 * it under console_start_lock, so an open either sees it running (and its
 * open count keeps it so) or starts a new one.
 */
static bool input_unused(void)
{
	bool unused;

	mutex_lock(&console_start_lock);
	spin_lock(&console.lock);
	unused = console.open_count == 0;
	spin_unlock(&console.lock);
	if (unused)
		input_running = false;
	mutex_unlock(&console_start_lock);
	return unused;
}

static int console_input(void *arg)
{
	char bytes[256];

	(void)arg;
	while (!input_unused()) {
		ssize_t n = hal_console_read(bytes, sizeof(bytes));

		if (n < 0) {
			tty_input_end(&console, false, false);
			return 0;	/* input_running stays: never again */
		}
		poll_size();
		for (size_t done = 0; done < (size_t)n;) {
			size_t taken = tty_input(&console, bytes + done,
						 (size_t)n - done);

			done += taken;
			if (taken == 0)
				sleep_ns(CONSOLE_POLL_NS);	/* queue full */
		}
		if (n == 0)
			sleep_ns(CONSOLE_POLL_NS);
	}
	return 0;
}

/* After the open counted: see input_unused. */
static void start_input(void)
{
	struct thread *thread;
	bool size_now = false;

	mutex_lock(&console_start_lock);
	if (!hal_input_started) {
		hal_console_input_start();
		hal_input_started = true;
		size_now = true;
	}
	if (!input_running) {
		thread = thread_create("console-input", console_input, NULL);
		if (IS_ERR(thread)) {
			pr_warn("tty: no console input (error %ld)",
				PTR_ERR(thread));
		} else {
			input_running = true;
			thread_start(thread);
			thread_put(thread);	/* it ends on its own */
		}
	}
	mutex_unlock(&console_start_lock);
	if (size_now)
		poll_size();	/* takes proc_tree_lock: not under ours */
}

/* Linux: opening /dev/console never makes it a controlling terminal. */
static int console_open(struct vfs_inode *inode, struct vfs_file *file)
{
	(void)inode;
	file->ops = &tty_file_ops;
	tty_get(&console);
	tty_opened(&console, file, true);
	start_input();
	return 0;
}

static int current_tty_open(struct vfs_inode *inode, struct vfs_file *file)
{
	struct tty *tty = tty_current_ctty();

	(void)inode;
	if (tty == NULL)
		return -ENXIO;
	file->ops = &tty_file_ops;
	tty_opened(tty, file, true);	/* the reference is the file's */
	if (tty == &console)
		start_input();
	return 0;
}

static const struct vfs_file_ops console_open_ops = { .open = console_open };
static const struct vfs_file_ops current_tty_ops = {
	.open = current_tty_open,
};

static struct devfs_device console_devices[] = {
	{ .name = "tty", .dev = (5 << 20) | 0, .mode = 0666,
	  .ops = &current_tty_ops },
	{ .name = "console", .dev = (5 << 20) | 1, .mode = 0600,
	  .ops = &console_open_ops },
};

void tty_console_init(void)
{
	tty_init(&console, &console_ops, "console");
	for (size_t i = 0; i < ARRAY_SIZE(console_devices); i++) {
		int err = devfs_register(&console_devices[i]);

		if (err < 0)
			pr_warn("tty: /dev/%s: error %d",
				console_devices[i].name, err);
	}
}
