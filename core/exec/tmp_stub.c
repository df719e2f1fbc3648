/* TEMPORARY (not committed): until the exec branch merges. */
#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/mm/vm.h"
#include "fs/vfs.h"
int exec_args_from_user(struct exec_args *args, struct address_space *as,
			uaddr_t argv, uaddr_t envp, uint64_t limit)
{ (void)args; (void)as; (void)argv; (void)envp; (void)limit; return -ENOEXEC; }
int exec_args_from_kernel(struct exec_args *args, const char *const *argv,
			  const char *const *envp)
{ (void)args; (void)argv; (void)envp; return 0; }
void exec_args_free(struct exec_args *args) { (void)args; }
int exec_load(const struct vfs_caller *caller, struct vfs_file *dir,
	      const char *path, int at_flags, struct exec_args *args,
	      const struct exec_cred *cred, struct exec_image *image)
{ (void)caller; (void)dir; (void)path; (void)at_flags; (void)args; (void)cred; (void)image; return -ENOEXEC; }
void exec_image_release(struct exec_image *image)
{ if (image->as) vm_put(image->as); if (image->file) vfs_file_put(image->file); }
