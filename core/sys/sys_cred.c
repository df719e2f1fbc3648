/*
 * Credentials: the uid and gid families and supplementary groups, with
 * Linux's rules for unprivileged callers (a process may only move between
 * its real, effective and saved ids; euid 0 stands for CAP_SETUID and
 * CAP_SETGID). Changes are made under the process's lock and copied into
 * each task's file-system credentials (task_refresh_cred).
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc_internal.h"

#define ID_UNCHANGED 0xffffffffu
#define NGROUPS_MAX 65536

static struct process *current_process(struct syscall_context *ctx)
{
	return ctx->task ? ctx->task->process : NULL;
}

/* Reads one id from the process credentials. */
#define GET_ID(name, field)                                                  \
	long sys_##name(struct syscall_context *ctx,                         \
			const struct syscall_args *args)                     \
	{                                                                    \
		struct process *process = current_process(ctx);              \
		uint32_t id;                                                 \
                                                                             \
		(void)args;                                                  \
		if (process == NULL)                                         \
			return -ENOSYS;                                      \
		spin_lock(&process->lock);                                   \
		id = process->cred.field;                                    \
		spin_unlock(&process->lock);                                 \
		return id;                                                   \
	}

GET_ID(getuid, uid)
GET_ID(geteuid, euid)
GET_ID(getgid, gid)
GET_ID(getegid, egid)

/* One of the ids an unprivileged process may take. */
static bool is_own(uint32_t id, uint32_t real, uint32_t effective,
		   uint32_t saved)
{
	return id == real || id == effective || id == saved;
}

/*
 * setresuid/setresgid on the id triple at `ids` (real, effective, saved,
 * then fs): unprivileged callers may only pick their own values.
 */
static long set_res(struct syscall_context *ctx, bool group, uint32_t real,
		    uint32_t effective, uint32_t saved)
{
	struct process *process = current_process(ctx);
	uint32_t *ids;
	bool privileged;
	long err = 0;

	if (process == NULL)
		return -ENOSYS;
	spin_lock(&process->lock);
	ids = group ? &process->cred.gid : &process->cred.uid;
	privileged = process->cred.euid == 0;
	if (!privileged &&
	    ((real != ID_UNCHANGED && !is_own(real, ids[0], ids[1], ids[2])) ||
	     (effective != ID_UNCHANGED &&
	      !is_own(effective, ids[0], ids[1], ids[2])) ||
	     (saved != ID_UNCHANGED && !is_own(saved, ids[0], ids[1], ids[2]))))
		err = -EPERM;
	if (err == 0) {
		if (real != ID_UNCHANGED)
			ids[0] = real;
		if (effective != ID_UNCHANGED)
			ids[1] = effective;
		if (saved != ID_UNCHANGED)
			ids[2] = saved;
		ids[3] = ids[1];	/* fs id follows the effective id */
	}
	spin_unlock(&process->lock);
	if (err == 0)
		task_refresh_cred(ctx->task);
	return err;
}

static long set_one(struct syscall_context *ctx, bool group, uint32_t id)
{
	struct process *process = current_process(ctx);
	uint32_t *ids;
	long err = 0;

	if (process == NULL)
		return -ENOSYS;
	if (id == ID_UNCHANGED)
		return -EINVAL;
	spin_lock(&process->lock);
	ids = group ? &process->cred.gid : &process->cred.uid;
	if (process->cred.euid == 0)
		ids[0] = ids[1] = ids[2] = ids[3] = id;
	else if (id == ids[0] || id == ids[2])
		ids[1] = ids[3] = id;
	else
		err = -EPERM;
	spin_unlock(&process->lock);
	if (err == 0)
		task_refresh_cred(ctx->task);
	return err;
}

long sys_setuid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_one(ctx, false, (uint32_t)args->arg[0]);
}

long sys_setgid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_one(ctx, true, (uint32_t)args->arg[0]);
}

/*
 * setreuid/setregid: the real id may become the real or effective one,
 * the effective id any of the three; the saved id follows the new
 * effective id when the real id is set or the effective id leaves the
 * real one.
 */
static long set_re(struct syscall_context *ctx, bool group, uint32_t real,
		   uint32_t effective)
{
	struct process *process = current_process(ctx);
	uint32_t *ids;
	long err = 0;

	if (process == NULL)
		return -ENOSYS;
	spin_lock(&process->lock);
	ids = group ? &process->cred.gid : &process->cred.uid;
	if (process->cred.euid != 0 &&
	    ((real != ID_UNCHANGED && real != ids[0] && real != ids[1]) ||
	     (effective != ID_UNCHANGED &&
	      !is_own(effective, ids[0], ids[1], ids[2])))) {
		err = -EPERM;
	} else {
		uint32_t old_real = ids[0];

		if (real != ID_UNCHANGED)
			ids[0] = real;
		if (effective != ID_UNCHANGED)
			ids[1] = effective;
		if (real != ID_UNCHANGED ||
		    (effective != ID_UNCHANGED && effective != old_real))
			ids[2] = ids[1];
		ids[3] = ids[1];
	}
	spin_unlock(&process->lock);
	if (err == 0)
		task_refresh_cred(ctx->task);
	return err;
}

long sys_setreuid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_re(ctx, false, (uint32_t)args->arg[0],
		      (uint32_t)args->arg[1]);
}

long sys_setregid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_re(ctx, true, (uint32_t)args->arg[0],
		      (uint32_t)args->arg[1]);
}

long sys_setresuid(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return set_res(ctx, false, (uint32_t)args->arg[0],
		       (uint32_t)args->arg[1], (uint32_t)args->arg[2]);
}

long sys_setresgid(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return set_res(ctx, true, (uint32_t)args->arg[0],
		       (uint32_t)args->arg[1], (uint32_t)args->arg[2]);
}

static long get_res(struct syscall_context *ctx,
		    const struct syscall_args *args, bool group)
{
	struct process *process = current_process(ctx);
	uint32_t ids[3];

	if (process == NULL)
		return -ENOSYS;
	spin_lock(&process->lock);
	for (int i = 0; i < 3; i++)
		ids[i] = group ? (&process->cred.gid)[i] : (&process->cred.uid)[i];
	spin_unlock(&process->lock);
	for (int i = 0; i < 3; i++) {
		int err = vm_copy_to_user(ctx->as, args->arg[i], &ids[i],
					  sizeof(ids[i]));

		if (err < 0)
			return err;
	}
	return 0;
}

long sys_getresuid(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return get_res(ctx, args, false);
}

long sys_getresgid(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	return get_res(ctx, args, true);
}

/* setfsuid/setfsgid return the old id whether or not they changed it. */
static long set_fs(struct syscall_context *ctx, bool group, uint32_t id)
{
	struct process *process = current_process(ctx);
	uint32_t *ids, old;

	if (process == NULL)
		return -ENOSYS;
	spin_lock(&process->lock);
	ids = group ? &process->cred.gid : &process->cred.uid;
	old = ids[3];
	if (process->cred.euid == 0 || is_own(id, ids[0], ids[1], ids[2]) ||
	    id == ids[3])
		ids[3] = id;
	spin_unlock(&process->lock);
	task_refresh_cred(ctx->task);
	return old;
}

long sys_setfsuid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_fs(ctx, false, (uint32_t)args->arg[0]);
}

long sys_setfsgid(struct syscall_context *ctx, const struct syscall_args *args)
{
	return set_fs(ctx, true, (uint32_t)args->arg[0]);
}

long sys_getgroups(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	struct process *process = current_process(ctx);
	int size = (int)args->arg[0];
	uint32_t groups[VFS_NGROUPS_MAX];
	unsigned int count;

	if (process == NULL)
		return -ENOSYS;
	if (size < 0)
		return -EINVAL;
	spin_lock(&process->lock);
	count = process->cred.group_count;
	for (unsigned int i = 0; i < count; i++)
		groups[i] = process->cred.groups[i];
	spin_unlock(&process->lock);
	if (size == 0)
		return count;
	if ((unsigned int)size < count)
		return -EINVAL;
	int err = vm_copy_to_user(ctx->as, args->arg[1], groups,
				  count * sizeof(groups[0]));

	return err < 0 ? err : (long)count;
}

long sys_setgroups(struct syscall_context *ctx,
		   const struct syscall_args *args)
{
	struct process *process = current_process(ctx);
	uint64_t size = args->arg[0];
	uint32_t groups[VFS_NGROUPS_MAX];
	int err;

	if (process == NULL)
		return -ENOSYS;
	if (size > NGROUPS_MAX)
		return -EINVAL;
	if (READ_ONCE(process->cred.euid) != 0)
		return -EPERM;
	/* FIXME: we keep VFS_NGROUPS_MAX groups, Linux 65536. */
	if (size > VFS_NGROUPS_MAX)
		return -EINVAL;
	err = vm_copy_from_user(ctx->as, groups, args->arg[1],
				size * sizeof(groups[0]));
	if (err < 0)
		return err;
	spin_lock(&process->lock);
	process->cred.group_count = (unsigned int)size;
	for (unsigned int i = 0; i < size; i++)
		process->cred.groups[i] = groups[i];
	spin_unlock(&process->lock);
	task_refresh_cred(ctx->task);
	return 0;
}
