/*
 * rename(2) and renameat2(2): both parents are walked, then the super
 * block's tree_lock is taken exclusively once (both are in one file
 * system, or the call fails with -EXDEV first), both names are looked up
 * again under it, and Linux's checks run in Linux's order. Holding the
 * whole tree makes the ancestor checks (a directory into itself) and the
 * move itself atomic against every other name space change.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"

struct rename_op {
	const struct vfs_cred *cred;
	struct vfs_nameidata old, new;
	struct vfs_dentry *old_dentry, *new_dentry;
	unsigned int flags;
};

/* Linux may_delete for one side (dentry positive). */
static int may_remove(struct rename_op *op, struct vfs_nameidata *nd,
		      struct vfs_dentry *victim, bool is_dir)
{
	struct vfs_inode *dir = nd->parent.dentry->inode;
	struct vfs_inode *inode = victim->inode;
	int err = vfs_permission(op->cred, dir, VFS_MAY_WRITE | VFS_MAY_EXEC);

	if (err < 0)
		return err;
	if (!vfs_may_delete_sticky(op->cred, dir, inode))
		return -EPERM;
	if (is_dir && !S_ISDIR(vfs_mode(inode)))
		return -ENOTDIR;
	if (!is_dir && S_ISDIR(vfs_mode(inode)))
		return -EISDIR;
	return 0;
}

/* The checks of Linux do_renameat2 after both lookups. */
static int check_names(struct rename_op *op)
{
	struct vfs_inode *old = op->old_dentry->inode;
	struct vfs_inode *new = op->new_dentry->inode;
	bool exchange = op->flags & RENAME_EXCHANGE;

	if (old == NULL)
		return -ENOENT;
	if ((op->flags & RENAME_NOREPLACE) && new != NULL)
		return -EEXIST;
	if (exchange && new == NULL)
		return -ENOENT;
	if (exchange && !S_ISDIR(vfs_mode(new)) && op->new.trailing_slash)
		return -ENOTDIR;
	if (!S_ISDIR(vfs_mode(old)) &&
	    (op->old.trailing_slash || (!exchange && op->new.trailing_slash)))
		return -ENOTDIR;
	/* The source must not be an ancestor of the target... */
	if (vfs_dentry_is_below(op->new.parent.dentry, op->old_dentry))
		return -EINVAL;
	/* ...nor the target an ancestor of the source. */
	if (new != NULL &&
	    vfs_dentry_is_below(op->old.parent.dentry, op->new_dentry))
		return exchange ? -EINVAL : -ENOTEMPTY;
	return 0;
}

/* Linux vfs_rename's permission and busy checks. */
static int check_access(struct rename_op *op)
{
	struct vfs_inode *old = op->old_dentry->inode;
	struct vfs_inode *new = op->new_dentry->inode;
	bool is_dir = S_ISDIR(vfs_mode(old));
	bool new_is_dir = new != NULL && S_ISDIR(vfs_mode(new));
	bool moved = op->old.parent.dentry != op->new.parent.dentry;
	int err = may_remove(op, &op->old, op->old_dentry, is_dir);

	if (err < 0)
		return err;
	if (new == NULL)
		err = vfs_permission(op->cred, op->new.parent.dentry->inode,
				     VFS_MAY_WRITE | VFS_MAY_EXEC);
	else
		err = may_remove(op, &op->new, op->new_dentry,
				 (op->flags & RENAME_EXCHANGE) ? new_is_dir :
								 is_dir);
	if (err < 0)
		return err;
	if (moved && is_dir) {
		err = vfs_permission(op->cred, old, VFS_MAY_WRITE);
		if (err < 0)
			return err;
	}
	if (moved && new_is_dir && (op->flags & RENAME_EXCHANGE)) {
		err = vfs_permission(op->cred, new, VFS_MAY_WRITE);
		if (err < 0)
			return err;
	}
	if (vfs_is_mountpoint(op->old_dentry) ||
	    vfs_is_mountpoint(op->new_dentry))
		return -EBUSY;
	return 0;
}

static int commit(struct rename_op *op)
{
	struct vfs_inode *old_dir = op->old.parent.dentry->inode;
	struct vfs_inode *new_dir = op->new.parent.dentry->inode;
	struct vfs_inode *new = op->new_dentry->inode;
	int err;

	/* procfs: a new name is refused by Linux's lookup, an old one by
	 * vfs_rename. */
	if (old_dir->ops->rename == NULL)
		return new != NULL ? -EPERM : -ENOENT;
	if (old_dir->ops->kernel_names || new_dir->ops->kernel_names)
		return -EPERM;	/* devpts: as Linux's vfs_rename */
	if (new != NULL && !(op->flags & RENAME_EXCHANGE) &&
	    S_ISDIR(vfs_mode(new)) && !new_dir->ops->is_empty_dir(new))
		return -ENOTEMPTY;
	err = old_dir->ops->rename(old_dir, op->old.last, op->old.last_length,
				   new_dir, op->new.last, op->new.last_length,
				   op->flags & RENAME_EXCHANGE);
	if (err < 0)
		return err;
	if (op->flags & RENAME_EXCHANGE) {
		vfs_dentry_exchange(op->old_dentry, op->new_dentry);
		return 0;
	}
	if (new != NULL && S_ISDIR(vfs_mode(new)))
		vfs_dcache_prune_children(op->new_dentry);
	vfs_dentry_move(op->old_dentry, op->new_dentry, op->new.parent.dentry,
			op->new.last, op->new.last_length);
	return 0;
}

/* Both parents walked, same mount: lock, look up, check, commit. */
static int rename_locked(struct rename_op *op)
{
	struct vfs_dentry *old_parent = op->old.parent.dentry;
	struct rwlock *tree = &old_parent->sb->tree_lock;
	int err;

	rwlock_write_lock(tree);
	op->old_dentry = vfs_lookup_locked(old_parent, op->old.last,
					   op->old.last_length);
	if (IS_ERR(op->old_dentry)) {
		err = (int)PTR_ERR(op->old_dentry);
		goto out_unlock;
	}
	op->new_dentry = vfs_lookup_locked(op->new.parent.dentry, op->new.last,
					   op->new.last_length);
	if (IS_ERR(op->new_dentry)) {
		err = (int)PTR_ERR(op->new_dentry);
		goto out_old;
	}
	err = check_names(op);
	if (err == 0 && op->old_dentry->inode == op->new_dentry->inode)
		goto out_new;	/* the same file: nothing to do, success */
	if (err == 0)
		err = check_access(op);
	if (err == 0)
		err = commit(op);
out_new:
	vfs_dentry_put(op->new_dentry);
out_old:
	vfs_dentry_put(op->old_dentry);
out_unlock:
	rwlock_write_unlock(tree);
	return err;
}

/* The checks of do_renameat2 before any lock. */
static int check_parents(struct rename_op *op)
{
	if (op->old.parent.mount != op->new.parent.mount)
		return -EXDEV;
	if (op->old.last_type != WALK_LAST_NORM)
		return -EBUSY;
	if (op->new.last_type != WALK_LAST_NORM)
		return (op->flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	if (vfs_mount_is_readonly(op->old.parent.mount))
		return -EROFS;
	return 0;
}

int vfs_renameat2(const struct vfs_caller *caller, struct vfs_file *old_dir,
		  const char *old_path, struct vfs_file *new_dir,
		  const char *new_path, unsigned int flags)
{
	struct rename_op op = { .cred = caller->cred, .flags = flags };
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) &&
	    (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return caller->cred->uid != 0 ? -EPERM : -EOPNOTSUPP;
	err = vfs_walk_parent(caller, old_dir, old_path, &op.old);
	if (err < 0)
		return err;
	err = vfs_walk_parent(caller, new_dir, new_path, &op.new);
	if (err < 0)
		goto out_old;
	err = check_parents(&op);
	if (err == 0)
		err = rename_locked(&op);
	vfs_nameidata_done(&op.new);
out_old:
	vfs_nameidata_done(&op.old);
	return err;
}
