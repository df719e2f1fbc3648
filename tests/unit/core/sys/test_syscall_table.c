/*
 * The syscall table: the ABI's numbers and names, well-formed argument
 * lists, and exactly the handlers this stage implements.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/sys/syscall_table.h"

static const char *name_of(uint64_t nr)
{
	const struct syscall_desc *desc = syscall_lookup(nr);

	return desc != NULL ? desc->name : NULL;
}

Test(sys_syscall_table, numbers_match_the_linux_abi)
{
	cr_assert_str_eq(name_of(0), "read");
	cr_assert_str_eq(name_of(9), "mmap");
	cr_assert_str_eq(name_of(59), "execve");
	cr_assert_str_eq(name_of(231), "exit_group");
	cr_assert_str_eq(name_of(257), "openat");
	cr_assert_str_eq(name_of(334), "rseq");
	cr_assert_str_eq(name_of(424), "pidfd_send_signal");
	cr_assert_str_eq(name_of(435), "clone3");
	cr_assert_str_eq(name_of(450), "set_mempolicy_home_node");
	cr_assert_null(name_of(335));
	cr_assert_null(name_of(423));
	cr_assert_null(name_of(SYSCALL_TABLE_SIZE));
	cr_assert_null(name_of(~0ULL));
}

Test(sys_syscall_table, every_number_of_both_ranges_is_named_once)
{
	for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		bool in_abi = nr <= 334 || nr >= 424;

		cr_assert_eq(name_of(nr) != NULL, in_abi, "number %lu",
			     (unsigned long)nr);
		for (uint64_t other = 0; in_abi && other < nr; other++)
			cr_assert(name_of(other) == NULL ||
				  strcmp(name_of(other), name_of(nr)) != 0,
				  "%s twice", name_of(nr));
	}
}

Test(sys_syscall_table, argument_lists_are_well_formed)
{
	for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_desc *desc = syscall_lookup(nr);
		unsigned int count;

		if (desc == NULL)
			continue;
		count = syscall_arg_count(desc);
		for (unsigned int i = count; i < SYSCALL_MAX_ARGS; i++)
			cr_assert_eq(desc->args[i].kind, SYSCALL_ARG_NONE,
				     "%s: gap in its arguments", desc->name);
		for (unsigned int i = 0; i < count; i++) {
			const struct syscall_arg *arg = &desc->args[i];

			if (arg->kind != SYSCALL_ARG_BUF_IN &&
			    arg->kind != SYSCALL_ARG_BUF_OUT &&
			    arg->kind != SYSCALL_ARG_BIN_OUT)
				continue;
			cr_assert_lt(arg->length_arg, count, "%s", desc->name);
			cr_assert_eq(desc->args[arg->length_arg].kind,
				     SYSCALL_ARG_SIZE, "%s: length kind",
				     desc->name);
		}
	}
}

/* Rows with a handler, and rows that stay -ENOSYS on purpose. */
static bool has_handler(const char *name)
{
	for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_desc *desc = syscall_lookup(nr);

		if (desc && strcmp(desc->name, name) == 0)
			return desc->handler != NULL;
	}
	cr_assert_fail("no row named %s", name);
	return false;
}

Test(sys_syscall_table, implemented_and_unimplemented_rows)
{
	static const char *const implemented[] = {
		"getpid", "fork", "vfork", "clone", "execve", "wait4",
		"exit_group", "futex", "clock_gettime", "uname", "getrandom",
		"sched_yield", "getcpu", "rt_sigaction", "sysinfo",
		"mmap", "munmap", "mprotect", "brk", "mremap", "madvise",
		"msync", "mincore",
	};
	static const char *const unimplemented[] = {
		"acct", "swapon", "kexec_load", "lookup_dcookie", "clone3",
	};

	for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		cr_assert(has_handler(implemented[i]), "%s", implemented[i]);
	for (size_t i = 0; i < sizeof(unimplemented) / sizeof(unimplemented[0]);
	     i++)
		cr_assert(!has_handler(unimplemented[i]), "%s",
			  unimplemented[i]);
	cr_assert_eq(syscall_arg_count(syscall_lookup(9)), 6, "mmap");
	cr_assert_eq(syscall_arg_count(syscall_lookup(39)), 0, "getpid");
	cr_assert_eq(syscall_lookup(9)->ret, SYSCALL_RET_ADDR);
}
