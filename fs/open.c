/*
 * open(2) and openat(2): Linux's build_open_flags, path_openat and
 * may_open, in that order. O_CREAT walks to the parent, looks the name up
 * with its tree_lock held exclusively and creates it there if missing, so
 * O_CREAT|O_EXCL is atomic; an existing final symbolic link is followed
 * (unless O_EXCL or O_NOFOLLOW) by walking its target from the parent;
 * a magic link's target is opened as the existing file.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"

#define OPEN_FLAGS_VALID (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
			  O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT |       \
			  O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | \
			  O_CLOEXEC | O_SYNC | O_PATH)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/* The access an open asks for, as Linux's ACC_MODE plus O_TRUNC. */
static int access_mode(int flags)
{
	static const int modes[4] = {
		VFS_MAY_READ, VFS_MAY_WRITE, VFS_MAY_READ | VFS_MAY_WRITE,
		VFS_MAY_READ | VFS_MAY_WRITE,
	};
	int may = modes[flags & O_ACCMODE];

	if (flags & O_TRUNC)
		may |= VFS_MAY_WRITE;
	return may;
}

/* Linux may_open for an existing file. */
static int may_open(const struct vfs_caller *caller,
		    const struct vfs_path *path, int flags)
{
	struct vfs_inode *inode = vfs_dentry_inode(path->dentry);
	uint32_t mode = vfs_mode(inode);
	int may = access_mode(flags);

	if (flags & O_PATH)
		return 0;
	if (S_ISLNK(mode))
		return -ELOOP;
	if (S_ISDIR(mode) && ((may & VFS_MAY_WRITE) || (flags & O_CREAT)))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
		return -ENOTDIR;
	if ((may & VFS_MAY_WRITE) && vfs_mount_is_readonly(path->mount) &&
	    (S_ISREG(mode) || S_ISDIR(mode)))
		return -EROFS;
	return vfs_permission(caller->cred, inode, may);
}

/* O_TRUNC of an existing regular file. */
static int truncate_on_open(const struct vfs_cred *cred,
			    struct vfs_inode *inode)
{
	int err = 0;

	if (!S_ISREG(vfs_mode(inode)) || inode->ops->set_size == NULL)
		return 0;
	mutex_lock(&inode->lock);
	if (inode->size != 0) {
		err = inode->ops->set_size(inode, 0);
		if (err == 0)
			vfs_inode_touch(inode);
	}
	if (err == 0)
		vfs_remove_privs(cred, inode);
	mutex_unlock(&inode->lock);
	return err;
}

/*
 * The O_CREAT lookup: returns 1 and *out when the name exists (to open
 * normally), 0 and *out when it was created here, or -errno.
 */
static int open_create(const struct vfs_caller *caller,
		       struct vfs_nameidata *nd, int flags, uint32_t mode,
		       struct vfs_path *out)
{
	struct vfs_dentry *dentry = NULL;
	struct vfs_inode *inode;
	int err;

	for (;;) {
		if (nd->last_type == WALK_LAST_BIND) {
			/* `> /dev/stdout`: the target exists (O_EXCL and a
			 * trailing slash never follow a link). */
			*out = nd->parent;
			vfs_path_get(out);
			return 1;
		}
		if (nd->last_type != WALK_LAST_NORM || nd->trailing_slash)
			return -EISDIR;
		err = vfs_lock_lookup(nd, &dentry);
		if (err < 0)
			return err;
		inode = dentry->inode;
		if (inode == NULL) {
			mode = (mode & S_IALLUGO & ~caller->cred->umask) |
			       S_IFREG;
			err = vfs_create_locked(caller->cred, nd, dentry, mode,
						0, NULL);
			break;
		}
		if ((flags & O_EXCL) ||
		    !S_ISLNK(vfs_mode(inode)) || (flags & O_NOFOLLOW)) {
			err = (flags & O_EXCL) ? -EEXIST : 1;
			break;
		}
		vfs_dentry_get(dentry);
		vfs_unlock_last(nd, dentry);
		err = vfs_walk_follow_last(nd, dentry);
		vfs_dentry_put(dentry);
		if (err < 0)
			return err;
	}
	if (err >= 0) {
		out->mount = vfs_mount_get(nd->parent.mount);
		out->dentry = vfs_dentry_get(dentry);
		if (err == 1)
			vfs_follow_mounts(out);
	}
	vfs_unlock_last(nd, dentry);
	return err;
}

/* Resolves (and maybe creates) the file; *created says which. */
static int open_walk(const struct vfs_caller *caller, struct vfs_file *dir,
		     const char *path, int flags, uint32_t mode,
		     struct vfs_path *out, bool *created)
{
	struct vfs_nameidata nd;
	int err;

	*created = false;
	if (!(flags & O_CREAT)) {
		int walk_flags = (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW;

		if (flags & O_DIRECTORY)
			walk_flags |= WALK_DIRECTORY;
		return vfs_walk(caller, dir, path, walk_flags, out);
	}
	err = vfs_walk_parent(caller, dir, path, &nd);
	if (err < 0)
		return err;
	err = open_create(caller, &nd, flags, mode, out);
	vfs_nameidata_done(&nd);
	if (err < 0)
		return err;
	*created = err == 0;
	return 0;
}

struct vfs_file *vfs_openat(const struct vfs_caller *caller,
			    struct vfs_file *dir, const char *path, int flags,
			    uint32_t mode)
{
	struct vfs_file *file;
	struct vfs_path found;
	bool created;
	int err;

	if (flags & ~OPEN_FLAGS_VALID)
		return ERR_PTR((flags & O_TMPFILE) == O_TMPFILE ?
			       -EOPNOTSUPP : -EINVAL);
	if (flags & O_PATH)
		flags &= O_PATH_FLAGS;
	if ((flags & O_DIRECTORY) && (flags & O_CREAT))
		return ERR_PTR(-EINVAL);
	err = open_walk(caller, dir, path, flags, mode, &found, &created);
	if (err < 0)
		return ERR_PTR(err);
	if (!created) {
		err = may_open(caller, &found, flags);
		if (err == 0 && (flags & O_TRUNC))
			err = truncate_on_open(caller->cred,
					       vfs_dentry_inode(found.dentry));
	}
	file = err < 0 ? ERR_PTR(err) :
			 vfs_file_open_path(caller, &found, flags);
	vfs_path_put(&found);
	return file;
}
