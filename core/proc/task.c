/*
 * The user-thread loop: each task's kernel thread runs its user code with
 * hal_user_run and handles what stops it, the gVisor "switch" model
 * (DESIGN.md, "User mode"). A syscall goes to the dispatcher, a page fault
 * to vm_fault, anything the process cannot survive ends it with the
 * signal Linux would raise, and an interrupt is a preemption point.
 */
#include "core/proc/proc_internal.h"

#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/signal.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/mm/vm.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sys/dispatch.h"

struct task *task_current(void)
{
	struct thread *thread = thread_current();

	return thread ? thread->task : NULL;
}

void task_kick(struct task *task)
{
	struct thread *thread = task->thread;

	if (thread == NULL)
		return;
	if (__atomic_load_n(&thread->state, __ATOMIC_ACQUIRE) ==
	    THREAD_BLOCKED)
		sched_wake(thread);
	else if (__atomic_load_n(&thread->on_cpu, __ATOMIC_ACQUIRE))
		hal_ipi(__atomic_load_n(&thread->cpu, __ATOMIC_RELAXED),
			HAL_VECTOR_IPI_RESCHEDULE);
}

#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define TRAP_BRKPT 1

/* The si_code Linux gives the signal of exception `vector`. */
static int exception_code(unsigned int vector)
{
	switch (vector) {
	case 0:
		return FPE_INTDIV;
	case 3:
		return TRAP_BRKPT;
	case 6:
		return ILL_ILLOPN;
	default:
		return SI_KERNEL;
	}
}

/* The signal Linux raises for CPU exception `vector` in user mode. */
static int exception_signal(unsigned int vector)
{
	switch (vector) {
	case 0:		/* #DE divide error */
	case 16:	/* #MF x87 error */
	case 19:	/* #XM SIMD error */
		return SIGFPE;
	case 1:		/* #DB */
	case 3:		/* #BP int3 */
		return SIGTRAP;
	case 6:		/* #UD */
		return SIGILL;
	case 17:	/* #AC alignment check */
		return SIGBUS;
	default:	/* #GP, #SS, #NP, #TS, ... */
		return SIGSEGV;
	}
}

static unsigned int fault_access(const struct trap *trap)
{
	if (trap->error_code & TRAP_FAULT_EXEC)
		return VM_ACCESS_EXEC;
	if (trap->error_code & TRAP_FAULT_WRITE)
		return VM_ACCESS_WRITE;
	return VM_ACCESS_READ;
}

static void refresh_vm_limits(struct task *task);

static void handle_fault(struct task *task, const struct trap *trap)
{
	int err;

	refresh_vm_limits(task);	/* a stack's growth counts too */
	err = vm_fault_limited(task->user.as, trap->fault_address,
			       fault_access(trap), &task->vm_limits);

	if (err == 0)
		return;
	if (err == -ENOMEM) {
		pr_warn("proc: out of memory in pid %d at %#llx: killed",
			task->process->pid,
			(unsigned long long)trap->fault_address);
		task_die_of_signal(SIGKILL);
	}
	if (vm_fault_is_sigbus(err))	/* past the end of a mapped file */
		signal_force_fault(task, SIGBUS, VM_BUS_ADRERR,
				   trap->fault_address);
	else
		signal_force_fault(task, SIGSEGV, vm_fault_segv_code(err),
				   trap->fault_address);
}

/* task->vm_limits from the process's rlimits. Process lock held. */
static void refresh_vm_limits_locked(struct task *task)
{
	struct process *process = task->process;

	task->vm_limits.as = process->rlimits[RLIMIT_AS].cur;
	task->vm_limits.data = process->rlimits[RLIMIT_DATA].cur;
	task->vm_limits.data_max = process->rlimits[RLIMIT_DATA].max;
}

static void refresh_vm_limits(struct task *task)
{
	spin_lock(&task->process->lock);
	refresh_vm_limits_locked(task);
	spin_unlock(&task->process->lock);
}

/* Fills the syscall context from the task's current state. */
static void fill_context(struct task *task, struct syscall_context *ctx)
{
	struct process *process = task->process;

	ctx->as = task->user.as;
	ctx->caller = &task->caller;
	spin_lock(&process->lock);
	ctx->files = process->files;
	ctx->fd_limit = process->rlimits[RLIMIT_NOFILE].cur;
	refresh_vm_limits_locked(task);
	spin_unlock(&process->lock);
	ctx->vm_limits = &task->vm_limits;
	ctx->task = task;
}

static bool is_restart(long result)
{
	return result == -ERESTARTSYS || result == -ERESTARTNOINTR ||
	       result == -ERESTARTNOHAND || result == -ERESTART_RESTARTBLOCK;
}

/* Whether the task must stop running user code and exit. */
static bool must_exit(struct task *task)
{
	return __atomic_load_n(&task->kill_pending, __ATOMIC_ACQUIRE) != 0;
}

static int task_main(void *arg)
{
	struct task *task = arg;
	struct syscall_context ctx;
	struct trap trap;

	task_refresh_cred(task);
	for (;;) {
		signal_deliver(task);
		if (must_exit(task))
			task_exit(task->process->group_exit_status, false);
		sched_account_user(true);
		int err = hal_user_run(&task->user, &trap);

		sched_account_user(false);

		if (err < 0) {
			pr_warn("proc: pid %d tid %d cannot run (error %d): "
				"killed", task->process->pid, task->tid, err);
			task_die_of_signal(SIGKILL);
		}
		switch (trap.kind) {
		case TRAP_SYSCALL:
			fill_context(task, &ctx);
			syscall_dispatch(&ctx, &task->user.regs);
			/*
			 * Only a syscall's own result restarts: after
			 * rt_sigreturn (orig_rax -1) rax is the frame's, as
			 * Linux's syscall_get_nr() < 0 check.
			 */
			if ((int64_t)task->user.regs.orig_rax >= 0 &&
			    is_restart((long)task->user.regs.rax))
				task->restart = (long)task->user.regs.rax;
			break;
		case TRAP_FAULT:
			handle_fault(task, &trap);
			break;
		case TRAP_EXCEPTION:
			signal_force_fault(task, exception_signal(trap.vector),
					   exception_code(trap.vector),
					   task->user.regs.rip);
			break;
		case TRAP_INTERRUPT:
			break;
		}
		sched_preempt_point();
	}
}

int task_start(struct task *task)
{
	struct process *process = task->process;
	struct thread *thread;

	thread = thread_create(process->comm, task_main, task);
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	thread->task = task;
	task->thread = thread;	/* the creation reference */
	/* fork and clone pass the creator's nice level on, as Linux. */
	if (thread_current() != NULL && thread_current()->task != NULL)
		thread_set_nice(thread, READ_ONCE(thread_current()->nice));
	mutex_lock(&proc_tree_lock);
	list_add_tail(&task->thread_link, &process->threads);
	process->thread_count++;
	mutex_unlock(&proc_tree_lock);
	thread_start(thread);
	return 0;
}
