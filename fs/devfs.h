/*
 * Character devices: the registry that maps a device number to its file
 * operations (consulted whenever a character device node is opened, on
 * any file system), and devtmpfs, a tmpfs whose root holds a node for
 * every registered device. Drivers (tty, fb, pty, ...) register a
 * struct devfs_device they own for the kernel's lifetime.
 */
#pragma once

#include "core/lib/list.h"
#include "core/lib/types.h"

struct vfs_file_ops;

struct devfs_device {
	struct list_head link;		/* the registry, under devfs_lock */
	const char *name;		/* node name in /dev; unique */
	uint32_t dev;			/* vfs_mkdev(major, minor); unique */
	uint32_t mode;			/* the node's permission bits */
	const struct vfs_file_ops *ops;
	/*
	 * A driver for minors dev..dev+minors-1 (0 means 1) whose nodes live
	 * elsewhere (devpts): name is then only the registry's, no node.
	 */
	uint32_t minors;
	bool no_node;
};

/* Registers the "devtmpfs" type and the memory devices. Boot, once. */
void devfs_init(void);

/*
 * Adds a device and creates its node in every mounted devtmpfs.
 * Returns 0, or -EEXIST if the number or the name is taken. May sleep.
 */
int devfs_register(struct devfs_device *device);

/*
 * The operations for character device `dev`; a table whose open fails
 * with -ENXIO when no driver has it. Any context.
 */
const struct vfs_file_ops *devfs_chrdev_ops(uint32_t dev);

/* The memory devices (null, zero, full, random, urandom, kmsg). */
void devfs_mem_init(void);
