/*
 * Path walking: from the caller's root, working directory or a directory
 * file, one component at a time, as Linux does: search permission on
 * every directory passed, "." and "..", "..' never above the caller's
 * root and across mount points, mounts followed on the way down, symbolic
 * links expanded in place (MAXSYMLINKS per walk, then -ELOOP), magic
 * links (procfs) jumped through to the very file or directory they name.
 *
 * A walk holds references on the path it stands on, never a lock between
 * components: each lookup takes the directory's tree_lock shared for the
 * duration of one lookup (and only on a dentry cache miss).
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"

static bool is_dir_dentry(struct vfs_dentry *dentry)
{
	struct vfs_inode *inode = vfs_dentry_inode(dentry);

	return inode != NULL && S_ISDIR(vfs_mode(inode));
}

struct vfs_dentry *vfs_lookup_locked(struct vfs_dentry *parent,
				     const char *name, size_t length)
{
	struct vfs_dentry *dentry = vfs_dcache_lookup(parent, name, length);
	struct vfs_inode *dir, *inode;

	if (dentry != NULL)
		return dentry;
	if (length > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	dir = parent->inode;
	inode = dir->ops->lookup(dir, name, length);
	if (IS_ERR(inode))
		return (struct vfs_dentry *)inode;
	return vfs_dcache_add(parent, name, length, inode);
}

static struct vfs_dentry *lookup(struct vfs_dentry *parent, const char *name,
				 size_t length)
{
	struct vfs_dentry *dentry = vfs_dcache_lookup(parent, name, length);
	struct rwlock *tree = &parent->sb->tree_lock;

	if (dentry != NULL)
		return dentry;
	if (length > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	rwlock_read_lock(tree);
	dentry = vfs_lookup_locked(parent, name, length);
	rwlock_read_unlock(tree);
	return dentry;
}

static bool path_equal(const struct vfs_path *a, const struct vfs_path *b)
{
	return a->mount == b->mount && a->dentry == b->dentry;
}

/* "..": up one directory, never above the caller's root. */
static void walk_dotdot(struct vfs_nameidata *nd)
{
	struct vfs_dentry *parent;

	for (;;) {
		if (path_equal(&nd->parent, &nd->root))
			return;
		if (nd->parent.dentry != nd->parent.mount->root)
			break;
		if (!vfs_follow_up(&nd->parent))
			return;
	}
	parent = vfs_dentry_get_parent(nd->parent.dentry);
	vfs_dentry_put(nd->parent.dentry);
	nd->parent.dentry = parent;
	vfs_follow_mounts(&nd->parent);
}

/* Splits off the next component; sets nd->last* and advances nd->rest. */
static void next_component(struct vfs_nameidata *nd)
{
	const char *p = nd->rest;

	while (*p == '/')
		p++;
	nd->last = p;
	while (*p != '\0' && *p != '/')
		p++;
	nd->last_length = (size_t)(p - nd->last);
	nd->trailing_slash = *p == '/';
	while (*p == '/')
		p++;
	nd->rest = p;
	nd->last_type = WALK_LAST_NORM;
	if (nd->last_length == 1 && nd->last[0] == '.')
		nd->last_type = WALK_LAST_DOT;
	else if (nd->last_length == 2 && nd->last[0] == '.' &&
		 nd->last[1] == '.')
		nd->last_type = WALK_LAST_DOTDOT;
}

/*
 * Replaces the remaining path by `link`'s target followed by what is left
 * (after a '/' when suffix_slash). An absolute target restarts at root.
 */
static int expand_link(struct vfs_nameidata *nd, struct vfs_dentry *link,
		       const char *rest, bool suffix_slash)
{
	struct vfs_inode *inode = link->inode;
	size_t rest_length = kstrlen(rest), length;
	char *buffer;
	ssize_t got;

	if (nd->links++ >= MAXSYMLINKS)
		return -ELOOP;
	buffer = kmalloc(PATH_MAX);
	if (buffer == NULL)
		return -ENOMEM;
	got = inode->ops->readlink(inode, buffer, PATH_MAX);
	if (got < 0 || got == 0) {
		kfree(buffer);
		return got < 0 ? (int)got : -ENOENT;
	}
	length = (size_t)got;
	if (length + 1 + rest_length + 1 > PATH_MAX) {
		kfree(buffer);
		return -ENAMETOOLONG;
	}
	if (suffix_slash || rest_length > 0)
		buffer[length++] = '/';
	memcpy(buffer + length, rest, rest_length + 1);
	kfree(nd->buffer);
	nd->buffer = buffer;
	nd->rest = buffer;
	if (buffer[0] == '/') {
		vfs_path_put(&nd->parent);
		nd->parent = nd->root;
		vfs_path_get(&nd->parent);
	}
	return 0;
}

/*
 * Follows the magic link `link` (inode->ops->get_path): nd->parent becomes
 * its target, which stands for the component, as Linux's nd_jump_link.
 */
static int jump_link(struct vfs_nameidata *nd, struct vfs_dentry *link)
{
	struct vfs_inode *inode = link->inode;
	struct vfs_path target;
	int err;

	if (nd->links++ >= MAXSYMLINKS)
		return -ELOOP;
	err = inode->ops->get_path(inode, &target);
	if (err < 0)
		return err;
	vfs_path_put(&nd->parent);
	nd->parent = target;
	nd->last_type = WALK_LAST_BIND;
	return 0;
}

static bool is_magic_link(struct vfs_inode *inode)
{
	return inode->ops->get_path != NULL;
}

/* Moves nd->parent into the (positive, non-link) child `dentry`. */
static void step_into(struct vfs_nameidata *nd, struct vfs_dentry *dentry)
{
	vfs_dentry_put(nd->parent.dentry);
	nd->parent.dentry = dentry;
	vfs_follow_mounts(&nd->parent);
}

/* Walks the intermediate component in nd->last. */
static int walk_one(struct vfs_nameidata *nd)
{
	struct vfs_dentry *dentry;
	struct vfs_inode *inode;
	int err;

	if (nd->last_type == WALK_LAST_DOT)
		return 0;
	if (nd->last_type == WALK_LAST_DOTDOT) {
		walk_dotdot(nd);
		return 0;
	}
	dentry = lookup(nd->parent.dentry, nd->last, nd->last_length);
	if (IS_ERR(dentry))
		return (int)PTR_ERR(dentry);
	inode = vfs_dentry_inode(dentry);
	if (inode == NULL) {
		err = -ENOENT;
	} else if (S_ISLNK(vfs_mode(inode))) {
		err = is_magic_link(inode) ? jump_link(nd, dentry) :
					     expand_link(nd, dentry, nd->rest,
							 false);
	} else if (!S_ISDIR(vfs_mode(inode))) {
		err = -ENOTDIR;
	} else {
		step_into(nd, dentry);
		return 0;
	}
	vfs_dentry_put(dentry);
	return err;
}

/* Walks nd->rest up to (not into) its last component. */
static int walk_to_last(struct vfs_nameidata *nd)
{
	int err;

	for (;;) {
		while (*nd->rest == '/')
			nd->rest++;
		if (*nd->rest == '\0') {
			/* Only slashes ("/", a link to "/"): no lookup, no check. */
			nd->last = nd->rest;
			nd->last_length = 0;
			nd->last_type = WALK_LAST_ROOT;
			nd->trailing_slash = true;
			return 0;
		}
		err = vfs_permission(nd->caller->cred,
				     vfs_dentry_inode(nd->parent.dentry),
				     VFS_MAY_EXEC);
		if (err < 0)
			return err;
		next_component(nd);
		if (*nd->rest == '\0')
			return 0;
		err = walk_one(nd);
		if (err < 0)
			return err;
		if (!is_dir_dentry(nd->parent.dentry))
			return -ENOTDIR;
	}
}

/* Copies the path, checking its length; sets nd's buffer and start. */
static int walk_init(struct vfs_nameidata *nd, const struct vfs_caller *caller,
		     struct vfs_file *dir, const char *path)
{
	struct vfs_fs_context *fs = caller->fs;
	size_t length = kstrnlen(path, PATH_MAX);

	*nd = (struct vfs_nameidata){ .caller = caller };
	if (length == PATH_MAX)
		return -ENAMETOOLONG;
	/* An anonymous file (a pipe) is no directory to start from. */
	if (path[0] != '/' && dir != NULL && vfs_file_is_anon(dir))
		return -ENOTDIR;
	nd->buffer = kmalloc(length + 1);
	if (nd->buffer == NULL)
		return -ENOMEM;
	memcpy(nd->buffer, path, length + 1);
	nd->rest = nd->buffer;
	spin_lock(&fs->lock);
	nd->root = fs->root;
	vfs_path_get(&nd->root);
	if (path[0] == '/')
		nd->parent = fs->root;
	else if (dir == NULL)
		nd->parent = fs->cwd;
	else
		nd->parent = dir->path;
	vfs_path_get(&nd->parent);
	spin_unlock(&fs->lock);
	if (!is_dir_dentry(nd->parent.dentry))
		return -ENOTDIR;
	return 0;
}

void vfs_nameidata_done(struct vfs_nameidata *nd)
{
	if (nd->root.mount != NULL)
		vfs_path_put(&nd->root);
	if (nd->parent.mount != NULL)
		vfs_path_put(&nd->parent);
	kfree(nd->buffer);
	nd->buffer = NULL;
}

int vfs_walk_parent(const struct vfs_caller *caller, struct vfs_file *dir,
		    const char *path, struct vfs_nameidata *nd)
{
	int err;

	if (path[0] == '\0') {
		*nd = (struct vfs_nameidata){ .caller = caller };
		return -ENOENT;
	}
	err = walk_init(nd, caller, dir, path);
	if (err == 0)
		err = walk_to_last(nd);
	if (err < 0)
		vfs_nameidata_done(nd);
	return err;
}

int vfs_walk_follow_last(struct vfs_nameidata *nd, struct vfs_dentry *link)
{
	int err;

	if (is_magic_link(link->inode))
		return jump_link(nd, link);
	err = expand_link(nd, link, "", nd->trailing_slash);

	if (err == 0)
		err = walk_to_last(nd);
	return err;
}

/* Resolves nd's last component into *out. */
static int walk_last(struct vfs_nameidata *nd, int flags, struct vfs_path *out)
{
	struct vfs_dentry *dentry;
	struct vfs_inode *inode;
	int err;

	for (;;) {
		if (nd->last_type == WALK_LAST_DOTDOT)
			walk_dotdot(nd);
		if (nd->last_type != WALK_LAST_NORM)
			break;
		dentry = lookup(nd->parent.dentry, nd->last, nd->last_length);
		if (IS_ERR(dentry))
			return (int)PTR_ERR(dentry);
		inode = vfs_dentry_inode(dentry);
		if (inode != NULL && S_ISLNK(vfs_mode(inode)) &&
		    ((flags & WALK_FOLLOW) || nd->trailing_slash)) {
			err = vfs_walk_follow_last(nd, dentry);
			vfs_dentry_put(dentry);
			if (err < 0)
				return err;
			continue;
		}
		if (inode == NULL) {
			vfs_dentry_put(dentry);
			return -ENOENT;
		}
		step_into(nd, dentry);
		break;
	}
	if ((nd->trailing_slash || (flags & WALK_DIRECTORY)) &&
	    !is_dir_dentry(nd->parent.dentry))
		return -ENOTDIR;
	*out = nd->parent;
	vfs_path_get(out);
	return 0;
}

int vfs_walk(const struct vfs_caller *caller, struct vfs_file *dir,
	     const char *path, int flags, struct vfs_path *out)
{
	struct vfs_nameidata nd;
	int err;

	if (path[0] == '\0' && (flags & WALK_EMPTY)) {
		struct vfs_fs_context *fs = caller->fs;

		if (dir != NULL && vfs_file_is_anon(dir))
			return -ENOTDIR;	/* callers use the fd calls */
		spin_lock(&fs->lock);
		*out = dir != NULL ? dir->path : fs->cwd;
		vfs_path_get(out);
		spin_unlock(&fs->lock);
		return 0;
	}
	err = vfs_walk_parent(caller, dir, path, &nd);
	if (err < 0)
		return err;
	err = walk_last(&nd, flags, out);
	vfs_nameidata_done(&nd);
	return err;
}
