/*
 * garbage: every x86_64 system call number from 0 to 450, four times each,
 * with garbage arguments (every argument set below), through raw
 * syscall(). Each result must be a valid value or -1 with errno in
 * 1..4095. It prints only "garbage: survived N calls": its point is that
 * the kernel keeps running and answers every call.
 *
 * The argument sets never hold a usable pointer (all are unaligned, below
 * the lowest mappable page, kernel or non-canonical addresses), never 0
 * (a zero set makes select() and poll() sleep forever), and never a value
 * whose low 32 bits are one of our descriptors 0-2 (fd arguments are int:
 * 0x8000000000000000 would be close(0)). Numbers 0-450 include the gaps
 * (337-423 are unassigned on x86_64): those must fail with ENOSYS.
 *
 * Skipped numbers, and why (see skipped[] for the list):
 *  - end the process or never return: exit (60), exit_group (231),
 *    rt_sigreturn (15: would "return" into garbage registers), pause (34),
 *    rt_sigsuspend (130), nanosleep (35), clock_nanosleep (230);
 *  - create processes or replace this program: clone (56), fork (57),
 *    vfork (58), execve (59), execveat (322), clone3 (435);
 *  - send signals (pid -1 means every process; ours would kill us):
 *    kill (62), tkill (200), tgkill (234);
 *  - the host reference run is root on a shared machine, so calls that act
 *    on the whole machine are skipped even though garbage should only earn
 *    errors: reboot (169), kexec_load (246), kexec_file_load (320),
 *    init_module (175), delete_module (176), finit_module (313),
 *    vhangup (153: no arguments, as root it hangs up the terminal);
 *  - uretprobe (335, Linux 6.11) and uprobe (336, Linux 6.16): the
 *    uprobe trampolines' own calls; Linux kills any other caller with
 *    SIGILL (numbers an older kernel, or Amphi, may still leave ENOSYS);
 *  - shmget (29), semget (64), msgget (68): with flags holding IPC_CREAT
 *    they create System V objects that outlive the process on the host.
 *
 * Kept, though they could block with other arguments: read and the other
 * fd calls (no argument is 0-2, so every fd is bad: EBADF), wait4 and
 * waitid (no children, and the options are invalid), poll, select and
 * epoll_wait (nfds is never 0 and every pointer faults: the kernel must
 * copy in before it sleeps), futex (unaligned or unknown op), msgrcv and
 * semop (no such id). A kernel that sleeps before validating hangs here,
 * and the test's timeout says so.
 */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LAST_NR 450

static const int skipped[] = {
	15, 29, 34, 35, 56, 57, 58, 59, 60, 62, 64, 68, 130, 153, 169, 175,
	176, 200, 230, 231, 234, 246, 313, 320, 322, 335, 336, 435,
};

#define KERNEL_PTR 0xffffffffffff0000ul
#define NONCANONICAL 0x8000000000001001ul

static const unsigned long argument_sets[][6] = {
	{~0ul, ~0ul, ~0ul, ~0ul, ~0ul, ~0ul},
	{KERNEL_PTR, KERNEL_PTR, 0x7ffffffffffffffful, KERNEL_PTR, KERNEL_PTR,
	 KERNEL_PTR},
	{0x1001, 1, 0xfffffff, 0x1001, 1, 1},
	{NONCANONICAL, 0xdeadbeefdeadbeeful, 0x7fffffff, KERNEL_PTR, 0x1001,
	 ~0ul},
};

#define SETS (sizeof(argument_sets) / sizeof(argument_sets[0]))

static int is_skipped(long nr)
{
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (skipped[i] == nr)
			return 1;
	return 0;
}

int main(void)
{
	long calls = 0;

	check_init("garbage");
	/* Garbage may change these; put them back afterwards. */
	mode_t mask = umask(022);
	int persona = (int)syscall(SYS_personality, 0xffffffffUL);
	signal(SIGALRM, SIG_IGN);
	for (long nr = 0; nr <= LAST_NR; nr++) {
		if (is_skipped(nr))
			continue;
		for (size_t set = 0; set < SETS; set++) {
			const unsigned long *a = argument_sets[set];
			errno = 0;
			long result = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			int error = errno;
			calls++;
			if (result == -1 && (error <= 0 || error >= 4096)) {
				printf("garbage: syscall %ld set %zu: -1 with errno %d\n",
				       nr, set, error);
				return 1;
			}
		}
	}
	alarm(0);
	umask(mask);
	syscall(SYS_personality, (unsigned long)persona);
	printf("garbage: survived %ld calls\n", calls);
	return 0;
}
