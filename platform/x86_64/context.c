/*
 * Kernel-thread contexts: the shared switch routine
 * (core/arch/x86_64/context_switch.S) plus the per-CPU record of which
 * stack is in use, so hal_stack_bounds (backtraces) follows the thread.
 * Bare metal has no debugging tools to tell, so platform[] is unused.
 */
#include "core/arch/x86_64/context.h"
#include "core/hal/cpu.h"
#include "core/hal/debug.h"
#include "x86.h"

void hal_context_init(struct hal_context *context, void *stack_base,
		      size_t stack_size, void (*entry)(void *), void *arg)
{
	context->stack_base = stack_base;
	context->stack_size = stack_size;
	context->stack_pointer = arch_context_prepare(stack_base, stack_size,
						      entry, arg);
}

void hal_context_init_current(struct hal_context *context, void *stack_base,
			      size_t stack_size)
{
	arch_context_describe_current(context, stack_base, stack_size);
}

void hal_context_destroy(struct hal_context *context)
{
	context->stack_base = NULL;
	context->stack_size = 0;
}

void hal_context_switch(struct hal_context *from, struct hal_context *to)
{
	struct x86_cpu *cpu = x86_this_cpu();

	x86_fpu_switch_out(cpu);
	cpu->context_low = (uintptr_t)to->stack_base;
	cpu->context_high = (uintptr_t)to->stack_base + to->stack_size;
	arch_context_switch(&from->stack_pointer, to->stack_pointer);
	/* Possibly on another CPU now: it recorded our stack when it switched. */
}
