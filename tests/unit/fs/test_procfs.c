/*
 * procfs system files through the VFS, from a kernel caller (no process):
 * formats of loadavg, filesystems, version and sys/kernel, the writable
 * hostname, Linux's errors on writes to read-only files, reads at odd
 * offsets, and the links that need a calling process. The per-process
 * files are checked by tests/user/procfs_test.c, which runs as a process.
 */
#include "vfs_test.h"

#include <stdio.h>

#include "core/sys/uts.h"

static void mount_proc(void)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, "/proc", 0555), 0);
	cr_assert_eq(vfs_mount(R, "proc", "/proc", "proc", 0, NULL), 0);
}

VFS_TEST(procfs, loadavg_has_linux_format)
{
	char text[128];
	unsigned int a, b, c, d, e, f, running, threads;
	int last;

	mount_proc();
	cr_assert_gt(vt_read_file(R, "/proc/loadavg", text, sizeof(text)), 0);
	cr_assert_eq(sscanf(text, "%u.%2u %u.%2u %u.%2u %u/%u %d", &a, &b, &c,
			    &d, &e, &f, &running, &threads, &last), 9, "%s",
		     text);
	cr_assert_eq(text[strlen(text) - 1], '\n');
}

VFS_TEST(procfs, filesystems_lists_registered_types)
{
	char text[512];

	mount_proc();
	cr_assert_gt(vt_read_file(R, "/proc/filesystems", text, sizeof(text)),
		     0);
	cr_assert(strstr(text, "nodev\tproc\n") != NULL, "%s", text);
	cr_assert(strstr(text, "nodev\ttmpfs\n") != NULL, "%s", text);
}

VFS_TEST(procfs, sys_kernel_reads_uts_names)
{
	char text[128];

	mount_proc();
	cr_assert_eq(vt_read_file(R, "/proc/sys/kernel/ostype", text,
				  sizeof(text)), 6);
	cr_assert_str_eq(text, "Linux\n");
	vt_read_file(R, "/proc/sys/kernel/osrelease", text, sizeof(text));
	cr_assert_str_eq(text, UTS_RELEASE "\n");
	vt_read_file(R, "/proc/version", text, sizeof(text));
	cr_assert_eq(strncmp(text, "Linux version " UTS_RELEASE " ", 20), 0);
	vt_read_file(R, "/proc/sys/kernel/pid_max", text, sizeof(text));
	cr_assert_str_eq(text, "4194304\n");
}

VFS_TEST(procfs, hostname_write_sets_name_up_to_newline)
{
	char text[128], name[UTS_NAME_MAX + 1];
	struct vfs_file *file;

	mount_proc();
	uts_hostname(name, sizeof(name));
	file = vt_open(R, "/proc/sys/kernel/hostname", O_WRONLY, 0);
	cr_assert_eq(vfs_write(file, "box\nrest", 8), 8);
	vfs_file_put(file);
	vt_read_file(R, "/proc/sys/kernel/hostname", text, sizeof(text));
	cr_assert_str_eq(text, "box\n");
	cr_assert_eq(vt_open_err(U, "/proc/sys/kernel/hostname", O_WRONLY, 0),
		     -EACCES);
	uts_set_hostname(name, strlen(name));
}

VFS_TEST(procfs, read_only_files_refuse_writes_with_eio)
{
	struct vfs_file *file;

	mount_proc();
	file = vt_open(R, "/proc/uptime", O_WRONLY, 0);
	cr_assert_eq(vfs_write(file, "x", 1), -EIO);
	vfs_file_put(file);
	cr_assert_eq(vt_open_err(U, "/proc/meminfo", O_WRONLY, 0), -EACCES);
}

VFS_TEST(procfs, reads_at_any_offset)
{
	char whole[4096], byte;
	struct vfs_file *file;
	ssize_t length;

	mount_proc();
	length = vt_read_file(R, "/proc/meminfo", whole, sizeof(whole));
	cr_assert_gt(length, 20);
	file = vt_open(R, "/proc/meminfo", O_RDONLY, 0);
	cr_assert_eq(vfs_lseek(file, 1LL << 40, 0), 1LL << 40);
	cr_assert_eq(vfs_read(file, &byte, 1), 0);
	cr_assert_eq(vfs_lseek(file, 9, 0), 9);
	cr_assert_eq(vfs_read(file, &byte, 1), 1);
	cr_assert_eq(byte, whole[9]);
	/* Short reads give the same text a byte at a time. */
	cr_assert_eq(vfs_lseek(file, 0, 0), 0);
	for (ssize_t i = 0; i < length; i++) {
		cr_assert_eq(vfs_read(file, &byte, 1), 1);
		cr_assert_eq(byte, whole[i]);
	}
	cr_assert_eq(vfs_read(file, &byte, 1), 0);
	vfs_file_put(file);
}

VFS_TEST(procfs, self_needs_a_process)
{
	char text[64];

	mount_proc();
	cr_assert_eq(vt_read_file(R, "/proc/self/stat", text, sizeof(text)),
		     -ENOENT);
	cr_assert_eq(vt_read_file(R, "/proc/mounts", text, sizeof(text)),
		     -ENOENT);
}

/*
 * The name space of procfs is fixed: even root gets Linux's errors
 * (checked on the host: unlink and rmdir EPERM, new names ENOENT).
 */
VFS_TEST(procfs, name_space_changes_refused)
{
	mount_proc();
	cr_assert_eq(vfs_unlinkat(R, NULL, "/proc/loadavg", 0), -EPERM);
	cr_assert_eq(vfs_unlinkat(R, NULL, "/proc/sys", AT_REMOVEDIR), -EPERM);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/proc/d", 0755), -ENOENT);
	cr_assert_eq(vfs_mknodat(R, NULL, "/proc/n", S_IFIFO | 0644, 0),
		     -ENOENT);
	cr_assert_eq(vfs_symlinkat(R, "x", NULL, "/proc/l"), -ENOENT);
	cr_assert_eq(vt_open_err(R, "/proc/new", O_CREAT | O_WRONLY, 0644),
		     -ENOENT);
	cr_assert_eq(vfs_linkat(R, NULL, "/proc/loadavg", NULL, "/proc/x", 0),
		     -ENOENT);
	cr_assert_eq(vfs_renameat2(R, NULL, "/proc/loadavg", NULL,
				   "/proc/x", 0), -ENOENT);
	cr_assert_eq(vfs_renameat2(R, NULL, "/proc/loadavg", NULL,
				   "/proc/uptime", 0), -EPERM);
	cr_assert_eq(vt_open_err(R, "/proc/loadavg", O_RDONLY, 0), 0);
}
