/*
 * The dispatcher and the handlers that need no process (uname, getrandom,
 * getcpu, sched_yield) through fake user registers, with buffers in a
 * real address space: results, -EFAULT on bad pointers, -ENOSYS and the
 * unimplemented counters.
 */
#include <string.h>

#include "core/include/uapi/random.h"
#include "core/include/uapi/utsname.h"
#include "sys_helpers.h"

#define NR_ACCT 163
#define NR_SCHED_YIELD 24
#define NR_SWAPON 167
#define NR_UNAME 63
#define NR_GETCPU 309
#define NR_GETRANDOM 318

static long call1(uint64_t nr, uint64_t a0)
{
	return sys_test_call(nr, a0, 0, 0, 0, 0, 0);
}

static long call3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return sys_test_call(nr, a0, a1, a2, 0, 0, 0);
}

/* A field of struct utsname is its string then zeroes to the end. */
static void assert_field(const char *field, const char *expected)
{
	cr_assert_str_eq(field, expected);
	for (size_t i = strlen(expected); i < UTSNAME_LENGTH; i++)
		cr_assert_eq(field[i], 0, "byte %zu after \"%s\"", i, expected);
}

Test(sys_dispatch, uname_fills_linux_utsname, .init = sys_test_setup,
     .fini = sys_test_teardown)
{
	struct utsname name;

	memset(&name, 0x7f, sizeof(name));
	sys_test_write(BASE, &name, sizeof(name));
	cr_assert_eq(call1(NR_UNAME, BASE), 0);
	cr_assert_eq(vm_copy_from_user(as, &name, BASE, sizeof(name)), 0);
	assert_field(name.sysname, "Linux");
	assert_field(name.release, "6.1.0-amphi");
	assert_field(name.machine, "x86_64");
	assert_field(name.nodename, "(none)");
	assert_field(name.domainname, "(none)");
	cr_assert_eq(vm_test_peek(as, BASE + sizeof(name)), 0x00,
		     "nothing written past the struct (fresh zero page)");
}

Test(sys_dispatch, uname_bad_pointer_is_efault, .init = sys_test_setup,
     .fini = sys_test_teardown)
{
	cr_assert_eq(call1(NR_UNAME, 0), -EFAULT);
	cr_assert_eq(call1(NR_UNAME, SYS_TEST_END - 100), -EFAULT,
		     "runs off the end of the mapping");
	cr_assert_eq(call1(NR_UNAME, as->limit), -EFAULT);
	cr_assert_eq(call1(NR_UNAME, ~0ULL - 8), -EFAULT);
	vm_test_map(as, SYS_TEST_END, PAGE_SIZE, PROT_READ,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(call1(NR_UNAME, SYS_TEST_END), -EFAULT, "read-only");
}

Test(sys_dispatch, uname_without_address_space_is_efault)
{
	ctx = (struct syscall_context){ 0 };
	cr_assert_eq(call1(NR_UNAME, BASE), -EFAULT);
}

static bool all_zero(const uint8_t *bytes, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (bytes[i] != 0)
			return false;
	return true;
}

Test(sys_dispatch, getrandom_fills_the_buffer, .init = sys_test_setup,
     .fini = sys_test_teardown)
{
	static uint8_t first[1000], second[1000];

	cr_assert_eq(call3(NR_GETRANDOM, BASE, sizeof(first), 0), 1000);
	cr_assert_eq(call3(NR_GETRANDOM, BASE + 2000, sizeof(second),
			   GRND_NONBLOCK | GRND_INSECURE), 1000);
	cr_assert_eq(vm_copy_from_user(as, first, BASE, 1000), 0);
	cr_assert_eq(vm_copy_from_user(as, second, BASE + 2000, 1000), 0);
	cr_assert_not(all_zero(first, sizeof(first)));
	cr_assert_neq(memcmp(first, second, sizeof(first)), 0);
	cr_assert_eq(vm_test_peek(as, BASE + 1000), 0, "no byte past count");
	cr_assert_eq(call3(NR_GETRANDOM, BASE, 0, 0), 0);
	cr_assert_eq(call3(NR_GETRANDOM, 0, 0, GRND_RANDOM), 0);
}

Test(sys_dispatch, getrandom_rejects_unknown_flags, .init = sys_test_setup,
     .fini = sys_test_teardown)
{
	cr_assert_eq(call3(NR_GETRANDOM, BASE, 16, 0x8), -EINVAL);
	cr_assert_eq(call3(NR_GETRANDOM, BASE, 16, GRND_RANDOM | GRND_INSECURE),
		     -EINVAL);
	cr_assert_eq(vm_test_peek(as, BASE), 0, "nothing written");
}

Test(sys_dispatch, getrandom_bad_pointer_is_efault_or_short,
     .init = sys_test_setup, .fini = sys_test_teardown)
{
	cr_assert_eq(call3(NR_GETRANDOM, 0x1000, 16, 0), -EFAULT);
	cr_assert_eq(call3(NR_GETRANDOM, SYS_TEST_END, 1, 0), -EFAULT);
	cr_assert_eq(call3(NR_GETRANDOM, SYS_TEST_END - 512, 4096, 0), 512,
		     "the bytes before the hole count");
}

Test(sys_dispatch, getcpu_reports_cpu_and_node, .init = sys_test_setup,
     .fini = sys_test_teardown)
{
	uint32_t values[2];

	memset(values, 0xff, sizeof(values));
	sys_test_write(BASE, values, sizeof(values));
	cr_assert_eq(call3(NR_GETCPU, BASE, BASE + 4, 0), 0);
	cr_assert_eq(vm_copy_from_user(as, values, BASE, sizeof(values)), 0);
	cr_assert_eq(values[0], 0, "the test runs on CPU 0");
	cr_assert_eq(values[1], 0, "one NUMA node");
	cr_assert_eq(call3(NR_GETCPU, 0, 0, 0), 0, "both optional");
	cr_assert_eq(call3(NR_GETCPU, SYS_TEST_END, 0, 0), -EFAULT);
	cr_assert_eq(call3(NR_GETCPU, 0, SYS_TEST_END - 2, 0), -EFAULT);
}

Test(sys_dispatch, sched_yield_returns_zero)
{
	test_kernel_sched_init(1, true);
	ctx = (struct syscall_context){ 0 };
	cr_assert_eq(call1(NR_SCHED_YIELD, 0), 0);
}

Test(sys_dispatch, unimplemented_is_enosys_and_counted,
     .init = sys_test_setup, .fini = sys_test_teardown)
{
	cr_assert_eq(syscall_unimplemented_count(NR_SWAPON), 0);
	cr_assert_eq(call1(NR_SWAPON, 0), -ENOSYS);
	cr_assert_eq(call1(NR_ACCT, BASE), -ENOSYS);
	cr_assert_eq(call1(NR_SWAPON, 0), -ENOSYS);
	cr_assert_eq(syscall_unimplemented_count(NR_SWAPON), 2);
	cr_assert_eq(syscall_unimplemented_count(NR_ACCT), 1);
	cr_assert_eq(syscall_unimplemented_count(NR_UNAME), 0);
	cr_assert_eq(call1(400, 0), -ENOSYS, "a number between the ranges");
	cr_assert_eq(syscall_unimplemented_count(400), 1);
	cr_assert_eq(call1(NR_UNAME, BASE), 0, "implemented: not counted");
	cr_assert_eq(syscall_unimplemented_count(NR_UNAME), 0);
}

Test(sys_dispatch, out_of_range_is_enosys_and_counted,
     .init = sys_test_setup, .fini = sys_test_teardown)
{
	cr_assert_eq(call1(SYSCALL_TABLE_SIZE, 0), -ENOSYS);
	cr_assert_eq(call1(0x40000000 | NR_UNAME, BASE), -ENOSYS,
		     "x32 numbers are not served");
	cr_assert_eq(call1(0xffffffffULL, 0), -ENOSYS);
	cr_assert_eq(syscall_unimplemented_count(SYSCALL_TABLE_SIZE), 3);
	cr_assert_eq(syscall_unimplemented_count(~0ULL), 3);
	cr_assert_eq(call1((1ULL << 32) | NR_UNAME, BASE), 0,
		     "as Linux, the number's high 32 bits are ignored");
}
