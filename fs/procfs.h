/*
 * procfs: the process table seen as files (fs/procfs.c). Mounted at /proc
 * by the root file system set-up.
 */
#pragma once

/* Registers the "proc" file system type. Boot only, after vfs_init. */
void procfs_register(void);
