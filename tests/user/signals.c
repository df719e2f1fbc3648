/*
 * signals: handlers with SA_SIGINFO, masks and coalescing, sigaltstack,
 * nested handlers, SA_RESETHAND and SA_NODEFER, SA_RESTART against EINTR
 * on a pipe read, SIGCHLD's siginfo (exit, kill, core dump, stop,
 * continue) with waitpid(WUNTRACED | WCONTINUED) and waitid, group stops
 * (threads and sleeps), orphaned process groups, a SIGSEGV handler that
 * mprotects the page and returns, SSE state across a handler, a forged
 * sigreturn frame, sigtimedwait, sigqueue with real-time ordering, alarm
 * and setitimer, and bad arguments. Only deterministic facts are printed.
 */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static volatile int log_signals[16], log_values[16], log_count;

static void install(int signal, void (*fn)(int, siginfo_t *, void *),
		    int flags, const sigset_t *mask)
{
	struct sigaction action = { .sa_sigaction = fn,
				    .sa_flags = flags | SA_SIGINFO };

	if (mask)
		action.sa_mask = *mask;
	else
		sigemptyset(&action.sa_mask);
	CHECK_OK(sigaction(signal, &action, NULL));
}

static void block(int signal, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signal);
	CHECK_OK(sigprocmask(how, &set, NULL));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static siginfo_t last_info;

static void record(int signal, siginfo_t *info, void *uc)
{
	(void)uc;
	last_info = *info;
	if (log_count < 16) {
		log_signals[log_count] = signal;
		log_values[log_count] = info->si_value.sival_int;
		log_count++;
	}
	hits++;
}

static void siginfo_fields(void)
{
	union sigval value = { .sival_int = 42 };

	install(SIGUSR1, record, 0, NULL);
	hits = 0;
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK(hits == 1);
	printf("kill: signo %d code %s pid %s uid %s\n", last_info.si_signo,
	       last_info.si_code == SI_USER ? "SI_USER" : "?",
	       last_info.si_pid == getpid() ? "self" : "other",
	       last_info.si_uid == getuid() ? "self" : "other");
	CHECK_OK(sigqueue(getpid(), SIGUSR1, value));
	CHECK(hits == 2);
	printf("sigqueue: code %s value %d\n",
	       last_info.si_code == SI_QUEUE ? "SI_QUEUE" : "?",
	       last_info.si_value.sival_int);
	CHECK_OK(raise(SIGUSR1));
	printf("raise: code %s\n", last_info.si_code == SI_TKILL ? "SI_TKILL" :
								     "?");
}

static void masks(void)
{
	sigset_t pending;

	hits = 0;
	block(SIGUSR1, SIG_BLOCK);
	CHECK_OK(raise(SIGUSR1));
	CHECK_OK(raise(SIGUSR1));
	CHECK(hits == 0);
	CHECK_OK(sigpending(&pending));
	printf("blocked: pending %d, delivered %d\n",
	       sigismember(&pending, SIGUSR1), (int)hits);
	block(SIGUSR1, SIG_UNBLOCK);
	printf("unblocked: delivered %d (standard signals coalesce)\n",
	       (int)hits);
	/* Ignoring a pending signal discards it, blocked or not. */
	block(SIGUSR2, SIG_BLOCK);
	CHECK_OK(raise(SIGUSR2));
	CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	CHECK_OK(sigpending(&pending));
	printf("ignored while pending: pending %d\n",
	       sigismember(&pending, SIGUSR2));
	/* A blocked, ignored-by-default signal still waits. */
	CHECK_OK(raise(SIGWINCH));
	CHECK_OK(sigpending(&pending));
	printf("blocked SIGWINCH (default ignore) pending %d\n",
	       sigismember(&pending, SIGWINCH));
	block(SIGWINCH, SIG_BLOCK);
	CHECK_OK(raise(SIGWINCH));
	CHECK_OK(sigpending(&pending));
	printf("blocked SIGWINCH (default ignore) pending %d\n",
	       sigismember(&pending, SIGWINCH));
	block(SIGWINCH, SIG_UNBLOCK);
	block(SIGUSR2, SIG_UNBLOCK);
	CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);
}

static char *alt_base;
#define ALT_SIZE 65536

static void on_alt(int signal, siginfo_t *info, void *uc)
{
	stack_t now;
	char here;

	(void)info;
	(void)uc;
	sigaltstack(NULL, &now);
	printf("altstack handler %d: on the alternate stack %d, SS_ONSTACK %d\n",
	       signal, &here >= alt_base && &here < alt_base + ALT_SIZE,
	       (now.ss_flags & SS_ONSTACK) != 0);
}

/*
 * SS_AUTODISARM: the handler runs with the alternate stack disarmed; the
 * frame's uc_stack holds it, and rt_sigreturn sets it from there (here
 * changed by the handler), as Linux's restore_altstack.
 */
static void on_autodisarm(int signal, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	stack_t now;

	(void)signal;
	(void)info;
	sigaltstack(NULL, &now);
	printf("autodisarm handler: now %s, frame's flags %#x size %s\n",
	       now.ss_flags == SS_DISABLE ? "disabled" : "armed",
	       (unsigned int)uc->uc_stack.ss_flags,
	       uc->uc_stack.ss_size == ALT_SIZE ? "ALT_SIZE" : "other");
	uc->uc_stack.ss_size = ALT_SIZE / 2;
}

static void altstack_autodisarm(void)
{
	stack_t stack = { .ss_size = ALT_SIZE, .ss_flags = SS_AUTODISARM }, now;

	alt_base = malloc(ALT_SIZE);
	CHECK(alt_base != NULL);
	stack.ss_sp = alt_base;
	CHECK_OK(sigaltstack(&stack, NULL));
	CHECK_OK(sigaltstack(NULL, &now));
	printf("autodisarm: flags %#x\n", (unsigned int)now.ss_flags);
	install(SIGUSR2, on_autodisarm, SA_ONSTACK | SA_SIGINFO, NULL);
	CHECK_OK(raise(SIGUSR2));
	CHECK_OK(sigaltstack(NULL, &now));
	printf("autodisarm: after the handler flags %#x, size %s\n",
	       (unsigned int)now.ss_flags,
	       now.ss_size == ALT_SIZE / 2 ? "the frame's" : "other");
	stack.ss_flags = SS_DISABLE;
	CHECK_OK(sigaltstack(&stack, NULL));
	signal(SIGUSR2, SIG_DFL);
	free(alt_base);
}

static void altstack(void)
{
	stack_t stack = { .ss_size = ALT_SIZE }, old;

	alt_base = malloc(ALT_SIZE);
	CHECK(alt_base != NULL);
	stack.ss_sp = alt_base;
	CHECK_OK(sigaltstack(&stack, &old));
	printf("altstack: old disabled %d\n", (old.ss_flags & SS_DISABLE) != 0);
	install(SIGUSR2, on_alt, SA_ONSTACK, NULL);
	CHECK_OK(raise(SIGUSR2));
	stack.ss_size = 100;
	CHECK_ERR(sigaltstack(&stack, NULL), ENOMEM);
	stack.ss_flags = 12345;
	stack.ss_size = ALT_SIZE;
	CHECK_ERR(sigaltstack(&stack, NULL), EINVAL);
	stack.ss_flags = SS_DISABLE;
	CHECK_OK(sigaltstack(&stack, NULL));
	CHECK_OK(sigaltstack(NULL, &old));
	printf("altstack: disabled again %d\n",
	       (old.ss_flags & SS_DISABLE) != 0);
	signal(SIGUSR2, SIG_DFL);
	free(alt_base);
}

static volatile int depth, max_depth, calls;

static void outer(int signal, siginfo_t *info, void *uc)
{
	(void)info;
	(void)uc;
	printf("outer %d begins\n", signal);
	raise(SIGUSR2);
	printf("outer %d ends\n", signal);
}

static void inner(int signal, siginfo_t *info, void *uc)
{
	(void)info;
	(void)uc;
	printf("inner %d\n", signal);
}

static void nodefer(int signal, siginfo_t *info, void *uc)
{
	(void)info;
	(void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (++calls < 3)
		raise(signal);
	depth--;
}

static void nesting(void)
{
	sigset_t mask;
	struct sigaction now;

	install(SIGUSR1, outer, 0, NULL);
	install(SIGUSR2, inner, 0, NULL);
	printf("nested, SIGUSR2 open:\n");
	raise(SIGUSR1);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	install(SIGUSR1, outer, 0, &mask);
	printf("nested, SIGUSR2 in sa_mask:\n");
	raise(SIGUSR1);

	install(SIGUSR1, nodefer, SA_NODEFER, NULL);
	max_depth = calls = 0;
	raise(SIGUSR1);
	printf("SA_NODEFER depth %d\n", max_depth);
	install(SIGUSR1, nodefer, 0, NULL);
	max_depth = calls = 0;
	raise(SIGUSR1);
	printf("deferred depth %d, calls %d\n", max_depth, calls);

	install(SIGUSR1, record, SA_RESETHAND, NULL);
	hits = 0;
	raise(SIGUSR1);
	CHECK_OK(sigaction(SIGUSR1, NULL, &now));
	printf("SA_RESETHAND: ran %d, now SIG_DFL %d\n", (int)hits,
	       now.sa_handler == SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static int pipe_fds[2];

static void alarm_writes(int signal, siginfo_t *info, void *uc)
{
	(void)signal;
	(void)info;
	(void)uc;
	hits++;
	if (write(pipe_fds[1], "x", 1) != 1)
		_exit(3);
}

static void arm_ms(long ms, long interval_ms)
{
	struct itimerval it = {
		.it_value = { ms / 1000, ms % 1000 * 1000 },
		.it_interval = { interval_ms / 1000, interval_ms % 1000 * 1000 },
	};

	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

static void restart_rules(void)
{
	char byte;
	ssize_t result;

	CHECK_OK(pipe(pipe_fds));
	install(SIGALRM, alarm_writes, 0, NULL);
	arm_ms(30, 0);
	errno = 0;
	result = read(pipe_fds[0], &byte, 1);
	printf("read without SA_RESTART: %zd errno %s\n", result,
	       errno == EINTR ? "EINTR" : "?");
	CHECK(read(pipe_fds[0], &byte, 1) == 1);	/* what it wrote */
	install(SIGALRM, alarm_writes, SA_RESTART, NULL);
	arm_ms(30, 0);
	result = read(pipe_fds[0], &byte, 1);
	printf("read with SA_RESTART: %zd byte %c\n", result, byte);

	/* nanosleep: -EINTR with the time left, SA_RESTART or not. */
	struct timespec request = { 5, 0 }, left = { 0, 0 };

	arm_ms(30, 0);
	errno = 0;
	result = nanosleep(&request, &left);
	printf("nanosleep with SA_RESTART: %zd errno %s, left 4-5 s %d\n",
	       result, errno == EINTR ? "EINTR" : "?",
	       left.tv_sec == 4 || (left.tv_sec == 5 && left.tv_nsec == 0));
	CHECK(read(pipe_fds[0], &byte, 1) == 1);
	/* pause returns only after a handler ran. */
	arm_ms(20, 0);
	errno = 0;
	result = pause();
	printf("pause: %zd errno %s\n", result, errno == EINTR ? "EINTR" : "?");
	CHECK(read(pipe_fds[0], &byte, 1) == 1);
	signal(SIGALRM, SIG_DFL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static volatile int chld_code, chld_status, chld_count;

static void on_chld(int signal, siginfo_t *info, void *uc)
{
	(void)signal;
	(void)uc;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_count++;
}

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	default: return "?";
	}
}

static void describe(const char *what, int status)
{
	printf("%s: ", what);
	if (WIFEXITED(status))
		printf("exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("signal %d core %d", WTERMSIG(status),
		       WCOREDUMP(status) != 0);
	else if (WIFSTOPPED(status))
		printf("stopped by %d", WSTOPSIG(status));
	else if (WIFCONTINUED(status))
		printf("continued");
	printf(" (%#x), SIGCHLD %s status %d\n", status, code_name(chld_code),
	       chld_status);
}

/* Waits for pid's next report with `options`; the SIGCHLD has come by then. */
static int wait_for(pid_t pid, int options)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, options);
	while (got < 0 && errno == EINTR);
	CHECK(pid == -1 ? got > 0 : got == pid);
	return status;
}

static void child_deaths(void)
{
	struct rlimit core = { RLIM_INFINITY, RLIM_INFINITY };
	pid_t pid;

	install(SIGCHLD, on_chld, SA_RESTART, NULL);
	pid = fork();
	if (pid == 0)
		_exit(3);
	describe("exit(3)", wait_for(pid, 0));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK_OK(kill(pid, SIGTERM));
	describe("SIGTERM", wait_for(pid, 0));
	pid = fork();
	if (pid == 0) {
		struct rlimit none = { 0, RLIM_INFINITY };

		setrlimit(RLIMIT_CORE, &none);
		raise(SIGQUIT);
		_exit(0);
	}
	describe("SIGQUIT, RLIMIT_CORE 0", wait_for(pid, 0));
	pid = fork();
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &core);
		abort();
	}
	describe("abort, RLIMIT_CORE unlimited", wait_for(pid, 0));
	unlink("core");
}

static void stop_continue(void)
{
	int status, stopped_count;
	pid_t pid;
	siginfo_t info;

	int go[2];
	char byte;

	CHECK_OK(pipe(go));
	pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		if (read(go[0], &byte, 1) != 1)	/* the parent's turn first */
			_exit(1);
		printf("child: resumed after SIGCONT\n");
		_exit(5);
	}
	describe("raise(SIGSTOP)", wait_for(pid, WUNTRACED));
	CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0);
	printf("stop reported once\n");
	CHECK_OK(kill(pid, SIGCONT));
	status = wait_for(pid, WCONTINUED);	/* SIGCHLD comes later */
	printf("SIGCONT: continued %d (%#x)\n", WIFCONTINUED(status), status);
	CHECK(waitpid(pid, &status, WCONTINUED | WNOHANG) == 0);
	printf("continue reported once\n");
	CHECK(write(go[1], "g", 1) == 1);
	status = wait_for(pid, 0);	/* SIGCHLDs may coalesce: not shown */
	printf("then: exited %d\n", WEXITSTATUS(status));

	/* waitid's view, WNOWAIT keeping the report. */
	pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(read(go[0], &byte, 1) == 1 ? 0 : 1);
	}
	memset(&info, 0, sizeof(info));
	CHECK_OK(waitid(P_PID, pid, &info, WSTOPPED | WNOWAIT));
	printf("waitid WNOWAIT: code %s status %d\n", code_name(info.si_code),
	       info.si_status);
	memset(&info, 0, sizeof(info));
	CHECK_OK(waitid(P_PID, pid, &info, WSTOPPED));
	printf("waitid again: code %s status %d pid ok %d\n",
	       code_name(info.si_code), info.si_status, info.si_pid == pid);
	CHECK_OK(kill(pid, SIGCONT));
	memset(&info, 0, sizeof(info));
	CHECK_OK(waitid(P_PID, pid, &info, WCONTINUED));
	printf("waitid: code %s status %d\n", code_name(info.si_code),
	       info.si_status);
	CHECK(write(go[1], "g", 1) == 1);
	close(go[0]);
	close(go[1]);
	CHECK_OK(waitid(P_PID, pid, &info, WEXITED));
	printf("waitid: code %s status %d\n", code_name(info.si_code),
	       info.si_status);

	/* SIGKILL ends a stopped process; SA_NOCLDSTOP quiets stops. */
	install(SIGCHLD, on_chld, SA_RESTART | SA_NOCLDSTOP, NULL);
	stopped_count = chld_count;
	pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	status = wait_for(pid, WUNTRACED);
	printf("SA_NOCLDSTOP: stopped %d, SIGCHLDs %d\n", WIFSTOPPED(status),
	       chld_count - stopped_count);
	CHECK_OK(kill(pid, SIGKILL));
	describe("SIGKILL while stopped", wait_for(pid, 0));
	install(SIGCHLD, on_chld, SA_RESTART, NULL);
}

static volatile uint64_t *shared;

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		shared[0]++;
	return NULL;
}

/* A stop holds every thread, and a sleep resumes after SIGCONT. */
static void group_stop(void)
{
	uint64_t before, after;
	int status, chlds;
	pid_t pid;

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	pid = fork();
	if (pid == 0) {
		pthread_t thread;
		struct timespec request = { 0, 300000000 }, start, end;

		pthread_create(&thread, NULL, spin, NULL);
		clock_gettime(CLOCK_MONOTONIC, &start);
		shared[1] = 1;
		int result = nanosleep(&request, NULL);

		clock_gettime(CLOCK_MONOTONIC, &end);
		printf("child: nanosleep across the stop returned %d, "
		       "slept 300 ms or more %d\n", result,
		       (end.tv_sec - start.tv_sec) * 1000000000L +
				       end.tv_nsec - start.tv_nsec >= 300000000L);
		_exit(0);
	}
	while (shared[1] == 0 || shared[0] < 1000)
		sched_yield();
	chlds = chld_count;
	CHECK_OK(kill(pid, SIGSTOP));
	status = wait_for(pid, WUNTRACED);
	/*
	 * Not describe(): on Linux (SMP) this wait may see the stop before
	 * the thread completing it sends SIGCHLD, whose si_status then reads
	 * what the wait left (0 or 19 from run to run). So the SIGCHLD is
	 * waited for, and only its code compared.
	 */
	for (int i = 0; i < 100 && chld_count == chlds; i++)
		sleep_ms(10);
	printf("two threads: stopped by %d (%#x), SIGCHLD %s\n",
	       WSTOPSIG(status), status,
	       chld_count != chlds ? code_name(chld_code) : "missing");
	sleep_ms(30);
	before = shared[0];
	sleep_ms(60);
	after = shared[0];
	printf("while stopped the thread ran %d\n", before != after);
	CHECK_OK(kill(pid, SIGCONT));
	sleep_ms(30);
	printf("after SIGCONT it runs %d\n", shared[0] != after);
	describe("then", wait_for(pid, 0));
	munmap((void *)shared, 4096);
}

/*
 * A read blocked across a stop goes on after SIGCONT, unseen (the tty's
 * SIGTTIN path: -ERESTARTSYS with no handler restarts).
 */
static void read_across_stop(void)
{
	int fds[2], status;
	pid_t pid;

	CHECK_OK(pipe(fds));
	pid = fork();
	if (pid == 0) {
		char buffer[8] = { 0 };
		ssize_t got = read(fds[0], buffer, sizeof(buffer) - 1);

		printf("child: read across the stop got %zd \"%s\"\n", got,
		       buffer);
		_exit(0);
	}
	sleep_ms(30);	/* let it block */
	CHECK_OK(kill(pid, SIGSTOP));
	status = wait_for(pid, WUNTRACED);
	printf("reader stopped by %d\n", WSTOPSIG(status));
	CHECK_OK(kill(pid, SIGCONT));
	sleep_ms(20);
	CHECK(write(fds[1], "data", 4) == 4);
	status = wait_for(pid, 0);
	printf("reader exited %d\n", WEXITSTATUS(status));
	close(fds[0]);
	close(fds[1]);
}

static volatile int hup_seen;

static void on_hup(int signal)
{
	(void)signal;
	hup_seen = 1;
}

/* Orphaned groups: terminal stops discarded, a hang-up at the orphaning. */
static void orphans(void)
{
	int report[2], status;
	pid_t leader;
	char byte;

	/* The orphan comes back to us, here as on Amphi (where we are init). */
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_OK(pipe(report));
	leader = fork();
	if (leader == 0) {
		pid_t member;

		setsid();	/* a new session: its group is orphaned */
		raise(SIGTSTP);
		printf("session leader: SIGTSTP discarded in an orphaned group\n");
		member = fork();
		if (member == 0) {
			signal(SIGHUP, on_hup);
			setpgid(0, 0);	/* linked by its parent: not orphaned */
			raise(SIGTSTP);
			printf("member: resumed, SIGHUP seen %d\n", hup_seen);
			_exit(write(report[1], &(char){ (char)getpid() }, 1) ==
				      1 ? 0 : 1);
		}
		status = wait_for(member, WUNTRACED);
		printf("session leader: member stopped by %d\n",
		       WSTOPSIG(status));
		_exit(0);	/* orphans the member's group: SIGHUP, SIGCONT */
	}
	status = wait_for(leader, 0);	/* SIGCHLDs race here: not shown */
	close(report[1]);
	CHECK(read(report[0], &byte, 1) == 1);	/* the member printed */
	close(report[0]);
	printf("session leader: exited %d\n", WEXITSTATUS(status));
	/* The orphan, adopted (its SIGCHLDs may coalesce: not shown). */
	status = wait_for(-1, 0);
	printf("orphan: exited %d\n", WEXITSTATUS(status));
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 0));
}

static char *guarded;

static void on_segv(int signal, siginfo_t *info, void *uc)
{
	(void)uc;
	printf("SIGSEGV %d: at the page %d, code %s\n", signal,
	       info->si_addr == guarded,
	       info->si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "?");
	if (mprotect(guarded, 4096, PROT_READ | PROT_WRITE) != 0)
		_exit(4);
}

static void segv_fixup(void)
{
	guarded = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	CHECK(guarded != MAP_FAILED);
	install(SIGSEGV, on_segv, 0, NULL);
	*(volatile char *)guarded = 7;
	printf("after the handler the write landed: %d\n", guarded[0]);
	signal(SIGSEGV, SIG_DFL);
	munmap(guarded, 4096);
}

static void clobber_sse(int signal, siginfo_t *info, void *uc)
{
	(void)signal;
	(void)info;
	(void)uc;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1"
			 ::: "xmm0", "xmm1");
}

static void forge(int signal, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;

	(void)signal;
	(void)info;
	/* IOPL 3, NT, IF clear: none of it may reach user mode. */
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x4000;
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x200L;
}

static void forge_mxcsr(int signal, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;

	(void)signal;
	(void)info;
	uc->uc_mcontext.fpregs->mxcsr |= 0xffff0000;	/* reserved bits */
}

static void fpu_and_frames(void)
{
	uint64_t lanes[2] = { 0x1122334455667788ULL, 0x99aabbccddeeff00ULL };
	uint64_t out[2];
	double x = 1.5;
	uint64_t flags;

	install(SIGUSR1, clobber_sse, 0, NULL);
	__asm__ volatile("movdqu %1, %%xmm0\n\t"
			 "mov %2, %%eax\n\t"
			 "mov %3, %%edi\n\t"
			 "mov %4, %%esi\n\t"
			 "syscall\n\t"
			 "movdqu %%xmm0, %0"
			 : "=m"(out)
			 : "m"(lanes), "i"(SYS_kill), "r"((int)getpid()),
			   "i"(SIGUSR1)
			 : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm1",
			   "memory");
	printf("xmm0 kept across a handler: %d\n",
	       out[0] == lanes[0] && out[1] == lanes[1]);
	x = x * 3.0;
	printf("double math: %.2f\n", x);

	install(SIGUSR1, forge, 0, NULL);
	raise(SIGUSR1);
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
	printf("forged frame: IOPL %d, NT %d, IF %d\n",
	       (int)(flags >> 12 & 3), (int)(flags >> 14 & 1),
	       (int)(flags >> 9 & 1));
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit none = { 0, RLIM_INFINITY };

		setrlimit(RLIMIT_CORE, &none);
		install(SIGUSR1, forge_mxcsr, 0, NULL);
		raise(SIGUSR1);
		_exit(0);
	}
	describe("forged MXCSR in the frame", wait_for(pid, 0));
	signal(SIGUSR1, SIG_DFL);
}

static void timed_wait(void)
{
	sigset_t set;
	siginfo_t info;
	struct timespec timeout = { 0, 10000000 };
	int result;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	raise(SIGUSR1);
	result = sigtimedwait(&set, &info, &timeout);
	printf("sigtimedwait: %d code %s\n", result,
	       info.si_code == SI_TKILL ? "SI_TKILL" : "?");
	CHECK_ERR(sigtimedwait(&set, &info, &timeout), EAGAIN);
	printf("sigtimedwait timeout: EAGAIN\n");
	timeout.tv_nsec = 1000000000;
	CHECK_ERR(sigtimedwait(&set, &info, &timeout), EINVAL);
	install(SIGALRM, record, 0, NULL);
	arm_ms(20, 0);
	timeout = (struct timespec){ 5, 0 };
	/* The raw call: musl's sigtimedwait retries on EINTR. */
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &info, &timeout, 8),
		  EINTR);
	printf("sigtimedwait interrupted by a handler: EINTR\n");
	/* A blocked SIGCHLD (default: ignore) waits for sigwaitinfo. */
	sigaddset(&set, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	signal(SIGCHLD, SIG_DFL);
	pid_t pid = fork();

	if (pid == 0)
		_exit(9);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	result = sigwaitinfo(&set, &info);
	printf("sigwaitinfo: %d code %s status %d pid ok %d\n", result,
	       code_name(info.si_code), info.si_status, info.si_pid == pid);
	wait_for(pid, 0);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	signal(SIGALRM, SIG_DFL);
	install(SIGCHLD, on_chld, SA_RESTART, NULL);
}

static void realtime(void)
{
	sigset_t set, all;
	struct rlimit limit = { 3, 3 }, old;
	int queued = 0;

	sigfillset(&all);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	install(SIGUSR1, record, 0, &all);
	install(SIGRTMIN, record, 0, &all);
	install(SIGRTMIN + 2, record, 0, &all);
	log_count = 0;
	int order[][2] = { { 2, 1 }, { 0, 2 }, { 2, 3 }, { 0, 4 } };

	for (int i = 0; i < 4; i++)
		CHECK_OK(sigqueue(getpid(), SIGRTMIN + order[i][0],
				  (union sigval){ .sival_int = order[i][1] }));
	CHECK_OK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 5 }));
	CHECK_OK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 6 }));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	printf("delivery order:");
	for (int i = 0; i < log_count; i++)
		printf(" %s:%d",
		       log_signals[i] == SIGUSR1 ? "USR1" :
		       log_signals[i] == SIGRTMIN ? "RTMIN" : "RTMIN+2",
		       log_values[i]);
	printf("\n");

	/*
	 * RLIMIT_SIGPENDING bounds the queue. Linux counts per user, so a
	 * child takes a user id of its own, with no other signal queued.
	 */
	pid_t pid = fork();

	if (pid == 0) {
		CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &limit));
		CHECK_OK(setuid(4242));
		CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
		for (int i = 0; i < 10; i++) {
			if (sigqueue(getpid(), SIGRTMIN, (union sigval){ 0 })) {
				printf("sigqueue past the limit: %s\n",
				       errno == EAGAIN ? "EAGAIN" : "?");
				break;
			}
			queued++;
		}
		/* kill still marks the signal pending, without a queue entry. */
		CHECK_OK(kill(getpid(), SIGRTMIN));
		printf("queued under RLIMIT_SIGPENDING 3: %d\n", queued);
		log_count = 0;
		CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
		printf("delivered %d\n", log_count);
		_exit(0);
	}
	(void)old;
	describe("RLIMIT_SIGPENDING child", wait_for(pid, 0));
	for (int i = 0; i < 3; i++)
		signal(i == 0 ? SIGUSR1 : SIGRTMIN + 2 * (i - 1), SIG_DFL);
}

static void timers(void)
{
	struct itimerval it, old;
	sig_atomic_t seen;
	pid_t pid;

	printf("alarm(10): %u\n", alarm(10));
	printf("alarm(5): %u\n", alarm(5));
	printf("alarm(0): %u\n", alarm(0));
	arm_ms(500, 250);
	CHECK_OK(getitimer(ITIMER_REAL, &it));
	printf("getitimer: armed %d, at most 0.5 s %d, interval %ld.%06ld\n",
	       it.it_value.tv_sec != 0 || it.it_value.tv_usec != 0,
	       it.it_value.tv_sec == 0 && it.it_value.tv_usec <= 500000,
	       it.it_interval.tv_sec, it.it_interval.tv_usec);
	pid = fork();
	if (pid == 0) {
		getitimer(ITIMER_REAL, &it);
		printf("fork child: timer armed %d\n",
		       it.it_value.tv_sec != 0 || it.it_value.tv_usec != 0);
		_exit(0);
	}
	wait_for(pid, 0);
	pid = fork();
	if (pid == 0) {	/* the timer survives exec */
		char *argv[] = { "signals", "exec-itimer", NULL };

		arm_ms(10000, 250);
		execv("/proc/self/exe", argv);
		_exit(1);
	}
	describe("exec child", wait_for(pid, 0));
	memset(&it, 0, sizeof(it));
	CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
	printf("disarmed; old interval %ld.%06ld\n", old.it_interval.tv_sec,
	       old.it_interval.tv_usec);
	CHECK_OK(getitimer(ITIMER_REAL, &it));
	printf("getitimer: armed %d\n",
	       it.it_value.tv_sec != 0 || it.it_value.tv_usec != 0);
	it.it_value.tv_usec = 1000000;
	CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	it.it_value.tv_usec = -1;
	CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);

	/*
	 * A periodic timer: SIGALRMs until three came, then disarm, and no
	 * more after. More than three may come first when the handler or
	 * the loop takes longer than the interval (sanitizers, a loaded
	 * host), on Linux too.
	 */
	install(SIGALRM, record, 0, NULL);
	hits = 0;
	arm_ms(10, 10);
	while (hits < 3)
		pause();
	arm_ms(0, 0);
	seen = hits;
	sleep_ms(50);
	printf("periodic: at least 3 alarms %d, none after disarming %d\n",
	       seen >= 3, hits == seen);
	alarm(1);
	hits = 0;
	pause();
	printf("alarm(1) fired: %d\n", (int)hits);
	signal(SIGALRM, SIG_DFL);
}

static void bad_input(void)
{
	struct sigaction action = { .sa_handler = SIG_IGN };
	siginfo_t info;
	pid_t pid;

	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(kill(getpid(), -1), EINVAL);
	CHECK_ERR(sigaction(0, &action, NULL), EINVAL);
	CHECK_ERR(sigaction(65, &action, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGKILL, &action, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &action, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, 99, &(sigset_t){ 0 }, NULL, 8),
		  EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 4),
		  EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), getpid(), 65), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, 0, getpid(), SIGUSR1), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &(sigset_t){ 0 }, NULL, NULL,
			  4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, 8), EFAULT);
	CHECK_ERR(getitimer(7, &(struct itimerval){ 0 }), EINVAL);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	memset(&info, 0, sizeof(info));
	info.si_code = SI_USER;	/* pretending to be kill: only to oneself */
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &info), EPERM);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR1, &info),
		  EPERM);
	info.si_code = SI_QUEUE;
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, 65, &info), EINVAL);
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &info));
	describe("rt_sigqueueinfo SIGTERM", wait_for(pid, 0));
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &info), ESRCH);
	printf("bad arguments rejected\n");
}

/* Run by the exec child of timers(): the timer it inherited. */
static int exec_itimer(void)
{
	struct itimerval it;

	CHECK_OK(getitimer(ITIMER_REAL, &it));
	printf("after exec: timer armed %d, interval %ld.%06ld\n",
	       it.it_value.tv_sec != 0 || it.it_value.tv_usec != 0,
	       it.it_interval.tv_sec, it.it_interval.tv_usec);
	return 0;
}

int main(int argc, char **argv)
{
	check_init("signals");
	if (argc > 1 && strcmp(argv[1], "exec-itimer") == 0)
		return exec_itimer();
	siginfo_fields();
	masks();
	altstack();
	altstack_autodisarm();
	nesting();
	restart_rules();
	child_deaths();
	stop_continue();
	group_stop();
	read_across_stop();
	orphans();
	segv_fixup();
	fpu_and_frames();
	timed_wait();
	realtime();
	timers();
	bad_input();
	printf("signals: all checks passed\n");
	return 0;
}
