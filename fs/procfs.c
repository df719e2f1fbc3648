/*
 * procfs: the name space, inodes and file operations (the generators are
 * in procfs_sys.c and procfs_pid.c; docs/procfs.md lists the files).
 * Inodes are made at lookup and name what they show by (kind, pid, fd);
 * files are generated whole when opened into a buffer that starts at a
 * page and doubles (regenerating) while the text does not fit, up to
 * PROC_FILE_MAX, and are read from that snapshot at any offset, as
 * Linux's seq files appear to a reader. Dentries of processes that are gone stop
 * validating (vfs_super_ops.revalidate), so /proc follows the process
 * table. No state of its own: the process table has its own locks.
 */
#include "fs/procfs.h"

#include "fs/procfs_internal.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/cmdline.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/proc_internal.h"
#include "core/sched/thread.h"
#include "core/sys/uts.h"
#include "fs/fdtable.h"
#include "fs/vfs_fs.h"
#include "fs/vfs_internal.h"

#define PROC_SUPER_MAGIC 0x9fa0
/* readdir positions: fixed root entries, then PROC_POS_PID + pid. */
#define PROC_POS_PID 1024ULL
#define PROC_FILE_MAX (1024u * 1024u)	/* a generated file's limit */

enum proc_kind {
	K_ROOT = 1, K_SELF, K_MEMINFO, K_UPTIME, K_CMDLINE, K_PID_DIR,
	K_PID_EXE, K_PID_CWD, K_PID_FD_DIR, K_PID_FD, K_PID_CMDLINE,
	K_PID_ENVIRON, K_PID_STAT, K_PID_STATUS, K_PID_COMM, K_CPUINFO,
	K_STAT, K_LOADAVG, K_VERSION, K_FILESYSTEMS, K_MOUNTS, K_SYS_DIR,
	K_SYS_KERNEL_DIR, K_SYS_HOSTNAME, K_SYS_OSTYPE, K_SYS_OSRELEASE,
	K_SYS_VERSION, K_SYS_PID_MAX, K_PID_ROOT, K_PID_STATM, K_PID_MAPS,
	K_PID_LIMITS, K_PID_MOUNTS, K_PID_MOUNTINFO, K_THREAD_SELF,
	K_PID_TASK_DIR, K_TASK_DIR, K_PID_FDINFO_DIR, K_PID_FDINFO,
};

struct proc_inode {
	struct vfs_inode vfs;
	enum proc_kind kind;
	int pid;
	int fd;
};

struct proc_entry {
	const char *name;
	enum proc_kind kind;
	uint32_t mode;
};

static const struct proc_entry root_entries[] = {
	{ "self", K_SELF, S_IFLNK | 0777 },
	{ "thread-self", K_THREAD_SELF, S_IFLNK | 0777 },
	{ "meminfo", K_MEMINFO, S_IFREG | 0444 },
	{ "uptime", K_UPTIME, S_IFREG | 0444 },
	{ "cmdline", K_CMDLINE, S_IFREG | 0444 },
	{ "cpuinfo", K_CPUINFO, S_IFREG | 0444 },
	{ "stat", K_STAT, S_IFREG | 0444 },
	{ "loadavg", K_LOADAVG, S_IFREG | 0444 },
	{ "version", K_VERSION, S_IFREG | 0444 },
	{ "filesystems", K_FILESYSTEMS, S_IFREG | 0444 },
	{ "mounts", K_MOUNTS, S_IFLNK | 0777 },
	{ "sys", K_SYS_DIR, S_IFDIR | 0555 },
};

static const struct proc_entry sys_entries[] = {
	{ "kernel", K_SYS_KERNEL_DIR, S_IFDIR | 0555 },
};

static const struct proc_entry sys_kernel_entries[] = {
	{ "hostname", K_SYS_HOSTNAME, S_IFREG | 0644 },
	{ "ostype", K_SYS_OSTYPE, S_IFREG | 0444 },
	{ "osrelease", K_SYS_OSRELEASE, S_IFREG | 0444 },
	{ "version", K_SYS_VERSION, S_IFREG | 0444 },
	{ "pid_max", K_SYS_PID_MAX, S_IFREG | 0444 },
};

static const struct proc_entry pid_entries[] = {
	{ "exe", K_PID_EXE, S_IFLNK | 0777 },
	{ "cwd", K_PID_CWD, S_IFLNK | 0777 },
	{ "fd", K_PID_FD_DIR, S_IFDIR | 0500 },
	{ "fdinfo", K_PID_FDINFO_DIR, S_IFDIR | 0555 },
	{ "cmdline", K_PID_CMDLINE, S_IFREG | 0444 },
	{ "environ", K_PID_ENVIRON, S_IFREG | 0400 },
	{ "stat", K_PID_STAT, S_IFREG | 0444 },
	{ "status", K_PID_STATUS, S_IFREG | 0444 },
	{ "comm", K_PID_COMM, S_IFREG | 0644 },
	{ "root", K_PID_ROOT, S_IFLNK | 0777 },
	{ "statm", K_PID_STATM, S_IFREG | 0444 },
	{ "maps", K_PID_MAPS, S_IFREG | 0444 },
	{ "limits", K_PID_LIMITS, S_IFREG | 0444 },
	{ "mounts", K_PID_MOUNTS, S_IFREG | 0444 },
	{ "mountinfo", K_PID_MOUNTINFO, S_IFREG | 0444 },
	{ "task", K_PID_TASK_DIR, S_IFDIR | 0555 },
};

/* /proc/PID/task/TID: the thread's view (inode fd = the tid). */
static const struct proc_entry tid_entries[] = {
	{ "exe", K_PID_EXE, S_IFLNK | 0777 },
	{ "cwd", K_PID_CWD, S_IFLNK | 0777 },
	{ "root", K_PID_ROOT, S_IFLNK | 0777 },
	{ "cmdline", K_PID_CMDLINE, S_IFREG | 0444 },
	{ "environ", K_PID_ENVIRON, S_IFREG | 0400 },
	{ "stat", K_PID_STAT, S_IFREG | 0444 },
	{ "status", K_PID_STATUS, S_IFREG | 0444 },
	{ "statm", K_PID_STATM, S_IFREG | 0444 },
	{ "comm", K_PID_COMM, S_IFREG | 0644 },
	{ "maps", K_PID_MAPS, S_IFREG | 0444 },
	{ "limits", K_PID_LIMITS, S_IFREG | 0444 },
};

static const struct vfs_inode_ops dir_ops, link_ops, magic_link_ops, file_iops;
static const struct vfs_file_ops dir_fops, file_fops;

static struct proc_inode *PI(struct vfs_inode *inode)
{
	return container_of(inode, struct proc_inode, vfs);
}

static uint64_t make_ino(enum proc_kind kind, int pid, int fd)
{
	return ((uint64_t)(uint32_t)pid << 32) | ((uint64_t)(fd + 1) << 8) |
	       kind;
}

/* A new inode for (kind, pid, fd), owned by the process's user. */
static struct vfs_inode *make_inode(struct vfs_super *sb, enum proc_kind kind,
				    uint32_t mode, int pid, int fd)
{
	struct proc_inode *inode = kzalloc(sizeof(*inode));
	struct vfs_cred owner = { 0 };
	struct process *process;

	if (inode == NULL)
		return ERR_PTR(-ENOMEM);
	if (pid > 0 && (process = process_lookup(pid)) != NULL) {
		spin_lock(&process->lock);
		owner.uid = process->cred.euid;
		owner.gid = process->cred.egid;
		spin_unlock(&process->lock);
		process_put(process);
	}
	vfs_inode_init(&inode->vfs, sb, make_ino(kind, pid, fd), mode, &owner);
	inode->vfs.mode = mode;
	if (kind == K_PID_FD)
		inode->vfs.size = 64;	/* what stat shows on Linux */
	inode->kind = kind;
	inode->pid = pid;
	inode->fd = fd;
	if (S_ISDIR(mode)) {
		inode->vfs.ops = &dir_ops;
		inode->vfs.fops = &dir_fops;
		inode->vfs.nlink = 2;
	} else if (S_ISLNK(mode)) {
		inode->vfs.ops = kind == K_PID_FD || kind == K_PID_EXE ||
				 kind == K_PID_CWD || kind == K_PID_ROOT ?
				 &magic_link_ops : &link_ops;
	} else {
		inode->vfs.ops = &file_iops;
		inode->vfs.fops = &file_fops;
	}
	return &inode->vfs;
}

/* Parses a decimal id without sign or leading zeros; -1 if not one. */
static int parse_id(const char *name, size_t length)
{
	long value = 0;

	if (length == 0 || length > 9 || (name[0] == '0' && length > 1))
		return -1;
	for (size_t i = 0; i < length; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		value = value * 10 + (name[i] - '0');
	}
	return (int)value;
}

static bool process_alive(int pid)
{
	struct process *process = process_lookup(pid);
	bool alive = process != NULL;

	if (process)
		process_put(process);
	return alive;
}

static struct vfs_inode *lookup_entries(struct vfs_inode *dir,
					const struct proc_entry *entries,
					size_t count, const char *name,
					size_t length, int pid)
{
	int fd = PI(dir)->kind == K_TASK_DIR ? PI(dir)->fd : -1;

	for (size_t i = 0; i < count; i++) {
		if (kstrlen(entries[i].name) == length &&
		    memcmp(entries[i].name, name, length) == 0)
			return make_inode(dir->sb, entries[i].kind,
					  entries[i].mode, pid, fd);
	}
	return NULL;
}

/*
 * An fd link's mode shows how the file is open, as Linux's
 * proc_fd_instantiate: r-x when readable, -wx when writable (O_PATH and
 * O_ACCMODE 3: neither).
 */
static uint32_t fd_link_mode(const struct vfs_file *file)
{
	int flags = vfs_file_flags(file);
	unsigned int fmode = (flags & O_PATH) ? 0 :
			     ((unsigned int)(flags & O_ACCMODE) + 1) & 3;
	uint32_t mode = S_IFLNK;

	if (fmode & 1)
		mode |= 0500;
	if (fmode & 2)
		mode |= 0300;
	return mode;
}

/*
 * The file at `fd` of process `pid`, with a reference, or NULL; its
 * descriptor flags (FD_CLOEXEC) in *fd_flags if not NULL.
 */
static struct vfs_file *process_fd_flags(int pid, int fd, int *fd_flags)
{
	struct process *process = process_lookup(pid);
	struct vfs_file *file = NULL;
	struct fd_table *files = NULL;

	if (process == NULL)
		return NULL;
	spin_lock(&process->lock);
	files = process->files;
	if (files)
		fd_table_get(files);
	spin_unlock(&process->lock);
	process_put(process);
	if (files) {
		file = fd_get(files, fd);
		if (file != NULL && fd_flags != NULL)
			*fd_flags = fd_get_flags(files, fd);
		fd_table_put(files);
	}
	return file;
}

static struct vfs_file *process_fd(int pid, int fd)
{
	return process_fd_flags(pid, fd, NULL);
}

static struct vfs_inode *proc_lookup(struct vfs_inode *dir, const char *name,
				     size_t length)
{
	struct proc_inode *pdir = PI(dir);
	int id;

	switch (pdir->kind) {
	case K_ROOT:
		id = parse_id(name, length);
		if (id > 0)
			return process_alive(id) ?
				       make_inode(dir->sb, K_PID_DIR,
						  S_IFDIR | 0555, id, -1) :
				       NULL;
		return lookup_entries(dir, root_entries,
				      ARRAY_SIZE(root_entries), name, length, 0);
	case K_PID_DIR:
		return lookup_entries(dir, pid_entries, ARRAY_SIZE(pid_entries),
				      name, length, pdir->pid);
	case K_SYS_DIR:
		return lookup_entries(dir, sys_entries, ARRAY_SIZE(sys_entries),
				      name, length, 0);
	case K_TASK_DIR:
		return lookup_entries(dir, tid_entries, ARRAY_SIZE(tid_entries),
				      name, length, pdir->pid);
	case K_PID_TASK_DIR:
		id = parse_id(name, length);
		return id > 0 && procfs_thread_alive(pdir->pid, id) ?
			       make_inode(dir->sb, K_TASK_DIR, S_IFDIR | 0555,
					  pdir->pid, id) :
			       NULL;
	case K_SYS_KERNEL_DIR:
		return lookup_entries(dir, sys_kernel_entries,
				      ARRAY_SIZE(sys_kernel_entries), name,
				      length, 0);
	case K_PID_FD_DIR: {
		struct vfs_file *file;
		uint32_t mode;

		id = parse_id(name, length);
		if (id < 0)
			return NULL;

		file = process_fd(pdir->pid, id);
		if (file == NULL)
			return NULL;
		mode = fd_link_mode(file);
		vfs_file_put(file);
		return make_inode(dir->sb, K_PID_FD, mode, pdir->pid, id);
	}
	case K_PID_FDINFO_DIR: {
		struct vfs_file *file;

		id = parse_id(name, length);
		file = id < 0 ? NULL : process_fd(pdir->pid, id);
		if (file == NULL)
			return NULL;
		vfs_file_put(file);
		return make_inode(dir->sb, K_PID_FDINFO, S_IFREG | 0444,
				  pdir->pid, id);
	}
	default:
		return ERR_PTR(-ENOTDIR);
	}
}

struct pid_walk {
	int *pids;
	unsigned int count, capacity;
	int from;
};

static int collect_pid(struct process *process, void *arg)
{
	struct pid_walk *walk = arg;

	if (process->state != PROC_ALIVE || process->pid < walk->from)
		return 0;
	if (walk->count == walk->capacity)
		return -ENOSPC;
	walk->pids[walk->count++] = process->pid;
	return 0;
}

static void sort_ids(int *ids, unsigned int count)
{
	for (unsigned int i = 1; i < count; i++) {
		int id = ids[i];
		unsigned int j = i;

		for (; j > 0 && ids[j - 1] > id; j--)
			ids[j] = ids[j - 1];
		ids[j] = id;
	}
}

static uint32_t dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;	/* DT_* are the S_IFMT bits >> 12 */
}

static int readdir_entries(const struct proc_entry *entries, size_t count,
			   uint64_t *pos, vfs_filldir_fn fill, void *ctx,
			   uint64_t ino_base)
{
	for (; *pos - 2 < count; (*pos)++) {
		const struct proc_entry *entry = &entries[*pos - 2];

		if (!fill(ctx, entry->name, kstrlen(entry->name),
			  ino_base + entry->kind, dtype(entry->mode), *pos + 1))
			return 0;
	}
	return 1;
}

static int readdir_root(uint64_t *pos, vfs_filldir_fn fill, void *ctx)
{
	struct pid_walk walk = { .capacity = 4096 };
	char name[16];
	int err;

	if (*pos < PROC_POS_PID) {
		if (readdir_entries(root_entries, ARRAY_SIZE(root_entries), pos,
				    fill, ctx, 0) == 0)
			return 0;
		*pos = PROC_POS_PID;
	}
	walk.from = (int)(*pos - PROC_POS_PID);
	walk.pids = kmalloc(walk.capacity * sizeof(int));
	if (walk.pids == NULL)
		return -ENOMEM;
	err = proc_for_each(collect_pid, &walk);
	sort_ids(walk.pids, walk.count);
	for (unsigned int i = 0; i < walk.count; i++) {
		int length = ksnprintf(name, sizeof(name), "%d", walk.pids[i]);

		*pos = PROC_POS_PID + (uint64_t)walk.pids[i];
		if (!fill(ctx, name, (size_t)length,
			  make_ino(K_PID_DIR, walk.pids[i], -1), 4, *pos + 1))
			break;
		*pos += 1;
	}
	kfree(walk.pids);
	return err == -ENOSPC ? 0 : 0;
}

/* fd/ (links, `kind` K_PID_FD) or fdinfo/ (files, K_PID_FDINFO). */
static int readdir_fds(int pid, enum proc_kind kind, uint64_t *pos,
		       vfs_filldir_fn fill, void *ctx)
{
	struct process *process = process_lookup(pid);
	struct fd_table *files = NULL;
	char name[16];

	if (process == NULL)
		return -ENOENT;
	spin_lock(&process->lock);
	files = process->files;
	if (files)
		fd_table_get(files);
	spin_unlock(&process->lock);
	process_put(process);
	if (files == NULL)
		return 0;
	for (int fd = fd_next_open(files, (int)(*pos - 2)); fd >= 0;
	     fd = fd_next_open(files, fd + 1)) {
		int length = ksnprintf(name, sizeof(name), "%d", fd);

		*pos = (uint64_t)fd + 2;
		if (!fill(ctx, name, (size_t)length, make_ino(kind, pid, fd),
			  kind == K_PID_FD ? DT_LNK : DT_REG, *pos + 1))
			break;
		*pos += 1;
	}
	fd_table_put(files);
	return 0;
}

static int proc_readdir(struct vfs_inode *dir, uint64_t *pos,
			vfs_filldir_fn fill, void *ctx)
{
	struct proc_inode *pdir = PI(dir);

	switch (pdir->kind) {
	case K_ROOT:
		return readdir_root(pos, fill, ctx);
	case K_PID_DIR:
		readdir_entries(pid_entries, ARRAY_SIZE(pid_entries), pos, fill,
				ctx, make_ino(0, pdir->pid, -1));
		return 0;
	case K_PID_FD_DIR:
	case K_PID_FDINFO_DIR:
		return readdir_fds(pdir->pid, pdir->kind == K_PID_FD_DIR ?
				   K_PID_FD : K_PID_FDINFO, pos, fill, ctx);
	case K_SYS_DIR:
		readdir_entries(sys_entries, ARRAY_SIZE(sys_entries), pos, fill,
				ctx, 0);
		return 0;
	case K_TASK_DIR:
		readdir_entries(tid_entries, ARRAY_SIZE(tid_entries), pos, fill,
				ctx, make_ino(0, pdir->pid, pdir->fd));
		return 0;
	case K_PID_TASK_DIR:
		return procfs_readdir_tids(pdir->pid, pos, fill, ctx,
					   make_ino(K_TASK_DIR, pdir->pid, -1));
	case K_SYS_KERNEL_DIR:
		readdir_entries(sys_kernel_entries,
				ARRAY_SIZE(sys_kernel_entries), pos, fill, ctx,
				0);
		return 0;
	default:
		return -ENOTDIR;
	}
}

int procfs_caller_root(struct vfs_path *root)
{
	struct task *task = task_current();

	if (task == NULL || task->caller.fs == NULL)
		return vfs_root_path(root) < 0 ? -ENOENT : 0;
	spin_lock(&task->caller.fs->lock);
	*root = task->caller.fs->root;
	vfs_path_get(root);
	spin_unlock(&task->caller.fs->lock);
	return 0;
}

/* The path of `path` as the calling task's root sees it. */
static ssize_t path_text(const struct vfs_path *path, char *buf, size_t size)
{
	struct vfs_path root;
	ssize_t length;

	if (procfs_caller_root(&root) < 0)
		return -ENOENT;
	length = vfs_path_string(path, &root, buf, size);
	vfs_path_put(&root);
	return length;
}

int procfs_path_text(const struct vfs_path *path, char *buf, size_t size)
{
	ssize_t length = path_text(path, buf, size - 1);

	if (length < 0)
		return (int)length;
	buf[length] = '\0';
	return 0;
}

/*
 * The process's working or root directory, referenced (left empty for a
 * process without one). The fs context is referenced under the process
 * lock and read after it: its lock and the mount lock rank below it.
 */
static void process_dir(struct process *process, bool want_cwd,
			struct vfs_path *path)
{
	struct vfs_fs_context *fs;

	spin_lock(&process->lock);
	fs = process->fs;
	if (fs)
		vfs_fs_context_get(fs);
	spin_unlock(&process->lock);
	if (fs == NULL)
		return;
	spin_lock(&fs->lock);
	*path = want_cwd ? fs->cwd : fs->root;
	vfs_path_get(path);
	spin_unlock(&fs->lock);
	vfs_fs_context_put(fs);
}

/*
 * What /proc/PID/fd/N of a file without a path reads, as Linux:
 * `pipe:[ino]` or `anon_inode:[kind]`. Drops the file reference.
 */
static ssize_t anon_link_text(struct vfs_file *file, char *buf, size_t size)
{
	char text[48];
	ssize_t length;

	if (S_ISFIFO(vfs_file_mode(file)))
		length = ksnprintf(text, sizeof(text), "pipe:[%llu]",
				   (unsigned long long)file->inode->ino);
	else
		length = ksnprintf(text, sizeof(text), "anon_inode:[%s]",
				   file->ops->anon_name ? file->ops->anon_name :
							  "unknown");
	vfs_file_put(file);
	length = MIN((size_t)length, size);
	memcpy(buf, text, (size_t)length);
	return length;
}

/*
 * What a magic link (fd/N, exe, cwd, root) names: *path, referenced, or
 * *anon (referenced) for a file without a path. 0 or -ENOENT.
 */
static int magic_target(const struct proc_inode *pi, struct vfs_path *path,
			struct vfs_file **anon)
{
	struct vfs_file *file = NULL;
	struct process *process;

	*path = (struct vfs_path){ 0 };
	*anon = NULL;
	if (pi->kind == K_PID_FD) {
		file = process_fd(pi->pid, pi->fd);
	} else {
		process = process_lookup(pi->pid);
		if (process == NULL)
			return -ENOENT;
		spin_lock(&process->lock);
		if (pi->kind == K_PID_EXE && process->exe) {
			file = process->exe;
			vfs_file_get(file);
		}
		spin_unlock(&process->lock);
		if (pi->kind != K_PID_EXE)
			process_dir(process, pi->kind == K_PID_CWD, path);
		process_put(process);
		if (pi->kind != K_PID_EXE)
			return path->dentry != NULL ? 0 : -ENOENT;
	}
	if (file == NULL)
		return -ENOENT;
	if (vfs_file_is_anon(file)) {
		*anon = file;
		return 0;
	}
	*path = file->path;
	vfs_path_get(path);
	vfs_file_put(file);
	return 0;
}

static ssize_t proc_readlink(struct vfs_inode *inode, char *buf, size_t size)
{
	struct proc_inode *pi = PI(inode);
	struct vfs_file *anon;
	struct vfs_path path;
	char text[24];
	ssize_t length;
	char *scratch;
	int err;

	if (pi->kind == K_SELF || pi->kind == K_MOUNTS ||
	    pi->kind == K_THREAD_SELF) {
		struct task *task = task_current();

		if (task == NULL)
			return -ENOENT;
		length = ksnprintf(text, sizeof(text), pi->kind == K_SELF ?
				   "%d" : pi->kind == K_MOUNTS ? "%d/mounts" :
				   "%d/task/%d", task->process->pid, task->tid);
		length = MIN((size_t)length, size);
		memcpy(buf, text, (size_t)length);
		return length;
	}
	err = magic_target(pi, &path, &anon);
	if (err < 0)
		return err;
	if (anon != NULL)
		return anon_link_text(anon, buf, size);
	scratch = kmalloc(PATH_MAX);
	if (scratch == NULL) {
		length = -ENOMEM;
	} else {
		length = path_text(&path, scratch, PATH_MAX);
		if (length >= 0) {
			length = MIN((size_t)length, size);
			memcpy(buf, scratch, (size_t)length);
		}
		kfree(scratch);
	}
	vfs_path_put(&path);
	return length;
}

/* Following a magic link reaches the file itself (namei.c jump_link). */
static int proc_get_path(struct vfs_inode *inode, struct vfs_path *out)
{
	struct vfs_file *anon;
	int err = magic_target(PI(inode), out, &anon);

	if (err == 0 && anon != NULL) {
		/*
		 * A pipe's pseudo path (opening it adds an end). FIXME: Linux
		 * also stats an eventfd, timerfd or epoll through its link
		 * (open gives -ENXIO); here they lead nowhere.
		 */
		err = anon->ops->anon_path ? anon->ops->anon_path(anon, out) :
					     -ENOENT;
		vfs_file_put(anon);
	}
	return err;
}

static void gen_sys_kernel(struct proc_text *text, enum proc_kind kind)
{
	char name[UTS_NAME_MAX + 1];

	switch (kind) {
	case K_SYS_HOSTNAME:
		uts_hostname(name, sizeof(name));
		proc_emit(text, "%s\n", name);
		break;
	case K_SYS_OSTYPE:
		proc_emit(text, "Linux\n");
		break;
	case K_SYS_OSRELEASE:
		proc_emit(text, "%s\n", UTS_RELEASE);
		break;
	case K_SYS_VERSION:
		proc_emit(text, "%s\n", UTS_VERSION);
		break;
	default:
		proc_emit(text, "%d\n", PROC_PID_MAX);
		break;
	}
}

static void generate_system(struct proc_inode *pi, struct proc_text *text)
{
	switch (pi->kind) {
	case K_MEMINFO: procfs_gen_meminfo(text); break;
	case K_UPTIME: procfs_gen_uptime(text); break;
	case K_CMDLINE: proc_emit(text, "%s\n", cmdline_text()); break;
	case K_CPUINFO: procfs_gen_cpuinfo(text); break;
	case K_STAT: procfs_gen_stat(text); break;
	case K_LOADAVG: procfs_gen_loadavg(text); break;
	case K_VERSION: procfs_gen_version(text); break;
	case K_FILESYSTEMS: procfs_gen_filesystems(text); break;
	default: gen_sys_kernel(text, pi->kind); break;
	}
}

/*
 * fdinfo/N as Linux's seq_show: the position, the open flags with
 * O_CLOEXEC for the descriptor's flag, the mount id (0: an anonymous
 * file), the inode number. Nothing when the descriptor closed meanwhile.
 */
static void gen_fdinfo(const struct proc_inode *pi, struct proc_text *text)
{
	int fd_flags = 0, flags;
	struct vfs_file *file = process_fd_flags(pi->pid, pi->fd, &fd_flags);

	if (file == NULL)
		return;
	flags = vfs_file_flags(file);
	if (fd_flags & FD_CLOEXEC)
		flags |= O_CLOEXEC;
	proc_emit(text, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%llu\nino:\t%llu\n",
		  (long long)READ_ONCE(file->pos), (unsigned int)flags,
		  (unsigned long long)vfs_file_mount_id(file),
		  (unsigned long long)file->inode->ino);
	vfs_file_put(file);
}

static void generate_process(struct proc_inode *pi, struct process *process,
			     struct proc_text *text)
{
	int tid = pi->fd > 0 ? pi->fd : 0;	/* under task/TID */

	switch (pi->kind) {
	case K_PID_CMDLINE:
	case K_PID_ENVIRON:
		procfs_gen_pid_user_range(text, process,
					  pi->kind == K_PID_ENVIRON);
		break;
	case K_PID_STAT: procfs_gen_pid_stat(text, process, tid); break;
	case K_PID_STATUS: procfs_gen_pid_status(text, process, tid); break;
	case K_PID_STATM: procfs_gen_pid_statm(text, process); break;
	case K_PID_FDINFO: gen_fdinfo(pi, text); break;
	case K_PID_MAPS: procfs_gen_pid_maps(text, process); break;
	case K_PID_LIMITS: procfs_gen_pid_limits(text, process); break;
	case K_PID_MOUNTS:
	case K_PID_MOUNTINFO:
		procfs_gen_mounts(text, pi->kind == K_PID_MOUNTINFO);
		break;
	case K_PID_COMM:
		spin_lock(&process->lock);
		proc_emit(text, "%s\n", process->comm);
		spin_unlock(&process->lock);
		break;
	default:
		break;
	}
}

static int generate(struct proc_inode *pi, struct proc_text *text)
{
	struct process *process;

	if (pi->pid <= 0) {
		generate_system(pi, text);
		return 0;
	}
	process = process_lookup(pi->pid);
	if (process == NULL)
		return -ESRCH;
	generate_process(pi, process, text);
	process_put(process);
	return 0;
}

/* Generates into a buffer that doubles until the text fits. */
static int file_open(struct vfs_inode *inode, struct vfs_file *file)
{
	struct proc_text *text = kzalloc(sizeof(*text));
	int err;

	if (text == NULL)
		return -ENOMEM;
	for (size_t capacity = PAGE_SIZE;; capacity *= 2) {
		kfree(text->data);
		*text = (struct proc_text){ .capacity = capacity };
		text->data = kmalloc(capacity);
		err = text->data ? generate(PI(inode), text) : -ENOMEM;
		if (err < 0 || !text->overflow || capacity >= PROC_FILE_MAX)
			break;
	}
	if (err < 0) {
		kfree(text->data);
		kfree(text);
		return err;
	}
	file->private = text;
	return 0;
}

static void file_release(struct vfs_file *file)
{
	struct proc_text *text = file->private;

	kfree(text->data);
	kfree(text);
}

static ssize_t file_read(struct vfs_file *file, void *buf, size_t length,
			 int64_t *offset)
{
	struct proc_text *text = file->private;
	size_t start = (size_t)*offset;

	if (*offset < 0 || start >= text->length)
		return 0;
	length = MIN(length, text->length - start);
	memcpy(buf, text->data + start, length);
	*offset += (int64_t)length;
	return (ssize_t)length;
}

/* Linux's comm_write: the process itself only, 15 bytes, kept as sent. */
static ssize_t write_comm(struct proc_inode *pi, const void *buf,
			  size_t length)
{
	struct task *task = task_current();
	size_t kept = MIN(length, (size_t)PROC_COMM_MAX - 1);
	struct process *process = task ? task->process : NULL;

	if (process == NULL || process->pid != pi->pid)
		return -EINVAL;
	spin_lock(&process->lock);
	memset(process->comm, 0, sizeof(process->comm));
	memcpy(process->comm, buf, kept);
	spin_unlock(&process->lock);
	return (ssize_t)length;
}

/* Writable: comm and hostname; the rest fail as Linux's do. */
static ssize_t file_write(struct vfs_file *file, const void *buf,
			  size_t length, int64_t *offset)
{
	struct proc_inode *pi = PI(file->inode);

	if (pi->kind == K_PID_COMM)
		return write_comm(pi, buf, length);
	if (pi->kind == K_SYS_HOSTNAME)
		return procfs_write_hostname(buf, length, offset);
	return pi->pid > 0 ? -EINVAL : -EIO;
}

static int dir_open(struct vfs_inode *inode, struct vfs_file *file)
{
	(void)inode, (void)file;
	return 0;
}

static const struct vfs_inode_ops dir_ops = {
	.lookup = proc_lookup,
	.readdir = proc_readdir,
};
static const struct vfs_inode_ops link_ops = { .readlink = proc_readlink };
static const struct vfs_inode_ops magic_link_ops = {
	.readlink = proc_readlink,
	.get_path = proc_get_path,
};
static const struct vfs_inode_ops file_iops = { 0 };
static const struct vfs_file_ops dir_fops = { .open = dir_open };
static const struct vfs_file_ops file_fops = {
	.open = file_open,
	.release = file_release,
	.read = file_read,
	.write = file_write,
};

static void proc_evict(struct vfs_inode *inode)
{
	vfs_inode_freed(inode);
	kfree(PI(inode));
}

static int proc_statfs(struct vfs_super *sb, struct statfs *buf)
{
	(void)sb;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = PROC_SUPER_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_namelen = 255;
	buf->f_frsize = PAGE_SIZE;
	return 0;
}

/*
 * Entries of processes that are gone, and negative entries (a pid may
 * appear), must be looked up again.
 */
static bool proc_revalidate(struct vfs_dentry *dentry)
{
	struct vfs_inode *inode = vfs_dentry_inode(dentry);
	struct proc_inode *pi;

	if (inode == NULL)
		return false;
	pi = PI(inode);
	if (pi->pid > 0 && !process_alive(pi->pid))
		return false;
	if (pi->kind == K_PID_FD) {
		struct vfs_file *file = process_fd(pi->pid, pi->fd);
		bool same;

		if (file == NULL)
			return false;
		/* Another file under the number: its own mode. */
		same = fd_link_mode(file) == vfs_mode(inode);
		vfs_file_put(file);
		if (!same)
			return false;
	} else if (pi->kind == K_PID_FDINFO) {
		struct vfs_file *file = process_fd(pi->pid, pi->fd);

		if (file == NULL)
			return false;
		vfs_file_put(file);
	} else if (pi->fd > 0 && !procfs_thread_alive(pi->pid, pi->fd)) {
		return false;
	}
	return true;
}

static void proc_kill(struct vfs_super *sb)
{
	(void)sb;
}

static const struct vfs_super_ops proc_super_ops = {
	.evict_inode = proc_evict,
	.evict_unused = true,
	.statfs = proc_statfs,
	.revalidate = proc_revalidate,
	.kill = proc_kill,
};

static struct vfs_inode *proc_fill_super(struct vfs_super *sb,
					 const char *options)
{
	(void)options;
	sb->ops = &proc_super_ops;
	sb->block_size = PAGE_SIZE;
	return make_inode(sb, K_ROOT, S_IFDIR | 0555, 0, -1);
}

static struct vfs_fs_type proc_type = {
	.name = "proc",
	.fill_super = proc_fill_super,
};

void procfs_register(void)
{
	vfs_register_fs(&proc_type);
}
