/*
 * Inode helpers every file system shares, the permission rules, the file
 * system type registry and VFS start-up.
 *
 * Permission checks follow Linux's generic_permission without
 * capabilities beyond root's: uid 0 passes every read/write check and
 * every directory search, but may execute a file only if some execute bit
 * is set. fstype_lock guards the registry; the inode and anonymous device
 * counters are atomics.
 */
#include "fs/vfs_internal.h"

#include "core/hal/time.h"
#include "core/lib/err.h"
#include "core/lib/string.h"
#include "fs/devfs.h"
#include "fs/epoll_internal.h"
#include "fs/pipe.h"
#include "fs/procfs.h"
#include "fs/tmpfs.h"

static struct spinlock fstype_lock =
	SPINLOCK_INIT("vfs.fstypes", LOCK_RANK_VFS_LEAF);
/* Protected by fstype_lock: */
static struct list_head fs_types = LIST_HEAD_INIT(fs_types);

static long inode_count;	/* atomic */
static uint32_t next_anon_minor = 1;	/* atomic */

int vfs_register_fs(struct vfs_fs_type *type)
{
	struct vfs_fs_type *other;
	int err = 0;

	spin_lock(&fstype_lock);
	list_for_each_entry(other, &fs_types, link) {
		if (kstrcmp(other->name, type->name) == 0)
			err = -EEXIST;
	}
	if (err == 0)
		list_add_tail(&type->link, &fs_types);
	spin_unlock(&fstype_lock);
	return err;
}

int vfs_fstype_find(const char *name, struct vfs_fs_type **found)
{
	struct vfs_fs_type *type;
	int err = -ENODEV;

	if (name == NULL)
		return -EINVAL;
	spin_lock(&fstype_lock);
	list_for_each_entry(type, &fs_types, link) {
		if (kstrcmp(type->name, name) == 0) {
			*found = type;
			err = 0;
			break;
		}
	}
	spin_unlock(&fstype_lock);
	return err;
}

int vfs_fstype_walk(int (*fn)(const char *name, void *arg), void *arg)
{
	struct vfs_fs_type *type;
	int err = 0;

	spin_lock(&fstype_lock);
	list_for_each_entry(type, &fs_types, link) {
		err = fn(type->name, arg);
		if (err < 0)
			break;
	}
	spin_unlock(&fstype_lock);
	return err < 0 ? err : 0;
}

struct vfs_timespec vfs_now(void)
{
	int64_t ns = hal_wallclock_ns();

	return (struct vfs_timespec){ ns / 1000000000, ns % 1000000000 };
}

void vfs_inode_touch(struct vfs_inode *inode)
{
	struct vfs_timespec now = vfs_now();

	inode->mtime = now;
	inode->ctime = now;
}

void vfs_inode_init(struct vfs_inode *inode, struct vfs_super *sb,
		    uint64_t ino, uint32_t mode, const struct vfs_cred *cred)
{
	struct vfs_timespec now = vfs_now();

	inode->sb = sb;
	inode->ino = ino;
	inode->mode = mode;
	inode->uid = cred->uid;
	inode->gid = cred->gid;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	inode->refcount = 1;
	inode->atime = now;
	inode->mtime = now;
	inode->ctime = now;
	inode->btime = now;
	mutex_init(&inode->lock, "vfs.inode", LOCK_RANK_VFS_INODE);
	__atomic_fetch_add(&inode_count, 1, __ATOMIC_RELAXED);
}

/* Called by file systems as they free an inode: keeps the count right. */
void vfs_inode_freed(struct vfs_inode *inode)
{
	(void)inode;
	__atomic_fetch_sub(&inode_count, 1, __ATOMIC_RELAXED);
}

long vfs_inode_count(void)
{
	return __atomic_load_n(&inode_count, __ATOMIC_RELAXED);
}

uint32_t vfs_anon_dev(void)
{
	return vfs_mkdev(0, __atomic_fetch_add(&next_anon_minor, 1,
					      __ATOMIC_RELAXED));
}

unsigned int vfs_mode_to_dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;
}

bool vfs_cred_in_group(const struct vfs_cred *cred, uint32_t gid)
{
	if (cred->gid == gid)
		return true;
	for (unsigned int i = 0; i < cred->group_count; i++) {
		if (cred->groups[i] == gid)
			return true;
	}
	return false;
}

int vfs_permission(const struct vfs_cred *cred, struct vfs_inode *inode,
		   int may)
{
	uint32_t mode = vfs_mode(inode);
	uint32_t bits;

	if (cred->uid == 0) {
		/* Root: everything, except running a file nobody may run. */
		if (!(may & VFS_MAY_EXEC) || S_ISDIR(mode) ||
		    (mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return 0;
		return -EACCES;
	}
	if (cred->uid == READ_ONCE(inode->uid))
		bits = (mode >> 6) & 7;
	else if (vfs_cred_in_group(cred, READ_ONCE(inode->gid)))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return ((unsigned int)may & ~bits) ? -EACCES : 0;
}

bool vfs_may_delete_sticky(const struct vfs_cred *cred, struct vfs_inode *dir,
			   struct vfs_inode *victim)
{
	if (!(vfs_mode(dir) & S_ISVTX) || cred->uid == 0)
		return true;
	return cred->uid == READ_ONCE(dir->uid) ||
	       cred->uid == READ_ONCE(victim->uid);
}

void vfs_remove_privs(const struct vfs_cred *cred, struct vfs_inode *inode)
{
	uint32_t mode = inode->mode;
	uint32_t kill = 0;

	if (cred != NULL && cred->uid == 0)
		return;		/* CAP_FSETID */
	if (mode & S_ISUID)
		kill |= S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (kill) {
		WRITE_ONCE(inode->mode, mode & ~kill);
		inode->ctime = vfs_now();
	}
}

void vfs_init(void)
{
	vfs_dcache_init();
	vfs_mount_init();
	tmpfs_register();
	procfs_register();
	devfs_init();
	vfs_pipe_init();
	vfs_epoll_init();
}

void vfs_get_stats(struct vfs_stats *stats)
{
	*stats = (struct vfs_stats){ 0 };
	vfs_dcache_get_stats(stats);
	vfs_mount_get_stats(stats);
	stats->inodes = vfs_inode_count();
	stats->files = vfs_file_count();
}
