/*
 * procfs per-process files: stat, status, statm, maps, limits, cmdline
 * and environ. Values are read under the owners' locks (proc_tree_lock
 * for the tree and threads, process->lock for names and credentials, the
 * address space's lock for VMAs) and formatted after, so no VFS lock is
 * taken inside them.
 */
#include "fs/procfs_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/mman.h"
#include "core/include/uapi/signal.h"
#include "core/include/uapi/time.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pgtable.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "fs/vfs_fs.h"
#include "fs/vfs_internal.h"

#define NS_PER_TICK (1000000000ULL / USER_HZ)
#define ALL_CAPABILITIES 0x000001ffffffffffULL	/* 0..CAP_LAST_CAP (40) */
#define STAT_SIGNALS 0x7fffffffULL	/* what stat shows of a signal set */

/* What the process files show of the tree and threads. */
struct pid_view {
	int ppid, pgid, sid, threads, nice;
	char state;
	uint64_t user_ns, system_ns;
	char comm[PROC_COMM_MAX];
	struct proc_cred cred;
	uint32_t umask;
	bool no_new_privs;
	/*
	 * Signals: the shown thread's pending and blocked sets (the first
	 * thread's for the process, as Linux), the process's.
	 */
	uint64_t pending, shared_pending, blocked, ignored, caught;
	unsigned int queued;
	uint64_t queue_limit;
};

static char thread_state(const struct task *task)
{
	return READ_ONCE(task->thread->state) == THREAD_BLOCKED ? 'S' : 'R';
}

/* The shown thread's signal sets (process->lock held). */
static void view_task_signals_locked(const struct task *task,
				     struct pid_view *view)
{
	view->pending = task->pending.set;
	view->blocked = task->sigmask;
}

/* Caller holds proc_tree_lock. tid 0: the whole thread group. */
static void view_threads_locked(struct process *process, int tid,
				struct pid_view *view)
{
	struct task *task;
	bool shown = false;

	view->state = 'S';
	for_each_task(task, &process->threads, thread_link) {
		uint64_t runtime = READ_ONCE(task->thread->runtime_ns);
		uint64_t user = READ_ONCE(task->thread->user_ns);

		if (tid != 0 && task->tid != tid)
			continue;
		if (thread_state(task) == 'R')
			view->state = 'R';
		view->user_ns += user;
		view->system_ns += runtime > user ? runtime - user : 0;
		view->nice = READ_ONCE(task->thread->nice);
		if (!shown) {
			spin_lock(&process->lock);
			view_task_signals_locked(task, view);
			spin_unlock(&process->lock);
			shown = true;
		}
	}
}

static void view_process(struct process *process, int tid,
			 struct pid_view *view)
{
	memset(view, 0, sizeof(*view));
	mutex_lock(&proc_tree_lock);
	view->ppid = process->parent ? process->parent->pid : 0;
	view->pgid = process->pgid;
	view->sid = process->sid;
	view->threads = (int)process->thread_count;
	if (process->state == PROC_ALIVE)
		view_threads_locked(process, tid, view);
	else
		view->state = 'Z';
	if (process->state == PROC_ALIVE && process->stopped)
		view->state = 'T';	/* a group stop holds every thread */
	mutex_unlock(&proc_tree_lock);
	spin_lock(&process->lock);
	kstrlcpy(view->comm, process->comm, sizeof(view->comm));
	view->cred = process->cred;
	view->umask = process->umask;
	view->no_new_privs = process->no_new_privs;
	view->shared_pending = process->shared_pending.set;
	view->queued = process->sigqueue_count;
	view->queue_limit = process->rlimits[RLIMIT_SIGPENDING].cur;
	for (int signal = 1; signal <= PROC_NSIG; signal++) {
		uint64_t handler = process->sigactions[signal - 1].handler;

		if (handler == SIG_IGN)
			view->ignored |= 1ULL << (signal - 1);
		else if (handler != SIG_DFL)
			view->caught |= 1ULL << (signal - 1);
	}
	spin_unlock(&process->lock);
}

/* The process's address space with a reference, or NULL (a zombie). */
static struct address_space *process_as(struct process *process)
{
	struct address_space *as;

	spin_lock(&process->lock);
	as = process->as;
	if (as)
		vm_get(as);
	spin_unlock(&process->lock);
	return as;
}

struct vm_usage {
	struct address_space *as;
	uint64_t size, resident, shared, text, data;
};

static int count_leaf(uint64_t va, pte_t *entry, void *arg)
{
	(void)va, (void)entry;
	(*(uint64_t *)arg)++;
	return 0;
}

static int add_vma(const struct vma *vma, void *arg)
{
	struct vm_usage *usage = arg;
	uint64_t pages = (vma->end - vma->start) / PAGE_SIZE, resident = 0;

	usage->size += pages;
	spin_lock(&usage->as->pt_lock);
	pgtable_for_each_leaf(usage->as->root, vma->start,
			      vma->end - vma->start, count_leaf, &resident);
	spin_unlock(&usage->as->pt_lock);
	usage->resident += resident;
	if (vma->object)
		usage->shared += resident;
	if ((vma->prot & PROT_EXEC) && vma->object)
		usage->text += pages;
	else if (!vma->object || !(vma->flags & VMA_SHARED))
		usage->data += pages;
	return 0;
}

/* Page counts of the process's memory; zeros for a zombie. */
static void vm_usage_of(struct process *process, struct vm_usage *usage)
{
	memset(usage, 0, sizeof(*usage));
	usage->as = process_as(process);
	if (usage->as == NULL)
		return;
	vm_for_each_vma(usage->as, add_vma, usage);
	vm_put(usage->as);
	usage->as = NULL;
}

void procfs_gen_pid_stat(struct proc_text *text, struct process *process,
			 int tid)
{
	struct pid_view view;
	struct vm_usage usage;

	view_process(process, tid, &view);
	vm_usage_of(process, &usage);
	proc_emit(text, "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 ",
		  tid ? tid : process->pid, view.comm, view.state, view.ppid,
		  view.pgid, view.sid);
	proc_emit(text, "%llu %llu 0 0 %d %d %d 0 %llu %llu %llu ",
		  (unsigned long long)(view.user_ns / NS_PER_TICK),
		  (unsigned long long)(view.system_ns / NS_PER_TICK),
		  20 + view.nice, view.nice, view.threads,
		  (unsigned long long)(process->start_ns / NS_PER_TICK),
		  (unsigned long long)(usage.size * PAGE_SIZE),
		  (unsigned long long)usage.resident);
	/*
	 * rsslim, the code/stack addresses read 0; the thread's pending
	 * and blocked sets, the ignored and caught ones, as decimals of
	 * their low 31 bits (Linux's "obsolete" fields).
	 */
	proc_emit(text, "18446744073709551615 0 0 0 0 0 %llu %llu %llu %llu "
		  "0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  (unsigned long long)(view.pending & STAT_SIGNALS),
		  (unsigned long long)(view.blocked & STAT_SIGNALS),
		  (unsigned long long)(view.ignored & STAT_SIGNALS),
		  (unsigned long long)(view.caught & STAT_SIGNALS));
}

/*
 * Every online CPU (no affinity masks yet), as Linux prints a bitmap of
 * nr_cpu_ids bits: hex in 32-bit groups, the first as wide as its bits.
 */
static void emit_cpus_allowed(struct proc_text *text)
{
	unsigned int cpus = sched_online_count();
	uint64_t mask = cpus >= 64 ? ~0ULL : (1ULL << cpus) - 1;

	if (cpus > 32)
		proc_emit(text, "Cpus_allowed:\t%0*llx,%08llx\n",
			  (int)(cpus - 32 + 3) / 4,
			  (unsigned long long)(mask >> 32),
			  (unsigned long long)(mask & 0xffffffffULL));
	else
		proc_emit(text, "Cpus_allowed:\t%0*llx\n", (int)(cpus + 3) / 4,
			  (unsigned long long)mask);
	if (cpus == 1)
		proc_emit(text, "Cpus_allowed_list:\t0\n");
	else
		proc_emit(text, "Cpus_allowed_list:\t0-%u\n", cpus - 1);
}

void procfs_gen_pid_status(struct proc_text *text, struct process *process,
			   int tid)
{
	static const char *const names[] = {
		['R'] = "running", ['S'] = "sleeping", ['T'] = "stopped",
		['Z'] = "zombie",
	};
	struct pid_view view;
	struct vm_usage usage;

	view_process(process, tid, &view);
	vm_usage_of(process, &usage);
	proc_emit(text, "Name:\t%s\nUmask:\t%04o\n", view.comm, view.umask);
	proc_emit(text, "State:\t%c (%s)\n", view.state,
		  names[(unsigned char)view.state]);
	proc_emit(text, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		  "TracerPid:\t0\n", process->pid, tid ? tid : process->pid,
		  view.ppid);
	proc_emit(text, "Uid:\t%u\t%u\t%u\t%u\n", view.cred.uid,
		  view.cred.euid, view.cred.suid, view.cred.fsuid);
	proc_emit(text, "Gid:\t%u\t%u\t%u\t%u\nGroups:\t", view.cred.gid,
		  view.cred.egid, view.cred.sgid, view.cred.fsgid);
	for (unsigned int i = 0; i < view.cred.group_count; i++)
		proc_emit(text, "%u ", view.cred.groups[i]);
	proc_emit(text, "\n");
	if (view.state != 'Z')
		proc_emit(text, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\n",
			  (unsigned long long)(usage.size * PAGE_SIZE / 1024),
			  (unsigned long long)(usage.resident * PAGE_SIZE /
					       1024));
	proc_emit(text, "Threads:\t%d\n", view.threads);
	proc_emit(text, "SigQ:\t%u/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  view.queued, (unsigned long long)view.queue_limit,
		  (unsigned long long)view.pending,
		  (unsigned long long)view.shared_pending,
		  (unsigned long long)view.blocked,
		  (unsigned long long)view.ignored,
		  (unsigned long long)view.caught);
	/*
	 * No capability sets of their own: uid 0 can do everything, as the
	 * sets Linux gives root (41 capabilities) and drops with it.
	 */
	proc_emit(text, "CapInh:\t%016llx\nCapPrm:\t%016llx\n"
		  "CapEff:\t%016llx\nCapBnd:\t%016llx\n"
		  "CapAmb:\t%016llx\n", 0ULL,
		  view.cred.uid == 0 || view.cred.euid == 0 ||
		  view.cred.suid == 0 ? ALL_CAPABILITIES : 0ULL,
		  view.cred.euid == 0 ? ALL_CAPABILITIES : 0ULL,
		  ALL_CAPABILITIES, 0ULL);
	proc_emit(text, "NoNewPrivs:\t%d\nSeccomp:\t0\n",
		  view.no_new_privs);
	emit_cpus_allowed(text);
}

void procfs_gen_pid_statm(struct proc_text *text, struct process *process)
{
	struct vm_usage usage;

	vm_usage_of(process, &usage);
	proc_emit(text, "%llu %llu %llu %llu 0 %llu 0\n",
		  (unsigned long long)usage.size,
		  (unsigned long long)usage.resident,
		  (unsigned long long)usage.shared,
		  (unsigned long long)usage.text,
		  (unsigned long long)usage.data);
}

/* One line of maps, copied out under the address space's lock. */
struct map_line {
	uaddr_t start, end;
	unsigned int prot, flags;
	uint64_t pgoff;
	struct vfs_file *file;		/* referenced, or NULL */
	const char *label;		/* [heap], [stack] or NULL */
};

struct maps_walk {
	struct address_space *as;
	struct map_line *lines;
	size_t count, capacity;
};

static int copy_vma(const struct vma *vma, void *arg)
{
	struct maps_walk *walk = arg;
	struct map_line *line;

	if (walk->count == walk->capacity)
		return -ENOSPC;
	line = &walk->lines[walk->count++];
	*line = (struct map_line){ vma->start, vma->end, vma->prot,
				   vma->flags, vma->pgoff, NULL, NULL };
	line->file = vm_object_file(vma->object);
	if (line->file)
		vfs_file_get(line->file);
	else if (vma->flags & VMA_GROWSDOWN)
		line->label = "[stack]";
	else if (vma->start < walk->as->brk && vma->end > walk->as->brk_start)
		line->label = "[heap]";
	return 0;
}

static void emit_map_line(struct proc_text *text, const struct map_line *line,
			  char *path)
{
	struct vfs_inode *inode = NULL;
	const char *name = line->label;
	uint32_t dev = 0;
	size_t start = text->length;

	if (line->file) {
		inode = vfs_dentry_inode(line->file->path.dentry);
		dev = line->file->path.mount->sb->dev;
		if (procfs_path_text(&line->file->path, path, PATH_MAX) == 0)
			name = path;
	}
	proc_emit(text, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		  (unsigned long long)line->start,
		  (unsigned long long)line->end,
		  line->prot & PROT_READ ? 'r' : '-',
		  line->prot & PROT_WRITE ? 'w' : '-',
		  line->prot & PROT_EXEC ? 'x' : '-',
		  line->flags & VMA_SHARED ? 's' : 'p',
		  (unsigned long long)(line->file ? line->pgoff * PAGE_SIZE : 0),
		  vfs_dev_major(dev), vfs_dev_minor(dev),
		  (unsigned long long)(inode ? inode->ino : 0));
	if (name) {
		size_t width = text->length - start;

		proc_emit(text, "%*s%s", width < 73 ? (int)(73 - width) : 0,
			  "", name);
	}
	proc_emit(text, "\n");
}

void procfs_gen_pid_maps(struct proc_text *text, struct process *process)
{
	struct maps_walk walk = { .as = process_as(process) };
	char *path;

	if (walk.as == NULL)
		return;
	walk.capacity = (size_t)READ_ONCE(walk.as->vma_count) + 16;
	walk.lines = kcalloc(walk.capacity, sizeof(*walk.lines));
	path = kmalloc(PATH_MAX);
	if (walk.lines && path) {
		vm_for_each_vma(walk.as, copy_vma, &walk);
		for (size_t i = 0; i < walk.count; i++)
			emit_map_line(text, &walk.lines[i], path);
	}
	for (size_t i = 0; i < walk.count; i++) {
		if (walk.lines[i].file)
			vfs_file_put(walk.lines[i].file);
	}
	kfree(path);
	kfree(walk.lines);
	vm_put(walk.as);
}

static const struct {
	const char *name, *unit;
} limit_names[RLIMIT_NLIMITS] = {
	{ "Max cpu time", "seconds" }, { "Max file size", "bytes" },
	{ "Max data size", "bytes" }, { "Max stack size", "bytes" },
	{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
	{ "Max processes", "processes" }, { "Max open files", "files" },
	{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
	{ "Max file locks", "locks" }, { "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" }, { "Max nice priority", "" },
	{ "Max realtime priority", "" }, { "Max realtime timeout", "us" },
};

static void emit_limit_value(struct proc_text *text, uint64_t value)
{
	if (value == RLIM_INFINITY)
		proc_emit(text, "%-20s ", "unlimited");
	else
		proc_emit(text, "%-20llu ", (unsigned long long)value);
}

void procfs_gen_pid_limits(struct proc_text *text, struct process *process)
{
	struct rlimit64 limits[RLIMIT_NLIMITS];

	spin_lock(&process->lock);
	memcpy(limits, process->rlimits, sizeof(limits));
	spin_unlock(&process->lock);
	proc_emit(text, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		  "Hard Limit", "Units");
	for (int i = 0; i < RLIMIT_NLIMITS; i++) {
		proc_emit(text, "%-25s ", limit_names[i].name);
		emit_limit_value(text, limits[i].cur);
		emit_limit_value(text, limits[i].max);
		proc_emit(text, "%-10s\n", limit_names[i].unit);
	}
}

/* The argv or envp strings, straight from the process's memory. */
void procfs_gen_pid_user_range(struct proc_text *text,
			       struct process *process, bool environment)
{
	struct address_space *as;
	uaddr_t start, end;

	spin_lock(&process->lock);
	as = process->as;
	if (as)
		vm_get(as);
	start = environment ? process->env_start : process->arg_start;
	end = environment ? process->env_end : process->arg_end;
	spin_unlock(&process->lock);
	if (as == NULL)
		return;
	if (end > start && end - start > text->capacity - text->length) {
		text->overflow = true;	/* a bigger buffer, or this prefix */
		end = start + (text->capacity - text->length);
	}
	if (end > start &&
	    vm_copy_from_user(as, text->data + text->length, start,
			      end - start) == 0)
		text->length += end - start;
	vm_put(as);
}
