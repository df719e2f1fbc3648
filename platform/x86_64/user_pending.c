/*
 * PLACEHOLDER until ring 3 lands (the x86user branch): no user code can
 * run on x86_64 yet, so every user thread is refused and killed.
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
