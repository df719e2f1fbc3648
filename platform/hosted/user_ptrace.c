/*
 * The hosted ptrace runner (DESIGN.md, "User mode"; docs/hosted-user.md),
 * which user.c's hal_user_run calls for real programs. Each user thread
 * gets a host child that exec'd the stub (stub/stub.c, embedded in this binary and executed
 * from a memfd) and a tracer host thread of its own, because ptrace binds
 * a child to the one thread that traces it, while the user thread's
 * kernel thread may call hal_user_run from any CPU thread. The CPU thread
 * posts a request (start, apply a batch, run, exit) and sleeps until the
 * tracer reports, or until an interrupt is due: then it stops the child
 * with RUNNER_KICK_SIGNAL and waits for it to be stopped.
 *
 * The child runs user code under PTRACE_SYSEMU, so a `syscall` stops it
 * before the host kernel sees it. A synchronous signal (fault, #UD, int3,
 * #DE) is handed to the stub's handler, which reports the trap number,
 * error code and address; the registers reported are those of the
 * faulting instruction, saved before the handler ran.
 *
 * Ownership: struct runner (user_internal.h) says which side owns each
 * field; the hand-off (the atomic `request`, then the atomic `done`)
 * orders every access between the CPU thread and the tracer.
 */
#include "user_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/hal/cpu.h"
#include "core/hal/mmu.h"
#include "core/mm/uaccess.h"
#include "hosted.h"

_Static_assert(sizeof(struct user_regs) == sizeof(struct user_regs_struct),
	       "struct user_regs must have Linux's user_regs_struct layout");
_Static_assert(sizeof(struct user_fpu) == sizeof(struct user_fpregs_struct),
	       "struct user_fpu must be an FXSAVE image");

/* How long either side of a hand-off polls before it sleeps. */
#define RUNNER_SPIN_NS 30000ULL

#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define SEGV_ACCERR_CODE 2	/* si_code: a mapping forbids the access */
#define SYSCALL_STOP (SIGTRAP | 0x80)	/* with PTRACE_O_TRACESYSGOOD */

extern const char hosted_stub_image[];
extern const char hosted_stub_image_end[];

static pthread_once_t stub_once = PTHREAD_ONCE_INIT;
static int stub_fd = -1;	/* read-only, close-on-exec, above fd 10 */
/*
 * What children exec: stub_fd's /proc path, not fexecve, whose
 * execveat(AT_EMPTY_PATH) Valgrind 3.19 (Debian 12's) fails with ENOENT.
 * Made before any fork: a child of a threaded process may not format.
 */
static char stub_path[32];

/*
 * Writes the embedded stub into a memfd and reopens it read-only: exec
 * refuses a file that is open for writing.
 */
static void stub_file_create(void)
{
	size_t size = (size_t)(hosted_stub_image_end - hosted_stub_image);
	int fd = memfd_create("amphi-stub", MFD_CLOEXEC);
	char path[64];
	int readonly;

	if (fd < 0)
		return;
	if (write(fd, hosted_stub_image, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		readonly = open(path, O_RDONLY | O_CLOEXEC);
		if (readonly >= 0) {
			stub_fd = fcntl(readonly, F_DUPFD_CLOEXEC, 10);
			close(readonly);
			snprintf(stub_path, sizeof(stub_path),
				 "/proc/self/fd/%d", stub_fd);
		}
	}
	close(fd);
}

static uint64_t host_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

static int trace(enum __ptrace_request request, struct runner *runner,
		 void *addr, void *data)
{
	if (ptrace(request, runner->pid, addr, data) < 0)
		return -errno;
	return 0;
}

static int resume(struct runner *runner, enum __ptrace_request request,
		  int signo)
{
	return trace(request, runner, NULL, (void *)(uintptr_t)signo);
}

/*
 * waitid on the child, retried on EINTR; info->si_pid is 0 when WNOHANG
 * found nothing.
 */
static int wait_child(struct runner *runner, siginfo_t *info, int options)
{
	info->si_pid = 0;
	while (waitid(P_PID, (id_t)runner->pid, info, options | __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static bool is_stop(const siginfo_t *info)
{
	return info->si_code == CLD_TRAPPED || info->si_code == CLD_STOPPED;
}

/* Forgets the dead child's pid for kicks (kick_lock), then reaps it. */
static void reap_child(struct runner *runner)
{
	siginfo_t info;

	pthread_mutex_lock(&runner->kick_lock);
	runner->kick_pid = -1;
	pthread_mutex_unlock(&runner->kick_lock);
	wait_child(runner, &info, WEXITED);
	runner->pid = -1;
}

/*
 * Waits for the child's next stop: its signal, or -ECHILD if it died. A
 * death is seen (WNOWAIT) before the child is reaped, so reap_child
 * forgets its pid first and no kick reaches a reaped, maybe reused, pid.
 * A stop is taken without WEXITED: a child killed since the peek stays
 * unreaped for the next one.
 */
static int wait_stop(struct runner *runner)
{
	siginfo_t info;
	int err;

	if (runner->pid <= 0)
		return -ECHILD; /* never P_ALL: other children are not ours */
	for (;;) {
		err = wait_child(runner, &info, WEXITED | WSTOPPED | WNOWAIT);
		if (err < 0)
			return err;
		if (!is_stop(&info)) {
			reap_child(runner); /* exited or killed */
			return -ECHILD;
		}
		err = wait_child(runner, &info, WSTOPPED | WNOHANG);
		if (err < 0)
			return err;
		if (info.si_pid != 0)
			return info.si_status & 0xff; /* as WSTOPSIG */
	}
}

/*
 * Waits until the stub stops itself (int3 above the user limit) and reads
 * its report; kicks that arrive meanwhile are swallowed.
 */
static int wait_stub(struct runner *runner, struct user_regs *regs)
{
	for (;;) {
		int signo = wait_stop(runner);
		int err;

		if (signo < 0)
			return signo;
		if (signo == SIGTRAP) {
			err = trace(PTRACE_GETREGS, runner, NULL, regs);
			if (err < 0)
				return err;
			if (regs->rip > HOSTED_USER_LIMIT)
				return 0;
		}
		if (signo != RUNNER_KICK_SIGNAL)
			return -EIO; /* the stub itself crashed */
		err = resume(runner, PTRACE_CONT, 0);
		if (err < 0)
			return err;
	}
}

/* Runs runner->batch in the stub: one round trip. */
static int run_batch(struct runner *runner)
{
	size_t bytes = runner->batch_count * sizeof(runner->batch[0]);
	struct iovec local = { runner->batch, bytes };
	struct iovec remote = { (void *)(uintptr_t)runner->stub_commands, bytes };
	struct user_regs regs = runner->stub_regs;
	int err;

	if (runner->batch_count == 0)
		return 0;
	if (process_vm_writev(runner->pid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)bytes)
		return -EIO;
	regs.rip = runner->stub_batch_entry;
	regs.rsp = runner->stub_stack_top - 8; /* as after a call */
	regs.rdi = runner->batch_count;
	err = trace(PTRACE_SETREGS, runner, NULL, &regs);
	if (err == 0)
		err = resume(runner, PTRACE_CONT, 0);
	if (err == 0)
		err = wait_stub(runner, &regs);
	if (err < 0)
		return err;
	if (regs.rax != STUB_STOP_BATCH)
		return -EIO;
	runner->batch_count = 0;
	return regs.rdi == 0 ? 0 : (int)regs.rdx;
}

/* Queues munmaps of what the host gave the new child: the vDSO and vvar. */
static void queue_host_leftovers(struct runner *runner)
{
	char path[64], line[512];
	unsigned long start, end;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)runner->pid);
	maps = fopen(path, "re");
	if (maps == NULL)
		return;
	while (fgets(line, sizeof(line), maps) != NULL &&
	       runner->batch_count < STUB_BATCH_MAX) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (start < HOSTED_USER_LIMIT || strstr(line, "[vdso]") ||
		    strstr(line, "[vvar"))
			runner->batch[runner->batch_count++] =
				(struct stub_command){ .op = STUB_OP_UNMAP,
						       .addr = start,
						       .length = end - start };
	}
	fclose(maps);
}

/* The forked child: becomes the stub, traced by the forking thread. */
static __attribute__((noreturn)) void child_exec(int ram_fd)
{
	char *argv[] = { "amphi-stub", NULL };
	char *envp[] = { NULL };
	struct sigaction action = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(RUNNER_KICK_SIGNAL, &action, NULL);
	setsid(); /* no terminal signals from the kernel's terminal */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ram_fd == STUB_RAM_FD)
		fcntl(ram_fd, F_SETFD, 0);
	else
		dup2(ram_fd, STUB_RAM_FD);
	close_range(0, STUB_RAM_FD - 1, CLOSE_RANGE_CLOEXEC);
	close_range(STUB_RAM_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
		execve(stub_path, argv, envp);
	_exit(127);
}

/* Records what the stub said at its hello stop. */
static int stub_hello(struct runner *runner)
{
	struct user_regs regs;
	int err = resume(runner, PTRACE_CONT, 0);

	if (err == 0)
		err = wait_stub(runner, &regs);
	if (err < 0)
		return err;
	if (regs.rax != STUB_STOP_HELLO || regs.r10 < STUB_BATCH_MAX)
		return -ENOEXEC;
	if (regs.rsp < HOSTED_USER_LIMIT)
		return -ENOMEM; /* the host put the stack in user space */
	runner->stub_regs = regs;
	runner->stub_commands = regs.rdi;
	runner->stub_batch_entry = regs.rsi;
	runner->stub_stack_top = regs.rdx;
	err = trace(PTRACE_GETFPREGS, runner, NULL, &runner->reset_fpu);
	runner->child_fpu = runner->reset_fpu;
	runner->child_fpu_known = err == 0;
	return err;
}

/* Creates the child and leaves it stopped in the stub, its host maps gone. */
static int spawn_child(struct runner *runner)
{
	int err;

	pthread_once(&stub_once, stub_file_create);
	if (stub_fd < 0)
		return -ENOEXEC;
	runner->pid = fork();
	if (runner->pid < 0) {
		runner->pid = -1;
		return -errno;
	}
	if (runner->pid == 0)
		child_exec(hosted_ram_fd());
	pthread_mutex_lock(&runner->kick_lock);
	runner->kick_pid = runner->pid;
	pthread_mutex_unlock(&runner->kick_lock);
	err = wait_stop(runner);
	if (err >= 0 && err != SIGTRAP)
		err = -ENOEXEC; /* the exec did not happen */
	if (err >= 0)
		err = trace(PTRACE_SETOPTIONS, runner, NULL,
			    (void *)(uintptr_t)(PTRACE_O_EXITKILL |
						PTRACE_O_TRACESYSGOOD));
	if (err == 0)
		err = stub_hello(runner);
	if (err == 0) {
		runner->batch_count = 0;
		queue_host_leftovers(runner);
		err = run_batch(runner);
	}
	return err < 0 ? err : 0;
}

static bool is_zero(const void *data, size_t size)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < size; i++)
		if (bytes[i])
			return false;
	return true;
}

/*
 * Loads runner->regs (with the host's segment selectors) and, when it
 * differs from what the child holds, runner->fpu. An all-zero FXSAVE
 * image, which no program state has, stands for the reset state.
 */
#define USER_HALF_END (1ULL << 47)
#define USER_RFLAGS 0x200ed5ULL	/* CF PF AF ZF SF DF OF ID */
#define RFLAGS_ALWAYS 0x202ULL	/* IF and the reserved bit 1 */

static int load_user_state(struct runner *runner)
{
	struct user_regs regs = runner->regs;
	int err;

	/* Only the flags user code may choose (docs/hal.md): IF on, TF/AC off. */
	regs.rflags = (regs.rflags & USER_RFLAGS) | RFLAGS_ALWAYS;

	regs.cs = runner->stub_regs.cs;
	regs.ss = runner->stub_regs.ss;
	regs.ds = runner->stub_regs.ds;
	regs.es = runner->stub_regs.es;
	regs.fs = runner->stub_regs.fs;
	regs.gs = runner->stub_regs.gs;
	err = trace(PTRACE_SETREGS, runner, NULL, &regs);
	if (err < 0)
		return err;
	if (is_zero(&runner->fpu, sizeof(runner->fpu)))
		runner->fpu = runner->reset_fpu;
	if (runner->child_fpu_known &&
	    memcmp(&runner->fpu, &runner->child_fpu, sizeof(runner->fpu)) == 0)
		return 0;
	err = trace(PTRACE_SETFPREGS, runner, NULL, &runner->fpu);
	if (err < 0)
		return err;
	runner->child_fpu = runner->fpu;
	runner->child_fpu_known = true;
	return 0;
}

static int save_user_state(struct runner *runner)
{
	int err = trace(PTRACE_GETREGS, runner, NULL, &runner->regs);

	if (err == 0)
		err = trace(PTRACE_GETFPREGS, runner, NULL, &runner->fpu);
	if (err < 0)
		return err;
	runner->child_fpu = runner->fpu;
	runner->child_fpu_known = true;
	return 0;
}

static void set_trap(struct runner *runner, enum trap_kind kind)
{
	runner->result = RUNNER_TRAPPED;
	runner->trap = (struct trap){ .kind = kind };
}

/*
 * The TRAP_FAULT_* bits of a page fault. The CPU's present bit describes
 * the host's page table, which fills lazily; whether our entry allowed
 * no such access (present) is what the host's si_code says.
 */
static uint64_t fault_bits(const struct user_regs *report)
{
	uint64_t bits = report->rdx & (TRAP_FAULT_WRITE | TRAP_FAULT_EXEC);

	if (report->rdi == SIGBUS || report->r8 == SEGV_ACCERR_CODE)
		bits |= TRAP_FAULT_PRESENT;
	return bits | TRAP_FAULT_USER;
}

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202	/* the XSAVE image, as PTRACE_GETREGSET names it */
#endif

/*
 * The stub's signal handler runs on a fresh FPU, and the runner gives user
 * code back only the FXSAVE image: the rest of the XSAVE state (the upper
 * halves of the AVX and AVX-512 registers) is saved before the handler
 * runs and put back after. Returns whether it is back.
 */
static bool restore_xstate(struct runner *runner, struct iovec *xstate)
{
	return ptrace(PTRACE_SETREGSET, runner->pid, (void *)NT_X86_XSTATE,
		      xstate) == 0;
}

/*
 * A synchronous signal stopped user code: let the stub's handler read
 * what the CPU reported, then describe it as a fault or an exception.
 */
static int report_signal(struct runner *runner, int signo)
{
	struct iovec xstate = { runner->xstate, sizeof(runner->xstate) };
	struct user_regs report;
	int err = save_user_state(runner);
	bool have_xstate = err == 0 &&
			   ptrace(PTRACE_GETREGSET, runner->pid,
				  (void *)NT_X86_XSTATE, &xstate) == 0;

	if (err == 0)
		err = resume(runner, PTRACE_CONT, signo);
	if (err == 0)
		err = wait_stub(runner, &report);
	/* The handler got a fresh FPU; the saved image is the user's again. */
	runner->child_fpu_known = err == 0 && have_xstate &&
				  restore_xstate(runner, &xstate);
	if (err < 0)
		return err;
	if (report.rax != STUB_STOP_SIGNAL)
		return -EIO;
	if ((report.rdi == SIGSEGV || report.rdi == SIGBUS) &&
	    report.rsi == X86_TRAP_PF) {
		set_trap(runner, TRAP_FAULT);
		runner->trap.fault_address = report.r10;
		runner->trap.error_code = fault_bits(&report);
		return 0;
	}
	set_trap(runner, TRAP_EXCEPTION);
	runner->trap.vector = (unsigned int)report.rsi;
	runner->trap.error_code = report.rdx;
	return 0;
}

/*
 * Marks the child as running user code, unless a flush made its windows
 * stale since the batch was built (the flusher bumps the generation, then
 * looks at in_user; we do the opposite, so one of us sees the other).
 */
static bool enter_user(struct runner *runner)
{
	__atomic_store_n(&runner->in_user, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&runner->stale_generation, __ATOMIC_SEQ_CST) ==
	    runner->batch_generation)
		return true;
	__atomic_store_n(&runner->in_user, false, __ATOMIC_SEQ_CST);
	return false;
}

/* What a stop by RUNNER_KICK_SIGNAL means; false: a late kick, go on. */
static bool kick_stops_run(struct runner *runner)
{
	if (__atomic_load_n(&runner->interrupt_kick, __ATOMIC_SEQ_CST)) {
		set_trap(runner, TRAP_INTERRUPT);
		return true;
	}
	if (__atomic_load_n(&runner->stale_generation, __ATOMIC_SEQ_CST) !=
	    runner->batch_generation) {
		runner->result = RUNNER_RETRY;
		return true;
	}
	return false;
}

/*
 * What a stop of user code by `signo` means: 1 when runner->result is
 * set (a trap, or a retry), 0 to resume, or -errno.
 */
static int handle_user_stop(struct runner *runner, int signo)
{
	int err;

	switch (signo) {
	case SYSCALL_STOP:
		set_trap(runner, TRAP_SYSCALL);
		break;
	case RUNNER_KICK_SIGNAL:
		if (!kick_stops_run(runner))
			return 0; /* a late kick: suppressed */
		break;
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		err = report_signal(runner, signo);
		return err < 0 ? err : 1;
	default:
		return 0; /* nothing from outside reaches user code */
	}
	err = save_user_state(runner);
	return err < 0 ? err : 1;
}

/* Resumes user code until it traps (every other signal is suppressed). */
static int run_user(struct runner *runner)
{
	int err = run_batch(runner);

	if (err == 0)
		err = load_user_state(runner);
	while (err == 0) {
		if (!enter_user(runner)) {
			runner->result = RUNNER_RETRY;
			return 0;
		}
		if (__atomic_load_n(&runner->interrupt_kick, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&runner->in_user, false, __ATOMIC_SEQ_CST);
			set_trap(runner, TRAP_INTERRUPT);
			return 0;
		}
		err = resume(runner, PTRACE_SYSEMU, 0);
		if (err == 0)
			err = wait_stop(runner);
		__atomic_store_n(&runner->in_user, false, __ATOMIC_SEQ_CST);
		if (err >= 0)
			err = handle_user_stop(runner, err);
	}
	return err < 0 ? err : 0;
}

void hosted_runner_kick(struct runner *runner)
{
	pthread_mutex_lock(&runner->kick_lock);
	if (runner->kick_pid > 0)
		kill(runner->kick_pid, RUNNER_KICK_SIGNAL);
	pthread_mutex_unlock(&runner->kick_lock);
}

static void stop_child(struct runner *runner)
{
	if (runner->pid <= 0)
		return;
	kill(runner->pid, SIGKILL);
	while (wait_stop(runner) >= 0)
		resume(runner, PTRACE_CONT, 0);
}

/*
 * Spins up to RUNNER_SPIN_NS for `*flag` to leave `idle` (atomic), as the
 * next request usually follows a trap within microseconds and a futex
 * wake-up costs tens of them on these hosts. Returns the value seen.
 */
static int spin_while(const int *flag, int idle)
{
	uint64_t deadline = host_now_ns() + RUNNER_SPIN_NS;
	int value;

	while ((value = __atomic_load_n(flag, __ATOMIC_ACQUIRE)) == idle) {
		if (host_now_ns() >= deadline)
			break;
		sched_yield();
	}
	return value;
}

/* The CPU thread's side of spin_while. */
static void spin_until_done(const struct runner *runner)
{
	uint64_t deadline = host_now_ns() + RUNNER_SPIN_NS;

	while (!__atomic_load_n(&runner->done, __ATOMIC_ACQUIRE) &&
	       host_now_ns() < deadline)
		sched_yield();
}

static enum runner_request next_request(struct runner *runner)
{
	int request = spin_while(&runner->request, RUNNER_NONE);

	if (request == RUNNER_NONE) {
		pthread_mutex_lock(&runner->lock);
		__atomic_store_n(&runner->tracer_sleeping, true, __ATOMIC_SEQ_CST);
		while ((request = __atomic_load_n(&runner->request,
						  __ATOMIC_SEQ_CST)) ==
		       RUNNER_NONE)
			pthread_cond_wait(&runner->posted, &runner->lock);
		__atomic_store_n(&runner->tracer_sleeping, false, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&runner->lock);
	}
	__atomic_store_n(&runner->request, RUNNER_NONE, __ATOMIC_RELAXED);
	return (enum runner_request)request;
}

static void *tracer_main(void *arg)
{
	struct runner *runner = arg;
	enum runner_request request = RUNNER_START;

	for (;;) {
		switch (request) {
		case RUNNER_START:
			runner->error = spawn_child(runner);
			break;
		case RUNNER_BATCH:
			runner->error = runner->pid > 0 ? run_batch(runner)
							: -ECHILD;
			break;
		case RUNNER_RUN:
			runner->error = runner->pid > 0 ? run_user(runner)
							: -ECHILD;
			break;
		case RUNNER_EXIT:
		default:
			stop_child(runner);
			break;
		}
		/* Read the caller's CPU first: once done is set, the caller
		 * may post its next request (and a new cpu). */
		unsigned int cpu = __atomic_load_n(&runner->cpu,
						   __ATOMIC_RELAXED);

		__atomic_store_n(&runner->done, true, __ATOMIC_RELEASE);
		hosted_cpu_wake(cpu);
		if (request == RUNNER_EXIT)
			return NULL;
		request = next_request(runner);
	}
}

/*
 * Posts `request` to the tracer and waits for it. While it runs user
 * code (`interruptible`), an interrupt that becomes due stops the child.
 */
int hosted_runner_call(struct runner *runner, enum runner_request request,
		bool interruptible)
{
	__atomic_store_n(&runner->cpu, hal_cpu_id(), __ATOMIC_RELAXED);
	__atomic_store_n(&runner->done, false, __ATOMIC_RELAXED);
	__atomic_store_n(&runner->request, (int)request, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&runner->tracer_sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&runner->lock);
		pthread_cond_signal(&runner->posted);
		pthread_mutex_unlock(&runner->lock);
	}
	spin_until_done(runner);
	while (!hosted_cpu_wait_user(&runner->done, interruptible)) {
		__atomic_store_n(&runner->interrupt_kick, true, __ATOMIC_SEQ_CST);
		hosted_runner_kick(runner);
		interruptible = false;
	}
	return runner->error;
}

static void runner_destroy(struct runner *runner)
{
	hosted_runner_detach(runner); /* no flush may signal the pid once reaped */
	hosted_runner_call(runner, RUNNER_EXIT, false);
	pthread_join(runner->thread, NULL);
	pthread_cond_destroy(&runner->posted);
	pthread_mutex_destroy(&runner->lock);
	pthread_mutex_destroy(&runner->kick_lock);
	free(runner);
}

/* A runner with its tracer and a child stopped in the stub, or ERR. */
static int runner_create(struct runner **result)
{
	struct runner *runner = calloc(1, sizeof(*runner));
	int err;

	if (runner == NULL)
		return -ENOMEM;
	runner->pid = -1;
	runner->kick_pid = -1;
	pthread_mutex_init(&runner->lock, NULL);
	pthread_mutex_init(&runner->kick_lock, NULL);
	pthread_cond_init(&runner->posted, NULL);
	runner->cpu = hal_cpu_id();
	if (pthread_create(&runner->thread, NULL, tracer_main, runner) != 0) {
		pthread_cond_destroy(&runner->posted);
		pthread_mutex_destroy(&runner->lock);
		pthread_mutex_destroy(&runner->kick_lock);
		free(runner);
		return -EAGAIN;
	}
	hosted_cpu_wait_user(&runner->done, false);
	err = runner->error;
	if (err < 0) {
		runner_destroy(runner);
		return err;
	}
	*result = runner;
	return 0;
}

/* Runs the child until it traps, resyncing its windows whenever stale. */
static int run_until_trap(struct runner *runner)
{
	int err;

	do {
		err = hosted_runner_sync(runner);
		if (err < 0)
			return err;
		__atomic_store_n(&runner->interrupt_kick, false, __ATOMIC_SEQ_CST);
		err = hosted_runner_call(runner, RUNNER_RUN, true);
		if (err < 0)
			return err;
	} while (runner->result == RUNNER_RETRY);
	return 0;
}

/*
 * `int $0x80` also stops the child at a syscall, as the host takes it for
 * an i386 system call. x86_64 Amphi has no such gate, so it is the #GP a
 * ring-3 `int $0x80` raises there: a fault at the instruction, rax intact.
 */
static void int80_to_gp(struct user_ctx *ctx, struct trap *trap)
{
	uint8_t code[2];

	if (ctx->regs.rip < 2 ||
	    vm_copy_from_user(ctx->as, code, ctx->regs.rip - 2, 2) < 0 ||
	    code[0] != 0xcd || code[1] != 0x80)
		return;
	ctx->regs.rip -= 2;
	ctx->regs.rax = ctx->regs.orig_rax;
	*trap = (struct trap){ .kind = TRAP_EXCEPTION, .vector = X86_TRAP_GP,
			       .error_code = 0x80 * 8 + 2 };
}

int hosted_ptrace_run(struct user_ctx *ctx, struct trap *trap)
{
	struct runner *runner = ctx->platform;
	int vector, err;

	/* The x86_64 rules (docs/hal.md): no kernel-half segment bases. */
	if (ctx->as == NULL || ctx->regs.fs_base >= USER_HALF_END ||
	    ctx->regs.gs_base >= USER_HALF_END)
		return -EINVAL;
	if (runner == NULL) {
		err = runner_create(&runner);
		if (err < 0)
			return err;
		ctx->platform = runner;
	}
	if (runner->as != ctx->as)
		hosted_runner_attach(runner, ctx->as); /* first run, or exec */
	vector = hosted_cpu_take_interrupts();
	if (vector >= 0) {
		*trap = (struct trap){ .kind = TRAP_INTERRUPT,
				       .vector = (unsigned int)vector };
		return 0;
	}
	runner->regs = ctx->regs;
	runner->fpu = ctx->fpu;
	err = run_until_trap(runner);
	if (err < 0) {
		/* A batch may have been taken but not applied: trust nothing. */
		hosted_runner_attach(runner, ctx->as);
		return err;
	}
	ctx->regs = runner->regs;
	ctx->fpu = runner->fpu;
	*trap = runner->trap;
	if (trap->kind == TRAP_SYSCALL) {
		int80_to_gp(ctx, trap);
	} else if (trap->kind == TRAP_FAULT) {
		/* vm_fault may fill a missing entry without a flush. */
		hosted_runner_mark_stale(runner, trap->fault_address,
				  trap->fault_address + 1);
	} else if (trap->kind == TRAP_INTERRUPT) {
		vector = hosted_cpu_take_interrupts();
		trap->vector = vector < 0 ? 0 : (unsigned int)vector;
	}
	return 0;
}

void hosted_ptrace_release(struct user_ctx *ctx)
{
	if (ctx->platform == NULL)
		return;
	runner_destroy(ctx->platform);
	ctx->platform = NULL;
}
