/*
 * The AP start-up trampoline. x86_smp copies [trampoline_start,
 * trampoline_end) to TRAMPOLINE_PHYS, fills the four parameters at the end
 * and sends INIT-SIPI-SIPI with vector TRAMPOLINE_PHYS >> 12: the AP starts
 * here in real mode at CS:IP = 0x0800:0000, moves through protected mode to
 * long mode on the boot page tables (which identity-map this page and map
 * the kernel image), and jumps to trampoline_entry(trampoline_cpu) on the
 * stack trampoline_stack. The copy is only read by the AP; the boot CPU
 * starts one AP at a time.
 */
#include "layout.h"

#define T(symbol) ((symbol) - trampoline_start + TRAMPOLINE_PHYS)
#define MSR_EFER 0xc0000080
#define EFER_LME_NXE ((1 << 8) | (1 << 11))

	.section .rodata
	.balign 16
	.globl trampoline_start
trampoline_start:
	.code16
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(trampoline_gdt_pointer)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(trampoline32)

	.code32
trampoline32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl T(trampoline_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME_NXE, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	ljmp $0x18, $T(trampoline64)

	.code64
trampoline64:
	movq T(trampoline_stack), %rsp
	movq T(trampoline_entry), %rax
	movl T(trampoline_cpu), %edi
	xorl %ebp, %ebp
	pushq $0			/* as if called: the ABI's stack alignment */
	jmp *%rax

	.balign 8
trampoline_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
trampoline_gdt_pointer:
	.word trampoline_gdt_pointer - trampoline_gdt - 1
	.long T(trampoline_gdt)

	.balign 8
	.globl trampoline_stack, trampoline_entry, trampoline_cr3, trampoline_cpu
trampoline_stack:
	.quad 0
trampoline_entry:
	.quad 0
trampoline_cr3:
	.long 0
trampoline_cpu:
	.long 0
	.globl trampoline_end
trampoline_end:
