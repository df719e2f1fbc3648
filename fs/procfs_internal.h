/*
 * Shared inside procfs: the generated-text buffer and the generators of
 * the system files (procfs_sys.c) and the per-process files
 * (procfs_pid.c). A generator writes the whole file with proc_emit; when
 * the buffer fills, procfs.c grows it and runs the generator again, as
 * Linux's seq files do.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"
#include "fs/vfs_fs.h"

struct process;

struct proc_text {
	char *data;
	size_t length, capacity;
	bool overflow;		/* something did not fit */
};

/* Appends formatted text; sets overflow when it does not fit. */
void __printf(2, 3) proc_emit(struct proc_text *text, const char *fmt, ...);
/* Appends `length` raw bytes. */
void proc_emit_bytes(struct proc_text *text, const void *data, size_t length);

struct vfs_path;
/* The calling task's root (referenced), for path names. */
int procfs_caller_root(struct vfs_path *root);
/* `path` as the caller sees it, NUL-terminated in buf; 0 or -errno. */
int procfs_path_text(const struct vfs_path *path, char *buf, size_t size);

/* Whether thread `tid` of process `pid` lives (procfs_task.c). */
bool procfs_thread_alive(int pid, int tid);
/*
 * readdir of /proc/PID/task: the tids from position *pos (tid + 2), in
 * order; inode numbers ino_base + tid << 8. Returns 0 or -ENOENT.
 */
int procfs_readdir_tids(int pid, uint64_t *pos, vfs_filldir_fn fill,
			void *ctx, uint64_t ino_base);

/*
 * A write to /proc/sys/kernel/hostname (proc_dostring: the text up to a
 * newline, at offset 0 only). Returns the length taken or -EINVAL.
 */
ssize_t procfs_write_hostname(const void *buf, size_t length,
			      int64_t *offset);

/* System files. Each may sleep. */
void procfs_gen_meminfo(struct proc_text *text);
void procfs_gen_cpuinfo(struct proc_text *text);
void procfs_gen_stat(struct proc_text *text);
void procfs_gen_uptime(struct proc_text *text);
void procfs_gen_loadavg(struct proc_text *text);
void procfs_gen_version(struct proc_text *text);
void procfs_gen_filesystems(struct proc_text *text);
/* /proc/PID/mounts (mountinfo: the mountinfo format). */
void procfs_gen_mounts(struct proc_text *text, bool mountinfo);

/* Process files of `process` (referenced by the caller); tid 0: all. */
void procfs_gen_pid_stat(struct proc_text *text, struct process *process,
			 int tid);
void procfs_gen_pid_status(struct proc_text *text, struct process *process,
			   int tid);
void procfs_gen_pid_statm(struct proc_text *text, struct process *process);
void procfs_gen_pid_maps(struct proc_text *text, struct process *process);
void procfs_gen_pid_limits(struct proc_text *text, struct process *process);
void procfs_gen_pid_user_range(struct proc_text *text,
			       struct process *process, bool environment);
