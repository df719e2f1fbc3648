/*
 * Descriptor tables (fs/fdtable.c) through their API with real tmpfs
 * files: lowest-free allocation, F_DUPFD minimums, the limit, dup_to,
 * close-on-exec, fork's clone, growth, iteration, and install/close from
 * four threads on two CPUs.
 */
#include <stdio.h>

#include "core/sched/thread.h"
#include "fs/fdtable.h"
#include "vfs_test.h"

static struct fd_table *table;
static struct vfs_file *file;	/* the test's reference to /f */

static void setup_cpus(unsigned int cpus)
{
	vt_init_cpus(cpus);
	table = fd_table_create();
	cr_assert_not_null(table);
	file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
}

static void setup(void)
{
	setup_cpus(1);
}

static void setup_smp(void)
{
	setup_cpus(2);
}

static void teardown(void)
{
	if (table != NULL)
		fd_table_put(table);
	vfs_file_put(file);
	vfs_test_fini();
}

#define FD_TEST(name) Test(fs_fdtable, name, .init = setup, .fini = teardown)

static long open_files(void)
{
	struct vfs_stats stats;

	vfs_get_stats(&stats);
	return stats.files;
}

/* Installs another reference to `file`. */
static int install(unsigned int fd_flags, unsigned int min,
		   unsigned long limit)
{
	int fd;

	vfs_file_get(file);
	fd = fd_install(table, file, fd_flags, min, limit);
	if (fd < 0)
		vfs_file_put(file);
	return fd;
}

FD_TEST(install_takes_the_lowest_free)
{
	cr_assert_eq(install(0, 0, 1024), 0);
	cr_assert_eq(install(0, 0, 1024), 1);
	cr_assert_eq(install(0, 0, 1024), 2);
	cr_assert_eq(fd_close(table, 1), 0);
	cr_assert_eq(install(0, 0, 1024), 1, "the hole first");
	cr_assert_eq(install(0, 0, 1024), 3);
	cr_assert_eq(fd_open_count(table), 4);
	cr_assert_eq(fd_get(table, 0), file);
	vfs_file_put(file);
	cr_assert_null(fd_get(table, 4));
	cr_assert_null(fd_get(table, -1));
	cr_assert_null(fd_get(table, 100000));
}

FD_TEST(install_respects_the_minimum)
{
	cr_assert_eq(install(0, 10, 1024), 10);
	cr_assert_eq(install(0, 10, 1024), 11);
	cr_assert_eq(install(0, 0, 1024), 0, "below the minimum stays free");
	cr_assert_eq(install(0, 5, 1024), 5);
	cr_assert_eq(install(0, 0, 1024), 1);
	cr_assert_eq(install(0, 1023, 1024), 1023);
	cr_assert_eq(install(0, 1023, 1024), -EMFILE);
	cr_assert_eq(install(0, 1024, 1024), -EINVAL, "min at the limit");
}

FD_TEST(install_at_the_limit_is_emfile)
{
	for (int fd = 0; fd < 3; fd++)
		cr_assert_eq(install(0, 0, 3), fd);
	cr_assert_eq(install(0, 0, 3), -EMFILE);
	cr_assert_eq(fd_close(table, 1), 0);
	cr_assert_eq(install(0, 0, 3), 1);
	cr_assert_eq(install(0, 0, 2), -EMFILE, "a lowered limit");
	cr_assert_eq(install(0, 0, 0), -EINVAL);
	cr_assert_eq(install(0, 0, 1ul << 40), 3, "capped at nr_open");
}

FD_TEST(close_releases_the_file)
{
	long before = open_files();
	struct vfs_file *other = vt_open(R, "/g", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(open_files(), before + 1);
	cr_assert_eq(fd_install(table, other, 0, 0, 1024), 0);
	cr_assert_eq(fd_close(table, 0), 0);
	cr_assert_eq(open_files(), before, "the table's reference went");
	cr_assert_eq(fd_close(table, 0), -EBADF);
	cr_assert_eq(fd_close(table, -1), -EBADF);
	cr_assert_eq(fd_close(table, 5000), -EBADF);
}

FD_TEST(dup_to_replaces_an_open_descriptor)
{
	long before = open_files();
	struct vfs_file *other = vt_open(R, "/g", O_CREAT | O_RDWR, 0644);
	struct vfs_file *got;

	cr_assert_eq(install(0, 0, 1024), 0);
	cr_assert_eq(fd_install(table, other, FD_CLOEXEC, 0, 1024), 1);
	cr_assert_eq(fd_dup_to(table, 0, 1, 0, 1024), 1);
	cr_assert_eq(open_files(), before, "/g was closed");
	got = fd_get(table, 1);
	cr_assert_eq(got, file);
	vfs_file_put(got);
	cr_assert_eq(fd_get_flags(table, 1), 0, "the new flags");
	cr_assert_eq(fd_dup_to(table, 0, 0, 0, 1024), 0, "same: as is");
	cr_assert_eq(fd_dup_to(table, 7, 2, 0, 1024), -EBADF);
	cr_assert_eq(fd_dup_to(table, 0, 1024, 0, 1024), -EBADF);
	cr_assert_eq(fd_dup_to(table, 0, -1, 0, 1024), -EBADF);
	cr_assert_eq(fd_dup_to(table, 0, 300, FD_CLOEXEC, 1024), 300);
	cr_assert_eq(fd_get_flags(table, 300), FD_CLOEXEC);
	cr_assert_eq(install(0, 0, 1024), 2, "lowest free unchanged");
}

FD_TEST(close_on_exec_closes_only_marked)
{
	cr_assert_eq(install(FD_CLOEXEC, 0, 1024), 0);
	cr_assert_eq(install(0, 0, 1024), 1);
	cr_assert_eq(install(FD_CLOEXEC, 0, 1024), 2);
	cr_assert_eq(install(0, 100, 1024), 100);
	cr_assert_eq(fd_set_flags(table, 100, FD_CLOEXEC), 0);
	cr_assert_eq(fd_set_flags(table, 1, 0), 0);
	cr_assert_eq(fd_set_flags(table, 50, FD_CLOEXEC), -EBADF);
	cr_assert_eq(fd_get_flags(table, 50), -EBADF);
	fd_close_on_exec(table);
	cr_assert_eq(fd_open_count(table), 1);
	cr_assert_eq(fd_next_open(table, 0), 1);
	cr_assert_eq(fd_next_open(table, 2), -1);
	cr_assert_eq(install(0, 0, 1024), 0);
}

FD_TEST(clone_shares_the_files_not_the_table)
{
	struct fd_table *copy;
	struct vfs_file *got;

	cr_assert_eq(install(0, 0, 1024), 0);
	cr_assert_eq(install(FD_CLOEXEC, 70, 1024), 70);
	copy = fd_table_clone(table);
	cr_assert_not_null(copy);
	cr_assert_eq(fd_open_count(copy), 2);
	got = fd_get(copy, 70);
	cr_assert_eq(got, file, "the same open file (shared offset)");
	vfs_file_put(got);
	cr_assert_eq(fd_get_flags(copy, 70), FD_CLOEXEC);
	cr_assert_eq(fd_close(copy, 0), 0);
	cr_assert_eq(fd_open_count(table), 2, "the original keeps its fd");
	cr_assert_eq(fd_install(copy, file, 0, 0, 1024), 0);
	vfs_file_get(file);	/* the copy took the test's reference */
	fd_table_put(table);
	table = NULL;
	got = fd_get(copy, 70);
	cr_assert_eq(got, file, "outlives the original table");
	vfs_file_put(got);
	fd_table_put(copy);
}

FD_TEST(shared_table_by_reference)
{
	fd_table_get(table);	/* a CLONE_FILES child */
	cr_assert_eq(install(0, 0, 1024), 0);
	fd_table_put(table);
	cr_assert_eq(fd_open_count(table), 1, "still there");
}

FD_TEST(grows_past_64_and_1000)
{
	for (int fd = 0; fd < 1100; fd++)
		cr_assert_eq(install(fd & 1 ? FD_CLOEXEC : 0, 0, 4096), fd);
	cr_assert_eq(fd_open_count(table), 1100);
	for (int fd = 0; fd < 1100; fd++)
		cr_assert_eq(fd_get_flags(table, fd), fd & 1 ? FD_CLOEXEC : 0,
			     "fd %d kept its flag across growth", fd);
	cr_assert_eq(fd_close(table, 63), 0);
	cr_assert_eq(fd_close(table, 64), 0);
	cr_assert_eq(install(0, 0, 4096), 63);
	cr_assert_eq(install(0, 0, 4096), 64);
	cr_assert_eq(install(0, 5000, 8192), 5000, "a far minimum grows too");
	cr_assert_eq(fd_next_open(table, 1100), 5000);
	fd_close_on_exec(table);
	cr_assert_eq(fd_open_count(table), 1101 - 549, "63 lost its flag");
}

FD_TEST(iteration_visits_every_open_descriptor)
{
	int seen = 0, last = -1;

	for (int fd = 0; fd < 10; fd++)
		cr_assert_eq(install(0, (unsigned int)fd * 13, 1024), fd * 13);
	for (int fd = fd_next_open(table, 0); fd >= 0;
	     fd = fd_next_open(table, fd + 1)) {
		cr_assert_gt(fd, last);
		cr_assert_eq(fd % 13, 0);
		last = fd;
		seen++;
	}
	cr_assert_eq(seen, 10);
	cr_assert_eq(fd_next_open(table, -5), 0);
}

#define WORKERS 4
#define ROUNDS 2000

/* Installs and closes, checking that every descriptor it got is its own. */
static int churn(void *arg)
{
	struct vfs_file *mine = arg;
	int held[8];

	for (int round = 0; round < ROUNDS; round++) {
		int count = 1 + round % 8;

		for (int i = 0; i < count; i++) {
			vfs_file_get(mine);
			held[i] = fd_install(table, mine, 0, 0, 1u << 16);
			if (held[i] < 0)
				return 1;
		}
		for (int i = 0; i < count; i++) {
			struct vfs_file *got = fd_get(table, held[i]);

			if (got != mine)
				return 2;	/* someone else's slot */
			vfs_file_put(got);
			if (fd_close(table, held[i]) < 0)
				return 3;
		}
	}
	return 0;
}

Test(fs_fdtable, concurrent_install_and_close, .init = setup_smp,
     .fini = teardown)
{
	struct thread *threads[WORKERS];
	struct vfs_file *mine[WORKERS];
	unsigned long baseline = thread_count();
	char name[8];

	for (int i = 0; i < WORKERS; i++) {
		snprintf(name, sizeof(name), "/w%d", i);
		mine[i] = vt_open(R, name, O_CREAT | O_RDWR, 0644);
		threads[i] = thread_create("fd-churn", churn, mine[i]);
		cr_assert_not(IS_ERR(threads[i]));
		thread_start(threads[i]);
	}
	for (int i = 0; i < WORKERS; i++) {
		int code = -1;

		cr_assert_eq(thread_join(threads[i], &code), 0);
		cr_assert_eq(code, 0, "worker %d failed with %d", i, code);
	}
	cr_assert(test_wait_thread_count(baseline));
	cr_assert_eq(fd_open_count(table), 0);
	cr_assert_eq(install(0, 0, 1024), 0, "next_free came back to 0");
	for (int i = 0; i < WORKERS; i++)
		vfs_file_put(mine[i]);
}
