/*
 * The dentry cache under concurrency: eight kernel threads on four CPUs
 * create, link, rename, unlink, mkdir and rmdir in the same directories.
 * A checker then walks the tree: every name getdents64 lists resolves,
 * every other candidate name is -ENOENT (no stale positive or negative
 * dentry), link counts match the names found, the cache's structure is
 * sound, and after unmounting every object and page is back.
 */
#include "vfs_test.h"

#include <stdio.h>

#include "core/sched/sched.h"
#include "fs/vfs_internal.h"

#define WORKERS 8
#define ROUNDS 1500
#define DIRS 3
#define NAMES 24

static void test_init_smp(void)
{
	vt_init_cpus(4);
}

static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void random_path(uint32_t *seed, char *buf, size_t size)
{
	snprintf(buf, size, "/d%u/n%u", next_random(seed) % DIRS,
		 next_random(seed) % NAMES);
}

static long successes[8];	/* per operation kind, atomic */

/* One random operation; every errno it may meet is a legal outcome. */
static void random_op(uint32_t *seed)
{
	unsigned int kind = next_random(seed) % 8;
	char a[32], b[32];
	struct stat st;
	long err;

	random_path(seed, a, sizeof(a));
	random_path(seed, b, sizeof(b));
	switch (kind) {
	case 0:
	case 1:
		err = vt_open_err(R, a, O_CREAT | O_WRONLY, 0644);
		break;
	case 2:
		err = vfs_renameat2(R, NULL, a, NULL, b, 0);
		break;
	case 3:
		err = vfs_unlinkat(R, NULL, a, 0);
		break;
	case 4:
		err = vfs_linkat(R, NULL, a, NULL, b, 0);
		break;
	case 5:
		err = vfs_mkdirat(R, NULL, a, 0755);
		break;
	case 6:
		err = vfs_unlinkat(R, NULL, a, AT_REMOVEDIR);
		break;
	default:
		err = vfs_fstatat(R, NULL, a, &st, 0);
		break;
	}
	cr_assert(err == 0 || (err < 0 && err > -MAX_ERRNO));
	if (err == 0)
		__atomic_fetch_add(&successes[kind], 1, __ATOMIC_RELAXED);
}

static int worker(void *arg)
{
	uint32_t seed = 0x9e3779b9u * (uint32_t)((uintptr_t)arg + 1);

	for (int i = 0; i < ROUNDS; i++) {
		random_op(&seed);
		if (i % 32 == 0)
			sched_preempt_point();
	}
	return 0;
}

struct seen_inode {
	uint64_t ino;
	long nlink;
	long names;
	long subdirs;
	bool is_dir;
};

static struct seen_inode seen[DIRS * NAMES * 2 + 8];
static int seen_count;

static struct seen_inode *account(const struct stat *st)
{
	for (int i = 0; i < seen_count; i++) {
		if (seen[i].ino == st->st_ino)
			return &seen[i];
	}
	cr_assert_lt(seen_count, (int)(sizeof(seen) / sizeof(seen[0])));
	seen[seen_count] = (struct seen_inode){ st->st_ino,
						(long)st->st_nlink, 0, 0,
						S_ISDIR(st->st_mode) };
	return &seen[seen_count++];
}

/* Lists one directory; returns a bitmap of the names n0..n23 present. */
static uint32_t list_dir(const char *path)
{
	struct vfs_file *dir = vt_open(R, path, O_RDONLY | O_DIRECTORY, 0);
	char buf[1024];
	uint32_t present = 0;
	ssize_t got;

	while ((got = vfs_getdents64(dir, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			unsigned int n;

			off += d->d_reclen;
			if (d->d_name[0] == '.')
				continue;
			cr_assert_eq(sscanf(d->d_name, "n%u", &n), 1);
			cr_assert_eq(present & (1u << n), 0, "listed twice");
			present |= 1u << n;
		}
	}
	cr_assert_eq(got, 0);
	vfs_file_put(dir);
	return present;
}

/* Checks a directory's names against lookups; recurses one level. */
static void check_dir(const char *path, struct seen_inode *self)
{
	uint32_t present = list_dir(path);
	char name[64];
	struct stat st;

	for (unsigned int n = 0; n < NAMES; n++) {
		struct seen_inode *inode;

		snprintf(name, sizeof(name), "%s/n%u", path, n);
		if (!(present & (1u << n))) {
			cr_assert_eq(vfs_fstatat(R, NULL, name, &st,
						 AT_SYMLINK_NOFOLLOW), -ENOENT,
				     "%s not listed but found", name);
			continue;
		}
		st = vt_stat(R, name);
		inode = account(&st);
		inode->names++;
		if (S_ISDIR(st.st_mode)) {
			self->subdirs++;
			check_dir(name, inode);
		}
	}
}

Test(vfs_dcache, concurrent_namespace_changes_stay_consistent,
     .init = test_init_smp, .fini = vfs_test_fini)
{
	struct thread *threads[WORKERS];
	unsigned long baseline = thread_count();
	char path[16];
	struct stat st;

	for (int i = 0; i < DIRS; i++) {
		snprintf(path, sizeof(path), "/d%d", i);
		cr_assert_eq(vfs_mkdirat(R, NULL, path, 0755), 0);
	}
	for (int i = 0; i < WORKERS; i++) {
		threads[i] = thread_create("vfs-stress", worker,
					   (void *)(intptr_t)i);
		thread_start(threads[i]);
	}
	for (int i = 0; i < WORKERS; i++)
		cr_assert_eq(thread_join(threads[i], NULL), 0);
	cr_assert(test_wait_thread_count(baseline));	/* stacks back */
	for (int kind = 0; kind < 8; kind++)
		cr_assert_gt(successes[kind], 10, "operation %d", kind);
	cr_assert_eq(vfs_dcache_validate(), 0);
	for (int i = 0; i < DIRS; i++) {
		struct seen_inode *dir;

		snprintf(path, sizeof(path), "/d%d", i);
		st = vt_stat(R, path);
		dir = account(&st);
		dir->names++;
		check_dir(path, dir);
	}
	for (int i = 0; i < seen_count; i++) {
		if (seen[i].is_dir)
			cr_assert_eq(seen[i].nlink, 2 + seen[i].subdirs,
				     "dir %d", i);
		else
			cr_assert_eq(seen[i].nlink, seen[i].names,
				     "file %d", i);
	}
	cr_assert_eq(vfs_dcache_validate(), 0);
}
