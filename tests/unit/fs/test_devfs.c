/*
 * devtmpfs and the memory devices: nodes, numbers and modes as Linux
 * has them, each device's read/write behaviour, and the registry.
 */
#include <unistd.h>

#include "vfs_test.h"

#include "core/lib/printk.h"
#include "core/sched/wait.h"
#include "fs/devfs.h"
#include "fs/vfs_fs.h"

static void mount_dev(void)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/dev", 0755), 0);
	cr_assert_eq(vfs_mount(R, "devtmpfs", "/dev", "devtmpfs", 0, NULL), 0);
}

static void finish(void)
{
	cr_assert_eq(vfs_umount(R, "/dev", 0), 0);
}

VFS_TEST(devfs, nodes_have_linux_numbers_and_modes)
{
	static const struct { const char *path; uint64_t rdev; uint32_t mode; }
	nodes[] = {
		{ "/dev/null", 0x103, 0666 }, { "/dev/zero", 0x105, 0666 },
		{ "/dev/full", 0x107, 0666 }, { "/dev/random", 0x108, 0666 },
		{ "/dev/urandom", 0x109, 0666 }, { "/dev/kmsg", 0x10b, 0644 },
		{ "/dev/console", 0x501, 0600 },
	};

	mount_dev();
	cr_assert_eq(vt_stat(R, "/dev").st_mode, S_IFDIR | 0755);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		struct stat st = vt_stat(R, nodes[i].path);

		cr_assert_eq(st.st_mode, S_IFCHR | nodes[i].mode, "%s",
			     nodes[i].path);
		cr_assert_eq(st.st_rdev, nodes[i].rdev, "%s", nodes[i].path);
	}
	finish();
}

VFS_TEST(devfs, null_zero_full)
{
	struct vfs_file *null, *zero, *full;
	char buf[16];

	mount_dev();
	null = vt_open(U, "/dev/null", O_RDWR, 0);
	zero = vt_open(U, "/dev/zero", O_RDWR, 0);
	full = vt_open(U, "/dev/full", O_RDWR, 0);
	cr_assert_eq(vfs_read(null, buf, sizeof(buf)), 0);
	cr_assert_eq(vfs_write(null, "abc", 3), 3);
	memset(buf, 1, sizeof(buf));
	cr_assert_eq(vfs_read(zero, buf, sizeof(buf)), 16);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(buf[i], 0);
	cr_assert_eq(vfs_write(zero, "abc", 3), 3);
	cr_assert_eq(vfs_write(full, "abc", 3), -ENOSPC);
	cr_assert_eq(vfs_read(full, buf, 4), 4);
	cr_assert_eq(vfs_lseek(null, 100, SEEK_SET), 0);
	cr_assert_eq(vfs_pread(zero, buf, 4, 1000), 4);
	vfs_file_put(null);
	vfs_file_put(zero);
	vfs_file_put(full);
	finish();
}

VFS_TEST(devfs, random_and_urandom)
{
	struct vfs_file *random = NULL, *urandom;
	uint8_t a[64], b[64];
	int zeros = 0;

	mount_dev();
	random = vt_open(U, "/dev/random", O_RDWR, 0);
	urandom = vt_open(U, "/dev/urandom", O_RDONLY, 0);
	cr_assert_eq(vfs_read(random, a, sizeof(a)), 64);
	cr_assert_eq(vfs_read(urandom, b, sizeof(b)), 64);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
	for (size_t i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	cr_assert_lt(zeros, 8);
	cr_assert_eq(vfs_write(random, "mix me in", 9), 9);
	cr_assert_eq(vfs_write(urandom, "x", 1), -EBADF);
	vfs_file_put(random);
	vfs_file_put(urandom);
	finish();
}

VFS_TEST(devfs, kmsg_and_console_reach_printk)
{
	static char log[70000];
	struct vfs_file *kmsg, *console, *reader;
	char buf[8];

	mount_dev();
	kmsg = vt_open(R, "/dev/kmsg", O_WRONLY, 0);
	cr_assert_eq(vfs_write(kmsg, "<3>from-user-space\n", 19), 19);
	vfs_file_put(kmsg);
	printk_log_read(log, sizeof(log));
	cr_assert_not_null(strstr(log, "from-user-space"));
	reader = vt_open(R, "/dev/kmsg", O_RDONLY, 0);
	cr_assert_gt(vfs_read(reader, log, sizeof(log) - 1), 0);
	vfs_file_put(reader);
	console = vt_open(R, "/dev/console", O_RDWR, 0);
	cr_assert_eq(vfs_write(console, "console line\n", 13), 13);
	(void)buf;
	vfs_file_put(console);
	cr_assert_eq(vt_open_err(U, "/dev/console", O_WRONLY, 0), -EACCES);
	finish();
}

/* Reads, giving the console's input thread (10 ms polls) a second. */
static ssize_t read_soon(struct vfs_file *file, char *buf, size_t length)
{
	ssize_t n = -EAGAIN;

	for (int i = 0; i < 200 && n == -EAGAIN; i++) {
		n = vfs_read(file, buf, length);
		if (n == -EAGAIN)
			sleep_ns(5000000);
	}
	return n;
}

/*
 * Console input is the host's standard input (here a host pipe put on
 * fd 0), through the line discipline: a line ends with CR made NL
 * (ICRNL), -EAGAIN without a whole line under O_NONBLOCK, end of file
 * once the host side closes.
 */
VFS_TEST(devfs, console_reads_host_input)
{
	struct vfs_file *console;
	int host_pipe[2];
	char buf[8] = { 0 };

	mount_dev();
	cr_assert_eq(pipe(host_pipe), 0);
	cr_assert_eq(dup2(host_pipe[0], 0), 0);
	console = vt_open(R, "/dev/console", O_RDWR | O_NONBLOCK, 0);
	cr_assert_eq(vfs_read(console, buf, sizeof(buf)), -EAGAIN);
	cr_assert_eq(write(host_pipe[1], "ab\r", 3), 3);
	cr_assert_eq(read_soon(console, buf, sizeof(buf)), 3);
	cr_assert_eq(memcmp(buf, "ab\n", 3), 0);
	cr_assert_eq(vfs_read(console, buf, sizeof(buf)), -EAGAIN);
	cr_assert_eq(write(host_pipe[1], "cd", 2), 2);	/* half a line */
	close(host_pipe[1]);
	cr_assert_eq(read_soon(console, buf, sizeof(buf)), 2, "the rest");
	cr_assert_eq(memcmp(buf, "cd", 2), 0);
	cr_assert_eq(vfs_read(console, buf, sizeof(buf)), 0, "end of input");
	vfs_file_put(console);
	finish();
}

static ssize_t read_seven(struct vfs_file *file, void *buf, size_t length,
			  int64_t *offset)
{
	(void)file, (void)offset;
	memset(buf, 7, length);
	return (ssize_t)length;
}

static const struct vfs_file_ops seven_ops = { .read = read_seven,
					       .stream = true };
static struct devfs_device seven = {
	.name = "seven", .dev = (240u << 20) | 0, .mode = 0644,
	.ops = &seven_ops,
};
static struct devfs_device clash = {
	.name = "other", .dev = (1u << 20) | 3, .mode = 0644,
	.ops = &seven_ops,
};

VFS_TEST(devfs, registry_adds_nodes_to_mounted_instances)
{
	char buf[4] = { 0 };
	struct vfs_file *file;

	mount_dev();
	cr_assert_eq(vt_stat_err(R, "/dev/seven"), -ENOENT); /* negative */
	cr_assert_eq(devfs_register(&seven), 0);
	cr_assert_eq(devfs_register(&seven), -EEXIST);
	cr_assert_eq(devfs_register(&clash), -EEXIST);
	file = vt_open(R, "/dev/seven", O_RDONLY, 0);
	cr_assert_eq(vfs_read(file, buf, 3), 3);
	cr_assert_eq(buf[2], 7);
	vfs_file_put(file);
	/* A node made elsewhere with the number reaches the same driver. */
	cr_assert_eq(vfs_mknodat(R, NULL, "/myseven", S_IFCHR | 0600,
				 seven.dev), 0);
	cr_assert_eq(vt_open_err(R, "/myseven", O_RDONLY, 0), 0);
	finish();
}
