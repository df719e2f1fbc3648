/*
 * The memory syscalls: mmap, munmap, mprotect, brk, mremap, madvise,
 * msync and mincore, over the caller's address space (core/mm/vm.h does the work and
 * the validation). File mappings look the descriptor up in the caller's
 * table and hold the file only for the call: the mapping takes its own
 * reference. No state, no locks of its own.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/mm/vm.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

long sys_mmap(struct syscall_context *ctx, const struct syscall_args *args)
{
	unsigned int prot = (unsigned int)args->arg[2];
	unsigned int flags = (unsigned int)args->arg[3];
	int fd = (int)args->arg[4];
	uint64_t offset = args->arg[5];
	struct vfs_file *file = NULL;
	long result;

	if (ctx->as == NULL)
		return -ENOSYS;
	/* Linux checks the offset before it looks at the descriptor. */
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		if (ctx->files == NULL)
			return -EBADF;
		file = fd_get(ctx->files, fd);
		if (file == NULL)
			return -EBADF;
	}
	result = vm_mmap_file(ctx->as, args->arg[0], args->arg[1], prot, flags,
			      offset, file, ctx->vm_limits);
	if (file != NULL)
		vfs_file_put(file);
	return result;
}

long sys_munmap(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_munmap(ctx->as, args->arg[0], args->arg[1]);
}

long sys_mprotect(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_mprotect(ctx->as, args->arg[0], args->arg[1],
			   (unsigned int)args->arg[2], ctx->vm_limits);
}

long sys_brk(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return (long)vm_brk(ctx->as, args->arg[0], ctx->vm_limits);
}

long sys_mremap(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_mremap(ctx->as, args->arg[0], args->arg[1], args->arg[2],
			 (unsigned int)args->arg[3], args->arg[4],
			 ctx->vm_limits);
}

long sys_madvise(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_madvise(ctx->as, args->arg[0], args->arg[1],
			  (int)args->arg[2]);
}

long sys_msync(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_msync(ctx->as, args->arg[0], args->arg[1],
			(unsigned int)args->arg[2]);
}

long sys_mincore(struct syscall_context *ctx, const struct syscall_args *args)
{
	if (ctx->as == NULL)
		return -ENOSYS;
	return vm_mincore(ctx->as, args->arg[0], args->arg[1], args->arg[2]);
}
