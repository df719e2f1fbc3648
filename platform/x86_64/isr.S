/*
 * Interrupt and exception entry. One 16-byte stub per vector (the IDT
 * points at isr_stubs + 16 * vector) pushes a zero error code when the CPU
 * does not, then the vector, and joins isr_common, which saves the general
 * registers as a struct x86_trap_frame (see x86.h), links a frame record
 * so a backtrace continues into the interrupted code, and calls
 * x86_trap(frame).
 *
 * GS is swapped when coming from user mode, and also when ring 0 was
 * interrupted at one of the three instructions where the user's GS base
 * is active (user.S: x86_user_sysret, x86_user_iret, x86_syscall_entry;
 * only an NMI, a machine check, or a fault of the return instruction
 * itself can arrive there); the way out swaps it back for the same
 * cases. With SMAP, AC is cleared on entry: interrupt delivery keeps the
 * AC flag user code may have set, and the kernel must not run with it.
 */
#include "layout.h"

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || \
			   (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vector, 0
	.rept 256
	.balign 16
	.set .Lstub, .
	.if !HAS_ERROR_CODE(vector)
	pushq $0
	.endif
	pushq $vector
	.byte 0xe9			/* jmp rel32: a fixed size */
	.long isr_common - . - 4
	.if (. - .Lstub) > 16
	.error "interrupt stub larger than 16 bytes"
	.endif
	.set vector, vector + 1
	.endr

/* Offsets in the frame: 15 registers, then vector, error code, CPU frame. */
#define FRAME_RIP (17 * 8)
#define FRAME_CS (18 * 8)

/*
 * Jumps to `target` when the interrupted context (CPU frame at `frame`
 * bytes above %rsp) runs on the user's GS base. Clobbers nothing.
 */
.macro JUMP_IF_USER_GS frame, target
	testb $3, \frame + 8(%rsp)	/* CS */
	jnz \target
	pushq %rax
	leaq x86_user_sysret(%rip), %rax
	cmpq %rax, \frame + 8(%rsp)	/* RIP, one push further up */
	je 8f
	leaq x86_user_iret(%rip), %rax
	cmpq %rax, \frame + 8(%rsp)
	je 8f
	leaq x86_syscall_entry(%rip), %rax
	cmpq %rax, \frame + 8(%rsp)
8:	popq %rax
	je \target
.endm

isr_common:
	JUMP_IF_USER_GS 16, 1f		/* vector and error code above */
	jmp 2f
1:	swapgs
2:	testb $1, x86_smap_enabled(%rip)
	jz 3f
	clac
3:	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	pushq FRAME_RIP(%rdi)		/* frame record: [rbp][interrupted rip] */
	pushq %rbp
	movq %rsp, %rbp
	cld
	call x86_trap
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	JUMP_IF_USER_GS 16, 4f
	jmp 5f
4:	swapgs
5:	addq $16, %rsp			/* vector and error code */
	iretq
