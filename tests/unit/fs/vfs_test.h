/*
 * Shared set-up for the VFS tests: a kernel with a tmpfs root, a root
 * caller and an unprivileged caller (uid/gid 1000, supplementary group
 * 2000, umask 022), and small helpers. vfs_test_fini checks that every
 * VFS object and page went back.
 *
 * Expected errno values in the tests come from running the same calls on
 * Linux 6.18 (tmpfs in /dev/shm) as root and as uid 1000 via setresuid.
 */
#pragma once

#include <criterion/criterion.h>
#include <string.h>

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/sched/kstack.h"
#include "core/sched/thread.h"
#include "core/sync/lockcheck.h"
#include "fs/vfs.h"
#include "support/kernel.h"

static struct vfs_cred vt_root_cred = { .uid = 0, .gid = 0, .umask = 022 };
static struct vfs_cred vt_user_cred = {
	.uid = 1000, .gid = 1000, .group_count = 1, .groups = { 2000 },
	.umask = 022,
};
static struct vfs_caller vt_root_caller, vt_user_caller;
static const struct vfs_caller *const R = &vt_root_caller;
static const struct vfs_caller *const U = &vt_user_caller;
static uint64_t vt_free_pages;
static unsigned long vt_threads;	/* alive at the start */

static inline void vt_init_cpus(unsigned int cpus)
{
	struct vfs_fs_context *fs;
	struct pmm_stats stats;

	test_kernel_sched_init(cpus, false);
	vfs_init();
	kstack_cache_drain();
	kmem_shrink_all();
	pmm_get_stats(&stats);
	vt_free_pages = stats.free_pages;
	vt_threads = thread_count();
	cr_assert_eq(vfs_mount_root("tmpfs", NULL), 0);
	fs = vfs_fs_context_create();
	cr_assert_not(IS_ERR(fs));
	vt_root_caller = (struct vfs_caller){ &vt_root_cred, fs };
	vt_user_caller = (struct vfs_caller){ &vt_user_cred,
					      vfs_fs_context_clone(fs) };
}

static inline void vfs_test_init(void)
{
	vt_init_cpus(1);
}

/* A test with a fresh tmpfs root, checked for leaks at the end. */
#define VFS_TEST(suite, name) \
	Test(suite, name, .init = vfs_test_init, .fini = vfs_test_fini)

/*
 * Releases the callers, unmounts everything and checks for leaks and for
 * lock-order violations.
 */
static inline void vfs_test_fini(void)
{
	struct vfs_stats stats;
	struct pmm_stats pmm;

	vfs_fs_context_put(vt_root_caller.fs);
	vfs_fs_context_put(vt_user_caller.fs);
	cr_assert_eq(vfs_unmount_all(), 0);
	cr_assert_eq(lockcheck_violations(), 0, "lock order violations");
	vfs_get_stats(&stats);
	cr_assert_eq(stats.files, 0, "files %ld", stats.files);
	cr_assert_eq(stats.dentries, 0, "dentries %ld", stats.dentries);
	cr_assert_eq(stats.inodes, 0, "inodes %ld", stats.inodes);
	cr_assert_eq(stats.mounts, 0);
	cr_assert_eq(stats.supers, 0);
	/* Kernel threads a test started (the console's input) end first. */
	cr_assert(test_wait_thread_count(vt_threads), "threads left");
	kstack_cache_drain();
	kmem_shrink_all();
	pmm_get_stats(&pmm);
	cr_assert_eq(pmm.free_pages, vt_free_pages, "pages leaked: %lld",
		     (long long)vt_free_pages - (long long)pmm.free_pages);
}

/* Opens and returns the error (0 on success, closing the file). */
static inline long vt_open_err(const struct vfs_caller *c, const char *path,
			       int flags, uint32_t mode)
{
	struct vfs_file *file = vfs_openat(c, NULL, path, flags, mode);

	if (IS_ERR(file))
		return PTR_ERR(file);
	vfs_file_put(file);
	return 0;
}

static inline struct vfs_file *vt_open(const struct vfs_caller *c,
				       const char *path, int flags,
				       uint32_t mode)
{
	struct vfs_file *file = vfs_openat(c, NULL, path, flags, mode);

	cr_assert_not(IS_ERR(file), "open %s: %ld", path, PTR_ERR(file));
	return file;
}

/* Creates (or truncates) path with `data`. */
static inline void vt_write_file(const struct vfs_caller *c, const char *path,
				 const char *data)
{
	struct vfs_file *file = vt_open(c, path, O_CREAT | O_WRONLY | O_TRUNC,
					0644);
	size_t length = strlen(data);

	cr_assert_eq(vfs_write(file, data, length), (ssize_t)length);
	vfs_file_put(file);
}

/* Reads up to size - 1 bytes of path into buf, NUL-terminated. */
static inline ssize_t vt_read_file(const struct vfs_caller *c,
				   const char *path, char *buf, size_t size)
{
	struct vfs_file *file = vfs_openat(c, NULL, path, O_RDONLY, 0);
	ssize_t got;

	if (IS_ERR(file))
		return PTR_ERR(file);
	got = vfs_read(file, buf, size - 1);
	buf[got > 0 ? got : 0] = '\0';
	vfs_file_put(file);
	return got;
}

static inline struct stat vt_stat(const struct vfs_caller *c, const char *path)
{
	struct stat st;

	cr_assert_eq(vfs_fstatat(c, NULL, path, &st, AT_SYMLINK_NOFOLLOW), 0,
		     "stat %s", path);
	return st;
}

static inline int vt_stat_err(const struct vfs_caller *c, const char *path)
{
	struct stat st;

	return vfs_fstatat(c, NULL, path, &st, 0);
}
