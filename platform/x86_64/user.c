/*
 * User mode on bare metal: hal_user_run runs the thread's registers in
 * ring 3 on the calling CPU until a SYSCALL, exception or interrupt comes
 * back (user.S does the switch itself). The state that crosses is all in
 * the struct user_ctx: general registers, FS/GS base and the FXSAVE
 * image. The kernel never uses x87/SSE (-mgeneral-regs-only), so after a
 * trap the FPU still holds the user's state: it stays there until another
 * thread is switched to on this CPU (x86_fpu_switch_out saves it) or the
 * core asks for it (hal_user_fpu_sync), and the next run on the same CPU
 * loads nothing (fpu_load).
 *
 * The per-CPU fields user_kernel_rsp, user_regs and user_trap belong to
 * the run in progress on that CPU; interrupts stay off from entry to the
 * trap's return, so no other thread sees them.
 *
 * What user code can and cannot do to the kernel: CS and SS are forced to
 * the user selectors, RFLAGS keeps only the arithmetic flags, DF and ID
 * (IF is forced on; IOPL, NT, TF, AC, RF, VM and the virtual-interrupt
 * flags off), RIP and RSP must be canonical or the run ends at once with
 * an exception trap, FS/GS bases must lie in the user half, and MXCSR
 * keeps only the bits the CPU accepts, so neither SYSRETQ, IRETQ nor
 * FXRSTOR can fault in ring 0 on user-supplied values (a fault at the
 * return instruction is still turned into a trap, never a panic).
 */
#include "core/hal/user.h"

#include "core/arch/x86_64/pte.h"
#include "core/hal/cpu.h"
#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "x86.h"

_Static_assert(offsetof(struct user_regs, r15) == UREGS_R15, "UREGS_R15");
_Static_assert(offsetof(struct user_regs, rbp) == UREGS_RBP, "UREGS_RBP");
_Static_assert(offsetof(struct user_regs, r11) == UREGS_R11, "UREGS_R11");
_Static_assert(offsetof(struct user_regs, rax) == UREGS_RAX, "UREGS_RAX");
_Static_assert(offsetof(struct user_regs, rdi) == UREGS_RDI, "UREGS_RDI");
_Static_assert(offsetof(struct user_regs, orig_rax) == UREGS_ORIG_RAX,
	       "UREGS_ORIG_RAX");
_Static_assert(offsetof(struct user_regs, rip) == UREGS_RIP, "UREGS_RIP");
_Static_assert(offsetof(struct user_regs, cs) == UREGS_CS, "UREGS_CS");
_Static_assert(offsetof(struct user_regs, rflags) == UREGS_RFLAGS,
	       "UREGS_RFLAGS");
_Static_assert(offsetof(struct user_regs, rsp) == UREGS_RSP, "UREGS_RSP");
_Static_assert(offsetof(struct user_regs, ss) == UREGS_SS, "UREGS_SS");
_Static_assert(TRAP_KIND_SYSCALL == TRAP_SYSCALL, "TRAP_KIND_SYSCALL");
_Static_assert(TRAP_KIND_EXCEPTION == TRAP_EXCEPTION, "TRAP_KIND_EXCEPTION");

/* The RFLAGS bits user code keeps; IF is added. */
#define USER_RFLAGS                                                          \
	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF |         \
	 RFLAGS_DF | RFLAGS_OF | RFLAGS_ID)

#define USER_HALF_END 0x0000800000000000ULL
#define VECTOR_STACK_FAULT 12
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define FXSAVE_MXCSR 24		/* offset of MXCSR in the FXSAVE image */

#define PAGE_FAULT_BITS                                                     \
	(TRAP_FAULT_PRESENT | TRAP_FAULT_WRITE | TRAP_FAULT_USER |           \
	 TRAP_FAULT_EXEC)

/* A base register value user code may have: inside the user half. */
static bool is_user_base(uint64_t base)
{
	return base < USER_HALF_END;
}

static void regs_sanitize(struct user_regs *regs)
{
	regs->cs = regs->cs == USER_CS32 ? USER_CS32 : USER_CS;
	regs->ss = USER_SS;
	regs->rflags = (regs->rflags & USER_RFLAGS) | RFLAGS_IF | RFLAGS_FIXED;
	regs->ds = regs->es = regs->fs = regs->gs = 0;
}

/*
 * A RIP or RSP that cannot be loaded ends the run before it starts, as
 * the #GP (RIP) or #SS (RSP) the first instruction would take. Returns
 * whether it did.
 */
static bool is_bad_return(const struct user_regs *regs, struct trap *trap)
{
	if (va_is_canonical(regs->rip) && va_is_canonical(regs->rsp))
		return false;
	trap->kind = TRAP_EXCEPTION;
	trap->vector = va_is_canonical(regs->rip) ? VECTOR_STACK_FAULT :
						    VECTOR_GENERAL_PROTECTION;
	return true;
}

/*
 * SYSRETQ restores only rip from rcx and rflags from r11, in 64-bit code:
 * usable when those already match (after a syscall they do) and rip is
 * canonical (Intel CPUs raise #GP in ring 0, on the user stack, else).
 */
static bool can_sysret(const struct user_regs *regs)
{
	return regs->cs == USER_CS && regs->rcx == regs->rip &&
	       regs->r11 == regs->rflags && va_is_canonical(regs->rip);
}

static uint16_t read_selector_fs(void)
{
	uint16_t selector;

	__asm__ volatile("mov %%fs, %0" : "=r"(selector));
	return selector;
}

static uint16_t read_selector_gs(void)
{
	uint16_t selector;

	__asm__ volatile("mov %%gs, %0" : "=r"(selector));
	return selector;
}

/*
 * Null data selectors, as Linux gives 64-bit programs (user code may have
 * loaded others; the kernel itself runs with null DS/ES), then the FS
 * base and, in KERNEL_GS_BASE until the SWAPGS into ring 3, the GS base.
 * Loading GS may clear its base: the kernel's is written back.
 */
/*
 * (An NMI between the GS load and the MSR write would find no per-CPU
 * area; only a user-loaded GS selector gets here.)
 */
static void segments_load(struct x86_cpu *cpu, const struct user_regs *regs)
{
	__asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" ::"r"(0));
	if (read_selector_fs() != 0) {
		__asm__ volatile("mov %0, %%fs" ::"r"(0));
		cpu->user_bases_known = false;
	}
	if (read_selector_gs() != 0) {
		__asm__ volatile("mov %0, %%gs" ::"r"(0));
		x86_wrmsr(MSR_GS_BASE, (uint64_t)cpu);
		cpu->user_bases_known = false;
	}
	/* The MSRs keep what the last run here loaded (TCG: two helpers). */
	if (!cpu->user_bases_known || cpu->user_fs_base != regs->fs_base) {
		x86_wrmsr(MSR_FS_BASE, regs->fs_base);
		cpu->user_fs_base = regs->fs_base;
	}
	if (!cpu->user_bases_known || cpu->user_gs_base != regs->gs_base) {
		x86_wrmsr(MSR_KERNEL_GS_BASE, regs->gs_base);
		cpu->user_gs_base = regs->gs_base;
	}
	cpu->user_bases_known = true;
}

/* Loads the FPU from memory: MXCSR's reserved bits cleared first. */
static void fpu_restore(struct user_fpu *fpu)
{
	uint32_t mxcsr;

	memcpy(&mxcsr, fpu->fxsave + FXSAVE_MXCSR, sizeof(mxcsr));
	mxcsr &= x86_mxcsr_mask;
	memcpy(fpu->fxsave + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	__asm__ volatile("fxrstorq %0" ::"m"(*fpu));
}

static void fpu_save(struct user_fpu *fpu)
{
	__asm__ volatile("fxsaveq %0" : "=m"(*fpu));
}

/*
 * Lazy FPU, as Linux's fpregs_state_valid: the registers stay loaded
 * across traps and are loaded again only when another context used them
 * on this CPU, or this context last ran elsewhere. FXSAVE and FXRSTOR
 * were half of a getpid's time under QEMU's TCG. Interrupts off.
 */
static void fpu_load(struct x86_cpu *cpu, struct user_ctx *ctx)
{
	if (cpu->fpu_owner == ctx && ctx->fpu_cpu == cpu->index + 1)
		return;
	/* Another context of this thread (selftests); for ctx itself, a
	 * cleared fpu_cpu means its image was rewritten: that one counts. */
	if (cpu->fpu_dirty && cpu->fpu_owner != ctx)
		fpu_save(&cpu->fpu_owner->fpu);
	fpu_restore(&ctx->fpu);
	cpu->fpu_owner = ctx;
	cpu->fpu_dirty = false;
	ctx->fpu_cpu = cpu->index + 1;
}

/*
 * Called with interrupts off before this CPU switches threads: the
 * outgoing thread is the owner of dirty registers (no other runs user
 * code here in between), and may run next on another CPU.
 */
void x86_fpu_switch_out(struct x86_cpu *cpu)
{
	if (!cpu->fpu_dirty)
		return;
	fpu_save(&cpu->fpu_owner->fpu);
	cpu->fpu_dirty = false;
}

/* Drops ctx's claim on this CPU's registers (saving them if `save`). */
static void fpu_detach(struct user_ctx *ctx, bool save)
{
	irq_flags_t flags = hal_irq_save();
	struct x86_cpu *cpu = x86_this_cpu();

	if (cpu->fpu_owner == ctx) {
		if (cpu->fpu_dirty && save)
			fpu_save(&ctx->fpu);
		cpu->fpu_owner = NULL;
		cpu->fpu_dirty = false;
	}
	ctx->fpu_cpu = 0;
	hal_irq_restore(flags);
}

void hal_user_fpu_sync(struct user_ctx *ctx)
{
	fpu_detach(ctx, true);
}

int hal_user_run(struct user_ctx *ctx, struct trap *trap)
{
	struct user_regs *regs = &ctx->regs;
	struct x86_cpu *cpu;
	irq_flags_t flags;
	int result;

	if (ctx->as == NULL || !is_user_base(regs->fs_base) ||
	    !is_user_base(regs->gs_base))
		return -EINVAL;
	memset(trap, 0, sizeof(*trap));
	regs_sanitize(regs);
	if (is_bad_return(regs, trap))
		return 0;
	flags = hal_irq_save();
	hal_as_activate(ctx->as);
	cpu = x86_this_cpu();
	cpu->user_regs = regs;
	cpu->user_trap = trap;
	segments_load(cpu, regs);
	fpu_load(cpu, ctx);
	result = x86_user_enter(regs, can_sysret(regs));
	cpu = x86_this_cpu();	/* the same: interrupts stayed off */
	cpu->fpu_dirty = true;
	cpu->user_regs = NULL;
	cpu->user_trap = NULL;
	trap->kind = (enum trap_kind)(result & 0xff);
	if (result >> 8)
		trap->vector = (unsigned int)result >> 8;
	hal_irq_restore(flags);
	return 0;
}

/*
 * Nothing else outlives a run on bare metal: all state is in the ctx.
 * Another CPU may keep a stale fpu_owner pointer: ctx->fpu_cpu 0 means
 * a context made later at the same address loads its own state.
 */
void hal_user_release(struct user_ctx *ctx)
{
	fpu_detach(ctx, false);
}

static void regs_save(struct user_regs *regs, const struct x86_trap_frame *f)
{
	regs->r15 = f->r15;
	regs->r14 = f->r14;
	regs->r13 = f->r13;
	regs->r12 = f->r12;
	regs->rbp = f->rbp;
	regs->rbx = f->rbx;
	regs->r11 = f->r11;
	regs->r10 = f->r10;
	regs->r9 = f->r9;
	regs->r8 = f->r8;
	regs->rax = f->rax;
	regs->rcx = f->rcx;
	regs->rdx = f->rdx;
	regs->rsi = f->rsi;
	regs->rdi = f->rdi;
	regs->orig_rax = (uint64_t)-1; /* not a system call, as Linux says */
	regs->rip = f->rip;
	regs->cs = f->cs;
	regs->rflags = f->rflags;
	regs->rsp = f->rsp;
	regs->ss = f->ss;
}

bool x86_is_user_return_fault(const struct x86_trap_frame *frame)
{
	return !(frame->cs & 3) &&
	       (frame->rip == (uintptr_t)x86_user_iret ||
		frame->rip == (uintptr_t)x86_user_sysret);
}

/*
 * From x86_trap, for everything from ring 3 but NMIs and machine checks,
 * and for a fault of the return instruction itself (the registers in the
 * ctx then stay as they were). Interrupts are off.
 */
__noreturn void x86_user_trap(struct x86_trap_frame *frame)
{
	struct x86_cpu *cpu = x86_this_cpu();
	struct trap *trap = cpu->user_trap;
	unsigned int vector = (unsigned int)frame->vector;

	trap->vector = vector;
	if (vector == VECTOR_PAGE_FAULT && (frame->cs & 3)) {
		trap->kind = TRAP_FAULT;
		trap->fault_address = x86_read_cr2();
		trap->error_code = frame->error_code & PAGE_FAULT_BITS;
	} else if (vector < 32) {
		trap->kind = TRAP_EXCEPTION;
		trap->error_code = frame->error_code;
	} else {
		x86_interrupt(vector);
		trap->kind = TRAP_INTERRUPT;
	}
	if (frame->cs & 3)
		regs_save(cpu->user_regs, frame);
	x86_user_return(trap->kind);
}
