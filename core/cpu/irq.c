/*
 * The vector table. Entries are written at registration (boot, process
 * context) and read by kinterrupt on any CPU; a handler pointer is published
 * with release ordering so a CPU that sees it also sees its argument.
 */
#include "core/cpu/irq.h"

#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/printk.h"

#define VECTORS 256

struct irq_entry {
	irq_handler_fn *handler;	/* atomic */
	void *arg;
};

static struct irq_entry table[VECTORS];
static uint64_t spurious;			/* atomic */
static unsigned int interrupt_depth[HAL_MAX_CPUS];

int irq_register(unsigned int vector, irq_handler_fn *handler, void *arg)
{
	irq_handler_fn *expected = NULL;

	if (vector >= VECTORS || handler == NULL)
		return -EINVAL;
	table[vector].arg = arg;
	if (!__atomic_compare_exchange_n(&table[vector].handler, &expected,
					 handler, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	return 0;
}

void irq_unregister(unsigned int vector)
{
	if (vector < VECTORS)
		__atomic_store_n(&table[vector].handler, NULL, __ATOMIC_RELEASE);
}

uint64_t irq_spurious_count(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}

bool irq_in_interrupt(void)
{
	return interrupt_depth[hal_cpu_id()] > 0;
}

void kinterrupt(unsigned int vector)
{
	unsigned int cpu = hal_cpu_id();
	irq_handler_fn *handler;

	if (vector >= VECTORS)
		return;
	handler = __atomic_load_n(&table[vector].handler, __ATOMIC_ACQUIRE);
	if (handler == NULL) {
		if (__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED) < 8)
			pr_warn("irq: vector %#x on CPU %u has no handler",
				vector, cpu);
		return;
	}
	interrupt_depth[cpu]++;
	handler(vector, table[vector].arg);
	interrupt_depth[cpu]--;
}
