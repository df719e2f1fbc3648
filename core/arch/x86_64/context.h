/*
 * The kernel-thread switch both platforms share. Platforms build
 * hal_context_init/hal_context_switch on top of these two (adding their
 * debugging-tool annotations); the core calls only the HAL functions.
 */
#pragma once

#include "core/hal/cpu.h"
#include "core/lib/types.h"

/*
 * Pushes the callee-saved registers, stores the stack pointer in *from_sp,
 * loads to_sp and pops the target's registers: returns into the target.
 */
void arch_context_switch(uintptr_t *from_sp, uintptr_t to_sp);

/*
 * Builds the initial frame on a new stack so that arch_context_switch to
 * the returned stack pointer enters entry(arg). Returns that stack pointer.
 */
uintptr_t arch_context_prepare(void *stack_base, size_t stack_size,
			       void (*entry)(void *), void *arg);

/*
 * Fills the stack fields of a context for the running stack; a NULL base
 * means "ask the platform" (hal_stack_bounds). The part of
 * hal_context_init_current both platforms share.
 */
void arch_context_describe_current(struct hal_context *context,
				   void *stack_base, size_t stack_size);
