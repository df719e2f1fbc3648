/*
 * Per-process file system context: the root and the working directory.
 * The process code will own one per task (shared with CLONE_FS); the VFS
 * reads them at the start of each walk. ctx->lock guards both paths; it
 * ranks below the mount and dentry cache locks that path references take.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"
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

static bool is_same_path(const struct vfs_path *a, const struct vfs_path *b)
{
	return a->mount == b->mount && a->dentry == b->dentry;
}

/* Puts literal `text` before buf[*pos]. */
static int prepend(char *buf, size_t *pos, const char *text)
{
	size_t length = kstrlen(text);

	if (length > *pos)
		return -ENAMETOOLONG;
	*pos -= length;
	memcpy(buf + *pos, text, length);
	return 0;
}

#define DELETED " (deleted)"

/*
 * Builds the absolute name of `path` (consumed) relative to `root` in
 * buf (PATH_MAX bytes), ending before buf[end], where the NUL-terminated
 * rest already is. Returns the start offset or -errno.
 */
static long build_path(const struct vfs_path *root, struct vfs_path *path,
		       char *buf, size_t end)
{
	size_t pos = end;
	bool unreachable = false;
	int err = 0;

	while (err == 0 && !is_same_path(path, root)) {
		if (path->dentry == path->mount->root) {
			if (!vfs_follow_up(path))
				unreachable = true;	/* outside the root */
			if (unreachable)
				break;
			continue;
		}
		err = vfs_dentry_prepend_name(path->dentry, buf, &pos);
		struct vfs_dentry *parent = vfs_dentry_get_parent(path->dentry);

		vfs_dentry_put(path->dentry);
		path->dentry = parent;
	}
	vfs_path_put(path);
	if (err == 0 && pos == end)
		err = prepend(buf, &pos, "/");
	if (err == 0 && unreachable)
		err = prepend(buf, &pos, "(unreachable)");
	return err < 0 ? err : (long)pos;
}

ssize_t vfs_getcwd(const struct vfs_caller *caller, char *buf, size_t size)
{
	struct vfs_fs_context *fs = caller->fs;
	struct vfs_path root, cwd;
	char *scratch = kmalloc(PATH_MAX);
	long start;
	size_t length;

	if (scratch == NULL)
		return -ENOMEM;
	spin_lock(&fs->lock);
	root = fs->root;
	cwd = fs->cwd;
	vfs_path_get(&root);
	vfs_path_get(&cwd);
	spin_unlock(&fs->lock);
	scratch[PATH_MAX - 1] = '\0';
	/* Linux: a removed working directory has no name. */
	if (vfs_dentry_is_unlinked(cwd.dentry)) {
		vfs_path_put(&cwd);
		start = -ENOENT;
	} else {
		start = build_path(&root, &cwd, scratch, PATH_MAX - 1);
	}
	vfs_path_put(&root);
	length = PATH_MAX - (size_t)start;
	if (start >= 0 && length > size)
		start = -ERANGE;
	if (start >= 0)
		memcpy(buf, scratch + start, length);
	kfree(scratch);
	return start < 0 ? start : (ssize_t)length;
}

ssize_t vfs_path_string(const struct vfs_path *path, const struct vfs_path *root,
			char *buf, size_t size)
{
	struct vfs_path walk = *path;
	char *scratch = kmalloc(PATH_MAX);
	size_t length, tail;
	long start;

	if (scratch == NULL)
		return -ENOMEM;
	vfs_path_get(&walk);	/* build_path consumes it */
	kstrlcpy(scratch + PATH_MAX - sizeof(DELETED), DELETED, sizeof(DELETED));
	/* Linux's d_path: a removed file's old name, marked. */
	tail = vfs_dentry_is_unlinked(path->dentry) ? sizeof(DELETED) : 1;
	start = build_path(root, &walk, scratch, PATH_MAX - tail);
	if (start >= 0) {
		length = MIN(PATH_MAX - 1 - (size_t)start, size);
		memcpy(buf, scratch + start, length);
	}
	kfree(scratch);
	return start < 0 ? start : (ssize_t)length;
}
