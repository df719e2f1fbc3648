/*
 * Kernel-thread context switch (System V x86_64 ABI): only the callee-saved
 * registers rbx, rbp, r12-r15 survive a call, so they are all we save. The
 * frame on a switched-out stack, from low to high addresses:
 *     r15 r14 r13 r12 rbx rbp return-address
 */
	.text

/* void arch_context_switch(uintptr_t *from_sp (rdi), uintptr_t to_sp (rsi)) */
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

/*
 * First code of a new context: arch_context_prepare left entry in r12 and
 * arg in r13. rbp is 0 so backtraces end here; the stack is 16-byte
 * aligned at the call as the ABI requires.
 */
	.globl arch_context_trampoline
	.type arch_context_trampoline, @function
arch_context_trampoline:
	movq %r13, %rdi
	callq *%r12
	ud2
	.size arch_context_trampoline, . - arch_context_trampoline

	.section .note.GNU-stack, "", @progbits
