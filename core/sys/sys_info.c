/*
 * System identification: uname(2), sethostname(2) and setdomainname(2).
 * The host and domain names start as Linux's "(none)"; `names_lock`
 * protects them.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/utsname.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sync/spinlock.h"

#define NAME_MAX_LENGTH 64	/* __NEW_UTS_LEN */

static struct spinlock names_lock = SPINLOCK_INIT("uts_names",
						  LOCK_RANK_VFS_LEAF);
static char hostname[NAME_MAX_LENGTH + 1] = "(none)";
static char domainname[NAME_MAX_LENGTH + 1] = "(none)";

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
	spin_lock(&names_lock);
	kstrlcpy(name.nodename, hostname, sizeof(name.nodename));
	kstrlcpy(name.domainname, domainname, sizeof(name.domainname));
	spin_unlock(&names_lock);
	kstrlcpy(name.release, SYS_UNAME_RELEASE, sizeof(name.release));
	kstrlcpy(name.version, "#1 SMP Amphi", sizeof(name.version));
	kstrlcpy(name.machine, "x86_64", sizeof(name.machine));
	return vm_copy_to_user(ctx->as, args->arg[0], &name, sizeof(name));
}

/* sethostname/setdomainname: euid 0 only (CAP_SYS_ADMIN), 64 bytes. */
static long set_name(struct syscall_context *ctx,
		     const struct syscall_args *args, char *target)
{
	uint64_t length = args->arg[1];
	char name[NAME_MAX_LENGTH + 1];
	int err;

	if (ctx->task && READ_ONCE(ctx->task->process->cred.euid) != 0)
		return -EPERM;
	if (length > NAME_MAX_LENGTH)
		return -EINVAL;
	if (ctx->as == NULL)
		return -EFAULT;
	err = vm_copy_from_user(ctx->as, name, args->arg[0], length);
	if (err < 0)
		return err;
	name[length] = '\0';
	spin_lock(&names_lock);
	memset(target, 0, NAME_MAX_LENGTH + 1);
	memcpy(target, name, length);
	spin_unlock(&names_lock);
	return 0;
}

long sys_sethostname(struct syscall_context *ctx,
		     const struct syscall_args *args)
{
	return set_name(ctx, args, hostname);
}

long sys_setdomainname(struct syscall_context *ctx,
		       const struct syscall_args *args)
{
	return set_name(ctx, args, domainname);
}
