/*
 * The line discipline's order of echo and wake-up (core/tty/n_tty.c): a
 * reader blocked on a line must not be woken before the line's echo went
 * to the device, as Linux's commit_echoes before it wakes read_wait (else
 * `cat` could print the line before the terminal showed what was typed).
 * The test driver's write waits 100 ms for the reader to finish: with the
 * right order the reader cannot, so the test never fails by timing; with
 * the wrong one, the woken reader on the other CPU finishes in that time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/include/uapi/fcntl.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
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
