/*
 * The initramfs: cpio "newc" (and "crc") archives, optionally gzip
 * compressed, possibly several concatenated with zero padding between
 * them (as the Linux boot protocol allows), unpacked into the caller's
 * root directory.
 */
#pragma once

#include "core/lib/types.h"

struct vfs_caller;

/*
 * Unpacks `data` under caller's root (which bounds every name: absolute
 * symbolic links resolve inside it). Creates regular files, directories,
 * symbolic links, hard links and device nodes with the archive's modes,
 * owners and modification times. Returns 0, or -EINVAL for a corrupt or
 * truncated archive or a name with ".." or a leading "/" (entries before
 * the bad one stay unpacked), or the VFS error that stopped it
 * (-ENOSPC...). Every failure prints one "initramfs: ..." line saying
 * what and where. May sleep.
 */
int initramfs_unpack(const struct vfs_caller *caller, const void *data,
		     size_t size);
