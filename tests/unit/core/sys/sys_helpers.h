/*
 * Shared set-up for the syscall-layer tests (test_*.c here): a kernel with
 * memory, one address space with BASE..BASE+SYS_TEST_PAGES pages mapped
 * read-write, and a way to make a call through fake user registers.
 */
#pragma once

#include "../mm/vm_helpers.h"
#include "core/hal/user.h"
#include "core/sys/dispatch.h"
#include "core/sys/syscall_table.h"

#define BASE 0x40000000ULL
#define SYS_TEST_PAGES 4
#define SYS_TEST_END (BASE + SYS_TEST_PAGES * PAGE_SIZE)

static struct address_space *as;
static struct syscall_context ctx;

static inline void sys_test_setup(void)
{
	vm_test_boot();
	as = vm_test_create();
	vm_test_map(as, BASE, SYS_TEST_PAGES * PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	ctx = (struct syscall_context){ .as = as };
}

static inline void sys_test_teardown(void)
{
	vm_test_destroy(as);
}

/*
 * Makes syscall `nr` as user space would: number in orig_rax (rax holds
 * garbage, as at a PTRACE_SYSEMU stop), arguments in rdi, rsi, rdx, r10,
 * r8, r9. Returns rax after the call.
 */
static inline long sys_test_call(uint64_t nr, uint64_t a0, uint64_t a1,
				 uint64_t a2, uint64_t a3, uint64_t a4,
				 uint64_t a5)
{
	struct user_regs regs = {
		.orig_rax = nr, .rax = 0x5a5a5a5a, .rdi = a0, .rsi = a1,
		.rdx = a2, .r10 = a3, .r8 = a4, .r9 = a5,
		.rcx = 0x1111, .r11 = 0x2222,
	};

	syscall_dispatch(&ctx, &regs);
	cr_assert_eq(regs.rdi, a0, "arguments are left alone");
	cr_assert_eq(regs.r9, a5);
	return (long)regs.rax;
}

static inline void sys_test_write(uaddr_t addr, const void *data,
				  size_t length)
{
	cr_assert_eq(vm_copy_to_user(as, addr, data, length), 0);
}
