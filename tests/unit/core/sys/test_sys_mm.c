/*
 * The memory syscalls through the dispatcher: mmap (anonymous, and a
 * file through the descriptor table), munmap, mprotect, brk, mremap,
 * madvise and msync, with the errno of bad arguments.
 */
#include "fs/vfs_test.h"

#include "core/hal/user.h"
#include "core/include/uapi/mman.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/sys/dispatch.h"
#include "fs/fdtable.h"

#define AT 0x30000000ULL
#define RW (PROT_READ | PROT_WRITE)

static struct address_space *as;
static struct syscall_context ctx;

static void setup(void)
{
	vfs_test_init();
	as = vm_create();
	cr_assert_not(IS_ERR(as));
	ctx = (struct syscall_context){ .as = as, .caller = R,
					.files = fd_table_create(),
					.fd_limit = 1024 };
	cr_assert_not_null(ctx.files);
}

static void teardown(void)
{
	cr_assert_eq(vm_validate(as), 0);
	vm_put(as);
	fd_table_put(ctx.files);
	vfs_test_fini();
}

#define MM_TEST(name) Test(sys_mm, name, .init = setup, .fini = teardown)

static long call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct user_regs regs = {
		.orig_rax = nr, .rdi = a0, .rsi = a1, .rdx = a2, .r10 = a3,
		.r8 = a4, .r9 = a5,
	};

	syscall_dispatch(&ctx, &regs);
	return (long)regs.rax;
}

static long sys_mmap(uint64_t addr, uint64_t length, uint64_t prot,
		     uint64_t flags, int64_t fd, uint64_t offset)
{
	return call(9, addr, length, prot, flags, (uint64_t)fd, offset);
}

MM_TEST(anonymous_memory_calls)
{
	long addr = sys_mmap(0, 2 * PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	uint8_t byte = 7;

	cr_assert_gt(addr, 0);
	cr_assert_eq(vm_copy_to_user(as, (uaddr_t)addr, &byte, 1), 0);
	cr_assert_eq(call(10, (uint64_t)addr, PAGE_SIZE, PROT_READ, 0, 0, 0),
		     0);
	cr_assert_eq(vm_copy_to_user(as, (uaddr_t)addr, &byte, 1), -EFAULT);
	cr_assert_eq(call(28, (uint64_t)addr + PAGE_SIZE, PAGE_SIZE,
			  MADV_DONTNEED, 0, 0, 0), 0);
	cr_assert_eq(call(26, (uint64_t)addr, PAGE_SIZE, MS_SYNC, 0, 0, 0), 0);
	cr_assert_eq(call(26, (uint64_t)addr, PAGE_SIZE, MS_SYNC | MS_ASYNC, 0,
			  0, 0), -EINVAL);
	cr_assert_eq(call(26, (uint64_t)addr + 1, PAGE_SIZE, 0, 0, 0, 0),
		     -EINVAL);
	cr_assert_eq(call(26, AT, PAGE_SIZE, 0, 0, 0, 0), -ENOMEM);
	cr_assert_eq(call(25, (uint64_t)addr, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
			  MREMAP_MAYMOVE, 0, 0), -EFAULT, "two VMAs");
	cr_assert_eq(call(10, (uint64_t)addr, PAGE_SIZE, RW, 0, 0, 0), 0);
	addr = call(25, (uint64_t)addr, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
		    MREMAP_MAYMOVE, 0, 0);
	cr_assert_gt(addr, 0);
	cr_assert_eq(call(11, (uint64_t)addr, 4 * PAGE_SIZE, 0, 0, 0, 0), 0);
	cr_assert_eq(call(11, (uint64_t)addr + 1, PAGE_SIZE, 0, 0, 0, 0),
		     -EINVAL);
}

MM_TEST(mincore_reports_mapped_pages)
{
	uint8_t vec[4] = { 9, 9, 9, 9 };

	cr_assert_eq(sys_mmap(AT, 3 * PAGE_SIZE, RW,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		     (long)AT);
	cr_assert_eq(vm_clear_user(as, AT + PAGE_SIZE, 1), 0);
	cr_assert_eq(sys_mmap(AT + 0x100000, PAGE_SIZE, RW,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		     (long)(AT + 0x100000));
	cr_assert_eq(call(27, AT, 3 * PAGE_SIZE - 100, AT + 0x100000, 0, 0, 0),
		     0);
	cr_assert_eq(vm_copy_from_user(as, vec, AT + 0x100000, 4), 0);
	cr_assert_eq(vec[0], 0);
	cr_assert_eq(vec[1], 1);
	cr_assert_eq(vec[2], 0);
	cr_assert_eq(vec[3], 0, "untouched past the three pages");
	cr_assert_eq(call(27, AT + 1, PAGE_SIZE, AT + 0x100000, 0, 0, 0),
		     -EINVAL);
	cr_assert_eq(call(27, AT, 4 * PAGE_SIZE, AT + 0x100000, 0, 0, 0),
		     -ENOMEM, "a hole");
	cr_assert_eq(call(27, AT, PAGE_SIZE, 0x50000000, 0, 0, 0), -EFAULT);
}

MM_TEST(brk_follows_the_heap)
{
	vm_brk_init(as, AT);
	cr_assert_eq(call(12, 0, 0, 0, 0, 0, 0), (long)AT);
	cr_assert_eq(call(12, AT + 10000, 0, 0, 0, 0, 0), (long)(AT + 10000));
	cr_assert_eq(vm_clear_user(as, AT, 10000), 0);
	cr_assert_eq(call(12, AT - 1, 0, 0, 0, 0, 0), (long)(AT + 10000));
}

MM_TEST(file_mappings_take_the_descriptor)
{
	struct vfs_file *file = vt_open(R, "/f", O_CREAT | O_RDWR, 0644);
	int fd;
	char got = 0;

	cr_assert_eq(vfs_write(file, "hello", 5), 5);
	fd = fd_install(ctx.files, file, 0, 0, 1024);
	cr_assert_geq(fd, 0);
	cr_assert_eq(sys_mmap(AT, PAGE_SIZE, RW, MAP_SHARED | MAP_FIXED, fd,
			      0), (long)AT);
	cr_assert_eq(vm_copy_to_user(as, AT + 1, "E", 1), 0);
	cr_assert_eq(fd_close(ctx.files, fd), 0);
	file = vt_open(R, "/f", O_RDONLY, 0);
	cr_assert_eq(vfs_pread(file, &got, 1, 1), 1);
	cr_assert_eq(got, 'E', "the store reached the file");
	vfs_file_put(file);
	cr_assert_eq(sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0),
		     -EBADF, "closed");
	cr_assert_eq(sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, -1, 0),
		     -EBADF);
	cr_assert_eq(sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 1 << 30,
			      1), -EINVAL, "the offset is checked first");
	cr_assert_eq(sys_mmap(0, PAGE_SIZE, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS, 12345, 0) > 0, 1,
		     "MAP_ANONYMOUS ignores the descriptor");
	cr_assert_eq(call(11, AT, PAGE_SIZE, 0, 0, 0, 0), 0);
}

Test(sys_mm, calls_without_an_address_space_are_enosys)
{
	struct syscall_context none = { 0 };
	struct user_regs regs = { .orig_rax = 12 };

	syscall_dispatch(&none, &regs);
	cr_assert_eq((long)regs.rax, -ENOSYS);
}
