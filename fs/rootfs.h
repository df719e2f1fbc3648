/*
 * The root file system at boot: a tmpfs at "/", the initramfs from the
 * boot information unpacked into it, devtmpfs on /dev.
 */
#pragma once

struct boot_info;

/*
 * Sets up the VFS, mounts the root tmpfs and devtmpfs, unpacks the
 * initrd if there is one, and with "amphi.debug=vfs" (a comma-separated
 * list) prints a listing of "/". Returns 0, or -errno when the root
 * cannot be mounted; a bad initrd is reported and the boot goes on with
 * what was unpacked (as Linux does). Boot only, after the scheduler.
 */
int rootfs_init(const struct boot_info *boot_info);
