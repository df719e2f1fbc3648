/*
 * busybox_workload: the init of the BusyBox workload test. Runs
 * "/bin/sh /usr/libexec/amphi-tests/workload/busybox.sh" (argv[1] names
 * another script) with a fixed environment, so the kernel needs neither
 * "#!" scripts nor init arguments; the shell's exit status is init's.
 * The host reference run (tests/integration/busybox_workload.sh) gives the
 * same script the same environment, except PATH and WORKDIR.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *script = argc > 1 ? argv[1] : "/usr/libexec/amphi-tests/workload/busybox.sh";
	char *child_argv[] = {"sh", script, NULL};
	char *envp[] = {
		"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root", "TZ=UTC",
		"LC_ALL=C", "WORKDIR=/tmp/work", NULL,
	};

	execve("/bin/sh", child_argv, envp);
	perror("busybox_workload: execve /bin/sh");
	return 127;
}
