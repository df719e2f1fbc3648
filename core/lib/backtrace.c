/*
 * Frame-pointer unwinder and symbolized printing. Stateless; any context.
 * Every frame is checked against the stack bounds before it is read, so a
 * corrupt chain ends the walk instead of faulting.
 */
#include "core/lib/backtrace.h"

#include "core/arch/x86_64/cpu.h"
#include "core/hal/debug.h"
#include "core/lib/compiler.h"
#include "core/lib/printk.h"

struct frame {
	struct frame *next;
	uintptr_t return_address;
};

static bool frame_is_valid(uintptr_t fp, uintptr_t low, uintptr_t high)
{
	return IS_ALIGNED(fp, sizeof(uintptr_t)) && fp >= low &&
	       fp + sizeof(struct frame) <= high;
}

__noinline int backtrace_collect(uintptr_t *addresses, int max, int skip)
{
	uintptr_t low, high;
	uintptr_t fp = arch_frame_pointer();
	int count = 0;

	hal_stack_bounds(&low, &high);
	skip++; /* our own frame */
	while (count < max && frame_is_valid(fp, low, high)) {
		const struct frame *frame = (const struct frame *)fp;

		if (frame->return_address == 0)
			break;
		if (skip > 0)
			skip--;
		else
			addresses[count++] = frame->return_address;
		if ((uintptr_t)frame->next <= fp)
			break; /* frames must move towards the stack base */
		fp = (uintptr_t)frame->next;
	}
	return count;
}

void backtrace_print_addresses(const uintptr_t *addresses, int count)
{
	char name[96];
	uintptr_t offset;

	for (int i = 0; i < count; i++) {
		/* A return address points after the call: look up the call. */
		if (hal_symbolize(addresses[i] - 1, name, sizeof(name),
				  &offset) == 0)
			printk_raw(" [<%016lx>] %s+0x%lx\n",
				   (unsigned long)addresses[i], name,
				   (unsigned long)(offset + 1));
		else
			printk_raw(" [<%016lx>] ?\n",
				   (unsigned long)addresses[i]);
	}
}

__noinline void backtrace_print(void)
{
	uintptr_t addresses[32];
	int count = backtrace_collect(addresses, (int)ARRAY_SIZE(addresses), 1);

	printk_raw("Call trace:\n");
	backtrace_print_addresses(addresses, count);
}
