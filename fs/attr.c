/*
 * Attributes: stat, statx, statfs, chmod, chown, utimensat, truncate.
 * Every attribute change holds the inode's lock; a stat snapshot holds it
 * too, so sizes and times are read consistently. Permission rules are
 * Linux's setattr_prepare and chown_ok/chgrp_ok, with root standing in
 * for CAP_FOWNER, CAP_CHOWN and CAP_FSETID.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/string.h"

#define ST_RDONLY 0x0001
#define ST_VALID 0x0020
#define MAX_FILE_SIZE INT64_MAX

/* Linux new_encode_dev: the st_dev/st_rdev encoding of a device number. */
static uint64_t encode_dev(uint32_t dev)
{
	uint32_t major = vfs_dev_major(dev), minor = vfs_dev_minor(dev);

	return (minor & 0xff) | (major << 8) |
	       ((uint64_t)(minor & ~0xffu) << 12);
}

static void fill_stat(struct vfs_inode *inode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	mutex_lock(&inode->lock);
	st->st_dev = encode_dev(inode->sb->dev);
	st->st_ino = inode->ino;
	st->st_nlink = inode->nlink;
	st->st_mode = inode->mode;
	st->st_uid = inode->uid;
	st->st_gid = inode->gid;
	st->st_rdev = encode_dev(inode->rdev);
	st->st_size = inode->size;
	st->st_blksize = inode->sb->block_size;
	st->st_blocks = (int64_t)inode->blocks;
	st->st_atime_sec = (uint64_t)inode->atime.sec;
	st->st_atime_nsec = (uint64_t)inode->atime.nsec;
	st->st_mtime_sec = (uint64_t)inode->mtime.sec;
	st->st_mtime_nsec = (uint64_t)inode->mtime.nsec;
	st->st_ctime_sec = (uint64_t)inode->ctime.sec;
	st->st_ctime_nsec = (uint64_t)inode->ctime.nsec;
	mutex_unlock(&inode->lock);
}

static struct statx_timestamp statx_time(struct vfs_timespec t)
{
	return (struct statx_timestamp){ t.sec, (uint32_t)t.nsec, 0 };
}

static void fill_statx(struct vfs_inode *inode, uint64_t mount_id,
		       struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	mutex_lock(&inode->lock);
	stx->stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
	stx->stx_blksize = (uint32_t)inode->sb->block_size;
	stx->stx_nlink = inode->nlink;
	stx->stx_uid = inode->uid;
	stx->stx_gid = inode->gid;
	stx->stx_mode = (uint16_t)inode->mode;
	stx->stx_ino = inode->ino;
	stx->stx_size = (uint64_t)inode->size;
	stx->stx_blocks = inode->blocks;
	stx->stx_atime = statx_time(inode->atime);
	stx->stx_btime = statx_time(inode->btime);
	stx->stx_ctime = statx_time(inode->ctime);
	stx->stx_mtime = statx_time(inode->mtime);
	stx->stx_rdev_major = vfs_dev_major(inode->rdev);
	stx->stx_rdev_minor = vfs_dev_minor(inode->rdev);
	stx->stx_dev_major = vfs_dev_major(inode->sb->dev);
	stx->stx_dev_minor = vfs_dev_minor(inode->sb->dev);
	stx->stx_mnt_id = mount_id;
	mutex_unlock(&inode->lock);
}

/* The path an *at call names, with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH. */
static int walk_at(const struct vfs_caller *caller, struct vfs_file *dir,
		   const char *path, int flags, struct vfs_path *out)
{
	int walk_flags = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW;

	if (flags & AT_EMPTY_PATH)
		walk_flags |= WALK_EMPTY;
	return vfs_walk(caller, dir, path, walk_flags, out);
}

int vfs_fstatat(const struct vfs_caller *caller, struct vfs_file *dir,
		const char *path, struct stat *st, int flags)
{
	struct vfs_path found;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	fill_stat(vfs_dentry_inode(found.dentry), st);
	vfs_path_put(&found);
	return 0;
}

#define AT_EACCESS 0x200

int vfs_faccessat(const struct vfs_caller *caller, struct vfs_file *dir,
		  const char *path, int mode, int flags)
{
	struct vfs_path found;
	struct vfs_inode *inode;
	int err;

	if (mode & ~(VFS_MAY_READ | VFS_MAY_WRITE | VFS_MAY_EXEC))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	inode = vfs_dentry_inode(found.dentry);
	err = vfs_permission(caller->cred, inode, mode);
	/* Linux: a read-only mount refuses W_OK for files and directories. */
	if (err == 0 && (mode & VFS_MAY_WRITE) &&
	    vfs_mount_is_readonly(found.mount) &&
	    (S_ISREG(vfs_mode(inode)) || S_ISDIR(vfs_mode(inode)) ||
	     S_ISLNK(vfs_mode(inode))))
		err = -EROFS;
	vfs_path_put(&found);
	return err;
}

int vfs_fstat(struct vfs_file *file, struct stat *st)
{
	fill_stat(file->inode, st);
	return 0;
}

#define AT_STATX_SYNC_TYPE 0x6000
#define STATX_RESERVED 0x80000000u

int vfs_statx(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int flags, uint32_t mask, struct statx *stx)
{
	struct vfs_path found;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (mask & STATX_RESERVED))
		return -EINVAL;
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	fill_statx(vfs_dentry_inode(found.dentry), found.mount->id, stx);
	vfs_path_put(&found);
	return 0;
}

int vfs_fstatx(struct vfs_file *file, uint32_t mask, struct statx *stx)
{
	if (mask & STATX_RESERVED)
		return -EINVAL;
	fill_statx(file->inode, vfs_file_mount_id(file), stx);
	return 0;
}

/*
 * What statfs(2) shows of `sb`, through `mount` (NULL: an anonymous
 * file's pseudo file system, never read-only). The fsid is the device
 * number, as Linux's simple_statfs gives pseudo file systems.
 */
static int super_statfs(struct vfs_super *sb, const struct vfs_mount *mount,
			struct statfs *buf)
{
	int err;

	memset(buf, 0, sizeof(*buf));
	if (sb->ops != NULL && sb->ops->statfs != NULL) {
		err = sb->ops->statfs(sb, buf);
		if (err < 0)
			return err;
	} else {
		buf->f_type = sb->magic;
		buf->f_bsize = PAGE_SIZE;
	}
	buf->f_fsid[0] = (int32_t)sb->dev;
	buf->f_namelen = NAME_MAX;
	buf->f_frsize = buf->f_bsize;
	buf->f_flags = ST_VALID |
		       (mount != NULL && vfs_mount_is_readonly(mount) ?
			ST_RDONLY : 0);
	return 0;
}

/* A pipe's pseudo path (its /proc link) sits on an internal mount. */
static int do_statfs(const struct vfs_path *path, struct statfs *buf)
{
	return super_statfs(path->mount->sb,
			    path->mount->internal ? NULL : path->mount, buf);
}

int vfs_statfs(const struct vfs_caller *caller, const char *path,
	       struct statfs *buf)
{
	struct vfs_path found;
	int err = vfs_walk(caller, NULL, path, WALK_FOLLOW, &found);

	if (err < 0)
		return err;
	err = do_statfs(&found, buf);
	vfs_path_put(&found);
	return err;
}

/* Anonymous files: their pseudo file system's (pipefs, anon_inodefs). */
int vfs_fstatfs(struct vfs_file *file, struct statfs *buf)
{
	if (!vfs_file_is_anon(file))
		return do_statfs(&file->path, buf);
	return super_statfs(file->inode->sb, NULL, buf);
}

static bool is_owner(const struct vfs_cred *cred, struct vfs_inode *inode)
{
	return cred->uid == 0 || cred->uid == inode->uid;
}

/* Whether a change through `mount` (NULL: an anonymous file) is refused. */
static bool is_readonly(const struct vfs_mount *mount)
{
	return mount != NULL && vfs_mount_is_readonly(mount);
}

static int chmod_path(const struct vfs_cred *cred, struct vfs_inode *inode,
		      const struct vfs_mount *mount, uint32_t mode)
{
	int err = 0;

	if (is_readonly(mount))
		return -EROFS;
	mutex_lock(&inode->lock);
	if (!is_owner(cred, inode)) {
		err = -EPERM;
	} else {
		mode &= S_IALLUGO;
		if (cred->uid != 0 && !vfs_cred_in_group(cred, inode->gid))
			mode &= ~S_ISGID;
		WRITE_ONCE(inode->mode, (inode->mode & S_IFMT) | mode);
		inode->ctime = vfs_now();
	}
	mutex_unlock(&inode->lock);
	return err;
}

int vfs_fchmodat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, uint32_t mode, int flags)
{
	struct vfs_path found;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	if (S_ISLNK(vfs_dentry_inode(found.dentry)->mode))
		err = -EOPNOTSUPP;	/* symlink modes are fixed, as Linux */
	else
		err = chmod_path(caller->cred,
				 vfs_dentry_inode(found.dentry),
				 found.mount, mode);
	vfs_path_put(&found);
	return err;
}

int vfs_fchmod(const struct vfs_caller *caller, struct vfs_file *file,
	       uint32_t mode)
{
	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	return chmod_path(caller->cred, file->inode, file->path.mount, mode);
}

/* Linux chown_ok / chgrp_ok. Caller holds inode->lock. */
static int may_chown(const struct vfs_cred *cred, struct vfs_inode *inode,
		     uint32_t uid, uint32_t gid)
{
	if (cred->uid == 0)
		return 0;
	if (uid != (uint32_t)-1 && (uid != inode->uid || cred->uid != uid))
		return -EPERM;
	if (gid != (uint32_t)-1 && (cred->uid != inode->uid ||
				    (gid != inode->gid &&
				     !vfs_cred_in_group(cred, gid))))
		return -EPERM;
	return 0;
}

static int chown_path(const struct vfs_cred *cred, struct vfs_inode *inode,
		      const struct vfs_mount *mount, uint32_t uid,
		      uint32_t gid)
{
	uint32_t mode;
	int err;

	if (is_readonly(mount))
		return -EROFS;
	mutex_lock(&inode->lock);
	err = may_chown(cred, inode, uid, gid);
	if (err == 0) {
		if (uid != (uint32_t)-1)
			WRITE_ONCE(inode->uid, uid);
		if (gid != (uint32_t)-1)
			WRITE_ONCE(inode->gid, gid);
		mode = inode->mode;
		/* Chown of a non-directory drops set-uid and set-gid+x. */
		if (!S_ISDIR(mode)) {
			mode &= ~S_ISUID;
			if (mode & S_IXGRP)
				mode &= ~S_ISGID;
			WRITE_ONCE(inode->mode, mode);
		}
		inode->ctime = vfs_now();
	}
	mutex_unlock(&inode->lock);
	return err;
}

int vfs_fchownat(const struct vfs_caller *caller, struct vfs_file *dir,
		 const char *path, uint32_t uid, uint32_t gid, int flags)
{
	struct vfs_path found;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	err = chown_path(caller->cred, vfs_dentry_inode(found.dentry),
			 found.mount, uid, gid);
	vfs_path_put(&found);
	return err;
}

int vfs_fchown(const struct vfs_caller *caller, struct vfs_file *file,
	       uint32_t uid, uint32_t gid)
{
	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	return chown_path(caller->cred, file->inode, file->path.mount, uid,
			  gid);
}

static bool is_valid_nsec(int64_t nsec)
{
	return (nsec >= 0 && nsec <= 999999999) || nsec == UTIME_NOW ||
	       nsec == UTIME_OMIT;
}

static void set_time(struct vfs_timespec *slot, const int64_t t[2],
		     struct vfs_timespec now)
{
	if (t == NULL || t[1] == UTIME_NOW)
		*slot = now;
	else if (t[1] != UTIME_OMIT)
		*slot = (struct vfs_timespec){ t[0], t[1] };
}

/*
 * Linux setattr_prepare for times: only "both now" (times NULL or both
 * UTIME_NOW) is allowed to writers; anything else needs the owner.
 */
static int utimes_path(const struct vfs_cred *cred, struct vfs_inode *inode,
		       const struct vfs_mount *mount,
		       const int64_t times[2][2])
{
	bool explicit = times != NULL &&
			(times[0][1] != UTIME_NOW || times[1][1] != UTIME_NOW);
	struct vfs_timespec now = vfs_now();
	int err = 0;

	if (is_readonly(mount))
		return -EROFS;
	mutex_lock(&inode->lock);
	if (!is_owner(cred, inode)) {
		if (explicit)
			err = -EPERM;
		else
			err = vfs_permission(cred, inode, VFS_MAY_WRITE);
	}
	if (err == 0) {
		set_time(&inode->atime, times != NULL ? times[0] : NULL, now);
		set_time(&inode->mtime, times != NULL ? times[1] : NULL, now);
		inode->ctime = now;
	}
	mutex_unlock(&inode->lock);
	return err;
}

int vfs_utimensat(const struct vfs_caller *caller, struct vfs_file *dir,
		  const char *path, const int64_t times[2][2], int flags)
{
	struct vfs_path found;
	int err;

	if (times != NULL &&
	    (!is_valid_nsec(times[0][1]) || !is_valid_nsec(times[1][1])))
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times != NULL && times[0][1] == UTIME_OMIT &&
	    times[1][1] == UTIME_OMIT)
		return 0;
	if (path == NULL) {
		if (dir == NULL)
			return -EFAULT;
		return utimes_path(caller->cred, dir->inode,
				   dir->path.mount, times);
	}
	err = walk_at(caller, dir, path, flags, &found);
	if (err < 0)
		return err;
	err = utimes_path(caller->cred, vfs_dentry_inode(found.dentry),
			  found.mount, times);
	vfs_path_put(&found);
	return err;
}

/* Caller checked access. Sets the size under the inode lock. */
static int set_size(const struct vfs_cred *cred, struct vfs_inode *inode,
		    int64_t length)
{
	int err;

	if (length < 0)
		return -EINVAL;
	mutex_lock(&inode->lock);
	err = inode->ops->set_size(inode, length);
	if (err == 0) {
		vfs_remove_privs(cred, inode);
		vfs_inode_touch(inode);
	}
	mutex_unlock(&inode->lock);
	return err;
}

/* The type checks of truncate: directories -EISDIR, the rest -EINVAL. */
static int truncate_type_check(struct vfs_inode *inode)
{
	if (S_ISDIR(vfs_mode(inode)))
		return -EISDIR;
	if (!S_ISREG(vfs_mode(inode)) || inode->ops->set_size == NULL)
		return -EINVAL;
	return 0;
}

int vfs_truncate(const struct vfs_caller *caller, const char *path,
		 int64_t length)
{
	struct vfs_path found;
	struct vfs_inode *inode;
	int err;

	if (length < 0)
		return -EINVAL;
	err = vfs_walk(caller, NULL, path, WALK_FOLLOW, &found);
	if (err < 0)
		return err;
	inode = vfs_dentry_inode(found.dentry);
	err = truncate_type_check(inode);
	if (err == 0)
		err = vfs_permission(caller->cred, inode, VFS_MAY_WRITE);
	if (err == 0 && vfs_mount_is_readonly(found.mount))
		err = -EROFS;
	if (err == 0)
		err = set_size(caller->cred, inode, length);
	vfs_path_put(&found);
	return err;
}

int vfs_ftruncate(struct vfs_file *file, int64_t length)
{
	int mode = vfs_file_flags(file) & O_ACCMODE;

	if (length < 0)
		return -EINVAL;
	if (vfs_file_flags(file) & O_PATH)
		return -EBADF;
	if ((mode != O_WRONLY && mode != O_RDWR) ||
	    truncate_type_check(file->inode) < 0)
		return -EINVAL;
	return set_size(&file->cred, file->inode, length);
}
