/*
 * libFuzzer harness for terminals: the N_TTY line discipline, termios and
 * the pty pair, driven through the VFS as a program would drive them
 * (/dev/ptmx, /dev/pts/N, read, write, ioctl; both ends O_NONBLOCK, so no
 * call may wait). Each input is a sequence of operations (the first byte
 * of each picks it, bytes after it are its argument): input bytes
 * through the master, output through the slave, reads of either end,
 * whole termios structs or single flag bits and control characters,
 * window sizes, flushes, flow control, TIOCSTI, a reopen of the slave.
 *
 * Checks: every result is a count no larger than asked or an errno;
 * FIONREAD stays within the buffers; afterwards both ends close, every
 * file and page is back, and the next pair gets index 0 again (the pair
 * was freed).
 *
 * Runs on the harness thread, a kernel thread: no task, so job control
 * lets every call through and ISIG has no foreground group to signal.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/ioctl.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "fs/vfs.h"
#include "fs/vfs_internal.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TTY_BUFFER 4096		/* the slave's input queue (TTY_BUF_SIZE) */
#define PTY_BUFFER 4096		/* the master's output buffer */
#define MAX_ERRNO 4095
#define OPEN_FLAGS (O_RDWR | O_NONBLOCK | O_NOCTTY)

struct pair {
	struct vfs_file *master, *slave;
	unsigned int index;
	char slave_path[32];
};

/* Reads the input: bytes run out as zeroes. */
struct reader {
	const uint8_t *data;
	size_t size, at;
};

static uint8_t next_byte(struct reader *in)
{
	return in->at < in->size ? in->data[in->at++] : 0;
}

/* Up to `length` bytes of the input, in place; how many there were. */
static size_t next_bytes(struct reader *in, size_t length, const uint8_t **at)
{
	size_t left = in->size - in->at;

	if (length > left)
		length = left;
	*at = in->data + in->at;
	in->at += length;
	return length;
}

static const struct vfs_caller *root(void)
{
	return fuzz_root_caller();
}

static void boot(void)
{
	static bool booted;
	int err;

	if (booted)
		return;
	booted = true;
	fuzz_kernel_init();
	fuzz_check(vfs_mkdirat(root(), NULL, "/dev", 0755) == 0, "/dev");
	fuzz_check(vfs_mount(root(), "devtmpfs", "/dev", "devtmpfs", 0,
			     NULL) == 0, "devtmpfs");
	err = vfs_mkdirat(root(), NULL, "/dev/pts", 0755);
	fuzz_check(err == 0 || err == -EEXIST, "/dev/pts");
	fuzz_check(vfs_mount(root(), "devpts", "/dev/pts", "devpts", 0,
			     NULL) == 0, "devpts");
}

static void ioctl_checked(struct vfs_file *file, unsigned int cmd, void *arg)
{
	int err = vfs_ioctl(file, cmd, arg);

	fuzz_check(err <= 0 && err >= -MAX_ERRNO, "ioctl result");
}

static void open_pair(struct pair *pair)
{
	int unlock = 0;

	pair->master = vfs_openat(root(), NULL, "/dev/ptmx", OPEN_FLAGS, 0);
	fuzz_check(!IS_ERR(pair->master), "open /dev/ptmx");
	fuzz_check(vfs_ioctl(pair->master, TIOCGPTN, &pair->index) == 0,
		   "TIOCGPTN");
	/* Every earlier pair was freed: its index is free again. */
	fuzz_check(pair->index == 0, "a pty of an earlier input leaked");
	fuzz_check(vfs_ioctl(pair->master, TIOCSPTLCK, &unlock) == 0,
		   "unlockpt");
	ksnprintf(pair->slave_path, sizeof(pair->slave_path), "/dev/pts/%u",
		  pair->index);
	pair->slave = vfs_openat(root(), NULL, pair->slave_path, OPEN_FLAGS, 0);
	fuzz_check(!IS_ERR(pair->slave), "open the slave");
}

static void check_count(ssize_t result, size_t asked)
{
	fuzz_check(result >= -MAX_ERRNO, "an errno out of range");
	fuzz_check(result < 0 || (size_t)result <= asked,
		   "more bytes than asked for");
}

static void check_queues(struct pair *pair)
{
	int slave_count = -1, master_count = -1;

	ioctl_checked(pair->slave, FIONREAD, &slave_count);
	ioctl_checked(pair->master, FIONREAD, &master_count);
	fuzz_check(slave_count >= 0 && slave_count <= TTY_BUFFER,
		   "slave FIONREAD out of range");
	fuzz_check(master_count >= 0 && master_count <= PTY_BUFFER,
		   "master FIONREAD out of range");
}

/* Sets termios as the input says: whole, one flag bit, or one c_cc. */
static void set_termios(struct pair *pair, struct reader *in, uint8_t op)
{
	static const unsigned int commands[] = { TCSETS, TCSETSW, TCSETSF };
	struct termios termios;
	const uint8_t *bytes;
	size_t length;
	uint8_t what = next_byte(in);

	ioctl_checked(pair->slave, TCGETS, &termios);
	switch (op) {
	case 0:
		length = next_bytes(in, sizeof(termios), &bytes);
		memcpy(&termios, bytes, length);
		break;
	case 1: {	/* toggle bit what % 32 of flag word what / 32 % 4 */
		uint32_t *words[] = { &termios.c_iflag, &termios.c_oflag,
				      &termios.c_cflag, &termios.c_lflag };

		*words[(what >> 5) & 3] ^= 1u << (what & 31);
		break;
	}
	default:
		termios.c_cc[what % NCCS] = next_byte(in);
		break;
	}
	ioctl_checked(pair->slave, commands[what % 3], &termios);
}

static void run_op(struct pair *pair, struct reader *in)
{
	char buffer[512];
	const uint8_t *bytes;
	uint8_t op = next_byte(in), arg = next_byte(in);
	unsigned long value;
	struct winsize size;
	size_t length;

	switch (op % 12) {
	case 0:	/* the terminal's input */
		length = next_bytes(in, arg, &bytes);
		check_count(vfs_write(pair->master, bytes, length), length);
		break;
	case 1:	/* the program's output */
		length = next_bytes(in, arg, &bytes);
		check_count(vfs_write(pair->slave, bytes, length), length);
		break;
	case 2:
		length = arg * 2u;
		check_count(vfs_read(pair->slave, buffer, length), length);
		break;
	case 3:
		length = arg * 2u;
		check_count(vfs_read(pair->master, buffer, length), length);
		break;
	case 4:
	case 5:
	case 6:
		in->at--;	/* arg is set_termios's */
		set_termios(pair, in, (uint8_t)(op % 12 - 4));
		break;
	case 7:
		memset(&size, 0, sizeof(size));
		length = next_bytes(in, sizeof(size), &bytes);
		memcpy(&size, bytes, length);
		ioctl_checked(arg & 1 ? pair->master : pair->slave, TIOCSWINSZ,
			      &size);
		break;
	case 8:
		value = arg % 4;	/* TCIFLUSH..TCIOFLUSH, and one bad */
		ioctl_checked(pair->slave, TCFLSH, &value);
		break;
	case 9:
		value = arg % 5;	/* TCOOFF..TCION, and one bad */
		ioctl_checked(pair->slave, TCXONC, &value);
		break;
	case 10:
		ioctl_checked(pair->slave, TIOCSTI, &arg);
		break;
	default:	/* the slave's last close, then a new open */
		vfs_file_put(pair->slave);
		if (arg & 1)	/* a read of the master sees the close */
			check_count(vfs_read(pair->master, buffer, 16), 16);
		pair->slave = vfs_openat(root(), NULL, pair->slave_path,
					 OPEN_FLAGS, 0);
		fuzz_check(!IS_ERR(pair->slave), "reopen the slave");
		break;
	}
	check_queues(pair);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader in = { data, size, 0 };
	struct vfs_stats before, after;
	struct pair pair;
	uint64_t pages;

	boot();
	if (size > 16384)
		return 0;
	vfs_get_stats(&before);
	pages = fuzz_free_pages();
	open_pair(&pair);
	while (in.at < in.size)
		run_op(&pair, &in);
	vfs_file_put(pair.slave);
	vfs_file_put(pair.master);
	vfs_get_stats(&after);
	fuzz_check(after.files == before.files, "files leaked");
	fuzz_check(fuzz_free_pages() == pages, "pages leaked");
	return 0;
}
