/*
 * Boot-time root file system. Runs once on the boot CPU as the kernel
 * thread, with root credentials and a file system context of its own
 * that it drops at the end (init gets a fresh one).
 */
#include "fs/rootfs.h"

#include "core/hal/boot.h"
#include "core/hal/mmu.h"
#include "core/lib/cmdline.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/pmm.h"
#include "fs/initramfs.h"
#include "fs/vfs.h"
#include "fs/vfs_fs.h"

static const struct vfs_cred kernel_cred = { .uid = 0, .gid = 0 };

/* Whether `word` is one of the comma-separated words of `list`. */
static bool list_has(const char *list, const char *word)
{
	size_t length = kstrlen(word);

	while (list != NULL && *list != '\0') {
		const char *end = kstrchr(list, ',');
		size_t item = end ? (size_t)(end - list) : kstrlen(list);

		if (item == length && kstrncmp(list, word, length) == 0)
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

static void mode_string(uint32_t mode, char out[11])
{
	static const char types[16] = "?pc?d?b?-?l?s???";
	static const char rwx[] = "rwxrwxrwx";

	out[0] = types[(mode >> 12) & 15];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

static void print_entry(const struct vfs_caller *caller, const char *name)
{
	char path[NAME_MAX + 2], mode[11], target[128];
	struct stat st;
	ssize_t length;

	ksnprintf(path, sizeof(path), "/%s", name);
	if (vfs_fstatat(caller, NULL, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	mode_string(st.st_mode, mode);
	length = -1;
	if (S_ISLNK(st.st_mode))
		length = vfs_readlinkat(caller, NULL, path, target,
					sizeof(target) - 1);
	target[length > 0 ? length : 0] = '\0';
	pr_info("vfs:   %s %4u %4u %8lld %s%s%s", mode, st.st_uid, st.st_gid,
		(long long)st.st_size, name, length > 0 ? " -> " : "", target);
}

/* The amphi.debug=vfs listing of "/". */
static void list_root(const struct vfs_caller *caller)
{
	struct vfs_file *dir = vfs_openat(caller, NULL, "/", O_RDONLY |
					  O_DIRECTORY, 0);
	char buf[1024];
	ssize_t got;

	if (IS_ERR(dir))
		return;
	pr_info("vfs: listing of /");
	while ((got = vfs_getdents64(dir, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			print_entry(caller, d->d_name);
		}
	}
	vfs_file_put(dir);
}

/* The archive is in the tree now (or rejected): its pages are free RAM. */
static void free_initrd(const struct boot_info *info)
{
	int pages = pmm_release_reserved(info->initrd_base, info->initrd_size);

	if (pages < 0)
		pr_warn("vfs: cannot free the initrd's memory (error %d)", pages);
	else
		pr_info("Freeing initrd memory: %dK", pages * (int)(PAGE_SIZE / 1024));
}

static void unpack_initrd(const struct vfs_caller *caller,
			  const struct boot_info *info)
{
	int err;

	if (info->initrd_size == 0) {
		pr_info("vfs: no initramfs");
		return;
	}
	err = initramfs_unpack(caller, hal_phys_to_virt(info->initrd_base),
			       (size_t)info->initrd_size);
	if (err < 0)
		pr_err("vfs: initramfs unpacking failed (error %d); keeping "
		       "what was unpacked", err);
	else
		pr_info("vfs: unpacked initramfs (%llu bytes)",
			(unsigned long long)info->initrd_size);
	free_initrd(info);
}

int rootfs_init(const struct boot_info *info)
{
	struct vfs_caller caller = { &kernel_cred, NULL };
	int err;

	vfs_init();
	err = vfs_mount_root("tmpfs", NULL);
	if (err < 0)
		return err;
	caller.fs = vfs_fs_context_create();
	if (IS_ERR(caller.fs))
		return (int)PTR_ERR(caller.fs);
	unpack_initrd(&caller, info);
	err = vfs_mkdirat(&caller, NULL, "/dev", 0755);
	if (err == 0 || err == -EEXIST)
		err = vfs_mount(&caller, "devtmpfs", "/dev", "devtmpfs", 0,
				NULL);
	if (err < 0)
		pr_warn("vfs: cannot mount devtmpfs on /dev: error %d", err);
	err = vfs_mkdirat(&caller, NULL, "/dev/pts", 0755);
	if (err == 0 || err == -EEXIST)
		err = vfs_mount(&caller, "devpts", "/dev/pts", "devpts", 0,
				NULL);
	if (err < 0)
		pr_warn("vfs: cannot mount devpts on /dev/pts: error %d", err);
	err = vfs_mkdirat(&caller, NULL, "/proc", 0555);
	if (err == 0 || err == -EEXIST)
		err = vfs_mount(&caller, "proc", "/proc", "proc", 0, NULL);
	if (err < 0)
		pr_warn("vfs: cannot mount proc on /proc: error %d", err);
	if (list_has(cmdline_get("amphi.debug"), "vfs"))
		list_root(&caller);
	vfs_fs_context_put(caller.fs);
	return 0;
}
