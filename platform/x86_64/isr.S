/*
 * Interrupt and exception entry. One 16-byte stub per vector (the IDT
 * points at isr_stubs + 16 * vector) pushes a zero error code when the CPU
 * does not, then the vector, and joins isr_common, which saves the general
 * registers as a struct x86_trap_frame (see x86.h), links a frame record
 * so a backtrace continues into the interrupted code, and calls
 * x86_trap(frame). GS is swapped when coming from user mode.
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

isr_common:
	testb $3, 24(%rsp)		/* CS of the interrupted code */
	jz 1f
	swapgs
1:	pushq %rax
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
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp			/* vector and error code */
	iretq
