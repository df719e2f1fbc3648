/*
 * The first process. pid 1 starts as root in the root directory with the
 * console on descriptors 0, 1 and 2 (as Linux's kernel_init), runs the
 * program the command line names, and its death powers the machine off.
 */
#include "core/proc/proc_internal.h"

#include "core/exec/exec.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "fs/fdtable.h"

/* Opens the console three times over: stdin, stdout, stderr. */
static void open_console(struct task *task, struct fd_table *files)
{
	struct vfs_file *console = vfs_openat(&task->caller, NULL,
					      "/dev/console", O_RDWR, 0);

	if (IS_ERR(console)) {
		pr_warn("proc: unable to open an initial console (error %ld)",
			PTR_ERR(console));
		return;
	}
	for (int fd = 0; fd < 3; fd++) {
		vfs_file_get(console);
		fd_install(files, console, 0, (unsigned int)fd, 1024);
	}
	vfs_file_put(console);
}

/*
 * Creates pid 1 around a loaded `image` (taken over) and starts it.
 * Returns 0 or -ENOMEM.
 */
int proc_start_first(struct exec_image *image)
{
	struct process *process = process_alloc();
	struct task *task;

	if (process == NULL) {
		exec_image_release(image);
		return -ENOMEM;
	}
	process->umask = 022;
	process->exit_signal = 0;
	proc_default_limits(process->rlimits);
	kstrlcpy(process->comm, "init", sizeof(process->comm));
	process->files = fd_table_create();
	process->fs = vfs_fs_context_create();
	if (IS_ERR(process->fs))
		process->fs = NULL;
	task = task_alloc(process);
	if (process->files == NULL || process->fs == NULL || task == NULL) {
		exec_image_release(image);
		if (task)
			task_put(task);
		process_put(process);	/* frees the files and fs context */
		return -ENOMEM;
	}
	task_refresh_cred(task);
	mutex_lock(&proc_tree_lock);
	proc_init_process = process;
	mutex_unlock(&proc_tree_lock);
	open_console(task, process->files);
	proc_exec_commit(task, image, NULL);
	return task_start(task);
}

int proc_start_init(const char *path, const char *const *argv,
		    const char *const *envp)
{
	struct exec_args args = { 0 };
	struct exec_cred cred = { 0 };
	struct vfs_cred vfs_cred = { .umask = 022 };
	struct vfs_fs_context *fs = vfs_fs_context_create();
	struct vfs_caller caller = { .cred = &vfs_cred, .fs = fs };
	struct exec_image image;
	int err;

	if (IS_ERR(fs))
		return (int)PTR_ERR(fs);
	err = exec_args_from_kernel(&args, argv, envp);
	if (err == 0)
		err = exec_load(&caller, NULL, path, 0, &args, &cred, &image);
	exec_args_free(&args);
	vfs_fs_context_put(fs);
	if (err < 0)
		return err;
	return proc_start_first(&image);
}
