/*
 * libFuzzer harness for path walking: a fixed tree with relative,
 * absolute, looping, dangling and ".." symbolic links; each input is a
 * list of NUL-separated paths, the first byte of each choosing the
 * operation (stat, lstat, open, creat, mkdir, unlink, rmdir, rename to
 * the next path, symlink, readlink). Every result must be 0 or an errno,
 * the dentry cache must stay sound and no file may stay open.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/lib/err.h"
#include "fs/vfs.h"
#include "fs/vfs_internal.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void make_tree(const struct vfs_caller *c)
{
	static int made;

	if (made)
		return;
	made = 1;
	vfs_mkdirat(c, NULL, "/t", 0755);
	vfs_mkdirat(c, NULL, "/t/a", 0755);
	vfs_mkdirat(c, NULL, "/t/a/b", 0700);
	vfs_symlinkat(c, "a", NULL, "/t/la");
	vfs_symlinkat(c, "/", NULL, "/t/a/lroot");
	vfs_symlinkat(c, "loop", NULL, "/t/loop");
	vfs_symlinkat(c, "../../..", NULL, "/t/a/b/up");
	vfs_symlinkat(c, "nowhere/x", NULL, "/t/dangle");
}

static int run_op(const struct vfs_caller *c, uint8_t op, const char *path,
		  const char *next)
{
	struct vfs_file *file;
	struct stat st;
	char buf[64];

	switch (op % 10) {
	case 0:
		return vfs_fstatat(c, NULL, path, &st, 0);
	case 1:
		return vfs_fstatat(c, NULL, path, &st, AT_SYMLINK_NOFOLLOW);
	case 2:
	case 3:
		file = vfs_openat(c, NULL, path,
				  op % 10 == 2 ? O_RDONLY : O_CREAT | O_RDWR,
				  0644);
		if (IS_ERR(file))
			return (int)PTR_ERR(file);
		vfs_file_put(file);
		return 0;
	case 4:
		return vfs_mkdirat(c, NULL, path, 0755);
	case 5:
		return vfs_unlinkat(c, NULL, path, 0);
	case 6:
		return vfs_unlinkat(c, NULL, path, AT_REMOVEDIR);
	case 7:
		return vfs_renameat2(c, NULL, path, NULL, next, op >> 4 & 3);
	case 8:
		return vfs_symlinkat(c, next, NULL, path);
	default:
		return (int)vfs_readlinkat(c, NULL, path, buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[8192];
	const struct vfs_caller *c;
	struct vfs_stats stats;
	size_t pos = 0;

	fuzz_kernel_init();
	c = fuzz_root_caller();
	make_tree(c);
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	while (pos < size) {
		uint8_t op = (uint8_t)text[pos];
		const char *path = text + pos + 1;
		size_t length = pos + 1 < size ? strlen(path) : 0;
		const char *next = path + length + 1 <= text + size ?
				   path + length + 1 : "";
		int err;

		if (pos + 1 >= size)
			break;
		err = run_op(c, op, path, next);
		fuzz_check(err >= -4095, "errno range");
		pos += 2 + length;
	}
	fuzz_check(vfs_dcache_validate() == 0, "dentry cache structure");
	vfs_get_stats(&stats);
	fuzz_check(stats.files == 0, "file left open");
	return 0;
}
