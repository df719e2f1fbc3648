/*
 * Debugging hooks on bare metal: memory-checker annotations are no-ops
 * (there is no ASan or Valgrind here), and stack bounds come from the
 * per-CPU record of which stack is in use.
 */
#include "core/hal/debug.h"

#include "x86.h"

void hal_memcheck_object_alloc(const void *p, size_t size, bool zeroed)
{
	(void)p, (void)size, (void)zeroed;
}

void hal_memcheck_object_free(const void *p, size_t size)
{
	(void)p, (void)size;
}

void hal_memcheck_noaccess(const void *p, size_t size)
{
	(void)p, (void)size;
}

void hal_memcheck_undefined(const void *p, size_t size)
{
	(void)p, (void)size;
}

void hal_memcheck_defined(const void *p, size_t size)
{
	(void)p, (void)size;
}

uintptr_t hal_memcheck_read_hidden(const void *p)
{
	return *(const uintptr_t *)p;
}

int hal_memcheck_freed(const void *p)
{
	(void)p;
	return -1;
}

int hal_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset)
{
	return x86_symbolize(address, name, size, offset);
}

static bool inside(uintptr_t sp, uintptr_t low, uintptr_t high)
{
	return low < high && sp >= low && sp < high;
}

/*
 * The stack holding the caller's stack pointer: the running kernel
 * thread's, the CPU's boot stack, or one of its IST stacks. Before GS base
 * is set up (the first lines of boot) only the boot stack exists.
 */
void hal_stack_bounds(uintptr_t *low, uintptr_t *high)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct x86_cpu *cpu = x86_this_cpu();

	*low = (uintptr_t)boot_stack_bottom;
	*high = (uintptr_t)boot_stack_top;
	if (cpu == NULL)
		return;
	if (inside(sp, cpu->context_low, cpu->context_high)) {
		*low = cpu->context_low;
		*high = cpu->context_high;
		return;
	}
	for (int i = 1; i <= IST_COUNT; i++) {
		if (inside(sp, cpu->ist_low[i], cpu->ist_low[i] + IST_STACK_SIZE)) {
			*low = cpu->ist_low[i];
			*high = cpu->ist_low[i] + IST_STACK_SIZE;
			return;
		}
	}
	*low = cpu->stack_low;
	*high = cpu->stack_high;
}
