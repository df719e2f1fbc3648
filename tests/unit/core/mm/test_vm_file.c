/*
 * File mappings (vm_mmap_file): private copy-on-write from the page
 * cache, shared writes that are the file's, SIGBUS past the end of the
 * file, Linux's EACCES/ENODEV/EINVAL rules, fork, truncation under a
 * mapping, /dev/zero, and that every page and file reference comes back.
 */
#include "fs/vfs_test.h"

#include "core/include/uapi/mman.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/sched/thread.h"

#define MAP_AT 0x30000000ULL
#define RW (PROT_READ | PROT_WRITE)

static struct address_space *as;

static void setup(void)
{
	vfs_test_init();
	as = vm_create();
	cr_assert_not(IS_ERR(as));
}

static void teardown(void)
{
	if (as != NULL) {
		cr_assert_eq(vm_validate(as), 0);
		vm_put(as);
	}
	vfs_test_fini();
}

static int count_one(const struct vma *vma, void *arg)
{
	(void)vma;
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int count_vmas(void)
{
	unsigned int count = 0;

	vm_for_each_vma(as, count_one, &count);
	return count;
}

#define FILE_TEST(name) Test(vm_file, name, .init = setup, .fini = teardown)

/* A file of `pages` pages, byte i being (i * 7 + 1) & 0xff. */
static void make_file(const char *path, unsigned int pages)
{
	struct vfs_file *file = vt_open(R, path, O_CREAT | O_RDWR | O_TRUNC,
					0644);
	static uint8_t data[PAGE_SIZE];

	for (unsigned int p = 0; p < pages; p++) {
		for (unsigned int i = 0; i < PAGE_SIZE; i++)
			data[i] = (uint8_t)((p * PAGE_SIZE + i) * 7 + 1);
		cr_assert_eq(vfs_pwrite(file, data, PAGE_SIZE,
					(int64_t)p * PAGE_SIZE), PAGE_SIZE);
	}
	vfs_file_put(file);
}

static uint8_t file_byte(uint64_t offset)
{
	return (uint8_t)(offset * 7 + 1);
}

static uint8_t peek(uaddr_t addr)
{
	uint8_t value = 0xee;

	cr_assert_eq(vm_copy_from_user(as, &value, addr, 1), 0, "read %#lx",
		     (unsigned long)addr);
	return value;
}

static void poke(uaddr_t addr, uint8_t value)
{
	cr_assert_eq(vm_copy_to_user(as, addr, &value, 1), 0, "write %#lx",
		     (unsigned long)addr);
}

static uint8_t pread_byte(struct vfs_file *file, int64_t offset)
{
	uint8_t value = 0xee;

	cr_assert_eq(vfs_pread(file, &value, 1, offset), 1);
	return value;
}

static long map(struct vfs_file *file, uint64_t length, unsigned int prot,
		unsigned int flags, uint64_t offset)
{
	return vm_mmap_file(as, MAP_AT, length, prot, flags | MAP_FIXED,
			    offset, file, NULL);
}

FILE_TEST(private_write_copies_and_leaves_the_file_alone)
{
	struct vfs_file *file;

	make_file("/f", 2);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(map(file, 2 * PAGE_SIZE, RW, MAP_PRIVATE, 0),
		     (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT + 5), file_byte(5));
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE + 9), file_byte(PAGE_SIZE + 9));
	poke(MAP_AT + 5, 0xab);
	cr_assert_eq(peek(MAP_AT + 5), 0xab);
	cr_assert_eq(pread_byte(file, 5), file_byte(5), "the file changed");
	/* An unwritten page still follows the file. */
	cr_assert_eq(vfs_pwrite(file, "Z", 1, PAGE_SIZE + 9), -EBADF);
	vfs_file_put(file);
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(vfs_pwrite(file, "Z", 1, PAGE_SIZE + 9), 1);
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE + 9), 'Z');
	vfs_file_put(file);
}

FILE_TEST(shared_writes_are_the_files)
{
	struct vfs_file *file;

	make_file("/f", 1);
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(map(file, PAGE_SIZE, RW, MAP_SHARED, 0), (long)MAP_AT);
	poke(MAP_AT + 100, 0x5a);
	cr_assert_eq(pread_byte(file, 100), 0x5a);
	cr_assert_eq(vfs_pwrite(file, "Q", 1, 200), 1);
	cr_assert_eq(peek(MAP_AT + 200), 'Q');
	cr_assert_eq(vm_msync(as, MAP_AT, PAGE_SIZE, MS_SYNC), 0);
	vfs_file_put(file);
	/* The mapping keeps the file: writes still land after the close. */
	poke(MAP_AT + 101, 0x5b);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(pread_byte(file, 101), 0x5b);
	vfs_file_put(file);
}

FILE_TEST(an_offset_maps_from_that_page)
{
	struct vfs_file *file;

	make_file("/f", 3);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, MAP_PRIVATE,
			 2 * PAGE_SIZE), (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT + 3), file_byte(2 * PAGE_SIZE + 3));
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 100),
		     -EINVAL);
	vfs_file_put(file);
}

FILE_TEST(past_the_end_reads_zeros_then_sigbus)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	uint8_t value;

	cr_assert_eq(vfs_write(file, "abc", 3), 3);
	cr_assert_eq(map(file, 3 * PAGE_SIZE, RW, MAP_SHARED, 0),
		     (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT + 2), 'c');
	cr_assert_eq(peek(MAP_AT + 3), 0);
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE - 1), 0);
	cr_assert_eq(vm_fault(as, MAP_AT + PAGE_SIZE, VM_ACCESS_READ),
		     VM_FAULT_SIGBUS);
	cr_assert(vm_fault_is_sigbus(VM_FAULT_SIGBUS));
	cr_assert_not(vm_fault_is_sigbus(-EFAULT));
	cr_assert_eq(vm_copy_from_user(as, &value, MAP_AT + 2 * PAGE_SIZE, 1),
		     -EFAULT);
	/* Growing the file makes the page real. */
	cr_assert_eq(vfs_ftruncate(file, 2 * PAGE_SIZE), 0);
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE), 0);
	poke(MAP_AT + PAGE_SIZE + 1, 'x');
	cr_assert_eq(pread_byte(file, PAGE_SIZE + 1), 'x');
	vfs_file_put(file);
}

FILE_TEST(open_mode_must_allow_the_protection)
{
	struct vfs_file *file;

	make_file("/f", 1);
	file = vt_open(R, "/f", O_WRONLY, 0);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0), -EACCES);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_WRITE, MAP_SHARED, 0), -EACCES);
	vfs_file_put(file);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(map(file, PAGE_SIZE, RW, MAP_SHARED, 0), -EACCES);
	cr_assert_eq(map(file, PAGE_SIZE, RW, MAP_SHARED_VALIDATE, 0),
		     -EACCES);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, MAP_SHARED, 0),
		     (long)MAP_AT);
	cr_assert_eq(vm_mprotect(as, MAP_AT, PAGE_SIZE, RW, NULL), -EACCES);
	cr_assert_eq(vm_mprotect(as, MAP_AT, PAGE_SIZE, PROT_NONE, NULL), 0);
	cr_assert_eq(map(file, PAGE_SIZE, RW, MAP_PRIVATE, 0), (long)MAP_AT,
		     "private writes never reach the file");
	cr_assert_eq(vm_mprotect(as, MAP_AT, PAGE_SIZE, PROT_READ, NULL), 0);
	cr_assert_eq(vm_mprotect(as, MAP_AT, PAGE_SIZE, RW, NULL), 0);
	vfs_file_put(file);
}

FILE_TEST(bad_types_flags_and_files)
{
	struct vfs_file *file, *dir, *path;

	make_file("/f", 1);
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, 0, 0), -EINVAL);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ, MAP_HUGETLB | MAP_SHARED,
			 0), -EINVAL);
	cr_assert_eq(map(file, PAGE_SIZE, PROT_READ,
			 MAP_SHARED_VALIDATE | MAP_SYNC, 0), -EOPNOTSUPP);
	cr_assert_eq(map(file, 0, PROT_READ, MAP_SHARED, 0), -EINVAL);
	cr_assert_eq(vm_mmap_file(as, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0,
				  NULL, NULL), -EBADF);
	vfs_file_put(file);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	dir = vt_open(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(map(dir, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0), -ENODEV);
	vfs_file_put(dir);
	path = vt_open(R, "/f", O_PATH, 0);
	cr_assert_eq(map(path, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0), -EBADF);
	vfs_file_put(path);
	cr_assert_eq(count_vmas(), 0);
}

FILE_TEST(the_mapping_holds_the_file_until_unmapped)
{
	struct vfs_file *file;
	struct vfs_stats stats;

	make_file("/f", 2);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(map(file, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0),
		     (long)MAP_AT);
	vfs_file_put(file);
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE), file_byte(PAGE_SIZE));
	vfs_get_stats(&stats);
	cr_assert_eq(stats.files, 1);
	/* Half an unmap splits the VMA: both halves hold the object. */
	cr_assert_eq(vm_munmap(as, MAP_AT, PAGE_SIZE), 0);
	vfs_get_stats(&stats);
	cr_assert_eq(stats.files, 1);
	cr_assert_eq(count_vmas(), 1);
	cr_assert_eq(vm_munmap(as, MAP_AT + PAGE_SIZE, PAGE_SIZE), 0);
	vfs_get_stats(&stats);
	cr_assert_eq(stats.files, 0);
}

FILE_TEST(fork_keeps_shared_shared_and_private_private)
{
	struct vfs_file *file;
	struct address_space *child, *parent;
	uaddr_t shared = MAP_AT, private = MAP_AT + 0x100000;

	make_file("/f", 1);
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(vm_mmap_file(as, shared, PAGE_SIZE, RW,
				  MAP_SHARED | MAP_FIXED, 0, file, NULL),
		     (long)shared);
	cr_assert_eq(vm_mmap_file(as, private, PAGE_SIZE, RW,
				  MAP_PRIVATE | MAP_FIXED, 0, file, NULL),
		     (long)private);
	poke(private + 1, 0x11); /* the parent's own copy before fork */
	child = vm_fork(as);
	cr_assert_not(IS_ERR(child));
	parent = as;
	as = child;
	poke(shared, 0x77);
	poke(private + 1, 0x22);
	poke(private + 2, 0x33);
	cr_assert_eq(vm_validate(child), 0);
	vm_put(child);
	as = parent;
	cr_assert_eq(peek(shared), 0x77);
	cr_assert_eq(pread_byte(file, 0), 0x77);
	cr_assert_eq(peek(private + 1), 0x11);
	cr_assert_eq(peek(private + 2), file_byte(2));
	cr_assert_eq(pread_byte(file, 2), file_byte(2));
	vfs_file_put(file);
}

FILE_TEST(truncate_under_a_mapping_never_frees_a_mapped_page)
{
	struct vfs_file *file;

	make_file("/f", 2);
	file = vt_open(R, "/f", O_RDWR, 0);
	cr_assert_eq(map(file, 2 * PAGE_SIZE, RW, MAP_SHARED, 0),
		     (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE), file_byte(PAGE_SIZE));
	cr_assert_eq(vfs_ftruncate(file, 0), 0);
	/* The page left the file; the mapping's reference keeps it. */
	cr_assert_eq(peek(MAP_AT + PAGE_SIZE), file_byte(PAGE_SIZE));
	poke(MAP_AT + PAGE_SIZE, 1);
	cr_assert_eq(vm_fault(as, MAP_AT, VM_ACCESS_READ), VM_FAULT_SIGBUS);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/f", 0), 0);
	vfs_file_put(file);
}

FILE_TEST(a_sparse_file_maps_zeros_and_fills_on_write)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	struct stat st;

	cr_assert_eq(vfs_ftruncate(file, 4 * PAGE_SIZE), 0);
	cr_assert_eq(map(file, 4 * PAGE_SIZE, RW, MAP_SHARED, 0),
		     (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT + 3 * PAGE_SIZE), 0);
	poke(MAP_AT + 2 * PAGE_SIZE + 7, 'w');
	cr_assert_eq(pread_byte(file, 2 * PAGE_SIZE + 7), 'w');
	cr_assert_eq(vfs_fstat(file, &st), 0);
	cr_assert_eq(st.st_blocks, 2 * PAGE_SIZE / 512, "two pages touched");
	vfs_file_put(file);
}

FILE_TEST(dev_zero_maps_anonymous_memory)
{
	struct vfs_file *zero, *null;
	struct address_space *child;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/dev", 0755), 0);
	cr_assert_eq(vfs_mount(R, "devtmpfs", "/dev", "devtmpfs", 0, NULL), 0);
	zero = vt_open(R, "/dev/zero", O_RDWR, 0);
	cr_assert_eq(map(zero, PAGE_SIZE, RW, MAP_PRIVATE, 0), (long)MAP_AT);
	cr_assert_eq(peek(MAP_AT), 0);
	poke(MAP_AT, 9);
	cr_assert_eq(peek(MAP_AT), 9);
	cr_assert_eq(map(zero, PAGE_SIZE, RW, MAP_SHARED, 0), (long)MAP_AT);
	child = vm_fork(as);
	cr_assert_not(IS_ERR(child));
	cr_assert_eq(vm_copy_to_user(child, MAP_AT, "s", 1), 0);
	vm_put(child);
	cr_assert_eq(peek(MAP_AT), 's', "shared with the child");
	vfs_file_put(zero);
	null = vt_open(R, "/dev/null", O_RDWR, 0);
	cr_assert_eq(map(null, PAGE_SIZE, RW, MAP_PRIVATE, 0), -ENODEV);
	vfs_file_put(null);
	vm_put(as);
	as = NULL;
	cr_assert_eq(vfs_umount(R, "/dev", 0), 0);
}

/* Two CPUs: faults, stores and MADV_DONTNEED race truncation. */
#define RACE_PAGES 8
#define RACE_TOUCHES 20000
#define RACE_TRUNCATES 3000

static struct vfs_file *race_file;
static int race_bad;	/* atomic: results other than 0 or -EFAULT */

static void race_check(int result)
{
	if (result != 0 && result != -EFAULT)
		__atomic_fetch_add(&race_bad, 1, __ATOMIC_RELAXED);
}

static int toucher(void *arg)
{
	uint8_t value;

	for (unsigned int i = 0; i < RACE_TOUCHES; i++) {
		uaddr_t addr = MAP_AT + (i % RACE_PAGES) * PAGE_SIZE +
			       (uintptr_t)arg;

		race_check(vm_copy_from_user(as, &value, addr, 1));
		race_check(vm_copy_to_user(as, addr, &value, 1));
		if (i % 97 == 0)
			race_check(vm_madvise(as, MAP_AT,
					      RACE_PAGES * PAGE_SIZE,
					      MADV_DONTNEED));
	}
	return 0;
}

static int truncater(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < RACE_TRUNCATES; i++) {
		int64_t size = (int64_t)(i % (RACE_PAGES + 1)) * PAGE_SIZE;

		race_check(vfs_ftruncate(race_file, size - (i % 3)));
		race_check(vfs_pwrite(race_file, "t", 1, size / 2) == 1 ? 0
									: -1);
	}
	return 0;
}

static void setup_smp(void)
{
	vt_init_cpus(2);
	as = vm_create();
	cr_assert_not(IS_ERR(as));
}

Test(vm_file, faults_race_truncation_on_two_cpus, .init = setup_smp,
     .fini = teardown)
{
	struct thread *threads[3];
	unsigned long baseline = thread_count();

	race_file = vt_open(R, "/race", O_CREAT | O_RDWR, 0644);
	cr_assert_eq(vfs_ftruncate(race_file, RACE_PAGES * PAGE_SIZE), 0);
	cr_assert_eq(map(race_file, RACE_PAGES * PAGE_SIZE, RW, MAP_SHARED, 0),
		     (long)MAP_AT);
	threads[0] = thread_create("toucher", toucher, (void *)0);
	threads[1] = thread_create("toucher", toucher, (void *)100);
	threads[2] = thread_create("truncater", truncater, NULL);
	for (int i = 0; i < 3; i++)
		thread_start(threads[i]);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(thread_join(threads[i], NULL), 0);
	cr_assert(test_wait_thread_count(baseline));
	cr_assert_eq(race_bad, 0);
	cr_assert_eq(vm_validate(as), 0);
	cr_assert_eq(vm_munmap(as, MAP_AT, RACE_PAGES * PAGE_SIZE), 0);
	vfs_file_put(race_file);
}
