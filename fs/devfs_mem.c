/*
 * The memory devices, with Linux's numbers: null (1:3), zero (1:5), full
 * (1:7), random (1:8), urandom (1:9) and kmsg (1:11). random and
 * urandom both read the kernel CSPRNG (as Linux does once it is seeded,
 * which ours is from the first use). kmsg writes go into the kernel log;
 * a kmsg reader gets the log as it was when it opened the file. The
 * console is a terminal (core/tty/tty_console.c).
 */
#include "fs/devfs.h"


#include "core/lib/err.h"
#include "core/lib/krandom.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "fs/vfs_fs.h"

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
	.fills_reads = true,
	.mmap_anonymous = true,
};
static const struct vfs_file_ops full_ops = {
	.read = read_zeros, .write = write_full, .stream = true,
	.fills_reads = true,
};
static const struct vfs_file_ops random_ops = {
	.read = read_random, .write = write_random, .stream = true,
	.fills_reads = true,
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
