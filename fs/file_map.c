/*
 * What the memory manager and the program loader need of files: whether
 * and how a file can be mapped, its page-cache pages for page faults, and
 * opening a program for execve (execute permission instead of read). No
 * state of its own; the file system's locks apply (see get_page in
 * fs/vfs_fs.h).
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"

int vfs_file_mmap_kind(const struct vfs_file *file)
{
	if (file->flags & O_PATH)
		return -EBADF;
	if (file->ops == NULL)
		return -ENODEV;
	if (file->ops->mmap_anonymous)
		return VFS_MMAP_ANONYMOUS;
	if (file->ops->get_page == NULL)
		return -ENODEV;
	return VFS_MMAP_PAGE_CACHE;
}

int vfs_file_get_page(struct vfs_file *file, uint64_t index,
		      struct page **page)
{
	return file->ops->get_page(file, index, page);
}

/* Linux do_open_execat's checks on the resolved program. */
static int may_exec(const struct vfs_caller *caller,
		    const struct vfs_path *path)
{
	struct vfs_inode *inode = vfs_dentry_inode(path->dentry);
	uint32_t mode = vfs_mode(inode);

	if (S_ISLNK(mode))
		return -ELOOP; /* AT_SYMLINK_NOFOLLOW on a link */
	if (!S_ISREG(mode))
		return -EACCES;
	/* FIXME: noexec mounts (MS_NOEXEC is not kept by mounts yet). */
	return vfs_permission(caller->cred, inode, VFS_MAY_EXEC);
}

struct vfs_file *vfs_open_exec(const struct vfs_caller *caller,
			       struct vfs_file *dir, const char *path,
			       int at_flags)
{
	int walk_flags = (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW;
	struct vfs_file *file;
	struct vfs_path found;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return ERR_PTR(-EINVAL);
	if (at_flags & AT_EMPTY_PATH)
		walk_flags |= WALK_EMPTY;
	err = vfs_walk(caller, dir, path, walk_flags, &found);
	if (err < 0)
		return ERR_PTR(err);
	err = may_exec(caller, &found);
	file = err < 0 ? ERR_PTR(err) :
			 vfs_file_open_path(caller, &found, O_RDONLY);
	vfs_path_put(&found);
	return file;
}
