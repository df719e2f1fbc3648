/*
 * Pipes (fs/pipe.c) through the VFS file API: blocking readers and
 * writers woken from other kernel threads on two CPUs, EOF, EPIPE,
 * O_NONBLOCK, PIPE_BUF atomicity, the ring's wrap-around, 1 MiB through
 * with a checksum, FIONREAD and stat. Every end is released and checked
 * for leaks by vfs_test_fini.
 */
#include <stdlib.h>

#include "core/include/uapi/ioctl.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "fs/pipe.h"
#include "vfs_test.h"

static struct vfs_file *ends[2];
static unsigned long baseline_threads;

static void setup(void)
{
	vt_init_cpus(2);
	baseline_threads = thread_count();
	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, ends), 0);
}

static void put_end(int i)
{
	if (ends[i] != NULL)
		vfs_file_put(ends[i]);
	ends[i] = NULL;
}

static void teardown(void)
{
	put_end(0);
	put_end(1);
	cr_assert(test_wait_thread_count(baseline_threads));
	vfs_test_fini();
}

#define PIPE_TEST(name) Test(fs_pipe, name, .init = setup, .fini = teardown)

static void set_nonblocking(struct vfs_file *file)
{
	cr_assert_eq(vfs_file_set_flags(&vt_root_cred, file,
					vfs_file_flags(file) | O_NONBLOCK), 0);
}

static int queued(void)
{
	int count = -1;

	cr_assert_eq(vfs_ioctl(ends[0], FIONREAD, &count), 0);
	return count;
}

static struct thread *start(int (*entry)(void *), void *arg)
{
	struct thread *thread = thread_create("pipe-test", entry, arg);

	cr_assert_not(IS_ERR(thread));
	thread_start(thread);
	return thread;
}

static int join(struct thread *thread)
{
	int code = -1;

	cr_assert_eq(thread_join(thread, &code), 0);
	return code;
}

PIPE_TEST(write_then_read)
{
	char buf[16];

	cr_assert_eq(vfs_write(ends[1], "hello", 5), 5);
	cr_assert_eq(queued(), 5);
	cr_assert_eq(vfs_read(ends[0], buf, 3), 3);
	cr_assert_eq(vfs_read(ends[0], buf + 3, sizeof(buf)), 2,
		     "a read returns what is there");
	cr_assert_eq(memcmp(buf, "hello", 5), 0);
	cr_assert_eq(queued(), 0);
	cr_assert_eq(vfs_read(ends[0], buf, 0), 0);
	cr_assert_eq(vfs_write(ends[1], buf, 0), 0);
}

PIPE_TEST(ends_are_one_way)
{
	char c = 'x';

	cr_assert_eq(vfs_write(ends[0], &c, 1), -EBADF);
	cr_assert_eq(vfs_read(ends[1], &c, 1), -EBADF);
	cr_assert(vfs_is_pipe(ends[0]) && vfs_is_pipe(ends[1]));
	cr_assert(vfs_file_is_anon(ends[0]));
}

PIPE_TEST(no_positions)
{
	char c = 'x';

	cr_assert_eq(vfs_lseek(ends[0], 0, SEEK_SET), -ESPIPE);
	cr_assert_eq(vfs_pread(ends[0], &c, 1, 0), -ESPIPE);
	cr_assert_eq(vfs_pwrite(ends[1], &c, 1, 0), -ESPIPE);
	cr_assert_eq(vfs_fsync(ends[1]), -EINVAL);
	cr_assert_eq(vfs_getdents64(ends[0], &c, 1), -ENOTDIR);
}

PIPE_TEST(stat_shows_a_fifo)
{
	struct stat st;
	struct stat other;

	cr_assert_eq(vfs_fstat(ends[0], &st), 0);
	cr_assert_eq(st.st_mode, S_IFIFO | 0600);
	cr_assert_eq(st.st_blksize, 4096);
	cr_assert_eq(st.st_nlink, 1);
	cr_assert_eq(vfs_fstat(ends[1], &other), 0);
	cr_assert_eq(st.st_ino, other.st_ino, "one inode, two ends");
	put_end(0);
	put_end(1);
	cr_assert_eq(vfs_pipe_create(&vt_root_cred, 0, ends), 0);
	cr_assert_eq(vfs_fstat(ends[0], &other), 0);
	cr_assert_neq(st.st_ino, other.st_ino, "a new pipe, a new inode");
	cr_assert_eq(st.st_dev, other.st_dev, "one pipe file system");
}

PIPE_TEST(create_flags)
{
	struct vfs_file *more[2];

	cr_assert_eq(vfs_pipe_create(&vt_root_cred, O_APPEND, more), -EINVAL);
	cr_assert_eq(vfs_pipe_create(&vt_root_cred, O_NONBLOCK | O_DIRECT,
				     more), 0);
	cr_assert_eq(vfs_file_flags(more[0]), O_RDONLY | O_NONBLOCK | O_DIRECT);
	cr_assert_eq(vfs_file_flags(more[1]), O_WRONLY | O_NONBLOCK | O_DIRECT);
	vfs_file_put(more[0]);
	vfs_file_put(more[1]);
}

PIPE_TEST(eof_once_every_writer_is_gone)
{
	struct vfs_file *second_writer = ends[1];
	char buf[8];

	vfs_file_get(second_writer);	/* a dup */
	cr_assert_eq(vfs_write(ends[1], "ab", 2), 2);
	put_end(1);
	cr_assert_eq(vfs_read(ends[0], buf, 8), 2, "data first");
	set_nonblocking(ends[0]);
	cr_assert_eq(vfs_read(ends[0], buf, 8), -EAGAIN, "a writer remains");
	vfs_file_put(second_writer);
	cr_assert_eq(vfs_read(ends[0], buf, 8), 0, "EOF");
}

PIPE_TEST(epipe_once_every_reader_is_gone)
{
	put_end(0);
	cr_assert_eq(vfs_write(ends[1], "ab", 2), -EPIPE);
	cr_assert_eq(vfs_write(ends[1], "ab", 0), 0, "host: 0 bytes is 0");
}

PIPE_TEST(nonblocking_full_pipe)
{
	static char block[PIPE_CAPACITY];
	char small[100];

	set_nonblocking(ends[1]);
	memset(block, 'z', sizeof(block));
	cr_assert_eq(vfs_write(ends[1], block, PIPE_CAPACITY - 100),
		     PIPE_CAPACITY - 100);
	/* <= PIPE_BUF: all or nothing; larger: what fits. */
	cr_assert_eq(vfs_write(ends[1], block, 200), -EAGAIN);
	cr_assert_eq(vfs_write(ends[1], block, PIPE_BUF + 1), 100);
	cr_assert_eq(vfs_write(ends[1], block, 1), -EAGAIN);
	cr_assert_eq(queued(), PIPE_CAPACITY);
	cr_assert_eq(vfs_read(ends[0], small, sizeof(small)), 100);
	cr_assert_eq(vfs_write(ends[1], block, 100), 100);
}

PIPE_TEST(ring_wraps_around)
{
	char *data = malloc(PIPE_CAPACITY), *back = malloc(PIPE_CAPACITY);

	for (int i = 0; i < PIPE_CAPACITY; i++)
		data[i] = (char)(i * 31 + 7);
	cr_assert_eq(vfs_write(ends[1], data, 60000), 60000);
	cr_assert_eq(vfs_read(ends[0], back, 50000), 50000);
	cr_assert_eq(memcmp(back, data, 50000), 0);
	/* 10000 left at the end of the ring; 40000 more wrap. */
	cr_assert_eq(vfs_write(ends[1], data, 40000), 40000);
	cr_assert_eq(queued(), 50000);
	cr_assert_eq(vfs_read(ends[0], back, PIPE_CAPACITY), 50000);
	cr_assert_eq(memcmp(back, data + 50000, 10000), 0);
	cr_assert_eq(memcmp(back + 10000, data, 40000), 0);
	free(data);
	free(back);
}

/* Sleeps a little, then writes "wake". */
static int late_writer(void *arg)
{
	(void)arg;
	sleep_ns(20 * 1000 * 1000);
	return vfs_write(ends[1], "wake", 4) == 4 ? 0 : 1;
}

PIPE_TEST(blocked_reader_is_woken_by_a_writer)
{
	struct thread *writer = start(late_writer, NULL);
	char buf[8];

	cr_assert_eq(vfs_read(ends[0], buf, sizeof(buf)), 4);
	cr_assert_eq(memcmp(buf, "wake", 4), 0);
	cr_assert_eq(join(writer), 0);
}

static int late_closer(void *arg)
{
	struct vfs_file *writer = arg;

	sleep_ns(20 * 1000 * 1000);
	vfs_file_put(writer);
	return 0;
}

PIPE_TEST(blocked_reader_gets_eof_when_the_writer_closes)
{
	struct thread *closer = start(late_closer, ends[1]);
	char buf[8];

	ends[1] = NULL;		/* the thread owns it now */
	cr_assert_eq(vfs_read(ends[0], buf, sizeof(buf)), 0);
	cr_assert_eq(join(closer), 0);
}

static int late_reader(void *arg)
{
	static char sink[PIPE_CAPACITY];

	(void)arg;
	sleep_ns(20 * 1000 * 1000);
	return vfs_read(ends[0], sink, sizeof(sink)) == PIPE_CAPACITY ? 0 : 1;
}

PIPE_TEST(blocked_writer_is_woken_by_a_reader)
{
	static char block[PIPE_CAPACITY + 10];
	struct thread *reader = start(late_reader, NULL);

	cr_assert_eq(vfs_write(ends[1], block, sizeof(block)),
		     (ssize_t)sizeof(block), "blocks until there is room");
	cr_assert_eq(join(reader), 0);
	cr_assert_eq(queued(), 10);
}

PIPE_TEST(blocked_writer_gets_epipe_when_the_reader_closes)
{
	static char block[PIPE_CAPACITY + 10];
	struct thread *closer = start(late_closer, ends[0]);

	ends[0] = NULL;
	/* Host: a write that has moved bytes returns the count. */
	cr_assert_eq(vfs_write(ends[1], block, sizeof(block)), PIPE_CAPACITY);
	cr_assert_eq(join(closer), 0);
	cr_assert_eq(vfs_write(ends[1], block, 1), -EPIPE);
}

#define MIB (1 << 20)

static uint32_t checksum(const uint8_t *data, size_t length, uint32_t sum)
{
	for (size_t i = 0; i < length; i++)
		sum = (sum << 5) + sum + data[i];
	return sum;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13);
}

/* Writes 1 MiB in uneven chunks; returns 0 when all went in. */
static int mib_writer(void *arg)
{
	static uint8_t chunk[70000];
	size_t sent = 0, size = 1;

	(void)arg;
	while (sent < MIB) {
		size_t n = size < MIB - sent ? size : MIB - sent;

		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		if (vfs_write(ends[1], chunk, n) != (ssize_t)n)
			return 1;
		sent += n;
		size = (size * 7 + 13) % sizeof(chunk) + 1;
	}
	return 0;
}

PIPE_TEST(one_mib_through_with_a_checksum)
{
	static uint8_t buf[9000];
	uint32_t expected = 5381, got = 5381;
	size_t received = 0;
	struct thread *writer = start(mib_writer, NULL);

	for (size_t i = 0; i < MIB; i++) {
		uint8_t byte = pattern(i);

		expected = checksum(&byte, 1, expected);
	}
	for (;;) {
		ssize_t n = vfs_read(ends[0], buf, 1 + received % sizeof(buf));

		cr_assert_geq(n, 0);
		if (n == 0)
			break;
		got = checksum(buf, (size_t)n, got);
		received += (size_t)n;
		if (received == MIB)
			put_end(1);	/* the writer is done: EOF next */
	}
	cr_assert_eq(received, MIB);
	cr_assert_eq(got, expected);
	cr_assert_eq(join(writer), 0);
}

struct record_writer {
	char fill;
	int records;
};

/* Writes PIPE_BUF-sized records of one byte value. */
static int record_writer(void *arg)
{
	struct record_writer *self = arg;
	static char blocks[2][PIPE_BUF];
	char *block = blocks[self->fill == 'b'];

	memset(block, self->fill, PIPE_BUF);
	for (int i = 0; i < self->records; i++)
		if (vfs_write(ends[1], block, PIPE_BUF) != PIPE_BUF)
			return 1;
	return 0;
}

PIPE_TEST(pipe_buf_writes_never_interleave)
{
	struct record_writer a = { 'a', 64 }, b = { 'b', 64 };
	struct thread *ta = start(record_writer, &a);
	struct thread *tb = start(record_writer, &b);
	static char record[PIPE_BUF];

	for (int n = 0; n < a.records + b.records; n++) {
		size_t got = 0;

		while (got < PIPE_BUF) {
			ssize_t r = vfs_read(ends[0], record + got,
					     PIPE_BUF - got);

			cr_assert_gt(r, 0);
			got += (size_t)r;
		}
		for (int i = 1; i < PIPE_BUF; i++)
			cr_assert_eq(record[i], record[0],
				     "record %d mixes writers at %d", n, i);
	}
	cr_assert_eq(join(ta), 0);
	cr_assert_eq(join(tb), 0);
}
