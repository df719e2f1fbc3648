/*
 * tmpfs: the in-memory file system the root and /tmp use. Mount options
 * (comma separated): size=BYTES[k|m|g] caps the file data pages,
 * nr_inodes=N the inode count; both fail with -ENOSPC when reached.
 * Defaults: half of RAM each, as Linux.
 */
#pragma once

/* Registers the "tmpfs" type. Boot only, from vfs_init. */
void tmpfs_register(void);

struct vfs_super;
struct vfs_inode;

/*
 * For file systems built on tmpfs (devtmpfs): sets sb up as a tmpfs and
 * returns its root inode, as a fill_super does.
 */
struct vfs_inode *tmpfs_fill_super(struct vfs_super *sb, const char *options);
extern const struct vfs_super_ops tmpfs_super_ops;
/* A directory's inode operations (devpts copies them). */
extern const struct vfs_inode_ops tmpfs_dir_ops;
