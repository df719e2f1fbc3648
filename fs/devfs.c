/*
 * The character device registry and devtmpfs. devfs_lock, a mutex taken
 * before any super block's tree_lock, guards the registry and the list of
 * mounted devtmpfs instances, so a device registered while a devtmpfs is
 * being mounted appears in it exactly once. Lookups at open time walk
 * the registry under registry_lock, a leaf spinlock, so they never sleep.
 */
#include "fs/devfs.h"

#include "core/tty/tty.h"

#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "fs/tmpfs.h"
#include "fs/vfs_fs.h"

struct devfs_instance {
	struct list_head link;		/* instances, under devfs_lock */
	struct vfs_super *sb;
};

static struct mutex devfs_lock =
	MUTEX_INIT(devfs_lock, "devfs", LOCK_RANK_MUTEX_OUTER);
static struct spinlock registry_lock =
	SPINLOCK_INIT("devfs.registry", LOCK_RANK_VFS_LEAF);
/* Changed under devfs_lock and registry_lock; read under either: */
static struct list_head devices = LIST_HEAD_INIT(devices);
/* Protected by devfs_lock: */
static struct list_head instances = LIST_HEAD_INIT(instances);

static int nodev_open(struct vfs_inode *inode, struct vfs_file *file)
{
	(void)inode;
	(void)file;
	return -ENXIO;
}

static const struct vfs_file_ops nodev_ops = { .open = nodev_open };

const struct vfs_file_ops *devfs_chrdev_ops(uint32_t dev)
{
	const struct vfs_file_ops *ops = &nodev_ops;
	struct devfs_device *device;

	spin_lock(&registry_lock);
	list_for_each_entry(device, &devices, link) {
		uint32_t count = device->minors ? device->minors : 1;

		if (dev - device->dev < count && (dev >> 20) ==
						    (device->dev >> 20)) {
			ops = device->ops;
			break;
		}
	}
	spin_unlock(&registry_lock);
	return ops;
}

static int make_node(struct vfs_super *sb, const struct devfs_device *device)
{
	int err;

	if (device->no_node)
		return 0;
	err = vfs_super_mknod(sb, device->name,
				  S_IFCHR | (device->mode & 07777),
				  device->dev);

	if (err < 0 && err != -EEXIST)
		pr_warn("devfs: cannot create /dev/%s: error %d", device->name,
			err);
	return err;
}

int devfs_register(struct devfs_device *device)
{
	struct devfs_device *other;
	struct devfs_instance *instance;
	int err = 0;

	mutex_lock(&devfs_lock);
	list_for_each_entry(other, &devices, link) {
		if (other->dev == device->dev ||
		    kstrcmp(other->name, device->name) == 0)
			err = -EEXIST;
	}
	if (err == 0) {
		spin_lock(&registry_lock);
		list_add_tail(&device->link, &devices);
		spin_unlock(&registry_lock);
		list_for_each_entry(instance, &instances, link)
			make_node(instance->sb, device);
	}
	mutex_unlock(&devfs_lock);
	return err;
}

/* The tree exists: record the instance and fill it. */
static int devfs_mounted(struct vfs_super *sb)
{
	struct devfs_instance *instance = kmalloc(sizeof(*instance));
	struct devfs_device *device;

	if (instance == NULL)
		return -ENOMEM;
	instance->sb = sb;
	mutex_lock(&devfs_lock);
	list_add_tail(&instance->link, &instances);
	list_for_each_entry(device, &devices, link)
		make_node(sb, device);
	mutex_unlock(&devfs_lock);
	return 0;
}

static void devfs_kill(struct vfs_super *sb)
{
	struct devfs_instance *instance, *found = NULL;

	mutex_lock(&devfs_lock);
	list_for_each_entry(instance, &instances, link) {
		if (instance->sb == sb)
			found = instance;
	}
	if (found != NULL)
		list_remove(&found->link);
	mutex_unlock(&devfs_lock);
	kfree(found);
	tmpfs_super_ops.kill(sb);
}

static struct vfs_super_ops devfs_super_ops;

static struct vfs_inode *devfs_fill_super(struct vfs_super *sb,
					  const char *options)
{
	struct vfs_inode *root = tmpfs_fill_super(sb, options ? options :
						  "mode=755");

	if (!IS_ERR(root))
		sb->ops = &devfs_super_ops;
	return root;
}

static struct vfs_fs_type devfs_type = {
	.name = "devtmpfs",
	.fill_super = devfs_fill_super,
	.mounted = devfs_mounted,
};

void devfs_init(void)
{
	devfs_super_ops = tmpfs_super_ops;
	devfs_super_ops.kill = devfs_kill;
	vfs_register_fs(&devfs_type);
	devfs_mem_init();
	tty_console_init();
	tty_devices_init();
}
