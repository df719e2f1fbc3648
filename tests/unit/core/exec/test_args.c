/*
 * exec_args_from_user and exec_args_from_kernel: the packed strings,
 * Linux's E2BIG rules (one string, the whole budget, a huge argc found
 * in bounded time), -EFAULT for every bad pointer, the {""} argv, and no
 * memory left behind on any failure.
 */
#include "../mm/vm_helpers.h"

#include <string.h>

#include "core/exec/exec.h"

#define ARRAYS 0x10000000ULL	/* argv, envp (pointer arrays) */
#define STRINGS 0x20000000ULL	/* the strings they point at */
#define BIG 0x40000000ULL	/* a large region for the limit tests */
#define LIMIT (8ULL << 20) / 4	/* a quarter of an 8 MiB stack */

static struct address_space *as;
static struct exec_args args;

static void setup(void)
{
	vm_test_boot();
	as = vm_test_create();
	vm_test_map(as, ARRAYS, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, STRINGS, 64 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
}

static void teardown(void)
{
	exec_args_free(&args);
	vm_test_destroy(as);
}

#define ARGS_TEST(name) Test(exec_args, name, .init = setup, .fini = teardown)

/* Puts `strings` (NULL-terminated) into user memory as an array at `at`. */
static void put_array(uaddr_t at, uaddr_t strings, const char *const *list)
{
	uint64_t pointer;

	for (; *list != NULL; list++, at += 8) {
		size_t length = strlen(*list) + 1;

		cr_assert_eq(vm_copy_to_user(as, strings, *list, length), 0);
		pointer = strings;
		cr_assert_eq(vm_copy_to_user(as, at, &pointer, 8), 0);
		strings += length;
	}
	pointer = 0;
	cr_assert_eq(vm_copy_to_user(as, at, &pointer, 8), 0);
}

static void assert_packed(const char *expected, size_t length)
{
	cr_assert_eq(args.used, length);
	cr_assert_eq(memcmp(args.buffer, expected, length), 0);
}

ARGS_TEST(user_arrays_pack_argv_then_envp)
{
	const char *const argv[] = { "ls", "-l", "/", NULL };
	const char *const envp[] = { "A=1", "", NULL };

	put_array(ARRAYS, STRINGS, argv);
	put_array(ARRAYS + PAGE_SIZE, STRINGS + PAGE_SIZE, envp);
	cr_assert_eq(exec_args_from_user(&args, as, ARRAYS, ARRAYS + PAGE_SIZE,
					 LIMIT), 0);
	cr_assert_eq(args.argc, 3);
	cr_assert_eq(args.envc, 2);
	assert_packed("ls\0-l\0/\0A=1\0", 13);
}

ARGS_TEST(an_empty_argv_becomes_one_empty_string)
{
	cr_assert_eq(exec_args_from_user(&args, as, 0, 0, LIMIT), 0);
	cr_assert_eq(args.argc, 1);
	cr_assert_eq(args.envc, 0);
	assert_packed("", 1);
	exec_args_free(&args);
	put_array(ARRAYS, STRINGS, (const char *const[]){ NULL });
	cr_assert_eq(exec_args_from_user(&args, as, ARRAYS, 0, LIMIT), 0);
	cr_assert_eq(args.argc, 1);
}

ARGS_TEST(bad_pointers_are_efault)
{
	uint64_t bad = 0x50000000;

	cr_assert_eq(exec_args_from_user(&args, as, 0x50000000, 0, LIMIT),
		     -EFAULT, "argv itself");
	cr_assert_eq(vm_copy_to_user(as, ARRAYS, &bad, 8), 0);
	cr_assert_eq(vm_copy_to_user(as, ARRAYS + 8, &(uint64_t){ 0 }, 8), 0);
	cr_assert_eq(exec_args_from_user(&args, as, ARRAYS, 0, LIMIT),
		     -EFAULT, "a string");
	cr_assert_eq(exec_args_from_user(&args, as, 0, ARRAYS, LIMIT),
		     -EFAULT, "an environment string");
	/* A string running into an unmapped page. */
	cr_assert_eq(vm_copy_to_user(as, ARRAYS, &(uint64_t){ STRINGS +
				     64 * PAGE_SIZE - 2 }, 8), 0);
	cr_assert_eq(vm_copy_to_user(as, STRINGS + 64 * PAGE_SIZE - 2, "ab",
				     2), 0);
	cr_assert_eq(exec_args_from_user(&args, as, ARRAYS, 0, LIMIT),
		     -EFAULT);
	cr_assert_null(args.buffer, "nothing kept on failure");
}

/* One string of `length` bytes (NUL excluded) as argv[0]. */
static int one_string(size_t length)
{
	cr_assert_lt(length, 64 * PAGE_SIZE);
	cr_assert_eq(vm_clear_user(as, STRINGS, 64 * PAGE_SIZE), 0);
	for (size_t done = 0; done < length; done += 4096) {
		static char chunk[4096];

		memset(chunk, 's', sizeof(chunk));
		cr_assert_eq(vm_copy_to_user(as, STRINGS + done, chunk,
					     MIN(4096, length - done)), 0);
	}
	cr_assert_eq(vm_copy_to_user(as, ARRAYS, &(uint64_t){ STRINGS }, 8),
		     0);
	cr_assert_eq(vm_copy_to_user(as, ARRAYS + 8, &(uint64_t){ 0 }, 8), 0);
	exec_args_free(&args);
	return exec_args_from_user(&args, as, ARRAYS, 0, LIMIT);
}

ARGS_TEST(one_string_may_take_max_arg_strlen_with_its_nul)
{
	cr_assert_eq(one_string(EXEC_ARG_STRLEN_MAX - 1), 0);
	cr_assert_eq(args.used, EXEC_ARG_STRLEN_MAX);
	cr_assert_eq(one_string(EXEC_ARG_STRLEN_MAX), -E2BIG);
	cr_assert_eq(one_string(5000), 0, "the buffer grows past a page");
	cr_assert_eq(args.used, 5001);
}

/* `count` pointers at BIG, all to one short string; NULL after. */
static void many_pointers(uint64_t count)
{
	static uint64_t chunk[512];

	for (size_t i = 0; i < 512; i++)
		chunk[i] = STRINGS;
	vm_test_map(as, BIG, ALIGN_UP((count + 1) * 8, PAGE_SIZE), RW,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_copy_to_user(as, STRINGS, "xxxxxxx", 8), 0);
	for (uint64_t done = 0; done < count; done += 512)
		cr_assert_eq(vm_copy_to_user(as, BIG + done * 8, chunk,
					     MIN(512, count - done) * 8), 0);
	cr_assert_eq(vm_copy_to_user(as, BIG + count * 8, &(uint64_t){ 0 },
				     8), 0);
}

ARGS_TEST(the_budget_bounds_strings_and_pointers)
{
	/* 2 MiB: 100000 pointers (800 KB) and strings (800 KB) fit. */
	many_pointers(100000);
	cr_assert_eq(exec_args_from_user(&args, as, BIG, 0, LIMIT), 0);
	cr_assert_eq(args.argc, 100000);
	exec_args_free(&args);
	cr_assert_eq(exec_args_from_user(&args, as, BIG, BIG, LIMIT), -E2BIG,
		     "twice as much does not");
	/* The budget's floor is 128 KiB (ARG_MAX) whatever the stack. */
	cr_assert_eq(exec_args_from_user(&args, as, BIG + 8 * 99000, 0, 4096),
		     0);
	cr_assert_eq(args.argc, 1000);
}

ARGS_TEST(a_huge_argc_is_e2big_without_walking_it_all)
{
	/* More pointers than the budget can hold, then no NULL for long. */
	many_pointers(300000);
	cr_assert_eq(exec_args_from_user(&args, as, BIG, 0, LIMIT), -E2BIG);
	cr_assert_null(args.buffer);
}

Test(exec_args, kernel_arrays_pack_the_same_way)
{
	const char *const argv[] = { "/init", NULL };
	const char *const envp[] = { "HOME=/", "TERM=linux", NULL };

	vm_test_boot();
	cr_assert_eq(exec_args_from_kernel(&args, argv, envp), 0);
	cr_assert_eq(args.argc, 1);
	cr_assert_eq(args.envc, 2);
	assert_packed("/init\0HOME=/\0TERM=linux", 24);
	exec_args_free(&args);
	cr_assert_eq(exec_args_from_kernel(&args, NULL, NULL), 0);
	cr_assert_eq(args.argc, 1, "{\"\"}");
	exec_args_free(&args);
	cr_assert_eq(vm_test_free_pages(), vm_test_baseline);
}
