/*
 * The signal frame: Linux's x86_64 rt_sigframe (return address, ucontext
 * with the sigcontext and the mask, siginfo, then the FXSAVE image), so C
 * libraries' restorers (musl's and glibc's __restore_rt: `mov $15, %eax;
 * syscall`) and unwinders work unchanged; and rt_sigreturn, which takes
 * back only what user code may change. The frame is the task's own: no
 * lock but process->lock for the mask.
 */
#include "core/proc/proc_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/sigcontext.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"

#define RED_ZONE 128
/* x86_64 rflags bits a signal handler's sigreturn may change (FIX_EFLAGS). */
#define USER_RFLAGS_MASK 0x50dd5ULL	/* CF PF AF ZF SF TF DF OF AC RF */
#define RFLAGS_FIXED 0x202ULL		/* IF and the reserved bit 1 */
#define MXCSR_VALID_MASK 0xffbfU	/* no reserved MXCSR bits (DAZ ok) */

struct rt_sigframe {
	uint64_t pretcode;		/* the handler's return address */
	struct ucontext uc;
	struct proc_siginfo info;
};

_Static_assert(sizeof(struct proc_siginfo) == 128, "siginfo layout");

/*
 * Whether sp lies on the task's alternate signal stack. An SS_AUTODISARM
 * stack counts as left (Linux's on_sig_stack): disarmed while a handler
 * runs, it is only "on" if user code moved there itself.
 */
static bool on_altstack(const struct task *task, uint64_t sp)
{
	return task->altstack_size != 0 &&
	       !(task->altstack_flags & SS_AUTODISARM) &&
	       sp > task->altstack_sp &&
	       sp - task->altstack_sp <= task->altstack_size;
}

void signal_altstack_get(const struct task *task, uint64_t sp,
			 struct signal_stack *stack)
{
	stack->sp = task->altstack_sp;
	stack->size = task->altstack_size;
	stack->pad = 0;
	stack->flags = (int32_t)(task->altstack_flags & SS_AUTODISARM);
	if (task->altstack_size == 0)
		stack->flags |= SS_DISABLE;
	else if (on_altstack(task, sp))
		stack->flags |= SS_ONSTACK;
}

int signal_altstack_set(struct task *task, uint64_t sp,
			const struct signal_stack *stack)
{
	unsigned int mode = (unsigned int)stack->flags & ~SS_AUTODISARM;
	uint64_t base = stack->sp, size = stack->size;

	if (on_altstack(task, sp))
		return -EPERM;
	if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		base = 0;
		size = 0;
	} else if (size < MINSIGSTKSZ) {
		return -ENOMEM;
	}
	task->altstack_sp = base;
	task->altstack_size = size;
	task->altstack_flags = stack->flags;
	return 0;
}

/* Disarms the alternate stack for the handler (SS_AUTODISARM). */
static void altstack_disarm(struct task *task)
{
	task->altstack_sp = 0;
	task->altstack_size = 0;
	task->altstack_flags = SS_DISABLE;
}

int signal_setup_frame(struct task *task, int signal,
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
	hal_user_fpu_sync(&task->user);
	frame_addr = ((fpstate - sizeof(frame)) & ~15ULL) - 8;

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = action->restorer;
	frame.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	/* The stack as set (Linux's sas_ss_flags): rt_sigreturn sets it back. */
	frame.uc.stack.sp = task->altstack_sp;
	frame.uc.stack.size = task->altstack_size;
	frame.uc.stack.flags = task->altstack_size != 0 ? task->altstack_flags :
		(int32_t)(SS_DISABLE | (task->altstack_flags & SS_AUTODISARM));
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
	if (task->altstack_flags & SS_AUTODISARM)
		altstack_disarm(task);
	return 0;
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
		/*
		 * Reserved MXCSR bits would fault the kernel's FXRSTOR:
		 * Linux's fails on them and forces SIGSEGV; DAZ (not in
		 * every CPU's MXCSR_MASK) is cleared instead.
		 */
		memcpy(&mxcsr, &fpu.fxsave[24], sizeof(mxcsr));
		if (mxcsr & ~0xffffU)
			task_die_of_signal(SIGSEGV);
		mxcsr &= MXCSR_VALID_MASK;
		memcpy(&fpu.fxsave[24], &mxcsr, sizeof(mxcsr));
		memset(&fpu.fxsave[28], 0, 4);	/* MXCSR_MASK is read-only */
		hal_user_fpu_sync(&task->user);
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
	task->restart_block.fn = NULL;	/* nor a restart_syscall */
	spin_lock(&process->lock);
	WRITE_ONCE(task->sigmask, frame.uc.sigmask & ~SIG_UNBLOCKABLE);
	spin_unlock(&process->lock);
	/* As Linux's restore_altstack: what it refuses is ignored. */
	(void)signal_altstack_set(task, regs->rsp, &frame.uc.stack);
	return (long)regs->rax;
}
