/*
 * System identification: uname(2). The answers are constants (Linux's
 * defaults until sethostname and setdomainname exist), so no state and
 * no locks.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/utsname.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"

/*
 * A Linux release string: C libraries compare it against their minimum
 * kernel version, so it must look like one.
 */
#define SYS_UNAME_RELEASE "6.1.0-amphi"

long sys_uname(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct utsname name;

	if (ctx->as == NULL)
		return -EFAULT;
	/* Zero first: every byte reaches user space, padding included. */
	memset(&name, 0, sizeof(name));
	kstrlcpy(name.sysname, "Linux", sizeof(name.sysname));
	kstrlcpy(name.nodename, "(none)", sizeof(name.nodename));
	kstrlcpy(name.release, SYS_UNAME_RELEASE, sizeof(name.release));
	kstrlcpy(name.version, "#1 SMP Amphi", sizeof(name.version));
	kstrlcpy(name.machine, "x86_64", sizeof(name.machine));
	kstrlcpy(name.domainname, "(none)", sizeof(name.domainname));
	return vm_copy_to_user(ctx->as, args->arg[0], &name, sizeof(name));
}
