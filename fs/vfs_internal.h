/*
 * Declarations shared by the VFS core's files (dcache.c, mount.c,
 * namei.c, file.c, namespace.c, attr.c, inode.c): dentries, mounts, the
 * path walker. File systems use fs/vfs_fs.h instead.
 */
#pragma once

#include "core/lib/list.h"
#include "fs/vfs_fs.h"

#define DENTRY_INLINE_NAME 40

/*
 * A name in a directory, cached. Positive (inode != NULL) or negative (a
 * remembered miss). A dentry holds a reference on its parent and on its
 * inode; unused dentries (refcount 0) stay hashed on the LRU until
 * memory pressure or the LRU limit frees them.
 */
struct vfs_dentry {
	/*
	 * Protected by the dentry cache lock. First, so that hash chains
	 * point at the start of the object (leak checkers count that).
	 */
	struct list_head hash_link;
	int refcount;
	struct vfs_dentry *parent;	/* the root is its own parent */
	struct vfs_inode *inode;	/* NULL: negative */
	uint32_t hash;
	uint32_t name_length;
	char *name;			/* inline_name or kmalloc'd */
	bool hashed;
	struct list_head lru_link;	/* on the LRU while unused */
	struct list_head child_link;	/* in parent->children */
	struct list_head children;
	char inline_name[DENTRY_INLINE_NAME];

	/* Set at creation, then read-only: */
	struct vfs_super *sb;

	/* Protected by the mount lock: mounts on this dentry. */
	unsigned int mount_count;
};

struct vfs_mount {
	struct list_head link;		/* the mount table; first, see dentry */

	/* Set at creation, then read-only: */
	struct vfs_super *sb;
	struct vfs_dentry *root;	/* holds a reference */
	unsigned long flags;		/* MS_RDONLY */
	/* A pseudo mount (pipes), never in the table: its files are anonymous. */
	bool internal;
	uint64_t id;
	char source[32];		/* mount(2)'s source, for /proc/mounts */

	/* Protected by the mount lock: */
	struct vfs_mount *parent;	/* NULL: the name space root */
	struct vfs_dentry *mountpoint;	/* holds a reference */
	int refcount;
	unsigned int child_count;
};

/* dcache.c. Unless said otherwise these take the dcache lock themselves. */
void vfs_dcache_init(void);
struct vfs_dentry *vfs_dentry_get(struct vfs_dentry *dentry);
void vfs_dentry_put(struct vfs_dentry *dentry);
/* The parent (the root's is itself), referenced. */
struct vfs_dentry *vfs_dentry_get_parent(struct vfs_dentry *dentry);
/* A root dentry for a new super block, holding `inode`'s reference. */
struct vfs_dentry *vfs_dentry_alloc_root(struct vfs_super *sb,
					 struct vfs_inode *inode);
/* Cached child `name` of parent with a reference, or NULL. */
struct vfs_dentry *vfs_dcache_lookup(struct vfs_dentry *parent,
				     const char *name, size_t length);
/*
 * Caches the result of a file system lookup (inode may be NULL: a
 * negative entry), consuming the inode reference. If another thread
 * cached the name first, returns that dentry instead. Returns a referenced
 * dentry or ERR_PTR(-ENOMEM). Caller holds sb->tree_lock.
 */
struct vfs_dentry *vfs_dcache_add(struct vfs_dentry *parent, const char *name,
				  size_t length, struct vfs_inode *inode);
/* Makes a negative dentry positive (a create). Caller holds tree_lock excl. */
void vfs_dentry_instantiate(struct vfs_dentry *dentry, struct vfs_inode *inode);
/* The name was removed: make the dentry negative or unhash it. Excl. */
void vfs_dentry_delete(struct vfs_dentry *dentry);
/*
 * Rename in the cache; `target` (may be NULL) is the dentry at the new
 * name, positive or negative, which leaves the cache.
 */
void vfs_dentry_move(struct vfs_dentry *dentry, struct vfs_dentry *target,
		     struct vfs_dentry *new_parent, const char *name,
		     size_t length);
void vfs_dentry_exchange(struct vfs_dentry *a, struct vfs_dentry *b);
/* Whether `dentry` is `ancestor` or below it. Caller holds tree_lock. */
/* Whether the dentry was removed while in use (Linux's d_unlinked). */
bool vfs_dentry_is_unlinked(struct vfs_dentry *dentry);
bool vfs_dentry_is_below(struct vfs_dentry *dentry,
			 struct vfs_dentry *ancestor);
/* Frees every unused dentry of sb (all when sb is NULL). */
void vfs_dcache_shrink(struct vfs_super *sb);
/* Frees unused negative children of a removed directory. */
void vfs_dcache_prune_children(struct vfs_dentry *dentry);
/* Structural self-check for tests: returns the number of broken links. */
long vfs_dcache_validate(void);
void vfs_dcache_get_stats(struct vfs_stats *stats);
/*
 * Puts "/name" of `dentry` just before buf[*pos], moving *pos back, for
 * getcwd and d_path (a removed dentry keeps its last name). Returns 0 or
 * -ENAMETOOLONG (no room left before *pos).
 */
int vfs_dentry_prepend_name(struct vfs_dentry *dentry, char *buf,
			    size_t *pos);
/* The inode of a dentry, read under the dcache lock (NULL: negative). */
struct vfs_inode *vfs_dentry_inode(struct vfs_dentry *dentry);

/* mount.c */
void vfs_mount_init(void);
void vfs_path_get(const struct vfs_path *path);
void vfs_path_put(struct vfs_path *path);
struct vfs_mount *vfs_mount_get(struct vfs_mount *mount);
void vfs_mount_put(struct vfs_mount *mount);
/* If a mount sits on path, moves path to its root (repeatedly). */
void vfs_follow_mounts(struct vfs_path *path);
/* Moves path from a mount's root up to where it is mounted; false at /. */
bool vfs_follow_up(struct vfs_path *path);
bool vfs_is_mountpoint(struct vfs_dentry *dentry);
void vfs_mount_get_stats(struct vfs_stats *stats);

/* One mount as /proc/PID/mounts and mountinfo show it. */
struct vfs_mount_entry {
	struct vfs_path at;		/* its mount point (the root: itself) */
	const char *source;
	const char *type;
	unsigned long flags;		/* MS_RDONLY */
	/* A pseudo mount (pipes), never in the table: its files are anonymous. */
	bool internal;
	uint64_t id, parent_id;		/* parent_id: its own for the root */
	uint32_t dev;
};
/*
 * Calls fn for each mount in mount order, with references held and no
 * lock (fn may sleep). A negative return stops the walk and is returned.
 */
int vfs_mount_walk(int (*fn)(const struct vfs_mount_entry *entry, void *arg),
		   void *arg);
/* Calls fn for each registered file system type's name; fn must not sleep. */
int vfs_fstype_walk(int (*fn)(const char *name, void *arg), void *arg);
/* The name space root, referenced. */
int vfs_root_path(struct vfs_path *path);

/* inode.c */
long vfs_inode_count(void);
int vfs_fstype_find(const char *name, struct vfs_fs_type **type);
/* Whether cred is in group gid (primary or supplementary). */
bool vfs_cred_in_group(const struct vfs_cred *cred, uint32_t gid);
/* Linux sticky-directory rule for removing `victim` from `dir`. */
bool vfs_may_delete_sticky(const struct vfs_cred *cred, struct vfs_inode *dir,
			   struct vfs_inode *victim);

/* namei.c: path walking. */
#define WALK_FOLLOW 1		/* follow a final symbolic link */
#define WALK_DIRECTORY 2	/* the result must be a directory */
#define WALK_EMPTY 4		/* "" means the start directory */

enum walk_last {
	WALK_LAST_NORM,
	WALK_LAST_ROOT,
	WALK_LAST_DOT,
	WALK_LAST_DOTDOT,
	WALK_LAST_BIND,		/* a magic link's target, in parent */
};

/* A path walk in progress; after vfs_walk_parent, the last component. */
struct vfs_nameidata {
	const struct vfs_caller *caller;
	struct vfs_path root;		/* the caller's root, referenced */
	struct vfs_path parent;		/* referenced */
	const char *rest;		/* into buffer: still to walk */
	const char *last;		/* into buffer */
	size_t last_length;
	enum walk_last last_type;
	bool trailing_slash;
	int links;			/* symbolic links followed so far */
	char *buffer;			/* PATH_MAX, owned */
};

/* Resolves a whole path into a referenced `out`. */
int vfs_walk(const struct vfs_caller *caller, struct vfs_file *dir,
	     const char *path, int flags, struct vfs_path *out);
/* Resolves all but the last component. Release with vfs_nameidata_done. */
int vfs_walk_parent(const struct vfs_caller *caller, struct vfs_file *dir,
		    const char *path, struct vfs_nameidata *nd);
void vfs_nameidata_done(struct vfs_nameidata *nd);
/*
 * The last component turned out to be a symbolic link to follow: walks
 * its target from the parent, leaving nd at the target's last component
 * (a magic link's target: in nd->parent, last_type WALK_LAST_BIND).
 */
int vfs_walk_follow_last(struct vfs_nameidata *nd, struct vfs_dentry *link);
/*
 * Looks `name` up in directory `parent` (a referenced positive dentry).
 * Caller holds parent's sb->tree_lock (either mode). Returns a referenced
 * dentry, maybe negative, or ERR_PTR.
 */
struct vfs_dentry *vfs_lookup_locked(struct vfs_dentry *parent,
				     const char *name, size_t length);

/* namespace.c */
static inline bool vfs_mount_is_readonly(const struct vfs_mount *mount)
{
	return (READ_ONCE(mount->flags) & MS_RDONLY) != 0;
}

/*
 * For a walked nd with a plain last name: takes the parent's tree_lock
 * exclusively and looks the name up into *dentry (referenced, maybe
 * negative). Returns 0 with the lock held, or -errno without it.
 */
int vfs_lock_lookup(struct vfs_nameidata *nd, struct vfs_dentry **dentry);
/* Drops the dentry and the lock of vfs_lock_lookup. */
void vfs_unlock_last(struct vfs_nameidata *nd, struct vfs_dentry *dentry);
/*
 * Creates the negative `dentry` in nd's parent. Caller holds its
 * tree_lock exclusively. Checks permission (-EACCES), -EROFS, a removed
 * directory (-ENOENT); applies set-gid directory inheritance.
 */
int vfs_create_locked(const struct vfs_cred *cred, struct vfs_nameidata *nd,
		      struct vfs_dentry *dentry, uint32_t mode, uint32_t rdev,
		      const char *target);

/* file.c */
long vfs_file_count(void);
/* Opens an already resolved path (consumes nothing). */
struct vfs_file *vfs_file_open_path(const struct vfs_caller *caller,
				    const struct vfs_path *path, int flags);
