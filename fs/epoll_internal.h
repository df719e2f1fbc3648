/*
 * Shared by fs/epoll.c and fs/eventfd.c: the internal super block and
 * inode numbers of their anonymous inodes (Linux's anon_inode).
 */
#pragma once

#include "core/lib/types.h"

struct vfs_super;

/* Sets the super block's device number; vfs_init calls it once. */
void vfs_epoll_init(void);
struct vfs_super *vfs_epoll_anon_super(void);
uint64_t vfs_epoll_anon_ino(void);
