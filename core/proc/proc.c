/*
 * Process and task objects and the id table. Ids are handed out in
 * increasing order and wrap at PROC_PID_MAX (skipping ids in use by a
 * task, a process or a live process group or session), as Linux does, so
 * a reused pid is rare. The table is two hashes (processes by pid, tasks
 * by tid) under proc_tree_lock.
 */
#include "core/proc/proc_internal.h"

#include "core/hal/time.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/vm.h"
#include "core/sched/thread.h"
#include "fs/fdtable.h"

#define ID_BUCKETS 256u

/* Ranked above the VFS locks: procfs lookups take it under tree_lock. */
struct mutex proc_tree_lock = MUTEX_INIT(proc_tree_lock, "proc_tree",
					 LOCK_RANK_MUTEX);
struct process *proc_init_process;

static struct list_head process_buckets[ID_BUCKETS];
static struct list_head task_buckets[ID_BUCKETS];
static struct list_head all_processes = LIST_HEAD_INIT(all_processes);
static int next_id = 1;
static unsigned int process_total;	/* allocated, not yet freed */
static unsigned int task_total;
static uint64_t ids_allocated;		/* /proc/stat "processes" */
static int last_id;			/* /proc/loadavg */

void proc_init(void)
{
	for (unsigned int i = 0; i < ID_BUCKETS; i++) {
		list_init(&process_buckets[i]);
		list_init(&task_buckets[i]);
	}
}

static unsigned int bucket(int id)
{
	return (unsigned int)id % ID_BUCKETS;
}

struct process *process_lookup_locked(int pid)
{
	struct process *process;

	if (pid <= 0)
		return NULL;
	list_for_each_entry(process, &process_buckets[bucket(pid)], pid_link) {
		if (process->pid == pid)
			return process;
	}
	return NULL;
}

struct task *task_lookup_locked(int tid)
{
	struct task *task;

	if (tid <= 0)
		return NULL;
	for_each_task(task, &task_buckets[bucket(tid)], tid_link) {
		if (task->tid == tid)
			return task;
	}
	return NULL;
}

/* Whether `id` names a live process group or session (lock held). */
static bool id_is_group(int id)
{
	struct process *process;

	list_for_each_entry(process, &all_processes, all_link) {
		if (process->pgid == id || process->sid == id)
			return true;
	}
	return false;
}

/* The next free id (proc_tree_lock held), or -EAGAIN when none is free. */
static int id_alloc_locked(void)
{
	for (int tries = 0; tries < PROC_PID_MAX; tries++) {
		int id = next_id;

		next_id = next_id >= PROC_PID_MAX - 1 ? 300 : next_id + 1;
		if (task_lookup_locked(id) == NULL &&
		    process_lookup_locked(id) == NULL && !id_is_group(id)) {
			WRITE_ONCE(last_id, id);
			WRITE_ONCE(ids_allocated, ids_allocated + 1);
			return id;
		}
	}
	return -EAGAIN;
}

struct process *process_alloc(void)
{
	struct process *process = kzalloc(sizeof(*process));
	int pid;

	if (process == NULL)
		return NULL;
	list_init(&process->children);
	list_init(&process->sibling);
	list_init(&process->threads);
	wait_queue_init(&process->child_wait);
	wait_queue_init(&process->stop_wait);
	list_init(&process->shared_pending.queue);
	list_init(&process->itimer_link);
	spin_init(&process->lock, "process", LOCK_RANK_VFS_LEAF);
	process->refcount = 1;
	process->state = PROC_ALIVE;
	process->start_ns = hal_clock_ns();
	mutex_lock(&proc_tree_lock);
	pid = id_alloc_locked();
	if (pid < 0) {
		mutex_unlock(&proc_tree_lock);
		kfree(process);
		return NULL;
	}
	process->pid = pid;
	list_add_tail(&process->pid_link, &process_buckets[bucket(pid)]);
	list_add_tail(&process->all_link, &all_processes);
	process_total++;
	mutex_unlock(&proc_tree_lock);
	return process;
}

void process_unhash(struct process *process)
{
	list_remove(&process->pid_link);
	list_remove(&process->all_link);
}

void process_get(struct process *process)
{
	__atomic_fetch_add(&process->refcount, 1, __ATOMIC_RELAXED);
}

/* Releases what the process still holds (an unstarted or reaped one). */
static void process_free(struct process *process)
{
	if (process->as)
		vm_put(process->as);
	if (process->files)
		fd_table_put(process->files);
	if (process->fs)
		vfs_fs_context_put(process->fs);
	if (process->exe)
		vfs_file_put(process->exe);
	signal_pending_release(process, &process->shared_pending);
	mutex_lock(&proc_tree_lock);
	proc_ctty_drop_locked(process);
	if (list_is_linked(&process->pid_link))
		process_unhash(process);
	process_total--;
	mutex_unlock(&proc_tree_lock);
	kfree(process);
}

void process_put(struct process *process)
{
	if (__atomic_sub_fetch(&process->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		process_free(process);
}

struct process *process_lookup(int pid)
{
	struct process *process;

	mutex_lock(&proc_tree_lock);
	process = process_lookup_locked(pid);
	if (process && process->state != PROC_REAPED)
		process_get(process);
	else
		process = NULL;
	mutex_unlock(&proc_tree_lock);
	return process;
}

struct task *task_alloc(struct process *process)
{
	struct task *task = kzalloc(sizeof(*task));
	int tid;

	if (task == NULL)
		return NULL;
	list_init(&task->thread_link);
	list_init(&task->pending.queue);
	task->refcount = 1;
	task->process = process;
	process_get(process);
	mutex_lock(&proc_tree_lock);
	/* A process's first task has the process's id (tid == tgid). */
	tid = list_is_empty(&process->threads) &&
			      task_lookup_locked(process->pid) == NULL ?
		      process->pid : id_alloc_locked();
	if (tid < 0) {
		mutex_unlock(&proc_tree_lock);
		process_put(process);
		kfree(task);
		return NULL;
	}
	task->tid = tid;
	list_add_tail(&task->tid_link, &task_buckets[bucket(tid)]);
	task_total++;
	mutex_unlock(&proc_tree_lock);
	task->caller.cred = &task->vfs_cred;
	return task;
}

void task_unhash(struct task *task)
{
	if (list_is_linked(&task->tid_link))
		list_remove(&task->tid_link);
}

void task_get(struct task *task)
{
	__atomic_fetch_add(&task->refcount, 1, __ATOMIC_RELAXED);
}

void task_put(struct task *task)
{
	if (__atomic_sub_fetch(&task->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	hal_user_release(&task->user);
	signal_pending_release(task->process, &task->pending);
	mutex_lock(&proc_tree_lock);
	task_unhash(task);
	task_total--;
	mutex_unlock(&proc_tree_lock);
	if (task->thread)
		thread_put(task->thread);
	process_put(task->process);
	kfree(task);
}

void task_refresh_cred(struct task *task)
{
	struct process *process = task->process;

	spin_lock(&process->lock);
	task->vfs_cred.uid = process->cred.fsuid;
	task->vfs_cred.gid = process->cred.fsgid;
	task->vfs_cred.group_count = process->cred.group_count;
	memcpy(task->vfs_cred.groups, process->cred.groups,
	       sizeof(task->vfs_cred.groups));
	task->vfs_cred.umask = process->umask;
	task->caller.fs = process->fs;
	spin_unlock(&process->lock);
}

uint64_t proc_forks_total(void)
{
	return READ_ONCE(ids_allocated);
}

int proc_last_pid(void)
{
	return READ_ONCE(last_id);
}

unsigned int proc_process_count(void)
{
	return __atomic_load_n(&process_total, __ATOMIC_RELAXED);
}

unsigned int proc_task_count(void)
{
	return __atomic_load_n(&task_total, __ATOMIC_RELAXED);
}

int proc_for_each(int (*fn)(struct process *process, void *arg), void *arg)
{
	struct process *process;
	int err = 0;

	mutex_lock(&proc_tree_lock);
	list_for_each_entry(process, &all_processes, all_link) {
		if (process->state == PROC_REAPED)
			continue;
		err = fn(process, arg);
		if (err < 0)
			break;
	}
	mutex_unlock(&proc_tree_lock);
	return err;
}

void proc_default_limits(struct rlimit64 *limits)
{
	for (unsigned int i = 0; i < RLIMIT_NLIMITS; i++)
		limits[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	limits[RLIMIT_STACK] = (struct rlimit64){ 8ULL << 20, RLIM_INFINITY };
	limits[RLIMIT_CORE] = (struct rlimit64){ 0, RLIM_INFINITY };
	limits[RLIMIT_NOFILE] = (struct rlimit64){ 1024, 4096 * 256 };
	limits[RLIMIT_NPROC] = (struct rlimit64){ 63459, 63459 };
	limits[RLIMIT_MEMLOCK] = (struct rlimit64){ 8ULL << 20, 8ULL << 20 };
	limits[RLIMIT_SIGPENDING] = (struct rlimit64){ 63459, 63459 };
	limits[RLIMIT_MSGQUEUE] = (struct rlimit64){ 819200, 819200 };
	limits[RLIMIT_NICE] = (struct rlimit64){ 0, 0 };
	limits[RLIMIT_RTPRIO] = (struct rlimit64){ 0, 0 };
}

bool proc_group_in_session_locked(int pgid, int sid)
{
	struct process *process;

	/* A zombie is in its group until reaped, as Linux's PIDTYPE_PGID. */
	list_for_each_entry(process, &all_processes, all_link) {
		if (process->state != PROC_REAPED && process->pgid == pgid &&
		    process->sid == sid)
			return true;
	}
	return false;
}

struct list_head *proc_all_processes_locked(void)
{
	return &all_processes;
}
