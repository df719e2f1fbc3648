/*
 * VFS benchmarks on the tmpfs root, in a directory of BENCH_VFS_FILES
 * files: path lookup (stat of a name that exists, hit in the dentry
 * cache; of one that does not, a negative entry), and create + unlink of
 * a new name beside them. Each benchmark builds its directory, measures,
 * and removes everything again, so the suite leaves the tree as it found
 * it (and fails with the error if it cannot).
 *
 * Runs after the root file system step; the state is the driver thread's.
 */
#include "core/bench/bench_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/stat.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "fs/vfs.h"

#define BENCH_VFS_FILES 10000
#define BENCH_VFS_DIR "/bench-vfs"
#define NAME_MAX_LENGTH 48

static const struct vfs_cred bench_cred = { .uid = 0, .gid = 0 };

struct vfs_bench {
	struct vfs_caller caller;
	struct stat st;
	char name[NAME_MAX_LENGTH];
};

static const char *file_name(struct vfs_bench *vb, const char *prefix,
			     uint64_t index)
{
	ksnprintf(vb->name, sizeof(vb->name), BENCH_VFS_DIR "/%s%05llu",
		  prefix, (unsigned long long)index);
	return vb->name;
}

static int create_file(struct vfs_bench *vb, const char *path)
{
	struct vfs_file *file = vfs_openat(&vb->caller, NULL, path,
					   O_CREAT | O_EXCL | O_WRONLY, 0644);

	if (IS_ERR(file))
		return (int)PTR_ERR(file);
	vfs_file_put(file);
	return 0;
}

/* Removes the first `count` files and the directory. */
static int depopulate(struct vfs_bench *vb, unsigned int count)
{
	int err = 0;

	for (unsigned int i = 0; i < count; i++) {
		int e = vfs_unlinkat(&vb->caller, NULL, file_name(vb, "f", i), 0);

		err = err < 0 ? err : e;
	}
	if (vfs_unlinkat(&vb->caller, NULL, BENCH_VFS_DIR, AT_REMOVEDIR) < 0 &&
	    err == 0)
		err = -ENOTEMPTY;
	vfs_fs_context_put(vb->caller.fs);
	return err;
}

/* A fresh directory of BENCH_VFS_FILES empty files. */
static int populate(struct vfs_bench *vb)
{
	int err;

	vb->caller = (struct vfs_caller){ &bench_cred, vfs_fs_context_create() };
	if (IS_ERR(vb->caller.fs))
		return (int)PTR_ERR(vb->caller.fs);
	err = vfs_mkdirat(&vb->caller, NULL, BENCH_VFS_DIR, 0755);
	if (err < 0) {
		vfs_fs_context_put(vb->caller.fs);
		return err;
	}
	for (unsigned int i = 0; i < BENCH_VFS_FILES; i++) {
		err = create_file(vb, file_name(vb, "f", i));
		if (err < 0) {
			depopulate(vb, i);
			return err;
		}
	}
	return 0;
}

/* A multiplicative walk over the files, so lookups do not go in order. */
static uint64_t spread(uint64_t i)
{
	return (i * 7919) % BENCH_VFS_FILES;
}

/* One timed operation on a populated directory: 0 or -errno. */
typedef int vfs_bench_op(struct vfs_bench *vb, uint64_t i);

/* Populates, times `op` until the budget is spent, cleans up. */
static int measure(const struct bench_params *params,
		   struct bench_result *result, vfs_bench_op *op)
{
	struct vfs_bench vb;
	struct bench_timer timer;
	uint64_t ops;
	int err = populate(&vb), cleanup;

	if (err < 0)
		return err;
	bench_timer_start(&timer, params);
	for (ops = 0; !bench_timer_expired(&timer, ops); ops++) {
		err = op(&vb, ops);
		if (err < 0)
			break;
	}
	cleanup = depopulate(&vb, BENCH_VFS_FILES);
	if (err < 0)
		return err;
	result->cpus = 1;
	return cleanup < 0 ? cleanup : bench_timer_result(&timer, ops, result);
}

static int stat_existing(struct vfs_bench *vb, uint64_t i)
{
	return vfs_fstatat(&vb->caller, NULL, file_name(vb, "f", spread(i)),
			   &vb->st, 0);
}

static int stat_missing(struct vfs_bench *vb, uint64_t i)
{
	int err = vfs_fstatat(&vb->caller, NULL,
			      file_name(vb, "missing", spread(i)), &vb->st, 0);

	return err == -ENOENT ? 0 : err < 0 ? err : -EIO;
}

/* Creates a new name among the files, then unlinks it. */
static int create_unlink(struct vfs_bench *vb, uint64_t i)
{
	int err = create_file(vb, file_name(vb, "new", i % 100000));

	return err < 0 ? err : vfs_unlinkat(&vb->caller, NULL, vb->name, 0);
}

static int bench_lookup_hit(const struct bench_params *params,
			    struct bench_result *result)
{
	return measure(params, result, stat_existing);
}

static int bench_lookup_miss(const struct bench_params *params,
			     struct bench_result *result)
{
	return measure(params, result, stat_missing);
}

static int bench_create_unlink(const struct bench_params *params,
			       struct bench_result *result)
{
	return measure(params, result, create_unlink);
}

const struct bench bench_vfs[] = {
	{ "vfs.lookup_hit_10k", bench_lookup_hit },
	{ "vfs.lookup_miss_10k", bench_lookup_miss },
	{ "vfs.create_unlink_10k", bench_create_unlink },
};
const unsigned int bench_vfs_count = ARRAY_SIZE(bench_vfs);
