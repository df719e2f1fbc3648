/*
 * fcntl record locks (fs/record_lock.c) through the VFS API, with owners
 * standing for descriptor tables: replacing, splitting and merging an
 * owner's locks and the order F_GETLK reports them in (as Linux 6.18
 * reports them, tests/user/record_locks compares the rest with the host);
 * release by a table's close and at an OFD description's last put; a
 * waiter on another CPU granted at the unlock; EDEADLK for a cycle.
 */
#include <stdio.h>

#include "fs/fdtable.h"
#include "vfs_test.h"

static int owner_a, owner_b;	/* stand-ins for two descriptor tables */
static const struct vfs_lock_owner A = { &owner_a, 10 }, B = { &owner_b, 20 };
static const struct vfs_lock_owner OFD = { NULL, 0 };

static struct flock range(int type, int64_t start, int64_t length)
{
	return (struct flock){ .l_type = (int16_t)type, .l_whence = SEEK_SET,
			       .l_start = start, .l_len = length };
}

static int set(struct vfs_file *file, const struct vfs_lock_owner *who,
	       int type, int64_t start, int64_t length)
{
	struct flock fl = range(type, start, length);

	return vfs_record_lock_set(file, who, &fl, false);
}

/* What blocks `who` from a write lock of the range: "none" or T@S+L/P. */
static const char *blocker(struct vfs_file *file,
			   const struct vfs_lock_owner *who, int64_t start,
			   int64_t length)
{
	static char text[64];
	struct flock fl = range(F_WRLCK, start, length);

	cr_assert_eq(vfs_record_lock_test(file, who, &fl), 0);
	if (fl.l_type == F_UNLCK)
		return "none";
	snprintf(text, sizeof(text), "%c@%lld+%lld/%d",
		 fl.l_type == F_WRLCK ? 'W' : 'R', (long long)fl.l_start,
		 (long long)fl.l_len, fl.l_pid);
	return text;
}

VFS_TEST(record_lock, an_owners_locks_split_merge_and_report_in_order)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);

	cr_assert_eq(set(file, &A, F_WRLCK, 0, 100), 0);
	cr_assert_eq(set(file, &A, F_UNLCK, 10, 10), 0);
	cr_assert_str_eq(blocker(file, &B, 0, 0), "W@0+10/10");
	cr_assert_str_eq(blocker(file, &B, 10, 10), "none");
	cr_assert_str_eq(blocker(file, &B, 15, 0), "W@20+80/10");
	cr_assert_str_eq(blocker(file, &A, 0, 0), "none");	/* its own */
	cr_assert_eq(set(file, &A, F_RDLCK, 30, 10), 0);
	cr_assert_str_eq(blocker(file, &B, 25, 10), "W@20+10/10");
	cr_assert_str_eq(blocker(file, &B, 30, 10), "R@30+10/10");
	/* Relocking the hole and the read part merges all into one. */
	cr_assert_eq(set(file, &A, F_WRLCK, 10, 30), 0);
	cr_assert_str_eq(blocker(file, &B, 50, 1), "W@0+100/10");
	cr_assert_eq(set(file, &B, F_RDLCK, 50, 1), -EAGAIN);
	cr_assert_eq(set(file, &B, F_WRLCK, 1000, 0), 0);	/* no overlap */
	/*
	 * Each owner's locks in start order, owners as they came: A had
	 * none left when B's came, so B's comes first (Linux's order).
	 */
	cr_assert_eq(set(file, &A, F_UNLCK, 0, 100), 0);
	cr_assert_eq(set(file, &A, F_WRLCK, 300, 1), 0);
	cr_assert_eq(set(file, &A, F_WRLCK, 200, 1), 0);
	cr_assert_str_eq(blocker(file, &OFD, 0, 0), "W@1000+0/20");
	cr_assert_eq(set(file, &B, F_UNLCK, 0, 0), 0);
	cr_assert_str_eq(blocker(file, &OFD, 0, 0), "W@200+1/10");
	cr_assert_eq(set(file, &A, F_UNLCK, 0, 0), 0);
	cr_assert_str_eq(blocker(file, &OFD, 0, 0), "none");
	vfs_file_put(file);
}

VFS_TEST(record_lock, ranges_follow_linux_rules)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	struct flock fl;

	cr_assert_eq(vfs_write(file, "0123456789", 10), 10);	/* pos 10 */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_CUR,
			     .l_start = -4, .l_len = -2 };
	cr_assert_eq(vfs_record_lock_set(file, &A, &fl, false), 0);
	cr_assert_str_eq(blocker(file, &B, 0, 0), "R@4+2/10");
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_END,
			     .l_start = 5 };
	cr_assert_eq(vfs_record_lock_set(file, &A, &fl, false), 0);
	cr_assert_str_eq(blocker(file, &B, 6, 0), "W@15+0/10");
	fl = range(F_RDLCK, INT64_MAX, 2);
	cr_assert_eq(vfs_record_lock_set(file, &A, &fl, false), -EOVERFLOW);
	fl = range(F_RDLCK, 1, -2);
	cr_assert_eq(vfs_record_lock_set(file, &A, &fl, false), -EINVAL);
	fl = range(7, 0, 0);
	cr_assert_eq(vfs_record_lock_set(file, &A, &fl, false), -EINVAL);
	fl = range(F_UNLCK, 0, 0);
	cr_assert_eq(vfs_record_lock_test(file, &A, &fl), -EINVAL);
	cr_assert_eq(vfs_record_lock_test(file, &OFD, &fl), 0);
	cr_assert_eq(fl.l_type, F_UNLCK);
	cr_assert_eq(set(file, &A, F_UNLCK, 0, 0), 0);
	vfs_file_put(file);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(set(file, &A, F_WRLCK, 0, 1), -EBADF);
	cr_assert_eq(set(file, &A, F_RDLCK, 0, 1), 0);
	vfs_record_locks_release(file, &owner_a);
	vfs_file_put(file);
}

/* A table's close drops its POSIX locks; an OFD lock goes at last put. */
VFS_TEST(record_lock, locks_go_with_their_owner)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	struct vfs_file *other = vt_open(R, "/f", O_RDWR, 0);
	struct fd_table *table = fd_table_create();
	const struct vfs_lock_owner posix = { table, 1 };
	int fd;

	cr_assert_not_null(table);
	vfs_file_get(file);
	fd = fd_install(table, file, 0, 0, 64);
	cr_assert_geq(fd, 0);
	cr_assert_eq(set(file, &posix, F_WRLCK, 0, 10), 0);
	cr_assert_str_eq(blocker(other, &OFD, 0, 0), "W@0+10/1");
	cr_assert_eq(fd_close(table, fd), 0);
	cr_assert_str_eq(blocker(other, &OFD, 0, 0), "none");
	fd_table_put(table);

	cr_assert_eq(set(file, &OFD, F_WRLCK, 5, 1), 0);
	cr_assert_str_eq(blocker(other, &OFD, 0, 0), "W@5+1/-1");
	cr_assert_eq(set(other, &OFD, F_RDLCK, 5, 1), -EAGAIN);
	vfs_file_put(file);
	cr_assert_str_eq(blocker(other, &OFD, 0, 0), "none");
	vfs_file_put(other);
}

static struct vfs_file *shared;
static bool granted;		/* atomic */

static int wait_for_lock(void *arg)
{
	struct flock fl = range(F_WRLCK, 0, 1);
	int err = vfs_record_lock_set(shared, arg, &fl, true);

	__atomic_store_n(&granted, err == 0, __ATOMIC_RELEASE);
	return err;
}

static void start_waiter(struct thread **waiter,
			 const struct vfs_lock_owner *who)
{
	__atomic_store_n(&granted, false, __ATOMIC_RELEASE);
	*waiter = thread_create("lock-waiter", wait_for_lock, (void *)who);
	cr_assert(!IS_ERR(*waiter));
	thread_start(*waiter);
	sleep_ns(20000000);	/* into its wait */
	cr_assert(!__atomic_load_n(&granted, __ATOMIC_ACQUIRE));
}

/* A unlocks [0,1): the waiter (B) gets it; then B holds `expected`. */
static void finish_waiter(struct thread *waiter, const char *expected)
{
	int code = -1;

	cr_assert_eq(set(shared, &A, F_UNLCK, 0, 1), 0);
	cr_assert_eq(thread_join(waiter, &code), 0);
	cr_assert_eq(code, 0);
	cr_assert_str_eq(blocker(shared, &A, 0, 0), expected);
	vfs_record_locks_release(shared, &owner_b);
	vfs_file_put(shared);
}

static void smp_init(void)
{
	vt_init_cpus(2);
}

Test(record_lock, a_waiter_is_granted_at_the_unlock, .init = smp_init,
     .fini = vfs_test_fini)
{
	struct thread *waiter;

	shared = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	cr_assert_eq(set(shared, &A, F_RDLCK, 0, 1), 0);
	start_waiter(&waiter, &B);
	finish_waiter(waiter, "W@0+1/20");
}

/* B waits for A's [0,1); A waiting for B's [1,2) would never end. */
Test(record_lock, a_cycle_of_waits_is_edeadlk, .init = smp_init,
     .fini = vfs_test_fini)
{
	struct thread *waiter;
	struct flock fl = range(F_WRLCK, 1, 1);

	shared = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	cr_assert_eq(set(shared, &A, F_WRLCK, 0, 1), 0);
	cr_assert_eq(set(shared, &B, F_WRLCK, 1, 1), 0);
	start_waiter(&waiter, &B);
	cr_assert_eq(vfs_record_lock_set(shared, &A, &fl, true), -EDEADLK);
	/* An OFD request is not checked, as Linux: it just conflicts. */
	cr_assert_eq(vfs_record_lock_set(shared, &OFD, &fl, false), -EAGAIN);
	finish_waiter(waiter, "W@0+2/20");
}
