/*
 * copy_from_user/copy_to_user/strncpy_from_user/clear_user over the
 * software page-table walk: page boundaries, demand paging, bad pages,
 * copy-on-write and string limits.
 */
#include <string.h>

#include "vm_helpers.h"

#define BASE 0x40000000ULL

static struct address_space *as;

static void setup(void)
{
	vm_test_boot();
	as = vm_test_create();
}

static void teardown(void)
{
	vm_test_destroy(as);
}

Test(vm_uaccess, copies_across_page_boundaries, .init = setup, .fini = teardown)
{
	char out[3 * 4096], in[3 * 4096];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	vm_test_map(as, BASE, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE + 100, out, sizeof(out)), 0);
	memset(in, 0, sizeof(in));
	cr_assert_eq(vm_copy_from_user(as, in, BASE + 100, sizeof(in)), 0);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	cr_assert_eq(vm_test_peek(as, BASE + 99), 0);
}

Test(vm_uaccess, unmapped_memory_is_efault, .init = setup, .fini = teardown)
{
	char buffer[64];

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_from_user(as, buffer, BASE + PAGE_SIZE, 1),
		     -EFAULT);
	cr_assert_eq(vm_copy_to_user(as, BASE + PAGE_SIZE - 8, buffer, 16),
		     -EFAULT, "runs off the end of the mapping");
	cr_assert_eq(vm_copy_from_user(as, buffer, 0, 1), -EFAULT);
	cr_assert_eq(vm_copy_from_user(as, buffer, as->limit, 1), -EFAULT);
	cr_assert_eq(vm_copy_from_user(as, buffer, ~0ULL - 3, 8), -EFAULT,
		     "wraps around");
	cr_assert_eq(vm_clear_user(as, BASE + PAGE_SIZE, 1), -EFAULT);
}

Test(vm_uaccess, partial_copy_writes_the_good_pages,
     .init = setup, .fini = teardown)
{
	char buffer[16];

	memset(buffer, 'k', sizeof(buffer));
	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE + PAGE_SIZE - 8, buffer, 16),
		     -EFAULT);
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE - 1), 'k');
}

Test(vm_uaccess, prot_none_and_read_only_pages, .init = setup, .fini = teardown)
{
	char byte = 'r';

	vm_test_map(as, BASE, PAGE_SIZE, PROT_NONE, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_from_user(as, &byte, BASE, 1), -EFAULT);
	cr_assert_eq(vm_copy_to_user(as, BASE, &byte, 1), -EFAULT);
	cr_assert_eq(vm_copy_from_user(as, &byte, BASE + PAGE_SIZE, 1), 0);
	cr_assert_eq(byte, 0);
	cr_assert_eq(vm_copy_to_user(as, BASE + PAGE_SIZE, &byte, 1), -EFAULT);
	cr_assert_eq(vm_clear_user(as, BASE + PAGE_SIZE, 1), -EFAULT);
}

Test(vm_uaccess, copy_to_user_breaks_cow, .init = setup, .fini = teardown)
{
	struct address_space *child;

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE, 'p');
	child = vm_fork(as);
	cr_assert_not(IS_ERR(child));
	cr_assert_eq(vm_copy_to_user(child, BASE, "c", 1), 0);
	cr_assert_eq(vm_test_peek(as, BASE), 'p');
	cr_assert_eq(vm_test_peek(child, BASE), 'c');
	vm_put(child);
}

Test(vm_uaccess, clear_user_zeroes, .init = setup, .fini = teardown)
{
	char out[PAGE_SIZE];

	memset(out, 0xff, sizeof(out));
	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE, out, sizeof(out)), 0);
	cr_assert_eq(vm_copy_to_user(as, BASE + PAGE_SIZE, out, sizeof(out)),
		     0);
	cr_assert_eq(vm_clear_user(as, BASE + 10, PAGE_SIZE), 0);
	cr_assert_eq(vm_test_peek(as, BASE + 9), 0xff);
	cr_assert_eq(vm_test_peek(as, BASE + 10), 0);
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE + 9), 0);
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE + 10), 0xff);
}

Test(vm_uaccess, strncpy_returns_the_length, .init = setup, .fini = teardown)
{
	char buffer[32];

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE, "hello", 6), 0);
	memset(buffer, 'x', sizeof(buffer));
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE, sizeof(buffer)), 5);
	cr_assert_str_eq(buffer, "hello");
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE + 5, 8), 0);
	cr_assert_eq(buffer[0], '\0');
}

Test(vm_uaccess, strncpy_without_nul_returns_max,
     .init = setup, .fini = teardown)
{
	char buffer[8];

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE, "abcdefghij", 11), 0);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE, 4), 4);
	cr_assert_eq(memcmp(buffer, "abcd", 4), 0);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE, 0), 0);
}

Test(vm_uaccess, strncpy_stops_at_the_nul_before_a_bad_page,
     .init = setup, .fini = teardown)
{
	char buffer[64];
	uaddr_t end = BASE + PAGE_SIZE;

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, end - 3, "ab", 3), 0);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, end - 3, 64), 2,
		     "the unmapped next page is never touched");
	cr_assert_eq(vm_copy_to_user(as, end - 3, "abc", 3), 0);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, end - 3, 64), -EFAULT);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, end - 3, 3), 3,
		     "the limit comes before the bad page");
}

Test(vm_uaccess, strings_across_pages_are_demand_paged,
     .init = setup, .fini = teardown)
{
	char buffer[16];

	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, BASE + PAGE_SIZE - 4, "pathname", 9),
		     0);
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE + PAGE_SIZE - 4, 16),
		     8);
	cr_assert_str_eq(buffer, "pathname");
	cr_assert_eq(vm_strncpy_from_user(as, buffer, BASE + 100, 16), 0,
		     "an untouched page reads as zeros");
}

Test(vm_uaccess, grows_the_stack, .init = setup, .fini = teardown)
{
	uaddr_t stack = 0x7e0000000000ULL - PAGE_SIZE;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	cr_assert_eq(vm_copy_to_user(as, stack - 3 * PAGE_SIZE, "s", 1), 0);
	cr_assert_eq(vm_test_peek(as, stack - 3 * PAGE_SIZE), 's');
}
