/*
 * Name space changes: mkdir, mknod, symlink, link, unlink, rmdir, and
 * readlink. Each walks to the parent directory, takes its super block's
 * tree_lock exclusively, looks the last name up again under it, checks,
 * and commits in the file system and then in the dentry cache. The checks
 * and their order follow Linux's, so the same call fails with the same
 * errno. rename lives in rename.c.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"

int vfs_lock_lookup(struct vfs_nameidata *nd, struct vfs_dentry **dentry)
{
	struct rwlock *tree = &nd->parent.dentry->sb->tree_lock;
	struct vfs_dentry *found;

	rwlock_write_lock(tree);
	found = vfs_lookup_locked(nd->parent.dentry, nd->last,
				  nd->last_length);
	if (IS_ERR(found)) {
		rwlock_write_unlock(tree);
		return (int)PTR_ERR(found);
	}
	*dentry = found;
	return 0;
}

void vfs_unlock_last(struct vfs_nameidata *nd, struct vfs_dentry *dentry)
{
	vfs_dentry_put(dentry);
	rwlock_write_unlock(&nd->parent.dentry->sb->tree_lock);
}

/* Linux may_create: write and search permission on the directory. */
static int may_create(const struct vfs_cred *cred, struct vfs_nameidata *nd)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;

	if (READ_ONCE(dir->nlink) == 0)
		return -ENOENT;		/* created in a removed directory */
	return vfs_permission(cred, dir, VFS_MAY_WRITE | VFS_MAY_EXEC);
}

int vfs_create_locked(const struct vfs_cred *cred, struct vfs_nameidata *nd,
		      struct vfs_dentry *dentry, uint32_t mode, uint32_t rdev,
		      const char *target)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;
	struct vfs_cred owner = *cred;
	struct vfs_inode *inode;
	int err;

	if (vfs_mount_is_readonly(nd->parent.mount))
		return -EROFS;
	err = may_create(cred, nd);
	if (err < 0)
		return err;
	/* No creation (procfs): Linux's lookup refuses the name itself. */
	if (dir->ops->create == NULL)
		return -ENOENT;
	if (dir->ops->kernel_names)	/* Linux: vfs_create, vfs_mknod... */
		return S_ISREG(mode) ? -EACCES : -EPERM;
	if (vfs_mode(dir) & S_ISGID) {
		/* BSD group semantics in a set-gid directory. */
		owner.gid = READ_ONCE(dir->gid);
		if (S_ISDIR(mode))
			mode |= S_ISGID;
		else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
			 cred->uid != 0 && !vfs_cred_in_group(cred, owner.gid))
			mode &= ~S_ISGID;
	}
	inode = dir->ops->create(dir, nd->last, nd->last_length, mode, &owner,
				 rdev, target);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	vfs_dentry_instantiate(dentry, inode);
	return 0;
}

/*
 * Linux filename_create then the create itself: the shared body of
 * mkdir, mknod and symlink. A trailing slash is allowed only for mkdir.
 */
static int create_at(const struct vfs_caller *caller, struct vfs_file *dir,
		     const char *path, uint32_t mode, uint32_t rdev,
		     const char *target)
{
	struct vfs_nameidata nd;
	struct vfs_dentry *dentry = NULL;
	int err = vfs_walk_parent(caller, dir, path, &nd);

	if (err < 0)
		return err;
	if (nd.last_type != WALK_LAST_NORM) {
		err = -EEXIST;
		goto out;
	}
	err = vfs_lock_lookup(&nd, &dentry);
	if (err < 0)
		goto out;
	if (dentry->inode != NULL)
		err = -EEXIST;
	else if (nd.trailing_slash && !S_ISDIR(mode))
		err = -ENOENT;
	else
		err = vfs_create_locked(caller->cred, &nd, dentry, mode, rdev,
					target);
	vfs_unlock_last(&nd, dentry);
out:
	vfs_nameidata_done(&nd);
	return err;
}

int vfs_mkdirat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, uint32_t mode)
{
	mode = (mode & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX)) &
	       ~caller->cred->umask;
	return create_at(caller, dir, path, S_IFDIR | mode, 0, NULL);
}

int vfs_mknodat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, uint32_t mode, uint32_t rdev)
{
	uint32_t type = mode & S_IFMT;

	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (caller->cred->uid != 0)
			return -EPERM;	/* CAP_MKNOD */
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	mode = (mode & S_IALLUGO & ~caller->cred->umask) | type;
	return create_at(caller, dir, path, mode,
			 S_ISCHR(type) || S_ISBLK(type) ? rdev : 0, NULL);
}

int vfs_symlinkat(const struct vfs_caller *caller, const char *target,
		  struct vfs_file *dir, const char *path)
{
	size_t length = kstrnlen(target, PATH_MAX);

	if (length == 0)
		return -ENOENT;
	if (length == PATH_MAX)
		return -ENAMETOOLONG;
	return create_at(caller, dir, path, S_IFLNK | 0777, 0, target);
}

/* Linux may_delete, for `victim` in nd's parent. Caller holds tree_lock. */
static int may_delete(const struct vfs_cred *cred, struct vfs_nameidata *nd,
		      struct vfs_dentry *victim, bool is_dir)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;
	struct vfs_inode *inode = victim->inode;
	int err;

	if (inode == NULL)
		return -ENOENT;
	err = vfs_permission(cred, dir, VFS_MAY_WRITE | VFS_MAY_EXEC);
	if (err < 0)
		return err;
	if (!vfs_may_delete_sticky(cred, dir, inode))
		return -EPERM;
	if (is_dir && !S_ISDIR(vfs_mode(inode)))
		return -ENOTDIR;
	if (!is_dir && S_ISDIR(vfs_mode(inode)))
		return -EISDIR;
	if (vfs_is_mountpoint(victim))
		return -EBUSY;
	return 0;
}

static int remove_locked(const struct vfs_cred *cred, struct vfs_nameidata *nd,
			 struct vfs_dentry *victim, bool is_dir)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;
	struct vfs_inode *inode = victim->inode;
	int err = may_delete(cred, nd, victim, is_dir);

	if (err < 0)
		return err;
	if (dir->ops->unlink == NULL || dir->ops->kernel_names)
		return -EPERM;	/* procfs, devpts: as Linux's vfs_unlink */
	if (is_dir && !dir->ops->is_empty_dir(inode))
		return -ENOTEMPTY;
	err = dir->ops->unlink(dir, nd->last, nd->last_length, inode);
	if (err < 0)
		return err;
	if (is_dir)
		vfs_dcache_prune_children(victim);
	vfs_dentry_delete(victim);
	return 0;
}

/* The errors of unlinkat/rmdir for "/", "." and "..". */
static int special_last_error(enum walk_last type, bool is_dir)
{
	if (!is_dir)
		return -EISDIR;
	switch (type) {
	case WALK_LAST_DOT:
		return -EINVAL;
	case WALK_LAST_DOTDOT:
		return -ENOTEMPTY;
	default:
		return -EBUSY;
	}
}

int vfs_unlinkat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, int flags)
{
	bool is_dir = (flags & AT_REMOVEDIR) != 0;
	struct vfs_nameidata nd;
	struct vfs_dentry *victim = NULL;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = vfs_walk_parent(caller, dir, path, &nd);
	if (err < 0)
		return err;
	if (nd.last_type != WALK_LAST_NORM) {
		err = special_last_error(nd.last_type, is_dir);
		goto out;
	}
	if (vfs_mount_is_readonly(nd.parent.mount)) {
		err = -EROFS;
		goto out;
	}
	err = vfs_lock_lookup(&nd, &victim);
	if (err < 0)
		goto out;
	if (!is_dir && nd.trailing_slash && victim->inode != NULL)
		err = S_ISDIR(vfs_mode(victim->inode)) ? -EISDIR : -ENOTDIR;
	else
		err = remove_locked(caller->cred, &nd, victim, is_dir);
	vfs_unlock_last(&nd, victim);
out:
	vfs_nameidata_done(&nd);
	return err;
}

/*
 * Linux's protected_hardlinks (on by default in distributions): a
 * non-owner may only link a regular, non-set-id file it can read and
 * write.
 */
static bool may_link_protected(const struct vfs_cred *cred,
			       struct vfs_inode *inode)
{
	uint32_t mode = vfs_mode(inode);

	if (cred->uid == 0 || cred->uid == READ_ONCE(inode->uid))
		return true;
	if (!S_ISREG(mode) || (mode & S_ISUID) ||
	    (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return false;
	return vfs_permission(cred, inode, VFS_MAY_READ | VFS_MAY_WRITE) == 0;
}

static int link_locked(const struct vfs_cred *cred, struct vfs_nameidata *nd,
		       struct vfs_dentry *dentry, struct vfs_path *old)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;
	struct vfs_inode *inode = vfs_dentry_inode(old->dentry);
	int err;

	if (dentry->inode != NULL)
		return -EEXIST;
	if (nd->trailing_slash)
		return -ENOENT;
	if (old->mount != nd->parent.mount)
		return -EXDEV;
	if (vfs_mount_is_readonly(nd->parent.mount))
		return -EROFS;
	err = may_create(cred, nd);
	if (err < 0)
		return err;
	if (S_ISDIR(vfs_mode(inode)))
		return -EPERM;
	if (!may_link_protected(cred, inode))
		return -EPERM;
	if (READ_ONCE(inode->nlink) == 0)
		return -ENOENT;
	if (dir->ops->link == NULL)
		return -ENOENT;	/* procfs: as create */
	if (dir->ops->kernel_names)
		return -EPERM;
	err = dir->ops->link(dir, nd->last, nd->last_length, inode);
	if (err < 0)
		return err;
	vfs_inode_get(inode);
	vfs_dentry_instantiate(dentry, inode);
	return 0;
}

int vfs_linkat(const struct vfs_caller *caller, struct vfs_file *old_dir,
	       const char *old_path, struct vfs_file *new_dir,
	       const char *new_path, int flags)
{
	struct vfs_nameidata nd;
	struct vfs_dentry *dentry = NULL;
	struct vfs_path old;
	int walk_flags = 0;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH) {
		if (caller->cred->uid != 0)
			return -ENOENT;	/* needs CAP_DAC_READ_SEARCH */
		walk_flags |= WALK_EMPTY;
	}
	if (flags & AT_SYMLINK_FOLLOW)
		walk_flags |= WALK_FOLLOW;
	err = vfs_walk(caller, old_dir, old_path, walk_flags, &old);
	if (err < 0)
		return err;
	err = vfs_walk_parent(caller, new_dir, new_path, &nd);
	if (err < 0)
		goto out_old;
	err = -EEXIST;
	if (nd.last_type == WALK_LAST_NORM) {
		err = vfs_lock_lookup(&nd, &dentry);
		if (err == 0) {
			err = link_locked(caller->cred, &nd, dentry, &old);
			vfs_unlock_last(&nd, dentry);
		}
	}
	vfs_nameidata_done(&nd);
out_old:
	vfs_path_put(&old);
	return err;
}

ssize_t vfs_readlinkat(const struct vfs_caller *caller, struct vfs_file *dir,
		       const char *path, char *buf, size_t size)
{
	struct vfs_path link;
	struct vfs_inode *inode;
	ssize_t length;
	int err;

	if ((ssize_t)size <= 0)
		return -EINVAL;
	err = vfs_walk(caller, dir, path, WALK_EMPTY, &link);
	if (err < 0)
		return err;
	inode = vfs_dentry_inode(link.dentry);
	if (!S_ISLNK(vfs_mode(inode))) {
		length = path[0] == '\0' ? -ENOENT : -EINVAL;
	} else {
		length = inode->ops->readlink(inode, buf, size);
		if (length > (ssize_t)size)
			length = (ssize_t)size;
	}
	vfs_path_put(&link);
	return length;
}

int vfs_super_mknod(struct vfs_super *sb, const char *name, uint32_t mode,
		    uint32_t rdev)
{
	static const struct vfs_cred kernel_cred = { 0 };
	struct vfs_dentry *root = sb->root, *dentry;
	struct vfs_inode *dir = root->inode, *inode;
	size_t length = kstrlen(name);
	int err = 0;

	rwlock_write_lock(&sb->tree_lock);
	dentry = vfs_lookup_locked(root, name, length);
	if (IS_ERR(dentry)) {
		err = (int)PTR_ERR(dentry);
		goto out_unlock;
	}
	if (dentry->inode != NULL) {
		err = -EEXIST;
		goto out_put;
	}
	inode = dir->ops->create(dir, name, length, mode, &kernel_cred, rdev,
				 NULL);
	if (IS_ERR(inode))
		err = (int)PTR_ERR(inode);
	else
		vfs_dentry_instantiate(dentry, inode);
out_put:
	vfs_dentry_put(dentry);
out_unlock:
	rwlock_write_unlock(&sb->tree_lock);
	return err;
}

int vfs_super_unlink(struct vfs_super *sb, const char *name)
{
	struct vfs_dentry *root = sb->root, *dentry;
	struct vfs_inode *dir = root->inode;
	size_t length = kstrlen(name);
	int err;

	rwlock_write_lock(&sb->tree_lock);
	dentry = vfs_lookup_locked(root, name, length);
	if (IS_ERR(dentry)) {
		err = (int)PTR_ERR(dentry);
		goto out_unlock;
	}
	if (dentry->inode == NULL) {
		err = -ENOENT;
	} else {
		err = dir->ops->unlink(dir, name, length, dentry->inode);
		if (err == 0)
			vfs_dentry_delete(dentry);
	}
	vfs_dentry_put(dentry);
out_unlock:
	rwlock_write_unlock(&sb->tree_lock);
	return err;
}
