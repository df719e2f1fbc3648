/*
 * Signal sending and delivery (core/proc/signal.h). The frame written on
 * the user stack is Linux's x86_64 rt_sigframe, so C libraries'
 * restorers (musl's and glibc's __restore_rt: `mov $15, %eax; syscall`)
 * and unwinders work unchanged.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/sched/thread.h"

#define SIG_BIT(signal) (1ULL << ((signal) - 1))
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define RED_ZONE 128

/* x86_64 rflags bits a signal handler's sigreturn may change (FIX_EFLAGS). */
#define USER_RFLAGS_MASK 0x50dd5ULL	/* CF PF AF ZF SF TF DF OF AC RF */
#define RFLAGS_FIXED 0x202ULL		/* IF and the reserved bit 1 */
#define MXCSR_VALID_MASK 0xffbfU	/* no reserved MXCSR bits (DAZ ok) */

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define SS_ONSTACK 1
#define SS_DISABLE 2

/* Linux's struct sigcontext for x86_64 (256 bytes). */
struct sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the FXSAVE image */
	uint64_t reserved[8];
};

struct user_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct ucontext {
	uint64_t flags;
	uint64_t link;
	struct user_stack stack;
	struct sigcontext mcontext;
	uint64_t sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;		/* the handler's return address */
	struct ucontext uc;
	struct proc_siginfo info;
};

_Static_assert(sizeof(struct sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct ucontext) == 304, "ucontext layout");
_Static_assert(sizeof(struct proc_siginfo) == 128, "siginfo layout");

enum default_action { ACT_TERMINATE, ACT_CORE, ACT_IGNORE, ACT_STOP };

static enum default_action default_action(int signal)
{
	switch (signal) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
		return ACT_IGNORE;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return ACT_STOP;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return ACT_CORE;
	default:
		return ACT_TERMINATE;
	}
}

/* Ends the whole process with `signal` (tree lock held). */
static void kill_process_locked(struct process *process, int signal)
{
	struct task *task;
	int status = PROC_STATUS_SIGNALED(signal);

	if (process->group_exit)
		return;
	/* FIXME: no core files; the core bit (0x80) is set as Linux would
	 * only when one is written, so it stays clear. */
	process->group_exit = true;
	process->group_exit_status = status;
	for_each_task(task, &process->threads, thread_link) {
		__atomic_store_n(&task->kill_pending, signal, __ATOMIC_RELEASE);
		task_kick(task);
	}
}

static void add_pending(struct proc_sigpending *pending, int signal,
			const struct proc_siginfo *info)
{
	if (pending->set & SIG_BIT(signal))
		return;		/* standard signals do not queue */
	pending->info[signal - 1] = *info;
	__atomic_or_fetch(&pending->set, SIG_BIT(signal), __ATOMIC_RELEASE);
}

void signal_send_locked(struct process *process, struct task *task,
			int signal, const struct proc_siginfo *info)
{
	struct proc_siginfo kernel_info = { .signo = signal,
					    .code = SI_KERNEL };
	struct proc_sigaction action;
	struct task *target;

	if (signal < 1 || signal > PROC_NSIG || process->state != PROC_ALIVE ||
	    process->group_exit)
		return;
	if (info == NULL)
		info = &kernel_info;
	if (signal == SIGKILL) {
		kill_process_locked(process, signal);
		return;
	}
	spin_lock(&process->lock);
	action = process->sigactions[signal - 1];
	if (action.handler == SIG_IGN ||
	    (action.handler == SIG_DFL &&
	     (default_action(signal) == ACT_IGNORE ||
	      default_action(signal) == ACT_STOP))) {
		/* FIXME (tty issue): job-control stops and SIGCONT. */
		spin_unlock(&process->lock);
		return;
	}
	add_pending(task ? &task->pending : &process->shared_pending, signal,
		    info);
	spin_unlock(&process->lock);
	/* Wake a task that takes it: the named one, or any not blocking it. */
	if (task) {
		task_kick(task);
		return;
	}
	for_each_task(target, &process->threads, thread_link) {
		if (!(READ_ONCE(target->sigmask) & SIG_BIT(signal))) {
			task_kick(target);
			return;
		}
	}
}

bool signal_ignored_or_blocked(struct task *task, int signal)
{
	struct process *process = task->process;
	bool result;

	if (signal < 1 || signal > PROC_NSIG)
		return false;
	spin_lock(&process->lock);
	result = process->sigactions[signal - 1].handler == SIG_IGN ||
		 (task->sigmask & SIG_BIT(signal));
	spin_unlock(&process->lock);
	return result;
}

static uint64_t pending_set(struct task *task)
{
	return (__atomic_load_n(&task->pending.set, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&task->process->shared_pending.set,
				__ATOMIC_ACQUIRE)) &
	       ~READ_ONCE(task->sigmask);
}

bool signal_pending(struct task *task)
{
	return READ_ONCE(task->kill_pending) != 0 || pending_set(task) != 0;
}

bool signal_pending_current(void)
{
	struct task *task = task_current();

	return task != NULL && signal_pending(task);
}

void signal_raise(int signal)
{
	struct task *task = task_current();
	struct proc_siginfo info = { .signo = signal, .code = SI_USER };

	if (task == NULL)
		return;
	info.proc.pid = task->process->pid;
	info.proc.uid = task->process->cred.uid;
	mutex_lock(&proc_tree_lock);
	signal_send_locked(task->process, task, signal, &info);
	mutex_unlock(&proc_tree_lock);
}

/* Takes the lowest pending unblocked signal (process lock held); 0: none. */
static int dequeue_locked(struct task *task, struct proc_siginfo *info)
{
	uint64_t mask = ~task->sigmask;
	struct proc_sigpending *sets[2] = { &task->pending,
					    &task->process->shared_pending };

	for (int i = 0; i < 2; i++) {
		uint64_t ready = sets[i]->set & mask;

		if (ready == 0)
			continue;
		int signal = __builtin_ctzll(ready) + 1;

		*info = sets[i]->info[signal - 1];
		__atomic_and_fetch(&sets[i]->set, ~SIG_BIT(signal),
				   __ATOMIC_RELEASE);
		return signal;
	}
	return 0;
}

/* Rewinds to the syscall instruction so that it runs again. */
static void restart_syscall(struct user_regs *regs)
{
	regs->rax = regs->orig_rax;
	regs->rip -= 2;		/* `syscall` is 0f 05 */
}

/* An interrupted syscall when a handler is about to run. */
static void finish_interrupted(struct task *task,
			       const struct proc_sigaction *action)
{
	struct user_regs *regs = &task->user.regs;
	long restart = task->restart;

	task->restart = 0;
	switch (restart) {
	case -ERESTARTNOINTR:
		restart_syscall(regs);
		break;
	case -ERESTARTSYS:
		if (action->flags & SA_RESTART)
			restart_syscall(regs);
		else
			regs->rax = (uint64_t)-EINTR;
		break;
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		regs->rax = (uint64_t)-EINTR;
		break;
	default:
		break;
	}
}

/* Whether sp lies on the task's alternate signal stack. */
static bool on_altstack(const struct task *task, uint64_t sp)
{
	return task->altstack_size != 0 && sp > task->altstack_sp &&
	       sp - task->altstack_sp <= task->altstack_size;
}

/* Builds the frame for `action`; returns 0 or -EFAULT (bad user stack). */
static int setup_frame(struct task *task, int signal,
		       const struct proc_sigaction *action,
		       const struct proc_siginfo *info, uint64_t old_mask)
{
	struct user_regs *regs = &task->user.regs;
	struct rt_sigframe frame;
	uint64_t sp = regs->rsp, fpstate, frame_addr;

	if ((action->flags & SA_ONSTACK) && task->altstack_size != 0 &&
	    !(task->altstack_flags & SS_DISABLE) && !on_altstack(task, sp))
		sp = task->altstack_sp + task->altstack_size;
	else
		sp -= RED_ZONE;
	fpstate = (sp - sizeof(task->user.fpu)) & ~63ULL;
	frame_addr = ((fpstate - sizeof(frame)) & ~15ULL) - 8;

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = action->restorer;
	frame.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.stack.sp = task->altstack_sp;
	frame.uc.stack.size = task->altstack_size;
	frame.uc.stack.flags = task->altstack_size == 0 ? SS_DISABLE :
			       on_altstack(task, regs->rsp) ? SS_ONSTACK : 0;
	struct sigcontext *sc = &frame.uc.mcontext;

	sc->r8 = regs->r8, sc->r9 = regs->r9, sc->r10 = regs->r10;
	sc->r11 = regs->r11, sc->r12 = regs->r12, sc->r13 = regs->r13;
	sc->r14 = regs->r14, sc->r15 = regs->r15;
	sc->rdi = regs->rdi, sc->rsi = regs->rsi, sc->rbp = regs->rbp;
	sc->rbx = regs->rbx, sc->rdx = regs->rdx, sc->rax = regs->rax;
	sc->rcx = regs->rcx, sc->rsp = regs->rsp, sc->rip = regs->rip;
	sc->eflags = regs->rflags;
	sc->cs = 0x33, sc->ss = 0x2b;	/* Linux's __USER_CS, __USER_DS */
	sc->oldmask = old_mask;
	sc->fpstate = fpstate;
	if (info->signo == SIGSEGV || info->signo == SIGBUS)
		sc->cr2 = info->fault.addr;
	frame.uc.sigmask = old_mask;
	frame.info = *info;

	if (vm_copy_to_user(task->user.as, fpstate, &task->user.fpu,
			    sizeof(task->user.fpu)) < 0 ||
	    vm_copy_to_user(task->user.as, frame_addr, &frame,
			    sizeof(frame)) < 0)
		return -EFAULT;

	regs->rsp = frame_addr;
	regs->rip = action->handler;
	regs->rdi = (uint64_t)signal;
	regs->rsi = frame_addr + offsetof(struct rt_sigframe, info);
	regs->rdx = frame_addr + offsetof(struct rt_sigframe, uc);
	regs->rax = 0;
	regs->rflags &= ~(1ULL << 10 | 1ULL << 8);	/* DF and TF clear */
	return 0;
}

static void deliver(struct task *task, int signal,
		    const struct proc_siginfo *info)
{
	struct process *process = task->process;
	struct proc_sigaction action;
	uint64_t old_mask;

	spin_lock(&process->lock);
	action = process->sigactions[signal - 1];
	if (action.handler > SIG_IGN && (action.flags & SA_RESETHAND))
		process->sigactions[signal - 1] = (struct proc_sigaction){ 0 };
	old_mask = task->restore_sigmask ? task->saved_sigmask : task->sigmask;
	task->restore_sigmask = false;
	if (action.handler > SIG_IGN) {
		uint64_t mask = task->sigmask | action.mask;

		if (!(action.flags & SA_NODEFER))
			mask |= SIG_BIT(signal);
		/* Senders read it unlocked to pick a task. */
		WRITE_ONCE(task->sigmask, mask & ~UNBLOCKABLE);
	}
	spin_unlock(&process->lock);

	if (action.handler == SIG_IGN)
		return;
	if (action.handler == SIG_DFL) {
		enum default_action what = default_action(signal);

		if (what == ACT_IGNORE || what == ACT_STOP)
			return;
		task_die_of_signal(signal);
	}
	finish_interrupted(task, &action);
	if (setup_frame(task, signal, &action, info, old_mask) < 0) {
		/* No room for a frame: Linux forces SIGSEGV (uncatchable here). */
		task_die_of_signal(SIGSEGV);
	}
}

void signal_deliver(struct task *task)
{
	struct process *process = task->process;
	struct proc_siginfo info;
	int signal;

	if (READ_ONCE(task->kill_pending))
		return;		/* the loop exits the task */
	if (pending_set(task) != 0) {
		spin_lock(&process->lock);
		signal = dequeue_locked(task, &info);
		spin_unlock(&process->lock);
		if (signal) {
			deliver(task, signal, &info);
			return;
		}
	}
	/* No handler ran: interrupted calls restart (-EINTR never shows). */
	if (task->restart != 0) {
		long restart = task->restart;

		task->restart = 0;
		if (restart == -ERESTART_RESTARTBLOCK)
			task->user.regs.rax = (uint64_t)-EINTR;	/* FIXME */
		else
			restart_syscall(&task->user.regs);
	}
	if (task->restore_sigmask) {
		spin_lock(&process->lock);
		WRITE_ONCE(task->sigmask, task->saved_sigmask);
		task->restore_sigmask = false;
		spin_unlock(&process->lock);
	}
}

void signal_force_fault(struct task *task, int signal, int code,
			uaddr_t addr)
{
	struct process *process = task->process;
	struct proc_siginfo info = { .signo = signal, .code = code };
	struct proc_sigaction action;
	bool blocked;

	info.fault.addr = addr;
	spin_lock(&process->lock);
	action = process->sigactions[signal - 1];
	blocked = task->sigmask & SIG_BIT(signal);
	spin_unlock(&process->lock);
	if (action.handler <= SIG_IGN || blocked)
		task_die_of_signal(signal);
	task->restart = 0;
	deliver(task, signal, &info);
}

long signal_return(struct task *task)
{
	struct user_regs *regs = &task->user.regs;
	struct process *process = task->process;
	uint64_t frame_addr = regs->rsp - 8;	/* the handler's ret popped pretcode */
	struct rt_sigframe frame;
	struct user_fpu fpu;
	uint32_t mxcsr;

	if (vm_copy_from_user(task->user.as, &frame, frame_addr,
			      sizeof(frame)) < 0)
		task_die_of_signal(SIGSEGV);
	const struct sigcontext *sc = &frame.uc.mcontext;

	if (sc->fpstate != 0) {
		if (vm_copy_from_user(task->user.as, &fpu, sc->fpstate,
				      sizeof(fpu)) < 0)
			task_die_of_signal(SIGSEGV);
		/* Reserved MXCSR bits would fault the kernel's FXRSTOR. */
		memcpy(&mxcsr, &fpu.fxsave[24], sizeof(mxcsr));
		mxcsr &= MXCSR_VALID_MASK;
		memcpy(&fpu.fxsave[24], &mxcsr, sizeof(mxcsr));
		memset(&fpu.fxsave[28], 0, 4);	/* MXCSR_MASK is read-only */
		task->user.fpu = fpu;
	}
	regs->r8 = sc->r8, regs->r9 = sc->r9, regs->r10 = sc->r10;
	regs->r11 = sc->r11, regs->r12 = sc->r12, regs->r13 = sc->r13;
	regs->r14 = sc->r14, regs->r15 = sc->r15;
	regs->rdi = sc->rdi, regs->rsi = sc->rsi, regs->rbp = sc->rbp;
	regs->rbx = sc->rbx, regs->rdx = sc->rdx, regs->rax = sc->rax;
	regs->rcx = sc->rcx, regs->rsp = sc->rsp, regs->rip = sc->rip;
	/* Only the flags user code may set; segments stay the user's. */
	regs->rflags = (regs->rflags & ~USER_RFLAGS_MASK) |
		       (sc->eflags & USER_RFLAGS_MASK) | RFLAGS_FIXED;
	regs->orig_rax = (uint64_t)-1;	/* not a syscall: no restart */
	spin_lock(&process->lock);
	WRITE_ONCE(task->sigmask, frame.uc.sigmask & ~UNBLOCKABLE);
	spin_unlock(&process->lock);
	task->altstack_flags &= ~SS_ONSTACK;
	return (long)regs->rax;
}
