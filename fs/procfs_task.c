/*
 * procfs threads: /proc/PID/task/ lists the tasks of a process, read
 * under proc_tree_lock (the tids are copied out, then reported).
 */
#include "fs/procfs_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/format.h"
#include "core/mm/kmem.h"
#include "core/proc/proc_internal.h"

#define TIDS_MAX 4096		/* threads one readdir call reports */

bool procfs_thread_alive(int pid, int tid)
{
	struct task *task;
	bool alive;

	mutex_lock(&proc_tree_lock);
	task = task_lookup_locked(tid);
	alive = task != NULL && task->process->pid == pid && !task->exiting;
	mutex_unlock(&proc_tree_lock);
	return alive;
}

/* The sorted tids >= from of process `pid`; their count or -errno. */
static int collect_tids(int pid, int from, int *tids)
{
	struct process *process;
	struct task *task;
	int count = 0;

	mutex_lock(&proc_tree_lock);
	process = process_lookup_locked(pid);
	if (process == NULL) {
		mutex_unlock(&proc_tree_lock);
		return -ENOENT;
	}
	for_each_task(task, &process->threads, thread_link) {
		if (task->tid >= from && count < TIDS_MAX)
			tids[count++] = task->tid;
	}
	mutex_unlock(&proc_tree_lock);
	for (int i = 1; i < count; i++) {
		int tid = tids[i], j = i;

		for (; j > 0 && tids[j - 1] > tid; j--)
			tids[j] = tids[j - 1];
		tids[j] = tid;
	}
	return count;
}

int procfs_readdir_tids(int pid, uint64_t *pos, vfs_filldir_fn fill,
			void *ctx, uint64_t ino_base)
{
	int *tids = kcalloc(TIDS_MAX, sizeof(int));
	char name[16];
	int count;

	if (tids == NULL)
		return -ENOMEM;
	count = collect_tids(pid, (int)(*pos - 2), tids);
	for (int i = 0; i < count; i++) {
		int length = ksnprintf(name, sizeof(name), "%d", tids[i]);

		*pos = (uint64_t)tids[i] + 2;
		if (!fill(ctx, name, (size_t)length,
			  ino_base + ((uint64_t)(tids[i] + 1) << 8), 4,
			  *pos + 1))
			break;
		*pos += 1;
	}
	kfree(tids);
	return count < 0 ? count : 0;
}
