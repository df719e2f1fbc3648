/*
 * tmpfs objects shared by tmpfs.c (super block, directories, symlinks)
 * and tmpfs_file.c (regular file data).
 */
#pragma once

#include "core/lib/rbtree.h"
#include "fs/pagecache.h"
#include "fs/vfs_fs.h"

/* Linux tmpfs's directory size accounting: bytes per entry. */
#define TMPFS_BOGO_DIRENT_SIZE 20

struct tmpfs_super {
	uint64_t max_pages;
	uint64_t max_inodes;
	uint64_t used_pages;	/* atomic */
	uint64_t used_inodes;	/* atomic */
	uint64_t next_ino;	/* atomic */
	struct spinlock lock;
	/* Protected by lock: every live inode, for unmount. */
	struct list_head inodes;
};

struct tmpfs_inode {
	struct vfs_inode vfs;
	struct list_head sb_link;	/* tmpfs_super.inodes, under its lock */
	union {
		/* Directories, under sb->tree_lock: */
		struct {
			struct rb_root names;	/* by (hash, name) */
			struct rb_root order;	/* by cookie: readdir order */
			uint64_t next_cookie;
		} dir;
		/* Regular files, under vfs.lock: */
		struct vfs_page_cache pages;
		/* Symbolic links, immutable: */
		char *target;
	};
};

struct tmpfs_dirent {
	struct rb_node name_node;
	struct rb_node order_node;
	uint64_t cookie;	/* readdir position; stable while it exists */
	uint32_t hash;
	struct tmpfs_inode *inode;
	size_t length;
	char name[];
};

static inline struct tmpfs_inode *tmpfs_i(struct vfs_inode *inode)
{
	return container_of(inode, struct tmpfs_inode, vfs);
}

static inline struct tmpfs_super *tmpfs_sb(struct vfs_super *sb)
{
	return sb->private;
}

extern const struct vfs_file_ops tmpfs_file_ops;
extern const struct vfs_file_ops tmpfs_dir_file_ops;

/* Frees every data page of a regular file (eviction, unmount). */
void tmpfs_file_free_pages(struct tmpfs_inode *inode);
int tmpfs_set_size(struct vfs_inode *inode, int64_t size);
