/*
 * Placeholder for the hosted user-mode runners (DESIGN.md, "User mode"):
 * until the ptrace runner lands, the hosted build cannot run user code,
 * and says so with -ENOSYS (the user-mode self-tests then report
 * themselves as not available). FIXME: this file goes when
 * platform/hosted gets its real hal_user_run.
 */
#include "core/hal/user.h"
#include "core/include/uapi/errno.h"

int hal_user_run(struct user_ctx *ctx, struct trap *trap)
{
	(void)ctx;
	(void)trap;
	return -ENOSYS;
}

void hal_user_release(struct user_ctx *ctx)
{
	(void)ctx;
}
