/*
 * Per-process file system context: the root and the working directory.
 * The process code will own one per task (shared with CLONE_FS); the VFS
 * reads them at the start of each walk. ctx->lock guards both paths; it
 * ranks below the mount and dentry cache locks that path references take.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/mm/kmem.h"

static struct vfs_fs_context *context_alloc(void)
{
	struct vfs_fs_context *fs = kzalloc(sizeof(*fs));

	if (fs == NULL)
		return NULL;
	spin_init(&fs->lock, "vfs.fs_context", LOCK_RANK_VFS_FS_CONTEXT);
	fs->refcount = 1;
	return fs;
}

struct vfs_fs_context *vfs_fs_context_create(void)
{
	struct vfs_fs_context *fs = context_alloc();
	int err;

	if (fs == NULL)
		return ERR_PTR(-ENOMEM);
	err = vfs_root_path(&fs->root);
	if (err < 0) {
		kfree(fs);
		return ERR_PTR(err);
	}
	fs->cwd = fs->root;
	vfs_path_get(&fs->cwd);
	return fs;
}

struct vfs_fs_context *vfs_fs_context_clone(struct vfs_fs_context *from)
{
	struct vfs_fs_context *fs = context_alloc();

	if (fs == NULL)
		return ERR_PTR(-ENOMEM);
	spin_lock(&from->lock);
	fs->root = from->root;
	fs->cwd = from->cwd;
	vfs_path_get(&fs->root);
	vfs_path_get(&fs->cwd);
	spin_unlock(&from->lock);
	return fs;
}

void vfs_fs_context_get(struct vfs_fs_context *fs)
{
	__atomic_fetch_add(&fs->refcount, 1, __ATOMIC_RELAXED);
}

void vfs_fs_context_put(struct vfs_fs_context *fs)
{
	if (__atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vfs_path_put(&fs->root);
	vfs_path_put(&fs->cwd);
	kfree(fs);
}

/* Replaces *slot by path (consumed) under the context lock. */
static void set_path(struct vfs_fs_context *fs, struct vfs_path *slot,
		     struct vfs_path *path)
{
	struct vfs_path old;

	spin_lock(&fs->lock);
	old = *slot;
	*slot = *path;
	spin_unlock(&fs->lock);
	vfs_path_put(&old);
}

/* Resolves a directory the caller may search. */
static int walk_dir(const struct vfs_caller *caller, const char *name,
		    struct vfs_path *path)
{
	int err = vfs_walk(caller, NULL, name, WALK_FOLLOW | WALK_DIRECTORY,
			   path);

	if (err < 0)
		return err;
	err = vfs_permission(caller->cred, vfs_dentry_inode(path->dentry),
			     VFS_MAY_EXEC);
	if (err < 0)
		vfs_path_put(path);
	return err;
}

int vfs_chdir(const struct vfs_caller *caller, const char *name)
{
	struct vfs_path path;
	int err = walk_dir(caller, name, &path);

	if (err == 0)
		set_path(caller->fs, &caller->fs->cwd, &path);
	return err;
}

int vfs_fchdir(const struct vfs_caller *caller, struct vfs_file *dir)
{
	struct vfs_path path = dir->path;
	int err;

	if (!S_ISDIR(vfs_mode(dir->inode)))
		return -ENOTDIR;
	err = vfs_permission(caller->cred, dir->inode, VFS_MAY_EXEC);
	if (err < 0)
		return err;
	vfs_path_get(&path);
	set_path(caller->fs, &caller->fs->cwd, &path);
	return 0;
}

int vfs_chroot(const struct vfs_caller *caller, const char *name)
{
	struct vfs_path path;
	int err = walk_dir(caller, name, &path);

	if (err < 0)
		return err;
	if (caller->cred->uid != 0) {
		vfs_path_put(&path);
		return -EPERM;
	}
	set_path(caller->fs, &caller->fs->root, &path);
	return 0;
}
