/*
 * errno names and messages against the host C library, the reference
 * strace prints from: every errno our UAPI header defines has glibc's
 * name and strerror text.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>

#include "core/lib/errno_name.h"

/* core/include/uapi/errno.h defines values up to ENOTRECOVERABLE. */
#define LAST_ERRNO 131

Test(lib_errno_name, names_and_messages_match_glibc)
{
	unsigned int named = 0;

	for (int e = 1; e <= LAST_ERRNO; e++) {
		const char *name = errno_name(e);

		if (name == NULL) {
			cr_assert_null(errno_message(e));
			continue;
		}
		named++;
		cr_assert_str_eq(name, strerrorname_np(e), "errno %d", e);
		cr_assert_str_eq(errno_message(e), strerror(e), "errno %d", e);
	}
	cr_assert_eq(named, 89, "every value of uapi/errno.h");
}

Test(lib_errno_name, out_of_range_is_null)
{
	cr_assert_null(errno_name(0));
	cr_assert_null(errno_name(-2));
	cr_assert_null(errno_name(41), "no errno 41 on Linux");
	cr_assert_null(errno_name(4095));
	cr_assert_null(errno_message(132));
}
