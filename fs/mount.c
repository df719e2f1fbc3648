/*
 * The mount table and super block lifetimes. A mount shows a super
 * block's tree (or, for a bind mount, a subtree) at a dentry of its parent
 * mount. Paths hold references on their mount; the table holds one more,
 * so a mount whose count exceeds that (plus the unmounting caller's own)
 * is busy. A super block lives while a mount shows it.
 *
 * mount_lock (a spinlock) protects the table, every mount's refcount,
 * parent, mountpoint and child count, dentries' mount_count and super
 * blocks' refcounts. It ranks below the dentry cache lock, which may be
 * taken inside it. Nothing is allocated or freed under it.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"

static struct spinlock mount_lock =
	SPINLOCK_INIT("vfs.mount", LOCK_RANK_VFS_MOUNT);
/* Protected by mount_lock: */
static struct list_head mount_table = LIST_HEAD_INIT(mount_table);
static struct vfs_mount *root_mount;
static uint64_t next_mount_id = 1;
static long mount_count, super_count;

void vfs_mount_init(void)
{
}

struct vfs_mount *vfs_mount_get(struct vfs_mount *mount)
{
	spin_lock(&mount_lock);
	ASSERT(mount->refcount > 0);
	mount->refcount++;
	spin_unlock(&mount_lock);
	return mount;
}

/* The last mount of sb went: free its dentries, then the file system. */
static void super_destroy(struct vfs_super *sb)
{
	vfs_dcache_shrink(sb);
	vfs_dentry_put(sb->root);
	WARN_ONCE(sb->dentry_count != 0, "vfs: %ld dentries of %s left",
		  sb->dentry_count, sb->type->name);
	sb->ops->kill(sb);
	kfree(sb);
}

static void super_put(struct vfs_super *sb)
{
	bool last;

	spin_lock(&mount_lock);
	last = --sb->refcount == 0;
	if (last)
		super_count--;
	spin_unlock(&mount_lock);
	if (last)
		super_destroy(sb);
}

void vfs_mount_put(struct vfs_mount *mount)
{
	bool last;

	spin_lock(&mount_lock);
	ASSERT(mount->refcount > 0);
	last = --mount->refcount == 0;
	if (last)
		mount_count--;
	spin_unlock(&mount_lock);
	if (!last)
		return;
	/* Already out of the table: umount detached it. */
	vfs_dentry_put(mount->root);
	if (mount->mountpoint != NULL)
		vfs_dentry_put(mount->mountpoint);
	super_put(mount->sb);
	kfree(mount);
}

void vfs_path_get(const struct vfs_path *path)
{
	vfs_mount_get(path->mount);
	vfs_dentry_get(path->dentry);
}

void vfs_path_put(struct vfs_path *path)
{
	vfs_dentry_put(path->dentry);
	vfs_mount_put(path->mount);
	path->dentry = NULL;
	path->mount = NULL;
}

bool vfs_is_mountpoint(struct vfs_dentry *dentry)
{
	return READ_ONCE(dentry->mount_count) != 0;
}

/* The mount on (parent, dentry), referenced, or NULL. */
static struct vfs_mount *mount_on(struct vfs_mount *parent,
				  struct vfs_dentry *dentry)
{
	struct vfs_mount *mount, *found = NULL;

	spin_lock(&mount_lock);
	list_for_each_entry(mount, &mount_table, link) {
		if (mount->parent == parent && mount->mountpoint == dentry) {
			mount->refcount++;
			found = mount;
			break;
		}
	}
	spin_unlock(&mount_lock);
	return found;
}

void vfs_follow_mounts(struct vfs_path *path)
{
	while (vfs_is_mountpoint(path->dentry)) {
		struct vfs_mount *mount = mount_on(path->mount, path->dentry);

		if (mount == NULL)
			return;
		vfs_path_put(path);
		path->mount = mount;
		path->dentry = vfs_dentry_get(mount->root);
	}
}

bool vfs_follow_up(struct vfs_path *path)
{
	struct vfs_path up = { NULL, NULL };

	spin_lock(&mount_lock);
	if (path->dentry == path->mount->root && path->mount->parent != NULL) {
		up.mount = path->mount->parent;
		up.mount->refcount++;
		up.dentry = path->mount->mountpoint;
	}
	spin_unlock(&mount_lock);
	if (up.mount == NULL)
		return false;
	vfs_dentry_get(up.dentry);
	vfs_path_put(path);
	*path = up;
	return true;
}

int vfs_root_path(struct vfs_path *path)
{
	spin_lock(&mount_lock);
	path->mount = root_mount;
	if (root_mount != NULL)
		root_mount->refcount++;
	spin_unlock(&mount_lock);
	if (path->mount == NULL)
		return -ENOENT;
	path->dentry = vfs_dentry_get(path->mount->root);
	return 0;
}

static struct vfs_super *super_create(struct vfs_fs_type *type,
				      const char *options)
{
	struct vfs_super *sb = kzalloc(sizeof(*sb));
	struct vfs_inode *root;
	int err;

	if (sb == NULL)
		return ERR_PTR(-ENOMEM);
	sb->type = type;
	sb->refcount = 1;
	sb->block_size = PAGE_SIZE;
	rwlock_init(&sb->tree_lock, "vfs.tree", LOCK_RANK_VFS_TREE);
	root = type->fill_super(sb, options);
	if (IS_ERR(root)) {
		kfree(sb);
		return ERR_PTR(PTR_ERR(root));
	}
	sb->root = vfs_dentry_alloc_root(sb, root);
	if (sb->root == NULL) {
		vfs_inode_put(root);
		sb->ops->kill(sb);
		kfree(sb);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock(&mount_lock);
	super_count++;
	spin_unlock(&mount_lock);
	err = type->mounted != NULL ? type->mounted(sb) : 0;
	if (err < 0) {
		super_put(sb);
		return ERR_PTR(err);
	}
	return sb;
}

/* A detached mount of sb showing `root` (referenced); takes an sb ref. */
static struct vfs_mount *mount_alloc(struct vfs_super *sb,
				     struct vfs_dentry *root,
				     unsigned long flags, const char *source)
{
	struct vfs_mount *mount = kzalloc(sizeof(*mount));

	if (mount == NULL)
		return NULL;
	kstrlcpy(mount->source, source ? source : "none",
		 sizeof(mount->source));
	mount->sb = sb;
	mount->root = vfs_dentry_get(root);
	mount->flags = flags & MS_RDONLY;
	mount->refcount = 1;	/* the table's */
	list_init(&mount->link);
	spin_lock(&mount_lock);
	mount_count++;
	spin_unlock(&mount_lock);
	return mount;
}

/* Puts mount into the table on `at` (NULL: as the root). */
static int mount_attach(struct vfs_mount *mount, const struct vfs_path *at)
{
	int err = 0;

	if (at != NULL)
		vfs_dentry_get(at->dentry);
	spin_lock(&mount_lock);
	if (at == NULL && root_mount != NULL) {
		err = -EBUSY;
	} else if (at == NULL) {
		root_mount = mount;
	} else {
		mount->parent = at->mount;
		mount->mountpoint = at->dentry;
		at->mount->child_count++;
		WRITE_ONCE(at->dentry->mount_count,
			   at->dentry->mount_count + 1);
	}
	if (err == 0) {
		mount->id = next_mount_id++;
		list_add_tail(&mount->link, &mount_table);
	}
	spin_unlock(&mount_lock);
	if (err < 0 && at != NULL)
		vfs_dentry_put(at->dentry);
	return err;
}

static int mount_new(struct vfs_fs_type *type, const char *options,
		     unsigned long flags, const struct vfs_path *at,
		     const char *source)
{
	struct vfs_super *sb = super_create(type, options);
	struct vfs_mount *mount;
	int err;

	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	mount = mount_alloc(sb, sb->root, flags, source);
	if (mount == NULL) {
		super_put(sb);
		return -ENOMEM;
	}
	err = mount_attach(mount, at);
	if (err < 0)
		vfs_mount_put(mount);
	return err;
}

int vfs_mount_root(const char *type_name, const char *options)
{
	struct vfs_fs_type *type;
	int err = vfs_fstype_find(type_name, &type);

	if (err < 0)
		return err;
	return mount_new(type, options, 0, NULL, "none"); /* "rootfs" df skips */
}

static int mount_bind(const struct vfs_caller *caller, const char *source,
		      unsigned long flags, const struct vfs_path *at)
{
	struct vfs_path from;
	struct vfs_mount *mount;
	struct vfs_super *sb;
	int err;

	err = vfs_walk(caller, NULL, source, WALK_FOLLOW, &from);
	if (err < 0)
		return err;
	sb = from.mount->sb;
	spin_lock(&mount_lock);
	sb->refcount++;
	spin_unlock(&mount_lock);
	mount = mount_alloc(sb, from.dentry, flags, from.mount->source);
	vfs_path_put(&from);
	if (mount == NULL) {
		super_put(sb);
		return -ENOMEM;
	}
	err = mount_attach(mount, at);
	if (err < 0)
		vfs_mount_put(mount);
	return err;
}

#define MOUNT_FLAGS_KNOWN (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | \
			   MS_BIND | MS_REMOUNT)
/*
 * Accepted without effect, as Linux accepts them for these file systems:
 * MS_SILENT (BusyBox mount always sets it), the atime policies (tmpfs
 * keeps relatime), write-through hints for memory file systems.
 */
#define MOUNT_FLAGS_IGNORED (MS_SILENT | MS_SYNCHRONOUS | MS_DIRSYNC |      \
			     MS_NOATIME | MS_NODIRATIME | MS_RELATIME |     \
			     MS_STRICTATIME | MS_LAZYTIME | MS_I_VERSION |  \
			     MS_POSIXACL)
#define MOUNT_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/*
 * A propagation change (`mount --make-private /`), as Linux's
 * do_change_type: one type, on a mount's root. Every mount here is
 * private (no peer groups), so private and slave (of no master) are what
 * it already is; shared and unbindable are not implemented.
 */
static int mount_change_type(unsigned long flags, const struct vfs_path *at)
{
	unsigned long type = flags & MOUNT_PROPAGATION;

	if (type & (type - 1))
		return -EINVAL;		/* more than one */
	if (at->dentry != at->mount->root)
		return -EINVAL;
	if (type & (MS_SHARED | MS_UNBINDABLE))
		return -EOPNOTSUPP;	/* FIXME: peer groups, unbindable */
	return 0;
}

/*
 * MS_REMOUNT of the mount whose root `at` is: its read-only flag becomes
 * what `flags` says (`mount -o remount,ro /`). With MS_BIND that is
 * Linux's per-mount change exactly; without it Linux would make the
 * whole super block read-only. FIXME: super-block remount options (the
 * other mounts of the same file system stay as they were).
 */
static int mount_reconfigure(unsigned long flags, const struct vfs_path *at)
{
	if (at->dentry != at->mount->root)
		return -EINVAL;
	spin_lock(&mount_lock);
	WRITE_ONCE(at->mount->flags, flags & MS_RDONLY);
	spin_unlock(&mount_lock);
	return 0;
}

int vfs_mount(const struct vfs_caller *caller, const char *source,
	      const char *target, const char *type_name, unsigned long flags,
	      const char *options)
{
	struct vfs_fs_type *type = NULL;
	struct vfs_path at;
	int err;

	if (caller->cred->uid != 0)
		return -EPERM;
	flags &= ~MOUNT_FLAGS_IGNORED;
	/* As Linux's do_mount: remount and bind come first, ignoring it. */
	if (flags & (MS_REMOUNT | MS_BIND))
		flags &= ~MOUNT_PROPAGATION;
	if (flags & MOUNT_PROPAGATION) {
		/* Linux: MS_REC applies the type to the whole subtree. */
		if (flags & ~(MOUNT_PROPAGATION | MS_REC))
			return -EINVAL;
		err = vfs_walk(caller, NULL, target, WALK_FOLLOW, &at);
		if (err < 0)
			return err;
		err = mount_change_type(flags, &at);
		vfs_path_put(&at);
		return err;
	}
	if (flags & MS_REC)
		return -EOPNOTSUPP;	/* FIXME: recursive bind mounts */
	if (flags & ~MOUNT_FLAGS_KNOWN)
		return -EINVAL;
	if (!(flags & (MS_BIND | MS_REMOUNT))) {
		err = vfs_fstype_find(type_name, &type);
		if (err < 0)
			return err;
	}
	/* A remount of anything but a mount's root is -EINVAL, files too. */
	err = vfs_walk(caller, NULL, target, WALK_FOLLOW |
		       (flags & MS_REMOUNT ? 0 : WALK_DIRECTORY), &at);
	if (err < 0)
		return err;
	if (flags & MS_REMOUNT)
		err = mount_reconfigure(flags, &at);
	else if (flags & MS_BIND)
		err = mount_bind(caller, source, flags, &at);
	else
		err = mount_new(type, options, flags, &at, source);
	vfs_path_put(&at);
	return err;
}

/* Takes `mount` out of the table if nothing but `extra` refs use it. */
static int mount_detach(struct vfs_mount *mount, int extra)
{
	int err = 0;

	spin_lock(&mount_lock);
	if (mount->child_count != 0 || mount->refcount > 1 + extra) {
		err = -EBUSY;
	} else {
		list_remove(&mount->link);
		if (mount->parent != NULL) {
			mount->parent->child_count--;
			WRITE_ONCE(mount->mountpoint->mount_count,
				   mount->mountpoint->mount_count - 1);
			mount->parent = NULL;
		} else {
			root_mount = NULL;
		}
	}
	spin_unlock(&mount_lock);
	return err;
}

static bool is_root_mount(struct vfs_mount *mount)
{
	bool is_root;

	spin_lock(&mount_lock);
	is_root = mount == root_mount;
	spin_unlock(&mount_lock);
	return is_root;
}

int vfs_umount(const struct vfs_caller *caller, const char *target, int flags)
{
	struct vfs_path path;
	int err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (caller->cred->uid != 0)
		return -EPERM;
	if (flags & (MNT_DETACH | MNT_EXPIRE))
		return -EOPNOTSUPP;	/* FIXME: lazy and expiring unmounts */
	err = vfs_walk(caller, NULL, target,
		       (flags & UMOUNT_NOFOLLOW) ? 0 : WALK_FOLLOW, &path);
	if (err < 0)
		return err;
	if (path.dentry != path.mount->root)
		err = -EINVAL;
	else if (is_root_mount(path.mount))
		err = -EBUSY;
	else
		err = mount_detach(path.mount, 1);
	if (err == 0)
		vfs_mount_put(path.mount);	/* the table's reference */
	vfs_path_put(&path);
	return err;
}

/* The most recently attached mount without children, or NULL. */
static struct vfs_mount *leaf_mount(void)
{
	struct vfs_mount *mount, *leaf = NULL;

	spin_lock(&mount_lock);
	list_for_each_entry(mount, &mount_table, link) {
		if (mount->child_count == 0)
			leaf = mount;
	}
	spin_unlock(&mount_lock);
	return leaf;
}

int vfs_unmount_all(void)
{
	struct vfs_mount *mount;

	while ((mount = leaf_mount()) != NULL) {
		int err = mount_detach(mount, 0);

		if (err < 0)
			return err;
		vfs_mount_put(mount);
	}
	return 0;
}

void vfs_mount_get_stats(struct vfs_stats *stats)
{
	spin_lock(&mount_lock);
	stats->mounts = mount_count;
	stats->supers = super_count;
	spin_unlock(&mount_lock);
}

#define SYNC_BATCH 64

/*
 * Writes back every mounted file system (in-memory ones have nothing to
 * write). Mounts are pinned in batches so the lock is not held across
 * the file systems' sync calls.
 */
int vfs_sync(void)
{
	/* FIXME: only the first SYNC_BATCH mounts are synced. */
	struct vfs_mount *batch[SYNC_BATCH], *mount;
	unsigned int count = 0;
	int err = 0;

	spin_lock(&mount_lock);
	list_for_each_entry(mount, &mount_table, link) {
		if (count == SYNC_BATCH)
			break;
		mount->refcount++;
		batch[count++] = mount;
	}
	spin_unlock(&mount_lock);
	for (unsigned int i = 0; i < count; i++) {
		struct vfs_super *sb = batch[i]->sb;

		if (sb->ops->sync != NULL && err == 0)
			err = sb->ops->sync(sb);
		vfs_mount_put(batch[i]);
	}
	return err;
}

/* The mount after id `last` with a reference on it and its parent. */
static struct vfs_mount *mount_next(uint64_t last)
{
	struct vfs_mount *mount, *found = NULL;

	spin_lock(&mount_lock);
	list_for_each_entry(mount, &mount_table, link) {
		if (mount->id > last && (found == NULL || mount->id < found->id))
			found = mount;
	}
	if (found) {
		found->refcount++;
		if (found->parent)
			found->parent->refcount++;
	}
	spin_unlock(&mount_lock);
	return found;
}

int vfs_mount_walk(int (*fn)(const struct vfs_mount_entry *entry, void *arg),
		   void *arg)
{
	struct vfs_mount *mount;
	uint64_t last = 0;
	int err = 0;

	while (err >= 0 && (mount = mount_next(last)) != NULL) {
		struct vfs_mount_entry entry = {
			.source = mount->source, .type = mount->sb->type->name,
			.flags = mount->flags, .id = mount->id,
			.parent_id = mount->parent ? mount->parent->id : mount->id,
			.dev = mount->sb->dev,
		};

		entry.at.mount = mount->parent ? mount->parent : mount;
		entry.at.dentry = vfs_dentry_get(mount->parent ?
						 mount->mountpoint : mount->root);
		err = fn(&entry, arg);
		last = mount->id;
		vfs_dentry_put(entry.at.dentry);
		if (mount->parent)
			vfs_mount_put(mount->parent);
		vfs_mount_put(mount);
	}
	return err < 0 ? err : 0;
}
