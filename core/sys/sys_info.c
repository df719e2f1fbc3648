/*
 * System identification and power: uname(2), sethostname(2),
 * setdomainname(2) (also /proc/sys/kernel/hostname, core/sys/uts.h) and
 * reboot(2). The host and domain names start as Linux's "(none)";
 * `names_lock` protects them.
 */
#include "core/sys/sys_internal.h"

#include "core/hal/cpu.h"
#include "core/lib/printk.h"
#include "core/sys/trace.h"
#include "core/sys/uts.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/utsname.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sync/spinlock.h"

#define NAME_MAX_LENGTH UTS_NAME_MAX

static struct spinlock names_lock = SPINLOCK_INIT("uts_names",
						  LOCK_RANK_VFS_LEAF);
static char hostname[NAME_MAX_LENGTH + 1] = "(none)";
static char domainname[NAME_MAX_LENGTH + 1] = "(none)";


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
	kstrlcpy(name.release, UTS_RELEASE, sizeof(name.release));
	kstrlcpy(name.version, UTS_VERSION, sizeof(name.version));
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

size_t uts_hostname(char *buf, size_t size)
{
	size_t length;

	spin_lock(&names_lock);
	length = kstrlcpy(buf, hostname, size);
	spin_unlock(&names_lock);
	return MIN(length, size > 0 ? size - 1 : 0);
}

int uts_set_hostname(const char *name, size_t length)
{
	if (length > NAME_MAX_LENGTH)
		return -EINVAL;
	spin_lock(&names_lock);
	memset(hostname, 0, sizeof(hostname));
	memcpy(hostname, name, length);
	spin_unlock(&names_lock);
	return 0;
}

#define REBOOT_MAGIC1 0xfee1deadu
#define REBOOT_CMD_CAD_OFF 0x00000000u
#define REBOOT_CMD_RESTART 0x01234567u
#define REBOOT_CMD_HALT 0xcdef0123u
#define REBOOT_CMD_POWER_OFF 0x4321fedcu
#define REBOOT_CMD_CAD_ON 0x89abcdefu
#define REBOOT_CMD_RESTART2 0xa1b2c3d4u

static bool is_reboot_magic2(uint32_t magic)
{
	/* Linus's and his daughters' birthdays, as Linux checks them. */
	return magic == 672274793u || magic == 85072278u ||
	       magic == 369367448u || magic == 537993216u;
}

/*
 * reboot(2): euid 0 only (CAP_SYS_BOOT), then the magic numbers. Halt,
 * power-off and restart all end the kernel with status 0 through
 * hal_poweroff (FIXME: a real restart on x86_64); the Ctrl-Alt-Del
 * switches are accepted and have nothing to switch yet.
 */
long sys_reboot(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint32_t cmd = (uint32_t)args->arg[2];

	if (ctx->task && READ_ONCE(ctx->task->process->cred.euid) != 0)
		return -EPERM;
	if ((uint32_t)args->arg[0] != REBOOT_MAGIC1 ||
	    !is_reboot_magic2((uint32_t)args->arg[1]))
		return -EINVAL;
	switch (cmd) {
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_POWER_OFF:
	case REBOOT_CMD_RESTART:
	case REBOOT_CMD_RESTART2:
		if (ctx->task == NULL)
			return -EPERM;	/* the fuzzer's calls never power off */
		pr_info("reboot: %s", cmd == REBOOT_CMD_RESTART ||
			cmd == REBOOT_CMD_RESTART2 ? "restarting (powering off)" :
			"powering off");
		syscall_trace_poweroff();
		hal_poweroff(0);
	default:
		return -EINVAL;
	}
}
