/*
 * panic() and warnings. The first CPU to panic wins; a nested panic (a
 * fault while printing) goes straight to hal_halt_all so it cannot loop.
 */
#include "core/lib/panic.h"

#include <stdarg.h>

#include "core/hal/cpu.h"
#include "core/lib/backtrace.h"
#include "core/lib/format.h"
#include "core/lib/printk.h"

static unsigned int panic_depth;
static unsigned long warnings;

__noreturn void panic(const char *fmt, ...)
{
	char message[256];
	va_list args;

	hal_irq_disable();
	if (__atomic_fetch_add(&panic_depth, 1, __ATOMIC_ACQ_REL) > 0)
		hal_halt_all();
	printk_enter_panic();
	va_start(args, fmt);
	kvsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	printk_raw("\nKernel panic - not syncing: %s\n", message);
	printk_raw("CPU: %u\n", hal_cpu_id());
	backtrace_print();
	printk_raw("---[ end Kernel panic - not syncing: %s ]---\n", message);
	hal_halt_all();
}

void warn_report(const char *file, int line, const char *fmt, ...)
{
	char message[256];
	va_list args;

	__atomic_fetch_add(&warnings, 1, __ATOMIC_RELAXED);
	va_start(args, fmt);
	kvsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	printk(LOG_WARNING, "WARNING: CPU: %u at %s:%d: %s", hal_cpu_id(), file,
	       line, message);
	backtrace_print();
}

unsigned long warn_count(void)
{
	return __atomic_load_n(&warnings, __ATOMIC_RELAXED);
}
