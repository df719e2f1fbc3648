/*
 * Initial frames for new kernel-thread contexts (see context_switch.S for
 * the frame layout).
 */
#include "core/arch/x86_64/context.h"

#include "core/hal/debug.h"
#include "core/lib/compiler.h"

void arch_context_trampoline(void);

uintptr_t arch_context_prepare(void *stack_base, size_t stack_size,
			       void (*entry)(void *), void *arg)
{
	uintptr_t top = ALIGN_DOWN((uintptr_t)stack_base + stack_size, 16);
	uint64_t *frame;

	/*
	 * After the six pops and the ret, rsp = frame + 56 must be 16-byte
	 * aligned so the trampoline's call enters `entry` with rsp + 8
	 * aligned, as the ABI requires: frame = top - 72.
	 */
	frame = (uint64_t *)(top - 72);
	frame[0] = 0;				/* r15 */
	frame[1] = 0;				/* r14 */
	frame[2] = (uint64_t)arg;		/* r13 */
	frame[3] = (uint64_t)(uintptr_t)entry;	/* r12 */
	frame[4] = 0;				/* rbx */
	frame[5] = 0;				/* rbp: ends backtraces */
	frame[6] = (uint64_t)(uintptr_t)arch_context_trampoline;
	frame[7] = 0;				/* fake return address */
	return (uintptr_t)frame;
}

void arch_context_describe_current(struct hal_context *context,
				   void *stack_base, size_t stack_size)
{
	uintptr_t low, high;

	if (stack_base == NULL) {
		hal_stack_bounds(&low, &high);
		stack_base = (void *)low;
		stack_size = high - low;
	}
	context->stack_base = stack_base;
	context->stack_size = stack_size;
}
