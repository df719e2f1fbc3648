/*
 * libFuzzer harness for the initramfs unpacker: each input is unpacked
 * (raw, or as gzip if it starts like one) into a fresh tmpfs mounted on
 * /unpack, seen through a caller chrooted there. Afterwards nothing may
 * exist outside it, the dentry cache must be sound, and unmounting must
 * return every object.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/lib/err.h"
#include "fs/initramfs.h"
#include "fs/vfs.h"
#include "fs/vfs_internal.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vfs_caller *root = fuzz_root_caller();
	struct vfs_caller jailed;
	struct vfs_stats before, after;
	int err;

	fuzz_kernel_init();
	err = vfs_mkdirat(root, NULL, "/unpack", 0755);
	fuzz_check(err == 0 || err == -EEXIST, "mkdir /unpack");
	vfs_get_stats(&before);
	fuzz_check(vfs_mount(root, "none", "/unpack", "tmpfs", 0,
			     "size=4m,nr_inodes=512") == 0, "mount");
	jailed = (struct vfs_caller){ root->cred,
				      vfs_fs_context_clone(root->fs) };
	fuzz_check(!IS_ERR(jailed.fs), "fs context");
	fuzz_check(vfs_chroot(&jailed, "/unpack") == 0, "chroot");
	err = initramfs_unpack(&jailed, data, size);
	fuzz_check(err <= 0 && err > -4096, "errno range");
	fuzz_check(vfs_dcache_validate() == 0, "dentry cache structure");
	vfs_fs_context_put(jailed.fs);
	fuzz_check(vfs_umount(root, "/unpack", 0) == 0, "unmount");
	vfs_dcache_shrink(NULL);
	vfs_get_stats(&after);
	fuzz_check(after.inodes <= before.inodes && after.files == before.files,
		   "objects leaked");
	return 0;
}
