/*
 * The line discipline's order of echo and a reader's output
 * (core/tty/n_tty.c): a reader blocked on a line must not be woken before
 * the line's echo went to the device, and a reader that finds the line
 * without sleeping must not get its own output out before that echo, as
 * Linux's readers see a line only after commit_echoes (else `cat` could
 * print the line before, or inside, the echo of what was typed). The test
 * driver's echo write waits 100 ms for the reader: with the right order
 * the reader cannot finish or write, so the tests never fail by timing;
 * with the wrong one, the reader on the other CPU does it in that time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/ioctl.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/sync/spinlock.h"
#include "core/tty/tty.h"
#include "fs/vfs_fs.h"
#include "support/kernel.h"

static struct tty tty;
static char echoed[64];
static size_t echoed_length;
static bool reader_done;		/* atomic */
static bool done_before_echo;
static char line[16];
static ssize_t line_length;

static size_t record_write(struct tty *t, const char *bytes, size_t length,
			   bool may_block)
{
	(void)t, (void)may_block;
	for (int i = 0; i < 100 && !__atomic_load_n(&reader_done,
						   __ATOMIC_ACQUIRE); i++)
		sleep_ns(1000000);
	if (__atomic_load_n(&reader_done, __ATOMIC_ACQUIRE))
		done_before_echo = true;
	memcpy(echoed + echoed_length, bytes, length);
	echoed_length += length;
	return length;
}

static const struct tty_ops record_ops = { .write = record_write };

static int read_line(void *arg)
{
	struct vfs_file file = { .flags = O_RDWR, .private = &tty };
	int64_t offset = 0;

	(void)arg;
	line_length = tty_file_ops.read(&file, line, sizeof(line), &offset);
	__atomic_store_n(&reader_done, true, __ATOMIC_RELEASE);
	return 0;
}

Test(n_tty, echo_goes_out_before_the_reader_wakes)
{
	struct thread *reader;

	test_kernel_sched_init(2, false);
	tty_init(&tty, &record_ops, "test");
	reader = thread_create("reader", read_line, NULL);
	cr_assert(!IS_ERR(reader));
	thread_start(reader);
	sleep_ns(20000000);	/* into its wait for a line */
	cr_assert(!__atomic_load_n(&reader_done, __ATOMIC_ACQUIRE));
	cr_assert_eq(tty_input(&tty, "ab\r", 3), 3);
	cr_assert_eq(thread_join(reader, NULL), 0);
	cr_assert_eq(line_length, 3);
	cr_assert(memcmp(line, "ab\n", 3) == 0);
	cr_assert_eq(echoed_length, 4);
	cr_assert(memcmp(echoed, "ab\r\n", 4) == 0);
	cr_assert(!done_before_echo, "the reader was woken before the echo");
}

/* A reader polling without sleeping, then writing "X" (as cat would). */
static struct tty polled_tty;
static char written[64];
static size_t written_length;
static bool reader_wrote;		/* atomic */
static struct spinlock written_lock =
	SPINLOCK_INIT("test.written", LOCK_RANK_VFS_LEAF);

static size_t ordered_write(struct tty *t, const char *bytes, size_t length,
			    bool may_block)
{
	(void)t, (void)may_block;
	if (bytes[0] != 'X')	/* the echo: give the reader 100 ms */
		for (int i = 0; i < 100 && !__atomic_load_n(&reader_wrote,
							   __ATOMIC_ACQUIRE);
		     i++)
			sleep_ns(1000000);
	spin_lock(&written_lock);
	memcpy(written + written_length, bytes, length);
	written_length += length;
	spin_unlock(&written_lock);
	if (bytes[0] == 'X')
		__atomic_store_n(&reader_wrote, true, __ATOMIC_RELEASE);
	return length;
}

static const struct tty_ops ordered_ops = { .write = ordered_write };

static int poll_then_write(void *arg)
{
	struct vfs_file file = { .flags = O_RDWR | O_NONBLOCK,
				 .private = &polled_tty };
	char got[16];
	int64_t offset = 0;
	ssize_t n;

	(void)arg;
	while ((n = tty_file_ops.read(&file, got, sizeof(got), &offset)) ==
	       -EAGAIN)
		;
	if (n == 3 && memcmp(got, "ab\n", 3) == 0)
		(void)tty_file_ops.write(&file, "X", 1, &offset);
	return (int)n;
}

Test(n_tty, a_polling_reader_writes_after_the_echo)
{
	struct thread *reader;
	int result = 0;

	test_kernel_sched_init(2, false);
	tty_init(&polled_tty, &ordered_ops, "test");
	polled_tty.termios.c_oflag &= ~(uint32_t)ONLCR;
	reader = thread_create("poller", poll_then_write, NULL);
	cr_assert(!IS_ERR(reader));
	thread_start(reader);
	sleep_ns(20000000);	/* into its loop of non-blocking reads */
	cr_assert_eq(tty_input(&polled_tty, "ab\r", 3), 3);
	cr_assert_eq(thread_join(reader, &result), 0);
	cr_assert_eq(result, 3);
	cr_assert_eq(written_length, 4, "written %zu bytes", written_length);
	cr_assert(memcmp(written, "ab\nX", 4) == 0,
		  "the reader's output came before or inside the echo: %.4s",
		  written);
}
