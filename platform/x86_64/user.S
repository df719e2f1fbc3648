/*
 * The switch between a kernel thread and its user code (the gVisor
 * "switch" model): x86_user_enter saves the kernel's callee-saved
 * registers on the thread's stack, records that stack pointer in the
 * per-CPU area and in TSS.rsp0, loads every user register from a struct
 * user_regs and leaves through SYSRETQ or IRETQ. The way back is
 * x86_user_return, reached from the SYSCALL entry below or from
 * x86_user_trap (user.c) after an exception or interrupt in ring 3: it
 * drops whatever is on the stack below the saved frame and returns from
 * x86_user_enter with the trap kind.
 *
 * GS: the kernel's GS base (the per-CPU area) is active in the kernel,
 * the user's while user code runs; SWAPGS exchanges it with
 * KERNEL_GS_BASE at every crossing. The SWAPGS before SYSRETQ/IRETQ sits
 * right before them, and the SYSCALL entry starts with SWAPGS, so in ring
 * 0 the user's GS base is active only with RIP at x86_user_sysret,
 * x86_user_iret or x86_syscall_entry; isr.S checks those addresses.
 *
 * Interrupts are off from x86_user_enter to the return (SYSCALL clears IF
 * through SFMASK; interrupt gates clear it), so nothing else runs on this
 * stack meanwhile.
 */
#include "layout.h"

#define RFLAGS_KERNEL 0x2		/* IF, DF and AC clear */
#define ENOSYS 38

	.text

/* int x86_user_enter(struct user_regs *regs, bool sysret) */
	.globl x86_user_enter
	.type x86_user_enter, @function
x86_user_enter:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %gs:CPU_USER_KERNEL_RSP
	movq %rsp, %gs:CPU_TSS_RSP0
	testb %sil, %sil
	jz .Lenter_iret

	/*
	 * SYSRETQ: rcx -> rip, r11 -> rflags (hal_user_run checked both).
	 * A null SS (left by an interrupt from ring 3) would survive SYSRETQ
	 * as an unusable SS on AMD CPUs: load the kernel's first.
	 */
	movl $GDT_KERNEL_DATA, %eax
	movl %eax, %ss
	movq UREGS_RIP(%rdi), %rcx
	movq UREGS_RFLAGS(%rdi), %r11
	movq UREGS_R15(%rdi), %r15
	movq UREGS_R14(%rdi), %r14
	movq UREGS_R13(%rdi), %r13
	movq UREGS_R12(%rdi), %r12
	movq UREGS_RBP(%rdi), %rbp
	movq UREGS_RBX(%rdi), %rbx
	movq UREGS_R10(%rdi), %r10
	movq UREGS_R9(%rdi), %r9
	movq UREGS_R8(%rdi), %r8
	movq UREGS_RAX(%rdi), %rax
	movq UREGS_RDX(%rdi), %rdx
	movq UREGS_RSI(%rdi), %rsi
	movq UREGS_RSP(%rdi), %rsp	/* NMI and #MC use IST stacks */
	movq UREGS_RDI(%rdi), %rdi
	swapgs
	.globl x86_user_sysret
x86_user_sysret:
	sysretq

.Lenter_iret:
	pushq $USER_SS
	pushq UREGS_RSP(%rdi)
	pushq UREGS_RFLAGS(%rdi)
	pushq UREGS_CS(%rdi)
	pushq UREGS_RIP(%rdi)
	movq UREGS_R15(%rdi), %r15
	movq UREGS_R14(%rdi), %r14
	movq UREGS_R13(%rdi), %r13
	movq UREGS_R12(%rdi), %r12
	movq UREGS_RBP(%rdi), %rbp
	movq UREGS_RBX(%rdi), %rbx
	movq UREGS_R11(%rdi), %r11
	movq UREGS_R10(%rdi), %r10
	movq UREGS_R9(%rdi), %r9
	movq UREGS_R8(%rdi), %r8
	movq UREGS_RAX(%rdi), %rax
	movq UREGS_RCX(%rdi), %rcx
	movq UREGS_RDX(%rdi), %rdx
	movq UREGS_RSI(%rdi), %rsi
	movq UREGS_RDI(%rdi), %rdi
	swapgs
	.globl x86_user_iret
x86_user_iret:
	iretq
	.size x86_user_enter, . - x86_user_enter

/*
 * __noreturn void x86_user_return(int kind): back into x86_user_enter's
 * caller with `kind`, on the stack x86_user_enter saved, with interrupts
 * off and the kernel's flags.
 */
	.globl x86_user_return
	.type x86_user_return, @function
x86_user_return:
	movq %gs:CPU_USER_KERNEL_RSP, %rsp
	movl %edi, %eax
	pushq $RFLAGS_KERNEL
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size x86_user_return, . - x86_user_return

/*
 * Saves the user registers into the running struct user_regs (in %rdi);
 * the user's rdi is at (%rsp) and its rsp in the per-CPU scratch slot.
 * rcx and r11 hold the user's rip and rflags, as SYSCALL left them. The
 * number goes to orig_rax and rax reads -ENOSYS, as Linux (and ptrace,
 * so the hosted runner) shows a system call at entry.
 */
.macro SAVE_SYSCALL_REGS
	movq $-ENOSYS, UREGS_RAX(%rdi)	/* Linux's pt_regs at entry */
	movq %rax, UREGS_ORIG_RAX(%rdi)
	movq %rcx, UREGS_RCX(%rdi)
	movq %rcx, UREGS_RIP(%rdi)
	movq %r11, UREGS_R11(%rdi)
	movq %r11, UREGS_RFLAGS(%rdi)
	movq %r15, UREGS_R15(%rdi)
	movq %r14, UREGS_R14(%rdi)
	movq %r13, UREGS_R13(%rdi)
	movq %r12, UREGS_R12(%rdi)
	movq %rbp, UREGS_RBP(%rdi)
	movq %rbx, UREGS_RBX(%rdi)
	movq %r10, UREGS_R10(%rdi)
	movq %r9, UREGS_R9(%rdi)
	movq %r8, UREGS_R8(%rdi)
	movq %rdx, UREGS_RDX(%rdi)
	movq %rsi, UREGS_RSI(%rdi)
	popq %rax
	movq %rax, UREGS_RDI(%rdi)
	movq %gs:CPU_USER_SCRATCH, %rax
	movq %rax, UREGS_RSP(%rdi)
.endm

/*
 * SYSCALL from 64-bit user code (LSTAR). Interrupts are off (SFMASK);
 * the stack is still the user's until the kernel one is loaded.
 */
	.globl x86_syscall_entry
	.type x86_syscall_entry, @function
x86_syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_SCRATCH
	movq %gs:CPU_USER_KERNEL_RSP, %rsp
	pushq %rdi
	movq %gs:CPU_USER_REGS, %rdi
	SAVE_SYSCALL_REGS
	movl $TRAP_KIND_SYSCALL, %edi
	jmp x86_user_return
	.size x86_syscall_entry, . - x86_syscall_entry

/*
 * SYSCALL from 32-bit user code (CSTAR; AMD CPUs only, Intel raise #UD
 * themselves): reported as the #UD an Intel CPU gives, at the SYSCALL
 * instruction, in the code segment it came from.
 */
	.globl x86_syscall_entry_compat
	.type x86_syscall_entry_compat, @function
x86_syscall_entry_compat:
	swapgs
	movq %rsp, %gs:CPU_USER_SCRATCH
	movq %gs:CPU_USER_KERNEL_RSP, %rsp
	pushq %rdi
	movq %gs:CPU_USER_REGS, %rdi
	SAVE_SYSCALL_REGS
	movq $-1, UREGS_ORIG_RAX(%rdi)
	subq $2, UREGS_RIP(%rdi)	/* SYSCALL is 0f 05 */
	movq $USER_CS32, UREGS_CS(%rdi)
	movl $TRAP_KIND_EXCEPTION | (6 << 8), %edi
	jmp x86_user_return
	.size x86_syscall_entry_compat, . - x86_syscall_entry_compat
